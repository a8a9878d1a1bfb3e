"""E-mails with a personal link each: invitations and reminders for a call, and the start of
a paper's member review with a reminder before it ends.

A message is stored without its link (only the link's hash is ever stored, see
`positions.forums.invitations`); every attempt to send creates a fresh link, which replaces
the contact's earlier link to the call or paper once it is sent. Without a mail server,
staff get the same texts to copy, with a mailto link. The unique keys on MailMessage make
sure no contact gets the same kind of message twice on one day.

A contact receives the messages of a forum when `ContactForum` lists that forum for them,
or lists no forum at all.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from db.models import (
    Call,
    CallInvitee,
    CallStatus,
    ContactForum,
    Forum,
    Invitation,
    MailKind,
    MailMessage,
    MailStatus,
    Organisation,
    Paper,
    PaperStatus,
    PaperVersion,
    Review,
    Role,
    Statement,
    StatementStatus,
    User,
    id_of,
)
from positions.core import audit, cleaning, labels
from positions.core.clock import today_in_berlin, utcnow
from positions.core.errors import InvalidInput, NotFound
from positions.core.formatting import long_date
from positions.core.mailer import MailFailed, deliver
from positions.core.permissions import Action, Actor, require, reviewing_organisation_ids
from positions.core.settings import Smtp
from positions.core.working_days import subtract_working_days
from positions.forums import invitations

LINK_PLACEHOLDER = "[persönlicher Link]"
# Reminders go out this many working days before the member deadline.
REMINDER_WORKING_DAYS = (5, 1)
# Review reminders go out this many working days before the review deadline.
REVIEW_REMINDER_WORKING_DAYS = (2,)
MAX_SUBJECT_LENGTH = 300  # MailMessage.subject

CALL_KINDS = frozenset({MailKind.INVITATION, MailKind.REMINDER})
REVIEW_KINDS = frozenset({MailKind.REVIEW_START, MailKind.REVIEW_REMINDER})
# The messages that bring the first link; the others remind whoever has not answered.
FIRST_MAILS = frozenset({MailKind.INVITATION, MailKind.REVIEW_START})

# Messages that need nothing more from us: sent through the server, or handed to staff.
DONE = frozenset({MailStatus.SENT, MailStatus.HANDED_OVER})


@dataclass(frozen=True)
class ManualMail:
    """A message for staff to send by hand: the text with its link, and a mailto address."""

    to: str
    subject: str
    body: str
    mailto: str
    contact_id: int
    invitation_id: int


# --- texts ----------------------------------------------------------------------------------


def _call_texts(
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


def _review_texts(
    kind: MailKind, *, paper: Paper, forum: Forum, contact: User, association_name: str
) -> tuple[str, str]:
    assert paper.review_deadline is not None
    deadline = long_date(paper.review_deadline)
    title, forum_name = cleaning.clean_line(paper.title), cleaning.clean_line(forum.name)
    kind_of_paper = labels.PAPER_KIND[paper.kind]
    if kind == MailKind.REVIEW_START:
        subject = f"Bitte um Ihre Rückmeldung bis {deadline}: {title}"
        opening = (
            f"{association_name} bittet Sie um Ihre Rückmeldung zum Entwurf „{title}“ "
            f"({kind_of_paper}) für das Forum „{forum_name}“."
        )
    else:
        subject = f"Erinnerung: Ihre Rückmeldung bis {deadline} – {title}"
        opening = (
            f"wir haben von Ihrem Unternehmen noch keine Rückmeldung zum Entwurf „{title}“ "
            f"im Forum „{forum_name}“ erhalten. Die Beteiligung endet am {deadline}."
        )
    body = (
        f"Guten Tag {contact.name},\n\n"
        f"{opening}\n\n"
        f"Bitte sagen Sie uns bis zum {deadline} zu jedem Absatz, ob Sie zustimmen, "
        "Bedenken haben oder ihn ablehnen; bei Bedenken oder Ablehnung können Sie um eine "
        "Mindermeinung bitten. Ihr persönlicher Link:\n"
        f"{LINK_PLACEHOLDER}\n\n"
        "Der Link ist nur für Sie bestimmt; ein Passwort brauchen Sie nicht. Ihre "
        f"Rückmeldung sieht nur {association_name}, nicht die anderen Mitglieder; bis zum "
        "Ende der Beteiligung können Sie sie ändern.\n\n"
        f"Mit freundlichen Grüßen\n{association_name}\n"
    )
    return _fit_subject(subject), body


def _fit_subject(subject: str) -> str:
    """The subject shortened to what MailMessage stores (a title may use all of it alone)."""
    if len(subject) <= MAX_SUBJECT_LENGTH:
        return subject
    return subject[: MAX_SUBJECT_LENGTH - 1] + "…"


# --- whom to write to -----------------------------------------------------------------------


def _receives_forum(forum_id: int) -> ColumnElement[bool]:
    """The contact receives the forum's messages: it lists the forum, or no forum at all."""
    listed = select(ContactForum.user_id).where(col(ContactForum.user_id) == col(User.id))
    return sa.or_(
        ~sa.exists(listed),
        sa.exists(listed.where(ContactForum.forum_id == forum_id)),
    )


