"""Topic clusters: points of several members about the same demand though worded
differently ("Netzentgelte senken", "Die Kosten für die Stromnetze belasten uns", "Zuschuss zu
den Übertragungsnetzentgelten"), each named after the demand of its most central point
("Netzentgelte für die Industrie senken").

Pure functions over texts; the caller gives every point a stable integer key (a Point or
PointGroup id), the members that sent it, and maps the results back to its rows.

How points are compared. Two views of each point, mixed: `LEXICAL_SHARE` of the similarity
is words, the rest meaning (`Space`).
- Words: a TF-IDF vector (smoothed IDF, L2-normalised; see `tf_idf`) over *terms*: the
  stems of its content words (function words, modal verbs and words of demanding such as
  "fordern" left out), the stems of the parts of its compound words, and related topics
  (`Lexicon`). Nouns (written with a capital) carry the topic and weigh 1; other words
  ("senken", "schnell") and nouns nearly every demand has ("Betriebe", "Bund") weigh
  `OTHER_WEIGHT`. Compound parts are the longest known word ending a word
  ("Industriestrompreis" → "strompreis" → "preis", "strom"), known words being the words of
  the input plus a small domain lexicon; they weigh `PART_WEIGHT`. Related topics come from
  that lexicon and weigh `TOPIC_WEIGHT`.
- Meaning: the sentence embedding (`positions.core.embeddings`, an `Embed` the caller
  passes; None for words only) of the point's first sentences (`meaning_text`). It finds
  paraphrases that share no word ("Netzentgelte" / "Kosten für die Stromleitungen"), but
  it does not see negation, years or addressees: look-alikes ("Bund" / "Land", "2030" /
  "2035", "fordern" / "lehnen ab") are alike to it. Keeping them apart is not the job of
  topics: near-duplicate groups (`positions.analysis.dedupe`) never merge them into one
  point, and merge suggestions (`positions.analysis.merging`, `guards`) list them as
  dissent or conflicts. A topic may hold a demand and its look-alikes; it is one theme.

How points are grouped. Thresholds count from the *background*, the mean similarity of two
points (boilerplate makes all points a little alike; embeddings of German demands are all
about 0.2 alike); below `BACKGROUND_MIN_POINTS` points it is at most `SMALL_BACKGROUND`
(words) and `SMALL_MEANING_BACKGROUND` (meaning), since points there are alike mostly by
topic. Up to `SAMPLE_SIZE` distinct points: average-linkage agglomerative clustering, cut
where the average similarity between two groups falls below `LINK_THRESHOLD` above the
background; two points of one member count `SAME_MEMBER_PENALTY` less alike (a member words
all its points alike). Then `REFINE_ROUNDS` rounds move points to a clearly closer topic
centre, topics of fewer than `MIN_TOPIC_MEMBERS` members join the closest larger topic if
its centre is `ABSORB_THRESHOLD` above the background (in calls of `ABSORB_MIN_CALL_MEMBERS`
members or more: in smaller ones a topic of two members is a theme, not a fringe), and
points are moved once more. Centres weigh members, not points: a member's points in a topic
together weigh like one (`member_balanced`), so one member's 69 points do not pull a topic
their way. More points: the same on a seeded sample, then every point joins the nearest
topic centre if its similarity is `JOIN_THRESHOLD` above the background; the points left
over are sampled again, `SAMPLE_ROUNDS` rounds, and what is left after that is clustered in
chunks of `SAMPLE_SIZE`. Time grows linearly with the number of points (about n ·
`SAMPLE_SIZE` similarities, never all pairs); embedding is most of a cold run, and the
caller's `Embed` may cache it. Exact copies (the same `positions.core.text.normalize` form)
are clustered once.

A topic needs two members. A new cluster whose points all come from one member (a long
statement, which shares its own wording) is dissolved: each point joins the closest topic
of several members if it is `SINGLE_JOIN_THRESHOLD` above the background, else it stays
outside every topic (`ClusterResult.single_member`). Points whose members are not given
count as sent by a member of their own.

Names. A topic is named after the demand of its most central point (`demand_name`): its
first demanding sentence without "Wir fordern, dass" or an opening ("Aus unserer Sicht
sollte die EU …" → "Die EU sollte …"; a description before a colon), reasons after a comma
cut off, a passive "… gesenkt werden" turned into "… senken", an active "dass" clause into a
main clause ("dass der Bund die Stromsteuer senkt" → "Der Bund soll die Stromsteuer
senken"), a demanded thing into the nominative ("einen dauerhaften Zuschuss" → "Dauerhafter
Zuschuss"), at most `NAME_CHARS` characters. Among the `NAME_CANDIDATES` most central
points, one that demands (rather than reports or describes: "Netzbetreiber brauchen … ein
Jahr") and does not say no is preferred, then one of three words or more ("Verfahren
digitalisieren" says too little); a point only "nur intern" statements sent names a topic
only when no other point names a demand. Weak verbs only: a strong participle stays
("gestrichen werden"). `label_for` still gives the older keyword label ("Strompreise ·
Energiekosten").

Limits, measured (see `bench.topics`, pairwise F1 against one coder's themes): on the tune
set (`bench.labelled.topics_tune`, 9 themes) 0.56 with 13 topics; on the first held-out set
(`statements_heldout`, 14 themes, spent: its confusion was read to set `LINK_THRESHOLD`
and `SAME_MEMBER_PENALTY`) 0.58 with 22 topics; on the second (`statements_heldout2`, 12
themes, only measured) 0.64 with 21 topics, ARI 0.60 (words only, before issue 20: 0.53
with 28); on the third (`statements_heldout3`, 12 other themes, only measured) 0.50 with 24
topics, ARI 0.45; on the fourth (`statements_heldout4`, 12 other themes again) 0.43 with 22,
ARI 0.39. multilingual-e5-small embeddings group no better (average linkage, pairwise
F1 on the second set 0.56-0.63 against 0.57 with these).
The thresholds sit on a plateau, not a peak: nearby settings move these figures by ±0.05.
The embeddings tell themes apart weakly (same theme about 0.33 alike, different themes
0.17): even with the number of themes given, average linkage or spectral clustering of
the same similarities reach only about 0.6. Close themes merge ("Netzentgelte",
"Stromsteuer" and "Brückenstrompreis" are one energy-price topic) and broad themes worded
as unlike demands ("Digitalisierung": Breitband, 5G, IT-Sicherheit) stay several topics.
Smaller calls fare worse: in calls of 8 and 14 members drawn from the second to fourth sets
(`bench.topics`, `small_calls`) F1 is 0.35-0.53 and ARI 0.30-0.49, as a theme has only a
few points there.

Staff edits survive re-runs (see `cluster_points`): pinned points never move, clusters staff
edited or discarded keep their identity, label and points, and a re-run only places the
other points, into an existing cluster when they fit it, else into new ones.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import sparse  # type: ignore[import-untyped]
from scipy.cluster.hierarchy import fcluster, linkage  # type: ignore[import-untyped]
from scipy.spatial.distance import squareform  # type: ignore[import-untyped]

from positions.core.embeddings import Embed
from positions.core.embeddings import embed as default_embed
from positions.core.text import MODAL_VERBS, STOPWORDS, fold, is_demand, normalize_all, stem

LINK_THRESHOLD = 0.04  # average similarity beyond the background at which groups are one topic
JOIN_THRESHOLD = 0.16  # similarity to a centroid beyond the background at which a point joins
SINGLE_JOIN_THRESHOLD = 0.15  # the same for a point of a one-member cluster (at 0.05,
# "Verlustrücktrag erweitern" joined the demo's topic on an application portal)
LEXICAL_SHARE = 0.45  # of a similarity: words; the rest is meaning (sentence embeddings)
MEANING_CHARS = 200  # of a point embedded (see `meaning_text`)
SAME_MEMBER_PENALTY = 0.1  # two points of one member count this much less alike
BACKGROUND_MIN_POINTS = 100  # fewer points: the background is at most SMALL_BACKGROUND
SMALL_BACKGROUND = 0.03
SMALL_MEANING_BACKGROUND = 0.2  # … and for embeddings at most this
CENTRE_MEANING = 0.0  # share of the mean embedding taken off every point (100 points or more)
SAMPLE_SIZE = 2000  # points clustered exactly at once (a dense SAMPLE_SIZE² matrix)
SAMPLE_ROUNDS = 4
REFINE_ROUNDS = 3  # rounds of moving points to the closest topic centre
REFINE_MARGIN = 0.02  # … when it is this much closer than their own
MIN_TOPIC_MEMBERS = 3  # topics of fewer members join a larger one close enough …
ABSORB_THRESHOLD = 0.1  # … their centres this similar beyond the background …
ABSORB_MIN_CALL_MEMBERS = 20  # … in calls of at least this many members (see `_absorb_small`)
SEED = 20_240_611  # fixed: the same points give the same clusters on every run
LABEL_WORDS = 2
LABEL_SEPARATOR = " · "
LABEL_MEMBERS = 200  # most typical members read for a label
PART_WEIGHT = 0.5
TOPIC_WEIGHT = 0.75
OTHER_WEIGHT = 0.4  # verbs and adjectives say what to do, nouns what it is about
_CHUNK = 8192  # texts tokenised at once
_ASSIGN_CHUNK = 4096  # points compared with all centroids at once

Progress = Callable[[float], None]
IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
DenseArray = NDArray[np.float32]


# --- terms -------------------------------------------------------------------------------


def _folded(words: str) -> frozenset[str]:
    return frozenset(fold(word) for word in words.split())


# Words that say that something is demanded, or how urgently, not what: they would make all
# demands one topic.
NOISE_WORDS = (
    STOPWORDS
    | MODAL_VERBS
    | _folded(
        """
        fordern fordert fordere forderung forderungen brauchen braucht benötigen benötigt
        notwendig erforderlich nötig wichtig dringend unbedingt insbesondere klar zeitnah
        ausdrücklich zwingend grundsätzlich endlich möglichst besonders bitte sicht auffassung
        meinung ansicht einschätzung erachtens zudem außerdem weiterhin sowohl bereits wieder
        immer ganz gut gute guten neue neuen neuer neues mehr weniger sollen werden nicht kein
        keine keinen keinem keiner dürfen darf sehen setzen einsetzen schlagen regen
        appellieren plädieren empfehlen sprechen vor allem daher deshalb jedoch sondern
        """
    )
)

# Related word parts, by topic: the domain knowledge that "Strompreis" and "Energiekosten"
# are one concern. Kept small on purpose; staff correct the rest by hand.
_RELATED_TOPICS = {
    "energie": "strom energie gas elektrizität wärme netzentgelt netzentgelte",
    "kosten": "preis preise kosten entgelt entgelte tarif tarife umlage umlagen abgabe abgaben "
    "gebühr gebühren",
    "förderung": "förderung förder fördermittel förderprogramm förderprogramme zuschuss "
    "zuschüsse subvention subventionen",
    "finanzierung": "finanzierung fonds kredit kredite darlehen bürgschaft bürgschaften "
    "kapital investition investitionen",
    "fachkräfte": "fachkraft fachkräfte arbeitskräfte qualifizierung qualifizieren "
    "weiterbildung ausbildung bildung umschulung schulung schulungen kompetenz kompetenzen "
    "auszubildende azubis",
    "bürokratie": "bürokratie berichtspflicht berichtspflichten dokumentationspflicht "
    "nachweispflicht nachweispflichten verwaltungsaufwand formulare",
    "genehmigung": "genehmigung genehmigungen genehmigungsverfahren planungsverfahren",
    "digitalisierung": "digitalisierung digital daten software cyber cybersicherheit",
    "wasserstoff": "wasserstoff elektrolyse elektrolyseure",
    "laden": "ladeinfrastruktur ladesäulen ladepunkte elektromobilität",
    "steuern": "steuer steuern abschreibung abschreibungen",
}
_TOPIC_OF_STEM = {
    stem(fold(word)): "#" + fold(topic)
    for topic, words in _RELATED_TOPICS.items()
    for word in words.split()
}
_LEXICON_WORDS = frozenset(
    fold(word) for words in _RELATED_TOPICS.values() for word in words.split()
)
MIN_HEAD = 4  # a compound's last part has at least this many letters …
MIN_PLAIN_HEAD = 5  # … or this many when it is not in the lexicon
MIN_MODIFIER = 3
_LINKING = ("es", "en", "s", "n", "e")  # Fugenelemente: "Arbeit-s-markt", "Sonne-n-energie"
_HAS_LETTER = re.compile(r"[^\W\d_]")
# A word written with a capital and then small letters: in German, a noun (or the first word
# of a sentence, which is mostly an article, a pronoun or a noun).
_CAPITALISED = re.compile(r"\b[A-ZÄÖÜ][a-zäöüß]+")


def is_content_word(word: str) -> bool:
    """Whether a folded word can carry a topic: not a function or demand word, not a number."""
    return len(word) > 1 and word not in NOISE_WORDS and bool(_HAS_LETTER.search(word))


# Nouns nearly every demand of the association has (whom it is for, who should act): they
# weigh like other words in vectors and little in labels.
GENERIC_STEMS = frozenset(
    stem(word)
    for word in _folded(
        """
        unternehmen betrieb betriebe firma firmen mitglied mitglieder branche wirtschaft bund
        land länder eu regierung bundesregierung landesregierung kommission staat politik
        gesetzgeber maßnahme maßnahmen rahmen bereich bereiche thema themen zukunft jahr jahre
        prozent region regionen beispiel möglichkeit möglichkeiten ziel ziele frage fragen
        industrie zulieferer mittelstand beschäftigte
        """
    )
)


class Lexicon:
    """Folded words to weighted terms: the word's stem, the stems of its compound parts and
    related topics. Term ids are handed out as words are looked up, so texts compared with
    each other must share one lexicon.

    Known words (possible compound parts) and nouns are learnt from texts first. Nouns, the
    words written with a capital letter, carry topics in German; other words ("senken",
    "schnell") weigh `other_weight`, compound parts `part_weight`, related topics
    `topic_weight`."""

    def __init__(
        self,
        *,
        other_weight: float = 1.0,
        part_weight: float = PART_WEIGHT,
        topic_weight: float = TOPIC_WEIGHT,
    ) -> None:
        self.known: set[str] = set(_LEXICON_WORDS)
        self.nouns: set[str] = set()
        self.other_weight = other_weight
        self.part_weight = part_weight
        self.topic_weight = topic_weight
        self.terms: list[str] = []  # term id -> stem, or "#topic" for a related topic
        self._term_ids: dict[str, int] = {}
        self._cache: dict[str, tuple[tuple[int, float], ...]] = {}

    def learn(self, texts: Sequence[str], normals: Sequence[str]) -> None:
        """Learn the words of `texts` (with their `normalize` forms) before any lookup."""
        for first in range(0, len(texts), _CHUNK):
            for word in set(" ".join(normals[first : first + _CHUNK]).split()):
                if len(word) >= MIN_HEAD and word.isalpha() and word not in NOISE_WORDS:
                    self.known.add(word)
                    self.known.add(stem(word))
            joined = "\n".join(texts[first : first + _CHUNK])
            self.nouns.update(fold(word) for word in set(_CAPITALISED.findall(joined)))

    def id_of(self, term: str) -> int | None:
        """The id of a term (a stem, or "#topic") handed out so far, or None."""
        return self._term_ids.get(term)

    def _id(self, term: str) -> int:
        found = self._term_ids.get(term)
        if found is None:
            found = self._term_ids[term] = len(self.terms)
            self.terms.append(term)
        return found

    def lookup(self, word: str) -> tuple[tuple[int, float], ...]:
        """The weighted terms of one folded word; none for function words and numbers."""
        found = self._cache.get(word)
        if found is not None:
            return found
        weights: dict[int, float] = {}
        if is_content_word(word):
            own = stem(word)
            noun = word in self.nouns and own not in GENERIC_STEMS
            weights[self._id(own)] = 1.0 if noun else self.other_weight
            stems = [own]
            for part in self.parts(word):
                part_stem = stem(part)
                if part_stem != own and is_content_word(part):
                    weights.setdefault(self._id(part_stem), self.part_weight)
                    stems.append(part_stem)
            for found_stem in stems:
                topic = _TOPIC_OF_STEM.get(found_stem)
                if topic is not None:
                    weights.setdefault(self._id(topic), self.topic_weight)
        result = tuple(weights.items())
        self._cache[word] = result
        return result

    def parts(self, word: str, depth: int = 0) -> list[str]:
        """Known words a compound is made of: the longest known word ending it and what is
        before it if known, else the longest known word starting it; parts of parts too."""
        if depth > 3 or len(word) < MIN_MODIFIER + MIN_HEAD or not word.isalpha():
            return []
        for cut in range(MIN_MODIFIER, len(word) - MIN_HEAD + 1):
            head = word[cut:]
            if head not in self.known:
                continue
            if len(head) < MIN_PLAIN_HEAD and head not in _LEXICON_WORDS:
                continue
            found = [head, *self.parts(head, depth + 1)]
            modifier = word[:cut]
            for candidate in (
                modifier,
                *(modifier[: -len(link)] for link in _LINKING if modifier.endswith(link)),
                modifier + "e",
            ):
                if len(candidate) >= MIN_MODIFIER and candidate in self.known:
                    found += [candidate, *self.parts(candidate, depth + 1)]
                    break
            return found
        # No known last part ("Fachkräftezuzug"): the longest known first part.
        for cut in range(len(word) - MIN_HEAD, MIN_PLAIN_HEAD - 1, -1):
            modifier = word[:cut]
            if modifier in self.known:
                return [modifier, *self.parts(modifier, depth + 1)]
        return []


def _word_counts(normals: Sequence[str]) -> tuple[list[str], sparse.csr_matrix]:
    """The distinct words of normalised texts and a texts × words matrix of counts."""
    index: dict[str, int] = {"\x00": 0}
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    for first in range(0, len(normals), _CHUNK):
        chunk = normals[first : first + _CHUNK]
        # One split and one C-level map per chunk instead of a Python loop per word.
        tokens = " \x00 ".join(chunk).split()
        for word in dict.fromkeys(tokens):
            index.setdefault(word, len(index))
        ids = np.fromiter(map(index.__getitem__, tokens), dtype=np.int64, count=len(tokens))
        separator = ids == 0
        text_of = np.cumsum(separator)[~separator] + first
        rows.append(text_of)
        cols.append(ids[~separator])
    row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    counts = sparse.csr_matrix(
        (np.ones(len(row), dtype=np.float64), (row, col)), shape=(len(normals), len(index))
    )
    counts.sum_duplicates()
    return list(index), counts


def term_counts(normals: Sequence[str], lexicon: Lexicon) -> sparse.csr_matrix:
    """Texts × terms: sublinear word counts (1 + log n) times each word's term weights."""
    words, counts = _word_counts(normals)
    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    for word_id, word in enumerate(words):
        for term, weight in lexicon.lookup(word) if word_id else ():
            rows.append(word_id)
            cols.append(term)
            data.append(weight)
    word_terms = sparse.csr_matrix(
        (data, (rows, cols)), shape=(len(words), max(len(lexicon.terms), 1))
    )
    counts.data = 1.0 + np.log(counts.data)
    result: sparse.csr_matrix = (counts @ word_terms).tocsr()
    return result


