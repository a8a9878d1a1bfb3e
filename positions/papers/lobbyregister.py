"""Basic statements on federal regulatory projects must be uploaded to the Lobbyregister of
the Bundestag: a checklist of what the register asks for, the fields it wants, the record of
each sending (the register's recipient group, an exemption, the day of the upload), how long
an uploaded paper is kept, and the register number a paper to a federal addressee carries.

Sources: LobbyRG § 3 Abs. 1 Nr. 5 (as amended with effect from 1 March 2024) for the
Regelungsvorhaben and the basic statements sent on them; the register's „Erläuterungen zum
Bereich Inhalte der Interessenvertretung“ (lobbyregister.bundestag.de) for statements given
and published in a formal procedure (§ 47 GGO, § 70 GO-BT), which need not be uploaded.
When an upload is due is a deadline and lives with the others in
`positions.forums.dashboard.lobbyregister_upload_due`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from db.models import (
    Forum,
    ForumKind,
    LobbyregisterExemption,
    Paper,
    PaperStatus,
    PaperVersion,
    RecipientGroup,
    Submission,
    id_of,
)
from positions.core import audit, settings
from positions.core.clock import today_in_berlin, utcnow
from positions.core.errors import InvalidInput, NotFound
from positions.core.formatting import long_date
from positions.core.permissions import Action, Actor, require
from positions.papers import papers

APPROVED = (PaperStatus.APPROVED, PaperStatus.SUBMITTED, PaperStatus.OUTCOME_RECORDED)
# A version in one of these states leaves the house as the paper itself, not as a draft.
FINAL = frozenset(APPROVED)
# How long an uploaded paper and its documents are kept after the upload.
RETENTION_YEARS = 8

# The register's recipient groups: the Bundestag (its members, groups, committees and their
# staff) and the federal government, whose ministries' working level counts too
# (LobbyRG § 1 Abs. 1 and 2).
RECIPIENT_GROUP = {
    RecipientGroup.BUNDESTAG: "Bundestag",
    RecipientGroup.FEDERAL_GOVERNMENT: "Bundesregierung",
    RecipientGroup.FEDERAL_MINISTRY: "Bundesministerium",
}
RECIPIENT_GROUP_HELP = (
    "Bundestag: Abgeordnete, Fraktionen, Gruppen, Ausschüsse und ihre Mitarbeitenden. "
    "Bundesregierung: Bundeskanzleramt, Ministerinnen und Minister, Staatssekretärinnen und "
    "Staatssekretäre. Bundesministerium: Abteilungs-, Unterabteilungs- und Referatsleitungen."
)
EXEMPTION = {
    LobbyregisterExemption.GGO_47: "ausgenommen (§ 47 GGO)",
    LobbyregisterExemption.GO_BT_70: "ausgenommen (§ 70 GO-BT)",
}
EXEMPTION_REASON = {
    LobbyregisterExemption.GGO_47: (
        "in der Verbändeanhörung der Bundesregierung abgegeben und veröffentlicht (§ 47 GGO)"
    ),
    LobbyregisterExemption.GO_BT_70: (
        "zur Anhörung eines Bundestagsausschusses abgegeben und veröffentlicht (§ 70 GO-BT)"
    ),
}
SETTING_PLACE = "„Einstellungen“ → „Verband“ → „Nummer im Lobbyregister des Bundestags“"
NO_REGISTER_NUMBER = (
    "Papiere an den Bundestag oder die Bundesregierung nennen die Nummer des Verbands im "
    "Lobbyregister; sie ist noch nicht eingetragen. Bitte tragen Sie sie unter "
    f"{SETTING_PLACE} ein (Administration). Bis dahin lassen sich nur Entwurfsfassungen "
    "exportieren, keine freigegebene Fassung."
)

_FEDERAL_NAMES = re.compile(r"bundes(regierung|minister|kanzler|tag)|\bmdb\b", re.IGNORECASE)
# Ministries' short names (BMWE, BMF, BMAS, BMFTR, …); "BMW" alone is the carmaker.
_MINISTRY_SHORT = re.compile(r"\bBM(?!W\b)[A-Z][A-Za-z]{0,6}\b|\bBKAmt\b")


@dataclass(frozen=True)
class Check:
    label: str
    ok: bool
    hint: str = ""


@dataclass(frozen=True)
class Package:
    """What the register asks for, for one paper."""

    paper: Paper
    version: PaperVersion | None
    submission: Submission | None
    register_number: str
    checks: tuple[Check, ...]

    @property
    def ready(self) -> bool:
        return all(check.ok for check in self.checks)

    def fields(self) -> dict[str, str]:
        """The register's fields, German keys as the register names them."""
        submission = self.submission
        group = submission.recipient_group if submission else None
        return {
            "Registernummer": self.register_number,
            "Titel der Stellungnahme": self.paper.title,
            "Regelungsvorhaben": self.paper.regulatory_project_title,
            "Nummer des Regelungsvorhabens": self.paper.regulatory_project_number,
            "Betroffene Gesetze": self.paper.affected_laws,
            "Adressaten": submission.recipient if submission else self.paper.addressee,
            "Adressatengruppe": RECIPIENT_GROUP[group] if group else "",
            "Versandt am": submission.submitted_on.isoformat() if submission else "",
            "Fassung": str(self.version.number) if self.version else "",
            "Im Lobbyregister hochgeladen am": (
                submission.lobbyregister_uploaded_on.isoformat()
                if submission and submission.lobbyregister_uploaded_on
                else ""
            ),
        }


