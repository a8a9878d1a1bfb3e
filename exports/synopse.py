"""The Synopse of two paper versions as Word documents, in the house style.

`build_synopse_table` sets the versions side by side in a landscape table (bisherige
Fassung | neue Fassung | Begründung/Kommentar) whose header row repeats on every page. Deleted
words are struck through and inserted words underlined; both are also coloured, but never by
colour alone, and the third column names each row's kind in words.

`build_synopse_tracked` is the new version as the normal paper, every change a real tracked
change (`w:ins`, `w:del`, moves as `w:moveFrom`/`w:moveTo`) by one author at one moment, so a
ministry can accept or reject each of them in Word. Paragraph bookmarks stay as in the paper,
so an edited copy can come back (`exports.roundtrip`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from exports.document import Letterhead, PaperDocument, Paragraph, Section
from exports.errors import InvalidExportInput
from exports.templates.build_template import TEXT_WIDTH
from exports.word import (
    bookmark_name,
    build_paper,
    german_date,
    header_fill,
    house_document,
    set_core_properties,
)
from exports.wordml import (
    Element,
    Revisions,
    add_run,
    add_tab,
    clean_text,
    element,
    highest_id,
    one_line,
    paragraph,
    sub,
)
from positions.core.clock import utcnow
from positions.papers.diffing import (
    ROW_LABELS,
    Piece,
    Synopsis,
    SynopsisRow,
    Version,
    anchor,
)

DELETED_STYLE = "SynopseGestrichen"
INSERTED_STYLE = "SynopseNeu"
NOTE_STYLE = "SynopseHinweis"
DELETED_COLOUR = "A50021"
"""Dark red, 7.6:1 on white; always together with strikethrough."""
INSERTED_COLOUR = "00602B"
"""Dark green, 7.4:1 on white; always together with underlining."""
SECTION_FILL = "F2F2F2"

# A4 landscape with the template's margins (2.5 cm left and right).
_PAGE_WIDTH, _PAGE_HEIGHT = 16838, 11906
LANDSCAPE_TEXT_WIDTH = _PAGE_WIDTH - 2 * 1418
_COLUMNS = (5600, 5600, LANDSCAPE_TEXT_WIDTH - 11200)

_CHARACTER_STYLES = (
    (DELETED_STYLE, "Synopse gestrichen", f'<w:strike/><w:color w:val="{DELETED_COLOUR}"/>'),
    (INSERTED_STYLE, "Synopse neu", f'<w:color w:val="{INSERTED_COLOUR}"/><w:u w:val="single"/>'),
    (NOTE_STYLE, "Synopse Hinweis", '<w:i/><w:iCs/><w:color w:val="595959"/>'),
)


# --- the table ------------------------------------------------------------------------------


def build_synopse_table(
    synopsis: Synopsis,
    *,
    letterhead: Letterhead,
    title: str,
    comments: Mapping[int, str] | None = None,
    include_unchanged: bool = True,
    now: datetime | None = None,
) -> bytes:
    """The Synopse as a landscape .docx: title, versions compared, a legend, and the table.

    `comments` (paragraph id → text) fill the Begründung/Kommentar column. Without
    `include_unchanged`, runs of unchanged paragraphs shrink to one line saying how many.
    """
    now = now or utcnow()
    word = house_document(letterhead)
    _add_character_styles(word)
    body = word.element.body
    sect_pr = body.find(qn("w:sectPr"))
    for child in list(body):
        if child is not sect_pr:
            body.remove(child)
    _landscape(sect_pr)

    def append(p: Element) -> Element:
        sect_pr.addprevious(p)
        return p

    add_run(append(paragraph("Verbandsname")), one_line(letterhead.name))
    kind = append(paragraph("Subtitle"))
    # The subtitle's space above suits a title page, not a table's first page.
    sub(kind.find(qn("w:pPr")), "w:spacing", {"w:before": "360"})
    add_run(kind, "Synopse")
    add_run(append(paragraph("Title")), one_line(title) or "Ohne Titel")
    for label, value in (
        ("Bisherige Fassung", _version_line(synopsis.old)),
        ("Neue Fassung", _version_line(synopsis.new)),
        ("Änderungen", synopsis.summary()),
    ):
        p = append(paragraph("Titelangabe"))
        add_run(p, label, bold=True)
        add_tab(p)
        add_run(p, value)
    add_run(
        append(paragraph("Hinweis")),
        "Lesehilfe: Gestrichener Text ist durchgestrichen (rot), neuer Text unterstrichen "
        "(grün). Die rechte Spalte nennt für jeden Absatz die Art der Änderung.",
    )
    append(_SynopseTable(synopsis, letterhead, comments or {}, include_unchanged).build())
    # Word needs a paragraph between a table and the section properties.
    append(paragraph(None))

    _header_and_footers(
        word,
        letterhead,
        right=f"Synopse · {german_date(synopsis.new.created)}",
        state=f"Synopse {one_line(synopsis.old.label)} → {one_line(synopsis.new.label)}",
        width=LANDSCAPE_TEXT_WIDTH,
    )
    set_core_properties(
        word,
        title=f"Synopse: {title}",
        subject=f"{synopsis.old.label} → {synopsis.new.label}",
        author=letterhead.name,
        category="Synopse",
        now=now,
    )
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _version_line(version: Version) -> str:
    return f"{one_line(version.label)} vom {german_date(version.created)}"


class _SynopseTable:
    def __init__(
        self,
        synopsis: Synopsis,
        letterhead: Letterhead,
        comments: Mapping[int, str],
        include_unchanged: bool,
    ) -> None:
        self.synopsis = synopsis
        self.fill = header_fill(letterhead.accent_colour)
        self.comments = comments
        self.include_unchanged = include_unchanged

    def build(self) -> Element:
        tbl = element("w:tbl")
        tbl_pr = sub(tbl, "w:tblPr")
        sub(tbl_pr, "w:tblStyle", {"w:val": "TableGrid"})
        sub(tbl_pr, "w:tblW", {"w:w": str(LANDSCAPE_TEXT_WIDTH), "w:type": "dxa"})
        sub(tbl_pr, "w:tblLayout", {"w:type": "fixed"})
        look = {"w:val": "0420", "w:firstRow": "1", "w:lastRow": "0", "w:firstColumn": "0"}
        sub(tbl_pr, "w:tblLook", {**look, "w:lastColumn": "0", "w:noHBand": "0", "w:noVBand": "1"})
        sub(tbl_pr, "w:tblCaption", {"w:val": "Synopse"})
        sub(
            tbl_pr,
            "w:tblDescription",
            {"w:val": "Bisherige und neue Fassung je Absatz mit Art der Änderung"},
        )
        grid = sub(tbl, "w:tblGrid")
        for width in _COLUMNS:
            sub(grid, "w:gridCol", {"w:w": str(width)})

        tr = self._row(tbl, header=True)
        headings = (
            ("Bisherige Fassung", self.synopsis.old.label),
            ("Neue Fassung", self.synopsis.new.label),
            ("Begründung / Kommentar", ""),
        )
        for width, (heading, label) in zip(_COLUMNS, headings, strict=True):
            p = self._cell(tr, width, "Tabellenkopf", fill=self.fill)
            add_run(p, heading)
            if one_line(label):
                add_run(p, f"\n{one_line(label)}")

        section: str | None = None
        for group in self._groups():
            first = group[0]
            if first.section != section:
                section = first.section
                self._section_row(tbl, section)
            if len(group) > 1 or (first.kind == "unchanged" and not self.include_unchanged):
                self._collapsed_row(tbl, len(group))
            else:
                self._paragraph_row(tbl, first)
        return tbl

    def _groups(self) -> Iterator[list[SynopsisRow]]:
        """One row each; without unchanged rows, runs of them (within a section) as one."""
        run: list[SynopsisRow] = []
        for row in self.synopsis.rows:
            foldable = row.kind == "unchanged" and not self.include_unchanged
            if run and (not foldable or run[0].section != row.section):
                yield run
                run = []
            if foldable:
                run.append(row)
            else:
                yield [row]
        if run:
            yield run

    def _row(self, tbl: Element, *, header: bool = False, keep: bool = False) -> Element:
        tr = sub(tbl, "w:tr")
        if header or keep:
            tr_pr = sub(tr, "w:trPr")
            sub(tr_pr, "w:cantSplit")
            if header:
                sub(tr_pr, "w:tblHeader")  # repeated at the top of every page
        return tr

    def _cell(
        self, tr: Element, width: int, style: str, *, fill: str | None = None, span: int = 1
    ) -> Element:
        tc = sub(tr, "w:tc")
        tc_pr = sub(tc, "w:tcPr")
        sub(tc_pr, "w:tcW", {"w:w": str(width), "w:type": "dxa"})
        if span > 1:
            sub(tc_pr, "w:gridSpan", {"w:val": str(span)})
        if fill:
            sub(tc_pr, "w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": fill})
        p = sub(tc, "w:p")
        sub(sub(p, "w:pPr"), "w:pStyle", {"w:val": style})
        return p

    def _section_row(self, tbl: Element, title: str) -> None:
        tr = self._row(tbl, keep=True)
        p = self._cell(tr, LANDSCAPE_TEXT_WIDTH, "Tabellenkopf", fill=SECTION_FILL, span=3)
        add_run(p, one_line(title) or "Ohne Abschnitt")

    def _collapsed_row(self, tbl: Element, count: int) -> None:
        tr = self._row(tbl, keep=True)
        p = self._cell(tr, LANDSCAPE_TEXT_WIDTH, "Tabellentext", span=3)
        text = "1 unveränderter Absatz" if count == 1 else f"{count} unveränderte Absätze"
        add_run(p, f"… {text} …", style=NOTE_STYLE)

    def _paragraph_row(self, tbl: Element, row: SynopsisRow) -> None:
        tr = self._row(tbl)
        old_cell = self._cell(tr, _COLUMNS[0], "Tabellentext")
        new_cell = self._cell(tr, _COLUMNS[1], "Tabellentext")
        note_cell = self._cell(tr, _COLUMNS[2], "Tabellentext")
        if row.old is None:
            add_run(old_cell, "(neu eingefügt)", style=NOTE_STYLE)
        else:
            _pieces(old_cell, row.pieces, keep="delete")
        if row.new is None:
            add_run(new_cell, "(gestrichen)", style=NOTE_STYLE)
        else:
            _pieces(new_cell, row.pieces, keep="insert")
        if row.kind == "unchanged":
            add_run(note_cell, _kind_line(row), style=NOTE_STYLE)
        else:
            add_run(note_cell, _kind_line(row), bold=True)
        tags = _tags(row)
        if tags:
            add_run(note_cell, f"\n{tags}")
        comment = clean_text(self.comments.get(row.paragraph_id, "")).strip()
        if comment:
            add_run(note_cell, f"\n{comment}")


def _kind_line(row: SynopsisRow) -> str:
    """E.g. "Geändert", "Verschoben aus „Ausgangslage“, Text geändert; jetzt Kernforderung"."""
    remarks = list(row.remarks)
    if row.kind == "moved":
        head = remarks.pop(0) if remarks and remarks[0].startswith("verschoben") else "verschoben"
        if row.text_changed:
            head += ", Text geändert"
    else:
        head = ROW_LABELS[row.kind]
    return "; ".join([head[0].upper() + head[1:], *remarks])


def _tags(row: SynopsisRow) -> str:
    """What the paragraph is besides text ("Kernforderung", "Mindermeinung"), unless a remark
    already says so."""
    paragraph = row.new or row.old
    assert paragraph is not None
    said = " ".join(row.remarks).lower()
    tags = [
        tag
        for flag, tag in (
            (paragraph.is_core_demand, "Kernforderung"),
            (paragraph.is_minority_opinion, "Mindermeinung"),
        )
        if flag and tag.lower() not in said
    ]
    return ", ".join(tags)


def _pieces(p: Element, pieces: Sequence[Piece], *, keep: Literal["delete", "insert"]) -> None:
    """The old (`keep="delete"`) or new side of `pieces` as runs, changes styled."""
    style = DELETED_STYLE if keep == "delete" else INSERTED_STYLE
    for piece in pieces:
        if piece.op == "equal":
            add_run(p, piece.text)
        elif piece.op == keep:
            add_run(p, piece.text, style=style)


def _add_character_styles(word: Any) -> None:
    styles = word.styles.element
    for style_id, name, rpr in _CHARACTER_STYLES:
        styles.append(
            parse_xml(
                f'<w:style {nsdecls("w")} w:type="character" w:customStyle="1"'
                f' w:styleId="{style_id}"><w:name w:val="{name}"/>'
                '<w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="1"/><w:qFormat/>'
                f"<w:rPr>{rpr}</w:rPr></w:style>"
            )
        )


def _landscape(sect_pr: Element) -> None:
    size = sect_pr.find(qn("w:pgSz"))
    size.set(qn("w:w"), str(_PAGE_WIDTH))
    size.set(qn("w:h"), str(_PAGE_HEIGHT))
    size.set(qn("w:orient"), "landscape")


def _header_and_footers(
    word: Any, letterhead: Letterhead, *, right: str, state: str, width: int
) -> None:
    """Header and footers as the paper has them, their right tab stop moved to `width`."""
    section = word.sections[0]
    name = one_line(letterhead.name)
    stories = (
        section.header,
        section.footer,
        section.first_page_header,
        section.first_page_footer,
    )
    for story in stories:
        p = story.part.element.find(qn("w:p"))
        ppr = p.find(qn("w:pPr"))
        tabs = element("w:tabs")
        sub(tabs, "w:tab", {"w:val": "clear", "w:pos": str(TEXT_WIDTH)})
        sub(tabs, "w:tab", {"w:val": "right", "w:pos": str(width)})
        # w:tabs follows w:pStyle and w:pBdr in the schema's order.
        border = ppr.find(qn("w:pBdr"))
        (border if border is not None else ppr.find(qn("w:pStyle"))).addnext(tabs)
    header = section.header.part.element.find(qn("w:p"))
    add_run(header, name)
    add_tab(header)
    add_run(header, one_line(right))
    footer = section.footer.part.element.find(qn("w:p"))
    footer.find(qn("w:pPr")).addnext(add_run(footer, one_line(state)))
    letterhead_line = section.first_page_footer.part.element.find(qn("w:p"))
    add_run(
        letterhead_line,
        " · ".join(t for t in (one_line(x) for x in (name, *letterhead.address)) if t),
    )


# --- tracked changes ------------------------------------------------------------------------


def build_synopse_tracked(
    paper: PaperDocument,
    synopsis: Synopsis,
    *,
    author: str | None = None,
    changed_at: datetime | None = None,
    now: datetime | None = None,
) -> bytes:
    """The paper (the new version of `synopsis`) with every change since the old version as
    a tracked change by `author` (default: the association) at `changed_at` (default: now).

    Changed words are deletions and insertions inside their paragraph; an added paragraph is
    inserted, a deleted one deleted where it stood; a paragraph moved unchanged is a Word
    move, one moved and edited a deletion at the old place and an insertion at the new.
    Change tracking stays on for whoever edits next. Raises InvalidExportInput when a
    paragraph of the new version is missing from the paper.
    """
    now = now or utcnow()
    data = build_paper(paper, now=now)
    word = Document(io.BytesIO(data))
    _TrackedWriter(word, paper, synopsis, author, changed_at or now).write()
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


class _TrackedWriter:
    def __init__(
        self,
        word: Any,
        paper: PaperDocument,
        synopsis: Synopsis,
        author: str | None,
        moment: datetime,
    ) -> None:
        self.word = word
        self.synopsis = synopsis
        self.body: Element = word.element.body
        self.starts: dict[str, Element] = {
            start.get(qn("w:name")): start for start in self.body.iter(qn("w:bookmarkStart"))
        }
        self.revisions = Revisions(
            author or paper.association.name, moment, first_id=highest_id(self.body) + 1
        )
        self.text_ids = _paragraph_ids(paper.sections)
        self.placed_after: dict[int, Element] = {}
        self.rows = {row.paragraph_id: row for row in synopsis.rows}

    def write(self) -> None:
        for row in self.synopsis.rows:
            if row.new is not None and row.new.id not in self.text_ids:
                raise InvalidExportInput(
                    f"Die Synopse passt nicht zum Papier: Absatz {row.new.id} der Fassung "
                    f"„{one_line(self.synopsis.new.label)}“ fehlt im Papier."
                )
        stays = {
            row.paragraph_id for row in self.synopsis.rows if row.kind in ("unchanged", "changed")
        }
        old = self.synopsis.old.paragraphs
        # Old places first (in old order, so neighbours keep their order), then new places.
        for index, before in enumerate(old):
            gone = self._row(before.id)
            if gone is None or gone.kind not in ("deleted", "moved"):
                continue
            pure_move = gone.kind == "moved" and not gone.text_changed
            ghost = paragraph("Mindermeinung" if before.is_minority_opinion else None)
            if pure_move:
                started = self.revisions.move_range(ghost, "moveFrom", f"move{before.id}")
                add_run(self.revisions.wrap(ghost, "moveFrom"), before.text)
                self.revisions.end_move_range(ghost, started)
                self.revisions.mark_paragraph(ghost, "moveFrom")
            else:
                add_run(self.revisions.wrap(ghost, "del"), before.text, deleted=True)
                self.revisions.mark_paragraph(ghost, "del")
            self._place(ghost, anchor(old, index, stays))
        for row in self.synopsis.rows:
            if row.new is None or row.kind == "unchanged":
                continue
            p = self._paragraph(row.new.id)
            if row.kind == "added" or (row.kind == "moved" and row.text_changed):
                self._wrap_content(p, "ins")
                self.revisions.mark_paragraph(p, "ins")
                label = p.getprevious()
                if row.kind == "added" and _style_of(label) == "MindermeinungHinweis":
                    self._wrap_content(label, "ins")
                    self.revisions.mark_paragraph(label, "ins")
            elif row.kind == "moved":
                start = p.find(qn("w:bookmarkStart"))
                started = self.revisions.move_range(p, "moveTo", f"move{row.new.id}")
                start.addnext(p[-1])
                self._wrap_content(p, "moveTo")
                self.revisions.end_move_range(p, started)
                self.revisions.mark_paragraph(p, "moveTo")
            elif row.text_changed:
                self._replace_text(p, row.pieces)
        self._note_on_title_page()
        self._track_further_changes()

    def _row(self, paragraph_id: int) -> SynopsisRow | None:
        return self.rows.get(paragraph_id)

    def _paragraph(self, paragraph_id: int) -> Element:
        return self.starts[bookmark_name(paragraph_id)].getparent()

    def _block(self, paragraph_id: int) -> Element:
        """The body-level element (paragraph or table) holding the paragraph's bookmark."""
        found = self.starts[bookmark_name(paragraph_id)]
        while found.getparent() is not self.body:
            found = found.getparent()
        return found

    def _place(self, ghost: Element, place: tuple[int, str] | None) -> None:
        if place is None:
            first = next(
                (r.new.id for r in self.synopsis.rows if r.new is not None and r.kind != "added"),
                None,
            )
            if first is None:
                self.body.find(qn("w:sectPr")).addprevious(ghost)
            else:
                self._before(self._block(first)).addprevious(ghost)
            return
        paragraph_id, side = place
        if side == "after":
            if paragraph_id in self.placed_after:
                self.placed_after[paragraph_id].addnext(ghost)
            else:
                self._block(paragraph_id).addnext(ghost)
            self.placed_after[paragraph_id] = ghost
        else:
            self._before(self._block(paragraph_id)).addprevious(ghost)

    @staticmethod
    def _before(block: Element) -> Element:
        """`block`, or the minority-opinion label that belongs in front of it."""
        label = block.getprevious()
        return label if _style_of(label) == "MindermeinungHinweis" else block

    def _wrap_content(self, p: Element, kind: Literal["ins", "moveTo"]) -> None:
        """Moves the paragraph's runs into one tracked-change container of `kind`."""
        runs = p.findall(qn("w:r"))
        if not runs:
            return
        container = self.revisions.wrap(p, kind)
        runs[0].addprevious(container)
        for run in runs:
            container.append(run)

    def _replace_text(self, p: Element, pieces: Sequence[Piece]) -> None:
        """Replaces the paragraph's text run (the one after its bookmark) with the pieces."""
        text_run = p.find(qn("w:bookmarkStart")).getnext()
        assert text_run is not None and text_run.tag == qn("w:r")
        scratch = element("w:p")
        for piece in pieces:
            if piece.op == "equal":
                add_run(scratch, piece.text)
            elif piece.op == "delete":
                add_run(self.revisions.wrap(scratch, "del"), piece.text, deleted=True)
            else:
                add_run(self.revisions.wrap(scratch, "ins"), piece.text)
        for child in list(scratch):
            text_run.addprevious(child)
        p.remove(text_run)

    def _note_on_title_page(self) -> None:
        details = [p for p in self.body.iter(qn("w:p")) if _style_of(p) == "Titelangabe"]
        if not details:
            return
        note = paragraph("Hinweis")
        old = self.synopsis.old
        add_run(
            note,
            f"Die Änderungen gegenüber {one_line(old.label)} vom {german_date(old.created)} "
            "sind als Überarbeitungen markiert und lassen sich in Word einzeln annehmen oder "
            "ablehnen.",
        )
        details[-1].addnext(note)

    def _track_further_changes(self) -> None:
        settings = self.word.settings.element
        if settings.find(qn("w:trackRevisions")) is None:
            # w:trackRevisions follows w:zoom in the schema's order of settings.
            settings.find(qn("w:zoom")).addnext(element("w:trackRevisions"))


def _style_of(p: Element | None) -> str | None:
    if p is None or p.tag != qn("w:p"):
        return None
    style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return None if style is None else str(style.get(qn("w:val")))


def _paragraph_ids(sections: Sequence[Section]) -> set[int]:
    found: set[int] = set()
    for section in sections:
        found |= {block.id for block in section.paragraphs if isinstance(block, Paragraph)}
        found |= _paragraph_ids(section.subsections)
    return found
