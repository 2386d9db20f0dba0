"""Sign In With Solana: nonce, verify, sign out."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response as BaseResponse

from webapp.chain.siws import SignInError
from webapp.extensions import limiter
from webapp.services import sign_in

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _sign_in_limit() -> str:
    return str(current_app.config["RATELIMIT_SIGN_IN"])


def _refused(error: SignInError) -> tuple[Response, int]:
    return jsonify({"error": {"code": 400, "message": str(error), "details": {}}}), 400


@bp.get("/sign-in")
def sign_in_page() -> str:
    """Explains wallet sign-in; the button there works wherever a wallet is present."""
    return render_template("auth/sign_in.html", next_url=request.args.get("next", ""))


@bp.get("/nonce")
@limiter.limit(_sign_in_limit)
def nonce() -> tuple[Response, int] | Response:
    """A fresh single-use SIWS message for the wallet to sign."""
    try:
        challenge = sign_in.issue_challenge(
            request.args.get("wallet", ""),
            domain=request.host,
            uri=request.host_url.rstrip("/"),
            chain_id=str(current_app.config["SOLANA_CLUSTER"]),
            ttl_seconds=int(current_app.config["SIWS_NONCE_TTL_SECONDS"]),
        )
    except SignInError as error:
        return _refused(error)
    fields = challenge.fields
    return jsonify(
        message=challenge.message,
        nonce=fields.nonce,
        domain=fields.domain,
        address=fields.address,
        statement=fields.statement,
        uri=fields.uri,
        version=fields.version,
        chainId=fields.chain_id,
        issuedAt=fields.issued_at,
        expirationTime=fields.expiration_time,
        csrfToken=generate_csrf(),  # for verify, when the page was one shared by every signed-out visitor
    )


@bp.post("/verify")
@limiter.limit(_sign_in_limit)
def verify() -> tuple[Response, int] | Response:
    """Check the signed message, consume its nonce and start the session."""
    try:
        user = sign_in.complete_sign_in(
            request.form.get("wallet"),
            request.form.get("message"),
            request.form.get("signature"),
            domain=request.host,
            admin_wallets=set(current_app.config["ADMIN_WALLETS"]),
        )
    except SignInError as error:
        return _refused(error)
    login_user(user, remember=True)
    return jsonify(ok=True, wallet=user.wallet, role=user.role, redirect=_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> BaseResponse:
    """End the session."""
    if current_user.is_authenticated:
        logout_user()
    return redirect(url_for("home.index"))


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so a crafted link cannot bounce a member elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("home.index")
