"""The deadline dashboard: everything due in the next weeks across forums (the uploads to the
Lobbyregister included), with filters, the papers sent to federal addressees with where they
stand in the Lobbyregister, and the calendar to subscribe to."""

from datetime import date

import pandas as pd
import streamlit as st

from db.models import id_of
from exports.ics import build_calendar
from positions.core import labels
from positions.core.clock import today_in_berlin
from positions.core.formatting import short_date
from positions.core.permissions import Action, can
from positions.forums import calendar, dashboard, forums, meetings
from positions.papers import lobbyregister
from ui import auth, database
from ui.widgets import due_table


def register_state(sent: lobbyregister.Sending, today: date) -> str:
    """E.g. "hochladen bis Do., 31.12.2026", "hochgeladen am …", "ausgenommen (§ 47 GGO)"."""
    if sent.uploaded_on is not None:
        return f"hochgeladen am {short_date(sent.uploaded_on)}"
    if sent.exemption is not None:
        return lobbyregister.EXEMPTION[sent.exemption]
    if not sent.has_duty:
        return "keine Pflicht (keine grundlegende Stellungnahme)"
    due = dashboard.lobbyregister_upload_due(sent.submission.submitted_on)
    return ("überfällig seit " if due < today else "hochladen bis ") + short_date(due)


def lobbyregister_overview(sent: list[lobbyregister.Sending], today: date) -> None:
    st.subheader("Lobbyregister")
    st.caption(
        "Grundlegende Stellungnahmen zu Regelungsvorhaben des Bundes gehören bis zum Ende des "
        "Quartals, in dem sie versandt wurden, ins Lobbyregister; ausgenommen sind solche, "
        "die in einer Verbändeanhörung (§ 47 GGO) oder Ausschussanhörung (§ 70 GO-BT) "
        "veröffentlicht wurden. Hochgeladene Papiere werden acht Jahre aufbewahrt."
    )
    if not sent:
        st.info("Noch kein Papier ging an den Bundestag oder die Bundesregierung.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Papier": s.paper.title,
                "Versandt": short_date(s.submission.submitted_on),
                "An": s.submission.recipient,
                "Adressatengruppe": s.recipient_group_label,
                "Lobbyregister": register_state(s, today),
                "Aufbewahren bis": short_date(s.keep_until) if s.keep_until else "",
            }
            for s in sent
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Papier": st.column_config.TextColumn(width="medium"),
            "An": st.column_config.TextColumn(width="small"),
            "Adressatengruppe": st.column_config.TextColumn(width="small"),
            "Lobbyregister": st.column_config.TextColumn(width="medium"),
        },
    )


actor = auth.signed_in()
today = today_in_berlin()

st.title("Fristen")
with database.reading() as session:
    forum_list = [s.forum for s in forums.list_forums(session=session, actor=actor)]
    people = meetings.association_people(session=session, actor=actor)

forum_names = {id_of(f): f"{f.short_name} · {f.name}" for f in forum_list}
person_names = {id_of(p): p.name for p in people}
forum_column, person_column, weeks_column = st.columns([2, 2, 1])
forum_id = forum_column.selectbox(
    "Forum",
    [None, *forum_names],
    placeholder="alle Foren",
    format_func=lambda i: "alle Foren" if i is None else forum_names[i],
)
person_id = person_column.selectbox(
    "Person",
    [None, *person_names],
    format_func=lambda i: "alle Personen" if i is None else person_names[i],
)
weeks = weeks_column.number_input("Wochen", min_value=1, max_value=52, value=8)
include_done = st.toggle("Erledigte zeigen")

with database.reading() as session:
    items = dashboard.due_items(
        session=session,
        actor=actor,
        today=today,
        weeks=int(weeks),
        forum_id=forum_id,
        person_id=person_id,
        include_done=include_done,
    )

counts = {state: sum(1 for i in items if i.state == state) for state in labels.DEADLINE_STATE}
columns = st.columns(len(counts))
for column, (state, count) in zip(columns, counts.items(), strict=True):
    column.metric(labels.DEADLINE_STATE[state], count)

if not items:
    st.info("Für diese Auswahl steht nichts an.")
else:
    due_table(items, today=today, height=min(38 + 35 * len(items), 720))
    st.caption(
        "Grün: offen · Orange: in höchstens fünf Arbeitstagen fällig · Rot: überfällig · "
        "Grau: erledigt. Arbeitstage ohne Wochenenden und Feiertage in NRW. Uploads ins "
        "Lobbyregister stehen hier vom Versand an, bis der Upload erfasst ist."
    )

with database.reading() as session:
    sendings = lobbyregister.sendings(session=session, actor=actor)
lobbyregister_overview(sendings, today)

st.subheader("Kalender")
with database.reading() as session:
    mine = calendar.events_for_person(session=session, actor=actor)
    my_name = calendar.calendar_name(session=session, person=actor)
    everything = (
        calendar.events_for_association(session=session, actor=actor)
        if can(actor, Action.DEADLINES_READ)
        else []
    )
    all_name = calendar.calendar_name(session=session)
mine_column, all_column = st.columns(2)
mine_column.download_button(
    "Mein Kalender (.ics)",
    build_calendar(mine, name=my_name),
    file_name="positionen-mein-kalender.ics",
    mime="text/calendar",
    icon=":material/calendar_month:",
    on_click="ignore",
)
all_column.download_button(
    "Alle Foren (.ics)",
    build_calendar(everything, name=all_name),
    file_name="positionen-alle-foren.ics",
    mime="text/calendar",
    icon=":material/calendar_month:",
    on_click="ignore",
)
st.caption(
    "Die Einträge behalten beim erneuten Import ihre Kennung: Ihr Kalender "
    "aktualisiert sie, statt sie doppelt anzulegen."
)
