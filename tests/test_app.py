"""Page logic through Streamlit's AppTest: login, invitation links, start pages, refusals."""

from datetime import timedelta

import pytest
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from streamlit.testing.v1 import AppTest

import demo
from bench.postgres import free_port
from db.engine import create_engine_for, read_session, write_session
from db.models import (
    Call,
    CallStatus,
    Forum,
    Invitation,
    Meeting,
    Organisation,
    Paper,
    PaperStatus,
    Statement,
    StatementStatus,
    User,
    Visibility,
    id_of,
)
from positions.analysis import preferences
from positions.core import settings
from positions.core.clock import today_in_berlin, utcnow
from positions.core.permissions import SYSTEM
from positions.forums import calls, forums
from positions.forums.invitations import hash_token
from positions.papers import papers
from tests.apptest import log_in, new_app

# The one answer to every refused login (which accounts exist must not show).
LOGIN_REFUSED = (
    "E-Mail-Adresse oder Passwort ist falsch. Nach 10 Fehlversuchen bleibt der Zugang "
    "15 Minuten lang gesperrt."
)


def texts(app: AppTest) -> str:
    parts = [
        e.value
        for e in (
            *app.markdown,
            *app.title,
            *app.subheader,
            *app.caption,
            *app.error,
            *app.info,
            *app.success,
        )
    ]
    return "\n".join(str(p) for p in parts)


def page_links(app: AppTest) -> list[str]:
    return [link.proto.label for link in app.get("page_link")]


def test_the_login_form_has_german_labels(demo_url: str) -> None:
    app = new_app().run()
    assert [w.label for w in app.text_input] == ["E-Mail", "Passwort"]
    assert "Anmelden" in [b.label for b in app.button]
    assert not app.exception


@pytest.mark.parametrize("email", ["referat@demo.example", "unbekannt@demo.example"])
def test_wrong_credentials_get_a_german_message(demo_url: str, email: str) -> None:
    app = log_in(email, "falsches-passwort")
    assert [e.value for e in app.error] == [LOGIN_REFUSED]
    assert not app.exception


def test_an_empty_form_asks_for_both_fields(demo_url: str) -> None:
    app = log_in("", "")
    assert "Bitte geben Sie E-Mail-Adresse und Passwort ein." in texts(app)


def test_staff_start_page_shows_deadlines_and_forums(demo_url: str) -> None:
    app = log_in("referat@demo.example")
    assert not app.exception
    page = texts(app)
    assert "Guten Tag, Ralf Reiners" in page
    assert "Nächste Fristen" in page and "Foren" in page
    deadlines = app.dataframe[0].value
    tda = deadlines[
        deadlines["Aufruf / Aufgabe"] == "Finanzierung und Förderinstrumente in der Transformation"
    ]
    assert list(tda["Was"]) == ["Mitgliederfrist", "Vorstandsfrist", "Externe Frist"]
    assert set(tda["Rückmeldungen"]) == {"11 von 25"}
    assert "Aufgabe" in set(deadlines["Was"])  # follow-ups from meetings
    assert "Meine Aufgaben" in page
    assert [m.label for m in app.metric] == [
        "Offene Aufrufe",
        "Fristen in den nächsten 14 Tagen",
        "Papiere zur Freigabe",
    ]


def test_board_start_page_lists_the_paper_waiting_for_approval(demo_url: str) -> None:
    app = log_in("vorstand@demo.example")
    page = texts(app)
    assert "Papiere zur Freigabe" in page
    assert "Beitrag zu den industriepolitischen Leitlinien des Fachforums" in page_links(app)


def test_member_start_page_lists_their_open_call(demo_url: str) -> None:
    app = log_in("mitglied@demo.example")
    page = texts(app)
    assert "Ihre offenen Aufrufe" in page
    assert "Finanzierung und Förderinstrumente in der Transformation" in page
    assert "Ihre Stellungnahme: eingereicht" in page


