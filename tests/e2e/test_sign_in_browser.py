"""Sign in with a wallet in Chromium, and the pages people see."""
from __future__ import annotations

from playwright.sync_api import expect
from solders.keypair import Keypair
from sqlalchemy import select

from tests.e2e.wallet import inject_test_wallet, sign_in_with_test_wallet
from webapp.extensions import db
from webapp.models import User


def test_wallet_sign_in_shows_short_address(app, live_server, page, screenshot) -> None:
    keypair = Keypair()
    wallet = str(keypair.pubkey())
    signed = inject_test_wallet(page, keypair)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server + "/")
    screenshot("home")
    page.click("#sign-in-button")
    expect(page.get_by_test_id("nav-wallet")).to_have_text(f"{wallet[:4]}…{wallet[-4:]}", timeout=10_000)
    assert signed and signed[0].startswith("127.0.0.1:") and wallet in signed[0]
    assert not [e for e in errors if "Content Security Policy" in e]
    screenshot("signed-in")
    with app.app_context():
        assert db.session.scalar(select(User.wallet).where(User.wallet == wallet)) == wallet


def test_browser_without_wallet_gets_an_explanation(live_server, page, screenshot) -> None:
    page.goto(live_server + "/auth/sign-in")
    expect(page.locator("#wallet-status")).to_contain_text("No Solana wallet was found")
    page.click("#sign-in-button")
    dialog = page.locator("#wallet-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Install Phantom, Solflare or Backpack")
    screenshot("sign-in-no-wallet")


def test_admin_pages_in_the_browser(app, live_server, page, screenshot) -> None:
    sign_in_with_test_wallet(app, live_server, page, admin=True)
    expect(page.get_by_text("Admin", exact=True).first).to_be_visible()
    with app.app_context():
        for _ in range(3):
            db.session.add(User(wallet=str(Keypair().pubkey())))
        db.session.commit()
    page.goto(live_server + "/admin/users")
    row = page.locator("#users-table tbody tr").nth(1)
    row.locator("select").select_option("moderator")
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#users-table .saved")).to_have_text("Saved")
    screenshot("admin-users")
    page.goto(live_server + "/admin/audit")
    expect(page.locator("#audit-table")).to_contain_text("user.role_changed")
    screenshot("admin-audit")


def test_error_page(live_server, page, screenshot) -> None:
    reply = page.goto(live_server + "/no/such/page")
    assert reply is not None and reply.status == 404
    expect(page.locator(".error-code")).to_have_text("404")
    screenshot("error-404")
