import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from db.engine import create_engine_for, read_session, write_session
from db.models import (
    AuditEvent,
    Decision,
    Forum,
    Paper,
    PaperKind,
    PaperStatus,
    PaperVersion,
    Paragraph,
    ParagraphSource,
    Point,
    Review,
    Role,
    SourceHow,
    Stance,
    Statement,
    StatementSource,
    StatementStatus,
    Visibility,
    id_of,
)
from exports import paper_exports
from positions.core import settings
from positions.core.errors import InvalidInput, PermissionDenied, StaleEdit
from positions.core.permissions import SYSTEM, Actor
from positions.papers import approvals, papers, reviews, snapshot, workflow
from positions.papers.papers import PaperFields, ParagraphConflict
from positions.papers.snapshot import SourceRef
from positions.statements import statements
from tests import factories

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)


def _paper(engine: Engine, paragraphs: int = 3) -> tuple[Actor, int, list[int], list[int]]:
    """Staff, a paper with two sections and `paragraphs` paragraphs; section and paragraph ids."""
    with write_session(engine) as session:
        staff = factories.actor(session)
        forum = factories.forum(session, staff)
        paper = papers.create_paper(
            session=session,
            actor=staff,
            forum_id=id_of(forum),
            fields=PaperFields(title="Positionspapier Förderung", kind=PaperKind.POSITION_PAPER),
            now=NOW,
        )
        first = papers.add_section(
            session=session, actor=staff, paper_id=id_of(paper), title="Ausgangslage", now=NOW
        )
        second = papers.add_section(
            session=session, actor=staff, paper_id=id_of(paper), title="Forderungen", now=NOW
        )
        ids = [
            id_of(
                papers.add_paragraph(
                    session=session,
                    actor=staff,
                    section_id=id_of(second),
                    text=f"Forderung {i}",
                    is_core_demand=i == 0,
                    now=NOW,
                )
            )
            for i in range(paragraphs)
        ]
        return staff, id_of(paper), [id_of(first), id_of(second)], ids


def test_structure_core_demands_and_order(engine: Engine) -> None:
    staff, paper_id, (first, second), ids = _paper(engine)
    with write_session(engine) as session:
        papers.move_paragraph(session=session, actor=staff, paragraph_id=ids[2], step=-2)
        papers.move_paragraph(
            session=session, actor=staff, paragraph_id=ids[1], to_section_id=first
        )
        child = papers.add_section(
            session=session, actor=staff, paper_id=paper_id, title="Energie", parent_id=second
        )
    with read_session(engine) as session:
        view = papers.paper_view(session=session, actor=staff, paper_id=paper_id)
    assert [s.section.title for s in view.sections] == ["Ausgangslage", "Forderungen"]
    assert [c.section.title for c in view.sections[1].children] == ["Energie"]
    assert [p.paragraph.text for p in view.all_paragraphs()] == [
        "Forderung 1",
        "Forderung 2",
        "Forderung 0",
    ]
    assert [p.text for p in view.core_demands] == ["Forderung 0"]
    assert child.parent_id == second


def test_sections_nest_only_one_level_and_never_into_themselves(engine: Engine) -> None:
    staff, paper_id, (first, second), _ = _paper(engine)
    with write_session(engine) as session:
        child = papers.add_section(
            session=session, actor=staff, paper_id=paper_id, title="Unterabschnitt", parent_id=first
        )
        with pytest.raises(InvalidInput, match="nur eine Ebene"):
            papers.add_section(
                session=session,
                actor=staff,
                paper_id=paper_id,
                title="Tief",
                parent_id=id_of(child),
            )
        with pytest.raises(InvalidInput, match="in sich selbst"):
            papers.update_section(
                session=session,
                actor=staff,
                section_id=first,
                title="Ausgangslage",
                parent_id=first,
            )
        with pytest.raises(InvalidInput, match="Unterabschnitte"):
            papers.update_section(
                session=session,
                actor=staff,
                section_id=first,
                title="Ausgangslage",
                parent_id=second,
            )
        with pytest.raises(InvalidInput, match="leere Abschnitte"):
            papers.delete_section(session=session, actor=staff, section_id=second)
        with pytest.raises(InvalidInput, match="Titel"):
            papers.create_paper(
                session=session,
                actor=staff,
                forum_id=1,
                fields=PaperFields(title="  ", kind=PaperKind.STATEMENT),
            )


