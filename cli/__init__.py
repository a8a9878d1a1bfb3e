"""The `positionen` command line: operator tasks on the database named by the environment.

Settings come from the same environment variables as the app: `DATABASE_URL`, or
`POSITIONEN_DATA_DIR` for the SQLite file (default `./data`).

Start-up stays fast: building the parser (and `--help`) imports nothing heavy, and each
command imports what it needs at the top of its handler, so refusing a hostile Word file in
`extract-text` loads only the upload check (bench/cli_start.py measures it).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from positions.core.errors import PositionenError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from positions.core.settings import Smtp

EXIT_USAGE = 2
# The choices of `export --format`: `exports.paper_exports.FORMATS`, repeated here so that
# `--help` need not import the exporters (tests/test_cli.py keeps the two equal).
EXPORT_FORMATS = (
    "docx",
    "pdf",
    "synopse-table",
    "synopse-two-column",
    "synopse-four-column",
    "synopse-tracked",
    "feedback",
)


class CommandError(Exception):
    """A failure the operator can fix; printed as one line, exit code 1."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] = arguments.command
    try:
        return command(arguments)
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except PositionenError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # Piped into `head`: the reader has all it wanted. Silence the flush at exit too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except RuntimeError as error:
        # Only db.engine raises DatabaseUnavailable, and every command that uses it loaded it.
        from db.engine import DatabaseUnavailable

        if not isinstance(error, DatabaseUnavailable):
            raise
        print(f"error: {error}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="positionen",
        description="Positionen: forums, member statements and position papers.",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    _setup_commands(commands)
    _forum_commands(commands)
    _data_commands(commands)
    _paper_commands(commands)
    # People: each group lives in its own module, imported here for the parser only.
    from cli import contacts, members, users

    members.add_commands(commands)
    users.add_commands(commands)
    contacts.add_commands(commands)
    return parser


Commands = Any  # argparse's _SubParsersAction


def _setup_commands(commands: Commands) -> None:
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


def _forum_commands(commands: Commands) -> None:
    deadlines = commands.add_parser(
        "deadlines", help="list what is due in the coming weeks (for a morning cron mail)"
    )
    deadlines.add_argument("--weeks", type=int, default=8)
    deadlines.add_argument("--forum", metavar="SHORTNAME", help="only this forum")
    deadlines.set_defaults(command=_deadlines)

    ics = commands.add_parser("ics", help="write the calendar of meetings and deadlines")
    ics.add_argument("--forum", metavar="SHORTNAME", help="only this forum")
    ics.add_argument("--out", required=True, metavar="FILE.ics")
    ics.set_defaults(command=_ics)

    extract = commands.add_parser(
        "extract-text",
        help="print the text a Word upload would store (points separated by blank lines)",
    )
    extract.add_argument("file", metavar="FILE.docx", type=Path)
    extract.set_defaults(command=_extract_text)

    remind = commands.add_parser(
        "remind",
        help="send today's reminders to members who have not answered a call or reviewed a "
        "paper (cron)",
    )
    remind.add_argument("--dry-run", action="store_true", help="only list who would get one")
    remind.set_defaults(command=_remind)


def _data_commands(commands: Commands) -> None:
    backup_parser = commands.add_parser(
        "backup", help="copy the database and the file store into a new folder"
    )
    backup_parser.add_argument("--out", required=True, metavar="DIR", type=Path)
    backup_parser.set_defaults(command=_backup)

    restore_parser = commands.add_parser(
        "restore", help="restore a backup folder (stop the app first; refused while it runs)"
    )
    restore_parser.add_argument("folder", metavar="DIR", type=Path)
    restore_parser.add_argument(
        "--force", action="store_true", help="replace a database that holds data"
    )
    restore_parser.set_defaults(command=_restore)

    import_parser = commands.add_parser(
        "import-statements",
        help="import statements from a CSV (Mitglied;Text;Verwendung) into a call, all or none",
    )
    import_parser.add_argument("--call", type=int, required=True, metavar="ID")
    import_parser.add_argument("file", metavar="FILE.csv", type=Path)
    import_parser.set_defaults(command=_import_statements)


def _paper_commands(commands: Commands) -> None:
    export_parser = commands.add_parser(
        "export", help="write a paper as Word, PDF, Synopse or feedback copy"
    )
    export_parser.add_argument("--paper", type=int, required=True, metavar="ID")
    export_parser.add_argument(
        "--version", type=int, metavar="N", help="the saved version (default: the latest)"
    )
    export_parser.add_argument(
        "--compare-with",
        type=int,
        metavar="N",
        help="for a Synopse: the earlier version (default: N-1)",
    )
    export_parser.add_argument("--format", required=True, choices=EXPORT_FORMATS)
    export_parser.add_argument("--out", required=True, metavar="FILE", type=Path)
    export_parser.set_defaults(command=_export)

    returned_parser = commands.add_parser(
        "import-docx",
        help="show what an edited Word file of a paper would change: changed, added, deleted "
        "and moved paragraphs and Word comments (nothing is applied)",
    )
    returned_parser.add_argument("--paper", type=int, required=True, metavar="ID")
    returned_parser.add_argument("file", metavar="FILE.docx", type=Path)
    returned_parser.set_defaults(command=_import_docx)

    report_parser = commands.add_parser("report", help="write the activity report as Word")
    report_parser.add_argument(
        "--from", dest="start", required=True, type=_day, metavar="YYYY-MM-DD"
    )
    report_parser.add_argument("--to", dest="end", required=True, type=_day, metavar="YYYY-MM-DD")
    report_parser.add_argument("--out", required=True, metavar="FILE.docx", type=Path)
    report_parser.set_defaults(command=_report)

    papers_parser = commands.add_parser("papers", help="list the papers with their state")
    papers_parser.set_defaults(command=_papers)


def opened_engine(*, require_schema: bool = True) -> Engine:
    """The database every command uses: reachable, and migrated unless told otherwise."""
    from db import migrate
    from db.engine import check_connection, create_engine_for, database_url, redacted

    engine = create_engine_for(database_url())
    check_connection(engine)
    if require_schema and not migrate.is_up_to_date(engine):
        raise CommandError(
            f"the database {redacted(str(engine.url))} is not at the current schema; "
            "run `positionen migrate` first"
        )
    return engine


def _migrate(_arguments: argparse.Namespace) -> int:
    from db import migrate
    from db.engine import database_url, redacted

    engine = opened_engine(require_schema=False)
    before = migrate.current_revision(engine)
    engine.dispose()
    migrate.upgrade(database_url())
    after = migrate.head_revision()
    state = "already current" if before == after else f"upgraded from {before or 'empty'}"
    print(f"database {redacted(database_url())}: schema {after} ({state})")
    return 0


def _create_admin(arguments: argparse.Namespace) -> int:
    from db.engine import write_session
    from positions.core import accounts

    engine = opened_engine()
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
    import demo
    from db.engine import read_session, write_session
    from positions.core import accounts

    engine = opened_engine()
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


def _forum_id(session: Session, short_name: str | None) -> int | None:
    from sqlmodel import select

    from db.models import Forum

    if short_name is None:
        return None
    forum = session.exec(select(Forum).where(Forum.short_name == short_name)).first()
    if forum is None:
        raise CommandError(f"no forum with the short name {short_name!r}")
    return forum.id


def _deadlines(arguments: argparse.Namespace) -> int:
    from db.engine import read_session
    from positions.core import labels
    from positions.core.clock import today_in_berlin
    from positions.core.formatting import days_left, short_date
    from positions.core.permissions import SYSTEM
    from positions.forums import dashboard

    engine = opened_engine()
    today = today_in_berlin()
    with read_session(engine) as session:
        items = dashboard.due_items(
            session=session,
            actor=SYSTEM,
            today=today,
            weeks=arguments.weeks,
            forum_id=_forum_id(session, arguments.forum),
        )
    if not items:
        print(f"nothing due in the next {arguments.weeks} weeks")
    for item in items:
        print(
            f"{short_date(item.day):<16} {days_left(item.day, today=today):<24} "
            f"{labels.DEADLINE_STATE[item.state]:<12} {item.kind:<16} "
            f"{item.forum_short_name:<10} {item.title}"
        )
    return 0


def _ics(arguments: argparse.Namespace) -> int:
    from db.engine import read_session
    from exports.ics import build_calendar
    from positions.core.permissions import SYSTEM
    from positions.forums import calendar

    engine = opened_engine()
    with read_session(engine) as session:
        forum_id = _forum_id(session, arguments.forum)
        events = (
            calendar.events_for_forum(session=session, actor=SYSTEM, forum_id=forum_id)
            if forum_id is not None
            else calendar.events_for_association(session=session, actor=SYSTEM)
        )
        name = calendar.calendar_name(session=session, forum_id=forum_id)
    Path(arguments.out).write_bytes(build_calendar(events, name=name))
    print(f"wrote {len(events)} entries to {arguments.out}")
    return 0


def _extract_text(arguments: argparse.Namespace) -> int:
    """Needs no database: reads the file, refuses hostile ones before parsing."""
    from positions.uploads import intake, package

    path: Path = arguments.file
    try:
        if path.stat().st_size > package.MAX_UPLOAD_BYTES:
            print(f"refused: {package.TOO_LARGE}", file=sys.stderr)
            return EXIT_USAGE
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from None
    try:
        print(intake.extract_text(path.name, data))
    except PositionenError as error:
        print(f"refused: {error.message}", file=sys.stderr)
        return EXIT_USAGE
    return 0


def _backup(arguments: argparse.Namespace) -> int:
    from db.engine import database_url
    from positions.core import backup

    opened_engine().dispose()
    try:
        manifest = backup.backup(url=database_url(), target=arguments.out)
    except backup.BackupError as error:
        raise CommandError(str(error)) from None
    print(
        f"backup written to {arguments.out}: {manifest.backend} database at schema "
        f"{manifest.schema_revision}, {manifest.files} files"
    )
    return 0


def _restore(arguments: argparse.Namespace) -> int:
    from db.engine import check_connection, create_engine_for, database_url
    from positions.core import backup

    engine = create_engine_for(database_url())
    check_connection(engine)
    engine.dispose()
    try:
        manifest = backup.restore(
            url=database_url(), source=arguments.folder, force=arguments.force
        )
    except backup.BackupError as error:
        raise CommandError(str(error)) from None
    print(
        f"restored the backup of {manifest.created_at} ({manifest.files} files); "
        "run `positionen migrate` if the app is newer than the backup"
    )
    return 0


def _import_statements(arguments: argparse.Namespace) -> int:
    from db.engine import write_session
    from positions.core.permissions import SYSTEM
    from positions.statements import imports

    engine = opened_engine()
    try:
        rows = imports.read_csv(arguments.file.read_bytes())
    except OSError as error:
        raise CommandError(f"cannot read {arguments.file}: {error.strerror}") from None

    def report(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            print(f"imported {done}/{total}", file=sys.stderr, flush=True)

    with write_session(engine) as session:
        count = imports.import_statements(
            session=session,
            actor=SYSTEM,
            call_id=arguments.call,
            rows=rows,
            source_note=f"Import aus {arguments.file.name}",
            progress=report,
        )
    print(f"imported {count} statements into call {arguments.call}")
    return 0


def _export(arguments: argparse.Namespace) -> int:
    from db.engine import read_session
    from exports import paper_exports
    from positions.core.permissions import SYSTEM

    engine = opened_engine()
    with read_session(engine) as session:
        result = paper_exports.export(
            session=session,
            actor=SYSTEM,
            paper_id=arguments.paper,
            fmt=arguments.format,
            version_number=arguments.version,
            compare_with=arguments.compare_with,
        )
    arguments.out.write_bytes(result.data)
    print(f"wrote {arguments.out} ({len(result.data):,} bytes; suggested name {result.filename})")
    return 0


def _import_docx(arguments: argparse.Namespace) -> int:
    from db.engine import read_session
    from exports import paper_exports
    from positions.core.permissions import SYSTEM

    engine = opened_engine()
    with read_session(engine) as session:
        returned = paper_exports.read_returned(
            session=session,
            actor=SYSTEM,
            paper_id=arguments.paper,
            data=arguments.file.read_bytes(),
            filename=arguments.file.name,
        )
    print(f"compared with: {returned.compared_with}")
    for note in returned.notes:
        print(f"note: {note}")
    for proposal in returned.proposals:
        if proposal.kind == "unchanged" and not proposal.moved and not proposal.comments:
            continue
        kind: str = proposal.kind if proposal.kind != "unchanged" else "comment"
        if proposal.moved:
            kind = "move" if proposal.kind == "unchanged" else f"{kind}, moved"
        who = f" by {', '.join(proposal.authors)}" if proposal.authors else ""
        print(f"\n[{kind}] paragraph {proposal.paragraph_id or '(new)'}{who}")
        if proposal.moved:
            after = proposal.after_paragraph_id
            place = f"after paragraph {after}" if after else "first"
            print(f"  > now {place}, in section „{proposal.section}“")
        if proposal.kind != "unchanged" and proposal.old_text:
            print(f"  - {proposal.old_text}")
        if proposal.kind != "unchanged" and proposal.new_text:
            print(f"  + {proposal.new_text}")
        if proposal.current_text is not None and proposal.kind != "unchanged":
            print(f"  ! changed since the export, now: {proposal.current_text or '(deleted)'}")
        if proposal.note:
            print(f"  ({proposal.note})")
        for comment in proposal.comments:
            when = f" on {comment.date:%Y-%m-%d}" if comment.date else ""
            about = f" about „{comment.quote}“" if comment.quote else ""
            print(f"  # comment by {comment.author}{when}{about}: {comment.text}")
    changed = sum(p.kind != "unchanged" for p in returned.proposals)
    moved = sum(p.moved for p in returned.proposals)
    comments = sum(len(p.comments) for p in returned.proposals)
    print(
        f"\n{changed} proposals, {moved} moved, {comments} comments, "
        f"{returned.bookmarks_found} bookmarks found; nothing applied"
    )
    return 0


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _report(arguments: argparse.Namespace) -> int:
    from db.engine import read_session
    from exports import report
    from positions.core.permissions import SYSTEM

    engine = opened_engine()
    with read_session(engine) as session:
        data = report.build_report(
            session=session, actor=SYSTEM, start=arguments.start, end=arguments.end
        )
    arguments.out.write_bytes(data)
    print(f"wrote {arguments.out} ({len(data):,} bytes)")
    return 0


def _papers(_arguments: argparse.Namespace) -> int:
    from db.engine import read_session
    from positions.core import labels
    from positions.core.permissions import SYSTEM
    from positions.papers import papers

    engine = opened_engine()
    with read_session(engine) as session:
        summaries = papers.list_papers(session=session, actor=SYSTEM)
    print(f"{'id':>4}  {'forum':<10} {'status':<22} {'version':>7}  title")
    for summary in summaries:
        paper = summary.paper
        print(
            f"{paper.id:>4}  {summary.forum.short_name:<10} "
            f"{labels.PAPER_STATUS[paper.status]:<22} {paper.version_counter:>7}  {paper.title}"
        )
    return 0


def _remind(arguments: argparse.Namespace) -> int:
    from functools import partial

    from db.engine import read_session, write_session
    from db.models import MailKind, MailMessage, id_of
    from positions.core import cleaning, settings
    from positions.core.clock import today_in_berlin
    from positions.core.permissions import SYSTEM
    from positions.forums import mail

    engine = opened_engine()
    today = today_in_berlin()
    with read_session(engine) as session:
        due = mail.calls_with_reminders_due(session=session, actor=SYSTEM, today=today)
        reviews_due = mail.papers_with_review_reminders_due(
            session=session, actor=SYSTEM, today=today
        )
        smtp = settings.smtp(session=session)
        association = settings.association(session=session)
    if not due and not reviews_due:
        print("no reminders due today")
        return 0
    if smtp is None and not arguments.dry_run:
        raise CommandError("no mail server is configured (Einstellungen → E-Mail)")
    # One job per call or paper due: what it is called, what it sends, and how it queues.
    jobs: Sequence[tuple[str, str, str, Callable[..., list[MailMessage]]]] = [
        (
            f"call {call.id}",
            call.title,
            "reminders",
            partial(
                mail.prepare,
                actor=SYSTEM,
                call_id=id_of(call),
                kind=MailKind.REMINDER,
                association_name=association.name,
            ),
        )
        for call in due
    ] + [
        (
            f"paper {paper.id}",
            paper.title,
            "review reminders",
            partial(
                mail.prepare_review,
                actor=SYSTEM,
                paper_id=id_of(paper),
                kind=MailKind.REVIEW_REMINDER,
                association_name=association.name,
            ),
        )
        for paper in reviews_due
    ]
    failed = 0
    for name, title, what, prepare in jobs:
        if arguments.dry_run:
            print(f"due: {what} for {name} ({cleaning.clean_line(title)})")
            continue
        try:
            with write_session(engine) as session:
                queued = [id_of(m) for m in prepare(session=session)]
        except PositionenError as error:
            print(f"{name}: {error.message}")
            continue
        assert smtp is not None
        failed_here = _send_queued(engine, queued, smtp, association.base_url)
        failed += failed_here
        print(f"{name}: {len(queued)} {what}, {failed_here} failed")
    return 1 if failed else 0


def _send_queued(engine: Engine, message_ids: list[int], smtp: Smtp, base_url: str) -> int:
    """Send each queued message in a transaction of its own; the number that failed."""
    from db.engine import write_session
    from db.models import MailStatus
    from positions.core.permissions import SYSTEM
    from positions.forums import mail

    failed = 0
    for message_id in message_ids:
        with write_session(engine) as session:
            message = mail.send(
                session=session, actor=SYSTEM, message_id=message_id, smtp=smtp, base_url=base_url
            )
            failed += message.status == MailStatus.FAILED
    return failed


def _print_demo_logins() -> None:
    import demo

    print(f"demo logins (password: {demo.DEMO_PASSWORD}):")
    for login in demo.DEMO_LOGINS:
        print(f"  {login.email:<24} {login.role.value}")
    print(f"demo invitation link: http://localhost:8501/?einladung={demo.DEMO_INVITATION_TOKEN}")


if __name__ == "__main__":
    sys.exit(main())
