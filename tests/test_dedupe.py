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
    longer = point.replace("den Regionen", "den betroffenen Regionen")
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


# --- look-alikes: negation, place, measure, beneficiaries ----------------------------------


@pytest.mark.parametrize(
    ("point", "other"),
    [
        pytest.param(
            "Wir fordern, dass der Bund die Netzentgelte für energieintensive Betriebe senkt.",
            "Wir fordern nicht, dass der Bund die Netzentgelte für energieintensive Betriebe "
            "senkt.",
            id="wir fordern nicht, dass",
        ),
        pytest.param(
            "Der Bund muss Ladepunkte für E-Lkw an Autobahnen schneller genehmigen.",
            "Der Bund muss Ladepunkte für E-Lkw in Gewerbegebieten schneller genehmigen.",
            id="another place",
        ),
        pytest.param(
            "Das Land muss die Bahnanbindung der Industriegebiete im Sauerland verbessern, damit "
            "Betriebe mehr Güter auf die Schiene verlagern können.",
            "Das Land muss die Bahnanbindung der Industriegebiete im Ruhrgebiet verbessern, damit "
            "Betriebe mehr Güter auf die Schiene verlagern können.",
            id="another region in a long demand",
        ),
        pytest.param(
            "Die Netzbetreiber müssen Anfragen für Netzanschlüsse binnen acht Wochen beantworten.",
            "Die Netzbetreiber müssen Anfragen für Netzanschlüsse binnen acht Wochen umsetzen.",
            id="beantworten or umsetzen",
        ),
        pytest.param(
            "Die Bundesregierung muss die CO2-Bepreisung für Prozesswärme aussetzen.",
            "Die Bundesregierung muss die CO2-Bepreisung für Prozesswärme abschaffen.",
            id="aussetzen or abschaffen",
        ),
        pytest.param(
            "Die Investitionsprämie muss kleinen und mittleren Betrieben zugutekommen, die ihre "
            "Öfen elektrifizieren.",
            "Die Investitionsprämie muss allen Betrieben zugutekommen, die ihre Öfen "
            "elektrifizieren.",
            id="kleine und mittlere spelled out or all",
        ),
        pytest.param(
            "Die Meisterkurse müssen künftig zur Hälfte vom Land bezahlt werden, wie es in "
            "Bayern üblich ist.",
            "Die Meisterkurse müssen künftig vollständig vom Land bezahlt werden, wie es in "
            "Bayern üblich ist.",
            id="half or in full",
        ),
        pytest.param(
            "Die Kommunen müssen die Gewerbesteuer für Industriebetriebe senken.",
            "Die Kommunen dürfen die Gewerbesteuer für Industriebetriebe nicht erhöhen.",
            id="senken or nicht erhöhen",
        ),
        pytest.param(
            "Der Bund muss den Industriestrompreis für energieintensive Betriebe befristet "
            "einführen.",
            "Der Bund muss den Industriestrompreis für energieintensive Betriebe unbefristet "
            "einführen.",
            id="befristet or unbefristet",
        ),
        pytest.param(
            "Die Bundesregierung muss die Stromsteuer für KMU auf das europäische Mindestmaß "
            "senken.",
            "Die Bundesregierung muss die Stromsteuer für alle Unternehmen auf das europäische "
            "Mindestmaß senken.",
            id="KMU or all companies",
        ),
    ],
)
def test_look_alikes_that_ask_for_something_else_stay_apart(point: str, other: str) -> None:
    assert grouped([point, other]) == []


def test_a_look_alike_never_joins_the_campaign_it_resembles() -> None:
    # Three members send the campaign (one with its details around it), one sends the same
    # words for another place: the campaign is one group, the look-alike stays on its own.
    campaign = "Der Bund muss Ladepunkte für E-Lkw an Autobahnen schneller genehmigen."
    texts = [
        campaign,
        "Als Spedition mit 60 Lkw in Hamm fordern wir: " + campaign,
        campaign.replace("schneller", "zügiger"),
        campaign.replace("an Autobahnen", "in Gewerbegebieten"),
    ]
    assert grouped(texts) == [[0, 1, 2]]


# --- edited copies of a campaign text -------------------------------------------------------

_CAMPAIGN = (
    "Wir fordern, dass der Bund die Netzentgelte für energieintensive Betriebe dauerhaft senkt. "
    "Nur so bleiben Produktionsstandorte in Deutschland wettbewerbsfähig."
)


