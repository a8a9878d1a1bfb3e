"""Member review (Mitgliederbeteiligung): member organisations mark each paragraph of the
draft with support, concern or dissent, may comment and ask for a minority opinion (and say
whether they may be named with it); staff see the tally, answer, and take accepted minority
opinions into the paper.

A review belongs to the version it reviewed: its paragraph may be deleted later, and the
review keeps the paragraph's text from that version.

Members review while logged in or through a personal review link; either way they see the
version under review and their own organisation's review, never another member's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, func, select

from db.models import (
    Organisation,
    Paper,
    PaperStatus,
    PaperVersion,
    Paragraph,
    Review,
    Section,
    Stance,
    id_of,
)
from positions.core import audit, cleaning
from positions.core.clock import today_in_berlin, utcnow
from positions.core.errors import InvalidInput, NotFound, PermissionDenied
from positions.core.formatting import long_date
from positions.core.permissions import Action, Actor, require
from positions.papers import papers, snapshot
from positions.papers.snapshot import SnapshotParagraph

MAX_COMMENT = 5_000


@dataclass(frozen=True)
class ReviewInput:
    paragraph_id: int
    stance: Stance
    comment: str = ""
    minority_opinion: bool = False
    # The member's own consent to be named with its minority opinion.
    name_consent: bool = False


@dataclass(frozen=True)
class ReviewParagraph:
    """A paragraph as the reviewing member sees it, with their own earlier review."""

    id: int
    section: str
    text: str
    is_core_demand: bool
    mine: Review | None


@dataclass(frozen=True)
class ReviewSheet:
    paper: Paper
    version: PaperVersion
    paragraphs: list[ReviewParagraph]
    open: bool  # False after the review deadline


def review_version(*, session: Session, paper: Paper) -> PaperVersion:
    """The version members review: the latest one saved during the review."""
    version = session.exec(
        select(PaperVersion)
        .where(PaperVersion.paper_id == paper.id, PaperVersion.status == PaperStatus.MEMBER_REVIEW)
        .order_by(col(PaperVersion.number).desc())
    ).first()
    if version is None:
        raise InvalidInput("Für dieses Papier läuft keine Mitgliederbeteiligung.")
    return version


def _paragraphs_of(version: PaperVersion) -> list[tuple[str, SnapshotParagraph]]:
    return [(section.title, paragraph) for section, paragraph in snapshot.of(version).paragraphs()]


def _paper_to_review(*, session: Session, actor: Actor, paper_id: int) -> Paper:
    """The paper, if the member may review it now (`permissions.shared_for_review`)."""
    require(actor, Action.PAPER_REVIEW)
    paper = session.get(Paper, paper_id)
    if paper is None:
        raise NotFound("Dieses Papier gibt es nicht.")
    if actor.paper_id == paper.id and paper.status != PaperStatus.MEMBER_REVIEW:
        # The review link's own paper: it may say why the link opens nothing any more.
        raise InvalidInput(
            "Die Mitgliederbeteiligung zu diesem Papier ist beendet. Vielen Dank für Ihre "
            "Rückmeldung."
        )
    require(actor, Action.PAPER_REVIEW, paper, session=session)
    return paper


def review_sheet(
    *, session: Session, actor: Actor, paper_id: int, now: datetime | None = None
) -> ReviewSheet:
    """What a member organisation reviews, with what it said so far."""
    paper = _paper_to_review(session=session, actor=actor, paper_id=paper_id)
    version = review_version(session=session, paper=paper)
    mine = {
        r.paragraph_id: r
        for r in session.exec(
            select(Review).where(
                Review.paper_version_id == version.id,
                Review.organisation_id == actor.organisation_id,
            )
        ).all()
    }
    open_ = paper.review_deadline is None or today_in_berlin(now) <= paper.review_deadline
    return ReviewSheet(
        paper,
        version,
        [
            ReviewParagraph(p.id, title, p.text, p.is_core_demand, mine.get(p.id))
            for title, p in _paragraphs_of(version)
            if not p.is_minority_opinion
        ],
        open_,
    )


def submit_review(
    *,
    session: Session,
    actor: Actor,
    paper_id: int,
    version_number: int,
    entries: list[ReviewInput],
    now: datetime | None = None,
) -> list[Review]:
    """Store the organisation's review of one version (replacing its earlier one)."""
    now = now or utcnow()
    sheet = review_sheet(session=session, actor=actor, paper_id=paper_id, now=now)
    if not sheet.open:
        assert sheet.paper.review_deadline is not None
        raise InvalidInput(
            f"Die Beteiligung endete am {long_date(sheet.paper.review_deadline)};"
            " Rückmeldungen sind nicht mehr möglich."
        )
    if sheet.version.number != version_number:
        raise InvalidInput(
            "Inzwischen liegt eine neuere Fassung zur Beteiligung vor. Bitte "
            "laden Sie die Seite neu und prüfen Sie die neue Fassung."
        )
    known = {p.id for p in sheet.paragraphs}
    if not entries:
        raise InvalidInput("Bitte bewerten Sie mindestens einen Absatz.")
    for entry in entries:
        if entry.paragraph_id not in known:
            raise InvalidInput("Dieser Absatz gehört nicht zur Fassung, die Sie prüfen.")
        if len(entry.comment) > MAX_COMMENT:
            raise InvalidInput("Ein Kommentar darf höchstens 5.000 Zeichen lang sein.")
        if entry.minority_opinion and (entry.stance == Stance.SUPPORT or not entry.comment.strip()):
            raise InvalidInput(
                "Eine Mindermeinung braucht Bedenken oder Ablehnung und einen "
                "Text, der sie begründet."
            )
    assert actor.organisation_id is not None
    saved = []
    for entry in entries:
        review = session.exec(
            select(Review).where(
                Review.paper_version_id == sheet.version.id,
                Review.organisation_id == actor.organisation_id,
                Review.paragraph_id == entry.paragraph_id,
            )
        ).first() or Review(
            paper_version_id=id_of(sheet.version),
            organisation_id=actor.organisation_id,
            paragraph_id=entry.paragraph_id,
            stance=entry.stance,
        )
        review.stance, review.comment = entry.stance, cleaning.clean(entry.comment)
        review.minority_opinion_requested = entry.minority_opinion
        # Consent means something only for a minority opinion the member asks for.
        review.name_consent = entry.minority_opinion and entry.name_consent
        review.author_id, review.created_at = actor.user_id, now
        session.add(review)
        saved.append(review)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="review",
        object_type="paper",
        object_id=paper_id,
        detail={"version": version_number, "paragraphs": len(entries)},
        now=now,
    )
    return saved


