"""Invitations and reminders by e-mail, each with a personal link of its own.

A message is stored without its link (only the link's hash is ever stored, see
`positions.forums.invitations`); every attempt to send creates a fresh link, which replaces
the contact's earlier link to the call once it is sent. Without a mail server,
staff get the same texts to copy, with a mailto link. The unique key on MailMessage makes
sure no contact gets the same kind of message twice on one day.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from urllib.parse import quote

from sqlmodel import Session, col, select

from db.models import (
    Call,
    CallInvitee,
    CallStatus,
    Forum,
    Invitation,
    MailKind,
    MailMessage,
    MailStatus,
    Organisation,
    Role,
    Statement,
    StatementStatus,
    User,
    id_of,
)
from positions.core import audit, cleaning
from positions.core.clock import today_in_berlin, utcnow
from positions.core.errors import InvalidInput, NotFound, PositionenError
from positions.core.formatting import long_date
from positions.core.permissions import Action, Actor, require
from positions.core.settings import Smtp
from positions.core.working_days import subtract_working_days
from positions.forums import invitations
from positions.forums.invitations import QUERY_PARAMETER

LINK_PLACEHOLDER = "[persönlicher Link]"
# Reminders go out this many working days before the member deadline.
REMINDER_WORKING_DAYS = (5, 1)
SMTP_TIMEOUT_SECONDS = 15
MAX_SUBJECT_LENGTH = 300  # MailMessage.subject

# Messages that need nothing more from us: sent through the server, or handed to staff.
DONE = frozenset({MailStatus.SENT, MailStatus.HANDED_OVER})


class MailFailed(PositionenError):
    """The mail server could not be reached or refused the message."""


@dataclass(frozen=True)
class ManualMail:
    """A message for staff to send by hand: the text with its link, and a mailto address."""

    to: str
    subject: str
    body: str
    mailto: str


# --- texts ----------------------------------------------------------------------------------


def _texts(
    kind: MailKind, *, call: Call, forum: Forum, contact: User, association_name: str
) -> tuple[str, str]:
    deadline = long_date(call.member_deadline)
    # Titles and names stored before they were cleaned may hold line breaks; a mail header
    # must not (the message would not be built at all).
    title, forum_name = cleaning.clean_line(call.title), cleaning.clean_line(forum.name)
    if kind == MailKind.INVITATION:
        subject = f"Bitte um Ihre Stellungnahme: {title}"
        opening = f"{association_name} bittet um Ihre Stellungnahme für das Forum „{forum_name}“."
    else:
        subject = f"Erinnerung: Ihre Stellungnahme bis {deadline} – {title}"
        opening = (
            f"wir haben von Ihrem Unternehmen noch keine Stellungnahme zum Aufruf "
            f"„{title}“ im Forum „{forum_name}“ erhalten."
        )
    question = f"\n\nDie Frage lautet:\n{call.question}" if call.question else ""
    body = (
        f"Guten Tag {contact.name},\n\n"
        f"{opening}\n\n"
        f"Aufruf: {title}{question}\n\n"
        f"Bitte antworten Sie bis zum {deadline} über Ihren persönlichen Link:\n"
        f"{LINK_PLACEHOLDER}\n\n"
        "Der Link ist nur für Sie bestimmt; ein Passwort brauchen Sie nicht. Bis zur Frist "
        "können Sie Ihre Stellungnahme ändern und festlegen, ob wir sie namentlich, anonym "
        "oder nur intern verwenden dürfen.\n\n"
        f"Mit freundlichen Grüßen\n{association_name}\n"
    )
    return _fit_subject(subject), body


def _fit_subject(subject: str) -> str:
    """The subject shortened to what MailMessage stores (a title may use all of it alone)."""
    if len(subject) <= MAX_SUBJECT_LENGTH:
        return subject
    return subject[: MAX_SUBJECT_LENGTH - 1] + "…"


# --- planning -------------------------------------------------------------------------------


def _contacts(
    session: Session, call_id: int, *, unanswered_only: bool
) -> list[tuple[Organisation, User]]:
    """Active member contacts of the organisations invited to a call."""
    query = (
        select(Organisation, User)
        .join(CallInvitee, col(CallInvitee.organisation_id) == Organisation.id)
        .join(User, col(User.organisation_id) == Organisation.id)
        .where(CallInvitee.call_id == call_id, col(User.active), User.role == Role.MEMBER)
        .order_by(col(Organisation.name), col(User.name))
    )
    rows = list(session.exec(query).all())
    if unanswered_only:
        answered = set(
            session.exec(
                select(Statement.organisation_id).where(
                    Statement.call_id == call_id, Statement.status == StatementStatus.SUBMITTED
                )
            ).all()
        )
        rows = [(o, u) for o, u in rows if o.id not in answered]
    return rows


def _holding_a_link(session: Session, call_id: int, now: datetime) -> set[int]:
    """Contacts holding a working link to the call, from an invitation or a reminder (a
    revoked or expired link is replaced by the next invitation; an unsent one is revoked)."""
    return set(
        session.exec(
            select(Invitation.contact_id).where(
                Invitation.call_id == call_id,
                col(Invitation.revoked_at).is_(None),
                Invitation.expires_at > now,
            )
        ).all()
    )


def _reminded_on(session: Session, call_id: int, day: date) -> set[int]:
    """Contacts that got a reminder for the call on `day`."""
    return set(
        session.exec(
            select(MailMessage.contact_id).where(
                MailMessage.call_id == call_id,
                MailMessage.kind == MailKind.REMINDER,
                MailMessage.scheduled_on == day,
            )
        ).all()
    )


def prepare(
    *,
    session: Session,
    actor: Actor,
    call_id: int,
    kind: MailKind,
    association_name: str,
    now: datetime | None = None,
) -> list[MailMessage]:
    """Queue invitations (to every invited contact that has not received one yet, e.g. of
    an organisation invited later) or reminders (to contacts whose organisation has not
    submitted; never twice a day)."""
    require(actor, Action.INVITATION_MANAGE)
    now = now or utcnow()
    today = today_in_berlin(now)
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("Diesen Aufruf gibt es nicht.")
    if call.status != CallStatus.OPEN:
        raise InvalidInput("Der Aufruf ist nicht offen; es werden keine E-Mails verschickt.")
    if kind == MailKind.REMINDER and call.member_deadline < today:
        raise InvalidInput("Die Mitgliederfrist ist abgelaufen; Erinnerungen kommen zu spät.")
    forum = session.get(Forum, call.forum_id)
    assert forum is not None
    contacts = _contacts(session, call_id, unanswered_only=kind == MailKind.REMINDER)
    if not contacts:
        raise InvalidInput(
            "Alle eingeladenen Mitglieder haben geantwortet."
            if kind == MailKind.REMINDER
            else "Die eingeladenen Mitglieder haben keine aktiven Ansprechpersonen."
        )
    skipped = (
        _holding_a_link(session, call_id, now)
        if kind == MailKind.INVITATION
        else _reminded_on(session, call_id, today)
    )
    queued = []
    for organisation, contact in contacts:
        if contact.id in skipped:
            continue
        subject, body = _texts(
            kind, call=call, forum=forum, contact=contact, association_name=association_name
        )
        message = MailMessage(
            call_id=call_id,
            organisation_id=id_of(organisation),
            contact_id=id_of(contact),
            recipient=contact.email,
            kind=kind,
            scheduled_on=today,
            subject=subject,
            body=body,
            status=MailStatus.PENDING,
            created_at=now,
        )
        session.add(message)
        queued.append(message)
    if not queued:
        raise InvalidInput(
            "Alle Ansprechpersonen haben ihre Einladung bereits erhalten. Mitglieder ohne "
            "Antwort erreichen Sie mit der Erinnerung."
            if kind == MailKind.INVITATION
            else "Heute sind an alle Ansprechpersonen ohne Antwort bereits Erinnerungen "
            "gegangen; eine zweite am selben Tag wird nicht verschickt."
        )
    session.flush()
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action=f"queue_{kind.value}",
        object_type="call",
        object_id=call_id,
        detail={"messages": len(queued)},
        now=now,
    )
    return queued


def reminder_due(call: Call, *, today: date) -> bool:
    """Whether `today` is one of the reminder days before the call's member deadline."""
    return call.status == CallStatus.OPEN and today in {
        subtract_working_days(call.member_deadline, n) for n in REMINDER_WORKING_DAYS
    }


