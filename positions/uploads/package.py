"""The safe reader of Office (OOXML) packages: every upload of a Word, Excel or PowerPoint
file passes through it before any of its XML is parsed.

`open_ooxml` looks at size, magic bytes and the zip structure (from the central directory's
declared sizes), runs the format's own checks, then streams every entry once in bounded
chunks, checking its CRC and real size and scanning XML parts for a DOCTYPE. `Package.xml`
parses a part with a parser that resolves no entities, loads no DTD, never touches the
network and refuses any DOCTYPE. Every refusal is an `InvalidUpload` with a German message,
worded by the caller (`Wording`).

Two formats use it: `open_package` reads a Word upload whose text we extract (the member's
messages speak of Word), and `open_attachment` checks an Office file we keep and offer for
download (`positions.uploads.filing`; the messages name the file). An attachment is opened
later in Word, Excel or PowerPoint on staff computers, so it is also refused for what those
programs would do on opening it: entry names that climb out of a folder, relationships that
load a template, picture, frame, sub-document or linked object from elsewhere, and embedded
OLE objects or ActiveX controls.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Protocol

from lxml import etree

from positions.core.errors import InvalidUpload

# --- limits ---------------------------------------------------------------------------------

MIB = 1024 * 1024
MAX_UPLOAD_BYTES = 25 * MIB
MAX_ENTRIES = 2_000
MAX_UNPACKED_BYTES = 50 * MIB
# Attachments are never parsed beyond their relationships, so a large workbook may unpack
# to more than a Word upload, whose every paragraph we read.
MAX_ATTACHMENT_UNPACKED_BYTES = 200 * MIB
MAX_COMPRESSION_RATIO = 100
# Entries this small cannot hurt, and tiny repetitive parts legitimately compress past 100:1.
RATIO_EXEMPT_BYTES = 64 * 1024
# zipfile walks the whole central directory on open; bounding its size bounds that work
# even when the end record lies about the number of entries.
MAX_CENTRAL_DIRECTORY_BYTES = 1 * MIB
# One XML part we parse: 8 MiB is several hundred pages of text. libxml2 keeps its tree
# outside Python's allocator, so the markup count bounds that memory (roughly 100 MB).
MAX_XML_PART_BYTES = 8 * MIB
MAX_XML_MARKUP = 1_000_000
CHUNK_BYTES = 64 * 1024

# --- messages (German, shown to the member as they are) -------------------------------------

SAVE_AS_DOCX = (
    "Bitte speichern Sie die Datei in Word als .docx (Word-Dokument) und laden Sie sie erneut hoch."
)
EMPTY = "Die Datei ist leer."
TOO_LARGE = (
    "Die Datei ist größer als 25 MB. Bitte verkleinern Sie enthaltene Bilder "
    "oder fügen Sie den Text direkt ein."
)
OLD_WORD = "Die Datei ist im alten Word-Format (.doc) gespeichert. " + SAVE_AS_DOCX
OLE_CONTAINER = (
    "Die Datei ist im alten Word-Format (.doc) gespeichert oder mit einem Kennwort geschützt. "
    "Bitte entfernen Sie gegebenenfalls den Kennwortschutz. " + SAVE_AS_DOCX
)
ODT = "Die Datei ist ein OpenDocument-Text (.odt). " + SAVE_AS_DOCX
PDF = (
    "Die Datei ist ein PDF. Bitte laden Sie das ursprüngliche Word-Dokument hoch. "
    "Haben Sie nur das PDF, öffnen Sie es in Word, speichern Sie es als .docx (Word-Dokument) "
    "und laden Sie es erneut hoch."
)
RTF = "Die Datei ist im RTF-Format gespeichert. " + SAVE_AS_DOCX
MACROS = (
    "Die Datei enthält Makros (.docm). Aus Sicherheitsgründen nehmen wir keine Dateien mit "
    "Makros an. " + SAVE_AS_DOCX
)
WRONG_NAME = "Bitte laden Sie ein Word-Dokument mit der Endung .docx hoch."
NOT_DOCX = (
    "Die Datei ist kein gültiges Word-Dokument (.docx). "
    "Bitte prüfen Sie, ob Sie die richtige Datei gewählt haben."
)
NOT_WORD = "Die Datei ist kein Word-Dokument: ihr fehlt der Dokumentinhalt (word/document.xml)."
EXCEL = "Die Datei ist eine Excel-Arbeitsmappe, kein Word-Dokument. " + SAVE_AS_DOCX
POWERPOINT = "Die Datei ist eine PowerPoint-Präsentation, kein Word-Dokument. " + SAVE_AS_DOCX
CORRUPT = (
    "Die Datei ist beschädigt oder unvollständig. Bitte öffnen Sie sie in Word, speichern Sie "
    "sie erneut und laden Sie sie noch einmal hoch."
)
LOADS_FROM_OUTSIDE = (
    "Die Datei lädt beim Öffnen Inhalte von außerhalb nach (eine verknüpfte Vorlage, ein Bild "
    "oder ein Objekt) und wird aus Sicherheitsgründen nicht angenommen. Bitte fügen Sie den "
    "Text direkt ein."
)
OLE_OBJECTS = (
    "Die Datei enthält eingebettete Objekte oder Steuerelemente (OLE, ActiveX) und wird aus "
    "Sicherheitsgründen nicht angenommen. Bitte fügen Sie den Text direkt ein."
)
UNUSUAL = (
    "Die Datei ist ungewöhnlich aufgebaut ({reason}) und wird aus Sicherheitsgründen nicht "
    "angenommen. Bitte speichern Sie sie in Word erneut als .docx (Word-Dokument) oder "
    "fügen Sie den Text direkt ein."
)


@dataclass(frozen=True)
class Wording:
    """The German messages of one kind of upload, for the refusals every package shares."""

    empty: str
    too_large: str
    ole_container: str  # an old binary Office file, or a password-protected (encrypted) one
    not_a_package: str  # not a zip at all
    corrupt: str
    macros: str
    unusual: str  # "{reason}" names what is unusual
    # Only a file to keep is checked for these (see the module docstring).
    not_its_kind: str  # the main part of the format its name promises is missing
    loads_from_outside: str
    ole_objects: str

    def suspicious(self, reason: str) -> InvalidUpload:
        # replace(), not format(): the message may quote a file name with braces in it.
        return InvalidUpload(self.unusual.replace("{reason}", reason))


WORD = Wording(
    empty=EMPTY,
    too_large=TOO_LARGE,
    ole_container=OLE_CONTAINER,
    not_a_package=NOT_DOCX,
    corrupt=CORRUPT,
    macros=MACROS,
    unusual=UNUSUAL,
    not_its_kind=NOT_WORD,
    loads_from_outside=LOADS_FROM_OUTSIDE,
    ole_objects=OLE_OBJECTS,
)


def suspicious(reason: str) -> InvalidUpload:
    """The refusal of a Word upload that is unusual in the way `reason` says."""
    return WORD.suspicious(reason)


# --- pre-check: bytes and name --------------------------------------------------------------

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


def sniff(data: bytes) -> None:
    """Refuse a Word upload by size and by magic bytes, before looking inside."""
    _sniff_container(data, WORD)
    if b"%PDF-" in data[:1024]:
        raise InvalidUpload(PDF)
    if data.startswith(b"{\\rtf"):
        raise InvalidUpload(RTF)


def _sniff_container(data: bytes, wording: Wording) -> None:
    if not data:
        raise InvalidUpload(wording.empty)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidUpload(wording.too_large)
    if data.startswith(_OLE2_MAGIC):
        # Old .doc/.xls/.ppt, and also any password-protected Office file (an encrypted
        # OLE2 container).
        raise InvalidUpload(wording.ole_container)


_REFUSED_EXTENSIONS = {
    ".doc": OLD_WORD,
    ".dot": OLD_WORD,
    ".odt": ODT,
    ".ott": ODT,
    ".fodt": ODT,
    ".pdf": PDF,
    ".rtf": RTF,
    ".docm": MACROS,
    ".dotm": MACROS,
}


def check_name(filename: str) -> None:
    """Only ".docx" is accepted; known other formats get a message saying what to do."""
    extension = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if extension in _REFUSED_EXTENSIONS:
        raise InvalidUpload(_REFUSED_EXTENSIONS[extension])
    if extension != ".docx":
        raise InvalidUpload(WRONG_NAME)


# --- opening a package ----------------------------------------------------------------------

# What zipfile and zlib raise for broken archives; RuntimeError covers encrypted entries.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    struct.error,
)


@contextmanager
def _zip_errors(wording: Wording) -> Iterator[None]:
    try:
        yield
    except _ZIP_ERRORS:
        raise InvalidUpload(wording.corrupt) from None


@contextmanager
def open_package(data: bytes) -> Iterator[Package]:
    """A Word document that passed every check, with each entry verified by streaming it."""
    sniff(data)
    with open_ooxml(data, WORD, check_format=Package.check_word_format) as package:
        yield package


@contextmanager
def open_attachment(data: bytes, wording: Wording, *, main_part: str) -> Iterator[Package]:
    """An Office file to keep (.docx, .xlsx, .pptx, named by its `main_part`) that passed
    every check of a Word upload and those of an attachment (see the module docstring)."""

    def check_format(package: Package) -> None:
        package.check_attachment_format(main_part)

    with open_ooxml(
        data, wording, check_format=check_format, max_unpacked=MAX_ATTACHMENT_UNPACKED_BYTES
    ) as package:
        yield package


@contextmanager
def open_ooxml(
    data: bytes,
    wording: Wording,
    *,
    check_format: Callable[[Package], None],
    max_unpacked: int = MAX_UNPACKED_BYTES,
) -> Iterator[Package]:
    """A zip that passed every structural check and `check_format`, with each entry then
    verified by streaming it."""
    _sniff_container(data, wording)
    if not data.startswith(_ZIP_MAGIC):
        raise InvalidUpload(wording.not_a_package)
    entries, directory_size = _central_directory_summary(data, wording)
    if entries > MAX_ENTRIES:
        raise wording.suspicious("zu viele Bestandteile")
    if directory_size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise wording.suspicious("zu großes Inhaltsverzeichnis")
    with _zip_errors(wording):
        archive = zipfile.ZipFile(io.BytesIO(data))
    with archive:
        package = Package(archive, wording)
        package.check_structure(max_unpacked=max_unpacked)
        check_format(package)
        package.verify_entries()
        yield package


def _central_directory_summary(data: bytes, wording: Wording) -> tuple[int, int]:
    """Declared entry count and central directory size, read from the end record(s) only."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - (22 + 0xFFFF)))
    if end < 0 or end + 22 > len(data):
        raise InvalidUpload(wording.corrupt)  # no end record: truncated, or not a zip at all
    _, _, _, entries, directory_size, directory_offset = struct.unpack_from("<4H2L", data, end + 4)
    if entries == 0xFFFF or 0xFFFFFFFF in (directory_size, directory_offset):
        locator = end - 20
        if locator < 0 or data[locator : locator + 4] != b"PK\x06\x07":
            raise InvalidUpload(wording.corrupt)
        (record,) = struct.unpack_from("<Q", data, locator + 8)
        if record + 56 > len(data) or data[record : record + 4] != b"PK\x06\x06":
            raise InvalidUpload(wording.corrupt)
        entries, directory_size = struct.unpack_from("<QQ", data, record + 32)
    return int(entries), int(directory_size)


