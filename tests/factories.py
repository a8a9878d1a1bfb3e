"""Small builders for test data, going through the services wherever a service exists."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.engine import read_session, write_session
from db.models import (
    Call,
    Forum,
    ForumKind,
    Organisation,
    OrganisationKind,
    Role,
    Statement,
    StatementSource,
    StatementStatus,
    User,
    Visibility,
    id_of,
)
from positions.core import accounts
from positions.core.clock import today_in_berlin
from positions.core.permissions import Actor
from positions.forums import calls, forums

PASSWORD = "richtig-geheim-42"
_numbers = itertools.count(1)


def organisation(session: Session, name: str | None = None) -> Organisation:
    number = next(_numbers)
    row = Organisation(
        name=name or f"Testfirma {number} GmbH",
        short_name=f"TF{number}",
        kind=OrganisationKind.COMPANY,
        city="Wuppertal",
    )
    session.add(row)
    session.flush()
    return row


def user(
    session: Session,
    role: Role = Role.STAFF,
    organisation_row: Organisation | None = None,
    *,
    email: str | None = None,
    password: str | None = PASSWORD,
) -> User:
    number = next(_numbers)
    if role == Role.MEMBER and organisation_row is None:
        organisation_row = organisation(session)
    row = User(
        email=email or f"person{number}@test.example",
        name=f"Person {number}",
        role=role,
        organisation_id=organisation_row.id if organisation_row else None,
        password_hash=accounts.hash_password(password) if password else None,
    )
    session.add(row)
    session.flush()
    return row


def actor(
    session: Session, role: Role = Role.STAFF, organisation_row: Organisation | None = None
) -> Actor:
    return Actor.for_user(user(session, role, organisation_row, password=None))


def forum(
    session: Session, by: Actor, *, name: str | None = None, kind: ForumKind = ForumKind.FEDERAL
) -> Forum:
    number = next(_numbers)
    fields = forums.ForumFields(
        name=name or f"Testforum {number}", short_name=f"TF-{number}", kind=kind
    )
    return forums.create_forum(session=session, actor=by, fields=fields)


def call(
    session: Session,
    by: Actor,
    forum_row: Forum,
    *,
    external_deadline: date | None = None,
    invited: list[Organisation] | None = None,
) -> Call:
    return calls.create_call(
        session=session,
        actor=by,
        forum=forum_row,
        title=f"Aufruf {next(_numbers)}",
        question="Was fordern Sie?",
        external_deadline=external_deadline or today_in_berlin() + timedelta(days=60),
        invited_organisation_ids=[id_of(o) for o in invited or []],
    )


def statement(
    session: Session,
    call_row: Call,
    organisation_id: int,
    *,
    text: str = "Wir fordern einfachere Förderprogramme.",
    visibility: Visibility = Visibility.NAMED,
    status: StatementStatus = StatementStatus.SUBMITTED,
) -> Statement:
    row = Statement(
        call_id=id_of(call_row),
        organisation_id=organisation_id,
        text=text,
        source=StatementSource.WEB,
        visibility=visibility,
        status=status,
    )
    session.add(row)
    session.flush()
    return row


def log_in(
    engine: Engine, email: str, password: str, *, now: datetime | None = None
) -> accounts.LoginOutcome:
    """A login attempt as the login form makes it."""
    return accounts.log_in(
        reading=lambda: read_session(engine),
        writing=lambda: write_session(engine),
        email=email,
        password=password,
        now=now,
    )
