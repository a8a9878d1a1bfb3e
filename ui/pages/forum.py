"""One forum: overview, meetings, calls, documents and (for staff) its settings."""

from datetime import date, timedelta

import streamlit as st

from db.models import CallStatus, id_of
from exports.ics import build_calendar
from positions.core import labels
from positions.core.clock import today_in_berlin
from positions.core.errors import InvalidInput
from positions.core.formatting import date_time, long_date, short_date
from positions.core.permissions import Action, Actor, can
from positions.core.working_days import derived_deadlines
from positions.forums import calendar, calls, forums, meetings
from positions.forums.forums import ForumFields, ForumOverview
from ui import auth, calendar_feeds, database, outcomes_view
from ui.forms import documents_section, forum_fields, meeting_fields
from ui.widgets import (
    deadline_badge,
    done,
    md,
    query_id,
    user_errors,
)


def overview_tab(actor: Actor, overview: ForumOverview, today: date) -> None:
    forum = overview.forum
    if forum.description:
        st.markdown(md(forum.description))
    if forum.url:
        st.link_button("Webseite des Forums", forum.url, icon=":material/open_in_new:")
    next_meeting_and_deadline(overview, today)
    open_calls(actor, overview, today)
    groups_and_delegates(overview)
    if actor.acts_for_association:
        papers_and_outcomes(overview)
    with database.reading() as session:
        events = calendar.events_for_forum(session=session, actor=actor, forum_id=id_of(forum))
        name = calendar.calendar_name(session=session, forum_id=id_of(forum))
    st.download_button(
        "Kalender des Forums (.ics)",
        build_calendar(events, name=name),
        file_name=f"{forum.short_name}.ics",
        mime="text/calendar",
        icon=":material/calendar_month:",
        on_click="ignore",
    )
    calendar_feeds.forum_feed_section(actor, id_of(forum))


def next_meeting_and_deadline(overview: ForumOverview, today: date) -> None:
    meeting_column, deadline_column = st.columns(2)
    with meeting_column:
        st.subheader("Nächste Sitzung")
        meeting = overview.next_meeting
        if meeting:
            st.markdown(f"**{md(meeting.title)}**  \n{date_time(meeting.starts_at)}")
            st.caption(md(meeting.place) or ("online" if meeting.online_url else ""))
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
            st.markdown(
                f"**{deadline.kind} am {long_date(deadline.day)}**  \n{md(summary.call.title)}"
            )
            deadline_badge(deadline, today=today)
        else:
            st.caption("Keine offene Frist.")


def groups_and_delegates(overview: ForumOverview) -> None:
    if overview.working_groups:
        st.subheader("Arbeitsgruppen")
        for group in overview.working_groups:
            st.markdown(f"- {md(group.name)}")
    if overview.delegates:
        st.subheader("Unsere Vertretung")
        for delegate in overview.delegates:
            role = "Vertretung" if delegate.substitute else "Delegierte(r)"
            st.markdown(f"- {md(delegate.name)} ({role})")


def papers_and_outcomes(overview: ForumOverview) -> None:
    st.subheader("Papiere")
    if not overview.papers_by_status:
        st.caption("Noch kein Papier für dieses Forum.")
    for status, status_papers in overview.papers_by_status.items():
        st.markdown(f"**{labels.PAPER_STATUS[status]}**")
        for paper in status_papers:
            st.page_link(
                "ui/pages/paper.py",
                icon=":material/article:",
                label=md(f"{paper.title} ({labels.PAPER_KIND[paper.kind]})"),
                query_params={"papier": str(paper.id)},
            )
    if overview.outcomes:
        st.subheader("Ergebnisse")
        for outcome in overview.outcomes:
            when = f" ({short_date(outcome.published_on)})" if outcome.published_on else ""
            st.markdown(f"- {md(outcome.title)}{when}")


