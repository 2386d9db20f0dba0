"""Members, tokens, discussions and posts written straight to the database for the community's page tests."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from solders.keypair import Keypair

from webapp.extensions import db
from webapp.models import Discussion, Post, Token, User, path_segment

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def add_member(app: Flask, name: str | None = None, keypair: Keypair | None = None) -> tuple[int, str, Keypair]:
    keypair = keypair or Keypair()
    with app.app_context():
        user = User(wallet=str(keypair.pubkey()), display_name=name)
        db.session.add(user)
        db.session.commit()
        return user.id, user.wallet, keypair


def signed_in_member(app: Flask, auth) -> tuple[int, str]:
    """Sign a fresh wallet in through the real sign-in; its member id and wallet."""
    keypair = auth.sign_in()
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.wallet == str(keypair.pubkey())))
        assert user is not None
        return user.id, user.wallet


def add_token(app: Flask, symbol: str = "FLW") -> tuple[int, str]:
    mint = str(Keypair().pubkey())
    with app.app_context():
        token = Token(mint=mint, name=f"{symbol} Token", symbol=symbol, decimals=6, supply=10**15, supply_slot=0)
        db.session.add(token)
        db.session.commit()
        return token.id, mint


def add_discussion(token_id: int, author_id: int, title: str, at: datetime, body: str = "Opening words") -> Discussion:
    """A discussion and its opening post (inside an app context, committed)."""
    discussion = Discussion(token_id=token_id, author_id=author_id, title=title, slug="topic", created_at=at,
                            last_activity_at=at)
    db.session.add(discussion)
    db.session.flush()
    opening = Post(discussion_id=discussion.id, author_id=author_id, path="", depth=0, body=body,
                   body_html=f"<p>{body}</p>", created_at=at)
    db.session.add(opening)
    db.session.flush()
    opening.path = path_segment(opening.id)
    db.session.commit()
    return discussion


def add_comment(parent: Post, author_id: int, body: str, at: datetime, state: str = "visible") -> Post:
    post = Post(discussion_id=parent.discussion_id, parent_id=parent.id, author_id=author_id, path="",
                depth=parent.depth + 1, body=body, body_html=f"<p>{body}</p>", created_at=at, state=state)
    db.session.add(post)
    db.session.flush()
    post.path = f"{parent.path}.{path_segment(post.id)}"
    db.session.commit()
    return post


def opening_post(discussion: Discussion) -> Post:
    from sqlalchemy import select

    found = db.session.scalar(select(Post).where(Post.discussion_id == discussion.id, Post.depth == 0))
    assert found is not None
    return found


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)
