"""Editing an exported paper the way a colleague or a ministry does in Word (retyping a
paragraph, moving one, commenting), the way other programs damage it (bookmarks or custom
properties stripped), and saving it again in LibreOffice."""

from __future__ import annotations

import fcntl
import io
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import docx
from lxml import etree

from exports import pdf
from exports.word import BOOKMARK_PREFIX

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
COMMENTS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
COMMENTS_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
)

Element = Any


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


class WordPackage:
    """A .docx opened for editing its parts with lxml, saved with every other part as it was."""

    def __init__(self, data: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            self.parts = {name: archive.read(name) for name in archive.namelist()}
        self.trees: dict[str, Element] = {}

    def xml(self, name: str) -> Element:
        if name not in self.trees:
            self.trees[name] = etree.fromstring(self.parts[name])
        return self.trees[name]

    @property
    def document(self) -> Element:
        return self.xml("word/document.xml")

    def save(self) -> bytes:
        for name, tree in self.trees.items():
            self.parts[name] = etree.tostring(
                tree, xml_declaration=True, encoding="UTF-8", standalone=True
            )
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.parts.items():
                archive.writestr(name, data)
        return out.getvalue()

    def paragraph(self, paragraph_id: int) -> Element:
        """The paragraph that carries the bookmark of `paragraph_id`."""
        name = f"{BOOKMARK_PREFIX}{paragraph_id}"
        (start,) = [s for s in self.document.iter(f"{W}bookmarkStart") if s.get(f"{W}name") == name]
        return start.getparent()

    def paragraph_with(self, words: str) -> Element:
        """The last body paragraph whose text contains `words` (the paper text comes after
        the Kernforderungen box, which may repeat it)."""
        found = [p for p in self.document.iter(f"{W}p") if words in _text(p)]
        assert found, f"no paragraph contains {words!r}"
        return found[-1]

    # --- what Word does ---

    def comment(
        self,
        p: Element,
        words: str,
        text: str,
        *,
        author: str = "Ministerium",
        date: str = "2026-12-01T10:00:00Z",
    ) -> None:
        """A comment on `words` of paragraph `p`, written as Word writes one: the run split
        around the words, commentRangeStart/End around them, a reference run after them, and
        the comment in word/comments.xml."""
        comments = self._comments_part()
        comment_id = str(len(comments))
        run = next(r for r in p.iter(f"{W}r") if words in "".join(r.itertext()))
        t = run.find(f"{W}t")
        before, after = t.text.split(words, 1)
        pieces = []
        for piece in (before, words, after):
            copy = etree.fromstring(etree.tostring(run))
            copy.find(f"{W}t").text = piece
            copy.find(f"{W}t").set(XML_SPACE, "preserve")
            pieces.append(copy)
        start, end = _w("commentRangeStart", id=comment_id), _w("commentRangeEnd", id=comment_id)
        reference = _w("r")
        reference.append(_w("rPr"))
        reference[0].append(_w("rStyle", val="CommentReference"))
        reference.append(_w("commentReference", id=comment_id))
        for element in (pieces[0], start, pieces[1], end, reference, pieces[2]):
            run.addprevious(element)
        run.getparent().remove(run)
        body = _w("comment", id=comment_id, author=author, date=date, initials=author[:2])
        for line in text.split("\n"):
            para = _w("p")
            para_run = _w("r")
            para_run.append(_w("t"))
            para_run[0].text = line
            para.append(para_run)
            body.append(para)
        comments.append(body)

    def _comments_part(self) -> Element:
        name = "word/comments.xml"
        if name not in self.parts:
            self.parts[name] = f'<w:comments xmlns:w="{W_NS}"/>'.encode()
            relationships = self.xml("word/_rels/document.xml.rels")
            taken = {r.get("Id") for r in relationships}
            number = next(n for n in range(1, 1000) if f"rId{n}" not in taken)
            relation = etree.SubElement(relationships, f"{RELATIONSHIPS}Relationship")
            relation.set("Id", f"rId{number}")
            relation.set("Type", COMMENTS_TYPE)
            relation.set("Target", "comments.xml")
            types = self.xml("[Content_Types].xml")
            override = etree.SubElement(types, f"{CONTENT_TYPES}Override")
            override.set("PartName", "/word/comments.xml")
            override.set("ContentType", COMMENTS_CONTENT_TYPE)
        return self.xml(name)

    # --- what other programs do ---

    def strip_bookmarks(self) -> None:
        for tag in ("bookmarkStart", "bookmarkEnd"):
            for mark in list(self.document.iter(f"{W}{tag}")):
                mark.getparent().remove(mark)

    def strip_custom_properties(self) -> None:
        """docProps/custom.xml, its relationship and content type gone, as a "remove
        personal information" tool leaves a file."""
        self.parts.pop("docProps/custom.xml", None)
        for name, attribute, value in (
            ("_rels/.rels", "Type", "custom-properties"),
            ("[Content_Types].xml", "PartName", "/docProps/custom.xml"),
        ):
            root = self.xml(name)
            for child in list(root):
                if (child.get(attribute) or "").endswith(value):
                    root.remove(child)


def edited(data: bytes, *edits: Any) -> bytes:
    """`data` after calling each of `edits` with its WordPackage."""
    package = WordPackage(data)
    for edit in edits:
        edit(package)
    return package.save()


def resave_in_libreoffice(files: dict[str, bytes], folder: Path) -> dict[str, bytes]:
    """The files opened and saved again as .docx by LibreOffice, as a colleague without
    Word would: one LibreOffice run for all, under the lock our PDF export takes, in a
    profile of its own."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is installed by make test"
    sources = folder / "in"
    sources.mkdir()
    for name, data in files.items():
        (sources / name).write_bytes(data)
    with pdf.LOCK_FILE.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "docx:MS Word 2007 XML",
                    "--outdir",
                    str(folder / "out"),
                    *(str(sources / name) for name in files),
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return {name: (folder / "out" / name).read_bytes() for name in files}


def _w(tag: str, **attributes: str) -> Element:
    made = etree.Element(f"{W}{tag}", nsmap={"w": W_NS})
    for key, value in attributes.items():
        made.set(f"{W}{key}", value)
    return made


def _text(p: Element) -> str:
    return "".join(t.text or "" for t in p.iter(f"{W}t"))
