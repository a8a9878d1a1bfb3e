"""Calls for input: a forum asks a question with an external deadline; we derive our own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from db.models import (
    Call,
    CallInvitee,
    CallStatus,
    Forum,
    ForumMember,
    Organisation,
    OrganisationKind,
    Paper,
    PaperStatus,
    Statement,
    StatementStatus,
    id_of,
)
from positions.core import audit, cleaning
from positions.core.clock import today_in_berlin, utcnow
from positions.core.errors import InvalidInput, NotFound, PermissionDenied
from positions.core.formatting import short_date
from positions.core.permissions import Action, Actor, require, visible_call_ids
from positions.core.working_days import DeadlineState, deadline_state, derived_deadlines

MAX_TITLE_LENGTH = 300
MAX_QUESTION_LENGTH = 20_000


@dataclass(frozen=True)
class Deadline:
    """One of a call's three deadlines, with its traffic-light state for today."""

    kind: str  # German: "Mitgliederfrist", "Vorstandsfrist", "Externe Frist"
    day: date
    state: DeadlineState
    overridden: bool = False


@dataclass(frozen=True)
class CallSummary:
    call: Call
    forum: Forum
    deadlines: tuple[Deadline, ...]
    answered: int
    invited: int

    @property
    def next_deadline(self) -> Deadline | None:
        """The earliest deadline not yet done (an overdue one included), or None."""
        pending = [d for d in self.deadlines if d.state != DeadlineState.DONE]
        return min(pending, key=lambda d: d.day) if pending else None


@dataclass(frozen=True)
class MemberCall:
    """A call as a member contact sees it: their own deadline and their own statement."""

    call: Call
    forum: Forum
    member_deadline: Deadline
    statement_status: StatementStatus | None


_APPROVED = {PaperStatus.APPROVED, PaperStatus.SUBMITTED, PaperStatus.OUTCOME_RECORDED}
_SUBMITTED = {PaperStatus.SUBMITTED, PaperStatus.OUTCOME_RECORDED}
_PAPER_ORDER = list(PaperStatus)


def deadlines_of(
    call: Call, *, today: date, paper_status: PaperStatus | None = None
) -> tuple[Deadline, ...]:
    """Member, board and external deadline, in that (chronological) order.

    The member deadline is done once it has passed (collecting is over); the board deadline
    once the call's paper is approved, the external one once it is submitted. A closed call
    has nothing left to do.
    """
    closed = call.status == CallStatus.CLOSED
    member_done = closed or call.member_deadline < today
    board_done = closed or paper_status in _APPROVED
    external_done = closed or paper_status in _SUBMITTED
    return (
        Deadline(
            "Mitgliederfrist",
            call.member_deadline,
            deadline_state(call.member_deadline, today=today, done=member_done),
            call.member_deadline_overridden,
        ),
        Deadline(
            "Vorstandsfrist",
            call.board_deadline,
            deadline_state(call.board_deadline, today=today, done=board_done),
            call.board_deadline_overridden,
        ),
        Deadline(
            "Externe Frist",
            call.external_deadline,
            deadline_state(call.external_deadline, today=today, done=external_done),
        ),
    )


def paper_progress(*, session: Session, call_ids: Sequence[int]) -> dict[int, PaperStatus]:
    """The most advanced workflow state of the papers answering each call."""
    progress: dict[int, PaperStatus] = {}
    if not call_ids:
        return progress
    for call_id, stored in session.exec(
        select(Paper.call_id, Paper.status).where(col(Paper.call_id).in_(call_ids))
    ).all():
        if call_id is None:
            continue
        status = PaperStatus(stored)
        current = progress.get(call_id)
        if current is None or _PAPER_ORDER.index(status) > _PAPER_ORDER.index(current):
            progress[call_id] = status
    return progress


