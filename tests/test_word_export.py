"""The Word export of a paper: structure read back with python-docx and lxml, schema validity
as Word reads it, and what LibreOffice renders (TOC, page numbers, footnotes) as PDF text."""

from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import docx.document
import docx.text.paragraph
import pytest
from PIL import Image as PILImage

from exports import pdf, word, wordml
from exports.document import (
    Contact,
    Letterhead,
    LobbyregisterLine,
    PaperDocument,
    Paragraph,
    Section,
    Table,
)
from exports.errors import InvalidExportInput, PdfUnavailable
from exports.templates import build_template
from tests import tools
from tests.tools import require_tool

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)

# test_feedback, test_roundtrip and test_synopse still import these two from here; they
# belong to tests.tools, where new tests import them from.


def logo_png() -> bytes:
    image = PILImage.new("RGB", (360, 120), (31, 78, 121))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def realistic_paper(*, logo: bytes | None = None) -> PaperDocument:
    """A position paper as the association sends it: three sections, one with a subsection,
    eleven paragraphs, three footnotes, a minority opinion and a table."""
    return PaperDocument(
        association=Letterhead(
            name="Automobil-Zulieferverband NRW e. V.",
            address=("Graf-Adolf-Platz 15", "40213 Düsseldorf"),
            accent_colour="#1F4E79",
            logo=logo,
            about="Der Verband vertritt 240 Zulieferbetriebe mit 85.000 Beschäftigten in "
            "Nordrhein-Westfalen.",
        ),
        title="Transformation der Zulieferindustrie sichern: Energie, Fachkräfte, Standort",
        kind_label="Positionspapier",
        addressee="Bundesministerium für Wirtschaft und Energie",
        forum_name="Transformationsdialog Automobilindustrie",
        date=date(2026, 11, 25),
        version_label="Beschlossene Fassung vom 25. November 2026",
        core_demands=(
            "Einen wettbewerbsfähigen Industriestrompreis von höchstens 6 ct/kWh bis 2030 "
            "verlässlich zusagen.",
            "Förderprogramme für die Qualifizierung von Beschäftigten entbürokratisieren und "
            "für kleine und mittlere Zulieferer öffnen.",
            "Genehmigungsverfahren für Werksumbauten auf höchstens sechs Monate begrenzen.",
        ),
        sections=(
            Section(
                title="Ausgangslage",
                paragraphs=(
                    Paragraph(
                        101,
                        "Die Zulieferindustrie in Nordrhein-Westfalen beschäftigt rund "
                        "200.000 Menschen. Der Wandel zur Elektromobilität verändert ihre "
                        "Produktpalette grundlegend.",
                        footnotes=("Statistisches Landesamt IT.NRW, Beschäftigtenstatistik 2025.",),
                    ),
                    Paragraph(
                        102,
                        "Viele Unternehmen investieren bereits in neue Produkte, stoßen aber "
                        "an Grenzen bei Energiepreisen, Fachkräften und Verfahrensdauern.",
                    ),
                    Paragraph(
                        103,
                        "Besonders betroffen sind mittelständische Betriebe, deren Umsatz zu "
                        "mehr als der Hälfte am Verbrennungsmotor hängt.",
                    ),
                ),
            ),
            Section(
                title="Energie und Standort",
                paragraphs=(
                    Paragraph(
                        201,
                        "Die Strompreise für die Industrie liegen in Deutschland deutlich über "
                        "denen der Wettbewerber in Frankreich und den USA.",
                        footnotes=(
                            "Eurostat, Strompreise für Nichthaushaltskunden, 2. Halbjahr 2025.",
                        ),
                    ),
                    Paragraph(
                        202,
                        "Ein verlässlicher Industriestrompreis schafft Planungssicherheit für "
                        "Investitionen in elektrifizierte Produktionsprozesse.",
                    ),
                    Paragraph(
                        203,
                        "Ein befristeter Industriestrompreis verzerrt den Wettbewerb; "
                        "vorrangig sollten Netzentgelte und Stromsteuer dauerhaft sinken.",
                        is_minority_opinion=True,
                        minority_org_label="Muster Antriebstechnik GmbH",
                    ),
                    Table(
                        204,
                        "Industriestrompreise im Vergleich (ct/kWh, 2025)",
                        header=("Land", "Preis", "Veränderung zum Vorjahr"),
                        rows=(
                            ("Deutschland", "17,9", "−4 %"),
                            ("Frankreich", "11,2", "−9 %"),
                            ("USA", "8,1", "+2 %"),
                        ),
                    ),
                ),
                subsections=(
                    Section(
                        title="Netzentgelte",
                        paragraphs=(
                            Paragraph(
                                211,
                                "Die Übertragungsnetzentgelte sollten dauerhaft aus dem "
                                "Bundeshaushalt bezuschusst werden.",
                                footnotes=("Vgl. § 24a Energiewirtschaftsgesetz (EnWG).",),
                            ),
                            Paragraph(
                                212,
                                "Netzentgeltrabatte für flexible Verbraucher müssen auch "
                                "mittelständischen Betrieben offenstehen.",
                                is_minority_opinion=True,
                            ),
                        ),
                    ),
                ),
            ),
            Section(
                title="Fachkräfte und Qualifizierung",
                paragraphs=(
                    Paragraph(
                        301,
                        "Die Beschäftigten von heute sind die Fachkräfte für die Produkte von "
                        "morgen. Qualifizierung muss im Betrieb stattfinden können.",
                    ),
                    Paragraph(
                        302,
                        "Das Qualifizierungschancengesetz sollte Weiterbildungen auch in "
                        "Betrieben mit weniger als 50 Beschäftigten voll fördern.",
                    ),
                    Paragraph(
                        303,
                        "Regionale Transformationsnetzwerke haben sich bewährt und sollten "
                        "über 2027 hinaus verstetigt werden.",
                    ),
                ),
            ),
        ),
        participants_named=(
            "Muster Antriebstechnik GmbH",
            "Beispiel Kunststofftechnik AG",
            "Rheinische Präzisionsteile GmbH & Co. KG",
        ),
        participants_anonymous_count=3,
        contact_persons=(
            Contact(
                "Dr. Anna Beispiel",
                "Referentin Energie- und Industriepolitik",
                "a.beispiel@azv-nrw.de",
                "+49 211 123456-12",
            ),
            Contact("Jonas Muster", "Geschäftsführer", "j.muster@azv-nrw.de", "+49 211 123456-0"),
        ),
        lobbyregister=LobbyregisterLine(
            register_number="R001234",
            regulatory_project="Gesetz zur Senkung der Stromkosten für die Industrie",
            regulatory_project_number="RV0004711",
        ),
    )


