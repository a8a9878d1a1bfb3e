"""The `positionen` command line: operator tasks on the database named by the environment.

Settings come from the same environment variables as the app: `DATABASE_URL`, or
`POSITIONEN_DATA_DIR` for the SQLite file (default `./data`).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence

from sqlalchemy.engine import Engine

from db import migrate
from db.engine import (
    DatabaseUnavailable,
    check_connection,
    create_engine_for,
    database_url,
    read_session,
    redacted,
    write_session,
)
from positions import accounts, demo
from positions.errors import PositionenError

EXIT_USAGE = 2


class CommandError(Exception):
    """A failure the operator can fix; printed as one line, exit code 1."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] = arguments.command
    try:
        return command(arguments)
    except (CommandError, DatabaseUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except PositionenError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="positionen",
        description="Positionen: forums, member statements and position papers.",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    migrate_parser = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate_parser.set_defaults(command=_migrate)

    admin = commands.add_parser("create-admin", help="create an administrator account")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", required=True)
    admin.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of prompting",
    )
    admin.set_defaults(command=_create_admin)

    demo_parser = commands.add_parser("demo", help="load the demo data into an empty database")
    demo_parser.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing (exit 0) when the database already holds data",
    )
    demo_parser.set_defaults(command=_demo)
    return parser


def _engine(*, require_schema: bool = True) -> Engine:
    engine = create_engine_for(database_url())
    check_connection(engine)
    if require_schema and not migrate.is_up_to_date(engine):
        raise CommandError(
            f"the database {redacted(str(engine.url))} is not at the current schema; "
            "run `positionen migrate` first"
        )
    return engine


def _migrate(_arguments: argparse.Namespace) -> int:
    engine = _engine(require_schema=False)
    before = migrate.current_revision(engine)
    engine.dispose()
    migrate.upgrade(database_url())
    after = migrate.head_revision()
    state = "already current" if before == after else f"upgraded from {before or 'empty'}"
    print(f"database {redacted(database_url())}: schema {after} ({state})")
    return 0


def _create_admin(arguments: argparse.Namespace) -> int:
    engine = _engine()
    password = _read_password(from_stdin=arguments.password_stdin)
    with write_session(engine) as session:
        user = accounts.create_admin(
            session=session, email=arguments.email, name=arguments.name, password=password
        )
        email = user.email
    print(f"created administrator {email}")
    return 0


def _read_password(*, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise CommandError("no terminal to ask for the password; use --password-stdin")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise CommandError("the two passwords differ")
    return first


def _demo(arguments: argparse.Namespace) -> int:
    engine = _engine()
    with read_session(engine) as session:
        empty = demo.is_empty(session=session)
        has_demo_logins = (
            accounts.user_for_email(session=session, email=demo.DEMO_LOGINS[0].email) is not None
        )
    if not empty:
        if not arguments.if_empty:
            raise CommandError("the database is not empty; demo data goes only into an empty one")
        print("database already holds data; demo data not loaded")
        if has_demo_logins:
            _print_demo_logins()
        return 0
    with write_session(engine) as session:
        demo.load_demo(session=session)
    with read_session(engine) as session:
        counts = demo.demo_summary(session=session)
    print("demo data loaded: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    _print_demo_logins()
    return 0


def _print_demo_logins() -> None:
    print(f"demo logins (password: {demo.DEMO_PASSWORD}):")
    for login in demo.DEMO_LOGINS:
        print(f"  {login.email:<24} {login.role.value}")
    print(f"demo invitation link: http://localhost:8501/?einladung={demo.DEMO_INVITATION_TOKEN}")


if __name__ == "__main__":
    sys.exit(main())
