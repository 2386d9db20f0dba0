"""A member sends a picture with the launch form; once launched, the token wears it in the directory and on its page."""
from __future__ import annotations

import io

from PIL import Image, ImageDraw
from playwright.sync_api import expect
from solders.pubkey import Pubkey
from sqlalchemy import select

from tests.e2e.wallet import sign_in_with_test_wallet
from tests.integration.payouts.conftest import chain, payout_world  # noqa: F401
from webapp.extensions import db
from webapp.models import LaunchApplication
from webapp.services import launches, platform_wallets


def _picture() -> bytes:
    picture = Image.new("RGB", (600, 600), (153, 69, 255))
    ImageDraw.Draw(picture).ellipse((120, 120, 480, 480), fill=(20, 241, 149))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG")
    return buffer.getvalue()


def test_launch_form_upload_becomes_the_tokens_picture(app, live_server, page, screenshot,
                                                       payout_world) -> None:  # noqa: F811
    sign_in_with_test_wallet(app, live_server, page)
    page.goto(live_server + "/tokens/new")
    page.fill("#name", "Orbit Fire")
    page.fill("#symbol", "ORBT")
    page.check("input[value=wild_fires]")
    page.set_input_files("#image", files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"just text"}])
    page.get_by_role("button", name="Send application").click()
    expect(page.locator(".alert-error")).to_contain_text("That file is not a PNG, JPEG, WebP or GIF image.")
    page.set_input_files("#image", files=[{"name": "orbit.jpg", "mimeType": "image/jpeg", "buffer": _picture()}])
    screenshot("launch-form-image")
    page.get_by_role("button", name="Send application").click()
    expect(page.locator("body")).to_contain_text("Application for ORBT sent")

    with app.app_context():
        treasury = platform_wallets.ensure_wallet("treasury", "Platform reserves").address
    payout_world.rpc.confirm(payout_world.rpc.request_airdrop(Pubkey.from_string(treasury), 10 * 10**9))
    with app.app_context():
        application = db.session.scalar(select(LaunchApplication).where(LaunchApplication.symbol == "ORBT"))
        assert application is not None
        launches.review(None, application, approve=True)
        launches.launch(application, payout_world.rpc)
        mint = str(application.mint)
        db.session.remove()

    page.goto(live_server + "/tokens/")
    avatar = page.locator(".token-card img.token-avatar")
    expect(avatar).to_be_visible()
    assert avatar.evaluate("img => img.complete && img.naturalWidth") == 256
    screenshot("tokens-with-image")
    page.goto(live_server + f"/tokens/{mint}")
    expect(page.locator(".token-page-head img.token-avatar")).to_be_visible()
    assert page.locator(".token-page-head img.token-avatar").evaluate("img => img.naturalWidth") == 256
    screenshot("token-page-image")
