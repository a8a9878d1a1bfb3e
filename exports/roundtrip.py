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
found nowhere as a deletion. A paragraph out of its order (or in another section) is a move.

Our export is recognised by its bookmarks or, when a program removed them, by the styles of
our house template (matched by name too: LibreOffice renames style ids): then only the paper
text counts, not the title page, contents, Kernforderungen box or annex. The export prints
German typography (`exports.typography`), so the file's text is compared with the stored text
as printed, and a proposal spells unchanged words as stored.

A file that is not a copy of the paper is refused instead of proposing to delete it: one
whose bookmarks belong to another paper's paragraphs, or one in which fewer than half of the
paper's paragraphs are found; so is a Synopse table, which cannot be read back.

Tracked changes are read, not accepted: each proposal carries the accepted reading (what the
document says once all changes are accepted) as `new_text`, the rejected reading as
`rejected_text`, and who changed what when. Comments (word/comments.xml, anchored by
commentRangeStart or their reference mark) go with the paragraph they start in, with the
words they mark; `comment_notes` turns them into notes for that paragraph.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Literal, TypeVar

from rapidfuzz import fuzz, utils

from exports import typography
from exports.document import ExportOrigin
from exports.word import BOOKMARK_PREFIX, ORIGIN_PAPER, ORIGIN_VERSION
from exports.wordml import clean_text
from positions.core.errors import InvalidUpload
from positions.core.formatting import counted
from positions.papers.diffing import (
    DEFAULT_MIN_SCORE,
    Piece,
    Version,
    VersionParagraph,
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

BOOKMARKS_REMOVED = (
    "Die Absatzmarken aus Positionen fehlen in dieser Datei (ein Programm hat sie entfernt). "
    "Alle Absätze wurden über ihren Text zugeordnet; bitte prüfen Sie jede Zuordnung."
)
NO_BOOKMARKS = (
    "Das Dokument enthält keine Absatzmarken aus Positionen: Es wurde nicht aus Positionen "
    "exportiert oder neu angelegt. Alle Absätze wurden über die Ähnlichkeit ihres Textes "
    "zugeordnet; bitte prüfen Sie jede Zuordnung."
)

SYNOPSE_TABLE = (
    "Diese Datei ist eine Synopse: eine Tabelle, die zwei Fassungen gegenüberstellt. Aus ihr "
    "lassen sich keine Änderungen übernehmen. Bitte laden Sie das Papier selbst hoch, wie es "
    "bearbeitet zurückkam (den Export „Word (.docx)“ oder die „Synopse mit "
    "Änderungsverfolgung“), und übertragen Sie Anmerkungen aus der Tabelle von Hand."
)
# First lines of the header cells of Synopse tables: ours ("Bisherige Fassung | Neue Fassung |
# Begründung / Kommentar"), the Handbuch der Rechtsförmlichkeit's (Entwurf |
# Änderungsvorschlag) and the associations' (Geltende Fassung | Entwurf | Änderungsvorschlag |
# Begründung).
_SYNOPSE_VERSION_COLUMNS = frozenset(
    {
        *("bisherigefassung", "neuefassung", "altefassung", "geltendefassung"),
        *("entwurf", "änderungsvorschlag"),
    }
)
_SYNOPSE_REASON_COLUMNS = frozenset({"begründung/kommentar", "begründung", "kommentar"})

_DC = "{http://purl.org/dc/elements/1.1/}"
# What German typography (`exports.typography`) changes, each in one plain form.
_FOLD = str.maketrans(
    {
        **dict.fromkeys("„“”«»", '"'),
        **dict.fromkeys("‚‘’´", "'"),
        **dict.fromkeys("–—", "-"),
        **dict.fromkeys("\u00a0\u202f\u2009", " "),
    }
)
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")
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
# Compared by style id and by style name, both as `_key` writes them: LibreOffice
# renames ids on saving ("Caption" becomes "Caption1") but keeps the names ("caption").
_FRAME_STYLES = frozenset(
    {
        *("title", "subtitle", "titelangabe", "verbandsname", "hinweis", "kernforderung"),
        *("tocheading", "toc1", "toc2", "toc3", "mindermeinunghinweis", "caption"),
        *("vermerk", "kontakt", "impressum"),
    }
)
# Styles only our house template has: a body using them is our export even when every
# bookmark and property is gone.
_HOUSE_STYLES = frozenset({"titelangabe", "verbandsname", "kernforderung", "mindermeinunghinweis"})


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
class WordComment:
    """A comment someone added to the returned file in Word, and the words it marks
    (`quote`, "" when it marks none)."""

    author: str
    date: datetime | None
    text: str
    quote: str = ""


@dataclass(frozen=True)
class Proposal:
    """What the returned file proposes for one paragraph; nothing is applied.

    `old_text` is the stored text ("" for an addition), `new_text` the file's text with all
    tracked changes accepted ("" for a deletion), `rejected_text` the text with all of them
    rejected (None when the paragraph has no tracked change). An addition stands after
    `after_paragraph_id` (None: before every matched paragraph) under the heading `section`.
    `note` explains anything unusual in German; `comments` are the Word comments anchored
    in the paragraph. A moved paragraph (`moved`) now stands after `after_paragraph_id` too.
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
    comments: tuple[WordComment, ...] = ()
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


def comment_note(comment: WordComment, *, source: str, paragraph_text: str = "") -> str:
    """A Word comment as a note on its paragraph: who, when, from which file, on which words
    (none named when it marks the whole `paragraph_text`)."""
    quote = "" if _norm(comment.quote) == _norm(paragraph_text) else comment.quote
    about = f" zu „{_shortened(quote, 120)}“" if quote.strip() else ""
    return f"Kommentar von {comment.author}{_on(comment.date)} in „{source}“{about}: {comment.text}"


def comment_notes(proposals: Iterable[Proposal], *, source: str) -> list[tuple[int, str]]:
    """(paragraph id, note) for each Word comment on a stored paragraph of `proposals`; a
    comment on a new paragraph has no paragraph to go to yet."""
    return [
        (p.paragraph_id, comment_note(c, source=source, paragraph_text=p.new_text or p.old_text))
        for p in proposals
        if p.paragraph_id is not None and p.kind != "addition"
        for c in p.comments
    ]


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
    title: str = ""
    """The title on the title page."""
    comments: list[tuple[str, WordComment]] = field(default_factory=list)
    """Comments on headings, the box, the title page or the annex, with the paragraph's
    text."""

    def notes(self, base: Version) -> list[str]:
        found: list[str] = []
        titles = frozenset().union(
            *(_exported(t) for t in {p.section for p in base.paragraphs}),
            *(_exported(s.title) for s in base.headings()),
        )
        renamed = [h for h in self.headings if h.strip() and _norm(h) not in titles]
        if renamed and titles:
            found.append(
                "Überschriften, die es in der Fassung nicht gibt (umbenannt oder neu): "
                + ", ".join(f"„{h}“" for h in renamed)
                + ". Überschriften werden nicht aus der Datei übernommen; bitte ändern Sie sie "
                "bei Bedarf im Papier."
            )
        demands = [p for p in base.paragraphs if p.is_core_demand]
        if demands and any(not _in_box(entry, demands) for entry in self.core_demands):
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
        found += [
            f"Kommentar von {comment.author}{_on(comment.date)} bei „{_shortened(where)}“ "
            f"(außerhalb des Papiertextes): {comment.text}"
            for where, comment in self.comments
        ]
        return found


@dataclass(frozen=True)
class ReturnedFile:
    """A returned .docx, read once: its paper text and, when it kept the properties our
    export writes, the paper and version it was exported from.

    `house` says the body is laid out as our export (our bookmarks or house styles), even
    when bookmarks and properties were removed; `title` is the title on its title page, or
    else the title in its document properties."""

    blocks: tuple[_Block, ...]
    origin: ExportOrigin | None
    frame: _Frame = field(default_factory=_Frame)
    house: bool = False
    title: str = ""

    def propose(self, base: Version, *, min_score: float = DEFAULT_MIN_SCORE) -> ReturnedPaper:
        """The file's proposals for `base` (normally the version it was exported from).

        Raises InvalidUpload (German message) when the file is no copy of `base`'s paper
        (see `_Proposer.refusal`)."""
        proposer = _Proposer(list(self.blocks), base, min_score, house=self.house)
        result = proposer.propose()
        refusal = proposer.refusal(self.title)
        if refusal is not None:
            raise InvalidUpload(refusal)
        return replace(result, notes=(*result.notes, *self.frame.notes(base)))


def read_returned_file(data: bytes, *, filename: str | None = None) -> ReturnedFile:
    """The returned file's paper text, comments and origin; refused like
    `read_returned_paper`, and also when it is a Synopse table (`SYNOPSE_TABLE`)."""
    if filename is not None:
        check_name(filename)
    with open_package(data) as package:
        document = package.xml("word/document.xml")
        styles = package.xml(related_part_names(package)["styles"])
        origin = _origin(package)
        properties_title = _properties_title(package)
        comments_part = _main_part_relation(package, "comments")
        comments = package.xml(comments_part) if comments_part else None
    assert document is not None  # the intake checks make sure it exists
    body = document.find(f"{W}body")
    try:
        reader = _Reader(Styles(styles), _comments(comments))
        blocks = reader.read(body) if body is not None else []
    except RecursionError:
        raise suspicious("zu tief verschachtelt") from None
    title = reader.frame.title or properties_title
    return ReturnedFile(tuple(blocks), origin, reader.frame, reader.house, title)


def _main_part_relation(package: Package, kind: str) -> str | None:
    """The part name the main document relates to as `kind` ("comments"), if any."""
    relationships = package.xml("word/_rels/document.xml.rels")
    for relationship in relationships if relationships is not None else ():
        target = str(relationship.get("Target") or "")
        if (
            str(relationship.get("Type") or "").rsplit("/", 1)[-1] == kind
            and relationship.get("TargetMode") != "External"
        ):
            return target[1:] if target.startswith("/") else posixpath.normpath("word/" + target)
    return None


def _comments(root: Xml | None) -> dict[str, WordComment]:
    """The comments part's comments by id, their paragraphs joined by line breaks."""
    found: dict[str, WordComment] = {}
    for comment in root if root is not None else ():
        if comment.tag != f"{W}comment":
            continue
        who = _change(comment, "insertion", "")
        text = _tidy("\n".join(_accepted_text(p) for p in flatten(comment, {P})))
        if text:
            found[comment.get(f"{W}id") or ""] = WordComment(who.author, who.date, text)
    return found


def _properties_title(package: Package) -> str:
    """dc:title of the core properties, found through the package relationships."""
    relationships = package.xml("_rels/.rels")
    for relationship in relationships if relationships is not None else ():
        if str(relationship.get("Type") or "").endswith("/core-properties"):
            core = package.xml(str(relationship.get("Target") or "").lstrip("/"))
            title = core.find(f"{_DC}title") if core is not None else None
            return " ".join(((title.text if title is not None else None) or "").split())
    return ""


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
    comments: list[WordComment] = field(default_factory=list)
    house_table: bool = False
    """A table our export wrote (it carries our bookmark or our table styles)."""


@dataclass
class _Line:
    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    changes: list[TrackedChange] = field(default_factory=list)
    starts: list[tuple[str, str, int, int]] = field(default_factory=list)
    """(name, w:id, accepted length, rejected length) at each of our bookmark starts."""
    ends: list[str] = field(default_factory=list)
    comment_starts: list[tuple[str, int]] = field(default_factory=list)
    """(comment id, accepted length) where a comment's range starts."""
    comment_ends: dict[str, int] = field(default_factory=dict)
    comment_references: list[str] = field(default_factory=list)


class _Reader:
    """Walks the body in reading order and keeps the paper text: between the first numbered
    heading and the annex (the first unnumbered heading after it) in our own exports, the
    whole body otherwise; headings and our frame paragraphs left out."""

    def __init__(self, styles: Styles, comments: dict[str, WordComment] | None = None) -> None:
        self.styles = styles
        self.comments = comments or {}
        self.blocks: list[_Block] = []
        self.section = ""
        self.open: dict[str, str] = {}  # bookmark w:id -> name, of ours still open
        self.handed_on: list[str] = []  # bookmarks waiting for the next block
        self.seen: set[str] = set()
        self.commented: set[str] = set()  # comment ids already anchored
        self.frame = _Frame()
        self.bookmarked = False
        """Whether the body has any of our bookmarks."""
        self.house = False
        """Whether the body is our export: our bookmarks or our house styles."""

    def read(self, body: Xml) -> list[_Block]:
        elements = list(flatten(body, {P, TBL}))
        if any(element.tag == TBL and _synopse_header(element) for element in elements):
            raise InvalidUpload(SYNOPSE_TABLE)
        self.bookmarked = any(
            (start.get(f"{W}name") or "").startswith(BOOKMARK_PREFIX)
            for element in elements
            for start in _iter(element, f"{W}bookmarkStart")
        )
        ours = self.house = self.bookmarked or any(
            self._style_keys(element) & _HOUSE_STYLES for element in elements
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
            style = self._style_keys(element)
            if "kernforderung" in style:
                self.frame.core_demands.append("".join(line.accepted))
            if "title" in style and not self.frame.title:
                self.frame.title = " ".join("".join(line.accepted).split())
            frame = heading is not None or bool(style & _FRAME_STYLES) or not inside
            if frame and ours and line.changes:
                self.frame.tracked += len(line.changes)
            self._add(element, line, frame=frame)
        return self.blocks

    def _add(self, element: Xml, line: _Line, *, frame: bool) -> None:
        waiting, self.handed_on = self.handed_on, []
        within = [n for n in self.open.values() if n not in waiting]
        names: list[str] = []
        accepted, rejected = "".join(line.accepted), "".join(line.rejected)
        comments = self._anchored(line, accepted)
        if frame:
            self.frame.comments += [(" ".join(accepted.split()), c) for c in comments]
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
                comments=comments,
                house_table=element.tag == TBL
                and (bool(line.starts) or "tabellenkopf" in self._style_keys(element)),
            )
        )

    def _anchored(self, line: _Line, accepted: str) -> list[WordComment]:
        """The comments whose range starts in `line` (or, without a range, whose reference
        mark stands in it), each with the words it marks."""
        found: list[WordComment] = []
        anchors = [
            *(
                (cid, accepted[at : line.comment_ends.get(cid, len(accepted))])
                for cid, at in line.comment_starts
            ),
            *((cid, "") for cid in line.comment_references),
        ]
        for comment_id, quote in anchors:
            if comment_id in self.commented or comment_id not in self.comments:
                continue
            self.commented.add(comment_id)
            found.append(replace(self.comments[comment_id], quote=_tidy(quote)))
        return found

    # --- paragraphs ---

    def _inline(self, parent: Xml, line: _Line, state: tuple[bool, bool]) -> None:
        """Collects the text of `parent` into both readings of `line`; `state` says whether
        an enclosing tracked change inserted and/or deleted it."""
        for child in parent:
            tag = child.tag
            if tag == R:
                self._run(child, line, state)
                line.comment_references += [
                    reference.get(f"{W}id") or ""
                    for reference in child
                    if reference.tag == f"{W}commentReference"
                ]
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
            elif tag == f"{W}commentRangeStart":
                line.comment_starts.append((child.get(f"{W}id") or "", len("".join(line.accepted))))
            elif tag == f"{W}commentRangeEnd":
                line.comment_ends[child.get(f"{W}id") or ""] = len("".join(line.accepted))
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
                # A cell's words have no place in the table's joined text: no quote.
                line.comment_references += [c for c, _ in inner.comment_starts]
                line.comment_references += inner.comment_references
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

    def _style_keys(self, element: Xml) -> set[str]:
        """The paragraph's style id and style name (lower case, without spaces), or for a
        table those of its first cell's first paragraph; empty for the default style."""
        p = element if element.tag == P else _first_cell_paragraph(element)
        style_id = _style_id(p) if p is not None else None
        if not style_id:
            return set()
        name = next((style.name for _, style in self.styles.chain(style_id)), "")
        return {_key(style_id), _key(name)} - {""}

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


