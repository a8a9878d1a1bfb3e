"""The `positionen` console script, run as the operator runs it: a real process."""

import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from bench.postgres import free_port
from tests.tools import REAL_WORD_FILES
from tests.word_edits import retype_paragraph

POSITIONEN = str(Path(sys.executable).with_name("positionen"))


def run(*arguments: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [POSITIONEN, *arguments],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def data_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["POSITIONEN_DATA_DIR"] = str(tmp_path / "daten")
    return env


def test_migrate_then_demo_in_a_fresh_data_folder(data_env: dict[str, str]) -> None:
    migrated = run("migrate", env=data_env)
    assert migrated.returncode == 0, migrated.stderr
    assert (Path(data_env["POSITIONEN_DATA_DIR"]) / "positionen.db").is_file()
    again = run("migrate", env=data_env)
    assert "already current" in again.stdout
    loaded = run("demo", env=data_env)
    assert loaded.returncode == 0, loaded.stderr
    assert "26 organisations" in loaded.stdout  # 25 members and the association
    assert "referat@demo.example" in loaded.stdout and "einladung=" in loaded.stdout
    refused = run("demo", env=data_env)
    assert refused.returncode == 1 and "not empty" in refused.stderr
    skipped = run("demo", "--if-empty", env=data_env)
    assert skipped.returncode == 0 and "admin@demo.example" in skipped.stdout


def test_commands_refuse_an_unmigrated_database(data_env: dict[str, str]) -> None:
    result = run("demo", env=data_env)
    assert result.returncode == 1
    assert "positionen migrate" in result.stderr and "Traceback" not in result.stderr


def test_create_admin_reads_the_password_from_stdin(data_env: dict[str, str]) -> None:
    assert run("migrate", env=data_env).returncode == 0
    created = run(
        "create-admin",
        "--email",
        "Chefin@Verband.example",
        "--name",
        "Chefin",
        "--password-stdin",
        env=data_env,
        stdin="sehr-geheim-123\n",
    )
    assert created.returncode == 0, created.stderr
    assert "chefin@verband.example" in created.stdout
    duplicate = run(
        "create-admin",
        "--email",
        "chefin@verband.example",
        "--name",
        "Chefin",
        "--password-stdin",
        env=data_env,
        stdin="sehr-geheim-123\n",
    )
    assert duplicate.returncode == 2 and "bereits" in duplicate.stderr
    short = run(
        "create-admin",
        "--email",
        "b@verband.example",
        "--name",
        "B",
        "--password-stdin",
        env=data_env,
        stdin="kurz\n",
    )
    assert short.returncode == 2 and "mindestens 10 Zeichen" in short.stderr
    no_terminal = run("create-admin", "--email", "c@verband.example", "--name", "C", env=data_env)
    assert no_terminal.returncode == 1 and "--password-stdin" in no_terminal.stderr


def test_unreachable_database_url_is_a_one_line_error(data_env: dict[str, str]) -> None:
    env = data_env | {
        "DATABASE_URL": f"postgresql://app:s3cret@127.0.0.1:{free_port()}/x?connect_timeout=2"
    }
    result = run("migrate", env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot connect to database")
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr


def test_invalid_database_url_is_a_one_line_error(data_env: dict[str, str]) -> None:
    result = run("migrate", env=data_env | {"DATABASE_URL": "kein-url"})
    assert result.returncode == 1 and "not a valid database URL" in result.stderr


@pytest.mark.postgres
def test_the_cli_works_against_postgresql(postgres_url: str, data_env: dict[str, str]) -> None:
    env = data_env | {"DATABASE_URL": postgres_url.replace("+psycopg", "")}
    assert run("migrate", env=env).returncode == 0
    loaded = run("demo", env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "9 forums" in loaded.stdout


def test_extract_text_prints_the_text_of_a_real_word_file(data_env: dict[str, str]) -> None:
    result = run("extract-text", str(REAL_WORD_FILES / "mammoth.js__footnotes.docx"), env=data_env)
    assert result.returncode == 0, result.stderr
    assert "Ouch" in result.stdout and "A tachyon walks into a bar." in result.stdout


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("leer.docx", b""),
        ("umbenannt.docx", b"MZ" + b"\x00" * 500),
        ("alt.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500),
    ],
)
def test_extract_text_refuses_with_the_reason_and_exit_2(
    data_env: dict[str, str], tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run("extract-text", str(path), env=data_env)
    assert result.returncode == 2 and result.stderr.startswith("refused: ")
    assert result.stdout == ""


def test_paper_commands_export_read_back_report_and_survive_a_restore(
    data_env: dict[str, str], tmp_path: Path
) -> None:
    """The operator's round: list papers, export one, read an edited copy back, write the
    report and calendar, back up and restore into a fresh folder."""
    assert run("migrate", env=data_env).returncode == 0
    assert run("demo", env=data_env).returncode == 0
    listed = run("papers", env=data_env)
    assert listed.returncode == 0
    assert "Mitgliederbeteiligung" in listed.stdout and "Vorstandsfreigabe" in listed.stdout
    tda = next(
        line.split()[0] for line in listed.stdout.splitlines() if "Unternehmensfinanzierung" in line
    )

    word = tmp_path / "papier.docx"
    exported = run("export", "--paper", tda, "--format", "docx", "--out", str(word), env=data_env)
    assert exported.returncode == 0, exported.stderr
    assert word.read_bytes().startswith(b"PK") and "_v2.docx" in exported.stdout
    unchanged = run("import-docx", "--paper", tda, str(word), env=data_env)
    assert unchanged.returncode == 0, unchanged.stderr
    assert "compared with: Fassung für die Mitgliederbeteiligung" in unchanged.stdout
    assert "0 proposals" in unchanged.stdout
    (tmp_path / "zurueck.docx").write_bytes(
        retype_paragraph(word.read_bytes(), "Vom Ministerium gekürzt.")
    )
    proposals = run("import-docx", "--paper", tda, str(tmp_path / "zurueck.docx"), env=data_env)
    assert "[change]" in proposals.stdout and "+ Vom Ministerium gekürzt." in proposals.stdout
    assert "1 proposals" in proposals.stdout and "nothing applied" in proposals.stdout

    other = next(
        line.split()[0] for line in listed.stdout.splitlines()[1:] if line.split()[0] != tda
    )
    refused = run("import-docx", "--paper", other, str(word), env=data_env)
    assert refused.returncode == 2 and "anderen Papier" in refused.stderr
    missing = run("export", "--paper", "999", "--format", "docx", "--out", "x.docx", env=data_env)
    assert missing.returncode == 2 and "gibt es nicht" in missing.stderr
    assert "Traceback" not in refused.stderr + missing.stderr

    report = tmp_path / "bericht.docx"
    written = run(
        "report", "--from", "2025-01-01", "--to", "2026-12-31", "--out", str(report), env=data_env
    )
    assert written.returncode == 0 and "Tätigkeitsbericht" in " ".join(
        p.text for p in docx.Document(str(report)).paragraphs
    )
    calendar_file = tmp_path / "kalender.ics"
    assert run("ics", "--out", str(calendar_file), env=data_env).returncode == 0
    assert calendar_file.read_bytes().startswith(b"BEGIN:VCALENDAR")
    due = run("deadlines", "--weeks", "8", env=data_env)
    assert due.returncode == 0 and "Mitgliederfrist" in due.stdout
    assert run("remind", "--dry-run", env=data_env).returncode == 0

    backup_dir = tmp_path / "sicherung"
    assert run("backup", "--out", str(backup_dir), env=data_env).returncode == 0
    fresh = {**data_env, "POSITIONEN_DATA_DIR": str(tmp_path / "neu")}
    restored = run("restore", str(backup_dir), env=fresh)
    assert restored.returncode == 0, restored.stderr
    assert run("papers", env=fresh).stdout == listed.stdout


HEAVY = {"sqlalchemy", "sqlmodel", "alembic", "streamlit", "docx", "pandas", "numpy", "scipy"}
OWN = {"db", "exports", "demo", "ui", "positions"}


def loaded_modules(code: str, tmp_path: Path) -> set[str]:
    """The heavy and project modules a fresh interpreter holds after running `code`."""
    probe = (
        "import sys\n"
        f"{code}\n"
        "print(','.join(m for m in sys.modules if m.split('.')[0] in {*sys.argv[1:]}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *HEAVY, *OWN],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.strip().split(","))


def test_help_and_a_refused_upload_load_no_database_or_document_libraries(
    tmp_path: Path,
) -> None:
    """`--help` and refusing a hostile file stay fast: the handlers import what they need."""
    parser = loaded_modules("import cli\ncli.build_parser().format_help()", tmp_path)
    assert parser <= {"positions", "positions.core", "positions.core.errors"}, parser
    (tmp_path / "alt.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500)
    refusal = "import cli\nassert cli.main(['extract-text', 'alt.docx']) == 2"
    refused = loaded_modules(refusal, tmp_path)
    assert "positions.uploads.intake" in refused
    assert not {m.split(".")[0] for m in refused} & (HEAVY | OWN - {"positions"}), refused


def test_export_format_choices_match_the_exporter() -> None:
    import cli
    from exports import paper_exports

    assert cli.EXPORT_FORMATS == paper_exports.FORMATS
