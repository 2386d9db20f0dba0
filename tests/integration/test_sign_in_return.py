"""After signing in a visitor goes back where they were, and only ever to a page of this site."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from solders.keypair import Keypair

from tests.conftest import csrf_token_from


def sign_in_with_next(client, auth, next_value: str) -> str:
    """The real SIWS flow with a `next` field, as wallet.js posts it; returns where the site sends the member."""
    keypair = Keypair()
    message = auth.challenge(keypair)["message"]
    reply = client.post(
        "/auth/verify",
        data={"wallet": str(keypair.pubkey()), "message": message,
              "signature": str(keypair.sign_message(message.encode())), "next": next_value},
        headers={"X-CSRFToken": auth.csrf_token()},
    )
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return reply.get_json()["redirect"]


@pytest.mark.parametrize("next_value", [
    "//evil.example/x",
    "/\\evil.example/x",
    "\\/evil.example/x",
    "https://evil.example/x",
    "/%5Cevil.example/x",
    "/%2F%2Fevil.example/x",
    "///evil.example/x",
    "/\t/evil.example/x",
    " //evil.example/x",
    "javascript:alert(1)",
])
def test_sign_in_never_sends_a_member_to_another_site(client, auth, next_value) -> None:
    assert sign_in_with_next(client, auth, next_value) == "/"


def test_sign_in_sends_a_member_back_to_the_page_they_came_from(client, auth) -> None:
    assert sign_in_with_next(client, auth, "/tokens/new") == "/tokens/new"
    assert sign_in_with_next(client, auth, "/tokens/?tier=wild_fires") == "/tokens/?tier=wild_fires"


def test_signed_out_visitor_launching_a_token_is_sent_to_sign_in_and_back(client, auth) -> None:
    reply = client.get("/tokens/new")
    assert reply.status_code == 302
    location = urlsplit(reply.headers["Location"])
    assert location.path == "/auth/sign-in" and parse_qs(location.query)["next"] == ["/tokens/new"]
    page = client.get(reply.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Sign in with your wallet to launch a token." in html
    assert 'data-sign-in data-next="/tokens/new"' in html
    # The page's button posts that `next` with the signature (wallet.js); the site then sends the member back.
    assert sign_in_with_next(client, auth, "/tokens/new") == "/tokens/new"
    assert client.get("/tokens/new").status_code == 200
    assert client.get("/auth/sign-in?next=/tokens/new").headers["Location"] == "/tokens/new"


def test_the_sign_in_page_drops_a_next_that_leaves_the_site(client) -> None:
    html = client.get("/auth/sign-in", query_string={"next": "/\\evil.example"}).get_data(as_text=True)
    assert "evil.example" not in html
    assert csrf_token_from(html)


def test_a_boosted_htmx_click_is_told_to_load_the_sign_in_page(client) -> None:
    reply = client.get("/tokens/new", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert reply.status_code == 401
    target = urlsplit(reply.headers["HX-Redirect"])
    assert target.path == "/auth/sign-in" and parse_qs(target.query)["next"] == ["/tokens/new"]


@pytest.mark.parametrize("headers", [{"HX-Request": "true"}, {"Accept": "application/json"}])
def test_fragments_and_json_keep_their_401(client, headers) -> None:
    reply = client.get("/tokens/new", headers=headers)
    assert reply.status_code == 401 and "HX-Redirect" not in reply.headers


def test_a_signed_out_post_keeps_its_401(client) -> None:
    reply = client.post("/tokens/new", data={"name": "Garden"})
    assert reply.status_code == 401
