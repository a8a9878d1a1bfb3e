import pytest

from db.models import Visibility
from positions.analysis.guards import (
    ADDRESSEE,
    FIGURE,
    Contradiction,
    main_clauses,
    negates,
    rejects,
)
from positions.analysis.merging import SourcePoint, suggest_merge
from positions.core.text import split_sentences

NAMED, ANONYMOUS, INTERNAL = Visibility.NAMED, Visibility.ANONYMOUS, Visibility.INTERNAL

CENTRE = "Die Strompreise für energieintensive Betriebe müssen sinken."


def point(
    key: int, text: str, organisation: int | None = None, visibility: Visibility = NAMED
) -> SourcePoint:
    return SourcePoint(
        key=key,
        text=text,
        organisation_id=organisation if organisation is not None else key,
        visibility=visibility,
    )


ENERGY = [
    point(1, f"{CENTRE} Sonst wandern Gießereien ins Ausland ab."),
    point(2, "Die Strompreise für energieintensive Betriebe müssen gesenkt werden."),
    point(3, f"Wir fordern einen Brückenstrompreis bis 2030. {CENTRE}"),
    point(4, CENTRE),
]


# --- the suggested text -------------------------------------------------------------------


def test_the_suggestion_is_the_medoid_plus_what_the_others_add() -> None:
    suggestion = suggest_merge(ENERGY)
    assert suggestion.medoid_key == 4  # closest to the others: every point says it
    centre, *additions = suggestion.sentences
    assert (centre.text, set(centre.source_keys)) == (CENTRE, {1, 2, 3, 4})
    assert centre.source_keys[0] == 4  # the wording is the medoid's
    assert {(a.text, a.source_keys) for a in additions} == {
        ("Sonst wandern Gießereien ins Ausland ab.", (1,)),
        ("Wir fordern einen Brückenstrompreis bis 2030.", (3,)),
    }
    assert suggestion.text == " ".join(sentence.text for sentence in suggestion.sentences)


def test_bullet_points_without_a_full_stop_read_as_sentences() -> None:
    suggestion = suggest_merge(
        [
            point(1, "Sonderabschreibung von 30 Prozent für klimaneutrale Fertigung"),
            point(2, "Sonderabschreibung von 30 Prozent für klimaneutrale Fertigung"),
            point(3, "Ein Brückenstrompreis bis 2030"),
        ]
    )
    assert "Fertigung Ein" not in suggestion.text
    assert suggestion.text.endswith(".")


def test_no_sentence_is_suggested_twice() -> None:
    suggestion = suggest_merge([*ENERGY, point(5, f"{CENTRE} {CENTRE}"), point(6, CENTRE.upper())])
    texts = [sentence.text for sentence in suggestion.sentences]
    assert len(texts) == len(set(texts)) == 3
    assert split_sentences(suggestion.text) == texts


def test_a_negated_sentence_and_the_plain_one_do_not_cover_each_other() -> None:
    base = "Die Förderung der Netzwerke muss verlängert werden."
    for first, second in [("nicht gekürzt", "gekürzt"), ("gekürzt", "nicht gekürzt")]:
        points = [
            point(1, base),
            point(2, f"{base} Die Mittel dürfen {first} werden."),
            point(3, f"{base} Die Mittel dürfen {second} werden."),
        ]
        texts = {sentence.text for sentence in suggest_merge(points).sentences}
        assert {"Die Mittel dürfen gekürzt werden.", "Die Mittel dürfen nicht gekürzt werden."} <= (
            texts
        )


ADDITIONS = [
    "Gießereien zahlen doppelt so viel wie in Frankreich.",
    "Die Stromsteuer muss auf das europäische Minimum sinken.",
    "Ein Brückenstrompreis bis 2030 ist nötig.",
    "Langfristige Lieferverträge für Grünstrom sollten abgesichert werden.",
    "Eigenstrom vom Hallendach darf nicht mit Abgaben belastet werden.",
    "Härtereien stellen ihre Öfen sonst nicht auf Strom um.",
    "Wasserstoff ist für Schmieden keine Alternative zu bezahlbarem Strom.",
]


