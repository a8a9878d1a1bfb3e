"""German in place of the English words Streamlit's own widgets show.

Streamlit (1.67) has no translation setting. Widget parameters cover what they can (a
multiselect's `placeholder`, a date input's `format`); the rest is Streamlit's own text in
its widgets: the hint under a focused text field, the file uploader's button and hint, the
empty date field, "No results" in a dropdown, the skip link. Style sheets cannot change a
text, but they can hide it and show another in its place: each rule below shrinks the
English text to nothing and puts the German after it. The rules find the texts by where
they stand (a widget's `data-testid`), so an upgrade of Streamlit that moves them shows
English again; tests/e2e/test_german.py notices.
"""

from __future__ import annotations

import streamlit as st

# Streamlit's own sizes (theme fontSizes twoSm and sm), which the hidden texts had.
_SMALL = "0.75rem"
_BODY = "0.875rem"

# The hint under a focused text field names the key that submits its form (or applies the
# field outside a form). The first hint is the instruction; a second one, the character
# count of a field with a limit, stays as it is.
_INSTRUCTION = '[data-testid="InputInstructions"] > span:first-child'
_AREA = '[data-testid="stTextArea"]'
_FORM = '[data-testid="stForm"]'

_DROPZONE = '[data-testid="stFileUploaderDropzone"]'
_DATE_PLACEHOLDER = '[data-testid="stDateInputField"] [role="spinbutton"][data-placeholder="true"]'

_REPLACEMENTS: tuple[tuple[str, str, str], ...] = (
    # (selector, German text, font size of the English text it replaces)
    (_INSTRUCTION, "Enter zum Übernehmen", _SMALL),
    (f"{_AREA} {_INSTRUCTION}", "Strg+Enter zum Übernehmen", _SMALL),
    (f"{_FORM} {_INSTRUCTION}", "Enter zum Absenden", _SMALL),
    (f"{_FORM} {_AREA} {_INSTRUCTION}", "Strg+Enter zum Absenden", _SMALL),
    (f'{_DROPZONE} button [data-testid="stMarkdownContainer"] p', "Datei auswählen", _BODY),
    (
        f'{_DROPZONE} [data-testid="stFileUploaderDropzoneInstructions"] span',
        "oder hierher ziehen",
        _BODY,
    ),
    # Shown while a file is dragged over the field.
    (f"{_DROPZONE} > div:not([data-testid]) > span", "Hier ablegen", _BODY),
    (f'{_DATE_PLACEHOLDER}[data-type="day"]', "TT", _BODY),
    (f'{_DATE_PLACEHOLDER}[data-type="month"]', "MM", _BODY),
    (f'{_DATE_PLACEHOLDER}[data-type="year"]', "JJJJ", _BODY),
    # A dropdown whose search matches nothing.
    ('[role="listbox"][data-empty="true"] [role="option"] > span', "Keine Treffer", _BODY),
    # The link keyboard users reach first.
    ('[data-testid="stSkipToContent"]', "Zum Inhalt springen", "1rem"),
)


def _rule(selector: str, text: str, size: str) -> str:
    # "!important": Streamlit's own rules for states such as :focus are more specific.
    return (
        f"{selector}{{font-size:0 !important}}"
        f'{selector}::after{{content:"{text}";font-size:{size}}}'
    )


CSS = "".join(_rule(*replacement) for replacement in _REPLACEMENTS)


def apply() -> None:
    """Put the German texts in place; call once per run, before the page draws anything.

    Style-only HTML goes to Streamlit's event container, so it takes no room on the page."""
    st.html(f"<style>{CSS}</style>")
