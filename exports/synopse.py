"""The Synopse of two paper versions as Word documents, in the house style.

`build_synopse_table` sets the versions side by side in a landscape table whose header row
repeats on every page, in one of three forms (`FORMS`):

- "comparison": bisherige Fassung | neue Fassung | Begründung / Kommentar;
- "official", the two columns of the Handbuch der Rechtsförmlichkeit: Entwurf |
  Änderungsvorschlag, with "unverändert" and "entfällt";
- "associations", the four columns associations send: Geltende Fassung | Entwurf |
  Änderungsvorschlag | Begründung.

Every form compares the Kernforderungen box and the section headings too (a renamed heading
shows both titles). Deleted words are struck through and inserted words underlined, both
also coloured but never by colour alone. The reasons column holds what was said about a
paragraph (`reasons_from`), never a status word.

`build_synopse_tracked` is the new version as the normal paper with every difference from the
old one a real tracked change, so that "accept all" in Word or LibreOffice gives the new
version and "reject all" the old one, exactly: both versions are built as papers and merged
block by block (`_Merger`).
"""

from __future__ import annotations

import copy
import hashlib
import io
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from docx import Document
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from exports import typography
from exports.document import Letterhead, MemberReview, PaperDocument, Paragraph, Section, Table
from exports.errors import InvalidExportInput
from exports.feedback import comment_author
from exports.templates.build_template import TEXT_WIDTH
from exports.word import (
    BOOKMARK_PREFIX,
    build_paper,
    german_date,
    header_fill,
    house_document,
    set_core_properties,
)
from exports.wordml import (
    Element,
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
    BOX_TITLE,
    Piece,
    SectionChange,
    Synopsis,
    SynopsisRow,
    Version,
    compare_versions,
    diff_words,
    kept_in_order,
    tokens,
)

DELETED_STYLE = "SynopseGestrichen"
INSERTED_STYLE = "SynopseNeu"
NOTE_STYLE = "SynopseHinweis"
DELETED_COLOUR = "A50021"
"""Dark red, 7.6:1 on white; always together with strikethrough."""
INSERTED_COLOUR = "00602B"
"""Dark green, 7.4:1 on white; always together with underlining."""
SECTION_FILL = "F2F2F2"

UNCHANGED = "unverändert"
DROPPED = "entfällt"

# A4 landscape with the template's margins (2.5 cm left and right).
_PAGE_WIDTH, _PAGE_HEIGHT = 16838, 11906
LANDSCAPE_TEXT_WIDTH = _PAGE_WIDTH - 2 * 1418

_CHARACTER_STYLES = (
    (DELETED_STYLE, "Synopse gestrichen", f'<w:strike/><w:color w:val="{DELETED_COLOUR}"/>'),
    (INSERTED_STYLE, "Synopse neu", f'<w:color w:val="{INSERTED_COLOUR}"/><w:u w:val="single"/>'),
    (NOTE_STYLE, "Synopse Hinweis", '<w:i/><w:iCs/><w:color w:val="595959"/>'),
)


# --- the forms of the table -----------------------------------------------------------------

SynopseForm = Literal["comparison", "official", "associations"]
ColumnKind = Literal["current", "old", "new", "reasons"]


@dataclass(frozen=True)
class Column:
    heading: str
    kind: ColumnKind
    width: int


@dataclass(frozen=True)
class Form:
    """One way to set a Synopse: its columns and how the new column speaks of a paragraph
    that stays as it was or goes."""

    name: str
    columns: tuple[Column, ...]
    official_words: bool
    """Unchanged and deleted paragraphs read "unverändert" and "entfällt" in the new
    column (Handbuch der Rechtsförmlichkeit) instead of repeating the text."""