def open_forum(app: AppTest, url: str, short_name: str) -> None:
    with create_engine_for(url).connect() as connection:
        forum_id = connection.execute(
            select(Forum.id).where(Forum.short_name == short_name)
        ).scalar_one()
    app.query_params["forum"] = str(forum_id)
    app.switch_page("ui/pages/forum.py").run()
    assert not app.exception


def test_staff_open_a_forum_and_see_its_next_deadline(demo_url: str) -> None:
    app = log_in("referat@demo.example")
    open_forum(app, demo_url, "TDA")
    page = texts(app)
    assert "Transformationsdialog Automobilindustrie" in page
    assert "Nächste Frist" in page and "Mitgliederfrist am" in page
    assert "Förderinstrumente" in page  # a working group


def test_an_invitation_link_signs_the_contact_in_for_their_call_only(demo_url: str) -> None:
    app = new_app()
    app.query_params["einladung"] = demo.DEMO_INVITATION_TOKEN
    app.run()
    assert not app.exception and not app.error
    page = texts(app)
    assert "Ihre offenen Aufrufe" in page and "über Einladungslink" in page
    # That the forum pages refuse invitation holders is checked in the browser test:
    # AppTest cannot open pages registered as functions.


@pytest.mark.parametrize(
    ("change", "message"),
    [("revoke", "zurückgezogen"), ("expire", "abgelaufen"), (None, "ungültig")],
)
def test_unusable_invitation_links_get_a_german_message(
    demo_url: str, change: str | None, message: str
) -> None:
    engine = create_engine_for(demo_url)
    with write_session(engine) as session:
        invitation = session.exec(
            select(Invitation).where(
                Invitation.token_hash == hash_token(demo.DEMO_INVITATION_TOKEN)
            )
        ).one()
        if change == "revoke":
            invitation.revoked_at = utcnow()
        elif change == "expire":
            invitation.expires_at = utcnow() - timedelta(days=1)
    app = new_app()
    app.query_params["einladung"] = demo.DEMO_INVITATION_TOKEN if change else "erfunden"
    app.run()
    assert not app.exception
    [error] = app.error
    assert message in error.value
    assert "Guten Tag" not in texts(app)


def test_a_member_opening_a_forum_they_do_not_sit_in_is_refused(demo_url: str) -> None:
    app = log_in("mitglied@demo.example")
    open_forum(app, demo_url, "FF-CYBER")
    assert [e.value for e in app.error] == ["Dafür fehlt Ihnen die Berechtigung."]
    assert "Fachforum Cybersecurity" not in texts(app)


def test_logout_returns_to_the_login_form(demo_url: str) -> None:
    app = log_in("referat@demo.example")
    [logout] = [b for b in app.button if b.label == "Abmelden"]
    logout.click().run()
    assert [w.label for w in app.text_input] == ["E-Mail", "Passwort"]
    assert "Guten Tag" not in texts(app)


def test_an_unreachable_database_gets_a_german_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "DATABASE_URL", f"postgresql://app:s3cret@127.0.0.1:{free_port()}/x?connect_timeout=2"
    )
    app = new_app().run()
    assert not app.exception
    [error] = app.error
    assert "Datenbank ist gerade nicht erreichbar" in error.value
    assert "s3cret" not in texts(app)


def test_an_unmigrated_database_gets_a_german_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/leer.db")
    app = new_app().run()
    assert not app.exception
    assert "positionen migrate" in app.error[0].value
    st.cache_resource.clear()


def test_a_locked_account_gets_the_answer_of_a_wrong_password(demo_url: str) -> None:
    engine = create_engine_for(demo_url)
    with write_session(engine) as session:
        user = session.exec(select(User).where(User.email == "referat@demo.example")).one()
        user.locked_until = utcnow() + timedelta(minutes=10)
    app = log_in("referat@demo.example")
    assert [e.value for e in app.error] == [LOGIN_REFUSED]
    assert "Guten Tag" not in texts(app)


