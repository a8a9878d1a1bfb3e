"""Benchmark of `positions.analysis.tracing`: 400 paragraphs traced against 5,000 points.

    python -m bench.tracing [--points 5000] [--paragraphs 400] [--repeat 3] [--seed 2024]

prints one JSON line. The labelled set is bench/labelled/tracing_set.py (hand-written points and
paragraphs, plus generated ones; see its docstring).

- `seconds`: wall time of building the `TraceIndex` over the points and tracing every
  paragraph, the fastest of `--repeat` runs, each with a cold stem cache and the sentence
  embeddings already computed (as the database cache, `StoredEmbeddings`, has them after the
  first analysis of a call); `cpu_seconds`: the process time of that run (the machine may be
  shared); `index_seconds` and `trace_seconds` split it. `embed_cold_seconds`: computing the
  embeddings of the points and the paragraphs' sentences once, without any cache (what the
  first analysis of a call pays once); `seconds_words_only`: the same run with embeddings
  that say nothing (zero vectors), the lexical path alone.
- `precision` / `recall` / `f1`: over (paragraph, point) pairs, suggested against labelled,
  micro-averaged; also for the hand-written paragraphs alone (`hand`) and the generated
  ones (`generated`), and for the hand-written paragraphs traced against the hand-written
  points alone (`hand_small_call`, a call of ~50 points).
- `conflicts`: (paragraph, point) pairs reported as contradicting instead of suggested (a
  point naming another year, addressee or stance; `positions.analysis.guards`), and
  `conflicts_labelled`: those a careful reader labelled as sources, i.e. false alarms that
  cost recall; in each part.

The set has no held-out part of its own: the hand-written paragraphs are what the guards were
checked against; `--seed` draws other generated points and paragraphs from the same
templates, for a part nothing was tuned on.

The other labelled sets are traced as the paper editor does: the points are grouped into
near-duplicates first (`positions.analysis.dedupe`), the canonical wording of each group is
traced with the UI's cut-off (`top` = `tracing.TOP`), and a suggested point counts with its
copies (staff link them in one click):

- `tune`: bench/labelled/tracing_tune.py, written for issue 20 before the code changed
  ("Wir fordern, dass …" demands, a campaign copy split at a colon, rewordings, look-alikes,
  paragraphs resting on no point); looked at while tuning;
- `heldout`: bench/labelled/statements_heldout.py (paragraphs written from 240 statements
  by someone else, with look-alike pairs), measured once and spent since;
- `heldout2`: bench/labelled/statements_heldout2.py (30 paragraphs from 150 statements,
  written after that), measured, then spent: its misses were read (campaign copies not
  brought along, which is why suggestions now come with their near-duplicates);
- `heldout3`: bench/labelled/statements_heldout3.py (30 paragraphs from 150 statements on
  other themes, written later still), measured, then spent: its false conflicts and misses
  were read (demands that forbid something read as refusals, measures of different kinds
  compared, a copy's run missed);
- `heldout4`: bench/labelled/statements_heldout4.py (30 paragraphs with 131 sources from 147
  statements on other themes again, written when the third was spent), only measured.

`related_offered`, `related_precision`, `recall_with_related`: the related points offered
apart for staff to check (`Findings.related`), the share of them labelled as sources, and
the recall of sources and related points together;
`no_source_paragraphs_with_suggestions`: paragraphs labelled with no source that got one;
`look_alikes_suggested`: look-alike pairs (a labelled source and a point that says nearly
the same with another figure or addressee) whose look-alike was suggested;
`look_alikes_related`: the same among the related points (meaning alone cannot tell them
apart, which is why related points are offered apart, for staff to check).

Goal: `seconds` ≤ 2 and `f1` ≥ 0.8.
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from bench.labelled import tracing_tune
from bench.labelled.tracing_set import HAND_POINTS, SEED, build
from positions.analysis.dedupe import group_near_duplicates
from positions.analysis.tracing import Findings, TraceIndex
from positions.core import embeddings, text
from positions.core.embeddings import Vectors

GOAL_SECONDS = 2.0
GOAL_F1 = 0.8


def quality(found: Sequence[Findings], labels: Sequence[frozenset[int]]) -> dict[str, float]:
    """Micro-averaged precision, recall and F1 over (paragraph, point) pairs, and the
    conflicts reported (all, and those on labelled pairs)."""
    hits = suggested = labelled = conflicts = conflicts_labelled = 0
    for findings, sources in zip(found, labels, strict=True):
        points = {item.point_index for item in findings.sources}
        conflicting = {item.point_index for item in findings.conflicts}
        hits += len(points & sources)
        suggested += len(points)
        labelled += len(sources)
        conflicts += len(conflicting)
        conflicts_labelled += len(conflicting & sources)
    precision = hits / suggested if suggested else 1.0
    recall = hits / labelled if labelled else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "conflicts": conflicts,
        "conflicts_labelled": conflicts_labelled,
    }


def _nothing(texts: Sequence[str]) -> Vectors:
    """Embeddings that say nothing: the lexical path alone."""
    return np.zeros((len(texts), embeddings.DIMENSIONS), dtype=np.float32)


def _warm(points: Sequence[str], paragraphs: Sequence[str]) -> float:
    """Compute every embedding the runs need once (into the in-process cache); seconds."""
    started = time.perf_counter()
    index = TraceIndex(points)
    index.find_all(paragraphs)
    return time.perf_counter() - started


def measure(
    points: int = 5000, paragraphs: int = 400, repeat: int = 3, seed: int = SEED
) -> dict[str, Any]:
    labelled = build(points=points, paragraphs=paragraphs, seed=seed)
    texts = list(labelled.paragraphs)
    embeddings.forget_memory()
    embed_cold = _warm(labelled.points, texts)
    best: dict[str, float] = {}
    found: list[Findings] = []
    words_only = float("inf")
    for _ in range(repeat):
        text.stem.cache_clear()  # every run pays for stemming, as the first in a process
        wall, cpu = time.perf_counter(), time.process_time()
        index = TraceIndex(labelled.points)
        indexed = time.perf_counter()
        found = index.find_all(texts)
        seconds = time.perf_counter() - wall
        if not best or seconds < best["seconds"]:
            best = {
                "seconds": round(seconds, 3),
                "cpu_seconds": round(time.process_time() - cpu, 3),
                "index_seconds": round(indexed - wall, 3),
                "trace_seconds": round(seconds - (indexed - wall), 3),
            }
        text.stem.cache_clear()
        wall = time.perf_counter()
        TraceIndex(labelled.points, embed=_nothing).find_all(texts)
        words_only = min(words_only, time.perf_counter() - wall)
    best["embed_cold_seconds"] = round(embed_cold, 3)
    best["seconds_words_only"] = round(words_only, 3)
    hand = labelled.hand
    small = TraceIndex(labelled.points[: len(HAND_POINTS)]).find_all(texts[:hand])
    overall = quality(found, labelled.sources)
    return {
        "seed": seed,
        "points": len(labelled.points),
        "paragraphs": len(texts),
        "hand_written_paragraphs": hand,
        "labelled_pairs": sum(len(sources) for sources in labelled.sources),
        **best,
        **overall,
        "hand": quality(found[:hand], labelled.sources[:hand]),
        "generated": quality(found[hand:], labelled.sources[hand:]),
        "hand_small_call": quality(small, labelled.sources[:hand]),
        "targets_met": {
            "seconds_le_2": best["seconds"] <= GOAL_SECONDS,
            "f1_ge_0.8": overall["f1"] >= GOAL_F1,
        },
    }


def as_the_editor_does(points: Sequence[str], paragraphs: Sequence[str]) -> list[Findings]:
    """Trace the canonical wordings of the near-duplicate groups, each suggestion and
    conflict counting for every copy (`workspace.find_sources`)."""
    members = {index: [index] for index in range(len(points))}
    for group in group_near_duplicates(points):
        for member in group.members:
            members.pop(member, None)
        members[group.canonical] = list(group.members)
    heads = sorted(members)
    copies = [[points[i] for i in members[head] if i != head] for head in heads]
    found = TraceIndex([points[head] for head in heads], copies=copies).find_all(paragraphs)

    def spread(item: Any) -> list[Any]:
        return [replace(item, point_index=i) for i in members[heads[item.point_index]]]

    return [
        Findings(
            [copy for t in f.sources for copy in spread(t)],
            [copy for c in f.conflicts for copy in spread(c)],
            [copy for t in f.related for copy in spread(t)],
        )
        for f in found
    ]


def tune() -> dict[str, Any]:
    """Quality on the tune set of issue 20 (looked at while tuning), at the UI's cut-off."""
    labelled = tracing_tune.build()
    found = as_the_editor_does(labelled.points, labelled.paragraphs)
    return {
        "paragraphs": len(labelled.paragraphs),
        "labelled_pairs": sum(len(sources) for sources in labelled.sources),
        **quality(found, labelled.sources),
        "no_source_paragraphs_with_suggestions": _unfounded(found, labelled.sources),
    }


