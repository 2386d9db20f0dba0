"""Tracking a mint: check it on chain (owner program, decimals, supply), then follow it."""
from __future__ import annotations

import base64
import logging
from dataclasses import dataclass

from solders.pubkey import Pubkey
from spl.token.constants import TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.chain.rpc import SolanaRpcClient, SolanaRpcError, SolanaUnavailable
from webapp.extensions import db
from webapp.models import ChainCheckpoint, Tier, Token, TokenProgram, User
from webapp.services import audit
from webapp.services.indexer import holders
from webapp.services.indexer.settings import setting

log = logging.getLogger("momentum.indexer")
PROGRAMS = {str(TOKEN_PROGRAM_ID): TokenProgram.TOKEN, str(TOKEN_2022_PROGRAM_ID): TokenProgram.TOKEN_2022}
MINT_SIZE = 82
ACCOUNT_SIZE = 165
ACCOUNT_TYPE_MINT = 1


class TrackError(ValueError):
    """The mint cannot be tracked; the message says why (shown to the admin as is)."""


@dataclass(frozen=True)
class MintFacts:
    mint: str
    program: TokenProgram
    decimals: int
    supply: int
    slot: int  # the slot the facts were read at


def check_address(mint: str) -> str:
    mint = mint.strip()
    try:
        Pubkey.from_string(mint)
    except ValueError:
        raise TrackError(f"{mint[:60]!r} is not a Solana address (base58, 32 bytes).") from None
    return mint


def read_mint(client: SolanaRpcClient, mint: str) -> MintFacts:
    """The mint's facts from the chain, or TrackError saying what the address is instead."""
    reply = client.call("getAccountInfo", [mint, {"encoding": "base64", "commitment": "confirmed"}])
    value = reply["value"]
    if value is None:
        raise TrackError(f"No account exists at {mint} on this cluster.")
    program = PROGRAMS.get(value["owner"])
    if program is None:
        raise TrackError(f"{mint} is not a token mint: it belongs to program {value['owner']}.")
    data = base64.b64decode(value["data"][0])
    if not _is_mint(data):
        raise TrackError(f"{mint} is a token account, not a mint.")
    if not data[45]:
        raise TrackError(f"{mint} is a mint account that was never initialised.")
    return MintFacts(mint, program, decimals=data[44], supply=int.from_bytes(data[36:44], "little"),
                     slot=int(reply["context"]["slot"]))


def _is_mint(data: bytes) -> bool:
    if len(data) == MINT_SIZE:
        return True
    # Token-2022 pads an extended mint to the account size, then writes its account type.
    return len(data) > ACCOUNT_SIZE and data[ACCOUNT_SIZE] == ACCOUNT_TYPE_MINT


def track_mint(client: SolanaRpcClient, mint: str, *, name: str = "", symbol: str = "", tier: str | None = None,
               actor: User | None = None, ip_address: str | None = None, symbol_reserved: bool = False) -> Token:
    """Track an existing mint; the listener then backfills its history. Nothing is written on error.

    `symbol_reserved`: the symbol belongs to this mint's own launch application already.
    """
    mint = check_address(mint)
    name, symbol, tier = name.strip(), symbol.strip(), (tier or None)
    if len(name) > 64 or len(symbol) > 16:
        raise TrackError("A name has at most 64 characters and a symbol at most 16.")
    if tier is not None and tier not in {t.value for t in Tier}:
        raise TrackError(f"Unknown tier {tier!r}: use wild_fires or stable_grounds.")
    if db.session.scalar(select(Token.id).where(Token.mint == mint)) is not None:
        raise TrackError(f"{mint} is already tracked.")
    from webapp.services.launches import symbol_taken

    if symbol and not symbol_reserved and symbol_taken(symbol):
        raise TrackError(f"The symbol {symbol} is already taken.")
    try:
        facts = read_mint(client, mint)
    except SolanaRpcError as error:
        raise TrackError(f"The RPC refused to read {mint}: {error.message}") from error
    token = Token(mint=mint, name=name, symbol=symbol, decimals=facts.decimals, supply=facts.supply,
                  supply_slot=facts.slot, program=facts.program.value, tier=tier)
    db.session.add(token)
    if db.session.get(ChainCheckpoint, mint) is None:
        db.session.add(ChainCheckpoint(address=mint, kind="mint"))
    audit.record(actor, "token.tracked", target_type="token", target_id=mint,
                 details={"name": name, "symbol": symbol, "decimals": facts.decimals, "supply": str(facts.supply),
                          "program": facts.program.value}, ip_address=ip_address)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise TrackError(f"{mint} is already tracked.") from None
    if setting("INDEXER_SEED_HOLDERS"):
        seed_holders(client, facts)
    return token


def seed_holders(client: SolanaRpcClient, facts: MintFacts) -> int:
    """Every token account of the mint now, so holders are right before the history is backfilled."""
    filters: list[dict[str, object]] = [{"memcmp": {"offset": 0, "bytes": facts.mint}}]
    if facts.program is TokenProgram.TOKEN:
        filters.append({"dataSize": ACCOUNT_SIZE})
    program = str(TOKEN_PROGRAM_ID if facts.program is TokenProgram.TOKEN else TOKEN_2022_PROGRAM_ID)
    try:
        reply = client.call("getProgramAccounts", [program, {"encoding": "jsonParsed", "commitment": "confirmed",
                                                             "filters": filters, "withContext": True}])
    except (SolanaRpcError, SolanaUnavailable) as error:  # big mints: providers refuse; history fills holders in
        log.warning("could not read the token accounts of %s: %s", facts.mint, error)
        return 0
    slot = int(reply["context"]["slot"])
    for item in reply["value"]:
        info = item["account"]["data"]["parsed"]["info"]
        holders.set_from_chain(item["pubkey"], facts.mint, info["owner"], int(info["tokenAmount"]["amount"]), slot)
    db.session.commit()
    return len(reply["value"])
