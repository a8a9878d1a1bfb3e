"""Word (.docx) intake: refuse unsafe or unsuitable uploads, then extract the text a member
sees in Word once all tracked changes are accepted.

`check_upload` looks at size, magic bytes, file name and the zip structure (from the central
directory's declared sizes), then streams every entry once in bounded chunks, checking its CRC
and real size and scanning XML parts for a DOCTYPE; the only XML it parses is
`[Content_Types].xml`. `extract_docx` runs the same content checks and then parses the few
parts it needs with a parser that resolves no entities, loads no DTD, never touches the
network and refuses any DOCTYPE. Every refusal is an `InvalidUpload` with a German message
for the member.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal, Protocol

from lxml import etree

from positions.core.errors import InvalidUpload

# --- limits ---------------------------------------------------------------------------------

MIB = 1024 * 1024
MAX_UPLOAD_BYTES = 25 * MIB
MAX_ENTRIES = 2_000
MAX_UNPACKED_BYTES = 50 * MIB
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
# A list label repeats on every item, so its template and letter numbers ("aaa)") are capped.
MAX_LABEL_TEMPLATE = 40
MAX_LETTER_NUMBER = 26 * 5

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
NO_TEXT = (
    "Die Datei enthält keinen Text, zum Beispiel weil sie nur Bilder oder eingescannte Seiten "
    "enthält. Bitte laden Sie ein Word-Dokument mit Text hoch oder fügen Sie den Text direkt ein."
)


def _suspicious(reason: str) -> InvalidUpload:
    return InvalidUpload(
        f"Die Datei ist ungewöhnlich aufgebaut ({reason}) und wird aus Sicherheitsgründen nicht "
        "angenommen. Bitte speichern Sie sie in Word erneut als .docx (Word-Dokument) oder "
        "fügen Sie den Text direkt ein."
    )


# --- the result -----------------------------------------------------------------------------

BlockKind = Literal[
    "heading", "paragraph", "list_item", "table_row", "textbox", "footnote", "endnote"
]


@dataclass(frozen=True)
class Block:
    """One unit of text: never empty, never contains a blank line.

    `level` is the heading level (1–9) for headings and the list depth (1–9) for list items.
    """

    text: str
    kind: BlockKind
    level: int | None = None


@dataclass(frozen=True)
class ExtractedDocument:
    """The text of a Word document as Word shows it with all changes accepted.

    Blocks come in reading order: paragraphs, headings and list items (with their number or
    bullet, e.g. "1.2 Text", "a) Text", "• Text"); a table row as one block with its cells
    joined by " | " (a row with a single filled cell yields that cell's blocks instead);
    a text box after the paragraph that anchors it; then footnotes ("Fußnote 1: …") and
    endnotes ("Endnote i: …"), referenced in the body as "[1]" and "[i]".
    """

    blocks: tuple[Block, ...]

    @property
    def text(self) -> str:
        """The text we store: blocks separated by one blank line; line breaks kept as "\\n"."""
        return "\n\n".join(block.text for block in self.blocks)


# --- public API -----------------------------------------------------------------------------


def check_upload(filename: str, data: bytes) -> None:
    """Refuse (InvalidUpload) anything that is not a safe, macro-free .docx within our limits.

    Looks at size, magic bytes, name and zip structure and streams each entry once in bounded
    chunks; parses no document XML. Each refusal takes well under a second.
    """
    _sniff(data)
    _check_name(filename)
    with _open_package(data):
        pass


def extract_docx(data: bytes) -> ExtractedDocument:
    """The document's text, "accept all changes" view; runs the content checks first.

    Raises InvalidUpload for anything check_upload refuses (except the file name), for
    malformed XML, and for a document without any text.
    """
    with _open_package(data) as package:
        parts = _Parts.read(package)
    try:
        blocks = _Extractor(parts).document()
    except RecursionError:
        # Only absurdly deep nesting gets here; Word never writes it.
        raise _suspicious("zu tief verschachtelt") from None
    if not blocks:
        raise InvalidUpload(NO_TEXT)
    return ExtractedDocument(tuple(blocks))


def extract_text(filename: str, data: bytes) -> str:
    """Check and extract an upload; returns exactly the text we store (and the CLI prints)."""
    _sniff(data)
    _check_name(filename)
    return extract_docx(data).text


# --- pre-check: bytes and name --------------------------------------------------------------

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


def _sniff(data: bytes) -> None:
    """Refuse by size and by magic bytes, before looking inside."""
    if not data:
        raise InvalidUpload(EMPTY)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidUpload(TOO_LARGE)
    if data.startswith(_OLE2_MAGIC):
        # Old .doc, and also any password-protected .docx (an encrypted OLE2 container).
        raise InvalidUpload(OLE_CONTAINER)
    if b"%PDF-" in data[:1024]:
        raise InvalidUpload(PDF)
    if data.startswith(b"{\\rtf"):
        raise InvalidUpload(RTF)


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


def _check_name(filename: str) -> None:
    """Only ".docx" is accepted; known other formats get a message saying what to do."""
    extension = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if extension in _REFUSED_EXTENSIONS:
        raise InvalidUpload(_REFUSED_EXTENSIONS[extension])
    if extension != ".docx":
        raise InvalidUpload(WRONG_NAME)


# --- pre-check: the zip ---------------------------------------------------------------------

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
def _zip_errors() -> Iterator[None]:
    try:
        yield
    except _ZIP_ERRORS:
        raise InvalidUpload(CORRUPT) from None


@contextmanager
def _open_package(data: bytes) -> Iterator[_Package]:
    """A zip that passed every structural check, with each entry verified by streaming it."""
    _sniff(data)
    if not data.startswith(_ZIP_MAGIC):
        raise InvalidUpload(NOT_DOCX)
    entries, directory_size = _central_directory_summary(data)
    if entries > MAX_ENTRIES:
        raise _suspicious("zu viele Bestandteile")
    if directory_size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise _suspicious("zu großes Inhaltsverzeichnis")
    with _zip_errors():
        archive = zipfile.ZipFile(io.BytesIO(data))
    with archive:
        package = _Package(archive)
        package.check_structure()
        package.check_format()
        package.verify_entries()
        yield package


def _central_directory_summary(data: bytes) -> tuple[int, int]:
    """Declared entry count and central directory size, read from the end record(s) only."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - (22 + 0xFFFF)))
    if end < 0 or end + 22 > len(data):
        raise InvalidUpload(CORRUPT)  # no end record: truncated, or not a zip at all
    _, _, _, entries, directory_size, directory_offset = struct.unpack_from("<4H2L", data, end + 4)
    if entries == 0xFFFF or 0xFFFFFFFF in (directory_size, directory_offset):
        locator = end - 20
        if locator < 0 or data[locator : locator + 4] != b"PK\x06\x07":
            raise InvalidUpload(CORRUPT)
        (record,) = struct.unpack_from("<Q", data, locator + 8)
        if record + 56 > len(data) or data[record : record + 4] != b"PK\x06\x06":
            raise InvalidUpload(CORRUPT)
        entries, directory_size = struct.unpack_from("<QQ", data, record + 32)
    return int(entries), int(directory_size)


_MACRO_CONTENT_TYPES = ("macroenabled", "vbaproject", "vbadata")


class _Package:
    """The checked zip archive; every read is chunked and bounded by the declared size."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive
        self._infos = {info.filename: info for info in archive.infolist()}
        self._count = len(archive.infolist())

    def has(self, name: str) -> bool:
        return name in self._infos

    def check_structure(self) -> None:
        """Entry count, duplicates, encryption, compression methods, sizes and ratios."""
        if self._count > MAX_ENTRIES:
            raise _suspicious("zu viele Bestandteile")
        if self._count != len(self._infos):
            raise InvalidUpload(CORRUPT)  # duplicate names: readers may disagree on which
        total = 0
        for info in self._infos.values():
            if info.flag_bits & 0x1:
                raise InvalidUpload(OLE_CONTAINER)  # an encrypted entry
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise InvalidUpload(CORRUPT)  # Word only stores or deflates
            total += info.file_size
            if total > MAX_UNPACKED_BYTES:
                raise _suspicious("entpackt größer als 50 MB")
            if info.file_size > RATIO_EXEMPT_BYTES and (
                info.file_size > MAX_COMPRESSION_RATIO * info.compress_size
            ):
                raise _suspicious("ungewöhnlich stark komprimiert")

    def check_format(self) -> None:
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
        for name in self._infos:
            basename = posixpath.basename(name).lower()
            if basename.startswith("vba") and basename.endswith((".bin", ".xml")):
                raise InvalidUpload(MACROS)
        types = self.xml("[Content_Types].xml")
        if types is None:
            raise InvalidUpload(NOT_DOCX)
        for entry in types:
            content_type = str(entry.get("ContentType") or "").lower()
            if any(marker in content_type for marker in _MACRO_CONTENT_TYPES):
                raise InvalidUpload(MACROS)

    def verify_entries(self) -> None:
        """Stream every entry once: CRC checked, never more bytes than declared."""
        for info in self._infos.values():
            self._stream(info, limit=info.file_size, keep=False)

    def read(self, name: str, *, limit: int) -> bytes:
        info = self._infos[name]
        if info.file_size > limit:
            raise _suspicious("zu umfangreicher Bestandteil")
        return self._stream(info, limit=limit, keep=True)

    def xml(self, name: str) -> _Xml | None:
        """The part parsed safely, or None if the archive has no such part."""
        if not self.has(name):
            return None
        return _parse_xml(self.read(name, limit=MAX_XML_PART_BYTES))

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
        with _zip_errors(), self._archive.open(info) as entry:
            while chunk := entry.read(CHUNK_BYTES):
                produced += len(chunk)
                if produced > allowed:
                    raise InvalidUpload(CORRUPT)
                if scan:
                    if produced == len(chunk):
                        _refuse_foreign_encoding(chunk)
                    _refuse_doctype(tail + chunk)
                    tail = chunk[-_LONGEST_DOCTYPE_MARKER:]
                if keep:
                    chunks.append(chunk)
        if produced != info.file_size:
            raise InvalidUpload(CORRUPT)
        return b"".join(chunks)


# --- safe XML -------------------------------------------------------------------------------


class _Xml(Protocol):
    """The part of lxml's element API we use (lxml ships no type stubs)."""

    tag: Any  # a str for elements; a function for comments and processing instructions
    text: str | None

    def get(self, key: str, default: str | None = None) -> str | None: ...
    def find(self, path: str) -> _Xml | None: ...
    def __iter__(self) -> Iterator[_Xml]: ...


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


def _refuse_doctype(raw: bytes) -> None:
    # Word never writes a DOCTYPE; refusing it outright rules out XXE and entity bombs.
    if any(marker in raw for marker in _DOCTYPE_MARKERS):
        raise _suspicious("unzulässige DOCTYPE-Deklaration")


_UTF32_STARTS = (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"<\x00\x00\x00", b"\x00\x00\x00<")
_UTF16_STARTS = (
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)
_XML_ENCODINGS = {"utf8", "utf16", "utf16le", "utf16be"}
_DECLARED_ENCODING = re.compile(r"^(?:\ufeff)?<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")


def _refuse_foreign_encoding(head: bytes) -> None:
    # OPC allows XML parts only in UTF-8 or UTF-16. Other encodings (UTF-7, UTF-32) could
    # hide a DOCTYPE from the byte scan, so they are refused rather than decoded.
    if head.startswith(_UTF32_STARTS):
        raise _suspicious("unzulässige Zeichenkodierung")
    codec = next((codec for start, codec in _UTF16_STARTS if head.startswith(start)), "utf-8")
    declared = _DECLARED_ENCODING.match(head[:512].decode(codec, errors="ignore"))
    if declared and re.sub(r"[-_]", "", declared.group(1).lower()) not in _XML_ENCODINGS:
        raise _suspicious("unzulässige Zeichenkodierung")


def _parse_xml(raw: bytes) -> _Xml:
    """Parse without entities, DTDs or network; any DOCTYPE (XXE, billion laughs) is refused."""
    _refuse_foreign_encoding(raw)
    _refuse_doctype(raw)
    if raw.count(b"<") > MAX_XML_MARKUP:
        raise _suspicious("zu umfangreiches XML")
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
        root: _Xml = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError:
        raise InvalidUpload(CORRUPT) from None
    info = etree.ElementTree(root).docinfo
    if info.doctype or info.internalDTD is not None:
        raise _suspicious("unzulässige DOCTYPE-Deklaration")
    return root


# --- WordprocessingML names -----------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

_P, _R, _T, _TBL, _TR, _TC = (f"{_W}{n}" for n in ("p", "r", "t", "tbl", "tr", "tc"))
_PPR, _RPR, _TRPR, _TCPR = (f"{_W}{n}" for n in ("pPr", "rPr", "trPr", "tcPr"))
_SDT, _SDT_CONTENT, _CUSTOM_XML = f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"
_DEL, _MOVE_FROM = f"{_W}del", f"{_W}moveFrom"
_ALTERNATE, _CHOICE, _FALLBACK = (f"{_MC}{n}" for n in ("AlternateContent", "Choice", "Fallback"))
_TXBX_CONTENT = f"{_W}txbxContent"
_FLD_CHAR, _RUBY, _RUBY_BASE = f"{_W}fldChar", f"{_W}ruby", f"{_W}rubyBase"
_FOOTNOTE_REF, _ENDNOTE_REF = f"{_W}footnoteReference", f"{_W}endnoteReference"
_VAL = f"{_W}val"

# Containers whose children belong to the paragraph as if they stood there directly.
_TRANSPARENT_INLINE = {
    f"{_W}{n}" for n in ("hyperlink", "ins", "moveTo", "smartTag", "customXml", "fldSimple")
} | {f"{_W}dir", f"{_W}bdo"}
_TEXT_IN_RUN = {
    f"{_W}tab": "\t",
    f"{_W}ptab": "\t",
    f"{_W}br": "\n",
    f"{_W}cr": "\n",
    f"{_W}noBreakHyphen": "-",
    f"{_W}softHyphen": "",
}
_SHAPES = {f"{_W}drawing", f"{_W}pict", f"{_W}object", _ALTERNATE}


def _child(element: _Xml | None, tag: str) -> _Xml | None:
    return None if element is None else element.find(tag)


def _val(element: _Xml | None, tag: str) -> str | None:
    found = _child(element, tag)
    return None if found is None else found.get(_VAL)


def _int(value: str | None) -> int | None:
    try:
        return None if value is None else int(value)
    except ValueError:
        return None


def _on(element: _Xml | None) -> bool:
    """A WordprocessingML on/off property: present and not switched off."""
    return element is not None and element.get(_VAL) not in ("0", "false", "off")


def _chosen_branch(alternate: _Xml) -> _Xml | None:
    # mc:AlternateContent holds the same content twice (e.g. DrawingML and VML text box);
    # like Word we read the first Choice, and the Fallback only when there is none.
    for tag in (_CHOICE, _FALLBACK):
        branch = alternate.find(tag)
        if branch is not None:
            return branch
    return None


def _flatten(container: _Xml, wanted: set[str]) -> Iterator[_Xml]:
    """Children with a wanted tag, seen through content controls, custom XML and
    alternate content, which wrap content without changing it."""
    for child in container:
        tag = child.tag
        if tag in wanted:
            yield child
        elif tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _flatten(content, wanted)
        elif tag == _CUSTOM_XML:
            yield from _flatten(child, wanted)
        elif tag == _ALTERNATE:
            branch = _chosen_branch(child)
            if branch is not None:
                yield from _flatten(branch, wanted)


# --- the parts we read ----------------------------------------------------------------------

_DEFAULT_PARTS = {
    "styles": "word/styles.xml",
    "numbering": "word/numbering.xml",
    "footnotes": "word/footnotes.xml",
    "endnotes": "word/endnotes.xml",
    "settings": "word/settings.xml",
}


@dataclass(frozen=True)
class _Parts:
    document: _Xml
    styles: _Xml | None
    numbering: _Xml | None
    footnotes: _Xml | None
    endnotes: _Xml | None
    settings: _Xml | None

    @classmethod
    def read(cls, package: _Package) -> _Parts:
        names = _related_part_names(package)
        document = package.xml("word/document.xml")
        assert document is not None  # check_format made sure it exists
        return cls(
            document=document,
            styles=package.xml(names["styles"]),
            numbering=package.xml(names["numbering"]),
            footnotes=package.xml(names["footnotes"]),
            endnotes=package.xml(names["endnotes"]),
            settings=package.xml(names["settings"]),
        )


def _related_part_names(package: _Package) -> dict[str, str]:
    """Part name per relationship kind ("styles", "footnotes", …) of the main document."""
    names: dict[str, str] = {}
    relationships = package.xml("word/_rels/document.xml.rels")
    for relationship in relationships if relationships is not None else ():
        kind = str(relationship.get("Type") or "").rsplit("/", 1)[-1]
        target = str(relationship.get("Target") or "")
        if relationship.get("TargetMode") == "External" or kind not in _DEFAULT_PARTS:
            continue
        name = target[1:] if target.startswith("/") else posixpath.normpath("word/" + target)
        names.setdefault(kind, name)
    return {kind: names.get(kind, default) for kind, default in _DEFAULT_PARTS.items()}


# --- styles ---------------------------------------------------------------------------------

# Built-in names ("heading 1"; German Word shows "Überschrift 1", id "berschrift1") and
# custom ones starting the same way ("Heading 1 Numbered").
_HEADING_NAME = re.compile(r"(?:heading|überschrift)\s*([1-9])(?![0-9])")
_HEADING_ID = re.compile(r"(?:heading|berschrift|überschrift)([1-9])(?![0-9])")


@dataclass(frozen=True)
class _Style:
    name: str
    based_on: str | None
    num_id: str | None
    ilvl: int | None
    outline: int | None


class _Styles:
    """Paragraph and numbering styles, with basedOn inheritance."""

    def __init__(self, root: _Xml | None) -> None:
        self._styles: dict[str, _Style] = {}
        self.default_paragraph: str | None = None
        for style in root if root is not None else ():
            style_id = style.get(f"{_W}styleId")
            if style.tag != f"{_W}style" or not style_id:
                continue
            ppr = style.find(_PPR)
            num_pr = _child(ppr, f"{_W}numPr")
            self._styles[style_id] = _Style(
                name=(_val(style, f"{_W}name") or "").lower(),
                based_on=_val(style, f"{_W}basedOn"),
                num_id=_val(num_pr, f"{_W}numId"),
                ilvl=_int(_val(num_pr, f"{_W}ilvl")),
                outline=_int(_val(ppr, f"{_W}outlineLvl")),
            )
            if style.get(f"{_W}type") == "paragraph" and _on_attr(style.get(f"{_W}default")):
                self.default_paragraph = style_id

    def chain(self, style_id: str | None) -> Iterator[tuple[str, _Style]]:
        """The style and its ancestors, nearest first; cycles and absurd depth cut off."""
        seen: set[str] = set()
        while style_id and style_id in self._styles and style_id not in seen and len(seen) < 20:
            seen.add(style_id)
            style = self._styles[style_id]
            yield style_id, style
            style_id = style.based_on

    def heading_level(self, style_id: str | None) -> int | None:
        for found_id, style in self.chain(style_id):
            match = _HEADING_NAME.match(style.name) or _HEADING_ID.match(found_id.lower())
            if match:
                return int(match.group(1))
            if style.outline is not None:
                return style.outline + 1 if style.outline < 9 else None
        return None

    def numbering(self, style_id: str | None) -> tuple[str | None, int | None]:
        """The (numId, ilvl) a style gives its paragraphs; each found nearest first."""
        num_id: str | None = None
        ilvl: int | None = None
        for _, style in self.chain(style_id):
            num_id = num_id if num_id is not None else style.num_id
            ilvl = ilvl if ilvl is not None else style.ilvl
        return num_id, ilvl


def _on_attr(value: str | None) -> bool:
    return value in ("1", "true", "on")


# --- numbering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Level:
    start: int
    fmt: str
    text: str
    restart: int | None
    legal: bool
    suffix: str
    style_id: str | None


def _level(lvl: _Xml) -> _Level:
    suffix = _val(lvl, f"{_W}suff")
    return _Level(
        start=_int(_val(lvl, f"{_W}start")) or 0,  # omitted means 0, as the standard says
        fmt=_val(lvl, f"{_W}numFmt") or "decimal",
        # One line, so a crafted template cannot put a blank line into a block.
        text=" ".join((_val(lvl, f"{_W}lvlText") or "").split())[:MAX_LABEL_TEMPLATE],
        restart=_int(_val(lvl, f"{_W}lvlRestart")),
        legal=_on(lvl.find(f"{_W}isLgl")),
        suffix="" if suffix == "nothing" else " ",
        style_id=_val(lvl, f"{_W}pStyle"),
    )


def _levels(element: _Xml) -> dict[int, _Level]:
    levels: dict[int, _Level] = {}
    for lvl in element:
        ilvl = _int(lvl.get(f"{_W}ilvl")) if lvl.tag == f"{_W}lvl" else None
        if ilvl is not None and 0 <= ilvl <= 8:
            levels[ilvl] = _level(lvl)
    return levels


@dataclass(frozen=True)
class _Num:
    abstract_id: str
    start_overrides: dict[int, int]
    level_overrides: dict[int, _Level]


class _Numbering:
    """List numbers as Word shows them: counters per abstract list, restarts per level."""

    def __init__(self, root: _Xml | None, styles: _Styles) -> None:
        self._styles = styles
        self._abstract: dict[str, dict[int, _Level]] = {}
        self._style_links: dict[str, str] = {}
        self._nums: dict[str, _Num] = {}
        for element in root if root is not None else ():
            if element.tag == f"{_W}abstractNum":
                abstract_id = element.get(f"{_W}abstractNumId") or ""
                self._abstract[abstract_id] = _levels(element)
                link = _val(element, f"{_W}numStyleLink")
                if link:
                    self._style_links[abstract_id] = link
            elif element.tag == f"{_W}num":
                self._nums[element.get(f"{_W}numId") or ""] = _num(element)
        # Counters live per abstract list: two numIds on the same list continue each other
        # unless one says startOverride. None means "not used yet".
        self._counters: dict[str, list[int | None]] = {}
        self._used_nums: set[str] = set()

    def label(self, num_id: str, ilvl: int | None, style_id: str | None) -> tuple[str, int] | None:
        """Advance the list and return (label with its separator, level), or None."""
        resolved = self._resolve(num_id)
        if resolved is None:
            return None
        abstract_id, levels = resolved
        if ilvl is None:
            # A style tied to a list level (lvl/pStyle) numbers at that level.
            ilvl = next((i for i, lvl in levels.items() if lvl.style_id == style_id), 0)
        level = levels.get(ilvl)
        if level is None:
            return None
        counters = self._counters.setdefault(abstract_id, [None] * 9)
        if num_id not in self._used_nums:
            self._used_nums.add(num_id)
            for override_level, start in self._nums[num_id].start_overrides.items():
                counters[override_level] = start - 1
        current = counters[ilvl]
        counters[ilvl] = level.start if current is None else current + 1
        for deeper in range(ilvl + 1, 9):
            restart = levels[deeper].restart if deeper in levels else None
            if restart is None or (restart != 0 and ilvl < restart):
                counters[deeper] = None
        text = _label_text(level, levels, counters, ilvl)
        return (text + level.suffix if text else ""), ilvl

    def _resolve(self, num_id: str) -> tuple[str, dict[int, _Level]] | None:
        """Abstract list id and its levels (with the num's overrides), through style links."""
        num = self._nums.get(num_id)
        for _ in range(5):
            if num is None:
                return None
            link = self._style_links.get(num.abstract_id)
            if link is None:
                levels = dict(self._abstract.get(num.abstract_id, {}))
                levels.update(self._nums[num_id].level_overrides)
                return num.abstract_id, levels
            linked_num, _ = self._styles.numbering(link)
            num = self._nums.get(linked_num or "")
        return None


def _num(element: _Xml) -> _Num:
    starts: dict[int, int] = {}
    overrides: dict[int, _Level] = {}
    for override in element:
        ilvl = _int(override.get(f"{_W}ilvl")) if override.tag == f"{_W}lvlOverride" else None
        if ilvl is None or not 0 <= ilvl <= 8:
            continue
        start = _int(_val(override, f"{_W}startOverride"))
        if start is not None:
            starts[ilvl] = start
        lvl = override.find(f"{_W}lvl")
        if lvl is not None:
            overrides[ilvl] = _level(lvl)
    return _Num(_val(element, f"{_W}abstractNumId") or "", starts, overrides)


_DASHES = {"-", "–", "—", "−", "\uf02d", "\uf0be"}
_PLACEHOLDER = re.compile(r"%([1-9])")


def _label_text(
    level: _Level, levels: dict[int, _Level], counters: list[int | None], ilvl: int
) -> str:
    if level.fmt == "bullet":
        # Bullets are symbol-font glyphs; German texts often use dashes ("Spiegelstriche").
        return "–" if level.text.strip() in _DASHES else "•"

    def number(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        other = levels.get(index)
        if other is None:
            return ""
        value = counters[index]
        fmt = "decimal" if level.legal and index != ilvl else other.fmt
        return _format_number(other.start if value is None else value, fmt)

    return _PLACEHOLDER.sub(number, level.text)


def _format_number(value: int, fmt: str) -> str:
    """A list or note number in Word's number formats; unknown formats fall back to 1, 2, 3."""
    if fmt == "none":
        return ""
    if fmt in ("lowerLetter", "upperLetter") and 0 < value <= MAX_LETTER_NUMBER:
        # Word counts a … z, aa … zz, aaa …; past that (a crafted start value) we use digits.
        letters = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letters if fmt == "lowerLetter" else letters.upper()
    if fmt in ("lowerRoman", "upperRoman") and 0 < value < 4000:
        roman = _roman(value)
        return roman.lower() if fmt == "lowerRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _roman(value: int) -> str:
    digits = (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    )
    result = []
    for amount, letters in digits:
        count, value = divmod(value, amount)
        result.append(letters * count)
    return "".join(result)


# --- symbols (w:sym) ------------------------------------------------------------------------

# Symbol-font code points (0x20–0xFF, stored as U+F020–U+F0FF) for the glyphs policy texts use.
_SYMBOL_FONT = (
    {0x41 + i: letter for i, letter in enumerate("ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ")}
    | {0x61 + i: letter for i, letter in enumerate("αβχδεφγηιϕκλμνοπθρστυϖωξψζ")}
    | {0xA3: "≤", 0xB3: "≥", 0xB1: "±", 0xB4: "×", 0xB8: "÷", 0xB9: "≠", 0xBB: "≈"}
    | {0xA5: "∞", 0xB0: "°", 0xAC: "←", 0xAE: "→", 0xDE: "⇒", 0xB7: "•", 0xD6: "√"}
)
_WINGDINGS = {0x6C: "●", 0xA7: "▪", 0xFB: "✗", 0xFC: "✓", 0xFD: "☒", 0xFE: "☑"}


def _symbol(sym: _Xml) -> str:
    """The character of a w:sym; symbol-font glyphs mapped where we know them, else dropped."""
    code = _int_hex(sym.get(f"{_W}char"))
    if code is None:
        return ""
    if not 0xF000 <= code <= 0xF0FF:
        return chr(code) if code < 0x110000 else ""
    font = (sym.get(f"{_W}font") or "").lower()
    table = _WINGDINGS if font.startswith("wingdings") else _SYMBOL_FONT
    return table.get(code - 0xF000, "")


def _int_hex(value: str | None) -> int | None:
    try:
        return None if value is None else int(value, 16)
    except ValueError:
        return None


# --- notes ----------------------------------------------------------------------------------


@dataclass
class _Notes:
    """Footnotes or endnotes: the notes by id and the order the body first refers to them."""

    label: str
    kind: BlockKind
    fmt: str
    start: int
    by_id: dict[str, _Xml]
    order: dict[str, int] = field(default_factory=dict)  # note id -> position, 0-based

    @classmethod
    def read(cls, root: _Xml | None, kind: BlockKind, settings: _Xml | None) -> _Notes:
        label, properties, default_fmt = (
            ("Fußnote", f"{_W}footnotePr", "decimal")
            if kind == "footnote"
            else ("Endnote", f"{_W}endnotePr", "lowerRoman")
        )
        note_pr = _child(settings, properties)
        notes = {
            note.get(f"{_W}id") or "": note
            for note in (root if root is not None else ())
            if note.tag in (f"{_W}footnote", f"{_W}endnote") and note.get(f"{_W}type") is None
        }
        return cls(
            label=label,
            kind=kind,
            fmt=_val(note_pr, f"{_W}numFmt") or default_fmt,
            start=_int(_val(note_pr, f"{_W}numStart")) or 1,
            by_id=notes,
        )

    def number(self, note_id: str) -> str | None:
        """The note's number as shown, registering it on first reference; None if unknown."""
        if note_id not in self.by_id:
            return None
        position = self.order.setdefault(note_id, len(self.order))
        return _format_number(self.start + position, self.fmt)


# --- extraction -----------------------------------------------------------------------------


@dataclass
class _Line:
    """A paragraph being assembled: its text pieces and the text boxes anchored in it."""

    parts: list[str] = field(default_factory=list)
    textboxes: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class _Paragraph:
    text: str
    textboxes: list[Block]
    mark_deleted: bool
    kind: BlockKind
    level: int | None
    label: str


class _Extractor:
    """Walks the document in reading order and applies the "accept all changes" rules."""

    def __init__(self, parts: _Parts) -> None:
        self._styles = _Styles(parts.styles)
        self._numbering = _Numbering(parts.numbering, self._styles)
        self._footnotes = _Notes.read(parts.footnotes, "footnote", parts.settings)
        self._endnotes = _Notes.read(parts.endnotes, "endnote", parts.settings)
        self._document = parts.document
        # Complex fields: one entry per open field, True once its result (not its
        # instruction) is showing. Fields may span paragraphs, so this lives here.
        self._fields: list[bool] = []
        self._in_note = False

    def document(self) -> list[Block]:
        body = self._document.find(f"{_W}body")
        blocks = self._story(body) if body is not None else []
        self._in_note = True
        for notes in (self._footnotes, self._endnotes):
            for note_id in notes.order:
                text = "\n".join(block.text for block in self._story(notes.by_id[note_id]))
                if text:
                    number = notes.number(note_id)
                    blocks.append(Block(f"{notes.label} {number}: {text}", notes.kind))
        return blocks

    def _story(self, container: _Xml) -> list[Block]:
        """Blocks of a body, cell, text box or note; field state does not leak between them."""
        saved, self._fields = self._fields, []
        try:
            return self._blocks(container)
        finally:
            self._fields = saved

    def _blocks(self, container: _Xml) -> list[Block]:
        blocks: list[Block] = []
        # Text of paragraphs whose mark was deleted: accepting that merges them into the
        # next paragraph, which keeps its own properties (its mark survives).
        pending: list[str] = []
        pending_boxes: list[Block] = []

        def flush() -> None:
            blocks.extend(_block("".join(pending), "paragraph", None, ""))
            blocks.extend(pending_boxes)
            pending.clear()
            pending_boxes.clear()

        for child in _flatten(container, {_P, _TBL}):
            if child.tag == _TBL:
                flush()
                blocks.extend(self._table(child))
                continue
            paragraph = self._paragraph(child)
            pending.append(paragraph.text)
            pending_boxes.extend(paragraph.textboxes)
            if paragraph.mark_deleted:
                continue
            text = "".join(pending)
            blocks.extend(_block(text, paragraph.kind, paragraph.level, paragraph.label))
            blocks.extend(pending_boxes)
            pending.clear()
            pending_boxes.clear()
        flush()
        return blocks

    def _paragraph(self, p: _Xml) -> _Paragraph:
        ppr = p.find(_PPR)
        mark = _child(ppr, _RPR)
        mark_deleted = _child(mark, _DEL) is not None or _child(mark, _MOVE_FROM) is not None
        style_id = _val(ppr, f"{_W}pStyle") or self._styles.default_paragraph
        kind: BlockKind = "paragraph"
        level: int | None = None
        label = ""
        # Only a surviving paragraph mark shows a number, so only it advances the list.
        numbered = None if mark_deleted else self._list_label(ppr, style_id)
        if numbered is not None:
            label, ilvl = numbered
            kind, level = "list_item", ilvl + 1
        heading = self._styles.heading_level(style_id)
        outline = _int(_val(ppr, f"{_W}outlineLvl"))
        if outline is not None:
            heading = outline + 1 if outline < 9 else None
        if heading is not None:
            kind, level = "heading", heading
        line = _Line()
        self._inline(p, line)
        return _Paragraph("".join(line.parts), line.textboxes, mark_deleted, kind, level, label)

    def _list_label(self, ppr: _Xml | None, style_id: str | None) -> tuple[str, int] | None:
        num_pr = _child(ppr, f"{_W}numPr")
        style_num, style_ilvl = self._styles.numbering(style_id)
        num_id = _val(num_pr, f"{_W}numId") or style_num
        ilvl = _int(_val(num_pr, f"{_W}ilvl"))
        if ilvl is None:
            ilvl = style_ilvl
        if not num_id or num_id == "0":  # numId 0 switches numbering off
            return None
        return self._numbering.label(num_id, ilvl, style_id)

    def _inline(self, parent: _Xml, line: _Line) -> None:
        for child in parent:
            tag = child.tag
            if tag == _R:
                self._run(child, line)
            elif tag in _TRANSPARENT_INLINE:
                self._inline(child, line)
            elif tag == _SDT:
                content = child.find(_SDT_CONTENT)
                if content is not None:
                    self._inline(content, line)
            elif tag == _ALTERNATE:
                branch = _chosen_branch(child)
                if branch is not None:
                    self._inline(branch, line)
            # w:del and w:moveFrom (rejected by accepting), comment anchors, bookmarks,
            # proofing marks and math are not part of the text.

    def _run(self, run: _Xml, line: _Line) -> None:
        hidden = _on(_child(run.find(_RPR), f"{_W}vanish"))
        for child in run:
            tag = child.tag
            if tag == _FLD_CHAR:
                self._field_char(child.get(f"{_W}fldCharType"))
            elif hidden or not all(self._fields):
                continue  # hidden text, or a field's instruction (w:instrText)
            elif tag == _T:
                line.parts.append(child.text or "")
            elif tag in _TEXT_IN_RUN:
                line.parts.append(_TEXT_IN_RUN[tag])
            elif tag == f"{_W}sym":
                line.parts.append(_symbol(child))
            elif tag in (_FOOTNOTE_REF, _ENDNOTE_REF):
                line.parts.append(self._note_marker(child))
            elif tag == _RUBY:
                base = child.find(_RUBY_BASE)  # the annotation above it (w:rt) is left out
                if base is not None:
                    self._inline(base, line)
            elif tag in _SHAPES:
                line.textboxes.extend(self._textboxes(child))

    def _field_char(self, kind: str | None) -> None:
        if kind == "begin":
            self._fields.append(False)
        elif kind == "separate" and self._fields:
            self._fields[-1] = True
        elif kind == "end" and self._fields:
            self._fields.pop()

    def _note_marker(self, reference: _Xml) -> str:
        if self._in_note:
            return ""  # a note referring to another note: rare, and not numbered by Word
        notes = self._footnotes if reference.tag == _FOOTNOTE_REF else self._endnotes
        number = notes.number(reference.get(f"{_W}id") or "")
        if number is None:
            return ""
        return f"[{number}]"

    def _textboxes(self, shape: _Xml) -> list[Block]:
        boxes = []
        for content in _outermost_textboxes(shape):
            text = "\n".join(block.text for block in self._story(content))
            if text:
                boxes.append(Block(text, "textbox"))
        return boxes

    def _table(self, table: _Xml) -> list[Block]:
        blocks: list[Block] = []
        for row in _flatten(table, {_TR}):
            if _child(row.find(_TRPR), _DEL) is not None:
                continue  # a deleted row
            cells = [
                self._story(cell)
                for cell in _flatten(row, {_TC})
                if not _merged_away(cell.find(_TCPR))
            ]
            filled = [cell for cell in cells if cell]
            if len(filled) == 1:
                # One filled cell: a layout table (letterhead, boxed text), not data.
                blocks.extend(filled[0])
            elif filled:
                text = " | ".join("\n".join(block.text for block in cell) for cell in filled)
                blocks.append(Block(text, "table_row"))
        return blocks


def _merged_away(tcpr: _Xml | None) -> bool:
    """A cell covered by a merge (its text, if any, is shown by the merge's first cell)."""
    if _child(tcpr, f"{_W}cellDel") is not None:
        return True
    for tag in (f"{_W}vMerge", f"{_W}hMerge"):
        merge = _child(tcpr, tag)
        if merge is not None and merge.get(_VAL) != "restart":
            return True
    return False


def _outermost_textboxes(element: _Xml) -> Iterator[_Xml]:
    """Text box contents in a shape, each once; nested ones are reached through their parent."""
    if element.tag == _TXBX_CONTENT:
        yield element
    elif element.tag == _ALTERNATE:
        branch = _chosen_branch(element)
        if branch is not None:
            yield from _outermost_textboxes(branch)
    else:
        for child in element:
            yield from _outermost_textboxes(child)


def _block(text: str, kind: BlockKind, level: int | None, label: str) -> list[Block]:
    """The block for a paragraph's text, or nothing when it has no visible text."""
    lines = (line.rstrip() for line in text.splitlines())
    tidy = "\n".join(line for line in lines if line.strip()).strip()
    if not tidy:
        return []
    return [Block(unicodedata.normalize("NFC", label + tidy), kind, level)]
