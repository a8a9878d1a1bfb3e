from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import Call, CallInvitee, Invitation, Paper, Role, User, id_of
from positions.core.clock import BERLIN, utcnow
from positions.core.errors import InvalidInput, InvalidInvitation, PermissionDenied
from positions.core.permissions import Actor
from positions.forums import invitations
from positions.papers import workflow
from tests import factories
from tests.test_reviews_by_link import paper_in_review


def _setup(engine: Engine) -> tuple[int, str, int]:
    """A call, a member contact's invitation token, and the invitation id."""
    with write_session(engine) as session:
        staff = factories.actor(session, Role.STAFF)
        forum = factories.forum(session, staff)
        call = factories.call(session, staff, forum)
        contact = factories.user(session, Role.MEMBER, password=None)
        invitation, token = invitations.create_invitation(
            session=session, actor=staff, call=call, contact=contact
        )
        return id_of(call), token, id_of(invitation)


def test_an_invitation_link_opens_exactly_its_call(engine: Engine) -> None:
    call_id, token, invitation_id = _setup(engine)
    with write_session(engine) as session:
        actor = invitations.redeem_invitation(session=session, token=token)
    assert actor.call_id == call_id and actor.invitation_id == invitation_id
    assert actor.role is Role.MEMBER and actor.via_invitation
    with read_session(engine) as session:
        invitation = session.get(Invitation, invitation_id)
        assert invitation is not None and invitation.first_used_at is not None
        # The organisation is now invited to the call.
        assert session.get(CallInvitee, (call_id, actor.organisation_id)) is not None


def test_only_the_hash_of_the_token_is_stored(engine: Engine) -> None:
    _, token, _ = _setup(engine)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM invitation")).all()
    assert rows and all(token not in str(row) for row in rows)


def test_expired_links_are_refused_with_the_date(engine: Engine) -> None:
    _, token, invitation_id = _setup(engine)
    with read_session(engine) as session:
        invitation = session.get(Invitation, invitation_id)
        assert invitation is not None
        after_expiry = invitation.expires_at + timedelta(minutes=1)
    with pytest.raises(InvalidInvitation, match="abgelaufen"), write_session(engine) as session:
        invitations.redeem_invitation(session=session, token=token, now=after_expiry)


def test_revoked_links_stop_working_at_once_even_in_an_open_session(engine: Engine) -> None:
    _, token, invitation_id = _setup(engine)
    with write_session(engine) as session:
        invitations.redeem_invitation(session=session, token=token)
        staff = factories.actor(session, Role.STAFF)
        invitations.revoke_invitation(session=session, actor=staff, invitation_id=invitation_id)
    with pytest.raises(InvalidInvitation, match="zurückgezogen"), read_session(engine) as s:
        invitations.reload_invitation_actor(session=s, invitation_id=invitation_id)
    with pytest.raises(InvalidInvitation, match="zurückgezogen"), write_session(engine) as s:
        invitations.redeem_invitation(session=s, token=token)


@pytest.mark.parametrize("token", ["", "   ", "erfunden", "a" * 500])
def test_unknown_tokens_are_refused(engine: Engine, token: str) -> None:
    _setup(engine)
    with pytest.raises(InvalidInvitation, match="ungültig"), write_session(engine) as session:
        invitations.redeem_invitation(session=session, token=token)


def test_members_cannot_create_invitations_and_staff_only_for_member_contacts(
    engine: Engine,
) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session, Role.STAFF)
        call = factories.call(session, staff, factories.forum(session, staff))
        member_user = factories.user(session, Role.MEMBER)
        member = Actor.for_user(member_user)
        with pytest.raises(PermissionDenied):
            invitations.create_invitation(
                session=session, actor=member, call=call, contact=member_user
            )
        board_user = factories.user(session, Role.BOARD)
        with pytest.raises(InvalidInput, match="Ansprechpersonen"):
            invitations.create_invitation(
                session=session, actor=staff, call=call, contact=board_user
            )
        with pytest.raises(InvalidInput, match="Vergangenheit"):
            invitations.create_invitation(
                session=session,
                actor=staff,
                call=call,
                contact=member_user,
                expires_at=utcnow() - timedelta(days=1),
            )
        assert session.exec(select(Invitation)).all() == []


def _working_links(engine: Engine, contact_id: int, call_id: int) -> list[int]:
    with read_session(engine) as session:
        return [
            id_of(i)
            for i in session.exec(
                select(Invitation).where(
                    Invitation.contact_id == contact_id, Invitation.call_id == call_id
                )
            ).all()
            if i.revoked_at is None and i.expires_at > utcnow()
        ]


def test_a_new_link_revokes_the_contacts_earlier_link_to_the_same_call(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session, Role.STAFF)
        forum = factories.forum(session, staff)
        call = factories.call(session, staff, forum)
        other_call = factories.call(session, staff, forum)
        contact = factories.user(session, Role.MEMBER, password=None)
        colleague = factories.user(session, Role.MEMBER, password=None)
        _, old_token = invitations.create_invitation(
            session=session, actor=staff, call=call, contact=contact
        )
        elsewhere, _ = invitations.create_invitation(
            session=session, actor=staff, call=other_call, contact=contact
        )
        colleagues, _ = invitations.create_invitation(
            session=session, actor=staff, call=call, contact=colleague
        )
    with write_session(engine) as session:
        second, new_token = invitations.create_invitation(
            session=session, actor=staff, call=call, contact=contact
        )
    assert _working_links(engine, id_of(contact), id_of(call)) == [id_of(second)]
    with pytest.raises(InvalidInvitation, match="zurückgezogen"), write_session(engine) as s:
        invitations.redeem_invitation(session=s, token=old_token)
    with write_session(engine) as session:
        assert invitations.redeem_invitation(session=session, token=new_token).call_id == call.id
    # Other calls and other people keep their links.
    assert _working_links(engine, id_of(contact), id_of(other_call)) == [id_of(elsewhere)]
    assert _working_links(engine, id_of(colleague), id_of(call)) == [id_of(colleagues)]


