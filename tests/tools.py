"""What several test modules share: the real Word files, the schema check of an exported Word
document, and the system tools (LibreOffice, Poppler) some tests need."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests import ooxml_schema

# Real Word files from public test corpora, with their sources and expected texts.
REAL_WORD_FILES = Path(__file__).resolve().parent / "data" / "docx"


def schema_problems(data: bytes, tmp_path: Path, name: str = "paper.docx") -> list[str]:
    """The schema problems of a Word document (see `tests.ooxml_schema`); the file is kept in
    `tmp_path` so that a failing document can be opened."""
    path = tmp_path / name
    path.write_bytes(data)
    return ooxml_schema.problems(path)


def require_tool(name: str) -> None:
    """Skip the test when the program `name` is not installed."""
    if shutil.which(name) is None:
        pytest.skip(f"{name} is not installed (Debian: libreoffice-writer, poppler-utils)")
