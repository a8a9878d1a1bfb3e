"""German words for the stored English enum values, as our users say them."""

from __future__ import annotations

from db.models import (
    CallStatus,
    DelegateRole,
    ForumKind,
    MailKind,
    MailStatus,
    MembershipStatus,
    OrganisationKind,
    PaperKind,
    PaperStatus,
    Role,
    Stance,
    StatementStatus,
    Visibility,
)
from positions.core.working_days import DeadlineState

ROLE = {
    Role.ADMIN: "Administration",
    Role.STAFF: "Referat",
    Role.BOARD: "Vorstand",
    Role.MEMBER: "Mitglied",
}
ORGANISATION_KIND = {
    OrganisationKind.ASSOCIATION: "Verband",
    OrganisationKind.COMPANY: "Unternehmen",
    OrganisationKind.RESEARCH: "Forschung und Lehre",
    OrganisationKind.PARTNER: "Partner",
}
MEMBERSHIP_STATUS = {
    MembershipStatus.MEMBER: "Ordentliches Mitglied",
    MembershipStatus.SUPPORTING: "Fördermitglied",
    MembershipStatus.GUEST: "Gast",
}
FORUM_KIND = {
    ForumKind.FEDERAL: "Bund",
    ForumKind.STATE: "Land",
    ForumKind.PARTY_NEAR: "parteinah",
    ForumKind.INDUSTRY: "Verband",
    ForumKind.INTERNAL: "intern",
}
DELEGATE_ROLE = {DelegateRole.DELEGATE: "Delegierte(r)", DelegateRole.SUBSTITUTE: "Vertretung"}
CALL_STATUS = {
    CallStatus.DRAFT: "in Vorbereitung",
    CallStatus.OPEN: "offen",
    CallStatus.CLOSED: "abgeschlossen",
}
VISIBILITY = {
    Visibility.NAMED: "namentlich zitierbar",
    Visibility.ANONYMOUS: "anonym verwendbar",
    Visibility.INTERNAL: "nur intern",
}
# How a source is shown where its organisation may not be named.
UNNAMED = {Visibility.ANONYMOUS: "anonym", Visibility.INTERNAL: "nur intern"}
# What an internal statement carries wherever staff take it out of the tool (XLSX/CSV).
INTERNAL_MARK = "NUR INTERN – nicht weitergeben"
STATEMENT_STATUS = {
    StatementStatus.DRAFT: "Entwurf",
    StatementStatus.SUBMITTED: "eingereicht",
    StatementStatus.WITHDRAWN: "zurückgezogen",
}
PAPER_KIND = {
    PaperKind.POSITION_PAPER: "Positionspapier",
    PaperKind.STATEMENT: "Stellungnahme",
    PaperKind.GUIDELINES_CONTRIBUTION: "Beitrag zu Leitlinien",
    PaperKind.BASIC_PAPER_CONTRIBUTION: "Grundsatzpapier-Beitrag",
}
PAPER_STATUS = {
    PaperStatus.DRAFT: "Entwurf",
    PaperStatus.MEMBER_REVIEW: "Mitgliederbeteiligung",
    PaperStatus.BOARD_APPROVAL: "Vorstandsfreigabe",
    PaperStatus.APPROVED: "Freigegeben",
    PaperStatus.SUBMITTED: "Eingereicht",
    PaperStatus.OUTCOME_RECORDED: "Ergebnis erfasst",
}
DEADLINE_STATE = {
    DeadlineState.OPEN: "offen",
    DeadlineState.DUE_SOON: "bald fällig",
    DeadlineState.OVERDUE: "überfällig",
    DeadlineState.DONE: "erledigt",
}
STANCE = {Stance.SUPPORT: "Zustimmung", Stance.CONCERN: "Bedenken", Stance.DISSENT: "Ablehnung"}
# Keyed by value: the enumeration (`positions.forums.calls.Audience`) lives with its feature.
AUDIENCE = {
    "all_members": "alle Mitglieder",
    "forum_members": "die Mitglieder eines Forums",
    "picked": "ausgewählte Mitglieder",
}
MAIL_STATUS = {
    MailStatus.PENDING: "wartet",
    MailStatus.SENT: "versendet",
    MailStatus.HANDED_OVER: "bereitgestellt, nicht versendet",
    MailStatus.FAILED: "fehlgeschlagen",
}
MAIL_KIND = {
    MailKind.INVITATION: "Einladung",
    MailKind.REMINDER: "Erinnerung",
    MailKind.REVIEW_START: "Bitte um Rückmeldung",
    MailKind.REVIEW_REMINDER: "Erinnerung",
}
# Keyed by value: the enumeration (`positions.forums.invitations.LinkState`) lives with its
# feature.
LINK_STATE = {
    "open": "offen",
    "used": "genutzt",
    "expired": "abgelaufen",
    "revoked": "zurückgezogen",
}
