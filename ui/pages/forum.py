"""One forum: facts, next meeting, open calls with their three deadlines, papers, documents."""

import streamlit as st

from positions import forums, labels
from positions.clock import today_in_berlin
from positions.errors import NotFound
from positions.formatting import date_time, long_date, short_date
from ui import auth, database
from ui.widgets import deadline_badge, md, user_errors

actor = auth.signed_in()
today = today_in_berlin()

forum_id = st.query_params.get("forum", "")
with user_errors():
    if not forum_id.isdigit():
        raise NotFound("Bitte wählen Sie ein Forum aus der Liste.")
    with database.reading() as session:
        overview = forums.forum_overview(session=session, actor=actor, forum_id=int(forum_id))

forum = overview.forum
st.page_link("ui/pages/forums.py", label="Alle Foren", icon=":material/arrow_back:")
st.title(md(forum.name))
st.caption(
    " · ".join(
        part
        for part in (forum.short_name, labels.FORUM_KIND[forum.kind], forum.host_institution)
        if part
    )
)
if forum.description:
    st.write(forum.description)
if forum.url:
    st.link_button("Webseite des Forums", forum.url, icon=":material/open_in_new:")

meeting_column, deadline_column = st.columns(2)
with meeting_column:
    st.subheader("Nächste Sitzung")
    meeting = overview.next_meeting
    if meeting:
        st.markdown(f"**{md(meeting.title)}**  \n{date_time(meeting.starts_at)}")
        st.caption(meeting.place or ("online" if meeting.online_url else ""))
    else:
        st.caption("Keine Sitzung geplant.")
with deadline_column:
    st.subheader("Nächste Frist")
    upcoming = sorted(
        (
            (deadline, summary)
            for summary in overview.open_calls
            if (deadline := summary.next_deadline)
        ),
        key=lambda pair: pair[0].day,
    )
    if upcoming:
        deadline, summary = upcoming[0]
        st.markdown(f"**{deadline.kind} am {long_date(deadline.day)}**  \n{md(summary.call.title)}")
        deadline_badge(deadline, today=today)
    else:
        st.caption("Keine offene Frist.")

st.subheader("Offene Aufrufe")
if not overview.open_calls:
    st.caption("Zurzeit kein offener Aufruf.")
for summary in overview.open_calls:
    with st.container(border=True):
        st.page_link(
            "ui/pages/call.py",
            label=md(summary.call.title),
            icon=":material/campaign:",
            query_params={"aufruf": str(summary.call.id)},
        )
        for deadline in summary.deadlines if actor.acts_for_association else summary.deadlines[:1]:
            deadline_badge(deadline, today=today)
        if actor.acts_for_association and summary.invited:
            st.progress(
                summary.answered / summary.invited,
                text=f"{summary.answered} von {summary.invited} Mitgliedern haben geantwortet",
            )

if overview.working_groups:
    st.subheader("Arbeitsgruppen")
    for group in overview.working_groups:
        st.markdown(f"- {md(group.name)}")

if overview.delegates:
    st.subheader("Unsere Vertretung")
    for delegate in overview.delegates:
        role = "Vertretung" if delegate.substitute else "Delegierte(r)"
        st.markdown(f"- {md(delegate.name)} ({role})")

if actor.acts_for_association:
    st.subheader("Papiere")
    if not overview.papers_by_status:
        st.caption("Noch kein Papier für dieses Forum.")
    for status, status_papers in overview.papers_by_status.items():
        st.markdown(f"**{labels.PAPER_STATUS[status]}**")
        for paper in status_papers:
            st.markdown(f"- {md(paper.title)} ({labels.PAPER_KIND[paper.kind]})")
    if overview.documents:
        st.subheader("Dokumente")
        for document in overview.documents:
            st.markdown(
                f"- {md(document.filename)} · {document.size // 1024} KB · "
                f"{date_time(document.uploaded_at)}"
            )
    if overview.outcomes:
        st.subheader("Ergebnisse")
        for outcome in overview.outcomes:
            when = f" ({short_date(outcome.published_on)})" if outcome.published_on else ""
            st.markdown(f"- {md(outcome.title)}{when}")
