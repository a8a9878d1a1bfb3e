"""User accounts: argon2 passwords, login with lockout, and creating users."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from db.models import Organisation, Role, User
from positions.core import audit
from positions.core.clock import BERLIN, utcnow
from positions.core.errors import InvalidInput
from positions.core.permissions import Action, Actor, require

MAX_FAILED_LOGINS = 10
LOCK_DURATION = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
WRONG_CREDENTIALS = "E-Mail-Adresse oder Passwort ist falsch."

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("no account has this password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def validate_email(email: str) -> str:
    """The e-mail address normalised, or `InvalidInput` with a German message."""
    email = normalise_email(email)
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidInput(f"„{email}“ ist keine gültige E-Mail-Adresse.")
    return email


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen lang sein.")


@dataclass(frozen=True)
class LoginOutcome:
    """Either an actor, or the German reason the login was refused (never both)."""

    actor: Actor | None
    message: str = ""


def log_in(
    *, session: Session, email: str, password: str, now: datetime | None = None
) -> LoginOutcome:
    """Check e-mail and password; count failures and lock the account after too many.

    Failures are returned, not raised, because the failure count must be committed.
    """
    now = now or utcnow()
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None or user.password_hash is None:
        _verify(_dummy_hash(), password)  # same work as for a real account: no user probing
        return LoginOutcome(None, WRONG_CREDENTIALS)
    if user.locked_until is not None and user.locked_until > now:
        return LoginOutcome(None, _locked_message(user.locked_until))
    if not _verify(user.password_hash, password):
        return _count_failure(session=session, user=user, now=now)
    if not user.active:
        return LoginOutcome(
            None, "Ihr Zugang ist deaktiviert. Bitte wenden Sie sich an das Referat."
        )
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.add(user)
    audit.record(
        session=session,
        actor_id=user.id,
        action="login",
        object_type="user",
        object_id=user.id,
        now=now,
    )
    return LoginOutcome(Actor.for_user(user))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(*, session: Session, user: User, now: datetime) -> LoginOutcome:
    user.failed_logins += 1
    locked = user.failed_logins >= MAX_FAILED_LOGINS
    if locked:
        user.locked_until = now + LOCK_DURATION
        user.failed_logins = 0
    session.add(user)
    audit.record(
        session=session,
        actor_id=None,
        action="login_locked" if locked else "login_failed",
        object_type="user",
        object_id=user.id,
        now=now,
    )
    if locked:
        assert user.locked_until is not None
        return LoginOutcome(None, _locked_message(user.locked_until))
    return LoginOutcome(None, WRONG_CREDENTIALS)


def _locked_message(until: datetime) -> str:
    return (
        "Ihr Zugang ist nach zu vielen Fehlversuchen vorübergehend gesperrt. "
        f"Bitte versuchen Sie es nach {until.astimezone(BERLIN):%H:%M} Uhr erneut."
    )


def load_actor(*, session: Session, user_id: int) -> Actor | None:
    """The current state of a logged-in user, or None once the account is gone or deactivated."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    return Actor.for_user(user)


def user_for_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def create_user(
    *,
    session: Session,
    actor: Actor,
    email: str,
    name: str,
    role: Role,
    organisation_id: int | None = None,
    password: str | None = None,
) -> User:
    """A new user; only admins may create users (members need their organisation)."""
    require(actor, Action.USER_MANAGE)
    user = _new_user(
        session=session,
        email=email,
        name=name,
        role=role,
        organisation_id=organisation_id,
        password=password,
    )
    audit.created(session=session, actor_id=actor.user_id, row=user)
    return user


def create_admin(*, session: Session, email: str, name: str, password: str) -> User:
    """An administrator, for the operator's `positionen create-admin` (no actor exists yet)."""
    user = _new_user(
        session=session,
        email=email,
        name=name,
        role=Role.ADMIN,
        organisation_id=None,
        password=password,
    )
    audit.record(
        session=session,
        actor_id=None,
        action="create_admin",
        object_type="user",
        object_id=user.id,
        after=user,
    )
    return user


def _new_user(
    *,
    session: Session,
    email: str,
    name: str,
    role: Role,
    organisation_id: int | None,
    password: str | None,
) -> User:
    email = validate_email(email)
    name = name.strip()
    if not name:
        raise InvalidInput("Bitte geben Sie einen Namen an.")
    if password is not None:
        validate_password(password)
    if user_for_email(session=session, email=email) is not None:
        raise InvalidInput(f"Es gibt bereits einen Zugang für {email}.")
    if role == Role.MEMBER and organisation_id is None:
        raise InvalidInput("Ein Mitgliedszugang braucht ein Mitgliedsunternehmen.")
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise InvalidInput("Das gewählte Unternehmen gibt es nicht.")
    user = User(
        email=email,
        name=name,
        role=role,
        organisation_id=organisation_id,
        password_hash=hash_password(password) if password is not None else None,
    )
    session.add(user)
    session.flush()
    return user
