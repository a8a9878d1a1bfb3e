"""The semantic layer: sentence embeddings computed offline from the weights inside the
installed package, cached in the process and in the database."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import TextEmbedding
from positions.core import embedding_store, embeddings
from positions.core.embedding_store import StoredEmbeddings


def test_paraphrases_are_closer_than_unrelated_sentences() -> None:
    vectors = embeddings.embed(
        [
            "Die Strompreise für die Industrie müssen sinken.",
            "Die Energiekosten der Betriebe sollen reduziert werden.",
            "Im Zoo wurde ein Elefant geboren.",
            "",
        ]
    )
    assert vectors.shape == (4, embeddings.DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-4)
    similar = embeddings.similarities(vectors, vectors)
    assert similar[0, 1] > 0.5 and similar[0, 2] < 0.3
    assert not vectors[3].any()  # an empty text is similar to nothing


def test_whitespace_and_unicode_forms_do_not_change_a_vector() -> None:
    composed, decomposed = "Prüfung der Förderanträge", "Pru\u0308fung  der\nFo\u0308rderanträge"
    a, b = embeddings.embed([composed, decomposed])
    assert np.array_equal(a, b)


def test_the_database_cache_computes_each_text_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed: list[str] = []
    real = embeddings.compute

    def counting(texts: list[str]) -> embeddings.Vectors:
        computed.extend(texts)
        return real(texts)

    monkeypatch.setattr(embeddings, "compute", counting)
    texts = ["Netzentgelte deckeln.", "Bürgschaften ausweiten.", "Netzentgelte deckeln."]
    progress: list[tuple[int, int]] = []
    with write_session(engine) as session:
        first = StoredEmbeddings(session, lambda done, total: progress.append((done, total)))(texts)
    assert computed == ["Netzentgelte deckeln.", "Bürgschaften ausweiten."]
    assert progress[-1] == (2, 2)
    assert np.array_equal(first[0], first[2])

    with write_session(engine) as session:
        again = StoredEmbeddings(session)([*texts, "Ladepunkte fördern."])
    assert computed[2:] == ["Ladepunkte fördern."]  # only the new text
    assert np.allclose(again[:3], first, atol=1e-6)
    with read_session(engine) as session:
        rows = session.exec(select(TextEmbedding)).all()
    assert len(rows) == 3 and all(len(r.vector) == 4 * embeddings.DIMENSIONS for r in rows)


def test_erasing_personal_data_can_empty_the_cache(engine: Engine) -> None:
    with write_session(engine) as session:
        StoredEmbeddings(session)(["Die Müller GmbH fordert niedrigere Netzentgelte."])
    with write_session(engine) as session:
        embedding_store.forget_all(session)
    with read_session(engine) as session:
        assert session.exec(select(TextEmbedding)).all() == []
