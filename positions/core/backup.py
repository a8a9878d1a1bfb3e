"""Backups of the database and the file store into a folder, and restoring them.

SQLite is copied with its online backup API (a consistent copy while the app runs);
PostgreSQL with `pg_dump --format=custom`. The file store (content-addressed, see
`positions.forums.documents`) is copied beside it, and `manifest.json` says what the folder holds.

A restore refuses a database that another process uses (the app, a cron job): replacing
data under a running app would lose the writes it acknowledges meanwhile, and its sessions
would go on with users and rows that the backup may number differently. The operator stops
the app first. SQLite is restored into the existing file through the backup API while we
hold SQLite's exclusive lock, so the file keeps its owner and mode and a process starting
meanwhile waits for the whole restore instead of reading half of it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from db import migrate
from db.engine import create_engine_for, create_private_database_file, data_dir
from positions.core.clock import utcnow

DATABASE_FILE = "positionen.db"
DUMP_FILE = "positionen.dump"
MANIFEST = "manifest.json"
TIMEOUT_SECONDS = 3_600
IN_USE = (
    "the database {database} is in use by another process (is the app still running?); "
    "stop the app and every other positionen command, then restore again"
)


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why (for the CLI)."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    backend: str
    schema_revision: str | None
    files: int


def backup(*, url: str, target: Path) -> Manifest:
    """Write a complete backup of the database at `url` and the file store to `target`."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; choose a new folder for the backup")
    target.mkdir(parents=True, exist_ok=True)
    engine = create_engine_for(url)
    try:
        revision = migrate.current_revision(engine)
    finally:
        engine.dispose()
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        _sqlite_copy(Path(make_url(url).database or ""), target / DATABASE_FILE)
    elif backend == "postgresql":
        _run(
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={target / DUMP_FILE}",
                _libpq(url),
            ]
        )
    else:
        raise BackupError(f"backups of {backend} databases are not supported")
    files = _copy_tree(data_dir() / "files", target / "files")
    manifest = Manifest(utcnow().isoformat(timespec="seconds"), backend, revision, files)
    (target / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2))
    return manifest


def restore(*, url: str, source: Path, force: bool = False) -> Manifest:
    """Restore a backup folder into the database at `url` and the file store.

    Refuses to overwrite a database that holds data unless `force`, and always refuses a
    database another process is using.
    """
    try:
        manifest = Manifest(**json.loads((source / MANIFEST).read_text()))
    except (OSError, ValueError, TypeError) as error:
        raise BackupError(f"{source} is not a Positionen backup ({error})") from None
    backend = make_url(url).get_backend_name()
    if backend != manifest.backend:
        raise BackupError(f"the backup is of a {manifest.backend} database, not {backend}")
    if not force and _holds_data(url):
        raise BackupError("the target database holds data; restore with --force to replace it")
    if backend == "sqlite":
        _sqlite_restore(source / DATABASE_FILE, Path(make_url(url).database or ""))
    else:
        _refuse_postgres_in_use(url)
        _run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                f"--dbname={_libpq(url)}",
                str(source / DUMP_FILE),
            ]
        )
    _copy_tree(source / "files", data_dir() / "files", owner=_owner_for_new_files())
    return manifest


def _holds_data(url: str) -> bool:
    engine = create_engine_for(url)
    try:
        tables = sa.inspect(engine).get_table_names()
        if "users" not in tables:
            return False
        with engine.connect() as connection:
            return bool(connection.exec_driver_sql("SELECT count(*) FROM users").scalar())
    finally:
        engine.dispose()


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API, swapped into place atomically."""
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    os.close(handle)
    try:
        # closing(): a sqlite3 connection's own `with` commits but does not close.
        with (
            closing(sqlite3.connect(source)) as origin,
            closing(sqlite3.connect(temporary)) as copy,
        ):
            origin.backup(copy)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _sqlite_restore(backup_file: Path, database: Path) -> None:
    """Copy the backup into the database file itself, holding SQLite's exclusive lock."""
    if not backup_file.exists():
        raise BackupError(f"{backup_file} does not exist")
    create_private_database_file(database)
    with (
        closing(sqlite3.connect(f"{backup_file.as_uri()}?mode=ro", uri=True)) as origin,
        closing(_exclusive_connection(database)) as target,
    ):
        origin.backup(target)


def _exclusive_connection(database: Path) -> sqlite3.Connection:
    """A connection holding the database's exclusive lock until it closes.

    Every process that has the database open in WAL mode (each app connection, as
    `db.engine` sets WAL) holds a shared lock on it, idle or not, so failing to get the
    exclusive lock at once means another process uses the database. SQLite's own lock is
    asked rather than a lock file of ours, so it also sees cron jobs and sqlite3 shells.
    """
    connection = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        # Exclusive locking mode keeps the lock after the transaction, for the whole restore.
        connection.execute("PRAGMA locking_mode=EXCLUSIVE")
        connection.execute("BEGIN EXCLUSIVE")
        connection.execute("COMMIT")
    except sqlite3.OperationalError:
        connection.close()
        raise BackupError(IN_USE.format(database=database)) from None
    return connection


def _refuse_postgres_in_use(url: str) -> None:
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            others = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            ).scalar()
    finally:
        engine.dispose()
    if others:
        raise BackupError(IN_USE.format(database=make_url(url).database))


def _owner_for_new_files() -> tuple[int, int] | None:
    """Run as root, restored files go to the data folder's owner (the app's account)."""
    folder = data_dir()
    if os.geteuid() != 0 or not folder.exists():
        return None
    state = folder.stat()
    return state.st_uid, state.st_gid


def _copy_tree(source: Path, target: Path, *, owner: tuple[int, int] | None = None) -> int:
    """Copy every file below `source` that `target` does not have yet; returns the count.

    New folders and files are given to `owner` if one is named."""
    if not source.exists():
        return 0
    count = 0
    for path in source.rglob("*"):
        if path.is_file():
            destination = target / path.relative_to(source)
            count += 1
            if destination.exists():
                continue  # content-addressed: same name, same content
            _make_folders(destination.parent, owner)
            shutil.copy2(path, destination)
            if owner is not None:
                os.chown(destination, *owner)
    return count


def _make_folders(folder: Path, owner: tuple[int, int] | None) -> None:
    missing = [folder, *folder.parents]
    missing = [path for path in missing if not path.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    if owner is not None:
        for path in missing:
            os.chown(path, *owner)


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as pg_dump understands it (no driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    """The newest pg_dump/pg_restore on the machine (a newer one reads older servers)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client)")
    return found


def _run(command: list[str]) -> None:
    try:
        # A fixed tool and an argument list, never a shell.
        subprocess.run(  # noqa: S603
            command,
            check=True,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
    except subprocess.CalledProcessError as error:
        raise BackupError(
            f"{Path(command[0]).name} failed: {error.stderr.strip().splitlines()[-1:] or error}"
        ) from None
