import pytest

from bench.labelled.tracing_set import HAND_PARAGRAPHS, HAND_POINTS
from positions.analysis.tracing import Trace, TraceIndex, trace

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
