"""Reading WordprocessingML: element names, the wrappers Word puts around content, the parts
a document relates to, and paragraph styles. Shared by the text extraction of uploads and by
reading an exported paper that came back edited."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from positions.uploads.package import Package, Xml

# --- WordprocessingML names -----------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

P, R, T, TBL, TR, TC = (f"{W}{n}" for n in ("p", "r", "t", "tbl", "tr", "tc"))
PPR, RPR, TRPR, TCPR = (f"{W}{n}" for n in ("pPr", "rPr", "trPr", "tcPr"))
SDT, SDT_CONTENT, CUSTOM_XML = f"{W}sdt", f"{W}sdtContent", f"{W}customXml"
DEL, MOVE_FROM = f"{W}del", f"{W}moveFrom"
ALTERNATE, CHOICE, FALLBACK = (f"{MC}{n}" for n in ("AlternateContent", "Choice", "Fallback"))
TXBX_CONTENT = f"{W}txbxContent"
FLD_CHAR, RUBY, RUBY_BASE = f"{W}fldChar", f"{W}ruby", f"{W}rubyBase"
FOOTNOTE_REF, ENDNOTE_REF = f"{W}footnoteReference", f"{W}endnoteReference"
VAL = f"{W}val"

# Containers whose children belong to the paragraph as if they stood there directly.
TRANSPARENT_INLINE = {
    f"{W}{n}" for n in ("hyperlink", "ins", "moveTo", "smartTag", "customXml", "fldSimple")
} | {f"{W}dir", f"{W}bdo"}
TEXT_IN_RUN = {
    f"{W}tab": "\t",
    f"{W}ptab": "\t",
    f"{W}br": "\n",
    f"{W}cr": "\n",
    f"{W}noBreakHyphen": "-",
    f"{W}softHyphen": "",
}
SHAPES = {f"{W}drawing", f"{W}pict", f"{W}object", ALTERNATE}


def child_of(element: Xml | None, tag: str) -> Xml | None:
    return None if element is None else element.find(tag)


def val_of(element: Xml | None, tag: str) -> str | None:
    found = child_of(element, tag)
    return None if found is None else found.get(VAL)


def as_int(value: str | None) -> int | None:
    try:
        return None if value is None else int(value)
    except ValueError:
        return None


def is_on(element: Xml | None) -> bool:
    """A WordprocessingML on/off property: present and not switched off."""
    return element is not None and element.get(VAL) not in ("0", "false", "off")


def chosen_branch(alternate: Xml) -> Xml | None:
    # mc:AlternateContent holds the same content twice (e.g. DrawingML and VML text box);
    # like Word we read the first Choice, and the Fallback only when there is none.
    for tag in (CHOICE, FALLBACK):
        branch = alternate.find(tag)
        if branch is not None:
            return branch
    return None


def flatten(container: Xml, wanted: set[str]) -> Iterator[Xml]:
    """Children with a wanted tag, seen through content controls, custom XML and
    alternate content, which wrap content without changing it."""
    for child in container:
        tag = child.tag
        if tag in wanted:
            yield child
        elif tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from flatten(content, wanted)
        elif tag == CUSTOM_XML:
            yield from flatten(child, wanted)
        elif tag == ALTERNATE:
            branch = chosen_branch(child)
            if branch is not None:
                yield from flatten(branch, wanted)


# --- the parts we read ----------------------------------------------------------------------

_DEFAULT_PARTS = {
    "styles": "word/styles.xml",
    "numbering": "word/numbering.xml",
    "footnotes": "word/footnotes.xml",
    "endnotes": "word/endnotes.xml",
    "settings": "word/settings.xml",
}


def related_part_names(package: Package) -> dict[str, str]:
    """Part name per relationship kind ("styles", "footnotes", …) of the main document."""
    names: dict[str, str] = {}
    relationships = package.xml("word/_rels/document.xml.rels")
    for relationship in relationships if relationships is not None else ():
        kind = str(relationship.get("Type") or "").rsplit("/", 1)[-1]
        target = str(relationship.get("Target") or "")
        if relationship.get("TargetMode") == "External" or kind not in _DEFAULT_PARTS:
            continue
        name = target[1:] if target.startswith("/") else posixpath.normpath("word/" + target)
        names.setdefault(kind, name)
    return {kind: names.get(kind, default) for kind, default in _DEFAULT_PARTS.items()}


# --- styles ---------------------------------------------------------------------------------

# Built-in names ("heading 1"; German Word shows "Überschrift 1", id "berschrift1") and
# custom ones starting the same way ("Heading 1 Numbered").
_HEADING_NAME = re.compile(r"(?:heading|überschrift)\s*([1-9])(?![0-9])")
_HEADING_ID = re.compile(r"(?:heading|berschrift|überschrift)([1-9])(?![0-9])")


@dataclass(frozen=True)
class _Style:
    name: str
    based_on: str | None
    num_id: str | None
    ilvl: int | None
    outline: int | None


class Styles:
    """Paragraph and numbering styles, with basedOn inheritance."""

    def __init__(self, root: Xml | None) -> None:
        self._styles: dict[str, _Style] = {}
        self.default_paragraph: str | None = None
        for style in root if root is not None else ():
            style_id = style.get(f"{W}styleId")
            if style.tag != f"{W}style" or not style_id:
                continue
            ppr = style.find(PPR)
            num_pr = child_of(ppr, f"{W}numPr")
            self._styles[style_id] = _Style(
                name=(val_of(style, f"{W}name") or "").lower(),
                based_on=val_of(style, f"{W}basedOn"),
                num_id=val_of(num_pr, f"{W}numId"),
                ilvl=as_int(val_of(num_pr, f"{W}ilvl")),
                outline=as_int(val_of(ppr, f"{W}outlineLvl")),
            )
            if style.get(f"{W}type") == "paragraph" and _on_attr(style.get(f"{W}default")):
                self.default_paragraph = style_id

    def chain(self, style_id: str | None) -> Iterator[tuple[str, _Style]]:
        """The style and its ancestors, nearest first; cycles and absurd depth cut off."""
        seen: set[str] = set()
        while style_id and style_id in self._styles and style_id not in seen and len(seen) < 20:
            seen.add(style_id)
            style = self._styles[style_id]
            yield style_id, style
            style_id = style.based_on

    def heading_level(self, style_id: str | None) -> int | None:
        for found_id, style in self.chain(style_id):
            match = _HEADING_NAME.match(style.name) or _HEADING_ID.match(found_id.lower())
            if match:
                return int(match.group(1))
            if style.outline is not None:
                return style.outline + 1 if style.outline < 9 else None
        return None

    def numbering(self, style_id: str | None) -> tuple[str | None, int | None]:
        """The (numId, ilvl) a style gives its paragraphs; each found nearest first."""
        num_id: str | None = None
        ilvl: int | None = None
        for _, style in self.chain(style_id):
            num_id = num_id if num_id is not None else style.num_id
            ilvl = ilvl if ilvl is not None else style.ilvl
        return num_id, ilvl


def _on_attr(value: str | None) -> bool:
    return value in ("1", "true", "on")
