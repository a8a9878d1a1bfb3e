"""Forums the association sits in or runs, with their working groups, delegates and meetings."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from db.models import (
    DelegateRole,
    Document,
    Forum,
    ForumDelegate,
    ForumKind,
    Meeting,
    Outcome,
    Paper,
    PaperStatus,
    User,
    WorkingGroup,
)
from positions import audit
from positions.calls import CallSummary, open_calls
from positions.clock import today_in_berlin, utcnow
from positions.errors import InvalidInput, NotFound
from positions.permissions import Action, Actor, require, visible_forum_ids


@dataclass(frozen=True)
class ForumSummary:
    forum: Forum
    open_calls: list[CallSummary]
    next_meeting: Meeting | None

    @property
    def next_deadline(self) -> tuple[CallSummary, date] | None:
        candidates = [(c, d.day) for c in self.open_calls if (d := c.next_deadline)]
        return min(candidates, key=lambda pair: pair[1]) if candidates else None


@dataclass(frozen=True)
class Delegate:
    name: str
    email: str
    substitute: bool


@dataclass(frozen=True)
class ForumOverview:
    forum: Forum
    working_groups: list[WorkingGroup]
    delegates: list[Delegate]
    open_calls: list[CallSummary]
    upcoming_meetings: list[Meeting]
    papers_by_status: dict[PaperStatus, list[Paper]] = field(default_factory=dict)
    documents: list[Document] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def next_meeting(self) -> Meeting | None:
        return self.upcoming_meetings[0] if self.upcoming_meetings else None


def create_forum(
    *,
    session: Session,
    actor: Actor,
    name: str,
    short_name: str,
    kind: ForumKind,
    host_institution: str = "",
    ministry: str = "",
    url: str = "",
    description: str = "",
    member_deadline_offset: int = 10,
    board_deadline_offset: int = 3,
    now: datetime | None = None,
) -> Forum:
    require(actor, Action.FORUM_MANAGE)
    name, short_name = name.strip(), short_name.strip()
    if not name or not short_name:
        raise InvalidInput("Bitte geben Sie Name und Kurzname des Forums an.")
    for column, value, label in (
        (Forum.name, name, "Namen"),
        (Forum.short_name, short_name, "Kurznamen"),
    ):
        if session.exec(select(Forum.id).where(func.lower(column) == value.lower())).first():
            raise InvalidInput(f"Ein Forum mit dem {label} „{value}“ gibt es bereits.")
    if not 0 <= board_deadline_offset <= member_deadline_offset:
        raise InvalidInput(
            "Die Vorstandsfrist muss zwischen Mitgliederfrist und externer Frist liegen "
            "(0 ≤ Vorlauf Vorstand ≤ Vorlauf Mitglieder)."
        )
    forum = Forum(
        name=name,
        short_name=short_name,
        kind=kind,
        host_institution=host_institution.strip(),
        ministry=ministry.strip(),
        url=url.strip(),
        description=description.strip(),
        member_deadline_offset=member_deadline_offset,
        board_deadline_offset=board_deadline_offset,
        created_at=now or utcnow(),
    )
    session.add(forum)
    session.flush()
    audit.created(session=session, actor_id=actor.user_id, row=forum, now=now)
    return forum


def list_forums(
    *,
    session: Session,
    actor: Actor,
    include_inactive: bool = False,
    now: datetime | None = None,
) -> list[ForumSummary]:
    """The forums the actor may see, each with its open calls and next meeting."""
    require(actor, Action.FORUM_READ)
    now = now or utcnow()
    query = select(Forum)
    if not include_inactive:
        query = query.where(col(Forum.active).is_(True))
    if not actor.acts_for_association:
        query = query.where(col(Forum.id).in_(visible_forum_ids(actor, session=session)))
    kind_order = list(ForumKind)
    forums = sorted(session.exec(query).all(), key=lambda f: (kind_order.index(f.kind), f.name))
    calls_by_forum: dict[int, list[CallSummary]] = defaultdict(list)
    for summary in open_calls(session=session, actor=actor, today=today_in_berlin(now)):
        calls_by_forum[summary.forum.id or 0].append(summary)
    next_meetings = _next_meetings(session=session, now=now)
    return [
        ForumSummary(forum, calls_by_forum.get(forum.id or 0, []), next_meetings.get(forum.id or 0))
        for forum in forums
    ]


def _next_meetings(*, session: Session, now: datetime) -> dict[int, Meeting]:
    meetings = session.exec(
        select(Meeting).where(Meeting.starts_at >= now).order_by(col(Meeting.starts_at))
    ).all()
    first: dict[int, Meeting] = {}
    for meeting in meetings:
        first.setdefault(meeting.forum_id, meeting)
    return first


def get_forum(*, session: Session, actor: Actor, forum_id: int) -> Forum:
    forum = session.get(Forum, forum_id)
    if forum is None:
        raise NotFound("Dieses Forum gibt es nicht.")
    require(actor, Action.FORUM_READ, forum, session=session)
    return forum


def forum_overview(
    *, session: Session, actor: Actor, forum_id: int, now: datetime | None = None
) -> ForumOverview:
    """Everything the forum page shows; members see only their own calls of the forum."""
    forum = get_forum(session=session, actor=actor, forum_id=forum_id)
    now = now or utcnow()
    working_groups = list(
        session.exec(
            select(WorkingGroup)
            .where(WorkingGroup.forum_id == forum_id, col(WorkingGroup.active))
            .order_by(col(WorkingGroup.position), col(WorkingGroup.name))
        ).all()
    )
    calls = open_calls(session=session, actor=actor, forum_id=forum_id, today=today_in_berlin(now))
    if not actor.acts_for_association:
        return ForumOverview(forum, working_groups, [], calls, [])
    delegates = [
        Delegate(user.name, user.email, link.role == DelegateRole.SUBSTITUTE)
        for link, user in session.exec(
            select(ForumDelegate, User)
            .join(User)
            .where(ForumDelegate.forum_id == forum_id)
            .order_by(col(ForumDelegate.role), col(User.name))
        ).all()
    ]
    meetings = list(
        session.exec(
            select(Meeting)
            .where(Meeting.forum_id == forum_id, Meeting.starts_at >= now)
            .order_by(col(Meeting.starts_at))
        ).all()
    )
    papers: dict[PaperStatus, list[Paper]] = defaultdict(list)
    for paper in session.exec(
        select(Paper).where(Paper.forum_id == forum_id).order_by(col(Paper.updated_at).desc())
    ).all():
        papers[paper.status].append(paper)
    documents = list(
        session.exec(
            select(Document)
            .where(Document.forum_id == forum_id)
            .order_by(col(Document.uploaded_at).desc())
        ).all()
    )
    outcomes = list(
        session.exec(
            select(Outcome)
            .where(Outcome.forum_id == forum_id)
            .order_by(col(Outcome.published_on).desc())
            .limit(5)
        ).all()
    )
    return ForumOverview(
        forum, working_groups, delegates, calls, meetings, dict(papers), documents, outcomes
    )
