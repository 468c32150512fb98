"""A lean HTTP/1.1 keep-alive server answering the CNI interconnect paths for the benchmark.

Every response is built as bytes before the server starts listening, so what the benchmark
measures is the client, not this server. Run it in its own process:

    python benchmarks/server.py --port 0 --items 10000 --items 100000

It prints the port it listens on (one line) once it is ready.

Routes (any account id works for get/status; the list size is chosen by the account id):

* ``GET /client/v4/accounts/{acct}/cni/interconnects/{name}``: a physical interconnect.
* ``GET /client/v4/accounts/{acct}/cni/interconnects/{name}/status``: ``{"state":"Healthy"}``.
* ``GET /client/v4/accounts/bench-{N}/cni/interconnects?limit=L&cursor=C``: a page of the list of
  ``N`` items (``N`` one of the ``--items`` values), alternating physical and GCP interconnects;
  ``next`` is the offset of the following page and is left out on the last page.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import uuid
from typing import Any
from urllib.parse import parse_qsl, unquote

PREFIX = "/client/v4/accounts/"
NAMES = 64  # get/status bodies for icon-0 .. icon-63 are precomputed; others are cached lazily
DEFAULT_LIMIT = 100


def account_for(total: int) -> str:
    """The account id whose interconnect list has ``total`` items."""
    return f"bench-{total}"


def physical(name: str, account: str, i: int) -> dict[str, Any]:
    return {
        "type": "direct",
        "name": name,
        "account": account,
        "facility": {"address": [f"{i} Example Street", "San Jose", "CA 95134"], "name": "SJC-1"},
        "site": "sjc01",
        "slot_id": str(uuid.UUID(int=i + 1)),
        "speed": "10G",
        "owner": "benchmark",
        "virtual_port_reservation_id": str(uuid.UUID(int=(1 << 64) + i)),
    }


def gcp(name: str, account: str, i: int) -> dict[str, Any]:
    return {
        "type": "gcp_partner",
        "name": name,
        "account": account,
        "region": "us-west1",
        "speed": "10G",
        "virtual_port_reservation_id": str(uuid.UUID(int=(1 << 64) + i)),
    }


def response(status: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def dumps(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


class Responses:
    """All response bytes, computed up front (list pages at the default limit, names icon-0..63)."""

    def __init__(self, totals: list[int]) -> None:
        self.totals = {account_for(n): n for n in totals}
        largest = max(totals, default=0)
        self.items = [
            dumps((physical if i % 2 == 0 else gcp)(f"icon-{i}", "bench", i))
            for i in range(largest)
        ]
        self.not_found = response(
            "404 Not Found", b'{"errors":[{"code":1000,"message":"not found"}]}'
        )
        self.status = response("200 OK", b'{"state":"Healthy"}')
        self.gets = {f"icon-{i}": self._get(f"icon-{i}") for i in range(NAMES)}
        self.pages: dict[tuple[int, int, int], bytes] = {}
        for total in totals:
            for cursor in range(0, total, DEFAULT_LIMIT):
                self.page(total, cursor, DEFAULT_LIMIT)

    def _get(self, name: str) -> bytes:
        return response("200 OK", dumps(physical(name, "bench", 7)))

    def get(self, name: str) -> bytes:
        body = self.gets.get(name)
        if body is None:
            body = self.gets[name] = self._get(name)
        return body

    def page(self, total: int, cursor: int, limit: int) -> bytes:
        key = (total, cursor, limit)
        body = self.pages.get(key)
        if body is None:
            end = min(cursor + limit, total)
            tail = f',"next":{end}}}' if end < total else "}"
            items = b",".join(self.items[max(cursor, 0) : end])
            body = self.pages[key] = response(
                "200 OK", b'{"items":[' + items + b"]" + tail.encode()
            )
        return body

    def route(self, target: str) -> bytes:
        path, _, query = target.partition("?")
        parts = path.removeprefix(PREFIX).split("/") if path.startswith(PREFIX) else []
        if len(parts) < 3 or parts[1:3] != ["cni", "interconnects"]:
            return self.not_found
        rest = parts[3:]
        if not rest or rest == [""]:
            return self.listing(unquote(parts[0]), query)
        if len(rest) == 1:
            return self.get(unquote(rest[0]))
        if len(rest) == 2 and rest[1] == "status":
            return self.status
        return self.not_found

    def listing(self, account: str, query: str) -> bytes:
        total = self.totals.get(account)
        params = dict(parse_qsl(query))
        try:
            cursor = int(params.get("cursor") or 0)
            limit = int(params.get("limit") or DEFAULT_LIMIT)
        except ValueError:
            return self.not_found
        return self.not_found if total is None else self.page(total, cursor, max(limit, 1))


class HTTPProtocol(asyncio.Protocol):
    def __init__(self, responses: Responses) -> None:
        self.responses = responses
        self.buffer = b""
        self.skip = 0  # request body bytes still to discard
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)  # noqa: S101
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data
        out: list[bytes] = []
        close = False
        while True:
            if self.skip:
                dropped = min(self.skip, len(buffer))
                self.skip -= dropped
                buffer = buffer[dropped:]
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head, buffer = buffer[:end].decode("latin-1"), buffer[end + 4 :]
            request_line, *header_lines = head.split("\r\n")
            for line in header_lines:
                name, _, value = line.partition(":")
                lowered = name.strip().lower()
                if lowered == "content-length":
                    self.skip = int(value.strip() or 0)
                elif lowered == "connection" and value.strip().lower() == "close":
                    close = True
            method, target, *_ = [*request_line.split(" "), "", ""]
            out.append(
                self.responses.route(target) if method == "GET" else self.responses.not_found
            )
        self.buffer = buffer
        if self.transport is not None and out:
            self.transport.write(b"".join(out))
            if close:
                self.transport.close()


async def serve(host: str, port: int, totals: list[int]) -> None:
    responses = Responses(totals)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: HTTPProtocol(responses), host, port)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--items", type=int, action="append", help="list sizes to serve")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, sorted(set(args.items or [10_000]))))


if __name__ == "__main__":
    main()
