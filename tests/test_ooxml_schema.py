"""The project's schema check of Word documents (tests/ooxml_schema.py) on documents known to
be valid or broken."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest

from tests import ooxml_schema
from tests.tools import REAL_WORD_FILES

W = ooxml_schema.W
NAMESPACES = (
    f'xmlns:w="{W}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'
)
SECTION = '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>'

# The one real file that breaks the schema: python-docx's fixture has a character style in a
# paragraph's properties (w:rStyle in w:pPr) in three comments.
INVALID_REAL_FILES = {"python-docx__comments-rich-para.docx": ("word/comments.xml", "rStyle", 3)}


def default_document() -> bytes:
    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


def with_part(data: bytes, name: str, xml: str) -> bytes:
    """`data` with the part `name` replaced (or added)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item))
        target.writestr(name, xml)
    return out.getvalue()


def with_body(body: str, *, root_attributes: str = "") -> bytes:
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<w:document {NAMESPACES} {root_attributes}><w:body>{body}{SECTION}</w:body></w:document>"
    )
    return with_part(default_document(), "word/document.xml", xml)


def test_a_python_docx_default_document_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "default.docx"
    path.write_bytes(default_document())
    assert ooxml_schema.problems(path) == []
    assert ooxml_schema.problems_in_bytes(path.read_bytes()) == []


def test_a_paragraph_with_properties_in_schema_order_is_valid() -> None:
    paragraph = (
        '<w:p><w:pPr><w:pStyle w:val="Title"/><w:jc w:val="center"/></w:pPr>'
        "<w:r><w:rPr><w:b/><w:i/></w:rPr><w:t>Titel</w:t></w:r></w:p>"
    )
    assert ooxml_schema.problems_in_bytes(with_body(paragraph)) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            '<w:p><w:pPr><w:jc w:val="center"/><w:pStyle w:val="Title"/></w:pPr></w:p>',
            "pStyle': This element is not expected",
            id="paragraph properties in the wrong order",
        ),
        pytest.param(
            "<w:p><w:r><w:fancyText>Hallo</w:fancyText></w:r></w:p>",
            "fancyText': This element is not expected",
            id="unknown element",
        ),
        pytest.param(
            '<w:p><w:pPr><w:jc w:val="mittig"/></w:pPr></w:p>',
            "'mittig' is not an element of the set",
            id="value outside the enumeration",
        ),
        pytest.param(
            "<w:p><w:pPr><w:pStyle/></w:pPr></w:p>",
            f"The attribute '{{{W}}}val' is required but missing",
            id="required attribute missing",
        ),
        pytest.param(
            '<w:p w14:paraId="1A2B3C4D"/>',
            "wordml}paraId' is not allowed",
            id="extension attribute without mc:Ignorable",
        ),
    ],
)
def test_a_broken_document_part_is_reported_with_its_line(body: str, message: str) -> None:
    [problem] = ooxml_schema.problems_in_bytes(with_body(body))
    assert problem.startswith("word/document.xml 2: "), problem
    assert message in problem


def test_markup_compatibility_is_applied_as_an_ecma_376_consumer_does() -> None:
    # The Choice holds what only newer consumers know; its Fallback is plain WordprocessingML.
    alternate = (
        '<mc:AlternateContent><mc:Choice Requires="w14"><w:p><w14:fancy/></w:p></mc:Choice>'
        "<mc:Fallback><w:p><w:r><w:t>Ersatz</w:t></w:r></w:p></mc:Fallback></mc:AlternateContent>"
    )
    ignorable = '<w:p w14:paraId="1A2B3C4D"><w14:unknown/><w:r><w:t>Text</w:t></w:r></w:p>'
    valid = with_body(alternate + ignorable, root_attributes='mc:Ignorable="w14"')
    assert ooxml_schema.problems_in_bytes(valid) == []
    # What the Fallback holds is still checked.
    broken = alternate.replace("<w:t>Ersatz</w:t>", "<w:fancyText/>")
    [problem] = ooxml_schema.problems_in_bytes(with_body(broken))
    assert "fancyText': This element is not expected" in problem


