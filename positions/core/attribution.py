"""Whether and how an organisation may be named for what it said: the one rule every page,
export and suggestion follows.

A statement's use permission (`Visibility`) decides: "namentlich zitierbar" may be named,
"anonym verwendbar" is counted but never named, "nur intern" is for the policy office alone.
An organisation with several statements or points counts once, in its most public permission.
The permission in force counts, with the statement's state: a draft stays with its
organisation, and only a statement that stands (submitted, not withdrawn or taken back into
draft) is cited by a paper.
Imports nothing but the schema's enumerations, so the merge algorithms can use it too.
"""

from __future__ import annotations

from collections.abc import Iterable

from db.enums import Role, StatementStatus, Visibility

# Who reads what a statement says even when it is "nur intern": the policy office.
POLICY_OFFICE = frozenset({Role.STAFF, Role.ADMIN})

# Most public first.
PUBLICNESS = (Visibility.NAMED, Visibility.ANONYMOUS, Visibility.INTERNAL)
_RANK = {visibility: rank for rank, visibility in enumerate(PUBLICNESS)}


def may_name(visibility: Visibility) -> bool:
    """May the organisation behind a statement of this permission be named?"""
    return visibility == Visibility.NAMED


def may_count(visibility: Visibility) -> bool:
    """May it be counted outside the policy office (as "n Mitglieder")?"""
    return visibility != Visibility.INTERNAL


def may_read(visibility: Visibility, status: StatementStatus, *, reader: Role) -> bool:
    """May someone of the association (outside the member organisation) read what a
    statement says? Never a draft; "nur intern" only the policy office."""
    if status == StatementStatus.DRAFT:
        return False
    return visibility != Visibility.INTERNAL or reader in POLICY_OFFICE


def may_cite(visibility: Visibility, status: StatementStatus) -> bool:
    """May a paper name the organisation as the source of what it says (a footnote, the
    list of participants)? Only while the statement stands and allows naming."""
    return status == StatementStatus.SUBMITTED and may_name(visibility)


def may_count_as_source(visibility: Visibility, status: StatementStatus) -> bool:
    """May a paper count the organisation among those it rests on ("n Mitglieder")?"""
    return status == StatementStatus.SUBMITTED and may_count(visibility)


def rank(visibility: Visibility) -> int:
    """0 for the most public permission; lower is more public."""
    return _RANK[visibility]


def most_public_by_organisation(
    uses: Iterable[tuple[int, Visibility]],
) -> dict[int, Visibility]:
    """Each organisation (by id) once, with the most public permission it gave."""
    best: dict[int, Visibility] = {}
    for organisation_id, visibility in uses:
        known = best.get(organisation_id)
        if known is None or _RANK[visibility] < _RANK[known]:
            best[organisation_id] = visibility
    return best
