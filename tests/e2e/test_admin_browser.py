"""The admin overview in the browser: long audit details stay inside a 1,280 px wide page."""
from __future__ import annotations

from playwright.sync_api import expect
from solders.keypair import Keypair

from tests.e2e.wallet import sign_in_with_test_wallet
from webapp.extensions import db
from webapp.services import audit


def test_admin_overview_fits_1280px_with_long_audit_details(app, live_server, page, screenshot) -> None:
    with app.app_context():
        audit.record(None, "launch.rejected", target_type="launch", target_id=str(Keypair().pubkey()),
                     details={"symbol": "LONGNAME", "reason": "x" * 600,
                              "link": "https://example.com/" + "a-very-long-path-without-spaces/" * 12})
        audit.record(None, "wallet.tokens_sent", target_type="payout", target_id=7,
                     details={"wallet": "payout_hot", "recipient": str(Keypair().pubkey()),
                              "mint": str(Keypair().pubkey()), "amount": "1" * 40})
        db.session.commit()
    sign_in_with_test_wallet(app, live_server, page, admin=True)
    page.goto(live_server + "/admin/")
    expect(page.get_by_role("heading", name="Recent actions")).to_be_visible()
    assert page.viewport_size == {"width": 1280, "height": 800}
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1280
    long_reason = page.locator("td.details", has_text="x" * 40)
    expect(long_reason).to_be_visible()  # shown, wrapped within the cell, not cut off or hidden
    for box in (cell.bounding_box() for cell in page.locator("td.details").all()):
        assert box is not None and box["x"] + box["width"] <= 1280
    card, table = page.locator("section.card", has_text="Recent actions"), page.locator("section.card table")
    card_box, table_box = card.bounding_box(), table.bounding_box()
    assert card_box and table_box and table_box["x"] + table_box["width"] <= card_box["x"] + card_box["width"]
    expect(long_reason).to_contain_text("x" * 160 + "…")  # a very long value is cut, whole in its title
    screenshot("admin-overview")
