"""Files attached to forums, meetings, statements and outcomes: only the allowed types,
recognised by their content and not only their name, at most 25 MB, checked before anything
is written; then kept in the file store and recorded as a `Document` row.

Office files pass every check of the safe package reader that Word uploads pass (sizes,
compression, entries streamed with their CRC, no DOCTYPE, no macros, no encrypted or old
binary files), and those for a file someone opens later in Office: no entry names that climb
out of a folder, nothing loaded from outside on opening (templates, pictures, frames,
linked objects), no embedded OLE objects or ActiveX controls (`positions.uploads.package`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from db.models import Document
from positions.core import audit, files
from positions.core.clock import utcnow
from positions.core.errors import InvalidUpload
from positions.core.permissions import Actor
from positions.uploads.package import MAX_UPLOAD_BYTES, Wording, open_attachment

MAX_BYTES = MAX_UPLOAD_BYTES

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
    with open_attachment(data, _office_wording(name), main_part=main_part):
        pass


def _office_wording(name: str) -> Wording:
    """The package reader's refusals, naming the file."""
    quoted = f"„{name}“"
    damaged = f"{quoted} ist beschädigt oder kein Office-Dokument."
    return Wording(
        empty=f"{quoted} ist leer.",
        too_large=f"{quoted} ist größer als 25 MB und kann nicht gespeichert werden.",
        ole_container=(
            f"{quoted} ist im alten Office-Format gespeichert oder mit einem Kennwort "
            "geschützt. Bitte entfernen Sie gegebenenfalls den Kennwortschutz und speichern "
            f"Sie die Datei im aktuellen Format ({Path(name).suffix.lower()})."
        ),
        not_a_package=damaged,
        corrupt=damaged,
        macros=f"{quoted} enthält Makros; solche Dateien nehmen wir nicht an.",
        unusual=(
            f"{quoted} ist ungewöhnlich aufgebaut ({{reason}}) und wird aus "
            "Sicherheitsgründen nicht angenommen."
        ),
        not_its_kind=f"{quoted} passt nicht zu seiner Dateiendung.",
        loads_from_outside=(
            f"{quoted} lädt beim Öffnen Inhalte von außerhalb der Datei nach (eine "
            "verknüpfte Vorlage, ein Bild oder ein Objekt) und wird aus Sicherheitsgründen "
            "nicht angenommen. Bitte heben Sie die Verknüpfung auf oder laden Sie ein PDF hoch."
        ),
        ole_objects=(
            f"{quoted} enthält eingebettete Objekte oder Steuerelemente (OLE, ActiveX), die "
            "beim Öffnen Programme starten können, und wird aus Sicherheitsgründen nicht "
            "angenommen. Bitte ersetzen Sie sie durch Bilder oder laden Sie ein PDF hoch."
        ),
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
    document = Document(
        forum_id=forum_id,
        meeting_id=meeting_id,
        filename=Path(filename).name[:255],
        sha256=files.keep(data),
        mime=mime,
        size=len(data),
        uploaded_by_id=actor.user_id or None,
        uploaded_at=now or utcnow(),
    )
    session.add(document)
    session.flush()
    audit.created(session=session, actor_id=actor.user_id, row=document, now=now)
    return document


def content(document: Document) -> bytes:
    return files.load(document.sha256)
