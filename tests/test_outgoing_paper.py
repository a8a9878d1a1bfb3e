"""The paper as a ministry receives it (issue 19): no workflow state on cover or footers,
readable version names, the register number only where it is set, a table of contents with
page numbers and no prompt in Word, tidy page breaks, German hyphenation, and a contact block
with function, phone, address and "Über uns"."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import docx.document
import pytest
from sqlalchemy.engine import Engine

from db.engine import create_engine_for, read_session, write_session
from db.models import Decision, ForumKind, PaperKind, PaperStatus, PaperVersion, Role, id_of
from exports import paper_exports, pdf, roundtrip, word
from exports.document import Letterhead, PaperDocument, Paragraph, Section
from positions.core import settings
from positions.core.errors import InvalidInput
from positions.core.permissions import SYSTEM, Actor
from positions.core.settings import Association
from positions.papers import approvals, papers, workflow
from positions.papers.diffing import Version, VersionParagraph
from positions.papers.papers import PaperFields
from positions.papers.version_names import version_title
from tests import factories, tools
from tests.apptest import log_in
from tests.test_app import switch
from tests.test_word_export import PAPER, W, blocks, style_name
from tests.tools import require_tool

NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
WORKFLOW_WORDS = ("Fassung", "Eingereicht", "Mitgliederbeteiligung", "Freigegeben", "Stand")
ABOUT = (
    "Der Automobil-Zulieferverband NRW vertritt 240 Zulieferbetriebe mit 85.000 "
    "Beschäftigten gegenüber Landes- und Bundespolitik."
)
HYPHEN_DICTIONARY = Path("/usr/share/hyphen/hyph_de_DE.dic")


# --- reading what the reader sees ---------------------------------------------------------


def opened(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def cover(document: docx.document.Document) -> list[str]:
    """The title page: every paragraph before the contents or the first heading."""
    texts = []
    for p in document.paragraphs:
        if style_name(p).startswith(("Heading", "TOC Heading")):
            break
        texts.append(p.text)
    return texts


def margins(document: docx.document.Document) -> list[str]:
    section = document.sections[0]
    parts = (section.header, section.footer, section.first_page_header, section.first_page_footer)
    return [p.text for part in parts for p in part.paragraphs]


def settings_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/settings.xml").decode()


def pdf_pages(data: bytes, tmp_path: Path) -> list[str]:
    """The text of each page; with -layout, so that a hyphen at a line's end stays there."""
    require_tool("pdftotext")
    path = tmp_path / "paper.pdf"
    path.write_bytes(data)
    command = ["pdftotext", "-layout", str(path), "-"]
    text = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


# --- version names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "title"),
    [
        (PaperStatus.DRAFT, "Entwurf vom 3. Dezember 2026"),
        (PaperStatus.MEMBER_REVIEW, "Fassung für die Mitgliederbeteiligung vom 3. Dezember 2026"),
        (PaperStatus.BOARD_APPROVAL, "Vorlage für den Vorstand vom 3. Dezember 2026"),
        (PaperStatus.APPROVED, "Beschlossene Fassung vom 3. Dezember 2026"),
        (PaperStatus.SUBMITTED, "Eingereichte Fassung vom 3. Dezember 2026"),
        (
            PaperStatus.OUTCOME_RECORDED,
            "Eingereichte Fassung, Ergebnis erfasst am 3. Dezember 2026",
        ),
    ],
)
def test_versions_are_named_after_what_they_are_for(status: PaperStatus, title: str) -> None:
    version = PaperVersion(
        paper_id=1, number=3, label="Als eingereicht erfassen", status=status, created_at=NOW
    )
    assert version_title(version) == title


def test_a_submitted_version_is_named_after_the_day_it_was_sent() -> None:
    version = PaperVersion(paper_id=1, number=4, status=PaperStatus.SUBMITTED, created_at=NOW)
    assert version_title(version, submitted_on=date(2026, 12, 1)) == (
        "Eingereichte Fassung vom 1. Dezember 2026"
    )


