"""An exported paper that came back edited (by a colleague, the board, a ministry), read into
proposals for the stored version. Nothing is applied: staff decide on each proposal.

The file passes the same checks as every member upload (`positions.uploads.intake`: size, zip
structure, macros, DOCTYPE) and its XML is parsed without entities, DTDs or network.

Paragraphs are matched by the bookmark `_pos_p_<id>` every exported paragraph carries. Word
moves bookmark boundaries around: a start left at the very end of the previous paragraph (or
in a heading) counts for the next paragraph, and the paragraphs after a split that still lie
inside the bookmark are noted as split off. Paragraphs without a bookmark are matched by
text similarity (`positions.papers.diffing.match_by_similarity`) against the stored paragraphs no
bookmark claimed; whatever stays unmatched is proposed as an addition, and a stored paragraph
found nowhere as a deletion.

Tracked changes are read, not accepted: each proposal carries the accepted reading (what the
document says once all changes are accepted) as `new_text`, the rejected reading as
`rejected_text`, and who changed what when.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal, TypeVar

from rapidfuzz import fuzz, utils

from exports.document import ExportOrigin
from exports.word import BOOKMARK_PREFIX, ORIGIN_PAPER, ORIGIN_VERSION
from exports.wordml import clean_text
from positions.papers.diffing import (
    DEFAULT_MIN_SCORE,
    Piece,
    Version,
    diff_words,
    match_by_similarity,
    moved_ids,
)
from positions.uploads.package import Package, Xml, check_name, open_package, suspicious
from positions.uploads.wordprocessing import (
    ALTERNATE,
    PPR,
    RPR,
    TBL,
    TC,
    TR,
    TRPR,
    P,
    R,
    Styles,
    W,
    chosen_branch,
    flatten,
    related_part_names,
)

ProposalKind = Literal["change", "addition", "deletion", "unchanged"]
MatchedBy = Literal["bookmark", "similarity"]

NO_BOOKMARKS = (
    "Das Dokument enthält keine Absatzmarken aus Positionen: Es wurde nicht aus Positionen "
    "exportiert oder neu angelegt. Alle Absätze wurden über die Ähnlichkeit ihres Textes "
    "zugeordnet; bitte prüfen Sie jede Zuordnung."
)

_INSERTED = {f"{W}ins", f"{W}moveTo"}
_DELETED = {f"{W}del", f"{W}moveFrom"}
_TRANSPARENT = {
    f"{W}{n}" for n in ("hyperlink", "smartTag", "customXml", "fldSimple", "dir", "bdo")
}
_RUN_TEXT = {
    f"{W}t": None,
    f"{W}delText": None,
    f"{W}tab": "\t",
    f"{W}ptab": "\t",
    f"{W}br": "\n",
    f"{W}cr": "\n",
    f"{W}noBreakHyphen": "-",
}
# Paragraphs of our own export that are not paper text (title page, contents, Kernforderungen,
# minority labels, captions): never proposals, and a bookmark in one belongs to the next.
_FRAME_STYLES = frozenset(
    {
        *("Title", "Subtitle", "Titelangabe", "Verbandsname", "Hinweis", "Kernforderung"),
        *("TOCHeading", "TOC1", "TOC2", "TOC3", "MindermeinungHinweis", "Caption"),
    }
)


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackedChange:
    """One tracked change in the returned file; `mark` for a paragraph mark (a paragraph
    split off or joined), whose `text` is empty."""

    kind: Literal["insertion", "deletion"]
    text: str
    author: str
    date: datetime | None
    mark: bool = False


@dataclass(frozen=True)
class Proposal:
    """What the returned file proposes for one paragraph; nothing is applied.

    `old_text` is the stored text ("" for an addition), `new_text` the file's text with all
    tracked changes accepted ("" for a deletion), `rejected_text` the text with all of them
    rejected (None when the paragraph has no tracked change). An addition stands after
    `after_paragraph_id` (None: before every matched paragraph) under the heading `section`.
    `note` explains anything unusual in German.
    """

    kind: ProposalKind
    paragraph_id: int | None
    old_text: str
    new_text: str
    tracked: bool = False
    authors: tuple[str, ...] = ()
    rejected_text: str | None = None
    changes: tuple[TrackedChange, ...] = ()
    matched_by: MatchedBy | None = None
    score: float | None = None
    section: str = ""
    after_paragraph_id: int | None = None
    moved: bool = False
    note: str = ""
    current_text: str | None = None
    """The paragraph's text today when it changed since the export ("" if it was deleted
    since); None when it is still what was exported."""

    @property
    def pieces(self) -> tuple[Piece, ...]:
        """Word-level differences from the stored text to the proposed one."""
        return diff_words(self.old_text, self.new_text)


@dataclass(frozen=True)
class ReturnedPaper:
    """The proposals in the returned file's reading order (a deletion where the paragraph
    stood), and notes on the file as a whole. `compared_with` names the version the
    proposals are relative to."""

    proposals: tuple[Proposal, ...]
    notes: tuple[str, ...]
    bookmarks_found: int
    compared_with: str = ""

    def counts(self) -> dict[ProposalKind, int]:
        kinds: tuple[ProposalKind, ...] = ("change", "addition", "deletion", "unchanged")
        return {kind: sum(p.kind == kind for p in self.proposals) for kind in kinds}


# --- reading --------------------------------------------------------------------------------


def read_returned_paper(
    data: bytes,
    base: Version,
    *,
    filename: str | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
) -> ReturnedPaper:
    """Proposals that the .docx `data` makes for the stored version `base`.

    Raises InvalidUpload (German message) for anything the member intake refuses, including
    a `filename` not ending in .docx, and for malformed XML.
    """
    return read_returned_file(data, filename=filename).propose(base, min_score=min_score)


@dataclass
class _Frame:
    """What the file says outside the paper text: edits there are not proposals, but staff
    must hear of them rather than lose them unseen."""

    headings: list[str] = field(default_factory=list)
    """The numbered section headings, in reading order."""
    core_demands: list[str] = field(default_factory=list)
    """The paragraphs of the Kernforderungen box."""
    tracked: int = 0
    """Tracked changes in headings, the box, the title page or the annex."""

    def notes(self, base: Version) -> list[str]:
        found: list[str] = []
        titles = {_norm(p.section) for p in base.paragraphs}
        renamed = [h for h in self.headings if h.strip() and _norm(h) not in titles]
        if renamed and titles:
            found.append(
                "Überschriften, die es in der Fassung nicht gibt (umbenannt oder neu): "
                + ", ".join(f"„{h}“" for h in renamed)
                + ". Überschriften werden nicht aus der Datei übernommen; bitte ändern Sie sie "
                "bei Bedarf im Papier."
            )
        demands = {_norm(p.text) for p in base.paragraphs if p.is_core_demand}
        if demands and any(_norm(d) not in demands for d in self.core_demands):
            found.append(
                "Der Kasten „Kernforderungen“ wurde bearbeitet. Er wird nicht übernommen: "
                "Kernforderungen entstehen aus den als Kernforderung markierten Absätzen; "
                "übernehmen Sie Änderungen dort."
            )
        if self.tracked:
            found.append(
                "Nachverfolgte Änderungen außerhalb des Papiertextes (Titelseite, Überschriften, "
                "Kernforderungen-Kasten oder Anhang) werden nicht übernommen."
            )
        return found


@dataclass(frozen=True)
class ReturnedFile:
    """A returned .docx, read once: its paper text and, when it kept the properties our
    export writes, the paper and version it was exported from."""

    blocks: tuple[_Block, ...]
    origin: ExportOrigin | None
    frame: _Frame = field(default_factory=_Frame)

    def propose(self, base: Version, *, min_score: float = DEFAULT_MIN_SCORE) -> ReturnedPaper:
        """The file's proposals for `base` (normally the version it was exported from)."""
        result = _Proposer(list(self.blocks), base, min_score).propose()
        return replace(result, notes=(*result.notes, *self.frame.notes(base)))