def create_call(
    *,
    session: Session,
    actor: Actor,
    forum: Forum,
    title: str,
    question: str,
    external_deadline: date,
    invited_organisation_ids: Iterable[int] = (),
    member_deadline: date | None = None,
    board_deadline: date | None = None,
    status: CallStatus = CallStatus.OPEN,
    now: datetime | None = None,
) -> Call:
    """A new call; member and board deadline are derived from the external one unless given."""
    require(actor, Action.CALL_MANAGE)
    now = now or utcnow()
    call = Call(
        forum_id=id_of(forum),
        title="",
        external_deadline=external_deadline,
        member_deadline=external_deadline,
        board_deadline=external_deadline,
        status=status,
        created_by_id=actor.user_id or None,
        created_at=now,
    )
    _apply(
        call,
        forum=forum,
        title=title,
        question=question,
        external_deadline=external_deadline,
        member_deadline=member_deadline,
        board_deadline=board_deadline,
        today=today_in_berlin(now),
    )
    session.add(call)
    session.flush()
    invite_organisations(
        session=session, actor=actor, call=call, organisation_ids=invited_organisation_ids, now=now
    )
    audit.created(session=session, actor_id=actor.user_id, row=call, now=now)
    return call


def update_call(
    *,
    session: Session,
    actor: Actor,
    call_id: int,
    title: str,
    question: str,
    external_deadline: date,
    member_deadline: date | None = None,
    board_deadline: date | None = None,
    now: datetime | None = None,
) -> Call:
    """Change a call; a deadline left as None is derived again from the external one."""
    require(actor, Action.CALL_MANAGE)
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("Diesen Aufruf gibt es nicht.")
    forum = session.get(Forum, call.forum_id)
    assert forum is not None
    before = call.model_dump()
    today = today_in_berlin(now)
    # An unchanged external deadline may lie in the past by now; only a new one must not.
    check_from = min(today, call.external_deadline)
    _apply(
        call,
        forum=forum,
        title=title,
        question=question,
        external_deadline=external_deadline,
        member_deadline=member_deadline,
        board_deadline=board_deadline,
        today=check_from,
    )
    session.add(call)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="update",
        object_type="call",
        object_id=call_id,
        before=before,
        after=call,
        now=now,
    )
    return call


def set_call_status(
    *,
    session: Session,
    actor: Actor,
    call_id: int,
    status: CallStatus,
    now: datetime | None = None,
) -> Call:
    require(actor, Action.CALL_MANAGE)
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("Diesen Aufruf gibt es nicht.")
    if call.status != status:
        before = call.model_dump()
        call.status = status
        session.add(call)
        audit.record(
            session=session,
            actor_id=actor.user_id,
            action=f"status_{status.value}",
            object_type="call",
            object_id=call_id,
            before=before,
            after=call,
            now=now,
        )
    return call


def _apply(
    call: Call,
    *,
    forum: Forum,
    title: str,
    question: str,
    external_deadline: date,
    member_deadline: date | None,
    board_deadline: date | None,
    today: date,
) -> None:
    title = cleaning.clean_line(title)
    if not title:
        raise InvalidInput("Bitte geben Sie einen Titel für den Aufruf an.")
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput(f"Der Titel darf höchstens {MAX_TITLE_LENGTH} Zeichen lang sein.")
    if len(question) > MAX_QUESTION_LENGTH:
        raise InvalidInput("Die Frage ist zu lang (höchstens 20.000 Zeichen).")
    if external_deadline < today:
        raise InvalidInput(
            f"Die externe Frist ({short_date(external_deadline)}) liegt in der Vergangenheit."
        )
    derived_member, derived_board = derived_deadlines(
        external_deadline,
        member_offset=forum.member_deadline_offset,
        board_offset=forum.board_deadline_offset,
    )
    member = member_deadline or derived_member
    board = board_deadline or derived_board
    _check_deadline_order(member=member, board=board, external=external_deadline)
    call.title = title
    call.question = cleaning.clean(question)
    call.external_deadline = external_deadline
    call.member_deadline = member
    call.board_deadline = board
    call.member_deadline_overridden = member != derived_member
    call.board_deadline_overridden = board != derived_board


