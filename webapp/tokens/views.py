"""The tokens directory and each token's page."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from webapp import live
from webapp.extensions import db
from webapp.models import LaunchApplication, LaunchStatus, PlatformWallet, Token, TokenTrade
from webapp.services import launches, page_cache, price_chart, token_directory, token_vesting, vesting_chart
from webapp.services.indexer import reads
from webapp.services.indexer.candles import INTERVALS
from webapp.services.staking import wallets as stake_wallets
from webapp.services.trading import markets
from webapp.templating import is_htmx
from webapp.tokens.forms import LaunchForm

bp = Blueprint("tokens", __name__, url_prefix="/tokens")


@bp.get("/")
def index() -> str:
    """Every tracked token: filter, sort, search; the list swaps through htmx and works as plain links."""
    filters = {key: request.args.get(key, "").strip()[:64] for key in ("q", "tier", "graduated")}
    sort = request.args.get("sort", "trending")
    try:
        page = token_directory.directory(search=filters["q"], tier=filters["tier"], graduated=filters["graduated"],
                                         sort=sort, cursor=request.args.get("cursor") or None)
    except token_directory.DirectoryError as error:
        abort(400, description=str(error))
    template = "tokens/_directory.html" if is_htmx() else "tokens/index.html"
    more = is_htmx() and bool(request.args.get("cursor"))  # "show more" appends cards in place
    return render_template(template, page=page, sort=sort, sorts=token_directory.SORTS, more=more, **filters)


def _token_or_404(mint: str) -> Token:
    token = db.session.scalar(select(Token).where(Token.mint == mint))
    if token is None:
        abort(404, description="Momentum does not track this mint.")
    return token


@bp.get("/<mint>")
def show(mint: str) -> str | bytes:
    """One token: price, market cap, chart, holders, trades (title and body cached for a moment)."""
    seconds = int(current_app.config["TOKEN_PAGE_CACHE_SECONDS"])
    if not page_cache.sees_anonymous_page():
        return _render_token_page(mint, seconds)
    return page_cache.anonymous_page(f"token:{mint}", seconds, lambda: _render_token_page(mint, seconds, shared=True))


def _render_token_page(mint: str, seconds: int, shared: bool = False) -> str:
    cached = page_cache.cached_text(f"token:{mint}", seconds, lambda: _render_token_body(_token_or_404(mint)))
    title, _, body = cached.partition("\x00")
    return render_template("tokens/show.html", title=title, body=Markup(body), mint=mint, shared_page=shared)


def _render_token_body(token: Token) -> str:
    """The page's title, a NUL, then its body: both cacheable, neither depends on the visitor."""
    mint = token.mint
    launch = db.session.scalar(select(LaunchApplication).where(LaunchApplication.mint == mint))
    return (token.name or token.mint) + "\x00" + render_template(
        "tokens/_token_body.html", token=token, market=reads.market_summary(mint), holders=reads.top_holders(mint, 20),
        launch=launch, labels=_holder_labels(launch),
        vesting=token_vesting.panel(mint), holder_count=reads.holder_count(mint),
        trade_rows=[_trade_view(token, trade) for trade in reads.recent_trades(mint, 50)],
        involvement=reads.involvement(mint, 7), chart=_chart(token, "5m"), interval="5m",
        intervals=list(INTERVALS), **_market_venue(mint), **_staking_figures(token, launch),
    )


def _market_venue(mint: str) -> dict[str, object]:
    """The token's curve (or pool) for the trade panel, with the curve's progress while it sells."""
    curve = markets.curve_for(mint)
    figures = markets.progress_figures(curve)
    return {"curve": curve, "curve_figures": bool(figures), **figures}


