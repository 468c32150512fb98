"""Handlers of the slot and settings operations."""

from __future__ import annotations

from typing import Any

from cni_async.testing._errors import not_found
from cni_async.testing._http import Call, Reply, json_reply, paginate
from cni_async.testing._validate import (
    parse_json_object,
    query_bool,
    require_int,
    require_uuid_path,
)


def _address_matches(slot: dict[str, Any], needle: str | None) -> bool:
    if needle is None:
        return True
    folded = needle.casefold()
    return any(folded in line.casefold() for line in slot["facility"]["address"])


def list_slots(call: Call) -> Reply:
    """GET /slots, filtered by `address_contains`, `site`, `speed` and `occupied`."""
    query = call.query
    occupied = query_bool(query, "occupied")
    site = query.get("site")
    speed = query.get("speed")
    needle = query.get("address_contains")
    items = [
        slot
        for slot in call.account.slots.values()
        if (site is None or slot["site"] == site)
        and (speed is None or slot["speed"] == speed)
        and (occupied is None or slot["occupied"] == occupied)
        and _address_matches(slot, needle)
    ]
    return paginate(call, items)


def get_slot(call: Call) -> Reply:
    """GET /slots/{slot}."""
    slot = call.account.slots.get(require_uuid_path(call.params["slot"], "Slot"))
    if slot is None:
        raise not_found("Slot not found")
    return json_reply(slot)


def get_settings(call: Call) -> Reply:
    """GET /settings."""
    return json_reply({"default_asn": call.account.default_asn})


def update_settings(call: Call) -> Reply:
    """PUT /settings: `{"default_asn": int | null}`; absent or null leaves it unchanged."""
    body = parse_json_object(call.body)
    default_asn = require_int(body, "default_asn", nullable=True)
    if default_asn is not None:
        call.account.default_asn = default_asn
    return json_reply({"default_asn": call.account.default_asn})
