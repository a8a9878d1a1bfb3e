"""Near-duplicate points: the same demand sent by several members with small edits.

`group_near_duplicates(texts)` puts points that are the same demand into one `Group`: a
campaign text sent by many members, a copied draft, typos, an added filler ("aus unserer
Sicht", "unbedingt"), swapped clauses, other punctuation, case or umlaut spelling. Each group
names a `canonical` member, the wording the others co-sign. Pure functions over texts.

How two points are compared. First the frame a member wraps around a copied text is left
out (`core_text`): a greeting ("Sehr geehrte Damen und Herren, …"), the sender put before the
demand ("Als Gießerei mit 240 Beschäftigten in Lüdenscheid fordern wir, dass …" reads "Wir
fordern, dass …", as do "Die X GmbH fordert" and "Unser Unternehmen fordert"; "(so auch
unsere Stadt)", "wie uns in Südwestfalen"), sentences about the
sender that demand nothing ("Wir sind ein Zulieferer aus Hagen mit 85 Mitarbeitenden.", "Die
X GmbH unterstützt die Position des Verbands."), a short lead-in or headline before the
demand ("Entlastung jetzt:"), thanks, offers of contact and the closing with what follows it.
A colon ends a sentence as a full stop does. What is left is reduced to its content words:
folded (`positions.core.text.fold`), without function words, modal verbs ("muss" and
"sollte" make the same demand) and filler phrases (also the sender speaking of itself: "für
uns" / "für unser Unternehmen", "bei uns" / "in unserem Haus"), a compound written apart
joined where another point of the input writes it as one word ("Wasserstoff-Kernnetz" /
"Wasserstoffkernnetz"), stemmed, at most `MAX_WORDS` words, a few plain synonyms as one
("Betriebe" / "Unternehmen", "Beschäftigte" / "Mitarbeitende", "schneller" / "zügiger").
Words of five or more letters one typo apart (a letter added, dropped, changed, or two
swapped) count as one word; actors and the words of rule 2 only from eight letters on
("Landesregierng").
The score is the overlap of the two bags of content words, word order ignored: Dice, twice
the shared weight over the total weight, 0 … 1. Every word weighs 3, except in large inputs
words that many points share (boilerplate such as "Das betrifft …"): 2 if in more than 1/16 of
the points, 1 if in more than a quarter (and at least `COMMON_MIN_TEXTS` points either way).
Two points are duplicates when

1. the score is at least `threshold`,
2. they name the same public actors ("Bund", "Land", "EU-Kommission", "Kommunen", a
   ministry …), the same numbers ("2030", "80 Prozent", "zwei Jahre", "zur Hälfte"), the
   same number of negations ("nicht", "kein" …), the same measures ("senken" / "abschaffen"
   / "aussetzen", "beantworten" / "umsetzen", "befristet" / "unbefristet"), places ("an
   Autobahnen" / "in Gewerbegebieten", "im Sauerland" / "im Ruhrgebiet") and groups of
   companies ("KMU" or "kleine und mittlere" / "alle Unternehmen" / "Großunternehmen"), in
   the words of `positions.analysis.guards` (`look_alike_marker`; closed lists: a measure,
   place or group they do not know is only told apart by the score). "Bundesregierung" and
   "Bund", "EU-Kommission", "EU" and "europäische", "Landesregierung" and "Land", "NRW" and
   "Nordrhein-Westfalen" are one actor here; parliaments, ministries and agencies are
   actors of their own. And
3. the subject of each, the words before its modal verb ("Die Hochschulen müssen …"), is
   found in the other (to `SUBJECT_THRESHOLD`), so "Die Kammern müssen …" differs;
4. or, instead of rule 1, one is the other with whole sentences left out (a shortened copy):
   its content words are nearly all in the other (`CONTAINED_SHARE`), every one of its
   sentences is a sentence of the other (Dice at least `threshold`, at least
   `MIN_SENTENCE_WORDS` content words in all), and the sentences only the longer has demand
   nothing ("Das hat sich in der Krise bewährt."; not "Außerdem muss das Land …"). Rule 2
   holds for the sentences they share; the sentences left out may name figures, places or
   groups of their own ("Die Kosten sind seit 2021 um 40 Prozent gestiegen.", "Der
   Mittelstand geht leer aus."). In an input of up to `EXACT_MAX` distinct texts (a call)
   every pair is compared, so such copies are found; beyond, candidates need equal
   attributes for the whole texts (see below), and leaving that out cost twice the time and
   more memory than the 100k target allows.

Groups are the connected components of this relation, with exact duplicates (equal
`positions.core.text.text_hash`) added. Rule 2 holds along every edge for what the points
demand, so all members of a group demand with the same actors, numbers, measures, places and
groups: no point can bridge "bis 2030" and "bis 2035". Figures and places inside the frame
(the sender's 240 Beschäftigte) are not compared, since the frame is left out, nor those of
a reason sentence only a longer copy has (rule 4).

What `threshold` = 0.85 (the default) means, for points in a small input:

- merged: "Der Bund muss die Förderprogramme für Zulieferer vereinfachen." and "Aus unserer
  Sicht sollte der Bund die Förderprogamme für Zulieferer unbedingt vereinfachen!" (filler,
  modal, typo), "Die Förderprogramme für Zulieferer muss der Bund vereinfachen" (word order),
  "Wir fordern: Der Bund muss die Förderprogramme für mittelständische Zulieferer
  vereinfachen" (one word more: tolerated from three content words on, 6/7 ≈ 0.86);
- not merged: "Das Land muss die Förderprogramme für Zulieferer vereinfachen" (another
  actor), "… bis 2035 …" against "… bis 2030 …" (other numbers), "… muss die
  Förderprogramme nicht vereinfachen" (negation), "Der Bund muss die Stromsteuer abschaffen"
  against "… senken" (one word exchanged in three: 0.67), and a demand naming other products
  or places in more than one content word in seven ("Das betrifft vor allem Kabelbäume,
  Zahnräder und Dichtungen im Raum Hagen" against "… Sensormodule, Stanzteile und Dichtungen
  im Raum Siegen");
- not merged either: "… an Autobahnen …" against "… in Gewerbegebieten …", "… senken"
  against "… nicht erhöhen", "… für KMU …" against "… für alle Unternehmen …" (rule 2), and
  a place or group named in one only ("in den ländlichen Regionen" against "in den
  Regionen");
- one word exchanged is tolerated from seven content words on (6/7), two from fourteen.
  Higher thresholds merge less (0.95: hardly more than typos, fillers and word order); lower
  ones start to merge rewordings, which is the job of clustering, not of deduplication.

At scale, exact duplicates are collapsed first (10,000 copies of a campaign cost one
comparison). Up to `EXACT_MAX` distinct texts every pair is a candidate (about half a
million pairs, 0.2 s); beyond, candidate pairs come from MinHash-LSH over each point's set
of content stems (those that are not common): `BANDS` bands of `ROWS` seeded hashes,
computed as numpy matrices, and a pair is a candidate if it agrees in a whole band and has
equal rule-2 attributes. Sets with a Jaccard similarity of 0.74 (Dice 0.85) become
candidates with probability 0.87, of 0.8 with 0.98, of 0.9 with > 0.9999; unrelated points
sharing 40 % of their words with 0.03. `SHORT_BANDS` bands of `SHORT_ROWS` hashes more find
shortened copies (rule 4), whose sets overlap less: at a Jaccard similarity of 0.67 (one
sentence in three left out) a pair becomes a candidate with probability about 0.89 in all
(0.63 without them), unrelated points sharing 40 % of their words with about 0.1, which
costs time, not precision. Only candidates are scored (rapidfuzz `cpdist` over the pair
arrays). Campaign variants that fill one bucket beyond `MAX_BUCKET` are linked along a
window. Frames are looked for only in texts with a hint of one (" wir ", "unser", "dank",
"GmbH", a short first sentence), rule 4 is read sentence by sentence only for candidate
pairs that fail rule 1 and whose shorter side is nearly all in the longer. Time and memory
grow about linearly with the number of points. The same texts in the same order give the
same groups on every run and machine."""

