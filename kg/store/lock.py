"""One writer at a time: an advisory lock on a file in the store folder.

``kg build`` and ``kg add`` read the store, compute a new version and switch to
it. Two of them at once would each write a version that lacks the other's
change, and one's cleanup could delete the version the other is filling. So a
writer holds :func:`write_lock` from before it reads the store until after the
switch; a second writer waits for it (up to a time limit) or stops with an
error naming the holder. Readers take no lock: versions are never changed once
``CURRENT`` names them.

The lock is ``fcntl.flock`` on ``STORE/kg-write.lock``, which holds the pid and
command of its holder for the message. The operating system releases it when
the holder's process ends, killed or not, so a crash never leaves the store
locked. The lock is re-entrant within a thread (``write_store`` takes it too,
for callers of the API that did not).

>>> import tempfile
>>> root = Path(tempfile.mkdtemp())
>>> with write_lock(root):
...     with write_lock(root):  # re-entrant
...         holder(root)["pid"] == os.getpid()
True
"""

from __future__ import annotations

import fcntl
import os
import shlex
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.errors import StoreError

LOCK_FILE = "kg-write.lock"
MAX_COMMAND_CHARS = 200  # kg add with 10,000 files would otherwise fill the message
POLL_SECONDS = 0.05

_held: dict[tuple[int, Path], int] = {}  # (thread, store folder) -> depth


@contextmanager
def write_lock(
    root: Path | str,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the store's write lock for the ``with`` block.

    Waits up to ``timeout`` seconds (``$KG_TIMEOUT`` or 300 by default) for another
    writer, telling ``on_wait`` once who it waits for; then raises :class:`StoreError`
    naming that writer. The store folder must exist.
    """
    from kg.rdf.limits import default_timeout

    root = Path(root)
    key = (threading.get_ident(), root.resolve())
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    seconds = default_timeout() if timeout is None else timeout
    fd = _open(root)
    try:
        _acquire(fd, root, seconds, on_wait)
        _write_holder(fd)
        _held[key] = 1
        try:
            yield
        finally:
            del _held[key]
    finally:
        os.close(fd)  # releases the lock


def holder(root: Path | str) -> dict | None:
    """The pid and command of the last process that took the lock, or None.

    Only meaningful while the lock is held: the file keeps the last holder's
    details after it is released."""
    try:
        with open(Path(root) / LOCK_FILE, "rb") as file:
            raw = file.read(MAX_COMMAND_CHARS * 4 + 64)
    except OSError:
        return None
    lines = raw.decode("utf-8", "replace").splitlines()
    if not lines or not lines[0].strip().isdigit():
        return None
    return {"pid": int(lines[0]), "command": lines[1] if len(lines) > 1 else ""}


def _open(root: Path) -> int:
    path = root / LOCK_FILE
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except FileNotFoundError:
        message = f"no built graph in {root}/: run kg build first (or pass --store)"
        raise StoreError(message) from None
    except OSError as err:
        raise StoreError(f"{root}: cannot lock the store for writing: {err.strerror}") from None


def _acquire(fd: int, root: Path, seconds: float, on_wait: Callable[[str], None] | None) -> None:
    deadline = time.monotonic() + seconds
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        except OSError as err:  # ENOLCK: a file system without locks (some NFS mounts)
            raise StoreError(f"{root}: cannot lock the store for writing: {err.strerror}") from None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise StoreError(
                f"{root}: {_describe(root)} is writing this store; gave up waiting after"
                f" {seconds:g} s (raise it with --timeout)"
            )
        if on_wait is not None and not told:
            on_wait(f"{root}: waiting for {_describe(root)} to finish writing this store")
            told = True
        time.sleep(min(POLL_SECONDS, remaining))


def _describe(root: Path) -> str:
    """'another kg process (pid 42: kg add a.ttl)', from the lock file."""
    found = holder(root)
    if found is None or not _alive(found["pid"]):  # the record of an earlier holder
        return "another kg process"
    command = f": {found['command']}" if found["command"] else ""
    return f"another kg process (pid {found['pid']}{command})"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _write_holder(fd: int) -> None:
    """Record who holds the lock; best effort (a full disk must not stop the write)."""
    record = f"{os.getpid()}\n{_command()}\n".encode()
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, record, 0)
    except OSError:
        pass


def _command() -> str:
    """This process's command line, as the person typed it, on one short line."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name in ("kg", "kg.__main__"):
        program = "kg"
    else:
        program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    text = shlex.join([program, *sys.argv[1:]])
    text = "".join(c if c.isprintable() else "?" for c in text)
    if len(text) > MAX_COMMAND_CHARS:
        text = text[: MAX_COMMAND_CHARS - 1] + "…"
    return text
