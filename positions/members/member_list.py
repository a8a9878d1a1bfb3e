"""The member list in and out, as associations keep it in Excel or their CRM: one row per
contact with "Organisation", "Vorname", "Nachname", "E-Mail", "Funktion", "Telefon" and
"Fachforen" (forum short names, comma-separated).

Reading finds the columns by their header in row 1, in any order and case; other columns
are named and ignored, and a column the file lacks leaves its field as it is. A row with an
organisation and no contact speaks for the organisation alone.

An import is all or nothing: every row is checked first and any problem refuses the whole
file, with one German line per problem naming its row. Organisations are matched by name
and contacts by e-mail address, both case-insensitively, so a second import of the same
file changes nothing. The Fachforen of an organisation's rows make its forum memberships;
each contact receives calls for the forums of their row (none: all of the organisation's).
Contacts the file does not name are left as they are.

An export writes the same columns (CSV: UTF-8 with BOM and semicolons, as German Excel
expects), so that importing an export changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from db.models import (
    ContactForum,
    Forum,
    ForumMember,
    Organisation,
    OrganisationKind,
    Role,
    User,
    id_of,
)
from positions.core import audit, cleaning, formatting
from positions.core.accounts import validate_email
from positions.core.clock import utcnow
from positions.core.errors import InvalidInput, InvalidUpload
from positions.core.permissions import Action, Actor, require
from positions.members import register
from positions.uploads import filing
from positions.uploads.package import MAX_UPLOAD_BYTES

ORGANISATION = "Organisation"
GIVEN_NAME = "Vorname"
FAMILY_NAME = "Nachname"
EMAIL = "E-Mail"
FUNCTION = "Funktion"
PHONE = "Telefon"
FORUMS = "Fachforen"
COLUMNS = (ORGANISATION, GIVEN_NAME, FAMILY_NAME, EMAIL, FUNCTION, PHONE, FORUMS)
CONTACT_COLUMNS = (GIVEN_NAME, FAMILY_NAME, EMAIL, FUNCTION, PHONE)
MAX_ROWS = 20_000
SUFFIXES = (".xlsx", ".csv")

_LIMITS = {
    ORGANISATION: register.MAX_ORGANISATION_NAME,
    GIVEN_NAME: register.MAX_GIVEN_NAME,
    FAMILY_NAME: register.MAX_FAMILY_NAME,
    FUNCTION: register.MAX_FUNCTION,
    PHONE: register.MAX_PHONE,
}
# What a header may differ in and still name its column: case, spaces, hyphens of any kind,
# underscores and dots ("E-Mail", "e-mail", "E–Mail", "Email", "E_Mail").
_HEADER_NOISE = re.compile(r"[\s\-‐‑‒–—_.]+")
# What a spreadsheet would read as a formula; an export puts an apostrophe before it.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PROGRESS_CHUNK = 500

Progress = Callable[[int, int], None]
# Each row of a file: its number in the spreadsheet and its cells as text.
Records = Generator[tuple[int, list[str]], None, None]


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    """One row of the file: its row number in the spreadsheet (the header is row 1) and its
    cleaned cells, by column name, for the columns the file has."""

    number: int
    cells: Mapping[str, str]


@dataclass(frozen=True)
class MemberList:
    filename: str
    columns: tuple[str, ...]  # the known columns the file has
    ignored: tuple[str, ...]  # headers of the columns that are not read
    rows: tuple[ListRow, ...]
    problems: tuple[str, ...]  # problems of the file as a whole (its header)


def read_member_list(filename: str, data: bytes) -> MemberList:
    """The rows of a member list (.xlsx or .csv); `InvalidUpload` if the file cannot be
    read at all. An Excel file passes the safe package check before anything parses it."""
    name = Path(filename).name
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidUpload(
            f"„{name}“ ist keine Mitgliederliste: bitte laden Sie eine Excel-Datei (.xlsx) "
            "oder eine CSV-Datei (.csv) hoch."
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidUpload(f"„{name}“ ist größer als 25 MB.")
    if not data:
        raise InvalidUpload(f"„{name}“ ist leer.")
    records = _xlsx_records(name, data) if suffix == ".xlsx" else _csv_records(name, data)
    try:
        return _member_list(name, records)
    finally:
        records.close()


def _member_list(name: str, records: Records) -> MemberList:
    header: tuple[int, list[str]] | None = next(
        ((number, cells) for number, cells in records if any(cells)), None
    )
    if header is None:
        raise InvalidUpload(f"„{name}“ enthält keine Zeilen.")
    header_number, titles = header
    positions, ignored, problems = _columns(header_number, titles)
    rows: list[ListRow] = []
    if ORGANISATION in positions:
        for number, cells in records:
            values = {column: _at(cells, index) for column, index in positions.items()}
            if not any(cells):
                continue
            if len(rows) == MAX_ROWS:
                problems.append(
                    f"Die Datei hat mehr als {formatting.number(MAX_ROWS)} Zeilen; bitte "
                    "teilen Sie sie auf."
                )
                break
            rows.append(ListRow(number, values))
    return MemberList(name, tuple(positions), tuple(ignored), tuple(rows), tuple(problems))


def _columns(number: int, titles: list[str]) -> tuple[dict[str, int], list[str], list[str]]:
    """Which known column stands where; the headers ignored; problems of the header."""
    known = {_header_key(column): column for column in COLUMNS}
    positions: dict[str, int] = {}
    ignored: list[str] = []
    problems: list[str] = []
    for index, title in enumerate(titles):
        column = known.get(_header_key(title))
        if column is None:
            if title:
                ignored.append(title)
        elif column in positions:
            problems.append(f"Zeile {number}: Die Spalte „{column}“ kommt mehrfach vor.")
        else:
            positions[column] = index
    if ORGANISATION not in positions:
        problems.append(
            f"Zeile {number}: Die Spalte „{ORGANISATION}“ fehlt. Erwartet werden die Spalten "
            + ", ".join(f"„{c}“" for c in COLUMNS)
            + "."
        )
    return positions, ignored, problems


def _header_key(title: str) -> str:
    return _HEADER_NOISE.sub("", title.casefold())


def _at(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def _cell(value: Any) -> str:
    """A cell as text, cleaned, without the apostrophe an export put before a formula sign."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "ja" if value else "nein"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, datetime | date):
        text = value.strftime("%d.%m.%Y")
    else:
        text = str(value)
    text = cleaning.clean_line(text)
    if len(text) > 1 and text[0] == "'" and text[1] in _FORMULA_START:
        return text[1:]
    return text