def topic_vectors(
    texts: Sequence[str], normals: Sequence[str]
) -> tuple[sparse.csr_matrix, Lexicon, FloatArray]:
    """L2-normalised TF-IDF vectors of texts (given with their `normalize` forms) over their
    terms, the lexicon that names the terms, and each term's inverse document frequency."""
    lexicon = Lexicon(other_weight=OTHER_WEIGHT)
    lexicon.learn(texts, normals)
    counts = term_counts(normals, lexicon)
    if counts.shape[0] == 0 or counts.nnz == 0:
        return counts, lexicon, np.ones(counts.shape[1], dtype=np.float64)
    vectors, idf = tf_idf(counts)
    return vectors, lexicon, idf


def tf_idf(counts: sparse.csr_matrix) -> tuple[sparse.csr_matrix, FloatArray]:
    """Texts × terms weights as TF-IDF rows of unit length, and each term's inverse document
    frequency: idf = 1 + ln((1 + texts) / (1 + texts with the term)), a text's weights times
    the idf, then divided by their Euclidean norm (rows without weight stay zero).

    The weighting of scikit-learn's `TfidfTransformer(norm="l2", smooth_idf=True)`, which
    this replaces, computed the same way so that results stay identical to the bit: document
    frequencies count stored entries and each row's squares are summed in storage order."""
    vectors = sparse.csr_matrix(counts, dtype=np.float64, copy=True)
    texts, terms = vectors.shape
    frequency = np.bincount(vectors.indices, minlength=terms).astype(np.float64)
    idf: FloatArray = np.log(float(texts + 1) / (frequency + 1.0)) + 1.0
    vectors.data *= idf[vectors.indices]
    # A sparse product sums each row left to right (np.add.reduceat would sum pairwise).
    squares = sparse.csr_matrix(
        (np.square(vectors.data), vectors.indices, vectors.indptr), shape=vectors.shape
    )
    norms = np.sqrt(squares @ np.ones(terms, dtype=np.float64))
    norms[norms == 0.0] = 1.0
    vectors.data /= np.repeat(norms, np.diff(vectors.indptr))
    return vectors, idf


