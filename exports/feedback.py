"""The feedback copy: the draft paper with the members' reviews as Word comments, for the
association's internal discussion.

Each review becomes one comment on the paragraph it is about (on a table's caption for a
table), written by the organisation, or by "Mitglied (anonym)" when it did not allow naming.
The comment says the stance (Zustimmung / Bedenken / Ablehnung), the member's words, whether
a minority opinion is asked for, and the office's reply if there is one. The copy is marked
as internal on the title page and in the footer of every page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.run import Run

from exports.document import MemberReview, PaperDocument, Section
from exports.errors import InvalidExportInput
from exports.word import bookmark_name, build_paper
from exports.wordml import Element, add_run, clean_text, highest_id, one_line
from positions.core import labels
from positions.core.clock import utcnow

ANONYMOUS_AUTHOR = "Mitglied (anonym)"
INTERNAL_NOTE = "intern: mit Rückmeldungen der Mitglieder"

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
    known = _block_ids(paper.sections)
    unknown = sorted(pid for pid, found in reviews.items() if found and pid not in known)
    if unknown:
        raise InvalidExportInput(
            "Rückmeldungen beziehen sich auf Absätze, die diese Fassung nicht enthält "
            f"(Absatz {', '.join(str(pid) for pid in unknown)})."
        )
    status = " · ".join(t for t in (one_line(paper.status_label), INTERNAL_NOTE) if t)
    word = Document(io.BytesIO(build_paper(replace(paper, status_label=status), now=now)))
    _add_comment_styles(word)
    above = highest_id(word.element.body)
    starts = {
        start.get(qn("w:name")): start for start in word.element.body.iter(qn("w:bookmarkStart"))
    }
    for paragraph_id, paragraph_reviews in reviews.items():
        if not paragraph_reviews:
            continue
        runs = _anchor_runs(starts[bookmark_name(paragraph_id)])
        for review in paragraph_reviews:
            _comment(word, runs, review, now)
    _renumber_comments(word, above)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def comment_author(review: MemberReview) -> str:
    """The organisation's name, or "Mitglied (anonym)" when it may not be named."""
    name = one_line(review.organisation)
    return name if review.may_name and name else ANONYMOUS_AUTHOR


def comment_text(review: MemberReview) -> list[str]:
    """The comment's paragraphs: stance, the member's words, the request for a minority
    opinion, the office's reply."""
    lines = [labels.STANCE[review.stance]]
    comment = clean_text(review.comment).strip()
    if comment:
        lines += [line for line in comment.split("\n") if line.strip()]
    if review.minority_opinion_requested:
        lines.append("Bitte um Mindermeinung.")
    reply = one_line(review.staff_reply)
    if reply:
        lines.append(f"Antwort der Geschäftsstelle: {reply}")
    return lines


def initials(author: str) -> str:
    """Up to three initials of the organisation, legal forms left out ("MA" for "Muster
    Antriebstechnik GmbH")."""
    if author == ANONYMOUS_AUTHOR:
        return "M"
    words = [w for w in re.findall(r"\b[^\W\d_][\w.&-]*", author) if w.lower() not in _LEGAL_FORMS]
    return "".join(w[0].upper() for w in words[:3]) or "M"


def _comment(word: Any, runs: list[Run], review: MemberReview, now: datetime) -> None:
    author = comment_author(review)
    comment = word.add_comment(runs, text="", author=author, initials=initials(author))
    comment._comment_elm.date = (review.submitted or now).astimezone(UTC).replace(microsecond=0)
    first, *rest = comment_text(review)
    add_run(comment.paragraphs[0]._p, first, bold=True)
    for line in rest:
        add_run(comment.add_paragraph()._p, line)


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
