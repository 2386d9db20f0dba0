"""Settings read from the environment, with defaults for a developer's machine."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept under instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def load_settings(instance_path: Path) -> dict[str, object]:
    """Every setting the application reads, as Flask config keys."""
    site_url = os.environ.get("SITE_URL", "").rstrip("/")
    https = site_url.startswith("https://")
    rpc_urls = env_list("SOLANA_RPC_URLS") or env_list("SOLANA_RPC_URL")
    redis_url = os.environ.get("REDIS_URL", "")
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SITE_URL": site_url,
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", ""),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "SOLANA_RPC_URLS": rpc_urls,
        "SOLANA_WS_URL": os.environ.get("SOLANA_WS_URL") or None,
        "SOLANA_CLUSTER": os.environ.get("SOLANA_CLUSTER", "localnet"),
        "ADMIN_WALLETS": set(env_list("ADMIN_WALLETS")),
        "SIWS_NONCE_TTL_SECONDS": int(os.environ.get("SIWS_NONCE_TTL_SECONDS", "600")),
        "SESSION_COOKIE_SECURE": env_bool("SESSION_COOKIE_SECURE", https),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env_bool("SESSION_COOKIE_SECURE", https),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": _limiter_storage(redis_url),
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_SIGN_IN": os.environ.get("RATELIMIT_SIGN_IN", "20 per minute"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        "USERS_PER_PAGE": 25,
        "AUDIT_PER_PAGE": 50,
    }


def _limiter_storage(redis_url: str) -> str:
    """Flask-Limiter keeps its counters in the same Redis as everything else."""
    if not redis_url:
        return "memory://"
    if redis_url.startswith("unix://"):
        # limits names the unix-socket scheme redis+unix://
        return "redis+unix://" + redis_url[len("unix://"):]
    return redis_url
