"""The board's approval: board members approve or reject one specific version; the paper is
Freigegeben once the configured quorum (default one board member) approved the version that
is still current. A later change of the text invalidates approvals and says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db.models import Approval, Decision, Paper, PaperStatus, PaperVersion, User, id_of
from positions.core import audit, cleaning, settings
from positions.core.clock import utcnow
from positions.core.errors import InvalidInput, NotFound
from positions.core.permissions import Action, Actor, require
from positions.papers import papers, workflow

_ALREADY_DECIDED = "Sie haben über diese Fassung bereits entschieden."


@dataclass(frozen=True)
class ApprovalView:
    approval: Approval
    board_member: str
    version_number: int


def decide(
    *,
    session: Session,
    actor: Actor,
    paper_id: int,
    version_number: int,
    decision: Decision,
    comment: str = "",
    now: datetime | None = None,
) -> Paper:
    """A board member's decision on version `version_number` of a paper.

    Refused when the version is not the current one (the text changed since); an approval
    that reaches the quorum releases the paper, a rejection sends it back to Entwurf.
    """
    require(actor, Action.PAPER_APPROVE)
    now = now or utcnow()
    paper = session.get(Paper, paper_id)
    if paper is None:
        raise NotFound("Dieses Papier gibt es nicht.")
    step = "approve" if decision == Decision.APPROVE else "reject"
    workflow.check(actor, paper, step, reason=comment)
    version = session.exec(
        select(PaperVersion).where(
            PaperVersion.paper_id == paper_id, PaperVersion.number == version_number
        )
    ).first()
    if version is None:
        raise NotFound("Diese Fassung gibt es nicht.")
    if not papers.version_is_current(paper=paper, version=version):
        raise InvalidInput(
            f"Fassung {version_number} ist nicht mehr aktuell: Der Text wurde seither "
            "geändert. Bitte prüfen Sie die aktuelle Fassung."
        )
    _record_once(
        session,
        Approval(
            paper_version_id=id_of(version),
            board_member_id=actor.user_id,
            decision=decision,
            comment=cleaning.clean(comment),
            created_at=now,
        ),
    )
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action=f"board_{decision.value}",
        object_type="paper",
        object_id=paper_id,
        detail={"version": version_number},
        now=now,
    )
    if decision == Decision.REJECT:
        _move(
            session,
            actor,
            paper,
            PaperStatus.DRAFT,
            label=f"Vom Vorstand nicht freigegeben: {cleaning.clean(comment)}",
            now=now,
        )
    elif approvals_count(session=session, version=version) >= settings.approval_quorum(
        session=session
    ):
        _move(
            session, actor, paper, PaperStatus.APPROVED, label="Vom Vorstand freigegeben", now=now
        )
    return paper


def _record_once(session: Session, approval: Approval) -> None:
    """Store the decision unless this board member already decided on this version.

    The check before the insert finds a decision already committed; one made at the same
    moment (a second tab, a double click) is caught by the unique key. The insert runs in a
    savepoint, so the refusal leaves the caller's transaction usable."""
    already = session.exec(
        select(Approval.id).where(
            Approval.paper_version_id == approval.paper_version_id,
            Approval.board_member_id == approval.board_member_id,
        )
    ).first()
    if already is not None:
        raise InvalidInput(_ALREADY_DECIDED)
    try:
        with session.begin_nested():
            session.add(approval)
            session.flush()
    except IntegrityError:
        raise InvalidInput(_ALREADY_DECIDED) from None


def _move(
    session: Session,
    actor: Actor,
    paper: Paper,
    target: PaperStatus,
    *,
    label: str,
    now: datetime,
) -> None:
    before = paper.status
    paper.status, paper.updated_at = target, now
    session.add(paper)
    if target == PaperStatus.DRAFT:
        papers.invalidate_approvals(
            session=session, actor=actor, paper=paper, why="nicht freigegeben", now=now
        )
    papers.save_version(
        session=session, actor=actor, paper=paper, label=label, now=now, check_permission=False
    )
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="workflow_board",
        object_type="paper",
        object_id=paper.id,
        detail={"from": before.value, "to": target.value},
        now=now,
    )


def approvals_count(*, session: Session, version: PaperVersion) -> int:
    return len(
        session.exec(
            select(Approval).where(
                Approval.paper_version_id == version.id,
                Approval.decision == Decision.APPROVE,
                col(Approval.invalidated_at).is_(None),
            )
        ).all()
    )


def approvals_of(*, session: Session, actor: Actor, paper_id: int) -> list[ApprovalView]:
    """All board decisions on a paper, newest first, with invalidated ones marked."""
    require(actor, Action.PAPER_READ)
    if not actor.acts_for_association:
        return []
    rows = session.exec(
        select(Approval, User, PaperVersion)
        .join(User, col(User.id) == Approval.board_member_id)
        .join(PaperVersion, col(PaperVersion.id) == Approval.paper_version_id)
        .where(PaperVersion.paper_id == paper_id)
        .order_by(col(Approval.created_at).desc())
    ).all()
    return [ApprovalView(a, u.name, v.number) for a, u, v in rows]
