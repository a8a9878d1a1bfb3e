"""The file store: every file we keep, once, under its SHA-256 in the data folder.

A file lives at `files/ab/cdef…`; database rows name it by its hash. Writing is atomic and a
file already stored is never written again, so two uploads of the same bytes share one file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from db.engine import data_dir
from positions.core.errors import NotFound

MISSING = "Die Datei fehlt in der Dateiablage; bitte wenden Sie sich an die Administration."


def store_path(sha256: str) -> Path:
    return data_dir() / "files" / sha256[:2] / sha256[2:]


def keep(data: bytes) -> str:
    """Store the bytes (if not already there) and return their SHA-256."""
    sha256 = hashlib.sha256(data).hexdigest()
    target = store_path(sha256)
    if target.exists():
        return sha256
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, target)
    return sha256


def load(sha256: str) -> bytes:
    """The stored bytes; `NotFound` with a German message when the file has gone missing."""
    path = store_path(sha256)
    if not path.exists():
        raise NotFound(MISSING)
    return path.read_bytes()
