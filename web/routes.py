"""The app's own routes: the session hand-over that sets the cookie, logout that clears it,
and the calendar feeds. Sync handlers, so Starlette runs them in its thread pool and the
database work does not block the server's event loop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from db import engine as db_engine
from exports.ics import build_calendar
from positions.core import sessions
from positions.forums import calendar_feeds
from positions.forums.invitations import QUERY_PARAMETER

log = logging.getLogger("positionen.web")

ROUTE_PREFIX = "/_positionen/"
UNAVAILABLE = (
    "Die Datenbank ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten "
    "erneut; hält die Störung an, wenden Sie sich an die Administration."
)
FEED_GONE = "Diese Kalenderadresse gilt nicht (mehr). Bitte legen Sie in Positionen eine neue an."
# Where the pages keep unsaved text in the browser (ui/drafts.py, STORAGE_PREFIX).
DRAFT_PREFIX = "positionen:entwurf:"
# Logout answers with a page, not a redirect: Firefox carries out Clear-Site-Data only on a
# 2xx response. Browsers honour the header only on https (and localhost); the script deletes
# the drafts on plain http too, then goes on to the login page.
LOGGED_OUT_PAGE = f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0; url=/">
<title>Abgemeldet · Positionen</title>
</head>
<body>
<p>Sie sind abgemeldet. <a href="/">Zur Anmeldung</a></p>
<script>
try {{
  for (const key of Object.keys(localStorage)) {{
    if (key.startsWith("{DRAFT_PREFIX}")) localStorage.removeItem(key);
  }}
}} catch (error) {{}}
location.replace("/");
</script>
</body>
</html>
"""


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def _engine_for(url: str) -> Engine:
    """One engine per database for the process (the Streamlit pages keep their own)."""
    with _engines_lock:
        if url not in _engines:
            _engines[url] = db_engine.create_engine_for(url)
        return _engines[url]


def dispose_engines() -> None:
    """Close the routes' database connections (a test's database is dropped after it)."""
    for url in list(_engines):
        _engines.pop(url).dispose()


def _reading() -> AbstractContextManager[Session]:
    return db_engine.read_session(_engine_for(db_engine.database_url()))


def _writing() -> AbstractContextManager[Session]:
    return db_engine.write_session(_engine_for(db_engine.database_url()))


def _secret() -> str:
    return sessions.secret_key(reading=_reading, writing=_writing)


class _Unavailable(Exception):
    pass


@contextmanager
def _database() -> Iterator[None]:
    try:
        yield
    except (db_engine.DatabaseUnavailable, OperationalError, PoolTimeout) as error:
        log.error("database error: %s", str(error).splitlines()[0])
        raise _Unavailable from None


def _unavailable() -> Response:
    return PlainTextResponse(UNAVAILABLE, status_code=503, headers={"Retry-After": "60"})


def safe_target(value: str | None) -> str:
    """Where to go on after the hand-over: a path of this app, without an invitation token;
    anything else (another site, "//host", odd characters, our own routes) gives "/"."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith(ROUTE_PREFIX):
        return "/"
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = urlencode([(key, v) for key, v in query if key != QUERY_PARAMETER])
    return urlunsplit(("", "", parts.path, kept, ""))


def _is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _sent_by_our_page(request: Request) -> bool:
    """Whether the app's own page sent the browser here. A hand-over link that someone sends
    by mail or from another site would otherwise sign the reader into the sender's account
    (login forgery); browsers name a navigation's origin in Sec-Fetch-Site, and one that
    does not is let through, as it was before that header."""
    site = request.headers.get("sec-fetch-site")
    return site is None or site == "same-origin"


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def hand_over(request: Request) -> Response:
    """Redeem a login's one-time code and set the session cookie (HttpOnly: no script of the
    page can read it); then go on to the page the person was on."""
    target = safe_target(request.query_params.get("weiter"))
    code = request.query_params.get("code", "")
    if not _sent_by_our_page(request):
        return _private(RedirectResponse(target, status_code=303))
    try:
        with _database():
            with _writing() as session:
                identifier = sessions.redeem_handoff(session=session, code=code)
            secret = _secret() if identifier else ""
    except _Unavailable:
        return _unavailable()
    response = _private(RedirectResponse(target, status_code=303))
    if identifier is None:
        return response  # the app shows the login form at the target
    response.set_cookie(
        sessions.COOKIE_NAME,
        sessions.sign_identifier(identifier, secret=secret),
        max_age=int(sessions.LIFETIME.total_seconds()),
        path="/",
        secure=_is_https(request),
        httponly=True,
        samesite="lax",
    )
    return response


def log_out(request: Request) -> Response:
    """End the browser's session (if the app has not already), clear its cookie and what
    the site stored in the browser (unsaved drafts among it), then go on to "/"."""
    value = request.cookies.get(sessions.COOKIE_NAME)
    if value:
        try:
            with _database():
                identifier = sessions.identifier_from_cookie(value, secret=_secret())
                if identifier:
                    with _writing() as session:
                        row = sessions.find_login_session(session=session, identifier=identifier)
                        if row is not None and row.id is not None:
                            sessions.end_login_session(
                                session=session,
                                login_session_id=row.id,
                                reason=sessions.EndReason.LOGOUT,
                            )
        except _Unavailable:
            pass  # the app ended the row already; the cookie goes all the same
    response = _private(HTMLResponse(LOGGED_OUT_PAGE))
    response.headers["Clear-Site-Data"] = '"storage"'
    response.delete_cookie(
        sessions.COOKIE_NAME, path="/", secure=_is_https(request), httponly=True, samesite="lax"
    )
    return response


def calendar_feed(request: Request) -> Response:
    """A subscribed calendar (text/calendar), or 404 once its address was revoked."""
    token = str(request.path_params["feed"])
    try:
        with _database():
            secret = _secret()
            with _writing() as session:
                content = calendar_feeds.feed_content(session=session, token=token, secret=secret)
    except _Unavailable:
        return _unavailable()
    if content is None:
        return _private(PlainTextResponse(FEED_GONE, status_code=404))
    body = build_calendar(content.events, name=content.name)
    return _private(
        Response(
            body,
            media_type="text/calendar",
            headers={"Content-Disposition": f'inline; filename="{content.file_name}"'},
        )
    )


def routes() -> list[BaseRoute]:
    return [
        Route(sessions.HANDOVER_PATH, hand_over, methods=["GET"]),
        Route(sessions.LOGOUT_PATH, log_out, methods=["GET"]),
        Route(
            calendar_feeds.FEED_PREFIX + "{feed}" + calendar_feeds.FEED_SUFFIX,
            calendar_feed,
            methods=["GET"],
        ),
    ]
