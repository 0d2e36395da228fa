"""Time and size limits for work that untrusted input can make slow or big.

Every limit read from the environment or the command line is checked here, so a
value such as ``nan``, ``inf``, ``-1`` or ``99999999999G`` is one line of error,
never an exception deep inside a library.

>>> run_with_timeout(lambda: 6 * 7, 5, "answer")
42
>>> parse_seconds("2.5", "--timeout"), parse_size("2M", "KG_MAX_INPUT_BYTES")
(2.5, 2097152)
"""

from __future__ import annotations

import functools
import math
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from kg.errors import ResourceLimitError, UsageError

T = TypeVar("T")
R = TypeVar("R")
TIMEOUT_ENV = "KG_TIMEOUT"
DEFAULT_TIMEOUT = 300.0
MIN_TIMEOUT = 0.001
# About 11.5 days: longer is a mistake, and the standard library's waits overflow near
# 2**63 ns (``inf`` raised OverflowError from threading).
MAX_TIMEOUT = 1_000_000.0
MAX_INPUT_ENV = "KG_MAX_INPUT_BYTES"
DEFAULT_MAX_INPUT_BYTES = 512 * 1024 * 1024
MAX_ANSWER_ENV = "KG_MAX_ANSWER_BYTES"
DEFAULT_MAX_ANSWER_BYTES = 512 * 1024 * 1024
# 1 TiB: far above any memory kg could use, far below what an index can hold.
MAX_SIZE_LIMIT = 1024**4
_SIZE = re.compile(r"\s*(\d{1,16})\s*([KMGT]?)i?B?\s*", re.IGNORECASE)


def parse_seconds(raw: str | float, name: str) -> float:
    """A time limit in seconds, from ``MIN_TIMEOUT`` to ``MAX_TIMEOUT``; ``name`` is
    the option or variable named in the error.

    >>> parse_seconds("nan", "KG_TIMEOUT")
    Traceback (most recent call last):
    ...
    kg.errors.UsageError: KG_TIMEOUT must be a number of seconds from 0.001 to 1000000, not 'nan'
    """
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if not (MIN_TIMEOUT <= value <= MAX_TIMEOUT):  # also false for nan
        shown = raw if isinstance(raw, str) else f"{raw:g}"
        raise UsageError(
            f"{name} must be a number of seconds from {MIN_TIMEOUT:g} to {MAX_TIMEOUT:.0f},"
            f" not {shown!r}"
        )
    return value


def default_timeout() -> float:
    """Seconds a query, validation or reasoning may take: ``$KG_TIMEOUT`` or 300."""
    raw = os.environ.get(TIMEOUT_ENV)
    if not raw:
        return DEFAULT_TIMEOUT
    return parse_seconds(raw, TIMEOUT_ENV)


def check_seconds(seconds: float | None) -> float:
    """``seconds`` given through the Python API, checked; None means :func:`default_timeout`."""
    return default_timeout() if seconds is None else parse_seconds(seconds, "the timeout")


def parse_size(raw: str | int, name: str) -> int:
    """A size in bytes (``1048576``, ``512K``, ``2M``, ``1G``, ``1T``), from 1 byte to 1 TiB.

    >>> parse_size("99999999999G", "KG_MAX_INPUT_BYTES")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.UsageError: KG_MAX_INPUT_BYTES must be a number of bytes from 1 to 1T ...
    """
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        match = _SIZE.fullmatch(str(raw))
        value = (
            int(match.group(1)) * 1024 ** " KMGT".index(match.group(2).upper() or " ")
            if match
            else 0
        )
    if not 1 <= value <= MAX_SIZE_LIMIT:
        raise UsageError(
            f"{name} must be a number of bytes from 1 to 1T (e.g. 1073741824 or 1G), not {raw!r}"
        )
    return value


def size_from_env(name: str, default: int) -> int:
    """The size in ``$name`` (see :func:`parse_size`), or ``default`` when unset."""
    raw = os.environ.get(name)
    return default if not raw else parse_size(raw, name)


def max_answer_bytes() -> int:
    """The largest answer kg reads from a remote store: ``$KG_MAX_ANSWER_BYTES`` or 512 MiB."""
    return size_from_env(MAX_ANSWER_ENV, DEFAULT_MAX_ANSWER_BYTES)


def run_with_timeout(work: Callable[[], T], seconds: float | None, what: str) -> T:
    """Run ``work`` in a worker thread; raise :class:`ResourceLimitError` after ``seconds``.

    The worker cannot be killed: it is a daemon thread and is abandoned. The CLI
    exits the process right after reporting the error.
    """
    seconds = check_seconds(seconds)
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


