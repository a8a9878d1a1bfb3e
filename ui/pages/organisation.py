"""Mitglied: one member organisation (`?id=`) with its contacts, forums, calls, statements
and reviews; staff change its fields, add, change and retire contacts, retire or take the
organisation back. Nothing is deleted: a retired organisation keeps its history."""

from datetime import date

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from db.models import Forum, MembershipStatus, StatementStatus, User, id_of
from positions.core import labels
from positions.core.clock import BERLIN, today_in_berlin
from positions.core.formatting import counted, long_date, short_date
from positions.core.permissions import Action, Actor, can
from positions.members import register
from positions.members.register import (
    ContactFields,
    ContactRow,
    OrganisationFields,
    OrganisationOverview,
)
from ui import auth, database
from ui.field_errors import shown_beside_fields
from ui.widgets import done, md, query_id, user_errors

EARLIEST = date(1900, 1, 1)
ALL_FORUMS = "alle der Organisation"


def forum_label(forum: Forum) -> str:
    return f"{forum.short_name} – {forum.name}" + ("" if forum.active else " (archiviert)")


def heading(overview: OrganisationOverview) -> None:
    organisation = overview.organisation
    st.page_link("ui/pages/members.py", label="Alle Mitglieder", icon=":material/arrow_back:")
    st.title(md(organisation.name))
    membership = ""
    if organisation.member_since:
        membership = f"Mitglied seit {long_date(organisation.member_since)}"
    if not organisation.active:
        until = organisation.member_until
        membership = "ausgeschieden" + (f" zum {long_date(until)}" if until else "")
    st.caption(
        " · ".join(
            md(part)
            for part in (
                organisation.short_name,
                labels.ORGANISATION_KIND[organisation.kind],
                labels.MEMBERSHIP_STATUS[organisation.status],
                membership,
            )
            if part
        )
    )
    if not organisation.active:
        st.warning(
            "Diese Organisation ist ausgeschieden. Ihre Stellungnahmen und Rückmeldungen "
            "bleiben erhalten; zu neuen Aufrufen wird sie nicht mehr eingeladen.",
            icon=":material/history:",
        )


def overview_tab(actor: Actor, overview: OrganisationOverview) -> None:
    organisation = overview.organisation
    address = [organisation.street, f"{organisation.postal_code} {organisation.city}".strip()]
    st.markdown("  \n".join(md(line) for line in address if line) or "Keine Anschrift erfasst.")
    if organisation.website:
        st.link_button("Webseite", organisation.website, icon=":material/open_in_new:")
    st.subheader("Fachforen und Foren")
    if not overview.forums:
        st.caption("In keinem Forum.")
    for forum in overview.forums:
        st.page_link(
            "ui/pages/forum.py",
            label=md(forum_label(forum)),
            icon=":material/groups:",
            query_params={"forum": str(forum.id)},
        )
    if can(actor, Action.MEMBER_MANAGE) and organisation.notes:
        st.subheader("Notizen")
        st.markdown(md(organisation.notes))


def contacts_tab(actor: Actor, overview: OrganisationOverview) -> None:
    rows = overview.contacts
    if not rows:
        st.caption("Noch keine Ansprechperson.")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Name": [row.contact.name for row in rows],
                    "Funktion": [row.contact.function for row in rows],
                    "E-Mail": [row.contact.email for row in rows],
                    "Telefon": [row.contact.phone for row in rows],
                    "Erhält Aufrufe aus": [
                        ", ".join(f.short_name for f in row.forums) or ALL_FORUMS for row in rows
                    ],
                    "Status": ["aktiv" if row.contact.active else "ausgeschieden" for row in rows],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    if not can(actor, Action.MEMBER_MANAGE):
        return
    if overview.organisation.active:
        with st.expander("Ansprechperson hinzufügen", icon=":material/person_add:"):
            add_contact(actor, overview)
    if rows:
        change_contact(actor, overview)


