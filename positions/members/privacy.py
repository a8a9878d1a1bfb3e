"""Personal data of one person under the DSGVO: everything stored about them (Art. 15) and
erasing it (Art. 17).

Erasing keeps what the association needs and what is not the person's: the row in `users`
stays, anonymous, for everything that refers to it, so statements stay with their
organisation, reviews and comments keep their place, and the audit log keeps that
something happened. Everything that names or reaches the person goes: name, e-mail
address, phone, function, password, sessions, links, calendar addresses, the texts of the
e-mails sent to them, and their name or address in earlier audit details. Nothing of it is
kept aside, so an erasure cannot be undone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from db.models import (
    Approval,
    AuditEvent,
    CalendarFeed,
    Call,
    ContactForum,
    Decision,
    Document,
    FollowUp,
    Forum,
    ForumDelegate,
    Invitation,
    LoginSession,
    MailMessage,
    Meeting,
    MeetingAttendee,
    Organisation,
    Paper,
    PaperContact,
    PaperVersion,
    Paragraph,
    ParagraphComment,
    PasswordToken,
    Review,
    Role,
    Section,
    Statement,
    StatementVersion,
    User,
)
from positions.core import audit, embedding_store, labels, settings
from positions.core.clock import BERLIN, utcnow
from positions.core.errors import InvalidInput, NotFound, PermissionDenied
from positions.core.permissions import Action, Actor, require

ERASED_NAME = "Gelöschte Person"
REDACTED = "[gelöscht]"
LINK_REMOVED = "[Link entfernt]"
NOT_FOUND = "Diese Person gibt es nicht."
ERASED_ACTION = "contact_erased"

_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# How the audit log names a user as its object (accounts say "user", `audit.created` the
# table name).
_USER_OBJECT_TYPES = ("user", "users")
_DECISION = {Decision.APPROVE: "Freigabe", Decision.REJECT: "Ablehnung"}
_AUDIT_ACTION = {
    "login": "Anmeldung",
    "login_failed": "Anmeldung mit falschem Passwort",
    "login_locked": "Zugang nach Fehlversuchen gesperrt",
    "login_refused": "Anmeldung abgelehnt",
    "create": "angelegt",
    "create_admin": "als Administration angelegt",
    "update": "geändert",
    "delete": "gelöscht",
    ERASED_ACTION: "personenbezogene Daten gelöscht",
}


def erased_email(user_id: int) -> str:
    """The address an erased person's row gets: unique, and never deliverable (RFC 2606)."""
    return f"geloescht-{user_id}@geloescht.invalid"


def _may_manage(actor: Actor, user: User) -> None:
    """Staff manage member contacts; only administrators manage the association's accounts."""
    if actor.via_invitation:
        raise PermissionDenied()
    require(actor, Action.MEMBER_MANAGE if user.role == Role.MEMBER else Action.USER_MANAGE)


def _user(session: Session, user_id: int, *, for_update: bool = False) -> User:
    query = select(User).where(col(User.id) == user_id)
    user = session.exec(query.with_for_update() if for_update else query).first()
    if user is None:
        raise NotFound(NOT_FOUND)
    return user


@dataclass(frozen=True)
class Subject:
    """Whose data a page offers to export or erase."""

    user_id: int
    name: str
    email: str
    erased_at: datetime | None


def subject(*, session: Session, actor: Actor, user_id: int) -> Subject:
    """The person as far as export and erasure need it, for those who may do both."""
    user = _user(session, user_id)
    _may_manage(actor, user)
    return Subject(user_id, user.name, user.email, user.erased_at)


# --- Art. 15: what is stored -----------------------------------------------------------------