def test_a_stale_editor_gets_both_texts_instead_of_overwriting(engine: Engine) -> None:
    staff, _, _, ids = _paper(engine)
    with write_session(engine) as session:
        colleague = factories.actor(session)
        papers.save_paragraph(
            session=session,
            actor=colleague,
            paragraph_id=ids[0],
            text="Fassung von B",
            is_core_demand=True,
            expected_version=1,
        )
    with pytest.raises(ParagraphConflict) as conflict, write_session(engine) as session:
        papers.save_paragraph(
            session=session,
            actor=staff,
            paragraph_id=ids[0],
            text="Fassung von A",
            is_core_demand=True,
            expected_version=1,
        )
    assert (conflict.value.mine, conflict.value.theirs) == ("Fassung von A", "Fassung von B")
    assert conflict.value.their_version == 2
    with read_session(engine) as session:
        stored = session.get(Paragraph, ids[0])
        assert stored is not None and stored.text == "Fassung von B"


def test_concurrent_saves_of_one_paragraph_give_exactly_one_conflict(engine: Engine) -> None:
    staff, _, _, ids = _paper(engine)
    barrier, outcomes = threading.Barrier(2), []

    def save(text: str) -> None:
        barrier.wait()
        try:
            with write_session(engine) as session:
                papers.save_paragraph(
                    session=session,
                    actor=staff,
                    paragraph_id=ids[1],
                    text=text,
                    is_core_demand=False,
                    expected_version=1,
                )
            outcomes.append("saved")
        except StaleEdit:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(t,)) for t in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]


def test_colleagues_saving_different_paragraphs_at_once_both_succeed(engine: Engine) -> None:
    """The first save holds its transaction open while the second one starts: on PostgreSQL
    the second then waits for the paper row and must not fail once the first commits."""
    staff, paper_id, _, ids = _paper(engine)
    first_saved, second_started = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def save(paragraph_id: int, text: str, hold: bool) -> None:
        try:
            with write_session(engine) as session:
                if not hold:
                    second_started.set()
                papers.save_paragraph(
                    session=session,
                    actor=staff,
                    paragraph_id=paragraph_id,
                    text=text,
                    is_core_demand=False,
                    expected_version=1,
                )
                if hold:
                    first_saved.set()
                    second_started.wait(5)
                    time.sleep(0.3)
            outcomes[text] = "saved"
        except StaleEdit as error:
            outcomes[text] = str(error)

    holder = threading.Thread(target=save, args=(ids[0], "Text von A", True))
    holder.start()
    assert first_saved.wait(5)
    other = threading.Thread(target=save, args=(ids[1], "Text von B", False))
    other.start()
    holder.join()
    other.join()
    assert outcomes == {"Text von A": "saved", "Text von B": "saved"}
    with read_session(engine) as session:
        view = papers.paper_view(session=session, actor=staff, paper_id=paper_id)
        texts = [p.paragraph.text for p in view.all_paragraphs()]
    assert texts[:2] == ["Text von A", "Text von B"]


def test_versions_are_immutable_snapshots(engine: Engine) -> None:
    staff, paper_id, _, ids = _paper(engine)
    with write_session(engine) as session:
        first = papers.save_named_version(
            session=session, actor=staff, paper_id=paper_id, label="Erster Entwurf"
        )
        papers.save_paragraph(
            session=session,
            actor=staff,
            paragraph_id=ids[0],
            text="Geändert",
            is_core_demand=True,
            expected_version=1,
        )
        papers.save_named_version(
            session=session, actor=staff, paper_id=paper_id, label="Zweiter Entwurf"
        )
    with read_session(engine) as session:
        versions = papers.versions(session=session, actor=staff, paper_id=paper_id)
        old = session.get(PaperVersion, first.id)
    assert [v.number for v in versions] == [2, 1]
    assert old is not None
    texts = [p.text for _, p in snapshot.of(old).paragraphs()]
    assert texts[0] == "Forderung 0"


