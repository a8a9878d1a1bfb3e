from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import AuditEvent, Role, User
from positions.core import accounts
from positions.core.accounts import LOGIN_REFUSED, MAX_FAILED_LOGINS
from positions.core.clock import utcnow
from positions.core.errors import InvalidInput, PermissionDenied
from positions.core.permissions import Actor
from tests import factories

_log_in = factories.log_in

# The one answer to every refused login: which accounts exist, are locked or deactivated
# must not be told apart from outside.
REFUSED = (
    "E-Mail-Adresse oder Passwort ist falsch. Nach 10 Fehlversuchen bleibt der Zugang "
    "15 Minuten lang gesperrt."
)


def test_login_with_the_right_password_gives_the_actor(engine: Engine) -> None:
    with write_session(engine) as session:
        user = factories.user(session, Role.STAFF, email="referat@test.example")
    outcome = _log_in(engine, "  Referat@Test.example ", factories.PASSWORD)
    assert outcome.actor is not None
    assert outcome.actor.user_id == user.id and outcome.actor.role is Role.STAFF
    with read_session(engine) as session:
        stored = session.get(User, user.id)
        assert stored is not None and stored.last_login_at is not None
        assert stored.password_hash and stored.password_hash.startswith("$argon2id$")
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "login")).first()


@pytest.mark.parametrize("email", ["referat@test.example", "niemand@test.example"])
def test_wrong_password_and_unknown_user_get_the_same_german_message(
    engine: Engine, email: str
) -> None:
    with write_session(engine) as session:
        factories.user(session, Role.STAFF, email="referat@test.example")
    outcome = _log_in(engine, email, "falsch")
    assert outcome.actor is None
    assert outcome.message == LOGIN_REFUSED == REFUSED


def test_ten_failures_lock_the_account_for_fifteen_minutes(engine: Engine) -> None:
    with write_session(engine) as session:
        factories.user(session, Role.STAFF, email="referat@test.example")
    start = utcnow()
    for attempt in range(MAX_FAILED_LOGINS - 1):
        outcome = _log_in(engine, "referat@test.example", "falsch", now=start)
        assert outcome.message == LOGIN_REFUSED, attempt
    outcome = _log_in(engine, "referat@test.example", "falsch", now=start)
    assert outcome.message == LOGIN_REFUSED
    # Even the right password is refused while locked ...
    locked = _log_in(
        engine, "referat@test.example", factories.PASSWORD, now=start + timedelta(minutes=14)
    )
    assert locked.actor is None and locked.message == LOGIN_REFUSED
    # ... and works again after fifteen minutes.
    unlocked = _log_in(
        engine,
        "referat@test.example",
        factories.PASSWORD,
        now=start + timedelta(minutes=15, seconds=1),
    )
    assert unlocked.actor is not None
    with read_session(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert actions.count("login_failed") == MAX_FAILED_LOGINS - 1
    assert actions.count("login_locked") == 1


def test_deactivated_accounts_cannot_log_in(engine: Engine) -> None:
    with write_session(engine) as session:
        user = factories.user(session, Role.BOARD, email="alt@test.example")
        user.active = False
    outcome = _log_in(engine, "alt@test.example", factories.PASSWORD)
    assert outcome.actor is None and outcome.message == LOGIN_REFUSED


def test_contacts_without_password_cannot_log_in_with_any_password(engine: Engine) -> None:
    with write_session(engine) as session:
        factories.user(session, Role.MEMBER, email="kontakt@test.example", password=None)
    assert _log_in(engine, "kontakt@test.example", "").actor is None


def test_only_admins_create_users(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session, Role.STAFF)
        with pytest.raises(PermissionDenied):
            accounts.create_user(
                session=session, actor=staff, email="neu@test.example", name="Neu", role=Role.STAFF
            )


@pytest.mark.parametrize(
    ("email", "name", "role", "password", "message"),
    [
        ("kein-at-zeichen", "X", Role.STAFF, None, "keine gültige E-Mail-Adresse"),
        ("neu@test.example", "  ", Role.STAFF, None, "Namen"),
        ("neu@test.example", "X", Role.STAFF, "kurz", "mindestens 10 Zeichen"),
        ("neu@test.example", "X", Role.MEMBER, None, "Mitgliedsunternehmen"),
        ("ADMIN@test.example", "X", Role.STAFF, None, "bereits einen Zugang"),
    ],
)
def test_bad_user_input_gets_a_german_message_and_stores_nothing(
    engine: Engine, email: str, name: str, role: Role, password: str | None, message: str
) -> None:
    with write_session(engine) as session:
        admin = factories.user(session, Role.ADMIN, email="admin@test.example")
    with pytest.raises(InvalidInput, match=message), write_session(engine) as session:
        accounts.create_user(
            session=session,
            actor=Actor.for_user(admin),
            email=email,
            name=name,
            role=role,
            password=password,
        )
    with read_session(engine) as session:
        assert len(session.exec(select(User)).all()) == 1


def test_create_admin_makes_a_working_login(engine: Engine) -> None:
    with write_session(engine) as session:
        accounts.create_admin(
            session=session,
            email="Chefin@Verband.example",
            name="Chefin",
            password="sehr-geheim-123",
        )
    outcome = _log_in(engine, "chefin@verband.example", "sehr-geheim-123")
    assert outcome.actor is not None and outcome.actor.role is Role.ADMIN


def _account_in_every_state(engine: Engine) -> None:
    """referat@ works; gesperrt@ is locked, alt@ deactivated, kontakt@ has no password."""
    with write_session(engine) as session:
        factories.user(session, Role.STAFF, email="referat@test.example")
        locked = factories.user(session, Role.STAFF, email="gesperrt@test.example")
        locked.locked_until = utcnow() + timedelta(minutes=10)
        factories.user(session, Role.STAFF, email="alt@test.example").active = False
        factories.user(session, Role.MEMBER, email="kontakt@test.example", password=None)


REFUSALS = [
    ("niemand@test.example", "falsch", "unknown_email"),
    ("referat@test.example", "falsch", None),
    ("gesperrt@test.example", factories.PASSWORD, "locked"),
    ("alt@test.example", factories.PASSWORD, "deactivated"),
    ("kontakt@test.example", factories.PASSWORD, "no_password"),
]


@pytest.mark.parametrize(("email", "password", "reason"), REFUSALS)
def test_every_refusal_reads_the_same_and_costs_one_password_check(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, email: str, password: str, reason: str | None
) -> None:
    _account_in_every_state(engine)
    checks: list[str] = []
    real_verify = PasswordHasher.verify

    def counting_verify(self: PasswordHasher, hash: str, password: str) -> bool:
        checks.append(hash)
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    outcome = _log_in(engine, email, password)
    assert outcome.actor is None and outcome.message == LOGIN_REFUSED
    # A locked or unknown account takes as long as a wrong password: one argon2 check each.
    assert len(checks) == 1


@pytest.mark.parametrize(("email", "password", "reason"), REFUSALS)
def test_the_audit_log_keeps_the_real_reason_of_a_refusal(
    engine: Engine, email: str, password: str, reason: str | None
) -> None:
    _account_in_every_state(engine)
    _log_in(engine, email, password)
    with read_session(engine) as session:
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action != "create")).all()
        user = session.exec(select(User).where(User.email == email)).first()
    if reason is None:
        assert event.action == "login_failed" and event.detail is None
    else:
        assert event.action == "login_refused" and event.detail == {"reason": reason}
    assert event.object_type == "user" and event.object_id == (user.id if user else None)
    assert email not in str(event.detail)  # a mistyped password may sit in the address field
