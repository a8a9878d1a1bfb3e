"""A production start without demo data, as the README describes it: `positionen migrate`
and `positionen create-admin` through the real console script on an empty data folder, the
app in AppTest (the first administrator logs in and is led through the setup), the member
list imported with `positionen members import`, and every page of the menu opening on the
nearly empty database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import cli
from db.engine import DATA_DIR_VARIABLE
from tests.apptest import log_in
from tests.test_app import page_links, texts
from ui import navigation

POSITIONEN = str(Path(sys.executable).with_name("positionen"))
ADMIN_EMAIL = "chefin@zulieferverband.example"
PASSWORD = "erster-start-2027"
MEMBER_LIST = (
    "Organisation;Vorname;Nachname;E-Mail;Funktion;Telefon;Fachforen\n"
    "Bergische Federn GmbH;Petra;Pohl;p.pohl@federn.example;Geschäftsführerin;;\n"
    "Bergische Federn GmbH;Ömer;Yıldız;o.yildiz@federn.example;Einkauf;0202 555 12;\n"
    "Wupper Guss AG;Lena;Lange;lena.lange@wupperguss.example;Leiterin Politik;;\n"
)
UNEXPECTED = "unerwarteter Fehler"


def positionen(*arguments: str, env: dict[str, str], stdin: str = "") -> str:
    result = subprocess.run(
        [POSITIONEN, *arguments],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty data folder that the console script and the app (AppTest) share."""
    import streamlit as st

    folder = tmp_path / "daten"
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(folder))
    yield folder
    st.cache_resource.clear()


def test_migrate_create_admin_import_members_and_log_in(
    data_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env[DATA_DIR_VARIABLE] = str(data_folder)
    assert "upgraded from empty" in positionen("migrate", env=env)
    created = positionen(
        "create-admin",
        "--email",
        ADMIN_EMAIL,
        "--name",
        "Clara Chefin",
        "--password-stdin",
        env=env,
        stdin=f"{PASSWORD}\n",
    )
    assert ADMIN_EMAIL in created

    app = log_in(ADMIN_EMAIL, PASSWORD)
    assert not app.exception
    page = texts(app)
    assert "Guten Tag, Clara Chefin" in page
    assert "Erste Schritte" in page and "0 von 4 erledigt" in page
    # An empty database looks empty, not broken: every section says why it has nothing.
    assert "In den nächsten acht Wochen steht keine Frist an." in page
    assert "Noch ist kein Forum angelegt." in page
    assert [m.value for m in app.metric] == ["0", "0", "0"]
    assert "Mitgliederliste" in page_links(app)

    import_members(data_folder, capsys)
    app.run()
    assert "Erledigt: 2 Mitgliedsunternehmen" in texts(app)

    for spec in navigation.PAGES:
        if spec.in_menu:
            app.switch_page(spec.path).run()
            assert not app.exception, spec.path
            assert UNEXPECTED not in texts(app), spec.path
            assert [t.value for t in app.title], f"{spec.path} shows no title"


def import_members(data_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`positionen members import Mitglieder.csv` through the console script's `main`."""
    listing = data_folder.parent / "Mitglieder.csv"
    listing.write_text(MEMBER_LIST, encoding="utf-8")
    assert cli.main(["members", "import", str(listing)]) == 0
    assert "organisations: 2 new" in capsys.readouterr().out
