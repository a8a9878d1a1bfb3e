"""Search quality: does staff search find a theme's points when asked in the theme's words?

    python -m bench.search_quality

Each held-out statement set (`bench.labelled.statements_heldout*`) comes with a coder's
themes and a German label for each ("Netzentgelte senken und gerecht verteilen"). Its points
go into a migrated SQLite database, each statement of the set in a call
(a member's second statement in a second call), and staff search
(`positions.statements.search.search`, by words and by meaning) is asked two queries per
theme: the whole label and its first word ("Netzentgelte"). A hit is relevant when its point
carries that theme. Per set and query kind: precision of the first `FIRST` hits (what a
reader sees without scrolling), precision of all hits, recall (the theme's points found) and
the hits found by meaning alone.

The labels were written to name a theme, not as queries, and before search was changed for
them. The first set (`heldout`) is spent: it set `search.MIN_SHORT_SIMILARITY` and
`search.STANDOUT`. The later sets are only measured; the fourth was measured twice: its
first figures showed that standing out added more loose hits than theme points to short
queries, which keep their fixed threshold since.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from importlib import import_module
from typing import Any

from bench.rows import open_call
from db import migrate
from db.engine import create_engine_for, write_session
from db.models import (
    Call,
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

SETS = (
    ("heldout", "bench.labelled.statements_heldout"),
    ("heldout2", "bench.labelled.statements_heldout2"),
    ("heldout3", "bench.labelled.statements_heldout3"),
    ("heldout4", "bench.labelled.statements_heldout4"),
)
FIRST = 10  # hits a reader sees first


def measure(module: str) -> dict[str, Any]:
    """The figures of one labelled set (see the module docstring)."""
    data = import_module(module).load()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/quality.db"
        migrate.upgrade(url)
        engine = create_engine_for(url)
        with write_session(engine) as session:
            staff, themes_of = store_set(session, data)
            queries = {
                "label": list(data.themes.items()),
                "first_word": [(key, label.split()[0]) for key, label in data.themes.items()],
            }
            figures = {
                kind: _figures(session, staff, themes_of, asked) for kind, asked in queries.items()
            }
        engine.dispose()
    return {"themes": len(data.themes), "points": len(themes_of), **figures}


def store_set(session: Any, data: Any) -> tuple[Actor, dict[int, str]]:
    """The set's statements stored in one open call; staff, and each point id's theme."""
    forum = Forum(name="Messung", short_name="M", kind=ForumKind.FEDERAL)
    session.add(forum)
    session.flush()
    organisations: dict[str, Organisation] = {}
    for statement in data.statements:
        if statement.organisation not in organisations:
            organisations[statement.organisation] = Organisation(
                name=statement.organisation, kind=OrganisationKind.COMPANY
            )
    session.add_all(organisations.values())
    session.flush()
    themes_of: dict[int, str] = {}
    calls: list[Call] = []
    sent: Counter[str] = Counter()
    for labelled in data.statements:
        # A member sends one statement per call: its second statement goes to a second call.
        if sent[labelled.organisation] == len(calls):
            calls.append(open_call(session, forum, f"Messung {len(calls) + 1}"))
        call = calls[sent[labelled.organisation]]
        sent[labelled.organisation] += 1
        stored = Statement(
            call_id=id_of(call),
            organisation_id=id_of(organisations[labelled.organisation]),
            text="\n\n".join(point.text for point in labelled.points),
            source=StatementSource.WEB,
            visibility=Visibility.NAMED,
            status=StatementStatus.SUBMITTED,
        )
        session.add(stored)
        session.flush()
        for position, point in enumerate(labelled.points):
            row = Point(
                statement_id=id_of(stored),
                position=position,
                text=point.text,
                norm_hash=text.text_hash(point.text),
                search_key=search.key_of(point.text),
            )
            session.add(row)
            session.flush()
            themes_of[id_of(row)] = point.theme
    staff = User(email="referat@messung.example", name="Referat", role=Role.STAFF)
    session.add(staff)
    session.flush()
    return Actor.for_user(staff), themes_of


def _figures(
    session: Any, staff: Actor, themes_of: dict[int, str], asked: list[tuple[str, str]]
) -> dict[str, Any]:
    first_relevant = first_shown = relevant = shown = wanted = by_meaning = 0
    for theme, query in asked:
        hits = search.search(session=session, actor=staff, query=query)
        right = [themes_of[id_of(hit.point)] == theme for hit in hits]
        first_relevant += sum(right[:FIRST])
        first_shown += len(right[:FIRST])
        relevant += sum(right)
        shown += len(right)
        wanted += sum(1 for own in themes_of.values() if own == theme)
        by_meaning += sum(1 for hit in hits if not hit.by_words)
    return {
        f"precision_first_{FIRST}": round(first_relevant / first_shown, 3) if first_shown else None,
        "precision": round(relevant / shown, 3) if shown else None,
        "recall": round(relevant / wanted, 3),
        "hits": shown,
        "hits_by_meaning": by_meaning,
    }


def run() -> dict[str, Any]:
    return {name: measure(module) for name, module in SETS}


def main() -> int:
    print(json.dumps(run(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
