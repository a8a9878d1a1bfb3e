"""The feedback copy: the draft paper with the members' reviews as Word comments, for the
association's internal discussion.

Each review with something to say becomes one comment on the paragraph it is about (on a
table's caption for a table), written by the organisation, or by "Mitglied (anonym)" when it
did not allow naming. The comment says the stance (Zustimmung / Bedenken / Ablehnung), the
member's words, whether a minority opinion is asked for, and the office's reply if there is
one. Plain assent (Zustimmung without a word more) is gathered into one comment per
paragraph that names who may be named and counts the others. The first page says how many
members gave feedback, or that none did; the copy is marked as internal on the title page
and in the footer of every page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.run import Run

from db.enums import Stance
from exports.document import MemberReview, PaperDocument, Section
from exports.errors import InvalidExportInput
from exports.typography import german
from exports.word import bookmark_name, build_paper
from exports.wordml import Element, add_run, clean_text, highest_id, one_line, paragraph, sub
from positions.core import labels
from positions.core.clock import utcnow

ANONYMOUS_AUTHOR = "Mitglied (anonym)"
ASSENT_AUTHOR = "Mitglieder"
"""Author of the comment that gathers a paragraph's plain assent."""
INTERNAL_NOTE = "intern: mit Rückmeldungen der Mitglieder"
NO_FEEDBACK_NOTE = "intern: ohne Rückmeldungen der Mitglieder"
NO_FEEDBACK = "Zu dieser Fassung sind bisher keine Rückmeldungen der Mitglieder eingegangen."
# Paragraph styles below the title on the title page; the note on feedback goes after them.
_TITLE_PAGE_DETAILS = frozenset({"Vermerk", "Titelangabe", "Hinweis"})
# What members write when they only agree; with stance "Zustimmung" this says nothing more.
_ASSENT_WORDS = frozenset(
    {"", "zustimmung", "volle zustimmung", "einverstanden", "wir stimmen zu", "ok", "okay"}
    | {"keine anmerkungen", "keine anmerkung", "keine einwände", "passt"}
)

# Word's built-in comment styles; the house template has none, so the copy brings them.
_COMMENT_STYLES = (
    '<w:style {ns} w:type="paragraph" w:styleId="CommentText"><w:name w:val="annotation text"/>'
    '<w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
    '<w:pPr><w:spacing w:after="60" w:line="240" w:lineRule="auto"/></w:pPr>'
    '<w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>',
    '<w:style {ns} w:type="character" w:styleId="CommentReference">'
    '<w:name w:val="annotation reference"/><w:basedOn w:val="DefaultParagraphFont"/>'
    '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>'
    '<w:rPr><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr></w:style>',
)
_LEGAL_FORMS = frozenset(
    {"gmbh", "mbh", "ag", "kg", "kgaa", "se", "ug", "e.v.", "ev", "e.", "v.", "co.", "co", "gbr"}
    | {"ohg", "eg", "und"}
)


def build_feedback_copy(
    paper: PaperDocument,
    reviews: Mapping[int, Sequence[MemberReview]],
    *,
    now: datetime | None = None,
) -> bytes:
    """The paper as .docx with one Word comment per review on its paragraph.

    `reviews` maps paragraph (or table) ids of the paper to the reviews of that paragraph,
    in the order they should appear. Raises InvalidExportInput for a review of a paragraph
    the paper does not have (a review of another version, say).
    """
    now = now or utcnow()
    given = {pid: list(found) for pid, found in reviews.items() if found}
    known = _block_ids(paper.sections)
    unknown = sorted(pid for pid in given if pid not in known)
    if unknown:
        raise InvalidExportInput(
            "Rückmeldungen beziehen sich auf Absätze, die diese Fassung nicht enthält "
            f"(Absatz {', '.join(str(pid) for pid in unknown)})."
        )
    note = INTERNAL_NOTE if given else NO_FEEDBACK_NOTE
    status = " · ".join(t for t in (one_line(paper.status_label), note) if t)
    word = Document(io.BytesIO(build_paper(replace(paper, status_label=status), now=now)))
    _say_on_first_page(word, feedback_summary(given))
    if not given:
        return _saved(word)
    _add_comment_styles(word)
    above = highest_id(word.element.body)
    starts = {
        start.get(qn("w:name")): start for start in word.element.body.iter(qn("w:bookmarkStart"))
    }
    for paragraph_id, paragraph_reviews in given.items():
        runs = _anchor_runs(starts[bookmark_name(paragraph_id)])
        for comment in paragraph_comments(paragraph_reviews):
            _comment(word, runs, comment, now)
    _renumber_comments(word, above)
    return _saved(word)


