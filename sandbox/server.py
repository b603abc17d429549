"""The sandbox HTTP server: a local stand-in for the Telegram Bot API.

Request pipeline (one event loop, no locks needed):

1. token check (``401 Unauthorized`` when the sandbox was given a token and it differs);
2. parameter parsing (query string, urlencoded, multipart uploads, JSON);
3. simulated network latency (``latency_ms`` + uniform jitter, concurrent requests);
4. fault injection - a fired rule answers its error *before* the flood limiter, so a
   refused call never consumes a rate token (``timeout_after_send`` excepted: the call is
   executed, recorded with ``delivered_but_unanswered=True`` and its reply withheld);
5. flood limits (see :mod:`sandbox.limits`) for send/edit methods;
6. the method handler; a successful limited call then consumes its rate token.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Iterable
from types import MappingProxyType, TracebackType
from typing import Any, Self

from aiohttp import web

from . import chat_methods, messages
from .builders import SandboxState
from .calls import Call
from .errors import (
    BAD_GATEWAY,
    CHAT_NOT_FOUND,
    ApiError,
    bad_request,
    forbidden_for,
    migrated,
    too_many_requests,
)
from .faults import FaultInjector, FaultRule
from .limits import FloodLimiter, is_limited
from .parsing import read_params
from .state import chat_type_for
from .strict import StrictLimiter
from .webhook import SECRET_HEADER, WebhookSender

__all__ = ["METHODS", "SECRET_HEADER", "Sandbox"]

logger = logging.getLogger(__name__)

Handler = Callable[[SandboxState, Call], Any]


def _method_table() -> MappingProxyType[str, tuple[str, Handler | None]]:
    table: dict[str, tuple[str, Handler | None]] = {"getupdates": ("getUpdates", None)}
    for handlers in (messages.HANDLERS, chat_methods.HANDLERS):
        for name, handler in handlers.items():
            table[name.lower()] = (name, handler)
    return MappingProxyType(table)


METHODS = _method_table()
"""Lower-cased method name -> (canonical name, handler); unknown methods answer ``True``."""

_RIGHTS_WORD = {"sendphoto": "photos", "senddocument": "documents", "sendmediagroup": "media"}


class Sandbox(WebhookSender):
    """A fake Telegram Bot API server with call recording, flood limits and faults.

    ``token=None`` accepts any bot token; ``latency_ms``/``jitter_ms`` delay every reply;
    ``limits``/``global_rate`` control the flood limiter; ``seed`` makes jitter and
    probabilistic faults reproducible.

    ``strict=True`` swaps the lenient limiter (GCRA with burst, as Telegram is usually
    described) for :class:`~sandbox.strict.StrictLimiter` and draws every latency with
    ±30 % jitter, so windows are crossed by bunched arrivals; ``storm_every``/``storm_seconds``
    add 429 storms at random (seeded) moments. Tests of speed and ``bench/`` use it.
    """

    def __init__(
        self,
        token: str | None = None,
        latency_ms: float = 0.0,
        limits: bool = True,
        global_rate: float = 30.0,
        *,
        jitter_ms: float = 0.0,
        seed: int = 0,
        bot_user: dict[str, Any] | None = None,
        log_calls: bool = False,
        webhook_timeout: float = 10.0,
        hang_seconds: float = 600.0,
        strict: bool = False,
        storm_every: float = 0.0,
        storm_seconds: float = 3.0,
    ) -> None:
        super().__init__(token, bot_user, webhook_timeout=webhook_timeout)
        self.limiter = FloodLimiter(global_rate, enabled=limits)
        self.strict_limiter = StrictLimiter(global_rate)
        self.strict = strict
        self.storm_every = storm_every  # mean seconds between 429 storms (0 = none)
        self.storm_seconds = storm_seconds
        self._next_storm: float | None = None
        self.faults = FaultInjector(seed)
        self.latency_ms = latency_ms
        self.jitter_ms = jitter_ms
        self.log_calls = log_calls
        self.hang_seconds = hang_seconds
        self.base_url = ""
        self._rng = random.Random(seed)
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()

    # ------------------------------------------------------------ settings
    @property
    def state(self) -> Self:
        """The sandbox itself (it *is* the :class:`SandboxState`)."""
        return self

    @property
    def limits(self) -> bool:
        """Whether flood limits are enforced (settable)."""
        return self.limiter.enabled

    @limits.setter
    def limits(self, enabled: bool) -> None:
        self.limiter.enabled = enabled

    @property
    def strict(self) -> bool:
        """Strict mode: sliding windows at arrival, ±30 % latency jitter (settable)."""
        return self._strict

    @strict.setter
    def strict(self, on: bool) -> None:
        self._strict = on
        if on:
            self.limiter.enabled = True

    @property
    def global_rate(self) -> float:
        """Global limited calls per second per token (settable)."""
        return self.limiter.global_rate

    @global_rate.setter
    def global_rate(self, rate: float) -> None:
        self.limiter.global_rate = rate
        self.strict_limiter.global_rate = rate

    def fail(
        self,
        method: str | Iterable[str] | None = "sendMessage",
        chat_id: int | str | None = None,
        error: str = "502",
        times: int | None = 1,
        probability: float = 1.0,
        retry_after: int = 5,
        migrate_to_chat_id: int | None = None,
        seed: int | None = None,
    ) -> FaultRule:
        """Inject a fault; ``method=None`` matches every method, ``times=None`` is forever.

        ``error``: 429 | 500 | 502 | 403_blocked | 403_kicked | 403_deactivated |
        chat_not_found | migrate | timeout_after_send | not_enough_rights.  403 faults also
        block the chat for good (as Telegram); ``migrate`` moves the chat.
        """
        return self.faults.add(
            method, chat_id, error, times, probability, retry_after, migrate_to_chat_id, seed
        )

    def clear_faults(self) -> None:
        """Remove every fault rule (sticky blocks and migrations stay)."""
        self.faults.clear()

    # ------------------------------------------------------------ lifecycle
    def make_app(self) -> web.Application:
        """The aiohttp application (for embedding into another server or a test client)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        app.on_shutdown.append(self._on_shutdown)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0 = any free port); returns the base URL."""
        if self._runner is not None:
            return self.base_url
        self._closing.clear()
        runner = web.AppRunner(
            self.make_app(), handler_cancellation=True, shutdown_timeout=1.0, access_log=None
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self.base_url = f"http://{host}:{runner.addresses[0][1]}"
        logger.info("Telegram sandbox listening on %s", self.base_url)
        return self.base_url

    async def stop(self) -> None:
        """Stop serving; pending long polls and withheld replies are released."""
        await self._on_shutdown(None)
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _on_shutdown(self, _app: web.Application | None) -> None:
        self._closing.set()
        self.wake_pollers()
        await self.close_webhook_client()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------ HTTP
    async def _not_found(self, request: web.Request) -> web.Response:
        return web.json_response(ApiError(404, "Not Found").payload(), status=404)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        record = self.file_by_path(request.match_info["path"])
        if (self.token is not None and token != self.token) or record is None:
            return await self._not_found(request)
        content_type = record.mime_type or "application/octet-stream"
        return web.Response(body=record.data, content_type=content_type)

    async def _handle_api(self, request: web.Request) -> web.Response:
        stats = self.stats
        stats["requests"] += 1
        stats["inflight"] = inflight = stats["inflight"] + 1
        if inflight > stats["max_inflight"]:
            stats["max_inflight"] = inflight
        try:
            token = request.match_info["token"]
            if self.token is not None and token != self.token:
                return self._error_response(ApiError(401, "Unauthorized"))
            self._last_token = token
            try:
                params = await read_params(request)
            except ValueError as exc:
                return self._error_response(bad_request(f"can't parse request: {exc}"))
            status, body = await self.call_api(request.match_info["method"], params, token)
            return web.json_response(body, status=status)
        finally:
            stats["inflight"] -= 1

    def _error_response(self, error: ApiError) -> web.Response:
        self._count_error(error)
        return web.json_response(error.payload(), status=error.code)

    def _count_error(self, error: ApiError) -> None:
        by_code = self.stats["errors_by_code"]
        by_code[error.code] = by_code.get(error.code, 0) + 1
        if error.code == 429:
            self.stats["429s"] += 1

    # ------------------------------------------------------------ dispatch
    async def call_api(
        self, method: str, params: dict[str, Any], token: str = ""
    ) -> tuple[int, dict[str, Any]]:
        """Run one API call without HTTP; returns ``(http_status, json_body)``."""
        if self.latency_ms > 0 or self.jitter_ms > 0:
            jitter = self._rng.uniform(0.0, self.jitter_ms) if self.jitter_ms > 0 else 0.0
            spread = self._rng.uniform(0.7, 1.3) if self._strict else 1.0
            await asyncio.sleep((self.latency_ms * spread + jitter) / 1000.0)
        name, handler = METHODS.get(method.lower(), (method, None))
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str):
            if chat_id.startswith("@"):
                chat_id = self._usernames.get(chat_id[1:].lower(), chat_id)
            elif chat_id.lstrip("-").isdigit():
                chat_id = int(chat_id)
        call = Call(name, params, chat_id, time.monotonic(), time.time(), token=token)
        rule = self.faults.pick(name.lower(), chat_id) if self.faults.rules else None
        try:
            if rule is not None and rule.error != "timeout_after_send":
                call.fault = rule
                raise self._fault_error(rule, name, chat_id)
            if handler is None and name == "getUpdates":
                result: Any = await self._get_updates(params)
            else:
                limited = self.limiter.enabled and is_limited(name)
                limit_chat = chat_id if isinstance(chat_id, int) else None
                limiter = self.strict_limiter if self._strict else self.limiter
                if limited:
                    self._maybe_storm(call.mono)
                    wait = limiter.wait_time(token, limit_chat, call.mono)
                    if wait > 0:
                        raise too_many_requests(FloodLimiter.retry_after(wait))
                result = True if handler is None else handler(self, call)
                if limited:
                    limiter.commit(token, limit_chat, call.mono)
        except ApiError as error:
            call.error = error
            self._count_error(error)
            self._record(call)
            return error.code, error.payload()
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            logger.warning("sandbox: bad parameters for %s: %r", name, exc)
            call.error = bad_request(f"invalid parameters: {exc}")
            self._count_error(call.error)
            self._record(call)
            return 400, call.error.payload()
        call.result = result
        self.stats["ok"] += 1
        if rule is not None:
            call.fault = rule
            call.delivered_but_unanswered = True
            self._record(call)
            await self._withhold()
            return BAD_GATEWAY.code, BAD_GATEWAY.payload()
        self._record(call)
        return 200, {"ok": True, "result": result}

    def _maybe_storm(self, now: float) -> None:
        if not self._strict or self.storm_every <= 0:
            return
        if self._next_storm is None:
            self._next_storm = now + self._rng.expovariate(1.0 / self.storm_every)
        if now >= self._next_storm:
            self.strict_limiter.storm(now, self.storm_seconds)
            self._next_storm = now + self.storm_seconds
            self._next_storm += self._rng.expovariate(1.0 / self.storm_every)

    def _record(self, call: Call) -> None:
        self.record(call)
        if self.log_calls:
            logger.info("%s", call)

    async def _withhold(self) -> None:
        try:
            await asyncio.wait_for(self._closing.wait(), self.hang_seconds)
        except TimeoutError:
            pass

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self._closing.is_set():
            return []
        return await self.poll_updates(
            offset=params.get("offset"),
            limit=params.get("limit") or 100,
            timeout=params.get("timeout") or 0,
            allowed_updates=params.get("allowed_updates"),
        )

    def _fault_error(self, rule: FaultRule, method: str, chat_id: Any) -> ApiError:
        kind = rule.error
        chat_type = "private"
        if isinstance(chat_id, int):
            chat = self.chats.get(chat_id)
            chat_type = chat.type if chat is not None else chat_type_for(chat_id)
        if kind == "429":
            return too_many_requests(rule.retry_after)
        if kind == "500":
            return ApiError(500, "Internal Server Error")
        if kind == "502":
            return BAD_GATEWAY
        if kind.startswith("403_"):
            block = kind[4:]
            if isinstance(chat_id, int):
                self.block(chat_id, block)
            return forbidden_for(block, chat_type)
        if kind == "chat_not_found":
            return bad_request(CHAT_NOT_FOUND)
        if kind == "migrate":
            if isinstance(chat_id, int) and chat_id < 0:
                return migrated(self.migrate_chat(chat_id, rule.migrate_to_chat_id))
            return migrated(rule.migrate_to_chat_id or -1000000000001)
        if "pin" in method.lower():
            return bad_request("not enough rights to manage pinned messages in the chat")
        word = _RIGHTS_WORD.get(method.lower(), "text messages")
        return bad_request(f"not enough rights to send {word} to the chat")
