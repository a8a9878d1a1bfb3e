from collections.abc import Sequence

import pytest

from bench.labelled.tracing_set import HAND_PARAGRAPHS, HAND_POINTS
from positions.analysis.guards import (
    ADDRESSEE,
    DEMANDS,
    FIGURE,
    REJECTS,
    STANCE,
    Contradiction,
    claims,
    contradictions,
    demand_claims,
)
from positions.analysis.tracing import Trace, TraceIndex, marked, trace
from positions.core.embeddings import Vectors, embed
from positions.core.text import split_points

NAMES = list(HAND_POINTS)
POINTS = list(HAND_POINTS.values())


@pytest.fixture(scope="module")
def index() -> TraceIndex:
    return TraceIndex(POINTS)


def traced(index: TraceIndex, paragraph: str) -> set[str]:
    return {NAMES[found.point_index] for found in index.trace(paragraph)}


@pytest.mark.parametrize(
    ("paragraph", "sources"),
    [
        pytest.param(
            "Die Förderlandschaft muss einfacher werden: Eine zentrale Anlaufstelle soll "
            "Zulieferer durch die Programme lotsen, und über Investitionszuschüsse ist binnen drei "
            "Monaten zu entscheiden.",
            {"anlaufstelle", "bewilligung_3_monate"},
            id="two points merged and reworded",
        ),
        pytest.param(
            "Der Fachkräftemangel trifft die Region hart. Berufsschulen brauchen Lehrkräfte und "
            "Labore für Hochvolttechnik, Beschäftigte aus der Motorenfertigung Umschulungen für "
            "die Batteriemontage, und kleine und mittlere Unternehmen eine Ausbildungsoffensive "
            "in der Softwareentwicklung.",
            {"berufsschulen_hv", "umschulung_batterie", "ausbildung_software"},
            id="three points in one paragraph",
        ),
        pytest.param(
            "Elektrische Lkw brauchen Ladeparks entlang der Autobahnen in Nordrhein-Westfalen.",
            {"lkw_ladeparks"},
            id="one point abridged",
        ),
        pytest.param(
            "Eine Lackieranlage darf nicht erst nach mehr als zwei Jahren genehmigt werden; sechs "
            "Monate müssen gesetzlich die Obergrenze sein.",
            {"lackieranlage"},
            id="one point reworded",
        ),
        pytest.param(
            "Die Kommunen sollten die Gewerbesteuerhebesätze senken, um Betriebe in der Region zu "
            "halten.",
            set(),
            id="no source, though in the same words as one",
        ),
        pytest.param(
            "Zölle auf Aluminium aus Drittstaaten verteuern unsere Vorprodukte; die "
            "Schutzmaßnahmen der EU sollten überprüft werden.",
            set(),
            id="no source, same topic as one",
        ),
    ],
)
def test_tracing_finds_the_points_a_paragraph_rests_on(
    index: TraceIndex, paragraph: str, sources: set[str]
) -> None:
    assert traced(index, paragraph) == sources


def test_most_hand_written_paragraphs_are_traced_right(index: TraceIndex) -> None:
    # Not a benchmark (that is bench/tracing.py), a guard against quality regressions.
    found = index.trace_all([paragraph for paragraph, _ in HAND_PARAGRAPHS])
    hits = suggested = labelled = 0
    for traces, (_, sources) in zip(found, HAND_PARAGRAPHS, strict=True):
        names = {NAMES[item.point_index] for item in traces}
        hits += len(names & set(sources))
        suggested += len(names)
        labelled += len(sources)
    assert hits / suggested >= 0.95
    assert hits / labelled >= 0.85


def test_a_typo_in_the_point_does_not_hide_it() -> None:
    points = [
        "Der Bund muss die Förderprogamme für mittelständische Zulieferer vereinfachen.",
        "Die Netzentgelte für Produktionsstandorte müssen gedeckelt werden.",
    ]
    found = TraceIndex(points).trace("Die Förderprogramme für Zulieferer sind zu vereinfachen.")
    assert [item.point_index for item in found] == [0]