def _contacts(
    session: Session, organisations: ColumnElement[bool], *, forum_id: int
) -> list[tuple[Organisation, User]]:
    """Active member contacts of the organisations `organisations` selects who receive the
    forum's messages."""
    query = (
        select(Organisation, User)
        .join(User, col(User.organisation_id) == Organisation.id)
        .where(
            organisations,
            col(User.active),
            User.role == Role.MEMBER,
            _receives_forum(forum_id),
        )
        .order_by(col(Organisation.name), col(User.name))
    )
    return list(session.exec(query).all())


def _call_contacts(session: Session, call: Call) -> list[tuple[Organisation, User]]:
    invited = select(CallInvitee.organisation_id).where(CallInvitee.call_id == call.id)
    return _contacts(session, col(Organisation.id).in_(invited), forum_id=call.forum_id)


def _review_contacts(session: Session, paper: Paper) -> list[tuple[Organisation, User]]:
    reviewers = reviewing_organisation_ids(session=session, paper=paper)
    return _contacts(session, col(Organisation.id).in_(reviewers), forum_id=paper.forum_id)


def _answered(session: Session, call_id: int) -> set[int]:
    """Organisations that submitted a statement to the call."""
    return set(
        session.exec(
            select(Statement.organisation_id).where(
                Statement.call_id == call_id, Statement.status == StatementStatus.SUBMITTED
            )
        ).all()
    )


def _reviewed(session: Session, paper_id: int) -> set[int]:
    """Organisations that gave a review of the paper (of any version)."""
    return set(
        session.exec(
            select(Review.organisation_id)
            .join(PaperVersion, col(PaperVersion.id) == Review.paper_version_id)
            .where(PaperVersion.paper_id == paper_id)
        ).all()
    )


def _holding_a_link(
    session: Session, scope: ColumnElement[bool], *, now: datetime, until: datetime
) -> set[int]:
    """Contacts holding a link that works from now until `until` (a revoked or expired link
    is replaced by the next message; an unsent one is revoked)."""
    return set(
        session.exec(
            select(Invitation.contact_id).where(
                scope,
                col(Invitation.revoked_at).is_(None),
                Invitation.expires_at > now,
                Invitation.expires_at >= until,
            )
        ).all()
    )


def _messaged_on(
    session: Session, scope: ColumnElement[bool], kind: MailKind, day: date
) -> set[int]:
    """Contacts with a message of `kind` on `day` (a failed one is retried, not queued again)."""
    return set(
        session.exec(
            select(MailMessage.contact_id).where(
                scope, MailMessage.kind == kind, MailMessage.scheduled_on == day
            )
        ).all()
    )


