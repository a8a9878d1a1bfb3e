"""Integrity of the held-out statement set (bench/labelled/statements_heldout): counts, ids,
references and the promises its labels make. No algorithm is called here; the set is only
for measuring, so these tests must never be turned into tuning aids."""

import json
import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench.labelled.statements_heldout import HERE, HeldoutStatements, load


@pytest.fixture(scope="module")
def data() -> HeldoutStatements:
    return load()


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def test_the_set_has_the_promised_size(data: HeldoutStatements) -> None:
    assert len(data.statements) == 200
    assert len({statement.organisation for statement in data.statements}) == 45
    assert len(data.themes) == 14
    assert len(data.paragraphs) == 45
    assert len(data.near_duplicates) == 25
    assert len(data.look_alikes) == 15


def test_members_are_companies_and_a_few_chambers(data: HeldoutStatements) -> None:
    organisations = {statement.organisation for statement in data.statements}
    chambers = {name for name in organisations if "kammer" in name.lower() or "IHK" in name}
    companies = {name for name in organisations if re.search(r"\b(GmbH|AG|KG)\b", name)}
    assert 2 <= len(chambers) <= 6
    assert companies | chambers == organisations


def test_every_theme_is_used_and_labelled_in_german(data: HeldoutStatements) -> None:
    per_theme = Counter(point.theme for point in data.points)
    assert set(per_theme) == set(data.themes)
    assert min(per_theme.values()) >= 8
    assert all(label and label[0].isupper() for label in data.themes.values())


def test_one_member_sends_one_very_long_statement(data: HeldoutStatements) -> None:
    longest = max(data.statements, key=lambda statement: len(statement.points))
    assert len(longest.points) >= 40
    assert len({point.theme for point in longest.points}) == len(data.themes)
    others = [s for s in data.statements if s is not longest]
    assert max(len(statement.points) for statement in others) <= 3


def test_points_are_one_to_three_sentences(data: HeldoutStatements) -> None:
    for point in data.points:
        sentences = re.findall(
            r"[^.!?]+[.!?]", re.sub(r"\b(ca|Mio|bzw|inkl|Abs|z\.B)\.", "", point.text)
        )
        assert 1 <= len(sentences) <= 3, point


def test_near_duplicates_are_nearly_the_same_words(data: HeldoutStatements) -> None:
    for first, second in data.near_duplicates:
        a, b = words(data.point(first).text), words(data.point(second).text)
        assert data.point(first).theme == data.point(second).theme
        assert data.organisation_of(first) != data.organisation_of(second)
        assert len(a & b) / len(a | b) >= 0.6, (first, second)


def test_one_campaign_copy_joins_two_sentences_with_a_colon(data: HeldoutStatements) -> None:
    near_ids = {point_id for pair in data.near_duplicates for point_id in pair}
    texts = [data.point(point_id).text for point_id in near_ids]
    assert any(": Wir fordern" in text for text in texts)


def test_look_alikes_share_most_words_but_are_different_texts(data: HeldoutStatements) -> None:
    for pair in data.look_alikes:
        a, b = data.point(pair.first).text, data.point(pair.second).text
        assert a != b and pair.why
        assert len(words(a) & words(b)) / len(words(a) | words(b)) >= 0.5, pair


def test_no_paragraph_rests_on_both_sides_of_a_look_alike(data: HeldoutStatements) -> None:
    for paragraph in data.paragraphs:
        for pair in data.look_alikes:
            assert not {pair.first, pair.second} <= set(paragraph.sources), (paragraph.id, pair)
    one_sided = [
        paragraph
        for paragraph in data.paragraphs
        for pair in data.look_alikes
        if len({pair.first, pair.second} & set(paragraph.sources)) == 1
    ]
    assert len(one_sided) >= 8


def test_near_duplicates_are_cited_together_or_not_at_all(data: HeldoutStatements) -> None:
    for paragraph in data.paragraphs:
        for first, second in data.near_duplicates:
            assert (first in paragraph.sources) == (second in paragraph.sources), paragraph.id


def test_paragraph_kinds_are_all_present(data: HeldoutStatements) -> None:
    unsourced = [p for p in data.paragraphs if not p.sources]
    assert len(unsourced) == 6
    assert sum(p.text.startswith("Wir fordern, dass") for p in data.paragraphs) == 10
    assert any(2 <= len(p.sources) <= 6 for p in data.paragraphs)
    for paragraph in data.paragraphs:
        assert 2 <= len(re.findall(r"[.!?](?:\s|$)", paragraph.text)) <= 5, paragraph.id


def test_every_cited_point_shares_the_theme_of_its_paragraph(data: HeldoutStatements) -> None:
    for paragraph in data.paragraphs:
        assert len({data.point(source).theme for source in paragraph.sources}) <= 1, paragraph.id


@pytest.mark.parametrize(
    ("file", "breakage", "message"),
    [
        ("paragraphs.json", lambda d: d[0]["sources"].append("s999-1"), "unknown points"),
        ("statements.json", lambda d: d[1].update(id=d[0]["id"]), "used twice"),
        ("statements.json", lambda d: d[0]["points"][0].update(theme="steuern"), "unknown theme"),
        ("pairs.json", lambda d: d["look_alikes"].append(["s001-1", "s404-1", "x"]), "unknown"),
    ],
)
def test_loading_rejects_a_broken_copy(
    tmp_path: Path, file: str, breakage: Callable[[Any], None], message: str
) -> None:
    copy = tmp_path / "set"
    shutil.copytree(HERE, copy)
    content = json.loads((copy / file).read_text(encoding="utf-8"))
    breakage(content)
    (copy / file).write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load(copy)
