"""Unsaved text kept in the browser (ui/drafts.py), the part Python decides, through AppTest:
a draft the browser reports (set here as the component's state, which AppTest cannot run)
is offered above the statement or paragraph editor, restored into it or discarded; one typed
on an older version than the stored one leads to a choice between both texts; a save tells
the browser to delete it. Logout clears what the site stored in the browser."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.cookies import SimpleCookie

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from streamlit.testing.v1 import AppTest

from db.engine import create_engine_for, read_session, write_session
from db.models import Organisation, Paper, PaperStatus, Paragraph, Statement, id_of
from positions.core import sessions
from positions.core.permissions import SYSTEM
from positions.papers import papers
from tests.apptest import log_in
from tests.test_app import FUNDING_CALL, _call_id, open_demo_call_as_member, switch, texts
from tests.test_routes import SECRET, get, new_handoff
from ui import drafts
from web import routes

MEMBER = "Bergische Umformtechnik GmbH"  # the organisation of the demo invitation
TYPED_AT = "2026-12-04T09:30:00.000Z"  # 10:30 Uhr in Berlin
OFFER = "Nicht gespeicherter Text vom Fr., 04.12.2026, 10:30 Uhr gefunden."


def report(app: AppTest, page_key: str, drafts_by_scope: dict[str, object]) -> AppTest:
    """What the browser's script does on load: report the drafts it found (then a rerun)."""
    app.session_state[f"drafts-{page_key}"] = {"drafts": drafts_by_scope}
    app.run()
    assert not app.exception
    return app


def stored_draft(text: str, base_version: int | None) -> dict[str, object]:
    return {"text": text, "base_version": base_version, "saved_at": TYPED_AT}


def browser_instructions(app: AppTest) -> list[dict[str, object]]:
    """The editors the page asks the browser to watch, with their clear numbers."""
    [element] = [e for e in app.get("bidi_component")]
    return list(json.loads(element.proto.json)["editors"])


def button(app: AppTest, label: str) -> AppTest:
    [found] = [b for b in app.button if b.label == label]
    found.click().run()
    assert not app.exception
    return app


def submit(app: AppTest, form: str, label: str) -> AppTest:
    [found] = [b for b in app.button if b.key == f"FormSubmitter:{form}-{label}"]
    found.click().run()
    assert not app.exception
    return app


def statement_editor(app: AppTest) -> str:
    [editor] = [t for t in app.text_area if t.label == "Ihre Stellungnahme"]
    return editor.value or ""


def member_statement(url: str) -> Statement:
    with read_session(create_engine_for(url)) as session:
        return session.exec(
            select(Statement)
            .join(Organisation, col(Organisation.id) == Statement.organisation_id)
            .where(Organisation.name == MEMBER)
        ).one()


def member_scope(app: AppTest, url: str) -> str:
    [editor] = browser_instructions(app)
    scope = str(editor["scope"])
    assert scope.endswith(f":stellungnahme:{_call_id(create_engine_for(url), FUNDING_CALL)}")
    return scope


# --- the member's statement ------------------------------------------------------------------


def test_a_statement_draft_is_restored_into_the_editor_and_deleted_after_the_save(
    demo_url: str,
) -> None:
    app = open_demo_call_as_member(demo_url)
    saved = member_statement(demo_url)
    assert OFFER not in texts(app)
    scope = member_scope(app, demo_url)
    [editor] = browser_instructions(app)
    assert editor["label"] == "Ihre Stellungnahme" and editor["base"] == saved.version
    assert editor["box"] == "st-key-statement-" + scope.rsplit(":", 1)[1] + "-text"

    report(app, scope, {scope: stored_draft("Nach dem Neuladen noch da.", saved.version)})
    assert OFFER in texts(app)
    assert statement_editor(app) == saved.text  # nothing replaced before the person decides

    button(app, "Wiederherstellen")
    assert statement_editor(app) == "Nach dem Neuladen noch da."
    assert OFFER not in texts(app)
    assert browser_instructions(app)[0]["clear"] == 0

    button(app, "Änderungen einreichen")
    assert member_statement(demo_url).text == "Nach dem Neuladen noch da."
    assert OFFER not in texts(app)
    assert browser_instructions(app)[0]["clear"] == 1  # the browser deletes the draft


def test_a_discarded_statement_draft_leaves_the_saved_text(demo_url: str) -> None:
    app = open_demo_call_as_member(demo_url)
    saved = member_statement(demo_url)
    scope = member_scope(app, demo_url)
    report(app, scope, {scope: stored_draft("Doch nicht.", saved.version)})

    button(app, "Verwerfen")
    assert OFFER not in texts(app)
    assert statement_editor(app) == saved.text
    assert browser_instructions(app)[0]["clear"] == 1


