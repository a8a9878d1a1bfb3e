"""Reading an exported paper that came back edited: the document is changed here the way Word
writes it (split runs, revision ids, tracked changes by another author, lost and wandering
bookmarks), never through python-docx, and the proposals are checked."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import docx
import pytest
from lxml import etree

from exports import roundtrip, synopse, word
from exports.roundtrip import Proposal, ReturnedPaper, read_returned_paper
from positions.core.errors import InvalidUpload
from positions.papers.diffing import Version, compare_versions
from tests.test_synopse import old_and_new, paper_version
from tests.test_word_export import NOW, hostile_paper, realistic_paper
from tests.tools import schema_problems

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
PAPER = realistic_paper()
BASE = paper_version(PAPER, "Version 3", date(2026, 11, 25))
TEXT = {p.id: p.text for p in BASE.paragraphs}
EXPORTED = word.build_paper(PAPER, now=NOW)
MINISTRY_DATE = "2026-12-01T10:00:00Z"

Element = Any


# --- editing as Word does -------------------------------------------------------------------


class WordEdit:
    """The document.xml of an export, edited with lxml the way Word saves edits."""

    def __init__(self, data: bytes = EXPORTED) -> None:
        self.archive = zipfile.ZipFile(io.BytesIO(data))
        self.root: Element = etree.fromstring(self.archive.read("word/document.xml"))
        self.next_id = 9000

    def save(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in self.archive.namelist():
                data = self.archive.read(name)
                if name == "word/document.xml":
                    data = etree.tostring(
                        self.root, xml_declaration=True, encoding="UTF-8", standalone=True
                    )
                archive.writestr(name, data)
        return out.getvalue()

    def paragraph(self, paragraph_id: int) -> Element:
        (start,) = [
            s
            for s in self.root.iter(f"{W}bookmarkStart")
            if s.get(f"{W}name") == f"_pos_p_{paragraph_id}"
        ]
        return start.getparent()

    @staticmethod
    def element(tag: str, **attributes: str) -> Element:
        made = etree.Element(f"{W}{tag}")
        for key, value in attributes.items():
            made.set(f"{W}{key}", value)
        return made

    def run(self, text: str, *, deleted: bool = False, rsid: str = "00A1B2C3") -> Element:
        run = self.element("r", rsidR=rsid)
        properties = etree.SubElement(run, f"{W}rPr")
        etree.SubElement(properties, f"{W}lang").set(f"{W}val", "de-DE")
        t = etree.SubElement(run, f"{W}{'delText' if deleted else 't'}")
        t.text = text
        t.set(XML_SPACE, "preserve")
        return run

    def change(self, kind: str, *runs: Element, author: str = "Ministerium") -> Element:
        self.next_id += 1
        change = self.element(kind, id=str(self.next_id), author=author, date=MINISTRY_DATE)
        change.extend(runs)
        return change

    def mark(self, p: Element, kind: str, author: str = "Ministerium") -> None:
        """Marks the paragraph mark of `p` as inserted or deleted."""
        properties = p.find(f"{W}pPr")
        if properties is None:
            properties = self.element("pPr")
            p.insert(0, properties)
        etree.SubElement(properties, f"{W}rPr").append(self.change(kind, author=author))

    def set_text(self, p: Element, *pieces: Element | str) -> None:
        """Replaces the paragraph's text run with `pieces` (text for plain runs), split the
        way Word splits runs at edits and spelling marks."""
        (text_run,) = [r for r in p.findall(f"{W}r") if r.find(f"{W}t") is not None]
        for piece in pieces:
            text_run.addprevious(self.run(piece) if isinstance(piece, str) else piece)
        p.remove(text_run)

    def new_paragraph(self, text: str, style: str | None = None) -> Element:
        p = self.element("p", rsidR="00D4E5F6", rsidRDefault="00D4E5F6")
        if style:
            etree.SubElement(etree.SubElement(p, f"{W}pPr"), f"{W}pStyle").set(f"{W}val", style)
        p.append(self.element("proofErr", type="spellStart"))
        p.append(self.run(text))
        p.append(self.element("proofErr", type="spellEnd"))
        return p


def read(data: bytes, base: Version = BASE) -> ReturnedPaper:
    return read_returned_paper(data, base, filename="Positionspapier_BMWE_Anmerkungen.docx")


def summary(result: ReturnedPaper) -> list[tuple[Any, ...]]:
    return [
        (p.kind, p.paragraph_id, p.matched_by, p.tracked, p.authors, p.moved)
        for p in result.proposals
    ]


def by_id(result: ReturnedPaper) -> dict[int | None, Proposal]:
    return {p.paragraph_id: p for p in result.proposals if p.paragraph_id is not None}


# --- the ministry's copy --------------------------------------------------------------------


@pytest.fixture(scope="module")
def ministry_copy() -> bytes:
    """Tracked insertion (201) and deletion (302) by "Ministerium", a tracked new paragraph
    after 202, an untracked new paragraph after 303, 103 deleted outright, 301 reworded and
    its bookmark lost, and the start of 212's bookmark left at the end of 211."""
    edit = WordEdit()
    edit.set_text(
        edit.paragraph(201),
        "Die Strompreise für die Industrie liegen in Deutschland",
        edit.change("ins", edit.run(" seit Jahren")),
        " deutlich über denen der Wettbewerber in Frankreich und den USA.",
    )
    edit.set_text(
        edit.paragraph(302),
        "Das Qualifizierungschancengesetz sollte Weiterbildungen auch in Betrieben mit weniger "
        "als 50 Beschäftigten",
        edit.change("del", edit.run(" voll", deleted=True)),
        " fördern.",
    )
    tracked = edit.element("p")
    edit.mark(tracked, "ins")
    tracked.append(
        edit.change("ins", edit.run("Ein Industriestrompreis muss beihilferechtlich halten."))
    )
    edit.paragraph(202).addnext(tracked)
    edit.paragraph(303).addnext(
        edit.new_paragraph("Zusätzlich sollte die Meisterausbildung gefördert werden.")
    )
    gone = edit.paragraph(103)
    gone.getparent().remove(gone)
    reworded = edit.paragraph(301)
    for bookmark in [*reworded.findall(f"{W}bookmarkStart"), *reworded.findall(f"{W}bookmarkEnd")]:
        reworded.remove(bookmark)
    edit.set_text(
        reworded,
        "Die Beschäftigten von heute sind die Fachkräfte von morgen. ",
        "Qualifizierung muss im Betrieb stattfinden können.",
    )
    start = edit.paragraph(212).find(f"{W}bookmarkStart")
    edit.paragraph(211).append(start)
    return edit.save()