def _check_deadline_order(*, member: date, board: date, external: date) -> None:
    if board > external:
        raise InvalidInput(
            f"Die Vorstandsfrist ({short_date(board)}) liegt nach der externen Frist "
            f"({short_date(external)})."
        )
    if member > board:
        raise InvalidInput(
            f"Die Mitgliederfrist ({short_date(member)}) liegt nach der Vorstandsfrist "
            f"({short_date(board)}); der Vorstand braucht die Rückmeldungen vorher."
        )


def invite_organisations(
    *,
    session: Session,
    actor: Actor,
    call: Call,
    organisation_ids: Iterable[int],
    now: datetime | None = None,
) -> int:
    """Invite organisations to a call (already invited ones are skipped); returns how many."""
    require(actor, Action.CALL_MANAGE)
    assert call.id is not None
    wanted = set(organisation_ids)
    known = set(session.exec(select(Organisation.id).where(col(Organisation.id).in_(wanted))).all())
    if unknown := wanted - known:
        raise InvalidInput(f"Unbekannte Organisationen: {sorted(unknown)}")
    new = sorted(wanted - _invited_ids(session, call.id))
    for organisation_id in new:
        session.add(
            CallInvitee(
                call_id=call.id, organisation_id=organisation_id, invited_at=now or utcnow()
            )
        )
    return len(new)


def invited_ids(*, session: Session, actor: Actor, call_id: int) -> set[int]:
    """The organisations invited to a call."""
    require(actor, Action.CALL_READ)
    if not actor.acts_for_association:
        raise PermissionDenied()
    return _invited_ids(session, call_id)


def _invited_ids(session: Session, call_id: int) -> set[int]:
    return set(
        session.exec(
            select(CallInvitee.organisation_id).where(CallInvitee.call_id == call_id)
        ).all()
    )


def get_call(*, session: Session, actor: Actor, call_id: int) -> Call:
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("Diesen Aufruf gibt es nicht.")
    require(actor, Action.CALL_READ, call, session=session)
    return call


def open_calls(
    *, session: Session, actor: Actor, forum_id: int | None = None, today: date | None = None
) -> list[CallSummary]:
    """Open calls the actor may see, soonest member deadline first."""
    require(actor, Action.CALL_READ)
    today = today or today_in_berlin()
    query = select(Call, Forum).join(Forum).where(Call.status == CallStatus.OPEN)
    if forum_id is not None:
        query = query.where(Call.forum_id == forum_id)
    if not actor.acts_for_association:
        query = query.where(col(Call.id).in_(visible_call_ids(actor, session=session)))
    rows = session.exec(query.order_by(col(Call.member_deadline), col(Call.id))).all()
    call_ids = [id_of(call) for call, _ in rows]
    counts = answer_counts(session=session, call_ids=call_ids)
    progress = paper_progress(session=session, call_ids=call_ids)
    return [
        CallSummary(
            call,
            forum,
            deadlines_of(call, today=today, paper_status=progress.get(id_of(call))),
            *counts[id_of(call)],
        )
        for call, forum in rows
    ]


