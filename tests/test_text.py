import unicodedata

import pytest

from positions.core.text import (
    fold,
    is_demand,
    normalize,
    normalize_all,
    shingles,
    split_points,
    split_sentences,
    stem,
    stems,
    text_hash,
    tokenize,
)

# --- normalising ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Straße", "Strasse"),
        ("Förderung", "Foerderung"),
        ("Übergang", "uebergang"),
        ("Ärger", "AERGER"),
        ("GROẞ", "gross"),
        (unicodedata.normalize("NFD", "Förderung"), "Förderung"),  # decomposed umlaut
        ("Café", "Cafe"),
        ("Der  Bund\tmuss\n vereinfachen!", "der bund muss vereinfachen"),
        ("„Förderprogramme“ – jetzt…", "foerderprogramme jetzt"),
        ("EU-Kommission", "EU Kommission"),
    ],
)
def test_spellings_that_differ_only_in_form_normalise_alike(left: str, right: str) -> None:
    assert normalize(left) == normalize(right)
    assert text_hash(left) == text_hash(right)


def test_normalised_text_is_folded_words_separated_by_single_spaces() -> None:
    assert normalize("  Die Straße, die Förderung: 2,5 Mio. € (ca.)!  ") == (
        "die strasse die foerderung 2 5 mio ca"
    )
    assert tokenize("Der Bund – und die Länder.") == ["der", "bund", "und", "die", "laender"]
    assert fold("Größe") == "groesse"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", ""), ("  \n\t ", ""), ("👍", "👍"), ("👍  🎉", "👍 🎉"), ("!!!", "!!!")],
)
def test_empty_and_symbol_only_texts(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_symbol_only_texts_stay_distinct() -> None:
    assert text_hash("👍") != text_hash("🎉")
    assert text_hash("👍") == text_hash(" 👍 ")


def test_normalize_all_gives_the_same_as_normalize() -> None:
    texts = [
        "Die Straße – „Förderung“! 1.000 € 2,5 %",
        "",
        "   ",
        "👍",
        "Café à la carte",
        "ÄÖÜ ß ẞ",
        "snake_case and-dashes",
        "Zeile\nzwei",
        "mit \x00 Nullzeichen",  # the bulk separator inside a text
        "Ελληνικά και кириллица",
    ]
    assert normalize_all(texts) == [normalize(text) for text in texts]
    ascii_only = [text for text in texts if "\x00" not in text and text.isascii()]
    assert normalize_all(ascii_only) == [normalize(text) for text in ascii_only]
    assert normalize_all([]) == []


def test_text_hash_is_sha256_of_the_normalised_text_and_stable() -> None:
    expected = "4ba0ca3841fdf6c0f4907b1f94a260829496b212d71730cb3dae111da82b0cd9"
    assert text_hash("Der Bund muss die Förderprogramme vereinfachen.") == expected
    assert text_hash("der bund muss die foerderprogramme vereinfachen") == expected
    assert text_hash("Das Land muss die Förderprogramme vereinfachen.") != expected


# --- stemming and shingles -----------------------------------------------------------------


def test_inflected_forms_and_spellings_share_a_stem() -> None:
    forms = ["Förderprogramme", "Förderprogramm", "Foerderprogrammen", "FÖRDERPROGRAMMS"]
    assert {stem(fold(form)) for form in forms} == {stem(fold("Förderprogramm"))}
    assert stem(fold("Straße")) == stem(fold("Strasse"))
    assert stems(tokenize("Betriebe Betrieben 2030")) == [stem("betriebe")] * 2 + ["2030"]


def test_different_words_keep_different_stems() -> None:
    assert stem(fold("Bund")) != stem(fold("Land"))
    assert stem(fold("Förderprogramme")) != stem(fold("Forschungsprogramme"))


def test_word_shingles() -> None:
    words = ["bund", "muss", "foerderung", "vereinfachen"]
    assert shingles(words) == ["bund muss", "muss foerderung", "foerderung vereinfachen"]
    assert shingles(words, 3) == ["bund muss foerderung", "muss foerderung vereinfachen"]
    assert shingles(words, 1) == words
    assert shingles(["bund"]) == ["bund"]
    assert shingles([]) == []
    with pytest.raises(ValueError, match="size"):
        shingles(words, 0)


# --- sentences -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Wir fordern z. B. eine Förderung von ca. 5 Mio. Euro.",
        "Das gilt gem. Art. 3 Abs. 2 Nr. 1 der Richtlinie, vgl. S. 4.",
        "Die Mittel fließen ab dem 1. Januar 2026 bzw. ab dem 3. Quartal.",
        "Der Antrag geht an Dr. Müller, d. h. an das Referat u. a. für Zulieferer.",
        "Das ist z.B. bei Kabelbäumen der Fall, d.h. bei Zulieferern.",
        "Die Förderung ist ggf. zu verlängern, etwa bis 2030 o. ä.",
    ],
)
def test_abbreviations_and_ordinals_do_not_end_a_sentence(sentence: str) -> None:
    assert split_sentences(sentence) == [sentence]


def test_sentences_end_at_full_stops_questions_and_exclamations() -> None:
    text = "Die Frist endet 2030. Danach? Das ist zu spät! Wir brauchen z. B. Planungssicherheit."
    assert split_sentences(text) == [
        "Die Frist endet 2030.",
        "Danach?",
        "Das ist zu spät!",
        "Wir brauchen z. B. Planungssicherheit.",
    ]
    assert split_sentences("") == []
    assert split_sentences("ohne Punkt am Ende") == ["ohne Punkt am Ende"]