@dataclass(frozen=True)
class Sending:
    """One sending of a paper as the Lobbyregister sees it."""

    paper: Paper
    submission: Submission

    @property
    def exemption(self) -> LobbyregisterExemption | None:
        return self.submission.lobbyregister_exemption

    @property
    def uploaded_on(self) -> date | None:
        return self.submission.lobbyregister_uploaded_on

    @property
    def has_duty(self) -> bool:
        """A basic statement on a regulatory project not published in a formal procedure."""
        return self.paper.lobbyregister_relevant and self.exemption is None

    @property
    def pending(self) -> bool:
        """Still to be uploaded."""
        return self.has_duty and self.uploaded_on is None

    @property
    def keep_until(self) -> date | None:
        return keep_until(self.uploaded_on) if self.uploaded_on else None

    @property
    def recipient_group_label(self) -> str:
        group = self.submission.recipient_group
        return RECIPIENT_GROUP[group] if group else ""


def keep_until(uploaded_on: date) -> date:
    """The last day an uploaded paper is kept: eight years after the upload (28 February
    where that year has no 29th)."""
    year = uploaded_on.year + RETENTION_YEARS
    try:
        return uploaded_on.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def addressed_to_federal(addressee: str, forum: Forum) -> bool:
    """Whether a paper goes to the Bundestag or the federal government: from a federal
    forum, or to an addressee such as „Bundesministerium für …“, „BMWE“ or „Deutscher
    Bundestag“ (a Bundesrat or a federal agency is no addressee of the register)."""
    return (
        forum.kind == ForumKind.FEDERAL
        or _FEDERAL_NAMES.search(addressee) is not None
        or _MINISTRY_SHORT.search(addressee) is not None
    )


def register_number(*, session: Session, paper: Paper) -> str:
    """The association's register number (a number given on the paper itself first)."""
    return paper.register_number or settings.association(session=session).register_number


def needs_register_number(*, session: Session, paper: Paper) -> bool:
    """Whether the paper carries the association's register number: it is marked for the
    Lobbyregister or goes to a federal addressee (also one recorded when it was sent)."""
    forum = session.get(Forum, paper.forum_id)
    assert forum is not None
    if paper.lobbyregister_relevant or addressed_to_federal(paper.addressee, forum):
        return True
    return any(
        s.recipient_group is not None or addressed_to_federal(s.recipient, forum)
        for s in _submissions(session, id_of(paper))
    )


