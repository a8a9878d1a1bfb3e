"""The Synopse exports: the landscape table in its three forms (repeated header row, struck and
underlined words, headings and the Kernforderungen box compared, reasons instead of status
words) and the paper with real tracked changes, which gives the new paper when all changes
are accepted and the old one when all are rejected, in Word's reading (tests.synopse_tools)
and in LibreOffice's; both valid as Word reads them and rendered by LibreOffice."""

from __future__ import annotations

import io
import subprocess
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import docx
import docx.document
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml import parse_xml

from db.enums import Stance
from exports import pdf, synopse
from exports.document import MemberReview, PaperDocument, Paragraph, Section, Table
from exports.errors import InvalidExportInput
from exports.word import build_paper
from positions.papers.diffing import Synopsis, Version, VersionParagraph, compare_versions
from tests import synopse_tools
from tests.synopse_tools import lines, paragraph_contents
from tests.test_word_export import HOSTILE, NOW, realistic_paper
from tests.tools import require_tool, schema_problems

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CHANGED_AT = datetime(2026, 11, 20, 14, 5, tzinfo=UTC)
NEW_PAPER = realistic_paper()
OLD_102 = (
    "Viele Unternehmen investieren schon in neue Produkte, stoßen aber an Grenzen bei den "
    "Energiekosten und Verfahrensdauern."
)
DELETED_150 = "Ein Absatz, den der Vorstand gestrichen hat, weil er überholt ist."


def paper_version(paper: PaperDocument, label: str, day: date) -> Version:
    """The paragraphs of `paper` (tables left out) as a stored version."""
    found: list[VersionParagraph] = []

    def walk(sections: Sequence[Section]) -> None:
        for section in sections:
            found.extend(
                VersionParagraph(
                    block.id,
                    section.title,
                    block.text,
                    is_minority_opinion=block.is_minority_opinion,
                )
                for block in section.paragraphs
                if isinstance(block, Paragraph)
            )
            walk(section.subsections)

    walk(paper.sections)
    return Version(label, day, found)


NEW_TEXT = {p.id: p.text for p in paper_version(NEW_PAPER, "", date(2026, 1, 1)).paragraphs}


def old_and_new() -> tuple[Version, Version]:
    """Version 2 → 3: 102 reworded, 150 deleted, 202 added, 303 moved from the first section
    to the last, 301 moved down past 302 (so 302 stays)."""
    new = paper_version(NEW_PAPER, "Version 3", date(2026, 11, 25))
    paragraphs = [p for p in new.paragraphs if p.id != 202]
    paragraphs = [replace(p, text=OLD_102) if p.id == 102 else p for p in paragraphs]
    paragraphs.insert(2, VersionParagraph(150, "Ausgangslage", DELETED_150))
    moved = next(p for p in paragraphs if p.id == 303)
    paragraphs.remove(moved)
    paragraphs.insert(1, replace(moved, section="Ausgangslage"))
    i = next(i for i, p in enumerate(paragraphs) if p.id == 301)
    paragraphs[i], paragraphs[i + 1] = paragraphs[i + 1], paragraphs[i]
    return Version("Version 2", date(2026, 10, 1), paragraphs), new


# --- two papers with every kind of change -----------------------------------------------------

TAX = 3
"""The section id of "Steuern", renamed "Steuerliche Anreize"."""


def _section(key: int, title: str, *blocks: Paragraph | Table, sub: Sequence[Section] = ()) -> Any:
    return key, Section(title, blocks, sub)


