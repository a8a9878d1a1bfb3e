"""Tracing: which member points a paragraph that staff wrote or pasted rests on.

`TraceIndex(points)` prepares a call's points once; `index.trace(paragraph)` then suggests
the points one paragraph rests on in milliseconds; `trace(paragraphs, points)` does both for
many paragraphs at once. Trace against the canonical points of near-duplicate groups and
the singletons: copies of one point are all suggested, and take the places of others.

Texts are compared as sets of *features*: the stems of their content words (function and
demand words left out), the parts of compound words and related topics
(`positions.analysis.clustering.Lexicon`), and pairs of content stems within `WINDOW` consecutive
content words (word shingles, order ignored: "Zahnräder und Dichtungen in Hagen" shares a
pair with "Dichtungen, Zahnräder und Stanzteile"). A feature weighs its kind (a noun 1,
another word `OTHER_WEIGHT`, a part `PART_WEIGHT`, a topic `TOPIC_WEIGHT`, a pair
`PAIR_WEIGHT`) times its inverse document frequency among the points. A point's *demand* is
the main clauses of its demand sentences (`positions.core.text.is_demand`; "…, weil …" and
"…, damit …" clauses left out, but "dass" clauses kept: in "Wir fordern, dass der Bund …" the
"dass" clause is the demand, not "wir fordern"), or of all its sentences if none is a demand.

Meaning: each point is embedded once per index (`embed`, by default
`positions.core.embeddings.embed`; DB-backed callers pass `StoredEmbeddings`, so a text is
embedded once at all), and so is each sentence of a paragraph; a point's *closeness* is its
cosine similarity with the paragraph's closest sentence. The `SEMANTIC_CANDIDATES` closest
points are candidates too. A *rewording*, a point at least `SEMANTIC_SOURCE` close whose
demand the paragraph's words do not take up (rule 1) and whose words alone would not be
chosen, counts as taking up the demand and as explaining enough (rule 2); its `score` is then
its closeness. Points whose words take their demand up are chosen by their words only: one
more member making the same demand for other products or places is close in meaning too
(0.6 and more), and the greedy choice by words is what tells it apart.
Embeddings do not see negation, figures or addressees, so the guards of rule 4 stay
decisive for every point, whether chosen by words or by meaning.

A paragraph rests on a point when

1. it takes up the point's demand: at least `DEMAND_SHARE` of the weight of one of its
   demand sentences is in the paragraph ("Das betrifft auch Hagen" in a paragraph on
   another demand makes no source);
2. the point explains part of the paragraph that better sources do not: sources are chosen
   greedily, each time the point explaining the most paragraph weight not yet explained,
   while that gain is at least `MIN_GAIN` times the weight of a word no other point has (or
   `MIN_GAIN_SHARE` of the paragraph's weight, if less). So of 40 points making the
   paragraph's demand, those whose products and places the paragraph also names are
   chosen, not all 40;
3. it takes up enough of the point: at least `threshold` of the point's weight, or the
   point is at least `SEMANTIC_SOURCE` close in meaning to one of the paragraph's sentences
   (a short paragraph takes up little of a long point that makes two demands, though it
   says what the point says of one of them);
4. it does not contradict the paragraph: a point the greedy choice picks whose demand names
   other figures, another addressee, the opposite stance, another measure for the same thing
   ("abschaffen" / "senken"), another place or another group of companies than the paragraph
   sentence taking it up ("bis 2035" for "bis 2030, 8 ct", "Das Land muss …" for "Der Bund
   muss …", "lehnen wir ab" for "Wir fordern …"; `positions.analysis.guards.contradictions`)
   is no source but a `Conflict`, which staff are shown; it leaves the paragraph's words
   unexplained for the points that follow. What the paragraph leaves out is no
   contradiction. A point that only rejects, picked for a paragraph that rejects nothing, is
   a stance conflict even where no sentence of the paragraph takes it up word for word.

Copies: a point chosen brings its copies with it, those with the same features and those
whose normalised words are a run of its own or contain it (at least `CONTAINED_MIN_WORDS`
words), and so on for the copies found: a campaign text that one member split at a colon
where the others wrote a full stop is one point there and two elsewhere, and all of them are
sources. A caller that indexes only the canonical wording of each near-duplicate group
passes the other members as `copies`, and runs of them count as well. Of `top` places, the
points chosen take the first and their copies the rest, so a campaign of ten copies does not
crowd out a paragraph's second source.

A point's stem of at least `FUZZY_MIN_LENGTH` letters that the paragraph lacks counts as
present when rapidfuzz's `fuzz.ratio` finds a paragraph stem at `FUZZY_CUTOFF` or better
(typos: "Förderprogamme").

Limits, measured (`bench.tracing`, traced as the paper editor does: near-duplicate groups
first, each suggestion counting with its copies). The held-out paragraphs are labelled with
every member who made their demand; against them precision is 0.93-0.94 and recall only
0.45-0.57 (the fourth set, never read: P 0.94 R 0.45, no look-alike suggested, but three of
its five paragraphs that rest on no point get a suggestion). Reading the third set's false
conflicts (demands that forbid something taken for refusals) brought the labelled sources
reported as conflicts there from 10 to 1 and on the first set from 4 to 1, and left the
fourth set where it was (one source fewer). Rule 2 picks
the points that explain the paragraph, and another member making the same demand in other
words explains nothing new. Suggesting such points as well (those the paragraph takes up
at least half) raised recall by 0.02-0.04 and suggested more look-alikes; by meaning alone
(the embeddings) a look-alike cannot be told from a rewording.

Related points. Such points are therefore offered apart, for staff to check
(`Findings.related`, at most `RELATED_TOP`, only for a paragraph with sources): points not
chosen that are close in meaning to a sentence of the paragraph (`RELATED_MEANING`) and
share part of their demand's words (`RELATED_DEMAND`), or are closer still
(`RELATED_CLOSE`), and do not contradict it.
Chosen on the spent sets (there 52 of 88 related points are labelled sources, recall with
them 0.67 instead of 0.55); on the fourth set, measured once: 12 of 17, recall 0.45 → 0.54.
Look-alikes are among them (2 on the fourth set): staff check each before linking it.

Speed: the shares of every point in every paragraph come from one sparse matrix product
(paragraphs × features × points), the closeness from one dense product (paragraph sentences
× points × 512); the `CANDIDATES` points with the largest share and the `CANDIDATES` with the
largest amount, and the `SEMANTIC_CANDIDATES` closest, are then aligned and chosen per
paragraph, with small sparse products. Nothing loops over all pairs. Embedding is the cost:
a cold index of 5,000 points takes a minute or more on two cores (once; cached afterwards).
Contradictions are read only for the points the greedy choice picks, each point once per
index.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process
from scipy import sparse  # type: ignore[import-untyped]

from positions.analysis import guards
from positions.analysis.clustering import Lexicon, is_content_word
from positions.analysis.guards import main_clauses
from positions.core import embeddings
from positions.core.embeddings import Embed
from positions.core.text import fold, is_demand, normalize_all, split_sentences, stem

THRESHOLD = 0.15
DEMAND_SHARE = 0.1
MIN_GAIN = 1.2
MIN_GAIN_SHARE = 0.5
TOP = 10  # suggestions per paragraph: a demand ten members made has ten sources
CANDIDATES = 60
OTHER_WEIGHT = 0.6
PART_WEIGHT = 0.25
TOPIC_WEIGHT = 0.2
PAIR_WEIGHT = 0.5
WINDOW = 3
FUZZY_CUTOFF = 85
FUZZY_MIN_LENGTH = 6
# Meaning (sentence embeddings, cosine similarity of a point with the paragraph's closest
# sentence): the points closest in meaning are candidates too, and a rewording (a point whose
# demand the paragraph's words do not take up) at least `SEMANTIC_SOURCE` close is a source.
SEMANTIC_CANDIDATES = 20
SEMANTIC_SOURCE = 0.6
RELATED_MEANING = 0.45  # a related point is at least this close in meaning …
RELATED_DEMAND = 0.2  # … and the paragraph has this share of its demand's words, …
RELATED_CLOSE = 0.55  # … or it is this close
RELATED_TOP = 5
# Copies of part of a point: a point whose words (normalised) are a run of the chosen one's,
# or the other way round, of at least this many words (a campaign copy split otherwise).
CONTAINED_MIN_WORDS = 4
MAX_WORDS = 2000  # words of one text that are compared; a 50,000-character paste is cut
_CELLS = 2_000_000  # paragraph × point scores held at once (16 MB)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Features = dict[object, float]  # feature (term id, or pair of term ids) -> kind weight


@dataclass(frozen=True)
class Trace:
    """A point a paragraph rests on: its index among the points, the share of its weight
    found in the paragraph (`score`) and the share of its demand (`demand`), 0 … 1."""

    point_index: int
    score: float
    demand: float


@dataclass(frozen=True)
class Conflict:
    """A point the paragraph would rest on but contradicts: how (`contradictions`), and the
    share of its weight found in the paragraph (`score`)."""

    point_index: int
    score: float
    contradictions: tuple[guards.Contradiction, ...]


@dataclass(frozen=True)
class Findings:
    """What tracing finds for one paragraph: its sources, the conflicts staff must see, and
    `related` points that make the paragraph's demand in other words (`score` is their
    closeness in meaning): less certain, for staff to check."""

    sources: list[Trace]
    conflicts: list[Conflict]
    related: list[Trace] = field(default_factory=list)


class TraceIndex:
    """A call's points, prepared for tracing many paragraphs against them."""

    def __init__(
        self,
        points: Sequence[str],
        *,
        embed: Embed | None = None,
        copies: Sequence[Sequence[str]] = (),
    ) -> None:
        """`copies`: per point, the texts of its near-duplicates left out of `points` (the
        caller traces a group's canonical wording only); a point whose words are a run of
        one of them is a copy of that point too."""
        self.size = len(points)
        self._texts = points
        self._embed: Embed = embed if embed is not None else embeddings.embed
        self._demand_claims: dict[int, tuple[guards.Claim, ...]] = {}
        self._lexicon = Lexicon(
            other_weight=OTHER_WEIGHT, part_weight=PART_WEIGHT, topic_weight=TOPIC_WEIGHT
        )
        normals = normalize_all(points)
        self._normals = [f" {normal} " for normal in normals]
        self._copy_normals = [
            [f" {normal} " for normal in normalize_all(list(texts))] for texts in copies
        ]
        self._lexicon.learn(points, normals)
        # Computed once per index (and per text, with a cache behind `embed`).
        self._vectors = np.asarray(self._embed(list(points)), dtype=np.float32).reshape(
            self.size, embeddings.DIMENSIONS
        )
        self._columns: dict[object, int] = {}
        kinds = self._kinds(normals, grow=True)
        count = max(len(self._columns), 1)
        frequency = np.bincount(kinds.indices, minlength=count)
        self._idf: FloatArray = np.log((1.0 + self.size) / (1.0 + frequency)) + 1.0
        self._rarest = float(np.log(1.0 + self.size) + 1.0)
        self._points = self._weighted(kinds)
        self._points_t = self._points.T.tocsr()
        self._totals = _positive(np.asarray(self._points.sum(axis=1)).reshape(-1))

        # Stem names per column, for aligning spellings the stemmer leaves apart.
        terms = self._lexicon.terms
        self._stem_of: list[str] = [""] * count
        for key, column in self._columns.items():
            if isinstance(key, int) and not terms[key].startswith("#"):
                self._stem_of[column] = terms[key]
        self._alignable = np.array([len(name) >= FUZZY_MIN_LENGTH for name in self._stem_of])

        # The demand of each point: one row per demand sentence, rows of a point together.
        demands: list[str] = []
        owners: list[int] = []
        for number, point in enumerate(points):
            clauses = _demand_clauses(point)
            demands.extend(clauses)
            owners.extend([number] * len(clauses))
        self._demands = self._weighted(self._kinds(normalize_all(demands)))
        self._demand_totals = _positive(np.asarray(self._demands.sum(axis=1)).reshape(-1))
        self._demand_owner = np.asarray(owners, dtype=np.int64)
        self._demand_bounds = np.searchsorted(self._demand_owner, np.arange(self.size + 1))

    # --- features -------------------------------------------------------------------------

    def _kinds(self, normals: Sequence[str], *, grow: bool = False) -> sparse.csr_matrix:
        """Normalised texts × columns, each entry the weight of the feature's kind; features
        the points do not have are left out, unless `grow` adds them as new columns."""
        columns = self._columns
        lookup = self._lexicon.lookup
        indptr = [0]
        cols: list[int] = []
        data: list[float] = []
        for normal in normals:
            found: Features = {}
            get = found.get
            recent: list[int] = []
            for word in normal.split()[:MAX_WORDS]:
                terms = lookup(word)
                if not terms:
                    continue
                for term, weight in terms:
                    if weight > get(term, 0.0):
                        found[term] = weight
                own = terms[0][0]
                for other in recent:
                    if other != own:
                        found[(other, own) if other < own else (own, other)] = PAIR_WEIGHT
                recent.append(own)
                if len(recent) >= WINDOW:
                    del recent[0]
            for key, weight in found.items():
                column = columns.get(key)
                if column is None:
                    if not grow:
                        continue
                    column = columns[key] = len(columns)
                cols.append(column)
                data.append(weight)
            indptr.append(len(cols))
        return sparse.csr_matrix(
            (np.asarray(data, dtype=np.float64), np.asarray(cols, dtype=np.int64), indptr),
            shape=(len(normals), max(len(columns), 1)),
        )

    def _weighted(self, kinds: sparse.csr_matrix) -> sparse.csr_matrix:
        """Kind weights times inverse document frequency."""
        weighted = kinds.copy()
        weighted.data = weighted.data * self._idf[weighted.indices]
        return weighted

    # --- tracing --------------------------------------------------------------------------

    def trace(self, paragraph: str, *, top: int = TOP, threshold: float = THRESHOLD) -> list[Trace]:
        """The points `paragraph` rests on, the most explaining first (see the module
        docstring); at most `top`."""
        return self.find(paragraph, top=top, threshold=threshold).sources

    def trace_all(
        self, paragraphs: Sequence[str], *, top: int = TOP, threshold: float = THRESHOLD
    ) -> list[list[Trace]]:
        """`trace` of every paragraph, in order."""
        return [found.sources for found in self.find_all(paragraphs, top=top, threshold=threshold)]

    def find(self, paragraph: str, *, top: int = TOP, threshold: float = THRESHOLD) -> Findings:
        """The points `paragraph` rests on, and those it would rest on but contradicts; at most
        `top` of each, the most explaining first."""
        return self.find_all([paragraph], top=top, threshold=threshold)[0]

    def find_all(
        self, paragraphs: Sequence[str], *, top: int = TOP, threshold: float = THRESHOLD
    ) -> list[Findings]:
        """`find` of every paragraph, in order."""
        result: list[Findings] = []
        chunk = max(1, _CELLS // max(self.size, 1))
        for first in range(0, len(paragraphs), chunk):
            result.extend(self._trace_chunk(paragraphs[first : first + chunk], top, threshold))
        return result

    def _trace_chunk(self, paragraphs: Sequence[str], top: int, threshold: float) -> list[Findings]:
        if not self.size or top <= 0:
            return [Findings([], []) for _ in paragraphs]
        kinds = self._kinds(normalize_all(paragraphs))
        presence = kinds.copy()
        presence.data[:] = 1.0
        # How much of each point's weight the paragraph has: the candidates are the points
        # with the largest share and with the largest amount.
        shared = np.asarray((presence @ self._points_t).toarray())
        semantic = self._semantic(paragraphs)
        count = min(CANDIDATES, self.size)
        closest = min(SEMANTIC_CANDIDATES, self.size)
        candidates = np.concatenate(
            [
                np.argpartition(-(shared / self._totals), count - 1, axis=1)[:, :count],
                np.argpartition(-shared, count - 1, axis=1)[:, :count],
                np.argpartition(-semantic, closest - 1, axis=1)[:, :closest],
            ],
            axis=1,
        )
        found: list[Findings] = []
        for row, paragraph in enumerate(paragraphs):
            start, end = kinds.indptr[row], kinds.indptr[row + 1]
            own = np.unique(candidates[row])
            read = _Paragraph(paragraph)
            columns = kinds.indices[start:end]
            closeness = semantic[row, own].astype(np.float64)
            findings = self._choose(
                read, columns, kinds.data[start:end], own, closeness, top=top, threshold=threshold
            )
            if findings.sources:  # a paragraph resting on no point has no related ones either
                related = self._related(read, columns, own, closeness, findings)
                findings = replace(findings, related=related)
            found.append(findings)
        return found

    def _semantic(self, paragraphs: Sequence[str]) -> FloatArray:
        """Paragraphs × points: the cosine similarity of each point with the closest of the
        paragraph's sentences."""
        texts: list[str] = []
        owners: list[int] = []
        for row, paragraph in enumerate(paragraphs):
            pieces = split_sentences(paragraph[: MAX_WORDS * 20])[: guards.MAX_SENTENCES]
            for piece in pieces or [paragraph]:
                texts.append(piece)
                owners.append(row)
        result = np.zeros((len(paragraphs), self.size), dtype=np.float32)
        if not texts or not self.size:
            return result.astype(np.float64)
        vectors = np.asarray(self._embed(texts), dtype=np.float32)
        similar = embeddings.similarities(vectors, self._vectors)
        np.maximum.at(result, np.asarray(owners), similar)
        return result.astype(np.float64)

    def _choose(
        self,
        paragraph: _Paragraph,
        columns: IntArray,
        kind_weights: FloatArray,
        candidates: IntArray,
        semantic: FloatArray,
        *,
        top: int,
        threshold: float,
    ) -> Findings:
        """Sources among the candidates, chosen greedily, and the conflicts among those picked
        (see the module docstring)."""
        weights = kind_weights * self._idf[columns]
        aligned = self._aligned(columns, candidates)
        if len(aligned):
            columns = np.concatenate([columns, aligned])
            weights = np.concatenate([weights, self._idf[aligned]])
        if not len(columns):
            return Findings([], [])
        found = self._points[candidates][:, columns].tocsr()
        score = np.asarray(found.sum(axis=1)).reshape(-1) / self._totals[candidates]
        demand = self._demand_shares(candidates, columns)
        # A rewording: close in meaning, though the words do not take its demand up (points
        # whose words do are chosen by their words: one more point making the same demand
        # for other products or places is close in meaning too, and no source).
        close = (semantic >= SEMANTIC_SOURCE) & (demand < DEMAND_SHARE)
        keep = (demand >= DEMAND_SHARE) | close
        candidates, score, demand = candidates[keep], score[keep], demand[keep]
        close = close[keep]
        # Close in meaning: the similarity stands for the share of words found (ties are
        # still broken by the words).
        share = score
        score = np.where(close, np.maximum(score, semantic[keep]), score)
        # Rule 3 by meaning as well: a short paragraph takes up little of a long point that
        # makes two demands ("… bis 2030 und die Senkung der Stromsteuer …") though it says
        # what the point says about one of them.
        meant = semantic[keep] >= SEMANTIC_SOURCE
        score = np.where(meant, np.maximum(score, semantic[keep]), score)
        explains = found[keep].tocsr()
        explains.data[:] = 1.0
        residual = weights.copy()
        # Enough gain: as much as a rare word or so, or half the paragraph (a paragraph of
        # words every point uses still rests on the point that says all of it).
        least_gain = min(MIN_GAIN * self._rarest, MIN_GAIN_SHARE * float(weights.sum()))
        # A point that says what the paragraph says in other words explains enough by meaning;
        # one the words would pick anyway competes by its words (so that of two points
        # alike, the one whose words the paragraph has not yet explained is picked).
        bonus = np.where(close & (explains @ residual < least_gain), least_gain, 0.0)
        available = np.ones(len(candidates), dtype=bool)
        # Each group is a chosen point and its copies; `top` counts groups, so that copies of
        # one campaign do not crowd out the paragraph's other sources.
        groups: list[list[Trace]] = []
        conflicts: list[Conflict] = []
        while available.any() and len(groups) < top:
            gains = np.where(available, explains @ residual + bonus, -1.0)
            # Most gain first; on a tie the larger share, then the earlier point.
            best = int(np.lexsort((candidates, -share, -gains))[0])
            if gains[best] < least_gain:
                break
            agreed = False
            group: list[Trace] = []
            # Copies of the chosen point (the same features, or a run of its words: a campaign
            # copy split otherwise) are sources just as much, unless they contradict the
            # paragraph ("bis 2035" has the features of "bis 2030").
            copies = self._copies(best, candidates, available, gains)
            for other in dict.fromkeys(copies):
                available[other] = False
                point = int(candidates[other])
                differences = guards.contradictions(
                    self._claims_of(point), paragraph.claims
                ) or _stance_against(self._claims_of(point), paragraph.claims)
                if differences:
                    if score[other] >= threshold and len(conflicts) < top:
                        conflicts.append(
                            Conflict(point, round(float(score[other]), 4), differences)
                        )
                    continue
                agreed = True
                if score[other] >= threshold:
                    group.append(
                        Trace(
                            point_index=point,
                            score=round(float(score[other]), 4),
                            demand=round(float(demand[other]), 4),
                        )
                    )
            if group:
                groups.append(group)
            if agreed:
                explained = explains.indices[explains.indptr[best] : explains.indptr[best + 1]]
                residual[explained] = 0.0
        # The best of each group first, then the copies, in the order chosen.
        chosen = [group[0] for group in groups] + [t for group in groups for t in group[1:]]
        return Findings(chosen[:top], conflicts)

    def _related(
        self,
        paragraph: _Paragraph,
        columns: IntArray,
        candidates: IntArray,
        semantic: FloatArray,
        found: Findings,
    ) -> list[Trace]:
        """Candidates not chosen that make the paragraph's demand in other words: close in
        meaning to one of its sentences (`RELATED_MEANING`) and sharing part of their demand's
        words (`RELATED_DEMAND`), or closer (`RELATED_CLOSE`); never one that contradicts
        the paragraph. Rule 2 leaves them out (another member's wording explains nothing
        new), yet the paragraph rests on them too; meaning cannot tell a rewording from a
        look-alike, so they are offered apart, the closest first."""
        taken = {t.point_index for t in found.sources} | {c.point_index for c in found.conflicts}
        close = np.flatnonzero(semantic >= RELATED_MEANING)
        close = close[[int(candidates[row]) not in taken for row in close.tolist()]]
        if not len(close) or not len(columns):
            return []
        close = close[np.argsort(-semantic[close], kind="stable")]
        demand = self._demand_shares(candidates[close], columns)
        related: list[Trace] = []
        for row, share in zip(close.tolist(), demand.tolist(), strict=True):
            point = int(candidates[row])
            if share < RELATED_DEMAND and semantic[row] < RELATED_CLOSE:
                continue
            claims = self._claims_of(point)
            if guards.contradictions(claims, paragraph.claims) or _stance_against(
                claims, paragraph.claims
            ):
                continue
            related.append(Trace(point, round(float(semantic[row]), 4), round(share, 4)))
            if len(related) == RELATED_TOP:
                break
        return related

    def _copies(
        self, best: int, candidates: IntArray, available: NDArray[np.bool_], gains: FloatArray
    ) -> list[int]:
        """The chosen candidate and its copies among the available ones: the same features,
        or a run of the words of the chosen one or of a copy found before ("Die Abschreibung
        muss dauerhaft gelten." is a run of one copy, not of the wording chosen)."""
        found = [best]
        others = [other for other in np.flatnonzero(available).tolist() if other != best]
        for copy in found:
            for other in others:
                same = gains[other] == gains[copy] and self._same(
                    candidates[other], candidates[copy]
                )
                if other not in found and (
                    same or self._contained(int(candidates[other]), int(candidates[copy]))
                ):
                    found.append(other)
        return found

    def _claims_of(self, point: int) -> tuple[guards.Claim, ...]:
        """What a point demands, read when first needed (few points are ever picked)."""
        found = self._demand_claims.get(point)
        if found is None:
            text = self._texts[point][: MAX_WORDS * 20]
            found = self._demand_claims[point] = guards.demand_claims(_with_content_clauses(text))
        return found

    def _contained(self, point: int, other: int) -> bool:
        """Whether one point's normalised words are a run of the other's (at least
        `CONTAINED_MIN_WORDS` words): the same member text, split into points otherwise."""
        if point == other:
            return True
        return any(
            _run_of(first, second)
            for first in self._wordings(point)
            for second in self._wordings(other)
        )

    def _wordings(self, point: int) -> list[str]:
        """The normalised words of a point and of its copies left out of the index."""
        own = self._normals[point]
        return [own, *self._copy_normals[point]] if point < len(self._copy_normals) else [own]

    def _same(self, point: int, other: int) -> bool:
        """Whether two points have the same features (copies after normalising)."""
        rows = self._points
        first = rows.indices[rows.indptr[point] : rows.indptr[point + 1]]
        second = rows.indices[rows.indptr[other] : rows.indptr[other + 1]]
        return bool(np.array_equal(np.sort(first), np.sort(second)))

    def _demand_shares(self, candidates: IntArray, columns: IntArray) -> FloatArray:
        """Per candidate the largest share of one of its demand sentences in `columns`."""
        starts = self._demand_bounds[candidates]
        sizes = self._demand_bounds[candidates + 1] - starts
        rows = np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
        found = self._demands[rows][:, columns]
        shares = np.asarray(found.sum(axis=1)).reshape(-1) / self._demand_totals[rows]
        result = np.zeros(len(candidates), dtype=np.float64)
        has = sizes > 0
        if has.any():
            offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))[has]
            result[has] = np.maximum.reduceat(shares, offsets)
        return result

    def _aligned(self, columns: IntArray, candidates: IntArray) -> IntArray:
        """Columns of candidate stems that rapidfuzz finds in a paragraph stem though the
        stemmer left them apart ("foerderprogam" / "foerderprogramm")."""
        choices = [self._stem_of[c] for c in columns.tolist() if self._alignable[c]]
        if not choices:
            return np.zeros(0, dtype=np.int64)
        rows = self._points[candidates]
        missing: IntArray = np.setdiff1d(np.unique(rows.indices), columns).astype(np.int64)
        missing = missing[self._alignable[missing]]
        if not len(missing):
            return missing
        names = [self._stem_of[c] for c in missing.tolist()]
        scores = process.cdist(
            names, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, dtype=np.uint8
        )
        hits: IntArray = missing[np.asarray(scores).max(axis=1) > 0]
        return hits