def test_additions_said_by_most_organisations_come_first_and_the_rest_is_left_out() -> None:
    single = [point(10 + n, f"{CENTRE} {text}") for n, text in enumerate(ADDITIONS)]
    popular = [
        point(30 + n, f"{CENTRE} Die Netzentgelte müssen gedeckelt werden.") for n in range(3)
    ]
    suggestion = suggest_merge([point(4, CENTRE), *single, *popular])
    assert len(suggestion.sentences) == 1 + 5
    assert suggestion.sentences[1].text == "Die Netzentgelte müssen gedeckelt werden."
    assert suggestion.sentences[1].source_keys == (30, 31, 32)
    assert len(suggestion.left_out) == 3
    assert suggestion.dissent == ()  # "nicht auf Strom um" does not reject lower prices
    assert {s.text for s in suggestion.sentences[2:]} | {s.text for s in suggestion.left_out} == (
        set(ADDITIONS)
    )


# --- permissions ---------------------------------------------------------------------------


def test_supporters_are_counted_by_permission_and_internal_ones_are_never_quoted() -> None:
    points = [
        point(1, CENTRE, organisation=101, visibility=NAMED),
        point(2, "Die Strompreise für energieintensive Betriebe müssen sinken!", 102, ANONYMOUS),
        point(
            3,
            f"{CENTRE} Unser Werk in Hagen zahlt doppelt so viel wie in Frankreich.",
            103,
            INTERNAL,
        ),
        point(4, f"{CENTRE} Die Stromsteuer muss auf das EU-Minimum.", 104, NAMED),
        point(5, "Die Strompreise müssen sinken.", 104, INTERNAL),  # 104 counts once, named
    ]
    suggestion = suggest_merge(points)
    assert suggestion.supporters_named == (101, 104)
    assert suggestion.supporters_anonymous == 1
    assert suggestion.supporters_internal == 1
    assert (suggestion.supporters_public, suggestion.supporters_total) == (3, 4)
    assert "Hagen" not in suggestion.text
    [note] = suggestion.internal_notes
    assert note.text == "Unser Werk in Hagen zahlt doppelt so viel wie in Frankreich."
    assert note.source_keys == (3,)
    # Internal points may be listed as sources (for staff), never as the quoted wording.
    assert 3 in suggestion.sentences[0].source_keys
    assert suggestion.sentences[0].source_keys[0] != 3


def test_an_internal_point_is_never_the_medoid_even_when_it_is_the_most_typical() -> None:
    points = [
        point(1, CENTRE, visibility=INTERNAL),
        point(2, f"{CENTRE} Das ist für Schmieden existenziell.", visibility=ANONYMOUS),
        point(3, CENTRE, visibility=INTERNAL),
    ]
    suggestion = suggest_merge(points)
    assert suggestion.medoid_key == 2
    assert suggestion.sentences[0].source_keys[0] == 2


def test_a_cluster_of_internal_points_suggests_no_text() -> None:
    suggestion = suggest_merge([point(1, CENTRE, visibility=INTERNAL)])
    assert (suggestion.text, suggestion.sentences, suggestion.medoid_key) == ("", (), None)
    assert [note.text for note in suggestion.internal_notes] == [CENTRE]
    assert (suggestion.supporters_public, suggestion.supporters_internal) == (0, 1)


# --- dissent -------------------------------------------------------------------------------


def test_a_rejection_is_flagged_as_dissent_not_merged() -> None:
    points = [
        point(1, "Wir fordern einen Transformationsfonds."),
        point(2, "Einen Transformationsfonds lehnen wir ab.", visibility=ANONYMOUS),
    ]
    suggestion = suggest_merge(points)
    assert suggestion.text == "Wir fordern einen Transformationsfonds."
    assert not suggestion.demand_is_rejection
    [dissent] = suggestion.dissent
    assert (dissent.key, dissent.organisation_id) == (2, 2)
    assert dissent.rejecting == ("Einen Transformationsfonds lehnen wir ab.",)
    assert suggestion.supporters_named == (1,)
    assert suggestion.supporters_anonymous == 0


