"""Members' Markdown against XSS: payloads from the OWASP XSS Filter Evasion Cheat Sheet
(https://cheatsheetseries.owasp.org/cheatsheets/XSS_Filter_Evasion_Cheat_Sheet.html) and Markdown-specific
link tricks must come out as inert HTML: only allowed tags, no event handlers, no script-bearing URLs."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from webapp.services.community import markdown

OWASP_PAYLOADS = [
    # basic and obfuscated script tags
    "<SCRIPT SRC=https://xss.rocks/xss.js></SCRIPT>",
    "<script>alert('XSS')</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<SCRIPT/XSS SRC=\"http://xss.rocks/xss.js\"></SCRIPT>",
    "<SCRIPT/SRC=\"http://xss.rocks/xss.js\"></SCRIPT>",
    "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>",
    "<SCRIPT SRC=http://xss.rocks/xss.js?< B >",
    "<SCRIPT SRC=//xss.rocks/.j>",
    "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>",
    "\";alert('XSS');//",
    "<script>/* */alert(1)/* */</script>",
    # images and event handlers
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC= onmouseover=\"alert('xxs')\">",
    "<IMG onmouseover=\"alert('xxs')\">",
    "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
    ("<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#00001"
     "12&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#000008"
     "3&#0000083&#0000039&#0000041\">"),
    ("<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;"
     "&#40;&#39;&#88;&#83;&#83;&#39;&#41;>"),
    ("<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&"
     "#x58&#x53&#x53&#x27&#x29>"),
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<IMG DYNSRC=\"javascript:alert('XSS')\">",
    "<IMG LOWSRC=\"javascript:alert('XSS')\">",
    "<BODY ONLOAD=alert('XSS')>",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
    # svg, frames, objects, styles
    "<svg/onload=alert('XSS')>",
    "<svg><script>alert(1)</script></svg>",
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<IFRAME SRC=# onmouseover=\"alert(document.cookie)\"></IFRAME>",
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"http://xss.rocks/scriptlet.html\"></OBJECT>",
    ("<EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4"
     "bWxucz0iaHR0cDovL3d3dy53My5vcmcv MjAwMC9zdmciIHhtbG5zOnhsaW5rPSJodHRwOi8vd3d3LnczLm9yZy8xOTk5L3hs aW"
     "5rIiB2ZXJzaW9uPSIxLjAiIHg9IjAiIHk9IjAiIHdpZHRoPSIxOTQiIGhlaWdodD0iMjAw IiBpZD0ieHNzIj48c2NyaXB0IHR5c"
     "GU9InRleHQvZWNtYXNjcmlwdCI+YWxlcnQoIlh TUyIpOzwvc2NyaXB0Pjwvc3ZnPg==\" type=\"image/svg+xml\" AllowS"
     "criptAccess=\"always\"></EMBED>"),
    "<STYLE>@import'http://xss.rocks/xss.css';</STYLE>",
    "<STYLE>BODY{-moz-binding:url(\"http://xss.rocks/xssmoz.xml#xss\")}</STYLE>",
    "<IMG STYLE=\"xss:expr/*XSS*/ession(alert('XSS'))\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K\">",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<TABLE><TD BACKGROUND=\"javascript:alert('XSS')\">",
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
    "<a onmouseover=\"alert(document.cookie)\">xxs link</a>",
    "<a href=\"h\ntt\tp://x\" onclick=alert(1)>x</a>",
    "<XSS STYLE=\"behavior: url(xss.htc);\">",
    "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    # Markdown links, autolinks, references and images
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1)  )",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;vascript:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](livescript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](DATA:text/html,<script>alert(1)</script>)",
    "[click](<javascript:alert(1)>)",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    "[click](https://example.com\"onmouseover=\"alert(1))",
    "[click](https://example.com 'title\" onmouseover=alert(1) x=\"')",
    "<javascript:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "![img](javascript:alert(1))",
    "![img](https://evil.example/pixel.png\" onerror=\"alert(1))",
    "[![img](x)](javascript:alert(1))",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "> <img src=x onerror=alert(1)>",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "@<script>alert(1)</script>",
]

ALLOWED_SCHEMES = ("http:", "https:", "mailto:")
CONTROL = re.compile(r"[\x00-\x20\x7f]+")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _scheme_is_safe(url: str) -> bool:
    cleaned = CONTROL.sub("", html.unescape(url)).lower()
    if ":" not in cleaned.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return True  # relative
    return cleaned.startswith(ALLOWED_SCHEMES)


def test_the_list_is_long_enough() -> None:
    assert len(OWASP_PAYLOADS) >= 40 and len(set(OWASP_PAYLOADS)) == len(OWASP_PAYLOADS)


@pytest.mark.parametrize("payload", OWASP_PAYLOADS)
def test_payload_renders_inert(payload: str) -> None:
    members = {"attacker": markdown.Member(1, "Attacker1111111111111111111111111")}
    output = markdown.render(payload, members).html
    collector = _Collector()
    collector.feed(output)
    for tag, attributes in collector.tags:
        assert tag in markdown.ALLOWED_TAGS, (tag, output)
        for name, value in attributes:
            assert not name.startswith("on"), output
            assert name in markdown.ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (tag, name, output)
            if name in ("href", "src", "action", "formaction", "background"):
                assert _scheme_is_safe(value or ""), output
            if name == "style":
                assert re.fullmatch(r"text-align:(left|right|center)", value or ""), output
            if tag == "a" and name == "rel":
                assert value == "nofollow ugc noopener"
    lowered = output.lower()
    for fragment in ("<script", "<img", "<svg", "<iframe", "<style", "<object", "<embed", "<meta", "<link",
                     "<base", "javascript:", "vbscript:", "livescript:", "data:text"):
        # the words may survive as escaped text; never as markup or a live URL
        assert fragment not in re.sub(r"&lt;|&gt;|&amp;|&quot;", "", lowered) or _only_in_text(output, fragment)


def _only_in_text(output: str, fragment: str) -> bool:
    """The fragment appears only in text content (escaped), never inside a tag."""
    inside_tags = " ".join(re.findall(r"<[^>]*>", output)).lower()
    return fragment not in inside_tags


def test_raw_html_is_shown_as_text_and_links_leave_with_rel() -> None:
    output = markdown.render("<b>hi</b> [site](https://example.com)").html
    assert "&lt;b&gt;hi&lt;/b&gt;" in output
    assert '<a href="https://example.com" rel="nofollow ugc noopener">site</a>' in output


def test_images_from_other_hosts_are_not_fetched() -> None:
    output = markdown.render("![cat](https://evil.example/cat.png)").html
    assert "<img" not in output and "https://evil.example/cat.png" not in output.split("href=")[0]
