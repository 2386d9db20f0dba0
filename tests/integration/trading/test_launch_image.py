"""A picture sent with the launch form becomes the launched token's face on its page and its directory card."""
from __future__ import annotations

import io

from PIL import Image
from solders.pubkey import Pubkey
from sqlalchemy import select

from tests.integration.trading.conftest import SOL
from webapp.extensions import db
from webapp.models import LaunchApplication
from webapp.services import launches, platform_wallets


def test_uploaded_image_shows_on_the_launched_tokens_page_and_card(app, client, auth, make_user,
                                                                   payout_world) -> None:
    picture = io.BytesIO()
    Image.new("RGB", (512, 512), (20, 241, 149)).save(picture, format="PNG")
    auth.sign_in(make_user("member"))
    reply = client.post("/tokens/new", content_type="multipart/form-data", data={
        "name": "Face Fire", "symbol": "FACE", "tier": "wild_fires", "csrf_token": auth.csrf_token(),
        "image": (io.BytesIO(picture.getvalue()), "face.png")})
    assert reply.status_code == 302, reply.get_data(as_text=True)

    with app.app_context():
        treasury = platform_wallets.ensure_wallet("treasury", "Platform reserves").address
    payout_world.rpc.confirm(payout_world.rpc.request_airdrop(Pubkey.from_string(treasury), 50 * SOL))
    with app.app_context():
        application = db.session.scalar(select(LaunchApplication).where(LaunchApplication.symbol == "FACE"))
        assert application is not None and application.image_digest
        launches.review(None, application, approve=True)
        launches.launch(application, payout_world.rpc)
        mint, digest = str(application.mint), application.image_digest
        db.session.remove()

    image_url = f"/tokens/images/{digest}"
    page = client.get(f"/tokens/{mint}").get_data(as_text=True)
    assert f'<img class="token-avatar big" src="{image_url}"' in page
    directory = client.get("/tokens/").get_data(as_text=True)
    assert f'<img class="token-avatar" src="{image_url}"' in directory
    served = client.get(image_url)
    assert served.status_code == 200 and served.mimetype == "image/webp"
