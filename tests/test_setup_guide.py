"""„Erste Schritte“ on the start page of a fresh installation: an empty, migrated database
with nothing but an administrator, as `positionen migrate` and `create-admin` leave it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from db.engine import DATA_DIR_VARIABLE, create_engine_for, write_session
from db.models import Role
from positions.core import accounts, settings
from positions.core.permissions import Actor
from positions.core.settings import Association
from tests import factories
from tests.apptest import log_in
from tests.test_app import page_links, texts

ADMIN_EMAIL = "chefin@verband.example"
STEPS = ["Angaben zum Verband", "Briefkopf der Word-Dokumente", "E-Mail-Versand", "Mitgliederliste"]


@pytest.fixture
def fresh_installation(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """The app (AppTest) on an empty database holding only the first administrator."""
    import streamlit as st

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "daten"))
    engine = create_engine_for(sqlite_url)
    with write_session(engine) as session:
        accounts.create_admin(
            session=session, email=ADMIN_EMAIL, name="Clara Chefin", password=factories.PASSWORD
        )
    yield engine
    engine.dispose()
    st.cache_resource.clear()


def admin(engine: Engine) -> Actor:
    from db.engine import read_session

    with read_session(engine) as session:
        user = accounts.user_for_email(session=session, email=ADMIN_EMAIL)
        assert user is not None
        return Actor.for_user(user)


def checklist(app: AppTest) -> dict[str, str]:
    """Each step's title and its note ("Offen: …" or "Erledigt: …")."""
    notes = [c.value for c in app.caption if c.value.startswith(("Offen: ", "Erledigt: "))]
    titles = [label for label in page_links(app) if label in STEPS]
    return dict(zip(titles, notes, strict=True))


def test_a_fresh_installation_shows_four_open_steps(fresh_installation: Engine) -> None:
    app = log_in(ADMIN_EMAIL, factories.PASSWORD)
    assert not app.exception
    assert "Erste Schritte" in texts(app)
    steps = checklist(app)
    assert list(steps) == STEPS
    assert all(note.startswith("Offen: ") for note in steps.values())
    assert "0 von 4 erledigt" in texts(app)


def test_each_step_shows_done_once_it_is_set_up(fresh_installation: Engine) -> None:
    chefin = admin(fresh_installation)
    with write_session(fresh_installation) as session:
        settings.save_association(
            session=session,
            actor=chefin,
            values=Association(
                name="Zulieferverband NRW e. V.",
                address="Friedrich-Engels-Allee 1\n42103 Wuppertal",
                base_url="https://positionen.zulieferverband.example",
            ),
        )
    app = log_in(ADMIN_EMAIL, factories.PASSWORD)
    steps = checklist(app)
    assert steps["Angaben zum Verband"] == (
        "Erledigt: „Zulieferverband NRW e. V.“, Friedrich-Engels-Allee 1"
    )
    assert [n.split(":")[0] for n in steps.values()] == ["Erledigt", "Offen", "Offen", "Offen"]

    with write_session(fresh_installation) as session:
        settings.save_letterhead(session=session, actor=chefin, colour="#204060", logo=None)
        # Working without a mail server is a decision too.
        settings.save_smtp(session=session, actor=chefin, values=None)
    steps = checklist(app.run())
    assert steps["Briefkopf der Word-Dokumente"] == "Erledigt: Farbe #204060 ohne Logo"
    assert steps["E-Mail-Versand"] == "Erledigt: ohne Mailserver, E-Mails gehen von Hand"
    assert steps["Mitgliederliste"].startswith("Offen: ")

    with write_session(fresh_installation) as session:
        factories.organisation(session, "Bergische Federn GmbH")
    app.run()
    assert "Erste Schritte" not in texts(app)  # all done: the list is gone
    assert not app.exception


def test_hiding_the_list_keeps_it_hidden(fresh_installation: Engine) -> None:
    app = log_in(ADMIN_EMAIL, factories.PASSWORD)
    [hide] = [b for b in app.button if b.label == "Ausblenden"]
    hide.click().run()
    assert "Erste Schritte" not in texts(app)
    again = log_in(ADMIN_EMAIL, factories.PASSWORD)
    assert "Erste Schritte" not in texts(again)


def test_staff_do_not_see_the_list(fresh_installation: Engine) -> None:
    with write_session(fresh_installation) as session:
        factories.user(session, Role.STAFF, email="referentin@verband.example")
    app = log_in("referentin@verband.example", factories.PASSWORD)
    assert not app.exception
    assert "Guten Tag" in texts(app)
    assert "Erste Schritte" not in texts(app)
    assert [b for b in app.button if b.label == "Ausblenden"] == []
