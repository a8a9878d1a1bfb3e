"""Errors of the export builders. Each carries a German message that the UI shows as it is;
they are domain errors, so pages and the CLI handle them like every other user error."""

from __future__ import annotations

from positions.core.errors import PositionenError


class ExportError(PositionenError):
    """Base of all export errors; `message` is German and safe to show."""


class InvalidExportInput(ExportError):
    """The paper cannot be written as it is (a bad colour, a duplicate paragraph id, a logo
    that is not an image, sections nested too deeply)."""


class PdfUnavailable(ExportError):
    """LibreOffice or poppler is missing, busy beyond the timeout, or failed to convert."""
