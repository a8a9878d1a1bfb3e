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
from sqlalchemy.engine import Engine
from sqlmodel import select

import cli
from db.engine import create_engine_for, read_session
from db.models import Paper, PaperStatus, ParagraphComment, id_of
from exports import paper_exports, roundtrip, synopse, word
from exports.document import PaperDocument, Section
from exports.document import Paragraph as Block
from exports.roundtrip import Proposal, ReturnedPaper, read_returned_paper
from positions.core.errors import InvalidUpload
from positions.core.permissions import SYSTEM
from positions.papers.diffing import Version, compare_versions
from tests.apptest import log_in
from tests.test_app import switch, texts
from tests.test_synopse import old_and_new, paper_version
from tests.test_word_export import NOW, hostile_paper, realistic_paper
from tests.tools import schema_problems
from tests.word_edits import WordPackage, edited, resave_in_libreoffice, retype_paragraph

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
    # The ministry pasted most of the paper into a document of its own and edited it.
    foreign = docx.Document()
    foreign.add_heading("Stellungnahme des Ministeriums", 1)
    foreign.add_paragraph(TEXT[303])
    foreign.add_paragraph(TEXT[101].replace("rund", "etwa"))
    for pid in (102, 103, 202, 203, 211, 212):
        foreign.add_paragraph(TEXT[pid])
    foreign.add_heading("Energie", 2)
    foreign.add_paragraph(TEXT[201])
    foreign.add_paragraph("Der Bund prüft eine Entlastung bei den Netzentgelten.")
    result = read(_saved(foreign))
    assert result.notes[0] == roundtrip.NO_BOOKMARKS
    assert result.bookmarks_found == 0
    kinds = [(p.kind, p.paragraph_id, p.matched_by) for p in result.proposals]
    assert [k for k in kinds if k[0] not in {"deletion", "unchanged"}] == [
        ("change", 101, "similarity"),
        ("addition", None, None),
    ]
    assert by_id(result)[303].section == "Stellungnahme des Ministeriums"
    deletions = {p.paragraph_id for p in result.proposals if p.kind == "deletion"}
    assert deletions == {301, 302}


def test_an_unrelated_word_file_is_refused_instead_of_deleting_the_paper() -> None:
    unrelated = docx.Document()
    unrelated.add_heading("Protokoll der Referatsleiterrunde", 1)
    unrelated.add_paragraph("Die Runde tagt künftig donnerstags um 10 Uhr.")
    unrelated.add_paragraph(TEXT[201])  # one sentence of the paper, quoted
    unrelated.core_properties.title = "Protokoll"
    with pytest.raises(InvalidUpload) as refused:
        read(_saved(unrelated))
    assert refused.value.message == (
        "Diese Datei ist kein Export dieses Papiers („Protokoll“): Von 11 Absätzen des "
        "Papiers findet sich nur 1 darin wieder. Bitte prüfen Sie, ob Sie die richtige Datei "
        "beim richtigen Papier hochladen."
    )


def _saved(document: Any) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


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
    "comment-entities": lambda: _with_part(
        "word/comments.xml",
        b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b'<w:comment w:id="0"><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:comment></w:comments>',
        edited(EXPORTED, comment_on_201_and_a_heading),
    ),
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


# --- moves and comments ---------------------------------------------------------------------


def test_a_moved_paragraph_is_reported_as_a_move_with_its_new_place() -> None:
    def move_303_after_101(package: WordPackage) -> None:
        package.paragraph(101).addnext(package.paragraph(303))

    result = read(edited(EXPORTED, move_303_after_101))
    moved = by_id(result)[303]
    assert (moved.kind, moved.moved, moved.matched_by) == ("unchanged", True, "bookmark")
    assert (moved.after_paragraph_id, moved.section) == (101, "Ausgangslage")
    assert moved.note == ""
    assert [p.paragraph_id for p in result.proposals if p.moved] == [303]


def comment_on_201_and_a_heading(package: WordPackage) -> None:
    package.comment(
        package.paragraph(201),
        "deutlich über denen der Wettbewerber",
        "Bitte Quelle für den Vergleich nennen.",
        author="Dr. Petra Schmidt (BMWE)",
    )
    package.comment(package.paragraph(302), "Qualifizierungschancengesetz", "Siehe § 82 SGB III.")
    package.comment(
        package.paragraph_with("Energie und Standort"), "Energie", "Gliederung\nüberdenken."
    )