def test_traces_come_best_first_with_shares_between_zero_and_one(index: TraceIndex) -> None:
    paragraph = HAND_PARAGRAPHS[0][0]
    found = index.trace(paragraph)
    assert {NAMES[item.point_index] for item in found} == set(HAND_PARAGRAPHS[0][1])
    assert all(0 < item.score <= 1 and 0 < item.demand <= 1 for item in found)
    assert index.trace(paragraph, top=1) == found[:1]
    assert index.trace(paragraph, threshold=1.0) == []


def test_trace_is_the_index_applied_to_every_paragraph(index: TraceIndex) -> None:
    paragraphs = [paragraph for paragraph, _ in HAND_PARAGRAPHS[:5]]
    assert trace(paragraphs, POINTS) == index.trace_all(paragraphs)


# --- bad input -----------------------------------------------------------------------------


def test_no_points_and_no_paragraphs() -> None:
    assert trace(["Die Strompreise müssen sinken."], []) == [[]]
    assert trace([], POINTS) == []
    assert TraceIndex(POINTS).trace("") == []


def test_a_single_point() -> None:
    point = "Die Strompreise für energieintensive Betriebe müssen sinken."
    assert trace([point, "Guten Tag."], [point]) == [
        [Trace(point_index=0, score=1.0, demand=1.0)],
        [],
    ]


def test_identical_points_are_all_sources_up_to_top() -> None:
    point = "Die Strompreise für energieintensive Betriebe müssen sinken."
    found = TraceIndex([point] * 10_000).trace(point, top=3)
    assert len(found) == 3
    assert all(item.score == 1.0 for item in found)


@pytest.mark.parametrize(
    "points",
    [
        pytest.param(["Strompreise", "Bürokratie", "Fachkräfte"], id="one word each"),
        pytest.param(["👍", "2030", "!!!", ""], id="no words"),
        pytest.param(["We demand lower energy prices.", "电价太高"], id="other languages"),
    ],
)
def test_points_without_much_to_compare_are_handled(points: list[str]) -> None:
    found = trace(
        ["Die Strompreise müssen sinken.", "👍", "We demand lower energy prices."], points
    )
    assert len(found) == 3
    assert all(item.point_index < len(points) for items in found for item in items)


def test_extremely_long_points_and_paragraphs_are_handled() -> None:
    long_text = "Die Strompreise für energieintensive Betriebe in Hagen müssen sinken. " * 800
    assert len(long_text) > 50_000
    [found] = trace([long_text], [long_text, *POINTS[:5]])
    assert [item.point_index for item in found][:1] == [0]
    [found] = trace([POINTS[0]], [long_text, *POINTS[:5]])
    assert 1 in {item.point_index for item in found}


# --- conflicts: look-alike points that say something else ----------------------------------

BRIDGE_2035 = "Wir fordern einen Brückenstrompreis für die Industrie bis 2035."
BRIDGE_2030 = BRIDGE_2035.replace("2035", "2030")
BRIDGE_PARAGRAPH = "Ein Brückenstrompreis für die Industrie ist bis 2030 nötig, 8 ct je kWh."
FEDERAL = "Der Bund muss die Förderprogramme für Zulieferer vereinfachen."
STATE = "Das Land muss die Förderprogramme für Zulieferer vereinfachen."
FUND = "Wir fordern einen Transformationsfonds für mittelständische Zulieferer."
NO_FUND = "Einen Transformationsfonds für mittelständische Zulieferer lehnen wir ab."
OTHER = "Die Netzentgelte für Produktionsstandorte müssen gedeckelt werden."


def sources_and_conflicts(points: list[str], paragraph: str) -> tuple[list[int], list[int]]:
    found = TraceIndex(points).find(paragraph)
    return (
        [item.point_index for item in found.sources],
        [item.point_index for item in found.conflicts],
    )


