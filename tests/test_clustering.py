from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pytest
from scipy import sparse  # type: ignore[import-untyped]

from positions.analysis import clustering
from positions.analysis.clustering import (
    ClusterResult,
    ExistingCluster,
    PointInput,
    cluster_points,
    label_for,
)

ENERGY = [
    "Die Strompreise für Betriebe müssen gesenkt werden.",
    "Wir fordern, die Energiekosten für Betriebe zu begrenzen.",
    "Ein Brückenstrompreis für die Industrie ist notwendig.",
    "Die Netzentgelte für Produktionsstandorte sollten gedeckelt werden.",
]
FUNDING = [
    "Die Förderprogramme für mittelständische Zulieferer müssen vereinfacht werden.",
    "Zuschüsse für Investitionen sollten schneller ausgezahlt werden.",
    "Die Antragsverfahren der Förderprogramme sollten digital werden.",
    "Förderrichtlinien sind zu kompliziert; kleine Betriebe scheitern an den Förderanträgen.",
]
SKILLS = [
    "Weiterbildungsverbünde in den Regionen müssen dauerhaft finanziert werden.",
    "Der Fachkräftezuzug aus Drittstaaten muss erleichtert werden.",
    "Beschäftigte brauchen Qualifizierung und Weiterbildung für neue Tätigkeiten.",
    "Die Ausbildung von Fachkräften in Elektronik und Software muss gestärkt werden.",
]
TEXTS = [*ENERGY, *FUNDING, *SKILLS]
ENERGY_KEYS, FUNDING_KEYS, SKILLS_KEYS = {0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 10, 11}


def inputs(texts: Sequence[str], first_key: int = 0) -> list[PointInput]:
    return [PointInput(key=first_key + i, text=text) for i, text in enumerate(texts)]


def groups(result: ClusterResult) -> set[frozenset[int]]:
    return {frozenset(cluster.members) for cluster in result.clusters}


def as_existing(
    result: ClusterResult, first_id: int = 100
) -> tuple[list[ExistingCluster], dict[int, int]]:
    """The result as a caller stores it: a Cluster row per cluster, points assigned."""
    existing: list[ExistingCluster] = []
    assignment: dict[int, int] = {}
    for number, cluster in enumerate(result.clusters):
        existing.append(ExistingCluster(id=first_id + number, label=cluster.label))
        assignment.update(dict.fromkeys(cluster.members, first_id + number))
    return existing, assignment


def id_of(result: ClusterResult, key: int) -> int | None:
    cluster = result.cluster_of(key)
    assert cluster is not None
    return cluster.id


# --- topics --------------------------------------------------------------------------------


def test_points_on_one_topic_form_one_cluster_though_worded_differently() -> None:
    result = cluster_points(inputs(TEXTS))
    assert groups(result) == {
        frozenset(ENERGY_KEYS),
        frozenset(FUNDING_KEYS),
        frozenset(SKILLS_KEYS),
    }
    assert all(cluster.id is None for cluster in result.clusters)
    assert result.unclustered == ()


def test_a_topic_is_named_after_the_demand_of_its_most_central_point() -> None:
    result = cluster_points(inputs(TEXTS))
    assert {cluster.label for cluster in result.clusters} == {
        "Strompreise für Betriebe senken",
        "Förderprogramme für mittelständische Zulieferer vereinfachen",
        "Ausbildung von Fachkräften in Elektronik und Software stärken",
    }