@pytest.mark.parametrize(
    ("sentence", "demand"),
    [
        ("Der Bund muss die Stromsteuer senken.", True),
        ("Die Länder müssen mehr investieren.", True),
        ("Wir fordern eine Entlastung.", True),
        ("Die Förderung sollte digital sein.", True),
        ("Betriebe brauchen Planungssicherheit.", True),
        ("Eine Reform ist dringend notwendig.", True),
        ("Dafür ist eine Ausnahme erforderlich.", True),
        ("Das betrifft vor allem kleine Betriebe.", False),
        ("Die Förderprogramme sind zu kompliziert.", False),
    ],
)
def test_demand_sentences_are_recognised(sentence: str, demand: bool) -> None:
    assert is_demand(sentence) is demand


# --- points --------------------------------------------------------------------------------


def test_bullets_and_numbered_demands_become_points_without_their_markers() -> None:
    text = """Unsere Forderungen:

- Der Bund muss die Förderprogramme vereinfachen.
• Das Land sollte die Netzentgelte deckeln.
* Wasserstoff muss bereitstehen.
– Die Kommunen müssen schneller genehmigen.

1. Genehmigungen beschleunigen.
2) Bürokratie abbauen, z. B. bei Berichtspflichten.
a) Weiterbildung fördern.
- Netzentgelte senken
"""
    assert split_points(text) == [
        "Der Bund muss die Förderprogramme vereinfachen.",
        "Das Land sollte die Netzentgelte deckeln.",
        "Wasserstoff muss bereitstehen.",
        "Die Kommunen müssen schneller genehmigen.",
        "Genehmigungen beschleunigen.",
        "Bürokratie abbauen, z. B. bei Berichtspflichten.",
        "Weiterbildung fördern.",
        "Netzentgelte senken",
    ]


def test_paragraphs_are_points_and_wrapped_lines_are_joined() -> None:
    text = (
        "Die Strompreise belasten unsere Betriebe stark,\n"
        "weil sie im internationalen Vergleich\n"
        "hoch sind.\n"
        "\n"
        "Der Bund muss die Stromsteuer auf das europäische Mindestmaß senken."
    )
    assert split_points(text) == [
        "Die Strompreise belasten unsere Betriebe stark, weil sie im internationalen "
        "Vergleich hoch sind.",
        "Der Bund muss die Stromsteuer auf das europäische Mindestmaß senken.",
    ]


def test_a_wrapped_list_item_stays_one_point() -> None:
    text = "- Das Land sollte die Netzentgelte deckeln,\n  weil sonst Betriebe\n  abwandern."
    assert split_points(text) == [
        "Das Land sollte die Netzentgelte deckeln, weil sonst Betriebe abwandern."
    ]


def test_headings_and_intro_lines_are_dropped() -> None:
    text = """## Energie
Die Netzentgelte müssen sinken.

Fazit
Wir fordern verlässliche Förderung.

1. Einleitung

Wir fordern daher:
- Bürokratie abbauen!
"""
    assert split_points(text) == [
        "Die Netzentgelte müssen sinken.",
        "Wir fordern verlässliche Förderung.",
        "Bürokratie abbauen!",
    ]


def test_a_paragraph_with_several_demands_is_split_with_its_reasons() -> None:
    text = (
        "Die Strompreise sind zu hoch. Der Bund muss die Stromsteuer senken. Das betrifft "
        "vor allem kleine Betriebe, z. B. Gießereien. Zudem müssen die Netzentgelte sinken. "
        "Auch sollten die Förderprogramme ab dem 1. Januar 2027 digital sein."
    )
    assert split_points(text) == [
        "Die Strompreise sind zu hoch. Der Bund muss die Stromsteuer senken. Das betrifft "
        "vor allem kleine Betriebe, z. B. Gießereien.",
        "Zudem müssen die Netzentgelte sinken.",
        "Auch sollten die Förderprogramme ab dem 1. Januar 2027 digital sein.",
    ]


def test_a_paragraph_with_one_demand_stays_one_point() -> None:
    text = (
        "Viele Zulieferer stehen unter Druck. Der Bund muss die Förderprogramme vereinfachen, "
        "z. B. mit digitalen Anträgen. Das entlastet ca. 5.000 Betriebe in NRW."
    )
    assert split_points(text) == [text]


def test_a_date_at_the_start_of_a_line_is_not_a_list_marker() -> None:
    text = "Die Frist läuft bis zum\n1. Januar 2027 und muss verlängert werden."
    assert split_points(text) == [
        "Die Frist läuft bis zum 1. Januar 2027 und muss verlängert werden."
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t\n", "Unsere Forderungen:"])
def test_empty_text_has_no_points(text: str) -> None:
    assert split_points(text) == []


def test_splitting_is_deterministic_and_handles_windows_line_ends() -> None:
    text = "- Erstens muss der Bund handeln.\r\n- Zweitens muss das Land handeln.\r\n"
    assert (
        split_points(text)
        == split_points(text)
        == [
            "Erstens muss der Bund handeln.",
            "Zweitens muss das Land handeln.",
        ]
    )


def test_a_very_long_paragraph_is_split_quickly() -> None:
    sentence = "Der Bund muss z. B. die Förderung um ca. 5 Mio. Euro erhöhen. "
    points = split_points(sentence * 2_000)
    assert len(points) == 2_000
    assert points[0] == sentence.strip()
