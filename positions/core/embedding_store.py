"""Sentence embeddings with a database cache: each text's vector is computed once and kept
(table `text_embedding`, keyed by model and the text's SHA-256, no text stored), so a
call's points and an outcome's sentences are not embedded again on the next analysis."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from db.models import TextEmbedding
from positions.core import embeddings
from positions.core.embeddings import DIMENSIONS, MODEL_NAME, Vectors

# SQLite allows 32,766 bound parameters; stay well below for the IN lists.
_LOOKUP_CHUNK = 900

Progress = Callable[[int, int], None]


def digest(normalised_text: str) -> str:
    return hashlib.sha256(normalised_text.encode("utf-8")).hexdigest()


class StoredEmbeddings:
    """An `Embed` that looks texts up in the database first and stores what it computes.

    The caller commits (vectors are added to its session); `progress(done, total)` is called
    while missing texts are computed, for a progress bar."""

    def __init__(self, session: Session, progress: Progress | None = None) -> None:
        self.session = session
        self.progress = progress

    def __call__(self, texts: Sequence[str]) -> Vectors:
        keys = [embeddings.normalised(t) for t in texts]
        digests = [digest(k) for k in keys]
        known = self._lookup(set(digests))
        # digest -> text, each missing text once
        missing = {d: k for k, d in zip(keys, digests, strict=True) if d not in known}
        pending = list(missing.items())
        for start in range(0, len(pending), embeddings.BATCH):
            batch = pending[start : start + embeddings.BATCH]
            vectors = embeddings.compute([text for _, text in batch])
            rows = []
            for (key, _), vector in zip(batch, vectors, strict=True):
                known[key] = vector
                rows.append(
                    {"model": MODEL_NAME, "digest": key, "vector": vector.astype("<f4").tobytes()}
                )
            self._insert(rows)
            if self.progress is not None:
                self.progress(min(start + embeddings.BATCH, len(missing)), len(missing))
        result = np.zeros((len(keys), DIMENSIONS), dtype=np.float32)
        for i, d in enumerate(digests):
            result[i] = known[d]
        return result

    def _insert(self, rows: list[dict[str, object]]) -> None:
        """One statement per batch; a vector another session stored meanwhile is the same
        vector, so a conflict is skipped rather than an error."""
        if not rows:
            return
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.session.execute(insert(TextEmbedding).values(rows).on_conflict_do_nothing())

    def _lookup(self, digests: set[str]) -> dict[str, Vectors]:
        found: dict[str, Vectors] = {}
        wanted = sorted(digests)
        for start in range(0, len(wanted), _LOOKUP_CHUNK):
            rows = self.session.exec(
                select(TextEmbedding).where(
                    TextEmbedding.model == MODEL_NAME,
                    col(TextEmbedding.digest).in_(wanted[start : start + _LOOKUP_CHUNK]),
                )
            )
            for row in rows:
                found[row.digest] = np.frombuffer(row.vector, dtype="<f4").astype(np.float32)
        return found


def forget_all(session: Session) -> None:
    """Empty the cache, in the database and in this process (after erasing personal data:
    vectors can be read back into words approximately)."""
    session.execute(delete(TextEmbedding))
    embeddings.forget_memory()
