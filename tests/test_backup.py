"""Backup and restore round trips: every table and every export comes back identical."""

import os
import pwd
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel, select

import cli
from db.engine import create_engine_for, read_session, write_session
from db.models import Call, Forum, Setting, id_of
from exports import tables
from exports.ics import build_calendar
from positions.core import backup, files
from positions.core.clock import utcnow
from positions.core.permissions import SYSTEM
from positions.forums import calendar, documents
from positions.statements import statements
from tests.conftest import REPO

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


# A second process using the database as the app does: a pooled connection kept open after
# a write, until its stdin closes.
HOLDER = """
import sys
from db.engine import create_engine_for, write_session
from db.models import Setting

engine = create_engine_for(sys.argv[1])
with write_session(engine) as session:
    session.add(Setting(key="nach-der-sicherung", value=1))
print("ready", flush=True)
sys.stdin.read()
"""


@contextmanager
def app_process_holding(url: str) -> Iterator[None]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


def setting_keys(url: str) -> set[str]:
    engine = create_engine_for(url)
    try:
        with read_session(engine) as session:
            return {setting.key for setting in session.exec(select(Setting))}
    finally:
        engine.dispose()


def test_restore_refuses_a_sqlite_database_another_process_holds(
    sqlite_demo_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    backup.backup(url=sqlite_demo_url, target=tmp_path / "sicherung")
    monkeypatch.setenv("DATABASE_URL", sqlite_demo_url)

    with app_process_holding(sqlite_demo_url):
        exit_code = cli.main(["restore", str(tmp_path / "sicherung"), "--force"])
        # The app's write after the backup is still there, and the app can go on writing.
        assert "nach-der-sicherung" in setting_keys(sqlite_demo_url)

    assert exit_code == 1
    message = capsys.readouterr().err
    assert message.startswith("error: ") and "in use by another process" in message
    assert "stop the app" in message
    # With the app stopped, the restore goes through and brings back the backup's state.
    assert cli.main(["restore", str(tmp_path / "sicherung"), "--force"]) == 0
    assert "nach-der-sicherung" not in setting_keys(sqlite_demo_url)


def test_restore_keeps_the_owner_and_mode_of_the_sqlite_file(
    sqlite_demo_url: str, tmp_path: Path
) -> None:
    backup.backup(url=sqlite_demo_url, target=tmp_path / "sicherung")
    database = Path(make_url(sqlite_demo_url).database or "")
    app_user = pwd.getpwnam("nobody")
    os.chown(database, app_user.pw_uid, app_user.pw_gid)
    database.chmod(0o640)

    backup.restore(url=sqlite_demo_url, source=tmp_path / "sicherung", force=True)

    state = database.stat()
    assert (state.st_uid, state.st_gid) == (app_user.pw_uid, app_user.pw_gid)
    assert stat.S_IMODE(state.st_mode) == 0o640
    assert not Path(f"{database}-wal").exists() and not Path(f"{database}-shm").exists()


def test_a_restore_as_root_hands_new_files_to_the_owner_of_the_data_folder(
    sqlite_demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root restores for an app that runs as its own account (`nobody` here)."""
    source = create_engine_for(sqlite_demo_url)
    with write_session(source) as session:
        forum = session.exec(select(Forum)).first()
        assert forum is not None
        document = documents.upload(
            session=session, actor=SYSTEM, filename="a.txt", data=b"Anlage", forum_id=id_of(forum)
        )
    source.dispose()
    backup.backup(url=sqlite_demo_url, target=tmp_path / "sicherung")
    folder = tmp_path / "neu"
    folder.mkdir(mode=0o700)
    app_user = pwd.getpwnam("nobody")
    os.chown(folder, app_user.pw_uid, app_user.pw_gid)
    monkeypatch.setenv("POSITIONEN_DATA_DIR", str(folder))

    backup.restore(url=f"sqlite:///{folder / 'positionen.db'}", source=tmp_path / "sicherung")

    stored = files.store_path(document.sha256)
    for path in (folder / "positionen.db", folder / "files", stored.parent, stored):
        assert (path.stat().st_uid, path.stat().st_gid) == (app_user.pw_uid, app_user.pw_gid)
    assert stat.S_IMODE((folder / "positionen.db").stat().st_mode) == 0o600


@pytest.mark.postgres
def test_restore_refuses_a_postgres_database_another_connection_uses(
    postgres_demo_url: str, postgres_url: str, tmp_path: Path
) -> None:
    backup.backup(url=postgres_demo_url, target=tmp_path / "sicherung")
    with app_process_holding(postgres_url), pytest.raises(backup.BackupError, match="in use"):
        backup.restore(url=postgres_url, source=tmp_path / "sicherung", force=True)
    backup.restore(url=postgres_url, source=tmp_path / "sicherung", force=True)
