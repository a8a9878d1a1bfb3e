"""Search benchmark: German-aware queries over 100,000 statement points in SQLite.

    python -m bench.search [--points 100000]

Builds a migrated SQLite database in a temp folder with the points of `bench.corpus`, spread
over 2,000 statements of 400 members, and times typical queries as staff and as a member.
Prints one JSON line. Goal: every query in at most 0.5 s.

Search by meaning embeds the sentences of the newest `search.MEANING_POOL` points once and
keeps them in the database (`StoredEmbeddings`): `embed_cold_seconds` is that first search (in
a write session, as the search page runs it); the timed queries then find the vectors
stored (and keep them in the process, `search.forget_memory`);
`MEANING_QUERIES` use words the corpus lacks, so all their hits are found by meaning (the
other queries fill the 200 results with hits by words, and only those are then read by
meaning). `first_query_after_restart_seconds` is one staff query with the process memory
emptied, the vectors read from the database. `words_only` times the same queries without the
meaning part, as before issue 20.
`meaning_hits` counts the hits found by meaning alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from typing import Any

from sqlmodel import Session

from bench import corpus as statement_corpus
from bench.rows import open_call
from db import migrate
from db.engine import create_engine_for, read_session, write_session
from db.models import (
    Forum,
    ForumKind,
    Organisation,
    OrganisationKind,
    Point,
    Role,
    Statement,
    StatementSource,
    StatementStatus,
    User,
    Visibility,
    id_of,
)
from positions.core import text
from positions.core.permissions import Actor
from positions.statements import search

QUERIES = (
    "Förderprogramme",
    "Strompreise Mittelstand",
    "foerderung zulieferer",
    "Weiterbildungsverbünde",
    "Wasserstoff Industrie",
    "Genehmigungsverfahren",
)
# Words the corpus never uses: every hit is found by meaning ("Strompreise" points).
MEANING_QUERIES = ("Energiekosten", "Kosten für Energie senken")
GOAL_SECONDS = 0.5


def corpus(n: int) -> list[str]:
    """The texts of `n` benchmark points (seed 7)."""
    return [point.text for point in statement_corpus.generate(n, seed=7)]


def build(session: Session, texts: list[str]) -> tuple[Actor, Actor]:
    forum = Forum(name="Benchmark", short_name="B", kind=ForumKind.FEDERAL)
    session.add(forum)
    session.flush()
    organisations = [
        Organisation(name=f"Mitglied {i}", kind=OrganisationKind.COMPANY) for i in range(400)
    ]
    session.add_all(organisations)
    session.flush()
    # One statement per organisation and call: 2,000 statements over five calls.
    calls = [open_call(session, forum, "Benchmark")] + [
        open_call(session, forum, f"Benchmark {i}") for i in range(4)
    ]
    statements = [
        Statement(
            call_id=id_of(calls[i // 400]),
            organisation_id=id_of(organisations[i % 400]),
            text="",
            source=StatementSource.WEB,
            visibility=Visibility.NAMED,
            status=StatementStatus.SUBMITTED,
        )
        for i in range(2_000)
    ]
    session.add_all(statements)
    session.flush()
    keys = [search.key_of(t) for t in texts]
    session.add_all(
        Point(
            statement_id=id_of(statements[i % 2_000]),
            position=i // 2_000,
            text=t,
            norm_hash=text.text_hash(t),
            search_key=keys[i],
        )
        for i, t in enumerate(texts)
    )
    staff_user = User(email="referat@bench.example", name="Referat", role=Role.STAFF)
    member_user = User(
        email="m@bench.example", name="M", role=Role.MEMBER, organisation_id=organisations[0].id
    )
    session.add_all([staff_user, member_user])
    session.flush()
    return Actor.for_user(staff_user), Actor.for_user(member_user)


def run(points: int = 100_000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        migrate.upgrade(url)
        engine = create_engine_for(url)
        texts = corpus(points)
        started = time.perf_counter()
        with write_session(engine) as session:
            staff, member = build(session, texts)
        load_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with write_session(engine) as session:
            for actor in (staff, member):
                search.search(session=session, actor=actor, query=MEANING_QUERIES[0])
        embed_cold = time.perf_counter() - started
        timings: dict[str, list[float]] = {"staff": [], "member": []}
        words_only: dict[str, list[float]] = {"staff": [], "member": []}
        hits: dict[str, int] = {}
        meaning_hits: dict[str, int] = {}
        for who, actor in (("staff", staff), ("member", member)):
            for query in QUERIES + MEANING_QUERIES:
                for meaning, times in ((True, timings), (False, words_only)):
                    for _ in range(3):
                        begin = time.perf_counter()
                        with read_session(engine) as session:
                            found = search.search(
                                session=session, actor=actor, query=query, meaning=meaning
                            )
                        times[who].append(time.perf_counter() - begin)
                    if meaning:
                        hits[f"{who}: {query}"] = len(found)
                        meaning_hits[f"{who}: {query}"] = sum(not h.by_words for h in found)
        # After a restart the process keeps no vectors: they come from the database.
        search.forget_memory()
        begin = time.perf_counter()
        with read_session(engine) as session:
            search.search(session=session, actor=staff, query=MEANING_QUERIES[0])
        after_restart = time.perf_counter() - begin
        engine.dispose()
    worst = max(max(values) for values in timings.values())
    return {
        "points": points,
        "load_seconds": round(load_seconds, 2),
        "embed_cold_seconds": round(embed_cold, 2),
        "median_query_seconds": {k: round(statistics.median(v), 4) for k, v in timings.items()},
        "max_query_seconds": round(worst, 4),
        "first_query_after_restart_seconds": round(after_restart, 4),
        "words_only": {
            "median_query_seconds": {
                k: round(statistics.median(v), 4) for k, v in words_only.items()
            },
            "max_query_seconds": round(max(max(v) for v in words_only.values()), 4),
        },
        "goal_seconds": GOAL_SECONDS,
        "goal_met": worst <= GOAL_SECONDS,
        "hits": hits,
        "meaning_hits": meaning_hits,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=100_000)
    print(json.dumps(run(parser.parse_args().points)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
