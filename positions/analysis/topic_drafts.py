"""Drafts from the association's own language model for one topic of a call: a name, a
short summary and a paragraph in which every sentence cites the points it rests on.
Pure functions on plain data; `llm_topics` reads the call and talks to the model.

What is sent. Only point texts under short ids ("P1", "P2", …): never an organisation's
name, a statement id or the topic's current label (it may be taken from a confidential
point). The caller has already removed each organisation's own name from its points.
Points of "nur intern" statements are sent only when the admin allowed it, points of
anonymous ones likewise (`select_points`); one wording per group of near-duplicates goes,
its copies ride along. A request holds at most `MAX_REQUEST_CHARS` of point text; statements
take turns, so one member's long statement cannot fill a request alone. Whatever is not
sent is listed with the reason, per statement: nothing disappears silently.

What is kept (`read_draft`). The model answers with JSON sentences, each naming the points
it rests on and optionally exact quotes from them. A sentence that cites no point, cites a
point that was not sent (an invented id), or quotes words that are not in the cited point,
is dropped and listed with the reason. Quotes are compared after folding case, quotation
marks, dashes and white space; nothing else is forgiven. A sentence that rests only on
"nur intern" points is kept out of the paragraph and shown to staff as an internal note, as
the merge suggestion does.

Limits: a citation only says the model claims the sentence rests on that point; whether the
sentence says what the point says is for staff to judge in the preview before anything
enters a paper. The name and the summary cite nothing and are not checked.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from db.enums import Visibility

MAX_REQUEST_CHARS = 24_000
"""Point text per request: about 6,000 tokens, which small local models still read whole."""
MAX_NAME_LENGTH = 200

# Why a statement's point was not sent or not processed (shown to staff as they are).
WITHHELD_INTERNAL = "„nur intern“ – nicht für das Sprachmodell freigegeben"
WITHHELD_ANONYMOUS = "anonym – nicht für das Sprachmodell freigegeben"
TOO_LONG = "passte nicht mehr in die Anfrage (zu viel Text in diesem Thema)"

SYSTEM_PROMPT = """Du hilfst der Geschäftsstelle eines Industrieverbands, Stellungnahmen
seiner Mitglieder zu einem Thema zusammenzuführen. Du erhältst Punkte aus diesen
Stellungnahmen, jeder mit einer Kennung wie "P1".

Antworte ausschließlich mit einem JSON-Objekt dieser Form:
{"name": "…", "summary": "…", "sentences": [{"text": "…", "points": ["P1"],
  "quotes": [{"point": "P1", "text": "…"}]}]}

- "name": Name des Themas, wie eine Forderung formuliert, höchstens zehn Wörter
  (z. B. "Netzentgelte für die Industrie senken").
- "summary": zwei bis drei Sätze, was die Mitglieder zu diesem Thema sagen.
- "sentences": ein Absatz für ein Positionspapier des Verbands, ein Satz je Eintrag.
  Jeder Satz nennt in "points" die Kennungen der Punkte, auf denen er beruht. Schreibe
  keinen Satz, den kein Punkt trägt, und erfinde keine Kennungen. "quotes" ist freiwillig;
  ein Zitat muss wörtlich im genannten Punkt stehen.
- Nenne keine Unternehmen oder Personen. Schreibe sachlich, auf Deutsch."""


@dataclass(frozen=True)
class TopicPoint:
    """A point of the topic as it may be sent: `text` already without its organisation's name."""

    id: int
    text: str
    statement_id: int
    visibility: Visibility
    group: int | None = None
    """Near-duplicate group: only one wording per group is sent."""


@dataclass(frozen=True)
class SentPoint:
    alias: str
    point: TopicPoint
    copies: tuple[TopicPoint, ...] = ()

    @property
    def all(self) -> tuple[TopicPoint, ...]:
        return (self.point, *self.copies)


@dataclass(frozen=True)
class LeftOut:
    point_id: int
    statement_id: int
    reason: str


@dataclass(frozen=True)
class Selection:
    """What one request sends, and what stays behind with the reason."""

    sent: tuple[SentPoint, ...]
    left_out: tuple[LeftOut, ...] = ()

    def by_alias(self) -> dict[str, SentPoint]:
        return {entry.alias: entry for entry in self.sent}

    @property
    def sent_statements(self) -> frozenset[int]:
        return frozenset(p.statement_id for entry in self.sent for p in entry.all)


def may_send(visibility: Visibility, *, send_internal: bool, send_anonymous: bool) -> bool:
    """The confidentiality rule: named points may go; "nur intern" and anonymous ones only
    when the admin allowed each explicitly."""
    if visibility == Visibility.INTERNAL:
        return send_internal
    if visibility == Visibility.ANONYMOUS:
        return send_anonymous
    return True