def test_a_draft_on_an_older_statement_shows_both_texts_before_anything_is_replaced(
    demo_url: str,
) -> None:
    app = open_demo_call_as_member(demo_url)
    saved = member_statement(demo_url)
    scope = member_scope(app, demo_url)
    report(app, scope, {scope: stored_draft("Auf der alten Fassung getippt.", saved.version - 1)})

    button(app, "Wiederherstellen")
    assert any("beruht auf einer älteren Fassung" in w.value for w in app.warning)
    shown = [t.value for t in app.text]
    assert "Auf der alten Fassung getippt." in shown and saved.text in shown
    assert statement_editor(app) == saved.text

    button(app, "Beide ins Textfeld (zum Zusammenführen)")
    assert statement_editor(app) == f"{saved.text}\n\nAuf der alten Fassung getippt."
    assert not app.warning
    button(app, "Änderungen einreichen")
    assert not app.error
    assert member_statement(demo_url).text == f"{saved.text}\n\nAuf der alten Fassung getippt."


def test_keeping_the_saved_statement_over_an_old_draft_deletes_the_draft(demo_url: str) -> None:
    app = open_demo_call_as_member(demo_url)
    saved = member_statement(demo_url)
    scope = member_scope(app, demo_url)
    report(app, scope, {scope: stored_draft("Veraltet.", saved.version - 1)})
    button(app, "Wiederherstellen")

    button(app, "Gespeicherte Fassung behalten")
    assert statement_editor(app) == saved.text
    assert not app.warning and OFFER not in texts(app)
    assert browser_instructions(app)[0]["clear"] == 1


def test_drafts_that_hold_nothing_new_are_not_offered(demo_url: str) -> None:
    app = open_demo_call_as_member(demo_url)
    saved = member_statement(demo_url)
    scope = member_scope(app, demo_url)
    report(app, scope, {scope: stored_draft(saved.text, saved.version)})
    assert OFFER not in texts(app)
    app.run()
    assert browser_instructions(app)[0]["clear"] == 1  # the browser may drop it
    for broken in (
        stored_draft("   \n", saved.version),
        {"text": "Ohne Zeit", "base_version": saved.version},
        {"text": "Falsche Zeit", "base_version": None, "saved_at": "gestern"},
        {"text": "Falsche Fassung", "base_version": "7", "saved_at": TYPED_AT},
        "kein Entwurf",
    ):
        report(app, scope, {scope: broken})
        assert OFFER not in texts(app) and not app.exception


def test_a_draft_of_another_statement_or_person_is_not_offered(demo_url: str) -> None:
    app = open_demo_call_as_member(demo_url)
    saved = member_statement(demo_url)
    scope = member_scope(app, demo_url)
    user, kind, call = scope.split(":")
    report(
        app,
        scope,
        {
            f"u999999:{kind}:{call}": stored_draft("Von jemand anderem.", saved.version),
            f"{user}:{kind}:999999": stored_draft("Zu einem anderen Aufruf.", saved.version),
        },
    )
    assert OFFER not in texts(app)


# --- a paragraph of a paper ------------------------------------------------------------------


def paper_with_paragraph(url: str) -> tuple[int, Paragraph]:
    with read_session(create_engine_for(url)) as session:
        paper = session.exec(select(Paper).where(Paper.status == PaperStatus.MEMBER_REVIEW)).one()
        view = papers.paper_view(session=session, actor=SYSTEM, paper_id=id_of(paper))
        return id_of(paper), view.all_paragraphs()[0].paragraph


def paragraph_text(url: str, paragraph_id: int) -> str:
    with read_session(create_engine_for(url)) as session:
        paragraph = session.get(Paragraph, paragraph_id)
        assert paragraph is not None
        return paragraph.text


def open_paper_as_staff(url: str) -> tuple[AppTest, Paragraph, str, str]:
    """The paper page for staff; its first paragraph, that paragraph's draft scope, and the
    page's draft key."""
    paper_id, paragraph = paper_with_paragraph(url)
    app = switch(log_in("referat@demo.example"), "ui/pages/paper.py", papier=str(paper_id))
    [scope] = [
        str(e["scope"])
        for e in browser_instructions(app)
        if str(e["scope"]).endswith(f":absatz:{id_of(paragraph)}")
    ]
    return app, paragraph, scope, f"paper-{paper_id}"


def paragraph_editor(app: AppTest, paragraph_id: int) -> str:
    [editor] = [t for t in app.text_area if t.key == f"paragraph-{paragraph_id}-text"]
    return editor.value or ""