from __future__ import annotations

import gc
import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

from positions.analysis.guards import NEGATIONS, is_actor, look_alike_marker, negates, number
from positions.core.text import (
    MODAL_VERBS,
    STOPWORDS,
    fold,
    is_demand,
    normalize,
    normalize_all,
    stem,
)

DEFAULT_THRESHOLD = 0.85
SUBJECT_THRESHOLD = 0.8
MAX_WORDS = 200  # words of one point that are compared; a 50,000-character point is cut
BANDS = 16
ROWS = 7
SHORT_BANDS = 8  # bands of SHORT_ROWS hashes more, for shortened copies
SHORT_ROWS = 5
SEED = 20_240_601  # fixed: the same texts give the same groups on every run and machine
MAX_BUCKET = 64  # larger LSH buckets are linked along a window instead of in all pairs
BUCKET_WINDOW = 8
TYPO_MIN_LENGTH = 5  # shorter words are never taken for typos of each other ("Bund", "Bunt")
MARKED_TYPO_MIN_LENGTH = 8  # actors and look-alike markers this long may be typos too
CONTAINED_SHARE = 0.95  # share of the shorter text's words the longer must hold (rule 4)
EXACT_MAX = 1000  # distinct texts compared in all pairs (half a million) instead of by LSH
MIN_SENTENCE_WORDS = 4  # content words a shared sentence needs to carry a containment

Progress = Callable[[float], None]
IntArray = NDArray[np.int64]


@dataclass
class Group:
    """Near-duplicate points: `members` are indices into the texts, ascending; `canonical`
    is the member whose wording the others co-sign."""

    members: list[int]
    canonical: int


# --- vocabulary ------------------------------------------------------------------------

# Phrases and words that introduce, hedge or stress a demand without changing it: a member
# who adds them sends the same demand.
_FILLER_PHRASES = [
    "wir fordern daher",
    "wir fordern deshalb",
    "wir fordern",
    "wir schlagen vor",
    "wir regen an",
    "aus unserer sicht",
    "aus sicht unseres unternehmens",
    "aus sicht der branche",
    "nach auffassung unseres unternehmens",
    "nach unserer auffassung",
    "nach unserer ansicht",
    "nach unserer einschätzung",
    "unseres erachtens",
    "unserer meinung nach",
    "wir sind der auffassung",
    "wir sind der meinung",
    "auf jeden fall",
    "in jedem fall",
    "vor allem",
    # The sender speaking of itself: "für uns" / "für unser Unternehmen", "bei uns" / "in
    # unserem Haus" are one copy.
    "für unser unternehmen",
    "für unseren betrieb",
    "in unserem unternehmen",
    "in unserem betrieb",
    "in unserem haus",
    "bei uns",
]
_FILLER_PHRASES_FOLDED = [fold(phrase).split() for phrase in _FILLER_PHRASES]


def _folded(words: str) -> frozenset[str]:
    return frozenset(fold(word) for word in words.split())


_FILLER_WORDS = _folded(
    """
    unbedingt insbesondere klar dringend zeitnah ausdrücklich zwingend grundsätzlich eindeutig
    natürlich selbstverständlich tatsächlich wirklich letztlich jedenfalls bitte endlich
    möglichst besonders nachdrücklich eindringlich daher deshalb inzwischen mittlerweile
    """
)
_IGNORED = STOPWORDS | MODAL_VERBS | _FILLER_WORDS

# Words members exchange in a copy without changing the demand ("Betriebe" / "Unternehmen"):
# one stem per group. Only plain synonyms; words whose stem another word shares ("fördern",
# "fordern") are left out.
_SYNONYM_GROUPS = (
    "unternehmen betriebe firmen firma",
    "beschäftigte mitarbeitende mitarbeiter arbeitnehmer",
    "schnell zügig rasch",
    "deutlich spürbar erheblich",
    "dauerhaft langfristig",
    "rechtzeitig fristgerecht",
)
_SYNONYM_STEM = {
    stem(fold(word)): stem(fold(group.split()[0]))
    for group in _SYNONYM_GROUPS
    for word in group.split()
}
_SUBJECT_END = MODAL_VERBS | _folded("fordern fordert brauchen braucht benötigen benötigt")
_SUBJECT_MAX_WORDS = 8  # a modal verb further in does not close a subject
_HAS_WORD = re.compile(r"[^\W_]")


# --- frame: what a member wraps around a campaign text ------------------------------------

# A member who copies a campaign text often wraps it: a greeting, "Als Gießerei mit 240
# Beschäftigten in Lüdenscheid fordern wir, dass …", a sentence about itself, "Wir schließen
# uns der Forderung des Verbands an", thanks and a closing. That frame is no part of the demand
# and is left out of the comparison (`core_text`); its own figures and places would otherwise
# keep the copy apart. Only texts with a hint of a frame are looked at closely.
# Words that hint at a frame, looked for in normalised text (" wir " but not the filler
# "wir fordern", " unser" but not "aus unserer sicht"); only texts with one are read closely.
_FRAME_HINTS = (
    " wir ",
    " uns ",
    " unser",
    " ich ",
    " mein",
    " geehrte",
    " lieb",
    "gruess",
    "dank",
    "rueckfragen",
    " gmbh ",
    " ag ",
    " kg ",
    " ohg ",
    " gruppe ",
)
_NO_FRAME = re.compile(
    r"\b(?:wir fordern(?: daher| deshalb)?|aus unserer sicht|nach unserer "
    r"(?:auffassung|ansicht|einschaetzung)|unserer meinung nach|unseres erachtens)\b"
)


