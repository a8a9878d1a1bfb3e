"""Comparing two versions of a paper as a Synopse, and matching paragraphs by their text.

Paragraphs keep their id through edits and moves, so two versions are matched by id: a
paragraph only in the new version was added, one only in the old was deleted. A paragraph
counts as moved when it changed section, or when it left the longest run of paragraphs that
kept their relative order (so inserting or deleting a paragraph does not make its
neighbours "moved"). Changed text is compared word by word; the pieces reassemble both texts
exactly, whitespace and punctuation included.

Besides the paragraphs, a Synopse compares the section headings (matched by section id, so
a renamed heading is a change, not a deletion and an addition) and the Kernforderungen box (one
entry per core demand, in the order of the paragraphs).

`match_by_similarity` pairs paragraphs by text alone, for documents that lost their ids
(an edited Word file coming back); it scores all pairs at once with rapidfuzz.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal, TypeVar

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import Indel

from positions.core.errors import InvalidInput
from positions.papers.core_demands import box_entry

K = TypeVar("K", bound=Hashable)
RowKind = Literal["unchanged", "changed", "moved", "added", "deleted"]
PieceOp = Literal["equal", "insert", "delete"]

ROW_LABELS: dict[RowKind, str] = {
    "unchanged": "unverändert",
    "changed": "geändert",
    "moved": "verschoben",
    "added": "neu",
    "deleted": "gestrichen",
}
"""German labels of the row kinds, as the UI and the exports show them."""

DEFAULT_MIN_SCORE = 60.0
"""Least rapidfuzz ratio (0–100) for two paragraphs to count as the same one."""


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionParagraph:
    """One paragraph as a version stored it. `id` survives edits and moves.

    `section` is the section's title as shown; `section_id`, when given, identifies the
    section instead of its title, so renaming a section does not move its paragraphs.
    """

    id: int
    section: str
    text: str
    is_core_demand: bool = False
    is_minority_opinion: bool = False
    section_id: int | None = None
    short_form: str | None = None
    """A core demand's words in the Kernforderungen box; None: its first sentence."""

    @property
    def section_key(self) -> int | str:
        return self.section_id if self.section_id is not None else self.section

    @property
    def box_text(self) -> str:
        """What the Kernforderungen box says for this paragraph (if it is a core demand)."""
        return box_entry(self.text, self.short_form)


@dataclass(frozen=True)
class VersionSection:
    """A section heading of a version. `key` is the section id (or, for versions that do
    not keep ids, the title); `parent_key` the section it is nested in."""

    key: int | str
    title: str
    parent_key: int | str | None = None


@dataclass(frozen=True)
class Version:
    """A snapshot of a paper: its paragraphs in reading order, and its sections in reading
    order when known (otherwise they are read off the paragraphs, and a section without
    paragraphs is not seen)."""

    label: str
    created: date
    paragraphs: Sequence[VersionParagraph]
    sections: Sequence[VersionSection] = ()

    def headings(self) -> list[VersionSection]:
        """The sections in reading order: as given, or as the paragraphs name them."""
        if self.sections:
            return list(self.sections)
        found: dict[int | str, VersionSection] = {}
        for p in self.paragraphs:
            found.setdefault(p.section_key, VersionSection(p.section_key, p.section))
        return list(found.values())

    def box(self) -> Version:
        """The Kernforderungen box as a version of its own: one paragraph per core demand
        (same id), in the order of the paragraphs."""
        return Version(
            self.label,
            self.created,
            [
                VersionParagraph(p.id, BOX_TITLE, p.box_text, is_core_demand=True)
                for p in self.paragraphs
                if p.is_core_demand
            ],
        )


BOX_TITLE = "Kernforderungen"


