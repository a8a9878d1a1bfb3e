"""Association-wide settings kept in the database: name and address, the app's address for
links in e-mails, the board's quorum, and the SMTP server for invitations and reminders."""

from __future__ import annotations

import io
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from PIL import Image, UnidentifiedImageError
from sqlmodel import Session, col, select

from db.models import Role, Setting, User
from positions.analysis import dedupe
from positions.core import audit
from positions.core.clock import utcnow
from positions.core.errors import InvalidInput
from positions.core.permissions import Action, Actor, require
from positions.forums import documents

DEFAULT_BASE_URL = "http://localhost:8501"


@dataclass(frozen=True)
class Association:
    name: str = "Verband"
    address: str = ""
    register_number: str = ""
    base_url: str = DEFAULT_BASE_URL


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int = 587
    starttls: bool = True
    user: str = ""
    password: str = ""
    sender: str = ""


def _value(session: Session, key: str) -> Any:
    setting = session.get(Setting, key)
    return setting.value if setting else None


def _store(session: Session, actor: Actor, key: str, value: Any, now: datetime | None) -> None:
    setting = session.get(Setting, key) or Setting(key=key)
    setting.value = value
    setting.updated_at = now or utcnow()
    session.add(setting)
    # The value itself may be a password: the audit keeps only that it changed.
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="update",
        object_type="setting",
        detail={"key": key},
        now=now,
    )


def association(*, session: Session) -> Association:
    return Association(
        name=_value(session, "association.name") or Association.name,
        address=_value(session, "association.address") or "",
        register_number=_value(session, "association.register_number") or "",
        base_url=_value(session, "app.base_url") or DEFAULT_BASE_URL,
    )


def save_association(
    *, session: Session, actor: Actor, values: Association, now: datetime | None = None
) -> None:
    require(actor, Action.SETTINGS_MANAGE)
    if not values.name.strip():
        raise InvalidInput("Bitte geben Sie den Namen des Verbands an.")
    base_url = values.base_url.strip().rstrip("/")
    if not base_url.startswith(("https://", "http://")):
        raise InvalidInput("Die Adresse der Anwendung muss mit https:// oder http:// beginnen.")
    _store(session, actor, "association.name", values.name.strip(), now)
    _store(session, actor, "association.address", values.address.strip(), now)
    _store(session, actor, "association.register_number", values.register_number.strip(), now)
    if _value(session, CALENDAR_DOMAIN) is None:
        # Freeze the calendar's UID domain before the address it came from changes.
        _store(session, actor, CALENDAR_DOMAIN, calendar_domain(session=session), now)
    _store(session, actor, "app.base_url", base_url, now)


CALENDAR_DOMAIN = "calendar.uid_domain"


def calendar_domain(*, session: Session) -> str:
    """The domain part of calendar UIDs. It must never change, or calendars that imported
    our events would get every one of them twice: so it is the host of the application's
    address as first configured, kept when the address changes."""
    stored = _value(session, CALENDAR_DOMAIN)
    if stored:
        return str(stored)
    return urlparse(association(session=session).base_url).hostname or "positionen"


def smtp(*, session: Session) -> Smtp | None:
    """The configured mail server, or None when e-mails are to be sent by hand."""
    stored = _value(session, "smtp")
    if not stored or not stored.get("host"):
        return None
    return Smtp(**stored)


def save_smtp(
    *, session: Session, actor: Actor, values: Smtp | None, now: datetime | None = None
) -> None:
    """Store the mail server (None removes it: texts are then offered to copy)."""
    require(actor, Action.SETTINGS_MANAGE)
    if values is not None:
        if not values.host.strip():
            raise InvalidInput("Bitte geben Sie den Mailserver an.")
        if not 0 < values.port < 65536:
            raise InvalidInput("Der Port muss zwischen 1 und 65535 liegen.")
        if "@" not in values.sender:
            raise InvalidInput("Bitte geben Sie eine Absenderadresse an.")
    _store(session, actor, "smtp", asdict(values) if values else None, now)