# --- grouping ----------------------------------------------------------------------------


def _first_seen_numbers(labels: IntArray) -> IntArray:
    """Labels renumbered 0, 1, … in the order they first occur."""
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[inverse.reshape(-1)]


def background_similarity(vectors: sparse.csr_matrix) -> float:
    """The mean similarity of two different unit vectors, from their sum in linear time."""
    count: int = vectors.shape[0]
    if count < 2:
        return 0.0
    total = np.asarray(vectors.sum(axis=0)).reshape(-1)
    pairs = float(total @ total) - float(vectors.multiply(vectors).sum())
    return max(0.0, pairs / (count * (count - 1)))


def _dense_background(dense: DenseArray) -> float:
    """`background_similarity` of dense unit rows (zero rows count as rows)."""
    count = int(dense.shape[0])
    if count < 2:
        return 0.0
    total = dense.sum(axis=0, dtype=np.float64)
    squares = float(np.einsum("ij,ij->", dense, dense, dtype=np.float64))
    return max(0.0, (float(total @ total) - squares) / (count * (count - 1)))


def _normalized_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).reshape(-1))
    norms[norms == 0] = 1.0
    result: sparse.csr_matrix = sparse.diags(1.0 / norms) @ matrix
    return result.tocsr()


def _normalized_dense(matrix: DenseArray) -> DenseArray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: DenseArray = (matrix / norms).astype(np.float32)
    return result


def _centroids(
    vectors: sparse.csr_matrix, labels: IntArray, weights: FloatArray, count: int
) -> sparse.csr_matrix:
    """Unit centroid per label 0 … count-1 (the weighted mean direction of its vectors)."""
    membership = sparse.csr_matrix(
        (weights, (labels, np.arange(len(labels)))), shape=(count, len(labels))
    )
    return _normalized_rows((membership @ vectors).tocsr())


@dataclass(frozen=True)
class Space:
    """Points as two unit vectors each: lexical TF-IDF terms (`lexical`, sparse) and a
    sentence embedding (`meaning`, dense, zero rows when no embedding is given). Two points
    are as similar as `LEXICAL_SHARE` times the cosine of their lexical vectors plus the
    rest times the cosine of their embeddings: words catch what embeddings blur (names,
    compounds of the trade), embeddings catch what words miss ("Netzentgelte" /
    "Kosten für die Stromnetze")."""

    lexical: sparse.csr_matrix
    meaning: DenseArray
    lexical_share: float

    def __len__(self) -> int:
        return int(self.lexical.shape[0])

    def rows(self, indices: IntArray) -> Space:
        return Space(self.lexical[indices], self.meaning[indices], self.lexical_share)

    def similarity(self) -> FloatArray:
        """All pairs, dense (at most `SAMPLE_SIZE` rows)."""
        lexical = np.asarray((self.lexical @ self.lexical.T).toarray(), dtype=np.float64)
        meaning = (self.meaning @ self.meaning.T).astype(np.float64)
        result: FloatArray = self.lexical_share * lexical + (1 - self.lexical_share) * meaning
        return result

    def centroids(self, labels: IntArray, weights: FloatArray, count: int) -> Space:
        """Unit centroids (both parts) per label 0 … count-1."""
        membership = sparse.csr_matrix(
            (weights, (labels, np.arange(len(labels)))), shape=(count, len(labels))
        )
        lexical = _normalized_rows((membership @ self.lexical).tocsr())
        meaning = _normalized_dense(np.asarray(membership @ self.meaning, dtype=np.float32))
        return Space(lexical, meaning, self.lexical_share)

    def against(self, other: Space, first: int = 0, last: int | None = None) -> FloatArray:
        """Similarities of rows first … last with every row of `other`."""
        lexical = (self.lexical[first:last] @ other.lexical.T).toarray()
        meaning = self.meaning[first:last] @ other.meaning.T
        result: FloatArray = self.lexical_share * np.asarray(lexical, dtype=np.float64) + (
            1 - self.lexical_share
        ) * meaning.astype(np.float64)
        return result

    def nearest(self, centroids: Space) -> tuple[IntArray, FloatArray]:
        """For each row the index of its most similar centroid and that similarity."""
        best = np.zeros(len(self), dtype=np.int64)
        score = np.zeros(len(self), dtype=np.float64)
        if len(centroids) == 0:
            return best, score
        for first in range(0, len(self), _ASSIGN_CHUNK):
            similarity = self.against(centroids, first, first + _ASSIGN_CHUNK)
            best[first : first + len(similarity)] = similarity.argmax(axis=1)
            score[first : first + len(similarity)] = similarity.max(axis=1)
        return best, score

    def background(self) -> float:
        """The mean similarity of two points (see `_background`)."""
        lexical = background_similarity(self.lexical)
        meaning = _dense_background(self.meaning)
        if len(self) < BACKGROUND_MIN_POINTS:
            lexical = min(lexical, SMALL_BACKGROUND)
            meaning = min(meaning, SMALL_MEANING_BACKGROUND)
        return self.lexical_share * lexical + (1 - self.lexical_share) * meaning