@pytest.mark.parametrize(
    ("point", "name"),
    [
        (
            "Wir fordern, dass die Netzentgelte für die Industrie gesenkt werden.",
            "Netzentgelte für die Industrie senken",
        ),
        (
            "Aus Sicht unserer Betriebe gilt: Genehmigungsverfahren müssen beschleunigt werden, "
            "damit Investitionen nicht abwandern.",
            "Genehmigungsverfahren beschleunigen",
        ),
        ("Wir fordern einen Brückenstrompreis bis 2030.", "Brückenstrompreis bis 2030"),
        (
            "Die Stromkosten sind hoch. Sie müssen sinken. Die Netze müssen ausgebaut werden.",
            "Netze ausbauen",
        ),
        (
            "Wir fordern, dass der Bund die Stromsteuer dauerhaft senkt.",
            "Der Bund soll die Stromsteuer dauerhaft senken",
        ),
        (
            "Wir fordern, dass die Sparkassen mehr Risiko übernehmen.",
            "Die Sparkassen sollen mehr Risiko übernehmen",
        ),
        (
            "Wir fordern, dass das Land die Kosten der Prüfung übernimmt.",
            "Das Land soll die Kosten der Prüfung übernehmen",
        ),
        (
            "Wir fordern einen Brückenstrompreis für mittelständische Industriebetriebe bis "
            "2030 und die Senkung der Stromsteuer auf das europäische Mindestmaß.",
            "Brückenstrompreis für mittelständische Industriebetriebe bis 2030",
        ),
        (
            "Wir fordern, dass der Bund eine Bagatellgrenze für Meldungen einführt.",
            "Der Bund soll eine Bagatellgrenze für Meldungen einführen",
        ),
        (
            "Wir fordern, dass Mobilfunk in allen Gewerbegebieten bis 2027 verfügbar ist.",
            "Mobilfunk in allen Gewerbegebieten bis 2027 verfügbar",
        ),
        (
            "Aus unserer Sicht sollte die Landesregierung einen Flächenfonds auflegen.",
            "Die Landesregierung sollte einen Flächenfonds auflegen",
        ),
        (
            "Hier braucht es eine klare Regel, die alle verstehen.",
            "Es braucht eine klare Regel",
        ),
        (
            "Wir fordern einen verlässlichen staatlichen Zuschuss zu den Meisterkursen.",
            "Verlässlicher staatlicher Zuschuss zu den Meisterkursen",
        ),
        (
            "Die Wartezeiten in den Ausländerbehörden sind für uns inzwischen das größte "
            "Hindernis bei der Anwerbung: Die Länder müssen die Behörden besser ausstatten.",
            "Die Länder müssen die Behörden besser ausstatten",
        ),
    ],
)
def test_a_demand_name_is_a_short_clause_without_the_demanding_words(point: str, name: str) -> None:
    assert clustering.demand_name(point) == name


def test_a_long_point_gets_a_name_cut_at_a_word() -> None:
    name = clustering.demand_name("Die Förderprogramme " + "für Zulieferer im Handwerk " * 10)
    assert len(name) <= clustering.NAME_CHARS + 2 and name.endswith(" …")


def test_a_topic_is_not_named_for_a_member_rejecting_it() -> None:
    points = [
        PointInput(0, "Einen Brückenstrompreis für die Industrie lehnen wir ab."),
        PointInput(1, "Wir fordern einen Brückenstrompreis für die Industrie bis 2030."),
        PointInput(2, "Ein Brückenstrompreis für Industriebetriebe ist überfällig."),
    ]
    [topic] = cluster_points(points).clusters
    assert "ablehn" not in topic.label and "lehnen" not in topic.label


def test_a_topic_is_named_after_the_demand_most_members_sent() -> None:
    """A campaign sent by three members names its topic, not a single member's point that
    happens to lie nearer the topic's centre."""
    points = [
        PointInput(
            0,
            "Wir brauchen ein einheitliches Antragsportal für Förderprogramme von Bund und Land.",
            organisations=frozenset({1, 2, 3}),
        ),
        PointInput(
            1,
            "Förderprogramme für Zulieferer müssen einfacher und digital beantragt werden können.",
            organisations=frozenset({4}),
        ),
        PointInput(
            2,
            "Die Förderprogramme für Zulieferer sollen über ein Portal beantragt werden.",
            organisations=frozenset({5}),
        ),
    ]
    [topic] = cluster_points(points).clusters
    assert topic.label.startswith("Einheitliches Antragsportal")


