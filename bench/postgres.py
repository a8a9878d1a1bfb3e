"""A throwaway PostgreSQL cluster on 127.0.0.1, for the load benchmark and the test suite.

Built from Debian's server binaries (version 15 preferred) in a temporary folder, started on
a free port as the `postgres` user when run as root (PostgreSQL refuses to run as root), and
stopped and removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

# Durability is not wanted from a cluster that is thrown away: these make tests fast.
FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class PostgresAbsent(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_binaries() -> Path:
    """The folder holding initdb and pg_ctl; `PostgresAbsent` when there is none."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    preferred = [path for path in found if path.parts[-3] == "15"] or found
    if preferred:
        return preferred[0].parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    raise PostgresAbsent(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's postgresql "
        "(`make test` does this)"
    )


@dataclass(frozen=True)
class Cluster:
    port: int

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """A new database (a copy of `template` if given); its URL."""
        admin = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        copy = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        try:
            with admin.connect() as connection:
                connection.exec_driver_sql(f"CREATE DATABASE {name}{copy}")
        finally:
            admin.dispose()
        return self.url(name)

    def drop_database(self, name: str) -> None:
        admin = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            admin.dispose()


@contextmanager
def throwaway_cluster(*, options: str = "", prefix: str = "positionen-pg-") -> Iterator[Cluster]:
    """A running cluster of its own (extra server `options`, e.g. `FAST`), removed afterwards."""
    binaries = server_binaries()
    root = Path(tempfile.mkdtemp(prefix=prefix))
    data, sockets = root / "data", root / "socket"
    sockets.mkdir()
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()

    def run(*command: str) -> None:
        subprocess.run([*as_postgres, *command], check=True, capture_output=True, timeout=120)

    try:
        run(
            str(binaries / "initdb"),
            *("-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"),
            "--no-sync",
        )
        server = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 {options}".strip()
        run(
            str(binaries / "pg_ctl"),
            *("-D", str(data), "-o", server, "-l", str(root / "log"), "-w", "-t", "60", "start"),
        )
        yield Cluster(port)
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [
                    *as_postgres,
                    str(binaries / "pg_ctl"),
                    "-D",
                    str(data),
                    "-m",
                    "immediate",
                    "stop",
                ],
                capture_output=True,
                timeout=60,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)
