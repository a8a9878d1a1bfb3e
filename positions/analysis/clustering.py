"""Topic clusters: points about the same topic though worded differently ("Strompreise
senken", "Energiekosten für Betriebe begrenzen", "Brückenstrompreis einführen"), each with a
short German label from its most characteristic words ("Strompreise · Energiekosten").

Pure functions over texts; the caller gives every point a stable integer key (a Point or
PointGroup id) and maps the results back to its rows.

How points are compared. Each point becomes a TF-IDF vector (smoothed IDF, L2-normalised;
see `tf_idf`) over *terms*: the stems of its content words (function words, modal verbs and
words of demanding such as "fordern" left out), the stems of the parts of its compound
words, and related topics (`Lexicon`). Nouns (written with a capital) carry the topic and
weigh 1; other words ("senken", "schnell") and nouns nearly every demand has ("Betriebe",
"Bund") weigh `OTHER_WEIGHT`. Compound parts are the longest known word ending a word
("Industriestrompreis" → "strompreis" → "preis", "strom"), known words being the words of
the input plus a small domain lexicon; they weigh `PART_WEIGHT`. Related topics come from
that lexicon ("Strom", "Energie", "Gas" are one topic; "Preis", "Kosten", "Entgelt"
another), weigh `TOPIC_WEIGHT` and let "Strompreise senken" meet "Energiekosten begrenzen".
Points are as similar as the cosine of their vectors.

How points are grouped. Thresholds count from the *background*, the mean similarity of two
points (boilerplate such as "Das betrifft vor allem …" makes all points a little alike);
below `BACKGROUND_MIN_POINTS` points it is at most `SMALL_BACKGROUND`, since points there are
alike mostly by topic. Up to `SAMPLE_SIZE` distinct points: average-linkage agglomerative
clustering, cut where the average similarity between two groups falls below
`LINK_THRESHOLD` above the background. More points: the same on a seeded sample, then every
point joins the nearest group centroid if its similarity is `JOIN_THRESHOLD` above the
background; the points left over are sampled again, `SAMPLE_ROUNDS` rounds, and what is
left after that is clustered in chunks of `SAMPLE_SIZE`. Time grows linearly with the number
of points (about n · `SAMPLE_SIZE` similarities, never all pairs). Exact copies (the same
`positions.core.text.normalize` form) are clustered once.

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

from positions.core.text import MODAL_VERBS, STOPWORDS, fold, normalize_all, stem

LINK_THRESHOLD = 0.02  # average similarity beyond the background at which groups are one topic
JOIN_THRESHOLD = 0.12  # similarity to a centroid beyond the background at which a point joins
BACKGROUND_MIN_POINTS = 100  # fewer points: the background is at most SMALL_BACKGROUND
SMALL_BACKGROUND = 0.03
SAMPLE_SIZE = 2000  # points clustered exactly at once (a dense SAMPLE_SIZE² matrix)
SAMPLE_ROUNDS = 4
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


def _background(vectors: sparse.csr_matrix) -> float:
    """The similarity thresholds count from: the mean similarity of two points, capped in
    small inputs, where points are alike because of their topic rather than boilerplate."""
    measured = background_similarity(vectors)
    if vectors.shape[0] < BACKGROUND_MIN_POINTS:
        return min(measured, SMALL_BACKGROUND)
    return measured


def _agglomerate(vectors: sparse.csr_matrix, threshold: float) -> IntArray:
    """Average-linkage groups of at most `SAMPLE_SIZE` unit vectors, numbered 0, 1, …"""
    count = vectors.shape[0]
    if count <= 1:
        return np.zeros(count, dtype=np.int64)
    similarity = np.asarray((vectors @ vectors.T).toarray(), dtype=np.float64)
    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
    return _first_seen_numbers(np.asarray(labels, dtype=np.int64))


def _normalized_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).reshape(-1))
    norms[norms == 0] = 1.0
    result: sparse.csr_matrix = sparse.diags(1.0 / norms) @ matrix
    return result.tocsr()


def _centroids(
    vectors: sparse.csr_matrix, labels: IntArray, weights: FloatArray, count: int
) -> sparse.csr_matrix:
    """Unit centroid per label 0 … count-1 (the weighted mean direction of its vectors)."""
    membership = sparse.csr_matrix(
        (weights, (labels, np.arange(len(labels)))), shape=(count, len(labels))
    )
    return _normalized_rows((membership @ vectors).tocsr())


def _nearest(
    vectors: sparse.csr_matrix, centroids: sparse.csr_matrix
) -> tuple[IntArray, FloatArray]:
    """For each vector the index of its most similar centroid and that similarity."""
    best = np.zeros(vectors.shape[0], dtype=np.int64)
    score = np.zeros(vectors.shape[0], dtype=np.float64)
    if centroids.shape[0] == 0:
        return best, score
    transposed = centroids.T.tocsc()
    for first in range(0, vectors.shape[0], _ASSIGN_CHUNK):
        similarity = (vectors[first : first + _ASSIGN_CHUNK] @ transposed).tocsr()
        best[first : first + similarity.shape[0]] = np.asarray(similarity.argmax(axis=1)).reshape(
            -1
        )
        score[first : first + similarity.shape[0]] = similarity.max(axis=1).toarray().reshape(-1)
    return best, score


def _partition(
    vectors: sparse.csr_matrix, weights: FloatArray, background: float, report: Progress
) -> IntArray:
    """Topic numbers 0, 1, … for unit vectors (see the module docstring for how); points
    sharing boilerplate ("Das betrifft vor allem …") are all a little alike, so thresholds
    count from the `background` similarity of any two points."""
    count = vectors.shape[0]
    link = LINK_THRESHOLD + background
    join = JOIN_THRESHOLD + background
    if count <= SAMPLE_SIZE:
        return _agglomerate(vectors, link)
    labels = np.full(count, -1, dtype=np.int64)
    rng = np.random.default_rng(SEED)
    remaining = np.arange(count, dtype=np.int64)
    topics = 0
    for round_number in range(SAMPLE_ROUNDS):
        if len(remaining) <= SAMPLE_SIZE:
            break
        sample = np.sort(rng.choice(remaining, size=SAMPLE_SIZE, replace=False))
        local = _agglomerate(vectors[sample], link)
        found = int(local.max()) + 1
        labels[sample] = local + topics
        centroids = _centroids(vectors[sample], local, weights[sample], found)
        rest = remaining[labels[remaining] < 0]
        best, score = _nearest(vectors[rest], centroids)
        joined = score >= join
        labels[rest[joined]] = best[joined] + topics
        remaining = rest[~joined]
        topics += found
        report(0.3 + 0.5 * (round_number + 1) / SAMPLE_ROUNDS)
    # What fits no sampled topic is clustered in chunks; outliers stay on their own.
    for first in range(0, len(remaining), SAMPLE_SIZE):
        chunk = remaining[first : first + SAMPLE_SIZE]
        local = _agglomerate(vectors[chunk], link)
        labels[chunk] = local + topics
        topics += int(local.max()) + 1
    return _first_seen_numbers(labels)


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


# --- clustering with staff edits -----------------------------------------------------------


@dataclass(frozen=True)
class PointInput:
    """A point to cluster: `key` is the caller's stable id (a Point or PointGroup id);
    `weight` is how many points it stands for (a near-duplicate group's size)."""

    key: int
    text: str
    weight: float = 1.0


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
    or pinned outside every cluster by staff); `removed` are ids of existing automatic
    clusters left without points, which the caller may delete."""

    clusters: tuple[TopicCluster, ...]
    unclustered: tuple[int, ...] = ()
    removed: tuple[int, ...] = ()
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
    Labels of clusters staff edited or discarded are kept; others are recomputed. The same
    input gives the same result on every run.
    """
    report = progress or (lambda _fraction: None)
    report(0.0)
    assignment = assignment or {}
    corpus = _corpus(points)
    report(0.2)

    clusters = {cluster.id: cluster for cluster in existing}
    for cluster_id in assignment.values():
        clusters.setdefault(cluster_id, ExistingCluster(id=cluster_id, label=""))
    drafts = {cid: _Draft(id=cid, existing=cluster) for cid, cluster in clusters.items()}
    free, unclustered = _place_fixed(corpus, drafts, assignment, set(pinned))
    free = _join_existing(corpus, drafts, free, assignment)
    report(0.3)
    fresh = _cluster_afresh(corpus, free, report)
    taken_over = _continue_ids(fresh, drafts, assignment, corpus.keys)
    report(0.85)

    kept = [draft for cid, draft in drafts.items() if cid not in taken_over]
    result = _finish([*kept, *fresh], corpus)
    listed = {cluster.id for cluster in result}
    removed = sorted(cid for cid in drafts if cid not in listed and cid not in taken_over)
    report(1.0)
    return ClusterResult(
        clusters=tuple(result), unclustered=tuple(unclustered), removed=tuple(removed)
    )