def read_returned_file(data: bytes, *, filename: str | None = None) -> ReturnedFile:
    """The returned file's paper text and origin; refused like `read_returned_paper`."""
    if filename is not None:
        check_name(filename)
    with open_package(data) as package:
        document = package.xml("word/document.xml")
        styles = package.xml(related_part_names(package)["styles"])
        origin = _origin(package)
    assert document is not None  # the intake checks make sure it exists
    body = document.find(f"{W}body")
    reader = _Reader(Styles(styles))
    try:
        blocks = reader.read(body) if body is not None else []
    except RecursionError:
        raise suspicious("zu tief verschachtelt") from None
    return ReturnedFile(tuple(blocks), origin, reader.frame)


def _origin(package: Package) -> ExportOrigin | None:
    """Our custom properties, found through the package relationships as Word and
    LibreOffice both may name the part differently."""
    relationships = package.xml("_rels/.rels")
    targets = [
        str(r.get("Target") or "").lstrip("/")
        for r in (relationships if relationships is not None else ())
        if str(r.get("Type") or "").endswith("/custom-properties")
        and r.get("TargetMode") != "External"
    ]
    custom = package.xml(targets[0]) if targets else None
    values: dict[str, int] = {}
    for prop in custom if custom is not None else ():
        name = prop.get("name")
        number = _whole_number("".join(child.text or "" for child in prop))
        if name in (ORIGIN_PAPER, ORIGIN_VERSION) and number is not None:
            values[name] = number
    if ORIGIN_PAPER not in values:
        return None
    return ExportOrigin(values[ORIGIN_PAPER], values.get(ORIGIN_VERSION))


