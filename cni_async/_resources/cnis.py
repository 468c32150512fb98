"""`cf.cnis`: list, get, create, update (full replacement) and delete."""

from __future__ import annotations

from .. import _validate
from .._models import Cni, CniCreate
from .._pagination import Paginator
from .._routes import Body, Route
from .._waiters import poll_until_gone
from ._base import Resource, with_account

_ALL = "/accounts/{account_id}/cni/cnis"
_ONE = "/accounts/{account_id}/cni/cnis/{cni}"
_UUID = frozenset({"cni"})
_LIST = Route("GET", _ALL, "cnis.list")
_CREATE = Route("POST", _ALL, "cnis.create")
_BY_ID = (("cni", "cni_id"),)
_GET = Route("GET", _ONE, "cnis.get", uuid_ids=_UUID, arguments=_BY_ID)
_UPDATE = Route("PUT", _ONE, "cnis.update", uuid_ids=_UUID, arguments=(("cni", "id"),))
_DELETE = Route("DELETE", _ONE, "cnis.delete", Body.NONE, uuid_ids=_UUID, arguments=_BY_ID)


class CnisResource(Resource):
    """CNIs: the point-to-point links (with optional BGP) carried by an interconnect."""

    __slots__ = ()

    def list(
        self,
        *,
        slot: str | None = None,
        tunnel_id: str | None = None,
        limit: int | None = None,
        cursor: int | None = None,
        account_id: str | None = None,
    ) -> Paginator[Cni]:
        """Every CNI, optionally only those on one `slot` or one `tunnel_id`."""
        filters = {
            "slot": _validate.optional_text(slot, "slot"),
            "tunnel_id": _validate.optional_text(tunnel_id, "tunnel_id"),
        }
        return self._paginate(
            _LIST, item=Cni, account_id=account_id, filters=filters, limit=limit, cursor=cursor
        )

    async def get(self, cni_id: str, *, account_id: str | None = None) -> Cni:
        """One CNI by id (a UUID)."""
        pipeline = self._pipeline
        return await pipeline.request_model(_GET, pipeline.url(_GET, account_id, cni=cni_id), Cni)

    async def create(self, body: CniCreate, *, account_id: str | None = None) -> Cni:
        """Create a CNI; the API assigns its id and its /31 `p2p_ip` / `cust_ip` pair.

        A create is never sent twice; a name already taken raises `ConflictError`.
        A body that leaves `account` out is sent with the call's account filled in.
        """
        _validate.cni_create(body)
        pipeline = self._pipeline
        body = with_account(body, pipeline.account(account_id))
        return await pipeline.request_model(_CREATE, pipeline.url(_CREATE, account_id), Cni, body)

    async def update(self, cni: Cni, *, account_id: str | None = None) -> Cni:
        """Replace a CNI with `cni` (PUT to its `id`): get it, `attrs.evolve` it, update it."""
        _validate.cni(cni)
        pipeline = self._pipeline
        _validate.same_account(cni.account, pipeline.account(account_id))
        return await pipeline.request_model(
            _UPDATE, pipeline.url(_UPDATE, account_id, cni=cni.id), Cni, cni
        )

    async def delete(self, cni_id: str, *, account_id: str | None = None) -> None:
        """Delete a CNI by id."""
        pipeline = self._pipeline
        await pipeline.request(_DELETE, pipeline.url(_DELETE, account_id, cni=cni_id))

    async def wait_until_deleted(
        self,
        cni_id: str | Cni,
        *,
        timeout: float = 300.0,
        interval: float = 2.0,
        max_interval: float = 30.0,
        account_id: str | None = None,
    ) -> None:
        """Poll until the CNI is gone (404); `WaitTimeoutError` after `timeout`.

        `cni_id` is an id, or the `Cni` itself (then its `account` is the default).
        """
        if isinstance(cni_id, Cni):
            cni = cni_id
            cni_id, account_id = cni.id, cni.account if account_id is None else account_id
        await poll_until_gone(
            lambda: self.get(cni_id, account_id=account_id),
            what=f"CNI {cni_id!r}",
            timeout=timeout,
            interval=interval,
            max_interval=max_interval,
        )
