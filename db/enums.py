"""The enumerations of the schema: plain values with no database attached, so that code which
must not touch the database (the merge algorithms) can use them too. Each stores its English
value; German labels live in `positions.core.labels`."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    BOARD = "board"
    MEMBER = "member"


class OrganisationKind(StrEnum):
    ASSOCIATION = "association"
    COMPANY = "company"
    RESEARCH = "research"
    PARTNER = "partner"


class MembershipStatus(StrEnum):
    MEMBER = "member"
    SUPPORTING = "supporting"
    GUEST = "guest"


class PasswordTokenPurpose(StrEnum):
    # A new account's first password, set by the person from a link (never sent or typed).
    SET = "set"
    # "Passwort vergessen": a shorter-lived link to choose a new one.
    RESET = "reset"


class ForumKind(StrEnum):
    FEDERAL = "federal"
    STATE = "state"
    PARTY_NEAR = "party_near"
    INDUSTRY = "industry"
    INTERNAL = "internal"


class DelegateRole(StrEnum):
    DELEGATE = "delegate"
    SUBSTITUTE = "substitute"


class CallStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Visibility(StrEnum):
    NAMED = "named"
    ANONYMOUS = "anonymous"
    INTERNAL = "internal"


class StatementStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class StatementSource(StrEnum):
    WEB = "web"
    UPLOAD = "upload"
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"


class PaperKind(StrEnum):
    POSITION_PAPER = "position_paper"
    STATEMENT = "statement"
    GUIDELINES_CONTRIBUTION = "guidelines_contribution"
    BASIC_PAPER_CONTRIBUTION = "basic_paper_contribution"


class PaperStatus(StrEnum):
    DRAFT = "draft"
    MEMBER_REVIEW = "member_review"
    BOARD_APPROVAL = "board_approval"
    APPROVED = "approved"
    SUBMITTED = "submitted"
    OUTCOME_RECORDED = "outcome_recorded"


class RecipientGroup(StrEnum):
    """Whom a paper went to, in the Lobbyregister's terms (LobbyRG § 1 Abs. 1 and 2)."""

    BUNDESTAG = "bundestag"
    FEDERAL_GOVERNMENT = "federal_government"
    FEDERAL_MINISTRY = "federal_ministry"


class LobbyregisterExemption(StrEnum):
    """Why a paper need not be uploaded: it was given and published in a formal procedure."""

    # Verbändeanhörung of the federal government (§ 47 GGO).
    GGO_47 = "ggo_47"
    # Hearing of a Bundestag committee (§ 70 GO-BT).
    GO_BT_70 = "go_bt_70"


class SourceHow(StrEnum):
    MERGED = "merged"
    QUOTED = "quoted"
    MANUAL = "manual"


class Stance(StrEnum):
    SUPPORT = "support"
    CONCERN = "concern"
    DISSENT = "dissent"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class MatchKind(StrEnum):
    VERBATIM = "verbatim"
    REWORDED = "reworded"
    # The outcome takes the demand up only to turn it down ("wird nicht eingeführt").
    TURNED_DOWN = "turned_down"


class MatchStatus(StrEnum):
    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class MailKind(StrEnum):
    INVITATION = "invitation"
    REMINDER = "reminder"
    # A paper's member review: its start, and a reminder before it ends.
    REVIEW_START = "review_start"
    REVIEW_REMINDER = "review_reminder"


class MailStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    # Without a mail server: the text with its link was shown to staff to send themselves.
    HANDED_OVER = "handed_over"
    FAILED = "failed"
