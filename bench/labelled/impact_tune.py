"""The TUNE set for `positions.followup.impact`: 64 Kernforderungen of a fictional Mittelstand
association against a fictional "Bericht der Bundesregierung" of about 35,000 characters in
ministry style (bench/labelled/impact_tune/).

Demands 1-40 were written by hand before the semantic matcher was built; demands 41-64
(chapter 6, other subjects: trade, customs, transport, building) after its first version,
as a check whether its patterns carry over, before any tuning on them. The set may be tuned
on (with bench/labelled/impact_set.py); the held-out set (bench/labelled/impact_heldout.py)
is only measured. Unlike the older set, its verbatim passages are written by hand too (with an
inserted date or another modal verb), refusals restate the proposal before turning it
down, and near misses include reports of other people's demands ("Mehrere Verbände
fordern …"), other figures and other addressees (Länder, Kommunen, EU).

outcome.txt marks each labelled passage as `{{key|passage}}` and each near miss as
`{{~key|passage}}`; `load` strips the marks, records the spans and pads the text to
`TARGET_CHARS` with seeded descriptive filler paragraphs (from the older set's building
blocks, which never announce a measure) between the hand-written paragraphs.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from bench.labelled.impact_set import (
    KINDS,
    ImpactSet,
    LabelledDemand,
    _filler_sentence,
    _load_filler,
)

HERE = Path(__file__).resolve().parent / "impact_tune"
TARGET_CHARS = 35_000
# Part 3 (bench/labelled/impact_tune3/): 32 demands of a fictional Landesverband der Industrie
# against a fictional "Stellungnahme der Landesregierung" (Land ministry style, ~20,000
# characters with filler), written before the matcher was changed in that round: commitments in
# plain present tense, scope and addressee differences, restate-then-refuse, reports of other
# associations' demands, negations inside adoptions, look-alike figures and years.
HERE_PART3 = Path(__file__).resolve().parent / "impact_tune3"
TARGET_CHARS_PART3 = 20_000
# Keys of the parts inside `load()` (for per-part figures).
PART1_KEYS = range(1, 41)
PART2_KEYS = range(41, 65)
SEED = 7
_DEMAND = re.compile(r"^\[(\d+) (\w+)\] (.+)$")
_MARK = re.compile(r"\{\{(~?)(\d+)\|(.+?)\}\}")


def _demands(here: Path = HERE) -> list[tuple[int, str, str]]:
    found: list[tuple[int, str, str]] = []
    for raw in (here / "demands.txt").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _DEMAND.match(line)
        if match is None:
            raise ValueError(f"unreadable line in demands.txt: {line!r}")
        assert match.group(2) in KINDS, line
        found.append((int(match.group(1)), match.group(2), match.group(3)))
    return found


def load() -> ImpactSet:
    """Parts 1 and 2: the demands with their labelled spans and the outcome (deterministic)."""
    return _load(HERE, TARGET_CHARS)


def load_part3() -> ImpactSet:
    """Part 3 (Land ministry style), loaded the same way."""
    return _load(HERE_PART3, TARGET_CHARS_PART3)


def _load(here: Path, target_chars: int) -> ImpactSet:
    rng = random.Random(SEED)
    filler = _load_filler()
    paragraphs = (here / "outcome.txt").read_text(encoding="utf-8").strip().split("\n\n")
    plain = sum(len(_MARK.sub(r"\3", p)) + 2 for p in paragraphs)
    # Filler paragraphs go after body paragraphs (not headings) until the target is reached.
    body = [i for i, p in enumerate(paragraphs) if len(p) > 120]
    extra = max(0, target_chars - plain)
    per_paragraph = extra / max(1, len(body))
    parts: list[str] = []
    length = 0
    spans: dict[int, tuple[int, int]] = {}
    near: list[tuple[int, int, int]] = []
    passages: dict[int, str] = {}
    owed = 0.0
    for index, paragraph in enumerate(paragraphs):
        cursor = 0
        for mark in _MARK.finditer(paragraph):
            before = paragraph[cursor : mark.start()]
            parts.append(before)
            length += len(before)
            key, passage = int(mark.group(2)), mark.group(3)
            where = (length, length + len(passage))
            if mark.group(1):
                near.append((key, *where))
            else:
                spans[key] = where
                passages[key] = passage
            parts.append(passage)
            length += len(passage)
            cursor = mark.end()
        rest = paragraph[cursor:] + "\n\n"
        parts.append(rest)
        length += len(rest)
        if index in body:
            owed += per_paragraph
            while owed > 200:
                sentences = [_filler_sentence(None, filler, rng) for _ in range(rng.randint(2, 4))]
                piece = " ".join(sentences) + "\n\n"
                parts.append(piece)
                length += len(piece)
                owed -= len(piece)
    outcome = "".join(parts).rstrip() + "\n"
    demands = tuple(
        LabelledDemand(
            key=key,
            text=text,
            expected=kind,  # type: ignore[arg-type]
            chapter="",
            passage=passages.get(key) if kind != "none" else None,
            near_miss=None,
            span=spans.get(key) if kind != "none" else None,
        )
        for key, kind, text in _demands(here)
    )
    for demand in demands:
        assert (demand.span is not None) == (demand.expected != "none"), demand
    return ImpactSet(demands=demands, outcome=outcome, near_misses=tuple(near))
