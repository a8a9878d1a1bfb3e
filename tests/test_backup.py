"""Backup and restore round trips: every table and every export comes back identical."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, select

from db.engine import create_engine_for, read_session, write_session
from db.models import Call, Forum, id_of
from exports import tables
from exports.ics import build_calendar
from positions.core import backup, files
from positions.core.clock import utcnow
from positions.core.permissions import SYSTEM
from positions.forums import calendar, documents
from positions.statements import statements

MOMENT = utcnow().replace(microsecond=0)


@pytest.fixture(autouse=True)
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POSITIONEN_DATA_DIR", str(tmp_path / "daten"))
    return tmp_path / "daten"


def table_dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as connection:
        return {
            name: sorted((tuple(row) for row in connection.execute(sa.select(table))), key=repr)
            for name, table in SQLModel.metadata.tables.items()
        }


def exports_of(engine: Engine) -> dict[str, bytes]:
    """Every export a restore must reproduce (the calendar stamped with one fixed time)."""
    moment = MOMENT
    with read_session(engine) as session:
        call = session.exec(select(Call)).first()
        forum = session.exec(select(Forum).where(Forum.short_name == "TDA")).one()
        assert call is not None
        rows = statements.export_rows(session=session, actor=SYSTEM, call_id=id_of(call))
        events = calendar.events_for_forum(
            session=session, actor=SYSTEM, forum_id=id_of(forum), now=moment
        )
    return {
        "csv": tables.statements_csv(rows),
        "ics": build_calendar(events, name="TDA", now=moment),
    }


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_backup_and_restore_give_back_every_row_file_and_export(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    demo_database_url = str(request.getfixturevalue(f"{backend}_demo_url"))
    database_url = str(request.getfixturevalue(f"{backend}_url"))
    source = create_engine_for(demo_database_url)
    with write_session(source) as session:
        forum = session.exec(select(Forum)).first()
        assert forum is not None
        document = documents.upload(
            session=session,
            actor=SYSTEM,
            filename="Protokoll.txt",
            data=b"Sitzungsprotokoll",
            forum_id=id_of(forum),
        )
    before_tables, before_exports = table_dump(source), exports_of(source)
    manifest = backup.backup(url=demo_database_url, target=tmp_path / "sicherung")
    assert manifest.files == 1
    source.dispose()

    # A new machine: an empty data folder and an empty, migrated database.
    monkeypatch.setenv("POSITIONEN_DATA_DIR", str(tmp_path / "neu"))
    backup.restore(url=database_url, source=tmp_path / "sicherung")
    restored = create_engine_for(database_url)
    assert table_dump(restored) == before_tables
    assert exports_of(restored) == before_exports
    assert files.store_path(document.sha256).read_text() == "Sitzungsprotokoll"
    with pytest.raises(backup.BackupError, match="holds data"):
        backup.restore(url=database_url, source=tmp_path / "sicherung")
    restored.dispose()


def test_a_folder_that_is_not_a_backup_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    (tmp_path / "leer").mkdir()
    with pytest.raises(backup.BackupError, match="not a Positionen backup"):
        backup.restore(url=sqlite_url, source=tmp_path / "leer")
    (tmp_path / "voll").mkdir()
    (tmp_path / "voll" / "x").write_text("x")
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.backup(url=sqlite_url, target=tmp_path / "voll")
