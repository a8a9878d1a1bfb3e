"""German typography for what leaves the house: „…“ and ‚…‘ quotes, ’ apostrophes, spaced
en dashes, number ranges with an en dash, and non-breaking spaces where a line must not
break ("§ 7g", "Art. 5", "50 %", "10 Mio. Euro", "S. 3 ff.", "z. B.").

Applied on the way out, never to what is stored: members' words stay as they wrote them.
The rules are conservative (a look-alike such as a date, a phone number or a compound stays
as it is), idempotent, and leave web and mail addresses and code-like tokens alone.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TypeVar

NBSP = "\u00a0"

# --- what is left alone -------------------------------------------------------------------

_URL = r"(?:(?:https?|ftp)://|www\.)[^\s<>]+"
_MAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_BACKTICKS = r"`[^`\n]+`"
# A run of non-space characters that reads as code, a path or markup rather than prose.
_CODE = r"[^\s]*(?:[_\\{}<>=|^~]|\w\(|::|->|(?<!\w)/[\w.-]+/)[^\s]*"
_PLACEHOLDERS = r"[\U000F0000-\U000FFFFD]"
_PROTECTED = re.compile(
    "|".join(f"(?:{p})" for p in (_PLACEHOLDERS, _BACKTICKS, _URL, _MAIL, _CODE))
)
_LEADING = "\"'“”„‘’‚«»([{"
_TRAILING_PUNCTUATION = ".,;:!?"
_BRACKETS = {")": "(", "]": "[", "}": "{"}
_CLOSING = "\"'“”‘’«»)]}"
_FIRST_PLACEHOLDER = 0xF0000

# --- quotes -------------------------------------------------------------------------------

_DOUBLE = '"“”„'
_SINGLE = "'‘’‚´"
# A quote after one of these (or a space, or the start) opens, if text follows it.
_OPENING_CONTEXT = frozenset("([{-–—/„‚«»")
# Words that begin with an apostrophe rather than with a quote: "wie geht 's", "'nen".
_ELISIONS = frozenset(
    {"s", "n", "ne", "nen", "nem", "ner", "nes", "ran", "raus", "rein", "rauf", "runter"}
    | {"rüber", "rum", "drauf", "draus", "mal"}
)

# --- dashes and ranges --------------------------------------------------------------------

_SPACED_DASH = re.compile(r"(?<=[^\s\-–—])[ \u00a0]+(?:--?|—)[ ]+(?=[^\s\-–—])")
_RANGE = re.compile(r"(?<![\w.,:/\-–])(?<!\d[ \u00a0/])(\d{1,4})-(\d{1,4})(?![\w\-–]|[.,:]\d)")

# --- non-breaking spaces ------------------------------------------------------------------

_SECTION_SIGN = re.compile(r"(§§?)[ ]*(?=\d)")
_CITED_ABBREVIATIONS = (
    "Art|Artt|Abs|Nr|Nrn|S|Kap|Ziff|Rn|Rz|Bd|Anl|Tz|Buchst|Bst|Pkt|Tab|Abb|Aufl|Jg|Fn|Anm"
)
_CITED_WORDS = (
    "Artikel|Absatz|Satz|Nummer|Seite|Seiten|Kapitel|Anlage|Anhang|Ziffer|Randnummer|Tabelle"
    "|Abbildung|Paragraf|Paragraph"
)
_BEFORE_NUMBER = re.compile(
    rf"(?<![\w.])(?:(?:{_CITED_ABBREVIATIONS})\.|(?:{_CITED_WORDS}))[ ]+(?=\d)"
    r"|(?<![\w.])lit\.[ ]+(?=[a-z]\b)"
)
_UNITS = (
    r"%|‰|Prozent(?:punkte?n?)?|Euro|EUR|€|Cent|ct|US-Dollar|Dollar|USD|\$"
    r"|Mio\.|Mrd\.|Tsd\.|Millionen|Milliarden|Mio|Mrd"
    r"|km|m|cm|mm|m²|m³|qm|ha|kg|t|kt|Mt|Tonnen"
    r"|kW|kWh|kWp|MW|MWh|MWp|GW|GWh|TWh|kV|h|min|Std\.|°C|Grad|Liter|Uhr|ff\.|f\."
)
_NUMBER_AND_UNIT = re.compile(rf"(?<=\d)[ ]+(?=(?:{_UNITS})(?!\w))")
_MAGNITUDE_AND_CURRENCY = re.compile(
    r"(?<![\w])(Mio\.|Mrd\.|Tsd\.|Millionen|Milliarden)[ ]+"
    r"(?=(?:Euro|EUR|€|US-Dollar|Dollar|USD|Tonnen|t)(?!\w))"
)
# Abbreviations of several parts: a missing space is added, every space made non-breaking.
_JOINED_ABBREVIATIONS = (
    *("z. B.", "d. h.", "u. a.", "i. d. R.", "o. Ä.", "o. ä.", "u. Ä.", "u. U.", "v. a."),
    *("s. o.", "s. u.", "z. T.", "i. H. v.", "a. a. O.", "m. E.", "u. v. m.", "z. Zt."),
    *("i. S. d.", "i. S. v.", "i. V. m.", "n. F.", "a. F.", "v. H.", "i. e. S.", "i. w. S."),
    "u. E.",
)
# These stay as spelled when written without spaces: they end names ("Verband e.V.").
_SPACED_ONLY_ABBREVIATIONS = ("e. V.", "e. G.")


def _abbreviation_pattern(abbreviation: str, *, spaces: str) -> re.Pattern[str]:
    parts = [re.escape(part) for part in abbreviation.split(" ")]
    return re.compile(r"(?<![\w.])" + spaces.join(parts) + r"(?!\w)")


_ABBREVIATIONS = [
    (_abbreviation_pattern(a, spaces=r"[ \u00a0]?"), a.replace(" ", NBSP))
    for a in _JOINED_ABBREVIATIONS
] + [
    (_abbreviation_pattern(a, spaces=r"[ \u00a0]"), a.replace(" ", NBSP))
    for a in _SPACED_ONLY_ABBREVIATIONS
]


def german(text: str) -> str:
    """`text` in German typography (see the module's docstring); `german(german(t))` is
    `german(t)`."""
    if not text:
        return text
    masked, kept = _mask(text)
    masked = _quotes(masked)
    masked = _SPACED_DASH.sub(" – ", masked)
    masked = _RANGE.sub(_range, masked)
    masked = _non_breaking_spaces(masked)
    return _unmask(masked, kept)


T = TypeVar("T")

# Fields of the export records that are addresses, numbers or colours, not prose.
_LEFT_ALONE_FIELDS = frozenset(
    {"email", "phone", "register_number", "regulatory_project_number", "accent_colour"}
    | {"url", "website"}
)


def typeset(value: T) -> T:
    """A copy of `value` (text, a sequence, or a frozen dataclass such as a
    `PaperDocument`, taken apart field by field) with `german` applied to every text in it,
    except addresses and numbers (e-mail, phone, register numbers)."""
    if isinstance(value, str):
        return german(value)  # type: ignore[return-value]
    if isinstance(value, tuple | list):
        return type(value)(typeset(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: typeset(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.init and f.name not in _LEFT_ALONE_FIELDS
        }
        return dataclasses.replace(value, **changes)
    return value


# --- masking ------------------------------------------------------------------------------


def _mask(text: str) -> tuple[str, list[str]]:
    """`text` with every protected token replaced by one private-use character, and the
    tokens in order."""
    kept: list[str] = []
    out: list[str] = []
    last = 0
    for match in _PROTECTED.finditer(text):
        start, end = _trimmed(text, match.start(), match.end())
        if start >= end:
            continue
        out.append(text[last:start])
        out.append(chr(_FIRST_PLACEHOLDER + len(kept)))
        kept.append(text[start:end])
        last = end
    out.append(text[last:])
    return "".join(out), kept


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The token without the quotes or brackets around it and the punctuation after it, so
    that a quoted address still gets typographic quotes; quotes and brackets that pair up
    inside the token (`key="value"`, `Foo_(Bar)`) stay with it."""
    opened = 0
    while start < end and text[start] in _LEADING:
        start += 1
        opened += 1
    while end > start:
        last = text[end - 1]
        if last in _TRAILING_PUNCTUATION:
            end -= 1
        elif last in _CLOSING and (opened or _unpaired(text[start:end], last)):
            end -= 1
            opened = max(0, opened - 1)
        else:
            break
    return start, end


def _unpaired(token: str, last: str) -> bool:
    if last in _BRACKETS:
        return token.count(_BRACKETS[last]) < token.count(last)
    if last in "\"'":
        return token.count(last) % 2 == 1
    return True  # a typographic quote never ends an address or code


def _unmask(text: str, kept: list[str]) -> str:
    if not kept:
        return text
    return re.sub(_PLACEHOLDERS, lambda m: kept[ord(m.group()) - _FIRST_PLACEHOLDER], text)


# --- quotes -------------------------------------------------------------------------------


def _quotes(text: str) -> str:
    out = list(text)
    double_open = single_open = False
    for i, char in enumerate(text):
        if char not in _DOUBLE and char not in _SINGLE:
            continue
        # The character before as already converted, so a second run sees the same.
        before = out[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if char in _DOUBLE:
            role = _double_role(char, before, after, double_open)
            if role == "open":
                out[i], double_open = "„", True
            elif role == "close":
                out[i], double_open = "“", False
        else:
            role = _single_role(text, i, before, after, single_open)
            if role == "open":
                out[i], single_open = "‚", True
            elif role == "close":
                out[i], single_open = "‘", False
            elif role == "apostrophe":
                out[i] = "’"
    return "".join(out)


def _opens(before: str, after: str) -> bool:
    return (not before or before.isspace() or before in _OPENING_CONTEXT) and (
        bool(after) and not after.isspace()
    )


def _double_role(char: str, before: str, after: str, is_open: bool) -> str:
    if char == "„" or _opens(before, after):
        return "open"
    if before and not before.isspace():
        if not is_open and (before.isdigit() or after.isalnum()):
            return "keep"  # 24"-Monitor, or a stray quote inside a word
        return "close"
    return "close" if is_open else "keep"


def _single_role(text: str, i: int, before: str, after: str, is_open: bool) -> str:
    char = text[i]
    if char == "‚":
        role = "open"
    elif before.isalnum() and after.isalnum():
        role = "apostrophe"  # geht's, Ku'damm
    elif char == "´":
        role = "keep"  # an accent, not a quote
    elif _opens(before, after):
        role = "apostrophe" if _elided(text[i + 1 :]) else "open"
    elif before and not before.isspace():
        if is_open:
            role = "close"
        else:  # Hans' Vorschlag; after a digit it may be a unit (5' = feet)
            role = "apostrophe" if before.isalpha() and not after.isalnum() else "keep"
    else:
        role = "close" if is_open else "keep"
    return role


def _elided(rest: str) -> bool:
    """Does the word after an apostrophe lack its start ("wie geht 's", "die '90er")?"""
    word = re.match(r"[^\W\d_]+|\d+", rest)
    return word is not None and (
        word.group().lower() in _ELISIONS or re.fullmatch(r"\d\d", word.group()) is not None
    )


# --- ranges and spaces --------------------------------------------------------------------


def _range(match: re.Match[str]) -> str:
    first, last = match.group(1), match.group(2)
    looks_like_range = (
        int(first) < int(last)
        and not (len(first) > 1 and first.startswith("0"))
        and not (len(last) > 1 and last.startswith("0"))
        and len(last) - len(first) <= 1
    )
    return f"{first}–{last}" if looks_like_range else match.group()


def _non_breaking_spaces(text: str) -> str:
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    text = _SECTION_SIGN.sub(lambda m: m.group(1) + NBSP, text)
    text = _BEFORE_NUMBER.sub(lambda m: m.group().rstrip(" ") + NBSP, text)
    text = _MAGNITUDE_AND_CURRENCY.sub(lambda m: m.group(1) + NBSP, text)
    return _NUMBER_AND_UNIT.sub(NBSP, text)