def _papers() -> tuple[PaperDocument, PaperDocument, dict[int, int]]:
    """The first draft and the revision of a paper, and the section id of each paragraph:
    the title, a Kernforderung and a heading changed; a paragraph deleted before a heading, a
    section deleted, one added; paragraphs moved within their section, one moved to another
    section and reworded; a paragraph that becomes a minority opinion where it stands, one
    that moves to become one; a table row added and a cell changed."""
    base = replace(NEW_PAPER, core_demands=())
    old = replace(
        base,
        title="Transformation sichern",
        sections=(
            Section(
                "Ausgangslage",
                (
                    Paragraph(1, "Die Zulieferindustrie beschäftigt 200.000 Menschen.", ("A.",)),
                    Paragraph(2, "Viele Unternehmen investieren schon in neue Produkte."),
                    Paragraph(3, "Dieser Absatz ist überholt."),
                ),
            ),
            Section(
                "Energie",
                (
                    Paragraph(5, "Die Strompreise sind zu hoch."),
                    Paragraph(11, "Ein Industriestrompreis verzerrt den Wettbewerb."),
                    Paragraph(6, "Netzentgelte sollten sinken."),
                ),
                (
                    Section(
                        "Netze",
                        (
                            Paragraph(4, "Regionale Netzwerke haben sich bewährt."),
                            Table(40, "Preise", ("Land", "Preis"), (("DE", "17"), ("FR", "11"))),
                        ),
                    ),
                ),
            ),
            Section(
                "Alter Abschnitt",
                (Paragraph(9, "Ein ganzer Abschnitt fällt weg."), Paragraph(10, "Sein Ende.")),
            ),
            Section(
                "Steuern",
                (
                    Paragraph(7, "Qualifizierung muss im Betrieb stattfinden."),
                    Paragraph(8, "Weiterbildung braucht Förderung."),
                ),
            ),
        ),
    )
    new = replace(
        base,
        title="Transformation der Zulieferindustrie sichern",
        sections=(
            Section(
                "Ausgangslage",
                (
                    Paragraph(1, "Die Zulieferindustrie beschäftigt 200.000 Menschen.", ("A.",)),
                    Paragraph(2, "Viele Unternehmen investieren bereits in neue Produkte."),
                ),
            ),
            Section(
                "Energie und Standort",
                (
                    Paragraph(
                        11,
                        "Ein Industriestrompreis verzerrt den Wettbewerb.",
                        is_minority_opinion=True,
                        minority_org_label="Muster GmbH",
                    ),
                    Paragraph(5, "Die Strompreise sind zu hoch."),
                    Paragraph(6, "Netzentgelte sollten sinken.", is_minority_opinion=True),
                ),
                (
                    Section(
                        "Netze",
                        (
                            Table(
                                40,
                                "Preise",
                                ("Land", "Preis"),
                                (("DE", "18"), ("FR", "11"), ("US", "8")),
                            ),
                            Paragraph(12, 'Ein "neuer" Absatz zu § 7g - mit 50 %.'),
                        ),
                    ),
                ),
            ),
            Section(
                "Steuerliche Anreize",
                (
                    Paragraph(4, "Regionale Netzwerke haben sich sehr bewährt."),
                    Paragraph(8, "Weiterbildung braucht Förderung."),
                    Paragraph(7, "Qualifizierung muss im Betrieb stattfinden."),
                ),
            ),
            Section("Neuer Abschnitt", (Paragraph(13, "Ganz neu."),)),
        ),
    )
    sections = {1: 1, 2: 1, 3: 1, 5: 2, 11: 2, 6: 2, 4: 21, 12: 21, 9: 5, 10: 5, 7: TAX, 8: TAX}
    sections[13] = 6
    return old, new, sections


def _version(paper: PaperDocument, label: str, sections: dict[int, int], core: set[int]) -> Any:
    found: list[VersionParagraph] = []

    def walk(items: Sequence[Section]) -> None:
        for section in items:
            for block in section.paragraphs:
                if isinstance(block, Paragraph):
                    found.append(
                        VersionParagraph(
                            block.id,
                            section.title,
                            block.text,
                            is_core_demand=block.id in core,
                            is_minority_opinion=block.is_minority_opinion,
                            section_id=sections[block.id],
                        )
                    )
            walk(section.subsections)

    walk(paper.sections)
    return Version(label, date(2026, 11, 1), found)


def rich() -> tuple[PaperDocument, PaperDocument, Synopsis]:
    """Old and new paper and their Synopse; the box holds the core demands 2, 5 (which
    changes its words and its place) and, in the old version only, 3."""
    old, new, sections = _papers()
    old_version = _version(old, "Erster Entwurf", sections, {2, 3, 5})
    new_version = _version(new, "Zweiter Entwurf", sections, {2, 5})
    # The box as the paper prints it: one entry per core demand, in paragraph order.
    old = replace(old, core_demands=[p.text for p in old_version.paragraphs if p.is_core_demand])
    new = replace(new, core_demands=[p.text for p in new_version.paragraphs if p.is_core_demand])
    return old, new, compare_versions(old_version, new_version)


def typical() -> tuple[PaperDocument, PaperDocument, Synopsis]:
    """The changes a revision usually has (those of the demo paper): words of a Kernforderung
    changed, a paragraph deleted at the end of its section (before a heading), a heading
    renamed, a paragraph moved to the end of its section, a paragraph added at the end of
    the paper's last section."""
    base = replace(NEW_PAPER, core_demands=())
    old = replace(
        base,
        sections=(
            Section(
                "Ausgangslage",
                (
                    Paragraph(1, "Die Zulieferindustrie beschäftigt 200.000 Menschen.", ("A.",)),
                    Paragraph(2, "Viele Unternehmen investieren schon in neue Produkte."),
                    Paragraph(3, "Dieser Absatz ist überholt."),
                ),
            ),
            Section(
                "Energie",
                (
                    Paragraph(5, "Die Strompreise sind zu hoch."),
                    Paragraph(11, "Ein Industriestrompreis verzerrt den Wettbewerb."),
                    Paragraph(6, "Netzentgelte sollten sinken."),
                ),
            ),
            Section("Steuern", (Paragraph(7, "Sonderabschreibungen helfen."),)),
        ),
    )
    new = replace(
        base,
        sections=(
            Section(
                "Ausgangslage",
                (
                    Paragraph(1, "Die Zulieferindustrie beschäftigt 200.000 Menschen.", ("A.",)),
                    Paragraph(2, "Viele Unternehmen investieren bereits in neue Produkte."),
                ),
            ),
            Section(
                "Energie",
                (
                    Paragraph(5, "Die Strompreise sind zu hoch."),
                    Paragraph(6, "Netzentgelte sollten sinken."),
                    Paragraph(11, "Ein Industriestrompreis verzerrt den Wettbewerb."),
                ),
            ),
            Section(
                "Steuerliche Anreize",
                (
                    Paragraph(7, "Sonderabschreibungen helfen."),
                    Paragraph(12, 'Der Abzug nach § 7g steigt um 50 % - auch für "grüne" Anlagen.'),
                ),
            ),
        ),
    )
    sections = {1: 1, 2: 1, 3: 1, 5: 2, 11: 2, 6: 2, 7: TAX, 12: TAX}
    old_version = _version(old, "Erster Entwurf", sections, {2, 5})
    new_version = _version(new, "Zweiter Entwurf", sections, {2, 5})
    old = replace(old, core_demands=[p.text for p in old_version.paragraphs if p.is_core_demand])
    new = replace(new, core_demands=[p.text for p in new_version.paragraphs if p.is_core_demand])
    return old, new, compare_versions(old_version, new_version)


