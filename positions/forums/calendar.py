"""Calendar entries for meetings, call deadlines and follow-ups, per forum or per person.

Each entry has a UID derived from what it is and its id, so importing the calendar again
updates the entries instead of duplicating them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from db.models import (
    Call,
    CallStatus,
    FollowUp,
    Forum,
    ForumDelegate,
    Meeting,
    MeetingAttendee,
    Role,
)
from positions.core import settings
from positions.core.clock import utcnow
from positions.core.permissions import Action, Actor, require, visible_call_ids

PAST_DAYS = 90


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    title: str
    start: datetime | date  # an aware datetime, or a date for an all-day entry
    end: datetime | date | None
    location: str = ""
    description: str = ""
    url: str = ""


def _domain(session: Session) -> str:
    return settings.calendar_domain(session=session)


def _meeting_event(meeting: Meeting, forum: Forum, domain: str) -> CalendarEvent:
    return CalendarEvent(
        uid=f"meeting-{meeting.id}@{domain}",
        title=f"{forum.short_name}: {meeting.title}",
        start=meeting.starts_at,
        end=meeting.ends_at or meeting.starts_at + timedelta(hours=2),
        location=meeting.place or meeting.online_url,
        description=meeting.agenda,
        url=meeting.online_url,
    )


def _deadline_events(
    call: Call, forum: Forum, domain: str, *, member_only: bool
) -> list[CalendarEvent]:
    kinds = [("member", "Mitgliederfrist", call.member_deadline)]
    if not member_only:
        kinds += [
            ("board", "Vorstandsfrist", call.board_deadline),
            ("external", "Externe Frist", call.external_deadline),
        ]
    return [
        CalendarEvent(
            uid=f"call-{call.id}-{key}@{domain}",
            title=f"{label}: {call.title} ({forum.short_name})",
            start=day,
            end=day + timedelta(days=1),
            description=call.question,
        )
        for key, label, day in kinds
    ]


def events_for_forum(
    *, session: Session, actor: Actor, forum_id: int, now: datetime | None = None
) -> list[CalendarEvent]:
    """Meetings and open calls' deadlines of one forum (members: their own deadlines only)."""
    forum = session.get(Forum, forum_id)
    if forum is None:
        return []
    require(actor, Action.FORUM_READ, forum, session=session)
    return _events(session=session, actor=actor, forum_ids={forum_id}, now=now)


def events_for_person(
    *, session: Session, actor: Actor, now: datetime | None = None
) -> list[CalendarEvent]:
    """The actor's own calendar: for people of the association the forums they represent us
    in (as delegate or substitute), the meetings they attend and their follow-ups; for
    member contacts the member deadlines of their calls."""
    require(actor, Action.CALL_READ)
    if not actor.acts_for_association:
        return _events(session=session, actor=actor, forum_ids=None, now=now)
    forum_ids = set(
        session.exec(
            select(ForumDelegate.forum_id).where(ForumDelegate.user_id == actor.user_id)
        ).all()
    )
    events = _events(session=session, actor=actor, forum_ids=forum_ids, now=now)
    attended = session.exec(
        select(Meeting, Forum)
        .join(Forum, col(Forum.id) == Meeting.forum_id)
        .join(MeetingAttendee, col(MeetingAttendee.meeting_id) == Meeting.id)
        .where(MeetingAttendee.user_id == actor.user_id, col(Meeting.forum_id).not_in(forum_ids))
    ).all()
    domain = _domain(session)
    events += [
        _meeting_event(m, f, domain)
        for m, f in attended
        if m.starts_at >= (now or utcnow()) - timedelta(days=PAST_DAYS)
    ]
    for follow_up, meeting, forum in session.exec(
        select(FollowUp, Meeting, Forum)
        .join(Meeting, col(Meeting.id) == FollowUp.meeting_id)
        .join(Forum, col(Forum.id) == Meeting.forum_id)
        .where(
            FollowUp.owner_id == actor.user_id,
            col(FollowUp.done_at).is_(None),
            col(FollowUp.due_on).is_not(None),
        )
    ).all():
        assert follow_up.due_on is not None
        events.append(
            CalendarEvent(
                uid=f"followup-{follow_up.id}@{domain}",
                title=f"Aufgabe: {follow_up.text[:80]} ({forum.short_name})",
                start=follow_up.due_on,
                end=follow_up.due_on + timedelta(days=1),
                description=f"Aus der Sitzung „{meeting.title}“:\n{follow_up.text}",
            )
        )
    return sorted(events, key=_sort_key)


def events_for_association(
    *, session: Session, actor: Actor, now: datetime | None = None
) -> list[CalendarEvent]:
    """All forums' meetings and deadlines, for the policy office's shared calendar."""
    require(actor, Action.DEADLINES_READ)
    return _events(session=session, actor=actor, forum_ids=None, now=now)


def _events(
    *, session: Session, actor: Actor, forum_ids: set[int] | None, now: datetime | None
) -> list[CalendarEvent]:
    now = now or utcnow()
    domain = _domain(session)
    events: list[CalendarEvent] = []
    member = not actor.acts_for_association
    call_query = select(Call, Forum).join(Forum).where(Call.status == CallStatus.OPEN)
    if forum_ids is not None:
        call_query = call_query.where(col(Call.forum_id).in_(forum_ids))
    if member:
        call_query = call_query.where(col(Call.id).in_(visible_call_ids(actor, session=session)))
    for call, forum in session.exec(call_query).all():
        events += _deadline_events(call, forum, domain, member_only=member)
    if not member:
        meeting_query = (
            select(Meeting, Forum)
            .join(Forum)
            .where(Meeting.starts_at >= now - timedelta(days=PAST_DAYS))
        )
        if forum_ids is not None:
            meeting_query = meeting_query.where(col(Meeting.forum_id).in_(forum_ids))
        events += [_meeting_event(m, f, domain) for m, f in session.exec(meeting_query).all()]
    return sorted(events, key=_sort_key)


def _sort_key(event: CalendarEvent) -> tuple[str, str]:
    start = (
        event.start
        if isinstance(event.start, datetime)
        else datetime.combine(event.start, datetime.min.time())
    )
    return (start.strftime("%Y%m%d%H%M"), event.uid)


def calendar_name(
    *, session: Session, forum_id: int | None = None, person: Actor | None = None
) -> str:
    association = settings.association(session=session).name
    if forum_id is not None:
        forum = session.get(Forum, forum_id)
        return f"{association} – {forum.short_name if forum else 'Forum'}"
    if person is not None and person.role != Role.MEMBER:
        return f"{association} – {person.name}"
    return f"{association} – Fristen"