def personal_data(
    *, session: Session, actor: Actor, user_id: int, now: datetime | None = None
) -> dict[str, Any]:
    """Everything stored about one person, readable and ready for JSON (Art. 15 DSGVO).

    Staff may ask for member contacts, administrators for everyone, and everyone with a
    login for themselves. Secrets (password hashes, link tokens) are never part of it."""
    user = _user(session, user_id)
    if actor.via_invitation or actor.user_id != user_id:
        _may_manage(actor, user)
    association = settings.association(session=session)
    return {
        "Auskunft nach Art. 15 DSGVO": {
            "Erstellt am": _time(now or utcnow()),
            "Verantwortlich": association.name,
            "Anschrift": association.address,
        },
        "Person": _person(user),
        "Organisation": _organisation(session, user.organisation_id),
        "Foren, zu denen Aufrufe kommen": _contact_forums(session, user_id),
        "Delegationen in Foren": _delegations(session, user_id),
        "Teilnahme an Sitzungen": _meetings(session, user_id),
        "Aufgaben aus Sitzungen": _follow_ups(session, user_id),
        "Stellungnahmen": _statements(session, user_id),
        "Gespeicherte Fassungen von Stellungnahmen": _statement_versions(session, user_id),
        "Rückmeldungen zu Papieren": _reviews(session, user_id),
        "Kommentare zu Absätzen": _paragraph_comments(session, user_id),
        "Freigaben": _approvals(session, user_id),
        "Hochgeladene Dokumente": _documents(session, user_id),
        "Persönliche Links": _invitations(session, user_id, now or utcnow()),
        "E-Mails an Sie": _mails(session, user_id),
        "Anmeldungen": _login_sessions(session, user_id),
        "Links zum Setzen des Passworts": _password_tokens(session, user_id),
        "Kalenderadressen": _calendar_feeds(session, user_id),
        "Protokoll": _audit_events(session, user_id),
    }


