from datetime import date

import pytest

from positions.core.working_days import (
    DeadlineState,
    add_working_days,
    deadline_state,
    derived_deadlines,
    holiday_name,
    is_working_day,
    subtract_working_days,
    working_days_until,
)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2027, 3, 26), "Karfreitag"),
        (date(2027, 3, 29), "Ostermontag"),
        (date(2026, 6, 4), "Fronleichnam"),  # a holiday in NRW, not in Berlin
        (date(2026, 11, 1), "Allerheiligen"),
        (date(2026, 12, 25), "Erster Weihnachtstag"),
        (date(2026, 12, 26), "Zweiter Weihnachtstag"),
        (date(2026, 10, 3), "Tag der Deutschen Einheit"),
    ],
)
def test_nrw_public_holidays_are_known_by_their_german_names(day: date, name: str) -> None:
    assert holiday_name(day) == name
    assert not is_working_day(day)


def test_regional_holidays_of_other_states_are_working_days_in_nrw() -> None:
    assert is_working_day(date(2027, 1, 6))  # Heilige Drei Könige: Bavaria, not NRW
    assert is_working_day(date(2029, 10, 31))  # Reformationstag: Saxony, not NRW


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        # Easter 2027: Good Friday 26 March and Easter Monday 29 March are skipped.
        (date(2027, 4, 1), 5, date(2027, 3, 23)),
        # Christmas and New Year: 25/26 Dec and 1 Jan are skipped, 24 and 31 Dec count.
        (date(2027, 1, 8), 10, date(2026, 12, 23)),
        # Fronleichnam, Thursday 4 June 2026.
        (date(2026, 6, 8), 3, date(2026, 6, 2)),
        # From a Sunday.
        (date(2026, 11, 29), 1, date(2026, 11, 27)),
        (date(2026, 11, 25), 0, date(2026, 11, 25)),
    ],
)
def test_subtracting_working_days_skips_weekends_and_holidays(
    start: date, count: int, expected: date
) -> None:
    assert subtract_working_days(start, count) == expected
    if is_working_day(start):
        assert add_working_days(expected, count) == start


def test_working_days_until_counts_only_working_days() -> None:
    assert working_days_until(date(2026, 12, 23), date(2027, 1, 8)) == 10
    assert working_days_until(date(2027, 1, 8), date(2026, 12, 23)) == -10
    assert working_days_until(date(2026, 11, 25), date(2026, 11, 25)) == 0


def test_member_and_board_deadlines_are_derived_in_working_days() -> None:
    member, board = derived_deadlines(date(2027, 1, 8), member_offset=10, board_offset=3)
    assert (member, board) == (date(2026, 12, 23), date(2027, 1, 5))


@pytest.mark.parametrize(
    ("deadline", "done", "state"),
    [
        (date(2026, 11, 24), False, DeadlineState.OVERDUE),
        (date(2026, 11, 25), False, DeadlineState.DUE_SOON),
        (date(2026, 12, 2), False, DeadlineState.DUE_SOON),  # 5 working days ahead
        (date(2026, 12, 3), False, DeadlineState.OPEN),  # 6 working days ahead
        (date(2026, 11, 24), True, DeadlineState.DONE),
    ],
)
def test_traffic_light(deadline: date, done: bool, state: DeadlineState) -> None:
    assert deadline_state(deadline, today=date(2026, 11, 25), done=done) is state


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        subtract_working_days(date(2026, 11, 25), -1)
