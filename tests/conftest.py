"""Database fixtures: every database test runs on a real SQLite file and on a real, throwaway
PostgreSQL 15 cluster on 127.0.0.1 (initdb into a temp dir, started for the test session).

Both start from the schema built by our Alembic migrations, never from `create_all`.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import demo
from bench.postgres import FAST, Cluster, PostgresAbsent, server_binaries, throwaway_cluster
from db import migrate
from db.engine import DATA_DIR_VARIABLE, create_engine_for, write_session

REPO = Path(__file__).resolve().parent.parent
STRICT = os.environ.get("POSITIONEN_STRICT_TESTS") == "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Database tests fan out per backend; keep the ones of a backend together.
    items.sort(key=lambda item: "postgresql" in item.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under `make test` a skipped test is a failure: browser and PostgreSQL tests must run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if STRICT and skipped and exitstatus == 0 and reporter is not None:
        reporter.write_line(
            f"{len(skipped)} test(s) skipped under POSITIONEN_STRICT_TESTS=1", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- PostgreSQL ----------------------------------------------------------------------------


@dataclass
class PostgresCluster:
    """The suite's cluster: databases are cloned from its migrated template, one per test."""

    cluster: Cluster
    counter: itertools.count[int]

    @property
    def port(self) -> int:
        return self.cluster.port

    @property
    def admin_url(self) -> str:
        return self.cluster.admin_url

    def url(self, database: str) -> str:
        return self.cluster.url(database)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    try:
        server_binaries()
    except PostgresAbsent as absent:
        pytest.fail(str(absent))
    with throwaway_cluster(options=f"{FAST} -c max_connections=200") as cluster:
        migrate.upgrade(cluster.create_database("positionen_template"))
        yield PostgresCluster(cluster, itertools.count())


def _clone_postgres(cluster: PostgresCluster, template: str) -> Iterator[str]:
    name = f"test_{os.getpid()}_{next(cluster.counter)}"
    try:
        yield cluster.cluster.create_database(name, template=template)
    finally:
        cluster.cluster.drop_database(name)


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A fresh, migrated database of its own for one test."""
    yield from _clone_postgres(postgres_cluster, "positionen_template")


@pytest.fixture(scope="session")
def postgres_demo_template(postgres_cluster: PostgresCluster) -> str:
    admin = sa.create_engine(postgres_cluster.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql("CREATE DATABASE positionen_demo TEMPLATE positionen_template")
    admin.dispose()
    _load_demo(postgres_cluster.url("positionen_demo"))
    return "positionen_demo"


@pytest.fixture
def postgres_demo_url(
    postgres_cluster: PostgresCluster, postgres_demo_template: str
) -> Iterator[str]:
    """A fresh database of its own, holding the demo data, for one test."""
    yield from _clone_postgres(postgres_cluster, postgres_demo_template)


# --- SQLite --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh, migrated SQLite file of its own for one test."""
    target = tmp_path / "positionen.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template: Path) -> Path:
    """The demo database, built once: `positionen.db` in a data folder of its own, which also
    holds any file the demo stores (today none)."""
    folder = sqlite_template.with_name("demo-data")
    folder.mkdir()
    path = folder / "positionen.db"
    shutil.copy(sqlite_template, path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DATA_DIR_VARIABLE, str(folder))
        _load_demo(f"sqlite:///{path}")
    return path


def copy_data_folder(template: Path, target: Path) -> Path:
    """A data folder of its own: the template database's folder copied to `target` (the
    database is checkpointed, so its WAL files stay behind); returns the copied database."""
    shutil.copytree(
        template.parent, target, ignore=shutil.ignore_patterns("*-wal", "*-shm", "*-journal")
    )
    return target / template.name


@pytest.fixture
def sqlite_demo_url(sqlite_demo_template: Path, tmp_path: Path) -> str:
    """A fresh SQLite file of its own, holding the demo data, for one test."""
    target = tmp_path / "positionen-demo.db"
    shutil.copy(sqlite_demo_template, target)
    return f"sqlite:///{target}"


def _load_demo(url: str) -> None:
    engine = create_engine_for(url)
    with write_session(engine) as session:
        demo.load_demo(session=session)
    if engine.dialect.name == "sqlite":  # everything in the file itself, ready to be copied
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


@pytest.fixture
def demo_url(
    sqlite_demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """For AppTest page tests: the app runs on a demo database and a data folder of this
    test's own (`DATABASE_URL`, `POSITIONEN_DATA_DIR`)."""
    import streamlit as st  # only page tests pay for importing Streamlit

    monkeypatch.setenv("DATABASE_URL", sqlite_demo_url)
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "daten"))
    yield sqlite_demo_url
    st.cache_resource.clear()


# --- both ----------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """The URL of a fresh, migrated database; each test using it runs on both backends."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def demo_database_url(request: pytest.FixtureRequest) -> str:
    """Like `database_url`, but the database holds the demo data."""
    fixture = "sqlite_demo_url" if request.param == "sqlite" else "postgres_demo_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine_for(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_engine(demo_database_url: str) -> Iterator[Engine]:
    engine = create_engine_for(demo_database_url)
    yield engine
    engine.dispose()
