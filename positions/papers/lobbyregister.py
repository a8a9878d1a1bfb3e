"""Basic statements on federal regulatory projects must be uploaded to the Lobbyregister of
the Bundestag: a checklist of what the register asks for, the fields it wants, and the
record that the upload happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from db.models import Forum, ForumKind, Paper, PaperStatus, PaperVersion, Submission
from positions.core import audit, settings
from positions.core.clock import today_in_berlin, utcnow
from positions.core.errors import InvalidInput, NotFound
from positions.core.permissions import Action, Actor, require
from positions.papers import papers

APPROVED = (PaperStatus.APPROVED, PaperStatus.SUBMITTED, PaperStatus.OUTCOME_RECORDED)
FEDERAL_WORDS = ("bundes", "bmw", "bmf", "bmas", "bmbf", "bundestag", "bundesregierung")


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
        return {
            "Registernummer": self.register_number,
            "Titel der Stellungnahme": self.paper.title,
            "Regelungsvorhaben": self.paper.regulatory_project_title,
            "Nummer des Regelungsvorhabens": self.paper.regulatory_project_number,
            "Betroffene Gesetze": self.paper.affected_laws,
            "Adressaten": self.submission.recipient if self.submission else self.paper.addressee,
            "Versandt am": self.submission.submitted_on.isoformat() if self.submission else "",
            "Fassung": str(self.version.number) if self.version else "",
            "Im Lobbyregister hochgeladen am": (
                self.submission.lobbyregister_uploaded_on.isoformat()
                if self.submission and self.submission.lobbyregister_uploaded_on
                else ""
            ),
        }


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
    submission = session.exec(
        select(Submission)
        .join(PaperVersion, col(PaperVersion.id) == Submission.paper_version_id)
        .where(PaperVersion.paper_id == paper_id)
        .order_by(col(Submission.submitted_on).desc())
    ).first()
    register_number = paper.register_number or settings.association(session=session).register_number
    addressee = (submission.recipient if submission else paper.addressee).lower()
    federal = forum.kind == ForumKind.FEDERAL or any(w in addressee for w in FEDERAL_WORDS)
    checks = (
        Check(
            "Als grundlegende Stellungnahme zum Lobbyregister markiert",
            paper.lobbyregister_relevant,
            "Reiter „Angaben“",
        ),
        Check(
            "Registernummer des Verbands angegeben",
            bool(register_number),
            "Einstellungen oder Reiter „Angaben“",
        ),
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
    return Package(paper, version, submission, register_number, checks)


def mark_uploaded(
    *, session: Session, actor: Actor, paper_id: int, day: date, now: datetime | None = None
) -> Submission:
    """Record the day the package was uploaded to the register."""
    require(actor, Action.PAPER_SUBMIT)
    current = package(session=session, actor=actor, paper_id=paper_id)
    if current.submission is None:
        raise InvalidInput("Erfassen Sie zuerst, wann und an wen das Papier ging.")
    if day > today_in_berlin(now):
        raise InvalidInput("Das Datum liegt in der Zukunft.")
    submission = current.submission
    submission.lobbyregister_uploaded_on = day
    session.add(submission)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="lobbyregister_uploaded",
        object_type="paper",
        object_id=paper_id,
        now=now or utcnow(),
    )
    return submission


def require_version(pack: Package) -> PaperVersion:
    if pack.version is None:
        raise NotFound("Es gibt noch keine freigegebene Fassung dieses Papiers.")
    return pack.version
