"""Word intake: real Word files, files built here with python-docx, and a hostile set.

Nothing is mocked: every test feeds real .docx bytes through the public functions.
"""

from __future__ import annotations

import html
import io
import json
import random
import re
import struct
import time
import tracemalloc
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml import parse_xml

from positions.core.errors import InvalidUpload
from positions.uploads import intake, package
from tests.tools import REAL_WORD_FILES

MIB = 1024 * 1024

NAMESPACES = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)
TRANSITIONAL_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# --- helpers --------------------------------------------------------------------------------


def saved(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def append_xml(document: Any, xml: str) -> None:
    """Append hand-written body content (paragraphs, tables, content controls)."""
    wrapper = parse_xml(f"<w:body {NAMESPACES}>{xml}</w:body>")
    section = document.element.body.sectPr
    for element in list(wrapper):
        section.addprevious(element)


def rezip(
    data: bytes,
    *,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
) -> bytes:
    """The same package with parts replaced, added or dropped."""
    replace, add = replace or {}, add or {}
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename not in drop:
                target.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, content in add.items():
            target.writestr(name, content)
    return buffer.getvalue()


def part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode("utf-8")


def numbered(document: Any, text: str, num_id: int, ilvl: int) -> None:
    paragraph = document.add_paragraph(text, style="List Paragraph")
    paragraph._p.get_or_add_pPr().append(
        parse_xml(
            f'<w:numPr {NAMESPACES}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
        )
    )


def add_numbering(document: Any, xml: str) -> None:
    """Add w:abstractNum / w:num definitions (abstract ones first, as Word expects)."""
    numbering = document.part.numbering_part.element
    wrapper = parse_xml(f"<w:numbering {NAMESPACES}>{xml}</w:numbering>")
    for element in reversed(list(wrapper)):
        if element.tag.endswith("}abstractNum"):
            numbering.insert(0, element)
        else:
            numbering.append(element)


def level(ilvl: int, fmt: str, text: str, start: int = 1) -> str:
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
    )


def png_pixel() -> bytes:
    """A valid 1x1 PNG, so a document can hold an image and nothing else."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        checksum = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


# --- real Word files ------------------------------------------------------------------------


def _real_cases() -> list[Any]:
    expected = {
        entry["file"]: entry
        for entry in json.loads((REAL_WORD_FILES / "expected.json").read_text(encoding="utf-8"))
    }
    return [
        pytest.param((path, expected.get(path.name)), id=path.name)
        for path in sorted(REAL_WORD_FILES.glob("*.docx"))
    ]


def comment_paragraphs(data: bytes) -> list[str]:
    """Texts of the comments' paragraphs (read with a regex: no XML parser in the test)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "word/comments.xml" not in archive.namelist():
            return []
        xml = archive.read("word/comments.xml").decode("utf-8")
    paragraphs = []
    for paragraph in xml.split("</w:p>"):
        text = "".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", paragraph))
        if len(text.strip()) >= 5:
            paragraphs.append(html.unescape(text).strip())
    return paragraphs


@pytest.mark.parametrize("case", _real_cases())
def test_real_word_files_give_the_accepted_text(case: tuple[Path, dict[str, Any] | None]) -> None:
    path, expected = case
    assert expected is not None, f"{path.name} has no entry in expected.json"
    data = path.read_bytes()

    intake.check_upload(path.name, data)
    text = intake.extract_text(path.name, data)

    for snippet in expected["snippets"]:
        assert snippet["text"] in text, f"{snippet['where']} snippet missing"
    for deleted in expected["deleted_text_must_not_appear"]:
        assert deleted not in text
    for comment in comment_paragraphs(data):
        assert comment not in text
    document = intake.extract_docx(data)
    assert document.text == text
    assert intake.extract_docx(data) == document  # deterministic
    for block in document.blocks:
        assert block.text and block.text == block.text.strip() and "\n\n" not in block.text