@pytest.fixture(scope="module")
def synopsis() -> Synopsis:
    return compare_versions(*old_and_new())


@pytest.fixture(scope="module")
def table_bytes(synopsis: Synopsis) -> bytes:
    return synopse.build_synopse_table(
        synopsis,
        letterhead=NEW_PAPER.association,
        title=NEW_PAPER.title,
        comments={102: "Präzisiert nach der Rückmeldung der Mitglieder.", 150: "Überholt."},
        now=NOW,
    )


@pytest.fixture(scope="module")
def tracked_bytes(synopsis: Synopsis) -> bytes:
    return synopse.build_synopse_tracked(
        NEW_PAPER, synopsis, author="Geschäftsstelle AZV", changed_at=CHANGED_AT, now=NOW
    )


@pytest.fixture(scope="module")
def rich_tracked() -> tuple[bytes, bytes, bytes]:
    """The tracked Synopse of `rich()`, the new paper and the old paper as built."""
    old, new, found = rich()
    tracked = synopse.build_synopse_tracked(
        new,
        found,
        old_paper=old,
        author="Geschäftsstelle AZV",
        authors={2: "Ralf Reiners"},
        changed_at=CHANGED_AT,
        now=NOW,
    )
    return tracked, build_paper(new, now=NOW), build_paper(old, now=NOW)


@pytest.fixture(scope="module")
def table_pdf_text(table_bytes: bytes, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return _pdf_pages(table_bytes, tmp_path_factory)


@pytest.fixture(scope="module")
def tracked_pdf_text(
    rich_tracked: tuple[bytes, bytes, bytes], tmp_path_factory: pytest.TempPathFactory
) -> list[str]:
    return _pdf_pages(rich_tracked[0], tmp_path_factory)


def _pdf_pages(data: bytes, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    require_tool("soffice")
    require_tool("pdftotext")
    path = tmp_path_factory.mktemp("pdf") / "export.pdf"
    path.write_bytes(pdf.to_pdf(data))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1]


def texts(element: Any, tag: str = "t") -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}{tag}"))


def _valid(data: bytes, tmp_path: Path) -> None:
    """Valid for the project's schema check, as strictly as Word reads a file."""
    assert schema_problems(data, tmp_path) == []


# --- the table ------------------------------------------------------------------------------


def _table(form: synopse.SynopseForm, *, current: Version | None = None) -> bytes:
    _old, new, found = rich()
    return synopse.build_synopse_table(
        found,
        letterhead=new.association,
        title=new.title,
        form=form,
        comments={2: ["Muster GmbH: Bitte „bereits“.", "Antwort der Geschäftsstelle: Ja."]},
        current=current,
        now=NOW,
    )


@pytest.mark.parametrize("form", list(synopse.FORMS))
def test_every_form_is_valid_as_word_reads_it(form: synopse.SynopseForm, tmp_path: Path) -> None:
    _valid(_table(form), tmp_path)


@pytest.mark.parametrize(
    ("form", "headings"),
    [
        ("comparison", ["Bisherige Fassung", "Neue Fassung", "Begründung / Kommentar"]),
        ("official", ["Entwurf", "Änderungsvorschlag"]),
        ("associations", ["Geltende Fassung", "Entwurf", "Änderungsvorschlag", "Begründung"]),
    ],
)
def test_each_form_has_its_columns_under_a_header_row_that_repeats(
    form: synopse.SynopseForm, headings: list[str]
) -> None:
    document = docx.Document(io.BytesIO(_table(form)))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert (section.page_width or 0) > (section.page_height or 0)
    (table,) = document.tables
    header = table.rows[0]
    assert [c.text.split("\n")[0] for c in header.cells] == headings
    assert sum(r._tr.find(f"{W}trPr/{W}tblHeader") is not None for r in table.rows) == 1
    widths = [int(c.get(f"{W}w")) for c in table._tbl.iter(f"{W}gridCol")]
    assert sum(widths) == synopse.LANDSCAPE_TEXT_WIDTH