def _whole_number(text: str) -> int | None:
    """ "12", and "12.0" as LibreOffice may write a number property back."""
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() and 0 < number < 2**31 else None


@dataclass
class _Block:
    """One paragraph (or table) of the returned file's paper text."""

    index: int
    accepted: str
    rejected: str
    section: str
    table: bool = False
    mark_inserted: bool = False
    mark_deleted: bool = False
    bookmarks: list[str] = field(default_factory=list)
    """Our bookmark names that start here (or were handed on to here)."""
    within: list[str] = field(default_factory=list)
    """Our bookmarks that started in an earlier block and are still open here."""
    changes: list[TrackedChange] = field(default_factory=list)


@dataclass
class _Line:
    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    changes: list[TrackedChange] = field(default_factory=list)
    starts: list[tuple[str, str, int, int]] = field(default_factory=list)
    """(name, w:id, accepted length, rejected length) at each of our bookmark starts."""
    ends: list[str] = field(default_factory=list)


class _Reader:
    """Walks the body in reading order and keeps the paper text: between the first numbered
    heading and the annex (the first unnumbered heading after it) in our own exports, the
    whole body otherwise; headings and our frame paragraphs left out."""

    def __init__(self, styles: Styles) -> None:
        self.styles = styles
        self.blocks: list[_Block] = []
        self.section = ""
        self.open: dict[str, str] = {}  # bookmark w:id -> name, of ours still open
        self.handed_on: list[str] = []  # bookmarks waiting for the next block
        self.seen: set[str] = set()
        self.frame = _Frame()

    def read(self, body: Xml) -> list[_Block]:
        elements = list(flatten(body, {P, TBL}))
        ours = any(
            (start.get(f"{W}name") or "").startswith(BOOKMARK_PREFIX)
            for element in elements
            for start in _iter(element, f"{W}bookmarkStart")
        )
        inside = not ours or not any(self._numbered_heading(e) for e in elements)
        for element in elements:
            if element.tag == TBL:
                line = self._table(element)
                heading = None
            else:
                line = _Line()
                self._inline(element, line, (False, False))
                heading = self._heading_level(element)
            if heading is not None and ours:
                if self._numbered_heading(element):
                    inside = True
                elif inside and heading == 1:
                    inside = False  # the annex: Beteiligte Mitglieder, Ansprechpersonen
            if heading is not None:
                self.section = " ".join("".join(line.accepted).split())
                if inside and (not ours or self._numbered_heading(element)):
                    self.frame.headings.append(self.section)
            style = _style_id(element)
            if style == "Kernforderung":
                self.frame.core_demands.append("".join(line.accepted))
            frame = heading is not None or style in _FRAME_STYLES or not inside
            if frame and ours and line.changes:
                self.frame.tracked += len(line.changes)
            self._add(element, line, frame=frame)
        return self.blocks

    def _add(self, element: Xml, line: _Line, *, frame: bool) -> None:
        waiting, self.handed_on = self.handed_on, []
        within = [n for n in self.open.values() if n not in waiting]
        names: list[str] = []
        accepted, rejected = "".join(line.accepted), "".join(line.rejected)
        has_text = bool(accepted.strip() or rejected.strip())
        for name, bookmark_id, at_accepted, at_rejected in line.starts:
            self.open[bookmark_id] = name
            if name in self.seen:
                continue  # a second bookmark of the same name: Word would not write it
            self.seen.add(name)
            trailing = at_accepted >= len(accepted.rstrip()) and at_rejected >= len(
                rejected.rstrip()
            )
            if frame or (trailing and has_text):
                # Word left the start at the end of the paragraph before (or in a heading).
                self.handed_on.append(name)
            else:
                names.append(name)
        for bookmark_id in line.ends:
            self.open.pop(bookmark_id, None)
        if frame:
            self.handed_on = waiting + self.handed_on
            return
        mark = child_of(element.find(PPR), RPR) if element.tag == P else None
        inserted, deleted = _first(mark, _INSERTED), _first(mark, _DELETED)
        changes = list(line.changes)
        if inserted is not None:
            changes.append(_change(inserted, "insertion", "", mark=True))
        if deleted is not None:
            changes.append(_change(deleted, "deletion", "", mark=True))
        self.blocks.append(
            _Block(
                index=len(self.blocks),
                accepted=accepted,
                rejected=rejected,
                section=self.section,
                table=element.tag == TBL,
                mark_inserted=inserted is not None,
                mark_deleted=deleted is not None,
                bookmarks=[*waiting, *names],
                within=[n for n in within if n not in names],
                changes=changes,
            )
        )

    # --- paragraphs ---

    def _inline(self, parent: Xml, line: _Line, state: tuple[bool, bool]) -> None:
        """Collects the text of `parent` into both readings of `line`; `state` says whether
        an enclosing tracked change inserted and/or deleted it."""
        for child in parent:
            tag = child.tag
            if tag == R:
                self._run(child, line, state)
            elif tag in _INSERTED or tag in _DELETED:
                inserted = tag in _INSERTED
                mark = len(line.accepted) if inserted else len(line.rejected)
                self._inline(child, line, (state[0] or inserted, state[1] or not inserted))
                text = "".join(line.accepted[mark:] if inserted else line.rejected[mark:])
                if text:
                    line.changes.append(
                        _change(child, "insertion" if inserted else "deletion", text)
                    )
            elif tag == f"{W}bookmarkStart":
                name = child.get(f"{W}name") or ""
                if name.startswith(BOOKMARK_PREFIX):
                    at = (len("".join(line.accepted)), len("".join(line.rejected)))
                    line.starts.append((name, child.get(f"{W}id") or "", *at))
            elif tag == f"{W}bookmarkEnd":
                line.ends.append(child.get(f"{W}id") or "")
            else:
                inner = _wrapped(child)
                if inner is not None:
                    self._inline(inner, line, state)

    @staticmethod
    def _run(run: Xml, line: _Line, state: tuple[bool, bool]) -> None:
        inserted, deleted = state
        vanish = child_of(run.find(RPR), f"{W}vanish")
        if vanish is not None and vanish.get(f"{W}val") not in ("0", "false", "off"):
            return
        for child in run:
            if child.tag not in _RUN_TEXT:
                continue  # field instructions, footnote marks, drawings, …
            fixed = _RUN_TEXT[child.tag]
            piece = (child.text or "") if fixed is None else fixed
            if not deleted:
                line.accepted.append(piece)
            if not inserted:
                line.rejected.append(piece)

    # --- tables ---

    def _table(self, table: Xml) -> _Line:
        """A table as one block: cells joined by " | ", rows by line breaks."""
        line = _Line()
        rows_accepted: list[str] = []
        rows_rejected: list[str] = []
        for row in flatten(table, {TR}):
            row_pr = row.find(TRPR)
            row_deleted = _first(row_pr, _DELETED) is not None
            row_inserted = _first(row_pr, _INSERTED) is not None
            cells_accepted: list[str] = []
            cells_rejected: list[str] = []
            for cell in flatten(row, {TC}):
                inner = _Line()
                for p in flatten(cell, {P}):
                    self._inline(p, inner, (False, False))
                    inner.accepted.append("\n")
                    inner.rejected.append("\n")
                line.starts += [(n, i, 0, 0) for n, i, _, _ in inner.starts]
                line.ends += inner.ends
                line.changes += inner.changes
                cells_accepted.append("".join(inner.accepted).strip())
                cells_rejected.append("".join(inner.rejected).strip())
            if not row_deleted:
                rows_accepted.append(" | ".join(cells_accepted))
            if not row_inserted:
                rows_rejected.append(" | ".join(cells_rejected))
        line.accepted = ["\n".join(rows_accepted)]
        line.rejected = ["\n".join(rows_rejected)]
        return line

    # --- styles ---

    def _heading_level(self, p: Xml) -> int | None:
        ppr = p.find(PPR)
        outline = child_of(ppr, f"{W}outlineLvl")
        if outline is not None:
            value = outline.get(f"{W}val") or ""
            return int(value) + 1 if value.isdigit() and int(value) < 9 else None
        style = _style_id(p) or self.styles.default_paragraph
        return self.styles.heading_level(style)

    def _numbered_heading(self, element: Xml) -> bool:
        """A section heading of our export: a heading whose numbering is not switched off."""
        if element.tag != P or self._heading_level(element) is None:
            return False
        num_id = child_of(child_of(element.find(PPR), f"{W}numPr"), f"{W}numId")
        return num_id is None or num_id.get(f"{W}val") != "0"


