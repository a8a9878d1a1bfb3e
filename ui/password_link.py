"""Set-password and "Passwort vergessen" links, used before anyone is signed in."""

from __future__ import annotations

import streamlit as st

from positions.core import accounts, password_links, settings
from positions.core.accounts import MIN_PASSWORD_LENGTH, NewPassword
from positions.core.password_links import QUERY_PARAMETER, UnusableLink
from ui import database
from ui.field_errors import FieldMessages
from ui.widgets import md

_DONE = "password_link_done"


def handle_link() -> bool:
    """Show the set-password form when the address carries a password link (or the
    confirmation right after one was used); True if shown, then nothing else should be."""
    token = st.query_params.get(QUERY_PARAMETER)
    done = st.session_state.pop(_DONE, False)
    if not token and not done:
        return False
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title("Passwort festlegen")
        if token:
            _set_password(token)
        else:
            st.success(
                "Ihr Passwort ist festgelegt. Melden Sie sich jetzt mit Ihrer E-Mail-Adresse "
                "und dem neuen Passwort an.",
                icon=":material/check_circle:",
            )
            st.button("Zur Anmeldung", type="primary")  # any click shows the login form
    return True


def _set_password(token: str) -> None:
    try:
        with database.reading() as session:
            holder = password_links.holder(session=session, token=token)
    except UnusableLink as error:
        st.error(error.message, icon=":material/link_off:")
        if st.button("Zur Anmeldung"):
            del st.query_params[QUERY_PARAMETER]
            st.rerun()
        return
    st.caption(f"Für den Zugang {md(holder.email)}")
    messages = FieldMessages()
    with st.form("set-password"):
        password, repeat = new_password_inputs(messages)
        submitted = st.form_submit_button("Passwort festlegen", type="primary")
    if submitted:
        with messages.shown():
            new_password = NewPassword.checked(password, repeat)
            with database.writing() as session:
                password_links.redeem(session=session, token=token, new_password=new_password)
            # Used up, the token still leaves the address bar (history, screenshots).
            del st.query_params[QUERY_PARAMETER]
            st.session_state[_DONE] = True
            st.rerun()


def forgot_password_form() -> None:
    """The "Passwort vergessen" form below the login form. Its answer is the same whether
    or not the address has an account; without a mail server it sends people to the
    administration (a link is never shown to whoever asks)."""
    with st.expander("Passwort vergessen?"):
        with database.reading() as session:
            smtp = settings.smtp(session=session)
        if smtp is None:
            st.info(password_links.ASK_THE_ADMINISTRATION, icon=":material/support_agent:")
            return
        messages = FieldMessages()
        with st.form("forgot-password"):
            email = st.text_input("E-Mail-Adresse Ihres Zugangs", autocomplete="username")
            messages.below("email")
            submitted = st.form_submit_button("Link anfordern")
        if submitted:
            with messages.shown():
                address = accounts.validate_email(email)
                with database.writing() as session:
                    link = password_links.request_reset(session=session, email=address)
                    association_name = settings.association(session=session).name
                if link is not None:
                    password_links.send_in_background(smtp, link, association_name=association_name)
                st.success(password_links.RESET_REQUESTED, icon=":material/mail:")


def new_password_inputs(messages: FieldMessages) -> tuple[str, str]:
    """The new password and its repetition, each with its place for a German message; the
    same two fields wherever a password is chosen."""
    password = st.text_input(
        "Neues Passwort",
        type="password",
        autocomplete="new-password",
        help=f"Mindestens {MIN_PASSWORD_LENGTH} Zeichen",
    )
    messages.below("password")
    repeat = st.text_input(
        "Neues Passwort wiederholen", type="password", autocomplete="new-password"
    )
    messages.below("repeat")
    return password, repeat
