"""German text for comparison: normalising, stemming, shingles, hashing, and splitting a
statement into points.

Normalising is for comparing only; stored texts are never changed. `normalize` gives the form
two texts are compared in: Unicode NFC, case-folded, umlauts and ß spelled out ("Straße" and
"Strasse" both become "strasse", "Förderung" and "Foerderung" both "foerderung"), other
accents dropped, punctuation removed (also inside numbers: "2,5" is "2 5") and whitespace
collapsed. `text_hash` is the SHA-256 of
that form, so it is the same on every run and machine.

`split_points` turns a statement into the points that are merged later:

- paragraphs (separated by a blank line) and list items ("-", "•", "*", "–" or "1.", "2)",
  "a)" at the start of a line) are points; the bullet or number is stripped;
- lines within a paragraph are joined, so a hard-wrapped paragraph stays one point;
- headings are dropped, not attached to the next point: a line ending in ":" ("Unsere
  Forderungen:"), a Markdown heading ("## Energie"), a line of at most three words without a
  final ".", "!" or "?" ("Förderung") and a one-word list item ("1. Einleitung"; "- Bürokratie
  abbauen" is a point). They carry structure, not a demand, and attaching them would make the
  same demand look different under different headings;
- a paragraph stays one point unless several of its sentences are demands (they contain
  "fordern", "muss", "müssen", "sollte", "brauchen", "ist notwendig", "ist erforderlich" …);
  then each demand sentence starts a point and the sentences that explain it (reasons,
  details) stay with the demand before them (or, if they come first, the first demand).

Sentences end at ".", "!", "?" followed by a space and an upper-case letter, a digit or a
quote, except after abbreviations ("z. B.", "bzw.", "Mio.", "Nr.", "d. h.", "u. a.", "ca.",
"Abs.", "Art.", "gem.", "vgl.", "Dr." …), single letters and ordinals of one or two digits
("1. Januar", "3. Quartal"). A four-digit year before the full stop ends a sentence.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]

# --- normalising -------------------------------------------------------------------------


# A word is a run of letters and digits; punctuation, underscores, symbols and emoji separate
# words, also inside numbers ("2,5" is "2 5"), which keeps tokenising a single fast regex.
_WORD = re.compile(r"[^\W_]+")
_WORD_OR_SEPARATOR = re.compile(r"[^\W_]+|\x00")
_SEPARATOR = "\x00"
_SPACE = re.compile(r"\s+")
# Combining accents of Latin, Greek and Cyrillic letters, as left by NFD.
_ACCENTS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Every ASCII character that is not a letter or digit, mapped to a space.
_ASCII_SPACES = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})
_BULK = 4096  # texts normalised in one go by `normalize_all`


def fold(text: str) -> str:
    """`text` in NFC, case-folded, with umlauts and ß spelled out and other accents dropped."""
    folded = unicodedata.normalize("NFC", text).casefold()
    if folded.isascii():
        return folded
    # After casefold only lower-case umlauts remain, and "ß"/"ẞ" are "ss" already; chained
    # replace is several times faster than str.translate with a multi-character table.
    folded = folded.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    if folded.isascii():
        return folded
    # Accents other than the umlauts ("é", "à", "ç") are dropped so "Café" equals "Cafe".
    return unicodedata.normalize("NFC", _ACCENTS.sub("", unicodedata.normalize("NFD", folded)))


def tokenize(text: str) -> list[str]:
    """The words of `text` in their folded form, in order; punctuation and emoji are dropped."""
    return _WORD.findall(fold(text))


def normalize(text: str) -> str:
    """The form two texts are compared in: folded words separated by single spaces.

    A text of nothing but symbols (emoji, punctuation) keeps its folded symbols, so "👍" and
    "🎉" stay different; whitespace-only text normalises to "".
    """
    words = tokenize(text)
    if words:
        return " ".join(words)
    return _SPACE.sub(" ", fold(text)).strip()


def normalize_all(texts: Sequence[str]) -> list[str]:
    """`normalize` of every text, the same results several times faster for many texts."""
    normals: list[str] = []
    for first in range(0, len(texts), _BULK):
        chunk = texts[first : first + _BULK]
        joined = _SEPARATOR.join(chunk)
        if joined.count(_SEPARATOR) != len(chunk) - 1:  # a text holds the separator itself
            normals.extend(normalize(text) for text in chunk)
            continue
        # One fold over the whole chunk instead of one call per text; for ASCII (most German
        # text once folded) str.translate finds the words twice as fast as the regex.
        folded = fold(joined)
        if folded.isascii():
            found = [" ".join(p.translate(_ASCII_SPACES).split()) for p in folded.split(_SEPARATOR)]
        else:
            words = " ".join(_WORD_OR_SEPARATOR.findall(folded)).split(_SEPARATOR)
            found = [normal.strip() for normal in words]
        for text, normal in zip(chunk, found, strict=True):
            normals.append(normal if normal or not text or text.isspace() else normalize(text))
    return normals


def text_hash(text: str) -> str:
    """SHA-256 hex of `normalize(text)`: equal for texts that differ only in case, umlaut
    spelling, punctuation or whitespace, and stable across runs and machines."""
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


# --- stemming ----------------------------------------------------------------------------

_STEMMER = snowballstemmer.stemmer("german")
# The Snowball stemmer keeps its working string on the instance; Streamlit serves sessions
# from several threads, so calls into it are serialised (only cache misses get here).
_STEMMER_LOCK = threading.Lock()


@lru_cache(maxsize=1 << 18)
def stem(word: str) -> str:
    """The German Snowball stem of a folded word ("foerderprogramme" → "forderprogramm")."""
    if word.isdigit():
        return word
    with _STEMMER_LOCK:
        return str(_STEMMER.stemWord(word))


def stems(words: Iterable[str]) -> list[str]:
    """`stem` of each word, in order."""
    return [stem(word) for word in words]


def shingles(words: Sequence[str], size: int = 2) -> list[str]:
    """Word shingles: each run of `size` consecutive words joined by a space, in order.

    Fewer words than `size` give one shingle of all of them; no words give none.
    """
    if size < 1:
        raise ValueError("size must be at least 1")
    if len(words) <= size:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]


def _folded_set(words: str) -> frozenset[str]:
    return frozenset(fold(word) for word in words.split())


# Function words that say nothing about what is demanded, in folded form. Negations ("nicht",
# "kein", "nie", "ohne") are deliberately absent: they turn a demand into its opposite.
STOPWORDS = _folded_set(
    """
    der die das den dem des ein eine einen einem einer eines und oder aber sowie sondern
    denn doch als wie wenn dass daß ob weil da damit um zu zur zum im in ins am an auf aus bei
    beim mit nach von vom vor für über unter durch gegen bis seit während zwischen ohnehin
    es er sie wir ihr ich du man sich uns unser unsere unserer unseres unserem unseren euer
    ihre ihren ihrem ihrer ihres sein seine seiner seinen seinem dies diese dieser dieses
    diesen diesem jene jener jenes welche welcher welches so auch noch nur schon sehr mehr
    ist sind war waren wird werden wurde wurden worden sei seien hat haben hatte hatten habe
    kann können könnte könnten dabei dafür dazu daher deshalb hierzu hierbei hier dort dann
    also etwa bzw ggf z b d h u a usw etc alle allem allen aller alles jede jeder jedes
    """
)

# Modal verbs and their forms: they mark that something is demanded, but "muss" and "sollte"
# are the same demand for merging purposes.
MODAL_VERBS = _folded_set(
    """
    muss müssen musst müsste müssten sollte sollten soll sollen sollst darf dürfen dürfte
    dürften möge mögen möchten
    """
)


# --- sentences ---------------------------------------------------------------------------

# Abbreviations that end in a full stop inside a sentence (folded, without the dot).
# Single letters ("z. B.", "d. h.", "S.") are recognised without being listed.
_ABBREVIATIONS = _folded_set(
    """
    bzw ca abs art gem vgl dr prof nr mio mrd tsd usw etc ggf evtl inkl zzgl bspw sog allg
    bzgl ebd einschl insb lt ff anm kap abb bd hrsg dt engl ehem max min mind rd std str tel
    vs zt zzt hr fr frau dipl ing mag gmbh co kfz ziff lit buchst bzgl ua dh zb sek ca aufl
    jh jhd jan feb mär apr jun jul aug sep sept okt nov dez
    """
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'“”»«)\]]*\s+")
_NEXT_STARTS_SENTENCE = re.compile(r"[\"'„“»«(\[]?[A-ZÄÖÜ0-9]")
_WORD_BEFORE = re.compile(r"(\S+)$")
_INITIALISM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # "z.B", "d.h", "i.d.R"


def _is_abbreviation(word: str) -> bool:
    bare = word.lstrip("(\"'„“»«[")
    if len(bare) == 1 and bare.isalpha():
        return True
    if bare.isdigit() and len(bare) <= 2:
        return True  # ordinals: "1. Januar", "3. Quartal", "Abs. 2 Nr. 3. Satz"
    return fold(bare) in _ABBREVIATIONS or bool(_INITIALISM.fullmatch(bare))


def split_sentences(text: str) -> list[str]:
    """The sentences of a German text, stripped, without breaking at abbreviations."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        following = text[match.end() :]
        if not _NEXT_STARTS_SENTENCE.match(following):
            continue
        mark = match.group()
        if mark[0] == ".":
            # A bounded look-back keeps this linear on very long paragraphs.
            before = _WORD_BEFORE.search(text[max(start, match.start() - 40) : match.start()])
            if before and _is_abbreviation(before.group(1)):
                continue
        sentence = text[start : match.end()].strip()
        if sentence:
            sentences.append(sentence)
        start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


