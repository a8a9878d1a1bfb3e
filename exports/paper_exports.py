"""Stored papers as export documents: a version's snapshot becomes a `PaperDocument`, two
versions a Synopse, the reviews a feedback copy. One place decides file names and formats
for the UI and the CLI.

Who is named follows the permission in force when the export is made
(`positions.core.attribution`): footnotes and "Mitgewirkt haben" only for statements that
stand and allow naming, a minority opinion's organisation only with its own consent."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, replace
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db.models import (
    AuditEvent,
    Forum,
    Organisation,
    Paper,
    PaperContact,
    PaperVersion,
    Review,
    SourceHow,
    Statement,
    StatementStatus,
    Submission,
    User,
    id_of,
)
from exports import document, feedback, pdf, roundtrip, synopse, word
from exports.document import (
    Contact,
    ExportOrigin,
    Letterhead,
    LobbyregisterLine,
    MemberReview,
    PaperDocument,
)
from exports.errors import PdfUnavailable
from exports.roundtrip import Proposal, ReturnedPaper
from positions.core import attribution, files, labels, settings
from positions.core.clock import BERLIN, today_in_berlin
from positions.core.errors import InvalidInput, InvalidUpload, NotFound, PermissionDenied
from positions.core.formatting import short_date
from positions.core.permissions import Action, Actor, require
from positions.papers import lobbyregister, papers, snapshot, version_names
from positions.papers.diffing import Synopsis, Version, compare_versions
from positions.papers.snapshot import SnapshotParagraph, SnapshotSection

_log = logging.getLogger(__name__)

Format = Literal[
    "docx",
    "pdf",
    "synopse-table",
    "synopse-two-column",
    "synopse-four-column",
    "synopse-tracked",
    "feedback",
]
FORMATS: tuple[Format, ...] = (
    "docx",
    "pdf",
    "synopse-table",
    "synopse-two-column",
    "synopse-four-column",
    "synopse-tracked",
    "feedback",
)
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class Export:
    filename: str
    mime: str
    data: bytes


def letterhead(*, session: Session) -> Letterhead:
    """The association's name, address, colour and logo from the settings."""
    values = settings.association(session=session)
    logo_sha = settings.logo_sha256(session=session)
    logo = (
        files.store_path(logo_sha).read_bytes()
        if logo_sha and files.store_path(logo_sha).exists()
        else None
    )
    return Letterhead(
        name=values.name,
        address=tuple(line for line in values.address.splitlines() if line.strip()),
        accent_colour=settings.accent_colour(session=session),
        logo=logo,
        about=values.about,
    )


def _version(session: Session, paper: Paper, number: int | None) -> PaperVersion:
    query = select(PaperVersion).where(PaperVersion.paper_id == paper.id)
    query = query.where(PaperVersion.number == (number or paper.version_counter))
    version = session.exec(query).first()
    if version is None:
        raise NotFound(
            "Von diesem Papier gibt es noch keine gespeicherte Fassung."
            if number is None
            else f"Die Fassung {number} gibt es nicht."
        )
    return version


def _statements(session: Session, ids: set[int]) -> dict[int, tuple[Statement, Organisation]]:
    rows = session.exec(
        select(Statement, Organisation)
        .join(Organisation, col(Organisation.id) == Statement.organisation_id)
        .where(col(Statement.id).in_(ids))
    ).all()
    return {id_of(s): (s, o) for s, o in rows}


