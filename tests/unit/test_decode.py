"""The pure response decoder: bodies in, JSON or typed errors out."""

from __future__ import annotations

import email.utils

import pytest

import cni_async
from cni_async._decode import decode_json, parse_retry_after, status_error

V4_ERROR = b'{"success":false,"errors":[{"code":1002,"message":"Interconnect not found"}],"messages":[],"result":null}'


def test_bare_body_is_returned_as_is():
    """CNI bodies are bare JSON; a bare body with a `result` key is not unwrapped."""
    assert decode_json(200, {}, b'{"state": "Pending"}') == {"state": "Pending"}
    body = b'{"items": [], "next": null, "result": 1, "success": true}'
    assert decode_json(200, {}, body) == {"items": [], "next": None, "result": 1, "success": True}


def test_a_v4_envelope_is_unwrapped_defensively():
    """Should the API ever wrap a body in {success, result}, the result is used."""
    body = b'{"success": true, "errors": [], "messages": [], "result": {"default_asn": 1}}'
    assert decode_json(200, {}, body) == {"default_asn": 1}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"", "the body is empty @ $"),
        (b"  ", "the body is empty @ $"),
        (b"<html>oops</html>", "the body is not valid JSON @ $"),
        (b'{"items": [', "the body is not valid JSON @ $"),
    ],
)
def test_a_2xx_body_that_is_not_json_is_a_typed_error(body, problem):
    """A 200 that is not JSON raises APIResponseValidationError naming the problem."""
    with pytest.raises(cni_async.APIResponseValidationError) as info:
        decode_json(200, {"cf-ray": "r1"}, body)
    assert info.value.problems == [problem]
    assert info.value.request_id == "r1"
    assert isinstance(info.value, cni_async.CNIError)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, cni_async.BadRequestError),
        (401, cni_async.AuthenticationError),
        (403, cni_async.PermissionDeniedError),
        (404, cni_async.NotFoundError),
        (409, cni_async.ConflictError),
        (422, cni_async.UnprocessableEntityError),
        (429, cni_async.RateLimitError),
        (500, cni_async.InternalServerError),
        (503, cni_async.InternalServerError),
        (418, cni_async.APIStatusError),
    ],
)
def test_each_status_maps_to_its_class(status, cls):
    """Every status >= 400 becomes the contract's class, carrying the v4 errors."""
    error = status_error(status, {"cf-ray": "8f1-SJC"}, V4_ERROR, method="GET", path="/p/{icon}")
    assert type(error) is cls
    assert error.status_code == status
    assert error.errors == [cni_async.ErrorDetail(code=1002, message="Interconnect not found")]
    assert error.request_id == "8f1-SJC"
    assert error.body["errors"][0]["code"] == 1002
    assert str(error) == f"GET /p/{{icon}} failed with HTTP {status}: [1002] Interconnect not found"


def test_html_error_body():
    """An HTML error page is kept as text and summarised in the message."""
    error = status_error(502, {}, b"<html><body>Bad gateway</body></html>", method="GET", path="/p")
    assert isinstance(error, cni_async.InternalServerError)
    assert error.errors == []
    assert error.body == "<html><body>Bad gateway</body></html>"
    assert str(error) == "GET /p failed with HTTP 502: (an HTML page)"


def test_plain_text_and_empty_error_bodies():
    """A text body is kept as text; an empty one is None; no request id without cf-ray."""
    text = status_error(400, {}, b"slot occupied\n", method="POST", path="/p")
    assert (text.body, text.errors, str(text)) == (
        "slot occupied\n",
        [],
        "POST /p failed with HTTP 400: slot occupied",
    )
    empty = status_error(500, {}, b"", method="DELETE", path="/p")
    assert (empty.body, empty.request_id, str(empty)) == (
        None,
        None,
        "DELETE /p failed with HTTP 500",
    )


def test_odd_v4_error_items_are_tolerated():
    """Error items without a code, with a string code, or not objects do not crash."""
    body = b'{"errors": [{"message": "a"}, {"code": "7", "message": 5}, "x"]}'
    error = status_error(400, {}, body, method="GET", path="/p")
    assert error.errors == [
        cni_async.ErrorDetail(code=None, message="a"),
        cni_async.ErrorDetail(code=None, message=""),
    ]


def test_a_long_text_body_is_cut_in_the_message():
    """The message quotes at most 200 characters of an unstructured body."""
    error = status_error(500, {}, b"x" * 1000, method="GET", path="/p")
    assert str(error).endswith("x" * 200 + "...")
    assert error.body == "x" * 1000


def test_rate_limit_carries_retry_after():
    """A 429 carries Retry-After in seconds."""
    error = status_error(429, {"retry-after": "7"}, b"", method="GET", path="/p")
    assert isinstance(error, cni_async.RateLimitError)
    assert error.retry_after == 7.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12.0), ("0.5", 0.5), ("-3", 0.0), ("soon", None), ("nan", None), ("inf", None)],
)
def test_retry_after_seconds(value, expected):
    """Retry-After in seconds; negative means now; unreadable means absent."""
    assert parse_retry_after({"retry-after": value}) == expected


def test_retry_after_http_date():
    """Retry-After as an HTTP date counts the seconds from now."""
    now = 1_800_000_000.0
    header = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after({"retry-after": header}, now=now) == pytest.approx(30.0)
    assert parse_retry_after({}) is None


DEEP = b"[" * 100_000  # what a hostile server or a broken proxy may send


@pytest.mark.parametrize(
    "body", [DEEP, b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000]
)
def test_a_deeply_nested_2xx_body_is_a_typed_error(body):
    """A 2xx nested too deeply for the JSON parser is APIResponseValidationError at $."""
    with pytest.raises(cni_async.APIResponseValidationError) as info:
        decode_json(200, {"cf-ray": "r1"}, body)
    assert info.value.problems == ["the body is too deeply nested @ $"]
    assert (info.value.status_code, info.value.request_id) == (200, "r1")
    assert str(info.value) == "HTTP 200 response: the body is too deeply nested @ $"


@pytest.mark.parametrize(
    ("status", "cls"), [(500, cni_async.InternalServerError), (400, cni_async.BadRequestError)]
)
def test_a_deeply_nested_error_body_keeps_its_status_error(status, cls):
    """A 4xx/5xx body nested too deeply to parse is still the status error, its body kept as text."""
    error = status_error(status, {}, DEEP, method="GET", path="/p")
    assert type(error) is cls
    assert error.body == DEEP.decode()
    assert error.errors == []
    assert str(error) == f"GET /p failed with HTTP {status}: " + "[" * 200 + "..."


def test_an_error_body_nested_past_32_levels_is_kept_as_text():
    """An error body JSON can parse but nested past 32 levels stays text, so nothing recurses over it."""
    at_limit = b'{"errors": [{"code": 1, "message": "m"}], "x": ' + b"[" * 31 + b"]" * 31 + b"}"
    kept = status_error(500, {}, at_limit, method="GET", path="/p")
    assert isinstance(kept.body, dict)
    assert kept.errors == [cni_async.ErrorDetail(code=1, message="m")]
    deeper = b'{"errors": [{"code": 1, "message": "m"}], "x": ' + b"[" * 32 + b"]" * 32 + b"}"
    text = status_error(500, {}, deeper, method="GET", path="/p")
    assert text.body == deeper.decode()
    assert text.errors == []
    flat = b"[" + b",".join([b"[1, {}]"] * 1000) + b"]"  # wide, not deep: parsed
    assert isinstance(status_error(500, {}, flat, method="GET", path="/p").body, list)
