"""The app's own routes (web/routes.py) through their ASGI interface, as the server calls
them: the hand-over sets an HttpOnly cookie and goes on only within the app, logout clears
it, and calendar feeds answer text/calendar until revoked. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from starlette.applications import Starlette
from streamlit.testing.v1 import AppTest

from db.engine import create_engine_for, read_session, write_session
from db.models import Forum, Role, User, id_of
from positions.core import sessions
from positions.core.errors import PermissionDenied
from positions.core.permissions import SYSTEM, Actor
from positions.forums import calendar_feeds, invitations
from web import routes

SECRET = "ein-schluessel-nur-fuer-diesen-test"


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str:
        values = [v for k, v in self.headers if k == name]
        assert len(values) == 1, f"{name}: {values}"
        return values[0]

    def cookies(self) -> SimpleCookie:
        jar: SimpleCookie = SimpleCookie()
        for key, value in self.headers:
            if key == "set-cookie":
                jar.load(value)
        return jar


def get(
    path: str, *, query: dict[str, str] | None = None, headers: dict[str, str] | None = None
) -> Answer:
    """One GET request through the routes' ASGI app, as uvicorn would make it."""
    app = Starlette(routes=routes.routes())
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": urlencode(query or {}).encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 50000),
        "server": ("positionen.test", 80),
    }
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    # In a thread of its own, as uvicorn's: earlier browser tests leave Playwright's event
    # loop set as running in this one.
    with ThreadPoolExecutor(max_workers=1) as server:
        server.submit(asyncio.run, app(scope, receive, send)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    response_headers = [(k.decode().lower(), v.decode()) for k, v in start["headers"]]
    return Answer(start["status"], response_headers, body)


@pytest.fixture
def app_database(demo_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The routes on a demo database of this test's own, with a fixed signing key."""
    monkeypatch.setenv("DATABASE_URL", demo_database_url)
    monkeypatch.setenv(sessions.SECRET_KEY_VARIABLE, SECRET)
    engine = create_engine_for(demo_database_url)
    yield engine
    routes.dispose_engines()
    engine.dispose()


def user_id(engine: Engine, email: str) -> int:
    with read_session(engine) as session:
        return id_of(session.exec(select(User).where(User.email == email)).one())


def actor(engine: Engine, email: str) -> Actor:
    with read_session(engine) as session:
        return Actor.for_user(session.exec(select(User).where(User.email == email)).one())


def new_handoff(engine: Engine, email: str = "referat@demo.example") -> sessions.Handoff:
    with write_session(engine) as session:
        return sessions.start_login_session(session=session, user_id=user_id(engine, email))


# --- hand-over and logout --------------------------------------------------------------------


def test_the_hand_over_sets_an_http_only_cookie_and_returns_to_the_page(
    app_database: Engine,
) -> None:
    handoff = new_handoff(app_database)
    answer = get(sessions.HANDOVER_PATH, query={"code": handoff.code, "weiter": "/forum?forum=2"})
    assert answer.status == 303
    assert answer.header("location") == "/forum?forum=2"
    assert answer.header("cache-control") == "no-store"
    [set_cookie] = [v for k, v in answer.headers if k == "set-cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in set_cookie.split(";")}
    assert {"httponly", "path", "max-age", "samesite"} <= attributes
    assert "secure" not in attributes  # plain http: a Secure cookie would never come back
    cookie = answer.cookies()[sessions.COOKIE_NAME]
    assert cookie["path"] == "/" and cookie["samesite"].lower() == "lax"
    assert int(cookie["max-age"]) == int(sessions.LIFETIME.total_seconds())
    identifier = sessions.identifier_from_cookie(cookie.value, secret=SECRET)
    assert identifier is not None
    with read_session(app_database) as session:
        row = sessions.find_login_session(session=session, identifier=identifier)
        assert row is not None and row.id == handoff.login_session_id

    again = get(sessions.HANDOVER_PATH, query={"code": handoff.code, "weiter": "/"})
    assert again.status == 303 and not again.cookies()  # a code works once


@pytest.mark.parametrize(
    ("site", "signed_in"),
    [("same-origin", True), (None, True), ("cross-site", False), ("none", False)],
)
def test_only_our_own_page_can_hand_a_session_over(
    app_database: Engine, site: str | None, signed_in: bool
) -> None:
    """A hand-over link mailed or posted by someone else (Sec-Fetch-Site "none" or
    "cross-site") must not sign the reader into the sender's session."""
    handoff = new_handoff(app_database)
    answer = get(
        sessions.HANDOVER_PATH,
        query={"code": handoff.code, "weiter": "/"},
        headers={"Sec-Fetch-Site": site} if site else {},
    )
    assert answer.status == 303
    assert (sessions.COOKIE_NAME in answer.cookies()) == signed_in


def test_behind_https_the_cookie_is_secure(app_database: Engine) -> None:
    handoff = new_handoff(app_database)
    answer = get(
        sessions.HANDOVER_PATH,
        query={"code": handoff.code, "weiter": "/"},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert answer.cookies()[sessions.COOKIE_NAME]["secure"]


@pytest.mark.parametrize(
    ("weiter", "target"),
    [
        ("/papier?papier=3", "/papier?papier=3"),
        ("/", "/"),
        ("", "/"),
        ("https://angreifer.example/", "/"),
        ("//angreifer.example/", "/"),
        ("/\\angreifer.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/foren\r\nSet-Cookie: x=y", "/"),
        ("/_positionen/abmelden", "/"),
        # The invitation token never goes back into the address.
        (f"/aufruf?aufruf=1&{invitations.QUERY_PARAMETER}=geheim", "/aufruf?aufruf=1"),
    ],
)
def test_the_hand_over_goes_on_only_within_the_app(weiter: str, target: str) -> None:
    assert routes.safe_target(weiter) == target


def test_an_unknown_code_sets_no_cookie_and_still_leads_back(app_database: Engine) -> None:
    answer = get(sessions.HANDOVER_PATH, query={"code": "erfunden", "weiter": "//boese.example"})
    assert answer.status == 303
    assert answer.header("location") == "/"
    assert not answer.cookies()


def test_logout_ends_the_session_and_clears_the_cookie(app_database: Engine) -> None:
    handoff = new_handoff(app_database)
    handed = get(sessions.HANDOVER_PATH, query={"code": handoff.code, "weiter": "/"})
    value = handed.cookies()[sessions.COOKIE_NAME].value

    answer = get(sessions.LOGOUT_PATH, headers={"Cookie": f"{sessions.COOKIE_NAME}={value}"})
    assert answer.status == 200 and answer.header("clear-site-data") == '"storage"'
    cleared = answer.cookies()[sessions.COOKIE_NAME]
    assert cleared.value == "" and int(cleared["max-age"]) == 0
    with read_session(app_database) as session:
        row = sessions.get_login_session(session=session, login_session_id=handoff.login_session_id)
        assert row is not None and row.ended_at is not None and row.end_reason == "logout"


def test_logout_without_a_session_only_clears_the_cookie(app_database: Engine) -> None:
    answer = get(sessions.LOGOUT_PATH, headers={"Cookie": f"{sessions.COOKIE_NAME}=gefaelscht"})
    assert answer.status == 200
    assert answer.cookies()[sessions.COOKIE_NAME].value == ""


# --- calendar feeds ---------------------------------------------------------------------------


def feed_path(engine: Engine, make: Any) -> tuple[int, str]:
    """Create a feed with `make(session)` and return its id and address path."""
    with write_session(engine) as session:
        feed = make(session)
        return id_of(feed), calendar_feeds.feed_path(feed, secret=SECRET)


def forum_id(engine: Engine, short_name: str) -> int:
    with read_session(engine) as session:
        return id_of(session.exec(select(Forum).where(Forum.short_name == short_name)).one())


def test_a_personal_feed_serves_the_calendar_until_revoked(app_database: Engine) -> None:
    staff = actor(app_database, "referat@demo.example")
    feed_id, path = feed_path(
        app_database,
        lambda session: calendar_feeds.create_personal_feed(session=session, actor=staff),
    )
    assert path.startswith("/_positionen/kalender/") and path.endswith(".ics")

    answer = get(path)
    assert answer.status == 200
    assert answer.header("content-type") == "text/calendar; charset=utf-8"
    text = answer.body.decode()
    assert text.startswith("BEGIN:VCALENDAR") and "X-WR-CALNAME:" in text
    assert "Ralf Reiners" in text  # the person's own calendar
    assert "BEGIN:VEVENT" in text

    with write_session(app_database) as session:
        calendar_feeds.revoke_feed(session=session, actor=staff, feed_id=feed_id)
    gone = get(path)
    assert gone.status == 404
    assert "gilt nicht (mehr)" in gone.body.decode()


def test_a_new_address_replaces_the_old_one(app_database: Engine) -> None:
    staff = actor(app_database, "referat@demo.example")
    _, first = feed_path(
        app_database,
        lambda session: calendar_feeds.create_personal_feed(session=session, actor=staff),
    )
    _, second = feed_path(
        app_database,
        lambda session: calendar_feeds.create_personal_feed(session=session, actor=staff),
    )
    assert first != second
    assert get(first).status == 404
    assert get(second).status == 200


@pytest.mark.parametrize("token", ["MQ.gefaelscht", "1", "nichts"])
def test_a_forged_feed_address_answers_404(app_database: Engine, token: str) -> None:
    assert get(f"/_positionen/kalender/{token}.ics").status == 404


def test_a_members_forum_feed_shows_only_their_deadlines(app_database: Engine) -> None:
    member = actor(app_database, "mitglied@demo.example")
    tda = forum_id(app_database, "TDA")
    _, member_path = feed_path(
        app_database,
        lambda session: calendar_feeds.create_forum_feed(
            session=session, actor=member, forum_id=tda
        ),
    )
    staff = actor(app_database, "referat@demo.example")
    _, staff_path = feed_path(
        app_database,
        lambda session: calendar_feeds.create_forum_feed(
            session=session, actor=staff, forum_id=tda
        ),
    )
    member_text = get(member_path).body.decode()
    staff_text = get(staff_path).body.decode()
    assert "Mitgliederfrist" in member_text
    assert "Vorstandsfrist" not in member_text and "Externe Frist" not in member_text
    assert "Vorstandsfrist" in staff_text and "Externe Frist" in staff_text


def test_a_deactivated_persons_feed_answers_404(app_database: Engine) -> None:
    staff = actor(app_database, "referat@demo.example")
    _, path = feed_path(
        app_database,
        lambda session: calendar_feeds.create_personal_feed(session=session, actor=staff),
    )
    assert get(path).status == 200
    with write_session(app_database) as session:
        user = session.get(User, staff.user_id)
        assert user is not None
        user.active = False
    assert get(path).status == 404


def test_feeds_are_for_people_with_an_account_and_their_own(app_database: Engine) -> None:
    with read_session(app_database) as session:
        invitation = invitations.redeem_invitation(
            session=session, token="demo-einladung-bergische-umformtechnik"
        )
    staff = actor(app_database, "referat@demo.example")
    board = actor(app_database, "vorstand@demo.example")
    with write_session(app_database) as session:
        with pytest.raises(PermissionDenied):
            calendar_feeds.create_personal_feed(session=session, actor=invitation)
        feed = calendar_feeds.create_personal_feed(session=session, actor=staff)
        with pytest.raises(PermissionDenied):
            calendar_feeds.revoke_feed(session=session, actor=board, feed_id=id_of(feed))
        admin = Actor(
            user_id=SYSTEM.user_id, name="Admin", email="", role=Role.ADMIN, organisation_id=None
        )
        calendar_feeds.revoke_feed(session=session, actor=admin, feed_id=id_of(feed))
        assert feed.revoked_at is not None


def test_a_feed_address_uses_the_configured_application_address(app_database: Engine) -> None:
    staff = actor(app_database, "referat@demo.example")
    with write_session(app_database) as session:
        feed = calendar_feeds.create_personal_feed(session=session, actor=staff)
        url = calendar_feeds.feed_url(session=session, feed=feed, secret=SECRET)
    assert url.startswith("http://localhost:8501/_positionen/kalender/")


# --- the sections that hand out the addresses -------------------------------------------------


def _feed_sections(email: str, forum_short_name: str) -> None:
    """An AppTest script: the two sections as the account and forum pages show them."""
    from sqlmodel import select

    from db.models import Forum, User, id_of
    from positions.core.permissions import Actor
    from ui import calendar_feeds as sections
    from ui import database

    with database.reading() as session:
        person = Actor.for_user(session.exec(select(User).where(User.email == email)).one())
        forum = session.exec(select(Forum).where(Forum.short_name == forum_short_name)).one()
    sections.personal_feed_section(person)
    sections.forum_feed_section(person, id_of(forum))


def feed_sections(email: str) -> AppTest:
    return AppTest.from_function(
        _feed_sections, kwargs={"email": email, "forum_short_name": "TDA"}, default_timeout=30
    )


@pytest.fixture
def page_database(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The pages (AppTest) and the routes on one demo database (SQLite: AppTest's)."""
    monkeypatch.setenv(sessions.SECRET_KEY_VARIABLE, SECRET)
    yield demo_url
    routes.dispose_engines()


def test_the_address_a_person_copies_serves_their_calendar(page_database: str) -> None:
    app = feed_sections("mitglied@demo.example").run()
    assert not app.exception
    assert not app.code  # no address until the person asks for one
    [create, _] = [b for b in app.button if b.label == "Kalenderadresse anlegen"]
    create.click().run()
    assert not app.exception
    [address] = [c.value for c in app.code]
    assert address.startswith("http://localhost:8501/_positionen/kalender/")
    member_calendar = get(address.removeprefix("http://localhost:8501"))
    assert member_calendar.status == 200
    assert "Vorstandsfrist" not in member_calendar.body.decode()

    [revoke] = [b for b in app.button if b.label == "Adresse zurückziehen"]
    revoke.click().run()
    assert not app.exception
    assert len(app.code) == 0
    assert get(address.removeprefix("http://localhost:8501")).status == 404
