"""The confidentiality matrix: every statement state × every role × every place where a
statement (or the company behind it) could show up, checked against ONE expectation table.

One fixture per database (SQLite and PostgreSQL) copies the demo database and adds, to the
demo call, one statement per state, each from an organisation of its own, each with a unique
text marker and a unique company name. The call's paper quotes the six that were submitted,
before three of them are withdrawn, pulled back into draft or changed to "nur intern";
every marked organisation reviews it, and it is taken through the board to "Freigegeben",
so that every paper export (Word, feedback copy, Synopse, Lobbyregister package with its
PDF) has content. What each member saw of the member review is kept while it runs; the
viewers include a contact that came in through a personal review link (sent with the
review's start mail). Then every role looks at every
place once, through the real services and builders, and what it saw is kept as one string
per (role, place). The tests, generated from `EXPECTED`, assert per cell (state, role, place)
that each marker of the state appears exactly where the table allows it: absent everywhere
else, and present where the role may see it and the place shows it (so a cell can only pass
when the place was really exercised).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from functools import partial
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from db.engine import DATA_DIR_VARIABLE, create_engine_for, read_session, write_session
from db.models import (
    AuditEvent,
    Call,
    Decision,
    MailKind,
    MailMessage,
    Organisation,
    Paper,
    PaperStatus,
    Role,
    SourceHow,
    Stance,
    Statement,
    StatementSource,
    User,
    Visibility,
    id_of,
)
from exports import lobbyregister, paper_exports, pdf, report, tables
from positions.analysis import workspace
from positions.core.clock import today_in_berlin
from positions.core.errors import NotFound, PermissionDenied
from positions.core.permissions import Action, Actor, can
from positions.forums import calls, invitations, mail
from positions.papers import approvals, papers, reviews, workflow
from positions.papers.snapshot import SourceRef
from positions.statements import search, statements
from positions.uploads import intake
from tests import factories
from tests.conftest import PostgresCluster, copy_data_folder

CALL_TITLE = "Finanzierung und Förderinstrumente in der Transformation"


# --- the axes of the matrix --------------------------------------------------------------------


class State(StrEnum):
    WEBDRAFT = "web draft"
    UPLOADDRAFT = "upload draft"
    NAMED = "submitted named"
    ANONYMOUS = "submitted anonymous"
    INTERNAL = "submitted internal"
    WITHDRAWN = "withdrawn"
    PULLEDBACK = "pulled back"
    CHANGED = "changed after being quoted"


class Viewer(StrEnum):
    STAFF = "staff"
    BOARD = "board"
    ADMIN = "admin"
    OWN = "member of the statement's organisation"
    OTHER = "member of another invited organisation"
    LINK = "invitation link of another organisation"
    REVIEW_LINK = "review link of another organisation"


class Place(StrEnum):
    STATEMENT = "statement"
    HISTORY = "history"
    ANSWERS = "answer table"
    SEARCH = "search"
    PAPER_SOURCES = "paper sources"
    REVIEW = "member review"  # the tally for the association, a member's own review sheet
    WORKSPACE = "workspace"
    XLSX = "xlsx"
    CSV = "csv"
    DOCX = "docx"
    FEEDBACK = "feedback copy"
    SYNOPSE_TABLE = "synopse table"
    SYNOPSE_TRACKED = "synopse tracked"
    LOBBYREGISTER = "lobbyregister package"
    REPORT = "activity report"
    MAILS = "mails"
    AUDIT = "audit log"
    LOG = "application log"


class Mark(StrEnum):
    TEXT = "text"  # the statement's current text
    OLD = "old text"  # the text it had before (pulled back, changed after being quoted)
    COMPANY = "company"  # the organisation's name


@dataclass(frozen=True)
class Markers:
    text: str
    company: str
    old: str | None = None

    def of(self, mark: Mark) -> str | None:
        return {Mark.TEXT: self.text, Mark.OLD: self.old, Mark.COMPANY: self.company}[mark]


# Hyphenated codes survive Word, PDF (line breaks are undone below) and the search tokenizer.
MARKERS: dict[State, Markers] = {
    State.WEBDRAFT: Markers(
        "MARKER-WEBDRAFT-4711 Wir fordern einen Sonderfonds für den Werkzeugbau.",
        "Markerfirma Webentwurf GmbH",
    ),
    State.UPLOADDRAFT: Markers(
        "MARKER-UPLOADDRAFT-5822 Wir fordern schnellere Genehmigungen für Prüfstände.",
        "Markerfirma Wordentwurf GmbH",
    ),
    State.NAMED: Markers(
        "MARKER-NAMED-6933 Wir fordern ein Bürgschaftsprogramm für mittelständische Zulieferer.",
        "Markerfirma Namentlich GmbH",
    ),
    State.ANONYMOUS: Markers(
        "MARKER-ANONYMOUS-7044 Wir fordern kürzere Bearbeitungsfristen bei Förderanträgen.",
        "Markerfirma Anonym GmbH",
    ),
    State.INTERNAL: Markers(
        "MARKER-INTERNAL-8155 Wir prüfen die Verlagerung eines Werks nach Übersee.",
        "Markerfirma Intern AG",
    ),
    State.WITHDRAWN: Markers(
        "MARKER-WITHDRAWN-9266 Wir fordern einen Innovationsgutschein für Sensorik.",
        "Markerfirma Zurückgezogen GmbH",
    ),
    State.PULLEDBACK: Markers(
        "MARKER-PULLBACKNEW-2488 Wir überarbeiten unsere Forderung zu Gießereien noch.",
        "Markerfirma Zurückgeholt GmbH",
        old="MARKER-PULLBACKOLD-1377 Wir fordern Landesbürgschaften für Gießereien.",
    ),
    State.CHANGED: Markers(
        "MARKER-CHANGEDNEW-4600 Nur für den Verband: Wir planen einen Stellenabbau am Standort.",
        "Markerfirma Umgestellt GmbH",
        old="MARKER-CHANGEDOLD-3599 Wir fordern Steuergutschriften für Batterietechnik.",
    ),
}


def code(sentence: str) -> str:
    """The marker code at the start of a marker sentence: what the assertions look for."""
    return sentence.split(" ", 1)[0]


# The other member and the link visitor answer too (controls, outside the matrix), so that an
# empty search or statement view of theirs proves a filter, not a broken call.
OTHER_COMPANY, OTHER_TEXT = (
    "Kontrollfirma Beobachter GmbH",
    "KONTROLLE-OTHER-1111 Wir fordern Ruhe.",
)
LINK_COMPANY, LINK_TEXT = "Kontrollfirma Einladung GmbH", "KONTROLLE-LINK-2222 Wir fordern Zeit."
# The review-link visitor's organisation, and the comment of its review.
REVIEW_COMPANY, REVIEW_COMMENT = (
    "Kontrollfirma Beteiligung GmbH",
    "KONTROLLE-REVIEW-3333 Wir prüfen noch.",
)


def review_comment(state: State) -> str:
    """The comment the organisation of a marked state gives in the member review."""
    return f"BEDENKEN-{state.name}-5555 Bitte präzisieren."


OFFICE = frozenset({Viewer.STAFF, Viewer.ADMIN})
ASSOCIATION = frozenset({Viewer.STAFF, Viewer.ADMIN, Viewer.BOARD})
MEMBERS = frozenset({Viewer.OWN, Viewer.OTHER, Viewer.LINK, Viewer.REVIEW_LINK})

# What each place can show at all.
PAPER_EXPORTS = frozenset(
    {
        Place.DOCX,
        Place.FEEDBACK,
        Place.SYNOPSE_TABLE,
        Place.SYNOPSE_TRACKED,
        Place.LOBBYREGISTER,
    }
)
NO_STATEMENT_DATA = frozenset({Place.REPORT, Place.MAILS, Place.AUDIT, Place.LOG})
# Spreadsheets leave the house: an anonymous row carries no company, not even the office's.
SPREADSHEETS = frozenset({Place.XLSX, Place.CSV})
ATTRIBUTING = PAPER_EXPORTS | {Place.WORKSPACE, Place.PAPER_SOURCES}
# Places that name no company at all (the Synopse table names reviewers in its reasons
# column by the feedback copy's rule, so it is no longer one of them).
WITHOUT_FOOTNOTES: frozenset[Place] = frozenset()

# Who may use each place at all; everyone else is refused by the service (or, for the
# audit log, by the permission table) and sees nothing.
EVERYONE = frozenset(Viewer)
# A review link opens one paper's review and nothing of any call.
CALL_PARTICIPANTS = EVERYONE - {Viewer.REVIEW_LINK}
USERS: dict[Place, frozenset[Viewer]] = {
    Place.STATEMENT: CALL_PARTICIPANTS,  # members: their own organisation's statements
    Place.HISTORY: CALL_PARTICIPANTS,
    Place.SEARCH: CALL_PARTICIPANTS,
    Place.ANSWERS: ASSOCIATION,
    Place.PAPER_SOURCES: ASSOCIATION,
    Place.REVIEW: EVERYONE - {Viewer.LINK},  # an invitation link to the call opens no paper
    Place.WORKSPACE: OFFICE,
    **{place: ASSOCIATION for place in (*SPREADSHEETS, *PAPER_EXPORTS, Place.REPORT)},
    Place.MAILS: EVERYONE - {Viewer.BOARD},  # the office all queued mails, members their inbox
    Place.AUDIT: OFFICE,
    Place.LOG: EVERYONE,  # the operator's; it may stay empty and is exempt from that check
}
ACCESS: dict[tuple[Viewer, Place], bool] = {
    (viewer, place): viewer in USERS[place] for viewer in Viewer for place in Place
}

# The paper quotes every statement that was submitted at the time (all but the two drafts),
# before three of them were withdrawn, pulled back or changed. Its own paragraph texts quote
# the named and the anonymous statement verbatim and the changed one in its old wording
# (QUOTED_IN_PARAGRAPH); the others are only paraphrased, so their text can reach a
# reader only through the paper's sources.
SOURCES = (
    State.NAMED,
    State.ANONYMOUS,
    State.INTERNAL,
    State.WITHDRAWN,
    State.PULLEDBACK,
    State.CHANGED,
)
QUOTED_IN_PARAGRAPH: dict[State, Mark] = {
    State.NAMED: Mark.TEXT,
    State.ANONYMOUS: Mark.TEXT,
    State.CHANGED: Mark.OLD,
}
PARAGRAPHS: dict[State, str] = {
    **{
        state: f"Aus den Stellungnahmen: „{MARKERS[state].of(mark)}“"
        for state, mark in QUOTED_IN_PARAGRAPH.items()
    },
    State.INTERNAL: "Eine Verlagerung von Fertigung ins Ausland muss verhindert werden.",
    State.WITHDRAWN: "Innovationsgutscheine für Sensorik helfen kleinen Zulieferern.",
    State.PULLEDBACK: "Gießereien brauchen verlässliche Landesbürgschaften.",
}
# What each source row quoted when it was linked.
QUOTED_IN_SOURCE: dict[State, Mark] = {
    state: Mark.OLD if MARKERS[state].old else Mark.TEXT for state in SOURCES
}

# Use permission and status after all steps, as the association sees them.
VISIBILITY: dict[State, Visibility] = {
    State.WEBDRAFT: Visibility.NAMED,
    State.UPLOADDRAFT: Visibility.NAMED,
    State.NAMED: Visibility.NAMED,
    State.ANONYMOUS: Visibility.ANONYMOUS,
    State.INTERNAL: Visibility.INTERNAL,
    State.WITHDRAWN: Visibility.NAMED,
    State.PULLEDBACK: Visibility.NAMED,
    State.CHANGED: Visibility.INTERNAL,
}
STANDING = frozenset({State.NAMED, State.ANONYMOUS, State.INTERNAL, State.CHANGED})


# --- the expectation table ---------------------------------------------------------------------

NOTHING: frozenset[Mark] = frozenset()
TEXT_AND_COMPANY = frozenset({Mark.TEXT, Mark.COMPANY})


def _reads(state: State, viewer: Viewer) -> bool:
    """May this association role read the statement's current text? Only while it stands
    (no draft, nothing pulled back, nothing withdrawn); "nur intern" only the office."""
    return state in STANDING and (VISIBILITY[state] != Visibility.INTERNAL or viewer in OFFICE)


def _names(state: State, viewer: Viewer) -> bool:
    """May this association role see the company next to the text? The office always; the
    board (competitors of the members) only where the member allowed naming."""
    return viewer in OFFICE or VISIBILITY[state] == Visibility.NAMED


def rule(state: State, viewer: Viewer, place: Place) -> frozenset[Mark]:
    """The general rule, in words:

    - A place a role may not use (ACCESS) shows it nothing; the activity report, mails,
      the audit log and the application log never hold a statement's text or company.
    - A member sees only its own organisation's statement, complete and with its company,
      in the statement view, its history and search; nothing of any other organisation.
    - Staff, admin and board read a statement's current text only while it stands
      (submitted, not withdrawn, not pulled back into draft), "nur intern" only the office
      (staff, admin). The company shows next to it for the office, for the board only where
      the member allowed naming; the answer table lists companies by name, so it opens texts
      for the office only (the board sees where each answer stands, nothing more), and the
      spreadsheets never name an anonymous row's company, not even for the office.
    - Workspace, paper sources and paper exports attribute as documents leaving the house
      do (`_attributing`).
    - The member review shows the paper as shared for review (`_in_review`).
    """
    shown: set[Mark] = set()
    if not ACCESS[viewer, place] or place in NO_STATEMENT_DATA:
        pass
    elif place == Place.REVIEW:
        shown = _in_review(state, viewer)
    elif viewer in MEMBERS:
        if viewer == Viewer.OWN and place in {Place.STATEMENT, Place.HISTORY, Place.SEARCH}:
            shown = {Mark.TEXT, Mark.COMPANY}
    elif place in ATTRIBUTING:
        shown = _attributing(state, viewer, place)
    elif _reads(state, viewer):
        names = (
            VISIBILITY[state] != Visibility.ANONYMOUS
            if place in SPREADSHEETS
            else _names(state, viewer)
        )
        if place != Place.ANSWERS or viewer in OFFICE:
            shown = {Mark.TEXT} | ({Mark.COMPANY} if names else set())
    return frozenset(shown)


def _in_review(state: State, viewer: Viewer) -> set[Mark]:
    """Whoever takes part in the member review reads the paper's paragraphs, which quote
    NAMED, ANONYMOUS and the old wording of CHANGED (QUOTED_IN_PARAGRAPH), without a source.
    The association's tally names every organisation that reviewed (each marked one did:
    a review is no statement); a member sees no other organisation's name."""
    texts = {QUOTED_IN_PARAGRAPH[state]} if state in QUOTED_IN_PARAGRAPH else set()
    return texts | ({Mark.COMPANY} if viewer in ASSOCIATION else set())


