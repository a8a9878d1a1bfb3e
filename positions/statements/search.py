"""German-aware search over statement points, by words and by meaning, ranked, with what
matched marked for display.

Words: case, umlauts and ß spellings and word endings do not matter ("Förderprogramme" finds
"Foerderprogramm"). Each point stores its folded word stems between spaces
(`Point.search_key`); a query stem matches where it occurs in that key, so a word also finds
compounds that contain it ("strompreis" finds "Industriestrompreise"). Short stems must start
a word. A point with every query word is a hit by words; the matching words are marked.

Function words of a query ("und", "für") are not required: "Ladeinfrastruktur für Pkw und
Lkw" asks for the content words.

Meaning: the query and each sentence of the newest `MEANING_POOL` points the person may read
(sentences also split at ";") are embedded (`positions.core.embeddings`; the database cache
`StoredEmbeddings` computes each sentence once and keeps it); a point whose closest sentence
is at least `MIN_SIMILARITY` similar to the query (`MIN_SHORT_SIMILARITY` for a query of one
or two words), or, for a longer query, stands out from the points searched (`STANDOUT`
standard deviations above their mean), is a hit by meaning ("Strompreise senken" finds "Die
Kosten für Energie sind zu hoch."), and that sentence is marked. Single words are compared
too: the distinct words of those points are embedded once, and a word at least
`MIN_WORD_SIMILARITY` close to a query word stands for it, so a point with such a word for
every query word is a hit by meaning with those words marked ("Strompreis" finds and marks
"Energiekosten"): a thesaurus taken from the model, not from a list. A compound also offers
its endings that start with a noun of the points (`compound_endings`): "Energiekosten" is
not close to "Brückenstrompreis" (0.40) but to "Strompreis" (0.70), so it finds and marks
"Brückenstrompreis".

Ranking: hits by words first, then by meaning; within each, the closest in meaning first,
then the newest call. The sentences and vectors of searched points are also kept in this
process (`forget_memory` drops them), so a search reads the database only for new points.

Limits, measured (`bench.search_quality`: a coder's theme labels as queries over the held-out
statement sets, a hit relevant when its point has that theme; the first set spent, the
others measured, the fourth twice): a whole label ("Netzentgelte senken und gerecht
verteilen") finds 0.20–0.34 of its theme's points at precision 0.75–0.88 (requiring every
word and a fixed threshold: 0.02–0.12 at 0.90–1.00), its first word ("Netzentgelte")
0.33–0.47 at 0.64–0.71 (points on a neighbouring theme that name the word count as wrong).
Meaning search reads only the newest `MEANING_POOL` points (word search reads all);
embeddings do not see negation ("keine Senkung der Strompreise" is close to "Strompreise
senken"); a one-word query scores lower against a long sentence than against a short one
("Strompreis" / "Hohe Energiekosten belasten die Betriebe." 0.45, / "… belasten die
Kunststoffverarbeitung." 0.29), so some rewordings are missed even at the lower threshold
for short queries. The first search after many new statements embeds their sentences (about
a minute for 5,000 points on two cores; the search page shows progress).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from db.models import Call, Forum, Organisation, Point, Statement, User, id_of
from positions.core import embeddings, text
from positions.core.embedding_store import StoredEmbeddings
from positions.core.embeddings import Embed, Vectors
from positions.core.permissions import Action, Actor, can, visible_call_ids

# Imported both ways: statements stores search keys, search asks statements who may read.
from positions.statements import statements

MAX_RESULTS = 200
MAX_QUERY_WORDS = 8
# Shorter stems only match at the start of a word, or "an" would find everything.
SUBSTRING_MIN = 4
_WORD = re.compile(r"[^\W_]+")
# Meaning: the newest points compared with the query, and how close a sentence must be.
MEANING_POOL = 5_000
MIN_SIMILARITY = 0.4
# A query of one or two words scores lower against a whole sentence than a sentence does.
# Measured on the spent held-out statements (`bench.labelled.statements_heldout`, the 14
# theme labels and their first one or two words as queries, a theme's points as relevant):
# one word at 0.3 P 0.91 R 0.33 (at 0.4: P 0.94 R 0.13), two words P 0.82 R 0.31 (0.89 / 0.14).
MIN_SHORT_SIMILARITY = 0.3
SHORT_QUERY_WORDS = 2
# Words: a word of a point this close to a query word stands for it ("Strompreis" /
# "Energiekosten" 0.70, / "Energiepreise" 0.72; / "Preise" 0.62 and "Stromsteuer" 0.61 not).
MIN_WORD_SIMILARITY = 0.65
# A longer query ("Ladeinfrastruktur für Pkw und Lkw ausbauen") rarely reaches MIN_SIMILARITY
# against one sentence, yet the sentences on its theme stand out from the rest: a point this
# many standard deviations above the mean similarity of the points searched is a hit too.
# On the spent held-out statements (`bench.search_quality`) theme labels as queries went from
# P 0.88 R 0.17 to P 0.84 R 0.35. Short queries keep MIN_SHORT_SIMILARITY: there it added
# more loose hits than theme points on the fourth set.
STANDOUT = 2.5
MIN_STANDOUT_SIMILARITY = 0.2
STANDOUT_MIN_POINTS = 50
MAX_VOCABULARY = 50_000
# Compounds: words this long may end in a compound of their own ("Brückenstrompreis" in
# "Strompreis"), each part at least this long.
COMPOUND_MIN_LETTERS = 10
MIN_COMPOUND_PART = 4
_PIECE_END = re.compile(r";\s+")
_Select = TypeVar("_Select", bound=sa.Select[*tuple[Any, ...]])


def key_of(point_text: str) -> str:
    """The search key stored with a point."""
    return " " + " ".join(text.stems(text.tokenize(point_text))) + " "


def query_stems(query: str) -> list[str]:
    """The distinct stems of a query, longest first (the most selective filter first).

    Function words ("und", "für", "die") are left out, unless the query has nothing else:
    "Ladeinfrastruktur für Pkw und Lkw" asks for points on charging for cars and lorries,
    not for points that also say "und"."""
    words = text.tokenize(query)
    content = [word for word in words if word not in text.STOPWORDS] or words
    stems = dict.fromkeys(s for s in text.stems(content) if s)
    return sorted(stems, key=len, reverse=True)[:MAX_QUERY_WORDS]


@dataclass(frozen=True)
class Hit:
    point: Point
    statement: Statement
    organisation: Organisation
    call: Call
    forum: Forum
    # The point's text in pieces; True marks the words that matched (a hit by words) or the
    # sentence closest in meaning (a hit by meaning).
    fragments: tuple[tuple[str, bool], ...]
    # Cosine similarity of the query with the point's closest sentence (0 if not compared).
    similarity: float = 0.0
    # Whether the point has every word of the query (else it was found by meaning).
    by_words: bool = True


def _joined(selected: _Select) -> _Select:
    """`selected` over points joined with their statement, member, call and forum."""
    return (
        selected.join(Statement, col(Statement.id) == Point.statement_id)
        .join(Organisation, col(Organisation.id) == Statement.organisation_id)
        .join(Call, col(Call.id) == Statement.call_id)
        .join(Forum, col(Forum.id) == Call.forum_id)
        .join(User, col(User.id) == Statement.author_id, isouter=True)
    )


_NEWEST_FIRST = (col(Call.external_deadline).desc(), col(Statement.id), col(Point.position))


def search(
    *,
    session: Session,
    actor: Actor,
    query: str,
    limit: int = MAX_RESULTS,
    meaning: bool = True,
    embed: Embed | None = None,
) -> list[Hit]:
    """Points the actor may read that contain every word of `query`, or (with `meaning`)
    say something close to it; ranked (see the module docstring).

    Staff and board see what `statements.readable_by_association` lets them read (no
    member's draft, no withdrawn text, "nur intern" for the office only); member contacts
    see their own organisation's statements. `embed` embeds the points' sentences (default:
    `StoredEmbeddings(session)`, which stores what it computes in the session; commit it to
    keep them); the query itself is embedded in memory only, never stored.
    """
    stems = query_stems(query)
    if not stems:
        return []
    scope = _scope(session=session, actor=actor)
    conditions: list[ColumnElement[bool]] = [
        col(Point.search_key).like(f"%{stem}%" if len(stem) >= SUBSTRING_MIN else f"% {stem}%")
        for stem in stems
    ]
    word_ids = [
        int(point_id)
        for (point_id,) in session.execute(
            _joined(sa.select(col(Point.id)))
            .where(*conditions, *scope)
            .order_by(*_NEWEST_FIRST)
            .limit(limit)
        ).all()
    ]
    if not meaning:
        return _hits(session, {i: (1.0, None) for i in word_ids}, word_ids, stems)
    # Hits by words rank first: when they fill the list, only their order is read by meaning.
    pool = (
        session.execute(
            _joined(sa.select(col(Point.id), col(Point.text)))
            .where(*scope)
            .order_by(*_NEWEST_FIRST)
            .limit(MEANING_POOL)
        ).all()
        if len(word_ids) < limit
        else []
    )
    texts = {int(point_id): str(point_text) for point_id, point_text in pool}
    missing = [i for i in word_ids if i not in texts]
    if missing:
        rows = session.execute(
            sa.select(col(Point.id), col(Point.text)).where(col(Point.id).in_(missing))
        )
        texts.update((int(point_id), str(point_text)) for point_id, point_text in rows)
    embedder = embed or StoredEmbeddings(session)
    closest = _closest_sentences(query, texts, embedder)
    words = set(word_ids)
    if len(text.tokenize(query)) <= SHORT_QUERY_WORDS:
        threshold = MIN_SHORT_SIMILARITY
    else:
        similarities = [similarity for similarity, _ in closest.values()]
        threshold = min(MIN_SIMILARITY, _standing_out(similarities))
    found: dict[int, tuple[float, str | None]] = {
        point_id: (similarity, None if point_id in words else sentence)
        for point_id, (similarity, sentence) in closest.items()
        if point_id in words or similarity >= threshold
    }
    # Points with a word close in meaning to every query word ("Energiekosten" for
    # "Strompreis"): hits by meaning with those words marked.
    alternatives = _neighbours(query, stems, texts, embedder)
    marked_stems: dict[int, list[str]] = {}
    for point_id, point_text in texts.items():
        if point_id in words:
            continue
        key = key_of(point_text)
        matched = [
            [s for s in [stem, *alternatives.get(stem, {})] if _in_key(s, key)] for stem in stems
        ]
        if all(matched) and any(set(m) - {stem} for m, stem in zip(matched, stems, strict=True)):
            closeness = min(
                max(alternatives.get(stem, {}).get(s, 1.0) for s in m)
                for m, stem in zip(matched, stems, strict=True)
            )
            similarity = max(closeness, closest.get(point_id, (0.0, ""))[0])
            found[point_id] = (similarity, None)
            marked_stems[point_id] = [s for m in matched for s in m]
    # Ties: the newest call first (the order of the word hits and of the pool).
    order = {point_id: rank for rank, point_id in enumerate(dict.fromkeys([*word_ids, *texts]))}
    ranked = sorted(
        found, key=lambda i: (i not in words, -round(found[i][0], 3), order.get(i, len(order)))
    )
    return _hits(session, found, ranked[:limit], stems, by_words=words, marked_stems=marked_stems)


def _standing_out(similarities: list[float]) -> float:
    """How close a point must be to stand out from the points searched: `STANDOUT` standard
    deviations above their mean similarity to the query, and at least `MIN_STANDOUT_SIMILARITY`
    (1.0, no one, below `STANDOUT_MIN_POINTS` points, too few to tell)."""
    if len(similarities) < STANDOUT_MIN_POINTS:
        return 1.0
    values = np.asarray(similarities)
    return max(MIN_STANDOUT_SIMILARITY, float(values.mean() + STANDOUT * values.std()))


def _in_key(stem: str, key: str) -> bool:
    """Whether a stem matches a search key, as the database query matches it."""
    return stem in key if len(stem) >= SUBSTRING_MIN else f" {stem}" in key


def _neighbours(
    query: str, stems: list[str], texts: dict[int, str], embed: Embed
) -> dict[str, dict[str, float]]:
    """Per query stem, the stems of words in the points whose meaning is at least
    `MIN_WORD_SIMILARITY` close to the query word (with how close): the words of a
    thesaurus, taken from the model instead of a list."""
    query_words = {
        text.stem(text.fold(word)): word
        for word in _WORD.findall(query)
        if text.stem(text.fold(word)) in stems
    }
    vocabulary: dict[str, str] = {}
    for point_text in texts.values():
        for word in _WORD.findall(point_text):
            if len(word) >= SUBSTRING_MIN and not word.isdigit():
                folded = text.fold(word)
                if folded not in text.STOPWORDS and folded not in text.MODAL_VERBS:
                    vocabulary.setdefault(folded, word)
    if not query_words or not vocabulary:
        return {}
    # A compound's ending stands for what it is about ("Brückenstrompreis": "Strompreis",
    # which "Energiekosten" is close to; the whole word is not): compared as words too.
    nouns = {word.lower() for word in vocabulary.values() if word[0].isupper()}
    for word in list(vocabulary.values()):
        for ending in compound_endings(word, nouns):
            vocabulary.setdefault(text.fold(ending), ending)
    written = list(vocabulary.values())[:MAX_VOCABULARY]
    similar = embeddings.similarities(
        embeddings.embed(list(query_words.values())), _word_vectors(written, embed)
    )
    result: dict[str, dict[str, float]] = {}
    for row, stem in enumerate(query_words):
        for column in np.flatnonzero(similar[row] >= MIN_WORD_SIMILARITY).tolist():
            other = text.stem(text.fold(written[column]))
            if other != stem:
                found = result.setdefault(stem, {})
                found[other] = max(found.get(other, 0.0), float(similar[row, column]))
    return result


def compound_endings(word: str, nouns: Collection[str]) -> list[str]:
    """The endings of a compound that start with a noun of `nouns` (lower case), each part
    at least `MIN_COMPOUND_PART` letters: "Brückenstrompreis" → ["Strompreis"] when "Strom"
    is a noun of the points, "Energiekostenzuschuss" → ["Kostenzuschuss"]. Longest first,
    written as `word` is (a noun keeps its capital). Remembered per word (`forget_memory`
    drops them), so a word is split by the nouns known when it is first seen."""
    if len(word) < COMPOUND_MIN_LETTERS or not word.isalpha():
        return []
    found = _endings.get(word)
    if found is None:
        lower = word.lower()
        found = [
            ending.capitalize() if word[0].isupper() else ending
            for ending in (
                lower[cut:]
                for cut in range(MIN_COMPOUND_PART, len(lower) - 2 * MIN_COMPOUND_PART + 1)
            )
            if any(
                ending[:split] in nouns
                for split in range(MIN_COMPOUND_PART, len(ending) - MIN_COMPOUND_PART + 1)
            )
        ]
        if len(_endings) >= MAX_VOCABULARY:
            _endings.clear()
        _endings[word] = found
    return found


def _word_vectors(words: list[str], embed: Embed) -> Vectors:
    """The vectors of words, from this process's memory or from `embed`."""
    known = {word: _words.get((0, word)) for word in words}
    missing = [word for word, value in known.items() if value is None]
    if missing:
        for word, vector in zip(missing, np.asarray(embed(missing), dtype=np.float32), strict=True):
            value = ([word], vector.reshape(1, -1))
            known[word] = value
            _words.put((0, word), value)
    return np.concatenate([value[1] for value in known.values() if value is not None])


class _PointVectors:
    """The sentences of recently searched points and their vectors, in this process, so that
    a search reads the database only for points it has not seen (least recently used go
    first). Keyed by point id and text: an edited point is split and looked up again."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self.found: OrderedDict[tuple[int, str], tuple[list[str], Vectors]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[int, str]) -> tuple[list[str], Vectors] | None:
        with self.lock:
            value = self.found.get(key)
            if value is not None:
                self.found.move_to_end(key)
            return value

    def put(self, key: tuple[int, str], value: tuple[list[str], Vectors]) -> None:
        with self.lock:
            self.found[key] = value
            self.found.move_to_end(key)
            while len(self.found) > self.entries:
                self.found.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.found.clear()


_point_vectors = _PointVectors(4 * MEANING_POOL)
_words = _PointVectors(MAX_VOCABULARY)
_endings: dict[str, list[str]] = {}  # word -> its compound endings


def forget_memory() -> None:
    """Drop the sentence vectors this process keeps (after an erasure, as
    `positions.core.embedding_store.forget_all` does for its own)."""
    _point_vectors.clear()
    _words.clear()
    _endings.clear()


def _closest_sentences(
    query: str, texts: dict[int, str], embed: Embed
) -> dict[int, tuple[float, str]]:
    """Per point its sentence closest in meaning to the query, and how close (cosine)."""
    known = {point_id: _point_vectors.get((point_id, t)) for point_id, t in texts.items()}
    missing = {point_id: sentences_of(texts[point_id]) for point_id, v in known.items() if not v}
    pieces = [piece for found in missing.values() for piece in found]
    if pieces:
        vectors = np.asarray(embed(pieces), dtype=np.float32)
        start = 0
        for point_id, found in missing.items():
            value = (found, vectors[start : start + len(found)])
            _point_vectors.put((point_id, texts[point_id]), value)
            known[point_id] = value
            start += len(found)
    points = [(point_id, value) for point_id, value in known.items() if value and value[0]]
    if not points:
        return {}
    matrix = np.concatenate([vectors for _, (_, vectors) in points])
    similar = embeddings.similarities(embeddings.embed([query]), matrix)[0].tolist()
    closest: dict[int, tuple[float, str]] = {}
    start = 0
    for point_id, (found, _) in points:
        scores = similar[start : start + len(found)]
        best = max(range(len(found)), key=scores.__getitem__)
        closest[point_id] = (float(scores[best]), found[best])
        start += len(found)
    return closest


def sentences_of(point_text: str) -> list[str]:
    """The pieces of a point compared with a query by meaning: its sentences, also split at
    ";" (each a piece of the text as written)."""
    pieces: list[str] = []
    for sentence in text.split_sentences(point_text):
        pieces.extend(piece.strip() for piece in _PIECE_END.split(sentence) if piece.strip())
    return pieces


def _hits(
    session: Session,
    found: dict[int, tuple[float, str | None]],
    ranked: list[int],
    stems: list[str],
    *,
    by_words: set[int] | None = None,
    marked_stems: dict[int, list[str]] | None = None,
) -> list[Hit]:
    """The hits in the order `ranked`, each with its words (the query's, or `marked_stems`)
    or its closest sentence marked; `by_words` are the hits with every query word."""
    if not ranked:
        return []
    rows = session.execute(
        _joined(sa.select(Point, Statement, Organisation, Call, Forum)).where(
            col(Point.id).in_(ranked)
        )
    ).all()
    by_id = {id_of(row[0]): row for row in rows}
    hits = []
    for point_id in ranked:
        point, statement, organisation, call, forum = by_id[point_id]
        similarity, sentence = found[point_id]
        marked = (marked_stems or {}).get(point_id, stems)
        fragments = (
            highlight(point.text, marked)
            if sentence is None
            else highlight_sentence(point.text, sentence)
        )
        hits.append(
            Hit(
                point,
                statement,
                organisation,
                call,
                forum,
                fragments,
                similarity=round(similarity, 4),
                by_words=point_id in by_words if by_words is not None else sentence is None,
            )
        )
    return hits


def _scope(*, session: Session, actor: Actor) -> list[ColumnElement[bool]]:
    """Conditions that keep only the statements the actor may read."""
    if actor.acts_for_association and can(actor, Action.STATEMENT_READ_ALL):
        return [statements.readable_by_association_where(actor)]
    if not can(actor, Action.STATEMENT_READ_OWN) or actor.organisation_id is None:
        return [sa.false()]
    scope = [col(Statement.organisation_id) == actor.organisation_id]
    if actor.via_invitation:
        scope.append(col(Statement.call_id).in_(visible_call_ids(actor, session=session)))
    return scope


def highlight_sentence(point_text: str, sentence: str) -> tuple[tuple[str, bool], ...]:
    """The text cut into pieces, marking `sentence` (a piece of it as written)."""
    start = point_text.find(sentence)
    if start < 0 or not sentence:
        return ((point_text, False),)
    end = start + len(sentence)
    pieces = ((point_text[:start], False), (sentence, True), (point_text[end:], False))
    return tuple(piece for piece in pieces if piece[0])


def highlight(point_text: str, stems: list[str]) -> tuple[tuple[str, bool], ...]:
    """The text cut into pieces, marking each word whose stem contains a query stem."""
    fragments: list[tuple[str, bool]] = []
    position = 0
    for match in _WORD.finditer(point_text):
        word_stem = text.stem(text.fold(match.group()))
        hit = any(
            s in word_stem if len(s) >= SUBSTRING_MIN else word_stem.startswith(s) for s in stems
        )
        if not hit:
            continue
        if match.start() > position:
            fragments.append((point_text[position : match.start()], False))
        fragments.append((match.group(), True))
        position = match.end()
    if position < len(point_text):
        fragments.append((point_text[position:], False))
    return tuple(fragments)
