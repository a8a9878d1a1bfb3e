"""The paper as a Word document in the house style, for a ministry.

Looks come from `templates/hausstil.docx`; this module only says which style each piece has.
Every paragraph of the paper carries a hidden bookmark `_pos_p_<id>` (a table spans its
cells with one) so that an edited document can be matched back to the stored paragraphs.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any
from urllib.parse import quote

from babel.dates import format_date
from docx import Document
from docx.image.exceptions import UnrecognizedImageError
from docx.image.image import Image
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn
from docx.shared import Cm

from exports import typography
from exports.document import (
    Block,
    ExportOrigin,
    Letterhead,
    LobbyregisterLine,
    PaperDocument,
    Section,
    Table,
)
from exports.errors import InvalidExportInput
from exports.templates.build_template import ACCENT, TEMPLATE_PATH, TEXT_WIDTH, TINT
from exports.wordml import (
    Bookmarks,
    Element,
    Footnotes,
    add_field,
    add_field_end,
    add_field_start,
    add_run,
    add_tab,
    clean_text,
    element,
    one_line,
    paragraph,
    sub,
)
from positions.core.clock import utcnow

BOOKMARK_PREFIX = "_pos_p_"
"""Followed by the paragraph id; the leading underscore hides it in Word's bookmark list."""
MAX_HEADING_LEVEL = 3
TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'
_LOGO_HEIGHT = Cm(1.6)
_LOGO_MAX_WIDTH = Cm(7)


ORIGIN_PAPER, ORIGIN_VERSION = "Positionen-Papier", "Positionen-Fassung"
CUSTOM_PROPERTIES_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
# The format id every application uses for user-defined properties.
_CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def bookmark_name(paragraph_id: int) -> str:
    return f"{BOOKMARK_PREFIX}{paragraph_id}"


def german_date(day: date) -> str:
    """E.g. "25. November 2026"."""
    return str(format_date(day, "d. MMMM yyyy", locale="de_DE"))


def build_paper(doc: PaperDocument, *, now: datetime | None = None, typeset: bool = True) -> bytes:
    """The paper as .docx bytes: title page, table of contents, Kernforderungen, numbered
    sections with footnotes and minority opinions, annex of members and contacts.

    `now` (default: the current time) becomes the document's created/modified date. With
    `typeset` (the default) every text is printed in German typography
    (`typography.german`); without, exactly as stored (for comparing versions).
    """
    if typeset:
        doc = typography.typeset(doc)
    _check_unique_ids(doc.sections)
    word = house_document(doc.association)
    writer = _PaperWriter(word, doc)
    writer.write()
    # The contents have no page numbers until a layout gives them (`with_contents_pages`).
    _ask_to_update_fields(word)
    _fill_header_and_footers(word, doc)
    _set_properties(word, doc, now or utcnow())
    if doc.origin is not None:
        set_origin(word, doc.origin)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def house_document(association: Letterhead) -> Any:
    """A python-docx document from the house template in the association's colours; its
    body holds one empty paragraph and the section properties."""
    word = Document(io.BytesIO(_template_bytes()))
    _apply_colours(word.styles.element, association.accent_colour)
    return word


@cache
def _template_bytes() -> bytes:
    return TEMPLATE_PATH.read_bytes()


@dataclass(frozen=True)
class _Heading:
    level: int
    number: str
    """E.g. "2.1."; empty for the unnumbered headings (Kernforderungen, annex)."""
    title: str


