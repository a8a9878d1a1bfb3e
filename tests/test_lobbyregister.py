"""The Lobbyregister's bookkeeping: when a sent paper is due there, the record of its upload or
exemption, how long it is kept, and the register number a final paper to a federal addressee
cannot go without."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import cli
from db.engine import create_engine_for, read_session, write_session
from db.models import (
    Decision,
    Forum,
    ForumKind,
    LobbyregisterExemption,
    Paper,
    PaperContact,
    PaperKind,
    PaperStatus,
    RecipientGroup,
    Role,
    id_of,
)
from exports import paper_exports
from positions.core import settings
from positions.core.clock import today_in_berlin
from positions.core.errors import InvalidInput, PermissionDenied
from positions.core.permissions import SYSTEM, Actor
from positions.core.working_days import DeadlineState
from positions.forums import dashboard
from positions.papers import approvals, lobbyregister, papers, workflow
from positions.papers.papers import PaperFields
from tests import factories
from tests.apptest import log_in
from tests.test_app import switch, texts

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)
TODAY = date(2026, 11, 25)
SENT = date(2026, 11, 20)
BMWE = "Bundesministerium für Wirtschaft und Energie"


def sent_paper(
    session: Session,
    *,
    relevant: bool = True,
    addressee: str = BMWE,
    forum_kind: ForumKind = ForumKind.FEDERAL,
    send: bool = True,
) -> tuple[Actor, Paper]:
    """A statement through the board and (unless `send` is false) sent on 20 November 2026."""
    staff = factories.actor(session)
    board = factories.actor(session, Role.BOARD)
    forum = factories.forum(session, staff, kind=forum_kind)
    paper = papers.create_paper(
        session=session,
        actor=staff,
        forum_id=id_of(forum),
        fields=PaperFields(
            title="Stellungnahme zur Förderrichtlinie",
            kind=PaperKind.STATEMENT,
            addressee=addressee,
            lobbyregister_relevant=relevant,
            regulatory_project_title="Förderrichtlinie Transformation" if relevant else "",
        ),
        now=NOW,
    )
    section = papers.add_section(
        session=session, actor=staff, paper_id=id_of(paper), title="Forderungen", now=NOW
    )
    papers.add_paragraph(
        session=session,
        actor=staff,
        section_id=id_of(section),
        text="Förderbescheide ergehen binnen drei Monaten.",
        is_core_demand=True,
        now=NOW,
    )
    workflow.apply(session=session, actor=staff, paper_id=id_of(paper), name="to_board", now=NOW)
    approvals.decide(
        session=session,
        actor=board,
        paper_id=id_of(paper),
        version_number=paper.version_counter,
        decision=Decision.APPROVE,
        now=NOW,
    )
    if send:
        workflow.submit(
            session=session,
            actor=staff,
            paper_id=id_of(paper),
            recipient=addressee,
            channel="E-Mail",
            submitted_on=SENT,
            now=NOW,
        )
    return staff, paper


def uploads(
    session: Session,
    actor: Actor,
    *,
    today: date,
    weeks: int = dashboard.HORIZON_WEEKS,
    person_id: int | None = None,
    include_done: bool = False,
) -> list[dashboard.DueItem]:
    """The Lobbyregister's rows of the deadline dashboard."""
    items = dashboard.due_items(
        session=session,
        actor=actor,
        today=today,
        weeks=weeks,
        person_id=person_id,
        include_done=include_done,
    )
    return [i for i in items if i.kind == dashboard.LOBBYREGISTER]


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 3, 31), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 8, 15), date(2026, 9, 30)),
        (date(2026, 11, 20), date(2026, 12, 31)),
        (date(2028, 2, 29), date(2028, 3, 31)),
    ],
)
def test_an_upload_is_due_at_the_end_of_the_quarter_the_paper_was_sent_in(
    sent: date, due: date
) -> None:
    assert dashboard.lobbyregister_upload_due(sent) == due


@pytest.mark.parametrize(
    ("uploaded", "kept"),
    [
        (date(2026, 11, 24), date(2034, 11, 24)),
        (date(2028, 2, 29), date(2036, 2, 29)),
        (date(2092, 2, 29), date(2100, 2, 28)),  # 2100 has no 29 February
    ],
)
def test_an_uploaded_paper_is_kept_eight_years(uploaded: date, kept: date) -> None:
    assert lobbyregister.keep_until(uploaded) == kept


