"""Member statements: written in the browser or uploaded as Word, with a use permission,
kept in versions, split into points for merging.

A member contact edits their organisation's statement until the member deadline; staff can
record one on a member's behalf (phone, e-mail, letter) at any time. Every save keeps the
earlier text as a `StatementVersion`; a save from a stale browser tab is refused instead of
overwriting what another tab saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from db.models import (
    Call,
    CallInvitee,
    CallStatus,
    Document,
    Organisation,
    Point,
    Role,
    Statement,
    StatementAttachment,
    StatementSource,
    StatementStatus,
    StatementVersion,
    User,
    Visibility,
    id_of,
)
from positions.core import attribution, audit, cleaning, formatting, labels, text
from positions.core.clock import BERLIN, today_in_berlin, utcnow
from positions.core.errors import InvalidInput, NotFound, PermissionDenied, StaleEdit
from positions.core.formatting import long_date
from positions.core.permissions import Action, Actor, can, require
from positions.statements import search
from positions.uploads import filing

MAX_TEXT = 100_000
# Control characters other than tab and line feed have no place in a statement.
_STALE = (
    "Ihre Stellungnahme wurde inzwischen an anderer Stelle geändert (vielleicht in einem "
    "anderen Fenster). Bitte laden Sie die Seite neu: Sie sehen dann die neuere Fassung und "
    "können Ihre Änderungen noch einmal eintragen."
)
ON_BEHALF_SOURCES = (
    StatementSource.PHONE,
    StatementSource.EMAIL,
    StatementSource.LETTER,
    StatementSource.UPLOAD,
)


@dataclass(frozen=True)
class SourceFile:
    """An uploaded Word file the text was taken from; stored beside the statement."""

    filename: str
    data: bytes


def _checked_text(raw: str) -> str:
    cleaned = cleaning.clean(raw)
    if not cleaned:
        raise InvalidInput("Bitte geben Sie Ihre Stellungnahme ein; das Textfeld ist leer.")
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput(
            f"Die Stellungnahme ist mit {formatting.number(len(cleaned))} Zeichen zu lang; "
            f"höchstens {formatting.number(MAX_TEXT)} Zeichen sind möglich."
        )
    return cleaned


def _writable_call(session: Session, call_id: int) -> Call:
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("Diesen Aufruf gibt es nicht.")
    if call.status != CallStatus.OPEN:
        raise InvalidInput("Der Aufruf ist abgeschlossen; Stellungnahmen sind nicht mehr möglich.")
    return call


def member_deadline_passed(call: Call, *, now: datetime | None = None) -> bool:
    """True once the member deadline day is over (German time)."""
    return today_in_berlin(now) > call.member_deadline


def own_statement(*, session: Session, actor: Actor, call_id: int) -> Statement | None:
    """The actor's organisation's statement for a call, if there is one."""
    require(actor, Action.STATEMENT_READ_OWN)
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("Diesen Aufruf gibt es nicht.")
    require(actor, Action.CALL_READ, call, session=session)
    return session.exec(
        select(Statement).where(
            Statement.call_id == call_id, Statement.organisation_id == actor.organisation_id
        )
    ).first()


def save_statement(
    *,
    session: Session,
    actor: Actor,
    call_id: int,
    text_input: str,
    visibility: Visibility,
    submit: bool,
    expected_version: int | None,
    organisation_id: int | None = None,
    source: StatementSource = StatementSource.WEB,
    source_note: str = "",
    source_file: SourceFile | None = None,
    now: datetime | None = None,
) -> Statement:
    """Create or change a statement, as a draft or submitted.

    `expected_version` is the version the editor opened (None for a new statement); if
    someone saved in between, `StaleEdit` is raised and nothing is stored. Members write for
    their own organisation until the member deadline; staff pass `organisation_id` and a
    source to record a statement on a member's behalf.
    """
    now = now or utcnow()
    call = _writable_call(session, call_id)
    organisation_id = _author_organisation(
        session=session,
        actor=actor,
        call=call,
        organisation_id=organisation_id,
        source=source,
        source_note=source_note,
        now=now,
    )
    cleaned = _checked_text(text_input)
    statement = session.exec(
        select(Statement).where(
            Statement.call_id == call_id, Statement.organisation_id == organisation_id
        )
    ).first()
    if (statement.version if statement else None) != expected_version:
        raise StaleEdit(_STALE)
    before = statement.model_dump() if statement else None
    if statement is None:
        statement = Statement(
            call_id=call_id,
            organisation_id=organisation_id,
            text=cleaned,
            source=source,
            visibility=visibility,
            status=StatementStatus.DRAFT,
            created_at=now,
        )
    statement.text = cleaned
    statement.author_id = actor.user_id or None
    statement.source = source
    statement.source_note = cleaning.clean_line(source_note)[:500]
    statement.updated_at = now
    # A draft save takes a submission back: staff always see the latest state.
    statement.status = StatementStatus.SUBMITTED if submit else StatementStatus.DRAFT
    statement.submitted_at = now if submit else statement.submitted_at
    statement.withdrawn_at = None
    visibility_changed = before is not None and before["visibility"] != visibility
    statement.visibility = visibility
    if source_file is not None:
        statement.source_document_id = id_of(
            _store_source(session=session, actor=actor, source_file=source_file, now=now)
        )
    _flush_guarded(session, statement)
    _keep_version(session=session, statement=statement, actor=actor, now=now)
    replace_points(session=session, statement=statement)
    action = "submit" if submit else ("create" if before is None else "edit")
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action=action,
        object_type="statement",
        object_id=statement.id,
        before=before,
        after=statement,
        detail={"call": call_id},
        now=now,
    )
    if visibility_changed:
        audit.record(
            session=session,
            actor_id=actor.user_id,
            action="permission",
            object_type="statement",
            object_id=statement.id,
            detail={"visibility": visibility.value},
            now=now,
        )
    return statement


def _author_organisation(
    *,
    session: Session,
    actor: Actor,
    call: Call,
    organisation_id: int | None,
    source: StatementSource,
    source_note: str,
    now: datetime,
) -> int:
    if organisation_id is None:
        require(actor, Action.STATEMENT_WRITE_OWN)
        require(actor, Action.CALL_READ, call, session=session)
        if actor.organisation_id is None:
            raise PermissionDenied()
        if member_deadline_passed(call, now=now):
            raise InvalidInput(
                f"Die Frist für Stellungnahmen ist am {long_date(call.member_deadline)} "
                "abgelaufen; Änderungen sind nicht mehr möglich. Bitte wenden Sie sich bei "
                "Nachträgen an das Referat."
            )
        return actor.organisation_id
    require(actor, Action.STATEMENT_WRITE_ANY)
    if session.get(CallInvitee, (id_of(call), organisation_id)) is None:
        raise InvalidInput("Dieses Mitglied ist zu dem Aufruf nicht eingeladen.")
    if source not in ON_BEHALF_SOURCES:
        raise InvalidInput("Bitte geben Sie an, wie die Stellungnahme eingegangen ist.")
    if source != StatementSource.UPLOAD and not source_note.strip():
        raise InvalidInput(
            "Bitte notieren Sie, von wem und wann die Stellungnahme kam "
            "(z. B. „Telefonat mit Frau X am 3.12.“)."
        )
    return organisation_id


def _flush_guarded(session: Session, statement: Statement) -> None:
    """Flush; a concurrent save that got in first (version check in the UPDATE) is stale."""
    session.add(statement)
    try:
        session.flush()
    except StaleDataError:
        raise StaleEdit(_STALE) from None


def _keep_version(*, session: Session, statement: Statement, actor: Actor, now: datetime) -> None:
    session.add(
        StatementVersion(
            statement_id=id_of(statement),
            version=statement.version,
            text=statement.text,
            visibility=statement.visibility,
            status=statement.status,
            saved_by_id=actor.user_id or None,
            saved_at=now,
        )
    )


def _store_source(
    *, session: Session, actor: Actor, source_file: SourceFile, now: datetime
) -> Document:
    return filing.store(
        session=session, actor=actor, filename=source_file.filename, data=source_file.data, now=now
    )


def replace_points(*, session: Session, statement: Statement) -> list[Point]:
    """Split the statement into points again (earlier points of it are replaced)."""
    for point in session.exec(select(Point).where(Point.statement_id == statement.id)):
        session.delete(point)
    session.flush()
    points = [
        Point(
            statement_id=id_of(statement),
            position=position,
            text=part,
            norm_hash=text.text_hash(part),
            search_key=search.key_of(part),
        )
        for position, part in enumerate(text.split_points(statement.text))
    ]
    session.add_all(points)
    return points


def withdraw_statement(
    *,
    session: Session,
    actor: Actor,
    statement_id: int,
    expected_version: int,
    now: datetime | None = None,
) -> Statement:
    """Withdraw a statement (it stays stored but is no longer used); members until the
    member deadline, staff at any time."""
    now = now or utcnow()
    statement = session.get(Statement, statement_id)
    if statement is None:
        raise NotFound("Diese Stellungnahme gibt es nicht.")
    call = _writable_call(session, statement.call_id)
    if actor.acts_for_association:
        require(actor, Action.STATEMENT_WRITE_ANY)
    else:
        require(actor, Action.STATEMENT_WRITE_OWN, statement, session=session)
        if member_deadline_passed(call, now=now):
            raise InvalidInput(
                "Nach der Frist kann die Stellungnahme nicht mehr zurückgezogen "
                "werden. Bitte wenden Sie sich an das Referat."
            )
    if statement.version != expected_version:
        raise StaleEdit(_STALE)
    before = statement.model_dump()
    statement.status, statement.withdrawn_at, statement.updated_at = (
        StatementStatus.WITHDRAWN,
        now,
        now,
    )
    _flush_guarded(session, statement)
    _keep_version(session=session, statement=statement, actor=actor, now=now)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="withdraw",
        object_type="statement",
        object_id=statement_id,
        before=before,
        after=statement,
        now=now,
    )
    return statement


def get_statement(*, session: Session, actor: Actor, statement_id: int) -> Statement:
    statement = session.get(Statement, statement_id)
    if statement is None:
        raise NotFound("Diese Stellungnahme gibt es nicht.")
    if actor.acts_for_association:
        require(actor, Action.STATEMENT_READ_ALL)
        author = session.get(User, statement.author_id) if statement.author_id else None
        if not known_to_association(actor, statement, author=author):
            # A member's draft: not even its existence leaves the organisation.
            raise NotFound("Diese Stellungnahme gibt es nicht.")
        if not readable_by_association(actor, statement, saved_by=author):
            raise PermissionDenied(_why_unreadable(statement))
    else:
        require(actor, Action.STATEMENT_READ_OWN, statement, session=session)
    return statement


def readable_by_association(
    actor: Actor, statement: Statement | StatementVersion, *, saved_by: User | None = None
) -> bool:
    """Whether staff or board may read this text, a statement's or one saved version's, as
    it was when `saved_by` saved it (None: unknown, taken for the member's own): drafts
    stay with their organisation, a withdrawn text is no longer used, "nur intern" is for
    the policy office."""
    if statement.status == StatementStatus.WITHDRAWN:
        return False
    if statement.status == StatementStatus.DRAFT and not _may_read_draft(actor, saved_by):
        return False
    return _may_read_permission(actor, statement.visibility)


def readable_by_association_where(actor: Actor) -> ColumnElement[bool]:
    """`readable_by_association` as a query condition, for statements joined with their
    author (`User`, outer join), so that a search can filter before it limits."""
    status = col(Statement.status) == StatementStatus.SUBMITTED
    if can(actor, Action.STATEMENT_WRITE_ANY):
        office_draft = sa.and_(
            col(Statement.status) == StatementStatus.DRAFT, col(User.role) != Role.MEMBER
        )
        status = sa.or_(status, office_draft)
    if can_see_internal(actor):
        return status
    return sa.and_(status, col(Statement.visibility) != Visibility.INTERNAL)


def known_to_association(actor: Actor, statement: Statement, *, author: User | None) -> bool:
    """Whether staff or board may know that the statement exists and where it stands (its
    text aside): not while it is a member's draft, nor if it was withdrawn before it was
    ever submitted."""
    if statement.status == StatementStatus.SUBMITTED:
        return True
    if statement.status == StatementStatus.WITHDRAWN and statement.submitted_at is not None:
        return True
    return _may_read_draft(actor, author)


def _may_read_draft(actor: Actor, saved_by: User | None) -> bool:
    """Only a draft the office recorded on a member's behalf leaves the organisation, and
    only to those who record statements: it is unfinished work, not yet for the board."""
    recorded_by_office = saved_by is not None and saved_by.role != Role.MEMBER
    return recorded_by_office and can(actor, Action.STATEMENT_WRITE_ANY)


def _may_read_permission(actor: Actor, visibility: Visibility) -> bool:
    return visibility != Visibility.INTERNAL or can_see_internal(actor)


OUTSIDE_THE_OFFICE = (
    "Die Texte stehen in der Suche und in der Auswertung, ohne den Namen der Mitglieder, die "
    "nicht namentlich genannt werden möchten."
)


def _why_unreadable(statement: Statement) -> str:
    if statement.status == StatementStatus.WITHDRAWN:
        return (
            "Das Mitglied hat diese Stellungnahme zurückgezogen; ihr Text wird nicht mehr "
            "verwendet."
        )
    return "Diese Stellungnahme ist „nur intern“ und dem Referat vorbehalten."


def shown_with_name(actor: Actor, statement: Statement) -> bool:
    """May this person see the statement together with the organisation that made it? Its
    own organisation and the policy office always; everyone else (the board: its members
    are the competitors of those who answer) only where the member allowed naming."""
    if not actor.acts_for_association:
        return actor.organisation_id == statement.organisation_id
    return can_see_internal(actor) or attribution.may_name(statement.visibility)


def can_see_internal(actor: Actor) -> bool:
    """Statements marked "nur intern" are for the policy office (staff and admins) only."""
    return actor.acts_for_association and actor.role in attribution.POLICY_OFFICE


def history(*, session: Session, actor: Actor, statement_id: int) -> list[StatementVersion]:
    """The saved versions of a statement the actor may read, newest first: its organisation
    sees them all; staff and board each one only if they could read it when it was saved."""
    get_statement(session=session, actor=actor, statement_id=statement_id)
    versions = list(
        session.exec(
            select(StatementVersion)
            .where(StatementVersion.statement_id == statement_id)
            .order_by(col(StatementVersion.version).desc())
        ).all()
    )
    if not actor.acts_for_association:
        return versions
    savers = _users(session, {v.saved_by_id for v in versions if v.saved_by_id})
    return [
        v
        for v in versions
        if readable_by_association(actor, v, saved_by=savers.get(v.saved_by_id or 0))
    ]


def _users(session: Session, user_ids: set[int]) -> dict[int, User]:
    return {id_of(u): u for u in session.exec(select(User).where(col(User.id).in_(user_ids))).all()}


def points_of(*, session: Session, actor: Actor, statement_id: int) -> list[Point]:
    get_statement(session=session, actor=actor, statement_id=statement_id)
    return list(
        session.exec(
            select(Point).where(Point.statement_id == statement_id).order_by(col(Point.position))
        ).all()
    )


def add_attachment(
    *,
    session: Session,
    actor: Actor,
    statement_id: int,
    filename: str,
    data: bytes,
    now: datetime | None = None,
) -> Document:
    """Attach a file (PDF, Word, Excel, PowerPoint, text) to a statement."""
    statement = session.get(Statement, statement_id)
    if statement is None:
        raise NotFound("Diese Stellungnahme gibt es nicht.")
    if actor.acts_for_association:
        require(actor, Action.STATEMENT_WRITE_ANY)
    else:
        require(actor, Action.STATEMENT_WRITE_OWN, statement, session=session)
        call = _writable_call(session, statement.call_id)
        if member_deadline_passed(call, now=now):
            raise InvalidInput("Nach der Frist können keine Anlagen mehr hinzugefügt werden.")
    document = filing.store(session=session, actor=actor, filename=filename, data=data, now=now)
    session.add(StatementAttachment(statement_id=statement_id, document_id=id_of(document)))
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="attach",
        object_type="statement",
        object_id=statement_id,
        now=now,
    )
    return document


def read_file(*, session: Session, actor: Actor, document_id: int) -> tuple[Document, bytes]:
    """A statement's source file or attachment, for whoever may read the statement."""
    document = session.get(Document, document_id)
    statement_id = (
        session.exec(
            select(Statement.id).where(Statement.source_document_id == document_id)
        ).first()
        or session.exec(
            select(StatementAttachment.statement_id).where(
                StatementAttachment.document_id == document_id
            )
        ).first()
    )
    if document is None or statement_id is None:
        raise NotFound("Dieses Dokument gibt es nicht.")
    get_statement(session=session, actor=actor, statement_id=statement_id)
    return document, filing.content(document)


def attachments(*, session: Session, actor: Actor, statement_id: int) -> list[Document]:
    get_statement(session=session, actor=actor, statement_id=statement_id)
    return list(
        session.exec(
            select(Document)
            .join(StatementAttachment, col(StatementAttachment.document_id) == Document.id)
            .where(StatementAttachment.statement_id == statement_id)
            .order_by(col(Document.uploaded_at))
        ).all()
    )


@dataclass(frozen=True)
class StatementRow:
    """A statement with what the staff table shows about it."""

    statement: Statement
    organisation: Organisation
    author: User | None
    points: int


def _known_statements(
    session: Session, actor: Actor, call_id: int
) -> list[tuple[Statement, Organisation, User | None]]:
    """The call's statements staff or board may know of, with organisation and author."""
    rows = session.exec(
        select(Statement, Organisation, User)
        .join(Organisation, col(Organisation.id) == Statement.organisation_id)
        .join(User, col(User.id) == Statement.author_id, isouter=True)
        .where(Statement.call_id == call_id)
    ).all()
    return [(s, o, u) for s, o, u in rows if known_to_association(actor, s, author=u)]


def _point_counts(session: Session, statement_ids: Sequence[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for statement_id in session.exec(
        select(Point.statement_id).where(col(Point.statement_id).in_(statement_ids))
    ).all():
        counts[statement_id] = counts.get(statement_id, 0) + 1
    return counts


def statements_of_call(*, session: Session, actor: Actor, call_id: int) -> list[StatementRow]:
    """The call's statements staff or board may read, by organisation name (submitted
    ones; "nur intern" ones for staff only; no withdrawn text and no member's draft)."""
    require(actor, Action.STATEMENT_READ_ALL)
    rows = [
        (s, o, u)
        for s, o, u in _known_statements(session, actor, call_id)
        if readable_by_association(actor, s, saved_by=u)
    ]
    counts = _point_counts(session, [id_of(s) for s, _, _ in rows])
    return [
        StatementRow(s, o, u, counts.get(id_of(s), 0))
        for s, o, u in sorted(rows, key=lambda row: _by_name(row[1]))
    ]


def _by_name(organisation: Organisation) -> tuple[str, str]:
    """Alphabetical, the same on SQLite and PostgreSQL (whatever their collation)."""
    return organisation.name.casefold(), organisation.name


@dataclass(frozen=True)
class ExportRow:
    """One statement as it may leave the house in a spreadsheet: anonymous ones without
    company, person or time of day, internal ones only for the policy office and marked as
    such, withdrawn ones without text or points."""

    number: int
    organisation: str
    contact: str
    status: str
    visibility: str
    # A moment, or for anonymous rows only its day: a time could tell the member.
    submitted: datetime | date | None
    updated: datetime | date
    text: str
    points: tuple[str, ...]


def export_rows(*, session: Session, actor: Actor, call_id: int) -> list[ExportRow]:
    """The call's statements for a table export, permission rules applied: named (and, for
    the office, internal) rows by organisation, then the anonymous ones ordered by what
    they say, so that no row's place tells whose it is; numbered in that order."""
    require(actor, Action.STATEMENT_READ_ALL)
    exported = [
        (s, o, u)
        for s, o, u in _known_statements(session, actor, call_id)
        if readable_by_association(actor, s, saved_by=u)
        or (s.status == StatementStatus.WITHDRAWN and _may_read_permission(actor, s.visibility))
    ]
    points = _point_texts(
        session,
        [id_of(s) for s, _, u in exported if readable_by_association(actor, s, saved_by=u)],
    )
    named = sorted(
        (row for row in exported if row[0].visibility != Visibility.ANONYMOUS),
        key=lambda row: _by_name(row[1]),
    )
    anonymous = [row for row in exported if row[0].visibility == Visibility.ANONYMOUS]
    rows = [_export_row(s, o, u, points.get(id_of(s), ())) for s, o, u in named] + sorted(
        (_export_row(s, o, u, points.get(id_of(s), ())) for s, o, u in anonymous),
        key=_by_content,
    )
    return [replace(row, number=number) for number, row in enumerate(rows, start=1)]


def _point_texts(session: Session, statement_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    points: dict[int, list[str]] = {}
    for statement_id, point_text in session.exec(
        select(Point.statement_id, Point.text)
        .where(col(Point.statement_id).in_(statement_ids))
        .order_by(col(Point.statement_id), col(Point.position))
    ).all():
        points.setdefault(statement_id, []).append(point_text)
    return {statement_id: tuple(texts) for statement_id, texts in points.items()}


def _export_row(
    statement: Statement, organisation: Organisation, author: User | None, points: tuple[str, ...]
) -> ExportRow:
    """One row, not yet numbered. A withdrawn statement keeps only that it was withdrawn
    (`points` is empty for it, as its text may not be read)."""
    anonymous = statement.visibility == Visibility.ANONYMOUS
    withdrawn = statement.status == StatementStatus.WITHDRAWN
    submitted, updated = statement.submitted_at, statement.updated_at
    visibility = labels.VISIBILITY[statement.visibility]
    if statement.visibility == Visibility.INTERNAL:
        visibility = labels.INTERNAL_MARK
    return ExportRow(
        number=0,
        organisation=labels.UNNAMED[Visibility.ANONYMOUS] if anonymous else organisation.name,
        contact="" if anonymous or author is None else author.name,
        status=labels.STATEMENT_STATUS[statement.status],
        visibility=visibility,
        submitted=_day_only(submitted) if anonymous and submitted else submitted,
        updated=_day_only(updated) if anonymous else updated,
        text="" if withdrawn else statement.text,
        points=() if withdrawn else points,
    )


def _day_only(moment: datetime) -> date:
    return moment.astimezone(BERLIN).date()


def _by_content(row: ExportRow) -> tuple[str, ...]:
    """An anonymous row's place: by what the row shows, so rows that sort alike look alike."""
    return (
        row.text,
        "\n".join(row.points),
        row.status,
        row.visibility,
        str(row.submitted or ""),
        str(row.updated),
    )


@dataclass(frozen=True)
class AnswerRow:
    """An invited organisation and where its answer stands, as far as this person may know:
    a member's draft counts as no answer yet, and the statement (with its text) is only
    there where this person may read it."""

    organisation: Organisation
    status: str  # eingeladen, Entwurf, eingereicht, zurückgezogen, keine Antwort
    statement: Statement | None  # only where this person may read it
    visibility: Visibility | None
    source: StatementSource | None
    updated: datetime | None
    points: int | None  # None without a statement, 0 where its text may not be read
    # The stored statement's version: what a statement recorded on the member's behalf
    # replaces (also a draft this person does not see).
    version: int | None
    note: str  # why a statement this person knows of is not shown; "" otherwise

    @property
    def readable(self) -> bool:
        """Whether this person may open the statement."""
        return self.statement is not None


def answer_table(
    *, session: Session, actor: Actor, call_id: int, now: datetime | None = None
) -> list[AnswerRow]:
    """Every invited organisation with its statement's state, by name."""
    require(actor, Action.STATEMENT_READ_ALL)
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("Diesen Aufruf gibt es nicht.")
    organisations = session.exec(
        select(Organisation)
        .join(CallInvitee, col(CallInvitee.organisation_id) == Organisation.id)
        .where(CallInvitee.call_id == call_id)
    ).all()
    by_organisation = {
        s.organisation_id: (s, u)
        for s, u in session.exec(
            select(Statement, User)
            .join(User, col(User.id) == Statement.author_id, isouter=True)
            .where(Statement.call_id == call_id)
        ).all()
    }
    counts = _point_counts(session, [id_of(s) for s, _ in by_organisation.values()])
    no_answer = "keine Antwort" if member_deadline_passed(call, now=now) else "eingeladen"
    rows = []
    for organisation in sorted(organisations, key=_by_name):
        statement, author = by_organisation.get(id_of(organisation), (None, None))
        points = counts.get(id_of(statement), 0) if statement else 0
        rows.append(
            _answer_row(
                actor,
                organisation,
                statement=statement,
                author=author,
                points=points,
                no_answer=no_answer,
            )
        )
    return rows


def _answer_row(
    actor: Actor,
    organisation: Organisation,
    *,
    statement: Statement | None,
    author: User | None,
    points: int,
    no_answer: str,
) -> AnswerRow:
    if statement is None or not known_to_association(actor, statement, author=author):
        version = statement.version if statement else None
        return AnswerRow(organisation, no_answer, None, None, None, None, None, version, "")
    # The table lists organisations by name: beside it, any text (or which rows hide theirs,
    # or their use permission) would tell the board who said what anonymously. Outside the
    # policy office it shows where each answer stands, nothing more.
    office = can_see_internal(actor)
    readable = office and readable_by_association(actor, statement, saved_by=author)
    return AnswerRow(
        organisation,
        labels.STATEMENT_STATUS[statement.status],
        statement if readable else None,
        statement.visibility if office else None,
        statement.source,
        statement.updated_at if office else None,
        points if readable else 0,
        statement.version,
        "" if readable else (_why_unreadable(statement) if office else OUTSIDE_THE_OFFICE),
    )
