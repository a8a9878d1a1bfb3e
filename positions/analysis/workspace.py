"""The merge workspace of a call: near-duplicate points collapse into one with co-signers,
similar points gather in topic clusters, each cluster gets a suggested paragraph, and staff
take suggestions into a paper. Staff's own moves, names and discards survive every re-run.

Topics compare points by words and by meaning: each point's sentence embedding is computed
once and kept in the database (`StoredEmbeddings`), so a re-run after a few new statements
embeds only their points. A topic needs points of two members; what one member alone
raised and fits no topic stays outside ("Ohne Thema").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db.models import (
    AuditEvent,
    Cluster,
    Organisation,
    Paper,
    Paragraph,
    ParagraphSource,
    Point,
    PointGroup,
    Section,
    SourceHow,
    Statement,
    StatementStatus,
    Visibility,
    id_of,
)
from positions.analysis import clustering, dedupe, guards, merging, preferences, tracing
from positions.core import attribution, audit, labels
from positions.core.clock import utcnow
from positions.core.embedding_store import StoredEmbeddings
from positions.core.errors import InvalidInput, NotFound
from positions.core.permissions import Action, Actor, require
from positions.papers import papers
from positions.papers.snapshot import SourceRef

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class PointView:
    """A point with what the workspace needs of its statement and member, as plain values
    (a call can hold tens of thousands of points). `organisation` is empty unless the member
    allowed naming, so no anonymous member's name travels further than the database."""

    id: int
    text: str
    statement_id: int
    visibility: Visibility
    organisation_id: int
    organisation: str
    cluster_id: int | None
    group_id: int | None

    @property
    def member(self) -> str:
        """Who sent the point, for staff: the organisation where it allowed naming, else
        "Ein Mitglied (anonym)" or "Ein Mitglied (nur intern)"."""
        if attribution.may_name(self.visibility) and self.organisation:
            return self.organisation
        return f"Ein Mitglied ({labels.UNNAMED.get(self.visibility, 'anonym')})"


@dataclass
class GroupView:
    """A point with its near-duplicates: the canonical wording and who else sent it."""

    canonical: PointView
    copies: list[PointView] = field(default_factory=list)

    @property
    def all(self) -> list[PointView]:
        return [self.canonical, *self.copies]


@dataclass(frozen=True)
class Support:
    """How many members stand behind some points, each counted once, under the most open
    permission it gave (a member sending one point named and one anonymously is named)."""

    named: int = 0
    anonymous: int = 0
    internal: int = 0

    @property
    def citable(self) -> int:
        return self.named + self.anonymous


@dataclass(frozen=True)
class Supporters:
    """Support with the names of the members that allowed naming."""

    names: tuple[str, ...]
    support: Support

    @classmethod
    def of(cls, points: list[PointView]) -> Supporters:
        best = attribution.most_public_by_organisation(
            (view.organisation_id, view.visibility) for view in points
        )
        # Only a named point carries its organisation's name.
        names = {
            v.organisation_id: v.organisation for v in points if attribution.may_name(v.visibility)
        }
        counts = Counter(best.values())
        return cls(
            tuple(sorted(names[o] for o, v in best.items() if attribution.may_name(v))),
            Support(
                counts[Visibility.NAMED], counts[Visibility.ANONYMOUS], counts[Visibility.INTERNAL]
            ),
        )


@dataclass(frozen=True)
class TopicSummary:
    cluster: Cluster
    points: int
    support: Support


@dataclass(frozen=True)
class Overview:
    """What the merge screen shows of a whole call; counted in the database, so that it
    stays quick with tens of thousands of points."""

    topics: list[TopicSummary]
    total_points: int
    used_points: int
    loose_points: int
    analysed_at: datetime | None
    submitted_since: int


@dataclass
class ClusterView:
    cluster: Cluster
    groups: list[GroupView]

    @property
    def points(self) -> list[PointView]:
        return [view for group in self.groups for view in group.all]

    @property
    def supporters(self) -> Supporters:
        return Supporters.of(self.points)


def _submitted(call_id: int) -> Any:
    return (Statement.call_id == call_id, Statement.status == StatementStatus.SUBMITTED)


