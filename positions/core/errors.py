"""Errors a user can cause. Each carries a German message that the UI shows as it is."""

from __future__ import annotations


class PositionenError(Exception):
    """Base of all user-facing errors; `message` is German and safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PermissionDenied(PositionenError):
    def __init__(self, message: str = "Dafür fehlt Ihnen die Berechtigung.") -> None:
        super().__init__(message)


class NotFound(PositionenError):
    pass


class InvalidInput(PositionenError):
    pass


class FieldErrors(InvalidInput):
    """Bad input in a form: one German message per field, keyed by the field's name, so that
    the page shows each message below its field."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = dict(problems)


class LoginFailed(PositionenError):
    pass


class InvalidInvitation(PositionenError):
    pass


class InvalidUpload(PositionenError):
    """A file that is refused before or while reading it (type, size, structure, macros)."""


class StaleEdit(PositionenError):
    """Someone else saved in between; the caller shows both versions instead of overwriting."""
