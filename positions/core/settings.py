"""Association-wide settings kept in the database: name, address, register number and the
"Über uns" text of its papers, the app's address for links in e-mails, the board's quorum,
the SMTP server for invitations and reminders, and the optional language model on the
association's own machine."""

from __future__ import annotations

import io
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from PIL import Image, UnidentifiedImageError
from sqlmodel import Session, col, select

from db.models import Role, Setting, User
from positions.core import audit, cleaning, files
from positions.core.clock import utcnow
from positions.core.errors import InvalidInput
from positions.core.permissions import Action, Actor, require

DEFAULT_BASE_URL = "http://localhost:8501"


MAX_ABOUT_LENGTH = 600
"""A few sentences, as the imprint of a paper has room for."""


@dataclass(frozen=True)
class Association:
    name: str = "Verband"
    address: str = ""
    register_number: str = ""
    base_url: str = DEFAULT_BASE_URL
    about: str = ""
    """Who the association is, in a few sentences: "Über uns" at the end of its papers."""


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int = 587
    starttls: bool = True
    user: str = ""
    password: str = ""
    sender: str = ""


def stored_value(session: Session, key: str) -> Any:
    """The raw stored value of a setting, None when never set (features keep their own keys)."""
    setting = session.get(Setting, key)
    return setting.value if setting else None


def store_value(session: Session, actor: Actor, key: str, value: Any, now: datetime | None) -> None:
    """Store a setting's value; the caller has checked the permission."""
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
        name=stored_value(session, "association.name") or Association.name,
        address=stored_value(session, "association.address") or "",
        register_number=stored_value(session, "association.register_number") or "",
        base_url=stored_value(session, "app.base_url") or DEFAULT_BASE_URL,
        about=stored_value(session, "association.about") or "",
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
    about = cleaning.clean(values.about)
    if len(about) > MAX_ABOUT_LENGTH:
        raise InvalidInput(
            f"„Über uns“ hat {len(about)} Zeichen; auf einem Papier ist Platz für höchstens "
            f"{MAX_ABOUT_LENGTH}."
        )
    store_value(session, actor, "association.name", cleaning.clean_line(values.name), now)
    store_value(session, actor, "association.address", cleaning.clean(values.address), now)
    store_value(
        session,
        actor,
        "association.register_number",
        cleaning.clean_line(values.register_number),
        now,
    )
    store_value(session, actor, "association.about", about, now)
    if stored_value(session, CALENDAR_DOMAIN) is None:
        # Freeze the calendar's UID domain before the address it came from changes.
        store_value(session, actor, CALENDAR_DOMAIN, calendar_domain(session=session), now)
    store_value(session, actor, "app.base_url", base_url, now)


CALENDAR_DOMAIN = "calendar.uid_domain"


def calendar_domain(*, session: Session) -> str:
    """The domain part of calendar UIDs. It must never change, or calendars that imported
    our events would get every one of them twice: so it is the host of the application's
    address as first configured, kept when the address changes."""
    stored = stored_value(session, CALENDAR_DOMAIN)
    if stored:
        return str(stored)
    return urlparse(association(session=session).base_url).hostname or "positionen"


def smtp(*, session: Session) -> Smtp | None:
    """The configured mail server, or None when e-mails are to be sent by hand."""
    stored = stored_value(session, "smtp")
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
    store_value(session, actor, "smtp", asdict(values) if values else None, now)


@dataclass(frozen=True)
class LanguageModel:
    """An OpenAI-compatible chat endpoint inside the association (Ollama, vLLM, llama.cpp
    server). Nothing is ever sent to a model unless one is configured; statements marked
    "nur intern" or anonymous go to it only when the admin allows that explicitly."""

    base_url: str
    model: str
    api_key: str = ""
    timeout_seconds: float = 60.0
    send_internal: bool = False
    """Points of "nur intern" statements may be sent (default off)."""
    send_anonymous: bool = False
    """Points of anonymous statements may be sent, never with a name (default off)."""


LANGUAGE_MODEL = "language_model"
LOWEST_MODEL_TIMEOUT, HIGHEST_MODEL_TIMEOUT = 1.0, 600.0


def language_model(*, session: Session) -> LanguageModel | None:
    """The configured language model, or None: then no feature sends anything anywhere."""
    stored = stored_value(session, LANGUAGE_MODEL)
    if not stored or not stored.get("base_url") or not stored.get("model"):
        return None
    fields = set(LanguageModel.__dataclass_fields__)
    return LanguageModel(**{key: value for key, value in stored.items() if key in fields})


def save_language_model(
    *, session: Session, actor: Actor, values: LanguageModel | None, now: datetime | None = None
) -> None:
    """Store the model endpoint (None removes it: the app then works without a model)."""
    require(actor, Action.SETTINGS_MANAGE)
    if values is not None:
        base_url = values.base_url.strip().rstrip("/")
        parsed = urlparse(base_url)
        # Only plain web addresses: urllib would also open file:// and ftp:// addresses.
        if parsed.scheme not in {"http", "https"} or not parsed.hostname:
            raise InvalidInput(
                "Die Adresse des Sprachmodells muss mit http:// oder https:// beginnen, "
                "z. B. http://127.0.0.1:11434/v1."
            )
        if not values.model.strip():
            raise InvalidInput("Bitte geben Sie den Namen des Modells an, z. B. llama3.1:8b.")
        if not LOWEST_MODEL_TIMEOUT <= values.timeout_seconds <= HIGHEST_MODEL_TIMEOUT:
            raise InvalidInput(
                f"Die Wartezeit muss zwischen {LOWEST_MODEL_TIMEOUT:.0f} und "
                f"{HIGHEST_MODEL_TIMEOUT:.0f} Sekunden liegen."
            )
        values = LanguageModel(
            base_url=base_url,
            model=values.model.strip(),
            api_key=values.api_key.strip(),
            timeout_seconds=float(values.timeout_seconds),
            send_internal=values.send_internal,
            send_anonymous=values.send_anonymous,
        )
    store_value(session, actor, LANGUAGE_MODEL, asdict(values) if values else None, now)


def approval_quorum(*, session: Session) -> int:
    """How many board members must approve a paper (default one)."""
    return int(stored_value(session, "approval.quorum") or 1)


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
    store_value(session, actor, "approval.quorum", value, now)


DEFAULT_ACCENT = "1F4E79"
MAX_LOGO_BYTES = 2 * 1024 * 1024
_HEX = re.compile(r"^#?[0-9A-Fa-f]{6}$")


def accent_colour(*, session: Session) -> str:
    """The association's colour for documents (RRGGBB)."""
    return str(stored_value(session, "association.colour") or DEFAULT_ACCENT)


def logo_sha256(*, session: Session) -> str | None:
    """The stored logo's hash in the file store, if a logo was uploaded."""
    value = stored_value(session, "association.logo")
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
    store_value(session, actor, "association.colour", colour.strip().lstrip("#").upper(), now)
    if remove_logo:
        store_value(session, actor, "association.logo", None, now)
    if logo is not None:
        name, data = logo
        _check_logo(name, data)
        store_value(session, actor, "association.logo", files.keep(data), now)
        audit.record(
            session=session,
            actor_id=actor.user_id,
            action="store_image",
            object_type="setting",
            detail={"file": Path(name).name[:100]},
            now=now,
        )


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