def _has_frame_hint(normal: str) -> bool:
    padded = f" {normal} "
    if not any(hint in padded for hint in _FRAME_HINTS):
        return False
    padded = _NO_FRAME.sub(" ", padded)
    return any(hint in padded for hint in _FRAME_HINTS)


# A short first sentence, on the raw text; "Wir fordern:" is a filler, not a lead-in.
_LEAD_IN = re.compile(r"^(?![Ww]ir fordern)[^.!?:]{0,60}[.!?:]\s")
_GREETING = re.compile(r"^(?:sehr geehrte|liebe|hallo|guten tag)\b[^,.!:;]*[,!:;]?\s*")
_CLOSING = re.compile(
    r"\b(?:mit )?(?:freundlichen|vielen|besten|herzlichen|viele|beste)\s+gruessen?\b"
)
_COURTESY = re.compile(
    r"\b(?:vielen|herzlichen|besten) dank\b|\bwir danken\b|\bfuer rueckfragen\b"
    r"|\bzur verfuegung\b|\bsprechen sie uns\b"
)
_SUPPORT = re.compile(
    r"\b(?:unterstuetz\w*|teil\w*|schliess\w*|begruess\w*|trag\w*)\b[^.]{0,60}"
    r"\b(?:position\w*|forderung\w*|stellungnahme\w*|anliegen|verband\w*|kampagne|initiative)\b"
)
_FIRST_PERSON_START = re.compile(r"^(?:wir|unser\w*|ich|mein\w*|uns)\b|^als\b[^,]{0,150}\bwir\b")
_COMPANY = re.compile(r"\b(?:gmbh|ag|kg|ohg|e ?k)\b")
_STANCE_VERB = re.compile(r"\b(?:begruess|unterstuetz|befuerwort|lehn|kritisier|forder|bitt)\w*")
# "Als Gießerei … fordern wir, dass", "Wir als Betrieb … fordern", "Wir, die X GmbH, fordern",
# "Die X GmbH fordert", "Unser Unternehmen fordert": the sender before the demand.
_SENDER_PREFIX = re.compile(
    r"^(?:als\b[^.:;!?]{0,150}?\b(?P<a>fordern|bitten|appellieren|empfehlen)\s+wir\b"
    r"|wir\s*,?\s+als\b[^.:;!?]{0,150}?\b(?P<b>fordern|bitten|appellieren|empfehlen)\b"
    r"|wir\s*,[^,.:;]{0,100},\s*(?P<c>fordern|bitten|appellieren|empfehlen)\b"
    r"|[^,.:;!?]{0,100}\b(?:gmbh|ag|kg|ohg|se|gruppe)\s+(?P<d>fordert|bittet|appelliert)\b"
    r"|unser\w* (?:unternehmen|betrieb|haus|firma|werk) (?P<e>fordert|bittet|appelliert)\b)"
)
_VERB_OF_WE = {"fordert": "fordern", "bittet": "bitten", "appelliert": "appellieren"}
_SENDER_ASIDE = re.compile(
    r"\([^()]*\b(?:wir|uns|unser\w*)\b[^()]*\)"
    r"|\bwie (?:uns|unser\w*)(?: (?:in|im|aus|am) \w+)?"
)
_HEADLINE_MAX_WORDS = 5
_ANY_BREAK = re.compile(r"(?<=[.!?:])\s+")
_SENTENCE_BREAK = _ANY_BREAK
_FILLER_PATTERN = re.compile(
    r"\b(?:" + "|".join(" ".join(phrase) for phrase in _FILLER_PHRASES_FOLDED) + r")\b"
)


def _takes_stance(sentence: str) -> bool:
    """Whether a folded sentence demands, rejects or welcomes something."""
    return bool(is_demand(sentence) or negates(sentence) or _STANCE_VERB.search(sentence))


def _is_frame(sentence: str) -> bool:
    """Whether a folded sentence is frame rather than demand (see above)."""
    if _COURTESY.search(sentence) or _SUPPORT.search(sentence):
        return True
    if _takes_stance(sentence):
        return False
    return bool(_FIRST_PERSON_START.search(sentence) or _COMPANY.search(sentence))


def _raw_sentences(text: str) -> list[str]:
    """The sentences of a text, a colon ending one as a full stop does ("Die Lage ist
    ernst: das Land muss …" has two), so that either punctuation gives the same frame."""
    return [sentence for sentence in _ANY_BREAK.split(text.strip()) if sentence]


def core_text(text: str) -> str:
    """The text without its frame (greeting, sender, thanks, closing), folded; the whole text
    folded if nothing but frame is left. A colon before a capital counts as a full stop, so
    "Die Lage ist ernst: Das Land muss …" and "… ernst. Das Land muss …" read alike."""
    if not (_has_frame_hint(normalize(text)) or _LEAD_IN.match(text)):
        return fold(text)
    kept: list[str] = []
    for position, sentence in enumerate(_raw_sentences(text)):
        folded = fold(sentence)
        closing = _CLOSING.search(folded)
        if closing:  # the closing and whatever follows it (a signature)
            folded = folded[: closing.start()]
        if position == 0:
            folded = _GREETING.sub("", folded)
        words = folded.split()
        if position == 0 and len(words) <= _HEADLINE_MAX_WORDS and not _takes_stance(folded):
            folded = ""  # a lead-in before the demand ("Entlastung jetzt:"), or a headline
        folded = _SENDER_ASIDE.sub(" ", folded)
        prefix = _SENDER_PREFIX.match(folded)
        if prefix:
            verb = next(found for found in prefix.groups() if found)
            folded = f"wir {_VERB_OF_WE.get(verb, verb)}{folded[prefix.end() :]}"
        if folded.strip() and not _is_frame(folded):
            kept.append(folded.strip())
        if closing:
            break
    return " ".join(kept) if kept else fold(text)


# Names of one government that a copy may exchange ("Die Bundesregierung muss …" / "Der Bund
# muss …"); parliaments, ministries and agencies keep names of their own.
_ACTOR_ALIASES = {
    fold(word): name
    for name, words in (
        ("bund", "bund bundesregierung"),
        ("land", "land landesregierung"),
        # "EU-Richtlinie" / "europäische Richtlinie", "EU" / "Europäische Union"
        ("eu", "eu kommission union europäische europäischen europäischer europäisches"),
        ("nrw", "nrw nordrhein westfalen"),
    )
    for word in words.split()
}