REAL_EXACT = [
    (
        "mammoth.js__footnotes.docx",
        "Ouch[1].[2]\n\nFußnote 1: A tachyon walks into a bar.\n\nFußnote 2: Fin.",
    ),
    ("mammoth.js__comments.docx", "Ouch."),
    (
        "mammoth.js__tables.docx",
        "Above\n\nTop left | Top right\n\nBottom left | Bottom right\n\nBelow",
    ),
    ("mammoth.js__simple-list.docx", "• Apple\n\n• Banana"),
    ("mammoth.js__text-box.docx", "Datum plane"),
    ("Open-Xml-PowerTools__006-DeletedTableRow.docx", "111 | 222\n\n333 | 444\n\n777 | 888"),
    (
        "Open-Xml-PowerTools__002-DeletedNumberedParagraphs.docx",
        "This is text before.\n\nThis is text after.",
    ),
    (
        "docx2python__merged_cells.docx",
        "0-0 | 0-12 | 0-3\n\n12-0 | 1-1 | 1-2 | 1-3\n\n2-1 | 2-2 | 2-3\n\n3-0 | 34-123\n\n4-0",
    ),
]


@pytest.mark.parametrize(("name", "expected"), REAL_EXACT, ids=[name for name, _ in REAL_EXACT])
def test_real_word_files_exact_text(name: str, expected: str) -> None:
    assert intake.extract_text(name, (REAL_WORD_FILES / name).read_bytes()) == expected


def test_real_lists_headings_and_notes_keep_their_numbers() -> None:
    contract = intake.extract_docx(
        (REAL_WORD_FILES / "Open-Xml-PowerTools__Contract.docx").read_bytes()
    )
    assert contract.blocks[0] == intake.Block("1.0 EINLEITUNG", "heading", 1)
    assert intake.Block("2.1 Methodik, Werkzeuge und Verfahren", "heading", 2) in contract.blocks
    assert "3.2.2. Probleme mit EQUIPMENT oder NETZWERK Kommunikation." in contract.text

    example = intake.extract_text(
        "example.docx", (REAL_WORD_FILES / "docx2python__example.docx").read_bytes()
    )
    lines = example.split("\n\n")
    assert lines[:10] == [
        "I. expect I",
        "A. expect A",
        "B. expect B",
        "1. expect 1",
        "a) expect a",
        "b) expect b",
        "(1) expect 1",
        "(a) expect a",
        "(i) expect i",
        "(ii) expect ii",
    ]
    assert "Reference endnote 1[i]" in lines
    assert lines[-4:] == [
        "Fußnote 1: First footnote",
        "Fußnote 2: Second footnote",
        "Endnote i: First endnote",
        "Endnote ii: Second endnote",
    ]


# --- files built with python-docx -----------------------------------------------------------