FORMS: dict[SynopseForm, Form] = {
    "comparison": Form(
        "Synopse",
        (
            Column("Bisherige Fassung", "old", 5600),
            Column("Neue Fassung", "new", 5600),
            Column("Begründung / Kommentar", "reasons", LANDSCAPE_TEXT_WIDTH - 11200),
        ),
        official_words=False,
    ),
    "official": Form(
        "Synopse (Gegenüberstellung)",
        (
            Column("Entwurf", "old", LANDSCAPE_TEXT_WIDTH // 2),
            Column("Änderungsvorschlag", "new", LANDSCAPE_TEXT_WIDTH - LANDSCAPE_TEXT_WIDTH // 2),
        ),
        official_words=True,
    ),
    "associations": Form(
        "Synopse mit Begründung",
        (
            Column("Geltende Fassung", "current", 3400),
            Column("Entwurf", "old", 3700),
            Column("Änderungsvorschlag", "new", 3700),
            Column("Begründung", "reasons", LANDSCAPE_TEXT_WIDTH - 10800),
        ),
        official_words=True,
    ),
}

TABLE_FORMATS: dict[str, SynopseForm] = {
    "synopse-table": "comparison",
    "synopse-two-column": "official",
    "synopse-four-column": "associations",
}
"""The export formats (`exports.paper_exports.FORMATS`) that are a Synopse table, and their
form."""


def reasons_from(
    reviews: Mapping[int, Sequence[MemberReview]],
    notes: Mapping[int, Sequence[str]] | None = None,
) -> dict[int, list[str]]:
    """What the reasons column says per paragraph id: each member's comment (named as in
    the feedback copy, `feedback.comment_author`) and the office's reply to it, then the
    `notes` given for the paragraph. A review without words (plain assent) says nothing."""
    found: dict[int, list[str]] = {}
    for paragraph_id, given in reviews.items():
        for review in given:
            comment = one_line(review.comment)
            if comment:
                found.setdefault(paragraph_id, []).append(f"{comment_author(review)}: {comment}")
            reply = one_line(review.staff_reply)
            if reply:
                found.setdefault(paragraph_id, []).append(f"Antwort der Geschäftsstelle: {reply}")
    for paragraph_id, lines in (notes or {}).items():
        found.setdefault(paragraph_id, []).extend(t for t in (one_line(x) for x in lines) if t)
    return found


# --- the table ------------------------------------------------------------------------------


def build_synopse_table(
    synopsis: Synopsis,
    *,
    letterhead: Letterhead,
    title: str,
    form: SynopseForm = "comparison",
    comments: Mapping[int, str | Sequence[str]] | None = None,
    current: Version | None = None,
    include_unchanged: bool = True,
    now: datetime | None = None,
) -> bytes:
    """The Synopse as a landscape .docx: title, versions compared, a reading aid, the table.

    `comments` (paragraph id → text or lines, see `reasons_from`) fill the reasons column.
    `current` is the "Geltende Fassung" of the associations' form (paragraphs matched by
    id); without it that column stays empty. Without `include_unchanged`, runs of unchanged
    paragraphs shrink to one line saying how many.
    """
    now = now or utcnow()
    # What goes out is set in German typography, compared as it is printed.
    synopsis = compare_versions(typography.typeset(synopsis.old), typography.typeset(synopsis.new))
    current = typography.typeset(current) if current is not None else None
    chosen = FORMS[form]
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
    add_run(kind, chosen.name)
    add_run(append(paragraph("Title")), one_line(title) or "Ohne Titel")
    old_name, new_name = _side_names(chosen)
    details = [(old_name, version_line(synopsis.old)), (new_name, version_line(synopsis.new))]
    if current is not None and any(c.kind == "current" for c in chosen.columns):
        details.insert(0, ("Geltende Fassung", version_line(current)))
    details.append(("Änderungen", synopsis.summary()))
    for label, value in details:
        p = append(paragraph("Titelangabe"))
        # The labels here ("Änderungsvorschlag") are wider than the title page's tab stop.
        sub(sub(p.find(qn("w:pPr")), "w:tabs"), "w:tab", {"w:val": "left", "w:pos": "2600"})
        add_run(p, label, bold=True)
        add_tab(p)
        add_run(p, value)
    aid = "Lesehilfe: Gestrichener Text ist durchgestrichen (rot), neuer Text unterstrichen (grün)."
    if chosen.official_words:
        aid += f" „{UNCHANGED}“: der Absatz bleibt, wie er ist; „{DROPPED}“: er wird gestrichen."
    add_run(append(paragraph("Hinweis")), aid)
    table = _SynopseTable(
        synopsis,
        chosen,
        letterhead,
        reasons={key: typography.typeset(lines) for key, lines in _lines(comments or {}).items()},
        current=current,
        include_unchanged=include_unchanged,
    )
    append(table.build())
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


def version_line(version: Version) -> str:
    """E.g. "Fassung 2 vom 1. Oktober 2026"; a name that has its date already stays as it is."""
    label = one_line(version.label)
    return label if " vom " in f" {label} " else f"{label} vom {german_date(version.created)}"


def _side_names(form: Form) -> tuple[str, str]:
    old, new = (next(c.heading for c in form.columns if c.kind == k) for k in ("old", "new"))
    return old, new


def _lines(comments: Mapping[int, str | Sequence[str]]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for paragraph_id, given in comments.items():
        texts = [given] if isinstance(given, str) else list(given)
        lines = [line.strip() for text in texts for line in clean_text(text).split("\n")]
        if any(lines):
            found[paragraph_id] = [line for line in lines if line]
    return found


class _SynopseTable:
    def __init__(
        self,
        synopsis: Synopsis,
        form: Form,
        letterhead: Letterhead,
        *,
        reasons: Mapping[int, list[str]],
        current: Version | None,
        include_unchanged: bool,
    ) -> None:
        self.synopsis = synopsis
        self.form = form
        self.fill = header_fill(letterhead.accent_colour)
        self.reasons = reasons
        self.current = {p.id: p for p in current.paragraphs} if current else {}
        self.current_titles = {s.key: s.title for s in current.headings()} if current else {}
        self.current_label = current.label if current else ""
        self.include_unchanged = include_unchanged
        self.width = sum(c.width for c in form.columns)

    def build(self) -> Element:
        tbl = element("w:tbl")
        tbl_pr = sub(tbl, "w:tblPr")
        sub(tbl_pr, "w:tblStyle", {"w:val": "TableGrid"})
        sub(tbl_pr, "w:tblW", {"w:w": str(self.width), "w:type": "dxa"})
        sub(tbl_pr, "w:tblLayout", {"w:type": "fixed"})
        look = {"w:val": "0420", "w:firstRow": "1", "w:lastRow": "0", "w:firstColumn": "0"}
        sub(tbl_pr, "w:tblLook", {**look, "w:lastColumn": "0", "w:noHBand": "0", "w:noVBand": "1"})
        sub(tbl_pr, "w:tblCaption", {"w:val": self.form.name})
        sub(
            tbl_pr,
            "w:tblDescription",
            {"w:val": " | ".join(c.heading for c in self.form.columns) + ", Absatz für Absatz"},
        )
        grid = sub(tbl, "w:tblGrid")
        for column in self.form.columns:
            sub(grid, "w:gridCol", {"w:w": str(column.width)})

        tr = self._row(tbl, header=True)
        labels = {
            "current": self.current_label,
            "old": self.synopsis.old.label,
            "new": self.synopsis.new.label,
            "reasons": "",
        }
        for column in self.form.columns:
            p = self._cell(tr, column.width, "Tabellenkopf", fill=self.fill)
            add_run(p, column.heading)
            if one_line(labels[column.kind]):
                add_run(p, f"\n{one_line(labels[column.kind])}")

        if self.synopsis.box:
            self._heading_row(tbl, None)
            for group in self._groups(self.synopsis.box):
                self._rows_of(tbl, group, in_box=True)
        shown: set[int | str] = set()
        for group in self._groups(self.synopsis.rows):
            key = group[0].section_key
            if key not in shown:
                self._headings_up_to(tbl, key, shown)
            self._rows_of(tbl, group)
        self._headings_up_to(tbl, None, shown)
        return tbl

    def _headings_up_to(self, tbl: Element, key: int | str | None, shown: set[int | str]) -> None:
        """The heading rows of `key` and of any section before it that has no rows of its own
        (an empty or deleted section), in the order of `Synopsis.sections`; None: the rest."""
        with_rows = {row.section_key for row in self.synopsis.rows}
        for change in self.synopsis.sections:
            if change.key in shown:
                continue
            if change.key == key:
                break
            if change.key not in with_rows:
                shown.add(change.key)
                self._heading_row(tbl, change)
        if key is not None and key not in shown:
            shown.add(key)
            found = self.synopsis.section(key)
            if found is not None:
                self._heading_row(tbl, found)

    def _rows_of(self, tbl: Element, group: list[SynopsisRow], *, in_box: bool = False) -> None:
        first = group[0]
        if len(group) > 1 or (first.kind == "unchanged" and not self.include_unchanged):
            self._collapsed_row(tbl, len(group))
        else:
            self._paragraph_row(tbl, first, in_box=in_box)

    def _groups(self, rows: Sequence[SynopsisRow]) -> Iterator[list[SynopsisRow]]:
        """One row each; without unchanged rows, runs of them (within a section) as one."""
        run: list[SynopsisRow] = []
        for row in rows:
            foldable = row.kind == "unchanged" and not self.include_unchanged
            if run and (not foldable or run[0].section_key != row.section_key):
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
        ppr = sub(p, "w:pPr")
        sub(ppr, "w:pStyle", {"w:val": style})
        if fill:
            # A heading row stays with the first row below it.
            sub(ppr, "w:keepNext")
        return p

    def _heading_row(self, tbl: Element, change: SectionChange | None) -> None:
        """A section's heading (None: the Kernforderungen box) across the row; a renamed,
        added or deleted one with each version's title in its column."""
        tr = self._row(tbl, keep=True)
        if change is None or change.kind in ("unchanged", "moved"):
            title = BOX_TITLE if change is None else (change.new or "")
            p = self._cell(tr, self.width, "Tabellenkopf", fill=SECTION_FILL)
            p.getparent().find(qn("w:tcPr")).insert(1, element("w:gridSpan"))
            p.getparent().find(qn("w:tcPr"))[1].set(qn("w:val"), str(len(self.form.columns)))
            add_run(p, one_line(title) or "Ohne Abschnitt")
            return
        for column in self.form.columns:
            p = self._cell(tr, column.width, "Tabellenkopf", fill=SECTION_FILL)
            if column.kind == "old":
                if change.old is None:
                    continue
                _pieces(p, change.pieces, keep="delete")
            elif column.kind == "new":
                if change.new is None:
                    add_run(p, DROPPED if self.form.official_words else "(gestrichen)")
                else:
                    _pieces(p, change.pieces, keep="insert")
            elif column.kind == "current":
                add_run(p, one_line(self.current_titles.get(change.key, "")))

    def _collapsed_row(self, tbl: Element, count: int) -> None:
        tr = self._row(tbl, keep=True)
        p = self._cell(tr, self.width, "Tabellentext", span=len(self.form.columns))
        text = "1 unveränderter Absatz" if count == 1 else f"{count} unveränderte Absätze"
        add_run(p, f"… {text} …", style=NOTE_STYLE)

    def _paragraph_row(self, tbl: Element, row: SynopsisRow, *, in_box: bool) -> None:
        """A paragraph's row, or a box entry's (whose reasons stand with its paragraph)."""
        tr = self._row(tbl)
        for column in self.form.columns:
            p = self._cell(tr, column.width, "Tabellentext")
            if column.kind == "old":
                self._old_side(p, row)
            elif column.kind == "new":
                self._new_side(p, row)
            elif column.kind == "current":
                before = self.current.get(row.paragraph_id)
                if before is not None and (before.is_core_demand or not in_box):
                    add_run(p, clean_text(before.box_text if in_box else before.text))
            elif not in_box:
                lines = self.reasons.get(row.paragraph_id, [])
                if lines:
                    add_run(p, "\n".join(lines))

    def _old_side(self, p: Element, row: SynopsisRow) -> None:
        if row.old is not None:
            _pieces(p, row.pieces, keep="delete")
        elif not self.form.official_words:
            add_run(p, "(neu eingefügt)", style=NOTE_STYLE)

    def _new_side(self, p: Element, row: SynopsisRow) -> None:
        official = self.form.official_words
        if row.new is None:
            add_run(p, DROPPED if official else "(gestrichen)", style=NOTE_STYLE)
            return
        if official and row.kind == "unchanged":
            add_run(p, UNCHANGED, style=NOTE_STYLE)
        else:
            _pieces(p, row.pieces, keep="insert")
        notes = _notes(row)
        if notes:
            add_run(p, f"\n({notes})", style=NOTE_STYLE)


def _notes(row: SynopsisRow) -> str:
    """What changed besides the words, and whether the paragraph is a minority opinion
    (not the association's position), e.g. "verschoben aus „Ausgangslage“; Mindermeinung".
    Core demands need no note: the Kernforderungen rows show them."""
    remarks = list(row.remarks)
    minority = row.new is not None and row.new.is_minority_opinion
    if minority and "mindermeinung" not in " ".join(remarks).lower():
        remarks.append("Mindermeinung")
    return "; ".join(remarks)


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

Key = tuple[Any, ...]
"""What names a block of the body across both papers: ("p", paragraph id), ("section",
section key), ("box", paragraph id), ("toc", heading key), ("cover", style, label), …"""


def build_synopse_tracked(
    paper: PaperDocument,
    synopsis: Synopsis,
    *,
    old_paper: PaperDocument | None = None,
    author: str | None = None,
    authors: Mapping[int, str] | None = None,
    changed_at: datetime | None = None,
    now: datetime | None = None,
    build: Callable[[PaperDocument], bytes] | None = None,
) -> bytes:
    """The paper (the new version of `synopsis`) with every difference from `old_paper`
    (the old version as a paper) a tracked change: accepting all gives `paper`, rejecting
    all gives `old_paper`, text, headings, box, order and paragraph styles alike.

    Changes are by `authors[paragraph id]`, else `author` (default: the association), at
    `changed_at` (default: now). Changed words are deletions and insertions in their
    paragraph, a renamed heading likewise; a paragraph that changed its place is a Word
    move (with its new words inserted at the new place). Without `old_paper` the old paper
    is `paper` with the old version's sections, paragraphs and box. Both papers are made
    by `build` (default: `word.build_paper`), which should be what exports a paper, so that
    accepting and rejecting give exactly the exported files. Change tracking stays on for
    whoever edits next. Raises InvalidExportInput when a paragraph of the new version is
    missing from the paper.
    """
    now = now or utcnow()
    _check_fits(paper, synopsis)
    old_paper = old_paper or old_paper_from(paper, synopsis)
    make = build or (lambda doc: build_paper(doc, now=now))
    new_word = Document(io.BytesIO(make(paper)))
    old_word = Document(io.BytesIO(make(old_paper)))
    new_doc = _Doc(new_word, paper, synopsis.new)
    old_doc = _Doc(old_word, old_paper, synopsis.old)
    changes = _Changes(
        one_line(author or "") or one_line(paper.association.name) or "Unbekannt",
        {k: one_line(v) for k, v in (authors or {}).items() if one_line(v)},
        changed_at or now,
        first_id=highest_id(new_doc.body) + highest_id(old_doc.body) + 2,
    )
    forced = {("p", row.paragraph_id) for row in synopsis.rows if row.kind == "moved"}
    _Merger(old_doc, new_doc, changes, forced).merge()
    _note_on_title_page(new_word, synopsis.old)
    _track_further_changes(new_word)
    out = io.BytesIO()
    new_word.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Authors:
    """Who the changes of a tracked Synopse are by: `overall` for changes that belong to
    no paragraph (headings, title), `by_paragraph` for each changed paragraph."""

    overall: str
    by_paragraph: dict[int, str]


def authors_of(edits: Iterable[tuple[int | None, str]], *, association: str) -> Authors:
    """The authors from the edits between two versions, each (paragraph id, or None for an
    edit of no paragraph; the person's name): a paragraph's changes are by the one person
    who edited it, the rest by the one person who made every edit; where several did, by
    the association."""
    names: dict[int | None, set[str]] = {}
    for paragraph_id, name in edits:
        if one_line(name):
            names.setdefault(paragraph_id, set()).add(one_line(name))
    everyone = set().union(*names.values()) if names else set()
    overall = next(iter(everyone)) if len(everyone) == 1 else one_line(association)
    return Authors(
        overall,
        {
            paragraph_id: next(iter(who)) if len(who) == 1 else one_line(association)
            for paragraph_id, who in names.items()
            if paragraph_id is not None
        },
    )


def _check_fits(paper: PaperDocument, synopsis: Synopsis) -> None:
    ids = {block.id for block in _blocks(paper.sections)}
    for row in synopsis.rows:
        if row.new is not None and row.new.id not in ids:
            raise InvalidExportInput(
                f"Die Synopse passt nicht zum Papier: Absatz {row.new.id} der Fassung "
                f"„{one_line(synopsis.new.label)}“ fehlt im Papier."
            )


def _blocks(sections: Sequence[Section]) -> Iterator[Paragraph | Table]:
    for section in sections:
        yield from section.paragraphs
        yield from _blocks(section.subsections)


def _walk(sections: Sequence[Section], level: int = 1) -> Iterator[tuple[Section, int]]:
    """Every section with its level, in the order the paper prints the headings."""
    for section in sections:
        yield section, level
        yield from _walk(section.subsections, level + 1)


def _section_keys(sections: Sequence[Section], version: Version) -> list[Key]:
    """A key per section of the paper (in heading order): the version's section its
    paragraphs belong to, or for a section without paragraphs its title."""
    section_of = {p.id: p.section_key for p in version.paragraphs}
    keys: list[Key] = []
    for section, level in _walk(sections):
        found = Counter(section_of[b.id] for b in section.paragraphs if b.id in section_of)
        if found:
            keys.append(("section", found.most_common(1)[0][0]))
        else:
            keys.append(("section-title", level, one_line(section.title)))
    return keys


def old_paper_from(paper: PaperDocument, synopsis: Synopsis) -> PaperDocument:
    """`paper` as the old version of `synopsis` had it, for callers that have only the
    versions: its sections (nested as in `paper` where the parent is there too) and
    paragraphs in the old order and wording, footnotes, minority labels and tables taken
    over from `paper`, and its box from the old core demands when `paper`'s box is made of
    its core demands."""
    new_blocks = {block.id: block for block in _blocks(paper.sections)}
    walked = list(_walk(paper.sections))
    keys = _section_keys(paper.sections, synopsis.new)
    parent_of: dict[Key, Key] = {}
    stack: list[tuple[int, Key]] = []
    for (_, level), key in zip(walked, keys, strict=True):
        while stack and stack[-1][0] >= level:
            stack.pop()
        if stack:
            parent_of[key] = stack[-1][1]
        stack.append((level, key))
    new_section = {key: section for (section, _), key in zip(walked, keys, strict=True)}

    titles: dict[Key, str] = {}
    contents: dict[Key, list[Paragraph | Table]] = {}
    for p in synopsis.old.paragraphs:
        key = ("section", p.section_key)
        titles.setdefault(key, p.section)
        earlier = new_blocks.get(p.id)
        kept = earlier if isinstance(earlier, Paragraph) else None
        contents.setdefault(key, []).append(
            Paragraph(
                p.id,
                p.text,
                footnotes=kept.footnotes if kept else (),
                is_minority_opinion=p.is_minority_opinion,
                minority_org_label=kept.minority_org_label if kept else None,
            )
        )
    for key, blocks in contents.items():
        section = new_section.get(key)
        if section is None:
            continue
        for table in [b for b in section.paragraphs if isinstance(b, Table)]:
            blocks.insert(_table_place(section, table, blocks), table)
    order = list(titles)
    for key in list(order):
        parent = parent_of.get(key)
        if parent is not None and parent not in titles and parent in new_section:
            titles[parent] = new_section[parent].title
            order.insert(order.index(key), parent)

    def nested(parent: Key | None) -> list[Section]:
        return [
            Section(titles[key], contents.get(key, []), nested(key))
            for key in order
            if (parent_of.get(key) if parent_of.get(key) in titles else None) == parent
        ]

    box = list(paper.core_demands)
    if len(box) == sum(p.is_core_demand for p in synopsis.new.paragraphs):
        box = [p.box_text for p in synopsis.old.paragraphs if p.is_core_demand]
    return replace(
        paper,
        sections=nested(None),
        core_demands=box,
        version_label=synopsis.old.label,
    )


def _table_place(section: Section, table: Table, blocks: list[Paragraph | Table]) -> int:
    """Where `table` goes among `blocks`: after the block it follows in `section`."""
    ids = [b.id for b in blocks]
    before = section.paragraphs[: list(section.paragraphs).index(table)]
    for block in reversed(before):
        if block.id in ids:
            return ids.index(block.id) + 1
    return 0


# The kinds of change a block or a stretch of text can have.
Status = Literal["ins", "del", "moveFrom", "moveTo"]
_REMOVED: frozenset[str] = frozenset({"del", "moveFrom"})
_ADDED: frozenset[str] = frozenset({"ins", "moveTo"})
_MAX_CHAR = 0x10FFFD


class _Changes:
    """Author, date and a document-wide unique id for each change (ids above those of
    bookmarks and notes, which LibreOffice mixes up with others: `wordml.highest_id`)."""

    def __init__(
        self, author: str, authors: Mapping[int, str], moment: datetime, *, first_id: int
    ) -> None:
        self.author = author
        self.authors = authors
        # ST_DateTime; Word writes UTC without fractions.
        self.date = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.next_id = first_id
        self.moves = 0
        self.who = author

    def attributes(self) -> dict[str, str]:
        change_id = str(self.next_id)
        self.next_id += 1
        return {"w:id": change_id, "w:author": self.who, "w:date": self.date}

    def by(self, key: Key) -> None:
        """The changes that follow are to the block with `key`: its paragraph's author."""
        paragraph_id = key[1] if isinstance(key, tuple) and key[0] in _PER_PARAGRAPH else None
        self.who = self.authors.get(paragraph_id, self.author) if paragraph_id else self.author

    def move_name(self) -> str:
        self.moves += 1
        return f"move{self.moves}"


_PER_PARAGRAPH = frozenset({"p", "box", "label"})


@dataclass
class _Block:
    element: Element
    key: Key
    weight: int = 1
    anchor: Key | None = None
    """The key of the block this one belongs to (a minority label, a table's caption):
    it stays or moves with it."""

    @property
    def style(self) -> str:
        return _style_of(self.element) or ""


class _Doc:
    """One built paper: its body blocks keyed across versions, its footnotes and links."""

    def __init__(self, word: Any, paper: PaperDocument, version: Version) -> None:
        self.word = word
        self.part = word.part
        self.body: Element = word.element.body
        self.footnotes: Element = _footnotes_element(word)
        self.blocks = _keyed(self, paper, version)

    def footnote_text(self, note_id: str | None) -> str:
        for note in self.footnotes.findall(qn("w:footnote")):
            if note.get(qn("w:id")) == note_id:
                return "".join(t.text or "" for t in note.iter(qn("w:t")))
        return ""

    def target(self, rel_id: str) -> str:
        rel = self.part.rels.get(rel_id)
        if rel is None:
            return ""
        if rel.is_external:
            return str(rel.target_ref)
        return hashlib.sha256(rel.target_part.blob).hexdigest()

    def signature(self, item: Element) -> str:
        """What makes two special elements (a footnote mark, a field character, a link)
        the same across both papers: their markup without ids, their footnote's text, the
        target of their relationships."""
        if item.tag == qn("w:footnoteReference"):
            return "fn:" + self.footnote_text(item.get(qn("w:id")))
        twin = copy.deepcopy(item)
        for node in twin.iter():
            for name in list(node.attrib):
                local = name.rsplit("}", 1)[-1]
                if local in ("id", "rsidR", "rsidRPr", "rsidDel"):
                    del node.attrib[name]
                elif name in (qn("r:id"), qn("r:embed"), qn("r:link")):
                    node.set(name, self.target(node.get(name)))
        return str(twin.xpath("string(.)")) + _xml(twin)


def _xml(item: Element | None) -> str:
    """`item` as canonical XML, for comparing: only the namespaces it uses are declared, so
    an element compares equal wherever it comes from."""
    if item is None:
        return ""
    return str(etree.tostring(item, method="c14n", exclusive=True).decode())


def _footnotes_element(word: Any) -> Element:
    """The footnotes part as XML that can grow (python-docx loads it as opaque bytes)."""
    part = word.part
    for rel_id, rel in list(part.rels.items()):
        if rel.reltype != RELATIONSHIP_TYPE.FOOTNOTES:
            continue
        target = rel.target_part
        if isinstance(target, XmlPart):
            return target.element
        root = parse_xml(target.blob)
        part.drop_rel(rel_id)
        xml_part = XmlPart(
            PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES, root, part.package
        )
        part.relate_to(xml_part, RELATIONSHIP_TYPE.FOOTNOTES)
        return root
    raise InvalidExportInput("Das Papier hat keinen Teil für Fußnoten.")


def _keyed(doc: _Doc, paper: PaperDocument, version: Version) -> list[_Block]:
    """The body's blocks with keys that name the same block in the other version's paper:
    paragraphs and tables by their bookmark, headings by section, box entries by their core
    demand, contents entries by their heading, title page lines by their label, the rest by
    style and text."""
    elements = [child for child in doc.body if child.tag in (qn("w:p"), qn("w:tbl"))]
    styles = [_style_of(e) or "" for e in elements]
    first_content = next(
        (i for i, s in enumerate(styles) if s == "TOCHeading" or s.startswith("Heading")),
        len(elements),
    )
    headings = [i for i, s in enumerate(styles) if s.startswith("Heading")]
    numbered = [i for i in headings if not _unnumbered(elements[i])]
    section_keys = _section_keys(paper.sections, version)
    keys: dict[int, Key] = {}
    if len(numbered) == len(section_keys):
        keys.update(zip(numbered, section_keys, strict=True))
    for i in headings:
        keys.setdefault(i, ("heading", styles[i], _text(elements[i])))
    toc = [i for i, s in enumerate(styles) if s.startswith("TOC") and s != "TOCHeading"]
    if len(toc) == len(headings):
        keys.update((t, ("toc", keys[h])) for t, h in zip(toc, headings, strict=True))
    box = [i for i, s in enumerate(styles) if s == "Kernforderung"]
    core = [p.id for p in version.paragraphs if p.is_core_demand]
    if len(box) == len(core):
        keys.update((b, ("box", pid)) for b, pid in zip(box, core, strict=True))
    blocks: list[_Block] = []
    seen: Counter[Key] = Counter()
    for i, item in enumerate(elements):
        bookmark = _bookmarked(item)
        weight = 1
        if bookmark is not None:
            key: Key = ("p", bookmark)
            weight = 1000
        elif i in keys:
            key = keys[i]
        elif i < first_content:
            key = ("cover", styles[i], _cover_label(item))
        else:
            key = ("text", styles[i], _text(item))
        seen[key] += 1
        if seen[key] > 1:
            key = (*key, seen[key]) if isinstance(key, tuple) else (key, seen[key])
        blocks.append(_Block(item, key, weight))
    for block, following in itertools.pairwise(blocks):
        if block.style in ("MindermeinungHinweis", "Caption") and following.key[0] == "p":
            block.key, block.anchor = ("label", following.key[1]), following.key
    return blocks


def _bookmarked(item: Element) -> int | None:
    """The paragraph id of a block's own bookmark (a table's starts in its first cell)."""
    where = item if item.tag == qn("w:p") else item.find(f"{qn('w:tr')}/{qn('w:tc')}/{qn('w:p')}")
    if where is None:
        return None
    for start in where.findall(qn("w:bookmarkStart")):
        name = start.get(qn("w:name")) or ""
        if name.startswith(BOOKMARK_PREFIX) and name[len(BOOKMARK_PREFIX) :].isdigit():
            return int(name[len(BOOKMARK_PREFIX) :])
    return None


def _unnumbered(p: Element) -> bool:
    num_id = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
    return num_id is not None and num_id.get(qn("w:val")) == "0"


def _text(item: Element) -> str:
    return "".join(t.text or "" for t in item.iter(qn("w:t")))


def _cover_label(p: Element) -> str:
    """A title page line's label ("Adressat", "Datum"): its text before the first tab."""
    label: list[str] = []
    for run in p.iter(qn("w:r")):
        for child in run:
            if child.tag == qn("w:tab"):
                return "".join(label)
            if child.tag == qn("w:t"):
                label.append(child.text or "")
    return ""


def _style_of(p: Element | None) -> str | None:
    if p is None or p.tag != qn("w:p"):
        return None
    style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return None if style is None else str(style.get(qn("w:val")))


@dataclass(frozen=True)
class _Atom:
    """One character of a paragraph's text (with its run's properties), or one element
    that is no text (a footnote mark, a field character, a link), as the diff sees it."""

    char: str
    rpr: Element | None
    item: Element | None
    inline: bool
    """Inside a run (text, marks); False for a paragraph-level element such as a link."""
    doc: _Doc


class _Codes:
    """One stand-in character per kind of special element, shared by both papers, so that
    the word diff can compare them with the text around them."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}

    def char(self, signature: str) -> str:
        code = self.codes.get(signature)
        if code is None:
            code = self.codes[signature] = chr(_MAX_CHAR - len(self.codes))
        return code


_SKIPPED = frozenset(
    qn(f"w:{tag}")
    for tag in ("pPr", "bookmarkStart", "bookmarkEnd", "proofErr", "permStart", "permEnd")
)


def _atoms(p: Element, doc: _Doc, codes: _Codes) -> list[_Atom]:
    found: list[_Atom] = []
    for child in p:
        if child.tag in _SKIPPED:
            continue
        if child.tag != qn("w:r"):
            found.append(_Atom(codes.char(doc.signature(child)), None, child, False, doc))
            continue
        rpr = child.find(qn("w:rPr"))
        for item in child:
            tag = item.tag
            if tag == qn("w:rPr") or tag == qn("w:lastRenderedPageBreak"):
                continue
            if tag in (qn("w:t"), qn("w:delText")):
                found.extend(_Atom(c, rpr, None, True, doc) for c in item.text or "")
            elif tag == qn("w:tab"):
                found.append(_Atom("\t", rpr, None, True, doc))
            elif tag == qn("w:br") and item.get(qn("w:type")) in (None, "textWrapping"):
                found.append(_Atom("\n", rpr, None, True, doc))
            else:
                found.append(_Atom(codes.char(doc.signature(item)), rpr, item, True, doc))
    return found


@dataclass(frozen=True)
class _Out:
    """An atom as it is written: its change, and the old run properties where only those
    changed (`formatted`)."""

    atom: _Atom
    status: Status | None
    old_rpr: Element | None = None
    formatted: bool = False


class _Merger:
    """Merges the old paper into the new one: blocks in both (by key) that keep their
    order stay, changed within; the others are deleted, inserted or moved."""

    def __init__(self, old: _Doc, new: _Doc, changes: _Changes, forced_moves: set[Key]) -> None:
        self.old, self.new, self.changes = old, new, changes
        self.codes = _Codes()
        self.imported_notes: dict[str, str] = {}
        self.next_note = 1 + max(
            (int(n.get(qn("w:id"))) for n in new.footnotes.findall(qn("w:footnote"))),
            default=0,
        )
        self.old_by_key = {b.key: b for b in old.blocks}
        self.new_by_key = {b.key: b for b in new.blocks}
        common = [b.key for b in new.blocks if b.key in self.old_by_key]
        forced = forced_moves & set(common)
        weights = {b.key: b.weight for b in new.blocks}
        stays = kept_in_order(
            [b.key for b in old.blocks if b.key in self.new_by_key and b.key not in forced],
            [key for key in common if key not in forced],
            weight=lambda key: weights[key],
        )
        # A minority label or a caption stays or moves with its paragraph or table; as it
        # stands right before it in both papers, the order stays consistent.
        for block in new.blocks:
            if block.anchor is not None and block.key in self.old_by_key:
                if block.anchor in stays:
                    stays.add(block.key)
                else:
                    stays.discard(block.key)
        self.stays = stays
        self.moved = set(common) - stays
        self.move_names: dict[Key, str] = {}
        self.rewritten: dict[int, tuple[Element, Element, str]] = {}
        """Changed paragraphs by `id`: the old and new paragraph and the author."""
        self.whole_status: dict[int, Status] = {}
        self.written_whole: set[int] = set()
        """`id`s of the paragraphs whose whole content and mark are one change (deleted,
        inserted, moved away, or moved here with or without new words)."""

    def merge(self) -> None:
        out: list[Element] = []
        position = {b.key: i for i, b in enumerate(self.old.blocks)}
        done_old = 0
        pending: list[_Block] = []
        for block in self.new.blocks:
            if block.key not in self.stays:
                pending.append(block)
                continue
            until = position[block.key]
            out += self._gap(self.old.blocks[done_old:until], pending)
            out += self._pair(self.old_by_key[block.key], block)
            done_old, pending = until + 1, []
        out += self._gap(self.old.blocks[done_old:], pending)
        self._keep_followers(out)
        self._separated(out)
        sect_pr = self.new.body.find(qn("w:sectPr"))
        for child in list(self.new.body):
            if child is not sect_pr:
                self.new.body.remove(child)
        for item in out:
            sect_pr.addprevious(item)
        self._footnotes_in_order()

    def _footnotes_in_order(self) -> None:
        """Numbers the footnotes in the order of their marks and stores them so:
        LibreOffice gives a mark the note at its position in the footnotes part, not the
        one its id names, and old notes brought over were appended at the end."""
        marks = list(self.new.body.iter(qn("w:footnoteReference")))
        notes = {n.get(qn("w:id")): n for n in self.new.footnotes.findall(qn("w:footnote"))}
        ordered = []
        for number, mark in enumerate(marks, start=1):
            note = notes.pop(mark.get(qn("w:id")), None)
            if note is None:
                continue
            note.set(qn("w:id"), str(number))
            mark.set(qn("w:id"), str(number))
            ordered.append(note)
        for note in ordered:
            self.new.footnotes.remove(note)
            self.new.footnotes.append(note)
        for unused in notes.values():
            if unused.get(qn("w:type")) in (None, "normal"):
                self.new.footnotes.remove(unused)

    def _keep_followers(self, out: list[Element]) -> None:
        """Keeps the paragraph after deleted (or, when rejecting, inserted) paragraphs as it
        is in LibreOffice: LibreOffice gives the paragraph that follows a removed paragraph
        mark that paragraph's properties when it saves the file (deletions) or rejects the
        changes (insertions), so a heading after a deleted paragraph would become body text.

        Where the removed paragraphs look different from the one that follows, the change
        takes the mark of the paragraph before them instead, if that one looks like the
        last removed paragraph: accepting (rejecting) then joins it to that paragraph, whose
        mark stays, and Word's result is the same."""
        for removed, kind in ((_REMOVED, "del"), (_ADDED, "ins")):
            i = 0
            while i < len(out):
                end = i
                while end < len(out) and self._written_whole(out[end], removed):
                    end += 1
                if end == i:
                    i += 1
                    continue
                run, before = out[i:end], out[i - 1] if i > 0 else None
                after = out[end] if end < len(out) else None
                self._steady(run, before, after, kind)  # type: ignore[arg-type]
                i = end

    def _written_whole(self, item: Element, kinds: frozenset[str]) -> bool:
        """Whether `item` is a paragraph written whole as removed in one view (its mark
        too): deleted or moved away (`_REMOVED`), or inserted or moved here (`_ADDED`)."""
        return id(item) in self.written_whole and _mark_of(item) in kinds

    def _steady(
        self,
        run: list[Element],
        before: Element | None,
        after: Element | None,
        kind: Literal["del", "ins"],
    ) -> None:
        looks = {_xml_all(_properties(p)) for p in run}
        if after is None or after.tag != qn("w:p") or looks == {_xml_all(_properties(after))}:
            return
        if (
            before is None
            or before.tag != qn("w:p")
            or _mark_of(before) is not None
            or _xml_all(_properties(before)) != _xml_all(_properties(run[-1]))
        ):
            return
        rpr = run[-1].find(f"{qn('w:pPr')}/{qn('w:rPr')}")
        rpr.remove(rpr[0])
        if not len(rpr):
            ppr = rpr.getparent()
            ppr.remove(rpr)
            if not len(ppr):
                run[-1].remove(ppr)
        self._mark(before, kind)

    def _gap(self, gone: Sequence[_Block], coming: Sequence[_Block]) -> list[Element]:
        """What stood between two blocks that stay: the old blocks (deleted, or moved away)
        first, then the new ones (inserted, moved here, or rewritten)."""
        partners = self._partners(gone, coming)
        rewritten = {id(old) for old in partners.values()}
        out: list[Element] = []
        for block in gone:
            if id(block) in rewritten:
                continue
            out += self._whole(block, "moveFrom" if block.key in self.moved else "del", self.old)
        for block in coming:
            if id(block) in partners:
                out += self._pair(partners[id(block)], block)
            elif block.key in self.moved:
                out += self._moved_here(self.old_by_key[block.key], block)
            else:
                out += self._whole(block, "ins", self.new)
        return out

    def _partners(self, gone: Sequence[_Block], coming: Sequence[_Block]) -> dict[int, _Block]:
        """New blocks without a key of their own ("text") that replace as many old ones of
        the same styles: each is a rewrite of its old counterpart ("Mitgewirkt hat:" →
        "Mitgewirkt haben:"). By `id` of the new block."""
        old = [b for b in gone if b.key[0] == "text"]
        new = [b for b in coming if b.key[0] == "text"]
        if not old or len(old) != len(new):
            return {}
        if any(
            (a.style, a.element.tag) != (b.style, b.element.tag)
            for a, b in zip(old, new, strict=True)
        ):
            return {}
        return {id(b): a for a, b in zip(old, new, strict=True)}

    # --- blocks ------------------------------------------------------------------------------

    def _pair(self, old: _Block, new: _Block) -> list[Element]:
        self.changes.by(new.key)
        if new.element.tag == qn("w:tbl") and old.element.tag == qn("w:tbl"):
            return self._table(old.element, new.element)
        if new.element.tag == qn("w:tbl") or old.element.tag == qn("w:tbl"):
            return [*self._whole(old, "del", self.old), *self._whole(new, "ins", self.new)]
        return [self._changed(old.element, new.element)]

    def _whole(self, block: _Block, status: Status, doc: _Doc) -> list[Element]:
        """The block with all its content (and its paragraph mark) deleted, inserted or
        moved; a table is never moved, but deleted and inserted."""
        self.changes.by(block.key)
        if block.element.tag == qn("w:tbl"):
            removed: Literal["ins", "del"] = "del" if status in _REMOVED else "ins"
            return [self._whole_table(block.element, removed, doc)]
        name = self._move_name(block.key) if status in ("moveFrom", "moveTo") else None
        written = self._whole_paragraph(block.element, status, doc, name)
        self.written_whole.add(id(written))
        self.whole_status[id(written)] = status
        return [written]

    def _whole_paragraph(
        self, p: Element, status: Status, doc: _Doc, move: str | None = None
    ) -> Element:
        parts = [_Out(atom, status) for atom in _atoms(p, doc, self.codes)]
        return self._write(p, parts, status, doc, move)

    def _moved_here(self, old: _Block, new: _Block) -> list[Element]:
        """The new place of a moved block: its words moved, and any new words inserted."""
        self.changes.by(new.key)
        if new.element.tag == qn("w:tbl") or old.element.tag == qn("w:tbl"):
            return self._whole(new, "ins", self.new)
        parts = [
            _Out(atom, "moveTo" if op == "equal" else "ins")
            for op, atom, _ in self._diff(old.element, new.element)
            if op != "delete"
        ]
        written = self._write(new.element, parts, "moveTo", self.new, self._move_name(new.key))
        self.written_whole.add(id(written))
        self.whole_status[id(written)] = "moveTo"
        return [written]

    def _move_name(self, key: Key) -> str:
        if key not in self.move_names:
            self.move_names[key] = self.changes.move_name()
        return self.move_names[key]

    def _changed(
        self, old: Element, new: Element, *, ending: Literal["delete", "insert"] | None = None
    ) -> Element:
        """`new` with the changes from `old`: changed words deleted and inserted, changed
        run properties and paragraph properties recorded (`w:rPrChange`, `w:pPrChange`).
        `new` itself when nothing changed. With `ending`, the last change ends with a
        deletion (or an insertion), see `_separated`."""
        diff = self._diff(old, new)
        if ending is not None:
            diff = _ending_with(diff, ending)
        parts: list[_Out] = []
        for op, atom, before in diff:
            if op == "delete":
                parts.append(_Out(atom, "del"))
            elif op == "insert":
                parts.append(_Out(atom, "ins"))
            elif atom.inline and _xml_all(_bare(before.rpr)) != _xml_all(_bare(atom.rpr)):
                parts.append(_Out(atom, None, before.rpr, formatted=True))
            else:
                parts.append(_Out(atom, None))
        same_properties = _same_properties(old, new)
        if same_properties and all(part.status is None and not part.formatted for part in parts):
            return new
        written = self._write(new, parts, None, self.new, None)
        if not same_properties:
            ppr = written.find(qn("w:pPr"))
            if ppr is None:
                ppr = element("w:pPr")
                written.insert(0, ppr)
            change = sub(ppr, "w:pPrChange", self.changes.attributes())
            before_ppr = sub(change, "w:pPr")
            for child in _properties(old):
                before_ppr.append(copy.deepcopy(child))
        self.rewritten[id(written)] = (old, new, self.changes.who)
        return written

    def _separated(self, out: list[Element]) -> None:
        """Keeps LibreOffice from taking a paragraph's mark into the change that ends it:
        LibreOffice joins changes of one author and minute that touch, and it counts the
        mark of a whole inserted (deleted) paragraph as the paragraph break before it. So a
        paragraph that ends with an insertion, followed by an inserted paragraph, would lose
        its break when the changes are rejected (likewise deletions when accepted). Such a
        paragraph is written again to end with a change of the other kind."""
        for i, item in enumerate(out):
            if id(item) not in self.rewritten or _mark_of(item) is not None:
                continue
            following = out[i + 1] if i + 1 < len(out) else None
            coming = self.whole_status.get(id(following)) if following is not None else None
            ending = _last_change(item)
            if coming is None or ending != _GROUP[coming]:
                continue
            old, new, self.changes.who = self.rewritten[id(item)]
            out[i] = self._changed(old, new, ending="delete" if ending == "ins" else "insert")

    def _diff(self, old: Element, new: Element) -> list[tuple[str, _Atom, _Atom]]:
        """The word-level diff of two paragraphs as atoms: ("equal", new atom, old atom),
        ("delete", old atom, old atom), ("insert", new atom, new atom)."""
        before = _atoms(old, self.old, self.codes)
        after = _atoms(new, self.new, self.codes)
        pieces = diff_words("".join(a.char for a in before), "".join(a.char for a in after))
        out: list[tuple[str, _Atom, _Atom]] = []
        i = j = 0
        for piece in pieces:
            size = len(piece.text)
            if piece.op == "equal":
                pairs = zip(after[j : j + size], before[i : i + size], strict=True)
                out += [("equal", a, b) for a, b in pairs]
                i, j = i + size, j + size
            elif piece.op == "delete":
                out += [("delete", a, a) for a in before[i : i + size]]
                i += size
            else:
                out += [("insert", a, a) for a in after[j : j + size]]
                j += size
        return out

    # --- writing a paragraph -----------------------------------------------------------------

    def _write(
        self,
        template: Element,
        parts: Sequence[_Out],
        mark: Status | None,
        doc: _Doc,
        move: str | None,
    ) -> Element:
        """A new paragraph with `template`'s properties (and, from the new paper, its
        bookmarks) and `parts` as runs, each stretch in its change container; `mark` marks
        the paragraph mark, `move` names its move range."""
        p = element("w:p")
        ppr = template.find(qn("w:pPr"))
        if ppr is not None:
            p.append(copy.deepcopy(ppr))
        from_new = doc is self.new
        for start in template.findall(qn("w:bookmarkStart")) if from_new else ():
            p.append(copy.deepcopy(start))
        range_id = None
        if move is not None and mark in ("moveFrom", "moveTo"):
            attributes = {**self.changes.attributes(), "w:name": move}
            range_id = attributes["w:id"]
            sub(p, f"w:{mark}RangeStart", attributes)
        self._runs(p, parts)
        if range_id is not None:
            sub(p, f"w:{mark}RangeEnd", {"w:id": range_id})
        for end in template.findall(qn("w:bookmarkEnd")) if from_new else ():
            p.append(copy.deepcopy(end))
        if mark is not None:
            self._mark(p, mark)
        return p

    def _mark(self, p: Element, status: Status) -> None:
        ppr = p.find(qn("w:pPr"))
        if ppr is None:
            ppr = element("w:pPr")
            p.insert(0, ppr)
        rpr = ppr.find(qn("w:rPr"))
        if rpr is None:
            rpr = element("w:rPr")
            later = [c for c in ppr if c.tag in (qn("w:sectPr"), qn("w:pPrChange"))]
            if later:
                later[0].addprevious(rpr)
            else:
                ppr.append(rpr)
        rpr.insert(0, element(f"w:{status}", self.changes.attributes()))

    def _runs(self, p: Element, parts: Sequence[_Out]) -> None:
        """Appends `parts` to `p`: runs of equal properties and change, text joined."""
        writer = _RunWriter(p, self)
        for part in parts:
            if part.atom.inline:
                writer.add(part)
            else:
                writer.close()
                p.append(self._paragraph_item(part.atom, part.status))
        writer.close()

    def run_properties(self, part: _Out) -> Element | None:
        atom = part.atom
        if atom.rpr is None and not part.formatted:
            return None
        rpr = copy.deepcopy(atom.rpr) if atom.rpr is not None else element("w:rPr")
        for recorded in rpr.findall(qn("w:rPrChange")):
            rpr.remove(recorded)
        if part.formatted:
            change = sub(rpr, "w:rPrChange", self.changes.attributes())
            before = sub(change, "w:rPr")
            for child in _bare(part.old_rpr):
                before.append(copy.deepcopy(child))
        return rpr

    def _paragraph_item(self, atom: _Atom, status: Status | None) -> Element:
        """A paragraph-level element (a link) with its runs in a change container."""
        assert atom.item is not None
        item = self.imported(atom.item, atom.doc, removed=status == "del")
        if status is None:
            return item
        runs = item.findall(qn("w:r"))
        if runs:
            container = element(f"w:{status}", self.changes.attributes())
            runs[0].addprevious(container)
            for run in runs:
                container.append(run)
        return item

    def imported(self, item: Element, doc: _Doc, *, removed: bool) -> Element:
        """A copy of `item` for the merged paper: deleted (`removed`) text as `w:delText`
        (moved text keeps `w:t`, as Word writes it), no bookmarks,
        and an item from the old paper with its footnotes and links brought over."""
        twin = copy.deepcopy(item)
        for node in list(twin.iter()):
            if not isinstance(node.tag, str):
                continue
            if node.tag in (qn("w:bookmarkStart"), qn("w:bookmarkEnd")):
                node.getparent().remove(node)
                continue
            if removed and node.tag == qn("w:t"):
                node.tag = qn("w:delText")
            elif removed and node.tag == qn("w:instrText"):
                node.tag = qn("w:delInstrText")
            if doc is self.old:
                self._bring_over(node)
        return twin

    def _bring_over(self, node: Element) -> None:
        if node.tag == qn("w:footnoteReference"):
            old_id = node.get(qn("w:id"))
            if old_id not in self.imported_notes:
                note = next(
                    (
                        n
                        for n in self.old.footnotes.findall(qn("w:footnote"))
                        if n.get(qn("w:id")) == old_id
                    ),
                    None,
                )
                if note is None:
                    return
                twin = copy.deepcopy(note)
                twin.set(qn("w:id"), str(self.next_note))
                self.new.footnotes.append(twin)
                self.imported_notes[old_id] = str(self.next_note)
                self.next_note += 1
            node.set(qn("w:id"), self.imported_notes[old_id])
        for name in (qn("r:id"), qn("r:embed"), qn("r:link")):
            rel_id = node.get(name)
            if rel_id is not None:
                node.set(name, self._relationship(rel_id))

    def _relationship(self, rel_id: str) -> str:
        rel = self.old.part.rels[rel_id]
        if rel.is_external:
            return str(self.new.part.relate_to(rel.target_ref, rel.reltype, is_external=True))
        if rel.reltype == RELATIONSHIP_TYPE.IMAGE:
            new_id, _ = self.new.part.get_or_add_image(io.BytesIO(rel.target_part.blob))
            return str(new_id)
        return str(self.new.part.relate_to(rel.target_part, rel.reltype))

    # --- tables ------------------------------------------------------------------------------

    def _whole_table(self, tbl: Element, status: Literal["ins", "del"], doc: _Doc) -> Element:
        out = self._empty_like(tbl)
        for tr in tbl.findall(qn("w:tr")):
            out.append(self._whole_row(tr, status, doc))
        return out

    @staticmethod
    def _empty_like(item: Element) -> Element:
        """A copy of a table, row or cell with its properties but without its content."""
        twin = element(f"w:{item.tag.rsplit('}', 1)[-1]}")
        kept = (qn("w:tblPr"), qn("w:tblGrid"), qn("w:trPr"), qn("w:tblPrEx"), qn("w:tcPr"))
        for child in item:
            if child.tag in kept:
                twin.append(copy.deepcopy(child))
        return twin

    def _whole_row(self, tr: Element, status: Literal["ins", "del"], doc: _Doc) -> Element:
        out = self._empty_like(tr)
        self._row_mark(out, status)
        for tc in tr.findall(qn("w:tc")):
            cell = out.makeelement(qn("w:tc"), {})
            out.append(cell)
            for child in self._empty_like(tc):
                cell.append(child)
            for p in tc.findall(qn("w:p")):
                cell.append(self._whole_paragraph(p, status, doc))
        return out

    def _row_mark(self, tr: Element, status: Literal["ins", "del"]) -> None:
        tr_pr = tr.find(qn("w:trPr"))
        if tr_pr is None:
            tr_pr = element("w:trPr")
            exceptions = tr.find(qn("w:tblPrEx"))
            if exceptions is not None:
                exceptions.addnext(tr_pr)
            else:
                tr.insert(0, tr_pr)
        tr_pr.append(element(f"w:{status}", self.changes.attributes()))

    def _table(self, old: Element, new: Element) -> list[Element]:
        """A table in both versions: rows compared in turn, cells paragraph by paragraph;
        rows only one version has inserted or deleted. A table whose columns changed is
        deleted and inserted whole, an empty paragraph between them so that they stay two."""
        if _xml(_without_bookmarks(old)) == _xml(_without_bookmarks(new)):
            return [new]
        grid = f"{qn('w:tblGrid')}/{qn('w:gridCol')}"
        if len(old.findall(grid)) != len(new.findall(grid)):
            return [
                self._whole_table(old, "del", self.old),
                paragraph(None),
                self._whole_table(new, "ins", self.new),
            ]
        out = self._empty_like(new)
        old_rows, new_rows = old.findall(qn("w:tr")), new.findall(qn("w:tr"))
        for index, tr in enumerate(new_rows):
            if index >= len(old_rows):
                out.append(self._whole_row(tr, "ins", self.new))
                continue
            row = self._empty_like(tr)
            out.append(row)
            old_cells = old_rows[index].findall(qn("w:tc"))
            for column, tc in enumerate(tr.findall(qn("w:tc"))):
                cell = row.makeelement(qn("w:tc"), {})
                row.append(cell)
                for child in self._empty_like(tc):
                    cell.append(child)
                before = old_cells[column].findall(qn("w:p")) if column < len(old_cells) else []
                after = tc.findall(qn("w:p"))
                for k, p in enumerate(after):
                    cell.append(
                        self._changed(before[k], p)
                        if k < len(before)
                        else self._whole_paragraph(p, "ins", self.new)
                    )
                for p in before[len(after) :]:
                    cell.append(self._whole_paragraph(p, "del", self.old))
        for tr in old_rows[len(new_rows) :]:
            out.append(self._whole_row(tr, "del", self.old))
        return [out]


class _RunWriter:
    """Writes atoms as runs: one change container per stretch of one status, one run per
    stretch of equal properties, characters joined into one text element."""

    def __init__(self, p: Element, merger: _Merger) -> None:
        self.p, self.merger = p, merger
        self.container: Element | None = None
        self.status: Status | None = None
        self.run: Element | None = None
        self.run_key: tuple[str, str] | None = None
        self.text: list[str] = []

    def add(self, part: _Out) -> None:
        if part.status != self.status:
            self.close()
            self.status = part.status
            if part.status is not None:
                self.container = sub(self.p, f"w:{part.status}", self.merger.changes.attributes())
        key = (_xml(part.atom.rpr), _xml_all(_bare(part.old_rpr)) if part.formatted else "")
        if self.run is None or key != self.run_key:
            self._flush()
            parent = self.container if self.container is not None else self.p
            self.run = sub(parent, "w:r")
            self.run_key = key
            rpr = self.merger.run_properties(part)
            if rpr is not None:
                self.run.append(rpr)
        atom = part.atom
        if atom.item is not None:
            self._flush()
            deleted = self.status == "del"
            self.run.append(self.merger.imported(atom.item, atom.doc, removed=deleted))
        elif atom.char == "\t":
            self._flush()
            sub(self.run, "w:tab")
        elif atom.char == "\n":
            self._flush()
            sub(self.run, "w:br")
        else:
            self.text.append(atom.char)

    def _flush(self) -> None:
        if self.text and self.run is not None:
            t = sub(self.run, "w:delText" if self.status == "del" else "w:t")
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            t.text = "".join(self.text)
        self.text.clear()

    def close(self) -> None:
        """Ends the current run and change container (a paragraph-level item follows)."""
        self._flush()
        self.run, self.run_key, self.container, self.status = None, None, None, None


_GROUP: dict[str, str] = {"ins": "ins", "moveTo": "ins", "del": "del", "moveFrom": "del"}


def _last_change(p: Element) -> str | None:
    """The kind ("ins" or "del") of the change that ends the paragraph's content, if one
    does."""
    for child in reversed(p):
        local = str(child.tag).rsplit("}", 1)[-1]
        if local in ("pPr", "bookmarkEnd", "moveFromRangeEnd", "moveToRangeEnd"):
            continue
        return _GROUP.get(local)
    return None


def _ending_with(
    diff: list[tuple[str, _Atom, _Atom]], op: Literal["delete", "insert"]
) -> list[tuple[str, _Atom, _Atom]]:
    """`diff` ending with an `op`: the last changed stretch reordered (deletions and
    insertions of one stretch may come in either order), or, if it has only the other
    kind, with the last word before it taken in as deleted and inserted."""
    start = len(diff)
    while start and diff[start - 1][0] != "equal":
        start -= 1
    stretch = diff[start:]
    if not stretch or stretch[-1][0] == op:
        return diff
    if any(entry[0] == op for entry in stretch):
        others = [entry for entry in stretch if entry[0] != op]
        return diff[:start] + others + [entry for entry in stretch if entry[0] == op]
    equal = start
    while equal and diff[equal - 1][0] == "equal":
        equal -= 1
    words = tokens("".join(entry[1].char for entry in diff[equal:start]))
    if not words:
        return diff
    cut = start - len(words[-1])
    last = diff[cut:start]
    deleted = [("delete", before, before) for _, _, before in last]
    inserted = [("insert", after, after) for _, after, _ in last]
    if op == "delete":
        return diff[:cut] + inserted + stretch + deleted
    return diff[:cut] + deleted + stretch + inserted


def _mark_of(p: Element) -> str | None:
    """The change of a paragraph's mark ("ins", "del", "moveFrom", "moveTo") or None."""
    rpr = p.find(f"{qn('w:pPr')}/{qn('w:rPr')}")
    if rpr is None or not len(rpr):
        return None
    local = str(rpr[0].tag).rsplit("}", 1)[-1]
    return local if local in ("ins", "del", "moveFrom", "moveTo") else None


def _without_bookmarks(item: Element) -> Element:
    twin = copy.deepcopy(item)
    for node in list(twin.iter(qn("w:bookmarkStart"), qn("w:bookmarkEnd"))):
        node.getparent().remove(node)
    return twin


def _xml_all(items: Sequence[Element]) -> str:
    return "".join(_xml(item) for item in items)


def _bare(rpr: Element | None) -> list[Element]:
    """Run properties without a recorded change."""
    return [] if rpr is None else [c for c in rpr if c.tag != qn("w:rPrChange")]


def _properties(p: Element) -> list[Element]:
    """A paragraph's own properties, without those of its mark and without changes."""
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        return []
    return [c for c in ppr if c.tag not in (qn("w:rPr"), qn("w:sectPr"), qn("w:pPrChange"))]


def _same_properties(old: Element, new: Element) -> bool:
    return _xml_all(_properties(old)) == _xml_all(_properties(new))


def _note_on_title_page(word: Any, old: Version) -> None:
    """Says on the title page, in its header (not in the text, which accepting or rejecting
    the changes gives back exactly), what the marked changes are."""
    header = word.sections[0].first_page_header.part.element.find(qn("w:p"))
    add_run(
        header,
        f"Änderungen gegenüber {version_line(old)} als Überarbeitungen markiert",
    )


def _track_further_changes(word: Any) -> None:
    settings = word.settings.element
    if settings.find(qn("w:trackRevisions")) is None:
        # w:trackRevisions follows w:zoom in the schema's order of settings.
        settings.find(qn("w:zoom")).addnext(element("w:trackRevisions"))
