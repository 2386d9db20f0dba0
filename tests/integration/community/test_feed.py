"""/feed: what a member follows, from four sources in one newest-first keyset order."""
from __future__ import annotations

import re

from solders.keypair import Keypair
from sqlalchemy import select

from tests.conftest import get_row
from tests.integration.community.people import (
    T0,
    add_comment,
    add_discussion,
    add_member,
    add_token,
    minutes,
    opening_post,
)
from webapp.extensions import db
from webapp.models import Challenge, ChallengeEntry, IndexedTransaction, TokenTrade, User
from webapp.services.community import feed, follows


def _trade(mint: str, at, side: str = "buy", token_amount: int = 1_500_000, sol_amount: int = 250_000_000) -> int:
    signature = str(Keypair().sign_message(b"trade"))[:80] + f"{at.minute:02d}{side[:1]}"
    transaction = IndexedTransaction(signature=signature, slot=1000 + at.minute, block_time=at, mints=[mint])
    db.session.add(transaction)
    db.session.flush()
    trade = TokenTrade(transaction_id=transaction.id, signature=signature, position=0, mint=mint,
                       wallet=str(Keypair().pubkey()), side=side, token_amount=token_amount,
                       sol_amount=sol_amount, slot=transaction.slot, block_time=at)
    db.session.add(trade)
    db.session.commit()
    return trade.id


def test_the_feed_has_only_followed_things_newest_first(app) -> None:
    me, _, _ = add_member(app, "Me")
    friend, friend_wallet, _ = add_member(app, "Friend")
    stranger, _, _ = add_member(app, "Stranger")
    followed_token, followed_mint = add_token(app, "FOL")
    other_token, other_mint = add_token(app, "OTH")
    with app.app_context():
        member = get_row(User, me)
        follows.follow_member(member, friend_wallet)
        follows.follow_token(member, followed_mint)
        in_token = add_discussion(followed_token, stranger, "In a followed token", T0 + minutes(1))
        by_friend = add_discussion(other_token, friend, "By a followed member", T0 + minutes(2))
        add_discussion(other_token, stranger, "Nothing to do with me", T0 + minutes(3))
        add_discussion(followed_token, me, "My own discussion", T0)  # not news to me
        mine = add_discussion(other_token, me, "Mine", T0 - minutes(30))
        on_my_thread = add_comment(opening_post(mine), stranger, "A comment on my thread", T0 + minutes(4))
        my_reply = add_comment(opening_post(in_token), me, "I said something", T0 + minutes(5))
        reply_to_me = add_comment(my_reply, stranger, "Replying to you", T0 + minutes(6))
        add_comment(opening_post(mine), stranger, "Hidden by a moderator", T0 + minutes(7), state="hidden")
        add_comment(opening_post(by_friend), stranger, "Not my thread", T0 + minutes(8))
        trade = _trade(followed_mint, T0 + minutes(9))
        _trade(other_mint, T0 + minutes(10))
        challenge = Challenge(token_id=followed_token, created_by_id=friend, title="Make a meme", description="d",
                              description_html="<p>d</p>", starts_at=T0 - minutes(60), ends_at=T0 + minutes(600))
        db.session.add(challenge)
        db.session.flush()
        db.session.add(ChallengeEntry(challenge_id=challenge.id, user_id=me, text="mine", status="accepted",
                                      reviewed_by_id=friend, reviewed_at=T0 + minutes(11)))
        db.session.commit()
        entry = db.session.scalar(select(ChallengeEntry.id))
        with app.test_request_context():  # a page's read model: it builds its links
            page = feed.build(get_row(User, me))
    assert [(item.kind, item.id) for item in page.items] == [
        ("challenge", entry), ("trade", trade), ("comment", reply_to_me.id), ("comment", on_my_thread.id),
        ("discussion", by_friend.id), ("discussion", in_token.id)]
    trade_item = page.items[1]
    assert trade_item.headline.endswith("bought 1.5 FOL for 0.25 SOL") and trade_item.signature
    assert page.items[0].headline == "Your entry in “Make a meme” was accepted"
    assert page.items[4].headline == "Friend started a discussion in OTH"
    assert page.items[2].url.endswith(f"#post-{reply_to_me.id}")


def test_keyset_pages_have_no_gaps_or_repeats_across_sources(app) -> None:
    me, _, _ = add_member(app, "Reader")
    author, _, _ = add_member(app, "Writer")
    token_id, mint = add_token(app, "PGE")
    with app.app_context():
        follows.follow_token(get_row(User, me), mint)
        mine = opening_post(add_discussion(token_id, me, "My thread", T0 - minutes(60)))
        expected = []
        for index in range(23):
            at = T0 + minutes(index // 2)  # pairs share a moment: ties across kinds and ids
            expected.append(("trade", _trade(mint, at)))
            expected.append(("discussion", add_discussion(token_id, author, f"Topic {index}", at).id))
            if index % 3 == 0:
                expected.append(("comment", add_comment(mine, author, f"Comment {index}", at).id))
        member = get_row(User, me)
        seen: list[tuple[str, int]] = []
        cursor = None
        for _ in range(20):
            with app.test_request_context():
                page = feed.build(member, cursor, page_size=7)
            seen += [(item.kind, item.id) for item in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        with app.test_request_context():
            everything = feed.build(member, None, page_size=100)
    assert len(seen) == len(set(seen)) == len(expected) == 54
    assert seen == [(item.kind, item.id) for item in everything.items]
    assert set(seen) == set(expected)
    moments = [item.at for item in everything.items]
    assert moments == sorted(moments, reverse=True)


def test_feed_page_pages_over_http_and_explains_the_empty_state(app, client, auth) -> None:
    keypair = auth.sign_in()
    empty = client.get("/feed").get_data(as_text=True)
    assert "You follow nothing yet" in empty and "Follow" in empty
    author, _, _ = add_member(app, "Poster")
    token_id, mint = add_token(app, "WEB")
    with app.app_context():
        me = db.session.scalar(select(User).where(User.wallet == str(keypair.pubkey())))
        assert me is not None
        follows.follow_token(me, mint)
        for index in range(30):
            add_discussion(token_id, author, f"Thread {index}", T0 + minutes(index))
    first = client.get("/feed").get_data(as_text=True)
    assert first.count('data-testid="feed-item"') == 25 and "Thread 29" in first
    more = re.search(r'href="(/feed\?cursor=[^"]+)"', first)
    assert more
    second = client.get(more.group(1), headers={"HX-Request": "true"}).get_data(as_text=True)
    assert second.count('data-testid="feed-item"') == 5 and "Thread 4" in second and "<html" not in second
    assert "Thread 5<" not in second
    assert client.get("/feed?cursor=1.x.2.3").status_code == 400


def test_signed_out_visitors_go_to_sign_in(client) -> None:
    reply = client.get("/feed")
    assert reply.status_code == 302 and "sign-in" in reply.headers["Location"]