@pytest.mark.parametrize(
    ("point", "paragraph", "contradiction"),
    [
        pytest.param(
            BRIDGE_2035,
            BRIDGE_PARAGRAPH,
            Contradiction(FIGURE, theirs=("2035",), ours=("2030",)),
            id="another year",
        ),
        pytest.param(
            STATE,
            "Der Bund muss die Förderprogramme für Zulieferer endlich vereinfachen.",
            Contradiction(ADDRESSEE, theirs=("Land",), ours=("Bund",)),
            id="another addressee",
        ),
        pytest.param(
            NO_FUND,
            "Ein Transformationsfonds soll mittelständischen Zulieferern Eigenkapital geben.",
            Contradiction(STANCE, theirs=(REJECTS,), ours=(DEMANDS,)),
            id="a rejection",
        ),
    ],
)
def test_a_contradicting_point_is_a_conflict_not_a_source(
    point: str, paragraph: str, contradiction: Contradiction
) -> None:
    # Issue "Trust", item 10: "bis 2030, 8 ct" listed a member's "bis 2035" as its source.
    found = TraceIndex([point, OTHER]).find(paragraph)
    assert found.sources == []
    [conflict] = found.conflicts
    assert conflict.point_index == 0
    assert conflict.contradictions == (contradiction,)
    assert 0 < conflict.score <= 1


def test_of_two_look_alikes_the_matching_one_is_the_source_the_other_a_conflict() -> None:
    # Numbers are no features, so "bis 2030" and "bis 2035" explain the paragraph alike.
    assert sources_and_conflicts([BRIDGE_2035, BRIDGE_2030, OTHER], BRIDGE_PARAGRAPH) == ([1], [0])
    assert sources_and_conflicts([NO_FUND, FUND, OTHER], FUND) == ([1], [])


def test_a_demand_in_an_infinitive_clause_keeps_its_measure() -> None:
    """ "…, die Zusatzzölle … auszusetzen" is what the association demands, not a relative
    clause; and "Zölle" is taken up by the compound "Zusatzzölle"."""
    abolished = "Die Zölle auf Aluminiumimporte müssen abgeschafft werden."
    suspended = "Die Zusatzzölle auf Aluminiumimporte sollten ausgesetzt werden."
    paragraph = (
        "Der Verband fordert, die Zusatzzölle auf Aluminiumimporte befristet auszusetzen, "
        "solange die Gießereien keinen anderen Lieferanten finden."
    )
    assert sources_and_conflicts([abolished, OTHER], paragraph) == ([], [0])
    assert sources_and_conflicts([abolished, suspended, OTHER], paragraph)[0] == [1]


def test_all_companies_is_another_group_than_kmu_not_than_a_sector() -> None:
    points = [
        "Für alle Unternehmen muss die Meldepflicht zum Energieverbrauch entfallen.",
        "Für KMU muss die Meldepflicht zum Energieverbrauch entfallen.",
        OTHER,
    ]
    paragraph = (
        "Für kleine und mittlere Zulieferer sollte die Meldepflicht zum Energieverbrauch entfallen."
    )
    assert sources_and_conflicts(points, paragraph) == ([1], [0])
    craft = (
        "Auch Handwerksbetriebe brauchen die Entlastung bei der Meldepflicht zum Energieverbrauch."
    )
    assert sources_and_conflicts(points[::2], craft)[1] == []


def test_a_run_of_a_copy_left_out_of_the_index_is_a_copy_too() -> None:
    """The editor traces a near-duplicate group's canonical wording only; a point that is a
    run of another member of that group is one of its copies as well."""
    points = [
        "Die Sonderabschreibung für Pressen muss aus unserer Sicht dauerhaft gelten. Wir "
        "planen zwei neue Linien.",
        "Die Sonderabschreibung für Pressen muss dauerhaft gelten.",
        OTHER,
    ]
    copies = [
        ["Die Sonderabschreibung für Pressen muss dauerhaft gelten. Wir planen zwei neue Linien."],
        [],
        [],
    ]
    paragraph = (
        "Die Sonderabschreibung für Pressen muss dauerhaft gelten, damit Zulieferer investieren."
    )
    assert [t.point_index for t in TraceIndex(points).find(paragraph).sources] == [1]
    found = TraceIndex(points, copies=copies).find(paragraph).sources
    assert [t.point_index for t in found] == [1, 0]


