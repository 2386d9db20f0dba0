"""Account RPC methods, each answered as of the requested commitment level."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from solders.account import Account
from solders.pubkey import Pubkey

from webapp.chain.localnet import rpc_params as p
from webapp.chain.localnet.codec import b58decode, b64decode, ui_token_amount
from webapp.chain.localnet.errors import invalid_params
from webapp.chain.localnet.node import LocalChain
from webapp.chain.localnet.token_layout import TOKEN_PROGRAMS, decode_mint, decode_token_account, parsed_account_data

Handler = Callable[[LocalChain, list[Any]], Any]
MAX_MULTIPLE_ACCOUNTS = 100
MAX_FILTERS = 4


def _read(chain: LocalChain, key: Pubkey, slot: int) -> Account | None:
    return chain.ledger.account(key, slot)


def _ui_account(chain: LocalChain, account: Account, encoding: str, cfg: dict[str, Any]) -> dict[str, Any]:
    parsed = parsed_account_data(account, chain.ledger.decimals_of) if encoding == "jsonParsed" else None
    return p.account_json(account, encoding, cfg, parsed)


def get_balance(chain: LocalChain, params: list[Any]) -> dict[str, Any]:
    key = p.pubkey(p.param(params, 0, "pubkey"))
    slot = p.context_slot(chain.clock, p.config(params, 1))
    account = _read(chain, key, slot)
    return p.with_context(slot, account.lamports if account else 0)


def get_account_info(chain: LocalChain, params: list[Any]) -> dict[str, Any]:
    key = p.pubkey(p.param(params, 0, "pubkey"))
    cfg = p.config(params, 1)
    encoding = p.account_encoding(cfg)
    slot = p.context_slot(chain.clock, cfg)
    account = _read(chain, key, slot)
    return p.with_context(slot, _ui_account(chain, account, encoding, cfg) if account else None)


def get_multiple_accounts(chain: LocalChain, params: list[Any]) -> dict[str, Any]:
    keys = p.param(params, 0, "pubkeys")
    if not isinstance(keys, list):
        raise invalid_params("Invalid params: invalid type: expected a sequence.")
    if len(keys) > MAX_MULTIPLE_ACCOUNTS:
        raise invalid_params(f"Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}")
    cfg = p.config(params, 1)
    encoding = p.account_encoding(cfg)
    slot = p.context_slot(chain.clock, cfg)
    values = []
    for key in (p.pubkey(text) for text in keys):
        account = _read(chain, key, slot)
        values.append(_ui_account(chain, account, encoding, cfg) if account else None)
    return p.with_context(slot, values)


def _owned_by(chain: LocalChain, program: Pubkey, slot: int) -> dict[Pubkey, Account]:
    """Accounts owned by `program` as of `slot`: current ones, corrected by recent pre-images."""
    ledger = chain.ledger
    changed = ledger.history.changed_after(slot)
    found = {key: acc for key, acc in ledger.svm.get_program_accounts(program) if key not in changed and acc.lamports}
    for key in changed:
        account = ledger.account(key, slot)
        if account is not None and account.owner == program:
            found[key] = account
    return found


def account_filter(filters: Any) -> Callable[[Account], bool]:
    if filters is None:
        return lambda account: True
    if not isinstance(filters, list) or len(filters) > MAX_FILTERS:
        raise invalid_params(f"Too many filters provided; max {MAX_FILTERS}")
    checks: list[Callable[[bytes], bool]] = []
    for item in filters:
        if isinstance(item, dict) and isinstance(item.get("dataSize"), int):
            checks.append(_data_size(item["dataSize"]))
        elif isinstance(item, dict) and isinstance(item.get("memcmp"), dict):
            checks.append(_memcmp(item["memcmp"]))
        else:
            raise invalid_params("Invalid params: unknown filter.")
    return lambda account: all(check(bytes(account.data)) for check in checks)


def _data_size(size: int) -> Callable[[bytes], bool]:
    return lambda data: len(data) == size


def _memcmp(spec: dict[str, Any]) -> Callable[[bytes], bool]:
    offset, encoded = spec.get("offset"), spec.get("bytes")
    if not isinstance(offset, int) or not isinstance(encoded, str):
        raise invalid_params("Invalid params: memcmp needs `offset` and `bytes`.")
    try:
        wanted = b64decode(encoded) if spec.get("encoding") == "base64" else b58decode(encoded)
    except ValueError:
        raise invalid_params("Invalid param: Invalid memcmp bytes") from None
    return lambda data: data[offset : offset + len(wanted)] == wanted


def get_program_accounts(chain: LocalChain, params: list[Any]) -> Any:
    program = p.pubkey(p.param(params, 0, "program_id"))
    cfg = p.config(params, 1)
    encoding = p.account_encoding(cfg)
    slot = p.context_slot(chain.clock, cfg)
    keep = account_filter(cfg.get("filters"))
    found = [{"pubkey": str(key), "account": _ui_account(chain, account, encoding, cfg)}
             for key, account in _owned_by(chain, program, slot).items() if keep(account)]
    return p.with_context(slot, found) if cfg.get("withContext") else found


def _token_accounts(chain: LocalChain, candidates: Iterable[Pubkey], slot: int) -> list[tuple[Pubkey, Account, Any]]:
    ledger = chain.ledger
    found = []
    for key in set(candidates) | ledger.history.changed_after(slot):
        account = ledger.account(key, slot)
        state = decode_token_account(account)
        if account is not None and state is not None:
            found.append((key, account, state))
    return found


def _token_program_filter(chain: LocalChain, spec: Any) -> tuple[str | None, Pubkey | None]:
    """(mint, program) from the {mint} or {programId} filter of getTokenAccountsBy*."""
    if not isinstance(spec, dict) or not ({"mint", "programId"} & spec.keys()):
        raise invalid_params("Invalid params: expected `mint` or `programId`.")
    if "mint" in spec:
        mint = p.pubkey(spec["mint"])
        mint_account = chain.ledger.account(mint)
        if mint_account is None or mint_account.owner not in TOKEN_PROGRAMS:
            raise invalid_params("Invalid param: could not find mint")
        return str(mint), mint_account.owner
    program = p.pubkey(spec["programId"])
    if program not in TOKEN_PROGRAMS:
        raise invalid_params("Invalid param: unrecognized Token program id")
    return None, program


def get_token_accounts_by_owner(chain: LocalChain, params: list[Any]) -> dict[str, Any]:
    owner = str(p.pubkey(p.param(params, 0, "owner")))
    mint, program = _token_program_filter(chain, p.param(params, 1, "filter"))
    cfg = p.config(params, 2)
    encoding = p.account_encoding(cfg)
    slot = p.context_slot(chain.clock, cfg)
    candidates = chain.ledger.tokens.by_owner.get(owner, set())
    found = [
        {"pubkey": str(key), "account": _ui_account(chain, account, encoding, cfg)}
        for key, account, state in _token_accounts(chain, candidates, slot)
        if state.owner == owner and account.owner == program and (mint is None or state.mint == mint)
    ]
    return p.with_context(slot, found)


def _mint_state(chain: LocalChain, params: list[Any], slot_index: int) -> tuple[str, Any, int]:
    mint = p.pubkey(p.param(params, 0, "mint"))
    slot = p.context_slot(chain.clock, p.config(params, slot_index))
    state = decode_mint(chain.ledger.account(mint, slot))
    if state is None:
        raise invalid_params("Invalid param: not a Token mint")
    return str(mint), state, slot


def get_token_supply(chain: LocalChain, params: list[Any]) -> dict[str, Any]:
    _, state, slot = _mint_state(chain, params, 1)
    return p.with_context(slot, ui_token_amount(state.supply, state.decimals))


def get_token_largest_accounts(chain: LocalChain, params: list[Any]) -> dict[str, Any]:
    mint, state, slot = _mint_state(chain, params, 1)
    candidates = chain.ledger.tokens.by_mint.get(mint, set())
    holders = [(s.amount, key) for key, _, s in _token_accounts(chain, candidates, slot) if s.mint == mint]
    holders.sort(key=lambda item: (-item[0], str(item[1])))
    value = [{"address": str(key), **ui_token_amount(amount, state.decimals)} for amount, key in holders[:20]]
    return p.with_context(slot, value)


def get_token_account_balance(chain: LocalChain, params: list[Any]) -> dict[str, Any]:
    key = p.pubkey(p.param(params, 0, "pubkey"))
    slot = p.context_slot(chain.clock, p.config(params, 1))
    state = decode_token_account(chain.ledger.account(key, slot))
    decimals = chain.ledger.decimals_of(state.mint) if state is not None else None
    if state is None or decimals is None:
        raise invalid_params("Invalid param: not a Token account")
    return p.with_context(slot, ui_token_amount(state.amount, decimals))


METHODS: dict[str, Handler] = {
    "getBalance": get_balance,
    "getAccountInfo": get_account_info,
    "getMultipleAccounts": get_multiple_accounts,
    "getProgramAccounts": get_program_accounts,
    "getTokenAccountsByOwner": get_token_accounts_by_owner,
    "getTokenSupply": get_token_supply,
    "getTokenLargestAccounts": get_token_largest_accounts,
    "getTokenAccountBalance": get_token_account_balance,
}