# --- outputs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A stretch of text that both versions share (equal), or only the new (insert) or
    only the old (delete) has."""

    text: str
    op: PieceOp


@dataclass(frozen=True)
class SynopsisRow:
    """One paragraph across both versions.

    `pieces` spell the old text (equal + delete) and the new text (equal + insert); a
    changed region lists its deletion before its insertion. `remarks` are German notes on
    what changed besides the words ("verschoben aus „Ausgangslage“", "jetzt Kernforderung").
    A moved paragraph may have new words too (`text_changed`).
    """

    kind: RowKind
    old: VersionParagraph | None
    new: VersionParagraph | None
    pieces: tuple[Piece, ...]
    remarks: tuple[str, ...] = ()

    @property
    def paragraph_id(self) -> int:
        paragraph = self.new or self.old
        assert paragraph is not None
        return paragraph.id

    @property
    def section(self) -> str:
        """The section the row stands in: the new one, or the old one for a deletion."""
        paragraph = self.new or self.old
        assert paragraph is not None
        return paragraph.section

    @property
    def text_changed(self) -> bool:
        return any(piece.op != "equal" for piece in self.pieces)

    @property
    def collapsible(self) -> bool:
        """Nothing to read here: a UI may fold it away."""
        return self.kind == "unchanged"

    @property
    def section_key(self) -> int | str:
        """The section the row stands in, as `SectionChange.key`."""
        paragraph = self.new or self.old
        assert paragraph is not None
        return paragraph.section_key


@dataclass(frozen=True)
class SectionChange:
    """One section heading across both versions: `old`/`new` are its titles (None where
    the version does not have the section); `pieces` spell both titles as for a row."""

    key: int | str
    kind: RowKind
    old: str | None
    new: str | None
    pieces: tuple[Piece, ...]

    @property
    def renamed(self) -> bool:
        return self.old is not None and self.new is not None and self.old != self.new


@dataclass(frozen=True)
class Synopsis:
    """Two versions side by side. Rows follow the new version's reading order; a deleted
    paragraph stands where it stood among the paragraphs that stayed in place.

    `sections` compare the headings (by key; a section only in the old version is
    "deleted"), `box` the Kernforderungen box entry by entry."""

    old: Version
    new: Version
    rows: tuple[SynopsisRow, ...]
    sections: tuple[SectionChange, ...] = ()
    box: tuple[SynopsisRow, ...] = ()

    def section(self, key: int | str) -> SectionChange | None:
        return next((s for s in self.sections if s.key == key), None)

    def counts(self) -> dict[RowKind, int]:
        """How many rows of each kind, every kind present (possibly 0)."""
        found = Counter(row.kind for row in self.rows)
        return {kind: found[kind] for kind in ROW_LABELS}

    def summary(self) -> str:
        """E.g. "2 geändert, 1 verschoben, 1 neu, 1 gestrichen, 7 unverändert"."""
        order: tuple[RowKind, ...] = ("changed", "moved", "added", "deleted", "unchanged")
        counts = self.counts()
        parts = [f"{counts[kind]} {ROW_LABELS[kind]}" for kind in order if counts[kind]]
        return ", ".join(parts) or "keine Absätze"


# --- comparing versions ---------------------------------------------------------------------


def compare_versions(old: Version, new: Version) -> Synopsis:
    """The Synopse of `old` and `new`: paragraphs matched by id, headings by section, the
    Kernforderungen box entry by entry.

    Raises InvalidInput when a version lists a paragraph id twice.
    """
    _check_unique(old)
    _check_unique(new)
    rows = _compare_rows(old, new)
    box = tuple(replace(row, remarks=()) for row in _compare_rows(old.box(), new.box()))
    return Synopsis(old, new, rows, _compare_headings(old, new), box)


def _compare_rows(old: Version, new: Version) -> tuple[SynopsisRow, ...]:
    old_by_id = {p.id: p for p in old.paragraphs}
    new_ids = {p.id for p in new.paragraphs}
    # A paragraph that changed section moved; the order is judged among the others only.
    moved = {
        p.id
        for p in new.paragraphs
        if p.id in old_by_id and old_by_id[p.id].section_key != p.section_key
    }
    moved |= moved_ids(
        [p.id for p in old.paragraphs if p.id not in moved],
        [p.id for p in new.paragraphs if p.id not in moved],
    )
    stays = {pid for pid in old_by_id if pid in new_ids and pid not in moved}

    rows_after: dict[int | None, list[SynopsisRow]] = {}
    rows_before: dict[int, list[SynopsisRow]] = {}
    for index, paragraph in enumerate(old.paragraphs):
        if paragraph.id in new_ids:
            continue
        row = SynopsisRow("deleted", paragraph, None, _whole(paragraph.text, "delete"))
        place = anchor(old.paragraphs, index, stays)
        if place is None:
            rows_after.setdefault(None, []).append(row)
        elif place[1] == "after":
            rows_after.setdefault(place[0], []).append(row)
        else:
            rows_before.setdefault(place[0], []).append(row)

    rows: list[SynopsisRow] = list(rows_after.get(None, []))
    for paragraph in new.paragraphs:
        rows.extend(rows_before.get(paragraph.id, []))
        before = old_by_id.get(paragraph.id)
        if before is None:
            rows.append(SynopsisRow("added", None, paragraph, _whole(paragraph.text, "insert")))
        else:
            rows.append(_matched_row(before, paragraph, moved=paragraph.id in moved))
        rows.extend(rows_after.get(paragraph.id, []))
    return tuple(rows)


def _compare_headings(old: Version, new: Version) -> tuple[SectionChange, ...]:
    """The headings in the new order, each deleted one after the heading it followed."""
    before = {s.key: s for s in old.headings()}
    after = [s.key for s in new.headings()]
    moved = moved_ids(list(before), after)
    changes: list[SectionChange] = []
    titles = {s.key: s.title for s in new.headings()}
    for key in after:
        if key not in before:
            added = SectionChange(key, "added", None, titles[key], _whole(titles[key], "insert"))
            changes.append(added)
            continue
        pieces = diff_words(before[key].title, titles[key])
        kind: RowKind = "moved" if key in moved else "unchanged"
        if kind == "unchanged" and before[key].title != titles[key]:
            kind = "changed"
        changes.append(SectionChange(key, kind, before[key].title, titles[key], pieces))
    previous: int | str | None = None
    for key, section in before.items():
        if key in titles:
            previous = key
            continue
        gone = SectionChange(key, "deleted", section.title, None, _whole(section.title, "delete"))
        index = next((i + 1 for i, c in enumerate(changes) if c.key == previous), 0)
        changes.insert(index, gone)
        previous = key
    return tuple(changes)


def anchor(
    paragraphs: Sequence[VersionParagraph], index: int, stays: set[int]
) -> tuple[int, Literal["after", "before"]] | None:
    """Where the old paragraph at `index` stood, told by a neighbour that `stays` in place:
    after the nearest such paragraph before it in the same section, else before the nearest
    one after it in the same section, else after the nearest one before it at all (None:
    at the very beginning)."""
    key = paragraphs[index].section_key
    previous = next((p for p in reversed(paragraphs[:index]) if p.id in stays), None)
    if previous is not None and previous.section_key == key:
        return previous.id, "after"
    following = next(
        (p for p in paragraphs[index + 1 :] if p.id in stays and p.section_key == key), None
    )
    if following is not None:
        return following.id, "before"
    return (previous.id, "after") if previous is not None else None


def moved_ids(old_order: Sequence[K], new_order: Sequence[K]) -> set[K]:
    """Keys present in both orders that left their relative order: the complement of a
    longest subsequence kept in the same order (O(n log n))."""
    present = set(old_order)
    return {key for key in new_order if key in present} - kept_in_order(old_order, new_order)


def kept_in_order(
    old_order: Sequence[K],
    new_order: Sequence[K],
    weight: Callable[[K], int] | None = None,
) -> set[K]:
    """Keys present in both orders that keep their relative order: the heaviest
    subsequence common to both (each key counting `weight(key)`, default 1), in
    O(n log n). Keys are unique within each order."""
    old_position = {key: i for i, key in enumerate(old_order)}
    common = [key for key in new_order if key in old_position]
    weights = [weight(key) if weight else 1 for key in common]
    kept = _heaviest_increasing([old_position[key] for key in common], weights)
    return {common[i] for i in kept}


def _heaviest_increasing(values: list[int], weights: list[int]) -> set[int]:
    """Indexes into `values` of a strictly increasing subsequence of the largest total
    weight: a Fenwick tree over the values keeps the best chain ending below each value."""
    size = max(values, default=-1) + 2
    tree: list[tuple[int, int]] = [(0, -1)] * (size + 1)  # (chain weight, its last index)
    previous = [-1] * len(values)
    total = [0] * len(values)
    for i, (value, w) in enumerate(zip(values, weights, strict=True)):
        best, j = (0, -1), value  # the best chain over values < value (positions 1..value)
        while j > 0:
            best = max(best, tree[j])
            j -= j & -j
        total[i], previous[i] = best[0] + w, best[1]
        j = value + 1
        while j <= size:
            tree[j] = max(tree[j], (total[i], i))
            j += j & -j
    kept: set[int] = set()
    # Of equally heavy chains, the one ending last (as a patience sort keeps it).
    i = max(range(len(values)), key=lambda k: (total[k], k), default=-1)
    while i >= 0:
        kept.add(i)
        i = previous[i]
    return kept


def _matched_row(old: VersionParagraph, new: VersionParagraph, *, moved: bool) -> SynopsisRow:
    pieces = diff_words(old.text, new.text)
    remarks: list[str] = []
    if old.section_key != new.section_key:
        remarks.append(f"verschoben aus „{old.section}“")
    elif moved:
        remarks.append("verschoben innerhalb des Abschnitts")
    if old.is_core_demand != new.is_core_demand:
        remarks.append("jetzt Kernforderung" if new.is_core_demand else "nicht mehr Kernforderung")
    if old.is_minority_opinion != new.is_minority_opinion:
        remarks.append(
            "jetzt Mindermeinung" if new.is_minority_opinion else "nicht mehr Mindermeinung"
        )
    kind: RowKind
    if moved:
        kind = "moved"
    elif remarks or any(piece.op != "equal" for piece in pieces):
        kind = "changed"
    else:
        kind = "unchanged"
    return SynopsisRow(kind, old, new, pieces, tuple(remarks))


def _whole(text: str, op: PieceOp) -> tuple[Piece, ...]:
    return (Piece(text, op),) if text else ()


def _check_unique(version: Version) -> None:
    seen: set[int] = set()
    for paragraph in version.paragraphs:
        if paragraph.id in seen:
            raise InvalidInput(
                f"Der Absatz {paragraph.id} kommt in „{version.label}“ mehrfach vor."
            )
        seen.add(paragraph.id)


# --- word-level differences -----------------------------------------------------------------

# Words, runs of whitespace, and single other characters: joined they give the text back.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def tokens(text: str) -> list[str]:
    """`text` as words, whitespace runs and punctuation; `"".join(tokens(t)) == t`."""
    return _TOKEN.findall(text)


def diff_words(old: str, new: str) -> tuple[Piece, ...]:
    """The word-level differences between `old` and `new`, tidied for reading: a short
    shared word between two changes (an "und" in a rewritten sentence) joins the change."""
    if old == new:
        return _whole(old, "equal")
    before, after = tokens(old), tokens(new)
    raw: list[tuple[PieceOp, str]] = []
    for opcode in Indel.opcodes(before, after):
        if opcode.tag == "equal":
            raw.append(("equal", "".join(before[opcode.src_start : opcode.src_end])))
        else:
            if opcode.src_end > opcode.src_start:
                raw.append(("delete", "".join(before[opcode.src_start : opcode.src_end])))
            if opcode.dest_end > opcode.dest_start:
                raw.append(("insert", "".join(after[opcode.dest_start : opcode.dest_end])))
    return tuple(Piece(text, op) for op, text in _cleanup(_regroup(raw)))


def _regroup(pieces: list[tuple[PieceOp, str]]) -> list[tuple[PieceOp, str]]:
    """Adjacent equal pieces merged; between two equal pieces one deletion, then one
    insertion."""
    out: list[tuple[PieceOp, str]] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            out.append(("delete", "".join(deleted)))
        if inserted:
            out.append(("insert", "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for op, text in pieces:
        if not text:
            continue
        if op == "delete":
            deleted.append(text)
        elif op == "insert":
            inserted.append(text)
        else:
            flush()
            if out and out[-1][0] == "equal":
                out[-1] = ("equal", out[-1][1] + text)
            else:
                out.append(("equal", text))
    flush()
    return out


def _cleanup(pieces: list[tuple[PieceOp, str]]) -> list[tuple[PieceOp, str]]:
    """Dissolve equal pieces no longer than the changes on both sides of them (the rule of
    diff-match-patch's semantic cleanup), until none is left to dissolve."""
    changed = True
    while changed:
        changed = False
        for i, (op, text) in enumerate(pieces):
            if op != "equal" or i == 0 or i == len(pieces) - 1:
                continue
            if len(text) <= _change_size(pieces, i, -1) and len(text) <= _change_size(
                pieces, i, +1
            ):
                pieces = _regroup(
                    [*pieces[:i], ("delete", text), ("insert", text), *pieces[i + 1 :]]
                )
                changed = True
                break
    return pieces


def _change_size(pieces: list[tuple[PieceOp, str]], index: int, step: int) -> int:
    """The longer side (deleted or inserted characters) of the change next to `index`."""
    sizes = {"delete": 0, "insert": 0}
    i = index + step
    while 0 <= i < len(pieces) and pieces[i][0] != "equal":
        sizes[pieces[i][0]] += len(pieces[i][1])
        i += step
    return max(sizes.values())


def old_text(pieces: Sequence[Piece]) -> str:
    return "".join(p.text for p in pieces if p.op != "insert")


def new_text(pieces: Sequence[Piece]) -> str:
    return "".join(p.text for p in pieces if p.op != "delete")


# --- matching by text -----------------------------------------------------------------------


def match_by_similarity(
    old: Sequence[VersionParagraph],
    new_texts: Sequence[str],
    *,
    also: Sequence[str] | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
) -> dict[int, int]:
    """Pairs texts without ids with old paragraphs: index into `new_texts` → old paragraph id.

    Each old paragraph is used at most once; the best-scoring pairs win (rapidfuzz ratio on
    the normalised words, at least `min_score`), ties going to the pair whose relative positions
    are closest. `also` gives a second text per new paragraph (e.g. with tracked changes
    rejected); the better of the two scores counts. 500 × 500 paragraphs take well under a
    second.
    """
    if not old or not new_texts:
        return {}
    old_texts = [p.text for p in old]
    scores = _scores(new_texts, old_texts, min_score)
    if also is not None:
        if len(also) != len(new_texts):
            raise ValueError("`also` needs one text per new paragraph")
        scores = np.maximum(scores, _scores(also, old_texts, min_score))
    rows, columns = np.nonzero(scores >= min_score)
    if not len(rows):
        return {}
    distance = np.abs(rows / len(new_texts) - columns / len(old))
    order = np.lexsort((distance, -scores[rows, columns]))
    matches: dict[int, int] = {}
    used: set[int] = set()
    for k in order:
        row, column = int(rows[k]), int(columns[k])
        if row in matches or column in used:
            continue
        matches[row] = old[column].id
        used.add(column)
    return matches


def _scores(left: Sequence[str], right: Sequence[str], cutoff: float) -> NDArray[Any]:
    """rapidfuzz's ratio of every pair, computed on words (each word one character), which
    is as telling for paragraphs and an order of magnitude faster than on characters."""
    vocabulary: dict[str, str] = {}
    coded_left = [_coded(text, vocabulary) for text in left]
    coded_right = [_coded(text, vocabulary) for text in right]
    scores = process.cdist(
        coded_left, coded_right, scorer=fuzz.ratio, score_cutoff=cutoff, workers=1
    )
    # Two texts without any word (empty, only punctuation) are not "the same paragraph".
    for i, text in enumerate(coded_left):
        if not text:
            scores[i, :] = 0
    for j, text in enumerate(coded_right):
        if not text:
            scores[:, j] = 0
    return scores


_SURROGATES = 0xD800


def _coded(text: str, vocabulary: dict[str, str]) -> str:
    """`text`'s normalised words as one character each, from a shared `vocabulary`."""
    out = []
    for word in utils.default_process(text).split():
        code = vocabulary.get(word)
        if code is None:
            number = len(vocabulary) + 0x100
            # Skip the surrogate block, which is no character of its own.
            code = chr(number + 0x800 if number >= _SURROGATES else number)
            vocabulary[word] = code
        out.append(code)
    return "".join(out)
