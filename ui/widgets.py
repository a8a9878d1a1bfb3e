"""Small pieces several pages share."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Literal, NoReturn

import pandas as pd
import streamlit as st

from db.engine import read_session
from db.models import id_of
from positions.core import labels
from positions.core.clock import BERLIN
from positions.core.errors import PositionenError
from positions.core.formatting import date_time, days_left, megabytes, short_date
from positions.core.permissions import Actor
from positions.core.working_days import DeadlineState
from positions.forums import documents
from positions.forums.calls import Deadline
from positions.forums.dashboard import DueItem
from positions.forums.documents import DocumentRow
from ui import database

# What opens or closes markup wherever it stands: escapes, code, emphasis, strikethrough,
# links, images and footnotes, HTML and autolinks in <>, entities, math, tables.
_INLINE_MARKUP = re.compile(r"[\\`*_~\[\]<&$|]")
# ":red[", ":blue-badge[", ":material/name:", ":streamlit:", ":smile:" (a colon before a
# space, as in "Eingang: Brief", opens nothing and stays as it is).
_WORD_COLON = re.compile(r":(?=[A-Za-z])")
# Block markers at the start of a line: headings, quotes, lists, rules, setext underlines.
_BLOCK_MARKER = re.compile(r"^([ \t]*)([#>+\-=])", re.MULTILINE)
_ORDERED_LIST_MARKER = re.compile(r"^([ \t]*\d+)([.)])", re.MULTILINE)

BadgeColour = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray"]

STATE_COLOURS: dict[DeadlineState, BadgeColour] = {
    DeadlineState.OPEN: "green",
    DeadlineState.DUE_SOON: "orange",
    DeadlineState.OVERDUE: "red",
    DeadlineState.DONE: "gray",
}
# Cell colours for a deadline's state in tables (pandas Styler CSS).
STATE_CELL_STYLES = {
    labels.DEADLINE_STATE[DeadlineState.OPEN]: "background-color: #dcefe0; color: #14532d",
    labels.DEADLINE_STATE[DeadlineState.DUE_SOON]: "background-color: #ffe6bf; color: #7c4a03",
    labels.DEADLINE_STATE[DeadlineState.OVERDUE]: "background-color: #ffd5d5; color: #8b1111",
    labels.DEADLINE_STATE[DeadlineState.DONE]: "background-color: #ececec; color: #444444",
}
STATE_ICONS = {
    DeadlineState.OPEN: ":material/schedule:",
    DeadlineState.DUE_SOON: ":material/warning:",
    DeadlineState.OVERDUE: ":material/error:",
    DeadlineState.DONE: ":material/check_circle:",
}


def md(text: str) -> str:
    """User data made inert for any Streamlit markdown (labels, captions, messages, bodies):
    it shows as the very text it is, never as an image, link, HTML, emphasis, code, math,
    table, heading, list, colour directive, badge or icon. The one helper for every label
    built from user data.

    Backslash escapes cover CommonMark, GFM and remark-math. Streamlit's icons
    (":material/name:", ":streamlit:") are looked up in the text after escapes are resolved,
    so a colon that starts a word also gets an invisible word joiner. Autolinked addresses
    ("https://…", "www.…", e-mail addresses; only in bodies, labels show no links) stay:
    they show their own target and load nothing.
    """
    text = _INLINE_MARKUP.sub(r"\\\g<0>", text)
    text = _WORD_COLON.sub("\\\\:\u2060", text)
    text = _BLOCK_MARKER.sub(r"\1\\\2", text)
    return _ORDERED_LIST_MARKER.sub(r"\1\\\2", text)


def deadline_badge(deadline: Deadline, *, today: date) -> None:
    label = f"{deadline.kind}: {short_date(deadline.day)} · {days_left(deadline.day, today=today)}"
    if deadline.overridden:
        label += " · von Hand gesetzt"
    st.badge(label, icon=STATE_ICONS[deadline.state], color=STATE_COLOURS[deadline.state])


def traffic_light(state_label: str) -> str:
    """The cell style for a deadline state's German label."""
    return STATE_CELL_STYLES.get(state_label, "")


def due_table(items: list[DueItem], *, today: date, height: int | None = None) -> None:
    """What is due, one row each, with the traffic light (start page and Fristen)."""
    table = pd.DataFrame(
        {
            "Status": labels.DEADLINE_STATE[item.state],
            "Datum": short_date(item.day),
            "Noch": days_left(item.day, today=today),
            "Was": item.kind + (" (von Hand)" if item.overridden else ""),
            "Aufruf / Aufgabe": item.title,
            "Forum": item.forum_short_name,
            "Zuständig": ", ".join(item.responsible),
            "Rückmeldungen": f"{item.answered} von {item.invited}" if item.invited else "",
        }
        for item in items
    )
    st.dataframe(
        table.style.map(traffic_light, subset=["Status"]),
        hide_index=True,
        width="stretch",
        height=height or "auto",
        column_config={"Aufruf / Aufgabe": st.column_config.TextColumn(width="medium")},
    )


@contextmanager
def user_errors() -> Iterator[None]:
    """Show our German error messages instead of a traceback, and stop the page."""
    try:
        yield
    except PositionenError as error:
        st.error(md(error.message), icon=":material/block:")
        st.stop()


def query_id(name: str, missing: str) -> int:
    """The numeric id in the address (`?name=12`); a German message and stop otherwise."""
    value = st.query_params.get(name, "")
    if not value.isdigit():
        st.error(missing, icon=":material/search_off:")
        st.stop()
    return int(value)


def at_berlin(day: date, time_of_day: time) -> datetime:
    """A date and wall-clock time entered in Germany, as an aware datetime."""
    return datetime.combine(day, time_of_day, tzinfo=BERLIN)


def done(message: str) -> NoReturn:
    """Confirm a saved change and show the page again with it."""
    st.toast(message, icon=":material/check_circle:")
    st.rerun()


def file_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return megabytes(size)


def document_download(actor: Actor, row: DocumentRow) -> None:
    """A download button for a stored document; the file is read only when clicked, and
    only if the person may still see it."""
    document = row.document

    def content() -> bytes:
        with read_session(database.engine()) as session:
            return documents.read(session=session, actor=actor, document_id=id_of(document))[1]

    uploaded = f" · {md(row.uploaded_by)}" if row.uploaded_by else ""
    st.download_button(
        f"{md(document.filename)} · {file_size(document.size)} · {date_time(document.uploaded_at)}"
        f"{uploaded}",
        data=content,
        file_name=document.filename,
        mime=document.mime.split(";")[0],
        on_click="ignore",
        key=f"document-{document.id}",
        icon=":material/download:",
    )


def section_target(targets: dict[int, str], *, key: str) -> int | None:
    """The paper section (of the call's papers) a suggested paragraph goes into, chosen in
    the caller's form; None until one is chosen."""
    chosen: int | None = st.selectbox(
        "In Abschnitt",
        list(targets),
        index=None,
        key=key,
        format_func=lambda i: targets[i],
        placeholder="Papier und Abschnitt wählen",
    )
    return chosen