def _csv_records(name: str, data: bytes) -> Records:
    if b"\x00" in data:
        raise InvalidUpload(f"„{name}“ ist keine CSV-Datei.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV (Trennzeichen-getrennt)" on German Windows writes Windows-1252.
        text = data.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))

    def records() -> Records:
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, [_cell(cell) for cell in cells]
        except csv.Error as error:
            raise InvalidUpload(
                f"„{name}“ ist keine lesbare CSV-Datei (Zeile {reader.line_num}: {error})."
            ) from None

    return records()


def _delimiter(text: str) -> str:
    """Semicolon, comma or tab: whichever the header line holds most of (Excel writes
    semicolons in Germany, most CRMs commas)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _xlsx_records(name: str, data: bytes) -> Records:
    # Zip bombs, DOCTYPEs (XXE), macros, encrypted or damaged files are refused here,
    # before openpyxl reads a byte.
    filing.check_file(name, data)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises anything from KeyError to its own errors
        raise InvalidUpload(f"„{name}“ ist beschädigt oder keine Excel-Arbeitsmappe.") from None

    def records() -> Records:
        try:
            sheet = _member_sheet(workbook)
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [_cell(value) for value in values]
        except InvalidUpload:
            raise
        except Exception:
            raise InvalidUpload(f"„{name}“ ist beschädigt oder keine Excel-Arbeitsmappe.") from None
        finally:
            workbook.close()

    return records()


def _member_sheet(workbook: Any) -> Any:
    """The first sheet with an "Organisation" column in its first row, else the first one."""
    wanted = _header_key(ORGANISATION)
    for sheet in workbook.worksheets:
        # A stated size can be wrong or huge; without it rows come as they are stored.
        sheet.reset_dimensions()
        first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
        if any(_header_key(_cell(value)) == wanted for value in first):
            return sheet
    return workbook.worksheets[0]


# --- planning -------------------------------------------------------------------------------


class Outcome(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Change:
    what: str  # German: the field's name
    before: str
    after: str


@dataclass(frozen=True)
class OrganisationPlan:
    name: str
    rows: tuple[int, ...]
    outcome: Outcome
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class ContactPlan:
    row: int
    organisation: str
    name: str
    email: str
    outcome: Outcome
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Absent:
    """A contact of an organisation in the file whom the file does not name."""

    organisation: str
    name: str
    email: str


@dataclass(frozen=True)
class Plan:
    """What an import would do, or, with `problems`, why it refuses the file."""

    filename: str
    ignored: tuple[str, ...]
    problems: tuple[str, ...]
    organisations: tuple[OrganisationPlan, ...] = ()
    contacts: tuple[ContactPlan, ...] = ()
    not_in_file: tuple[Absent, ...] = ()

    @property
    def refused(self) -> bool:
        return bool(self.problems)

    def organisations_with(self, outcome: Outcome) -> list[OrganisationPlan]:
        return [o for o in self.organisations if o.outcome == outcome]

    def contacts_with(self, outcome: Outcome) -> list[ContactPlan]:
        return [c for c in self.contacts if c.outcome == outcome]

    @property
    def changes_anything(self) -> bool:
        return any(o.outcome != Outcome.UNCHANGED for o in self.organisations) or any(
            c.outcome != Outcome.UNCHANGED for c in self.contacts
        )


class ImportRefused(InvalidInput):
    """The file has problems; nothing was stored. `problems` holds one German line each."""

    def __init__(self, plan: Plan) -> None:
        count = len(plan.problems)
        super().__init__(
            f"„{plan.filename}“ wurde nicht übernommen: "
            + formatting.counted(count, "Problem", "Probleme")
            + ". Es wurde nichts gespeichert."
        )
        self.problems = plan.problems


def plan_import(*, session: Session, actor: Actor, member_list: MemberList) -> Plan:
    """What importing `member_list` would create, change and leave alone; stores nothing."""
    require(actor, Action.MEMBER_MANAGE)
    return _Planner(session, member_list).plan()


def apply_import(
    *,
    session: Session,
    actor: Actor,
    member_list: MemberList,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> Plan:
    """Import `member_list` in the caller's transaction, all or nothing: `ImportRefused`
    (nothing stored) if any row has a problem. Returns what was done."""
    require(actor, Action.MEMBER_MANAGE)
    planner = _Planner(session, member_list)
    plan = planner.plan()
    if plan.refused:
        raise ImportRefused(plan)
    _Writer(session, actor, planner, progress, now or utcnow()).write(plan)
    return plan


@dataclass
class _OrganisationTarget:
    key: str
    name: str
    rows: list[int]
    forum_ids: set[int] | None  # None: the file has no Fachforen column
    existing: Organisation | None
    saved: Organisation | None = None  # the stored organisation, once written
    outcome: Outcome = Outcome.NEW
    changed: tuple[str, ...] = ()  # the names of the fields that change


@dataclass
class _ContactTarget:
    row: int
    email: str
    organisation_key: str
    given_name: str | None  # None: the file has no such column
    family_name: str | None
    function: str | None
    phone: str | None
    forum_ids: set[int] | None
    existing: User | None
    outcome: Outcome = Outcome.NEW
    changed: tuple[str, ...] = ()


@dataclass
class _Stored:
    """What the database holds, read once in a few queries (no query per row)."""

    forums: dict[str, Forum]
    forum_names: dict[int, str]
    organisations: dict[str, list[Organisation]]
    organisation_names: dict[int, str]
    users: dict[str, User]
    memberships: dict[int, set[int]]
    contact_forums: dict[int, set[int]]
    contacts_of: dict[int, list[User]]

    @classmethod
    def load(cls, session: Session) -> _Stored:
        forums = session.exec(select(Forum)).all()
        organisations: dict[str, list[Organisation]] = defaultdict(list)
        for organisation in session.exec(select(Organisation)).all():
            organisations[register.name_key(organisation.name)].append(organisation)
        users = session.exec(select(User)).all()
        memberships: dict[int, set[int]] = defaultdict(set)
        for forum_id, organisation_id in session.exec(
            select(ForumMember.forum_id, ForumMember.organisation_id)
        ).all():
            memberships[organisation_id].add(forum_id)
        contact_forums: dict[int, set[int]] = defaultdict(set)
        for user_id, forum_id in session.exec(
            select(ContactForum.user_id, ContactForum.forum_id)
        ).all():
            contact_forums[user_id].add(forum_id)
        contacts_of: dict[int, list[User]] = defaultdict(list)
        for user in users:
            if user.role == Role.MEMBER and user.organisation_id is not None:
                contacts_of[user.organisation_id].append(user)
        return cls(
            forums={f.short_name.casefold(): f for f in forums},
            forum_names={id_of(f): f.short_name for f in forums},
            organisations=organisations,
            organisation_names={
                id_of(o): o.name for group in organisations.values() for o in group
            },
            users={user.email.lower(): user for user in users},
            memberships=memberships,
            contact_forums=contact_forums,
            contacts_of=contacts_of,
        )


class _Planner:
    """Checks every row against the file and the database, then diffs field by field."""

    def __init__(self, session: Session, member_list: MemberList) -> None:
        self.member_list = member_list
        self.stored = _Stored.load(session)
        self.problems: list[tuple[int, str]] = []
        self.organisations: dict[str, _OrganisationTarget] = {}
        self.contacts: list[_ContactTarget] = []

    def plan(self) -> Plan:
        listed = self.member_list
        file_problems = list(listed.problems)
        emails: dict[str, int] = {}
        for row in listed.rows:
            self._read_row(row, emails)
        problems = tuple(file_problems + [text for _, text in sorted(self.problems, key=_row)])
        if problems:
            return Plan(listed.filename, listed.ignored, problems)
        return Plan(
            listed.filename,
            listed.ignored,
            (),
            tuple(self._organisation_plan(t) for t in self.organisations.values()),
            tuple(self._contact_plan(t) for t in self.contacts),
            self._not_in_file(),
        )

    def _problem(self, row: int, text: str) -> None:
        self.problems.append((row, f"Zeile {row}: {text}"))

    # -- checks ------------------------------------------------------------------------------

    def _read_row(self, row: ListRow, emails: dict[str, int]) -> None:
        cells = row.cells
        name = cells.get(ORGANISATION, "")
        has_contact = any(cells.get(column) for column in CONTACT_COLUMNS)
        if not name and not has_contact and not cells.get(FORUMS):
            return  # only ignored columns filled: a note or a total, not a member
        for column, limit in _LIMITS.items():
            if len(cells.get(column, "")) > limit:
                self._problem(row.number, f"„{column}“ ist länger als {limit} Zeichen.")
        forum_ids = self._forum_ids(row)
        existing_organisation = self._organisation(row, name) if name else None
        if not name:
            self._problem(row.number, "Die Organisation fehlt.")
        email = self._email(row, emails) if has_contact else None
        if not name:
            return
        target = self.organisations.get(register.name_key(name))
        if target is None:
            target = self.organisations[register.name_key(name)] = _OrganisationTarget(
                register.name_key(name),
                existing_organisation.name if existing_organisation else name,
                [],
                None if FORUMS not in self.member_list.columns else set(),
                existing_organisation,
            )
        target.rows.append(row.number)
        if target.forum_ids is not None and forum_ids is not None:
            target.forum_ids |= forum_ids
        if email is not None:
            self.contacts.append(
                _ContactTarget(
                    row.number,
                    email,
                    target.key,
                    cells.get(GIVEN_NAME),
                    cells.get(FAMILY_NAME),
                    cells.get(FUNCTION),
                    cells.get(PHONE),
                    forum_ids,
                    self.stored.users.get(email),
                )
            )

    def _forum_ids(self, row: ListRow) -> set[int] | None:
        if FORUMS not in row.cells:
            return None
        found = set()
        for short_name in _split_forums(row.cells[FORUMS]):
            forum = self.stored.forums.get(short_name.casefold())
            if forum is None:
                known = ", ".join(sorted(self.stored.forum_names.values())) or "keine"
                self._problem(
                    row.number,
                    f"Das Fachforum „{short_name}“ gibt es nicht (bekannte Kurznamen: {known}).",
                )
            else:
                found.add(id_of(forum))
        return found

    def _organisation(self, row: ListRow, name: str) -> Organisation | None:
        matches = self.stored.organisations.get(register.name_key(name), [])
        if len(matches) > 1:
            self._problem(
                row.number,
                f"Zu „{name}“ passen mehrere gespeicherte Organisationen ("
                + ", ".join(f"„{o.name}“" for o in matches)
                + "); bitte vereinheitlichen Sie zuerst deren Namen im Mitgliederverzeichnis.",
            )
            return None
        if matches and matches[0].kind == OrganisationKind.ASSOCIATION:
            self._problem(row.number, f"„{name}“ ist der Verband selbst, kein Mitglied.")
            return None
        return matches[0] if matches else None

    def _email(self, row: ListRow, emails: dict[str, int]) -> str | None:
        typed = row.cells.get(EMAIL, "")
        if not typed:
            self._problem(row.number, "Die E-Mail-Adresse fehlt.")
            return None
        try:
            email = validate_email(typed)
        except InvalidInput:
            self._problem(row.number, f"„{typed}“ ist keine gültige E-Mail-Adresse.")
            return None
        if email in emails:
            self._problem(
                row.number,
                f"Die E-Mail-Adresse „{typed}“ steht bereits in Zeile {emails[email]}.",
            )
            return None
        emails[email] = row.number
        holder = self.stored.users.get(email)
        if holder is not None and holder.erased_at is not None:
            self._problem(row.number, f"Der Zugang zu „{typed}“ wurde gelöscht (DSGVO).")
        elif holder is not None and holder.role != Role.MEMBER:
            self._problem(
                row.number,
                f"„{typed}“ ist der Zugang einer Person des Verbands, keiner Ansprechperson "
                "eines Mitglieds.",
            )
        return email

    # -- diffs -------------------------------------------------------------------------------

    def _forum_list(self, forum_ids: Iterable[int]) -> str:
        return ", ".join(sorted(self.stored.forum_names[i] for i in forum_ids)) or "–"

    def _organisation_plan(self, target: _OrganisationTarget) -> OrganisationPlan:
        rows = tuple(target.rows)
        organisation = target.existing
        if organisation is None:
            return OrganisationPlan(target.name, rows, Outcome.NEW)
        # Matched by name: a name spelled in other case (as some CRMs export them) is the
        # same name, and the register keeps its own spelling.
        changes = []
        if not organisation.active:
            changes.append(Change("Status", "ausgeschieden", "aktiv"))
        current = self.stored.memberships.get(id_of(organisation), set())
        if target.forum_ids is not None and target.forum_ids != current:
            changes.append(
                Change("Fachforen", self._forum_list(current), self._forum_list(target.forum_ids))
            )
        target.outcome = Outcome.CHANGED if changes else Outcome.UNCHANGED
        target.changed = tuple(change.what for change in changes)
        return OrganisationPlan(target.name, rows, target.outcome, tuple(changes))

    def new_names(self, target: _ContactTarget) -> tuple[str, str]:
        """The contact's given and family name after the import."""
        given, family = register.name_parts(target.existing) if target.existing else ("", "")
        new_given = given if target.given_name is None else target.given_name
        new_family = family if target.family_name is None else target.family_name
        if target.existing is not None and not new_given and not new_family:
            return given, family  # a display name is never emptied
        return new_given, new_family

    def _contact_plan(self, target: _ContactTarget) -> ContactPlan:
        organisation = self.organisations[target.organisation_key]
        given, family = self.new_names(target)
        name = register.display_name(given, family) or target.email
        contact = target.existing
        if contact is None:
            return ContactPlan(target.row, organisation.name, name, target.email, Outcome.NEW)
        changes = []
        old_given, old_family = register.name_parts(contact)
        for what, before, after in (
            ("Vorname", old_given, given),
            ("Nachname", old_family, family),
            ("Funktion", contact.function, target.function),
            ("Telefon", contact.phone, target.phone),
        ):
            if after is not None and after != before:
                changes.append(Change(what, before, after))
        now_at = organisation.existing.id if organisation.existing else None
        if contact.organisation_id != now_at:
            before_name = self.stored.organisation_names.get(contact.organisation_id or 0, "–")
            changes.append(Change("Organisation", before_name, organisation.name))
        if not contact.active:
            changes.append(Change("Status", "ausgeschieden", "aktiv"))
        current = self.stored.contact_forums.get(id_of(contact), set())
        if target.forum_ids is not None and target.forum_ids != current:
            changes.append(
                Change(
                    "Fachforen",
                    self._forum_list(current) if current else "alle der Organisation",
                    self._forum_list(target.forum_ids)
                    if target.forum_ids
                    else "alle der Organisation",
                )
            )
        target.outcome = Outcome.CHANGED if changes else Outcome.UNCHANGED
        target.changed = tuple(change.what for change in changes)
        return ContactPlan(
            target.row, organisation.name, name, target.email, target.outcome, tuple(changes)
        )

    def _not_in_file(self) -> tuple[Absent, ...]:
        named = {target.email for target in self.contacts}
        absent = []
        for target in self.organisations.values():
            if target.existing is None:
                continue
            for contact in self.stored.contacts_of.get(id_of(target.existing), []):
                if contact.active and not contact.erased_at and contact.email.lower() not in named:
                    absent.append(Absent(target.name, contact.name, contact.email))
        return tuple(absent)


