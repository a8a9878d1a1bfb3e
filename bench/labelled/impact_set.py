"""The labelled set for `positions.followup.impact`: 200 Kernforderungen of a fictional supplier
association and a fictional federal Grundsatzpapier of about 300,000 characters that takes
some of them up verbatim, some reworded, turns some down and ignores the rest.

Hand-written (bench/labelled/impact/demands.txt): every demand, every reworded and every
rejecting passage, and near misses (same topic, no adoption). Put together by `build`
with a seeded generator: the filler prose, from hand-written building blocks
(bench/labelled/impact/filler.txt) whose predicates only describe or report, and the verbatim
passages, each a demand copied into a frame ("Die Bundesregierung wird darauf hinwirken,
dass …") or with its modal verb changed ("muss" → "soll"). `build` is deterministic.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

HERE = Path(__file__).resolve().parent / "impact"
Expected = Literal["verbatim", "reworded", "negated", "none"]
KINDS: tuple[Expected, ...] = ("verbatim", "reworded", "negated", "none")
TARGET_CHARS = 300_000
SEED = 2025
INSERT_ALLOWANCE = 60_000


@dataclass(frozen=True)
class LabelledDemand:
    """A demand, how the outcome treats it and, unless `expected` is "none", where."""

    key: int
    text: str
    expected: Expected
    chapter: str
    passage: str | None  # hand-written passage (reworded, negated); None for verbatim/none
    near_miss: str | None
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class ImpactSet:
    demands: tuple[LabelledDemand, ...]
    outcome: str
    # (demand key, start, end) of each near miss in the outcome: same topic, no adoption.
    near_misses: tuple[tuple[int, int, int], ...]


# --- the hand-written material --------------------------------------------------------------


def load_demands() -> list[LabelledDemand]:
    """The demands of demands.txt in file order, keys counting from 1 (no spans yet)."""
    demands: list[LabelledDemand] = []
    chapter = ""
    pending: dict[str, str] = {}

    def close() -> None:
        if pending:
            demands.append(
                LabelledDemand(
                    key=len(demands) + 1,
                    text=pending["text"],
                    expected=pending["kind"],  # type: ignore[arg-type]
                    chapter=pending["chapter"],
                    passage=pending.get(">"),
                    near_miss=pending.get("~"),
                )
            )
            pending.clear()

    for raw in (HERE / "demands.txt").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or (line.startswith("#") and not line.startswith("## ")):
            continue
        if line.startswith("## "):
            close()
            chapter = line[3:].strip()
        elif line.startswith("["):
            close()
            kind, text = line[1:].split("] ", 1)
            assert kind in KINDS, line
            pending.update(kind=kind, text=text, chapter=chapter)
        elif line[:2] in ("> ", "~ "):
            pending[line[0]] = line[2:]
        else:
            raise ValueError(f"unreadable line in demands.txt: {line!r}")
    close()
    for demand in demands:
        needs_passage = demand.expected in ("reworded", "negated")
        assert needs_passage == (demand.passage is not None), demand
    return demands


@dataclass(frozen=True)
class _Chapter:
    name: str
    title: str
    subs: list[str]
    subjects: list[str]
    contexts: list[str]


@dataclass(frozen=True)
class _Filler:
    predicates: list[str]
    tails: list[str]
    general: list[str]
    process: list[str]
    places: list[str]
    chapters: dict[str, _Chapter]


def _load_filler() -> _Filler:
    lists: dict[str, list[str]] = {}
    chapters: dict[str, _Chapter] = {}
    current: list[str] = []
    chapter: _Chapter | None = None
    for raw in (HERE / "filler.txt").read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        section = re.fullmatch(r"\[(\w+)(?: (\w+))?\]", raw.strip())
        if section and section.group(1) == "chapter":
            chapter = _Chapter(section.group(2), "", [], [], [])
            chapters[chapter.name] = chapter
        elif section:
            chapter = None
            current = lists.setdefault(section.group(1), [])
        elif chapter is not None:
            field, value = raw.split(": ", 1)
            if field == "title":
                chapters[chapter.name] = chapter = _Chapter(
                    chapter.name, value, chapter.subs, chapter.subjects, chapter.contexts
                )
            else:
                {"sub": chapter.subs, "subject": chapter.subjects, "context": chapter.contexts}[
                    field
                ].append(value)
        else:
            # Tails keep their leading space or comma; other lines are stripped.
            current.append(raw.rstrip() if raw[:1] in " ," else raw.strip())
    return _Filler(
        predicates=lists["predicates"],
        tails=lists["tails"],
        general=lists["general"],
        process=lists["process"],
        places=lists["places"],
        chapters=chapters,
    )


# --- verbatim passages ----------------------------------------------------------------------

_DASS_FRAMES = (
    "Die Bundesregierung wird darauf hinwirken, dass {}.",
    "Es besteht Einvernehmen darüber, dass {}.",
    "Die Teilnehmenden des Dialogs stimmen darin überein, dass {}.",
    "Die Bundesregierung teilt die Auffassung der Verbände, dass {}.",
    "Ziel der Bundesregierung ist, dass {}.",
    "Die Bundesregierung wird sich dafür einsetzen, dass {}.",
)
_INFINITIVE_FRAMES = (
    "Die Bundesregierung beabsichtigt, {}.",
    "Die Bundesregierung hat sich vorgenommen, {}.",
)
_NOUN_FRAMES = ("Die Bundesregierung strebt {} an.", "Die Bundesregierung unterstützt {}.")
_MAIN_FRAMES = ("{}", "Im Einzelnen gilt: {}", "Hierzu wurde vereinbart: {}")
_MODALS = {"muss": ("soll", "wird"), "müssen": ("sollen", "werden"), "sollte": ("soll",)}


def verbatim_passage(demand: str, rng: random.Random) -> str:
    """The demand as a ministry would copy it: in a frame, or with another modal verb."""
    body = demand.rstrip(".")
    if match := re.match(r"Wir fordern, dass (.+)", body):
        return rng.choice(_DASS_FRAMES).format(match.group(1))
    if match := re.match(r"Wir fordern die Bundesregierung auf, (.+)", body):
        return rng.choice(_INFINITIVE_FRAMES).format(match.group(1))
    if match := re.match(r"Wir fordern (.+)", body):
        return rng.choice(_NOUN_FRAMES).format(match.group(1))
    words = demand.split(" ")
    for index, word in enumerate(words):
        if word in _MODALS and rng.random() < 0.5:
            words[index] = rng.choice(_MODALS[word])
            demand = " ".join(words)
            break
    return rng.choice(_MAIN_FRAMES).format(demand)


# --- the outcome ----------------------------------------------------------------------------

_MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


class _Writer:
    """Appends text and remembers where labelled pieces landed."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, piece: str) -> tuple[int, int]:
        start = self.length
        self.parts.append(piece)
        self.length += len(piece)
        return start, self.length

    def text(self) -> str:
        return "".join(self.parts)