def _synopse_header(table: Xml) -> bool:
    """Whether the table's first row names the columns of a Synopse (ours in any of its
    forms, or one of the usual forms of a ministry's): two version columns, or a version
    column and a reasons column."""
    row = next(flatten(table, {TR}), None)
    if row is None:
        return False
    headings = set()
    for cell in flatten(row, {TC}):
        p = next(flatten(cell, {P}), None)
        if p is not None:
            headings.add(_key(_accepted_text(p).split("\n")[0]))
    versions = len(headings & _SYNOPSE_VERSION_COLUMNS)
    return versions >= 2 or (versions == 1 and bool(headings & _SYNOPSE_REASON_COLUMNS))


def _accepted_text(p: Xml) -> str:
    """A paragraph's text with its tracked changes accepted."""
    line = _Line()
    _Reader(Styles(None))._inline(p, line, (False, False))
    return "".join(line.accepted)


def _first_cell_paragraph(table: Xml) -> Xml | None:
    row = next(flatten(table, {TR}), None)
    cell = next(flatten(row, {TC}), None) if row is not None else None
    return next(flatten(cell, {P}), None) if cell is not None else None


def _key(name: str) -> str:
    """A style or column name for comparing: lower case, without spaces."""
    return "".join(unicodedata.normalize("NFC", name).lower().split())


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
    def __init__(
        self, blocks: list[_Block], base: Version, min_score: float, *, house: bool
    ) -> None:
        self.blocks = blocks
        self.base = base
        self.min_score = min_score
        self.house = house
        self.by_id = {p.id: p for p in base.paragraphs}
        self.accepted = _groups(blocks, "accepted")
        self.rejected = _groups(blocks, "rejected")
        self.owner: dict[int, _Block] = {}  # stored paragraph id -> block with its bookmark
        self.owned: dict[int, list[int]] = {}  # block index -> stored paragraph ids
        self.bookmarks_found = 0
        self.unknown = 0
        self.found: set[int] = set()  # stored paragraph ids found in the file
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
        self.found = {p.paragraph_id for _, p in matched if p.paragraph_id is not None}
        placed = sorted([*matched, *additions], key=lambda item: item[0])
        proposals = self._with_deletions(_after(p for _, p in placed))
        self._document_notes(proposals)
        return ReturnedPaper(tuple(proposals), tuple(self.notes), self.bookmarks_found)

    # --- recognising the paper ---

    def refusal(self, title: str) -> str | None:
        """Why the file is no copy of this paper, naming the title it carries; None when it
        is one. A copy keeps more of our bookmarks for this paper than for paragraphs it
        does not have, and at least half of the stored paragraphs are found in it (by
        bookmark or by text)."""
        named = f" („{_shortened(title)}“)" if title else ""
        if self.unknown > len(self.owner):
            return (
                f"Diese Datei wurde aus einem anderen Papier exportiert{named}: Ihre "
                "Absatzmarken gehören zu keinem Absatz dieses Papiers. Bitte laden Sie sie bei "
                "dem Papier hoch, aus dem sie stammt."
            )
        if 2 * len(self.found) >= len(self.base.paragraphs):
            return None
        return (
            f"Diese Datei ist kein Export dieses Papiers{named}: Von "
            f"{counted(len(self.base.paragraphs), 'Absatz', 'Absätzen')} des Papiers "
            f"{'findet sich' if len(self.found) <= 1 else 'finden sich'} "
            f"{'keiner' if not self.found else f'nur {len(self.found)}'} darin wieder. "
            "Bitte prüfen Sie, ob Sie die richtige Datei beim richtigen Papier hochladen."
        )

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
        if any(b.house_table for b in group.blocks):
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
        new_text = _as_stored(_tidy(group.text), stored.text) if owns else ""
        if not owns and any(b.accepted.strip() for b in blocks):
            notes.append("mit einem anderen Absatz zusammengeführt")
        rejected = None
        if changes:
            readings = _unique(self.rejected[b.index] for b in blocks)
            rejected = _as_stored(_tidy("\n".join(g.text for g in readings)), stored.text)
            if owns and not {_norm(rejected), _norm(group.text)} & _exported(stored.text):
                # Neither reading is the stored text: someone also edited without tracking.
                notes.append("enthält auch Änderungen ohne Nachverfolgung")
        kind: ProposalKind
        if owns and new_text == stored.text:
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
            comments=tuple(c for b in blocks for c in b.comments),
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
            comments=tuple(c for b in group.blocks for c in b.comments),
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
            # In another section, if its own is still there under its name (as exported).
            at_home = _exported(stored.section)
            elsewhere = _norm(proposal.section) not in at_home and bool(at_home & headings)
            if proposal.kind != "deletion" and (proposal.paragraph_id in moved or elsewhere):
                out.append((position, replace(proposal, moved=True)))
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
            self.notes.append(BOOKMARKS_REMOVED if self.house else NO_BOOKMARKS)
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
        shown = {id(c) for p in proposals for c in p.comments}
        self.notes += [
            f"Kommentar von {c.author}{_on(c.date)} an einer Stelle ohne Absatz des Papiers "
            f"(z. B. einer Tabelle): {c.text}"
            for block in self.blocks
            for c in block.comments
            if id(c) not in shown
        ]