def test_sources_link_paragraphs_to_statements_and_names_only_when_permitted(
    engine: Engine,
) -> None:
    staff, paper_id, _, ids = _paper(engine)
    with write_session(engine) as session:
        named_org, anonymous_org = (
            factories.organisation(session, "Offen GmbH"),
            factories.organisation(session, "Geheim GmbH"),
        )
        call = factories.call(
            session,
            staff,
            factories.forum(session, staff),
            external_deadline=date(2027, 3, 1),
            invited=[named_org, anonymous_org],
        )
        for org, visibility in (
            (named_org, Visibility.NAMED),
            (anonymous_org, Visibility.ANONYMOUS),
        ):
            member = Actor.for_user(factories.user(session, Role.MEMBER, org, password=None))
            statement = statements.save_statement(
                session=session,
                actor=member,
                call_id=id_of(call),
                text_input="Förderprogramme vereinfachen.",
                visibility=visibility,
                submit=True,
                expected_version=None,
            )
            papers.add_source(
                session=session,
                actor=staff,
                paragraph_id=ids[0],
                source=SourceRef(statement_id=id_of(statement), how=SourceHow.QUOTED),
            )
    with read_session(engine) as session:
        view = papers.paper_view(session=session, actor=staff, paper_id=paper_id)
    sources = view.all_paragraphs()[0].sources
    assert sorted(s.organisation for s in sources) == ["", "Offen GmbH"]


def test_workflow_review_minority_opinion_and_board_approval(engine: Engine) -> None:
    staff, paper_id, _, ids = _paper(engine)
    with write_session(engine) as session:
        org = factories.organisation(session, "Dissens AG")
        member = Actor.for_user(factories.user(session, Role.MEMBER, org, password=None))
        outsider = factories.actor(session, Role.MEMBER)
        board = Actor.for_user(factories.user(session, Role.BOARD))
        paper = papers.get_paper(session=session, actor=staff, paper_id=paper_id)
        forum = session.get(Forum, paper.forum_id)
        assert forum is not None
        call = factories.call(
            session,
            staff,
            forum,
            invited=[org],
            external_deadline=date(2027, 3, 1),
        )
        papers.update_paper(
            session=session,
            actor=staff,
            paper_id=paper_id,
            fields=PaperFields(title=paper.title, kind=paper.kind, call_id=id_of(call)),
            expected_lock=paper.lock_version,
        )
        with pytest.raises(PermissionDenied):  # not shared while in draft
            reviews.review_sheet(session=session, actor=member, paper_id=paper_id)
        workflow.apply(
            session=session, actor=staff, paper_id=paper_id, name="start_review", now=NOW
        )
        sheet = reviews.review_sheet(session=session, actor=member, paper_id=paper_id, now=NOW)
        assert [p.id for p in sheet.paragraphs] == ids and sheet.open
        with pytest.raises(PermissionDenied):  # not a reviewer of this paper
            reviews.review_sheet(session=session, actor=outsider, paper_id=paper_id)
        reviews.submit_review(
            session=session,
            actor=member,
            paper_id=paper_id,
            version_number=sheet.version.number,
            now=NOW,
            entries=[
                reviews.ReviewInput(ids[0], Stance.SUPPORT),
                reviews.ReviewInput(
                    ids[1],
                    Stance.DISSENT,
                    "Wir lehnen das ab, weil …",
                    minority_opinion=True,
                    name_consent=True,
                ),
            ],
        )
        [dissent] = [
            t
            for t in reviews.tally(session=session, actor=staff, paper_id=paper_id)
            if t.counts[Stance.DISSENT]
        ]
        review, name = dissent.reviews[0]
        assert name == "Dissens AG" and review.minority_opinion_requested
        opinion = reviews.accept_minority_opinion(
            session=session, actor=staff, review_id=id_of(review), named=True
        )
        assert opinion.is_minority_opinion and opinion.minority_named
        workflow.apply(session=session, actor=staff, paper_id=paper_id, name="to_board")
        version = papers.latest_version(
            session=session, paper=papers.get_paper(session=session, actor=staff, paper_id=paper_id)
        )
        assert version is not None
        paper = approvals.decide(
            session=session,
            actor=board,
            paper_id=paper_id,
            version_number=version.number,
            decision=Decision.APPROVE,
        )
        assert paper.status is PaperStatus.APPROVED
        with pytest.raises(InvalidInput, match="freigegeben oder eingereicht"):
            papers.save_paragraph(
                session=session,
                actor=staff,
                paragraph_id=ids[0],
                text="Nachträglich",
                is_core_demand=True,
                expected_version=1,
            )


