"""Who may do what: the role × action table, and the scope rules for member contacts.

Every service calls `require` at its top, so no page can forget a check. Staff, board and
admins act for the association and see every forum and call; a member contact sees only
calls their organisation is invited to (and the forums of those calls), and someone who came
in through an invitation link sees only that one call.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import exists
from sqlmodel import Session, col, select

from db.models import Call, CallInvitee, Forum, ForumMember, Invitation, Role, Statement, User
from positions.core.errors import PermissionDenied


class Action(StrEnum):
    FORUM_READ = "forum.read"
    FORUM_MANAGE = "forum.manage"
    MEETING_READ = "meeting.read"
    MEETING_MANAGE = "meeting.manage"
    CALL_READ = "call.read"
    CALL_MANAGE = "call.manage"
    INVITATION_MANAGE = "invitation.manage"
    STATEMENT_READ_OWN = "statement.read_own"
    STATEMENT_WRITE_OWN = "statement.write_own"
    STATEMENT_READ_ALL = "statement.read_all"
    STATEMENT_WRITE_ANY = "statement.write_any"
    PAPER_READ = "paper.read"
    PAPER_EDIT = "paper.edit"
    PAPER_REVIEW = "paper.review"
    PAPER_APPROVE = "paper.approve"
    PAPER_SUBMIT = "paper.submit"
    PAPER_EXPORT = "paper.export"
    OUTCOME_READ = "outcome.read"
    OUTCOME_MANAGE = "outcome.manage"
    DEADLINES_READ = "deadlines.read"
    USER_MANAGE = "user.manage"
    SETTINGS_MANAGE = "settings.manage"
    AUDIT_READ = "audit.read"


_ASSOCIATION_READ = {
    Action.FORUM_READ,
    Action.MEETING_READ,
    Action.CALL_READ,
    Action.STATEMENT_READ_ALL,
    Action.PAPER_READ,
    Action.PAPER_EXPORT,
    Action.OUTCOME_READ,
    Action.DEADLINES_READ,
}
_STAFF_WORK = _ASSOCIATION_READ | {
    Action.FORUM_MANAGE,
    Action.MEETING_MANAGE,
    Action.CALL_MANAGE,
    Action.INVITATION_MANAGE,
    Action.STATEMENT_WRITE_ANY,
    Action.PAPER_EDIT,
    Action.PAPER_SUBMIT,
    Action.OUTCOME_MANAGE,
    Action.AUDIT_READ,
}

# The role × action table. Member actions are further limited by scope (see `require`).
ALLOWED: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.STAFF: frozenset(_STAFF_WORK),
    Role.BOARD: frozenset(_ASSOCIATION_READ | {Action.PAPER_APPROVE}),
    Role.MEMBER: frozenset(
        {
            Action.FORUM_READ,
            Action.CALL_READ,
            Action.STATEMENT_READ_OWN,
            Action.STATEMENT_WRITE_OWN,
            Action.PAPER_READ,
            Action.PAPER_REVIEW,
        }
    ),
}

# What an invitation-link visitor may do, whatever the contact's role: only their call.
INVITATION_ALLOWED = frozenset(
    {Action.CALL_READ, Action.STATEMENT_READ_OWN, Action.STATEMENT_WRITE_OWN}
)


@dataclass(frozen=True)
class Actor:
    """The person behind a request: a logged-in user, or a contact using an invitation link."""

    user_id: int
    name: str
    email: str
    role: Role
    organisation_id: int | None
    # Set when the person came in through an invitation link: everything is limited to its call.
    invitation_id: int | None = None
    call_id: int | None = None

    @classmethod
    def for_user(cls, user: User, *, invitation: Invitation | None = None) -> Actor:
        assert user.id is not None
        return cls(
            user_id=user.id,
            name=user.name,
            email=user.email,
            role=user.role,
            organisation_id=user.organisation_id,
            invitation_id=invitation.id if invitation else None,
            call_id=invitation.call_id if invitation else None,
        )

    @property
    def acts_for_association(self) -> bool:
        """Admins, staff and board see every forum, call and statement."""
        return self.role != Role.MEMBER and not self.via_invitation

    @property
    def via_invitation(self) -> bool:
        return self.invitation_id is not None


def can(actor: Actor, action: Action) -> bool:
    """Whether the role (and invitation scope) allows `action` at all, on some object."""
    if actor.via_invitation and action not in INVITATION_ALLOWED:
        return False
    return action in ALLOWED[actor.role]


def require(
    actor: Actor,
    action: Action,
    target: Forum | Call | Statement | None = None,
    *,
    session: Session | None = None,
) -> None:
    """Raise `PermissionDenied` unless `actor` may do `action` (on `target`, if given)."""
    if not can(actor, action):
        raise PermissionDenied()
    if target is None or actor.acts_for_association:
        return
    if session is None:
        raise ValueError("a session is needed to check a member's scope")
    if not _in_scope(actor, target, session=session):
        raise PermissionDenied()


def _in_scope(actor: Actor, target: Forum | Call | Statement, *, session: Session) -> bool:
    if isinstance(target, Statement):
        return target.organisation_id == actor.organisation_id and (
            actor.call_id is None or target.call_id == actor.call_id
        )
    if isinstance(target, Call):
        return target.id in visible_call_ids(actor, session=session)
    return target.id in visible_forum_ids(actor, session=session)


def visible_call_ids(actor: Actor, *, session: Session) -> set[int]:
    """Ids of the calls a member contact may open (all calls are visible to the association)."""
    if actor.organisation_id is None:
        return set()
    query = select(CallInvitee.call_id).where(CallInvitee.organisation_id == actor.organisation_id)
    if actor.call_id is not None:
        query = query.where(CallInvitee.call_id == actor.call_id)
    return set(session.exec(query).all())


def visible_forum_ids(actor: Actor, *, session: Session) -> set[int]:
    """Ids of the forums a member contact may open: those of their calls, and their Fachforen."""
    if actor.organisation_id is None or actor.via_invitation:
        return set()
    invited = exists().where(
        col(CallInvitee.call_id) == col(Call.id),
        col(CallInvitee.organisation_id) == actor.organisation_id,
    )
    via_calls = select(Call.forum_id).where(invited)
    via_membership = select(ForumMember.forum_id).where(
        ForumMember.organisation_id == actor.organisation_id
    )
    return set(session.exec(via_calls).all()) | set(session.exec(via_membership).all())


# The operator at the command line (cron jobs, exports): acts for the association. Its
# user id 0 is stored as "no user" wherever a person is recorded.
SYSTEM = Actor(user_id=0, name="Kommandozeile", email="", role=Role.ADMIN, organisation_id=None)
