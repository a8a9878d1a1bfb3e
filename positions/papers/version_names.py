"""Readable names of a paper's saved versions, for documents that leave the house (Synopse,
tracked changes) and for lists: named after what the version is for and its date, never
after the workflow button that saved it ("Als eingereicht erfassen")."""

from __future__ import annotations

from datetime import date

from db.models import PaperStatus, PaperVersion
from positions.core.clock import BERLIN
from positions.core.formatting import long_date

FINAL = frozenset({PaperStatus.APPROVED, PaperStatus.SUBMITTED, PaperStatus.OUTCOME_RECORDED})
"""Versions the board approved: what they say stands; the others are drafts."""


def version_title(version: PaperVersion, *, submitted_on: date | None = None) -> str:
    """E.g. "Entwurf vom 3. Dezember 2026", "Fassung für die Mitgliederbeteiligung vom
    4. Dezember 2026", "Beschlossene Fassung vom 9. Dezember 2026", "Eingereichte Fassung vom
    10. Dezember 2026" (`submitted_on`, when known, is the day it was sent; otherwise the day
    the version was saved)."""
    saved = long_date(version.created_at.astimezone(BERLIN).date())
    match version.status:
        case PaperStatus.DRAFT:
            return f"Entwurf vom {saved}"
        case PaperStatus.MEMBER_REVIEW:
            return f"Fassung für die Mitgliederbeteiligung vom {saved}"
        case PaperStatus.BOARD_APPROVAL:
            return f"Vorlage für den Vorstand vom {saved}"
        case PaperStatus.APPROVED:
            return f"Beschlossene Fassung vom {saved}"
        case PaperStatus.SUBMITTED:
            sent = long_date(submitted_on) if submitted_on else saved
            return f"Eingereichte Fassung vom {sent}"
        case PaperStatus.OUTCOME_RECORDED:
            return f"Eingereichte Fassung, Ergebnis erfasst am {saved}"


def is_draft(status: PaperStatus) -> bool:
    """Whether a paper in `status` is marked "Entwurf" where it is shown outside."""
    return status not in FINAL
