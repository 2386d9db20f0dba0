"""HTTP JSON-RPC (default :8899) and WebSocket PubSub (default :8900) on one asyncio loop.

The loop is LiteSVM's only owner: request handlers, the slot clock and the
notifications all run on it. Disk syncs and snapshot writes go to threads.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from aiohttp import WSMsgType, web

from webapp.chain.localnet.dispatch import Dispatcher, error_response, parse_body, validate_request
from webapp.chain.localnet.errors import RpcError
from webapp.chain.localnet.node import CLOCK_SAVE_SLOTS, LocalChain, LocalnetSettings
from webapp.chain.localnet.pubsub import Connection, PubSub

log = logging.getLogger(__name__)
MAX_BODY = 50 * 1024 * 1024
JOURNAL_SYNC_SLOTS = 2  # fsync the journal every couple of slots, off the loop


class ChainServer:
    def __init__(self, settings: LocalnetSettings) -> None:
        self.settings = settings
        self.chain = LocalChain(settings)
        self.dispatcher = Dispatcher(self.chain)
        self.pubsub = PubSub(self.chain)
        self._runners: list[web.AppRunner] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._background: asyncio.Future[Any] | None = None
        self._stopped = asyncio.Event()

    # --- HTTP ----------------------------------------------------------------

    async def handle_rpc(self, request: web.Request) -> web.Response:
        body = await request.read()
        return web.Response(body=self.dispatcher.handle_body(body), content_type="application/json")

    async def handle_health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    # --- WebSocket -------------------------------------------------------------

    async def handle_ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=MAX_BODY)
        await ws.prepare(request)
        connection = Connection()
        writer = asyncio.create_task(self._write_loop(ws, connection))
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._on_ws_text(connection, message.data)
                elif message.type == WSMsgType.ERROR:
                    break
        finally:
            self.pubsub.drop(connection)
            connection.queue.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await writer
        return ws

    async def _write_loop(self, ws: web.WebSocketResponse, connection: Connection) -> None:
        while True:
            message = await connection.queue.get()
            if message is None or ws.closed:
                if connection.overflowed:
                    await ws.close(code=1008, message=b"notification queue overflow")
                return
            try:
                await ws.send_str(message.decode())
            except (ConnectionError, RuntimeError):
                return

    def _on_ws_text(self, connection: Connection, text: str) -> None:
        payload, failure = parse_body(text.encode())
        if failure is not None:
            connection.send(failure)
            return
        requests = payload if isinstance(payload, list) else [payload]
        responses = [self._ws_request(connection, request) for request in requests]
        connection.send(responses if isinstance(payload, list) else responses[0])

    def _ws_request(self, connection: Connection, request: Any) -> dict[str, Any]:
        request_id = request.get("id") if isinstance(request, dict) else None
        try:
            _, _, request_id = validate_request(request)
            return {"jsonrpc": "2.0", "result": self.pubsub.handle(connection, request), "id": request_id}
        except RpcError as error:
            return error_response(error, request_id)
        except BaseException as exc:  # one bad subscription (or a pyo3 panic) must not close the server
            if isinstance(exc, (KeyboardInterrupt, SystemExit, asyncio.CancelledError)):
                raise
            log.exception("internal error handling subscription %r", request)
            return error_response(RpcError(-32603, "Internal error"), request_id)

    # --- slot clock ------------------------------------------------------------

    async def _run_slots(self) -> None:
        loop = asyncio.get_running_loop()
        interval = self.settings.slot_ms / 1000
        next_at = loop.time() + interval
        while True:
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            next_at += interval
            if loop.time() - next_at > 10 * interval:
                next_at = loop.time() + interval  # fell far behind (suspended?): do not burst slots
            try:
                self._on_slot()
            except Exception:
                log.exception("slot tick failed")

    def _on_slot(self) -> None:
        slot = self.chain.tick()
        self.pubsub.on_slot(slot)
        if slot % CLOCK_SAVE_SLOTS == 0:
            self.chain.save_clock()  # a tiny unsynced write: cheap enough for the loop
        if self._background is not None and not self._background.done():
            return
        loop = asyncio.get_running_loop()
        if self.chain.snapshot_due:
            header, accounts = self.chain.capture_snapshot()
            self._background = loop.run_in_executor(None, self.chain.write_snapshot, header, accounts)
        elif slot % JOURNAL_SYNC_SLOTS == 0:
            self._background = loop.run_in_executor(None, self.chain.journal.sync)

    # --- lifecycle ---------------------------------------------------------------

    async def start(self) -> None:
        rpc_app = web.Application(client_max_size=MAX_BODY)
        rpc_app.router.add_post("/", self.handle_rpc)
        rpc_app.router.add_get("/health", self.handle_health)
        ws_app = web.Application(client_max_size=MAX_BODY)
        ws_app.router.add_get("/", self.handle_ws)
        for app, port in ((rpc_app, self.settings.rpc_port), (ws_app, self.settings.ws_port)):
            runner = web.AppRunner(app, access_log=None, handle_signals=False)
            await runner.setup()
            await web.TCPSite(runner, self.settings.host, port, reuse_address=True).start()
            self._runners.append(runner)
        self._tasks.append(asyncio.create_task(self._run_slots()))
        log.info("local chain: JSON-RPC http://%s:%d  PubSub ws://%s:%d  data %s  (slot %d, %d transactions)",
                 self.settings.host, self.settings.rpc_port, self.settings.host, self.settings.ws_port,
                 self.settings.data_dir, self.chain.clock.slot, len(self.chain.store))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for runner in self._runners:
            await runner.cleanup()
        if self._background is not None:
            with contextlib.suppress(Exception):
                await self._background
        self.chain.close()
        self._stopped.set()

    async def serve_forever(self) -> None:
        await self.start()
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        log.info("local chain stopping: writing a snapshot")
        await self.stop()


def run(settings: LocalnetSettings) -> None:
    """Blocking entry point used by `python -m webapp.chain.localnet` and `flask chain serve`."""
    asyncio.run(ChainServer(settings).serve_forever())