class _PaperWriter:
    """Writes the body of one document; the order of the calls is the reading order."""

    def __init__(self, word: Any, doc: PaperDocument) -> None:
        self.doc = doc
        self.part = word.part
        body = word.element.body
        self.sect_pr: Element = body.find(qn("w:sectPr"))
        for child in list(body):
            if child is not self.sect_pr:
                body.remove(child)
        self.bookmarks = Bookmarks()
        self.footnotes = Footnotes(self.part)
        self.headings: list[_Heading] = []
        self.counters = [0] * MAX_HEADING_LEVEL
        self.page_break_pending = False
        self.tables = 0
        self.in_annex = False
        """Whether an unnumbered heading after the sections began the annex."""

    def write(self) -> None:
        self.title_page()
        toc_anchor = self.toc_heading()
        self.page_break_pending = True
        self.core_demands()
        for section in self.doc.sections:
            self.section(section, 1)
        self.participants()
        self.contacts()
        self.about()
        self.toc_entries(toc_anchor)

    # --- building blocks ------------------------------------------------------------------

    def append(self, element: Element) -> Element:
        self.sect_pr.addprevious(element)
        return element

    def heading(self, level: int, title: str, *, numbered: bool = True) -> None:
        p = self.append(paragraph(f"Heading{level}", page_break_before=self._take_page_break()))
        text = one_line(title) or "Ohne Titel"
        if numbered:
            self.counters[level - 1] += 1
            self.counters[level:] = [0] * (MAX_HEADING_LEVEL - level)
            number = "".join(f"{n}." for n in self.counters[:level])
        else:
            # numId 0 switches off the numbering that the heading style brings.
            num_pr = sub(p.find(qn("w:pPr")), "w:numPr")
            sub(num_pr, "w:ilvl", {"w:val": "0"})
            sub(num_pr, "w:numId", {"w:val": "0"})
            number = ""
        add_run(p, text)
        self.headings.append(_Heading(level, number, text))

    def _take_page_break(self) -> bool:
        pending, self.page_break_pending = self.page_break_pending, False
        return pending

    # --- title page and table of contents -------------------------------------------------

    def title_page(self) -> None:
        doc = self.doc
        letterhead = self.append(paragraph("Verbandsname"))
        if doc.association.logo:
            drawing = sub(sub(letterhead, "w:r"), "w:drawing")
            drawing.append(self._logo(doc.association))
        else:
            add_run(letterhead, one_line(doc.association.name))
        add_run(self.append(paragraph("Subtitle")), one_line(doc.kind_label))
        add_run(self.append(paragraph("Title")), one_line(doc.title))
        # What a reader outside needs of the paper's state: whether it is a draft.
        if one_line(doc.status_label):
            add_run(self.append(paragraph("Vermerk")), one_line(doc.status_label))
        for label, value in (
            ("Adressat", doc.addressee),
            ("Forum", doc.forum_name),
            ("Regelungsvorhaben", _regulatory_project(doc.lobbyregister)),
            ("Datum", german_date(doc.date)),
        ):
            if one_line(value):
                p = self.append(paragraph("Titelangabe"))
                add_run(p, label, bold=True)
                add_tab(p)
                add_run(p, one_line(value))

    def _logo(self, letterhead: Letterhead) -> Element:
        assert letterhead.logo is not None
        try:
            image = Image.from_blob(letterhead.logo)
        except UnrecognizedImageError as e:
            raise InvalidExportInput(
                "Das Logo des Verbands ist kein lesbares Bild (PNG oder JPEG)."
            ) from e
        width, _ = image.scaled_dimensions(None, _LOGO_HEIGHT)
        # A very wide logo is limited by its width instead of its height.
        size = (_LOGO_MAX_WIDTH, None) if width > _LOGO_MAX_WIDTH else (None, _LOGO_HEIGHT)
        inline = self.part.new_pic_inline(io.BytesIO(letterhead.logo), *size)
        # Alt text for screen readers (BITV); the name attribute is what Word shows as title.
        inline.docPr.set("descr", f"Logo: {one_line(letterhead.name)}")
        inline.docPr.set("name", "Logo")
        return inline

    def toc_heading(self) -> Element:
        p = self.append(paragraph("TOCHeading", page_break_before=True))
        add_run(p, "Inhalt")
        return p

    def toc_entries(self, anchor: Element) -> None:
        """The TOC field, its result filled with the headings (numbers and titles); the page
        numbers come from a layout (`with_contents_pages`), or else from Word on opening."""
        entries = self.headings or [_Heading(1, "", "")]
        previous = anchor
        for i, entry in enumerate(entries):
            p = paragraph(f"TOC{entry.level}")
            if i == 0:
                add_field_start(p, TOC_INSTRUCTION)
            if entry.number:
                add_run(p, entry.number)
                add_tab(p)
            add_run(p, entry.title)
            if i == len(entries) - 1:
                add_field_end(p)
            previous.addnext(p)
            previous = p

    # --- content ----------------------------------------------------------------------------

    def core_demands(self) -> None:
        demands = [d for d in self.doc.core_demands if clean_text(d).strip()]
        if not demands:
            return
        self.heading(1, "Kernforderungen", numbered=False)
        for demand in demands:
            add_run(self.append(paragraph("Kernforderung")), clean_text(demand).strip())

    def section(self, section: Section, level: int) -> None:
        if level > MAX_HEADING_LEVEL:
            raise InvalidExportInput(
                f"Der Abschnitt „{one_line(section.title)}“ liegt tiefer als drei Ebenen."
            )
        self.heading(level, section.title)
        for block in section.paragraphs:
            self.block(block)
        for subsection in section.subsections:
            self.section(subsection, level + 1)

    def block(self, block: Block) -> None:
        if isinstance(block, Table):
            self.table(block)
            return
        style = None
        if block.is_minority_opinion:
            label = self.append(paragraph("MindermeinungHinweis"))
            org = one_line(block.minority_org_label or "")
            add_run(label, f"Mindermeinung von {org}" if org else "Mindermeinung eines Mitglieds")
            style = "Mindermeinung"
        p = self.append(paragraph(style))
        bookmark = self.bookmarks.start(p, bookmark_name(block.id))
        add_run(p, block.text)
        for note in block.footnotes:
            self.footnotes.add(p, note)
        self.bookmarks.end(p, bookmark)

    def table(self, table: Table) -> None:
        self.tables += 1
        caption = self.append(paragraph("Caption"))
        add_run(caption, "Tabelle ")
        add_field(caption, "SEQ Tabelle \\* ARABIC", str(self.tables))
        add_run(caption, f": {one_line(table.caption)}")
        tbl = self.append(element("w:tbl"))
        tbl_pr = sub(tbl, "w:tblPr")
        sub(tbl_pr, "w:tblStyle", {"w:val": "TableGrid"})
        sub(tbl_pr, "w:tblW", {"w:w": "5000", "w:type": "pct"})
        # Header row formatting, no banding; the caption doubles as the table's alt text.
        look = {"w:val": "0420", "w:firstRow": "1", "w:lastRow": "0", "w:firstColumn": "0"}
        sub(tbl_pr, "w:tblLook", {**look, "w:lastColumn": "0", "w:noHBand": "0", "w:noVBand": "1"})
        sub(tbl_pr, "w:tblCaption", {"w:val": one_line(table.caption)})
        widths = [str(w) for w in column_widths(table)]
        grid = sub(tbl, "w:tblGrid")
        for width in widths:
            sub(grid, "w:gridCol", {"w:w": width})
        self._row(tbl, table.header, widths, header=True)
        for row in table.rows:
            self._row(tbl, row, widths, header=False)
        # One bookmark spans the table: from its first cell to its last.
        cells = tbl.findall(f"{qn('w:tr')}/{qn('w:tc')}/{qn('w:p')}")
        bookmark = self.bookmarks.start(cells[0], bookmark_name(table.id))
        cells[0].find(qn("w:pPr")).addnext(cells[0][-1])
        self.bookmarks.end(cells[-1], bookmark)

    def _row(
        self, tbl: Element, cells: Sequence[str], widths: Sequence[str], *, header: bool
    ) -> None:
        tr = sub(tbl, "w:tr")
        tr_pr = sub(tr, "w:trPr")
        sub(tr_pr, "w:cantSplit")
        if header:
            sub(tr_pr, "w:tblHeader")  # repeated at the top of every page
        for text, width in zip(cells, widths, strict=True):
            tc = sub(tr, "w:tc")
            tc_pr = sub(tc, "w:tcPr")
            sub(tc_pr, "w:tcW", {"w:w": width, "w:type": "dxa"})
            if header:
                # The table style shades the header row too, but LibreOffice ignores
                # conditional table-style formatting, so PDF previews need it direct.
                fill = header_fill(self.doc.association.accent_colour)
                sub(tc_pr, "w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": fill})
            p = sub(tc, "w:p")
            style = "Tabellenkopf" if header else "Tabellentext"
            sub(sub(p, "w:pPr"), "w:pStyle", {"w:val": style})
            add_run(p, text)

    # --- annex --------------------------------------------------------------------------

    def participants(self) -> None:
        named = [n for n in (one_line(n) for n in self.doc.participants_named) if n]
        anonymous = self.doc.participants_anonymous_count
        if not named and not anonymous:
            return
        self.heading(1, "Beteiligte Mitglieder", numbered=False)
        self.in_annex = True
        if named:
            add_run(
                self.append(paragraph(None, keep_next=True)),
                "Mitgewirkt haben:" if len(named) > 1 or anonymous else "Mitgewirkt hat:",
            )
            # Like widow and orphan control for the list: never one name alone at the foot
            # or the head of a page, nor the closing "sowie …" without a name.
            for i, name in enumerate(named):
                kept = i == 0 or i == len(named) - 2 or (i == len(named) - 1 and anonymous > 0)
                add_run(self.append(paragraph("ListBullet", keep_next=kept)), name)
            if anonymous:
                add_run(
                    self.append(paragraph(None)),
                    f"sowie {_anonymous_members(anonymous, further=True)}.",
                )
        else:
            verb = "haben" if anonymous > 1 else "hat"
            add_run(
                self.append(paragraph(None)),
                f"Mitgewirkt {verb} {_anonymous_members(anonymous, further=False)}.",
            )

    def contacts(self) -> None:
        """The contact persons (function, phone, e-mail) at the association's postal
        address, kept together on one page."""
        contacts = [c for c in self.doc.contact_persons if one_line(c.name)]
        if not contacts:
            return
        self.heading(
            1, "Ansprechpersonen" if len(contacts) > 1 else "Ansprechperson", numbered=False
        )
        self.in_annex = True
        address = self._postal_address()
        for i, contact in enumerate(contacts):
            p = self.append(paragraph("Kontakt", keep_next=i < len(contacts) - 1 or bool(address)))
            add_run(p, one_line(contact.name), bold=True)
            if one_line(contact.function):
                add_run(p, f"\n{one_line(contact.function)}")
            if one_line(contact.phone):
                add_run(p, f"\nTelefon: {one_line(contact.phone)}")
            email = one_line(contact.email).replace(" ", "")
            if email:
                add_run(p, "\nE-Mail: ")
                self._hyperlink(p, f"mailto:{quote(email, safe='@+')}", email)
        if address:
            add_run(self.append(paragraph("Kontakt")), "\n".join(address))

    def _postal_address(self) -> list[str]:
        lines = [one_line(line) for line in self.doc.association.address]
        lines = [line for line in lines if line]
        return [one_line(self.doc.association.name), *lines] if lines else []

    def about(self) -> None:
        """ "Über uns" and the register number in small print at the end, as the imprint of
        an association's paper has them; the address too when no contact person gave it."""
        about = clean_text(self.doc.association.about).strip()
        has_contacts = any(one_line(c.name) for c in self.doc.contact_persons)
        small_print = [
            text
            for text in (
                "" if has_contacts else " · ".join(self._postal_address()),
                _register_line(self.doc.lobbyregister),
            )
            if text
        ]
        if not about and not small_print:
            return
        lead_in = bool(about)
        if not self.in_annex:
            # A heading of its own, or the imprint would read as the paper's last paragraph
            # (an edited copy read back would propose it as an addition).
            self.heading(1, "Über uns", numbered=False)
            lead_in = False
        p = self.append(paragraph("Impressum"))
        if lead_in:
            add_run(p, "Über uns", bold=True)
        lines = [about, *small_print] if about else small_print
        add_run(p, "\n".join(["", *lines] if lead_in else lines))  # "": break after lead-in

    def _hyperlink(self, parent: Element, url: str, text: str) -> None:
        rel_id = self.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link = sub(parent, "w:hyperlink", {"r:id": rel_id})
        add_run(link, text, style="Hyperlink")


