"""The activity report read as the managing director who signs it: only meetings that took
place, dated the day it is made, full forum names, German that agrees in number."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

import docx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from db.engine import read_session
from db.models import Forum, Meeting, MeetingAttendee
from exports import pdf, report
from exports.word import german_date
from positions.core.clock import BERLIN, today_in_berlin, utcnow
from positions.core.errors import InvalidInput
from positions.core.permissions import SYSTEM
from positions.followup import report as activity_report
from tests.tools import require_tool, schema_problems


def _this_year() -> tuple[date, date]:
    today = today_in_berlin()
    return date(today.year, 1, 1), date(today.year, 12, 31)


def _text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _meetings(engine: Engine, start: date, end: date) -> tuple[list[Meeting], list[Meeting]]:
    """The demo's meetings with someone of us invited in the period: (past, future)."""
    now = utcnow()
    with read_session(engine) as session:
        attended = session.exec(
            select(Meeting).where(col(Meeting.id).in_(select(MeetingAttendee.meeting_id)))
        ).all()
    within = [m for m in attended if start <= m.starts_at.astimezone(BERLIN).date() <= end]
    return [m for m in within if m.starts_at <= now], [m for m in within if m.starts_at > now]


def test_only_meetings_that_took_place_count(demo_engine: Engine) -> None:
    start, end = _this_year()
    past, future = _meetings(demo_engine, start, end)
    assert future, "the demo has meetings still to come"
    with read_session(demo_engine) as session:
        activity = activity_report.activity(session=session, actor=SYSTEM, start=start, end=end)
        data = report.build_report(session=session, actor=SYSTEM, start=start, end=end)
    assert activity.meetings == len(past)
    text = _text(data)
    counted = "einer Sitzung" if len(past) == 1 else f"{len(past)} Sitzungen"
    assert f"nahm an {counted} teil" in text
    for meeting in future:
        day = meeting.starts_at.astimezone(BERLIN).date()
        assert german_date(day) not in text, meeting.title


def test_the_report_is_dated_the_day_it_is_made(demo_engine: Engine) -> None:
    start, end = _this_year()
    today = today_in_berlin()
    with read_session(demo_engine) as session:
        data = report.build_report(session=session, actor=SYSTEM, start=start, end=end)
    document = docx.Document(io.BytesIO(data))
    cover = [p.text for p in document.paragraphs[:8]]
    assert f"Datum\t{german_date(today)}" in cover
    assert report.period(start, today) in cover  # the title: what the report covers
    header = document.sections[0].header.paragraphs[0].text
    assert header.endswith(f"Tätigkeitsbericht · {german_date(today)}")
    if end > today:
        assert f"Datum\t{german_date(end)}" not in cover
        assert (
            f"Der Berichtszeitraum läuft bis zum {german_date(end)}; dieser Bericht gibt den "
            f"Stand vom {german_date(today)} wieder." in _text(data)
        )


def test_a_finished_period_is_reported_as_finished(demo_engine: Engine) -> None:
    today = today_in_berlin()
    start, end = today - timedelta(days=60), today - timedelta(days=1)
    with read_session(demo_engine) as session:
        data = report.build_report(session=session, actor=SYSTEM, start=start, end=end)
    text = _text(data)
    assert "Berichtszeitraum läuft" not in text
    assert f"Vom {report.period(start, end).replace(' bis ', ' bis zum ')} war" in text
    assert f"Datum\t{german_date(today)}" in text


def test_the_cover_shows_no_paper_fields(demo_engine: Engine) -> None:
    start, end = _this_year()
    with read_session(demo_engine) as session:
        data = report.build_report(session=session, actor=SYSTEM, start=start, end=end)
    text = _text(data)
    for field in ("Forum\t", "Stand\t", "alle Foren", "Fassung", "Bericht\n"):
        assert field not in text
    assert f"Adressat\t{report.ADDRESSEE}" in text


