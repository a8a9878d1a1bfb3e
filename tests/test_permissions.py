"""The permission matrix: for each role the exact actions, and for each person the exact
forums, calls and statements they can see."""

from dataclasses import dataclass

import pytest
from sqlalchemy.engine import Engine

from db.engine import write_session
from db.models import ForumKind, ForumMember, Paper, PaperKind, Role, Statement, id_of
from positions.core.errors import PermissionDenied
from positions.core.permissions import (
    Action,
    Actor,
    can,
    require,
    visible_call_ids,
    visible_forum_ids,
)
from positions.forums import calls, forums, invitations
from positions.papers import papers, workflow
from tests import factories

A = Action
EXPECTED_ACTIONS = {
    Role.ADMIN: set(Action),
    Role.STAFF: set(Action)
    - {
        A.USER_MANAGE,
        A.SETTINGS_MANAGE,
        A.PAPER_APPROVE,
        A.PAPER_REVIEW,
        A.STATEMENT_READ_OWN,
        A.STATEMENT_WRITE_OWN,
    },
    Role.BOARD: {
        A.FORUM_READ,
        A.MEETING_READ,
        A.CALL_READ,
        A.STATEMENT_READ_ALL,
        A.PAPER_READ,
        A.PAPER_EXPORT,
        A.OUTCOME_READ,
        A.DEADLINES_READ,
        A.MEMBER_READ,
        A.PAPER_APPROVE,
    },
    Role.MEMBER: {
        A.FORUM_READ,
        A.CALL_READ,
        A.STATEMENT_READ_OWN,
        A.STATEMENT_WRITE_OWN,
        A.PAPER_READ,
        A.PAPER_REVIEW,
    },
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_role_action_table(role: Role, action: Action) -> None:
    actor = Actor(user_id=1, name="X", email="x@test.example", role=role, organisation_id=1)
    assert can(actor, action) is (action in EXPECTED_ACTIONS[role])


@pytest.mark.parametrize("action", list(Action))
def test_invitation_holders_may_only_read_their_call_and_write_their_statement(
    action: Action,
) -> None:
    actor = Actor(
        user_id=1,
        name="X",
        email="x@test.example",
        role=Role.MEMBER,
        organisation_id=1,
        invitation_id=7,
        call_id=3,
    )
    allowed = {A.CALL_READ, A.STATEMENT_READ_OWN, A.STATEMENT_WRITE_OWN}
    assert can(actor, action) is (action in allowed)


@dataclass
class World:
    actors: dict[str, Actor]
    forums: dict[str, int]
    calls: dict[str, int]


def _world(engine: Engine) -> World:
    """Org A is invited to call 1 (forum F1) and sits in Fachforum F3; org B to call 2 (F2)."""
    with write_session(engine) as session:
        staff = factories.actor(session, Role.STAFF)
        org_a, org_b = factories.organisation(session), factories.organisation(session)
        f1, f2 = factories.forum(session, staff), factories.forum(session, staff)
        f3 = factories.forum(session, staff, kind=ForumKind.INTERNAL)
        factories.forum(session, staff)  # a forum nobody outside the association sees
        session.add(ForumMember(forum_id=id_of(f3), organisation_id=id_of(org_a)))
        call1 = factories.call(session, staff, f1, invited=[org_a])
        call2 = factories.call(session, staff, f2, invited=[org_b])
        contact_a = factories.user(session, Role.MEMBER, org_a, password=None)
        _, token = invitations.create_invitation(
            session=session, actor=staff, call=call1, contact=contact_a
        )
        link = invitations.redeem_invitation(session=session, token=token)
        return World(
            actors={
                "staff": staff,
                "board": factories.actor(session, Role.BOARD),
                "member A": factories.actor(session, Role.MEMBER, org_a),
                "member B": factories.actor(session, Role.MEMBER, org_b),
                "link A": link,
            },
            forums={"F1": id_of(f1), "F2": id_of(f2), "F3": id_of(f3)},
            calls={"call 1": id_of(call1), "call 2": id_of(call2)},
        )


VISIBLE = {
    # person: (forums they list, calls they list)
    "staff": ({"F1", "F2", "F3", "*"}, {"call 1", "call 2"}),
    "board": ({"F1", "F2", "F3", "*"}, {"call 1", "call 2"}),
    "member A": ({"F1", "F3"}, {"call 1"}),
    "member B": ({"F2"}, {"call 2"}),
    "link A": (set(), {"call 1"}),
}


@pytest.mark.parametrize("person", list(VISIBLE))
def test_each_person_sees_exactly_their_forums_and_calls(engine: Engine, person: str) -> None:
    world = _world(engine)
    actor = world.actors[person]
    expected_forums, expected_calls = VISIBLE[person]
    names = {v: k for k, v in world.forums.items()}
    call_names = {v: k for k, v in world.calls.items()}
    with write_session(engine) as session:
        if "link" in person:
            with pytest.raises(PermissionDenied):
                forums.list_forums(session=session, actor=actor)
        else:
            listed = {
                names.get(id_of(s.forum), "*")
                for s in forums.list_forums(session=session, actor=actor)
            }
            assert listed == expected_forums
        listed_calls = {
            call_names[id_of(s.call)] for s in calls.open_calls(session=session, actor=actor)
        }
        assert listed_calls == expected_calls
        # Guessing ids of what they may not see does not help.
        for name, forum_id in world.forums.items():
            if name in expected_forums:
                forums.forum_overview(session=session, actor=actor, forum_id=forum_id)
            else:
                with pytest.raises(PermissionDenied):
                    forums.forum_overview(session=session, actor=actor, forum_id=forum_id)
        for name, call_id in world.calls.items():
            if name in expected_calls:
                calls.call_detail(session=session, actor=actor, call_id=call_id)
            else:
                with pytest.raises(PermissionDenied):
                    calls.call_detail(session=session, actor=actor, call_id=call_id)


def test_statements_are_visible_to_their_own_organisation_only(engine: Engine) -> None:
    world = _world(engine)
    with write_session(engine) as session:
        call1 = calls.get_call(
            session=session, actor=world.actors["staff"], call_id=world.calls["call 1"]
        )
        org_a = world.actors["member A"].organisation_id
        assert org_a is not None
        statement = factories.statement(session, call1, org_a)
        for person, allowed in [
            ("staff", True),
            ("board", True),
            ("member A", True),
            ("link A", True),
            ("member B", False),
        ]:
            actor = world.actors[person]
            action = A.STATEMENT_READ_ALL if actor.acts_for_association else A.STATEMENT_READ_OWN
            if allowed:
                require(actor, action, statement, session=session)
            else:
                with pytest.raises(PermissionDenied):
                    require(actor, action, statement, session=session)


@pytest.mark.parametrize("action", list(Action))
def test_review_link_holders_may_only_read_their_paper_and_review_it(action: Action) -> None:
    actor = Actor(
        user_id=1,
        name="X",
        email="x@test.example",
        role=Role.MEMBER,
        organisation_id=1,
        invitation_id=8,
        paper_id=4,
    )
    assert can(actor, action) is (action in {A.PAPER_READ, A.PAPER_REVIEW})


@dataclass
class ReviewWorld:
    staff: Actor
    member: Actor  # logged in, of the organisation the link is for
    link: Actor  # the review link to paper 1
    call_link: Actor  # an invitation link of the same contact to the call
    papers: dict[str, Paper]
    statement: Statement


def _review_world(engine: Engine) -> ReviewWorld:
    """Org A is invited to a call; both of the call's papers are in member review (paper 1
    and paper 2), a third paper of the call is still a draft. A's contact holds a review
    link to paper 1 and an invitation link to the call; A answered the call."""
    with write_session(engine) as session:
        staff = factories.actor(session, Role.STAFF)
        org_a = factories.organisation(session)
        forum = factories.forum(session, staff)
        call = factories.call(session, staff, forum, invited=[org_a])
        built = {}
        for name in ("paper 1", "paper 2", "draft"):
            paper = papers.create_paper(
                session=session,
                actor=staff,
                forum_id=id_of(forum),
                fields=papers.PaperFields(
                    title=name, kind=PaperKind.POSITION_PAPER, call_id=id_of(call)
                ),
            )
            section = papers.add_section(
                session=session, actor=staff, paper_id=id_of(paper), title="Forderungen"
            )
            papers.add_paragraph(
                session=session, actor=staff, section_id=id_of(section), text="Mehr Förderung."
            )
            if name != "draft":
                workflow.apply(
                    session=session, actor=staff, paper_id=id_of(paper), name="start_review"
                )
            built[name] = paper
        contact = factories.user(session, Role.MEMBER, org_a, password=None)
        _, review_token = invitations.create_review_link(
            session=session, actor=staff, paper=built["paper 1"], contact=contact
        )
        _, call_token = invitations.create_invitation(
            session=session, actor=staff, call=call, contact=contact
        )
        return ReviewWorld(
            staff=staff,
            member=Actor.for_user(contact),
            link=invitations.redeem_invitation(session=session, token=review_token),
            call_link=invitations.redeem_invitation(session=session, token=call_token),
            papers=built,
            statement=factories.statement(session, call, id_of(org_a)),
        )


# person: (the papers they may read, the papers they may review)
EVERY_PAPER = {"paper 1", "paper 2", "draft"}
PAPERS_SHARED = {
    "staff": (EVERY_PAPER, set()),
    "member": ({"paper 1", "paper 2"}, {"paper 1", "paper 2"}),
    "link": ({"paper 1"}, {"paper 1"}),
    "call_link": (set(), set()),
}


@pytest.mark.parametrize("person", list(PAPERS_SHARED))
def test_a_review_link_opens_exactly_its_paper_and_nothing_else(
    engine: Engine, person: str
) -> None:
    world = _review_world(engine)
    actor = getattr(world, person)
    with write_session(engine) as session:
        for action, allowed in zip(
            (A.PAPER_READ, A.PAPER_REVIEW), PAPERS_SHARED[person], strict=True
        ):
            for name, paper in world.papers.items():
                if name in allowed:
                    require(actor, action, paper, session=session)
                else:
                    with pytest.raises(PermissionDenied):
                        require(actor, action, paper, session=session)
        if person != "link":
            return
        # Nothing of the call, its forum or the organisation's statement.
        assert visible_call_ids(actor, session=session) == set()
        assert visible_forum_ids(actor, session=session) == set()
        for action in (A.STATEMENT_READ_OWN, A.STATEMENT_WRITE_OWN):
            with pytest.raises(PermissionDenied):
                require(actor, action, world.statement, session=session)
        with pytest.raises(PermissionDenied):
            calls.open_calls(session=session, actor=actor)
        with pytest.raises(PermissionDenied):
            forums.list_forums(session=session, actor=actor)
