"""The Mitglieder pages through AppTest: staff search the register, add an organisation,
import a member list after a preview (a broken one shows its problems and stores nothing),
and change an organisation and its contacts; bad input gets a German message below its
field; the board reads, never learns which answer was anonymous."""

from __future__ import annotations

from sqlmodel import col, select
from streamlit.testing.v1 import AppTest

from db.engine import create_engine_for, read_session
from db.models import Organisation, Statement, User, Visibility
from tests.apptest import log_in
from tests.conftest import REPO
from tests.test_app import switch, texts
from ui.widgets import md

DATA = REPO / "tests" / "data" / "members"
STAFF = "referat@demo.example"
BOARD = "vorstand@demo.example"


def members_page(email: str = STAFF) -> AppTest:
    app = log_in(email)
    return switch(app, "ui/pages/members.py")


def organisation_page(url: str, name: str, email: str = STAFF) -> AppTest:
    with read_session(create_engine_for(url)) as session:
        organisation_id = session.exec(
            select(Organisation.id).where(Organisation.name == name)
        ).one()
    return switch(log_in(email), "ui/pages/organisation.py", id=str(organisation_id))


def names_listed(app: AppTest) -> list[str]:
    [table] = [d.value for d in app.dataframe if "Ansprechpersonen" in d.value.columns]
    return list(table["Name"])


def errors(app: AppTest) -> list[str]:
    return [e.value for e in app.error]


def organisation_names(url: str) -> set[str]:
    with read_session(create_engine_for(url)) as session:
        return set(session.exec(select(Organisation.name)).all())


def upload(app: AppTest, name: str) -> AppTest:
    [uploader] = [u for u in app.file_uploader if u.label.startswith("Mitgliederliste")]
    uploader.upload(name, (DATA / name).read_bytes(), "text/csv").run()
    assert not app.exception
    return app


def test_staff_search_the_register(demo_url: str) -> None:
    app = members_page()
    assert not app.exception and not app.error
    assert "Bergische Umformtechnik GmbH" in names_listed(app)
    assert len(names_listed(app)) == 25
    [search] = [t for t in app.text_input if t.label == "Suche"]
    search.input("klingenstadt").run()
    assert names_listed(app) == ["Klingenstadt Kabelsysteme GmbH & Co. KG"]
    search.input("mitglied@demo.example").run()  # a contact's address
    assert names_listed(app) == ["Bergische Umformtechnik GmbH"]


def test_a_new_organisation_needs_a_name_shown_below_the_field(demo_url: str) -> None:
    app = members_page()
    [create] = [b for b in app.button if b.label == "Mitglied anlegen"]
    create.click().run()
    assert errors(app) == ["Bitte geben Sie den Namen der Organisation an."]

    [name] = [t for t in app.text_input if t.label == "Name der Organisation"]
    name.input("Gießerei Groß & Söhne GmbH")
    [city] = [t for t in app.text_input if t.label == "Ort"]
    city.input("Lüdenscheid")
    [create] = [b for b in app.button if b.label == "Mitglied anlegen"]
    create.click().run()
    assert not app.exception and not app.error
    assert [t.value for t in app.title] == [md("Gießerei Groß & Söhne GmbH")]
    assert "Gießerei Groß & Söhne GmbH" in organisation_names(demo_url)


def test_an_import_shows_a_preview_and_stores_only_on_uebernehmen(demo_url: str) -> None:
    app = members_page()
    upload(app, "mitglieder.csv")
    page = texts(app)
    assert "**Neu:** 4 Organisationen, 5 Ansprechpersonen" in page
    assert "ignoriert" in " ".join(i.value for i in app.info)
    assert "Kundennummer" in " ".join(i.value for i in app.info)
    tables = [d.value for d in app.dataframe if "Zeile" in d.value.columns]
    new_rows = tables[0]
    assert "Müller & Söhne Präzisionstechnik GmbH" in set(new_rows["Organisation"])
    assert "anna.schröder@mueller-soehne.example" in set(new_rows["E-Mail"])
    assert "Kühlerbau Köln GmbH & Co. KG" not in organisation_names(demo_url)

    [apply] = [b for b in app.button if b.label == "Übernehmen"]
    apply.click().run()

    assert not app.exception
    assert any("übernommen: 4 Organisationen neu" in s.value for s in app.success)
    assert "Kühlerbau Köln GmbH & Co. KG" in organisation_names(demo_url)


def test_a_second_upload_of_the_same_list_has_nothing_to_apply(demo_url: str) -> None:
    app = members_page()
    upload(app, "mitglieder.csv")
    [apply] = [b for b in app.button if b.label == "Übernehmen"]
    apply.click().run()
    upload(app, "mitglieder_komma.csv")
    assert "**Unverändert:** 4 Organisationen, 5 Ansprechpersonen" in texts(app)
    assert any("nichts zu übernehmen" in s.value for s in app.success)
    assert not [b for b in app.button if b.label == "Übernehmen"]


