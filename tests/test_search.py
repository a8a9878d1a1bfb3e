from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.engine import read_session, write_session
from db.models import Role, StatementSource, TextEmbedding, Visibility, id_of
from positions.core import embedding_store, embeddings
from positions.core.permissions import Actor
from positions.statements import search, statements
from tests import factories


def _statements(engine: Engine) -> dict[str, Actor]:
    """Two members answer one call: A (named) and B (internal); C keeps a draft, D a draft
    taken from a Word file; E withdrew its statement."""
    with write_session(engine) as session:
        staff = factories.actor(session)
        board = factories.actor(session, Role.BOARD)
        orgs = {k: factories.organisation(session, f"Firma {k} GmbH") for k in "ABCDE"}
        members = {
            k: Actor.for_user(factories.user(session, Role.MEMBER, o, password=None))
            for k, o in orgs.items()
        }
        call = factories.call(
            session,
            staff,
            factories.forum(session, staff),
            external_deadline=date(2027, 3, 5),
            invited=list(orgs.values()),
        )
        for key, text_, visibility, submit in (
            (
                "A",
                "Die Förderprogramme müssen einfacher werden.\n\nStrompreise senken!",
                Visibility.NAMED,
                True,
            ),
            ("B", "Wir brauchen ein Foerderprogramm für Weiterbildung.", Visibility.INTERNAL, True),
            ("C", "Entwurf: FÖRDERPROGRAMM für Wasserstoff", Visibility.NAMED, False),
            ("D", "Aus Word: Förderprogramme bündeln", Visibility.NAMED, False),
            ("E", "Wir fordern Förderprogramme für Batteriezellen.", Visibility.NAMED, True),
        ):
            saved = statements.save_statement(
                session=session,
                actor=members[key],
                call_id=id_of(call),
                text_input=text_,
                visibility=visibility,
                submit=submit,
                expected_version=None,
                source=StatementSource.UPLOAD if key == "D" else StatementSource.WEB,
            )
        statements.withdraw_statement(
            session=session,
            actor=members["E"],
            statement_id=id_of(saved),
            expected_version=saved.version,
        )
    return {"staff": staff, "board": board, **members}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("staff", {"A", "B"}),  # drafts stay with their organisation, withdrawn texts unused
        ("board", {"A"}),  # "nur intern" is for the policy office
        ("A", {"A"}),
        ("B", {"B"}),
        ("C", {"C"}),
        ("D", {"D"}),
        ("E", {"E"}),
    ],
)
def test_german_aware_search_respects_who_may_read(
    engine: Engine, who: str, expected: set[str]
) -> None:
    actors = _statements(engine)
    with read_session(engine) as session:
        hits = search.search(session=session, actor=actors[who], query="förderprogramm")
    assert {h.organisation.name[6] for h in hits} == expected


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Förderprogramme", 1),
        ("FOERDERPROGRAMM", 1),
        ("förderprogramm einfach", 1),
        ("strompreis", 1),
        ("förderprogramm strompreis", 0),
        ("", 0),
        ("!!!", 0),
    ],
)
def test_umlauts_case_and_endings_do_not_matter(engine: Engine, query: str, found: int) -> None:
    actors = _statements(engine)
    with read_session(engine) as session:
        hits = search.search(session=session, actor=actors["A"], query=query, meaning=False)
    assert len(hits) == found
    assert all(hit.by_words for hit in hits)


def _energy_statements(engine: Engine) -> dict[str, Actor]:
    """Member A writes about energy costs (never the word "Strompreis"), member B about
    "Strompreise" and, "nur intern", member C about energy costs too."""
    with write_session(engine) as session:
        staff = factories.actor(session)
        board = factories.actor(session, Role.BOARD)
        orgs = {k: factories.organisation(session, f"Firma {k} GmbH") for k in "ABC"}
        call = factories.call(
            session, staff, factories.forum(session, staff), invited=list(orgs.values())
        )
        for key, text_, visibility in (
            (
                "A",
                "Die Förderprogramme für Zulieferer müssen einfacher werden. Hohe Energiekosten "
                "belasten die Betriebe.",
                Visibility.NAMED,
            ),
            ("B", "Die Strompreise für den Mittelstand müssen sinken.", Visibility.NAMED),
            ("C", "Die Energiekosten sind für Gießereien zu hoch.", Visibility.INTERNAL),
        ):
            member = Actor.for_user(factories.user(session, Role.MEMBER, orgs[key], password=None))
            statements.save_statement(
                session=session,
                actor=member,
                call_id=id_of(call),
                text_input=text_,
                visibility=visibility,
                submit=True,
                expected_version=None,
                source=StatementSource.WEB,
            )
    return {"staff": staff, "board": board}


