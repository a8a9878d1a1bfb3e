"""iCalendar (.ics) files of our calendar entries, in Europe/Berlin time.

RFC 5545 allows no control characters in text values; line breaks only escaped, which the
library does for descriptions but not for every property. Names, summaries, places and
addresses go in as one line, descriptions with their line breaks as "\\n".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from positions.core import cleaning
from positions.core.clock import utcnow
from positions.forums.calendar import CalendarEvent

BERLIN = ZoneInfo("Europe/Berlin")


def build_calendar(
    events: Sequence[CalendarEvent], *, name: str, now: datetime | None = None
) -> bytes:
    """An RFC 5545 calendar; timed entries carry Europe/Berlin with its VTIMEZONE."""
    stamp = (now or utcnow()).astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", "-//Positionen//Fristen und Sitzungen//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", cleaning.clean_line(name))
    calendar.add("x-wr-timezone", "Europe/Berlin")
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("summary", cleaning.clean_line(item.title))
        event.add("dtstart", _local(item.start))
        if item.end is not None:
            event.add("dtend", _local(item.end))
        if location := cleaning.clean_line(item.location):
            event.add("location", location)
        if description := cleaning.clean(item.description):
            event.add("description", description)
        if url := cleaning.clean_line(item.url):
            event.add("url", url)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _local(moment: datetime | date) -> datetime | date:
    if isinstance(moment, datetime):
        return moment.astimezone(BERLIN)
    return moment