# --- points ------------------------------------------------------------------------------

_MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
# A list marker at the start of a line; "1. Januar …" is a date, not item 1.
_BULLET = re.compile(
    r"^\s*(?:[-•*–—▪◦·‣]|\(?\d{1,2}(?:\.\d{1,2})*[.)](?!\s+(?:" + _MONTHS + r")\b)"
    r"|\(?[a-z]\)|[IVX]{1,4}\.)\s+"
)
_MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s")
# Demand markers, matched against the folded sentence.
_DEMAND = re.compile(
    r"\b(?:forder\w*|muss|muessen|muesste\w*|soll|sollen|sollte\w*|brauch\w*|benoetig\w*"
    # Predicative only ("… ist notwendig"): attributive forms ("die notwendigen Mittel") have
    # an ending and do not match.
    r"|notwendig|erforderlich|noetig|unerlaesslich|unabdingbar|geboten"
    r"|bedarf es|appellier\w*|plaedier\w*|empfehl\w*|schlagen \w+ vor|setzen uns \w+ ein"
    r"|sprechen uns \w+ aus|darf nicht|duerfen nicht|gilt es)\b"
)
_HEADING_MAX_WORDS = 3


def _is_short(line: str) -> bool:
    stripped = line.strip()
    return len(stripped.split()) <= _HEADING_MAX_WORDS and not stripped.endswith((".", "!", "?"))


