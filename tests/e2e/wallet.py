"""A test wallet injected into the page signs in Python, as Phantom would in a browser."""
from __future__ import annotations

from solders.keypair import Keypair

from webapp.services.trading.messages import signed_by

# A Phantom-style provider whose signing calls back into Python (window.pySign).
TEST_WALLET_SCRIPT = """
(() => {
  const address = "%(address)s";
  const publicKey = { toBase58: () => address, toString: () => address };
  const provider = {
    isPhantom: true,
    publicKey,
    connect: async () => ({ publicKey }),
    signMessage: async (bytes) => ({ signature: new Uint8Array(await window.pySign(Array.from(bytes))), publicKey }),
  };
  window.phantom = { solana: provider };
  window.solana = provider;
  // The same key as a wallet-standard wallet that signs transactions (bytes in, bytes out).
  const account = { address, publicKey: new Uint8Array(32), chains: ["solana:localnet"], features: [] };
  const wallet = {
    version: "1.0.0", name: "Test Wallet", icon: "data:image/svg+xml;base64,PHN2Zy8+", chains: ["solana:localnet"],
    accounts: [account],
    features: {
      "standard:connect": { version: "1.0.0", connect: async () => ({ accounts: [account] }) },
      "solana:signTransaction": { version: "1.0.0", supportedTransactionVersions: ["legacy", 0],
        signTransaction: async (...inputs) => Promise.all(inputs.map(async (input) => ({
          signedTransaction: new Uint8Array(await window.pySignTransaction(Array.from(input.transaction))) }))) },
    },
  };
  window.addEventListener("wallet-standard:app-ready", (event) => event.detail.register(wallet));
})();
"""


def inject_test_wallet(page, keypair: Keypair) -> list[str]:
    """Give the page a wallet; returns the list of messages it was asked to sign."""
    signed: list[str] = []

    def sign(message: list[int]) -> list[int]:
        data = bytes(message)
        signed.append(data.decode())
        return list(bytes(keypair.sign_message(data)))

    def sign_transaction(wire: list[int]) -> list[int]:
        return list(signed_by(keypair, bytes(wire)))

    page.expose_function("pySign", sign)
    page.expose_function("pySignTransaction", sign_transaction)
    page.add_init_script(TEST_WALLET_SCRIPT % {"address": str(keypair.pubkey())})
    return signed


def sign_in_with_test_wallet(app, live_server: str, page, *, admin: bool = False) -> Keypair:
    """Open the home page with a fresh test wallet and sign in through the real button."""
    from playwright.sync_api import expect

    keypair = Keypair()
    if admin:
        app.config["ADMIN_WALLETS"] = {str(keypair.pubkey())}
    try:
        inject_test_wallet(page, keypair)
        page.goto(live_server + "/")
        page.click("#sign-in-button")
        expect(page.get_by_test_id("nav-wallet")).to_be_visible(timeout=10_000)
    finally:
        app.config["ADMIN_WALLETS"] = set()
    return keypair
