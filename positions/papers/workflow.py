"""The life of a paper as data: states, the allowed transitions, and who may take each.

    Entwurf → Mitgliederbeteiligung → Vorstandsfreigabe → Freigegeben → Eingereicht
    → Ergebnis erfasst, with "zurück in Entwurf" (with a reason) from the middle states.

The board's approval is not a button but a quorum: `approvals.decide` moves the paper on when
enough board members approved the current version. Every transition stores a snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from db.models import Call, Paper, PaperStatus, Role, Submission, id_of
from positions.core import audit, cleaning
from positions.core.clock import today_in_berlin, utcnow
from positions.core.errors import InvalidInput, NotFound, PermissionDenied
from positions.core.labels import PAPER_STATUS
from positions.core.permissions import Action, Actor, require
from positions.core.working_days import add_working_days, subtract_working_days
from positions.papers import papers

S = PaperStatus
OFFICE = frozenset({Role.STAFF, Role.ADMIN})
BOARD = frozenset({Role.BOARD})
# Without a call, members have this many working days for their review.
DEFAULT_REVIEW_WORKING_DAYS = 10
# With a call, the review ends this many working days before the board deadline.
REVIEW_BEFORE_BOARD_DEADLINE = 2


@dataclass(frozen=True)
class Transition:
    name: str
    source: frozenset[PaperStatus]
    target: PaperStatus
    roles: frozenset[Role]
    label: str  # the German button text
    needs_reason: bool = False


TRANSITIONS = (
    Transition(
        "start_review",
        frozenset({S.DRAFT}),
        S.MEMBER_REVIEW,
        OFFICE,
        "Mitgliederbeteiligung starten",
    ),
    Transition(
        "to_board",
        frozenset({S.DRAFT, S.MEMBER_REVIEW}),
        S.BOARD_APPROVAL,
        OFFICE,
        "Dem Vorstand zur Freigabe vorlegen",
    ),
    Transition("approve", frozenset({S.BOARD_APPROVAL}), S.APPROVED, BOARD, "Freigeben"),
    Transition(
        "reject",
        frozenset({S.BOARD_APPROVAL}),
        S.DRAFT,
        BOARD,
        "Nicht freigeben (zurück in Entwurf)",
        needs_reason=True,
    ),
    Transition(
        "back_to_draft",
        frozenset({S.MEMBER_REVIEW, S.BOARD_APPROVAL, S.APPROVED}),
        S.DRAFT,
        OFFICE,
        "Zurück in Entwurf",
        needs_reason=True,
    ),
    Transition("submit", frozenset({S.APPROVED}), S.SUBMITTED, OFFICE, "Als eingereicht erfassen"),
    Transition(
        "record_outcome", frozenset({S.SUBMITTED}), S.OUTCOME_RECORDED, OFFICE, "Ergebnis erfasst"
    ),
    Transition(
        "reopen_outcome",
        frozenset({S.OUTCOME_RECORDED}),
        S.SUBMITTED,
        OFFICE,
        "Ergebnis wieder offen",
        needs_reason=True,
    ),
)
BY_NAME = {t.name: t for t in TRANSITIONS}
# Board decisions go through `approvals.decide` (quorum), never straight through `apply`.
THROUGH_APPROVALS = frozenset({"approve", "reject"})


def transition(name: str) -> Transition:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown transition {name!r}") from None


def allowed(actor: Actor, paper: Paper, name: str) -> bool:
    """Whether `actor` may take transition `name` from the paper's current state."""
    step = transition(name)
    return paper.status in step.source and actor.role in step.roles and actor.acts_for_association


def available(actor: Actor, paper: Paper) -> list[Transition]:
    """The transitions this person can take now, in table order."""
    return [t for t in TRANSITIONS if allowed(actor, paper, t.name)]