def test_headings_lists_tables_and_umlauts_from_python_docx() -> None:
    document = docx.Document()
    document.add_heading("Stellungnahme zur Förderrichtlinie", level=1)
    document.add_paragraph("Wir begrüßen den Entwurf grundsätzlich.")
    document.add_heading("Forderungen", level=2)
    document.add_paragraph("Erste Forderung", style="List Number")
    document.add_paragraph("Zweite Forderung", style="List Number")
    document.add_paragraph("Ladesäulen", style="List Bullet")
    document.add_paragraph("Netzausbau", style="List Bullet")
    table = document.add_table(rows=3, cols=2)
    for row, (measure, reason) in enumerate(
        [("Maßnahme", "Begründung"), ("Ladeinfrastruktur", "Größere Reichweite"), ("Ö", "")]
    ):
        table.cell(row, 0).text, table.cell(row, 1).text = measure, reason
    merged = document.add_table(rows=2, cols=2)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "Über beide Spalten"
    merged.cell(1, 0).text, merged.cell(1, 1).text = "links", "rechts"
    paragraph = document.add_paragraph("Zeile eins")
    paragraph.add_run().add_break()
    paragraph.add_run("Zeile zwei\tmit Tab")
    document.add_paragraph("Mu\u0308nchen und Du\u0308sseldorf")  # decomposed umlauts

    extracted = intake.extract_docx(saved(document))

    assert extracted.text == (
        "Stellungnahme zur Förderrichtlinie\n\n"
        "Wir begrüßen den Entwurf grundsätzlich.\n\n"
        "Forderungen\n\n"
        "1. Erste Forderung\n\n"
        "2. Zweite Forderung\n\n"
        "• Ladesäulen\n\n"
        "• Netzausbau\n\n"
        "Maßnahme | Begründung\n\n"
        "Ladeinfrastruktur | Größere Reichweite\n\n"
        "Ö\n\n"
        "Über beide Spalten\n\n"
        "links | rechts\n\n"
        "Zeile eins\nZeile zwei\tmit Tab\n\n"
        "München und Düsseldorf"
    )
    assert [(block.kind, block.level) for block in extracted.blocks[:6]] == [
        ("heading", 1),
        ("paragraph", None),
        ("heading", 2),
        ("list_item", 1),
        ("list_item", 1),
        ("list_item", 1),
    ]
    assert extracted.blocks[7].kind == "table_row"


def test_nested_numbering_restarts_and_continues_like_word() -> None:
    document = docx.Document()
    add_numbering(
        document,
        '<w:abstractNum w:abstractNumId="90"><w:multiLevelType w:val="multilevel"/>'
        + level(0, "decimal", "%1.")
        + level(1, "decimal", "%1.%2")
        + level(2, "lowerLetter", "%3)")
        + "</w:abstractNum>"
        + '<w:abstractNum w:abstractNumId="91">'
        + level(0, "bullet", "\uf0b7")
        + level(1, "bullet", "–")
        + "</w:abstractNum>"
        + '<w:num w:numId="90"><w:abstractNumId w:val="90"/></w:num>'
        # Word's "Neu beginnen mit 1": a second instance of the same list, start overridden.
        + '<w:num w:numId="91"><w:abstractNumId w:val="90"/>'
        + '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
        + '<w:num w:numId="92"><w:abstractNumId w:val="91"/></w:num>',
    )
    for text, num_id, ilvl in [
        ("Klimaschutz", 90, 0),
        ("Emissionshandel", 90, 1),
        ("Förderprogramme", 90, 1),
        ("Wasserstoff", 90, 2),
        ("Ladeinfrastruktur", 90, 2),
        ("Bürokratieabbau", 90, 0),
        ("Berichtspflichten", 90, 1),
        ("Doppelte Meldungen", 90, 2),
        ("Neue Liste", 91, 0),
        ("Zweiter Punkt", 91, 0),
        ("Stichpunkt", 92, 0),
        ("Spiegelstrich", 92, 1),
    ]:
        numbered(document, text, num_id, ilvl)

    extracted = intake.extract_docx(saved(document))

    assert extracted.text.split("\n\n") == [
        "1. Klimaschutz",
        "1.1 Emissionshandel",
        "1.2 Förderprogramme",
        "a) Wasserstoff",
        "b) Ladeinfrastruktur",
        "2. Bürokratieabbau",
        "2.1 Berichtspflichten",
        "a) Doppelte Meldungen",
        "1. Neue Liste",
        "2. Zweiter Punkt",
        "• Stichpunkt",
        "– Spiegelstrich",
    ]
    assert [block.level for block in extracted.blocks[:4]] == [1, 2, 2, 3]


