"""User accounts: argon2 passwords, login with lockout, creating users and changing one's
own password."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from db.models import Organisation, Role, User, id_of
from positions.core import audit, cleaning, sessions
from positions.core.clock import utcnow
from positions.core.errors import FieldErrors, InvalidInput
from positions.core.permissions import Action, Actor, require

MAX_FAILED_LOGINS = 10
LOCK_DURATION = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
# One answer for a wrong password, an unknown address, a locked or a deactivated account:
# telling them apart would tell strangers which accounts exist.
LOGIN_REFUSED = (
    "E-Mail-Adresse oder Passwort ist falsch. Nach "
    f"{MAX_FAILED_LOGINS} Fehlversuchen bleibt der Zugang "
    f"{LOCK_DURATION.seconds // 60} Minuten lang gesperrt."
)

MAX_NAME_LENGTH = 200  # User.name
WRONG_CURRENT_PASSWORD = "Das aktuelle Passwort stimmt nicht."  # noqa: S105  (a message)
PASSWORDS_DIFFER = "Die beiden Passwörter stimmen nicht überein."

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


class FieldInvalid(FieldErrors):
    """Bad input in one form field (`field`), so that a form shows the message beside it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__({field: message})
        self.field = field


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
    if not email:
        raise FieldInvalid("email", "Bitte geben Sie eine E-Mail-Adresse an.")
    if not _EMAIL.match(email) or len(email) > 254:
        raise FieldInvalid("email", f"„{email}“ ist keine gültige E-Mail-Adresse.")
    return email


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise FieldInvalid(
            "password", f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen lang sein."
        )


def validate_name(name: str) -> str:
    """The name as stored (one line), or `FieldInvalid` with a German message."""
    name = cleaning.clean_line(name)
    if not name:
        raise FieldInvalid("name", "Bitte geben Sie einen Namen an.")
    if len(name) > MAX_NAME_LENGTH:
        raise FieldInvalid("name", f"Der Name darf höchstens {MAX_NAME_LENGTH} Zeichen lang sein.")
    return name


@dataclass(frozen=True)
class NewPassword:
    """A new password, checked and hashed before any transaction opens (argon2 takes a fifth
    of a second, too long to hold a write on SQLite). Holds only the hash."""

    password_hash: str = field(repr=False)

    @classmethod
    def checked(cls, password: str, repeat: str) -> NewPassword:
        validate_password(password)
        if password != repeat:
            raise FieldInvalid("repeat", PASSWORDS_DIFFER)
        return cls(hash_password(password))


def store_password(*, session: Session, user: User, new: NewPassword) -> None:
    """Give `user` the new password; a lock from failed logins ends with it."""
    user.password_hash = new.password_hash
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)


@dataclass(frozen=True)
class LoginOutcome:
    """Either an actor, or the German message of a refused login (never both)."""

    actor: Actor | None
    message: str = ""


# Anything that opens a session: `db.engine.read_session`/`write_session` bound to an engine,
# or the app's `ui.database.reading`/`writing`.
SessionScope = Callable[[], AbstractContextManager[Session]]


def log_in(
    *,
    reading: SessionScope,
    writing: SessionScope,
    email: str,
    password: str,
    now: datetime | None = None,
) -> LoginOutcome:
    """Check e-mail and password; count failures and lock the account after too many.

    The password is checked between two transactions, never inside a write: argon2 takes a
    fifth of a second, and on SQLite a write transaction held that long would let anyone
    without an account stall every save by trying passwords. The write afterwards is short
    and decides on the account as it is then, its row locked.
    """
    now = now or utcnow()
    with reading() as session:
        user = user_for_email(session=session, email=email)
        account = _Account(id_of(user), user.password_hash) if user else None
    checked = _check_password(account, password)
    with writing() as session:
        return _record_attempt(session=session, checked=checked, now=now)


@dataclass(frozen=True)
class _Account:
    user_id: int
    password_hash: str | None


@dataclass(frozen=True)
class _Checked:
    """What the password check found, carried from the read to the short write."""

    user_id: int | None
    checked_hash: str | None  # the stored hash the password was checked against
    password_ok: bool
    new_hash: str | None = None  # the password hashed with today's parameters, if outdated


def _check_password(account: _Account | None, password: str) -> _Checked:
    """Exactly one argon2 verification whatever the account, so that the time an answer
    takes does not tell unknown, locked or deactivated accounts apart."""
    if account is None or account.password_hash is None:
        _verify(_dummy_hash(), password)
        return _Checked(account.user_id if account else None, None, password_ok=False)
    if not _verify(account.password_hash, password):
        return _Checked(account.user_id, account.password_hash, password_ok=False)
    outdated = _hasher.check_needs_rehash(account.password_hash)
    return _Checked(
        account.user_id,
        account.password_hash,
        password_ok=True,
        new_hash=hash_password(password) if outdated else None,
    )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _record_attempt(*, session: Session, checked: _Checked, now: datetime) -> LoginOutcome:
    # FOR UPDATE: parallel attempts on PostgreSQL take turns on the row, so none of them
    # counts from a stale failure count (SQLite's BEGIN IMMEDIATE already serialises them).
    user = (
        session.exec(select(User).where(col(User.id) == checked.user_id).with_for_update()).first()
        if checked.user_id is not None
        else None
    )
    reason = _refused_before_counting(user, checked, now)
    if reason is not None:
        return _refuse(session=session, user=user, reason=reason, now=now)
    assert user is not None
    if not checked.password_ok:
        return _count_failure(session=session, user=user, now=now)
    if not user.active:
        return _refuse(session=session, user=user, reason="deactivated", now=now)
    return _succeed(session=session, user=user, checked=checked, now=now)


