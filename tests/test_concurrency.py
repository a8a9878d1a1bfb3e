"""Twenty members submitting fifty statements each at the same time: every one is stored,
on SQLite and on PostgreSQL, and nobody sees "database is locked"."""

import threading
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import func, select

from db.engine import read_session, write_session
from db.models import (
    Call,
    CallInvitee,
    CallStatus,
    Organisation,
    OrganisationKind,
    Role,
    Statement,
    StatementStatus,
    StatementVersion,
    Visibility,
    id_of,
)
from positions.core.permissions import Actor
from positions.statements import statements
from tests import factories

WRITERS, STATEMENTS_EACH = 20, 50


def test_twenty_writers_times_fifty_statements_are_all_stored(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        forum = factories.forum(session, staff)
        organisations = [
            Organisation(name=f"Schreiber {i} GmbH", kind=OrganisationKind.COMPANY)
            for i in range(WRITERS)
        ]
        session.add_all(organisations)
        calls = [
            Call(
                forum_id=id_of(forum),
                title=f"Aufruf {i}",
                question="",
                external_deadline=date(2099, 1, 9),
                member_deadline=date(2099, 1, 2),
                board_deadline=date(2099, 1, 6),
                status=CallStatus.OPEN,
            )
            for i in range(STATEMENTS_EACH)
        ]
        session.add_all(calls)
        session.flush()
        session.add_all(
            CallInvitee(call_id=id_of(c), organisation_id=id_of(o))
            for c in calls
            for o in organisations
        )
        members = [
            Actor.for_user(factories.user(session, Role.MEMBER, o, password=None))
            for o in organisations
        ]
        call_ids = [id_of(c) for c in calls]
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def member_writes(member: Actor) -> None:
        barrier.wait()
        try:
            for call_id in call_ids:
                with write_session(engine) as session:
                    statements.save_statement(
                        session=session,
                        actor=member,
                        call_id=call_id,
                        text_input=f"Forderung von {member.name} zu Aufruf {call_id}.\n\n"
                        "- Förderprogramme vereinfachen\n- Strompreise senken",
                        visibility=Visibility.NAMED,
                        submit=True,
                        expected_version=None,
                    )
        except BaseException as error:  # every failure is a finding
            errors.append(error)

    threads = [threading.Thread(target=member_writes, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with read_session(engine) as session:
        stored = session.exec(
            select(func.count())
            .select_from(Statement)
            .where(Statement.status == StatementStatus.SUBMITTED)
        ).one()
        versions = session.exec(select(func.count()).select_from(StatementVersion)).one()
    assert stored == versions == WRITERS * STATEMENTS_EACH
