"""The Synopse diff: paragraphs matched by id, moves told apart from shifts, word-level pieces
that give both texts back exactly, and matching by text for documents without ids."""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import replace
from datetime import date

import pytest

from positions.core.errors import InvalidInput
from positions.papers.diffing import (
    Piece,
    Version,
    VersionParagraph,
    VersionSection,
    compare_versions,
    diff_words,
    kept_in_order,
    match_by_similarity,
    moved_ids,
    new_text,
    old_text,
    tokens,
)

P = VersionParagraph


def version(label: str, *paragraphs: VersionParagraph) -> Version:
    return Version(label, date(2026, 11, 25), paragraphs)


OLD = version(
    "Version 2",
    P(1, "Ausgangslage", "Die Zulieferindustrie beschäftigt 200.000 Menschen."),
    P(2, "Ausgangslage", "Viele Unternehmen investieren schon in neue Produkte."),
    P(3, "Ausgangslage", "Dieser Absatz ist überholt."),
    P(4, "Ausgangslage", "Regionale Netzwerke haben sich bewährt."),
    P(5, "Energie", "Die Strompreise sind zu hoch.", is_core_demand=True),
    P(6, "Energie", "Netzentgelte sollten sinken."),
    P(7, "Fachkräfte", "Qualifizierung muss im Betrieb stattfinden."),
    P(8, "Fachkräfte", "Weiterbildung braucht Förderung."),
    P(10, "Fachkräfte", "Meisterkurse stärken."),
)
NEW = version(
    "Version 3",
    P(1, "Ausgangslage", "Die Zulieferindustrie beschäftigt 200.000 Menschen."),
    P(2, "Ausgangslage", "Viele Unternehmen investieren bereits in neue Produkte."),
    P(5, "Energie", "Die Strompreise sind zu hoch."),
    P(9, "Energie", "Ein Industriestrompreis schafft Planungssicherheit."),
    P(6, "Energie", "Netzentgelte sollten sinken."),
    P(8, "Fachkräfte", "Weiterbildung braucht Förderung."),
    P(10, "Fachkräfte", "Meisterkurse stärken."),
    P(7, "Fachkräfte", "Qualifizierung muss im Betrieb stattfinden."),
    P(4, "Fachkräfte", "Regionale Netzwerke haben sich sehr bewährt."),
)


def test_rows_follow_the_new_order_with_deletions_where_they_stood() -> None:
    synopsis = compare_versions(OLD, NEW)
    assert [(row.kind, row.paragraph_id) for row in synopsis.rows] == [
        ("unchanged", 1),
        ("changed", 2),
        ("deleted", 3),
        ("changed", 5),
        ("added", 9),
        ("unchanged", 6),
        ("unchanged", 8),
        ("unchanged", 10),
        ("moved", 7),
        ("moved", 4),
    ]
    assert synopsis.counts() == {
        "unchanged": 4,
        "changed": 2,
        "moved": 2,
        "added": 1,
        "deleted": 1,
    }
    assert synopsis.summary() == "2 geändert, 2 verschoben, 1 neu, 1 gestrichen, 4 unverändert"


def test_moved_paragraphs_say_from_where_and_keep_their_word_changes() -> None:
    rows = {row.paragraph_id: row for row in compare_versions(OLD, NEW).rows}
    across = rows[4]
    assert across.remarks == ("verschoben aus „Ausgangslage“",)
    assert across.text_changed
    assert [p for p in across.pieces if p.op != "equal"] == [Piece("sehr ", "insert")]
    within = rows[7]
    assert within.remarks == ("verschoben innerhalb des Abschnitts",)
    assert not within.text_changed
    assert rows[8].kind == rows[10].kind == "unchanged"  # 7 moved past them, not they


def test_flags_count_as_changes_and_unchanged_rows_can_fold() -> None:
    rows = {row.paragraph_id: row for row in compare_versions(OLD, NEW).rows}
    assert rows[5].kind == "changed"
    assert not rows[5].text_changed
    assert rows[5].remarks == ("nicht mehr Kernforderung",)
    assert rows[1].collapsible and not rows[2].collapsible
    assert rows[9].pieces == (
        Piece("Ein Industriestrompreis schafft Planungssicherheit.", "insert"),
    )
    assert rows[3].pieces == (Piece("Dieser Absatz ist überholt.", "delete"),)


def test_inserting_or_deleting_paragraphs_moves_nothing() -> None:
    old = version("a", *(P(i, "A", f"Absatz {i}") for i in range(1, 8)))
    new = version("b", P(0, "A", "neu vorn"), *(p for p in old.paragraphs if p.id not in (3, 5)))
    kinds = {row.paragraph_id: row.kind for row in compare_versions(old, new).rows}
    assert kinds == {
        0: "added",
        1: "unchanged",
        2: "unchanged",
        3: "deleted",
        4: "unchanged",
        5: "deleted",
        6: "unchanged",
        7: "unchanged",
    }


