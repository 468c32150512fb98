"""Choosing the credential scheme: explicit beats env, never two, never none."""

from __future__ import annotations

import pytest

import cni_async

ENV_VARS = (
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_API_KEY",
    "CLOUDFLARE_EMAIL",
    "CLOUDFLARE_API_USER_SERVICE_KEY",
    "CLOUDFLARE_ACCOUNT_ID",
    "CLOUDFLARE_BASE_URL",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def headers(client: cni_async.Client) -> dict[str, str]:
    """The headers a JSON GET carries (the first of the pipeline's prebuilt sets)."""
    return dict(client._pipeline._headers["application/json", False])


def test_token_becomes_bearer():
    """api_token is sent as Authorization: Bearer."""
    h = headers(cni_async.Client(api_token="tok"))
    assert h["Authorization"] == "Bearer tok"
    assert "X-Auth-Key" not in h


def test_key_and_email():
    """api_key + api_email become X-Auth-Key + X-Auth-Email."""
    h = headers(cni_async.Client(api_key="k", api_email="me@example.com"))
    assert (h["X-Auth-Key"], h["X-Auth-Email"]) == ("k", "me@example.com")
    assert "Authorization" not in h


def test_user_service_key():
    """user_service_key becomes X-Auth-User-Service-Key."""
    h = headers(cni_async.Client(user_service_key="v1.0-abc"))
    assert h["X-Auth-User-Service-Key"] == "v1.0-abc"


@pytest.mark.parametrize(
    ("env", "header", "value"),
    [
        ({"CLOUDFLARE_API_TOKEN": "t"}, "Authorization", "Bearer t"),
        ({"CLOUDFLARE_API_KEY": "k", "CLOUDFLARE_EMAIL": "e"}, "X-Auth-Key", "k"),
        ({"CLOUDFLARE_API_USER_SERVICE_KEY": "s"}, "X-Auth-User-Service-Key", "s"),
    ],
)
def test_environment_schemes(monkeypatch, env, header, value):
    """Each scheme is read from its environment variables when no argument is given."""
    for name, val in env.items():
        monkeypatch.setenv(name, val)
    assert headers(cni_async.Client())[header] == value


def test_explicit_beats_environment(monkeypatch):
    """An explicit credential wins over any in the environment, even of another scheme."""
    monkeypatch.setenv("CLOUDFLARE_API_KEY", "envkey")
    monkeypatch.setenv("CLOUDFLARE_EMAIL", "env@example.com")
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "envtok")
    h = headers(cni_async.Client(api_token="mine"))
    assert h["Authorization"] == "Bearer mine"
    assert "X-Auth-Key" not in h


@pytest.mark.parametrize(
    "kwargs",
    [
        {"api_token": "t", "api_key": "k", "api_email": "e"},
        {"api_token": "t", "user_service_key": "s"},
        {"api_key": "k", "api_email": "e", "user_service_key": "s"},
    ],
)
def test_two_explicit_schemes_are_an_error(kwargs):
    """Two schemes given explicitly is a ConfigurationError naming them, not their values."""
    with pytest.raises(
        cni_async.ConfigurationError, match="more than one credential scheme"
    ) as info:
        cni_async.Client(**kwargs)
    assert isinstance(info.value, ValueError)
    for value in kwargs.values():
        assert f"'{value}'" not in str(info.value)


def test_two_schemes_in_the_environment_are_an_error(monkeypatch):
    """Two schemes in the environment and none explicit: an error, never a silent pick."""
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "secret-token-value")
    monkeypatch.setenv("CLOUDFLARE_API_USER_SERVICE_KEY", "secret-service-key")
    with pytest.raises(cni_async.ConfigurationError) as info:
        cni_async.Client()
    assert "CLOUDFLARE_API_TOKEN" in str(info.value)
    assert "secret" not in str(info.value)


