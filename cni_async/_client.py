"""`Client`: credentials, account, session ownership and the four resources."""

from __future__ import annotations

import math
import os
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ._auth import resolve_credentials
from ._events import RequestHook, ResponseHook, RetryHook
from ._exceptions import ConfigurationError
from ._limits import Limits
from ._pipeline import Options, Pipeline
from ._ratelimit import RateLimit
from ._resources.cnis import CnisResource
from ._resources.interconnects import InterconnectsResource
from ._resources.settings import SettingsResource
from ._resources.slots import SlotsResource
from ._retry import RetryPolicy
from ._telemetry import load as load_telemetry
from ._transport import DeferredTransport, Headers, Transport
from ._version import __version__

if TYPE_CHECKING:
    import ssl as _ssl

    from aiohttp import ClientSession
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider
    from typing_extensions import Self  # typing.Self is 3.11+; only checkers read it

__all__ = ["Client"]

DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4"
DEFAULT_MAX_RETRIES = 2
DEFAULT_MAX_RESPONSE_SIZE = 16 * 1024 * 1024
USER_AGENT = f"cni-async/{__version__}"


class Client:
    """An async client for Cloudflare's Network Interconnects API.

    ```python
    async with cni_async.Client(api_token="...", account_id="...") as cf:
        names = [icon.name async for icon in cf.interconnects.list()]
    ```

    Args:
        api_token: an API token, sent as `Authorization: Bearer` (env `CLOUDFLARE_API_TOKEN`).
        api_key: a global API key, with `api_email` (env `CLOUDFLARE_API_KEY`).
        api_email: the account e-mail that goes with `api_key` (env `CLOUDFLARE_EMAIL`).
        user_service_key: an Origin CA key (env `CLOUDFLARE_API_USER_SERVICE_KEY`).
        account_id: the default account of every call (env `CLOUDFLARE_ACCOUNT_ID`);
            each method's `account_id=` wins over it.
        base_url: the API root (env `CLOUDFLARE_BASE_URL`), default
            `https://api.cloudflare.com/client/v4`; a trailing slash is fine.
        timeout: seconds for one attempt of one request, from getting a connection
            to the last byte of the answer (connecting: at most 10 s of it).
        max_retries: retries after the first attempt (default 2); 0 turns retries
            off. Give this or `retry`, not both.
        retry: the full retry policy (`RetryPolicy`), instead of `max_retries`.
        deadline: seconds a whole call may take, every attempt and wait included;
            past it the call raises `APITimeoutError`. None (default): no bound.
        session: an `aiohttp.ClientSession` you own and close; the client never
            closes it. Without one the client makes its own, in the running loop,
            and closes it on `async with` exit or `aclose()`.
        max_connections: the most connections open at once on the client's own session.
        pool_timeout: the longest a request waits for a free connection (None, the
            default: as long as its deadline allows). A request that never got a
            connection was never sent, so even a create may be retried.
        max_concurrency: the most requests in flight at once, across all tasks.
        rate_limit: a client-side budget shared by all tasks, e.g.
            `RateLimit.cloudflare()` (1,200 requests per 300 s), or by all
            processes with `RateLimit.cloudflare(redis_url=...)`. Off by default.
        max_response_size: the most bytes of a response body the client reads
            (decoded; default 16 MiB, far above any real page or LOA). Past it the
            call raises `APIResponseValidationError` and the connection is dropped.
        ssl: an `ssl.SSLContext` for the API's certificate (a private CA, a client
            certificate). Certificates are always verified; a failure is not retried.
        proxy: an `http://` proxy URL for every request. Default: from the
            environment (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, honouring
            `NO_PROXY`) when `trust_env` is true, as Cloudflare's own SDK does.
        trust_env: read the proxy from the environment (default True); read once,
            when the client is made.
        on_retry: called with a `RetryEvent` before each retry.
        on_request: called with a `RequestEvent` before each attempt is sent.
        on_response: called with a `ResponseEvent` after each attempt.
        tracer_provider: the OpenTelemetry `TracerProvider` of the client's spans
            (default: the global one). Needs the `otel` extra.
        meter_provider: the OpenTelemetry `MeterProvider` of the
            `http.client.request.duration` histogram (default: the global one).

    With OpenTelemetry installed (`pip install 'cni-async[otel]'`), each call is
    an INTERNAL span named after it (`cni.interconnects.get`) with a CLIENT span
    per HTTP attempt beneath it; see "Traces and metrics" in the docs.

    Hooks may be plain functions or coroutine functions; what they return is
    awaited when it is awaitable. The client also slows down by itself when the
    API's `Ratelimit` response headers say its budget is spent, whenever
    `rate_limit` or `max_concurrency` is set.

    Exactly one credential scheme must be given, explicitly or in the environment;
    explicit arguments always beat the environment.
    """

    def __init__(  # noqa: C901 - each check is one line; they read best in a row
        self,
        *,
        api_token: str | None = None,
        api_key: str | None = None,
        api_email: str | None = None,
        user_service_key: str | None = None,
        account_id: str | None = None,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        deadline: float | None = None,
        session: ClientSession | None = None,
        max_connections: int = 100,
        pool_timeout: float | None = None,
        max_concurrency: int | None = None,
        rate_limit: RateLimit | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        ssl: _ssl.SSLContext | None = None,
        proxy: str | None = None,
        trust_env: bool = True,
        on_retry: RetryHook | None = None,
        on_request: RequestHook | None = None,
        on_response: ResponseHook | None = None,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
    ) -> None:
        env = os.environ
        credentials = resolve_credentials(
            api_token=api_token,
            api_key=api_key,
            api_email=api_email,
            user_service_key=user_service_key,
            environ=env,
        )
        if account_id is None:
            account_id = env.get("CLOUDFLARE_ACCOUNT_ID") or None
        if account_id is not None and (not isinstance(account_id, str) or not account_id):
            raise ConfigurationError("account_id must be a non-empty string")
        base_url = base_url or env.get("CLOUDFLARE_BASE_URL") or DEFAULT_BASE_URL
        _check_base_url(base_url)
        timeout = _seconds(timeout, "timeout")
        if pool_timeout is not None:
            pool_timeout = _seconds(pool_timeout, "pool_timeout")
        if retry is not None and max_retries is not None:
            msg = "give max_retries or retry, not both (retry=RetryPolicy(attempts=...))"
            raise ConfigurationError(msg)
        if retry is None:
            retries = DEFAULT_MAX_RETRIES if max_retries is None else max_retries
            if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
                raise ConfigurationError(f"max_retries must be an int >= 0, got {retries!r}")
            retry = RetryPolicy(attempts=retries + 1)
        for name, value in (
            ("max_connections", max_connections),
            ("max_concurrency", max_concurrency),
            ("max_response_size", max_response_size),
        ):
            if value is not None and (type(value) is not int or value < 1):
                raise ConfigurationError(f"{name} must be an int >= 1, got {value!r}")
        if session is not None:
            from ._aiohttp import ClientSession  # the caller has aiohttp imported already

            if not isinstance(session, ClientSession):
                raise ConfigurationError("session must be an aiohttp.ClientSession")
        if ssl is not None and not _is_ssl_context(ssl):
            raise ConfigurationError("ssl must be an ssl.SSLContext")
        proxy = _proxy(proxy, base_url, trust_env=trust_env)
        headers = Headers(
            {"User-Agent": USER_AGENT, "Accept": "application/json", **credentials.headers}
        )

        def aiohttp_transport() -> Transport:
            from ._aiohttp import AiohttpTransport  # aiohttp is imported on first use

            return AiohttpTransport(
                session,
                default_headers=headers,
                timeout=timeout,
                max_connections=max_connections,
                max_response_size=max_response_size,
                ssl=ssl,
                proxy=proxy,
            )

        self._scheme = credentials.scheme
        self._owner = True  # False on the clients `with_options` makes: they share this one's
        self._transport: Transport = DeferredTransport(aiohttp_transport)
        limits = (
            Limits(rate_limit, max_concurrency, auth_headers=credentials.headers)
            if rate_limit is not None or max_concurrency is not None
            else None
        )
        self._limits = limits
        self._pipeline = Pipeline(
            self._transport,
            base_url=base_url,
            headers=headers,
            account_id=account_id,
            options=_options(retry, deadline, on_retry, on_request, on_response),
            limits=limits,
            timeout=timeout,
            pool_timeout=pool_timeout,
            telemetry=load_telemetry(tracer_provider, meter_provider, base_url),
        )
        self._bind()

    def _bind(self) -> None:
        self.interconnects: InterconnectsResource = InterconnectsResource(self._pipeline)
        self.cnis: CnisResource = CnisResource(self._pipeline)
        self.slots: SlotsResource = SlotsResource(self._pipeline)
        self.settings: SettingsResource = SettingsResource(self._pipeline)

    def with_options(
        self,
        *,
        retry: RetryPolicy | None = None,
        deadline: float | None = None,
        on_retry: RetryHook | None = None,
        on_request: RequestHook | None = None,
        on_response: ResponseHook | None = None,
    ) -> Client:
        """This client with other per-call options, for the calls made through it.

        The copy shares the session, credentials, account, rate limit and
        concurrency cap; options left unset keep this client's values. Closing
        the copy (`async with` exit, `aclose()`) leaves the session open: only
        the client that made it closes it.

        ```python
        urgent = cf.with_options(deadline=5, retry=cni_async.RetryPolicy(attempts=2))
        icon = await urgent.interconnects.get("sjc-1")
        ```
        """
        current = self._pipeline.options
        options = _options(
            retry or current.retry,
            current.deadline if deadline is None else deadline,
            on_retry or current.on_retry,
            on_request or current.on_request,
            on_response or current.on_response,
        )
        clone = object.__new__(Client)
        clone.__dict__.update(self.__dict__)
        clone._owner = False
        clone._pipeline = self._pipeline.derive(options)
        clone._bind()
        return clone

    @property
    def account_id(self) -> str | None:
        """The default account id of every call."""
        return self._pipeline.account_id

    @property
    def base_url(self) -> str:
        """The API root every path is appended to (no trailing slash)."""
        return self._pipeline.base_url

    @property
    def retry(self) -> RetryPolicy:
        """The client's retry policy."""
        return self._pipeline.options.retry

    @property
    def deadline(self) -> float | None:
        """Seconds each call may take in all, attempts and waits included (None: no bound)."""
        return self._pipeline.options.deadline

    @property
    def closed(self) -> bool:
        """Whether the client (or, for a `with_options` copy, its origin) was closed."""
        return self._transport.closed

    def __repr__(self) -> str:
        return (
            f"<cni_async.Client base_url={self.base_url!r} account_id={self.account_id!r} "
            f"auth={self._scheme}{' closed' if self.closed else ''}>"
        )

    async def __aenter__(self) -> Self:
        self._transport.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client's own session (never a borrowed one); further calls raise.

        On a `with_options` copy this does nothing: the session (and a shared rate
        limit's Redis connections) are its origin's. A shared rate limit's Redis
        connections are closed too.
        """
        if self._owner:
            await self._transport.aclose()
            if self._limits is not None:
                await self._limits.aclose()


def _check_base_url(base_url: object) -> None:
    """An http(s) URL without user:password@ (credentials go in their own arguments)."""
    if not isinstance(base_url, str):
        raise ConfigurationError(f"base_url must be a string, not {type(base_url).__name__}")
    parts = urlsplit(base_url)
    if "@" in parts.netloc:
        # Not echoed: the part before @ is a secret.
        msg = "base_url must not carry credentials (user:password@); pass api_token= instead"
        raise ConfigurationError(msg)
    if not base_url.startswith(("http://", "https://")):
        msg = f"base_url must start with http:// or https://, got {base_url!r}"
        raise ConfigurationError(msg)
    try:
        _ = parts.port  # aiohttp would refuse it with a bare ValueError on the first call
    except ValueError:
        raise ConfigurationError(f"base_url has an invalid port: {base_url!r}") from None


def _seconds(value: object, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not (value > 0 and math.isfinite(value))
    ):
        raise ConfigurationError(f"{name} must be a positive number of seconds, got {value!r}")
    return float(value)


def _is_ssl_context(value: object) -> bool:
    import ssl

    return isinstance(value, ssl.SSLContext)


def _proxy(proxy: object, base_url: str, *, trust_env: bool) -> str | None:
    """The proxy every request goes through: the one given, else the environment's, else none.

    The environment is read once, here: `HTTPS_PROXY` (or `HTTP_PROXY`) for the
    base URL's scheme, else `ALL_PROXY`, unless `NO_PROXY` names its host.
    """
    if proxy is None and trust_env:
        import urllib.request

        found = urllib.request.getproxies_environment()
        parts = urlsplit(base_url)
        if _bypassed(parts.hostname or "", found.get("no", "")):
            return None
        proxy = found.get(parts.scheme) or found.get("all")
    if proxy is None:
        return None
    if not isinstance(proxy, str) or not proxy.startswith(("http://", "https://")):
        # Not echoed: a proxy URL may carry its own user:password@.
        msg = "proxy must be an http:// or https:// URL (aiohttp speaks no other proxy protocol)"
        raise ConfigurationError(msg)
    return proxy


def _bypassed(host: str, no_proxy: str) -> bool:
    """Whether `NO_PROXY` (comma-separated hosts, `.domain` suffixes, or `*`) names `host`."""
    host = host.lower()
    for entry in no_proxy.lower().replace(" ", "").split(","):
        name = (entry.rsplit(":", 1)[0] if entry.count(":") == 1 else entry).lstrip(".")
        if entry == "*" or (name and (host == name or host.endswith("." + name))):
            return True
    return False


def _options(
    retry: RetryPolicy,
    deadline: float | None,
    on_retry: RetryHook | None,
    on_request: RequestHook | None,
    on_response: ResponseHook | None,
) -> Options:
    if not isinstance(retry, RetryPolicy):
        raise ConfigurationError("retry must be a cni_async.RetryPolicy")
    if deadline is not None:
        deadline = _seconds(deadline, "deadline")
    return Options(retry, deadline, on_retry, on_request, on_response)
