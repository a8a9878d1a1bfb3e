"""The member register: member organisations (address, membership, Fachforen) and their
contacts (member users, with the forums they receive calls for).

Nothing is deleted. An organisation or a contact that leaves is retired (`active` False):
its statements, reviews and history stay, it is no longer offered, and a retired contact
can neither log in nor open an invitation link. The association itself is an organisation
too, but no member: the register neither lists nor changes it.

Names are compared case-insensitively in Python (`name_key`), not with SQL `lower()`,
which on SQLite folds only ASCII and would let "Ärger GmbH" and "ÄRGER GMBH" both in.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import delete
from sqlmodel import Session, col, select

from db.models import (
    Call,
    CallInvitee,
    ContactForum,
    Forum,
    ForumMember,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    Paper,
    PaperVersion,
    Review,
    Role,
    Stance,
    Statement,
    StatementStatus,
    User,
    Visibility,
    id_of,
)
from positions.core import attribution, audit, cleaning
from positions.core.accounts import validate_email
from positions.core.clock import today_in_berlin
from positions.core.errors import FieldErrors, InvalidInput, NotFound
from positions.core.permissions import Action, Actor, require

MEMBER_KINDS = (OrganisationKind.COMPANY, OrganisationKind.RESEARCH, OrganisationKind.PARTNER)
NOT_FOUND = "Dieses Mitglied gibt es nicht."
CONTACT_NOT_FOUND = "Diese Ansprechperson gibt es nicht."

# Column sizes of db.models.Organisation and db.models.User.
MAX_ORGANISATION_NAME = 200
MAX_SHORT_NAME = 60
MAX_STREET = 200
MAX_POSTAL_CODE = 10
MAX_CITY = 100
MAX_WEBSITE = 300
MAX_GIVEN_NAME = 100
MAX_FAMILY_NAME = 100
MAX_FUNCTION = 200
MAX_PHONE = 60

# German, Austrian, Swiss, Dutch or British codes: letters, digits, a space or a hyphen.
_POSTAL_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z -]*$")
_BARE_DOMAIN = re.compile(r"^[^\s/:]+\.[^\s/:]{2,}(/\S*)?$")


def name_key(name: str) -> str:
    """How two names are compared: cleaned, case-insensitive ("ß" and "ss" alike)."""
    return cleaning.clean_line(name).casefold()


def name_parts(contact: User) -> tuple[str, str]:
    """A contact's given and family name; for a contact stored with only a display name,
    its last word taken as the family name (so that an export can be read back unchanged)."""
    if contact.given_name or contact.family_name:
        return contact.given_name, contact.family_name
    given, _, family = contact.name.rpartition(" ")
    return given, family


def display_name(given_name: str, family_name: str) -> str:
    return f"{given_name} {family_name}".strip()


# --- organisations --------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationFields:
    """What staff enter for a member organisation; `forum_ids` are its Fachforen and forums."""

    name: str
    short_name: str = ""
    kind: OrganisationKind = OrganisationKind.COMPANY
    street: str = ""
    postal_code: str = ""
    city: str = ""
    website: str = ""
    status: MembershipStatus = MembershipStatus.MEMBER
    member_since: date | None = None
    member_until: date | None = None
    notes: str = ""
    forum_ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, organisation: Organisation, forum_ids: Iterable[int]) -> OrganisationFields:
        """The fields as stored, to fill an edit form."""
        return cls(
            name=organisation.name,
            short_name=organisation.short_name,
            kind=organisation.kind,
            street=organisation.street,
            postal_code=organisation.postal_code,
            city=organisation.city,
            website=organisation.website,
            status=organisation.status,
            member_since=organisation.member_since,
            member_until=organisation.member_until,
            notes=organisation.notes,
            forum_ids=tuple(sorted(forum_ids)),
        )


def create_organisation(
    *, session: Session, actor: Actor, fields: OrganisationFields, now: datetime | None = None
) -> Organisation:
    require(actor, Action.MEMBER_MANAGE)
    fields = _validated_organisation(session=session, fields=fields, organisation_id=None)
    stored = asdict(fields)
    forum_ids = stored.pop("forum_ids")
    organisation = Organisation(**stored)
    session.add(organisation)
    session.flush()
    _set_forums(session, id_of(organisation), forum_ids)
    audit.created(session=session, actor_id=actor.user_id, row=organisation, now=now)
    return organisation


def update_organisation(
    *,
    session: Session,
    actor: Actor,
    organisation_id: int,
    fields: OrganisationFields,
    now: datetime | None = None,
) -> Organisation:
    """Change an organisation's fields and forums; contacts lose the forums it leaves."""
    require(actor, Action.MEMBER_MANAGE)
    organisation = _organisation(session, organisation_id)
    before = {
        **organisation.model_dump(),
        "forums": sorted(_forum_ids_of(session, organisation_id)),
    }
    fields = _validated_organisation(
        session=session, fields=fields, organisation_id=organisation_id
    )
    stored = asdict(fields)
    forum_ids = stored.pop("forum_ids")
    for name, value in stored.items():
        setattr(organisation, name, value)
    session.add(organisation)
    _set_forums(session, organisation_id, forum_ids)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="update",
        object_type="organisation",
        object_id=organisation_id,
        before=before,
        after={**organisation.model_dump(), "forums": sorted(forum_ids)},
        now=now,
    )
    return organisation


