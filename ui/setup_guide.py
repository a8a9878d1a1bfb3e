"""„Erste Schritte“: on a fresh installation the start page leads the first administrator
through the association's details, the letterhead, the mail server and the member list,
until all four are done or the administrator hides the list."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlmodel import Session

from db.models import Setting
from positions.core import settings
from positions.core.formatting import counted
from positions.core.permissions import Action, Actor, can, require
from positions.forums import calls
from ui import database
from ui.widgets import md

HIDDEN = "setup_guide.hidden"
SETTINGS_PAGE = "ui/pages/settings.py"
MEMBERS_PAGE = "ui/pages/members.py"
DONE_ICON = ":material/check_circle:"
OPEN_ICON = ":material/radio_button_unchecked:"


@dataclass(frozen=True)
class Step:
    title: str
    done: bool
    note: str  # what was set when done, what to do when open
    page: str


def show(actor: Actor) -> None:
    """The checklist for administrators, while a step is open and it is not hidden."""
    if not can(actor, Action.SETTINGS_MANAGE) or actor.via_invitation:
        return
    with database.reading() as session:
        if settings.stored_value(session, HIDDEN):
            return
        checklist = steps(session, actor)
    if all(step.done for step in checklist):
        return
    with st.container(border=True):
        st.subheader("Erste Schritte")
        finished = sum(step.done for step in checklist)
        st.caption(
            f"{finished} von {len(checklist)} erledigt. Diese Liste sehen nur "
            "Administratorinnen und Administratoren; sie verschwindet, sobald alles "
            "eingerichtet ist."
        )
        for step in checklist:
            st.page_link(step.page, label=step.title, icon=DONE_ICON if step.done else OPEN_ICON)
            st.caption(("Erledigt: " if step.done else "Offen: ") + step.note)
        if st.button("Ausblenden", icon=":material/visibility_off:", key="setup-guide-hide"):
            hide(actor)
            st.rerun()


def steps(session: Session, actor: Actor) -> list[Step]:
    association = settings.association(session=session)
    named = settings.stored_value(session, "association.name") is not None
    colour = settings.stored_value(session, "association.colour")
    has_logo = settings.logo_sha256(session=session) is not None
    smtp = settings.smtp(session=session)
    # "Ohne Mailserver arbeiten" stores the choice as an empty value: decided all the same.
    mail_decided = smtp is not None or session.get(Setting, "smtp") is not None
    members = calls.member_organisations(session=session, actor=actor)
    return [
        Step(
            "Angaben zum Verband",
            named and bool(association.address),
            f"„{md(association.name)}“, {md(association.address.splitlines()[0])}"
            if named and association.address
            else "Name und Anschrift eintragen; sie stehen auf jedem Word-Dokument und in "
            "den E-Mails an die Mitglieder.",
            SETTINGS_PAGE,
        ),
        Step(
            "Briefkopf der Word-Dokumente",
            colour is not None or has_logo,
            f"Farbe #{settings.accent_colour(session=session)}"
            + (" mit Logo" if has_logo else " ohne Logo")
            if colour is not None or has_logo
            else "Logo und Farbe für Überschriften und Tabellen festlegen.",
            SETTINGS_PAGE,
        ),
        Step(
            "E-Mail-Versand",
            mail_decided,
            (f"über {md(smtp.host)}" if smtp else "ohne Mailserver, E-Mails gehen von Hand")
            if mail_decided
            else "Mailserver für Einladungen und Erinnerungen eintragen, oder „Ohne "
            "Mailserver arbeiten“ wählen.",
            SETTINGS_PAGE,
        ),
        Step(
            "Mitgliederliste",
            bool(members),
            counted(len(members), "Mitgliedsunternehmen", "Mitgliedsunternehmen")
            if members
            else "Die Mitgliedsunternehmen und ihre Ansprechpersonen anlegen oder als "
            "Excel- oder CSV-Liste einlesen.",
            MEMBERS_PAGE,
        ),
    ]


def hide(actor: Actor) -> None:
    require(actor, Action.SETTINGS_MANAGE)
    with database.writing() as session:
        settings.store_value(session, actor, HIDDEN, True, None)
