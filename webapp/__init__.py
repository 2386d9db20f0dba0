"""Momentum: a community platform for Solana tokens."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from redis import Redis

from webapp.config import load_settings
from webapp.extensions import csrf, db, limiter, login_manager, migrate, sock, unlimited_read

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict[str, object] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(load_settings(Path(app.instance_path)))
    app.config.update(overrides or {})
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        raise RuntimeError("DATABASE_URL is not set: start Momentum with `make run` or set it.")

    from webapp.observability import configure_logging, init_request_tracking

    configure_logging(str(app.config["LOG_LEVEL"]))
    _init_extensions(app)
    init_request_tracking(app)

    from webapp.errors import init_error_pages
    from webapp.security import init_request_guards, init_security_headers

    init_request_guards(app)
    init_security_headers(app)
    init_error_pages(app)
    _bound_integer_urls(app)
    _register_blueprints(app)
    _register_commands(app)
    _register_template_helpers(app)
    return app


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    _skip_limiter_on_unlimited_reads(app)
    sock.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    from webapp.sessions import SigningSessionInterface

    app.session_interface = SigningSessionInterface()
    redis_url = str(app.config["REDIS_URL"])
    # Redis.from_url connects lazily, so nothing touches Redis here.
    app.extensions["momentum_redis"] = Redis.from_url(redis_url) if redis_url else None

    from webapp.models import User

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id)) if user_id.isdigit() else None

    from webapp.auth.views import ask_to_sign_in

    login_manager.unauthorized_handler(ask_to_sign_in)


def _skip_limiter_on_unlimited_reads(app: Flask) -> None:
    """Flask-Limiter's check evaluates meta limits and exemptions on every
    request even when the filter would exempt it (about a tenth of a page
    read's cost); the filter is asked first here so unlimited reads skip it."""
    hooks = app.before_request_funcs[None]
    position = hooks.index(limiter._check_request_limit)
    check = hooks[position]

    def check_rate_limits() -> None:
        if not unlimited_read():
            check()

    hooks[position] = check_rate_limits


def _bound_integer_urls(app: Flask) -> None:
    """`<int:…>` in a route matches ids a BIGINT column can hold, so a longer number is a 404 like any missing
    row instead of a database error in whichever view reads it."""
    from werkzeug.routing import IntegerConverter

    from webapp.extensions import BIGINT_MAX

    class RowIdConverter(IntegerConverter):
        def __init__(self, url_map, fixed_digits: int = 0, min: int | None = None,
                     max: int | None = BIGINT_MAX, signed: bool = False) -> None:
            super().__init__(url_map, fixed_digits, min, max, signed)

    app.url_map.converters["int"] = RowIdConverter


def _register_blueprints(app: Flask) -> None:
    from webapp.admin import (
        chain_views,  # noqa: F401  (adds /admin/chain to the admin blueprint)
        launch_views,  # noqa: F401  (adds /admin/launches to the admin blueprint)
        treasury_views,  # noqa: F401  (adds wallet and payout pages to the admin blueprint)
    )
    from webapp.admin.views import bp as admin_bp
    from webapp.api.views import bp as api_bp
    from webapp.auth.views import bp as auth_bp
    from webapp.battles.views import bp as battles_bp
    from webapp.bounties.views import bp as bounties_bp
    from webapp.challenges.views import bp as challenges_bp
    from webapp.community.views import bp as community_bp
    from webapp.discussions.views import bp as discussions_bp
    from webapp.health.views import bp as health_bp
    from webapp.home.views import bp as home_bp
    from webapp.leaderboards.views import bp as leaderboards_bp
    from webapp.live.views import admin_bp as live_admin_bp
    from webapp.live.views import bp as live_bp
    from webapp.moderation.views import bp as moderation_bp
    from webapp.profiles.views import bp as profiles_bp
    from webapp.tokens import (
        stake_views,  # noqa: F401  (adds staking and the community fund to the tokens blueprint)
        trade_views,  # noqa: F401  (adds trading to the tokens blueprint)
    )
    from webapp.tokens.views import bp as tokens_bp

    for blueprint in (home_bp, auth_bp, tokens_bp, bounties_bp, battles_bp, leaderboards_bp, profiles_bp, admin_bp,
                      health_bp, api_bp, live_bp, live_admin_bp, discussions_bp, community_bp, moderation_bp,
                      challenges_bp):
        app.register_blueprint(blueprint)


def _register_commands(app: Flask) -> None:
    from webapp.chain.cli import chain_cli
    from webapp.commands import demo_cli, payouts_cli, tokens_cli, users_cli, wallets_cli

    for group in (users_cli, wallets_cli, payouts_cli, chain_cli, demo_cli, tokens_cli):
        app.cli.add_command(group)


def _register_template_helpers(app: Flask) -> None:
    from webapp.templating import init_templating

    init_templating(app)
