"""The one naming rule: who may be named, counted, and how an organisation counts once."""

import pytest

from db.models import Visibility
from positions.core import attribution


@pytest.mark.parametrize(
    ("visibility", "named", "counted"),
    [
        (Visibility.NAMED, True, True),
        (Visibility.ANONYMOUS, False, True),
        (Visibility.INTERNAL, False, False),
    ],
)
def test_what_each_use_permission_allows(
    visibility: Visibility, named: bool, counted: bool
) -> None:
    assert attribution.may_name(visibility) is named
    assert attribution.may_count(visibility) is counted


def test_an_organisation_counts_once_in_its_most_public_permission() -> None:
    uses = [
        (1, Visibility.INTERNAL),
        (1, Visibility.NAMED),
        (2, Visibility.ANONYMOUS),
        (2, Visibility.INTERNAL),
        (3, Visibility.INTERNAL),
    ]
    assert attribution.most_public_by_organisation(uses) == {
        1: Visibility.NAMED,
        2: Visibility.ANONYMOUS,
        3: Visibility.INTERNAL,
    }


def test_every_permission_has_a_rank_most_public_first() -> None:
    assert [attribution.rank(v) for v in attribution.PUBLICNESS] == [0, 1, 2]
    assert set(attribution.PUBLICNESS) == set(Visibility)