def _attributing(state: State, viewer: Viewer, place: Place) -> set[Mark]:
    """Workspace, paper sources and paper exports name a company only for a standing
    statement that allows naming, for everyone (the office too). The workspace shows the
    texts of all standing statements (it is the office's); paper sources show what each
    source quoted to whom may read the statement now; the exports show the paper's own
    paragraphs, which quote NAMED, ANONYMOUS and the old wording of CHANGED
    (QUOTED_IN_PARAGRAPH), and name cited sources in footnotes and the list of members
    (not in the Synopse table, which compares paragraph texts only)."""
    citable = state in STANDING and VISIBILITY[state] == Visibility.NAMED
    company = {Mark.COMPANY} if citable else set()
    if place == Place.WORKSPACE:
        return {Mark.TEXT} | company if state in STANDING else set()
    if place == Place.PAPER_SOURCES:
        quoted = state in SOURCES and _reads(state, viewer)
        return {QUOTED_IN_SOURCE[state]} | company if quoted else set()
    texts = {QUOTED_IN_PARAGRAPH[state]} if state in QUOTED_IN_PARAGRAPH else set()
    return texts | (company if state in SOURCES and place not in WITHOUT_FOOTNOTES else set())


@dataclass(frozen=True)
class Override:
    markers: frozenset[Mark]
    why: str


