"""`positionen users …`: add, list, deactivate and reactivate users, change roles and issue
set-password links from the command line. No password is ever typed here: a new user gets
a one-time link (printed) with which they choose their own."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cli import opened_engine

if TYPE_CHECKING:
    from datetime import datetime

    from sqlmodel import Session

    from positions.core.password_links import IssuedLink

# The roles' names on the command line (db.enums.Role's values), repeated here so that
# `--help` need not import the database models (tests/test_users.py keeps them equal).
ROLES = ("admin", "staff", "board", "member")


def add_commands(commands: Any) -> None:
    """Add `users` and its subcommands to the `positionen` parser's subcommands."""
    users = commands.add_parser("users", help="add, list, deactivate users; set-password links")
    actions = users.add_subparsers(title="user commands", required=True, metavar="ACTION")

    add = actions.add_parser("add", help="add a user and print the link to set a password")
    add.add_argument("--email", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--org", metavar="NAME", help="the member organisation (name or short name)")
    add.set_defaults(command=_add)

    listing = actions.add_parser("list", help="list users: e-mail, name, role, organisation, …")
    listing.set_defaults(command=_list)

    deactivate = actions.add_parser("deactivate", help="deactivate a user and end their sessions")
    deactivate.add_argument("--email", required=True)
    deactivate.set_defaults(command=_deactivate)

    reactivate = actions.add_parser("reactivate", help="let a deactivated user sign in again")
    reactivate.add_argument("--email", required=True)
    reactivate.set_defaults(command=_reactivate)

    set_role = actions.add_parser("set-role", help="change a user's role (ends their sessions)")
    set_role.add_argument("--email", required=True)
    set_role.add_argument("--role", required=True, choices=ROLES)
    set_role.add_argument("--org", metavar="NAME", help="for members: their organisation")
    set_role.set_defaults(command=_set_role)

    reset_link = actions.add_parser(
        "reset-link", help="print a new link to set the password (earlier ones stop working)"
    )
    reset_link.add_argument("--email", required=True)
    reset_link.set_defaults(command=_reset_link)


def _organisation_id(session: Session, name: str | None) -> int | None:
    from sqlmodel import col, or_, select

    from db.models import Organisation
    from positions.core.errors import InvalidInput

    if name is None:
        return None
    found = session.exec(
        select(Organisation.id).where(
            or_(col(Organisation.name) == name, col(Organisation.short_name) == name)
        )
    ).all()
    if len(found) != 1:
        raise InvalidInput(
            f"Es gibt kein Mitgliedsunternehmen „{name}“."
            if not found
            else f"„{name}“ passt auf mehrere Unternehmen; bitte den vollen Namen angeben."
        )
    return found[0]


def _add(arguments: argparse.Namespace) -> int:
    from db.engine import write_session
    from db.models import Role
    from positions.core import user_admin
    from positions.core.permissions import SYSTEM

    with write_session(opened_engine()) as session:
        link = user_admin.add_user(
            session=session,
            actor=SYSTEM,
            email=arguments.email,
            name=arguments.name,
            role=Role(arguments.role),
            organisation_id=_organisation_id(session, arguments.org),
        )
    print(f"added {link.email} ({arguments.role})")
    _print_link(link)
    return 0


def _list(_arguments: argparse.Namespace) -> int:
    from db.engine import read_session
    from positions.core import user_admin
    from positions.core.permissions import SYSTEM

    with read_session(opened_engine()) as session:
        rows = user_admin.list_users(session=session, actor=SYSTEM)
    for row in rows:
        last_login = _local_time(row.last_login_at) if row.last_login_at else "-"
        print(
            "\t".join(
                (
                    row.email,
                    row.name,
                    row.role.value,
                    row.organisation or "-",
                    "active" if row.active else "inactive",
                    last_login,
                )
            )
        )
    return 0


def _deactivate(arguments: argparse.Namespace) -> int:
    from db.engine import write_session
    from positions.core import user_admin
    from positions.core.permissions import SYSTEM

    with write_session(opened_engine()) as session:
        user_id = user_admin.user_id_for_email(session=session, actor=SYSTEM, email=arguments.email)
        user = user_admin.deactivate(session=session, actor=SYSTEM, user_id=user_id)
        email = user.email
    print(f"deactivated {email}; their sessions have ended")
    return 0


def _reactivate(arguments: argparse.Namespace) -> int:
    from db.engine import write_session
    from positions.core import user_admin
    from positions.core.permissions import SYSTEM

    with write_session(opened_engine()) as session:
        user_id = user_admin.user_id_for_email(session=session, actor=SYSTEM, email=arguments.email)
        user = user_admin.reactivate(session=session, actor=SYSTEM, user_id=user_id)
        email, has_password = user.email, user.password_hash is not None
    hint = "" if has_password else " (no password yet: use `positionen users reset-link`)"
    print(f"reactivated {email}{hint}")
    return 0


def _set_role(arguments: argparse.Namespace) -> int:
    from db.engine import write_session
    from db.models import Role
    from positions.core import user_admin
    from positions.core.permissions import SYSTEM

    with write_session(opened_engine()) as session:
        user_id = user_admin.user_id_for_email(session=session, actor=SYSTEM, email=arguments.email)
        user = user_admin.get_user(session=session, actor=SYSTEM, user_id=user_id)
        before = (user.role, user.organisation_id)
        user = user_admin.update_user(
            session=session,
            actor=SYSTEM,
            user_id=user_id,
            name=user.name,
            role=Role(arguments.role),
            organisation_id=_organisation_id(session, arguments.org),
        )
        email, changed = user.email, before != (user.role, user.organisation_id)
    ended = "; their sessions have ended" if changed else " (unchanged)"
    print(f"{email} has the role {arguments.role}{ended}")
    return 0


def _reset_link(arguments: argparse.Namespace) -> int:
    from db.engine import write_session
    from db.models import PasswordTokenPurpose
    from positions.core import password_links, user_admin
    from positions.core.permissions import SYSTEM

    with write_session(opened_engine()) as session:
        user_id = user_admin.user_id_for_email(session=session, actor=SYSTEM, email=arguments.email)
        link = password_links.issue(
            session=session, actor=SYSTEM, user_id=user_id, purpose=PasswordTokenPurpose.SET
        )
    _print_link(link)
    return 0


def _print_link(link: IssuedLink) -> None:
    print(f"link to set the password (valid once, until {_local_time(link.expires_at)}):")
    print(link.url)


def _local_time(moment: datetime) -> str:
    from positions.core.clock import BERLIN

    return moment.astimezone(BERLIN).isoformat(sep=" ", timespec="minutes")
