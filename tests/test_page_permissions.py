"""Which pages each kind of person gets: the table the navigation must follow. Pages a
person may not open are still registered, but only as the German refusal."""

import pytest

from db.models import Role
from positions.core.permissions import Actor
from ui import navigation

EVERYONE = {"start"}
OFFICE = {
    "start",
    "foren",
    "forum",
    "papiere",
    "papier",
    "fristen",
    "bericht",
    "suche",
    "sitzung",
    "aufruf",
}
EXPECTED = {
    "admin": OFFICE | {"einstellungen", "zusammenfuehren"},
    "staff": OFFICE | {"zusammenfuehren"},
    "board": OFFICE,
    "member": {"start", "foren", "forum", "papiere", "papier", "suche", "aufruf"},
    "invitation link": {"start", "aufruf"},
}


def person(kind: str) -> Actor:
    if kind == "invitation link":
        return Actor(
            user_id=1,
            name="X",
            email="x@t.example",
            role=Role.MEMBER,
            organisation_id=1,
            invitation_id=5,
            call_id=3,
        )
    return Actor(user_id=1, name="X", email="x@t.example", role=Role(kind), organisation_id=1)


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_each_person_gets_exactly_their_pages(kind: str) -> None:
    actor = person(kind)
    allowed = {spec.url_path for spec in navigation.PAGES if spec.allowed(actor)}
    assert allowed == EXPECTED[kind]
    assert allowed >= EVERYONE


def test_every_page_is_in_the_table() -> None:
    assert {spec.url_path for spec in navigation.PAGES} == set().union(*EXPECTED.values())
