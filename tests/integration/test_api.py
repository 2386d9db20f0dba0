"""The read-only JSON API: shapes, keyset cursors and errors."""
from __future__ import annotations

import pytest

from tests.conftest import RAYDIUM_MINT


def test_tokens_list_pages_with_cursors(client, indexed) -> None:
    first = client.get("/api/v1/tokens?limit=1").get_json()
    assert len(first["data"]) == 1 and first["meta"]["next_cursor"]
    second = client.get(f"/api/v1/tokens?limit=1&cursor={first['meta']['next_cursor']}").get_json()
    assert len(second["data"]) == 1 and second["meta"]["next_cursor"] is None
    assert first["data"][0]["mint"] != second["data"][0]["mint"]
    assert isinstance(first["data"][0]["supply"], str) and first["data"][0]["supply"].isdigit()


def test_one_token_and_its_transactions(client, indexed) -> None:
    token = client.get(f"/api/v1/tokens/{RAYDIUM_MINT}").get_json()["data"]
    assert token["symbol"] == "RPUMP"
    assert token["market"]["price"] == {"lamports": "5096440", "base_units": "158742070732"}
    page = client.get(f"/api/v1/tokens/{RAYDIUM_MINT}/transactions?limit=3").get_json()
    assert [e["label"] for e in page["data"]] == ["buy"] * 3 and page["meta"]["next_cursor"]
    cursor = page["meta"]["next_cursor"]
    rest = client.get(f"/api/v1/tokens/{RAYDIUM_MINT}/transactions?limit=3&cursor={cursor}").get_json()
    seen = {(e["signature"], e["wallet"]) for e in page["data"]}
    assert len(rest["data"]) >= 2 and not seen & {(e["signature"], e["wallet"]) for e in rest["data"]}


@pytest.mark.parametrize("path, status", [
    ("/api/v1/tokens?limit=0", 400), ("/api/v1/tokens?limit=abc", 400), ("/api/v1/tokens?sort=x", 400),
    ("/api/v1/tokens/nope", 404), ("/api/v1/tokens/nope/transactions", 404),
])
def test_errors_are_json(client, path, status) -> None:
    reply = client.get(path)
    assert reply.status_code == status
    assert reply.get_json()["error"]["code"] == status and reply.get_json()["error"]["message"]


def test_bad_cursor_on_transactions(client, indexed) -> None:
    reply = client.get(f"/api/v1/tokens/{RAYDIUM_MINT}/transactions?cursor=zzz")
    assert reply.status_code == 400


def test_openapi_document_names_every_path(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {"/api/v1/tokens", "/api/v1/tokens/{mint}", "/api/v1/tokens/{mint}/transactions"}