@pytest.mark.parametrize(
    ("addressee", "federal"),
    [
        (BMWE, True),
        ("BMWE, Referat IV C 2", True),
        ("BMWi, Referat Automobilindustrie", True),
        ("Deutscher Bundestag, Ausschuss für Wirtschaft", True),
        ("Bundesregierung", True),
        ("CDU/CSU-Bundestagsfraktion", True),
        ("MWIKE NRW, Referat Automobilwirtschaft", False),
        ("BMW AG, Konzernrepräsentanz Berlin", False),
        ("Bundesverband der Zulieferindustrie", False),
        ("Bundesrat", False),
        ("Bundesnetzagentur", False),
    ],
)
def test_federal_addressees_are_those_of_the_register(addressee: str, federal: bool) -> None:
    state_forum = Forum(name="NRW Zulieferdialog", short_name="ZLD", kind=ForumKind.STATE)
    assert lobbyregister.addressed_to_federal(addressee, state_forum) is federal
    # In a federal forum every paper goes to the federal government.
    federal_forum = Forum(name="Transformationsdialog", short_name="TDA", kind=ForumKind.FEDERAL)
    assert lobbyregister.addressed_to_federal(addressee, federal_forum)


def test_a_sent_statement_is_due_on_the_dashboard_until_its_upload_is_recorded(
    engine: Engine,
) -> None:
    with write_session(engine) as session:
        staff, paper = sent_paper(session)
        [item] = uploads(session, staff, today=TODAY)
        # Shown from the day it was sent, also beyond the chosen horizon.
        assert uploads(session, staff, today=TODAY, weeks=1) == [item]
        [late] = uploads(session, staff, today=date(2027, 1, 4))
        lobbyregister.record_sending(
            session=session,
            actor=staff,
            paper_id=id_of(paper),
            recipient_group=RecipientGroup.FEDERAL_MINISTRY,
            exemption=None,
            uploaded_on=date(2026, 11, 24),
            now=NOW,
        )
        after = uploads(session, staff, today=TODAY)
        [done] = uploads(session, staff, today=TODAY, include_done=True)
        sent = lobbyregister.sending(session=session, actor=staff, paper_id=id_of(paper))
        fields = lobbyregister.package(session=session, actor=staff, paper_id=id_of(paper))
    assert (item.day, item.state, item.paper_id) == (
        date(2026, 12, 31),
        DeadlineState.OPEN,
        id_of(paper),
    )
    assert item.title == "„Stellungnahme zur Förderrichtlinie“ hochladen"
    assert late.state == DeadlineState.OVERDUE
    assert after == [] and done.state == DeadlineState.DONE
    assert sent is not None and sent.keep_until == date(2034, 11, 24)
    assert fields.fields()["Adressatengruppe"] == "Bundesministerium"
    assert fields.fields()["Im Lobbyregister hochgeladen am"] == "2026-11-24"


def test_a_statement_published_in_a_formal_procedure_owes_no_upload(engine: Engine) -> None:
    with write_session(engine) as session:
        staff, paper = sent_paper(session)
        lobbyregister.record_sending(
            session=session,
            actor=staff,
            paper_id=id_of(paper),
            recipient_group=RecipientGroup.FEDERAL_GOVERNMENT,
            exemption=LobbyregisterExemption.GGO_47,
            uploaded_on=None,
            now=NOW,
        )
        due = uploads(session, staff, today=TODAY, include_done=True)
        sent = lobbyregister.sending(session=session, actor=staff, paper_id=id_of(paper))
        lobbyregister.require_deletable(session=session, paper_id=id_of(paper), today=TODAY)
    assert due == []
    assert sent is not None and not sent.pending
    assert lobbyregister.EXEMPTION[LobbyregisterExemption.GGO_47] == "ausgenommen (§ 47 GGO)"


def test_papers_not_marked_for_the_register_owe_no_upload(engine: Engine) -> None:
    with write_session(engine) as session:
        staff, _ = sent_paper(session, relevant=False)
        assert uploads(session, staff, today=TODAY) == []


def test_only_the_contact_persons_see_the_upload_as_theirs(engine: Engine) -> None:
    with write_session(engine) as session:
        staff, paper = sent_paper(session)
        contact = factories.user(session, Role.STAFF)
        other = factories.user(session, Role.STAFF)
        session.add(PaperContact(paper_id=id_of(paper), user_id=id_of(contact)))
        session.flush()
        [item] = uploads(session, staff, today=TODAY, person_id=contact.id)
        assert uploads(session, staff, today=TODAY, person_id=other.id) == []
    assert item.responsible == (contact.name,)