def approval_quorum(*, session: Session) -> int:
    """How many board members must approve a paper (default one)."""
    return int(_value(session, "approval.quorum") or 1)


def save_approval_quorum(
    *, session: Session, actor: Actor, value: int, now: datetime | None = None
) -> None:
    """Set how many board members must approve; never more than the board has."""
    require(actor, Action.SETTINGS_MANAGE)
    board = len(
        session.exec(select(User.id).where(User.role == Role.BOARD, col(User.active))).all()
    )
    if value < 1:
        raise InvalidInput("Mindestens ein Vorstandsmitglied muss freigeben.")
    if value > board:
        members = "ist nur ein Mitglied" if board == 1 else f"sind nur {board} Mitglieder"
        raise InvalidInput(
            f"Im Vorstand {members} mit Zugang aktiv; mehr Freigaben kann ein Papier nie erhalten."
        )
    _store(session, actor, "approval.quorum", value, now)


# What counts as "the same demand" (see positions.analysis.dedupe): below 0.75 rewordings start to
# merge, which is the job of topic clusters; above 0.97 only copies and typos would.
LOWEST_DUPLICATE_THRESHOLD, HIGHEST_DUPLICATE_THRESHOLD = 0.75, 0.97
_DUPLICATE_RANGE = (LOWEST_DUPLICATE_THRESHOLD, HIGHEST_DUPLICATE_THRESHOLD)


def duplicate_threshold(*, session: Session) -> float:
    """How alike two points must be to count as the same demand (0 … 1)."""
    value = _value(session, "merging.duplicate_threshold")
    return float(value) if value is not None else dedupe.DEFAULT_THRESHOLD


def save_duplicate_threshold(
    *, session: Session, actor: Actor, value: float, now: datetime | None = None
) -> None:
    require(actor, Action.SETTINGS_MANAGE)
    if not LOWEST_DUPLICATE_THRESHOLD <= value <= HIGHEST_DUPLICATE_THRESHOLD:
        low, high = (f"{v:.2f}".replace(".", ",") for v in _DUPLICATE_RANGE)
        raise InvalidInput(f"Die Ähnlichkeit muss zwischen {low} und {high} liegen.")
    _store(session, actor, "merging.duplicate_threshold", round(value, 2), now)


DEFAULT_ACCENT = "1F4E79"
MAX_LOGO_BYTES = 2 * 1024 * 1024
_HEX = re.compile(r"^#?[0-9A-Fa-f]{6}$")


def accent_colour(*, session: Session) -> str:
    """The association's colour for documents (RRGGBB)."""
    return str(_value(session, "association.colour") or DEFAULT_ACCENT)


def logo_sha256(*, session: Session) -> str | None:
    """The stored logo's hash in the file store, if a logo was uploaded."""
    value = _value(session, "association.logo")
    return str(value) if value else None


def save_letterhead(
    *,
    session: Session,
    actor: Actor,
    colour: str,
    logo: tuple[str, bytes] | None,
    remove_logo: bool = False,
    now: datetime | None = None,
) -> None:
    """Colour and (optionally) a new logo for exports; the logo must be a PNG or JPEG image
    of at most 2 MB."""
    require(actor, Action.SETTINGS_MANAGE)
    if not _HEX.match(colour.strip()):
        raise InvalidInput("Die Farbe muss als Hex-Wert angegeben werden, z. B. #1F4E79.")
    _store(session, actor, "association.colour", colour.strip().lstrip("#").upper(), now)
    if remove_logo:
        _store(session, actor, "association.logo", None, now)
    if logo is not None:
        name, data = logo
        _check_logo(name, data)
        stored = documents.store_image(
            session=session, actor=actor, filename=name, data=data, now=now
        )
        _store(session, actor, "association.logo", stored, now)


def _check_logo(name: str, data: bytes) -> None:
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidInput("Das Logo ist größer als 2 MB.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidInput(f"„{name}“ ist kein Bild (PNG oder JPEG).") from None
    if kind not in {"PNG", "JPEG"}:
        raise InvalidInput("Bitte laden Sie das Logo als PNG oder JPEG hoch.")
