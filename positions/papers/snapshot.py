"""What a saved version of a paper keeps forever, typed: its title, status, sections and
paragraphs with the statements each rests on.

`PaperVersion.snapshot` stores it as JSON (`Snapshot.to_json`); every reader goes through
`Snapshot.from_json` (or `of(version)`), and the Synopse compares `Snapshot.comparable`.
Versions saved before a field existed read with that field's default.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from db.models import PaperStatus, PaperVersion, SourceHow
from positions.papers.core_demands import box_entry
from positions.papers.diffing import Version, VersionParagraph, VersionSection


@dataclass(frozen=True)
class SourceRef:
    """What a paragraph rests on: a point (of a statement) or a whole statement, and how."""

    point_id: int | None = None
    statement_id: int | None = None
    how: SourceHow = SourceHow.MANUAL

    def to_json(self) -> dict[str, Any]:
        return {"point_id": self.point_id, "statement_id": self.statement_id, "how": self.how.value}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> SourceRef:
        return cls(raw.get("point_id"), raw.get("statement_id"), SourceHow(raw["how"]))


@dataclass(frozen=True)
class SnapshotParagraph:
    id: int
    text: str
    is_core_demand: bool = False
    is_minority_opinion: bool = False
    minority_organisation_id: int | None = None
    minority_named: bool = False
    sources: tuple[SourceRef, ...] = ()
    short_form: str | None = None  # in the Kernforderungen box; None: the first sentence

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "is_core_demand": self.is_core_demand,
            "is_minority_opinion": self.is_minority_opinion,
            "minority_organisation_id": self.minority_organisation_id,
            "minority_named": self.minority_named,
            "sources": [source.to_json() for source in self.sources],
            "short_form": self.short_form,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> SnapshotParagraph:
        return cls(
            id=raw["id"],
            text=raw["text"],
            is_core_demand=raw.get("is_core_demand", False),
            is_minority_opinion=raw.get("is_minority_opinion", False),
            minority_organisation_id=raw.get("minority_organisation_id"),
            minority_named=raw.get("minority_named", False),
            sources=tuple(SourceRef.from_json(s) for s in raw.get("sources", ())),
            short_form=raw.get("short_form"),
        )


@dataclass(frozen=True)
class SnapshotSection:
    id: int
    title: str
    parent_id: int | None
    paragraphs: tuple[SnapshotParagraph, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "parent_id": self.parent_id,
            "paragraphs": [paragraph.to_json() for paragraph in self.paragraphs],
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> SnapshotSection:
        return cls(
            id=raw["id"],
            title=raw["title"],
            parent_id=raw.get("parent_id"),
            paragraphs=tuple(SnapshotParagraph.from_json(p) for p in raw["paragraphs"]),
        )


@dataclass(frozen=True)
class Snapshot:
    title: str
    kind: str
    status: PaperStatus | None  # None in versions saved before the status was kept
    sections: tuple[SnapshotSection, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "kind": self.kind,
            "status": self.status.value if self.status else None,
            "sections": [section.to_json() for section in self.sections],
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Snapshot:
        status = raw.get("status")
        return cls(
            title=raw["title"],
            kind=raw.get("kind", ""),
            status=PaperStatus(status) if status else None,
            sections=tuple(SnapshotSection.from_json(s) for s in raw["sections"]),
        )

    def paragraphs(self) -> Iterator[tuple[SnapshotSection, SnapshotParagraph]]:
        """Every paragraph with its section, in reading order."""
        for section in self.sections:
            for paragraph in section.paragraphs:
                yield section, paragraph

    def core_demands(self) -> list[str]:
        """The Kernforderungen box: each core demand's short form (or first sentence)."""
        return [box_entry(p.text, p.short_form) for _, p in self.paragraphs() if p.is_core_demand]

    def statement_ids(self) -> set[int]:
        """The statements any paragraph rests on."""
        return {
            source.statement_id
            for _, paragraph in self.paragraphs()
            for source in paragraph.sources
            if source.statement_id
        }

    def comparable(self, *, label: str, created: date) -> Version:
        """The snapshot in the form the Synopse compares."""
        return Version(
            label=label,
            created=created,
            paragraphs=[
                VersionParagraph(
                    id=p.id,
                    section=section.title,
                    text=p.text,
                    is_core_demand=p.is_core_demand,
                    is_minority_opinion=p.is_minority_opinion,
                    section_id=section.id,
                    short_form=p.short_form,
                )
                for section, p in self.paragraphs()
            ],
            sections=[
                VersionSection(section.id, section.title, section.parent_id)
                for section in self.sections_in_reading_order()
            ],
        )

    def sections_in_reading_order(self) -> list[SnapshotSection]:
        """Each top-level section followed by its subsections, as the paper prints them."""
        children: dict[int, list[SnapshotSection]] = {}
        for section in self.sections:
            if section.parent_id is not None:
                children.setdefault(section.parent_id, []).append(section)
        return [
            found
            for top in self.sections
            if top.parent_id is None
            for found in (top, *children.get(top.id, []))
        ]


def of(version: PaperVersion) -> Snapshot:
    """The snapshot a saved version keeps."""
    return Snapshot.from_json(version.snapshot)