def test_recording_an_upload_is_checked(engine: Engine) -> None:
    with write_session(engine) as session:
        staff, paper = sent_paper(session)
        _, unsent = sent_paper(session, send=False)

        def record(paper_id: int, day: date | None) -> None:
            lobbyregister.record_sending(
                session=session,
                actor=staff,
                paper_id=paper_id,
                recipient_group=None,
                exemption=None,
                uploaded_on=day,
                now=NOW,
            )

        with pytest.raises(InvalidInput, match="zuerst"):
            record(id_of(unsent), TODAY)
        with pytest.raises(InvalidInput, match="Zukunft"):
            record(id_of(paper), date(2026, 11, 26))
        with pytest.raises(InvalidInput, match=r"20\. November 2026 oder später"):
            record(id_of(paper), date(2026, 11, 19))
        record(id_of(paper), date(2026, 11, 24))
        with pytest.raises(InvalidInput, match="nicht entfernen"):
            record(id_of(paper), None)
        member = factories.actor(session, Role.MEMBER)
        with pytest.raises(PermissionDenied):
            lobbyregister.record_sending(
                session=session,
                actor=member,
                paper_id=id_of(paper),
                recipient_group=None,
                exemption=None,
                uploaded_on=TODAY,
                now=NOW,
            )


def test_a_paper_is_kept_while_it_is_due_and_eight_years_after_its_upload(
    engine: Engine,
) -> None:
    with write_session(engine) as session:
        staff, paper = sent_paper(session)
        paper_id = id_of(paper)
        with pytest.raises(InvalidInput, match="noch im Lobbyregister hochzuladen"):
            lobbyregister.require_deletable(session=session, paper_id=paper_id, today=TODAY)
        lobbyregister.mark_uploaded(
            session=session, actor=staff, paper_id=paper_id, day=date(2026, 11, 24), now=NOW
        )
        with pytest.raises(InvalidInput, match=r"bis zum 24\. November 2034 aufzubewahren"):
            lobbyregister.require_deletable(
                session=session, paper_id=paper_id, today=date(2034, 11, 24)
            )
        lobbyregister.require_deletable(
            session=session, paper_id=paper_id, today=date(2034, 11, 25)
        )
        _, draft = sent_paper(session, send=False)
        lobbyregister.require_deletable(session=session, paper_id=id_of(draft), today=TODAY)


def test_a_final_paper_to_a_federal_addressee_needs_the_register_number(
    engine: Engine,
) -> None:
    with write_session(engine) as session:
        staff, paper = sent_paper(session, relevant=False)
        _, state_paper = sent_paper(
            session,
            relevant=False,
            addressee="MWIKE NRW, Referat Automobilwirtschaft",
            forum_kind=ForumKind.STATE,
        )
        with pytest.raises(InvalidInput) as refused:
            paper_exports.export(session=session, actor=staff, paper_id=id_of(paper), fmt="docx")
        with pytest.raises(InvalidInput, match="Einstellungen"):
            paper_exports.export(
                session=session, actor=staff, paper_id=id_of(paper), fmt="synopse-tracked"
            )
        # The version the board was asked about is a draft: it may go without the number.
        lobbyregister.require_register_number(session=session, paper=paper, version_number=1)
        lobbyregister.require_register_number(
            session=session, paper=state_paper, version_number=state_paper.version_counter
        )
        admin = factories.actor(session, Role.ADMIN)
        settings.save_association(
            session=session,
            actor=admin,
            values=settings.Association(name="automotiveland.nrw e.V.", register_number="R001234"),
        )
        lobbyregister.require_register_number(
            session=session, paper=paper, version_number=paper.version_counter
        )
    assert "„Einstellungen“ → „Verband“ → „Nummer im Lobbyregister des Bundestags“" in (
        refused.value.message
    )


def test_the_deadlines_command_reminds_of_the_upload(
    sqlite_demo_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_demo_url)
    assert cli.main(["deadlines", "--weeks", "1"]) == 0
    printed = capsys.readouterr().out
    [line] = [line for line in printed.splitlines() if "Lobbyregister" in line]
    assert (
        "TDA" in line and "„Stellungnahme zum Regionaldialog Förderinstrumente“ hochladen" in line
    )


def _demo_statement(url: str) -> int:
    with read_session(create_engine_for(url)) as session:
        paper = session.exec(
            select(Paper).where(
                Paper.status == PaperStatus.SUBMITTED, Paper.title.startswith("Stellungnahme")
            )
        ).one()
        return id_of(paper)


