"""Start page: what needs attention now, by role."""

from datetime import date

import pandas as pd
import streamlit as st

from db.models import Role, StatementStatus
from positions import calls, forums, labels, papers
from positions.clock import today_in_berlin
from positions.formatting import date_time, days_left, short_date
from positions.permissions import Actor
from ui import auth, database
from ui.widgets import deadline_badge, md, traffic_light


def member_start(actor: Actor, today: date) -> None:
    st.subheader("Ihre offenen Aufrufe")
    with database.reading() as session:
        member_calls = calls.calls_for_member(session=session, actor=actor, today=today)
    if not member_calls:
        st.info("Zurzeit bittet der Verband Sie um keine Stellungnahme.")
    for item in member_calls:
        with st.container(border=True):
            st.markdown(f"#### {md(item.call.title)}")
            st.caption(md(item.forum.name))
            deadline_badge(item.member_deadline, today=today)
            status = (
                labels.STATEMENT_STATUS[item.statement_status]
                if item.statement_status
                else "noch keine Stellungnahme"
            )
            if item.statement_status == StatementStatus.SUBMITTED:
                st.success(f"Ihre Stellungnahme: {status}", icon=":material/check:")
            else:
                st.markdown(f"Ihre Stellungnahme: **{status}**")
            st.page_link(
                "ui/pages/call.py",
                label="Aufruf öffnen",
                icon=":material/arrow_forward:",
                query_params={"aufruf": str(item.call.id)},
            )


def papers_for_approval(items: list[papers.PaperSummary]) -> None:
    st.subheader("Papiere zur Freigabe")
    if not items:
        st.info("Zurzeit wartet kein Papier auf die Freigabe des Vorstands.")
    for item in items:
        with st.container(border=True):
            st.markdown(f"#### {md(item.paper.title)}")
            version = item.latest_version
            facts = [labels.PAPER_KIND[item.paper.kind], md(item.forum.name)]
            if version:
                facts.append(
                    f"Version {version.number} „{md(version.label)}“ vom "
                    f"{date_time(version.created_at)}"
                )
            st.caption(" · ".join(facts))


def next_deadlines(deadlines: list[calls.UpcomingDeadline], today: date) -> None:
    st.subheader("Nächste Fristen")
    if not deadlines:
        st.info("In den nächsten acht Wochen steht keine Frist an.")
        return
    table = pd.DataFrame(
        {
            "Status": labels.DEADLINE_STATE[item.deadline.state],
            "Datum": short_date(item.deadline.day),
            "Noch": days_left(item.deadline.day, today=today),
            "Frist": item.deadline.kind + (" (von Hand)" if item.deadline.overridden else ""),
            "Aufruf": item.summary.call.title,
            "Forum": item.summary.forum.short_name,
            "Rückmeldungen": f"{item.summary.answered} von {item.summary.invited}",
        }
        for item in deadlines
    )
    st.dataframe(
        table.style.map(traffic_light, subset=["Status"]),
        hide_index=True,
        width="stretch",
        column_config={"Aufruf": st.column_config.TextColumn(width="medium")},
    )


def forum_links(forum_list: list[forums.ForumSummary], today: date) -> None:
    st.subheader("Foren")
    for summary in forum_list:
        details = []
        if summary.next_deadline:
            _, day = summary.next_deadline
            details.append(f"nächste Frist {short_date(day)} ({days_left(day, today=today)})")
        if summary.next_meeting:
            details.append(f"nächste Sitzung {date_time(summary.next_meeting.starts_at)}")
        st.page_link(
            "ui/pages/forum.py",
            label=md(f"{summary.forum.short_name} · {summary.forum.name}"),
            icon=":material/groups:",
            query_params={"forum": str(summary.forum.id)},
            help=" · ".join(details) or None,
        )


def association_start(actor: Actor, today: date) -> None:
    with database.reading() as session:
        deadlines = calls.upcoming_deadlines(session=session, actor=actor, today=today)
        awaiting = papers.papers_awaiting_approval(session=session, actor=actor)
        forum_list = (
            [] if actor.role == Role.BOARD else forums.list_forums(session=session, actor=actor)
        )
    if actor.role == Role.BOARD:
        papers_for_approval(awaiting)
    left, middle, right = st.columns(3)
    left.metric("Offene Aufrufe", len({d.summary.call.id for d in deadlines}))
    middle.metric(
        "Fristen in den nächsten 14 Tagen",
        sum(1 for d in deadlines if (d.deadline.day - today).days <= 14),
    )
    right.metric("Papiere zur Freigabe", len(awaiting))
    next_deadlines(deadlines, today)
    if forum_list:
        forum_links(forum_list, today)


actor = auth.signed_in()
st.title(f"Guten Tag, {md(actor.name)}")
if actor.role == Role.MEMBER:
    member_start(actor, today_in_berlin())
else:
    association_start(actor, today_in_berlin())