class _Paragraph:
    """A paragraph being traced; its claims are read only if a point is picked."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._claims: tuple[guards.Claim, ...] | None = None

    @property
    def claims(self) -> tuple[guards.Claim, ...]:
        if self._claims is None:
            self._claims = guards.claims(_with_content_clauses(self.text[: MAX_WORDS * 20]))
        return self._claims


def _stance_against(
    theirs: Sequence[guards.Claim], ours: Sequence[guards.Claim]
) -> tuple[guards.Contradiction, ...]:
    """A point that only says no, picked for a paragraph that says no to nothing: a stance
    contradiction even where the guards find no sentence of the paragraph that takes the
    point's up word for word ("Eine Senkung der Stromsteuer lehnen wir ab, solange …" for
    "Die Stromsteuer muss … gesenkt werden")."""
    # A point that forbids something ("darf nicht … werden") demands; it does not say no.
    refuses = all(c.negates and c.forbids is None for c in theirs)
    if theirs and ours and refuses and not any(c.negates for c in ours):
        return (guards.Contradiction(guards.STANCE, (guards.REJECTS,), (guards.DEMANDS,)),)
    return ()


def _run_of(first: str, second: str) -> bool:
    """Whether the shorter of two normalised texts (" words … ") is a run of the longer's
    words, of more than `CONTAINED_MIN_WORDS` words."""
    shorter, longer = (first, second) if len(first) <= len(second) else (second, first)
    return shorter.count(" ") > CONTAINED_MIN_WORDS and shorter in longer


def _positive(values: FloatArray) -> FloatArray:
    return np.where(values > 0, values, 1.0)


# ", dass" after a frame ("Wir fordern, dass …", "Es ist notwendig, dass …", "Wir setzen
# uns dafür ein, dass …"): the clause is what is demanded, not a reason.
_CONTENT_CLAUSE = re.compile(r",\s*(?=dass\b)", re.IGNORECASE)


def _with_content_clauses(text: str) -> str:
    """`text` with the comma before "dass" dropped, so that `main_clauses` and the guards'
    claims keep a demand's content clause ("Wir fordern, dass der Bund …" is read as "wir
    fordern dass der bund …", not as "wir fordern")."""
    return _CONTENT_CLAUSE.sub(" ", text)


