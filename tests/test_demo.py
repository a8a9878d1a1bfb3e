import pytest
from rapidfuzz import fuzz
from sqlalchemy.engine import Engine
from sqlmodel import col, select

import demo
from db.engine import read_session, write_session
from db.models import (
    FollowUp,
    Forum,
    ForumKind,
    Meeting,
    Organisation,
    OrganisationKind,
    Paper,
    Statement,
    StatementStatus,
    Submission,
    User,
    Visibility,
    WorkingGroup,
    id_of,
)
from exports import paper_exports, synopse
from exports.word import build_paper
from positions.core import accounts
from positions.core.clock import today_in_berlin
from positions.core.permissions import SYSTEM
from positions.forums import calls, forums, meetings
from positions.forums.invitations import redeem_invitation
from positions.papers import papers
from tests.synopse_tools import lines, tracked_change_count


def test_demo_has_the_association_its_real_forums_and_fictional_members(
    demo_engine: Engine,
) -> None:
    with read_session(demo_engine) as session:
        organisations = session.exec(select(Organisation)).all()
        forum_rows = {f.short_name: f for f in session.exec(select(Forum)).all()}
        groups = session.exec(
            select(WorkingGroup.name).where(WorkingGroup.forum_id == forum_rows["TDA"].id)
        ).all()
    [association] = [o for o in organisations if o.kind == OrganisationKind.ASSOCIATION]
    assert association.name == "automotiveland.nrw e.V." and association.city == "Wuppertal"
    assert 24 <= len(organisations) - 1 <= 30
    assert forum_rows["TDA"].name == "Transformationsdialog Automobilindustrie"
    assert (
        forum_rows["TDA"].host_institution == "Bundesministerium für Wirtschaft und Energie (BMWE)"
    )
    assert forum_rows["ZLD-NRW"].host_institution == (
        "Ministerium für Wirtschaft, Industrie, Klimaschutz und Energie des Landes "
        "Nordrhein-Westfalen (MWIKE)"
    )
    assert "Grüner Wirtschaftsdialog" in forum_rows["GWD-FA"].name
    assert "VDA" in forum_rows
    internal = sorted(f.name for f in forum_rows.values() if f.kind == ForumKind.INTERNAL)
    assert internal == sorted(
        f"Fachforum {t}"
        for t in (
            "Innovationsmanagement",
            "Mobilität der Zukunft",
            "CO2-neutrale Produktion",
            "Cybersecurity",
            "Fabrik der Zukunft",
        )
    )
    assert len(groups) == 4 and "Förderinstrumente" in groups


def test_every_forum_has_past_and_upcoming_meetings_and_follow_ups_exist(
    demo_engine: Engine,
) -> None:
    with read_session(demo_engine) as session:
        staff_user = accounts.user_for_email(session=session, email="referat@demo.example")
        assert staff_user is not None
        staff = accounts.load_actor(session=session, user_id=id_of(staff_user))
        assert staff is not None
        for forum in session.exec(select(Forum)).all():
            overview = forums.forum_overview(session=session, actor=staff, forum_id=forum.id)  # type: ignore[arg-type]
            assert overview.upcoming_meetings and overview.past_meetings, forum.short_name
            assert all(m.minutes for m in overview.past_meetings)
        tasks = meetings.open_follow_ups(session=session, actor=staff, owner_id=staff.user_id)
        assert len(tasks) == 5
        first_due = tasks[0].follow_up.due_on
        assert first_due is not None and first_due < today_in_berlin()  # one is overdue