def test_table_header_names_both_versions(table_bytes: bytes) -> None:
    (table,) = docx.Document(io.BytesIO(table_bytes)).tables
    assert [c.text for c in table.rows[0].cells] == [
        "Bisherige Fassung\nVersion 2",
        "Neue Fassung\nVersion 3",
        "Begründung / Kommentar",
    ]
    assert table._tbl.find(f"{W}tblPr/{W}tblCaption").get(f"{W}val") == "Synopse"


def _rows(document: docx.document.Document) -> dict[str, list[Any]]:
    """Table rows (three cells) by the first words of their new (or old) text."""
    rows: dict[str, list[Any]] = {}
    for tr in document.tables[0]._tbl.tr_lst[1:]:
        cells = tr.findall(f"{W}tc")
        if len(cells) == 3 and tr.find(f"{W}tc/{W}tcPr/{W}shd") is None:
            key = texts(cells[1]) if texts(cells[1]) != "(gestrichen)" else texts(cells[0])
            rows[key[:20]] = cells
    return rows


def _styled(cell: Any, style: str) -> list[str]:
    return [
        texts(r)
        for r in cell.iter(f"{W}r")
        if r.find(f"{W}rPr/{W}rStyle") is not None
        and r.find(f"{W}rPr/{W}rStyle").get(f"{W}val") == style
    ]


def test_changed_words_are_struck_in_the_old_and_underlined_in_the_new_column(
    table_bytes: bytes,
) -> None:
    document = docx.Document(io.BytesIO(table_bytes))
    old, new, _note = _rows(document)["Viele Unternehmen in"]
    assert texts(old) == OLD_102
    assert texts(new) == NEW_TEXT[102]
    assert _styled(old, synopse.DELETED_STYLE) == ["schon", "den Energiekosten"]
    assert _styled(new, synopse.INSERTED_STYLE) == ["bereits", "Energiepreisen, Fachkräften"]
    assert _styled(old, synopse.INSERTED_STYLE) == _styled(new, synopse.DELETED_STYLE) == []
    styles = document.styles.element
    struck = styles.find(f"{W}style[@{W}styleId='{synopse.DELETED_STYLE}']/{W}rPr")
    assert struck.find(f"{W}strike") is not None
    assert struck.find(f"{W}color").get(f"{W}val") == synopse.DELETED_COLOUR
    underlined = styles.find(f"{W}style[@{W}styleId='{synopse.INSERTED_STYLE}']/{W}rPr")
    assert underlined.find(f"{W}u").get(f"{W}val") == "single"
    assert underlined.find(f"{W}color").get(f"{W}val") == synopse.INSERTED_COLOUR


def test_the_reasons_column_holds_what_was_said_and_no_status_words(table_bytes: bytes) -> None:
    rows = _rows(docx.Document(io.BytesIO(table_bytes)))
    reason = "Präzisiert nach der Rückmeldung der Mitglieder."
    assert texts(rows["Viele Unternehmen in"][2]) == reason
    assert texts(rows["Ein Absatz, den der "][2]) == "Überholt."
    status_words = ("Geändert", "Unverändert", "Neu", "Gestrichen", "Verschoben")
    for cells in rows.values():
        assert not texts(cells[2]).startswith(status_words), texts(cells[2])


def test_added_deleted_and_moved_rows_say_so_in_their_text_columns(table_bytes: bytes) -> None:
    rows = _rows(docx.Document(io.BytesIO(table_bytes)))
    old, new, _ = rows["Ein Absatz, den der "]
    assert _styled(old, synopse.DELETED_STYLE) == [DELETED_150]
    assert texts(new) == "(gestrichen)"
    old, new, _ = rows["Ein verlässlicher In"]
    assert texts(old) == "(neu eingefügt)"
    assert _styled(new, synopse.INSERTED_STYLE) == [NEW_TEXT[202]]
    assert texts(rows["Regionale Transforma"][1]).endswith("(verschoben aus „Ausgangslage“)")
    assert texts(rows["Die Beschäftigten vo"][1]).endswith("(verschoben innerhalb des Abschnitts)")
    assert texts(rows["Ein befristeter Indu"][1]).endswith("(Mindermeinung)")


def test_sections_head_their_rows(table_bytes: bytes) -> None:
    table = docx.Document(io.BytesIO(table_bytes)).tables[0]
    spans = [
        texts(tr) for tr in table._tbl.tr_lst if tr.find(f"{W}tc/{W}tcPr/{W}gridSpan") is not None
    ]
    assert spans == [
        "Ausgangslage",
        "Energie und Standort",
        "Netzentgelte",
        "Fachkräfte und Qualifizierung",
    ]


def _heading_rows(data: bytes) -> list[list[str]]:
    """The shaded rows (headings), each as the texts of its cells."""
    table = docx.Document(io.BytesIO(data)).tables[0]
    return [
        [texts(tc) for tc in tr.findall(f"{W}tc")]
        for tr in table._tbl.tr_lst[1:]
        if tr.find(f"{W}tc/{W}tcPr/{W}shd") is not None
    ]