def test_a_deleted_first_paragraph_of_a_section_stays_in_that_section() -> None:
    old = version("a", P(1, "A", "a1"), P(2, "B", "b1 weg"), P(3, "B", "b2"))
    new = version("b", P(1, "A", "a1"), P(3, "B", "b2"))
    rows = compare_versions(old, new).rows
    assert [(r.kind, r.paragraph_id, r.section) for r in rows] == [
        ("unchanged", 1, "A"),
        ("deleted", 2, "B"),
        ("unchanged", 3, "B"),
    ]


@pytest.mark.parametrize(
    ("section_id", "kind"), [(None, "moved"), (10, "unchanged")], ids=["by-title", "by-id"]
)
def test_renaming_a_section_moves_nothing_when_sections_have_ids(
    section_id: int | None, kind: str
) -> None:
    old = version("a", P(1, "Energie", "Text", section_id=section_id))
    new = version("b", P(1, "Energie und Standort", "Text", section_id=section_id))
    (row,) = compare_versions(old, new).rows
    assert row.kind == kind


def test_headings_are_compared_by_section() -> None:
    """Renamed, moved, added and deleted headings; a deleted one after the heading that it
    followed."""
    old = version(
        "a",
        P(1, "Lage", "a", section_id=1),
        P(2, "Alt", "b", section_id=2),
        P(3, "Energie", "c", section_id=3),
        P(4, "Steuern", "d", section_id=4),
    )
    new = version(
        "b",
        P(4, "Steuern", "d", section_id=4),
        P(1, "Ausgangslage", "a", section_id=1),
        P(3, "Energie", "c", section_id=3),
        P(5, "Neu", "e", section_id=5),
    )
    changes = [(c.kind, c.old, c.new) for c in compare_versions(old, new).sections]
    assert changes == [
        ("moved", "Steuern", "Steuern"),
        ("changed", "Lage", "Ausgangslage"),
        ("deleted", "Alt", None),
        ("unchanged", "Energie", "Energie"),
        ("added", None, "Neu"),
    ]
    renamed = compare_versions(old, new).section(1)
    assert renamed is not None and renamed.renamed
    assert [p for p in renamed.pieces if p.op != "equal"] == [
        Piece("Lage", "delete"),
        Piece("Ausgangslage", "insert"),
    ]


def test_a_version_may_name_its_sections_so_an_empty_one_counts_too() -> None:
    old = Version("a", date(2026, 1, 1), [P(1, "A", "x", section_id=1)], [VersionSection(1, "A")])
    new = Version(
        "b",
        date(2026, 1, 2),
        [P(1, "A", "x", section_id=1)],
        [VersionSection(1, "A"), VersionSection(2, "Noch leer", parent_key=1)],
    )
    assert old.headings() == [VersionSection(1, "A")]
    assert [(c.kind, c.new) for c in compare_versions(old, new).sections] == [
        ("unchanged", "A"),
        ("added", "Noch leer"),
    ]


def test_the_kernforderungen_box_is_compared_entry_by_entry() -> None:
    """Its entries follow the paragraphs: a short form when a version keeps one, else the
    whole text."""
    old = version(
        "a",
        P(1, "A", "Lang eins.", is_core_demand=True, short_form="Eins."),
        P(2, "A", "Zwei.", is_core_demand=True),
        P(3, "A", "Drei.", is_core_demand=True),
        P(4, "A", "Vier."),
        P(5, "A", "Fünf.", is_core_demand=True),
    )
    new = version(
        "b",
        P(2, "A", "Zwei.", is_core_demand=True),
        P(5, "A", "Fünf.", is_core_demand=True),
        P(1, "A", "Lang eins.", is_core_demand=True, short_form="Eins, kürzer."),
        P(4, "A", "Vier.", is_core_demand=True),
    )
    box = compare_versions(old, new).box
    assert [(row.kind, row.paragraph_id) for row in box] == [
        ("unchanged", 2),
        ("deleted", 3),
        ("unchanged", 5),
        ("moved", 1),
        ("added", 4),
    ]
    assert [p for p in box[3].pieces if p.op != "equal"] == [Piece(", kürzer", "insert")]
    assert all(row.remarks == () for row in box)


def test_kept_in_order_prefers_the_heavier_keys() -> None:
    """A heading (weight 1) gives way to two paragraphs (weight 1000) that keep their order."""
    old, new = ["H", "p1", "p2"], ["p1", "p2", "H"]
    assert kept_in_order(old, new) == {"p1", "p2"}
    assert kept_in_order(["p", "H1", "H2"], ["H1", "H2", "p"]) == {"H1", "H2"}
    heavy = {"p": 1000, "H1": 1, "H2": 1}
    assert kept_in_order(["p", "H1", "H2"], ["H1", "H2", "p"], weight=heavy.__getitem__) == {"p"}
    assert kept_in_order([], ["x"]) == set()


