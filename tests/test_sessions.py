"""Server-side sessions: hand-over codes, the signed cookie, idleness, ending, and the key
that signs, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from db.engine import read_session, write_session
from db.models import Role, id_of
from positions.core import sessions
from positions.core.clock import utcnow
from positions.core.sessions import Standing
from tests import factories

IDLE = timedelta(minutes=60)


def start(engine: Engine) -> tuple[int, sessions.Handoff]:
    """A staff member's new session waiting for its browser."""
    with write_session(engine) as session:
        user_id = id_of(factories.user(session, Role.STAFF))
        handoff = sessions.start_login_session(session=session, user_id=user_id)
    return user_id, handoff


def redeem(engine: Engine, code: str, *, now: datetime | None = None) -> str | None:
    with write_session(engine) as session:
        return sessions.redeem_handoff(session=session, code=code, now=now)


def test_a_hand_over_code_works_once_and_names_its_session(engine: Engine) -> None:
    _, handoff = start(engine)
    identifier = redeem(engine, handoff.code)
    assert identifier is not None
    assert redeem(engine, handoff.code) is None
    with read_session(engine) as session:
        row = sessions.find_login_session(session=session, identifier=identifier)
        assert row is not None and row.id == handoff.login_session_id
        # Only hashes are stored: a copy of the database opens no session.
        assert identifier not in (row.token_hash, row.handoff_hash)
        assert row.handoff_hash is None


@pytest.mark.parametrize("late", [timedelta(seconds=61), timedelta(days=1)])
def test_a_hand_over_code_brought_too_late_opens_nothing(engine: Engine, late: timedelta) -> None:
    _, handoff = start(engine)
    assert redeem(engine, handoff.code, now=utcnow() + late) is None
    assert redeem(engine, handoff.code) is None  # and it is used up


def test_unknown_or_empty_codes_open_nothing(engine: Engine) -> None:
    start(engine)
    assert redeem(engine, "") is None
    assert redeem(engine, "erfunden") is None


def test_the_code_of_an_ended_session_opens_nothing(engine: Engine) -> None:
    user_id, handoff = start(engine)
    with write_session(engine) as session:
        sessions.end_user_sessions(session=session, user_id=user_id, reason="deactivated")
    assert redeem(engine, handoff.code) is None


def test_a_session_runs_until_idle_expired_or_ended(engine: Engine) -> None:
    _, handoff = start(engine)
    now = utcnow()
    with write_session(engine) as session:
        row = sessions.get_login_session(session=session, login_session_id=handoff.login_session_id)
        assert row is not None
        assert sessions.standing(row, idle_limit=IDLE, now=now) == Standing.RUNNING
        assert sessions.standing(row, idle_limit=IDLE, now=now + IDLE / 2) == Standing.RUNNING
        later = now + IDLE + timedelta(minutes=1)
        assert sessions.standing(row, idle_limit=IDLE, now=later) == Standing.IDLE
        after_lifetime = now + sessions.LIFETIME
        assert sessions.standing(row, idle_limit=IDLE * 1000, now=after_lifetime) == (
            Standing.EXPIRED
        )
        sessions.end_login_session(
            session=session, login_session_id=id_of(row), reason=sessions.EndReason.LOGOUT
        )
    with read_session(engine) as session:
        row = sessions.get_login_session(session=session, login_session_id=handoff.login_session_id)
        assert row is not None
        assert sessions.standing(row, idle_limit=IDLE, now=now) == Standing.ENDED
        assert row.end_reason == "logout"


def test_activity_keeps_a_session_running_and_is_written_once_a_minute(engine: Engine) -> None:
    _, handoff = start(engine)
    row_id = handoff.login_session_id
    started = utcnow()

    def last_seen() -> datetime:
        with read_session(engine) as session:
            row = sessions.get_login_session(session=session, login_session_id=row_id)
            assert row is not None
            return row.last_seen_at

    before = last_seen()
    with write_session(engine) as session:
        sessions.touch(
            session=session, login_session_id=row_id, now=started + timedelta(seconds=30)
        )
    assert last_seen() == before  # not a write per click
    fifty_minutes = started + timedelta(minutes=50)
    with write_session(engine) as session:
        sessions.touch(session=session, login_session_id=row_id, now=fifty_minutes)
    assert last_seen() == fifty_minutes
    with read_session(engine) as session:
        row = sessions.get_login_session(session=session, login_session_id=row_id)
        assert row is not None
        # An hour and a half after the login, but only forty minutes after the last click.
        assert (
            sessions.standing(row, idle_limit=IDLE, now=started + timedelta(minutes=90))
            == Standing.RUNNING
        )


def test_ending_a_persons_sessions_keeps_the_one_asked_for(engine: Engine) -> None:
    user_id, first = start(engine)
    with write_session(engine) as session:
        second = sessions.start_login_session(session=session, user_id=user_id)
        other = sessions.start_login_session(
            session=session, user_id=id_of(factories.user(session, Role.STAFF))
        )
        ended = sessions.end_user_sessions(
            session=session,
            user_id=user_id,
            reason="password_changed",
            keep_session_id=second.login_session_id,
        )
    assert ended == 1
    with read_session(engine) as session:

        def standing_of(handoff: sessions.Handoff) -> Standing:
            row = sessions.get_login_session(
                session=session, login_session_id=handoff.login_session_id
            )
            assert row is not None
            return sessions.standing(row, idle_limit=IDLE)

        assert standing_of(first) == Standing.ENDED
        assert standing_of(second) == Standing.RUNNING
        assert standing_of(other) == Standing.RUNNING


# --- the signed cookie and its key ----------------------------------------------------------


def test_the_cookie_carries_the_identifier_signed_and_expiring() -> None:
    value = sessions.sign_identifier("abc", secret="geheim")
    assert sessions.identifier_from_cookie(value, secret="geheim") == "abc"
    assert sessions.identifier_from_cookie(value, secret="anderes-geheimnis") is None
    forged = "xyz" + value[3:]
    assert sessions.identifier_from_cookie(forged, secret="geheim") is None
    too_late = utcnow() + sessions.LIFETIME + timedelta(minutes=1)
    assert sessions.identifier_from_cookie(value, secret="geheim", now=too_late) is None
    assert sessions.identifier_from_cookie("", secret="geheim") is None


def key_of(engine: Engine) -> str:
    return sessions.secret_key(
        reading=lambda: read_session(engine), writing=lambda: write_session(engine)
    )


def test_the_key_is_made_once_and_shared_by_every_replica(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from db.engine import create_engine_for

    monkeypatch.delenv(sessions.SECRET_KEY_VARIABLE, raising=False)
    replicas = [create_engine_for(database_url) for _ in range(2)]
    try:
        keys = {key_of(engine) for engine in replicas * 2}
    finally:
        for engine in replicas:
            engine.dispose()
    assert len(keys) == 1
    [key] = keys
    assert len(key) >= 48


def test_a_configured_key_wins(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sessions.SECRET_KEY_VARIABLE, "aus-der-umgebung")
    assert key_of(engine) == "aus-der-umgebung"
