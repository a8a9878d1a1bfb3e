"""How the association tunes the merge analysis, kept among its settings: what counts as
"the same demand" when near-duplicates are grouped."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from positions.analysis import dedupe
from positions.core import settings
from positions.core.errors import InvalidInput
from positions.core.formatting import decimal
from positions.core.permissions import Action, Actor, require

DUPLICATE_THRESHOLD_KEY = "merging.duplicate_threshold"
# Below 0.75 rewordings start to merge, which is the job of topic clusters; above 0.97 only
# copies and typos would.
LOWEST_DUPLICATE_THRESHOLD, HIGHEST_DUPLICATE_THRESHOLD = 0.75, 0.97


def duplicate_threshold(*, session: Session) -> float:
    """How alike two points must be to count as the same demand (0 … 1)."""
    value = settings.stored_value(session, DUPLICATE_THRESHOLD_KEY)
    return float(value) if value is not None else dedupe.DEFAULT_THRESHOLD


def save_duplicate_threshold(
    *, session: Session, actor: Actor, value: float, now: datetime | None = None
) -> None:
    require(actor, Action.SETTINGS_MANAGE)
    if not LOWEST_DUPLICATE_THRESHOLD <= value <= HIGHEST_DUPLICATE_THRESHOLD:
        low, high = decimal(LOWEST_DUPLICATE_THRESHOLD), decimal(HIGHEST_DUPLICATE_THRESHOLD)
        raise InvalidInput(f"Die Ähnlichkeit muss zwischen {low} und {high} liegen.")
    settings.store_value(session, actor, DUPLICATE_THRESHOLD_KEY, round(value, 2), now)