# --- a paper through the workflow -----------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    paper_id: int
    staff: Actor
    draft: int
    """The version members reviewed."""
    final: int
    """The version recorded as submitted."""


def _association(engine: Engine, *, register_number: str) -> None:
    with write_session(engine) as session:
        settings.save_association(
            session=session,
            actor=SYSTEM,
            values=Association(
                name="Automobil-Zulieferverband NRW e. V.",
                address="Graf-Adolf-Platz 15\n40213 Düsseldorf",
                register_number=register_number,
                about=ABOUT,
            ),
            now=NOW,
        )


def _sent_paper(
    engine: Engine,
    *,
    addressee: str = "Bundesministerium für Wirtschaft und Energie",
    forum_kind: ForumKind = ForumKind.FEDERAL,
) -> Sent:
    """A position paper taken through member review and board approval to „eingereicht“,
    with a contact person who gave her function and phone."""
    with write_session(engine) as session:
        referentin = factories.user(session, Role.STAFF)
        referentin.name = "Dr. Anna Beispiel"
        referentin.email = "a.beispiel@azv-nrw.de"
        referentin.function = "Referentin Energie- und Industriepolitik"
        referentin.phone = "+49 211 123456-12"
        staff = Actor.for_user(referentin)
        board = Actor.for_user(factories.user(session, Role.BOARD))
        forum = factories.forum(session, staff, kind=forum_kind)
        paper = papers.create_paper(
            session=session,
            actor=staff,
            forum_id=id_of(forum),
            fields=PaperFields(
                title="Industriestrom bezahlbar machen",
                kind=PaperKind.POSITION_PAPER,
                addressee=addressee,
                contact_ids=(id_of(referentin),),
            ),
            now=NOW,
        )
        paper_id = id_of(paper)
        section = papers.add_section(
            session=session, actor=staff, paper_id=paper_id, title="Forderungen", now=NOW
        )
        for i, text in enumerate(
            (
                "Der Bund senkt die Stromsteuer für das produzierende Gewerbe dauerhaft.",
                "Netzentgelte werden aus dem Bundeshaushalt bezuschusst.",
            )
        ):
            papers.add_paragraph(
                session=session,
                actor=staff,
                section_id=id_of(section),
                text=text,
                is_core_demand=i == 0,
                now=NOW,
            )
        workflow.apply(
            session=session, actor=staff, paper_id=paper_id, name="start_review", now=NOW
        )
        draft = papers.get_paper(session=session, actor=staff, paper_id=paper_id).version_counter
        workflow.apply(session=session, actor=staff, paper_id=paper_id, name="to_board", now=NOW)
        approved = papers.get_paper(session=session, actor=staff, paper_id=paper_id)
        approvals.decide(
            session=session,
            actor=board,
            paper_id=paper_id,
            version_number=approved.version_counter,
            decision=Decision.APPROVE,
            now=NOW,
        )
        workflow.submit(
            session=session,
            actor=staff,
            paper_id=paper_id,
            recipient=addressee,
            channel="E-Mail",
            submitted_on=date(2026, 12, 2),
            now=NOW,
        )
        final = papers.get_paper(session=session, actor=staff, paper_id=paper_id).version_counter
        return Sent(paper_id, staff, draft, final)


def _export(engine: Engine, sent: Sent, fmt: paper_exports.Format, version: int) -> bytes:
    with read_session(engine) as session:
        return paper_exports.export(
            session=session,
            actor=sent.staff,
            paper_id=sent.paper_id,
            fmt=fmt,
            version_number=version,
        ).data


def _built(engine: Engine, sent: Sent, version: int) -> bytes:
    """The .docx as built, without LibreOffice's layout (fast, for what the layout keeps)."""
    with read_session(engine) as session:
        doc = paper_exports.document_for(
            session=session, actor=sent.staff, paper_id=sent.paper_id, version_number=version
        )
    return word.build_paper(doc, now=NOW)


