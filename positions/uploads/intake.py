"""Word (.docx) intake: refuse unsafe or unsuitable uploads, then extract the text a member
sees in Word once all tracked changes are accepted.

`check_upload` runs the checks of the safe package reader (`positions.uploads.package`:
size, magic bytes, file name, zip structure, every entry streamed once); the only XML it
parses is `[Content_Types].xml`. `extract_docx` runs the same checks and then parses the few
parts it needs through the reader's safe parser. Every refusal is an `InvalidUpload` with a
German message for the member.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from positions.core.errors import InvalidUpload
from positions.uploads.package import Package, Xml, check_name, open_package, sniff, suspicious
from positions.uploads.wordprocessing import (
    ALTERNATE,
    DEL,
    ENDNOTE_REF,
    FLD_CHAR,
    FOOTNOTE_REF,
    MOVE_FROM,
    PPR,
    RPR,
    RUBY,
    RUBY_BASE,
    SDT,
    SDT_CONTENT,
    SHAPES,
    TBL,
    TC,
    TCPR,
    TEXT_IN_RUN,
    TR,
    TRANSPARENT_INLINE,
    TRPR,
    TXBX_CONTENT,
    VAL,
    P,
    R,
    Styles,
    T,
    W,
    as_int,
    child_of,
    chosen_branch,
    flatten,
    is_on,
    related_part_names,
    val_of,
)

# --- limits --------------------------------------------------------------------------------

# A list label repeats on every item, so its template and letter numbers ("aaa)") are capped.
MAX_LABEL_TEMPLATE = 40
MAX_LETTER_NUMBER = 26 * 5

# --- messages (German, shown to the member as they are) -------------------------------------

NO_TEXT = (
    "Die Datei enthält keinen Text, zum Beispiel weil sie nur Bilder oder eingescannte Seiten "
    "enthält. Bitte laden Sie ein Word-Dokument mit Text hoch oder fügen Sie den Text direkt ein."
)


# --- the result -----------------------------------------------------------------------------

BlockKind = Literal[
    "heading", "paragraph", "list_item", "table_row", "textbox", "footnote", "endnote"
]


@dataclass(frozen=True)
class Block:
    """One unit of text: never empty, never contains a blank line.

    `level` is the heading level (1–9) for headings and the list depth (1–9) for list items.
    """

    text: str
    kind: BlockKind
    level: int | None = None


@dataclass(frozen=True)
class ExtractedDocument:
    """The text of a Word document as Word shows it with all changes accepted.

    Blocks come in reading order: paragraphs, headings and list items (with their number or
    bullet, e.g. "1.2 Text", "a) Text", "• Text"); a table row as one block with its cells
    joined by " | " (a row with a single filled cell yields that cell's blocks instead);
    a text box after the paragraph that anchors it; then footnotes ("Fußnote 1: …") and
    endnotes ("Endnote i: …"), referenced in the body as "[1]" and "[i]".
    """

    blocks: tuple[Block, ...]

    @property
    def text(self) -> str:
        """The text we store: blocks separated by one blank line; line breaks kept as "\\n"."""
        return "\n\n".join(block.text for block in self.blocks)


# --- public API -----------------------------------------------------------------------------


def check_upload(filename: str, data: bytes) -> None:
    """Refuse (InvalidUpload) anything that is not a safe, macro-free .docx within our limits.

    Looks at size, magic bytes, name and zip structure and streams each entry once in bounded
    chunks; parses no document XML. Each refusal takes well under a second.
    """
    sniff(data)
    check_name(filename)
    with open_package(data):
        pass


def extract_docx(data: bytes) -> ExtractedDocument:
    """The document's text, "accept all changes" view; runs the content checks first.

    Raises InvalidUpload for anything check_upload refuses (except the file name), for
    malformed XML, and for a document without any text.
    """
    with open_package(data) as package:
        parts = _Parts.read(package)
    try:
        blocks = _Extractor(parts).document()
    except RecursionError:
        # Only absurdly deep nesting gets here; Word never writes it.
        raise suspicious("zu tief verschachtelt") from None
    if not blocks:
        raise InvalidUpload(NO_TEXT)
    return ExtractedDocument(tuple(blocks))


def extract_text(filename: str, data: bytes) -> str:
    """Check and extract an upload; returns exactly the text we store (and the CLI prints)."""
    sniff(data)
    check_name(filename)
    return extract_docx(data).text


@dataclass(frozen=True)
class _Parts:
    document: Xml
    styles: Xml | None
    numbering: Xml | None
    footnotes: Xml | None
    endnotes: Xml | None
    settings: Xml | None

    @classmethod
    def read(cls, package: Package) -> _Parts:
        names = related_part_names(package)
        document = package.xml("word/document.xml")
        assert document is not None  # check_word_format made sure it exists
        return cls(
            document=document,
            styles=package.xml(names["styles"]),
            numbering=package.xml(names["numbering"]),
            footnotes=package.xml(names["footnotes"]),
            endnotes=package.xml(names["endnotes"]),
            settings=package.xml(names["settings"]),
        )


# --- numbering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Level:
    start: int
    fmt: str
    text: str
    restart: int | None
    legal: bool
    suffix: str
    style_id: str | None


def _level(lvl: Xml) -> _Level:
    suffix = val_of(lvl, f"{W}suff")
    return _Level(
        start=as_int(val_of(lvl, f"{W}start")) or 0,  # omitted means 0, as the standard says
        fmt=val_of(lvl, f"{W}numFmt") or "decimal",
        # One line, so a crafted template cannot put a blank line into a block.
        text=" ".join((val_of(lvl, f"{W}lvlText") or "").split())[:MAX_LABEL_TEMPLATE],
        restart=as_int(val_of(lvl, f"{W}lvlRestart")),
        legal=is_on(lvl.find(f"{W}isLgl")),
        suffix="" if suffix == "nothing" else " ",
        style_id=val_of(lvl, f"{W}pStyle"),
    )


def _levels(element: Xml) -> dict[int, _Level]:
    levels: dict[int, _Level] = {}
    for lvl in element:
        ilvl = as_int(lvl.get(f"{W}ilvl")) if lvl.tag == f"{W}lvl" else None
        if ilvl is not None and 0 <= ilvl <= 8:
            levels[ilvl] = _level(lvl)
    return levels


@dataclass(frozen=True)
class _Num:
    abstract_id: str
    start_overrides: dict[int, int]
    level_overrides: dict[int, _Level]


class _Numbering:
    """List numbers as Word shows them: counters per abstract list, restarts per level."""

    def __init__(self, root: Xml | None, styles: Styles) -> None:
        self._styles = styles
        self._abstract: dict[str, dict[int, _Level]] = {}
        self._style_links: dict[str, str] = {}
        self._nums: dict[str, _Num] = {}
        for element in root if root is not None else ():
            if element.tag == f"{W}abstractNum":
                abstract_id = element.get(f"{W}abstractNumId") or ""
                self._abstract[abstract_id] = _levels(element)
                link = val_of(element, f"{W}numStyleLink")
                if link:
                    self._style_links[abstract_id] = link
            elif element.tag == f"{W}num":
                self._nums[element.get(f"{W}numId") or ""] = _num(element)
        # Counters live per abstract list: two numIds on the same list continue each other
        # unless one says startOverride. None means "not used yet".
        self._counters: dict[str, list[int | None]] = {}
        self._used_nums: set[str] = set()

    def label(self, num_id: str, ilvl: int | None, style_id: str | None) -> tuple[str, int] | None:
        """Advance the list and return (label with its separator, level), or None."""
        resolved = self._resolve(num_id)
        if resolved is None:
            return None
        abstract_id, levels = resolved
        if ilvl is None:
            # A style tied to a list level (lvl/pStyle) numbers at that level.
            ilvl = next((i for i, lvl in levels.items() if lvl.style_id == style_id), 0)
        level = levels.get(ilvl)
        if level is None:
            return None
        counters = self._counters.setdefault(abstract_id, [None] * 9)
        if num_id not in self._used_nums:
            self._used_nums.add(num_id)
            for override_level, start in self._nums[num_id].start_overrides.items():
                counters[override_level] = start - 1
        current = counters[ilvl]
        counters[ilvl] = level.start if current is None else current + 1
        for deeper in range(ilvl + 1, 9):
            restart = levels[deeper].restart if deeper in levels else None
            if restart is None or (restart != 0 and ilvl < restart):
                counters[deeper] = None
        text = _label_text(level, levels, counters, ilvl)
        return (text + level.suffix if text else ""), ilvl

    def _resolve(self, num_id: str) -> tuple[str, dict[int, _Level]] | None:
        """Abstract list id and its levels (with the num's overrides), through style links."""
        num = self._nums.get(num_id)
        for _ in range(5):
            if num is None:
                return None
            link = self._style_links.get(num.abstract_id)
            if link is None:
                levels = dict(self._abstract.get(num.abstract_id, {}))
                levels.update(self._nums[num_id].level_overrides)
                return num.abstract_id, levels
            linked_num, _ = self._styles.numbering(link)
            num = self._nums.get(linked_num or "")
        return None


def _num(element: Xml) -> _Num:
    starts: dict[int, int] = {}
    overrides: dict[int, _Level] = {}
    for override in element:
        ilvl = as_int(override.get(f"{W}ilvl")) if override.tag == f"{W}lvlOverride" else None
        if ilvl is None or not 0 <= ilvl <= 8:
            continue
        start = as_int(val_of(override, f"{W}startOverride"))
        if start is not None:
            starts[ilvl] = start
        lvl = override.find(f"{W}lvl")
        if lvl is not None:
            overrides[ilvl] = _level(lvl)
    return _Num(val_of(element, f"{W}abstractNumId") or "", starts, overrides)


_DASHES = {"-", "–", "—", "−", "\uf02d", "\uf0be"}
_PLACEHOLDER = re.compile(r"%([1-9])")


def _label_text(
    level: _Level, levels: dict[int, _Level], counters: list[int | None], ilvl: int
) -> str:
    if level.fmt == "bullet":
        # Bullets are symbol-font glyphs; German texts often use dashes ("Spiegelstriche").
        return "–" if level.text.strip() in _DASHES else "•"

    def number(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        other = levels.get(index)
        if other is None:
            return ""
        value = counters[index]
        fmt = "decimal" if level.legal and index != ilvl else other.fmt
        return _format_number(other.start if value is None else value, fmt)

    return _PLACEHOLDER.sub(number, level.text)


def _format_number(value: int, fmt: str) -> str:
    """A list or note number in Word's number formats; unknown formats fall back to 1, 2, 3."""
    if fmt == "none":
        return ""
    if fmt in ("lowerLetter", "upperLetter") and 0 < value <= MAX_LETTER_NUMBER:
        # Word counts a … z, aa … zz, aaa …; past that (a crafted start value) we use digits.
        letters = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letters if fmt == "lowerLetter" else letters.upper()
    if fmt in ("lowerRoman", "upperRoman") and 0 < value < 4000:
        roman = _roman(value)
        return roman.lower() if fmt == "lowerRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _roman(value: int) -> str:
    digits = (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    )
    result = []
    for amount, letters in digits:
        count, value = divmod(value, amount)
        result.append(letters * count)
    return "".join(result)


# --- symbols (w:sym) ------------------------------------------------------------------------

# Symbol-font code points (0x20–0xFF, stored as U+F020–U+F0FF) for the glyphs policy texts use.
_SYMBOL_FONT = (
    {0x41 + i: letter for i, letter in enumerate("ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ")}
    | {0x61 + i: letter for i, letter in enumerate("αβχδεφγηιϕκλμνοπθρστυϖωξψζ")}
    | {0xA3: "≤", 0xB3: "≥", 0xB1: "±", 0xB4: "×", 0xB8: "÷", 0xB9: "≠", 0xBB: "≈"}
    | {0xA5: "∞", 0xB0: "°", 0xAC: "←", 0xAE: "→", 0xDE: "⇒", 0xB7: "•", 0xD6: "√"}
)
_WINGDINGS = {0x6C: "●", 0xA7: "▪", 0xFB: "✗", 0xFC: "✓", 0xFD: "☒", 0xFE: "☑"}


def _symbol(sym: Xml) -> str:
    """The character of a w:sym; symbol-font glyphs mapped where we know them, else dropped."""
    code = _int_hex(sym.get(f"{W}char"))
    if code is None:
        return ""
    if not 0xF000 <= code <= 0xF0FF:
        return chr(code) if code < 0x110000 else ""
    font = (sym.get(f"{W}font") or "").lower()
    table = _WINGDINGS if font.startswith("wingdings") else _SYMBOL_FONT
    return table.get(code - 0xF000, "")


def _int_hex(value: str | None) -> int | None:
    try:
        return None if value is None else int(value, 16)
    except ValueError:
        return None


# --- notes ----------------------------------------------------------------------------------


@dataclass
class _Notes:
    """Footnotes or endnotes: the notes by id and the order the body first refers to them."""

    label: str
    kind: BlockKind
    fmt: str
    start: int
    by_id: dict[str, Xml]
    order: dict[str, int] = field(default_factory=dict)  # note id -> position, 0-based

    @classmethod
    def read(cls, root: Xml | None, kind: BlockKind, settings: Xml | None) -> _Notes:
        label, properties, default_fmt = (
            ("Fußnote", f"{W}footnotePr", "decimal")
            if kind == "footnote"
            else ("Endnote", f"{W}endnotePr", "lowerRoman")
        )
        note_pr = child_of(settings, properties)
        notes = {
            note.get(f"{W}id") or "": note
            for note in (root if root is not None else ())
            if note.tag in (f"{W}footnote", f"{W}endnote") and note.get(f"{W}type") is None
        }
        return cls(
            label=label,
            kind=kind,
            fmt=val_of(note_pr, f"{W}numFmt") or default_fmt,
            start=as_int(val_of(note_pr, f"{W}numStart")) or 1,
            by_id=notes,
        )

    def number(self, note_id: str) -> str | None:
        """The note's number as shown, registering it on first reference; None if unknown."""
        if note_id not in self.by_id:
            return None
        position = self.order.setdefault(note_id, len(self.order))
        return _format_number(self.start + position, self.fmt)


# --- extraction -----------------------------------------------------------------------------


@dataclass
class _Line:
    """A paragraph being assembled: its text pieces and the text boxes anchored in it."""

    parts: list[str] = field(default_factory=list)
    textboxes: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class _Paragraph:
    text: str
    textboxes: list[Block]
    mark_deleted: bool
    kind: BlockKind
    level: int | None
    label: str


class _Extractor:
    """Walks the document in reading order and applies the "accept all changes" rules."""

    def __init__(self, parts: _Parts) -> None:
        self._styles = Styles(parts.styles)
        self._numbering = _Numbering(parts.numbering, self._styles)
        self._footnotes = _Notes.read(parts.footnotes, "footnote", parts.settings)
        self._endnotes = _Notes.read(parts.endnotes, "endnote", parts.settings)
        self._document = parts.document
        # Complex fields: one entry per open field, True once its result (not its
        # instruction) is showing. Fields may span paragraphs, so this lives here.
        self._fields: list[bool] = []
        self._in_note = False

    def document(self) -> list[Block]:
        body = self._document.find(f"{W}body")
        blocks = self._story(body) if body is not None else []
        self._in_note = True
        for notes in (self._footnotes, self._endnotes):
            for note_id in notes.order:
                text = "\n".join(block.text for block in self._story(notes.by_id[note_id]))
                if text:
                    number = notes.number(note_id)
                    blocks.append(Block(f"{notes.label} {number}: {text}", notes.kind))
        return blocks

    def _story(self, container: Xml) -> list[Block]:
        """Blocks of a body, cell, text box or note; field state does not leak between them."""
        saved, self._fields = self._fields, []
        try:
            return self._blocks(container)
        finally:
            self._fields = saved

    def _blocks(self, container: Xml) -> list[Block]:
        blocks: list[Block] = []
        # Text of paragraphs whose mark was deleted: accepting that merges them into the
        # next paragraph, which keeps its own properties (its mark survives).
        pending: list[str] = []
        pending_boxes: list[Block] = []

        def flush() -> None:
            blocks.extend(_block("".join(pending), "paragraph", None, ""))
            blocks.extend(pending_boxes)
            pending.clear()
            pending_boxes.clear()

        for child in flatten(container, {P, TBL}):
            if child.tag == TBL:
                flush()
                blocks.extend(self._table(child))
                continue
            paragraph = self._paragraph(child)
            pending.append(paragraph.text)
            pending_boxes.extend(paragraph.textboxes)
            if paragraph.mark_deleted:
                continue
            text = "".join(pending)
            blocks.extend(_block(text, paragraph.kind, paragraph.level, paragraph.label))
            blocks.extend(pending_boxes)
            pending.clear()
            pending_boxes.clear()
        flush()
        return blocks

    def _paragraph(self, p: Xml) -> _Paragraph:
        ppr = p.find(PPR)
        mark = child_of(ppr, RPR)
        mark_deleted = child_of(mark, DEL) is not None or child_of(mark, MOVE_FROM) is not None
        style_id = val_of(ppr, f"{W}pStyle") or self._styles.default_paragraph
        kind: BlockKind = "paragraph"
        level: int | None = None
        label = ""
        # Only a surviving paragraph mark shows a number, so only it advances the list.
        numbered = None if mark_deleted else self._list_label(ppr, style_id)
        if numbered is not None:
            label, ilvl = numbered
            kind, level = "list_item", ilvl + 1
        heading = self._styles.heading_level(style_id)
        outline = as_int(val_of(ppr, f"{W}outlineLvl"))
        if outline is not None:
            heading = outline + 1 if outline < 9 else None
        if heading is not None:
            kind, level = "heading", heading
        line = _Line()
        self._inline(p, line)
        return _Paragraph("".join(line.parts), line.textboxes, mark_deleted, kind, level, label)

    def _list_label(self, ppr: Xml | None, style_id: str | None) -> tuple[str, int] | None:
        num_pr = child_of(ppr, f"{W}numPr")
        style_num, style_ilvl = self._styles.numbering(style_id)
        num_id = val_of(num_pr, f"{W}numId") or style_num
        ilvl = as_int(val_of(num_pr, f"{W}ilvl"))
        if ilvl is None:
            ilvl = style_ilvl
        if not num_id or num_id == "0":  # numId 0 switches numbering off
            return None
        return self._numbering.label(num_id, ilvl, style_id)

    def _inline(self, parent: Xml, line: _Line) -> None:
        for child in parent:
            tag = child.tag
            if tag == R:
                self._run(child, line)
            elif tag in TRANSPARENT_INLINE:
                self._inline(child, line)
            elif tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    self._inline(content, line)
            elif tag == ALTERNATE:
                branch = chosen_branch(child)
                if branch is not None:
                    self._inline(branch, line)
            # w:del and w:moveFrom (rejected by accepting), comment anchors, bookmarks,
            # proofing marks and math are not part of the text.

    def _run(self, run: Xml, line: _Line) -> None:
        hidden = is_on(child_of(run.find(RPR), f"{W}vanish"))
        for child in run:
            tag = child.tag
            if tag == FLD_CHAR:
                self._field_char(child.get(f"{W}fldCharType"))
            elif hidden or not all(self._fields):
                continue  # hidden text, or a field's instruction (w:instrText)
            elif tag == T:
                line.parts.append(child.text or "")
            elif tag in TEXT_IN_RUN:
                line.parts.append(TEXT_IN_RUN[tag])
            elif tag == f"{W}sym":
                line.parts.append(_symbol(child))
            elif tag in (FOOTNOTE_REF, ENDNOTE_REF):
                line.parts.append(self._note_marker(child))
            elif tag == RUBY:
                base = child.find(RUBY_BASE)  # the annotation above it (w:rt) is left out
                if base is not None:
                    self._inline(base, line)
            elif tag in SHAPES:
                line.textboxes.extend(self._textboxes(child))

    def _field_char(self, kind: str | None) -> None:
        if kind == "begin":
            self._fields.append(False)
        elif kind == "separate" and self._fields:
            self._fields[-1] = True
        elif kind == "end" and self._fields:
            self._fields.pop()

    def _note_marker(self, reference: Xml) -> str:
        if self._in_note:
            return ""  # a note referring to another note: rare, and not numbered by Word
        notes = self._footnotes if reference.tag == FOOTNOTE_REF else self._endnotes
        number = notes.number(reference.get(f"{W}id") or "")
        if number is None:
            return ""
        return f"[{number}]"

    def _textboxes(self, shape: Xml) -> list[Block]:
        boxes = []
        for content in _outermost_textboxes(shape):
            text = "\n".join(block.text for block in self._story(content))
            if text:
                boxes.append(Block(text, "textbox"))
        return boxes

    def _table(self, table: Xml) -> list[Block]:
        blocks: list[Block] = []
        for row in flatten(table, {TR}):
            if child_of(row.find(TRPR), DEL) is not None:
                continue  # a deleted row
            cells = [
                self._story(cell)
                for cell in flatten(row, {TC})
                if not _merged_away(cell.find(TCPR))
            ]
            filled = [cell for cell in cells if cell]
            if len(filled) == 1:
                # One filled cell: a layout table (letterhead, boxed text), not data.
                blocks.extend(filled[0])
            elif filled:
                text = " | ".join("\n".join(block.text for block in cell) for cell in filled)
                blocks.append(Block(text, "table_row"))
        return blocks


def _merged_away(tcpr: Xml | None) -> bool:
    """A cell covered by a merge (its text, if any, is shown by the merge's first cell)."""
    if child_of(tcpr, f"{W}cellDel") is not None:
        return True
    for tag in (f"{W}vMerge", f"{W}hMerge"):
        merge = child_of(tcpr, tag)
        if merge is not None and merge.get(VAL) != "restart":
            return True
    return False


def _outermost_textboxes(element: Xml) -> Iterator[Xml]:
    """Text box contents in a shape, each once; nested ones are reached through their parent."""
    if element.tag == TXBX_CONTENT:
        yield element
    elif element.tag == ALTERNATE:
        branch = chosen_branch(element)
        if branch is not None:
            yield from _outermost_textboxes(branch)
    else:
        for child in element:
            yield from _outermost_textboxes(child)


def _block(text: str, kind: BlockKind, level: int | None, label: str) -> list[Block]:
    """The block for a paragraph's text, or nothing when it has no visible text."""
    lines = (line.rstrip() for line in text.splitlines())
    tidy = "\n".join(line for line in lines if line.strip()).strip()
    if not tidy:
        return []
    return [Block(unicodedata.normalize("NFC", label + tidy), kind, level)]