def test_comments_from_the_ministry_are_read_with_their_paragraph(tmp_path: Path) -> None:
    commented = edited(EXPORTED, comment_on_201_and_a_heading)
    assert schema_problems(commented, tmp_path) == []  # written as Word writes comments
    result = read(commented)
    assert {p.kind for p in result.proposals} == {"unchanged"}
    (on_201,) = by_id(result)[201].comments
    assert on_201.author == "Dr. Petra Schmidt (BMWE)"
    assert on_201.text == "Bitte Quelle für den Vergleich nennen."
    assert on_201.quote == "deutlich über denen der Wettbewerber"
    assert on_201.date == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert [c.text for c in by_id(result)[302].comments] == ["Siehe § 82 SGB III."]
    assert result.notes == (
        "Kommentar von Ministerium am 01.12.2026 bei „Energie und Standort“ (außerhalb des "
        "Papiertextes): Gliederung\nüberdenken.",
    )
    notes = roundtrip.comment_notes(result.proposals, source="Stellungnahme_BMWE.docx")
    assert notes == [
        (
            201,
            "Kommentar von Dr. Petra Schmidt (BMWE) am 01.12.2026 in „Stellungnahme_BMWE.docx“ "
            "zu „deutlich über denen der Wettbewerber“: Bitte Quelle für den Vergleich nennen.",
        ),
        (
            302,
            "Kommentar von Ministerium am 01.12.2026 in „Stellungnahme_BMWE.docx“ zu "
            "„Qualifizierungschancengesetz“: Siehe § 82 SGB III.",
        ),
    ]


def test_a_comment_on_a_new_paragraph_stays_with_the_addition() -> None:
    def add_and_comment(package: WordPackage) -> None:
        new = WordEdit().new_paragraph("Der Bund prüft eine Entlastung bei der Stromsteuer.")
        package.paragraph(202).addnext(new)
        package.comment(new, "Stromsteuer", "Neu vom Referat 3.")

    result = read(edited(EXPORTED, add_and_comment))
    (addition,) = [p for p in result.proposals if p.kind == "addition"]
    assert [c.text for c in addition.comments] == ["Neu vom Referat 3."]
    assert roundtrip.comment_notes(result.proposals, source="x.docx") == []


# --- files that lost what we wrote ------------------------------------------------------------


def strip_everything(package: WordPackage) -> None:
    package.strip_bookmarks()
    package.strip_custom_properties()


def test_a_file_without_bookmarks_or_properties_is_matched_by_text_without_additions() -> None:
    stripped = edited(EXPORTED, strip_everything)
    assert roundtrip.read_returned_file(stripped).origin is None
    result = read(stripped)
    assert [p.kind for p in result.proposals] == ["unchanged"] * len(BASE.paragraphs)
    assert {p.matched_by for p in result.proposals} == {"similarity"}
    assert result.notes == (roundtrip.BOOKMARKS_REMOVED,)
    # An edit in such a file is matched by its text too.
    reworded = TEXT[212].replace("flexible", "steuerbare")
    retyped = retype_paragraph(EXPORTED, reworded, paragraph_id=212)
    result = read(edited(retyped, strip_everything))
    changed = [p for p in result.proposals if p.kind != "unchanged"]
    assert [(p.kind, p.paragraph_id, p.new_text) for p in changed] == [("change", 212, reworded)]


def test_typography_of_the_export_is_no_change_and_stays_out_of_proposals() -> None:
    written = 'Nach §7g EStG - "Investitionsabzug" genannt - sind 50 % abzugsfähig (S. 3 ff.).'
    paper = _with_text(PAPER, 101, written)
    base = paper_version(paper, "Version 3", date(2026, 11, 25))
    exported = word.build_paper(paper, now=NOW)
    typeset = WordPackage(exported).paragraph(101)
    assert "„Investitionsabzug“" in "".join(typeset.itertext())
    assert {p.kind for p in read(exported, base).proposals} == {"unchanged"}

    def ministry_edit(package: WordPackage) -> None:
        t = package.paragraph(101).find(f"{W}r/{W}t")
        t.text = t.text.replace("50", "40")

    result = read(edited(exported, ministry_edit), base)
    (change,) = [p for p in result.proposals if p.kind != "unchanged"]
    assert change.new_text == written.replace("50", "40")
    assert [(p.op, p.text) for p in change.pieces if p.op != "equal"] == [
        ("delete", "50"),
        ("insert", "40"),
    ]


def _with_text(paper: PaperDocument, paragraph_id: int, text: str) -> PaperDocument:
    def section(s: Section) -> Section:
        return replace(
            s,
            paragraphs=tuple(
                replace(b, text=text) if isinstance(b, Block) and b.id == paragraph_id else b
                for b in s.paragraphs
            ),
            subsections=tuple(section(sub) for sub in s.subsections),
        )

    return replace(paper, sections=tuple(section(s) for s in paper.sections))


# --- files that are not this paper ------------------------------------------------------------


