"""Admin pages for platform wallets and payouts (registered on the admin blueprint)."""
from __future__ import annotations

import uuid

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from webapp.admin.forms import CreateWalletForm, SendTokensForm, selected_ids
from webapp.admin.views import bp
from webapp.chain.keystore import KeystoreError
from webapp.chain.rpc import SolanaRpcError, SolanaUnavailable
from webapp.extensions import db, solana_client
from webapp.models import Payout, PayoutRun, PayoutStatus
from webapp.services import platform_wallets
from webapp.services.payouts import display, runs
from webapp.services.payouts.gateway import NATIVE_SOL
from webapp.services.payouts.requests import PayoutRequestError
from webapp.templating import is_htmx


def _send_form() -> SendTokensForm:
    form = SendTokensForm()
    form.wallet.choices = [(w.name, w.name) for w in platform_wallets.all_wallets()]
    if not form.request_id.data:
        form.request_id.data = uuid.uuid4().hex
    return form


@bp.get("/wallets")
def wallets() -> str:
    """Each platform wallet's SOL and token balances, read from the chain."""
    configured = bool(current_app.config["SOLANA_RPC_URLS"])
    overview = platform_wallets.holdings(platform_wallets.all_wallets(), solana_client()) if configured else []
    return render_template("admin/wallets.html", overview=overview, create_form=CreateWalletForm(prefix="create"),
                           send_form=_send_form(), rpc_configured=configured)


@bp.post("/wallets")
def create_wallet() -> Response:
    """Generate a new platform wallet into the keystore; audited."""
    form = CreateWalletForm(prefix="create")
    if not form.validate_on_submit():
        abort(422, description="; ".join(e for errs in form.errors.values() for e in errs))
    try:
        wallet = platform_wallets.create_wallet(
            (form.name.data or "").strip(), (form.purpose.data or "").strip(), current_user, request.remote_addr
        )
    except KeystoreError as error:
        abort(422, description=str(error))
    flash(f"Created wallet {wallet.name}: {wallet.address}")
    return redirect(url_for("admin.wallets"))


@bp.post("/wallets/send")
def send_tokens() -> Response:
    """Send tokens from a platform wallet through the payout engine; audited."""
    form = _send_form()
    if not form.validate_on_submit():
        abort(422, description="; ".join(e for errs in form.errors.values() for e in errs))
    try:
        payout = platform_wallets.send_tokens(current_user, form.wallet.data, form.recipient.data, form.mint.data,
                                              form.amount.data, form.request_id.data, runs.chain_gateway(),
                                              request.remote_addr)
    except PayoutRequestError as error:
        abort(422, description=str(error))
    except (SolanaUnavailable, SolanaRpcError) as error:
        abort(503, description=f"The chain could not be reached: {error}")
    runs.enqueue_run(form.wallet.data)
    flash(f"Payout #{payout.id} queued: it is sent by the payout engine and shows its signature below.")
    return redirect(url_for("admin.payouts", wallet=form.wallet.data))


@bp.get("/payouts")
def payouts() -> str:
    """Runs with progress, and every payout row with its transaction."""
    status = request.args.get("status", "")
    wallet = request.args.get("wallet", "")[:48]
    search = request.args.get("q", "").strip()[:44]
    if status and status not in {s.value for s in PayoutStatus}:
        abort(400, description=f"Unknown status filter {status!r}.")
    query = select(Payout).order_by(Payout.id.desc())
    if status:
        query = query.where(Payout.status == status)
    if wallet:
        query = query.where(Payout.wallet_name == wallet)
    if search:
        query = query.where(Payout.recipient.ilike(f"{search}%"))
    page = db.paginate(query, per_page=int(current_app.config["PAYOUTS_PER_PAGE"]), error_out=False)
    recent = list(db.session.scalars(select(PayoutRun).order_by(PayoutRun.id.desc()).limit(5)))
    template = "admin/_payouts_table.html" if is_htmx() else "admin/payouts.html"
    return render_template(template, page=page, status=status, wallet=wallet, q=search, statuses=list(PayoutStatus),
                           runs=[(run, runs.progress(run)) for run in recent],
                           wallets=platform_wallets.all_wallets(), native_sol=NATIVE_SOL,
                           amounts=display.amount_texts(page.items),
                           run_wallet=wallet or str(current_app.config["PAYOUT_WALLET"]))


@bp.get("/payouts/runs/<int:run_id>")
def payout_run(run_id: int) -> str:
    """One run's progress bars; the fragment polls itself while the run is going."""
    run = db.session.get(PayoutRun, run_id) or abort(404, description="No such payout run.")
    return render_template("admin/_payout_run.html", run=run, progress=runs.progress(run))


@bp.post("/payouts/run")
def start_payouts() -> Response:
    """Queue a payout run for a wallet."""
    wallet = request.form.get("wallet") or str(current_app.config["PAYOUT_WALLET"])
    if platform_wallets.wallet_by_name(wallet) is None:
        abort(422, description=f"There is no platform wallet named {wallet!r}.")
    runs.enqueue_run(wallet)
    flash(f"A payout run for {wallet} is queued.")
    return redirect(url_for("admin.payouts", wallet=wallet))


@bp.post("/payouts/retry")
def retry_payouts() -> Response:
    """Put failed payouts back in the queue; audited."""
    ids = selected_ids("payout_id", "Choose at least one failed payout to retry.")
    count = runs.retry_failed(ids, current_user, request.remote_addr)
    flash(f"{count} payout(s) will be retried by the next run.")
    return redirect(url_for("admin.payouts", status="pending"))
