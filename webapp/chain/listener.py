"""The chain listener (`flask chain listen`): logsSubscribe per followed address, then RQ indexing jobs.

It follows every tracked mint and platform wallet (re-read every few seconds,
so new mints are picked up without a restart). On start and after every
reconnect it first subscribes, then catches up from each address's checkpoint
with getSignaturesForAddress, so nothing falls between the backfill and the
live notifications; a periodic pass closes any gap a dropped notification
could leave. Reconnects back off exponentially and rotate through the PubSub
URLs; RPC calls fail over inside SolanaRpcClient. Its status goes to Redis
with a TTL, so /admin/chain shows "not running" when it dies.
"""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from flask import Flask
from redis import Redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from webapp.chain.rpc import SolanaRpcClient, SolanaRpcError, SolanaUnavailable
from webapp.services.indexer import backfill, queueing, status
from webapp.services.indexer.backfill import FollowedAddress

log = logging.getLogger("momentum.listener")
FIRST_RECONCILE_SECONDS = 60
DISCUSSION_RANKING_SECONDS = 60  # hot ranks decay by the hour: a minute keeps the order current
VESTING_RELEASE_SECONDS = 600  # team releases are due per unlock period (days): ten minutes is prompt
T = TypeVar("T")
RECENT_SIGNATURES = 50_000
FLUSH_SECONDS = 0.05
REQUEST_TIMEOUT = 15.0
CONNECTION_ERRORS = (OSError, WebSocketException, TimeoutError, SolanaUnavailable, SolanaRpcError, ConnectionError)