@pytest.mark.parametrize(
    "copy",
    [
        pytest.param(
            "Als Gießerei mit 240 Beschäftigten in Lüdenscheid fordern wir, dass der Bund die "
            "Netzentgelte für energieintensive Betriebe dauerhaft senkt. Nur so bleiben "
            "Produktionsstandorte in Deutschland wettbewerbsfähig.",
            id="sender details inserted",
        ),
        pytest.param(
            "Wir sind ein Kunststoffverarbeiter aus Gummersbach mit 85 Mitarbeitenden. "
            + _CAMPAIGN,
            id="sentence about the sender",
        ),
        pytest.param(
            "Sehr geehrte Damen und Herren, "
            + _CAMPAIGN[0].lower()
            + _CAMPAIGN[1:]
            + " Für Rückfragen stehen wir gerne zur Verfügung. Mit freundlichen Grüßen",
            id="greeting and closing",
        ),
        pytest.param(
            "Die Müller Stanztechnik GmbH unterstützt die Position des Verbands. " + _CAMPAIGN,
            id="support of the association",
        ),
        pytest.param(
            _CAMPAIGN.replace("senkt. Nur", "senkt: Nur"),
            id="colon instead of full stop",
        ),
        pytest.param(
            "Nur so bleiben Produktionsstandorte in Deutschland wettbewerbsfähig. Wir fordern, "
            "dass der Bund die Netzentgelte für energieintensive Betriebe dauerhaft senkt.",
            id="sentences reordered",
        ),
        pytest.param(
            _CAMPAIGN + " Viele Betriebe zahlen heute doppelt so viel wie ihre Konkurrenz.",
            id="a sentence of reasons more",
        ),
        pytest.param(
            _CAMPAIGN.replace("Betriebe", "Unternehmen"),
            id="a synonym exchanged",
        ),
        pytest.param(
            _CAMPAIGN.replace("Wir fordern", "Die Müller Präzisionstechnik GmbH fordert"),
            id="a sister firm names itself",
        ),
    ],
)
def test_edited_copies_of_a_campaign_text_form_one_group(copy: str) -> None:
    assert grouped([_CAMPAIGN, copy]) == [[0, 1]]


def test_a_longer_point_with_a_demand_of_its_own_is_no_copy() -> None:
    # The sender keeps the campaign text and adds a demand: that is a point of its own.
    longer = _CAMPAIGN + " Außerdem muss das Land die Stromsteuer für Gießereien erstatten."
    assert grouped([_CAMPAIGN, longer]) == []


def test_the_frame_around_a_demand_does_not_make_two_demands_one() -> None:
    # Same sender sentence, different demands: the frame is left out, the demands compared.
    intro = "Wir sind ein Zulieferer aus Hagen mit 120 Beschäftigten. "
    assert (
        grouped(
            [
                intro + "Das Land muss die Berufsschulen besser ausstatten.",
                intro + "Das Land muss mehr Studienplätze in Elektrotechnik schaffen.",
            ]
        )
        == []
    )


def test_core_text_leaves_out_greeting_sender_and_closing() -> None:
    from positions.analysis.dedupe import core_text

    text = (
        "Sehr geehrte Damen und Herren, als Familienbetrieb mit 40 Beschäftigten fordern wir, "
        "dass das Land die Meisterausbildung kostenfrei stellt. Mit freundlichen Grüßen, Anna Berg"
    )
    assert core_text(text) == "wir fordern, dass das land die meisterausbildung kostenfrei stellt."


def test_guards_read_measure_place_and_beneficiaries_in_any_inflection() -> None:
    from positions.core.text import fold

    def marker(word: str) -> str | None:
        return guards.look_alike_marker(fold(word))

    assert marker("senken") == marker("gesenkt") == marker("Senkung") == "measure senken"
    assert marker("abschaffen") != marker("aussetzen")
    assert marker("Autobahnen") == "place autobahn" != marker("Gewerbegebieten")
    assert marker("Sauerland") != marker("Ruhrgebiet")
    assert marker("KMU") == marker("mittelständische") != marker("Großunternehmen")
    assert marker("Förderprogramme") is None


