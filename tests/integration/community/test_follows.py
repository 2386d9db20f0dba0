"""Following members and tokens: idempotent, never oneself, told once and folded, buttons with and without htmx."""
from __future__ import annotations

import re
import threading

from sqlalchemy import func, select

from tests.conftest import csrf_token_from, get_row
from tests.integration.community.people import add_member, add_token, signed_in_member
from webapp.extensions import db
from webapp.models import Follow, Notification, User
from webapp.services.community import follows


def _token(client, path: str = "/") -> str:
    return csrf_token_from(client.get(path).get_data(as_text=True))


def _follow_rows(app, follower: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Follow).where(Follow.follower_id == follower)) or 0


def test_follow_a_member_twice_makes_one_row_and_one_notification(app, client, auth) -> None:
    me, _ = signed_in_member(app, auth)
    them, wallet, _ = add_member(app, "Ana")
    token = _token(client)
    first = client.post(f"/u/{wallet}/follow", data={"csrf_token": token}, follow_redirects=True)
    assert "You follow Ana now." in first.get_data(as_text=True)
    again = client.post(f"/u/{wallet}/follow", data={"csrf_token": token}, follow_redirects=True)
    assert "You already follow Ana." in again.get_data(as_text=True)
    assert _follow_rows(app, me) == 1
    with app.app_context():
        rows = db.session.scalars(select(Notification).where(Notification.user_id == them)).all()
        assert [(row.kind, row.count, row.actor_ids, row.group_key) for row in rows] == [
            ("follow", 1, [me], f"follow:{them}")]


def test_new_followers_fold_into_one_notification(app) -> None:
    them, wallet, _ = add_member(app, "Popular")
    fans = [add_member(app, name)[0] for name in ("Fan1", "Fan2", "Fan3")]
    with app.app_context():
        for fan in fans:
            assert follows.follow_member(get_row(User, fan), wallet) is True
        row = db.session.scalar(select(Notification).where(Notification.user_id == them))
        assert row is not None and row.count == 3 and row.actor_ids == list(reversed(fans))
        from webapp.services.community.notification_page import member_names, sentence

        assert sentence(row, member_names(set(fans))) == "Fan3, Fan2 and 1 other followed you"


def test_no_one_follows_themselves(app, client, auth) -> None:
    me, wallet = signed_in_member(app, auth)
    reply = client.post(f"/u/{wallet}/follow", headers={"X-CSRFToken": _token(client)})
    assert reply.status_code == 422 and "You cannot follow yourself." in reply.get_data(as_text=True)
    assert _follow_rows(app, me) == 0


def test_only_members_and_tracked_tokens_can_be_followed(app, client, auth) -> None:
    from solders.keypair import Keypair

    me, _ = signed_in_member(app, auth)
    token = _token(client)
    stranger = client.post(f"/u/{Keypair().pubkey()}/follow", headers={"X-CSRFToken": token})
    assert stranger.status_code == 404 and "not a Momentum member" in stranger.get_data(as_text=True)
    unknown = client.post(f"/tokens/{Keypair().pubkey()}/follow", headers={"X-CSRFToken": token})
    assert unknown.status_code == 404 and "does not track" in unknown.get_data(as_text=True)
    assert _follow_rows(app, me) == 0


def test_signed_out_visitors_cannot_follow(app, client) -> None:
    _, wallet, _ = add_member(app, "Ana")
    reply = client.post(f"/u/{wallet}/follow")
    assert reply.status_code in (400, 401)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Follow)) == 0


def test_concurrent_double_follow_makes_one_row(app) -> None:
    me, _, _ = add_member(app, "Twice")
    _, wallet, _ = add_member(app, "Target")
    _, mint = add_token(app)
    errors: list[Exception] = []
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def follow(index: int) -> None:
        try:
            with app.app_context():
                member = get_row(User, me)
                barrier.wait()
                done = follows.follow_member(member, wallet) if index % 2 else follows.follow_token(member, mint)
                results.append(done)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=follow, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [False] * 6 + [True] * 2  # one of each kind wins, the rest change nothing
    assert _follow_rows(app, me) == 2
    with app.app_context():
        assert db.session.scalar(select(Notification.count)) == 1