def test_strompreis_finds_energy_costs_by_meaning_with_the_word_marked(
    engine: Engine,
) -> None:
    actors = _energy_statements(engine)
    with write_session(engine) as session:
        hits = search.search(session=session, actor=actors["staff"], query="Strompreis")
    assert [hit.organisation.name[6] for hit in hits][:1] == ["B"]  # by words: first
    assert hits[0].by_words
    assert ("Strompreise", True) in hits[0].fragments
    by_meaning = {hit.organisation.name[6]: hit for hit in hits if not hit.by_words}
    assert set(by_meaning) == {"A", "C"}
    # The word that stands for the query is marked, nothing of the sentence about funding.
    assert [piece for piece, marked in by_meaning["A"].fragments if marked] == ["Energiekosten"]
    assert "".join(piece for piece, _ in by_meaning["A"].fragments) == (by_meaning["A"].point.text)


def _submitted_alone(session: Session, staff: Actor, organisation_name: str, text: str) -> None:
    """A new organisation's member submits `text` to a call of its own, named."""
    organisation = factories.organisation(session, organisation_name)
    call = factories.call(session, staff, factories.forum(session, staff), invited=[organisation])
    member = Actor.for_user(factories.user(session, Role.MEMBER, organisation, password=None))
    statements.save_statement(
        session=session,
        actor=member,
        call_id=id_of(call),
        text_input=text,
        visibility=Visibility.NAMED,
        submit=True,
        expected_version=None,
        source=StatementSource.WEB,
    )