def missing_register_number(*, session: Session, paper: Paper, version_number: int) -> str | None:
    """Why the version cannot be exported as it is (German), or None: an approved or
    submitted version of a paper that needs the register number while none is set. Drafts
    may go without it."""
    version = session.exec(
        select(PaperVersion).where(
            PaperVersion.paper_id == paper.id, PaperVersion.number == version_number
        )
    ).first()
    if version is None or version.status not in FINAL:
        return None
    if register_number(session=session, paper=paper):
        return None
    return NO_REGISTER_NUMBER if needs_register_number(session=session, paper=paper) else None


def require_register_number(*, session: Session, paper: Paper, version_number: int) -> None:
    """Refuse the export of a final version that lacks the register number it needs."""
    problem = missing_register_number(session=session, paper=paper, version_number=version_number)
    if problem is not None:
        raise InvalidInput(problem)


def package(*, session: Session, actor: Actor, paper_id: int) -> Package:
    require(actor, Action.PAPER_EXPORT)
    paper = papers.get_paper(session=session, actor=actor, paper_id=paper_id)
    forum = session.get(Forum, paper.forum_id)
    assert forum is not None
    version = session.exec(
        select(PaperVersion)
        .where(PaperVersion.paper_id == paper_id, col(PaperVersion.status).in_(APPROVED))
        .order_by(col(PaperVersion.number).desc())
    ).first()
    submission = latest_submission(session=session, paper_id=paper_id)
    number = register_number(session=session, paper=paper)
    federal = addressed_to_federal(paper.addressee, forum) or (
        submission is not None
        and (
            submission.recipient_group is not None
            or addressed_to_federal(submission.recipient, forum)
        )
    )
    checks = (
        Check(
            "Als grundlegende Stellungnahme zum Lobbyregister markiert",
            paper.lobbyregister_relevant,
            "Reiter „Angaben“",
        ),
        Check("Registernummer des Verbands angegeben", bool(number), SETTING_PLACE),
        Check(
            "Regelungsvorhaben benannt",
            bool(paper.regulatory_project_title.strip()),
            "Reiter „Angaben“",
        ),
        Check("Adressat ist eine Stelle des Bundes", federal, "Adressat oder Forum prüfen"),
        Check(
            "Fassung vom Vorstand freigegeben", version is not None, "Workflow: Vorstandsfreigabe"
        ),
    )
    return Package(paper, version, submission, number, checks)


def _submissions(session: Session, paper_id: int) -> list[Submission]:
    """The paper's sendings, latest first."""
    return list(
        session.exec(
            select(Submission)
            .join(PaperVersion, col(PaperVersion.id) == Submission.paper_version_id)
            .where(PaperVersion.paper_id == paper_id)
            .order_by(col(Submission.submitted_on).desc(), col(Submission.id).desc())
        ).all()
    )


def latest_submission(*, session: Session, paper_id: int) -> Submission | None:
    found = _submissions(session, paper_id)
    return found[0] if found else None


def sending(*, session: Session, actor: Actor, paper_id: int) -> Sending | None:
    """The paper's latest sending, or None while it has not been sent."""
    require(actor, Action.PAPER_EXPORT)
    paper = papers.get_paper(session=session, actor=actor, paper_id=paper_id)
    submission = latest_submission(session=session, paper_id=paper_id)
    return Sending(paper, submission) if submission else None


def sendings(*, session: Session, actor: Actor) -> list[Sending]:
    """The latest sending of every paper marked for the Lobbyregister or sent to the
    Bundestag or the federal government, most recent first."""
    require(actor, Action.PAPER_EXPORT)
    rows = session.exec(
        select(Submission, Paper, Forum)
        .join(PaperVersion, col(PaperVersion.id) == Submission.paper_version_id)
        .join(Paper, col(Paper.id) == PaperVersion.paper_id)
        .join(Forum, col(Forum.id) == Paper.forum_id)
        .order_by(col(Submission.submitted_on).desc(), col(Submission.id).desc())
    ).all()
    latest: dict[int, Sending] = {}
    for submission, paper, forum in rows:
        if id_of(paper) in latest:
            continue
        if (
            paper.lobbyregister_relevant
            or submission.recipient_group is not None
            or addressed_to_federal(paper.addressee, forum)
            or addressed_to_federal(submission.recipient, forum)
        ):
            latest[id_of(paper)] = Sending(paper, submission)
    return list(latest.values())