def open_calls(actor: Actor, overview: ForumOverview, today: date) -> None:
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
            for deadline in (
                summary.deadlines if actor.acts_for_association else summary.deadlines[:1]
            ):
                deadline_badge(deadline, today=today)
            if actor.acts_for_association and summary.invited:
                st.progress(
                    summary.answered / summary.invited,
                    text=f"{summary.answered} von {summary.invited} Mitgliedern haben geantwortet",
                )


def meetings_tab(actor: Actor, overview: ForumOverview) -> None:
    for heading, items in (
        ("Kommende Sitzungen", overview.upcoming_meetings),
        ("Letzte Sitzungen", overview.past_meetings),
    ):
        st.subheader(heading)
        if not items:
            st.caption("Keine.")
        for meeting in items:
            where = md(meeting.place) or ("online" if meeting.online_url else "")
            st.page_link(
                "ui/pages/meeting.py",
                label=md(f"{date_time(meeting.starts_at)} · {meeting.title}"),
                icon=":material/event:",
                query_params={"sitzung": str(meeting.id)},
                help=where or None,
            )
    if not can(actor, Action.MEETING_MANAGE):
        return
    with database.reading() as session:
        people = meetings.association_people(session=session, actor=actor)
    groups = {id_of(g): g.name for g in overview.working_groups}
    with st.expander("Neue Sitzung planen", icon=":material/add:"), st.form("new-meeting"):
        fields = meeting_fields(people, groups, attendee_ids=(actor.user_id,))
        if st.form_submit_button("Sitzung anlegen", type="primary"):
            with user_errors(), database.writing() as session:
                meetings.create_meeting(
                    session=session, actor=actor, forum_id=id_of(overview.forum), fields=fields
                )
            done("Sitzung angelegt.")


def calls_tab(actor: Actor, overview: ForumOverview, today: date) -> None:
    open_calls(actor, overview, today)
    if not can(actor, Action.CALL_MANAGE):
        return
    forum = overview.forum
    with database.reading() as session:
        members = calls.member_organisations(session=session, actor=actor)
        # A Fachforum's members may be asked from another forum's page (e.g. the
        # Transformationsdialog asks the members of the Fachforum Automobil).
        with_members = {
            id_of(s.forum): s.forum.name
            for s in forums.list_forums(session=session, actor=actor)
            if forums.forum_member_ids(session=session, forum_id=id_of(s.forum))
        }
    names = {id_of(o): o.name for o in members}
    with st.expander("Neuen Aufruf anlegen", icon=":material/add:"), st.form("new-call"):
        title = st.text_input("Titel", max_chars=300)
        question = st.text_area("Frage an die Mitglieder", height=120)
        external = st.date_input(
            "Externe Frist (Abgabe beim Forum)", value=None, min_value=today, format="DD.MM.YYYY"
        )
        st.caption(
            f"Mitglieder- und Vorstandsfrist ergeben sich aus der externen Frist: "
            f"{forum.member_deadline_offset} und {forum.board_deadline_offset} Arbeitstage "
            "vorher (ohne Wochenenden und Feiertage in NRW). Sie können sie hier von Hand "
            "setzen."
        )
        member_column, board_column = st.columns(2)
        member = member_column.date_input(
            "Mitgliederfrist (leer: berechnet)", value=None, format="DD.MM.YYYY"
        )
        board = board_column.date_input(
            "Vorstandsfrist (leer: berechnet)", value=None, format="DD.MM.YYYY"
        )
        audience = (
            st.radio(
                "Eingeladen werden",
                list(calls.Audience),
                format_func=lambda a: labels.AUDIENCE[a],
                horizontal=True,
            )
            or calls.Audience.ALL_MEMBERS
        )
        member_forums = list(with_members)
        member_forum = st.selectbox(
            "Forum, dessen Mitglieder eingeladen werden",
            member_forums,
            index=member_forums.index(id_of(forum)) if forum.id in with_members else None,
            format_func=lambda i: with_members[i],
            placeholder="Forum wählen",
            help="Nur bei „die Mitglieder eines Forums“.",
        )
        picked = st.multiselect(
            "Ausgewählte Mitglieder",
            list(names),
            format_func=lambda i: names[i],
            placeholder="Mitglieder wählen",
        )
        if st.form_submit_button("Aufruf anlegen", type="primary"):
            with user_errors():
                if external is None:
                    raise InvalidInput("Bitte geben Sie die externe Frist an.")
                with database.writing() as session:
                    invited = calls.audience_ids(
                        session=session,
                        actor=actor,
                        audience=audience,
                        forum_id=member_forum,
                        picked=picked,
                    )
                    call = calls.create_call(
                        session=session,
                        actor=actor,
                        forum=forum,
                        title=title,
                        question=question,
                        external_deadline=external,
                        member_deadline=member,
                        board_deadline=board,
                        invited_organisation_ids=invited,
                        status=CallStatus.OPEN,
                    )
                    call_id = id_of(call)
            st.switch_page("ui/pages/call.py", query_params={"aufruf": str(call_id)})
    example = today + timedelta(days=42)
    member_example, board_example = derived_deadlines(
        example,
        member_offset=forum.member_deadline_offset,
        board_offset=forum.board_deadline_offset,
    )
    st.caption(
        f"Beispiel: externe Frist {short_date(example)} → Mitgliederfrist "
        f"{short_date(member_example)}, Vorstandsfrist {short_date(board_example)}."
    )