def _points(
    session: Session, call_id: int, *where: Any, limit: int | None = None
) -> list[PointView]:
    """The points of the call's submitted statements (those matching `where`), in a stable
    order."""
    query = (
        sa.select(
            *(
                col(column)
                for column in (
                    Point.id,
                    Point.text,
                    Point.statement_id,
                    Statement.visibility,
                    Organisation.id,
                    Organisation.name,
                    Point.cluster_id,
                    Point.group_id,
                )
            )
        )
        .join(Statement, col(Statement.id) == Point.statement_id)
        .join(Organisation, col(Organisation.id) == Statement.organisation_id)
        .where(*_submitted(call_id), *where)
        .order_by(col(Statement.id), col(Point.position))
        .limit(limit)
    )
    return [
        PointView(
            id=point_id,
            text=text,
            statement_id=statement_id,
            visibility=visibility,
            organisation_id=organisation_id,
            organisation=name if attribution.may_name(visibility) else "",
            cluster_id=cluster_id,
            group_id=group_id,
        )
        for (
            point_id,
            text,
            statement_id,
            visibility,
            organisation_id,
            name,
            cluster_id,
            group_id,
        ) in session.execute(query).all()
    ]


def analyse(
    *,
    session: Session,
    actor: Actor,
    call_id: int,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> int:
    """Group near-duplicates, cluster by topic and suggest a paragraph per cluster; returns
    the number of clusters. Manual moves, names and discards of staff are kept."""
    require(actor, Action.PAPER_EDIT)
    report = _forward_only(progress or (lambda share, label: None))
    views = _points(session, call_id)
    stored = {
        id_of(p): p
        for p in session.exec(
            select(Point)
            .join(Statement, col(Statement.id) == Point.statement_id)
            .where(*_submitted(call_id))
        ).all()
    }
    report(0.05, "Gleiche Forderungen zusammenfassen …")
    canonical = _regroup(
        session,
        call_id,
        views,
        stored,
        lambda share: report(0.05 + 0.4 * share, "Gleiche Forderungen …"),
    )
    report(0.5, "Themen bilden …")
    existing = list(session.exec(select(Cluster).where(Cluster.call_id == call_id)).all())
    weights: defaultdict[int, float] = defaultdict(float)
    senders: defaultdict[int, set[int]] = defaultdict(set)
    quotable: set[int] = set()
    for view in views:
        weights[canonical[view.id]] += 1.0
        senders[canonical[view.id]].add(view.organisation_id)
        if view.visibility != Visibility.INTERNAL:
            quotable.add(canonical[view.id])
    heads = {view.id: stored[view.id] for view in views if canonical[view.id] == view.id}

    def embedding(done: int, total: int) -> None:
        # Only points not embedded in an earlier run are computed (and counted here).
        report(0.5 + 0.07 * done / max(total, 1), f"Bedeutung erfassen … ({done} von {total})")

    result = clustering.cluster_points(
        [
            clustering.PointInput(
                key,
                point.text,
                weights[key],
                organisations=frozenset(senders[key]),
                quotable=key in quotable,
            )
            for key, point in heads.items()
        ],
        existing=[
            clustering.ExistingCluster(id_of(c), c.label, c.edited_by_staff, c.discarded)
            for c in existing
        ],
        assignment={
            key: point.cluster_id for key, point in heads.items() if point.cluster_id is not None
        },
        pinned={key for key, point in heads.items() if point.cluster_pinned},
        progress=lambda share: report(0.5 + 0.35 * share, "Themen bilden …"),
        embed=StoredEmbeddings(session, embedding),
    )
    cluster_of_head = _store_clusters(session, call_id, result, existing, now)
    for view in views:
        point = stored[view.id]
        if not point.cluster_pinned:
            point.cluster_id = cluster_of_head.get(canonical[view.id])
            session.add(point)
    session.flush()
    report(0.9, "Vorschläge formulieren …")
    members: defaultdict[int | None, list[PointView]] = defaultdict(list)
    for view in views:
        members[stored[view.id].cluster_id].append(view)
    for cluster in session.exec(select(Cluster).where(Cluster.call_id == call_id)).all():
        if members[cluster.id] and not cluster.edited_by_staff:
            cluster.suggested_text = suggest(members[cluster.id]).text
            session.add(cluster)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="analyse",
        object_type="call",
        object_id=call_id,
        detail={"points": len(views), "clusters": len(result.clusters)},
        now=now,
    )
    report(1.0, "Fertig")
    return len(result.clusters)


