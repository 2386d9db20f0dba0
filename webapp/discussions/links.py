"""Addresses of posts in templates, built by url_for once per page and reused for every post.

A discussion page links each of its hundreds of posts five or six ways;
building each address from the route map costs more than rendering the post.
So each (endpoint, discussion) is built once with a stand-in post id, and
every post's address is that one with its own id put in.
"""
from __future__ import annotations

from flask import g, url_for

from webapp.models import Post
from webapp.services.community.discussion_live import discussion_ref

_STAND_IN = 987654321987654321
_STAND_IN_WALLET = "StandInWallet"


def post_address(endpoint: str, post: Post) -> str:
    """url_for(endpoint, mint=…, ref=…, post_id=post.id), from this request's built copy."""
    built: dict[tuple[str, int], str] = g.setdefault("momentum_post_addresses", {})
    key = (endpoint, post.discussion_id)
    if key not in built:
        discussion = post.discussion
        built[key] = url_for(endpoint, mint=discussion.token.mint, ref=discussion_ref(discussion), post_id=_STAND_IN)
    return built[key].replace(str(_STAND_IN), str(post.id))


def profile_address(wallet: str) -> str:
    built: dict[str, str] = g.setdefault("momentum_profile_address", {})
    if "profile" not in built:
        built["profile"] = url_for("profiles.show", wallet=_STAND_IN_WALLET)
    return built["profile"].replace(_STAND_IN_WALLET, wallet)
