"""Position papers: what is being drafted, reviewed, approved and sent."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from db.models import Forum, Paper, PaperStatus, PaperVersion
from positions.errors import PermissionDenied
from positions.permissions import Action, Actor, require


@dataclass(frozen=True)
class PaperSummary:
    paper: Paper
    forum: Forum
    latest_version: PaperVersion | None


def papers_in_status(*, session: Session, actor: Actor, status: PaperStatus) -> list[PaperSummary]:
    """Papers of the association in one workflow state, most recently changed first."""
    require(actor, Action.PAPER_READ)
    if not actor.acts_for_association:
        raise PermissionDenied()
    rows = session.exec(
        select(Paper, Forum)
        .join(Forum)
        .where(Paper.status == status)
        .order_by(col(Paper.updated_at).desc())
    ).all()
    versions = {
        v.paper_id: v
        for v in session.exec(
            select(PaperVersion)
            .join(Paper, col(Paper.id) == PaperVersion.paper_id)
            .where(Paper.status == status, PaperVersion.number == Paper.version_counter)
        ).all()
    }
    return [PaperSummary(paper, forum, versions.get(paper.id or 0)) for paper, forum in rows]


def papers_awaiting_approval(*, session: Session, actor: Actor) -> list[PaperSummary]:
    """What the board is asked to approve."""
    return papers_in_status(session=session, actor=actor, status=PaperStatus.BOARD_APPROVAL)
