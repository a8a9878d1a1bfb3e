"""Position papers: their fields, sections and paragraphs, the statements each paragraph rests
on, and immutable versions.

Paragraph saves are optimistic: the editor sends the version it opened, and a save from a
stale editor raises `ParagraphConflict` carrying both texts, so nobody overwrites a
colleague's change unseen. Content may change in Entwurf, Mitgliederbeteiligung and
Vorstandsfreigabe; a change during the board's approval invalidates approvals already given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, func, select

from db.models import (
    Approval,
    Call,
    Forum,
    Organisation,
    Paper,
    PaperContact,
    PaperKind,
    PaperStatus,
    PaperVersion,
    Paragraph,
    ParagraphComment,
    ParagraphSource,
    Point,
    Role,
    Section,
    Statement,
    StatementStatus,
    User,
    Visibility,
    id_of,
)
from positions.core import attribution, audit, cleaning
from positions.core.clock import utcnow
from positions.core.errors import InvalidInput, NotFound, PermissionDenied, StaleEdit
from positions.core.formatting import number
from positions.core.permissions import (
    Action,
    Actor,
    require,
    reviewing_organisation_ids,
    shared_for_review,
)
from positions.papers import core_demands
from positions.papers.snapshot import Snapshot, SnapshotParagraph, SnapshotSection, SourceRef

MAX_TITLE = 300
MAX_PARAGRAPH = 20_000
MAX_PARAGRAPHS = 2_000


class KeepShortForm:
    """`save_paragraph(short_form=KEEP_SHORT_FORM)`: the stored short form stays."""


KEEP_SHORT_FORM = KeepShortForm()
EDITABLE = frozenset({PaperStatus.DRAFT, PaperStatus.MEMBER_REVIEW, PaperStatus.BOARD_APPROVAL})


class ParagraphConflict(StaleEdit):
    """Someone saved the paragraph after this editor opened it: both texts, for a choice."""

    def __init__(self, *, mine: str, theirs: str, their_version: int, by: str) -> None:
        super().__init__(
            f"{by or 'Jemand'} hat diesen Absatz gespeichert, während Sie ihn bearbeitet haben. "
            "Bitte wählen Sie, welche Fassung gelten soll, oder führen Sie beide zusammen."
        )
        self.mine, self.theirs, self.their_version = mine, theirs, their_version


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperSummary:
    paper: Paper
    forum: Forum
    latest_version: PaperVersion | None


@dataclass(frozen=True)
class SourceView:
    """A statement a paragraph rests on, as the reader may see it: the text the paragraph
    quoted (empty for a statement taken back into draft), the organisation only where the
    statement stands and allows naming, and whether it changed since it was quoted."""

    source: ParagraphSource
    quoted_text: str
    organisation: str
    visibility: Visibility | None  # None for a source without a statement
    status: StatementStatus | None
    changed: bool  # the member saved the statement again after it was quoted


@dataclass
class ParagraphView:
    paragraph: Paragraph
    sources: list[SourceView] = field(default_factory=list)
    comments: list[tuple[ParagraphComment, str]] = field(default_factory=list)


@dataclass
class SectionView:
    section: Section
    paragraphs: list[ParagraphView] = field(default_factory=list)
    children: list[SectionView] = field(default_factory=list)


@dataclass
class PaperView:
    paper: Paper
    forum: Forum
    call: Call | None
    sections: list[SectionView]
    contacts: list[User]

    def all_paragraphs(self) -> list[ParagraphView]:
        """Every paragraph in reading order (section, its subsections, …)."""
        ordered: list[ParagraphView] = []
        for section in self.sections:
            ordered += section.paragraphs
            for child in section.children:
                ordered += child.paragraphs
        return ordered

    @property
    def core_demands(self) -> list[Paragraph]:
        """The Kernforderungen, listed automatically at the top of the paper."""
        return [view.paragraph for view in self.all_paragraphs() if view.paragraph.is_core_demand]


def get_paper(*, session: Session, actor: Actor, paper_id: int) -> Paper:
    paper = session.get(Paper, paper_id)
    if paper is None:
        raise NotFound("Dieses Papier gibt es nicht.")
    require(actor, Action.PAPER_READ)
    if not actor.acts_for_association and not shared_with(
        session=session, actor=actor, paper=paper
    ):
        raise PermissionDenied()
    return paper


def reviewer_ids(*, session: Session, paper: Paper) -> set[int]:
    """The member organisations asked to review (`permissions.reviewing_organisation_ids`)."""
    return reviewing_organisation_ids(session=session, paper=paper)


def shared_with(*, session: Session, actor: Actor, paper: Paper) -> bool:
    """Whether a member contact may read the paper as it stands: in member review, their
    organisation asked to review it (`permissions.shared_for_review`). Personal links open
    no paper here: a review link shows only the version under review (`reviews.review_sheet`)."""
    return not actor.via_invitation and shared_for_review(actor, paper, session=session)


def paper_view(*, session: Session, actor: Actor, paper_id: int) -> PaperView:
    """The paper with its sections, paragraphs, sources (only for the association, each as
    its statement's permission and state allow now, see `_source_view`) and staff
    comments."""
    paper = get_paper(session=session, actor=actor, paper_id=paper_id)
    forum = session.get(Forum, paper.forum_id)
    assert forum is not None
    call = session.get(Call, paper.call_id) if paper.call_id else None
    sections = list(
        session.exec(
            select(Section)
            .where(Section.paper_id == paper_id)
            .order_by(col(Section.position), col(Section.id))
        ).all()
    )
    paragraphs = list(
        session.exec(
            select(Paragraph)
            .where(col(Paragraph.section_id).in_([id_of(s) for s in sections]))
            .order_by(col(Paragraph.position), col(Paragraph.id))
        ).all()
    )
    views = {id_of(p): ParagraphView(p) for p in paragraphs}
    if actor.acts_for_association:
        _attach_sources(session, actor, views)
        for comment, author in session.exec(
            select(ParagraphComment, User)
            .join(User, col(User.id) == ParagraphComment.author_id)
            .where(col(ParagraphComment.paragraph_id).in_(list(views)))
            .order_by(col(ParagraphComment.created_at))
        ).all():
            views[comment.paragraph_id].comments.append((comment, author.name))
    by_section: dict[int, SectionView] = {id_of(s): SectionView(s) for s in sections}
    for view in views.values():
        by_section[view.paragraph.section_id].paragraphs.append(view)
    top: list[SectionView] = []
    for section in sections:
        parent = by_section.get(section.parent_id) if section.parent_id else None
        (parent.children if parent else top).append(by_section[id_of(section)])
    contacts = list(
        session.exec(
            select(User)
            .join(PaperContact)
            .where(PaperContact.paper_id == paper_id)
            .order_by(col(User.name))
        ).all()
    )
    return PaperView(paper, forum, call, top, contacts)


def _attach_sources(session: Session, actor: Actor, views: dict[int, ParagraphView]) -> None:
    rows = session.exec(
        select(ParagraphSource, Point, Statement, Organisation)
        .join(Point, col(Point.id) == ParagraphSource.point_id, isouter=True)
        .join(Statement, col(Statement.id) == ParagraphSource.statement_id, isouter=True)
        .join(Organisation, col(Organisation.id) == Statement.organisation_id, isouter=True)
        .where(col(ParagraphSource.paragraph_id).in_(list(views)))
        .order_by(col(ParagraphSource.id))
    ).all()
    for source, point, statement, organisation in rows:
        shown = _source_view(actor, source, point, statement, organisation)
        if shown is not None:
            views[source.paragraph_id].sources.append(shown)


def _source_view(
    actor: Actor,
    source: ParagraphSource,
    point: Point | None,
    statement: Statement | None,
    organisation: Organisation | None,
) -> SourceView | None:
    """The source as `actor` may see it under the statement's permission and state now;
    None where they may not even learn that it exists (the board and an internal statement
    or a draft). The policy office sees that a source was taken back, never the draft."""
    office = actor.role in attribution.POLICY_OFFICE
    if statement is None:
        return SourceView(source, source.quoted_text, "", None, None, False) if office else None
    readable = attribution.may_read(statement.visibility, statement.status, reader=actor.role)
    if not readable and not office:
        return None
    named = attribution.may_cite(statement.visibility, statement.status)
    return SourceView(
        source=source,
        quoted_text=_quoted_text(source, point, statement) if readable else "",
        organisation=organisation.name if organisation and named else "",
        visibility=statement.visibility,
        status=statement.status,
        changed=source.statement_version is not None
        and source.statement_version != statement.version,
    )


def _quoted_text(source: ParagraphSource, point: Point | None, statement: Statement) -> str:
    """What the paragraph quoted. Sources linked before quotes were kept have none: they
    show the point (or the statement) as it stands, and only while it is submitted."""
    if source.quoted_text or statement.status != StatementStatus.SUBMITTED:
        return source.quoted_text
    return point.text if point is not None else statement.text[:300]


def has_paragraphs(*, session: Session, paper: Paper) -> bool:
    return bool(
        session.exec(
            select(func.count())
            .select_from(Paragraph)
            .join(Section)
            .where(Section.paper_id == paper.id)
        ).one()
    )


def list_papers(
    *,
    session: Session,
    actor: Actor,
    status: PaperStatus | None = None,
    forum_id: int | None = None,
) -> list[PaperSummary]:
    """Papers the actor may see, most recently changed first; members only those shared
    with them for review."""
    require(actor, Action.PAPER_READ)
    query = select(Paper, Forum).join(Forum)
    if status is not None:
        query = query.where(Paper.status == status)
    if forum_id is not None:
        query = query.where(Paper.forum_id == forum_id)
    rows = session.exec(query.order_by(col(Paper.updated_at).desc())).all()
    if not actor.acts_for_association:
        rows = [(p, f) for p, f in rows if shared_with(session=session, actor=actor, paper=p)]
    latest = {
        v.paper_id: v
        for v in session.exec(
            select(PaperVersion)
            .join(Paper, col(Paper.id) == PaperVersion.paper_id)
            .where(PaperVersion.number == Paper.version_counter)
        ).all()
    }
    return [PaperSummary(p, f, latest.get(id_of(p))) for p, f in rows]


def papers_in_status(*, session: Session, actor: Actor, status: PaperStatus) -> list[PaperSummary]:
    """Papers of the association in one workflow state, most recently changed first."""
    if not actor.acts_for_association:
        raise PermissionDenied()
    return list_papers(session=session, actor=actor, status=status)


def papers_awaiting_approval(*, session: Session, actor: Actor) -> list[PaperSummary]:
    """What the board is asked to approve."""
    return papers_in_status(session=session, actor=actor, status=PaperStatus.BOARD_APPROVAL)


# --- the paper's own fields ------------------------------------------------------------------


@dataclass(frozen=True)
class PaperFields:
    title: str
    kind: PaperKind
    addressee: str = ""
    paper_date: date | None = None
    call_id: int | None = None
    lobbyregister_relevant: bool = False
    register_number: str = ""
    regulatory_project_title: str = ""
    regulatory_project_number: str = ""
    affected_laws: str = ""
    contact_ids: tuple[int, ...] = ()


def create_paper(
    *,
    session: Session,
    actor: Actor,
    forum_id: int,
    fields: PaperFields,
    now: datetime | None = None,
) -> Paper:
    require(actor, Action.PAPER_EDIT)
    now = now or utcnow()
    if session.get(Forum, forum_id) is None:
        raise NotFound("Dieses Forum gibt es nicht.")
    paper = Paper(
        forum_id=forum_id,
        title="",
        kind=fields.kind,
        status=PaperStatus.DRAFT,
        created_by_id=actor.user_id or None,
        created_at=now,
        updated_at=now,
    )
    _apply_fields(session, paper, fields, forum_id=forum_id)
    session.add(paper)
    session.flush()
    _set_contacts(session, id_of(paper), fields.contact_ids)
    audit.created(session=session, actor_id=actor.user_id, row=paper, now=now)
    return paper


def update_paper(
    *,
    session: Session,
    actor: Actor,
    paper_id: int,
    fields: PaperFields,
    expected_lock: int,
    now: datetime | None = None,
) -> Paper:
    require(actor, Action.PAPER_EDIT)
    paper = _editable(session, paper_id)
    if paper.lock_version != expected_lock:
        raise StaleEdit(
            "Die Angaben zum Papier wurden inzwischen geändert. Bitte laden Sie "
            "die Seite neu und tragen Sie Ihre Änderungen noch einmal ein."
        )
    before = paper.model_dump()
    _apply_fields(session, paper, fields, forum_id=paper.forum_id)
    paper.updated_at = now or utcnow()
    _flush(session, paper)
    _set_contacts(session, paper_id, fields.contact_ids)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="update",
        object_type="paper",
        object_id=paper_id,
        before=before,
        after=paper,
        now=now,
    )
    return paper


def _apply_fields(session: Session, paper: Paper, fields: PaperFields, *, forum_id: int) -> None:
    title = cleaning.clean_line(fields.title)
    if not title:
        raise InvalidInput("Bitte geben Sie dem Papier einen Titel.")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"Der Titel darf höchstens {MAX_TITLE} Zeichen lang sein.")
    if fields.call_id is not None:
        call = session.get(Call, fields.call_id)
        if call is None or call.forum_id != forum_id:
            raise InvalidInput("Der gewählte Aufruf gehört nicht zu diesem Forum.")
    if fields.lobbyregister_relevant and not fields.regulatory_project_title.strip():
        raise InvalidInput("Für das Lobbyregister braucht es den Titel des Regelungsvorhabens.")
    paper.title = title
    paper.kind = fields.kind
    paper.addressee = cleaning.clean_line(fields.addressee)
    paper.paper_date = fields.paper_date
    paper.call_id = fields.call_id
    paper.lobbyregister_relevant = fields.lobbyregister_relevant
    paper.register_number = cleaning.clean_line(fields.register_number)
    paper.regulatory_project_title = cleaning.clean_line(fields.regulatory_project_title)
    paper.regulatory_project_number = cleaning.clean_line(fields.regulatory_project_number)
    paper.affected_laws = cleaning.clean(fields.affected_laws)


def _set_contacts(session: Session, paper_id: int, user_ids: tuple[int, ...]) -> None:
    people = {
        u.id: u for u in session.exec(select(User).where(col(User.id).in_(set(user_ids)))).all()
    }
    for user_id in user_ids:
        user = people.get(user_id)
        if user is None or user.role == Role.MEMBER or not user.active:
            raise InvalidInput("Ansprechpersonen müssen aktive Personen des Verbands sein.")
    for link in session.exec(select(PaperContact).where(PaperContact.paper_id == paper_id)):
        session.delete(link)
    session.flush()
    for user_id in dict.fromkeys(user_ids):
        session.add(PaperContact(paper_id=paper_id, user_id=user_id))


def _flush(session: Session, row: Any) -> None:
    session.add(row)
    try:
        session.flush()
    except StaleDataError:
        raise StaleEdit(
            "Das wurde inzwischen an anderer Stelle geändert. Bitte laden Sie die Seite neu."
        ) from None


# --- structure -------------------------------------------------------------------------------


def _editable(session: Session, paper_id: int) -> Paper:
    paper = session.get(Paper, paper_id)
    if paper is None:
        raise NotFound("Dieses Papier gibt es nicht.")
    if paper.status not in EDITABLE:
        raise InvalidInput(
            "Das Papier ist freigegeben oder eingereicht und kann nicht mehr geändert werden. "
            "Für Änderungen setzen Sie es zuerst zurück in den Entwurf."
        )
    return paper


def content_changed(*, session: Session, actor: Actor, paper: Paper, now: datetime) -> int:
    """Note a change of the paper's text; approvals given so far become invalid (they were
    for the earlier text). Returns how many approvals that were."""
    # A plain UPDATE, not the versioned ORM flush: two colleagues saving different paragraphs
    # at once both change this row, and neither should get a conflict for the other's work.
    # The paper's lock version guards its own fields (title, addressee), not its text.
    session.execute(
        sa.update(Paper)
        .where(col(Paper.id) == paper.id)
        .values(content_changed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(paper, "content_changed_at", now)
    set_committed_value(paper, "updated_at", now)
    return invalidate_approvals(
        session=session, actor=actor, paper=paper, why="Text geändert", now=now
    )


def invalidate_approvals(
    *, session: Session, actor: Actor, paper: Paper, why: str, now: datetime
) -> int:
    """Mark every still valid approval of the paper as invalid; returns how many."""
    valid = session.exec(
        select(Approval)
        .join(PaperVersion, col(PaperVersion.id) == Approval.paper_version_id)
        .where(PaperVersion.paper_id == paper.id, col(Approval.invalidated_at).is_(None))
    ).all()
    for approval in valid:
        approval.invalidated_at = now
        session.add(approval)
    if valid:
        audit.record(
            session=session,
            actor_id=actor.user_id,
            action="approvals_invalidated",
            object_type="paper",
            object_id=paper.id,
            detail={"count": len(valid), "why": why},
            now=now,
        )
    return len(valid)


def _section(session: Session, section_id: int) -> tuple[Section, Paper]:
    section = session.get(Section, section_id)
    if section is None:
        raise NotFound("Diesen Abschnitt gibt es nicht.")
    return section, _editable(session, section.paper_id)


def add_section(
    *,
    session: Session,
    actor: Actor,
    paper_id: int,
    title: str,
    parent_id: int | None = None,
    now: datetime | None = None,
) -> Section:
    require(actor, Action.PAPER_EDIT)
    now = now or utcnow()
    paper = _editable(session, paper_id)
    title = _section_title(title)
    if parent_id is not None:
        _check_parent(session, paper_id=paper_id, parent_id=parent_id, section_id=None)
    siblings = session.exec(
        select(func.count())
        .select_from(Section)
        .where(Section.paper_id == paper_id, Section.parent_id == parent_id)
    ).one()
    section = Section(paper_id=paper_id, parent_id=parent_id, position=siblings, title=title)
    session.add(section)
    session.flush()
    content_changed(session=session, actor=actor, paper=paper, now=now)
    audit.created(session=session, actor_id=actor.user_id, row=section, now=now)
    return section


def _section_title(title: str) -> str:
    title = cleaning.clean_line(title)
    if not title:
        raise InvalidInput("Bitte geben Sie dem Abschnitt eine Überschrift.")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"Die Überschrift darf höchstens {MAX_TITLE} Zeichen lang sein.")
    return title


def _check_parent(
    session: Session, *, paper_id: int, parent_id: int, section_id: int | None
) -> None:
    """Sections nest one level: the parent must be a top-level section of the same paper
    and neither the section itself nor its child."""
    parent = session.get(Section, parent_id)
    if parent is None or parent.paper_id != paper_id:
        raise InvalidInput("Der übergeordnete Abschnitt gehört nicht zu diesem Papier.")
    if parent_id == section_id:
        raise InvalidInput("Ein Abschnitt kann nicht in sich selbst liegen.")
    if parent.parent_id is not None:
        raise InvalidInput("Abschnitte lassen sich nur eine Ebene tief einrücken.")
    if (
        section_id is not None
        and session.exec(select(Section.id).where(Section.parent_id == section_id)).first()
        is not None
    ):
        raise InvalidInput(
            "Dieser Abschnitt hat selbst Unterabschnitte und kann deshalb nicht eingerückt werden."
        )


def update_section(
    *,
    session: Session,
    actor: Actor,
    section_id: int,
    title: str,
    parent_id: int | None,
    now: datetime | None = None,
) -> Section:
    require(actor, Action.PAPER_EDIT)
    now = now or utcnow()
    section, paper = _section(session, section_id)
    section.title = _section_title(title)
    if parent_id != section.parent_id:
        if parent_id is not None:
            _check_parent(
                session, paper_id=paper.id or 0, parent_id=parent_id, section_id=section_id
            )
        siblings = session.exec(
            select(func.count())
            .select_from(Section)
            .where(Section.paper_id == paper.id, Section.parent_id == parent_id)
        ).one()
        section.parent_id, section.position = parent_id, siblings
    session.add(section)
    content_changed(session=session, actor=actor, paper=paper, now=now)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="update",
        object_type="section",
        object_id=section_id,
        after=section,
        now=now,
    )
    return section


def delete_section(
    *, session: Session, actor: Actor, section_id: int, now: datetime | None = None
) -> None:
    require(actor, Action.PAPER_EDIT)
    now = now or utcnow()
    section, paper = _section(session, section_id)
    if (
        session.exec(select(Paragraph.id).where(Paragraph.section_id == section_id)).first()
        or session.exec(select(Section.id).where(Section.parent_id == section_id)).first()
    ):
        raise InvalidInput(
            "Nur leere Abschnitte lassen sich löschen; verschieben oder löschen "
            "Sie zuerst die Absätze und Unterabschnitte."
        )
    session.delete(section)
    content_changed(session=session, actor=actor, paper=paper, now=now)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="delete",
        object_type="section",
        object_id=section_id,
        now=now,
    )


def move_section(
    *, session: Session, actor: Actor, section_id: int, step: int, now: datetime | None = None
) -> None:
    """Move a section up (-1) or down (+1) among its siblings."""
    require(actor, Action.PAPER_EDIT)
    now = now or utcnow()
    section, paper = _section(session, section_id)
    siblings = list(
        session.exec(
            select(Section)
            .where(Section.paper_id == section.paper_id, Section.parent_id == section.parent_id)
            .order_by(col(Section.position), col(Section.id))
        ).all()
    )
    _reorder(session, siblings, section, step)
    content_changed(session=session, actor=actor, paper=paper, now=now)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="move",
        object_type="section",
        object_id=section_id,
        detail={"step": step},
        now=now,
    )


def _reorder(session: Session, rows: list[Any], row: Any, step: int) -> None:
    index = next(i for i, r in enumerate(rows) if r.id == row.id)
    target = min(max(index + step, 0), len(rows) - 1)
    rows.insert(target, rows.pop(index))
    for position, item in enumerate(rows):
        if item.position != position:
            item.position = position
            session.add(item)


# --- paragraphs ------------------------------------------------------------------------------


def _paragraph_text(text: str) -> str:
    text = cleaning.clean(text)
    if not text:
        raise InvalidInput("Der Absatz ist leer.")
    if len(text) > MAX_PARAGRAPH:
        raise InvalidInput(f"Ein Absatz darf höchstens {number(MAX_PARAGRAPH)} Zeichen lang sein.")
    return text


def add_paragraph(
    *,
    session: Session,
    actor: Actor,
    section_id: int,
    text: str,
    is_core_demand: bool = False,
    sources: tuple[SourceRef, ...] = (),
    now: datetime | None = None,
) -> Paragraph:
    require(actor, Action.PAPER_EDIT)
    now = now or utcnow()
    _, paper = _section(session, section_id)
    count = session.exec(
        select(func.count())
        .select_from(Paragraph)
        .join(Section)
        .where(Section.paper_id == paper.id)
    ).one()
    if count >= MAX_PARAGRAPHS:
        raise InvalidInput(f"Ein Papier kann höchstens {MAX_PARAGRAPHS} Absätze haben.")
    position = session.exec(
        select(func.count()).select_from(Paragraph).where(Paragraph.section_id == section_id)
    ).one()
    paragraph = Paragraph(
        section_id=section_id,
        position=position,
        text=_paragraph_text(text),
        is_core_demand=is_core_demand,
        updated_by_id=actor.user_id or None,
        updated_at=now,
    )
    session.add(paragraph)
    session.flush()
    for source in sources:
        _add_source(session, id_of(paragraph), source)
    content_changed(session=session, actor=actor, paper=paper, now=now)
    audit.created(session=session, actor_id=actor.user_id, row=paragraph, now=now)
    return paragraph


def _paragraph(session: Session, paragraph_id: int) -> tuple[Paragraph, Paper]:
    paragraph = session.get(Paragraph, paragraph_id)
    if paragraph is None:
        raise NotFound("Diesen Absatz gibt es nicht (mehr).")
    section = session.get(Section, paragraph.section_id)
    assert section is not None
    return paragraph, _editable(session, section.paper_id)


def save_paragraph(
    *,
    session: Session,
    actor: Actor,
    paragraph_id: int,
    text: str,
    is_core_demand: bool,
    expected_version: int,
    short_form: str | KeepShortForm | None = KEEP_SHORT_FORM,
    now: datetime | None = None,
) -> Paragraph:
    """Save a paragraph from an editor that opened `expected_version`; a newer save in
    between raises `ParagraphConflict` and nothing is written. `short_form` is the core
    demand's entry in the Kernforderungen box (None or empty: its first sentence); by
    default the stored one is kept."""
    require(actor, Action.PAPER_EDIT)
    now = now or utcnow()
    paragraph, paper = _paragraph(session, paragraph_id)
    cleaned = _paragraph_text(text)
    if paragraph.lock_version != expected_version:
        author = session.get(User, paragraph.updated_by_id) if paragraph.updated_by_id else None
        raise ParagraphConflict(
            mine=cleaned,
            theirs=paragraph.text,
            their_version=paragraph.lock_version,
            by=author.name if author else "",
        )
    before = paragraph.model_dump()
    if not isinstance(short_form, KeepShortForm):
        paragraph.short_form = core_demands.cleaned_short_form(short_form, cleaned)
    paragraph.text, paragraph.is_core_demand = cleaned, is_core_demand
    paragraph.updated_by_id, paragraph.updated_at = actor.user_id or None, now
    session.add(paragraph)
    try:
        session.flush()
    except StaleDataError:
        session.expire(paragraph)
        raise ParagraphConflict(mine=cleaned, theirs="", their_version=-1, by="") from None
    content_changed(session=session, actor=actor, paper=paper, now=now)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="update",
        object_type="paragraph",
        object_id=paragraph_id,
        before=before,
        after=paragraph,
        now=now,
    )
    return paragraph


def delete_paragraph(
    *,
    session: Session,
    actor: Actor,
    paragraph_id: int,
    expected_version: int,
    now: datetime | None = None,
) -> None:
    require(actor, Action.PAPER_EDIT)
    now = now or utcnow()
    paragraph, paper = _paragraph(session, paragraph_id)
    if paragraph.lock_version != expected_version:
        raise StaleEdit("Der Absatz wurde inzwischen geändert; bitte laden Sie die Seite neu.")
    for source in session.exec(
        select(ParagraphSource).where(ParagraphSource.paragraph_id == paragraph_id)
    ):
        session.delete(source)
    for comment in session.exec(
        select(ParagraphComment).where(ParagraphComment.paragraph_id == paragraph_id)
    ):
        session.delete(comment)
    before = paragraph.model_dump()
    session.delete(paragraph)
    content_changed(session=session, actor=actor, paper=paper, now=now)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="delete",
        object_type="paragraph",
        object_id=paragraph_id,
        before=before,
        now=now,
    )


def move_paragraph(
    *,
    session: Session,
    actor: Actor,
    paragraph_id: int,
    step: int = 0,
    to_section_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """Move a paragraph up/down in its section, or to the end of another section."""
    require(actor, Action.PAPER_EDIT)
    now = now or utcnow()
    paragraph, paper = _paragraph(session, paragraph_id)
    if to_section_id is not None and to_section_id != paragraph.section_id:
        target = session.get(Section, to_section_id)
        if target is None or target.paper_id != paper.id:
            raise InvalidInput("Der Zielabschnitt gehört nicht zu diesem Papier.")
        paragraph.section_id = to_section_id
        paragraph.position = session.exec(
            select(func.count()).select_from(Paragraph).where(Paragraph.section_id == to_section_id)
        ).one()
        session.add(paragraph)
    elif step:
        siblings = list(
            session.exec(
                select(Paragraph)
                .where(Paragraph.section_id == paragraph.section_id)
                .order_by(col(Paragraph.position), col(Paragraph.id))
            ).all()
        )
        _reorder(session, siblings, paragraph, step)
    content_changed(session=session, actor=actor, paper=paper, now=now)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="move",
        object_type="paragraph",
        object_id=paragraph_id,
        now=now,
    )


def _add_source(session: Session, paragraph_id: int, source: SourceRef) -> ParagraphSource:
    """Link a paragraph to a point or a whole statement, keeping the text it quotes and the
    statement's version: the member may change or withdraw it later, the paper keeps what
    it rested on."""
    point = session.get(Point, source.point_id) if source.point_id is not None else None
    if source.point_id is not None and point is None:
        raise InvalidInput("Diesen Punkt gibt es nicht (mehr).")
    statement_id = point.statement_id if point is not None else source.statement_id
    statement = session.get(Statement, statement_id) if statement_id is not None else None
    if statement is None:
        raise InvalidInput("Diese Stellungnahme gibt es nicht.")
    if statement.status != StatementStatus.SUBMITTED:
        raise InvalidInput(
            "Ein Absatz kann nur auf einer eingereichten Stellungnahme beruhen; diese ist "
            + (
                "zurückgezogen."
                if statement.status == StatementStatus.WITHDRAWN
                else "noch ein Entwurf des Mitglieds."
            )
        )
    row = ParagraphSource(
        paragraph_id=paragraph_id,
        point_id=source.point_id,
        statement_id=id_of(statement),
        how=source.how,
        quoted_text=point.text if point is not None else statement.text,
        statement_version=statement.version,
    )
    session.add(row)
    return row


def add_source(
    *,
    session: Session,
    actor: Actor,
    paragraph_id: int,
    source: SourceRef,
    now: datetime | None = None,
) -> ParagraphSource:
    require(actor, Action.PAPER_EDIT)
    paragraph, _ = _paragraph(session, paragraph_id)
    # A point's source row also holds its statement; a whole statement's holds no point.
    same = (
        col(ParagraphSource.point_id) == source.point_id
        if source.point_id is not None
        else sa.and_(
            col(ParagraphSource.point_id).is_(None),
            col(ParagraphSource.statement_id) == source.statement_id,
        )
    )
    existing = session.exec(
        select(ParagraphSource).where(ParagraphSource.paragraph_id == paragraph_id, same)
    ).first()
    if existing is not None:
        return existing
    row = _add_source(session, id_of(paragraph), source)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="add_source",
        object_type="paragraph",
        object_id=paragraph_id,
        now=now,
    )
    return row


def remove_source(
    *, session: Session, actor: Actor, source_id: int, now: datetime | None = None
) -> None:
    require(actor, Action.PAPER_EDIT)
    row = session.get(ParagraphSource, source_id)
    if row is None:
        return
    _paragraph(session, row.paragraph_id)
    session.delete(row)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="remove_source",
        object_type="paragraph",
        object_id=row.paragraph_id,
        now=now,
    )


def add_comment(
    *, session: Session, actor: Actor, paragraph_id: int, text: str, now: datetime | None = None
) -> ParagraphComment:
    """A note for colleagues on a paragraph (never exported)."""
    require(actor, Action.PAPER_EDIT)
    if session.get(Paragraph, paragraph_id) is None:
        raise NotFound("Diesen Absatz gibt es nicht (mehr).")
    text = cleaning.clean(text)
    if not text:
        raise InvalidInput("Der Kommentar ist leer.")
    comment = ParagraphComment(
        paragraph_id=paragraph_id,
        author_id=actor.user_id,
        text=text[:5_000],
        created_at=now or utcnow(),
    )
    session.add(comment)
    session.flush()
    # Who commented where, not what: a comment may quote an internal statement.
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="create",
        object_type="paragraphcomment",
        object_id=comment.id,
        detail={"paragraph": paragraph_id},
        now=now,
    )
    return comment


# --- versions --------------------------------------------------------------------------------


def snapshot(*, session: Session, paper: Paper) -> Snapshot:
    """The paper's content as it stands: what a version keeps forever."""
    sections = list(
        session.exec(
            select(Section)
            .where(Section.paper_id == paper.id)
            .order_by(col(Section.position), col(Section.id))
        ).all()
    )
    paragraphs = list(
        session.exec(
            select(Paragraph)
            .where(col(Paragraph.section_id).in_([id_of(s) for s in sections]))
            .order_by(col(Paragraph.position), col(Paragraph.id))
        ).all()
    )
    sources: dict[int, list[SourceRef]] = {}
    for source in session.exec(
        select(ParagraphSource).where(
            col(ParagraphSource.paragraph_id).in_([id_of(p) for p in paragraphs])
        )
    ).all():
        sources.setdefault(source.paragraph_id, []).append(
            SourceRef(source.point_id, source.statement_id, source.how)
        )
    return Snapshot(
        title=paper.title,
        kind=paper.kind.value,
        status=paper.status,
        sections=tuple(
            SnapshotSection(
                id=id_of(section),
                title=section.title,
                parent_id=section.parent_id,
                paragraphs=tuple(
                    SnapshotParagraph(
                        id=id_of(p),
                        text=p.text,
                        is_core_demand=p.is_core_demand,
                        is_minority_opinion=p.is_minority_opinion,
                        minority_organisation_id=p.minority_organisation_id,
                        minority_named=p.minority_named,
                        sources=tuple(sources.get(id_of(p), ())),
                        short_form=p.short_form,
                    )
                    for p in paragraphs
                    if p.section_id == section.id
                ),
            )
            for section in sections
        ),
    )


