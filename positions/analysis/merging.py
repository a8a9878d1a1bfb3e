"""Merge suggestions: for one topic cluster, a proposed German paragraph with its sources,
the organisations behind it (as far as each may be named), and the conflicts staff must see.

`suggest_merge(points)` builds the paragraph from the most representative point (the medoid:
the point closest to the cluster's TF-IDF centroid) and adds the sentences of the other
points that say something it does not yet say. A sentence is *covered* when at least
`COVERED` of its content-word stems occur in one sentence already chosen, or
`COVERED_BY_ALL` in all of them together; a covered sentence adds its point to the sources
of the sentence covering it instead of adding text. At most `MAX_ADDITIONS` sentences are
added, those said by most organisations first; the rest is listed as `left_out`, as are
the medoid's sentences beyond `MAX_MEDOID_CHARS` and "sentences" longer than
`MAX_SENTENCE_CHARS` (unpunctuated pastes).

Use permission (the statement's `Visibility`) is respected:

- "named": counted among supporters and may be named (`supporters_named`);
- "anonymous": counted among supporters (`supporters_anonymous`), never named;
- "internal": counted only in `supporters_internal` (the internal figure, for staff), never
  named, and never quoted: the suggested text uses only wordings from named or anonymous
  points. A sentence found only in internal points goes to `internal_notes` for staff.
  Internal points may still appear in `source_keys` (staff see where a sentence is said).

Dissent: a point that rejects the cluster's demand ("Einen Transformationsfonds lehnen wir
ab" against "Wir fordern einen Transformationsfonds") is never merged into the text; it is
listed in `dissent` with its rejecting sentences. Which side is the demand: the one more
organisations take (a cluster of rejections has rejection as its demand and lists the
points in favour as dissent); on a tie, the points in favour. See `rejects` for what counts
as a rejection.

Conflicts: a supporting point whose demand names other figures, another addressee or the
opposite stance than the medoid's sentences in the suggestion ("bis 2035" against "bis 2030",
"Das Land muss …" against "Der Bund muss …"; see `positions.analysis.guards.contradictions`)
is never merged silently: it adds no sentence, is no source, counts as no supporter and is
listed in `conflicts` with what it says differently. A point that leaves the figure or the
addressee out is no conflict. `excluded_keys` are the points of `dissent` and `conflicts`:
no paper paragraph taken from the suggestion may name them as its sources.

Only points of submitted, not withdrawn statements should be passed; the caller maps keys
to points, statements and organisations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from db.enums import Visibility
from positions.analysis import guards
from positions.analysis.clustering import GENERIC_STEMS, Lexicon, is_content_word, topic_vectors
from positions.analysis.guards import NEGATIONS, rejects
from positions.core import attribution
from positions.core.text import normalize_all, split_sentences, stem, tokenize

COVERED = 0.7
COVERED_BY_ALL = 0.85
MAX_ADDITIONS = 5
MAX_CONSIDERED = 200  # points whose new sentences are considered, the most typical first
MAX_SENTENCE_CHARS = 1000  # longer "sentences" (unpunctuated pastes) are never quoted
MAX_MEDOID_CHARS = 2000  # a longer point is the medoid only if no shorter one can be
CORE_SHARE = 0.5  # a stem in this share of the points is part of the cluster's demand


@dataclass(frozen=True)
class SourcePoint:
    """A point of the cluster: `key` is the caller's id (a Point id), `organisation_id` and
    `visibility` come from its statement."""

    key: int
    text: str
    organisation_id: int
    visibility: Visibility


@dataclass(frozen=True)
class SuggestedSentence:
    """A sentence of the suggestion; its wording is the first source's, the other sources
    say the same."""

    text: str
    source_keys: tuple[int, ...]


@dataclass(frozen=True)
class InternalNote:
    """A sentence only internal statements make: for staff, never for export."""

    text: str
    source_keys: tuple[int, ...]


@dataclass(frozen=True)
class Dissent:
    """A point that rejects the cluster's demand, with the sentences that do."""

    key: int
    text: str
    rejecting: tuple[str, ...]
    organisation_id: int
    visibility: Visibility


@dataclass(frozen=True)
class Conflict:
    """A point that supports the cluster's demand but says it differently from the
    suggestion: other figures, another addressee or the opposite stance."""

    key: int
    text: str
    contradictions: tuple[guards.Contradiction, ...]
    organisation_id: int
    visibility: Visibility