# --- planning -------------------------------------------------------------------------------


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
    if kind not in CALL_KINDS:
        raise ValueError(f"{kind} is no message about a call")
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
    contacts = _call_contacts(session, call)
    if kind == MailKind.REMINDER:
        answered = _answered(session, call_id)
        contacts = [(o, u) for o, u in contacts if o.id not in answered]
    if not contacts:
        raise InvalidInput(
            "Alle eingeladenen Mitglieder haben geantwortet."
            if kind == MailKind.REMINDER
            else "Die eingeladenen Mitglieder haben keine aktiven Ansprechpersonen."
        )
    queued = _queue(
        session,
        contacts,
        kind=kind,
        call_id=call_id,
        skipped=_skipped(
            session,
            kind,
            col(MailMessage.call_id) == call_id,
            col(Invitation.call_id) == call_id,
            now=now,
            link_needed_until=now,
        ),
        texts=lambda contact: _call_texts(
            kind, call=call, forum=forum, contact=contact, association_name=association_name
        ),
        now=now,
    )
    if not queued:
        raise InvalidInput(
            "Alle Ansprechpersonen haben ihre Einladung bereits erhalten. Mitglieder ohne "
            "Antwort erreichen Sie mit der Erinnerung."
            if kind == MailKind.INVITATION
            else "Heute sind an alle Ansprechpersonen ohne Antwort bereits Erinnerungen "
            "gegangen; eine zweite am selben Tag wird nicht verschickt."
        )
    _record_queued(
        session, actor, kind=kind, object_type="call", object_id=call_id, queued=queued, now=now
    )
    return queued


def prepare_review(
    *,
    session: Session,
    actor: Actor,
    paper_id: int,
    kind: MailKind,
    association_name: str,
    now: datetime | None = None,
) -> list[MailMessage]:
    """Queue the review's start mail (to every contact of an organisation asked to review
    that holds no link working to the review's end: all of them when the review starts,
    later ones added since; may be nobody) or a reminder (to contacts whose organisation
    has not reviewed yet; never twice a day, and `InvalidInput` when there is nobody)."""
    require(actor, Action.INVITATION_MANAGE)
    if kind not in REVIEW_KINDS:
        raise ValueError(f"{kind} is no message about a member review")
    now = now or utcnow()
    today = today_in_berlin(now)
    paper = session.get(Paper, paper_id)
    if paper is None:
        raise NotFound("Dieses Papier gibt es nicht.")
    if paper.status != PaperStatus.MEMBER_REVIEW or paper.review_deadline is None:
        raise InvalidInput(
            "Für dieses Papier läuft keine Mitgliederbeteiligung; es werden keine E-Mails "
            "verschickt."
        )
    if paper.review_deadline < today:
        raise InvalidInput("Die Beteiligung ist beendet; es werden keine E-Mails verschickt.")
    forum = session.get(Forum, paper.forum_id)
    assert forum is not None
    contacts = _review_contacts(session, paper)
    if kind == MailKind.REVIEW_REMINDER:
        reviewed = _reviewed(session, paper_id)
        contacts = [(o, u) for o, u in contacts if o.id not in reviewed]
    queued = _queue(
        session,
        contacts,
        kind=kind,
        paper_id=paper_id,
        skipped=_skipped(
            session,
            kind,
            col(MailMessage.paper_id) == paper_id,
            col(Invitation.paper_id) == paper_id,
            now=now,
            link_needed_until=invitations.review_link_expiry(paper),
        ),
        texts=lambda contact: _review_texts(
            kind, paper=paper, forum=forum, contact=contact, association_name=association_name
        ),
        now=now,
    )
    if not queued and kind == MailKind.REVIEW_REMINDER:
        raise InvalidInput(
            "Heute sind an alle Ansprechpersonen ohne Rückmeldung bereits Erinnerungen "
            "gegangen; eine zweite am selben Tag wird nicht verschickt."
            if contacts
            else "Alle beteiligten Mitglieder haben sich zurückgemeldet."
        )
    if queued:
        _record_queued(
            session,
            actor,
            kind=kind,
            object_type="paper",
            object_id=paper_id,
            queued=queued,
            now=now,
        )
    return queued