def test_an_edit_during_board_approval_invalidates_approvals_and_old_versions(
    engine: Engine,
) -> None:
    staff, paper_id, _, ids = _paper(engine)
    with write_session(engine) as session:
        settings.store_value(session, staff, "approval.quorum", 2, NOW)
        boards = [Actor.for_user(factories.user(session, Role.BOARD)) for _ in range(2)]
        workflow.apply(session=session, actor=staff, paper_id=paper_id, name="to_board", now=NOW)
        paper = papers.get_paper(session=session, actor=staff, paper_id=paper_id)
        submitted = paper.version_counter
        approvals.decide(
            session=session,
            actor=boards[0],
            paper_id=paper_id,
            version_number=submitted,
            decision=Decision.APPROVE,
            now=NOW + timedelta(minutes=1),
        )
        assert paper.status is PaperStatus.BOARD_APPROVAL  # quorum is two
        papers.save_paragraph(
            session=session,
            actor=staff,
            paragraph_id=ids[0],
            text="Nachgebessert",
            is_core_demand=True,
            expected_version=1,
            now=NOW + timedelta(minutes=2),
        )
        views = approvals.approvals_of(session=session, actor=staff, paper_id=paper_id)
        assert views[0].approval.invalidated_at is not None
        with pytest.raises(InvalidInput, match="nicht mehr aktuell"):
            approvals.decide(
                session=session,
                actor=boards[1],
                paper_id=paper_id,
                version_number=submitted,
                decision=Decision.APPROVE,
                now=NOW + timedelta(minutes=3),
            )
        with pytest.raises(InvalidInput, match="Grund"):
            approvals.decide(
                session=session,
                actor=boards[1],
                paper_id=paper_id,
                version_number=submitted,
                decision=Decision.REJECT,
            )


def test_a_paper_with_500_paragraphs_is_fine(engine: Engine) -> None:
    staff, paper_id, _, _ = _paper(engine, paragraphs=500)
    with write_session(engine) as session:
        version = papers.save_named_version(
            session=session, actor=staff, paper_id=paper_id, label="Lang"
        )
        view = papers.paper_view(session=session, actor=staff, paper_id=paper_id)
    assert len(view.all_paragraphs()) == 500
    assert len(list(snapshot.of(version).paragraphs())) == 500
    with read_session(engine) as session:
        assert len(session.exec(select(Paragraph)).all()) == 500


def test_moving_a_section_and_commenting_are_in_the_audit_trail(engine: Engine) -> None:
    staff, _, (first, _second), ids = _paper(engine)
    with write_session(engine) as session:
        papers.move_section(session=session, actor=staff, section_id=first, step=1)
        comment = papers.add_comment(
            session=session, actor=staff, paragraph_id=ids[0], text="Zahl prüfen: 800 Betriebe?"
        )
    with read_session(engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.actor_id == staff.user_id)).all()
    found = {(e.action, e.object_type, e.object_id) for e in events}
    assert ("move", "section", first) in found
    assert ("create", "paragraphcomment", comment.id) in found
    assert all("800 Betriebe" not in str(e.detail) for e in events)


# --- sources, naming and approvals under members' later changes ---------------------------


@dataclass
class Sourced:
    """A paper on a call with one paragraph, and member organisations that answered it."""

    staff: Actor
    board: Actor
    paper_id: int
    section_id: int
    paragraph_id: int
    call_id: int
    members: dict[str, Actor]
    statement_ids: dict[str, int]


def sourced_paper(engine: Engine, answers: dict[str, tuple[str, Visibility]]) -> Sourced:
    """Staff, board, a paper answering a call and the members' submitted statements
    (organisation name → text and permission), through the services members use."""
    with write_session(engine) as session:
        staff = factories.actor(session)
        board = factories.actor(session, Role.BOARD)
        organisations = {name: factories.organisation(session, name) for name in answers}
        forum = factories.forum(session, staff)
        call = factories.call(session, staff, forum, invited=list(organisations.values()))
        paper = papers.create_paper(
            session=session,
            actor=staff,
            forum_id=id_of(forum),
            fields=PaperFields(
                title="Positionspapier Förderung",
                kind=PaperKind.POSITION_PAPER,
                call_id=id_of(call),
            ),
        )
        section = papers.add_section(
            session=session, actor=staff, paper_id=id_of(paper), title="Forderungen"
        )
        paragraph = papers.add_paragraph(
            session=session,
            actor=staff,
            section_id=id_of(section),
            text="Förderprogramme werden einfacher.",
        )
        members, statement_ids = {}, {}
        for name, (text, visibility) in answers.items():
            members[name] = Actor.for_user(
                factories.user(session, Role.MEMBER, organisations[name], password=None)
            )
            statement_ids[name] = id_of(
                statements.save_statement(
                    session=session,
                    actor=members[name],
                    call_id=id_of(call),
                    text_input=text,
                    visibility=visibility,
                    submit=True,
                    expected_version=None,
                )
            )
        return Sourced(
            staff,
            board,
            id_of(paper),
            id_of(section),
            id_of(paragraph),
            id_of(call),
            members,
            statement_ids,
        )


