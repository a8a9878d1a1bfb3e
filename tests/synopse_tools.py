"""Accepting or rejecting every tracked change of a Word document, to check that a tracked
Synopse gives the new version (accept all) and the old one (reject all), exactly.

`lines(data, view)` reads the body as (paragraph style name, text) pairs the way Word shows
it after "accept all" or "reject all": inserted text (`w:ins`, `w:moveTo`) kept or dropped,
deleted text (`w:del`, `w:moveFrom`) dropped or kept, a paragraph whose mark is removed
joined to the next one (which keeps its own style, as in Word), paragraph properties from
`w:pPrChange` when rejecting, table rows marked inserted or deleted kept or dropped.
Footnote marks read as "[^text]", so a footnote that changes is a difference too. A document
without tracked changes reads the same in both views.

`libreoffice(data, action)` lets LibreOffice itself accept all, reject all, or only open and
save the document again (headless, a Basic macro in a private profile, one at a time with
the other LibreOffice users of this machine).
"""

from __future__ import annotations

import fcntl
import io
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from lxml import etree

from exports import pdf

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
View = Literal["accept", "reject"]
Line = tuple[str, str]
"""A paragraph as (style name, text)."""

_SHOWN_WHEN = {
    "accept": ({f"{W}ins", f"{W}moveTo"}, {f"{W}del", f"{W}moveFrom"}),
    "reject": ({f"{W}del", f"{W}moveFrom"}, {f"{W}ins", f"{W}moveTo"}),
}
_DESCEND = {
    f"{W}{tag}"
    for tag in ("hyperlink", "smartTag", "customXml", "fldSimple", "sdt", "sdtContent", "dir")
}


@dataclass
class _Reader:
    view: View
    styles: dict[str, str]
    footnotes: dict[str, str]
    out: list[Line] = field(default_factory=list)
    carried: str = ""
    """Text of paragraphs whose mark went away, waiting for the next paragraph."""

    def block(self, element: Any) -> None:
        if element.tag == f"{W}p":
            self.paragraph(element)
        elif element.tag == f"{W}tbl":
            for row in element.iter(f"{W}tr"):
                if self._row_gone(row):
                    continue
                for cell in row.findall(f"{W}tc"):
                    for child in cell:
                        self.block(child)
        elif element.tag in _DESCEND:
            for child in element:
                self.block(child)

    def _row_gone(self, row: Any) -> bool:
        _, hidden = _SHOWN_WHEN[self.view]
        marks = row.find(f"{W}trPr")
        return marks is not None and any(m.tag in hidden for m in marks)

    def paragraph(self, p: Any) -> None:
        text = self.carried + self.inline(p, shown=True)
        ppr = p.find(f"{W}pPr")
        mark = ppr.find(f"{W}rPr") if ppr is not None else None
        _, hidden = _SHOWN_WHEN[self.view]
        if mark is not None and any(m.tag in hidden for m in mark):
            self.carried = text
            return
        self.carried = ""
        self.out.append((self.style(ppr), text))

    def style(self, ppr: Any) -> str:
        if ppr is not None and self.view == "reject":
            change = ppr.find(f"{W}pPrChange/{W}pPr")
            if change is not None:
                ppr = change
        style = ppr.find(f"{W}pStyle") if ppr is not None else None
        style_id = style.get(f"{W}val") if style is not None else None
        return self.styles.get(style_id or "", "Normal") if style_id else "Normal"

    def inline(self, element: Any, *, shown: bool) -> str:
        shows, hides = _SHOWN_WHEN[self.view]
        parts: list[str] = []
        for child in element:
            if child.tag in hides:
                continue
            if child.tag in shows or child.tag in _DESCEND:
                parts.append(self.inline(child, shown=shown))
            elif child.tag == f"{W}r":
                parts.append(self.run(child))
        return "".join(parts)

    def run(self, r: Any) -> str:
        parts: list[str] = []
        for child in r:
            tag = child.tag
            if tag in (f"{W}t", f"{W}delText"):
                parts.append(child.text or "")
            elif tag == f"{W}tab":
                parts.append("\t")
            elif tag == f"{W}cr" or (tag == f"{W}br" and child.get(f"{W}type") is None):
                parts.append("\n")  # a page break (LibreOffice's "page break before") is no text
            elif tag == f"{W}noBreakHyphen":
                parts.append("\u2011")
            elif tag == f"{W}footnoteReference":
                parts.append(f"[^{self.footnotes.get(child.get(f'{W}id'), '?')}]")
        return "".join(parts)


