"""The append-only audit trail: who did what to which object, and when.

Events store hashes of the object before and after, never its text, so the log itself
cannot leak a confidential statement.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, SQLModel

from db.models import AuditEvent
from positions.core.clock import utcnow


def fingerprint(data: Mapping[str, Any] | SQLModel | None) -> str:
    """A stable SHA-256 of an object's fields ('' for nothing)."""
    if data is None:
        return ""
    fields = data.model_dump() if isinstance(data, SQLModel) else dict(data)
    canonical = json.dumps(fields, sort_keys=True, default=_json_default, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def record(
    *,
    session: Session,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: int | None = None,
    before: Mapping[str, Any] | SQLModel | None = None,
    after: Mapping[str, Any] | SQLModel | None = None,
    detail: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction, so it commits or rolls back with the change."""
    event = AuditEvent(
        at=now or utcnow(),
        actor_id=actor_id or None,  # 0 is the command line, see permissions.SYSTEM
        action=action,
        object_type=object_type,
        object_id=object_id,
        before_hash=fingerprint(before),
        after_hash=fingerprint(after),
        detail=dict(detail) if detail else None,
    )
    session.add(event)
    return event


def created(
    *, session: Session, actor_id: int | None, row: SQLModel, now: datetime | None = None
) -> AuditEvent:
    """Record that `row` was created (its table names the object type)."""
    return record(
        session=session,
        actor_id=actor_id,
        action="create",
        object_type=str(row.__tablename__),
        object_id=getattr(row, "id", None),
        after=row,
        now=now,
    )
