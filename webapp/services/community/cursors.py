"""Keyset cursors for the community's lists: a moment, a kind and an id, as text a URL can carry."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from webapp.extensions import BIGINT_MAX

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"^(\d{1,17})\.([a-z]{0,16})\.(\d{1,19})$")


class BadCursor(ValueError):
    """A cursor this app did not write; the message says what to do."""


@dataclass(frozen=True, order=True)
class Cursor:
    """The last row of a page: the next page starts strictly after it in (at, kind, id) descending order."""

    at: datetime
    kind: str
    id: int

    def text(self) -> str:
        micros = (self.at - EPOCH) // timedelta(microseconds=1)
        return f"{micros}.{self.kind}.{self.id}"


def parse(text: str | None) -> Cursor | None:
    """None for the first page; BadCursor for text that is not a cursor."""
    if not text:
        return None
    match = _CURSOR.match(text)
    if match is None:
        raise BadCursor("That page link is broken: start again from the first page.")
    micros, kind, row_id = match.groups()
    if int(row_id) > BIGINT_MAX:
        raise BadCursor("That page link is broken: start again from the first page.")
    return Cursor(EPOCH + timedelta(microseconds=int(micros)), kind, int(row_id))