def calls_with_reminders_due(*, session: Session, actor: Actor, today: date) -> list[Call]:
    require(actor, Action.INVITATION_MANAGE)
    open_calls = session.exec(select(Call).where(Call.status == CallStatus.OPEN)).all()
    return [call for call in open_calls if reminder_due(call, today=today)]


# --- sending --------------------------------------------------------------------------------


def _with_new_link(
    *, session: Session, actor: Actor, message: MailMessage, base_url: str, now: datetime
) -> str:
    """The message's body with a new link; the contact's earlier link keeps working until
    the new one is sent (`_replace_earlier_links`), so a failed reminder takes nothing away."""
    call = session.get(Call, message.call_id)
    contact = session.get(User, message.contact_id)
    assert call is not None and contact is not None
    invitation, token = invitations.create_invitation(
        session=session, actor=actor, call=call, contact=contact, now=now, revoke_earlier=False
    )
    message.invitation_id = invitation.id
    link = f"{base_url.rstrip('/')}/?{QUERY_PARAMETER}={token}"
    return message.body.replace(LINK_PLACEHOLDER, link)


def _replace_earlier_links(
    *, session: Session, actor: Actor, message: MailMessage, now: datetime
) -> None:
    """The message went out with its link: the contact's earlier links to the call stop."""
    invitation = session.get(Invitation, message.invitation_id)
    assert invitation is not None
    invitations.revoke_earlier_links(session=session, actor=actor, invitation=invitation, now=now)