def _stable_hash(value: str) -> int:
    """64 bits of BLAKE2b: unlike `hash()`, the same on every run and machine."""
    return int.from_bytes(hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest(), "little")


def _typo_canonical(words: list[str], counts: IntArray) -> IntArray:
    """For each word the index of the word it stands for: itself, or the most frequent word
    (then the alphabetically first) one typo away, found through shared one-letter deletions
    (SymSpell), so no pair of words is ever compared."""
    canonical = np.arange(len(words), dtype=np.int64)
    order = sorted(range(len(words)), key=lambda i: (-int(counts[i]), words[i]))
    owner: dict[str, int] = {}  # deletion key -> rank in `order` of the first word having it
    for rank, index in enumerate(order):
        word = words[index]
        if len(word) < TYPO_MIN_LENGTH or not word.isalpha():
            continue  # short words and numbers are never typos ("2030" is not "2035")
        if word in NEGATIONS or number(word) is not None:
            # Neither a typo nor typed wrongly: "keine" is not "kleine", "nicht" not "licht".
            continue
        keys = [word, *(word[:k] + word[k + 1 :] for k in range(len(word)))]
        protected = is_actor(word) or look_alike_marker(word) is not None
        if not protected or len(word) >= MARKED_TYPO_MIN_LENGTH:
            ranks = [owner[key] for key in keys if key in owner]
            if ranks:
                canonical[index] = order[min(ranks)]
                continue
        for key in keys:
            owner.setdefault(key, rank)
    return canonical


# --- features ----------------------------------------------------------------------------


@dataclass
class Features:
    """What the comparison uses of each distinct normalised text."""

    keys: list[str]  # content word ids as characters, sorted: Dice via rapidfuzz's ratio
    subjects: list[str]  # the same for the subject before the modal verb; "" if unknown
    attributes: NDArray[np.uint64]  # hash of (actors, numbers, negations); must be equal
    shingle_ids: IntArray  # per text its MinHash input, as ids into `shingle_hashes`
    shingle_starts: IntArray  # where each text's shingles start; empty texts have none
    shingle_hashes: NDArray[np.uint64]  # stable 64-bit hash per shingle id


def _as_characters(ids: IntArray) -> str:
    # One character per word id, from the supplementary planes (no surrogates), so that
    # rapidfuzz's character ratio is a word-level Dice coefficient.
    codes = (np.int64(0x10000) + ids % np.int64(0x100000)).astype("<u4")
    return codes.tobytes().decode("utf-32-le")


def _texts_of(parts: IntArray, starts: IntArray, count: int) -> list[str]:
    ends = np.append(starts[1:], len(parts))
    text = _as_characters(parts)
    return [text[a:b] for a, b in zip(starts[:count].tolist(), ends[:count].tolist(), strict=True)]


MAX_WEIGHT = 3
COMMON_MIN_TEXTS = 50  # a word is common only if this many texts have it, however few in all


def _weights(text_of: IntArray, stem_of: IntArray, stems: int, count: int) -> IntArray:
    """How much each stem counts: 1 if more than a quarter of the texts have it, 2 if more than
    a sixteenth, else 3; but always 3 for stems in fewer than `COMMON_MIN_TEXTS` texts, so
    in small inputs every word counts the same. (`text_of` ascending, stems sorted within.)"""
    fresh = np.ones(len(stem_of), dtype=bool)
    fresh[1:] = (stem_of[1:] != stem_of[:-1]) | (text_of[1:] != text_of[:-1])
    frequency = np.bincount(stem_of[fresh], minlength=stems)
    # 1 + log4(texts / texts with the stem), rounded down and capped.
    weights = 1 + np.floor(np.log2(count / np.maximum(frequency, 1)) / 2)
    weights[frequency < COMMON_MIN_TEXTS] = MAX_WEIGHT
    capped: IntArray = np.minimum(weights, MAX_WEIGHT).astype(np.int64)
    return capped


_SEPARATOR = "\x00"  # never inside a normalised text, which holds only words and spaces
_CHUNK = 8192  # texts split at once: big enough for speed, small enough for memory
_COMPOUND_PART = 4  # letters of each part of a compound written apart ("Wasserstoff-Kernnetz")


@dataclass
class _WordTable:
    """What each distinct word is, indexed by word id."""

    canonical: IntArray  # the word it stands for (itself, or the word it is a typo of)
    stem_id: IntArray  # its stem, as an index into `stem_hashes`
    ignored: NDArray[np.bool_]  # function word, modal verb or filler
    subject_end: NDArray[np.bool_]  # a modal verb or "fordern", which ends a subject
    negation: NDArray[np.bool_]
    marker: NDArray[np.uint64]  # stable hash of the actor or number it names, else 0
    stem_hashes: NDArray[np.uint64]  # stable hash of each stem


def _word_table(words: list[str], counts: IntArray) -> _WordTable:
    canonical = _typo_canonical(words, counts)
    stem_index: dict[str, int] = {}
    stem_id = np.empty(len(words), dtype=np.int64)
    ignored = np.zeros(len(words), dtype=bool)
    subject_end = np.zeros(len(words), dtype=bool)
    negation = np.zeros(len(words), dtype=bool)
    marker = np.zeros(len(words), dtype=np.uint64)
    for i, word in enumerate(words):
        ignored[i] = word in _IGNORED
        if canonical[i] == i:
            # Function words need no stem; typos take their word's stem below. The Snowball
            # stemmer is pure Python (~50 µs a word), so it runs on as few words as possible.
            word_stem = word if ignored[i] else stem(word)
            word_stem = _ACTOR_ALIASES.get(word, _SYNONYM_STEM.get(word_stem, word_stem))
            stem_id[i] = stem_index.setdefault(word_stem, len(stem_index))
        subject_end[i] = word in _SUBJECT_END
        negation[i] = word in NEGATIONS
        value = number(word)
        distinguishing = look_alike_marker(word)
        if value is not None:
            marker[i] = _stable_hash("number " + value)
        elif is_actor(word) or word in _ACTOR_ALIASES:
            marker[i] = _stable_hash("actor " + _ACTOR_ALIASES.get(word, word))
        elif distinguishing is not None:
            marker[i] = _stable_hash(distinguishing)
    # A typo stands for its word: it takes the word's marker ("Landesregierng").
    typos = np.flatnonzero((canonical != np.arange(len(words))) & (marker != 0))
    unmarked = typos[marker[canonical[typos]] == 0]
    marker[canonical[unmarked]] = marker[unmarked]
    stem_hashes = np.fromiter(
        (_stable_hash(s) for s in stem_index), dtype=np.uint64, count=len(stem_index)
    )
    return _WordTable(
        canonical=canonical,
        stem_id=stem_id[canonical],
        ignored=ignored,
        subject_end=subject_end,
        negation=negation,
        marker=marker,
        stem_hashes=stem_hashes,
    )


