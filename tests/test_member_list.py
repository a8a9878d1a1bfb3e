"""The member list in and out: .csv (BOM or not, `;` or `,`) and .xlsx, headers in any order
and case; all or nothing with one German line per problem; a second import changes nothing;
an export reads back unchanged; hostile workbooks are refused before anything parses them.
The CLI contract (`positionen members import|list|export`) runs as a real process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, func, select

from db.engine import read_session, write_session
from db.models import (
    AuditEvent,
    ContactForum,
    Forum,
    ForumKind,
    ForumMember,
    Organisation,
    User,
)
from positions.core.errors import InvalidUpload
from positions.core.permissions import SYSTEM
from positions.members import member_list
from positions.members.member_list import ImportRefused, Outcome, Plan
from tests.conftest import REPO

DATA = REPO / "tests" / "data" / "members"
NEW_ORGANISATIONS = {
    "Müller & Söhne Präzisionstechnik GmbH",
    "Straßen- & Brückenbau Weiß KG",
    "Öko-Institut für Fahrzeugbau e. V.",
    "Kühlerbau Köln GmbH & Co. KG",
}
NEW_EMAILS = {
    "anna.schröder@mueller-soehne.example",
    "j.gross@mueller-soehne.example",
    "heike.weiss@strassenbau-weiss.example",
    "o.oezdemir@kuehler-koeln.example",
    "m.lefevre@kuehler-koeln.example",
}
SAME_LIST = ("mitglieder.csv", "mitglieder_komma.csv", "mitglieder.xlsx")


def read(name: str) -> member_list.MemberList:
    return member_list.read_member_list(name, (DATA / name).read_bytes())


def plan(engine: Engine, listed: member_list.MemberList) -> Plan:
    with read_session(engine) as session:
        return member_list.plan_import(session=session, actor=SYSTEM, member_list=listed)


def apply(engine: Engine, listed: member_list.MemberList) -> Plan:
    with write_session(engine) as session:
        return member_list.apply_import(session=session, actor=SYSTEM, member_list=listed)


def stored(engine: Engine) -> dict[str, Any]:
    """Everything the register holds, to compare before and after."""
    with read_session(engine) as session:
        return {
            "organisations": sorted(
                (o.name, o.active, o.status, o.member_until)
                for o in session.exec(select(Organisation)).all()
            ),
            "users": sorted(_user_fields(u) for u in session.exec(select(User)).all()),
            "memberships": sorted(
                (m.forum_id, m.organisation_id) for m in session.exec(select(ForumMember)).all()
            ),
            "contact_forums": sorted(
                (c.user_id, c.forum_id) for c in session.exec(select(ContactForum)).all()
            ),
        }


def _user_fields(user: User) -> tuple[object, ...]:
    return (
        user.email,
        user.name,
        user.given_name,
        user.family_name,
        user.function,
        user.phone,
        user.active,
        user.organisation_id,
    )


def audit_events(engine: Engine) -> int:
    with read_session(engine) as session:
        return int(session.exec(select(func.count()).select_from(AuditEvent)).one())


def forums_of(engine: Engine, organisation: str) -> set[str]:
    with read_session(engine) as session:
        return set(
            session.exec(
                select(Forum.short_name)
                .join(ForumMember, col(ForumMember.forum_id) == Forum.id)
                .join(Organisation, col(Organisation.id) == ForumMember.organisation_id)
                .where(Organisation.name == organisation)
            ).all()
        )


def contact(engine: Engine, email: str) -> tuple[User, set[str]]:
    with read_session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        forums = set(
            session.exec(
                select(Forum.short_name)
                .join(ContactForum, col(ContactForum.forum_id) == Forum.id)
                .where(ContactForum.user_id == user.id)
            ).all()
        )
        return user, forums


# --- reading --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SAME_LIST)
def test_every_form_of_the_list_reads_the_same_rows(name: str) -> None:
    listed = read(name)
    assert set(listed.columns) == set(member_list.COLUMNS)
    assert not listed.problems
    assert [row.number for row in listed.rows] == [2, 3, 4, 5, 6, 7]
    reference = read("mitglieder.csv")
    assert [dict(row.cells) for row in listed.rows] == [dict(r.cells) for r in reference.rows]
    assert listed.rows[0].cells["E-Mail"] == "Anna.Schröder@Mueller-Soehne.example"
    assert listed.rows[4].cells["Funktion"] == "Einkauf; Logistik"


@pytest.mark.parametrize(
    ("name", "ignored"),
    [
        ("mitglieder.csv", ("Kundennummer", "Bemerkung")),
        ("mitglieder_komma.csv", ("Ort",)),
        ("mitglieder.xlsx", ("Kundennummer", "Bemerkung")),
    ],
)
def test_further_columns_are_named_and_ignored(name: str, ignored: tuple[str, ...]) -> None:
    assert read(name).ignored == ignored


@pytest.mark.parametrize("email", ["E-Mail", " e-mail ", "EMAIL", "E–Mail", "E_Mail"])
def test_a_header_differs_in_case_spaces_and_hyphens(email: str) -> None:
    listed = member_list.read_member_list(
        "liste.csv", f"ORGANISATION ;{email};vor-name\nA GmbH;a@a.example;Ada\n".encode()
    )
    assert listed.rows[0].cells == {
        "Organisation": "A GmbH",
        "E-Mail": "a@a.example",
        "Vorname": "Ada",
    }
    assert listed.ignored == ()


def test_a_list_without_an_organisation_column_is_refused_naming_the_header() -> None:
    listed = member_list.read_member_list(
        "liste.csv", "Firma;E-Mail\nMüller GmbH;a@b.example\n".encode()
    )
    assert listed.problems == (
        "Zeile 1: Die Spalte „Organisation“ fehlt. Erwartet werden die Spalten „Organisation“, "
        "„Vorname“, „Nachname“, „E-Mail“, „Funktion“, „Telefon“, „Fachforen“.",
    )


def test_windows_excel_csv_in_cp1252_keeps_its_umlauts() -> None:
    data = "Organisation;E-Mail\r\nGießerei Höhne GmbH;info@hoehne.example\r\n".encode("cp1252")
    listed = member_list.read_member_list("liste.csv", data)
    assert listed.rows[0].cells["Organisation"] == "Gießerei Höhne GmbH"


@pytest.mark.parametrize("name", ["liste.xls", "liste.ods", "liste.txt", "liste"])
def test_other_file_types_are_refused_in_german(name: str) -> None:
    with pytest.raises(InvalidUpload, match="bitte laden Sie eine Excel-Datei"):
        member_list.read_member_list(name, b"Organisation\nX\n")


def _workbook(extra_parts: dict[str, bytes]) -> bytes:
    """A real workbook with parts added to its zip."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Organisation", "E-Mail"])
    sheet.append(["Harmlos GmbH", "a@harmlos.example"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as package:
        for part, content in extra_parts.items():
            package.writestr(part, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_workbook({"xl/media/zeros.bin": bytes(60 * 1024 * 1024)}), "stark komprimiert"),
        (_workbook({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"}), "enthält Makros"),
        (
            _workbook(
                {
                    "xl/custom.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
                    b'"file:///etc/passwd">]><x>&e;</x>'
                }
            ),
            "DOCTYPE",
        ),
    ],
    ids=["zip bomb", "macros", "external entity"],
)
def test_hostile_workbooks_are_refused_before_parsing(
    data: bytes, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpyxl

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("openpyxl must not see a refused file")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(InvalidUpload, match=message):
        member_list.read_member_list("mitglieder.xlsx", data)


# --- importing ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SAME_LIST)
def test_a_list_creates_organisations_contacts_and_fachforen(
    demo_engine: Engine, name: str
) -> None:
    preview = plan(demo_engine, read(name))
    assert {o.name for o in preview.organisations_with(Outcome.NEW)} == NEW_ORGANISATIONS
    assert {c.email for c in preview.contacts_with(Outcome.NEW)} == NEW_EMAILS
    before = stored(demo_engine)
    assert stored(demo_engine) == before  # a preview stores nothing

    done = apply(demo_engine, read(name))

    assert done == preview
    with read_session(demo_engine) as session:
        names = set(session.exec(select(Organisation.name)).all())
    assert names >= NEW_ORGANISATIONS
    assert forums_of(demo_engine, "Müller & Söhne Präzisionstechnik GmbH") == {"FF-INNO", "FF-CO2"}
    assert forums_of(demo_engine, "Öko-Institut für Fahrzeugbau e. V.") == {"FF-CO2", "FF-FAB"}
    assert forums_of(demo_engine, "Kühlerbau Köln GmbH & Co. KG") == {"FF-CYBER"}
    anna, anna_forums = contact(demo_engine, "anna.schröder@mueller-soehne.example")
    assert (anna.name, anna.given_name, anna.family_name) == ("Anna Schröder", "Anna", "Schröder")
    assert (anna.function, anna.phone) == ("Geschäftsführerin", "+49 202 123456")
    assert anna_forums == {"FF-INNO", "FF-CO2"}
    assert anna.role == "member" and anna.password_hash is None and anna.active
    oguz, oguz_forums = contact(demo_engine, "o.oezdemir@kuehler-koeln.example")
    assert oguz.name == "Oğuz Özdemir" and oguz_forums == set()  # all of the organisation's


@pytest.mark.parametrize("second", SAME_LIST)
def test_a_second_import_of_the_same_list_changes_nothing(demo_engine: Engine, second: str) -> None:
    apply(demo_engine, read("mitglieder.csv"))
    before = stored(demo_engine)

    again = apply(demo_engine, read(second))

    assert not again.changes_anything
    assert len(again.organisations_with(Outcome.UNCHANGED)) == 4
    assert len(again.contacts_with(Outcome.UNCHANGED)) == 5
    assert stored(demo_engine) == before


def test_a_changed_list_updates_field_by_field_and_leaves_unnamed_contacts(
    demo_engine: Engine,
) -> None:
    apply(demo_engine, read("mitglieder.csv"))

    changed = apply(demo_engine, read("mitglieder_geaendert.csv"))

    by_email = {c.email: c for c in changed.contacts}
    assert by_email["anna.schröder@mueller-soehne.example"].changes == (
        member_list.Change("Telefon", "+49 202 123456", "+49 202 999999"),
    )
    assert by_email["lars.brück@strassenbau-weiss.example"].outcome == Outcome.NEW
    assert by_email["o.oezdemir@kuehler-koeln.example"].outcome == Outcome.UNCHANGED
    assert [(a.name, a.email) for a in changed.not_in_file] == [
        ("Heike Weiß", "heike.weiss@strassenbau-weiss.example")
    ]
    anna, _ = contact(demo_engine, "anna.schröder@mueller-soehne.example")
    assert anna.phone == "+49 202 999999"
    heike, _ = contact(demo_engine, "heike.weiss@strassenbau-weiss.example")
    assert heike.active  # not named is not retired
    assert forums_of(demo_engine, "Müller & Söhne Präzisionstechnik GmbH") == {
        "FF-INNO",
        "FF-CO2",
        "FF-MOB",
    }
    assert forums_of(demo_engine, "Öko-Institut für Fahrzeugbau e. V.") == {"FF-CO2"}
    _, juergen_forums = contact(demo_engine, "j.gross@mueller-soehne.example")
    assert juergen_forums == {"FF-INNO", "FF-MOB"}


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        (
            "kaputt_email.csv",
            "Zeile 4: „heike.weiss(at)strassenbau-weiss.example“ ist keine gültige E-Mail-Adresse.",
        ),
        (
            "kaputt_doppelt.csv",
            "Zeile 6: Die E-Mail-Adresse „ANNA.SCHRÖDER@mueller-soehne.example“ steht bereits "
            "in Zeile 2.",
        ),
        ("kaputt_fachforum.csv", "Zeile 5: Das Fachforum „FF-WASSERSTOFF“ gibt es nicht"),
        ("kaputt_organisation.csv", "Zeile 6: Die Organisation fehlt."),
    ],
)
def test_a_bad_row_refuses_the_whole_file_and_stores_nothing(
    demo_engine: Engine, name: str, problem: str
) -> None:
    before, events = stored(demo_engine), audit_events(demo_engine)

    with pytest.raises(ImportRefused) as refused:
        apply(demo_engine, read(name))

    [line] = refused.value.problems
    assert line.startswith(problem)
    assert "nichts gespeichert" in refused.value.message
    assert stored(demo_engine) == before
    assert audit_events(demo_engine) == events
    assert plan(demo_engine, read(name)).problems == refused.value.problems


def test_every_problem_of_a_file_is_listed_by_row(demo_engine: Engine) -> None:
    data = (
        b"Organisation;E-Mail;Fachforen\n"
        b"A GmbH;kein-at-zeichen;FF-NIX\n"
        b";b@b.example;\n"
        b"B GmbH;B@B.example;FF-INNO\n"
        b"Verband;admin@demo.example;\n"
    )
    with pytest.raises(ImportRefused) as refused:
        apply(demo_engine, member_list.read_member_list("liste.csv", data))
    lines = refused.value.problems
    assert [line.split(":")[0] for line in lines] == [
        "Zeile 2",
        "Zeile 2",
        "Zeile 3",
        "Zeile 4",
        "Zeile 5",
    ]
    assert "ist der Zugang einer Person des Verbands" in lines[-1]


def test_matching_ignores_case_of_names_and_addresses(demo_engine: Engine) -> None:
    apply(demo_engine, read("mitglieder.csv"))
    data = (
        "organisation;e-mail;VORNAME;nachname\n"
        "KÜHLERBAU KÖLN GMBH & CO. KG;M.LEFEVRE@KUEHLER-KOELN.EXAMPLE;Maëlle;Lefèvre\n"
        "straßen- & brückenbau weiss kg;;;\n"
    ).encode()
    result = plan(demo_engine, member_list.read_member_list("liste.csv", data))
    assert [(o.name, o.outcome) for o in result.organisations] == [
        ("Kühlerbau Köln GmbH & Co. KG", Outcome.UNCHANGED),
        ("Straßen- & Brückenbau Weiß KG", Outcome.UNCHANGED),
    ]
    [maelle] = result.contacts
    assert maelle.outcome == Outcome.UNCHANGED


def test_columns_the_file_lacks_leave_their_fields_alone(demo_engine: Engine) -> None:
    apply(demo_engine, read("mitglieder.csv"))
    row = "Müller & Söhne Präzisionstechnik GmbH;j.gross@mueller-soehne.example"
    data = f"Organisation;E-Mail\n{row}\n".encode()
    again = plan(demo_engine, member_list.read_member_list("kurz.csv", data))
    assert not again.changes_anything
    assert forums_of(demo_engine, "Müller & Söhne Präzisionstechnik GmbH") == {"FF-INNO", "FF-CO2"}


# --- export ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_reads_back_unchanged(demo_engine: Engine, fmt: str) -> None:
    apply(demo_engine, read("mitglieder.csv"))
    before = stored(demo_engine)
    with read_session(demo_engine) as session:
        build = member_list.export_csv if fmt == "csv" else member_list.export_xlsx
        data = build(session=session, actor=SYSTEM)

    back = apply(demo_engine, member_list.read_member_list(f"export.{fmt}", data))

    assert not back.changes_anything
    assert {o.name for o in back.organisations} >= NEW_ORGANISATIONS
    assert stored(demo_engine) == before


def test_the_csv_export_is_excel_ready_and_formula_safe(engine: Engine) -> None:
    with write_session(engine) as session:
        session.add(Forum(name="Fachforum Test", short_name="FF-T", kind=ForumKind.INTERNAL))
    data = (
        "Organisation;Vorname;Nachname;E-Mail;Telefon;Fachforen\n"
        "=HYPERLINK(1) GmbH;Ada;Groß;ada@x.example;+49 1;FF-T\n"
    ).encode()
    apply(engine, member_list.read_member_list("liste.csv", data))
    with read_session(engine) as session:
        exported = member_list.export_csv(session=session, actor=SYSTEM)
    assert exported.startswith("\ufeff".encode())
    lines = exported.decode("utf-8-sig").splitlines()
    assert lines[0] == "Organisation;Vorname;Nachname;E-Mail;Funktion;Telefon;Fachforen"
    assert lines[1] == "'=HYPERLINK(1) GmbH;Ada;Groß;ada@x.example;;'+49 1;FF-T"
    back = member_list.read_member_list("export.csv", exported)
    assert back.rows[0].cells["Organisation"] == "=HYPERLINK(1) GmbH"
    assert back.rows[0].cells["Telefon"] == "+49 1"


# --- scale ----------------------------------------------------------------------------------


def test_two_thousand_organisations_and_five_thousand_contacts_in_under_ten_seconds() -> None:
    from bench import members

    result = members.run()
    assert result["organisations"] == 2_000 and result["contacts"] == 5_000
    assert result["total_seconds"] < 10, result
    assert result["reimport_unchanged"]


# --- the command line -----------------------------------------------------------------------

# Runs `positionen` in a process of its own, as the operator runs it.
_ENTRY = "import sys, cli; sys.exit(cli.main(sys.argv[1:]))"


@pytest.fixture
def cli_env(sqlite_demo_url: str, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = sqlite_demo_url
    env["POSITIONEN_DATA_DIR"] = str(tmp_path / "daten")
    return env


def positionen(*arguments: str | Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _ENTRY, *map(str, arguments)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_imports_lists_and_exports(cli_env: dict[str, str], tmp_path: Path) -> None:
    imported = positionen("members", "import", DATA / "mitglieder.xlsx", env=cli_env)
    assert imported.returncode == 0, imported.stderr
    assert imported.stderr == ""
    assert "ignored: Kundennummer" in imported.stdout
    assert "organisations: 4 new, 0 changed" in imported.stdout
    assert "contacts: 5 new, 0 changed" in imported.stdout

    listed = positionen("members", "list", env=cli_env)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 29  # 25 demo members and the 4 new ones
    [kuehler] = [line for line in lines if line.startswith("Kühlerbau Köln GmbH & Co. KG\t")]
    assert "FF-CYBER" in kuehler and "2 contact(s)" in kuehler

    for suffix in ("csv", "xlsx"):
        out = tmp_path / f"mitglieder.{suffix}"
        exported = positionen("members", "export", "--out", out, env=cli_env)
        assert exported.returncode == 0, exported.stderr
        again = positionen("members", "import", out, env=cli_env)
        assert again.returncode == 0, again.stderr
        assert "organisations: 0 new, 0 changed, 29 unchanged" in again.stdout


def test_cli_refuses_a_broken_list_with_exit_2(cli_env: dict[str, str]) -> None:
    refused = positionen("members", "import", DATA / "kaputt_email.csv", env=cli_env)
    assert refused.returncode == 2
    assert "Zeile 4: „heike.weiss(at)strassenbau-weiss.example“" in refused.stderr
    assert "nothing was stored" in refused.stderr
    assert refused.stdout.count("new") == 0
    listed = positionen("members", "list", env=cli_env)
    assert "Müller & Söhne" not in listed.stdout


def test_cli_dry_run_shows_what_would_change(cli_env: dict[str, str]) -> None:
    dry = positionen("members", "import", "--dry-run", DATA / "mitglieder.csv", env=cli_env)
    assert dry.returncode == 0, dry.stderr
    assert "new organisation: Müller & Söhne Präzisionstechnik GmbH" in dry.stdout
    assert "nothing stored" in dry.stdout
    listed = positionen("members", "list", env=cli_env)
    assert "Müller & Söhne" not in listed.stdout


def test_cli_refuses_a_zip_bomb_with_exit_2(cli_env: dict[str, str], tmp_path: Path) -> None:
    bomb = tmp_path / "bombe.xlsx"
    bomb.write_bytes(_workbook({"xl/media/zeros.bin": bytes(60 * 1024 * 1024)}))
    refused = positionen("members", "import", bomb, env=cli_env)
    assert refused.returncode == 2
    assert refused.stderr.startswith("refused: „bombe.xlsx“ ist ungewöhnlich aufgebaut")