def lines(data: bytes, view: View = "accept") -> list[Line]:
    """The document's paragraphs (body and table cells, in reading order) after accepting
    or rejecting every tracked change."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = etree.fromstring(archive.read("word/document.xml")).find(f"{W}body")
        styles = _style_names(archive.read("word/styles.xml"))
        names = set(archive.namelist())
        footnotes = (
            _footnote_texts(archive.read("word/footnotes.xml"), view)
            if "word/footnotes.xml" in names
            else {}
        )
    reader = _Reader(view, styles, footnotes)
    for child in body:
        reader.block(child)
    if reader.carried:
        reader.out.append(("Normal", reader.carried))
    return reader.out


def _style_names(xml: bytes) -> dict[str, str]:
    root = etree.fromstring(xml)
    found = {}
    for style in root.iter(f"{W}style"):
        name = style.find(f"{W}name")
        if name is not None:
            found[style.get(f"{W}styleId")] = _normal_style_name(name.get(f"{W}val"))
    return found


def _normal_style_name(name: str) -> str:
    """Word writes some built-in names in lower case ("heading 1"), LibreOffice in title
    case; python-docx reads both as "Heading 1"."""
    return name[:1].upper() + name[1:] if name.startswith(("heading", "toc", "title")) else name


def _footnote_texts(xml: bytes, view: View) -> dict[str, str]:
    root = etree.fromstring(xml)
    texts = {}
    for note in root.iter(f"{W}footnote"):
        reader = _Reader(view, {}, {})
        for p in note.findall(f"{W}p"):
            reader.paragraph(p)
        texts[note.get(f"{W}id")] = " ".join(t.strip() for _, t in reader.out).strip()
    return texts


def tracked_change_count(data: bytes) -> dict[str, int]:
    """How many `w:ins`, `w:del`, `w:moveFrom`, `w:moveTo`, `w:pPrChange`, `w:rPrChange`
    the body has (run containers and paragraph marks alike)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = etree.fromstring(archive.read("word/document.xml"))
    return {
        tag: sum(1 for _ in body.iter(f"{W}{tag}"))
        for tag in ("ins", "del", "moveFrom", "moveTo", "pPrChange", "rPrChange")
    }


def paragraph_contents(found: list[Line]) -> list[Line]:
    """`found` without empty paragraphs and without the table of contents: what LibreOffice
    writes back differs from Word's there (it leaves out empty paragraphs of a field result
    and fills in page numbers)."""
    return [(style, text) for style, text in found if text.strip() and not _in_toc(style)]


def _in_toc(style: str) -> bool:
    return style.lower().startswith(("toc", "contents"))


# --- LibreOffice ------------------------------------------------------------------------------

Action = Literal["accept", "reject", "save"]

_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Changes"
 script:language="StarBasic">
Sub Apply(sIn As String, sOut As String, sAction As String)
  On Error GoTo Failed
  Dim oDoc As Object
  Dim aLoad(0) As New com.sun.star.beans.PropertyValue
  aLoad(0).Name = &quot;Hidden&quot;
  aLoad(0).Value = True
  oDoc = StarDesktop.loadComponentFromURL(sIn, &quot;_blank&quot;, 0, aLoad())
  If sAction &lt;&gt; &quot;save&quot; Then
    Dim aNone()
    oHelper = createUnoService(&quot;com.sun.star.frame.DispatchHelper&quot;)
    oFrame = oDoc.getCurrentController().getFrame()
    sCommand = &quot;.uno:RejectAllTrackedChanges&quot;
    If sAction = &quot;accept&quot; Then sCommand = &quot;.uno:AcceptAllTrackedChanges&quot;
    oHelper.executeDispatch(oFrame, sCommand, &quot;&quot;, 0, aNone())
  End If
  Dim aStore(0) As New com.sun.star.beans.PropertyValue
  aStore(0).Name = &quot;FilterName&quot;
  aStore(0).Value = &quot;MS Word 2007 XML&quot;
  oDoc.storeToURL(sOut, aStore())
Failed:
  If Not IsNull(oDoc) Then oDoc.close(True)
End Sub
</script:module>
"""
_LIBRARY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard"
 library:readonly="false" library:passwordprotected="false">
 <library:element library:name="Changes"/>
</library:library>
"""


@cache
def _profile() -> Path:
    """A LibreOffice profile of this test process with the macro (made once)."""
    soffice = shutil.which("soffice")
    assert soffice is not None
    path = Path(tempfile.mkdtemp(prefix="synopse-lo-profile-"))
    subprocess.run(
        [soffice, *pdf.soffice_flags(path), "--terminate_after_init"], check=True, timeout=180
    )
    library = path / "user" / "basic" / "Standard"
    (library / "Changes.xba").write_text(_MACRO, encoding="utf-8")
    (library / "script.xlb").write_text(_LIBRARY, encoding="utf-8")
    return path


def libreoffice(data: bytes, action: Action) -> bytes:
    """The document after LibreOffice accepted all changes, rejected all, or (`"save"`)
    only opened and saved it, as .docx."""
    soffice = shutil.which("soffice")
    assert soffice is not None
    with tempfile.TemporaryDirectory(prefix="synopse-lo-") as tmp:
        source, target = Path(tmp) / "in.docx", Path(tmp) / "out.docx"
        source.write_bytes(data)
        macro = (
            f'macro:///Standard.Changes.Apply("{source.as_uri()}","{target.as_uri()}","{action}")'
        )
        with pdf.LOCK_FILE.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                subprocess.run(
                    [soffice, *pdf.soffice_flags(_profile()), macro], check=True, timeout=180
                )
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        assert target.exists(), "LibreOffice wrote nothing"
        return target.read_bytes()
