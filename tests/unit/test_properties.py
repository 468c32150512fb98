"""Property tests: whatever body a server sends, the decoder and converter give a model or a typed error.

Bodies are drawn three ways: any JSON at all, any bytes, and (since arbitrary JSON is
almost never model-shaped) well-typed bodies of each response model with one change
at a random place. The profile in tests/conftest.py derandomizes every run and
gives each example a deadline, so a slow or stuck decode fails instead of hanging.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Callable
from typing import Any, Union, get_args, get_origin

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import cni_async
from cni_async import Cni, Interconnect, InterconnectStatus, Page, Settings, Slot
from cni_async._converter import ShapeError, _detailed, _fast, structure
from cni_async._decode import decode_json, status_error

RESPONSE_TYPES: list[Any] = [
    Interconnect,
    InterconnectStatus,
    Cni,
    Slot,
    Settings,
    Page[Interconnect],
    Page[InterconnectStatus],
    Page[Cni],
    Page[Slot],
    Page[Settings],
]
TYPE_IDS = [
    *("Interconnect", "InterconnectStatus", "Cni", "Slot", "Settings"),
    *(
        "Page[Interconnect]",
        "Page[InterconnectStatus]",
        "Page[Cni]",
        "Page[Slot]",
        "Page[Settings]",
    ),
]
INT32 = (-(2**31), 2**31 - 1)
PROBLEM = re.compile(r".+ @ \$(\.[a-z0-9_]+|\[\d+\])*")
DECODE_PROBLEMS = {
    "the body is empty @ $",
    "the body is not valid JSON @ $",
    "the body is too deeply nested @ $",
}
DEEP = b"[" * 100_000

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=6)
)
any_json = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=10,
)


def _hints(cls: Any) -> dict[str, Any]:
    """Field types of a model, with Page[T]'s T filled in."""
    origin = get_origin(cls)
    if origin is None:
        return typing.get_type_hints(cls)
    (item,) = get_args(cls)
    return {
        name: (list[item] if name == "items" else hint)
        for name, hint in typing.get_type_hints(origin).items()
    }


def typed(type_: Any) -> st.SearchStrategy[Any]:
    """JSON that the API could send for `type_`: every field well typed, optional ones maybe absent."""
    if type_ is str:
        return st.text(max_size=8)
    if type_ is bool:
        return st.booleans()
    if type_ is int:
        return st.integers(*INT32)
    origin = get_origin(type_)
    if origin in (list, tuple):  # JSON arrays, whether a model keeps them as list or tuple
        return st.lists(typed(get_args(type_)[0]), max_size=3)
    if origin in (Union, types.UnionType):
        return st.one_of(*(st.none() if a is type(None) else typed(a) for a in get_args(type_)))
    hints = _hints(type_)
    fields = attrs.fields(get_origin(type_) or type_)
    required = {f.name: typed(hints[f.name]) for f in fields if f.default is attrs.NOTHING}
    optional = {f.name: typed(hints[f.name]) for f in fields if f.default is not attrs.NOTHING}
    return st.fixed_dictionaries(required, optional=optional)


def _places(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) in a JSON value, the value's own place first."""
    found: list[tuple[Any, Any]] = []
    stack = [value]
    while stack:
        node = stack.pop()
        keys = (
            node.keys()
            if isinstance(node, dict)
            else range(len(node))
            if isinstance(node, list)
            else ()
        )
        for key in keys:
            found.append((node, key))
            stack.append(node[key])
    return found


@st.composite
def near_miss(draw: st.DrawFn, type_: Any) -> Any:
    """A well-typed body of `type_` with one key dropped or one value swapped for any JSON."""
    body = draw(typed(type_))
    places = _places(body)
    if not places:
        return draw(any_json)
    container, key = draw(st.sampled_from(places))
    if isinstance(container, dict) and draw(st.booleans()):
        del container[key]
    else:
        container[key] = draw(any_json)
    return body


