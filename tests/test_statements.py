import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import (
    AuditEvent,
    Point,
    Role,
    Statement,
    StatementSource,
    StatementStatus,
    StatementVersion,
    Visibility,
    id_of,
)
from positions.core.errors import InvalidInput, NotFound, PermissionDenied, StaleEdit
from positions.core.permissions import Actor
from positions.statements import statements
from tests import factories

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)
TEXT = (
    "Unsere Forderungen:\n\n"
    "- Förderprogramme für Zulieferer vereinfachen\n"
    "- Strompreise für den Mittelstand senken\n\n"
    "Wir bitten um Berücksichtigung."
)


def _setup(engine: Engine) -> tuple[Actor, Actor, int, int]:
    """Staff, a member contact, the call (member deadline 23 Dec 2026) and the member's org."""
    with write_session(engine) as session:
        staff = factories.actor(session)
        org = factories.organisation(session, "Bergische Umformtechnik GmbH")
        member = Actor.for_user(factories.user(session, Role.MEMBER, org, password=None))
        call = factories.call(
            session,
            staff,
            factories.forum(session, staff),
            external_deadline=date(2027, 1, 8),
            invited=[org],
        )
        return staff, member, id_of(call), id_of(org)


def _save(
    engine: Engine,
    actor: Actor,
    call_id: int,
    *,
    text: str = TEXT,
    visibility: Visibility = Visibility.NAMED,
    submit: bool = False,
    expected: int | None = None,
    now: datetime = NOW,
    **more: Any,
) -> Statement:
    with write_session(engine) as session:
        return statements.save_statement(
            session=session,
            actor=actor,
            call_id=call_id,
            text_input=text,
            visibility=visibility,
            submit=submit,
            expected_version=expected,
            now=now,
            **more,
        )


def test_draft_submit_and_resubmit_keep_every_version_and_split_points(engine: Engine) -> None:
    _, member, call_id, _ = _setup(engine)
    draft = _save(engine, member, call_id)
    assert draft.status is StatementStatus.DRAFT and draft.version == 1
    submitted = _save(
        engine, member, call_id, submit=True, expected=1, visibility=Visibility.ANONYMOUS
    )
    assert submitted.status is StatementStatus.SUBMITTED and submitted.submitted_at == NOW
    changed = _save(
        engine,
        member,
        call_id,
        text=TEXT + "\n\nNeu: Bürokratie abbauen.",
        submit=True,
        expected=2,
        visibility=Visibility.ANONYMOUS,
    )
    assert changed.version == 3
    with read_session(engine) as session:
        versions = statements.history(session=session, actor=member, statement_id=id_of(changed))
        points = session.exec(
            select(Point).where(Point.statement_id == changed.id).order_by(col(Point.position))
        ).all()
        actions = [
            e.action
            for e in session.exec(
                select(AuditEvent).where(AuditEvent.object_type == "statement")
            ).all()
        ]
    assert [v.version for v in versions] == [3, 2, 1]
    assert versions[-1].text == TEXT and versions[-1].status is StatementStatus.DRAFT
    texts = [p.text for p in points]
    assert "Förderprogramme für Zulieferer vereinfachen" in texts
    assert "Strompreise für den Mittelstand senken" in texts
    assert all(p.norm_hash for p in points)
    assert actions == ["create", "submit", "permission", "submit"]


def test_line_breaks_are_kept_and_html_is_stored_as_plain_text(engine: Engine) -> None:
    _, member, call_id, _ = _setup(engine)
    text = "Erster Absatz\r\nzweite Zeile\n\n<script>alert('x')</script> & <b>fett</b>\x00"
    saved = _save(engine, member, call_id, text=text)
    assert saved.text == "Erster Absatz\nzweite Zeile\n\n<script>alert('x')</script> & <b>fett</b>"


