"""The strict CSP holds in the browser across htmx swaps, and a signed-out launch goes through sign-in and back."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from solders.keypair import Keypair

from tests.e2e.wallet import inject_test_wallet
from webapp.extensions import db
from webapp.models import Token

# Collected in the page, so violations from every swap after the first load are kept.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = event.blockedURI || "inline";
  window.cspViolations.push(event.violatedDirective + " " + where + " " + (event.sample || ""));
});
"""


def test_no_csp_violation_across_htmx_swaps_and_the_sign_in_detour(app, live_server, page, screenshot) -> None:
    with app.app_context():
        for mint, name, tier in (("MintWild1111111111111111111111111111111111", "Wild Garden", "wild_fires"),
                                 ("MintStab1111111111111111111111111111111111", "Stable Garden", "stable_grounds")):
            db.session.add(Token(mint=mint, name=name, symbol=name[:4].upper(), decimals=6, supply=10**15,
                                 supply_slot=0, program="token", tier=tier))
        db.session.commit()
    keypair = Keypair()
    inject_test_wallet(page, keypair)
    page.add_init_script(RECORD_VIOLATIONS)
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)

    page.goto(live_server + "/")
    page.get_by_role("link", name="Tokens").first.click()  # a boosted navigation: htmx swaps the body
    expect(page.locator(".token-card")).to_have_count(2)
    page.select_option("#token-tier", "stable_grounds")  # the directory fragment swaps itself
    expect(page.locator(".token-card")).to_have_count(1)
    page.get_by_role("link", name="Launch a token").click()
    expect(page).to_have_url(re.compile(r"/auth/sign-in\?next=(%2F|/)tokens(%2F|/)new$"))
    expect(page.get_by_test_id("sign-in-purpose")).to_have_text("Sign in with your wallet to launch a token.")
    screenshot("sign-in-to-launch")
    page.locator("[data-sign-in]").click()
    expect(page).to_have_url(live_server + "/tokens/new", timeout=10_000)
    page.check("input[value=stable_grounds]")
    page.fill("#team_percent", "15")
    page.locator("#cliff_days").dispatch_event("change")  # the vesting preview swaps in
    expect(page.locator("#vesting-preview polyline")).to_be_visible()
    page.get_by_role("link", name="Momentum").first.click()  # back home through a boosted link
    expect(page).to_have_url(live_server + "/")

    assert page.evaluate("window.cspViolations") == []
    assert not [error for error in console_errors if "Content Security Policy" in error]
