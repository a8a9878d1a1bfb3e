"""Who is using this browser session: password login, invitation link, or single sign-on.

Password and link sessions live on the server (`positions.core.sessions`): the browser holds
only a signed identifier in an HttpOnly cookie, which a reload, a bookmark or a second tab
sends along, so the person stays signed in. The script cannot set cookies itself: after a
login it sends the browser once through the hand-over route (web/routes.py), which sets the
cookie and comes back to the same page. Without a browser (AppTest) the session simply
stays in `st.session_state`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, NoReturn
from urllib.parse import urlencode

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from positions.core import accounts, sessions
from positions.core.clock import utcnow
from positions.core.errors import InvalidInvitation
from positions.core.permissions import Actor
from positions.core.sessions import EndReason, Standing
from positions.forums import invitations
from positions.forums.invitations import QUERY_PARAMETER
from ui import database, drafts, password_link

log = logging.getLogger("positionen.ui")

ACTOR = "actor"
LAST_ACTIVITY = "last_activity"
DEFAULT_IDLE_MINUTES = 60
_IDLE_ENDED = "idle_ended"
_LOGIN_SESSION_ID = "login_session_id"
# Set when the session came from the cookie: then the row's last activity, which every tab
# of the browser keeps fresh, decides about idleness, not this tab's.
_VIA_COOKIE = "via_cookie"
_COOKIE_CHECKED = "cookie_checked"
_HANDOFF_PATH = "handoff_path"  # the hand-over address, until the browser has been there
_LEAVE_FOR = "leave_for"  # an address of ours the browser goes to on the next run
_INVITATION_TOKEN_HASH = "invitation_token_hash"  # noqa: S105  (a key name)
_SINGLE_SIGN_ON = "single_sign_on"
_SESSION_KEYS = (_LOGIN_SESSION_ID, _SINGLE_SIGN_ON)

# Runs in the app's page (components v2 are not sandboxed): replaces the address, so the
# login form is not left in the history. "weiter" is this page without an invitation token.
_NAVIGATE_JS = """
export default function (component) {
  const { path, comeBack, drop } = component.data;
  const target = new URL(path, window.location.origin);
  if (comeBack) {
    const here = new URL(window.location.href);
    here.searchParams.delete(drop);
    target.searchParams.set("weiter", here.pathname + here.search);
  }
  window.location.replace(target.href);
}
"""
_navigator = st.components.v2.component("positionen_navigate", js=_NAVIGATE_JS)


def signed_in() -> Actor:
    """The actor the app resolved for this run (pages run only after `current_actor`)."""
    actor = st.session_state.get(ACTOR)
    if not isinstance(actor, Actor):
        st.stop()
    return actor


def idle_limit_seconds() -> float:
    """How long a session may stay unused before it ends (`POSITIONEN_IDLE_MINUTES`)."""
    return float(os.environ.get("POSITIONEN_IDLE_MINUTES") or DEFAULT_IDLE_MINUTES) * 60


def _idle_too_long() -> bool:
    """True (and the session ended) when this tab's last activity is longer ago than allowed;
    a session from the cookie is measured on the server instead (`_actor_of_login_session`)."""
    now = time.monotonic()
    last = st.session_state.get(LAST_ACTIVITY)
    st.session_state[LAST_ACTIVITY] = now
    if st.session_state.get(_VIA_COOKIE):
        return False
    signed_in = any(st.session_state.get(k) is not None for k in _SESSION_KEYS)
    if signed_in and last is not None and now - last > idle_limit_seconds():
        single_sign_on = st.session_state.get(_SINGLE_SIGN_ON) is not None
        _end_login_session(EndReason.IDLE)
        _forget_session()
        st.session_state[_IDLE_ENDED] = True
        if single_sign_on:
            st.logout()  # else the provider's cookie signs the person in again at once
        return True
    return False


def current_actor() -> Actor | None:
    """The actor of this session, or None when nobody is signed in (then show `login_page`)."""
    database.engine()  # an unusable database is reported before anything else
    _leave_if_asked()
    if _idle_too_long():
        return None
    token = st.query_params.get(QUERY_PARAMETER)
    if token:
        _redeem_invitation(token)
        # The token opens the call to whoever reads it: off the address bar (screenshots,
        # shared screens) it goes; the session keeps the call.
        del st.query_params[QUERY_PARAMETER]
    if st.session_state.get(_LOGIN_SESSION_ID) is None:
        _adopt_cookie_session()
    if st.session_state.get(_LOGIN_SESSION_ID) is not None:
        actor = _actor_of_login_session()
        if actor is not None:
            return actor
    if _oidc_identity() is not None:
        return _actor_from_oidc()
    return None


def current_login_session_id() -> int | None:
    """The `LoginSession` row of this browser session, if it has one."""
    row_id = st.session_state.get(_LOGIN_SESSION_ID)
    return row_id if isinstance(row_id, int) else None


# --- server-side sessions --------------------------------------------------------------------


def _begin(handoff: sessions.Handoff) -> None:
    """Make `handoff`'s row this tab's session and send the browser to collect its cookie."""
    _forget_session()
    st.session_state[_LOGIN_SESSION_ID] = handoff.login_session_id
    st.session_state[_HANDOFF_PATH] = (
        f"{sessions.HANDOVER_PATH}?{urlencode({'code': handoff.code})}"
    )
    st.session_state[LAST_ACTIVITY] = time.monotonic()


def _adopt_cookie_session() -> None:
    """Take the session named by the browser's cookie (once per tab: the cookies are those
    the browser sent when it opened this tab's connection)."""
    if st.session_state.get(_COOKIE_CHECKED):
        return
    st.session_state[_COOKIE_CHECKED] = True
    value = st.context.cookies.get(sessions.COOKIE_NAME)
    if not value:
        return
    secret = sessions.secret_key(reading=database.reading, writing=database.writing)
    identifier = sessions.identifier_from_cookie(value, secret=secret)
    if identifier is None:
        return
    with database.reading() as session:
        row = sessions.find_login_session(session=session, identifier=identifier)
        row_id = row.id if row is not None else None
    if row_id is not None:
        st.session_state[_LOGIN_SESSION_ID] = row_id
        st.session_state[_VIA_COOKIE] = True