def test_what_the_paragraph_leaves_out_is_no_conflict() -> None:
    assert sources_and_conflicts(
        [STATE, FEDERAL, OTHER], "Die Förderprogramme für Zulieferer sind zu vereinfachen."
    ) == ([0], [])
    assert sources_and_conflicts(
        [BRIDGE_2035, OTHER], "Die Industrie braucht einen Brückenstrompreis."
    ) == ([0], [])


def test_a_negation_that_makes_the_same_demand_is_no_conflict() -> None:
    points = ["Die Förderung der Transformationsnetzwerke darf nicht gekürzt werden.", OTHER]
    paragraph = "Die Förderung der Transformationsnetzwerke muss erhalten bleiben."
    assert sources_and_conflicts(points, paragraph) == ([0], [])


def test_trace_gives_the_sources_of_find(index: TraceIndex) -> None:
    paragraphs = [paragraph for paragraph, _ in HAND_PARAGRAPHS]
    assert index.trace_all(paragraphs) == [found.sources for found in index.find_all(paragraphs)]


def test_no_labelled_source_of_the_hand_written_paragraphs_is_taken_for_a_conflict(
    index: TraceIndex,
) -> None:
    # Rewordings name figures, actors and negations differently ("nicht länger als sechs
    # Monate", "binnen Monaten statt Jahren", "in Nordrhein-Westfalen"): none of that is a
    # contradiction.
    found = index.find_all([paragraph for paragraph, _ in HAND_PARAGRAPHS])
    for findings, (paragraph, sources) in zip(found, HAND_PARAGRAPHS, strict=True):
        conflicting = {NAMES[item.point_index] for item in findings.conflicts}
        assert not conflicting & set(sources), paragraph


# --- what contradicts what -------------------------------------------------------------------


def differences(point: str, paragraph: str) -> tuple[Contradiction, ...]:
    return contradictions(demand_claims(point), claims(paragraph))