def test_a_topic_is_named_after_a_point_that_may_be_quoted() -> None:
    """Staff may read "nur intern" points, but a topic's name travels further (a heading, a
    section): it is taken from a point that may be quoted where one names a demand."""
    points = [
        PointInput(
            0,
            "Wir fordern einen Transformationsfonds mit Eigenkapitalbeteiligung für Zulieferer.",
            organisations=frozenset({1}),
            quotable=False,
        ),
        PointInput(
            1,
            "Ein Transformationsfonds des Bundes soll sich an Zulieferern beteiligen können.",
            organisations=frozenset({2}),
        ),
    ]
    [topic] = cluster_points(points).clusters
    assert topic.label.startswith("Ein Transformationsfonds des Bundes")
    alone = cluster_points([replace(points[1], quotable=False), points[0]]).clusters
    assert alone and alone[0].label  # only "nur intern" points: named all the same


# Points on funding programmes and, from two other members, on the research allowance: the
# two are a theme of their own, but close enough to be absorbed as a fringe of the first.
PROGRAMMES = [
    "Die Förderprogramme für mittelständische Zulieferer müssen vereinfacht werden.",
    "Zuschüsse für Investitionen sollten schneller ausgezahlt werden.",
    "Die Antragsverfahren der Förderprogramme sollten digital werden.",
    "Förderrichtlinien sind zu kompliziert; kleine Betriebe scheitern an den Förderanträgen.",
]
RESEARCH_ALLOWANCE = [
    "Die Forschungszulage muss für Auftragsforschung an Zulieferer geöffnet werden.",
    "Der Fördersatz der Forschungszulage für KMU sollte auf 35 Prozent steigen.",
]


def _programmes_and_allowance(members_per_programme_point: int) -> set[frozenset[int]]:
    size = members_per_programme_point
    points = [
        PointInput(i, text, organisations=frozenset(range(10 * i, 10 * i + size)))
        for i, text in enumerate(PROGRAMMES)
    ] + [
        PointInput(10 + i, text, organisations=frozenset({100 + i}))
        for i, text in enumerate(RESEARCH_ALLOWANCE)
    ]
    return groups(cluster_points(points))


def test_in_a_small_call_a_theme_of_two_members_keeps_its_own_topic() -> None:
    """In a call of six members most themes are raised by one or two: a two-member topic
    is a theme, not a fringe to absorb into the largest topic nearby."""
    assert _programmes_and_allowance(1) == {frozenset({0, 1, 2, 3}), frozenset({10, 11})}


def test_in_a_large_call_a_fringe_of_two_members_joins_the_topic_nearby() -> None:
    """The same points sent by 22 members: two members alone are a fringe of the theme."""
    assert _programmes_and_allowance(5) == {frozenset({0, 1, 2, 3, 10, 11})}


def test_keyword_labels_name_the_most_characteristic_nouns() -> None:
    assert label_for(ENERGY) == "Strompreise · Energiekosten"
    assert label_for(SKILLS) == "Weiterbildung · Fachkräften"


def test_members_come_most_typical_first_and_weights_add_up() -> None:
    points = [
        PointInput(key=i, text=text, weight=3.0 if i == 2 else 1.0) for i, text in enumerate(ENERGY)
    ]
    [cluster] = cluster_points(points).clusters
    assert sorted(cluster.members) == [0, 1, 2, 3]
    assert cluster.members[-1] == 3  # the Netzentgelte point shares least with the others
    assert cluster.weight == 6.0


def test_the_same_points_give_the_same_clusters() -> None:
    assert cluster_points(inputs(TEXTS)) == cluster_points(inputs(TEXTS))


def test_large_inputs_are_clustered_from_samples(monkeypatch: pytest.MonkeyPatch) -> None:
    # A sample of five points forms the first topics; the rest join them or the next rounds.
    monkeypatch.setattr(clustering, "SAMPLE_SIZE", 5)
    result = cluster_points(inputs(TEXTS))
    assert sorted(key for cluster in result.clusters for key in cluster.members) == list(range(12))
    for topic in (ENERGY_KEYS, FUNDING_KEYS, SKILLS_KEYS):
        clusters = {id(result.cluster_of(key)) for key in topic}
        assert len(clusters) <= 2, "a topic may be split, but not scattered"


def test_keys_must_be_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        cluster_points([PointInput(key=1, text="A"), PointInput(key=1, text="B")])