def _row(problem: tuple[int, str]) -> int:
    return problem[0]


def _split_forums(cell: str) -> list[str]:
    return [part.strip() for part in cell.replace(";", ",").split(",") if part.strip()]


# --- writing --------------------------------------------------------------------------------


class _Writer:
    """Writes a plan in bulk: a few statements per table, not one query per row."""

    def __init__(
        self,
        session: Session,
        actor: Actor,
        planner: _Planner,
        progress: Progress | None,
        now: datetime,
    ) -> None:
        self.session = session
        self.actor = actor
        self.planner = planner
        self.stored = planner.stored
        self.progress = progress
        self.now = now
        self.done = 0
        self.total = 0

    def write(self, plan: Plan) -> None:
        organisations = list(self.planner.organisations.values())
        contacts = self.planner.contacts
        new_organisations = [t for t in organisations if t.outcome == Outcome.NEW]
        changed_organisations = [t for t in organisations if t.outcome == Outcome.CHANGED]
        new_contacts = [t for t in contacts if t.outcome == Outcome.NEW]
        changed_contacts = [t for t in contacts if t.outcome == Outcome.CHANGED]
        self.total = (
            len(new_organisations)
            + len(changed_organisations)
            + len(new_contacts)
            + len(changed_contacts)
            + 1
        )
        self._create_organisations(new_organisations)
        for target in organisations:
            target.saved = target.saved or target.existing
        for target in changed_organisations:
            self._update_organisation(target)
        self._set_memberships(organisations)
        self._create_contacts(new_contacts)
        for contact in changed_contacts:
            self._update_contact(contact)
        self._set_contact_forums(contacts)
        audit.record(
            session=self.session,
            actor_id=self.actor.user_id,
            action="import",
            object_type="member_list",
            detail={
                "file": plan.filename,
                "organisations_new": len(new_organisations),
                "organisations_changed": len(changed_organisations),
                "contacts_new": len(new_contacts),
                "contacts_changed": len(changed_contacts),
            },
            now=self.now,
        )
        self.session.flush()
        self._advance(1)

    def _advance(self, steps: int) -> None:
        self.done += steps
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)

    def _in_chunks(self, rows: Sequence[Any]) -> Iterator[Sequence[Any]]:
        for start in range(0, len(rows), _PROGRESS_CHUNK):
            chunk = rows[start : start + _PROGRESS_CHUNK]
            yield chunk
            self._advance(len(chunk))

    def _create_organisations(self, targets: list[_OrganisationTarget]) -> None:
        for chunk in self._in_chunks(targets):
            for target in chunk:
                target.saved = Organisation(
                    name=target.name, kind=OrganisationKind.COMPANY, created_at=self.now
                )
            self.session.add_all([t.saved for t in chunk])
            self.session.flush()
            for target in chunk:
                assert target.saved is not None
                audit.created(
                    session=self.session,
                    actor_id=self.actor.user_id,
                    row=target.saved,
                    now=self.now,
                )

    def _update_organisation(self, target: _OrganisationTarget) -> None:
        organisation = target.existing
        assert organisation is not None
        before = organisation.model_dump()
        if not organisation.active:
            organisation.active = True
            organisation.member_until = None
        self._updated("organisation", organisation, before, target.changed)

    def _updated(
        self,
        object_type: str,
        row: Organisation | User,
        before: dict[str, Any],
        changed: Iterable[str],
    ) -> None:
        """Store an updated row with its audit event (which fields the file changed)."""
        self.session.add(row)
        audit.record(
            session=self.session,
            actor_id=self.actor.user_id,
            action="import_update",
            object_type=object_type,
            object_id=row.id,
            before=before,
            after=row,
            detail={"fields": list(changed)},
            now=self.now,
        )
        self._advance(1)

    def _set_memberships(self, targets: list[_OrganisationTarget]) -> None:
        added = []
        for target in targets:
            if target.forum_ids is None:
                continue
            assert target.saved is not None
            organisation_id = id_of(target.saved)
            current = self.stored.memberships.get(organisation_id, set())
            left = current - target.forum_ids
            if left:
                self.session.execute(
                    delete(ForumMember).where(
                        col(ForumMember.organisation_id) == organisation_id,
                        col(ForumMember.forum_id).in_(left),
                    )
                )
                # Contacts stop receiving calls for a forum their organisation left.
                contacts = select(User.id).where(User.organisation_id == organisation_id)
                self.session.execute(
                    delete(ContactForum).where(
                        col(ContactForum.user_id).in_(contacts),
                        col(ContactForum.forum_id).in_(left),
                    )
                )
            added += [
                {"forum_id": forum_id, "organisation_id": organisation_id}
                for forum_id in sorted(target.forum_ids - current)
            ]
        if added:
            self.session.execute(insert(ForumMember), added)

    def _organisation_id(self, target: _ContactTarget) -> int:
        row = self.planner.organisations[target.organisation_key].saved
        assert row is not None
        return id_of(row)

    def _create_contacts(self, targets: list[_ContactTarget]) -> None:
        for chunk in self._in_chunks(targets):
            users = []
            for target in chunk:
                given, family = self.planner.new_names(target)
                user = User(
                    email=target.email,
                    name=register.display_name(given, family) or target.email,
                    given_name=given,
                    family_name=family,
                    function=target.function or "",
                    phone=target.phone or "",
                    role=Role.MEMBER,
                    organisation_id=self._organisation_id(target),
                    created_at=self.now,
                )
                target.existing = user
                users.append(user)
            self.session.add_all(users)
            self.session.flush()
            for user in users:
                audit.created(
                    session=self.session, actor_id=self.actor.user_id, row=user, now=self.now
                )

    def _update_contact(self, target: _ContactTarget) -> None:
        contact = target.existing
        assert contact is not None
        before = contact.model_dump()
        given, family = self.planner.new_names(target)
        if (given, family) != register.name_parts(contact):
            contact.given_name, contact.family_name = given, family
            contact.name = register.display_name(given, family)
        if target.function is not None:
            contact.function = target.function
        if target.phone is not None:
            contact.phone = target.phone
        contact.organisation_id = self._organisation_id(target)
        contact.active = True
        self._updated("users", contact, before, target.changed)

    def _set_contact_forums(self, targets: list[_ContactTarget]) -> None:
        added = []
        for target in targets:
            if target.forum_ids is None:
                continue
            assert target.existing is not None
            user_id = id_of(target.existing)
            current = self.stored.contact_forums.get(user_id, set())
            if current - target.forum_ids:
                self.session.execute(
                    delete(ContactForum).where(
                        col(ContactForum.user_id) == user_id,
                        col(ContactForum.forum_id).in_(current - target.forum_ids),
                    )
                )
            added += [
                {"user_id": user_id, "forum_id": forum_id}
                for forum_id in sorted(target.forum_ids - current)
            ]
        if added:
            self.session.execute(insert(ContactForum), added)


