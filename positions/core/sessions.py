"""Browser sessions kept on the server (`LoginSession`): the browser holds only a signed,
expiring identifier; ending a row ends the session at the person's next click.

A login (or a redeemed invitation link) first stores a row with a one-time hand-over code.
The browser brings the code to `HANDOVER_PATH`, whose route redeems it once and sets the
identifier as an HttpOnly cookie: so the identifier never passes through the page's script,
and the address bar never shows it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from itsdangerous import BadSignature, TimestampSigner
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db.models import LoginSession, Setting, id_of
from positions.core.clock import utcnow

COOKIE_NAME = "positionen_sitzung"
HANDOVER_PATH = "/_positionen/sitzung"
LOGOUT_PATH = "/_positionen/abmelden"
# However active, a session ends after this long; the cookie expires with it.
LIFETIME = timedelta(days=14)
# The browser brings the code within a second; a minute covers a slow machine.
HANDOFF_VALIDITY = timedelta(seconds=60)
# `last_seen_at` moves in steps of a minute, so a click does not write every time.
LAST_SEEN_STEP = timedelta(minutes=1)
SECRET_KEY_VARIABLE = "POSITIONEN_SECRET_KEY"  # noqa: S105  (a variable's name)
_SECRET_KEY_SETTING = "secret_key"  # noqa: S105  (a setting's name)
_COOKIE_SALT = "positionen.sitzung"

# Opens a session: `db.engine.read_session`/`write_session` bound to an engine, or the app's
# `ui.database.reading`/`writing` (as `accounts.SessionScope`, which imports this module).
SessionScope = Callable[[], AbstractContextManager[Session]]


class EndReason(StrEnum):
    LOGOUT = "logout"
    IDLE = "idle"
    EXPIRED = "expired"
    DEACTIVATED = "deactivated"
    INVITATION = "invitation"  # the link was revoked or expired


class Standing(StrEnum):
    RUNNING = "running"
    ENDED = "ended"
    EXPIRED = "expired"
    IDLE = "idle"


@dataclass(frozen=True)
class Handoff:
    """A new session waiting for its browser: `code` goes to the hand-over route once."""

    login_session_id: int
    code: str


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- the key that signs cookies and calendar addresses -------------------------------------


def secret_key(*, reading: SessionScope, writing: SessionScope) -> str:
    """`POSITIONEN_SECRET_KEY`, else a key generated once and kept in the database, so that
    every replica signs and checks alike and a restart signs nobody out."""
    configured = os.environ.get(SECRET_KEY_VARIABLE, "").strip()
    if configured:
        return configured
    with reading() as session:
        stored = _stored_secret_key(session)
    if stored:
        return stored
    with writing() as session:
        return _create_secret_key(session)


def _stored_secret_key(session: Session) -> str | None:
    setting = session.get(Setting, _SECRET_KEY_SETTING)
    return str(setting.value) if setting and setting.value else None


def _create_secret_key(session: Session) -> str:
    stored = _stored_secret_key(session)
    if stored:
        return stored
    try:
        # Two replicas starting together may both get here: the first insert wins, the
        # other reads the winner's key after its own insert failed on the primary key.
        with session.begin_nested():
            session.add(Setting(key=_SECRET_KEY_SETTING, value=secrets.token_urlsafe(48)))
    except IntegrityError:
        session.expire_all()
    stored = _stored_secret_key(session)
    assert stored is not None
    return stored


def sign_identifier(identifier: str, *, secret: str) -> str:
    """The cookie value for a session identifier (signed, with the time of signing)."""
    return TimestampSigner(secret, salt=_COOKIE_SALT).sign(identifier).decode()


def identifier_from_cookie(value: str, *, secret: str, now: datetime | None = None) -> str | None:
    """The identifier in a cookie value, or None when forged or older than `LIFETIME`."""
    signer = TimestampSigner(secret, salt=_COOKIE_SALT)
    try:
        identifier, signed_at = signer.unsign(value, return_timestamp=True)
    except BadSignature:  # also an expired or malformed value
        return None
    if (now or utcnow()) - signed_at > LIFETIME:
        return None
    return identifier.decode()


# --- rows ------------------------------------------------------------------------------------


def start_login_session(
    *,
    session: Session,
    user_id: int,
    invitation_id: int | None = None,
    now: datetime | None = None,
) -> Handoff:
    """A new session for `user_id` (limited to `invitation_id` when it came by link)."""
    now = now or utcnow()
    code = secrets.token_urlsafe(32)
    row = LoginSession(
        handoff_hash=_hash(code),
        handoff_expires_at=now + HANDOFF_VALIDITY,
        user_id=user_id,
        invitation_id=invitation_id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + LIFETIME,
    )
    session.add(row)
    session.flush()
    return Handoff(login_session_id=id_of(row), code=code)


def redeem_handoff(*, session: Session, code: str, now: datetime | None = None) -> str | None:
    """The new session identifier for a hand-over code, or None when the code is unknown,
    already used, too old, or its session has ended. A code works once."""
    now = now or utcnow()
    if not code:
        return None
    row = session.exec(
        select(LoginSession).where(LoginSession.handoff_hash == _hash(code)).with_for_update()
    ).first()
    if row is None:
        return None
    usable = (
        row.ended_at is None
        and row.handoff_expires_at is not None
        and row.handoff_expires_at > now
        and row.expires_at > now
    )
    row.handoff_hash = None
    row.handoff_expires_at = None
    if not usable:
        session.add(row)
        return None
    identifier = secrets.token_urlsafe(32)
    row.token_hash = _hash(identifier)
    row.last_seen_at = now
    session.add(row)
    return identifier


def find_login_session(*, session: Session, identifier: str) -> LoginSession | None:
    """The row of a session identifier (from a verified cookie), ended or not."""
    return session.exec(
        select(LoginSession).where(LoginSession.token_hash == _hash(identifier))
    ).first()


def get_login_session(*, session: Session, login_session_id: int) -> LoginSession | None:
    return session.get(LoginSession, login_session_id)


def standing(row: LoginSession, *, idle_limit: timedelta, now: datetime | None = None) -> Standing:
    """Whether the session still runs, and if not, why."""
    now = now or utcnow()
    if row.ended_at is not None:
        return Standing.ENDED
    if row.expires_at <= now:
        return Standing.EXPIRED
    if now - row.last_seen_at > idle_limit:
        return Standing.IDLE
    return Standing.RUNNING


def touch(*, session: Session, login_session_id: int, now: datetime | None = None) -> None:
    """Note activity; writes only when the last note is a minute old or older."""
    now = now or utcnow()
    session.exec(
        update(LoginSession)
        .where(
            col(LoginSession.id) == login_session_id,
            col(LoginSession.ended_at).is_(None),
            col(LoginSession.last_seen_at) <= now - LAST_SEEN_STEP,
        )
        .values(last_seen_at=now)
    )


def end_login_session(
    *, session: Session, login_session_id: int, reason: str, now: datetime | None = None
) -> None:
    """End one session (a session already ended keeps its first reason)."""
    session.exec(
        update(LoginSession)
        .where(col(LoginSession.id) == login_session_id, col(LoginSession.ended_at).is_(None))
        .values(ended_at=now or utcnow(), end_reason=reason)
    )


def end_user_sessions(
    *,
    session: Session,
    user_id: int,
    reason: str,
    keep_session_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """End every running session of `user_id` except `keep_session_id`; returns how many.

    Deactivation, a role change and a password change call this, so that the person's other
    browsers are signed out at their next click."""
    query = (
        update(LoginSession)
        .where(col(LoginSession.user_id) == user_id, col(LoginSession.ended_at).is_(None))
        .values(ended_at=now or utcnow(), end_reason=reason)
    )
    if keep_session_id is not None:
        query = query.where(col(LoginSession.id) != keep_session_id)
    return session.exec(query).rowcount
