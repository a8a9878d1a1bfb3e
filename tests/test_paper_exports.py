"""Stored papers leave the house as Word documents: footnotes only for members who allowed
naming, the annex without internal ones, Synopse, feedback and a returned file applied."""

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import (
    Decision,
    Paper,
    PaperStatus,
    Paragraph,
    SourceHow,
    Stance,
    Statement,
    Visibility,
    id_of,
)
from exports import lobbyregister, paper_exports, roundtrip
from exports.document import ExportOrigin
from exports.document import Paragraph as Block
from positions.core.errors import InvalidInput, InvalidUpload
from positions.core.permissions import SYSTEM, Actor
from positions.papers import approvals, papers, reviews, workflow
from positions.papers.papers import PaperFields
from positions.papers.snapshot import SourceRef
from positions.statements import statements
from tests.test_papers import Sourced, in_review, resave, sourced_paper
from tests.tools import schema_problems
from tests.word_edits import retype_paragraph


def _paper_id(engine: Engine) -> int:
    with read_session(engine) as session:
        paper = session.exec(select(Paper).where(Paper.status == PaperStatus.MEMBER_REVIEW)).one()
        return id_of(paper)


def _all_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return " ".join(
            archive.read(n).decode("utf-8", "replace")
            for n in archive.namelist()
            if n.endswith(".xml")
        )


@pytest.mark.parametrize("fmt", ["docx", "feedback", "synopse-table", "synopse-tracked"])
def test_every_word_export_of_the_demo_paper_is_valid(
    demo_engine: Engine, fmt: paper_exports.Format, tmp_path: Path
) -> None:
    with read_session(demo_engine) as session:
        result = paper_exports.export(
            session=session, actor=SYSTEM, paper_id=_paper_id(demo_engine), fmt=fmt
        )
    assert re.fullmatch(
        r"\d{4}-\d{2}-\d{2}_Grundsatzpapier-Beitrag_Transformationsdialog_v2"
        r"(_[\w-]+)?\.docx",
        result.filename,
    ), result.filename
    assert schema_problems(result.data, tmp_path) == []
    text = _all_xml(result.data)
    assert "python-docx" not in text
    # Laid out by LibreOffice: Word does not ask to update fields on opening.
    assert "w:updateFields" not in text
    assert "Hagener Federnwerk" not in text  # its statement is "nur intern"
    if fmt == "docx":
        assert "Bergische Umformtechnik GmbH, Stellungnahme vom" in text  # quoted, named
    if fmt == "synopse-tracked":
        # Version 2 added a sentence to the opening paragraph.
        assert re.search(r"<w:ins [^>]*>.*?Ohne verlässliche Finanzierung", text)
    if fmt == "feedback":
        assert "w:commentReference" in text