def test_it_reads_like_sentences_one_signs(demo_engine: Engine) -> None:
    start, end = _this_year()
    with read_session(demo_engine) as session:
        data = report.build_report(session=session, actor=SYSTEM, start=start, end=end)
        forums = session.exec(select(Forum)).all()
    text = _text(data)
    # Singular and plural agree: "an einer Sitzung", never "an 1 Sitzung".
    assert not re.search(r"\b1 (Sitzung|Forum|Aufruf|Papier|Mitglied|Kernforderung)", text)
    assert "an einer Sitzung" in text
    # Forums by their names, in prose and in tables.
    spelled_out = " ".join(f"{f.name} {f.host_institution}" for f in forums)
    codes = [f.short_name for f in forums if f.short_name not in spelled_out]
    assert "FF-CYBER" in codes
    for code in codes:
        assert not re.search(rf"(?<![\w.-]){re.escape(code)}(?![\w-])", text), code
    document = docx.Document(io.BytesIO(data))
    overview = document.tables[0]
    names = {f.name for f in forums}
    assert [r.cells[0].text for r in overview.rows[1:]]
    assert all(r.cells[0].text in names for r in overview.rows[1:])
    # A paper is named by its kind once.
    assert "Stellungnahme „Stellungnahme" not in text
    assert "die „Stellungnahme zum Regionaldialog Förderinstrumente“" in text
    assert "Im Forum Fachforum" not in text
    # German typography: no straight quotes, percent signs bound to their numbers.
    assert '"' not in text
    assert re.search(r"\d\u00a0%", text) and not re.search(r"\d %", text)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 1, 1), date(2026, 12, 5), "1. Januar bis 5. Dezember 2026"),
        (date(2025, 10, 1), date(2026, 9, 30), "1. Oktober 2025 bis 30. September 2026"),
        (date(2026, 3, 2), date(2026, 3, 2), "2. März 2026"),
    ],
)
def test_periods_are_written_out(start: date, end: date, expected: str) -> None:
    assert report.period(start, end) == expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [(0, "keiner Sitzung"), (1, "einer Sitzung"), (2, "2 Sitzungen"), (14, "14 Sitzungen")],
)
def test_counts_agree_in_number(number: int, expected: str) -> None:
    assert report.counted(number, "einer Sitzung", "Sitzungen", "keiner Sitzung") == expected


def test_a_period_that_has_not_begun_is_refused(demo_engine: Engine) -> None:
    today = today_in_berlin()
    with read_session(demo_engine) as session, pytest.raises(InvalidInput, match="Zukunft"):
        report.build_report(
            session=session,
            actor=SYSTEM,
            start=today + timedelta(days=1),
            end=today + timedelta(days=30),
        )


def test_a_meeting_counts_from_its_start(demo_engine: Engine) -> None:
    """The same period, made just before and just after the demo's next meeting began."""
    start, end = _this_year()
    _, future = _meetings(demo_engine, start, end)
    upcoming = min(future, key=lambda m: m.starts_at)
    with read_session(demo_engine) as session:
        before, after = (
            activity_report.activity(
                session=session, actor=SYSTEM, start=start, end=end, now=moment
            ).meetings
            for moment in (
                upcoming.starts_at - timedelta(minutes=1),
                upcoming.starts_at + timedelta(minutes=1),
            )
        )
    assert after == before + 1


def test_the_report_is_valid_word_and_renders(demo_engine: Engine, tmp_path: Path) -> None:
    start, end = _this_year()
    with read_session(demo_engine) as session:
        data = report.build_report(
            session=session, actor=SYSTEM, start=start, end=end, now=datetime.now(BERLIN)
        )
    assert schema_problems(data, tmp_path) == []
    require_tool("soffice")
    require_tool("pdftotext")
    path = tmp_path / "bericht.pdf"
    path.write_bytes(pdf.to_pdf(data))
    rendered = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    assert "Tätigkeitsbericht" in rendered and "Überblick" in rendered
    assert "Transformationsdialog Automobilindustrie" in rendered
    assert "Bergische Umformtechnik" not in rendered  # members appear only as counts