def points_of(session: Session, statement_id: int) -> list[Point]:
    return list(
        session.exec(
            select(Point).where(Point.statement_id == statement_id).order_by(col(Point.position))
        ).all()
    )


def resave(
    session: Session,
    sourced: Sourced,
    name: str,
    text: str,
    visibility: Visibility,
    *,
    submit: bool = True,
) -> None:
    """The member saves its statement anew (as a member does in the call page)."""
    statement = session.get_one(Statement, sourced.statement_ids[name])
    statements.save_statement(
        session=session,
        actor=sourced.members[name],
        call_id=sourced.call_id,
        text_input=text,
        visibility=visibility,
        submit=submit,
        expected_version=statement.version,
    )


def _sources(engine: Engine, actor: Actor, sourced: Sourced) -> list[papers.SourceView]:
    with read_session(engine) as session:
        view = papers.paper_view(session=session, actor=actor, paper_id=sourced.paper_id)
    [paragraph] = [p for p in view.all_paragraphs() if p.paragraph.id == sourced.paragraph_id]
    return paragraph.sources


def test_the_board_never_sees_internal_or_draft_text_among_a_papers_sources(
    engine: Engine,
) -> None:
    sourced = sourced_paper(
        engine,
        {
            "Offen GmbH": ("Förderprogramme vereinfachen.", Visibility.NAMED),
            "Intern AG": ("INTERNTEXT-3310 Verlagerung geprüft.", Visibility.INTERNAL),
        },
    )
    with write_session(engine) as session:
        [point] = points_of(session, sourced.statement_ids["Offen GmbH"])
        linked = [
            papers.add_source(
                session=session,
                actor=sourced.staff,
                paragraph_id=sourced.paragraph_id,
                source=source,
            )
            for source in (
                SourceRef(point_id=id_of(point), how=SourceHow.MERGED),
                SourceRef(statement_id=sourced.statement_ids["Intern AG"], how=SourceHow.QUOTED),
                SourceRef(point_id=id_of(point), how=SourceHow.MANUAL),  # linked already
            )
        ]
        assert linked[2] is linked[0]
        # The member takes its statement back into draft and writes something new.
        resave(
            session,
            sourced,
            "Offen GmbH",
            "ENTWURF-5521 noch nicht abgestimmt.",
            Visibility.NAMED,
            submit=False,
        )
    board_sees = _sources(engine, sourced.board, sourced)
    assert board_sees == []  # internal is for the office; a draft for its organisation
    office_sees = _sources(engine, sourced.staff, sourced)
    assert "ENTWURF-5521" not in repr(office_sees)
    by_status = {s.status: s for s in office_sees}
    assert set(by_status) == {StatementStatus.DRAFT, StatementStatus.SUBMITTED}
    pulled_back = by_status[StatementStatus.DRAFT]
    assert (pulled_back.quoted_text, pulled_back.organisation) == ("", "")
    internal = by_status[StatementStatus.SUBMITTED]
    assert internal.quoted_text == "INTERNTEXT-3310 Verlagerung geprüft."
    assert internal.organisation == ""  # the office sees the text, never a name to pass on


def test_a_draft_or_withdrawn_statement_cannot_become_a_source(engine: Engine) -> None:
    sourced = sourced_paper(
        engine,
        {
            "Entwurf GmbH": ("Förderprogramme vereinfachen.", Visibility.NAMED),
            "Weg GmbH": ("Bürgschaften ausweiten.", Visibility.NAMED),
        },
    )
    with write_session(engine) as session:
        [point] = points_of(session, sourced.statement_ids["Entwurf GmbH"])
        resave(session, sourced, "Entwurf GmbH", "Noch offen.", Visibility.NAMED, submit=False)
        leaving = session.get_one(Statement, sourced.statement_ids["Weg GmbH"])
        statements.withdraw_statement(
            session=session,
            actor=sourced.members["Weg GmbH"],
            statement_id=id_of(leaving),
            expected_version=leaving.version,
        )
        [draft_point] = points_of(session, sourced.statement_ids["Entwurf GmbH"])
        for source, why in (
            (SourceRef(point_id=id_of(point), how=SourceHow.MANUAL), "nicht \\(mehr\\)"),
            (SourceRef(point_id=id_of(draft_point), how=SourceHow.MANUAL), "Entwurf"),
            (SourceRef(statement_id=id_of(leaving), how=SourceHow.QUOTED), "zurückgezogen"),
        ):
            with pytest.raises(InvalidInput, match=why):
                papers.add_source(
                    session=session,
                    actor=sourced.staff,
                    paragraph_id=sourced.paragraph_id,
                    source=source,
                )