def iterate_with_timeout(items: Iterable[T], seconds: float | None, what: str) -> Iterator[T]:
    """The items of ``items``, produced in a worker thread; :class:`ResourceLimitError`
    once ``seconds`` have passed since the first was asked for.

    For a parser that can be slow on small input: unlike :func:`run_with_timeout`, the
    items are handed over in batches as they come, never all held at once.

    >>> list(iterate_with_timeout(range(3), 5, "counting"))
    [0, 1, 2]
    """
    seconds = check_seconds(seconds)
    end = time.monotonic() + seconds
    handover: queue.Queue = queue.Queue(maxsize=4)
    stop = threading.Event()

    def put(message: tuple) -> bool:
        while not stop.is_set():
            try:
                handover.put(message, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def target() -> None:
        batch: list = []
        try:
            for item in items:
                batch.append(item)
                if len(batch) >= 4096:
                    if not put(("items", batch)):
                        return
                    batch = []
        except BaseException as err:  # re-raised in the caller's thread
            put(("items", batch))
            put(("error", err))
            return
        put(("items", batch))
        put(("done", None))

    worker = threading.Thread(target=target, name=f"kg-{what}", daemon=True)
    worker.start()
    try:
        while True:
            try:
                kind, value = handover.get(timeout=max(end - time.monotonic(), 0))
            except queue.Empty:
                raise ResourceLimitError(
                    f"{what} took longer than {seconds:g} s and was stopped"
                    " (raise it with --timeout)"
                ) from None
            if kind == "items":
                yield from value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()


# Deepest nesting of elements (RDF/XML) or arrays and objects (JSON-LD) kg parses.
# Real data nests a few levels; Oxigraph's parsers slow down quadratically with depth
# (RDF/XML: 20,000 levels take 3 s, 100,000 take 89 s) and its JSON-LD parser overflows
# the stack and kills the process at about 10,000. Not configurable: raising it is unsafe.
MAX_NESTING = 256


# Deepest nesting of JSON-LD contexts inside contexts (a term's scoped context holding a
# term with its own scoped context, ...). Oxigraph's context processing grows with the
# cube of this depth (80 levels: minutes); real contexts nest one or two levels.
MAX_CONTEXT_NESTING = 8

# The time limit of the command running now, for work deep below it (parsing JSON-LD,
# whose contexts can make it slow) that is not given a ``timeout`` of its own.
_work_timeout: float | None = None


@contextmanager
def time_limit(seconds: float | None) -> Iterator[float]:
    """Make ``seconds`` (None: :func:`default_timeout`) the limit :func:`work_timeout`
    gives to slow work inside the ``with`` block."""
    global _work_timeout
    previous, _work_timeout = _work_timeout, check_seconds(seconds)
    try:
        yield _work_timeout
    finally:
        _work_timeout = previous


def work_timeout() -> float:
    """The time limit of the command running now (see :func:`time_limit`)."""
    return _work_timeout if _work_timeout is not None else default_timeout()


def with_time_limit(func: Callable[..., T]) -> Callable[..., T]:
    """Run ``func`` under :func:`time_limit` of its ``timeout`` keyword argument."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs) -> T:
        with time_limit(kwargs.get("timeout")):
            return func(*args, **kwargs)

    return wrapper


def side_by_side(work: Callable[[T], R], items: list[T]) -> list[R]:
    """``[work(item) for item in items]``, as many at once as there are cores (Oxigraph
    evaluates a query or an update without holding the GIL: 15.9 s of checks at a
    million triples take 6.8 s on 2 cores). The first error is raised once all have
    stopped. Daemon threads named ``kg-work``: a run stopped by ``--timeout`` does not
    wait for them (the CLI exits at once while a ``kg-`` thread is alive).

    >>> side_by_side(len, ["a", "bb", "ccc"])
    [1, 2, 3]
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    results: list = [None] * len(items)
    errors: list[BaseException] = []
    pending = iter(range(len(items)))
    lock = threading.Lock()

    def worker() -> None:
        while not errors:
            with lock:
                index = next(pending, None)
            if index is None:
                return
            try:
                results[index] = work(items[index])
            except BaseException as err:  # raised in the caller's thread
                errors.append(err)

    threads = [
        threading.Thread(target=worker, name="kg-work", daemon=True)
        for _ in range(max(1, min(cores, 4, len(items))))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def in_background(work: Callable[[], None]) -> Callable[[], None]:
    """Start ``work`` in a daemon thread named ``kg-work`` (see :func:`side_by_side`);
    the function returned waits for it and raises what it raised.

    >>> wait = in_background(lambda: None)
    >>> wait()
    """
    errors: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as err:  # raised in the caller's thread
            errors.append(err)

    thread = threading.Thread(target=target, name="kg-work", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if errors:
            raise errors[0]

    return wait