@dataclass
class Tally:
    """The reviews of one paragraph: counts per stance and the comments. A paragraph
    deleted after it was reviewed keeps its section and text from the reviewed version."""

    paragraph_id: int
    section: str
    text: str
    counts: dict[Stance, int] = field(default_factory=lambda: dict.fromkeys(Stance, 0))
    reviews: list[tuple[Review, str]] = field(default_factory=list)
    deleted: bool = False


def tally(*, session: Session, actor: Actor, paper_id: int) -> list[Tally]:
    """Paragraph × stance counts over every review of the paper (the newest per
    organisation and paragraph), with the reviewing organisations, for staff and board."""
    require(actor, Action.PAPER_READ)
    if not actor.acts_for_association:
        raise PermissionDenied()
    paper = papers.get_paper(session=session, actor=actor, paper_id=paper_id)
    latest = papers.latest_version(session=session, paper=paper)
    rows = session.exec(
        select(Review, Organisation, PaperVersion)
        .join(Organisation, col(Organisation.id) == Review.organisation_id)
        .join(PaperVersion, col(PaperVersion.id) == Review.paper_version_id)
        .where(PaperVersion.paper_id == paper_id)
        .order_by(col(PaperVersion.number).desc())
    ).all()
    newest: dict[tuple[int, int], tuple[Review, str, PaperVersion]] = {}
    for review, organisation, version in rows:
        newest.setdefault(
            (review.paragraph_id, review.organisation_id), (review, organisation.name, version)
        )
    by_paragraph: dict[int, Tally] = {}
    if latest is not None:
        for title, p in _paragraphs_of(latest):
            by_paragraph[p.id] = Tally(p.id, title, p.text)
    for (paragraph_id, _), (review, name, version) in newest.items():
        entry = by_paragraph.get(paragraph_id)
        if entry is None:
            entry = by_paragraph[paragraph_id] = _deleted(paragraph_id, version)
        entry.counts[review.stance] += 1
        entry.reviews.append((review, name))
    return list(by_paragraph.values())