def test_a_version_listing_a_paragraph_twice_is_refused() -> None:
    broken = version("Version 4", P(1, "A", "x"), P(1, "A", "y"))
    with pytest.raises(InvalidInput, match="mehrfach"):
        compare_versions(OLD, broken)


def test_moved_ids_keep_the_longest_run_in_order() -> None:
    assert moved_ids([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]) == set()
    assert moved_ids([1, 2, 3, 4, 5], [5, 1, 2, 3, 4]) == {5}
    assert moved_ids([1, 2, 3, 4, 5], [2, 1, 3, 4, 5]) in ({1}, {2})
    assert len(moved_ids([1, 2, 3], [3, 9, 2, 1])) == 2  # 9 is new, not moved


# --- words ----------------------------------------------------------------------------------

TEXTS = [
    "",
    "Ein Satz.",
    "Zeile eins\nZeile zwei\twith tab,  doppelte  Leerzeichen …",
    "6,5 ct/kWh – §§ 24a ff. EnWG („Netzentgelte“)",
    "🚗⚡ مرحبا שלום Donaudampfschifffahrtsgesellschaft",
]


@pytest.mark.parametrize("text", TEXTS)
def test_tokens_give_the_text_back(text: str) -> None:
    assert "".join(tokens(text)) == text


@pytest.mark.parametrize("old", TEXTS)
@pytest.mark.parametrize("new", TEXTS)
def test_pieces_spell_both_texts_exactly(old: str, new: str) -> None:
    pieces = diff_words(old, new)
    assert old_text(pieces) == old
    assert new_text(pieces) == new
    assert all(piece.text for piece in pieces)
    # Deletion before insertion, and never two pieces of one kind in a row.
    for first, second in itertools.pairwise(pieces):
        assert first.op != second.op
        assert (first.op, second.op) != ("insert", "delete")


def test_changed_words_are_marked_word_by_word() -> None:
    pieces = diff_words(
        "Die Strompreise für die Industrie liegen deutlich über denen der Wettbewerber.",
        "Die Strompreise der Industrie liegen in Deutschland weit über denen der Wettbewerber.",
    )
    assert [(p.op, p.text) for p in pieces if p.op != "equal"] == [
        ("delete", "für die "),
        ("insert", "der "),
        ("delete", "deutlich"),
        ("insert", "in Deutschland weit"),
    ]


def test_a_rewritten_sentence_is_one_change_not_confetti() -> None:
    pieces = diff_words("Ein alter Satz und so weiter.", "Völlig neuer Text und anders formuliert.")
    assert pieces == (
        Piece("Ein alter Satz und so weiter", "delete"),
        Piece("Völlig neuer Text und anders formuliert", "insert"),
        Piece(".", "equal"),
    )


# --- matching by text -----------------------------------------------------------------------


def test_similar_texts_find_their_paragraphs_whatever_their_order() -> None:
    old = list(OLD.paragraphs)
    texts = [
        "Weiterbildung braucht mehr Förderung.",
        "Die Zulieferindustrie beschäftigt rund 200.000 Menschen.",
        "Etwas völlig anderes, das niemand geschrieben hat.",
        "Die Strompreise sind viel zu hoch.",
    ]
    assert match_by_similarity(old, texts) == {0: 8, 1: 1, 3: 5}


def test_each_paragraph_is_used_once_and_position_breaks_ties() -> None:
    old = [P(1, "A", "Gleicher Text."), P(2, "A", "Anderes."), P(3, "A", "Gleicher Text.")]
    matches = match_by_similarity(old, ["Gleicher Text.", "Zwischen", "x", "Gleicher Text."])
    assert matches == {0: 1, 3: 3}


def test_empty_texts_never_match_and_the_second_reading_may_help() -> None:
    old = [P(1, "A", "…"), P(2, "A", "Die Netzentgelte müssen dauerhaft sinken.")]
    assert match_by_similarity(old, ["", "—"]) == {}
    assert match_by_similarity(old, ["Ganz neu formuliert."]) == {}
    also = ["Die Netzentgelte müssen dauerhaft sinken."]
    assert match_by_similarity(old, ["Ganz neu formuliert."], also=also) == {0: 2}


def test_five_hundred_paragraphs_match_quickly() -> None:
    rng = random.Random(7)
    words = [f"wort{i}" for i in range(3000)]
    old = [P(i, "A", " ".join(rng.sample(words, 25))) for i in range(500)]
    edited = [replace(p, text=p.text.replace(p.text.split()[3], "geändert")) for p in old]
    rng.shuffle(edited)
    started = time.perf_counter()
    matches = match_by_similarity(old, [p.text for p in edited])
    assert time.perf_counter() - started < 5
    assert matches == {i: p.id for i, p in enumerate(edited)}
