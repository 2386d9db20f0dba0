"""Tell a member when a payout to their wallet is confirmed, in the transaction that confirms it."""
from __future__ import annotations

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import NotificationKind, Payout, User
from webapp.services.community.notifications import notify


def payouts_confirmed(payouts: list[Payout], signature: str) -> None:
    """One notification per confirmed payout to a member ("You received 12.5 MOMO: Reward pool")."""
    from webapp.services.payouts.display import amount_texts
    from webapp.services.profile_page import PAYOUT_LABELS

    if not payouts:
        return
    members = {user.wallet: user for user in db.session.scalars(
        select(User).where(User.wallet.in_({payout.recipient for payout in payouts})))}
    amounts = amount_texts([payout for payout in payouts if payout.recipient in members])
    for payout in payouts:
        member = members.get(payout.recipient)
        if member is None:
            continue
        label = PAYOUT_LABELS.get(payout.reason, payout.reason.capitalize())
        notify(member.id, NotificationKind.PAYOUT, f"payout:{payout.id}",
               f"You received {amounts[payout.id]}: {label}", url=f"/u/{member.wallet}#payouts",
               data={"signature": signature, "payout_id": payout.id})
