"""The deadline dashboard: everything due across forums, soonest first, with a traffic light.

Due are the three deadlines of every open call, the follow-ups from meetings and the uploads
of sent papers to the Lobbyregister. Overdue items stay on the list whatever their date until
they are done; done ones are shown only on request. An upload to the Lobbyregister shows from
the day the paper was sent until the upload is recorded.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from db.models import (
    Forum,
    ForumDelegate,
    Paper,
    PaperContact,
    PaperVersion,
    Submission,
    User,
    id_of,
)
from positions.core.clock import today_in_berlin
from positions.core.permissions import Action, Actor, require
from positions.core.working_days import DeadlineState, deadline_state
from positions.forums import calls, meetings

HORIZON_WEEKS = 8
FOLLOW_UP = "Aufgabe"
LOBBYREGISTER = "Lobbyregister"
_KIND_ORDER = {
    "Mitgliederfrist": 0,
    "Vorstandsfrist": 1,
    "Externe Frist": 2,
    FOLLOW_UP: 3,
    LOBBYREGISTER: 4,
}


@dataclass(frozen=True)
class DueItem:
    day: date
    kind: str  # "Mitgliederfrist", "Vorstandsfrist", "Externe Frist", "Aufgabe", "Lobbyregister"
    title: str
    forum_id: int
    forum_short_name: str
    state: DeadlineState
    responsible: tuple[str, ...]
    call_id: int | None = None
    meeting_id: int | None = None
    follow_up_id: int | None = None
    paper_id: int | None = None
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
    """What is due up to `weeks` ahead (and everything overdue, and every upload to the
    Lobbyregister not yet recorded), soonest first.

    `person_id` keeps the deadlines of forums the person is delegate or substitute in, the
    follow-ups they own and the uploads of papers they are a contact person of.
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
    items += _lobbyregister_uploads(
        session=session, today=today, forum_id=forum_id, person_id=person_id, people=people
    )
    shown = [
        item
        for item in items
        if (include_done or item.state != DeadlineState.DONE)
        and (
            item.day <= horizon
            or item.state == DeadlineState.OVERDUE
            or (item.kind == LOBBYREGISTER and item.state != DeadlineState.DONE)
        )
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


def lobbyregister_upload_due(sent_on: date) -> date:
    """The last day of the calendar quarter in which a paper was sent: by then a basic
    statement on a federal regulatory project is to be in the Lobbyregister. (The rule lives
    with the other deadlines; papers cannot import forums, so the paper page asks here.)"""
    # Source: issue 19 ("bis zum Ende des Quartals": the quarter of sending), read with
    # LobbyRG § 3 Abs. 1 Nr. 5 and Abs. 3 as amended with effect from 1 March 2024; nothing in
    # the code assumed another day before. The amended wording of § 3 Abs. 3 could not be
    # checked here: the 2021 text gave changes of a registrant's own data until the end of
    # the quarter *after* the change. If the register reads it that way for uploads too, this
    # is the one line to change.
    last_month = (sent_on.month - 1) // 3 * 3 + 3
    return date(sent_on.year, last_month, calendar.monthrange(sent_on.year, last_month)[1])


def _lobbyregister_uploads(
    *,
    session: Session,
    today: date,
    forum_id: int | None,
    person_id: int | None,
    people: dict[int, list[tuple[int, str]]],
) -> list[DueItem]:
    """Sent papers marked for the Lobbyregister, each by its latest sending: open until the
    upload is recorded; one published in a formal procedure (exempt) has no upload due."""
    query = (
        select(Submission, Paper, Forum)
        .join(PaperVersion, col(PaperVersion.id) == Submission.paper_version_id)
        .join(Paper, col(Paper.id) == PaperVersion.paper_id)
        .join(Forum, col(Forum.id) == Paper.forum_id)
        .where(col(Paper.lobbyregister_relevant))
        .order_by(col(Submission.submitted_on).desc(), col(Submission.id).desc())
    )
    if forum_id is not None:
        query = query.where(Paper.forum_id == forum_id)
    latest: dict[int, tuple[Submission, Paper, Forum]] = {}
    for submission, paper, forum in session.exec(query).all():
        latest.setdefault(id_of(paper), (submission, paper, forum))
    contacts = _paper_contacts(session=session, paper_ids=list(latest))
    items = []
    for paper_id, (submission, paper, forum) in latest.items():
        if submission.lobbyregister_exemption is not None:
            continue
        responsible = contacts.get(paper_id) or people.get(id_of(forum), [])
        if person_id is not None and person_id not in {i for i, _ in responsible}:
            continue
        due = lobbyregister_upload_due(submission.submitted_on)
        done = submission.lobbyregister_uploaded_on is not None
        items.append(
            DueItem(
                day=due,
                kind=LOBBYREGISTER,
                title=f"„{paper.title}“ hochladen",
                forum_id=id_of(forum),
                forum_short_name=forum.short_name,
                state=deadline_state(due, today=today, done=done),
                responsible=tuple(name for _, name in responsible),
                paper_id=paper_id,
            )
        )
    return items


def _paper_contacts(*, session: Session, paper_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """(user id, name) of each paper's contact persons, by name."""
    found: dict[int, list[tuple[int, str]]] = {}
    for link, user in session.exec(
        select(PaperContact, User)
        .join(User, col(User.id) == PaperContact.user_id)
        .where(col(PaperContact.paper_id).in_(paper_ids))
        .order_by(col(User.name))
    ).all():
        found.setdefault(link.paper_id, []).append((id_of(user), user.name))
    return found
