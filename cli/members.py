"""`positionen members`: the member register at the command line (import, list, export).

`cli.build_parser` adds these commands with `add_commands`. Like the other commands, each
handler imports what it needs, so `--help` stays fast. A refused member
list exits with 2 and one line per problem on stderr; nothing is stored.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli import CommandError, opened_engine

if TYPE_CHECKING:
    from positions.members.member_list import Plan

EXIT_REFUSED = 2  # cli.EXIT_USAGE: the input is at fault
PROGRESS_WIDTH = 30


def add_commands(commands: Any) -> None:
    """Add `members import|list|export` to the `positionen` parser's subcommands."""
    members = commands.add_parser("members", help="import, list or export the member register")
    actions = members.add_subparsers(title="actions", required=True, metavar="ACTION")

    importing = actions.add_parser(
        "import",
        help="import a member list (.xlsx or .csv), all or nothing; refused files exit 2",
    )
    importing.add_argument("file", metavar="FILE", type=Path)
    importing.add_argument(
        "--dry-run", action="store_true", help="only show what would change; store nothing"
    )
    importing.set_defaults(command=_import)

    listing = actions.add_parser("list", help="list the member organisations, one a line")
    listing.add_argument(
        "--all", action="store_true", help="also the organisations that left (retired)"
    )
    listing.set_defaults(command=_list)

    exporting = actions.add_parser(
        "export", help="write the member list as .xlsx or .csv (by the file's suffix)"
    )
    exporting.add_argument("--out", required=True, metavar="FILE", type=Path)
    exporting.set_defaults(command=_export)


def _import(arguments: argparse.Namespace) -> int:
    from db.engine import read_session, write_session
    from positions.core.errors import PositionenError
    from positions.core.permissions import SYSTEM
    from positions.members import member_list

    path: Path = arguments.file
    engine = opened_engine()
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from None
    try:
        listed = member_list.read_member_list(path.name, data)
    except PositionenError as error:
        print(f"refused: {error.message}", file=sys.stderr)
        return EXIT_REFUSED
    for column in listed.ignored:
        print(f"ignored: {column}")
    if arguments.dry_run:
        with read_session(engine) as session:
            plan = member_list.plan_import(session=session, actor=SYSTEM, member_list=listed)
        if plan.refused:
            return _refused(plan)
        _print_changes(plan)
        print(_summary(plan) + " (dry run: nothing stored)")
        return 0
    progress = _ProgressBar() if sys.stderr.isatty() else None
    try:
        with write_session(engine) as session:
            plan = member_list.apply_import(
                session=session, actor=SYSTEM, member_list=listed, progress=progress
            )
    except member_list.ImportRefused as refusal:
        if progress:
            progress.clear()
        return _refused_lines(listed.filename, refusal.problems)
    if progress:
        progress.clear()
    print(_summary(plan))
    return 0


def _refused(plan: Plan) -> int:
    return _refused_lines(plan.filename, plan.problems)


def _refused_lines(filename: str, problems: tuple[str, ...]) -> int:
    print(
        f"refused: {filename} has {len(problems)} problem(s); nothing was stored",
        file=sys.stderr,
    )
    for problem in problems:
        print(problem, file=sys.stderr)
    return EXIT_REFUSED


def _summary(plan: Plan) -> str:
    from positions.members.member_list import Outcome

    def counts(items: str) -> str:
        of = plan.organisations_with if items == "organisations" else plan.contacts_with
        return (
            f"{items}: {len(of(Outcome.NEW))} new, {len(of(Outcome.CHANGED))} changed, "
            f"{len(of(Outcome.UNCHANGED))} unchanged"
        )

    summary = f"{plan.filename}: {counts('organisations')}; {counts('contacts')}"
    if plan.not_in_file:
        summary += f"; {len(plan.not_in_file)} contact(s) not in the file left as they are"
    return summary


def _print_changes(plan: Plan) -> None:
    from positions.members.member_list import Outcome

    for organisation in plan.organisations:
        if organisation.outcome != Outcome.UNCHANGED:
            print(f"{organisation.outcome} organisation: {organisation.name}")
            for change in organisation.changes:
                print(f"  {change.what}: {change.before} -> {change.after}")
    for contact in plan.contacts:
        if contact.outcome != Outcome.UNCHANGED:
            print(
                f"{contact.outcome} contact (row {contact.row}): {contact.name} "
                f"<{contact.email}>, {contact.organisation}"
            )
            for change in contact.changes:
                print(
                    f"  {change.what}: {change.before or '(empty)'} -> {change.after or '(empty)'}"
                )
    for absent in plan.not_in_file:
        print(
            f"not in the file (left as is): {absent.name} <{absent.email}>, {absent.organisation}"
        )


class _ProgressBar:
    """A one-line bar on the terminal's stderr; nothing when stderr is a file or a pipe."""

    def __call__(self, done: int, total: int) -> None:
        filled = PROGRESS_WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (PROGRESS_WIDTH - filled)
        print(f"\rimporting [{bar}] {done}/{total}", end="", file=sys.stderr, flush=True)

    def clear(self) -> None:
        print("\r" + " " * (PROGRESS_WIDTH + 40) + "\r", end="", file=sys.stderr, flush=True)


def _list(arguments: argparse.Namespace) -> int:
    from db.engine import read_session
    from positions.core.permissions import SYSTEM
    from positions.members import register

    engine = opened_engine()
    standing = register.Standing.ALL if arguments.all else register.Standing.ACTIVE
    with read_session(engine) as session:
        rows = register.search_organisations(
            session=session, actor=SYSTEM, query=register.MemberQuery(standing=standing)
        )
    for row in rows:
        organisation = row.organisation
        forums = ", ".join(forum.short_name for forum in row.forums) or "-"
        retired = "\tretired" if not organisation.active else ""
        print(
            f"{organisation.name}\t{organisation.short_name or '-'}\t{organisation.city or '-'}"
            f"\t{organisation.status.value}\t{forums}\t{row.active_contacts} contact(s){retired}"
        )
    return 0


def _export(arguments: argparse.Namespace) -> int:
    from db.engine import read_session
    from positions.core.permissions import SYSTEM
    from positions.members import member_list

    out: Path = arguments.out
    suffix = out.suffix.lower()
    if suffix not in member_list.SUFFIXES:
        raise CommandError(f"{out}: the file name must end in .xlsx or .csv")
    engine = opened_engine()
    with read_session(engine) as session:
        rows = len(member_list.export_rows(session=session, actor=SYSTEM))
        build = member_list.export_xlsx if suffix == ".xlsx" else member_list.export_csv
        data = build(session=session, actor=SYSTEM)
    try:
        out.write_bytes(data)
    except OSError as error:
        raise CommandError(f"cannot write {out}: {error.strerror}") from None
    print(f"wrote {rows} rows to {out}")
    return 0