def test_single_sign_on_is_offered_only_when_configured(demo_url: str) -> None:
    app = new_app().run()
    assert "Mit Single Sign-on anmelden" not in [b.label for b in app.button]
    app = new_app()
    app.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "ein-langes-geheimnis",
        "client_id": "positionen",
        "client_secret": "geheim",
        "server_metadata_url": "https://sso.verband.example/.well-known/openid-configuration",
    }
    app.run()
    assert not app.exception
    assert "Mit Single Sign-on anmelden" in [b.label for b in app.button]


def switch(app: AppTest, page: str, **params: str) -> AppTest:
    for key, value in params.items():
        app.query_params[key] = value
    app.switch_page(page).run()
    assert not app.exception
    return app


def test_a_meeting_page_shows_agenda_minutes_and_follow_ups(demo_url: str) -> None:
    app = log_in("referat@demo.example")
    with create_engine_for(demo_url).connect() as connection:
        meeting_id = connection.execute(
            select(Meeting.id).where(Meeting.title == "Regionaldialog Förderinstrumente")
        ).scalar_one()
    switch(app, "ui/pages/meeting.py", sitzung=str(meeting_id))
    page = texts(app)
    assert "Tagesordnung" in page and "Bericht aus den Arbeitsgruppen" in page
    assert "Zahlen zur Investitionslücke der Mitglieder" in page
    assert any("Die Arbeitsgruppen berichteten" in (a.value or "") for a in app.text_area)


def test_the_deadline_page_counts_what_is_due(demo_url: str) -> None:
    app = log_in("referat@demo.example")
    switch(app, "ui/pages/deadlines.py")
    metrics = {m.label: int(m.value) for m in app.metric}
    assert metrics["überfällig"] == 1  # the slipped demo task
    assert metrics["offen"] + metrics["bald fällig"] >= 12
    table = app.dataframe[0].value
    assert table.iloc[0]["Status"] == "überfällig"


def test_settings_are_for_admins_only(demo_url: str) -> None:
    app = log_in("admin@demo.example")
    switch(app, "ui/pages/settings.py")
    assert "automotiveland.nrw e.V." in [t.value for t in app.text_input]
    [threshold] = [s for s in app.slider if "dieselbe Forderung" in s.label]
    threshold.set_value(0.9)
    [save] = [b for b in app.button if b.label == "Speichern" and "merging" in str(b.form_id)]
    save.click().run()
    assert not app.exception and not app.error
    with read_session(create_engine_for(demo_url)) as session:
        assert preferences.duplicate_threshold(session=session) == 0.9
    [quorum] = [n for n in app.number_input if "Vorstandsmitglieder" in n.label]
    [save] = [b for b in app.button if b.label == "Speichern" and "approval" in str(b.form_id)]
    quorum.set_value(5)
    save.click().run()
    assert any("nur 2 Mitglieder mit Zugang aktiv" in e.value for e in app.error)
    with read_session(create_engine_for(demo_url)) as session:
        assert settings.approval_quorum(session=session) == 1
    # For everyone else the address shows a refusal (checked in the browser test, as
    # AppTest cannot open pages registered as functions); the service refuses as well.


FUNDING_CALL = "Finanzierung und Förderinstrumente in der Transformation"


def _call_id(engine: Engine, title: str) -> int:
    with read_session(engine) as session:
        return id_of(session.exec(select(Call).where(Call.title == title)).one())


