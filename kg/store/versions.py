"""The embedded store: an Oxigraph (RocksDB) dataset, replaced atomically.

Layout of a store folder (``./build`` by default)::

    build/CURRENT          the name of the version in use
    build/v-<id>/          an Oxigraph store, never changed once CURRENT names it
    build/v-<id>/kg-version  the marker that says kg made this folder
    build/kg-write.lock    the writers' lock (see :mod:`kg.store.lock`)

Every write (``kg build``, ``kg add``) creates a new version beside the old one
and then renames ``CURRENT`` into place, so a reader always sees a whole store
and an interrupted write leaves the previous one in use. Writers hold the
store's write lock, so only one writes at a time; old versions are removed
under that lock, and only folders holding kg's marker.

>>> import tempfile, pyoxigraph as ox
>>> root = Path(tempfile.mkdtemp())
>>> q = ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x"))
>>> write_store(root, [q])
>>> len(open_store(root))
1
"""

from __future__ import annotations

import errno
import itertools
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError
from kg.store.lock import write_lock

CURRENT = "CURRENT"
MARKER = "kg-version"
MARKER_TEXT = "a store version written by kg; kg build and kg add remove it when it is stale\n"
VERSION_NAME = re.compile(r"v-[A-Za-z0-9_-]{1,64}")
MAX_POINTER_BYTES = 128
# How Oxigraph says a store is in another version's format (0.3/0.4 stores opened by 0.5,
# or the reverse): "...upgrade read-only Oxigraph instances...", "...outdated encoding
# version...", "...too recent version...".
OTHER_FORMAT_WORDS = ("upgrade", "oxigraph version", "encoding version", "too recent")
REBUILD_ADVICE = (
    "restore it from a backup, or run kg build --fresh, which rebuilds it from the seeds"
    " only (add the files brought in with kg add again)"
)


def damaged(root: Path, what: str) -> StoreError:
    """The one-line error for a store that cannot be read, with what to do."""
    return StoreError(f"{root}: the store is damaged ({what}); {REBUILD_ADVICE}")


def _read_pointer(root: Path) -> str | None:
    """The version name ``CURRENT`` holds, checked; None when there is no ``CURRENT``."""
    try:
        with open(root / CURRENT, "rb") as file:
            raw = file.read(MAX_POINTER_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise StoreError(f"{root}: cannot read the store: {err.strerror}") from None
    name = raw.decode("ascii", "replace").strip()
    # A plain folder name: never a path that leads out of the store, never megabytes.
    if len(raw) > MAX_POINTER_BYTES or not VERSION_NAME.fullmatch(name):
        raise damaged(root, f"{CURRENT} does not hold a version name")
    return name


def current_version(root: Path) -> Path | None:
    """The folder of the version in use, or None when nothing was built."""
    root = Path(root)
    name = _read_pointer(root)
    if name is None:
        return None
    if not (root / name).is_dir():
        # A writer may have switched, and removed this version, since we read CURRENT.
        again = _read_pointer(root)
        if again is None or again == name or not (root / again).is_dir():
            raise damaged(root, f"{CURRENT} names a missing version")
        name = again
    return root / name


def open_store(root: Path) -> ox.Store:
    """Open the built store read-only. Raises :class:`StoreError` when there is none,
    or when it cannot be opened (damaged files, another Oxigraph version's format)."""
    root = Path(root)
    for attempt in range(3):  # a writer may remove the version between CURRENT and opening
        version = current_version(root)
        if version is None:
            raise StoreError(f"no built graph in {root}/: run kg build first (or pass --store)")
        try:
            return ox.Store.read_only(str(version))
        except (OSError, RuntimeError) as err:
            if attempt == 2 or current_version(root) == version:
                raise _open_error(root, version, err) from None
    raise AssertionError("unreachable")


def _open_error(root: Path, version: Path, err: BaseException) -> StoreError:
    text = _first_line(err)
    lowered = text.lower()
    if any(word in lowered for word in OTHER_FORMAT_WORDS):
        return StoreError(
            f"{root}: the store was written by another version of Oxigraph ({text}); open it"
            " with the kg that wrote it and kg export --format trig it, or run kg build --fresh"
            " and add your files again"
        )
    return damaged(root, f"{version.name}: {text}")


def _first_line(err: BaseException, limit: int = 200) -> str:
    """An Oxigraph or RocksDB message cut to one short line (some carry whole files)."""
    lines = str(err).strip().splitlines()
    text = lines[0].strip() if lines else type(err).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_store(root: Path, quads: Iterable[ox.Quad]) -> None:
    """Replace the store's content with ``quads``, atomically.

    Holds the store's write lock while it writes (callers that read the store
    first take it around their read-modify-write; see :mod:`kg.store.lock`).
    """
    root = Path(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"{root}: cannot create the store folder: {err.strerror}") from None
    source = _Chunks(quads)
    with write_lock(root):
        version = root / f"v-{uuid.uuid4().hex[:12]}"
        try:
            version.mkdir()
            # The marker comes first, so that a write killed at any point leaves a
            # folder the next writer knows it may remove.
            (version / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            store = ox.Store(str(version))
            for chunk in source.chunks():
                store.bulk_extend(chunk)
            store.flush()
            store.optimize()
            del store  # releases RocksDB's lock before the version goes live
            pointer = root / f".{CURRENT}.{version.name}.tmp"
            pointer.write_text(version.name + "\n", encoding="utf-8")
            os.replace(pointer, root / CURRENT)
        except (OSError, RuntimeError) as err:
            shutil.rmtree(version, ignore_errors=True)
            if source.failed:  # the caller's error, not the disk's
                raise
            raise _write_error(root, err) from None
        except BaseException:
            shutil.rmtree(version, ignore_errors=True)
            raise
        _remove_stale_versions(root, keep=version.name)


class _Chunks:
    """The quads to write, a chunk at a time (one bulk load of two million quads peaks
    at 1.4 GB; in chunks, at 0.4 GB), noting whether producing them failed."""

    size = 200_000

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        self.quads = iter(quads)
        self.failed = False

    def chunks(self) -> Iterator[list[ox.Quad]]:
        while True:
            try:
                chunk = list(itertools.islice(self.quads, self.size))
            except BaseException:
                self.failed = True
                raise
            if not chunk:
                return
            yield chunk


def _write_error(root: Path, err: BaseException) -> StoreError:
    text = _first_line(err)
    if getattr(err, "errno", None) == errno.ENOSPC or "No space left" in text:
        return StoreError(
            f"{root}: no space left on the device; nothing was changed (free some space and"
            " run the command again)"
        )
    if getattr(err, "errno", None) == errno.EDQUOT or "quota" in text.lower():
        return StoreError(f"{root}: disk quota exceeded; nothing was changed")
    if isinstance(err, OSError) and err.errno and err.strerror:  # Python's own: no path
        text = err.strerror
    return StoreError(f"{root}: cannot write the store ({text}); nothing was changed")


def _remove_stale_versions(root: Path, keep: str) -> None:
    """Remove the versions kg made that are no longer in use: only folders holding kg's
    marker, never ``keep`` (the version just switched to). Called under the write lock,
    so no other writer is filling one of them."""
    try:
        in_use = {keep, _read_pointer(root)}
    except StoreError:
        in_use = {keep}
    for child in root.iterdir():
        if child.name.startswith("v-") and child.name not in in_use and (child / MARKER).is_file():
            shutil.rmtree(child, ignore_errors=True)
        elif child.name.startswith(f".{CURRENT}.") and child.name.endswith(".tmp"):
            child.unlink(missing_ok=True)
