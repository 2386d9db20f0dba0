"""Flask extensions, created unbound here and bound to the app in create_app()."""
from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sock import Sock
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase
from werkzeug.local import LocalProxy

if TYPE_CHECKING:
    from flask import Flask

# Stable constraint names, so Alembic can drop what it created.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
BIGINT_MAX = 2**63 - 1  # the largest value a BIGINT column holds (every id; points and rewards kept in BIGINT)

# Models subclass Model: at run time Flask-SQLAlchemy's db.Model (query property, binds),
# which type checkers cannot see through, so they are told it is the declarative Base it wraps.
if TYPE_CHECKING:
    class Model(Base):
        __abstract__ = True
        # Every model maps one Table (DeclarativeBase only promises a FromClause), which insert() takes.
        __table__: ClassVar[Table]
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
sock = Sock()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

# The JSON API and sign-in's nonce carry limits on GET; every other page read is unlimited.
BLUEPRINTS_LIMITED_ON_READ = frozenset({"api", "auth"})


@limiter.request_filter
def unlimited_read() -> bool:
    """True for a page read no limit applies to (Flask-Limiter then skips the request)."""
    from flask import request

    return request.method in ("GET", "HEAD") and request.blueprint not in BLUEPRINTS_LIMITED_ON_READ


def app_object() -> Flask:
    """The app behind `current_app`, for threads and loops that outlive the app context."""
    from flask import current_app

    # Flask types current_app as the app itself; it is a LocalProxy standing for it.
    return cast("LocalProxy[Flask]", current_app)._get_current_object()


def redis_client():
    """The app's Redis connection (None when REDIS_URL is empty)."""
    from flask import current_app

    return current_app.extensions.get("momentum_redis")


def solana_client():
    """This process's RPC client for SOLANA_RPC_URLS, created on first use."""
    from flask import current_app

    from webapp.chain.rpc import SolanaRpcClient

    client = current_app.extensions.get("momentum_solana")
    if client is None:
        urls = list(current_app.config["SOLANA_RPC_URLS"])
        if not urls:
            raise RuntimeError("SOLANA_RPC_URLS is not set.")
        client = SolanaRpcClient(urls)
        current_app.extensions["momentum_solana"] = client
    return client
