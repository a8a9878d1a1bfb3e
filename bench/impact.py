"""Benchmark of `positions.followup.impact.assess_outcome` on the labelled set of
bench/labelled/impact_set.py: 200 Kernforderungen against a Grundsatzpapier of ~300,000 chars.

    python -m bench.impact [--misses]

prints one JSON document:

- `seconds`: wall time of one assessment (the fastest of `REPEAT` runs, cold caches);
  `seconds_5mb`: one run against the outcome repeated to about 5 MB.
- per kind (`verbatim`, `reworded`): `precision` = reported passages of that kind at the
  labelled place for a demand labelled that kind / all passages reported of that kind;
  `recall` = the same hits / demands labelled that kind. A passage is at the labelled
  place when it overlaps the labelled span.
- `adoption`: the same ignoring the kind (verbatim vs reworded), so a reworded demand
  reported as verbatim at the right place counts.
- `rejection`: for the demands the outcome turns down ("wird nicht eingeführt").
- `confusion`: labelled kind → what was reported (kind, "rejected", "none"; "elsewhere"
  when a passage was reported at another place).
- `--misses` adds every demand where report and label differ, with the quote.

Goals: seconds ≤ 3; recall ≥ 0.95 verbatim and ≥ 0.6 reworded, precision ≥ 0.9 each.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from typing import Any

from bench.labelled.impact_set import ImpactSet, LabelledDemand, build
from positions.core import text
from positions.followup.impact import Assessment, Demand, Match, assess_outcome

REPEAT = 3
LARGE_CHARS = 5_000_000


def _assess(labelled: ImpactSet, outcome: str) -> tuple[float, Assessment]:
    demands = [Demand(key=d.key, text=d.text) for d in labelled.demands]
    text.stem.cache_clear()
    started = time.perf_counter()
    result = assess_outcome(demands, outcome)
    return time.perf_counter() - started, result


def _overlaps(match: Match, span: tuple[int, int] | None) -> bool:
    return span is not None and match.start < span[1] and span[0] < match.end


def _outcome_of(demand: LabelledDemand, reported: dict[int, tuple[str, Match]]) -> str:
    if demand.key not in reported:
        return "none"
    what, match = reported[demand.key]
    if demand.expected != "none" and not _overlaps(match, demand.span):
        return "elsewhere"
    return what


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def evaluate(labelled: ImpactSet, result: Assessment) -> dict[str, Any]:
    """Precision, recall and confusion of one assessment against the labels."""
    reported: dict[int, tuple[str, Match]] = {m.demand_key: (m.kind, m) for m in result.adoptions}
    reported |= {m.demand_key: ("rejected", m) for m in result.rejections}
    outcomes = {d.key: _outcome_of(d, reported) for d in labelled.demands}
    expected: Counter[str] = Counter(d.expected for d in labelled.demands)
    predicted = Counter(what for what, _ in reported.values())
    scores: dict[str, Any] = {}
    for kind, label in (
        ("verbatim", "verbatim"),
        ("reworded", "reworded"),
        ("rejected", "negated"),
    ):
        hits = sum(d.expected == label and outcomes[d.key] == kind for d in labelled.demands)
        name = "rejection" if kind == "rejected" else kind
        scores[name] = {
            "precision": _ratio(hits, predicted[kind]),
            "recall": _ratio(hits, expected[label]),
            "hits": hits,
            "reported": predicted[kind],
            "labelled": expected[label],
        }
    adopted = ("verbatim", "reworded")
    hits = sum(d.expected in adopted and outcomes[d.key] in adopted for d in labelled.demands)
    reported_adoptions = predicted["verbatim"] + predicted["reworded"]
    scores["adoption"] = {
        "precision": _ratio(hits, reported_adoptions),
        "recall": _ratio(hits, expected["verbatim"] + expected["reworded"]),
        "hits": hits,
        "reported": reported_adoptions,
    }
    confusion: dict[str, dict[str, int]] = {}
    for demand in labelled.demands:
        row = confusion.setdefault(demand.expected, {})
        row[outcomes[demand.key]] = row.get(outcomes[demand.key], 0) + 1
    scores["confusion"] = confusion
    return scores


def misses(labelled: ImpactSet, result: Assessment) -> list[dict[str, Any]]:
    """Every demand whose report differs from its label, for reading."""
    reported: dict[int, tuple[str, Match]] = {m.demand_key: (m.kind, m) for m in result.adoptions}
    reported |= {m.demand_key: ("rejected", m) for m in result.rejections}
    wanted = {"verbatim": "verbatim", "reworded": "reworded", "negated": "rejected"}
    found: list[dict[str, Any]] = []
    for demand in labelled.demands:
        got = _outcome_of(demand, reported)
        if got == wanted.get(demand.expected, "none"):
            continue
        entry: dict[str, Any] = {
            "key": demand.key,
            "expected": demand.expected,
            "got": got,
            "demand": demand.text,
        }
        if demand.span:
            entry["labelled"] = labelled.outcome[demand.span[0] : demand.span[1]]
        if demand.key in reported:
            entry["score"] = reported[demand.key][1].score
            entry["quote"] = reported[demand.key][1].quote
        found.append(entry)
    return found


def run(show_misses: bool = False) -> dict[str, Any]:
    labelled = build()
    timings = []
    result = None
    for _ in range(REPEAT):
        seconds, result = _assess(labelled, labelled.outcome)
        timings.append(seconds)
    assert result is not None
    large = (labelled.outcome + "\n\n") * (LARGE_CHARS // len(labelled.outcome) + 1)
    large_seconds, _ = _assess(labelled, large[:LARGE_CHARS])
    report: dict[str, Any] = {
        "demands": len(labelled.demands),
        "outcome_chars": len(labelled.outcome),
        "seconds": round(min(timings), 3),
        "seconds_5mb": round(large_seconds, 2),
        **evaluate(labelled, result),
    }
    if show_misses:
        report["misses"] = misses(labelled, result)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list every wrong report")
    args = parser.parse_args()
    print(json.dumps(run(show_misses=args.misses), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