def test_headings_and_the_box_are_compared_without_inventing_headings() -> None:
    data = _table("comparison")
    assert _heading_rows(data) == [
        ["Kernforderungen"],
        ["Ausgangslage"],
        ["Energie", "Energie und Standort", ""],
        ["Netze"],
        ["Alter Abschnitt", "(gestrichen)", ""],
        ["Steuern", "Steuerliche Anreize", ""],
        ["", "Neuer Abschnitt", ""],
    ]
    (table,) = docx.Document(io.BytesIO(data)).tables
    box = [[texts(tc) for tc in tr.findall(f"{W}tc")] for tr in table._tbl.tr_lst[2:5]]
    assert box == [
        [
            "Viele Unternehmen investieren schon in neue Produkte.",
            "Viele Unternehmen investieren bereits in neue Produkte.",
            "",
        ],
        ["Dieser Absatz ist überholt.", "(gestrichen)", ""],
        ["Die Strompreise sind zu hoch.", "Die Strompreise sind zu hoch.", ""],
    ]


def test_a_deleted_paragraph_stands_under_its_renamed_heading() -> None:
    """Paragraph 3 was deleted from "Ausgangslage"; paragraph 9 went with "Alter Abschnitt":
    no heading shows up twice or under its old title only."""
    rows = _heading_rows(_table("official"))
    titles = [row[0] or row[1] for row in rows]
    assert len(titles) == len(set(titles))
    assert ["Steuern", "Steuerliche Anreize"] in rows


def test_the_official_form_says_unveraendert_and_entfaellt() -> None:
    table = docx.Document(io.BytesIO(_table("official"))).tables[0]
    rows = {texts(tr.findall(f"{W}tc")[0])[:18]: tr.findall(f"{W}tc") for tr in table._tbl.tr_lst}
    assert texts(rows["Die Strompreise si"][1]) == synopse.UNCHANGED
    assert texts(rows["Dieser Absatz ist "][1]) == synopse.DROPPED
    assert texts(rows["Alter Abschnitt"][1]) == synopse.DROPPED
    proposal = "Viele Unternehmen investieren bereits in neue Produkte."
    assert texts(rows["Viele Unternehmen "][1]) == proposal
    cells = [tr.findall(f"{W}tc") for tr in table._tbl.tr_lst]
    assert any(not texts(row[0]) and texts(row[1]) == "Ganz neu." for row in cells)


def test_the_associations_form_shows_the_version_in_force_and_the_reasons() -> None:
    _old, _, found = rich()
    in_force = replace(found.old, label="Beschlossene Fassung vom 1. Oktober 2026")
    in_force = replace(
        in_force,
        paragraphs=[
            replace(p, text="Viele investieren.") if p.id == 2 else p for p in in_force.paragraphs
        ],
    )
    document = docx.Document(io.BytesIO(_table("associations", current=in_force)))
    table = document.tables[0]
    in_force_heading = "Geltende Fassung\nBeschlossene Fassung vom 1. Oktober 2026"
    assert table.rows[0].cells[0].text == in_force_heading
    rows = [tr.findall(f"{W}tc") for tr in table._tbl.tr_lst[1:]]
    box, body = [r for r in rows if len(r) == 4 and texts(r[1]).startswith("Viele Unternehmen")]
    assert texts(box[3]) == ""  # the reasons stand with the paragraph, not the box entry
    current, draft, proposal, reasons = body
    assert texts(current) == "Viele investieren."
    assert _styled(draft, synopse.DELETED_STYLE) == ["schon"]
    assert _styled(proposal, synopse.INSERTED_STYLE) == ["bereits"]
    assert texts(reasons) == "Muster GmbH: Bitte „bereits“.Antwort der Geschäftsstelle: Ja."
    paragraphs = [p.text for p in document.paragraphs]
    assert "Geltende Fassung\tBeschlossene Fassung vom 1. Oktober 2026" in paragraphs


def test_the_table_prints_member_text_in_german_typography() -> None:
    """As the paper does: what members typed stays stored as typed."""
    _old, new, found = typical()
    data = synopse.build_synopse_table(
        found, letterhead=new.association, title=new.title, form="official"
    )
    text = " ".join(texts(tr) for tr in docx.Document(io.BytesIO(data)).tables[0]._tbl.tr_lst)
    assert "um 50\u00a0% – auch für „grüne“ Anlagen." in text and "§\u00a07g" in text
    assert '"grüne"' in next(row.new.text for row in found.rows if row.kind == "added" and row.new)


def test_title_block_names_both_versions_and_counts_the_changes(table_bytes: bytes) -> None:
    paragraphs = [p.text for p in docx.Document(io.BytesIO(table_bytes)).paragraphs]
    assert "Bisherige Fassung\tVersion 2 vom 1. Oktober 2026" in paragraphs
    assert "Neue Fassung\tVersion 3 vom 25. November 2026" in paragraphs
    assert "Änderungen\t1 geändert, 2 verschoben, 1 neu, 1 gestrichen, 7 unverändert" in paragraphs