def test_staff_record_the_exemption_on_the_paper_page_and_the_duty_leaves_fristen(
    demo_url: str,
) -> None:
    paper_id = _demo_statement(demo_url)
    app = log_in("referat@demo.example")
    switch(app, "ui/pages/paper.py", papier=str(paper_id))
    assert "Im Lobbyregister hochladen" in texts(app)
    [duty] = [s for s in app.selectbox if s.label == "Pflicht, das Papier hochzuladen"]
    duty.set_value(LobbyregisterExemption.GGO_47)
    [group] = [s for s in app.selectbox if s.label == "Adressatengruppe"]
    group.set_value(RecipientGroup.FEDERAL_MINISTRY)
    [save] = [b for b in app.button if b.label == "Speichern"]
    save.click().run()
    assert not app.exception
    page = texts(app)
    assert "ausgenommen (§ 47 GGO)" in page
    assert "Adressatengruppe im Lobbyregister: Bundesministerium" in page
    assert "Im Lobbyregister hochladen" not in page

    switch(app, "ui/pages/deadlines.py")
    due, overview = app.dataframe[0].value, app.dataframe[1].value
    assert "Lobbyregister" not in set(due["Was"])
    [row] = overview[overview["Papier"].str.startswith("Stellungnahme")].to_dict("records")
    assert row["Lobbyregister"] == "ausgenommen (§ 47 GGO)"
    assert row["Adressatengruppe"] == "Bundesministerium"


def test_the_fristen_page_shows_the_upload_and_how_long_it_is_kept(demo_url: str) -> None:
    paper_id = _demo_statement(demo_url)
    app = log_in("referat@demo.example")
    switch(app, "ui/pages/deadlines.py")
    due = app.dataframe[0].value
    [upload] = due[due["Was"] == "Lobbyregister"].to_dict("records")
    assert upload["Aufruf / Aufgabe"].startswith("„Stellungnahme zum Regionaldialog")
    with write_session(create_engine_for(demo_url)) as session:
        lobbyregister.mark_uploaded(
            session=session, actor=SYSTEM, paper_id=paper_id, day=today_in_berlin()
        )
    switch(app, "ui/pages/deadlines.py")
    due, overview = app.dataframe[0].value, app.dataframe[1].value
    assert "Lobbyregister" not in set(due["Was"])
    [row] = overview[overview["Papier"].str.startswith("Stellungnahme")].to_dict("records")
    assert row["Lobbyregister"].startswith("hochgeladen am")
    assert row["Aufbewahren bis"].endswith(str(today_in_berlin().year + 8))


def test_the_start_page_reminds_staff_of_the_upload(demo_url: str) -> None:
    app = log_in("referat@demo.example")
    due = app.dataframe[0].value
    assert "Lobbyregister" in set(due["Was"])


def test_sending_a_federal_paper_records_its_recipient_group(demo_url: str) -> None:
    with write_session(create_engine_for(demo_url)) as session:
        paper = session.exec(select(Paper).where(Paper.status == PaperStatus.MEMBER_REVIEW)).one()
        paper.lobbyregister_relevant = True
        paper.regulatory_project_title = "Gesetz zur Beschleunigung der Förderverfahren"
        session.add(paper)
        session.flush()
        staff = Actor.for_user(factories.user(session, Role.STAFF))
        board = Actor.for_user(factories.user(session, Role.BOARD))
        workflow.apply(session=session, actor=staff, paper_id=id_of(paper), name="to_board")
        approvals.decide(
            session=session,
            actor=board,
            paper_id=id_of(paper),
            version_number=paper.version_counter,
            decision=Decision.APPROVE,
        )
        paper_id = id_of(paper)
    app = log_in("referat@demo.example")
    switch(app, "ui/pages/paper.py", papier=str(paper_id))
    [group] = [s for s in app.selectbox if s.label == "Adressatengruppe"]
    group.set_value(RecipientGroup.FEDERAL_GOVERNMENT)
    [duty] = [s for s in app.selectbox if s.label == "Pflicht, das Papier hochzuladen"]
    assert duty.value is None  # the duty stands unless a formal procedure published it
    [send] = [b for b in app.button if b.label == "Erfassen"]
    send.click().run()
    assert not app.exception
    page = texts(app)
    assert "Adressatengruppe im Lobbyregister: Bundesregierung" in page
    assert "Im Lobbyregister hochladen" in page