HOSTILE = (
    "Steuer\x00\x01\x08\x0b\x0c\x1b\x7f\x85\x9f\ufffe\uffff\ud800 <b>&amp; \"Anführung\" 'einfach'"
    " ]]> 🚗⚡️👩🏽‍🔧 مرحبا بالعالم שלום עולם\tTab\r\nneue Zeile\u2028"
    + "Donaudampfschifffahrtsgesellschaft"
    * 9
)


def hostile_paper() -> PaperDocument:
    """Whatever a member may paste, in every text field of the paper."""
    paper = realistic_paper()
    return replace(
        paper,
        association=Letterhead(
            name=HOSTILE, address=(HOSTILE,), accent_colour="ffffff", about=HOSTILE
        ),
        title=HOSTILE,
        kind_label=HOSTILE,
        addressee=HOSTILE,
        forum_name=HOSTILE,
        version_label=HOSTILE,
        status_label=HOSTILE,
        core_demands=(HOSTILE, ""),
        sections=(
            Section(
                title=HOSTILE,
                paragraphs=(
                    Paragraph(1, HOSTILE, footnotes=(HOSTILE,)),
                    Paragraph(2, HOSTILE, is_minority_opinion=True, minority_org_label=HOSTILE),
                    Table(3, HOSTILE, header=(HOSTILE, "B"), rows=((HOSTILE, HOSTILE),)),
                    Paragraph(4, ""),
                ),
                subsections=(Section(title="", paragraphs=(Paragraph(5, HOSTILE),)),),
            ),
        ),
        participants_named=(HOSTILE, ""),
        participants_anonymous_count=1,
        contact_persons=(Contact(HOSTILE, HOSTILE, f"a b<{HOSTILE[:20]}>@x.de", HOSTILE),),
        lobbyregister=LobbyregisterLine(HOSTILE, HOSTILE, HOSTILE),
    )


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PAPER = realistic_paper(logo=logo_png())


