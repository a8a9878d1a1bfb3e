"""The pages around accounts through AppTest: "Benutzer" for administrators, "Mein Zugang",
and the set-password and "Passwort vergessen" forms shown before anyone is signed in."""

from __future__ import annotations

import email
import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from streamlit.testing.v1 import AppTest

import demo
from bench.postgres import free_port
from db.engine import create_engine_for, read_session, write_session
from db.models import LoginSession, PasswordToken, Role, User, id_of
from positions.core import password_links, settings, user_admin
from positions.core.clock import utcnow
from positions.core.permissions import SYSTEM
from positions.core.settings import Smtp
from tests import factories
from tests.apptest import log_in
from tests.conftest import REPO
from tests.test_app import switch, texts

NEW_PASSWORD = "ein-ganz-neues-passwort"


@dataclass
class Inbox:
    bodies: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content)
        payload = message.get_payload(decode=True)
        self.bodies.append(payload.decode() if isinstance(payload, bytes) else "")
        self.recipients.append(str(message["To"]))
        self.arrived.set()
        return "250 OK"


@pytest.fixture
def app_database(demo_url: str) -> Iterator[Engine]:
    """The demo database the app under test uses."""
    engine = create_engine_for(demo_url)
    yield engine
    engine.dispose()


@pytest.fixture
def inbox(app_database: Engine) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1, configured as the association's mail server."""
    received = Inbox()
    port = free_port()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    with write_session(app_database) as session:
        settings.save_smtp(
            session=session,
            actor=SYSTEM,
            values=Smtp(host="127.0.0.1", port=port, starttls=False, sender="referat@demo.example"),
        )
    try:
        yield received
    finally:
        controller.stop()


def message_below(app: AppTest, label: str) -> str:
    """The message shown right below the form field labelled `label` ('' if none)."""
    for form in app.get("form"):
        children = list(form.children.values())
        for child, below in itertools.pairwise(children):
            if getattr(child, "label", None) == label and below.type == "error":
                return str(below.value)
    return ""


def fill(app: AppTest, form: str, **values: str) -> None:
    """Type into the text inputs of one form, by label (underscores for spaces)."""
    inputs = {w.label: w for w in app.text_input if w.form_id == form}
    for label, value in values.items():
        inputs[label.replace("_", " ")].input(value)


def click(app: AppTest, label: str) -> AppTest:
    [button] = [b for b in app.button if b.label == label]
    button.click().run()
    assert not app.exception
    return app


def choose(app: AppTest, label: str, option: str, *, form: str = "") -> None:
    [box] = [s for s in app.selectbox if s.label == label and s.form_id == form]
    box.select(option).run() if not form else box.select(option)


def user(engine: Engine, address: str) -> User:
    with read_session(engine) as session:
        found = session.exec(select(User).where(User.email == address)).one()
    return found


def open_sessions(engine: Engine, address: str) -> int:
    with write_session(engine) as session:
        row = LoginSession(
            user_id=user(engine, address).id, expires_at=utcnow() + timedelta(hours=8)
        )
        session.add(row)
        session.flush()
        return id_of(row)


def running(engine: Engine, session_id: int) -> bool:
    with read_session(engine) as session:
        row = session.get(LoginSession, session_id)
        return row is not None and row.ended_at is None


def users_page() -> AppTest:
    return switch(log_in("admin@demo.example"), "ui/pages/users.py")


# --- Benutzer ------------------------------------------------------------------------------


def test_administrators_see_every_user_and_filter_by_role_and_state(demo_url: str) -> None:
    app = users_page()
    [table] = [d.value for d in app.dataframe]
    assert list(table.columns) == [
        "Name",
        "E-Mail",
        "Rolle",
        "Organisation",
        "Status",
        "Letzte Anmeldung",
    ]
    assert "vorstand@demo.example" in set(table["E-Mail"])
    assert "mitglied@demo.example" in set(table["E-Mail"])
    choose(app, "Rolle", "Vorstand")
    [table] = [d.value for d in app.dataframe]
    assert set(table["Rolle"]) == {"Vorstand"} and len(table) == 2
    choose(app, "Status", "Deaktiviert")
    assert "Keine Benutzer für diese Auswahl." in texts(app)