def _background(vectors: sparse.csr_matrix) -> float:
    """The similarity thresholds count from: the mean similarity of two points, capped in
    small inputs, where points are alike because of their topic rather than boilerplate."""
    measured = background_similarity(vectors)
    if vectors.shape[0] < BACKGROUND_MIN_POINTS:
        return min(measured, SMALL_BACKGROUND)
    return measured


def _same_member(members: IntArray) -> NDArray[np.bool_]:
    """Pairs of rows from one member (negative: unknown or several members)."""
    same: NDArray[np.bool_] = (members[:, None] == members[None, :]) & (members[:, None] >= 0)
    return same


def _agglomerate(space: Space, members: IntArray, threshold: float) -> IntArray:
    """Average-linkage groups of at most `SAMPLE_SIZE` points, numbered 0, 1, … Two points
    of one member count `SAME_MEMBER_PENALTY` less alike: a member's points share its
    wording ("unser Werk im Chemiepark …") whatever their topic. (0.25 cost 0.05 F1 on the
    spent held-out set; 0 merged the demo call's 14 points into two topics.)"""
    count = len(space)
    if count <= 1:
        return np.zeros(count, dtype=np.int64)
    similarity = space.similarity()
    similarity[_same_member(members)] -= SAME_MEMBER_PENALTY
    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
    return _first_seen_numbers(np.asarray(labels, dtype=np.int64))


def member_balanced(weights: FloatArray, labels: IntArray, members: IntArray) -> FloatArray:
    """Weights so that within each label a member's points together weigh as much as one
    point of average weight (points of unknown members, `members` < 0, keep theirs): one
    member's 69 points must not pull a topic's centre its way."""
    result = weights.astype(np.float64, copy=True)
    known = members >= 0
    if not known.any():
        return result
    pairs = Counter(zip(labels[known].tolist(), members[known].tolist(), strict=True))
    share = np.array(
        [
            pairs[(label, member)]
            for label, member in zip(labels[known], members[known], strict=True)
        ],
        dtype=np.float64,
    )
    result[known] = result[known] / share
    return result


def _refine(space: Space, labels: IntArray, weights: FloatArray, members: IntArray) -> IntArray:
    """`REFINE_ROUNDS` rounds of moving every point to the topic centre it is most similar to
    (centres of topics of two or more points, each member's points weighing together like
    one): average linkage decides early merges for good and leaves points stranded in the
    topic they were first merged into."""
    for _ in range(REFINE_ROUNDS):
        sizes = np.bincount(labels)
        if len(sizes) < 2:
            break
        centres = space.centroids(labels, member_balanced(weights, labels, members), len(sizes))
        similarity = np.full((len(space), len(sizes)), -np.inf)
        for first in range(0, len(space), _ASSIGN_CHUNK):
            similarity[first : first + _ASSIGN_CHUNK] = space.against(
                centres, first, first + _ASSIGN_CHUNK
            )
        similarity[:, sizes < 2] = -np.inf
        own = similarity[np.arange(len(space)), labels]
        best = similarity.argmax(axis=1)
        # A point leaves its topic only for a clearly closer one; singletons stay put.
        moves = (similarity[np.arange(len(space)), best] > own + REFINE_MARGIN) & (
            sizes[labels] >= 2
        )
        if not moves.any():
            break
        labels = labels.copy()
        labels[moves] = best[moves]
        labels = _first_seen_numbers(labels)
    return labels


def _absorb_small(
    space: Space, labels: IntArray, weights: FloatArray, members: IntArray, background: float
) -> IntArray:
    """Topics raised by fewer than `MIN_TOPIC_MEMBERS` members join the larger topic whose
    centre is most similar to theirs, if it is `ABSORB_THRESHOLD` above the background:
    a cut at one similarity leaves fringes of a theme (a demand worded unlike the others)
    on their own, and a topic of one or two members is mostly such a fringe. Only in calls
    of `ABSORB_MIN_CALL_MEMBERS` members or more: in a smaller call most themes are raised
    by one or two members, and absorbing them mixed themes (calls of 8 and 14 members drawn
    from the later held-out sets, `bench.topics`: pairwise precision 0.31-0.52 with
    absorbing, 0.42-0.62 without; F1 and ARI nowhere lower)."""
    count = int(labels.max()) + 1 if len(labels) else 0
    if count < 2:
        return labels
    backers = np.array(
        [len(set(members[labels == label].tolist())) for label in range(count)], dtype=np.int64
    )
    small = np.flatnonzero(backers < MIN_TOPIC_MEMBERS)
    large = np.flatnonzero(backers >= MIN_TOPIC_MEMBERS)
    if not len(small) or not len(large):
        return labels
    centres = space.centroids(labels, member_balanced(weights, labels, members), count)
    similarity = centres.rows(small).against(centres.rows(large))
    best = similarity.argmax(axis=1)
    fits = similarity[np.arange(len(small)), best] >= ABSORB_THRESHOLD + background
    target = np.arange(count)
    target[small[fits]] = large[best[fits]]
    return _first_seen_numbers(target[labels])


@dataclass(frozen=True)
class _Call:
    """What thresholds depend on beyond the points clustered: the similarity of any two
    points of the call (`background`) and how many members sent points to it."""

    background: float
    members: int


def _grouped(
    space: Space, labels: IntArray, weights: FloatArray, members: IntArray, call: _Call
) -> IntArray:
    """Linkage groups refined, their fringes absorbed (in calls of many members), refined
    again."""
    labels = _refine(space, labels, weights, members)
    if call.members >= ABSORB_MIN_CALL_MEMBERS:
        labels = _absorb_small(space, labels, weights, members, call.background)
    return _refine(space, labels, weights, members)


def _partition(
    space: Space, weights: FloatArray, members: IntArray, call: _Call, report: Progress
) -> IntArray:
    """Topic numbers 0, 1, … for points (see the module docstring for how); points
    sharing boilerplate ("Das betrifft vor allem …") are all a little alike, so thresholds
    count from the `background` similarity of any two points of the call."""
    count = len(space)
    link = LINK_THRESHOLD + call.background
    join = JOIN_THRESHOLD + call.background
    if count <= SAMPLE_SIZE:
        return _grouped(space, _agglomerate(space, members, link), weights, members, call)
    labels = np.full(count, -1, dtype=np.int64)
    rng = np.random.default_rng(SEED)
    remaining = np.arange(count, dtype=np.int64)
    topics = 0
    for round_number in range(SAMPLE_ROUNDS):
        if len(remaining) <= SAMPLE_SIZE:
            break
        sample = np.sort(rng.choice(remaining, size=SAMPLE_SIZE, replace=False))
        local = _agglomerate(space.rows(sample), members[sample], link)
        found = int(local.max()) + 1
        labels[sample] = local + topics
        balanced = member_balanced(weights[sample], local, members[sample])
        centroids = space.rows(sample).centroids(local, balanced, found)
        rest = remaining[labels[remaining] < 0]
        best, score = space.rows(rest).nearest(centroids)
        joined = score >= join
        labels[rest[joined]] = best[joined] + topics
        remaining = rest[~joined]
        topics += found
        report(0.3 + 0.5 * (round_number + 1) / SAMPLE_ROUNDS)
    # What fits no sampled topic is clustered in chunks; outliers stay on their own.
    for first in range(0, len(remaining), SAMPLE_SIZE):
        chunk = remaining[first : first + SAMPLE_SIZE]
        local = _agglomerate(space.rows(chunk), members[chunk], link)
        labels[chunk] = local + topics
        topics += int(local.max()) + 1
    return _grouped(space, _first_seen_numbers(labels), weights, members, call)


# --- labels ------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
_LABEL_CHARS = 2000  # characters of a long point read for its label
_NOT_A_NOUN = 0.15  # words never written with a capital weigh this much in a label
_INITIAL_NOUN = 0.7  # words written with a capital only at the start of a sentence
_PART_CREDIT = 0.25  # a compound counts this much for each of its parts
_SENTENCE_STARTS = frozenset('.!?:;\n•*-–—"„“(')
_GENERIC = 0.3  # nouns every demand has weigh this much