@pytest.mark.parametrize(
    ("text", "message"),
    [("   \n  ", "leer"), ("x" * 100_001, "zu lang")],
)
def test_empty_and_oversized_statements_are_refused(
    engine: Engine, text: str, message: str
) -> None:
    _, member, call_id, _ = _setup(engine)
    with pytest.raises(InvalidInput, match=message):
        _save(engine, member, call_id, text=text)
    with read_session(engine) as session:
        assert session.exec(select(Statement)).all() == []


def test_after_the_member_deadline_members_can_no_longer_change_anything(
    engine: Engine,
) -> None:
    _, member, call_id, _ = _setup(engine)
    saved = _save(engine, member, call_id, submit=True)
    late = datetime(2026, 12, 24, 9, tzinfo=UTC)  # the day after the member deadline
    with pytest.raises(InvalidInput, match="abgelaufen"):
        _save(engine, member, call_id, text="Nachtrag", expected=1, now=late)
    with (
        pytest.raises(InvalidInput, match="nicht mehr zurückgezogen"),
        write_session(engine) as session,
    ):
        statements.withdraw_statement(
            session=session, actor=member, statement_id=id_of(saved), expected_version=1, now=late
        )
    with read_session(engine) as session:
        stored = session.get(Statement, saved.id)
        assert stored is not None and stored.text == TEXT and stored.version == 1


def test_a_stale_tab_cannot_overwrite_a_newer_save(engine: Engine) -> None:
    _, member, call_id, _ = _setup(engine)
    _save(engine, member, call_id)
    _save(engine, member, call_id, text="Fassung aus Tab A", expected=1)
    with pytest.raises(StaleEdit, match="anderen Fenster"):
        _save(engine, member, call_id, text="Fassung aus Tab B", expected=1)
    with pytest.raises(StaleEdit):  # tab B had the form open before anything was saved
        _save(engine, member, call_id, text="Neu aus Tab B", expected=None)
    with read_session(engine) as session:
        [stored] = session.exec(select(Statement)).all()
        assert stored.text == "Fassung aus Tab A" and stored.version == 2


