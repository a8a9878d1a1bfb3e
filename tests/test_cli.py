"""The `positionen` console script, run as the operator runs it: a real process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHARED, SHARED_ABSENT, free_port

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


SHARED_DOCX = SHARED / "data" / "docx"


@pytest.mark.skipif(not SHARED_DOCX.is_dir(), reason=SHARED_ABSENT)
def test_extract_text_prints_the_text_of_a_real_word_file(data_env: dict[str, str]) -> None:
    result = run("extract-text", str(SHARED_DOCX / "mammoth.js__footnotes.docx"), env=data_env)
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
