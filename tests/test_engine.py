import os
import stat
import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bench.postgres import free_port
from db import migrate
from db.engine import (
    DatabaseUnavailable,
    check_connection,
    create_engine_for,
    database_url,
    normalise_url,
    read_session,
    redacted,
    write_session,
)
from db.models import Organisation, OrganisationKind, Setting


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_url: str) -> None:
    engine = create_engine_for(sqlite_url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one() >= 5000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_default_database_is_a_file_in_the_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("POSITIONEN_DATA_DIR", "/srv/positionen-daten")
    assert database_url() == "sqlite:////srv/positionen-daten/positionen.db"
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:geheim@db.example/positionen")
    assert database_url() == "postgresql+psycopg://app:geheim@db.example/positionen"


def test_urls_in_messages_hide_the_password() -> None:
    url = normalise_url("postgres://app:s3cret@db.example:5432/positionen")
    assert "s3cret" not in redacted(url)
    assert "db.example" in redacted(url)


def test_concurrent_read_then_write_transactions_lose_no_update(engine: Engine) -> None:
    """Eight writers each read a counter and write it back incremented, 25 times: with
    BEGIN IMMEDIATE on SQLite (row lock on PostgreSQL) every increment survives."""
    with write_session(engine) as session:
        session.add(Setting(key="counter", value=0))
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(25):
                with write_session(engine) as session:
                    query = select(Setting).where(Setting.key == "counter")
                    if engine.dialect.name == "postgresql":
                        query = query.with_for_update()
                    setting = session.exec(query).one()
                    setting.value = setting.value + 1
                    session.add(setting)
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with read_session(engine) as session:
        assert session.get(Setting, "counter").value == 200  # type: ignore[union-attr]


def test_a_failing_write_transaction_leaves_nothing_behind(engine: Engine) -> None:
    with pytest.raises(RuntimeError), write_session(engine) as session:
        session.add(Organisation(name="Halbfertig GmbH", kind=OrganisationKind.COMPANY))
        session.flush()
        raise RuntimeError("boom")
    with read_session(engine) as session:
        assert session.exec(select(Organisation)).all() == []


def test_times_come_back_aware_in_utc_and_naive_times_are_refused(engine: Engine) -> None:
    with write_session(engine) as session:
        session.add(Organisation(name="Zeit GmbH", kind=OrganisationKind.COMPANY))
    with read_session(engine) as session:
        stored = session.exec(select(Organisation)).one()
        assert stored.created_at.tzinfo is not None
        assert stored.created_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    with pytest.raises(Exception, match="naive"), write_session(engine) as session:
        session.add(
            Organisation(
                name="Naiv GmbH", kind=OrganisationKind.COMPANY, created_at=datetime(2026, 1, 1)
            )
        )


def test_unreachable_postgresql_gives_a_clear_error_without_the_password() -> None:
    engine = create_engine_for(
        f"postgresql://app:s3cret@127.0.0.1:{free_port()}/positionen?connect_timeout=2"
    )
    with pytest.raises(DatabaseUnavailable, match="cannot connect") as raised:
        check_connection(engine)
    assert "s3cret" not in str(raised.value)


@pytest.mark.parametrize("url", ["nonsense", "oracle+nothere://x/y"])
def test_unusable_urls_are_refused_clearly(url: str) -> None:
    with pytest.raises(DatabaseUnavailable):
        create_engine_for(url)


def test_a_new_sqlite_database_and_its_folder_are_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`positionen migrate` on a fresh machine: statements, names and password hashes must
    not be readable by other local accounts, whatever the umask."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("POSITIONEN_DATA_DIR", str(tmp_path / "daten"))
    old_umask = os.umask(0o022)
    try:
        migrate.upgrade(database_url())
        engine = create_engine_for(database_url())
        with engine.connect() as connection:  # holds the -wal and -shm files open
            connection.exec_driver_sql("SELECT count(*) FROM users")
            modes = {
                path.name: stat.S_IMODE(path.stat().st_mode)
                for path in (tmp_path / "daten").iterdir()
            }
        engine.dispose()
    finally:
        os.umask(old_umask)

    assert stat.S_IMODE((tmp_path / "daten").stat().st_mode) == 0o700
    assert modes == {
        "positionen.db": 0o600,
        "positionen.db-wal": 0o600,
        "positionen.db-shm": 0o600,
    }
