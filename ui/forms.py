"""Forms that more than one page uses: a forum's fields, a meeting's fields, and the documents
of a forum or a meeting with their upload."""

from __future__ import annotations

from datetime import date, time, timedelta

import streamlit as st

from db.models import ForumKind, Meeting, User
from positions.core import labels
from positions.core.clock import BERLIN, today_in_berlin
from positions.core.permissions import Actor
from positions.forums import documents
from positions.forums.forums import ForumFields
from positions.forums.meetings import MeetingFields
from positions.uploads import filing
from ui import database
from ui.widgets import at_berlin, document_download, done, user_errors

KINDS = list(ForumKind)


def forum_fields(initial: ForumFields | None = None) -> ForumFields:
    """The inputs of a forum (inside an st.form); returns what is entered."""
    initial = initial or ForumFields(name="", short_name="", kind=ForumKind.FEDERAL)
    name_column, short_column, kind_column = st.columns([3, 1, 1])
    name = name_column.text_input("Name", value=initial.name, max_chars=200)
    short_name = short_column.text_input("Kurzname", value=initial.short_name, max_chars=40)
    kind = kind_column.selectbox(
        "Art", KINDS, index=KINDS.index(initial.kind), format_func=lambda k: labels.FORUM_KIND[k]
    )
    host_column, ministry_column = st.columns(2)
    host = host_column.text_input("Gastgebende Institution", value=initial.host_institution)
    ministry = ministry_column.text_input("Ministerium", value=initial.ministry)
    url = st.text_input("Webseite", value=initial.url, placeholder="https://")
    description = st.text_area("Beschreibung", value=initial.description, height=90)
    notes = st.text_area("Notizen (nur intern)", value=initial.notes, height=70)
    member_column, board_column = st.columns(2)
    member_offset = member_column.number_input(
        "Mitgliederfrist: Arbeitstage vor der externen Frist",
        min_value=0,
        max_value=60,
        value=initial.member_deadline_offset,
        step=1,
    )
    board_offset = board_column.number_input(
        "Vorstandsfrist: Arbeitstage vor der externen Frist",
        min_value=0,
        max_value=60,
        value=initial.board_deadline_offset,
        step=1,
    )
    return ForumFields(
        name=name,
        short_name=short_name,
        kind=kind,
        host_institution=host,
        ministry=ministry,
        url=url,
        description=description,
        notes=notes,
        member_deadline_offset=int(member_offset),
        board_deadline_offset=int(board_offset),
    )


def meeting_fields(
    people: list[User],
    groups: dict[int, str],
    initial: Meeting | None = None,
    attendee_ids: tuple[int, ...] = (),
) -> MeetingFields:
    """The inputs of a meeting (inside an st.form)."""
    start = initial.starts_at.astimezone(BERLIN) if initial else None
    end = initial.ends_at.astimezone(BERLIN) if initial and initial.ends_at else None
    title = st.text_input("Titel", value=initial.title if initial else "")
    day_column, from_column, to_column = st.columns(3)
    day: date | None = day_column.date_input(
        "Datum",
        value=start.date() if start else None,
        format="DD.MM.YYYY",
        min_value=today_in_berlin() - timedelta(days=3650),
    )
    begins = from_column.time_input("Beginn", value=start.time() if start else time(10, 0))
    ends = to_column.time_input("Ende", value=end.time() if end else None)
    place_column, link_column = st.columns(2)
    place = place_column.text_input("Ort", value=initial.place if initial else "")
    online = link_column.text_input(
        "Link zur Online-Sitzung",
        value=initial.online_url if initial else "",
        placeholder="https://",
    )
    group_ids = [None, *groups]
    group = st.selectbox(
        "Arbeitsgruppe",
        group_ids,
        index=group_ids.index(initial.working_group_id) if initial else 0,
        format_func=lambda g: "– keine –" if g is None else groups[g],
    )
    agenda = st.text_area(
        "Tagesordnung (ein Punkt pro Zeile)", value=initial.agenda if initial else "", height=120
    )
    names = {u.id: u.name for u in people if u.id is not None}
    attendees = st.multiselect(
        "Teilnehmende aus dem Verband",
        list(names),
        default=[i for i in attendee_ids if i in names],
        format_func=lambda i: names[i],
        placeholder="Personen wählen",
    )
    return MeetingFields(
        title=title,
        starts_at=at_berlin(day, begins) if day else None,
        ends_at=at_berlin(day, ends) if day and ends else None,
        place=place,
        online_url=online,
        agenda=agenda,
        working_group_id=group,
        attendee_ids=tuple(attendees),
    )


def documents_section(
    actor: Actor,
    *,
    forum_id: int | None = None,
    meeting_id: int | None = None,
    may_upload: bool,
    empty: str,
    upload_label: str,
    stored: str,
) -> None:
    """The documents of a forum or a meeting (exactly one), each to download, and the upload
    for those who may add one."""
    with database.reading() as session:
        rows = documents.documents_of(
            session=session, actor=actor, forum_id=forum_id, meeting_id=meeting_id
        )
    if not rows:
        st.caption(empty)
    for row in rows:
        document_download(actor, row)
    if not may_upload:
        return
    form = f"upload-{'meeting' if meeting_id else 'forum'}-document"
    with st.form(form, clear_on_submit=True):
        upload = st.file_uploader(f"{upload_label} ({filing.ALLOWED_LABEL}, höchstens 25 MB)")
        if st.form_submit_button("Hochladen") and upload is not None:
            with user_errors(), database.writing() as session:
                documents.upload(
                    session=session,
                    actor=actor,
                    filename=upload.name,
                    data=upload.getvalue(),
                    forum_id=forum_id,
                    meeting_id=meeting_id,
                )
            done(stored)