def test_only_the_two_relaxed_rules_are_tolerated() -> None:
    settings = (
        f'<w:settings xmlns:w="{W}">'
        '<w:zoom w:val="bestFit"/><w:defaultTabStop w:val="708"/></w:settings>'
    )
    moved = (
        '<w:moveFromRangeStart w:id="1" w:name="move1" w:author="A"/>'
        '<w:p><w:moveFrom w:id="2" w:author="A" w:date="2026-01-01T00:00:00Z"><w:r>'
        "<w:t>weg</w:t></w:r></w:moveFrom></w:p>"
        '<w:moveFromRangeEnd w:id="1"/>'
    )
    tolerated = with_part(with_body(moved), "word/settings.xml", settings)
    assert ooxml_schema.problems_in_bytes(tolerated) == []
    # Other required attributes of the same elements are still required.
    broken = moved.replace(' w:author="A"/>', "/>", 1)
    [problem] = ooxml_schema.problems_in_bytes(with_body(broken))
    assert f"moveFromRangeStart': The attribute '{{{W}}}author' is required" in problem


def test_package_parts_and_custom_properties_are_checked() -> None:
    content_types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml"/></Types>'
    )
    custom = (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
        ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Papier">'
        "<vt:i4>{value}</vt:i4></property></Properties>"
    )
    document = default_document()
    assert (
        ooxml_schema.problems_in_bytes(
            with_part(document, "docProps/custom.xml", custom.replace("{value}", "7"))
        )
        == []
    )
    [problem] = ooxml_schema.problems_in_bytes(
        with_part(document, "docProps/custom.xml", custom.replace("{value}", "sieben"))
    )
    assert problem.startswith("docProps/custom.xml 1: ") and "'sieben'" in problem
    [problem] = ooxml_schema.problems_in_bytes(
        with_part(document, "[Content_Types].xml", content_types)
    )
    assert "ContentType' is required" in problem


def test_a_part_that_is_not_well_formed_and_a_file_that_is_no_document() -> None:
    [problem] = ooxml_schema.problems_in_bytes(
        with_part(default_document(), "word/styles.xml", "<w:styles>")
    )
    assert problem.startswith("word/styles.xml 1: not well-formed XML")
    assert ooxml_schema.problems_in_bytes(b"kein Zip")[0].startswith("not a zip package")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
    assert ooxml_schema.problems_in_bytes(out.getvalue()) == [
        "not a Word document: [Content_Types].xml or word/document.xml is missing"
    ]


def test_a_document_type_declaration_is_refused_and_its_entities_are_not_read(
    tmp_path: Path,
) -> None:
    # Were the entity read, its markup would be an unknown element in the paragraph; instead
    # the declaration itself is the problem (package parts may not have one).
    outside = tmp_path / "outside.xml"
    outside.write_text(f'<w:fancyText xmlns:w="{W}"/>', encoding="utf-8")
    xml = (
        f'<!DOCTYPE w:document [<!ENTITY outside SYSTEM "{outside.as_uri()}">]>'
        f"<w:document {NAMESPACES}><w:body><w:p>&outside;</w:p>{SECTION}</w:body></w:document>"
    )
    found = ooxml_schema.problems_in_bytes(with_part(default_document(), "word/document.xml", xml))
    assert found == [
        "word/document.xml 1: a document type declaration is not allowed in a package part"
    ]


@pytest.mark.parametrize(
    "path", sorted(REAL_WORD_FILES.glob("*.docx")), ids=lambda path: str(path.name)
)
def test_real_word_files(path: Path) -> None:
    found = ooxml_schema.problems(path)
    if path.name not in INVALID_REAL_FILES:
        assert found == []
        return
    part, element, count = INVALID_REAL_FILES[path.name]
    assert len(found) == count
    assert all(p.startswith(f"{part} ") and f"}}{element}'" in p for p in found), found
