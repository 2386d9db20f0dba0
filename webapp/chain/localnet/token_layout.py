"""Reading SPL Token and Token-2022 account data (mints and token accounts).

Only the base layouts are decoded; Token-2022 extensions are recognised
(by the account-type byte) but not interpreted.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from solders.account import Account
from solders.pubkey import Pubkey

from webapp.chain.localnet.codec import ui_token_amount

TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
TOKEN_2022_PROGRAM = Pubkey.from_string("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
TOKEN_PROGRAMS = frozenset({TOKEN_PROGRAM, TOKEN_2022_PROGRAM})
NATIVE_MINT = "So11111111111111111111111111111111111111112"

ACCOUNT_LEN = 165
MINT_LEN = 82
# Token-2022 puts an account-type byte right after the 165-byte base.
_TYPE_MINT, _TYPE_ACCOUNT = 1, 2
_ACCOUNT_STATES = {0: "uninitialized", 1: "initialized", 2: "frozen"}


@dataclass(frozen=True, slots=True)
class TokenAccountState:
    mint: str
    owner: str
    amount: int
    delegate: str | None
    state: int
    native_reserve: int | None
    delegated_amount: int
    close_authority: str | None


@dataclass(frozen=True, slots=True)
class MintState:
    mint_authority: str | None
    supply: int
    decimals: int
    is_initialized: bool
    freeze_authority: str | None


def program_name(program_id: Pubkey | str) -> str:
    return "spl-token-2022" if str(program_id) == str(TOKEN_2022_PROGRAM) else "spl-token"


def _coption_pubkey(data: bytes, offset: int) -> str | None:
    if int.from_bytes(data[offset : offset + 4], "little") == 0:
        return None
    return str(Pubkey(data[offset + 4 : offset + 36]))


def is_token_account_data(data: bytes) -> bool:
    if len(data) == ACCOUNT_LEN:
        return True
    return len(data) > ACCOUNT_LEN and data[ACCOUNT_LEN] == _TYPE_ACCOUNT


def is_mint_data(data: bytes) -> bool:
    if len(data) == MINT_LEN:
        return True
    return len(data) > ACCOUNT_LEN and data[ACCOUNT_LEN] == _TYPE_MINT


def decode_token_account(account: Account | None) -> TokenAccountState | None:
    """The token account state, or None when `account` is not an initialised token account."""
    if account is None or account.owner not in TOKEN_PROGRAMS:
        return None
    data = bytes(account.data)
    if not is_token_account_data(data) or data[108] == 0:
        return None
    native = None
    if int.from_bytes(data[109:113], "little"):
        native = int.from_bytes(data[113:121], "little")
    return TokenAccountState(
        mint=str(Pubkey(data[0:32])),
        owner=str(Pubkey(data[32:64])),
        amount=int.from_bytes(data[64:72], "little"),
        delegate=_coption_pubkey(data, 72),
        state=data[108],
        native_reserve=native,
        delegated_amount=int.from_bytes(data[121:129], "little"),
        close_authority=_coption_pubkey(data, 129),
    )


def decode_mint(account: Account | None) -> MintState | None:
    if account is None or account.owner not in TOKEN_PROGRAMS:
        return None
    data = bytes(account.data)
    if not is_mint_data(data) or not data[45]:
        return None
    return MintState(
        mint_authority=_coption_pubkey(data, 0),
        supply=int.from_bytes(data[36:44], "little"),
        decimals=data[44],
        is_initialized=bool(data[45]),
        freeze_authority=_coption_pubkey(data, 46),
    )


def parsed_token_account(state: TokenAccountState, decimals: int) -> dict[str, Any]:
    """The `info` object of a jsonParsed token account."""
    info: dict[str, Any] = {
        "isNative": state.native_reserve is not None,
        "mint": state.mint,
        "owner": state.owner,
        "state": _ACCOUNT_STATES.get(state.state, "uninitialized"),
        "tokenAmount": ui_token_amount(state.amount, decimals),
    }
    if state.delegate is not None:
        info["delegate"] = state.delegate
        info["delegatedAmount"] = ui_token_amount(state.delegated_amount, decimals)
    if state.native_reserve is not None:
        info["rentExemptReserve"] = ui_token_amount(state.native_reserve, decimals)
    if state.close_authority is not None:
        info["closeAuthority"] = state.close_authority
    return info


def parsed_mint(state: MintState) -> dict[str, Any]:
    return {
        "decimals": state.decimals,
        "freezeAuthority": state.freeze_authority,
        "isInitialized": state.is_initialized,
        "mintAuthority": state.mint_authority,
        "supply": str(state.supply),
    }


def parsed_account_data(account: Account, decimals_of: Any) -> dict[str, Any] | None:
    """jsonParsed `data` for a token account or mint, else None (caller falls back to base64).

    `decimals_of(mint: str) -> int | None` looks up a mint's decimals.
    """
    token = decode_token_account(account)
    program = program_name(account.owner)
    space = len(account.data)
    if token is not None:
        decimals = decimals_of(token.mint)
        if decimals is None:
            return None
        info = parsed_token_account(token, decimals)
        return {"program": program, "parsed": {"info": info, "type": "account"}, "space": space}
    mint = decode_mint(account)
    if mint is not None:
        return {"program": program, "parsed": {"info": parsed_mint(mint), "type": "mint"}, "space": space}
    return None
