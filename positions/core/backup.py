"""Backups of the database and the file store into a folder, and restoring them.

SQLite is copied with its online backup API (a consistent copy while the app runs);
PostgreSQL with `pg_dump --format=custom`. The file store (content-addressed, see
`positions.forums.documents`) is copied beside it, and `manifest.json` says what the folder holds.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from db import migrate
from db.engine import create_engine_for, data_dir
from positions.core.clock import utcnow

DATABASE_FILE = "positionen.db"
DUMP_FILE = "positionen.dump"
MANIFEST = "manifest.json"
TIMEOUT_SECONDS = 3_600


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

    Refuses to overwrite a database that holds data unless `force`.
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
        database = Path(make_url(url).database or "")
        database.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(source / DATABASE_FILE, database)
    else:
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
    _copy_tree(source / "files", data_dir() / "files")
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
        with sqlite3.connect(source) as origin, sqlite3.connect(temporary) as copy:
            origin.backup(copy)
        for stale in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            stale.unlink(missing_ok=True)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _copy_tree(source: Path, target: Path) -> int:
    """Copy every file below `source` that `target` does not have yet; returns the count."""
    if not source.exists():
        return 0
    count = 0
    for path in source.rglob("*"):
        if path.is_file():
            destination = target / path.relative_to(source)
            count += 1
            if destination.exists():
                continue  # content-addressed: same name, same content
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
    return count


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
