"""The language model at work on a call's topics: reads what may be sent, asks the model
(`positions.core.language_model`), checks its drafts (`topic_drafts`) and, once staff
confirmed a draft, takes it into a paper with the points it rests on as sources.

Nothing is sent when no model is configured (`NotConfigured`). The database is read in
`prepare_topic` / `prepare_call`; the model is asked in `draft_topic` / `draft_call`, outside
any database session, since an answer can take a minute. Organisation names never leave:
points carry only their text, and every name of an organisation that answered the call is
replaced by "[Mitglied]" in that text before it is sent (a member may name itself or
another member in its own words). Limits: names are matched as whole words, ignoring
case; a misspelt name or a person's name stays, and a name that is also an everyday word is
removed wherever it stands.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db.models import (
    Cluster,
    Organisation,
    Paragraph,
    Point,
    SourceHow,
    Statement,
    StatementStatus,
    id_of,
)
from positions.analysis import topic_drafts
from positions.analysis.topic_drafts import Coverage, Selection, TopicDraft, TopicPoint
from positions.core import attribution, audit, labels, language_model, settings
from positions.core.errors import InvalidInput, NotFound
from positions.core.language_model import LanguageModelError
from positions.core.permissions import Action, Actor, require
from positions.core.settings import LanguageModel
from positions.papers import papers
from positions.papers.snapshot import SourceRef

NAME_PLACEHOLDER = "[Mitglied]"
NOT_CONFIGURED = (
    "Es ist kein Sprachmodell eingerichtet. Eine Administratorin oder ein Administrator kann "
    "unter „Einstellungen“ ein Modell auf einem Rechner des Verbands eintragen; ohne Modell "
    "funktioniert alles wie bisher."
)


class NotConfigured(InvalidInput):
    def __init__(self) -> None:
        super().__init__(NOT_CONFIGURED)


@dataclass(frozen=True)
class TopicRequest:
    """What one topic's request sends (plain data, ready to go without the database)."""

    call_id: int
    cluster_id: int
    selection: Selection
    config: LanguageModel


@dataclass(frozen=True)
class CallRequest:
    call_id: int
    topics: tuple[TopicRequest, ...]
    statement_ids: tuple[int, ...]
    outside_topics: dict[int, str]
    """Statements none of whose points is in a topic, with the reason."""


@dataclass(frozen=True)
class CallDrafts:
    drafts: dict[int, TopicDraft]
    failed: dict[int, str]
    """Cluster id → the German error of its request."""
    coverage: Coverage


def configured(*, session: Session) -> bool:
    """Whether a language model is set up (pages hide or explain its buttons otherwise)."""
    return settings.language_model(session=session) is not None


def _config(session: Session) -> LanguageModel:
    config = settings.language_model(session=session)
    if config is None:
        raise NotConfigured()
    return config


def _submitted(call_id: int) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        col(Statement.call_id) == call_id,
        col(Statement.status) == StatementStatus.SUBMITTED,
    )


def _name_pattern(session: Session, call_id: int) -> re.Pattern[str] | None:
    """Every name of an organisation that answered the call, longest first."""
    rows = session.exec(
        select(Organisation.name, Organisation.short_name)
        .join(Statement, col(Statement.organisation_id) == Organisation.id)
        .where(col(Statement.call_id) == call_id)
    ).all()
    names = sorted({n.strip() for row in rows for n in row if n and len(n.strip()) >= 2}, key=len)
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in reversed(names))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _topic_points(
    session: Session, call_id: int, cluster_ids: list[int]
) -> dict[int, list[TopicPoint]]:
    """The points of some topics as they may be sent: organisation names removed."""
    pattern = _name_pattern(session, call_id)
    columns = (
        Point.id,
        Point.text,
        Point.statement_id,
        Statement.visibility,
        Point.group_id,
        Point.cluster_id,
    )
    rows = session.execute(
        sa.select(*(col(column) for column in columns))
        .join(Statement, col(Statement.id) == Point.statement_id)
        .where(*_submitted(call_id), col(Point.cluster_id).in_(cluster_ids))
        .order_by(col(Statement.id), col(Point.position))
    ).all()
    by_cluster: dict[int, list[TopicPoint]] = {cluster_id: [] for cluster_id in cluster_ids}
    for point_id, text, statement_id, visibility, group_id, cluster_id in rows:
        if point_id is None or cluster_id is None:
            continue
        clean = pattern.sub(NAME_PLACEHOLDER, text) if pattern else text
        by_cluster[cluster_id].append(
            TopicPoint(point_id, clean, statement_id, visibility, group_id)
        )
    return by_cluster


def _cluster(session: Session, cluster_id: int) -> Cluster:
    cluster = session.get(Cluster, cluster_id)
    if cluster is None:
        raise NotFound("Dieses Thema gibt es nicht (mehr).")
    return cluster


def _select(points: list[TopicPoint], config: LanguageModel) -> Selection:
    return topic_drafts.select_points(
        points, send_internal=config.send_internal, send_anonymous=config.send_anonymous
    )


def prepare_topic(*, session: Session, actor: Actor, cluster_id: int) -> TopicRequest:
    """What a draft for one topic would send; `NotConfigured` without a model."""
    require(actor, Action.PAPER_EDIT)
    config = _config(session)
    cluster = _cluster(session, cluster_id)
    points = _topic_points(session, cluster.call_id, [cluster_id])[cluster_id]
    return TopicRequest(cluster.call_id, cluster_id, _select(points, config), config)