def test_unchanged_paragraphs_can_shrink_to_one_line(synopsis: Synopsis, tmp_path: Path) -> None:
    data = synopse.build_synopse_table(
        synopsis,
        letterhead=NEW_PAPER.association,
        title=NEW_PAPER.title,
        include_unchanged=False,
    )
    assert schema_problems(data, tmp_path) == []
    rows = [texts(tr) for tr in docx.Document(io.BytesIO(data)).tables[0]._tbl.tr_lst]
    assert "… 2 unveränderte Absätze …" in rows  # 211 and 212 under Netzentgelte
    assert "… 1 unveränderter Absatz …" in rows


def test_reasons_are_the_members_words_and_the_offices_replies() -> None:
    reviews = {
        7: [
            MemberReview("Muster GmbH", Stance.CONCERN, "Bitte kürzer.", staff_reply="Gekürzt."),
            MemberReview("Geheim AG", Stance.DISSENT, "Lehnen wir ab.", may_name=False),
            MemberReview("Still GmbH", Stance.SUPPORT),  # plain assent says nothing
        ],
        8: [MemberReview("Still GmbH", Stance.SUPPORT)],
    }
    found = synopse.reasons_from(reviews, {7: ["Ralf Reiners: Mit dem Vorstand abgestimmt."]})
    assert found == {
        7: [
            "Muster GmbH: Bitte kürzer.",
            "Antwort der Geschäftsstelle: Gekürzt.",
            "Mitglied (anonym): Lehnen wir ab.",
            "Ralf Reiners: Mit dem Vorstand abgestimmt.",
        ]
    }


def test_the_table_export_formats_name_their_forms() -> None:
    assert synopse.TABLE_FORMATS == {
        "synopse-table": "comparison",
        "synopse-two-column": "official",
        "synopse-four-column": "associations",
    }


def test_hostile_text_gives_a_valid_table(tmp_path: Path) -> None:
    old = Version(HOSTILE, date(2026, 1, 1), [VersionParagraph(1, HOSTILE, HOSTILE)])
    new = Version(
        HOSTILE,
        date(2026, 2, 1),
        [VersionParagraph(1, HOSTILE, HOSTILE + " neu"), VersionParagraph(2, "", "")],
    )
    for form in synopse.FORMS:
        data = synopse.build_synopse_table(
            compare_versions(old, new),
            letterhead=replace(NEW_PAPER.association, name=HOSTILE),
            title=HOSTILE,
            form=form,
            comments={1: HOSTILE},
            current=old,
        )
        assert schema_problems(data, tmp_path) == []


def test_pdf_shows_the_table_with_its_header_on_every_page(table_pdf_text: list[str]) -> None:
    assert len(table_pdf_text) >= 2
    for page in table_pdf_text:
        assert "Bisherige Fassung" in page and "Begründung / Kommentar" in page
    text = "\n".join(table_pdf_text)
    for expected in (
        "investieren schon in",
        "investieren bereits in",
        "Präzisiert nach",
        "(gestrichen)",
        "(neu eingefügt)",
        "„Ausgangslage“",
        "Seite 2 von",
    ):
        assert expected in text, expected


# --- tracked changes ------------------------------------------------------------------------


def test_tracked_paper_is_valid_as_word_reads_it(
    tracked_bytes: bytes, rich_tracked: tuple[bytes, bytes, bytes], tmp_path: Path
) -> None:
    _valid(tracked_bytes, tmp_path)
    _valid(rich_tracked[0], tmp_path)


def test_accepting_all_gives_the_new_paper_and_rejecting_all_the_old_one(
    rich_tracked: tuple[bytes, bytes, bytes],
) -> None:
    tracked, new, old = rich_tracked
    assert lines(tracked, "accept") == lines(new)
    assert lines(tracked, "reject") == lines(old)
    counts = synopse_tools.tracked_change_count(tracked)
    assert counts["ins"] and counts["del"] and counts["moveFrom"] and counts["moveTo"]
    assert counts["pPrChange"] == 1  # paragraph 6 became a minority opinion where it stands


def test_without_the_old_paper_the_versions_give_it(
    tracked_bytes: bytes, synopsis: Synopsis
) -> None:
    old = synopse.old_paper_from(NEW_PAPER, synopsis)
    assert lines(tracked_bytes, "accept") == lines(build_paper(NEW_PAPER, now=NOW))
    assert lines(tracked_bytes, "reject") == lines(build_paper(old, now=NOW))


def test_hostile_text_survives_both_ways(tmp_path: Path) -> None:
    from tests.test_word_export import hostile_paper

    paper = hostile_paper()
    new = paper_version(paper, "neu", date(2026, 2, 1))
    old = replace(new, paragraphs=[replace(p, text=p.text[:30]) for p in new.paragraphs][::-1])
    found = compare_versions(old, new)
    tracked = synopse.build_synopse_tracked(paper, found, now=NOW)
    assert schema_problems(tracked, tmp_path) == []
    assert lines(tracked, "accept") == lines(build_paper(paper, now=NOW))
    before = synopse.old_paper_from(paper, found)
    assert lines(tracked, "reject") == lines(build_paper(before, now=NOW))