def _forward_only(progress: Progress) -> Progress:
    """`progress` that never goes back (steps report shares of their own part)."""
    reached = [0.0]

    def report(share: float, label: str) -> None:
        reached[0] = max(reached[0], share)
        progress(reached[0], label)

    return report


def _store_clusters(
    session: Session,
    call_id: int,
    result: clustering.ClusterResult,
    existing: list[Cluster],
    now: datetime | None,
) -> dict[int, int]:
    """Clusters as the clustering found them (staff's names kept); returns head point id →
    cluster id."""
    by_id = {id_of(c): c for c in existing}
    cluster_of_head: dict[int, int] = {}
    for position, topic in enumerate(result.clusters):
        row = by_id.get(topic.id) if topic.id is not None else None
        if row is None:
            row = Cluster(call_id=call_id, label=topic.label[:200], created_at=now or utcnow())
            session.add(row)
            session.flush()
        elif not row.edited_by_staff:
            row.label = topic.label[:200]
        row.position = position
        session.add(row)
        for key in topic.members:
            cluster_of_head[key] = id_of(row)
    for removed in result.removed:
        if removed in by_id:
            for point in session.exec(select(Point).where(Point.cluster_id == removed)).all():
                point.cluster_id, point.cluster_pinned = None, False
                session.add(point)
            session.flush()
            session.delete(by_id[removed])
    return cluster_of_head


def _regroup(
    session: Session,
    call_id: int,
    views: list[PointView],
    stored: dict[int, Point],
    progress: Callable[[float], None],
) -> dict[int, int]:
    """Near-duplicate groups again from scratch; returns point id → canonical point id."""
    # Points of statements withdrawn since the last run still name their old group.
    in_old_groups = session.exec(
        select(Point)
        .join(PointGroup, col(PointGroup.id) == Point.group_id)
        .where(PointGroup.call_id == call_id)
    ).all()
    for point in [*stored.values(), *in_old_groups]:
        point.group_id = None
        session.add(point)
    session.flush()
    for group in session.exec(select(PointGroup).where(PointGroup.call_id == call_id)).all():
        session.delete(group)
    session.flush()
    canonical = {view.id: view.id for view in views}
    groups = dedupe.group_near_duplicates(
        [view.text for view in views],
        threshold=preferences.duplicate_threshold(session=session),
        progress=progress,
    )
    for found in groups:
        head = views[found.canonical].id
        row = PointGroup(call_id=call_id, canonical_point_id=head, size=len(found.members))
        session.add(row)
        session.flush()
        for index in found.members:
            member = stored[views[index].id]
            member.group_id = row.id
            canonical[id_of(member)] = head
            session.add(member)
    session.flush()
    return canonical


def suggest(members: list[PointView]) -> merging.MergeSuggestion:
    """The merge suggestion for some points (typically one cluster's)."""
    return merging.suggest_merge(
        [
            merging.SourcePoint(view.id, view.text, view.organisation_id, view.visibility)
            for view in members
        ]
    )


def _groups(session: Session, call_id: int, views: list[PointView]) -> list[GroupView]:
    """The points gathered under their canonical wording, the most co-signed first."""
    by_id = {view.id: view for view in views}
    group_ids = {view.group_id for view in views if view.group_id is not None}
    heads = dict(
        session.exec(
            select(PointGroup.id, PointGroup.canonical_point_id).where(
                PointGroup.call_id == call_id, col(PointGroup.id).in_(group_ids)
            )
        ).all()
    )
    groups: dict[int, GroupView] = {}
    for view in views:
        head_id = heads.get(view.group_id) if view.group_id is not None else None
        head_id = head_id if head_id in by_id else view.id
        group = groups.setdefault(head_id, GroupView(by_id[head_id]))
        if head_id != view.id:
            group.copies.append(view)
    return sorted(groups.values(), key=lambda group: -len(group.copies))


