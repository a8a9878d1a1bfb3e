"""Invitations, reminders and member-review mails through a real SMTP server (aiosmtpd) on
127.0.0.1."""

from __future__ import annotations

import email
import ipaddress
import ssl
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy.engine import Engine
from sqlmodel import col, select

import cli
from bench.postgres import free_port
from db.engine import read_session, write_session
from db.models import (
    Call,
    ContactForum,
    Invitation,
    MailKind,
    MailMessage,
    MailStatus,
    Paper,
    Role,
    Stance,
    id_of,
)
from positions.core import clock, labels, mailer, settings
from positions.core.clock import today_in_berlin, utcnow
from positions.core.errors import InvalidInput, InvalidInvitation, PermissionDenied
from positions.core.formatting import long_date
from positions.core.permissions import SYSTEM, Actor
from positions.core.settings import Smtp
from positions.core.working_days import subtract_working_days
from positions.forums import calls, invitations, mail
from positions.papers import reviews
from tests import factories
from tests.test_reviews_by_link import paper_in_review


@dataclass
class Inbox:
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@dataclass
class MailServer:
    inbox: Inbox
    port: int

    def smtp(self, **changes: Any) -> Smtp:
        defaults = Smtp(
            host="127.0.0.1",
            port=self.port,
            starttls=False,
            user="referat",
            password="richtig",
            sender="referat@verband.example",
        )
        return replace(defaults, **changes)


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"richtig"
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=_authenticator, auth_require_tls=False
    )
    controller.start()
    try:
        yield MailServer(inbox, port)
    finally:
        controller.stop()


@dataclass
class CallWithMembers:
    staff: Any
    call_id: int
    contacts: dict[str, Any]


def _call(engine: Engine) -> CallWithMembers:
    """A call to three members; 'Antwort GmbH' has already submitted."""
    with write_session(engine) as session:
        staff = factories.actor(session)
        orgs = {
            name: factories.organisation(session, name)
            for name in ("Alpha Umformtechnik GmbH", "Beta Sensorik GmbH", "Antwort GmbH")
        }
        contacts = {
            name: factories.user(session, Role.MEMBER, org, password=None)
            for name, org in orgs.items()
        }
        call = factories.call(
            session, staff, factories.forum(session, staff), invited=list(orgs.values())
        )
        factories.statement(session, call, id_of(orgs["Antwort GmbH"]))
        return CallWithMembers(staff, id_of(call), contacts)


def _send_all(engine: Engine, setup: CallWithMembers, kind: MailKind, smtp: Smtp) -> list[int]:
    with write_session(engine) as session:
        queued = mail.prepare(
            session=session,
            actor=setup.staff,
            call_id=setup.call_id,
            kind=kind,
            association_name="automotiveland.nrw e.V.",
        )
        ids = [id_of(m) for m in queued]
    for message_id in ids:
        with write_session(engine) as session:
            mail.send(
                session=session,
                actor=setup.staff,
                message_id=message_id,
                smtp=smtp,
                base_url="https://positionen.verband.example",
            )
    return ids


def _link_token(message: Message) -> str:
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    [link] = [line for line in body.splitlines() if "einladung=" in line]
    assert link.startswith("https://positionen.verband.example/?einladung=")
    return parse_qs(urlparse(link).query)["einladung"][0]


def test_invitations_reach_every_contact_with_a_working_personal_link(
    engine: Engine, mail_server: MailServer
) -> None:
    setup = _call(engine)
    _send_all(engine, setup, MailKind.INVITATION, mail_server.smtp())
    received = {m["To"]: m for m in mail_server.inbox.messages}
    assert set(received) == {c.email for c in setup.contacts.values()}
    for name, contact in setup.contacts.items():
        message = received[contact.email]
        assert message["Subject"].startswith("Bitte um Ihre Stellungnahme")
        body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
        assert f"Guten Tag {contact.name}," in body and "automotiveland.nrw e.V." in body
        others = [n for n in setup.contacts if n != name]
        assert not any(other in body for other in others)  # no other member's data
        with write_session(engine) as session:
            actor = invitations.redeem_invitation(session=session, token=_link_token(message))
        assert actor.user_id == contact.id and actor.call_id == setup.call_id
    with read_session(engine) as session:
        stored = session.exec(select(MailMessage)).all()
        assert {m.status for m in stored} == {MailStatus.SENT}
        assert all("einladung=" not in m.body for m in stored)  # the link is never stored