def _demand_clauses(point: str) -> list[str]:
    """The main clauses of a point's demand sentences (of all sentences if none demands),
    with their "dass" clauses."""
    sentences = split_sentences(point[: MAX_WORDS * 20]) or [point]
    demands = [sentence for sentence in sentences if is_demand(sentence)] or sentences
    return [
        " ".join(main_clauses(_with_content_clauses(sentence))) or sentence for sentence in demands
    ]


# --- what to mark ----------------------------------------------------------------------------

MIN_MARKED_WORDS = 2  # fewer shared words than this: the sentence closest in meaning is marked
MARK_SIMILARITY = 0.4  # ... if it is at least this close (unrelated sentences score < 0.3)
_WORD = re.compile(r"[^\W_]+")
Fragments = tuple[tuple[str, bool], ...]


def marked(paragraph: str, point: str, *, embed: Embed | None = None) -> Fragments:
    """The point's text in pieces, True marking what it shares with the paragraph: its content
    words whose stems the paragraph has ("Netzentgelte" for "Netzentgelten"), or, where it
    shares fewer than `MIN_MARKED_WORDS` (a source found by meaning), its sentence closest in
    meaning to one of the paragraph's."""
    wanted = {stem(word) for word in _WORD.findall(fold(paragraph)) if is_content_word(word)}
    spans = [
        (match.start(), match.end())
        for match in _WORD.finditer(point)
        if is_content_word(folded := fold(match.group())) and stem(folded) in wanted
    ]
    if len(spans) < MIN_MARKED_WORDS:
        sentence = _closest_sentence(paragraph, point, embed or embeddings.embed)
        start = point.find(sentence) if sentence else -1
        spans = [(start, start + len(sentence))] if start >= 0 else spans
    return _cut(point, spans)