def overview(*, session: Session, actor: Actor, call_id: int) -> Overview:
    """The topics of a call with their counts, and how much of the call the papers use."""
    require(actor, Action.PAPER_EDIT)
    per_cluster = dict(
        session.exec(
            select(Point.cluster_id, sa.func.count())
            .join(Statement, col(Statement.id) == Point.statement_id)
            .where(*_submitted(call_id))
            .group_by(col(Point.cluster_id))
        ).all()
    )
    clusters = session.exec(
        select(Cluster)
        .where(Cluster.call_id == call_id, col(Cluster.discarded).is_(False))
        .order_by(col(Cluster.position), col(Cluster.id))
    ).all()
    support = _support_by_cluster(session, call_id)
    used = session.exec(
        select(sa.func.count())
        .select_from(Point)
        .join(Statement, col(Statement.id) == Point.statement_id)
        .where(*_submitted(call_id), _used(call_id))
    ).one()
    analysed_at = last_analysis(session, call_id)
    since = 0
    if analysed_at is not None:
        since = session.exec(
            select(sa.func.count())
            .select_from(Statement)
            .where(*_submitted(call_id), col(Statement.submitted_at) > analysed_at)
        ).one()
    return Overview(
        topics=[
            TopicSummary(c, per_cluster[c.id], support.get(id_of(c), Support()))
            for c in clusters
            if per_cluster.get(c.id)
        ],
        total_points=sum(per_cluster.values()),
        used_points=used,
        loose_points=per_cluster.get(None, 0),
        analysed_at=analysed_at,
        submitted_since=since,
    )


def _support_by_cluster(session: Session, call_id: int) -> dict[int, Support]:
    rank = sa.case(
        *((col(Statement.visibility) == v, attribution.rank(v)) for v in attribution.PUBLICNESS)
    )
    best = (
        sa.select(col(Point.cluster_id).label("cluster"), sa.func.min(rank).label("rank"))
        .join(Statement, col(Statement.id) == Point.statement_id)
        .where(*_submitted(call_id), col(Point.cluster_id).is_not(None))
        .group_by(col(Point.cluster_id), col(Statement.organisation_id))
        .subquery()
    )
    counts: defaultdict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for cluster, level, number in session.execute(
        sa.select(best.c.cluster, best.c.rank, sa.func.count()).group_by(
            best.c.cluster, best.c.rank
        )
    ).all():
        counts[cluster][level] = number
    return {cluster: Support(*numbers) for cluster, numbers in counts.items()}


def _used(call_id: int) -> sa.ColumnElement[bool]:
    """Points the call's papers rest on: linked themselves or as part of a whole statement."""
    links = (
        sa.select(col(ParagraphSource.point_id), col(ParagraphSource.statement_id))
        .join(Paragraph, col(Paragraph.id) == ParagraphSource.paragraph_id)
        .join(Section, col(Section.id) == Paragraph.section_id)
        .join(Paper, col(Paper.id) == Section.paper_id)
        .where(col(Paper.call_id) == call_id)
        .subquery()
    )
    return sa.or_(
        col(Point.id).in_(sa.select(links.c.point_id).where(links.c.point_id.is_not(None))),
        col(Point.statement_id).in_(
            sa.select(links.c.statement_id).where(links.c.point_id.is_(None))
        ),
    )


def unused_points(
    *, session: Session, actor: Actor, call_id: int, limit: int | None = None
) -> list[PointView]:
    """Points no paper of the call rests on yet."""
    require(actor, Action.PAPER_EDIT)
    return _points(session, call_id, sa.not_(_used(call_id)), limit=limit)


def topic(*, session: Session, actor: Actor, cluster_id: int) -> ClusterView:
    """One topic with its points, gathered under their canonical wordings, the most
    co-signed first."""
    require(actor, Action.PAPER_EDIT)
    cluster = _cluster(session, cluster_id)
    views = _points(session, cluster.call_id, col(Point.cluster_id) == cluster_id)
    return ClusterView(cluster, _groups(session, cluster.call_id, views))


def loose_points(
    *, session: Session, actor: Actor, call_id: int, limit: int | None = None
) -> list[GroupView]:
    """Points the analysis put in no topic."""
    require(actor, Action.PAPER_EDIT)
    views = _points(session, call_id, col(Point.cluster_id).is_(None), limit=limit)
    return _groups(session, call_id, views)


