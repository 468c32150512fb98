"""`cf.interconnects`: list, get, create, delete, LOA and status."""

from __future__ import annotations

from .. import _validate
from .._models import (
    GcpPartnerInterconnect,
    Interconnect,
    InterconnectCreate,
    InterconnectStatus,
    PhysicalInterconnect,
)
from .._pagination import Paginator
from .._routes import Body, Route, query_string
from .._waiters import poll_status, poll_until_gone
from ._base import Resource, with_account

_LIST = Route("GET", "/accounts/{account_id}/cni/interconnects", "interconnects.list")
_CREATE = Route("POST", "/accounts/{account_id}/cni/interconnects", "interconnects.create")
_ONE = "/accounts/{account_id}/cni/interconnects/{icon}"
_GET = Route("GET", _ONE, "interconnects.get")
_DELETE = Route("DELETE", _ONE, "interconnects.delete", Body.NONE)
_LOA = Route("GET", _ONE + "/loa", "interconnects.loa", Body.PDF)
_STATUS = Route("GET", _ONE + "/status", "interconnects.status")


class InterconnectsResource(Resource):
    """Interconnects: the physical or GCP partner links between you and Cloudflare.

    `icon` is the interconnect's `name`.
    """

    __slots__ = ()

    def list(
        self,
        *,
        site: str | None = None,
        type: str | None = None,
        limit: int | None = None,
        cursor: int | None = None,
        account_id: str | None = None,
    ) -> Paginator[Interconnect]:
        """Every interconnect, optionally only at one `site` or of one `type`."""
        filters = {
            "site": _validate.optional_text(site, "site"),
            "type": _validate.optional_text(type, "type"),
        }
        return self._paginate(
            _LIST,
            item=Interconnect,
            account_id=account_id,
            filters=filters,
            limit=limit,
            cursor=cursor,
        )

    async def get(self, icon: str, *, account_id: str | None = None) -> Interconnect:
        """One interconnect by name."""
        pipeline = self._pipeline
        url = pipeline.url(_GET, account_id, icon=icon)
        return await pipeline.request_model(_GET, url, Interconnect)

    async def create(
        self, body: InterconnectCreate, *, account_id: str | None = None
    ) -> Interconnect:
        """Create a direct interconnect on a free slot, or a GCP partner one from a pairing key.

        A create is never sent twice: it is retried only when the request
        certainly did not reach the server, or on a 429. A body that leaves
        `account` out is sent with the call's account filled in.
        """
        _validate.interconnect_create(body)
        pipeline = self._pipeline
        body = with_account(body, pipeline.account(account_id))
        url = pipeline.url(_CREATE, account_id)
        return await pipeline.request_model(_CREATE, url, Interconnect, body)

    async def delete(self, icon: str, *, account_id: str | None = None) -> None:
        """Delete an interconnect by name (its slot becomes free)."""
        pipeline = self._pipeline
        url = pipeline.url(_DELETE, account_id, icon=icon)
        await pipeline.request(_DELETE, url)

    async def loa(
        self, icon: str, *, name: str | None = None, account_id: str | None = None
    ) -> bytes:
        """The Letter of Authorization as PDF bytes; `name` is printed instead of the account."""
        pipeline = self._pipeline
        query = query_string({"name": _validate.loa_name(name)})
        url = pipeline.url(_LOA, account_id, query, icon=icon)
        return await pipeline.request_pdf(_LOA, url)

    async def status(self, icon: str, *, account_id: str | None = None) -> InterconnectStatus:
        """The interconnect's health: Pending, Down, Unhealthy, Healthy (or a newer state)."""
        pipeline = self._pipeline
        url = pipeline.url(_STATUS, account_id, icon=icon)
        return await pipeline.request_model(_STATUS, url, InterconnectStatus)

    async def wait_for_status(
        self,
        icon: str | Interconnect,
        target: str = "Healthy",
        *,
        timeout: float = 600.0,
        interval: float = 2.0,
        max_interval: float = 30.0,
        allow_down_for: float = 0.0,
        account_id: str | None = None,
    ) -> InterconnectStatus:
        """Poll the status until it is `target` and return that status.

        Polls start `interval` apart and back off to `max_interval`. Raises
        `InterconnectDownError` once the interconnect has been Down or Unhealthy
        for `allow_down_for` seconds, and `WaitTimeoutError` when `timeout`
        passes; both carry the last status and its reason. Cancel-safe.

        `icon` is a name, or the `Interconnect` that `create` returned (then its
        `account` is the default account of the polls).

        The first state seen and each change are logged at INFO on the
        `cni_async` logger, with `interconnect`, `account`, `previous_state`
        (None at first), `state`, `reason`, `elapsed` (seconds) and `target` as
        attributes of the log record, for structured logs.
        """
        name, account_id = _name_and_account(icon, account_id)
        account = self._pipeline.account(account_id)
        return await poll_status(
            lambda: self.status(name, account_id=account),
            target,
            name=name,
            account=account,
            timeout=timeout,
            interval=interval,
            max_interval=max_interval,
            allow_down_for=allow_down_for,
        )

    async def wait_until_deleted(
        self,
        icon: str | Interconnect,
        *,
        timeout: float = 300.0,
        interval: float = 2.0,
        max_interval: float = 30.0,
        account_id: str | None = None,
    ) -> None:
        """Poll until the interconnect is gone (404); `WaitTimeoutError` after `timeout`.

        `icon` is a name or an `Interconnect`, as for `wait_for_status`.
        """
        name, account_id = _name_and_account(icon, account_id)
        await poll_until_gone(
            lambda: self.get(name, account_id=account_id),
            what=f"interconnect {name!r}",
            timeout=timeout,
            interval=interval,
            max_interval=max_interval,
        )


def _name_and_account(icon: str | Interconnect, account_id: str | None) -> tuple[str, str | None]:
    """A waiter's interconnect: a name (checked when sent), or a model's name and account."""
    if isinstance(icon, (PhysicalInterconnect, GcpPartnerInterconnect)):
        return icon.name, icon.account if account_id is None else account_id
    return icon, account_id
