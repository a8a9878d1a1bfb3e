"""`positionen contacts …`: a person's data under the DSGVO from the command line: everything
stored about them as JSON (Art. 15), and erasing it (Art. 17), which needs `--yes`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli import EXIT_USAGE, CommandError, opened_engine

if TYPE_CHECKING:
    from sqlmodel import Session


def add_commands(commands: Any) -> None:
    """Add `contacts` and its subcommands to the `positionen` parser's subcommands."""
    contacts = commands.add_parser(
        "contacts", help="a person's data under the DSGVO: export it, erase it"
    )
    actions = contacts.add_subparsers(title="contact commands", required=True, metavar="ACTION")

    export = actions.add_parser(
        "export-data", help="write everything stored about a person as JSON (Art. 15 DSGVO)"
    )
    export.add_argument("--email", required=True)
    export.add_argument("--out", required=True, metavar="FILE.json", type=Path)
    export.set_defaults(command=_export_data)

    erase = actions.add_parser(
        "erase", help="erase a person's personal data for good (Art. 17 DSGVO)"
    )
    erase.add_argument("--email", required=True)
    erase.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    erase.set_defaults(command=_erase)


def _user_id(session: Session, email: str) -> int:
    from db.models import id_of
    from positions.core import accounts
    from positions.core.errors import NotFound

    user = accounts.user_for_email(session=session, email=email)
    if user is None:
        raise NotFound(f"Es gibt keinen Zugang für {accounts.normalise_email(email)}.")
    return id_of(user)


def _export_data(arguments: argparse.Namespace) -> int:
    from db.engine import read_session
    from positions.core.permissions import SYSTEM
    from positions.members import privacy

    with read_session(opened_engine()) as session:
        user_id = _user_id(session, arguments.email)
        data = privacy.personal_data(session=session, actor=SYSTEM, user_id=user_id)
    content = privacy.as_json(data)
    try:
        arguments.out.write_bytes(content)
    except OSError as error:
        raise CommandError(f"cannot write {arguments.out}: {error.strerror}") from None
    print(f"wrote the personal data of {arguments.email} to {arguments.out}")
    return 0


def _erase(arguments: argparse.Namespace) -> int:
    from db.engine import write_session
    from positions.core.permissions import SYSTEM
    from positions.members import privacy

    if not arguments.yes:
        print(
            f"refused: erasing {arguments.email} removes name, e-mail address, phone, "
            "password, sessions and links for good and cannot be undone. Export the data "
            "first if the person asked for it (`positionen contacts export-data`), then run "
            "the command again with --yes.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    with write_session(opened_engine()) as session:
        user_id = _user_id(session, arguments.email)
        erasure = privacy.erase_contact(session=session, actor=SYSTEM, user_id=user_id)
    if erasure.already_erased:
        print(f"{arguments.email} was erased before; nothing changed")
    else:
        print(
            f"erased {arguments.email}: the account is anonymous now; "
            f"{erasure.statements_kept} statement(s) stay with the organisation"
        )
    return 0