def test_the_annex_names_only_members_who_allowed_it(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        document = paper_exports.document_for(
            session=session, actor=SYSTEM, paper_id=_paper_id(demo_engine)
        )
    assert "Bergische Umformtechnik GmbH" in document.participants_named
    assert "Hagener Federnwerk GmbH" not in document.participants_named  # internal
    assert "Remscheider Antriebskomponenten AG" not in document.participants_named  # anonymous
    assert document.participants_anonymous_count == 2
    assert len(document.core_demands) == 4
    footnotes = [
        f for s in document.sections for p in s.paragraphs for f in getattr(p, "footnotes", ())
    ]
    assert footnotes and all("Hagener" not in f for f in footnotes)


def test_a_returned_word_file_is_applied_only_as_chosen(demo_engine: Engine) -> None:
    paper_id = _paper_id(demo_engine)
    with read_session(demo_engine) as session:
        exported = paper_exports.export(
            session=session, actor=SYSTEM, paper_id=paper_id, fmt="docx"
        ).data
    # A colleague edits the first demand in Word (untracked) and saves.
    edited = docx.Document(io.BytesIO(exported))
    # The demand stands in the Kernforderungen box and in its section; edit the section's.
    target = [p for p in edited.paragraphs if p.text.startswith("Der Bund legt ein Bürg")][-1]
    for run in target.runs[1:]:
        run.text = ""
    target.runs[0].text = "Der Bund legt ein Bürgschaftsprogramm mit 90 Prozent Haftung auf."
    buffer = io.BytesIO()
    edited.save(buffer)
    with read_session(demo_engine) as session:
        result = paper_exports.read_returned(
            session=session,
            actor=SYSTEM,
            paper_id=paper_id,
            data=buffer.getvalue(),
            filename="zurueck.docx",
        )
    assert result.compared_with.startswith("Fassung für die Mitgliederbeteiligung vom")
    [change] = [p for p in result.proposals if p.kind == "change"]
    assert "90 Prozent" in change.new_text and change.matched_by == "bookmark"
    with write_session(demo_engine) as session:
        version = papers.apply_returned_changes(
            session=session,
            actor=SYSTEM,
            paper_id=paper_id,
            changes=paper_exports.returned_changes([change]),
            source="zurueck.docx",
        )
    assert version is not None and version.label == "Rücklauf aus zurueck.docx"
    with read_session(demo_engine) as session:
        stored = session.get(Paragraph, change.paragraph_id)
        assert stored is not None and "90 Prozent" in stored.text


def test_the_logo_must_be_an_image(demo_engine: Engine) -> None:
    from positions.core import settings
    from positions.core.errors import InvalidInput

    with write_session(demo_engine) as session:
        with pytest.raises(InvalidInput, match="kein Bild"):
            settings.save_letterhead(
                session=session,
                actor=SYSTEM,
                colour="#1D5D9B",
                logo=("logo.png", b"MZ not an image"),
            )
        with pytest.raises(InvalidInput, match="Hex-Wert"):
            settings.save_letterhead(session=session, actor=SYSTEM, colour="blau", logo=None)
        with pytest.raises(InvalidInput, match="größer als 2 MB"):
            settings.save_letterhead(
                session=session,
                actor=SYSTEM,
                colour="#1D5D9B",
                logo=("logo.png", b"\x89PNG" + b"0" * (3 * 1024 * 1024)),
            )


def _export_docx(engine: Engine, paper_id: int) -> bytes:
    with read_session(engine) as session:
        return paper_exports.export(
            session=session, actor=SYSTEM, paper_id=paper_id, fmt="docx"
        ).data


def _read(engine: Engine, paper_id: int, data: bytes) -> roundtrip.ReturnedPaper:
    with read_session(engine) as session:
        return paper_exports.read_returned(
            session=session, actor=SYSTEM, paper_id=paper_id, data=data, filename="zurueck.docx"
        )


def test_a_returned_file_never_proposes_undoing_edits_made_after_its_export(
    demo_engine: Engine,
) -> None:
    paper_id = _paper_id(demo_engine)
    exported = _export_docx(demo_engine, paper_id)
    with read_session(demo_engine) as session:
        first, second = paper_exports.current_version(
            session=session, actor=SYSTEM, paper_id=paper_id
        ).paragraphs[:2]
    # While the file is out at the ministry, a colleague rewrites the first paragraph.
    with write_session(demo_engine) as session:
        stored = session.get(Paragraph, first.id)
        assert stored is not None
        papers.save_paragraph(
            session=session,
            actor=SYSTEM,
            paragraph_id=first.id,
            text="Heute im Büro neu gefasst.",
            is_core_demand=stored.is_core_demand,
            expected_version=stored.lock_version,
        )
    # The ministry changed only the second paragraph.
    returned = retype_paragraph(
        exported, "Das Ministerium schlägt dies vor.", paragraph_id=second.id
    )
    result = _read(demo_engine, paper_id, returned)
    changes = [p for p in result.proposals if p.kind != "unchanged"]
    assert [(p.kind, p.paragraph_id) for p in changes] == [("change", second.id)]
    assert changes[0].current_text is None
    assert result.compared_with.startswith("Fassung für die Mitgliederbeteiligung vom")
    # Had it also changed the first one, staff see today's text beside the proposal.
    both = retype_paragraph(returned, "Das Ministerium auch hier.", paragraph_id=first.id)
    result = _read(demo_engine, paper_id, both)
    [on_first] = [p for p in result.proposals if p.paragraph_id == first.id]
    assert on_first.old_text == first.text
    assert on_first.current_text == "Heute im Büro neu gefasst."
    assert any("seit dem Export geändert" in note for note in result.notes)


def test_a_file_exported_from_another_paper_is_refused(demo_engine: Engine) -> None:
    paper_id = _paper_id(demo_engine)
    with read_session(demo_engine) as session:
        other = session.exec(
            select(Paper).where(Paper.id != paper_id, Paper.version_counter > 0)
        ).first()
        assert other is not None
    with pytest.raises(InvalidUpload, match="aus einem anderen Papier exportiert"):
        _read(demo_engine, paper_id, _export_docx(demo_engine, id_of(other)))


def test_a_file_without_our_properties_is_compared_with_today_and_says_so(
    demo_engine: Engine,
) -> None:
    paper_id = _paper_id(demo_engine)
    exported = _export_docx(demo_engine, paper_id)
    stripped = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(exported)) as source,
        zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "_rels/.rels":
                data = re.sub(rb"<Relationship [^>]*custom-properties[^>]*/>", b"", data)
            if item.filename != "docProps/custom.xml":
                target.writestr(item, data)
    result = _read(demo_engine, paper_id, stripped.getvalue())
    assert result.compared_with == "aktueller Stand"
    assert "nennt keine gespeicherte Fassung" in result.notes[0]
    assert result.counts()["change"] == 0