_HISTORY_OLD = "the history shows each earlier version to whom could read it when it was saved"
_WITHDRAWN_ROW = "a withdrawn statement stays listed with its company, without its text"
EXCEPTIONS: dict[tuple[State, Viewer, Place], Override] = {
    **{
        (state, Viewer.OWN, Place.HISTORY): Override(
            frozenset({Mark.TEXT, Mark.OLD, Mark.COMPANY}),
            "a member sees every version of its own statement",
        )
        for state in (State.PULLEDBACK, State.CHANGED)
    },
    **{
        (State.CHANGED, viewer, Place.HISTORY): Override(
            frozenset({Mark.TEXT, Mark.OLD, Mark.COMPANY}), _HISTORY_OLD
        )
        for viewer in OFFICE
    },
    **{
        (State.WITHDRAWN, viewer, Place.PAPER_SOURCES): Override(
            frozenset({Mark.TEXT}),
            "a paper keeps what it quoted while the statement stood (papers._add_source): "
            "its source list still shows a since withdrawn statement's quote to whoever may "
            "read statements of its permission, without the company",
        )
        for viewer in ASSOCIATION
    },
    **{
        (State.WITHDRAWN, viewer, place): Override(frozenset({Mark.COMPANY}), _WITHDRAWN_ROW)
        for viewer in ASSOCIATION
        for place in (Place.XLSX, Place.CSV)
    },
}