def test_no_credentials_is_an_error():
    """No credential anywhere is a clear ConfigurationError."""
    with pytest.raises(cni_async.ConfigurationError, match="no credentials"):
        cni_async.Client()


def test_empty_env_var_counts_as_unset(monkeypatch):
    """An empty variable is ignored rather than sent as an empty credential."""
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "")
    monkeypatch.setenv("CLOUDFLARE_API_USER_SERVICE_KEY", "s")
    assert headers(cni_async.Client())["X-Auth-User-Service-Key"] == "s"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"api_key": "k"}, "api_key and api_email go together"),
        ({"api_email": "e"}, "api_key and api_email go together"),
        ({"api_token": ""}, "api_token must be a non-empty string"),
        ({"api_token": "a\r\nX-Evil: 1"}, "line break"),
    ],
)
def test_incomplete_or_malformed_credentials(kwargs, message):
    """A half scheme, an empty value or a header-breaking value is refused."""
    with pytest.raises(cni_async.ConfigurationError, match=message):
        cni_async.Client(**kwargs)


def test_account_and_base_url_from_environment(monkeypatch):
    """account_id and base_url fall back to their environment variables."""
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", "env-acc")
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", "http://127.0.0.1:1/client/v4/")
    client = cni_async.Client(api_token="t")
    assert client.account_id == "env-acc"
    assert client.base_url == "http://127.0.0.1:1/client/v4"
    assert cni_async.Client(api_token="t", account_id="mine").account_id == "mine"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base_url": "api.cloudflare.com"}, "base_url must start with http"),
        ({"base_url": "https://user:pw-SECRET@api.example.com/v4"}, "must not carry credentials"),
        ({"base_url": 5}, "base_url must be a string"),
        ({"base_url": "http://127.0.0.1:abc/client/v4"}, "base_url has an invalid port"),
        ({"base_url": "https://api.example.com:70000/v4"}, "base_url has an invalid port"),
        ({"timeout": 0}, "timeout must be a positive number"),
        ({"timeout": float("inf")}, "timeout must be a positive number"),
        ({"max_retries": -1}, "max_retries must be an int >= 0"),
        ({"max_retries": True}, "max_retries must be an int >= 0"),
        ({"account_id": ""}, "account_id must be a non-empty string"),
        ({"session": object()}, "session must be an aiohttp.ClientSession"),
    ],
)
def test_bad_options_are_refused(kwargs, message):
    """Each nonsensical option is a ConfigurationError at construction."""
    with pytest.raises(cni_async.ConfigurationError, match=message) as info:
        cni_async.Client(api_token="t", **kwargs)
    assert "SECRET" not in str(info.value)


def test_repr_names_the_scheme_not_the_secret():
    """repr(client) shows the scheme and base URL, never a credential."""
    for client in (
        cni_async.Client(api_token="tok-SECRET", account_id="a"),
        cni_async.Client(api_key="key-SECRET", api_email="mail-SECRET@x", account_id="a"),
        cni_async.Client(user_service_key="svc-SECRET", account_id="a"),
    ):
        assert "SECRET" not in repr(client)
        assert "account_id='a'" in repr(client)


def test_max_retries_maps_to_attempts():
    """max_retries=N means N+1 attempts (2 by default); or a RetryPolicy, never both."""
    assert cni_async.Client(api_token="t", max_retries=0).retry.attempts == 1
    assert cni_async.Client(api_token="t").retry.attempts == 3
    policy = cni_async.RetryPolicy(attempts=7)
    assert cni_async.Client(api_token="t", retry=policy).retry is policy
    with pytest.raises(cni_async.ConfigurationError, match="max_retries or retry, not both"):
        cni_async.Client(api_token="t", max_retries=0, retry=policy)


