"""Every table of Positionen in one file, so a reader sees the whole schema at once.

Enumerations store their English value; German labels live in `positions.core.labels`.
Times are stored in UTC and come back timezone-aware (`UTCDateTime`); calendar days
(deadlines, meeting days) are plain dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

# The enumerations are part of the schema; they live apart only so that code without
# database access can use them (re-exported, see mypy's override in pyproject.toml).
from db.enums import (
    CallStatus,
    Decision,
    DelegateRole,
    ForumKind,
    LobbyregisterExemption,
    MailKind,
    MailStatus,
    MatchKind,
    MatchStatus,
    MembershipStatus,
    OrganisationKind,
    PaperKind,
    PaperStatus,
    PasswordTokenPurpose,
    RecipientGroup,
    Role,
    SourceHow,
    Stance,
    StatementSource,
    StatementStatus,
    Visibility,
)

# Named constraints, so that migrations can drop or change them on every database.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC; refuses naive datetimes so no local time sneaks in."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        # SQLite has no time zones: store the UTC wall time.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def id_of(row: Any) -> int:
    """The primary key of a stored row (typed `int | None` until the row is flushed)."""
    value = row.id
    if value is None:
        raise ValueError(f"{type(row).__name__} has no id yet; flush the session first")
    return int(value)


def enum_type(enum: type[StrEnum]) -> sa.Enum:
    """A portable enum column: VARCHAR holding the value (no native PostgreSQL type to migrate)."""
    return sa.Enum(
        enum,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def created_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def optional_time_field() -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=True)


def long_text_field(default: str = "") -> Any:
    return Field(default=default, sa_type=sa.Text, nullable=False)


# --- people and organisations --------------------------------------------------------------


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    short_name: str = Field(default="", max_length=60)
    kind: OrganisationKind = Field(sa_type=enum_type(OrganisationKind))
    street: str = Field(default="", max_length=200)
    postal_code: str = Field(default="", max_length=10)
    city: str = Field(default="", max_length=100)
    website: str = Field(default="", max_length=300)
    status: MembershipStatus = Field(
        default=MembershipStatus.MEMBER, sa_type=enum_type(MembershipStatus)
    )
    member_since: date | None = None
    member_until: date | None = None
    notes: str = long_text_field()
    # A retired organisation keeps its history and statements; it is only no longer offered.
    active: bool = True
    created_at: datetime = created_at_field()


class User(SQLModel, table=True):
    __tablename__ = "users"  # "user" is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    # The display name; contacts imported from a member list also keep its two parts, so
    # that an export gives back the columns it came from.
    name: str = Field(max_length=200)
    given_name: str = Field(default="", max_length=100)
    family_name: str = Field(default="", max_length=100)
    function: str = Field(default="", max_length=200)
    role: Role = Field(sa_type=enum_type(Role))
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    phone: str = Field(default="", max_length=60)
    # Contacts who only ever use invitation links have no password.
    password_hash: str | None = Field(default=None, max_length=255)
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = optional_time_field()
    last_login_at: datetime | None = optional_time_field()
    # Set when the person's data was erased (Art. 17 DSGVO): the row stays for what refers to it.
    erased_at: datetime | None = optional_time_field()
    created_at: datetime = created_at_field()


class ContactForum(SQLModel, table=True):
    """The forums a member contact receives calls for; none means all of its organisation's."""

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    forum_id: int = Field(foreign_key="forum.id", primary_key=True)


class PasswordToken(SQLModel, table=True):
    """A single-use link to set or reset a password; only the token's hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    purpose: PasswordTokenPurpose = Field(sa_type=enum_type(PasswordTokenPurpose))
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = optional_time_field()
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = created_at_field()


class LoginSession(SQLModel, table=True):
    """A browser's session, kept on the server: the browser holds only a signed identifier
    whose hash is `token_hash`. A login first stores a short-lived hand-over code; the route
    that redeems it sets the cookie (HttpOnly), so the script never hands the identifier to
    the page."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    handoff_hash: str | None = Field(default=None, max_length=64, unique=True)
    handoff_expires_at: datetime | None = optional_time_field()
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    invitation_id: int | None = Field(default=None, foreign_key="invitation.id", index=True)
    created_at: datetime = created_at_field()
    last_seen_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ended_at: datetime | None = optional_time_field()
    end_reason: str = Field(default="", max_length=40)


