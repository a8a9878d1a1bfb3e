"""Meetings of a forum: agenda, who of us attends, minutes, and follow-ups with an owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from db.models import (
    Document,
    FollowUp,
    Forum,
    Meeting,
    MeetingAttendee,
    Role,
    User,
    WorkingGroup,
    id_of,
)
from positions.core import audit, cleaning
from positions.core.clock import today_in_berlin, utcnow
from positions.core.errors import InvalidInput, NotFound
from positions.core.formatting import number
from positions.core.permissions import Action, Actor, require

MAX_TEXT = 100_000


@dataclass(frozen=True)
class MeetingFields:
    """What staff enter for a meeting; `starts_at` is required (aware datetime)."""

    title: str
    starts_at: datetime | None
    ends_at: datetime | None = None
    place: str = ""
    online_url: str = ""
    agenda: str = ""
    working_group_id: int | None = None
    attendee_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class FollowUpItem:
    follow_up: FollowUp
    meeting: Meeting
    forum: Forum
    owner: User


@dataclass(frozen=True)
class MeetingDetail:
    meeting: Meeting
    forum: Forum
    working_group: WorkingGroup | None
    attendees: list[User]
    follow_ups: list[FollowUpItem]
    documents: list[Document]

    @property
    def agenda_items(self) -> list[str]:
        return [line.strip() for line in self.meeting.agenda.splitlines() if line.strip()]


def create_meeting(
    *,
    session: Session,
    actor: Actor,
    forum_id: int,
    fields: MeetingFields,
    now: datetime | None = None,
) -> Meeting:
    require(actor, Action.MEETING_MANAGE)
    forum = session.get(Forum, forum_id)
    if forum is None:
        raise NotFound("Dieses Forum gibt es nicht.")
    _check(session=session, forum_id=forum_id, fields=fields)
    assert fields.starts_at is not None
    meeting = Meeting(forum_id=forum_id, created_at=now or utcnow(), **_columns(fields))
    session.add(meeting)
    session.flush()
    _set_attendees(session=session, meeting_id=id_of(meeting), user_ids=fields.attendee_ids)
    audit.created(session=session, actor_id=actor.user_id, row=meeting, now=now)
    return meeting


def update_meeting(
    *,
    session: Session,
    actor: Actor,
    meeting_id: int,
    fields: MeetingFields,
    now: datetime | None = None,
) -> Meeting:
    require(actor, Action.MEETING_MANAGE)
    meeting = _meeting(session, meeting_id)
    before = meeting.model_dump()
    _check(session=session, forum_id=meeting.forum_id, fields=fields)
    for name, value in _columns(fields).items():
        setattr(meeting, name, value)
    session.add(meeting)
    _set_attendees(session=session, meeting_id=meeting_id, user_ids=fields.attendee_ids)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="update",
        object_type="meeting",
        object_id=meeting_id,
        before=before,
        after=meeting,
        now=now,
    )
    return meeting


def record_minutes(
    *, session: Session, actor: Actor, meeting_id: int, minutes: str, now: datetime | None = None
) -> Meeting:
    require(actor, Action.MEETING_MANAGE)
    meeting = _meeting(session, meeting_id)
    if len(minutes) > MAX_TEXT:
        raise InvalidInput(f"Das Protokoll darf höchstens {number(MAX_TEXT)} Zeichen lang sein.")
    before = meeting.model_dump()
    meeting.minutes = cleaning.clean(minutes)
    session.add(meeting)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="minutes",
        object_type="meeting",
        object_id=meeting_id,
        before=before,
        after=meeting,
        now=now,
    )
    return meeting


def _columns(fields: MeetingFields) -> dict[str, Any]:
    return {
        "title": cleaning.clean_line(fields.title),
        "starts_at": fields.starts_at,
        "ends_at": fields.ends_at,
        "place": cleaning.clean_line(fields.place),
        "online_url": cleaning.clean_line(fields.online_url),
        "agenda": cleaning.clean(fields.agenda),
        "working_group_id": fields.working_group_id,
    }


def _check(*, session: Session, forum_id: int, fields: MeetingFields) -> None:
    if not fields.title.strip():
        raise InvalidInput("Bitte geben Sie einen Titel für die Sitzung an.")
    if fields.starts_at is None:
        raise InvalidInput("Bitte geben Sie Datum und Uhrzeit der Sitzung an.")
    if fields.starts_at.tzinfo is None or (fields.ends_at and fields.ends_at.tzinfo is None):
        raise ValueError("meeting times must be timezone-aware")
    if fields.ends_at is not None and fields.ends_at <= fields.starts_at:
        raise InvalidInput("Das Ende der Sitzung muss nach ihrem Beginn liegen.")
    if fields.online_url and not fields.online_url.startswith(("https://", "http://")):
        raise InvalidInput("Der Link zur Online-Sitzung muss mit https:// beginnen.")
    if len(fields.agenda) > MAX_TEXT:
        raise InvalidInput("Die Tagesordnung ist zu lang.")
    if fields.working_group_id is not None:
        group = session.get(WorkingGroup, fields.working_group_id)
        if group is None or group.forum_id != forum_id:
            raise InvalidInput("Diese Arbeitsgruppe gehört nicht zu diesem Forum.")
    _association_people(session=session, user_ids=fields.attendee_ids, what="Teilnehmende")


def _association_people(
    *, session: Session, user_ids: tuple[int, ...] | list[int], what: str
) -> dict[int, User]:
    people = {
        u.id: u for u in session.exec(select(User).where(col(User.id).in_(set(user_ids)))).all()
    }
    for user_id in user_ids:
        user = people.get(user_id)
        if user is None or not user.active or user.role == Role.MEMBER:
            raise InvalidInput(
                f"{what} müssen aktive Personen des Verbands sein "
                f"(unbekannt oder nicht zulässig: Nr. {user_id})."
            )
    return {k: v for k, v in people.items() if k is not None}


def _set_attendees(*, session: Session, meeting_id: int, user_ids: tuple[int, ...]) -> None:
    for link in session.exec(
        select(MeetingAttendee).where(MeetingAttendee.meeting_id == meeting_id)
    ):
        session.delete(link)
    session.flush()
    for user_id in dict.fromkeys(user_ids):
        session.add(MeetingAttendee(meeting_id=meeting_id, user_id=user_id))


def _meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("Diese Sitzung gibt es nicht.")
    return meeting


def meeting_detail(*, session: Session, actor: Actor, meeting_id: int) -> MeetingDetail:
    require(actor, Action.MEETING_READ)
    meeting = _meeting(session, meeting_id)
    forum = session.get(Forum, meeting.forum_id)
    assert forum is not None
    attendees = list(
        session.exec(
            select(User)
            .join(MeetingAttendee)
            .where(MeetingAttendee.meeting_id == meeting_id)
            .order_by(col(User.name))
        ).all()
    )
    follow_ups = [
        FollowUpItem(follow_up, meeting, forum, owner)
        for follow_up, owner in session.exec(
            select(FollowUp, User)
            .join(User, col(User.id) == FollowUp.owner_id)
            .where(FollowUp.meeting_id == meeting_id)
            .order_by(col(FollowUp.done_at).is_not(None), col(FollowUp.due_on), col(FollowUp.id))
        ).all()
    ]
    documents = list(
        session.exec(
            select(Document)
            .where(Document.meeting_id == meeting_id)
            .order_by(col(Document.uploaded_at))
        ).all()
    )
    group = (
        session.get(WorkingGroup, meeting.working_group_id) if meeting.working_group_id else None
    )
    return MeetingDetail(meeting, forum, group, attendees, follow_ups, documents)


def add_follow_up(
    *,
    session: Session,
    actor: Actor,
    meeting_id: int,
    text: str,
    owner_id: int | None,
    due_on: date | None,
    now: datetime | None = None,
) -> FollowUp:
    """A task from a meeting; it shows on its owner's start page until it is done."""
    require(actor, Action.MEETING_MANAGE)
    _meeting(session, meeting_id)
    text = cleaning.clean(text)
    if not text:
        raise InvalidInput("Bitte beschreiben Sie die Aufgabe.")
    if owner_id is None:
        raise InvalidInput("Bitte wählen Sie, wer die Aufgabe übernimmt.")
    _association_people(session=session, user_ids=[owner_id], what="Verantwortliche")
    if due_on is not None and due_on < today_in_berlin(now):
        raise InvalidInput("Das Fälligkeitsdatum liegt in der Vergangenheit.")
    follow_up = FollowUp(
        meeting_id=meeting_id,
        text=text,
        owner_id=owner_id,
        due_on=due_on,
        created_at=now or utcnow(),
    )
    session.add(follow_up)
    session.flush()
    audit.created(session=session, actor_id=actor.user_id, row=follow_up, now=now)
    return follow_up


