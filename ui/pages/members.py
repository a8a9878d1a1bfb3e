"""Mitglieder: the member organisations with search and filter. Staff add an organisation
and import the member list (a preview first, then „Übernehmen“); everyone who may read the
register exports it."""

import hashlib
from datetime import date

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from db.models import MembershipStatus, id_of
from positions.core import labels
from positions.core.clock import today_in_berlin
from positions.core.errors import PositionenError
from positions.core.formatting import counted
from positions.core.permissions import Action, Actor, can
from positions.members import member_list, register
from positions.members.member_list import Outcome, Plan
from positions.members.register import MemberQuery, OrganisationFields, Standing
from ui import auth, database
from ui.field_errors import shown_beside_fields
from ui.widgets import md, user_errors

STANDINGS = {"aktive": Standing.ACTIVE, "ausgeschiedene": Standing.RETIRED, "alle": Standing.ALL}
_UPLOAD_ROUND = "members_upload_round"
_IMPORTED = "members_imported"
_PREVIEWS = "members_previews"


def directory(actor: Actor) -> None:
    with database.reading() as session:
        forums = register.forum_choices(session=session, actor=actor)
    forum_names = {id_of(f): f"{f.short_name} – {f.name}" for f in forums}
    text_column, status_column, forum_column, standing_column = st.columns([3, 2, 2, 2])
    text = text_column.text_input(
        "Suche", placeholder="Name, Kurzname, Ort, Ansprechperson oder E-Mail"
    )
    statuses: list[MembershipStatus | None] = [None, *MembershipStatus]
    status = status_column.selectbox(
        "Status",
        statuses,
        format_func=lambda s: "alle" if s is None else labels.MEMBERSHIP_STATUS[s],
    )
    forum_ids: list[int | None] = [None, *forum_names]
    forum_id = forum_column.selectbox(
        "Forum", forum_ids, format_func=lambda i: "alle" if i is None else forum_names[i]
    )
    standing = standing_column.selectbox("Anzeigen", list(STANDINGS))
    query = MemberQuery(
        text=text, status=status, forum_id=forum_id, standing=STANDINGS[standing or "aktive"]
    )
    with database.reading() as session:
        rows = register.search_organisations(session=session, actor=actor, query=query)
    st.caption(counted(len(rows), "Mitglied", "Mitglieder"))
    if not rows:
        st.info("Keine Mitglieder gefunden.")
        return
    table = pd.DataFrame(
        {
            "Name": [row.organisation.name for row in rows],
            "Kurzname": [row.organisation.short_name for row in rows],
            "Ort": [row.organisation.city for row in rows],
            "Status": [
                labels.MEMBERSHIP_STATUS[row.organisation.status]
                + ("" if row.organisation.active else " (ausgeschieden)")
                for row in rows
            ],
            "Fachforen": [", ".join(f.short_name for f in row.forums) for row in rows],
            "Ansprechpersonen": [row.active_contacts for row in rows],
        }
    )
    selection = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="members-table",
    )
    st.caption("Eine Zeile anklicken, um das Mitglied zu öffnen.")
    chosen = selection.selection.rows if selection else []
    if chosen:
        organisation_id = id_of(rows[chosen[0]].organisation)
        st.switch_page("ui/pages/organisation.py", query_params={"id": str(organisation_id)})


def new_organisation(actor: Actor) -> None:
    places: dict[str, DeltaGenerator] = {}
    with st.expander("Neues Mitglied anlegen", icon=":material/add:"), st.form("new-member"):
        name_column, short_column = st.columns([3, 1])
        with name_column:
            name = st.text_input("Name der Organisation", max_chars=200)
            places["name"] = st.empty()
        with short_column:
            short_name = st.text_input("Kurzname", max_chars=60)
            places["short_name"] = st.empty()
        kind_column, status_column, since_column, city_column = st.columns(4)
        with kind_column:
            kind = st.selectbox(
                "Art",
                register.MEMBER_KINDS,
                format_func=lambda k: labels.ORGANISATION_KIND[k],
            )
            places["kind"] = st.empty()
        with status_column:
            status = st.selectbox(
                "Status",
                list(MembershipStatus),
                format_func=lambda s: labels.MEMBERSHIP_STATUS[s],
            )
        with since_column:
            since = st.date_input(
                "Mitglied seit",
                value=today_in_berlin(),
                min_value=date(1900, 1, 1),
                format="DD.MM.YYYY",
            )
        with city_column:
            city = st.text_input("Ort", max_chars=100)
            places["city"] = st.empty()
        submitted = st.form_submit_button("Mitglied anlegen", type="primary")
    if not submitted:
        return
    fields = OrganisationFields(
        name=name,
        short_name=short_name,
        kind=kind or register.MEMBER_KINDS[0],
        status=status or MembershipStatus.MEMBER,
        member_since=since if isinstance(since, date) else None,
        city=city,
    )
    organisation_id = None
    with user_errors(), shown_beside_fields(places), database.writing() as session:
        organisation = register.create_organisation(session=session, actor=actor, fields=fields)
        organisation_id = id_of(organisation)
    if organisation_id is not None:
        st.switch_page("ui/pages/organisation.py", query_params={"id": str(organisation_id)})


