"""Rows the benchmarks store directly, without the services whose checks they do not time."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from db.models import Call, CallStatus, Forum, id_of

DAY = date(2027, 1, 8)  # every deadline of a benchmark call: fixed, so runs compare


def open_call(session: Session, forum: Forum, title: str) -> Call:
    """An open call of `forum`, stored (flushed, so it has its id)."""
    call = Call(
        forum_id=id_of(forum),
        title=title,
        external_deadline=DAY,
        member_deadline=DAY,
        board_deadline=DAY,
        status=CallStatus.OPEN,
    )
    session.add(call)
    session.flush()
    return call
