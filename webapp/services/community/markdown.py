"""Members' Markdown to safe HTML: markdown-it-py renders, nh3 sanitises, @mentions become profile links.

Raw HTML in the source is shown as text, images are not fetched from other
hosts (an image becomes a plain link), and every link leaves with
rel="nofollow ugc noopener". A mention (`@display_name` or `@<wallet>`) of
a member links to their profile; anything else after an @ stays plain text.
The HTML is made once, when a post is written, and stored beside its source.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

MENTION = re.compile(r"(?<![\w@/.])@([1-9A-HJ-NP-Za-km-z]{32,44}|[A-Za-z0-9_][A-Za-z0-9_.-]{1,39}(?<![.-]))")
ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class"}, "code": {"class"}, "ol": {"start"}, "th": {"style"},
                      "td": {"style"}}


@dataclass(frozen=True)
class Member:
    """Who a mention points at."""

    user_id: int
    wallet: str


@dataclass(frozen=True)
class RenderedText:
    html: str
    mentioned: tuple[int, ...]  # member ids, in order of first mention


def mentioned_names(source: str) -> set[str]:
    """Every @name in `source` (code included: cheap to over-ask, the renderer skips code)."""
    return {match.group(1) for match in MENTION.finditer(source)}


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["strikethrough", "table"])
    md.disable("image")
    return md


_MD = _parser()


def render(source: str, members: Mapping[str, Member] | None = None,
           profile_url: Callable[[str], str] = lambda wallet: f"/u/{wallet}") -> RenderedText:
    """`source` as sanitised HTML; `members` maps a mentioned name (lower case) or wallet to a member."""
    members = members or {}
    mentioned: list[int] = []
    env: dict[str, object] = {}
    state_tokens = _MD.parse(source, env)
    for block in state_tokens:
        if block.type == "inline" and block.children:
            block.children = _link_mentions(block.children, members, mentioned, profile_url)
    html = _MD.renderer.render(state_tokens, _MD.options, env)
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel="nofollow ugc noopener",
                      url_schemes={"http", "https", "mailto"}, strip_comments=True)
    return RenderedText(html=clean, mentioned=tuple(dict.fromkeys(mentioned)))


def _link_mentions(children: list[Token], members: Mapping[str, Member], mentioned: list[int],
                   profile_url: Callable[[str], str]) -> list[Token]:
    out: list[Token] = []
    inside_link = 0
    for child in children:
        inside_link += 1 if child.type == "link_open" else -1 if child.type == "link_close" else 0
        if child.type != "text" or inside_link:
            out.append(child)
            continue
        position = 0
        for match in MENTION.finditer(child.content):
            member = members.get(match.group(1)) or members.get(match.group(1).lower())
            if member is None:
                continue
            if match.start() > position:
                out.append(_text(child.content[position:match.start()]))
            opening = Token("link_open", "a", 1)
            opening.attrs = {"href": profile_url(member.wallet), "class": "mention"}
            out += [opening, _text(match.group(0)), Token("link_close", "a", -1)]
            mentioned.append(member.user_id)
            position = match.end()
        if position < len(child.content):
            out.append(_text(child.content[position:]))
    return out


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


__all__ = ["MENTION", "Member", "RenderedText", "mentioned_names", "render"]