def _saved(word: Any) -> bytes:
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Comment:
    """One Word comment: who wrote it, when, and its paragraphs (the first one in bold up to
    `bold_until` characters; all of it when None)."""

    author: str
    lines: tuple[str, ...]
    submitted: datetime | None = None
    bold_until: int | None = None


def comment_author(review: MemberReview) -> str:
    """The organisation's name, or "Mitglied (anonym)" when it may not be named."""
    name = one_line(review.organisation)
    return name if review.may_name and name else ANONYMOUS_AUTHOR


def comment_text(review: MemberReview) -> list[str]:
    """The comment's paragraphs: stance, the member's words, the request for a minority
    opinion, the office's reply (text in German typography)."""
    lines = [labels.STANCE[review.stance]]
    comment = clean_text(review.comment).strip()
    if comment:
        lines += [german(line) for line in comment.split("\n") if line.strip()]
    if review.minority_opinion_requested:
        lines.append("Bitte um Mindermeinung.")
    reply = one_line(review.staff_reply)
    if reply:
        lines.append(f"Antwort der Geschäftsstelle: {german(reply)}")
    return lines


def is_plain_assent(review: MemberReview) -> bool:
    """Zustimmung with nothing more: no words beyond "Zustimmung" (or "einverstanden", …),
    no request for a minority opinion, no reply from the office."""
    if review.stance != Stance.SUPPORT or review.minority_opinion_requested:
        return False
    if one_line(review.staff_reply):
        return False
    words = " ".join(re.sub(r"[^\w\s]", " ", clean_text(review.comment)).casefold().split())
    return words in _ASSENT_WORDS


def paragraph_comments(reviews: Sequence[MemberReview]) -> list[Comment]:
    """The comments on one paragraph, in the order of `reviews`: one per review with
    something to say, and one for all plain assent where the first of it stands."""
    assent = [r for r in reviews if is_plain_assent(r)]
    comments: list[Comment] = []
    for review in reviews:
        if not is_plain_assent(review):
            lines = tuple(comment_text(review))
            comments.append(Comment(comment_author(review), lines, review.submitted))
        elif review is assent[0]:
            comments.append(assent_comment(assent))
    return comments


def assent_comment(reviews: Sequence[MemberReview]) -> Comment:
    """ "Zustimmung: A, B, 2 Mitglieder (anonym)": named where the organisation may be named
    (as in `comment_author`), counted otherwise; dated with the latest of the reviews."""
    named = sorted(
        {comment_author(r) for r in reviews} - {ANONYMOUS_AUTHOR}, key=lambda n: n.casefold()
    )
    anonymous = sum(1 for r in reviews if comment_author(r) == ANONYMOUS_AUTHOR)
    who = list(named)
    if anonymous == 1:
        who.append("ein Mitglied (anonym)")
    elif anonymous:
        who.append(f"{anonymous} Mitglieder (anonym)")
    label = labels.STANCE[Stance.SUPPORT]
    dates = [r.submitted for r in reviews if r.submitted is not None]
    return Comment(
        ASSENT_AUTHOR,
        (f"{label}: {', '.join(who)}",),
        max(dates) if dates else None,
        bold_until=len(label) + 1,
    )


