"""jsonParsed instruction parsing for System, SPL Token, ATA and Memo, checked on real instructions."""
from __future__ import annotations

from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import (
    CreateAccountWithSeedParams,
    TransferParams,
    create_account_with_seed,
)
from solders.system_program import transfer as system_transfer
from spl.token.constants import TOKEN_PROGRAM_ID
from spl.token.instructions import set_authority, transfer
from spl.token.models import AuthorityType, SetAuthorityParams
from spl.token.models import TransferParams as TokenTransferParams

from webapp.chain import spl
from webapp.chain.localnet.tx_render import parse_instruction


def _parse(ix: Instruction) -> dict:
    return parse_instruction(str(ix.program_id), [str(meta.pubkey) for meta in ix.accounts], bytes(ix.data), None)


def _key() -> Pubkey:
    return Keypair().pubkey()


def test_system_instructions() -> None:
    source, destination = _key(), _key()
    parsed = _parse(system_transfer(TransferParams(from_pubkey=source, to_pubkey=destination, lamports=42)))
    assert parsed["program"] == "system"
    assert parsed["parsed"] == {"info": {"source": str(source), "destination": str(destination), "lamports": 42},
                                "type": "transfer"}
    base, new = _key(), _key()
    seeded = _parse(create_account_with_seed(CreateAccountWithSeedParams(
        from_pubkey=base, to_pubkey=new, base=base, seed="temp", lamports=5, space=165, owner=TOKEN_PROGRAM_ID)))
    assert seeded["parsed"]["type"] == "createAccountWithSeed"
    assert seeded["parsed"]["info"]["seed"] == "temp" and seeded["parsed"]["info"]["space"] == 165


def test_token_instructions() -> None:
    owner, mint, recipient = _key(), _key(), _key()
    checked = _parse(spl.transfer(owner, mint, recipient, 1_500_000, 6, create_recipient_account=False)[0])
    assert checked["program"] == "spl-token"
    info = checked["parsed"]["info"]
    assert checked["parsed"]["type"] == "transferChecked"
    assert info["tokenAmount"] == {"amount": "1500000", "decimals": 6, "uiAmount": 1.5, "uiAmountString": "1.5"}
    assert info["authority"] == str(owner) and info["mint"] == str(mint)

    signers = [_key(), _key()]
    multisig = _key()
    plain = _parse(transfer(TokenTransferParams(program_id=TOKEN_PROGRAM_ID, source=_key(), dest=_key(),
                                                owner=multisig, amount=9, signers=signers)))
    assert plain["parsed"]["info"]["multisigAuthority"] == str(multisig)
    assert plain["parsed"]["info"]["signers"] == [str(s) for s in signers]
    assert plain["parsed"]["info"]["amount"] == "9"

    revoke = _parse(set_authority(SetAuthorityParams(program_id=TOKEN_PROGRAM_ID, account=mint,
                                                     authority=AuthorityType.MINT_TOKENS, current_authority=owner,
                                                     new_authority=None)))
    assert revoke["parsed"] == {"info": {"mint": str(mint), "authorityType": "mintTokens", "newAuthority": None,
                                         "authority": str(owner)}, "type": "setAuthority"}
    burn = _parse(spl.burn(owner, mint, 10, 6)[0])
    assert burn["parsed"]["type"] == "burnChecked" and burn["parsed"]["info"]["tokenAmount"]["amount"] == "10"
    create_mint = [_parse(ix)["parsed"]["type"] for ix in spl.create_mint(owner, mint, owner, 6, 1)]
    assert create_mint == ["createAccount", "initializeMint2"]


def test_associated_token_account_and_memo() -> None:
    payer, mint = _key(), _key()
    create, mint_to = (_parse(ix) for ix in spl.mint_to(payer, mint, payer, payer, 5, 6))
    assert create["program"] == "spl-associated-token-account"
    assert create["parsed"]["type"] == "createIdempotent"
    assert create["parsed"]["info"]["account"] == str(spl.token_account(payer, mint))
    assert mint_to["parsed"]["type"] == "mintToChecked"
    memo = _parse(spl.memo(payer, "gm"))
    assert memo == {"parsed": "gm", "program": "spl-memo",
                    "programId": "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr", "stackHeight": None}


def test_unparsable_instructions_are_rendered_raw() -> None:
    account = _key()
    garbage = _parse(Instruction(TOKEN_PROGRAM_ID, bytes([3, 1]), []))
    assert set(garbage) == {"accounts", "data", "programId", "stackHeight"}
    unknown = parse_instruction(str(_key()), [str(account)], b"\x01\x02", 2)
    assert unknown["accounts"] == [str(account)] and unknown["data"] == "5T" and unknown["stackHeight"] == 2