def test_edited_copy_is_still_valid_word(ministry_copy: bytes, tmp_path: Path) -> None:
    # Proof that the edits above are what Word could have written.
    assert schema_problems(ministry_copy, tmp_path) == []


def test_ministry_copy_becomes_proposals_in_reading_order(ministry_copy: bytes) -> None:
    result = read(ministry_copy)
    ministry = ("Ministerium",)
    assert summary(result) == [
        ("unchanged", 101, "bookmark", False, (), False),
        ("unchanged", 102, "bookmark", False, (), False),
        ("deletion", 103, None, False, (), False),
        ("change", 201, "bookmark", True, ministry, False),
        ("unchanged", 202, "bookmark", False, (), False),
        ("addition", None, None, True, ministry, False),
        ("unchanged", 203, "bookmark", False, (), False),
        ("unchanged", 211, "bookmark", False, (), False),
        ("unchanged", 212, "bookmark", False, (), False),
        ("change", 301, "similarity", False, (), False),
        ("change", 302, "bookmark", True, ministry, False),
        ("unchanged", 303, "bookmark", False, (), False),
        ("addition", None, None, False, (), False),
    ]
    assert result.bookmarks_found == len(BASE.paragraphs) - 2 + 1  # 103, 301 gone; table
    assert result.counts() == {"change": 3, "addition": 2, "deletion": 1, "unchanged": 7}


def test_tracked_changes_give_both_readings_with_author_and_date(ministry_copy: bytes) -> None:
    proposals = by_id(read(ministry_copy))
    inserted = proposals[201]
    assert inserted.new_text == TEXT[201].replace("Deutschland", "Deutschland seit Jahren")
    assert inserted.rejected_text == TEXT[201]
    (change,) = inserted.changes
    assert (change.kind, change.text, change.author) == ("insertion", " seit Jahren", "Ministerium")
    assert change.date == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert [(p.op, p.text) for p in inserted.pieces if p.op != "equal"] == [
        ("insert", "seit Jahren ")
    ]
    deleted = proposals[302]
    assert deleted.new_text == TEXT[302].replace(" voll", "")
    assert deleted.rejected_text == TEXT[302]
    assert [(c.kind, c.text) for c in deleted.changes] == [("deletion", " voll")]
    assert deleted.note == ""


def test_additions_know_where_they_stand(ministry_copy: bytes) -> None:
    additions = [p for p in read(ministry_copy).proposals if p.kind == "addition"]
    tracked, plain = additions
    assert tracked.new_text == "Ein Industriestrompreis muss beihilferechtlich halten."
    assert tracked.rejected_text == ""
    assert tracked.after_paragraph_id == 202
    assert tracked.section == "Energie und Standort"
    assert [c.mark for c in tracked.changes] == [False, True]
    assert plain.new_text == "Zusätzlich sollte die Meisterausbildung gefördert werden."
    assert (plain.after_paragraph_id, plain.section) == (303, "Fachkräfte und Qualifizierung")
    assert plain.rejected_text is None