def test_the_submitted_paper_shows_date_and_title_and_no_workflow_state(
    engine: Engine, tmp_path: Path
) -> None:
    _association(engine, register_number="R001234")
    sent = _sent_paper(engine)
    data = _export(engine, sent, "docx", sent.final)
    assert tools.schema_problems(data, tmp_path) == []
    document = opened(data)
    front = cover(document)
    assert "Industriestrom bezahlbar machen" in front
    assert "Datum\t3. Dezember 2026" in front
    assert "Entwurf" not in front
    for text in [*front, *margins(document)]:
        for internal in (*WORKFLOW_WORDS, "Entwurf"):
            assert internal not in text, (internal, text)
    # A short paper: no contents page, and Word asks nothing when it opens the file.
    assert not [p for p in document.paragraphs if style_name(p).startswith("toc")]
    assert "updateFields" not in settings_xml(data)


def test_a_draft_says_entwurf_on_the_cover_and_on_every_page(engine: Engine) -> None:
    _association(engine, register_number="R001234")
    sent = _sent_paper(engine)
    document = opened(_built(engine, sent, sent.draft))
    front = cover(document)
    assert "Entwurf" in front
    assert document.sections[0].footer.paragraphs[0].text.startswith("Entwurf\tSeite ")
    for text in [*front, *margins(document)]:
        for internal in WORKFLOW_WORDS:
            assert internal not in text, (internal, text)


def test_the_synopse_and_a_returned_file_name_versions_readably(engine: Engine) -> None:
    _association(engine, register_number="R001234")
    sent = _sent_paper(engine)
    with read_session(engine) as session:
        synopsis = paper_exports.synopsis_for(
            session=session,
            actor=sent.staff,
            paper_id=sent.paper_id,
            old=sent.draft,
            new=sent.final,
        )
    assert synopsis.old.label == "Fassung für die Mitgliederbeteiligung vom 3. Dezember 2026"
    # Named after the day it was sent, not the day it was recorded.
    assert synopsis.new.label == "Eingereichte Fassung vom 2. Dezember 2026"


def test_the_contact_block_gives_function_phone_address_and_about_us(engine: Engine) -> None:
    _association(engine, register_number="R001234")
    sent = _sent_paper(engine)
    # Typography may bind "85.000 Beschäftigten" with a non-breaking space.
    texts = [
        p.text.replace("\xa0", " ") for p in opened(_built(engine, sent, sent.final)).paragraphs
    ]
    assert (
        "Dr. Anna Beispiel\nReferentin Energie- und Industriepolitik\n"
        "Telefon: +49 211 123456-12\nE-Mail: a.beispiel@azv-nrw.de"
    ) in texts
    assert "Automobil-Zulieferverband NRW e. V.\nGraf-Adolf-Platz 15\n40213 Düsseldorf" in texts
    assert (
        f"Über uns\n{ABOUT}\n"
        "Eingetragen im Lobbyregister des Deutschen Bundestages, Registernummer R001234"
    ) in texts
    assert not any("Referat" in t for t in texts)  # our role name is no job title


def test_without_a_register_number_no_register_line_appears(engine: Engine) -> None:
    _association(engine, register_number="")
    sent = _sent_paper(engine)
    # The draft may go out without it (a final version is refused, see test_lobbyregister).
    texts = " ".join(p.text for p in opened(_built(engine, sent, sent.draft)).paragraphs)
    assert "Registernummer" not in texts and "Lobbyregister" not in texts
    assert "Über uns" in texts


def test_a_paper_to_a_land_ministry_carries_no_register_number(engine: Engine) -> None:
    _association(engine, register_number="R001234")
    sent = _sent_paper(
        engine,
        addressee="Ministerium für Wirtschaft, Industrie, Klimaschutz und Energie NRW",
        forum_kind=ForumKind.STATE,
    )
    texts = " ".join(p.text for p in opened(_built(engine, sent, sent.final)).paragraphs)
    assert "Registernummer" not in texts


# --- table of contents and layout -------------------------------------------------------------


