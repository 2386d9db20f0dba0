"""Shared set-up for the discussion tests: a tracked token, members, discussions and whole comment trees."""
from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from solders.keypair import Keypair
from sqlalchemy import select, text

from webapp.extensions import db
from webapp.models import Discussion, Post, Token, User, path_segment

MINT = str(Keypair().pubkey())


def make_token(app: Flask, mint: str = MINT, supply: int = 10**15) -> str:
    with app.app_context():
        db.session.add(Token(mint=mint, name="Talk Token", symbol="TALK", decimals=6, supply=supply, supply_slot=0))
        db.session.commit()
    return mint


def member_id(app: Flask, keypair: Keypair) -> int:
    with app.app_context():
        return db.session.scalars(select(User.id).where(User.wallet == str(keypair.pubkey()))).one()


def csrf(client: FlaskClient, path: str = "/") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'<meta name="csrf-token" content="([^"]*)"', html)
    assert match
    return match.group(1)


def post(client: FlaskClient, path: str, data: dict[str, str], htmx: bool = False):
    headers = {"X-CSRFToken": csrf(client)}
    if htmx:
        headers["HX-Request"] = "true"
    return client.post(path, data=data, headers=headers)


def start_discussion(client: FlaskClient, mint: str, title: str = "Roadmap questions", body: str = "What is next?"):
    reply = post(client, f"/tokens/{mint}/discussions/new", {"title": title, "body": body})
    assert reply.status_code == 302, reply.get_data(as_text=True)
    return reply.headers["Location"]


def discussion_rows(app: Flask) -> list[Discussion]:
    with app.app_context():
        return list(db.session.scalars(select(Discussion).order_by(Discussion.id)).all())


def build_tree(app: Flask, author_id: int, mint: str, shape: Iterable[tuple[Hashable, Hashable | None]]
               ) -> dict[Any, int]:
    """A discussion with comments written straight to the table: `shape` is (key, parent key or None) in
    creation order. Paths and counters are set as the service sets them. Returns key -> post id
    (with "opening" and "discussion")."""
    with app.app_context():
        token = db.session.scalars(select(Token).where(Token.mint == mint)).one()
        now = datetime.now(UTC)
        discussion = Discussion(token_id=token.id, author_id=author_id, title="Big thread", slug="big-thread",
                                created_at=now, last_activity_at=now)
        db.session.add(discussion)
        db.session.flush()
        ids: dict[Any, int] = {}
        paths: dict[int, str] = {}
        depth: dict[int, int] = {}
        parents: dict[int, int | None] = {}
        rows = []
        shape = list(shape)
        first = db.session.execute(text("SELECT nextval(pg_get_serial_sequence('posts', 'id'))")).scalar_one()
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('posts', 'id'), :v)"),
                           {"v": first + len(shape) + 1})
        opening = first
        ids["opening"] = opening
        paths[opening], depth[opening], parents[opening] = path_segment(opening), 0, None
        rows.append(opening)
        for offset, (key, parent_key) in enumerate(shape, start=1):
            post_id = first + offset
            parent = ids[parent_key] if parent_key is not None else opening
            ids[key] = post_id
            paths[post_id], depth[post_id], parents[post_id] = f"{paths[parent]}.{path_segment(post_id)}", \
                depth[parent] + 1, parent
            rows.append(post_id)
        replies = {post_id: 0 for post_id in rows}
        descendants = {post_id: 0 for post_id in rows}
        for post_id in rows[1:]:
            replies[parents[post_id]] += 1
            for ancestor in paths[post_id].split(".")[:-1]:
                descendants[int(ancestor)] += 1
        db.session.execute(Post.__table__.insert(), [
            {"id": post_id, "discussion_id": discussion.id, "parent_id": parents[post_id], "author_id": author_id,
             "path": paths[post_id], "depth": depth[post_id], "body": f"post {post_id}",
             "body_html": f"<p>post {post_id}</p>", "state": "visible", "created_at": now,
             "reply_count": replies[post_id], "descendant_count": descendants[post_id], "reaction_counts": {},
             "report_weight": 0}
            for post_id in rows])
        discussion.comment_count = len(rows) - 1
        db.session.commit()
        ids["discussion"] = discussion.id
        return ids
