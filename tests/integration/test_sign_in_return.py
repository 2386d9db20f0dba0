"""After signing in a visitor goes back where they were, and only ever to a page of this site."""
from __future__ import annotations

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


def test_the_sign_in_page_drops_a_next_that_leaves_the_site(client) -> None:
    html = client.get("/auth/sign-in", query_string={"next": "/\\evil.example"}).get_data(as_text=True)
    assert "evil.example" not in html
    assert csrf_token_from(html)
