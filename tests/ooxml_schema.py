"""Schema check of Word documents as Word reads them, against the ECMA-376 schemas in
tests/data/ooxml-xsd (transitional edition).

`problems(path)` and `problems_in_bytes(data)` return one line per problem, "PART LINE:
message", and an empty list for a valid document. Checked: every XML part is well-formed;
the WordprocessingML parts (document, styles, numbering, settings, notes, comments, headers,
footers …), `[Content_Types].xml`, the relationship parts and `docProps/custom.xml` are
valid against their schema.

Before validating, Markup Compatibility is applied as a consumer that knows only ECMA-376
does: `mc:AlternateContent` is replaced by the content of its `mc:Fallback` (or by nothing),
and elements and attributes of the namespaces named in `mc:Ignorable` are dropped. Two rules
that later editions of the standard relaxed and that Word does not enforce are tolerated:
`w:zoom` without `w:percent`, and move ranges without `w:date`.
"""

from __future__ import annotations

import io
import re
import threading
import zipfile
from functools import cache
from pathlib import Path
from typing import IO

from lxml import etree

SCHEMAS = Path(__file__).resolve().parent / "data" / "ooxml-xsd"

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
CUSTOM_PROPERTIES = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"

# The schema for the namespace of a part's root element; parts of other namespaces (core and
# app properties, themes, custom XML) are only checked for being well-formed.
SCHEMA_FILES = {
    W: "wml.xsd",
    CONTENT_TYPES: "opc-xsd/opc-contentTypes.xsd",
    RELATIONSHIPS: "opc-xsd/opc-relationships.xsd",
    CUSTOM_PROPERTIES: "shared-documentPropertiesCustom.xsd",
}

TOLERATED = (
    re.compile(rf"Element '\{{{W}\}}zoom': The attribute '\{{{W}\}}percent' is required"),
    re.compile(
        rf"Element '\{{{W}\}}move(From|To)RangeStart': The attribute '\{{{W}\}}date' is required"
    ),
)

# A compiled schema keeps the errors of its last run, so validations take turns.
_VALIDATING = threading.Lock()


def problems(path: Path) -> list[str]:
    """The schema problems of the Word document at `path`; empty when it is valid."""
    with path.open("rb") as file:
        return _package_problems(file)


def problems_in_bytes(data: bytes) -> list[str]:
    """The schema problems of a Word document given as bytes; empty when it is valid."""
    return _package_problems(io.BytesIO(data))


def _package_problems(file: IO[bytes]) -> list[str]:
    try:
        package = zipfile.ZipFile(file)
    except zipfile.BadZipFile as error:
        return [f"not a zip package: {error}"]
    with package:
        names = package.namelist()
        if "[Content_Types].xml" not in names or "word/document.xml" not in names:
            return ["not a Word document: [Content_Types].xml or word/document.xml is missing"]
        found: list[str] = []
        for name in names:
            if name.endswith((".xml", ".rels")):
                found += part_problems(name, package.read(name))
        return found


def part_problems(name: str, data: bytes) -> list[str]:
    """The problems of one part of a package, named `name`, as `problems` reports them."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        return [f"{name} {error.lineno}: not well-formed XML: {error.msg}"]
    if root.getroottree().docinfo.doctype:
        # Package parts may not declare a DTD (ECMA-376 Part 2); its entities stay unresolved.
        return [f"{name} 1: a document type declaration is not allowed in a package part"]
    namespace = etree.QName(root).namespace
    if namespace not in SCHEMA_FILES:
        return []
    rules = schema(namespace)
    consumed = without_markup_compatibility(root)
    with _VALIDATING:
        if rules.validate(consumed):
            return []
        errors = [(error.line, error.message) for error in rules.error_log]
    return [
        f"{name} {line}: {message}"
        for line, message in errors
        if not any(rule.search(message) for rule in TOLERATED)
    ]


@cache
def schema(namespace: str) -> etree.XMLSchema:
    """The compiled schema for parts whose root element is in `namespace`."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMAS / SCHEMA_FILES[namespace]), parser))


def without_markup_compatibility(root: etree._Element) -> etree._Element:
    """`root`, changed in place, as an ECMA-376 consumer reads it (see the module docstring)."""
    ignorable: set[str] = set()
    for element in root.iter(etree.Element):
        prefixes = (element.get(f"{{{MC}}}Ignorable") or "").split()
        ignorable.update(element.nsmap[prefix] for prefix in prefixes if prefix in element.nsmap)

    # Outermost blocks first: a block nested in a Choice leaves with it, one nested in a
    # Fallback moves up with the Fallback's content and is replaced in its new place.
    for block in list(root.iter(f"{{{MC}}}AlternateContent")):
        parent = block.getparent()
        if parent is None:
            continue
        fallback = block.find(f"{{{MC}}}Fallback")
        at = parent.index(block)
        for offset, child in enumerate(list(fallback) if fallback is not None else []):
            parent.insert(at + offset, child)
        parent.remove(block)

    for element in list(root.iter(etree.Element)):
        parent = element.getparent()
        if etree.QName(element).namespace in ignorable and parent is not None:
            parent.remove(element)
            continue
        for attribute in list(element.attrib):
            if etree.QName(attribute).namespace in ignorable | {MC}:
                del element.attrib[attribute]
    return root
