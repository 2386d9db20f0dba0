"""Member profiles: display name rules and uniqueness, bio, only the owner edits, follows and recent posts."""
from __future__ import annotations

import pytest
from solders.keypair import Keypair
from sqlalchemy import select

from tests.conftest import csrf_token_from, get_row
from tests.integration.community.people import (
    T0,
    add_comment,
    add_discussion,
    add_member,
    add_token,
    minutes,
    opening_post,
    signed_in_member,
)
from webapp.extensions import db
from webapp.models import User


def _save(client, display_name: str, bio: str = "", token: str | None = None):
    token = token if token is not None else csrf_token_from(client.get("/settings/profile").get_data(as_text=True))
    return client.post("/settings/profile", data={"display_name": display_name, "bio": bio, "csrf_token": token})


def _member(app, member_id: int) -> User:
    with app.app_context():
        user = get_row(User, member_id)
        assert user is not None
        db.session.expunge(user)
        return user


def test_owner_sets_name_and_bio_shown_escaped_on_the_profile(app, client, auth) -> None:
    me, wallet = signed_in_member(app, auth)
    reply = _save(client, "Satoshi_N.", "Builder.\n<script>alert(1)</script>")
    assert reply.status_code == 302 and reply.headers["Location"] == f"/u/{wallet}"
    page = client.get(f"/u/{wallet}").get_data(as_text=True)
    assert "Satoshi_N." in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert 'data-testid="edit-profile"' in page and "Member since" in page
    assert _member(app, me).display_name == "Satoshi_N."


@pytest.mark.parametrize("name, message", [
    ("ab", "3-30 letters"),
    ("a" * 31, "3-30 letters"),
    ("has space", "3-30 letters"),
    ("<b>bold</b>", "3-30 letters"),
    ("émile", "3-30 letters"),
])
def test_invalid_names_are_refused_with_nothing_written(app, client, auth, name: str, message: str) -> None:
    me, _ = signed_in_member(app, auth)
    reply = _save(client, name, "a bio")
    assert reply.status_code == 422 and message in reply.get_data(as_text=True)
    assert _member(app, me).display_name is None and _member(app, me).bio == ""


def test_a_bio_over_500_characters_is_refused(app, client, auth) -> None:
    me, _ = signed_in_member(app, auth)
    reply = _save(client, "Longwinded", "x" * 501)
    assert reply.status_code == 422 and "at most 500 characters" in reply.get_data(as_text=True)
    assert _member(app, me).display_name is None


def test_names_are_unique_whatever_the_case(app, client, auth) -> None:
    add_member(app, "Ana_B")
    me, _ = signed_in_member(app, auth)
    reply = _save(client, "ana_b")
    assert reply.status_code == 422 and "is taken" in reply.get_data(as_text=True)
    assert _member(app, me).display_name is None
    assert _save(client, "Ana_C").status_code == 302
    assert _save(client, "ANA_C").status_code == 302  # one's own name in another case is fine
    assert _member(app, me).display_name == "ANA_C"


def test_an_empty_name_goes_back_to_the_wallet(app, client, auth) -> None:
    me, wallet = signed_in_member(app, auth)
    assert _save(client, "Temporary").status_code == 302
    assert _save(client, "  ").status_code == 302
    assert _member(app, me).display_name is None
    assert f"{wallet[:4]}…{wallet[-4:]}" in client.get(f"/u/{wallet}").get_data(as_text=True)


def test_editing_needs_sign_in_and_the_csrf_token(app, client, auth) -> None:
    assert client.get("/settings/profile").status_code == 302
    assert client.post("/settings/profile", data={"display_name": "Sneaky"}).status_code in (400, 401)
    me, _ = signed_in_member(app, auth)
    reply = _save(client, "NoToken", token="")
    assert reply.status_code in (400, 422)
    assert _member(app, me).display_name is None


def test_only_the_owner_sees_the_edit_link_and_edits_only_themselves(app, client, auth) -> None:
    other, other_wallet, _ = add_member(app, "Other")
    me, _ = signed_in_member(app, auth)
    page = client.get(f"/u/{other_wallet}").get_data(as_text=True)
    assert 'data-testid="edit-profile"' not in page
    assert _save(client, "Mine").status_code == 302
    assert _member(app, other).display_name == "Other" and _member(app, me).display_name == "Mine"


def test_member_profile_lists_recent_visible_posts_and_follow_counts(app, client) -> None:
    author, wallet, _ = add_member(app, "Writer")
    token_id, _ = add_token(app, "PST")
    with app.app_context():
        discussion = add_discussion(token_id, author, "My first thread", T0)
        add_comment(opening_post(discussion), author, "A visible comment", T0 + minutes(1))
        add_comment(opening_post(discussion), author, "Deleted words", T0 + minutes(2), state="deleted")
        add_comment(opening_post(discussion), author, "Hidden words", T0 + minutes(3), state="hidden")
    page = client.get(f"/u/{wallet}").get_data(as_text=True)
    assert page.count('data-testid="recent-post"') == 2
    assert "My first thread" in page and "A visible comment" in page
    assert "Deleted words" not in page and "Hidden words" not in page
    assert 'data-testid="follower-count">0<' in page and 'data-testid="following-count">0<' in page


def test_non_members_keep_not_a_member_yet(client) -> None:
    page = client.get(f"/u/{Keypair().pubkey()}").get_data(as_text=True)
    assert 'data-testid="not-a-member"' in page and "Recent posts" not in page and "follower" not in page


def test_two_members_claiming_one_name_at_once_get_it_once(app) -> None:
    import threading

    from webapp.services.community import member_profile

    ids = [add_member(app)[0] for _ in range(6)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(ids))

    def claim(member_id: int, index: int) -> None:
        with app.app_context():
            member = get_row(User, member_id)
            barrier.wait()
            try:
                member_profile.update(member, "Same_Name" if index % 2 else "same_name", "")
                outcomes.append("saved")
            except member_profile.ProfileError as error:
                outcomes.append(error.message)

    threads = [threading.Thread(target=claim, args=(member_id, index)) for index, member_id in enumerate(ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("saved") == 1
    assert all("is taken" in outcome for outcome in outcomes if outcome != "saved")
    with app.app_context():
        names = db.session.scalars(select(User.display_name).where(User.id.in_(ids))).all()
        assert sorted(name.lower() for name in names if name) == ["same_name"]
