"""A batch import killed with SIGKILL half-way leaves a sound database without a partial
batch; the same import run to the end stores the whole batch."""

import csv
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from db import migrate
from db.engine import create_engine_for, write_session
from db.models import Call, CallInvitee, CallStatus, Organisation, OrganisationKind, id_of
from tests import factories

POSITIONEN = str(Path(sys.executable).with_name("positionen"))
ROWS = 1_500


@pytest.fixture
def batch(tmp_path: Path) -> tuple[dict[str, str], int, Path]:
    """A data folder with a call inviting 1,500 members, and a CSV answering for each."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["POSITIONEN_DATA_DIR"] = str(tmp_path / "daten")
    url = f"sqlite:///{tmp_path / 'daten' / 'positionen.db'}"
    migrate.upgrade(url)
    engine = create_engine_for(url)
    with write_session(engine) as session:
        staff = factories.actor(session)
        forum = factories.forum(session, staff)
        call = Call(
            forum_id=id_of(forum),
            title="Große Abfrage",
            question="",
            external_deadline=date(2099, 1, 9),
            member_deadline=date(2099, 1, 2),
            board_deadline=date(2099, 1, 6),
            status=CallStatus.OPEN,
        )
        organisations = [
            Organisation(name=f"Mitglied {i:04d} GmbH", kind=OrganisationKind.COMPANY)
            for i in range(ROWS)
        ]
        session.add(call)
        session.add_all(organisations)
        session.flush()
        session.add_all(
            CallInvitee(call_id=id_of(call), organisation_id=id_of(o)) for o in organisations
        )
        call_id = id_of(call)
    engine.dispose()
    path = tmp_path / "antworten.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Mitglied", "Text", "Verwendung"])
        for i in range(ROWS):
            writer.writerow(
                [
                    f"Mitglied {i:04d} GmbH",
                    f"Wir fordern einfachere Förderprogramme.\n\n- Punkt {i}\n- Strom",
                    "anonym" if i % 2 else "namentlich",
                ]
            )
    return env, call_id, path


def _statements(env: dict[str, str]) -> tuple[str, int]:
    with sqlite3.connect(Path(env["POSITIONEN_DATA_DIR"]) / "positionen.db") as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        count = connection.execute("SELECT count(*) FROM statement").fetchone()[0]
    return integrity, count


def test_a_killed_import_leaves_nothing_half_done(batch: tuple[dict[str, str], int, Path]) -> None:
    env, call_id, path = batch
    process = subprocess.Popen(
        [POSITIONEN, "import-statements", "--call", str(call_id), str(path)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith("imported 200/"):
            break  # well inside the batch
    else:
        pytest.fail("the import ended before it could be interrupted")
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert _statements(env) == ("ok", 0)

    finished = subprocess.run(
        [POSITIONEN, "import-statements", "--call", str(call_id), str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    assert _statements(env) == ("ok", ROWS)