def _word_ids(normals: Sequence[str]) -> tuple[list[str], IntArray, IntArray]:
    """The distinct words of `normals`, and for every word occurrence its word id and its
    text, in order, with filler phrases removed and at most `MAX_WORDS` words per text."""
    index: dict[str, int] = {_SEPARATOR: 0}
    parts: list[IntArray] = []
    for first in range(0, len(normals), _CHUNK):
        # One split and one C-level map per chunk instead of a Python loop per word.
        tokens = f" {_SEPARATOR} ".join(normals[first : first + _CHUNK]).split()
        for word in dict.fromkeys(tokens):
            index.setdefault(word, len(index))
        parts.append(np.fromiter(map(index.__getitem__, tokens), dtype=np.int64))
        parts.append(np.zeros(1, dtype=np.int64))  # the separator between chunks
    ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    separator = ids == 0
    text_of = np.cumsum(separator)[~separator]
    ids = ids[~separator]
    keep = np.ones(len(ids), dtype=bool)
    for phrase in _FILLER_PHRASES_FOLDED:
        phrase_ids = [index.get(word, -1) for word in phrase]
        if -1 in phrase_ids:
            continue
        starts = np.flatnonzero(ids[: len(ids) - len(phrase) + 1] == phrase_ids[0])
        for offset, word_id in enumerate(phrase_ids[1:], start=1):
            follows = (ids[starts + offset] == word_id) & (
                text_of[starts + offset] == text_of[starts]
            )
            starts = starts[follows]
        for offset in range(len(phrase)):
            keep[starts + offset] = False
    ids, text_of = ids[keep], text_of[keep]
    ids, text_of = _compounds_joined(list(index), ids, text_of)
    position = np.arange(len(ids)) - np.searchsorted(text_of, text_of)
    keep = position < MAX_WORDS
    return list(index), ids[keep], text_of[keep]


def _compounds_joined(
    words: list[str], ids: IntArray, text_of: IntArray
) -> tuple[IntArray, IntArray]:
    """Two neighbouring words as the one compound another text of the input writes
    ("Wasserstoff-Kernnetz" and "Wasserstoffkernnetz"): only compounds the input itself
    has, so a spelling is joined, never a phrase guessed."""
    known = {word: word_id for word_id, word in enumerate(words)}
    joined: dict[int, int] = {}  # left id * len(words) + right id -> compound id
    width = len(words)
    for word_id, word in enumerate(words):
        if len(word) < 2 * _COMPOUND_PART or not word.isalpha():
            continue
        for cut in range(_COMPOUND_PART, len(word) - _COMPOUND_PART + 1):
            left, right = known.get(word[:cut]), known.get(word[cut:])
            if left is not None and right is not None:
                joined[left * width + right] = word_id
    if not joined or len(ids) < 2:
        return ids, text_of
    pairs = ids[:-1] * width + ids[1:]
    codes = np.fromiter(joined, dtype=np.int64, count=len(joined))
    starts = np.flatnonzero(np.isin(pairs, codes) & (text_of[:-1] == text_of[1:]))
    # A run of three ("a b c" with "ab" and "bc" known) joins its first pair only.
    if len(starts) > 1:
        starts = starts[np.concatenate(([True], np.diff(starts) > 1))]
    ids = ids.copy()
    ids[starts] = [joined[int(code)] for code in pairs[starts]]
    keep = np.ones(len(ids), dtype=bool)
    keep[starts + 1] = False
    return ids[keep], text_of[keep]


def _sorted_per_text(text_of: IntArray, values: IntArray) -> tuple[IntArray, IntArray]:
    """(text, value) pairs sorted by text, then value; `text_of` must be ascending."""
    scale = np.int64(values.max() + 1) if len(values) else np.int64(1)
    combined = np.sort(text_of * scale + values)  # one integer sort beats a lexsort
    return combined // scale, combined % scale


def _sum_per_text(text_of: IntArray, values: NDArray[np.uint64], count: int) -> NDArray[np.uint64]:
    """Per text the sum of its values modulo 2^64; `text_of` must be ascending."""
    sums = np.zeros(count, dtype=np.uint64)
    if len(text_of):
        texts, starts = np.unique(text_of, return_index=True)
        sums[texts] = np.add.reduceat(values, starts)
    return sums


