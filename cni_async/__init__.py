"""cni-async: an asyncio SDK for Cloudflare's Network Interconnects (CNI) API.

```python
import cni_async

async with cni_async.Client(api_token="...", account_id="...") as cf:
    async for icon in cf.interconnects.list():
        status = await cf.interconnects.status(icon.name)
        log.info("%s is %s", icon.name, status.state)
```

The top level holds what users write code against: the client, the models, the
errors, the retry policy, the rate limit, `batch` and the paginator. Hook events
are in `cni_async.events`, the emulator in `cni_async.testing`.
"""

import logging as _logging

from . import events as events  # `cni_async.events.RetryEvent` works after `import cni_async`
from ._batch import batch
from ._client import Client
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    CNIError,
    ConfigurationError,
    ConflictError,
    ErrorDetail,
    InterconnectDownError,
    InternalServerError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    RedisUnavailableError,
    RequestValidationError,
    UnprocessableEntityError,
    WaitError,
    WaitTimeoutError,
)
from ._models import (
    BgpControl,
    Cni,
    CniCreate,
    Facility,
    GcpPartnerInterconnect,
    GcpPartnerInterconnectCreate,
    Interconnect,
    InterconnectCreate,
    InterconnectStatus,
    MagicSettings,
    Page,
    PhysicalInterconnect,
    PhysicalInterconnectCreate,
    Settings,
    Slot,
)
from ._pagination import Paginator
from ._ratelimit import RateLimit
from ._retry import RetryPolicy
from ._version import __version__

# A library does not configure logging: records reach the application's handlers
# (one WARNING per retry, DEBUG per request, INFO per state a wait sees) only if
# it sets some up.
_logging.getLogger("cni_async").addHandler(_logging.NullHandler())

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BgpControl",
    "CNIError",
    "Client",
    "ClientClosedError",
    "Cni",
    "CniCreate",
    "ConfigurationError",
    "ConflictError",
    "ErrorDetail",
    "Facility",
    "GcpPartnerInterconnect",
    "GcpPartnerInterconnectCreate",
    "Interconnect",
    "InterconnectCreate",
    "InterconnectDownError",
    "InterconnectStatus",
    "InternalServerError",
    "MagicSettings",
    "NotFoundError",
    "Page",
    "PaginationError",
    "Paginator",
    "PermissionDeniedError",
    "PhysicalInterconnect",
    "PhysicalInterconnectCreate",
    "RateLimit",
    "RateLimitError",
    "RedisUnavailableError",
    "RequestValidationError",
    "RetryPolicy",
    "Settings",
    "Slot",
    "UnprocessableEntityError",
    "WaitError",
    "WaitTimeoutError",
    "__version__",
    "batch",
]
