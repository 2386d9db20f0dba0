"""Launch application rules: team shares, unique names and symbols, and a cap on pending applications."""
from __future__ import annotations

import pytest
from solders.keypair import Keypair
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import LaunchApplication, Token
from webapp.services import launches

WILD = {"name": "Momentum Cats", "symbol": "MCAT", "tier": "wild_fires", "description": "Cats."}
TEAM = [str(Keypair().pubkey()), str(Keypair().pubkey())]
GROUND = {**WILD, "name": "Garden Guild", "symbol": "GRDN", "tier": "stable_grounds", "team_percent": "15",
          "cliff_days": "30", "vesting_days": "365", "unlock_period_days": "30"}


def apply(client, auth, form: dict[str, str]):
    return client.post("/tokens/new", data={**form, "csrf_token": auth.csrf_token()})


def applications(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LaunchApplication)) or 0


@pytest.mark.parametrize("wallets, message", [
    (f"{TEAM[0]} 60\n{TEAM[0]} 40", f"The team wallet {TEAM[0]} is listed twice"),
    (f"{TEAM[0]} 100\n{TEAM[0]} 50", "add up to 150%"),
    (f"{TEAM[0]} 100\n{TEAM[1]} 50", "must add up to exactly 100%; these add up to 150%"),
    (f"{TEAM[0]} 60\n{TEAM[1]} 30", "these add up to 90%"),
], ids=["same-wallet-twice", "same-wallet-150", "150-percent", "90-percent"])
def test_team_shares_are_distinct_wallets_summing_to_100_percent(app, client, auth, make_user, wallets,
                                                                 message) -> None:
    auth.sign_in(make_user("member"))
    reply = apply(client, auth, {**GROUND, "team_wallets": wallets})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422 and message in page
    assert '<form class="card form-card launch-form"' in page and "Garden Guild" in page  # the form, as typed
    assert applications(app) == 0


def test_team_shares_of_exactly_100_percent_are_accepted(app, client, auth, make_user) -> None:
    auth.sign_in(make_user("member"))
    reply = apply(client, auth, {**GROUND, "team_wallets": f"{TEAM[0]} 70%\n{TEAM[1]} 30"})
    assert reply.status_code == 302, reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(LaunchApplication.team_wallets)) == [[TEAM[0], 70], [TEAM[1], 30]]


@pytest.mark.parametrize("change, message", [
    ({"name": "momentum CATS"}, "A token named momentum CATS already exists"),
    ({"name": "  MOMENTUM cats "}, "already exists or is waiting for review"),
    ({"symbol": "mcat"}, "The symbol MCAT is already taken"),
])
def test_names_and_symbols_are_unique_among_tokens(app, client, auth, make_user, change, message) -> None:
    with app.app_context():
        db.session.add(Token(mint=str(Keypair().pubkey()), name="Momentum Cats", symbol="mcat", decimals=6,
                             supply=10**15, supply_slot=0, program="token", tier="wild_fires"))
        db.session.commit()
    auth.sign_in(make_user("member"))
    taken = {**WILD, "name": "Other Name", "symbol": "OTHR", **change}
    reply = apply(client, auth, taken)
    assert reply.status_code == 422 and message in reply.get_data(as_text=True)
    assert applications(app) == 0


def test_names_and_symbols_are_unique_among_pending_applications(app, client, auth, make_user) -> None:
    auth.sign_in(make_user("member"))
    assert apply(client, auth, WILD).status_code == 302
    client.post("/auth/logout", data={"csrf_token": auth.csrf_token()})
    auth.sign_in(make_user("member"))  # someone else asks for the same name
    same_name = apply(client, auth, {**WILD, "name": "MOMENTUM CATS", "symbol": "MCT2"})
    assert same_name.status_code == 422
    assert "A token named MOMENTUM CATS already exists" in same_name.get_data(as_text=True)
    same_symbol = apply(client, auth, {**WILD, "name": "Other Cats", "symbol": "mcat"})
    assert same_symbol.status_code == 422 and "already taken" in same_symbol.get_data(as_text=True)
    assert applications(app) == 1


def test_a_member_has_at_most_three_pending_applications(app, client, auth, make_user) -> None:
    assert launches.MAX_PENDING_APPLICATIONS == 3
    member = make_user("member")
    auth.sign_in(member)
    for number in range(launches.MAX_PENDING_APPLICATIONS):
        reply = apply(client, auth, {**WILD, "name": f"Cats {number}", "symbol": f"CAT{number}"})
        assert reply.status_code == 302, reply.get_data(as_text=True)
    fourth = apply(client, auth, {**WILD, "name": "Cats 9", "symbol": "CAT9"})
    assert fourth.status_code == 422
    assert "You already have 3 applications waiting for review" in fourth.get_data(as_text=True)
    assert applications(app) == 3
    with app.app_context():  # once an admin decides on one, the member may apply again
        first = db.session.get(LaunchApplication, 1)
        assert first is not None
        launches.review(None, first, approve=False, reason="Too many cats")
    assert apply(client, auth, {**WILD, "name": "Cats 9", "symbol": "CAT9"}).status_code == 302
    assert applications(app) == 4


def test_a_rejection_without_reason_shows_the_queue_again_with_the_message(app, client, auth, make_user) -> None:
    auth.sign_in(make_user("member"))
    assert apply(client, auth, WILD).status_code == 302
    client.post("/auth/logout", data={"csrf_token": auth.csrf_token()})
    auth.sign_in(make_user("admin"))
    reply = client.post("/admin/launches/1/review", data={"decision": "reject", "reason": "  ",
                                                          "csrf_token": auth.csrf_token()})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "<title>Launches" in page and "Momentum Cats" in page  # the admin page, not a bare error page
    assert 'role="alert" id="review-problem-1">Tell the applicant why: a rejection needs a reason.' in page
    assert 'action="/admin/launches/1/review"' in page  # the review form is there to try again
    unknown = client.post("/admin/launches/1/review", data={"decision": "maybe", "csrf_token": auth.csrf_token()})
    assert unknown.status_code == 422 and "Choose approve or reject." in unknown.get_data(as_text=True)
    with app.app_context():
        application = db.session.get(LaunchApplication, 1)
        assert application is not None and application.status == "pending" and application.reject_reason is None
