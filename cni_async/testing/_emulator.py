"""The emulator: an aiohttp server answering the CNI API from in-memory state."""

from __future__ import annotations

import asyncio
import collections
import logging
import random
from types import TracebackType
from typing import TYPE_CHECKING, Any

from aiohttp import web

import cni_async
from cni_async.testing._errors import ApiError, status_phrase
from cni_async.testing._faults import FaultPlan, Injection
from cni_async.testing._http import MAX_PAGE_SIZE, Call, Runtime
from cni_async.testing._ratelimit import Window, credential_of
from cni_async.testing._routes import PREFIX, Match, Route, resolve
from cni_async.testing._state import AccountState, StatusTrack
from cni_async.testing._wire import authenticate, drop, error_response, malformed, ray

if TYPE_CHECKING:
    from typing_extensions import Self

_LOG = logging.getLogger("cni_async.testing")
_SHUTDOWN_TIMEOUT = 2.0
_MAX_PORT = 65535
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# Cloudflare's own example account id, so outputs look like the real API's.
DEFAULT_ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
# What `client()` sends when the emulator accepts any credential.
_ANY_TOKEN = "emulator-token"  # noqa: S105 - not a secret: the emulator accepts any token
_CREDENTIAL_ARGUMENTS = frozenset({"api_token", "api_key", "api_email", "user_service_key"})


