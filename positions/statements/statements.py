"""Member statements: written in the browser or uploaded as Word, with a use permission,
kept in versions, split into points for merging.

A member contact edits their organisation's statement until the member deadline; staff can
record one on a member's behalf (phone, e-mail, letter) at any time. Every save keeps the
earlier text as a `StatementVersion`; a save from a stale browser tab is refused instead of
overwriting what another tab saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from db.models import (
    Call,
    CallInvitee,
    CallStatus,
    Document,
    Organisation,
    Point,
    Statement,
    StatementAttachment,
    StatementSource,
    StatementStatus,
    StatementVersion,
    User,
    Visibility,
    id_of,
)
from positions.core import audit, cleaning, formatting, labels, text
from positions.core.clock import today_in_berlin, utcnow
from positions.core.errors import InvalidInput, NotFound, PermissionDenied, StaleEdit
from positions.core.formatting import long_date
from positions.core.permissions import Action, Actor, require
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
        if not readable_by_association(actor, statement):
            raise PermissionDenied(
                "Diese Stellungnahme ist nur für das Referat bestimmt."
                if statement.status != StatementStatus.DRAFT
                else "Das Mitglied hat diese Stellungnahme noch nicht eingereicht; ihr Text "
                "ist erst danach sichtbar."
            )
    else:
        require(actor, Action.STATEMENT_READ_OWN, statement, session=session)
    return statement


def readable_by_association(actor: Actor, statement: Statement) -> bool:
    """Drafts stay with their organisation until submitted; "nur intern" is for staff."""
    if statement.status == StatementStatus.DRAFT and statement.source == StatementSource.WEB:
        return False
    return statement.visibility != Visibility.INTERNAL or can_see_internal(actor)


def can_see_internal(actor: Actor) -> bool:
    """Statements marked "nur intern" are for the policy office (staff and admins) only."""
    return actor.acts_for_association and actor.role.value in {"staff", "admin"}


def history(*, session: Session, actor: Actor, statement_id: int) -> list[StatementVersion]:
    """All saved versions of a statement, newest first."""
    get_statement(session=session, actor=actor, statement_id=statement_id)
    return list(
        session.exec(
            select(StatementVersion)
            .where(StatementVersion.statement_id == statement_id)
            .order_by(col(StatementVersion.version).desc())
        ).all()
    )


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


def statements_of_call(*, session: Session, actor: Actor, call_id: int) -> list[StatementRow]:
    """The call's statements for staff and board ("nur intern" ones for staff only)."""
    require(actor, Action.STATEMENT_READ_ALL)
    query = (
        select(Statement, Organisation, User)
        .join(Organisation, col(Organisation.id) == Statement.organisation_id)
        .join(User, col(User.id) == Statement.author_id, isouter=True)
        .where(Statement.call_id == call_id)
        .order_by(col(Organisation.name))
    )
    rows = [row for row in session.exec(query).all() if readable_by_association(actor, row[0])]
    counts: dict[int, int] = {}
    for statement_id in session.exec(
        select(Point.statement_id).where(
            col(Point.statement_id).in_([id_of(s) for s, _, _ in rows])
        )
    ).all():
        counts[statement_id] = counts.get(statement_id, 0) + 1
    return [StatementRow(s, o, u, counts.get(id_of(s), 0)) for s, o, u in rows]


@dataclass(frozen=True)
class ExportRow:
    """One statement as it may leave the house in a spreadsheet: anonymous ones without
    company or person, internal ones only for the policy office and marked as such."""

    number: int
    organisation: str
    contact: str
    status: str
    visibility: str
    submitted: datetime | None
    updated: datetime
    text: str
    points: tuple[str, ...]


ANONYMOUS_LABEL = "anonym"


def export_rows(*, session: Session, actor: Actor, call_id: int) -> list[ExportRow]:
    """The call's statements for a table export, numbered, permission rules applied."""
    rows = statements_of_call(session=session, actor=actor, call_id=call_id)
    points: dict[int, list[str]] = {}
    for statement_id, point_text in session.exec(
        select(Point.statement_id, Point.text)
        .where(col(Point.statement_id).in_([id_of(r.statement) for r in rows]))
        .order_by(col(Point.statement_id), col(Point.position))
    ).all():
        points.setdefault(statement_id, []).append(point_text)
    exported = []
    for number, row in enumerate(rows, start=1):
        statement = row.statement
        anonymous = statement.visibility == Visibility.ANONYMOUS
        visibility = labels.VISIBILITY[statement.visibility]
        if statement.visibility == Visibility.INTERNAL:
            visibility = "NUR INTERN – nicht weitergeben"
        exported.append(
            ExportRow(
                number=number,
                organisation=ANONYMOUS_LABEL if anonymous else row.organisation.name,
                contact="" if anonymous or row.author is None else row.author.name,
                status=labels.STATEMENT_STATUS[statement.status],
                visibility=visibility,
                submitted=statement.submitted_at,
                updated=statement.updated_at,
                text=statement.text,
                points=tuple(points.get(id_of(statement), [])),
            )
        )
    return exported


@dataclass(frozen=True)
class AnswerRow:
    """An invited organisation and where its answer stands, for the staff table."""

    organisation: Organisation
    statement: Statement | None
    points: int
    status: str  # eingeladen, Entwurf, eingereicht, zurückgezogen, keine Antwort
    readable: bool  # whether this person may open the statement


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
        .order_by(col(Organisation.name))
    ).all()
    by_organisation = {
        s.organisation_id: s
        for s in session.exec(select(Statement).where(Statement.call_id == call_id)).all()
    }
    counts: dict[int, int] = {}
    for statement_id in session.exec(
        select(Point.statement_id)
        .join(Statement, col(Statement.id) == Point.statement_id)
        .where(Statement.call_id == call_id)
    ).all():
        counts[statement_id] = counts.get(statement_id, 0) + 1
    late = member_deadline_passed(call, now=now)
    rows = []
    for organisation in organisations:
        statement = by_organisation.get(id_of(organisation))
        if statement is None:
            status = "keine Antwort" if late else "eingeladen"
        else:
            status = labels.STATEMENT_STATUS[statement.status]
        readable = statement is not None and readable_by_association(actor, statement)
        rows.append(
            AnswerRow(
                organisation,
                statement,
                counts.get(id_of(statement), 0) if statement else 0,
                status,
                readable,
            )
        )
    return rows