# --- import ---------------------------------------------------------------------------------


def import_list(actor: Actor) -> None:
    st.subheader("Mitgliederliste importieren")
    st.caption(
        "Excel (.xlsx) oder CSV (UTF-8, Semikolon oder Komma) mit den Spalten "
        + ", ".join(f"„{column}“" for column in member_list.COLUMNS)
        + " in beliebiger Reihenfolge; „Fachforen“ enthält die Kurznamen der Foren, durch "
        "Kommas getrennt. Organisationen werden am Namen erkannt, Ansprechpersonen an der "
        "E-Mail-Adresse. Sie sehen zuerst, was sich ändern würde; gespeichert wird erst mit "
        "„Übernehmen“, und nur wenn die ganze Datei in Ordnung ist."
    )
    imported = st.session_state.pop(_IMPORTED, None)
    if isinstance(imported, str):
        st.success(imported, icon=":material/check_circle:")
    round_ = int(st.session_state.get(_UPLOAD_ROUND, 0))
    upload = st.file_uploader(
        "Mitgliederliste (.xlsx oder .csv)", type=["xlsx", "csv"], key=f"member-list-{round_}"
    )
    if upload is None:
        return
    try:
        listed = _read(upload.name, upload.getvalue())
    except PositionenError as error:
        st.error(md(error.message), icon=":material/block:")
        return
    if listed.ignored:
        st.info(
            "Diese Spalten werden nicht gelesen (ignoriert): "
            + ", ".join(f"„{md(column)}“" for column in listed.ignored),
            icon=":material/info:",
        )
    with user_errors(), database.reading() as session:
        plan = member_list.plan_import(session=session, actor=actor, member_list=listed)
    if plan.refused:
        problems(plan.filename, plan.problems)
        return
    preview(plan)
    if not plan.changes_anything:
        st.success(
            "Die Datei stimmt mit dem Mitgliederverzeichnis überein; es gibt nichts zu übernehmen.",
            icon=":material/check_circle:",
        )
        return
    if st.button("Übernehmen", type="primary", icon=":material/done_all:"):
        apply(actor, listed, round_)


def _read(filename: str, data: bytes) -> member_list.MemberList:
    """The file read once per upload (the page runs again on every click)."""
    previews = st.session_state.setdefault(_PREVIEWS, {})
    key = (filename, hashlib.sha256(data).hexdigest())
    if key not in previews:
        previews.clear()
        previews[key] = member_list.read_member_list(filename, data)
    listed: member_list.MemberList = previews[key]
    return listed


def problems(filename: str, lines: tuple[str, ...]) -> None:
    st.error(
        f"„{md(filename)}“ wird nicht übernommen: "
        + counted(len(lines), "Problem", "Probleme")
        + ". Es wurde nichts gespeichert; bitte korrigieren Sie die Datei und laden Sie sie "
        "erneut hoch.",
        icon=":material/block:",
    )
    with st.container(height=min(400, 40 + 28 * len(lines))):
        st.markdown("\n".join(f"- {md(line)}" for line in lines))


def preview(plan: Plan) -> None:
    new = plan.organisations_with(Outcome.NEW), plan.contacts_with(Outcome.NEW)
    changed = plan.organisations_with(Outcome.CHANGED), plan.contacts_with(Outcome.CHANGED)
    same = plan.organisations_with(Outcome.UNCHANGED), plan.contacts_with(Outcome.UNCHANGED)
    st.markdown(
        " · ".join(
            f"**{label}:** {counted(len(organisations), 'Organisation', 'Organisationen')}, "
            f"{counted(len(contacts), 'Ansprechperson', 'Ansprechpersonen')}"
            for label, (organisations, contacts) in (
                ("Neu", new),
                ("Geändert", changed),
                ("Unverändert", same),
            )
        )
        + f" · **Nicht in der Datei:** "
        f"{counted(len(plan.not_in_file), 'Ansprechperson', 'Ansprechpersonen')}"
    )
    tabs = st.tabs(
        [
            f"Neu ({len(new[0]) + len(new[1])})",
            f"Geändert ({len(changed[0]) + len(changed[1])})",
            f"Unverändert ({len(same[0]) + len(same[1])})",
            f"Nicht in der Datei ({len(plan.not_in_file)})",
        ]
    )
    for tab, (organisations, contacts) in zip(tabs[:3], (new, changed, same), strict=True):
        with tab:
            plan_table(organisations, contacts)
    with tabs[3]:
        if plan.not_in_file:
            st.caption(
                "Ansprechpersonen der Organisationen in der Datei, die die Datei nicht nennt. "
                "Sie bleiben, wie sie sind; wer ausgeschieden ist, wird auf der Seite des "
                "Mitglieds als ausgeschieden markiert."
            )
            st.dataframe(
                pd.DataFrame(
                    {
                        "Organisation": [a.organisation for a in plan.not_in_file],
                        "Name": [a.name for a in plan.not_in_file],
                        "E-Mail": [a.email for a in plan.not_in_file],
                    }
                ),
                hide_index=True,
                width="stretch",
            )
        else:
            st.caption("Keine.")