@dataclass(frozen=True)
class MergeSuggestion:
    """A proposed paragraph for one cluster. `text`, `sentences`, `supporters_named` and
    `supporters_public` may be exported; `internal_notes`, `dissent`, `conflicts` and
    `supporters_internal` are for staff only."""

    text: str
    sentences: tuple[SuggestedSentence, ...]
    medoid_key: int | None
    supporters_named: tuple[int, ...]  # organisation ids, ascending
    supporters_anonymous: int
    supporters_internal: int
    dissent: tuple[Dissent, ...] = ()
    internal_notes: tuple[InternalNote, ...] = ()
    left_out: tuple[SuggestedSentence, ...] = ()
    demand_is_rejection: bool = False
    conflicts: tuple[Conflict, ...] = ()

    @property
    def excluded_keys(self) -> frozenset[int]:
        """Points that are no source of the suggestion: dissenting and conflicting ones."""
        return frozenset(
            [*(entry.key for entry in self.dissent), *(entry.key for entry in self.conflicts)]
        )

    @property
    def supporters_public(self) -> int:
        """Organisations that may be counted in an export: named and anonymous ones."""
        return len(self.supporters_named) + self.supporters_anonymous

    @property
    def supporters_total(self) -> int:
        """The internal figure: every supporting organisation."""
        return self.supporters_public + self.supporters_internal


# --- merging -------------------------------------------------------------------------------


@dataclass
class _Sentence:
    text: str
    stems: frozenset[str]
    sources: list[int] = field(default_factory=list)
    organisations: set[int] = field(default_factory=set)  # named and anonymous ones
    _keys: set[int] = field(default_factory=set)

    def add_source(self, point: SourcePoint) -> None:
        if point.key not in self._keys:
            self._keys.add(point.key)
            self.sources.append(point.key)
        if point.visibility != Visibility.INTERNAL:  # internal support never shapes exports
            self.organisations.add(point.organisation_id)


def _stems(text: str) -> frozenset[str]:
    """The content stems of a sentence, and its negations."""
    words = tokenize(text)
    found = {stem(word) for word in words if is_content_word(word)}
    if found:  # a sentence of nothing but "Nicht." has nothing to merge
        found |= {word for word in words if word in NEGATIONS}
    return frozenset(found)


def _share(part: frozenset[str], whole: frozenset[str] | set[str]) -> float:
    return len(part & whole) / len(part) if part else 1.0


class _Paragraph:
    """Sentences chosen so far, the candidate additions and the internal notes."""

    def __init__(self) -> None:
        self.chosen: list[_Sentence] = []
        self.candidates: list[_Sentence] = []
        self.notes: list[_Sentence] = []
        self.all_stems: set[str] = set()  # of the chosen sentences without negations
        self.by_normal: dict[str, _Sentence] = {}

    def covering(self, sentence: frozenset[str]) -> _Sentence | None:
        """The entry that already says `sentence`, if any; only a sentence negated alike
        ("darf nicht gekürzt werden" / "muss gekürzt werden") can say it."""
        negations = sentence & NEGATIONS
        best: _Sentence | None = None
        best_share = 0.0
        for entry in (*self.chosen, *self.candidates, *self.notes):
            if entry.stems & NEGATIONS != negations:
                continue
            share = _share(sentence, entry.stems)
            if share > best_share:
                best, best_share = entry, share
        if best_share >= COVERED:
            return best
        if not negations and self.chosen and _share(sentence, self.all_stems) >= COVERED_BY_ALL:
            return best or self.chosen[0]
        return None

    def add(self, text: str, normal: str, point: SourcePoint, *, medoid: bool) -> None:
        """Add a sentence of a point: as a new entry, or as a source of the one saying it."""
        entry = self.by_normal.get(normal)
        if entry is None:
            stems = _stems(text)
            if not stems:
                return  # "Vielen Dank.", "Wir fordern daher:": nothing to merge
            entry = None if medoid else self.covering(stems)
            if entry is None:
                entry = _Sentence(text=text.strip(), stems=stems)
                if medoid:
                    self.chosen.append(entry)
                    if not stems & NEGATIONS:
                        self.all_stems |= stems
                elif point.visibility == Visibility.INTERNAL:
                    self.notes.append(entry)
                else:
                    self.candidates.append(entry)
            self.by_normal[normal] = entry
        entry.add_source(point)

    def add_copy(self, normal: str, point: SourcePoint) -> None:
        """Add a sentence as a source only if the same sentence is already an entry."""
        entry = self.by_normal.get(normal)
        if entry is not None:
            entry.add_source(point)


def _closed(sentence: str) -> str:
    """Bullet points often lack a full stop; in running text the next sentence needs one."""
    sentence = sentence.rstrip()
    return (
        sentence
        if sentence.endswith((".", "!", "?", "…", ":", ";", '"', "“", ")"))
        else f"{sentence}."
    )


