from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import (
    Call,
    CallInvitee,
    CallStatus,
    ForumMember,
    PaperStatus,
    Role,
    StatementStatus,
    id_of,
)
from positions.core.clock import today_in_berlin
from positions.core.errors import InvalidInput, PermissionDenied
from positions.core.working_days import DeadlineState
from positions.forums import calls
from tests import factories

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)


def test_member_and_board_deadlines_are_derived_from_the_forum_offsets(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        forum = factories.forum(session, staff)
        forum.member_deadline_offset, forum.board_deadline_offset = 10, 3
        call = calls.create_call(
            session=session,
            actor=staff,
            forum=forum,
            title="Aufruf",
            question="Frage?",
            external_deadline=date(2027, 1, 8),
            now=NOW,
        )
    assert call.member_deadline == date(2026, 12, 23)
    assert call.board_deadline == date(2027, 1, 5)
    assert not call.member_deadline_overridden and not call.board_deadline_overridden


def test_a_hand_set_deadline_is_kept_and_marked_as_overridden(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        call = calls.create_call(
            session=session,
            actor=staff,
            forum=factories.forum(session, staff),
            title="Aufruf",
            question="",
            external_deadline=date(2027, 1, 8),
            member_deadline=date(2026, 12, 18),
            now=NOW,
        )
    assert call.member_deadline == date(2026, 12, 18) and call.member_deadline_overridden
    assert not call.board_deadline_overridden


@pytest.mark.parametrize(
    ("external", "member", "board", "message"),
    [
        (date(2026, 11, 24), None, None, "Vergangenheit"),
        (date(2027, 1, 8), date(2027, 1, 11), None, "Mitgliederfrist .* liegt nach"),
        (date(2027, 1, 8), None, date(2027, 1, 9), "Vorstandsfrist .* liegt nach der externen"),
    ],
)
def test_impossible_deadlines_are_refused_and_nothing_is_stored(
    engine: Engine, external: date, member: date | None, board: date | None, message: str
) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        forum = factories.forum(session, staff)
        member_org = factories.organisation(session)
    with pytest.raises(InvalidInput, match=message), write_session(engine) as session:
        calls.create_call(
            session=session,
            actor=staff,
            forum=forum,
            title="Aufruf",
            question="",
            external_deadline=external,
            member_deadline=member,
            board_deadline=board,
            invited_organisation_ids=[id_of(member_org)],
            now=NOW,
        )
    with read_session(engine) as session:
        assert session.exec(select(Call)).all() == []
        assert session.exec(select(CallInvitee)).all() == []


def test_empty_titles_and_members_are_refused(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        forum = factories.forum(session, staff)
        with pytest.raises(InvalidInput, match="Titel"):
            calls.create_call(
                session=session,
                actor=staff,
                forum=forum,
                title="  ",
                question="",
                external_deadline=date(2027, 1, 8),
            )
        member = factories.actor(session, Role.MEMBER)
        with pytest.raises(PermissionDenied):
            calls.create_call(
                session=session,
                actor=member,
                forum=forum,
                title="X",
                question="",
                external_deadline=date(2027, 1, 8),
            )


def test_open_calls_and_counts_of_answers(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        orgs = [factories.organisation(session) for _ in range(4)]
        call = factories.call(session, staff, factories.forum(session, staff), invited=orgs)
        factories.statement(session, call, id_of(orgs[0]))
        factories.statement(session, call, id_of(orgs[1]), status=StatementStatus.DRAFT)
    with read_session(engine) as session:
        [summary] = calls.open_calls(session=session, actor=staff)
    assert (summary.answered, summary.invited) == (1, 4)
    assert [d.kind for d in summary.deadlines] == [
        "Mitgliederfrist",
        "Vorstandsfrist",
        "Externe Frist",
    ]
    assert summary.next_deadline is not None
    assert summary.next_deadline.kind == "Mitgliederfrist"


def test_members_see_their_own_deadline_and_statement_status(engine: Engine) -> None:
    today = today_in_berlin()
    with write_session(engine) as session:
        staff = factories.actor(session)
        org = factories.organisation(session)
        member = factories.actor(session, Role.MEMBER, org)
        forum = factories.forum(session, staff)
        soon = factories.call(
            session, staff, forum, invited=[org], external_deadline=today + timedelta(days=20)
        )
        factories.call(
            session, staff, forum, invited=[org], external_deadline=today + timedelta(days=90)
        )
        factories.call(session, staff, forum)  # not invited
        factories.statement(session, soon, id_of(org), status=StatementStatus.DRAFT)
    with read_session(engine) as session:
        mine = calls.calls_for_member(session=session, actor=member, today=today)
    assert [m.call.id for m in mine] == [soon.id, mine[1].call.id]
    assert mine[0].statement_status is StatementStatus.DRAFT
    assert mine[1].statement_status is None
    assert mine[0].member_deadline.kind == "Mitgliederfrist"
    assert mine[0].member_deadline.state in {DeadlineState.OPEN, DeadlineState.DUE_SOON}


def test_changing_a_call_derives_the_deadlines_again_unless_set_by_hand(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        call = calls.create_call(
            session=session,
            actor=staff,
            forum=factories.forum(session, staff),
            title="Aufruf",
            question="",
            external_deadline=date(2027, 1, 8),
            now=NOW,
        )
        calls.update_call(
            session=session,
            actor=staff,
            call_id=id_of(call),
            title="Neu",
            question="Frage",
            external_deadline=date(2027, 2, 5),
            now=NOW,
        )
        assert (call.member_deadline, call.board_deadline) == (date(2027, 1, 22), date(2027, 2, 2))
        calls.update_call(
            session=session,
            actor=staff,
            call_id=id_of(call),
            title="Neu",
            question="Frage",
            external_deadline=date(2027, 2, 5),
            board_deadline=date(2027, 2, 1),
            now=NOW,
        )
        assert call.board_deadline_overridden and not call.member_deadline_overridden
        with pytest.raises(InvalidInput, match="liegt nach der externen"):
            calls.update_call(
                session=session,
                actor=staff,
                call_id=id_of(call),
                title="Neu",
                question="",
                external_deadline=date(2027, 2, 5),
                board_deadline=date(2027, 2, 8),
                now=NOW,
            )


@pytest.mark.parametrize(
    ("paper_status", "states"),
    [
        (None, ["done", "overdue", "due_soon"]),
        (PaperStatus.APPROVED, ["done", "done", "due_soon"]),
        (PaperStatus.SUBMITTED, ["done", "done", "done"]),
    ],
)
def test_deadline_states_follow_the_paper(
    paper_status: PaperStatus | None, states: list[str]
) -> None:
    call = Call(
        forum_id=1,
        title="A",
        external_deadline=date(2026, 11, 27),
        member_deadline=date(2026, 11, 10),
        board_deadline=date(2026, 11, 24),
        status=CallStatus.OPEN,
    )
    deadlines = calls.deadlines_of(call, today=date(2026, 11, 25), paper_status=paper_status)
    assert [d.state.value for d in deadlines] == states


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        (calls.Audience.ALL_MEMBERS, 3),
        (calls.Audience.FORUM_MEMBERS, 1),
        (calls.Audience.PICKED, 2),
    ],
)
def test_audiences(engine: Engine, audience: calls.Audience, expected: int) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        orgs = [factories.organisation(session) for _ in range(3)]
        forum = factories.forum(session, staff)
        session.add(ForumMember(forum_id=id_of(forum), organisation_id=id_of(orgs[0])))
        ids = calls.audience_ids(
            session=session,
            actor=staff,
            audience=audience,
            forum_id=id_of(forum),
            picked=[id_of(orgs[1]), id_of(orgs[2])],
        )
    assert len(ids) == expected