def documents_tab(actor: Actor, forum_id: int) -> None:
    documents_section(
        actor,
        forum_id=forum_id,
        may_upload=can(actor, Action.FORUM_MANAGE),
        empty="Noch keine Dokumente.",
        upload_label="Dokument hinzufügen",
        stored="Dokument gespeichert.",
    )


def settings_tab(actor: Actor, overview: ForumOverview) -> None:
    edit_forum(actor, overview)
    representation(actor, overview)
    working_groups(actor, overview)
    forum_members(actor, id_of(overview.forum))
    archive(actor, overview)


def edit_forum(actor: Actor, overview: ForumOverview) -> None:
    forum = overview.forum
    with st.form("edit-forum"):
        fields = forum_fields(
            ForumFields(
                name=forum.name,
                short_name=forum.short_name,
                kind=forum.kind,
                host_institution=forum.host_institution,
                ministry=forum.ministry,
                url=forum.url,
                description=forum.description,
                notes=forum.notes,
                member_deadline_offset=forum.member_deadline_offset,
                board_deadline_offset=forum.board_deadline_offset,
            )
        )
        if st.form_submit_button("Änderungen speichern", type="primary"):
            with user_errors(), database.writing() as session:
                forums.update_forum(
                    session=session, actor=actor, forum_id=id_of(forum), fields=fields
                )
            done("Forum gespeichert.")


def representation(actor: Actor, overview: ForumOverview) -> None:
    st.subheader("Vertretung im Forum")
    with database.reading() as session:
        people = meetings.association_people(session=session, actor=actor)
    names = {id_of(p): p.name for p in people}
    email_to_id = {p.email: id_of(p) for p in people}
    current = [
        (email_to_id[d.email], d.substitute) for d in overview.delegates if d.email in email_to_id
    ]
    with st.form("delegates"):
        delegates = st.multiselect(
            "Delegierte",
            list(names),
            format_func=lambda i: names[i],
            default=[i for i, substitute in current if not substitute],
            placeholder="Personen wählen",
        )
        substitutes = st.multiselect(
            "Vertretungen",
            list(names),
            format_func=lambda i: names[i],
            default=[i for i, substitute in current if substitute],
            placeholder="Personen wählen",
        )
        if st.form_submit_button("Vertretung speichern"):
            with user_errors(), database.writing() as session:
                forums.set_delegates(
                    session=session,
                    actor=actor,
                    forum_id=id_of(overview.forum),
                    delegate_ids=delegates,
                    substitute_ids=substitutes,
                )
            done("Vertretung gespeichert.")