def test_a_member_changes_a_statement_staff_used_and_the_paper_keeps_its_quote(
    engine: Engine,
) -> None:
    original = "Förderprogramme vereinfachen.\n\nBürgschaften auf 80 Prozent erhöhen."
    sourced = sourced_paper(engine, {"Offen GmbH": (original, Visibility.NAMED)})
    name, statement_id = "Offen GmbH", sourced.statement_ids["Offen GmbH"]
    with write_session(engine) as session:
        points = points_of(session, statement_id)
        assert len(points) == 2
        papers.add_paragraph(
            session=session,
            actor=sourced.staff,
            section_id=sourced.section_id,
            text="Bürgschaften werden ausgeweitet.",
            sources=tuple(SourceRef(point_id=id_of(p), how=SourceHow.MERGED) for p in points),
        )
        papers.add_source(
            session=session,
            actor=sourced.staff,
            paragraph_id=sourced.paragraph_id,
            source=SourceRef(statement_id=statement_id, how=SourceHow.QUOTED),
        )
    # Before the deadline the member edits and resubmits: its points are split anew.
    with write_session(engine) as session:
        resave(session, sourced, name, "Ganz neue Forderung zur Förderung.", Visibility.NAMED)
    with read_session(engine) as session:
        view = papers.paper_view(session=session, actor=sourced.staff, paper_id=sourced.paper_id)
        kept = {s.quoted_text for p in view.all_paragraphs() for s in p.sources}
        assert kept == {
            original,
            "Förderprogramme vereinfachen.",
            "Bürgschaften auf 80 Prozent erhöhen.",
        }
        assert all(
            s.changed and s.organisation == name for p in view.all_paragraphs() for s in p.sources
        )
        stored = session.exec(select(ParagraphSource)).all()
        assert {s.point_id for s in stored} == {None}  # the old points are gone
    # … changes its permission to "nur intern": the board no longer sees it, exports no name.
    with write_session(engine) as session:
        resave(session, sourced, name, "Ganz neue Forderung zur Förderung.", Visibility.INTERNAL)
        papers.save_named_version(
            session=session, actor=sourced.staff, paper_id=sourced.paper_id, label="Stand"
        )
    assert _sources(engine, sourced.board, sourced) == []
    assert [s.quoted_text for s in _sources(engine, sourced.staff, sourced)] == [original]
    with read_session(engine) as session:
        document = paper_exports.document_for(
            session=session, actor=sourced.staff, paper_id=sourced.paper_id
        )
    assert name not in repr(document)
    # … and withdraws it: staff see that, and the paper still has what it quoted.
    with write_session(engine) as session:
        statement = session.get_one(Statement, statement_id)
        statements.withdraw_statement(
            session=session,
            actor=sourced.members[name],
            statement_id=statement_id,
            expected_version=statement.version,
        )
    [withdrawn] = _sources(engine, sourced.staff, sourced)
    assert withdrawn.status is StatementStatus.WITHDRAWN and withdrawn.quoted_text == original


def test_sources_linked_before_quotes_were_kept_show_the_submitted_point(engine: Engine) -> None:
    """Rows from before quoted_text existed: the point's text while the statement stands."""
    sourced = sourced_paper(
        engine, {"Alt GmbH": ("Förderprogramme vereinfachen.", Visibility.NAMED)}
    )
    with write_session(engine) as session:
        [point] = points_of(session, sourced.statement_ids["Alt GmbH"])
        row = papers.add_source(
            session=session,
            actor=sourced.staff,
            paragraph_id=sourced.paragraph_id,
            source=SourceRef(point_id=id_of(point), how=SourceHow.MERGED),
        )
        row.quoted_text, row.statement_version = "", None
        session.add(row)
    [legacy] = _sources(engine, sourced.board, sourced)
    assert (legacy.quoted_text, legacy.organisation) == (
        "Förderprogramme vereinfachen.",
        "Alt GmbH",
    )
    assert not legacy.changed
    with write_session(engine) as session:
        resave(session, sourced, "Alt GmbH", "ENTWURF-7 neu.", Visibility.NAMED, submit=False)
    assert _sources(engine, sourced.board, sourced) == []
    [hidden] = _sources(engine, sourced.staff, sourced)
    assert hidden.quoted_text == ""


