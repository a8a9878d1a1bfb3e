"""Statements marked "anonym verwendbar" or "nur intern" must never leak their company (or,
for internal ones, their text) where they must not appear: exports, other members' pages and
searches, e-mails, the audit trail and the application log."""

import io
import logging
import re
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select
from streamlit.testing.v1 import AppTest

from db.engine import create_engine_for, read_session, write_session
from db.models import (
    AuditEvent,
    Call,
    MailKind,
    Paper,
    Role,
    SourceHow,
    Statement,
    StatementStatus,
    Visibility,
    id_of,
)
from exports import paper_exports, pdf, report, tables
from positions.core import accounts
from positions.core.clock import today_in_berlin
from positions.core.permissions import Actor
from positions.forums import calls, mail
from positions.papers import papers
from positions.papers.snapshot import SourceRef
from positions.statements import search, statements
from tests import factories
from tests.apptest import log_in
from tests.conftest import REPO

ANONYMOUS_COMPANY = "Markerfirma Anonym GmbH"
INTERNAL_COMPANY = "Markerfirma Intern AG"
INTERNAL_TEXT = "INTERNTEXT-4419 Verlagerung nach Übersee"
ANONYMOUS_TEXT = "Wir fordern ANONYMTEXT-7781 schnellere Förderbescheide."
OBSERVER_EMAIL = "beobachter@beobachter.example"


@pytest.fixture
def marked(sqlite_demo_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, int]:
    """The demo database plus two marked statements and an observing member company."""
    monkeypatch.setenv("DATABASE_URL", sqlite_demo_url)
    engine = create_engine_for(sqlite_demo_url)
    with write_session(engine) as session:
        call = session.exec(
            select(Call).where(
                Call.title == "Finanzierung und Förderinstrumente in der Transformation"
            )
        ).one()
        staff = factories.actor(session)
        anonymous, internal, observer = (
            factories.organisation(session, name)
            for name in (ANONYMOUS_COMPANY, INTERNAL_COMPANY, "Beobachter GmbH")
        )
        calls.invite_organisations(
            session=session,
            actor=staff,
            call=call,
            organisation_ids=[id_of(anonymous), id_of(internal), id_of(observer)],
        )
        for organisation, text, visibility in (
            (anonymous, ANONYMOUS_TEXT, Visibility.ANONYMOUS),
            (internal, INTERNAL_TEXT, Visibility.INTERNAL),
        ):
            member = Actor.for_user(
                factories.user(session, Role.MEMBER, organisation, password=None)
            )
            statements.save_statement(
                session=session,
                actor=member,
                call_id=id_of(call),
                text_input=text,
                visibility=visibility,
                submit=True,
                expected_version=None,
            )
        user = factories.user(session, Role.MEMBER, observer, email=OBSERVER_EMAIL)
        user.password_hash = accounts.hash_password(factories.PASSWORD)
        call_id = id_of(call)
    engine.dispose()
    return sqlite_demo_url, call_id


def _no_markers(text: str, *, office: bool = False) -> None:
    """No anonymous company ever; internal statements (company and text) only in the office."""
    assert ANONYMOUS_COMPANY not in text
    if not office:
        assert INTERNAL_COMPANY not in text
        assert "INTERNTEXT-4419" not in text