def test_the_export_origin_survives_saving_in_libreoffice(
    demo_engine: Engine, tmp_path: Path
) -> None:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is installed by make test"
    paper_id = _paper_id(demo_engine)
    (tmp_path / "papier.docx").write_bytes(_export_docx(demo_engine, paper_id))
    out = tmp_path / "out"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out),
            str(tmp_path / "papier.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    saved = (out / "papier.docx").read_bytes()
    assert roundtrip.read_returned_file(saved).origin == ExportOrigin(paper_id, 2)
    assert _read(demo_engine, paper_id, saved).compared_with.startswith(
        "Fassung für die Mitgliederbeteiligung vom"
    )


def test_edits_outside_the_paper_text_are_named_not_lost(demo_engine: Engine) -> None:
    paper_id = _paper_id(demo_engine)
    edited = docx.Document(io.BytesIO(_export_docx(demo_engine, paper_id)))
    [box, *_] = [
        p for p in edited.paragraphs if p.style is not None and p.style.style_id == "Kernforderung"
    ]
    box.runs[0].text = "Im Kasten umformuliert."
    numbered = [
        p
        for p in edited.paragraphs
        if p.style is not None
        and p.style.style_id == "Heading1"
        and not p._p.xpath("./w:pPr/w:numPr/w:numId[@w:val='0']")
    ]
    numbered[0].runs[0].text = "Neue Überschrift vom Ministerium"
    buffer = io.BytesIO()
    edited.save(buffer)
    result = _read(demo_engine, paper_id, buffer.getvalue())
    notes = " ".join(result.notes)
    assert "„Neue Überschrift vom Ministerium“" in notes
    assert "Kasten „Kernforderungen“ wurde bearbeitet" in notes
    assert result.counts()["change"] == 0  # neither becomes a proposal of its own


# --- who an export names, as members change their statements and reviews ------------------


def _docx_text(engine: Engine, actor: Actor, paper_id: int, fmt: paper_exports.Format) -> str:
    with read_session(engine) as session:
        return _all_xml(
            paper_exports.export(session=session, actor=actor, paper_id=paper_id, fmt=fmt).data
        )


def _quote_every_statement(engine: Engine, sourced: Sourced, names: list[str]) -> None:
    with write_session(engine) as session:
        for name in names:
            papers.add_source(
                session=session,
                actor=sourced.staff,
                paragraph_id=sourced.paragraph_id,
                source=SourceRef(statement_id=sourced.statement_ids[name], how=SourceHow.QUOTED),
            )


def test_exports_cite_only_statements_that_stand_and_allow_naming(engine: Engine) -> None:
    """Withdrawn, taken back into draft, now anonymous or internal: no footnote, no name in
    "Mitgewirkt haben" or the feedback copy; a member whose statement is no source of the
    text is not listed either."""
    demand = "Förderprogramme vereinfachen."
    sourced = sourced_paper(
        engine,
        {
            "Zitiert GmbH": (demand, Visibility.NAMED),
            "Zurueckgezogen GmbH": (demand, Visibility.NAMED),
            "Entwurf GmbH": (demand, Visibility.NAMED),
            "Spaeter Anonym GmbH": (demand, Visibility.NAMED),
            "Intern GmbH": (demand, Visibility.INTERNAL),
            "Unbeteiligt GmbH": ("Etwas ganz anderes.", Visibility.NAMED),
        },
    )
    quoted = ["Zitiert GmbH", "Zurueckgezogen GmbH", "Entwurf GmbH", "Spaeter Anonym GmbH"]
    _quote_every_statement(engine, sourced, [*quoted, "Intern GmbH"])
    with write_session(engine) as session:
        paper = workflow.apply(
            session=session, actor=sourced.staff, paper_id=sourced.paper_id, name="start_review"
        )
        for name, comment in (("Zitiert GmbH", "Gut so."), ("Zurueckgezogen GmbH", "Zu knapp.")):
            reviews.submit_review(
                session=session,
                actor=sourced.members[name],
                paper_id=sourced.paper_id,
                version_number=paper.version_counter,
                entries=[reviews.ReviewInput(sourced.paragraph_id, Stance.CONCERN, comment)],
            )
    with write_session(engine) as session:
        withdrawn = session.get_one(Statement, sourced.statement_ids["Zurueckgezogen GmbH"])
        statements.withdraw_statement(
            session=session,
            actor=sourced.members["Zurueckgezogen GmbH"],
            statement_id=id_of(withdrawn),
            expected_version=withdrawn.version,
        )
        resave(session, sourced, "Entwurf GmbH", demand, Visibility.NAMED, submit=False)
        resave(session, sourced, "Spaeter Anonym GmbH", demand, Visibility.ANONYMOUS)
    with read_session(engine) as session:
        document = paper_exports.document_for(
            session=session, actor=sourced.staff, paper_id=sourced.paper_id
        )
    assert list(document.participants_named) == ["Zitiert GmbH"]
    assert document.participants_anonymous_count == 1  # the one now anonymous
    [paragraph] = [p for s in document.sections for p in s.paragraphs]
    assert isinstance(paragraph, Block)
    [footnote] = paragraph.footnotes
    assert footnote.startswith("Zitiert GmbH, Stellungnahme vom")
    for fmt in ("docx", "feedback"):
        text = _docx_text(engine, sourced.staff, sourced.paper_id, fmt)
        assert "Zitiert GmbH" in text, fmt
        for name in (*quoted[1:], "Intern GmbH", "Unbeteiligt GmbH"):
            assert name not in text, (fmt, name)
    feedback_text = _docx_text(engine, sourced.staff, sourced.paper_id, "feedback")
    assert "Zu knapp." in feedback_text  # the review stays, unnamed
    assert 'w:author="Mitglied (anonym)"' in feedback_text


def test_the_lobbyregister_package_names_no_withdrawn_member(
    engine: Engine, tmp_path: Path
) -> None:
    sourced = sourced_paper(
        engine,
        {
            "Bleibt GmbH": ("Förderprogramme vereinfachen.", Visibility.NAMED),
            "Geht GmbH": ("Förderprogramme vereinfachen.", Visibility.NAMED),
        },
    )
    _quote_every_statement(engine, sourced, ["Bleibt GmbH", "Geht GmbH"])
    with write_session(engine) as session:
        paper = session.get_one(Paper, sourced.paper_id)
        papers.update_paper(
            session=session,
            actor=sourced.staff,
            paper_id=sourced.paper_id,
            expected_lock=paper.lock_version,
            fields=PaperFields(
                title=paper.title,
                kind=paper.kind,
                call_id=paper.call_id,
                addressee="Bundesministerium für Wirtschaft und Energie",
                lobbyregister_relevant=True,
                register_number="R001234",
                regulatory_project_title="Förderrichtlinie Transformation",
            ),
        )
        paper = workflow.apply(
            session=session, actor=sourced.staff, paper_id=sourced.paper_id, name="to_board"
        )
        approvals.decide(
            session=session,
            actor=sourced.board,
            paper_id=sourced.paper_id,
            version_number=paper.version_counter,
            decision=Decision.APPROVE,
        )
        leaving = session.get_one(Statement, sourced.statement_ids["Geht GmbH"])
        statements.withdraw_statement(
            session=session,
            actor=sourced.members["Geht GmbH"],
            statement_id=id_of(leaving),
            expected_version=leaving.version,
        )
    with read_session(engine) as session:
        package = lobbyregister.build_package(
            session=session, actor=sourced.staff, paper_id=sourced.paper_id
        )
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(".pdf")]
        (tmp_path / "paket.pdf").write_bytes(archive.read(name))
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "paket.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "Bleibt GmbH" in text
    assert "Geht GmbH" not in text


