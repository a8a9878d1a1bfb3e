"""The Lobbyregister package: the approved version as PDF plus the register's fields as
JSON and CSV, in one zip file."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from sqlmodel import Session

from db.models import Forum
from exports import paper_exports, pdf, word
from exports.tables import safe_cell
from positions.core.errors import InvalidInput
from positions.core.permissions import Actor
from positions.papers import lobbyregister


def build_package(*, session: Session, actor: Actor, paper_id: int) -> paper_exports.Export:
    """A zip with the approved version's PDF, lobbyregister.json and lobbyregister.csv."""
    pack = lobbyregister.package(session=session, actor=actor, paper_id=paper_id)
    if not pack.ready:
        missing = "; ".join(c.label for c in pack.checks if not c.ok)
        raise InvalidInput(f"Das Paket ist noch nicht vollständig: {missing}.")
    version = lobbyregister.require_version(pack)
    document = paper_exports.document_for(
        session=session, actor=actor, paper_id=paper_id, version_number=version.number
    )
    fields = pack.fields()
    forum = session.get(Forum, pack.paper.forum_id)
    assert forum is not None
    stem = paper_exports.file_name(pack.paper, forum, version.number, "Lobbyregister", "zip")
    stem = stem.removesuffix(".zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.pdf", pdf.lay_out(word.build_paper(document)).pdf)
        archive.writestr("lobbyregister.json", json.dumps(fields, ensure_ascii=False, indent=2))
        table = io.StringIO()
        writer = csv.writer(table, delimiter=";", quoting=csv.QUOTE_ALL)
        writer.writerow(list(fields))
        writer.writerow([safe_cell(v) for v in fields.values()])
        archive.writestr("lobbyregister.csv", table.getvalue().encode("utf-8-sig"))
    return paper_exports.Export(f"{stem}.zip", "application/zip", buffer.getvalue())