# The ONE table: (state, role, place) → the markers that must appear; all others must not.
EXPECTED: dict[tuple[State, Viewer, Place], frozenset[Mark]] = {
    (state, viewer, place): (
        EXCEPTIONS[state, viewer, place].markers
        if (state, viewer, place) in EXCEPTIONS
        else rule(state, viewer, place)
    )
    for state in State
    for viewer in Viewer
    for place in Place
}

# Cells where the product is known to show a marker it must not: (state, role, place, mark).
# Empty unless a real leak was found; a listed cell asserts that the leak is still there, so
# that fixing it turns the test red and the entry must go.
KNOWN_LEAKS: frozenset[tuple[State, Viewer, Place, Mark]] = frozenset()


# --- building the world, once per database -----------------------------------------------------


class _Lines(logging.Handler):
    """Every log record, formatted with its arguments and any traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name} {text}")


@dataclass
class World:
    backend: str
    # What each viewer saw per place; OWN is per state (the member of that state's company).
    seen: dict[tuple[Viewer, State | None, Place], str] = field(default_factory=dict)
    # The answer table's status per marked company, for staff, admin and board.
    answer_status: dict[tuple[Viewer, State], str] = field(default_factory=dict)


@dataclass
class _Cast:
    staff: Actor
    board: Actor
    admin: Actor
    own: dict[State, Actor]
    other: Actor
    link: Actor
    review_link: Actor
    call_id: int
    paper_id: int
    compare_with: int
    control_ids: tuple[int, ...]
    prepared_mails: str
    # What each member (by user id) saw of the member review while it ran.
    review_sheets: dict[int, str]


def _upload(text: str) -> tuple[str, statements.SourceFile]:
    """A Word file holding `text`, and the text the upload would store (as the form does)."""
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    return intake.extract_text("stellungnahme.docx", data), statements.SourceFile(
        "stellungnahme.docx", data
    )


def _demo_user(session: Session, email: str) -> Actor:
    return Actor.for_user(session.exec(select(User).where(User.email == email)).one())


def _build(engine: Engine) -> tuple[dict[State, int], _Cast]:
    """The marked statements, the paper quoting them, the analysis, the mails."""
    with write_session(engine) as session:
        call = session.exec(select(Call).where(Call.title == CALL_TITLE)).one()
        call_id = id_of(call)
        staff = _demo_user(session, "referat@demo.example")
        board = _demo_user(session, "vorstand@demo.example")
        admin = _demo_user(session, "admin@demo.example")
        companies = {
            state: factories.organisation(session, m.company) for state, m in MARKERS.items()
        }
        other_org = factories.organisation(session, OTHER_COMPANY)
        link_org = factories.organisation(session, LINK_COMPANY)
        review_org = factories.organisation(session, REVIEW_COMPANY)
        calls.invite_organisations(
            session=session,
            actor=staff,
            call=call,
            organisation_ids=[id_of(o) for o in (*companies.values(), other_org, review_org)],
        )
        own = {
            state: Actor.for_user(factories.user(session, Role.MEMBER, org, password=None))
            for state, org in companies.items()
        }
        other = Actor.for_user(factories.user(session, Role.MEMBER, other_org, password=None))
        link_contact = factories.user(session, Role.MEMBER, link_org, password=None)
        _, token = invitations.create_invitation(
            session=session, actor=staff, call=call, contact=link_contact
        )
        link = invitations.redeem_invitation(session=session, token=token)
        assert link.via_invitation and link.call_id == call_id
        review_contact = factories.user(session, Role.MEMBER, review_org, password=None)

        def save(
            actor: Actor,
            text: str,
            visibility: Visibility = Visibility.NAMED,
            *,
            submit: bool = True,
            expected: int | None = None,
            upload: statements.SourceFile | None = None,
        ) -> int:
            return id_of(
                statements.save_statement(
                    session=session,
                    actor=actor,
                    call_id=call_id,
                    text_input=text,
                    visibility=visibility,
                    submit=submit,
                    expected_version=expected,
                    source=StatementSource.UPLOAD if upload else StatementSource.WEB,
                    source_file=upload,
                )
            )

        ids: dict[State, int] = {}
        ids[State.WEBDRAFT] = save(own[State.WEBDRAFT], MARKERS[State.WEBDRAFT].text, submit=False)
        extracted, word_file = _upload(MARKERS[State.UPLOADDRAFT].text)
        ids[State.UPLOADDRAFT] = save(
            own[State.UPLOADDRAFT], extracted, submit=False, upload=word_file
        )
        ids[State.NAMED] = save(own[State.NAMED], MARKERS[State.NAMED].text)
        ids[State.ANONYMOUS] = save(
            own[State.ANONYMOUS], MARKERS[State.ANONYMOUS].text, Visibility.ANONYMOUS
        )
        ids[State.INTERNAL] = save(
            own[State.INTERNAL], MARKERS[State.INTERNAL].text, Visibility.INTERNAL
        )
        ids[State.WITHDRAWN] = save(own[State.WITHDRAWN], MARKERS[State.WITHDRAWN].text)
        pulled, changed = MARKERS[State.PULLEDBACK], MARKERS[State.CHANGED]
        assert pulled.old is not None and changed.old is not None
        ids[State.PULLEDBACK] = save(own[State.PULLEDBACK], pulled.old)
        ids[State.CHANGED] = save(own[State.CHANGED], changed.old)
        control_ids = (save(other, OTHER_TEXT), save(link, LINK_TEXT, submit=False))

        # Staff quote six submitted statements in the call's paper and keep a version.
        paper = session.exec(select(Paper).where(Paper.call_id == call_id)).one()
        paper_id = id_of(paper)
        view = papers.paper_view(session=session, actor=staff, paper_id=paper_id)
        section_id = id_of(view.sections[0].section)
        paragraph_ids = {
            state: id_of(
                papers.add_paragraph(
                    session=session,
                    actor=staff,
                    section_id=section_id,
                    text=PARAGRAPHS[state],
                    is_core_demand=state == State.NAMED,
                    sources=(SourceRef(statement_id=ids[state], how=SourceHow.QUOTED),),
                )
            )
            for state in SOURCES
        }
        quoted_version = papers.save_named_version(
            session=session, actor=staff, paper_id=paper_id, label="mit Markerquellen"
        )
        # The review's start mail brings the review-link visitor in (as staff hand it over
        # without a mail server).
        prepared = mail.prepare_review(
            session=session,
            actor=staff,
            paper_id=paper_id,
            kind=MailKind.REVIEW_START,
            association_name="automotiveland.nrw e.V.",
        )
        [start_mail] = [m for m in prepared if m.contact_id == review_contact.id]
        handed_over = mail.for_manual_sending(
            session=session, actor=staff, message_id=id_of(start_mail), base_url="http://app"
        )
        review_link = invitations.redeem_invitation(
            session=session, token=handed_over.body.split("einladung=", 1)[1].split()[0]
        )
        assert review_link.via_review_link and review_link.paper_id == paper_id

        # Every marked organisation reviews that version (the paper is in member review):
        # the feedback copy names a reviewer only where its statement may be cited.
        reviewers = [*((member, review_comment(state)) for state, member in own.items())]
        for member, comment in [*reviewers, (review_link, REVIEW_COMMENT)]:
            reviews.submit_review(
                session=session,
                actor=member,
                paper_id=paper_id,
                version_number=quoted_version.number,
                entries=[reviews.ReviewInput(paragraph_ids[State.NAMED], Stance.CONCERN, comment)],
            )
        review_sheets = {
            member.user_id: _refusable(partial(_review_sheet, session, member, paper_id))
            for member in (*own.values(), other, link, review_link)
        }

        # After being quoted: one member withdraws, one takes its statement back into a
        # draft with new text, one resubmits new text as "nur intern".
        statements.withdraw_statement(
            session=session,
            actor=own[State.WITHDRAWN],
            statement_id=ids[State.WITHDRAWN],
            expected_version=1,
        )
        save(own[State.PULLEDBACK], pulled.text, submit=False, expected=1)
        save(own[State.CHANGED], changed.text, Visibility.INTERNAL, expected=1)

        # Through the board, with what the Lobbyregister asks for.
        papers.update_paper(
            session=session,
            actor=staff,
            paper_id=paper_id,
            expected_lock=paper.lock_version,
            fields=papers.PaperFields(
                title=paper.title,
                kind=paper.kind,
                addressee=paper.addressee,
                paper_date=paper.paper_date,
                call_id=paper.call_id,
                lobbyregister_relevant=True,
                register_number="R001234",
                regulatory_project_title="Förderrichtlinie Transformation",
                contact_ids=tuple(u.id or 0 for u in view.contacts),
            ),
        )
        workflow.apply(session=session, actor=staff, paper_id=paper_id, name="to_board")
        approvals.decide(
            session=session,
            actor=board,
            paper_id=paper_id,
            version_number=paper.version_counter,
            decision=Decision.APPROVE,
        )
        assert paper.status == PaperStatus.APPROVED

        workspace.analyse(session=session, actor=staff, call_id=call_id)
        prepared += [
            message
            for kind in (MailKind.INVITATION, MailKind.REMINDER)
            for message in mail.prepare(
                session=session,
                actor=staff,
                call_id=call_id,
                kind=kind,
                association_name="automotiveland.nrw e.V.",
            )
        ]
    return ids, _Cast(
        staff=staff,
        board=board,
        admin=admin,
        own=own,
        other=other,
        link=link,
        review_link=review_link,
        call_id=call_id,
        paper_id=paper_id,
        compare_with=quoted_version.number - 1,
        control_ids=control_ids,
        prepared_mails=_mails(prepared),
        review_sheets=review_sheets,
    )


# --- what one role sees in one place -----------------------------------------------------------


def _refusable(collect: Callable[[], str]) -> str:
    """A service that refuses (PermissionDenied, NotFound) shows nothing."""
    try:
        return collect()
    except (PermissionDenied, NotFound):
        return ""


def _each(
    show: Callable[[Session, Actor, int], str],
    session: Session,
    actor: Actor,
    statement_ids: list[int],
) -> str:
    """One view per statement; the ones refused show nothing."""
    shown = []
    for statement_id in statement_ids:
        try:
            shown.append(show(session, actor, statement_id))
        except (PermissionDenied, NotFound):
            continue
    return "\n".join(shown)


def _company(session: Session, actor: Actor, statement: Statement) -> str:
    """The organisation's name where the pages show it beside the statement."""
    if not statements.shown_with_name(actor, statement):
        return ""
    organisation = session.get(Organisation, statement.organisation_id)
    assert organisation is not None
    return organisation.name


