"""Forums the association sits in or runs, with their working groups, delegates and meetings."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from db.models import (
    DelegateRole,
    Document,
    Forum,
    ForumDelegate,
    ForumKind,
    ForumMember,
    Meeting,
    Organisation,
    Outcome,
    Paper,
    PaperStatus,
    Role,
    User,
    WorkingGroup,
)
from positions.core import audit, cleaning
from positions.core.clock import today_in_berlin, utcnow
from positions.core.errors import InvalidInput, NotFound
from positions.core.permissions import Action, Actor, require, visible_forum_ids
from positions.forums.calls import CallSummary, open_calls


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
    past_meetings: list[Meeting] = field(default_factory=list)
    papers_by_status: dict[PaperStatus, list[Paper]] = field(default_factory=dict)
    documents: list[Document] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def next_meeting(self) -> Meeting | None:
        return self.upcoming_meetings[0] if self.upcoming_meetings else None


@dataclass(frozen=True)
class ForumFields:
    """What staff enter for a forum."""

    name: str
    short_name: str
    kind: ForumKind
    host_institution: str = ""
    ministry: str = ""
    url: str = ""
    description: str = ""
    notes: str = ""
    member_deadline_offset: int = 10
    board_deadline_offset: int = 3


MAX_OFFSET_WORKING_DAYS = 60


def create_forum(
    *, session: Session, actor: Actor, fields: ForumFields, now: datetime | None = None
) -> Forum:
    require(actor, Action.FORUM_MANAGE)
    fields = _validated(session=session, fields=fields, forum_id=None)
    forum = Forum(**asdict(fields), created_at=now or utcnow())
    session.add(forum)
    session.flush()
    audit.created(session=session, actor_id=actor.user_id, row=forum, now=now)
    return forum


def update_forum(
    *,
    session: Session,
    actor: Actor,
    forum_id: int,
    fields: ForumFields,
    now: datetime | None = None,
) -> Forum:
    require(actor, Action.FORUM_MANAGE)
    forum = _forum(session, forum_id)
    before = forum.model_dump()
    fields = _validated(session=session, fields=fields, forum_id=forum_id)
    for name, value in asdict(fields).items():
        setattr(forum, name, value)
    session.add(forum)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="update",
        object_type="forum",
        object_id=forum_id,
        before=before,
        after=forum,
        now=now,
    )
    return forum


def set_forum_active(
    *, session: Session, actor: Actor, forum_id: int, active: bool, now: datetime | None = None
) -> Forum:
    """Archive (active=False) or reactivate a forum; archived forums leave the lists."""
    require(actor, Action.FORUM_MANAGE)
    forum = _forum(session, forum_id)
    if forum.active != active:
        forum.active = active
        session.add(forum)
        audit.record(
            session=session,
            actor_id=actor.user_id,
            action="reactivate" if active else "archive",
            object_type="forum",
            object_id=forum_id,
            now=now,
        )
    return forum


def _forum(session: Session, forum_id: int) -> Forum:
    forum = session.get(Forum, forum_id)
    if forum is None:
        raise NotFound("Dieses Forum gibt es nicht.")
    return forum


def _validated(*, session: Session, fields: ForumFields, forum_id: int | None) -> ForumFields:
    fields = replace(
        fields,
        name=cleaning.clean_line(fields.name),
        short_name=cleaning.clean_line(fields.short_name),
        host_institution=cleaning.clean_line(fields.host_institution),
        ministry=cleaning.clean_line(fields.ministry),
        url=cleaning.clean_line(fields.url),
        description=cleaning.clean(fields.description),
        notes=cleaning.clean(fields.notes),
    )
    if not fields.name or not fields.short_name:
        raise InvalidInput("Bitte geben Sie Name und Kurzname des Forums an.")
    if len(fields.name) > 200 or len(fields.short_name) > 40:
        raise InvalidInput("Der Name darf höchstens 200, der Kurzname höchstens 40 Zeichen haben.")
    for column, value, label in (
        (Forum.name, fields.name, "Namen"),
        (Forum.short_name, fields.short_name, "Kurznamen"),
    ):
        clash = session.exec(
            select(Forum.id).where(func.lower(column) == value.lower(), col(Forum.id) != forum_id)
        ).first()
        if clash is not None:
            raise InvalidInput(f"Ein Forum mit dem {label} „{value}“ gibt es bereits.")
    if fields.url and not fields.url.startswith(("https://", "http://")):
        raise InvalidInput("Die Webadresse muss mit https:// oder http:// beginnen.")
    if not (
        0
        <= fields.board_deadline_offset
        <= fields.member_deadline_offset
        <= MAX_OFFSET_WORKING_DAYS
    ):
        raise InvalidInput(
            "Die Vorläufe sind ungültig: Die Mitgliederfrist muss mindestens so früh wie die "
            f"Vorstandsfrist liegen (0 bis {MAX_OFFSET_WORKING_DAYS} Arbeitstage vor der "
            "externen Frist)."
        )
    return fields


def set_delegates(
    *,
    session: Session,
    actor: Actor,
    forum_id: int,
    delegate_ids: list[int],
    substitute_ids: list[int],
    now: datetime | None = None,
) -> None:
    """Replace who represents the association in a forum (people of the association only)."""
    require(actor, Action.FORUM_MANAGE)
    _forum(session, forum_id)
    if set(delegate_ids) & set(substitute_ids):
        raise InvalidInput("Eine Person kann nicht zugleich Delegierte(r) und Vertretung sein.")
    wanted = set(delegate_ids) | set(substitute_ids)
    people = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(wanted))).all()}
    for user_id in wanted:
        user = people.get(user_id)
        if user is None or not user.active or user.role == Role.MEMBER:
            raise InvalidInput(
                "Delegierte und Vertretungen müssen aktive Personen des Verbands sein "
                f"(unbekannt oder nicht zulässig: Nr. {user_id})."
            )
    for link in session.exec(select(ForumDelegate).where(ForumDelegate.forum_id == forum_id)):
        session.delete(link)
    session.flush()
    for role, ids in (
        (DelegateRole.DELEGATE, delegate_ids),
        (DelegateRole.SUBSTITUTE, substitute_ids),
    ):
        for user_id in dict.fromkeys(ids):
            session.add(ForumDelegate(forum_id=forum_id, user_id=user_id, role=role))
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="set_delegates",
        object_type="forum",
        object_id=forum_id,
        detail={"delegates": sorted(delegate_ids), "substitutes": sorted(substitute_ids)},
        now=now,
    )


def add_working_group(
    *, session: Session, actor: Actor, forum_id: int, name: str, description: str = ""
) -> WorkingGroup:
    require(actor, Action.FORUM_MANAGE)
    _forum(session, forum_id)
    name = cleaning.clean_line(name)
    if not name:
        raise InvalidInput("Bitte geben Sie einen Namen für die Arbeitsgruppe an.")
    existing = session.exec(select(WorkingGroup).where(WorkingGroup.forum_id == forum_id)).all()
    if any(group.name.lower() == name.lower() for group in existing):
        raise InvalidInput(f"Die Arbeitsgruppe „{name}“ gibt es in diesem Forum bereits.")
    group = WorkingGroup(
        forum_id=forum_id,
        name=name,
        description=cleaning.clean(description),
        position=len(existing),
    )
    session.add(group)
    session.flush()
    audit.created(session=session, actor_id=actor.user_id, row=group)
    return group


def set_working_group_active(
    *, session: Session, actor: Actor, group_id: int, active: bool
) -> WorkingGroup:
    require(actor, Action.FORUM_MANAGE)
    group = session.get(WorkingGroup, group_id)
    if group is None:
        raise NotFound("Diese Arbeitsgruppe gibt es nicht.")
    group.active = active
    session.add(group)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="reactivate" if active else "archive",
        object_type="workinggroup",
        object_id=group_id,
    )
    return group


def set_forum_members(
    *, session: Session, actor: Actor, forum_id: int, organisation_ids: list[int]
) -> None:
    """Replace the member organisations taking part in a forum (e.g. a Fachforum)."""
    require(actor, Action.FORUM_MANAGE)
    _forum(session, forum_id)
    wanted = set(organisation_ids)
    known = set(session.exec(select(Organisation.id).where(col(Organisation.id).in_(wanted))).all())
    if unknown := wanted - known:
        raise InvalidInput(f"Unbekannte Organisationen: {sorted(unknown)}")
    for link in session.exec(select(ForumMember).where(ForumMember.forum_id == forum_id)):
        session.delete(link)
    session.flush()
    for organisation_id in sorted(wanted):
        session.add(ForumMember(forum_id=forum_id, organisation_id=organisation_id))
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="set_members",
        object_type="forum",
        object_id=forum_id,
        detail={"organisations": sorted(wanted)},
    )


def forum_member_ids(*, session: Session, forum_id: int) -> list[int]:
    return list(
        session.exec(
            select(ForumMember.organisation_id).where(ForumMember.forum_id == forum_id)
        ).all()
    )


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
    upcoming = list(
        session.exec(
            select(Meeting)
            .where(Meeting.forum_id == forum_id, Meeting.starts_at >= now)
            .order_by(col(Meeting.starts_at))
        ).all()
    )
    past = list(
        session.exec(
            select(Meeting)
            .where(Meeting.forum_id == forum_id, Meeting.starts_at < now)
            .order_by(col(Meeting.starts_at).desc())
            .limit(5)
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
        forum, working_groups, delegates, calls, upcoming, past, dict(papers), documents, outcomes
    )