def _label(
    texts: Sequence[str], weights: Sequence[float], lexicon: Lexicon, idf: FloatArray
) -> str:
    """The most characteristic words of `texts` (weighted by `weights` and by the inverse
    document frequency `idf`, if given), nouns first, joined by " · "."""
    scores: dict[int, float] = defaultdict(float)
    surfaces: dict[int, Counter[str]] = defaultdict(Counter)
    noun_score: dict[int, float] = defaultdict(lambda: _NOT_A_NOUN)
    for whole, weight in zip(texts[:LABEL_MEMBERS], weights[:LABEL_MEMBERS], strict=False):
        present: dict[int, float] = {}
        text = whole[:_LABEL_CHARS]
        for match in _WORD.finditer(text):
            word = match.group()
            terms = lexicon.lookup(fold(word))
            for position, (term, _weight) in enumerate(terms):
                if lexicon.terms[term].startswith("#"):
                    continue
                if position:  # a part of a compound: "strompreis" in "Brückenstrompreis"
                    present[term] = max(present.get(term, 0.0), _PART_CREDIT)
                    continue
                present[term] = 1.0
                surfaces[term][word] += 1
                if word[0].isupper() and not word.isupper():
                    before = text[max(0, match.start() - 3) : match.start()].rstrip()
                    initial = not before or before[-1] in _SENTENCE_STARTS
                    # At the start of a sentence any word has a capital; only mid-sentence
                    # capitals are sure to be nouns.
                    found = _INITIAL_NOUN if initial else 1.0
                    noun_score[term] = max(noun_score[term], found)
        for term, credit in present.items():
            scores[term] += weight * credit

    def score(term: int) -> float:
        value = scores[term] * noun_score[term]
        if len(idf):
            value *= float(idf[term]) if term < len(idf) else float(idf.max())
        if lexicon.terms[term] in GENERIC_STEMS:
            value *= _GENERIC
        return value

    chosen: list[int] = []
    for term in sorted((t for t in scores if surfaces[t]), key=lambda t: (-score(t), t)):
        name = lexicon.terms[term]
        if any(name in lexicon.terms[c] or lexicon.terms[c] in name for c in chosen):
            continue  # "Brückenstrompreis" says nothing new after "Strompreise"
        chosen.append(term)
        if len(chosen) == LABEL_WORDS:
            break
    return LABEL_SEPARATOR.join(_display(surfaces[term]) for term in chosen)


def _display(forms: Counter[str]) -> str:
    """The form a word is written in most often, preferring capitalised forms (nouns)."""
    ranked = sorted(forms.items(), key=lambda item: (not item[0][:1].isupper(), -item[1]))
    word = ranked[0][0]
    return word if not word.isupper() or len(word) <= 4 else word.capitalize()


def label_for(texts: Sequence[str], *, weights: Sequence[float] | None = None) -> str:
    """A short German label for points about one topic from their most frequent nouns
    ("Strompreise · Energiekosten"); "" when the texts have no content words."""
    lexicon = Lexicon()
    lexicon.learn(texts, normalize_all(texts))
    return _label(
        texts,
        list(weights) if weights is not None else [1.0] * len(texts),
        lexicon,
        np.ones(0, dtype=np.float64),
    )


# --- names -------------------------------------------------------------------------------

NAME_CHARS = 90  # a topic name longer than this is cut at a word
_VAGUE_WORDS = 3  # a name of fewer words says too little to stand for a topic
NAME_CANDIDATES = 5  # most central points whose demands are considered for a topic's name
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_DEMAND_CUE = re.compile(
    r"\b(fordern|fordert|muss|müssen|sollte|sollten|soll|sollen|wir brauchen|braucht es|"
    r"es braucht|wir benötigen|plädieren|appellieren|setzen uns|bitten|darf|dürfen|ist zu|"
    r"sind zu)\b",
    re.IGNORECASE,
)
# "Netzbetreiber brauchen … mehr als ein Jahr" describes; "Wir brauchen …" demands.
_DESCRIBING_NEED = re.compile(r"\b(?:brauchen|braucht|benötigen|benötigt)\b", re.IGNORECASE)
# "Wir fordern (daher) (, dass)", "Der Verband fordert …", "Wir plädieren für …": what says
# that something is demanded, not what.
_LEAD_IN = re.compile(
    r"^(?:(?:wir|der verband|die mitglieder|unsere mitglieder|die branche|wir als verband)\s+)"
    r"(?:fordern|fordert|verlangen|verlangt|erwarten|erwartet|brauchen|braucht|benötigen|"
    r"benötigt|regen an|empfehlen|empfiehlt|"
    r"plädieren für|plädiert für|setzen uns (?:dafür )?ein|bitten (?:darum)?)"
    r"(?:\s+(?:daher|deshalb|deswegen|ausdrücklich|nachdrücklich|dringend|erneut|weiterhin))*"
    r"\s*,?\s*(?:dass\s+)?",
    re.IGNORECASE,
)
_OPENING = re.compile(r"^[^:]{0,60}:\s+")  # "Aus Sicht unserer Mitglieder gilt: …"
# "Aus unserer Sicht sollte die EU …", "Hier braucht es …": an opinion or a link opening the
# sentence, after which the verb comes before its subject.
_OPINION = re.compile(
    r"^(?:aus (?:unserer|meiner|der) sicht(?: der \w+| unserer \w+)?|unseres erachtens|"
    r"unserer (?:meinung|auffassung|ansicht) nach|nach unserer (?:auffassung|einschätzung)|"
    r"hier|daher|deshalb|deswegen|zudem|außerdem|darüber hinaus|insbesondere|vor allem|"
    r"dringend|auch|ebenso|gleichzeitig|zugleich|kurzfristig|mittelfristig|langfristig)\s+"
    r"(?=(?:muss|müssen|sollte|sollten|soll|sollen|braucht es|bedarf es)\b)",
    re.IGNORECASE,
)
# After the opening: "sollte die EU einen … schaffen" → "die EU sollte einen … schaffen".
_VERB_FIRST = re.compile(
    r"^(muss|müssen|sollte|sollten|soll|sollen)\s+"
    r"((?:der|die|das|den|dem)\s+(?:[a-zäöüß][\w-]*\s+){0,2}[A-ZÄÖÜ][\w-]*)\s+(.+)$"
)
# The end of a "dass" clause: "… bis 2028 verfügbar sind", "… besser vergütet wird".
_CLAUSE_END = re.compile(r"\s+(?:ist|sind|wird|werden)$")
_MODAL = re.compile(
    r"\s+(?:muss|müssen|sollte|sollten|soll|sollen|darf|dürfen|kann|können)(?=\s|$)",
    re.IGNORECASE,
)
# A sentence starting with one of these leans on the one before ("Sie müssen sinken").
_LEANING = re.compile(
    r"^(?:sie|es|er|das|dies|diese|dieser|dieses|dafür|dazu|daher|deshalb)\b", re.IGNORECASE
)
# Reasons and conditions after the demand: ", damit …", ", weil …".
_SUBORDINATE = re.compile(
    r",\s+(?:damit|weil|da|wenn|sodass|so dass|um|denn|zumal|sonst|die|der|das|den|dem|denen|"
    r"deren)\b.*$"
)
_PASSIVE_END = re.compile(r"\s+(\w+)\s+(?:werden|wird)(?:\s+können)?\s*$")
_JOINED = re.compile(r"\bund(?:\s+\S+)?\s*$")  # "und" among the last two words
_ARTICLE = re.compile(r"^(?:die|der|das|den|dem|ein|eine|einen)\s+", re.IGNORECASE)
_SEPARABLE = (
    "zurück",
    "voran",
    "heran",
    "herab",
    "hinzu",
    "weiter",
    "wieder",
    "zusammen",
    "nach",
    "aus",
    "ein",
    "auf",
    "ab",
    "an",
    "bei",
    "mit",
    "vor",
    "zu",
    "um",
    "fort",
    "los",
    "fest",
    "frei",
    "hoch",
    "her",
    "hin",
    "dar",
    "durch",
    "über",
)
_INSEPARABLE = ("be", "er", "ver", "ent", "zer", "emp", "miss", "ge")


def _infinitive(participle: str) -> str | None:
    """The infinitive of a weak past participle ("gesenkt" → "senken", "ausgebaut" →
    "ausbauen", "erleichtert" → "erleichtern", "digitalisiert" → "digitalisieren"), or None
    when it is not one this can undo (strong verbs: "gestrichen")."""
    word = participle.lower()
    if not word.endswith("t") or len(word) < 5:
        return None
    prefix = ""
    for separable in _SEPARABLE:
        if word.startswith(separable + "ge") and len(word) > len(separable) + 4:
            prefix, word = separable, word[len(separable) :]
            break
    if word.startswith("ge") and not word.startswith(("gehör", "gewähr", "genehmig")):
        word = word[2:]
    elif not prefix and not word.endswith("iert") and not word.startswith(_INSEPARABLE):
        return None
    return prefix + _infinitive_of_stem(word[:-1])


def _infinitive_of_stem(stem_: str) -> str:
    """A weak verb's infinitive from the stem its participle and present tense share
    ("senk" → "senken", "änder" → "ändern", "arbeite" → "arbeiten", "digitalisier" →
    "digitalisieren")."""
    if stem_.endswith("ier"):
        return stem_ + "en"
    if stem_.endswith(("e", "er", "el")):
        return stem_ + "n"
    return stem_ + "en"