def test_without_a_mail_server_the_new_users_link_is_shown_once(
    demo_url: str, app_database: Engine
) -> None:
    app = users_page()
    fill(app, "add-user", **{"E-Mail-Adresse": "neu@demo.example", "Name": "Nora Neu"})
    choose(app, "Rolle", "Vorstand", form="add-user")
    click(app, "Hinzufügen")
    assert "Zugang für Nora Neu angelegt." in texts(app)
    [url] = [c.value for c in app.code]
    assert url.startswith("http://localhost:8501/?passwort=")
    [table] = [d.value for d in app.dataframe]
    [row] = table[table["E-Mail"] == "neu@demo.example"].to_dict("records")
    assert (row["Rolle"], row["Status"]) == ("Vorstand", "aktiv · ohne Passwort")
    # Shown once: the next click no longer shows it.
    choose(app, "Status", "Alle")
    assert not app.code and "angelegt" not in texts(app)
    with read_session(app_database) as session:
        holder = password_links.holder(session=session, token=url.partition("passwort=")[2])
    assert holder.email == "neu@demo.example"


def test_with_a_mail_server_the_link_goes_by_mail_and_is_not_shown(
    demo_url: str, app_database: Engine, inbox: Inbox
) -> None:
    app = users_page()
    fill(app, "add-user", **{"E-Mail-Adresse": "neu@demo.example", "Name": "Nora Neu"})
    click(app, "Hinzufügen")
    assert "per E-Mail an neu@demo.example gesendet" in texts(app)
    assert not app.code
    assert inbox.recipients == ["neu@demo.example"]
    assert "/?passwort=" in inbox.bodies[0] and "nur einmal" in inbox.bodies[0]


@pytest.mark.parametrize(
    ("values", "organisation", "label", "message"),
    [
        ({"E-Mail-Adresse": "kaputt", "Name": "X"}, None, "E-Mail-Adresse", "keine gültige"),
        (
            {"E-Mail-Adresse": "referat@demo.example", "Name": "X"},
            None,
            "E-Mail-Adresse",
            "Es gibt bereits einen Zugang für referat@demo.example.",
        ),
        ({"E-Mail-Adresse": "neu@demo.example", "Name": " "}, None, "Name", "einen Namen"),
        (
            {"E-Mail-Adresse": "neu@demo.example", "Name": "X"},
            "Bergische Umformtechnik GmbH",
            "Mitgliedsunternehmen",
            "Nur Mitgliedszugänge gehören zu einem Mitgliedsunternehmen.",
        ),
    ],
)
def test_bad_input_is_answered_below_its_field_and_nothing_is_added(
    demo_url: str,
    app_database: Engine,
    values: dict[str, str],
    organisation: str | None,
    label: str,
    message: str,
) -> None:
    with read_session(app_database) as session:
        before = len(session.exec(select(User)).all())
    app = users_page()
    fill(app, "add-user", **values)
    if organisation:
        choose(app, "Mitgliedsunternehmen", organisation, form="add-user")
    click(app, "Hinzufügen")
    assert message in message_below(app, label)
    assert not app.code
    with read_session(app_database) as session:
        assert len(session.exec(select(User)).all()) == before
        assert session.exec(select(PasswordToken)).first() is None