@pytest.mark.parametrize(
    ("fmt", "start", "text", "labels"),
    [
        ("decimal", 1, "%1.", ["1.", "2.", "3."]),
        ("lowerLetter", 1, "%1)", ["a)", "b)", "c)"]),
        ("upperLetter", 25, "%1.", ["Y.", "Z.", "AA."]),
        ("lowerRoman", 1, "(%1)", ["(i)", "(ii)", "(iii)"]),
        ("upperRoman", 3, "%1.", ["III.", "IV.", "V."]),
        ("decimalZero", 9, "%1", ["09", "10", "11"]),
        ("bullet", 1, "\uf0a7", ["•", "•", "•"]),
        ("none", 1, "", ["", "", ""]),
    ],
)
def test_number_formats(fmt: str, start: int, text: str, labels: list[str]) -> None:
    document = docx.Document()
    add_numbering(
        document,
        f'<w:abstractNum w:abstractNumId="80">{level(0, fmt, text, start)}</w:abstractNum>'
        '<w:num w:numId="80"><w:abstractNumId w:val="80"/></w:num>',
    )
    for item in ("eins", "zwei", "drei"):
        numbered(document, item, 80, 0)

    blocks = intake.extract_docx(saved(document)).text.split("\n\n")

    assert blocks == [
        f"{label} {item}".strip()
        for label, item in zip(labels, ("eins", "zwei", "drei"), strict=True)
    ]


def test_a_crafted_list_definition_cannot_inflate_the_text() -> None:
    document = docx.Document()
    template = "%1" * 50_000  # repeated on every item if nothing stopped it
    add_numbering(
        document,
        f'<w:abstractNum w:abstractNumId="60">{level(0, "lowerLetter", template, 10**8)}'
        '</w:abstractNum><w:num w:numId="60"><w:abstractNumId w:val="60"/></w:num>',
    )
    for _ in range(200):
        numbered(document, "Punkt", 60, 0)

    blocks = intake.extract_docx(saved(document)).blocks

    assert len(blocks) == 200
    assert all(len(block.text) < 250 for block in blocks)
    assert blocks[0].text.startswith("100000000100000000")  # digits, not 3.8 million letters


TRACKED = 'w:author="Mitglied B" w:date="2026-11-20T10:00:00Z"'


