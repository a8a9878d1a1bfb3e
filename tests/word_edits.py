"""Editing an exported paper the way a colleague does in Word: retyping a paragraph."""

import io

import docx

from exports.word import BOOKMARK_PREFIX


def retype_paragraph(data: bytes, text: str, *, paragraph_id: int | None = None) -> bytes:
    """The file after retyping one paragraph of the paper text (untracked): the one carrying
    the bookmark of `paragraph_id`, or the first one that carries any of ours."""
    edited = docx.Document(io.BytesIO(data))
    wanted = f"{BOOKMARK_PREFIX}{paragraph_id}" if paragraph_id is not None else BOOKMARK_PREFIX
    [target, *_] = [
        p
        for p in edited.paragraphs
        if any(
            name == wanted or (paragraph_id is None and name.startswith(wanted))
            for name in p._p.xpath(".//w:bookmarkStart/@w:name")
        )
    ]
    target.runs[0].text = text
    for run in target.runs[1:]:
        run.text = ""
    buffer = io.BytesIO()
    edited.save(buffer)
    return buffer.getvalue()