_MACRO_CONTENT_TYPES = ("macroenabled", "vbaproject", "vbadata")
# OLE objects and ActiveX controls by content type (their data is an OLE2 file, see below).
_OLE_CONTENT_TYPES = ("oleobject", "activex")
# Relationships whose target an Office program loads by itself when it opens the file (a
# template, a picture, a frame, a sub-document, a linked OLE object or workbook, media).
# Only a hyperlink waits for a click, so only it may point outside the package.
_HARMLESS_EXTERNAL_RELATIONSHIPS = ("/hyperlink",)


class Package:
    """The checked zip archive; every read is chunked and bounded by the declared size."""

    def __init__(self, archive: zipfile.ZipFile, wording: Wording = WORD) -> None:
        self._archive = archive
        self._wording = wording
        self._infos = {info.filename: info for info in archive.infolist()}
        self._count = len(archive.infolist())

    def has(self, name: str) -> bool:
        return name in self._infos

    def check_structure(self, *, max_unpacked: int = MAX_UNPACKED_BYTES) -> None:
        """Entry count, duplicates, encryption, compression methods, sizes and ratios."""
        wording = self._wording
        if self._count > MAX_ENTRIES:
            raise wording.suspicious("zu viele Bestandteile")
        if self._count != len(self._infos):
            raise InvalidUpload(wording.corrupt)  # duplicate names: readers may disagree
        total = 0
        for info in self._infos.values():
            if info.flag_bits & 0x1:
                raise InvalidUpload(wording.ole_container)  # an encrypted entry
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise InvalidUpload(wording.corrupt)  # Office only stores or deflates
            total += info.file_size
            if total > max_unpacked:
                raise wording.suspicious(f"entpackt größer als {max_unpacked // MIB} MB")
            if info.file_size > RATIO_EXEMPT_BYTES and (
                info.file_size > MAX_COMPRESSION_RATIO * info.compress_size
            ):
                raise wording.suspicious("ungewöhnlich stark komprimiert")

    def check_word_format(self) -> None:
        """Refuse OpenDocument, other Office files, non-Word zips and macro-enabled documents."""
        if self.has("mimetype"):
            mimetype = self.read("mimetype", limit=200)
            if mimetype.startswith(b"application/vnd.oasis.opendocument"):
                raise InvalidUpload(ODT)
        if not self.has("word/document.xml"):
            if self.has("xl/workbook.xml"):
                raise InvalidUpload(EXCEL)
            if self.has("ppt/presentation.xml"):
                raise InvalidUpload(POWERPOINT)
            if self.has("content.xml"):
                raise InvalidUpload(ODT)
            raise InvalidUpload(NOT_WORD)
        self._refuse_macro_parts()
        self._refuse_macro_content_types(self._content_types())

    def check_attachment_format(self, main_part: str) -> None:
        """What an Office file to keep must be: safe names, its main part, no macros, no OLE
        objects or ActiveX controls, nothing loaded from outside when it is opened."""
        self._refuse_unsafe_names()
        if not self.has(main_part):
            raise InvalidUpload(self._wording.not_its_kind)
        self._refuse_macro_parts()
        types = self._content_types()
        self._refuse_macro_content_types(types)
        self._refuse_ole_objects(types)
        self._refuse_external_relationships()

    def verify_entries(self) -> None:
        """Stream every entry once: CRC checked, never more bytes than declared."""
        for info in self._infos.values():
            self._stream(info, limit=info.file_size, keep=False)

    def read(self, name: str, *, limit: int) -> bytes:
        info = self._infos[name]
        if info.file_size > limit:
            raise self._wording.suspicious("zu umfangreicher Bestandteil")
        return self._stream(info, limit=limit, keep=True)

    def xml(self, name: str) -> Xml | None:
        """The part parsed safely, or None if the archive has no such part."""
        if not self.has(name):
            return None
        return parse_xml(self.read(name, limit=MAX_XML_PART_BYTES), self._wording)

    # --- format checks ----------------------------------------------------------------------

    def _content_types(self) -> Xml:
        types = self.xml("[Content_Types].xml")
        if types is None:  # every OOXML package has it
            raise InvalidUpload(self._wording.not_a_package)
        return types

    def _refuse_macro_parts(self) -> None:
        for name in self._infos:
            basename = posixpath.basename(name).lower()
            if basename.startswith("vba") and basename.endswith((".bin", ".xml")):
                raise InvalidUpload(self._wording.macros)

    def _refuse_macro_content_types(self, types: Xml) -> None:
        for entry in types:
            content_type = str(entry.get("ContentType") or "").lower()
            if any(marker in content_type for marker in _MACRO_CONTENT_TYPES):
                raise InvalidUpload(self._wording.macros)

    def _refuse_unsafe_names(self) -> None:
        """Entry names a careless unzip would write outside its folder, and names that
        differ only in case (OPC part names are case-insensitive: which one counts?)."""
        seen: set[str] = set()
        for name in self._infos:
            if _unsafe_entry_name(name):
                raise self._wording.suspicious("unzulässiger Name eines Bestandteils")
            folded = name.casefold()
            if folded in seen:
                raise InvalidUpload(self._wording.corrupt)
            seen.add(folded)

    def _refuse_ole_objects(self, types: Xml) -> None:
        """Embedded OLE objects and ActiveX controls: an object packaging a program runs it
        with a double click, and OLE servers such as the old equation editor have been
        exploited by merely opening the file. They are OLE2 files inside the package, which
        is how they are found whatever their name or declared type; printer settings (also
        .bin) and embedded Office files such as a chart's workbook are not OLE2 and stay."""
        for entry in types:
            content_type = str(entry.get("ContentType") or "").lower()
            if any(marker in content_type for marker in _OLE_CONTENT_TYPES):
                raise InvalidUpload(self._wording.ole_objects)
        for info in self._infos.values():
            if self._head(info) == _OLE2_MAGIC:
                raise InvalidUpload(self._wording.ole_objects)

    def _refuse_external_relationships(self) -> None:
        for name in self._infos:
            if not name.lower().endswith(".rels"):
                continue
            relationships = self.xml(name)
            for relationship in relationships if relationships is not None else ():
                external = str(relationship.get("TargetMode") or "").lower() == "external"
                kind = str(relationship.get("Type") or "")
                if external and not kind.endswith(_HARMLESS_EXTERNAL_RELATIONSHIPS):
                    raise InvalidUpload(self._wording.loads_from_outside)

    # --- reading ----------------------------------------------------------------------------

    def _head(self, info: zipfile.ZipInfo) -> bytes:
        """The first bytes of an entry (zipfile decompresses no more than it needs)."""
        with _zip_errors(self._wording), self._archive.open(info) as entry:
            return entry.read(len(_OLE2_MAGIC))

    def _stream(self, info: zipfile.ZipInfo, *, limit: int, keep: bool) -> bytes:
        # zipfile itself stops at the declared size and checks the CRC; counting here keeps
        # the guarantee explicit and independent of its internals.
        allowed = min(limit, info.file_size)
        # XML parts are also scanned for a DOCTYPE, so the pre-check already refuses XXE and
        # entity bombs. (Images such as SVG may carry one legitimately; we never parse them.)
        scan = info.filename.lower().endswith((".xml", ".rels"))
        chunks: list[bytes] = []
        produced = 0
        tail = b""
        with _zip_errors(self._wording), self._archive.open(info) as entry:
            while chunk := entry.read(CHUNK_BYTES):
                produced += len(chunk)
                if produced > allowed:
                    raise InvalidUpload(self._wording.corrupt)
                if scan:
                    if produced == len(chunk):
                        _refuse_foreign_encoding(chunk, self._wording)
                    _refuse_doctype(tail + chunk, self._wording)
                    tail = chunk[-_LONGEST_DOCTYPE_MARKER:]
                if keep:
                    chunks.append(chunk)
        if produced != info.file_size:
            raise InvalidUpload(self._wording.corrupt)
        return b"".join(chunks)