def retire_organisation(
    *,
    session: Session,
    actor: Actor,
    organisation_id: int,
    until: date | None = None,
    now: datetime | None = None,
) -> Organisation:
    """Mark an organisation as no longer a member (membership ends `until`, default today);
    its contacts retire with it. Statements, reviews and history stay."""
    require(actor, Action.MEMBER_MANAGE)
    organisation = _organisation(session, organisation_id)
    until = until or today_in_berlin(now)
    if organisation.member_since is not None and until < organisation.member_since:
        raise FieldErrors({"member_until": "Das Ende der Mitgliedschaft liegt vor ihrem Beginn."})
    organisation.active = False
    organisation.member_until = until
    session.add(organisation)
    contacts = session.exec(
        select(User).where(User.organisation_id == organisation_id, col(User.active))
    ).all()
    for contact in contacts:
        _set_contact_active(session, actor, contact, active=False, now=now)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="retire",
        object_type="organisation",
        object_id=organisation_id,
        detail={"until": until.isoformat(), "contacts": len(contacts)},
        now=now,
    )
    return organisation


def reactivate_organisation(
    *, session: Session, actor: Actor, organisation_id: int, now: datetime | None = None
) -> Organisation:
    """Take a retired organisation back as a member (its contacts stay retired until staff
    reactivate each of them)."""
    require(actor, Action.MEMBER_MANAGE)
    organisation = _organisation(session, organisation_id)
    if not organisation.active:
        organisation.active = True
        organisation.member_until = None
        session.add(organisation)
        audit.record(
            session=session,
            actor_id=actor.user_id,
            action="reactivate",
            object_type="organisation",
            object_id=organisation_id,
            now=now,
        )
    return organisation


def get_organisation(*, session: Session, actor: Actor, organisation_id: int) -> Organisation:
    require(actor, Action.MEMBER_READ)
    return _organisation(session, organisation_id)


def forum_choices(*, session: Session, actor: Actor) -> list[Forum]:
    """Every forum an organisation or contact can be assigned to, by short name."""
    require(actor, Action.MEMBER_READ)
    return list(session.exec(select(Forum).order_by(col(Forum.short_name))).all())