@pytest.mark.parametrize(
    ("point", "paragraph", "expected"),
    [
        pytest.param(
            "Der Brückenstrompreis muss bis 2035 gelten.",
            "Der Brückenstrompreis muss bis 2030 gelten, bei 8 ct je kWh.",
            (Contradiction(FIGURE, ("2035",), ("2030",)),),
            id="years",
        ),
        pytest.param(
            "Der Brückenstrompreis muss bei 10 ct je kWh liegen.",
            "Der Brückenstrompreis muss bei 8 ct je kWh liegen.",
            (Contradiction(FIGURE, ("10 ct",), ("8 ct",)),),
            id="amounts",
        ),
        pytest.param(
            "Wir fordern einen Brückenstrompreis bis 2030 und die Senkung der Stromsteuer auf "
            "das europäische Mindestmaß.",
            "Für den Mittelstand brauchen wir bis 2035 einen Brückenstrompreis.",
            (Contradiction(FIGURE, ("2030",), ("2035",)),),
            id="one of two demands of a sentence taken up",
        ),
        pytest.param(
            "Die Förderquote muss bei fünfzig Prozent liegen.",
            "Die Förderquote muss bei 50 % liegen.",
            (),
            id="number words and signs are the same figure",
        ),
        pytest.param(
            "Genehmigungen müssen statt 26 Monate höchstens sechs Monate dauern.",
            "Genehmigungen dürfen nicht länger als 6 Monate dauern statt mehr als zwei Jahre.",
            (),
            id="a figure in common",
        ),
        pytest.param(
            "Die EU-Kommission muss die Zölle auf Elektroautos überprüfen.",
            "Der Bund muss die Zölle auf Elektroautos überprüfen.",
            (Contradiction(ADDRESSEE, ("EU",), ("Bund",)),),
            id="EU and Bund",
        ),
        pytest.param(
            "Bund und Länder müssen die Brachflächen aufbereiten.",
            "Die Kommunen müssen die Brachflächen aufbereiten.",
            (Contradiction(ADDRESSEE, ("Bund", "Land"), ("Kommunen",)),),
            id="Bund und Länder and Kommunen",
        ),
        pytest.param(
            "Die Bundesregierung muss die Netzentgelte deckeln.",
            "Der Bund muss die Netzentgelte deckeln.",
            (),
            id="one level, other words",
        ),
        pytest.param(
            "Der Bund muss die Fachkräfte aus Nicht-EU-Ländern schneller anerkennen.",
            "Die Abschlüsse von Fachkräften aus Drittstaaten der EU sind schneller anzuerkennen.",
            (),
            id="places and genitives are no addressees",
        ),
        pytest.param(
            "Die Strompreise müssen sinken. Wir zahlen 20 Prozent mehr als 2020.",
            "Die Strompreise müssen sinken, wir zahlen 30 Prozent mehr als 2021.",
            (),
            id="figures of reasons do not count",
        ),
        pytest.param(
            "Wir brauchen keinen Industriestrompreis.",
            "Ein Industriestrompreis ist notwendig.",
            (Contradiction(STANCE, (REJECTS,), (DEMANDS,)),),
            id="kein",
        ),
        pytest.param(
            "Die Stromsteuer darf nicht gesenkt werden.",
            "Die Stromsteuer muss gesenkt werden.",
            (Contradiction(STANCE, (REJECTS,), (DEMANDS,)),),
            id="nicht",
        ),
        pytest.param(
            "Der Breitbandausbau muss schneller gehen; viele Betriebe haben keine Glasfaser.",
            "Glasfaser für alle Gewerbegebiete: Der Breitbandausbau muss schneller gehen.",
            (),
            id="a finding with kein is no rejection",
        ),
        pytest.param(
            "Die Kfz-Steuer für leichte Nutzfahrzeuge muss abgeschafft werden.",
            "Die Kfz-Steuer für leichte Nutzfahrzeuge ist zu senken.",
            (Contradiction("measure", ("„abgeschafft“",), ("„senken“",)),),
            id="another measure for one thing",
        ),
        pytest.param(
            "Schnellladeparks an Autobahnen müssen bevorzugt angeschlossen werden.",
            "Schnellladeparks in Gewerbegebieten müssen bevorzugt angeschlossen werden.",
            (Contradiction("place", ("„Autobahnen“",), ("„Gewerbegebieten“",)),),
            id="another place",
        ),
        pytest.param(
            "Die Meldepflicht muss für Konzerne entfallen.",
            "Die Meldepflicht muss für KMU entfallen.",
            (Contradiction("scope", ("„Konzerne“",), ("„KMU“",)),),
            id="another group of companies",
        ),
        pytest.param(
            "Anlagengenehmigungen müssen gesetzlich auf sechs Monate begrenzt werden.",
            "Eine Anlage darf nicht später als sechs Monate nach dem Antrag genehmigt werden.",
            (),
            id="ways of acting on one thing are rewordings",
        ),
        pytest.param(
            "Prüfberichte für Gießereien dürfen nicht ein zweites Mal angefordert werden.",
            "Prüfberichte für Gießereien sollen zentral abgelegt werden.",
            (),
            id="forbidding something the other does not name is no rejection",
        ),
        pytest.param(
            "Die Pressteile müssen Regelfall der Zulassung werden und nicht Ausnahme.",
            "Für die Pressteile sollte die Zulassung der Regelfall sein.",
            (),
            id="and not the exception",
        ),
        pytest.param(
            "Messdaten der Anlagen dürfen nicht ohne Zustimmung weitergegeben werden.",
            "Eine Weitergabe der Messdaten ohne Zustimmung muss bestraft werden.",
            (),
            id="nicht ohne asks for a condition",
        ),
        pytest.param(
            "Die Zuschüsse für Werkzeugbauer müssen verdoppelt werden.",
            "Die Zuschüsse für Werkzeugbauer müssen erhöht werden.",
            (),
            id="doubling raises",
        ),
        pytest.param(
            "Die Sonderabschreibung für Pressen muss dauerhaft eingeführt werden.",
            "Die Sonderabschreibung für Pressen darf nicht nur befristet gelten.",
            (),
            id="what is done and for how long are no alternatives",
        ),
        pytest.param(
            "Die EU muss Lieferverträge für Graphit absichern.",
            "Der Bund soll sich in Brüssel einsetzen, Lieferverträge für Graphit abzusichern.",
            (),
            id="the Bund acting in Brussels asks the EU",
        ),
    ],
)
def test_what_contradicts_what(point: str, paragraph: str, expected: tuple[Contradiction]) -> None:
    assert differences(point, paragraph) == expected


