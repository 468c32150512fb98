"""The public surface is the contract's, and nothing more."""

from __future__ import annotations

import cni_async

EXTRAS = {  # batch-job helpers beyond the contract's list (issue 4)
    "RateLimit",
    "batch",
    "WaitError",
    "WaitTimeoutError",
    "InterconnectDownError",
    "RedisUnavailableError",  # a shared rate limit's Redis is down (issue 14)
}
CONTRACT = EXTRAS | {
    "Client",
    "Paginator",
    "Page",
    "RetryPolicy",
    "Facility",
    "PhysicalInterconnect",
    "GcpPartnerInterconnect",
    "Interconnect",
    "InterconnectStatus",
    "PhysicalInterconnectCreate",
    "GcpPartnerInterconnectCreate",
    "InterconnectCreate",
    "CniCreate",
    "Cni",
    "MagicSettings",
    "BgpControl",
    "Slot",
    "Settings",
    "CNIError",
    "ConfigurationError",
    "ClientClosedError",
    "RequestValidationError",
    "APIConnectionError",
    "APITimeoutError",
    "APIStatusError",
    "ErrorDetail",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "APIResponseValidationError",
    "PaginationError",
    "__version__",
}


def test_all_is_pinned():
    """__all__ is exactly the contract's names; everything else stays private."""
    assert set(cni_async.__all__) == CONTRACT
    assert len(cni_async.__all__) == len(CONTRACT)


def test_every_exported_name_exists_and_errors_share_a_root():
    """Each exported name resolves, and every exception derives from CNIError."""
    for name in cni_async.__all__:
        obj = getattr(cni_async, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert issubclass(obj, cni_async.CNIError), name


def test_hook_events_live_in_their_own_module():
    """The hooks' event records and hook types are in cni_async.events, not the top level."""
    import cni_async.events

    assert set(cni_async.events.__all__) == {
        "RequestEvent",
        "ResponseEvent",
        "RetryEvent",
        "RequestHook",
        "ResponseHook",
        "RetryHook",
    }
    for name in cni_async.events.__all__:
        assert not hasattr(cni_async, name), name


def test_version_is_the_packages():
    """__version__ is the one in _version.py, which the User-Agent uses too."""
    from cni_async._client import USER_AGENT

    assert f"cni-async/{cni_async.__version__}" == USER_AGENT


def test_the_paginator_says_where_it_starts():
    """A paginator's repr names its starting cursor (nothing is sent to make it)."""
    paginator = cni_async.Paginator(lambda _cursor: None, 40)  # type: ignore[arg-type, return-value]
    assert repr(paginator) == "<Paginator from cursor 40>"


def test_retry_must_be_a_retry_policy():
    """retry= takes a RetryPolicy; anything else is refused at construction."""
    import pytest

    with pytest.raises(cni_async.ConfigurationError, match="RetryPolicy"):
        cni_async.Client(api_token="t", retry={"attempts": 3})  # type: ignore[arg-type]


def test_importing_the_sdk_or_the_cli_does_not_import_aiohttp():
    """aiohttp (a third of a second to import) is paid for when the first client opens."""
    import subprocess
    import sys

    script = (
        "import contextlib, io, sys\n"
        "import cni_async, cni_async.events\n"
        "from cni_async._cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['--help']) == 0\n"
        "cni_async.Client(api_token='t')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'aiohttp', 'yarl'}))\n"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\n"