class CalendarFeed(SQLModel, table=True):
    """A personal or forum calendar address that Outlook or Thunderbird subscribes to; the
    address carries a signed feed id, so revoking the row ends it."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    forum_id: int | None = Field(default=None, foreign_key="forum.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = created_at_field()
    revoked_at: datetime | None = optional_time_field()
    last_fetched_at: datetime | None = optional_time_field()


class Setting(SQLModel, table=True):
    """Association-wide settings (name, address, colours, SMTP, quorum, language model) as
    JSON values."""

    key: str = Field(primary_key=True, max_length=100)
    value: Any = Field(default=None, sa_type=sa.JSON, nullable=True)
    updated_at: datetime = created_at_field()


class TextEmbedding(SQLModel, table=True):
    """A cached sentence embedding (`positions.core.embeddings`): the vector of the text whose
    SHA-256 is `digest`, as the model `model` computes it. Holds no text; erasing personal
    data empties the table, as vectors can be read back into words approximately."""

    __tablename__ = "text_embedding"

    model: str = Field(primary_key=True, max_length=64)
    digest: str = Field(primary_key=True, max_length=64)
    vector: bytes = Field(sa_type=sa.LargeBinary, nullable=False)


# --- forums and meetings ------------------------------------------------------------------


class Forum(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    short_name: str = Field(max_length=40, unique=True)
    kind: ForumKind = Field(sa_type=enum_type(ForumKind))
    host_institution: str = Field(default="", max_length=300)
    ministry: str = Field(default="", max_length=300)
    url: str = Field(default="", max_length=500)
    description: str = long_text_field()
    notes: str = long_text_field()
    # Working days before the external deadline (see positions.core.working_days).
    member_deadline_offset: int = 10
    board_deadline_offset: int = 3
    active: bool = True
    created_at: datetime = created_at_field()


class ForumDelegate(SQLModel, table=True):
    forum_id: int = Field(foreign_key="forum.id", primary_key=True)
    user_id: int = Field(foreign_key="users.id", primary_key=True)
    role: DelegateRole = Field(sa_type=enum_type(DelegateRole))


class ForumMember(SQLModel, table=True):
    """Member organisations taking part in a forum (e.g. an internal Fachforum)."""

    forum_id: int = Field(foreign_key="forum.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)


class WorkingGroup(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("forum_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    forum_id: int = Field(foreign_key="forum.id", index=True)
    name: str = Field(max_length=200)
    description: str = long_text_field()
    position: int = 0
    active: bool = True


class Meeting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    forum_id: int = Field(foreign_key="forum.id", index=True)
    working_group_id: int | None = Field(default=None, foreign_key="workinggroup.id")
    title: str = Field(max_length=300)
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    ends_at: datetime | None = optional_time_field()
    place: str = Field(default="", max_length=300)
    online_url: str = Field(default="", max_length=500)
    agenda: str = long_text_field()
    minutes: str = long_text_field()
    created_at: datetime = created_at_field()


class MeetingAttendee(SQLModel, table=True):
    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    user_id: int = Field(foreign_key="users.id", primary_key=True)


class FollowUp(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    text: str = long_text_field()
    owner_id: int = Field(foreign_key="users.id", index=True)
    due_on: date | None = None
    done_at: datetime | None = optional_time_field()
    created_at: datetime = created_at_field()


# --- calls and statements ------------------------------------------------------------------


class Call(SQLModel, table=True):
    """A call for input from a forum, with the external deadline and the two derived ones."""

    id: int | None = Field(default=None, primary_key=True)
    forum_id: int = Field(foreign_key="forum.id", index=True)
    title: str = Field(max_length=300)
    question: str = long_text_field()
    external_deadline: date
    member_deadline: date
    board_deadline: date
    member_deadline_overridden: bool = False
    board_deadline_overridden: bool = False
    status: CallStatus = Field(sa_type=enum_type(CallStatus))
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = created_at_field()


class CallInvitee(SQLModel, table=True):
    """An organisation invited to answer a call."""

    call_id: int = Field(foreign_key="call.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    invited_at: datetime = created_at_field()


# A personal link or message belongs to a call or to a paper's member review, never both.
_ONE_SCOPE = "(call_id IS NULL) <> (paper_id IS NULL)"


class Invitation(SQLModel, table=True):
    """A personal link for one contact, to answer a call or to review a paper; only the
    SHA-256 of its token is stored."""

    __table_args__ = (sa.CheckConstraint(_ONE_SCOPE, name="call_or_paper"),)

    id: int | None = Field(default=None, primary_key=True)
    call_id: int | None = Field(default=None, foreign_key="call.id", index=True)
    paper_id: int | None = Field(default=None, foreign_key="paper.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    contact_id: int = Field(foreign_key="users.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    first_used_at: datetime | None = optional_time_field()
    last_used_at: datetime | None = optional_time_field()
    revoked_at: datetime | None = optional_time_field()
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = created_at_field()


class Document(SQLModel, table=True):
    """A file in the content-addressed store under the data folder (never a BLOB)."""

    id: int | None = Field(default=None, primary_key=True)
    forum_id: int | None = Field(default=None, foreign_key="forum.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    paper_id: int | None = Field(default=None, foreign_key="paper.id", index=True)
    filename: str = Field(max_length=255)
    sha256: str = Field(max_length=64, index=True)
    mime: str = Field(max_length=200)
    size: int
    uploaded_by_id: int | None = Field(default=None, foreign_key="users.id")
    uploaded_at: datetime = created_at_field()


_statement_version = sa.Column("version", sa.Integer, nullable=False)
_paper_lock_version = sa.Column("lock_version", sa.Integer, nullable=False)
_paragraph_lock_version = sa.Column("lock_version", sa.Integer, nullable=False)


class Statement(SQLModel, table=True):
    """One organisation's answer to a call; `version` counts saves and guards lost updates."""

    __table_args__ = (sa.UniqueConstraint("call_id", "organisation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="call.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="users.id")
    text: str = long_text_field()
    source: StatementSource = Field(sa_type=enum_type(StatementSource))
    source_note: str = Field(default="", max_length=500)
    source_document_id: int | None = Field(default=None, foreign_key="document.id")
    visibility: Visibility = Field(sa_type=enum_type(Visibility))
    status: StatementStatus = Field(sa_type=enum_type(StatementStatus))
    submitted_at: datetime | None = optional_time_field()
    withdrawn_at: datetime | None = optional_time_field()
    version: int = Field(default=1, sa_column=_statement_version)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()

    __mapper_args__ = {"version_id_col": _statement_version}


class StatementAttachment(SQLModel, table=True):
    statement_id: int = Field(foreign_key="statement.id", primary_key=True)
    document_id: int = Field(foreign_key="document.id", primary_key=True)


class StatementVersion(SQLModel, table=True):
    """An earlier state of a statement, kept on every save."""

    __table_args__ = (sa.UniqueConstraint("statement_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="statement.id", index=True)
    version: int
    text: str = long_text_field()
    visibility: Visibility = Field(sa_type=enum_type(Visibility))
    status: StatementStatus = Field(sa_type=enum_type(StatementStatus))
    saved_by_id: int | None = Field(default=None, foreign_key="users.id")
    saved_at: datetime = created_at_field()


class Point(SQLModel, table=True):
    """One demand or argument split out of a statement."""

    id: int | None = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="statement.id", index=True)
    position: int
    text: str = long_text_field()
    norm_hash: str = Field(max_length=64, index=True)
    # Folded word stems between spaces (" foerderprogramm vereinfach "), for German search.
    search_key: str = Field(
        default="", sa_column=sa.Column(sa.Text, nullable=False, server_default="")
    )
    group_id: int | None = Field(default=None, foreign_key="pointgroup.id", index=True)
    cluster_id: int | None = Field(default=None, foreign_key="cluster.id", index=True)
    # Set when staff moved the point by hand; automatic re-runs leave it where it is.
    cluster_pinned: bool = False


class PointGroup(SQLModel, table=True):
    """Near-duplicate points: one canonical point, the others' organisations co-sign it."""

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="call.id", index=True)
    # Not a foreign key: points already reference their group; a key back would be a cycle.
    canonical_point_id: int | None = None
    size: int = 1


class Cluster(SQLModel, table=True):
    """Points about one topic, with a label and a suggested merged paragraph."""

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="call.id", index=True)
    label: str = Field(max_length=200)
    suggested_text: str = long_text_field()
    position: int = 0
    edited_by_staff: bool = False
    discarded: bool = False
    created_at: datetime = created_at_field()


