"""A member is told, with the transaction's signature, when the payout engine confirms a payout to their wallet."""
from __future__ import annotations

from solders.keypair import Keypair
from sqlalchemy import select

from tests.integration.payouts.conftest import chain, payout_world  # noqa: F401  (the engine's local chain)
from webapp import live
from webapp.extensions import db
from webapp.models import Notification, Payout, PayoutStatus, User
from webapp.services.payouts import runs
from webapp.services.payouts.requests import PayoutRequest, request_payouts


def test_a_confirmed_payout_notifies_its_member_once_with_the_signature(payout_world, client, auth) -> None:  # noqa: F811
    world = payout_world
    member = auth.sign_in()
    stranger = str(Keypair().pubkey())  # not a member: paid, told nobody
    world.fund(5_000_000 + 7)
    with world.app.app_context():
        user = db.session.scalar(select(User).where(User.wallet == str(member.pubkey())))
        assert user is not None
        start = live.latest_cursor(live.user_topic(user.id)) or "0-0"
        request_payouts([
            PayoutRequest(world.wallet_name, str(member.pubkey()), str(world.mint), 5_000_000, "pool", "test", "n:1"),
            PayoutRequest(world.wallet_name, stranger, str(world.mint), 7, "pool", "test", "n:2"),
        ], runs.chain_gateway())
        run = runs.execute_run(world.wallet_name)
        assert run.status == "done", run.halt_reason
        payout = db.session.scalar(select(Payout).where(Payout.recipient == str(member.pubkey())))
        assert payout is not None and payout.status == PayoutStatus.CONFIRMED.value
        rows = db.session.scalars(select(Notification)).all()
        assert len(rows) == 1
        notice = rows[0]
        assert notice.user_id == user.id and notice.kind == "payout" and notice.group_key == f"payout:{payout.id}"
        assert notice.data["signature"] == payout.signature and payout.signature
        mint = str(world.mint)
        assert notice.text == f"You received 5 {mint[:4]}…{mint[-4:]}: Reward pool"  # 5,000,000 units, 6 decimals
        assert notice.url == f"/u/{member.pubkey()}#payouts"
        pushed = live.missed(live.user_topic(user.id), start)
        assert pushed and 'data-testid="unread-count">1<' in pushed[-1].html
        runs.execute_run(world.wallet_name)  # a later run changes nothing: still one notice
        assert len(db.session.scalars(select(Notification)).all()) == 1
        signature = payout.signature
    page = client.get("/notifications").get_data(as_text=True)
    assert "You received 5 " in page and f'title="{signature}"' in page  # the transaction, linked to the explorer