def _corpus(points: Sequence[PointInput]) -> _Corpus:
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
    vectors, lexicon, idf = topic_vectors([points[i].text for i in first_of], list(slot_of))
    return _Corpus(
        points=points,
        keys=keys,
        normals=normals,
        owner=owner,
        vectors=vectors,
        lexicon=lexicon,
        idf=idf,
        weights=np.array([max(point.weight, 0.0) for point in points], dtype=np.float64),
        background=_background(vectors),
    )


def _place_fixed(
    corpus: _Corpus, drafts: dict[int, _Draft], assignment: Mapping[int, int], pinned: set[int]
) -> tuple[IntArray, list[int]]:
    """Put what staff placed into its cluster; the indices of the other points with words
    to compare, and the keys of points that stay in no cluster."""
    free: list[int] = []
    unclustered: list[int] = []
    has_terms = np.diff(corpus.vectors.indptr) > 0
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


def _homes(
    corpus: _Corpus, drafts: dict[int, _Draft], current: Mapping[int, list[int]]
) -> tuple[list[_Draft], sparse.csr_matrix]:
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
    placed = np.asarray([index for indices in basis for index in indices], dtype=np.int64)
    labels = np.repeat(np.arange(len(homes)), [len(indices) for indices in basis])
    centroids = _centroids(
        corpus.vectors[corpus.owner[placed]], labels, _damped(corpus.weights[placed]), len(homes)
    )
    return homes, centroids


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
    best, score = _nearest(corpus.vectors[corpus.owner[free]], centroids)
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
    topics = _partition(corpus.vectors[rows], row_weights, corpus.background, report)
    fresh = [_Draft(id=None, existing=None) for _ in range(int(topics.max()) + 1)]
    for index, topic in zip(free.tolist(), topics[row_of_free].tolist(), strict=True):
        fresh[topic].points.append(index)
    return fresh


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
    owner: IntArray  # point index -> row of `vectors` (exact copies share one)
    vectors: sparse.csr_matrix
    lexicon: Lexicon
    idf: FloatArray
    weights: FloatArray  # per point, as given
    background: float  # mean similarity of two distinct texts


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
    rows = corpus.vectors[corpus.owner[indices]]
    centres = _centroids(rows, labels, _damped(weights), len(drafts))
    closeness = np.ones(len(indices), dtype=np.float64)
    starts = np.concatenate(([0], np.cumsum(sizes)))
    for number in np.flatnonzero(np.asarray(sizes) > 1).tolist():
        start, end = starts[number], starts[number + 1]
        product = rows[start:end] @ centres[number].T
        closeness[start:end] = np.asarray(product.toarray()).reshape(-1)
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
            texts, text_weights = _distinct_texts(members, member_weights, corpus)
            label = _label(texts, text_weights, corpus.lexicon, corpus.idf)
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
