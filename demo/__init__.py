"""Demo data: automotiveland.nrw e.V. with its real forums and fictional members.

The association, forums and institutions are real (from the association's own press
release); every company and person is made up. Loaded only into an empty database, by
`make run` or `positionen demo`; dates are relative to today so the demo never goes stale.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, func, select

from db.models import (
    Call,
    CallStatus,
    Decision,
    DelegateRole,
    Forum,
    ForumDelegate,
    ForumKind,
    ForumMember,
    Invitation,
    Organisation,
    OrganisationKind,
    Paper,
    PaperKind,
    Paragraph,
    Role,
    Setting,
    SourceHow,
    Stance,
    Statement,
    StatementStatus,
    User,
    Visibility,
    id_of,
)
from positions.core import accounts
from positions.core.clock import BERLIN, utcnow
from positions.core.permissions import Actor
from positions.core.working_days import add_working_days, subtract_working_days
from positions.followup import outcomes
from positions.forums import calls, forums, meetings
from positions.forums.invitations import hash_token
from positions.papers import approvals, papers, reviews, workflow
from positions.papers.snapshot import SourceRef
from positions.statements import statements

DEMO_PASSWORD = "demo"  # noqa: S105  (documented demo login)
# Demo only: a fixed link token, so the README can show a working invitation link.
DEMO_INVITATION_TOKEN = "demo-einladung-bergische-umformtechnik"  # noqa: S105


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: Role
    name: str


DEMO_LOGINS = (
    DemoLogin("admin@demo.example", Role.ADMIN, "Annika Albrecht"),
    DemoLogin("referat@demo.example", Role.STAFF, "Ralf Reiners"),
    DemoLogin("vorstand@demo.example", Role.BOARD, "Dr. Vera Vollmer"),
    DemoLogin("mitglied@demo.example", Role.MEMBER, "Martin Merten"),
)

ASSOCIATION = "automotiveland.nrw e.V."

# (name, short name, kind, city, member since (year, month))
MEMBERS: tuple[tuple[str, str, OrganisationKind, str, tuple[int, int]], ...] = (
    ("Bergische Umformtechnik GmbH", "BUT", OrganisationKind.COMPANY, "Wuppertal", (2019, 4)),
    (
        "Wupperstahl Präzisionsteile GmbH",
        "Wupperstahl",
        OrganisationKind.COMPANY,
        "Wuppertal",
        (2019, 4),
    ),
    ("Remscheider Antriebskomponenten AG", "RAK", OrganisationKind.COMPANY, "Remscheid", (2019, 5)),
    (
        "Klingenstadt Kabelsysteme GmbH & Co. KG",
        "KKS",
        OrganisationKind.COMPANY,
        "Solingen",
        (2019, 6),
    ),
    ("Velberter Schließsysteme GmbH", "VSS", OrganisationKind.COMPANY, "Velbert", (2019, 6)),
    (
        "Märkische Feinguss GmbH",
        "Märkische Feinguss",
        OrganisationKind.COMPANY,
        "Iserlohn",
        (2019, 9),
    ),
    (
        "Lenneschiene Kunststofftechnik GmbH",
        "LKT",
        OrganisationKind.COMPANY,
        "Lüdenscheid",
        (2019, 10),
    ),
    ("Hagener Federnwerk GmbH", "HFW", OrganisationKind.COMPANY, "Hagen", (2020, 1)),
    (
        "Rheinufer Sensorik GmbH",
        "Rheinufer Sensorik",
        OrganisationKind.COMPANY,
        "Düsseldorf",
        (2020, 2),
    ),
    ("Domstadt Fahrzeugelektronik GmbH", "DFE", OrganisationKind.COMPANY, "Köln", (2020, 3)),
    ("Emscher Leichtbau GmbH", "Emscher Leichtbau", OrganisationKind.COMPANY, "Bochum", (2020, 5)),
    ("Phoenix Batterietechnik GmbH", "PBT", OrganisationKind.COMPANY, "Dortmund", (2020, 6)),
    ("Siegerländer Schmiedetechnik GmbH", "SST", OrganisationKind.COMPANY, "Siegen", (2020, 8)),
    ("Biggesee Dichtungstechnik GmbH", "BDT", OrganisationKind.COMPANY, "Olpe", (2020, 9)),
    ("Oberbergische Zerspanung GmbH", "OZ", OrganisationKind.COMPANY, "Gummersbach", (2020, 11)),
    ("Niederrhein Getriebebau GmbH", "NGB", OrganisationKind.COMPANY, "Mönchengladbach", (2021, 1)),
    ("Teutoburger Thermomanagement GmbH", "TTM", OrganisationKind.COMPANY, "Bielefeld", (2021, 2)),
    ("Paderquell Steuergeräte GmbH", "PSG", OrganisationKind.COMPANY, "Paderborn", (2021, 4)),
    ("Ruhrtal Oberflächentechnik GmbH", "ROT", OrganisationKind.COMPANY, "Essen", (2021, 6)),
    ("Münsterland Interieur GmbH", "MLI", OrganisationKind.COMPANY, "Münster", (2021, 9)),
    ("Aachener Antriebsforschung gGmbH", "AAF", OrganisationKind.RESEARCH, "Aachen", (2019, 5)),
    (
        "Institut für Mobilitätsinnovation Bergisches Land",
        "IMBL",
        OrganisationKind.RESEARCH,
        "Wuppertal",
        (2019, 7),
    ),
    ("Sauerland Sitzsysteme GmbH", "SSS", OrganisationKind.COMPANY, "Meschede", (2022, 1)),
    ("Kettwiger Kühlerbau GmbH", "KKB", OrganisationKind.COMPANY, "Essen", (2022, 3)),
    ("Lipperland Leuchtentechnik GmbH", "LLT", OrganisationKind.COMPANY, "Lemgo", (2023, 5)),
)

# One contact per member; the first is mitglied@demo.example (Martin Merten).
CONTACT_NAMES = (
    "Martin Merten",
    "Petra Pohlmann",
    "Stefan Stratmann",
    "Kerstin Kuhlmann",
    "Thomas Tillmann",
    "Birgit Brockhaus",
    "Holger Hüsken",
    "Claudia Clemens",
    "Jens Jakobi",
    "Monika Mertens-Beispiel",
    "Frank Friedrichs",
    "Sandra Siepmann",
    "Uwe Ufermann",
    "Daniela Dahlhaus",
    "Markus Marquardt",
    "Anja Averkamp",
    "Oliver Ostendorf",
    "Nicole Niehaus",
    "Gerd Gerlach",
    "Heike Hövelmann",
    "Prof. Dr. Lars Lindemann",
    "Dr. Ines Imhoff",
    "Kai Kettler",
    "Vanessa Vennemann",
    "Lutz Lohmeyer",
)


def is_empty(*, session: Session) -> bool:
    """True when the database holds no users and no organisations."""
    users = session.exec(select(func.count()).select_from(User)).one()
    organisations = session.exec(select(func.count()).select_from(Organisation)).one()
    return users == 0 and organisations == 0


def _email_for(name: str, organisation: str) -> str:
    last = name.rsplit(maxsplit=1)[-1].lower()
    domain = organisation.split(maxsplit=1)[0].lower()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        last, domain = last.replace(umlaut, plain), domain.replace(umlaut, plain)
    return f"{last}@{domain}.example"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN).astimezone(UTC)


def load_demo(*, session: Session, now: datetime | None = None) -> None:
    """Fill an empty database with the demo association; refuses a database in use."""
    if not is_empty(session=session):
        raise RuntimeError("the database is not empty; demo data goes only into an empty one")
    now = now or utcnow()
    today = now.astimezone(BERLIN).date()

    association = Organisation(
        name=ASSOCIATION,
        short_name="automotiveland.nrw",
        kind=OrganisationKind.ASSOCIATION,
        city="Wuppertal",
        website="https://www.automotiveland.nrw",
        member_since=date(2019, 3, 1),
    )
    session.add(association)
    _settings(session)
    session.flush()
    admin_user = accounts.create_admin(
        session=session,
        email=DEMO_LOGINS[0].email,
        name=DEMO_LOGINS[0].name,
        password=secrets.token_urlsafe(16),
    )
    # The demo password is shorter than the rules allow for real accounts, on purpose.
    admin_user.password_hash = accounts.hash_password(DEMO_PASSWORD)
    admin_user.organisation_id = association.id
    admin = Actor.for_user(admin_user)

    staff = _user(session, admin, DEMO_LOGINS[1], association.id)
    # What the contact block of an outgoing paper shows for its contact person.
    staff.function, staff.phone = "Referent Industriepolitik", "+49 202 49 60 12"
    board = _user(session, admin, DEMO_LOGINS[2], association.id)
    second_staff = _user(
        session,
        admin,
        DemoLogin("s.schulte@demo.example", Role.STAFF, "Sophie Schulte"),
        association.id,
    )
    second_board = _user(
        session,
        admin,
        DemoLogin("b.brenner@demo.example", Role.BOARD, "Bernd Brenner"),
        association.id,
    )

    members: list[Organisation] = []
    contacts: list[User] = []
    for (name, short, kind, city, (year, month)), contact_name in zip(
        MEMBERS, CONTACT_NAMES, strict=True
    ):
        organisation = Organisation(
            name=name, short_name=short, kind=kind, city=city, member_since=date(year, month, 1)
        )
        session.add(organisation)
        session.flush()
        members.append(organisation)
        login = (
            DEMO_LOGINS[3]
            if not contacts
            else DemoLogin(_email_for(contact_name, name), Role.MEMBER, contact_name)
        )
        contacts.append(_user(session, admin, login, organisation.id, with_password=not contacts))

    forum_by_short = _forums(session, admin)
    _delegates(
        session,
        forum_by_short,
        staff=staff,
        second_staff=second_staff,
        board=board,
        second_board=second_board,
    )
    _fachforum_members(session, forum_by_short, members)
    _meetings(session, admin, forum_by_short, today=today, attendees=[staff, board], owner=staff)
    call = _open_call(session, admin, forum_by_short["TDA"], members, today=today, now=now)
    _more_calls(session, admin, forum_by_short, members, today=today, now=now)
    _statements(session, call, contacts, now=now)
    _demo_invitation(session, call, contacts[0], admin, now=now)
    _papers(
        session,
        forum_by_short,
        call,
        staff=staff,
        board=board,
        members=members,
        contacts=contacts,
        now=now,
    )


def _settings(session: Session) -> None:
    for key, value in {
        "association.name": ASSOCIATION,
        "association.address": "Friedrich-Engels-Allee 120, 42285 Wuppertal",
        # A made-up number of the register's form, so that the demo's federal papers can go
        # out as final; a real association enters its own under Einstellungen.
        "association.register_number": "R002742",
        "association.about": (
            f"Der {ASSOCIATION} vertritt die Automobilzulieferer Nordrhein-Westfalens "
            "gegenüber Land, Bund und Europäischer Union."
        ),
        "approval.quorum": 1,
    }.items():
        session.add(Setting(key=key, value=value))


def _user(
    session: Session,
    admin: Actor,
    login: DemoLogin,
    organisation_id: int | None,
    *,
    with_password: bool = True,
) -> User:
    user = accounts.create_user(
        session=session,
        actor=admin,
        email=login.email,
        name=login.name,
        role=login.role,
        organisation_id=organisation_id,
    )
    if with_password:
        user.password_hash = accounts.hash_password(DEMO_PASSWORD)
    return user


_FORUMS = (
    dict(
        name="Transformationsdialog Automobilindustrie",
        short_name="TDA",
        kind=ForumKind.FEDERAL,
        host_institution="Bundesministerium für Wirtschaft und Energie (BMWE)",
        ministry="Bundesministerium für Wirtschaft und Energie",
        url="https://www.bundeswirtschaftsministerium.de/",
        description=(
            "Dialog des Bundeswirtschaftsministeriums mit Herstellern, Zulieferern, "
            "Gewerkschaften und Ländern zur Transformation der Fahrzeugindustrie. Die "
            "Ergebnisse fließen in Grundsatzpapiere für die Bundesregierung ein. Im Herbst "
            "2020 fanden Regionaldialoge zu vier Themen statt."
        ),
        groups=(
            "Strategien der Länder und Unternehmen",
            "Innovationsnetzwerke, Weiterbildungsverbünde und Kompetenz-Hubs",
            "Unternehmensfinanzierung und Steuerrecht",
            "Förderinstrumente",
        ),
    ),
    dict(
        name="Zulieferdialog NRW",
        short_name="ZLD-NRW",
        kind=ForumKind.STATE,
        host_institution=(
            "Ministerium für Wirtschaft, Industrie, Klimaschutz und Energie des Landes "
            "Nordrhein-Westfalen (MWIKE)"
        ),
        ministry="Ministerium für Wirtschaft, Industrie, Klimaschutz und Energie NRW",
        url="https://www.wirtschaft.nrw/",
        description=(
            "Austausch der Landesregierung mit der Zulieferindustrie in Nordrhein-Westfalen; "
            "die Beteiligung erfolgt über schriftliche Statements."
        ),
        groups=(),
    ),
    dict(
        name="Grüner Wirtschaftsdialog – Fachforum Automobil- und Zulieferindustrie",
        short_name="GWD-FA",
        kind=ForumKind.PARTY_NEAR,
        host_institution="Grüner Wirtschaftsdialog e.V., Berlin",
        ministry="",
        url="https://gruener-wirtschaftsdialog.de/",
        description=(
            "Fachforum eines parteiunabhängigen Vereins, der Wirtschaft und Politik "
            "zusammenbringt. Die Perspektiven der Branche fließen in Positionspapiere ein; "
            "automotiveland.nrw redigiert industriepolitische Leitlinien mit."
        ),
        groups=("Redaktionsgruppe Industriepolitische Leitlinien",),
    ),
    dict(
        name="Austausch mit dem VDA",
        short_name="VDA",
        kind=ForumKind.INDUSTRY,
        host_institution="Verband der Automobilindustrie e. V. (VDA)",
        ministry="",
        url="https://www.vda.de/",
        description="Regelmäßiger Austausch mit dem Verband der Automobilindustrie.",
        groups=(),
    ),
    *(
        dict(
            name=f"Fachforum {topic}",
            short_name=short,
            kind=ForumKind.INTERNAL,
            host_institution=ASSOCIATION,
            ministry="",
            url="",
            description=description,
            groups=(),
        )
        for topic, short, description in (
            (
                "Innovationsmanagement",
                "FF-INNO",
                "Know-how zu Innovationsprozessen in mittelständischen Zulieferbetrieben.",
            ),
            (
                "Mobilität der Zukunft",
                "FF-MOB",
                "Aktueller Input zu den Erfordernissen der Mobilität der Zukunft.",
            ),
            (
                "CO2-neutrale Produktion",
                "FF-CO2",
                "Wege zur klimaneutralen Fertigung: Energie, Prozesse, Lieferketten.",
            ),
            (
                "Cybersecurity",
                "FF-CYBER",
                "Informationssicherheit in Produktion und Lieferkette (TISAX, NIS-2).",
            ),
            ("Fabrik der Zukunft", "FF-FAB", "Digitalisierung und Automatisierung der Fertigung."),
        )
    ),
)


def _forums(session: Session, admin: Actor) -> dict[str, Forum]:
    created: dict[str, Forum] = {}
    for spec in _FORUMS:
        groups = spec["groups"]
        assert isinstance(groups, tuple)
        forum = forums.create_forum(
            session=session,
            actor=admin,
            fields=forums.ForumFields(
                name=str(spec["name"]),
                short_name=str(spec["short_name"]),
                kind=ForumKind(str(spec["kind"])),
                host_institution=str(spec["host_institution"]),
                ministry=str(spec["ministry"]),
                url=str(spec["url"]),
                description=str(spec["description"]),
            ),
        )
        for group in groups:
            forums.add_working_group(
                session=session, actor=admin, forum_id=id_of(forum), name=group
            )
        created[forum.short_name] = forum
    return created


def _delegates(
    session: Session,
    forum_by_short: dict[str, Forum],
    *,
    staff: User,
    second_staff: User,
    board: User,
    second_board: User,
) -> None:
    for short, forum in forum_by_short.items():
        assert forum.id is not None
        lead, deputy = (
            (staff, board) if short in {"TDA", "GWD-FA", "VDA"} else (second_staff, second_board)
        )
        session.add(
            ForumDelegate(forum_id=forum.id, user_id=id_of(lead), role=DelegateRole.DELEGATE)
        )
        session.add(
            ForumDelegate(forum_id=forum.id, user_id=id_of(deputy), role=DelegateRole.SUBSTITUTE)
        )


def _fachforum_members(
    session: Session, forum_by_short: dict[str, Forum], members: list[Organisation]
) -> None:
    internal = [f for f in forum_by_short.values() if f.kind == ForumKind.INTERNAL]
    for index, organisation in enumerate(members):
        # Every member sits in two or three Fachforen.
        for slot in sorted({index % 5, (index + 2) % 5, (index * 3) % 5}):
            session.add(
                ForumMember(forum_id=id_of(internal[slot]), organisation_id=id_of(organisation))
            )


# forum → (days from today, title, place or "online"); negative days are past meetings.
_MEETINGS = {
    "TDA": [
        (-42, "Regionaldialog Förderinstrumente", "online"),
        (23, "Arbeitsgruppe Unternehmensfinanzierung und Steuerrecht", "Berlin, BMWE"),
        (65, "Plenum des Transformationsdialogs", "Berlin, BMWE"),
    ],
    "ZLD-NRW": [
        (-35, "Zulieferdialog: Auftakt Fachkräftesicherung", "Düsseldorf, MWIKE"),
        (16, "Zulieferdialog: Transformation in der Fläche", "Düsseldorf, MWIKE"),
    ],
    "GWD-FA": [
        (-50, "Auftaktveranstaltung des Fachforums", "Berlin"),
        (30, "Redaktionssitzung Industriepolitische Leitlinien", "Berlin"),
    ],
    "VDA": [
        (-20, "Austausch Mittelstand und Zulieferer", "online"),
        (51, "Austausch Mittelstand und Zulieferer", "online"),
    ],
    "FF-INNO": [
        (-28, "Fachforum Innovationsmanagement", "Wuppertal"),
        (9, "Fachforum Innovationsmanagement", "Wuppertal"),
    ],
    "FF-MOB": [
        (-21, "Fachforum Mobilität der Zukunft", "Wuppertal"),
        (19, "Fachforum Mobilität der Zukunft", "Wuppertal"),
    ],
    "FF-CO2": [
        (-14, "Fachforum CO2-neutrale Produktion", "Remscheid"),
        (37, "Fachforum CO2-neutrale Produktion", "Remscheid"),
    ],
    "FF-CYBER": [
        (-33, "Fachforum Cybersecurity: TISAX in der Lieferkette", "online"),
        (12, "Fachforum Cybersecurity: NIS-2 in der Praxis", "online"),
    ],
    "FF-FAB": [
        (-40, "Fachforum Fabrik der Zukunft", "Solingen"),
        (44, "Fachforum Fabrik der Zukunft", "Solingen"),
    ],
}
_AGENDA = "Begrüßung und Protokoll\nBericht aus den Arbeitsgruppen\nAussprache\nNächste Schritte"
_FOLLOW_UPS = {
    "TDA": ("Zahlen zur Investitionslücke der Mitglieder für das BMWE zusammenstellen", 6),
    "ZLD-NRW": ("Statement-Entwurf zur Fachkräftesicherung an den Vorstand geben", 3),
    "GWD-FA": ("Kommentare zum Leitlinienentwurf einarbeiten", 11),
    "FF-CYBER": ("Referentin für NIS-2-Workshop anfragen", 2),
}


def _meetings(
    session: Session,
    admin: Actor,
    forum_by_short: dict[str, Forum],
    *,
    today: date,
    attendees: list[User],
    owner: User,
) -> None:
    for short, planned in _MEETINGS.items():
        forum = forum_by_short[short]
        for offset, title, place in planned:
            day = add_working_days(today + timedelta(days=offset - 1), 1)
            online = place == "online"
            meeting = meetings.create_meeting(
                session=session,
                actor=admin,
                forum_id=id_of(forum),
                fields=meetings.MeetingFields(
                    title=title,
                    starts_at=_at(day, 10),
                    ends_at=_at(day, 13),
                    place="" if online else place,
                    online_url=f"https://meet.demo.example/{short.lower()}" if online else "",
                    agenda=_AGENDA,
                    attendee_ids=tuple(id_of(u) for u in attendees),
                ),
            )
            if offset >= 0:
                continue
            meeting.minutes = (
                f"Teilnehmende: {', '.join(u.name for u in attendees)}.\n"
                "Die Arbeitsgruppen berichteten über den Stand; der Verband bringt die "
                "Rückmeldungen seiner Mitglieder bis zur nächsten Sitzung ein."
            )
            if short in _FOLLOW_UPS:
                text, due_in = _FOLLOW_UPS[short]
                meetings.add_follow_up(
                    session=session,
                    actor=admin,
                    meeting_id=id_of(meeting),
                    text=text,
                    owner_id=id_of(owner),
                    due_on=add_working_days(today, due_in),
                )
            last_past = meeting
    # One task slipped, as they do: it was due two working days ago.
    overdue = meetings.add_follow_up(
        session=session,
        actor=admin,
        meeting_id=id_of(last_past),
        text="Teilnehmerliste an das Fachforum melden",
        owner_id=id_of(owner),
        due_on=today,
    )
    overdue.due_on = subtract_working_days(today, 2)


CALL_QUESTION = (
    "Welche Hemmnisse sehen Sie bei der Finanzierung der Transformation in Ihrem Unternehmen, "
    "und welche Förderinstrumente sollte der Bund anpassen oder neu schaffen? Bitte nennen Sie "
    "konkrete Forderungen; wir bündeln sie zu einem Beitrag für die Arbeitsgruppe "
    "Unternehmensfinanzierung und Steuerrecht."
)


def _open_call(
    session: Session,
    admin: Actor,
    forum: Forum,
    members: list[Organisation],
    *,
    today: date,
    now: datetime,
) -> Call:
    external = add_working_days(today + timedelta(days=37), 1)
    return calls.create_call(
        session=session,
        actor=admin,
        forum=forum,
        title="Finanzierung und Förderinstrumente in der Transformation",
        question=CALL_QUESTION,
        external_deadline=external,
        invited_organisation_ids=[m.id for m in members if m.id is not None],
        status=CallStatus.OPEN,
        now=now,
    )


# forum → (title, question, days until the external deadline, audience)
_MORE_CALLS = {
    "ZLD-NRW": (
        "Schriftliches Statement: Fachkräftesicherung in der Zulieferindustrie",
        "Welche Qualifikationen fehlen Ihnen heute und in fünf Jahren, und welche Angebote des "
        "Landes (Weiterbildungsverbünde, Qualifizierungsschecks) helfen Ihnen konkret?",
        26,
        "all",
    ),
    "GWD-FA": (
        "Kommentierung des Entwurfs der industriepolitischen Leitlinien",
        "Bitte kommentieren Sie den Entwurf der Leitlinien, insbesondere die Abschnitte zu "
        "Energiepreisen und zur Finanzierung der Transformation.",
        58,
        "picked",
    ),
    "VDA": (
        "Abfrage: Berichtspflichten in der Lieferkette",
        "Welche Berichtspflichten (Lieferkettengesetz, CSRD, CBAM) belasten Ihr Unternehmen "
        "am stärksten, und wo sehen Sie Doppelungen?",
        33,
        "all",
    ),
}


def _more_calls(
    session: Session,
    admin: Actor,
    forum_by_short: dict[str, Forum],
    members: list[Organisation],
    *,
    today: date,
    now: datetime,
) -> None:
    for short, (title, question, days, audience) in _MORE_CALLS.items():
        invited = members if audience == "all" else members[::3]
        calls.create_call(
            session=session,
            actor=admin,
            forum=forum_by_short[short],
            title=title,
            question=question,
            external_deadline=add_working_days(today + timedelta(days=days - 1), 1),
            invited_organisation_ids=[id_of(m) for m in invited],
            status=CallStatus.OPEN,
            now=now,
        )


_CAMPAIGN = (
    "Die Förderprogramme für mittelständische Zulieferer müssen vereinfacht werden. Wir "
    "brauchen ein einheitliches Antragsportal für Bundes- und Landesprogramme und verbindliche "
    "Bearbeitungsfristen von höchstens drei Monaten."
)
_POWER = (
    "Wir fordern einen Brückenstrompreis für mittelständische Industriebetriebe bis 2030 und "
    "die Senkung der Stromsteuer auf das europäische Mindestmaß."
)

# (member index, visibility, submitted?, text); near-duplicates on purpose.
STATEMENTS: tuple[tuple[int, str, bool, str], ...] = (
    (
        0,
        "named",
        True,
        "Die Umstellung unserer Umformlinien auf Bauteile für Elektrofahrzeuge erfordert "
        "Investitionen von rund 12 Mio. Euro in den nächsten drei Jahren. Hausbanken sind bei "
        "Zulieferern mit hohem Verbrenner-Anteil zurückhaltend.\n\n"
        "Wir fordern ein Bürgschaftsprogramm des Bundes für Transformationsinvestitionen "
        "mittelständischer Zulieferer mit einer Haftungsfreistellung von mindestens 80 Prozent.\n\n"
        + _CAMPAIGN,
    ),
    (1, "named", True, _CAMPAIGN),
    (
        2,
        "anonymous",
        True,
        "Die Förderprogramme für mittelständische Zulieferer müssen dringend vereinfacht werden. "
        "Wir brauchen ein einheitliches Antragsportal für Bundes- und Landesprogramme sowie "
        "verbindliche Bearbeitungsfristen von maximal drei Monaten.",
    ),
    (
        3,
        "named",
        True,
        "Wir brauchen ein einheitliches Antragsportal für Bundes- und Landesprogramme und "
        "verbindliche Bearbeitungsfristen von höchstens drei Monaten. Die Förderprogramme für "
        "mittelständische Zulieferer müssen vereinfacht werden.",
    ),
    (
        5,
        "anonymous",
        True,
        "Als Gießerei zahlen wir heute mehr als doppelt so viel für Strom wie unsere "
        "Wettbewerber in Frankreich. Investitionen in elektrische Schmelzöfen rechnen sich so "
        "nicht.\n\n" + _POWER,
    ),
    (
        12,
        "named",
        True,
        "Wir fordern einen Brückenstrompreis für mittelständische Industriebetriebe bis 2030 "
        "sowie die Senkung der Stromsteuer auf das europäische Mindestmaß.",
    ),
    (
        6,
        "named",
        True,
        "Weiterbildungsverbünde in den Regionen müssen dauerhaft finanziert werden, nicht nur "
        "als Modellprojekt für drei Jahre.\n\n"
        "Die Kurzarbeit sollte mit Qualifizierung verknüpft werden: Wer Beschäftigte während der "
        "Kurzarbeit weiterbildet, soll die Sozialversicherungsbeiträge vollständig erstattet "
        "bekommen.",
    ),
    (
        9,
        "named",
        True,
        "- Sonderabschreibung von 30 Prozent für Investitionen in klimaneutrale Fertigung\n"
        "- Verlustrücktrag auf drei Jahre erweitern\n"
        "- Forschungszulage für Auftragsforschung an Zulieferer öffnen",
    ),
    (
        7,
        "internal",
        True,
        "Nur für den Verband: Wir prüfen derzeit, eine Fertigungslinie nach Polen zu verlagern, "
        "weil die Finanzierung am Standort Hagen nicht zustande kommt. Ein "
        "Transformationsfonds mit Eigenkapitalbeteiligung würde diese Entscheidung ändern.",
    ),
    (
        20,
        "named",
        True,
        "Regionale Transformations-Hubs brauchen eine Grundfinanzierung über mindestens fünf "
        "Jahre, damit Hochschulen und Zulieferer gemeinsam Demonstratoren für neue Produkte "
        "bauen können.",
    ),
    (
        15,
        "named",
        True,
        "Einen staatlichen Transformationsfonds mit Eigenkapitalbeteiligung lehnen wir ab. Der "
        "Staat sollte nicht Miteigentümer von Familienunternehmen werden; besser sind "
        "steuerliche Anreize für Investitionen.",
    ),
    (
        8,
        "anonymous",
        False,
        "Entwurf: Cybersicherheit in der Lieferkette sollte mit Beratung unterstützt werden, "
        "etwa durch Beratungsgutscheine für TISAX- und NIS-2-Anforderungen.",
    ),
)


def _statements(
    session: Session,
    call: Call,
    contacts: list[User],
    *,
    now: datetime,
) -> None:
    """The demo statements, written by their contacts through the same service members use
    (versions, points and audit included), on the days before today."""
    for offset, (index, visibility, submitted, text) in enumerate(STATEMENTS):
        saved_at = now - timedelta(days=12 - offset, hours=offset)
        statements.save_statement(
            session=session,
            actor=Actor.for_user(contacts[index]),
            call_id=id_of(call),
            text_input=text,
            visibility=Visibility(visibility),
            submit=submitted,
            expected_version=None,
            now=saved_at,
        )


def _demo_invitation(
    session: Session, call: Call, contact: User, admin: Actor, *, now: datetime
) -> None:
    assert call.id is not None and contact.id is not None and contact.organisation_id
    session.add(
        Invitation(
            call_id=call.id,
            organisation_id=contact.organisation_id,
            contact_id=contact.id,
            token_hash=hash_token(DEMO_INVITATION_TOKEN),
            expires_at=datetime.combine(
                call.external_deadline + timedelta(days=30), time(23, 59), tzinfo=BERLIN
            ),
            created_by_id=admin.user_id,
            created_at=now,
        )
    )


TDA_SPECIAL_DEPRECIATION = (
    "Investitionen in klimaneutrale Fertigung werden mit einer Sonderabschreibung von "
    "30 Prozent begünstigt; der Verlustrücktrag wird auf drei Jahre erweitert."
)
TDA_DROPPED = (
    "Zuschüsse für Transformationsberatung stehen auch Betrieben mit mehr als 250 Beschäftigten "
    "offen."
)

# (section title, [(paragraph text, core demand?, statement members it rests on)])
PaperContent = tuple[tuple[str, list[tuple[str, bool, tuple[int, ...]]]], ...]
_TDA_PAPER: PaperContent = (
    (
        "Ausgangslage",
        [
            (
                "Die Zulieferbetriebe in Nordrhein-Westfalen müssen Produkte und Fertigung "
                "zugleich umstellen. Allein die befragten Mitglieder planen "
                "Transformationsinvestitionen in zweistelliger Millionenhöhe; Hausbanken sind "
                "bei Betrieben mit hohem Verbrenner-Anteil zurückhaltend.",
                False,
                (0, 5),
            ),
        ],
    ),
    (
        "Forderungen zur Finanzierung",
        [
            (
                "Förderprogramme für mittelständische Zulieferer werden über ein einheitliches "
                "Antragsportal zugänglich gemacht.",
                True,
                (0, 1, 2, 3),
            ),
            (
                "Für mittelständische Industriebetriebe gilt bis 2030 ein Brückenstrompreis; die "
                "Stromsteuer sinkt auf das europäische Mindestmaß.",
                True,
                (4, 5),
            ),
            (
                "Der Bund legt ein Bürgschaftsprogramm für Transformationsinvestitionen "
                "mittelständischer Zulieferer mit einer Haftungsfreistellung von mindestens "
                "80 Prozent auf.",
                True,
                (0,),
            ),
            (
                "Ein Transformationsfonds mit Eigenkapitalbeteiligung kann Betrieben helfen, deren "
                "Finanzierung am Standort sonst nicht zustande kommt.",
                False,
                # Rests on the internal statement that says so (a draft can be no source).
                (7,),
            ),
            (TDA_DROPPED, False, ()),
        ],
    ),
    ("Steuern", [(TDA_SPECIAL_DEPRECIATION, True, (9,))]),
)
"""The Transformationsdialog paper's first draft; `_tda_second_version` makes the version
members review from it."""
TDA_PORTAL = (
    "Förderprogramme für mittelständische Zulieferer werden über ein einheitliches "
    "Antragsportal für Bundes- und Landesprogramme zugänglich; Anträge werden "
    "innerhalb von höchstens drei Monaten beschieden."
)
TDA_TAX_SECTION = "Steuerliche Rahmenbedingungen"
TDA_NEW_PARAGRAPH = (
    "Der Investitionsabzugsbetrag nach § 7g EStG steigt auf 50 % der geplanten "
    'Anschaffungskosten - auch für "grüne" Ersatzinvestitionen.'
)
_ZLD_PAPER: PaperContent = (
    (
        "Fachkräfte für die Transformation",
        [
            (
                "Regionale Weiterbildungsverbünde werden dauerhaft finanziert, nicht nur als "
                "Modellprojekte.",
                True,
                (),
            ),
            (
                "Wer Beschäftigte während der Kurzarbeit qualifiziert, erhält die "
                "Sozialversicherungsbeiträge vollständig erstattet.",
                True,
                (),
            ),
        ],
    ),
)
_GWD_PAPER: PaperContent = (
    (
        "Ausgangslage",
        [
            (
                "Die Automobil- und Zulieferindustrie in Nordrhein-Westfalen steht mitten in der "
                "Transformation. Rund 800 Zulieferbetriebe mit über 200.000 Beschäftigten müssen "
                "Produkte, Prozesse und Geschäftsmodelle zugleich umstellen.",
                False,
                (),
            ),
        ],
    ),
    (
        "Forderungen",
        [
            (
                "Förderprogramme für mittelständische Zulieferer werden über ein einheitliches "
                "Antragsportal mit verbindlichen Bearbeitungsfristen von höchstens drei Monaten "
                "zugänglich.",
                True,
                (),
            ),
            (
                "Für energieintensive mittelständische Betriebe gilt bis 2030 ein "
                "Brückenstrompreis; die Stromsteuer sinkt auf das europäische Mindestmaß.",
                True,
                (),
            ),
            (
                "Regionale Weiterbildungsverbünde und Transformations-Hubs erhalten eine "
                "Grundfinanzierung über mindestens fünf Jahre.",
                False,
                (),
            ),
        ],
    ),
)


_TDA_2025: PaperContent = (
    (
        "Forderungen aus dem Regionaldialog",
        [
            (
                "Förderprogramme für mittelständische Zulieferer werden über ein einheitliches "
                "Antragsportal zugänglich gemacht.",
                True,
                (),
            ),
            ("Weiterbildungsverbünde in den Regionen werden dauerhaft finanziert.", True, ()),
            (
                "Für energieintensive mittelständische Betriebe gilt bis 2030 ein "
                "Brückenstrompreis.",
                True,
                (),
            ),
            ("Die Forschungszulage wird für Auftragsforschung an Zulieferer geöffnet.", True, ()),
        ],
    ),
)
OUTCOME_TEXT = """Grundsatzpapier zur Transformation der Fahrzeugindustrie (Auszug)

