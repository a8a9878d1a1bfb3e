"""Personal links: a member contact answers one call, or reviews one paper, without an account.

The link carries a random token; the database keeps only its SHA-256, so a stolen database
copy opens nothing. Links expire and can be revoked, and a contact holds at most one working
link per call and one per paper under review: a new one (a reminder brings one, as the old
token cannot be read back) revokes the one before.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from db.models import (
    Call,
    CallInvitee,
    Invitation,
    Organisation,
    Paper,
    PaperStatus,
    Role,
    User,
    id_of,
)
from positions.core import audit
from positions.core.clock import BERLIN, utcnow
from positions.core.errors import InvalidInput, InvalidInvitation, NotFound
from positions.core.permissions import Action, Actor, require, reviewing_organisation_ids

# After the external deadline a contact may still want to read what they sent.
VALID_AFTER_EXTERNAL_DEADLINE = timedelta(days=30)
# After the review deadline a reviewer may still want to read what they said.
VALID_AFTER_REVIEW_DEADLINE = timedelta(days=14)
QUERY_PARAMETER = "einladung"


class LinkState(StrEnum):
    """Where a personal link stands, as staff see it (labels: `labels.LINK_STATE`)."""

    OPEN = "open"  # working, not opened yet
    USED = "used"  # working, opened at least once
    EXPIRED = "expired"
    REVOKED = "revoked"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59), tzinfo=BERLIN)


def default_expiry(call: Call) -> datetime:
    return _end_of(call.external_deadline + VALID_AFTER_EXTERNAL_DEADLINE)


def review_link_expiry(paper: Paper) -> datetime:
    """When a link to the paper's review stops working: some days after the review ends."""
    if paper.review_deadline is None:
        raise InvalidInput("Für dieses Papier läuft keine Mitgliederbeteiligung.")
    return _end_of(paper.review_deadline + VALID_AFTER_REVIEW_DEADLINE)


def link_address(base_url: str, token: str) -> str:
    """The address of a personal link: the app's home, which for a review link is its
    paper and for an invitation link the start page leading to its call."""
    return f"{base_url.rstrip('/')}/?{QUERY_PARAMETER}={token}"


def _check_contact(contact: User) -> int:
    """The organisation of a contact who may get a personal link."""
    if contact.role != Role.MEMBER or contact.organisation_id is None:
        raise InvalidInput("Einladungslinks gibt es nur für Ansprechpersonen von Mitgliedern.")
    if not contact.active:
        raise InvalidInput(f"Der Zugang von {contact.name} ist deaktiviert.")
    return contact.organisation_id


def create_invitation(
    *,
    session: Session,
    actor: Actor,
    call: Call,
    contact: User,
    expires_at: datetime | None = None,
    now: datetime | None = None,
    revoke_earlier: bool = True,
) -> tuple[Invitation, str]:
    """A new link for `contact` (a member contact) to `call`; returns the row and the token.

    The token is shown once, to go into the e-mail; it cannot be read back later. The
    contact's earlier working links to the call are revoked with it, unless the caller must
    first deliver the new one (`revoke_earlier=False`, then `revoke_earlier_links`).
    """
    require(actor, Action.INVITATION_MANAGE)
    organisation_id = _check_contact(contact)
    call_id = id_of(call)
    link = _new_link(
        session=session,
        actor=actor,
        contact=contact,
        organisation_id=organisation_id,
        call_id=call_id,
        expires_at=expires_at or default_expiry(call),
        now=now,
        revoke_earlier=revoke_earlier,
    )
    if session.get(CallInvitee, (call_id, organisation_id)) is None:
        session.add(CallInvitee(call_id=call_id, organisation_id=organisation_id))
    return link


def create_review_link(
    *,
    session: Session,
    actor: Actor,
    paper: Paper,
    contact: User,
    now: datetime | None = None,
    revoke_earlier: bool = True,
) -> tuple[Invitation, str]:
    """A new link for `contact` to review `paper` (while its member review runs, for a
    contact of an organisation asked to review it); returns the row and the token, as
    `create_invitation` does."""
    require(actor, Action.INVITATION_MANAGE)
    organisation_id = _check_contact(contact)
    if paper.status != PaperStatus.MEMBER_REVIEW:
        raise InvalidInput("Für dieses Papier läuft keine Mitgliederbeteiligung.")
    if organisation_id not in reviewing_organisation_ids(session=session, paper=paper):
        raise InvalidInput(
            f"Die Organisation von {contact.name} ist nicht zur Beteiligung an diesem Papier "
            "eingeladen."
        )
    return _new_link(
        session=session,
        actor=actor,
        contact=contact,
        organisation_id=organisation_id,
        paper_id=id_of(paper),
        expires_at=review_link_expiry(paper),
        now=now,
        revoke_earlier=revoke_earlier,
    )


def _new_link(
    *,
    session: Session,
    actor: Actor,
    contact: User,
    organisation_id: int,
    call_id: int | None = None,
    paper_id: int | None = None,
    expires_at: datetime,
    now: datetime | None,
    revoke_earlier: bool,
) -> tuple[Invitation, str]:
    now = now or utcnow()
    if expires_at <= now:
        raise InvalidInput("Das Ablaufdatum des Einladungslinks liegt in der Vergangenheit.")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        call_id=call_id,
        paper_id=paper_id,
        organisation_id=organisation_id,
        contact_id=id_of(contact),
        token_hash=hash_token(token),
        expires_at=expires_at,
        created_by_id=actor.user_id or None,
        created_at=now,
    )
    session.add(invitation)
    session.flush()
    audit.created(session=session, actor_id=actor.user_id, row=invitation, now=now)
    if revoke_earlier:
        revoke_earlier_links(session=session, actor=actor, invitation=invitation, now=now)
    return invitation, token


