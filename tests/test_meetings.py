from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import Meeting, Role, id_of
from positions.core.clock import today_in_berlin
from positions.core.errors import InvalidInput, PermissionDenied
from positions.forums import meetings
from positions.forums.meetings import MeetingFields
from tests import factories

START = datetime(2027, 2, 3, 9, tzinfo=UTC)


def test_a_meeting_with_agenda_attendees_and_minutes(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        board = factories.user(session, Role.BOARD)
        forum = factories.forum(session, staff)
        meeting = meetings.create_meeting(
            session=session,
            actor=staff,
            forum_id=id_of(forum),
            fields=MeetingFields(
                title="Arbeitsgruppe Förderung",
                starts_at=START,
                ends_at=START + timedelta(hours=3),
                place="Berlin",
                agenda="1. Begrüßung\n\n2. Förderaufrufe\n",
                attendee_ids=(staff.user_id, id_of(board)),
            ),
        )
        meetings.record_minutes(
            session=session,
            actor=staff,
            meeting_id=id_of(meeting),
            minutes="Beschlossen: Stellungnahme bis März.",
        )
    with read_session(engine) as session:
        detail = meetings.meeting_detail(session=session, actor=staff, meeting_id=id_of(meeting))
    assert detail.agenda_items == ["1. Begrüßung", "2. Förderaufrufe"]
    assert {a.id for a in detail.attendees} == {staff.user_id, board.id}
    assert detail.meeting.minutes == "Beschlossen: Stellungnahme bis März."


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (MeetingFields(title="Sitzung", starts_at=None), "Datum und Uhrzeit"),
        (MeetingFields(title=" ", starts_at=START), "Titel"),
        (MeetingFields(title="S", starts_at=START, ends_at=START - timedelta(hours=1)), "Ende"),
        (MeetingFields(title="S", starts_at=START, attendee_ids=(999,)), "Personen des Verbands"),
        (MeetingFields(title="S", starts_at=START, online_url="meet.example"), "https://"),
    ],
)
def test_bad_meetings_are_refused_and_nothing_is_stored(
    engine: Engine, fields: MeetingFields, message: str
) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        forum = factories.forum(session, staff)
    with pytest.raises(InvalidInput, match=message), write_session(engine) as session:
        meetings.create_meeting(session=session, actor=staff, forum_id=id_of(forum), fields=fields)
    with read_session(engine) as session:
        assert session.exec(select(Meeting)).all() == []


def test_follow_ups_show_for_their_owner_until_done(engine: Engine) -> None:
    today = today_in_berlin()
    with write_session(engine) as session:
        staff = factories.actor(session)
        owner_user = factories.user(session, Role.STAFF)
        forum = factories.forum(session, staff)
        meeting = meetings.create_meeting(
            session=session,
            actor=staff,
            forum_id=id_of(forum),
            fields=MeetingFields(title="S", starts_at=START),
        )
        later = meetings.add_follow_up(
            session=session,
            actor=staff,
            meeting_id=id_of(meeting),
            text="Zahlen an BMWi",
            owner_id=id_of(owner_user),
            due_on=today + timedelta(days=9),
        )
        sooner = meetings.add_follow_up(
            session=session,
            actor=staff,
            meeting_id=id_of(meeting),
            text="Protokoll prüfen",
            owner_id=id_of(owner_user),
            due_on=today + timedelta(days=2),
        )
        with pytest.raises(InvalidInput, match="Vergangenheit"):
            meetings.add_follow_up(
                session=session,
                actor=staff,
                meeting_id=id_of(meeting),
                text="Zu spät",
                owner_id=id_of(owner_user),
                due_on=date(2020, 1, 1),
            )
        with pytest.raises(InvalidInput, match="wer die Aufgabe"):
            meetings.add_follow_up(
                session=session,
                actor=staff,
                meeting_id=id_of(meeting),
                text="Niemand",
                owner_id=None,
                due_on=None,
            )
    with read_session(engine) as session:
        mine = meetings.open_follow_ups(session=session, actor=staff, owner_id=owner_user.id)
    assert [i.follow_up.id for i in mine] == [sooner.id, later.id]
    with write_session(engine) as session:
        meetings.set_follow_up_done(
            session=session, actor=staff, follow_up_id=id_of(sooner), done=True
        )
    with read_session(engine) as session:
        mine = meetings.open_follow_ups(session=session, actor=staff, owner_id=owner_user.id)
    assert [i.follow_up.id for i in mine] == [later.id]


def test_members_neither_see_nor_plan_meetings(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        member = factories.actor(session, Role.MEMBER)
        forum = factories.forum(session, staff)
        meeting = meetings.create_meeting(
            session=session,
            actor=staff,
            forum_id=id_of(forum),
            fields=MeetingFields(title="S", starts_at=START),
        )
        with pytest.raises(PermissionDenied):
            meetings.meeting_detail(session=session, actor=member, meeting_id=id_of(meeting))
        with pytest.raises(PermissionDenied):
            meetings.create_meeting(
                session=session,
                actor=member,
                forum_id=id_of(forum),
                fields=MeetingFields(title="S", starts_at=START),
            )