def _related_quality(
    found: Sequence[Findings], labels: Sequence[frozenset[int]]
) -> dict[str, float | int]:
    """The related points offered apart (`Findings.related`): how many are labelled
    sources, and the recall of sources and related points together."""
    offered = hits = together = labelled = 0
    for findings, sources in zip(found, labels, strict=True):
        suggested = {item.point_index for item in findings.sources}
        related = {item.point_index for item in findings.related} - suggested
        offered += len(related)
        hits += len(related & sources)
        together += len((suggested | related) & sources)
        labelled += len(sources)
    return {
        "related_offered": offered,
        "related_precision": round(hits / offered, 4) if offered else 1.0,
        "recall_with_related": round(together / labelled, 4) if labelled else 1.0,
    }


def _unfounded(found: Sequence[Findings], labels: Sequence[frozenset[int]]) -> int:
    return sum(1 for f, s in zip(found, labels, strict=True) if not s and f.sources)


def heldout(name: str = "statements_heldout") -> dict[str, Any]:
    """Quality on a held-out set (`statements_heldout` to `statements_heldout4`)."""
    return _measure_heldout(importlib.import_module(f"bench.labelled.{name}").load())


def _heldouts() -> dict[str, Any]:
    return {
        "heldout": heldout(),
        "heldout2": heldout("statements_heldout2"),
        "heldout3": heldout("statements_heldout3"),
        "heldout4": heldout("statements_heldout4"),
    }