# --- review links -----------------------------------------------------------------------------


def _review_setup(engine: Engine) -> tuple[Actor, int, int, int]:
    """Staff, a paper in member review of a call to one organisation, its contact, and a
    member of an organisation that is not asked to review."""
    with write_session(engine) as session:
        staff = factories.actor(session, Role.STAFF)
        invited = factories.organisation(session)
        paper = paper_in_review(session, staff, invited=[invited])
        contact = factories.user(session, Role.MEMBER, invited, password=None)
        stranger = factories.user(session, Role.MEMBER, password=None)
        return staff, id_of(paper), id_of(contact), id_of(stranger)


def test_a_review_link_opens_its_paper_until_some_days_after_the_review(engine: Engine) -> None:
    staff, paper_id, contact_id, _ = _review_setup(engine)
    with write_session(engine) as session:
        paper, contact = session.get_one(Paper, paper_id), session.get_one(User, contact_id)
        invitation, token = invitations.create_review_link(
            session=session, actor=staff, paper=paper, contact=contact
        )
        assert paper.review_deadline is not None
        last_day = paper.review_deadline + invitations.VALID_AFTER_REVIEW_DEADLINE
        assert invitation.expires_at == datetime.combine(last_day, time(23, 59), tzinfo=BERLIN)
        assert invitation.call_id is None and invitation.paper_id == paper_id
        actor = invitations.redeem_invitation(session=session, token=token)
    assert actor.paper_id == paper_id and actor.call_id is None
    assert actor.via_invitation and actor.via_review_link
    assert actor.organisation_id == contact.organisation_id
    with pytest.raises(InvalidInvitation, match="abgelaufen"), write_session(engine) as session:
        invitations.redeem_invitation(
            session=session, token=token, now=invitation.expires_at + timedelta(minutes=1)
        )


def test_review_links_only_for_contacts_asked_while_the_review_runs(engine: Engine) -> None:
    staff, paper_id, contact_id, stranger_id = _review_setup(engine)
    with write_session(engine) as session:
        paper = session.get_one(Paper, paper_id)
        contact, stranger = session.get_one(User, contact_id), session.get_one(User, stranger_id)
        with pytest.raises(InvalidInput, match="nicht zur Beteiligung"):
            invitations.create_review_link(
                session=session, actor=staff, paper=paper, contact=stranger
            )
        with pytest.raises(PermissionDenied):
            invitations.create_review_link(
                session=session, actor=Actor.for_user(contact), paper=paper, contact=contact
            )
        workflow.apply(session=session, actor=staff, paper_id=paper_id, name="to_board")
        with pytest.raises(InvalidInput, match="keine Mitgliederbeteiligung"):
            invitations.create_review_link(
                session=session, actor=staff, paper=paper, contact=contact
            )
        assert session.exec(select(Invitation)).all() == []


def test_one_working_review_link_per_contact_and_paper(engine: Engine) -> None:
    staff, paper_id, contact_id, _ = _review_setup(engine)
    with write_session(engine) as session:
        paper, contact = session.get_one(Paper, paper_id), session.get_one(User, contact_id)
        assert paper.call_id is not None
        call = session.get_one(Call, paper.call_id)
        to_call, call_token = invitations.create_invitation(
            session=session, actor=staff, call=call, contact=contact
        )
        first, first_token = invitations.create_review_link(
            session=session, actor=staff, paper=paper, contact=contact
        )
        second, second_token = invitations.create_review_link(
            session=session, actor=staff, paper=paper, contact=contact
        )
    with pytest.raises(InvalidInvitation, match="zurückgezogen"), write_session(engine) as s:
        invitations.redeem_invitation(session=s, token=first_token)
    with write_session(engine) as session:
        assert invitations.redeem_invitation(session=session, token=second_token).paper_id == (
            paper_id
        )
        # The contact's link to the call is another matter and keeps working.
        assert invitations.redeem_invitation(session=session, token=call_token).call_id == (call.id)
        rows = invitations.links_of_paper(session=session, actor=staff, paper_id=paper_id)
        states = {r.invitation.id: invitations.link_state(r.invitation, utcnow()) for r in rows}
    assert states == {
        first.id: invitations.LinkState.REVOKED,
        second.id: invitations.LinkState.USED,
    }
    assert to_call.id not in states


@pytest.mark.parametrize("scope", ["both", "neither"])
def test_a_link_belongs_to_a_call_or_to_a_paper(engine: Engine, scope: str) -> None:
    """The database itself refuses a link to both (or to nothing), on SQLite and PostgreSQL."""
    _, paper_id, contact_id, _ = _review_setup(engine)
    with write_session(engine) as session:
        paper = session.get_one(Paper, paper_id)
        organisation_id = session.get_one(User, contact_id).organisation_id
        assert organisation_id is not None
    link = Invitation(
        call_id=paper.call_id if scope == "both" else None,
        paper_id=paper_id if scope == "both" else None,
        organisation_id=organisation_id,
        contact_id=contact_id,
        token_hash=invitations.hash_token(scope),
        expires_at=utcnow() + timedelta(days=1),
    )
    with pytest.raises(sa.exc.IntegrityError), write_session(engine) as session:
        session.add(link)
