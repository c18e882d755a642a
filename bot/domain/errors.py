"""Domain errors: each carries a sentence for the person who asked, saying what to do instead."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses; nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """The request is malformed or out of bounds."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible from here)."""


class NotAllowed(DomainError):
    """The person may not do this."""
