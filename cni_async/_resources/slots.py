"""`cf.slots`: the facility ports where direct interconnects can be made (read-only)."""

from __future__ import annotations

from .. import _validate
from .._models import Slot
from .._pagination import Paginator
from .._routes import Route
from ._base import Resource

_LIST = Route("GET", "/accounts/{account_id}/cni/slots", "slots.list")
_GET = Route(
    "GET",
    "/accounts/{account_id}/cni/slots/{slot}",
    "slots.get",
    uuid_ids=frozenset({"slot"}),
    arguments=(("slot", "slot_id"),),
)


class SlotsResource(Resource):
    """Slots: ports in Cloudflare facilities, free or occupied."""

    __slots__ = ()

    def list(
        self,
        *,
        address_contains: str | None = None,
        site: str | None = None,
        speed: str | None = None,
        occupied: bool | None = None,
        limit: int | None = None,
        cursor: int | None = None,
        account_id: str | None = None,
    ) -> Paginator[Slot]:
        """Every slot, filtered by address text, site, supported speed or occupancy."""
        filters = {
            "address_contains": _validate.optional_text(address_contains, "address_contains"),
            "site": _validate.optional_text(site, "site"),
            "speed": _validate.optional_text(speed, "speed"),
            "occupied": _validate.optional_bool(occupied, "occupied"),
        }
        return self._paginate(
            _LIST, item=Slot, account_id=account_id, filters=filters, limit=limit, cursor=cursor
        )

    async def get(self, slot_id: str, *, account_id: str | None = None) -> Slot:
        """One slot by id (a UUID)."""
        pipeline = self._pipeline
        return await pipeline.request_model(
            _GET, pipeline.url(_GET, account_id, slot=slot_id), Slot
        )