# --- papers -------------------------------------------------------------------------------


class Paper(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    forum_id: int = Field(foreign_key="forum.id", index=True)
    call_id: int | None = Field(default=None, foreign_key="call.id", index=True)
    title: str = Field(max_length=300)
    kind: PaperKind = Field(sa_type=enum_type(PaperKind))
    status: PaperStatus = Field(sa_type=enum_type(PaperStatus))
    addressee: str = Field(default="", max_length=300)
    paper_date: date | None = None
    lobbyregister_relevant: bool = False
    register_number: str = Field(default="", max_length=40)
    regulatory_project_title: str = Field(default="", max_length=300)
    regulatory_project_number: str = Field(default="", max_length=60)
    affected_laws: str = long_text_field()
    # Members review until this day (derived from the call's board deadline when there is one).
    review_deadline: date | None = None
    # Last change of sections or paragraphs; an approval is valid only for a version saved
    # after it.
    content_changed_at: datetime | None = optional_time_field()
    # Number of the latest saved PaperVersion.
    version_counter: int = 0
    # Optimistic lock for edits of the paper's own fields.
    lock_version: int = Field(default=1, sa_column=_paper_lock_version)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()

    __mapper_args__ = {"version_id_col": _paper_lock_version}


class PaperContact(SQLModel, table=True):
    paper_id: int = Field(foreign_key="paper.id", primary_key=True)
    user_id: int = Field(foreign_key="users.id", primary_key=True)


class Section(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="paper.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="section.id")
    position: int = 0
    title: str = Field(max_length=300)


class Paragraph(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    section_id: int = Field(foreign_key="section.id", index=True)
    position: int = 0
    text: str = long_text_field()
    is_core_demand: bool = False
    is_minority_opinion: bool = False
    # A core demand's words in the Kernforderungen box (a summary); None: its first sentence.
    short_form: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    # For a minority opinion: whose it is, and whether the paper may name them.
    minority_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    minority_named: bool = False
    # Optimistic lock: a save from a stale editor fails instead of overwriting.
    lock_version: int = Field(default=1, sa_column=_paragraph_lock_version)
    updated_by_id: int | None = Field(default=None, foreign_key="users.id")
    updated_at: datetime = created_at_field()

    __mapper_args__ = {"version_id_col": _paragraph_lock_version}


class ParagraphSource(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    paragraph_id: int = Field(foreign_key="paragraph.id", index=True)
    # A member may change its statement after staff used it: its points are split anew, the
    # link to a point goes (SET NULL) and the source keeps what it quoted and from which version.
    point_id: int | None = Field(
        default=None, foreign_key="point.id", index=True, ondelete="SET NULL"
    )
    statement_id: int | None = Field(default=None, foreign_key="statement.id", index=True)
    how: SourceHow = Field(sa_type=enum_type(SourceHow))
    quoted_text: str = long_text_field()
    statement_version: int | None = None


class ParagraphComment(SQLModel, table=True):
    """A staff-only note on a paragraph while drafting."""

    id: int | None = Field(default=None, primary_key=True)
    paragraph_id: int = Field(foreign_key="paragraph.id", index=True)
    author_id: int = Field(foreign_key="users.id")
    text: str = long_text_field()
    created_at: datetime = created_at_field()


class PaperVersion(SQLModel, table=True):
    """An immutable snapshot of a paper (sections, paragraphs, sources) as JSON."""

    __table_args__ = (sa.UniqueConstraint("paper_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="paper.id", index=True)
    number: int
    label: str = Field(default="", max_length=200)
    status: PaperStatus = Field(sa_type=enum_type(PaperStatus))
    snapshot: Any = Field(default=None, sa_type=sa.JSON, nullable=True)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = created_at_field()


class Review(SQLModel, table=True):
    """A member organisation's stance on one paragraph of a paper version."""

    __table_args__ = (sa.UniqueConstraint("paper_version_id", "organisation_id", "paragraph_id"),)

    id: int | None = Field(default=None, primary_key=True)
    paper_version_id: int = Field(foreign_key="paperversion.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    # The paragraph as it was in the reviewed version (an id in its snapshot): no foreign key,
    # so that deleting the paragraph later leaves the review with the version it belongs to.
    paragraph_id: int = Field(index=True)
    author_id: int | None = Field(default=None, foreign_key="users.id")
    stance: Stance = Field(sa_type=enum_type(Stance))
    comment: str = long_text_field()
    minority_opinion_requested: bool = False
    # The member's own consent to be named with its minority opinion.
    name_consent: bool = False
    minority_opinion_accepted: bool = False
    staff_reply: str = long_text_field()
    created_at: datetime = created_at_field()


class Approval(SQLModel, table=True):
    """A board member's decision on one version: one each, also under parallel clicks."""

    __table_args__ = (sa.UniqueConstraint("paper_version_id", "board_member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    paper_version_id: int = Field(foreign_key="paperversion.id", index=True)
    board_member_id: int = Field(foreign_key="users.id")
    decision: Decision = Field(sa_type=enum_type(Decision))
    comment: str = long_text_field()
    created_at: datetime = created_at_field()
    # Set when a later edit made this approval stale.
    invalidated_at: datetime | None = optional_time_field()


class Submission(SQLModel, table=True):
    """A version sent out: to whom, how, when; for the Lobbyregister also the recipient group
    and either the day it was uploaded there or why it need not be."""

    id: int | None = Field(default=None, primary_key=True)
    paper_version_id: int = Field(foreign_key="paperversion.id", index=True)
    recipient: str = Field(max_length=300)
    channel: str = Field(default="", max_length=100)
    submitted_on: date
    file_sha256: str = Field(default="", max_length=64)
    recipient_group: RecipientGroup | None = Field(
        default=None, sa_type=enum_type(RecipientGroup), nullable=True
    )
    lobbyregister_exemption: LobbyregisterExemption | None = Field(
        default=None, sa_type=enum_type(LobbyregisterExemption), nullable=True
    )
    lobbyregister_uploaded_on: date | None = None
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = created_at_field()


# --- follow-up ----------------------------------------------------------------------------


class Outcome(SQLModel, table=True):
    """A result the forum published (Grundsatzpapier, Leitlinien) and its text."""

    id: int | None = Field(default=None, primary_key=True)
    forum_id: int = Field(foreign_key="forum.id", index=True)
    title: str = Field(max_length=300)
    publisher: str = Field(default="", max_length=300)
    published_on: date | None = None
    url: str = Field(default="", max_length=500)
    document_id: int | None = Field(default=None, foreign_key="document.id")
    text: str = long_text_field()
    created_at: datetime = created_at_field()


class OutcomeMatch(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    outcome_id: int = Field(foreign_key="outcome.id", index=True)
    paragraph_id: int = Field(foreign_key="paragraph.id", index=True)
    score: float
    quote: str = long_text_field()
    start: int = 0
    end: int = 0
    kind: MatchKind = Field(sa_type=enum_type(MatchKind))
    status: MatchStatus = Field(sa_type=enum_type(MatchStatus))
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime | None = optional_time_field()


# --- messages and audit -------------------------------------------------------------------


class MailMessage(SQLModel, table=True):
    """An e-mail to one contact about a call (invitation, reminder) or a paper's member
    review (start, reminder); the unique keys stop a second one of the same kind on the same
    day. The body is stored without the personal link."""

    __table_args__ = (
        sa.UniqueConstraint(
            "call_id", "contact_id", "kind", "scheduled_on", name="uq_mailmessage_once_a_day"
        ),
        sa.UniqueConstraint(
            "paper_id", "contact_id", "kind", "scheduled_on", name="uq_mailmessage_paper_once_a_day"
        ),
        sa.CheckConstraint(_ONE_SCOPE, name="call_or_paper"),
    )

    id: int | None = Field(default=None, primary_key=True)
    call_id: int | None = Field(default=None, foreign_key="call.id", index=True)
    paper_id: int | None = Field(default=None, foreign_key="paper.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    contact_id: int = Field(foreign_key="users.id", index=True)
    # The link sent with the last attempt (each attempt gets a link of its own).
    invitation_id: int | None = Field(default=None, foreign_key="invitation.id")
    recipient: str = Field(max_length=254)
    kind: MailKind = Field(sa_type=enum_type(MailKind))
    scheduled_on: date
    subject: str = Field(max_length=300)
    body: str = long_text_field()
    status: MailStatus = Field(sa_type=enum_type(MailStatus))
    error: str = Field(default="", max_length=1000)
    attempts: int = 0
    sent_at: datetime | None = optional_time_field()
    created_at: datetime = created_at_field()


class AuditEvent(SQLModel, table=True):
    """Append-only log of who changed what; hashes instead of content keep it confidential."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    actor_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    action: str = Field(max_length=60)
    object_type: str = Field(max_length=40)
    object_id: int | None = None
    before_hash: str = Field(default="", max_length=64)
    after_hash: str = Field(default="", max_length=64)
    detail: Any = Field(default=None, sa_type=sa.JSON, nullable=True)
