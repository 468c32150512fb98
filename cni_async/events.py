"""What the client's hooks receive: one frozen record per attempt, request and retry.

```python
def log_slow(event: cni_async.events.ResponseEvent) -> None:
    if event.elapsed > 1.0:
        log.warning("slow %s %s: %.1f s", event.method, event.path, event.elapsed)

cf = cni_async.Client(on_response=log_slow)
```

Every hook (`on_request`, `on_response`, `on_retry`) may be a plain function or
a coroutine function; an awaitable result is awaited. No event holds a credential.
"""

from cni_async._events import (
    RequestEvent,
    RequestHook,
    ResponseEvent,
    ResponseHook,
    RetryEvent,
    RetryHook,
)

__all__ = [
    "RequestEvent",
    "RequestHook",
    "ResponseEvent",
    "ResponseHook",
    "RetryEvent",
    "RetryHook",
]