REVISIONS = ("ins", "del", "moveFrom", "moveTo", "pPrChange")


def test_every_change_has_its_author_the_date_and_an_id_of_its_own(
    rich_tracked: tuple[bytes, bytes, bytes],
) -> None:
    body = docx.Document(io.BytesIO(rich_tracked[0])).element.body
    tags = (*REVISIONS, "moveFromRangeStart", "moveToRangeStart")
    changes = [e for tag in tags for e in body.iter(f"{W}{tag}")]
    assert len(changes) >= 20
    for change in changes:
        assert change.get(f"{W}author") in {"Geschäftsstelle AZV", "Ralf Reiners"}
        assert change.get(f"{W}date") == "2026-11-20T14:05:00Z"
    # Paragraph 2's words were changed by Ralf Reiners alone (its mark stands for the
    # deletion of paragraph 3, see the next test but two).
    p2 = _paragraph(body, 2)
    words = [*p2.findall(f"{W}ins"), *p2.findall(f"{W}del")]
    assert words and {c.get(f"{W}author") for c in words} == {"Ralf Reiners"}
    revision_ids = [int(e.get(f"{W}id")) for e in changes]
    assert len(set(revision_ids)) == len(revision_ids)
    # Above the ids of bookmarks and footnotes, which LibreOffice mixes up with others.
    others = [
        int(e.get(f"{W}id"))
        for tag in ("bookmarkStart", "footnoteReference")
        for e in body.iter(f"{W}{tag}")
    ]
    assert min(revision_ids) > max(others)


def test_authors_are_the_person_who_changed_or_the_association() -> None:
    found = synopse.authors_of(
        [(1, "Ralf Reiners"), (1, "Ralf Reiners"), (2, "Sophie Schulte"), (None, "Ralf Reiners")],
        association="AZV e. V.",
    )
    assert found.overall == "AZV e. V."
    assert found.by_paragraph == {1: "Ralf Reiners", 2: "Sophie Schulte"}
    alone = synopse.authors_of([(1, "Ralf Reiners"), (None, "Ralf Reiners")], association="AZV")
    assert alone.overall == "Ralf Reiners"
    assert synopse.authors_of([], association="AZV").overall == "AZV"


def _paragraph(body: Any, paragraph_id: int) -> Any:
    (start,) = [
        s for s in body.iter(f"{W}bookmarkStart") if s.get(f"{W}name") == f"_pos_p_{paragraph_id}"
    ]
    return start.getparent()


def test_changed_words_are_deletions_and_insertions_in_their_paragraph(
    tracked_bytes: bytes,
) -> None:
    body = docx.Document(io.BytesIO(tracked_bytes)).element.body
    p = _paragraph(body, 102)
    assert [texts(d, "delText") for d in p.iter(f"{W}del")] == ["schon", "den Energiekosten"]
    assert [texts(i) for i in p.iter(f"{W}ins")] == ["bereits", "Energiepreisen, Fachkräften"]
    for d in p.iter(f"{W}del"):
        assert d.find(f".//{W}t") is None  # deleted text is w:delText only


def _style(p: Any) -> str:
    return p.style.name if p.style is not None else ""


def test_a_renamed_heading_and_a_changed_box_entry_are_tracked_text_changes(
    rich_tracked: tuple[bytes, bytes, bytes],
) -> None:
    document = docx.Document(io.BytesIO(rich_tracked[0]))
    headings = [p for p in document.paragraphs if _style(p).startswith("Heading")]
    renamed = next(p for p in headings if "Steuer" in texts(p._p) + texts(p._p, "delText"))
    assert texts(renamed._p, "delText") == "Steuern"
    assert texts(renamed._p) == "Steuerliche Anreize"
    box = [p._p for p in document.paragraphs if _style(p) == "Kernforderung"]
    (changed,) = [p for p in box if texts(p, "delText") == "schon"]
    assert texts(changed) == "Viele Unternehmen investieren bereits in neue Produkte."
    (gone,) = [p for p in box if p.find(f"{W}pPr/{W}rPr/{W}del") is not None]
    assert texts(gone, "delText") == "Dieser Absatz ist überholt."


def test_moves_are_word_moves_with_matching_ranges(
    rich_tracked: tuple[bytes, bytes, bytes],
) -> None:
    body = docx.Document(io.BytesIO(rich_tracked[0])).element.body
    starts = {
        kind: {s.get(f"{W}name"): s for s in body.iter(f"{W}{kind}RangeStart")}
        for kind in ("moveFrom", "moveTo")
    }
    assert starts["moveFrom"] and set(starts["moveFrom"]) == set(starts["moveTo"])
    for kind in ("moveFrom", "moveTo"):
        ends = {e.get(f"{W}id") for e in body.iter(f"{W}{kind}RangeEnd")}
        assert {s.get(f"{W}id") for s in starts[kind].values()} == ends
    # Paragraph 4 moved to another section and was reworded: its new words are inserted at
    # the new place, its old text leaves the old place whole.
    moved_to = _paragraph(body, 4)
    assert moved_to.find(f"{W}pPr/{W}rPr/{W}moveTo") is not None
    assert [texts(i) for i in moved_to.findall(f"{W}ins")] == ["sehr "]
    (moved_from,) = [
        p
        for p in body.iter(f"{W}p")
        if texts(p) == "Regionale Netzwerke haben sich bewährt."
        and p.find(f"{W}pPr/{W}rPr/{W}moveFrom") is not None
    ]
    assert moved_from.find(f"{W}bookmarkStart") is None  # the bookmark is at the new place