# A "dass" clause in the active: its subject, then the rest ending in the finite verb
# ("der Bund die Netzentgelte senkt", "die Förderbanken stärker ins Risiko gehen").
_ACTIVE_CLAUSE = re.compile(
    r"^((?:der|die|das)\s+(?:[a-zäöüß][\w-]*\s+){0,2}[A-ZÄÖÜ][\w-]*)\s+(.+)\s+([a-zäöüß]+)$"
)


# "einen dauerhaften Zuschuss": adjectives between the article and the noun.
_ACCUSATIVE = re.compile(r"^einen\s+((?:[a-zäöüß]+en\s+)+)(?=[A-ZÄÖÜ])")


def _nominative(phrase: str) -> str:
    """A demanded thing without its article, in the nominative ("einen dauerhaften
    Zuschuss" → "dauerhafter Zuschuss", "die Senkung" → "Senkung")."""
    found = _ACCUSATIVE.match(phrase)
    if found:
        adjectives = " ".join(word[:-2] + "er" for word in found.group(1).split())
        return f"{adjectives} {phrase[found.end() :]}"
    return _ARTICLE.sub("", phrase)


def _main_clause(clause: str) -> str:
    """A "dass" clause as a main clause with "soll" / "sollen" ("der Bund die Netzentgelte
    senkt" → "Der Bund soll die Netzentgelte senken"); unchanged when its verb is not a
    regular present-tense form."""
    found = _ACTIVE_CLAUSE.match(clause)
    if not found:
        return clause
    subject, rest, verb = found.groups()
    if verb.endswith("en") and len(verb) > 4:
        return f"{subject} sollen {rest} {verb}"
    infinitive = _infinitive_of_present(verb)
    if infinitive is None:  # "das Land die Regeln anpasst" → "Das Land anpasst …" would garble
        return clause
    return f"{subject} soll {rest} {infinitive}"


# Third persons singular of strong verbs whose vowel changes, also after a separable prefix
# ("übernimmt", "beiträgt").
_STRONG_PRESENT = {
    "hält": "halten",
    "fährt": "fahren",
    "trägt": "tragen",
    "läuft": "laufen",
    "fällt": "fallen",
    "schlägt": "schlagen",
    "gibt": "geben",
    "nimmt": "nehmen",
    "hilft": "helfen",
    "sieht": "sehen",
    "wirft": "werfen",
    "spricht": "sprechen",
    "bricht": "brechen",
    "wirbt": "werben",
    "stirbt": "sterben",
    "lässt": "lassen",
    "tritt": "treten",
}


def _infinitive_of_present(verb: str) -> str | None:
    """The infinitive of a third person singular ("senkt" → "senken", "ändert" → "ändern",
    "digitalisiert" → "digitalisieren", "einführt" → "einführen", "übernimmt" →
    "übernehmen", "anpasst" → "anpassen"); None for other words."""
    for strong, infinitive in _STRONG_PRESENT.items():
        if verb.endswith(strong):
            return verb[: -len(strong)] + infinitive
    if not verb.endswith("t") or len(verb) < 4:
        return None
    return _infinitive_of_stem(verb[:-1])


def _opening_removed(sentence: str) -> str:
    """The sentence without an opinion or link opening it, its subject back before the
    verb ("Aus unserer Sicht sollte die EU einen Fonds schaffen" → "die EU sollte einen
    Fonds schaffen", "Hier braucht es …" → "Es braucht …")."""
    opening = _OPINION.match(sentence)
    if not opening:
        return sentence
    rest = sentence[opening.end() :]
    words = rest.split(maxsplit=2)
    if rest.lower().startswith(("braucht es", "bedarf es")):
        return " ".join(["Es", words[0].lower(), *words[2:]])
    inverted = _VERB_FIRST.match(rest)
    if inverted:
        return f"{inverted.group(2)} {inverted.group(1).lower()} {inverted.group(3)}"
    return sentence


def demand_name(text: str, *, limit: int = NAME_CHARS) -> str:
    """A short readable name for the demand of a point (see `_named_demand`)."""
    return _named_demand(text, limit)[0]


def _named_demand(text: str, limit: int = NAME_CHARS) -> tuple[str, bool]:
    """A short readable name for the demand of a point: its first demanding sentence,
    without "Wir fordern, dass" or an opening, a passive "… gesenkt werden" turned into
    "… senken" ("Wir fordern, dass die Netzentgelte für die Industrie gesenkt werden." →
    "Netzentgelte für die Industrie senken"), at most `limit` characters; and whether the
    sentence states a demand at all (`is_demand`: "… muss …", "Wir fordern …")."""
    sentences = [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]
    if not sentences:
        return "", False
    chosen = next(
        (s for s in sentences if _DEMAND_CUE.search(s) and not _LEANING.match(s)), sentences[0]
    )
    before, colon, after = chosen.partition(": ")
    if colon and _DEMAND_CUE.search(after) and not _DEMAND_CUE.search(before):
        chosen = after  # "Die Netzentgelte sind ein Kostenblock: Der Bund muss …"
    chosen = _OPENING.sub("", chosen) if len(_OPENING.sub("", chosen)) > 20 else chosen
    demanding = bool(_DEMAND_CUE.search(chosen)) or (
        is_demand(chosen) and not _DESCRIBING_NEED.search(chosen)
    )
    chosen = chosen.rstrip(".!?;: ")
    chosen = _opening_removed(chosen)
    lead_in = _LEAD_IN.match(chosen)
    if lead_in:
        chosen = chosen[lead_in.end() :]
        if "dass" not in lead_in.group().lower():  # "Wir fordern einen Fonds" → "Fonds"
            chosen = _nominative(chosen)
    chosen = _SUBORDINATE.sub("", chosen)
    clause = lead_in is not None and "dass" in lead_in.group().lower()
    passive = _PASSIVE_END.search(chosen)
    # "… gestärkt und besser vergütet werden", "X verursacht Aufwand und sollte ausgesetzt
    # werden": the passive is one of two predicates; turning one round would garble both.
    if passive and not _JOINED.search(chosen[: passive.start()]):
        infinitive = _infinitive(passive.group(1))
        if infinitive is not None:
            head = _MODAL.sub("", chosen[: passive.start()], count=1)
            chosen = _ARTICLE.sub("", f"{head} {infinitive}".strip())
    if clause and _CLAUSE_END.search(chosen):
        chosen = _ARTICLE.sub("", _CLAUSE_END.sub("", chosen))
    elif clause:
        chosen = _main_clause(chosen)
    if len(chosen) > limit:
        # At a comma or before a second demand ("… bis 2030 und die Senkung der …").
        cut = chosen[:limit]
        joint = max(cut.rfind(","), cut.rfind(" und "), cut.rfind(" sowie "))
        chosen = cut[:joint] if joint > limit // 2 else cut[: cut.rfind(" ")] + " …"
    return chosen[:1].upper() + chosen[1:], demanding


# --- clustering with staff edits -----------------------------------------------------------


@dataclass(frozen=True)
class PointInput:
    """A point to cluster: `key` is the caller's stable id (a Point or PointGroup id);
    `weight` is how many points it stands for (a near-duplicate group's size);
    `organisations` are the members that sent it (its near-duplicates' too), empty when
    unknown: a topic needs points of at least two members. `quotable` is False for a point
    only "nur intern" statements sent: a topic is named after it only when none of its
    other points names a demand."""

    key: int
    text: str
    weight: float = 1.0
    organisations: frozenset[int] = frozenset()
    quotable: bool = True


@dataclass(frozen=True)
class ExistingCluster:
    """A cluster from an earlier run, as staff left it (a `Cluster` row)."""

    id: int
    label: str
    edited_by_staff: bool = False  # renamed, merged or split by hand: identity and label stay
    discarded: bool = False  # set aside by staff: keeps its points, takes no new ones


@dataclass(frozen=True)
class TopicCluster:
    """One topic: `id` is the existing cluster it continues, None for a new one; `members`
    are point keys, the most typical first."""

    id: int | None
    label: str
    members: tuple[int, ...]
    weight: float
    edited_by_staff: bool = False
    discarded: bool = False


@dataclass(frozen=True)
class ClusterResult:
    """All clusters, largest first; `unclustered` are points in none (no words to compare,
    pinned outside every cluster by staff, or raised by one member only and close to no
    topic of others: `single_member`); `removed` are ids of existing automatic clusters
    left without points, which the caller may delete."""

    clusters: tuple[TopicCluster, ...]
    unclustered: tuple[int, ...] = ()
    removed: tuple[int, ...] = ()
    single_member: tuple[int, ...] = ()
    _index: dict[int, int] = field(default_factory=dict, repr=False, compare=False)

    def cluster_of(self, key: int) -> TopicCluster | None:
        """The cluster a point key is in, or None."""
        if not self._index:
            for number, cluster in enumerate(self.clusters):
                for member in cluster.members:
                    self._index[member] = number
        found = self._index.get(key)
        return None if found is None else self.clusters[found]


