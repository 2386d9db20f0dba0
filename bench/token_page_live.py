"""The token page on the running `make run` site, as traders meet it, against hello-world Flask.

    make run                                   # in one terminal: the whole stack and the market simulator
    .venv/bin/python bench/token_page_live.py  # in another

The page measured is the most active token's (the directory's highest 24-hour
volume), served by the stack `make run` started: gunicorn with its default
logging relayed through honcho, the RQ worker indexing the simulator's trades,
the listener and the local chain all busy at once. Hello world runs under the
same gunicorn.conf.py on another port of the same machine during the same
load, its logs discarded, so the ratio carries everything the page pays that
hello world does not. wrk loads each with 50 connections for 15 s, page then
hello world, three rounds; the median ratio and each p99 are printed.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.token_page import load, serve  # noqa: E402 - the bench folder is not a package on sys.path

ROUNDS = 3
HELLO_PORT = 5102


def most_active_mint(site: str) -> str:
    """The directory's first token by 24-hour volume, from the read-only API."""
    reply = httpx.get(f"{site}/api/v1/tokens", params={"sort": "volume"}, timeout=10)
    reply.raise_for_status()
    tokens = reply.json()["data"]
    if not tokens:
        raise SystemExit("The site lists no tokens: is `make run` up and seeded?")
    return str(tokens[0]["mint"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--site", default="http://127.0.0.1:5000", help="the running make run site")
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    mint = most_active_mint(args.site)
    page_url = f"{args.site}/tokens/{mint}"
    body = httpx.get(page_url, timeout=10).text
    if "<svg" not in body or "trade-panel" not in body:
        raise SystemExit(f"{page_url} did not render its chart and trade panel")
    print(f"token page of the most active token {mint} on the running site; "
          f"hello world under gunicorn.conf.py on :{HELLO_PORT}; wrk -t2 -c50 -d{args.seconds}s")
    # Its own metrics folder: gunicorn.conf.py clears the folder it is given at start, and the running
    # site's workers keep theirs in instance/prometheus.
    metrics = tempfile.mkdtemp(prefix="hello-metrics-")
    hello = serve("bench.hello_app:app", HELLO_PORT, {**os.environ, "PROMETHEUS_MULTIPROC_DIR": metrics})
    ratios, page_tails, hello_tails = [], [], []
    try:
        for round_number in range(1, ROUNDS + 1):
            page_rate, page_p99 = load(page_url, args.seconds)
            hello_rate, hello_p99 = load(f"http://127.0.0.1:{HELLO_PORT}/", args.seconds)
            ratios.append(page_rate / hello_rate)
            page_tails.append(page_p99)
            hello_tails.append(hello_p99)
            print(f"round {round_number}: token page {page_rate:8,.0f} req/s  p99 {page_p99:6.1f} ms | "
                  f"hello world {hello_rate:8,.0f} req/s  p99 {hello_p99:6.1f} ms | ratio {ratios[-1]:.2f}")
    finally:
        hello.terminate()
        hello.wait()
    print(f"median ratio token page / hello world over {ROUNDS} rounds: {statistics.median(ratios):.2f}; "
          f"token page p99 median {statistics.median(page_tails):.1f} ms, worst {max(page_tails):.1f} ms")


if __name__ == "__main__":
    main()
