import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import (
    AuditEvent,
    Decision,
    Forum,
    PaperKind,
    PaperStatus,
    PaperVersion,
    Paragraph,
    Role,
    SourceHow,
    Stance,
    Visibility,
    id_of,
)
from positions.core import settings
from positions.core.errors import InvalidInput, PermissionDenied, StaleEdit
from positions.core.permissions import Actor
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
                reviews.ReviewInput(ids[1], Stance.DISSENT, "Wir lehnen das ab, weil …", True),
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
