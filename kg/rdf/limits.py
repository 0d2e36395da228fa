"""Time limits for work that untrusted input can make slow.

>>> run_with_timeout(lambda: 6 * 7, 5, "answer")
42
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable
from typing import TypeVar

from kg.errors import ResourceLimitError, UsageError

T = TypeVar("T")
TIMEOUT_ENV = "KG_TIMEOUT"
DEFAULT_TIMEOUT = 300.0


def default_timeout() -> float:
    """Seconds a query, validation or reasoning may take: ``$KG_TIMEOUT`` or 300."""
    raw = os.environ.get(TIMEOUT_ENV)
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(f"{TIMEOUT_ENV} must be a number of seconds, not {raw!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise UsageError(f"{TIMEOUT_ENV} must be a positive, finite number of seconds, not {raw!r}")
    return value


def run_with_timeout(work: Callable[[], T], seconds: float | None, what: str) -> T:
    """Run ``work`` in a worker thread; raise :class:`ResourceLimitError` after ``seconds``.

    The worker cannot be killed: it is a daemon thread and is abandoned. The CLI
    exits the process right after reporting the error.
    """
    seconds = default_timeout() if seconds is None else seconds
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as err:  # re-raised in the caller's thread
            outcome["error"] = err

    worker = threading.Thread(target=target, name=f"kg-{what}", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise ResourceLimitError(
            f"{what} took longer than {seconds:g} s and was stopped (raise it with --timeout)"
        )
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


# Deepest nesting of elements (RDF/XML) or arrays and objects (JSON-LD) kg parses.
# Real data nests a few levels; Oxigraph's parsers slow down quadratically with depth
# (RDF/XML: 20,000 levels take 3 s, 100,000 take 89 s) and its JSON-LD parser overflows
# the stack and kills the process at about 10,000. Not configurable: raising it is unsafe.
MAX_NESTING = 256
