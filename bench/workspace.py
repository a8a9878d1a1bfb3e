"""Merge workspace benchmark: the analysis of a call with 2,000 statements, and its page
against an empty one.

    python -m bench.workspace [--statements 2000] [--analysis-only]

Builds a migrated SQLite database with a call answered by 2,000 members (three points
each, texts from `bench.corpus`) and analyses it:

- cold: no embedding stored yet and none in this process's memory (`analyse_seconds`,
  with how often and how far the progress callback moved);
- warm: `CHANGED` more members send statements, the process's memory of embeddings is
  dropped, and the call is analysed again: only the new points are embedded, the rest
  come from the database (`reanalyse_seconds`). Goals: at most 60 s cold, 5 s warm.

Then (unless `--analysis-only`) it renders the merge workspace through Streamlit's
AppTest, signed in as staff: for that call and for an analysed call without statements
(the same page, empty), then with the largest topic opened. Prints one JSON line. Goal:
the full page renders in at most 3× the time of the empty one.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import streamlit as st
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from bench.corpus import generate
from bench.rows import open_call
from bench.search import corpus
from db import migrate
from db.engine import create_engine_for, read_session, write_session
from db.models import (
    Forum,
    ForumKind,
    Organisation,
    OrganisationKind,
    PaperKind,
    Point,
    Role,
    Statement,
    StatementSource,
    StatementStatus,
    User,
    Visibility,
    id_of,
)
from positions.analysis import workspace
from positions.core import accounts, embeddings, text
from positions.core.permissions import SYSTEM, Actor
from positions.papers import papers

APP = Path(__file__).resolve().parents[1] / "app.py"
EMAIL, PASSWORD = "referat@bench.example", "Benchmark-Passwort-2026"
POINTS_PER_STATEMENT = 3
ROUNDS = 5
GOAL_RATIO = 3.0
CHANGED = 5  # members sending statements between the cold and the warm analysis
GOAL_COLD_SECONDS = 60.0
GOAL_WARM_SECONDS = 5.0


def build(session: Session, statements: int) -> tuple[int, int]:
    """A call answered by `statements` members and an empty one; returns both ids."""
    forum = Forum(name="Benchmark", short_name="B", kind=ForumKind.FEDERAL)
    session.add(forum)
    session.flush()
    full = open_call(session, forum, "Voller Aufruf")
    empty = open_call(session, forum, "Leerer Aufruf")
    members = [
        Organisation(name=f"Mitglied {i}", kind=OrganisationKind.COMPANY) for i in range(statements)
    ]
    session.add_all(members)
    session.flush()
    rows = [
        Statement(
            call_id=id_of(full),
            organisation_id=id_of(member),
            text="",
            source=StatementSource.WEB,
            visibility=(Visibility.NAMED, Visibility.NAMED, Visibility.ANONYMOUS)[i % 3],
            status=StatementStatus.SUBMITTED,
        )
        for i, member in enumerate(members)
    ]
    session.add_all(rows)
    session.flush()
    texts = corpus(statements * POINTS_PER_STATEMENT)
    session.add_all(
        Point(
            statement_id=id_of(rows[i % statements]),
            position=i // statements,
            text=t,
            norm_hash=text.text_hash(t),
        )
        for i, t in enumerate(texts)
    )
    user = User(
        email=EMAIL, name="Referat", role=Role.STAFF, password_hash=accounts.hash_password(PASSWORD)
    )
    session.add(user)
    session.flush()
    staff = Actor.for_user(user)
    for call in (full, empty):
        paper = papers.create_paper(
            session=session,
            actor=staff,
            forum_id=id_of(forum),
            fields=papers.PaperFields(
                title=f"Papier zu {call.title}", kind=PaperKind.POSITION_PAPER, call_id=call.id
            ),
        )
        papers.add_section(session=session, actor=staff, paper_id=id_of(paper), title="Forderungen")
    return id_of(full), id_of(empty)


def add_statements(session: Session, call_id: int, count: int) -> None:
    """`count` more members answer the call, three new points each."""
    members = [
        Organisation(name=f"Nachzügler {i}", kind=OrganisationKind.COMPANY) for i in range(count)
    ]
    session.add_all(members)
    session.flush()
    # Another seed: demands worded unlike the call's first 2,000 statements.
    texts = [point.text for point in generate(count * POINTS_PER_STATEMENT, seed=11)]
    for number, member in enumerate(members):
        statement = Statement(
            call_id=call_id,
            organisation_id=id_of(member),
            text="",
            source=StatementSource.WEB,
            visibility=Visibility.NAMED,
            status=StatementStatus.SUBMITTED,
        )
        session.add(statement)
        session.flush()
        for position in range(POINTS_PER_STATEMENT):
            t = texts[number * POINTS_PER_STATEMENT + position]
            session.add(
                Point(
                    statement_id=id_of(statement),
                    position=position,
                    text=t,
                    norm_hash=text.text_hash(t),
                )
            )


def timed_analysis(engine: Any, call_id: int) -> dict[str, Any]:
    """One analysis: seconds, clusters and how the progress bar moved."""
    shares: list[float] = []
    started = time.perf_counter()
    with write_session(engine) as session:
        clusters = workspace.analyse(
            session=session,
            actor=SYSTEM,
            call_id=call_id,
            progress=lambda share, _label: shares.append(share),
        )
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "clusters": clusters,
        "progress_updates": len(shares),
        "progress_monotonic": all(a <= b for a, b in itertools.pairwise(shares)),
    }


def signed_in_app() -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=600).run()
    [email] = [w for w in app.text_input if w.label == "E-Mail"]
    [password] = [w for w in app.text_input if w.label == "Passwort"]
    email.input(EMAIL)
    password.input(PASSWORD)
    [submit] = [b for b in app.button if b.label == "Anmelden"]
    submit.click().run()
    return app


def render_seconds(app: AppTest, call_id: int) -> tuple[float, AppTest]:
    app.query_params["aufruf"] = str(call_id)
    started = time.perf_counter()
    app.switch_page("ui/pages/workspace.py").run()
    seconds = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(app.exception[0].message)
    return seconds, app


@contextmanager
def database_url(url: str) -> Iterator[None]:
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    try:
        yield
    finally:
        st.cache_resource.clear()
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous


def run(statements: int = 2_000, *, pages: bool = True) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        migrate.upgrade(url)
        engine = create_engine_for(url)
        with write_session(engine) as session:
            full, empty = build(session, statements)
        embeddings.forget_memory()
        cold = timed_analysis(engine, full)
        with write_session(engine) as session:
            add_statements(session, full, CHANGED)
        embeddings.forget_memory()
        warm = timed_analysis(engine, full)
        analysis = {
            "statements": statements,
            "points": statements * POINTS_PER_STATEMENT,
            "clusters": cold["clusters"],
            "analyse_seconds": cold["seconds"],
            "analyse_progress_updates": cold["progress_updates"],
            "analyse_progress_monotonic": cold["progress_monotonic"],
            "changed_statements": CHANGED,
            "reanalyse_seconds": warm["seconds"],
            "goal_cold_seconds": GOAL_COLD_SECONDS,
            "goal_warm_seconds": GOAL_WARM_SECONDS,
            "analysis_goals_met": cold["seconds"] <= GOAL_COLD_SECONDS
            and warm["seconds"] <= GOAL_WARM_SECONDS,
        }
        if not pages:
            engine.dispose()
            return analysis
        with write_session(engine) as session:  # the same page, analysed, with nothing in it
            workspace.analyse(session=session, actor=SYSTEM, call_id=empty)
        timings: dict[str, list[float]] = {"empty": [], "full": [], "largest topic": []}
        with read_session(engine) as session:
            seen = workspace.overview(session=session, actor=SYSTEM, call_id=full)
        largest = max(seen.topics, key=lambda t: t.points)
        with database_url(url):
            app = signed_in_app()
            for _ in range(ROUNDS):
                for name, call_id in (("empty", empty), ("full", full)):
                    seconds, app = render_seconds(app, call_id)
                    timings[name].append(seconds)
            # Staff open the largest topic: its points, suggestion and tools.
            app.session_state[f"topic-of-call-{full}"] = id_of(largest.cluster)
            for _ in range(ROUNDS):
                seconds, app = render_seconds(app, full)
                timings["largest topic"].append(seconds)
        engine.dispose()
    empty_seconds = statistics.median(timings["empty"])
    full_seconds = statistics.median(timings["full"])
    ratio = full_seconds / empty_seconds
    return {
        **analysis,
        "empty_page_seconds": round(empty_seconds, 3),
        "full_page_seconds": round(full_seconds, 3),
        "ratio": round(ratio, 2),
        "largest_topic_points": largest.points,
        "largest_topic_open_seconds": round(statistics.median(timings["largest topic"]), 3),
        "goal_ratio": GOAL_RATIO,
        "goal_met": ratio <= GOAL_RATIO,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--statements", type=int, default=2_000)
    parser.add_argument("--analysis-only", action="store_true", help="no page rendering")
    arguments = parser.parse_args()
    print(json.dumps(run(arguments.statements, pages=not arguments.analysis_only)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
