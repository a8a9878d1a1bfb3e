"""Single-use links to set a password: a new account's first one (valid 7 days, issued by
the administration) and "Passwort vergessen" (valid 1 hour, asked for by anyone).

Passwords never travel: not on the command line, not in a mail. The link carries a random
token; the database keeps only its SHA-256, so a copy of the database opens no account, and
a token is found by its hash, so comparing takes the same time whatever was typed.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from db.models import PasswordToken, PasswordTokenPurpose, User, id_of
from positions.core import accounts, audit, sessions, settings
from positions.core.clock import utcnow
from positions.core.errors import InvalidInput, NotFound
from positions.core.formatting import date_time
from positions.core.mailer import MailFailed, deliver
from positions.core.permissions import Action, Actor, require
from positions.core.settings import Smtp

log = logging.getLogger("positionen.password_links")

QUERY_PARAMETER = "passwort"
VALIDITY = {
    PasswordTokenPurpose.SET: timedelta(days=7),
    PasswordTokenPurpose.RESET: timedelta(hours=1),
}
MAX_RESET_LINKS_PER_HOUR = 3

# One answer for unknown, used, voided and expired links: which it was helps nobody.
UNUSABLE = (
    "Dieser Link ist ungültig, abgelaufen oder wurde bereits benutzt. Fordern Sie über "
    "„Passwort vergessen?“ einen neuen an oder wenden Sie sich an die Administration."
)
# One answer whether or not the address has an account, is deactivated or asked too often.
RESET_REQUESTED = (
    "Wenn es zu dieser Adresse einen Zugang gibt, ist eine E-Mail mit einem Link zum "
    "Festlegen eines neuen Passworts unterwegs. Der Link gilt eine Stunde und nur einmal."
)
ASK_THE_ADMINISTRATION = (
    "Positionen verschickt keine E-Mails, weil kein Mailserver eingerichtet ist. Bitte "
    "wenden Sie sich an die Administration: Sie kann Ihnen einen Link zum Festlegen eines "
    "neuen Passworts geben."
)


class UnusableLink(InvalidInput):
    """The link is unknown, used, voided or expired, or its account is deactivated."""

    def __init__(self) -> None:
        super().__init__(UNUSABLE)


@dataclass(frozen=True)
class IssuedLink:
    """A link just issued: the only moment its address exists outside the mail or screen."""

    user_id: int
    name: str
    email: str
    purpose: PasswordTokenPurpose
    expires_at: datetime
    url: str = field(repr=False)  # keeps the token out of logs and tracebacks


@dataclass(frozen=True)
class LinkHolder:
    """Whose password a usable link sets (shown above the form)."""

    name: str
    email: str
    purpose: PasswordTokenPurpose


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    *,
    session: Session,
    actor: Actor,
    user_id: int,
    purpose: PasswordTokenPurpose = PasswordTokenPurpose.SET,
    now: datetime | None = None,
) -> IssuedLink:
    """A new link for an active user, issued by the administration; earlier unused links
    of the same kind stop working."""
    require(actor, Action.USER_MANAGE)
    user = session.get(User, user_id)
    if user is None or user.erased_at is not None:
        raise NotFound("Diesen Benutzer gibt es nicht.")
    if not user.active:
        raise InvalidInput(
            "Dieser Zugang ist deaktiviert. Reaktivieren Sie ihn, bevor Sie einen Link erstellen."
        )
    return _issue(session=session, user=user, purpose=purpose, created_by_id=actor.user_id, now=now)


def request_reset(
    *, session: Session, email: str, now: datetime | None = None
) -> IssuedLink | None:
    """ "Passwort vergessen": a reset link for an active account, or None (unknown or
    deactivated address, or already `MAX_RESET_LINKS_PER_HOUR` links this hour). The caller
    answers `RESET_REQUESTED` either way and sends the link only if there is one."""
    now = now or utcnow()
    found = accounts.user_for_email(session=session, email=email)
    user = (
        session.exec(select(User).where(col(User.id) == found.id).with_for_update()).first()
        if found is not None
        else None
    )
    outcome = "issued"
    if user is None or user.erased_at is not None:
        outcome = "no_account"
    elif not user.active:
        outcome = "deactivated"
    elif _resets_in_last_hour(session, id_of(user), now) >= MAX_RESET_LINKS_PER_HOUR:
        outcome = "too_many"
    # Never the address typed: it may be someone else's, or a password typed into it.
    audit.record(
        session=session,
        actor_id=None,
        action="password_reset_requested",
        object_type="user",
        object_id=user.id if user else None,
        detail={"outcome": outcome},
        now=now,
    )
    if user is None or outcome != "issued":
        return None
    return _issue(
        session=session, user=user, purpose=PasswordTokenPurpose.RESET, created_by_id=None, now=now
    )


def holder(*, session: Session, token: str, now: datetime | None = None) -> LinkHolder:
    """Whose password a link sets, if it is usable (`UnusableLink` otherwise)."""
    row, user = _usable(session, token, now or utcnow(), lock=False)
    return LinkHolder(name=user.name, email=user.email, purpose=row.purpose)


def redeem(
    *,
    session: Session,
    token: str,
    new_password: accounts.NewPassword,
    now: datetime | None = None,
) -> int:
    """Set the password through a usable link and use the link up; every other unused link
    of the person stops and every session of theirs ends. Returns the user's id."""
    now = now or utcnow()
    # Locked: two submissions of one link at the same moment cannot both set a password.
    row, user = _usable(session, token, now, lock=True)
    row.used_at = now
    session.add(row)
    accounts.store_password(session=session, user=user, new=new_password)
    void_links(session=session, user_id=id_of(user), now=now)
    sessions.end_user_sessions(session=session, user_id=id_of(user), reason="password_set", now=now)
    audit.record(
        session=session,
        actor_id=user.id,
        action="password_set",
        object_type="user",
        object_id=user.id,
        detail={"via": f"{row.purpose.value}_link"},
        now=now,
    )
    return id_of(user)


