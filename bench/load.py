"""Load benchmark: many members saving their statements at the same moment, through the
service layer, on SQLite and on PostgreSQL.

    python -m bench.load [--writers 10,50,200] [--saves 5] [--backends sqlite,postgresql]

Every simulated member is an organisation of its own, invited to the call, with its own member
contact. One thread per member (a "writer") saves its organisation's statement `--saves`
times, as a member does in the form: a new draft, edits, and a last save that submits. Each
save is `positions.statements.statements.save_statement` inside `db.engine.write_session`,
on the engine `db.engine.create_engine_for` builds for the app (its pool, its SQLite
pragmas). All writers of a level start together at a barrier; each level has a call of its own.

Per backend and level, one JSON entry:
- `statements_per_second`: committed saves / wall time of the level;
- `median_ms`, `p95_ms`, `max_ms`: one save from asking for the session to the commit, so
  waiting for SQLite's write lock or for a pooled connection counts;
- `failed`: saves that raised anything (e.g. "database is locked", a pool timeout), with
  up to five distinct `errors`; the goal is 0;
- `consistent`: afterwards the call holds one submitted statement per writer and one kept
  version per committed save (nothing lost, nothing doubled).

SQLite is a migrated temp file. PostgreSQL is a throwaway cluster started here (initdb into a
temp folder, on 127.0.0.1, with the server's default durability: fsync and synchronous_commit
on); without PostgreSQL's server binaries that backend reports why it did not run.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool
from sqlmodel import col, func, select

from bench.postgres import PostgresAbsent, throwaway_cluster
from db import migrate
from db.engine import create_engine_for, read_session, write_session
from db.models import (
    Call,
    CallInvitee,
    CallStatus,
    Forum,
    ForumKind,
    Organisation,
    OrganisationKind,
    Role,
    Statement,
    StatementStatus,
    StatementVersion,
    User,
    Visibility,
    id_of,
)
from positions.core.clock import today_in_berlin
from positions.core.permissions import Actor
from positions.statements import statements

WRITERS = (10, 50, 200)
SAVES_PER_WRITER = 5
BACKENDS = ("sqlite", "postgresql")

# A statement as members write them: a few demands, each a paragraph (split into points).
DEMANDS = (
    "Die Förderprogramme für mittelständische Zulieferer müssen über ein einheitliches "
    "Antragsportal zugänglich werden; Anträge sind binnen drei Monaten zu bescheiden.",
    "Der Bund legt ein Bürgschaftsprogramm für Transformationsinvestitionen auf, mit einer "
    "Haftungsfreistellung von mindestens 80 Prozent.",
    "Für energieintensive Betriebe gilt bis 2030 ein Brückenstrompreis; die Stromsteuer sinkt "
    "auf das europäische Mindestmaß.",
    "Weiterbildungsverbünde in den Regionen werden dauerhaft finanziert, damit Beschäftigte "
    "den Wechsel zu neuen Antrieben mitgehen können.",
    "Genehmigungsverfahren für Umbauten bestehender Werke werden digital und in höchstens "
    "sechs Monaten abgeschlossen.",
)


@dataclass
class Member:
    actor: Actor
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    submitted: bool = False  # the last save, which submits, was committed


# --- data ----------------------------------------------------------------------------------


def create_members(engine: Engine, count: int) -> tuple[int, list[Actor]]:
    """A forum and `count` member organisations, each with one member contact."""
    with write_session(engine) as session:
        forum = Forum(name="Lasttest", short_name="LAST", kind=ForumKind.FEDERAL)
        organisations = [
            Organisation(name=f"Mitglied {n:04d} GmbH", kind=OrganisationKind.COMPANY)
            for n in range(count)
        ]
        session.add(forum)
        session.add_all(organisations)
        session.flush()
        users = [
            User(
                email=f"kontakt{n:04d}@last.example",
                name=f"Kontakt {n:04d}",
                role=Role.MEMBER,
                organisation_id=id_of(organisation),
            )
            for n, organisation in enumerate(organisations)
        ]
        session.add_all(users)
        session.flush()
        return id_of(forum), [Actor.for_user(user) for user in users]


def create_call(engine: Engine, forum_id: int, members: list[Actor], title: str) -> int:
    """An open call with its member deadline weeks ahead, inviting exactly `members`."""
    today = today_in_berlin()
    with write_session(engine) as session:
        call = Call(
            forum_id=forum_id,
            title=title,
            external_deadline=today + timedelta(days=70),
            member_deadline=today + timedelta(days=56),
            board_deadline=today + timedelta(days=63),
            status=CallStatus.OPEN,
        )
        session.add(call)
        session.flush()
        session.add_all(
            CallInvitee(call_id=id_of(call), organisation_id=member.organisation_id or 0)
            for member in members
        )
        return id_of(call)


def statement_text(member: Actor, save: int) -> str:
    """Three or four demands, rotated per member and save, and a closing line that varies."""
    first = (member.user_id + save) % len(DEMANDS)
    chosen = [DEMANDS[(first + k) % len(DEMANDS)] for k in range(3 + save % 2)]
    return "\n\n".join(
        [*chosen, f"Stand der Abstimmung im Unternehmen: Fassung {save + 1} von {member.name}."]
    )


# --- one level ------------------------------------------------------------------------------


def writer(
    engine: Engine, member: Member, call_id: int, saves: int, start: threading.Barrier
) -> None:
    start.wait()
    version: int | None = None
    for save in range(saves):
        began = time.perf_counter()
        try:
            with write_session(engine) as session:
                statement = statements.save_statement(
                    session=session,
                    actor=member.actor,
                    call_id=call_id,
                    text_input=statement_text(member.actor, save),
                    visibility=Visibility.NAMED,
                    submit=save == saves - 1,
                    expected_version=version,
                )
            version = statement.version
        except Exception as error:  # any failure counts; the benchmark reports it
            first_line = (str(error).strip().splitlines() or [""])[0][:200]
            member.errors.append(f"{type(error).__name__}: {first_line}")
        else:
            member.latencies.append(time.perf_counter() - began)
            member.submitted = save == saves - 1


def run_level(engine: Engine, forum_id: int, actors: list[Actor], saves: int) -> dict[str, Any]:
    call_id = create_call(engine, forum_id, actors, f"Lasttest mit {len(actors)} Mitgliedern")
    members = [Member(actor) for actor in actors]
    start = threading.Barrier(len(members) + 1)
    threads = [
        threading.Thread(target=writer, args=(engine, member, call_id, saves, start))
        for member in members
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began

    latencies = sorted(x for member in members for x in member.latencies)
    errors = [error for member in members for error in member.errors]
    committed = len(latencies)
    return {
        "writers": len(members),
        "saves": len(members) * saves,
        "committed": committed,
        "failed": len(errors),
        "seconds": round(seconds, 2),
        "statements_per_second": round(committed / seconds, 1) if seconds else None,
        "median_ms": _ms(statistics.median(latencies)) if latencies else None,
        "p95_ms": _ms(_percentile(latencies, 0.95)) if latencies else None,
        "max_ms": _ms(latencies[-1]) if latencies else None,
        "errors": sorted(set(errors))[:5],
        "consistent": _consistent(engine, call_id, members, committed),
    }


def _consistent(engine: Engine, call_id: int, members: list[Member], committed: int) -> bool:
    """One statement per writer with a committed save, submitted exactly where the submitting
    save was committed, and one kept version per committed save."""
    with read_session(engine) as session:
        rows = session.exec(select(Statement).where(Statement.call_id == call_id)).all()
        versions = session.exec(
            select(func.count())
            .select_from(StatementVersion)
            .join(Statement, col(Statement.id) == col(StatementVersion.statement_id))
            .where(Statement.call_id == call_id)
        ).one()
    submitted = {row.organisation_id for row in rows if row.status == StatementStatus.SUBMITTED}
    expected = {member.actor.organisation_id for member in members if member.submitted}
    saved = sum(bool(member.latencies) for member in members)
    return len(rows) == saved and versions == committed and submitted == expected


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted `values`."""
    return values[max(1, math.ceil(share * len(values))) - 1]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def run_backend(url: str, levels: tuple[int, ...], saves: int) -> dict[str, Any]:
    migrate.upgrade(url)
    engine = create_engine_for(url)
    try:
        forum_id, actors = create_members(engine, max(levels))
        results = [run_level(engine, forum_id, actors[:n], saves) for n in levels]
        pool = engine.pool
        pool_size = (
            {"size": pool.size(), "max_overflow": pool._max_overflow}
            if isinstance(pool, QueuePool)
            else type(pool).__name__
        )
    finally:
        engine.dispose()
    return {"pool": pool_size, "levels": results}