def check(actor: Actor, paper: Paper, name: str, *, reason: str = "") -> Transition:
    """The transition if `actor` may take it now; a German refusal otherwise."""
    step = transition(name)
    if actor.role not in step.roles or not actor.acts_for_association:
        raise PermissionDenied()
    if paper.status not in step.source:
        raise InvalidInput(
            f"„{step.label}“ ist im Status „{PAPER_STATUS[paper.status]}“ nicht möglich."
        )
    if step.needs_reason and not reason.strip():
        raise InvalidInput("Bitte geben Sie einen Grund an.")
    return step


def review_deadline(paper: Paper, call: Call | None, *, today: date) -> date:
    """The last day of the member review: before the call's board deadline, or ten working
    days from today without a call."""
    if call is not None:
        deadline = subtract_working_days(call.board_deadline, REVIEW_BEFORE_BOARD_DEADLINE)
        if deadline >= today:
            return deadline
    return add_working_days(today, DEFAULT_REVIEW_WORKING_DAYS)


def apply(
    *,
    session: Session,
    actor: Actor,
    paper_id: int,
    name: str,
    reason: str = "",
    now: datetime | None = None,
) -> Paper:
    """Take a transition: check it, change the state, store a snapshot, write the audit.

    The board's approve/reject go through `approvals.decide` instead.
    """
    if name in THROUGH_APPROVALS:
        raise ValueError("board decisions go through approvals.decide")
    require(actor, Action.PAPER_EDIT)
    now = now or utcnow()
    paper = session.get(Paper, paper_id)
    if paper is None:
        raise NotFound("Dieses Papier gibt es nicht.")
    step = check(actor, paper, name, reason=reason)
    if name in {"start_review", "to_board"} and not papers.has_paragraphs(
        session=session, paper=paper
    ):
        raise InvalidInput("Das Papier hat noch keinen Absatz.")
    before = paper.status
    if name == "start_review":
        call = session.get(Call, paper.call_id) if paper.call_id else None
        paper.review_deadline = review_deadline(paper, call, today=today_in_berlin(now))
    if step.target == S.DRAFT:
        papers.invalidate_approvals(
            session=session,
            actor=actor,
            paper=paper,
            why=f"zurück in Entwurf: {cleaning.clean(reason)}",
            now=now,
        )
    paper.status = step.target
    paper.updated_at = now
    session.add(paper)
    label = step.label if not reason.strip() else f"{step.label}: {reason.strip()}"
    papers.save_version(
        session=session, actor=actor, paper=paper, label=label, now=now, check_permission=False
    )
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action=f"workflow_{name}",
        object_type="paper",
        object_id=paper_id,
        detail={"from": before.value, "to": step.target.value, "reason": cleaning.clean(reason)},
        now=now,
    )
    return paper


def submit(
    *,
    session: Session,
    actor: Actor,
    paper_id: int,
    recipient: str,
    channel: str,
    submitted_on: date,
    file_sha256: str = "",
    now: datetime | None = None,
) -> Submission:
    """Record that the approved version was sent (to whom, how, when) and mark it Eingereicht."""
    recipient = cleaning.clean_line(recipient)
    if not recipient:
        raise InvalidInput("Bitte geben Sie an, an wen das Papier ging.")
    if submitted_on > today_in_berlin(now):
        raise InvalidInput("Das Datum der Einreichung liegt in der Zukunft.")
    paper = apply(session=session, actor=actor, paper_id=paper_id, name="submit", now=now)
    version = papers.latest_version(session=session, paper=paper)
    assert version is not None
    submission = Submission(
        paper_version_id=id_of(version),
        recipient=recipient[:300],
        channel=cleaning.clean_line(channel)[:100],
        submitted_on=submitted_on,
        file_sha256=file_sha256,
        created_by_id=actor.user_id or None,
        created_at=now or utcnow(),
    )
    session.add(submission)
    session.flush()
    audit.created(session=session, actor_id=actor.user_id, row=submission, now=now)
    return submission
