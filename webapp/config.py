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


def _generated_secret(instance_path: Path, variable: str, file_name: str) -> str:
    """A secret from the environment, else one generated once and kept under instance/.

    Fine for a developer's machine; production sets the variable.
    """
    if os.environ.get(variable):
        return os.environ[variable]
    key_file = instance_path / file_name
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
        "SECRET_KEY": _generated_secret(instance_path, "SECRET_KEY", "secret_key"),
        "WALLET_KEYSTORE_PASSPHRASE": _generated_secret(instance_path, "WALLET_KEYSTORE_PASSPHRASE",
                                                        "keystore_passphrase"),
        "WALLET_KEYSTORE_PATH": os.environ.get("WALLET_KEYSTORE_PATH", str(instance_path / "keystore.json")),
        "PAYOUT_WALLET": os.environ.get("PAYOUT_WALLET", "payout_hot"),
        "PAYOUT_PRIORITY_MICRO_LAMPORTS": int(os.environ.get("PAYOUT_PRIORITY_MICRO_LAMPORTS", "0")),
        "PAYOUT_BATCHES_PER_COMMIT": int(os.environ.get("PAYOUT_BATCHES_PER_COMMIT", "50")),
        "EXPLORER_URL": os.environ.get("EXPLORER_URL", "https://explorer.solana.com/{kind}/{value}?cluster=custom&customUrl=http%3A%2F%2F127.0.0.1%3A8899"),
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
        # The largest request body: a token image (2 MB at most) and the launch form's fields fit well inside.
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "RATELIMIT_STORAGE_URI": _limiter_storage(redis_url),
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_SIGN_IN": os.environ.get("RATELIMIT_SIGN_IN", "20 per minute"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # Which requests get a log line: "notable" (writes, errors and slow reads; metrics count the rest),
        # "all", or "off". One JSON line per page read cost about a third of the web CPU under load.
        "REQUEST_LOG": os.environ.get("REQUEST_LOG", "notable"),
        "REQUEST_LOG_SLOW_MS": float(os.environ.get("REQUEST_LOG_SLOW_MS", "250")),
        "USERS_PER_PAGE": 25,
        "AUDIT_PER_PAGE": 50,
        # The live hub (webapp/live): limits per web process, heartbeat, per-topic history.
        "LIVE_MAX_CONNECTIONS": int(os.environ.get("LIVE_MAX_CONNECTIONS", "10000")),
        "LIVE_MAX_PER_USER": int(os.environ.get("LIVE_MAX_PER_USER", "20")),
        "LIVE_MAX_PER_IP": int(os.environ.get("LIVE_MAX_PER_IP", "500")),
        "LIVE_HEARTBEAT_SECONDS": float(os.environ.get("LIVE_HEARTBEAT_SECONDS", "30")),
        "LIVE_SEND_QUEUE": int(os.environ.get("LIVE_SEND_QUEUE", "64")),
        "LIVE_HISTORY_LENGTH": int(os.environ.get("LIVE_HISTORY_LENGTH", "200")),
        "LIVE_HISTORY_TTL_SECONDS": int(os.environ.get("LIVE_HISTORY_TTL_SECONDS", "86400")),
        "LIVE_STATS_SECONDS": float(os.environ.get("LIVE_STATS_SECONDS", "5")),
        "PAYOUTS_PER_PAGE": 50,
        "TOKEN_PAGE_CACHE_SECONDS": int(os.environ.get("TOKEN_PAGE_CACHE_SECONDS", "2")),
        # weighted open reports that hide a post until a moderator reviews it; how often a member may report
        "REPORT_HIDE_THRESHOLD": int(os.environ.get("REPORT_HIDE_THRESHOLD", "5")),
        "RATELIMIT_REPORTS": os.environ.get("RATELIMIT_REPORTS", "10 per minute"),
        "TRADE_QUOTE_SECONDS": int(os.environ.get("TRADE_QUOTE_SECONDS", "45")),
        # A Stable Grounds token's pool opens at launch: its public supply against this much SOL (lamports),
        # paid by this platform wallet. Approval is refused while that wallet cannot pay it.
        "STABLE_POOL_SEED_LAMPORTS": int(os.environ.get("STABLE_POOL_SEED_LAMPORTS", str(5 * 10**9))),
        "STABLE_POOL_SEED_WALLET": os.environ.get("STABLE_POOL_SEED_WALLET", "treasury"),
        # a stake or contribution left unsigned this long is expired (its blockhash lives about a minute)
        "STAKE_SIGN_SECONDS": int(os.environ.get("STAKE_SIGN_SECONDS", "60")),
    }


def _limiter_storage(redis_url: str) -> str:
    """Flask-Limiter keeps its counters in the same Redis as everything else."""
    if not redis_url:
        return "memory://"
    if redis_url.startswith("unix://"):
        # limits names the unix-socket scheme redis+unix://
        return "redis+unix://" + redis_url[len("unix://"):]
    return redis_url