def document_for(
    *,
    session: Session,
    actor: Actor,
    paper_id: int,
    version_number: int | None = None,
) -> PaperDocument:
    """A saved version of the paper (the latest by default) as the Word document's content."""
    require(actor, Action.PAPER_EXPORT)
    paper = papers.get_paper(session=session, actor=actor, paper_id=paper_id)
    forum = session.get(Forum, paper.forum_id)
    assert forum is not None
    version = _version(session, paper, version_number)
    kept = snapshot.of(version)
    by_id = _statements(session, kept.statement_ids())
    minorities = _consenting_minorities(session, paper)
    children: dict[int, list[document.Section]] = {}
    for raw in kept.sections:
        if raw.parent_id is not None:
            children.setdefault(raw.parent_id, []).append(_section(raw, by_id, minorities, []))
    top = [
        _section(raw, by_id, minorities, children.get(raw.id, []))
        for raw in kept.sections
        if raw.parent_id is None
    ]
    named, anonymous = _participants(by_id.values())
    contacts = session.exec(
        select(User)
        .join(PaperContact)
        .where(PaperContact.paper_id == paper.id)
        .order_by(col(User.name))
    ).all()
    return PaperDocument(
        association=letterhead(session=session),
        title=kept.title,
        kind_label=labels.PAPER_KIND[paper.kind],
        addressee=paper.addressee,
        forum_name=forum.name,
        date=paper.paper_date or version.created_at.astimezone(BERLIN).date(),
        version_label=_title(session, version),
        # A ministry sees whether the text is a draft; the workflow's states stay inside.
        status_label="Entwurf" if version_names.is_draft(version.status) else "",
        core_demands=kept.core_demands(),
        sections=top,
        participants_named=named,
        participants_anonymous_count=anonymous,
        contact_persons=[
            Contact(name=u.name, function=u.function, email=u.email, phone=u.phone)
            for u in contacts
        ],
        lobbyregister=LobbyregisterLine(
            register_number=lobbyregister.register_number(session=session, paper=paper),
            regulatory_project=paper.regulatory_project_title,
            regulatory_project_number=paper.regulatory_project_number,
        )
        if lobbyregister.needs_register_number(session=session, paper=paper)
        else None,
        origin=ExportOrigin(id_of(paper), version.number),
    )


def _section(
    raw: SnapshotSection,
    by_id: dict[int, tuple[Statement, Organisation]],
    minorities: dict[int, str],
    subsections: list[document.Section],
) -> document.Section:
    return document.Section(
        title=raw.title,
        paragraphs=[_paragraph(p, by_id, minorities) for p in raw.paragraphs],
        subsections=subsections,
    )


def _paragraph(
    raw: SnapshotParagraph,
    by_id: dict[int, tuple[Statement, Organisation]],
    minorities: dict[int, str],
) -> document.Paragraph:
    footnotes = []
    for source in raw.sources:
        found = by_id.get(source.statement_id or 0)
        # Only a quoted statement that stands and allows naming becomes a footnote.
        if found is None or source.how != SourceHow.QUOTED:
            continue
        statement, organisation = found
        if not attribution.may_cite(statement.visibility, statement.status):
            continue
        day = (statement.submitted_at or statement.updated_at).astimezone(BERLIN).date()
        # Name first, as in a citation: a company's name is never inflected after an article.
        footnotes.append(f"{organisation.name}, Stellungnahme vom {short_date(day)[5:]}.")
    label = None
    if raw.is_minority_opinion and raw.minority_named and raw.minority_organisation_id:
        label = minorities.get(raw.minority_organisation_id)
    return document.Paragraph(
        id=raw.id,
        text=raw.text,
        footnotes=tuple(dict.fromkeys(footnotes)),
        is_minority_opinion=raw.is_minority_opinion,
        minority_org_label=label,
    )


def _consenting_minorities(session: Session, paper: Paper) -> dict[int, str]:
    """Organisations that agreed, in their own review of this paper, to be named with a
    minority opinion taken into it (staff's tick alone names nobody)."""
    rows = session.exec(
        select(Organisation)
        .join(Review, col(Review.organisation_id) == Organisation.id)
        .join(PaperVersion, col(PaperVersion.id) == Review.paper_version_id)
        .where(
            PaperVersion.paper_id == paper.id,
            col(Review.minority_opinion_accepted),
            col(Review.name_consent),
        )
    ).all()
    return {id_of(o): o.name for o in rows}


def _participants(
    sources: Iterable[tuple[Statement, Organisation]],
) -> tuple[list[str], int]:
    """Members whose statements the text rests on (each once, in its most public
    permission): named ones listed, anonymous ones counted, internal ones left out, and
    nobody whose statement no longer stands (withdrawn, taken back into draft)."""
    standing = [(s, o) for s, o in sources if s.status == StatementStatus.SUBMITTED]
    names = {id_of(o): o.name for _, o in standing}
    best = attribution.most_public_by_organisation(
        (s.organisation_id, s.visibility) for s, _ in standing
    )
    named = sorted(names[o] for o, v in best.items() if attribution.may_name(v))
    anonymous = sum(
        1 for v in best.values() if attribution.may_count(v) and not attribution.may_name(v)
    )
    return named, anonymous


def diff_version(session: Session, version: PaperVersion) -> Version:
    """A stored version in the form the Synopse compares, labelled with its readable name
    (`version_names.version_title`, e.g. "Entwurf vom 3. Dezember 2026")."""
    return snapshot.of(version).comparable(
        label=_title(session, version), created=version.created_at.astimezone(BERLIN).date()
    )