def in_review(engine: Engine) -> tuple[Sourced, list[int], int]:
    """A paper in member review with three paragraphs; the reviewed version's number."""
    sourced = sourced_paper(
        engine,
        {
            "Dissens AG": ("Förderprogramme vereinfachen.", Visibility.ANONYMOUS),
            "Zweifel AG": ("Bürgschaften ausweiten.", Visibility.NAMED),
        },
    )
    with write_session(engine) as session:
        ids = [sourced.paragraph_id] + [
            id_of(
                papers.add_paragraph(
                    session=session,
                    actor=sourced.staff,
                    section_id=sourced.section_id,
                    text=f"Forderung {i}",
                )
            )
            for i in (1, 2)
        ]
        paper = workflow.apply(
            session=session, actor=sourced.staff, paper_id=sourced.paper_id, name="start_review"
        )
        return sourced, ids, paper.version_counter


def test_a_paragraph_with_member_reviews_can_be_deleted_and_its_reviews_stay_with_their_version(
    engine: Engine,
) -> None:
    sourced, ids, number = in_review(engine)
    with write_session(engine) as session:
        reviews.submit_review(
            session=session,
            actor=sourced.members["Dissens AG"],
            paper_id=sourced.paper_id,
            version_number=number,
            entries=[
                reviews.ReviewInput(ids[0], Stance.SUPPORT),
                reviews.ReviewInput(ids[1], Stance.DISSENT, "Das lehnen wir ab.", True),
            ],
        )
    with write_session(engine) as session:
        paragraph = session.get_one(Paragraph, ids[1])
        papers.delete_paragraph(
            session=session,
            actor=sourced.staff,
            paragraph_id=ids[1],
            expected_version=paragraph.lock_version,
        )
        papers.save_named_version(
            session=session, actor=sourced.staff, paper_id=sourced.paper_id, label="ohne 1"
        )
    with write_session(engine) as session:
        rows = {
            t.paragraph_id: t
            for t in reviews.tally(session=session, actor=sourced.staff, paper_id=sourced.paper_id)
        }
        gone = rows[ids[1]]
        assert (gone.section, gone.text, gone.deleted) == ("Forderungen", "Forderung 1", True)
        assert gone.counts[Stance.DISSENT] == 1 and not rows[ids[0]].deleted
        [(review, _)] = gone.reviews
        with pytest.raises(InvalidInput, match="inzwischen gelöscht"):
            reviews.accept_minority_opinion(
                session=session, actor=sourced.staff, review_id=id_of(review), named=False
            )


def test_one_board_member_deciding_twice_at_once_counts_once(engine: Engine) -> None:
    """The first decision holds its transaction open while the same board member's second
    one starts (two tabs, a double click): the second gets a German message, its session
    stays usable, and a quorum of two is not met by one person."""
    staff, paper_id, _, _ = _paper(engine)
    with write_session(engine) as session:
        settings.store_value(session, staff, "approval.quorum", 2, NOW)
        board = Actor.for_user(factories.user(session, Role.BOARD))
        paper = workflow.apply(
            session=session, actor=staff, paper_id=paper_id, name="to_board", now=NOW
        )
        number = paper.version_counter
    first_decided, second_started = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def decide(name: str, hold: bool) -> None:
        try:
            with write_session(engine) as session:
                if not hold:
                    second_started.set()
                try:
                    approvals.decide(
                        session=session,
                        actor=board,
                        paper_id=paper_id,
                        version_number=number,
                        decision=Decision.APPROVE,
                    )
                    outcomes[name] = "approved"
                except InvalidInput as error:
                    # The session goes on: what the page does next still works.
                    approvals.approvals_of(session=session, actor=board, paper_id=paper_id)
                    outcomes[name] = error.message
                if hold:
                    first_decided.set()
                    second_started.wait(5)
                    time.sleep(0.5)
        except Exception as error:  # the test reports what went wrong
            outcomes[name] = repr(error)

    holder = threading.Thread(target=decide, args=("first", True))
    holder.start()
    assert first_decided.wait(10)
    other = threading.Thread(target=decide, args=("second", False))
    other.start()
    holder.join()
    other.join()
    assert outcomes == {
        "first": "approved",
        "second": "Sie haben über diese Fassung bereits entschieden.",
    }
    with read_session(engine) as session:
        paper = session.get_one(Paper, paper_id)
        version = papers.latest_version(session=session, paper=paper)
        assert version is not None
        assert approvals.approvals_count(session=session, version=version) == 1
        assert paper.status is PaperStatus.BOARD_APPROVAL


