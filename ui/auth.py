"""Who is using this browser session: password login, invitation link, or single sign-on."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from typing import Any, NoReturn

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from positions.core import accounts
from positions.core.clock import utcnow
from positions.core.errors import InvalidInvitation
from positions.core.permissions import Actor
from positions.forums import invitations
from positions.forums.invitations import QUERY_PARAMETER
from ui import database

log = logging.getLogger("positionen.ui")

ACTOR = "actor"
LAST_ACTIVITY = "last_activity"
DEFAULT_IDLE_MINUTES = 60
_IDLE_ENDED = "idle_ended"
_USER_ID = "user_id"
_INVITATION_ID = "invitation_id"
_INVITATION_TOKEN_HASH = "invitation_token_hash"  # noqa: S105  (a key name)
_SINGLE_SIGN_ON = "single_sign_on"
_SESSION_KEYS = (_USER_ID, _INVITATION_ID, _SINGLE_SIGN_ON)


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
    """True (and the session ended) when the last activity is longer ago than allowed."""
    now = time.monotonic()
    last = st.session_state.get(LAST_ACTIVITY)
    st.session_state[LAST_ACTIVITY] = now
    signed_in = any(st.session_state.get(k) is not None for k in _SESSION_KEYS)
    if signed_in and last is not None and now - last > idle_limit_seconds():
        single_sign_on = st.session_state.get(_SINGLE_SIGN_ON) is not None
        _forget_session()
        st.session_state[_IDLE_ENDED] = True
        if single_sign_on:
            st.logout()  # else the provider's cookie signs the person in again at once
        return True
    return False


def current_actor() -> Actor | None:
    """The actor of this session, or None when nobody is signed in (then show `login_page`)."""
    database.engine()  # an unusable database is reported before anything else
    if _idle_too_long():
        return None
    token = st.query_params.get(QUERY_PARAMETER)
    if token:
        invited = _actor_from_invitation(token)
        # The token opens the call to whoever reads it: off the address bar (screenshots,
        # shared screens) it goes; the session keeps the call.
        del st.query_params[QUERY_PARAMETER]
        return invited
    if st.session_state.get(_INVITATION_ID) is not None:
        # Links between pages drop the token from the address; the session remembers it.
        return _reload_invitation_actor()
    user_id = st.session_state.get(_USER_ID)
    if user_id is not None:
        with database.reading() as session:
            actor = accounts.load_actor(session=session, user_id=user_id)
        if actor is not None:
            return actor
        log_out()
    if _oidc_identity() is not None:
        return _actor_from_oidc()
    return None


def _actor_from_invitation(token: str) -> Actor:
    token_hash = invitations.hash_token(token)
    if st.session_state.get(_INVITATION_TOKEN_HASH) == token_hash:
        return _reload_invitation_actor()
    try:
        with database.writing() as session:
            actor = invitations.redeem_invitation(session=session, token=token)
    except InvalidInvitation as error:
        _refuse_invitation(error.message)
    _forget_session()
    st.session_state[_INVITATION_ID] = actor.invitation_id
    st.session_state[_INVITATION_TOKEN_HASH] = token_hash
    return actor


def _reload_invitation_actor() -> Actor:
    """The invitation actor of this session, checked again: revoking a link ends it at once."""
    try:
        with database.reading() as session:
            return invitations.reload_invitation_actor(
                session=session, invitation_id=st.session_state[_INVITATION_ID]
            )
    except InvalidInvitation as error:
        _refuse_invitation(error.message)


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
        with st.form("login"):
            email = st.text_input("E-Mail", autocomplete="username")
            password = st.text_input("Passwort", type="password", autocomplete="current-password")
            submitted = st.form_submit_button("Anmelden", type="primary")
        if submitted:
            _try_login(email, password)
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
    _forget_session()
    st.session_state[_USER_ID] = outcome.actor.user_id
    st.rerun()


def log_out() -> None:
    """End this session: forget the user or invitation and drop the link from the address."""
    _forget_session()
    st.query_params.clear()
    if _oidc_identity() is not None:
        st.logout()


def _forget_session() -> None:
    for key in (ACTOR, *_SESSION_KEYS, _INVITATION_TOKEN_HASH):
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