def _statement(session: Session, actor: Actor, statement_id: int) -> str:
    shown = statements.get_statement(session=session, actor=actor, statement_id=statement_id)
    text = f"{_company(session, actor, shown)}: {shown.text}"
    if shown.source_document_id is not None:  # the uploaded Word file, as it can be opened
        _, data = statements.read_file(
            session=session, actor=actor, document_id=shown.source_document_id
        )
        text += "\n" + _office_text(data)
    return text


def _history(session: Session, actor: Actor, statement_id: int) -> str:
    versions = statements.history(session=session, actor=actor, statement_id=statement_id)
    shown = statements.get_statement(session=session, actor=actor, statement_id=statement_id)
    return f"{_company(session, actor, shown)}: " + " | ".join(
        f"{v.status} {v.visibility} {v.text}" for v in versions
    )


def _answers(session: Session, actor: Actor, call_id: int) -> str:
    """Organisation names together with the statement texts the table opens; a row without
    a readable statement shows its state and why (the list of invited organisations is no
    secret within the association, and is left out)."""
    rows = statements.answer_table(session=session, actor=actor, call_id=call_id)
    return "\n".join(
        f"{row.organisation.name}: {row.statement.text}"
        if row.statement is not None
        else f"[{row.status}] {row.note}"
        for row in rows
    )