def _long_paper() -> PaperDocument:
    """About eight pages of text: four sections of twelve paragraphs."""
    sentence = (
        "Die Zulieferbetriebe brauchen verlässliche Energiepreise, schnelle Genehmigungen "
        "und Fachkräfte, um ihre Werke für neue Produkte umzubauen. "
    )
    ids = iter(range(1, 1000))
    sections = tuple(
        Section(
            title=f"Handlungsfeld {n}",
            paragraphs=tuple(Paragraph(next(ids), sentence * 4) for _ in range(12)),
        )
        for n in range(1, 5)
    )
    return replace(PAPER, sections=sections, status_label="")


def test_a_long_paper_has_its_contents_with_page_numbers_and_no_prompt(tmp_path: Path) -> None:
    require_tool("soffice")
    laid_out = pdf.lay_out(word.build_paper(_long_paper()))
    assert tools.schema_problems(laid_out.docx, tmp_path) == []
    assert "updateFields" not in settings_xml(laid_out.docx)
    entries = [p.text for p in opened(laid_out.docx).paragraphs if style_name(p).startswith("toc ")]
    assert entries[0] == "Kernforderungen\t3"
    pages = pdf_pages(laid_out.pdf, tmp_path)
    assert "Inhalt" in pages[1]
    for entry in entries:
        *title, page = entry.split("\t")
        heading = title[-1]
        assert page.isdigit(), entry
        assert re.search(rf"^\s*(\d+\.\s+)?{re.escape(heading)}\s*$", pages[int(page) - 1], re.M), (
            f"{heading} is not on page {page}"
        )


def test_a_short_paper_goes_from_its_title_page_straight_to_the_text(tmp_path: Path) -> None:
    require_tool("soffice")
    laid_out = pdf.lay_out(word.build_paper(PAPER))
    assert tools.schema_problems(laid_out.docx, tmp_path) == []
    assert "updateFields" not in settings_xml(laid_out.docx)
    document = opened(laid_out.docx)
    assert not [p for p in document.paragraphs if style_name(p).startswith(("toc", "TOC"))]
    pages = pdf_pages(laid_out.pdf, tmp_path)
    assert len(pages) <= 4
    assert "Inhalt" not in "".join(pages)
    header, first, *_ = [line.strip() for line in pages[1].splitlines() if line.strip()]
    assert header.startswith("Automobil-Zulieferverband") and first == "Kernforderungen"
    # The contact block shares its page with text, never a page of its own.
    [last] = [p for p in pages if "Ansprechpersonen" in p]
    assert "Beteiligte Mitglieder" in last or "Fachkräfte" in last


def test_the_imprint_is_never_read_back_as_paper_text() -> None:
    bare = replace(PAPER, participants_named=(), participants_anonymous_count=0, contact_persons=())
    data = word.build_paper(bare)
    document = opened(data)
    headings = [p.text for p in document.paragraphs if style_name(p) == "Heading 1"]
    assert headings[-1] == "Über uns"
    [imprint] = [p.text for p in document.paragraphs if style_name(p) == "Impressum"]
    assert imprint.startswith("Der Verband vertritt") and "Graf-Adolf-Platz 15" in imprint
    paragraphs = [
        VersionParagraph(id=b.id, section="", text=b.text)
        for b in blocks(bare.sections)
        if isinstance(b, Paragraph)
    ]
    stored = Version(label="Entwurf", created=date(2026, 11, 25), paragraphs=paragraphs)
    returned = roundtrip.read_returned_file(data, filename="zurueck.docx").propose(stored)
    assert [p.kind for p in returned.proposals if p.kind != "unchanged"] == []


