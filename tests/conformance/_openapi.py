"""Cloudflare's CNI OpenAPI document as a checker of requests and responses, and a wire recorder.

`OpenAPI` turns the OpenAPI 3.0 document into JSON Schema (draft 2020-12) once:
`nullable: true` becomes `anyOf [..., {"type": "null"}]`, `$ref`s resolve inside the
document through a `referencing` registry (nothing is ever fetched), the formats
the document uses (`uuid`, `int32`, `A.B.C.D/N`) are checked, and the OpenAPI
`discriminator` (not a JSON Schema keyword) is enforced where it has a mapping:
a body whose `type` is "direct" must also be a valid Physical body.

`Recorder` is an aiohttp `TraceConfig` that keeps every exchange a session makes,
request and response bodies included, so the SDK's real wire traffic is what is checked.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, unquote

import aiohttp
import attrs
import pytest
import yarl

VENDORED = Path(__file__).resolve().parent / "openapi" / "cni-openapi.json"
# Only a name for the registry: every `$ref` resolves in memory, nothing is fetched.
BASE_URI = "https://cni-openapi.invalid/cni-openapi.json"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})
# Query parameters newer than the stored document (SPEC@2026-07-27), sent on purpose.
NEWER_THAN_DOCUMENT = {"get_interconnect_loa": frozenset({"name"})}  # LOA ?name=, spec §8.3
_INT = re.compile(r"-?[0-9]+")
_CIDR = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}/[0-9]{1,2}")
_INT32 = (-(2**31), 2**31 - 1)


def document_path() -> Path:
    """`$CNI_OPENAPI` if set (to test another copy), else the copy vendored in this repository.

    The document is Cloudflare's own OpenAPI (`cloudflare/api-schemas`, `openapi.json`
    at commit c92b9b0f, 2026-07-27) cut to the `/accounts/{account_id}/cni/` paths;
    `openapi/README.md` beside this file gives its provenance and how to refresh it.
    """
    configured = os.environ.get("CNI_OPENAPI")
    path = Path(configured) if configured else VENDORED
    if not path.is_file():
        pytest.fail(f"CNI_OPENAPI names no file: {configured!r}")
    return path


def to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: `nullable: true` becomes an `anyOf` with null."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: to_json_schema(value) for key, value in node.items()}
    if out.pop("nullable", False) is True:
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


@attrs.frozen
class Parameter:
    name: str
    location: str
    required: bool
    pointer: str  # of its schema
    type: str | None


@attrs.frozen
class Operation:
    """One operation of the document, with JSON pointers to its schemas."""

    operation_id: str
    method: str
    template: str
    parameters: tuple[Parameter, ...]
    request_pointer: str | None
    response_pointer: str | None

    def segments(self) -> list[str]:
        return self.template.split("/")[1:]


def _format_checker(jsonschema: Any) -> Any:
    checker = jsonschema.FormatChecker()  # a copy of the standard formats (uuid among them)

    @checker.checks("int32")
    def _int32(value: object) -> bool:
        return type(value) is not int or _INT32[0] <= value <= _INT32[1]

    @checker.checks("A.B.C.D/N")
    def _cidr(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not _CIDR.fullmatch(value):
            return False
        try:
            ipaddress.IPv4Interface(value)
        except ValueError:
            return False
        return True

    return checker


def _discriminator(validator: Any, discriminator: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """OpenAPI `discriminator`: the mapped schema must hold too (unmapped values are free text)."""
    if not validator.is_type(instance, "object"):
        return
    target = discriminator.get("mapping", {}).get(instance.get(discriminator["propertyName"]))
    if target is not None:
        yield from validator.descend(instance, {"$ref": target})


class OpenAPI:
    """The document's operations, and checks of requests and responses against them."""

    def __init__(self, document: dict[str, Any]) -> None:
        import jsonschema  # the callers skip cleanly when it is missing
        from referencing import Registry
        from referencing.jsonschema import DRAFT202012

        self.document = to_json_schema(document)
        self.servers = [server["url"] for server in document.get("servers", [])]
        registry = Registry().with_resource(BASE_URI, DRAFT202012.create_resource(self.document))
        validator_class = jsonschema.validators.extend(
            jsonschema.Draft202012Validator, {"discriminator": _discriminator}
        )
        checker = _format_checker(jsonschema)

        def build(pointer: str) -> Any:
            ref = {"$ref": f"{BASE_URI}#{quote(pointer, safe='/~')}"}
            return validator_class(ref, registry=registry, format_checker=checker)

        self._build = build
        self._validators: dict[str, Any] = {}
        self.operations: dict[str, Operation] = {}
        for template, item in self.document["paths"].items():
            shared = item.get("parameters", [])
            for method, operation in item.items():
                if method not in HTTP_METHODS:
                    continue
                self.operations[operation["operationId"]] = self._operation(
                    template, method, operation, shared
                )

    def _operation(
        self, template: str, method: str, operation: dict[str, Any], shared: list[Any]
    ) -> Operation:
        base = ("paths", template, method)
        parameters = []
        for index, raw in enumerate(operation.get("parameters", [])):
            where = (*base, "parameters", str(index), "schema")
            parameters.append(self._parameter(raw, _pointer(*where)))
        for index, raw in enumerate(shared):
            where = ("paths", template, "parameters", str(index), "schema")
            parameters.append(self._parameter(raw, _pointer(*where)))
        request = None
        if "requestBody" in operation:
            assert "application/json" in operation["requestBody"]["content"]
            request = _pointer(*base, "requestBody", "content", "application/json", "schema")
        response = None
        if "application/json" in operation["responses"]["200"].get("content", {}):
            response = _pointer(*base, "responses", "200", "content", "application/json", "schema")
        return Operation(
            operation["operationId"], method.upper(), template, tuple(parameters), request, response
        )

    def _parameter(self, raw: dict[str, Any], pointer: str) -> Parameter:
        schema = raw["schema"]
        while "anyOf" in schema:  # nullable, as rewritten
            schema = schema["anyOf"][0]
        while "$ref" in schema:
            schema = self.resolve(schema["$ref"])
        return Parameter(
            raw["name"], raw["in"], raw.get("required", False), pointer, schema.get("type")
        )

    def resolve(self, ref: str) -> Any:
        node: Any = self.document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    @property
    def operation_ids(self) -> set[str]:
        return set(self.operations)

    def schema_problems(self, pointer: str, instance: Any) -> list[str]:
        """Every way `instance` breaks the schema at `pointer` (empty when it is valid)."""
        validator = self._validators.get(pointer)
        if validator is None:
            validator = self._validators[pointer] = self._build(pointer)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        return [f"{error.json_path}: {_short(error.message)}" for error in errors]

    def component_problems(self, name: str, instance: Any) -> list[str]:
        return self.schema_problems(_pointer("components", "schemas", name), instance)

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation a raw (percent-encoded) path below the server URL leads to."""
        segments = [unquote(segment) for segment in path.split("/")[1:]]
        for operation in self.operations.values():
            if operation.method != method.upper():
                continue
            pattern = operation.segments()
            if len(pattern) != len(segments):
                continue
            params = {}
            for part, segment in zip(pattern, segments, strict=True):
                if part.startswith("{"):
                    params[part[1:-1]] = segment
                elif part != segment:
                    break
            else:
                return operation, params
        return None

    def request_problems(
        self, operation: Operation, path_params: Mapping[str, str], exchange: Exchange
    ) -> list[str]:
        """Path ids, query string and JSON body of a request, against the operation."""
        return self._parameter_problems(operation, path_params, exchange.url) + self._body_problems(
            operation, exchange
        )

    def _parameter_problems(
        self, operation: Operation, path_params: Mapping[str, str], url: yarl.URL
    ) -> list[str]:
        query = url.query
        declared = {p.name for p in operation.parameters if p.location == "query"}
        allowed = declared | NEWER_THAN_DOCUMENT.get(operation.operation_id, frozenset())
        problems = [f"query {name!r} is not a parameter" for name in sorted(set(query) - allowed)]
        for parameter in operation.parameters:
            where = f"{parameter.location} {parameter.name!r}"
            if parameter.location == "path":
                raw = [path_params[parameter.name]]
            else:
                raw = query.getall(parameter.name, [])
            if len(raw) != 1:
                if raw or parameter.required:
                    problems.append(f"{where} is {'repeated' if raw else 'missing'}")
                continue
            value, problem = _typed(raw[0], parameter.type)
            if problem is not None:
                problems.append(f"{where}: {problem}")
            else:
                problems += [f"{where} {p}" for p in self.schema_problems(parameter.pointer, value)]
        return problems

    def _body_problems(self, operation: Operation, exchange: Exchange) -> list[str]:
        body = bytes(exchange.request_body)
        if operation.request_pointer is None:
            return (
                [f"a body was sent to an operation that takes none: {body[:80]!r}"] if body else []
            )
        problems = []
        content_type = exchange.request_headers.get("Content-Type", "")
        if content_type.split(";")[0].strip() != "application/json":
            problems.append(f"Content-Type is {content_type!r}, not application/json")
        try:
            data = json.loads(body)
        except ValueError:
            return [*problems, f"the body is not JSON: {body[:80]!r}"]
        return problems + [
            f"body {p}" for p in self.schema_problems(operation.request_pointer, data)
        ]

    def response_problems(self, operation: Operation, exchange: Exchange) -> list[str]:
        """A 200 response against the operation's 200 response (schema, or no JSON body)."""
        if exchange.status != 200:  # every CNI success is 200, DELETE included
            return [f"status {exchange.status}, not 200: {exchange.response_body[:200]!r}"]
        body = exchange.response_body
        content_type = (exchange.response_headers or {}).get("Content-Type", "")
        if operation.response_pointer is None:
            return []
        if content_type.split(";")[0].strip() != "application/json":
            return [f"Content-Type is {content_type!r}, not application/json"]
        try:
            data = json.loads(body)
        except ValueError:
            return [f"the body is not JSON: {body[:80]!r}"]
        return self.schema_problems(operation.response_pointer, data)


