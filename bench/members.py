"""Member list benchmark: a federation's list of 2,000 organisations and 5,000 contacts
(umlauts, "&", mixed-case e-mail addresses, Fachforen) imported into a fresh, migrated
SQLite database through `positions.members.member_list`. Goal: under 10 s for reading,
checking and storing the Excel file.

    python -m bench.members [--organisations 2000] [--contacts 5000]

prints one JSON line. `read_xlsx_seconds` includes the safe package check; `plan_seconds`
is the preview (every row checked, every field diffed); `apply_seconds` checks again and
writes in one transaction; `total_seconds` is the three together, as the page and
`positionen members import` do them. `reimport_seconds` is a second import of the same file
(it must change nothing: `reimport_unchanged`), `export_xlsx_seconds` the export.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from db import migrate
from db.engine import create_engine_for, read_session, write_session
from db.models import Forum, ForumKind
from positions.core.permissions import SYSTEM
from positions.members import member_list

ORGANISATIONS = 2_000
CONTACTS = 5_000
GOAL_SECONDS = 10.0
FORUMS = ("FF-INNO", "FF-MOB", "FF-CO2", "FF-CYBER", "FF-FAB")
_PLACES = ("Wuppertal", "Köln", "Düsseldorf", "Münster", "Gießen", "Lüdenscheid", "Essen")
_TRADES = ("Umformtechnik", "Präzisionsteile", "Kühlerbau", "Straßenfahrzeuge", "Gießerei")
_GIVEN = ("Jürgen", "Anna", "Björn", "Maïté", "Özlem", "Hans-Peter", "Grete", "Luca")
_FAMILY = ("Müller", "Groß", "Schröder", "Weiß", "Öztürk", "Nußbaum", "Becker", "Hoffmann")


def member_list_xlsx(organisations: int = ORGANISATIONS, contacts: int = CONTACTS) -> bytes:
    """An Excel member list as a CRM exports it: the columns in their own order, one extra."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Export")
    sheet.append(["E-Mail", "ORGANISATION", "Nachname", "Vorname", "Telefon", "Fachforen", "Ort"])
    for number in range(contacts):
        org = number % organisations
        place = _PLACES[org % len(_PLACES)]
        name = f"{place}er {_TRADES[org % len(_TRADES)]} & Söhne {org:04d} GmbH"
        given, family = _GIVEN[number % len(_GIVEN)], _FAMILY[number % len(_FAMILY)]
        email = f"{given[:1]}.{family}.{number}@Firma-{org:04d}.example".replace("ü", "ue")
        forums = ", ".join(FORUMS[(org + k) % len(FORUMS)] for k in range(number % 3))
        sheet.append(
            [
                email.upper() if number % 4 == 0 else email,
                name,
                family,
                given,
                "+49 202 " + str(number),
                forums,
                place,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(organisations: int = ORGANISATIONS, contacts: int = CONTACTS) -> dict[str, Any]:
    data = member_list_xlsx(organisations, contacts)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'positionen.db'}"
        migrate.upgrade(url)
        engine = create_engine_for(url)
        with write_session(engine) as session:
            for short_name in FORUMS:
                session.add(
                    Forum(
                        name=f"Fachforum {short_name}",
                        short_name=short_name,
                        kind=ForumKind.INTERNAL,
                    )
                )
        started = time.perf_counter()
        listed = member_list.read_member_list("mitglieder.xlsx", data)
        read = time.perf_counter()
        with read_session(engine) as session:
            preview = member_list.plan_import(session=session, actor=SYSTEM, member_list=listed)
        planned = time.perf_counter()
        with write_session(engine) as session:
            member_list.apply_import(session=session, actor=SYSTEM, member_list=listed)
        applied = time.perf_counter()
        with write_session(engine) as session:
            again = member_list.apply_import(
                session=session,
                actor=SYSTEM,
                member_list=member_list.read_member_list("mitglieder.xlsx", data),
            )
        reimported = time.perf_counter()
        with read_session(engine) as session:
            exported = member_list.export_xlsx(session=session, actor=SYSTEM)
        done = time.perf_counter()
        engine.dispose()
    total = applied - started
    return {
        "organisations": len(preview.organisations),
        "contacts": len(preview.contacts),
        "file_bytes": len(data),
        "read_xlsx_seconds": round(read - started, 3),
        "plan_seconds": round(planned - read, 3),
        "apply_seconds": round(applied - planned, 3),
        "total_seconds": round(total, 3),
        "goal_seconds": GOAL_SECONDS,
        "within_goal": total < GOAL_SECONDS,
        "reimport_seconds": round(reimported - applied, 3),
        "reimport_unchanged": not again.changes_anything,
        "export_xlsx_seconds": round(done - reimported, 3),
        "export_bytes": len(exported),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=ORGANISATIONS)
    parser.add_argument("--contacts", type=int, default=CONTACTS)
    arguments = parser.parse_args()
    print(json.dumps(run(arguments.organisations, arguments.contacts)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
