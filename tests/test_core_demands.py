"""The Kernforderungen box is a summary (issue 19, item 3): each core demand appears in it
in its short form, which staff may write and which defaults to the demand's first sentence,
while the body keeps the whole paragraph with its reasons."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import docx
import pytest
from sqlalchemy.engine import Engine

from db.engine import create_engine_for, read_session, write_session
from db.models import PaperKind, Paragraph, Role, id_of
from exports import paper_exports, roundtrip, word
from positions.core.errors import InvalidInput
from positions.core.permissions import Actor
from positions.papers import papers
from positions.papers.core_demands import MAX_SHORT_FORM, box_entry, cleaned_short_form
from positions.papers.papers import PaperFields
from tests import factories
from tests.test_drafts import open_paper_as_staff, submit
from tests.test_word_export import style_name
from ui.paper_editor import SHORT_FORM_LABEL

NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
DEMAND = (
    "Der Bund senkt die Stromsteuer für das produzierende Gewerbe auf das europäische "
    "Mindestmaß. Betriebe in Nordrhein-Westfalen zahlen heute mehr als doppelt so viel wie "
    "ihre Wettbewerber in Frankreich; ohne Entlastung wandern Gießereien und Schmieden ab."
)
FIRST_SENTENCE = (
    "Der Bund senkt die Stromsteuer für das produzierende Gewerbe auf das europäische Mindestmaß."
)
SHORT = "Stromsteuer auf das EU-Mindestmaß senken."


def test_the_box_shows_the_first_sentence_until_staff_write_a_short_form() -> None:
    assert box_entry(DEMAND, None) == FIRST_SENTENCE
    assert box_entry(DEMAND, "  ") == FIRST_SENTENCE
    assert box_entry(DEMAND, SHORT) == SHORT
    # "z. B." does not end the first sentence.
    assert box_entry("Fristen z. B. für Anträge sinken. Grund: Kosten.", None) == (
        "Fristen z. B. für Anträge sinken."
    )


def test_a_short_form_like_the_default_is_not_kept_and_a_long_one_is_refused() -> None:
    assert cleaned_short_form("", DEMAND) is None
    assert cleaned_short_form(f" {FIRST_SENTENCE}\n", DEMAND) is None
    assert cleaned_short_form(f"  {SHORT} ", DEMAND) == SHORT
    with pytest.raises(InvalidInput, match="höchstens 400 Zeichen"):
        cleaned_short_form("x" * (MAX_SHORT_FORM + 1), DEMAND)


def _paper(engine: Engine) -> tuple[Actor, int, int]:
    with write_session(engine) as session:
        staff = Actor.for_user(factories.user(session, Role.STAFF))
        forum = factories.forum(session, staff)
        paper = papers.create_paper(
            session=session,
            actor=staff,
            forum_id=id_of(forum),
            fields=PaperFields(
                title="Industriestrom bezahlbar machen", kind=PaperKind.POSITION_PAPER
            ),
            now=NOW,
        )
        section = papers.add_section(
            session=session, actor=staff, paper_id=id_of(paper), title="Forderungen", now=NOW
        )
        demand = papers.add_paragraph(
            session=session,
            actor=staff,
            section_id=id_of(section),
            text=DEMAND,
            is_core_demand=True,
            now=NOW,
        )
        return staff, id_of(paper), id_of(demand)


def _save(engine: Engine, staff: Actor, paragraph_id: int, **changes: object) -> None:
    with write_session(engine) as session:
        current = session.get(Paragraph, paragraph_id)
        assert current is not None
        values: dict[str, object] = {
            "text": current.text,
            "is_core_demand": current.is_core_demand,
            "expected_version": current.lock_version,
        } | changes
        papers.save_paragraph(
            session=session,
            actor=staff,
            paragraph_id=paragraph_id,
            now=NOW,
            **values,  # type: ignore[arg-type]
        )


def _version(engine: Engine, staff: Actor, paper_id: int, label: str) -> int:
    with write_session(engine) as session:
        saved = papers.save_named_version(
            session=session, actor=staff, paper_id=paper_id, label=label, now=NOW
        )
        return saved.number


def _box_and_body(
    engine: Engine, staff: Actor, paper_id: int, number: int
) -> tuple[list[str], list[str]]:
    with read_session(engine) as session:
        doc = paper_exports.document_for(
            session=session, actor=staff, paper_id=paper_id, version_number=number
        )
    document = docx.Document(io.BytesIO(word.build_paper(doc, now=NOW)))
    box = [p.text for p in document.paragraphs if style_name(p) == "Kernforderung"]
    body = [
        p.text
        for p in document.paragraphs
        if DEMAND[:30] in p.text and style_name(p) != "Kernforderung"
    ]
    return box, body


def test_the_exported_box_summarises_and_the_body_keeps_the_reasons(engine: Engine) -> None:
    staff, paper_id, demand_id = _paper(engine)
    first = _version(engine, staff, paper_id, "Erster Entwurf")
    box, body = _box_and_body(engine, staff, paper_id, first)
    assert box == [FIRST_SENTENCE]
    assert len(body) == 1 and "ohne Entlastung wandern Gießereien" in body[0]

    _save(engine, staff, demand_id, short_form=SHORT)
    second = _version(engine, staff, paper_id, "Mit Kurzfassung")
    box, body = _box_and_body(engine, staff, paper_id, second)
    assert box == [SHORT]
    assert len(body) == 1 and body[0].startswith(FIRST_SENTENCE)
    # Each saved version keeps its own box: the first still shows the first sentence.
    assert _box_and_body(engine, staff, paper_id, first)[0] == [FIRST_SENTENCE]


def test_saving_the_text_keeps_the_short_form_and_an_empty_one_restores_the_default(
    engine: Engine,
) -> None:
    staff, _, demand_id = _paper(engine)
    _save(engine, staff, demand_id, short_form=SHORT)
    _save(engine, staff, demand_id, text=DEMAND + " Das gilt auch für Härtereien.")
    with read_session(engine) as session:
        stored = session.get(Paragraph, demand_id)
        assert stored is not None and stored.short_form == SHORT
    _save(engine, staff, demand_id, short_form="")
    with read_session(engine) as session:
        stored = session.get(Paragraph, demand_id)
        assert stored is not None and stored.short_form is None


def test_the_synopse_compares_the_box_and_a_returned_file_reads_no_change(engine: Engine) -> None:
    staff, paper_id, demand_id = _paper(engine)
    first = _version(engine, staff, paper_id, "Erster Entwurf")
    _save(engine, staff, demand_id, short_form=SHORT)
    second = _version(engine, staff, paper_id, "Mit Kurzfassung")
    with read_session(engine) as session:
        versions = {
            v.number: v for v in papers.versions(session=session, actor=staff, paper_id=paper_id)
        }
        old = paper_exports.diff_version(session, versions[first])
        new = paper_exports.diff_version(session, versions[second])
        doc = paper_exports.document_for(
            session=session, actor=staff, paper_id=paper_id, version_number=second
        )
    assert [p.text for p in old.box().paragraphs] == [FIRST_SENTENCE]
    assert [p.text for p in new.box().paragraphs] == [SHORT]
    # The exported box is recognised as the box, not read back as an edit of the text.
    returned = roundtrip.read_returned_file(word.build_paper(doc, now=NOW)).propose(new)
    assert [p.kind for p in returned.proposals if p.kind != "unchanged"] == []
    assert not any("Kernforderungen" in note for note in returned.notes)


def test_staff_write_the_short_form_in_the_paragraph_editor(demo_url: str) -> None:
    app, paragraph, _, _ = open_paper_as_staff(demo_url)
    paragraph_id = id_of(paragraph)
    app.button(key=f"edit-{paragraph_id}").click().run()
    [field] = [t for t in app.text_input if t.label == SHORT_FORM_LABEL]
    assert field.placeholder == box_entry(paragraph.text, None)
    field.input(SHORT)
    [core] = [
        c
        for c in app.checkbox
        if c.label == "Kernforderung" and c.form_id == f"paragraph-{paragraph_id}"
    ]
    core.check()
    submit(app, f"paragraph-{paragraph_id}", "Speichern")
    with read_session(create_engine_for(demo_url)) as session:
        stored = session.get(Paragraph, paragraph_id)
        assert stored is not None and stored.short_form == SHORT
    # The box above the text lists it in its short form.
    assert any(SHORT in m.value for m in app.markdown)