1. Ausgangslage

Die Fahrzeugindustrie in Deutschland befindet sich in einem tiefgreifenden Wandel. Die \
Bundesregierung hat im Transformationsdialog Automobilindustrie mit Herstellern, \
Zulieferern, Gewerkschaften und Ländern beraten, wie Beschäftigung und Wertschöpfung im \
Wandel gesichert werden können. Die Regionaldialoge des Herbstes haben gezeigt, dass \
insbesondere mittelständische Zulieferer vor großen Herausforderungen stehen.

2. Förderung und Finanzierung

Förderprogramme für mittelständische Zulieferer werden über ein einheitliches \
Antragsportal zugänglich gemacht. Bund und Länder stimmen ihre Programme hierzu eng ab. \
Die Bundesregierung wird zudem prüfen, wie Bürgschaften für Investitionen in neue \
Produkte schneller bewilligt werden können.

3. Fachkräfte und Qualifizierung

Die Bundesregierung strebt eine dauerhafte Finanzierung regionaler Weiterbildungsverbünde \
an und wird hierzu mit den Ländern in Gespräche eintreten. Qualifizierung während der \
Kurzarbeit bleibt ein wichtiges Instrument.

4. Energie

Ein Brückenstrompreis für energieintensive mittelständische Betriebe bis 2030 wird \
nicht eingeführt. Stattdessen wird die Stromsteuer für das \
produzierende Gewerbe auf das europäische Mindestmaß gesenkt.
"""


def _earlier_round(
    session: Session, office: Actor, chair: Actor, forum: Forum, *, now: datetime
) -> None:
    """Last round of the Transformationsdialog: a statement sent to the ministry, and the
    Grundsatzpapier that took parts of it up (matches confirmed by the office)."""
    paper = _build_paper(
        session,
        office,
        forum,
        title="Stellungnahme zum Regionaldialog Förderinstrumente",
        kind=PaperKind.STATEMENT,
        addressee="Bundesministerium für Wirtschaft und Energie",
        content=_TDA_2025,
        statements_by_member={},
        now=now - timedelta(days=60),
    )
    # A statement to a federal ministry on a regulatory project: it belongs in the
    # Lobbyregister. The register number is left for the admin to enter in the settings, so
    # the checklist shows what is still missing.
    paper.lobbyregister_relevant = True
    paper.regulatory_project_title = "Förderrichtlinie zur Transformation der Zulieferindustrie"
    session.add(paper)
    workflow.apply(
        session=session,
        actor=office,
        paper_id=id_of(paper),
        name="to_board",
        now=now - timedelta(days=58),
    )
    approvals.decide(
        session=session,
        actor=chair,
        paper_id=id_of(paper),
        version_number=paper.version_counter,
        decision=Decision.APPROVE,
        now=now - timedelta(days=57),
    )
    workflow.submit(
        session=session,
        actor=office,
        paper_id=id_of(paper),
        recipient="BMWE, Referat Automobilindustrie",
        channel="E-Mail",
        submitted_on=(now - timedelta(days=56)).astimezone(BERLIN).date(),
        now=now - timedelta(days=56),
    )
    outcome = outcomes.record_outcome(
        session=session,
        actor=office,
        forum_id=id_of(forum),
        now=now - timedelta(days=9),
        values=outcomes.OutcomeInput(
            title="Grundsatzpapier zur Transformation der Fahrzeugindustrie",
            publisher="Bundesministerium für Wirtschaft und Energie",
            published_on=(now - timedelta(days=10)).astimezone(BERLIN).date(),
            pasted_text=OUTCOME_TEXT,
        ),
    )
    for match in outcomes.find_matches(
        session=session, actor=office, outcome_id=id_of(outcome), now=now - timedelta(days=9)
    ):
        outcomes.decide(
            session=session,
            actor=office,
            match_id=id_of(match),
            confirmed=True,
            now=now - timedelta(days=8),
        )


def _build_paper(
    session: Session,
    staff: Actor,
    forum: Forum,
    *,
    title: str,
    kind: PaperKind,
    addressee: str,
    content: PaperContent,
    statements_by_member: dict[int, Statement],
    now: datetime,
    call: Call | None = None,
) -> Paper:
    paper = papers.create_paper(
        session=session,
        actor=staff,
        forum_id=id_of(forum),
        now=now,
        fields=papers.PaperFields(
            title=title,
            kind=kind,
            addressee=addressee,
            paper_date=now.astimezone(BERLIN).date(),
            call_id=call.id if call else None,
            contact_ids=(staff.user_id,),
        ),
    )
    for section_title, paragraphs in content:
        section = papers.add_section(
            session=session, actor=staff, paper_id=id_of(paper), title=section_title, now=now
        )
        for text_, core, members in paragraphs:
            # A paragraph resting on one statement quotes it; several are merged.
            how = SourceHow.QUOTED if len(members) == 1 else SourceHow.MERGED
            sources = tuple(
                SourceRef(statement_id=id_of(statements_by_member[m]), how=how)
                for m in members
                if m in statements_by_member
            )
            papers.add_paragraph(
                session=session,
                actor=staff,
                section_id=id_of(section),
                text=text_,
                is_core_demand=core,
                sources=sources,
                now=now,
            )
    return paper


def _tda_second_version(session: Session, office: Actor, tda: Paper, *, now: datetime) -> None:
    """The edits between the first draft and the version members review, made as staff make
    them: a sentence added, a Kernforderung sharpened, one moved down, a paragraph deleted,
    a heading renamed and a paragraph added (typed as members type: straight quotes, " - ")."""
    view = papers.paper_view(session=session, actor=office, paper_id=id_of(tda))
    paragraphs = [v.paragraph for v in view.all_paragraphs()]
    opening, portal, power = paragraphs[0], paragraphs[1], paragraphs[2]
    for paragraph, text in (
        (
            opening,
            opening.text + " Ohne verlässliche Finanzierung verlagern Betriebe Fertigung ins "
            "Ausland.",
        ),
        (portal, TDA_PORTAL),
    ):
        papers.save_paragraph(
            session=session,
            actor=office,
            paragraph_id=id_of(paragraph),
            is_core_demand=paragraph.is_core_demand,
            expected_version=paragraph.lock_version,
            now=now,
            text=text,
        )
    papers.move_paragraph(session=session, actor=office, paragraph_id=id_of(power), step=1, now=now)
    dropped = next(p for p in paragraphs if p.text == TDA_DROPPED)
    papers.delete_paragraph(
        session=session,
        actor=office,
        paragraph_id=id_of(dropped),
        expected_version=dropped.lock_version,
        now=now,
    )
    taxes = view.sections[-1].section
    papers.update_section(
        session=session,
        actor=office,
        section_id=id_of(taxes),
        title=TDA_TAX_SECTION,
        parent_id=None,
        now=now,
    )
    papers.add_paragraph(
        session=session, actor=office, section_id=id_of(taxes), text=TDA_NEW_PARAGRAPH, now=now
    )
    # The Kernforderungen box becomes a summary: short forms, the body keeps the reasons.
    for paragraph_id, short_form in _tda_short_forms(paragraphs):
        current = session.get(Paragraph, paragraph_id)
        assert current is not None
        papers.save_paragraph(
            session=session,
            actor=office,
            paragraph_id=paragraph_id,
            text=current.text,
            is_core_demand=True,
            short_form=short_form,
            expected_version=current.lock_version,
            now=now,
        )


def _tda_short_forms(paragraphs: list[Paragraph]) -> list[tuple[int, str]]:
    """Short forms for the second version's Kernforderungen box (portal, power, taxes)."""
    portal, power = paragraphs[1], paragraphs[2]
    taxes = next(p for p in paragraphs if p.text == TDA_SPECIAL_DEPRECIATION)
    return [
        (id_of(portal), "Ein Antragsportal für alle Förderprogramme, Bescheid in drei Monaten."),
        (id_of(power), "Brückenstrompreis bis 2030, Stromsteuer auf das EU-Mindestmaß."),
        (id_of(taxes), "30 Prozent Sonderabschreibung für klimaneutrale Fertigung."),
    ]


