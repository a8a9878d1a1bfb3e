"""The current time, in one place so that services can be given another `now` in tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_in_berlin(now: datetime | None = None) -> date:
    """The calendar day in Germany; deadlines are German days, not UTC days."""
    return (now or utcnow()).astimezone(BERLIN).date()