def _measure_heldout(labelled: Any) -> dict[str, Any]:
    """Trace the held-out paragraphs against all points of its statements, as the paper
    editor does, and count what a user would notice."""
    ids = [point.id for statement in labelled.statements for point in statement.points]
    texts = [point.text for statement in labelled.statements for point in statement.points]
    number = {point_id: index for index, point_id in enumerate(ids)}
    paragraphs = list(labelled.paragraphs)
    started = time.perf_counter()
    found = as_the_editor_does(texts, [paragraph.text for paragraph in paragraphs])
    seconds = time.perf_counter() - started
    sources = [frozenset(number[i] for i in paragraph.sources) for paragraph in paragraphs]
    look_alike_pairs = [(a.first, a.second) for a in labelled.look_alikes]
    look_alikes_suggested = look_alikes_related = 0
    for findings, paragraph in zip(found, paragraphs, strict=True):
        suggested = {ids[item.point_index] for item in findings.sources}
        offered = {ids[item.point_index] for item in findings.related}
        labelled_sources = set(paragraph.sources)
        for first, second in look_alike_pairs:
            for source, other in ((first, second), (second, first)):
                if source in labelled_sources and other not in labelled_sources:
                    look_alikes_suggested += other in suggested
                    look_alikes_related += other in offered
    scores = quality(found, sources)
    related_scores = _related_quality(found, sources)
    return {
        "points": len(texts),
        "paragraphs": len(paragraphs),
        "labelled_pairs": sum(len(s) for s in sources),
        "found_pairs": sum(
            len({t.point_index for t in f.sources} & s) for f, s in zip(found, sources, strict=True)
        ),
        **scores,
        **related_scores,
        "no_source_paragraphs": sum(1 for s in sources if not s),
        "no_source_paragraphs_with_suggestions": _unfounded(found, sources),
        "look_alike_pairs": len(look_alike_pairs),
        "look_alikes_suggested": look_alikes_suggested,
        "look_alikes_related": look_alikes_related,
        "seconds_cold": round(seconds, 3),
        "targets_met": {
            "precision_ge_0.95": scores["precision"] >= 0.95,
            "recall_ge_0.9": scores["recall"] >= 0.9,
            "no_source_for_none": _unfounded(found, sources) == 0,
            "no_look_alike": look_alikes_suggested == 0,
        },
    }


def run() -> dict[str, Any]:
    """What `make bench` calls: the 400 × 5,000 measurement, the tune and held-out sets."""
    return {**measure(), "tune": tune(), **_heldouts()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=5000)
    parser.add_argument("--paragraphs", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=SEED, help="draw of the generated part")
    arguments = parser.parse_args()
    result = measure(arguments.points, arguments.paragraphs, arguments.repeat, arguments.seed)
    print(json.dumps({**result, "tune": tune(), **_heldouts()}))


if __name__ == "__main__":
    main()