def _organisation(session: Session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind == OrganisationKind.ASSOCIATION:
        raise NotFound(NOT_FOUND)
    return organisation


def _validated_organisation(
    *, session: Session, fields: OrganisationFields, organisation_id: int | None
) -> OrganisationFields:
    fields = replace(
        fields,
        name=cleaning.clean_line(fields.name),
        short_name=cleaning.clean_line(fields.short_name),
        street=cleaning.clean_line(fields.street),
        postal_code=cleaning.clean_line(fields.postal_code),
        city=cleaning.clean_line(fields.city),
        website=_website(cleaning.clean_line(fields.website)),
        notes=cleaning.clean(fields.notes),
        forum_ids=tuple(sorted(set(fields.forum_ids))),
    )
    problems: dict[str, str] = {}
    if not fields.name:
        problems["name"] = "Bitte geben Sie den Namen der Organisation an."
    elif len(fields.name) > MAX_ORGANISATION_NAME:
        problems["name"] = f"Der Name darf höchstens {MAX_ORGANISATION_NAME} Zeichen haben."
    elif (clash := _name_taken(session, fields.name, organisation_id)) is not None:
        problems["name"] = f"Eine Organisation „{clash}“ gibt es bereits."
    for name, limit, label in (
        ("short_name", MAX_SHORT_NAME, "Der Kurzname"),
        ("street", MAX_STREET, "Die Straße"),
        ("city", MAX_CITY, "Der Ort"),
        ("website", MAX_WEBSITE, "Die Webadresse"),
    ):
        if len(getattr(fields, name)) > limit:
            problems[name] = f"{label} darf höchstens {limit} Zeichen haben."
    if fields.postal_code and (
        len(fields.postal_code) > MAX_POSTAL_CODE or not _POSTAL_CODE.match(fields.postal_code)
    ):
        problems["postal_code"] = f"„{fields.postal_code}“ ist keine gültige Postleitzahl."
    if fields.website and not fields.website.startswith(("https://", "http://")):
        problems["website"] = "Die Webadresse muss mit https:// oder http:// beginnen."
    if fields.kind not in MEMBER_KINDS:
        problems["kind"] = "Bitte wählen Sie Unternehmen, Forschung und Lehre oder Partner."
    if (
        fields.member_since is not None
        and fields.member_until is not None
        and fields.member_until < fields.member_since
    ):
        problems["member_until"] = "Das Ende der Mitgliedschaft liegt vor ihrem Beginn."
    known = set(session.exec(select(Forum.id)).all())
    if not set(fields.forum_ids) <= known:
        problems["forum_ids"] = "Eines der gewählten Foren gibt es nicht mehr."
    if problems:
        raise FieldErrors(problems)
    return fields


def _website(value: str) -> str:
    """An address typed without its scheme ("www.firma.de") gets https://."""
    if value and not value.startswith(("https://", "http://")) and _BARE_DOMAIN.match(value):
        return "https://" + value
    return value


def _name_taken(session: Session, name: str, organisation_id: int | None) -> str | None:
    """The stored name that `name` clashes with (case-insensitively), if any."""
    key = name_key(name)
    for other_id, other in session.exec(select(Organisation.id, Organisation.name)).all():
        if other_id != organisation_id and name_key(other) == key:
            return other
    return None


def _forum_ids_of(session: Session, organisation_id: int) -> set[int]:
    return set(
        session.exec(
            select(ForumMember.forum_id).where(ForumMember.organisation_id == organisation_id)
        ).all()
    )


def _set_forums(session: Session, organisation_id: int, forum_ids: Iterable[int]) -> None:
    """Make the organisation a member of exactly these forums; its contacts stop receiving
    calls for a forum it leaves."""
    wanted = set(forum_ids)
    current = _forum_ids_of(session, organisation_id)
    left = current - wanted
    if left:
        session.execute(
            delete(ForumMember).where(
                col(ForumMember.organisation_id) == organisation_id,
                col(ForumMember.forum_id).in_(left),
            )
        )
        contacts = select(User.id).where(User.organisation_id == organisation_id)
        session.execute(
            delete(ContactForum).where(
                col(ContactForum.user_id).in_(contacts), col(ContactForum.forum_id).in_(left)
            )
        )
    for forum_id in sorted(wanted - current):
        session.add(ForumMember(forum_id=forum_id, organisation_id=organisation_id))
    session.flush()


# --- contacts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactFields:
    """What staff enter for a contact; `forum_ids` are the forums they receive calls for
    (none: all of their organisation's)."""

    given_name: str
    family_name: str
    email: str
    function: str = ""
    phone: str = ""
    forum_ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, contact: User, forum_ids: Iterable[int]) -> ContactFields:
        given, family = name_parts(contact)
        return cls(
            given_name=given,
            family_name=family,
            email=contact.email,
            function=contact.function,
            phone=contact.phone,
            forum_ids=tuple(sorted(forum_ids)),
        )