def _wrapped(element: Xml) -> Xml | None:
    """The content of an inline wrapper that does not change its text (hyperlink, content
    control, ruby base, alternate content), or None for anything else."""
    tag = element.tag
    if tag in _TRANSPARENT:
        return element
    if tag == f"{W}sdt":
        return element.find(f"{W}sdtContent")
    if tag == f"{W}ruby":
        return element.find(f"{W}rubyBase")
    if tag == ALTERNATE:
        return chosen_branch(element)
    return None


def _iter(element: Xml, tag: str) -> Iterator[Xml]:
    for child in element:
        if child.tag == tag:
            yield child
        yield from _iter(child, tag)


def child_of(element: Xml | None, tag: str) -> Xml | None:
    return None if element is None else element.find(tag)


def _first(element: Xml | None, tags: set[str]) -> Xml | None:
    if element is None:
        return None
    return next((child for child in element if child.tag in tags), None)


def _style_id(p: Xml) -> str | None:
    if p.tag != P:
        return None
    style = child_of(p.find(PPR), f"{W}pStyle")
    return None if style is None else style.get(f"{W}val")


def _change(
    element: Xml, kind: Literal["insertion", "deletion"], text: str, *, mark: bool = False
) -> TrackedChange:
    author = " ".join((element.get(f"{W}author") or "").split()) or "Unbekannt"
    try:
        when = datetime.fromisoformat(element.get(f"{W}date") or "")
    except ValueError:
        when = None
    return TrackedChange(kind, text, author, when, mark)