def test_a_member_contact_needs_a_company_said_below_that_field(demo_url: str) -> None:
    app = users_page()
    fill(app, "add-user", **{"E-Mail-Adresse": "neu@demo.example", "Name": "Nora Neu"})
    choose(app, "Rolle", "Mitglied", form="add-user")
    click(app, "Hinzufügen")
    assert "braucht ein Mitgliedsunternehmen" in message_below(app, "Mitgliedsunternehmen")
    choose(app, "Mitgliedsunternehmen", "Bergische Umformtechnik GmbH", form="add-user")
    click(app, "Hinzufügen")
    assert "Zugang für Nora Neu angelegt." in texts(app)


def pick(app: AppTest, address: str) -> AppTest:
    [chooser] = [s for s in app.selectbox if s.label == "Benutzer"]
    [option] = [o for o in chooser.options if address in o]
    chooser.select(option).run()
    assert not app.exception
    return app


def test_a_new_role_takes_effect_and_ends_the_persons_sessions(
    demo_url: str, app_database: Engine
) -> None:
    browser = open_sessions(app_database, "vorstand@demo.example")
    app = pick(users_page(), "vorstand@demo.example")
    choose(
        app, "Rolle", "Referat", form=f"edit-user-{user(app_database, 'vorstand@demo.example').id}"
    )
    click(app, "Änderungen speichern")
    assert not app.error
    assert user(app_database, "vorstand@demo.example").role is Role.STAFF
    assert not running(app_database, browser)


def test_deactivating_and_reactivating_a_user(demo_url: str, app_database: Engine) -> None:
    browser = open_sessions(app_database, "vorstand@demo.example")
    app = pick(users_page(), "vorstand@demo.example")
    click(app, "Deaktivieren")
    assert not user(app_database, "vorstand@demo.example").active
    assert not running(app_database, browser)
    assert factories.log_in(app_database, "vorstand@demo.example", demo.DEMO_PASSWORD).actor is None
    choose(app, "Status", "Deaktiviert")
    pick(app, "vorstand@demo.example")
    click(app, "Reaktivieren")
    assert user(app_database, "vorstand@demo.example").active
    assert factories.log_in(app_database, "vorstand@demo.example", demo.DEMO_PASSWORD).actor


def test_the_last_administrator_cannot_demote_themselves(
    demo_url: str, app_database: Engine
) -> None:
    app = pick(users_page(), "admin@demo.example")
    admin_id = user(app_database, "admin@demo.example").id
    choose(app, "Rolle", "Referat", form=f"edit-user-{admin_id}")
    click(app, "Änderungen speichern")
    assert user_admin.LAST_ADMIN in [e.value for e in app.error]
    click(app, "Deaktivieren")
    assert user_admin.LAST_ADMIN in [e.value for e in app.error]
    admin = user(app_database, "admin@demo.example")
    assert admin.role is Role.ADMIN and admin.active


def test_a_new_link_for_an_existing_user_voids_the_earlier_one(
    demo_url: str, app_database: Engine
) -> None:
    app = pick(users_page(), "s.schulte@demo.example")
    click(app, "Neuer Link zum Festlegen des Passworts")
    [first] = [c.value for c in app.code]
    pick(app, "s.schulte@demo.example")
    click(app, "Neuer Link zum Festlegen des Passworts")
    [second] = [c.value for c in app.code]
    assert first != second
    with read_session(app_database) as session:
        usable = session.exec(
            select(PasswordToken).where(
                col(PasswordToken.used_at).is_(None), col(PasswordToken.expires_at) > utcnow()
            )
        ).all()
    assert len(usable) == 1


# --- Mein Zugang ---------------------------------------------------------------------------


def account_page(address: str) -> AppTest:
    return switch(log_in(address), "ui/pages/account.py")


def test_my_account_shows_who_i_am(demo_url: str) -> None:
    page = texts(account_page("mitglied@demo.example"))
    assert "**E-Mail-Adresse:** mitglied@demo.example" in page
    assert "**Rolle:** Mitglied" in page
    assert "**Organisation:** Bergische Umformtechnik GmbH" in page