def _refused_before_counting(user: User | None, checked: _Checked, now: datetime) -> str | None:
    """Why an attempt is refused whatever the password, for the audit log; None if the
    password decides."""
    if user is None:
        return "unknown_email"
    if checked.checked_hash is None:
        return "no_password"
    if user.password_hash != checked.checked_hash:
        # Changed while the password was checked: the check says nothing about the new one.
        return "password_changed"
    if user.locked_until is not None and user.locked_until > now:
        return "locked"
    return None


def _succeed(*, session: Session, user: User, checked: _Checked, now: datetime) -> LoginOutcome:
    if checked.new_hash is not None:
        user.password_hash = checked.new_hash
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


def _refuse(*, session: Session, user: User | None, reason: str, now: datetime) -> LoginOutcome:
    """The one answer for every refusal; the audit log keeps the real reason (never the
    address typed, which may hold a password typed into the wrong field)."""
    audit.record(
        session=session,
        actor_id=None,
        action="login_refused",
        object_type="user",
        object_id=user.id if user else None,
        detail={"reason": reason},
        now=now,
    )
    return LoginOutcome(None, LOGIN_REFUSED)


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
    return LoginOutcome(None, LOGIN_REFUSED)


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
    name = validate_name(name)
    if password is not None:
        validate_password(password)
    if user_for_email(session=session, email=email) is not None:
        raise FieldInvalid("email", f"Es gibt bereits einen Zugang für {email}.")
    check_organisation(session=session, role=role, organisation_id=organisation_id)
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


def check_organisation(*, session: Session, role: Role, organisation_id: int | None) -> None:
    """A member contact belongs to an existing organisation (`FieldInvalid` otherwise)."""
    if role == Role.MEMBER and organisation_id is None:
        raise FieldInvalid("organisation", "Ein Mitgliedszugang braucht ein Mitgliedsunternehmen.")
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise FieldInvalid("organisation", "Das gewählte Unternehmen gibt es nicht.")


# --- changing one's own password ------------------------------------------------------------


def change_own_password(
    *,
    reading: SessionScope,
    writing: SessionScope,
    actor: Actor,
    current_password: str,
    new_password: str,
    repeat: str,
    keep_session_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """Replace the signed-in person's password after checking the current one; their other
    browser sessions end at their next click (`keep_session_id` is the one in use).

    Like `log_in`, the argon2 work happens between two transactions; a wrong current
    password counts towards the lockout, so a borrowed session cannot try passwords
    endlessly.
    """
    now = now or utcnow()
    if actor.via_invitation:
        raise InvalidInput("Über einen Einladungslink lässt sich kein Passwort ändern.")
    if not current_password:
        raise FieldInvalid("current", "Bitte geben Sie Ihr aktuelles Passwort ein.")
    new = NewPassword.checked(new_password, repeat)
    with reading() as session:
        user = session.get(User, actor.user_id)
        account = _Account(id_of(user), user.password_hash) if user and user.active else None
    checked = _check_password(account, current_password)
    with writing() as session:
        refusal = _record_password_change(
            session=session, checked=checked, new=new, keep_session_id=keep_session_id, now=now
        )
    if refusal is not None:
        raise refusal


def _record_password_change(
    *,
    session: Session,
    checked: _Checked,
    new: NewPassword,
    keep_session_id: int | None,
    now: datetime,
) -> InvalidInput | None:
    """Store the new password, or count the failure; returns the refusal to raise once the
    count is committed."""
    user = (
        session.exec(select(User).where(col(User.id) == checked.user_id).with_for_update()).first()
        if checked.user_id is not None
        else None
    )
    reason = _refused_before_counting(user, checked, now)
    if reason == "locked":
        return InvalidInput(
            f"Nach {MAX_FAILED_LOGINS} Fehlversuchen ist Ihr Zugang "
            f"{LOCK_DURATION.seconds // 60} Minuten lang gesperrt; bitte versuchen Sie es "
            "danach erneut."
        )
    if reason is not None or user is None or not user.active:
        return InvalidInput("Ihr Passwort lässt sich hier nicht ändern.")
    if not checked.password_ok:
        _count_failure(session=session, user=user, now=now)
        return FieldInvalid("current", WRONG_CURRENT_PASSWORD)
    store_password(session=session, user=user, new=new)
    sessions.end_user_sessions(
        session=session,
        user_id=id_of(user),
        reason="password_changed",
        keep_session_id=keep_session_id,
        now=now,
    )
    audit.record(
        session=session,
        actor_id=user.id,
        action="password_changed",
        object_type="user",
        object_id=user.id,
        now=now,
    )
    return None
