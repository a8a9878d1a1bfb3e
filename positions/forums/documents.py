"""Documents of forums and meetings in a content-addressed file store under the data folder.

Forum documents can be read by everyone who may see the forum (member organisations of a
Fachforum included); meeting documents (minutes, slides) only by the association.

A file is stored once under its SHA-256 (`files/ab/cdef…`); rows in `Document` name it.
Only the allowed types are accepted, recognised by their content and not only their name, and
files larger than 25 MB are refused before anything is written.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from db.engine import data_dir
from db.models import Document, Forum, Meeting, User
from positions.core import audit
from positions.core.clock import utcnow
from positions.core.errors import InvalidUpload, NotFound
from positions.core.permissions import Action, Actor, require

MAX_BYTES = 25 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024

# extension → (MIME type, main part an Office file must contain)
ALLOWED = {
    ".pdf": ("application/pdf", None),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "word/document.xml",
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xl/workbook.xml",
    ),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "ppt/presentation.xml",
    ),
    ".txt": ("text/plain; charset=utf-8", None),
}
ALLOWED_LABEL = "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx) oder Text (.txt)"


@dataclass(frozen=True)
class DocumentRow:
    document: Document
    uploaded_by: str


def store_path(sha256: str) -> Path:
    return data_dir() / "files" / sha256[:2] / sha256[2:]


def check_file(filename: str, data: bytes) -> str:
    """The MIME type of an acceptable upload; `InvalidUpload` with a German reason otherwise."""
    name = Path(filename).name
    extension = Path(name).suffix.lower()
    if len(data) > MAX_BYTES:
        raise InvalidUpload(f"„{name}“ ist größer als 25 MB und kann nicht gespeichert werden.")
    if not data:
        raise InvalidUpload(f"„{name}“ ist leer.")
    if extension not in ALLOWED:
        raise InvalidUpload(
            f"Dateien vom Typ „{extension or name}“ werden nicht angenommen. "
            f"Erlaubt sind {ALLOWED_LABEL}."
        )
    mime, main_part = ALLOWED[extension]
    if extension == ".pdf" and not data.startswith(b"%PDF-"):
        raise InvalidUpload(f"„{name}“ ist keine PDF-Datei.")
    if extension == ".txt":
        _check_text(name, data)
    if main_part is not None:
        _check_office(name, data, main_part)
    return mime


def _check_text(name: str, data: bytes) -> None:
    if b"\x00" in data:
        raise InvalidUpload(f"„{name}“ ist keine Textdatei.")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidUpload(
            f"„{name}“ ist nicht in UTF-8 gespeichert; bitte speichern Sie "
            "die Datei als UTF-8-Text."
        ) from None


def _check_office(name: str, data: bytes, main_part: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InvalidUpload(f"„{name}“ ist beschädigt oder kein Office-Dokument.") from None
    names = {entry.filename for entry in entries}
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        raise InvalidUpload(f"„{name}“ ist ungewöhnlich aufgebaut und wird abgelehnt.")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise InvalidUpload(f"„{name}“ enthält Makros; solche Dateien nehmen wir nicht an.")
    if main_part not in names:
        raise InvalidUpload(f"„{name}“ passt nicht zu seiner Dateiendung.")


def _write_once(sha256: str, data: bytes) -> None:
    """Write the file atomically; a file already stored under its hash is left as it is."""
    target = store_path(sha256)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, target)


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
    return store(
        session=session,
        actor=actor,
        filename=filename,
        data=data,
        forum_id=forum_id,
        meeting_id=meeting_id,
        now=now,
    )


def store(
    *,
    session: Session,
    actor: Actor,
    filename: str,
    data: bytes,
    forum_id: int | None = None,
    meeting_id: int | None = None,
    now: datetime | None = None,
) -> Document:
    """Check a file and keep it in the store; the caller has checked the permissions."""
    mime = check_file(filename, data)
    sha256 = hashlib.sha256(data).hexdigest()
    _write_once(sha256, data)
    document = Document(
        forum_id=forum_id,
        meeting_id=meeting_id,
        filename=Path(filename).name[:255],
        sha256=sha256,
        mime=mime,
        size=len(data),
        uploaded_by_id=actor.user_id or None,
        uploaded_at=now or utcnow(),
    )
    session.add(document)
    session.flush()
    audit.created(session=session, actor_id=actor.user_id, row=document, now=now)
    return document


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
    return document, content(document)


def content(document: Document) -> bytes:
    path = store_path(document.sha256)
    if not path.exists():
        raise NotFound(
            "Die Datei fehlt in der Dateiablage; bitte wenden Sie sich an die Administration."
        )
    return path.read_bytes()


def store_image(
    *, session: Session, actor: Actor, filename: str, data: bytes, now: datetime | None = None
) -> str:
    """Keep an already checked image (the association's logo) in the store; its hash."""
    require(actor, Action.SETTINGS_MANAGE)
    sha256 = hashlib.sha256(data).hexdigest()
    _write_once(sha256, data)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="store_image",
        object_type="setting",
        detail={"file": Path(filename).name[:100]},
        now=now,
    )
    return sha256