def test_two_tabs_saving_at_the_same_time_lose_no_update(engine: Engine) -> None:
    _, member, call_id, _ = _setup(engine)
    _save(engine, member, call_id)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def save(label: str) -> None:
        barrier.wait()
        try:
            _save(engine, member, call_id, text=f"Fassung {label}", expected=1)
            outcomes.append("saved")
        except StaleEdit:
            outcomes.append("stale")

    threads = [threading.Thread(target=save, args=(label,)) for label in "AB"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["saved", "stale"]
    with read_session(engine) as session:
        versions = session.exec(select(StatementVersion)).all()
        assert sorted(v.version for v in versions) == [1, 2]


def test_staff_record_a_statement_on_behalf_with_its_source(engine: Engine) -> None:
    staff, _, call_id, org_id = _setup(engine)
    with pytest.raises(InvalidInput, match="von wem und wann"):
        _save(
            engine,
            staff,
            call_id,
            organisation_id=org_id,
            source=StatementSource.PHONE,
            submit=True,
        )
    saved = _save(
        engine,
        staff,
        call_id,
        organisation_id=org_id,
        source=StatementSource.PHONE,
        source_note="Telefonat mit Herrn Merten am 24.11.",
        submit=True,
        now=NOW + timedelta(days=40),
    )  # after the member deadline: staff may
    assert saved.source is StatementSource.PHONE and saved.status is StatementStatus.SUBMITTED
    with write_session(engine) as session:
        other = factories.organisation(session)
    with pytest.raises(InvalidInput, match="nicht eingeladen"):
        _save(
            engine,
            staff,
            call_id,
            organisation_id=id_of(other),
            source=StatementSource.LETTER,
            source_note="Brief",
        )


def test_who_may_read_a_statement(engine: Engine) -> None:
    staff, member, call_id, _ = _setup(engine)
    saved = _save(engine, member, call_id, visibility=Visibility.INTERNAL, submit=True)
    with write_session(engine) as session:
        board = factories.actor(session, Role.BOARD)
        competitor = factories.actor(session, Role.MEMBER)
        statements.get_statement(session=session, actor=staff, statement_id=id_of(saved))
        statements.get_statement(session=session, actor=member, statement_id=id_of(saved))
        for outsider in (board, competitor):
            with pytest.raises(PermissionDenied):
                statements.get_statement(session=session, actor=outsider, statement_id=id_of(saved))
        assert statements.statements_of_call(session=session, actor=board, call_id=call_id) == []
        assert (
            len(statements.statements_of_call(session=session, actor=staff, call_id=call_id)) == 1
        )


def test_withdrawing_keeps_the_text_but_marks_it(engine: Engine) -> None:
    _, member, call_id, _ = _setup(engine)
    saved = _save(engine, member, call_id, submit=True)
    with write_session(engine) as session:
        withdrawn = statements.withdraw_statement(
            session=session, actor=member, statement_id=id_of(saved), expected_version=1, now=NOW
        )
    assert withdrawn.status is StatementStatus.WITHDRAWN and withdrawn.text == TEXT


def _board_and_competitor(engine: Engine) -> tuple[Actor, Actor]:
    with write_session(engine) as session:
        return factories.actor(session, Role.BOARD), factories.actor(session, Role.MEMBER)


def test_history_shows_each_version_only_to_whom_it_was_readable_when_saved(
    engine: Engine,
) -> None:
    staff, member, call_id, _ = _setup(engine)
    board, _ = _board_and_competitor(engine)
    _save(engine, member, call_id, text="ENTWURFSTEXT")
    _save(
        engine,
        member,
        call_id,
        text="INTERNER TEXT",
        visibility=Visibility.INTERNAL,
        submit=True,
        expected=1,
    )
    saved = _save(engine, member, call_id, text="NAMENTLICHER TEXT", submit=True, expected=2)

    def texts(reader: Actor) -> list[str]:
        with read_session(engine) as session:
            versions = statements.history(session=session, actor=reader, statement_id=id_of(saved))
        return [v.text for v in versions]

    assert texts(member) == ["NAMENTLICHER TEXT", "INTERNER TEXT", "ENTWURFSTEXT"]
    assert texts(staff) == ["NAMENTLICHER TEXT", "INTERNER TEXT"]
    assert texts(board) == ["NAMENTLICHER TEXT"]


def test_a_members_draft_from_a_word_upload_stays_with_its_organisation(engine: Engine) -> None:
    staff, member, call_id, _ = _setup(engine)
    board, _ = _board_and_competitor(engine)
    draft = _save(engine, member, call_id, source=StatementSource.UPLOAD)
    assert draft.status is StatementStatus.DRAFT
    with read_session(engine) as session:
        statements.get_statement(session=session, actor=member, statement_id=id_of(draft))
        for reader in (staff, board):
            with pytest.raises(NotFound):
                statements.get_statement(session=session, actor=reader, statement_id=id_of(draft))
            assert (
                statements.statements_of_call(session=session, actor=reader, call_id=call_id) == []
            )
            assert statements.export_rows(session=session, actor=reader, call_id=call_id) == []
            [row] = statements.answer_table(session=session, actor=reader, call_id=call_id, now=NOW)
            assert row.statement is None and row.status == "eingeladen" and not row.readable
            assert (row.visibility, row.updated, row.points) == (None, None, None)


def test_a_member_draft_after_a_submission_takes_it_back_from_the_association(
    engine: Engine,
) -> None:
    staff, member, call_id, _ = _setup(engine)
    _save(engine, member, call_id, text="EINGEREICHT", submit=True)
    draft = _save(engine, member, call_id, text="NEUER ENTWURF", expected=1)
    with read_session(engine) as session:
        with pytest.raises(NotFound):
            statements.history(session=session, actor=staff, statement_id=id_of(draft))
        [row] = statements.answer_table(session=session, actor=staff, call_id=call_id, now=NOW)
    assert row.statement is None and row.status == "eingeladen"


def test_staff_see_the_drafts_they_recorded_on_a_members_behalf(engine: Engine) -> None:
    staff, member, call_id, org_id = _setup(engine)
    board, _ = _board_and_competitor(engine)
    _save(engine, member, call_id, text="ENTWURF DES MITGLIEDS")
    recorded = _save(
        engine,
        staff,
        call_id,
        text="VOM REFERAT ERFASST",
        organisation_id=org_id,
        source=StatementSource.UPLOAD,
        expected=1,
    )
    assert recorded.status is StatementStatus.DRAFT
    with read_session(engine) as session:
        shown = statements.get_statement(session=session, actor=staff, statement_id=id_of(recorded))
        assert shown.text == "VOM REFERAT ERFASST"
        versions = statements.history(session=session, actor=staff, statement_id=id_of(recorded))
        assert [v.text for v in versions] == ["VOM REFERAT ERFASST"]
        [row] = statements.answer_table(session=session, actor=staff, call_id=call_id, now=NOW)
        assert row.readable and row.status == "Entwurf"
        # The board approves what members handed in, not the office's unfinished records.
        with pytest.raises(NotFound):
            statements.get_statement(session=session, actor=board, statement_id=id_of(recorded))


def test_a_withdrawn_statement_is_listed_without_its_text(engine: Engine) -> None:
    staff, member, call_id, _ = _setup(engine)
    board, _ = _board_and_competitor(engine)
    saved = _save(engine, member, call_id, submit=True)
    with write_session(engine) as session:
        statements.withdraw_statement(
            session=session, actor=member, statement_id=id_of(saved), expected_version=1, now=NOW
        )
    with read_session(engine) as session:
        for reader in (staff, board):
            with pytest.raises(PermissionDenied, match="zurückgezogen"):
                statements.get_statement(session=session, actor=reader, statement_id=id_of(saved))
            [row] = statements.answer_table(session=session, actor=reader, call_id=call_id, now=NOW)
            assert row.status == "zurückgezogen" and row.statement is None and row.points == 0
            assert "zurückgezogen" in row.note or reader is board
        assert (
            len(statements.history(session=session, actor=member, statement_id=id_of(saved))) == 2
        )


def test_a_draft_withdrawn_before_it_was_ever_submitted_stays_unknown(engine: Engine) -> None:
    staff, member, call_id, _ = _setup(engine)
    draft = _save(engine, member, call_id)
    with write_session(engine) as session:
        statements.withdraw_statement(
            session=session, actor=member, statement_id=id_of(draft), expected_version=1, now=NOW
        )
    with read_session(engine) as session:
        [row] = statements.answer_table(session=session, actor=staff, call_id=call_id, now=NOW)
        assert row.statement is None and row.status == "eingeladen"
        assert statements.export_rows(session=session, actor=staff, call_id=call_id) == []


@pytest.mark.parametrize("visibility", list(Visibility))
def test_the_board_sees_in_the_answer_table_where_answers_stand_and_nothing_more(
    engine: Engine, visibility: Visibility
) -> None:
    """Board members run competing companies: beside a company's name, a text (or which rows
    hide theirs, or their use permission, or the minute of a change) would tell them who
    said what anonymously. They read texts in search and export, without hidden names."""
    staff, member, call_id, _ = _setup(engine)
    board, _ = _board_and_competitor(engine)
    saved = _save(engine, member, call_id, submit=True, visibility=visibility)
    with read_session(engine) as session:
        [row] = statements.answer_table(session=session, actor=board, call_id=call_id, now=NOW)
        assert row.status == "eingereicht" and row.statement is None and row.points == 0
        assert row.visibility is None and row.updated is None
        assert row.note == statements.OUTSIDE_THE_OFFICE
        assert statements.shown_with_name(board, saved) is (visibility == Visibility.NAMED)
        [office] = statements.answer_table(session=session, actor=staff, call_id=call_id, now=NOW)
        assert office.statement is not None and office.statement.text == saved.text
        assert office.visibility == visibility
        assert statements.shown_with_name(staff, saved)
        assert statements.shown_with_name(member, saved)