def select_points(
    points: list[TopicPoint],
    *,
    send_internal: bool = False,
    send_anonymous: bool = False,
    max_chars: int = MAX_REQUEST_CHARS,
) -> Selection:
    """The points one request may send: allowed ones, one wording per near-duplicate group,
    statements taking turns until `max_chars` of text are reached."""
    left_out: list[LeftOut] = []
    groups: dict[int | str, list[TopicPoint]] = {}
    for point in points:
        if not may_send(
            point.visibility, send_internal=send_internal, send_anonymous=send_anonymous
        ):
            reason = (
                WITHHELD_INTERNAL if point.visibility == Visibility.INTERNAL else WITHHELD_ANONYMOUS
            )
            left_out.append(LeftOut(point.id, point.statement_id, reason))
            continue
        key: int | str = point.group if point.group is not None else f"point-{point.id}"
        groups.setdefault(key, []).append(point)
    # Statements take turns: each round sends the next group of every statement.
    queues: defaultdict[int, list[list[TopicPoint]]] = defaultdict(list)
    for members in groups.values():
        queues[members[0].statement_id].append(members)
    ordered: list[list[TopicPoint]] = []
    while any(queues.values()):
        for queue in queues.values():
            if queue:
                ordered.append(queue.pop(0))
    sent: list[SentPoint] = []
    used = 0
    for members in ordered:
        head = members[0]
        if used + len(head.text) > max_chars and sent:
            left_out.extend(LeftOut(p.id, p.statement_id, TOO_LONG) for p in members)
            continue
        used += len(head.text)
        sent.append(SentPoint(f"P{len(sent) + 1}", head, tuple(members[1:])))
    return Selection(tuple(sent), tuple(left_out))


def messages(selection: Selection) -> list[dict[str, str]]:
    """The chat messages for one topic: instructions, then the points as JSON (ids and
    texts only)."""
    points = [{"id": entry.alias, "text": entry.point.text} for entry in selection.sent]
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {
            "role": "user",
            "content": "Punkte zu einem Thema:\n" + json.dumps(points, ensure_ascii=False),
        },
    ]


@dataclass(frozen=True)
class Quote:
    alias: str
    text: str


@dataclass(frozen=True)
class DraftSentence:
    text: str
    aliases: tuple[str, ...]
    quotes: tuple[Quote, ...] = ()


@dataclass(frozen=True)
class DroppedSentence:
    text: str
    reason: str


@dataclass(frozen=True)
class TopicDraft:
    """A checked draft: `sentences` each rest on points that were sent; `dropped` failed
    the check; `internal_notes` rest only on "nur intern" points and stay out of the
    paragraph."""

    name: str
    summary: str
    sentences: tuple[DraftSentence, ...]
    dropped: tuple[DroppedSentence, ...]
    internal_notes: tuple[DraftSentence, ...]
    selection: Selection
    uncited: tuple[str, ...] = field(default=())
    """Aliases of sent points no kept sentence cites."""

    @property
    def text(self) -> str:
        return " ".join(sentence.text for sentence in self.sentences)

    @property
    def source_point_ids(self) -> tuple[int, ...]:
        """The points the paragraph rests on: those its sentences cite, with their copies."""
        by_alias = self.selection.by_alias()
        ids: dict[int, None] = {}
        for sentence in self.sentences:
            for alias in sentence.aliases:
                for point in by_alias[alias].all:
                    ids[point.id] = None
        return tuple(ids)


_QUOTE_MARKS = str.maketrans({c: '"' for c in "„“”«»‚‘’‹›'"} | {c: "-" for c in "–—‑"})
_SPACE = re.compile(r"\s+")


def folded(text: str) -> str:
    """Text compared for quotes: case, quotation marks, dashes and white space folded."""
    return _SPACE.sub(" ", text.translate(_QUOTE_MARKS).casefold()).strip()


def _quote_text(text: str) -> str:
    # A quote may come with its own quotation marks or an ellipsis around it.
    return folded(text).strip(' ".…').strip()


def _alias(value: Any) -> str | None:
    """ "P3", "p3", "3" or 3 as "P3"; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return f"P{value}"
    if isinstance(value, str):
        match = re.fullmatch(r"\s*[Pp]?\s*(\d+)\s*", value)
        if match:
            return f"P{int(match.group(1))}"
    return None


def _line(value: Any, limit: int) -> str:
    return _SPACE.sub(" ", value).strip()[:limit] if isinstance(value, str) else ""


def read_draft(answer: dict[str, Any], selection: Selection) -> TopicDraft:
    """Check the model's JSON answer against the points that were sent."""
    by_alias = selection.by_alias()
    raw_sentences = answer.get("sentences")
    kept: list[DraftSentence] = []
    notes: list[DraftSentence] = []
    dropped: list[DroppedSentence] = []
    for raw in raw_sentences if isinstance(raw_sentences, list) else []:
        checked = _check_sentence(raw, by_alias)
        if isinstance(checked, DroppedSentence):
            if checked.text:
                dropped.append(checked)
        elif all(by_alias[a].point.visibility == Visibility.INTERNAL for a in checked.aliases):
            notes.append(checked)
        else:
            kept.append(checked)
    cited = {alias for sentence in kept for alias in sentence.aliases}
    return TopicDraft(
        name=_line(answer.get("name"), MAX_NAME_LENGTH).strip(' "„“'),
        summary=_line(answer.get("summary"), 2_000),
        sentences=tuple(kept),
        dropped=tuple(dropped),
        internal_notes=tuple(notes),
        selection=selection,
        uncited=tuple(entry.alias for entry in selection.sent if entry.alias not in cited),
    )