def _unsafe_entry_name(name: str) -> bool:
    """Absolute, climbing ("../"), Windows-style (backslash, drive, stream) or control
    characters: never in a part name Office writes."""
    if name.startswith("/") or "\\" in name or ":" in name:
        return True
    if any(ord(character) < 0x20 for character in name):
        return True
    return any(segment in (".", "..") for segment in name.split("/"))


# --- safe XML -------------------------------------------------------------------------------


class Xml(Protocol):
    """The part of lxml's element API we use (lxml ships no type stubs)."""

    tag: Any  # a str for elements; a function for comments and processing instructions
    text: str | None

    def get(self, key: str, default: str | None = None) -> str | None: ...
    def find(self, path: str) -> Xml | None: ...
    def __iter__(self) -> Iterator[Xml]: ...


_DOCTYPE_MARKERS = tuple(
    "<!DOCTYPE".encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
# ISO 29500 Strict documents use other namespace names for the same vocabulary.
_STRICT_NAMESPACES = (
    (
        b"http://purl.oclc.org/ooxml/wordprocessingml/main",
        b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    ),
    (
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    ),
)


_LONGEST_DOCTYPE_MARKER = max(len(marker) for marker in _DOCTYPE_MARKERS)


def _refuse_doctype(raw: bytes, wording: Wording) -> None:
    # Office never writes a DOCTYPE; refusing it outright rules out XXE and entity bombs.
    if any(marker in raw for marker in _DOCTYPE_MARKERS):
        raise wording.suspicious("unzulässige DOCTYPE-Deklaration")


_UTF32_STARTS = (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"<\x00\x00\x00", b"\x00\x00\x00<")
_UTF16_STARTS = (
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)
_XML_ENCODINGS = {"utf8", "utf16", "utf16le", "utf16be"}
_DECLARED_ENCODING = re.compile(r"^(?:\ufeff)?<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")


def _refuse_foreign_encoding(head: bytes, wording: Wording) -> None:
    # OPC allows XML parts only in UTF-8 or UTF-16. Other encodings (UTF-7, UTF-32) could
    # hide a DOCTYPE from the byte scan, so they are refused rather than decoded.
    if head.startswith(_UTF32_STARTS):
        raise wording.suspicious("unzulässige Zeichenkodierung")
    codec = next((codec for start, codec in _UTF16_STARTS if head.startswith(start)), "utf-8")
    declared = _DECLARED_ENCODING.match(head[:512].decode(codec, errors="ignore"))
    if declared and re.sub(r"[-_]", "", declared.group(1).lower()) not in _XML_ENCODINGS:
        raise wording.suspicious("unzulässige Zeichenkodierung")


def parse_xml(raw: bytes, wording: Wording = WORD) -> Xml:
    """Parse without entities, DTDs or network; any DOCTYPE (XXE, billion laughs) is refused."""
    _refuse_foreign_encoding(raw, wording)
    _refuse_doctype(raw, wording)
    if raw.count(b"<") > MAX_XML_MARKUP:
        raise wording.suspicious("zu umfangreiches XML")
    for strict, transitional in _STRICT_NAMESPACES:
        raw = raw.replace(strict, transitional)
    try:
        # A parser per call: lxml parsers must not be shared between threads.
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
        )
        root: Xml = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError:
        raise InvalidUpload(wording.corrupt) from None
    info = etree.ElementTree(root).docinfo
    if info.doctype or info.internalDTD is not None:
        raise wording.suspicious("unzulässige DOCTYPE-Deklaration")
    return root