def send(
    *,
    session: Session,
    actor: Actor,
    message_id: int,
    smtp: Smtp,
    base_url: str,
    now: datetime | None = None,
) -> MailMessage:
    """Send one queued or failed message; a failure is recorded on it (not raised) so that
    it can be retried, and its link is revoked again."""
    require(actor, Action.INVITATION_MANAGE)
    now = now or utcnow()
    message = session.get(MailMessage, message_id)
    if message is None:
        raise NotFound("Diese E-Mail gibt es nicht.")
    if message.status in DONE:
        return message
    body = _with_new_link(session=session, actor=actor, message=message, base_url=base_url, now=now)
    message.attempts += 1
    try:
        deliver(smtp, to=message.recipient, subject=message.subject, body=body)
    except MailFailed as error:
        message.status, message.error = MailStatus.FAILED, error.message
        assert message.invitation_id is not None
        invitations.revoke_invitation(
            session=session, actor=actor, invitation_id=message.invitation_id, now=now
        )
    else:
        message.status, message.error, message.sent_at = MailStatus.SENT, "", now
        _replace_earlier_links(session=session, actor=actor, message=message, now=now)
    session.add(message)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action=f"mail_{message.status.value}",
        object_type="mailmessage",
        object_id=message_id,
        now=now,
    )
    return message


def for_manual_sending(
    *, session: Session, actor: Actor, message_id: int, base_url: str, now: datetime | None = None
) -> ManualMail:
    """The message's text with a fresh link, for staff to send from their own mail program.
    The message then counts as handed over (not as sent: we cannot know whether it was);
    the link is shown only this once."""
    require(actor, Action.INVITATION_MANAGE)
    now = now or utcnow()
    message = session.get(MailMessage, message_id)
    if message is None:
        raise NotFound("Diese E-Mail gibt es nicht.")
    body = _with_new_link(session=session, actor=actor, message=message, base_url=base_url, now=now)
    _replace_earlier_links(session=session, actor=actor, message=message, now=now)
    message.status, message.sent_at, message.error = MailStatus.HANDED_OVER, now, ""
    message.attempts += 1
    session.add(message)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="mail_manual",
        object_type="mailmessage",
        object_id=message_id,
        now=now,
    )
    mailto = (
        f"mailto:{quote(message.recipient, safe='@')}"
        f"?subject={quote(message.subject)}&body={quote(body)}"
    )
    return ManualMail(message.recipient, message.subject, body, mailto)


def messages_of_call(*, session: Session, actor: Actor, call_id: int) -> list[MailMessage]:
    require(actor, Action.INVITATION_MANAGE)
    return list(
        session.exec(
            select(MailMessage)
            .where(MailMessage.call_id == call_id)
            .order_by(col(MailMessage.created_at).desc(), col(MailMessage.id).desc())
        ).all()
    )


def deliver(smtp: Smtp, *, to: str, subject: str, body: str) -> None:
    """Hand one plain-text message to the SMTP server; `MailFailed` with a German reason."""
    message = EmailMessage()
    message["From"] = formataddr((None, smtp.sender)) if smtp.sender else smtp.user
    message["To"] = to
    message["Subject"] = cleaning.clean_line(subject)  # a line break would abort the message
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=smtp.sender.partition("@")[2] or None)
    message.set_content(body)
    where = f"{smtp.host}:{smtp.port}"
    try:
        # smtplib's own default context checks neither certificate nor host name; the
        # default context does both, so the password never goes to an impostor.
        tls = ssl.create_default_context()
        implicit_tls = smtp.port == 465
        server = (
            smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS, context=tls)
            if implicit_tls
            else smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS)
        )
        with server:
            if smtp.starttls and not implicit_tls:
                server.starttls(context=tls)
            if smtp.user:
                server.login(smtp.user, smtp.password)
            server.send_message(message)
    except smtplib.SMTPAuthenticationError:
        raise MailFailed(
            f"Der Mailserver {where} hat die Anmeldung abgelehnt "
            "(Benutzername oder Passwort falsch)."
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise MailFailed(
            f"Der Mailserver {where} unterstützt STARTTLS oder die Anmeldung "
            "nicht; bitte prüfen Sie die Einstellungen."
        ) from None
    except smtplib.SMTPRecipientsRefused:
        raise MailFailed(f"Der Mailserver hat die Empfängeradresse {to} abgelehnt.") from None
    except smtplib.SMTPException as error:
        raise MailFailed(f"Der Mailserver {where} hat den Versand abgelehnt: {error}") from None
    except ssl.SSLCertVerificationError as error:
        raise MailFailed(
            f"Das Zertifikat des Mailservers {where} ist nicht vertrauenswürdig "
            f"({error.verify_message}); es wurde nichts gesendet."
        ) from None
    except (TimeoutError, OSError):
        raise MailFailed(f"Der Mailserver {where} ist nicht erreichbar.") from None