def suggest_merge(points: Sequence[SourcePoint]) -> MergeSuggestion:
    """A merge suggestion for the points of one cluster (see the module docstring)."""
    points = [point for point in points if point.text.strip()]
    sentences = _Sentences()
    supporting, dissent, demand_is_rejection = _sides(points, sentences)
    ordered = _by_closeness(supporting)
    quotable = [p for p in ordered if p.visibility != Visibility.INTERNAL]
    short = [p for p in quotable if len(p.text) <= MAX_MEDOID_CHARS]
    medoid = (short or quotable)[0] if quotable else None

    paragraph = _Paragraph()
    left_out: list[SuggestedSentence] = []
    if medoid is not None:
        length = 0
        for sentence, normal in sentences.of(medoid.text):
            too_long = length + len(sentence) > MAX_MEDOID_CHARS and paragraph.chosen
            if too_long or len(sentence) > MAX_SENTENCE_CHARS:
                left_out.append(SuggestedSentence(text=sentence, source_keys=(medoid.key,)))
                continue
            paragraph.add(sentence, normal, medoid, medoid=True)
            length += len(sentence) + 1
    conflicts = _conflicts(paragraph.chosen, [p for p in ordered if p is not medoid], sentences)
    conflicting = {id(point) for point, _ in conflicts}
    agreeing = [p for p in supporting if id(p) not in conflicting]
    # Named and anonymous points first, so that a sentence internal points share with them
    # is quoted in a quotable wording.
    rest = [p for p in ordered if p is not medoid and id(p) not in conflicting]
    rest.sort(key=lambda p: p.visibility == Visibility.INTERNAL)
    for number, point in enumerate(rest):
        for sentence, normal in sentences.of(point.text):
            if number < MAX_CONSIDERED:
                paragraph.add(sentence, normal, point, medoid=False)
            else:  # beyond the most typical points only copies of known sentences count
                paragraph.add_copy(normal, point)

    additions, not_added = _ranked_additions(paragraph.candidates)
    chosen = [*paragraph.chosen, *additions]
    named, anonymous, internal = _supporters(agreeing)
    return MergeSuggestion(
        text=" ".join(_closed(entry.text) for entry in chosen),
        sentences=tuple(_suggested(entry) for entry in chosen),
        medoid_key=medoid.key if medoid is not None else None,
        supporters_named=named,
        supporters_anonymous=anonymous,
        supporters_internal=internal,
        dissent=tuple(dissent),
        internal_notes=tuple(
            InternalNote(text=entry.text, source_keys=tuple(entry.sources))
            for entry in paragraph.notes
        ),
        left_out=(*left_out, *(_suggested(entry) for entry in not_added)),
        demand_is_rejection=demand_is_rejection,
        conflicts=tuple(
            Conflict(
                key=point.key,
                text=point.text,
                contradictions=differences,
                organisation_id=point.organisation_id,
                visibility=point.visibility,
            )
            for point, differences in conflicts
        ),
    )


def _conflicts(
    medoid_sentences: Sequence[_Sentence], points: Sequence[SourcePoint], sentences: _Sentences
) -> list[tuple[SourcePoint, tuple[guards.Contradiction, ...]]]:
    """The points whose demands contradict the medoid's sentences in the suggestion, with
    how; each distinct text is read once (a campaign sends one text thousands of times)."""
    ours = tuple(guards.claim(entry.text) for entry in medoid_sentences)
    if not ours:
        return []
    found: dict[str, tuple[guards.Contradiction, ...]] = {}
    conflicts = []
    for point in points:
        differences = found.get(point.text)
        if differences is None:
            theirs = guards.stance_claims([sentence for sentence, _ in sentences.of(point.text)])
            differences = found[point.text] = guards.contradictions(theirs, ours)
        if differences:
            conflicts.append((point, differences))
    return conflicts


class _Sentences:
    """The sentences of texts with their normalised forms, each text split once (a
    campaign sends the same text thousands of times)."""

    def __init__(self) -> None:
        self._known: dict[str, list[tuple[str, str]]] = {}

    def of(self, text: str) -> list[tuple[str, str]]:
        found = self._known.get(text)
        if found is None:
            split = split_sentences(text)
            found = list(zip(split, normalize_all(split), strict=True))
            self._known[text] = found
        return found


def _suggested(entry: _Sentence) -> SuggestedSentence:
    return SuggestedSentence(text=entry.text, source_keys=tuple(entry.sources))