@pytest.mark.parametrize(
    ("point", "other"),
    [
        pytest.param(
            "Die Bundesregierung muss die Netzentgelte für Industriebetriebe bis 2030 halbieren.",
            "Der Bund muss die Netzentgelte für Industriebetriebe bis 2030 halbieren.",
            id="Bundesregierung or Bund",
        ),
        pytest.param(
            "Die EU-Kommission muss die Berichtspflichten für Zulieferer vereinfachen.",
            "Die EU muss die Berichtspflichten für Zulieferer vereinfachen.",
            id="EU-Kommission or EU",
        ),
        pytest.param(
            "Die Bundesregierung muss die Netzentgelte für mittelständische Industriebetriebe bis "
            "2030 halbieren. Nur so können wir im internationalen Wettbewerb bestehen.",
            "Die Bundesregierung muss die Netzentgelte für mittelständische Industriebetriebe bis "
            "2030 halbieren.",
            id="copy without the sentence of reasons",
        ),
        pytest.param(
            "Die Bundesregierung muss die Netzentgelte für mittelständische Industriebetriebe bis "
            "2030 halbieren. Nur so können wir im internationalen Wettbewerb bestehen.",
            "Die Bundesregierung muss die Netzentgelte für mittelständische Industriebetriebe bis "
            "2030 halbieren. Unsere Stromkosten haben sich seit 2021 verdreifacht.",
            id="own reason with own figures instead of the campaign's",
        ),
        pytest.param(
            "Das Land muss das Glasfaser-Ausbauprogramm auf alle Gewerbegebiete im Sauerland "
            "ausweiten. Ohne schnelles Netz können wir unsere Anlagen nicht fernwarten.",
            "Das Land muss das Glasfaserausbauprogramm auf alle Gewerbegebiete im Sauerland "
            "ausweiten.",
            id="a compound with a hyphen, shortened",
        ),
    ],
)
def test_copies_naming_one_government_differently_or_shortened_are_one_group(
    point: str, other: str
) -> None:
    assert grouped([point, other]) == [[0, 1]]


def test_a_compound_written_apart_joins_only_a_compound_the_input_has() -> None:
    # "Glasfaser-Ausbauprogramm" reads as "Glasfaserausbauprogramm" because another point
    # writes it so; the other figure keeps the look-alike apart all the same.
    texts = [
        "Das Land muss das Glasfaser-Ausbauprogramm bis 2028 auf alle Gewerbegebiete ausweiten.",
        "Das Land muss das Glasfaserausbauprogramm bis 2028 auf alle Gewerbegebiete ausweiten.",
        "Das Land muss das Glasfaserausbauprogramm bis 2030 auf alle Gewerbegebiete ausweiten.",
    ]
    assert grouped(texts) == [[0, 1]]


def test_a_negation_is_never_read_as_a_typo_of_another_word_in_the_input() -> None:
    # "keine" is one letter from "kleine", "nicht" from "Licht": with those words elsewhere in
    # the input, the negated demand must still stay apart from the plain one.
    texts = [
        "Die EU muss neue Berichtspflichten für Zulieferer einführen.",
        "Die EU muss keine neuen Berichtspflichten für Zulieferer einführen.",
        "Die EU muss die Ausnahmen für kleine Importeure ausweiten.",
        "Wir fordern, dass der Bund die Netzentgelte für Gießereien senkt.",
        "Wir fordern nicht, dass der Bund die Netzentgelte für Gießereien senkt.",
        "Das Licht in den Hallen muss mit Solarstrom betrieben werden.",
    ]
    assert grouped(texts) == []


def test_a_short_first_sentence_that_takes_a_stance_is_kept() -> None:
    # A short lead-in is left out as a headline, but not one that rejects or welcomes.
    demand = " Der Bund muss die Zulieferer in der Transformation anders fördern."
    assert grouped(["Den Fonds lehnen wir ab." + demand, "Den Fonds begrüßen wir." + demand]) == []
    assert grouped(["Entlastung jetzt:" + demand, demand.strip()]) == [[0, 1]]


def test_a_copy_without_a_reason_that_names_a_group_of_its_own_is_one_demand() -> None:
    # The sentence left out names the Mittelstand, the rest a group too: a call's points are
    # compared in all pairs, so the shortened copy is found though its attributes differ.
    longer = (
        "Der Bund muss die Strompreiskompensation auf weitere Branchen ausweiten. Bisher "
        "profitieren nur wenige Großbetriebe davon. Der Mittelstand geht leer aus."
    )
    shorter = (
        "Der Bund muss die Strompreiskompensation auf weitere Branchen ausweiten. Bisher "
        "profitieren nur wenige Großbetriebe davon."
    )
    other = "Der Bund muss die Strompreiskompensation auf weitere Branchen ausweiten. "
    assert grouped([longer, shorter]) == [[0, 1]]
    # A demand of its own in the longer text is no reason: two demands.
    assert grouped([other + "Das Land muss zudem die Netzentgelte senken.", other]) == []