def as_json(data: dict[str, Any]) -> bytes:
    """The export as a file: UTF-8 JSON with umlauts as they are, indented for reading."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _time(moment: datetime | None) -> str | None:
    return moment.astimezone(BERLIN).isoformat(timespec="minutes") if moment else None


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _person(user: User) -> dict[str, Any]:
    return {
        "Name": user.name,
        "Vorname": user.given_name,
        "Nachname": user.family_name,
        "E-Mail": user.email,
        "Funktion": user.function,
        "Telefon": user.phone,
        "Rolle": labels.ROLE[user.role],
        "Zugang aktiv": user.active,
        "Passwort gesetzt": user.password_hash is not None,
        "Fehlversuche bei der Anmeldung": user.failed_logins,
        "Gesperrt bis": _time(user.locked_until),
        "Letzte Anmeldung": _time(user.last_login_at),
        "Angelegt am": _time(user.created_at),
        "Gelöscht am": _time(user.erased_at),
    }


def _organisation(session: Session, organisation_id: int | None) -> dict[str, Any] | None:
    organisation = session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None:
        return None
    return {"Name": organisation.name, "Ort": organisation.city}


def _contact_forums(session: Session, user_id: int) -> list[str]:
    query = (
        select(Forum.name)
        .join(ContactForum, col(ContactForum.forum_id) == col(Forum.id))
        .where(ContactForum.user_id == user_id)
        .order_by(Forum.name)
    )
    return list(session.exec(query).all())


def _delegations(session: Session, user_id: int) -> list[dict[str, Any]]:
    query = (
        select(ForumDelegate, Forum)
        .join(Forum, col(Forum.id) == col(ForumDelegate.forum_id))
        .where(ForumDelegate.user_id == user_id)
        .order_by(Forum.name)
    )
    return [
        {"Forum": forum.name, "Rolle": labels.DELEGATE_ROLE[delegate.role]}
        for delegate, forum in session.exec(query).all()
    ]


def _meetings(session: Session, user_id: int) -> list[dict[str, Any]]:
    query = (
        select(Meeting, Forum)
        .join(MeetingAttendee, col(MeetingAttendee.meeting_id) == col(Meeting.id))
        .join(Forum, col(Forum.id) == col(Meeting.forum_id))
        .where(MeetingAttendee.user_id == user_id)
        .order_by(col(Meeting.starts_at))
    )
    return [
        {"Forum": forum.name, "Sitzung": meeting.title, "Beginn": _time(meeting.starts_at)}
        for meeting, forum in session.exec(query).all()
    ]


def _follow_ups(session: Session, user_id: int) -> list[dict[str, Any]]:
    query = (
        select(FollowUp, Meeting)
        .join(Meeting, col(Meeting.id) == col(FollowUp.meeting_id))
        .where(FollowUp.owner_id == user_id)
        .order_by(col(FollowUp.created_at))
    )
    return [
        {
            "Sitzung": meeting.title,
            "Aufgabe": follow_up.text,
            "Fällig am": _day(follow_up.due_on),
            "Erledigt am": _time(follow_up.done_at),
        }
        for follow_up, meeting in session.exec(query).all()
    ]


def _statements(session: Session, user_id: int) -> list[dict[str, Any]]:
    query = (
        select(Statement, Call, Forum)
        .join(Call, col(Call.id) == col(Statement.call_id))
        .join(Forum, col(Forum.id) == col(Call.forum_id))
        .where(Statement.author_id == user_id)
        .order_by(col(Statement.created_at))
    )
    return [
        {
            "Forum": forum.name,
            "Aufruf": call.title,
            "Text": statement.text,
            "Status": labels.STATEMENT_STATUS[statement.status],
            "Verwendung": labels.VISIBILITY[statement.visibility],
            "Angelegt am": _time(statement.created_at),
            "Geändert am": _time(statement.updated_at),
            "Eingereicht am": _time(statement.submitted_at),
            "Zurückgezogen am": _time(statement.withdrawn_at),
        }
        for statement, call, forum in session.exec(query).all()
    ]


def _statement_versions(session: Session, user_id: int) -> list[dict[str, Any]]:
    query = (
        select(StatementVersion, Call)
        .join(Statement, col(Statement.id) == col(StatementVersion.statement_id))
        .join(Call, col(Call.id) == col(Statement.call_id))
        .where(StatementVersion.saved_by_id == user_id)
        .order_by(col(StatementVersion.saved_at))
    )
    return [
        {
            "Aufruf": call.title,
            "Fassung": version.version,
            "Text": version.text,
            "Status": labels.STATEMENT_STATUS[version.status],
            "Verwendung": labels.VISIBILITY[version.visibility],
            "Gespeichert am": _time(version.saved_at),
        }
        for version, call in session.exec(query).all()
    ]


def _reviews(session: Session, user_id: int) -> list[dict[str, Any]]:
    query = (
        select(Review, PaperVersion, Paper)
        .join(PaperVersion, col(PaperVersion.id) == col(Review.paper_version_id))
        .join(Paper, col(Paper.id) == col(PaperVersion.paper_id))
        .where(Review.author_id == user_id)
        .order_by(col(Review.created_at))
    )
    return [
        {
            "Papier": paper.title,
            "Fassung": version.number,
            "Haltung": labels.STANCE[review.stance],
            "Kommentar": review.comment,
            "Minderheitsvotum gewünscht": review.minority_opinion_requested,
            "Am": _time(review.created_at),
        }
        for review, version, paper in session.exec(query).all()
    ]


def _paragraph_comments(session: Session, user_id: int) -> list[dict[str, Any]]:
    query = (
        select(ParagraphComment, Paper)
        .join(Paragraph, col(Paragraph.id) == col(ParagraphComment.paragraph_id))
        .join(Section, col(Section.id) == col(Paragraph.section_id))
        .join(Paper, col(Paper.id) == col(Section.paper_id))
        .where(ParagraphComment.author_id == user_id)
        .order_by(col(ParagraphComment.created_at))
    )
    return [
        {"Papier": paper.title, "Kommentar": comment.text, "Am": _time(comment.created_at)}
        for comment, paper in session.exec(query).all()
    ]


def _approvals(session: Session, user_id: int) -> list[dict[str, Any]]:
    query = (
        select(Approval, PaperVersion, Paper)
        .join(PaperVersion, col(PaperVersion.id) == col(Approval.paper_version_id))
        .join(Paper, col(Paper.id) == col(PaperVersion.paper_id))
        .where(Approval.board_member_id == user_id)
        .order_by(col(Approval.created_at))
    )
    return [
        {
            "Papier": paper.title,
            "Fassung": version.number,
            "Entscheidung": _DECISION[approval.decision],
            "Kommentar": approval.comment,
            "Am": _time(approval.created_at),
            "Ungültig seit": _time(approval.invalidated_at),
        }
        for approval, version, paper in session.exec(query).all()
    ]


def _documents(session: Session, user_id: int) -> list[dict[str, Any]]:
    query = (
        select(Document)
        .where(Document.uploaded_by_id == user_id)
        .order_by(col(Document.uploaded_at))
    )
    return [
        {"Datei": document.filename, "Hochgeladen am": _time(document.uploaded_at)}
        for document in session.exec(query).all()
    ]


def _invitations(session: Session, user_id: int, now: datetime) -> list[dict[str, Any]]:
    query = (
        select(Invitation, Call, Paper)
        .join(Call, col(Call.id) == col(Invitation.call_id), isouter=True)
        .join(Paper, col(Paper.id) == col(Invitation.paper_id), isouter=True)
        .where(Invitation.contact_id == user_id)
        .order_by(col(Invitation.created_at))
    )
    return [
        {
            "Für": f"Aufruf „{call.title}“" if call else f"Papier „{paper.title if paper else ''}“",
            "Stand": labels.LINK_STATE[_link_state(invitation, now)],
            "Erstellt am": _time(invitation.created_at),
            "Gültig bis": _time(invitation.expires_at),
            "Zuerst geöffnet am": _time(invitation.first_used_at),
            "Zuletzt geöffnet am": _time(invitation.last_used_at),
            "Zurückgezogen am": _time(invitation.revoked_at),
        }
        for invitation, call, paper in session.exec(query).all()
    ]


def _link_state(invitation: Invitation, now: datetime) -> str:
    """The key of `labels.LINK_STATE` (the rule itself lives in positions.forums.invitations,
    which this package may not import)."""
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= now:
        return "expired"
    return "used" if invitation.first_used_at else "open"


def _mails(session: Session, user_id: int) -> list[dict[str, Any]]:
    query = (
        select(MailMessage)
        .where(MailMessage.contact_id == user_id)
        .order_by(col(MailMessage.created_at))
    )
    return [
        {
            "Art": labels.MAIL_KIND[mail.kind],
            "An": mail.recipient,
            "Betreff": mail.subject,
            # Stored bodies have no personal link; other links are left out all the same,
            # so that the export opens nothing.
            "Text": _LINK.sub(LINK_REMOVED, mail.body),
            "Stand": labels.MAIL_STATUS[mail.status],
            "Geplant für": _day(mail.scheduled_on),
            "Versendet am": _time(mail.sent_at),
        }
        for mail in session.exec(query).all()
    ]


def _sessions_of(user_id: int) -> sa.ColumnElement[bool]:
    """The person's browser sessions: logins, and visits through their personal links."""
    links = select(Invitation.id).where(Invitation.contact_id == user_id)
    return or_(col(LoginSession.user_id) == user_id, col(LoginSession.invitation_id).in_(links))


