"""German-aware search over statement points: case, umlauts and ß spellings and word
endings do not matter ("Förderprogramme" finds "Foerderprogramm"), and the matching words
are marked for display.

Each point stores its folded word stems between spaces (`Point.search_key`); a query stem
matches where it occurs in that key, so a word also finds compounds that contain it
("strompreis" finds "Industriestrompreise"). Short stems must start a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from db.models import Call, Forum, Organisation, Point, Statement, User
from positions.core import text
from positions.core.permissions import Action, Actor, can, visible_call_ids

# Imported both ways: statements stores search keys, search asks statements who may read.
from positions.statements import statements

MAX_RESULTS = 200
MAX_QUERY_WORDS = 8
# Shorter stems only match at the start of a word, or "an" would find everything.
SUBSTRING_MIN = 4
_WORD = re.compile(r"[^\W_]+")


def key_of(point_text: str) -> str:
    """The search key stored with a point."""
    return " " + " ".join(text.stems(text.tokenize(point_text))) + " "


def query_stems(query: str) -> list[str]:
    """The distinct stems of a query, longest first (the most selective filter first)."""
    stems = dict.fromkeys(s for s in text.stems(text.tokenize(query)) if s)
    return sorted(stems, key=len, reverse=True)[:MAX_QUERY_WORDS]


@dataclass(frozen=True)
class Hit:
    point: Point
    statement: Statement
    organisation: Organisation
    call: Call
    forum: Forum
    # The point's text in pieces; True marks the words that matched.
    fragments: tuple[tuple[str, bool], ...]


def search(*, session: Session, actor: Actor, query: str, limit: int = MAX_RESULTS) -> list[Hit]:
    """Points the actor may read that contain every word of `query`, newest calls first.

    Staff and board see what `statements.readable_by_association` lets them read (no
    member's draft, no withdrawn text, "nur intern" for the office only); member contacts
    see their own organisation's statements.
    """
    stems = query_stems(query)
    if not stems:
        return []
    statement_query = (
        sa.select(Point, Statement, Organisation, Call, Forum)
        .join(Statement, col(Statement.id) == Point.statement_id)
        .join(Organisation, col(Organisation.id) == Statement.organisation_id)
        .join(Call, col(Call.id) == Statement.call_id)
        .join(Forum, col(Forum.id) == Call.forum_id)
        .join(User, col(User.id) == Statement.author_id, isouter=True)
    )
    conditions: list[ColumnElement[bool]] = [
        col(Point.search_key).like(f"%{stem}%" if len(stem) >= SUBSTRING_MIN else f"% {stem}%")
        for stem in stems
    ]
    conditions += _scope(session=session, actor=actor)
    rows = session.execute(
        statement_query.where(*conditions)
        .order_by(col(Call.external_deadline).desc(), col(Statement.id), col(Point.position))
        .limit(limit)
    ).all()
    return [Hit(p, s, o, c, f, highlight(p.text, stems)) for p, s, o, c, f in rows]


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