def answer_counts(*, session: Session, call_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(invited organisations that submitted, invited organisations) per call: a statement
    staff recorded for an organisation not invited never lifts the first above the second."""
    if not call_ids:
        return {}
    invited: dict[int, int] = {}
    for call_id in session.exec(
        select(CallInvitee.call_id).where(col(CallInvitee.call_id).in_(call_ids))
    ).all():
        invited[call_id] = invited.get(call_id, 0) + 1
    answered: dict[int, int] = {}
    for call_id, _organisation_id in session.exec(
        select(Statement.call_id, Statement.organisation_id)
        .distinct()
        .join(
            CallInvitee,
            (col(CallInvitee.call_id) == Statement.call_id)
            & (col(CallInvitee.organisation_id) == Statement.organisation_id),
        )
        .where(col(Statement.call_id).in_(call_ids), Statement.status == StatementStatus.SUBMITTED)
    ).all():
        answered[call_id] = answered.get(call_id, 0) + 1
    return {i: (answered.get(i, 0), invited.get(i, 0)) for i in call_ids}


def calls_for_member(
    *, session: Session, actor: Actor, today: date | None = None
) -> list[MemberCall]:
    """The open calls a member contact is asked to answer, with their own statement's status."""
    require(actor, Action.CALL_READ)
    today = today or today_in_berlin()
    call_ids = visible_call_ids(actor, session=session)
    rows = session.exec(
        select(Call, Forum)
        .join(Forum)
        .where(col(Call.id).in_(call_ids), Call.status == CallStatus.OPEN)
        .order_by(col(Call.member_deadline), col(Call.id))
    ).all()
    statuses = {
        call_id: StatementStatus(status)
        for call_id, status in session.exec(
            select(Statement.call_id, Statement.status).where(
                col(Statement.call_id).in_(call_ids),
                Statement.organisation_id == actor.organisation_id,
            )
        ).all()
    }
    return [
        MemberCall(call, forum, deadlines_of(call, today=today)[0], statuses.get(call.id or 0))
        for call, forum in rows
    ]


@dataclass(frozen=True)
class CallDetail:
    call: Call
    forum: Forum
    deadlines: tuple[Deadline, ...]
    answered: int
    invited: int
    # The actor's own organisation's statement, for member contacts.
    own_statement: Statement | None


def call_detail(
    *, session: Session, actor: Actor, call_id: int, today: date | None = None
) -> CallDetail:
    call = get_call(session=session, actor=actor, call_id=call_id)
    forum = session.get(Forum, call.forum_id)
    assert forum is not None and call.id is not None
    answered, invited = answer_counts(session=session, call_ids=[call.id])[call.id]
    own = None
    if actor.organisation_id is not None and not actor.acts_for_association:
        own = session.exec(
            select(Statement).where(
                Statement.call_id == call.id, Statement.organisation_id == actor.organisation_id
            )
        ).first()
    progress = paper_progress(session=session, call_ids=[call.id]).get(call.id)
    deadlines = deadlines_of(call, today=today or today_in_berlin(), paper_status=progress)
    return CallDetail(call, forum, deadlines, answered, invited, own)


class Audience(StrEnum):
    """Whom a call goes to."""

    ALL_MEMBERS = "all_members"
    FORUM_MEMBERS = "forum_members"
    PICKED = "picked"


MEMBER_KINDS = (OrganisationKind.COMPANY, OrganisationKind.RESEARCH)


def member_organisations(*, session: Session, actor: Actor) -> list[Organisation]:
    """Active member organisations (companies and research institutions), by name."""
    require(actor, Action.CALL_READ)
    if not actor.acts_for_association:
        raise PermissionDenied()
    return list(
        session.exec(
            select(Organisation)
            .where(col(Organisation.active), col(Organisation.kind).in_(MEMBER_KINDS))
            .order_by(col(Organisation.name))
        ).all()
    )


def audience_ids(
    *,
    session: Session,
    actor: Actor,
    audience: Audience,
    forum_id: int | None = None,
    picked: Iterable[int] = (),
) -> list[int]:
    """The organisations an audience choice stands for."""
    members = {id_of(o) for o in member_organisations(session=session, actor=actor)}
    if audience == Audience.ALL_MEMBERS:
        return sorted(members)
    if audience == Audience.FORUM_MEMBERS:
        if forum_id is None:
            raise InvalidInput("Bitte wählen Sie das Forum, dessen Mitglieder eingeladen werden.")
        in_forum = set(
            session.exec(
                select(ForumMember.organisation_id).where(ForumMember.forum_id == forum_id)
            ).all()
        )
        if not in_forum:
            raise InvalidInput("Diesem Forum sind keine Mitgliedsunternehmen zugeordnet.")
        return sorted(in_forum & members)
    chosen = set(picked)
    if not chosen:
        raise InvalidInput("Bitte wählen Sie mindestens ein Mitglied aus.")
    return sorted(chosen)