def test_when_most_members_reject_the_rejection_is_the_demand() -> None:
    points = [
        point(1, "Einen Industriestrompreis lehnen wir ab, er verzerrt den Wettbewerb."),
        point(2, "Wir sprechen uns gegen einen Industriestrompreis aus."),
        point(3, "Wir fordern einen Industriestrompreis."),
    ]
    suggestion = suggest_merge(points)
    assert suggestion.demand_is_rejection
    assert [dissent.key for dissent in suggestion.dissent] == [3]
    assert "fordern" not in suggestion.text
    assert suggestion.supporters_named == (1, 2)


def test_explaining_negations_are_no_dissent() -> None:
    points = [
        point(1, "Wir fordern einen Transformationsfonds."),
        point(2, "Ein Transformationsfonds ist nötig, weil Banken Zulieferern nicht helfen."),
        point(3, "Die Mittel des Transformationsfonds dürfen nicht gekürzt werden."),
    ]
    assert suggest_merge(points).dissent == ()


@pytest.mark.parametrize(
    ("sentence", "rejecting"),
    [
        ("Einen Transformationsfonds lehnen wir ab.", True),
        ("Einen Transformationsfonds lehnen wir entschieden ab.", True),
        ("Wir lehnen einen Transformationsfonds ab.", True),
        ("Die Ablehnung eines Industriestrompreises ist unsere Position.", True),
        ("Wir sprechen uns gegen einen Industriestrompreis aus.", True),
        ("Wir sind klar gegen neue Quoten.", True),
        ("Ein Transformationsfonds ist nicht notwendig.", True),
        ("Wir brauchen keinen Transformationsfonds.", True),
        ("Auf einen Industriestrompreis sollte verzichtet werden.", True),
        ("Statt eines Fonds brauchen wir Steuererleichterungen.", True),
        ("Wir halten einen Industriestrompreis für falsch.", True),
        ("Wir fordern einen Transformationsfonds.", False),
        ("Die Förderung darf nicht gekürzt werden.", False),
        ("Wir brauchen keine neuen Berichtspflichten.", False),
        ("Die Strompreise müssen sinken, damit Betriebe nicht abwandern.", False),
        ("Da viele Betriebe die Investitionen nicht stemmen können, muss der Bund helfen.", False),
        ("Nicht nur die Strompreise, sondern auch die Netzentgelte müssen sinken.", False),
        ("Maßnahmen gegen den Fachkräftemangel sind überfällig.", False),
        ("Zulieferer, die keine Kredite bekommen, brauchen Bürgschaften.", False),
        ("Genehmigungsverfahren dürfen nicht länger als sechs Monate dauern.", False),
        ("Eine Anlage darf nicht erst nach zwei Jahren genehmigt werden.", False),
    ],
)
def test_what_counts_as_a_rejection(sentence: str, rejecting: bool) -> None:
    assert rejects(sentence) is rejecting


@pytest.mark.parametrize(
    ("sentence", "negating"),
    [
        ("Einen Transformationsfonds lehnen wir ab.", True),
        ("Wir sprechen uns gegen einen Industriestrompreis aus.", True),
        ("Wir brauchen keinen Transformationsfonds.", True),
        ("Die Stromsteuer darf nicht gesenkt werden.", True),
        ("Wir fordern einen Transformationsfonds.", False),
        ("Die Förderung darf nicht gekürzt werden.", False),
        # A finding is no stance, and "statt" demands what it names first.
        ("Viele Betriebe haben keine Glasfaser.", False),
        ("Der Ausbau muss schneller gehen; viele Betriebe haben keine Glasfaser.", False),
        ("Netzbetreiber müssen Anschlüsse binnen Monaten statt Jahren bereitstellen.", False),
    ],
)
def test_what_negates_a_demand(sentence: str, negating: bool) -> None:
    assert negates(sentence) is negating


def test_main_clauses_leave_out_reasons_and_relative_clauses() -> None:
    sentence = "Der Bund muss die Strompreise senken, damit Betriebe bleiben, die hier fertigen."
    assert main_clauses(sentence) == ["der bund muss die strompreise senken"]


# --- bad input -----------------------------------------------------------------------------


def test_no_points_give_an_empty_suggestion() -> None:
    suggestion = suggest_merge([point(1, "   ")])
    assert (suggestion.text, suggestion.medoid_key, suggestion.supporters_total) == ("", None, 0)
    assert suggest_merge([]).text == ""