def record_sending(
    *,
    session: Session,
    actor: Actor,
    paper_id: int,
    recipient_group: RecipientGroup | None,
    exemption: LobbyregisterExemption | None,
    uploaded_on: date | None,
    now: datetime | None = None,
) -> Submission:
    """Record for the paper's latest sending the register's recipient group, a formal
    procedure that exempts it from the upload, and the day it was uploaded."""
    require(actor, Action.PAPER_SUBMIT)
    papers.get_paper(session=session, actor=actor, paper_id=paper_id)
    submission = latest_submission(session=session, paper_id=paper_id)
    if submission is None:
        raise InvalidInput("Erfassen Sie zuerst, wann und an wen das Papier ging.")
    if uploaded_on is None and submission.lobbyregister_uploaded_on is not None:
        raise InvalidInput(
            "Der Upload ins Lobbyregister ist erfasst. Sie können sein Datum korrigieren, "
            "aber nicht entfernen: das Papier wird ab dem Upload acht Jahre aufbewahrt."
        )
    if uploaded_on is not None:
        if uploaded_on > today_in_berlin(now):
            raise InvalidInput("Das Datum liegt in der Zukunft.")
        if uploaded_on < submission.submitted_on:
            raise InvalidInput(
                "Hochgeladen wird ein Papier, nachdem es versandt wurde: am "
                f"{long_date(submission.submitted_on)} oder später."
            )
    before = submission.model_dump()
    submission.recipient_group = recipient_group
    submission.lobbyregister_exemption = exemption
    submission.lobbyregister_uploaded_on = uploaded_on
    session.add(submission)
    session.flush()
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="lobbyregister_recorded",
        object_type="submission",
        object_id=id_of(submission),
        before=before,
        after=submission,
        now=now or utcnow(),
    )
    return submission


def mark_uploaded(
    *, session: Session, actor: Actor, paper_id: int, day: date, now: datetime | None = None
) -> Submission:
    """Record the day the package was uploaded to the register."""
    submission = latest_submission(session=session, paper_id=paper_id)
    return record_sending(
        session=session,
        actor=actor,
        paper_id=paper_id,
        recipient_group=submission.recipient_group if submission else None,
        exemption=submission.lobbyregister_exemption if submission else None,
        uploaded_on=day,
        now=now,
    )


def require_deletable(*, session: Session, paper_id: int, today: date | None = None) -> None:
    """Refuse to delete a paper or one of its documents while it is still to be uploaded to
    the Lobbyregister, or within eight years of its upload."""
    today = today or today_in_berlin()
    paper = session.get(Paper, paper_id)
    if paper is None:
        return
    submissions = _submissions(session, paper_id)
    if submissions and Sending(paper, submissions[0]).pending:
        raise InvalidInput(
            f"„{paper.title}“ ist noch im Lobbyregister hochzuladen. Bis dahin und acht "
            "Jahre danach lassen sich weder das Papier noch seine Dokumente löschen."
        )
    for uploaded in (s.lobbyregister_uploaded_on for s in submissions):
        if uploaded is not None and today <= keep_until(uploaded):
            raise InvalidInput(
                f"„{paper.title}“ wurde am {long_date(uploaded)} im Lobbyregister hochgeladen "
                f"und ist bis zum {long_date(keep_until(uploaded))} aufzubewahren. Bis dahin "
                "lassen sich weder das Papier noch seine Dokumente löschen."
            )


def require_version(pack: Package) -> PaperVersion:
    if pack.version is None:
        raise NotFound("Es gibt noch keine freigegebene Fassung dieses Papiers.")
    return pack.version
