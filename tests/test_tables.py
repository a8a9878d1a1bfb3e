"""Statement exports: anonymous rows carry no company or person, internal ones reach only
the policy office, and no cell can become a formula."""

import csv
import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from db.engine import write_session
from db.models import Organisation, Role, Visibility, id_of
from exports import tables
from positions.core.permissions import Actor
from positions.statements import statements
from tests import factories


def _call_with_statements(engine: Engine) -> tuple[Actor, Actor, int]:
    with write_session(engine) as session:
        staff = factories.actor(session)
        board = factories.actor(session, Role.BOARD)
        orgs = [
            factories.organisation(session, name)
            for name in ("Offen Zitierbar GmbH", "Geheimname Anonym GmbH", "Intern Vertraulich AG")
        ]
        call = factories.call(
            session,
            staff,
            factories.forum(session, staff),
            external_deadline=date(2027, 3, 5),
            invited=orgs,
        )
        for org, visibility, text_ in zip(
            orgs,
            list(Visibility),
            [
                "Förderprogramme vereinfachen.",
                '=HYPERLINK("http://evil")\n\n- Strom billiger',
                "Wir verlagern vielleicht nach Polen.",
            ],
            strict=True,
        ):
            member = Actor.for_user(factories.user(session, Role.MEMBER, org, password=None))
            statements.save_statement(
                session=session,
                actor=member,
                call_id=id_of(call),
                text_input=text_,
                visibility=visibility,
                submit=True,
                expected_version=None,
            )
        return staff, board, id_of(call)


def test_xlsx_for_staff_hides_anonymous_names_and_marks_internal(engine: Engine) -> None:
    staff, _, call_id = _call_with_statements(engine)
    with write_session(engine) as session:
        rows = statements.export_rows(session=session, actor=staff, call_id=call_id)
    workbook = load_workbook(io.BytesIO(tables.statements_xlsx(rows, title="Aufruf")))
    sheet = workbook["Stellungnahmen"]
    values = [[c.value for c in row] for row in sheet.iter_rows(values_only=False)]
    header, *body = values
    assert header[:5] == ["Nr.", "Mitglied", "Ansprechperson", "Status", "Verwendung"]
    flat = " ".join(str(v) for row in values for v in row)
    assert "Geheimname" not in flat
    by_org = {row[1]: row for row in body}
    assert by_org["anonym"][2] in ("", None)
    assert by_org["Intern Vertraulich AG"][4].startswith("NUR INTERN")
    assert by_org["anonym"][8].startswith("'=HYPERLINK")  # formula made inert
    points = workbook["Punkte"]
    assert "Geheimname" not in " ".join(str(c.value) for r in points.iter_rows() for c in r)


def test_board_exports_leave_internal_statements_out(engine: Engine) -> None:
    _, board, call_id = _call_with_statements(engine)
    with write_session(engine) as session:
        rows = statements.export_rows(session=session, actor=board, call_id=call_id)
    data = tables.statements_csv(rows)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    text = data.decode("utf-8-sig")
    assert "Vertraulich" not in text and "Polen" not in text and "Geheimname" not in text
    parsed = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert parsed[0][1] == "Mitglied" and len(parsed) == 3
    assert "Förderprogramme vereinfachen." in text


def test_safe_cell() -> None:
    assert tables.safe_cell("=1+1") == "'=1+1"
    assert tables.safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert tables.safe_cell("Normaler Text") == "Normaler Text"


def _answers(engine: Engine, answers: list[tuple[str, Visibility, str]]) -> tuple[Actor, int]:
    """Staff and a call the given organisations answered (name, permission, text), one day
    apart in the order given."""
    with write_session(engine) as session:
        staff = factories.actor(session)
        orgs = [factories.organisation(session, name) for name, _, _ in answers]
        call = factories.call(
            session,
            staff,
            factories.forum(session, staff),
            external_deadline=date(2027, 3, 5),
            invited=orgs,
        )
        for day, (org, (_, visibility, text_)) in enumerate(zip(orgs, answers, strict=True)):
            member = Actor.for_user(factories.user(session, Role.MEMBER, org, password=None))
            statements.save_statement(
                session=session,
                actor=member,
                call_id=id_of(call),
                text_input=text_,
                visibility=visibility,
                submit=True,
                expected_version=None,
                now=datetime(2026, 11, 2 + day, 14, 37, tzinfo=UTC),
            )
        return staff, id_of(call)


