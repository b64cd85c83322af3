"""Pages that build large temporary structures (the class grid, item analysis, gradebook exports) hand
the freed memory back to the operating system after their response.

Python frees the objects, but the C allocator keeps the freed heap for reuse, so a worker's resident
memory stays at the high-water mark of its largest page (a 1,000-student overview left a worker ~3 MiB
larger for good). `malloc_trim(0)` (glibc) releases it; it runs after the response is sent, costs about a
millisecond, and is skipped where the C library has no such call.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import make_response

View = TypeVar("View", bound=Callable[..., Any])


def _trimmer() -> Callable[[], Any] | None:
    try:  # the C library already loaded into this process (no search, no subprocess)
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to call
        return None


_MALLOC_TRIM = _trimmer()


def give_back() -> None:
    """Return freed heap memory to the operating system, where the C library can."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def gives_memory_back(view: View) -> View:
    """Decorate a view whose page is large: the memory it freed goes back after the response."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        response = make_response(view(*args, **kwargs))
        response.call_on_close(give_back)
        return response

    return wrapped  # type: ignore[return-value]
