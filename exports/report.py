"""The activity report as a Word document in the house style: German prose built from the
figures, with tables, so that a reader finds numbers instead of adjectives.

The report is dated the day it is made and speaks only of what has happened by then; while
the period is still running it says so. Its sentences are meant to be signed by the managing
director as they stand: singular and plural agree, forums are named in full, and a paper is
named once by its kind ("die Stellungnahme zum …"), not by kind and title twice over.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime

from babel.dates import format_date
from sqlmodel import Session

from db.models import Meeting, Paper, PaperKind, Submission
from exports import word
from exports.document import PaperDocument, Paragraph, Section, Table
from exports.paper_exports import letterhead
from positions.core import labels
from positions.core.clock import BERLIN
from positions.core.formatting import LOCALE, long_date, percent
from positions.core.permissions import Actor
from positions.followup.report import ActivityReport, CallActivity, ForumActivity, activity

ADDRESSEE = "Mitglieder und Vorstand"
# The article of each kind of paper in the accusative ("reichte … ein").
_ARTICLE = {
    PaperKind.POSITION_PAPER: "das",
    PaperKind.STATEMENT: "die",
    PaperKind.GUIDELINES_CONTRIBUTION: "den",
    PaperKind.BASIC_PAPER_CONTRIBUTION: "den",
}


def build_report(
    *, session: Session, actor: Actor, start: date, end: date, now: datetime | None = None
) -> bytes:
    """The Tätigkeitsbericht for the period as a .docx, made `now` (default: the current
    time)."""
    report = activity(session=session, actor=actor, start=start, end=end, now=now)
    head = letterhead(session=session)
    ids = itertools.count(1)
    sections = [_summary(report, head.name, ids)]
    sections += [_forum(item, head.name, ids) for item in report.forums if item.active]
    quiet = [f.forum.name for f in report.forums if not f.active and f.forum.active]
    if quiet:
        where = "diesem Forum" if len(quiet) == 1 else "diesen Foren"
        sections.append(
            Section(
                title="Weitere Foren",
                paragraphs=[
                    Paragraph(
                        id=next(ids),
                        text=f"In {where} war der Verband vertreten, ohne dass im Zeitraum "
                        f"Sitzungen, Aufrufe oder Ergebnisse anfielen: {_listed(quiet)}.",
                    )
                ],
            )
        )
    document = PaperDocument(
        association=head,
        title=period(report.start, report.covered_until),
        kind_label="Tätigkeitsbericht",
        addressee=ADDRESSEE,
        forum_name="",
        date=report.made_on,
        sections=sections,
    )
    return word.build_paper(document, now=now)


def period(start: date, end: date) -> str:
    """E.g. "1. Januar bis 5. Dezember 2026", "1. Oktober 2025 bis 30. September 2026"."""
    if start == end:
        return long_date(start)
    first = (
        format_date(start, "d. MMMM", locale=LOCALE) if start.year == end.year else long_date(start)
    )
    return f"{first} bis {long_date(end)}"


def counted(number: int, one: str, many: str, none: str | None = None) -> str:
    """`one` for 1 ("einer Sitzung"), "3 Sitzungen" for `many`, `none` (if given) for 0."""
    if number == 0 and none is not None:
        return none
    return one if number == 1 else f"{number} {many}"


def _listed(items: Sequence[str]) -> str:
    """ "A", "A und B", "A, B und C"."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} und {items[-1]}"


# --- overview -------------------------------------------------------------------------------