def test_staff_invite_a_member_later_and_revoke_a_link(demo_url: str) -> None:
    engine = create_engine_for(demo_url)
    guidelines = _call_id(engine, "Kommentierung des Entwurfs der industriepolitischen Leitlinien")
    with read_session(engine) as session:
        invited = calls.invited_ids(session=session, actor=SYSTEM, call_id=guidelines)
        missing = next(
            o
            for o in calls.member_organisations(session=session, actor=SYSTEM)
            if o.id not in invited
        )
    app = switch(log_in("referat@demo.example"), "ui/pages/call.py", aufruf=str(guidelines))
    [more] = [m for m in app.multiselect if m.label == "Weitere Mitglieder einladen"]
    more.select(id_of(missing))
    [invite] = [b for b in app.button if b.label == "Einladen"]
    invite.click().run()
    assert not app.exception and not app.error
    with read_session(engine) as session:
        assert id_of(missing) in calls.invited_ids(
            session=session, actor=SYSTEM, call_id=guidelines
        )

    funding = _call_id(engine, FUNDING_CALL)
    switch(app, "ui/pages/call.py", aufruf=str(funding))
    assert "zurückgezogen" not in link_states(app)
    with read_session(engine) as session:
        demo_link = session.exec(
            select(Invitation).where(
                Invitation.token_hash == hash_token(demo.DEMO_INVITATION_TOKEN)
            )
        ).one()
    [revoke] = [m for m in app.multiselect if m.label.startswith("Links zurückziehen")]
    revoke.select(id_of(demo_link)).run()
    [button] = [b for b in app.button if b.label == "Zurückziehen"]
    button.click().run()
    assert not app.exception and not app.error
    assert link_states(app).count("zurückgezogen") == 1
    member = new_app()
    member.query_params["einladung"] = demo.DEMO_INVITATION_TOKEN
    member.run()
    assert any("zurückgezogen" in e.value for e in member.error)


def link_states(app: AppTest) -> list[str]:
    """The link column of the compact list of contacts (one row each)."""
    states = ("offen", "genutzt", "abgelaufen", "zurückgezogen")
    return [m.value.split("  \n")[0] for m in app.markdown if m.value.startswith(states)]


def test_the_answer_table_sorts_points_and_times_as_such(demo_url: str) -> None:
    engine = create_engine_for(demo_url)
    funding = _call_id(engine, FUNDING_CALL)
    app = switch(log_in("referat@demo.example"), "ui/pages/call.py", aufruf=str(funding))
    [table] = [d.value for d in app.dataframe if "Letzte Änderung" in d.value.columns]
    assert str(table["Punkte"].dtype) == "Int64"
    assert str(table["Letzte Änderung"].dt.tz) == "Europe/Berlin"
    answered = table[table["Punkte"].notna()]
    assert len(answered) >= 10 and answered["Punkte"].max() >= 2
    assert table["Letzte Änderung"].notna().sum() == len(answered)


def open_demo_call_as_member(url: str) -> AppTest:
    app = new_app()
    app.query_params["einladung"] = demo.DEMO_INVITATION_TOKEN
    app.run()
    call_id = _call_id(create_engine_for(url), FUNDING_CALL)
    return switch(app, "ui/pages/call.py", aufruf=str(call_id))


def test_a_member_changes_the_statement_and_a_stale_tab_is_refused(demo_url: str) -> None:
    tab_a, tab_b = open_demo_call_as_member(demo_url), open_demo_call_as_member(demo_url)
    [editor_a] = [t for t in tab_a.text_area if t.label == "Ihre Stellungnahme"]
    editor_a.input("Neue Fassung aus Tab A\n\n- Bürgschaften ausweiten")
    [submit_a] = [b for b in tab_a.button if b.label == "Änderungen einreichen"]
    submit_a.click().run()
    assert not tab_a.exception and not tab_a.error
    [editor_b] = [t for t in tab_b.text_area if t.label == "Ihre Stellungnahme"]
    editor_b.input("Fassung aus Tab B")
    [submit_b] = [b for b in tab_b.button if b.label == "Änderungen einreichen"]
    submit_b.click().run()
    assert any("anderen Fenster" in e.value for e in tab_b.error)
    [reload] = [b for b in tab_b.button if b.label.startswith("Neuere Fassung laden")]
    reload.click().run()
    assert not tab_b.exception and not tab_b.error
    [editor_b] = [t for t in tab_b.text_area if t.label == "Ihre Stellungnahme"]
    assert (editor_b.value or "").startswith("Neue Fassung aus Tab A")
    with create_engine_for(demo_url).connect() as connection:
        stored = connection.execute(
            select(Statement.text)
            .join(Organisation, col(Organisation.id) == Statement.organisation_id)
            .where(Organisation.name == "Bergische Umformtechnik GmbH")
        ).scalar_one()
    assert stored.startswith("Neue Fassung aus Tab A")


