"""Twenty members submitting fifty statements each at the same time: every one is stored,
on SQLite and on PostgreSQL, and nobody sees "database is locked"."""

import itertools
import threading
from collections.abc import Callable
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from db.engine import read_session, write_session
from db.models import (
    AuditEvent,
    Call,
    CallInvitee,
    CallStatus,
    Organisation,
    OrganisationKind,
    Role,
    Statement,
    StatementStatus,
    StatementVersion,
    User,
    Visibility,
    id_of,
)
from positions.core import accounts
from positions.core.accounts import MAX_FAILED_LOGINS
from positions.core.clock import utcnow
from positions.core.permissions import Actor
from positions.statements import statements
from tests import factories

WRITERS, STATEMENTS_EACH = 20, 50


def test_twenty_writers_times_fifty_statements_are_all_stored(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        forum = factories.forum(session, staff)
        organisations = [
            Organisation(name=f"Schreiber {i} GmbH", kind=OrganisationKind.COMPANY)
            for i in range(WRITERS)
        ]
        session.add_all(organisations)
        calls = [
            Call(
                forum_id=id_of(forum),
                title=f"Aufruf {i}",
                question="",
                external_deadline=date(2099, 1, 9),
                member_deadline=date(2099, 1, 2),
                board_deadline=date(2099, 1, 6),
                status=CallStatus.OPEN,
            )
            for i in range(STATEMENTS_EACH)
        ]
        session.add_all(calls)
        session.flush()
        session.add_all(
            CallInvitee(call_id=id_of(c), organisation_id=id_of(o))
            for c in calls
            for o in organisations
        )
        members = [
            Actor.for_user(factories.user(session, Role.MEMBER, o, password=None))
            for o in organisations
        ]
        call_ids = [id_of(c) for c in calls]
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def member_writes(member: Actor) -> None:
        barrier.wait()
        try:
            for call_id in call_ids:
                with write_session(engine) as session:
                    statements.save_statement(
                        session=session,
                        actor=member,
                        call_id=call_id,
                        text_input=f"Forderung von {member.name} zu Aufruf {call_id}.\n\n"
                        "- Förderprogramme vereinfachen\n- Strompreise senken",
                        visibility=Visibility.NAMED,
                        submit=True,
                        expected_version=None,
                    )
        except BaseException as error:  # every failure is a finding
            errors.append(error)

    threads = [threading.Thread(target=member_writes, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with read_session(engine) as session:
        stored = session.exec(
            select(func.count())
            .select_from(Statement)
            .where(Statement.status == StatementStatus.SUBMITTED)
        ).one()
        versions = session.exec(select(func.count()).select_from(StatementVersion)).one()
    assert stored == versions == WRITERS * STATEMENTS_EACH


# --- logins -------------------------------------------------------------------------------


def test_thirty_parallel_wrong_passwords_lock_the_account(engine: Engine) -> None:
    """The failure counter is updated atomically: ten failures lock the account for 15
    minutes however they arrive, and every further attempt is refused without counting."""
    with write_session(engine) as session:
        user_id = id_of(factories.user(session, Role.STAFF, email="referat@test.example"))
    attempts = 30
    barrier = threading.Barrier(attempts)
    outcomes: list[accounts.LoginOutcome] = []
    errors: list[BaseException] = []

    def wrong_password() -> None:
        barrier.wait()
        try:
            outcomes.append(factories.log_in(engine, "referat@test.example", "falsch"))
        except BaseException as error:  # every failure is a finding
            errors.append(error)

    threads = [threading.Thread(target=wrong_password) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(outcomes) == attempts
    assert all(o.actor is None for o in outcomes)
    with read_session(engine) as session:
        user = session.get(User, user_id)
        assert user is not None and user.locked_until is not None
        assert user.locked_until > utcnow() + timedelta(minutes=14)
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert actions.count("login_failed") == MAX_FAILED_LOGINS - 1
    assert actions.count("login_locked") == 1
    assert len(actions) == attempts  # the other twenty were refused as locked
    assert factories.log_in(engine, "referat@test.example", factories.PASSWORD).actor is None


def _write_transactions_of_this_thread(engine: Engine) -> Callable[[], int]:
    """How many write transactions the calling thread holds open on `engine` right now."""
    local = threading.local()

    def began(connection: sa.Connection) -> None:
        if connection.get_execution_options().get("positionen_write"):
            local.open = getattr(local, "open", 0) + 1
            connection.info["counted_write"] = True

    def ended(connection: sa.Connection) -> None:
        if connection.info.pop("counted_write", False):
            local.open -= 1

    sa.event.listen(engine, "begin", began)
    sa.event.listen(engine, "commit", ended)
    sa.event.listen(engine, "rollback", ended)
    return lambda: int(getattr(local, "open", 0))


def test_failed_logins_hold_no_write_transaction_while_hashing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anyone can try passwords: while argon2 runs (a fifth of a second) no login may hold
    a write transaction, or on SQLite every member's save waits behind the login loops."""
    with write_session(engine) as session:
        factories.user(session, Role.STAFF, email="referat@test.example")
    open_writes = _write_transactions_of_this_thread(engine)
    held_while_hashing: list[int] = []
    checks = itertools.count()
    hashing, saved, stop = threading.Event(), threading.Event(), threading.Event()
    saved_while_hashing: list[bool] = []
    real_verify = PasswordHasher.verify

    def watched_verify(self: PasswordHasher, hash: str, password: str) -> bool:
        held_while_hashing.append(open_writes())
        if next(checks) == 0:
            # The first check waits for a member's save: it must get through meanwhile.
            hashing.set()
            saved_while_hashing.append(saved.wait(timeout=20))
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", watched_verify)
    errors: list[BaseException] = []

    def failing_logins(email: str) -> None:
        try:
            while not stop.is_set():
                factories.log_in(engine, email, "falsch")
        except BaseException as error:  # every failure is a finding
            errors.append(error)

    emails = ["referat@test.example", "niemand@test.example"] * 3
    threads = [threading.Thread(target=failing_logins, args=(e,)) for e in emails]
    for thread in threads:
        thread.start()
    try:
        assert hashing.wait(timeout=30)
        with write_session(engine) as session:
            factories.organisation(session, "Speichert GmbH")
        saved.set()
        # More saves while the login loops go on.
        for number in range(5):
            with write_session(engine) as session:
                factories.organisation(session, f"Speichert weiter {number} GmbH")
    finally:
        saved.set()
        stop.set()
        for thread in threads:
            thread.join()
    assert set(held_while_hashing) == {0}
    assert saved_while_hashing == [True]
    assert errors == []
