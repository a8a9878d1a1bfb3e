"""A member answers a call through an invitation link with a Word file; staff see it."""

import io
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect
from sqlmodel import col, select

from db.engine import write_session
from db.models import Call, Organisation, Role, User
from positions.core.permissions import SYSTEM
from positions.forums import invitations
from tests.e2e.browser import new_page, snapshot
from tests.e2e.conftest import app_engine
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.e2e
CALL = "Finanzierung und Förderinstrumente in der Transformation"
MEMBER = "Biggesee Dichtungstechnik GmbH"


def word_file(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Stellungnahme zur Finanzierung", level=1)
    document.add_paragraph(
        "Wir fordern steuerliche Anreize für Investitionen in klimaneutrale Dichtungsfertigung."
    )
    document.add_paragraph("Bürgschaften schneller bewilligen", style="List Bullet")
    document.add_paragraph("Beratung für Fördermittel ausbauen", style="List Bullet")
    document.save(str(path))
    return path


def invitation_link(app_url: str, app_data: dict[str, str]) -> str:
    engine = app_engine(app_data)
    with write_session(engine) as session:
        call = session.exec(select(Call).where(Call.title == CALL)).one()
        contact = session.exec(
            select(User)
            .join(Organisation, col(Organisation.id) == User.organisation_id)
            .where(Organisation.name == MEMBER, User.role == Role.MEMBER)
        ).one()
        _, token = invitations.create_invitation(
            session=session, actor=SYSTEM, call=call, contact=contact
        )
    engine.dispose()
    return f"{app_url}/?einladung={token}"


def test_a_member_uploads_word_answers_anonymously_and_staff_see_it(
    page: Page,
    browser: Browser,
    app_url: str,
    app_data: dict[str, str],
    screenshots: Path,
    tmp_path: Path,
) -> None:
    page.goto(invitation_link(app_url, app_data))
    page.get_by_role("link", name="Aufruf öffnen").click()
    expect(page.get_by_role("heading", name="Ihre Stellungnahme")).to_be_visible()
    page.locator("input[type=file]").first.set_input_files(word_file(tmp_path / "antwort.docx"))
    expect(page.get_by_text("steht jetzt im Textfeld")).to_be_visible()
    editor = page.get_by_role("textbox", name="Ihre Stellungnahme")
    expect(editor).to_have_value(
        "Stellungnahme zur Finanzierung\n\nWir fordern steuerliche Anreize für Investitionen "
        "in klimaneutrale Dichtungsfertigung.\n\n• Bürgschaften schneller bewilligen\n\n"
        "• Beratung für Fördermittel ausbauen"
    )
    page.get_by_text("anonym verwendbar").click()
    snapshot(page, screenshots / "statement-1-extracted.png")
    page.get_by_role("button", name="Einreichen").click()
    expect(page.get_by_text("Eingereicht am")).to_be_visible()
    snapshot(page, screenshots / "statement-2-submitted.png")

    office = new_page(browser)
    office.goto(f"{app_url}/foren")
    log_in(office, "referat@demo.example")
    office.get_by_role("link", name="Transformationsdialog Automobilindustrie (TDA)").click()
    office.get_by_role("link", name=CALL).first.click()
    # The forum page says the same of the call; wait until it has given way to the call page.
    expect(office.get_by_role("heading", name="Rückmeldungen")).to_be_visible()
    answered = office.get_by_text("12 von 25 Mitgliedern haben geantwortet")
    expect(answered).to_have_count(1)
    expect(answered).to_be_visible()
    expect(office.get_by_text("Eine Zeile anklicken")).to_be_visible()
    snapshot(office, screenshots / "statement-3-staff.png")
    with office.expect_download() as download:
        office.get_by_role("button", name="Tabelle (Excel)").click()
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = list(workbook["Stellungnahmen"].iter_rows(values_only=True))
    ours = [r for r in rows if r[8] and "Dichtungsfertigung" in r[8]]
    assert len(ours) == 1 and ours[0][1] == "anonym" and ours[0][2] in (None, "")
    assert all(MEMBER not in str(cell) for row in rows for cell in row)
    office.context.close()