def test_a_paper_from_another_paper_without_properties_is_refused_by_its_bookmarks() -> None:
    other = replace(BASE, paragraphs=[replace(p, id=p.id + 1000) for p in BASE.paragraphs])
    stripped = edited(EXPORTED, lambda package: package.strip_custom_properties())
    with pytest.raises(InvalidUpload) as refused:
        read(stripped, other)
    assert refused.value.message == (
        "Diese Datei wurde aus einem anderen Papier exportiert („Transformation der "
        "Zulieferindustrie sichern: Energie, Fachkräfte, Standort“): Ihre Absatzmarken gehören "
        "zu keinem Absatz dieses Papiers. Bitte laden Sie sie bei dem Papier hoch, aus dem sie "
        "stammt."
    )


@pytest.mark.parametrize(
    "header",
    [
        ("Entwurf", "Änderungsvorschlag"),
        ("Geltende Fassung", "Entwurf", "Änderungsvorschlag", "Begründung"),
        ("Bisherige Fassung\nVersion 2", "Neue Fassung\nVersion 3", "Begründung / Kommentar"),
    ],
    ids=["rechtsfoermlichkeit", "verbaende", "positionen"],
)
def test_a_returned_synopse_table_is_refused_with_what_to_upload(header: tuple[str, ...]) -> None:
    table_file = docx.Document()
    table_file.add_heading("Synopse zum Entwurf", 1)
    table = table_file.add_table(rows=2, cols=len(header))
    for cell, heading in zip(table.rows[0].cells, header, strict=True):
        cell.text = heading
    for cell in table.rows[1].cells:
        cell.text = TEXT[101]
    with pytest.raises(InvalidUpload) as refused:
        read(_saved(table_file))
    assert refused.value.message == roundtrip.SYNOPSE_TABLE
    assert "Bitte laden Sie das Papier selbst hoch" in roundtrip.SYNOPSE_TABLE


# --- real exports of the demo papers ----------------------------------------------------------


def _member_review_paper(engine: Engine) -> int:
    with read_session(engine) as session:
        paper = session.exec(select(Paper).where(Paper.status == PaperStatus.MEMBER_REVIEW)).one()
        return id_of(paper)


def _export(engine: Engine, paper_id: int, fmt: paper_exports.Format = "docx") -> bytes:
    with read_session(engine) as session:
        return paper_exports.export(session=session, actor=SYSTEM, paper_id=paper_id, fmt=fmt).data


def _returned(
    engine: Engine, paper_id: int, data: bytes, name: str = "zurück.docx"
) -> ReturnedPaper:
    with read_session(engine) as session:
        return paper_exports.read_returned(
            session=session, actor=SYSTEM, paper_id=paper_id, data=data, filename=name
        )


def _paragraph_ids(engine: Engine, paper_id: int) -> list[int]:
    with read_session(engine) as session:
        current = paper_exports.current_version(session=session, actor=SYSTEM, paper_id=paper_id)
        return [p.id for p in current.paragraphs]


def ministry_reply(ids: list[int]) -> Callable[[WordPackage], None]:
    """The ministry moves the paper's last paragraph up behind its first and comments on the
    second one's first words."""

    def edit(package: WordPackage) -> None:
        package.paragraph(ids[0]).addnext(package.paragraph(ids[-1]))
        second = package.paragraph(ids[1])
        words = " ".join("".join(second.itertext()).split()[:3])
        package.comment(second, words, "Das sehen wir anders.", author="BMWE Referat IV A 1")

    return edit


def test_a_demo_paper_saved_by_libreoffice_comes_back_without_changes(
    demo_engine: Engine, tmp_path: Path
) -> None:
    paper_id = _member_review_paper(demo_engine)
    ids = _paragraph_ids(demo_engine, paper_id)
    exported = _export(demo_engine, paper_id)
    replied = edited(exported, ministry_reply(ids))
    before = _returned(demo_engine, paper_id, replied)
    saved = resave_in_libreoffice(
        {
            "papier.docx": exported,
            "synopse.docx": _export(demo_engine, paper_id, "synopse-tracked"),
            "antwort.docx": replied,
            "ohne-marken.docx": edited(exported, strip_everything),
        },
        tmp_path,
    )
    for name in ("papier.docx", "synopse.docx", "ohne-marken.docx"):
        result = _returned(demo_engine, paper_id, saved[name])
        assert {p.kind for p in result.proposals} == {"unchanged"}, name
        assert not [p for p in result.proposals if p.moved or p.comments], name
    assert _returned(demo_engine, paper_id, saved["papier.docx"]).notes == ()

    after = _returned(demo_engine, paper_id, saved["antwort.docx"])
    assert {p.kind for p in after.proposals} == {"unchanged"}
    assert [(p.paragraph_id, p.after_paragraph_id) for p in after.proposals if p.moved] == [
        (ids[-1], ids[0])
    ]
    (comment,) = [c for p in after.proposals for c in p.comments]
    (original,) = [c for p in before.proposals for c in p.comments]
    assert comment == original
    assert by_id(after)[ids[1]].comments == (comment,)
    assert comment.author == "BMWE Referat IV A 1" and comment.text == "Das sehen wir anders."


