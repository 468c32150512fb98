"""Handlers of the interconnect operations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cni_async.testing._errors import bad_request, not_found
from cni_async.testing._http import Call, Reply, json_reply, paginate
from cni_async.testing._pdf import render_pdf
from cni_async.testing._validate import (
    BANDWIDTHS,
    canonical_uuid,
    optional_str,
    parse_json_object,
    require_str,
)

_MAX_LOA_NAME = 200
_GCP_FIELDS = ("bandwidth", "pairing_key")


def list_interconnects(call: Call) -> Reply:
    """GET /interconnects, filtered by `site` and `type`."""
    site = call.query.get("site")
    kind = call.query.get("type")
    items = [
        icon
        for icon in call.account.interconnects.values()
        if (site is None or icon.get("site") == site) and (kind is None or icon["type"] == kind)
    ]
    return paginate(call, items)


def create_interconnect(call: Call) -> Reply:
    """POST /interconnects: a direct (slot) or GCP partner interconnect."""
    body = parse_json_object(call.body)
    account = require_str(body, "account")
    if account != call.account.account_id:
        raise bad_request("Field account does not match the account id of the path")
    kind = require_str(body, "type")
    physical = "slot_id" in body
    gcp = any(key in body for key in _GCP_FIELDS)
    if physical and gcp:
        raise bad_request(
            "Body matches both interconnect shapes: give slot_id (direct) "
            "or bandwidth and pairing_key (gcp_partner), not both"
        )
    if not physical and not gcp:
        raise bad_request(
            "Body matches no interconnect shape: give slot_id (direct) "
            "or bandwidth and pairing_key (gcp_partner)"
        )
    expected = "direct" if physical else "gcp_partner"
    if kind != expected:
        raise bad_request(f"Field type must be {expected!r} for this body, got {kind!r}")
    runtime = call.runtime
    if physical:
        slot = _free_slot(call, require_str(body, "slot_id"))
        speed = optional_str(body, "speed") or slot["speed"]
        name = call.account.new_interconnect_name(slot["site"].lower())
        record = call.account.add_physical(name, slot, speed, runtime.new_uuid(), runtime.now())
    else:
        bandwidth = body.get("bandwidth")
        if bandwidth not in BANDWIDTHS:
            raise bad_request(f"Field bandwidth must be one of {', '.join(BANDWIDTHS)}")
        pairing_key = require_str(body, "pairing_key", non_empty=True)
        name = call.account.new_interconnect_name("gcp")
        record = call.account.add_gcp_partner(
            name, bandwidth, pairing_key, runtime.new_uuid(), runtime.now()
        )
    return json_reply(record)


def _free_slot(call: Call, slot_id: str) -> dict[str, Any]:
    canonical = canonical_uuid(slot_id)
    if canonical is None:
        raise bad_request("Field slot_id must be a UUID")
    slot = call.account.slots.get(canonical)
    if slot is None:
        raise bad_request(f"Slot not found: {canonical}")
    if slot["occupied"]:
        raise bad_request(f"Slot occupied: {canonical}")
    return slot


def _interconnect(call: Call) -> dict[str, Any]:
    record = call.account.interconnects.get(call.params["icon"])
    if record is None:
        raise not_found("Interconnect not found")
    return record


def get_interconnect(call: Call) -> Reply:
    """GET /interconnects/{icon}."""
    return json_reply(_interconnect(call))


def delete_interconnect(call: Call) -> Reply:
    """DELETE /interconnects/{icon}; refused while CNIs still use the interconnect."""
    record = _interconnect(call)
    hosted = call.account.cnis_on(record["name"])
    if hosted:
        raise bad_request(
            f"Interconnect still hosts {len(hosted)} CNI(s); delete them first: {', '.join(hosted)}"
        )
    call.account.remove_interconnect(record["name"])
    return Reply()


def get_interconnect_status(call: Call) -> Reply:
    """GET /interconnects/{icon}/status: Pending for a while, then Healthy."""
    record = _interconnect(call)
    track = call.account.statuses[record["name"]]
    if track.forced is not None:
        return json_reply(track.forced)
    track.polls += 1
    runtime = call.runtime
    if runtime.status_seconds is not None:
        pending = runtime.now() - track.created < runtime.status_seconds
    else:
        pending = track.polls <= runtime.status_polls
    return json_reply({"state": "Pending" if pending else "Healthy"})


def get_interconnect_loa(call: Call) -> Reply:
    """GET /interconnects/{icon}/loa: a one-page PDF letter of authorization."""
    record = _interconnect(call)
    name = call.query.get("name") or None
    if name is not None and len(name) > _MAX_LOA_NAME:
        raise bad_request(f"Query parameter name must be at most {_MAX_LOA_NAME} characters")
    lines = [
        "Letter of Authorization and Connecting Facility Assignment",
        "",
        f"Issued to: {name or record['account']}",
        f"Account: {record['account']}",
        f"Interconnect: {record['name']}",
        f"Type: {record['type']}",
    ]
    if "facility" in record:
        lines += [
            f"Site: {record['site']}",
            f"Facility: {record['facility']['name']}",
            *(f"    {line}" for line in record["facility"]["address"]),
            f"Slot: {record['slot_id']}",
        ]
    else:
        lines.append(f"Region: {record['region']}")
    lines += [
        f"Speed: {record.get('speed', '')}",
        "",
        f"Date: {dt.datetime.now(dt.timezone.utc).date().isoformat()}",
        "Generated by the cni_async emulator; not valid for ordering a cross-connect.",
    ]
    title = f"LOA {record['name']}"
    return Reply(render_pdf(title, lines), "application/pdf")
