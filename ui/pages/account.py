"""Mein Zugang: who one is signed in as, and changing one's own password."""

import streamlit as st

from db.models import Organisation, User
from positions.core import accounts, labels
from positions.core.formatting import date_time
from ui import auth, calendar_feeds, database
from ui.field_errors import FieldMessages
from ui.password_link import new_password_inputs
from ui.widgets import md

actor = auth.signed_in()
st.title("Mein Zugang")

with database.reading() as session:
    user = session.get(User, actor.user_id)
    organisation = (
        session.get(Organisation, actor.organisation_id) if actor.organisation_id else None
    )
if user is None:
    st.stop()

facts = [
    ("Name", md(user.name)),
    ("E-Mail-Adresse", md(user.email)),
    ("Rolle", labels.ROLE[user.role]),
]
if organisation is not None:
    facts.append(("Organisation", md(organisation.name)))
if user.last_login_at is not None:
    facts.append(("Letzte Anmeldung", date_time(user.last_login_at)))
st.markdown("  \n".join(f"**{label}:** {value}" for label, value in facts))
st.caption("Name, E-Mail-Adresse und Rolle ändert die Administration.")

st.subheader("Passwort ändern")
if user.password_hash is None:
    st.info(
        "Für Ihren Zugang ist kein Passwort festgelegt. Einen Link zum Festlegen erhalten Sie "
        "von der Administration.",
        icon=":material/key_off:",
    )
    st.stop()

changed = st.empty()
messages = FieldMessages()
with st.form("change-password", clear_on_submit=True):
    current = st.text_input("Aktuelles Passwort", type="password", autocomplete="current-password")
    messages.below("current")
    new, repeat = new_password_inputs(messages)
    submitted = st.form_submit_button("Passwort ändern", type="primary")
if submitted:
    with messages.shown():
        accounts.change_own_password(
            reading=database.reading,
            writing=database.writing,
            actor=actor,
            current_password=current,
            new_password=new,
            repeat=repeat,
            keep_session_id=auth.current_login_session_id(),
        )
        changed.success(
            "Ihr Passwort ist geändert. Wo Sie sonst noch angemeldet sind, endet die "
            "Sitzung beim nächsten Klick.",
            icon=":material/check_circle:",
        )

calendar_feeds.personal_feed_section(actor)