def _summary(report: ActivityReport, name: str, ids: itertools.count[int]) -> Section:
    active = [f for f in report.forums if f.active]
    sentences = [_opening(report, name, len(active))]
    sentences += _call_sentences(report)
    sentences.append(
        "Der Verband reichte "
        + counted(report.papers, "ein Papier", "Papiere", "in diesem Zeitraum kein Papier")
        + " ein."
    )
    sentences += _adoption_sentences(report)
    blocks: list[Paragraph | Table] = [Paragraph(id=next(ids), text=" ".join(sentences))]
    if active:
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
                rows=[
                    [
                        f.forum.name,
                        str(len(f.meetings)),
                        str(len(f.calls)),
                        str(len(f.papers)),
                        percent(f.adoption.rate) if f.adoption and f.outcomes else "–",
                    ]
                    for f in active
                ],
            )
        )
    return Section(title="Überblick", paragraphs=blocks)


def _opening(report: ActivityReport, name: str, forums: int) -> str:
    span = period(report.start, report.covered_until)
    when = f"Vom {span.replace(' bis ', ' bis zum ')}" if " bis " in span else f"Am {span}"
    where = counted(forums, "einem Forum", "Foren", "keinem Forum")
    meetings = counted(report.meetings, "einer Sitzung", "Sitzungen", "keiner Sitzung")
    text = f"{when} war {name} in {where} aktiv und nahm an {meetings} teil."
    if report.running:
        text = (
            f"Der Berichtszeitraum läuft bis zum {long_date(report.end)}; dieser Bericht gibt "
            f"den Stand vom {long_date(report.made_on)} wieder. " + text
        )
    return text


def _call_sentences(report: ActivityReport) -> list[str]:
    sentences = []
    closed = report.closed_calls
    if closed:
        invited = sum(c.invited for c in closed)
        answered = sum(c.answered for c in closed)
        calls = counted(len(closed), "einem abgeschlossenen Aufruf", "abgeschlossenen Aufrufen")
        sentences.append(
            f"Zu {calls} {_answered(answered, invited, 'nahm', 'nahmen', ' Stellung')}; das "
            f"entspricht einer Beteiligung von {percent(answered / invited if invited else 0)}."
        )
    running = len(report.calls) - len(closed)
    if running:
        sentences.append(
            counted(running, "Ein Aufruf läuft", "Aufrufe laufen")
            + " noch; Mitglieder können dort weiter Stellung nehmen."
        )
    return sentences


def _answered(answered: int, invited: int, one: str, many: str, rest: str = "") -> str:
    """How many invited members answered, with the verb in agreement: e.g. ("nahm",
    "nahmen", " Stellung") gives "nahmen 5 von 25 eingeladenen Mitgliedern Stellung"."""
    if invited == 0:
        return f"{one} kein Mitglied{rest}"
    if answered == 0:
        if invited == 1:
            return f"{one} das eingeladene Mitglied nicht{rest}"
        return f"{one} keines der {invited} eingeladenen Mitglieder{rest}"
    if answered == 1:
        if invited == 1:
            return f"{one} das eingeladene Mitglied{rest}"
        return f"{one} eines von {invited} eingeladenen Mitgliedern{rest}"
    return f"{many} {answered} von {invited} eingeladenen Mitgliedern{rest}"


def _adoption_sentences(report: ActivityReport) -> list[str]:
    demands, verbatim, reworded = report.adoption_totals()
    if not demands:
        return []
    found = verbatim + reworded
    if demands == 1:
        how = "wörtlich" if verbatim else "sinngemäß" if reworded else "nicht"
        return [
            "In den veröffentlichten Ergebnissen der Foren findet sich die eine eingereichte "
            f"Kernforderung {how} wieder."
        ]
    verb = "findet" if found == 1 else "finden"
    literally = {0: "keine", 1: "eine"}.get(verbatim, str(verbatim))
    return [
        f"In den veröffentlichten Ergebnissen der Foren {verb} sich {found} von {demands} "
        f"Kernforderungen wieder ({percent(found / demands)}), {literally} davon wörtlich."
    ]


# --- one forum ------------------------------------------------------------------------------