def set_follow_up_done(
    *,
    session: Session,
    actor: Actor,
    follow_up_id: int,
    done: bool,
    now: datetime | None = None,
) -> FollowUp:
    """Owners tick off their own tasks; staff may tick off anyone's."""
    follow_up = session.get(FollowUp, follow_up_id)
    if follow_up is None:
        raise NotFound("Diese Aufgabe gibt es nicht.")
    if follow_up.owner_id != actor.user_id:
        require(actor, Action.MEETING_MANAGE)
    else:
        require(actor, Action.MEETING_READ)
    follow_up.done_at = (now or utcnow()) if done else None
    session.add(follow_up)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="done" if done else "reopen",
        object_type="followup",
        object_id=follow_up_id,
        now=now,
    )
    return follow_up


def open_follow_ups(
    *, session: Session, actor: Actor, owner_id: int | None = None
) -> list[FollowUpItem]:
    """Follow-ups not yet done, soonest due first (undated last); one owner's if given."""
    require(actor, Action.MEETING_READ)
    query = (
        select(FollowUp, Meeting, Forum, User)
        .join(Meeting, col(Meeting.id) == FollowUp.meeting_id)
        .join(Forum, col(Forum.id) == Meeting.forum_id)
        .join(User, col(User.id) == FollowUp.owner_id)
        .where(col(FollowUp.done_at).is_(None))
    )
    if owner_id is not None:
        query = query.where(FollowUp.owner_id == owner_id)
    rows = session.exec(query).all()
    items = [FollowUpItem(f, m, forum, owner) for f, m, forum, owner in rows]
    return sorted(items, key=lambda i: (i.follow_up.due_on or date.max, i.follow_up.id or 0))


def association_people(*, session: Session, actor: Actor) -> list[User]:
    """Active people of the association (admins, staff, board), for pickers."""
    require(actor, Action.MEETING_READ)
    return list(
        session.exec(
            select(User).where(col(User.active), User.role != Role.MEMBER).order_by(col(User.name))
        ).all()
    )


def working_groups_of(*, session: Session, forum_id: int) -> list[WorkingGroup]:
    """The active working groups of a forum, for pickers."""
    return list(
        session.exec(
            select(WorkingGroup)
            .where(WorkingGroup.forum_id == forum_id, col(WorkingGroup.active))
            .order_by(col(WorkingGroup.position), col(WorkingGroup.name))
        ).all()
    )