def _deleted(paragraph_id: int, reviewed: PaperVersion) -> Tally:
    """A reviewed paragraph the paper no longer has, as the review saw it."""
    for title, p in _paragraphs_of(reviewed):
        if p.id == paragraph_id:
            return Tally(paragraph_id, title, p.text, deleted=True)
    return Tally(paragraph_id, "", "", deleted=True)


def reply(
    *, session: Session, actor: Actor, review_id: int, text: str, now: datetime | None = None
) -> Review:
    """Staff answer a member's comment."""
    require(actor, Action.PAPER_EDIT)
    review = session.get(Review, review_id)
    if review is None:
        raise NotFound("Diese Rückmeldung gibt es nicht.")
    review.staff_reply = cleaning.clean(text)[:MAX_COMMENT]
    session.add(review)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="review_reply",
        object_type="review",
        object_id=review_id,
        now=now,
    )
    return review


def accept_minority_opinion(
    *, session: Session, actor: Actor, review_id: int, named: bool, now: datetime | None = None
) -> Paragraph:
    """Take a requested minority opinion into the paper, right after the paragraph it
    concerns, set apart as a Mindermeinung (named only when `named`, which needs the
    member's own consent)."""
    require(actor, Action.PAPER_EDIT)
    now = now or utcnow()
    review = session.get(Review, review_id)
    if review is None or not review.minority_opinion_requested:
        raise InvalidInput("Zu dieser Rückmeldung wurde keine Mindermeinung erbeten.")
    if review.minority_opinion_accepted:
        raise InvalidInput("Diese Mindermeinung ist bereits im Papier.")
    if named and not review.name_consent:
        raise InvalidInput(
            "Das Mitglied hat nicht zugestimmt, mit dieser Mindermeinung namentlich genannt "
            "zu werden. Bitte nehmen Sie sie ohne Namen auf."
        )
    concerned = session.get(Paragraph, review.paragraph_id)
    if concerned is None:
        raise InvalidInput(
            "Der Absatz, auf den sich die Mindermeinung bezieht, wurde inzwischen gelöscht."
        )
    section = session.get(Section, concerned.section_id)
    assert section is not None
    opinion = papers.add_paragraph(
        session=session, actor=actor, section_id=id_of(section), text=review.comment, now=now
    )
    opinion.is_minority_opinion = True
    opinion.minority_organisation_id = review.organisation_id
    opinion.minority_named = named
    # Right after the paragraph it answers.
    siblings = list(
        session.exec(
            select(Paragraph)
            .where(Paragraph.section_id == section.id, Paragraph.id != opinion.id)
            .order_by(col(Paragraph.position), col(Paragraph.id))
        ).all()
    )
    at = next(i for i, p in enumerate(siblings) if p.id == concerned.id) + 1
    siblings.insert(at, opinion)
    for position, paragraph in enumerate(siblings):
        paragraph.position = position
        session.add(paragraph)
    review.minority_opinion_accepted = True
    session.add(review)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="accept_minority",
        object_type="review",
        object_id=review_id,
        now=now,
    )
    return opinion


def reviewing_organisations(*, session: Session, paper: Paper) -> int:
    """How many organisations have reviewed (any version) so far."""
    return int(
        session.exec(
            select(func.count(func.distinct(Review.organisation_id)))
            .join(PaperVersion, col(PaperVersion.id) == Review.paper_version_id)
            .where(PaperVersion.paper_id == paper.id)
        ).one()
    )