def _forum(item: ForumActivity, association: str, ids: itertools.count[int]) -> Section:
    forum = item.forum
    texts: list[str] = []
    host = forum.host_institution.strip()
    if host and host != association.strip():
        texts.append(f"Federführung: {host}.")
    if item.meetings:
        texts.append(_meetings(forum.name, [meeting for meeting, _ in item.meetings]))
    texts += [_call(call) for call in item.calls]
    texts += [_submission(paper, submission) for paper, submission in item.papers]
    texts += [
        f"Am {long_date(outcome.published_on)} veröffentlichte das Forum sein Ergebnis "
        f"„{outcome.title}“."
        if outcome.published_on
        else f"Das Forum veröffentlichte sein Ergebnis „{outcome.title}“."
        for outcome in item.outcomes
    ]
    blocks: list[Paragraph | Table] = [Paragraph(id=next(ids), text=t) for t in texts]
    if item.adoption and item.outcomes and item.adoption.demands:
        adoption = item.adoption
        blocks.append(
            Table(
                id=next(ids),
                caption=f"Kernforderungen im Ergebnis: {forum.name}",
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


def _meetings(forum_name: str, meetings: Sequence[Meeting]) -> str:
    """E.g. "Am 16. November 2026 nahm der Verband an der Sitzung „Austausch Mittelstand und
    Zulieferer“ teil." A meeting titled like its forum is named by its day alone."""
    dated = [(_own_title(m.title, forum_name), _day(m)) for m in meetings]
    if len(dated) == 1:
        title, day = dated[0]
        which = f"der Sitzung „{title}“" if title else "einer Sitzung des Forums"
        return f"Am {day} nahm der Verband an {which} teil."
    listed = _listed([f"„{title}“ am {day}" if title else f"am {day}" for title, day in dated])
    if any(title for title, _ in dated):
        return f"Im Berichtszeitraum nahm der Verband an {len(dated)} Sitzungen teil: {listed}."
    return (
        f"Im Berichtszeitraum nahm der Verband an {len(dated)} Sitzungen des Forums teil, {listed}."
    )


def _own_title(title: str, forum_name: str) -> str:
    """The meeting's title without the forum's name it may repeat ("Fachforum
    Cybersecurity: TISAX in der Lieferkette" → "TISAX in der Lieferkette")."""
    title = title.strip()
    if title.casefold().startswith(forum_name.strip().casefold()):
        title = title[len(forum_name.strip()) :].lstrip(" :–-")
    return title


def _day(meeting: Meeting) -> str:
    return long_date(meeting.starts_at.astimezone(BERLIN).date())


def _call(call: CallActivity) -> str:
    opening = f"Zum Aufruf „{call.call.title}“"
    if call.open_until is None:
        answered = _answered(call.answered, call.invited, "nahm", "nahmen", " Stellung")
        return (
            f"{opening} mit Frist am {long_date(call.call.external_deadline)} {answered} "
            f"({percent(call.share)})."
        )
    so_far = _answered(call.answered, call.invited, "antwortete", "antworteten")
    return (
        f"{opening} können Mitglieder noch bis zum {long_date(call.open_until)} Stellung "
        f"nehmen; bisher {so_far}."
    )


def _submission(paper: Paper, submission: Submission) -> str:
    """E.g. "Am 10. Oktober 2026 reichte der Verband die „Stellungnahme zum Regionaldialog
    Förderinstrumente“ ein (Empfänger: BMWi, Referat Automobilindustrie)." """
    kind = labels.PAPER_KIND[paper.kind]
    title = paper.title.strip()
    names_its_kind = title.split(" ", 1)[0].casefold() in {
        part.casefold() for part in kind.replace("-", " ").split()
    }
    named = f"„{title}“" if names_its_kind else f"{kind} „{title}“"
    recipient = submission.recipient.strip()
    to = f" (Empfänger: {recipient})" if recipient else ""
    return (
        f"Am {long_date(submission.submitted_on)} reichte der Verband "
        f"{_ARTICLE[PaperKind(paper.kind)]} {named} ein{to}."
    )