def _title(session: Session, version: PaperVersion) -> str:
    """The version's readable name; a submitted one is named after the day it was sent."""
    sent = session.exec(
        select(col(Submission.submitted_on))
        .where(Submission.paper_version_id == version.id)
        .order_by(col(Submission.submitted_on))
    ).first()
    return version_names.version_title(version, submitted_on=sent)


def synopsis_for(*, session: Session, actor: Actor, paper_id: int, old: int, new: int) -> Synopsis:
    """Any two saved versions compared paragraph by paragraph."""
    require(actor, Action.PAPER_READ)
    if not actor.acts_for_association:
        raise PermissionDenied()
    paper = papers.get_paper(session=session, actor=actor, paper_id=paper_id)
    if old == new:
        raise InvalidInput("Bitte wählen Sie zwei verschiedene Fassungen.")
    return compare_versions(
        diff_version(session, _version(session, paper, old)),
        diff_version(session, _version(session, paper, new)),
    )


def synopse_reasons(*, session: Session, paper: Paper, synopsis: Synopsis) -> dict[int, list[str]]:
    """The reasons column of a Synopse table: the members' comments and the office's replies
    (`reviews_for`, named as there). The staff's own notes on paragraphs stay inside: a
    Synopse may go to a ministry."""
    ids = {p.id for p in synopsis.old.paragraphs} | {p.id for p in synopsis.new.paragraphs}
    reviews = reviews_for(session=session, paper=paper, paragraph_ids=ids)
    return synopse.reasons_from(reviews, {})


def version_before(session: Session, paper: Paper, number: int) -> Version | None:
    """The "Geltende Fassung" of the four-column Synopse: the version before `number`."""
    if number <= 1:
        return None
    return diff_version(session, _version(session, paper, number - 1))


def change_authors(*, session: Session, paper: Paper, old: int, new: int) -> synopse.Authors:
    """Who changed the paper from version `old` to `new`: the people the audit names for its
    paragraphs, sections and fields in that time, and those who saved the versions after
    `old` (`synopse.authors_of`)."""
    before, after = _version(session, paper, old), _version(session, paper, new)
    kept = [snapshot.of(before), snapshot.of(after)]
    paragraph_ids = {p.id for version in kept for _, p in version.paragraphs()}
    section_ids = {s.id for version in kept for s in version.sections}
    rows = session.exec(
        select(AuditEvent, User)
        .join(User, col(User.id) == AuditEvent.actor_id)
        .where(col(AuditEvent.at) > before.created_at, col(AuditEvent.at) <= after.created_at)
        .where(
            sa.or_(
                sa.and_(
                    col(AuditEvent.object_type) == "paragraph",
                    col(AuditEvent.object_id).in_(paragraph_ids),
                ),
                sa.and_(
                    col(AuditEvent.object_type) == "section",
                    col(AuditEvent.object_id).in_(section_ids),
                ),
                sa.and_(
                    col(AuditEvent.object_type) == "paper",
                    col(AuditEvent.object_id) == paper.id,
                    col(AuditEvent.action) == "update",
                ),
            )
        )
    ).all()
    edits: list[tuple[int | None, str]] = [
        (event.object_id if event.object_type == "paragraph" else None, user.name)
        for event, user in rows
    ]
    savers = session.exec(
        select(User.name)
        .join(PaperVersion, col(PaperVersion.created_by_id) == User.id)
        .where(
            PaperVersion.paper_id == paper.id,
            col(PaperVersion.number) > old,
            col(PaperVersion.number) <= new,
        )
    ).all()
    edits += [(None, name) for name in savers]
    return synopse.authors_of(edits, association=settings.association(session=session).name)