def test_tracked_changes_by_another_author_are_accepted() -> None:
    document = docx.Document()
    document.add_heading("Stellungnahme", level=1)
    add_numbering(
        document,
        f'<w:abstractNum w:abstractNumId="70">{level(0, "decimal", "%1.")}</w:abstractNum>'
        '<w:num w:numId="70"><w:abstractNumId w:val="70"/></w:num>',
    )
    numbering = '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="70"/></w:numPr>'
    append_xml(
        document,
        # A word replaced: insertion kept, deletion dropped.
        f'<w:p><w:r><w:t xml:space="preserve">Wir fordern </w:t></w:r>'
        f'<w:ins w:id="1" {TRACKED}><w:r><w:t xml:space="preserve">schnellere </w:t></w:r></w:ins>'
        f'<w:del w:id="2" {TRACKED}><w:r><w:delText xml:space="preserve">langsamere </w:delText>'
        "</w:r></w:del><w:r><w:t>Genehmigungsverfahren.</w:t></w:r></w:p>"
        # A deleted paragraph mark joins two paragraphs.
        f'<w:p><w:pPr><w:rPr><w:del w:id="3" {TRACKED}/></w:rPr></w:pPr>'
        '<w:r><w:t xml:space="preserve">Der Ausbau muss </w:t></w:r></w:p>'
        "<w:p><w:r><w:t>schneller gehen.</w:t></w:r></w:p>"
        # A moved sentence appears once, at its new place.
        f'<w:p><w:pPr><w:rPr><w:moveFrom w:id="4" {TRACKED}/></w:rPr></w:pPr>'
        f'<w:moveFrom w:id="5" {TRACKED}><w:r><w:t>Dieser Satz wurde verschoben.</w:t></w:r>'
        "</w:moveFrom></w:p>"
        "<w:p><w:r><w:t>Mittlerer Absatz.</w:t></w:r></w:p>"
        f'<w:p><w:pPr><w:rPr><w:moveTo w:id="6" {TRACKED}/></w:rPr></w:pPr>'
        f'<w:moveTo w:id="7" {TRACKED}><w:r><w:t>Dieser Satz wurde verschoben.</w:t></w:r>'
        "</w:moveTo></w:p>"
        # A numbered list whose middle item was deleted: the numbers close up.
        f"<w:p><w:pPr>{numbering}</w:pPr><w:r><w:t>Erstens</w:t></w:r></w:p>"
        f'<w:p><w:pPr>{numbering}<w:rPr><w:del w:id="8" {TRACKED}/></w:rPr></w:pPr>'
        f'<w:del w:id="9" {TRACKED}><w:r><w:delText>Gestrichen</w:delText></w:r></w:del></w:p>'
        f"<w:p><w:pPr>{numbering}</w:pPr><w:r><w:t>Zweitens</w:t></w:r></w:p>"
        # An inserted paragraph and a table with a deleted row.
        f'<w:p><w:pPr><w:rPr><w:ins w:id="10" {TRACKED}/></w:rPr></w:pPr>'
        f'<w:ins w:id="11" {TRACKED}><w:r><w:t>Neu eingefügter Absatz.</w:t></w:r></w:ins></w:p>'
        "<w:tbl>"
        "<w:tr><w:tc><w:p><w:r><w:t>bleibt</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>auch</w:t></w:r></w:p></w:tc></w:tr>"
        f'<w:tr><w:trPr><w:del w:id="12" {TRACKED}/></w:trPr>'
        f'<w:tc><w:p><w:del w:id="13" {TRACKED}><w:r><w:delText>weg</w:delText></w:r></w:del>'
        "</w:p></w:tc>"
        f'<w:tc><w:p><w:del w:id="14" {TRACKED}><w:r><w:delText>fort</w:delText></w:r></w:del>'
        "</w:p></w:tc></w:tr>"
        "</w:tbl>",
    )

    text = intake.extract_docx(saved(document)).text

    assert text == (
        "Stellungnahme\n\n"
        "Wir fordern schnellere Genehmigungsverfahren.\n\n"
        "Der Ausbau muss schneller gehen.\n\n"
        "Mittlerer Absatz.\n\n"
        "Dieser Satz wurde verschoben.\n\n"
        "1. Erstens\n\n"
        "2. Zweitens\n\n"
        "Neu eingefügter Absatz.\n\n"
        "bleibt | auch"
    )


def test_fields_content_controls_text_boxes_and_comments() -> None:
    document = docx.Document()
    commented = document.add_paragraph("Kommentierter Satz.")
    document.add_comment(commented.runs, text="Interner Hinweis: bitte prüfen", author="Referent")
    textbox = "<w:txbxContent><w:p><w:r><w:t>Im Kasten</w:t></w:r></w:p></w:txbxContent>"
    append_xml(
        document,
        # A complex field shows its result, never its instruction; a simple one likewise.
        '<w:p><w:r><w:t xml:space="preserve">Seite </w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:r><w:t xml:space="preserve"> von </w:t></w:r>'
        '<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>5</w:t></w:r></w:fldSimple></w:p>'
        # Hyperlink text kept; hidden text left out.
        '<w:p><w:hyperlink w:anchor="ziel"><w:r><w:t>Verweis</w:t></w:r></w:hyperlink>'
        "<w:r><w:rPr><w:vanish/></w:rPr><w:t>Verborgen</w:t></w:r></w:p>"
        # Nested content controls, each text once.
        '<w:sdt><w:sdtPr><w:alias w:val="Außen"/></w:sdtPr><w:sdtContent>'
        "<w:p><w:r><w:t>Äußeres Feld</w:t></w:r></w:p>"
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>Inneres Feld</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt></w:sdtContent></w:sdt>"
        '<w:p><w:r><w:t xml:space="preserve">Wert: </w:t></w:r><w:sdt><w:sdtContent>'
        "<w:r><w:t>42</w:t></w:r></w:sdtContent></w:sdt></w:p>"
        # A text box written twice (DrawingML and VML fallback) comes out once.
        "<w:p><w:r><w:t>Absatz mit Textfeld</w:t></w:r><w:r><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData>'
        f"<wps:wsp><wps:txbx>{textbox}</wps:txbx></wps:wsp>"
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox>{textbox}</v:textbox></v:shape></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r></w:p>",
    )

    extracted = intake.extract_docx(saved(document))

    assert extracted.text == (
        "Kommentierter Satz.\n\n"
        "Seite 3 von 5\n\n"
        "Verweis\n\n"
        "Äußeres Feld\n\n"
        "Inneres Feld\n\n"
        "Wert: 42\n\n"
        "Absatz mit Textfeld\n\n"
        "Im Kasten"
    )
    assert extracted.blocks[-1] == intake.Block("Im Kasten", "textbox")


