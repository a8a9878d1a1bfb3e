import dataclasses
import json
import random
from collections import Counter
from collections.abc import Sequence

import pytest

from bench import corpus
from bench.labelled.dedupe_examples import BASE, FALSE_FRIENDS, NEAR_DUPLICATES
from positions.analysis import guards
from positions.analysis.dedupe import DEFAULT_THRESHOLD, Group, group_near_duplicates


def grouped(texts: Sequence[str], threshold: float = DEFAULT_THRESHOLD) -> list[list[int]]:
    return [group.members for group in group_near_duplicates(texts, threshold=threshold)]


# --- what is a duplicate -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("point", "other"),
    [pytest.param(point, other, id=kind) for kind, point, other in NEAR_DUPLICATES],
)
def test_small_edits_of_one_demand_form_one_group(point: str, other: str) -> None:
    assert grouped([point, other]) == [[0, 1]]


@pytest.mark.parametrize(
    ("point", "other"),
    [pytest.param(point, other, id=kind) for kind, point, other in FALSE_FRIENDS],
)
def test_false_friends_stay_apart(point: str, other: str) -> None:
    assert grouped([point, other]) == []


@pytest.mark.parametrize(
    ("point", "other"),
    [pytest.param(point, other, id=kind) for kind, point, other in NEAR_DUPLICATES],
)
def test_near_duplicates_never_contradict_each_other(point: str, other: str) -> None:
    # Deduplication and the contradictions of tracing and merging read figures, actors and
    # negations with one vocabulary (positions.analysis.guards): copies never conflict.
    assert guards.contradictions(guards.demand_claims(point), guards.claims(other)) == ()
    assert guards.contradictions(guards.demand_claims(other), guards.claims(point)) == ()


@pytest.mark.parametrize(
    ("kind", "point", "other"),
    [
        pytest.param(kind, point, other, id=kind)
        for kind, point, other in FALSE_FRIENDS
        if kind in {"another actor", "another year", "another share"}
    ],
)
def test_false_friends_of_figures_and_addressees_contradict(
    kind: str, point: str, other: str
) -> None:
    [contradiction] = guards.contradictions(guards.demand_claims(point), guards.claims(other))
    assert contradiction.kind == (guards.ADDRESSEE if kind == "another actor" else guards.FIGURE)


def test_false_friends_stay_apart_among_their_own_near_duplicates() -> None:
    # Each side has a copy with a typo; the groups must not bridge into one another.
    federal = "Der Bund muss die Förderprogramme für Zulieferer bis 2030 vereinfachen."
    state = "Das Land muss die Förderprogramme für Zulieferer bis 2030 vereinfachen."
    texts = [
        federal,
        state,
        federal.replace("Zulieferer", "Zuliefrer"),
        state.replace("vereinfachen", "vereinfahcen"),
        "Der Bund muss die Förderprogramme für Zulieferer vereinfachen.",  # no year
    ]
    assert grouped(texts) == [[0, 2], [1, 3]]


def test_a_campaign_sent_by_many_members_is_one_group_with_the_usual_wording_canonical() -> None:
    edited = [
        BASE.replace("muss", "sollte"),
        "Wir fordern: " + BASE,
        BASE.replace("Zulieferer", "Zuliefere"),
        BASE.lower(),
    ]
    texts = ["Die Kommunen müssen Gewerbeflächen schneller ausweisen.", *edited, BASE, BASE]
    [group] = group_near_duplicates(texts)
    assert group.members == [1, 2, 3, 4, 5, 6]
    # "BASE" was sent twice and its lower-case copy is the same normalised text: 3 copies.
    assert group.canonical == 4


def test_canonical_is_the_member_closest_to_the_others_when_none_is_sent_more_often() -> None:
    centre = "Die Netzagentur muss die Netzentgelte für Produktionsstandorte deckeln."
    texts = [
        centre.replace("deckeln", "zügig deckeln"),
        centre.replace("deckeln", "spürbar deckeln"),
        centre,
        centre.replace("Netzentgelte", "Netzentgelte dauerhaft"),
    ]
    [group] = group_near_duplicates(texts)
    assert group == Group(members=[0, 1, 2, 3], canonical=2)


def test_groups_are_transitive() -> None:
    # Neighbours differ by one word, the two ends by two: still one demand drifting by edits.
    first = (
        "Die Landesregierung muss regionale Transformationsnetzwerke für Zulieferer und "
        "Werkstätten in Südwestfalen dauerhaft verstetigen."
    )
    second = first.replace("regionale", "kommunale")
    third = second.replace("verstetigen", "ausbauen")
    assert grouped([first, third]) == []
    assert grouped([first, second, third]) == [[0, 1, 2]]


def test_a_higher_threshold_merges_less() -> None:
    point = "Die Landesregierung muss Weiterbildungsverbünde in den Regionen dauerhaft finanzieren."
    longer = point.replace("den Regionen", "den ländlichen Regionen")
    assert grouped([point, longer], threshold=DEFAULT_THRESHOLD) == [[0, 1]]
    assert grouped([point, longer], threshold=0.95) == []
    assert grouped([point, point.upper()], threshold=1.0) == [[0, 1]]


@pytest.mark.parametrize("threshold", [0.0, -0.5, 1.01])
def test_thresholds_outside_zero_to_one_are_refused(threshold: float) -> None:
    with pytest.raises(ValueError, match="threshold"):
        group_near_duplicates([BASE, BASE], threshold=threshold)