SECRET = "tok-SECRET"
# Every character class RFC 9110 (section 5.5) keeps out of a field value, placed inside
# the secret, plus whitespace where HTTP would strip it; by the message each must give.
CONTROL = "control character"
NON_ASCII = "outside ASCII"
EDGE = "starts or ends with a space or tab"
FORBIDDEN = [
    *[(f"U+{c:04X}", f"tok{chr(c)}SECRET", CONTROL) for c in (*range(0x09), *range(0x0A, 0x20))],
    ("DEL", "tok\x7fSECRET", CONTROL),
    ("C1 control NEL", "tok\x85SECRET", NON_ASCII),
    ("latin-1 obs-text", "tok\xe9SECRET", NON_ASCII),
    ("no-break space", "tok\xa0SECRET", NON_ASCII),
    ("zero-width space", "tok\u200bSECRET", NON_ASCII),
    ("not latin-1", "tok\u20acSECRET", NON_ASCII),
    ("astral", "tok\U0001f511SECRET", NON_ASCII),
    ("leading space", " tok-SECRET", EDGE),
    ("leading tab", "\ttok-SECRET", EDGE),
    ("trailing space", "tok-SECRET ", EDGE),
    ("trailing tab", "tok-SECRET\t", EDGE),
    ("only whitespace", " \t ", EDGE),
    ("control and non-ASCII", "tok\xe9\nSECRET", CONTROL),
]
# Where a credential can come from: (name in the message, Client kwargs, environment).
SOURCES = [
    ("api_token", lambda v: {"api_token": v}, {}),
    ("api_key", lambda v: {"api_key": v, "api_email": "me@example.com"}, {}),
    ("api_email", lambda v: {"api_key": "0123abcd", "api_email": v}, {}),
    ("user_service_key", lambda v: {"user_service_key": v}, {}),
    ("CLOUDFLARE_API_TOKEN", None, {}),
    ("CLOUDFLARE_API_KEY", None, {"CLOUDFLARE_EMAIL": "me@example.com"}),
    ("CLOUDFLARE_EMAIL", None, {"CLOUDFLARE_API_KEY": "0123abcd"}),
    ("CLOUDFLARE_API_USER_SERVICE_KEY", None, {}),
]


# Each class from each source; an environment variable cannot hold NUL, so that pair is left out.
CASES = [
    pytest.param(source, forbidden, id=f"{forbidden[0]}-{source[0]}")
    for source in SOURCES
    for forbidden in FORBIDDEN
    if source[1] is not None or "\0" not in forbidden[1]
]


@pytest.mark.parametrize(("source", "forbidden"), CASES)
def test_a_credential_no_header_can_carry_is_refused(monkeypatch, source, forbidden):
    """Every forbidden character class, from every source: refused naming where, never what."""
    name, kwargs, partner = source
    _, value, problem = forbidden
    for variable, good in partner.items():
        monkeypatch.setenv(variable, good)
    if kwargs is None:
        monkeypatch.setenv(name, value)
    with pytest.raises(cni_async.ConfigurationError) as info:
        cni_async.Client(**({} if kwargs is None else kwargs(value)))
    message = str(info.value)
    assert message.startswith(f"{name} ")
    assert problem in message
    assert value not in message
    assert "SECRET" not in message
    assert "SECRET" not in repr(info.value)


@pytest.mark.parametrize(
    "value",
    [
        "".join(map(chr, range(0x21, 0x7F))),  # every visible ASCII character
        "a b",  # a space between visible characters
        "a\tb  \t c",  # tabs and spaces between them
        "x",
    ],
)
def test_every_value_a_header_can_carry_is_accepted(value):
    """Visible ASCII, with spaces and tabs only between, passes for each credential."""
    assert headers(cni_async.Client(api_token=value))["Authorization"] == f"Bearer {value}"
    key = headers(cni_async.Client(api_key=value, api_email=value))
    assert (key["X-Auth-Key"], key["X-Auth-Email"]) == (value, value)
    service = headers(cni_async.Client(user_service_key=value))
    assert service["X-Auth-User-Service-Key"] == value