def test_an_empty_statement_is_refused_in_german(demo_url: str) -> None:
    app = open_demo_call_as_member(demo_url)
    [editor] = [t for t in app.text_area if t.label == "Ihre Stellungnahme"]
    editor.input("   ")
    [submit] = [b for b in app.button if b.label == "Änderungen einreichen"]
    submit.click().run()
    assert any("Textfeld ist leer" in e.value for e in app.error)


def test_paper_page_shows_core_demands_and_the_review_tally(demo_url: str) -> None:
    app = log_in("referat@demo.example")
    with create_engine_for(demo_url).connect() as connection:
        paper_id = connection.execute(
            select(Paper.id).where(Paper.status == PaperStatus.MEMBER_REVIEW)
        ).scalar_one()
    switch(app, "ui/pages/paper.py", papier=str(paper_id))
    page = texts(app)
    assert "Kernforderungen" in page and "Mitgliederbeteiligung" in page
    [tally] = [d.value for d in app.dataframe if "Ablehnung" in d.value.columns]
    assert tally["Ablehnung"].sum() == 1 and tally["Zustimmung"].sum() >= 4
    assert "bittet um Mindermeinung" in page


def test_members_cannot_open_papers_not_shared_with_them(demo_url: str) -> None:
    app = log_in("mitglied@demo.example")
    with create_engine_for(demo_url).connect() as connection:
        paper_id = connection.execute(
            select(Paper.id).where(Paper.status == PaperStatus.BOARD_APPROVAL)
        ).scalar_one()
    switch(app, "ui/pages/paper.py", papier=str(paper_id))
    assert [e.value for e in app.error] == ["Dafür fehlt Ihnen die Berechtigung."]
    assert "Leitlinien" not in texts(app)


def test_an_idle_session_ends_with_a_german_note(demo_url: str) -> None:
    app = log_in("referat@demo.example")
    assert "Guten Tag" in texts(app)
    app.session_state["last_activity"] = app.session_state["last_activity"] - 61 * 60
    app.run()
    assert [w.label for w in app.text_input] == ["E-Mail", "Passwort"]
    assert any("ohne Aktivität abgemeldet" in i.value for i in app.info)


def test_a_text_changed_during_board_approval_goes_back_before_the_board(demo_url: str) -> None:
    engine = create_engine_for(demo_url)
    with write_session(engine) as session:
        paper = session.exec(select(Paper).where(Paper.status == PaperStatus.BOARD_APPROVAL)).one()
        paper_id, before = id_of(paper), paper.version_counter
        paragraph = papers.paper_view(session=session, actor=SYSTEM, paper_id=paper_id)
        first = paragraph.all_paragraphs()[0].paragraph
        papers.save_paragraph(
            session=session,
            actor=SYSTEM,
            paragraph_id=id_of(first),
            text=first.text + " Nachgetragen.",
            is_core_demand=first.is_core_demand,
            expected_version=first.lock_version,
        )

    def board_tab(email: str) -> AppTest:
        app = log_in(email)
        return switch(app, "ui/pages/paper.py", papier=str(paper_id))

    board = board_tab("vorstand@demo.example")
    assert any(f"nach Fassung {before} geändert" in w.value for w in board.warning)
    assert not [b for b in board.button if b.label == "Freigeben"]
    assert not [b for b in board.button if b.label.startswith("Geänderte Fassung")]

    staff = board_tab("referat@demo.example")
    [resubmit] = [b for b in staff.button if b.label == "Geänderte Fassung zur Freigabe vorlegen"]
    resubmit.click().run()
    assert not staff.exception and not staff.error

    board = board_tab("vorstand@demo.example")
    assert f"Ihre Entscheidung über **Fassung {before + 1}**" in texts(board)
    [approve] = [b for b in board.button if b.label == "Freigeben"]
    approve.click().run()
    assert not board.exception and not board.error
    with read_session(engine) as session:
        released = session.get_one(Paper, paper_id)
        assert released.status == PaperStatus.APPROVED  # the demo's quorum is one