def test_staff_read_a_contradiction_in_german() -> None:
    assert Contradiction(FIGURE, ("2035",), ("2030",)).describe() == "nennt 2035 statt 2030"
    assert (
        Contradiction(ADDRESSEE, ("Bund", "Land"), ("Kommunen",)).describe()
        == "richtet sich an den Bund und das Land statt an die Kommunen"
    )
    stance = Contradiction(STANCE, (REJECTS,), (DEMANDS,))
    assert stance.describe("der Absatz") == "lehnt ab, was der Absatz fordert"
    place = Contradiction("place", ("„Autobahnen“",), ("„Gewerbegebieten“",))
    assert place.describe() == "nennt „Autobahnen“ statt „Gewerbegebieten“"


# --- issue 20: demands phrased "Wir fordern, dass …", campaigns, meaning ------------------------


def test_a_demand_phrased_wir_fordern_dass_is_the_source_of_its_paragraph() -> None:
    # The demand key was cut to "wir fordern": no paragraph took such a demand up.
    points = [
        "Wir fordern, dass die Strompreise für energieintensive Betriebe auf ein international "
        "wettbewerbsfähiges Niveau sinken.",
        "Es ist notwendig, dass ausländische Berufsabschlüsse in höchstens acht Wochen "
        "anerkannt werden.",
        OTHER,
    ]
    index = TraceIndex(points)
    assert [
        t.point_index
        for t in index.trace(
            "Die Strompreise für energieintensive Betriebe müssen auf ein wettbewerbsfähiges "
            "Niveau sinken."
        )
    ] == [0]
    assert [
        t.point_index
        for t in index.trace(
            "Berufsabschlüsse aus dem Ausland sind binnen acht Wochen anzuerkennen."
        )
    ] == [1]


def test_wir_fordern_dass_look_alikes_for_another_level_are_no_source() -> None:
    federal = (
        "Wir fordern, dass der Bund die Umstellung von Gasöfen auf elektrische Öfen mit einem "
        "Investitionszuschuss fördert."
    )
    state = federal.replace("der Bund", "das Land")
    found = TraceIndex([state, federal, OTHER]).find(
        "Der Bund soll Investitionen in elektrische Öfen, die Gasöfen ersetzen, bezuschussen."
    )
    assert [t.point_index for t in found.sources] == [1]
    assert 0 not in {t.point_index for t in found.sources}


def test_a_campaign_copy_split_at_a_colon_keeps_its_campaign() -> None:
    campaign = (
        "Die Netzentgelte für Produktionsstandorte müssen gedeckelt werden. Der Bund muss die "
        "Kosten des Netzausbaus stärker aus dem Haushalt finanzieren."
    )
    colon = campaign.replace("werden. Der Bund", "werden: Der Bund")
    unrelated = "Die Kommunen müssen Brachflächen schneller für die Industrie aufbereiten."
    points = [*split_points(campaign), *split_points(campaign), *split_points(colon), unrelated]
    assert len(points) == 6  # two copies of two points each, the colon copy one point
    index = TraceIndex(points)
    deckeln = {
        t.point_index
        for t in index.trace("Die Netzentgelte für Produktionsstandorte müssen gedeckelt werden.")
    }
    assert deckeln == {0, 2, 4}
    both = {
        t.point_index
        for t in index.trace(
            "Die Netzentgelte für Produktionsstandorte sind zu deckeln; die Kosten des Netzausbaus "
            "soll der Bund aus dem Haushalt tragen.",
            top=10,
        )
    }
    assert both == {0, 1, 2, 3, 4}


