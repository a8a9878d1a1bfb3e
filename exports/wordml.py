"""Small WordprocessingML builders for what python-docx has no API for: fields, bookmarks,
footnotes, text that may contain anything a member typed.

Elements are python-docx's lxml elements (`docx.oxml`); lxml ships no type stubs, so they are
typed as `Element` (Any) here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import qn

from positions.core import cleaning

Element = Any
"""An lxml element of a WordprocessingML part."""

_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
BOOKMARK_NAME_LIMIT = 40
"""Word drops bookmarks with longer names."""


def clean_text(text: str) -> str:
    """`text` with every character removed that XML cannot carry; line breaks become "\\n"."""
    return cleaning.printable(text)


def one_line(text: str) -> str:
    """`clean_text` on one line: tabs and line breaks become spaces, runs of spaces one."""
    return " ".join(clean_text(text).split())


def sub(parent: Element, tag: str, attrs: dict[str, str] | None = None) -> Element:
    """Appends a new `tag` ("w:p") element to `parent`; attribute names are prefixed too."""
    child = parent.makeelement(qn(tag), {qn(k): v for k, v in (attrs or {}).items()})
    parent.append(child)
    return child


def element(tag: str, attrs: dict[str, str] | None = None) -> Element:
    """A new detached `tag` element from python-docx's parser (so it gets its oxml class)."""
    from docx.oxml.parser import OxmlElement

    return OxmlElement(tag, {qn(k): v for k, v in (attrs or {}).items()})


def paragraph(
    style: str | None = None, *, keep_next: bool = False, page_break_before: bool = False
) -> Element:
    """A new `w:p` with a paragraph style and, if asked, kept with the next paragraph or
    starting a new page."""
    p = element("w:p")
    if style or keep_next or page_break_before:
        ppr = sub(p, "w:pPr")
        if style:
            sub(ppr, "w:pStyle", {"w:val": style})
        if keep_next:
            sub(ppr, "w:keepNext")
        if page_break_before:
            sub(ppr, "w:pageBreakBefore")
    return p


def add_run(
    parent: Element,
    text: str,
    *,
    style: str | None = None,
    bold: bool = False,
    italic: bool = False,
    deleted: bool = False,
) -> Element:
    """Appends a `w:r` with `text` cleaned; "\\n" becomes a line break and "\\t" a tab.
    `deleted` text (inside a tracked deletion, `w:del`) goes into `w:delText`."""
    r = sub(parent, "w:r")
    text_tag = "w:delText" if deleted else "w:t"
    if style or bold or italic:
        rpr = sub(r, "w:rPr")
        if style:
            sub(rpr, "w:rStyle", {"w:val": style})
        if bold:
            sub(rpr, "w:b")
        if italic:
            sub(rpr, "w:i")
    cleaned = clean_text(text)
    if "\n" not in cleaned and "\t" not in cleaned:
        _text(r, cleaned, text_tag)
        return r
    for i, line in enumerate(cleaned.split("\n")):
        if i:
            sub(r, "w:br")
        for j, piece in enumerate(line.split("\t")):
            if j:
                sub(r, "w:tab")
            if piece:
                _text(r, piece, text_tag)
    return r


def _text(run: Element, text: str, tag: str = "w:t") -> None:
    t = sub(run, tag)
    t.set(_XML_SPACE, "preserve")
    t.text = text


def add_tab(parent: Element) -> None:
    sub(sub(parent, "w:r"), "w:tab")


def add_field(parent: Element, instruction: str, result: str) -> None:
    """Appends a complex field (begin, instruction, separate, cached `result`, end)."""
    add_field_start(parent, instruction)
    add_run(parent, result)
    add_field_end(parent)


def add_field_start(parent: Element, instruction: str) -> None:
    """Begin, instruction and separator of a field whose result follows (maybe over several
    paragraphs, as for a table of contents) and is closed by `add_field_end`."""
    sub(sub(parent, "w:r"), "w:fldChar", {"w:fldCharType": "begin"})
    instr = sub(sub(parent, "w:r"), "w:instrText")
    instr.set(_XML_SPACE, "preserve")
    instr.text = f" {instruction} "
    sub(sub(parent, "w:r"), "w:fldChar", {"w:fldCharType": "separate"})


def add_field_end(parent: Element) -> None:
    sub(sub(parent, "w:r"), "w:fldChar", {"w:fldCharType": "end"})


class Bookmarks:
    """Hands out document-wide unique bookmark ids."""

    def __init__(self) -> None:
        self._next_id = 0

    def start(self, parent: Element, name: str) -> str:
        """Appends a `w:bookmarkStart` named `name` and returns its id for `end`."""
        if len(name) > BOOKMARK_NAME_LIMIT:
            raise ValueError(f"bookmark name longer than {BOOKMARK_NAME_LIMIT}: {name}")
        bookmark_id = str(self._next_id)
        self._next_id += 1
        sub(parent, "w:bookmarkStart", {"w:id": bookmark_id, "w:name": name})
        return bookmark_id

    @staticmethod
    def end(parent: Element, bookmark_id: str) -> None:
        sub(parent, "w:bookmarkEnd", {"w:id": bookmark_id})


