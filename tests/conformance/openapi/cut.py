"""Cut the CNI subset out of Cloudflare's full OpenAPI document (stdlib only).

    python tests/conformance/openapi/cut.py path/to/openapi.json \\
        --commit <sha of cloudflare/api-schemas> --date YYYY-MM-DD

writes `cni-openapi.json` beside this script: the `/accounts/{account_id}/cni/`
paths, every component they reference (transitively), the security schemes,
servers and tags they use, with the two authoring fixes of the source applied:

1. Each operation's `security` ANDs every scheme in one requirement object
   (token AND key AND e-mail); it becomes the document's root list, where
   each scheme is an alternative, as the API and every SDK use it.
2. An `example` that is not an array on an array schema (`extra_prefixes`
   has the string "192.168.3.4/31") is wrapped in an array.

The source is `openapi.json` of https://github.com/cloudflare/api-schemas;
see README.md beside this script for the current commit and the licence.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

PREFIX = "/accounts/{account_id}/cni/"
HERE = Path(__file__).resolve().parent
_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
_REF = re.compile(r"^#/components/(\w+)/(.+)$")


def cut(full: dict[str, Any], *, commit: str, date: str) -> dict[str, Any]:
    """The CNI subset of `full`, fixed and labelled with its origin."""
    paths = {path: item for path, item in full["paths"].items() if path.startswith(PREFIX)}
    if not paths:
        raise ValueError(f"no path starts with {PREFIX}: is this Cloudflare's openapi.json?")
    root_security = full.get("security", [])
    components = full.get("components", {})
    kept: dict[str, dict[str, Any]] = {}
    _collect(paths, components, kept)
    schemes_used = {
        name
        for item in paths.values()
        for op in _operations(item)
        for r in op.get("security", [])
        for name in r
    } | {name for requirement in root_security for name in requirement}
    schemes = components.get("securitySchemes", {})
    kept["securitySchemes"] = {n: schemes[n] for n in sorted(schemes_used) if n in schemes}
    alternatives = [r for r in root_security if set(r) <= set(kept["securitySchemes"])]
    for item in paths.values():
        for op in _operations(item):
            if len(op.get("security", [])) == 1 and len(op["security"][0]) > 1:
                op["security"] = alternatives  # fix 1: alternatives, not one AND
    _fix_array_examples(paths)
    _fix_array_examples(kept)
    tag_names = {
        t for item in paths.values() for op in _operations(item) for t in op.get("tags", [])
    }
    tags = [tag for tag in full.get("tags", []) if tag.get("name") in tag_names]
    tags += [{"name": n} for n in sorted(tag_names - {tag.get("name") for tag in tags})]
    return {
        "openapi": full.get("openapi", "3.0.3"),
        "info": _info(commit, date, _verbatim(kept.get("schemas", {}))),
        "servers": full.get("servers", []),
        "security": alternatives,
        "tags": sorted(tags, key=lambda tag: tag["name"]),
        "paths": dict(sorted(paths.items())),
        "components": {kind: dict(sorted(items.items())) for kind, items in sorted(kept.items())},
    }


def _verbatim(schemas: dict[str, Any]) -> int:
    """How many schemas are the source's own (not rebuilt, which `x-provenance` marks)."""
    return sum(1 for schema in schemas.values() if "x-provenance" not in schema)


def _operations(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for method, op in item.items() if method in _METHODS]


def _collect(node: object, components: dict[str, Any], kept: dict[str, dict[str, Any]]) -> None:
    """Copy into `kept` every component `node` references, and theirs in turn."""
    if isinstance(node, list):
        for value in node:
            _collect(value, components, kept)
    elif isinstance(node, dict):
        ref = node.get("$ref")
        match = _REF.match(ref) if isinstance(ref, str) else None
        if match is not None:
            kind, name = match.groups()
            if name not in kept.setdefault(kind, {}):
                target = components[kind][name]
                kept[kind][name] = target
                _collect(target, components, kept)
        for key, value in node.items():
            if key != "$ref":
                _collect(value, components, kept)


def _fix_array_examples(node: object) -> None:
    """Fix 2: an array schema's `example` is an array."""
    if isinstance(node, list):
        for value in node:
            _fix_array_examples(value)
    elif isinstance(node, dict):
        if (
            node.get("type") == "array"
            and "example" in node
            and not isinstance(node["example"], list)
        ):
            node["example"] = [node["example"]]
        for value in node.values():
            _fix_array_examples(value)


def _info(commit: str, date: str, schemas: int) -> dict[str, Any]:
    return {
        "title": "Cloudflare API - Network Interconnects (CNI) subset",
        "version": "4.0.0",
        "license": {"name": "BSD-3-Clause", "url": "https://opensource.org/licenses/BSD-3-Clause"},
        "description": (
            "Subset of the Cloudflare API v4 OpenAPI document limited to the "
            f"{PREFIX[:-1]}/ paths. Operations and {schemas} schemas are taken from "
            f"cloudflare/api-schemas openapi.json @ {commit} ({date}); schemas carrying "
            "x-provenance were rebuilt from the same document. Top-level "
            "servers/security/securitySchemes are Cloudflare's. Two authoring errors of the "
            "source are corrected here: each operation's `security` now lists the schemes as "
            "alternatives (the source ANDs them in one requirement), and the `extra_prefixes` "
            "example is an array."
        ),
        "x-source": {"repo": "cloudflare/api-schemas", "file": "openapi.json", "commit": commit},
    }


def main(argv: list[str] | None = None) -> int:
    """Read the full document, write the subset."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="Cloudflare's full openapi.json")
    parser.add_argument("--commit", required=True, help="its cloudflare/api-schemas commit")
    parser.add_argument("--date", required=True, help="that commit's date, YYYY-MM-DD")
    parser.add_argument("--out", type=Path, default=HERE / "cni-openapi.json")
    args = parser.parse_args(argv)
    full = json.loads(args.source.read_text(encoding="utf-8"))
    subset = cut(full, commit=args.commit, date=args.date)
    args.out.write_text(json.dumps(subset, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"wrote {args.out}: {len(subset['paths'])} paths, {len(subset['components'].get('schemas', {}))} schemas"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
