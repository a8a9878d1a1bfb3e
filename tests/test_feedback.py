"""The feedback copy: member reviews as real Word comments on the paragraphs they are about."""

from __future__ import annotations

import io
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import docx.document
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import read_session
from db.models import Paper, PaperStatus, PaperVersion, Review, Stance, id_of
from exports import feedback, paper_exports, pdf
from exports.document import MemberReview
from exports.errors import InvalidExportInput
from positions.core.permissions import SYSTEM
from tests.test_word_export import HOSTILE, NOW, realistic_paper
from tests.tools import require_tool, schema_problems

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PAPER = realistic_paper()
SUBMITTED = datetime(2026, 11, 18, 16, 45, tzinfo=UTC)
REVIEWS = {
    102: [
        MemberReview(
            "Muster Antriebstechnik GmbH", Stance.SUPPORT, "Richtig so.", submitted=SUBMITTED
        ),
        MemberReview(
            "Geheim Zulieferer AG",
            Stance.CONCERN,
            "Energiepreise allein greifen zu kurz.\nBitte Fachkräfte ergänzen.",
            may_name=False,
        ),
    ],
    201: [
        MemberReview(
            "Rheinische Präzisionsteile GmbH & Co. KG",
            Stance.DISSENT,
            "Ein Industriestrompreis verzerrt den Wettbewerb.",
            minority_opinion_requested=True,
            staff_reply="Wird als Mindermeinung aufgenommen.",
        )
    ],
    204: [
        MemberReview("Beispiel Kunststofftechnik AG", Stance.CONCERN, "Quelle der Zahlen fehlt.")
    ],
    303: [],
}


@pytest.fixture(scope="module")
def copy_bytes() -> bytes:
    return feedback.build_feedback_copy(PAPER, REVIEWS, now=NOW)


@pytest.fixture(scope="module")
def document(copy_bytes: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(copy_bytes))


def test_copy_is_valid_as_word_reads_it(copy_bytes: bytes, tmp_path: Path) -> None:
    assert schema_problems(copy_bytes, tmp_path) == []


def test_comments_part_holds_one_comment_per_review(
    document: docx.document.Document, copy_bytes: bytes
) -> None:
    comments = list(document.comments)
    assert [(c.author, c.initials) for c in comments] == [
        ("Muster Antriebstechnik GmbH", "MA"),
        ("Mitglied (anonym)", "M"),
        ("Rheinische Präzisionsteile GmbH & Co. KG", "RP"),
        ("Beispiel Kunststofftechnik AG", "BK"),
    ]
    assert [c.text for c in comments] == [
        "Zustimmung\nRichtig so.",
        "Bedenken\nEnergiepreise allein greifen zu kurz.\nBitte Fachkräfte ergänzen.",
        "Ablehnung\nEin Industriestrompreis verzerrt den Wettbewerb.\nBitte um Mindermeinung.\n"
        "Antwort der Geschäftsstelle: Wird als Mindermeinung aufgenommen.",
        "Bedenken\nQuelle der Zahlen fehlt.",
    ]
    assert [c.timestamp for c in comments] == [SUBMITTED, NOW, NOW, NOW]
    stance = comments[0].paragraphs[0].runs[-1]
    assert stance.text == "Zustimmung" and stance.bold
    with zipfile.ZipFile(io.BytesIO(copy_bytes)) as archive:
        assert b"python-docx" not in archive.read("word/comments.xml").lower()
        assert b'relationships/comments" Target="comments.xml"' in archive.read(
            "word/_rels/document.xml.rels"
        )
    styles = {s.style_id for s in document.styles}
    assert {"CommentText", "CommentReference"} <= styles


def _commented(document: docx.document.Document) -> dict[str, list[str]]:
    """Bookmark (or caption text) → ids of the comments whose range lies in that paragraph."""
    found: dict[str, list[str]] = {}
    for start in document.element.body.iter(f"{W}commentRangeStart"):
        p = start.getparent()
        comment_id = start.get(f"{W}id")
        ends = [e.get(f"{W}id") for e in p.iter(f"{W}commentRangeEnd")]
        references = [r.get(f"{W}id") for r in p.iter(f"{W}commentReference")]
        assert comment_id in ends and comment_id in references
        bookmark = p.find(f"{W}bookmarkStart")
        key = (
            bookmark.get(f"{W}name")
            if bookmark is not None
            else "".join(t.text for t in p.iter(f"{W}t"))
        )
        found.setdefault(key, []).append(comment_id)
    return found