def test_a_sent_paper_shows_what_became_of_its_demands(demo_url: str) -> None:
    engine = create_engine_for(demo_url)
    with read_session(engine) as session:
        paper = session.exec(
            select(Paper).where(Paper.title == "Stellungnahme zum Regionaldialog Förderinstrumente")
        ).one()
    app = switch(log_in("referat@demo.example"), "ui/pages/paper.py", papier=str(paper.id))
    assert [t.label for t in app.tabs][-1] == "Wirkung"
    [metric] = [m for m in app.metric if m.label == "Kernforderungen übernommen"]
    taken, total = (int(n) for n in metric.value.split(" von "))
    assert total >= 3 and 1 <= taken <= total
    page = texts(app)
    assert "übernommen** in „" in page and "Noch in keinem Ergebnis gefunden." in page


def test_a_call_asks_the_members_of_a_fachforum_from_another_forum(demo_url: str) -> None:
    app = log_in("referat@demo.example")
    open_forum(app, demo_url, "TDA")
    [title] = [t for t in app.text_input if t.label == "Titel" and "new-call" in str(t.form_id)]
    title.input("Abfrage: Ladeinfrastruktur an Werksstandorten")
    [external] = [d for d in app.date_input if d.label.startswith("Externe Frist")]
    external.set_value(today_in_berlin() + timedelta(days=40))
    [audience] = [r for r in app.radio if r.label == "Eingeladen werden"]
    audience.set_value(calls.Audience.FORUM_MEMBERS)
    [which] = [s for s in app.selectbox if s.label.startswith("Forum, dessen Mitglieder")]
    [mobility] = [o for o in which.options if "Mobil" in o]
    which.select(mobility)
    [create] = [b for b in app.button if b.label == "Aufruf anlegen"]
    create.click().run()
    assert not app.exception and not app.error
    engine = create_engine_for(demo_url)
    with read_session(engine) as session:
        call = session.exec(
            select(Call).where(Call.title == "Abfrage: Ladeinfrastruktur an Werksstandorten")
        ).one()
        fachforum = session.exec(select(Forum).where(Forum.short_name == "FF-MOB")).one()
        invited = calls.invited_ids(session=session, actor=SYSTEM, call_id=id_of(call))
        expected = set(forums.forum_member_ids(session=session, forum_id=id_of(fachforum)))
    assert invited == expected and len(invited) == 15


# --- invitation address, single sign-on, links of closed calls ------------------------------


def test_a_redeemed_invitation_link_leaves_the_address_but_not_the_session(
    demo_url: str,
) -> None:
    app = new_app()
    app.query_params["einladung"] = demo.DEMO_INVITATION_TOKEN
    app.run()
    assert not app.exception and not app.error
    assert "einladung" not in app.query_params  # nobody reads the token off the screen
    app.run()  # the next interaction in the same session
    assert not app.exception and not app.error
    page = texts(app)
    assert "Ihre offenen Aufrufe" in page and "über Einladungslink" in page


SSO_ISSUER = "https://sso.verband.example"
SSO_SECRETS = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "ein-langes-geheimnis",
    "client_id": "positionen",
    "client_secret": "geheim",
    "server_metadata_url": f"{SSO_ISSUER}/.well-known/openid-configuration",
}


def sso_app(**claims: object) -> AppTest:
    """The app for someone signed in at the configured provider (a claim set to None is
    left out of the identity)."""
    identity = {
        "is_logged_in": True,
        "provider": "default",
        "email": "referat@demo.example",
        "email_verified": True,
        "iss": SSO_ISSUER,
        "iat": int(utcnow().timestamp()),
        **claims,
    }
    app = new_app()
    app.secrets["auth"] = SSO_SECRETS
    app.user = {key: value for key, value in identity.items() if value is not None}
    return app


