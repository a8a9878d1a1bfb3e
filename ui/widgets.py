"""Small pieces several pages share."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Literal

import streamlit as st

from positions import labels
from positions.calls import Deadline
from positions.deadlines import DeadlineState
from positions.errors import PositionenError
from positions.formatting import days_left, short_date

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")

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
    """User-entered text made inert for st.markdown: no links, images or formatting."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def deadline_badge(deadline: Deadline, *, today: date) -> None:
    label = f"{deadline.kind}: {short_date(deadline.day)} · {days_left(deadline.day, today=today)}"
    if deadline.overridden:
        label += " · von Hand gesetzt"
    st.badge(label, icon=STATE_ICONS[deadline.state], color=STATE_COLOURS[deadline.state])


def traffic_light(state_label: str) -> str:
    """The cell style for a deadline state's German label."""
    return STATE_CELL_STYLES.get(state_label, "")


@contextmanager
def user_errors() -> Iterator[None]:
    """Show our German error messages instead of a traceback, and stop the page."""
    try:
        yield
    except PositionenError as error:
        st.error(error.message, icon=":material/block:")
        st.stop()
