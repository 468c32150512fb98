"""Every kind of success body validates against the response schemas of the OpenAPI document."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conformance._openapi import OpenAPI, document_path

ACCOUNT = "acc-1"


def _checker() -> Checker:
    pytest.importorskip("jsonschema")
    pytest.importorskip("referencing")
    return Checker(OpenAPI(json.loads(document_path().read_text(encoding="utf-8"))))


class Checker:
    """Each body against its operation's 200 schema, by the conformance tests' checker."""

    def __init__(self, openapi: OpenAPI) -> None:
        self.openapi = openapi
        self.checked: set[str] = set()

    def json_operations(self) -> set[str]:
        return {op_id for op_id, op in self.openapi.operations.items() if op.response_pointer}

    def __call__(self, operation_id: str, body: Any) -> None:
        pointer = self.openapi.operations[operation_id].response_pointer
        assert pointer is not None, operation_id
        problems = self.openapi.schema_problems(pointer, body)
        assert not problems, f"{operation_id}: {problems}"
        self.checked.add(operation_id)


async def test_success_bodies_match_the_openapi_schemas(api):
    """Every JSON success body (all operations, both interconnect kinds, all states) validates."""
    check = _checker()
    emu = api.emu
    empty = await api.ok("GET", "interconnects")
    check("list_interconnects", empty)
    physical = await api.physical()
    check("create_interconnect", physical)
    gcp = await api.gcp()
    check("create_interconnect", gcp)
    emu.add_interconnects(ACCOUNT, 3)
    check("list_interconnects", await api.ok("GET", "interconnects", params={"limit": "2"}))
    check("list_interconnects", await api.ok("GET", "interconnects", params={"cursor": "2"}))
    for icon in (physical, gcp):
        check("get_interconnect", await api.ok("GET", "interconnects", icon["name"]))
    states = set()
    for state, reason in (("Down", "fibre cut"), ("Unhealthy", None), ("Pending", None)):
        status = await api.ok("GET", "interconnects", physical["name"], "status")
        states.add(status["state"])
        check("get_interconnect_status", status)
        emu.set_status(ACCOUNT, physical["name"], state, reason)
        status = await api.ok("GET", "interconnects", physical["name"], "status")
        states.add(status["state"])
        check("get_interconnect_status", status)
    check("get_interconnect_status", await api.ok("GET", "interconnects", "bulk-000000", "status"))
    assert states == {"Pending", "Down", "Unhealthy"}
    bgp = {"customer_asn": 65000, "extra_prefixes": ["10.1.0.0/16"], "md5_key": "k"}
    with_bgp = await api.cni(physical["name"], "a", bgp=bgp)
    check("create_cni", with_bgp)
    check("create_cni", await api.cni(gcp["name"], "b"))
    check("get_cni", await api.ok("GET", "cnis", with_bgp["id"]))
    updated = await api.ok(
        "PUT", "cnis", with_bgp["id"], json={**with_bgp, "bgp_mode": "dynamic_route_exchange"}
    )
    check("update_cni", updated)
    check("list_cnis", await api.ok("GET", "cnis", params={"limit": "1"}))
    check("list_cnis", await api.ok("GET", "cnis"))
    check("list_slots", await api.ok("GET", "slots", params={"limit": "1000"}))
    check("get_slot", await api.ok("GET", "slots", physical["slot_id"]))
    check("get_slot", await api.free_slot())
    check("get_settings", await api.ok("GET", "settings"))
    check("update_settings", await api.ok("PUT", "settings", json={"default_asn": 4200000}))
    assert check.checked == check.json_operations()


def test_checker_catches_a_wrong_body():
    """The schema check is strict enough to reject a body of the wrong shape."""
    check = _checker()
    with pytest.raises(AssertionError):
        check("get_settings", {"default_asn": "13335"})
    with pytest.raises(AssertionError):
        check("get_interconnect", {"type": "direct", "name": "x", "account": "a"})
    with pytest.raises(AssertionError):
        check(
            "get_slot",
            {
                "id": "not-a-uuid",
                "occupied": False,
                "site": "S",
                "speed": "1G",
                "facility": {"address": [], "name": "f"},
            },
        )