def blocks(sections: object) -> list[Paragraph | Table]:
    found: list[Paragraph | Table] = []
    for section in sections:  # type: ignore[attr-defined]
        found.extend(section.paragraphs)
        found.extend(blocks(section.subsections))
    return found


def style_name(paragraph: docx.text.paragraph.Paragraph) -> str:
    return paragraph.style.name if paragraph.style is not None else ""


@pytest.fixture(scope="module")
def paper_bytes() -> bytes:
    return word.build_paper(PAPER, now=NOW)


@pytest.fixture(scope="module")
def package(paper_bytes: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(paper_bytes)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def document(paper_bytes: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(paper_bytes))


@pytest.fixture(scope="module")
def paper_pdf(paper_bytes: bytes) -> bytes:
    """The paper as LibreOffice renders it: one conversion shared by the PDF tests."""
    require_tool("soffice")
    return pdf.to_pdf(paper_bytes)


@pytest.fixture(scope="module")
def pdf_pages(paper_pdf: bytes, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The text of each page of the rendered paper."""
    require_tool("pdftotext")
    path = tmp_path_factory.mktemp("pdf") / "paper.pdf"
    path.write_bytes(paper_pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1]


# --- the template ---------------------------------------------------------------------------


def test_checked_in_template_is_what_the_build_script_builds() -> None:
    assert build_template.TEMPLATE_PATH.read_bytes() == build_template.build_template_bytes()


def test_template_is_valid_and_small(tmp_path: Path) -> None:
    data = build_template.TEMPLATE_PATH.read_bytes()
    assert tools.schema_problems(data, tmp_path) == []
    assert len(data) < 20_000


# --- structure of the paper -------------------------------------------------------------------


def test_paper_is_valid_as_word_reads_it(paper_bytes: bytes, tmp_path: Path) -> None:
    assert tools.schema_problems(paper_bytes, tmp_path) == []


def test_no_part_mentions_python_docx(package: dict[str, bytes]) -> None:
    for name, data in package.items():
        assert b"python-docx" not in data.lower(), name
    assert set(package) >= {"word/footnotes.xml", "word/numbering.xml", "docProps/app.xml"}
    assert not any(name.startswith(("customXml/", "docProps/thumbnail")) for name in package)


def test_core_properties_name_the_paper_and_the_association(
    document: docx.document.Document,
) -> None:
    properties = document.core_properties
    assert properties.title == PAPER.title
    assert properties.author == "Automobil-Zulieferverband NRW e. V."
    assert properties.last_modified_by == "Automobil-Zulieferverband NRW e. V."
    assert properties.language == "de-DE"
    assert properties.created == properties.modified == NOW
    assert properties.comments == ""


def test_document_language_is_german_in_defaults_and_styles(
    document: docx.document.Document,
) -> None:
    styles = document.styles.element
    default_lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert default_lang.get(f"{W}val") == "de-DE"
    normal_lang = document.styles["Normal"].element.find(f"{W}rPr/{W}lang")
    assert normal_lang.get(f"{W}val") == "de-DE"
    theme_lang = document.settings.element.find(f"{W}themeFontLang")
    assert theme_lang.get(f"{W}val") == "de-DE"


def test_headings_are_built_in_styles_without_skipped_levels(
    document: docx.document.Document,
) -> None:
    headings = [
        (style_name(p), p.text) for p in document.paragraphs if style_name(p).startswith("Heading")
    ]
    assert headings == [
        ("Heading 1", "Kernforderungen"),
        ("Heading 1", "Ausgangslage"),
        ("Heading 1", "Energie und Standort"),
        ("Heading 2", "Netzentgelte"),
        ("Heading 1", "Fachkräfte und Qualifizierung"),
        ("Heading 1", "Beteiligte Mitglieder"),
        ("Heading 1", "Ansprechpersonen"),
    ]
    levels = [int(name[-1]) for name, _ in headings]
    assert all(b <= a + 1 for a, b in itertools.pairwise([0, *levels]))
    unnumbered = {
        p.text
        for p in document.paragraphs
        if p._p.find(f"{W}pPr/{W}numPr/{W}numId") is not None
        and p._p.find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val") == "0"
    }
    assert unnumbered == {"Kernforderungen", "Beteiligte Mitglieder", "Ansprechpersonen"}


def test_heading_styles_are_linked_to_a_numbering_definition(
    document: docx.document.Document,
) -> None:
    numbering = document.part.numbering_part.element
    for level, text in ((1, "%1."), (2, "%1.%2."), (3, "%1.%2.%3.")):
        num_pr = document.styles[f"Heading {level}"].element.find(f"{W}pPr/{W}numPr")
        num_id = num_pr.find(f"{W}numId").get(f"{W}val")
        ilvl = num_pr.find(f"{W}ilvl").get(f"{W}val")
        assert ilvl == str(level - 1)
        (num,) = [n for n in numbering.findall(f"{W}num") if n.get(f"{W}numId") == num_id]
        abstract_id = num.find(f"{W}abstractNumId").get(f"{W}val")
        (abstract,) = [
            a
            for a in numbering.findall(f"{W}abstractNum")
            if a.get(f"{W}abstractNumId") == abstract_id
        ]
        (lvl,) = [x for x in abstract.findall(f"{W}lvl") if x.get(f"{W}ilvl") == ilvl]
        assert lvl.find(f"{W}lvlText").get(f"{W}val") == text
        assert lvl.find(f"{W}pStyle").get(f"{W}val") == f"Heading{level}"


def test_footnotes_are_real_word_footnotes(
    document: docx.document.Document, package: dict[str, bytes]
) -> None:
    rels = package["word/_rels/document.xml.rels"].decode()
    assert 'relationships/footnotes" Target="footnotes.xml"' in rels
    assert (
        'PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.footnotes+xml"' in package["[Content_Types].xml"].decode()
    )
    notes = docx.oxml.parse_xml(package["word/footnotes.xml"])
    kinds = {n.get(f"{W}id"): n.get(f"{W}type") for n in notes.findall(f"{W}footnote")}
    assert kinds == {
        "-1": "separator",
        "0": "continuationSeparator",
        "1": None,
        "2": None,
        "3": None,
    }
    # python-docx's element classes change what itertext() yields, so join the w:t texts.
    # Typography makes the space in "§ 24a" non-breaking; the words are the member's.
    texts = [
        "".join(t.text for t in n.iter(f"{W}t")).replace("\xa0", " ")
        for n in notes.findall(f"{W}footnote")[2:]
    ]
    expected = [f for b in blocks(PAPER.sections) if isinstance(b, Paragraph) for f in b.footnotes]
    assert texts == expected
    references = document.element.body.findall(f".//{W}footnoteReference")
    assert [r.get(f"{W}id") for r in references] == ["1", "2", "3"]
    settings = document.settings.element.find(f"{W}footnotePr")
    assert [n.get(f"{W}id") for n in settings] == ["-1", "0"]


def test_every_paragraph_carries_a_bookmark_with_its_id(
    document: docx.document.Document,
) -> None:
    body = document.element.body
    starts = body.findall(f".//{W}bookmarkStart")
    ids = [s.get(f"{W}id") for s in starts]
    assert len(ids) == len(set(ids))
    assert sorted(e.get(f"{W}id") for e in body.findall(f".//{W}bookmarkEnd")) == sorted(ids)
    names = {s.get(f"{W}name"): s for s in starts}
    assert all(len(name) <= 40 for name in names)
    for block in blocks(PAPER.sections):
        start = names[word.bookmark_name(block.id)]
        if isinstance(block, Paragraph):
            paragraph = start.getparent()
            assert "".join(t.text for t in paragraph.iter(f"{W}t")) == block.text
            assert paragraph.find(f"{W}bookmarkEnd").get(f"{W}id") == start.get(f"{W}id")
        else:
            table = start.getparent().getparent().getparent().getparent()
            assert table.tag == f"{W}tbl"
            assert table.findall(f".//{W}bookmarkEnd")[-1].get(f"{W}id") == start.get(f"{W}id")


def test_minority_opinions_are_labelled_and_set_apart(document: docx.document.Document) -> None:
    paragraphs = document.paragraphs
    labels = [
        (p.text, paragraphs[i + 1])
        for i, p in enumerate(paragraphs)
        if style_name(p) == "Mindermeinung Hinweis"
    ]
    assert [text for text, _ in labels] == [
        "Mindermeinung von Muster Antriebstechnik GmbH",
        "Mindermeinung eines Mitglieds",
    ]
    for _, opinion in labels:
        assert style_name(opinion) == "Mindermeinung"
    assert labels[0][1].text.startswith("Ein befristeter Industriestrompreis")
    minority = document.styles["Mindermeinung"]
    assert minority.font.italic and minority.paragraph_format.left_indent > 0


def test_table_of_contents_is_a_field_filled_with_the_headings(
    document: docx.document.Document,
) -> None:
    instructions = [i.text for i in document.element.body.iter(f"{W}instrText")]
    assert any(i.strip().startswith('TOC \\o "1-3"') for i in instructions)
    # Until LibreOffice laid it out (`pdf.lay_out`, see test_outgoing_paper), Word is asked
    # to fill in the page numbers.
    update = document.settings.element.find(f"{W}updateFields")
    assert update.get(f"{W}val") == "true"
    entries = [
        p.text.replace("\t", " ") for p in document.paragraphs if style_name(p).startswith("toc ")
    ]
    assert entries == [
        "Kernforderungen",
        "1. Ausgangslage",
        "2. Energie und Standort",
        "2.1. Netzentgelte",
        "3. Fachkräfte und Qualifizierung",
        "Beteiligte Mitglieder",
        "Ansprechpersonen",
    ]


def test_title_page_core_demands_and_annex_say_what_the_reader_needs(
    document: docx.document.Document,
) -> None:
    texts = [p.text for p in document.paragraphs]
    assert "Adressat\tBundesministerium für Wirtschaft und Energie" in texts
    assert "Datum\t25. November 2026" in texts
    assert (
        "Regelungsvorhaben\tGesetz zur Senkung der Stromkosten für die Industrie (RV0004711)"
        in texts
    )
    assert not any(t.startswith("Stand") or "Fassung" in t for t in texts)
    assert any(t.endswith("Registernummer R001234") for t in texts)
    demands = [
        p.text.replace("\xa0", " ")  # typography's non-breaking space in "6 ct/kWh"
        for p in document.paragraphs
        if style_name(p) == "Kernforderung"
    ]
    assert demands == list(PAPER.core_demands)
    bullets = [p.text for p in document.paragraphs if style_name(p) == "List Bullet"]
    assert bullets == list(PAPER.participants_named)
    assert "sowie 3 weitere Mitglieder, die nicht namentlich genannt werden möchten." in texts
    assert any(t.startswith("Dr. Anna Beispiel\nReferentin") for t in texts)


def test_header_and_footers_carry_name_state_and_page_fields(
    document: docx.document.Document,
) -> None:
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert section.header.paragraphs[0].text == (
        "Automobil-Zulieferverband NRW e. V.\tPositionspapier · 25. November 2026"
    )
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("\tSeite ")  # a final paper: no state beside the page
    instructions = [i.text.strip() for i in footer._p.iter(f"{W}instrText")]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert section.first_page_footer.paragraphs[0].text == (
        "Automobil-Zulieferverband NRW e. V. · Graf-Adolf-Platz 15 · 40213 Düsseldorf"
    )


def test_logo_has_alt_text_and_table_header_repeats(document: docx.document.Document) -> None:
    (doc_pr,) = document.element.body.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
    )
    assert doc_pr.get("descr") == "Logo: Automobil-Zulieferverband NRW e. V."
    (table,) = document.tables
    assert table._tbl.tr_lst[0].find(f"{W}trPr/{W}tblHeader") is not None
    assert table.cell(0, 0).text == "Land"
    captions = [p.text for p in document.paragraphs if style_name(p) == "Caption"]
    assert captions == ["Tabelle 1: Industriestrompreise im Vergleich (ct/kWh, 2025)"]


def test_accent_colour_comes_from_the_letterhead_and_stays_readable() -> None:
    yellow = replace(PAPER, association=replace(PAPER.association, accent_colour="FFD700"))
    styles = docx.Document(io.BytesIO(word.build_paper(yellow))).styles
    colour = str(styles["Heading 1"].font.color.rgb)
    assert colour == word.readable_on_white("FFD700") != "FFD700"
    assert build_template.ACCENT not in {
        str(s.font.color.rgb) for s in styles if getattr(s, "font", None) and s.font.color.rgb
    }


# --- text hygiene and input errors ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x00b\x0bc\x1fd\x7fe\x85f\x0cg", "ab\ncde\nf\ng"),
        ("Zeile\r\nZeile\rZeile", "Zeile\nZeile\nZeile"),
        ("\ud800x\ufffe\uffff", "x"),
        ("🚗 مرحبا <&>\"'", "🚗 مرحبا <&>\"'"),
        ("Tab\tbleibt", "Tab\tbleibt"),
    ],
)
def test_clean_text_keeps_what_xml_can_carry(raw: str, clean: str) -> None:
    assert wordml.clean_text(raw) == clean


def test_hostile_text_everywhere_still_gives_a_valid_document_that_converts(
    tmp_path: Path,
) -> None:
    data = word.build_paper(hostile_paper(), now=NOW)
    assert tools.schema_problems(data, tmp_path) == []
    reopened = docx.Document(io.BytesIO(data))
    assert any("Donaudampfschifffahrtsgesellschaft" in p.text for p in reopened.paragraphs)
    require_tool("soffice")
    require_tool("pdftotext")
    (tmp_path / "hostile.pdf").write_bytes(pdf.to_pdf(data))
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "hostile.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "<b>&amp;" in text and "Anführung" in text


@pytest.mark.parametrize(
    ("named", "anonymous", "sentence"),
    [
        ((), 1, "Mitgewirkt hat ein Mitglied, das nicht namentlich genannt werden möchte."),
        ((), 4, "Mitgewirkt haben 4 Mitglieder, die nicht namentlich genannt werden möchten."),
        (
            ("A GmbH",),
            1,
            "sowie ein weiteres Mitglied, das nicht namentlich genannt werden möchte.",
        ),
        (("A GmbH",), 0, "Mitgewirkt hat:"),
    ],
)
def test_anonymous_members_are_counted_in_correct_german(
    named: tuple[str, ...], anonymous: int, sentence: str
) -> None:
    paper = replace(PAPER, participants_named=named, participants_anonymous_count=anonymous)
    texts = [p.text for p in docx.Document(io.BytesIO(word.build_paper(paper))).paragraphs]
    assert sentence in texts


def test_a_paper_with_nothing_optional_is_still_valid(tmp_path: Path) -> None:
    bare = replace(
        PAPER,
        association=Letterhead(name="Verband"),
        core_demands=(),
        sections=(),
        participants_named=(),
        participants_anonymous_count=0,
        contact_persons=(),
        lobbyregister=None,
    )
    assert tools.schema_problems(word.build_paper(bare), tmp_path) == []


def _too_deep() -> PaperDocument:
    fourth = Section("Vierte Ebene")
    third = Section("Dritte Ebene", subsections=(fourth,))
    second = Section("Zweite Ebene", subsections=(third,))
    return replace(PAPER, sections=(Section("Erste Ebene", subsections=(second,)),))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Letterhead(name="V", accent_colour="blau"), "RRGGBB"),
        (lambda: Paragraph(-1, "x"), "negativ"),
        (lambda: Table(1, "T", header=("a", "b"), rows=(("nur eine",),)), "1 statt 2 Zellen"),
        (
            lambda: word.build_paper(
                replace(PAPER, sections=(Section("A", (Paragraph(1, "x"), Paragraph(1, "y"))),))
            ),
            "mehrfach",
        ),
        (lambda: word.build_paper(_too_deep()), "tiefer als drei Ebenen"),
        (
            lambda: word.build_paper(
                replace(PAPER, association=Letterhead(name="V", logo=b"kein Bild"))
            ),
            "kein lesbares Bild",
        ),
    ],
    ids=["colour", "negative-id", "ragged-table", "duplicate-id", "too-deep", "bad-logo"],
)
def test_input_that_cannot_be_exported_is_refused_in_german(
    make: Callable[[], object], message: str
) -> None:
    with pytest.raises(InvalidExportInput) as refused:
        make()
    assert message in refused.value.message


# --- what LibreOffice renders -----------------------------------------------------------------


def test_pdf_table_of_contents_lists_headings_with_their_pages(pdf_pages: list[str]) -> None:
    toc = pdf_pages[1]
    assert "Inhalt" in toc
    for title in ("Kernforderungen", "1. Ausgangslage", "2.1. Netzentgelte", "Ansprechpersonen"):
        match = re.search(rf"^\s*{re.escape(title)}\s*\.+\s*(\d+)\s*$", toc, re.MULTILINE)
        assert match, f"{title} missing from the TOC:\n{toc}"
        page = int(match.group(1))
        heading = title.split(". ", 1)[-1] if title[0].isdigit() else title
        assert heading in pdf_pages[page - 1], f"{title} is not on page {page}"


def test_pdf_footer_counts_pages_after_the_title_page(pdf_pages: list[str]) -> None:
    total = len(pdf_pages)
    assert total >= 3
    assert "Seite" not in pdf_pages[0]
    assert "Graf-Adolf-Platz 15 · 40213 Düsseldorf" in pdf_pages[0]
    for number, page in enumerate(pdf_pages[1:], start=2):
        assert f"Seite {number} von {total}" in page


def test_pdf_shows_footnotes_title_page_and_annex(pdf_pages: list[str]) -> None:
    text = "\n".join(pdf_pages)
    for note in ("Beschäftigtenstatistik 2025", "Nichthaushaltskunden", "§ 24a"):
        assert note in text
    assert "POSITIONSPAPIER" in pdf_pages[0] and "25. November 2026" in pdf_pages[0]
    assert "Mindermeinung von Muster Antriebstechnik GmbH" in text
    assert "sowie 3 weitere Mitglieder" in text


def test_pdf_pages_become_png_previews(paper_pdf: bytes) -> None:
    require_tool("pdftoppm")
    assert len(pdf.pdf_pages_to_png(paper_pdf, dpi=20)) == 4
    pages = pdf.pdf_pages_to_png(paper_pdf, dpi=30, first=2, last=3)
    assert len(pages) == 2
    assert all(page.startswith(b"\x89PNG") for page in pages)


def test_missing_libreoffice_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(PdfUnavailable, match="LibreOffice ist nicht installiert"):
        pdf.to_pdf(b"")


def test_a_hanging_conversion_is_killed_after_the_timeout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nsleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setattr(shutil, "which", lambda _name: str(fake))
    # A lock of its own: a conversion of another process (an app under test) must not answer.
    monkeypatch.setattr(pdf, "LOCK_FILE", tmp_path / "soffice.lock")
    started = datetime.now(UTC)
    with pytest.raises(PdfUnavailable, match="zu lange"):
        pdf.to_pdf(b"", timeout=1)
    assert (datetime.now(UTC) - started).total_seconds() < 10


def test_conversions_asked_for_at_once_run_one_after_the_other() -> None:
    require_tool("soffice")
    small = word.build_paper(replace(PAPER, sections=(), core_demands=()))
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: pdf.to_pdf(small), range(2)))
    assert all(r.startswith(b"%PDF") for r in results)


def test_an_export_made_again_reuses_its_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    """Saved versions never change: exporting one again (at another time) needs no second
    LibreOffice run, while a changed text is rendered anew."""
    require_tool("soffice")
    paper = replace(PAPER, sections=(), core_demands=("Netzentgelte deckeln.",))
    first = pdf.lay_out(word.build_paper(paper, now=datetime(2026, 12, 1, tzinfo=UTC)))
    monkeypatch.setattr(shutil, "which", lambda _name: None)  # no LibreOffice from here on
    again = pdf.lay_out(word.build_paper(paper, now=datetime(2026, 12, 5, tzinfo=UTC)))
    assert again.pdf == first.pdf
    changed = replace(paper, core_demands=("Netzentgelte senken.",))
    with pytest.raises(PdfUnavailable, match="nicht installiert"):
        pdf.lay_out(word.build_paper(changed))
