"""Integrity of the later held-out sets (bench/labelled/impact_heldout2 to 4,
statements_heldout2 to 4): sizes, mixes and references as their provenance promises. No
algorithm is called here; the sets are only for measuring."""

from collections import Counter
from types import ModuleType

import pytest

from bench.labelled import (
    impact_heldout2,
    impact_heldout3,
    impact_heldout4,
    statements_heldout2,
    statements_heldout3,
    statements_heldout4,
)


@pytest.mark.parametrize(
    "module", [impact_heldout2, impact_heldout3, impact_heldout4], ids=["second", "third", "fourth"]
)
def test_an_outcome_set_has_its_60_demands_and_mix(module: ModuleType) -> None:
    labelled = module.load()
    assert [demand.key for demand in labelled.demands] == list(range(1, 61))
    assert Counter(demand.expected for demand in labelled.demands) == {
        "verbatim": 10,
        "reworded": 20,
        "negated": 12,
        "none": 18,
    }
    assert 50_000 <= len(labelled.outcome) <= 70_000
    for demand in labelled.demands:
        if demand.span is not None:
            start, end = demand.span
            assert labelled.outcome.count(labelled.outcome[start:end]) == 1, demand.key
            assert demand.chapter, demand.key


@pytest.mark.parametrize(
    ("module", "statements", "points", "sources"),
    [
        (statements_heldout2, 150, 230, 84),
        (statements_heldout3, 150, 230, 120),
        (statements_heldout4, 147, 234, 131),
    ],
    ids=["second", "third", "fourth"],
)
def test_a_statement_set_has_what_its_provenance_promises(
    module: ModuleType, statements: int, points: int, sources: int
) -> None:
    data = module.load()  # validates ids, themes and references
    assert len(data.statements) == statements
    assert len(data.points) == points
    assert len(data.themes) == 12
    assert len(data.near_duplicates) == 20
    assert len(data.look_alikes) == 12
    assert len(data.paragraphs) == 30
    assert sum(len(paragraph.sources) for paragraph in data.paragraphs) == sources
    assert sum(not paragraph.sources for paragraph in data.paragraphs) == 5
    longest = max(data.statements, key=lambda statement: len(statement.points))
    assert len(longest.points) >= 30
