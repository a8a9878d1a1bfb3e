"""PDF and page previews of exported documents, rendered by LibreOffice and poppler.

LibreOffice does not refresh a table of contents when it opens a .docx; a plain
`soffice --convert-to pdf` would print the TOC exactly as stored. So the conversion runs a
small Basic macro in a private LibreOffice profile: open hidden, update every index (the TOC
gets LibreOffice's page numbers), export as tagged PDF.

`lay_out` writes the page numbers of that rendering back into the Word file's table of
contents (or leaves the contents page out of a short paper), so that Word need not ask to
update fields when the file is opened.

One conversion runs at a time: a lock inside the process and a file lock across processes,
since two LibreOffice instances on a two-core machine only slow each other down. Saved
versions never change, so the same paper is often exported again (Word, then PDF, then the
Synopse, which builds both versions): the last `RENDERINGS_KEPT` renderings are kept in
memory, keyed by the document's content without its creation time, and a repeated export
costs no LibreOffice run. The key is the whole content, so only someone who built exactly
that document (and so may read it) gets its rendering back.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import io
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import zipfile
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf

from exports import word
from exports.errors import PdfUnavailable

# Per user: a lock file left by another user would not be writable.
LOCK_FILE = Path(tempfile.gettempdir()) / f"positionen-soffice-{os.getuid()}.lock"

_process_lock = threading.Lock()

RENDERINGS_KEPT = 12
# The part that carries the export's time: two builds of one version differ only there.
_TIMESTAMP_PARTS = frozenset({"docProps/core.xml"})

_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Positionen"
 script:language="StarBasic">
Sub ToPdf(sIn As String, sOut As String)
  On Error GoTo Failed
  Dim oDoc As Object
  Dim aLoad(1) As New com.sun.star.beans.PropertyValue
  aLoad(0).Name = &quot;Hidden&quot;
  aLoad(0).Value = True
  aLoad(1).Name = &quot;ReadOnly&quot;
  aLoad(1).Value = True
  oDoc = StarDesktop.loadComponentFromURL(sIn, &quot;_blank&quot;, 0, aLoad())
  oIndexes = oDoc.getDocumentIndexes()
  For i = 0 To oIndexes.getCount() - 1
    oIndexes.getByIndex(i).update()
  Next i
  Dim aFilter(1) As New com.sun.star.beans.PropertyValue
  aFilter(0).Name = &quot;UseTaggedPDF&quot;
  aFilter(0).Value = True
  aFilter(1).Name = &quot;ExportBookmarks&quot;
  aFilter(1).Value = True
  Dim aStore(1) As New com.sun.star.beans.PropertyValue
  aStore(0).Name = &quot;FilterName&quot;
  aStore(0).Value = &quot;writer_pdf_Export&quot;
  aStore(1).Name = &quot;FilterData&quot;
  aStore(1).Value = aFilter()
  oDoc.storeToURL(sOut, aStore())
Failed:
  If Not IsNull(oDoc) Then oDoc.close(True)
End Sub
</script:module>
"""
_LIBRARY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard"
 library:readonly="false" library:passwordprotected="false">
 <library:element library:name="Positionen"/>
</library:library>
"""


def available() -> bool:
    """Whether this machine can make PDFs (LibreOffice is installed)."""
    return _soffice() is not None


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx_bytes: bytes, *, timeout: float = 120) -> bytes:
    """The document rendered by LibreOffice as tagged PDF, its tables of contents updated.

    Raises `PdfUnavailable` when LibreOffice is missing, does not finish within `timeout`
    seconds (waiting for another conversion included) or produces no PDF.
    """
    key = _content_key(docx_bytes)
    rendered = _renderings.get(key)
    if rendered is None:
        rendered = _render(docx_bytes, timeout=timeout)
        _renderings.put(key, rendered)
    return rendered


def _render(docx_bytes: bytes, *, timeout: float) -> bytes:
    soffice = _soffice()
    if soffice is None:
        raise PdfUnavailable(
            "Die PDF-Ansicht ist nicht verfügbar: LibreOffice ist nicht installiert."
        )
    deadline = time.monotonic() + timeout
    with _one_at_a_time(deadline), tempfile.TemporaryDirectory(prefix="positionen-pdf-") as tmp:
        source, target = Path(tmp) / "export.docx", Path(tmp) / "export.pdf"
        source.write_bytes(docx_bytes)
        profile = _profile.get(soffice, deadline)
        macro = f'macro:///Standard.Positionen.ToPdf("{source.as_uri()}","{target.as_uri()}")'
        try:
            _run([soffice, *soffice_flags(profile), macro], deadline)
        except PdfUnavailable:
            _profile.discard()
            raise
        if not target.exists() or not target.read_bytes().startswith(b"%PDF"):
            _profile.discard()
            raise PdfUnavailable("LibreOffice konnte das Dokument nicht in PDF umwandeln.")
        return target.read_bytes()


def _content_key(docx_bytes: bytes) -> str:
    """A digest of the document's parts but the export time (the bytes when not a zip)."""
    digest = hashlib.sha256()
    try:
        with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
            for name in sorted(archive.namelist()):
                if name not in _TIMESTAMP_PARTS:
                    digest.update(name.encode() + b"\0" + archive.read(name) + b"\0")
    except zipfile.BadZipFile:
        digest.update(docx_bytes)
    return digest.hexdigest()