def test_comment_ranges_cover_the_paragraphs_the_reviews_are_about(
    document: docx.document.Document,
) -> None:
    ids = [str(c.comment_id) for c in document.comments]
    assert _commented(document) == {
        "_pos_p_102": ids[:2],
        "_pos_p_201": [ids[2]],
        "Tabelle 1: Industriestrompreise im Vergleich (ct/kWh, 2025)": [ids[3]],
    }
    # The range spans the paragraph's text and its footnote mark.
    p201 = next(
        s.getparent()
        for s in document.element.body.iter(f"{W}bookmarkStart")
        if s.get(f"{W}name") == "_pos_p_201"
    )
    children = [c.tag.split("}")[1] for c in p201]
    assert children.index("commentRangeStart") < children.index("r")
    assert children.index("commentRangeEnd") > max(
        i for i, c in enumerate(p201) if c.find(f"{W}footnoteReference") is not None
    )


def test_comment_ids_stay_clear_of_bookmark_and_footnote_ids(
    document: docx.document.Document,
) -> None:
    # LibreOffice hides a footnote's text when a comment has the same id.
    body = document.element.body
    others = [
        int(e.get(f"{W}id"))
        for tag in ("bookmarkStart", "footnoteReference")
        for e in body.iter(f"{W}{tag}")
    ]
    assert min(c.comment_id for c in document.comments) > max(others)


def test_copy_is_marked_internal_on_every_page(document: docx.document.Document) -> None:
    footer = document.sections[0].footer.paragraphs[0].text
    assert footer.startswith(feedback.INTERNAL_NOTE)
    assert any(feedback.INTERNAL_NOTE in p.text for p in document.paragraphs)


def _first_page(document: docx.document.Document) -> list[str]:
    """The texts of the paragraphs before the first one that starts a new page."""
    texts = []
    for p in document.paragraphs:
        if p.paragraph_format.page_break_before:
            break
        texts.append(p.text)
    return texts


def test_the_first_page_says_who_gave_feedback(document: docx.document.Document) -> None:
    assert (
        "4 Mitglieder haben zu 3 Absätzen Rückmeldungen gegeben; sie stehen in den "
        "Kommentaren am Rand." in _first_page(document)
    )