def working_groups(actor: Actor, overview: ForumOverview) -> None:
    st.subheader("Arbeitsgruppen")
    for group in overview.working_groups:
        name_column, action_column = st.columns([4, 1])
        name_column.markdown(md(group.name))
        if action_column.button("Archivieren", key=f"archive-group-{group.id}"):
            with user_errors(), database.writing() as session:
                forums.set_working_group_active(
                    session=session, actor=actor, group_id=id_of(group), active=False
                )
            done("Arbeitsgruppe archiviert.")
    with st.form("new-group", clear_on_submit=True):
        group_name = st.text_input("Neue Arbeitsgruppe")
        if st.form_submit_button("Hinzufügen"):
            with user_errors(), database.writing() as session:
                forums.add_working_group(
                    session=session, actor=actor, forum_id=id_of(overview.forum), name=group_name
                )
            done("Arbeitsgruppe angelegt.")


def forum_members(actor: Actor, forum_id: int) -> None:
    st.subheader("Mitglieder im Forum")
    with database.reading() as session:
        member_ids = forums.forum_member_ids(session=session, forum_id=forum_id)
        members = calls.member_organisations(session=session, actor=actor)
    names = {id_of(o): o.name for o in members}
    with st.form("forum-members"):
        chosen = st.multiselect(
            "Mitgliedsunternehmen, die in diesem Forum mitarbeiten (z. B. in einem Fachforum)",
            list(names),
            default=[i for i in member_ids if i in names],
            format_func=lambda i: names[i],
            placeholder="Mitglieder wählen",
        )
        if st.form_submit_button("Mitglieder speichern"):
            with user_errors(), database.writing() as session:
                forums.set_forum_members(
                    session=session, actor=actor, forum_id=forum_id, organisation_ids=chosen
                )
            done("Mitglieder gespeichert.")


def archive(actor: Actor, overview: ForumOverview) -> None:
    st.subheader("Archiv")
    active = overview.forum.active
    label = "Forum archivieren" if active else "Forum wieder aktivieren"
    if st.button(label, icon=":material/archive:" if active else ":material/unarchive:"):
        with user_errors(), database.writing() as session:
            forums.set_forum_active(
                session=session, actor=actor, forum_id=id_of(overview.forum), active=not active
            )
        done("Forum archiviert." if active else "Forum wieder aktiv.")


actor = auth.signed_in()
today = today_in_berlin()
forum_id = query_id("forum", "Bitte wählen Sie ein Forum aus der Liste.")
with user_errors(), database.reading() as session:
    overview = forums.forum_overview(session=session, actor=actor, forum_id=forum_id)

forum = overview.forum
st.page_link("ui/pages/forums.py", label="Alle Foren", icon=":material/arrow_back:")
st.title(md(forum.name))
st.caption(
    " · ".join(
        md(part)
        for part in (
            forum.short_name,
            labels.FORUM_KIND[forum.kind],
            forum.host_institution,
            "" if forum.active else "archiviert",
        )
        if part
    )
)

if not actor.acts_for_association:
    overview_tab(actor, overview, today)
    st.stop()

tab_names = ["Überblick", "Sitzungen", "Aufrufe", "Dokumente", "Ergebnisse"]
if can(actor, Action.FORUM_MANAGE):
    tab_names.append("Einstellungen")
tabs = st.tabs(tab_names)
with tabs[0]:
    overview_tab(actor, overview, today)
with tabs[1]:
    meetings_tab(actor, overview)
with tabs[2]:
    calls_tab(actor, overview, today)
with tabs[3]:
    documents_tab(actor, forum_id)
with tabs[4]:
    outcomes_view.outcomes_tab(actor, forum_id)
if len(tabs) > 5:
    with tabs[5]:
        settings_tab(actor, overview)