def test_no_real_person_from_the_press_release_appears(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        names = " ".join(u.name for u in session.exec(select(User)).all())
        texts = " ".join(s.text for s in session.exec(select(Statement)).all())
    for real in ("Kocks", "Vogelskamp"):
        assert real not in names and real not in texts


def test_the_open_call_has_a_dozen_statements_with_near_duplicates(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        statements = session.exec(select(Statement)).all()
    assert len(statements) == 12
    assert {s.visibility for s in statements} == set(Visibility)
    assert any(s.status == StatementStatus.DRAFT for s in statements)
    similar_pairs = sum(
        1
        for i, a in enumerate(statements)
        for b in statements[i + 1 :]
        if fuzz.token_sort_ratio(a.text, b.text) >= 85
    )
    assert similar_pairs >= 3


@pytest.mark.parametrize("login", demo.DEMO_LOGINS, ids=lambda login: login.role.value)
def test_every_demo_login_works_and_sees_its_start_page_data(
    demo_engine: Engine, login: demo.DemoLogin
) -> None:
    outcome = accounts.log_in(
        reading=lambda: read_session(demo_engine),
        writing=lambda: write_session(demo_engine),
        email=login.email,
        password=demo.DEMO_PASSWORD,
    )
    actor = outcome.actor
    assert actor is not None and actor.role is login.role
    with read_session(demo_engine) as session:
        if login.role.value == "member":
            mine = {
                c.forum.short_name: c for c in calls.calls_for_member(session=session, actor=actor)
            }
            assert set(mine) == {"TDA", "ZLD-NRW", "GWD-FA", "VDA"}
            assert mine["TDA"].statement_status is StatementStatus.SUBMITTED
        else:
            open_calls = calls.open_calls(session=session, actor=actor)
            assert {c.forum.short_name for c in open_calls} == {"TDA", "ZLD-NRW", "GWD-FA", "VDA"}
            assert len(forums.list_forums(session=session, actor=actor)) == 9
            awaiting = papers.papers_awaiting_approval(session=session, actor=actor)
            assert [p.forum.short_name for p in awaiting] == ["GWD-FA"]


def test_the_demo_invitation_link_opens_the_open_call(demo_engine: Engine) -> None:
    with write_session(demo_engine) as session:
        actor = redeem_invitation(session=session, token=demo.DEMO_INVITATION_TOKEN)
        [mine] = calls.calls_for_member(session=session, actor=actor)  # the link's call only
    assert actor.email == "mitglied@demo.example" and mine.call.id == actor.call_id


def test_demo_data_goes_only_into_an_empty_database(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        before = len(session.exec(select(Organisation)).all())
        assert not demo.is_empty(session=session)
    with pytest.raises(RuntimeError, match="not empty"), write_session(demo_engine) as session:
        demo.load_demo(session=session)
    with read_session(demo_engine) as session:
        assert (
            len(session.exec(select(Organisation).where(col(Organisation.active))).all()) == before
        )


def test_ministries_go_by_their_current_names(demo_engine: Engine) -> None:
    """BMWE and MWIKE, never the names of earlier cabinets (BMWi, BMWK, MWIDE)."""
    with read_session(demo_engine) as session:
        rows = [
            *session.exec(select(Forum)).all(),
            *session.exec(select(Meeting)).all(),
            *session.exec(select(FollowUp)).all(),
            *session.exec(select(Paper)).all(),
            *session.exec(select(Submission)).all(),
        ]
    words = " ".join(str(value) for row in rows for value in row.model_dump().values())
    for old in ("BMWi", "BMWK", "bmwk", "MWIDE", "Innovation, Digitalisierung"):
        assert old not in words
    assert "BMWE, Referat Automobilindustrie" in words and "Düsseldorf, MWIKE" in words


def test_the_demo_papers_synopse_has_every_kind_of_change(demo_engine: Engine) -> None:
    """The Transformationsdialog paper's version for the member review against its first
    draft: words inserted and deleted (also in a Kernforderung), a paragraph deleted, one
    moved, one added, a heading renamed; as tracked changes that give each version back."""
    with read_session(demo_engine) as session:
        title = "Beitrag zur Arbeitsgruppe Unternehmensfinanzierung und Steuerrecht"
        paper = session.exec(select(Paper).where(Paper.title == title)).one()
        found = paper_exports.synopsis_for(
            session=session, actor=SYSTEM, paper_id=id_of(paper), old=1, new=2
        )
        old, new = (
            paper_exports.document_for(
                session=session, actor=SYSTEM, paper_id=id_of(paper), version_number=number
            )
            for number in (1, 2)
        )
    assert found.counts() == {
        "unchanged": 3,
        "changed": 2,
        "moved": 1,
        "added": 1,
        "deleted": 1,
    }
    assert [(c.old, c.new) for c in found.sections if c.kind == "changed"] == [
        ("Steuern", demo.TDA_TAX_SECTION)
    ]
    # The second version gives three demands a short form: the box summarises them.
    assert [row.kind for row in found.box] == ["changed", "moved", "changed", "changed"]
    (added,) = [row.new.text for row in found.rows if row.kind == "added" and row.new]
    assert '"grüne"' in added and "§ 7g" in added and "50 %" in added and " - " in added
    tracked = synopse.build_synopse_tracked(new, found, old_paper=old)
    counts = tracked_change_count(tracked)
    assert counts["ins"] and counts["del"] and counts["moveFrom"] and counts["moveTo"]
    assert lines(tracked, "accept") == lines(build_paper(new))
    assert lines(tracked, "reject") == lines(build_paper(old))