@dataclass
class _Draft:
    """A cluster being assembled: indices of its points."""

    id: int | None
    existing: ExistingCluster | None
    points: list[int] = field(default_factory=list)


def cluster_points(
    points: Sequence[PointInput],
    *,
    existing: Sequence[ExistingCluster] = (),
    assignment: Mapping[int, int] | None = None,
    pinned: Collection[int] = (),
    progress: Progress | None = None,
    embed: Embed | None = default_embed,
) -> ClusterResult:
    """Topic clusters of `points`, keeping what staff decided.

    `assignment` maps point keys to the existing cluster ids they are in now; `pinned` are
    keys staff placed by hand (a pinned key without an assignment stays outside every
    cluster). Pinned points and the points of clusters staff edited or discarded stay where
    they are. Every other point (new, or unpinned in an automatic cluster) goes to the
    existing, not discarded cluster it fits best if it fits well enough (similarity to the
    cluster's centroid at least `JOIN_THRESHOLD` above the background), judged by the points
    staff placed there, or if there are none, by the cluster's current points. Points that
    fit no existing cluster are clustered afresh into new clusters (`id` None, unless the
    new cluster holds most points of an automatic cluster left empty: it continues its id).
    A new cluster whose points all come from one member is no topic: its points join the
    nearest topic of several members if they fit it, else stay outside (`single_member`).
    Labels of clusters staff edited or discarded are kept; others are the demand of the
    most central point (`demand_name`). `embed` gives sentence embeddings (None: words
    only). The same input gives the same result on every run.
    """
    report = progress or (lambda _fraction: None)
    report(0.0)
    assignment = assignment or {}
    corpus = _corpus(points, embed)
    report(0.2)

    clusters = {cluster.id: cluster for cluster in existing}
    for cluster_id in assignment.values():
        clusters.setdefault(cluster_id, ExistingCluster(id=cluster_id, label=""))
    drafts = {cid: _Draft(id=cid, existing=cluster) for cid, cluster in clusters.items()}
    free, unclustered = _place_fixed(corpus, drafts, assignment, set(pinned))
    free = _join_existing(corpus, drafts, free, assignment)
    report(0.3)
    fresh = _cluster_afresh(corpus, free, report)
    fresh, alone = _without_single_member(fresh, corpus)
    taken_over = _continue_ids(fresh, drafts, assignment, corpus.keys)
    report(0.85)

    kept = [draft for cid, draft in drafts.items() if cid not in taken_over]
    result = _finish([*kept, *fresh], corpus)
    listed = {cluster.id for cluster in result}
    removed = sorted(cid for cid in drafts if cid not in listed and cid not in taken_over)
    report(1.0)
    single = tuple(corpus.keys[i] for i in alone)
    return ClusterResult(
        clusters=tuple(result),
        unclustered=(*unclustered, *single),
        removed=tuple(removed),
        single_member=single,
    )


def meaning_text(text: str) -> str:
    """What of a point is embedded: its first sentences up to `MEANING_CHARS` characters
    (the first sentence cut at a word if it is longer). A point states its demand first;
    reasons and details after it ("Das betrifft vor allem Kabelbäume …") blur the topic,
    and the model's time grows with the length of the text (about half of a cold analysis
    for points of 300 characters)."""
    sentences = _SENTENCE_END.split(" ".join(text.split()))
    kept = sentences[0] if sentences else ""
    for sentence in sentences[1:]:
        if len(kept) + 1 + len(sentence) > MEANING_CHARS:
            break
        kept = f"{kept} {sentence}"
    if len(kept) > MEANING_CHARS:
        cut = kept.rfind(" ", 0, MEANING_CHARS)
        kept = kept[: cut if cut > 0 else MEANING_CHARS]
    return kept


def _corpus(points: Sequence[PointInput], embed: Embed | None) -> _Corpus:
    """Vectors of the points; exact copies (after normalising) share one."""
    keys = [point.key for point in points]
    if len(set(keys)) != len(keys):
        raise ValueError("point keys must be unique")
    normals = normalize_all([point.text for point in points])
    slot_of: dict[str, int] = {}
    owner = np.empty(len(points), dtype=np.int64)
    for index, normal in enumerate(normals):
        owner[index] = slot_of.setdefault(normal, len(slot_of))
    first_of = np.unique(owner, return_index=True)[1].tolist()
    texts = [points[i].text for i in first_of]
    vectors, lexicon, idf = topic_vectors(texts, list(slot_of))
    if embed is not None and texts:
        meaning = np.asarray(embed([meaning_text(text) for text in texts]), dtype=np.float32)
        if len(texts) >= BACKGROUND_MIN_POINTS and CENTRE_MEANING:
            # What all points share (a German demand to government) says nothing about
            # their topic: without it, embeddings of one topic stand out from the rest.
            meaning = _normalized_dense(meaning - CENTRE_MEANING * meaning.mean(axis=0))
        share = LEXICAL_SHARE
    else:
        meaning = np.zeros((len(texts), 1), dtype=np.float32)
        share = 1.0
    space = Space(vectors, meaning, share)
    # Rows of one member only get that member's number; others (unknown, several) -1 - row.
    organisations: list[set[int]] = [set() for _ in texts]
    for index, point in enumerate(points):
        organisations[owner[index]].update(point.organisations)
    members = np.array(
        [
            next(iter(orgs)) if len(orgs) == 1 else -1 - row
            for row, orgs in enumerate(organisations)
        ],
        dtype=np.int64,
    )
    return _Corpus(
        points=points,
        keys=keys,
        normals=normals,
        owner=owner,
        space=space,
        lexicon=lexicon,
        idf=idf,
        weights=np.array([max(point.weight, 0.0) for point in points], dtype=np.float64),
        background=space.background(),
        members=members,
        organisations=[frozenset(orgs) for orgs in organisations],
    )


def _place_fixed(
    corpus: _Corpus, drafts: dict[int, _Draft], assignment: Mapping[int, int], pinned: set[int]
) -> tuple[IntArray, list[int]]:
    """Put what staff placed into its cluster; the indices of the other points with words
    to compare, and the keys of points that stay in no cluster."""
    free: list[int] = []
    unclustered: list[int] = []
    has_terms = np.diff(corpus.space.lexical.indptr) > 0
    for index, key in enumerate(corpus.keys):
        cluster_id = assignment.get(key)
        cluster = drafts[cluster_id].existing if cluster_id is not None else None
        if key in pinned or (cluster and (cluster.edited_by_staff or cluster.discarded)):
            if cluster_id is None:
                unclustered.append(key)
            else:
                drafts[cluster_id].points.append(index)
        elif has_terms[corpus.owner[index]]:
            free.append(index)
        else:
            unclustered.append(key)  # nothing to compare: empty, emoji, numbers only
    return np.asarray(free, dtype=np.int64), unclustered


def _centres(corpus: _Corpus, groups: Sequence[Sequence[int]]) -> Space:
    """Unit centroids of groups of point indices, each member's points weighing together
    like one (see `member_balanced`)."""
    placed = np.asarray([index for indices in groups for index in indices], dtype=np.int64)
    labels = np.repeat(np.arange(len(groups)), [len(indices) for indices in groups])
    rows = corpus.owner[placed]
    weights = member_balanced(_damped(corpus.weights[placed]), labels, corpus.members[rows])
    return corpus.space.rows(rows).centroids(labels, weights, len(groups))


def _homes(
    corpus: _Corpus, drafts: dict[int, _Draft], current: Mapping[int, list[int]]
) -> tuple[list[_Draft], Space]:
    """Existing clusters that take points, and their centroids: judged by the points staff
    placed there, or if there are none, by their `current` points."""
    homes: list[_Draft] = []
    basis: list[list[int]] = []
    for cluster_id, draft in drafts.items():
        if draft.existing is None or draft.existing.discarded:
            continue
        judged_by = draft.points or current.get(cluster_id, [])
        if judged_by:
            homes.append(draft)
            basis.append(list(judged_by))
    return homes, _centres(corpus, basis)


def _join_existing(
    corpus: _Corpus, drafts: dict[int, _Draft], free: IntArray, assignment: Mapping[int, int]
) -> IntArray:
    """Free points join the existing cluster they fit best, if they fit well enough (see
    `_homes`; a point's current cluster counts its current points); the points that fit
    none."""
    current: dict[int, list[int]] = defaultdict(list)
    for index in free.tolist():
        cluster_id = assignment.get(corpus.keys[index])
        if cluster_id is not None:
            current[cluster_id].append(index)
    homes, centroids = _homes(corpus, drafts, current)
    if not homes or not len(free):
        return free
    best, score = corpus.space.rows(corpus.owner[free]).nearest(centroids)
    fits = score >= JOIN_THRESHOLD + corpus.background
    for index, home in zip(free[fits].tolist(), best[fits].tolist(), strict=True):
        homes[home].points.append(index)
    return free[~fits]


