"""The Synopse exports: the landscape table (repeated header row, struck and underlined words,
labelled rows) and the paper with real tracked changes; both valid as Word reads them and
rendered by LibreOffice."""

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

from exports import pdf, synopse
from exports.document import PaperDocument, Paragraph, Section
from exports.errors import InvalidExportInput
from positions.papers.diffing import Synopsis, Version, VersionParagraph, compare_versions
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
def table_pdf_text(table_bytes: bytes, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return _pdf_pages(table_bytes, tmp_path_factory)


@pytest.fixture(scope="module")
def tracked_pdf_text(tracked_bytes: bytes, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return _pdf_pages(tracked_bytes, tmp_path_factory)


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


# --- the table ------------------------------------------------------------------------------


def test_table_is_valid_as_word_reads_it(table_bytes: bytes, tmp_path: Path) -> None:
    assert schema_problems(table_bytes, tmp_path) == []


def test_table_page_is_landscape_with_a_header_row_that_repeats(table_bytes: bytes) -> None:
    document = docx.Document(io.BytesIO(table_bytes))
    section = document.sections[0]
    assert (section.page_width or 0) > (section.page_height or 0)
    assert section.orientation == WD_ORIENT.LANDSCAPE
    (table,) = document.tables
    header = table.rows[0]
    assert header._tr.find(f"{W}trPr/{W}tblHeader") is not None
    assert [c.text for c in header.cells] == [
        "Bisherige Fassung\nVersion 2",
        "Neue Fassung\nVersion 3",
        "Begründung / Kommentar",
    ]
    assert sum(r._tr.find(f"{W}trPr/{W}tblHeader") is not None for r in table.rows) == 1
    caption = table._tbl.find(f"{W}tblPr/{W}tblCaption")
    assert caption.get(f"{W}val") == "Synopse"


def _rows(document: docx.document.Document) -> dict[str, list[Any]]:
    """Table rows by the first words of their new (or old) text."""
    rows: dict[str, list[Any]] = {}
    for tr in document.tables[0]._tbl.tr_lst[1:]:
        cells = tr.findall(f"{W}tc")
        if len(cells) == 3:
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
    old, new, note = _rows(document)["Viele Unternehmen in"]
    assert texts(old) == OLD_102
    assert texts(new) == NEW_TEXT[102]
    assert _styled(old, synopse.DELETED_STYLE) == ["schon", "den Energiekosten"]
    assert _styled(new, synopse.INSERTED_STYLE) == ["bereits", "Energiepreisen, Fachkräften"]
    assert _styled(old, synopse.INSERTED_STYLE) == _styled(new, synopse.DELETED_STYLE) == []
    assert texts(note) == "GeändertPräzisiert nach der Rückmeldung der Mitglieder."
    styles = document.styles.element
    struck = styles.find(f"{W}style[@{W}styleId='{synopse.DELETED_STYLE}']/{W}rPr")
    assert struck.find(f"{W}strike") is not None
    assert struck.find(f"{W}color").get(f"{W}val") == synopse.DELETED_COLOUR
    underlined = styles.find(f"{W}style[@{W}styleId='{synopse.INSERTED_STYLE}']/{W}rPr")
    assert underlined.find(f"{W}u").get(f"{W}val") == "single"
    assert underlined.find(f"{W}color").get(f"{W}val") == synopse.INSERTED_COLOUR


def test_added_deleted_and_moved_rows_say_so_in_words(table_bytes: bytes) -> None:
    rows = _rows(docx.Document(io.BytesIO(table_bytes)))
    old, new, note = rows["Ein Absatz, den der "]
    assert _styled(old, synopse.DELETED_STYLE) == [DELETED_150]
    assert texts(new) == "(gestrichen)"
    assert texts(note) == "GestrichenÜberholt."
    old, new, note = rows["Ein verlässlicher In"]
    assert texts(old) == "(neu eingefügt)"
    assert _styled(new, synopse.INSERTED_STYLE) == [texts(new)]
    assert texts(note) == "Neu"
    assert texts(rows["Regionale Transforma"][2]) == "Verschoben aus „Ausgangslage“"
    assert texts(rows["Die Beschäftigten vo"][2]) == "Verschoben innerhalb des Abschnitts"
    assert texts(rows["Ein befristeter Indu"][2]) == "UnverändertMindermeinung"


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
    assert not any(r.endswith("Unverändert") for r in rows)


def test_hostile_text_gives_a_valid_table(tmp_path: Path) -> None:
    old = Version(HOSTILE, date(2026, 1, 1), [VersionParagraph(1, HOSTILE, HOSTILE)])
    new = Version(
        HOSTILE,
        date(2026, 2, 1),
        [VersionParagraph(1, HOSTILE, HOSTILE + " neu"), VersionParagraph(2, "", "")],
    )
    data = synopse.build_synopse_table(
        compare_versions(old, new),
        letterhead=replace(NEW_PAPER.association, name=HOSTILE),
        title=HOSTILE,
        comments={1: HOSTILE},
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


def test_tracked_paper_is_valid_as_word_reads_it(tracked_bytes: bytes, tmp_path: Path) -> None:
    assert schema_problems(tracked_bytes, tmp_path) == []


REVISIONS = ("ins", "del", "moveFrom", "moveTo")


def test_every_change_has_author_date_and_an_id_of_its_own(tracked_bytes: bytes) -> None:
    body = docx.Document(io.BytesIO(tracked_bytes)).element.body
    tags = (*REVISIONS, "moveFromRangeStart", "moveToRangeStart")
    changes = [e for tag in tags for e in body.iter(f"{W}{tag}")]
    assert len(changes) >= 10
    for change in changes:
        assert change.get(f"{W}author") == "Geschäftsstelle AZV"
        assert change.get(f"{W}date") == "2026-11-20T14:05:00Z"
    revision_ids = [int(e.get(f"{W}id")) for e in changes]
    assert len(set(revision_ids)) == len(revision_ids)
    # Above the ids of bookmarks and footnotes, which LibreOffice mixes up with others.
    others = [
        int(e.get(f"{W}id"))
        for tag in ("bookmarkStart", "footnoteReference")
        for e in body.iter(f"{W}{tag}")
    ]
    assert min(revision_ids) > max(others)


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
    deleted = [texts(d, "delText") for d in p.iter(f"{W}del")]
    inserted = [texts(i) for i in p.iter(f"{W}ins")]
    assert deleted == ["schon", "den Energiekosten"]
    assert inserted == ["bereits", "Energiepreisen, Fachkräften"]
    for d in p.iter(f"{W}del"):
        assert d.find(f".//{W}t") is None  # deleted text is w:delText only
    accepted = "".join(t.text for t in p.iter(f"{W}t"))
    assert accepted == NEW_TEXT[102]
    rejected = "".join(
        t.text for t in p.iter(f"{W}t", f"{W}delText") if t.getparent().getparent().tag != f"{W}ins"
    )
    assert rejected == OLD_102


def test_added_and_deleted_paragraphs_are_whole_tracked_paragraphs(tracked_bytes: bytes) -> None:
    body = docx.Document(io.BytesIO(tracked_bytes)).element.body
    added = _paragraph(body, 202)
    assert added.find(f"{W}pPr/{W}rPr/{W}ins") is not None
    assert [r.getparent().tag for r in added.findall(f".//{W}r")] == [f"{W}ins"]
    (gone,) = [p for p in body.iter(f"{W}p") if texts(p, "delText") == DELETED_150]
    assert gone.find(f"{W}pPr/{W}rPr/{W}del") is not None
    assert texts(gone) == ""
    previous = gone.getprevious()
    assert previous.find(f"{W}bookmarkStart").get(f"{W}name") == "_pos_p_102"


def test_a_paragraph_moved_unchanged_is_a_word_move(tracked_bytes: bytes) -> None:
    body = docx.Document(io.BytesIO(tracked_bytes)).element.body
    moved_to = _paragraph(body, 303)
    (start,) = moved_to.iter(f"{W}moveToRangeStart")
    (source,) = [
        p for p in body.iter(f"{W}moveFromRangeStart") if p.get(f"{W}name") == start.get(f"{W}name")
    ]
    moved_from = source.getparent()
    assert texts(moved_from) == texts(moved_to) == NEW_TEXT[303]
    assert moved_from.find(f"{W}pPr/{W}rPr/{W}moveFrom") is not None
    assert moved_to.find(f"{W}pPr/{W}rPr/{W}moveTo") is not None
    # The old place: after 101, in the first section.
    assert moved_from.getprevious().find(f"{W}bookmarkStart").get(f"{W}name") == "_pos_p_101"
    for tag in ("moveFromRangeEnd", "moveToRangeEnd"):
        assert len(list(body.iter(f"{W}{tag}"))) == 2


def test_tracked_paper_keeps_tracking_on_and_says_what_it_shows(tracked_bytes: bytes) -> None:
    document = docx.Document(io.BytesIO(tracked_bytes))
    assert document.settings.element.find(f"{W}trackRevisions") is not None
    notes = [
        p.text for p in document.paragraphs if p.style is not None and p.style.name == "Hinweis"
    ]
    assert notes[0].startswith("Die Änderungen gegenüber Version 2 vom 1. Oktober 2026 sind")
    with zipfile.ZipFile(io.BytesIO(tracked_bytes)) as archive:
        parse_xml(archive.read("word/settings.xml"))


def test_a_synopsis_that_does_not_fit_the_paper_is_refused(synopsis: Synopsis) -> None:
    smaller = replace(NEW_PAPER, sections=NEW_PAPER.sections[:1])
    with pytest.raises(InvalidExportInput, match="fehlt im Papier"):
        synopse.build_synopse_tracked(smaller, synopsis)


def test_pdf_shows_inserted_and_deleted_text(tracked_pdf_text: list[str]) -> None:
    text = " ".join(" ".join(tracked_pdf_text).split())
    for expected in (
        "investieren schonbereits in",
        "den EnergiekostenEnergiepreisen, Fachkräften",
        DELETED_150,
        "Ein verlässlicher Industriestrompreis",
        "Die Änderungen gegenüber Version 2",
    ):
        assert expected in text, expected
    assert text.count("Regionale Transformationsnetzwerke haben sich bewährt") == 2  # a move
