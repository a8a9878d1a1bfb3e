from datetime import date

import pytest
from sqlalchemy.engine import Engine

from db.engine import read_session, write_session
from db.models import Role, StatementSource, Visibility, id_of
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
        hits = search.search(session=session, actor=actors["A"], query=query)
    assert len(hits) == found


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
