"""Worker processes for ``kg serve``: every query and page is computed in one, and ended on time.

A thread cannot be stopped, so a query that ran past ``--timeout`` used to keep
its CPU and memory until it finished on its own. Here the work runs in a small
pool of long-lived child processes, each with the store opened read-only: when
the time is up, the worker is killed (its CPU and memory go with it) and a
fresh one takes its place. The pool's size bounds how much runs at once; a
request that finds every worker busy waits up to :data:`QUEUE_WAIT` seconds,
then gets :class:`BusyError`, which says when to try again.

Work is a module-level function ``func(store, *args)`` (sent by reference, so
it must be importable) whose result can be pickled.

>>> pool = WorkerPool("build", size=2, timeout=30)  # doctest: +SKIP
>>> pool.call(run_on_store, spec, {}, what="the query")  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KgError, ResourceLimitError, StoreError
from kg.store.versions import current_version, open_store

QUEUE_WAIT = 2.0  # seconds a request waits for a free worker before "busy"
STARTUP_TIMEOUT = 120.0  # seconds a new worker may take to import kg and open the store
DEFAULT_WORKERS = 2


class BusyError(ResourceLimitError):
    """Every worker is busy: try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class StoreHandle:
    """The built store, opened read-only, and opened again after a new ``kg build``.

    ``kg build`` writes a new version and removes the old one, so a long-running
    worker looks at ``CURRENT`` on each task rather than holding one version.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        self._version: Path | None = None
        self._store: ox.Store | None = None

    def get(self) -> ox.Store:
        """The store of the version in use."""
        version = current_version(self.root)
        if self._store is None or version != self._version:
            self._store = None  # let RocksDB close the old version first
            self._store = open_store(self.root)
            self._version = version
        return self._store


def _error_reply(err: KgError) -> tuple[str, Any]:
    # Sent as class and message: some kg errors take other constructor arguments.
    return ("error", (type(err), str(err)))


def _rebuild_error(cls: type, message: str) -> KgError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    return err


def _die_with_parent() -> None:
    """On Linux, be killed when the parent (the forkserver, which ends with the server) ends.

    Without it, a worker deep in a long query would outlive a server killed with
    SIGKILL until the query ends on its own (between tasks it notices the closed
    pipe). A forked worker also holds the forkserver's "server alive" pipe, which
    keeps the forkserver running for as long as the worker: it is closed here.
    """
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    alive = getattr(server, "_forkserver_alive_fd", None)
    if isinstance(alive, int):
        with contextlib.suppress(OSError):
            os.close(alive)
        server._forkserver_alive_fd = None
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() == 1:  # the parent ended before the call above
        os._exit(0)


def serve_tasks(conn: Connection, root: str) -> None:
    """A worker's life: open the store, say ready, then answer tasks until the pipe closes."""
    # Ctrl+C reaches the whole process group; the parent ends its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    handle = StoreHandle(Path(root))
    try:
        handle.get()
        conn.send(("ready", None))
    except KgError as err:
        conn.send(_error_reply(err))
        return
    while True:
        try:
            func, args = conn.recv()
        except (EOFError, OSError):  # the server has gone
            return
        try:
            reply: tuple[str, Any] = ("ok", func(handle.get(), *args))
        except KgError as err:
            reply = _error_reply(err)
        except Exception:  # a bug: the server logs it and answers 500
            reply = ("crash", traceback.format_exc())
        conn.send(reply)


def _context():
    # forkserver: a worker forks from a small server that already imported kg, so a
    # replacement is ready in milliseconds, and it never inherits the web server's threads.
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["kg.web.workers", "kg.web.app"])
    return ctx


class _Timeout(Exception):
    pass


class _Died(Exception):
    pass


class _Worker:
    """One child process and the pipe to it."""

    def __init__(self, ctx, root: Path):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=serve_tasks, args=(child, str(root)), name="kg-serve-worker", daemon=True
        )
        self.process.start()
        child.close()
        self.ready = False

    def _receive(self) -> tuple[str, Any]:
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            raise _Died from None

    def _wait_ready(self) -> None:
        if self.ready:
            return
        if not self.conn.poll(STARTUP_TIMEOUT):
            raise _Died
        status, value = self._receive()
        if status == "error":
            raise _rebuild_error(*value)
        self.ready = True

    def run(self, func: Callable, args: tuple, timeout: float) -> Any:
        self._wait_ready()  # a new worker's start-up does not count against the task
        try:
            self.conn.send((func, args))
        except (BrokenPipeError, OSError):
            raise _Died from None
        if not self.conn.poll(timeout):
            raise _Timeout
        status, value = self._receive()
        if status == "ok":
            return value
        if status == "error":
            raise _rebuild_error(*value)
        raise RuntimeError(f"a kg serve worker failed:\n{value}")

    def stop(self) -> None:
        """Kill the process (it may be deep in a query) and reap it."""
        self.process.kill()
        self.process.join(10)
        self.conn.close()


class WorkerPool:
    """``size`` worker processes over the store in ``root``; each task has ``timeout`` seconds."""

    def __init__(self, root: Path | str, *, size: int = DEFAULT_WORKERS, timeout: float):
        self.root = Path(root)
        self.size = size
        self.timeout = timeout
        self._ctx = _context()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._deadlines: dict[int, float] = {}  # id(worker) -> when its task is stopped
        self._all: set[_Worker] = set()
        self._closed = False
        for _ in range(size):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        worker = _Worker(self._ctx, self.root)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> _Worker:
        with self._lock:
            self._all.discard(worker)
        worker.stop()
        return self._start()

    def _retry_after(self) -> int:
        """Whole seconds until the first busy worker is free at the latest."""
        with self._lock:
            soonest = min(self._deadlines.values(), default=time.monotonic() + self.timeout)
        return max(1, math.ceil(soonest - time.monotonic()))

    def call(self, func: Callable, *args: Any, what: str = "the query") -> Any:
        """``func(store, *args)`` in a free worker, stopped after ``timeout`` seconds.

        Raises :class:`BusyError` when no worker frees up within :data:`QUEUE_WAIT`
        seconds, :class:`ResourceLimitError` when the time is up (the worker is
        killed and replaced), and what ``func`` raised otherwise.
        """
        if self._closed:
            raise StoreError("the server is stopping")
        try:
            worker = self._idle.get(timeout=min(QUEUE_WAIT, self.timeout))
        except queue.Empty:
            retry = self._retry_after()
            raise BusyError(
                f"the server is busy: it computes at most {self.size} queries or pages at once;"
                f" try again in {retry} s",
                retry,
            ) from None
        key = id(worker)
        with self._lock:
            self._deadlines[key] = time.monotonic() + self.timeout
        try:
            return worker.run(func, args, self.timeout)
        except _Timeout:
            worker = self._replace(worker)
            raise ResourceLimitError(
                f"{what} took longer than {self.timeout:g} s and was stopped"
                " (raise it with --timeout)"
            ) from None
        except _Died:
            worker = self._replace(worker)
            raise StoreError(
                f"the process computing {what} ended unexpectedly (out of memory?); try again"
            ) from None
        except KgError:
            if not worker.ready:  # it could not open the store, and has ended
                worker = self._replace(worker)
            raise
        finally:
            with self._lock:
                self._deadlines.pop(key, None)
            if self._closed:
                worker.stop()
            else:
                self._idle.put(worker)

    def close(self) -> None:
        """End every worker, busy or not."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()
