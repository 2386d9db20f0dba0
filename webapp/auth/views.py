"""Sign In With Solana: nonce, verify, sign out."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from webapp.chain.siws import SignInError
from webapp.errors import error_response, wants_json
from webapp.extensions import limiter
from webapp.services import sign_in
from webapp.services.return_paths import same_site_path

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _sign_in_limit() -> str:
    return str(current_app.config["RATELIMIT_SIGN_IN"])


def _refused(error: SignInError) -> tuple[Response, int]:
    return jsonify({"error": {"code": 400, "message": str(error), "details": {}}}), 400


SIGN_IN_NEEDED = "Sign in with your wallet to continue."
# What a visitor is signing in for, named by the page they will be sent back to.
PURPOSES = {"tokens.new": "launch a token", "tokens.applications": "see your launch applications"}


@bp.get("/sign-in")
def sign_in_page() -> str | BaseResponse:
    """Explains wallet sign-in; the button there works wherever a wallet is present."""
    next_url = same_site_path(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("home.index"))
    return render_template("auth/sign_in.html", next_url=next_url or "", purpose=_purpose(next_url))


def _purpose(next_url: str | None) -> str | None:
    if not next_url:
        return None
    try:
        endpoint, _ = current_app.url_map.bind("").match(next_url.split("?", 1)[0], method="GET")
    except HTTPException:  # no such page, or one that only redirects
        return None
    return PURPOSES.get(str(endpoint))


def ask_to_sign_in() -> BaseResponse:
    """A signed-out visitor who opens a members' page goes to sign in and comes back to it.

    Posts, fragments and JSON keep their 401; a boosted htmx navigation is told
    to load the sign-in page itself (HX-Redirect), as a plain link would."""
    if request.method not in ("GET", "HEAD") or wants_json():
        abort(401, description=SIGN_IN_NEEDED)
    query = request.query_string.decode("latin-1")
    sign_in_url = url_for("auth.sign_in_page", next=same_site_path(request.path + (f"?{query}" if query else "")))
    if not request.headers.get("HX-Request"):
        return redirect(sign_in_url)
    if not request.headers.get("HX-Boosted"):
        abort(401, description=SIGN_IN_NEEDED)
    response = error_response(401, SIGN_IN_NEEDED)
    response.headers["HX-Redirect"] = sign_in_url
    return response


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
def logout() -> Response:
    """End the session."""
    if current_user.is_authenticated:
        logout_user()
    return redirect(url_for("home.index"))


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so a crafted link cannot bounce a member elsewhere."""
    return same_site_path(target) or url_for("home.index")
