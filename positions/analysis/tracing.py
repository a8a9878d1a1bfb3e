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
"…, damit …" clauses left out), or of all its sentences if none is a demand.

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
3. it takes up enough of the point: at least `threshold` of the point's weight.

A point's stem of at least `FUZZY_MIN_LENGTH` letters that the paragraph lacks counts as
present when rapidfuzz's `fuzz.ratio` finds a paragraph stem at `FUZZY_CUTOFF` or better
(typos: "Förderprogamme").

Speed: the shares of every point in every paragraph come from one sparse matrix product
(paragraphs × features × points); the `CANDIDATES` points with the largest share and the
`CANDIDATES` with the largest amount are then aligned and chosen per paragraph, with small
sparse products. Nothing loops over all pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process
from scipy import sparse  # type: ignore[import-untyped]

from positions.analysis.clustering import Lexicon
from positions.analysis.merging import main_clauses
from positions.core.text import is_demand, normalize_all, split_sentences

THRESHOLD = 0.15
DEMAND_SHARE = 0.1
MIN_GAIN = 1.2
MIN_GAIN_SHARE = 0.5
TOP = 5
CANDIDATES = 60
OTHER_WEIGHT = 0.6
PART_WEIGHT = 0.25
TOPIC_WEIGHT = 0.2
PAIR_WEIGHT = 0.5
WINDOW = 3
FUZZY_CUTOFF = 85
FUZZY_MIN_LENGTH = 6
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


class TraceIndex:
    """A call's points, prepared for tracing many paragraphs against them."""

    def __init__(self, points: Sequence[str]) -> None:
        self.size = len(points)
        self._lexicon = Lexicon(
            other_weight=OTHER_WEIGHT, part_weight=PART_WEIGHT, topic_weight=TOPIC_WEIGHT
        )
        normals = normalize_all(points)
        self._lexicon.learn(points, normals)
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
        return self.trace_all([paragraph], top=top, threshold=threshold)[0]

    def trace_all(
        self, paragraphs: Sequence[str], *, top: int = TOP, threshold: float = THRESHOLD
    ) -> list[list[Trace]]:
        """`trace` of every paragraph, in order."""
        result: list[list[Trace]] = []
        chunk = max(1, _CELLS // max(self.size, 1))
        for first in range(0, len(paragraphs), chunk):
            result.extend(self._trace_chunk(paragraphs[first : first + chunk], top, threshold))
        return result

    def _trace_chunk(
        self, paragraphs: Sequence[str], top: int, threshold: float
    ) -> list[list[Trace]]:
        if not self.size or top <= 0:
            return [[] for _ in paragraphs]
        kinds = self._kinds(normalize_all(paragraphs))
        presence = kinds.copy()
        presence.data[:] = 1.0
        # How much of each point's weight the paragraph has: the candidates are the points
        # with the largest share and with the largest amount.
        shared = np.asarray((presence @ self._points_t).toarray())
        count = min(CANDIDATES, self.size)
        candidates = np.concatenate(
            [
                np.argpartition(-(shared / self._totals), count - 1, axis=1)[:, :count],
                np.argpartition(-shared, count - 1, axis=1)[:, :count],
            ],
            axis=1,
        )
        traces: list[list[Trace]] = []
        for row in range(len(paragraphs)):
            start, end = kinds.indptr[row], kinds.indptr[row + 1]
            traces.append(
                self._choose(
                    kinds.indices[start:end],
                    kinds.data[start:end],
                    np.unique(candidates[row]),
                    top,
                    threshold,
                )
            )
        return traces

    def _choose(
        self,
        columns: IntArray,
        kind_weights: FloatArray,
        candidates: IntArray,
        top: int,
        threshold: float,
    ) -> list[Trace]:
        """Sources among the candidates, chosen greedily (see the module docstring)."""
        weights = kind_weights * self._idf[columns]
        aligned = self._aligned(columns, candidates)
        if len(aligned):
            columns = np.concatenate([columns, aligned])
            weights = np.concatenate([weights, self._idf[aligned]])
        if not len(columns):
            return []
        found = self._points[candidates][:, columns].tocsr()
        score = np.asarray(found.sum(axis=1)).reshape(-1) / self._totals[candidates]
        demand = self._demand_shares(candidates, columns)
        keep = demand >= DEMAND_SHARE
        candidates, score, demand = candidates[keep], score[keep], demand[keep]
        explains = found[keep].tocsr()
        explains.data[:] = 1.0
        residual = weights.copy()
        # Enough gain: as much as a rare word or so, or half the paragraph (a paragraph of
        # words every point uses still rests on the point that says all of it).
        least_gain = min(MIN_GAIN * self._rarest, MIN_GAIN_SHARE * float(weights.sum()))
        available = np.ones(len(candidates), dtype=bool)
        chosen: list[Trace] = []
        while available.any() and len(chosen) < top:
            gains = np.where(available, explains @ residual, -1.0)
            # Most gain first; on a tie the larger share, then the earlier point.
            best = int(np.lexsort((candidates, -score, -gains))[0])
            if gains[best] < least_gain:
                break
            explained = explains.indices[explains.indptr[best] : explains.indptr[best + 1]]
            residual[explained] = 0.0
            # Copies of the chosen point (the same features) are sources just as much.
            for other in [best, *np.flatnonzero(available & (gains == gains[best])).tolist()]:
                if not available[other] or not self._same(candidates[other], candidates[best]):
                    continue
                available[other] = False
                if score[other] >= threshold and len(chosen) < top:
                    chosen.append(
                        Trace(
                            point_index=int(candidates[other]),
                            score=round(float(score[other]), 4),
                            demand=round(float(demand[other]), 4),
                        )
                    )
        return chosen

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


def _positive(values: FloatArray) -> FloatArray:
    return np.where(values > 0, values, 1.0)


def _demand_clauses(point: str) -> list[str]:
    """The main clauses of a point's demand sentences (of all sentences if none demands)."""
    sentences = split_sentences(point[: MAX_WORDS * 20]) or [point]
    demands = [sentence for sentence in sentences if is_demand(sentence)] or sentences
    return [" ".join(main_clauses(sentence)) or sentence for sentence in demands]


def trace(
    paragraphs: Sequence[str],
    points: Sequence[str],
    *,
    top: int = TOP,
    threshold: float = THRESHOLD,
) -> list[list[Trace]]:
    """For each paragraph the points it rests on, the most explaining first: at most `top`,
    each with at least `threshold` of its weight in the paragraph (see the module
    docstring)."""
    return TraceIndex(points).trace_all(paragraphs, top=top, threshold=threshold)
