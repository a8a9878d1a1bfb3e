"""Statement exports: anonymous rows carry no company or person, internal ones reach only
the policy office, and no cell can become a formula."""

import csv
import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from db.engine import write_session
from db.models import Role, Visibility, id_of
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
