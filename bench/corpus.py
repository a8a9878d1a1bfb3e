"""Synthetic German statement points in families of near-duplicates, for tests and benchmarks.

    python -m bench.corpus N [--seed S] [--dup-share 0.3] > corpus.jsonl

writes one JSON object per line, {"id", "org", "family", "text"}; `generate` returns the
same points as `CorpusPoint`s.

A point is a demand as a member writes it: an actor who is to act, what it is to do and why,
the products and the region it concerns, often a detail ("Der Bund muss die Netzentgelte für
energieintensive Standorte begrenzen, weil … Das betrifft vor allem Kabelbäume, Zahnräder und
Dichtungen im Raum Hagen."). A family is one demand sent by several members: the first copy
as drafted, the others with one to three small edits each, as campaigns and copied drafts
arrive: a word exchanged for a synonym, a typo, a filler ("aus unserer Sicht", "unbedingt"),
other punctuation or case, the reason clause moved to the front, and sometimes "Wir fordern: "
before it. Members of a family are distinct organisations. Different families are different
demands from the same vocabulary, so that shared words alone must not make two points
duplicates.

`dup_share` is the share of points that belong to a family of two or more (2 to 12 points);
the others are demands sent once. Points are shuffled and numbered in that order. The same
`n`, `seed` and `dup_share` give the same points on every run and machine.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TextIO


@dataclass(frozen=True)
class CorpusPoint:
    id: int
    org: str  # "Mitglied 042"; the members of one family are distinct organisations
    family: int  # points of one family are the same demand
    text: str


# --- vocabulary ----------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# (actor, is plural): the modal verb agrees with it.
ACTORS: tuple[tuple[str, bool], ...] = (
    ("Die Bundesregierung", False),
    ("Der Bund", False),
    ("Das Land NRW", False),
    ("Die Landesregierung", False),
    ("Die EU-Kommission", False),
    ("Der Gesetzgeber", False),
    ("Das Wirtschaftsministerium", False),
    ("Die Bundesnetzagentur", False),
    ("Die Kommunen", True),
    ("Die Förderbanken", True),
    ("Die Länder", True),
)
# (singular, plural, adverb after the actor)
MODALS: tuple[tuple[str, str, str], ...] = (
    ("muss", "müssen", ""),
    ("sollte", "sollten", ""),
    ("soll", "sollen", ""),
    ("muss", "müssen", "dringend"),
    ("sollte", "sollten", "zeitnah"),
    ("muss", "müssen", "endlich"),
)
ACTIONS = (
    "die Antragsverfahren für Förderprogramme im Mittelstand vereinfachen",
    "die Strompreise für energieintensive Betriebe im Mittelstand senken",
    "Weiterbildungsverbünde für Beschäftigte der Zulieferindustrie dauerhaft finanzieren",
    "Genehmigungsverfahren für neue Produktionsanlagen deutlich beschleunigen",
    "den Ausbau der Ladeinfrastruktur auf Betriebsgeländen fördern",
    "einen Transformationsfonds für Zulieferbetriebe auflegen",
    "Kurzarbeit in der Transformation mit Weiterbildung verbinden",
    "grünen Wasserstoff für die Industrie in ausreichender Menge bereitstellen",
    "doppelte Berichtspflichten für kleine Unternehmen streichen",
    "Betriebe bei der Absicherung ihrer IT gegen Cyberangriffe beraten",
    "die Zusammenarbeit von Hochschulen und Betrieben in Innovationsclustern stärken",
    "die Netzentgelte für energieintensive Standorte begrenzen",
    "regionale Kompetenzzentren für Leistungselektronik aufbauen",
    "Bürgschaften für Investitionen in neue Produkte ausweiten",
    "realistische Recyclingquoten für Batterierohstoffe festlegen",
    "die Anerkennung ausländischer Berufsabschlüsse beschleunigen",
    "Sonderabschreibungen für klimafreundliche Anlagen ermöglichen",
    "die regionalen Transformationsnetzwerke langfristig fortführen",
    "offene Datenräume für die Fahrzeugindustrie unterstützen",
    "öffentliche Aufträge an Klimakriterien binden",
    "Gewerbeflächen für Ansiedlungen schneller ausweisen",
    "die Ausbildung in Metall- und Elektroberufen attraktiver machen",
    "Lieferketten für Halbleiter in Europa absichern",
    "die Bahnanbindung von Industriegebieten verbessern",
    "die Förderung für Zulieferer beim Umstieg auf die Elektromobilität ausbauen",
)
REASONS = (
    "damit kleine und mittlere Betriebe den Wandel bewältigen",
    "weil sonst Arbeitsplätze in der Region verloren gehen",
    "um die Wettbewerbsfähigkeit des Standorts zu erhalten",
    "da viele Unternehmen diese Investitionen nicht allein tragen können",
    "damit Beschäftigte für neue Aufgaben qualifiziert werden",
    "weil sich die Lieferketten grundlegend verändern",
    "um Planungssicherheit für Investitionen zu schaffen",
    "da das Geschäft mit Teilen für Verbrennungsmotoren schrumpft",
    "weil die Betriebe sonst ins Ausland abwandern",
    "damit neue Produkte schneller auf den Markt kommen",
)
DETAILS = (
    "Die Erfahrungen aus den regionalen Dialogen sollten einfließen.",
    "Nach drei Jahren ist eine Evaluierung vorzusehen.",
    "Anträge sollten digital gestellt und binnen acht Wochen beschieden werden.",
    "Betroffen sind vor allem Betriebe mit weniger als 250 Beschäftigten.",
    "Die Mittel müssen mindestens bis 2030 gesichert sein.",
    "Ein fester Ansprechpartner im Ministerium würde die Umsetzung erleichtern.",
    "",
    "",
)
PRODUCTS = _words(
    """
    Kabelbäume Getriebeteile Kolbenringe Einspritzdüsen Bremsscheiben Bremssättel Sitzgestelle
    Leichtbauprofile Druckgussteile Steuergeräte Sensormodule Batteriegehäuse Kühlmodule
    Schmiedeteile Zahnräder Dichtungen Stanzteile Spritzgussteile Lackieranlagen Prüfstände
    Werkzeuge Gussteile Federn Schrauben Muttern Nieten Kaltfließpressteile Drehteile
    Abgasanlagen Turbolader Ölpumpen Wasserpumpen Scheinwerfer Rückleuchten Innenraumteile
    Türmodule Fensterheber Lenksäulen Achsträger Radlager Stoßdämpfer Kraftstofftanks
    Wärmetauscher Ladegeräte Wechselrichter Elektromotoren Statorbleche Rotorwellen
    Kupferdrähte Magnete Aluminiumräder Karosserieteile Steckverbinder Leiterplatten
    """
)
PLACES = _words(
    """
    Wuppertal Solingen Remscheid Velbert Hagen Lüdenscheid Iserlohn Siegen Olpe Bochum
    Dortmund Essen Duisburg Köln Aachen Düren Bielefeld Paderborn Gütersloh Münster Krefeld
    Mönchengladbach Gummersbach Witten Hamm Soest Arnsberg Menden Plettenberg Attendorn
    Meinerzhagen Heiligenhaus Bergkamen Leverkusen Neuss
    """
)
AFFECTED = (
    "Das betrifft vor allem {products} im Raum {place}.",
    "Betroffen sind insbesondere Zulieferer für {products} in {place}.",
)

# --- edits ---------------------------------------------------------------------------------

FILLERS = (
    "aus unserer Sicht",
    "nach unserer Auffassung",
    "unbedingt",
    "ausdrücklich",
    "insbesondere",
    "auf jeden Fall",
    "schnellstmöglich",
)
_PAIRS = (
    ("muss", "sollte"),
    ("müssen", "sollten"),
    ("Betriebe", "Unternehmen"),
    ("fördern", "unterstützen"),
    ("dauerhaft", "langfristig"),
    ("schneller", "zügiger"),
    ("erhalten", "sichern"),
    ("Beschäftigte", "Mitarbeitende"),
    ("deutlich", "spürbar"),
)
SYNONYMS = {a: b for a, b in _PAIRS} | {b: a for a, b in _PAIRS}
MODAL_FORMS = frozenset(form for singular, plural, _adverb in MODALS for form in (singular, plural))
EDITS = ("synonym", "typo", "filler", "punctuation", "case", "clause order")
PREFIX = "Wir fordern: "
PREFIX_SHARE = 0.3
FAMILY_SIZES = (2, 12)
MEMBERS = 400
TYPO_MIN_LETTERS = 5


@dataclass(frozen=True)
class Demand:
    """What one family demands; `text` words it as drafted or with the reason first."""

    actor: str
    plural: bool
    modal: tuple[str, str, str]
    action: str
    reason: str
    affected: str
    detail: str

    def text(self, *, reason_first: bool = False) -> str:
        singular, plural, adverb = self.modal
        verb = plural if self.plural else singular
        rest = " ".join(part for part in (adverb, self.action) if part)
        if reason_first:
            actor = self.actor[0].lower() + self.actor[1:]  # "Die Kommunen" -> "die Kommunen"
            reason = self.reason[0].upper() + self.reason[1:]
            sentence = f"{reason}, {verb} {actor} {rest}."
        else:
            sentence = f"{self.actor} {verb} {rest}, {self.reason}."
        return " ".join(part for part in (sentence, self.affected, self.detail) if part)


def draft(rng: random.Random) -> Demand:
    """A demand with actor, action, reason, three affected products, a place, a detail."""
    actor, plural = rng.choice(ACTORS)
    first, second, third = rng.sample(PRODUCTS, 3)
    affected = rng.choice(AFFECTED).format(
        products=f"{first}, {second} und {third}", place=rng.choice(PLACES)
    )
    return Demand(
        actor=actor,
        plural=plural,
        modal=rng.choice(MODALS),
        action=rng.choice(ACTIONS),
        reason=rng.choice(REASONS),
        affected=affected,
        detail=rng.choice(DETAILS),
    )


def edited(demand: Demand, rng: random.Random) -> str:
    """The demand as another member sends it: one to three small edits."""
    edits = [rng.choice(EDITS) for _ in range(rng.randint(1, 3))]
    words = demand.text(reason_first="clause order" in edits).split()
    for edit in edits:
        if edit == "synonym":
            _exchange_synonym(words, rng)
        elif edit == "typo":
            _typo(words, rng)
        elif edit == "filler":
            _filler(words, rng)
        elif edit == "punctuation":
            _punctuation(words, rng)
        elif edit == "case":
            at = rng.randrange(len(words))
            words[at] = words[at].upper() if rng.random() < 0.2 else words[at].lower()
    text = " ".join(words)
    return PREFIX + text if rng.random() < PREFIX_SHARE else text


def _core(word: str) -> tuple[str, str, str]:
    """A word split into leading punctuation, the word, trailing punctuation."""
    start, end = 0, len(word)
    while start < end and not word[start].isalnum():
        start += 1
    while end > start and not word[end - 1].isalnum():
        end -= 1
    return word[:start], word[start:end], word[end:]


def _exchange_synonym(words: list[str], rng: random.Random) -> None:
    candidates = [i for i, word in enumerate(words) if _core(word)[1] in SYNONYMS]
    if not candidates:  # nothing to exchange: the member adds a filler instead
        _filler(words, rng)
        return
    at = rng.choice(candidates)
    before, core, after = _core(words[at])
    words[at] = before + SYNONYMS[core] + after


def _filler(words: list[str], rng: random.Random) -> None:
    """A filler after the first modal verb ("muss unbedingt"), now and then anywhere."""
    modal = next((i for i, word in enumerate(words) if word in MODAL_FORMS), None)
    at = modal + 1 if modal is not None and rng.random() < 0.7 else rng.randrange(len(words) + 1)
    words.insert(at, rng.choice(FILLERS))


def _typo(words: list[str], rng: random.Random) -> None:
    """Two neighbouring letters swapped, a letter dropped or doubled, in a word of letters."""
    candidates = [
        i
        for i, word in enumerate(words)
        if len(_core(word)[1]) >= TYPO_MIN_LETTERS and _core(word)[1].isalpha()
    ]
    if not candidates:
        return
    at = rng.choice(candidates)
    before, core, after = _core(words[at])
    letters = list(core)
    k = rng.randrange(1, len(letters) - 1)  # the first letter is rarely mistyped
    kind = rng.random()
    if kind < 0.5:
        letters[k], letters[k + 1] = letters[k + 1], letters[k]
    elif kind < 0.75:
        del letters[k]
    else:
        letters.insert(k, letters[k])
    words[at] = before + "".join(letters) + after


def _punctuation(words: list[str], rng: random.Random) -> None:
    commas = [i for i, word in enumerate(words) if word.endswith(",")]
    if commas and rng.random() < 0.5:
        at = rng.choice(commas)
        words[at] = words[at][:-1]
    elif words[-1].endswith("."):
        words[-1] = words[-1][:-1] + rng.choice(("!", "", " !"))


# --- the corpus ----------------------------------------------------------------------------


def generate(n: int, *, seed: int, dup_share: float = 0.3) -> list[CorpusPoint]:
    """`n` points, of which about `dup_share` belong to families of two or more."""
    if n < 0:
        raise ValueError("n must not be negative")
    if not 0.0 <= dup_share <= 1.0:
        raise ValueError("dup_share must be in [0, 1]")
    rng = random.Random(seed)
    duplicates_left = round(n * dup_share)
    drafted: set[str] = set()
    families: list[list[str]] = []
    points = 0
    while points < n:
        demand = draft(rng)
        text = demand.text()
        if text in drafted:
            continue
        drafted.add(text)
        size = 1
        if duplicates_left >= FAMILY_SIZES[0]:
            size = min(rng.randint(*FAMILY_SIZES), duplicates_left)
            if duplicates_left - size == 1:
                size += 1 if size < FAMILY_SIZES[1] else -1  # never leave a family of one
            duplicates_left -= size
        size = min(size, n - points)
        families.append([text, *(edited(demand, rng) for _ in range(size - 1))])
        points += size

    rows = [
        (family, text, member)
        for family, texts in enumerate(families)
        for text, member in zip(texts, rng.sample(range(1, MEMBERS), len(texts)), strict=True)
    ]
    rng.shuffle(rows)
    return [
        CorpusPoint(id=number, org=f"Mitglied {member:03d}", family=family, text=text)
        for number, (family, text, member) in enumerate(rows)
    ]


def write_jsonl(points: Iterable[CorpusPoint], out: TextIO) -> None:
    for point in points:
        out.write(json.dumps(asdict(point), ensure_ascii=False) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__)
    parser.add_argument("n", type=int, help="number of points")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--dup-share",
        type=float,
        default=0.3,
        help="share of points that belong to a family of two or more",
    )
    args = parser.parse_args(argv)
    write_jsonl(generate(args.n, seed=args.seed, dup_share=args.dup_share), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
