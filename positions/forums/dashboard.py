"""The deadline dashboard: everything due across forums, soonest first, with a traffic light.

Due are the three deadlines of every open call and the follow-ups from meetings. Overdue
items stay on the list whatever their date until they are done; done ones are shown only on
request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from db.models import ForumDelegate, User, id_of
from positions.core.clock import today_in_berlin
from positions.core.permissions import Action, Actor, require
from positions.core.working_days import DeadlineState, deadline_state
from positions.forums import calls, meetings

HORIZON_WEEKS = 8
FOLLOW_UP = "Aufgabe"
_KIND_ORDER = {"Mitgliederfrist": 0, "Vorstandsfrist": 1, "Externe Frist": 2, FOLLOW_UP: 3}


@dataclass(frozen=True)
class DueItem:
    day: date
    kind: str  # "Mitgliederfrist", "Vorstandsfrist", "Externe Frist" or "Aufgabe"
    title: str
    forum_id: int
    forum_short_name: str
    state: DeadlineState
    responsible: tuple[str, ...]
    call_id: int | None = None
    meeting_id: int | None = None
    follow_up_id: int | None = None
    overridden: bool = False
    answered: int | None = None
    invited: int | None = None


def due_items(
    *,
    session: Session,
    actor: Actor,
    today: date | None = None,
    weeks: int = HORIZON_WEEKS,
    forum_id: int | None = None,
    person_id: int | None = None,
    include_done: bool = False,
) -> list[DueItem]:
    """What is due up to `weeks` ahead (and everything overdue), soonest first.

    `person_id` keeps the deadlines of forums the person is delegate or substitute in and
    the follow-ups they own.
    """
    require(actor, Action.DEADLINES_READ)
    today = today or today_in_berlin()
    horizon = today + timedelta(weeks=weeks)
    people = _forum_people(session=session)
    items = [
        DueItem(
            day=deadline.day,
            kind=deadline.kind,
            title=summary.call.title,
            forum_id=id_of(summary.forum),
            forum_short_name=summary.forum.short_name,
            state=deadline.state,
            responsible=tuple(name for _, name in people.get(id_of(summary.forum), [])),
            call_id=summary.call.id,
            overridden=deadline.overridden,
            answered=summary.answered,
            invited=summary.invited,
        )
        for summary in calls.open_calls(
            session=session, actor=actor, forum_id=forum_id, today=today
        )
        for deadline in summary.deadlines
        if person_id is None or person_id in {i for i, _ in people.get(id_of(summary.forum), [])}
    ]
    for item in meetings.open_follow_ups(session=session, actor=actor, owner_id=person_id):
        if item.follow_up.due_on is None or (forum_id and item.forum.id != forum_id):
            continue
        items.append(
            DueItem(
                day=item.follow_up.due_on,
                kind=FOLLOW_UP,
                title=item.follow_up.text,
                forum_id=id_of(item.forum),
                forum_short_name=item.forum.short_name,
                state=deadline_state(item.follow_up.due_on, today=today),
                responsible=(item.owner.name,),
                meeting_id=item.meeting.id,
                follow_up_id=item.follow_up.id,
            )
        )
    shown = [
        item
        for item in items
        if (include_done or item.state != DeadlineState.DONE)
        and (item.day <= horizon or item.state == DeadlineState.OVERDUE)
        and (item.day >= today or item.state != DeadlineState.DONE)
    ]
    return sorted(shown, key=lambda i: (i.day, _KIND_ORDER[i.kind], i.title))


def _forum_people(*, session: Session) -> dict[int, list[tuple[int, str]]]:
    """(user id, name) of delegates and substitutes per forum, delegates first."""
    people: dict[int, list[tuple[int, str]]] = {}
    for link, user in session.exec(
        select(ForumDelegate, User).join(User).order_by(col(ForumDelegate.role), col(User.name))
    ).all():
        people.setdefault(link.forum_id, []).append((id_of(user), user.name))
    return people