@pytest.mark.parametrize(
    ("current", "new", "repeat", "label", "message"),
    [
        ("falsch", NEW_PASSWORD, NEW_PASSWORD, "Aktuelles Passwort", "stimmt nicht"),
        ("demo", "kurz", "kurz", "Neues Passwort", "mindestens 10 Zeichen"),
        ("demo", NEW_PASSWORD, "etwas-anderes-1", "Neues Passwort wiederholen", "überein"),
    ],
)
def test_a_refused_password_change_says_why_below_the_field(
    demo_url: str,
    app_database: Engine,
    current: str,
    new: str,
    repeat: str,
    label: str,
    message: str,
) -> None:
    app = account_page("referat@demo.example")
    fill(
        app,
        "change-password",
        Aktuelles_Passwort=current,
        Neues_Passwort=new,
        Neues_Passwort_wiederholen=repeat,
    )
    click(app, "Passwort ändern")
    assert message in message_below(app, label)
    assert factories.log_in(app_database, "referat@demo.example", demo.DEMO_PASSWORD).actor


def test_changing_my_password_ends_my_other_sessions(demo_url: str, app_database: Engine) -> None:
    elsewhere = open_sessions(app_database, "referat@demo.example")
    app = account_page("referat@demo.example")
    fill(
        app,
        "change-password",
        Aktuelles_Passwort=demo.DEMO_PASSWORD,
        Neues_Passwort=NEW_PASSWORD,
        Neues_Passwort_wiederholen=NEW_PASSWORD,
    )
    click(app, "Passwort ändern")
    assert "Ihr Passwort ist geändert." in texts(app)
    assert not running(app_database, elsewhere)
    assert "Guten Tag, Ralf Reiners" in texts(switch(app, "ui/pages/start.py"))  # this one stays
    assert factories.log_in(app_database, "referat@demo.example", NEW_PASSWORD).actor is not None
    assert factories.log_in(app_database, "referat@demo.example", demo.DEMO_PASSWORD).actor is None


# --- before signing in ---------------------------------------------------------------------

LOGIN_PAGE = """
import streamlit as st

from ui import password_link

if not password_link.handle_link():
    st.write("Anmeldeseite")
    password_link.forgot_password_form()
"""


@pytest.fixture
def login_page(tmp_path: Path) -> Path:
    """A stand-in for the login page that calls both forms as the real one does."""
    script = tmp_path / "login_page.py"
    script.write_text(LOGIN_PAGE)
    return script


def open_link(script: Path, token: str) -> AppTest:
    app = AppTest.from_file(str(script), default_timeout=30)
    app.query_params[password_links.QUERY_PARAMETER] = token
    app.run()
    assert not app.exception
    return app


def issued_token(engine: Engine, address: str) -> str:
    with write_session(engine) as session:
        link = password_links.issue(
            session=session, actor=SYSTEM, user_id=id_of(user(engine, address))
        )
    return link.url.partition("passwort=")[2]


def test_a_set_password_link_opens_a_form_that_sets_it_once(
    demo_url: str, app_database: Engine, login_page: Path
) -> None:
    token = issued_token(app_database, "s.schulte@demo.example")
    app = open_link(login_page, token)
    assert "Passwort festlegen" in texts(app)
    assert "Für den Zugang s.schulte@demo.example" in texts(app)
    fill(app, "set-password", Neues_Passwort="kurz", Neues_Passwort_wiederholen="kurz")
    click(app, "Passwort festlegen")
    assert "mindestens 10 Zeichen" in message_below(app, "Neues Passwort")
    fill(
        app,
        "set-password",
        Neues_Passwort=NEW_PASSWORD,
        Neues_Passwort_wiederholen="etwas-anderes-1",
    )
    click(app, "Passwort festlegen")
    assert "überein" in message_below(app, "Neues Passwort wiederholen")
    fill(
        app,
        "set-password",
        Neues_Passwort=NEW_PASSWORD,
        Neues_Passwort_wiederholen=NEW_PASSWORD,
    )
    click(app, "Passwort festlegen")
    assert "Ihr Passwort ist festgelegt." in texts(app)
    assert password_links.QUERY_PARAMETER not in app.query_params
    assert factories.log_in(app_database, "s.schulte@demo.example", NEW_PASSWORD).actor is not None
    click(app, "Zur Anmeldung")
    assert "Anmeldeseite" in texts(app)
    # The same link a second time:
    again = open_link(login_page, token)
    assert [e.value for e in again.error] == [password_links.UNUSABLE]
    assert not again.get("form")