def add_contact(
    *,
    session: Session,
    actor: Actor,
    organisation_id: int,
    fields: ContactFields,
    now: datetime | None = None,
) -> User:
    """A new contact of a member organisation (no password: they use invitation links
    until an administrator gives them a login)."""
    require(actor, Action.MEMBER_MANAGE)
    organisation = _organisation(session, organisation_id)
    if not organisation.active:
        raise InvalidInput(
            "Diese Organisation ist ausgeschieden; bitte nehmen Sie sie zuerst wieder auf."
        )
    fields = _validated_contact(
        session=session, fields=fields, organisation_id=organisation_id, contact_id=None
    )
    contact = User(
        email=fields.email,
        name=display_name(fields.given_name, fields.family_name),
        given_name=fields.given_name,
        family_name=fields.family_name,
        function=fields.function,
        phone=fields.phone,
        role=Role.MEMBER,
        organisation_id=organisation_id,
    )
    session.add(contact)
    session.flush()
    _set_contact_forums(session, id_of(contact), fields.forum_ids)
    audit.created(session=session, actor_id=actor.user_id, row=contact, now=now)
    return contact


def update_contact(
    *,
    session: Session,
    actor: Actor,
    contact_id: int,
    fields: ContactFields,
    now: datetime | None = None,
) -> User:
    require(actor, Action.MEMBER_MANAGE)
    contact = _contact(session, contact_id)
    assert contact.organisation_id is not None
    before = {**contact.model_dump(), "forums": sorted(_contact_forum_ids(session, contact_id))}
    fields = _validated_contact(
        session=session,
        fields=fields,
        organisation_id=contact.organisation_id,
        contact_id=contact_id,
    )
    contact.email = fields.email
    contact.given_name = fields.given_name
    contact.family_name = fields.family_name
    contact.name = display_name(fields.given_name, fields.family_name)
    contact.function = fields.function
    contact.phone = fields.phone
    session.add(contact)
    _set_contact_forums(session, contact_id, fields.forum_ids)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="update",
        object_type="users",
        object_id=contact_id,
        before=before,
        after={**contact.model_dump(), "forums": sorted(fields.forum_ids)},
        now=now,
    )
    return contact


def retire_contact(
    *, session: Session, actor: Actor, contact_id: int, now: datetime | None = None
) -> User:
    """The contact left: no more invitations, links or logins; their statements stay."""
    require(actor, Action.MEMBER_MANAGE)
    contact = _contact(session, contact_id)
    _set_contact_active(session, actor, contact, active=False, now=now)
    return contact


def reactivate_contact(
    *, session: Session, actor: Actor, contact_id: int, now: datetime | None = None
) -> User:
    require(actor, Action.MEMBER_MANAGE)
    contact = _contact(session, contact_id)
    assert contact.organisation_id is not None
    if not _organisation(session, contact.organisation_id).active:
        raise InvalidInput(
            "Die Organisation dieser Ansprechperson ist ausgeschieden; bitte nehmen Sie "
            "zuerst die Organisation wieder auf."
        )
    _set_contact_active(session, actor, contact, active=True, now=now)
    return contact


def _set_contact_active(
    session: Session, actor: Actor, contact: User, *, active: bool, now: datetime | None
) -> None:
    if contact.active == active:
        return
    contact.active = active
    session.add(contact)
    audit.record(
        session=session,
        actor_id=actor.user_id,
        action="reactivate" if active else "retire",
        object_type="users",
        object_id=contact.id,
        now=now,
    )