def contact_inputs(
    key: str, overview: OrganisationOverview, initial: ContactFields | None = None
) -> tuple[ContactFields, dict[str, DeltaGenerator]]:
    """The inputs of a contact (inside an st.form) and the places for their messages."""
    initial = initial or ContactFields(given_name="", family_name="", email="")
    places: dict[str, DeltaGenerator] = {}
    given_column, family_column = st.columns(2)
    with given_column:
        given = st.text_input("Vorname", value=initial.given_name, max_chars=100, key=f"{key}-g")
        places["given_name"] = st.empty()
    with family_column:
        family = st.text_input("Nachname", value=initial.family_name, max_chars=100, key=f"{key}-f")
        places["family_name"] = st.empty()
    email_column, phone_column = st.columns(2)
    with email_column:
        email = st.text_input("E-Mail", value=initial.email, key=f"{key}-e")
        places["email"] = st.empty()
    with phone_column:
        phone = st.text_input("Telefon", value=initial.phone, max_chars=60, key=f"{key}-p")
        places["phone"] = st.empty()
    function = st.text_input("Funktion", value=initial.function, max_chars=200, key=f"{key}-r")
    places["function"] = st.empty()
    names = {id_of(f): forum_label(f) for f in overview.forums}
    forum_ids = st.multiselect(
        "Erhält Aufrufe aus",
        list(names),
        default=[i for i in initial.forum_ids if i in names],
        format_func=lambda i: names[i],
        placeholder="alle Foren der Organisation",
        help="Leer lassen: Aufrufe aus allen Foren, in denen die Organisation Mitglied ist.",
        key=f"{key}-forums",
    )
    places["forum_ids"] = st.empty()
    fields = ContactFields(
        given_name=given,
        family_name=family,
        email=email,
        function=function,
        phone=phone,
        forum_ids=tuple(forum_ids),
    )
    return fields, places


def add_contact(actor: Actor, overview: OrganisationOverview) -> None:
    with st.form("new-contact", clear_on_submit=False):
        fields, places = contact_inputs("new-contact", overview)
        submitted = st.form_submit_button("Ansprechperson anlegen", type="primary")
    if not submitted:
        return
    added = None
    with user_errors(), shown_beside_fields(places), database.writing() as session:
        contact = register.add_contact(
            session=session,
            actor=actor,
            organisation_id=id_of(overview.organisation),
            fields=fields,
        )
        added = contact.name
    if added is not None:
        done(f"{added} ist als Ansprechperson angelegt.")


def change_contact(actor: Actor, overview: OrganisationOverview) -> None:
    st.subheader("Ansprechperson ändern")
    by_id = {id_of(row.contact): row for row in overview.contacts}
    chosen = st.selectbox(
        "Ansprechperson",
        list(by_id),
        format_func=lambda i: contact_label(by_id[i].contact),
        index=None,
        placeholder="Ansprechperson wählen",
    )
    if chosen is None:
        return
    row = by_id[chosen]
    contact = row.contact
    with st.form(f"contact-{chosen}"):
        fields, places = contact_inputs(
            f"contact-{chosen}",
            overview,
            ContactFields.of(contact, (id_of(f) for f in row.forums)),
        )
        submitted = st.form_submit_button("Änderungen speichern", type="primary")
    saved = False
    if submitted:
        with user_errors(), shown_beside_fields(places), database.writing() as session:
            register.update_contact(session=session, actor=actor, contact_id=chosen, fields=fields)
            saved = True
    if saved:
        done("Die Ansprechperson ist gespeichert.")
    contact_standing(actor, overview, row)


def contact_label(contact: User) -> str:
    retired = "" if contact.active else " (ausgeschieden)"
    return f"{contact.name} <{contact.email}>{retired}"


def contact_standing(actor: Actor, overview: OrganisationOverview, row: ContactRow) -> None:
    contact = row.contact
    if contact.active:
        st.caption(
            "Wer das Unternehmen verlassen hat, wird als ausgeschieden markiert: keine "
            "Einladungen, Links und Anmeldungen mehr; Stellungnahmen bleiben erhalten."
        )
        if st.button("Als ausgeschieden markieren", icon=":material/person_off:"):
            with user_errors(), database.writing() as session:
                register.retire_contact(session=session, actor=actor, contact_id=id_of(contact))
            done(f"{contact.name} ist als ausgeschieden markiert.")
    elif overview.organisation.active and st.button(
        "Wieder aufnehmen", icon=":material/person_check:"
    ):
        with user_errors(), database.writing() as session:
            register.reactivate_contact(session=session, actor=actor, contact_id=id_of(contact))
        done(f"{contact.name} ist wieder Ansprechperson.")


