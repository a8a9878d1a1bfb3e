"""Builds the house-style template `hausstil.docx` from the WordprocessingML below.

Run `python -m exports.templates.build_template` after changing a style and check the
result in; a test makes sure the checked-in file is what this module builds. The package is
written from scratch rather than from python-docx's default template, which brings a 440 kB
style sheet, a thumbnail, custom XML and "python-docx" as author.

The template knows nothing of any association: name, address, logo and colour come from the
`Letterhead` when a paper is built. Styles that use the accent colour carry `ACCENT` (and
the light box fill `TINT`); the builder swaps both for the association's colours.

Accessibility (BITV 2.0): built-in heading styles numbered by a real numbering definition,
real lists, document language de-DE everywhere, header rows that repeat.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

TEMPLATE_PATH = Path(__file__).resolve().parent / "hausstil.docx"

ACCENT = "1F4E79"
TINT = "E9EFF6"
FONT = "Arial"
"""Metric-compatible with Liberation Sans, which LibreOffice substitutes for it on Debian."""

# A4 with 2.5 cm side margins: the text is 16 cm (9070 twips) wide.
TEXT_WIDTH = 9070
HEADING_NUMBERING_ID = 1
BULLET_NUMBERING_ID = 2
DECIMAL_NUMBERING_ID = 3

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_OFFICE = "application/vnd.openxmlformats-officedocument"
_WML = f"{_OFFICE}.wordprocessingml"

_LANG = '<w:lang w:val="de-DE" w:eastAsia="de-DE" w:bidi="ar-SA"/>'
_FONTS = f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
_GREY = "595959"  # 7:1 contrast on white, for header and footer


def _style(
    kind: str,
    style_id: str,
    name: str,
    *,
    based_on: str | None = None,
    next_style: str | None = None,
    default: bool = False,
    ui_priority: int | None = None,
    quick: bool = False,
    semi_hidden: bool = False,
    ppr: str = "",
    rpr: str = "",
    extra: str = "",
) -> str:
    """One w:style, its children in the order the schema requires."""
    parts = [f'<w:style w:type="{kind}" w:styleId="{style_id}"']
    parts.append(' w:default="1">' if default else ">")
    parts.append(f'<w:name w:val="{name}"/>')
    if based_on:
        parts.append(f'<w:basedOn w:val="{based_on}"/>')
    if next_style:
        parts.append(f'<w:next w:val="{next_style}"/>')
    if ui_priority is not None:
        parts.append(f'<w:uiPriority w:val="{ui_priority}"/>')
    if semi_hidden:
        parts.append("<w:semiHidden/><w:unhideWhenUsed/>")
    if quick:
        parts.append("<w:qFormat/>")
    if ppr:
        parts.append(f"<w:pPr>{ppr}</w:pPr>")
    if rpr:
        parts.append(f"<w:rPr>{rpr}</w:rPr>")
    parts.append(extra)
    parts.append("</w:style>")
    return "".join(parts)


def _heading(level: int, size_half_points: int, before: int) -> str:
    numbering = (
        f'<w:numPr><w:ilvl w:val="{level - 1}"/><w:numId w:val="{HEADING_NUMBERING_ID}"/></w:numPr>'
    )
    return _style(
        "paragraph",
        f"Heading{level}",
        f"heading {level}",
        based_on="Normal",
        next_style="Normal",
        ui_priority=9,
        quick=True,
        ppr=(
            f"<w:keepNext/><w:keepLines/>{numbering}<w:suppressAutoHyphens/>"
            f'<w:spacing w:before="{before}" w:after="120"'
            f' w:line="240" w:lineRule="auto"/><w:outlineLvl w:val="{level - 1}"/>'
        ),
        rpr=(
            f'<w:b/><w:bCs/><w:color w:val="{ACCENT}"/>'
            f'<w:sz w:val="{size_half_points}"/><w:szCs w:val="{size_half_points}"/>'
        ),
    )


def _toc(level: int) -> str:
    hanging = (567, 709, 907)[level - 1]
    left = (567, 1276, 2183)[level - 1]
    bold = "<w:b/><w:bCs/>" if level == 1 else ""
    return _style(
        "paragraph",
        f"TOC{level}",
        f"toc {level}",
        based_on="Normal",
        next_style="Normal",
        ui_priority=39,
        semi_hidden=True,
        ppr=(
            f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_WIDTH}"/></w:tabs>'
            f'<w:spacing w:before="{120 if level == 1 else 0}" w:after="60"/>'
            f'<w:ind w:left="{left}" w:hanging="{hanging}"/>'
        ),
        rpr=bold,
    )


def _list_ppr(numbering_id: int) -> str:
    return f'<w:numPr><w:numId w:val="{numbering_id}"/></w:numPr><w:spacing w:after="60"/>'


def styles_xml() -> str:
    border = f'w:val="single" w:sz="12" w:space="8" w:color="{ACCENT}"'
    box = f'w:val="single" w:sz="8" w:space="6" w:color="{ACCENT}"'
    thin = 'w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"'
    styles = [
        # Widow and orphan control also in the style: LibreOffice reads it from there.
        _style(
            "paragraph",
            "Normal",
            "Normal",
            default=True,
            quick=True,
            ppr="<w:widowControl/>",
            rpr=_FONTS + _LANG,
        ),
        _style(
            "character",
            "DefaultParagraphFont",
            "Default Paragraph Font",
            default=True,
            ui_priority=1,
            semi_hidden=True,
        ),
        _style(
            "table",
            "TableNormal",
            "Normal Table",
            default=True,
            ui_priority=99,
            semi_hidden=True,
            extra=(
                '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>'
                '<w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
                '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
                "</w:tblCellMar></w:tblPr>"
            ),
        ),
        _style("numbering", "NoList", "No List", default=True, ui_priority=99, semi_hidden=True),
        _style(
            "paragraph",
            "Title",
            "Title",
            based_on="Normal",
            next_style="Normal",
            ui_priority=10,
            quick=True,
            ppr=(
                '<w:keepNext/><w:suppressAutoHyphens/><w:spacing w:before="120" w:after="480"'
                ' w:line="240"'
                ' w:lineRule="auto"/>'
            ),
            rpr=(
                f'<w:b/><w:bCs/><w:color w:val="{ACCENT}"/><w:kern w:val="28"/>'
                '<w:sz w:val="52"/><w:szCs w:val="52"/>'
            ),
        ),
        _style(
            "paragraph",
            "Subtitle",
            "Subtitle",
            based_on="Normal",
            next_style="Normal",
            ui_priority=11,
            quick=True,
            ppr='<w:keepNext/><w:spacing w:before="2880" w:after="120"/>',
            rpr=(
                f'<w:caps/><w:color w:val="{ACCENT}"/><w:spacing w:val="20"/>'
                '<w:sz w:val="24"/><w:szCs w:val="24"/>'
            ),
        ),
        _heading(1, 32, 480),
        _heading(2, 26, 360),
        _heading(3, 23, 240),
        _style(
            "paragraph",
            "TOCHeading",
            "TOC Heading",
            based_on="Heading1",
            next_style="Normal",
            ui_priority=39,
            semi_hidden=True,
            quick=True,
            ppr=(
                '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="0"/></w:numPr>'
                '<w:spacing w:before="0"/><w:outlineLvl w:val="9"/>'
            ),
        ),
        _toc(1),
        _toc(2),
        _toc(3),
        _style(
            "paragraph",
            "ListBullet",
            "List Bullet",
            based_on="Normal",
            ui_priority=36,
            quick=True,
            ppr=_list_ppr(BULLET_NUMBERING_ID),
        ),
        _style(
            "paragraph",
            "ListNumber",
            "List Number",
            based_on="Normal",
            ui_priority=36,
            quick=True,
            ppr=_list_ppr(DECIMAL_NUMBERING_ID),
        ),
        _style(
            "paragraph",
            "Kernforderung",
            "Kernforderung",
            based_on="ListNumber",
            quick=True,
            ppr=(
                f"<w:pBdr><w:top {box}/><w:left {box}/><w:bottom {box}/><w:right {box}/></w:pBdr>"
                f'<w:shd w:val="clear" w:color="auto" w:fill="{TINT}"/>'
                '<w:spacing w:after="60"/><w:ind w:left="595" w:right="170" w:hanging="425"/>'
            ),
        ),
        _style(
            "paragraph",
            "MindermeinungHinweis",
            "Mindermeinung Hinweis",
            based_on="Normal",
            next_style="Mindermeinung",
            quick=True,
            ppr=(
                f"<w:keepNext/><w:pBdr><w:left {border}/></w:pBdr>"
                '<w:spacing w:before="120" w:after="40"/><w:ind w:left="567"/>'
            ),
            rpr=f'<w:b/><w:bCs/><w:color w:val="{ACCENT}"/><w:sz w:val="20"/><w:szCs w:val="20"/>',
        ),
        _style(
            "paragraph",
            "Mindermeinung",
            "Mindermeinung",
            based_on="Normal",
            quick=True,
            ppr=f'<w:pBdr><w:left {border}/></w:pBdr><w:ind w:left="567"/>',
            rpr='<w:i/><w:iCs/><w:color w:val="404040"/>',
        ),
        _style(
            "paragraph",
            "Titelangabe",
            "Titelangabe",
            based_on="Normal",
            quick=True,
            ppr=(
                '<w:tabs><w:tab w:val="left" w:pos="2268"/></w:tabs>'
                '<w:spacing w:after="80"/><w:ind w:left="2268" w:hanging="2268"/>'
            ),
        ),
        _style(
            "paragraph",
            "Verbandsname",
            "Verbandsname",
            based_on="Normal",
            quick=True,
            ppr='<w:spacing w:after="0"/>',
            rpr=f'<w:b/><w:bCs/><w:color w:val="{ACCENT}"/><w:sz w:val="28"/><w:szCs w:val="28"/>',
        ),
        _style(
            "paragraph",
            "Hinweis",
            "Hinweis",
            based_on="Normal",
            quick=True,
            ppr='<w:spacing w:before="480" w:after="80"/>',
            rpr='<w:color w:val="404040"/><w:sz w:val="18"/><w:szCs w:val="18"/>',
        ),
        _style(
            "paragraph",
            "Vermerk",
            "Vermerk",
            based_on="Normal",
            quick=True,
            ppr='<w:keepNext/><w:spacing w:before="0" w:after="360"/>',
            rpr=f'<w:b/><w:bCs/><w:color w:val="{ACCENT}"/><w:sz w:val="24"/><w:szCs w:val="24"/>',
        ),
        _style(
            "paragraph",
            "Kontakt",
            "Kontakt",
            based_on="Normal",
            quick=True,
            ppr='<w:keepLines/><w:spacing w:after="200" w:line="264" w:lineRule="auto"/>',
        ),
        _style(
            "paragraph",
            "Impressum",
            "Impressum",
            based_on="Normal",
            quick=True,
            ppr=(
                '<w:keepLines/><w:pBdr><w:top w:val="single" w:sz="4" w:space="6"'
                ' w:color="BFBFBF"/></w:pBdr>'
                '<w:spacing w:before="360" w:after="80" w:line="252" w:lineRule="auto"/>'
            ),
            rpr=f'<w:color w:val="{_GREY}"/><w:sz w:val="18"/><w:szCs w:val="18"/>',
        ),
        _style(
            "paragraph",
            "Caption",
            "caption",
            based_on="Normal",
            next_style="Normal",
            ui_priority=35,
            quick=True,
            ppr='<w:keepNext/><w:spacing w:before="240" w:after="80"/>',
            rpr='<w:b/><w:bCs/><w:color w:val="404040"/><w:sz w:val="19"/><w:szCs w:val="19"/>',
        ),
        _style(
            "paragraph",
            "Tabellentext",
            "Tabellentext",
            based_on="Normal",
            quick=True,
            ppr='<w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/>',
            rpr='<w:sz w:val="20"/><w:szCs w:val="20"/>',
        ),
        _style(
            "paragraph",
            "Tabellenkopf",
            "Tabellenkopf",
            based_on="Tabellentext",
            quick=True,
            ppr="<w:keepNext/>",
            rpr="<w:b/><w:bCs/>",
        ),
        _style(
            "table",
            "TableGrid",
            "Table Grid",
            based_on="TableNormal",
            ui_priority=39,
            extra=(
                f"<w:tblPr><w:tblBorders><w:top {thin}/><w:left {thin}/><w:bottom {thin}/>"
                f"<w:right {thin}/><w:insideH {thin}/><w:insideV {thin}/></w:tblBorders>"
                "</w:tblPr>"
                '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr>'
                f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{TINT}"/></w:tcPr>'
                "</w:tblStylePr>"
            ),
        ),
        _style(
            "paragraph",
            "FootnoteText",
            "footnote text",
            based_on="Normal",
            ui_priority=99,
            semi_hidden=True,
            ppr=(
                '<w:spacing w:after="40" w:line="240" w:lineRule="auto"/>'
                '<w:ind w:left="227" w:hanging="227"/>'
            ),
            rpr='<w:sz w:val="18"/><w:szCs w:val="18"/>',
        ),
        _style(
            "character",
            "FootnoteReference",
            "footnote reference",
            ui_priority=99,
            semi_hidden=True,
            rpr='<w:vertAlign w:val="superscript"/>',
        ),
        _style(
            "character",
            "Hyperlink",
            "Hyperlink",
            ui_priority=99,
            semi_hidden=True,
            rpr=f'<w:color w:val="{ACCENT}"/><w:u w:val="single"/>',
        ),
        _style(
            "paragraph",
            "Header",
            "header",
            based_on="Normal",
            ui_priority=99,
            semi_hidden=True,
            ppr=(
                '<w:pBdr><w:bottom w:val="single" w:sz="4" w:space="4" w:color="BFBFBF"/></w:pBdr>'
                f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>'
                '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
            ),
            rpr=f'<w:color w:val="{_GREY}"/><w:sz w:val="17"/><w:szCs w:val="17"/>',
        ),
        _style(
            "paragraph",
            "Footer",
            "footer",
            based_on="Normal",
            ui_priority=99,
            semi_hidden=True,
            ppr=(
                '<w:pBdr><w:top w:val="single" w:sz="4" w:space="4" w:color="BFBFBF"/></w:pBdr>'
                f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>'
                '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
            ),
            rpr=f'<w:color w:val="{_GREY}"/><w:sz w:val="17"/><w:szCs w:val="17"/>',
        ),
    ]
    defaults = (
        "<w:docDefaults>"
        f'<w:rPrDefault><w:rPr>{_FONTS}<w:sz w:val="22"/><w:szCs w:val="22"/>{_LANG}</w:rPr>'
        "</w:rPrDefault>"
        "<w:pPrDefault><w:pPr><w:widowControl/>"
        '<w:spacing w:after="160" w:line="276" w:lineRule="auto"/></w:pPr></w:pPrDefault>'
        "</w:docDefaults>"
    )
    return f'{_XML}<w:styles xmlns:w="{_W}">{defaults}{"".join(styles)}</w:styles>'


def _level(ilvl: int, fmt: str, text: str, *, left: int, hanging: int, style: str = "") -> str:
    pstyle = f'<w:pStyle w:val="{style}"/>' if style else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>{pstyle}'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr></w:lvl>'
    )


def numbering_xml() -> str:
    headings = "".join(
        _level(i, "decimal", text, left=width, hanging=width, style=f"Heading{i + 1}")
        for i, (text, width) in enumerate((("%1.", 567), ("%1.%2.", 709), ("%1.%2.%3.", 907)))
    )
    bullets = _level(0, "bullet", "•", left=357, hanging=357) + _level(
        1, "bullet", "–", left=714, hanging=357
    )
    decimal = _level(0, "decimal", "%1.", left=425, hanging=425)
    return (
        f'{_XML}<w:numbering xmlns:w="{_W}">'
        f'<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="multilevel"/>{headings}'
        "</w:abstractNum>"
        f'<w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="hybridMultilevel"/>'
        f"{bullets}</w:abstractNum>"
        f'<w:abstractNum w:abstractNumId="2"><w:multiLevelType w:val="singleLevel"/>{decimal}'
        "</w:abstractNum>"
        f'<w:num w:numId="{HEADING_NUMBERING_ID}"><w:abstractNumId w:val="0"/></w:num>'
        f'<w:num w:numId="{BULLET_NUMBERING_ID}"><w:abstractNumId w:val="1"/></w:num>'
        f'<w:num w:numId="{DECIMAL_NUMBERING_ID}"><w:abstractNumId w:val="2"/></w:num>'
        "</w:numbering>"
    )


def settings_xml() -> str:
    return (
        f'{_XML}<w:settings xmlns:w="{_W}">'
        '<w:zoom w:percent="100"/>'
        '<w:defaultTabStop w:val="709"/>'
        '<w:autoHyphenation w:val="true"/>'
        '<w:consecutiveHyphenLimit w:val="3"/>'
        '<w:hyphenationZone w:val="425"/>'
        '<w:characterSpacingControl w:val="doNotCompress"/>'
        '<w:footnotePr><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'
        '<w:compat><w:compatSetting w:name="compatibilityMode" '
        'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
        '<w:themeFontLang w:val="de-DE"/>'
        '<w:decimalSymbol w:val=","/><w:listSeparator w:val=";"/>'
        "</w:settings>"
    )


def font_table_xml() -> str:
    return (
        f'{_XML}<w:fonts xmlns:w="{_W}">'
        f'<w:font w:name="{FONT}"><w:altName w:val="Liberation Sans"/>'
        '<w:panose1 w:val="020B0604020202020204"/><w:charset w:val="00"/>'
        '<w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>'
        "</w:fonts>"
    )


def footnotes_xml() -> str:
    def special(kind: str, note_id: int, mark: str) -> str:
        return (
            f'<w:footnote w:type="{kind}" w:id="{note_id}"><w:p><w:pPr>'
            '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
            f"<w:r><w:{mark}/></w:r></w:p></w:footnote>"
        )

    return (
        f'{_XML}<w:footnotes xmlns:w="{_W}">'
        + special("separator", -1, "separator")
        + special("continuationSeparator", 0, "continuationSeparator")
        + "</w:footnotes>"
    )


def _field(instruction: str, placeholder: str) -> str:
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r><w:t>{placeholder}</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def _story(root: str, paragraph: str) -> str:
    return f'{_XML}<w:{root} xmlns:w="{_W}" xmlns:r="{_REL}">{paragraph}</w:{root}>'


def header_xml() -> str:
    # The builder writes the association's name and the paper's kind and date into it.
    return _story("hdr", '<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr></w:p>')


def first_page_header_xml() -> str:
    return _story(
        "hdr",
        '<w:p><w:pPr><w:pStyle w:val="Header"/><w:pBdr><w:bottom w:val="nil"/></w:pBdr>'
        "</w:pPr></w:p>",
    )


def footer_xml() -> str:
    # The builder puts "Entwurf" in front of the tab for a draft; "Seite x von y" stays right.
    return _story(
        "ftr",
        '<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr><w:r><w:tab/></w:r>'
        '<w:r><w:t xml:space="preserve">Seite </w:t></w:r>'
        + _field("PAGE", "1")
        + '<w:r><w:t xml:space="preserve"> von </w:t></w:r>'
        + _field("NUMPAGES", "1")
        + "</w:p>",
    )


def first_page_footer_xml() -> str:
    # The builder writes the association's name and address here: the title page letterhead.
    return _story("ftr", '<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr></w:p>')


def document_xml() -> str:
    return (
        f'{_XML}<w:document xmlns:w="{_W}" xmlns:r="{_REL}"><w:body><w:p/>'
        '<w:sectPr><w:headerReference w:type="default" r:id="rId6"/>'
        '<w:headerReference w:type="first" r:id="rId7"/>'
        '<w:footerReference w:type="default" r:id="rId8"/>'
        '<w:footerReference w:type="first" r:id="rId9"/>'
        '<w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1418" w:right="1418" w:bottom="1134" w:left="1418" w:header="709"'
        ' w:footer="567" w:gutter="0"/>'
        '<w:cols w:space="708"/><w:titlePg/><w:docGrid w:linePitch="360"/>'
        "</w:sectPr></w:body></w:document>"
    )


_DOCUMENT_PARTS = (
    ("rId1", "styles", "styles.xml"),
    ("rId2", "numbering", "numbering.xml"),
    ("rId3", "settings", "settings.xml"),
    ("rId4", "fontTable", "fontTable.xml"),
    ("rId5", "footnotes", "footnotes.xml"),
    ("rId6", "header", "header1.xml"),
    ("rId7", "header", "header2.xml"),
    ("rId8", "footer", "footer1.xml"),
    ("rId9", "footer", "footer2.xml"),
)


def _relationships(rels: list[tuple[str, str, str]]) -> str:
    items = "".join(
        f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in rels
    )
    return f'{_XML}<Relationships xmlns="{_PKG_REL}">{items}</Relationships>'


def content_types_xml() -> str:
    overrides = {
        "/word/document.xml": f"{_WML}.document.main+xml",
        "/word/styles.xml": f"{_WML}.styles+xml",
        "/word/numbering.xml": f"{_WML}.numbering+xml",
        "/word/settings.xml": f"{_WML}.settings+xml",
        "/word/fontTable.xml": f"{_WML}.fontTable+xml",
        "/word/footnotes.xml": f"{_WML}.footnotes+xml",
        "/word/header1.xml": f"{_WML}.header+xml",
        "/word/header2.xml": f"{_WML}.header+xml",
        "/word/footer1.xml": f"{_WML}.footer+xml",
        "/word/footer2.xml": f"{_WML}.footer+xml",
        "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
        "/docProps/app.xml": f"{_OFFICE}.extended-properties+xml",
    }
    items = "".join(f'<Override PartName="{p}" ContentType="{c}"/>' for p, c in overrides.items())
    return (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels"'
        ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f"{items}</Types>"
    )


def core_xml() -> str:
    return (
        f"{_XML}<cp:coreProperties"
        ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:title>Hausstil</dc:title><dc:creator>Positionen</dc:creator>"
        "<cp:lastModifiedBy>Positionen</cp:lastModifiedBy><cp:revision>1</cp:revision>"
        "<dc:language>de-DE</dc:language>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:modified>'
        "</cp:coreProperties>"
    )


def app_xml() -> str:
    return (
        f"{_XML}<Properties"
        ' xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
        ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        "<Application>Positionen</Application><DocSecurity>0</DocSecurity>"
        "</Properties>"
    )


def template_parts() -> dict[str, str]:
    """Every part of the template by its name in the package, in a stable order."""
    package_rels = [
        ("rId1", f"{_REL}/officeDocument", "word/document.xml"),
        (
            "rId2",
            "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
            "docProps/core.xml",
        ),
        ("rId3", f"{_REL}/extended-properties", "docProps/app.xml"),
    ]
    document_rels = [(i, f"{_REL}/{kind}", target) for i, kind, target in _DOCUMENT_PARTS]
    return {
        "[Content_Types].xml": content_types_xml(),
        "_rels/.rels": _relationships(package_rels),
        "docProps/core.xml": core_xml(),
        "docProps/app.xml": app_xml(),
        "word/document.xml": document_xml(),
        "word/_rels/document.xml.rels": _relationships(document_rels),
        "word/styles.xml": styles_xml(),
        "word/numbering.xml": numbering_xml(),
        "word/settings.xml": settings_xml(),
        "word/fontTable.xml": font_table_xml(),
        "word/footnotes.xml": footnotes_xml(),
        "word/header1.xml": header_xml(),
        "word/header2.xml": first_page_header_xml(),
        "word/footer1.xml": footer_xml(),
        "word/footer2.xml": first_page_footer_xml(),
    }


def build_template_bytes() -> bytes:
    """The template package; the same bytes on every run (fixed order and timestamps)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, xml in template_parts().items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, xml.encode("utf-8"))
    return buffer.getvalue()


def build_template(path: Path = TEMPLATE_PATH) -> Path:
    """Writes the template to `path` (by default the checked-in `hausstil.docx`)."""
    path.write_bytes(build_template_bytes())
    return path


if __name__ == "__main__":
    print(build_template(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE_PATH))
