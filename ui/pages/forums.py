"""All forums the person may see, with open calls, next deadline and next meeting; staff can
add a forum here."""

import streamlit as st

from db.models import id_of
from positions.core import labels
from positions.core.clock import today_in_berlin
from positions.core.formatting import date_time, days_left, short_date
from positions.core.permissions import Action, can
from positions.forums import forums
from ui import auth, database
from ui.forms import forum_fields
from ui.widgets import md, user_errors

actor = auth.signed_in()
today = today_in_berlin()
manages = can(actor, Action.FORUM_MANAGE)

st.title("Foren")

if manages:
    with st.expander("Neues Forum anlegen", icon=":material/add:"):
        with st.form("new-forum", clear_on_submit=False):
            fields = forum_fields()
            submitted = st.form_submit_button("Forum anlegen", type="primary")
        if submitted:
            with user_errors(), database.writing() as session:
                forum = forums.create_forum(session=session, actor=actor, fields=fields)
                forum_id = id_of(forum)
            st.switch_page("ui/pages/forum.py", query_params={"forum": str(forum_id)})

show_archived = manages and st.toggle("Archivierte Foren zeigen")
with database.reading() as session:
    forum_list = forums.list_forums(session=session, actor=actor, include_inactive=show_archived)

if not forum_list:
    st.info("Sie sind zurzeit in keinem Forum beteiligt.")

for kind, kind_label in labels.FORUM_KIND.items():
    of_kind = [s for s in forum_list if s.forum.kind == kind]
    if not of_kind:
        continue
    st.subheader("Interne Fachforen" if kind_label == "intern" else kind_label)
    for summary in of_kind:
        forum = summary.forum
        with st.container(border=True):
            name_column, facts_column = st.columns([2, 1])
            with name_column:
                archived = "" if forum.active else " (archiviert)"
                st.page_link(
                    "ui/pages/forum.py",
                    label=md(f"{forum.name} ({forum.short_name}){archived}"),
                    icon=":material/groups:",
                    query_params={"forum": str(forum.id)},
                )
                if forum.host_institution:
                    st.caption(md(forum.host_institution))
            with facts_column:
                if summary.next_deadline:
                    _, day = summary.next_deadline
                    st.markdown(
                        f"Nächste Frist: **{short_date(day)}** ({days_left(day, today=today)})"
                    )
                else:
                    st.markdown("Keine offene Frist")
                if summary.next_meeting:
                    st.caption(f"Nächste Sitzung: {date_time(summary.next_meeting.starts_at)}")