def test_a_paragraph_draft_is_offered_before_its_editor_opens_and_restored_into_it(
    demo_url: str,
) -> None:
    app, paragraph, scope, page = open_paper_as_staff(demo_url)
    paragraph_id = id_of(paragraph)
    report(app, page, {scope: stored_draft("Absatz nach dem Neuladen.", paragraph.lock_version)})
    assert OFFER in texts(app)
    assert not [t for t in app.text_area if t.key == f"paragraph-{paragraph_id}-text"]

    button(app, "Wiederherstellen")
    assert paragraph_editor(app, paragraph_id) == "Absatz nach dem Neuladen."
    assert OFFER not in texts(app)

    submit(app, f"paragraph-{paragraph_id}", "Speichern")
    assert paragraph_text(demo_url, paragraph_id) == "Absatz nach dem Neuladen."
    [editor] = [e for e in browser_instructions(app) if e["scope"] == scope]
    assert editor["clear"] == 1


def test_a_paragraph_draft_on_an_older_version_goes_into_the_conflict_view(
    demo_url: str,
) -> None:
    app, paragraph, scope, page = open_paper_as_staff(demo_url)
    paragraph_id = id_of(paragraph)
    with write_session(create_engine_for(demo_url)) as session:  # a colleague saves meanwhile
        papers.save_paragraph(
            session=session,
            actor=SYSTEM,
            paragraph_id=paragraph_id,
            text="Fassung der Kollegin.",
            is_core_demand=paragraph.is_core_demand,
            expected_version=paragraph.lock_version,
        )
    app.run()
    report(app, page, {scope: stored_draft("Mein Entwurf.", paragraph.lock_version)})

    button(app, "Wiederherstellen")
    assert any("beruht auf einer älteren Fassung" in w.value for w in app.warning)
    shown = [t.value for t in app.text]
    assert "Mein Entwurf." in shown and "Fassung der Kollegin." in shown
    assert paragraph_text(demo_url, paragraph_id) == "Fassung der Kollegin."

    button(app, "Meine übernehmen")
    assert paragraph_text(demo_url, paragraph_id) == "Mein Entwurf."
    [editor] = [e for e in browser_instructions(app) if e["scope"] == scope]
    assert editor["clear"] == 1


def test_cancelling_the_paragraph_editor_discards_its_draft(demo_url: str) -> None:
    app, paragraph, scope, page = open_paper_as_staff(demo_url)
    paragraph_id = id_of(paragraph)
    report(app, page, {scope: stored_draft("Verworfen.", paragraph.lock_version)})
    button(app, "Wiederherstellen")

    submit(app, f"paragraph-{paragraph_id}", "Abbrechen")
    assert paragraph_text(demo_url, paragraph_id) == paragraph.text
    assert OFFER not in texts(app)
    [editor] = [e for e in browser_instructions(app) if e["scope"] == scope]
    assert editor["clear"] == 1


def test_a_paper_that_can_no_longer_be_edited_keeps_no_drafts(demo_url: str) -> None:
    with read_session(create_engine_for(demo_url)) as session:
        paper_id = session.exec(
            select(Paper.id).where(col(Paper.status).not_in(papers.EDITABLE))
        ).first()
    assert paper_id is not None
    app = switch(log_in("referat@demo.example"), "ui/pages/paper.py", papier=str(paper_id))
    assert not app.get("bidi_component")


# --- leaving ---------------------------------------------------------------------------------


@pytest.fixture
def route_database(demo_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The routes on a demo database of this test's own, with a fixed signing key."""
    monkeypatch.setenv("DATABASE_URL", demo_database_url)
    monkeypatch.setenv(sessions.SECRET_KEY_VARIABLE, SECRET)
    engine = create_engine_for(demo_database_url)
    yield engine
    routes.dispose_engines()
    engine.dispose()


def test_logout_clears_the_sites_storage_and_goes_on_to_the_login(route_database: Engine) -> None:
    handoff = new_handoff(route_database)
    handed = get(sessions.HANDOVER_PATH, query={"code": handoff.code, "weiter": "/"})
    value = handed.cookies()[sessions.COOKIE_NAME].value

    answer = get(sessions.LOGOUT_PATH, headers={"Cookie": f"{sessions.COOKIE_NAME}={value}"})
    # A page, not a redirect: Firefox clears site data only on a 2xx answer.
    assert answer.status == 200
    assert answer.header("clear-site-data") == '"storage"'
    assert answer.header("cache-control") == "no-store"
    cookies: SimpleCookie = answer.cookies()
    assert cookies[sessions.COOKIE_NAME].value == ""
    page = answer.body.decode()
    assert 'http-equiv="refresh" content="0; url=/"' in page
    assert f'key.startsWith("{drafts.STORAGE_PREFIX}")' in page
    assert routes.DRAFT_PREFIX == drafts.STORAGE_PREFIX


def test_forgetting_all_drafts_asks_the_browser_for_those_older_than_the_limit() -> None:
    def page() -> None:
        from datetime import timedelta

        from ui import drafts

        drafts.forget_all(older_than=timedelta(minutes=60))

    app = AppTest.from_function(page).run()
    assert not app.exception
    [element] = app.get("bidi_component")
    assert json.loads(element.proto.json) == {"editors": [], "forgetOlderThan": 3600.0}
