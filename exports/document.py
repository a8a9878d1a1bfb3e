"""What goes into a paper export: plain, frozen input records, independent of the database.

The builders read only these; mapping a stored paper onto them is the caller's job. Sequences
may be lists or tuples. Text is taken as it is; the builders make it safe for XML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from db.enums import Stance
from exports.errors import InvalidExportInput
from positions.core import labels

_HEX_COLOUR = re.compile(r"[0-9A-Fa-f]{6}")


@dataclass(frozen=True)
class Letterhead:
    """The association as it appears on its papers; comes from the settings, not from code."""

    name: str
    address: Sequence[str] = ()
    """Address lines, e.g. ("Graf-Adolf-Platz 1", "40213 Düsseldorf")."""
    accent_colour: str = "1F4E79"
    """Hex RGB without "#" (a leading "#" is accepted), for headings, rules and the box."""
    logo: bytes | None = None
    """PNG or JPEG; shown on the title page with the alt text "Logo: <name>"."""
    about: str = ""
    """A few sentences about the association, printed as "Über uns" at the end of a paper."""

    def __post_init__(self) -> None:
        colour = self.accent_colour.removeprefix("#")
        if not _HEX_COLOUR.fullmatch(colour):
            raise InvalidExportInput(
                f"Die Akzentfarbe „{self.accent_colour}“ ist keine Farbe im Format RRGGBB."
            )
        object.__setattr__(self, "accent_colour", colour.upper())


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a section. `id` is the stored paragraph's id; the export bookmarks it
    so an edited document can be matched back. Footnotes follow the paragraph's text."""

    id: int
    text: str
    footnotes: Sequence[str] = ()
    is_minority_opinion: bool = False
    minority_org_label: str | None = None
    """Who holds the minority opinion; None when the member wants to stay unnamed."""

    def __post_init__(self) -> None:
        _check_id(self.id)


@dataclass(frozen=True)
class Table:
    """A simple table in a section: a header row (repeated on every page) and text cells."""

    id: int
    caption: str
    header: Sequence[str]
    rows: Sequence[Sequence[str]] = ()

    def __post_init__(self) -> None:
        _check_id(self.id)
        if not self.header:
            raise InvalidExportInput(f"Die Tabelle „{self.caption}“ hat keine Kopfzeile.")
        for row in self.rows:
            if len(row) != len(self.header):
                raise InvalidExportInput(
                    f"Eine Zeile der Tabelle „{self.caption}“ hat {len(row)} statt "
                    f"{len(self.header)} Zellen."
                )


Block = Paragraph | Table


@dataclass(frozen=True)
class Section:
    """A numbered section; subsections are numbered below it (at most three levels)."""

    title: str
    paragraphs: Sequence[Block] = ()
    subsections: Sequence[Section] = ()


@dataclass(frozen=True)
class Contact:
    """A person the reader may call about the paper, at the association's postal address."""

    name: str
    function: str = ""
    """The job title the person gives, e.g. "Referentin Energiepolitik"."""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class LobbyregisterLine:
    """The association's entry in the Lobbyregister of the Bundestag and the regulatory
    project the paper is about; each is printed only when it is given."""

    register_number: str
    regulatory_project: str = ""
    regulatory_project_number: str = ""


@dataclass(frozen=True)
class ExportOrigin:
    """The paper a file was exported from and its saved version (None: the unsaved state)."""

    paper_id: int
    version: int | None


@dataclass(frozen=True)
class PaperDocument:
    """Everything a paper export shows, in reading order."""

    association: Letterhead
    title: str
    kind_label: str
    """E.g. "Positionspapier", "Stellungnahme"."""
    addressee: str
    forum_name: str
    date: date
    version_label: str = ""
    """The version's readable name; not printed, since the paper shows no workflow state.
    Internal copies built from the document may use it."""
    status_label: str = ""
    """Shown under the title and in every footer: "Entwurf" for a paper that is not final
    (an internal copy adds its note), nothing for a final one. Never workflow states."""
    core_demands: Sequence[str] = ()
    sections: Sequence[Section] = ()
    participants_named: Sequence[str] = ()
    participants_anonymous_count: int = 0
    contact_persons: Sequence[Contact] = ()
    lobbyregister: LobbyregisterLine | None = None
    origin: ExportOrigin | None = None
    """Which paper and saved version this is; written into the file so that an edited copy
    coming back is compared with what was sent, not with what the paper says today."""

    def __post_init__(self) -> None:
        if self.participants_anonymous_count < 0:
            raise InvalidExportInput("Die Zahl der ungenannten Mitglieder ist negativ.")


@dataclass(frozen=True)
class MemberReview:
    """A member organisation's review of one paragraph, for the internal feedback copy."""

    organisation: str
    stance: Stance
    comment: str = ""
    may_name: bool = True
    """False when the organisation did not allow naming it: the copy says "Mitglied (anonym)"."""
    minority_opinion_requested: bool = False
    staff_reply: str = ""
    submitted: datetime | None = None

    def __post_init__(self) -> None:
        if self.stance not in labels.STANCE:
            raise InvalidExportInput(f"Die Bewertung „{self.stance}“ ist unbekannt.")


def _check_id(paragraph_id: int) -> None:
    if paragraph_id < 0:
        raise InvalidExportInput(f"Die Absatznummer {paragraph_id} ist negativ.")