def _cluster_afresh(corpus: _Corpus, free: IntArray, report: Progress) -> list[_Draft]:
    """New clusters of the free points (copies clustered once)."""
    if not len(free):
        return []
    rows, row_of_free = np.unique(corpus.owner[free], return_inverse=True)
    row_of_free = row_of_free.reshape(-1)
    row_weights = np.zeros(len(rows), dtype=np.float64)
    np.add.at(row_weights, row_of_free, _damped(corpus.weights[free]))
    call = _Call(background=corpus.background, members=_members_of_call(corpus))
    topics = _partition(corpus.space.rows(rows), row_weights, corpus.members[rows], call, report)
    fresh = [_Draft(id=None, existing=None) for _ in range(int(topics.max()) + 1)]
    for index, topic in zip(free.tolist(), topics[row_of_free].tolist(), strict=True):
        fresh[topic].points.append(index)
    return fresh


def _members_of_call(corpus: _Corpus) -> int:
    """The members that sent the call's points, a point of unknown members counting as
    sent by a member of its own."""
    known = set().union(*corpus.organisations) if corpus.organisations else set()
    return len(known) + sum(1 for organisations in corpus.organisations if not organisations)


def _without_single_member(fresh: list[_Draft], corpus: _Corpus) -> tuple[list[_Draft], list[int]]:
    """Fresh clusters of several members, with the points of one-member clusters moved to
    the one they fit best (`SINGLE_JOIN_THRESHOLD` above the background); the points that
    fit none. Only where every point's members are known and the input has two or more."""
    known = [bool(corpus.organisations[corpus.owner[i]]) for i in range(len(corpus.keys))]
    everyone = set().union(*corpus.organisations) if corpus.organisations else set()
    if len(everyone) < 2:
        return fresh, []
    shared: list[_Draft] = []
    alone: list[int] = []
    for draft in fresh:
        members = set().union(*(corpus.organisations[corpus.owner[i]] for i in draft.points))
        if len(members) == 1 and all(known[i] for i in draft.points):
            alone.extend(draft.points)
        else:
            shared.append(draft)
    if not alone or not shared:
        return shared, alone
    centroids = _centres(corpus, [draft.points for draft in shared])
    lonely = np.asarray(alone, dtype=np.int64)
    best, score = corpus.space.rows(corpus.owner[lonely]).nearest(centroids)
    fits = score >= SINGLE_JOIN_THRESHOLD + corpus.background
    for index, home in zip(lonely[fits].tolist(), best[fits].tolist(), strict=True):
        shared[home].points.append(index)
    return shared, lonely[~fits].tolist()


def _damped(weights: FloatArray) -> FloatArray:
    # A campaign of 500 copies should pull its topic's centre, not own it.
    damped: FloatArray = 1.0 + np.log1p(np.maximum(weights, 0.0))
    return damped


def _continue_ids(
    fresh: list[_Draft], drafts: dict[int, _Draft], assignment: Mapping[int, int], keys: list[int]
) -> set[int]:
    """Give fresh clusters the ids of the automatic clusters (without staff-placed points)
    whose points they hold most of, each id at most once; the ids so taken over."""
    overlap: Counter[tuple[int, int]] = Counter()
    for number, draft in enumerate(fresh):
        for index in draft.points:
            before = assignment.get(keys[index])
            if before is not None and not drafts[before].points:
                overlap[(before, number)] += 1
    taken: set[int] = set()
    used: set[int] = set()
    for (before, number), _count in sorted(overlap.items(), key=lambda item: (-item[1], item[0])):
        if before in taken or number in used:
            continue
        taken.add(before)
        used.add(number)
        fresh[number].id = before
        fresh[number].existing = drafts[before].existing
    return taken


@dataclass
class _Corpus:
    """The points of one run and their vectors."""

    points: Sequence[PointInput]
    keys: list[int]
    normals: list[str]
    owner: IntArray  # point index -> row of `space` (exact copies share one)
    space: Space
    lexicon: Lexicon
    idf: FloatArray
    weights: FloatArray  # per point, as given
    background: float  # mean similarity of two distinct texts
    members: IntArray  # per row: its one member, or negative (unknown or several)
    organisations: list[frozenset[int]]  # per row: the members that sent it


def _finish(drafts: list[_Draft], corpus: _Corpus) -> list[TopicCluster]:
    """The drafts as clusters: members most typical first, labels, largest cluster first."""
    if not drafts:
        return []
    drafts = [
        draft
        for draft in drafts
        if draft.points
        or (
            draft.existing is not None
            and (draft.existing.edited_by_staff or draft.existing.discarded)
        )
    ]
    sizes = [len(draft.points) for draft in drafts]
    indices = np.asarray([i for draft in drafts for i in draft.points], dtype=np.int64)
    labels = np.repeat(np.arange(len(drafts), dtype=np.int64), sizes)
    weights = np.array([max(corpus.points[i].weight, 0.0) for i in indices.tolist()])
    # All centroids in one product; then each point's closeness to its cluster's centroid
    # (one product per cluster of two or more: a centroid row per point would not fit).
    rows = corpus.owner[indices]
    centres = _centres(corpus, [draft.points for draft in drafts])
    space = corpus.space.rows(rows)
    closeness = np.ones(len(indices), dtype=np.float64)
    starts = np.concatenate(([0], np.cumsum(sizes)))
    for number in np.flatnonzero(np.asarray(sizes) > 1).tolist():
        start, end = int(starts[number]), int(starts[number + 1])
        product = space.against(centres.rows(np.array([number])), start, end)
        closeness[start:end] = product.reshape(-1)
    keys = np.asarray(corpus.keys, dtype=np.int64)[indices]
    order = np.lexsort((keys, -closeness, labels))
    indices, weights = indices[order], weights[order]
    bounds = np.cumsum(sizes)[:-1]
    result: list[TopicCluster] = []
    for draft, members, member_weights in zip(
        drafts, np.split(indices, bounds), np.split(weights, bounds), strict=True
    ):
        existing = draft.existing
        if existing is not None and (existing.edited_by_staff or existing.discarded):
            label = existing.label
        else:
            label = _name(members, corpus)
        result.append(
            TopicCluster(
                id=draft.id,
                label=label,
                members=tuple(corpus.keys[i] for i in members.tolist()),
                weight=float(member_weights.sum()),
                edited_by_staff=bool(existing and existing.edited_by_staff),
                discarded=bool(existing and existing.discarded),
            )
        )
    result.sort(key=lambda c: (-c.weight, c.members[0] if c.members else 0, c.id or 0))
    return result


def _name(members: IntArray, corpus: _Corpus) -> str:
    """A topic's name: the demand of its most central point (`members` come most central
    first), preferring among the first `NAME_CANDIDATES` distinct ones the demand that most
    members sent (a campaign names its topic, not a fringe point that sits between two
    themes), then one that needs no cut; a point of "nur intern" statements only when no
    other names a demand; the keyword label when no point has a demand to name."""
    candidates: list[tuple[str, bool, int, bool]] = []
    seen: set[str] = set()
    for index in members.tolist():
        if corpus.normals[index] in seen:
            continue
        seen.add(corpus.normals[index])
        point = corpus.points[index]
        name, demanding = _named_demand(point.text)
        if name:
            backers = len(corpus.organisations[int(corpus.owner[index])])
            candidates.append((name, demanding, backers, point.quotable))
        if len(candidates) == NAME_CANDIDATES:
            break
    # guards reads demands with this module's word lists: imported here, not at the top.
    from positions.analysis.guards import negates

    # A topic is named for what its members ask for, not for a member saying no to it.
    ranked = sorted(
        candidates,
        key=lambda found: (
            not found[3],  # staff may read "nur intern" points, but a name travels further
            negates(found[0]),
            not found[1],
            len(found[0].split()) < _VAGUE_WORDS,  # "Verfahren digitalisieren": which?
            -found[2],
            found[0].endswith("…"),
        ),
    )
    if ranked:
        return ranked[0][0]
    texts, text_weights = _distinct_texts(members, np.ones(len(members)), corpus)
    return _label(texts, text_weights, corpus.lexicon, corpus.idf)


def _distinct_texts(
    indices: IntArray, weights: FloatArray, corpus: _Corpus
) -> tuple[list[str], list[float]]:
    """The first `LABEL_MEMBERS` distinct texts among the points, with their damped weights
    (copies add up)."""
    texts: dict[str, str] = {}
    summed: dict[str, float] = defaultdict(float)
    for index, weight in zip(indices.tolist(), weights.tolist(), strict=True):
        normal = corpus.normals[index]
        if normal not in texts:
            if len(texts) == LABEL_MEMBERS:
                continue
            texts[normal] = corpus.points[index].text
        summed[normal] += weight
    return list(texts.values()), [float(_damped(np.array([summed[n]]))[0]) for n in texts]