def _closest_sentence(paragraph: str, point: str, embed: Embed) -> str:
    """The point's sentence closest in meaning to one of the paragraph's ("" if none is
    `MARK_SIMILARITY` close)."""
    ours = split_sentences(paragraph)[: guards.MAX_SENTENCES]
    theirs = split_sentences(point)[: guards.MAX_SENTENCES]
    if not ours or not theirs:
        return ""
    vectors = np.asarray(embed([*theirs, *ours]), dtype=np.float32)
    similar = embeddings.similarities(vectors[: len(theirs)], vectors[len(theirs) :]).max(axis=1)
    best = int(np.argmax(similar))
    return theirs[best] if similar[best] >= MARK_SIMILARITY else ""


def _cut(text: str, spans: Sequence[tuple[int, int]]) -> Fragments:
    """`text` in pieces, the spans (in order, not overlapping) marked True; marked words with
    only spaces between them are one piece."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for start, end in spans:
        if start > position:
            gap = text[position:start]
            if pieces and pieces[-1][1] and not gap.strip():
                pieces[-1] = (pieces[-1][0] + gap + text[start:end], True)
                position = end
                continue
            pieces.append((gap, False))
        pieces.append((text[start:end], True))
        position = end
    if position < len(text):
        pieces.append((text[position:], False))
    return tuple(pieces)


def trace(
    paragraphs: Sequence[str],
    points: Sequence[str],
    *,
    top: int = TOP,
    threshold: float = THRESHOLD,
    embed: Embed | None = None,
) -> list[list[Trace]]:
    """For each paragraph the points it rests on, the most explaining first: at most `top`,
    each with at least `threshold` of its weight in the paragraph (see the module
    docstring)."""
    return TraceIndex(points, embed=embed).trace_all(paragraphs, top=top, threshold=threshold)