def _same_scope(invitation: Invitation) -> ColumnElement[bool]:
    """Links to what `invitation` opens: its call, or its paper."""
    if invitation.paper_id is not None:
        return col(Invitation.paper_id) == invitation.paper_id
    return col(Invitation.call_id) == invitation.call_id


def revoke_earlier_links(
    *, session: Session, actor: Actor, invitation: Invitation, now: datetime | None = None
) -> None:
    """Revoke every other working link of the invitation's contact to its call or paper."""
    require(actor, Action.INVITATION_MANAGE)
    now = now or utcnow()
    earlier = session.exec(
        select(Invitation).where(
            _same_scope(invitation),
            Invitation.contact_id == invitation.contact_id,
            col(Invitation.id) != invitation.id,
            col(Invitation.revoked_at).is_(None),
            Invitation.expires_at > now,
        )
    ).all()
    for link in earlier:
        revoke_invitation(session=session, actor=actor, invitation_id=id_of(link), now=now)


def redeem_invitation(*, session: Session, token: str, now: datetime | None = None) -> Actor:
    """The actor for a link token, limited to its call or paper; `InvalidInvitation` if
    unusable."""
    now = now or utcnow()
    token = token.strip()
    invitation = (
        session.exec(select(Invitation).where(Invitation.token_hash == hash_token(token))).first()
        if token
        else None
    )
    actor = _actor_for(session=session, invitation=invitation, now=now)
    assert invitation is not None
    invitation.first_used_at = invitation.first_used_at or now
    invitation.last_used_at = now
    session.add(invitation)
    return actor


def reload_invitation_actor(
    *, session: Session, invitation_id: int, now: datetime | None = None
) -> Actor:
    """The actor of an invitation already redeemed in this browser session, checked again
    so that a revoked or expired link stops working at once. Writes nothing."""
    invitation = session.get(Invitation, invitation_id)
    return _actor_for(session=session, invitation=invitation, now=now or utcnow())


def _actor_for(*, session: Session, invitation: Invitation | None, now: datetime) -> Actor:
    if invitation is None:
        raise InvalidInvitation(
            "Dieser Einladungslink ist ungültig. Bitte prüfen Sie, ob der Link vollständig "
            "kopiert wurde, oder fordern Sie beim Referat einen neuen an."
        )
    if invitation.revoked_at is not None:
        raise InvalidInvitation(
            "Dieser Einladungslink wurde zurückgezogen. Bitte fordern Sie beim Referat einen "
            "neuen Link an."
        )
    if invitation.expires_at <= now:
        raise InvalidInvitation(
            f"Dieser Einladungslink ist am {invitation.expires_at.astimezone(BERLIN):%d.%m.%Y} "
            "abgelaufen. Bitte fordern Sie beim Referat einen neuen Link an."
        )
    contact = session.get(User, invitation.contact_id)
    if contact is None or not contact.active:
        raise InvalidInvitation("Der Zugang zu diesem Einladungslink ist deaktiviert.")
    return Actor.for_user(contact, invitation=invitation)


def revoke_invitation(
    *, session: Session, actor: Actor, invitation_id: int, now: datetime | None = None
) -> Invitation:
    require(actor, Action.INVITATION_MANAGE)
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound("Diesen Einladungslink gibt es nicht.")
    if invitation.revoked_at is None:
        invitation.revoked_at = now or utcnow()
        session.add(invitation)
        audit.record(
            session=session,
            actor_id=actor.user_id,
            action="revoke",
            object_type="invitation",
            object_id=invitation.id,
            now=now,
        )
    return invitation


def link_state(invitation: Invitation, now: datetime) -> LinkState:
    if invitation.revoked_at is not None:
        return LinkState.REVOKED
    if invitation.expires_at <= now:
        return LinkState.EXPIRED
    return LinkState.USED if invitation.first_used_at else LinkState.OPEN


def usable(invitation: Invitation, now: datetime) -> bool:
    return link_state(invitation, now) in {LinkState.OPEN, LinkState.USED}


@dataclass(frozen=True)
class LinkRow:
    """One personal link, as staff see it (the token itself is never shown again)."""

    invitation: Invitation
    contact: str
    email: str
    organisation: str


def links_of_call(*, session: Session, actor: Actor, call_id: int) -> list[LinkRow]:
    """Every personal link made for a call, newest first."""
    return _links(session=session, actor=actor, where=col(Invitation.call_id) == call_id)


def links_of_paper(*, session: Session, actor: Actor, paper_id: int) -> list[LinkRow]:
    """Every personal link made for a paper's member review, newest first."""
    return _links(session=session, actor=actor, where=col(Invitation.paper_id) == paper_id)


def _links(*, session: Session, actor: Actor, where: ColumnElement[bool]) -> list[LinkRow]:
    require(actor, Action.INVITATION_MANAGE)
    rows = session.exec(
        select(Invitation, User, Organisation)
        .join(User, col(User.id) == Invitation.contact_id)
        .join(Organisation, col(Organisation.id) == Invitation.organisation_id)
        .where(where)
        .order_by(col(Invitation.created_at).desc(), col(Invitation.id).desc())
    ).all()
    return [LinkRow(invitation, user.name, user.email, org.name) for invitation, user, org in rows]
