"""The fake server's state, lifecycle, HTTP routes and getUpdates long polling."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.telegram.fakeapi.wire import (
    METHODS,
    ApiError,
    Call,
    Json,
    UploadedFile,
    _decode,
)
from tests.telegram.reporting import CRASHED_METHOD, HANDLED_METHOD


class _Server:
    """State, lifecycle and HTTP of the in-process fake Bot API server."""

    # Reports of the bot under test, recorded by waiting.py's part of FakeBotApi.
    handled: Callable[[int], None]
    crashed: Callable[[int | None, BaseException], None]

    def __init__(self, token: str = "123456:TEST-TOKEN", response_delay: float = 0.0) -> None:
        self.token, self.response_delay, self.port = token, response_delay, 0
        self.bot_user: Json = {"id": int(token.split(":")[0]), "is_bot": True}
        self.bot_user.update(first_name="Netralitas", username="netralitas_test_bot")
        self.errors: list[Call] = []
        self.get_updates_count = 0
        self.webhook_url = ""
        self.commands: dict[str, list[Json]] = {}
        self.menu_buttons: dict[Any, Json] = {}
        self._calls: list[Call] = []
        self._updates: list[Json] = []
        self._delivered = 0  # highest update_id handed out by getUpdates
        self._confirmed = 0  # highest update_id a later getUpdates offset acknowledged
        self._parked = 0  # getUpdates calls waiting in a long poll right now
        self._injected: list[int] = []  # every update id injected, in order
        self._handled: set[int] = set()  # update ids the bot reported as fully handled
        self.crashes: list[tuple[int | None, BaseException]] = []  # (update id, error) reported
        self._raised: set[int | None] = set()  # update ids whose crash a wait already raised
        self.tracks_handling = False  # see ``expect_reports``
        self._update_ids, self._query_ids = itertools.count(1), itertools.count(1)
        self._msg_ids: dict[Any, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._messages: dict[tuple[Any, int], Json] = {}
        self._chats: dict[Any, Json] = {}
        self._callbacks: set[str] = set()
        self._files: dict[str, tuple[bytes, str]] = {}
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)  # wakes blocking waits in other threads
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._closing = False

    # ---- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder().base_url(...)``: ``{url}/bot``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder().base_file_url(...)``: ``{url}/file/bot``."""
        return f"{self.url}/file/bot"

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and serve."""
        self._loop, self._changed, self._closing = (
            asyncio.get_running_loop(),
            asyncio.Event(),
            False,
        )
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Release pending long polls and shut the server down."""
        self._closing = True
        self._wake()
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    def _wake(self) -> None:
        """Wake long polls and waiters; safe to call from any thread."""
        with self._cond:
            self._cond.notify_all()
        if (loop := self._loop) is None or loop.is_closed():
            return
        try:
            here = asyncio.get_running_loop() is loop
        except RuntimeError:
            here = False
        if not here:
            loop.call_soon_threadsafe(self._wake)
        elif self._changed is not None:
            self._changed.set()
            self._changed = asyncio.Event()

    # ---- HTTP ------------------------------------------------------------------------------
    @staticmethod
    def _reply(ok: bool, value: Any, code: int = 200) -> web.Response:
        body = dict(ok=True, result=value) if ok else dict(ok=False, error_code=code)
        return web.json_response(body if ok else {**body, "description": value}, status=code)

    async def _params(self, request: web.Request) -> Json:
        raw: Json = dict(request.query)
        if request.content_type == "application/json" and request.can_read_body:
            raw.update(await request.json())
        elif request.can_read_body:
            for key, val in (await request.post()).items():
                if isinstance(val, web.FileField):
                    val = UploadedFile(val.filename, val.content_type, val.file.read())
                raw[key] = val
        params = {k: _decode(k, v) for k, v in raw.items()}
        for k, v in params.items():  # resolve attach://<part> references
            if isinstance(v, str) and v.startswith("attach://") and v[9:] in params:
                params[k] = params[v[9:]]
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._reply(False, "Unauthorized", 401)
        given = request.match_info["method"]
        name, params = METHODS.get(given.lower()), await self._params(request)
        if self.response_delay:
            await asyncio.sleep(self.response_delay)
        if name == "getUpdates":
            try:
                return self._reply(True, await self._get_updates(params))
            except ApiError as e:
                return self._reply(False, e.description, e.code)
        if name in (HANDLED_METHOD, CRASHED_METHOD):  # a bot process reporting, not a call
            update_id = int(params.get("update_id") or 0) or None
            if name == CRASHED_METHOD:
                self.crashed(update_id, RuntimeError(params.get("error")))
            elif update_id is not None:
                self.handled(update_id)
            return self._reply(True, True)
        call = Call(name or given, params, time.time())
        try:
            if name is None:
                raise ApiError("Not Found", 404)
            with self._lock:
                call.result = getattr(self, f"_m_{name}")(params)
        except ApiError as e:
            call.error, code = e.description, e.code
        with self._lock:
            self._calls.append(call)
            self.errors.extend([call] if call.error else [])
        self._wake()
        return (
            self._reply(False, call.error, code) if call.error else self._reply(True, call.result)
        )

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._reply(False, "Unauthorized", 401)
        for content, path in list(self._files.values()):
            if path == request.match_info["path"]:
                return web.Response(body=content, content_type="application/octet-stream")
        return self._reply(False, "Not Found", 404)

    async def _get_updates(self, p: Json) -> list[Json]:
        self.get_updates_count += 1
        if self.webhook_url:
            raise ApiError(
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
                409,
            )
        offset, limit = int(p.get("offset") or 0), max(1, min(100, int(p.get("limit") or 100)))
        deadline = time.monotonic() + float(p.get("timeout") or 0)
        with self._lock:  # a confirmed offset forgets every older update
            if offset:
                keep = self._updates[offset:] if offset < 0 else self._updates
                self._updates = [u for u in keep if offset < 0 or u["update_id"] >= offset]
            if offset > 0:
                self._confirmed = max(self._confirmed, min(offset - 1, self._delivered))
        self._wake()
        while True:
            changed = self._changed
            with self._lock:
                batch = self._updates[:limit]
            remaining = deadline - time.monotonic()
            if batch or self._closing or remaining <= 0 or changed is None:
                break
            self._parked += 1
            self._wake()
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                pass
            finally:
                self._parked -= 1
        if batch:
            with self._lock:
                self._delivered = max(self._delivered, batch[-1]["update_id"])
            self._wake()
        return batch
