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
    "mitglieder",
    "mitglied",
    "mein-zugang",
}
EXPECTED = {
    "admin": OFFICE | {"einstellungen", "zusammenfuehren", "benutzer"},
    "staff": OFFICE | {"zusammenfuehren"},
    "board": OFFICE,
    "member": {"start", "foren", "forum", "papiere", "papier", "suche", "aufruf", "mein-zugang"},
    "invitation link": {"start", "aufruf"},
    # A review link opens its paper and nothing else; the paper is its home page.
    "review link": {"papier"},
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
    if kind == "review link":
        return Actor(
            user_id=1,
            name="X",
            email="x@t.example",
            role=Role.MEMBER,
            organisation_id=1,
            invitation_id=6,
            paper_id=4,
        )
    return Actor(user_id=1, name="X", email="x@t.example", role=Role(kind), organisation_id=1)


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_each_person_gets_exactly_their_pages(kind: str) -> None:
    actor = person(kind)
    allowed = {spec.url_path for spec in navigation.PAGES if spec.allowed(actor)}
    assert allowed == EXPECTED[kind]
    assert allowed >= (EVERYONE if kind != "review link" else set())
    home = "papier" if kind == "review link" else "start"
    assert navigation.home(actor) == home and home in allowed


def test_every_page_is_in_the_table() -> None:
    assert {spec.url_path for spec in navigation.PAGES} == set().union(*EXPECTED.values())