def test_a_file_from_another_demo_paper_without_its_properties_is_refused(
    demo_engine: Engine,
) -> None:
    paper_id = _member_review_paper(demo_engine)
    with read_session(demo_engine) as session:
        other = session.exec(
            select(Paper).where(Paper.id != paper_id, Paper.status == PaperStatus.BOARD_APPROVAL)
        ).one()
    stripped = edited(_export(demo_engine, id_of(other)), lambda p: p.strip_custom_properties())
    with pytest.raises(InvalidUpload) as refused:
        _returned(demo_engine, paper_id, stripped)
    assert refused.value.message.startswith(
        f"Diese Datei wurde aus einem anderen Papier exportiert („{other.title}“)"
    )
    no_marks = edited(_export(demo_engine, id_of(other)), strip_everything)
    with pytest.raises(InvalidUpload, match=f"kein Export dieses Papiers \\(„{other.title}“\\)"):
        _returned(demo_engine, paper_id, no_marks)


def test_a_returned_demo_synopse_table_is_refused(demo_engine: Engine) -> None:
    paper_id = _member_review_paper(demo_engine)
    table = _export(demo_engine, paper_id, "synopse-table")
    with pytest.raises(InvalidUpload) as refused:
        _returned(demo_engine, paper_id, table)
    assert refused.value.message == roundtrip.SYNOPSE_TABLE


# --- the command line and the paper page --------------------------------------------------------


def test_import_docx_prints_moves_and_comments_and_refuses_strangers(
    sqlite_demo_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_demo_url)
    engine = create_engine_for(sqlite_demo_url)
    paper_id = _member_review_paper(engine)
    ids = _paragraph_ids(engine, paper_id)
    returned_file = tmp_path / "Antwort_BMWE.docx"
    returned_file.write_bytes(edited(_export(engine, paper_id), ministry_reply(ids)))

    assert cli.main(["import-docx", "--paper", str(paper_id), str(returned_file)]) == 0
    out = capsys.readouterr().out
    assert f"\n[move] paragraph {ids[-1]}\n  > now after paragraph {ids[0]}, in section „" in out
    assert f"\n[comment] paragraph {ids[1]}\n  # comment by BMWE Referat IV A 1 on " in out
    assert ": Das sehen wir anders." in out
    assert out.rstrip().endswith(
        f"0 proposals, 1 moved, 1 comments, {len(ids)} bookmarks found; nothing applied"
    )

    unrelated = docx.Document()
    unrelated.add_paragraph("Einladung zum Sommerfest des Ministeriums.")
    (tmp_path / "Einladung.docx").write_bytes(_saved(unrelated))
    assert (
        cli.main(["import-docx", "--paper", str(paper_id), str(tmp_path / "Einladung.docx")]) == 2
    )
    assert "error: Diese Datei ist kein Export dieses Papiers" in capsys.readouterr().err


def test_staff_keep_a_ministry_comment_as_a_note_on_its_paragraph(demo_url: str) -> None:
    engine = create_engine_for(demo_url)
    paper_id = _member_review_paper(engine)
    ids = _paragraph_ids(engine, paper_id)
    replied = edited(_export(engine, paper_id), ministry_reply(ids))
    app = switch(log_in("referat@demo.example"), "ui/pages/paper.py", papier=str(paper_id))
    [uploader] = [u for u in app.file_uploader if u.label == "Bearbeitete Datei (.docx)"]
    uploader.upload("Antwort_BMWE.docx", replied, paper_exports.MIME["docx"]).run()
    page = texts(app)
    assert "**verschoben**" in page and "In der Datei steht der Absatz jetzt nach „" in page
    assert "Kommentar von BMWE Referat IV A 1**" in page and "Das sehen wir anders." in page
    [keep] = [c for c in app.checkbox if c.label == "als Kommentar am Absatz speichern"]
    keep.check()
    [apply] = [b for b in app.button if b.label == "Ausgewählte Änderungen übernehmen"]
    apply.click().run()
    assert not app.exception
    with read_session(engine) as session:
        (note,) = session.exec(
            select(ParagraphComment).where(ParagraphComment.paragraph_id == ids[1])
        ).all()
    assert note.text.startswith("Kommentar von BMWE Referat IV A 1 am ")
    assert " in „Antwort_BMWE.docx“ zu „" in note.text
    assert note.text.endswith(": Das sehen wir anders.")
