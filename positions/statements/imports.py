"""Importing statements collected elsewhere (a spreadsheet of answers by letter or e-mail)
into a call, all or nothing: the whole batch is one transaction, so an interrupted import
leaves no partial batch behind."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from db.models import Organisation, Statement, StatementSource, Visibility, id_of
from positions.core import formatting
from positions.core.errors import InvalidInput
from positions.core.permissions import Action, Actor, require
from positions.statements import statements

VISIBILITIES = {
    "namentlich": Visibility.NAMED,
    "namentlich zitierbar": Visibility.NAMED,
    "anonym": Visibility.ANONYMOUS,
    "anonym verwendbar": Visibility.ANONYMOUS,
    "intern": Visibility.INTERNAL,
    "nur intern": Visibility.INTERNAL,
}
COLUMNS = ("Mitglied", "Text", "Verwendung")
MAX_ROWS = 10_000


@dataclass(frozen=True)
class ImportRow:
    organisation: str
    text: str
    visibility: Visibility


def read_csv(data: bytes) -> list[ImportRow]:
    """Rows of a CSV with the columns Mitglied;Text;Verwendung (UTF-8, ; or , separated)."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("Die Datei ist nicht in UTF-8 gespeichert.") from None
    dialect = csv.Sniffer().sniff(content[:4096], delimiters=";,") if content.strip() else None
    reader = csv.DictReader(io.StringIO(content), dialect=dialect or "excel")
    if reader.fieldnames is None or not set(COLUMNS) <= set(reader.fieldnames):
        raise InvalidInput(f"Die Datei braucht die Spalten {', '.join(COLUMNS)}.")
    rows = []
    for number, record in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            raise InvalidInput(f"Höchstens {formatting.number(MAX_ROWS)} Zeilen je Import.")
        visibility = VISIBILITIES.get((record["Verwendung"] or "").strip().lower())
        if visibility is None:
            raise InvalidInput(
                f"Zeile {number}: unbekannte Verwendung "
                f"„{record['Verwendung']}“ (namentlich, anonym oder intern)."
            )
        rows.append(ImportRow((record["Mitglied"] or "").strip(), record["Text"] or "", visibility))
    return rows


def import_statements(
    *,
    session: Session,
    actor: Actor,
    call_id: int,
    rows: Iterable[ImportRow],
    source_note: str,
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
) -> int:
    """Record every row as a submitted statement of its organisation (replacing an earlier
    one); returns how many. Runs in the caller's transaction: all rows or none."""
    require(actor, Action.STATEMENT_WRITE_ANY)
    batch = list(rows)
    by_name = {o.name: o for o in session.exec(select(Organisation)).all()}
    for number, row in enumerate(batch, start=1):
        if row.organisation not in by_name:
            raise InvalidInput(f"Zeile {number}: Mitglied „{row.organisation}“ ist unbekannt.")
    current = {
        s.organisation_id: s
        for s in session.exec(select(Statement).where(Statement.call_id == call_id)).all()
    }
    for done, row in enumerate(batch, start=1):
        organisation_id = id_of(by_name[row.organisation])
        earlier = current.get(organisation_id)
        current[organisation_id] = statements.save_statement(
            session=session,
            actor=actor,
            call_id=call_id,
            text_input=row.text,
            visibility=row.visibility,
            submit=True,
            expected_version=earlier.version if earlier else None,
            organisation_id=organisation_id,
            source=StatementSource.LETTER,
            source_note=source_note,
            now=now,
        )
        if progress:
            progress(done, len(batch))
    return len(batch)
