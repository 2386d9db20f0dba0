"""The classifier against real mainnet transactions and their expected events.

Fixtures live outside the repository (../shared/fixtures/solana-mainnet, see
its MANIFEST.md); every ``<category>/<id>.json`` found there is checked
against its ``<id>.expected.json``. The last test mutates those real
transactions at random and checks that classify() still never raises.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp.chain.classify import LABELS, ChainEvent, classify

FIXTURES = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "solana-mainnet"


def _transaction_files() -> list[Path]:
    if not FIXTURES.is_dir():
        return []
    return sorted(p for p in FIXTURES.glob("*/*.json") if not p.name.endswith(".expected.json"))


TRANSACTION_FILES = _transaction_files()
NO_FIXTURES = f"mainnet fixtures not found in {FIXTURES}"
needs_fixtures = pytest.mark.skipif(not TRANSACTION_FILES, reason=NO_FIXTURES)


def _each(paths: list[Path]) -> list[Any]:
    """One pytest param per fixture file, or a single skipped one when there are none."""
    if not paths:
        return [pytest.param(None, marks=pytest.mark.skip(reason=NO_FIXTURES))]
    return [pytest.param(p, id=f"{p.parent.name}/{p.stem}") for p in paths]


def _load(path: Path) -> Any:
    return json.loads(path.read_text())


def _expected_for(path: Path) -> dict[str, Any]:
    return _load(path.with_name(f"{path.stem}.expected.json"))


def _matches(event: ChainEvent, expected: dict[str, Any]) -> bool:
    """Same label, wallet, mint and amount; swap legs and exact SOL where given."""
    keys = ["label", "wallet", "mint", "token_amount"]
    if expected["label"] == "swap":
        keys += ["other_mint", "other_amount"]
    if expected.get("sol_amount") is not None and expected.get("sol_amount_exact", True):
        keys.append("sol_amount")
    return all(getattr(event, key) == expected.get(key) for key in keys)


def _same_identity(event: ChainEvent, optional: dict[str, Any]) -> bool:
    return all(getattr(event, key) == optional.get(key) for key in ("label", "wallet", "mint"))


def _describe(event: ChainEvent) -> str:
    return (f"{event.label} wallet={event.wallet} mint={event.mint} "
            f"token_amount={event.token_amount} sol_amount={event.sol_amount} "
            f"other={event.other_mint}:{event.other_amount} reason={event.reason}")


@pytest.mark.parametrize("path", _each(TRANSACTION_FILES))
def test_fixture_events_match_expected(path: Path) -> None:
    expected = _expected_for(path)
    events = classify(_load(path))
    unmatched = list(events)
    for wanted in expected["events"]:
        found = next((e for e in unmatched if _matches(e, wanted)), None)
        assert found is not None, (
            f"missing {wanted['label']} for {wanted['wallet']} ({wanted['token_amount']} of "
            f"{wanted['mint']}); got:\n" + "\n".join(map(_describe, events))
        )
        unmatched.remove(found)
    optional = expected.get("optional_events") or []
    extra = [e for e in unmatched if not any(_same_identity(e, o) for o in optional)]
    assert not extra, "unexpected events:\n" + "\n".join(map(_describe, extra))


@pytest.mark.parametrize("path", _each(TRANSACTION_FILES))
def test_fixture_events_carry_the_transaction_identity(path: Path) -> None:
    expected = _expected_for(path)
    for event in classify(_load(path)):
        assert (event.signature, event.slot, event.block_time) == (
            expected["signature"], expected["slot"], expected["block_time"]
        )


def _json_parsed_view(document: dict[str, Any]) -> dict[str, Any]:
    """The same transaction shaped as jsonParsed, leaving every instruction raw
    (as jsonParsed does for programs the node cannot parse)."""
    view = copy.deepcopy(document)
    message, meta = view["transaction"]["message"], view["meta"]
    static, loaded = message["accountKeys"], meta.get("loadedAddresses") or {}
    keys = static + loaded.get("writable", []) + loaded.get("readonly", [])
    header = message["header"]
    signed = header["numRequiredSignatures"]
    writable = set(static[: signed - header["numReadonlySignedAccounts"]])
    writable |= set(static[signed : len(static) - header["numReadonlyUnsignedAccounts"]])
    writable |= set(loaded.get("writable", []))
    message["accountKeys"] = [
        {"pubkey": key, "signer": i < signed, "writable": key in writable,
         "source": "transaction" if i < len(static) else "lookupTable"}
        for i, key in enumerate(keys)
    ]

    def raw(instruction: dict[str, Any]) -> dict[str, Any]:
        return {"programId": keys[instruction["programIdIndex"]],
                "accounts": [keys[i] for i in instruction["accounts"]],
                "data": instruction["data"], "stackHeight": instruction.get("stackHeight")}

    message["instructions"] = [raw(ix) for ix in message["instructions"]]
    for group in meta.get("innerInstructions") or []:
        group["instructions"] = [raw(ix) for ix in group["instructions"]]
    return view


def _is_json_encoded(path: Path) -> bool:
    return isinstance(_load(path)["transaction"]["message"]["accountKeys"][0], str)


@pytest.mark.parametrize("path", _each([p for p in TRANSACTION_FILES if _is_json_encoded(p)]))
def test_json_and_json_parsed_views_of_a_transaction_agree(path: Path) -> None:
    document = _load(path)
    assert classify(_json_parsed_view(document)) == classify(document)


# --- never raises --------------------------------------------------------------

_JUNK: st.SearchStrategy[Any] = st.sampled_from(
    [None, "", "0", "-1", "not base58 0OIl", 0, -1, 2**70, True, 1.5, [], {}, [None]]
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key/index path inside a JSON document."""
    found: list[tuple[Any, ...]] = []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in children:
        found.append((*prefix, key))
        found.extend(_paths(child, (*prefix, key)))
    return found


def _mutate(document: Any, path: tuple[Any, ...], replacement: Any, delete: bool) -> None:
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = copy.deepcopy(replacement)  # junk values are shared constants


@needs_fixtures
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_classify_never_raises_on_damaged_transactions(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(TRANSACTION_FILES))
    document = _load(path)
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        paths = _paths(document)
        if not paths:
            break
        target = data.draw(st.sampled_from(paths))
        _mutate(document, target, data.draw(_JUNK), delete=data.draw(st.booleans()))
    events = classify(document)
    assert events, "classify must always return at least one event"
    for event in events:
        assert isinstance(event, ChainEvent)
        assert event.label in LABELS
        assert isinstance(event.token_amount, int) and event.token_amount >= 0
        assert isinstance(event.sol_amount, int) and event.sol_amount >= 0
        if event.label == "other":
            assert event.reason