class ChainListener:
    def __init__(self, app: Flask, ws_urls: list[str], client: SolanaRpcClient, redis: Redis,
                 settings: dict[str, float]) -> None:
        if not ws_urls:
            raise ValueError("no PubSub URL: set SOLANA_WS_URL or SOLANA_RPC_URLS")
        self.app, self.ws_urls, self.client, self.redis, self.settings = app, ws_urls, client, redis, settings
        self.database = ThreadPoolExecutor(max_workers=1, thread_name_prefix="listener-db")
        self.stopping = asyncio.Event()
        self.signatures: asyncio.Queue[str] = asyncio.Queue()
        self.recent: OrderedDict[str, None] = OrderedDict()
        self.by_address: dict[str, int] = {}
        self.followed: dict[str, FollowedAddress] = {}
        self.replies: dict[int, asyncio.Future[Any]] = {}
        self.ids = itertools.count(1)
        self.ws: ClientConnection | None = None
        self.ws_url: str | None = None
        self.state = "starting"
        self.error: str | None = None
        self.reconnects = self.notifications = self.enqueued = 0
        self.chain_slot: int | None = None
        self.synced_slot: int | None = None
        self.last_pass = 0.0
        self.started_at = time.time()

    # --- lifecycle -------------------------------------------------------------

    def stop(self) -> None:
        self.stopping.set()

    async def run(self) -> None:
        loops = (self._heartbeat_loop, self._flush_loop, self._housekeeping_loop)
        helpers = [asyncio.create_task(loop()) for loop in loops]
        backoff, urls = 0.5, itertools.cycle(self.ws_urls)
        try:
            while not self.stopping.is_set():
                self.ws_url = next(urls)
                try:
                    await self._session(self.ws_url)
                    backoff = 0.5
                except CONNECTION_ERRORS as error:
                    self.state, self.error = "reconnecting", f"{type(error).__name__}: {error}"[:500]
                    self.reconnects += 1
                    log.warning("listener connection lost (%s); retrying in %.1fs", self.error, backoff)
                await self._pause(backoff)
                backoff = min(backoff * 2, self.settings["LISTENER_MAX_BACKOFF_SECONDS"])
        finally:
            for task in helpers:
                task.cancel()
            self.state = "stopped"
            await asyncio.to_thread(self._write_status)
            self.database.shutdown(wait=False)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)

    async def _session(self, url: str) -> None:
        async with connect(url, max_size=None, open_timeout=10, ping_interval=20, ping_timeout=20) as ws:
            self.ws, self.state = ws, "subscribing"
            self.by_address.clear()
            reader = asyncio.create_task(self._read_loop(ws))
            try:
                await self._follow(catch_up_all=True)
                self.state, self.error = "live", None
                while not self.stopping.is_set():
                    done, _ = await asyncio.wait({reader}, timeout=self.settings["LISTENER_REFRESH_SECONDS"])
                    if done:
                        reader.result()
                        raise ConnectionError("PubSub connection closed")
                    due = time.monotonic() - self.last_pass > self.settings["LISTENER_BACKFILL_SECONDS"]
                    await self._follow(catch_up_all=due)
            finally:
                reader.cancel()
                self.ws = None
                for future in self.replies.values():
                    future.cancel()
                self.replies.clear()

    # --- subscriptions ---------------------------------------------------------

    async def _follow(self, catch_up_all: bool) -> None:
        """Subscribe to new addresses, drop removed ones, then catch up (all, or only the new ones)."""
        wanted = {f.address: f for f in await self._db(backfill.followed_addresses)}
        added = [f for address, f in wanted.items() if address not in self.by_address]
        for followed in added:
            self.by_address[followed.address] = await self._request(
                "logsSubscribe", [{"mentions": [followed.address]}, {"commitment": "confirmed"}])
        for address in set(self.by_address) - set(wanted):
            await self._request("logsUnsubscribe", [self.by_address.pop(address)])
        self.followed = wanted
        if catch_up_all:
            await self._catch_up(list(wanted.values()), full_pass=True)
        elif added:
            await self._catch_up(added, full_pass=False)

    async def _catch_up(self, addresses: list[FollowedAddress], full_pass: bool) -> None:
        started_slot = await asyncio.to_thread(self.client.get_slot)
        if full_pass:
            self.state = "backfilling" if self.state != "live" else self.state
        for followed in addresses:
            count = await self._db(backfill.catch_up, self.client, followed, self._hand_off)
            if count:
                log.info("queued %d signature(s) of %s from its checkpoint", count, followed.address)
        if full_pass:
            self.synced_slot, self.last_pass = started_slot, time.monotonic()

    def _hand_off(self, signatures: list[str], address: str) -> None:
        queueing.enqueue_indexing(signatures, address, connection=self.redis)
        self.enqueued += len(signatures)

    async def _request(self, method: str, params: list[Any]) -> Any:
        assert self.ws is not None
        request_id = next(self.ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.replies[request_id] = future
        await self.ws.send(json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}))
        try:
            return await asyncio.wait_for(future, REQUEST_TIMEOUT)
        finally:
            self.replies.pop(request_id, None)

    async def _read_loop(self, ws: ClientConnection) -> None:
        async for message in ws:
            data = json.loads(message)
            if "id" in data and data["id"] in self.replies:
                future = self.replies[data["id"]]
                if "error" in data:
                    future.set_exception(SolanaRpcError("pubsub", int(data["error"].get("code", 0)),
                                                        str(data["error"].get("message", ""))))
                else:
                    future.set_result(data.get("result"))
            elif data.get("method") == "logsNotification":
                result = data["params"]["result"]
                self._on_signature(result["value"]["signature"], int(result["context"]["slot"]))

    def _on_signature(self, signature: str, slot: int) -> None:
        self.notifications += 1
        self.chain_slot = max(self.chain_slot or 0, slot)
        if signature in self.recent:  # seen through another subscription already
            return
        self.recent[signature] = None
        if len(self.recent) > RECENT_SIGNATURES:
            self.recent.popitem(last=False)
        self.signatures.put_nowait(signature)

    # --- helpers -----------------------------------------------------------------

    async def _flush_loop(self) -> None:
        """Live signatures go out in small batches: one RQ job per burst instead of per signature."""
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self.signatures.get()]
            deadline = loop.time() + FLUSH_SECONDS
            while len(batch) < queueing.SIGNATURES_PER_JOB and (left := deadline - loop.time()) > 0:
                try:
                    batch.append(await asyncio.wait_for(self.signatures.get(), left))
                except TimeoutError:
                    break
            try:
                await asyncio.to_thread(queueing.enqueue_indexing, batch, None, self.redis)
                self.enqueued += len(batch)
            except Exception as error:  # noqa: BLE001 - the next catch-up pass queues them from the checkpoint
                log.warning("could not queue %d live signature(s): %s", len(batch), error)

    async def _heartbeat_loop(self) -> None:
        while True:
            try:
                slot = await asyncio.to_thread(self.client.get_slot)
                self.chain_slot = slot
                if self.state == "live":
                    self.synced_slot = slot
            except CONNECTION_ERRORS as error:
                log.debug("heartbeat getSlot failed: %s", error)
            try:
                await asyncio.to_thread(self._write_status)
            except Exception as error:  # noqa: BLE001 - Redis down: try again next beat
                log.warning("could not write listener status: %s", error)
            await asyncio.sleep(self.settings["LISTENER_HEARTBEAT_SECONDS"])

    async def _housekeeping_loop(self) -> None:
        """Queue the finality check and trade settlement, vesting releases and missed graduations, and
        reconciliation, each on its schedule (one at a time each)."""
        # The first check soon after start, so pages that show what reconciliation verified (an escrow
        # "locked on chain") have something to show within a minute rather than an hour.
        next_reconcile = time.monotonic() + min(FIRST_RECONCILE_SECONDS, self.settings["INDEXER_RECONCILE_SECONDS"])
        next_vesting = time.monotonic()
        next_ranking = time.monotonic()
        while True:
            await asyncio.sleep(self.settings["INDEXER_FINALITY_SECONDS"])
            try:
                await asyncio.to_thread(queueing.enqueue_once, "worker.jobs.finalize_transactions", "chain-finalize",
                                        self.redis)
                await asyncio.to_thread(queueing.enqueue_once, "worker.jobs.settle_trade_orders", "trade-settle",
                                        self.redis)
                if time.monotonic() >= next_ranking:
                    next_ranking = time.monotonic() + DISCUSSION_RANKING_SECONDS
                    await asyncio.to_thread(queueing.enqueue_once, "worker.jobs.rank_discussions",
                                            "discussion-ranking", self.redis)
                if time.monotonic() >= next_vesting:
                    next_vesting = time.monotonic() + VESTING_RELEASE_SECONDS
                    await asyncio.to_thread(queueing.enqueue_once, "worker.jobs.release_vesting", "vesting-release",
                                            self.redis)
                    await asyncio.to_thread(queueing.enqueue_once, "worker.jobs.graduate_waiting_curves",
                                            "graduation-sweep", self.redis)
                if time.monotonic() >= next_reconcile:
                    next_reconcile = time.monotonic() + self.settings["INDEXER_RECONCILE_SECONDS"]
                    await asyncio.to_thread(queueing.enqueue_once, "worker.jobs.reconcile_holders",
                                            "chain-reconcile", self.redis)
            except Exception as error:  # noqa: BLE001
                log.warning("could not queue housekeeping jobs: %s", error)

    def _write_status(self) -> None:
        status.write_status(self.redis, {
            "state": self.state, "error": self.error, "ws_url": _redacted(self.ws_url), "pid": os.getpid(),
            "subscriptions": len(self.by_address), "followed": len(self.followed), "reconnects": self.reconnects,
            "notifications": self.notifications, "enqueued": self.enqueued, "chain_slot": self.chain_slot,
            "synced_slot": self.synced_slot, "started_at": self.started_at,
        }, self.settings["LISTENER_STATUS_TTL_SECONDS"])

    async def _db(self, function: Callable[..., T], *args: Any) -> T:
        """Database work runs on one thread, inside the app context."""
        def call() -> T:
            with self.app.app_context():
                return function(*args)

        return await asyncio.get_running_loop().run_in_executor(self.database, call)


def _redacted(url: str | None) -> str | None:
    """Provider URLs carry API keys in the query string: never show them."""
    return url.split("?", 1)[0] if url else url


def run_listener(app: Flask) -> None:
    """Build the listener from the app's settings and run it until SIGINT / SIGTERM."""
    import signal

    from webapp.chain.rpc import SolanaRpcClient as Client
    from webapp.services.indexer.settings import DEFAULTS, setting, ws_urls

    with app.app_context():
        rpc_urls = list(app.config["SOLANA_RPC_URLS"])
        if not rpc_urls:
            raise RuntimeError("SOLANA_RPC_URLS is not set.")
        redis = app.extensions.get("momentum_redis")
        if redis is None:
            raise RuntimeError("REDIS_URL is not set: the listener queues jobs in Redis.")
        settings = {name: setting(name) for name in DEFAULTS}
        urls = ws_urls(rpc_urls, app.config.get("SOLANA_WS_URL"))
    listener = ChainListener(app, urls, Client(rpc_urls), redis, settings)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, listener.stop)
        log.info("listening on %s", ", ".join(filter(None, map(_redacted, urls))))
        await listener.run()

    asyncio.run(main())