def test_a_point_in_other_words_is_found_by_meaning() -> None:
    points = [
        "Die Energiekosten gefährden die Wettbewerbsfähigkeit unserer Kunststoffverarbeitung; "
        "sie müssen dauerhaft tragbar werden.",
        "Gewerbeflächen sind in unserer Region knapp.",
        OTHER,
    ]
    found = TraceIndex(points).trace(
        "Die Kosten für Strom bringen energieintensive Betriebe in Bedrängnis; die "
        "Energiepreise müssen auf ein international wettbewerbsfähiges Niveau sinken."
    )
    assert [t.point_index for t in found] == [0]


BRIDGE_6CT = (
    "Wir fordern einen Brückenstrompreis von 6 ct je kWh für mittelständische Industriebetriebe"
)
IN_OTHER_WORDS = (
    "Der Strom ist für unsere Gießerei viel zu teuer. Der Staat muss die Kosten für Energie "
    "übergangsweise deckeln, bis es genug günstigen Ökostrom gibt."
)


def test_another_member_making_the_demand_in_other_words_is_offered_as_related() -> None:
    """The greedy choice takes the wording the paragraph was written from; another member
    saying the same in other words explains nothing new, yet the paragraph rests on it too:
    it is offered apart, for staff to check. A look-alike naming another year is not."""
    points = [f"{BRIDGE_6CT} bis 2030.", IN_OTHER_WORDS, f"{BRIDGE_6CT} bis 2035.", OTHER]
    found = TraceIndex(points).find(
        "Mittelständische Industriebetriebe brauchen bis 2030 einen Brückenstrompreis von "
        "6 ct je kWh, damit ihre Stromkosten tragbar bleiben."
    )
    assert [t.point_index for t in found.sources] == [0]
    assert [c.point_index for c in found.conflicts] == [2]
    assert [t.point_index for t in found.related] == [1]


def test_a_paragraph_resting_on_no_point_gets_no_related_points() -> None:
    found = TraceIndex([IN_OTHER_WORDS, OTHER]).find(
        "Die Kommunen sollten ihre Gewerbesteuerhebesätze senken."
    )
    assert found.sources == found.related == []


def test_a_short_paragraph_rests_on_a_long_point_making_two_demands() -> None:
    """The paragraph takes up little of the point's words (one of its two demands), but says
    what the point says of it."""
    points = [
        "Wir fordern einen Brückenstrompreis für mittelständische Industriebetriebe bis 2030 "
        "und die Senkung der Stromsteuer auf das europäische Mindestmaß.",
        OTHER,
    ]
    found = TraceIndex(points).trace("Wir brauchen einen Brückenstrompreis bis 2030.")
    assert [t.point_index for t in found] == [0]


def test_a_rejection_is_no_source_though_the_words_differ() -> None:
    points = [
        "Eine Senkung der Stromsteuer lehnen wir ab, solange der Haushalt nicht ausgeglichen ist.",
        OTHER,
    ]
    found = TraceIndex(points).find(
        "Die Stromsteuer muss auf das europäische Mindestmaß gesenkt werden."
    )
    assert found.sources == []


def test_point_embeddings_are_computed_once_per_index() -> None:
    calls: list[int] = []

    def counting(texts: Sequence[str]) -> Vectors:
        calls.append(len(texts))
        return embed(texts)

    index = TraceIndex(POINTS, embed=counting)
    assert calls == [len(POINTS)]
    index.trace_all([paragraph for paragraph, _ in HAND_PARAGRAPHS[:3]])
    index.trace(HAND_PARAGRAPHS[4][0])
    # Afterwards only the paragraphs' sentences are embedded, never the points again.
    assert calls[0] == len(POINTS) and all(count < len(POINTS) for count in calls[1:])


def test_the_shared_words_are_marked() -> None:
    fragments = marked(
        "Die Netzentgelte für Produktionsstandorte sind zu deckeln.",
        "Die Netzentgelte steigen seit Jahren. Der Bund sollte sie für Produktionsstandorte "
        "deckeln.",
    )
    assert [piece for piece, hit in fragments if hit] == [
        "Netzentgelte",
        "Produktionsstandorte deckeln",
    ]
    assert "".join(piece for piece, _ in fragments).startswith("Die Netzentgelte steigen")


