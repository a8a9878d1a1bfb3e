"""Start page: what needs attention now, by role."""

from datetime import date

import streamlit as st

from db.models import Role, StatementStatus, id_of
from positions.core import labels
from positions.core.clock import today_in_berlin
from positions.core.formatting import date_time, days_left, short_date
from positions.core.permissions import Action, Actor, can
from positions.forums import calls, dashboard, forums, meetings
from positions.papers import papers
from ui import auth, database, setup_guide
from ui.widgets import deadline_badge, due_table, md, user_errors


def member_start(actor: Actor, today: date) -> None:
    with database.reading() as session:
        member_calls = calls.calls_for_member(session=session, actor=actor, today=today)
        shared = [] if actor.via_invitation else papers.list_papers(session=session, actor=actor)
    if shared:
        st.subheader("Papiere zur Beteiligung")
        for summary in shared:
            with st.container(border=True):
                st.page_link(
                    "ui/pages/paper.py",
                    label=md(summary.paper.title),
                    icon=":material/rate_review:",
                    query_params={"papier": str(summary.paper.id)},
                )
                if summary.paper.review_deadline:
                    deadline = summary.paper.review_deadline
                    st.caption(
                        f"Rückmeldung bis {short_date(deadline)} "
                        f"({days_left(deadline, today=today)})"
                    )
    st.subheader("Ihre offenen Aufrufe")
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
            st.page_link(
                "ui/pages/paper.py",
                label=md(item.paper.title),
                icon=":material/article:",
                query_params={"papier": str(item.paper.id)},
            )
            version = item.latest_version
            facts = [labels.PAPER_KIND[item.paper.kind], md(item.forum.name)]
            if version:
                facts.append(
                    f"Version {version.number} „{md(version.label)}“ vom "
                    f"{date_time(version.created_at)}"
                )
            st.caption(" · ".join(facts))


def next_deadlines(items: list[dashboard.DueItem], today: date) -> None:
    st.subheader("Nächste Fristen")
    if not items:
        st.info("In den nächsten acht Wochen steht keine Frist an.")
        return
    due_table(items, today=today)
    st.page_link(
        "ui/pages/deadlines.py",
        label="Alle Fristen mit Filtern und Kalender",
        icon=":material/event_upcoming:",
    )


def my_follow_ups(actor: Actor, items: list[meetings.FollowUpItem], today: date) -> None:
    st.subheader("Meine Aufgaben")
    for item in items:
        with st.container(border=True):
            text_column, action_column = st.columns([4, 1])
            due = (
                f" · fällig {short_date(item.follow_up.due_on)} "
                f"({days_left(item.follow_up.due_on, today=today)})"
                if item.follow_up.due_on
                else ""
            )
            text_column.markdown(md(item.follow_up.text))
            text_column.caption(f"{md(item.forum.short_name)} · {md(item.meeting.title)}{due}")
            if action_column.button(
                "Erledigt", key=f"done-{item.follow_up.id}", icon=":material/check:"
            ):
                with user_errors(), database.writing() as session:
                    meetings.set_follow_up_done(
                        session=session, actor=actor, follow_up_id=id_of(item.follow_up), done=True
                    )
                st.rerun()


def forum_links(actor: Actor, forum_list: list[forums.ForumSummary], today: date) -> None:
    st.subheader("Foren")
    if not forum_list:
        st.info(
            "Noch ist kein Forum angelegt. Legen Sie die Foren an, in denen der Verband "
            "mitarbeitet: ihre Sitzungen, Aufrufe und Fristen erscheinen dann hier."
            if can(actor, Action.FORUM_MANAGE)
            else "Noch ist kein Forum angelegt.",
            icon=":material/groups:",
        )
        st.page_link("ui/pages/forums.py", label="Zu den Foren", icon=":material/arrow_forward:")
        return
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
        deadlines = dashboard.due_items(session=session, actor=actor, today=today)
        tasks = meetings.open_follow_ups(session=session, actor=actor, owner_id=actor.user_id)
        awaiting = papers.papers_awaiting_approval(session=session, actor=actor)
        forum_list = (
            [] if actor.role == Role.BOARD else forums.list_forums(session=session, actor=actor)
        )
    setup_guide.show(actor)
    if actor.role == Role.BOARD:
        papers_for_approval(awaiting)
    left, middle, right = st.columns(3)
    left.metric("Offene Aufrufe", len({d.call_id for d in deadlines if d.call_id}))
    middle.metric(
        "Fristen in den nächsten 14 Tagen",
        sum(1 for d in deadlines if (d.day - today).days <= 14),
    )
    right.metric("Papiere zur Freigabe", len(awaiting))
    if tasks:
        my_follow_ups(actor, tasks, today)
    next_deadlines(deadlines, today)
    if actor.role != Role.BOARD:
        forum_links(actor, forum_list, today)


actor = auth.signed_in()
st.title(f"Guten Tag, {md(actor.name)}")
if actor.role == Role.MEMBER:
    member_start(actor, today_in_berlin())
else:
    association_start(actor, today_in_berlin())