def _login_sessions(session: Session, user_id: int) -> list[dict[str, Any]]:
    query = select(LoginSession).where(_sessions_of(user_id)).order_by(col(LoginSession.created_at))
    return [
        {
            "Über": "persönlichen Link" if row.user_id is None else "Anmeldung",
            "Begonnen am": _time(row.created_at),
            "Zuletzt aktiv am": _time(row.last_seen_at),
            "Beendet am": _time(row.ended_at),
        }
        for row in session.exec(query).all()
    ]


def _password_tokens(session: Session, user_id: int) -> list[dict[str, Any]]:
    query = (
        select(PasswordToken)
        .where(PasswordToken.user_id == user_id)
        .order_by(col(PasswordToken.created_at))
    )
    return [
        {
            "Erstellt am": _time(token.created_at),
            "Gültig bis": _time(token.expires_at),
            "Genutzt am": _time(token.used_at),
        }
        for token in session.exec(query).all()
    ]


def _calendar_feeds(session: Session, user_id: int) -> list[dict[str, Any]]:
    query = (
        select(CalendarFeed)
        .where(CalendarFeed.user_id == user_id)
        .order_by(col(CalendarFeed.created_at))
    )
    return [
        {
            "Erstellt am": _time(feed.created_at),
            "Zuletzt abgerufen am": _time(feed.last_fetched_at),
            "Widerrufen am": _time(feed.revoked_at),
        }
        for feed in session.exec(query).all()
    ]


def _about(user_id: int) -> sa.ColumnElement[bool]:
    """Audit events the person caused, or that are about their account."""
    return or_(
        col(AuditEvent.actor_id) == user_id,
        sa.and_(
            col(AuditEvent.object_type).in_(_USER_OBJECT_TYPES),
            col(AuditEvent.object_id) == user_id,
        ),
    )


def _audit_events(session: Session, user_id: int) -> list[dict[str, Any]]:
    query = select(AuditEvent).where(_about(user_id)).order_by(col(AuditEvent.at))
    return [
        {
            "Am": _time(event.at),
            "Aktion": _AUDIT_ACTION.get(event.action, event.action),
            "Betrifft": event.object_type,
        }
        for event in session.exec(query).all()
    ]


# --- Art. 17: erasing -----------------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    """What an erasure did; `already_erased` when there was nothing left to do."""

    user_id: int
    already_erased: bool
    statements_kept: int