def test_a_member_consents_to_be_named_with_its_minority_opinion_in_the_review_form(
    demo_url: str,
) -> None:
    from tests.apptest import log_in
    from tests.test_app import switch

    engine = create_engine_for(demo_url)
    with read_session(engine) as session:
        paper = session.exec(select(Paper).where(Paper.status == PaperStatus.MEMBER_REVIEW)).one()
        paper_id = id_of(paper)
        fund = session.exec(
            select(Paragraph).where(col(Paragraph.text).startswith("Ein Transformationsfonds"))
        ).one()
    member = switch(log_in("mitglied@demo.example"), "ui/pages/paper.py", papier=str(paper_id))
    member.radio(key=f"stance-{fund.id}").set_value(Stance.DISSENT)
    member.text_area(key=f"comment-{fund.id}").input("Wir lehnen den Fonds ab.")
    member.checkbox(key=f"minority-{fund.id}").check()
    consent = member.checkbox(key=f"name-consent-{fund.id}")
    assert consent.label == (
        "Unsere Organisation darf mit dieser Mindermeinung namentlich genannt werden"
    )
    consent.check()
    [send] = [b for b in member.button if b.label == "Rückmeldung senden"]
    send.click().run()
    assert not member.exception and not member.error
    with read_session(engine) as session:
        review = session.exec(
            select(Review).where(
                Review.paragraph_id == fund.id, Review.comment == "Wir lehnen den Fonds ab."
            )
        ).one()
        assert review.minority_opinion_requested and review.name_consent
    office = switch(log_in("referat@demo.example"), "ui/pages/paper.py", papier=str(paper_id))
    # Its own consent lets staff name it; the demo's other dissent gave none.
    assert [c.key for c in office.checkbox if (c.key or "").startswith("minority-named-")] == [
        f"minority-named-{review.id}"
    ]
    assert any("nicht genannt werden" in c.value for c in office.caption)


def test_the_editor_shows_staff_what_became_of_a_source_and_never_a_draft(demo_url: str) -> None:
    """Demo members change statements the demo paper quotes: one takes it back into draft,
    one changes it, one withdraws it. The paper keeps its quotes and says what happened."""
    from tests.apptest import log_in
    from tests.test_app import switch

    engine = create_engine_for(demo_url)
    with write_session(engine) as session:
        paper = session.exec(select(Paper).where(Paper.status == PaperStatus.MEMBER_REVIEW)).one()
        paper_id = id_of(paper)
        quoted = {
            s.organisation_id: s
            for s in session.exec(
                select(Statement)
                .join(ParagraphSource, col(ParagraphSource.statement_id) == Statement.id)
                .where(Statement.visibility == Visibility.NAMED)
            ).all()
        }
        pulled_back, changed, withdrawn = list(quoted.values())[:3]
        for statement, text, submit in (
            (pulled_back, "ENTWURF-9911 noch intern abstimmen.", False),
            (changed, "Neu gefasst und wieder eingereicht.", True),
        ):
            statements.save_statement(
                session=session,
                actor=SYSTEM,
                call_id=statement.call_id,
                organisation_id=statement.organisation_id,
                text_input=text,
                visibility=Visibility.NAMED,
                submit=submit,
                expected_version=statement.version,
                source=StatementSource.EMAIL,
                source_note="Mail vom Mitglied",
            )
        statements.withdraw_statement(
            session=session,
            actor=SYSTEM,
            statement_id=id_of(withdrawn),
            expected_version=withdrawn.version,
        )
    office = switch(log_in("referat@demo.example"), "ui/pages/paper.py", papier=str(paper_id))
    shown = [c.value for c in office.caption]
    assert "ENTWURF-9911" not in repr(office._tree)
    assert any("vom Mitglied zurückgenommen" in line for line in shown)
    assert any("seit dem Zitat geändert" in line for line in shown)
    assert any("zurückgezogen" in line for line in shown)
    assert "Neu gefasst und wieder eingereicht." not in repr(office._tree)  # the quote stays
