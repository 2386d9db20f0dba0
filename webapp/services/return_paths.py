"""Where a visitor may be sent back to after signing in: only pages of this site.

A `next` value comes from a link anyone can craft, so it must not be able to
name another host, however a browser reads it: "//evil.example" and
"/\\evil.example" are other hosts to a browser, tabs and line breaks are
dropped from URLs ("/\\t/evil.example" becomes "//evil.example"), and
percent-encoded spellings ("/%5Cevil.example") turn into those after one
decoding by a proxy or a framework along the way.
"""
from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

# Control characters (C0, DEL, C1) and backslashes, which browsers read as "/".
_UNSAFE_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")
# A value still changing after this many decodings is not a link anyone makes by hand.
_DECODINGS = 3


def same_site_path(target: str | None) -> str | None:
    """`target` when every reading of it is a path on this site, else None."""
    if not target:
        return None
    spelling = target
    for _ in range(_DECODINGS + 1):
        if not _is_local_path(spelling):
            return None
        decoded = unquote(spelling)
        if decoded == spelling:
            return target
        spelling = decoded
    return None


def _is_local_path(spelling: str) -> bool:
    if not spelling.startswith("/") or spelling.startswith("//") or _UNSAFE_CHARACTER.search(spelling):
        return False
    parts = urlsplit(spelling)
    return not parts.scheme and not parts.netloc
