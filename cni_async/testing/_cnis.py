"""Handlers of the CNI operations."""

from __future__ import annotations

import ipaddress
from typing import Any, cast

from cni_async.testing._errors import ApiError, bad_request, not_found
from cni_async.testing._http import Call, Reply, json_reply, paginate
from cni_async.testing._validate import (
    BGP_MODES,
    canonical_uuid,
    check_cidr,
    check_md5_key,
    optional_object,
    optional_str,
    parse_json_object,
    require_int,
    require_object,
    require_str,
    require_uuid_path,
)


def _magic(body: dict[str, Any]) -> dict[str, Any]:
    magic = require_object(body, "magic")
    return {
        "conduit_name": require_str(magic, "conduit_name", "magic"),
        "description": require_str(magic, "description", "magic"),
        "mtu": require_int(magic, "mtu", "magic"),
    }


def _bgp(body: dict[str, Any]) -> dict[str, Any] | None:
    bgp = optional_object(body, "bgp")
    if bgp is None:
        return None
    prefixes = bgp.get("extra_prefixes")
    if not isinstance(prefixes, list):
        raise bad_request("Field bgp.extra_prefixes is required and must be an array")
    result: dict[str, Any] = {
        "customer_asn": require_int(bgp, "customer_asn", "bgp"),
        "extra_prefixes": [
            check_cidr(prefix, f"bgp.extra_prefixes[{index}]")
            for index, prefix in enumerate(cast("list[object]", prefixes))
        ],
    }
    md5_key = optional_str(bgp, "md5_key", "bgp")
    if md5_key is not None:
        result["md5_key"] = check_md5_key(md5_key, "bgp.md5_key")
    return result


def _common(call: Call, body: dict[str, Any]) -> dict[str, Any]:
    """The fields shared by create and update bodies, validated."""
    account = require_str(body, "account")
    if account != call.account.account_id:
        raise bad_request("Field account does not match the account id of the path")
    interconnect = require_str(body, "interconnect")
    if interconnect not in call.account.interconnects:
        raise bad_request(f"Interconnect not found: {interconnect}")
    fields: dict[str, Any] = {
        "account": account,
        "interconnect": interconnect,
        "magic": _magic(body),
    }
    bgp = _bgp(body)
    if bgp is not None:
        fields["bgp"] = bgp
    return fields


def _check_name_free(call: Call, conduit_name: str, own_id: str | None = None) -> None:
    for cni_id, cni in call.account.cnis.items():
        if cni_id != own_id and cni["magic"]["conduit_name"] == conduit_name:
            raise ApiError(409, "Name Conflict")


def _cni(call: Call) -> dict[str, Any]:
    cni_id = require_uuid_path(call.params["cni"], "CNI")
    cni = call.account.cnis.get(cni_id)
    if cni is None:
        raise not_found("CNI not found")
    return cni


def _slot_of(interconnects: dict[str, dict[str, Any]], name: str) -> object:
    return interconnects.get(name, {}).get("slot_id")


def list_cnis(call: Call) -> Reply:
    """GET /cnis, filtered by `slot` and `tunnel_id` (matched against `magic.conduit_name`)."""
    slot = call.query.get("slot")
    tunnel_id = call.query.get("tunnel_id")
    slot_id = canonical_uuid(slot) if slot is not None else None
    interconnects = call.account.interconnects
    items = [
        cni
        for cni in call.account.cnis.values()
        if (
            slot is None
            or (slot_id is not None and _slot_of(interconnects, cni["interconnect"]) == slot_id)
        )
        and (tunnel_id is None or cni["magic"]["conduit_name"] == tunnel_id)
    ]
    return paginate(call, items)


def create_cni(call: Call) -> Reply:
    """POST /cnis: assigns an id and the next free /31 of 100.64.0.0/10."""
    fields = _common(call, parse_json_object(call.body))
    _check_name_free(call, fields["magic"]["conduit_name"])
    p2p_ip, cust_ip = call.account.allocate_link()
    cni_id = call.runtime.new_uuid()
    cni = {"id": cni_id, **fields, "p2p_ip": p2p_ip, "cust_ip": cust_ip}
    call.account.cnis[cni_id] = cni
    return json_reply(cni)


def get_cni(call: Call) -> Reply:
    """GET /cnis/{cni}."""
    return json_reply(_cni(call))


def update_cni(call: Call) -> Reply:
    """PUT /cnis/{cni}: full replacement; `id` must repeat the path id."""
    cni_id = _cni(call)["id"]
    body = parse_json_object(call.body)
    if canonical_uuid(require_str(body, "id")) != cni_id:
        raise bad_request("Field id does not match the CNI id of the path")
    fields = _common(call, body)
    p2p_ip = check_cidr(body.get("p2p_ip"), "p2p_ip")
    cust_ip = check_cidr(body.get("cust_ip"), "cust_ip")
    if ipaddress.IPv4Interface(cust_ip).ip not in ipaddress.IPv4Interface(p2p_ip).network:
        raise bad_request("Field cust_ip must be inside the same prefix as p2p_ip")
    bgp_mode = optional_str(body, "bgp_mode")
    if bgp_mode is not None and bgp_mode not in BGP_MODES:
        raise bad_request(f"Field bgp_mode must be one of {', '.join(BGP_MODES)}")
    _check_name_free(call, fields["magic"]["conduit_name"], own_id=cni_id)
    cni = {"id": cni_id, **fields, "p2p_ip": p2p_ip, "cust_ip": cust_ip}
    if bgp_mode is not None:
        cni["bgp_mode"] = bgp_mode
    call.account.cnis[cni_id] = cni
    return json_reply(cni)


def delete_cni(call: Call) -> Reply:
    """DELETE /cnis/{cni}."""
    del call.account.cnis[_cni(call)["id"]]
    return Reply()