def test_a_broken_list_lists_its_problems_and_stores_nothing(demo_url: str) -> None:
    before = organisation_names(demo_url)
    app = members_page()
    upload(app, "kaputt_doppelt.csv")
    assert any("wird nicht übernommen: 1 Problem" in e for e in errors(app))
    assert "Zeile 6: Die E-Mail-Adresse „ANNA.SCHRÖDER@mueller-soehne.example“" in texts(app)
    assert not [b for b in app.button if b.label == "Übernehmen"]
    assert organisation_names(demo_url) == before


def test_the_board_reads_and_exports_but_neither_adds_nor_imports(demo_url: str) -> None:
    app = members_page(BOARD)
    assert not app.exception
    assert "Bergische Umformtechnik GmbH" in names_listed(app)
    assert not [e for e in app.expander if e.label == "Neues Mitglied anlegen"]
    assert not [u for u in app.file_uploader]
    downloads = [str(b.proto.label) for b in app.get("download_button")]
    assert downloads == ["Excel (.xlsx)", "CSV (.csv)"]


def test_the_board_sees_how_many_answered_not_which_was_anonymous(demo_url: str) -> None:
    with read_session(create_engine_for(demo_url)) as session:
        anonymous = session.exec(
            select(Organisation.name)
            .join(Statement, col(Statement.organisation_id) == Organisation.id)
            .where(Statement.visibility == Visibility.ANONYMOUS)
        ).first()
    assert anonymous is not None
    board = organisation_page(demo_url, anonymous, BOARD)
    assert not board.exception and not board.error
    assert "eingereicht" in texts(board)
    assert "anonym" not in texts(board).replace("namentlich, anonym oder nur intern", "")
    assert not [d for d in board.dataframe if "Verwendung" in d.value.columns]
    assert not [b for b in board.button if b.label == "Änderungen speichern"]

    office = organisation_page(demo_url, anonymous, STAFF)
    [statements] = [d.value for d in office.dataframe if "Verwendung" in d.value.columns]
    assert "anonym verwendbar" in set(statements["Verwendung"])


def test_staff_change_an_organisation_with_messages_below_bad_fields(demo_url: str) -> None:
    app = organisation_page(demo_url, "Bergische Umformtechnik GmbH")
    assert not app.exception
    [code] = [t for t in app.text_input if t.label == "PLZ"]
    code.input("42#103")
    [website] = [t for t in app.text_input if t.label == "Webseite"]
    website.input("ftp://umformtechnik.example")
    [save] = [b for b in app.button if b.label == "Änderungen speichern"]
    save.click().run()
    assert errors(app) == [
        "„42#103“ ist keine gültige Postleitzahl.",
        "Die Webadresse muss mit https:// oder http:// beginnen.",
    ]

    [code] = [t for t in app.text_input if t.label == "PLZ"]
    code.input("42103")
    [website] = [t for t in app.text_input if t.label == "Webseite"]
    website.input("www.umformtechnik.example")
    [save] = [b for b in app.button if b.label == "Änderungen speichern"]
    save.click().run()
    assert not app.exception and not app.error
    with read_session(create_engine_for(demo_url)) as session:
        stored = session.exec(
            select(Organisation).where(Organisation.name == "Bergische Umformtechnik GmbH")
        ).one()
    assert (stored.postal_code, stored.website) == ("42103", "https://www.umformtechnik.example")


def test_staff_add_a_contact_and_a_bad_address_is_named(demo_url: str) -> None:
    app = organisation_page(demo_url, "Bergische Umformtechnik GmbH")

    def fill(label: str, value: str) -> None:
        [field] = [t for t in app.text_input if t.label == label and "new-contact" in str(t.key)]
        field.input(value)

    fill("Vorname", "Jörg")
    fill("Nachname", "Weiß")
    fill("E-Mail", "joerg.weiss(at)umformtechnik.example")
    [create] = [b for b in app.button if b.label == "Ansprechperson anlegen"]
    create.click().run()
    assert errors(app) == [
        "„joerg.weiss(at)umformtechnik.example“ ist keine gültige E-Mail-Adresse."
    ]

    fill("E-Mail", "Joerg.Weiss@Umformtechnik.example")
    [create] = [b for b in app.button if b.label == "Ansprechperson anlegen"]
    create.click().run()
    assert not app.exception and not app.error
    with read_session(create_engine_for(demo_url)) as session:
        added = session.exec(
            select(User).where(User.email == "joerg.weiss@umformtechnik.example")
        ).one()
    assert (added.name, added.role, added.active) == ("Jörg Weiß", "member", True)


def test_staff_retire_an_organisation_and_take_it_back(demo_url: str) -> None:
    app = organisation_page(demo_url, "Velberter Schließsysteme GmbH")
    [retire] = [b for b in app.button if b.label == "Als ausgeschieden markieren"]
    retire.click().run()
    assert not app.exception
    assert any("ausgeschieden" in w.value for w in app.warning)
    [back] = [b for b in app.button if b.label == "Mitglied wieder aufnehmen"]
    back.click().run()
    assert not app.exception
    assert not [w for w in app.warning if "ausgeschieden" in w.value]
