"""Templates carry nothing the strict CSP (style-src 'self', script-src 'self') would block."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ALL_TEMPLATES = sorted(TEMPLATES.rglob("*.html"))

# A style attribute (style="…", style='…', STYLE = …) or a <style> element.
INLINE_STYLE = re.compile(r"""(?:\sstyle\s*=|<style[\s>])""", re.IGNORECASE)
# A <script> with a body, or an on…= event handler attribute.
INLINE_SCRIPT = re.compile(r"""<script(?![^>]*\ssrc=)[^>]*>|\son[a-z]+\s*=\s*["']""", re.IGNORECASE)


def test_the_templates_folder_is_found() -> None:
    assert len(ALL_TEMPLATES) > 20 and (TEMPLATES / "base.html") in ALL_TEMPLATES


@pytest.mark.parametrize("template", ALL_TEMPLATES, ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_no_inline_style_or_script(template: Path) -> None:
    text = template.read_text()
    assert not INLINE_STYLE.search(text), f"inline style in {template.name}: use a class in static/css"
    assert not INLINE_SCRIPT.search(text), f"inline script in {template.name}: use static/js"


@pytest.mark.parametrize("snippet", ['<div style="color: red">', "<p STYLE='x'>", "<span\n  style = 'a'>",
                                     "<style>a{}</style>", "<style media=print>", "<script>alert(1)</script>",
                                     '<a onclick="go()">'])
def test_the_check_sees_inline_styles_and_scripts(snippet: str) -> None:
    assert INLINE_STYLE.search(snippet) or INLINE_SCRIPT.search(snippet)


@pytest.mark.parametrize("snippet", ['<link rel="stylesheet" href="/a.css">', '<div class="stylish" data-style="x">',
                                     '<script src="/static/js/wallet.js" defer></script>', '<div hx-on-click="x">'])
def test_the_check_lets_ordinary_markup_pass(snippet: str) -> None:
    assert not INLINE_STYLE.search(snippet) and not INLINE_SCRIPT.search(snippet)


def test_htmx_injects_no_indicator_style() -> None:
    """htmx adds a <style> for its indicators unless told not to; app.css styles them instead."""
    base = (TEMPLATES / "base.html").read_text()
    match = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", base)
    assert match, "base.html has no htmx-config meta"
    config = json.loads(match.group(1))
    assert config["includeIndicatorStyles"] is False
    # htmx's settle step copies these attributes from the old element with setAttribute; a style
    # attribute set that way is an inline style the CSP refuses.
    assert "style" not in config["attributesToSettle"]
    css = (TEMPLATES.parent / "static" / "css" / "app.css").read_text()
    assert ".htmx-indicator" in css and ".htmx-request" in css