def _is_heading(line: str) -> bool:
    stripped = line.strip()
    return stripped.endswith(":") or bool(_MARKDOWN_HEADING.match(stripped)) or _is_short(line)


def _stands_alone(line: str, current: list[str] | None, following: str) -> bool:
    """Whether a line is a heading or intro ("## Energie", "Wir fordern daher:") that closes
    what came before, rather than part of a hard-wrapped paragraph."""
    stripped = line.strip()
    if stripped.endswith(":") or _MARKDOWN_HEADING.match(stripped):
        return True
    after_sentence = current is None or current[-1].rstrip().endswith((".", "!", "?", ":"))
    return _is_short(line) and after_sentence and not following[:1].islower()


def _segments(block: str) -> list[tuple[str, bool]]:
    """A blank-line block cut into list items, headings and paragraphs, markers stripped;
    each with whether it is a list item."""
    lines = [line for line in block.splitlines() if line.strip()]
    segments: list[tuple[list[str], bool]] = []
    current: list[str] | None = None
    for index, line in enumerate(lines):
        marker = _BULLET.match(line)
        following = lines[index + 1].lstrip() if index + 1 < len(lines) else ""
        if marker:
            current = [line[marker.end() :]]
            segments.append((current, True))
        elif _stands_alone(line, current, following):
            segments.append(([line], False))
            current = None
        elif current is None:
            current = [line]
            segments.append((current, False))
        else:
            current.append(line)  # a wrapped continuation of the item or paragraph
    return [(_SPACE.sub(" ", " ".join(lines)).strip(), item) for lines, item in segments]


def _is_point(segment: str, *, item: bool) -> bool:
    if not segment or segment.endswith(":"):
        return False
    if item:  # "- Bürokratie abbauen" is a demand, "1. Einleitung" a numbered heading
        return len(segment.split()) > 1 or segment.endswith((".", "!", "?"))
    return not _is_heading(segment)


def is_demand(sentence: str) -> bool:
    """Whether a sentence states a demand ("… muss …", "Wir fordern …", "… ist notwendig")."""
    return bool(_DEMAND.search(fold(sentence)))


def _split_demands(segment: str) -> list[str]:
    sentences = split_sentences(segment)
    if sum(is_demand(sentence) for sentence in sentences) < 2:
        return [segment]
    points: list[list[str]] = []
    leading: list[str] = []
    for sentence in sentences:
        if is_demand(sentence):
            points.append([*leading, sentence])
            leading = []
        elif points:
            points[-1].append(sentence)
        else:
            leading.append(sentence)
    return [" ".join(point) for point in points]


def split_points(text: str) -> list[str]:
    """The points of a statement, in order (see the module docstring for the rules)."""
    points: list[str] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        for segment, item in _segments(block):
            if _is_point(segment, item=item):
                points.extend(_split_demands(segment))
    return points
