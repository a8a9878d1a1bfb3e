"""The activity report (Tätigkeitsbericht): for a period, the forums we sat in, the meetings
our people attended, the calls our members answered, the papers we sent and what the forums'
results took up, in figures. Only what has happened by the time the report is made (a
meeting still to come is not attended yet), and only counts of members, never their names."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlmodel import Session, col, select

from db.models import (
    Call,
    CallStatus,
    Forum,
    Meeting,
    MeetingAttendee,
    Outcome,
    Paper,
    PaperVersion,
    Submission,
    User,
    id_of,
)
from positions.core.clock import BERLIN, today_in_berlin, utcnow
from positions.core.errors import InvalidInput
from positions.core.permissions import Action, Actor, require
from positions.followup.outcomes import Adoption, adoption
from positions.forums.calls import answer_counts


@dataclass(frozen=True)
class CallActivity:
    """A call with how many invited organisations answered it; `open_until` is the member
    deadline when members may still answer (the share is not final yet)."""

    call: Call
    invited: int
    answered: int
    open_until: date | None = None

    @property
    def share(self) -> float:
        return self.answered / self.invited if self.invited else 0.0


@dataclass
class ForumActivity:
    forum: Forum
    meetings: list[tuple[Meeting, list[str]]] = field(default_factory=list)
    calls: list[CallActivity] = field(default_factory=list)
    papers: list[tuple[Paper, Submission]] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    adoption: Adoption | None = None

    @property
    def active(self) -> bool:
        return bool(self.meetings or self.calls or self.papers or self.outcomes)


@dataclass(frozen=True)
class ActivityReport:
    start: date
    end: date
    forums: list[ForumActivity]
    made_on: date
    """The day the report is made; for a period still running, what it covers ends here."""

    @property
    def covered_until(self) -> date:
        """The last day the report speaks for: the period's end, or today while it runs."""
        return min(self.end, self.made_on)

    @property
    def running(self) -> bool:
        return self.end > self.made_on

    @property
    def meetings(self) -> int:
        return sum(len(f.meetings) for f in self.forums)

    @property
    def calls(self) -> list[CallActivity]:
        return [c for f in self.forums for c in f.calls]

    @property
    def closed_calls(self) -> list[CallActivity]:
        """The calls whose participation is final."""
        return [c for c in self.calls if c.open_until is None]

    @property
    def papers(self) -> int:
        return sum(len(f.papers) for f in self.forums)

    def adoption_totals(self) -> tuple[int, int, int]:
        """(demands, taken up verbatim, taken up in other words) over forums with results."""
        found = [f.adoption for f in self.forums if f.adoption and f.outcomes]
        return (
            sum(a.demands for a in found),
            sum(a.adopted for a in found),
            sum(a.partly for a in found),
        )


def activity(
    *, session: Session, actor: Actor, start: date, end: date, now: datetime | None = None
) -> ActivityReport:
    """Everything the association did in the forums from `start` to `end` (inclusive) up to
    `now` (default: the current time): meetings count once they have begun, calls still
    open today are marked as such."""
    now = now or utcnow()
    today = today_in_berlin(now)
    require(actor, Action.OUTCOME_READ)
    require(actor, Action.STATEMENT_READ_ALL)
    if end < start:
        raise InvalidInput("Das Ende des Zeitraums liegt vor seinem Anfang.")
    if start > today:
        raise InvalidInput(
            "Der Zeitraum beginnt erst in der Zukunft; ein Tätigkeitsbericht kann nur "
            "berichten, was schon geschehen ist."
        )
    last = min(end, today)
    begin = datetime.combine(start, time.min, tzinfo=BERLIN)
    finish = min(datetime.combine(end, time.max, tzinfo=BERLIN), now)
    forums = {
        id_of(f): ForumActivity(f)
        for f in session.exec(select(Forum).order_by(col(Forum.name))).all()
    }
    for meeting in session.exec(
        select(Meeting)
        .where(Meeting.starts_at >= begin, Meeting.starts_at <= finish)
        .order_by(col(Meeting.starts_at))
    ).all():
        names = list(
            session.exec(
                select(User.name)
                .join(MeetingAttendee)
                .where(MeetingAttendee.meeting_id == meeting.id)
            ).all()
        )
        if names:  # a meeting counts when someone of us was there (or is, as it has begun)
            forums[meeting.forum_id].meetings.append((meeting, names))
    report_calls = session.exec(
        select(Call)
        .where(
            Call.external_deadline >= start,
            Call.external_deadline <= end,
            Call.status != CallStatus.DRAFT,  # never sent to anyone
        )
        .order_by(col(Call.external_deadline))
    ).all()
    counts = answer_counts(session=session, call_ids=[id_of(c) for c in report_calls])
    for call in report_calls:
        answered, invited = counts[id_of(call)]
        still_open = call.status == CallStatus.OPEN and call.member_deadline >= today
        forums[call.forum_id].calls.append(
            CallActivity(call, invited, answered, call.member_deadline if still_open else None)
        )
    for submission, paper in session.exec(
        select(Submission, Paper)
        .join(PaperVersion, col(PaperVersion.id) == Submission.paper_version_id)
        .join(Paper, col(Paper.id) == PaperVersion.paper_id)
        .where(Submission.submitted_on >= start, Submission.submitted_on <= last)
        .order_by(col(Submission.submitted_on))
    ).all():
        forums[paper.forum_id].papers.append((paper, submission))
    for outcome in session.exec(
        select(Outcome)
        .where(
            col(Outcome.published_on) >= start,
            col(Outcome.published_on) <= last,
        )
        .order_by(col(Outcome.published_on))
    ).all():
        forums[outcome.forum_id].outcomes.append(outcome)
    for activity_of in forums.values():
        if activity_of.outcomes:
            activity_of.adoption = adoption(
                session=session, actor=actor, forum_id=id_of(activity_of.forum), until=last
            )
    return ActivityReport(start, end, list(forums.values()), made_on=today)
