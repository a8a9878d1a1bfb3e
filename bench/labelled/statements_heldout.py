"""A held-out labelled set of member statements and the position-paper paragraphs written
from them: for measuring dedupe, clustering and tracing, never for tuning them.

Provenance: hand-written on 2026-12-05 by a writer who had not seen the algorithms, their
tuning sets or their failures (positions/analysis/*, tracing_set.py and dedupe_examples.py
were not opened). All organisations, figures and quotations are fictional. Use this set only
to measure; do not look at its failures to adjust thresholds, word lists or rules, and do not
copy its texts into a tune set. If a method is tuned on it, it stops being held out.

What it holds (files in `statements_heldout/`):

- `statements.json`: 200 statements of 45 fictional members (companies and four chambers),
  each split into points of one to three sentences, each point labelled with one of the 14
  themes in `themes.json`. One member (Steinhaus Getriebebau AG) sends a single statement of
  40 points across all themes. Company German as it is really written: terse and wordy,
  with figures, with reasons, with a few typos.
- `pairs.json`: `near_duplicates`, 25 pairs of points that are one demand in nearly one
  wording (campaign texts copied by several members with small edits; in one copy a full
  stop became a colon), and `look_alikes`, 15 pairs that share most of their words but
  demand different things ("Land" / "Bund", "2040" / "abschaffen", "sinken" / "nicht
  weiter steigen", other figures); a look-alike pair must never be merged.
- `paragraphs.json`: 45 paragraphs of a position paper. `sources` lists every point whose
  demand the paragraph takes up, as a careful reader would accept it. Six paragraphs rest on
  no point (topics no member raised, in similar words); several take up only one side of a
  look-alike pair; `note` says why where the labelling is not obvious.

Limits: one writer's judgement. Where a point asks for two things and a paragraph takes up
one of them, the point counts as a source. Themes are a coder's categories of demands; a
few points touch a second theme (an energy price argument inside a funding demand) and
carry only their main one.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent / "statements_heldout"


@dataclass(frozen=True)
class Point:
    id: str
    text: str
    theme: str


@dataclass(frozen=True)
class Statement:
    id: str
    organisation: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Paragraph:
    id: str
    text: str
    sources: tuple[str, ...]  # point ids; empty when no member raised the topic
    note: str


@dataclass(frozen=True)
class LookAlike:
    first: str
    second: str
    why: str


@dataclass(frozen=True)
class HeldoutStatements:
    statements: tuple[Statement, ...]
    themes: dict[str, str]  # key -> German label
    paragraphs: tuple[Paragraph, ...]
    near_duplicates: tuple[tuple[str, str], ...]
    look_alikes: tuple[LookAlike, ...]

    @property
    def points(self) -> tuple[Point, ...]:
        """All points in statement order."""
        return tuple(point for statement in self.statements for point in statement.points)

    def point(self, point_id: str) -> Point:
        """The point with this id (KeyError if there is none)."""
        for point in self.points:
            if point.id == point_id:
                return point
        raise KeyError(point_id)

    def organisation_of(self, point_id: str) -> str:
        """The member that sent the point with this id."""
        for statement in self.statements:
            if any(point.id == point_id for point in statement.points):
                return statement.organisation
        raise KeyError(point_id)


def _read(directory: Path, name: str) -> Any:
    return json.loads((directory / name).read_text(encoding="utf-8"))


def _statement(raw: dict[str, Any]) -> Statement:
    points = tuple(
        Point(id=str(point["id"]), text=str(point["text"]), theme=str(point["theme"]))
        for point in raw["points"]
    )
    return Statement(id=str(raw["id"]), organisation=str(raw["organisation"]), points=points)


def _paragraph(raw: dict[str, Any]) -> Paragraph:
    return Paragraph(
        id=str(raw["id"]),
        text=str(raw["text"]),
        sources=tuple(str(source) for source in raw["sources"]),
        note=str(raw.get("note", "")),
    )


def _duplicates(ids: list[str]) -> list[str]:
    return sorted(item for item, count in Counter(ids).items() if count > 1)


def _check_ids(data: HeldoutStatements) -> None:
    for kind, ids in (
        ("statement", [statement.id for statement in data.statements]),
        ("point", [point.id for point in data.points]),
        ("paragraph", [paragraph.id for paragraph in data.paragraphs]),
    ):
        if repeated := _duplicates(ids):
            raise ValueError(f"{kind} ids used twice: {repeated}")


def _check_points(data: HeldoutStatements) -> None:
    for statement in data.statements:
        if not statement.points:
            raise ValueError(f"statement {statement.id} has no points")
        for point in statement.points:
            if not point.id.startswith(statement.id + "-"):
                raise ValueError(f"point {point.id} is not named after {statement.id}")
            if point.theme not in data.themes:
                raise ValueError(f"point {point.id} has unknown theme {point.theme!r}")
            if not point.text.strip():
                raise ValueError(f"point {point.id} is empty")


def _check_sources(data: HeldoutStatements, known: set[str]) -> None:
    for paragraph in data.paragraphs:
        if missing := sorted(set(paragraph.sources) - known):
            raise ValueError(f"paragraph {paragraph.id} cites unknown points {missing}")
        if repeated := _duplicates(list(paragraph.sources)):
            raise ValueError(f"paragraph {paragraph.id} cites twice: {repeated}")


def _check_pairs(data: HeldoutStatements, known: set[str]) -> None:
    pairs = [*data.near_duplicates, *((pair.first, pair.second) for pair in data.look_alikes)]
    for first, second in pairs:
        if first not in known or second not in known:
            raise ValueError(f"pair ({first}, {second}) refers to an unknown point")
        if first == second:
            raise ValueError(f"pair ({first}, {second}) pairs a point with itself")
    near = {frozenset(pair) for pair in data.near_duplicates}
    for pair in data.look_alikes:
        if frozenset((pair.first, pair.second)) in near:
            raise ValueError(f"({pair.first}, {pair.second}) is both near duplicate and look-alike")


def validate(data: HeldoutStatements) -> None:
    """Raise ValueError naming the first duplicate id, unknown theme or broken reference."""
    _check_ids(data)
    _check_points(data)
    known = {point.id for point in data.points}
    _check_sources(data, known)
    _check_pairs(data, known)


def load(directory: Path = HERE) -> HeldoutStatements:
    """Read and validate the held-out set (ValueError if it is inconsistent)."""
    pairs = _read(directory, "pairs.json")
    data = HeldoutStatements(
        statements=tuple(_statement(raw) for raw in _read(directory, "statements.json")),
        themes={str(key): str(label) for key, label in _read(directory, "themes.json").items()},
        paragraphs=tuple(_paragraph(raw) for raw in _read(directory, "paragraphs.json")),
        near_duplicates=tuple((str(a), str(b)) for a, b in pairs["near_duplicates"]),
        look_alikes=tuple(
            LookAlike(first=str(a), second=str(b), why=str(why))
            for a, b, why in pairs["look_alikes"]
        ),
    )
    validate(data)
    return data