def test_a_campaign_of_ten_thousand_copies_is_one_sentence_with_every_source() -> None:
    points = [point(key, CENTRE, organisation=key % 400) for key in range(10_000)]
    suggestion = suggest_merge(points)
    [sentence] = suggestion.sentences
    assert len(sentence.source_keys) == 10_000
    assert suggestion.supporters_public == 400


def test_symbols_numbers_and_other_languages_are_handled() -> None:
    points = [
        point(1, "👍"),
        point(2, "2030"),
        point(3, "We demand lower energy prices."),
        point(4, CENTRE),
    ]
    suggestion = suggest_merge(points)
    assert CENTRE in suggestion.text
    assert "👍" not in suggestion.text


def test_an_extremely_long_point_is_quoted_only_in_part() -> None:
    long_point = " ".join(f"Satz {n} über Strompreise in Hagen." for n in range(2_000))
    suggestion = suggest_merge([point(1, long_point)])
    assert len(long_point) > 50_000
    assert 0 < len(suggestion.text) <= 2_000
    assert suggestion.left_out


# --- conflicts: points that name other figures or another addressee -----------------------

BRIDGE = "Wir fordern einen Brückenstrompreis für die Industrie bis 2030."


def test_a_point_naming_another_year_is_a_conflict_never_a_supporter() -> None:
    points = [
        point(1, BRIDGE),
        point(2, f"{BRIDGE} Er sollte bei 8 ct je kWh liegen.", visibility=ANONYMOUS),
        point(3, "Wir fordern einen Brückenstrompreis für die Industrie bis 2035."),
    ]
    suggestion = suggest_merge(points)
    assert suggestion.medoid_key == 1
    [conflict] = suggestion.conflicts
    assert (conflict.key, conflict.organisation_id, conflict.visibility) == (3, 3, NAMED)
    assert conflict.contradictions == (Contradiction(FIGURE, ("2035",), ("2030",)),)
    assert "2035" not in suggestion.text
    assert all(3 not in sentence.source_keys for sentence in suggestion.sentences)
    assert (suggestion.supporters_named, suggestion.supporters_anonymous) == ((1,), 1)
    assert suggestion.excluded_keys == frozenset({3})


def test_a_point_addressing_another_level_is_a_conflict() -> None:
    federal = "Der Bund muss die Förderprogramme für Zulieferer vereinfachen."
    points = [
        point(1, federal),
        point(2, f"{federal} Das gilt besonders für kleine Betriebe."),
        point(3, "Das Land muss die Förderprogramme für Zulieferer vereinfachen."),
    ]
    suggestion = suggest_merge(points)
    [conflict] = suggestion.conflicts
    assert conflict.key == 3
    assert conflict.contradictions == (Contradiction(ADDRESSEE, ("Land",), ("Bund",)),)
    assert suggestion.supporters_named == (1, 2)


def test_a_rejection_is_dissent_and_no_conflict() -> None:
    points = [
        point(1, "Wir fordern einen Transformationsfonds."),
        point(2, "Wir fordern einen Transformationsfonds!"),
        point(3, "Einen Transformationsfonds lehnen wir ab."),
    ]
    suggestion = suggest_merge(points)
    assert [dissent.key for dissent in suggestion.dissent] == [3]
    assert suggestion.conflicts == ()
    assert suggestion.excluded_keys == frozenset({3})


def test_leaving_a_figure_or_addressee_out_is_no_conflict() -> None:
    points = [
        point(1, BRIDGE),
        point(2, BRIDGE),
        point(3, "Die Industrie braucht einen Brückenstrompreis."),
        point(4, "Der Bund muss einen Brückenstrompreis für die Industrie einführen."),
    ]
    suggestion = suggest_merge(points)
    assert suggestion.conflicts == ()
    assert suggestion.supporters_named == (1, 2, 3, 4)


def test_figures_in_the_reasons_of_members_are_no_conflict() -> None:
    points = [
        point(1, f"{CENTRE} Unser Werk zahlt 20 Prozent mehr als 2020."),
        point(2, f"{CENTRE} Wir zahlen 30 Prozent mehr als 2021."),
        point(3, CENTRE),
    ]
    assert suggest_merge(points).conflicts == ()
