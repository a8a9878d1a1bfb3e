"""One meeting: agenda, attendees, minutes, follow-ups and documents."""

from datetime import date

import streamlit as st

from db.models import id_of
from positions.core.clock import today_in_berlin
from positions.core.formatting import date_time, days_left, short_date
from positions.core.permissions import Action, Actor, can
from positions.forums import meetings
from positions.forums.meetings import MeetingDetail
from ui import auth, database
from ui.forms import documents_section, meeting_fields
from ui.widgets import done, md, query_id, user_errors


def facts(detail: MeetingDetail) -> None:
    meeting = detail.meeting
    end = f" bis {date_time(meeting.ends_at)[-9:]}" if meeting.ends_at else ""
    st.markdown(f"**{date_time(meeting.starts_at)}**{end}")
    if meeting.place:
        st.markdown(f"Ort: {md(meeting.place)}")
    if meeting.online_url:
        st.link_button("Online teilnehmen", meeting.online_url, icon=":material/videocam:")
    if detail.working_group:
        st.caption(f"Arbeitsgruppe: {md(detail.working_group.name)}")
    agenda_column, people_column = st.columns([3, 2])
    with agenda_column:
        st.subheader("Tagesordnung")
        if not detail.agenda_items:
            st.caption("Noch keine Tagesordnung.")
        for item in detail.agenda_items:
            st.markdown(f"- {md(item)}")
    with people_column:
        st.subheader("Teilnehmende")
        if not detail.attendees:
            st.caption("Noch niemand eingetragen.")
        for person in detail.attendees:
            st.markdown(f"- {md(person.name)}")


def minutes(actor: Actor, detail: MeetingDetail) -> None:
    st.subheader("Protokoll")
    if not can(actor, Action.MEETING_MANAGE):
        st.text(detail.meeting.minutes or "Noch kein Protokoll.")
        return
    with st.form("minutes"):
        text = st.text_area(
            "Protokoll", value=detail.meeting.minutes, height=200, label_visibility="collapsed"
        )
        if st.form_submit_button("Protokoll speichern"):
            with user_errors(), database.writing() as session:
                meetings.record_minutes(
                    session=session, actor=actor, meeting_id=id_of(detail.meeting), minutes=text
                )
            done("Protokoll gespeichert.")


def follow_ups(actor: Actor, detail: MeetingDetail, today: date) -> None:
    st.subheader("Aufgaben aus der Sitzung")
    if not detail.follow_ups:
        st.caption("Keine Aufgaben.")
    for item in detail.follow_ups:
        follow_up = item.follow_up
        text_column, action_column = st.columns([4, 1])
        due = (
            f" · fällig {short_date(follow_up.due_on)} ({days_left(follow_up.due_on, today=today)})"
            if follow_up.due_on
            else ""
        )
        state = "erledigt" if follow_up.done_at else "offen"
        text_column.markdown(f"{md(follow_up.text)}  \n*{md(item.owner.name)}{due} · {state}*")
        mine = follow_up.owner_id == actor.user_id
        if (mine or can(actor, Action.MEETING_MANAGE)) and action_column.button(
            "Wieder öffnen" if follow_up.done_at else "Erledigt",
            key=f"follow-up-{follow_up.id}",
        ):
            with user_errors(), database.writing() as session:
                meetings.set_follow_up_done(
                    session=session,
                    actor=actor,
                    follow_up_id=id_of(follow_up),
                    done=follow_up.done_at is None,
                )
            done("Aufgabe aktualisiert.")
    if not can(actor, Action.MEETING_MANAGE):
        return
    with database.reading() as session:
        people = meetings.association_people(session=session, actor=actor)
    names = {id_of(p): p.name for p in people}
    with st.form("new-follow-up", clear_on_submit=True):
        text = st.text_input("Neue Aufgabe")
        owner_column, due_column = st.columns(2)
        owner = owner_column.selectbox(
            "Verantwortlich",
            list(names),
            index=None,
            format_func=lambda i: names[i],
            placeholder="Person wählen",
        )
        due_on = due_column.date_input("Fällig am", value=None, format="DD.MM.YYYY")
        if st.form_submit_button("Aufgabe hinzufügen"):
            with user_errors(), database.writing() as session:
                meetings.add_follow_up(
                    session=session,
                    actor=actor,
                    meeting_id=id_of(detail.meeting),
                    text=text,
                    owner_id=owner,
                    due_on=due_on,
                )
            done("Aufgabe angelegt.")


def meeting_documents(actor: Actor, detail: MeetingDetail) -> None:
    st.subheader("Unterlagen")
    documents_section(
        actor,
        meeting_id=id_of(detail.meeting),
        may_upload=can(actor, Action.MEETING_MANAGE),
        empty="Keine Unterlagen.",
        upload_label="Unterlage oder Protokolldatei hinzufügen",
        stored="Unterlage gespeichert.",
    )


def edit(actor: Actor, detail: MeetingDetail) -> None:
    if not can(actor, Action.MEETING_MANAGE):
        return
    with database.reading() as session:
        people = meetings.association_people(session=session, actor=actor)
        groups = {
            g.id: g.name
            for g in meetings.working_groups_of(session=session, forum_id=id_of(detail.forum))
            if g.id is not None
        }
    with st.expander("Sitzung bearbeiten", icon=":material/edit:"), st.form("edit-meeting"):
        fields = meeting_fields(
            people,
            groups,
            initial=detail.meeting,
            attendee_ids=tuple(id_of(a) for a in detail.attendees),
        )
        if st.form_submit_button("Änderungen speichern", type="primary"):
            with user_errors(), database.writing() as session:
                meetings.update_meeting(
                    session=session, actor=actor, meeting_id=id_of(detail.meeting), fields=fields
                )
            done("Sitzung gespeichert.")


actor = auth.signed_in()
meeting_id = query_id("sitzung", "Bitte wählen Sie eine Sitzung aus.")
with user_errors(), database.reading() as session:
    detail = meetings.meeting_detail(session=session, actor=actor, meeting_id=meeting_id)

st.page_link(
    "ui/pages/forum.py",
    label=md(detail.forum.name),
    icon=":material/arrow_back:",
    query_params={"forum": str(detail.forum.id)},
)
st.title(md(detail.meeting.title))
facts(detail)
edit(actor, detail)
minutes(actor, detail)
follow_ups(actor, detail, today_in_berlin())
meeting_documents(actor, detail)
