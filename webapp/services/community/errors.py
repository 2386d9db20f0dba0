"""What community actions answer when they cannot be done: a message for the member and an HTTP status."""
from __future__ import annotations


class CommunityError(Exception):
    """The action was refused; nothing was written. `status` is the HTTP status the page answers with."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class InvalidText(CommunityError):
    """A title or body outside its limits: the form comes back with the text kept and the message."""
