"""Links to set a password: issued by the administration or asked for with "Passwort
vergessen", single-use, expiring, stored only as hashes, mailed without any password."""

from __future__ import annotations

import email
import hashlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bench.postgres import free_port
from db.engine import create_engine_for, read_session, write_session
from db.models import (
    AuditEvent,
    LoginSession,
    PasswordToken,
    PasswordTokenPurpose,
    Role,
    User,
    id_of,
)
from positions.core import password_links, settings
from positions.core.accounts import NewPassword
from positions.core.clock import utcnow
from positions.core.password_links import (
    RESET_REQUESTED,
    UNUSABLE,
    IssuedLink,
    UnusableLink,
)
from positions.core.permissions import SYSTEM, Actor
from positions.core.settings import Association, Smtp
from tests import factories

NEW = NewPassword.checked("ein-ganz-neues-passwort", "ein-ganz-neues-passwort")


def token_of(link: IssuedLink) -> str:
    return link.url.partition("?passwort=")[2]


def _staff(engine: Engine, **kw: Any) -> tuple[Actor, User]:
    with write_session(engine) as session:
        admin = Actor.for_user(factories.user(session, Role.ADMIN))
        return admin, factories.user(session, Role.STAFF, **kw)


def _issue(
    engine: Engine,
    admin: Actor,
    user: User,
    purpose: PasswordTokenPurpose = PasswordTokenPurpose.SET,
    now: datetime | None = None,
) -> IssuedLink:
    with write_session(engine) as session:
        return password_links.issue(
            session=session, actor=admin, user_id=id_of(user), purpose=purpose, now=now
        )


def _redeem(engine: Engine, token: str, now: datetime | None = None) -> int:
    with write_session(engine) as session:
        return password_links.redeem(session=session, token=token, new_password=NEW, now=now)


def _usable(engine: Engine, token: str, now: datetime | None = None) -> bool:
    try:
        with read_session(engine) as session:
            password_links.holder(session=session, token=token, now=now)
    except UnusableLink as refused:
        assert refused.message == UNUSABLE
        return False
    return True


def _reset(engine: Engine, address: str, now: datetime | None = None) -> IssuedLink | None:
    with write_session(engine) as session:
        return password_links.request_reset(session=session, email=address, now=now)


@pytest.mark.parametrize(
    ("purpose", "valid"),
    [
        (PasswordTokenPurpose.SET, timedelta(days=7)),
        (PasswordTokenPurpose.RESET, timedelta(hours=1)),
    ],
)
def test_a_link_works_until_it_expires(
    engine: Engine, purpose: PasswordTokenPurpose, valid: timedelta
) -> None:
    admin, staff = _staff(engine)
    start = utcnow()
    link = _issue(engine, admin, staff, purpose, now=start)
    assert link.expires_at == start + valid
    assert _usable(engine, token_of(link), now=start + valid - timedelta(seconds=1))
    assert not _usable(engine, token_of(link), now=start + valid)
    with pytest.raises(UnusableLink):
        _redeem(engine, token_of(link), now=start + valid)


def test_a_link_sets_the_password_once_and_ends_every_session(engine: Engine) -> None:
    admin, staff = _staff(engine)
    with write_session(engine) as session:
        locked = session.get(User, staff.id)
        assert locked is not None
        locked.locked_until = utcnow() + timedelta(minutes=10)
        session.add(LoginSession(user_id=staff.id, expires_at=utcnow() + timedelta(hours=1)))
    link = _issue(engine, admin, staff)
    assert _redeem(engine, token_of(link)) == staff.id
    assert factories.log_in(engine, staff.email, "ein-ganz-neues-passwort").actor is not None
    assert factories.log_in(engine, staff.email, factories.PASSWORD).actor is None
    with read_session(engine) as session:
        running = session.exec(select(LoginSession).where(col(LoginSession.ended_at).is_(None)))
        assert not [s for s in running.all() if s.user_id == staff.id]
    with pytest.raises(UnusableLink):
        _redeem(engine, token_of(link))
    assert not _usable(engine, token_of(link))


@pytest.mark.parametrize("token", ["", "   ", "erfunden", "x" * 500])
def test_unknown_links_get_the_same_message(engine: Engine, token: str) -> None:
    assert not _usable(engine, token)
    with pytest.raises(UnusableLink, match="ungültig, abgelaufen oder wurde bereits benutzt"):
        _redeem(engine, token)


def test_only_the_hash_of_a_token_is_stored(engine: Engine) -> None:
    admin, staff = _staff(engine)
    link = _issue(engine, admin, staff)
    token = token_of(link)
    assert len(token) >= 43  # 32 random bytes
    with read_session(engine) as session:
        [row] = session.exec(select(PasswordToken)).all()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(row.model_dump())
    assert token not in repr(link)


def test_a_new_link_voids_the_earlier_one_of_the_same_kind(engine: Engine) -> None:
    admin, staff = _staff(engine)
    first = _issue(engine, admin, staff)
    reset = _issue(engine, admin, staff, PasswordTokenPurpose.RESET)
    second = _issue(engine, admin, staff)
    assert not _usable(engine, token_of(first))
    assert _usable(engine, token_of(second)) and _usable(engine, token_of(reset))
    # Once a password is set, every other open link of the person stops.
    _redeem(engine, token_of(second))
    assert not _usable(engine, token_of(reset))


