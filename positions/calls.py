"""Calls for input: a forum asks a question with an external deadline; we derive our own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from db.models import (
    Call,
    CallInvitee,
    CallStatus,
    Forum,
    Organisation,
    Statement,
    StatementStatus,
)
from positions import audit
from positions.clock import today_in_berlin, utcnow
from positions.deadlines import DeadlineState, deadline_state, derived_deadlines
from positions.errors import InvalidInput, NotFound
from positions.formatting import short_date
from positions.permissions import Action, Actor, require, visible_call_ids

MAX_TITLE_LENGTH = 300


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
        """The earliest deadline not yet passed, or None once all have passed."""
        upcoming = [d for d in self.deadlines if d.state != DeadlineState.OVERDUE]
        return min(upcoming, key=lambda d: d.day) if upcoming else None


@dataclass(frozen=True)
class MemberCall:
    """A call as a member contact sees it: their own deadline and their own statement."""

    call: Call
    forum: Forum
    member_deadline: Deadline
    statement_status: StatementStatus | None


def deadlines_of(call: Call, *, today: date) -> tuple[Deadline, ...]:
    """Member, board and external deadline, in that (chronological) order."""
    done = call.status == CallStatus.CLOSED
    return (
        Deadline(
            "Mitgliederfrist",
            call.member_deadline,
            deadline_state(call.member_deadline, today=today, done=done),
            call.member_deadline_overridden,
        ),
        Deadline(
            "Vorstandsfrist",
            call.board_deadline,
            deadline_state(call.board_deadline, today=today, done=done),
            call.board_deadline_overridden,
        ),
        Deadline(
            "Externe Frist",
            call.external_deadline,
            deadline_state(call.external_deadline, today=today, done=done),
        ),
    )


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
    title = title.strip()
    if not title:
        raise InvalidInput("Bitte geben Sie einen Titel für den Aufruf an.")
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput(f"Der Titel darf höchstens {MAX_TITLE_LENGTH} Zeichen lang sein.")
    today = today_in_berlin(now)
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
    assert forum.id is not None
    call = Call(
        forum_id=forum.id,
        title=title,
        question=question.strip(),
        external_deadline=external_deadline,
        member_deadline=member,
        board_deadline=board,
        member_deadline_overridden=member != derived_member,
        board_deadline_overridden=board != derived_board,
        status=status,
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(call)
    session.flush()
    invite_organisations(
        session=session, actor=actor, call=call, organisation_ids=invited_organisation_ids, now=now
    )
    audit.created(session=session, actor_id=actor.user_id, row=call, now=now)
    return call


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
    already = set(
        session.exec(
            select(CallInvitee.organisation_id).where(CallInvitee.call_id == call.id)
        ).all()
    )
    new = sorted(wanted - already)
    for organisation_id in new:
        session.add(
            CallInvitee(
                call_id=call.id, organisation_id=organisation_id, invited_at=now or utcnow()
            )
        )
    return len(new)


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
    counts = _answer_counts(session=session, call_ids=[c.id for c, _ in rows if c.id])
    return [
        CallSummary(call, forum, deadlines_of(call, today=today), *counts.get(call.id or 0, (0, 0)))
        for call, forum in rows
    ]


def _answer_counts(*, session: Session, call_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(submitted statements, invited organisations) per call."""
    if not call_ids:
        return {}
    invited: dict[int, int] = {}
    for call_id in session.exec(
        select(CallInvitee.call_id).where(col(CallInvitee.call_id).in_(call_ids))
    ).all():
        invited[call_id] = invited.get(call_id, 0) + 1
    answered: dict[int, int] = {}
    for call_id in session.exec(
        select(Statement.call_id).where(
            col(Statement.call_id).in_(call_ids), Statement.status == StatementStatus.SUBMITTED
        )
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
class UpcomingDeadline:
    deadline: Deadline
    summary: CallSummary


def upcoming_deadlines(
    *, session: Session, actor: Actor, today: date | None = None, weeks: int = 8
) -> list[UpcomingDeadline]:
    """Every deadline of the open calls the actor sees, from today up to `weeks` ahead, soonest
    first. Members see only their own (member) deadlines."""
    require(actor, Action.CALL_READ)
    today = today or today_in_berlin()
    horizon = today + timedelta(weeks=weeks)
    upcoming = [
        UpcomingDeadline(deadline, summary)
        for summary in open_calls(session=session, actor=actor, today=today)
        for deadline in (summary.deadlines if actor.acts_for_association else summary.deadlines[:1])
        if today <= deadline.day <= horizon
    ]
    return sorted(upcoming, key=lambda u: (u.deadline.day, u.summary.call.id or 0))


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
    answered, invited = _answer_counts(session=session, call_ids=[call.id])[call.id]
    own = None
    if actor.organisation_id is not None and not actor.acts_for_association:
        own = session.exec(
            select(Statement).where(
                Statement.call_id == call.id, Statement.organisation_id == actor.organisation_id
            )
        ).first()
    return CallDetail(
        call, forum, deadlines_of(call, today=today or today_in_berlin()), answered, invited, own
    )
