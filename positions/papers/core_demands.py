"""The Kernforderungen box: a summary of the paper's core demands, not a copy of them.

Each core demand appears in the box in its short form, which staff may write (it is kept
with the paragraph and in every saved version); until they do, the box shows the demand's
first sentence, and the body keeps the full paragraph with its reasons. A one-sentence
demand reads the same in both places, as it should.
"""

from __future__ import annotations

from positions.core import cleaning
from positions.core.errors import InvalidInput
from positions.core.text import split_sentences

MAX_SHORT_FORM = 400

SHORT_FORM_TOO_LONG = (
    "Die Kurzfassung für den Kasten „Kernforderungen“ darf höchstens "
    f"{MAX_SHORT_FORM} Zeichen lang sein; sie fasst die Forderung in einem Satz zusammen."
)


def box_entry(text: str, short_form: str | None) -> str:
    """What the Kernforderungen box says for a core demand with this paragraph text."""
    if short_form and short_form.strip():
        return short_form.strip()
    sentences = split_sentences(text)
    return sentences[0] if sentences else text.strip()


def default_short_form(text: str) -> str:
    """The box entry when staff wrote no short form: the paragraph's first sentence."""
    return box_entry(text, None)


def cleaned_short_form(short_form: str | None, text: str) -> str | None:
    """The short form to store: None when empty or the same as the default, so the box keeps
    following the first sentence while the text is edited."""
    if short_form is None:
        return None
    cleaned = " ".join(cleaning.clean(short_form).split())
    if not cleaned or cleaned == default_short_form(text):
        return None
    if len(cleaned) > MAX_SHORT_FORM:
        raise InvalidInput(SHORT_FORM_TOO_LONG)
    return cleaned