def _actor_of_login_session() -> Actor | None:
    """The actor of this tab's session row, checked again on every run: a logout elsewhere,
    idleness, deactivation, a new password or a revoked link end it at the next click."""
    row_id = st.session_state[_LOGIN_SESSION_ID]
    now = utcnow()
    actor: Actor | None = None
    refusal = ""
    with database.reading() as session:
        row = sessions.get_login_session(session=session, login_session_id=row_id)
        if row is None:
            standing = Standing.ENDED
        else:
            standing = sessions.standing(
                row, idle_limit=timedelta(seconds=idle_limit_seconds()), now=now
            )
        if row is not None and standing == Standing.RUNNING:
            if row.invitation_id is not None:
                try:
                    actor = invitations.reload_invitation_actor(
                        session=session, invitation_id=row.invitation_id, now=now
                    )
                except InvalidInvitation as error:
                    refusal = error.message
            elif row.user_id is not None:
                actor = accounts.load_actor(session=session, user_id=row.user_id)
        handoff_waiting = (
            row is not None
            and row.handoff_hash is not None
            and row.handoff_expires_at is not None
            and row.handoff_expires_at > now
        )
        stale = row is not None and now - row.last_seen_at >= sessions.LAST_SEEN_STEP
    if standing == Standing.IDLE:
        _end_login_session(EndReason.IDLE)
        _forget_session()
        st.session_state[_IDLE_ENDED] = True
        return None
    if standing != Standing.RUNNING:
        _forget_session()
        return None
    if refusal:
        _end_login_session(EndReason.INVITATION)
        _refuse_invitation(refusal)
    if actor is None:
        _end_login_session(EndReason.DEACTIVATED)
        _forget_session()
        return None
    if stale:
        with database.writing() as session:
            sessions.touch(session=session, login_session_id=row_id, now=now)
    _hand_over_if_waiting(handoff_waiting)
    return actor


def _hand_over_if_waiting(waiting: bool) -> None:
    """While the hand-over code is unused, send the browser to collect its cookie and show
    nothing else: the page appears once, after the reload, already with the cookie. (A run
    cut short by a click may not have reached the browser; the next run sends it again.)"""
    path = st.session_state.get(_HANDOFF_PATH)
    if not waiting or not path or not _in_browser():
        st.session_state.pop(_HANDOFF_PATH, None)
        return
    st.caption("Anmeldung wird abgeschlossen …")
    _navigate(path, come_back=True)
    st.stop()


