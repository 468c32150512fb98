"""`openapi/cut.py`: re-cutting the vendored subset from a full upstream document."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "openapi"
sys.path.insert(0, str(HERE))
import cut  # noqa: E402 - the script beside the document, not a package

VENDORED = json.loads((HERE / "cni-openapi.json").read_text(encoding="utf-8"))
COMMIT = VENDORED["info"]["x-source"]["commit"]
ANDED = [{"api_email": [], "api_key": [], "api_token": []}]


def upstream_like() -> dict:
    """A 'full' document as the source has it: the CNI subset among other paths and
    components, with both authoring errors that the cut corrects put back."""
    full = copy.deepcopy(VENDORED)
    full["info"] = {"title": "Cloudflare API", "version": "4.0.0"}
    for item in full["paths"].values():
        for op in item.values():
            op["security"] = ANDED
    bgp = full["components"]["schemas"]["nsc_BgpControl"]["properties"]["extra_prefixes"]
    bgp["example"] = "192.168.3.4/31"
    full["paths"]["/zones/{zone_id}/dns_records"] = {
        "get": {
            "operationId": "dns-records-list",
            "tags": ["DNS Records"],
            "security": ANDED,
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/dns_Record"}}
                    },
                }
            },
        }
    }
    full["paths"]["/accounts/{account_id}/magic/cf_interconnects"] = {"get": {"tags": ["Magic"]}}
    full["components"]["schemas"]["dns_Record"] = {
        "type": "object",
        "properties": {"ttl": {"$ref": "#/components/schemas/dns_Ttl"}},
    }
    full["components"]["schemas"]["dns_Ttl"] = {"type": "integer"}
    full["components"]["securitySchemes"]["oauth"] = {"type": "oauth2", "flows": {}}
    full["tags"] = [*full["tags"], {"name": "DNS Records"}, {"name": "Magic"}]
    return full


def test_cutting_a_full_document_gives_the_vendored_subset():
    """Only the CNI paths and what they reference survive, both fixes applied: the vendored copy."""
    subset = cut.cut(upstream_like(), commit=COMMIT, date="2026-07-27")
    assert subset == VENDORED


def test_the_fixes_are_applied():
    """Each operation lists the schemes as alternatives; the array's example is an array."""
    subset = cut.cut(upstream_like(), commit="abc", date="2027-01-01")
    for item in subset["paths"].values():
        for op in item.values():
            assert op["security"] == VENDORED["security"]
            assert len(op["security"]) == 3
    prefixes = subset["components"]["schemas"]["nsc_BgpControl"]["properties"]["extra_prefixes"]
    assert prefixes["example"] == ["192.168.3.4/31"]
    assert subset["info"]["x-source"]["commit"] == "abc"
    assert "(2027-01-01)" in subset["info"]["description"]


def test_a_document_without_cni_paths_is_refused():
    """A file that is not Cloudflare's document fails loudly instead of writing an empty cut."""
    with pytest.raises(ValueError, match="no path starts with"):
        cut.cut({"paths": {"/zones": {}}}, commit="x", date="y")


def test_one_command_rewrites_the_document(tmp_path):
    """The documented command line writes the subset where told."""
    source, out = tmp_path / "openapi.json", tmp_path / "cni-openapi.json"
    source.write_text(json.dumps(upstream_like()), encoding="utf-8")
    command = [sys.executable, str(HERE / "cut.py"), str(source), "--commit", COMMIT]
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [*command, "--date", "2026-07-27", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "9 paths, 21 schemas" in done.stdout
    assert json.loads(out.read_text(encoding="utf-8")) == VENDORED
