from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import (
    AuditEvent,
    DelegateRole,
    Forum,
    ForumDelegate,
    ForumKind,
    Meeting,
    Role,
    WorkingGroup,
    id_of,
)
from positions.core.clock import utcnow
from positions.core.errors import InvalidInput, NotFound, PermissionDenied
from positions.core.permissions import Actor
from positions.forums import forums
from positions.forums.forums import ForumFields
from tests import factories


def fields(name: str = "Zulieferdialog NRW", short: str = "ZLD", **more: object) -> ForumFields:
    return ForumFields(name=name, short_name=short, kind=ForumKind.STATE, **more)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "short"),
    [("Zulieferdialog NRW", "ANDERS"), ("zulieferdialog nrw", "ANDERS"), ("Neu", "zld")],
)
def test_forum_names_and_short_names_are_unique_regardless_of_case(
    engine: Engine, name: str, short: str
) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        forums.create_forum(session=session, actor=staff, fields=fields())
    with pytest.raises(InvalidInput, match="gibt es bereits"), write_session(engine) as s:
        forums.create_forum(session=s, actor=staff, fields=fields(name, short))
    with read_session(engine) as session:
        assert len(session.exec(select(Forum)).all()) == 1


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (fields(name="  "), "Name und Kurzname"),
        (fields(url="www.example.org"), "https://"),
        (fields(member_deadline_offset=2, board_deadline_offset=3), "Vorläufe"),
        (fields(member_deadline_offset=61), "Vorläufe"),
    ],
)
def test_invalid_forum_fields_are_refused(engine: Engine, bad: ForumFields, message: str) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
    with pytest.raises(InvalidInput, match=message), write_session(engine) as s:
        forums.create_forum(session=s, actor=staff, fields=bad)


def test_only_staff_create_and_edit_forums(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        forum = forums.create_forum(session=session, actor=staff, fields=fields())
        for role in (Role.BOARD, Role.MEMBER):
            someone = factories.actor(session, role)
            with pytest.raises(PermissionDenied):
                forums.create_forum(session=session, actor=someone, fields=fields("X", "X"))
            with pytest.raises(PermissionDenied):
                forums.update_forum(
                    session=session, actor=someone, forum_id=id_of(forum), fields=fields("X", "X")
                )


def test_editing_keeps_the_own_name_and_is_audited(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        forum = forums.create_forum(session=session, actor=staff, fields=fields())
        forums.update_forum(
            session=session,
            actor=staff,
            forum_id=id_of(forum),
            fields=fields(notes="Sitzungen meist dienstags", ministry="MWIDE"),
        )
    with read_session(engine) as session:
        stored = session.get(Forum, forum.id)
        assert stored is not None and stored.notes == "Sitzungen meist dienstags"
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
        assert actions == ["create", "update"]


def test_archived_forums_leave_the_list(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        forum = forums.create_forum(session=session, actor=staff, fields=fields())
        forums.set_forum_active(session=session, actor=staff, forum_id=id_of(forum), active=False)
    with read_session(engine) as session:
        assert forums.list_forums(session=session, actor=staff) == []
        assert len(forums.list_forums(session=session, actor=staff, include_inactive=True)) == 1


def test_delegates_are_people_of_the_association(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        forum = factories.forum(session, staff)
        board = factories.user(session, Role.BOARD)
        member = factories.user(session, Role.MEMBER)
        forums.set_delegates(
            session=session,
            actor=staff,
            forum_id=id_of(forum),
            delegate_ids=[staff.user_id],
            substitute_ids=[id_of(board)],
        )
        with pytest.raises(InvalidInput, match="Personen des Verbands"):
            forums.set_delegates(
                session=session,
                actor=staff,
                forum_id=id_of(forum),
                delegate_ids=[id_of(member)],
                substitute_ids=[],
            )
        with pytest.raises(InvalidInput, match="Personen des Verbands"):
            forums.set_delegates(
                session=session,
                actor=staff,
                forum_id=id_of(forum),
                delegate_ids=[9999],
                substitute_ids=[],
            )
        with pytest.raises(InvalidInput, match="zugleich"):
            forums.set_delegates(
                session=session,
                actor=staff,
                forum_id=id_of(forum),
                delegate_ids=[staff.user_id],
                substitute_ids=[staff.user_id],
            )
    with read_session(engine) as session:
        links = session.exec(select(ForumDelegate)).all()
        assert {(link.user_id, link.role) for link in links} == {
            (staff.user_id, DelegateRole.DELEGATE),
            (board.id, DelegateRole.SUBSTITUTE),
        }


def test_working_groups_are_unique_per_forum(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        forum = factories.forum(session, staff)
        forums.add_working_group(
            session=session, actor=staff, forum_id=id_of(forum), name="Förderinstrumente"
        )
        with pytest.raises(InvalidInput, match="gibt es in diesem Forum bereits"):
            forums.add_working_group(
                session=session, actor=staff, forum_id=id_of(forum), name="förderinstrumente"
            )


def test_the_forum_overview_shows_meetings_calls_groups_and_delegates(engine: Engine) -> None:
    now = utcnow()
    with write_session(engine) as session:
        staff_user = factories.user(session, Role.STAFF)
        staff = Actor.for_user(staff_user)
        forum = factories.forum(session, staff)
        fid = id_of(forum)
        session.add(WorkingGroup(forum_id=fid, name="Förderinstrumente"))
        session.add(
            ForumDelegate(forum_id=fid, user_id=id_of(staff_user), role=DelegateRole.DELEGATE)
        )
        session.add(Meeting(forum_id=fid, title="Vergangen", starts_at=now - timedelta(days=3)))
        session.add(Meeting(forum_id=fid, title="Später", starts_at=now + timedelta(days=30)))
        session.add(Meeting(forum_id=fid, title="Bald", starts_at=now + timedelta(days=2)))
        factories.call(session, staff, forum)
    with read_session(engine) as session:
        overview = forums.forum_overview(session=session, actor=staff, forum_id=fid)
        [summary] = forums.list_forums(session=session, actor=staff)
    assert overview.next_meeting is not None and overview.next_meeting.title == "Bald"
    assert [m.title for m in overview.upcoming_meetings] == ["Bald", "Später"]
    assert [m.title for m in overview.past_meetings] == ["Vergangen"]
    assert [g.name for g in overview.working_groups] == ["Förderinstrumente"]
    assert [d.name for d in overview.delegates] == [staff_user.name]
    assert len(overview.open_calls) == 1
    assert summary.next_meeting is not None and summary.next_meeting.title == "Bald"
    assert summary.next_deadline is not None


def test_unknown_forum_gets_a_german_message(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        with pytest.raises(NotFound, match="gibt es nicht"):
            forums.forum_overview(session=session, actor=staff, forum_id=999)
