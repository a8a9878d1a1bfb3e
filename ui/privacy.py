"""A person's rights under the DSGVO on their contact page: the export of everything stored
about them (Art. 15) and erasing it (Art. 17), which asks for their e-mail address first."""

from __future__ import annotations

import streamlit as st

from positions.core.accounts import normalise_email
from positions.core.clock import today_in_berlin
from positions.core.errors import PermissionDenied
from positions.core.formatting import date_time
from positions.core.permissions import Actor
from positions.members import privacy
from ui import database
from ui.widgets import done, md, user_errors


def contact_privacy_actions(actor: Actor, user_id: int) -> None:
    """The section "Datenschutz" for one person; shows nothing to those who may not use it."""
    try:
        with database.reading() as session:
            person = privacy.subject(session=session, actor=actor, user_id=user_id)
    except PermissionDenied:
        return
    st.subheader("Datenschutz")
    if person.erased_at is not None:
        st.info(
            f"Die personenbezogenen Daten dieser Person wurden am {date_time(person.erased_at)} "
            "gelöscht. Stellungnahmen und Rückmeldungen bleiben beim Unternehmen.",
            icon=":material/person_off:",
        )
        return
    _export(actor, person)
    _erase(actor, person)


def _export(actor: Actor, person: privacy.Subject) -> None:
    def content() -> bytes:
        # Read when clicked, so that the file holds what is stored at that moment.
        with database.reading() as session:
            data = privacy.personal_data(session=session, actor=actor, user_id=person.user_id)
        return privacy.as_json(data)

    st.download_button(
        "Auskunft (Art. 15 DSGVO) herunterladen",
        data=content,
        file_name=f"auskunft-{person.user_id}-{today_in_berlin().isoformat()}.json",
        mime="application/json",
        on_click="ignore",
        icon=":material/download:",
        key=f"privacy-export-{person.user_id}",
    )
    st.caption(
        "Alles, was Positionen über diese Person speichert, als JSON-Datei: Angaben zur "
        "Person, Stellungnahmen, Rückmeldungen, Einladungslinks, E-Mails, Anmeldungen und "
        "Protokolleinträge. Passwörter und Link-Schlüssel sind nie enthalten."
    )


def _erase(actor: Actor, person: privacy.Subject) -> None:
    with (
        st.expander("Personenbezogene Daten löschen (Art. 17 DSGVO)", icon=":material/delete:"),
        st.form(f"privacy-erase-{person.user_id}"),
    ):
        st.markdown(
            f"Name, E-Mail-Adresse, Telefon, Funktion, Passwort, Anmeldungen, Links und die "
            f"Texte der E-Mails an **{md(person.name)}** werden endgültig gelöscht; das lässt "
            "sich nicht rückgängig machen. Stellungnahmen und Rückmeldungen bleiben beim "
            "Unternehmen, das Protokoll vermerkt die Löschung ohne Namen."
        )
        typed = st.text_input(
            "Zur Bestätigung die E-Mail-Adresse der Person eingeben",
            placeholder=person.email,
        )
        confirmed = st.form_submit_button(
            "Endgültig löschen", type="primary", icon=":material/delete_forever:"
        )
    if not confirmed:
        return
    if normalise_email(typed) != normalise_email(person.email):
        st.error(
            "Die eingegebene Adresse stimmt nicht mit der E-Mail-Adresse der Person überein; "
            "es wurde nichts gelöscht.",
            icon=":material/block:",
        )
        return
    with user_errors(), database.writing() as session:
        privacy.erase_contact(session=session, actor=actor, user_id=person.user_id)
    done("Die personenbezogenen Daten wurden gelöscht.")
