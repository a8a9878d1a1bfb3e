"""Working-day arithmetic for deadlines: Monday to Friday without public holidays in NRW."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from functools import cache

import holidays

DUE_SOON_WORKING_DAYS = 5
SUBDIVISION = "NW"  # Nordrhein-Westfalen: Fronleichnam and Allerheiligen are holidays here


@cache
def _holidays(year: int) -> holidays.HolidayBase:
    # One object per year, never expanded later: lookups stay read-only across threads.
    return holidays.country_holidays(
        "DE", subdiv=SUBDIVISION, years=year, expand=False, language="de"
    )


def holiday_name(day: date) -> str | None:
    """The German name of the public holiday on `day` in NRW, if it is one."""
    name = _holidays(day.year).get(day)
    return str(name) if name else None


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def subtract_working_days(day: date, count: int) -> date:
    """The working day `count` working days before `day` (`day` itself for 0)."""
    if count < 0:
        raise ValueError("count must not be negative")
    while count:
        day -= timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def add_working_days(day: date, count: int) -> date:
    """The working day `count` working days after `day` (`day` itself for 0)."""
    if count < 0:
        raise ValueError("count must not be negative")
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_days_until(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is earlier)."""
    if end < start:
        return -working_days_until(end, start)
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if is_working_day(start + timedelta(days=offset))
    )


def derived_deadlines(
    external: date, *, member_offset: int, board_offset: int
) -> tuple[date, date]:
    """The internal member deadline and the board deadline for an external deadline."""
    return (
        subtract_working_days(external, member_offset),
        subtract_working_days(external, board_offset),
    )


class DeadlineState(StrEnum):
    OPEN = "open"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    DONE = "done"


def deadline_state(deadline: date, *, today: date, done: bool = False) -> DeadlineState:
    """Traffic light: done, overdue, due within five working days, or open."""
    if done:
        return DeadlineState.DONE
    if deadline < today:
        return DeadlineState.OVERDUE
    if working_days_until(today, deadline) <= DUE_SOON_WORKING_DAYS:
        return DeadlineState.DUE_SOON
    return DeadlineState.OPEN
