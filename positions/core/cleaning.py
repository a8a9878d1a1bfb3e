"""How every text we store or write is cleaned: one set of rules for statements, paragraphs,
titles, notes, published results and Word exports.

Line breaks of every kind (Windows, old Mac, Word's vertical tab, form feed, Unicode line and
paragraph separators) become "\\n"; control characters and whatever XML cannot carry go;
text is stored in Unicode NFC, so "ü" typed and "u" + combining diaeresis pasted are one word.
"""

from __future__ import annotations

import re
import unicodedata

_LINE_BREAKS = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
# C0 controls other than tab and line feed, DEL, C1 controls (invisible noise from
# copy-and-paste), lone surrogates and U+FFFE/U+FFFF, which XML 1.0 forbids.
_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    """Line breaks as "\\n", without the characters no document may carry; nothing else
    changes (spacing stays as it is, for text that goes into a run of a Word file)."""
    return _NOT_TEXT.sub("", _LINE_BREAKS.sub("\n", text))


def clean(text: str) -> str:
    """The text as we store it: printable, NFC, no trailing spaces on a line, trimmed."""
    normalised = unicodedata.normalize("NFC", printable(text))
    return "\n".join(line.rstrip() for line in normalised.strip().split("\n"))


def clean_line(text: str) -> str:
    """A one-line field (a title, a name): `clean`, with every run of white space one space."""
    return " ".join(clean(text).split())
