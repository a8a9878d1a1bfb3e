"""One way to clean text: what every stored text and every Word export goes through."""

import unicodedata

import pytest
from sqlalchemy.engine import Engine

from db.engine import read_session, write_session
from db.models import PaperKind, Paragraph, id_of
from positions.core import cleaning
from positions.papers import papers
from positions.papers.papers import PaperFields
from tests import factories

NFD_UMLAUT = unicodedata.normalize("NFD", "Fördermittel")


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("  Zeile eins  \r\nZeile zwei\r", "Zeile eins\nZeile zwei"),
        (
            "Absatz\x0bmit Word-Umbruch\x0cund Seitenumbruch",
            "Absatz\nmit Word-Umbruch\nund Seitenumbruch",
        ),
        ("Trenner\u2028Zeile\u2029Absatz\x85Ende", "Trenner\nZeile\nAbsatz\nEnde"),
        ("Steuer\x00zei\x07chen\x1b und\x7f C1\x9b weg", "Steuerzeichen und C1 weg"),
        ("Tab\tbleibt", "Tab\tbleibt"),
        (NFD_UMLAUT, "Fördermittel"),
        ("kaputt\ud800es Surrogat\ufffe", "kaputtes Surrogat"),
        (" \n \t \n", ""),
    ],
)
def test_clean_is_the_stored_form(raw: str, stored: str) -> None:
    assert cleaning.clean(raw) == stored


def test_clean_line_is_one_line() -> None:
    assert (
        cleaning.clean_line("  Transformations-\r\n dialog\tAuto ")
        == "Transformations- dialog Auto"
    )


def test_printable_keeps_spacing_for_word_runs() -> None:
    assert cleaning.printable("  zwei  Leerzeichen\r\n") == "  zwei  Leerzeichen\n"


def test_paragraphs_are_stored_as_statements_are(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        paper = papers.create_paper(
            session=session,
            actor=staff,
            forum_id=id_of(factories.forum(session, staff)),
            fields=PaperFields(title="Positionspapier", kind=PaperKind.POSITION_PAPER),
        )
        section = id_of(
            papers.add_section(session=session, actor=staff, paper_id=id_of(paper), title="A")
        )
        paragraph = papers.add_paragraph(
            session=session,
            actor=staff,
            section_id=section,
            text=f"  {NFD_UMLAUT} sichern\x07\r\nund ausbauen.  ",
        )
        paragraph_id = paragraph.id
    with read_session(engine) as session:
        stored = session.get(Paragraph, paragraph_id)
        assert stored is not None
        assert stored.text == "Fördermittel sichern\nund ausbauen."
