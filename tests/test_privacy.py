"""Personal data under the DSGVO: the export of everything stored about one person (Art. 15)
and erasing it (Art. 17), on SQLite and PostgreSQL.

The real check of an erasure reads the whole database: every text and JSON column of every
table, searched for the person's name, e-mail address and phone number."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, col, select
from streamlit.testing.v1 import AppTest

import cli
from db.engine import DATA_DIR_VARIABLE, create_engine_for, read_session, write_session
from db.models import (
    AuditEvent,
    CalendarFeed,
    ContactForum,
    Invitation,
    LoginSession,
    MailKind,
    MailMessage,
    MailStatus,
    Paper,
    PaperKind,
    PaperStatus,
    PaperVersion,
    Paragraph,
    ParagraphComment,
    PasswordToken,
    PasswordTokenPurpose,
    Review,
    Role,
    Section,
    Stance,
    Statement,
    StatementVersion,
    TextEmbedding,
    User,
    Visibility,
    id_of,
)
from positions.core import accounts, audit
from positions.core.clock import today_in_berlin, utcnow
from positions.core.embedding_store import StoredEmbeddings
from positions.core.errors import InvalidInput, PermissionDenied
from positions.core.permissions import SYSTEM, Actor
from positions.forums import invitations
from positions.members import privacy
from positions.statements import statements
from tests import factories

NAME = "Xaver Quellenberger"
EMAIL = "x.quellenberger@quellenberg-praezision.example"
PHONE = "+49 202 555 0177"
OWN_TEXT = "Wir fordern eine Transformationsprämie für Präzisionsdreher."
FIRST_DRAFT = "Entwurf: Förderung für Drehteile."
REVIEW_COMMENT = "Absatz 2 geht an der Lage der Dreher vorbei."
COLLEAGUE_NAME = "Yvonne Zwirnmann"
COLLEAGUE_EMAIL = "y.zwirnmann@quellenberg-praezision.example"
COLLEAGUE_TEXT = "Die Kollegin fordert schnellere Genehmigungen."
PERSONAL_LINK = "https://positionen.verband.example/?einladung=geheimes-token"


@dataclass(frozen=True)
class Scene:
    person_id: int
    colleague_id: int
    organisation_id: int
    admin: Actor
    staff: Actor
    board: Actor
    secrets: tuple[str, ...]  # hashes stored for the person: never part of an export


def person_with_a_history(engine: Engine) -> Scene:
    """A member contact who wrote a statement (in two versions), reviewed a paper, got an
    invitation link and e-mails, logged in and holds a calendar address; a colleague at the
    same company with a statement of her own."""
    with write_session(engine) as session:
        admin = factories.actor(session, Role.ADMIN)
        staff = factories.actor(session, Role.STAFF)
        board = factories.actor(session, Role.BOARD)
        company = factories.organisation(session, "Quellenberg Präzisionsteile GmbH")
        person = accounts.create_user(
            session=session,
            actor=admin,
            email=EMAIL,
            name=NAME,
            role=Role.MEMBER,
            organisation_id=id_of(company),
            password=factories.PASSWORD,
        )
        person.given_name, person.family_name = "Xaver", "Quellenberger"
        person.function, person.phone = "Leiter Politik", PHONE
        colleague = accounts.create_user(
            session=session,
            actor=admin,
            email=COLLEAGUE_EMAIL,
            name=COLLEAGUE_NAME,
            role=Role.MEMBER,
            organisation_id=id_of(company),
        )
        forum = factories.forum(session, staff)
        session.add(ContactForum(user_id=id_of(person), forum_id=id_of(forum)))
        call = factories.call(session, staff, forum, invited=[company])
        other_call = factories.call(session, staff, forum, invited=[company])
        as_person = Actor.for_user(person)
        draft = statements.save_statement(
            session=session,
            actor=as_person,
            call_id=id_of(call),
            text_input=FIRST_DRAFT,
            visibility=Visibility.NAMED,
            submit=False,
            expected_version=None,
        )
        statements.save_statement(
            session=session,
            actor=as_person,
            call_id=id_of(call),
            text_input=OWN_TEXT,
            visibility=Visibility.NAMED,
            submit=True,
            expected_version=draft.version,
        )
        statements.save_statement(
            session=session,
            actor=Actor.for_user(colleague),
            call_id=id_of(other_call),
            text_input=COLLEAGUE_TEXT,
            visibility=Visibility.NAMED,
            submit=True,
            expected_version=None,
        )
        link, _token = invitations.create_invitation(
            session=session, actor=staff, call=call, contact=person
        )
        for kind, status, error in (
            (MailKind.INVITATION, MailStatus.SENT, ""),
            (MailKind.REMINDER, MailStatus.FAILED, f"550 Postfach <{EMAIL}> unbekannt"),
        ):
            session.add(
                MailMessage(
                    call_id=id_of(call),
                    organisation_id=id_of(company),
                    contact_id=id_of(person),
                    invitation_id=id_of(link),
                    recipient=EMAIL,
                    kind=kind,
                    scheduled_on=today_in_berlin(),
                    subject="Bitte um Ihre Stellungnahme",
                    body=f"Guten Tag {NAME},\n\nbitte antworten Sie hier: {PERSONAL_LINK}",
                    status=status,
                    error=error,
                )
            )
        paper = Paper(
            forum_id=id_of(forum),
            title="Positionspapier Drehteile",
            kind=PaperKind.POSITION_PAPER,
            status=PaperStatus.MEMBER_REVIEW,
        )
        session.add(paper)
        session.flush()
        version = PaperVersion(paper_id=id_of(paper), number=1, status=PaperStatus.MEMBER_REVIEW)
        session.add(version)
        session.flush()
        session.add(
            Review(
                paper_version_id=id_of(version),
                organisation_id=id_of(company),
                paragraph_id=1,
                author_id=id_of(person),
                stance=Stance.CONCERN,
                comment=REVIEW_COMMENT,
            )
        )
        in_fourteen_days = utcnow() + timedelta(days=14)
        login = LoginSession(
            token_hash="a" * 64, user_id=id_of(person), expires_at=in_fourteen_days
        )
        visit = LoginSession(
            token_hash="b" * 64, invitation_id=id_of(link), expires_at=in_fourteen_days
        )
        password_link = PasswordToken(
            user_id=id_of(person),
            token_hash="c" * 64,
            purpose=PasswordTokenPurpose.RESET,
            expires_at=in_fourteen_days,
        )
        session.add_all([login, visit, password_link, CalendarFeed(user_id=id_of(person))])
        # A detail naming the person, as a file name or a reason typed by staff may.
        audit.record(
            session=session,
            actor_id=staff.user_id,
            action="import",
            object_type="member_list",
            detail={"file": f"Kontakte von {NAME}.xlsx", "note": f"Rückfrage an {EMAIL}"},
        )
        scene = Scene(
            person_id=id_of(person),
            colleague_id=id_of(colleague),
            organisation_id=id_of(company),
            admin=admin,
            staff=staff,
            board=board,
            secrets=(link.token_hash, "a" * 64, "b" * 64, "c" * 64, person.password_hash or ""),
        )
    assert factories.log_in(engine, EMAIL, factories.PASSWORD).actor is not None
    return scene


def everything_stored(engine: Engine) -> str:
    """Every text and JSON value in every table, one per line, lower case."""
    values: list[str] = []
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(sa.select(table)).mappings():
                for value in row.values():
                    if isinstance(value, str):
                        values.append(value)
                    elif isinstance(value, dict | list):
                        values.append(json.dumps(value, ensure_ascii=False))
    return "\n".join(values).lower()


def export_of(engine: Engine, actor: Actor, user_id: int) -> dict[str, Any]:
    with read_session(engine) as session:
        return privacy.personal_data(session=session, actor=actor, user_id=user_id)


def test_export_holds_the_persons_own_data_and_nobody_elses(engine: Engine) -> None:
    scene = person_with_a_history(engine)
    data = export_of(engine, scene.staff, scene.person_id)
    text = privacy.as_json(data).decode("utf-8")

    assert data["Person"]["E-Mail"] == EMAIL and data["Person"]["Telefon"] == PHONE
    assert data["Organisation"]["Name"] == "Quellenberg Präzisionsteile GmbH"  # not escaped
    assert [s["Text"] for s in data["Stellungnahmen"]] == [OWN_TEXT]
    assert data["Stellungnahmen"][0]["Status"] == "eingereicht"
    versions = data["Gespeicherte Fassungen von Stellungnahmen"]
    assert FIRST_DRAFT in [v["Text"] for v in versions]
    assert [r["Kommentar"] for r in data["Rückmeldungen zu Papieren"]] == [REVIEW_COMMENT]
    assert [link["Stand"] for link in data["Persönliche Links"]] == ["offen"]
    assert [m["Stand"] for m in data["E-Mails an Sie"]] == ["versendet", "fehlgeschlagen"]
    assert len(data["Anmeldungen"]) == 2  # the login and the visit through the link
    assert "Anmeldung" in [e["Aktion"] for e in data["Protokoll"]]
    assert "https://" not in text and privacy.LINK_REMOVED in text
    for secret in scene.secrets:
        assert secret not in text
    for someone_else in (COLLEAGUE_NAME, COLLEAGUE_EMAIL, COLLEAGUE_TEXT):
        assert someone_else not in text


def test_who_may_ask_for_a_persons_data(engine: Engine) -> None:
    scene = person_with_a_history(engine)
    with read_session(engine) as session:
        row = session.get(User, scene.person_id)
        assert row is not None
        person = Actor.for_user(row)
    assert export_of(engine, person, scene.person_id)["Person"]["Name"] == NAME
    assert export_of(engine, scene.admin, scene.person_id)["Person"]["Name"] == NAME
    for refused, about in (
        (scene.board, scene.person_id),  # the board reads members but does not manage them
        (person, scene.colleague_id),  # a colleague's data is hers
        (scene.staff, scene.admin.user_id),  # staff manage members, not the office's accounts
    ):
        with pytest.raises(PermissionDenied):
            export_of(engine, refused, about)


def test_erasing_leaves_no_trace_of_the_person_but_keeps_the_statement(engine: Engine) -> None:
    scene = person_with_a_history(engine)
    for trace in (NAME, EMAIL, PHONE):
        assert trace.lower() in everything_stored(engine)
    with write_session(engine) as session:  # the analysis had embedded a text naming them
        StoredEmbeddings(session)([f"{NAME} fordert niedrigere Netzentgelte."])

    with write_session(engine) as session:
        erasure = privacy.erase_contact(session=session, actor=scene.staff, user_id=scene.person_id)
    assert erasure == privacy.Erasure(scene.person_id, already_erased=False, statements_kept=1)

    stored = everything_stored(engine)
    for trace in (NAME, EMAIL, PHONE, "Quellenberger", "Leiter Politik"):
        assert trace.lower() not in stored, trace
    with read_session(engine) as session:
        person = session.get(User, scene.person_id)
        assert person is not None
        assert (person.name, person.active, person.password_hash) == (
            privacy.ERASED_NAME,
            False,
            None,
        )
        assert person.email == privacy.erased_email(scene.person_id)
        assert person.erased_at is not None
        statement = session.exec(
            select(Statement).where(Statement.author_id == scene.person_id)
        ).one()
        assert (statement.text, statement.organisation_id) == (OWN_TEXT, scene.organisation_id)
        assert session.exec(
            select(StatementVersion).where(StatementVersion.statement_id == statement.id)
        ).all()
        assert session.exec(select(Review).where(Review.author_id == scene.person_id)).one()
        mails = session.exec(select(MailMessage).where(MailMessage.contact_id == scene.person_id))
        assert {(m.kind, m.status, m.body) for m in mails} == {
            (MailKind.INVITATION, MailStatus.SENT, ""),
            (MailKind.REMINDER, MailStatus.FAILED, ""),
        }
        for table, column in (
            (LoginSession, LoginSession.user_id),
            (PasswordToken, PasswordToken.user_id),
            (CalendarFeed, CalendarFeed.user_id),
            (ContactForum, ContactForum.user_id),
        ):
            assert session.exec(select(table).where(col(column) == scene.person_id)).all() == []
        assert session.exec(select(LoginSession)).all() == []  # the link's visit too
        assert session.exec(select(TextEmbedding)).all() == []
        link = session.exec(select(Invitation).where(Invitation.contact_id == scene.person_id))
        assert all(row.revoked_at is not None for row in link)
        erased = session.exec(select(AuditEvent).where(AuditEvent.action == "contact_erased"))
        assert [(e.actor_id, e.object_id, e.detail) for e in erased] == [
            (scene.staff.user_id, scene.person_id, None)
        ]
    assert factories.log_in(engine, EMAIL, factories.PASSWORD).actor is None


def test_erasing_twice_changes_nothing(engine: Engine) -> None:
    scene = person_with_a_history(engine)
    with write_session(engine) as session:
        privacy.erase_contact(session=session, actor=scene.staff, user_id=scene.person_id)
    before = everything_stored(engine)
    with write_session(engine) as session:
        again = privacy.erase_contact(session=session, actor=scene.admin, user_id=scene.person_id)
    assert again.already_erased
    assert everything_stored(engine) == before
    with read_session(engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "contact_erased"))
        assert len(events.all()) == 1


def test_erasing_a_staff_member_keeps_their_comments_under_the_anonymous_name(
    engine: Engine,
) -> None:
    with write_session(engine) as session:
        admin = factories.actor(session, Role.ADMIN)
        staff_user = factories.user(session, Role.STAFF, email="k.kommentar@verband.example")
        colleague = factories.actor(session, Role.STAFF)
        forum = factories.forum(session, colleague)
        paper = Paper(
            forum_id=id_of(forum),
            title="Papier",
            kind=PaperKind.POSITION_PAPER,
            status=PaperStatus.DRAFT,
        )
        session.add(paper)
        session.flush()
        section = Section(paper_id=id_of(paper), title="Förderung")
        session.add(section)
        session.flush()
        paragraph = Paragraph(section_id=id_of(section), text="Der Bund muss fördern.")
        session.add(paragraph)
        session.flush()
        comment = ParagraphComment(
            paragraph_id=id_of(paragraph), author_id=id_of(staff_user), text="Quelle ergänzen."
        )
        session.add(comment)
        session.flush()
        staff_id, comment_id = id_of(staff_user), id_of(comment)

    with write_session(engine) as session, pytest.raises(PermissionDenied):
        privacy.erase_contact(session=session, actor=colleague, user_id=staff_id)
    with write_session(engine) as session:
        privacy.erase_contact(session=session, actor=admin, user_id=staff_id)
    with read_session(engine) as session:
        kept = session.get(ParagraphComment, comment_id)
        assert kept is not None and kept.text == "Quelle ergänzen."
        author = session.get(User, kept.author_id)
        assert author is not None and author.name == privacy.ERASED_NAME
    assert "k.kommentar@verband.example" not in everything_stored(engine)


def test_the_last_administrator_and_oneself_cannot_be_erased(engine: Engine) -> None:
    with write_session(engine) as session:
        only_admin = factories.actor(session, Role.ADMIN)
    with write_session(engine) as session, pytest.raises(InvalidInput, match="letzte aktive"):
        privacy.erase_contact(session=session, actor=SYSTEM, user_id=only_admin.user_id)
    with write_session(engine) as session, pytest.raises(InvalidInput, match="eigenen Zugang"):
        privacy.erase_contact(session=session, actor=only_admin, user_id=only_admin.user_id)
    with write_session(engine) as session:
        second_admin = factories.actor(session, Role.ADMIN)
    with write_session(engine) as session:
        erasure = privacy.erase_contact(
            session=session, actor=second_admin, user_id=only_admin.user_id
        )
    assert not erasure.already_erased


# --- the command line -----------------------------------------------------------------------


def contacts_command(*arguments: str) -> int:
    """`positionen contacts …` as the console script runs it."""
    return cli.main(["contacts", *arguments])


def test_the_command_line_exports_and_erases_only_with_yes(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    engine = create_engine_for(sqlite_url)
    scene = person_with_a_history(engine)
    out = tmp_path / "auskunft.json"

    assert contacts_command("export-data", "--email", EMAIL.upper(), "--out", str(out)) == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["Stellungnahmen"][0]["Text"] == OWN_TEXT

    assert contacts_command("erase", "--email", EMAIL) == 2
    assert "--yes" in capsys.readouterr().err
    assert NAME.lower() in everything_stored(engine)

    assert contacts_command("erase", "--email", EMAIL, "--yes") == 0
    assert "1 statement(s) stay" in capsys.readouterr().out
    assert NAME.lower() not in everything_stored(engine)
    with read_session(engine) as session:
        erased = session.get(User, scene.person_id)
        assert erased is not None and erased.erased_at is not None
    engine.dispose()


# --- the section on the contact page ------------------------------------------------------


def privacy_section(actor_id: int, user_id: int) -> None:
    """An AppTest script: the section as the contact page shows it to `actor_id`."""
    from positions.core import accounts
    from ui import database
    from ui.privacy import contact_privacy_actions

    with database.reading() as session:
        actor = accounts.load_actor(session=session, user_id=actor_id)
    assert actor is not None
    contact_privacy_actions(actor, user_id)


@pytest.fixture
def app_database(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """The app's database for AppTest (`DATABASE_URL`), and an engine on it for the test."""
    import streamlit as st

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "daten"))
    engine = create_engine_for(sqlite_url)
    yield engine
    engine.dispose()
    st.cache_resource.clear()


def section(actor: Actor, user_id: int) -> AppTest:
    return AppTest.from_function(
        privacy_section, kwargs={"actor_id": actor.user_id, "user_id": user_id}, default_timeout=30
    ).run()


def test_the_contact_page_erases_only_after_the_address_is_typed(app_database: Engine) -> None:
    scene = person_with_a_history(app_database)
    app = section(scene.staff, scene.person_id)
    assert [b.proto.label for b in app.get("download_button")] == [
        "Auskunft (Art. 15 DSGVO) herunterladen"
    ]
    [confirmation] = app.text_input
    confirmation.input("jemand.anders@example.org")
    app.button[0].click().run()
    assert "stimmt nicht" in app.error[0].value
    assert NAME.lower() in everything_stored(app_database)

    app.text_input[0].input(EMAIL.upper())
    app.button[0].click().run()
    assert not app.exception
    assert NAME.lower() not in everything_stored(app_database)
    assert "wurden am" in app.info[0].value
    assert app.get("download_button") == []


def test_the_board_sees_no_privacy_section(app_database: Engine) -> None:
    scene = person_with_a_history(app_database)
    app = section(scene.board, scene.person_id)
    assert not app.exception
    assert app.subheader == [] and app.get("download_button") == []