class _Renderings:
    """The most recent renderings of this process (least recently used go first)."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self.pdfs: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            found = self.pdfs.get(key)
            if found is not None:
                self.pdfs.move_to_end(key)
            return found

    def put(self, key: str, pdf: bytes) -> None:
        with self.lock:
            self.pdfs[key] = pdf
            while len(self.pdfs) > self.entries:
                self.pdfs.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.pdfs.clear()


_renderings = _Renderings(RENDERINGS_KEPT)


def forget_renderings() -> None:
    """Drop the kept renderings (benchmarks measure a cold export)."""
    _renderings.clear()


@dataclass(frozen=True)
class LaidOut:
    """A Word document as LibreOffice paginated it, and the PDF of exactly that document."""

    docx: bytes
    pdf: bytes


def lay_out(docx_bytes: bytes, *, timeout: float = 120) -> LaidOut:
    """A document `word.build_paper` wrote, with its table of contents as LibreOffice lays
    the paper out: the page of every heading written in, or the contents page left out
    where the text has fewer than `word.MIN_PAGES_FOR_CONTENTS` pages. Raises
    `PdfUnavailable` as `to_pdf` does (`timeout` covers both renderings)."""
    deadline = time.monotonic() + timeout
    rendered = to_pdf(docx_bytes, timeout=timeout)
    pages, total = heading_pages(rendered)
    # The text starts with the first heading, on the page after the contents.
    text_pages = total - pages[0] + 1 if pages else 0
    if text_pages >= word.MIN_PAGES_FOR_CONTENTS:
        # The rendering updated its own contents, so it already shows these page numbers.
        filled = word.with_contents_pages(docx_bytes, pages)
        return LaidOut(filled if filled is not None else docx_bytes, rendered)
    short = word.without_contents(docx_bytes)
    if short is None:
        return LaidOut(docx_bytes, rendered)
    return LaidOut(short, to_pdf(short, timeout=deadline - time.monotonic()))


def heading_pages(pdf: bytes) -> tuple[list[int], int]:
    """The page (from 1) of every heading in the PDF's outline, in reading order, and the
    number of pages. LibreOffice's PDF export builds the outline from the headings."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    pages: list[int] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            elif (number := reader.get_destination_page_number(item)) is not None:
                pages.append(number + 1)

    walk(reader.outline)
    return pages, len(reader.pages)


def pdf_pages_to_png(
    pdf: bytes, *, dpi: int = 60, first: int = 1, last: int | None = None, timeout: float = 60
) -> list[bytes]:
    """Pages `first` to `last` (default: the end) of `pdf` as PNG images, for previews."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise PdfUnavailable("Die Seitenvorschau ist nicht verfügbar: poppler-utils fehlt.")
    with tempfile.TemporaryDirectory(prefix="positionen-png-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        command = [pdftoppm, "-png", "-r", str(dpi), "-f", str(first)]
        if last is not None:
            command += ["-l", str(last)]
        _run([*command, str(source), str(Path(tmp) / "page")], time.monotonic() + timeout)
        # pdftoppm pads the page numbers to equal width, so names sort in page order.
        return [page.read_bytes() for page in sorted(Path(tmp).glob("page-*.png"))]


def soffice_flags(profile: Path) -> list[str]:
    """How LibreOffice runs here: headless, with the private profile at `profile`."""
    return [
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--nologo",
        "--norestore",
        "--nolockcheck",
    ]


class _Profile:
    """This process's LibreOffice profile with the export macro, made on first use and
    reused (conversions are serialised, so one profile is never used twice at once)."""

    def __init__(self) -> None:
        self.path: Path | None = None

    def get(self, soffice: str, deadline: float) -> Path:
        if self.path is not None and (self.path / "user" / "basic").is_dir():
            return self.path
        # LibreOffice fills a new profile from its presets on the first start, overwriting
        # any Basic library put there before: so start it once, then install the macro.
        path = Path(tempfile.mkdtemp(prefix="positionen-lo-profile-"))
        library = path / "user" / "basic" / "Standard"
        try:
            _run([soffice, *soffice_flags(path), "--terminate_after_init"], deadline)
            if not library.is_dir():
                raise PdfUnavailable("LibreOffice ließ sich nicht einrichten.")
        except PdfUnavailable:
            shutil.rmtree(path, ignore_errors=True)
            raise
        (library / "Positionen.xba").write_text(_MACRO, encoding="utf-8")
        (library / "script.xlb").write_text(_LIBRARY, encoding="utf-8")
        self.path = path
        return path

    def discard(self) -> None:
        """Forgets the profile: a killed or failed LibreOffice may leave it locked or broken."""
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = None


_profile = _Profile()
atexit.register(_profile.discard)


def _run(command: list[str], deadline: float) -> None:
    """Runs `command` in its own process group and kills the whole group (soffice starts
    soffice.bin as a child) when `deadline` passes."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise PdfUnavailable("Die Umwandlung hat zu lange gedauert und wurde abgebrochen.")
    # The command is soffice or pdftoppm as found on PATH, with our own temporary paths.
    process = subprocess.Popen(  # noqa: S603
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=remaining)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise PdfUnavailable(
            "Die Umwandlung hat zu lange gedauert und wurde abgebrochen."
        ) from None
    if process.returncode != 0:
        detail = stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise PdfUnavailable(f"Die Umwandlung ist fehlgeschlagen. {detail[0]}".strip())


@contextmanager
def _one_at_a_time(deadline: float) -> Iterator[None]:
    if not _process_lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
        raise PdfUnavailable("Eine andere Umwandlung läuft noch; bitte später erneut versuchen.")
    try:
        with LOCK_FILE.open("a") as handle:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise PdfUnavailable(
                            "Eine andere Umwandlung läuft noch; bitte später erneut versuchen."
                        ) from None
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        _process_lock.release()
