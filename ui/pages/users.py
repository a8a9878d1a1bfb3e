"""Benutzer, for administrators: who has a login, adding people with a link to set their
password, changing roles, deactivating and reactivating."""

import pandas as pd
import streamlit as st

from db.models import PasswordTokenPurpose, Role
from positions.core import labels, password_links, settings, user_admin
from positions.core.formatting import date_time
from positions.core.mailer import MailFailed
from positions.core.password_links import IssuedLink
from positions.core.user_admin import UserRow
from ui import auth, database
from ui.field_errors import FieldMessages
from ui.widgets import done, md, user_errors

actor = auth.signed_in()
st.title("Benutzer")

_HANDED_OVER = "users_link_handed_over"
_ROLES = list(Role)
_STATES = {"Aktiv": True, "Deaktiviert": False, "Alle": None}


def hand_over(link: IssuedLink, *, what: str) -> None:
    """Mail the link when a mail server is set up, else keep it to show once; then reload.

    What is kept for the next run is a plain dict: a class defined in this page would be a
    new class on every run."""
    with database.reading() as session:
        smtp = settings.smtp(session=session)
        association_name = settings.association(session=session).name
    if smtp is None:
        st.session_state[_HANDED_OVER] = {"message": what, "url": link.url}
        st.rerun()
    try:
        password_links.send(smtp, link, association_name=association_name)
    except MailFailed as error:
        st.session_state[_HANDED_OVER] = {
            "message": what,
            "url": link.url,
            "mail_error": error.message,
        }
    else:
        st.session_state[_HANDED_OVER] = {
            "message": f"{what} Der Link zum Festlegen des Passworts ist per E-Mail an "
            f"{link.email} gesendet."
        }
    st.rerun()


def show_handed_over() -> None:
    """The confirmation of an issued link, once; the link itself only when no mail took it."""
    handed_over: dict[str, str] = st.session_state.pop(_HANDED_OVER, None) or {}
    if not handed_over:
        return
    st.success(md(handed_over["message"]), icon=":material/check_circle:")
    url = handed_over.get("url", "")
    if not url:
        return
    if handed_over.get("mail_error"):
        st.warning(
            f"Die E-Mail ließ sich nicht senden: {md(handed_over['mail_error'])} Geben Sie den "
            "Link bitte selbst weiter.",
            icon=":material/mail_lock:",
        )
    st.markdown("Link zum Festlegen des Passworts (zum Kopieren):")
    st.code(url, language=None, wrap_lines=True)
    st.caption(
        "Geben Sie den Link nur der Person selbst. Er gilt einmal und wird nur jetzt "
        "angezeigt; ein neuer Link macht ihn ungültig."
    )


def organisation_options(
    choices: dict[int | None, str], row: UserRow | None
) -> dict[int | None, str]:
    options: dict[int | None, str] = {None: "– nur für Mitgliedszugänge –", **choices}
    if row is not None and row.organisation_id is not None and row.role == Role.MEMBER:
        options.setdefault(row.organisation_id, row.organisation)
    return options


def users_table(rows: list[UserRow]) -> None:
    if not rows:
        st.info("Keine Benutzer für diese Auswahl.", icon=":material/person_search:")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Name": row.name,
                "E-Mail": row.email,
                "Rolle": labels.ROLE[row.role],
                "Organisation": row.organisation,
                "Status": ("aktiv" if row.active else "deaktiviert")
                + ("" if row.has_password else " · ohne Passwort"),
                "Letzte Anmeldung": date_time(row.last_login_at) if row.last_login_at else "",
            }
            for row in rows
        ),
        hide_index=True,
        width="stretch",
    )


def add_form(choices: dict[int | None, str]) -> None:
    messages = FieldMessages()
    with st.form("add-user"):
        email = st.text_input("E-Mail-Adresse")
        messages.below("email")
        name = st.text_input("Name")
        messages.below("name")
        role = st.selectbox("Rolle", _ROLES, format_func=labels.ROLE.__getitem__, index=1)
        options = organisation_options(choices, None)
        organisation = st.selectbox(
            "Mitgliedsunternehmen", list(options), format_func=options.__getitem__
        )
        messages.below("organisation")
        submitted = st.form_submit_button("Hinzufügen", type="primary")
    if submitted:
        with messages.shown():
            with database.writing() as session:
                link = user_admin.add_user(
                    session=session,
                    actor=actor,
                    email=email,
                    name=name,
                    role=role,
                    organisation_id=organisation,
                )
            hand_over(link, what=f"Zugang für {link.name} angelegt.")


