from datetime import UTC, date, datetime, timedelta

from sqlalchemy.engine import Engine

from db.engine import write_session
from db.models import DelegateRole, ForumDelegate, Role, id_of
from positions.core.permissions import Actor
from positions.core.working_days import DeadlineState
from positions.forums import calls, dashboard, meetings
from positions.forums.meetings import MeetingFields
from tests import factories

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)
TODAY = date(2026, 11, 25)


def test_the_dashboard_lists_deadlines_and_follow_ups_soonest_first(engine: Engine) -> None:
    with write_session(engine) as session:
        staff_user = factories.user(session, Role.STAFF)
        staff = Actor.for_user(staff_user)
        other = factories.user(session, Role.STAFF)
        tda, zld = factories.forum(session, staff), factories.forum(session, staff)
        session.add(
            ForumDelegate(
                forum_id=id_of(tda), user_id=id_of(staff_user), role=DelegateRole.DELEGATE
            )
        )
        session.add(
            ForumDelegate(forum_id=id_of(zld), user_id=id_of(other), role=DelegateRole.DELEGATE)
        )
        soon = calls.create_call(
            session=session,
            actor=staff,
            forum=tda,
            title="Bald",
            question="",
            external_deadline=date(2026, 12, 9),
            now=NOW,
        )
        calls.create_call(
            session=session,
            actor=staff,
            forum=zld,
            title="Später",
            question="",
            external_deadline=date(2027, 1, 15),
            now=NOW,
        )
        calls.create_call(
            session=session,
            actor=staff,
            forum=zld,
            title="Weit weg",
            question="",
            external_deadline=date(2027, 6, 1),
            now=NOW,
        )
        meeting = meetings.create_meeting(
            session=session,
            actor=staff,
            forum_id=id_of(zld),
            fields=MeetingFields(title="S", starts_at=NOW),
        )
        meetings.add_follow_up(
            session=session,
            actor=staff,
            meeting_id=id_of(meeting),
            text="Zahlen liefern",
            owner_id=id_of(other),
            due_on=date(2026, 11, 27),
            now=NOW,
        )
        items = dashboard.due_items(session=session, actor=staff, today=TODAY)
        mine = dashboard.due_items(
            session=session, actor=staff, today=TODAY, person_id=staff_user.id
        )
        theirs = dashboard.due_items(session=session, actor=staff, today=TODAY, person_id=other.id)
        only_tda = dashboard.due_items(
            session=session, actor=staff, today=TODAY, forum_id=id_of(tda)
        )
    days = [i.day for i in items]
    assert days == sorted(days)
    assert all(i.day <= TODAY + timedelta(weeks=8) for i in items)
    assert "Weit weg" not in {i.title for i in items}
    # The member deadline of "Bald" (10 working days before 9 Dec) is today.
    first = items[0]
    assert (first.title, first.kind, first.state) == (
        "Bald",
        "Mitgliederfrist",
        DeadlineState.DUE_SOON,
    )
    follow_up = next(i for i in items if i.kind == dashboard.FOLLOW_UP)
    assert follow_up.responsible == (other.name,)
    assert {i.title for i in mine} == {"Bald"}
    assert {i.title for i in theirs} == {"Später", "Zahlen liefern"}
    assert {i.call_id for i in only_tda} == {soon.id}


def test_passed_member_deadlines_are_done_and_missed_board_deadlines_overdue(
    engine: Engine,
) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        forum = factories.forum(session, staff)
        call = calls.create_call(
            session=session,
            actor=staff,
            forum=forum,
            title="Knapp",
            question="",
            external_deadline=date(2026, 12, 2),
            now=NOW,
        )
        later = TODAY + timedelta(days=6)  # after member (18 Nov) and board (27 Nov) deadline
        items = dashboard.due_items(session=session, actor=staff, today=later)
    states = {i.kind: i.state for i in items if i.call_id == call.id}
    assert states == {
        "Vorstandsfrist": DeadlineState.OVERDUE,
        "Externe Frist": DeadlineState.DUE_SOON,
    }