def reviews_for(
    *, session: Session, paper: Paper, paragraph_ids: Set[int] | None = None
) -> dict[int, list[MemberReview]]:
    """The member reviews of the paper by paragraph (newest per organisation), only of the
    paragraphs given (those of the exported version: a review of a paragraph deleted since
    stays with the version it reviewed). An organisation is named only where its statement
    to the paper's call stands and allows naming, or where it agreed to be named with the
    minority opinion it asked for."""
    rows = session.exec(
        select(Review, Organisation, PaperVersion)
        .join(Organisation, col(Organisation.id) == Review.organisation_id)
        .join(PaperVersion, col(PaperVersion.id) == Review.paper_version_id)
        .where(PaperVersion.paper_id == paper.id)
        .order_by(col(PaperVersion.number).desc())
    ).all()
    citable = (
        {
            s.organisation_id: attribution.may_cite(s.visibility, s.status)
            for s in session.exec(select(Statement).where(Statement.call_id == paper.call_id)).all()
        }
        if paper.call_id
        else {}
    )
    seen: set[tuple[int, int]] = set()
    by_paragraph: dict[int, list[MemberReview]] = {}
    for review, organisation, _ in rows:
        key = (review.paragraph_id, review.organisation_id)
        if key in seen or (paragraph_ids is not None and review.paragraph_id not in paragraph_ids):
            continue
        seen.add(key)
        consented = review.minority_opinion_requested and review.name_consent
        by_paragraph.setdefault(review.paragraph_id, []).append(
            MemberReview(
                organisation=organisation.name,
                stance=review.stance,
                comment=review.comment,
                may_name=citable.get(review.organisation_id, False) or consented,
                minority_opinion_requested=review.minority_opinion_requested,
                staff_reply=review.staff_reply,
                submitted=review.created_at,
            )
        )
    return by_paragraph


def file_name(paper: Paper, forum: Forum, version: int, suffix: str, extension: str) -> str:
    """E.g. 2026-11-24_Positionspapier_Transformationsdialog_v3.docx."""
    day = (paper.paper_date or today_in_berlin()).isoformat()
    words = [day, labels.PAPER_KIND[paper.kind], forum.name.split()[0], f"v{version}"]
    if suffix:
        words.append(suffix)
    stem = "_".join(re.sub(r"[^\w.-]+", "-", w).strip("-") for w in words)
    return f"{stem}.{extension}"


def export_file_name(paper: Paper, forum: Forum, fmt: Format, number: int, old: int) -> str:
    """The file name of one export (`old`: the version a Synopse compares with)."""
    suffix = {
        "feedback": "Rueckmeldungen",
        "synopse-table": f"Synopse-v{old}",
        "synopse-two-column": f"Synopse-v{old}-zweispaltig",
        "synopse-four-column": f"Synopse-v{old}-mit-Begruendung",
        "synopse-tracked": f"Aenderungen-seit-v{old}",
    }.get(fmt, "")
    return file_name(paper, forum, number, suffix, "pdf" if fmt == "pdf" else "docx")


def export(
    *,
    session: Session,
    actor: Actor,
    paper_id: int,
    fmt: Format,
    version_number: int | None = None,
    compare_with: int | None = None,
) -> Export:
    """One export of a paper in the given format, with its file name."""
    require(actor, Action.PAPER_EXPORT)
    paper = papers.get_paper(session=session, actor=actor, paper_id=paper_id)
    forum = session.get(Forum, paper.forum_id)
    assert forum is not None
    number = version_number or paper.version_counter
    old = compare_with or max(1, number - 1)
    name = export_file_name(paper, forum, fmt, number, old)
    if fmt != "feedback":  # the copy with the members' comments stays in the house
        lobbyregister.require_register_number(session=session, paper=paper, version_number=number)
    doc = document_for(session=session, actor=actor, paper_id=paper_id, version_number=number)
    if fmt == "pdf":
        return Export(name, MIME["pdf"], pdf.lay_out(word.build_paper(doc)).pdf)
    if fmt == "docx":
        return Export(name, MIME["docx"], laid_out(word.build_paper(doc)))
    if fmt == "feedback":
        kept = snapshot.of(_version(session, paper, number))
        shown = reviews_for(
            session=session, paper=paper, paragraph_ids={p.id for _, p in kept.paragraphs()}
        )
        data = feedback.build_feedback_copy(doc, shown)
        return Export(name, MIME["docx"], laid_out(data))
    synopsis = synopsis_for(session=session, actor=actor, paper_id=paper_id, old=old, new=number)
    if fmt in synopse.TABLE_FORMATS:
        data = synopse.build_synopse_table(
            synopsis,
            letterhead=doc.association,
            title=doc.title,
            form=synopse.TABLE_FORMATS[fmt],
            comments=synopse_reasons(session=session, paper=paper, synopsis=synopsis),
            current=version_before(session, paper, old),
        )
        return Export(name, MIME["docx"], data)
    authors = change_authors(session=session, paper=paper, old=old, new=number)
    previous = document_for(session=session, actor=actor, paper_id=paper_id, version_number=old)
    data = synopse.build_synopse_tracked(
        doc,
        synopsis,
        old_paper=previous,
        author=authors.overall,
        authors=authors.by_paragraph,
        changed_at=_version(session, paper, number).created_at,
        # Both versions as the Word export makes them: accepting all changes gives the
        # exported new version, rejecting all the exported old one, contents page included.
        build=lambda version: laid_out(word.build_paper(version)),
    )
    return Export(name, MIME["docx"], data)