def bodies(type_: Any) -> st.SearchStrategy[Any]:
    return any_json | typed(type_) | near_miss(type_)


def outcome(function: Callable[..., Any], *args: Any) -> Any:
    """What `function(*args)` returned, or the exception it raised (any kind: that is checked)."""
    try:
        return function(*args)
    except Exception as exc:
        return exc


def _model_classes(type_: Any) -> tuple[type, ...]:
    if get_origin(type_) in (Union, types.UnionType):
        return get_args(type_)
    return (get_origin(type_) or type_,)


@pytest.mark.parametrize("type_", RESPONSE_TYPES, ids=TYPE_IDS)
@settings(max_examples=60)
@given(data=st.data())
def test_structure_gives_a_model_or_a_shape_error_naming_paths(type_, data):
    """Any JSON as any response type: a model of that type, or ShapeError naming each JSON path."""
    result = outcome(structure, data.draw(bodies(type_)), type_)
    if isinstance(result, ShapeError):
        assert result.problems
        assert all(PROBLEM.fullmatch(problem) for problem in result.problems), result.problems
    else:
        assert isinstance(result, _model_classes(type_))


@pytest.mark.parametrize("type_", RESPONSE_TYPES, ids=TYPE_IDS)
@settings(max_examples=25)
@given(data=st.data())
def test_a_well_typed_body_always_structures(type_, data):
    """Every body the API could send for a type (int32 cursors, any text) becomes its model."""
    assert isinstance(structure(data.draw(typed(type_)), type_), _model_classes(type_))


@pytest.mark.parametrize("type_", RESPONSE_TYPES, ids=TYPE_IDS)
@settings(max_examples=25)
@given(data=st.data())
def test_fast_and_detailed_converters_agree(type_, data):
    """The fast converter fails exactly where the detailed one (which names the paths) does."""
    body = data.draw(near_miss(type_) | any_json)
    fast, detailed = (outcome(c.structure, body, type_) for c in (_fast, _detailed))
    if isinstance(fast, Exception):
        assert isinstance(detailed, Exception)
    else:
        assert fast == detailed


def _as_bytes(value: Any) -> bytes:
    return json.dumps(value).encode()


raw_bodies = st.binary(max_size=64) | any_json.map(_as_bytes) | st.sampled_from([DEEP, b" ", b""])


@settings(max_examples=200)
@given(status=st.integers(200, 299), body=raw_bodies)
@example(status=200, body=DEEP)
@example(status=200, body=b'{"a":' * 50_000)
def test_decode_json_gives_json_or_a_validation_error(status, body):
    """Any bytes as a 2xx body: JSON, or APIResponseValidationError at $ (empty, not JSON, too deep)."""
    result = outcome(decode_json, status, {"cf-ray": "r"}, body)
    if isinstance(result, Exception):
        assert isinstance(result, cni_async.APIResponseValidationError)
        assert result.problems[0] in DECODE_PROBLEMS
        assert (result.status_code, result.request_id) == (status, "r")
    else:
        json.dumps(result)  # plain JSON data


@settings(max_examples=200)
@given(status=st.integers(400, 599), body=raw_bodies, method=st.sampled_from(["GET", "POST"]))
@example(status=502, body=DEEP, method="GET")
@example(status=400, body=b'{"errors": ' + b"[" * 40 + b"]" * 40 + b"}", method="PUT")
def test_status_error_is_always_a_status_error(status, body, method):
    """Any bytes as an error body: the status's APIStatusError, a one-line message, a safe body."""
    error = status_error(status, {}, body, method=method, path="/p", where="/q")
    assert isinstance(error, cni_async.APIStatusError)
    assert error.status_code == status
    message = str(error)
    assert message.startswith(f"{method} /q failed with HTTP {status}")
    assert "\n" not in message
    assert len(message) < 2_000
    repr(error.body)  # bounded nesting: the caller may log it
    json.dumps(error.body)
    assert all(isinstance(e, cni_async.ErrorDetail) for e in error.errors)