def column_widths(table: Table) -> list[int]:
    """Column widths (twips) adding up to the text width, shared out by what the columns
    hold: a column of names gets more room than one of figures, and none is narrower than
    its longest word (up to a limit)."""
    needs = []
    for i, head in enumerate(table.header):
        texts = [one_line(row[i]) for row in table.rows]
        words = [w for t in (one_line(head), *texts) for w in re.split(r"[\s\u00ad]+", t)]
        longest_word = min(max((len(w) for w in words), default=0), 30)
        longest_text = min(max((len(t) for t in texts), default=0), 45)
        # A few characters more for the cell's margins and the bold header.
        needs.append(max(longest_word + 4, longest_text + 2, 8))
    widths = [TEXT_WIDTH * need // sum(needs) for need in needs]
    widths[-1] += TEXT_WIDTH - sum(widths)
    return widths


def _anonymous_members(count: int, *, further: bool) -> str:
    """E.g. "3 weitere Mitglieder, die nicht namentlich genannt werden möchten"."""
    if count == 1:
        adjective = " weiteres" if further else ""
        return f"ein{adjective} Mitglied, das nicht namentlich genannt werden möchte"
    adjective = " weitere" if further else ""
    return f"{count}{adjective} Mitglieder, die nicht namentlich genannt werden möchten"


def _regulatory_project(entry: LobbyregisterLine | None) -> str:
    """E.g. "Gesetz zur Senkung der Stromkosten (RV0004711)"; empty without a project."""
    if entry is None or not one_line(entry.regulatory_project):
        return ""
    number = one_line(entry.regulatory_project_number)
    return one_line(entry.regulatory_project) + (f" ({number})" if number else "")


def _register_line(entry: LobbyregisterLine | None) -> str:
    """The association's register entry; empty when no register number is set, so that no
    paper says "Registernummer ." """
    if entry is None or not one_line(entry.register_number):
        return ""
    return (
        "Eingetragen im Lobbyregister des Deutschen Bundestages, Registernummer "
        f"{one_line(entry.register_number)}"
    )


def _check_unique_ids(sections: Sequence[Section]) -> None:
    seen: set[int] = set()

    def walk(sections: Sequence[Section]) -> None:
        for section in sections:
            for block in section.paragraphs:
                if block.id in seen:
                    raise InvalidExportInput(
                        f"Die Absatznummer {block.id} kommt im Papier mehrfach vor."
                    )
                seen.add(block.id)
            walk(section.subsections)

    walk(sections)


# --- colours, header and footer, properties ---------------------------------------------


def _apply_colours(styles: Element, accent: str) -> None:
    """Replaces the template's placeholder colours by the association's accent colour (made
    dark enough for text on white) and a light tint of it for the Kernforderungen box."""
    swap = {ACCENT: readable_on_white(accent), TINT: header_fill(accent)}
    for item in styles.iter():
        for attribute in (qn("w:val"), qn("w:color"), qn("w:fill")):
            value = item.get(attribute)
            if value in swap:
                item.set(attribute, swap[value])


def readable_on_white(colour: str, *, contrast: float = 4.5) -> str:
    """`colour` (RRGGBB), darkened until text in it reaches `contrast` on white (WCAG)."""
    rgb = [int(colour[i : i + 2], 16) for i in (0, 2, 4)]
    while _contrast_on_white(rgb) < contrast:
        rgb = [int(c * 0.9) for c in rgb]
    return "".join(f"{c:02X}" for c in rgb)


def header_fill(accent: str) -> str:
    """The light tint of `accent` behind the Kernforderungen and table header rows."""
    return _mix_with_white(accent, 0.88)


def _contrast_on_white(rgb: list[int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else float(((s + 0.055) / 1.055) ** 2.4)

    luminance = 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
    return 1.05 / (luminance + 0.05)


def _mix_with_white(colour: str, share_of_white: float) -> str:
    rgb = [int(colour[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(c + (255 - c) * share_of_white):02X}" for c in rgb)


def _fill_header_and_footers(word: Any, doc: PaperDocument) -> None:
    section = word.sections[0]
    name = one_line(doc.association.name)
    header = section.header.part.element.find(qn("w:p"))
    add_run(header, name)
    add_tab(header)
    add_run(header, f"{one_line(doc.kind_label)} · {german_date(doc.date)}")
    footer = section.footer.part.element.find(qn("w:p"))
    if one_line(doc.status_label):
        run = add_run(footer, one_line(doc.status_label))
        footer.find(qn("w:pPr")).addnext(run)
    letterhead = section.first_page_footer.part.element.find(qn("w:p"))
    add_run(letterhead, _joined(name, *doc.association.address, separator=" · "))


def _set_properties(word: Any, doc: PaperDocument, now: datetime) -> None:
    set_core_properties(
        word,
        title=doc.title,
        subject=f"{doc.kind_label} – {doc.addressee}",
        author=doc.association.name,
        category=doc.kind_label,
        now=now,
    )


def set_core_properties(
    word: Any, *, title: str, subject: str, author: str, category: str, now: datetime
) -> None:
    """Title, subject, author (also as last editor), category, German language, and `now` as
    the created and modified date; keywords and comments emptied."""
    properties = word.core_properties
    moment = now.astimezone(UTC).replace(tzinfo=None)
    properties.title = _property(title)
    properties.subject = _property(subject)
    properties.author = _property(author)
    properties.last_modified_by = _property(author)
    properties.keywords = ""
    properties.comments = ""
    properties.category = _property(category)
    properties.language = "de-DE"
    properties.created = moment
    properties.modified = moment
    properties.revision = 1


def set_origin(word: Any, origin: ExportOrigin) -> None:
    """The paper id and version as custom document properties (File > Properties >
    Custom in Word; LibreOffice keeps them as user-defined properties on saving)."""
    values = {ORIGIN_PAPER: origin.paper_id}
    if origin.version is not None:
        values[ORIGIN_VERSION] = origin.version
    properties = "".join(
        f'<property fmtid="{_CUSTOM_FMTID}" pid="{pid}" name="{name}"><vt:i4>{value}</vt:i4>'
        "</property>"
        for pid, (name, value) in enumerate(values.items(), start=2)
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Properties xmlns="{CUSTOM_PROPERTIES_NS}" xmlns:vt="{_VT_NS}">{properties}</Properties>'
    )
    package = word.part.package
    part = Part(
        PackURI("/docProps/custom.xml"), CONTENT_TYPE.OFC_CUSTOM_PROPERTIES, xml.encode(), package
    )
    package.relate_to(part, RELATIONSHIP_TYPE.CUSTOM_PROPERTIES)


def _joined(*texts: str, separator: str) -> str:
    return separator.join(t for t in (one_line(t) for t in texts) if t)


def _property(text: str) -> str:
    # python-docx refuses core property values longer than 255 characters.
    return one_line(text)[:255]


# --- the table of contents after layout ---------------------------------------------------

TOC_STYLES = frozenset({"TOC1", "TOC2", "TOC3"})
MIN_PAGES_FOR_CONTENTS = 4
"""A contents page only for a paper with more than three pages of text."""


def with_contents_pages(data: bytes, pages: Sequence[int]) -> bytes | None:
    """The document with the page of each heading (`pages`, in reading order, as a layout
    gave them) written into its table of contents, and Word no longer asked to update
    fields on opening. None when the number of pages is not the number of entries."""
    word = Document(io.BytesIO(data))
    entries = _toc_paragraphs(word)
    if len(entries) != len(pages) or not entries:
        return None
    for p, page in zip(entries, pages, strict=True):
        scratch = element("w:p")
        add_tab(scratch)
        add_run(scratch, str(page))
        # The TOC field ends in the last entry: its page number goes before the end.
        end = next(
            (
                r
                for r in p.findall(qn("w:r"))
                if r.find(f"{qn('w:fldChar')}[@{qn('w:fldCharType')}='end']") is not None
            ),
            None,
        )
        for run in list(scratch):
            if end is None:
                p.append(run)
            else:
                end.addprevious(run)
    _stop_asking_to_update_fields(word)
    return _saved(word)


def without_contents(data: bytes) -> bytes | None:
    """The document without its contents page (for a short paper), the text following the
    title page directly, and Word no longer asked to update fields on opening; None when
    the document has no contents page."""
    word = Document(io.BytesIO(data))
    body = word.element.body
    contents = [
        p for p in body.findall(qn("w:p")) if _paragraph_style(p) in TOC_STYLES | {"TOCHeading"}
    ]
    if not contents:
        return None
    for p in contents:
        body.remove(p)
    _stop_asking_to_update_fields(word)
    return _saved(word)


def _toc_paragraphs(word: Any) -> list[Element]:
    return [p for p in word.element.body.findall(qn("w:p")) if _paragraph_style(p) in TOC_STYLES]


def _paragraph_style(p: Element) -> str:
    style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return "" if style is None else str(style.get(qn("w:val")))


def _ask_to_update_fields(word: Any) -> None:
    settings = word.settings.element
    if settings.find(qn("w:updateFields")) is None:
        # The schema's order puts w:updateFields right before w:footnotePr.
        settings.find(qn("w:footnotePr")).addprevious(element("w:updateFields", {"w:val": "true"}))


def _stop_asking_to_update_fields(word: Any) -> None:
    for update in word.settings.element.findall(qn("w:updateFields")):
        update.getparent().remove(update)


def _saved(word: Any) -> bytes:
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