def _in_browser() -> bool:
    """False under AppTest, which has no browser to send anywhere (nor request headers)."""
    return bool(st.context.headers)


def _navigate(path: str, *, come_back: bool) -> None:
    _navigator(
        key="positionen-navigate",
        data={"path": path, "comeBack": come_back, "drop": QUERY_PARAMETER},
    )


def _leave_if_asked() -> None:
    """Send the browser to the address `log_out` asked for (it clears the cookie) and show
    nothing else: a login form drawn now would vanish again with the reload a moment later.
    Should the browser not go, a reload finds the session ended and shows the login form."""
    path = st.session_state.pop(_LEAVE_FOR, None)
    if path and _in_browser():
        st.caption("Abmeldung wird abgeschlossen …")
        _navigate(path, come_back=False)
        st.stop()


def _end_login_session(reason: EndReason) -> None:
    row_id = st.session_state.get(_LOGIN_SESSION_ID)
    if row_id is None:
        return
    with database.writing() as session:
        sessions.end_login_session(session=session, login_session_id=row_id, reason=reason)


def _redeem_invitation(token: str) -> None:
    token_hash = invitations.hash_token(token)
    if (
        st.session_state.get(_INVITATION_TOKEN_HASH) == token_hash
        and st.session_state.get(_LOGIN_SESSION_ID) is not None
    ):
        return  # redeemed in this tab already
    try:
        with database.writing() as session:
            actor = invitations.redeem_invitation(session=session, token=token)
            handoff = sessions.start_login_session(
                session=session, user_id=actor.user_id, invitation_id=actor.invitation_id
            )
    except InvalidInvitation as error:
        _refuse_invitation(error.message)
    _begin(handoff)
    st.session_state[_INVITATION_TOKEN_HASH] = token_hash


def _refuse_invitation(message: str) -> NoReturn:
    _forget_session()
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title("Positionen")
        st.error(message, icon=":material/link_off:")
        if st.button("Zur Anmeldung"):
            st.query_params.clear()
            st.rerun()
    st.stop()


def login_page() -> None:
    """The login form; after a successful login the page the address names opens."""
    if password_link.handle_link():
        return
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title("Positionen")
        st.caption("Stellungnahmen und Positionspapiere Ihres Verbands")
        if st.session_state.pop(_IDLE_ENDED, False):
            minutes = round(idle_limit_seconds() / 60)
            st.info(
                f"Sie wurden nach {minutes} Minuten ohne Aktivität abgemeldet. Bitte melden "
                "Sie sich erneut an.",
                icon=":material/timer_off:",
            )
            # Drafts left longer than the idle time belong to someone who walked away; one
            # typed since (a long text, sent only now) stays for the next login.
            drafts.forget_all(older_than=timedelta(seconds=idle_limit_seconds()))
        with st.form("login"):
            email = st.text_input("E-Mail", autocomplete="username")
            password = st.text_input("Passwort", type="password", autocomplete="current-password")
            submitted = st.form_submit_button("Anmelden", type="primary")
        if submitted:
            _try_login(email, password)
        password_link.forgot_password_form()
        for label, provider in _oidc_providers():
            if st.button(label, icon=":material/key:"):
                st.login(provider) if provider else st.login()
        st.caption(
            "Als Ansprechperson eines Mitgliedsunternehmens brauchen Sie kein Passwort: "
            "Öffnen Sie den persönlichen Link aus Ihrer Einladung."
        )


def _try_login(email: str, password: str) -> None:
    if not email.strip() or not password:
        st.error("Bitte geben Sie E-Mail-Adresse und Passwort ein.")
        return
    outcome = accounts.log_in(
        reading=database.reading, writing=database.writing, email=email, password=password
    )
    if outcome.actor is None:
        st.error(outcome.message, icon=":material/lock:")
        return
    with database.writing() as session:
        handoff = sessions.start_login_session(session=session, user_id=outcome.actor.user_id)
    _begin(handoff)
    # In a browser the next run sends it for the cookie; under AppTest it shows the page.
    st.rerun()


def log_out() -> None:
    """End this session: on the server, in this tab, and (on the next run) the browser's
    cookie; the address loses its parameters."""
    had_row = st.session_state.get(_LOGIN_SESSION_ID) is not None
    _end_login_session(EndReason.LOGOUT)
    _forget_session()
    st.query_params.clear()
    if _oidc_identity() is not None:
        st.logout()
    elif had_row:
        st.session_state[_LEAVE_FOR] = sessions.LOGOUT_PATH