def _csv_rows(engine: Engine, actor: Actor, call_id: int) -> list[list[str]]:
    with write_session(engine) as session:
        rows = statements.export_rows(session=session, actor=actor, call_id=call_id)
    text = tables.statements_csv(rows).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))[1:]


def test_anonymous_rows_follow_the_named_ones_in_an_order_that_names_no_one(
    engine: Engine,
) -> None:
    staff, call_id = _answers(
        engine,
        [
            ("Aachen Anonym GmbH", Visibility.ANONYMOUS, "Zölle senken."),
            ("Bochum Namentlich GmbH", Visibility.NAMED, "Netze ausbauen."),
            ("Celle Anonym GmbH", Visibility.ANONYMOUS, "Bürokratie abbauen."),
            ("Dortmund Namentlich GmbH", Visibility.NAMED, "Fachkräfte gewinnen."),
            ("Essen Anonym GmbH", Visibility.ANONYMOUS, "Mehr Forschung fördern."),
        ],
    )
    rows = _csv_rows(engine, staff, call_id)
    assert [(r[0], r[1]) for r in rows] == [
        ("1", "Bochum Namentlich GmbH"),
        ("2", "Dortmund Namentlich GmbH"),
        ("3", "anonym"),
        ("4", "anonym"),
        ("5", "anonym"),
    ]
    # Ordered by what they say, which the file shows anyway, not by who said it.
    assert [r[8] for r in rows[2:]] == [
        "Bürokratie abbauen.",
        "Mehr Forschung fördern.",
        "Zölle senken.",
    ]
    named, anonymous = rows[0], rows[2]
    assert named[5] == "03.11.2026 15:37"  # Berlin time, to the minute
    assert anonymous[5] == "04.11.2026" and anonymous[6] == "04.11.2026"  # the day only


def test_withdrawn_statements_are_exported_without_text_or_points(engine: Engine) -> None:
    staff, call_id = _answers(
        engine,
        [
            ("Offen Zitierbar GmbH", Visibility.NAMED, "Förderprogramme vereinfachen."),
            ("Zurückgezogen AG", Visibility.NAMED, "ZURUECKGEZOGEN-5512\n\n- Strom billiger"),
        ],
    )
    with write_session(engine) as session:
        [withdrawn] = [
            r.statement
            for r in statements.statements_of_call(session=session, actor=staff, call_id=call_id)
            if "ZURUECKGEZOGEN" in r.statement.text
        ]
        member = Actor.for_user(
            factories.user(
                session,
                Role.MEMBER,
                session.get(Organisation, withdrawn.organisation_id),
                password=None,
            )
        )
        statements.withdraw_statement(
            session=session,
            actor=member,
            statement_id=id_of(withdrawn),
            expected_version=withdrawn.version,
            now=datetime(2026, 11, 20, 9, tzinfo=UTC),
        )
        rows = statements.export_rows(session=session, actor=staff, call_id=call_id)
    for data in (
        tables.statements_csv(rows).decode("utf-8-sig"),
        " ".join(
            str(c.value)
            for sheet in load_workbook(io.BytesIO(tables.statements_xlsx(rows, title="A")))
            for row in sheet.iter_rows()
            for c in row
        ),
    ):
        assert "ZURUECKGEZOGEN-5512" not in data and "Strom billiger" not in data
    by_org = {r[1]: r for r in _csv_rows(engine, staff, call_id)}
    row = by_org["Zurückgezogen AG"]
    assert (row[3], row[7], row[8]) == ("zurückgezogen", "0", "")