def save_version(
    *,
    session: Session,
    actor: Actor,
    paper: Paper,
    label: str,
    now: datetime | None = None,
    check_permission: bool = True,
) -> PaperVersion:
    """Keep the paper's current content as the next numbered, immutable version."""
    if check_permission:
        require(actor, Action.PAPER_EDIT)
    now = now or utcnow()
    paper.version_counter += 1
    paper.updated_at = now
    session.add(paper)
    version = PaperVersion(
        paper_id=id_of(paper),
        number=paper.version_counter,
        label=cleaning.clean_line(label)[:200],
        status=paper.status,
        snapshot=snapshot(session=session, paper=paper).to_json(),
        created_by_id=actor.user_id or None,
        created_at=now,
    )
    session.add(version)
    session.flush()
    audit.created(session=session, actor_id=actor.user_id, row=version, now=now)
    return version


def save_named_version(
    *, session: Session, actor: Actor, paper_id: int, label: str, now: datetime | None = None
) -> PaperVersion:
    require(actor, Action.PAPER_EDIT)
    paper = session.get(Paper, paper_id)
    if paper is None:
        raise NotFound("Dieses Papier gibt es nicht.")
    if not label.strip():
        raise InvalidInput("Bitte geben Sie der Fassung einen Namen.")
    return save_version(session=session, actor=actor, paper=paper, label=label, now=now)


