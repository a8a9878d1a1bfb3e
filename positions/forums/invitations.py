"""Personal invitation links: a member contact answers one call without an account.

The link carries a random token; the database keeps only its SHA-256, so a stolen database
copy opens no call. Links expire and can be revoked, and a contact holds at most one working
link per call: a new one (a reminder brings one, as the old token cannot be read back)
revokes the one before.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlmodel import Session, col, select

from db.models import Call, CallInvitee, Invitation, Organisation, Role, User, id_of
from positions.core import audit
from positions.core.clock import BERLIN, utcnow
from positions.core.errors import InvalidInput, InvalidInvitation, NotFound
from positions.core.permissions import Action, Actor, require

# After the external deadline a contact may still want to read what they sent.
VALID_AFTER_EXTERNAL_DEADLINE = timedelta(days=30)
QUERY_PARAMETER = "einladung"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def default_expiry(call: Call) -> datetime:
    last_day = call.external_deadline + VALID_AFTER_EXTERNAL_DEADLINE
    return datetime.combine(last_day, time(23, 59), tzinfo=BERLIN)


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
    if contact.role != Role.MEMBER or contact.organisation_id is None:
        raise InvalidInput("Einladungslinks gibt es nur für Ansprechpersonen von Mitgliedern.")
    if not contact.active:
        raise InvalidInput(f"Der Zugang von {contact.name} ist deaktiviert.")
    now = now or utcnow()
    expires_at = expires_at or default_expiry(call)
    if expires_at <= now:
        raise InvalidInput("Das Ablaufdatum des Einladungslinks liegt in der Vergangenheit.")
    assert call.id is not None
    if session.get(CallInvitee, (call.id, contact.organisation_id)) is None:
        session.add(CallInvitee(call_id=call.id, organisation_id=contact.organisation_id))
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        call_id=call.id,
        organisation_id=contact.organisation_id,
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


def revoke_earlier_links(
    *, session: Session, actor: Actor, invitation: Invitation, now: datetime | None = None
) -> None:
    """Revoke every other working link of the invitation's contact to its call."""
    require(actor, Action.INVITATION_MANAGE)
    now = now or utcnow()
    earlier = session.exec(
        select(Invitation).where(
            Invitation.call_id == invitation.call_id,
            Invitation.contact_id == invitation.contact_id,
            col(Invitation.id) != invitation.id,
            col(Invitation.revoked_at).is_(None),
            Invitation.expires_at > now,
        )
    ).all()
    for link in earlier:
        revoke_invitation(session=session, actor=actor, invitation_id=id_of(link), now=now)


def redeem_invitation(*, session: Session, token: str, now: datetime | None = None) -> Actor:
    """The actor for a link token, limited to its call; `InvalidInvitation` if unusable."""
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


@dataclass(frozen=True)
class LinkRow:
    """One personal link of a call, as staff see it (the token itself is never shown again)."""

    invitation: Invitation
    contact: str
    email: str
    organisation: str

    def state(self, now: datetime) -> str:
        if self.invitation.revoked_at is not None:
            return "zurückgezogen"
        if self.invitation.expires_at <= now:
            return "abgelaufen"
        return "benutzt" if self.invitation.first_used_at else "noch nicht benutzt"

    def usable(self, now: datetime) -> bool:
        return self.invitation.revoked_at is None and self.invitation.expires_at > now


def links_of_call(*, session: Session, actor: Actor, call_id: int) -> list[LinkRow]:
    """Every personal link made for a call, newest first."""
    require(actor, Action.INVITATION_MANAGE)
    rows = session.exec(
        select(Invitation, User, Organisation)
        .join(User, col(User.id) == Invitation.contact_id)
        .join(Organisation, col(Organisation.id) == Invitation.organisation_id)
        .where(Invitation.call_id == call_id)
        .order_by(col(Invitation.created_at).desc(), col(Invitation.id).desc())
    ).all()
    return [LinkRow(invitation, user.name, user.email, org.name) for invitation, user, org in rows]
