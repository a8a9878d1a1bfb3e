"""The text of a forum's published result (Grundsatzpapier, Leitlinien) as staff upload or
paste it, ready for `positions.followup.impact.assess_outcome`.

- `outcome_text_from_pdf`: the text layer of a PDF, read with pypdf under tighter limits
  than its own (20 MB per decoded stream, 100,000 operations per page, `MAX_READING_SECONDS`
  for the whole file, no external decoders); pages are separated by a blank line, words
  hyphenated at a line end are joined ("Förder-\\nverfahren" → "Förderverfahren", but
  "Automobil-\\nund" stays), ligatures are spelled out.
- `outcome_text_from_upload`: by file name: .pdf as above, .docx through
  `positions.uploads.intake.extract_text` (same checks as a member's upload), .txt as UTF-8 (or
  Windows-1252).
- `outcome_text_from_paste`: pasted text, cleaned the same way.

Every result is NFC with "\\n" line ends. Refusals are `InvalidUpload` (a file) or
`InvalidInput` (pasted text) with a German message: an empty file, one over 25 MB, a PDF that
is no PDF, damaged, password-protected, built to exhaust the reader, with more than
`MAX_PAGES` pages or without a text layer (a scan), and text longer than
`impact.MAX_OUTCOME_CHARS`.
"""

from __future__ import annotations

import io
import re
import time

import pypdf
from pypdf.errors import FileNotDecryptedError, LimitReachedError

from positions.core import cleaning
from positions.core.errors import InvalidInput, InvalidUpload
from positions.core.formatting import number
from positions.followup.impact import EMPTY_OUTCOME, MAX_OUTCOME_CHARS, OUTCOME_TOO_LONG
from positions.uploads import intake, package

MAX_UPLOAD_BYTES = package.MAX_UPLOAD_BYTES  # 25 MB, as for every upload
MAX_PAGES = 3_000
MAX_READING_SECONDS = 120
# Fewer letters than this per page on average: the PDF holds pictures of pages, not text.
MIN_LETTERS_PER_PAGE = 25

PDF_NO_TEXT = (
    "Die PDF-Datei enthält keinen Text (vermutlich ein Scan). Bitte laden Sie eine PDF-Datei "
    "mit Textebene oder das Word-Dokument hoch, oder fügen Sie den Text direkt ein."
)
PDF_CORRUPT = (
    "Die PDF-Datei ist beschädigt oder kann nicht gelesen werden. Bitte speichern Sie sie "
    "erneut als PDF oder fügen Sie den Text direkt ein."
)
PDF_HOSTILE = (
    "Die PDF-Datei ist ungewöhnlich aufgebaut und wird aus Sicherheitsgründen nicht gelesen. "
    "Bitte speichern Sie sie erneut als PDF oder fügen Sie den Text direkt ein."
)
PDF_ENCRYPTED = (
    "Die PDF-Datei ist mit einem Kennwort geschützt. Bitte entfernen Sie den Kennwortschutz "
    "oder fügen Sie den Text direkt ein."
)
NOT_PDF = (
    "Die Datei ist keine PDF-Datei. Bitte prüfen Sie, ob Sie die richtige Datei gewählt haben."
)
PDF_TOO_MANY_PAGES = (
    f"Die PDF-Datei hat mehr als {number(MAX_PAGES)} Seiten. "
    + "Bitte laden Sie nur das Ergebnisdokument selbst hoch, ohne Anlagen."
)
WRONG_TYPE = (
    "Bitte laden Sie das Ergebnis als PDF-Datei (.pdf), Word-Dokument (.docx) oder "
    "Textdatei (.txt) hoch oder fügen Sie den Text direkt ein."
)
TEXT_FILE_UNREADABLE = (
    "Die Textdatei kann nicht gelesen werden. Bitte speichern Sie sie als UTF-8 oder fügen Sie "
    "den Text direkt ein."
)

_STREAM_BYTES = 20_000_000
_PDF_LIMITS = pypdf.Configuration(
    jbig2dec_binary=None,
    zlib_maximum_output_length=_STREAM_BYTES,
    lzw_maximum_output_length=_STREAM_BYTES,
    run_length_maximum_output_length=_STREAM_BYTES,
    brotli_maximum_output_length=_STREAM_BYTES,
    array_based_stream_maximum_output_length=_STREAM_BYTES,
    stream_decoding_work_maximum_length=4 * _STREAM_BYTES,
    stream_parsing_work_maximum_count=100_000,
)

_LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st", "\xad": ""}
)
# A word broken at a line end; "Automobil-\nund Zulieferindustrie" keeps its hyphen.
_HYPHENATED = re.compile(
    r"(?<=[^\W\d_])-[ \t]*\n[ \t]*(?!(?:und|oder|bzw|sowie|als auch)\b)(?=[a-zäöüß])"
)


def outcome_text_from_pdf(data: bytes) -> str:
    """The text layer of a PDF (see the module docstring); InvalidUpload if there is none."""
    if not data:
        raise InvalidUpload(package.EMPTY)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidUpload(package.TOO_LARGE)
    if b"%PDF-" not in data[:1024]:
        raise InvalidUpload(NOT_PDF)
    pages = _pdf_pages(data)
    text = _clean("\n\n".join(pages))
    letters = sum(character.isalpha() for character in text)
    if letters < MIN_LETTERS_PER_PAGE * max(len(pages), 1):
        raise InvalidUpload(PDF_NO_TEXT)
    return text


def outcome_text_from_upload(filename: str, data: bytes) -> str:
    """The text of an uploaded result: .pdf, .docx or .txt, chosen by the file name."""
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix == "pdf":
        return outcome_text_from_pdf(data)
    if suffix == "docx":
        return _within_limit(_clean(intake.extract_text(filename, data)), InvalidUpload)
    if suffix == "txt":
        if not data:
            raise InvalidUpload(package.EMPTY)
        if len(data) > MAX_UPLOAD_BYTES:
            raise InvalidUpload(package.TOO_LARGE)
        return _within_limit(_clean(_decode(data)), InvalidUpload)
    raise InvalidUpload(WRONG_TYPE)


def outcome_text_from_paste(text: str) -> str:
    """Pasted text, cleaned; InvalidInput if it is empty or too long."""
    return _within_limit(_clean(text), InvalidInput)


# --- helpers ------------------------------------------------------------------------------


def _pdf_pages(data: bytes) -> list[str]:
    pages: list[str] = []
    length = 0
    # pypdf's own limits allow 75 MB per stream and 2 million operations per page, which a
    # crafted file of 200 KB turns into minutes of work; a page of text needs a fraction.
    # No external decoder (jbig2dec) is ever started for an upload.
    with pypdf.apply_configuration(_PDF_LIMITS):
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise InvalidUpload(PDF_ENCRYPTED)
            if len(reader.pages) > MAX_PAGES:
                raise InvalidUpload(PDF_TOO_MANY_PAGES)
            started = time.monotonic()
            for page in reader.pages:
                # Each page is bounded by the limits above; many such pages by the clock.
                if time.monotonic() - started > MAX_READING_SECONDS:
                    raise InvalidUpload(PDF_HOSTILE)
                page_text = page.extract_text() or ""
                length += len(page_text)
                if length > MAX_OUTCOME_CHARS:
                    raise InvalidUpload(OUTCOME_TOO_LONG)
                pages.append(page_text)
        except InvalidUpload:
            raise
        except FileNotDecryptedError:
            raise InvalidUpload(PDF_ENCRYPTED) from None
        except (LimitReachedError, RecursionError, MemoryError):
            raise InvalidUpload(PDF_HOSTILE) from None
        except Exception:  # a damaged or crafted PDF makes pypdf raise nearly anything
            raise InvalidUpload(PDF_CORRUPT) from None
    return pages


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise InvalidUpload(TEXT_FILE_UNREADABLE) from None


def _clean(text: str) -> str:
    # Ligatures and soft hyphens first: NFC keeps ligatures as they are.
    return _HYPHENATED.sub("", cleaning.clean(text.translate(_LIGATURES)))


def _within_limit(text: str, error: type[InvalidInput] | type[InvalidUpload]) -> str:
    if not any(character.isalnum() for character in text):
        raise error(EMPTY_OUTCOME)
    if len(text) > MAX_OUTCOME_CHARS:
        raise error(OUTCOME_TOO_LONG)
    return text