def _forget_session() -> None:
    for key in (ACTOR, *_SESSION_KEYS, _VIA_COOKIE, _HANDOFF_PATH, _INVITATION_TOKEN_HASH):
        st.session_state.pop(key, None)


# --- single sign-on (OIDC), offered only when [auth] is configured in secrets.toml ----------


def _auth_secrets() -> dict[str, Any]:
    try:
        section = st.secrets.get("auth")
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return {}
    return dict(section) if section else {}


def _oidc_providers() -> list[tuple[str, str | None]]:
    """(button label, provider name or None for the default provider)."""
    section = _auth_secrets()
    if not section.get("redirect_uri") or not section.get("cookie_secret"):
        return []
    if section.get("client_id"):
        return [("Mit Single Sign-on anmelden", None)]
    return [
        (f"Anmelden mit {name}", name)
        for name, provider in section.items()
        if isinstance(provider, Mapping) and provider.get("client_id")
    ]


def _oidc_identity() -> Mapping[str, Any] | None:
    """The claims of the person signed in at a configured provider, or None."""
    if not _oidc_providers() or not st.user.get("is_logged_in"):
        return None
    return st.user


def _oidc_refusal(identity: Mapping[str, Any]) -> str | None:
    """Why a provider's sign-in opens no account (German), or None when it may."""
    expected = _expected_issuer(str(identity.get("provider") or "default"))
    issuer = str(identity.get("iss") or "").rstrip("/")
    if not expected or issuer != expected:
        return (
            "Diese Anmeldung stammt nicht vom eingerichteten Anmeldedienst. Bitte melden "
            "Sie sich ab und erneut an."
        )
    # Accounts are matched by address: one the provider has not confirmed could be anyone's.
    if identity.get("email_verified") not in (True, "true"):
        return (
            "Ihr Anmeldedienst hat Ihre E-Mail-Adresse nicht bestätigt, so kann Positionen "
            "Ihnen keinen Zugang zuordnen. Bitte wenden Sie sich an die Administration."
        )
    return None


def _expected_issuer(provider: str) -> str:
    """The issuer of a configured provider: by OpenID Connect Discovery, its metadata address
    is the issuer followed by /.well-known/openid-configuration."""
    section = _auth_secrets()
    configured = section if provider == "default" else section.get(provider)
    if not isinstance(configured, Mapping) or not configured.get("client_id"):
        return ""
    metadata = str(configured.get("server_metadata_url") or "")
    return metadata.removesuffix("/.well-known/openid-configuration").rstrip("/")


def _signed_in_too_long_ago(identity: Mapping[str, Any]) -> bool:
    """True when a new browser session would open on a sign-in older than the idle limit:
    the provider's cookie outlives the session, but not its idle timeout."""
    if st.session_state.get(_SINGLE_SIGN_ON) is not None:
        return False  # a running session: `_idle_too_long` watches it
    issued_at = identity.get("iat")
    if not isinstance(issued_at, int | float):
        return True
    return utcnow().timestamp() - issued_at > idle_limit_seconds()


def _actor_from_oidc() -> Actor | None:
    identity = _oidc_identity() or {}
    if _signed_in_too_long_ago(identity):
        st.logout()
        return None
    refusal = _oidc_refusal(identity)
    if refusal is not None:
        log.warning(
            "single sign-on refused: issuer %r, email_verified %r",
            identity.get("iss"),
            identity.get("email_verified"),
        )
        _refuse_oidc(refusal)
    with database.reading() as session:
        user = accounts.user_for_email(session=session, email=str(identity.get("email") or ""))
        actor = accounts.load_actor(session=session, user_id=user.id) if user and user.id else None
    if actor is None:
        log.warning("single sign-on user without an active account")
        _refuse_oidc(
            "Für Ihre Anmeldung gibt es keinen aktiven Zugang in Positionen. Bitte wenden Sie "
            "sich an die Administration."
        )
    st.session_state[_SINGLE_SIGN_ON] = True
    return actor


def _refuse_oidc(message: str) -> NoReturn:
    st.error(message, icon=":material/person_off:")
    if st.button("Abmelden"):
        st.logout()
    st.stop()
