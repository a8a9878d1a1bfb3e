"""What the forums made of our demands: published results (Grundsatzpapiere, Leitlinien),
the passages that take our paragraphs up or turn them down, staff's confirmation, and the
adoption rates per forum and paper."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from db.models import (
    Forum,
    MatchKind,
    MatchStatus,
    Outcome,
    OutcomeMatch,
    Paper,
    PaperStatus,
    Paragraph,
    Section,
    id_of,
)
from positions.core import audit, cleaning
from positions.core.clock import utcnow
from positions.core.embedding_store import Progress, StoredEmbeddings
from positions.core.errors import InvalidInput, NotFound
from positions.core.permissions import Action, Actor, require
from positions.followup import impact, outcome_text
from positions.forums import documents

SENT = (PaperStatus.SUBMITTED, PaperStatus.OUTCOME_RECORDED)


@dataclass(frozen=True)
class OutcomeInput:
    title: str
    publisher: str = ""
    published_on: date | None = None
    url: str = ""
    pasted_text: str = ""
    file: tuple[str, bytes] | None = None  # a PDF, Word or text file with the outcome's text


def record_outcome(
    *,
    session: Session,
    actor: Actor,
    forum_id: int,
    values: OutcomeInput,
    now: datetime | None = None,
) -> Outcome:
    """A published result of a forum with its text, from a file or pasted."""
    require(actor, Action.OUTCOME_MANAGE)
    now = now or utcnow()
    if session.get(Forum, forum_id) is None:
        raise NotFound("Dieses Forum gibt es nicht.")
    title = cleaning.clean_line(values.title)
    if not title:
        raise InvalidInput("Bitte geben Sie den Titel des Ergebnisses an.")
    if values.url and not values.url.strip().startswith(("https://", "http://")):
        raise InvalidInput("Der Link muss mit https:// beginnen.")
    document_id = None
    if values.file is not None:
        name, data = values.file
        text = outcome_text.outcome_text_from_upload(name, data)
        document_id = documents.upload(
            session=session, actor=actor, filename=name, data=data, forum_id=forum_id, now=now
        ).id
    elif values.pasted_text.strip():
        text = outcome_text.outcome_text_from_paste(values.pasted_text)
    else:
        raise InvalidInput("Bitte laden Sie den Text hoch oder fügen Sie ihn ein.")
    outcome = Outcome(
        forum_id=forum_id,
        title=title[:300],
        publisher=cleaning.clean_line(values.publisher),
        published_on=values.published_on,
        url=cleaning.clean_line(values.url),
        document_id=document_id,
        text=text,
        created_at=now,
    )
    session.add(outcome)
    session.flush()
    audit.created(session=session, actor_id=actor.user_id, row=outcome, now=now)
    return outcome


def demands_for(*, session: Session, forum_id: int) -> list[tuple[Paragraph, Paper]]:
    """The paragraphs (Kernforderungen first) of the papers sent to a forum."""
    rows = session.exec(
        select(Paragraph, Paper)
        .join(Section, col(Section.id) == Paragraph.section_id)
        .join(Paper, col(Paper.id) == Section.paper_id)
        .where(
            Paper.forum_id == forum_id,
            col(Paper.status).in_(SENT),
            col(Paragraph.is_minority_opinion).is_(False),
        )
        .order_by(col(Paragraph.is_core_demand).desc(), col(Paper.id), col(Paragraph.id))
    ).all()
    return [(paragraph, paper) for paragraph, paper in rows]


def find_matches(
    *,
    session: Session,
    actor: Actor,
    outcome_id: int,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> list[OutcomeMatch]:
    """Search the outcome for every paragraph sent to its forum and store the passages as
    suggestions; staff's earlier decisions on the same passages stay.

    Sentence vectors come from the database cache (computed once per sentence);
    `progress(done, total)` is called while missing ones are computed."""
    require(actor, Action.OUTCOME_MANAGE)
    now = now or utcnow()
    outcome = session.get(Outcome, outcome_id)
    if outcome is None:
        raise NotFound("Dieses Ergebnis gibt es nicht.")
    demands = demands_for(session=session, forum_id=outcome.forum_id)
    if not demands:
        raise InvalidInput(
            "An dieses Forum wurde noch kein Papier eingereicht; es gibt keine "
            "Forderungen, nach denen gesucht werden könnte."
        )
    assessment = impact.assess_outcome(
        [impact.Demand(id_of(paragraph), paragraph.text) for paragraph, _ in demands],
        outcome.text,
        embed=StoredEmbeddings(session, progress=progress),
    )
    decided = {
        (m.paragraph_id, m.start, m.end): m
        for m in session.exec(
            select(OutcomeMatch).where(OutcomeMatch.outcome_id == outcome_id)
        ).all()
    }
    for previous in decided.values():
        if previous.status == MatchStatus.SUGGESTED:
            session.delete(previous)
    session.flush()
    stored = []
    found = [(m, MatchKind(m.kind)) for m in assessment.adoptions] + [
        (m, MatchKind.TURNED_DOWN) for m in assessment.rejections
    ]
    for match, kind in found:
        earlier = decided.get((match.demand_key, match.start, match.end))
        if earlier is not None and earlier.status != MatchStatus.SUGGESTED:
            stored.append(earlier)
            continue
        row = OutcomeMatch(
            outcome_id=outcome_id,
            paragraph_id=match.demand_key,
            score=round(match.score, 4),
            quote=match.quote,
            start=match.start,
            end=match.end,
            kind=kind,
            status=MatchStatus.SUGGESTED,
        )
        session.add(row)
        stored.append(row)
    session.flush()
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="find_matches",
        object_type="outcome",
        object_id=outcome_id,
        detail={"found": len(stored)},
        now=now,
    )
    return stored


def decide(
    *, session: Session, actor: Actor, match_id: int, confirmed: bool, now: datetime | None = None
) -> OutcomeMatch:
    """Staff confirm or reject a found passage; only confirmed ones count."""
    require(actor, Action.OUTCOME_MANAGE)
    match = session.get(OutcomeMatch, match_id)
    if match is None:
        raise NotFound("Diese Fundstelle gibt es nicht.")
    match.status = MatchStatus.CONFIRMED if confirmed else MatchStatus.REJECTED
    match.decided_by_id, match.decided_at = actor.user_id or None, now or utcnow()
    session.add(match)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="decide_match",
        object_type="outcomematch",
        object_id=match_id,
        detail={"confirmed": confirmed},
        now=now,
    )
    return match


@dataclass(frozen=True)
class MatchView:
    match: OutcomeMatch
    paragraph: Paragraph
    paper: Paper


def matches_of(*, session: Session, actor: Actor, outcome_id: int) -> list[MatchView]:
    require(actor, Action.OUTCOME_READ)
    rows = session.exec(
        select(OutcomeMatch, Paragraph, Paper)
        .join(Paragraph, col(Paragraph.id) == OutcomeMatch.paragraph_id)
        .join(Section, col(Section.id) == Paragraph.section_id)
        .join(Paper, col(Paper.id) == Section.paper_id)
        .where(OutcomeMatch.outcome_id == outcome_id)
        .order_by(col(OutcomeMatch.start))
    ).all()
    return [MatchView(m, p, paper) for m, p, paper in rows]


def outcomes_of(*, session: Session, actor: Actor, forum_id: int) -> list[Outcome]:
    require(actor, Action.OUTCOME_READ)
    return list(
        session.exec(
            select(Outcome)
            .where(Outcome.forum_id == forum_id)
            .order_by(col(Outcome.published_on).desc(), col(Outcome.id).desc())
        ).all()
    )


@dataclass(frozen=True)
class Adoption:
    """How the demands sent to a forum (or in one paper) fared."""

    demands: int
    adopted: int  # confirmed, taken up verbatim
    partly: int  # confirmed, taken up in other words
    turned_down: int  # confirmed: the outcome says no
    by_paragraph: dict[int, str]  # paragraph id → "übernommen", "sinngemäß", "abgelehnt"

    @property
    def not_taken_up(self) -> int:
        return self.demands - self.adopted - self.partly

    @property
    def rate(self) -> float:
        """Share of the demands taken up (verbatim or in other words)."""
        return (self.adopted + self.partly) / self.demands if self.demands else 0.0


_RANK = {MatchKind.VERBATIM: 3, MatchKind.REWORDED: 2, MatchKind.TURNED_DOWN: 1}
_LABEL = {
    MatchKind.VERBATIM: "übernommen",
    MatchKind.REWORDED: "sinngemäß übernommen",
    MatchKind.TURNED_DOWN: "abgelehnt",
}


def adoption(
    *,
    session: Session,
    actor: Actor,
    forum_id: int | None = None,
    paper_id: int | None = None,
    until: date | None = None,
    core_only: bool = True,
) -> Adoption:
    """Confirmed adoptions of the Kernforderungen sent to a forum or in a paper (all
    paragraphs with `core_only=False`); outcomes published after `until` are left out."""
    require(actor, Action.OUTCOME_READ)
    query = (
        select(Paragraph)
        .join(Section, col(Section.id) == Paragraph.section_id)
        .join(Paper, col(Paper.id) == Section.paper_id)
        .where(col(Paper.status).in_(SENT), col(Paragraph.is_minority_opinion).is_(False))
    )
    if forum_id is not None:
        query = query.where(Paper.forum_id == forum_id)
    if paper_id is not None:
        query = query.where(Paper.id == paper_id)
    if core_only:
        query = query.where(col(Paragraph.is_core_demand))
    paragraph_ids = [id_of(p) for p in session.exec(query).all()]
    best = {
        paragraph_id: MatchKind(match.kind)
        for paragraph_id, (match, _) in _best_matches(session, paragraph_ids, until).items()
    }
    counts: dict[MatchKind, int] = defaultdict(int)
    for kind in best.values():
        counts[kind] += 1
    return Adoption(
        len(paragraph_ids),
        counts[MatchKind.VERBATIM],
        counts[MatchKind.REWORDED],
        counts[MatchKind.TURNED_DOWN],
        {k: _LABEL[v] for k, v in best.items()},
    )


def _best_matches(
    session: Session, paragraph_ids: list[int], until: date | None = None
) -> dict[int, tuple[OutcomeMatch, Outcome]]:
    """Each paragraph's strongest confirmed match (verbatim over reworded over turned down)
    with its outcome; outcomes published after `until` are left out."""
    best: dict[int, tuple[OutcomeMatch, Outcome]] = {}
    for match, outcome in session.exec(
        select(OutcomeMatch, Outcome)
        .join(Outcome, col(Outcome.id) == OutcomeMatch.outcome_id)
        .where(
            col(OutcomeMatch.paragraph_id).in_(paragraph_ids),
            OutcomeMatch.status == MatchStatus.CONFIRMED,
        )
    ).all():
        if until is not None and outcome.published_on and outcome.published_on > until:
            continue
        known = best.get(match.paragraph_id)
        if known is None or _RANK[MatchKind(match.kind)] > _RANK[MatchKind(known[0].kind)]:
            best[match.paragraph_id] = (match, outcome)
    return best


def adoption_over_time(
    *, session: Session, actor: Actor, forum_id: int
) -> list[tuple[date, float]]:
    """The forum's adoption rate after each of its dated outcomes."""
    points = []
    for outcome in sorted(
        (o for o in outcomes_of(session=session, actor=actor, forum_id=forum_id) if o.published_on),
        key=lambda o: o.published_on or date.min,
    ):
        assert outcome.published_on is not None
        rate = adoption(
            session=session, actor=actor, forum_id=forum_id, until=outcome.published_on
        ).rate
        points.append((outcome.published_on, rate))
    return points


@dataclass(frozen=True)
class DemandFate:
    """One Kernforderung of a sent paper and what the forums' results made of it."""

    paragraph: Paragraph
    label: str  # "übernommen", "sinngemäß übernommen", "abgelehnt" or "" (not found yet)
    outcome: Outcome | None
    quote: str


def paper_impact(*, session: Session, actor: Actor, paper_id: int) -> list[DemandFate]:
    """The paper's Kernforderungen in order, each with its best confirmed match."""
    require(actor, Action.OUTCOME_READ)
    paragraphs = session.exec(
        select(Paragraph)
        .join(Section, col(Section.id) == Paragraph.section_id)
        .where(Section.paper_id == paper_id, col(Paragraph.is_core_demand))
        .order_by(col(Section.position), col(Paragraph.position), col(Paragraph.id))
    ).all()
    best = _best_matches(session, [id_of(p) for p in paragraphs])
    fates = []
    for paragraph in paragraphs:
        found = best.get(id_of(paragraph))
        if found is None:
            fates.append(DemandFate(paragraph, "", None, ""))
        else:
            match, outcome = found
            fates.append(DemandFate(paragraph, _LABEL[MatchKind(match.kind)], outcome, match.quote))
    return fates