def test_single_sign_on_opens_the_matching_account(demo_url: str) -> None:
    app = sso_app().run()
    assert not app.exception and not app.error
    assert "Guten Tag" in texts(app)


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"email_verified": False}, "nicht bestätigt"),
        ({"email_verified": None}, "nicht bestätigt"),
        ({"iss": "https://sso.angreifer.example"}, "nicht vom eingerichteten Anmeldedienst"),
        ({"iss": None}, "nicht vom eingerichteten Anmeldedienst"),
    ],
)
def test_single_sign_on_needs_a_verified_address_from_the_configured_provider(
    demo_url: str, claims: dict[str, object], message: str
) -> None:
    app = sso_app(**claims).run()
    assert not app.exception
    [error] = app.error
    assert message in error.value
    assert "Guten Tag" not in texts(app)
    assert "Abmelden" in [b.label for b in app.button]


def test_a_single_sign_on_session_ends_after_the_idle_time(demo_url: str) -> None:
    app = sso_app().run()
    assert "Guten Tag" in texts(app)
    app.session_state["last_activity"] = app.session_state["last_activity"] - 61 * 60
    app.run()
    assert not app.exception
    assert "Guten Tag" not in texts(app)
    assert app.user.get("is_logged_in") is False  # signed out at the provider's cookie too
    app.run()
    assert "Guten Tag" not in texts(app)


def test_an_old_single_sign_on_login_does_not_open_a_new_session(demo_url: str) -> None:
    two_hours_ago = int((utcnow() - timedelta(hours=2)).timestamp())
    app = sso_app(iat=two_hours_ago).run()
    assert not app.exception
    assert "Guten Tag" not in texts(app)
    assert app.user.get("is_logged_in") is False


def test_links_of_a_closed_call_can_still_be_revoked(demo_url: str) -> None:
    engine = create_engine_for(demo_url)
    funding = _call_id(engine, FUNDING_CALL)
    with write_session(engine) as session:
        calls.set_call_status(
            session=session, actor=SYSTEM, call_id=funding, status=CallStatus.CLOSED
        )
        demo_link = id_of(
            session.exec(
                select(Invitation).where(
                    Invitation.token_hash == hash_token(demo.DEMO_INVITATION_TOKEN)
                )
            ).one()
        )
    app = switch(log_in("referat@demo.example"), "ui/pages/call.py", aufruf=str(funding))
    assert not [m for m in app.multiselect if m.label == "Weitere Mitglieder einladen"]
    [revoke] = [m for m in app.multiselect if m.label.startswith("Links zurückziehen")]
    revoke.select(demo_link).run()
    [button] = [b for b in app.button if b.label == "Zurückziehen"]
    button.click().run()
    assert not app.exception and not app.error
    member = new_app()
    member.query_params["einladung"] = demo.DEMO_INVITATION_TOKEN
    member.run()
    assert any("zurückgezogen" in e.value for e in member.error)


# A file name that, rendered as markdown, makes every viewer's browser fetch an image
# (no slash, so it survives the store's path stripping; browsers read "https:host" as
# "https://host/").
HOSTILE_FILE_NAME = "![p](https:pixel.invalid?seen) :red[rot] :streamlit: $x$ <b>x.txt"
# More user data that Streamlit's markdown would turn into something else than its text.
HOSTILE_TEXTS = [
    HOSTILE_FILE_NAME,
    "[Anmeldung](https:evil.invalid) <img src=https:pixel.invalid> &lt;b&gt; &#33;",
    ":material/home: :blue-badge[neu] :smile: $$x^2$$ ~~weg~~ **fett** _kursiv_ `code`",
    "# Titel\n- Liste\n+ Liste\n1. eins\n2) zwei\n> Zitat\nText\n===\n| a | b |\n|---|---|",
    "Vorher \\![p](https:pixel.invalid) [^1]\n[^1]: Fußnote",
]