# --- proposing ------------------------------------------------------------------------------


@dataclass
class _Group:
    """Blocks that form one paragraph in a reading (joined where a paragraph mark goes)."""

    blocks: list[_Block]
    reading: Literal["accepted", "rejected"]

    @property
    def text(self) -> str:
        return "".join(getattr(b, self.reading) for b in self.blocks)


def _groups(blocks: list[_Block], reading: Literal["accepted", "rejected"]) -> dict[int, _Group]:
    """Block index → its group: accepting joins a block whose mark is deleted to the next,
    rejecting one whose mark is inserted."""
    by_block: dict[int, _Group] = {}
    current: list[_Block] = []
    for block in blocks:
        current.append(block)
        # A paragraph deleted (or, rejecting, inserted) as a whole joins nothing: it is gone.
        if reading == "accepted":
            joins = block.mark_deleted and bool(block.accepted.strip())
        else:
            joins = block.mark_inserted and bool(block.rejected.strip())
        if not joins:
            group = _Group(current, reading)
            for member in current:
                by_block[member.index] = group
            current = []
    if current:
        group = _Group(current, reading)
        for member in current:
            by_block[member.index] = group
    return by_block


class _Proposer:
    def __init__(self, blocks: list[_Block], base: Version, min_score: float) -> None:
        self.blocks = blocks
        self.base = base
        self.min_score = min_score
        self.by_id = {p.id: p for p in base.paragraphs}
        self.accepted = _groups(blocks, "accepted")
        self.rejected = _groups(blocks, "rejected")
        self.owner: dict[int, _Block] = {}  # stored paragraph id -> block with its bookmark
        self.owned: dict[int, list[int]] = {}  # block index -> stored paragraph ids
        self.bookmarks_found = 0
        self.unknown = 0
        self.notes: list[str] = []

    def propose(self) -> ReturnedPaper:
        self._read_bookmarks()
        matched: list[tuple[int, Proposal]] = []  # (position, proposal)
        loose: list[_Group] = []
        for group in _unique(self.accepted[b.index] for b in self.blocks):
            ids = [pid for b in group.blocks for pid in self.owned.get(b.index, [])]
            if ids:
                leader = max(ids, key=lambda pid: len(self.owner[pid].accepted.strip()))
                for pid in ids:
                    blocks = self._own_blocks(group, pid) if pid == leader else [self.owner[pid]]
                    proposal = self._matched(pid, group, blocks, owns=pid == leader)
                    matched.append((self.owner[pid].index, proposal))
            elif self._wanted(group):
                loose.append(group)

        free = [p for p in self.base.paragraphs if p.id not in self.owner]
        similar = match_by_similarity(
            free,
            [g.text for g in loose],
            also=["".join(b.rejected for b in g.blocks) for g in loose],
            min_score=self.min_score,
        )
        additions: list[tuple[int, Proposal]] = []
        for position, group in enumerate(loose):
            found = similar.get(position)
            first = group.blocks[0].index
            if found is None:
                if group.text.strip():
                    additions.append((first, self._addition(group)))
            else:
                proposal = self._matched(found, group, group.blocks, owns=True, similar=True)
                matched.append((first, proposal))

        matched = self._with_moves(matched)
        placed = sorted([*matched, *additions], key=lambda item: item[0])
        proposals = self._with_deletions(_after(p for _, p in placed))
        self._document_notes(proposals)
        return ReturnedPaper(tuple(proposals), tuple(self.notes), self.bookmarks_found)

    # --- matching ---

    def _read_bookmarks(self) -> None:
        for block in self.blocks:
            for name in block.bookmarks:
                self.bookmarks_found += 1
                suffix = name.removeprefix(BOOKMARK_PREFIX)
                pid = int(suffix) if suffix.isdigit() else None
                if pid is None or pid not in self.by_id:
                    # Tables are exported with a bookmark but are no stored paragraphs.
                    self.unknown += not block.table
                elif pid not in self.owner:
                    self.owner[pid] = block
                    self.owned.setdefault(block.index, []).append(pid)

    def _own_blocks(self, group: _Group, pid: int) -> list[_Block]:
        """The blocks of `group` that speak for `pid`: all but those holding another
        paragraph's bookmark."""
        return [b for b in group.blocks if pid in self.owned.get(b.index, [pid])]

    def _wanted(self, group: _Group) -> bool:
        """A group without a known bookmark worth a proposal: it has text in some reading,
        and it is not one of our own tables."""
        if any(b.table and b.bookmarks for b in group.blocks):
            return False
        return any(b.accepted.strip() or b.rejected.strip() for b in group.blocks)

    # --- proposals ---

    def _matched(
        self,
        pid: int,
        group: _Group,
        blocks: list[_Block],
        *,
        owns: bool,
        similar: bool = False,
    ) -> Proposal:
        stored = self.by_id[pid]
        changes = [c for b in blocks for c in b.changes]
        notes: list[str] = []
        score: float | None = None
        if similar:
            score = _score(stored.text, group.text, "".join(b.rejected for b in blocks))
            notes.append(f"über die Ähnlichkeit des Textes zugeordnet ({score:.0f} %)")
        new_text = _tidy(group.text) if owns else ""
        if not owns and any(b.accepted.strip() for b in blocks):
            notes.append("mit einem anderen Absatz zusammengeführt")
        rejected = None
        if changes:
            readings = _unique(self.rejected[b.index] for b in blocks)
            rejected = _tidy("\n".join(g.text for g in readings))
            if _norm(stored.text) not in (_norm(rejected), _norm(group.text)) and owns:
                # Neither reading is the stored text: someone also edited without tracking.
                notes.append("enthält auch Änderungen ohne Nachverfolgung")
        kind: ProposalKind
        if owns and _norm(new_text) == _norm(stored.text):
            kind = "unchanged"
        elif not new_text:
            kind = "deletion"
        else:
            kind = "change"
        return Proposal(
            kind=kind,
            paragraph_id=pid,
            old_text=stored.text,
            new_text=new_text,
            tracked=bool(changes),
            authors=_authors(changes),
            rejected_text=rejected,
            changes=tuple(changes),
            matched_by="similarity" if similar else "bookmark",
            score=score,
            section=blocks[0].section,
            note="; ".join(notes),
        )

    def _addition(self, group: _Group) -> Proposal:
        changes = [c for b in group.blocks for c in b.changes]
        split_from = [
            name.removeprefix(BOOKMARK_PREFIX)
            for b in group.blocks
            for name in b.within
            if name.removeprefix(BOOKMARK_PREFIX).isdigit()
            and int(name.removeprefix(BOOKMARK_PREFIX)) in self.owner
        ]
        return Proposal(
            kind="addition",
            paragraph_id=None,
            old_text="",
            new_text=_tidy(group.text),
            tracked=bool(changes),
            authors=_authors(changes),
            rejected_text=_tidy("".join(b.rejected for b in group.blocks)) if changes else None,
            changes=tuple(changes),
            section=group.blocks[0].section,
            note="; ".join(
                f"vermutlich von Absatz {pid} abgetrennt" for pid in dict.fromkeys(split_from)
            ),
        )

    def _with_moves(self, matched: list[tuple[int, Proposal]]) -> list[tuple[int, Proposal]]:
        """Marks paragraphs that left their order among the others, or their section (when
        that section is still there under its name)."""
        present = sorted((pos, p.paragraph_id) for pos, p in matched if p.kind != "deletion")
        order = [pid for _, pid in present if pid is not None]
        moved = moved_ids([p.id for p in self.base.paragraphs if p.id in set(order)], order)
        headings = {_norm(b.section) for b in self.blocks}
        out: list[tuple[int, Proposal]] = []
        for position, proposal in matched:
            assert proposal.paragraph_id is not None
            stored = self.by_id[proposal.paragraph_id]
            elsewhere = _norm(proposal.section) != _norm(stored.section) and (
                _norm(stored.section) in headings
            )
            if proposal.kind != "deletion" and (proposal.paragraph_id in moved or elsewhere):
                note = "; ".join(n for n in (proposal.note, "verschoben") if n)
                out.append((position, replace(proposal, moved=True, note=note)))
            else:
                out.append((position, proposal))
        return out

    def _with_deletions(self, proposals: list[Proposal]) -> list[Proposal]:
        """Stored paragraphs found nowhere, each after the proposal for the stored paragraph
        before it (or at the start)."""
        out = list(proposals)
        found = {p.paragraph_id for p in proposals}
        position_of = {p.paragraph_id: i for i, p in enumerate(out)}
        for index, stored in enumerate(self.base.paragraphs):
            if stored.id in found:
                continue
            earlier = [p.id for p in self.base.paragraphs[:index] if p.id in position_of]
            at = max((position_of[pid] for pid in earlier), default=-1) + 1
            out.insert(
                at,
                Proposal(
                    kind="deletion",
                    paragraph_id=stored.id,
                    old_text=stored.text,
                    new_text="",
                    section=stored.section,
                    note="im zurückgekommenen Dokument nicht gefunden",
                ),
            )
            position_of = {p.paragraph_id: i for i, p in enumerate(out)}
        return out

    def _document_notes(self, proposals: list[Proposal]) -> None:
        if not self.bookmarks_found:
            self.notes.append(NO_BOOKMARKS)
        else:
            lost = sum(p.matched_by == "similarity" for p in proposals)
            if lost == 1:
                self.notes.append(
                    "Ein Absatz hat seine Absatzmarke verloren und wurde über die Ähnlichkeit "
                    "seines Textes zugeordnet."
                )
            elif lost:
                self.notes.append(
                    f"{lost} Absätze haben ihre Absatzmarke verloren und wurden über die "
                    "Ähnlichkeit ihres Textes zugeordnet."
                )
        if self.unknown:
            self.notes.append(
                f"{self.unknown} Absatzmarken gehören zu keinem Absatz dieser Fassung und "
                "wurden übergangen."
            )
        authors = _authors([c for block in self.blocks for c in block.changes])
        if authors:
            self.notes.append(
                f"Das Dokument enthält nachverfolgte Änderungen von {', '.join(authors)}; sie "
                "sind als Vorschläge aufgeführt, nicht angenommen."
            )