@contextmanager
def postgres_database() -> Iterator[str]:
    """The URL of an empty database in a cluster of its own, removed afterwards."""
    with throwaway_cluster(prefix="positionen-bench-pg-") as cluster:
        yield cluster.create_database("positionen_load")


# --- entry points ---------------------------------------------------------------------------


def run(
    writers: tuple[int, ...] = WRITERS,
    saves: int = SAVES_PER_WRITER,
    backends: tuple[str, ...] = BACKENDS,
) -> dict[str, Any]:
    result: dict[str, Any] = {"saves_per_writer": saves, "goal": "0 failed"}
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory(prefix="positionen-bench-load-") as folder:
            result["sqlite"] = run_backend(f"sqlite:///{folder}/load.db", writers, saves)
    if "postgresql" in backends:
        try:
            with postgres_database() as url:
                result["postgresql"] = run_backend(url, writers, saves)
        except PostgresAbsent as absent:
            result["postgresql"] = {"skipped": str(absent)}
    levels = [level for backend in BACKENDS for level in result.get(backend, {}).get("levels", [])]
    result["goal_met"] = all(level["failed"] == 0 and level["consistent"] for level in levels)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description="Statements saved at once, SQLite and PostgreSQL")
    parser.add_argument("--writers", default=",".join(map(str, WRITERS)))
    parser.add_argument("--saves", type=int, default=SAVES_PER_WRITER)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    arguments = parser.parse_args()
    writers = tuple(int(n) for n in arguments.writers.split(","))
    backends = tuple(b.strip() for b in arguments.backends.split(",") if b.strip())
    print(json.dumps(run(writers, arguments.saves, backends), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
