"""A request the rules refuse: the message says why, `status` is the HTTP status to answer with."""
from __future__ import annotations


class Refusal(ValueError):
    default_status = 422

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = self.default_status if status is None else status
