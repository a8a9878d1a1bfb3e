"""The .ics export, parsed again with icalendar: events, Europe/Berlin times, stable UIDs."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from icalendar import Calendar
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import (
    Call,
    CallInvitee,
    DelegateRole,
    Forum,
    ForumDelegate,
    Meeting,
    Organisation,
    Role,
    id_of,
)
from exports.ics import build_calendar
from positions.core import settings
from positions.core.permissions import SYSTEM, Actor
from positions.forums import calendar, calls, meetings
from positions.forums.meetings import MeetingFields
from tests import factories

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)


def _forum_with_meeting_and_call(engine: Engine) -> tuple[Actor, int, int, int]:
    with write_session(engine) as session:
        staff = Actor.for_user(factories.user(session, Role.STAFF))
        org = factories.organisation(session)
        forum = factories.forum(session, staff, name="Transformationsdialog")
        session.add(
            ForumDelegate(forum_id=id_of(forum), user_id=staff.user_id, role=DelegateRole.DELEGATE)
        )
        meeting = meetings.create_meeting(
            session=session,
            actor=staff,
            forum_id=id_of(forum),
            fields=MeetingFields(
                title="Arbeitsgruppe",
                starts_at=datetime(2026, 12, 3, 9, tzinfo=UTC),
                ends_at=datetime(2026, 12, 3, 12, tzinfo=UTC),
                place="Berlin",
            ),
        )
        call = calls.create_call(
            session=session,
            actor=staff,
            forum=forum,
            title="Förderung",
            question="Was fordern Sie?",
            external_deadline=date(2027, 1, 8),
            invited_organisation_ids=[id_of(org)],
            now=NOW,
        )
        return staff, id_of(forum), id_of(meeting), id_of(call)


def _parse(data: bytes) -> dict[str, object]:
    parsed = Calendar.from_ical(data)
    return {str(e["UID"]): e for e in parsed.walk("VEVENT")}


def test_forum_calendar_round_trip(engine: Engine) -> None:
    staff, forum_id, meeting_id, call_id = _forum_with_meeting_and_call(engine)
    with read_session(engine) as session:
        events = calendar.events_for_forum(session=session, actor=staff, forum_id=forum_id, now=NOW)
        data = build_calendar(events, name="Verband – TDA", now=NOW)
    parsed = _parse(data)
    assert set(parsed) == {
        f"meeting-{meeting_id}@localhost",
        f"call-{call_id}-member@localhost",
        f"call-{call_id}-board@localhost",
        f"call-{call_id}-external@localhost",
    }
    meeting = parsed[f"meeting-{meeting_id}@localhost"]
    start = meeting["DTSTART"].dt  # type: ignore[index]
    assert str(start.tzinfo) == "Europe/Berlin" and (start.hour, start.minute) == (10, 0)
    assert meeting["LOCATION"] == "Berlin"  # type: ignore[index]
    member = parsed[f"call-{call_id}-member@localhost"]
    assert member["DTSTART"].dt == date(2026, 12, 23)  # type: ignore[index]
    assert member["DTEND"].dt == date(2026, 12, 24)  # type: ignore[index]
    assert b"BEGIN:VTIMEZONE" in data and b"TZID:Europe/Berlin" in data


def test_uids_are_stable_so_a_reimport_updates(engine: Engine) -> None:
    staff, forum_id, meeting_id, _ = _forum_with_meeting_and_call(engine)
    with read_session(engine) as session:
        before = _parse(
            build_calendar(
                calendar.events_for_forum(session=session, actor=staff, forum_id=forum_id, now=NOW),
                name="A",
            )
        )
    with write_session(engine) as session:
        meetings.update_meeting(
            session=session,
            actor=staff,
            meeting_id=meeting_id,
            fields=MeetingFields(
                title="Arbeitsgruppe (verschoben)", starts_at=datetime(2026, 12, 4, 9, tzinfo=UTC)
            ),
        )
    with read_session(engine) as session:
        after = _parse(
            build_calendar(
                calendar.events_for_forum(
                    session=session, actor=staff, forum_id=forum_id, now=NOW + timedelta(hours=1)
                ),
                name="A",
            )
        )
    assert set(before) == set(after)
    moved = after[f"meeting-{meeting_id}@localhost"]
    assert "verschoben" in str(moved["SUMMARY"])  # type: ignore[index]
    # The association moves the application to its own domain: the UIDs stay.
    with write_session(engine) as session:
        address = settings.association(session=session)
        settings.save_association(
            session=session,
            actor=SYSTEM,
            values=replace(address, base_url="https://positionen.verband.example"),
        )
    with read_session(engine) as session:
        moved_host = _parse(
            build_calendar(
                calendar.events_for_forum(session=session, actor=staff, forum_id=forum_id, now=NOW),
                name="A",
            )
        )
    assert set(moved_host) == set(before)


def test_members_get_only_their_member_deadlines(engine: Engine) -> None:
    _, _, _, call_id = _forum_with_meeting_and_call(engine)
    with write_session(engine) as session:
        invited = session.exec(select(CallInvitee.organisation_id)).one()
        contact = Actor.for_user(
            factories.user(session, Role.MEMBER, session.get(Organisation, invited))
        )
        events = calendar.events_for_person(session=session, actor=contact, now=NOW)
    assert [e.uid for e in events] == [f"call-{call_id}-member@localhost"]


def test_a_persons_calendar_holds_their_forums_and_follow_ups(engine: Engine) -> None:
    staff, _, meeting_id, call_id = _forum_with_meeting_and_call(engine)
    with write_session(engine) as session:
        follow_up = meetings.add_follow_up(
            session=session,
            actor=staff,
            meeting_id=meeting_id,
            text="Zahlen liefern",
            owner_id=staff.user_id,
            due_on=date(2026, 12, 10),
            now=NOW,
        )
        uids = {e.uid for e in calendar.events_for_person(session=session, actor=staff, now=NOW)}
    assert f"meeting-{meeting_id}@localhost" in uids
    assert f"call-{call_id}-board@localhost" in uids
    assert f"followup-{follow_up.id}@localhost" in uids


def test_line_breaks_and_control_characters_in_stored_texts_make_a_valid_calendar(
    engine: Engine,
) -> None:
    """Names stored before they were cleaned may hold CR LF or control characters; the
    calendar carries them as iCalendar allows (one line for names, escaped breaks else)."""
    staff, forum_id, meeting_id, call_id = _forum_with_meeting_and_call(engine)
    with write_session(engine) as session:
        for statement in (
            sa.update(Forum).where(col(Forum.id) == forum_id).values(short_name="TDA\r\nAG"),
            sa.update(Meeting)
            .where(col(Meeting.id) == meeting_id)
            .values(
                title="Arbeits\rgruppe\x07",
                place="Berlin,\r\nRaum 1",
                agenda="1. Begrüßung\r\n2. Zahlen\x0b3. Verschiedenes\x1b",
            ),
            sa.update(Call).where(col(Call.id) == call_id).values(title="Förder\nung"),
        ):
            session.exec(statement)
    with read_session(engine) as session:
        events = calendar.events_for_forum(session=session, actor=staff, forum_id=forum_id, now=NOW)
        name = calendar.calendar_name(session=session, forum_id=forum_id)
    data = build_calendar(events, name=name, now=NOW)
    assert b"\r\n".join(data.split(b"\r\n")) == data and b"\r" not in data.replace(b"\r\n", b"")
    assert not any(byte < 0x20 and byte not in b"\t\r\n" for byte in data)
    parsed_calendar = Calendar.from_ical(data)
    assert str(parsed_calendar["X-WR-CALNAME"]).endswith(" – TDA AG")
    parsed = _parse(data)
    meeting = parsed[f"meeting-{meeting_id}@localhost"]
    assert str(meeting["SUMMARY"]) == "TDA AG: Arbeits gruppe"  # type: ignore[index]
    assert str(meeting["LOCATION"]) == "Berlin, Raum 1"  # type: ignore[index]
    assert str(meeting["DESCRIPTION"]) == (  # type: ignore[index]
        "1. Begrüßung\n2. Zahlen\n3. Verschiedenes"
    )
    member = parsed[f"call-{call_id}-member@localhost"]
    assert str(member["SUMMARY"]).startswith("Mitgliederfrist: Förder ung")  # type: ignore[index]