def test_a_minority_opinion_is_named_only_with_the_members_own_consent(engine: Engine) -> None:
    sourced, ids, number = in_review(engine)
    with write_session(engine) as session:
        for name, paragraph_id, consent in (
            ("Dissens AG", ids[1], False),
            ("Zweifel AG", ids[2], True),
        ):
            reviews.submit_review(
                session=session,
                actor=sourced.members[name],
                paper_id=sourced.paper_id,
                version_number=number,
                entries=[
                    reviews.ReviewInput(
                        paragraph_id,
                        Stance.DISSENT,
                        f"Mindermeinung der {name}.",
                        minority_opinion=True,
                        name_consent=consent,
                    )
                ],
            )
    with write_session(engine) as session:
        requested = {
            name: review
            for row in reviews.tally(
                session=session, actor=sourced.staff, paper_id=sourced.paper_id
            )
            for review, name in row.reviews
        }
        assert not requested["Dissens AG"].name_consent and requested["Zweifel AG"].name_consent
        with pytest.raises(InvalidInput, match="nicht zugestimmt"):
            reviews.accept_minority_opinion(
                session=session,
                actor=sourced.staff,
                review_id=id_of(requested["Dissens AG"]),
                named=True,
            )
    with write_session(engine) as session:
        unnamed = reviews.accept_minority_opinion(
            session=session,
            actor=sourced.staff,
            review_id=id_of(requested["Dissens AG"]),
            named=False,
        )
        reviews.accept_minority_opinion(
            session=session,
            actor=sourced.staff,
            review_id=id_of(requested["Zweifel AG"]),
            named=True,
        )
        # A tick from before consent was asked for names nobody either.
        unnamed.minority_named = True
        session.add(unnamed)
        session.flush()
        papers.save_named_version(
            session=session, actor=sourced.staff, paper_id=sourced.paper_id, label="Mit Voten"
        )
    with read_session(engine) as session:
        document = paper_exports.document_for(
            session=session, actor=sourced.staff, paper_id=sourced.paper_id
        )
    labels = {
        p.text: p.minority_org_label
        for s in document.sections
        for p in s.paragraphs
        if isinstance(p, Block) and p.is_minority_opinion
    }
    assert labels == {
        "Mindermeinung der Dissens AG.": None,
        "Mindermeinung der Zweifel AG.": "Zweifel AG",
    }
    text = _docx_text(engine, sourced.staff, sourced.paper_id, "docx")
    assert "Zweifel AG" in text and "Dissens AG" not in text.replace(
        "Mindermeinung der Dissens AG.", ""
    )