def calls_tab(actor: Actor, overview: OrganisationOverview) -> None:
    st.subheader("Eingeladen zu")
    if not overview.calls:
        st.caption("Zu keinem Aufruf eingeladen.")
    for invited in overview.calls:
        call = invited.call
        st.page_link(
            "ui/pages/call.py",
            label=md(
                f"{call.title} · {invited.forum.short_name} · Frist "
                f"{short_date(call.external_deadline)} · {labels.CALL_STATUS[call.status]}"
            ),
            icon=":material/campaign:",
            query_params={"aufruf": str(call.id)},
        )
    st.subheader("Stellungnahmen")
    counts = overview.statement_counts
    if not counts:
        st.caption("Noch keine eingereichte Stellungnahme.")
        return
    st.markdown(
        ", ".join(
            f"{counts[status]} {labels.STATEMENT_STATUS[status]}"
            for status in (StatementStatus.SUBMITTED, StatementStatus.WITHDRAWN)
            if counts.get(status)
        )
    )
    if not overview.statements:
        # The board: whether an answer was anonymous or "nur intern" would tell its
        # members, the competitors of those who answer, who said what.
        st.caption(
            "Welche Stellungnahme namentlich, anonym oder nur intern abgegeben wurde, sieht "
            "nur das Referat. Die Texte stehen ohne Namen in der Suche und in den Aufrufen."
        )
        return
    entries = overview.statements
    st.dataframe(
        pd.DataFrame(
            {
                "Aufruf": [e.call.title for e in entries],
                "Forum": [e.forum.short_name for e in entries],
                "Status": [labels.STATEMENT_STATUS[e.status] for e in entries],
                "Verwendung": [labels.VISIBILITY[e.visibility] for e in entries],
                "Eingereicht": pd.to_datetime(
                    [e.submitted_at for e in entries], utc=True
                ).tz_convert(BERLIN),
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Eingereicht": st.column_config.DatetimeColumn(format="DD.MM.YYYY, HH:mm"),
        },
    )
    st.caption("Den Text öffnen Sie im Aufruf, unter „Rückmeldungen“.")


def reviews_tab(overview: OrganisationOverview) -> None:
    if not overview.reviews:
        st.caption("Noch keine Rückmeldung zu einem Papier.")
        return
    for entry in overview.reviews:
        with st.container(border=True):
            st.page_link(
                "ui/pages/paper.py",
                label=md(f"{entry.paper.title} (Fassung {entry.version_number})"),
                icon=":material/article:",
                query_params={"papier": str(entry.paper.id)},
            )
            parts = [
                counted(entry.counts[stance], label, label)
                for stance, label in labels.STANCE.items()
            ]
            if entry.minority_opinions:
                parts.append(counted(entry.minority_opinions, "Mindermeinung", "Mindermeinungen"))
            st.caption(" · ".join(parts))


def organisation_inputs(
    initial: OrganisationFields, forums: list[Forum]
) -> tuple[OrganisationFields, dict[str, DeltaGenerator]]:
    """The inputs of an organisation (inside an st.form) and the places for their messages."""
    places: dict[str, DeltaGenerator] = {}
    name_column, short_column = st.columns([3, 1])
    with name_column:
        name = st.text_input("Name der Organisation", value=initial.name, max_chars=200)
        places["name"] = st.empty()
    with short_column:
        short_name = st.text_input("Kurzname", value=initial.short_name, max_chars=60)
        places["short_name"] = st.empty()
    kind_column, status_column = st.columns(2)
    kinds = list(register.MEMBER_KINDS)
    with kind_column:
        kind = st.selectbox(
            "Art",
            kinds,
            index=kinds.index(initial.kind) if initial.kind in kinds else 0,
            format_func=lambda k: labels.ORGANISATION_KIND[k],
        )
        places["kind"] = st.empty()
    statuses = list(MembershipStatus)
    with status_column:
        status = st.selectbox(
            "Status",
            statuses,
            index=statuses.index(initial.status),
            format_func=lambda s: labels.MEMBERSHIP_STATUS[s],
        )
    street = st.text_input("Straße und Hausnummer", value=initial.street, max_chars=200)
    places["street"] = st.empty()
    code_column, city_column = st.columns([1, 3])
    with code_column:
        postal_code = st.text_input("PLZ", value=initial.postal_code, max_chars=10)
        places["postal_code"] = st.empty()
    with city_column:
        city = st.text_input("Ort", value=initial.city, max_chars=100)
        places["city"] = st.empty()
    website = st.text_input("Webseite", value=initial.website, placeholder="https://")
    places["website"] = st.empty()
    since_column, until_column = st.columns(2)
    with since_column:
        since = st.date_input(
            "Mitglied seit", value=initial.member_since, min_value=EARLIEST, format="DD.MM.YYYY"
        )
        places["member_since"] = st.empty()
    with until_column:
        until = st.date_input(
            "Mitglied bis", value=initial.member_until, min_value=EARLIEST, format="DD.MM.YYYY"
        )
        places["member_until"] = st.empty()
    names = {id_of(f): forum_label(f) for f in forums}
    forum_ids = st.multiselect(
        "Fachforen und Foren",
        list(names),
        default=[i for i in initial.forum_ids if i in names],
        format_func=lambda i: names[i],
        placeholder="Foren wählen",
    )
    places["forum_ids"] = st.empty()
    notes = st.text_area("Notizen (nur intern)", value=initial.notes, height=90)
    fields = OrganisationFields(
        name=name,
        short_name=short_name,
        kind=kind or kinds[0],
        street=street,
        postal_code=postal_code,
        city=city,
        website=website,
        status=status or MembershipStatus.MEMBER,
        member_since=since if isinstance(since, date) else None,
        member_until=until if isinstance(until, date) else None,
        notes=notes,
        forum_ids=tuple(forum_ids),
    )
    return fields, places


def edit_tab(actor: Actor, overview: OrganisationOverview, forums: list[Forum]) -> None:
    organisation = overview.organisation
    initial = OrganisationFields.of(organisation, overview.forum_ids())
    with st.form("organisation"):
        fields, places = organisation_inputs(initial, forums)
        submitted = st.form_submit_button("Änderungen speichern", type="primary")
    saved = False
    if submitted:
        with user_errors(), shown_beside_fields(places), database.writing() as session:
            register.update_organisation(
                session=session,
                actor=actor,
                organisation_id=id_of(organisation),
                fields=fields,
            )
            saved = True
    if saved:
        done("Das Mitglied ist gespeichert.")
    st.divider()
    standing(actor, overview)


def standing(actor: Actor, overview: OrganisationOverview) -> None:
    organisation = overview.organisation
    if not organisation.active:
        st.subheader("Wieder aufnehmen")
        st.caption("Die Ansprechpersonen bleiben ausgeschieden, bis Sie sie einzeln aufnehmen.")
        if st.button("Mitglied wieder aufnehmen", icon=":material/undo:"):
            with user_errors(), database.writing() as session:
                register.reactivate_organisation(
                    session=session, actor=actor, organisation_id=id_of(organisation)
                )
            done("Das Mitglied ist wieder aufgenommen.")
        return
    st.subheader("Ausscheiden")
    active = sum(1 for row in overview.contacts if row.contact.active)
    st.caption(
        "Ein ausgeschiedenes Mitglied wird zu neuen Aufrufen nicht mehr eingeladen; seine "
        f"aktiven Ansprechpersonen ({active}) scheiden mit ihm aus. Stellungnahmen, "
        "Rückmeldungen und Verlauf bleiben erhalten."
    )
    places: dict[str, DeltaGenerator] = {}
    with st.form("retire"):
        until = st.date_input(
            "Ausgeschieden zum",
            value=today_in_berlin(),
            min_value=EARLIEST,
            format="DD.MM.YYYY",
        )
        places["member_until"] = st.empty()
        submitted = st.form_submit_button("Als ausgeschieden markieren")
    retired_on = None
    if submitted:
        with user_errors(), shown_beside_fields(places), database.writing() as session:
            retired = register.retire_organisation(
                session=session,
                actor=actor,
                organisation_id=id_of(organisation),
                until=until if isinstance(until, date) else None,
            )
            retired_on = retired.member_until
    if retired_on is not None:
        done(f"Das Mitglied ist zum {long_date(retired_on)} ausgeschieden.")


actor = auth.signed_in()
organisation_id = query_id("id", "Bitte wählen Sie ein Mitglied aus der Liste.")
with user_errors(), database.reading() as session:
    overview = register.organisation_overview(
        session=session, actor=actor, organisation_id=organisation_id
    )
    forums = register.forum_choices(session=session, actor=actor)

heading(overview)
manages = can(actor, Action.MEMBER_MANAGE)
active_contacts = sum(1 for row in overview.contacts if row.contact.active)
tab_names = [
    "Überblick",
    f"Ansprechpersonen ({active_contacts})",
    f"Aufrufe und Stellungnahmen ({len(overview.calls)})",
    f"Papiere ({len(overview.reviews)})",
]
if manages:
    tab_names.append("Bearbeiten")
tabs = st.tabs(tab_names)
with tabs[0]:
    overview_tab(actor, overview)
with tabs[1]:
    contacts_tab(actor, overview)
with tabs[2]:
    calls_tab(actor, overview)
with tabs[3]:
    reviews_tab(overview)
if manages:
    with tabs[4]:
        edit_tab(actor, overview, forums)