def test_progress_is_reported_from_zero_to_one() -> None:
    reported: list[float] = []
    group_near_duplicates([BASE, BASE.lower(), "Etwas ganz anderes."], progress=reported.append)
    assert reported[0] == 0.0
    assert reported[-1] == 1.0
    assert reported == sorted(reported)


# --- bad input -----------------------------------------------------------------------------


def test_empty_corpus_and_single_point() -> None:
    assert group_near_duplicates([]) == []
    assert group_near_duplicates([BASE]) == []


def test_ten_thousand_identical_points_are_one_group() -> None:
    texts = [BASE] * 10_000
    [group] = group_near_duplicates(texts)
    assert group.members == list(range(10_000))
    assert group.canonical == 0


def test_thousands_of_slightly_different_copies_are_one_group_without_all_pairs() -> None:
    rng = random.Random(7)
    words = BASE.split()
    fillers = ["unbedingt", "insbesondere", "aus unserer Sicht", "klar", "dringend"]
    texts = []
    for _ in range(3_000):
        edited = list(words)
        at = rng.choice([i for i, word in enumerate(edited) if len(word) > 5])
        letters = list(edited[at])
        swap = rng.randrange(1, len(letters) - 2)  # a typo: two letters swapped
        letters[swap], letters[swap + 1] = letters[swap + 1], letters[swap]
        edited[at] = "".join(letters)
        edited.insert(rng.randrange(len(edited)), rng.choice(fillers))
        texts.append(" ".join(edited) + rng.choice([".", "!", "", " !"]))
    assert len(set(texts)) > 1_000
    groups = group_near_duplicates(texts)
    assert [len(group.members) for group in groups] == [3_000]


def test_empty_and_whitespace_points_are_never_grouped() -> None:
    assert grouped(["", "  ", "\n\t", "", BASE]) == []


def test_one_word_points() -> None:
    texts = ["Ja", "ja!", "Nein", "Zustimmung.", "Zustimmung", "Ablehnung"]
    assert grouped(texts) == [[0, 1], [3, 4]]


def test_points_of_symbols_numbers_and_other_languages() -> None:
    texts = [
        "👍",
        "👍",
        "🎉",
        "2030",
        "2030!",
        "2035",
        "The federal government must simplify funding programmes for suppliers.",
        "The federal government must simplify the funding programmes for suppliers!",
        "政府必须简化对供应商的资助计划。",
        "政府必须简化对供应商的资助计划。",
        "Правительство должно упростить программы поддержки поставщиков.",
        "...",
    ]
    assert grouped(texts) == [[0, 1], [3, 4], [6, 7], [8, 9]]


def test_an_extremely_long_point_is_compared_by_its_beginning() -> None:
    sentence = "Der Bund muss die Förderung für Zulieferer in allen Regionen verlässlich sichern. "
    long_point = sentence * 600  # about 50,000 characters
    assert len(long_point) > 48_000
    texts = [long_point, long_point + "Anhang.", BASE, long_point.replace("Bund", "Land", 1)]
    assert grouped(texts) == [[0, 1]]


def test_grouping_is_reproducible_and_independent_of_order() -> None:
    texts = [
        point for _kind, point, other in NEAR_DUPLICATES + FALSE_FRIENDS for point in (point, other)
    ]
    first = grouped(texts)
    assert grouped(texts) == first
    order = list(range(len(texts)))
    random.Random(3).shuffle(order)
    shuffled = grouped([texts[i] for i in order])
    as_texts = {frozenset(texts[order[m]] for m in members) for members in shuffled}
    assert as_texts == {frozenset(texts[m] for m in members) for members in first}


# --- a generated corpus --------------------------------------------------------------------


def _pairs(labels: Sequence[tuple[int, ...]]) -> int:
    return sum(size * (size - 1) // 2 for size in Counter(labels).values())


def test_precision_and_recall_on_a_generated_corpus() -> None:
    points = corpus.generate(2000, seed=42)
    groups = group_near_duplicates([point.text for point in points])
    group_of = {member: number for number, group in enumerate(groups) for member in group.members}
    ours = [(group_of.get(i, -1 - i),) for i in range(len(points))]
    families = [(point.family,) for point in points]
    both = _pairs([(g, f) for (g,), (f,) in zip(ours, families, strict=True)])
    precision, recall = both / _pairs(ours), both / _pairs(families)
    assert precision >= 0.95, precision
    assert recall >= 0.95, recall


def test_the_generated_corpus_is_reproducible_with_the_share_of_duplicates_asked_for(
    capsys: pytest.CaptureFixture[str],
) -> None:
    points = corpus.generate(1000, seed=5, dup_share=0.4)
    assert points == corpus.generate(1000, seed=5, dup_share=0.4)
    assert points != corpus.generate(1000, seed=6, dup_share=0.4)
    assert [point.id for point in points] == list(range(1000))
    sizes = Counter(point.family for point in points)
    assert sum(size for size in sizes.values() if size > 1) == 400
    assert max(sizes.values()) <= 12
    for family, size in sizes.items():
        orgs = {point.org for point in points if point.family == family}
        assert len(orgs) == size  # one copy per member
    assert corpus.generate(0, seed=1) == []
    assert corpus.main(["3", "--seed", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line) for line in lines] == [
        dataclasses.asdict(point) for point in corpus.generate(3, seed=5)
    ]