def test_the_feedback_copy_keeps_reviews_with_the_version_they_reviewed(engine: Engine) -> None:
    sourced, ids, number = in_review(engine)
    with write_session(engine) as session:
        reviews.submit_review(
            session=session,
            actor=sourced.members["Zweifel AG"],
            paper_id=sourced.paper_id,
            version_number=number,
            entries=[
                reviews.ReviewInput(ids[0], Stance.SUPPORT, "Gut so."),
                reviews.ReviewInput(ids[1], Stance.CONCERN, "Bitte streichen."),
            ],
        )
    with write_session(engine) as session:
        paragraph = session.get_one(Paragraph, ids[1])
        papers.delete_paragraph(
            session=session,
            actor=sourced.staff,
            paragraph_id=ids[1],
            expected_version=paragraph.lock_version,
        )
        later = papers.save_named_version(
            session=session, actor=sourced.staff, paper_id=sourced.paper_id, label="gekürzt"
        ).number
    for version, expected, left_out in (
        (later, "Gut so.", "Bitte streichen."),
        (number, "Bitte streichen.", None),
    ):
        with read_session(engine) as session:
            copy = paper_exports.export(
                session=session,
                actor=sourced.staff,
                paper_id=sourced.paper_id,
                fmt="feedback",
                version_number=version,
            )
        text = _all_xml(copy.data)
        assert expected in text and "Gut so." in text
        if left_out:
            assert left_out not in text