def last_analysis(session: Session, call_id: int) -> datetime | None:
    return session.exec(
        select(AuditEvent.at)
        .where(
            AuditEvent.action == "analyse",
            AuditEvent.object_type == "call",
            AuditEvent.object_id == call_id,
        )
        .order_by(col(AuditEvent.at).desc())
    ).first()


def _cluster(session: Session, cluster_id: int) -> Cluster:
    cluster = session.get(Cluster, cluster_id)
    if cluster is None:
        raise NotFound("Dieses Thema gibt es nicht (mehr).")
    return cluster


def move_point(
    *,
    session: Session,
    actor: Actor,
    point_id: int,
    cluster_id: int | None,
    now: datetime | None = None,
) -> None:
    """Staff put a point (with its near-duplicates) into another topic; it stays there."""
    require(actor, Action.PAPER_EDIT)
    point = session.get(Point, point_id)
    if point is None:
        raise NotFound("Diesen Punkt gibt es nicht (mehr).")
    if cluster_id is not None:
        target = _cluster(session, cluster_id)
        statement = session.get(Statement, point.statement_id)
        if statement is None or statement.call_id != target.call_id:
            raise InvalidInput("Der Punkt gehört zu einem anderen Aufruf als dieses Thema.")
    members = [point]
    if point.group_id is not None:
        members = list(session.exec(select(Point).where(Point.group_id == point.group_id)).all())
    for member in members:
        member.cluster_id, member.cluster_pinned = cluster_id, True
        session.add(member)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="move_point",
        object_type="point",
        object_id=point_id,
        detail={"cluster": cluster_id},
        now=now,
    )


def rename_cluster(
    *, session: Session, actor: Actor, cluster_id: int, label: str, now: datetime | None = None
) -> Cluster:
    require(actor, Action.PAPER_EDIT)
    cluster = _cluster(session, cluster_id)
    if not label.strip():
        raise InvalidInput("Bitte geben Sie dem Thema einen Namen.")
    cluster.label, cluster.edited_by_staff = label.strip()[:200], True
    session.add(cluster)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="rename",
        object_type="cluster",
        object_id=cluster_id,
        now=now,
    )
    return cluster


def merge_clusters(
    *, session: Session, actor: Actor, keep_id: int, merge_id: int, now: datetime | None = None
) -> Cluster:
    """Put every point of one topic into another; the emptied topic goes away."""
    require(actor, Action.PAPER_EDIT)
    keep, merged = _cluster(session, keep_id), _cluster(session, merge_id)
    if keep.id == merged.id:
        raise InvalidInput("Ein Thema lässt sich nicht mit sich selbst zusammenlegen.")
    if keep.call_id != merged.call_id:
        raise InvalidInput("Nur Themen desselben Aufrufs lassen sich zusammenlegen.")
    for point in session.exec(select(Point).where(Point.cluster_id == merge_id)).all():
        point.cluster_id, point.cluster_pinned = keep_id, True
        session.add(point)
    keep.edited_by_staff = True
    session.add(keep)
    session.flush()
    session.delete(merged)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="merge",
        object_type="cluster",
        object_id=keep_id,
        detail={"merged": merge_id},
        now=now,
    )
    return keep


def split_cluster(
    *,
    session: Session,
    actor: Actor,
    cluster_id: int,
    point_ids: list[int],
    label: str,
    now: datetime | None = None,
) -> Cluster:
    """Move some points of a topic into a new topic of their own."""
    require(actor, Action.PAPER_EDIT)
    source = _cluster(session, cluster_id)
    if not point_ids:
        raise InvalidInput("Bitte wählen Sie die Punkte für das neue Thema.")
    inside = set(
        session.exec(
            select(Point.id).where(col(Point.id).in_(point_ids), Point.cluster_id == cluster_id)
        ).all()
    )
    if inside != set(point_ids):
        raise InvalidInput("Aufteilen lassen sich nur Punkte dieses Themas.")
    created = Cluster(
        call_id=source.call_id,
        label=(label.strip() or "Neues Thema")[:200],
        edited_by_staff=True,
        position=source.position + 1,
        created_at=now or utcnow(),
    )
    session.add(created)
    session.flush()
    for point_id in point_ids:
        move_point(
            session=session, actor=actor, point_id=point_id, cluster_id=id_of(created), now=now
        )
    return created