def _check_sentence(raw: Any, by_alias: dict[str, SentPoint]) -> DraftSentence | DroppedSentence:
    if not isinstance(raw, dict):
        return DroppedSentence(_line(raw, 2_000), "ohne Angabe der Punkte, auf denen er beruht")
    text = _line(raw.get("text"), 2_000)
    cited = raw.get("points")
    cited = cited if isinstance(cited, list) else [cited] if cited is not None else []
    aliases = [_alias(value) for value in cited]
    if not aliases:
        return DroppedSentence(text, "nennt keinen Punkt, auf dem er beruht")
    unknown = [str(v) for v, a in zip(cited, aliases, strict=True) if a not in by_alias]
    if unknown:
        return DroppedSentence(
            text, "beruft sich auf Punkte, die es nicht gibt: " + ", ".join(unknown)
        )
    known = tuple(dict.fromkeys(a for a in aliases if a is not None))
    quotes = _checked_quotes(raw.get("quotes"), known, by_alias)
    if isinstance(quotes, str):
        return DroppedSentence(text, quotes)
    if not text:
        return DroppedSentence("", "ohne Text")
    return DraftSentence(text, known, quotes)


def _checked_quotes(
    raw_quotes: Any, known: tuple[str, ...], by_alias: dict[str, SentPoint]
) -> tuple[Quote, ...] | str:
    """The sentence's quotes, or why one of them fails: it must stand in a point the
    sentence cites."""
    quotes: list[Quote] = []
    for raw_quote in raw_quotes if isinstance(raw_quotes, list) else []:
        if not isinstance(raw_quote, dict):
            continue
        alias, quoted = _alias(raw_quote.get("point")), _line(raw_quote.get("text"), 2_000)
        if not quoted:
            continue
        if alias is None or alias not in known:
            return f"zitiert „{quoted}“ aus einem Punkt, den er nicht nennt"
        if _quote_text(quoted) not in folded(by_alias[alias].point.text):
            return f"das Zitat „{quoted}“ steht nicht in Punkt {alias}"
        quotes.append(Quote(alias, quoted))
    return tuple(quotes)


@dataclass(frozen=True)
class NotProcessed:
    statement_id: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Coverage:
    """Every statement of a call: mapped to the topics the model worked on, or not processed
    with the reasons."""

    mapped: dict[int, tuple[int, ...]]
    """Statement id → the topics (cluster ids) it went into."""
    not_processed: tuple[NotProcessed, ...]
    partly: tuple[NotProcessed, ...] = ()
    """Mapped statements some of whose points were not sent, with the reasons."""


def coverage(
    statement_ids: list[int],
    topics: dict[int, tuple[Selection, str | None]],
    *,
    outside_topics: dict[int, str] | None = None,
) -> Coverage:
    """Which statements the model processed, in which topics. `topics` maps a cluster id to
    its selection and the error of its request (None when it succeeded); `outside_topics`
    gives statements whose points are in no topic, with the reason."""
    mapped: defaultdict[int, list[int]] = defaultdict(list)
    reasons: defaultdict[int, dict[str, None]] = defaultdict(dict)
    for cluster_id, (selection, error) in topics.items():
        for statement_id in sorted(selection.sent_statements):
            if error is None:
                mapped[statement_id].append(cluster_id)
            else:
                reasons[statement_id][f"Anfrage gescheitert: {error}"] = None
        for left in selection.left_out:
            reasons[left.statement_id][left.reason] = None
    for statement_id, reason in (outside_topics or {}).items():
        reasons[statement_id][reason] = None
    return Coverage(
        mapped={s: tuple(mapped[s]) for s in statement_ids if mapped.get(s)},
        not_processed=tuple(
            NotProcessed(s, tuple(reasons[s]) or ("in keinem Thema",))
            for s in statement_ids
            if not mapped.get(s)
        ),
        partly=tuple(
            NotProcessed(s, tuple(reasons[s]))
            for s in statement_ids
            if mapped.get(s) and reasons.get(s)
        ),
    )