def _features(normals: Sequence[str]) -> Features:
    """Features of normalised texts (see the module docstring for what is compared)."""
    count = len(normals)
    words, word_ids, text_of = _word_ids(normals)
    starts = np.searchsorted(text_of, np.arange(count))
    word_position = np.arange(len(word_ids), dtype=np.int64) - starts[text_of]

    table = _word_table(words, np.bincount(word_ids, minlength=len(words)))
    stem_id, word_ids = table.stem_id, table.canonical[word_ids]

    # Attributes: a set hash (sum of element hashes) of the markers (actors, numbers,
    # measures, places, groups), each once ("EU-Kommission" names the EU once), plus negations.
    marked = table.marker[word_ids] != 0
    marker_ids, marker_of = np.unique(table.marker[word_ids[marked]], return_inverse=True)
    kinds = np.int64(max(len(marker_ids), 1))
    combined = np.unique(text_of[marked] * kinds + marker_of)
    attributes = _sum_per_text(combined // kinds, marker_ids[combined % kinds], count)
    negations = np.bincount(text_of[table.negation[word_ids]], minlength=count).astype(np.uint64)
    attributes += negations * np.uint64(_stable_hash("negation") | 1)

    # Content words, sorted within each text; a text of nothing but function words ("Ja, das
    # ist so.") keeps them all.
    content = ~table.ignored[word_ids]
    has_content = np.bincount(text_of[content], minlength=count) > 0
    content |= ~has_content[text_of]
    content_text, content_stem = _sorted_per_text(text_of[content], stem_id[word_ids[content]])
    weights = _weights(content_text, content_stem, len(table.stem_hashes), count)
    weighted_text = np.repeat(content_text, weights[content_stem])
    weighted_stem = np.repeat(content_stem, weights[content_stem])
    keys = _texts_of(weighted_stem, np.searchsorted(weighted_text, np.arange(count)), count)

    # Subject: content words before a modal verb among the first words.
    ends = np.flatnonzero(table.subject_end[word_ids] & (word_position < _SUBJECT_MAX_WORDS))
    with_end, first = np.unique(text_of[ends], return_index=True)
    first_end = np.zeros(count, dtype=np.int64)
    first_end[with_end] = word_position[ends[first]]
    in_subject = content & (word_position < first_end[text_of])
    subject_text, subject_stem = _sorted_per_text(
        text_of[in_subject], stem_id[word_ids[in_subject]]
    )
    subjects = _texts_of(subject_stem, np.searchsorted(subject_text, np.arange(count)), count)

    # Shingles for MinHash: each text's distinct content stems that are not common (weight
    # above 1), since common ones weigh little in the score and would only make candidates.
    fresh = np.ones(len(content_stem), dtype=bool)
    fresh[1:] = (content_stem[1:] != content_stem[:-1]) | (content_text[1:] != content_text[:-1])
    distinct_text, distinct_stem = content_text[fresh], content_stem[fresh]
    rare = weights[distinct_stem] > 1
    has_rare = np.bincount(distinct_text[rare], minlength=count) > 0
    chosen = rare | ~has_rare[distinct_text]  # a text of common words only keeps them all
    return Features(
        keys=keys,
        subjects=subjects,
        attributes=attributes,
        shingle_ids=distinct_stem[chosen],
        shingle_starts=np.searchsorted(distinct_text[chosen], np.arange(count)).astype(np.int64),
        shingle_hashes=table.stem_hashes,
    )


# --- MinHash-LSH -------------------------------------------------------------------------


def _signatures(ids: IntArray, starts: IntArray, hashes: NDArray[np.uint64]) -> NDArray[np.uint32]:
    """MinHash signatures (`BANDS * ROWS` columns) of texts whose shingle ids start at
    `starts`; every text must have at least one shingle."""
    rng = np.random.default_rng(SEED)
    width = BANDS * ROWS
    multipliers = rng.integers(0, 2**63, size=width, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    offsets = rng.integers(0, 2**63, size=width, dtype=np.uint64)
    used, ids = np.unique(ids, return_inverse=True)
    # Multiply-shift hashing: the high 32 bits of a*x + b (mod 2^64) per seeded (a, b).
    table = ((hashes[used, None] * multipliers + offsets) >> np.uint64(32)).astype(np.uint32)
    signatures = np.empty((len(starts), width), dtype=np.uint32)
    chunk = 4096  # texts per step, so the gathered block stays a few MiB
    ends = np.append(starts[1:], len(ids))
    for first in range(0, len(starts), chunk):
        last = min(first + chunk, len(starts))
        lo, hi = starts[first], ends[last - 1]
        block = table[ids[lo:hi]]
        signatures[first:last] = np.minimum.reduceat(block, starts[first:last] - lo, axis=0)
    return signatures


def _pairs_in_buckets(keys: NDArray[np.uint64]) -> IntArray:
    """(i, j) rows, i < j, of texts with equal bucket keys; big buckets along a window."""
    order = np.argsort(keys)
    ordered = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    sizes = np.diff(np.append(starts, len(keys)))
    found: list[IntArray] = []
    for size in np.unique(sizes[sizes > 1]).tolist():
        first = starts[sizes == size]
        if size <= MAX_BUCKET:
            upper = np.triu_indices(size, k=1)
            members = order[first[:, None] + np.arange(size)]
            found.append(np.stack((members[:, upper[0]], members[:, upper[1]]), axis=-1))
        else:
            # A bucket this big is a campaign in many small variants: linking each text with
            # its next few is enough to connect them, and stays linear.
            for start in first.tolist():
                members = np.sort(order[start : start + size])
                for step in range(1, BUCKET_WINDOW + 1):
                    found.append(np.stack((members[:-step], members[step:]), axis=-1))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate([p.reshape(-1, 2) for p in found]).astype(np.int64)
    return np.sort(pairs, axis=1)


def _candidate_pairs(signatures: NDArray[np.uint32], attributes: NDArray[np.uint64]) -> IntArray:
    """Pairs (i < j) sharing a band; pairs with other attributes can never be duplicates, so
    the attributes are part of every band key."""
    rng = np.random.default_rng(SEED + 1)
    mixers = rng.integers(0, 2**63, size=ROWS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    found = []
    for band in range(BANDS):
        rows = signatures[:, band * ROWS : (band + 1) * ROWS].astype(np.uint64)
        keys = (rows * mixers).sum(axis=1, dtype=np.uint64) ^ attributes
        found.append(_pairs_in_buckets(keys))
    # Shorter bands, for shortened copies (rule 4), whose sets overlap less.
    width = BANDS * ROWS
    for band in range(SHORT_BANDS):
        columns = [(band * 13 + row * 37) % width for row in range(SHORT_ROWS)]
        rows = signatures[:, columns].astype(np.uint64)
        keys = (rows * mixers[:SHORT_ROWS]).sum(axis=1, dtype=np.uint64) ^ attributes
        found.append(_pairs_in_buckets(keys))
    pairs = np.concatenate(found)
    count = np.int64(len(signatures))
    unique = np.sort(pairs[:, 0] * count + pairs[:, 1])
    unique = unique[np.append(True, unique[1:] != unique[:-1])] if len(unique) else unique
    return np.stack((unique // count, unique % count), axis=-1)


# --- verifying and grouping --------------------------------------------------------------


def _scores(left: Sequence[str], right: Sequence[str], cutoff: float = 0.0) -> NDArray[np.float64]:
    """Word-level Dice of each (left, right) pair of `_as_characters` strings, 0 … 1."""
    if not len(left):
        return np.empty(0, dtype=np.float64)
    result = process.cpdist(
        left, right, scorer=fuzz.ratio, score_cutoff=cutoff * 100, dtype=np.float32, workers=-1
    )
    return np.asarray(result, dtype=np.float64) / 100


def _found_in(parts: Sequence[str], wholes: Sequence[str]) -> NDArray[np.float64]:
    """The share of each part's words that its whole contains (both sorted word strings)."""
    if not len(parts):
        return np.empty(0, dtype=np.float64)
    common = process.cpdist(parts, wholes, scorer=LCSseq.similarity, dtype=np.int32, workers=-1)
    lengths = np.fromiter((len(part) for part in parts), dtype=np.float64, count=len(parts))
    shares: NDArray[np.float64] = np.asarray(common, dtype=np.float64) / lengths
    return shares


def _verified(
    pairs: IntArray, features: Features, threshold: float
) -> tuple[IntArray, NDArray[np.float64]]:
    """The pairs that are duplicates (rules 1 to 3 of the module docstring), with scores."""
    attributes = features.attributes
    pairs = pairs[attributes[pairs[:, 0]] == attributes[pairs[:, 1]]]
    keys = np.array(features.keys, dtype=object)
    scores = _scores(keys[pairs[:, 0]].tolist(), keys[pairs[:, 1]].tolist(), threshold)
    keep = scores >= threshold
    pairs, scores = pairs[keep], scores[keep]
    # Rule 3: the subject of each point (if it has one) must be found in the other.
    subjects = np.array(features.subjects, dtype=object)
    keep = np.ones(len(pairs), dtype=bool)
    for this, other in ((0, 1), (1, 0)):
        has = subjects[pairs[:, this]] != ""
        found = _found_in(subjects[pairs[has, this]].tolist(), keys[pairs[has, other]].tolist())
        keep[np.flatnonzero(has)[found < SUBJECT_THRESHOLD]] = False
    return pairs[keep], scores[keep]


def _cores(texts: Sequence[str], representatives: list[int], normals: list[str]) -> list[str]:
    """Per representative its folded `core_text`, or "" if it has no frame to leave out;
    `normals` of texts with a frame are replaced by their cores, normalised, in place."""
    cores = [""] * len(representatives)
    for slot, index in enumerate(representatives):
        text = texts[index]
        if normals[slot] and (_has_frame_hint(normals[slot]) or _LEAD_IN.match(text)):
            core = core_text(text)
            cores[slot] = core
            normals[slot] = normalize(core) or normals[slot]
    return cores


Bag = dict[str, int]


@dataclass(frozen=True)
class _Sentence:
    """A sentence as rule 4 reads it: its folded text, content stems with their counts, and
    what rule 2 compares (markers and negations)."""

    text: str
    bag: Bag
    markers: frozenset[str]
    negations: int


def _marker_of(word: str) -> str | None:
    value = number(word)
    if value is not None:
        return "number " + value
    if is_actor(word):
        return "actor " + _ACTOR_ALIASES.get(word, word)
    return look_alike_marker(word)


def _sentence_bags(text: str, compounds: frozenset[str] = frozenset()) -> list[_Sentence]:
    """Each sentence of a folded text as rule 4 reads it; sentences of nothing but function
    words and fillers ("wir fordern:") are left out. Two neighbouring words that make one of
    `compounds` count as that word ("wasserstoff kernnetz")."""
    sentences = []
    for sentence in _SENTENCE_BREAK.split(text):
        bag: Bag = {}
        markers: set[str] = set()
        negations = 0
        words = _FILLER_PATTERN.sub(" ", normalize(sentence)).split()
        for word in _joined_where_known(words, compounds):
            negations += word in NEGATIONS
            marker = _marker_of(word)
            if marker is not None:
                markers.add(marker)
            if word not in _IGNORED:
                found = _ACTOR_ALIASES.get(word) or stem(word)
                found = _SYNONYM_STEM.get(found, found)
                bag[found] = bag.get(found, 0) + 1
        if bag:
            sentences.append(_Sentence(sentence, bag, frozenset(markers), negations))
    return sentences


def _joined_where_known(words: list[str], compounds: frozenset[str]) -> list[str]:
    if not compounds or len(words) < 2:
        return words
    joined: list[str] = []
    skip = False
    for word, following in zip(words, [*words[1:], ""], strict=True):
        if skip:
            skip = False
        elif following and word + following in compounds:
            joined.append(word + following)
            skip = True
        else:
            joined.append(word)
    return joined


def _dice(one: dict[str, int], other: dict[str, int]) -> float:
    shared = sum(min(count, other.get(word, 0)) for word, count in one.items())
    return 2 * shared / (sum(one.values()) + sum(other.values()))


def _sentences_contained(
    short: str,
    long: str,
    threshold: float,
    bags_of: Callable[[str, frozenset[str]], list[_Sentence]] = _sentence_bags,
) -> bool:
    """Rule 4 for two folded texts: every sentence of `short` is one of `long` (to
    `threshold`), the sentences matched name the same markers (rule 2), and what `long` says
    besides is no demand of its own (its figures and places there are reasons, not the
    demand). A compound one writes apart is one word, as in `_compounds_joined`."""
    compounds = frozenset(
        word
        for word in {*normalize(short).split(), *normalize(long).split()}
        if len(word) >= 2 * _COMPOUND_PART
    )
    longer = bags_of(long, compounds)
    if not longer:
        return False
    matched = [False] * len(longer)
    words = 0
    shorter = bags_of(short, compounds)
    for sentence in shorter:
        best = max(range(len(longer)), key=lambda i: _dice(sentence.bag, longer[i].bag))
        if _dice(sentence.bag, longer[best].bag) < threshold:
            return False
        matched[best] = True
        words += sum(sentence.bag.values())
    if words < MIN_SENTENCE_WORDS:
        return False
    used = [sentence for sentence, taken in zip(longer, matched, strict=True) if taken]
    if frozenset().union(*(s.markers for s in shorter)) != frozenset().union(
        *(s.markers for s in used)
    ) or sum(s.negations for s in shorter) != sum(s.negations for s in used):
        return False
    return not any(
        is_demand(sentence.text) or negates(sentence.text)
        for sentence, taken in zip(longer, matched, strict=True)
        if not taken
    )


def _contained(
    pairs: IntArray,
    features: Features,
    sentences_of: Callable[[int], str],
    threshold: float,
) -> IntArray:
    """Candidate pairs where one text is the other with whole sentences left out (rule 4):
    a shortened copy. Only pairs whose shorter side is nearly all found in the longer one
    are read sentence by sentence."""
    if not len(pairs):
        return pairs
    keys = np.array(features.keys, dtype=object)
    lengths = np.fromiter((len(key) for key in features.keys), dtype=np.int64)
    left_shorter = lengths[pairs[:, 0]] <= lengths[pairs[:, 1]]
    short = np.where(left_shorter, pairs[:, 0], pairs[:, 1])
    long = np.where(left_shorter, pairs[:, 1], pairs[:, 0])
    differ = lengths[short] < lengths[long]
    short, long, pairs = short[differ], long[differ], pairs[differ]
    found = _found_in(keys[short].tolist(), keys[long].tolist())
    chosen = np.flatnonzero(found >= CONTAINED_SHARE).tolist()
    texts: dict[int, str] = {}
    bags: dict[tuple[str, frozenset[str]], list[_Sentence]] = {}

    def bags_of(text: str, compounds: frozenset[str]) -> list[_Sentence]:
        if (text, compounds) not in bags:
            bags[text, compounds] = _sentence_bags(text, compounds)
        return bags[text, compounds]

    def sentences(slot: int) -> str:
        if slot not in texts:
            texts[slot] = sentences_of(slot)
        return texts[slot]

    def count(slot: int) -> int:
        return len(_SENTENCE_BREAK.findall(sentences(slot)))

    keep = [
        at
        for at in chosen
        # Whole sentences left out: the shorter has fewer of them.
        if count(int(short[at])) < count(int(long[at]))
        and _sentences_contained(
            sentences(int(short[at])), sentences(int(long[at])), threshold, bags_of
        )
    ]
    return pairs[keep]


def connected_components(count: int, edges: IntArray) -> IntArray:
    """A component label per node (its smallest node index), by min-label propagation with
    pointer jumping; the rounds grow with the logarithm of the component diameter."""
    labels = np.arange(count, dtype=np.int64)
    if not len(edges):
        return labels
    left, right = edges[:, 0], edges[:, 1]
    while True:
        low = np.minimum(labels[left], labels[right])
        before = labels.copy()
        np.minimum.at(labels, labels[left], low)
        np.minimum.at(labels, labels[right], low)
        while True:  # pointer jumping: every node points straight at its root
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if np.array_equal(labels, before):
            return labels


@contextmanager
def _collector_paused() -> Iterator[None]:
    # Millions of short-lived lists and strings would trigger the cyclic garbage collector
    # again and again (a third of the run time); nothing made here forms reference cycles.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def group_near_duplicates(
    texts: Sequence[str],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Progress | None = None,
) -> list[Group]:
    """Groups of two or more points that are the same demand (see the module docstring).

    Points without a duplicate, and empty or whitespace-only points, are left out. Groups are
    ordered by their first member. The canonical member is the most often sent wording; among
    equals the one closest to the others it was compared with, then the earliest.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold must be in (0, 1]")
    with _collector_paused():
        return group_with_candidates(texts, threshold, progress or (lambda _fraction: None))


def _lsh_candidates(features: Features, comparable: IntArray) -> IntArray:
    """Candidate pairs among the `comparable` texts (those with shingles), by MinHash-LSH;
    all pairs when there are at most `EXACT_MAX` (a call's statements: LSH finds a pair
    only with a probability, exact comparison is cheap here)."""
    if len(comparable) <= EXACT_MAX:
        first, second = np.triu_indices(len(comparable), k=1)
        return np.stack((comparable[first], comparable[second]), axis=-1)
    signatures = _signatures(
        features.shingle_ids, features.shingle_starts[comparable], features.shingle_hashes
    )
    return comparable[_candidate_pairs(signatures, features.attributes[comparable])]


Candidates = Callable[[Features, IntArray], IntArray]


def group_with_candidates(
    texts: Sequence[str],
    threshold: float,
    report: Progress,
    candidates: Candidates = _lsh_candidates,
) -> list[Group]:
    """`group_near_duplicates` with the candidate pairs that `candidates` finds (MinHash-LSH by
    default), without checking `threshold`; the benchmark passes every pair to compare."""
    report(0.0)

    # 1. Exact duplicates after normalising share one representative.
    representative_of: dict[str, int] = {}
    representatives: list[int] = []
    normals: list[str] = []
    owner = np.full(len(texts), -1, dtype=np.int64)  # index into representatives
    for index, normal in enumerate(normalize_all(texts)):
        if not normal:
            continue  # empty or whitespace-only: never a duplicate
        slot = representative_of.setdefault(normal, len(representatives))
        if slot == len(representatives):
            representatives.append(index)
            # Symbols only ("👍"): no words to compare, so only exact copies match.
            normals.append(normal if _HAS_WORD.search(normal) else "")
        owner[index] = slot
    del representative_of
    cores = _cores(texts, representatives, normals)
    report(0.3)

    if not representatives:
        return []

    # 2. Candidate pairs among distinct texts with words, then verified.
    features = _features(normals)
    report(0.5)
    starts = features.shingle_starts
    comparable = np.flatnonzero(np.diff(np.append(starts, len(features.shingle_ids))) > 0)
    edges, scores = np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=np.float64)
    if len(comparable) > 1:
        found = candidates(features, comparable)
        report(0.8)
        edges, scores = _verified(found, features, threshold)
        size = np.int64(len(representatives))
        found = found[~np.isin(found[:, 0] * size + found[:, 1], edges[:, 0] * size + edges[:, 1])]

        def sentences_of(slot: int) -> str:
            raw = texts[representatives[slot]]
            return cores[slot] or fold(raw)

        contained = _contained(found, features, sentences_of, threshold)
        edges = np.concatenate((edges, contained))
        scores = np.concatenate((scores, np.full(len(contained), threshold)))
    report(0.9)

    # 3. Components over representatives, then back to every point.
    labels = connected_components(len(representatives), edges)
    copies = np.bincount(owner[owner >= 0], minlength=len(representatives))
    closeness = np.zeros(len(representatives), dtype=np.float64)
    np.add.at(closeness, edges[:, 0], scores)
    np.add.at(closeness, edges[:, 1], scores)
    groups = _groups(owner, labels, copies, closeness, np.asarray(representatives, dtype=np.int64))
    report(1.0)
    return groups


def _groups(
    owner: IntArray,
    labels: IntArray,
    copies: IntArray,
    closeness: NDArray[np.float64],
    representatives: IntArray,
) -> list[Group]:
    points = np.flatnonzero(owner >= 0)
    point_labels = labels[owner[points]]
    sizes = np.bincount(point_labels, minlength=len(labels))
    keep = sizes[point_labels] > 1
    points, point_labels = points[keep], point_labels[keep]
    if not len(points):
        return []
    order = np.lexsort((points, point_labels))
    points, point_labels = points[order], point_labels[order]
    bounds = np.flatnonzero(np.diff(point_labels)) + 1
    # Canonical per label: most copies, then closest to the others, then earliest.
    candidates = np.flatnonzero(sizes[labels] > 1)
    ranked = candidates[
        np.lexsort(
            (
                representatives[candidates],
                -closeness[candidates],
                -copies[candidates],
                labels[candidates],
            )
        )
    ]
    first = np.concatenate(([True], labels[ranked][1:] != labels[ranked][:-1]))
    canonical = dict(
        zip(labels[ranked][first].tolist(), representatives[ranked][first].tolist(), strict=True)
    )
    groups = [
        Group(members=members.tolist(), canonical=canonical[int(group_labels[0])])
        for members, group_labels in zip(
            np.split(points, bounds), np.split(point_labels, bounds), strict=True
        )
    ]
    groups.sort(key=lambda group: group.members[0])
    return groups
