"""URL building and query serialisation, before anything is sent."""

from __future__ import annotations

import pytest

import cni_async
from cni_async._routes import Body, Route, query_string

ICON = Route("GET", "/accounts/{account_id}/cni/interconnects/{icon}", "get_interconnect")
CNI = Route("GET", "/accounts/{account_id}/cni/cnis/{cni}", "get_cni", uuid_ids=frozenset({"cni"}))


@pytest.mark.parametrize(
    ("icon", "segment"),
    [
        ("sjc-1", "sjc-1"),
        ("a/b", "a%2Fb"),
        ("../x", "..%2Fx"),
        ("with space", "with%20space"),
        ("zürich–1", "z%C3%BCrich%E2%80%931"),
        ("q?x=1#f", "q%3Fx%3D1%23f"),
        ("%2F", "%252F"),
        ("...", "..."),
    ],
)
def test_each_id_is_exactly_one_segment(icon, segment):
    """An id is percent-encoded so `/`, `?`, `#`, `%`, spaces and unicode stay data."""
    assert ICON.path(account_id="acc", icon=icon) == f"/accounts/acc/cni/interconnects/{segment}"


@pytest.mark.parametrize("bad", ["", ".", ".."])
def test_empty_and_dot_ids_are_refused(bad):
    """An empty id, `.` or `..` would change the path: refused with the field named."""
    with pytest.raises(cni_async.RequestValidationError) as info:
        ICON.path(account_id="acc", icon=bad)
    assert info.value.field == "icon"
    assert isinstance(info.value, ValueError)
    with pytest.raises(cni_async.RequestValidationError, match="account_id"):
        ICON.path(account_id=bad, icon="x")


def test_non_string_ids_are_refused():
    """An id that is not a string is refused, not str()-ed into the path."""
    with pytest.raises(cni_async.RequestValidationError, match="icon: must be a string, not int"):
        ICON.path(account_id="acc", icon=5)  # type: ignore[arg-type]


def test_uuid_ids_are_checked():
    """CNI and slot ids must be UUIDs."""
    good = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    assert CNI.path(account_id="a", cni=good).endswith(good)
    with pytest.raises(cni_async.RequestValidationError, match="cni: must be a UUID"):
        CNI.path(account_id="a", cni="not-a-uuid")


def test_errors_name_the_argument_a_caller_passed():
    """A path id is named as the caller knows it (`cni_id`), not by the template's name."""
    route = Route("GET", "/a/{account_id}/cnis/{cni}", "op", arguments=(("cni", "cni_id"),))
    with pytest.raises(cni_async.RequestValidationError, match=r"^cni_id: must not be empty") as e:
        route.path(account_id="a", cni="")
    assert e.value.field == "cni_id"


def test_route_knows_its_method_semantics():
    """Idempotency and the Accept header follow from the method and the body kind."""
    assert ICON.idempotent
    assert not Route("POST", "/x", "op").idempotent
    assert Route("GET", "/x/loa", "op", Body.PDF).accept == "application/pdf, */*"
    assert Route("DELETE", "/x", "op", Body.NONE).accept == "*/*"


def test_query_serialisation():
    """None is dropped, booleans become true/false, values are percent-encoded."""
    assert query_string({"a": None, "b": True, "c": False, "d": 5, "e": "x y&z"}) == (
        "b=true&c=false&d=5&e=x%20y%26z"
    )
    assert query_string({"a": None}) == ""
