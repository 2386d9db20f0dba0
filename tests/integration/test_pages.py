"""Pages, error pages and security headers."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("path, text", [
    ("/", "Where communities build"),
    ("/tokens/", "Tokens"),
    ("/bounties/", "Bounties"),
    ("/battles/", "Meme battles"),
    ("/leaderboards/", "Leaderboards"),
    ("/auth/sign-in", "Sign In With Solana"),
])
def test_pages_render_with_navigation(client, path, text) -> None:
    reply = client.get(path)
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert text in html
    for link in ("Tokens", "Sign in with wallet"):
        assert link in html
    assert '<meta name="csrf-token"' in html


def test_strict_security_headers(client) -> None:
    reply = client.get("/")
    csp = reply.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert reply.headers["X-Frame-Options"] == "DENY"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert len(reply.headers["X-Request-ID"]) == 32


def test_no_inline_script_in_pages(client) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html and "onclick=" not in html and "style=" not in html


def test_404_page_and_fragment(client) -> None:
    page = client.get("/nowhere")
    assert page.status_code == 404 and "Page not found" in page.get_data(as_text=True)
    assert "<html" in page.get_data(as_text=True)
    fragment = client.get("/nowhere", headers={"HX-Request": "true"})
    assert fragment.status_code == 404 and "<html" not in fragment.get_data(as_text=True)
    assert fragment.headers["HX-Retarget"] == "#alerts"
    api = client.get("/api/v1/nowhere")
    assert api.status_code == 404 and api.get_json()["error"]["code"] == 404


def test_405_and_unknown_profile(client) -> None:
    assert client.post("/health").status_code in (400, 405)
    assert client.get("/u/unknownwallet").status_code == 404


def test_500_page_hides_the_error(app) -> None:
    from webapp import create_app

    settings = ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "RATELIMIT_STORAGE_URI")
    broken = create_app({key: app.config[key] for key in settings})

    @broken.get("/__boom")
    def boom() -> str:
        raise RuntimeError("kaboom")

    reply = broken.test_client().get("/__boom")
    assert reply.status_code == 500
    html = reply.get_data(as_text=True)
    assert "Something went wrong" in html and "kaboom" not in html


def test_profile_page(client, auth) -> None:
    keypair = auth.sign_in()
    html = client.get(f"/u/{keypair.pubkey()}").get_data(as_text=True)
    assert str(keypair.pubkey()) in html and "Member since" in html


def test_boosted_navigation_gets_whole_pages(client) -> None:
    boosted = {"HX-Request": "true", "HX-Boosted": "true"}
    missing = client.get("/nowhere", headers=boosted)
    assert missing.status_code == 404 and "<html" in missing.get_data(as_text=True)
    assert "HX-Retarget" not in missing.headers
