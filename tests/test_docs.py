"""The README tells the truth: the two commands first, every CLI command, setting and login."""

import argparse
import re

import cli
import demo
from db.engine import DATA_DIR_VARIABLE, DATABASE_URL_VARIABLE
from tests.conftest import REPO

README = (REPO / "README.md").read_text()


def test_readme_starts_with_the_two_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.DOTALL)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["make run", "make test"]
    assert README.index("```sh") < README.index("## ")


def test_every_cli_command_is_documented() -> None:
    subparsers = next(
        a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction)
    )
    assert set(subparsers.choices) == {
        "migrate",
        "create-admin",
        "demo",
        "deadlines",
        "ics",
        "remind",
        "extract-text",
        "report",
        "export",
        "import-docx",
        "backup",
        "restore",
        "import-statements",
        "papers",
        "members",
        "users",
        "contacts",
    }
    for command in subparsers.choices:
        assert f"positionen {command}" in README


def test_every_setting_and_demo_login_is_documented() -> None:
    for variable in (DATABASE_URL_VARIABLE, DATA_DIR_VARIABLE, "PORT", "POSITIONEN_IDLE_MINUTES"):
        assert f"`{variable}`" in README
    for login in demo.DEMO_LOGINS:
        assert f"`{login.email}`" in README
    assert f"`{demo.DEMO_PASSWORD}`" in README
    assert demo.DEMO_INVITATION_TOKEN in README
