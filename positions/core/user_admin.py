"""Administering users: adding them with a link to set their password, changing name, role
and organisation, deactivating and reactivating. Only administrators may do any of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from db.models import Organisation, OrganisationKind, PasswordTokenPurpose, Role, User, id_of
from positions.core import accounts, audit, password_links, sessions
from positions.core.accounts import FieldInvalid
from positions.core.clock import utcnow
from positions.core.errors import InvalidInput, NotFound
from positions.core.permissions import Action, Actor, require

LAST_ADMIN = (
    "Das ist der letzte aktive Zugang mit der Rolle Administration. Legen Sie zuerst einen "
    "weiteren an, sonst kann niemand mehr Benutzer und Einstellungen verwalten."
)


@dataclass(frozen=True)
class UserRow:
    """One user as the administration's list shows them."""

    user_id: int
    email: str
    name: str
    role: Role
    organisation_id: int | None
    organisation: str
    active: bool
    has_password: bool
    last_login_at: datetime | None


def list_users(
    *, session: Session, actor: Actor, role: Role | None = None, active: bool | None = None
) -> list[UserRow]:
    """Every user (erased ones excepted), by name; optionally only one role or state."""
    require(actor, Action.USER_MANAGE)
    query = (
        select(User, Organisation.name)
        .join(Organisation, col(Organisation.id) == col(User.organisation_id), isouter=True)
        .where(col(User.erased_at).is_(None))
        .order_by(func.lower(User.name), col(User.id))
    )
    if role is not None:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(col(User.active) == active)
    return [
        UserRow(
            user_id=id_of(user),
            email=user.email,
            name=user.name,
            role=user.role,
            organisation_id=user.organisation_id,
            organisation=organisation or "",
            active=user.active,
            has_password=user.password_hash is not None,
            last_login_at=user.last_login_at,
        )
        for user, organisation in session.exec(query).all()
    ]


def add_user(
    *,
    session: Session,
    actor: Actor,
    email: str,
    name: str,
    role: Role,
    organisation_id: int | None = None,
    now: datetime | None = None,
) -> password_links.IssuedLink:
    """A new user without a password, and the link with which they set one themselves."""
    require(actor, Action.USER_MANAGE)
    _only_members_belong_to_a_company(role, organisation_id)
    user = accounts.create_user(
        session=session,
        actor=actor,
        email=email,
        name=name,
        role=role,
        organisation_id=organisation_id,
    )
    return password_links.issue(
        session=session,
        actor=actor,
        user_id=id_of(user),
        purpose=PasswordTokenPurpose.SET,
        now=now,
    )


def update_user(
    *,
    session: Session,
    actor: Actor,
    user_id: int,
    name: str,
    role: Role,
    organisation_id: int | None = None,
    now: datetime | None = None,
) -> User:
    """Change name, role and (for member contacts) organisation. A new role or organisation
    ends the person's sessions, so that what they may see changes at their next click."""
    require(actor, Action.USER_MANAGE)
    now = now or utcnow()
    user = _user(session, user_id)
    name = accounts.validate_name(name)
    _only_members_belong_to_a_company(role, organisation_id)
    if role == Role.MEMBER:
        accounts.check_organisation(session=session, role=role, organisation_id=organisation_id)
    else:
        # Staff, board and admins may belong to the association itself; a contact who
        # leaves the member role leaves their company behind.
        organisation_id = user.organisation_id if user.role != Role.MEMBER else None
    if user.role == Role.ADMIN and user.active and role != Role.ADMIN:
        _keep_another_admin(session, user)
    role_changed = (user.role, user.organisation_id) != (role, organisation_id)
    before = user.model_dump()
    user.name, user.role, user.organisation_id = name, role, organisation_id
    session.add(user)
    if role_changed:
        sessions.end_user_sessions(session=session, user_id=user_id, reason="role_changed", now=now)
        audit.record(
            session=session,
            actor_id=actor.user_id,
            action="user_role_changed",
            object_type="user",
            object_id=user_id,
            before=before,
            after=user,
            detail={"from": str(before["role"]), "to": role.value},
            now=now,
        )
    elif before["name"] != name:
        audit.record(
            session=session,
            actor_id=actor.user_id,
            action="update",
            object_type="user",
            object_id=user_id,
            before=before,
            after=user,
            now=now,
        )
    return user


def deactivate(
    *, session: Session, actor: Actor, user_id: int, now: datetime | None = None
) -> User:
    """The person can no longer sign in; their sessions and unused password links end."""
    require(actor, Action.USER_MANAGE)
    now = now or utcnow()
    user = _user(session, user_id)
    if not user.active:
        return user
    if user.role == Role.ADMIN:
        _keep_another_admin(session, user)
    user.active = False
    session.add(user)
    sessions.end_user_sessions(session=session, user_id=user_id, reason="deactivated", now=now)
    password_links.void_links(session=session, user_id=user_id, now=now)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="user_deactivated",
        object_type="user",
        object_id=user_id,
        now=now,
    )
    return user


def reactivate(
    *, session: Session, actor: Actor, user_id: int, now: datetime | None = None
) -> User:
    """The person may sign in again with their password (or a new link)."""
    require(actor, Action.USER_MANAGE)
    user = _user(session, user_id)
    if user.active:
        return user
    user.active = True
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="user_reactivated",
        object_type="user",
        object_id=user_id,
        now=now,
    )
    return user


def get_user(*, session: Session, actor: Actor, user_id: int) -> User:
    require(actor, Action.USER_MANAGE)
    user = session.get(User, user_id)
    if user is None or user.erased_at is not None:
        raise NotFound("Diesen Benutzer gibt es nicht.")
    return user


def user_id_for_email(*, session: Session, actor: Actor, email: str) -> int:
    """The id of the account with this address (`NotFound` with a German message)."""
    require(actor, Action.USER_MANAGE)
    user = accounts.user_for_email(session=session, email=email)
    if user is None or user.erased_at is not None:
        raise NotFound(f"Es gibt keinen Zugang für {accounts.normalise_email(email)}.")
    return id_of(user)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.erased_at is not None:
        raise NotFound("Diesen Benutzer gibt es nicht.")
    return user


def _only_members_belong_to_a_company(role: Role, organisation_id: int | None) -> None:
    if role != Role.MEMBER and organisation_id is not None:
        raise FieldInvalid(
            "organisation", "Nur Mitgliedszugänge gehören zu einem Mitgliedsunternehmen."
        )


def _keep_another_admin(session: Session, leaving: User) -> None:
    """Refuse to take the role or the account of the last active administrator.

    The active administrators' rows are locked, in the order of their ids so that two such
    changes wait for each other instead of deadlocking: two administrators demoting each
    other at the same moment on PostgreSQL cannot both succeed (SQLite serialises writes)."""
    admins = session.exec(
        select(User.id)
        .where(User.role == Role.ADMIN, col(User.active), col(User.erased_at).is_(None))
        .order_by(col(User.id))
        .with_for_update()
    ).all()
    if not set(admins) - {leaving.id}:
        raise InvalidInput(LAST_ADMIN)


def organisation_choices(*, session: Session, actor: Actor) -> list[tuple[int, str]]:
    """(id, name) of the active organisations a member contact can belong to."""
    require(actor, Action.USER_MANAGE)
    rows = session.exec(
        select(Organisation.id, Organisation.name)
        .where(col(Organisation.active), Organisation.kind != OrganisationKind.ASSOCIATION)
        .order_by(func.lower(Organisation.name))
    ).all()
    return [(id_, name) for id_, name in rows if id_ is not None]
