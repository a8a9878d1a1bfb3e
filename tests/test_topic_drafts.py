"""Drafts from the association's own language model for a call's topics: what may be sent
(never a name; "nur intern" and anonymous statements only when the admin allowed it), how
the model's sentences are checked against the points they cite, that every statement is
either mapped to a topic or listed as not processed, and that a draft enters a paper only
when staff take it over. The model is a local test server with scripted answers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from db.engine import DATA_DIR_VARIABLE, create_engine_for, read_session, write_session
from db.models import (
    AuditEvent,
    Cluster,
    PaperKind,
    Paragraph,
    ParagraphSource,
    Point,
    Role,
    Visibility,
    id_of,
)
from positions.analysis import llm_topics, topic_drafts
from positions.analysis.topic_drafts import Selection, TopicPoint
from positions.core import settings
from positions.core.errors import InvalidInput, PermissionDenied
from positions.core.permissions import SYSTEM, Actor
from positions.papers import papers
from positions.statements import statements
from tests import factories
from tests.test_language_model import ModelServer, Script, model_server, reply

__all__ = ["model_server"]  # the fixture, shared with the client's tests

# --- pure: what is sent ---------------------------------------------------------------------


def point(
    point_id: int,
    text: str,
    statement_id: int,
    visibility: Visibility = Visibility.NAMED,
    group: int | None = None,
) -> TopicPoint:
    return TopicPoint(point_id, text, statement_id, visibility, group)


MIXED = [
    point(1, "Die Netzentgelte für energieintensive Betriebe müssen sinken.", 10),
    point(2, "Netzentgelte belasten unsere Produktion am Standort.", 11, Visibility.INTERNAL),
    point(3, "Wir fordern niedrigere Netzentgelte für die Industrie.", 12, Visibility.ANONYMOUS),
]


def sent_texts(selection: Selection) -> list[str]:
    return [entry.point.text for entry in selection.sent]


def test_internal_and_anonymous_points_stay_home_unless_allowed() -> None:
    selection = topic_drafts.select_points(MIXED)
    assert sent_texts(selection) == [MIXED[0].text]
    assert {(x.statement_id, x.reason) for x in selection.left_out} == {
        (11, topic_drafts.WITHHELD_INTERNAL),
        (12, topic_drafts.WITHHELD_ANONYMOUS),
    }
    selection = topic_drafts.select_points(MIXED, send_anonymous=True)
    assert sent_texts(selection) == [MIXED[0].text, MIXED[2].text]
    selection = topic_drafts.select_points(MIXED, send_internal=True, send_anonymous=True)
    assert len(selection.sent) == 3 and not selection.left_out


def test_near_duplicates_go_once_and_their_statements_count_as_sent() -> None:
    copies = [
        point(1, "Förderprogramme vereinfachen.", 10, group=7),
        point(2, "Förderprogramme vereinfachen!", 11, group=7),
        point(3, "Ein einheitliches Antragsportal schaffen.", 12),
    ]
    selection = topic_drafts.select_points(copies)
    assert [e.alias for e in selection.sent] == ["P1", "P2"]
    assert [c.id for c in selection.sent[0].copies] == [2]
    assert selection.sent_statements == {10, 11, 12}


def test_one_long_statement_cannot_fill_a_request_alone() -> None:
    long_statement = [point(i, f"Forderung Nummer {i} des großen Mitglieds.", 1) for i in range(50)]
    others = [point(100 + i, f"Forderung von Mitglied {i}.", 2 + i) for i in range(3)]
    selection = topic_drafts.select_points(long_statement + others, max_chars=400)
    sent_statements = {e.point.statement_id for e in selection.sent}
    assert sent_statements == {1, 2, 3, 4}
    assert all(x.reason == topic_drafts.TOO_LONG for x in selection.left_out)
    assert {x.statement_id for x in selection.left_out} == {1}


def test_the_request_holds_ids_and_texts_only() -> None:
    selection = topic_drafts.select_points(MIXED)
    system, user = topic_drafts.messages(selection)
    assert system["role"] == "system" and "JSON" in system["content"]
    assert user["content"].endswith(
        '[{"id": "P1", "text": "Die Netzentgelte für energieintensive Betriebe müssen sinken."}]'
    )


# --- pure: what is kept ---------------------------------------------------------------------

POINTS = [
    point(1, "Die Netzentgelte für energieintensive Betriebe müssen sinken.", 10),
    point(2, "Ein „Industriestrompreis“ von 5 Cent ist nötig – befristet bis 2030.", 11),
    point(3, "Netzentgelte belasten unsere Produktion.", 12, Visibility.INTERNAL),
]
SENT = topic_drafts.select_points(POINTS, send_internal=True)


def read(*sentences: Any, **fields: Any) -> topic_drafts.TopicDraft:
    return topic_drafts.read_draft({"sentences": list(sentences), **fields}, SENT)


def test_sentences_with_valid_citations_are_kept_with_their_sources() -> None:
    draft = read(
        {
            "text": "Die Netzentgelte für die Industrie müssen sinken.",
            "points": ["P1"],
            "quotes": [{"point": "P1", "text": "Netzentgelte für energieintensive Betriebe"}],
        },
        # Other quotation marks, dashes and case are forgiven.
        {
            "text": "Ein befristeter Industriestrompreis ist nötig.",
            "points": [2, "p1"],
            "quotes": [
                {"point": "P2", "text": '"industriestrompreis" von 5 Cent ist nötig - befristet'}
            ],
        },
        name="  Netzentgelte für die Industrie senken ",
        summary="Die Mitglieder fordern niedrigere Netzentgelte.",
    )
    assert draft.name == "Netzentgelte für die Industrie senken"
    assert [s.aliases for s in draft.sentences] == [("P1",), ("P2", "P1")]
    assert draft.text == (
        "Die Netzentgelte für die Industrie müssen sinken. "
        "Ein befristeter Industriestrompreis ist nötig."
    )
    assert draft.source_point_ids == (1, 2)
    assert draft.dropped == () and draft.uncited == ("P3",)


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ({"text": "Die Stromsteuer muss weg.", "points": ["P9"]}, "die es nicht gibt: P9"),
        ({"text": "Die Stromsteuer muss weg.", "points": ["P1", 42]}, "die es nicht gibt: 42"),
        ({"text": "Die Stromsteuer muss weg.", "points": []}, "nennt keinen Punkt"),
        ({"text": "Die Stromsteuer muss weg."}, "nennt keinen Punkt"),
        ({"text": "Die Stromsteuer muss weg.", "points": ["Mitglied A"]}, "Mitglied A"),
        (
            {
                "text": "Netzentgelte sollen halbiert werden.",
                "points": ["P1"],
                "quotes": [{"point": "P1", "text": "Netzentgelte müssen halbiert werden"}],
            },
            "steht nicht in Punkt P1",
        ),
        (
            {
                "text": "Netzentgelte müssen sinken.",
                "points": ["P1"],
                "quotes": [{"point": "P2", "text": "Industriestrompreis"}],
            },
            "aus einem Punkt, den er nicht nennt",
        ),
    ],
)
def test_invented_citations_and_quotes_are_dropped_and_shown(
    sentence: dict[str, Any], reason: str
) -> None:
    draft = read(sentence, {"text": "Netzentgelte müssen sinken.", "points": ["P1"]})
    [dropped] = draft.dropped
    assert dropped.text == sentence["text"] and reason in dropped.reason
    assert draft.text == "Netzentgelte müssen sinken."
    assert draft.source_point_ids == (1,)


def test_a_sentence_resting_only_on_internal_points_stays_out_of_the_paragraph() -> None:
    draft = read(
        {"text": "Die Produktion leidet.", "points": ["P3"]},
        {"text": "Netzentgelte müssen sinken.", "points": ["P1", "P3"]},
    )
    assert [n.text for n in draft.internal_notes] == ["Die Produktion leidet."]
    assert draft.text == "Netzentgelte müssen sinken."
    assert draft.source_point_ids == (1, 3)


def test_an_answer_without_sentences_is_an_empty_draft() -> None:
    draft = topic_drafts.read_draft({"name": 5, "sentences": "keine"}, SENT)
    assert draft.name == "" and draft.sentences == () and draft.text == ""


def test_every_statement_is_mapped_or_listed_as_not_processed() -> None:
    ok = topic_drafts.select_points(
        [*MIXED, point(4, "Eine zweite, lange Forderung. " * 40, 10)], max_chars=200
    )
    failed = topic_drafts.select_points([point(5, "Wasserstoffnetz ausbauen.", 13)])
    covered = topic_drafts.coverage(
        [10, 11, 12, 13, 14],
        {1: (ok, None), 2: (failed, "HTTP 500")},
        outside_topics={14: "in keinem Thema"},
    )
    assert covered.mapped == {10: (1,)}
    reasons = {n.statement_id: n.reasons for n in covered.not_processed}
    assert reasons == {
        11: (topic_drafts.WITHHELD_INTERNAL,),
        12: (topic_drafts.WITHHELD_ANONYMOUS,),
        13: ("Anfrage gescheitert: HTTP 500",),
        14: ("in keinem Thema",),
    }
    assert covered.partly == (topic_drafts.NotProcessed(10, (topic_drafts.TOO_LONG,)),)


# --- with the database ----------------------------------------------------------------------

NAMED_TEXT = (
    "Als Müller Stahl GmbH fordern wir niedrigere Netzentgelte für energieintensive Betriebe. "
    "Die Vorschläge der Rheinwerk AG teilen wir."
)
INTERNAL_TEXT = "Vertraulich: unsere Stromkosten steigen um 40 Prozent im nächsten Jahr."
ANONYMOUS_TEXT = "Ein Industriestrompreis muss kommen, befristet bis 2030."
LOOSE_TEXT = "Die Fachkräftesicherung braucht mehr Ausbildungsplätze."
NAMES = ("Müller Stahl GmbH", "Rheinwerk AG", "Geheimnis Chemie AG", "Anonym Metall KG")


@dataclass
class Scene:
    staff: Actor
    call_id: int
    cluster_id: int
    section_id: int
    points: dict[str, list[int]]


def scene(session: Session) -> Scene:
    """A call with a named, an internal and an anonymous statement in one topic, and a
    fourth statement in no topic; a paper for the call with one section."""
    staff = factories.actor(session, Role.STAFF)
    forum = factories.forum(session, SYSTEM)
    orgs = [factories.organisation(session, name) for name in NAMES]
    orgs[1].short_name = "Rheinwerk"
    call = factories.call(session, SYSTEM, forum, invited=orgs)
    texts = {
        "named": (orgs[0], NAMED_TEXT, Visibility.NAMED),
        "internal": (orgs[2], INTERNAL_TEXT, Visibility.INTERNAL),
        "anonymous": (orgs[3], ANONYMOUS_TEXT, Visibility.ANONYMOUS),
        "loose": (orgs[1], LOOSE_TEXT, Visibility.NAMED),
    }
    cluster = Cluster(call_id=id_of(call), label="Senkung · Netzentgelte")
    session.add(cluster)
    session.flush()
    points: dict[str, list[int]] = {}
    for key, (org, text, visibility) in texts.items():
        row = factories.statement(session, call, id_of(org), text=text, visibility=visibility)
        split = statements.replace_points(session=session, statement=row)
        session.flush()
        for part in split:
            if key != "loose":
                part.cluster_id = id_of(cluster)
                session.add(part)
        points[key] = [id_of(p) for p in split]
    paper = papers.create_paper(
        session=session,
        actor=SYSTEM,
        forum_id=id_of(forum),
        fields=papers.PaperFields(
            title="Position Netzentgelte", kind=PaperKind.POSITION_PAPER, call_id=id_of(call)
        ),
    )
    section = papers.add_section(
        session=session, actor=SYSTEM, paper_id=id_of(paper), title="Forderungen"
    )
    session.flush()
    return Scene(staff, id_of(call), id_of(cluster), id_of(section), points)


def configure(engine: Engine, server: ModelServer, **changes: Any) -> None:
    with write_session(engine) as session:
        settings.save_language_model(session=session, actor=SYSTEM, values=server.config(**changes))


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    engine = create_engine_for(sqlite_url)
    yield engine
    engine.dispose()


def made(engine: Engine) -> Scene:
    with write_session(engine) as session:
        return scene(session)


def ask(engine: Engine, made_scene: Scene) -> topic_drafts.TopicDraft:
    with read_session(engine) as session:
        request = llm_topics.prepare_topic(
            session=session, actor=made_scene.staff, cluster_id=made_scene.cluster_id
        )
    return llm_topics.draft_topic(request)


def test_without_a_model_nothing_is_sent(sqlite_engine: Engine, model_server: ModelServer) -> None:
    here = made(sqlite_engine)
    with read_session(sqlite_engine) as session:
        assert not llm_topics.configured(session=session)
        with pytest.raises(llm_topics.NotConfigured, match="kein Sprachmodell eingerichtet"):
            llm_topics.prepare_topic(session=session, actor=here.staff, cluster_id=here.cluster_id)
        with pytest.raises(llm_topics.NotConfigured):
            llm_topics.prepare_call(session=session, actor=here.staff, call_id=here.call_id)
    assert model_server.raw == []


def test_members_may_not_ask_the_model(sqlite_engine: Engine, model_server: ModelServer) -> None:
    here = made(sqlite_engine)
    configure(sqlite_engine, model_server)
    with write_session(sqlite_engine) as session:
        member = factories.actor(session, Role.MEMBER)
        with pytest.raises(PermissionDenied):
            llm_topics.prepare_topic(session=session, actor=member, cluster_id=here.cluster_id)


def test_internal_and_anonymous_statements_and_names_never_reach_the_model(
    sqlite_engine: Engine, model_server: ModelServer
) -> None:
    here = made(sqlite_engine)
    configure(sqlite_engine, model_server)
    model_server.answers = [reply({"name": "Netzentgelte senken", "sentences": []})]
    draft = ask(sqlite_engine, here)
    sent = model_server.everything_sent()
    assert "niedrigere Netzentgelte" in sent
    assert "40 Prozent" not in sent and "Industriestrompreis" not in sent
    assert all(name not in sent for name in (*NAMES, "Rheinwerk", "Senkung · Netzentgelte"))
    assert "[Mitglied] fordern wir" in sent and "Vorschläge der [Mitglied] teilen" in sent
    assert {x.reason for x in draft.selection.left_out} == {
        topic_drafts.WITHHELD_INTERNAL,
        topic_drafts.WITHHELD_ANONYMOUS,
    }


def test_with_the_admins_permission_they_go_but_still_without_names(
    sqlite_engine: Engine, model_server: ModelServer
) -> None:
    here = made(sqlite_engine)
    configure(sqlite_engine, model_server, send_internal=True, send_anonymous=True)
    model_server.answers = [reply({"sentences": []})]
    ask(sqlite_engine, here)
    sent = model_server.everything_sent()
    assert "40 Prozent" in sent and "Industriestrompreis" in sent
    assert all(name not in sent for name in NAMES)


DRAFTED = "Der Verband fordert niedrigere Netzentgelte für energieintensive Betriebe."


def good_answer() -> dict[str, Any]:
    """The model cites what it was sent: the first point, plus one invented citation and
    one invented quote."""
    return {
        "name": "Netzentgelte für die Industrie senken",
        "summary": "Die Mitglieder fordern niedrigere Netzentgelte.",
        "sentences": [
            {
                "text": DRAFTED,
                "points": ["P1"],
                "quotes": [{"point": "P1", "text": "niedrigere Netzentgelte"}],
            },
            {"text": "Die Stromsteuer ist abzuschaffen.", "points": ["P7"]},
            {
                "text": "Netzentgelte sind zu halbieren.",
                "points": ["P1"],
                "quotes": [{"point": "P1", "text": "Netzentgelte halbieren"}],
            },
        ],
    }


def test_a_checked_draft_enters_the_paper_with_its_sources_when_staff_take_it(
    sqlite_engine: Engine, model_server: ModelServer
) -> None:
    here = made(sqlite_engine)
    configure(sqlite_engine, model_server)
    model_server.answers = [reply(good_answer())]
    draft = ask(sqlite_engine, here)
    assert draft.text == (
        "Der Verband fordert niedrigere Netzentgelte für energieintensive Betriebe."
    )
    assert [d.text for d in draft.dropped] == [
        "Die Stromsteuer ist abzuschaffen.",
        "Netzentgelte sind zu halbieren.",
    ]
    with read_session(sqlite_engine) as session:  # nothing entered a paper yet
        assert session.exec(select(Paragraph)).all() == []
    cited = here.points["named"][0]
    assert draft.source_point_ids == (cited,)
    with write_session(sqlite_engine) as session:
        llm_topics.accept_draft(
            session=session,
            actor=here.staff,
            cluster_id=here.cluster_id,
            section_id=here.section_id,
            text=draft.text,
            point_ids=draft.source_point_ids,
        )
    with read_session(sqlite_engine) as session:
        [paragraph] = session.exec(select(Paragraph)).all()
        assert paragraph.text == draft.text
        sources = session.exec(select(ParagraphSource)).all()
        assert [s.point_id for s in sources] == [cited]
        assert session.exec(
            select(AuditEvent).where(AuditEvent.action == "accept_model_draft")
        ).one()


def test_a_draft_citing_points_of_another_call_is_refused(
    sqlite_engine: Engine, model_server: ModelServer
) -> None:
    here = made(sqlite_engine)
    with write_session(sqlite_engine) as session:
        other_call = factories.call(session, SYSTEM, factories.forum(session, SYSTEM))
        member = factories.organisation(session)
        elsewhere = factories.statement(session, other_call, id_of(member))
        [foreign] = statements.replace_points(session=session, statement=elsewhere)
        session.flush()
        foreign_id = id_of(foreign)
    with (
        write_session(sqlite_engine) as session,
        pytest.raises(InvalidInput, match="neu erstellen"),
    ):
        llm_topics.accept_draft(
            session=session,
            actor=here.staff,
            cluster_id=here.cluster_id,
            section_id=here.section_id,
            text="Netzentgelte senken.",
            point_ids=(here.points["named"][0], foreign_id),
        )


def test_failing_topics_are_reported_and_their_statements_listed_as_not_processed(
    sqlite_engine: Engine, model_server: ModelServer
) -> None:
    here = made(sqlite_engine)
    configure(sqlite_engine, model_server, timeout_seconds=1.0)
    for answer, why in [
        (Script(b"kaputt"), "keine lesbare Antwort"),
        (Script(b"", status=500), "HTTP 500"),
        (reply("Das Thema heißt Netzentgelte."), "nicht im verlangten Format"),
        (Script(b"{}", delay=1.5), "nicht innerhalb von 1 Sekunde geantwortet"),
    ]:
        model_server.answers = [answer]
        with read_session(sqlite_engine) as session:
            request = llm_topics.prepare_call(
                session=session, actor=here.staff, call_id=here.call_id
            )
        result = llm_topics.draft_call(request)
        assert result.drafts == {} and why in result.failed[here.cluster_id]
        reasons = {n.statement_id: n.reasons for n in result.coverage.not_processed}
        assert len(reasons) == 4 and result.coverage.mapped == {}
        assert any(why in r for rs in reasons.values() for r in rs)
        assert any("in keinem Thema" in r for rs in reasons.values() for r in rs)


def test_a_good_run_maps_every_statement_or_says_why_not(
    sqlite_engine: Engine, model_server: ModelServer
) -> None:
    here = made(sqlite_engine)
    configure(sqlite_engine, model_server)
    model_server.answers = [reply(good_answer())]
    with read_session(sqlite_engine) as session:
        request = llm_topics.prepare_call(session=session, actor=here.staff, call_id=here.call_id)
    result = llm_topics.draft_call(request)
    assert list(result.coverage.mapped.values()) == [(here.cluster_id,)]
    with read_session(sqlite_engine) as session:
        names = llm_topics.statement_names(
            session=session,
            actor=here.staff,
            statement_ids=[n.statement_id for n in result.coverage.not_processed],
        )
    listed = {names[n.statement_id]: n.reasons for n in result.coverage.not_processed}
    internal = [k for k in listed if k.endswith("(nur intern)")]
    anonymous = [k for k in listed if k.endswith("(anonym)")]
    assert len(internal) == 1 and len(anonymous) == 1
    assert listed["Rheinwerk AG"] == ("in keinem Thema (ohne Thema oder beiseitegelegt)",)


# --- the panel on the workspace page --------------------------------------------------------


def panel(actor_id: int, call_id: int, cluster_id: int, section_id: int) -> None:
    """An AppTest script: the panel as the workspace page shows it for an open topic."""
    from positions.core import accounts
    from ui import database
    from ui.topic_drafts import topic_draft_panel

    with database.reading() as session:
        actor = accounts.load_actor(session=session, user_id=actor_id)
    assert actor is not None
    topic_draft_panel(
        actor, call_id=call_id, cluster_id=cluster_id, targets={section_id: "Papier: Forderungen"}
    )


@pytest.fixture
def app_database(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    import streamlit as st

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "daten"))
    engine = create_engine_for(sqlite_url)
    yield engine
    engine.dispose()
    st.cache_resource.clear()


def open_panel(here: Scene) -> AppTest:
    return AppTest.from_function(
        panel,
        kwargs={
            "actor_id": here.staff.user_id,
            "call_id": here.call_id,
            "cluster_id": here.cluster_id,
            "section_id": here.section_id,
        },
        default_timeout=30,
    ).run()


def test_without_a_model_the_panel_explains_and_offers_no_button(
    app_database: Engine, model_server: ModelServer
) -> None:
    app = open_panel(made(app_database))
    assert not app.exception
    assert any("Kein Sprachmodell eingerichtet" in c.value for c in app.caption)
    assert list(app.button) == []
    assert model_server.raw == []


def test_staff_preview_a_draft_and_take_it_into_the_paper(
    app_database: Engine, model_server: ModelServer
) -> None:
    here = made(app_database)
    configure(app_database, model_server)
    model_server.answers = [reply(good_answer())]
    app = open_panel(here)
    [create] = [b for b in app.button if b.label == "Entwurf für dieses Thema erstellen"]
    create.click().run()
    assert not app.exception and not app.error
    page = "\n".join([*(m.value for m in app.markdown), *(w.value for w in app.warning)])
    assert "Netzentgelte für die Industrie senken" in page
    assert "Die Stromsteuer ist abzuschaffen" in page and "die es nicht gibt: P7" in page
    assert all(name not in page for name in NAMES if name != "Rheinwerk AG")
    [unprocessed] = [e for e in app.expander if e.label.startswith("Nicht verarbeitet")]
    assert "2 Stellungnahmen" in unprocessed.label
    [area] = [a for a in app.text_area if a.label == "Entwurf des Absatzes"]
    assert (
        area.value == "Der Verband fordert niedrigere Netzentgelte für energieintensive Betriebe."
    )
    with read_session(app_database) as session:
        assert session.exec(select(Paragraph)).all() == []  # only a preview so far
    [target] = [s for s in app.selectbox if s.label == "In Abschnitt"]
    target.select_index(0)
    [take] = [b for b in app.button if b.label == "Übernehmen"]
    take.click().run()
    assert not app.exception and not app.error
    with read_session(app_database) as session:
        [paragraph] = session.exec(select(Paragraph)).all()
        assert paragraph.text.startswith("Der Verband fordert niedrigere Netzentgelte")
        [source] = session.exec(select(ParagraphSource)).all()
        assert source.point_id == here.points["named"][0]


def test_a_failing_model_shows_a_german_message_in_the_panel(
    app_database: Engine, model_server: ModelServer
) -> None:
    here = made(app_database)
    configure(app_database, model_server)
    model_server.answers = [Script(b"", status=500)]
    app = open_panel(here)
    [create] = [b for b in app.button if b.label == "Entwurf für dieses Thema erstellen"]
    create.click().run()
    assert not app.exception
    assert any("HTTP 500" in e.value for e in app.error)
    [run_all] = [b for b in app.button if b.label == "Alle Themen mit dem Sprachmodell durchgehen"]
    run_all.click().run()
    assert not app.exception
    assert any("kam kein Entwurf" in w.value for w in app.warning)
    [unprocessed] = [e for e in app.expander if e.label.startswith("Nicht verarbeitet")]
    assert "4 Stellungnahmen" in unprocessed.label


def test_points_stored_match_what_the_scene_says(sqlite_engine: Engine) -> None:
    here = made(sqlite_engine)
    with read_session(sqlite_engine) as session:
        in_topic = session.exec(select(Point).where(Point.cluster_id == here.cluster_id)).all()
    assert len(in_topic) == sum(len(here.points[k]) for k in ("named", "internal", "anonymous"))
