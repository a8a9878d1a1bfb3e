"""Export benchmark: a ~100-page paper (400 paragraphs, 40 footnotes, 5 tables) through
`build_paper`, against the same text written bare with python-docx. Goal: at most 3x the bare
time. The LibreOffice PDF conversion of the same paper is timed alongside, and so is the
whole .docx download (`pdf.lay_out`: LibreOffice lays the paper out once, and the page numbers
of that layout are written into the table of contents, so Word opens it without asking to
update fields). That step is LibreOffice's time, as the PDF is, and is reported apart from
the ratio of our own code.

Run alone with `python -m bench.export`; `make bench` runs it with the others.
"""

from __future__ import annotations

import io
import itertools
import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import docx
from pypdf import PdfReader

from exports.document import Block, Contact, Letterhead, PaperDocument, Paragraph, Section, Table
from exports.errors import PdfUnavailable

SECTIONS = 10
SUBSECTIONS = 3
PARAGRAPHS_PER_SUBSECTION = 13  # 10 x 3 x 13 + 15 at section level: 405 paragraphs
SENTENCES_PER_PARAGRAPH = 10
FOOTNOTE_EVERY = 10
TABLE_SECTIONS = 5
REPEAT = 3
GOAL_RATIO = 3.0

_SENTENCES = (
    "Die Transformation der Zulieferindustrie verlangt verlässliche Rahmenbedingungen.",
    "Mittelständische Betriebe brauchen Planungssicherheit für ihre Investitionen.",
    "Energiepreise und Netzentgelte entscheiden über die Wettbewerbsfähigkeit am Standort.",
    "Qualifizierung im Betrieb sichert die Fachkräfte für die Produkte von morgen.",
    "Genehmigungsverfahren müssen schneller, digitaler und verlässlicher werden.",
    "Regionale Netzwerke verbinden Forschung, Hersteller und Zulieferer wirksam.",
    "Förderprogramme sollen einfach zugänglich und auch für kleine Unternehmen nutzbar sein.",
)


def large_paper() -> PaperDocument:
    """About 100 pages when rendered: 405 paragraphs of ~100 words, 40 footnotes, 5 tables."""
    ids = itertools.count(1)
    sentences = itertools.cycle(_SENTENCES)
    paragraphs_written = 0

    def paragraph() -> Paragraph:
        nonlocal paragraphs_written
        paragraphs_written += 1
        text = " ".join(next(sentences) for _ in range(SENTENCES_PER_PARAGRAPH))
        notes = (
            (f"Quelle {paragraphs_written}: Verbandsumfrage 2026, Frage {paragraphs_written}.",)
            if paragraphs_written % FOOTNOTE_EVERY == 0
            else ()
        )
        return Paragraph(next(ids), text, footnotes=notes)

    sections = []
    for s in range(SECTIONS):
        blocks: list[Block] = [paragraph()]
        if s < TABLE_SECTIONS:
            blocks.append(
                Table(
                    next(ids),
                    f"Kennzahlen zu Abschnitt {s + 1}",
                    header=("Kennzahl", "2024", "2025", "2026"),
                    rows=tuple((f"Kennzahl {r + 1}", "12,5", "13,1", "14,0") for r in range(12)),
                )
            )
        else:
            blocks.append(paragraph())
        subsections = [
            Section(
                title=f"Unterabschnitt {s + 1}.{u + 1}",
                paragraphs=tuple(paragraph() for _ in range(PARAGRAPHS_PER_SUBSECTION)),
            )
            for u in range(SUBSECTIONS)
        ]
        sections.append(
            Section(title=f"Abschnitt {s + 1}", paragraphs=blocks, subsections=subsections)
        )
    return PaperDocument(
        association=Letterhead(name="Automobil-Zulieferverband NRW e. V.", address=("Düsseldorf",)),
        title="Benchmark: ein langes Positionspapier",
        kind_label="Positionspapier",
        addressee="Bundesministerium für Wirtschaft und Energie",
        forum_name="Transformationsdialog Automobilindustrie",
        date=date(2026, 11, 25),
        version_label="Version 1",
        status_label="Entwurf",
        core_demands=tuple(_SENTENCES[:5]),
        sections=sections,
        participants_named=tuple(f"Mitglied {n} GmbH" for n in range(40)),
        participants_anonymous_count=12,
        contact_persons=(Contact("Dr. Anna Beispiel", "Referentin", "a.beispiel@example.org"),),
    )


def bare_python_docx(paper: PaperDocument) -> bytes:
    """The same headings, paragraphs and tables with python-docx's defaults, nothing else."""
    document = docx.Document()
    document.add_heading(paper.title, 0)

    def write(section: Section, level: int) -> None:
        document.add_heading(section.title, level)
        for block in section.paragraphs:
            if isinstance(block, Table):
                document.add_paragraph(block.caption)
                table = document.add_table(rows=1 + len(block.rows), cols=len(block.header))
                table.style = "Table Grid"
                for r, row in enumerate([block.header, *block.rows]):
                    for c, text in enumerate(row):
                        table.cell(r, c).text = text
            else:
                document.add_paragraph(block.text)
        for subsection in section.subsections:
            write(subsection, level + 1)

    for section in paper.sections:
        write(section, 1)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _best_of(function: Callable[[], bytes]) -> tuple[float, bytes]:
    best, result = float("inf"), b""
    for _ in range(REPEAT):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def run() -> dict[str, Any]:
    from exports import pdf
    from exports.word import build_paper

    paper = large_paper()
    now = datetime(2026, 11, 25, tzinfo=UTC)
    ours, data = _best_of(lambda: build_paper(paper, now=now))
    bare, _ = _best_of(lambda: bare_python_docx(paper))
    result: dict[str, Any] = {
        "paragraphs": _count(paper.sections, Paragraph),
        "tables": _count(paper.sections, Table),
        "footnotes": sum(
            len(b.footnotes) for b in _blocks(paper.sections) if isinstance(b, Paragraph)
        ),
        "build_paper_seconds": round(ours, 4),
        "bare_python_docx_seconds": round(bare, 4),
        "ratio": round(ours / bare, 2),
        "goal_ratio": GOAL_RATIO,
        "docx_bytes": len(data),
    }
    try:
        start = time.perf_counter()
        pdf.forget_renderings()
        rendered = pdf.to_pdf(data)
        result["to_pdf_seconds"] = round(time.perf_counter() - start, 2)
        result["pdf_pages"] = len(PdfReader(io.BytesIO(rendered)).pages)
        pdf.forget_renderings()
        start = time.perf_counter()
        pdf.lay_out(build_paper(paper, now=now))
        cold = time.perf_counter() - start
        # The same version downloaded again (later): its rendering is kept.
        again, _ = _best_of(lambda: pdf.lay_out(build_paper(paper)).docx)
        result["docx_download_seconds"] = round(cold, 2)
        result["docx_download_ratio"] = round(cold / bare, 1)
        result["docx_download_again_seconds"] = round(again, 3)
        result["docx_download_again_ratio"] = round(again / bare, 2)
    except PdfUnavailable as e:
        result["to_pdf_seconds"] = None
        result["to_pdf_error"] = e.message
    return result


def _blocks(sections: Any) -> list[Block]:
    found: list[Block] = []
    for section in sections:
        found.extend(section.paragraphs)
        found.extend(_blocks(section.subsections))
    return found


def _count(sections: Any, kind: type) -> int:
    return sum(isinstance(b, kind) for b in _blocks(sections))


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