# --- TF-IDF weighting ----------------------------------------------------------------------


def test_tf_idf_weighs_by_smoothed_idf_and_normalises_rows() -> None:
    # Three texts over three terms; the last text has none, the last term is in no text.
    counts = sparse.csr_matrix(np.array([[1.0, 1.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 0.0]]))
    vectors, idf = clustering.tf_idf(counts)
    # idf = 1 + ln((1 + 3 texts) / (1 + texts with the term)): 1 + ln 2, 1 + ln 4/3, 1 + ln 4.
    assert idf.tolist() == pytest.approx(
        [1.6931471805599454, 1.2876820724517808, 2.386294361119891]
    )
    # Row 0: (1 + ln 2, 1 + ln 4/3) over its norm 2.1271747682670097; row 1: one term, so 1.
    assert vectors.toarray() == pytest.approx(
        np.array([[0.7959605415681652, 0.6053485081062916, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    )
    assert isinstance(vectors, sparse.csr_matrix)
    assert counts.toarray()[1, 1] == 2.0, "the counts are left as they were"


def test_tf_idf_sums_each_row_in_order_like_scikit_learn() -> None:
    # Like scikit-learn, which this replaced, each row's squares are added one by one (pairwise
    # sums differ in the last bits): the same vectors to the bit, so the same clusters.
    rng = np.random.default_rng(7)
    counts = sparse.random(5, 40, density=0.6, format="csr", random_state=7)
    counts.data = 1.0 + np.log(rng.integers(1, 5, counts.nnz).astype(np.float64))
    vectors, idf = clustering.tf_idf(counts)
    for row in range(counts.shape[0]):
        start, end = counts.indptr[row], counts.indptr[row + 1]
        weights = counts.data[start:end] * idf[counts.indices[start:end]]
        total = 0.0
        for weight in weights.tolist():
            total += weight * weight
        assert (vectors.data[start:end] == weights / np.sqrt(total)).all()


def test_empty_input_gives_empty_vectors() -> None:
    vectors, _lexicon, idf = clustering.topic_vectors([], [])
    assert vectors.shape[0] == 0
    assert len(idf) == vectors.shape[1]


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "clusters", "unclustered"),
    [
        pytest.param([], 0, (), id="empty corpus"),
        pytest.param(["Die Strompreise müssen sinken."], 1, (), id="a single point"),
        pytest.param(["Strompreise", "Bürokratie", "Fachkräfte"], 3, (), id="one word each"),
        pytest.param(["👍", "2030", "!!!", "", "   "], 0, (0, 1, 2, 3, 4), id="no words"),
        pytest.param(
            ["We demand lower energy prices.", "Nous demandons des prix bas.", "电价太高"],
            None,
            (),
            id="other languages",
        ),
    ],
)
def test_bad_input_is_handled(
    texts: list[str], clusters: int | None, unclustered: tuple[int, ...]
) -> None:
    result = cluster_points(inputs(texts))
    if clusters is not None:
        assert len(result.clusters) == clusters
    assert result.unclustered == unclustered
    placed = sorted(key for cluster in result.clusters for key in cluster.members)
    assert sorted([*placed, *unclustered]) == list(range(len(texts)))


def test_ten_thousand_identical_points_are_one_cluster() -> None:
    points = inputs(["Die Strompreise für Betriebe müssen sinken."] * 10_000)
    [cluster] = cluster_points(points).clusters
    assert len(cluster.members) == 10_000
    assert cluster.label == "Die Strompreise für Betriebe müssen sinken"


def test_an_extremely_long_point_is_clustered() -> None:
    long_point = "Die Strompreise für energieintensive Betriebe müssen sinken. " * 800
    assert len(long_point) > 48_000
    result = cluster_points(inputs([long_point, *ENERGY]))
    assert len(result.clusters) == 1
    assert label_for([long_point]) == "Strompreise · Betriebe"


def test_label_for_texts_without_words_is_empty() -> None:
    assert label_for(["👍", "2030"]) == ""
    assert label_for([]) == ""


# --- staff edits survive re-runs -----------------------------------------------------------


def rerun(
    points: Sequence[PointInput],
    existing: Sequence[ExistingCluster],
    assignment: Mapping[int, int],
    pinned: set[int] | None = None,
) -> ClusterResult:
    return cluster_points(points, existing=existing, assignment=assignment, pinned=pinned or set())


def test_a_rerun_without_changes_keeps_every_cluster_and_id() -> None:
    first = cluster_points(inputs(TEXTS))
    existing, assignment = as_existing(first)
    again = rerun(inputs(TEXTS), existing, assignment)
    assert groups(again) == groups(first)
    assert {id_of(again, key) for key in ENERGY_KEYS} == {assignment[0]}
    assert again.removed == ()


def test_pinned_points_and_renamed_clusters_survive_a_rerun() -> None:
    existing, assignment = as_existing(cluster_points(inputs(TEXTS)))
    energy_id, funding_id = assignment[0], assignment[4]
    # Staff renamed the energy cluster and moved a funding point into it by hand.
    existing = [
        ExistingCluster(id=c.id, label="Energiepreise", edited_by_staff=True)
        if c.id == energy_id
        else c
        for c in existing
    ]
    assignment[4] = energy_id
    result = rerun(inputs(TEXTS), existing, assignment, pinned={4})
    energy = result.cluster_of(0)
    assert energy is not None
    assert energy.id == energy_id
    assert energy.label == "Energiepreise"
    assert energy.edited_by_staff
    assert set(energy.members) == ENERGY_KEYS | {4}
    funding = result.cluster_of(5)
    assert funding is not None
    assert funding.id == funding_id
    assert set(funding.members) == FUNDING_KEYS - {4}


def test_new_points_join_a_fitting_existing_cluster_or_form_a_new_one() -> None:
    existing, assignment = as_existing(cluster_points(inputs(TEXTS)))
    energy_id = assignment[0]
    existing = [
        ExistingCluster(id=c.id, label="Energie", edited_by_staff=True) if c.id == energy_id else c
        for c in existing
    ]
    new = inputs(
        [
            "Die Energiepreise für unsere Gießerei in Hagen müssen runter.",
            "Die Mautbefreiung für emissionsfreie Lkw sollte verlängert werden.",
        ],
        first_key=20,
    )
    result = rerun([*inputs(TEXTS), *new], existing, assignment)
    assert id_of(result, 20) == energy_id
    toll = result.cluster_of(21)
    assert toll is not None
    assert toll.id is None
    assert toll.members == (21,)
    assert {id_of(result, key) for key in FUNDING_KEYS} == {assignment[4]}


def test_a_discarded_cluster_keeps_its_points_and_takes_no_new_ones() -> None:
    existing, assignment = as_existing(cluster_points(inputs(TEXTS)))
    skills_id = assignment[8]
    existing = [
        ExistingCluster(id=c.id, label=c.label, discarded=True) if c.id == skills_id else c
        for c in existing
    ]
    new = inputs(["Die Weiterbildung von Fachkräften in der Region muss gefördert werden."], 30)
    result = rerun([*inputs(TEXTS), *new], existing, assignment)
    skills = result.cluster_of(8)
    assert skills is not None
    assert (skills.id, skills.discarded) == (skills_id, True)
    assert set(skills.members) == SKILLS_KEYS
    assert id_of(result, 30) != skills_id


def test_an_automatic_cluster_whose_points_are_gone_is_removed() -> None:
    existing, assignment = as_existing(cluster_points(inputs(TEXTS)))
    result = rerun(inputs([*ENERGY, *FUNDING]), existing, assignment)
    assert result.removed == (assignment[8],)
    assert len(result.clusters) == 2


def test_an_edited_cluster_is_kept_even_without_points() -> None:
    existing = [ExistingCluster(id=7, label="Sonstiges", edited_by_staff=True)]
    result = cluster_points(inputs(ENERGY), existing=existing, assignment={})
    kept = [cluster for cluster in result.clusters if cluster.id == 7]
    assert kept == [
        clustering.TopicCluster(
            id=7, label="Sonstiges", members=(), weight=0.0, edited_by_staff=True
        )
    ]


def test_a_point_staff_took_out_of_every_cluster_stays_out() -> None:
    result = cluster_points(inputs(ENERGY), pinned={2})
    assert result.unclustered == (2,)
    assert result.cluster_of(2) is None


# --- meaning and members -------------------------------------------------------------------

# One member's long statement: every point in its own words ("unser Werk im Chemiepark
# Leuna"), on several topics. Its shared wording must not make it a topic of its own.
CHEMIE = [
    "Für unser Werk im Chemiepark Leuna sind die Strompreise der größte Kostenblock.",
    "Unser Werk im Chemiepark Leuna braucht schnellere Förderbescheide.",
    "Unser Werk im Chemiepark Leuna findet kaum noch Fachkräfte für die Anlagen.",
    "Die Abwasserreinigung in unserem Werk im Chemiepark Leuna muss modernisiert werden.",
    "Der Gleisanschluss unseres Werks im Chemiepark Leuna sollte erneuert werden.",
    "Für unser Werk im Chemiepark Leuna fehlt ein verlässlicher Zeitplan für Wasserstoff.",
]
CHEMIE_MEMBER = 99


def members_inputs() -> list[PointInput]:
    """TEXTS, each point from a member of its own, and the long statement of one member."""
    return [
        *(
            PointInput(key=i, text=text, organisations=frozenset({i}))
            for i, text in enumerate(TEXTS)
        ),
        *(
            PointInput(key=100 + i, text=text, organisations=frozenset({CHEMIE_MEMBER}))
            for i, text in enumerate(CHEMIE)
        ),
    ]


def test_a_long_statement_of_one_member_does_not_form_a_topic_of_its_own() -> None:
    result = cluster_points(members_inputs())
    for cluster in result.clusters:
        assert any(key < 100 for key in cluster.members), cluster.label
    # Its points on the call's topics join them; the others are listed as one member's.
    energy = result.cluster_of(0)
    assert energy is not None and 100 in energy.members
    assert set(result.single_member) <= set(range(100, 100 + len(CHEMIE)))
    assert set(result.single_member) <= set(result.unclustered)
    placed = [key for cluster in result.clusters for key in cluster.members]
    assert sorted([*placed, *result.unclustered]) == sorted(p.key for p in members_inputs())


def test_without_known_members_every_point_counts_as_its_own_member() -> None:
    result = cluster_points(inputs([*TEXTS, *CHEMIE]))
    assert result.single_member == ()


PARAPHRASES = [
    # Network charges, in words the others do not use.
    "Die Netzentgelte für Industriebetriebe müssen sinken.",
    "Die Kosten für die Nutzung der Stromleitungen belasten unsere Fabriken zu stark.",
    "Wir brauchen einen staatlichen Zuschuss zu den Gebühren der Übertragungsnetze.",
    # Skilled immigration.
    "Visaverfahren für ausländische Facharbeiter dauern viel zu lange.",
    "Die Einwanderung qualifizierter Arbeitskräfte aus dem Ausland muss schneller gehen.",
    "Die Anerkennung von Berufsabschlüssen aus Drittstaaten dauert Monate.",
]


def test_paraphrases_of_different_members_form_one_topic() -> None:
    points = [
        PointInput(key=i, text=text, organisations=frozenset({i}))
        for i, text in enumerate(PARAPHRASES)
    ]
    assert groups(cluster_points(points)) == {frozenset({0, 1, 2}), frozenset({3, 4, 5})}
    # Words alone do not see it: the meaning of the sentences does.
    assert groups(cluster_points(points, embed=None)) != {
        frozenset({0, 1, 2}),
        frozenset({3, 4, 5}),
    }


def test_one_member_does_not_pull_a_topic_centre_its_way() -> None:
    # Ten points of one member and one of another on a topic: typical first is still a
    # point of the topic, whichever member sent it (weights are per member, not per point).
    weights = clustering.member_balanced(
        np.ones(4), np.array([0, 0, 0, 1]), np.array([7, 7, 8, -1])
    )
    assert weights.tolist() == pytest.approx([0.5, 0.5, 1.0, 1.0])
