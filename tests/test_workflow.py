"""The workflow table, tested as a table: every role × transition × state."""

import pytest

from db.models import Paper, PaperKind, PaperStatus, Role
from positions.core.errors import InvalidInput, PermissionDenied
from positions.core.permissions import Actor
from positions.papers import workflow

S = PaperStatus
# transition → (states it starts from, roles that may take it)
EXPECTED = {
    "start_review": ({S.DRAFT}, {Role.STAFF, Role.ADMIN}),
    "to_board": ({S.DRAFT, S.MEMBER_REVIEW}, {Role.STAFF, Role.ADMIN}),
    "approve": ({S.BOARD_APPROVAL}, {Role.BOARD}),
    "reject": ({S.BOARD_APPROVAL}, {Role.BOARD}),
    "back_to_draft": ({S.MEMBER_REVIEW, S.BOARD_APPROVAL, S.APPROVED}, {Role.STAFF, Role.ADMIN}),
    "submit": ({S.APPROVED}, {Role.STAFF, Role.ADMIN}),
    "record_outcome": ({S.SUBMITTED}, {Role.STAFF, Role.ADMIN}),
    "reopen_outcome": ({S.OUTCOME_RECORDED}, {Role.STAFF, Role.ADMIN}),
}


def actor(role: Role) -> Actor:
    return Actor(user_id=1, name="X", email="x@test.example", role=role, organisation_id=1)


def test_the_table_has_exactly_the_expected_transitions() -> None:
    assert {t.name for t in workflow.TRANSITIONS} == set(EXPECTED)


@pytest.mark.parametrize("name", list(EXPECTED))
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("state", list(PaperStatus))
def test_every_role_transition_and_state(name: str, role: Role, state: PaperStatus) -> None:
    paper = Paper(forum_id=1, title="T", kind=PaperKind.POSITION_PAPER, status=state)
    sources, roles = EXPECTED[name]
    expected = state in sources and role in roles
    assert workflow.allowed(actor(role), paper, name) is expected
    reason = "weil" if workflow.transition(name).needs_reason else ""
    if expected:
        assert workflow.check(actor(role), paper, name, reason=reason).name == name
    elif role not in roles:
        with pytest.raises(PermissionDenied):
            workflow.check(actor(role), paper, name, reason=reason)
    else:
        with pytest.raises(InvalidInput, match="nicht möglich"):
            workflow.check(actor(role), paper, name, reason=reason)


@pytest.mark.parametrize("name", ["back_to_draft", "reject", "reopen_outcome"])
def test_going_back_needs_a_reason(name: str) -> None:
    step = workflow.transition(name)
    [state] = sorted(step.source)[:1]
    role = sorted(step.roles)[0]
    paper = Paper(forum_id=1, title="T", kind=PaperKind.POSITION_PAPER, status=state)
    with pytest.raises(InvalidInput, match="Grund"):
        workflow.check(actor(role), paper, name, reason="  ")


def test_invitation_link_holders_take_no_transition() -> None:
    link = Actor(
        user_id=1,
        name="X",
        email="x@t.example",
        role=Role.MEMBER,
        organisation_id=1,
        invitation_id=1,
        call_id=1,
    )
    paper = Paper(forum_id=1, title="T", kind=PaperKind.POSITION_PAPER, status=S.DRAFT)
    assert workflow.available(link, paper) == []