def test_lost_bookmarks_fall_back_to_similarity_and_say_so(ministry_copy: bytes) -> None:
    result = read(ministry_copy)
    reworded = by_id(result)[301]
    assert reworded.new_text.startswith("Die Beschäftigten von heute sind die Fachkräfte von")
    assert reworded.score is not None and reworded.score > 80
    assert reworded.note.startswith("über die Ähnlichkeit des Textes zugeordnet (")
    assert result.notes[0] == (
        "Ein Absatz hat seine Absatzmarke verloren und wurde über die Ähnlichkeit seines "
        "Textes zugeordnet."
    )
    assert "nachverfolgte Änderungen von Ministerium" in result.notes[-1]
    missing = by_id(result)[103]
    assert (missing.old_text, missing.new_text) == (TEXT[103], "")
    assert missing.note == "im zurückgekommenen Dokument nicht gefunden"


def test_a_bookmark_start_left_in_the_paragraph_before_still_counts(
    ministry_copy: bytes,
) -> None:
    proposals = by_id(read(ministry_copy))
    assert proposals[211].new_text == TEXT[211]
    assert proposals[212].new_text == TEXT[212]
    assert proposals[212].matched_by == "bookmark"


# --- what Word does to bookmarks --------------------------------------------------------------


def test_a_paragraph_split_in_two_proposes_the_second_half_as_split_off() -> None:
    edit = WordEdit()
    p = edit.paragraph(101)
    first, second = TEXT[101].split(" Der Wandel")
    edit.set_text(p, first)
    tail = edit.new_paragraph("Der Wandel" + second)
    tail.append(p.find(f"{W}bookmarkEnd"))  # Word keeps the end where the text went
    p.addnext(tail)
    result = read(edit.save())
    proposals = result.proposals
    assert [(x.kind, x.paragraph_id) for x in proposals[:2]] == [
        ("change", 101),
        ("addition", None),
    ]
    assert proposals[0].new_text == first
    assert proposals[1].note == "vermutlich von Absatz 101 abgetrennt"
    assert proposals[1].after_paragraph_id == 101


def test_two_paragraphs_joined_keep_the_longer_and_propose_the_other_for_deletion() -> None:
    edit = WordEdit()
    first, second = edit.paragraph(302), edit.paragraph(303)
    for child in list(second):
        if child.tag != f"{W}pPr":
            first.append(child)
    second.getparent().remove(second)
    result = by_id(read(edit.save()))
    assert result[302].kind == "change"
    assert result[302].new_text == TEXT[302] + TEXT[303]
    assert result[303].kind == "deletion"
    assert result[303].note == "mit einem anderen Absatz zusammengeführt"


def test_a_tracked_split_and_a_tracked_deletion_of_a_whole_paragraph() -> None:
    edit = WordEdit()
    # The board splits 102 with change tracking on: the first half gets a new mark.
    p = edit.paragraph(102)
    at = TEXT[102].index("stoßen")
    first, second = TEXT[102][:at], TEXT[102][at:]
    edit.set_text(p, first)
    edit.mark(p, "ins", author="Vorstand")
    tail = edit.new_paragraph(second)
    tail.append(p.find(f"{W}bookmarkEnd"))
    p.addnext(tail)
    # … and deletes 212 as a whole, its bookmark staying.
    gone = edit.paragraph(212)
    (text_run,) = [r for r in gone.findall(f"{W}r") if r.find(f"{W}t") is not None]
    text_run.addprevious(edit.change("del", edit.run(TEXT[212], deleted=True), author="Vorstand"))
    gone.remove(text_run)
    edit.mark(gone, "del", author="Vorstand")
    data = edit.save()
    result = by_id(read(data))
    split = result[102]
    assert (split.kind, split.new_text, split.rejected_text) == ("change", first.strip(), TEXT[102])
    assert split.authors == ("Vorstand",)
    deleted = result[212]
    assert (deleted.kind, deleted.tracked, deleted.authors) == ("deletion", True, ("Vorstand",))
    assert deleted.rejected_text == TEXT[212]
    assert result[211].kind == "unchanged" and not result[211].tracked


# --- files that are not (quite) ours ----------------------------------------------------------