def _typed(raw: str, kind: str | None) -> tuple[Any, str | None]:
    """A query or path string as the JSON value its schema types it as."""
    if kind == "integer":
        return (int(raw), None) if _INT.fullmatch(raw) else (None, f"{raw!r} is not an integer")
    if kind == "boolean":
        if raw in {"true", "false"}:
            return raw == "true", None
        return None, f"{raw!r} is not true or false"
    return raw, None


def _short(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[:limit] + "..."


@attrs.define
class Exchange:
    """One HTTP request a session sent, and what came back."""

    method: str
    url: yarl.URL
    request_headers: Mapping[str, str]
    request_body: bytearray = attrs.field(factory=bytearray)
    status: int | None = None
    response_headers: Mapping[str, str] | None = None
    response_body: bytes = b""
    error: BaseException | None = None

    @property
    def violations(self) -> str | None:
        """Prism's findings about the request (`sl-violations`), if it had any."""
        return None if self.response_headers is None else self.response_headers.get("sl-violations")


class Recorder:
    """Keeps every exchange of the aiohttp sessions it is a trace config of."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        config = aiohttp.TraceConfig()
        config.on_request_start.append(self._start)
        config.on_request_chunk_sent.append(self._chunk_sent)
        config.on_request_end.append(self._end)
        config.on_response_chunk_received.append(self._chunk_received)
        config.on_request_exception.append(self._exception)
        self.trace_config = config

    async def _start(self, _: Any, ctx: SimpleNamespace, params: Any) -> None:
        ctx.exchange = Exchange(params.method, params.url, dict(params.headers))
        self.exchanges.append(ctx.exchange)

    @staticmethod
    async def _chunk_sent(_: Any, ctx: SimpleNamespace, params: Any) -> None:
        ctx.exchange.request_body += params.chunk

    @staticmethod
    async def _end(_: Any, ctx: SimpleNamespace, params: Any) -> None:
        ctx.exchange.status = params.response.status
        ctx.exchange.response_headers = params.response.headers

    @staticmethod
    async def _chunk_received(_: Any, ctx: SimpleNamespace, params: Any) -> None:
        ctx.exchange.response_body += params.chunk

    @staticmethod
    async def _exception(_: Any, ctx: SimpleNamespace, params: Any) -> None:
        ctx.exchange.error = params.exception