def test_reminders_go_only_to_members_without_an_answer_and_never_twice_a_day(
    engine: Engine, mail_server: MailServer
) -> None:
    setup = _call(engine)
    _send_all(engine, setup, MailKind.REMINDER, mail_server.smtp())
    recipients = {m["To"] for m in mail_server.inbox.messages}
    assert recipients == {
        setup.contacts["Alpha Umformtechnik GmbH"].email,
        setup.contacts["Beta Sensorik GmbH"].email,
    }
    assert all(m["Subject"].startswith("Erinnerung") for m in mail_server.inbox.messages)
    with pytest.raises(InvalidInput, match="selben Tag"), write_session(engine) as session:
        mail.prepare(
            session=session,
            actor=setup.staff,
            call_id=setup.call_id,
            kind=MailKind.REMINDER,
            association_name="Verband",
        )
    assert len(mail_server.inbox.messages) == 2


def test_an_unreachable_server_is_recorded_and_the_message_can_be_retried(
    engine: Engine, mail_server: MailServer
) -> None:
    setup = _call(engine)
    [first, *_] = _send_all(engine, setup, MailKind.INVITATION, mail_server.smtp(port=free_port()))
    with read_session(engine) as session:
        failed = session.get(MailMessage, first)
        assert failed is not None and failed.status is MailStatus.FAILED
        assert "nicht erreichbar" in failed.error
        link = session.get(Invitation, failed.invitation_id)
        assert link is not None and link.revoked_at is not None  # the unsent link is dead
    with write_session(engine) as session:
        retried = mail.send(
            session=session,
            actor=setup.staff,
            message_id=first,
            smtp=mail_server.smtp(),
            base_url="https://positionen.verband.example",
        )
        assert retried.status is MailStatus.SENT and retried.attempts == 2
    assert len(mail_server.inbox.messages) == 1


def test_a_refused_login_is_a_clear_message(engine: Engine, mail_server: MailServer) -> None:
    setup = _call(engine)
    [first, *_] = _send_all(engine, setup, MailKind.INVITATION, mail_server.smtp(password="falsch"))
    with read_session(engine) as session:
        message = session.get(MailMessage, first)
        assert message is not None and message.status is MailStatus.FAILED
        assert "Anmeldung abgelehnt" in message.error
    assert mail_server.inbox.messages == []


def test_without_a_mail_server_staff_get_the_text_and_a_mailto_link(engine: Engine) -> None:
    setup = _call(engine)
    with write_session(engine) as session:
        [message, *_] = mail.prepare(
            session=session,
            actor=setup.staff,
            call_id=setup.call_id,
            kind=MailKind.INVITATION,
            association_name="Verband",
        )
        manual = mail.for_manual_sending(
            session=session,
            actor=setup.staff,
            message_id=id_of(message),
            base_url="http://localhost:8501",
        )
    assert manual.mailto.startswith(f"mailto:{manual.to}?subject=")
    assert "einladung%3D" in manual.mailto
    assert "http://localhost:8501/?einladung=" in manual.body
    with read_session(engine) as session:
        stored = session.get(MailMessage, message.id)
        # We cannot know whether staff sent it: handed over, never "versendet".
        assert stored is not None and stored.status is MailStatus.HANDED_OVER
        assert labels.MAIL_STATUS[stored.status] == "bereitgestellt, nicht versendet"


def test_members_cannot_send_mail(engine: Engine) -> None:
    setup = _call(engine)
    with write_session(engine) as session:
        member = factories.actor(session, Role.MEMBER)
        with pytest.raises(Exception, match="Berechtigung"):
            mail.prepare(
                session=session,
                actor=member,
                call_id=setup.call_id,
                kind=MailKind.INVITATION,
                association_name="Verband",
            )


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no system trusts, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mail.verband.example")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_mail_server(tmp_path: Path) -> Iterator[tuple[MailServer, Path]]:
    """A server that insists on STARTTLS before the login, with a self-signed certificate."""
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox, port = Inbox(), free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticator,
        tls_context=context,
        require_starttls=True,
    )
    controller.start()
    try:
        yield MailServer(inbox, port), cert
    finally:
        controller.stop()