def _after(proposals: Iterable[Proposal]) -> list[Proposal]:
    """The proposals with each addition told which stored paragraph it follows."""
    out: list[Proposal] = []
    previous: int | None = None
    for proposal in proposals:
        if proposal.kind == "addition":
            out.append(replace(proposal, after_paragraph_id=previous))
            continue
        if proposal.kind != "deletion":
            previous = proposal.paragraph_id
        out.append(proposal)
    return out


T = TypeVar("T")


def _unique(items: Iterable[T]) -> list[T]:
    """`items` without repeats (by identity), in order."""
    seen: set[int] = set()
    out: list[T] = []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def _score(stored: str, *texts: str) -> float:
    return round(
        max(fuzz.ratio(stored, text, processor=utils.default_process) for text in texts), 1
    )


def _authors(changes: Sequence[TrackedChange]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(change.author for change in changes))


def _tidy(text: str) -> str:
    """The text as we store it: NFC, lines without trailing spaces, no blank edges."""
    lines = (line.rstrip() for line in unicodedata.normalize("NFC", text).split("\n"))
    return "\n".join(lines).strip()


def _norm(text: str) -> str:
    """For comparing: what the export kept of `text` (no control characters), spaces and line
    breaks as single spaces, NFC."""
    return " ".join(unicodedata.normalize("NFC", clean_text(text)).split())
