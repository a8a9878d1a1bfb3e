"""Documents of forums and meetings, kept in the file store (`positions.core.files`).

Forum documents can be read by everyone who may see the forum (member organisations of a
Fachforum included); meeting documents (minutes, slides) only by the association. What may be
uploaded is decided by `positions.uploads.filing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from db.models import Document, Forum, Meeting, User
from positions.core.errors import NotFound
from positions.core.permissions import Action, Actor, require
from positions.uploads import filing


@dataclass(frozen=True)
class DocumentRow:
    document: Document
    uploaded_by: str


def upload(
    *,
    session: Session,
    actor: Actor,
    filename: str,
    data: bytes,
    forum_id: int | None = None,
    meeting_id: int | None = None,
    now: datetime | None = None,
) -> Document:
    """Store a document for a forum or a meeting (exactly one of them)."""
    require(actor, Action.MEETING_MANAGE if meeting_id else Action.FORUM_MANAGE)
    if (forum_id is None) == (meeting_id is None):
        raise ValueError("a document belongs to exactly one forum or meeting")
    if forum_id is not None and session.get(Forum, forum_id) is None:
        raise NotFound("Dieses Forum gibt es nicht.")
    if meeting_id is not None and session.get(Meeting, meeting_id) is None:
        raise NotFound("Diese Sitzung gibt es nicht.")
    return filing.store(
        session=session,
        actor=actor,
        filename=filename,
        data=data,
        forum_id=forum_id,
        meeting_id=meeting_id,
        now=now,
    )


def documents_of(
    *,
    session: Session,
    actor: Actor,
    forum_id: int | None = None,
    meeting_id: int | None = None,
) -> list[DocumentRow]:
    if meeting_id is not None:
        require(actor, Action.MEETING_READ)
    else:
        forum = session.get(Forum, forum_id)
        if forum is None:
            raise NotFound("Dieses Forum gibt es nicht.")
        require(actor, Action.FORUM_READ, forum, session=session)
    query = select(Document, User).join(User, col(User.id) == Document.uploaded_by_id, isouter=True)
    if forum_id is not None:
        query = query.where(Document.forum_id == forum_id)
    if meeting_id is not None:
        query = query.where(Document.meeting_id == meeting_id)
    rows = session.exec(query.order_by(col(Document.uploaded_at).desc())).all()
    return [DocumentRow(document, user.name if user else "") for document, user in rows]


def read(*, session: Session, actor: Actor, document_id: int) -> tuple[Document, bytes]:
    """A forum's or meeting's document and its bytes, for people allowed to see it.
    (Statement files are read through `positions.statements.statements`.)"""
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound("Dieses Dokument gibt es nicht.")
    # Forum documents go to whoever may see the forum; everything else stays in the house.
    forum = session.get(Forum, document.forum_id) if document.forum_id else None
    if forum is not None:
        require(actor, Action.FORUM_READ, forum, session=session)
    else:
        require(actor, Action.MEETING_READ)
    return document, filing.content(document)