def plan_table(
    organisations: list[member_list.OrganisationPlan], contacts: list[member_list.ContactPlan]
) -> None:
    if not organisations and not contacts:
        st.caption("Keine.")
        return
    rows = [
        {
            "Zeile": ", ".join(map(str, o.rows)),
            "Was": "Organisation",
            "Organisation": o.name,
            "Name": "",
            "E-Mail": "",
            "Änderungen": changes(o.changes),
        }
        for o in organisations
    ] + [
        {
            "Zeile": str(c.row),
            "Was": "Ansprechperson",
            "Organisation": c.organisation,
            "Name": c.name,
            "E-Mail": c.email,
            "Änderungen": changes(c.changes),
        }
        for c in contacts
    ]
    table = pd.DataFrame(rows)
    if not table["Änderungen"].any():
        table = table.drop(columns=["Änderungen"])
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"Änderungen": st.column_config.TextColumn(width="large")},
    )


def changes(items: tuple[member_list.Change, ...]) -> str:
    return "; ".join(f"{c.what}: {c.before or '–'} → {c.after or '–'}" for c in items)


def apply(actor: Actor, listed: member_list.MemberList, round_: int) -> None:
    bar = st.progress(0.0, text="Die Liste wird übernommen …")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"{done} von {total} übernommen …")

    try:
        with database.writing() as session:
            plan = member_list.apply_import(
                session=session, actor=actor, member_list=listed, progress=progress
            )
    except member_list.ImportRefused as refusal:
        bar.empty()
        problems(listed.filename, refusal.problems)
        return
    except PositionenError as error:
        bar.empty()
        st.error(md(error.message), icon=":material/block:")
        return
    organisations = plan.organisations_with(Outcome.NEW), plan.organisations_with(Outcome.CHANGED)
    contacts = plan.contacts_with(Outcome.NEW), plan.contacts_with(Outcome.CHANGED)
    st.session_state[_IMPORTED] = (
        f"„{md(plan.filename)}“ übernommen: "
        f"{counted(len(organisations[0]), 'Organisation', 'Organisationen')} neu, "
        f"{len(organisations[1])} geändert; "
        f"{counted(len(contacts[0]), 'Ansprechperson', 'Ansprechpersonen')} neu, "
        f"{len(contacts[1])} geändert."
    )
    st.session_state[_UPLOAD_ROUND] = round_ + 1
    st.session_state.pop(_PREVIEWS, None)
    st.rerun()


# --- export ---------------------------------------------------------------------------------


def export(actor: Actor) -> None:
    st.subheader("Mitgliederliste exportieren")
    st.caption(
        "Aktive Mitglieder und Ansprechpersonen mit denselben Spalten wie beim Import; eine "
        "exportierte Liste lässt sich unverändert wieder einlesen."
    )

    def workbook() -> bytes:
        with database.reading() as session:
            return member_list.export_xlsx(session=session, actor=actor)

    def table() -> bytes:
        with database.reading() as session:
            return member_list.export_csv(session=session, actor=actor)

    today = today_in_berlin().isoformat()
    xlsx_column, csv_column = st.columns(2)
    xlsx_column.download_button(
        "Excel (.xlsx)",
        data=workbook,
        file_name=f"Mitglieder-{today}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        icon=":material/download:",
    )
    csv_column.download_button(
        "CSV (.csv)",
        data=table,
        file_name=f"Mitglieder-{today}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
    )


actor = auth.signed_in()
manages = can(actor, Action.MEMBER_MANAGE)
st.title("Mitglieder")

register_tab, list_tab = st.tabs(["Verzeichnis", "Import und Export" if manages else "Export"])
with register_tab:
    if manages:
        new_organisation(actor)
    directory(actor)
with list_tab:
    if manages:
        import_list(actor)
        st.divider()
    export(actor)
