"""Sign-in's `next` can only send a visitor back to a page of this site."""
from __future__ import annotations

import pytest

from webapp.services.return_paths import same_site_path

BYPASSES = [
    "//evil.example",
    "//evil.example/x",
    "/\\evil.example/x",
    "\\/evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http:/evil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%252F%252Fevil.example",
    "/%25252F%25252Fevil.example",
    "///evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/%09/evil.example",
    "/\x00/evil.example",
    " //evil.example",
    "\t//evil.example",
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "tokens",
    "",
    None,
]


@pytest.mark.parametrize("target", BYPASSES)
def test_targets_a_browser_could_read_as_another_site_are_refused(target) -> None:
    assert same_site_path(target) is None


@pytest.mark.parametrize("target", [
    "/",
    "/tokens/new",
    "/tokens/?q=moon%20dog&tier=wild_fires",
    "/tokens/GPrF7LXiQAY8Y9Fci7et2C7a9JsrCBDRvEAKLCjLpump",
    "/u/some-wallet#stakes",
    "/tokens/?q=50%25",
    "/tokens/?q=a//b",
])
def test_paths_on_this_site_are_kept_as_given(target) -> None:
    assert same_site_path(target) == target