def erase_contact(
    *, session: Session, actor: Actor, user_id: int, now: datetime | None = None
) -> Erasure:
    """Erase a person's personal data for good (Art. 17 DSGVO); a second call changes nothing.

    Staff erase member contacts, administrators every account but their own and the last
    active administrator's."""
    user = _user(session, user_id, for_update=True)
    _may_manage(actor, user)
    kept = len(session.exec(select(Statement.id).where(Statement.author_id == user_id)).all())
    if user.erased_at is not None:
        return Erasure(user_id, already_erased=True, statements_kept=kept)
    if user_id == actor.user_id:
        raise InvalidInput(
            "Ihren eigenen Zugang können Sie nicht löschen; bitten Sie eine andere "
            "Administratorin oder einen anderen Administrator darum."
        )
    if user.role == Role.ADMIN and not _other_active_admins(session, user_id):
        raise InvalidInput(
            "Dies ist der letzte aktive Zugang mit Administrationsrechten. Legen Sie zuerst "
            "einen weiteren an, bevor Sie diesen löschen."
        )
    now = now or utcnow()
    traces = _traces(user)
    _end_access(session, user_id, now)
    _scrub_mails(session, user_id, traces)
    _scrub_audit_details(session, traces)
    # Vectors of texts that named the person can be read back into words approximately;
    # the cache is rebuilt on demand.
    embedding_store.forget_all(session)
    _anonymise(user, now)
    session.add(user)
    # Who it was stays out of the log: the object is the row that is anonymous from now on.
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action=ERASED_ACTION,
        object_type="user",
        object_id=user_id,
        now=now,
    )
    session.flush()
    return Erasure(user_id, already_erased=False, statements_kept=kept)


def _other_active_admins(session: Session, user_id: int) -> bool:
    query = select(User.id).where(
        User.role == Role.ADMIN,
        col(User.active),
        col(User.erased_at).is_(None),
        col(User.id) != user_id,
    )
    return session.exec(query.limit(1)).first() is not None


def _traces(user: User) -> tuple[str, ...]:
    """The texts that identify the person wherever they were copied: address and name."""
    candidates = (
        user.email,
        user.name,
        f"{user.given_name} {user.family_name}".strip(),
    )
    # Two letters would match half the log; a full name or an address never by chance.
    return tuple({c.strip().lower() for c in candidates if len(c.strip()) >= 3})


def _end_access(session: Session, user_id: int, now: datetime) -> None:
    """Sessions, password links and calendar addresses go; personal links are revoked (the
    rows stay for the e-mails that carried them); the person leaves forums and papers."""
    session.execute(delete(LoginSession).where(_sessions_of(user_id)))
    for table, column in (
        (PasswordToken, PasswordToken.user_id),
        (CalendarFeed, CalendarFeed.user_id),
        (ContactForum, ContactForum.user_id),
        (ForumDelegate, ForumDelegate.user_id),
        (PaperContact, PaperContact.user_id),
    ):
        session.execute(delete(table).where(col(column) == user_id))
    session.execute(
        update(Invitation)
        .where(col(Invitation.contact_id) == user_id, col(Invitation.revoked_at).is_(None))
        .values(revoked_at=now)
    )


def _scrub_mails(session: Session, user_id: int, traces: tuple[str, ...]) -> None:
    """The e-mails stay as facts (kind, day, status); address, text and errors go."""
    mails = session.exec(select(MailMessage).where(MailMessage.contact_id == user_id)).all()
    for mail in mails:
        mail.recipient = erased_email(user_id)
        mail.body = ""
        mail.error = ""
        mail.subject = _without(mail.subject, traces)
        session.add(mail)


def _scrub_audit_details(session: Session, traces: tuple[str, ...]) -> None:
    """Details should never name a person, but a file name or a reason typed by staff may:
    any text in any event's detail that contains the name or address is replaced."""
    query = select(AuditEvent.id, AuditEvent.detail).where(
        col(AuditEvent.detail).is_not(None),
        sa.cast(col(AuditEvent.detail), sa.Text) != "null",
    )
    for event_id, detail in session.exec(query).all():
        scrubbed = _scrubbed(detail, traces)
        if scrubbed != detail:
            event = session.get(AuditEvent, event_id)
            assert event is not None
            event.detail = scrubbed
            session.add(event)


def _scrubbed(value: Any, traces: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return REDACTED if _mentions(value, traces) else value
    if isinstance(value, dict):
        return {key: _scrubbed(item, traces) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, traces) for item in value]
    return value


def _mentions(text: str, traces: Iterable[str]) -> bool:
    lowered = text.lower()
    return any(trace in lowered for trace in traces)


def _without(text: str, traces: Iterable[str]) -> str:
    for trace in traces:
        text = re.sub(re.escape(trace), REDACTED, text, flags=re.IGNORECASE)
    return text


def _anonymise(user: User, now: datetime) -> None:
    user.name = ERASED_NAME
    user.given_name = ""
    user.family_name = ""
    user.function = ""
    user.phone = ""
    user.email = erased_email(user.id or 0)
    user.password_hash = None
    user.active = False
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = None
    user.erased_at = now
