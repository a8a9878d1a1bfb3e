from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import DelegateRole, ForumDelegate, ForumKind, Meeting, Role, WorkingGroup, id_of
from positions import forums
from positions.clock import utcnow
from positions.errors import InvalidInput, NotFound, PermissionDenied
from positions.permissions import Actor
from tests import factories


@pytest.mark.parametrize("name", ["Zulieferdialog NRW", "zulieferdialog nrw"])
def test_forum_names_are_unique_regardless_of_case(engine: Engine, name: str) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        forums.create_forum(
            session=session,
            actor=staff,
            name="Zulieferdialog NRW",
            short_name="ZLD",
            kind=ForumKind.STATE,
        )
    with pytest.raises(InvalidInput, match="gibt es bereits"), write_session(engine) as s:
        forums.create_forum(
            session=s, actor=staff, name=name, short_name="ANDERS", kind=ForumKind.STATE
        )


def test_only_staff_create_forums(engine: Engine) -> None:
    with write_session(engine) as session:
        for role in (Role.BOARD, Role.MEMBER):
            with pytest.raises(PermissionDenied):
                forums.create_forum(
                    session=session,
                    actor=factories.actor(session, role),
                    name="X",
                    short_name="X",
                    kind=ForumKind.INTERNAL,
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
        assert session.exec(select(Meeting)).all() == []
