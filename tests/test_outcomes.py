"""Outcomes, adoption rates, the Lobbyregister package and the activity report."""

import io
import json
import subprocess
import zipfile
from datetime import date, timedelta
from pathlib import Path

import docx
import pytest
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import (
    Forum,
    MatchKind,
    MatchStatus,
    Outcome,
    Paper,
    PaperKind,
    PaperStatus,
    Setting,
    TextEmbedding,
    id_of,
)
from exports import lobbyregister as lobbyregister_package
from exports import pdf, report
from positions.core.clock import today_in_berlin
from positions.core.errors import InvalidInput, InvalidUpload
from positions.core.permissions import SYSTEM
from positions.followup import outcomes
from positions.followup import report as positions_report
from positions.papers import lobbyregister, papers
from positions.papers.papers import PaperFields
from tests.tools import require_tool, schema_problems


def _forum(engine: Engine, short: str) -> int:
    with read_session(engine) as session:
        return id_of(session.exec(select(Forum).where(Forum.short_name == short)).one())


def test_the_demo_outcome_counts_verbatim_reworded_and_turned_down(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        summary = outcomes.adoption(
            session=session, actor=SYSTEM, forum_id=_forum(demo_engine, "TDA")
        )
        [outcome] = session.exec(select(Outcome)).all()
        kinds = {
            MatchKind(v.match.kind)
            for v in outcomes.matches_of(session=session, actor=SYSTEM, outcome_id=id_of(outcome))
        }
    assert (summary.demands, summary.adopted, summary.partly, summary.turned_down) == (4, 1, 1, 1)
    assert summary.rate == 0.5
    assert kinds == set(MatchKind)


def test_a_new_outcome_is_searched_and_decisions_count(demo_engine: Engine) -> None:
    forum_id = _forum(demo_engine, "TDA")
    text = (
        "Die Forschungszulage wird für Auftragsforschung an Zulieferer geöffnet. "
        "Weitere Maßnahmen betreffen den Wohnungsbau."
    )
    with write_session(demo_engine) as session:
        outcome = outcomes.record_outcome(
            session=session,
            actor=SYSTEM,
            forum_id=forum_id,
            values=outcomes.OutcomeInput(
                title="Eckpunkte Forschung", pasted_text=text, published_on=today_in_berlin()
            ),
        )
        [found] = outcomes.find_matches(session=session, actor=SYSTEM, outcome_id=id_of(outcome))
        assert found.kind is MatchKind.VERBATIM and found.status is MatchStatus.SUGGESTED
        before = outcomes.adoption(session=session, actor=SYSTEM, forum_id=forum_id).rate
        outcomes.decide(session=session, actor=SYSTEM, match_id=id_of(found), confirmed=True)
        after = outcomes.adoption(session=session, actor=SYSTEM, forum_id=forum_id).rate
    assert (before, after) == (0.5, 0.75)


def test_the_outcome_sentences_are_embedded_once_and_kept_in_the_database(
    demo_engine: Engine,
) -> None:
    forum_id = _forum(demo_engine, "TDA")
    text = (
        "Die Forschungszulage wird für Auftragsforschung an Zulieferer geöffnet. "
        "Weitere Maßnahmen betreffen den Wohnungsbau."
    )
    with write_session(demo_engine) as session:
        outcome = outcomes.record_outcome(
            session=session,
            actor=SYSTEM,
            forum_id=forum_id,
            values=outcomes.OutcomeInput(title="Eckpunkte", pasted_text=text),
        )
        first: list[tuple[int, int]] = []
        outcomes.find_matches(
            session=session,
            actor=SYSTEM,
            outcome_id=id_of(outcome),
            progress=lambda done, total: first.append((done, total)),
        )
        stored = len(session.exec(select(TextEmbedding)).all())
        again: list[tuple[int, int]] = []
        outcomes.find_matches(
            session=session,
            actor=SYSTEM,
            outcome_id=id_of(outcome),
            progress=lambda done, total: again.append((done, total)),
        )
    assert first and first[-1][0] == first[-1][1] > 0
    assert stored >= 2  # the two sentences at least, and the demands
    # The second search computes nothing new: the progress bar has nothing to count.
    assert again == []


def test_bad_outcomes_get_german_messages(demo_engine: Engine) -> None:
    scan = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(scan, "PDF")
    with write_session(demo_engine) as session:
        with pytest.raises(InvalidUpload, match="keinen Text"):
            outcomes.record_outcome(
                session=session,
                actor=SYSTEM,
                forum_id=_forum(demo_engine, "TDA"),
                values=outcomes.OutcomeInput(title="Scan", file=("scan.pdf", scan.getvalue())),
            )
        without_papers = outcomes.record_outcome(
            session=session,
            actor=SYSTEM,
            forum_id=_forum(demo_engine, "FF-CYBER"),
            values=outcomes.OutcomeInput(
                title="Leitfaden",
                pasted_text="Ein deutscher Text über Informationssicherheit in der Lieferkette.",
            ),
        )
        with pytest.raises(InvalidInput, match="kein Papier eingereicht"):
            outcomes.find_matches(session=session, actor=SYSTEM, outcome_id=id_of(without_papers))
        with pytest.raises(InvalidInput, match="Text hoch oder"):
            outcomes.record_outcome(
                session=session,
                actor=SYSTEM,
                forum_id=_forum(demo_engine, "TDA"),
                values=outcomes.OutcomeInput(title="Leer"),
            )


def test_the_lobbyregister_package(demo_engine: Engine) -> None:
    with write_session(demo_engine) as session:
        paper = session.exec(
            select(Paper).where(
                Paper.status == PaperStatus.SUBMITTED, Paper.title.startswith("Stellungnahme")
            )
        ).one()
        number = session.get(Setting, "association.register_number")
        assert number is not None
        number.value = ""  # an association that has not entered its number yet
        session.add(number)
        session.flush()
        pack = lobbyregister.package(session=session, actor=SYSTEM, paper_id=id_of(paper))
        assert not pack.ready
        assert [c.label for c in pack.checks if not c.ok] == [
            "Registernummer des Verbands angegeben"
        ]
        with pytest.raises(InvalidInput, match="noch nicht vollständig"):
            lobbyregister_package.build_package(
                session=session, actor=SYSTEM, paper_id=id_of(paper)
            )
        paper.lobbyregister_relevant = True
        paper.register_number = "R001234"
        paper.regulatory_project_title = "Gesetz zur Beschleunigung der Förderverfahren"
        session.add(paper)
        session.flush()
        pack = lobbyregister.package(session=session, actor=SYSTEM, paper_id=id_of(paper))
        assert pack.ready, [c.label for c in pack.checks if not c.ok]
        result = lobbyregister_package.build_package(
            session=session, actor=SYSTEM, paper_id=id_of(paper)
        )
        lobbyregister.mark_uploaded(
            session=session, actor=SYSTEM, paper_id=id_of(paper), day=today_in_berlin()
        )
        with pytest.raises(InvalidInput, match="Zukunft"):
            lobbyregister.mark_uploaded(
                session=session,
                actor=SYSTEM,
                paper_id=id_of(paper),
                day=today_in_berlin() + timedelta(days=2),
            )
    with zipfile.ZipFile(io.BytesIO(result.data)) as archive:
        names = archive.namelist()
        fields = json.loads(archive.read("lobbyregister.json"))
        pdf = next(n for n in names if n.endswith(".pdf"))
        assert archive.read(pdf).startswith(b"%PDF")
    assert set(names) >= {"lobbyregister.json", "lobbyregister.csv"}
    assert fields["Registernummer"] == "R001234"
    assert fields["Adressaten"] == "BMWE, Referat Automobilindustrie"


def test_the_activity_report_has_figures_and_is_valid_word(
    demo_engine: Engine, tmp_path: Path
) -> None:
    today = today_in_berlin()
    with read_session(demo_engine) as session:
        data = report.build_report(
            session=session, actor=SYSTEM, start=date(today.year - 1, 1, 1), end=today
        )
        with pytest.raises(InvalidInput, match="vor seinem Anfang"):
            report.build_report(
                session=session, actor=SYSTEM, start=today, end=today - timedelta(days=1)
            )
    assert schema_problems(data, tmp_path) == []
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "Tätigkeitsbericht" in text and "Transformationsdialog Automobilindustrie" in text
    assert "nahm der Verband an" in text and "Kernforderungen" in text
    assert "Bergische Umformtechnik" not in text  # members appear only as counts
    # It opens in LibreOffice as well and turns into a PDF with the same content.
    require_tool("soffice")
    require_tool("pdftotext")
    path = tmp_path / "bericht.pdf"
    path.write_bytes(pdf.to_pdf(data))
    rendered = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Tätigkeitsbericht" in rendered and "Kernforderungen" in rendered
    assert "Bergische Umformtechnik" not in rendered


def test_calls_still_open_are_reported_as_running_not_as_poorly_answered(
    demo_engine: Engine,
) -> None:
    today = today_in_berlin()
    with read_session(demo_engine) as session:
        activity = positions_report.activity(
            session=session,
            actor=SYSTEM,
            start=today - timedelta(days=400),
            end=today + timedelta(days=400),
        )
        data = report.build_report(
            session=session,
            actor=SYSTEM,
            start=today - timedelta(days=400),
            end=today + timedelta(days=400),
        )
    running = [c for c in activity.calls if c.open_until is not None]
    assert running and all(c.open_until and c.open_until >= today for c in running)
    assert all(c.answered <= c.invited for c in activity.calls)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "noch; Mitglieder können dort weiter Stellung nehmen" in text
    [line] = [t for t in text.splitlines() if running[0].call.title in t and "Zum Aufruf" in t]
    assert "können Mitglieder noch bis zum" in line and "bisher antwortete" in line


def test_paper_fields_for_the_register_need_a_project(demo_engine: Engine) -> None:
    with (
        write_session(demo_engine) as session,
        pytest.raises(InvalidInput, match="Regelungsvorhabens"),
    ):
        papers.create_paper(
            session=session,
            actor=SYSTEM,
            forum_id=_forum(demo_engine, "TDA"),
            fields=PaperFields(title="X", kind=PaperKind.STATEMENT, lobbyregister_relevant=True),
        )
