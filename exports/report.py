"""The activity report as a Word document in the house style: German prose built from the
figures, with tables, so that a reader finds numbers instead of adjectives."""

from __future__ import annotations

import itertools
from datetime import date

from sqlmodel import Session

from exports import word
from exports.document import PaperDocument, Paragraph, Section, Table
from exports.paper_exports import letterhead
from positions.core import labels
from positions.core.clock import BERLIN
from positions.core.formatting import long_date
from positions.core.permissions import Actor
from positions.followup.report import ActivityReport, ForumActivity, activity


def _day(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _percent(share: float) -> str:
    return f"{round(share * 100)} %"


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def build_report(*, session: Session, actor: Actor, start: date, end: date) -> bytes:
    """The Tätigkeitsbericht for the period as a .docx."""
    report = activity(session=session, actor=actor, start=start, end=end)
    head = letterhead(session=session)
    ids = itertools.count(1)
    sections = [_summary(report, head.name, ids)]
    sections += [_forum(item, ids) for item in report.forums if item.active]
    quiet = [f.forum.name for f in report.forums if not f.active and f.forum.active]
    if quiet:
        sections.append(
            Section(
                title="Weitere Foren",
                paragraphs=[
                    Paragraph(
                        id=next(ids),
                        text="In diesen Foren war der Verband vertreten, ohne dass im "
                        "Zeitraum Sitzungen, Aufrufe oder Ergebnisse anfielen: "
                        + ", ".join(quiet)
                        + ".",
                    )
                ],
            )
        )
    period = f"{long_date(start)} bis {long_date(end)}"
    document = PaperDocument(
        association=head,
        title=f"Tätigkeitsbericht {period}",
        kind_label="Tätigkeitsbericht",
        addressee="Mitglieder und Vorstand",
        forum_name="alle Foren",
        date=end,
        version_label=f"Zeitraum {_day(start)} – {_day(end)}",
        status_label="Bericht",
        sections=sections,
    )
    return word.build_paper(document)


def _summary(report: ActivityReport, name: str, ids: itertools.count[int]) -> Section:
    active = [f for f in report.forums if f.active]
    calls = report.closed_calls
    running = len(report.calls) - len(calls)
    invited = sum(c.invited for c in calls)
    answered = sum(c.answered for c in calls)
    demands, verbatim, reworded = report.adoption_totals()
    sentences = [
        f"Vom {long_date(report.start)} bis zum {long_date(report.end)} war {name} in "
        f"{_count(len(active), 'Forum', 'Foren')} aktiv und nahm an "
        f"{_count(report.meetings, 'Sitzung', 'Sitzungen')} teil."
    ]
    if calls:
        sentences.append(
            f"Zu {_count(len(calls), 'abgeschlossenen Aufruf', 'abgeschlossenen Aufrufen')} "
            f"gingen {answered} Stellungnahmen von {invited} Einladungen ein; das entspricht "
            f"einer Beteiligung von {_percent(answered / invited if invited else 0)}."
        )
    if running:
        sentences.append(
            f"{_count(running, 'Aufruf läuft', 'Aufrufe laufen')} noch; "
            "Mitglieder können dort weiter Stellung nehmen."
        )
    sentences.append(f"Der Verband reichte {_count(report.papers, 'Papier', 'Papiere')} ein.")
    if demands:
        sentences.append(
            f"In den veröffentlichten Ergebnissen der Foren finden sich {verbatim + reworded} "
            f"von {demands} Kernforderungen wieder ({_percent((verbatim + reworded) / demands)})"
            f", {verbatim} davon wörtlich."
        )
    rows = [
        [
            f.forum.short_name,
            str(len(f.meetings)),
            str(len(f.calls)),
            str(len(f.papers)),
            _percent(f.adoption.rate) if f.adoption and f.outcomes else "–",
        ]
        for f in active
    ]
    blocks: list[Paragraph | Table] = [Paragraph(id=next(ids), text=" ".join(sentences))]
    if rows:
        blocks.append(
            Table(
                id=next(ids),
                caption="Tätigkeit je Forum",
                header=[
                    "Forum",
                    "Sitzungen",
                    "Aufrufe",
                    "Papiere",
                    "Kern\u00adforderungen übernommen",
                ],
                rows=rows,
            )
        )
    return Section(title="Überblick", paragraphs=blocks)


def _forum(item: ForumActivity, ids: itertools.count[int]) -> Section:
    forum = item.forum
    host = f" ({forum.host_institution})" if forum.host_institution else ""
    blocks: list[Paragraph | Table] = []
    if item.meetings:
        blocks.append(
            Paragraph(
                id=next(ids),
                text=(
                    f"Im Forum {forum.name}{host} nahm der Verband an "
                    f"{_count(len(item.meetings), 'Sitzung', 'Sitzungen')} teil: "
                    + "; ".join(
                        f"{meeting.title} am {_day(meeting.starts_at.astimezone(BERLIN).date())}"
                        for meeting, _ in item.meetings
                    )
                    + "."
                ),
            )
        )
    for call in item.calls:
        opening = f"Zum Aufruf „{call.call.title}“ (Frist {_day(call.call.external_deadline)})"
        text = (
            f"{opening} gaben {call.answered} von {call.invited} eingeladenen Mitgliedern eine "
            f"Stellungnahme ab ({_percent(call.share)})."
            if call.open_until is None
            else f"{opening} können Mitglieder noch bis zum {_day(call.open_until)} Stellung "
            f"nehmen; bisher antworteten {call.answered} von {call.invited} eingeladenen."
        )
        blocks.append(Paragraph(id=next(ids), text=text))
    for paper, submission in item.papers:
        blocks.append(
            Paragraph(
                id=next(ids),
                text=(
                    f"Eingereicht: {labels.PAPER_KIND[paper.kind]} „{paper.title}“ am "
                    f"{_day(submission.submitted_on)} an {submission.recipient}."
                ),
            )
        )
    for outcome in item.outcomes:
        when = f" vom {_day(outcome.published_on)}" if outcome.published_on else ""
        blocks.append(Paragraph(id=next(ids), text=f"Ergebnis: „{outcome.title}“{when}."))
    if item.adoption and item.outcomes and item.adoption.demands:
        adoption = item.adoption
        blocks.append(
            Table(
                id=next(ids),
                caption=f"Kernforderungen im Ergebnis: {forum.short_name}",
                header=["eingereicht", "wörtlich", "sinngemäß", "abgelehnt", "nicht aufgegriffen"],
                rows=[
                    [
                        str(adoption.demands),
                        str(adoption.adopted),
                        str(adoption.partly),
                        str(adoption.turned_down),
                        str(adoption.not_taken_up - adoption.turned_down),
                    ]
                ],
            )
        )
    return Section(title=forum.name, paragraphs=blocks)