def test_widows_orphans_and_stranded_lines_are_prevented() -> None:
    document = opened(word.build_paper(PAPER))
    styles = document.styles.element
    assert styles.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr/{W}widowControl") is not None
    assert document.styles["Normal"].element.find(f"{W}pPr/{W}widowControl") is not None
    for name in ("Heading 1", "Heading 2", "Heading 3", "Mindermeinung Hinweis", "caption"):
        assert document.styles[name].paragraph_format.keep_with_next, name
    paragraphs = document.paragraphs
    [intro] = [i for i, p in enumerate(paragraphs) if p.text == "Mitgewirkt haben:"]
    assert paragraphs[intro].paragraph_format.keep_with_next
    # The first name stays with the second, the last but one with the last and the last
    # with the sentence about the unnamed members.
    names = paragraphs[intro + 1 : intro + 4]
    assert [bool(p.paragraph_format.keep_with_next) for p in names] == [True, True, True]
    assert [p for p in paragraphs if style_name(p) == "Kontakt"]
    assert document.styles["Kontakt"].paragraph_format.keep_together


def test_german_words_are_hyphenated_in_the_pdf(tmp_path: Path) -> None:
    require_tool("soffice")
    if not HYPHEN_DICTIONARY.exists():
        pytest.skip("hyphen-de is not installed (scripts/install-system-deps.sh)")
    words = (
        "Rechtsschutzversicherungsgesellschaften",
        "Arbeiterunfallversicherungsgesetz",
        "Grundstücksverkehrsgenehmigungszuständigkeit",
        "Energiewirtschaftsgesetzänderungsverordnung",
    )
    text = " ".join(words * 6)
    paper = replace(PAPER, sections=(Section("Begriffe", (Paragraph(1, text),)),))
    lines = "\n".join(pdf_pages(pdf.to_pdf(word.build_paper(paper)), tmp_path))
    split = re.findall(r"(\w+)-\n\s*(\w+)", lines)
    # Split inside the words, at syllables: "Grundstücks-" / "verkehrsgenehmigungs…".
    assert any(a + b in words for a, b in split), split


def test_the_outgoing_pdf_shows_no_workflow_state(sqlite_url: str, tmp_path: Path) -> None:
    # One rendering is enough: the database part runs on both databases in the other tests.
    require_tool("soffice")
    engine = create_engine_for(sqlite_url)
    _association(engine, register_number="R001234")
    sent = _sent_paper(engine)
    text = "\n".join(pdf_pages(_export(engine, sent, "pdf", sent.final), tmp_path))
    for internal in (*WORKFLOW_WORDS, "Entwurf", "Referat "):
        assert internal not in text, internal
    assert "Registernummer R001234" in text and "Über uns" in text
    assert "Seite 2 von 2" in text


# --- settings ---------------------------------------------------------------------------------


def test_about_us_is_an_association_setting_of_bounded_length(engine: Engine) -> None:
    _association(engine, register_number="R001234")
    with read_session(engine) as session:
        assert settings.association(session=session).about == ABOUT
    with write_session(engine) as session, pytest.raises(InvalidInput, match="höchstens 600"):
        settings.save_association(
            session=session,
            actor=SYSTEM,
            values=Association(name="Verband", about="Wir " * 200),
        )


def test_administrators_write_about_us_on_the_settings_page(demo_url: str) -> None:
    app = switch(log_in("admin@demo.example"), "ui/pages/settings.py")
    [about] = [a for a in app.text_area if a.label == "Über uns"]
    about.input("Wir vertreten die Zulieferer in Nordrhein-Westfalen.")
    [save] = [b for b in app.button if b.label == "Speichern" and "association" in str(b.form_id)]
    save.click().run()
    assert not app.exception and not app.error
    with read_session(create_engine_for(demo_url)) as session:
        stored = settings.association(session=session)
    assert stored.about == "Wir vertreten die Zulieferer in Nordrhein-Westfalen."
    assert stored.name  # the other fields of the form were kept


def test_the_letterhead_carries_about_us_into_the_paper(engine: Engine) -> None:
    _association(engine, register_number="")
    with read_session(engine) as session:
        head = paper_exports.letterhead(session=session)
    assert head == Letterhead(
        name="Automobil-Zulieferverband NRW e. V.",
        address=("Graf-Adolf-Platz 15", "40213 Düsseldorf"),
        accent_colour=settings.DEFAULT_ACCENT,
        about=ABOUT,
    )