def feedback_summary(reviews: Mapping[int, Sequence[MemberReview]]) -> str:
    """The sentence on the first page: how many members gave feedback on how many
    paragraphs, or that none did."""
    given = {pid: found for pid, found in reviews.items() if found}
    if not given:
        return NO_FEEDBACK
    members = len({one_line(r.organisation) for found in given.values() for r in found})
    where = "einem Absatz" if len(given) == 1 else f"{len(given)} Absätzen"
    text = (
        f"Ein Mitglied hat zu {where} Rückmeldung gegeben; sie steht in den Kommentaren am Rand."
        if members == 1
        else f"{members} Mitglieder haben zu {where} Rückmeldungen gegeben; sie stehen in den "
        "Kommentaren am Rand."
    )
    if any(is_plain_assent(r) for found in given.values() for r in found):
        text += " Zustimmung ohne weitere Anmerkung ist je Absatz in einem Kommentar gebündelt."
    return text


def initials(author: str) -> str:
    """Up to three initials of the organisation, legal forms left out ("MA" for "Muster
    Antriebstechnik GmbH")."""
    if author == ANONYMOUS_AUTHOR:
        return "M"
    words = [w for w in re.findall(r"\b[^\W\d_][\w.&-]*", author) if w.lower() not in _LEGAL_FORMS]
    return "".join(w[0].upper() for w in words[:3]) or "M"


def _comment(word: Any, runs: list[Run], note: Comment, now: datetime) -> None:
    comment = word.add_comment(runs, text="", author=note.author, initials=initials(note.author))
    comment._comment_elm.date = (note.submitted or now).astimezone(UTC).replace(microsecond=0)
    first, *rest = note.lines
    split = len(first) if note.bold_until is None else note.bold_until
    add_run(comment.paragraphs[0]._p, first[:split], bold=True)
    if first[split:]:
        add_run(comment.paragraphs[0]._p, first[split:])
    for line in rest:
        add_run(comment.add_paragraph()._p, line)


def _say_on_first_page(word: Any, text: str) -> None:
    """Adds `text` as a note below the title and its details on the title page."""
    body = word.element.body
    title = next(
        (p for p in body.iter(qn("w:p")) if _style_of(p) == "Title"),
        None,
    )
    after = title
    while after is not None:
        following = after.getnext()
        if following is None or _style_of(following) not in _TITLE_PAGE_DETAILS:
            break
        after = following
    # In body text, not the small print of "Hinweis": this is what the reader looks for.
    note = paragraph(None)
    sub(sub(note, "w:pPr"), "w:spacing", {"w:before": "360"})
    add_run(note, text)
    if after is None:
        body.insert(0, note)
    else:
        after.addnext(note)


def _style_of(p: Element) -> str | None:
    style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return None if style is None else str(style.get(qn("w:val")))


def _renumber_comments(word: Any, above: int) -> None:
    """Moves the comment ids above `above`, the highest id before comments were added (see
    `wordml.highest_id`)."""
    body = word.element.body
    markers = [
        marker
        for tag in ("w:commentRangeStart", "w:commentRangeEnd", "w:commentReference")
        for marker in body.iter(qn(tag))
    ]
    comments = word.part._comments_part.element.findall(qn("w:comment"))
    for item in (*markers, *comments):
        item.set(qn("w:id"), str(int(item.get(qn("w:id"))) + above + 1))


def _anchor_runs(start: Element) -> list[Run]:
    """The runs a paragraph's comment spans: its own (text and footnote marks), or for a
    table the runs of its caption."""
    p = start.getparent()
    if p.getparent().tag == qn("w:tc"):
        # The bookmark of a table starts in its first cell; the caption comes before it.
        table = p.getparent().getparent().getparent()
        p = table.getprevious()
    runs = p.findall(qn("w:r"))
    if not runs:
        runs = [p.makeelement(qn("w:r"), {})]
        p.append(runs[0])
    return [Run(r, None) for r in runs]  # type: ignore[arg-type]


def _add_comment_styles(word: Any) -> None:
    styles = word.styles.element
    present = {s.get(qn("w:styleId")) for s in styles.findall(qn("w:style"))}
    for xml in _COMMENT_STYLES:
        style = parse_xml(xml.format(ns=nsdecls("w")))
        if style.get(qn("w:styleId")) not in present:
            styles.append(style)


def _block_ids(sections: Sequence[Section]) -> set[int]:
    found: set[int] = set()
    for section in sections:
        found |= {block.id for block in section.paragraphs}
        found |= _block_ids(section.subsections)
    return found
