"""/admin/chain: the listener, checkpoints, backfill, dead letters, reconciliation, tracking a mint."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, not in its stubs
from wtforms.validators import InputRequired, Length

from webapp.admin.forms import selected_ids
from webapp.admin.views import bp
from webapp.chain.rpc import SolanaRpcError, SolanaUnavailable
from webapp.extensions import db, redis_client, solana_client
from webapp.models import Tier
from webapp.services import audit
from webapp.services.indexer import dead_letters, queueing, status
from webapp.services.indexer.tracking import TrackError, track_mint


class TrackMintForm(FlaskForm):
    mint = StringField("Mint address", validators=[InputRequired(message="Enter the mint's address."), Length(max=64)])
    name = StringField("Name", validators=[Length(max=64)])
    symbol = StringField("Symbol", validators=[Length(max=16)])
    tier = SelectField("Tier", default="", choices=[SelectChoice("", "None yet")] + [
        SelectChoice(t.value, t.value.replace("_", " ").title()) for t in Tier])


def _page(form: TrackMintForm, status_code: int = 200) -> tuple[str, int]:
    return render_template("admin/chain.html", overview=status.overview(redis_client()), form=form,
                           rpc_configured=bool(current_app.config["SOLANA_RPC_URLS"])), status_code


@bp.get("/chain")
def chain() -> tuple[str, int]:
    """The chain index at a glance; the status panel refreshes itself."""
    return _page(TrackMintForm())


@bp.get("/chain/status")
def chain_status() -> str:
    """The listener and queue panel alone (polled by htmx)."""
    return render_template("admin/_chain_status.html", overview=status.overview(redis_client()))


@bp.post("/chain/track")
def track_token() -> Response | tuple[str, int]:
    """Track an existing mint: checked on chain, audited; the listener backfills its history."""
    form = TrackMintForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        token = track_mint(solana_client(), form.mint.data or "", name=form.name.data or "",
                           symbol=form.symbol.data or "", tier=form.tier.data or None, actor=current_user,
                           ip_address=request.remote_addr)
    except TrackError as error:
        form.mint.errors = [str(error)]
        return _page(form, 422)
    except (SolanaUnavailable, SolanaRpcError, RuntimeError) as error:
        abort(503, description=f"The chain could not be reached: {error}")
    flash(f"Tracking {token.label}: the listener backfills its history within seconds.")
    return redirect(url_for("admin.chain"))


@bp.post("/chain/dead-letters/retry")
def retry_dead_letters() -> Response:
    """Queue failed transactions for indexing again; audited."""
    ids = selected_ids("dead_letter_id", "Choose at least one failed transaction to retry.")
    signatures = dead_letters.retry(ids, current_user, request.remote_addr)
    flash(f"{len(signatures)} transaction(s) queued for indexing again.")
    return redirect(url_for("admin.chain"))


@bp.post("/chain/reconcile")
def reconcile_now() -> Response:
    """Queue a reconciliation of every tracked mint's holders with the chain; audited."""
    queued = queueing.enqueue_once("worker.jobs.reconcile_holders", "chain-reconcile")
    audit.record(current_user, "chain.reconcile_requested", target_type="chain", ip_address=request.remote_addr)
    db.session.commit()
    flash("Reconciliation queued." if queued else "A reconciliation is already queued or running.")
    return redirect(url_for("admin.chain"))