def test_an_unknown_link_says_so_and_leads_to_the_login(login_page: Path, demo_url: str) -> None:
    app = open_link(login_page, "erfunden")
    assert [e.value for e in app.error] == [password_links.UNUSABLE]
    click(app, "Zur Anmeldung")
    assert password_links.QUERY_PARAMETER not in app.query_params
    assert "Anmeldeseite" in texts(app)


def test_without_a_mail_server_forgotten_passwords_go_to_the_administration(
    login_page: Path, demo_url: str
) -> None:
    app = AppTest.from_file(str(login_page), default_timeout=30).run()
    [expander] = [e for e in app.expander if e.label == "Passwort vergessen?"]
    assert password_links.ASK_THE_ADMINISTRATION in [i.value for i in expander.info]
    assert not [w for w in app.text_input if w.label.startswith("E-Mail")]
    assert "passwort=" not in texts(app)


def request_link(script: Path, address: str) -> AppTest:
    app = AppTest.from_file(str(script), default_timeout=30).run()
    fill(app, "forgot-password", **{"E-Mail-Adresse Ihres Zugangs": address})
    return click(app, "Link anfordern")


@pytest.mark.parametrize("address", ["referat@demo.example", "niemand@demo.example"])
def test_a_forgotten_password_gets_one_answer_whether_or_not_the_address_has_an_account(
    login_page: Path, demo_url: str, app_database: Engine, inbox: Inbox, address: str
) -> None:
    app = request_link(login_page, address)
    assert [s.value for s in app.success] == [password_links.RESET_REQUESTED]
    assert "passwort=" not in texts(app)
    if address == "niemand@demo.example":
        assert not inbox.arrived.wait(1) and not inbox.bodies
        return
    assert inbox.arrived.wait(20)
    assert inbox.recipients == [address]
    [body] = inbox.bodies
    token = body.split("/?passwort=")[1].split()[0]
    link_page = open_link(login_page, token)
    assert "Für den Zugang referat@demo.example" in texts(link_page)


def test_a_mistyped_address_is_answered_below_the_field(
    login_page: Path, demo_url: str, inbox: Inbox
) -> None:
    app = request_link(login_page, "referat(at)demo.example")
    assert "keine gültige E-Mail-Adresse" in message_below(app, "E-Mail-Adresse Ihres Zugangs")
    assert not app.success


def test_the_login_page_takes_a_set_password_link(demo_url: str, app_database: Engine) -> None:
    token = issued_token(app_database, "s.schulte@demo.example")
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=30)
    app.query_params[password_links.QUERY_PARAMETER] = token
    app.run()
    assert "Für den Zugang s.schulte@demo.example" in texts(app)
    assert not [w for w in app.text_input if w.label == "Passwort"]  # no login form beside it
    fill(
        app,
        "set-password",
        Neues_Passwort=NEW_PASSWORD,
        Neues_Passwort_wiederholen=NEW_PASSWORD,
    )
    click(app, "Passwort festlegen")
    click(app, "Zur Anmeldung")
    assert "Passwort vergessen?" in [e.label for e in app.expander]
    fill(app, "login", **{"E-Mail": "s.schulte@demo.example", "Passwort": NEW_PASSWORD})
    click(app, "Anmelden")
    assert "Guten Tag, Sophie Schulte" in texts(app)
