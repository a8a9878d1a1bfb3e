from datetime import date

import pytest
from sqlalchemy.engine import Engine

from db.engine import read_session, write_session
from db.models import Role, Visibility, id_of
from positions.core.permissions import Actor
from positions.statements import search, statements
from tests import factories


def _statements(engine: Engine) -> dict[str, Actor]:
    """Two members answer one call: A (named) and B (internal); C keeps a draft."""
    with write_session(engine) as session:
        staff = factories.actor(session)
        board = factories.actor(session, Role.BOARD)
        orgs = {k: factories.organisation(session, f"Firma {k} GmbH") for k in "ABC"}
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
        ):
            statements.save_statement(
                session=session,
                actor=members[key],
                call_id=id_of(call),
                text_input=text_,
                visibility=visibility,
                submit=submit,
                expected_version=None,
            )
    return {"staff": staff, "board": board, **members}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("staff", {"A", "B"}),  # drafts stay with their organisation
        ("board", {"A"}),  # "nur intern" is for the policy office
        ("A", {"A"}),
        ("B", {"B"}),
        ("C", {"C"}),
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