def test_a_document_with_only_an_image_has_no_text() -> None:
    document = docx.Document()
    document.add_picture(io.BytesIO(png_pixel()))
    document.add_paragraph("   ")

    with pytest.raises(InvalidUpload) as refused:
        intake.extract_text("bild.docx", saved(document))

    assert refused.value.message == intake.NO_TEXT
    assert refused.value.message.startswith("Die Datei enthält keinen Text")


def test_strict_open_xml_reads_like_transitional() -> None:
    document = docx.Document()
    document.add_heading("Strikt", level=1)
    document.add_paragraph("Gespeichert als „Strict Open XML“.")
    data = saved(document)
    strict = part(data, "word/document.xml").replace(
        TRANSITIONAL_W, "http://purl.oclc.org/ooxml/wordprocessingml/main"
    )

    text = intake.extract_text(
        "strikt.docx", rezip(data, replace={"word/document.xml": strict.encode()})
    )

    assert text == intake.extract_text("normal.docx", data)


def test_extract_text_is_exactly_the_stored_text() -> None:
    document = docx.Document()
    document.add_paragraph("Punkt eins.")
    document.add_paragraph("Punkt zwei.")
    data = saved(document)

    assert intake.extract_text("Stellungnahme.DOCX", data) == "Punkt eins.\n\nPunkt zwei."
    assert intake.extract_text("x.docx", data) == intake.extract_docx(data).text


# --- the hostile set ------------------------------------------------------------------------


