"""The member register: organisations and contacts are created, changed and retired (never
deleted), each bad input gets a German message for its field, search finds by any name, and
the organisation overview keeps anonymous and internal statements from the board."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import (
    AuditEvent,
    ContactForum,
    Forum,
    ForumKind,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    Role,
    StatementStatus,
    User,
    Visibility,
    id_of,
)
from positions.core import accounts
from positions.core.clock import today_in_berlin
from positions.core.errors import FieldErrors, InvalidInput, NotFound, PermissionDenied
from positions.core.permissions import Actor
from positions.forums import invitations
from positions.members import register
from positions.members.register import (
    ContactFields,
    MemberQuery,
    OrganisationFields,
    Standing,
)
from tests import factories


def staff(session: Session) -> Actor:
    return factories.actor(session, Role.STAFF)


def fachforum(session: Session, short_name: str) -> Forum:
    forum = Forum(name=f"Fachforum {short_name}", short_name=short_name, kind=ForumKind.INTERNAL)
    session.add(forum)
    session.flush()
    return forum


def member(session: Session, by: Actor, name: str = "Müller & Söhne GmbH", **more: object) -> int:
    fields = OrganisationFields(name=name, city="Wuppertal", **more)  # type: ignore[arg-type]
    return id_of(register.create_organisation(session=session, actor=by, fields=fields))


def person(
    session: Session, by: Actor, organisation_id: int, email: str = "a.gross@mueller.example"
) -> User:
    return register.add_contact(
        session=session,
        actor=by,
        organisation_id=organisation_id,
        fields=ContactFields(given_name="Anna", family_name="Groß", email=email),
    )


# --- organisations --------------------------------------------------------------------------


def test_an_organisation_is_created_with_its_forums_and_audited(engine: Engine) -> None:
    with write_session(engine) as session:
        by = staff(session)
        forum = fachforum(session, "FF-INNO")
        organisation = register.create_organisation(
            session=session,
            actor=by,
            fields=OrganisationFields(
                name="  Müller &   Söhne GmbH ",
                short_name="M&S",
                street="Hauptstraße 1",
                postal_code="42103",
                city="Wuppertal",
                website="www.mueller-soehne.example",
                status=MembershipStatus.SUPPORTING,
                member_since=date(2020, 1, 1),
                forum_ids=(id_of(forum),),
            ),
        )
        organisation_id = id_of(organisation)
    with read_session(engine) as session:
        stored = session.get(Organisation, organisation_id)
        assert stored is not None
        assert stored.name == "Müller & Söhne GmbH"
        assert stored.website == "https://www.mueller-soehne.example"
        assert stored.kind == OrganisationKind.COMPANY
        overview = register.organisation_overview(
            session=session, actor=by, organisation_id=organisation_id
        )
        assert [f.short_name for f in overview.forums] == ["FF-INNO"]
        events = session.exec(
            select(AuditEvent.action).where(AuditEvent.object_id == organisation_id)
        ).all()
        assert "create" in events


@pytest.mark.parametrize(
    ("fields", "problems"),
    [
        (
            OrganisationFields(name=" "),
            {"name": "Bitte geben Sie den Namen der Organisation an."},
        ),
        (
            OrganisationFields(name="MÜLLER & SÖHNE GMBH"),
            {"name": "Eine Organisation „Müller & Söhne GmbH“ gibt es bereits."},
        ),
        (
            OrganisationFields(
                name="Neu GmbH", member_since=date(2024, 5, 1), member_until=date(2024, 4, 30)
            ),
            {"member_until": "Das Ende der Mitgliedschaft liegt vor ihrem Beginn."},
        ),
        (
            OrganisationFields(name="Neu GmbH", postal_code="42#03", website="ftp://x"),
            {
                "postal_code": "„42#03“ ist keine gültige Postleitzahl.",
                "website": "Die Webadresse muss mit https:// oder http:// beginnen.",
            },
        ),
        (
            OrganisationFields(name="Neu GmbH", kind=OrganisationKind.ASSOCIATION),
            {"kind": "Bitte wählen Sie Unternehmen, Forschung und Lehre oder Partner."},
        ),
        (
            OrganisationFields(name="Neu GmbH", city="x" * 101),
            {"city": "Der Ort darf höchstens 100 Zeichen haben."},
        ),
    ],
    ids=["no name", "name taken", "until before since", "address", "kind", "too long"],
)
def test_bad_input_gets_a_german_message_for_its_field(
    engine: Engine, fields: OrganisationFields, problems: dict[str, str]
) -> None:
    with write_session(engine) as session:
        by = staff(session)
        member(session, by)
    with write_session(engine) as session, pytest.raises(FieldErrors) as refused:
        register.create_organisation(session=session, actor=by, fields=fields)
    assert refused.value.problems == problems


def test_leaving_a_forum_ends_the_contacts_calls_from_it(engine: Engine) -> None:
    with write_session(engine) as session:
        by = staff(session)
        inno, co2 = fachforum(session, "FF-INNO"), fachforum(session, "FF-CO2")
        organisation_id = member(session, by, forum_ids=(id_of(inno), id_of(co2)))
        contact = register.add_contact(
            session=session,
            actor=by,
            organisation_id=organisation_id,
            fields=ContactFields(
                given_name="Anna",
                family_name="Groß",
                email="Anna.Gross@Mueller.example",
                forum_ids=(id_of(co2),),
            ),
        )
        organisation = session.get(Organisation, organisation_id)
        assert organisation is not None
        register.update_organisation(
            session=session,
            actor=by,
            organisation_id=organisation_id,
            fields=OrganisationFields.of(organisation, [id_of(inno)]),
        )
    with read_session(engine) as session:
        assert contact.email == "anna.gross@mueller.example"
        left = session.exec(select(ContactForum).where(ContactForum.user_id == contact.id)).all()
        assert left == []


def test_retiring_keeps_history_and_stops_invitations(engine: Engine) -> None:
    with write_session(engine) as session:
        by = staff(session)
        organisation_id = member(session, by, member_since=date(2019, 1, 1))
        contact = person(session, by, organisation_id)
        forum = factories.forum(session, by)
        organisation = session.get(Organisation, organisation_id)
        assert organisation is not None
        call = factories.call(session, by, forum, invited=[organisation])
        factories.statement(session, call, organisation_id)
        register.retire_organisation(session=session, actor=by, organisation_id=organisation_id)
    with write_session(engine) as session:
        organisation = session.get(Organisation, organisation_id)
        assert organisation is not None
        assert not organisation.active
        assert organisation.member_until == today_in_berlin()
        retired = session.get(User, contact.id)
        assert retired is not None and not retired.active
        with pytest.raises(InvalidInput, match="deaktiviert"):
            invitations.create_invitation(session=session, actor=by, call=call, contact=retired)
        overview = register.organisation_overview(
            session=session, actor=by, organisation_id=organisation_id
        )
        assert overview.statement_counts == {StatementStatus.SUBMITTED: 1}
        assert len(overview.calls) == 1
    with write_session(engine) as session:
        register.reactivate_organisation(session=session, actor=by, organisation_id=organisation_id)
        register.reactivate_contact(session=session, actor=by, contact_id=id_of(contact))
    with read_session(engine) as session:
        organisation = session.get(Organisation, organisation_id)
        back = session.get(User, contact.id)
        assert organisation is not None and organisation.active
        assert organisation.member_until is None
        assert back is not None and back.active


def test_a_retirement_date_before_the_membership_began_is_refused(engine: Engine) -> None:
    with write_session(engine) as session:
        by = staff(session)
        organisation_id = member(session, by, member_since=date(2024, 1, 1))
    with write_session(engine) as session, pytest.raises(FieldErrors) as refused:
        register.retire_organisation(
            session=session, actor=by, organisation_id=organisation_id, until=date(2023, 12, 31)
        )
    assert set(refused.value.problems) == {"member_until"}


def test_the_association_itself_is_not_in_the_register(engine: Engine) -> None:
    with write_session(engine) as session:
        by = staff(session)
        association = Organisation(name="Verband e. V.", kind=OrganisationKind.ASSOCIATION)
        session.add(association)
        session.flush()
        with pytest.raises(NotFound):
            register.organisation_overview(
                session=session, actor=by, organisation_id=id_of(association)
            )
        assert register.search_organisations(session=session, actor=by) == []


# --- contacts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "problems"),
    [
        (
            ContactFields(given_name="Anna", family_name="Groß", email="anna(at)x.example"),
            {"email": "„anna(at)x.example“ ist keine gültige E-Mail-Adresse."},
        ),
        (
            ContactFields(given_name="Anna", family_name="Groß", email=""),
            {"email": "Bitte geben Sie eine E-Mail-Adresse an."},
        ),
        (
            ContactFields(given_name="Anna", family_name="Groß", email="A.GROSS@mueller.example"),
            {"email": "Die E-Mail-Adresse a.gross@mueller.example ist bereits vergeben."},
        ),
        (
            ContactFields(given_name=" ", family_name="", email="b@mueller.example"),
            {"family_name": "Bitte geben Sie Vor- oder Nachnamen an."},
        ),
        (
            ContactFields(
                given_name="Bea", family_name="B", email="b@mueller.example", phone="1" * 61
            ),
            {"phone": "Die Telefonnummer darf höchstens 60 Zeichen haben."},
        ),
    ],
    ids=["invalid e-mail", "no e-mail", "e-mail taken", "no name", "long phone"],
)
def test_bad_contact_input_gets_a_message_for_its_field(
    engine: Engine, fields: ContactFields, problems: dict[str, str]
) -> None:
    with write_session(engine) as session:
        by = staff(session)
        organisation_id = member(session, by)
        person(session, by, organisation_id)
    with write_session(engine) as session, pytest.raises(FieldErrors) as refused:
        register.add_contact(
            session=session, actor=by, organisation_id=organisation_id, fields=fields
        )
    assert refused.value.problems == problems


def test_a_contact_receives_calls_only_from_the_organisations_forums(engine: Engine) -> None:
    with write_session(engine) as session:
        by = staff(session)
        inno, mob = fachforum(session, "FF-INNO"), fachforum(session, "FF-MOB")
        organisation_id = member(session, by, forum_ids=(id_of(inno),))
        with pytest.raises(FieldErrors) as refused:
            register.add_contact(
                session=session,
                actor=by,
                organisation_id=organisation_id,
                fields=ContactFields(
                    given_name="A", family_name="B", email="a@b.example", forum_ids=(id_of(mob),)
                ),
            )
    assert set(refused.value.problems) == {"forum_ids"}


def test_a_changed_contact_keeps_its_row_and_a_retired_one_cannot_log_in(engine: Engine) -> None:
    with write_session(engine) as session:
        by = staff(session)
        organisation_id = member(session, by)
        contact = person(session, by, organisation_id)
        contact.password_hash = accounts.hash_password(factories.PASSWORD)
        register.update_contact(
            session=session,
            actor=by,
            contact_id=id_of(contact),
            fields=ContactFields(
                given_name="Anna",
                family_name="Groß-Weiß",
                email="anna.gross-weiss@mueller.example",
                function="Leiterin Einkauf",
                phone="+49 202 1",
            ),
        )
    with read_session(engine) as session:
        changed = session.get(User, contact.id)
        assert changed is not None
        assert (changed.name, changed.email) == (
            "Anna Groß-Weiß",
            "anna.gross-weiss@mueller.example",
        )
    assert factories.log_in(engine, changed.email, factories.PASSWORD).actor is not None
    with write_session(engine) as session:
        register.retire_contact(session=session, actor=by, contact_id=id_of(contact))
    assert factories.log_in(engine, changed.email, factories.PASSWORD).actor is None


def test_staff_accounts_are_not_contacts(engine: Engine) -> None:
    with write_session(engine) as session:
        by = staff(session)
        colleague = factories.user(session, Role.STAFF)
        with pytest.raises(NotFound):
            register.retire_contact(session=session, actor=by, contact_id=id_of(colleague))


# --- search ---------------------------------------------------------------------------------


def test_search_finds_by_name_city_contact_and_address(engine: Engine) -> None:
    with write_session(engine) as session:
        by = staff(session)
        inno = fachforum(session, "FF-INNO")
        mueller = member(session, by, forum_ids=(id_of(inno),))
        person(session, by, mueller, email="jürgen.weiss@mueller.example")
        member(session, by, name="Straßenbau Köln AG", status=MembershipStatus.GUEST)
        retired = member(session, by, name="Alte Gießerei GmbH")
        register.retire_organisation(session=session, actor=by, organisation_id=retired)

    def names(**query: object) -> list[str]:
        with read_session(engine) as session:
            rows = register.search_organisations(
                session=session,
                actor=by,
                query=MemberQuery(**query),  # type: ignore[arg-type]
            )
        return [row.organisation.name for row in rows]

    assert names() == ["Müller & Söhne GmbH", "Straßenbau Köln AG"]
    assert names(text="STRASSENBAU") == ["Straßenbau Köln AG"]
    assert names(text="jürgen weiss") == ["Müller & Söhne GmbH"]
    assert names(text="groß") == ["Müller & Söhne GmbH"]
    assert names(text="wuppertal söhne") == ["Müller & Söhne GmbH"]
    assert names(status=MembershipStatus.GUEST) == ["Straßenbau Köln AG"]
    assert names(forum_id=id_of(inno)) == ["Müller & Söhne GmbH"]
    assert names(standing=Standing.RETIRED) == ["Alte Gießerei GmbH"]
    assert len(names(standing=Standing.ALL)) == 3


# --- permissions and confidentiality --------------------------------------------------------


@pytest.mark.parametrize("role", [Role.BOARD, Role.MEMBER])
def test_only_the_policy_office_changes_the_register(engine: Engine, role: Role) -> None:
    with write_session(engine) as session:
        outsider = factories.actor(session, role)
        with pytest.raises(PermissionDenied):
            register.create_organisation(
                session=session, actor=outsider, fields=OrganisationFields(name="X GmbH")
            )


def test_members_do_not_read_the_register(engine: Engine) -> None:
    with write_session(engine) as session:
        contact = factories.actor(session, Role.MEMBER)
        with pytest.raises(PermissionDenied):
            register.search_organisations(session=session, actor=contact)


def test_the_board_sees_counts_never_which_statement_was_anonymous(engine: Engine) -> None:
    with write_session(engine) as session:
        by = staff(session)
        board = factories.actor(session, Role.BOARD)
        organisation_id = member(session, by)
        organisation = session.get(Organisation, organisation_id)
        assert organisation is not None
        forum = factories.forum(session, by)
        visibilities = (Visibility.NAMED, Visibility.ANONYMOUS, Visibility.INTERNAL)
        for visibility in visibilities:
            call = factories.call(
                session,
                by,
                forum,
                invited=[organisation],
                external_deadline=today_in_berlin() + timedelta(days=40),
            )
            factories.statement(session, call, organisation_id, visibility=visibility)
        draft_call = factories.call(session, by, forum, invited=[organisation])
        factories.statement(session, draft_call, organisation_id, status=StatementStatus.DRAFT)

        office = register.organisation_overview(
            session=session, actor=by, organisation_id=organisation_id
        )
        seen_by_board = register.organisation_overview(
            session=session, actor=board, organisation_id=organisation_id
        )

    assert office.statement_counts == {StatementStatus.SUBMITTED: 3}  # a draft is no answer
    assert sorted(e.visibility for e in office.statements) == sorted(visibilities)
    assert seen_by_board.statement_counts == {StatementStatus.SUBMITTED: 3}
    assert seen_by_board.statements == []
    assert len(seen_by_board.calls) == 4


def test_contacts_are_listed_active_first_with_their_forums(engine: Engine) -> None:
    with write_session(engine) as session:
        by = staff(session)
        inno = fachforum(session, "FF-INNO")
        organisation_id = member(session, by, forum_ids=(id_of(inno),))
        first = person(session, by, organisation_id, email="z@mueller.example")
        register.add_contact(
            session=session,
            actor=by,
            organisation_id=organisation_id,
            fields=ContactFields(
                given_name="Bernd",
                family_name="Zander",
                email="bz@mueller.example",
                forum_ids=(id_of(inno),),
            ),
        )
        register.retire_contact(session=session, actor=by, contact_id=id_of(first))
        overview = register.organisation_overview(
            session=session, actor=by, organisation_id=organisation_id
        )
    assert [(row.contact.name, row.contact.active) for row in overview.contacts] == [
        ("Bernd Zander", True),
        ("Anna Groß", False),
    ]
    assert [f.short_name for f in overview.contacts[0].forums] == ["FF-INNO"]
    with read_session(engine) as session:
        assert session.exec(select(User).where(col(User.email) == "z@mueller.example")).one()