def _ranked_additions(candidates: list[_Sentence]) -> tuple[list[_Sentence], list[_Sentence]]:
    """The additions said by most organisations (ties: the more typical point's first), at
    most `MAX_ADDITIONS` and never an unpunctuated paste; and the rest."""
    ranked = sorted(range(len(candidates)), key=lambda i: (-len(candidates[i].organisations), i))
    fitting = [i for i in ranked if len(candidates[i].text) <= MAX_SENTENCE_CHARS]
    chosen = fitting[:MAX_ADDITIONS]
    return (
        [candidates[i] for i in chosen],
        [candidates[i] for i in ranked if i not in set(chosen)],
    )


def _supporters(points: Sequence[SourcePoint]) -> tuple[tuple[int, ...], int, int]:
    """Named organisation ids, and the numbers of anonymous and internal-only ones; an
    organisation counts once, in its most public use permission."""
    best = attribution.most_public_by_organisation(
        (point.organisation_id, point.visibility) for point in points
    )
    counts = Counter(best.values())
    named = tuple(
        sorted(org for org, visibility in best.items() if attribution.may_name(visibility))
    )
    return named, counts[Visibility.ANONYMOUS], counts[Visibility.INTERNAL]


def _by_closeness(points: Sequence[SourcePoint]) -> list[SourcePoint]:
    """The points, closest to their TF-IDF centroid first (ties: given order)."""
    if len(points) <= 1:
        return list(points)
    normals = normalize_all([point.text for point in points])
    slots: dict[str, int] = {}
    owner = [slots.setdefault(normal, len(slots)) for normal in normals]
    first: dict[int, int] = {}
    for index, slot in enumerate(owner):
        first.setdefault(slot, index)
    vectors, _lexicon, _idf = topic_vectors(
        [points[first[s]].text for s in range(len(slots))], list(slots)
    )
    copies = np.bincount(np.asarray(owner), minlength=len(slots)).astype(np.float64)
    centre = np.asarray(vectors.multiply(copies[:, None]).sum(axis=0)).reshape(-1)
    closeness = np.asarray(vectors @ centre).reshape(-1)
    order = sorted(range(len(points)), key=lambda i: (-closeness[owner[i]], i))
    return [points[i] for i in order]


def _sides(
    points: Sequence[SourcePoint], sentences: _Sentences
) -> tuple[list[SourcePoint], list[Dissent], bool]:
    """The points supporting the cluster's demand, the dissenting ones, and whether the
    demand is a rejection (see the module docstring)."""
    if len(points) < 2:
        return list(points), [], False
    distinct = list(dict.fromkeys(point.text for point in points))
    lexicon = Lexicon()
    lexicon.learn(distinct, normalize_all(distinct))
    terms = {text: _terms(lexicon, text) for text in distinct}
    frequency = Counter(term for point in points for term in terms[point.text])
    least = max(2.0, CORE_SHARE * len(points))
    core = {term for term, count in frequency.items() if count >= least}
    if not core:
        core = {term for term, count in frequency.items() if count >= 2}
    # "strom" in "strompreis" is no demand of its own: "nicht auf Strom umstellen" does not
    # reject lower electricity prices.
    core = {term for term in core if not any(term != other and term in other for other in core)}
    found_in = {
        text: tuple(
            sentence
            for sentence, _normal in sentences.of(text)
            if rejects(sentence) and (not core or _terms(lexicon, sentence) & core)
        )
        for text in distinct
    }
    rejecting = [found_in[point.text] for point in points]
    against = {p.organisation_id for p, r in zip(points, rejecting, strict=True) if r}
    in_favour = {p.organisation_id for p, r in zip(points, rejecting, strict=True) if not r}
    demand_is_rejection = len(against) > len(in_favour)

    supporting: list[SourcePoint] = []
    dissent: list[Dissent] = []
    for point, found in zip(points, rejecting, strict=True):
        if bool(found) == demand_is_rejection:
            supporting.append(point)
            continue
        shown = found or tuple(sentence for sentence, _normal in sentences.of(point.text)[:1])
        dissent.append(
            Dissent(
                key=point.key,
                text=point.text,
                rejecting=shown,
                organisation_id=point.organisation_id,
                visibility=point.visibility,
            )
        )
    return supporting, dissent, demand_is_rejection


def _terms(lexicon: Lexicon, text: str) -> set[str]:
    """Stems and compound parts of the content words, generic words left out."""
    found: set[str] = set()
    for word in tokenize(text):
        for term, _weight in lexicon.lookup(word):
            name = lexicon.terms[term]
            if not name.startswith("#") and name not in GENERIC_STEMS:
                found.add(name)
    return found