def _search(session: Session, actor: Actor) -> str:
    """The hits as the search page shows them: the point with the company, or "anonym"
    where the statement may not be shown with its name (`Hit.organisation` itself is the
    organisation row whatever the permission; the page decides)."""
    queries = ["Marker", "Kontrolle", "fordern"] + [
        code(sentence)
        for markers in MARKERS.values()
        for sentence in (markers.text, markers.old)
        if sentence
    ]
    lines = []
    for query in queries:
        for hit in search.search(session=session, actor=actor, query=query):
            source = (
                hit.organisation.name
                if statements.shown_with_name(actor, hit.statement)
                else "anonym"
            )
            lines.append(f"{source}: {''.join(piece for piece, _ in hit.fragments)}")
    return "\n".join(lines)


def _paper_sources(session: Session, actor: Actor, paper_id: int) -> str:
    view = papers.paper_view(session=session, actor=actor, paper_id=paper_id)
    return "\n".join(
        f"{source.organisation}: {source.quoted_text}"
        for paragraph in view.all_paragraphs()
        for source in paragraph.sources
    )


def _review_sheet(session: Session, actor: Actor, paper_id: int) -> str:
    """The member's review page: the version under review with its own review."""
    sheet = reviews.review_sheet(session=session, actor=actor, paper_id=paper_id)
    return "\n".join(
        f"{p.section} {p.text} {p.mine.comment if p.mine else ''}" for p in sheet.paragraphs
    )


def _tally(session: Session, actor: Actor, paper_id: int) -> str:
    """The association's review tab: each paragraph with who said what."""
    return "\n".join(
        f"{row.section} {row.text}\n"
        + "\n".join(f"{name}: {review.comment}" for review, name in row.reviews)
        for row in reviews.tally(session=session, actor=actor, paper_id=paper_id)
    )


def _workspace(session: Session, actor: Actor, call_id: int) -> str:
    overview = workspace.overview(session=session, actor=actor, call_id=call_id)
    lines = [f"{t.cluster.label} {t.cluster.suggested_text}" for t in overview.topics]
    for summary in overview.topics:
        topic = workspace.topic(session=session, actor=actor, cluster_id=id_of(summary.cluster))
        lines += [f"{p.member}: {p.text}" for p in topic.points]
        lines += topic.supporters.names
        # The suggestion as the page computes it, with what it shows staff beside it.
        suggestion = workspace.suggest(topic.points)
        lines.append(suggestion.text)
        lines += [note.text for note in suggestion.internal_notes]
        lines += [sentence.text for sentence in suggestion.left_out]
        lines += [dissent.text for dissent in suggestion.dissent]
        lines += [conflict.text for conflict in suggestion.conflicts]
    for group in workspace.loose_points(session=session, actor=actor, call_id=call_id):
        lines += [f"{p.member}: {p.text}" for p in group.all]
    for point in workspace.unused_points(session=session, actor=actor, call_id=call_id):
        lines.append(f"{point.member}: {point.text}")
    return "\n".join(lines)


def _xlsx(session: Session, actor: Actor, call_id: int) -> str:
    rows = statements.export_rows(session=session, actor=actor, call_id=call_id)
    workbook = load_workbook(io.BytesIO(tables.statements_xlsx(rows, title=CALL_TITLE)))
    return "\n".join(
        " ".join(str(cell.value) for cell in row) for sheet in workbook for row in sheet.iter_rows()
    )


def _csv(session: Session, actor: Actor, call_id: int) -> str:
    rows = statements.export_rows(session=session, actor=actor, call_id=call_id)
    return tables.statements_csv(rows).decode("utf-8-sig")