def statement() -> bytes:
    document = docx.Document()
    document.add_paragraph("Eine ganz normale Stellungnahme.")
    return saved(document)


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the sizes an entry declares (local header and central directory) to `size`."""
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    struct.pack_into("<L", patched, info.header_offset + 22, size)
    end = data.rfind(b"PK\x05\x06")
    (position,) = struct.unpack_from("<L", data, end + 16)
    while data[position : position + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack_from("<3H", data, position + 28)
        if data[position + 46 : position + 46 + name_length] == name.encode():
            struct.pack_into("<L", patched, position + 24, size)
        position += 46 + name_length + extra_length + comment_length
    return bytes(patched)


def document_xml(body: str, prolog: str = "", encoding: str = "utf-8") -> bytes:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>{prolog}'
        f'<w:document xmlns:w="{TRANSITIONAL_W}"><w:body>{body}</w:body></w:document>'
    ).encode(encoding)


def zip_bomb_ratio() -> bytes:
    # 30 MB of spaces deflate to about 30 KB: a ratio near 1,000.
    padding = b" " * (30 * MIB)
    return rezip(statement(), replace={"word/document.xml": document_xml("") + padding})


def zip_bomb_claims_two_gigabytes() -> bytes:
    return declare_size(statement(), "word/document.xml", 2**31)


def zip_bomb_understates_its_size() -> bytes:
    # The header says 200 KB (a harmless ratio); the stream would inflate to 30 MB.
    bomb = rezip(statement(), replace={"word/document.xml": document_xml("") + bytes(30 * MIB)})
    return declare_size(bomb, "word/document.xml", 200_000)


def xxe(encoding: str = "utf-8") -> Callable[[], bytes]:
    def build() -> bytes:
        prolog = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        body = "<w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>"
        xml = document_xml(body, prolog, encoding)
        return rezip(statement(), replace={"word/document.xml": xml})

    return build


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    prolog = f"<!DOCTYPE w:document [{entities}]>"
    body = "<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>"
    return rezip(statement(), replace={"word/document.xml": document_xml(body, prolog)})


def macro_enabled() -> bytes:
    data = statement()
    types = part(data, "[Content_Types].xml").replace(
        "wordprocessingml.document.main+xml", "ms-word.document.macroEnabled.main+xml"
    )
    types = types.replace(
        "</Types>",
        '<Override PartName="/word/vbaProject.bin" '
        'ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    )
    return rezip(
        data,
        replace={"[Content_Types].xml": types.encode()},
        add={"word/vbaProject.bin": random.Random(1).randbytes(4096)},
    )


def vba_part_without_content_type() -> bytes:
    return rezip(statement(), add={"word/vbaProject.bin": random.Random(2).randbytes(4096)})


def truncated() -> bytes:
    data = statement()
    return data[: len(data) // 2]


def corrupted_entry() -> bytes:
    data = bytearray(statement())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 10, start + 20):
        data[offset] ^= 0xFF
    return bytes(data)


def many_entries() -> bytes:
    return rezip(statement(), add={f"customXml/extra{i}.xml": b"<a/>" for i in range(2_001)})


def duplicate_names() -> bytes:
    data = statement()
    buffer = io.BytesIO(data)
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "a") as archive:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate we want
        archive.writestr(
            "word/document.xml", document_xml("<w:p><w:r><w:t>Zweite Fassung</w:t></w:r></w:p>")
        )
    return buffer.getvalue()


def zip64_end_record(data: bytes, *, entries: int | None = None) -> bytes:
    """The same zip with a ZIP64 end record (optionally claiming another entry count)."""
    end = data.rfind(b"PK\x05\x06")
    _, _, _, count, size, offset = struct.unpack_from("<4H2L", data, end + 4)
    entries = count if entries is None else entries
    record = struct.pack(
        "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, size, offset
    )
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, end, 1)
    classic = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0
    )
    return data[:end] + record + locator + classic


def test_a_utf16_document_part_is_read() -> None:
    xml = document_xml("<w:p><w:r><w:t>Grüße aus Köln</w:t></w:r></w:p>", encoding="utf-16")
    data = rezip(statement(), replace={"word/document.xml": xml})

    assert intake.extract_text("a.docx", data) == "Grüße aus Köln"


def test_a_zip64_end_record_is_read_correctly() -> None:
    data = zip64_end_record(statement())

    assert intake.extract_text("a.docx", data) == "Eine ganz normale Stellungnahme."


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def other_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("readme.txt", "Hallo")
    return buffer.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


@dataclass(frozen=True)
class Hostile:
    name: str
    filename: str
    build: Callable[[], bytes]
    message: str  # the exact message, or a part of it


HOSTILE = [
    Hostile("zip bomb, ratio over 100", "a.docx", zip_bomb_ratio, "stark komprimiert"),
    Hostile("zip bomb, header claims 2 GB", "a.docx", zip_bomb_claims_two_gigabytes, "50 MB"),
    Hostile("zip bomb, header understates", "a.docx", zip_bomb_understates_its_size, "beschädigt"),
    Hostile("XXE", "a.docx", xxe(), "DOCTYPE"),
    Hostile("XXE in UTF-16", "a.docx", xxe("utf-16"), "DOCTYPE"),
    # In UTF-7 "<!DOCTYPE" is not visible as bytes; such encodings are refused outright.
    Hostile("XXE in UTF-7", "a.docx", xxe("utf-7"), "Zeichenkodierung"),
    Hostile("XXE in UTF-32", "a.docx", xxe("utf-32"), "Zeichenkodierung"),
    Hostile("billion laughs", "a.docx", billion_laughs, "DOCTYPE"),
    Hostile(".docm named .docx", "a.docx", macro_enabled, package.MACROS),
    Hostile(".docm by name", "a.docm", macro_enabled, package.MACROS),
    Hostile("vbaProject.bin only", "a.docx", vba_part_without_content_type, package.MACROS),
    Hostile(
        "renamed binary", "a.docx", lambda: random.Random(0).randbytes(65_536), package.NOT_DOCX
    ),
    Hostile("empty file", "a.docx", lambda: b"", package.EMPTY),
    Hostile("truncated zip", "a.docx", truncated, package.CORRUPT),
    Hostile("corrupted entry", "a.docx", corrupted_entry, package.CORRUPT),
    Hostile("60 MB file", "a.docx", lambda: statement() + bytes(60 * MIB), package.TOO_LARGE),
    Hostile("over 2,000 entries", "a.docx", many_entries, "zu viele Bestandteile"),
    Hostile(
        "ZIP64 end record claims 100,000 entries",
        "a.docx",
        lambda: zip64_end_record(statement(), entries=100_000),
        "zu viele Bestandteile",
    ),
    Hostile("duplicate entry names", "a.docx", duplicate_names, package.CORRUPT),
    Hostile(".doc by name", "alt.doc", lambda: OLE2, package.OLE_CONTAINER),
    Hostile(".doc renamed .docx", "alt.docx", lambda: OLE2, package.OLE_CONTAINER),
    Hostile(".odt by name", "text.odt", odt, package.ODT),
    Hostile(".odt renamed .docx", "text.docx", odt, package.ODT),
    Hostile(".pdf by name", "scan.pdf", lambda: PDF, package.PDF),
    Hostile(".pdf renamed .docx", "scan.docx", lambda: PDF, package.PDF),
    Hostile(".xlsx renamed .docx", "tabelle.docx", workbook, package.EXCEL),
    Hostile("zip without document.xml", "a.docx", other_zip, package.NOT_WORD),
    Hostile("wrong extension", "a.txt", statement, package.WRONG_NAME),
]


@pytest.mark.parametrize(
    "refuse", [intake.check_upload, intake.extract_text], ids=["check", "extract"]
)
@pytest.mark.parametrize("case", HOSTILE, ids=[case.name for case in HOSTILE])
def test_hostile_uploads_are_refused_fast_with_bounded_memory(
    case: Hostile, refuse: Callable[[str, bytes], object]
) -> None:
    data = case.build()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(InvalidUpload) as refused:
            refuse(case.filename, data)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    message = refused.value.message
    assert case.message in message
    assert message.startswith(("Die Datei", "Bitte"))  # German, addressed to the member
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
    assert peak < 100 * MIB, f"peaked at {peak / MIB:.0f} MiB"


# Every hostile Word file is also refused where a file is kept (an attachment, or the Word
# file a statement came from), with a message naming the file: the same package checks.
KEPT_AS_DOCX = [case for case in HOSTILE if case.filename.endswith(".docx")]


@pytest.mark.parametrize("case", KEPT_AS_DOCX, ids=[case.name for case in KEPT_AS_DOCX])
def test_hostile_word_files_are_refused_as_attachments_too(case: Hostile) -> None:
    from positions.uploads import filing

    data = case.build()
    tracemalloc.start()
    try:
        with pytest.raises(InvalidUpload) as refused:
            filing.check_file(case.filename, data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert refused.value.message.startswith(f"„{case.filename}“ ")
    assert peak < 100 * MIB, f"peaked at {peak / MIB:.0f} MiB"
