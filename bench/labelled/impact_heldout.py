"""Held-out labelled set for the outcome matcher (`positions.followup.impact`): 90
Kernforderungen of a fictional supplier association and a fictional federal report
("Bericht der Bundesregierung zur Transformation der Automobil- und Zulieferindustrie",
about 85,000 characters, 14 chapters) that adopts some of them verbatim, some reworded,
turns some down and leaves the rest untouched.

Provenance: hand-written on 2026-12-05 by a writer who had not seen the matcher, its word
lists or its tuning sets. Both texts are fictional; figures and institutions are plausible
but invented where they concern future measures. The report was written as a ministry
writes, the demands as an association writes them, without aiming at any matching rule.

Purpose: held-out measurement only. Never tune on it: do not read its failures to add word
pairs, negation cues or thresholds. Use a tune set for that and report both figures.

Files (in `impact_heldout/`):
- `outcome.txt`: the report; paragraphs separated by blank lines.
- `labels.json`: a list of {key, text, expected, quote, note}. `expected` is "verbatim",
  "reworded", "negated" or "none"; `quote` is the exact passage (1-3 sentences) of
  `outcome.txt` that adopts or refuses the demand, null for "none".

Mix: 15 verbatim (the demand nearly unchanged, often in a frame such as "Die
Bundesregierung wird darauf hinwirken, dass …", or with another modal verb or a date
added), 30 reworded (a ministry paraphrase that really adopts the measure; several carry
a negation inside the adoption: key 17 "wird nicht beibehalten", 37 "keinerlei Pflicht",
41 "nicht innerhalb der gesetzlichen Frist", 10 "nicht mehr", 86 "verweigern können"),
17 negated (seven restate the proposal in detail and then refuse it, three more restate it
in one sentence first), 28 none (24 of them traps: Land or Länder instead of Bund, another
figure or year, "Verbände fordern …" only reported, the problem described without the
measure, same topic but another measure; 4 simply absent).

Limits: one writer, one document, one industry; the spans mark the labelled passage, a
matcher that reports an overlapping neighbouring sentence still counts as a hit in
`bench.impact.evaluate`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import cast

from bench.labelled.impact_set import KINDS, Expected, ImpactSet, LabelledDemand

HERE = Path(__file__).resolve().parent / "impact_heldout"
OUTCOME = HERE / "outcome.txt"
LABELS = HERE / "labels.json"

# Chapter headings of the report: "7. Bürokratieabbau, …" on a line of their own.
_CHAPTER = re.compile(r"^\d{1,2}\. \S.*$", re.MULTILINE)


def _span_of(quote: str, outcome: str, key: int) -> tuple[int, int]:
    """The quote's position; a missing or repeated quote would label the wrong passage."""
    count = outcome.count(quote)
    if count != 1:
        problem = "missing from" if count == 0 else f"found {count} times in"
        raise ValueError(f"demand {key}: quote {problem} outcome.txt: {quote[:60]!r}")
    start = outcome.index(quote)
    return start, start + len(quote)


def _chapter_at(position: int, outcome: str) -> str:
    """The title of the chapter a position lies in ("" before the first chapter)."""
    title = ""
    for heading in _CHAPTER.finditer(outcome):
        if heading.start() > position:
            break
        title = heading.group(0)
    return title


def _demand(entry: dict[str, object], outcome: str) -> LabelledDemand:
    key = int(cast(int, entry["key"]))
    expected = str(entry["expected"])
    if expected not in KINDS:
        raise ValueError(f"demand {key}: unknown kind {expected!r}")
    quote = entry.get("quote")
    if expected == "none":
        if quote is not None:
            raise ValueError(f"demand {key}: a 'none' demand has no quote")
        return LabelledDemand(
            key=key,
            text=str(entry["text"]),
            expected="none",
            chapter="",
            passage=None,
            near_miss=None,
        )
    if not isinstance(quote, str) or not quote:
        raise ValueError(f"demand {key}: a {expected!r} demand needs a quote")
    span = _span_of(quote, outcome, key)
    return LabelledDemand(
        key=key,
        text=str(entry["text"]),
        expected=cast(Expected, expected),
        chapter=_chapter_at(span[0], outcome),
        passage=quote,
        near_miss=None,
        span=span,
    )


def load(directory: Path = HERE) -> ImpactSet:
    """The held-out set: demands with spans computed from their quotes in the report."""
    outcome = (directory / OUTCOME.name).read_text(encoding="utf-8")
    entries = json.loads((directory / LABELS.name).read_text(encoding="utf-8"))
    demands = tuple(_demand(entry, outcome) for entry in entries)
    keys = [demand.key for demand in demands]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate demand keys in labels.json")
    return ImpactSet(demands=demands, outcome=outcome, near_misses=())
