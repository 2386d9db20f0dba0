"""The payout engine's view of the chain, over the app's RPC client."""
from __future__ import annotations

from solders.hash import Hash

from webapp.chain.localnet.token_layout import decode_mint
from webapp.chain.rpc import SolanaRpcClient, SolanaRpcError
from webapp.services.payouts.gateway import MintInfo, SendRefused, SignatureState


class RpcChainGateway:
    def __init__(self, client: SolanaRpcClient) -> None:
        self.client = client

    def latest_blockhash(self) -> tuple[Hash, int]:
        latest = self.client.get_latest_blockhash("finalized")
        return latest.blockhash, latest.last_valid_block_height

    def block_height(self) -> int:
        return self.client.get_block_height("confirmed")

    def send_transaction(self, raw: bytes) -> None:
        try:
            self.client.send_transaction(raw)
        except SolanaRpcError as error:
            raise SendRefused(f"{error.message} ({error.transaction_error})", error.logs) from error

    def signature_states(self, signatures: list[str]) -> list[SignatureState | None]:
        return [
            None if status is None else SignatureState(
                status.confirmation_status or "processed", None if status.err is None else str(status.err)
            )
            for status in self.client.get_signature_statuses(signatures, search_history=True)
        ]

    def token_balance(self, owner: str, mint: str) -> int:
        return sum(holding.amount for holding in self.client.get_token_accounts_by_owner(owner, mint=mint))

    def sol_balance(self, owner: str) -> int:
        return self.client.get_balance(owner)

    def mint_info(self, mint: str) -> MintInfo | None:
        account = self.client.get_account_info(mint)
        state = decode_mint(account)
        if account is None or state is None or not state.is_initialized:
            return None
        return MintInfo(program=str(account.owner), decimals=state.decimals, supply=state.supply)