def _office_text(data: bytes) -> str:
    """All XML parts of a Word file, raw and with the tags taken out (runs joined)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = "\n".join(
            archive.read(name).decode("utf-8", "replace")
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        )
    return xml + "\n" + re.sub(r"<[^>]+>", "", xml)


def _paper_export(
    session: Session, actor: Actor, paper_id: int, fmt: paper_exports.Format, old: int
) -> str:
    exported = paper_exports.export(
        session=session, actor=actor, paper_id=paper_id, fmt=fmt, compare_with=old
    )
    return _office_text(exported.data)


def _pdf_text(data: bytes, folder: Path) -> str:
    path = folder / "paket.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    # Undo line breaks inside hyphenated codes and names.
    return re.sub(r"\s+", " ", text.replace("-\n", "-"))


def _lobbyregister(session: Session, actor: Actor, paper_id: int, folder: Path) -> str:
    package = lobbyregister.build_package(session=session, actor=actor, paper_id=paper_id)
    parts = []
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            if name.endswith(".json"):
                parts.append(json.dumps(json.loads(data), ensure_ascii=False))
            elif name.endswith(".csv"):
                parts += [" ".join(r) for r in csv.reader(io.StringIO(data.decode("utf-8-sig")))]
            elif name.endswith(".pdf") and PDF:
                text = _pdf_text(data, folder)
                assert "Aus den Stellungnahmen" in text, "the PDF holds the paper"
                parts.append(text)
    return "\n".join(parts)


def _report(session: Session, actor: Actor) -> str:
    today = today_in_berlin()
    data = report.build_report(
        session=session, actor=actor, start=today - timedelta(days=400), end=today + timedelta(400)
    )
    return _office_text(data)


def _mails(messages: list[MailMessage]) -> str:
    return "\n".join(f"{m.recipient} {m.subject}\n{m.body}" for m in messages)


def _inbox(session: Session, actor: Actor, call_id: int, paper_id: int) -> str:
    """A member's mailbox: the prepared messages about the call or the review addressed to
    them."""
    return _mails(
        list(
            session.exec(
                select(MailMessage).where(
                    (col(MailMessage.call_id) == call_id) | (col(MailMessage.paper_id) == paper_id),
                    MailMessage.recipient == actor.email,
                )
            ).all()
        )
    )


def _audit(session: Session, actor: Actor) -> str:
    if not can(actor, Action.AUDIT_READ):
        raise PermissionDenied()
    events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    return "\n".join(
        f"{e.action} {e.object_type} {e.object_id} {json.dumps(e.detail, ensure_ascii=False)} "
        f"{e.before_hash} {e.after_hash}"
        for e in events
    )


PDF = pdf.available() and shutil.which("pdftotext") is not None


def _look(
    engine: Engine, cast: _Cast, actor: Actor, viewer: Viewer, statement_ids: list[int], tmp: Path
) -> dict[Place, str]:
    """Every place as this actor sees it (the log aside)."""
    call_id, paper_id = cast.call_id, cast.paper_id
    with read_session(engine) as session:
        places: dict[Place, Callable[[], str]] = {
            Place.STATEMENT: lambda: _each(_statement, session, actor, statement_ids),
            Place.HISTORY: lambda: _each(_history, session, actor, statement_ids),
            Place.ANSWERS: lambda: _answers(session, actor, call_id),
            Place.SEARCH: lambda: _search(session, actor),
            Place.PAPER_SOURCES: lambda: _paper_sources(session, actor, paper_id),
            Place.REVIEW: lambda: (
                cast.review_sheets[actor.user_id]
                if actor.user_id in cast.review_sheets
                else _tally(session, actor, paper_id)
            ),
            Place.WORKSPACE: lambda: _workspace(session, actor, call_id),
            Place.XLSX: lambda: _xlsx(session, actor, call_id),
            Place.CSV: lambda: _csv(session, actor, call_id),
            Place.DOCX: lambda: _paper_export(session, actor, paper_id, "docx", cast.compare_with),
            Place.FEEDBACK: lambda: _paper_export(
                session, actor, paper_id, "feedback", cast.compare_with
            ),
            Place.SYNOPSE_TABLE: lambda: _paper_export(
                session, actor, paper_id, "synopse-table", cast.compare_with
            ),
            Place.SYNOPSE_TRACKED: lambda: _paper_export(
                session, actor, paper_id, "synopse-tracked", cast.compare_with
            ),
            Place.LOBBYREGISTER: lambda: _lobbyregister(session, actor, paper_id, tmp),
            Place.REPORT: lambda: _report(session, actor),
            Place.MAILS: lambda: (
                cast.prepared_mails
                if viewer == Viewer.STAFF
                else _mails(
                    mail.messages_of_call(session=session, actor=actor, call_id=call_id)
                    + mail.messages_of_paper(session=session, actor=actor, paper_id=paper_id)
                )
                if viewer in ASSOCIATION
                else _inbox(session, actor, call_id, paper_id)
            ),
            Place.AUDIT: lambda: _audit(session, actor),
        }
        return {place: _refusable(collect) for place, collect in places.items()}


def _collect(
    engine: Engine, statement_ids: dict[State, int], cast: _Cast, tmp: Path, log: _Lines
) -> dict[tuple[Viewer, State | None, Place], str]:
    every_id = [*statement_ids.values(), *cast.control_ids]
    viewers: list[tuple[Viewer, State | None, Actor]] = [
        (Viewer.STAFF, None, cast.staff),
        (Viewer.BOARD, None, cast.board),
        (Viewer.ADMIN, None, cast.admin),
        (Viewer.OTHER, None, cast.other),
        (Viewer.LINK, None, cast.link),
        (Viewer.REVIEW_LINK, None, cast.review_link),
        *((Viewer.OWN, state, actor) for state, actor in cast.own.items()),
    ]
    built = "\n".join(log.lines)
    seen: dict[tuple[Viewer, State | None, Place], str] = {}
    for viewer, state, actor in viewers:
        log.lines.clear()
        for place, text in _look(engine, cast, actor, viewer, every_id, tmp).items():
            seen[viewer, state, place] = text
        seen[viewer, state, Place.LOG] = built + "\n" + "\n".join(log.lines)
    return seen


def _answer_status(engine: Engine, cast: _Cast) -> dict[tuple[Viewer, State], str]:
    by_company = {markers.company: state for state, markers in MARKERS.items()}
    status = {}
    with read_session(engine) as session:
        for viewer, actor in (
            (Viewer.STAFF, cast.staff),
            (Viewer.BOARD, cast.board),
            (Viewer.ADMIN, cast.admin),
        ):
            for row in statements.answer_table(session=session, actor=actor, call_id=cast.call_id):
                if row.organisation.name in by_company:
                    status[viewer, by_company[row.organisation.name]] = row.status
    return status


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The demo database (a copy of its own) with the marked statements, and what every
    role saw in every place, collected once."""
    folder = tmp_path_factory.mktemp(f"matrix-{request.param}")
    cleanup: Callable[[], None] = lambda: None  # noqa: E731
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_demo_template")
        database = copy_data_folder(template, folder / "daten")
        url = f"sqlite:///{database}"
    else:
        cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
        demo_template: str = request.getfixturevalue("postgres_demo_template")
        name = f"matrix_{next(cluster.counter)}"
        url = cluster.cluster.create_database(name, template=demo_template)
        cleanup = lambda: cluster.cluster.drop_database(name)  # noqa: E731
        (folder / "daten").mkdir()
    lines = _Lines()
    root = logging.getLogger()
    level = root.level
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(DATA_DIR_VARIABLE, str(folder / "daten"))
            if not PDF:  # without LibreOffice the package is checked without its PDF
                patch.setattr(pdf, "to_pdf", lambda data, **_: b"%PDF-")
            engine = create_engine_for(url)
            root.addHandler(lines)
            root.setLevel(logging.DEBUG)  # as caplog.set_level(logging.DEBUG) would
            try:
                ids, cast = _build(engine)
                seen = _collect(engine, ids, cast, folder, lines)
                answer_status = _answer_status(engine, cast)
            finally:
                root.removeHandler(lines)
                root.setLevel(level)
                engine.dispose()
        yield World(request.param, seen, answer_status)
    finally:
        cleanup()