def _fill(template: str, rng: random.Random, places: list[str]) -> str:
    values = {
        "year": lambda: str(rng.randint(2015, 2024)),
        "number": lambda: f"{rng.randint(12, 95) * 10_000:,}".replace(",", "."),
        "number_small": lambda: str(rng.randint(2, 19)),
        "share": lambda: str(rng.randint(5, 45)),
        "date": lambda: f"{rng.randint(1, 28)}. {rng.choice(_MONTHS)} {rng.randint(2021, 2025)}",
        "section": lambda: f"{rng.randint(1, 16)}.{rng.randint(1, 3)}",
        "place": lambda: rng.choice(places),
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)](), template)


def _filler_sentence(chapter: _Chapter | None, filler: _Filler, rng: random.Random) -> str:
    roll = rng.random()
    if chapter is not None and roll < 0.5:
        tail = rng.choice(filler.tails) if rng.random() < 0.35 else ""
        return f"{rng.choice(chapter.subjects)} {rng.choice(filler.predicates)}{tail}."
    if chapter is not None and roll < 0.72:
        template = rng.choice(chapter.contexts)
    elif roll < 0.87:
        template = rng.choice(filler.general)
    else:
        template = rng.choice(filler.process)
    return _fill(template, rng, filler.places)


def build(target_chars: int = TARGET_CHARS, seed: int = SEED) -> ImpactSet:
    """The demands with their labelled spans and the outcome text (deterministic)."""
    rng = random.Random(seed)
    demands = load_demands()
    filler = _load_filler()
    chapter_names = list(dict.fromkeys(demand.chapter for demand in demands))
    # Chapters grow past their filler budget to make room for their inserts (one per
    # paragraph, filler paragraphs between); this allowance keeps the total near the target.
    per_chapter = max(0, target_chars - INSERT_ALLOWANCE) // (len(chapter_names) + 2)

    # What goes into each chapter: (demand key, text, labelled passage or near miss).
    inserts: dict[str, list[tuple[int, str, bool]]] = {name: [] for name in chapter_names}
    for demand in demands:
        if demand.expected == "verbatim":
            inserts[demand.chapter].append((demand.key, verbatim_passage(demand.text, rng), True))
        elif demand.passage is not None:
            inserts[demand.chapter].append((demand.key, demand.passage, True))
        if demand.near_miss is not None:
            inserts[demand.chapter].append((demand.key, demand.near_miss, False))

    writer = _Writer()
    spans: dict[int, tuple[int, int]] = {}
    near: list[tuple[int, int, int]] = []
    writer.add(
        "Industriepolitische Leitlinien der Bundesregierung für die Automobil- und "
        "Zulieferindustrie\n\nErgebnis des Transformationsdialogs Automobilindustrie\n\n"
        f"Berlin, im {rng.choice(_MONTHS)} 2025\n\nPräambel\n\n"
    )
    _paragraphs(
        writer,
        None,
        inserts=[],
        budget=per_chapter,
        filler=filler,
        rng=rng,
        spans=spans,
        near=near,
    )
    for number, name in enumerate(chapter_names, start=1):
        chapter = filler.chapters[name]
        writer.add(f"{number}. {chapter.title}\n\n")
        todo = inserts[name]
        rng.shuffle(todo)
        share = -(-len(todo) // len(chapter.subs))
        for sub_number, sub in enumerate(chapter.subs, start=1):
            writer.add(f"{number}.{sub_number} {sub}\n\n")
            mine = todo[(sub_number - 1) * share : sub_number * share]
            budget = per_chapter // len(chapter.subs)
            _paragraphs(
                writer,
                chapter,
                inserts=mine,
                budget=budget,
                filler=filler,
                rng=rng,
                spans=spans,
                near=near,
            )
    writer.add(f"{len(chapter_names) + 1}. Umsetzung und Monitoring\n\n")
    _paragraphs(
        writer,
        None,
        inserts=[],
        budget=per_chapter,
        filler=filler,
        rng=rng,
        spans=spans,
        near=near,
    )

    outcome = writer.text().rstrip() + "\n"
    labelled = tuple(
        LabelledDemand(
            key=d.key,
            text=d.text,
            expected=d.expected,
            chapter=d.chapter,
            passage=d.passage,
            near_miss=d.near_miss,
            span=spans.get(d.key),
        )
        for d in demands
    )
    return ImpactSet(demands=labelled, outcome=outcome, near_misses=tuple(near))


def _paragraphs(
    writer: _Writer,
    chapter: _Chapter | None,
    *,
    inserts: list[tuple[int, str, bool]],
    budget: int,
    filler: _Filler,
    rng: random.Random,
    spans: dict[int, tuple[int, int]],
    near: list[tuple[int, int, int]],
) -> None:
    """Paragraphs of filler until `budget` characters, one insert in each of the first ones,
    spread so that at least one filler paragraph stands between two inserts."""
    start = writer.length
    pending = list(inserts)
    gap = 0
    while writer.length - start < budget or pending:
        pieces: list[tuple[str, tuple[int, bool] | None]] = [
            (_filler_sentence(chapter, filler, rng), None) for _ in range(rng.randint(3, 6))
        ]
        if pending and gap <= 0:
            key, passage, labelled = pending.pop()
            pieces.insert(rng.randint(0, len(pieces)), (passage, (key, labelled)))
            gap = rng.randint(1, 2)
        else:
            gap -= 1
        for index, (piece, label) in enumerate(pieces):
            if index:
                writer.add(" ")
            where = writer.add(piece)
            if label is not None and label[1]:
                spans[label[0]] = where
            elif label is not None:
                near.append((label[0], *where))
        writer.add("\n\n")
