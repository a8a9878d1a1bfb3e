"""Member review through a personal review link: the link opens one paper's review and
nothing else, the visitor gives their organisation's review and sees no other member's;
staff start the review (every contact asked gets a start mail with a link) and follow the
links in one compact list."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from db.engine import create_engine_for, read_session, write_session
from db.models import (
    Call,
    Forum,
    Invitation,
    MailStatus,
    Organisation,
    Paper,
    PaperKind,
    PaperStatus,
    Role,
    Stance,
    User,
    id_of,
)
from positions.core.errors import InvalidInput, PermissionDenied
from positions.core.permissions import SYSTEM, Actor
from positions.forums import invitations, mail
from positions.papers import papers, reviews, workflow
from tests import factories
from tests.apptest import log_in
from tests.conftest import REPO


def paper_in_review(
    session: Session, staff: Actor, *, invited: list[Organisation], forum: Forum | None = None
) -> Paper:
    """A paper answering a call to `invited`, with two paragraphs, in member review."""
    forum = forum or factories.forum(session, staff)
    call = factories.call(session, staff, forum, invited=invited)
    paper = papers.create_paper(
        session=session,
        actor=staff,
        forum_id=id_of(forum),
        fields=papers.PaperFields(
            title="Positionspapier Förderung", kind=PaperKind.POSITION_PAPER, call_id=id_of(call)
        ),
    )
    section = papers.add_section(
        session=session, actor=staff, paper_id=id_of(paper), title="Forderungen"
    )
    for text in ("Förderprogramme vereinfachen.", "Bürgschaften ausweiten."):
        papers.add_paragraph(session=session, actor=staff, section_id=id_of(section), text=text)
    return workflow.apply(session=session, actor=staff, paper_id=id_of(paper), name="start_review")


@dataclass
class Review:
    staff: Actor
    paper_id: int
    link: Actor  # Alpha's contact, through a review link
    colleague: Actor  # Beta's contact, logged in


def _reviewing(engine: Engine) -> Review:
    with write_session(engine) as session:
        staff = factories.actor(session)
        alpha = factories.organisation(session, "Alpha Umformtechnik GmbH")
        beta = factories.organisation(session, "Beta Sensorik GmbH")
        paper = paper_in_review(session, staff, invited=[alpha, beta])
        contact = factories.user(session, Role.MEMBER, alpha, password=None)
        _, token = invitations.create_review_link(
            session=session, actor=staff, paper=paper, contact=contact
        )
        link = invitations.redeem_invitation(session=session, token=token)
        colleague = Actor.for_user(factories.user(session, Role.MEMBER, beta, password=None))
        return Review(staff, id_of(paper), link, colleague)


def _review(engine: Engine, actor: Actor, paper_id: int, comment: str) -> None:
    with write_session(engine) as session:
        sheet = reviews.review_sheet(session=session, actor=actor, paper_id=paper_id)
        reviews.submit_review(
            session=session,
            actor=actor,
            paper_id=paper_id,
            version_number=sheet.version.number,
            entries=[reviews.ReviewInput(sheet.paragraphs[0].id, Stance.CONCERN, comment)],
        )


def test_the_link_visitor_reviews_and_sees_only_their_own_organisations_review(
    engine: Engine,
) -> None:
    review = _reviewing(engine)
    assert review.link.via_review_link and review.link.call_id is None
    _review(engine, review.colleague, review.paper_id, "Beta hat Bedenken.")
    _review(engine, review.link, review.paper_id, "Alpha hat Bedenken.")
    with read_session(engine) as session:
        sheet = reviews.review_sheet(session=session, actor=review.link, paper_id=review.paper_id)
        mine = [p.mine for p in sheet.paragraphs if p.mine is not None]
        assert [r.comment for r in mine] == ["Alpha hat Bedenken."]
        assert mine[0].author_id == review.link.user_id
        # Staff see both, each with its organisation.
        [first, _] = reviews.tally(session=session, actor=review.staff, paper_id=review.paper_id)
        assert sorted((name, r.comment) for r, name in first.reviews) == [
            ("Alpha Umformtechnik GmbH", "Alpha hat Bedenken."),
            ("Beta Sensorik GmbH", "Beta hat Bedenken."),
        ]
        # The tally (names and comments of all members) is not for members.
        with pytest.raises(PermissionDenied):
            reviews.tally(session=session, actor=review.link, paper_id=review.paper_id)


def test_the_link_says_so_when_the_review_is_over(engine: Engine) -> None:
    review = _reviewing(engine)
    with write_session(engine) as session:
        workflow.apply(
            session=session, actor=review.staff, paper_id=review.paper_id, name="to_board"
        )
    with (
        pytest.raises(InvalidInput, match="Mitgliederbeteiligung zu diesem Papier ist beendet"),
        read_session(engine) as session,
    ):
        reviews.review_sheet(session=session, actor=review.link, paper_id=review.paper_id)


# --- pages ------------------------------------------------------------------------------------


def _app() -> AppTest:
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=30)


def _demo_review(url: str) -> tuple[Paper, str]:
    """The demo paper in member review, and a review link for a contact of an organisation
    asked to review it that has not reviewed yet."""
    engine = create_engine_for(url)
    with write_session(engine) as session:
        paper = session.exec(select(Paper).where(Paper.status == PaperStatus.MEMBER_REVIEW)).one()
        reviewed = {
            name
            for row in reviews.tally(session=session, actor=SYSTEM, paper_id=id_of(paper))
            for _, name in row.reviews
        }
        recipient = next(
            r
            for r in mail.recipients_of_paper(session=session, actor=SYSTEM, paper_id=id_of(paper))
            if r.organisation not in reviewed
        )
        contact = session.get(User, recipient.contact_id)
        assert contact is not None
        _, token = invitations.create_review_link(
            session=session, actor=SYSTEM, paper=paper, contact=contact
        )
        return paper, token


def test_a_review_link_opens_the_paper_to_review(demo_url: str) -> None:
    paper, token = _demo_review(demo_url)
    app = _app()
    app.query_params["einladung"] = token
    app.run()
    assert not app.exception and not app.error
    assert "einladung" not in app.query_params  # off the address bar
    assert [t.value for t in app.title] == [paper.title]
    assert any("über Einladungslink" in m.value for m in app.sidebar.markdown)
    [first, *_] = [r for r in app.radio if r.label == "Ihre Einschätzung"]
    first.set_value(Stance.DISSENT)
    [comment, *_] = [t for t in app.text_area if t.label == "Kommentar"]
    comment.input("Das lehnen wir ab.")
    [send] = [b for b in app.button if b.label == "Rückmeldung senden"]
    send.click().run()
    assert not app.exception and not app.error
    assert any("ist gespeichert" in s.value for s in app.success)
    # Other members' names and comments are nowhere on the page.
    page = " ".join(str(e.value) for e in (*app.markdown, *app.caption, *app.text_area))
    assert "Bitte präzisieren" not in page
    # Every other page is registered only as the refusal (tests/test_page_permissions.py;
    # AppTest cannot open such pages).
    with read_session(create_engine_for(demo_url)) as session:
        link = session.exec(
            select(Invitation).where(Invitation.token_hash == invitations.hash_token(token))
        ).one()
        assert link.paper_id == paper.id and link.first_used_at is not None


def _log_in_staff() -> AppTest:
    return log_in("referat@demo.example")


def _open(app: AppTest, page: str, **params: str) -> AppTest:
    for key, value in params.items():
        app.query_params[key] = value
    app.switch_page(page).run()
    assert not app.exception
    return app


def test_starting_the_review_hands_staff_one_text_per_contact_in_a_compact_list(
    demo_url: str,
) -> None:
    """Without a mail server: each contact asked to review gets a row with its review link's
    text to copy and a mailto link, no page of expanded e-mails."""
    engine = create_engine_for(demo_url)
    with write_session(engine) as session:
        paper = session.exec(select(Paper).where(Paper.status == PaperStatus.MEMBER_REVIEW)).one()
        workflow.apply(
            session=session, actor=SYSTEM, paper_id=id_of(paper), name="back_to_draft", reason="x"
        )
    app = _open(_log_in_staff(), "ui/pages/paper.py", papier=str(paper.id))
    [start] = [b for b in app.button if b.label == "Mitgliederbeteiligung starten"]
    start.click().run()
    assert not app.exception and not app.error
    with read_session(engine) as session:
        recipients = mail.recipients_of_paper(session=session, actor=SYSTEM, paper_id=id_of(paper))
        messages = mail.messages_of_paper(session=session, actor=SYSTEM, paper_id=id_of(paper))
    assert len(recipients) >= 10 and len(messages) == len(recipients)
    assert {m.status for m in messages} == {MailStatus.HANDED_OVER}
    bodies = [c.value for c in app.code if "einladung=" in c.value]
    assert len(bodies) == len(recipients)
    assert all("http://localhost:8501/?einladung=" in body for body in bodies)
    mailtos = [b.proto.url for b in app.link_button if b.label == "E-Mail"]
    assert len(mailtos) == len(recipients)
    assert all("einladung%3D" in url for url in mailtos)
    assert not [a for a in app.text_area if "einladung=" in (a.value or "")]
    page = " ".join(m.value for m in app.markdown)
    assert page.count("Bitte um Rückmeldung: bereitgestellt, nicht versendet") == len(recipients)
    # The texts stay while staff work on the page (the links are stored nowhere else).
    app.run()
    assert len([c.value for c in app.code if "einladung=" in c.value]) == len(recipients)


def test_the_call_page_lists_each_contact_once_with_a_text_to_copy(demo_url: str) -> None:
    engine = create_engine_for(demo_url)
    with read_session(engine) as session:
        call = session.exec(
            select(Call).where(Call.title == "Abfrage: Berichtspflichten in der Lieferkette")
        ).one()
    app = _open(_log_in_staff(), "ui/pages/call.py", aufruf=str(call.id))
    [invite] = [b for b in app.button if b.label == "Einladungen verschicken"]
    invite.click().run()
    assert not app.exception and not app.error
    bodies = [c.value for c in app.code if "einladung=" in c.value]
    assert len(bodies) == 25
    assert all("http://localhost:8501/?einladung=" in body for body in bodies)
    assert not [a for a in app.text_area if "einladung=" in (a.value or "")]
    assert any("nur in dieser Sitzung" in w.value for w in app.warning)
    page = " ".join(m.value for m in app.markdown)
    assert page.count("Einladung: bereitgestellt, nicht versendet") == 25
    assert page.count("offen") >= 25  # every link still unopened