# --- the tests, generated from the table -------------------------------------------------------


def _cells(world: World, viewer: Viewer, place: Place) -> Iterator[tuple[str, State, Viewer, str]]:
    """(what was seen, target state, role whose expectation applies, who looked)."""
    if viewer != Viewer.OWN:
        for state in State:
            yield world.seen[viewer, None, place], state, viewer, viewer.value
        return
    # The member of each state's company: own expectations for its statement, another
    # member's for every other state's.
    for looker in State:
        text = world.seen[Viewer.OWN, looker, place]
        for state in State:
            yield (
                text,
                state,
                Viewer.OWN if state == looker else Viewer.OTHER,
                f"member of {looker}",
            )


@pytest.mark.parametrize("place", list(Place), ids=lambda p: p.name.lower())
@pytest.mark.parametrize("viewer", list(Viewer), ids=lambda v: v.name.lower())
def test_markers_appear_exactly_where_the_table_allows(
    world: World, viewer: Viewer, place: Place
) -> None:
    wrong = []
    for seen, state, role, looker in _cells(world, viewer, place):
        allowed = EXPECTED[state, role, place]
        for mark in Mark:
            marker = MARKERS[state].of(mark)
            if marker is None:
                continue
            wanted = code(marker) if mark != Mark.COMPANY else marker
            present = wanted in seen
            expected = mark in allowed or (state, role, place, mark) in KNOWN_LEAKS
            if present != expected:
                wrong.append(
                    f"{looker} / {place}: {state} {mark} "
                    + ("LEAKS" if present else "is missing")
                    + f" ({wanted})"
                )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("place", list(Place), ids=lambda p: p.name.lower())
@pytest.mark.parametrize("viewer", list(Viewer), ids=lambda v: v.name.lower())
def test_a_place_shows_something_exactly_where_the_role_may_use_it(
    world: World, viewer: Viewer, place: Place
) -> None:
    """Refusals are where the permission table puts them (so "sees nothing" is a refusal,
    not a broken call); members see their own control or marker statement."""
    if place == Place.LOG:
        return
    lookers: list[State | None] = [*State] if viewer == Viewer.OWN else [None]
    for looker in lookers:
        seen = world.seen[viewer, looker, place]
        assert bool(seen.strip()) == ACCESS[viewer, place], (viewer, looker, place)
    controls = {Viewer.OTHER: OTHER_TEXT, Viewer.LINK: LINK_TEXT}
    if viewer in controls and place in {Place.STATEMENT, Place.HISTORY, Place.SEARCH}:
        assert code(controls[viewer]) in world.seen[viewer, None, place]
    if viewer == Viewer.REVIEW_LINK and place == Place.REVIEW:
        assert code(REVIEW_COMMENT) in world.seen[viewer, None, place]


@pytest.mark.parametrize("viewer", sorted(MEMBERS), ids=lambda v: v.name.lower())
def test_a_member_sees_no_other_members_review_anywhere(world: World, viewer: Viewer) -> None:
    """Beyond the markers: each member reads its own organisation's review comment in its
    review sheet and no other member's comment (or name) in any place; the association's
    tally holds them all."""
    comments: dict[State | None, str] = {state: code(review_comment(state)) for state in State}
    own_comment = {**comments, None: code(REVIEW_COMMENT)}
    lookers: list[State | None] = [*State] if viewer == Viewer.OWN else [None]
    for looker in lookers:
        mine = own_comment[looker] if viewer in {Viewer.OWN, Viewer.REVIEW_LINK} else None
        for place in Place:
            seen = world.seen[viewer, looker, place]
            for comment in [*comments.values(), code(REVIEW_COMMENT)]:
                expected = comment == mine and place == Place.REVIEW
                assert (comment in seen) == expected, (viewer, looker, place, comment)
            if place == Place.REVIEW and viewer != Viewer.REVIEW_LINK:
                assert REVIEW_COMPANY not in seen
    for association in ASSOCIATION:
        tally = world.seen[association, None, Place.REVIEW]
        assert all(comment in tally for comment in comments.values())
        assert code(REVIEW_COMMENT) in tally and REVIEW_COMPANY in tally


ANSWER_STATUS = {
    State.WEBDRAFT: "eingeladen",  # a member's draft: not even its existence is known
    State.UPLOADDRAFT: "eingeladen",
    State.PULLEDBACK: "eingeladen",
    State.WITHDRAWN: "zurückgezogen",
    **{state: "eingereicht" for state in STANDING},
}


@pytest.mark.parametrize("viewer", sorted(ASSOCIATION), ids=lambda v: v.name.lower())
def test_the_answer_table_lists_a_draft_as_no_answer(world: World, viewer: Viewer) -> None:
    """Beyond the markers: the answer table (which lists every invited organisation) does
    not even tell that a member keeps a draft, or took its statement back into one."""
    assert {s: world.answer_status[viewer, s] for s in State} == ANSWER_STATUS


def test_the_table_covers_every_cell_and_names_its_exceptions() -> None:
    assert len(EXPECTED) == len(State) * len(Viewer) * len(Place)
    for (state, viewer, place), exception in EXCEPTIONS.items():
        assert exception.markers != rule(state, viewer, place), (state, viewer, place)
    for state, _, _, mark in KNOWN_LEAKS:
        assert MARKERS[state].of(mark) is not None