def discard_cluster(
    *, session: Session, actor: Actor, cluster_id: int, now: datetime | None = None
) -> None:
    """Set a topic aside (it stays set aside on re-runs)."""
    require(actor, Action.PAPER_EDIT)
    cluster = _cluster(session, cluster_id)
    cluster.discarded, cluster.edited_by_staff = True, True
    session.add(cluster)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="discard",
        object_type="cluster",
        object_id=cluster_id,
        now=now,
    )


def accept_suggestion(
    *,
    session: Session,
    actor: Actor,
    cluster_id: int,
    section_id: int,
    text: str,
    is_core_demand: bool = False,
    now: datetime | None = None,
) -> Paragraph:
    """Take a cluster's (edited) suggestion into a paper section, linked to every point of
    the cluster that supports it (near-duplicates included). Points that reject the
    cluster's demand, or name other figures or another addressee than the suggestion, are
    not its sources: the paper must not claim a member for a demand it does not make."""
    require(actor, Action.PAPER_EDIT)
    cluster = _cluster(session, cluster_id)
    views = _points(session, cluster.call_id, col(Point.cluster_id) == cluster_id)
    excluded = suggest(views).excluded_keys
    sources = tuple(
        SourceRef(point_id=view.id, how=SourceHow.MERGED)
        for view in views
        if view.id not in excluded
    )
    paragraph = papers.add_paragraph(
        session=session,
        actor=actor,
        section_id=section_id,
        text=text,
        is_core_demand=is_core_demand,
        sources=sources,
        now=now,
    )
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="accept_suggestion",
        object_type="cluster",
        object_id=id_of(cluster),
        detail={"paragraph": paragraph.id},
        now=now,
    )
    return paragraph


def suggest_sources(
    *, session: Session, actor: Actor, call_id: int, text: str, top: int = tracing.TOP
) -> list[tuple[PointView, float]]:
    """For a paragraph staff wrote: the points of the call it most likely rests on (one
    wording per group of near-duplicates; `find_sources` also says who else sent it)."""
    found = find_sources(session=session, actor=actor, call_id=call_id, text=text, top=top)
    return [(suggestion.group.canonical, suggestion.score) for suggestion in found.sources]


@dataclass(frozen=True)
class SuggestedSource:
    """A group of near-duplicates a paragraph rests on: the wording traced, and the same
    demand sent by other members (`group.copies`), so the paragraph rests on theirs as much."""

    group: GroupView
    score: float


@dataclass(frozen=True)
class SourceConflict:
    """A point a paragraph would rest on, but which says something else: another year,
    addressee or stance (`contradictions`)."""

    point: PointView
    score: float
    contradictions: tuple[guards.Contradiction, ...]


@dataclass(frozen=True)
class FoundSources:
    """Suggested sources, conflicts, and `related` groups: points that make the paragraph's
    demand in other words (`tracing.Findings.related`), less certain, for staff to check."""

    sources: list[SuggestedSource]
    conflicts: list[SourceConflict]
    related: list[SuggestedSource] = field(default_factory=list)


def find_sources(
    *, session: Session, actor: Actor, call_id: int, text: str, top: int = tracing.TOP
) -> FoundSources:
    """The points of the call a paragraph staff wrote most likely rests on, each with its
    near-duplicates, the look-alike points the paragraph contradicts ("bis 2035" for a
    paragraph demanding "bis 2030"; staff see those, they are never suggested), and points
    that make its demand in other words, offered apart for staff to check."""
    require(actor, Action.PAPER_EDIT)
    if not text.strip():
        return FoundSources([], [])
    groups = _groups(session, call_id, _points(session, call_id))
    if not groups:
        return FoundSources([], [])
    found = tracing.TraceIndex(
        [group.canonical.text for group in groups],
        copies=[[copy.text for copy in group.copies] for group in groups],
    ).find(text, top=top)
    return FoundSources(
        sources=[SuggestedSource(groups[t.point_index], t.score) for t in found.sources],
        conflicts=[
            SourceConflict(groups[c.point_index].canonical, c.score, c.contradictions)
            for c in found.conflicts
        ],
        related=[SuggestedSource(groups[t.point_index], t.score) for t in found.related],
    )