def rendered(markdown: str) -> str:
    """The HTML a CommonMark parser (with GFM's strikethrough and tables) makes of it."""
    from markdown_it import MarkdownIt

    return str(MarkdownIt("commonmark").enable(["strikethrough", "table"]).render(markdown))


def assert_shown_as_text(markdown: str, text: str) -> None:
    import html
    import re

    page = rendered(markdown)
    assert re.fullmatch(r"<p>[^<]*</p>\n", page), page  # one paragraph, no element in it
    shown = html.unescape(page.removeprefix("<p>").removesuffix("</p>\n"))
    assert shown.replace("\u2060", "") == text
    # Streamlit's own syntax (colours, badges, icons, math) needs a colon right before a
    # word, or an unescaped dollar sign.
    assert not re.search(r":[A-Za-z]|(?<!\\)\$", markdown)


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_user_data_in_markdown_is_shown_as_its_text(text: str) -> None:
    from ui.widgets import md

    assert_shown_as_text(md(text), text)


def test_a_hostile_attachment_name_is_shown_as_text(demo_url: str) -> None:
    from positions.forums import documents

    engine = create_engine_for(demo_url)
    with write_session(engine) as session:
        forum = session.exec(select(Forum).where(Forum.short_name == "TDA")).one()
        documents.upload(
            session=session,
            actor=SYSTEM,
            filename=HOSTILE_FILE_NAME,
            data=b"Protokoll",
            forum_id=id_of(forum),
        )
    app = log_in("referat@demo.example")
    open_forum(app, demo_url, "TDA")
    [label] = [
        str(button.proto.label)
        for button in app.get("download_button")
        if "pixel.invalid" in str(button.proto.label)
    ]
    name, _details = label.split(" · ", 1)
    assert_shown_as_text(name, HOSTILE_FILE_NAME)


def test_a_file_over_25_mb_gets_our_german_message(demo_url: str) -> None:
    """Streamlit's upload widget refuses a file over its own limit in the browser, in English;
    its limit lies above ours, so such a file reaches our check and its German message."""
    app = log_in("referat@demo.example")
    open_forum(app, demo_url, "TDA")
    [uploader] = [u for u in app.file_uploader if u.label.startswith("Dokument hinzufügen")]
    over_our_limit = b"%PDF-1.7\n" + bytes(25 * 1024 * 1024)
    assert uploader.proto.max_upload_size_mb * 1024 * 1024 >= len(over_our_limit) + 1024 * 1024

    uploader.upload("Scan.pdf", over_our_limit, "application/pdf")
    [submit] = [b for b in app.button if b.label == "Hochladen"]
    submit.click().run()

    assert [e.value for e in app.error] == [
        "„Scan.pdf“ ist größer als 25 MB und kann nicht gespeichert werden."
    ]


def test_the_board_finds_anonymous_texts_without_company_or_minute(demo_url: str) -> None:
    """The minute of a change beside the answer table's would name the member: anonymous
    hits show the board neither the company nor more than the day."""
    with read_session(create_engine_for(demo_url)) as session:
        anonymous = session.exec(
            select(Statement).where(
                Statement.visibility == Visibility.ANONYMOUS,
                Statement.status == StatementStatus.SUBMITTED,
            )
        ).first()
        assert anonymous is not None
        company = session.get(Organisation, anonymous.organisation_id)
        assert company is not None
        query = anonymous.text.split()[1]
    app = switch(log_in("vorstand@demo.example"), "ui/pages/search.py")
    [field] = [w for w in app.text_input if w.label == "Suchbegriffe"]
    field.input(query).run()
    captions = [c.value for c in app.caption if "anonym verwendbar" in c.value]
    assert captions, "the board should find the anonymous statement"
    for caption in captions:
        assert company.name not in caption and "Uhr" not in caption