def _staking_figures(token: Token, launch: LaunchApplication | None) -> dict[str, object]:
    """Staked and community-fund totals (indexed balances of the two wallets), for tokens launched here."""
    if launch is None or launch.status != LaunchStatus.LAUNCHED.value:
        return {"staking": False}
    found = stake_wallets.addresses(token)
    balances = reads.balances_of(token.mint, [address for address in (found.stake, found.fund) if address])
    return {"staking": True, "staked_total": balances.get(found.stake or "", 0),
            "fund_total": balances.get(found.fund or "", 0)}


def _holder_labels(launch: LaunchApplication | None) -> dict[str, str]:
    """What each platform-held or team address is, in words: curve vault, pool, escrows, fund, team, treasury."""
    kinds = {"curve": "curve vault", "pool": "pool", "escrow": "team escrow", "stake": "stake escrow",
             "fund": "community fund"}
    labels = {}
    for address, name in db.session.execute(select(PlatformWallet.address, PlatformWallet.name)).all():
        kind, _, _ = name.rpartition("_")
        labels[address] = kinds.get(kind, name.replace("_", " "))
    for wallet, _ in (launch.team_wallets if launch else []):
        labels.setdefault(str(wallet), "team")
    return labels


@bp.get("/<mint>/chart")
def chart(mint: str) -> str | bytes:
    """The candle chart at another interval (a fragment for htmx, the page otherwise)."""
    token = _token_or_404(mint)
    interval = request.args.get("interval", "5m")
    if interval not in INTERVALS:
        abort(400, description=f"Unknown interval {interval!r}; use one of {', '.join(INTERVALS)}.")
    if not is_htmx():
        return show(mint)
    return render_template("tokens/_chart.html", token=token, chart=_chart(token, interval), interval=interval,
                           intervals=list(INTERVALS))


def _trade_view(token: Token, trade: TokenTrade) -> dict[str, object]:
    """A stored trade as the row the live hub pushes for new ones (the page draws them all with its macro)."""
    return live.transaction_view(
        signature=trade.signature, label=trade.side, wallet=trade.wallet or "",
        token_amount=int(trade.token_amount), decimals=token.decimals, sol_amount=int(trade.sol_amount),
        symbol=token.symbol, block_time=trade.block_time)


def _chart(token: Token, interval: str) -> price_chart.PriceChart | None:
    return price_chart.render_candle_chart(reads.candles(token.mint, interval, limit=60), token.decimals)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> str | tuple[str, int] | Response:
    """Apply for a launch; an admin reviews it at /admin/launches."""
    form = LaunchForm()
    if form.validate_on_submit():
        draft, problems = form.draft()
        try:
            if problems:
                raise launches.LaunchError(" ".join(problems))
            application = launches.submit(current_user, draft)
        except launches.LaunchError as error:
            return render_template("tokens/new.html", form=form, error=str(error)), 422
        flash(f"Application for {application.symbol} sent: an admin will review it.")
        return redirect(url_for("tokens.applications"))
    if request.method == "POST":
        return render_template("tokens/new.html", form=form, error="Please fix the fields marked below."), 422
    return render_template("tokens/new.html", form=form, error=None)


@bp.get("/applications")
@login_required
def applications() -> str:
    """The signed-in member's launch applications and what became of them."""
    rows = db.session.scalars(select(LaunchApplication).where(LaunchApplication.applicant_id == current_user.id)
                              .order_by(LaunchApplication.id.desc())).all()
    return render_template("tokens/applications.html", applications=rows)


@bp.post("/new/vesting-preview")
@login_required
def vesting_preview() -> str:
    """The vesting chart for the numbers currently in the form (htmx, on change)."""
    numbers = [request.form.get(name, "") for name in ("cliff_days", "vesting_days", "unlock_period_days")]
    if not all(value.strip().isdigit() for value in numbers):
        return render_template("tokens/_vesting_preview.html",
                               preview="Enter whole days for cliff, duration and period.")
    cliff, duration, period = (min(int(value), 3650) for value in numbers)
    return render_template("tokens/_vesting_preview.html",
                           preview=vesting_chart.render_vesting_preview(cliff, duration, period))