def _contact(session: Session, contact_id: int) -> User:
    contact = session.get(User, contact_id)
    if (
        contact is None
        or contact.role != Role.MEMBER
        or contact.organisation_id is None
        or contact.erased_at is not None
    ):
        raise NotFound(CONTACT_NOT_FOUND)
    return contact


def _contact_forum_ids(session: Session, contact_id: int) -> set[int]:
    return set(
        session.exec(select(ContactForum.forum_id).where(ContactForum.user_id == contact_id)).all()
    )


def _set_contact_forums(session: Session, contact_id: int, forum_ids: Iterable[int]) -> None:
    wanted = set(forum_ids)
    current = _contact_forum_ids(session, contact_id)
    if current - wanted:
        session.execute(
            delete(ContactForum).where(
                col(ContactForum.user_id) == contact_id,
                col(ContactForum.forum_id).in_(current - wanted),
            )
        )
    for forum_id in sorted(wanted - current):
        session.add(ContactForum(user_id=contact_id, forum_id=forum_id))
    session.flush()


def _validated_contact(
    *, session: Session, fields: ContactFields, organisation_id: int, contact_id: int | None
) -> ContactFields:
    problems: dict[str, str] = {}
    fields = replace(
        fields,
        given_name=cleaning.clean_line(fields.given_name),
        family_name=cleaning.clean_line(fields.family_name),
        function=cleaning.clean_line(fields.function),
        phone=cleaning.clean_line(fields.phone),
        forum_ids=tuple(sorted(set(fields.forum_ids))),
    )
    try:
        fields = replace(fields, email=validate_email(fields.email))
    except InvalidInput as error:
        problems["email"] = (
            "Bitte geben Sie eine E-Mail-Adresse an." if not fields.email.strip() else error.message
        )
    else:
        holder = session.exec(select(User).where(User.email == fields.email)).first()
        if holder is not None and holder.id != contact_id:
            problems["email"] = f"Die E-Mail-Adresse {fields.email} ist bereits vergeben."
    if not fields.given_name and not fields.family_name:
        problems["family_name"] = "Bitte geben Sie Vor- oder Nachnamen an."
    for name, limit, label in (
        ("given_name", MAX_GIVEN_NAME, "Der Vorname"),
        ("family_name", MAX_FAMILY_NAME, "Der Nachname"),
        ("function", MAX_FUNCTION, "Die Funktion"),
        ("phone", MAX_PHONE, "Die Telefonnummer"),
    ):
        if len(getattr(fields, name)) > limit:
            problems[name] = f"{label} darf höchstens {limit} Zeichen haben."
    if not set(fields.forum_ids) <= _forum_ids_of(session, organisation_id):
        problems["forum_ids"] = (
            "Aufrufe kann eine Ansprechperson nur aus Foren erhalten, in denen ihre "
            "Organisation Mitglied ist."
        )
    if problems:
        raise FieldErrors(problems)
    return fields


# --- search and filter ----------------------------------------------------------------------