def test_a_query_close_to_a_sentence_has_that_sentence_marked(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        _submitted_alone(
            session,
            staff,
            "Firma A GmbH",
            "Wir bilden zwölf Lehrlinge aus. Die Kosten für Energie sind zu hoch.",
        )
        [hit] = search.search(session=session, actor=staff, query="Strompreise senken")
    assert not hit.by_words
    assert [piece for piece, marked in hit.fragments if marked] == [
        "Die Kosten für Energie sind zu hoch."
    ]


def test_a_one_word_query_finds_a_long_sentence_that_means_it(engine: Engine) -> None:
    """A word scores lower against a whole sentence than a sentence does (here 0.31):
    queries of one or two words have a lower threshold."""
    with write_session(engine) as session:
        staff = factories.actor(session)
        _submitted_alone(
            session,
            staff,
            "Gießerei A GmbH",
            "Als Gießerei zahlen wir heute mehr als doppelt so viel für Strom wie unsere "
            "Wettbewerber in Frankreich.",
        )
        [hit] = search.search(session=session, actor=staff, query="Strompreis")
    assert not hit.by_words
    assert search.MIN_SHORT_SIMILARITY <= hit.similarity < search.MIN_SIMILARITY
    assert [piece for piece, marked in hit.fragments if marked] == [hit.point.text]


def test_meaning_search_keeps_to_what_the_person_may_read(engine: Engine) -> None:
    actors = _energy_statements(engine)
    with write_session(engine) as session:
        found = {
            h.organisation.name[6]
            for h in search.search(
                session=session, actor=actors["board"], query="Energiekosten senken"
            )
        }
    assert found == {"A", "B"}  # "nur intern" (C) is for the office only


def test_an_unrelated_query_finds_nothing_by_meaning(engine: Engine) -> None:
    actors = _energy_statements(engine)
    with write_session(engine) as session:
        hits = search.search(session=session, actor=actors["staff"], query="Glasfaserausbau")
    assert hits == []


def test_the_sentences_found_by_meaning_are_embedded_once(engine: Engine) -> None:
    actors = _energy_statements(engine)
    search.forget_memory()  # other tests searched the same texts in this process
    with write_session(engine) as session:
        search.search(session=session, actor=actors["staff"], query="Strompreis")
    with write_session(engine) as session:
        stored = session.execute(sa.select(sa.func.count()).select_from(TextEmbedding)).scalar()
        search.search(session=session, actor=actors["staff"], query="Energiekosten")
        again = session.execute(sa.select(sa.func.count()).select_from(TextEmbedding)).scalar()
    # Sentences and words of the points are embedded once; the query is never stored.
    assert stored and stored == again
    with read_session(engine) as session:
        query_digest = embedding_store.digest(embeddings.normalised("Strompreis"))
        assert session.get(TextEmbedding, (embeddings.MODEL_NAME, query_digest)) is None


def test_matches_are_marked_and_html_stays_text() -> None:
    stems = search.query_stems("förderprogramm")
    fragments = search.highlight("<b>Förderprogramme</b> & mehr", stems)
    assert fragments == (("<b>", False), ("Förderprogramme", True), ("</b> & mehr", False))


def test_a_draft_the_office_recorded_is_found_by_staff_but_not_by_the_board(
    engine: Engine,
) -> None:
    actors = _statements(engine)
    with write_session(engine) as session:
        organisation = factories.organisation(session, "Firma F GmbH")
        call = factories.call(
            session,
            actors["staff"],
            factories.forum(session, actors["staff"]),
            invited=[organisation],
        )
        statements.save_statement(
            session=session,
            actor=actors["staff"],
            call_id=id_of(call),
            text_input="Telefonisch: Förderprogramme für Gießereien öffnen.",
            visibility=Visibility.NAMED,
            submit=False,
            expected_version=None,
            organisation_id=id_of(organisation),
            source=StatementSource.PHONE,
            source_note="Telefonat mit Frau F am 3.12.",
        )
    with read_session(engine) as session:
        found = {
            who: {
                h.organisation.name[6]
                for h in search.search(session=session, actor=actors[who], query="Gießerei")
            }
            for who in ("staff", "board")
        }
    assert found == {"staff": {"F"}, "board": set()}


def test_the_search_page_marks_the_word_found_by_meaning(demo_url: str) -> None:
    from db.engine import create_engine_for
    from tests.apptest import log_in

    engine = create_engine_for(demo_url)
    with write_session(engine) as session:
        _submitted_alone(
            session,
            factories.actor(session),
            "Kunststoffwerk Lüdenscheid GmbH",
            "Wir bilden zwölf Lehrlinge aus. Hohe Energiekosten belasten die Betriebe.",
        )
    app = log_in("referat@demo.example", timeout=60)
    app.switch_page("ui/pages/search.py").run()
    [field] = [w for w in app.text_input if w.label == "Suchbegriffe"]
    field.input("Strompreis").run()
    assert not app.exception
    assert any("Ähnliche Bedeutung" in caption.value for caption in app.caption)
    marked = [m.value for m in app.markdown if "Lehrlinge" in m.value]
    assert marked == [
        "Wir bilden zwölf Lehrlinge aus. Hohe :orange-background[Energiekosten] belasten die "
        "Betriebe."
    ]


def test_function_words_of_a_query_are_not_required() -> None:
    assert search.query_stems("Ladeinfrastruktur für Pkw und Lkw") == [
        "ladeinfrastruktur",
        "pkw",
        "lkw",
    ]
    assert search.query_stems("und oder") == ["oder", "und"]  # nothing else: kept


def test_a_compound_ends_in_the_compounds_of_its_nouns() -> None:
    search.forget_memory()
    assert search.compound_endings("Brückenstrompreis", {"strom"}) == ["Strompreis"]
    search.forget_memory()
    assert search.compound_endings("Brückenstrompreis", {"brücke"}) == []
    assert search.compound_endings("Stromsteuer", {"strom"}) == []  # "Steuer" is the word


def test_a_compound_is_found_by_a_word_close_to_its_ending(engine: Engine) -> None:
    """A word close to "Strompreis" ("Energiekosten", 0.70) is not close to
    "Industriestrompreis" (0.4): the compound's ending, made of a noun the points use, stands
    for it."""
    search.forget_memory()
    with write_session(engine) as session:
        staff = factories.actor(session)
        _submitted_alone(
            session, staff, "Schmiede A GmbH", "Für Strom zahlen unsere Schmieden das Doppelte."
        )
        _submitted_alone(
            session,
            staff,
            "Presswerk B GmbH",
            "Wir fordern einen Industriestrompreis von fünf Cent je Kilowattstunde.",
        )
        hits = search.search(session=session, actor=staff, query="Energiekosten")
    by_member = {hit.organisation.name: hit for hit in hits}
    assert [piece for piece, marked in by_member["Presswerk B GmbH"].fragments if marked] == [
        "Industriestrompreis"
    ]


def test_a_theme_in_several_words_finds_the_points_that_stand_out(engine: Engine) -> None:
    """A query of five words reaches MIN_SIMILARITY against few sentences; among the 249
    points of the spent held-out set, those on its theme stand out from the rest."""
    from bench import search_quality
    from bench.labelled import statements_heldout

    data = statements_heldout.load()
    with write_session(engine) as session:
        staff, themes_of = search_quality.store_set(session, data)
        hits = search.search(
            session=session, actor=staff, query="Berichtspflichten abbauen (CSRD, LkSG, Statistik)"
        )
    on_theme = [themes_of[id_of(hit.point)] == "berichtspflichten" for hit in hits]
    assert sum(on_theme) >= 8 and sum(on_theme) >= 0.9 * len(hits)
    assert any(hit.similarity < search.MIN_SIMILARITY for hit in hits)


def test_the_search_page_finds_a_compound_by_its_ending_in_the_demo(demo_url: str) -> None:
    """The demo's members ask for a "Brückenstrompreis"; staff searching "Energiekosten
    senken" find those demands with the compound and "Senkung" marked."""
    from tests.apptest import log_in

    search.forget_memory()
    app = log_in("referat@demo.example", timeout=60)
    app.switch_page("ui/pages/search.py").run()
    [field] = [w for w in app.text_input if w.label == "Suchbegriffe"]
    field.input("Energiekosten senken").run()
    assert not app.exception
    marked = [m.value for m in app.markdown if "Brückenstrompreis" in m.value]
    assert marked
    assert all(
        ":orange-background[Brückenstrompreis]" in value and ":orange-background[Senkung]" in value
        for value in marked
    )