class Emulator:
    """A stateful fake of the CNI API, served over HTTP on a local port.

    Use it as an async context manager, point a client at `base_url`, and inspect
    `executed`, `requests`, `account()` or inject faults through `faults`.

    Args:
        host: The address to bind.
        port: The port to bind; 0 picks a free one.
        token: When set, the only credential accepted (as `Authorization: Bearer`).
            Otherwise any non-empty credential of the three Cloudflare schemes passes.
        status_polls: How many status requests of a new interconnect answer `Pending`
            before it turns `Healthy`.
        status_seconds: When set, an interconnect is `Pending` for this many seconds
            after creation instead (`status_polls` is then ignored).
        default_page_size: Page size of list operations when `limit` is absent or 0.
        seed: Seed of every generated id, so runs are reproducible.
        account_id: The account `client()` makes calls to by default. Every
            account id works: each starts seeded on first use.
        rate_limit: `(requests, per_seconds)` to enforce Cloudflare's global rate
            limit, e.g. `(1200, 300)`; None (default) enforces none. Requests are
            counted per credential over a sliding window; once the budget is
            spent, every call is answered 429 (a v4 error body, code 971) with
            `Retry-After` until the window has room, and refused calls do not
            count. Every response to a request with a credential then carries
            `Ratelimit` (`"default";r=5;t=30`: requests left, seconds until one
            more is allowed) and `Ratelimit-Policy` (`"default";q=1200;w=300`).

    Attributes:
        faults: Scripted and random fault injection.
        executed: How many times each operation (by operationId) actually ran: the
            request passed faults, credentials and routing and reached the operation,
            whether or not the operation then answered an error.
        requests: Every HTTP request received, faulted ones included.
        rate_limited: How many requests `rate_limit` refused with 429.

    Behaviour worth knowing: a deleted interconnect that still hosts CNIs is refused
    with 400; `tunnel_id` filters CNIs by `magic.conduit_name`; list cursors are
    offsets and the last page leaves `next` out.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        status_polls: int = 2,
        status_seconds: float | None = None,
        default_page_size: int = 20,
        seed: int = 0,
        account_id: str = DEFAULT_ACCOUNT,
        rate_limit: tuple[int, float] | None = None,
    ) -> None:
        """Configure the emulator; nothing is bound until `start`."""
        if not 0 <= port <= _MAX_PORT:
            raise ValueError(f"port must be between 0 and {_MAX_PORT}")
        if token is not None and not token:
            raise ValueError("token must not be empty")
        if status_polls < 0:
            raise ValueError("status_polls must not be negative")
        if status_seconds is not None and status_seconds < 0:
            raise ValueError("status_seconds must not be negative")
        if not 1 <= default_page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"default_page_size must be between 1 and {MAX_PAGE_SIZE}")
        if not account_id:
            raise ValueError("account_id must not be empty")
        self._window = None if rate_limit is None else _window(*rate_limit)
        self.account_id: str = account_id
        self.faults: FaultPlan = FaultPlan()
        self.executed: collections.Counter[str] = collections.Counter()
        self.requests: int = 0
        self.rate_limited: int = 0
        self._host = host
        self._port = port
        self._token = token
        self._seed = seed
        rng = random.Random(seed)  # noqa: S311 - reproducible ids for tests, not security
        self._runtime = Runtime(status_polls, status_seconds, default_page_size, rng)
        self._accounts: dict[str, AccountState] = {}
        self._runner: web.ServerRunner | None = None
        self._stopping = asyncio.Event()
        self._bound: tuple[str, int] | None = None

    @property
    def base_url(self) -> str:
        """The API base URL, `http://HOST:PORT/client/v4` (available once started)."""
        if self._bound is None:
            raise RuntimeError("The emulator is not started")
        host, port = self._bound
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}{PREFIX}"

    def client(self, **client_kwargs: Any) -> cni_async.Client:  # noqa: ANN401 - Client's own
        """A `cni_async.Client` for this emulator, ready to use with an empty environment.

        It has the emulator's `base_url`, a token the emulator accepts and
        `account_id` as its default account; `client_kwargs` go to
        `cni_async.Client` and win over those (a credential given there
        replaces the token). Close it as any client (`async with`).

        ```python
        async with Emulator() as emu, emu.client(max_retries=0) as cf:
            slots = [slot async for slot in cf.slots.list(occupied=False)]
        ```
        """
        options: dict[str, Any] = {"base_url": self.base_url, "account_id": self.account_id}
        if _CREDENTIAL_ARGUMENTS.isdisjoint(client_kwargs):
            options["api_token"] = self._token or _ANY_TOKEN
        options.update(client_kwargs)
        return cni_async.Client(**options)

    @property
    def port(self) -> int:
        """The bound port (available once started)."""
        if self._bound is None:
            raise RuntimeError("The emulator is not started")
        return self._bound[1]

    async def start(self) -> None:
        """Bind the port and start serving."""
        if self._runner is not None:
            raise RuntimeError("The emulator is already started")
        self._stopping = asyncio.Event()
        runner = web.ServerRunner(
            web.Server(self._handle, access_log=None), shutdown_timeout=_SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._host, self._port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self._bound = (host, port)

    async def close(self) -> None:
        """Stop serving and close every connection; calling it again does nothing."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._stopping.set()
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        """Start serving."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop serving."""
        await self.close()

    def account(self, account_id: str) -> AccountState:
        """The state of an account, created with the seed slots on first use."""
        state = self._accounts.get(account_id)
        if state is None:
            state = AccountState.seeded(account_id, self._seed)
            self._accounts[account_id] = state
        return state

    def add_interconnects(self, account_id: str, count: int, *, prefix: str = "bulk") -> list[str]:
        """Add `count` GCP partner interconnects named `{prefix}-000000` onwards.

        They need no slot and report `Healthy` at once. Returns their names.

        Raises:
            ValueError: One of the names is already taken.
        """
        state = self.account(account_id)
        names = [f"{prefix}-{index:06d}" for index in range(count)]
        taken = [name for name in names if name in state.interconnects]
        if taken:
            raise ValueError(f"Interconnect {taken[0]!r} already exists in {account_id!r}")
        now = self._runtime.now()
        for name in names:
            key = f"{self._runtime.new_uuid()}/us-west1/1"
            state.add_gcp_partner(name, "1G", key, self._runtime.new_uuid(), now)
            state.statuses[name] = StatusTrack(created=now, forced={"state": "Healthy"})
        return names

    def set_status(self, account_id: str, name: str, state: str, reason: str | None = None) -> None:
        """Make an interconnect report `state` (with `reason`, if given) from now on.

        Raises:
            KeyError: The account has no interconnect of that name.
        """
        track = self.account(account_id).statuses.get(name)
        if track is None:
            raise KeyError(f"No interconnect {name!r} in account {account_id!r}")
        forced: dict[str, object] = {"state": state}
        if reason is not None:
            forced["reason"] = reason
        track.forced = forced

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        self.requests += 1
        window = self._window
        credential = None if window is None else credential_of(request.headers)
        if window is None or credential is None:
            return await self._route(request)
        verdict = window.check(credential, self._runtime.now())
        if verdict.allowed:
            response = await self._route(request)
        else:
            self.rate_limited += 1
            message = "Please wait and consider throttling your request speed"
            response = error_response(ApiError(429, message, code=971))
        response.headers.update(verdict.headers)
        return response

    async def _route(self, request: web.BaseRequest) -> web.StreamResponse:
        match = resolve(request.rel_url.raw_path, request.method)
        fault = self.faults.take(match, request.method)
        if fault is None:
            return await self._answer(request, match)
        return await self._inject(request, match, fault)

    async def _inject(
        self, request: web.BaseRequest, match: Match, fault: Injection
    ) -> web.StreamResponse:
        if fault.delay and await self._stopped_during(fault.delay):
            return drop(request)
        if fault.status is not None:
            headers = {} if fault.retry_after is None else {"Retry-After": fault.retry_after}
            phrase = status_phrase(fault.status)
            return error_response(ApiError(fault.status, phrase, headers=headers))
        if fault.drop == "before":
            return drop(request)
        response = await self._answer(request, match)
        if fault.drop == "after":
            return drop(request)
        return malformed(response, fault.body) if fault.malformed else response

    async def _stopped_during(self, delay: float) -> bool:
        """Sleep `delay` seconds; True if the emulator began closing meanwhile."""
        try:
            await asyncio.wait_for(self._stopping.wait(), delay)
        except asyncio.TimeoutError:
            return False
        return True

    async def _answer(self, request: web.BaseRequest, match: Match) -> web.Response:
        try:
            authenticate(request.headers, self._token)
            route, account_id = _routed(match)
            body = await _read_body(request)
            call = Call(self._runtime, self.account(account_id), match.params, request.query, body)
            self.executed[route.operation] += 1
            reply = route.handler(call)
        except ApiError as exc:
            return error_response(exc)
        except Exception:  # noqa: BLE001 - an emulator bug still gets a v4 answer
            where = match.route.operation if match.route is not None else "routing"
            _LOG.exception("Emulator failure in %s", where)
            return error_response(ApiError(500, "Internal server error"))
        return web.Response(body=reply.body, content_type=reply.content_type, headers=ray())


def _window(requests: int, per: float) -> Window:
    if requests < 1 or not per > 0:
        raise ValueError("rate_limit must be (requests >= 1, per_seconds > 0)")
    return Window(requests, float(per))


def _routed(match: Match) -> tuple[Route, str]:
    if match.route is None or match.account_id is None:
        if match.allowed:
            allow = ", ".join(match.allowed)
            raise ApiError(405, "Method not allowed", headers={"Allow": allow})
        raise ApiError(404, "No route for that URI", code=7003)
    return match.route, match.account_id


async def _read_body(request: web.BaseRequest) -> bytes:
    if request.method not in _BODY_METHODS:
        return b""
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "Request body too large") from None