def void_links(
    *,
    session: Session,
    user_id: int,
    purpose: PasswordTokenPurpose | None = None,
    now: datetime | None = None,
) -> None:
    """End the user's unused links (of one purpose, or all): they expire now."""
    now = now or utcnow()
    query = (
        update(PasswordToken)
        .where(
            col(PasswordToken.user_id) == user_id,
            col(PasswordToken.used_at).is_(None),
            col(PasswordToken.expires_at) > now,
        )
        .values(expires_at=now)
    )
    if purpose is not None:
        query = query.where(col(PasswordToken.purpose) == purpose)
    session.exec(query)


def mail_text(link: IssuedLink, *, association_name: str) -> tuple[str, str]:
    """Subject and body of the mail that carries a link (never a password)."""
    until = date_time(link.expires_at)
    if link.purpose == PasswordTokenPurpose.SET:
        return (
            f"Ihr Zugang zu Positionen ({association_name})",
            f"Guten Tag {link.name},\n\n"
            f"für Sie wurde ein Zugang zu Positionen eingerichtet, der Anwendung für "
            f"Stellungnahmen und Positionspapiere von {association_name}. Bitte legen Sie "
            f"Ihr Passwort über diesen Link fest:\n\n{link.url}\n\n"
            f"Der Link gilt bis {until} und nur einmal. Danach melden Sie sich mit Ihrer "
            f"E-Mail-Adresse {link.email} und Ihrem Passwort an.\n",
        )
    return (
        f"Neues Passwort für Positionen ({association_name})",
        f"Guten Tag {link.name},\n\n"
        f"für Ihren Zugang zu Positionen wurde ein neues Passwort angefordert. Über diesen "
        f"Link legen Sie es fest:\n\n{link.url}\n\n"
        f"Der Link gilt bis {until} und nur einmal. Haben Sie nichts angefordert, können "
        f"Sie diese E-Mail löschen: Ihr bisheriges Passwort bleibt gültig.\n",
    )


def send(smtp: Smtp, link: IssuedLink, *, association_name: str) -> None:
    """Mail the link to its person; `MailFailed` with a German reason."""
    subject, body = mail_text(link, association_name=association_name)
    deliver(smtp, to=link.email, subject=subject, body=body)


def send_in_background(smtp: Smtp, link: IssuedLink, *, association_name: str) -> threading.Thread:
    """Mail a "Passwort vergessen" link without making the asker wait: the answer must come
    as fast for an address with an account as for one without. A failure is only logged."""

    def send_and_log() -> None:
        try:
            send(smtp, link, association_name=association_name)
        except MailFailed as error:
            log.warning("password reset mail not sent: %s", error.message.replace(link.email, "…"))

    thread = threading.Thread(target=send_and_log, name="password-reset-mail", daemon=True)
    thread.start()
    return thread


def _issue(
    *,
    session: Session,
    user: User,
    purpose: PasswordTokenPurpose,
    created_by_id: int | None,
    now: datetime | None,
) -> IssuedLink:
    now = now or utcnow()
    void_links(session=session, user_id=id_of(user), purpose=purpose, now=now)
    token = secrets.token_urlsafe(32)
    row = PasswordToken(
        user_id=id_of(user),
        token_hash=hash_token(token),
        purpose=purpose,
        expires_at=now + VALIDITY[purpose],
        created_by_id=created_by_id or None,  # 0 is the command line
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor_id=created_by_id,
        action="password_link_issued",
        object_type="user",
        object_id=user.id,
        detail={"purpose": purpose.value},
        now=now,
    )
    base_url = settings.association(session=session).base_url.rstrip("/")
    return IssuedLink(
        user_id=id_of(user),
        name=user.name,
        email=user.email,
        purpose=purpose,
        expires_at=row.expires_at,
        url=f"{base_url}/?{QUERY_PARAMETER}={token}",
    )


def _usable(
    session: Session, token: str, now: datetime, *, lock: bool
) -> tuple[PasswordToken, User]:
    token = token.strip()
    query = select(PasswordToken).where(PasswordToken.token_hash == hash_token(token))
    row = session.exec(query.with_for_update() if lock else query).first() if token else None
    user = session.get(User, row.user_id) if row else None
    if (
        row is None
        or user is None
        or row.used_at is not None
        or row.expires_at <= now
        or not user.active
        or user.erased_at is not None
    ):
        raise UnusableLink()
    return row, user


def _resets_in_last_hour(session: Session, user_id: int, now: datetime) -> int:
    return session.exec(
        select(func.count())
        .select_from(PasswordToken)
        .where(
            PasswordToken.user_id == user_id,
            PasswordToken.purpose == PasswordTokenPurpose.RESET,
            col(PasswordToken.created_at) > now - timedelta(hours=1),
        )
    ).one()