def prepare_call(*, session: Session, actor: Actor, call_id: int) -> CallRequest:
    """What drafts for every topic of a call would send, and which statements are in no topic."""
    require(actor, Action.PAPER_EDIT)
    config = _config(session)
    cluster_ids = [
        id_of(c)
        for c in session.exec(
            select(Cluster)
            .where(Cluster.call_id == call_id, col(Cluster.discarded).is_(False))
            .order_by(col(Cluster.position), col(Cluster.id))
        ).all()
    ]
    by_cluster = _topic_points(session, call_id, cluster_ids)
    statement_ids = [
        s for s in session.exec(select(Statement.id).where(*_submitted(call_id))).all() if s
    ]
    with_points = set(
        session.exec(
            select(Point.statement_id)
            .join(Statement, col(Statement.id) == Point.statement_id)
            .where(*_submitted(call_id))
        ).all()
    )
    in_topics = {p.statement_id for points in by_cluster.values() for p in points}
    outside = {
        s: (
            "keine Punkte (leer oder noch nicht zerlegt)"
            if s not in with_points
            else "in keinem Thema (ohne Thema oder beiseitegelegt)"
        )
        for s in statement_ids
        if s not in in_topics
    }
    topics = tuple(
        TopicRequest(call_id, cluster_id, _select(points, config), config)
        for cluster_id, points in by_cluster.items()
        if points
    )
    return CallRequest(call_id, topics, tuple(statement_ids), outside)


def draft_topic(request: TopicRequest) -> TopicDraft:
    """Ask the model for one topic's name, summary and paragraph, and check the answer;
    `LanguageModelError` when the model fails."""
    if not request.selection.sent:
        raise InvalidInput(
            "Kein Punkt dieses Themas darf an das Sprachmodell gehen: alle stammen aus "
            "Stellungnahmen, die „nur intern“ oder anonym sind und dafür nicht freigegeben wurden."
        )
    answer = language_model.chat_json(request.config, topic_drafts.messages(request.selection))
    return topic_drafts.read_draft(answer, request.selection)


def draft_call(
    request: CallRequest, *, progress: Callable[[float, str], None] | None = None
) -> CallDrafts:
    """Drafts for every topic of a call; a failing topic is reported, the others go on."""
    drafts: dict[int, TopicDraft] = {}
    failed: dict[int, str] = {}
    total = max(len(request.topics), 1)
    for done, topic in enumerate(request.topics):
        if progress:
            progress(done / total, f"Thema {done + 1} von {len(request.topics)} …")
        try:
            drafts[topic.cluster_id] = draft_topic(topic)
        except (LanguageModelError, InvalidInput) as error:
            failed[topic.cluster_id] = error.message
    if progress:
        progress(1.0, "Fertig")
    covered = topic_drafts.coverage(
        list(request.statement_ids),
        {t.cluster_id: (t.selection, failed.get(t.cluster_id)) for t in request.topics},
        outside_topics=request.outside_topics,
    )
    return CallDrafts(drafts, failed, covered)


def statement_names(*, session: Session, actor: Actor, statement_ids: list[int]) -> dict[int, str]:
    """How staff see who sent a statement: the organisation where it allowed naming, else
    "Stellungnahme 12 (anonym)"."""
    require(actor, Action.PAPER_EDIT)
    rows = session.execute(
        sa.select(col(Statement.id), col(Statement.visibility), col(Organisation.name))
        .join(Organisation, col(Organisation.id) == Statement.organisation_id)
        .where(col(Statement.id).in_(statement_ids))
    ).all()
    names: dict[int, str] = {}
    for statement_id, visibility, name in rows:
        if statement_id is None:
            continue
        names[statement_id] = (
            name
            if attribution.may_name(visibility)
            else f"Stellungnahme {statement_id} ({labels.UNNAMED.get(visibility, 'anonym')})"
        )
    return names


def accept_draft(
    *,
    session: Session,
    actor: Actor,
    cluster_id: int,
    section_id: int,
    text: str,
    point_ids: tuple[int, ...],
    is_core_demand: bool = False,
    now: datetime | None = None,
) -> Paragraph:
    """Take a checked draft, as staff confirmed (and perhaps edited) it, into a paper
    section, linked to the points its sentences cite."""
    require(actor, Action.PAPER_EDIT)
    cluster = _cluster(session, cluster_id)
    if not point_ids:
        raise InvalidInput("Der Entwurf hat keinen belegten Satz; es gibt nichts zu übernehmen.")
    found = set(
        session.exec(
            select(Point.id)
            .join(Statement, col(Statement.id) == Point.statement_id)
            .where(col(Point.id).in_(point_ids), *_submitted(cluster.call_id))
        ).all()
    )
    if found != set(point_ids):
        raise InvalidInput(
            "Einige Punkte, auf denen der Entwurf beruht, gibt es nicht mehr oder sie gehören "
            "zu keiner eingereichten Stellungnahme dieses Aufrufs. Bitte lassen Sie den "
            "Entwurf neu erstellen."
        )
    paragraph = papers.add_paragraph(
        session=session,
        actor=actor,
        section_id=section_id,
        text=text,
        is_core_demand=is_core_demand,
        sources=tuple(SourceRef(point_id=p, how=SourceHow.MERGED) for p in point_ids),
        now=now,
    )
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="accept_model_draft",
        object_type="cluster",
        object_id=cluster_id,
        detail={"paragraph": paragraph.id, "sources": len(point_ids)},
        now=now,
    )
    return paragraph