def edit_form(row: UserRow, choices: dict[int | None, str]) -> None:
    messages = FieldMessages()
    options = organisation_options(choices, row)
    with st.form(f"edit-user-{row.user_id}"):
        name = st.text_input("Name", value=row.name)
        messages.below("name")
        role = st.selectbox(
            "Rolle", _ROLES, index=_ROLES.index(row.role), format_func=labels.ROLE.__getitem__
        )
        current = row.organisation_id if row.role == Role.MEMBER else None
        organisation = st.selectbox(
            "Mitgliedsunternehmen",
            list(options),
            index=list(options).index(current),
            format_func=options.__getitem__,
        )
        messages.below("organisation")
        st.caption("Eine neue Rolle beendet die Sitzungen der Person beim nächsten Klick.")
        submitted = st.form_submit_button("Änderungen speichern", type="primary")
    if submitted:
        with messages.shown():
            with database.writing() as session:
                user_admin.update_user(
                    session=session,
                    actor=actor,
                    user_id=row.user_id,
                    name=name,
                    role=role,
                    organisation_id=organisation,
                )
            done("Änderungen gespeichert.")


def account_actions(row: UserRow) -> None:
    switch_column, link_column = st.columns(2)
    if row.active and switch_column.button("Deaktivieren", icon=":material/person_off:"):
        with user_errors(), database.writing() as session:
            user_admin.deactivate(session=session, actor=actor, user_id=row.user_id)
        done(f"{md(row.name)} ist deaktiviert; die Sitzungen enden beim nächsten Klick.")
    if not row.active and switch_column.button("Reaktivieren", icon=":material/person_check:"):
        with user_errors(), database.writing() as session:
            user_admin.reactivate(session=session, actor=actor, user_id=row.user_id)
        done(f"{md(row.name)} ist wieder aktiv.")
    if row.active and link_column.button(
        "Neuer Link zum Festlegen des Passworts", icon=":material/key:"
    ):
        with user_errors(), database.writing() as session:
            link = password_links.issue(
                session=session,
                actor=actor,
                user_id=row.user_id,
                purpose=PasswordTokenPurpose.SET,
            )
        hand_over(link, what=f"Neuer Link für {link.name} erstellt.")


show_handed_over()

role_column, state_column = st.columns(2)
role_filter = role_column.selectbox(
    "Rolle",
    [None, *_ROLES],
    format_func=lambda role: "Alle Rollen" if role is None else labels.ROLE[role],
    key="users-role-filter",
)
state_filter = state_column.selectbox("Status", list(_STATES), key="users-state-filter")

with database.reading() as session:
    rows = user_admin.list_users(
        session=session, actor=actor, role=role_filter, active=_STATES[state_filter]
    )
    choices: dict[int | None, str] = dict(
        user_admin.organisation_choices(session=session, actor=actor)
    )

users_table(rows)

st.subheader("Benutzer hinzufügen")
st.caption(
    "Die Person erhält einen Link, mit dem sie ihr Passwort selbst festlegt (7 Tage gültig); "
    "ohne Mailserver sehen Sie den Link hier einmal zum Weitergeben."
)
add_form(choices)

st.subheader("Benutzer bearbeiten")
by_id = {row.user_id: row for row in rows}
chosen = st.selectbox(
    "Benutzer",
    list(by_id),
    index=None,
    placeholder="Benutzer wählen",
    format_func=lambda user_id: (
        f"{by_id[user_id].name} · {by_id[user_id].email} ({labels.ROLE[by_id[user_id].role]})"
    ),
)
if chosen is not None:
    edit_form(by_id[chosen], choices)
    account_actions(by_id[chosen])