def test_a_copy_without_feedback_says_so_on_its_first_page(tmp_path: Path) -> None:
    data = feedback.build_feedback_copy(PAPER, {102: [], 201: []}, now=NOW)
    assert schema_problems(data, tmp_path) == []
    document = docx.Document(io.BytesIO(data))
    assert feedback.NO_FEEDBACK in _first_page(document)
    assert list(document.comments) == []
    footer = document.sections[0].footer.paragraphs[0].text
    assert footer.startswith(feedback.NO_FEEDBACK_NOTE)
    assert feedback.INTERNAL_NOTE not in footer
    # The sentence is what LibreOffice prints on the first page, too.
    require_tool("soffice")
    require_tool("pdftotext")
    path = tmp_path / "copy.pdf"
    path.write_bytes(pdf.to_pdf(data))
    first_page = subprocess.run(
        ["pdftotext", "-l", "1", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert feedback.NO_FEEDBACK in " ".join(first_page.split())


ASSENT_AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def test_plain_assent_is_gathered_into_one_comment_per_paragraph() -> None:
    reviews = {
        102: [
            MemberReview("Zeta Guss GmbH", Stance.SUPPORT, submitted=SUBMITTED),
            MemberReview("Geheim AG", Stance.CONCERN, "Zu teuer.", may_name=False),
            MemberReview("Alpha Stahl AG", Stance.SUPPORT, "Zustimmung.", submitted=ASSENT_AT),
            MemberReview("Anonym 1 GmbH", Stance.SUPPORT, " ", may_name=False),
            MemberReview("Anonym 2 GmbH", Stance.SUPPORT, "einverstanden", may_name=False),
            MemberReview("Beta Werk KG", Stance.SUPPORT, "Richtig so, danke."),
        ],
        201: [MemberReview("Nur Eine GmbH", Stance.SUPPORT, "", may_name=False)],
    }
    data = feedback.build_feedback_copy(PAPER, reviews, now=NOW)
    comments = list(docx.Document(io.BytesIO(data)).comments)
    assert [(c.author, c.text, c.timestamp) for c in comments] == [
        (
            feedback.ASSENT_AUTHOR,
            "Zustimmung: Alpha Stahl AG, Zeta Guss GmbH, 2 Mitglieder (anonym)",
            ASSENT_AT,
        ),
        ("Mitglied (anonym)", "Bedenken\nZu teuer.", NOW),
        ("Beta Werk KG", "Zustimmung\nRichtig so, danke.", NOW),
        (feedback.ASSENT_AUTHOR, "Zustimmung: ein Mitglied (anonym)", NOW),
    ]
    # Only the stance is bold, as in every other comment.
    runs = comments[0].paragraphs[0].runs
    assert [(r.text, bool(r.bold)) for r in runs if r.text] == [
        ("Zustimmung:", True),
        (" Alpha Stahl AG, Zeta Guss GmbH, 2 Mitglieder (anonym)", False),
    ]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = " ".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
    assert "Anonym 1" not in xml and "Anonym 2" not in xml and "Geheim" not in xml


def test_the_demo_papers_copy_gathers_its_assent(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        paper = session.exec(select(Paper).where(Paper.status == PaperStatus.MEMBER_REVIEW)).one()
        reviews = session.exec(
            select(Review).join(PaperVersion).where(PaperVersion.paper_id == paper.id)
        ).all()
        result = paper_exports.export(
            session=session, actor=SYSTEM, paper_id=id_of(paper), fmt="feedback"
        )
    document = docx.Document(io.BytesIO(result.data))
    comments = [(c.author, c.text) for c in document.comments]
    plain = [r for r in reviews if r.stance == Stance.SUPPORT and not r.comment.strip()]
    assert len(plain) >= 12 and len(comments) < len(reviews)
    assert len(comments) == len(reviews) - len(plain) + len({r.paragraph_id for r in plain})
    gathered = [text for author, text in comments if author == feedback.ASSENT_AUTHOR]
    assert gathered and all(text.startswith("Zustimmung: ") for text in gathered)
    assert not [text for _, text in comments if text == "Zustimmung"]
    assert any("Rückmeldungen gegeben" in text for text in _first_page(document))


@pytest.mark.parametrize(
    ("review", "plain"),
    [
        (MemberReview("A", Stance.SUPPORT), True),
        (MemberReview("A", Stance.SUPPORT, "  Zustimmung!  "), True),
        (MemberReview("A", Stance.SUPPORT, "Keine Anmerkungen."), True),
        (MemberReview("A", Stance.SUPPORT, "Zustimmung, aber Frist verlängern."), False),
        (MemberReview("A", Stance.SUPPORT, "", staff_reply="Danke!"), False),
        (MemberReview("A", Stance.CONCERN, "Zustimmung"), False),
        (MemberReview("A", Stance.DISSENT), False),
    ],
)
def test_what_counts_as_plain_assent(review: MemberReview, plain: bool) -> None:
    assert feedback.is_plain_assent(review) is plain


def test_comments_are_printed_in_german_typography() -> None:
    review = MemberReview(
        "Muster GmbH",
        Stance.CONCERN,
        'Der "Fonds" - so nicht; § 7g reicht.',
        staff_reply='Wir prüfen "das".',
    )
    data = feedback.build_feedback_copy(PAPER, {102: [review]}, now=NOW)
    [comment] = docx.Document(io.BytesIO(data)).comments
    assert comment.text == (
        "Bedenken\nDer „Fonds“ – so nicht; §\u00a07g reicht.\n"
        "Antwort der Geschäftsstelle: Wir prüfen „das“."
    )


def test_reviews_of_paragraphs_the_paper_lacks_are_refused() -> None:
    with pytest.raises(InvalidExportInput, match="Absatz 999"):
        feedback.build_feedback_copy(PAPER, {999: [MemberReview("A", Stance.SUPPORT)]})
    with pytest.raises(InvalidExportInput, match="unbekannt"):
        MemberReview("A", "maybe")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("organisation", "initials"),
    [
        ("Muster Antriebstechnik GmbH", "MA"),
        ("Automobil-Zulieferverband NRW e. V.", "AN"),
        ("3D Druck Werke AG", "DW"),
        ("", "M"),
    ],
)
def test_initials_leave_out_legal_forms(organisation: str, initials: str) -> None:
    assert feedback.initials(organisation) == initials


def test_hostile_reviews_give_a_valid_copy(tmp_path: Path) -> None:
    review = MemberReview(HOSTILE, Stance.DISSENT, HOSTILE, staff_reply=HOSTILE)
    data = feedback.build_feedback_copy(PAPER, {101: [review], 203: [review]})
    assert schema_problems(data, tmp_path) == []
    (first, _) = docx.Document(io.BytesIO(data)).comments
    assert "Donaudampfschifffahrtsgesellschaft" in first.author
    assert "Donaudampfschifffahrtsgesellschaft" in first.text


def test_pdf_keeps_footnotes_and_marks_the_comments(copy_bytes: bytes, tmp_path: Path) -> None:
    require_tool("soffice")
    require_tool("pdftotext")
    path = tmp_path / "copy.pdf"
    path.write_bytes(pdf.to_pdf(copy_bytes))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    for note in ("Beschäftigtenstatistik 2025", "Nichthaushaltskunden", "§ 24a"):
        assert note in text
    assert feedback.INTERNAL_NOTE in text