def test_a_document_without_our_bookmarks_is_matched_by_text() -> None:
    foreign = docx.Document()
    foreign.add_heading("Stellungnahme des Ministeriums", 1)
    foreign.add_paragraph(TEXT[303])
    foreign.add_paragraph(TEXT[101].replace("rund", "etwa"))
    foreign.add_heading("Energie", 2)
    foreign.add_paragraph(TEXT[201])
    foreign.add_paragraph("Der Bund prüft eine Entlastung bei den Netzentgelten.")
    out = io.BytesIO()
    foreign.save(out)
    result = read(out.getvalue())
    assert result.notes[0] == roundtrip.NO_BOOKMARKS
    assert result.bookmarks_found == 0
    kinds = [(p.kind, p.paragraph_id, p.matched_by) for p in result.proposals]
    assert [k for k in kinds if k[0] != "deletion"] == [
        ("unchanged", 303, "similarity"),
        ("change", 101, "similarity"),
        ("unchanged", 201, "similarity"),
        ("addition", None, None),
    ]
    assert by_id(result)[303].moved
    assert by_id(result)[303].section == "Stellungnahme des Ministeriums"
    deletions = {p.paragraph_id for p in result.proposals if p.kind == "deletion"}
    assert deletions == set(TEXT) - {101, 201, 303}


def test_our_own_tracked_synopse_reads_back_as_both_versions(tmp_path: Path) -> None:
    old, new = old_and_new()
    tracked = synopse.build_synopse_tracked(PAPER, compare_versions(old, new), now=NOW)
    against_new = read(tracked, new)
    assert {p.kind for p in against_new.proposals} == {"unchanged"}
    assert by_id(against_new)[102].rejected_text == next(
        p.text for p in old.paragraphs if p.id == 102
    )
    against_old = by_id(read(tracked, old))
    assert against_old[102].kind == "change"
    assert against_old[150].kind == "deletion" and against_old[150].tracked
    assert against_old[303].moved and against_old[303].kind == "unchanged"
    additions = [p for p in read(tracked, old).proposals if p.kind == "addition"]
    assert [p.new_text for p in additions] == [TEXT[202]]


def _with_part(name: str, data: bytes, base: bytes = EXPORTED) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.namelist():
            archive.writestr(item, data if item == name else source.read(item))
        if name not in source.namelist():
            archive.writestr(name, data)
    return out.getvalue()


def _deep() -> bytes:
    document = EXPORTED
    xml = zipfile.ZipFile(io.BytesIO(document)).read("word/document.xml").decode()
    nested = "<w:hyperlink>" * 3000 + "<w:r><w:t>x</w:t></w:r>" + "</w:hyperlink>" * 3000
    return _with_part(
        "word/document.xml", xml.replace("<w:body>", f"<w:body><w:p>{nested}</w:p>", 1).encode()
    )


HOSTILE_FILES: dict[str, Callable[[], bytes]] = {
    "doctype": lambda: _with_part(
        "word/document.xml",
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>",
    ),
    "macros": lambda: _with_part("word/vbaProject.bin", b"\x00" * 100),
    "bomb": lambda: _with_part("word/media/filler.xml", b"<a/>" + b" " * 30_000_000),
    "not-a-zip": lambda: b"Dies ist keine Word-Datei." * 10,
    "deep": _deep,
}


@pytest.mark.parametrize("make", HOSTILE_FILES.values(), ids=HOSTILE_FILES.keys())
def test_hostile_files_are_refused_like_any_upload(make: Callable[[], bytes]) -> None:
    with pytest.raises(InvalidUpload):
        read(make())


def test_a_file_name_other_than_docx_is_refused() -> None:
    with pytest.raises(InvalidUpload, match="Makros"):
        read_returned_paper(EXPORTED, BASE, filename="papier.docm")
    assert read_returned_paper(EXPORTED, BASE).counts()["unchanged"] == len(BASE.paragraphs)


def test_an_unchanged_export_proposes_nothing_but_keeps_its_tables_out() -> None:
    result = read(EXPORTED)
    assert [p.kind for p in result.proposals] == ["unchanged"] * len(BASE.paragraphs)
    assert result.notes == ()
    older = replace(BASE, paragraphs=[p for p in BASE.paragraphs if p.id != 303])
    unknown = read(EXPORTED, older)
    assert unknown.notes == (
        "1 Absatzmarken gehören zu keinem Absatz dieser Fassung und wurden übergangen.",
    )
    assert [p.kind for p in unknown.proposals][-1] == "addition"


def test_hostile_text_survives_the_tracked_export_and_reads_back_unchanged(
    tmp_path: Path,
) -> None:
    paper = hostile_paper()
    new = paper_version(paper, "neu", date(2026, 2, 1))
    old = replace(new, paragraphs=[replace(p, text=p.text[:30]) for p in new.paragraphs][::-1])
    tracked = synopse.build_synopse_tracked(paper, compare_versions(old, new), now=NOW)
    assert schema_problems(tracked, tmp_path) == []
    assert {p.kind for p in read(tracked, new).proposals} == {"unchanged"}