# --- export ---------------------------------------------------------------------------------


def export_rows(*, session: Session, actor: Actor) -> list[tuple[str, ...]]:
    """The active member organisations and contacts as rows of `COLUMNS`, by organisation
    and name. An organisation gets a row of its own (without a contact) where its contacts'
    rows do not carry all of its Fachforen, or where it has no contact."""
    require(actor, Action.MEMBER_READ)
    stored = _Stored.load(session)
    rows: list[tuple[str, ...]] = []
    organisations = sorted(
        (
            o
            for group in stored.organisations.values()
            for o in group
            if o.active and o.kind in register.MEMBER_KINDS
        ),
        key=lambda o: (register.name_key(o.name), o.name),
    )
    for organisation in organisations:
        organisation_id = id_of(organisation)
        contacts = sorted(
            (
                c
                for c in stored.contacts_of.get(organisation_id, [])
                if c.active and not c.erased_at
            ),
            key=lambda c: (*map(register.name_key, register.name_parts(c)[::-1]), c.email),
        )
        memberships = stored.memberships.get(organisation_id, set())
        carried: set[int] = set()
        for contact in contacts:
            carried |= stored.contact_forums.get(id_of(contact), set())
        if not contacts or memberships - carried:
            rows.append((organisation.name, "", "", "", "", "", _forum_cell(stored, memberships)))
        for contact in contacts:
            given, family = register.name_parts(contact)
            rows.append(
                (
                    organisation.name,
                    given,
                    family,
                    contact.email,
                    contact.function,
                    contact.phone,
                    _forum_cell(stored, stored.contact_forums.get(id_of(contact), set())),
                )
            )
    return rows


def _forum_cell(stored: _Stored, forum_ids: Iterable[int]) -> str:
    return ", ".join(sorted(stored.forum_names[i] for i in forum_ids))


def export_csv(*, session: Session, actor: Actor) -> bytes:
    """The member list as CSV: UTF-8 with BOM and semicolons, so German Excel shows umlauts
    and columns; a cell a spreadsheet would run as a formula starts with an apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in export_rows(session=session, actor=actor):
        writer.writerow([_inert(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def _inert(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def export_xlsx(*, session: Session, actor: Actor) -> bytes:
    """The member list as an Excel workbook with one sheet "Mitglieder"."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    rows = export_rows(session=session, actor=actor)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Mitglieder")
    for letter, width in zip("ABCDEFG", (40, 18, 22, 34, 28, 20, 28), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    header = []
    for title in COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        # Only "=" makes openpyxl write a formula; other signs stay text in a workbook.
        sheet.append(["'" + cell if cell.startswith("=") else cell for cell in row])
    workbook.properties.creator = "Positionen"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
