import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from docx import Document as WordDocument
from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import Document, ForumMember, Role, id_of
from positions.core import files
from positions.core.errors import InvalidUpload, PermissionDenied
from positions.forums import documents
from positions.uploads import filing
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


# --- hostile Office files: every check of a Word upload, and those of a file we keep ----------

MIB = 1024 * 1024
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088)
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def rezip(
    data: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """The same package with parts replaced or added (added names are written as given)."""
    replace, add = replace or {}, add or {}
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, content in add.items():
            info = zipfile.ZipInfo(name)  # keeps the name as given ("../", "C:/", "\\")
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Mitglied", "Investitionen"])
    workbook.active["A1"].hyperlink = "https://www.example.org/"  # a hyperlink may point out
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pptx_bytes() -> bytes:
    """A minimal presentation package."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
            'org/package/2006/content-types"><Default Extension="rels" ContentType="application'
            '/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/ppt/presenta'
            'tion.xml" ContentType="application/vnd.openxmlformats-officedocument.presentation'
            'ml.presentation.main+xml"/></Types>',
        )
        archive.writestr("_rels/.rels", relationships(("officeDocument", "ppt/presentation.xml")))
        archive.writestr(
            "ppt/presentation.xml",
            '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/'
            'main"/>',
        )
    return buffer.getvalue()


OFFICE_FILES = {"docx": docx_bytes, "xlsx": xlsx_bytes, "pptx": pptx_bytes}
MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}


def relationships(*targets: tuple[str, str], external: bool = False) -> bytes:
    mode = ' TargetMode="External"' if external else ""
    entries = "".join(
        f'<Relationship Id="rId{n}" Type="{OFFICE_RELATIONSHIP}/{kind}" Target="{target}"{mode}/>'
        for n, (kind, target) in enumerate(targets, start=1)
    )
    return f'<Relationships xmlns="{RELATIONSHIPS}">{entries}</Relationships>'.encode()


def main_part_rels(kind: str) -> str:
    folder, name = MAIN_PART[kind].split("/")
    return f"{folder}/_rels/{name}.rels"


def with_main_part(kind: str, xml: bytes) -> bytes:
    return rezip(OFFICE_FILES[kind](), replace={MAIN_PART[kind]: xml})


def xxe(kind: str) -> bytes:
    return with_main_part(
        kind,
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>',
    )


def billion_laughs(kind: str) -> bytes:
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    return with_main_part(kind, f"<!DOCTYPE x [{entities}]><x>&l9;</x>".encode())


def utf7(kind: str) -> bytes:
    return with_main_part(kind, b'<?xml version="1.0" encoding="UTF-7"?><x/>')


def zip_bomb(kind: str) -> bytes:
    return rezip(OFFICE_FILES[kind](), add={"customXml/item9.xml": b"<a/>" + bytes(30 * MIB)})


def many_entries(kind: str) -> bytes:
    return rezip(OFFICE_FILES[kind](), add={f"customXml/x{i}.xml": b"<a/>" for i in range(2_001)})


def named(entry: str) -> Callable[[str], bytes]:
    def build(kind: str) -> bytes:
        return rezip(OFFICE_FILES[kind](), add={entry: b"Ausbruch"})

    return build


def case_twin(kind: str) -> bytes:
    return rezip(OFFICE_FILES[kind](), add={MAIN_PART[kind].upper(): b"<x/>"})


def linked(
    relationship: str, target: str = "https://evil.invalid/vorlage.dotm"
) -> Callable[[str], bytes]:
    """A relationship of the main part to something outside the package."""

    def build(kind: str) -> bytes:
        data = OFFICE_FILES[kind]()
        rels = relationships((relationship, target), external=True)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            exists = main_part_rels(kind) in archive.namelist()
        if exists:
            return rezip(data, replace={main_part_rels(kind): rels})
        return rezip(data, add={main_part_rels(kind): rels})

    return build


def ole_object(kind: str) -> bytes:
    folder = MAIN_PART[kind].split("/")[0]
    return rezip(OFFICE_FILES[kind](), add={f"{folder}/embeddings/oleObject1.bin": OLE2})


def ole_under_another_name(kind: str) -> bytes:
    folder = MAIN_PART[kind].split("/")[0]
    return rezip(OFFICE_FILES[kind](), add={f"{folder}/media/image1.png": OLE2})


def activex(kind: str) -> bytes:
    data = OFFICE_FILES[kind]()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml")
    types = types.replace(
        b"</Types>",
        b'<Override PartName="/x/activeX/activeX1.xml" '
        b'ContentType="application/vnd.ms-office.activeX+xml"/></Types>',
    )
    return rezip(
        data, replace={"[Content_Types].xml": types}, add={"x/activeX/activeX1.xml": b"<a/>"}
    )


def macro_content_type(kind: str) -> bytes:
    data = OFFICE_FILES[kind]()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml")
    types = types.replace(
        b"</Types>",
        b'<Override PartName="/x/macros.bin" ContentType="application/vnd.ms-excel.sheet.'
        b'macroEnabled.main+xml"/></Types>',
    )
    return rezip(data, replace={"[Content_Types].xml": types})


def encrypted(_kind: str) -> bytes:
    return OLE2  # a password-protected Office file is an OLE2 container


@dataclass(frozen=True)
class HostileOffice:
    name: str
    build: Callable[[str], bytes]
    message: str


HOSTILE_OFFICE = [
    HostileOffice("XXE", xxe, "DOCTYPE"),
    HostileOffice("billion laughs", billion_laughs, "DOCTYPE"),
    HostileOffice("UTF-7 part", utf7, "Zeichenkodierung"),
    HostileOffice("zip bomb", zip_bomb, "stark komprimiert"),
    HostileOffice("over 2,000 entries", many_entries, "zu viele Bestandteile"),
    HostileOffice("password-protected", encrypted, "Kennwort"),
    HostileOffice("macro content type", macro_content_type, "Makros"),
    HostileOffice("entry climbing out", named("../../home/evil.sh"), "Name eines Bestandteils"),
    HostileOffice("absolute entry", named("/etc/cron.d/evil"), "Name eines Bestandteils"),
    HostileOffice("backslash entry", named("x\\..\\..\\evil.bat"), "Name eines Bestandteils"),
    HostileOffice("drive letter entry", named("C:/Windows/evil.dll"), "Name eines Bestandteils"),
    HostileOffice("names differing in case", case_twin, "beschädigt"),
    HostileOffice("remote template", linked("attachedTemplate"), "von außerhalb"),
    HostileOffice(
        "template on a share", linked("attachedTemplate", "file://server/x.dotm"), "von außerhalb"
    ),
    HostileOffice("linked OLE object", linked("oleObject"), "von außerhalb"),
    HostileOffice("remote frame", linked("frame"), "von außerhalb"),
    HostileOffice("remote sub-document", linked("subDocument"), "von außerhalb"),
    HostileOffice("remote picture", linked("image", "https://evil.invalid/p.png"), "von außerhalb"),
    HostileOffice("embedded OLE object", ole_object, "OLE"),
    HostileOffice("OLE object as picture", ole_under_another_name, "OLE"),
    HostileOffice("ActiveX control", activex, "ActiveX"),
]


@pytest.mark.parametrize("kind", list(OFFICE_FILES))
def test_ordinary_office_files_are_accepted(kind: str) -> None:
    assert filing.check_file(f"Anlage.{kind}", OFFICE_FILES[kind]()).startswith("application/")


@pytest.mark.parametrize("kind", list(OFFICE_FILES))
@pytest.mark.parametrize("case", HOSTILE_OFFICE, ids=[case.name for case in HOSTILE_OFFICE])
def test_hostile_office_files_are_refused_naming_the_file(kind: str, case: HostileOffice) -> None:
    with pytest.raises(InvalidUpload) as refused:
        filing.check_file(f"Anlage.{kind}", case.build(kind))
    assert case.message in refused.value.message
    assert refused.value.message.startswith(f"„Anlage.{kind}“ ")


def test_printer_settings_and_embedded_workbooks_are_no_ole_objects() -> None:
    """Excel keeps printer settings in .bin parts, and a Word chart's data is an embedded
    workbook: neither is an OLE object, and both are kept."""
    data = rezip(
        docx_bytes(),
        add={
            "word/embeddings/Microsoft_Excel_Worksheet.xlsx": xlsx_bytes(),
            "word/printerSettings/printerSettings1.bin": b"\x00" * 64,
        },
    )
    assert filing.check_file("Bericht.docx", data).startswith("application/")