def _xlsx_text(data: bytes) -> str:
    workbook = load_workbook(io.BytesIO(data))
    return " ".join(str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize("role", [Role.STAFF, Role.BOARD])
def test_exports_name_no_anonymous_company_and_keep_internal_in_the_office(
    marked: tuple[str, int], role: Role
) -> None:
    url, call_id = marked
    engine = create_engine_for(url)
    with write_session(engine) as session:
        reader = factories.actor(session, role)
        rows = statements.export_rows(session=session, actor=reader, call_id=call_id)
    for data in (
        tables.statements_csv(rows).decode("utf-8-sig"),
        _xlsx_text(tables.statements_xlsx(rows, title="Aufruf")),
    ):
        _no_markers(data, office=role == Role.STAFF)
        if role == Role.STAFF:
            assert "NUR INTERN" in data and "ANONYMTEXT-7781" in data


def test_other_members_search_and_mails_show_nothing_of_the_marked(marked: tuple[str, int]) -> None:
    url, call_id = marked
    engine = create_engine_for(url)
    with write_session(engine) as session:
        observer = accounts.load_actor(
            session=session,
            user_id=id_of(accounts.user_for_email(session=session, email=OBSERVER_EMAIL)),
        )
        assert observer is not None
        for query in ("Förderbescheide", "Verlagerung", "ANONYMTEXT", "fordern"):
            for hit in search.search(session=session, actor=observer, query=query):
                _no_markers(hit.point.text + hit.organisation.name)
                assert "ANONYMTEXT" not in hit.point.text
        staff = factories.actor(session)
        queued = mail.prepare(
            session=session,
            actor=staff,
            call_id=call_id,
            kind=MailKind.INVITATION,
            association_name="Verband",
        )
        for message in queued:
            if message.recipient != OBSERVER_EMAIL:
                continue
            _no_markers(message.body + message.subject)
            assert "ANONYMTEXT" not in message.body


def test_the_audit_trail_holds_no_statement_text(marked: tuple[str, int]) -> None:
    url, _ = marked
    with read_session(create_engine_for(url)) as session:
        events = session.exec(select(AuditEvent)).all()
    dumped = " ".join(f"{e.action} {e.detail} {e.before_hash} {e.after_hash}" for e in events)
    assert "INTERNTEXT" not in dumped and "ANONYMTEXT" not in dumped


def test_another_members_pages_and_the_log_stay_clean(
    marked: tuple[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    _, call_id = marked
    caplog.set_level(logging.DEBUG)
    app = log_in(OBSERVER_EMAIL, factories.PASSWORD)
    seen = []
    for page, params in (
        ("ui/pages/start.py", {}),
        ("ui/pages/call.py", {"aufruf": call_id}),
        ("ui/pages/search.py", {}),
    ):
        for key, value in params.items():
            app.query_params[key] = str(value)
        app.switch_page(page).run()
        assert not app.exception
        seen.append(repr(app._tree))  # every element the member's browser would receive
    [query] = [w for w in app.text_input if w.label == "Suchbegriffe"]
    query.input("fordern").run()
    seen.append(repr(app._tree))
    for tree in seen:
        _no_markers(tree)
        assert "ANONYMTEXT" not in tree
    _no_markers(caplog.text)
    assert "ANONYMTEXT" not in caplog.text


def test_no_per_user_data_is_cached_across_sessions() -> None:
    """st.cache_data would share what one person saw with everyone; only the engine (a
    resource without user data) is cached."""
    sources = {
        p: p.read_text()
        for folder in ("ui", "positions", "exports", "db")
        for p in (REPO / folder).rglob("*.py")
    } | {REPO / "app.py": (REPO / "app.py").read_text()}
    assert [p for p, text in sources.items() if "cache_data" in text] == []
    cached = [
        p.relative_to(REPO) for p, text in sources.items() if re.search(r"cache_resource", text)
    ]
    assert cached == [Path("ui/database.py")]


def test_every_paper_export_keeps_marked_sources_unnamed(
    marked: tuple[str, int], tmp_path: Path
) -> None:
    """The marked statements become sources of a paragraph (merged by the workspace and
    linked by hand); no Word, PDF, Synopse, feedback copy or activity report names them."""
    url, call_id = marked
    engine = create_engine_for(url)
    with write_session(engine) as session:
        staff = factories.actor(session)
        paper = session.exec(select(Paper).where(Paper.call_id == call_id)).one()
        marked_ids = [
            id_of(s)
            for s in session.exec(
                select(Statement).where(
                    Statement.call_id == call_id,
                    # A draft stays with its organisation and can be no source.
                    Statement.status == StatementStatus.SUBMITTED,
                    col(Statement.visibility).in_([Visibility.ANONYMOUS, Visibility.INTERNAL]),
                )
            ).all()
        ]
        section = papers.paper_view(session=session, actor=staff, paper_id=id_of(paper)).sections[0]
        papers.add_paragraph(
            session=session,
            actor=staff,
            section_id=id_of(section.section),
            text="Schnellere Förderbescheide sind nötig.",
            is_core_demand=True,
            sources=tuple(SourceRef(statement_id=i, how=SourceHow.QUOTED) for i in marked_ids),
        )
        version = papers.save_named_version(
            session=session, actor=staff, paper_id=id_of(paper), label="mit Quellen"
        )
        paper_id, number = id_of(paper), version.number
    assert len(marked_ids) >= 2
    with read_session(engine) as session:
        files = {
            fmt: paper_exports.export(
                session=session,
                actor=staff,
                paper_id=paper_id,
                fmt=fmt,
                version_number=number,
                compare_with=number - 1,
            ).data
            for fmt in ("docx", "feedback", "synopse-table", "synopse-tracked")
        }
        today = today_in_berlin()
        files["report"] = report.build_report(
            session=session, actor=staff, start=today - timedelta(days=400), end=today
        )
    for fmt, data in files.items():
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            text = " ".join(
                archive.read(n).decode("utf-8", "replace")
                for n in archive.namelist()
                if n.endswith((".xml", ".rels"))
            )
        _no_markers(text)
        assert "ANONYMTEXT-7781" not in text, fmt  # never quoted, only its demand
    rendered = pdf.to_pdf(files["docx"])
    (tmp_path / "paper.pdf").write_bytes(rendered)
    pdf_text = subprocess.run(
        ["pdftotext", str(tmp_path / "paper.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Schnellere Förderbescheide" in pdf_text
    _no_markers(pdf_text)


def _signed_in(email: str) -> AppTest:
    return log_in(email, factories.PASSWORD)


def _opened_answer(app: AppTest, call_id: int, row: int) -> str:
    """The call page with one row of the answer table clicked: every text and heading shown."""
    app.query_params["aufruf"] = str(call_id)
    app.switch_page("ui/pages/call.py").run()
    app.session_state[f"answers-{call_id}"] = {"selection": {"rows": [row], "columns": []}}
    app.run()
    assert not app.exception
    return " ".join(
        [t.value for t in app.text]
        + [e.label for e in app.expander]
        + [str(m.value) for m in (*app.markdown, *app.info, *app.caption)]
    )


def test_the_call_page_shows_staff_and_board_only_what_they_could_read(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member drafts, submits "nur intern", then resubmits named; another withdraws. The
    Verlauf panel shows each version only to whom it was readable when saved, and a
    withdrawn statement is listed without its text."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("POSITIONEN_DATA_DIR", str(tmp_path / "daten"))
    engine = create_engine_for(sqlite_url)
    with write_session(engine) as session:
        staff = Actor.for_user(factories.user(session, Role.STAFF, email="referat@test.example"))
        factories.user(session, Role.BOARD, email="vorstand@test.example")
        changing, withdrawing = (
            factories.organisation(session, name)
            for name in ("A-Wechselhaft GmbH", "B-Zurückgezogen GmbH")
        )
        call_id = id_of(
            factories.call(
                session, staff, factories.forum(session, staff), invited=[changing, withdrawing]
            )
        )
        member = Actor.for_user(factories.user(session, Role.MEMBER, changing, password=None))
        for expected, (text, visibility, submit) in enumerate(
            (
                ("ENTWURFSTEXT-1107 bleibt beim Mitglied.", Visibility.NAMED, False),
                ("INTERNTEXT-2208 nur für das Referat.", Visibility.INTERNAL, True),
                ("NAMENSTEXT-3309 darf zitiert werden.", Visibility.NAMED, True),
            )
        ):
            statements.save_statement(
                session=session,
                actor=member,
                call_id=call_id,
                text_input=text,
                visibility=visibility,
                submit=submit,
                expected_version=expected or None,
            )
        leaving = Actor.for_user(factories.user(session, Role.MEMBER, withdrawing, password=None))
        withdrawn = statements.save_statement(
            session=session,
            actor=leaving,
            call_id=call_id,
            text_input="RUECKZUGTEXT-4410 gilt nicht mehr.",
            visibility=Visibility.NAMED,
            submit=True,
            expected_version=None,
        )
        statements.withdraw_statement(
            session=session,
            actor=leaving,
            statement_id=id_of(withdrawn),
            expected_version=withdrawn.version,
        )
    engine.dispose()

    staff_sees = _opened_answer(_signed_in("referat@test.example"), call_id, 0)
    assert "NAMENSTEXT-3309" in staff_sees and "INTERNTEXT-2208" in staff_sees
    assert "Verlauf: 2 Fassungen" in staff_sees and "ENTWURFSTEXT" not in staff_sees
    # The board sees where answers stand, never a text beside a company's name.
    board_sees = _opened_answer(_signed_in("vorstand@test.example"), call_id, 0)
    assert "NAMENSTEXT" not in board_sees and "Verlauf" not in board_sees
    assert "INTERNTEXT" not in board_sees and "ENTWURFSTEXT" not in board_sees
    for email in ("referat@test.example", "vorstand@test.example"):
        shown = _opened_answer(_signed_in(email), call_id, 1)
        assert "RUECKZUGTEXT" not in shown
        assert "zurückgezogen" in shown or email.startswith("vorstand")
