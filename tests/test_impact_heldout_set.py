"""Integrity of the held-out labelled set for the outcome matcher (bench/labelled/impact_heldout).

These tests check the set itself, never the matcher: a broken label would make every figure
measured on it meaningless.
"""

import json
from collections import Counter
from functools import cache
from itertools import pairwise

from bench.labelled import impact_heldout
from bench.labelled.impact_set import ImpactSet


@cache
def _set() -> ImpactSet:
    return impact_heldout.load()


def _labels() -> list[dict[str, object]]:
    entries: list[dict[str, object]] = json.loads(impact_heldout.LABELS.read_text(encoding="utf-8"))
    return entries


def test_the_set_has_90_demands_with_keys_1_to_90() -> None:
    assert [demand.key for demand in _set().demands] == list(range(1, 91))


def test_the_kinds_are_mixed_as_documented() -> None:
    counts = Counter(demand.expected for demand in _set().demands)
    assert counts == {"verbatim": 15, "reworded": 30, "negated": 17, "none": 28}


def test_the_report_is_about_85000_characters_of_paragraphs() -> None:
    outcome = _set().outcome
    assert 80_000 <= len(outcome) <= 95_000
    assert outcome.count("\n\n") > 100
    assert '"' not in outcome, "German typography: „…“ instead of straight quotes"


def test_every_quote_occurs_exactly_once_and_its_span_points_at_it() -> None:
    outcome = _set().outcome
    by_key = {demand.key: demand for demand in _set().demands}
    for entry in _labels():
        demand = by_key[int(str(entry["key"]))]
        quote = entry["quote"]
        if demand.expected == "none":
            assert quote is None and demand.span is None
            continue
        assert isinstance(quote, str) and outcome.count(quote) == 1, demand.key
        assert demand.span is not None
        start, end = demand.span
        assert outcome[start:end] == quote
        assert demand.chapter, demand.key


def test_the_labelled_passages_do_not_overlap() -> None:
    spans = sorted(demand.span for demand in _set().demands if demand.span is not None)
    for (_, end), (start, _) in pairwise(spans):
        assert end <= start


def test_quotes_are_whole_sentences_of_one_to_three_sentences() -> None:
    outcome = _set().outcome
    for demand in _set().demands:
        if demand.span is None:
            continue
        start, end = demand.span
        assert start == 0 or outcome[start - 1] in " \n", demand.key
        assert outcome[end - 1] == ".", demand.key
        sentences = outcome[start:end].count(". ") + 1
        assert 1 <= sentences <= 3, demand.key


def test_every_demand_and_every_label_has_text_and_a_reason() -> None:
    for entry in _labels():
        assert str(entry["text"]).strip()
        assert str(entry["note"]).strip()