def _skipped(
    session: Session,
    kind: MailKind,
    messages: ColumnElement[bool],
    links: ColumnElement[bool],
    *,
    now: datetime,
    link_needed_until: datetime,
) -> set[int]:
    """Contacts who get no new message of `kind` today: one of that kind went out (or
    failed, to be retried) today, or, for a first mail, they hold a working link already."""
    skipped = _messaged_on(session, messages, kind, today_in_berlin(now))
    if kind in FIRST_MAILS:
        skipped |= _holding_a_link(session, links, now=now, until=link_needed_until)
    return skipped


def _queue(
    session: Session,
    contacts: list[tuple[Organisation, User]],
    *,
    kind: MailKind,
    call_id: int | None = None,
    paper_id: int | None = None,
    skipped: set[int],
    texts: Callable[[User], tuple[str, str]],
    now: datetime,
) -> list[MailMessage]:
    queued = []
    for organisation, contact in contacts:
        if contact.id in skipped:
            continue
        subject, body = texts(contact)
        message = MailMessage(
            call_id=call_id,
            paper_id=paper_id,
            organisation_id=id_of(organisation),
            contact_id=id_of(contact),
            recipient=contact.email,
            kind=kind,
            scheduled_on=today_in_berlin(now),
            subject=subject,
            body=body,
            status=MailStatus.PENDING,
            created_at=now,
        )
        session.add(message)
        queued.append(message)
    session.flush()
    return queued


def _record_queued(
    session: Session,
    actor: Actor,
    *,
    kind: MailKind,
    object_type: str,
    object_id: int,
    queued: Collection[MailMessage],
    now: datetime,
) -> None:
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action=f"queue_{kind.value}",
        object_type=object_type,
        object_id=object_id,
        detail={"messages": len(queued)},
        now=now,
    )


def reminder_due(call: Call, *, today: date) -> bool:
    """Whether `today` is one of the reminder days before the call's member deadline."""
    return call.status == CallStatus.OPEN and today in {
        subtract_working_days(call.member_deadline, n) for n in REMINDER_WORKING_DAYS
    }


def calls_with_reminders_due(*, session: Session, actor: Actor, today: date) -> list[Call]:
    require(actor, Action.INVITATION_MANAGE)
    open_calls = session.exec(select(Call).where(Call.status == CallStatus.OPEN)).all()
    return [call for call in open_calls if reminder_due(call, today=today)]


def review_reminder_due(paper: Paper, *, today: date) -> bool:
    """Whether `today` is one of the reminder days before the paper's review deadline."""
    deadline = paper.review_deadline
    return (
        paper.status == PaperStatus.MEMBER_REVIEW
        and deadline is not None
        and today in {subtract_working_days(deadline, n) for n in REVIEW_REMINDER_WORKING_DAYS}
    )


def papers_with_review_reminders_due(*, session: Session, actor: Actor, today: date) -> list[Paper]:
    require(actor, Action.INVITATION_MANAGE)
    in_review = session.exec(
        select(Paper).where(Paper.status == PaperStatus.MEMBER_REVIEW).order_by(col(Paper.id))
    ).all()
    return [paper for paper in in_review if review_reminder_due(paper, today=today)]


# --- sending --------------------------------------------------------------------------------


def _with_new_link(
    *, session: Session, actor: Actor, message: MailMessage, base_url: str, now: datetime
) -> str:
    """The message's body with a new link; the contact's earlier link keeps working until
    the new one is sent (`_replace_earlier_links`), so a failed reminder takes nothing away."""
    contact = session.get(User, message.contact_id)
    assert contact is not None
    if message.paper_id is not None:
        paper = session.get(Paper, message.paper_id)
        assert paper is not None
        invitation, token = invitations.create_review_link(
            session=session,
            actor=actor,
            paper=paper,
            contact=contact,
            now=now,
            revoke_earlier=False,
        )
    else:
        call = session.get(Call, message.call_id)
        assert call is not None
        invitation, token = invitations.create_invitation(
            session=session, actor=actor, call=call, contact=contact, now=now, revoke_earlier=False
        )
    message.invitation_id = invitation.id
    link = invitations.link_address(base_url, token)
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
    assert message.invitation_id is not None
    return ManualMail(
        to=message.recipient,
        subject=message.subject,
        body=body,
        mailto=mailto(message.recipient, subject=message.subject, body=body),
        contact_id=message.contact_id,
        invitation_id=message.invitation_id,
    )