def test_unfollow_a_member_with_htmx_swaps_the_button(app, client, auth) -> None:
    me, _ = signed_in_member(app, auth)
    _, wallet, _ = add_member(app, "Ana")
    token = _token(client)
    hx = {"X-CSRFToken": token, "HX-Request": "true"}
    followed = client.post(f"/u/{wallet}/follow", headers=hx).get_data(as_text=True)
    assert 'data-testid="unfollow-member"' in followed and 'data-testid="follower-count">1<' in followed
    unfollowed = client.post(f"/u/{wallet}/unfollow", headers=hx)
    assert unfollowed.status_code == 200
    html = unfollowed.get_data(as_text=True)
    assert 'data-testid="follow-member"' in html and "You no longer follow Ana." in html
    assert 'data-testid="follower-count">0<' in html
    assert _follow_rows(app, me) == 0
    again = client.post(f"/u/{wallet}/unfollow", headers=hx).get_data(as_text=True)
    assert "You did not follow Ana." in again


def test_profile_shows_the_follow_button_and_counts(app, client, auth) -> None:
    _, wallet, _ = add_member(app, "Ana")
    signed_out = client.get(f"/u/{wallet}").get_data(as_text=True)
    assert "Sign in to follow" in signed_out and 'data-testid="follow-member"' not in signed_out
    signed_in_member(app, auth)
    page = client.get(f"/u/{wallet}").get_data(as_text=True)
    assert 'data-testid="follow-member"' in page and 'data-testid="follower-count">0<' in page
    client.post(f"/u/{wallet}/follow", data={"csrf_token": csrf_token_from(page)})
    page = client.get(f"/u/{wallet}").get_data(as_text=True)
    assert 'data-testid="unfollow-member"' in page and 'data-testid="follower-count">1<' in page
    followers = client.get(f"/u/{wallet}/followers").get_data(as_text=True)
    assert followers.count('data-testid="follow-row"') == 1


def test_token_follow_button_is_per_visitor_and_works_without_javascript(app, client, auth) -> None:
    token_id, mint = add_token(app, "TKN")
    shared = client.get(f"/tokens/{mint}").get_data(as_text=True)
    assert f'hx-get="/tokens/{mint}/follow"' in shared  # the shared body only points at the visitor's fragment
    assert "Sign in to follow" in client.get(f"/tokens/{mint}/follow", headers={"HX-Request": "true"}).get_data(
        as_text=True)
    me, _ = signed_in_member(app, auth)
    page = client.get(f"/tokens/{mint}/follow").get_data(as_text=True)  # the no-JavaScript page
    assert 'data-testid="follow-token"' in page and "<html" in page
    done = client.post(f"/tokens/{mint}/follow", data={"csrf_token": csrf_token_from(page)}, follow_redirects=True)
    assert "You follow TKN now" in done.get_data(as_text=True)
    fragment = client.get(f"/tokens/{mint}/follow", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-testid="unfollow-token"' in fragment and "<html" not in fragment
    with app.app_context():
        assert follows.follows_token(me, token_id)
    gone = client.post(f"/tokens/{mint}/unfollow", headers={"X-CSRFToken": csrf_token_from(page), "HX-Request": "1"})
    assert 'data-testid="follow-token"' in gone.get_data(as_text=True)
    with app.app_context():
        assert not follows.follows_token(me, token_id)


def test_demo_members_follow_each_other_once(app) -> None:
    from webapp.services.community.demo_people import PEOPLE, seed_people

    add_token(app, "DMO")
    with app.app_context():
        seed_people(log=lambda _: None)
        rows = db.session.scalar(select(func.count()).select_from(Follow))
        seed_people(log=lambda _: None)  # a second run changes nothing
        assert db.session.scalar(select(func.count()).select_from(Follow)) == rows == len(PEOPLE) * 3
        assert db.session.scalar(select(func.count()).select_from(Notification)) == len(PEOPLE)  # folded per member
        assert db.session.scalar(select(User.display_name).where(User.display_name == "ana")) == "ana"


def test_follow_lists_page_and_take_any_number(app, client) -> None:
    _, wallet, _ = add_member(app, "Star")
    fans = [add_member(app, f"fan{index:02d}")[0] for index in range(35)]
    with app.app_context():
        for fan in fans:
            follows.follow_member(get_row(User, fan), wallet)
    first = client.get(f"/u/{wallet}/followers").get_data(as_text=True)
    assert first.count('data-testid="follow-row"') == 30 and "fan34" in first and "fan04<" not in first
    more = re.search(r'href="(/u/[^"]+/followers\?before=\d+)"', first)
    assert more
    second = client.get(more.group(1), headers={"HX-Request": "true"}).get_data(as_text=True)
    assert second.count('data-testid="follow-row"') == 5 and "fan00" in second and "<html" not in second
    assert client.get(f"/u/{wallet}/followers?before=99999999999999999999999").status_code == 200
    assert client.get(f"/u/{wallet}/following").status_code == 200
    assert client.get("/u/not-a-wallet/followers").status_code == 404