def test_starttls_checks_the_server_certificate_before_sending_the_password(
    tls_mail_server: tuple[MailServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, certificate = tls_mail_server
    smtp = server.smtp(starttls=True)
    with pytest.raises(mailer.MailFailed, match=r"Zertifikat des Mailservers .* nicht vertrauens"):
        mailer.deliver(smtp, to="kontakt@alpha.example", subject="Einladung", body="Hallo")
    assert server.inbox.messages == []
    # Once the certificate is trusted (as a company's own CA would be), the mail goes out.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
    mailer.deliver(smtp, to="kontakt@alpha.example", subject="Einladung", body="Hallo")
    [received] = server.inbox.messages
    assert received["Subject"] == "Einladung"


# --- one working link per contact and call -------------------------------------------------


def _redeems(engine: Engine, token: str) -> bool:
    try:
        with write_session(engine) as session:
            invitations.redeem_invitation(session=session, token=token)
    except InvalidInvitation:
        return False
    return True


def _working_links(engine: Engine, call_id: int) -> dict[int, int]:
    """How many working links each contact holds for the call."""
    with read_session(engine) as session:
        rows = session.exec(
            select(Invitation).where(
                Invitation.call_id == call_id,
                col(Invitation.revoked_at).is_(None),
                Invitation.expires_at > utcnow(),
            )
        ).all()
    return dict(Counter(row.contact_id for row in rows))


def test_a_reminder_replaces_the_invitation_link_instead_of_adding_one(
    engine: Engine, mail_server: MailServer
) -> None:
    setup = _call(engine)
    alpha = setup.contacts["Alpha Umformtechnik GmbH"]
    _send_all(engine, setup, MailKind.INVITATION, mail_server.smtp())
    _send_all(engine, setup, MailKind.REMINDER, mail_server.smtp())
    to_alpha = [m for m in mail_server.inbox.messages if m["To"] == alpha.email]
    [invitation_token, reminder_token] = [_link_token(m) for m in to_alpha]
    assert set(_working_links(engine, setup.call_id).values()) == {1}
    assert not _redeems(engine, invitation_token)
    assert _redeems(engine, reminder_token)
    # The contact holds a working link, so "Einladungen verschicken" leaves them out.
    with pytest.raises(InvalidInput, match="bereits erhalten"), write_session(engine) as session:
        mail.prepare(
            session=session,
            actor=setup.staff,
            call_id=setup.call_id,
            kind=MailKind.INVITATION,
            association_name="Verband",
        )


def test_a_reminder_that_cannot_be_sent_leaves_the_working_link_alone(
    engine: Engine, mail_server: MailServer
) -> None:
    setup = _call(engine)
    _send_all(engine, setup, MailKind.INVITATION, mail_server.smtp())
    _send_all(engine, setup, MailKind.REMINDER, mail_server.smtp(port=free_port()))
    assert all(_redeems(engine, _link_token(m)) for m in mail_server.inbox.messages)
    assert set(_working_links(engine, setup.call_id).values()) == {1}


def test_a_reminder_copied_by_hand_replaces_the_link_as_well(
    engine: Engine, mail_server: MailServer
) -> None:
    setup = _call(engine)
    _send_all(engine, setup, MailKind.INVITATION, mail_server.smtp())
    with write_session(engine) as session:
        queued = mail.prepare(
            session=session,
            actor=setup.staff,
            call_id=setup.call_id,
            kind=MailKind.REMINDER,
            association_name="Verband",
        )
        for message in queued:
            mail.for_manual_sending(
                session=session,
                actor=setup.staff,
                message_id=id_of(message),
                base_url="https://positionen.verband.example",
            )
    assert set(_working_links(engine, setup.call_id).values()) == {1}


# --- call titles in mail headers -----------------------------------------------------------


def test_calls_store_their_title_on_one_line(engine: Engine) -> None:
    with write_session(engine) as session:
        staff = factories.actor(session)
        call = calls.create_call(
            session=session,
            actor=staff,
            forum=factories.forum(session, staff),
            title="  Förderung\r\nder Transformation\n",
            question="",
            external_deadline=today_in_berlin() + timedelta(days=60),
        )
    assert call.title == "Förderung der Transformation"


def test_remind_sends_even_when_a_stored_title_has_a_line_break(
    engine: Engine, mail_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Titles stored before they were cleaned may hold line breaks; a mail header must not."""
    setup = _call(engine)
    with write_session(engine) as session:
        session.exec(
            sa.update(Call)
            .where(col(Call.id) == setup.call_id)
            .values(title="Förderung\r\nder Transformation")
        )
        settings.save_smtp(session=session, actor=SYSTEM, values=mail_server.smtp())
        call = session.get(Call, setup.call_id)
        assert call is not None
        reminder_day = subtract_working_days(call.member_deadline, 1)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr(clock, "today_in_berlin", lambda now=None: reminder_day)
    assert cli.main(["remind"]) == 0
    subjects = {str(make_header(decode_header(m["Subject"]))) for m in mail_server.inbox.messages}
    assert len(mail_server.inbox.messages) == 2
    assert subjects == {
        f"Erinnerung: Ihre Stellungnahme bis {long_date(call.member_deadline)} – "
        "Förderung der Transformation"
    }


def test_a_title_of_full_length_still_fits_the_subject(engine: Engine) -> None:
    setup = _call(engine)
    with write_session(engine) as session:
        call = session.get(Call, setup.call_id)
        assert call is not None
        call.title = "Förderung " * 30  # the 300 characters a title may have
        session.add(call)
    with write_session(engine) as session:
        queued = mail.prepare(
            session=session,
            actor=setup.staff,
            call_id=setup.call_id,
            kind=MailKind.INVITATION,
            association_name="Verband",
        )
    assert all(len(m.subject) == mail.MAX_SUBJECT_LENGTH for m in queued)
    assert all(m.subject.endswith("Förderung …") for m in queued)


# --- member review: start mails and reminders with a personal review link ------------------


@dataclass
class PaperWithReviewers:
    staff: Any
    paper_id: int
    forum_id: int
    contacts: dict[str, Any]


def _paper(engine: Engine) -> PaperWithReviewers:
    """A paper in member review of a call to Alpha and Beta. Alpha's first contact gets
    this forum's messages (listed), its second only another forum's; Beta's contact lists
    none (so gets all); an inactive contact and a member not invited get nothing."""
    with write_session(engine) as session:
        staff = factories.actor(session)
        forum, elsewhere = factories.forum(session, staff), factories.forum(session, staff)
        alpha = factories.organisation(session, "Alpha Umformtechnik GmbH")
        beta = factories.organisation(session, "Beta Sensorik GmbH")
        outsider = factories.organisation(session, "Nicht eingeladen GmbH")
        paper = paper_in_review(session, staff, invited=[alpha, beta], forum=forum)
        contacts = {
            "alpha": factories.user(session, Role.MEMBER, alpha, password=None),
            "alpha elsewhere": factories.user(session, Role.MEMBER, alpha, password=None),
            "beta": factories.user(session, Role.MEMBER, beta, password=None),
            "inactive": factories.user(session, Role.MEMBER, beta, password=None),
            "outsider": factories.user(session, Role.MEMBER, outsider, password=None),
        }
        contacts["inactive"].active = False
        session.add(ContactForum(user_id=id_of(contacts["alpha"]), forum_id=id_of(forum)))
        session.add(ContactForum(user_id=id_of(contacts["alpha"]), forum_id=id_of(elsewhere)))
        session.add(
            ContactForum(user_id=id_of(contacts["alpha elsewhere"]), forum_id=id_of(elsewhere))
        )
        return PaperWithReviewers(staff, id_of(paper), id_of(forum), contacts)


def _send_review(
    engine: Engine, setup: PaperWithReviewers, kind: MailKind, smtp: Smtp, **when: Any
) -> list[int]:
    with write_session(engine) as session:
        queued = mail.prepare_review(
            session=session,
            actor=setup.staff,
            paper_id=setup.paper_id,
            kind=kind,
            association_name="automotiveland.nrw e.V.",
            **when,
        )
        ids = [id_of(m) for m in queued]
    for message_id in ids:
        with write_session(engine) as session:
            mail.send(
                session=session,
                actor=setup.staff,
                message_id=message_id,
                smtp=smtp,
                base_url="https://positionen.verband.example",
                **when,
            )
    return ids


def test_the_review_start_reaches_every_contact_asked_with_a_link_to_the_paper(
    engine: Engine, mail_server: MailServer
) -> None:
    setup = _paper(engine)
    _send_review(engine, setup, MailKind.REVIEW_START, mail_server.smtp())
    received = {m["To"]: m for m in mail_server.inbox.messages}
    wanted = {setup.contacts[name].email for name in ("alpha", "beta")}
    assert set(received) == wanted
    with read_session(engine) as session:
        paper = session.get(Paper, setup.paper_id)
        assert paper is not None and paper.review_deadline is not None
    for name in ("alpha", "beta"):
        contact = setup.contacts[name]
        message = received[contact.email]
        subject = str(make_header(decode_header(message["Subject"])))
        assert subject == (
            f"Bitte um Ihre Rückmeldung bis {long_date(paper.review_deadline)}: {paper.title}"
        )
        body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
        assert f"Guten Tag {contact.name}," in body and "nicht die anderen Mitglieder" in body
        assert "Beta" not in body if name == "alpha" else "Alpha" not in body
        with write_session(engine) as session:
            actor = invitations.redeem_invitation(session=session, token=_link_token(message))
        assert actor.user_id == contact.id and actor.paper_id == setup.paper_id
        assert actor.call_id is None
    # Everyone holds a link to the end of the review now: a second start mail goes to nobody.
    assert _send_review(engine, setup, MailKind.REVIEW_START, mail_server.smtp()) == []
    with read_session(engine) as session:
        stored = session.exec(select(MailMessage)).all()
        assert {m.status for m in stored} == {MailStatus.SENT}
        assert all(m.paper_id == setup.paper_id and m.call_id is None for m in stored)
        assert all("einladung=" not in m.body for m in stored)


def test_call_invitations_respect_the_forums_a_contact_receives(
    engine: Engine, mail_server: MailServer
) -> None:
    setup = _paper(engine)
    with read_session(engine) as session:
        paper = session.get(Paper, setup.paper_id)
        assert paper is not None and paper.call_id is not None
    call_setup = CallWithMembers(setup.staff, paper.call_id, {})
    _send_all(engine, call_setup, MailKind.INVITATION, mail_server.smtp())
    assert {m["To"] for m in mail_server.inbox.messages} == {
        setup.contacts["alpha"].email,
        setup.contacts["beta"].email,
    }


def test_review_reminders_go_to_organisations_without_a_review_and_replace_the_link(
    engine: Engine, mail_server: MailServer
) -> None:
    setup = _paper(engine)
    _send_review(engine, setup, MailKind.REVIEW_START, mail_server.smtp())
    alpha = setup.contacts["alpha"]
    [start] = [m for m in mail_server.inbox.messages if m["To"] == alpha.email]
    with write_session(engine) as session:
        beta = invitations.redeem_invitation(
            session=session,
            token=_link_token(
                next(m for m in mail_server.inbox.messages if m["To"] != alpha.email)
            ),
        )
        sheet = reviews.review_sheet(session=session, actor=beta, paper_id=setup.paper_id)
        reviews.submit_review(
            session=session,
            actor=beta,
            paper_id=setup.paper_id,
            version_number=sheet.version.number,
            entries=[reviews.ReviewInput(sheet.paragraphs[0].id, Stance.SUPPORT)],
        )
    before = len(mail_server.inbox.messages)
    _send_review(engine, setup, MailKind.REVIEW_REMINDER, mail_server.smtp())
    [reminder] = mail_server.inbox.messages[before:]
    assert reminder["To"] == alpha.email
    assert str(make_header(decode_header(reminder["Subject"]))).startswith(
        "Erinnerung: Ihre Rückmeldung bis"
    )
    assert not _redeems(engine, _link_token(start))
    assert _redeems(engine, _link_token(reminder))
    with pytest.raises(InvalidInput, match="selben Tag"), write_session(engine) as session:
        mail.prepare_review(
            session=session,
            actor=setup.staff,
            paper_id=setup.paper_id,
            kind=MailKind.REVIEW_REMINDER,
            association_name="Verband",
        )


def test_review_reminders_are_due_two_working_days_before_the_review_ends(
    engine: Engine,
) -> None:
    setup = _paper(engine)
    with read_session(engine) as session:
        paper = session.get(Paper, setup.paper_id)
        assert paper is not None and paper.review_deadline is not None
        deadline = paper.review_deadline
        reminder_day = subtract_working_days(deadline, 2)
        assert mail.review_reminder_due(paper, today=reminder_day)
        assert not mail.review_reminder_due(paper, today=subtract_working_days(deadline, 3))
        due = mail.papers_with_review_reminders_due(
            session=session, actor=SYSTEM, today=reminder_day
        )
        assert [p.id for p in due] == [setup.paper_id]
    after = datetime.combine(deadline + timedelta(days=1), time(12), tzinfo=clock.BERLIN)
    with (
        pytest.raises(InvalidInput, match="Beteiligung ist beendet"),
        write_session(engine) as session,
    ):
        mail.prepare_review(
            session=session,
            actor=setup.staff,
            paper_id=setup.paper_id,
            kind=MailKind.REVIEW_REMINDER,
            association_name="Verband",
            now=after,
        )


def test_remind_sends_review_reminders_too(
    engine: Engine, mail_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = _paper(engine)
    with write_session(engine) as session:
        settings.save_smtp(session=session, actor=SYSTEM, values=mail_server.smtp())
        paper = session.get(Paper, setup.paper_id)
        assert paper is not None and paper.review_deadline is not None
        reminder_day = subtract_working_days(paper.review_deadline, 2)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr(clock, "today_in_berlin", lambda now=None: reminder_day)
    assert cli.main(["remind"]) == 0
    assert {m["To"] for m in mail_server.inbox.messages} == {
        setup.contacts["alpha"].email,
        setup.contacts["beta"].email,
    }
    assert all(
        str(make_header(decode_header(m["Subject"]))).startswith("Erinnerung: Ihre Rückmeldung")
        for m in mail_server.inbox.messages
    )


def test_review_texts_for_staff_to_send_by_hand(engine: Engine) -> None:
    setup = _paper(engine)
    with write_session(engine) as session:
        [message, *_] = mail.prepare_review(
            session=session,
            actor=setup.staff,
            paper_id=setup.paper_id,
            kind=MailKind.REVIEW_START,
            association_name="Verband",
        )
        manual = mail.for_manual_sending(
            session=session,
            actor=setup.staff,
            message_id=id_of(message),
            base_url="http://localhost:8501",
        )
    assert "http://localhost:8501/?einladung=" in manual.body
    assert manual.mailto.startswith(f"mailto:{manual.to}?subject=")
    with read_session(engine) as session:
        rows = mail.recipients_of_paper(session=session, actor=setup.staff, paper_id=setup.paper_id)
    assert [(r.organisation, r.contact) for r in rows] == [
        ("Alpha Umformtechnik GmbH", setup.contacts["alpha"].name),
        ("Beta Sensorik GmbH", setup.contacts["beta"].name),
    ]
    handed = next(r for r in rows if r.contact_id == manual.contact_id)
    assert handed.message is not None and handed.message.status is MailStatus.HANDED_OVER
    assert handed.link is not None and handed.link.id == manual.invitation_id
    assert invitations.link_state(handed.link, utcnow()) is invitations.LinkState.OPEN
    other = next(r for r in rows if r.contact_id != manual.contact_id)
    assert other.link is None and other.message is not None
    assert other.message.status is MailStatus.PENDING


def test_members_and_review_links_cannot_send_review_mail(engine: Engine) -> None:
    setup = _paper(engine)
    with write_session(engine) as session:
        member = Actor.for_user(setup.contacts["alpha"])
        with pytest.raises(PermissionDenied):
            mail.prepare_review(
                session=session,
                actor=member,
                paper_id=setup.paper_id,
                kind=MailKind.REVIEW_START,
                association_name="Verband",
            )
