"""Who may do what: the role × action table, and the scope rules for member contacts.

Every service calls `require` at its top, so no page can forget a check. Staff, board and
admins act for the association and see every forum and call; a member contact sees only
calls their organisation is invited to (and the forums of those calls) and the papers their
organisation is asked to review while the review runs. Someone who came in through a
personal link sees only what it was made for: one call to answer, or one paper to review.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import exists
from sqlmodel import Session, col, select

from db.models import (
    Call,
    CallInvitee,
    Forum,
    ForumMember,
    Invitation,
    Organisation,
    OrganisationKind,
    Paper,
    PaperStatus,
    Role,
    Statement,
    User,
)
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
    MEMBER_READ = "member.read"
    MEMBER_MANAGE = "member.manage"
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
    Action.MEMBER_READ,
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
    Action.MEMBER_MANAGE,
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
# What a review-link visitor may do: read the paper under review and give their
# organisation's review of it, nothing else (`require` with the paper limits it to theirs).
REVIEW_LINK_ALLOWED = frozenset({Action.PAPER_READ, Action.PAPER_REVIEW})


@dataclass(frozen=True)
class Actor:
    """The person behind a request: a logged-in user, or a contact using an invitation link."""

    user_id: int
    name: str
    email: str
    role: Role
    organisation_id: int | None
    # Set when the person came in through a personal link: everything is limited to the
    # call (invitation link) or the paper (review link) it was made for.
    invitation_id: int | None = None
    call_id: int | None = None
    paper_id: int | None = None

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
            paper_id=invitation.paper_id if invitation else None,
        )

    @property
    def acts_for_association(self) -> bool:
        """Admins, staff and board see every forum, call and statement."""
        return self.role != Role.MEMBER and not self.via_invitation

    @property
    def via_invitation(self) -> bool:
        """Came in through a personal link (to a call or to a paper's review)."""
        return self.invitation_id is not None

    @property
    def via_review_link(self) -> bool:
        return self.via_invitation and self.paper_id is not None


def can(actor: Actor, action: Action) -> bool:
    """Whether the role (and a personal link's scope) allows `action` at all, on some object."""
    if actor.via_invitation:
        allowed_by_link = REVIEW_LINK_ALLOWED if actor.via_review_link else INVITATION_ALLOWED
        if action not in allowed_by_link:
            return False
    return action in ALLOWED[actor.role]


def require(
    actor: Actor,
    action: Action,
    target: Forum | Call | Statement | Paper | None = None,
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


def _in_scope(actor: Actor, target: Forum | Call | Statement | Paper, *, session: Session) -> bool:
    if isinstance(target, Statement):
        return target.organisation_id == actor.organisation_id and (
            not actor.via_invitation or target.call_id == actor.call_id
        )
    if isinstance(target, Call):
        return target.id in visible_call_ids(actor, session=session)
    if isinstance(target, Paper):
        return shared_for_review(actor, target, session=session)
    return target.id in visible_forum_ids(actor, session=session)


def visible_call_ids(actor: Actor, *, session: Session) -> set[int]:
    """Ids of the calls a member contact may open (all calls are visible to the association);
    through an invitation link only its call, through a review link none."""
    if actor.organisation_id is None or actor.via_review_link:
        return set()
    query = select(CallInvitee.call_id).where(CallInvitee.organisation_id == actor.organisation_id)
    if actor.via_invitation:
        query = query.where(CallInvitee.call_id == actor.call_id)
    return set(session.exec(query).all())


def reviewing_organisation_ids(*, session: Session, paper: Paper) -> set[int]:
    """The member organisations asked to review a paper: its call's invitees, else every
    active member company and research institute."""
    if paper.call_id is not None:
        return set(
            session.exec(
                select(CallInvitee.organisation_id).where(CallInvitee.call_id == paper.call_id)
            ).all()
        )
    members = session.exec(
        select(Organisation.id).where(
            col(Organisation.active),
            col(Organisation.kind).in_([OrganisationKind.COMPANY, OrganisationKind.RESEARCH]),
        )
    ).all()
    return {organisation_id for organisation_id in members if organisation_id is not None}


def shared_for_review(actor: Actor, paper: Paper, *, session: Session) -> bool:
    """Whether a member contact may read the paper and review it: while the member review
    runs, when their organisation is asked to review it; through a personal link only the
    paper of a review link (an invitation link to a call opens no paper)."""
    if actor.via_invitation and actor.paper_id != paper.id:
        return False
    return paper.status == PaperStatus.MEMBER_REVIEW and (
        actor.organisation_id in reviewing_organisation_ids(session=session, paper=paper)
    )


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