def test_a_source_in_other_words_has_its_closest_sentence_marked() -> None:
    point = (
        "Unsere Gießerei zahlt doppelt so viel wie Wettbewerber in Frankreich. Die Strompreise "
        "müssen dauerhaft wettbewerbsfähig werden."
    )
    fragments = marked("Die Energiekosten müssen für energieintensive Betriebe sinken.", point)
    assert [piece for piece, hit in fragments if hit] == [
        "Die Strompreise müssen dauerhaft wettbewerbsfähig werden."
    ]
    assert "".join(piece for piece, _ in fragments) == point


# --- the paper editor ----------------------------------------------------------------------


def test_suggested_sources_show_the_shared_words_marked(demo_url: str) -> None:
    from sqlmodel import select

    from db.engine import create_engine_for, read_session
    from db.models import Paper
    from tests.apptest import SUGGESTED_SOURCE, log_in

    with read_session(create_engine_for(demo_url)) as session:
        papers = session.exec(select(Paper)).all()
    app = log_in("referat@demo.example", timeout=60)
    marked_captions: list[str] = []
    for paper in papers:
        app.query_params["papier"] = str(paper.id)
        app.switch_page("ui/pages/paper.py").run()
        for button in [b for b in app.button if b.label == "Quellen vorschlagen"]:
            button.click().run()
            assert not app.exception
            marked_captions += [
                c.value
                for c in app.caption
                if SUGGESTED_SOURCE.match(c.value) and ":orange-background[" in c.value
            ]
            if marked_captions:
                break
        if marked_captions:
            break
    assert marked_captions, "a suggested source shows what it shares with the paragraph"


def test_a_suggested_campaign_point_names_its_copies_and_links_them_all(demo_url: str) -> None:
    from sqlmodel import col, select

    from db.engine import create_engine_for, read_session, write_session
    from db.models import Paper, ParagraphSource, Section, Statement, id_of
    from positions.analysis import workspace
    from positions.core.permissions import SYSTEM
    from positions.papers import papers
    from tests.apptest import log_in

    engine = create_engine_for(demo_url)
    with write_session(engine) as session:
        # A paper of the call whose members sent the demo's campaign text (four copies).
        campaign_call = session.exec(
            select(Statement.call_id)
            .where(col(Statement.text).contains("Antragsportal"))
            .distinct()
        ).one()
        paper = session.exec(select(Paper).where(Paper.call_id == campaign_call)).first()
        assert paper is not None
        section = session.exec(select(Section).where(Section.paper_id == paper.id)).first()
        assert section is not None
        paragraph = papers.add_paragraph(
            session=session,
            actor=SYSTEM,
            section_id=id_of(section),
            text="Ein gemeinsames Antragsportal für die Förderprogramme von Bund und Land, "
            "über Anträge wird binnen drei Monaten entschieden.",
        )
        paper_id, paragraph_id = id_of(paper), id_of(paragraph)
        # The near-duplicates are known once the workspace has analysed the call.
        workspace.analyse(session=session, actor=SYSTEM, call_id=campaign_call)
    app = log_in("referat@demo.example", timeout=60)
    app.query_params["papier"] = str(paper_id)
    app.switch_page("ui/pages/paper.py").run()
    [finder] = [b for b in app.button if b.key == f"suggest-sources-{paragraph_id}"]
    finder.click().run()
    assert not app.exception
    [caption] = [c.value for c in app.caption if "gleichlautend" in c.value]
    assert "gleichlautend in 3 weiteren Stellungnahmen" in caption
    assert "Remscheider" not in caption  # the anonymous sender stays unnamed
    [link] = [b for b in app.button if b.label == "Alle 4 verknüpfen"]
    link.click().run()
    assert not app.exception
    with read_session(engine) as session:
        linked = session.exec(
            select(ParagraphSource).where(ParagraphSource.paragraph_id == paragraph_id)
        ).all()
    assert len(linked) == 4
