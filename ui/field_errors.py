"""German messages about bad input shown right below the form field they are about."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from positions.core.errors import FieldErrors, PositionenError
from ui.widgets import md


class FieldMessages:
    """Places reserved below a form's fields; `shown()` puts a refusal in its field's place."""

    def __init__(self) -> None:
        self._places: dict[str, DeltaGenerator] = {}

    def below(self, field: str) -> None:
        """Reserve the place below the field just drawn (it takes no room while empty)."""
        self._places[field] = st.empty()

    @contextmanager
    def shown(self) -> Iterator[None]:
        """Run a submission; a German refusal appears below its field (or, when it concerns
        no field of this form, where the form's messages go) and the page goes on."""
        try:
            with shown_beside_fields(self._places):
                yield
        except PositionenError as error:
            st.error(md(error.message), icon=":material/block:")


@contextmanager
def shown_beside_fields(places: dict[str, DeltaGenerator]) -> Iterator[None]:
    """Each German message of a refused form below its field (`places` from `st.empty()`
    below each field); a message about no field of the form goes where the form's go."""
    try:
        yield
    except FieldErrors as error:
        for field, message in error.problems.items():
            (places.get(field) or st).error(md(message), icon=":material/error:")
