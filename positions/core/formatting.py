"""German dates, numbers and counts for screens, e-mails and documents."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from positions.core.clock import BERLIN

LOCALE = "de_DE"


def short_date(day: date) -> str:
    """E.g. "Mo., 14.12.2026"."""
    return format_date(day, "EEE, dd.MM.yyyy", locale=LOCALE)


def long_date(day: date) -> str:
    """E.g. "14. Dezember 2026"."""
    return format_date(day, "d. MMMM yyyy", locale=LOCALE)


def date_time(moment: datetime) -> str:
    """E.g. "Mo., 14.12.2026, 10:00 Uhr" in German local time."""
    return format_datetime(moment.astimezone(BERLIN), "EEE, dd.MM.yyyy, HH:mm 'Uhr'", locale=LOCALE)


def days_left(deadline: date, *, today: date) -> str:
    """E.g. "noch 12 Tage", "morgen", "heute", "seit 3 Tagen abgelaufen"."""
    days = (deadline - today).days
    if days > 1:
        return f"noch {days} Tage"
    if days == 1:
        return "morgen"
    if days == 0:
        return "heute"
    if days == -1:
        return "seit gestern abgelaufen"
    return f"seit {-days} Tagen abgelaufen"


def counted(number: int, one: str, many: str) -> str:
    """E.g. "1 Punkt", "3 Punkte"."""
    return f"{number} {one if number == 1 else many}"


def number(value: int) -> str:
    """E.g. "25.000"."""
    return format_decimal(value, locale=LOCALE)


def decimal(value: float, digits: int = 2) -> str:
    """E.g. "0,75" (always `digits` places)."""
    return format_decimal(value, format="0." + "0" * digits, locale=LOCALE)


def percent(share: float) -> str:
    """E.g. "45 %" for 0.45 (German puts a space before the sign)."""
    return f"{round(share * 100)} %"


def megabytes(size: int) -> str:
    """E.g. "2,5 MB" for a size in bytes."""
    return f"{decimal(size / (1024 * 1024), 1)} MB"