def _papers(
    session: Session,
    forum_by_short: dict[str, Forum],
    call: Call,
    *,
    staff: User,
    board: User,
    members: list[Organisation],
    contacts: list[User],
    now: datetime,
) -> None:
    office, chair = Actor.for_user(staff), Actor.for_user(board)
    by_member = {
        index: statement
        for index, organisation in enumerate(members)
        if (
            statement := session.exec(
                select(Statement).where(
                    Statement.call_id == call.id, Statement.organisation_id == organisation.id
                )
            ).first()
        )
    }
    # Transformationsdialog: in member review, two versions (their Synopse has every kind of
    # change), reviews with a dissent.
    tda = _build_paper(
        session,
        office,
        forum_by_short["TDA"],
        call=call,
        title="Beitrag zur Arbeitsgruppe Unternehmensfinanzierung und Steuerrecht",
        kind=PaperKind.BASIC_PAPER_CONTRIBUTION,
        addressee="Bundesministerium für Wirtschaft und Energie",
        content=_TDA_PAPER,
        statements_by_member=by_member,
        now=now - timedelta(days=4),
    )
    papers.save_named_version(
        session=session,
        actor=office,
        paper_id=id_of(tda),
        label="Erster Entwurf",
        now=now - timedelta(days=4),
    )
    _tda_second_version(session, office, tda, now=now - timedelta(days=3))
    workflow.apply(
        session=session,
        actor=office,
        paper_id=id_of(tda),
        name="start_review",
        now=now - timedelta(days=3),
    )
    paragraphs = [
        v.paragraph
        for v in papers.paper_view(
            session=session, actor=office, paper_id=id_of(tda)
        ).all_paragraphs()
    ]
    fund = next(p for p in paragraphs if "Transformationsfonds" in p.text)
    version = papers.latest_version(session=session, paper=tda)
    assert version is not None
    for member, stance, comment, minority in (
        (1, Stance.SUPPORT, "", False),
        (6, Stance.CONCERN, "Bitte auch Weiterbildung als Förderzweck nennen.", False),
        (
            15,
            Stance.DISSENT,
            "Einen staatlichen Transformationsfonds mit Eigenkapitalbeteiligung "
            "lehnen wir ab; der Staat sollte nicht Miteigentümer von "
            "Familienunternehmen werden.",
            True,
        ),
    ):
        reviews.submit_review(
            session=session,
            actor=Actor.for_user(contacts[member]),
            paper_id=id_of(tda),
            version_number=version.number,
            now=now - timedelta(days=2),
            entries=[reviews.ReviewInput(fund.id or 0, stance, comment, minority)]
            + [
                reviews.ReviewInput(p.id or 0, Stance.SUPPORT)
                for p in paragraphs
                if p.is_core_demand
            ],
        )
    # Zulieferdialog: approved by the board and sent to the ministry.
    zld = _build_paper(
        session,
        office,
        forum_by_short["ZLD-NRW"],
        title="Statement zur Fachkräftesicherung in der Zulieferindustrie",
        kind=PaperKind.STATEMENT,
        addressee="Ministerium für Wirtschaft, Industrie, Klimaschutz und Energie des "
        "Landes Nordrhein-Westfalen",
        content=_ZLD_PAPER,
        statements_by_member={},
        now=now - timedelta(days=30),
    )
    workflow.apply(
        session=session,
        actor=office,
        paper_id=id_of(zld),
        name="to_board",
        now=now - timedelta(days=28),
    )
    approvals.decide(
        session=session,
        actor=chair,
        paper_id=id_of(zld),
        version_number=zld.version_counter,
        decision=Decision.APPROVE,
        comment="Einverstanden.",
        now=now - timedelta(days=27),
    )
    workflow.submit(
        session=session,
        actor=office,
        paper_id=id_of(zld),
        recipient="MWIKE NRW, Referat Automobilwirtschaft",
        channel="E-Mail",
        submitted_on=(now - timedelta(days=26)).astimezone(BERLIN).date(),
        now=now - timedelta(days=26),
    )
    _earlier_round(session, office, chair, forum_by_short["TDA"], now=now)
    # Grüner Wirtschaftsdialog: waiting for the board.
    gwd = _build_paper(
        session,
        office,
        forum_by_short["GWD-FA"],
        title="Beitrag zu den industriepolitischen Leitlinien des Fachforums",
        kind=PaperKind.GUIDELINES_CONTRIBUTION,
        addressee="Grüner Wirtschaftsdialog e.V., Fachforum Automobil- und Zulieferindustrie",
        content=_GWD_PAPER,
        statements_by_member={},
        now=now - timedelta(days=5),
    )
    workflow.apply(
        session=session,
        actor=office,
        paper_id=id_of(gwd),
        name="to_board",
        now=now - timedelta(days=2),
    )


def demo_summary(*, session: Session) -> dict[str, int]:
    """Counts for the CLI's report after loading."""
    return {
        "organisations": session.exec(select(func.count()).select_from(Organisation)).one(),
        "users": session.exec(select(func.count()).select_from(User)).one(),
        "forums": session.exec(select(func.count()).select_from(Forum)).one(),
        "statements": session.exec(
            select(func.count())
            .select_from(Statement)
            .where(col(Statement.status) != StatementStatus.WITHDRAWN)
        ).one(),
    }