class Footnotes:
    """The footnotes part of a document being built: takes over the template's part (which
    python-docx loads as opaque bytes) as an XML part, so notes can be appended."""

    def __init__(self, document_part: Any) -> None:
        template_part = None
        for rel_id, rel in list(document_part.rels.items()):
            if rel.reltype == RELATIONSHIP_TYPE.FOOTNOTES:
                template_part = rel.target_part
                document_part.drop_rel(rel_id)
        if template_part is None:
            raise ValueError("the template has no footnotes part")
        self.element: Element = parse_xml(template_part.blob)
        part = XmlPart(
            PackURI("/word/footnotes.xml"),
            CONTENT_TYPE.WML_FOOTNOTES,
            self.element,
            document_part.package,
        )
        document_part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
        self._next_id = 1  # -1 and 0 are the separators

    def add(self, run_parent: Element, text: str) -> None:
        """Adds a footnote with `text` and appends its reference mark to `run_parent`."""
        note_id = str(self._next_id)
        self._next_id += 1
        note = sub(self.element, "w:footnote", {"w:id": note_id})
        p = sub(note, "w:p")
        sub(sub(p, "w:pPr"), "w:pStyle", {"w:val": "FootnoteText"})
        mark = sub(p, "w:r")
        sub(sub(mark, "w:rPr"), "w:rStyle", {"w:val": "FootnoteReference"})
        sub(mark, "w:footnoteRef")
        add_tab(p)
        add_run(p, text)
        ref = sub(run_parent, "w:r")
        sub(sub(ref, "w:rPr"), "w:rStyle", {"w:val": "FootnoteReference"})
        sub(ref, "w:footnoteReference", {"w:id": note_id})

    @property
    def count(self) -> int:
        return self._next_id - 1


RevisionKind = Literal["ins", "del", "moveFrom", "moveTo"]


class Revisions:
    """Tracked changes by one author at one moment: `w:ins`, `w:del`, `w:moveFrom` and
    `w:moveTo` with the author, the date and an id unique among the document's annotations
    (start `first_id` above the ids already used by bookmarks and comments)."""

    def __init__(self, author: str, moment: datetime, *, first_id: int) -> None:
        self.author = one_line(author) or "Unbekannt"
        # ST_DateTime; Word writes UTC without fractions.
        self.date = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._next_id = first_id

    def _attributes(self) -> dict[str, str]:
        revision_id = str(self._next_id)
        self._next_id += 1
        return {"w:id": revision_id, "w:author": self.author, "w:date": self.date}

    def wrap(self, parent: Element, kind: RevisionKind) -> Element:
        """Appends an empty tracked-change container (`w:ins`, …) for runs to `parent`."""
        return sub(parent, f"w:{kind}", self._attributes())

    def mark_paragraph(self, p: Element, kind: RevisionKind) -> None:
        """Marks the paragraph mark of `p` as inserted, deleted or moved (`w:pPr/w:rPr`)."""
        ppr = p.find(qn("w:pPr"))
        if ppr is None:
            ppr = element("w:pPr")
            p.insert(0, ppr)
        rpr = ppr.find(qn("w:rPr"))
        if rpr is None:
            rpr = sub(ppr, "w:rPr")
        change = element(f"w:{kind}", self._attributes())
        rpr.insert(0, change)

    def move_range(
        self, p: Element, kind: Literal["moveFrom", "moveTo"], name: str
    ) -> tuple[str, str]:
        """Appends the start of a move range to `p`; returns what `end_move_range` needs.
        Both halves of one move (its "moveFrom" and its "moveTo" range) share `name`."""
        attributes = self._attributes()
        attributes["w:name"] = name
        sub(p, f"w:{kind}RangeStart", attributes)
        return f"w:{kind}RangeEnd", attributes["w:id"]

    @staticmethod
    def end_move_range(p: Element, started: tuple[str, str]) -> None:
        sub(p, started[0], {"w:id": started[1]})


def highest_id(root: Element) -> int:
    """The highest `w:id` below `root` (bookmarks, notes, comments, changes), or 0.

    Word keeps one id space per kind of annotation, but LibreOffice mixes them up (a comment
    with the id of a footnote hides the footnote's text), so new ids go above all of them.
    """
    found = 0
    for item in root.iter():
        value = item.get(qn("w:id")) if isinstance(item.tag, str) else None
        if value is not None and value.lstrip("-").isdigit():
            found = max(found, int(value))
    return found
