"""Administering users (services and `positionen users …`): roles, deactivation, the last
administrator, changing one's own password, and what each of these does to sessions."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import cli
from cli import users as cli_users
from db.engine import create_engine_for, read_session, write_session
from db.models import (
    AuditEvent,
    LoginSession,
    PasswordToken,
    Role,
    User,
    id_of,
)
from positions.core import accounts, password_links, user_admin
from positions.core.accounts import FieldInvalid
from positions.core.clock import utcnow
from positions.core.errors import InvalidInput, PermissionDenied
from positions.core.permissions import SYSTEM, Actor
from tests import factories

NEW_PASSWORD = "ein-ganz-neues-passwort"


def _admin(engine: Engine, email: str = "admin@test.example") -> Actor:
    with write_session(engine) as session:
        return Actor.for_user(factories.user(session, Role.ADMIN, email=email))


def _open_sessions(engine: Engine, user_id: int, count: int = 2) -> list[int]:
    """Browser sessions of the person, as a login leaves them."""
    with write_session(engine) as session:
        rows = [
            LoginSession(user_id=user_id, expires_at=utcnow() + timedelta(hours=8))
            for _ in range(count)
        ]
        session.add_all(rows)
        session.flush()
        return [id_of(row) for row in rows]


def _running(engine: Engine, user_id: int) -> set[int]:
    with read_session(engine) as session:
        rows = session.exec(
            select(LoginSession).where(
                LoginSession.user_id == user_id, col(LoginSession.ended_at).is_(None)
            )
        ).all()
    return {id_of(row) for row in rows}


def _audit(engine: Engine) -> list[AuditEvent]:
    with read_session(engine) as session:
        return list(session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all())


# --- who may -------------------------------------------------------------------------------


def _every_user_action(session: Session, actor: Actor, user_id: int) -> list[Callable[[], Any]]:
    return [
        lambda: user_admin.list_users(session=session, actor=actor),
        lambda: user_admin.add_user(
            session=session, actor=actor, email="neu@test.example", name="Neu", role=Role.STAFF
        ),
        lambda: user_admin.update_user(
            session=session, actor=actor, user_id=user_id, name="X", role=Role.BOARD
        ),
        lambda: user_admin.deactivate(session=session, actor=actor, user_id=user_id),
        lambda: user_admin.reactivate(session=session, actor=actor, user_id=user_id),
        lambda: password_links.issue(session=session, actor=actor, user_id=user_id),
    ]


@pytest.mark.parametrize("role", [Role.STAFF, Role.BOARD, Role.MEMBER])
def test_only_administrators_manage_users(engine: Engine, role: Role) -> None:
    with write_session(engine) as session:
        someone = factories.actor(session, role)
        target = factories.user(session, Role.STAFF)
        for action in _every_user_action(session, someone, id_of(target)):
            with pytest.raises(PermissionDenied):
                action()


# --- adding --------------------------------------------------------------------------------


def test_a_new_user_has_no_password_until_they_set_one_through_their_link(
    engine: Engine,
) -> None:
    admin = _admin(engine)
    with write_session(engine) as session:
        link = user_admin.add_user(
            session=session,
            actor=admin,
            email=" Neu@Test.example ",
            name="  Nora   Neu ",
            role=Role.STAFF,
        )
    assert link.email == "neu@test.example" and link.name == "Nora Neu"
    assert link.url.startswith("http://localhost:8501/?passwort=")
    assert factories.log_in(engine, "neu@test.example", "").actor is None
    token = link.url.partition("passwort=")[2]
    with write_session(engine) as session:
        password_links.redeem(
            session=session,
            token=token,
            new_password=accounts.NewPassword.checked(NEW_PASSWORD, NEW_PASSWORD),
        )
    outcome = factories.log_in(engine, "neu@test.example", NEW_PASSWORD)
    assert outcome.actor is not None and outcome.actor.role is Role.STAFF


def test_a_member_contact_is_added_with_their_organisation(engine: Engine) -> None:
    admin = _admin(engine)
    with write_session(engine) as session:
        company = factories.organisation(session, "Umformtechnik GmbH")
        user_admin.add_user(
            session=session,
            actor=admin,
            email="kontakt@umform.example",
            name="Karla Kontakt",
            role=Role.MEMBER,
            organisation_id=company.id,
        )
        [row] = user_admin.list_users(session=session, actor=admin, role=Role.MEMBER)
    assert (row.email, row.organisation, row.active, row.has_password) == (
        "kontakt@umform.example",
        "Umformtechnik GmbH",
        True,
        False,
    )


@pytest.mark.parametrize(
    ("email", "name", "role", "with_company", "field", "message"),
    [
        ("", "Nora", Role.STAFF, False, "email", "Bitte geben Sie eine E-Mail-Adresse an."),
        ("kein-at", "Nora", Role.STAFF, False, "email", "„kein-at“ ist keine gültige"),
        ("ADMIN@test.example", "Nora", Role.STAFF, False, "email", "bereits einen Zugang"),
        ("neu@test.example", " ", Role.STAFF, False, "name", "Bitte geben Sie einen Namen an."),
        ("neu@test.example", "N" * 201, Role.STAFF, False, "name", "höchstens 200 Zeichen"),
        ("neu@test.example", "Nora", Role.MEMBER, False, "organisation", "braucht ein Mitglieds"),
        ("neu@test.example", "Nora", Role.STAFF, True, "organisation", "Nur Mitgliedszugänge"),
    ],
)
def test_bad_input_names_its_field_in_german_and_stores_nothing(
    engine: Engine,
    email: str,
    name: str,
    role: Role,
    with_company: bool,
    field: str,
    message: str,
) -> None:
    admin = _admin(engine)
    with read_session(engine) as session:
        before = len(session.exec(select(User)).all())
    with write_session(engine) as session:
        company_id = id_of(factories.organisation(session)) if with_company else None
    with pytest.raises(FieldInvalid, match=message) as refused, write_session(engine) as session:
        user_admin.add_user(
            session=session,
            actor=admin,
            email=email,
            name=name,
            role=role,
            organisation_id=company_id,
        )
    assert refused.value.field == field
    with read_session(engine) as session:
        assert len(session.exec(select(User)).all()) == before
        assert session.exec(select(PasswordToken)).first() is None


# --- roles and deactivation ----------------------------------------------------------------


def test_a_role_change_ends_the_persons_sessions_a_new_name_does_not(engine: Engine) -> None:
    admin = _admin(engine)
    with write_session(engine) as session:
        staff = factories.user(session, Role.STAFF)
    _open_sessions(engine, id_of(staff))
    with write_session(engine) as session:
        user_admin.update_user(
            session=session, actor=admin, user_id=id_of(staff), name="Neuer Name", role=Role.STAFF
        )
    assert len(_running(engine, id_of(staff))) == 2
    with write_session(engine) as session:
        user_admin.update_user(
            session=session, actor=admin, user_id=id_of(staff), name="Neuer Name", role=Role.BOARD
        )
    assert _running(engine, id_of(staff)) == set()
    outcome = factories.log_in(engine, staff.email, factories.PASSWORD)
    assert outcome.actor is not None and outcome.actor.role is Role.BOARD
    assert outcome.actor.name == "Neuer Name"
    changed = [e for e in _audit(engine) if e.action == "user_role_changed"]
    assert [e.detail for e in changed] == [{"from": "staff", "to": "board"}]


def test_moving_a_contact_to_another_company_ends_their_sessions(engine: Engine) -> None:
    admin = _admin(engine)
    with write_session(engine) as session:
        contact = factories.user(session, Role.MEMBER)
        other = factories.organisation(session)
    _open_sessions(engine, id_of(contact))
    with write_session(engine) as session:
        user_admin.update_user(
            session=session,
            actor=admin,
            user_id=id_of(contact),
            name=contact.name,
            role=Role.MEMBER,
            organisation_id=other.id,
        )
    assert _running(engine, id_of(contact)) == set()
    with read_session(engine) as session:
        stored = session.get(User, contact.id)
        assert stored is not None and stored.organisation_id == other.id


def test_a_contact_who_becomes_staff_leaves_the_company_behind(engine: Engine) -> None:
    admin = _admin(engine)
    with write_session(engine) as session:
        contact = factories.user(session, Role.MEMBER)
        user_admin.update_user(
            session=session, actor=admin, user_id=id_of(contact), name="X", role=Role.STAFF
        )
    with read_session(engine) as session:
        stored = session.get(User, contact.id)
        assert stored is not None and (stored.role, stored.organisation_id) == (Role.STAFF, None)


def test_deactivation_ends_sessions_and_links_and_reactivation_lets_them_back_in(
    engine: Engine,
) -> None:
    admin = _admin(engine)
    with write_session(engine) as session:
        board = factories.user(session, Role.BOARD)
        link = password_links.issue(session=session, actor=admin, user_id=id_of(board))
    _open_sessions(engine, id_of(board))
    with write_session(engine) as session:
        user_admin.deactivate(session=session, actor=admin, user_id=id_of(board))
    assert _running(engine, id_of(board)) == set()
    assert factories.log_in(engine, board.email, factories.PASSWORD).actor is None
    with (
        pytest.raises(password_links.UnusableLink),
        read_session(engine) as session,
    ):
        password_links.holder(session=session, token=link.url.partition("=")[2])
    with write_session(engine) as session:
        user_admin.reactivate(session=session, actor=admin, user_id=id_of(board))
    assert factories.log_in(engine, board.email, factories.PASSWORD).actor is not None
    # The link from before the deactivation stays void.
    with (
        pytest.raises(password_links.UnusableLink),
        read_session(engine) as session,
    ):
        password_links.holder(session=session, token=link.url.partition("=")[2])
    actions = [e.action for e in _audit(engine)]
    assert actions.count("user_deactivated") == 1 and actions.count("user_reactivated") == 1


@pytest.mark.parametrize("change", ["deactivate", "demote"])
def test_the_last_active_administrator_cannot_leave(engine: Engine, change: str) -> None:
    admin = _admin(engine)
    with write_session(engine) as session:
        retired = factories.user(session, Role.ADMIN, email="frueher@test.example")
        retired.active = False

    def leave(session: Session) -> None:
        if change == "deactivate":
            user_admin.deactivate(session=session, actor=admin, user_id=admin.user_id)
        else:
            user_admin.update_user(
                session=session,
                actor=admin,
                user_id=admin.user_id,
                name=admin.name,
                role=Role.STAFF,
            )

    with pytest.raises(InvalidInput, match="letzte aktive Zugang"), write_session(engine) as s:
        leave(s)
    with pytest.raises(InvalidInput, match="letzte aktive Zugang"), write_session(engine) as s:
        user_admin.deactivate(session=s, actor=SYSTEM, user_id=admin.user_id)
    assert factories.log_in(engine, "admin@test.example", factories.PASSWORD).actor is not None
    _admin(engine, "zweite@test.example")
    with write_session(engine) as session:
        leave(session)
    with read_session(engine) as session:
        stored = session.get(User, admin.user_id)
        assert stored is not None and not (stored.active and stored.role == Role.ADMIN)


@pytest.mark.postgres
def test_two_administrators_demoting_each_other_at_once_leave_one(postgres_url: str) -> None:
    engine = create_engine_for(postgres_url)
    first, second = _admin(engine, "eins@test.example"), _admin(engine, "zwei@test.example")
    both_started = threading.Barrier(2, timeout=10)
    outcomes: dict[int, str] = {}

    def demote(actor: Actor, other: Actor) -> None:
        try:
            with write_session(engine) as session:
                session.exec(select(User.id).where(col(User.id) == 0))  # the transaction opens
                both_started.wait()
                user_admin.update_user(
                    session=session,
                    actor=actor,
                    user_id=other.user_id,
                    name=other.name,
                    role=Role.STAFF,
                )
            outcomes[actor.user_id] = "done"
        except InvalidInput as error:
            outcomes[actor.user_id] = error.message

    threads = [
        threading.Thread(target=demote, args=(first, second)),
        threading.Thread(target=demote, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == sorted(["done", user_admin.LAST_ADMIN])
    with read_session(engine) as session:
        admins = session.exec(select(User).where(User.role == Role.ADMIN, col(User.active))).all()
    assert len(admins) == 1
    engine.dispose()


# --- one's own password --------------------------------------------------------------------


def _change(engine: Engine, actor: Actor, current: str, new: str, repeat: str, **kw: Any) -> None:
    accounts.change_own_password(
        reading=lambda: read_session(engine),
        writing=lambda: write_session(engine),
        actor=actor,
        current_password=current,
        new_password=new,
        repeat=repeat,
        **kw,
    )


@pytest.mark.parametrize(
    ("current", "new", "repeat", "field", "message"),
    [
        ("", NEW_PASSWORD, NEW_PASSWORD, "current", "Bitte geben Sie Ihr aktuelles Passwort"),
        ("falsch", NEW_PASSWORD, NEW_PASSWORD, "current", "Das aktuelle Passwort stimmt nicht."),
        (factories.PASSWORD, "kurz", "kurz", "password", "mindestens 10 Zeichen"),
        (factories.PASSWORD, NEW_PASSWORD, "anders-als-oben", "repeat", "stimmen nicht überein"),
    ],
)
def test_a_refused_password_change_names_its_field_and_keeps_the_old_password(
    engine: Engine, current: str, new: str, repeat: str, field: str, message: str
) -> None:
    with write_session(engine) as session:
        staff = factories.user(session, Role.STAFF)
    with pytest.raises(FieldInvalid, match=message) as refused:
        _change(engine, Actor.for_user(staff), current, new, repeat)
    assert refused.value.field == field
    assert factories.log_in(engine, staff.email, factories.PASSWORD).actor is not None


def test_changing_ones_password_ends_the_other_sessions_only(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.user(session, Role.STAFF)
    this_browser, other_browser = _open_sessions(engine, id_of(staff))
    _change(
        engine,
        Actor.for_user(staff),
        factories.PASSWORD,
        NEW_PASSWORD,
        NEW_PASSWORD,
        keep_session_id=this_browser,
    )
    assert _running(engine, id_of(staff)) == {this_browser}
    assert factories.log_in(engine, staff.email, factories.PASSWORD).actor is None
    assert factories.log_in(engine, staff.email, NEW_PASSWORD).actor is not None
    [event] = [e for e in _audit(engine) if e.action == "password_changed"]
    assert event.object_id == staff.id and not event.detail
    assert other_browser not in _running(engine, id_of(staff))


def test_guessing_the_current_password_locks_the_account(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.user(session, Role.STAFF)
    actor = Actor.for_user(staff)
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(FieldInvalid):
            _change(engine, actor, "geraten", NEW_PASSWORD, NEW_PASSWORD)
    with pytest.raises(InvalidInput, match="15 Minuten lang gesperrt"):
        _change(engine, actor, factories.PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    assert factories.log_in(engine, staff.email, factories.PASSWORD).actor is None


def test_no_audit_event_holds_an_address_a_token_or_a_password(engine: Engine) -> None:
    admin = _admin(engine)
    with write_session(engine) as session:
        link = user_admin.add_user(
            session=session, actor=admin, email="geheim@test.example", name="G", role=Role.STAFF
        )
        user_admin.update_user(
            session=session, actor=admin, user_id=link.user_id, name="G", role=Role.BOARD
        )
    token = link.url.partition("passwort=")[2]
    with write_session(engine) as session:
        password_links.redeem(
            session=session,
            token=token,
            new_password=accounts.NewPassword.checked(NEW_PASSWORD, NEW_PASSWORD),
        )
    with write_session(engine) as session:
        password_links.request_reset(session=session, email="geheim@test.example")
        password_links.request_reset(session=session, email="fremd@test.example")
        user_admin.deactivate(session=session, actor=admin, user_id=link.user_id)
        user_admin.reactivate(session=session, actor=admin, user_id=link.user_id)
    events = _audit(engine)
    assert {
        "create",
        "password_link_issued",
        "user_role_changed",
        "password_set",
        "password_reset_requested",
        "user_deactivated",
        "user_reactivated",
    } <= {e.action for e in events}
    everything = " ".join(f"{e.detail} {e.before_hash} {e.after_hash}" for e in events)
    for secret in ("geheim@", "fremd@", token, NEW_PASSWORD):
        assert secret not in everything


# --- the command line ----------------------------------------------------------------------


def test_the_roles_on_the_command_line_are_the_roles() -> None:
    assert tuple(role.value for role in Role) == cli_users.ROLES


def _users_cli(monkeypatch: pytest.MonkeyPatch, url: str) -> Callable[..., tuple[int, str, str]]:
    """`positionen users …` as the operator runs it, in this process (`cli.main`)."""
    monkeypatch.setenv("DATABASE_URL", url)

    def run(*arguments: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
        code = cli.main(["users", *arguments])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_the_users_commands(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _users_cli(monkeypatch, database_url)
    engine = create_engine_for(database_url)
    with write_session(engine) as session:
        factories.organisation(session, "Umformtechnik GmbH")
    code, out, _ = run(
        "add", "--email", "chef@test.example", "--name", "Chef", "--role", "admin", capsys=capsys
    )
    assert code == 0 and "added chef@test.example (admin)" in out
    [url] = [line for line in out.splitlines() if "/?passwort=" in line]
    code, out, _ = run(
        "add",
        "--email",
        "kontakt@umform.example",
        "--name",
        "Karla Kontakt",
        "--role",
        "member",
        "--org",
        "Umformtechnik GmbH",
        capsys=capsys,
    )
    assert code == 0
    with write_session(engine) as session:
        password_links.redeem(
            session=session,
            token=url.partition("passwort=")[2],
            new_password=accounts.NewPassword.checked(NEW_PASSWORD, NEW_PASSWORD),
        )
    assert factories.log_in(engine, "chef@test.example", NEW_PASSWORD).actor is not None

    code, out, _ = run("list", capsys=capsys)
    lines = [line.split("\t") for line in out.splitlines()]
    assert lines[0][:5] == ["chef@test.example", "Chef", "admin", "-", "active"]
    assert lines[0][5] != "-"  # logged in just now
    assert lines[1] == [
        "kontakt@umform.example",
        "Karla Kontakt",
        "member",
        "Umformtechnik GmbH",
        "active",
        "-",
    ]

    code, out, _ = run(
        "set-role", "--email", "kontakt@umform.example", "--role", "staff", capsys=capsys
    )
    assert code == 0 and "their sessions have ended" in out
    code, out, _ = run("deactivate", "--email", "kontakt@umform.example", capsys=capsys)
    assert code == 0 and "deactivated kontakt@umform.example" in out
    code, out, _ = run("reactivate", "--email", "KONTAKT@umform.example", capsys=capsys)
    assert code == 0 and "users reset-link" in out  # no password yet
    code, out, _ = run("reset-link", "--email", "kontakt@umform.example", capsys=capsys)
    assert code == 0 and "/?passwort=" in out
    with read_session(engine) as session:
        contact = accounts.user_for_email(session=session, email="kontakt@umform.example")
        assert contact is not None and contact.role is Role.STAFF and contact.active
    engine.dispose()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["add", "--email", "x", "--name", "X", "--role", "staff"],
            "„x“ ist keine gültige E-Mail-Adresse.",
        ),
        (
            ["add", "--email", "m@test.example", "--name", "M", "--role", "member"],
            "braucht ein Mitgliedsunternehmen",
        ),
        (
            ["add", "--email", "m@test.example", "--name", "M", "--role", "member", "--org", "?"],
            "Es gibt kein Mitgliedsunternehmen „?“.",
        ),
        (["deactivate", "--email", "niemand@test.example"], "keinen Zugang für niemand@"),
        (["deactivate", "--email", "admin@test.example"], "letzte aktive Zugang"),
    ],
)
def test_the_users_commands_refuse_bad_input_with_exit_2(
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    message: str,
) -> None:
    run = _users_cli(monkeypatch, sqlite_url)
    _admin(create_engine_for(sqlite_url))
    code, out, err = run(*arguments, capsys=capsys)
    assert code == 2 and message in err and err.startswith("error: ")
    assert "passwort=" not in out
