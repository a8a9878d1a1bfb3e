import io
import zipfile
from pathlib import Path

import pytest
from docx import Document as WordDocument
from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import Document, ForumMember, Role, id_of
from positions.core import files
from positions.core.errors import InvalidUpload, PermissionDenied
from positions.forums import documents
from tests import factories


@pytest.fixture(autouse=True)
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POSITIONEN_DATA_DIR", str(tmp_path / "daten"))
    return tmp_path / "daten"


def docx_bytes(text: str = "Protokoll") -> bytes:
    document = WordDocument()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docm_bytes() -> bytes:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx_bytes())) as source,
        zipfile.ZipFile(buffer, "w") as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("word/vbaProject.bin", b"\x00" * 100)
    return buffer.getvalue()


def test_documents_are_stored_once_by_content_and_read_back(
    engine: Engine, data_folder: Path
) -> None:
    data = docx_bytes()
    with write_session(engine) as session:
        staff = factories.actor(session)
        forum = factories.forum(session, staff)
        first = documents.upload(
            session=session,
            actor=staff,
            filename="Protokoll.docx",
            data=data,
            forum_id=id_of(forum),
        )
        documents.upload(
            session=session, actor=staff, filename="Kopie.docx", data=data, forum_id=id_of(forum)
        )
    stored = list((data_folder / "files").rglob("*"))
    assert [p for p in stored if p.is_file()] == [files.store_path(first.sha256)]
    with read_session(engine) as session:
        rows = documents.documents_of(session=session, actor=staff, forum_id=id_of(forum))
        document, content = documents.read(session=session, actor=staff, document_id=id_of(first))
    assert {r.document.filename for r in rows} == {"Protokoll.docx", "Kopie.docx"}
    assert content == data and document.size == len(data)


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("riesig.pdf", b"%PDF-" + b"0" * (25 * 1024 * 1024), "größer als 25 MB"),
        ("leer.pdf", b"", "leer"),
        ("tool.exe", b"MZ\x90\x00", "nicht angenommen"),
        ("falsch.pdf", b"<html></html>", "keine PDF-Datei"),
        ("kaputt.docx", b"PK\x03\x04kaputt", "beschädigt"),
        ("makro.docx", None, "Makros"),
        ("tabelle.xlsx", None, "passt nicht"),
        ("binär.txt", b"ab\x00cd", "keine Textdatei"),
    ],
)
def test_bad_uploads_are_refused_before_anything_is_written(
    engine: Engine, data_folder: Path, filename: str, data: bytes | None, message: str
) -> None:
    content = data if data is not None else (docm_bytes() if "makro" in filename else docx_bytes())
    with write_session(engine) as session:
        staff = factories.actor(session)
        forum = factories.forum(session, staff)
    with pytest.raises(InvalidUpload, match=message), write_session(engine) as session:
        documents.upload(
            session=session, actor=staff, filename=filename, data=content, forum_id=id_of(forum)
        )
    assert not (data_folder / "files").exists()
    with read_session(engine) as session:
        assert session.exec(select(Document)).all() == []


def test_forum_documents_only_for_people_who_may_see_the_forum(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        insider_org, outsider_org = factories.organisation(session), factories.organisation(session)
        insider = factories.actor(session, Role.MEMBER, insider_org)
        outsider = factories.actor(session, Role.MEMBER, outsider_org)
        forum = factories.forum(session, staff)
        session.add(ForumMember(forum_id=id_of(forum), organisation_id=id_of(insider_org)))
        document = documents.upload(
            session=session,
            actor=staff,
            filename="Leitfaden.txt",
            data="Leitfaden für Mitglieder".encode(),
            forum_id=id_of(forum),
        )
        with pytest.raises(PermissionDenied):
            documents.upload(
                session=session, actor=insider, filename="x.txt", data=b"x", forum_id=id_of(forum)
            )
    with read_session(engine) as session:
        documents.read(session=session, actor=insider, document_id=id_of(document))
        with pytest.raises(PermissionDenied):
            documents.read(session=session, actor=outsider, document_id=id_of(document))