def laid_out(data: bytes) -> bytes:
    """A Word document built from the paper (`word.build_paper`), with the page numbers
    LibreOffice's layout gives written into its table of contents, or without contents page
    for a short paper: Word asks nothing when it opens the file. Without LibreOffice, or
    when it fails, the file as built: Word then offers to fill in the page numbers."""
    try:
        return pdf.lay_out(data).docx
    except PdfUnavailable as e:
        _log.warning("Word export without page numbers in its contents: %s", e.message)
        return data


def current_version(*, session: Session, actor: Actor, paper_id: int) -> Version:
    """The paper as it stands now (saved or not), in the form the Synopse compares."""
    paper = papers.get_paper(session=session, actor=actor, paper_id=paper_id)
    return papers.snapshot(session=session, paper=paper).comparable(
        label="aktueller Stand", created=today_in_berlin()
    )


def read_returned(
    *, session: Session, actor: Actor, paper_id: int, data: bytes, filename: str
) -> ReturnedPaper:
    """What an edited copy of the paper proposes, relative to the version that was exported
    (so a colleague's later edit is not proposed for undoing); proposals for paragraphs that
    changed since then carry today's text."""
    require(actor, Action.PAPER_EDIT)
    paper = papers.get_paper(session=session, actor=actor, paper_id=paper_id)
    returned = roundtrip.read_returned_file(data, filename=filename)
    origin = returned.origin
    if origin is not None and origin.paper_id != paper_id:
        other = session.get(Paper, origin.paper_id)
        raise InvalidUpload(
            "Diese Datei wurde aus einem anderen Papier exportiert"
            + (f" („{other.title}“)" if other is not None else "")
            + ". Bitte laden Sie sie bei diesem Papier hoch."
        )
    current = current_version(session=session, actor=actor, paper_id=paper_id)
    exported = _exported_version(session, paper, origin)
    if exported is None:
        result = returned.propose(current)
        note = (
            "Die Datei nennt keine gespeicherte Fassung dieses Papiers, aus der sie exportiert "
            "wurde; verglichen wird mit dem aktuellen Stand."
        )
        return replace(result, notes=(note, *result.notes), compared_with=current.label)
    result = returned.propose(exported)
    today = {p.id: p.text for p in current.paragraphs}
    proposals = tuple(_with_current_text(p, today) for p in result.proposals)
    changed_since = sum(p.current_text is not None and p.kind != "unchanged" for p in proposals)
    notes = result.notes
    if changed_since:
        which = (
            "Ein Vorschlag betrifft einen Absatz, der"
            if changed_since == 1
            else f"{changed_since} Vorschläge betreffen Absätze, die"
        )
        notes = (
            f"{which} seit dem Export geändert wurde{'n' if changed_since > 1 else ''}; "
            "dort steht der heutige Text zum Vergleich.",
            *notes,
        )
    return replace(result, proposals=proposals, notes=notes, compared_with=exported.label)


def _exported_version(
    session: Session, paper: Paper, origin: ExportOrigin | None
) -> Version | None:
    if origin is None or origin.version is None:
        return None
    try:
        return diff_version(session, _version(session, paper, origin.version))
    except NotFound:
        return None


def _with_current_text(proposal: Proposal, today: dict[int, str]) -> Proposal:
    if proposal.paragraph_id is None or proposal.kind == "addition":
        return proposal
    now = today.get(proposal.paragraph_id, "")
    if now == proposal.old_text:
        return proposal
    return replace(proposal, current_text=now)


def returned_changes(proposals: Sequence[Proposal]) -> list[papers.ReturnedChange]:
    """The chosen proposals of a returned file, as changes the paper can take."""
    return [
        papers.ReturnedChange(
            kind=p.kind,
            paragraph_id=p.paragraph_id,
            text=p.new_text,
            section=p.section,
            after_paragraph_id=p.after_paragraph_id,
        )
        for p in proposals
        if p.kind in {"change", "addition", "deletion"}
    ]
