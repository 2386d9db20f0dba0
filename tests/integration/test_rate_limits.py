"""Limits apply where they are declared, and page reads are never limited."""
from __future__ import annotations

UNTRACKED_MINT = "So11111111111111111111111111111111111111112"


def test_the_api_is_limited_to_120_reads_a_minute(client) -> None:
    statuses = [client.get("/api/v1/tokens").status_code for _ in range(121)]
    assert statuses[:120] == [200] * 120
    assert statuses[120] == 429


def test_page_reads_skip_the_limiter_and_limited_requests_do_not(app) -> None:
    from webapp.extensions import limiter, unlimited_read

    assert limiter._check_request_limit not in app.before_request_funcs[None]  # wrapped by the filter
    for method, path, unlimited in (("GET", "/tokens/", True), ("HEAD", "/", True),
                                    ("GET", "/api/v1/tokens", False), ("GET", "/auth/nonce", False),
                                    ("POST", f"/tokens/{UNTRACKED_MINT}/trade", False)):
        with app.test_request_context(path, method=method):
            assert unlimited_read() is unlimited, (method, path)


def test_a_member_may_place_30_trades_a_minute(auth) -> None:
    auth.sign_in()
    token = auth.csrf_token()
    statuses = [
        auth.client.post(f"/tokens/{UNTRACKED_MINT}/trade", data={"side": "buy", "amount": "1"},
                         headers={"X-CSRFToken": token}).status_code
        for _ in range(31)
    ]
    assert statuses[:30] == [404] * 30  # refused for the mint, but counted
    assert statuses[30] == 429