def versions(*, session: Session, actor: Actor, paper_id: int) -> list[PaperVersion]:
    """All versions of a paper, newest first (for the association)."""
    get_paper(session=session, actor=actor, paper_id=paper_id)
    if not actor.acts_for_association:
        raise PermissionDenied()
    return list(
        session.exec(
            select(PaperVersion)
            .where(PaperVersion.paper_id == paper_id)
            .order_by(col(PaperVersion.number).desc())
        ).all()
    )


def latest_version(*, session: Session, paper: Paper) -> PaperVersion | None:
    return session.exec(
        select(PaperVersion).where(
            PaperVersion.paper_id == paper.id, PaperVersion.number == paper.version_counter
        )
    ).first()


def version_is_current(*, paper: Paper, version: PaperVersion) -> bool:
    """True when nothing changed in the paper since this version was saved."""
    return version.number == paper.version_counter and (
        paper.content_changed_at is None or paper.content_changed_at <= version.created_at
    )


@dataclass(frozen=True)
class ReturnedChange:
    """A change from a returned Word file that staff accepted (see exports.roundtrip)."""

    kind: str  # "change", "addition" or "deletion"
    paragraph_id: int | None
    text: str
    section: str = ""
    after_paragraph_id: int | None = None


def apply_returned_changes(
    *,
    session: Session,
    actor: Actor,
    paper_id: int,
    changes: list[ReturnedChange],
    source: str,
    now: datetime | None = None,
) -> PaperVersion | None:
    """Apply the accepted changes of a returned document and keep the result as a version.

    Nothing is applied unless staff chose it; an empty list changes nothing."""
    require(actor, Action.PAPER_EDIT)
    now = now or utcnow()
    paper = _editable(session, paper_id)
    if not changes:
        return None
    sections = {
        s.title: s
        for s in session.exec(
            select(Section).where(Section.paper_id == paper_id).order_by(col(Section.position))
        ).all()
    }
    for change in changes:
        if change.kind == "change" and change.paragraph_id is not None:
            current = session.get(Paragraph, change.paragraph_id)
            if current is None:
                continue
            save_paragraph(
                session=session,
                actor=actor,
                paragraph_id=change.paragraph_id,
                text=change.text,
                is_core_demand=current.is_core_demand,
                expected_version=current.lock_version,
                now=now,
            )
        elif change.kind == "deletion" and change.paragraph_id is not None:
            current = session.get(Paragraph, change.paragraph_id)
            if current is not None:
                delete_paragraph(
                    session=session,
                    actor=actor,
                    paragraph_id=change.paragraph_id,
                    expected_version=current.lock_version,
                    now=now,
                )
        elif change.kind == "addition":
            _add_returned(session, actor, change, sections, now)
    return save_version(
        session=session, actor=actor, paper=paper, label=f"Rücklauf aus {source}"[:200], now=now
    )


def _add_returned(
    session: Session,
    actor: Actor,
    change: ReturnedChange,
    sections: dict[str, Section],
    now: datetime,
) -> None:
    anchor = (
        session.get(Paragraph, change.after_paragraph_id) if change.after_paragraph_id else None
    )
    section = (
        sections.get(change.section)
        or (session.get(Section, anchor.section_id) if anchor else None)
        or next(iter(sections.values()), None)
    )
    if section is None:
        raise InvalidInput("Das Papier hat keinen Abschnitt für den neuen Absatz.")
    added = add_paragraph(
        session=session, actor=actor, section_id=id_of(section), text=change.text, now=now
    )
    if anchor is not None and anchor.section_id == section.id:
        siblings = [
            p
            for p in session.exec(
                select(Paragraph)
                .where(Paragraph.section_id == section.id)
                .order_by(col(Paragraph.position), col(Paragraph.id))
            ).all()
            if p.id != added.id
        ]
        at = next(i for i, p in enumerate(siblings) if p.id == anchor.id) + 1
        siblings.insert(at, added)
        for position, paragraph in enumerate(siblings):
            paragraph.position = position
            session.add(paragraph)
