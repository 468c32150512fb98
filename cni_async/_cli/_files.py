"""Writing a file all at once: a failure never leaves half a file behind."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(path: str, data: bytes) -> Path:
    """Write `data` to `path` through a temporary file in the same directory, then rename.

    The rename is atomic on one file system, so readers see the old file or the
    whole new one. The new file gets the usual permissions (0666 less the umask).

    Returns:
        The path written.

    Raises:
        OSError: the directory is missing or not writable, the disk is full...
    """
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:  # name the file asked for, not the temporary one
        raise OSError(exc.errno, exc.strerror, str(target)) from exc
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        temporary.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return target