def mailto(address: str, *, subject: str = "", body: str = "") -> str:
    """A mailto address that opens the person's mail program with the message filled in."""
    fields = "&".join(
        f"{name}={quote(value)}" for name, value in (("subject", subject), ("body", body)) if value
    )
    return f"mailto:{quote(address, safe='@')}" + (f"?{fields}" if fields else "")


def messages_of_call(*, session: Session, actor: Actor, call_id: int) -> list[MailMessage]:
    """Every message about a call, newest first."""
    return _messages(session, actor, col(MailMessage.call_id) == call_id)


def messages_of_paper(*, session: Session, actor: Actor, paper_id: int) -> list[MailMessage]:
    """Every message about a paper's member review, newest first."""
    return _messages(session, actor, col(MailMessage.paper_id) == paper_id)


def _messages(session: Session, actor: Actor, scope: ColumnElement[bool]) -> list[MailMessage]:
    require(actor, Action.INVITATION_MANAGE)
    return list(
        session.exec(
            select(MailMessage)
            .where(scope)
            .order_by(col(MailMessage.created_at).desc(), col(MailMessage.id).desc())
        ).all()
    )


# --- the compact list of contacts -----------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """One contact of a call's or a review's messages, with where its link and its last
    message stand (the list staff see instead of every message's text)."""

    organisation: str
    contact_id: int
    contact: str
    email: str
    link: Invitation | None  # the newest personal link
    message: MailMessage | None  # the newest message


def recipients_of_call(*, session: Session, actor: Actor, call_id: int) -> list[Recipient]:
    """Everyone the call's messages go to, or went to, with their newest link and message."""
    require(actor, Action.INVITATION_MANAGE)
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("Diesen Aufruf gibt es nicht.")
    return _recipients(
        session,
        _call_contacts(session, call),
        invitations.links_of_call(session=session, actor=actor, call_id=call_id),
        messages_of_call(session=session, actor=actor, call_id=call_id),
    )


def recipients_of_paper(*, session: Session, actor: Actor, paper_id: int) -> list[Recipient]:
    """Everyone the review's messages go to, or went to, with their newest link and message."""
    require(actor, Action.INVITATION_MANAGE)
    paper = session.get(Paper, paper_id)
    if paper is None:
        raise NotFound("Dieses Papier gibt es nicht.")
    current = _review_contacts(session, paper) if paper.status == PaperStatus.MEMBER_REVIEW else []
    return _recipients(
        session,
        current,
        invitations.links_of_paper(session=session, actor=actor, paper_id=paper_id),
        messages_of_paper(session=session, actor=actor, paper_id=paper_id),
    )


def _recipients(
    session: Session,
    current: list[tuple[Organisation, User]],
    links: list[invitations.LinkRow],
    messages: list[MailMessage],
) -> list[Recipient]:
    newest_link: dict[int, Invitation] = {}
    for row in links:  # newest first
        newest_link.setdefault(row.invitation.contact_id, row.invitation)
    newest_message: dict[int, MailMessage] = {}
    for message in messages:
        newest_message.setdefault(message.contact_id, message)
    people = {id_of(user): (organisation, user) for organisation, user in current}
    missing = (set(newest_link) | set(newest_message)) - set(people)
    if missing:
        for user, organisation in session.exec(
            select(User, Organisation)
            .join(Organisation, col(Organisation.id) == User.organisation_id)
            .where(col(User.id).in_(missing))
        ).all():
            people[id_of(user)] = (organisation, user)
    rows = [
        Recipient(
            organisation=organisation.name,
            contact_id=contact_id,
            contact=user.name,
            email=user.email,
            link=newest_link.get(contact_id),
            message=newest_message.get(contact_id),
        )
        for contact_id, (organisation, user) in people.items()
    ]
    return sorted(rows, key=lambda r: (r.organisation.casefold(), r.contact.casefold()))
