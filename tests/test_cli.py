"""The `positionen` console script, run as the operator runs it: a real process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port

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