def test_a_heading_after_a_deleted_paragraph_stays_a_heading() -> None:
    """The deleted paragraph's mark goes to the paragraph before it (same style), so that no
    paragraph mark before the heading is deleted: LibreOffice would give the heading the
    deleted paragraph's style when it saves the file."""
    old, new, found = rich()
    body = docx.Document(
        io.BytesIO(synopse.build_synopse_tracked(new, found, old_paper=old, now=NOW))
    ).element.body
    paragraphs = body.findall(f"{W}p")
    (gone,) = [
        p
        for p in paragraphs
        if texts(p, "delText") == "Dieser Absatz ist überholt."
        and p.find(f"{W}pPr/{W}pStyle") is None  # not the box entry
    ]
    after = paragraphs[paragraphs.index(gone) + 1]
    assert after.find(f"{W}pPr/{W}pStyle").get(f"{W}val") == "Heading1"
    assert gone.find(f"{W}pPr/{W}rPr/{W}del") is None
    assert _paragraph(body, 2).find(f"{W}pPr/{W}rPr/{W}del") is not None


def test_tracked_paper_keeps_tracking_on_and_says_what_it_shows(tracked_bytes: bytes) -> None:
    document = docx.Document(io.BytesIO(tracked_bytes))
    assert document.settings.element.find(f"{W}trackRevisions") is not None
    header = document.sections[0].first_page_header.paragraphs[0].text
    assert header == (
        "Änderungen gegenüber Version 2 vom 1. Oktober 2026 als Überarbeitungen markiert"
    )
    with zipfile.ZipFile(io.BytesIO(tracked_bytes)) as archive:
        parse_xml(archive.read("word/settings.xml"))


def test_a_synopsis_that_does_not_fit_the_paper_is_refused(synopsis: Synopsis) -> None:
    smaller = replace(NEW_PAPER, sections=NEW_PAPER.sections[:1])
    with pytest.raises(InvalidExportInput, match="fehlt im Papier"):
        synopse.build_synopse_tracked(smaller, synopsis)


@pytest.fixture(scope="module")
def libreoffice_views() -> dict[str, bytes]:
    """What LibreOffice makes of the tracked Synopse of `typical()`: the papers as built,
    and the Synopse accepted, rejected, and saved (only opened and saved again) then
    accepted or rejected."""
    require_tool("soffice")
    old, new, found = typical()
    tracked = synopse.build_synopse_tracked(new, found, old_paper=old, now=NOW)
    saved = synopse_tools.libreoffice(tracked, "save")
    return {
        "new": build_paper(new, now=NOW),
        "old": build_paper(old, now=NOW),
        "tracked": tracked,
        "accept": synopse_tools.libreoffice(tracked, "accept"),
        "reject": synopse_tools.libreoffice(tracked, "reject"),
        "saved-accept": synopse_tools.libreoffice(saved, "accept"),
        "saved-reject": synopse_tools.libreoffice(saved, "reject"),
    }


@pytest.mark.parametrize("view", ["accept", "reject", "saved-accept", "saved-reject"])
def test_libreoffice_accepts_and_rejects_all_to_the_same_papers(
    view: str, libreoffice_views: dict[str, bytes]
) -> None:
    """Text, paragraph styles and headings as in the papers, also after LibreOffice saved the
    file (it leaves out empty paragraphs and fills in the contents, left out here)."""
    accepting = view.endswith("accept")
    expected = libreoffice_views["new" if accepting else "old"]
    ours = lines(libreoffice_views["tracked"], "accept" if accepting else "reject")
    assert ours == lines(expected)
    assert paragraph_contents(lines(libreoffice_views[view])) == paragraph_contents(lines(expected))


def test_pdf_shows_inserted_deleted_and_moved_text(tracked_pdf_text: list[str]) -> None:
    text = " ".join(" ".join(tracked_pdf_text).split())
    for expected in (
        "investieren schonbereits in",
        "Dieser Absatz ist überholt.",
        "Änderungen gegenüber Erster Entwurf",
    ):
        assert expected in text, expected
    # Before a paragraph moved here, the renamed heading ends with its deletion (LibreOffice
    # would otherwise take the heading's break into the insertion that follows).
    assert "Steuerliche AnreizeSteuern" in text
    moved = ("Qualifizierung muss im Betrieb stattfinden.", "Weiterbildung braucht Förderung.")
    assert sum(text.count(words) for words in moved) == 3  # one of them moved past the other
