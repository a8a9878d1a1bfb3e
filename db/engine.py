"""The database engine for `DATABASE_URL` (default: SQLite under the data folder) and sessions.

SQLite runs in WAL mode with a busy timeout, and every write transaction starts with
`BEGIN IMMEDIATE`: with SQLite's default deferred BEGIN, two writers that both read first
deadlock on the upgrade to a write lock, and one of them fails instead of waiting.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.exc import InterfaceError as SAInterfaceError
from sqlmodel import Session

DATA_DIR_VARIABLE = "POSITIONEN_DATA_DIR"
DATABASE_URL_VARIABLE = "DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 30_000


class DatabaseUnavailable(RuntimeError):
    """The configured database cannot be reached or the URL is not usable."""


def data_dir() -> Path:
    """The folder holding the SQLite file and the file store (`POSITIONEN_DATA_DIR`, `./data`)."""
    return Path(os.environ.get(DATA_DIR_VARIABLE) or "data").resolve()


def database_url() -> str:
    """`DATABASE_URL` if set, else the SQLite file `positionen.db` in the data folder."""
    configured = os.environ.get(DATABASE_URL_VARIABLE, "").strip()
    if configured:
        return normalise_url(configured)
    return f"sqlite:///{data_dir() / 'positionen.db'}"


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain `postgresql://` URLs (psycopg2 is not installed)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def redacted(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid URL>"


def create_engine_for(url: str | None = None) -> Engine:
    """An engine for `url` (default: `database_url()`), with our SQLite settings applied."""
    url = normalise_url(url or database_url())
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise DatabaseUnavailable(f"DATABASE_URL is not a valid database URL: {error}") from None
    try:
        if parsed.get_backend_name() == "sqlite":
            return _create_sqlite_engine(url, parsed.database)
        # hide_parameters: error messages and logs never carry statement text or names.
        # Enough connections for a busy replica; waiting longer beats failing a save.
        return sa.create_engine(
            url,
            pool_pre_ping=True,
            hide_parameters=True,
            pool_size=10,
            max_overflow=20,
            pool_timeout=60,
        )
    except (NoSuchModuleError, ArgumentError) as error:
        raise DatabaseUnavailable(
            f"DATABASE_URL {redacted(url)} names an unsupported database: {error}"
        ) from None


def _create_sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        try:
            create_private_database_file(Path(database))
        except OSError as error:
            raise DatabaseUnavailable(
                f"cannot create the database file {database}: {error.strerror}"
            ) from None
    engine = sa.create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, hide_parameters=True
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so that BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        mode = (
            "IMMEDIATE"
            if connection.get_execution_options().get("positionen_write")
            else "DEFERRED"
        )
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def create_private_database_file(database: Path) -> None:
    """Create a missing SQLite file (0600) and its folder (0700) before SQLite would.

    SQLite creates files with the process umask, world-readable by default, and gives its
    -wal and -shm files the database file's mode (and, run as root, its owner); so the one
    file created here keeps statements, names and password hashes from other local accounts.
    Run as root (an operator's `positionen migrate` or `restore`), a new file goes to the
    folder's owner, the account the app runs as.
    """
    if database.exists():
        return
    database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process created it a moment ago
    os.close(descriptor)
    if os.geteuid() == 0:
        folder = database.parent.stat()
        os.chown(database, folder.st_uid, folder.st_gid)


def check_connection(engine: Engine) -> None:
    """Raise `DatabaseUnavailable` with a readable reason if the database cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except (OperationalError, SAInterfaceError) as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise DatabaseUnavailable(
            f"cannot connect to database {redacted(str(engine.url))}: {reason}"
        ) from None


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session in one write transaction: committed on success, rolled back on any error."""
    with (
        Session(engine.execution_options(positionen_write=True), expire_on_commit=False) as session,
        session.begin(),
    ):
        yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading; nothing it does is committed.

    Closing (not rolling back) ends the transaction, so loaded objects stay readable.
    """
    with Session(engine, expire_on_commit=False) as session:
        yield session