def test_a_short_password_leaves_the_link_usable(engine: Engine) -> None:
    admin, staff = _staff(engine)
    link = _issue(engine, admin, staff)
    with pytest.raises(Exception, match="mindestens 10 Zeichen"):
        NewPassword.checked("kurz", "kurz")
    assert _usable(engine, token_of(link))


def test_links_point_to_the_configured_address(engine: Engine) -> None:
    admin, staff = _staff(engine)
    with write_session(engine) as session:
        settings.save_association(
            session=session,
            actor=SYSTEM,
            values=Association(name="Verband", base_url="https://positionen.verband.example/"),
        )
    link = _issue(engine, admin, staff)
    assert link.url == f"https://positionen.verband.example/?passwort={token_of(link)}"


def test_a_deactivated_account_gets_no_link(engine: Engine) -> None:
    admin, staff = _staff(engine)
    with write_session(engine) as session:
        stored = session.get(User, staff.id)
        assert stored is not None
        stored.active = False
    with pytest.raises(Exception, match="deaktiviert"):
        _issue(engine, admin, staff)
    assert _reset(engine, staff.email) is None


# --- Passwort vergessen --------------------------------------------------------------------


def test_forgotten_password_links_exist_only_for_active_accounts(engine: Engine) -> None:
    _, staff = _staff(engine, email="da@test.example")
    assert _reset(engine, "niemand@test.example") is None
    link = _reset(engine, " DA@test.example ")
    assert link is not None and link.purpose is PasswordTokenPurpose.RESET
    assert link.user_id == staff.id
    with read_session(engine) as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "password_reset_requested")
        ).all()
    assert [e.detail for e in events] == [{"outcome": "no_account"}, {"outcome": "issued"}]
    assert [e.object_id for e in events] == [None, staff.id]


def test_at_most_three_reset_links_an_hour(engine: Engine) -> None:
    _, staff = _staff(engine, email="da@test.example")
    start = utcnow()
    links = [_reset(engine, staff.email, now=start + timedelta(minutes=n)) for n in range(4)]
    assert [link is not None for link in links] == [True, True, True, False]
    # The refused request did not void the last link that went out.
    last = links[2]
    assert last is not None and _usable(engine, token_of(last), now=start + timedelta(minutes=5))
    again = _reset(engine, staff.email, now=start + timedelta(minutes=61))
    assert again is not None


# --- mail ----------------------------------------------------------------------------------


@dataclass
class Inbox:
    messages: list[Message] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        self.arrived.set()
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, Smtp]]:
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""
    received = Inbox()
    port = free_port()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp = Smtp(host="127.0.0.1", port=port, starttls=False, sender="referat@verband.example")
        yield received, smtp
    finally:
        controller.stop()


def test_the_mail_carries_the_link_and_never_a_password(
    engine: Engine, inbox: tuple[Inbox, Smtp]
) -> None:
    received, smtp = inbox
    admin, staff = _staff(engine)
    link = _issue(engine, admin, staff)
    password_links.send(smtp, link, association_name="Verband NRW")
    [message] = received.messages
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert message["To"] == staff.email
    assert message["Subject"] == "Ihr Zugang zu Positionen (Verband NRW)"
    assert link.url in body and "nur einmal" in body
    assert "Passwort:" not in body and factories.PASSWORD not in body


def test_a_reset_mail_goes_out_in_the_background(engine: Engine, inbox: tuple[Inbox, Smtp]) -> None:
    received, smtp = inbox
    _staff(engine, email="da@test.example")
    link = _reset(engine, "da@test.example")
    assert link is not None
    password_links.send_in_background(smtp, link, association_name="Verband").join(timeout=20)
    assert received.arrived.is_set()
    body = received.messages[0].get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert link.url in body and "bisheriges Passwort bleibt gültig" in body


def test_a_reset_mail_that_fails_is_logged_without_address_or_link(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    _staff(engine, email="da@test.example")
    link = _reset(engine, "da@test.example")
    assert link is not None
    unreachable = Smtp(host="127.0.0.1", port=free_port(), starttls=False, sender="a@b.example")
    with caplog.at_level(logging.WARNING, logger="positionen.password_links"):
        password_links.send_in_background(unreachable, link, association_name="V").join(20)
    [record] = caplog.records
    assert "nicht erreichbar" in record.getMessage()
    assert "da@test.example" not in record.getMessage() and token_of(link) not in caplog.text


def test_the_answer_to_a_request_is_one_text() -> None:
    assert RESET_REQUESTED.startswith("Wenn es zu dieser Adresse einen Zugang gibt,")


@pytest.mark.postgres
def test_one_link_submitted_twice_at_once_sets_one_password(postgres_url: str) -> None:
    engine = create_engine_for(postgres_url)
    admin, staff = _staff(engine)
    token = token_of(_issue(engine, admin, staff))
    both_started = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []

    def redeem() -> None:
        try:
            with write_session(engine) as session:
                session.exec(select(User.id).where(col(User.id) == 0))
                both_started.wait()
                password_links.redeem(session=session, token=token, new_password=NEW)
            outcomes.append("set")
        except UnusableLink:
            outcomes.append("refused")

    threads = [threading.Thread(target=redeem) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "set"]
    engine.dispose()