def _after(proposals: Iterable[Proposal]) -> list[Proposal]:
    """The proposals with each addition and each moved paragraph told which stored paragraph
    it follows."""
    out: list[Proposal] = []
    previous: int | None = None
    for proposal in proposals:
        placed = proposal
        if proposal.kind == "addition" or proposal.moved:
            placed = replace(proposal, after_paragraph_id=previous)
        if proposal.kind not in ("addition", "deletion"):
            previous = proposal.paragraph_id
        out.append(placed)
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


def _in_box(entry: str, demands: Sequence[VersionParagraph]) -> bool:
    """Whether a Kernforderungen box entry says what a core demand's box text, or the start
    of its text (the default short form is its first sentence), says."""
    plain = _norm(entry)
    return any(
        plain in _exported(d.box_text) or any(form.startswith(plain) for form in _exported(d.text))
        for d in demands
    )


def _on(day: datetime | None) -> str:
    return f" am {day:%d.%m.%Y}" if day is not None else ""


def _shortened(text: str, limit: int = 80) -> str:
    """One line of at most `limit` characters, cut at a word with an ellipsis."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def _tidy(text: str) -> str:
    """The text as we store it: NFC, lines without trailing spaces, no blank edges."""
    lines = (line.rstrip() for line in unicodedata.normalize("NFC", text).split("\n"))
    return "\n".join(lines).strip()


def _norm(text: str) -> str:
    """For comparing: what the export kept of `text` (no control characters), spaces and line
    breaks as single spaces, quotes and dashes in one plain form each, NFC."""
    return " ".join(unicodedata.normalize("NFC", clean_text(text)).translate(_FOLD).split())


@lru_cache(maxsize=4096)
def _exported(stored: str) -> frozenset[str]:
    """The forms (as `_norm` gives them) in which the export may have printed the stored
    `stored`: as it is, and in German typography."""
    return frozenset({_norm(stored), _norm(typography.german(stored))})


def _as_stored(text: str, stored: str) -> str:
    """The file's `text` spelled as the stored paragraph wherever only the export's
    typography differs (quotes, dashes, non-breaking or added spaces): a proposal carries
    what the reader changed, not what our typesetting did."""
    if _norm(text) in _exported(stored):
        return stored
    ours, theirs = _TOKENS.findall(stored), _TOKENS.findall(text)
    matcher = SequenceMatcher(
        None, [_folded(t) for t in ours], [_folded(t) for t in theirs], autojunk=False
    )
    out: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += ours[i1:i2]
        elif op != "insert" or "".join(theirs[j1:j2]).strip():
            out += theirs[j1:j2]
        # else: only a space, as typesetting adds one in "§ 7g" or "z. B."
    return "".join(out)


def _folded(token: str) -> str:
    if token.isspace():
        return "\n" if "\n" in token else " "
    return token.translate(_FOLD)
