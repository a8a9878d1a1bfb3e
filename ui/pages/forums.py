"""All forums the person may see, with open calls, next deadline and next meeting."""

import streamlit as st

from positions import forums, labels
from positions.clock import today_in_berlin
from positions.formatting import date_time, days_left, short_date
from ui import auth, database
from ui.widgets import md

actor = auth.signed_in()
today = today_in_berlin()

st.title("Foren")
with database.reading() as session:
    forum_list = forums.list_forums(session=session, actor=actor)

if not forum_list:
    st.info("Sie sind zurzeit in keinem Forum beteiligt.")

for kind, kind_label in labels.FORUM_KIND.items():
    of_kind = [s for s in forum_list if s.forum.kind == kind]
    if not of_kind:
        continue
    st.subheader(kind_label if kind_label != "intern" else "Interne Fachforen")
    for summary in of_kind:
        forum = summary.forum
        with st.container(border=True):
            name_column, facts_column = st.columns([2, 1])
            with name_column:
                st.page_link(
                    "ui/pages/forum.py",
                    label=md(f"{forum.name} ({forum.short_name})"),
                    icon=":material/groups:",
                    query_params={"forum": str(forum.id)},
                )
                if forum.host_institution:
                    st.caption(forum.host_institution)
            with facts_column:
                if summary.next_deadline:
                    call_summary, day = summary.next_deadline
                    st.markdown(
                        f"Nächste Frist: **{short_date(day)}** ({days_left(day, today=today)})"
                    )
                else:
                    st.markdown("Keine offene Frist")
                if summary.next_meeting:
                    st.caption(f"Nächste Sitzung: {date_time(summary.next_meeting.starts_at)}")