class Standing(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"
    ALL = "all"


@dataclass(frozen=True)
class MemberQuery:
    """What the member list is filtered by; `text` searches names, short names, cities and
    the contacts' names and e-mail addresses."""

    text: str = ""
    status: MembershipStatus | None = None
    forum_id: int | None = None
    standing: Standing = Standing.ACTIVE


@dataclass(frozen=True)
class OrganisationRow:
    organisation: Organisation
    forums: tuple[Forum, ...]
    active_contacts: int


def search_organisations(
    *, session: Session, actor: Actor, query: MemberQuery = MemberQuery()
) -> list[OrganisationRow]:
    """The member organisations matching `query`, by name."""
    require(actor, Action.MEMBER_READ)
    organisations = _member_organisations(session, query.standing)
    forums = _forums_by_organisation(session)
    contacts = _contacts_by_organisation(session)
    words = name_key(query.text).split()
    rows = []
    for organisation in organisations:
        organisation_id = id_of(organisation)
        its_forums = forums.get(organisation_id, ())
        its_contacts = contacts.get(organisation_id, [])
        if query.status is not None and organisation.status != query.status:
            continue
        if query.forum_id is not None and query.forum_id not in {f.id for f in its_forums}:
            continue
        if words and not _matches(words, organisation, its_contacts):
            continue
        active = sum(1 for contact in its_contacts if contact.active)
        rows.append(OrganisationRow(organisation, its_forums, active))
    return rows


def _matches(words: list[str], organisation: Organisation, contacts: list[User]) -> bool:
    haystack = " ".join(
        name_key(text)
        for text in (
            organisation.name,
            organisation.short_name,
            organisation.city,
            *(f"{c.name} {c.email}" for c in contacts),
        )
    )
    return all(word in haystack for word in words)


def _member_organisations(session: Session, standing: Standing) -> list[Organisation]:
    query = select(Organisation).where(col(Organisation.kind).in_(MEMBER_KINDS))
    if standing == Standing.ACTIVE:
        query = query.where(col(Organisation.active))
    elif standing == Standing.RETIRED:
        query = query.where(~col(Organisation.active))
    return sorted(session.exec(query).all(), key=lambda o: (name_key(o.name), o.name))


def _forums_by_organisation(session: Session) -> dict[int, tuple[Forum, ...]]:
    grouped: dict[int, list[Forum]] = defaultdict(list)
    for organisation_id, forum in session.exec(
        select(ForumMember.organisation_id, Forum)
        .join(Forum, col(Forum.id) == ForumMember.forum_id)
        .order_by(col(Forum.short_name))
    ).all():
        grouped[organisation_id].append(forum)
    return {key: tuple(value) for key, value in grouped.items()}


def _contacts_by_organisation(session: Session) -> dict[int, list[User]]:
    grouped: dict[int, list[User]] = defaultdict(list)
    for contact in session.exec(
        select(User).where(User.role == Role.MEMBER, col(User.erased_at).is_(None))
    ).all():
        if contact.organisation_id is not None:
            grouped[contact.organisation_id].append(contact)
    return grouped


# --- one organisation -----------------------------------------------------------------------


@dataclass(frozen=True)
class ContactRow:
    contact: User
    # The forums they receive calls for; empty: all of the organisation's.
    forums: tuple[Forum, ...]


@dataclass(frozen=True)
class InvitedCall:
    call: Call
    forum: Forum
    invited_at: datetime


@dataclass(frozen=True)
class StatementEntry:
    """One of the organisation's statements, as the policy office may know of it."""

    statement_id: int
    call: Call
    forum: Forum
    status: StatementStatus
    visibility: Visibility
    submitted_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class ReviewEntry:
    """What the organisation said in the newest version of a paper it reviewed."""

    paper: Paper
    version_number: int
    counts: dict[Stance, int]
    minority_opinions: int


@dataclass(frozen=True)
class OrganisationOverview:
    organisation: Organisation
    forums: tuple[Forum, ...]
    contacts: list[ContactRow]
    calls: list[InvitedCall]
    # Statement by statement only for the policy office; see `organisation_overview`.
    statements: list[StatementEntry]
    statement_counts: dict[StatementStatus, int] = field(default_factory=dict)
    reviews: list[ReviewEntry] = field(default_factory=list)

    def forum_ids(self) -> tuple[int, ...]:
        return tuple(id_of(f) for f in self.forums)


def organisation_overview(
    *, session: Session, actor: Actor, organisation_id: int
) -> OrganisationOverview:
    """An organisation with its contacts, forums, calls, statements and reviews.

    Statements count only once their organisation submitted them (a member's draft stays
    with the member). The board sees how many there are by status, never which one is
    anonymous or "nur intern": its members are the competitors of those who answer. The
    policy office sees each statement with its use permission."""
    require(actor, Action.MEMBER_READ)
    organisation = _organisation(session, organisation_id)
    known = _known_statements(session, organisation_id)
    counts: dict[StatementStatus, int] = {}
    for entry in known:
        counts[entry.status] = counts.get(entry.status, 0) + 1
    office = actor.acts_for_association and actor.role in attribution.POLICY_OFFICE
    return OrganisationOverview(
        organisation=organisation,
        forums=_forums_by_organisation(session).get(organisation_id, ()),
        contacts=_contact_rows(session, organisation_id),
        calls=_invited_calls(session, actor, organisation_id),
        statements=known if office else [],
        statement_counts=counts,
        reviews=_reviews(session, actor, organisation_id),
    )


def _contact_rows(session: Session, organisation_id: int) -> list[ContactRow]:
    contacts = session.exec(
        select(User).where(
            User.organisation_id == organisation_id,
            User.role == Role.MEMBER,
            col(User.erased_at).is_(None),
        )
    ).all()
    forums: dict[int, list[Forum]] = defaultdict(list)
    for user_id, forum in session.exec(
        select(ContactForum.user_id, Forum)
        .join(Forum, col(Forum.id) == ContactForum.forum_id)
        .join(User, col(User.id) == ContactForum.user_id)
        .where(User.organisation_id == organisation_id)
        .order_by(col(Forum.short_name))
    ).all():
        forums[user_id].append(forum)
    ordered = sorted(contacts, key=lambda c: (not c.active, *map(name_key, name_parts(c)[::-1])))
    return [ContactRow(c, tuple(forums.get(id_of(c), ()))) for c in ordered]


def _invited_calls(session: Session, actor: Actor, organisation_id: int) -> list[InvitedCall]:
    require(actor, Action.CALL_READ)
    rows = session.exec(
        select(Call, Forum, CallInvitee.invited_at)
        .join(CallInvitee, col(CallInvitee.call_id) == Call.id)
        .join(Forum, col(Forum.id) == Call.forum_id)
        .where(CallInvitee.organisation_id == organisation_id)
        .order_by(col(Call.external_deadline).desc(), col(Call.id).desc())
    ).all()
    return [InvitedCall(call, forum, invited_at) for call, forum, invited_at in rows]


def _known_statements(session: Session, organisation_id: int) -> list[StatementEntry]:
    """Statements the association may know of: submitted, or withdrawn after submission."""
    rows = session.exec(
        select(Statement, Call, Forum)
        .join(Call, col(Call.id) == Statement.call_id)
        .join(Forum, col(Forum.id) == Call.forum_id)
        .where(Statement.organisation_id == organisation_id)
        .order_by(col(Call.external_deadline).desc(), col(Call.id).desc())
    ).all()
    return [
        StatementEntry(
            id_of(statement),
            call,
            forum,
            statement.status,
            statement.visibility,
            statement.submitted_at,
            statement.updated_at,
        )
        for statement, call, forum in rows
        if statement.status == StatementStatus.SUBMITTED
        or (statement.status == StatementStatus.WITHDRAWN and statement.submitted_at is not None)
    ]


def _reviews(session: Session, actor: Actor, organisation_id: int) -> list[ReviewEntry]:
    require(actor, Action.PAPER_READ)
    rows = session.exec(
        select(Review, PaperVersion, Paper)
        .join(PaperVersion, col(PaperVersion.id) == Review.paper_version_id)
        .join(Paper, col(Paper.id) == PaperVersion.paper_id)
        .where(Review.organisation_id == organisation_id)
    ).all()
    newest: dict[int, tuple[Paper, int, list[Review]]] = {}
    for review, version, paper in rows:
        paper_id = id_of(paper)
        known = newest.get(paper_id)
        if known is None or version.number > known[1]:
            newest[paper_id] = (paper, version.number, [review])
        elif version.number == known[1]:
            known[2].append(review)
    entries = []
    for paper, number, reviews in newest.values():
        counts = dict.fromkeys(Stance, 0)
        for review in reviews:
            counts[review.stance] += 1
        minority = sum(1 for review in reviews if review.minority_opinion_requested)
        entries.append(ReviewEntry(paper, number, counts, minority))
    return sorted(entries, key=lambda e: e.paper.created_at, reverse=True)
