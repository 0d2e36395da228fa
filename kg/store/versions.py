"""The embedded store: an Oxigraph (RocksDB) dataset, replaced atomically.

Layout of a store folder (``./build`` by default)::

    build/CURRENT        the name of the version in use
    build/v-<id>/        an Oxigraph store, never changed once CURRENT names it

Every write (``kg build``, ``kg add``) creates a new version beside the old one
and then renames ``CURRENT`` into place, so a reader always sees a whole store
and an interrupted write leaves the previous one in use.

>>> import tempfile, pyoxigraph as ox
>>> root = Path(tempfile.mkdtemp())
>>> q = ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x"))
>>> write_store(root, [q])
>>> len(open_store(root))
1
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError

CURRENT = "CURRENT"


def current_version(root: Path) -> Path | None:
    """The folder of the version in use, or None when nothing was built."""
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise StoreError(f"{root}: cannot read the store: {err.strerror}") from None
    version = root / name
    if not name or not version.is_dir():
        raise StoreError(
            f"{root}: the store is damaged ({CURRENT} names a missing version); run kg build again"
        )
    return version


def open_store(root: Path) -> ox.Store:
    """Open the built store read-only. Raises :class:`StoreError` when there is none."""
    root = Path(root)
    version = current_version(root)
    if version is None:
        raise StoreError(f"no built graph in {root}/: run kg build first (or pass --store)")
    try:
        return ox.Store.read_only(str(version))
    except OSError as err:
        raise StoreError(f"{root}: cannot open the store: {err}") from None


def write_store(root: Path, quads: Iterable[ox.Quad]) -> None:
    """Replace the store's content with ``quads``, atomically."""
    root = Path(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"{root}: cannot create the store folder: {err.strerror}") from None
    previous = current_version(root) if (root / CURRENT).exists() else None
    version = root / f"v-{uuid.uuid4().hex[:12]}"
    try:
        store = ox.Store(str(version))
        quads = iter(quads)
        # One bulk load of two million quads peaks at 1.4 GB; in chunks, at 0.4 GB.
        while chunk := list(itertools.islice(quads, 200_000)):
            store.bulk_extend(chunk)
        store.flush()
        store.optimize()
        del store  # releases RocksDB's lock before the version goes live
        pointer = root / f".{CURRENT}.{version.name}.tmp"
        pointer.write_text(version.name + "\n", encoding="utf-8")
        os.replace(pointer, root / CURRENT)
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise
    _remove_stale_versions(root, keep={version.name})
    del previous


def _remove_stale_versions(root: Path, keep: set[str]) -> None:
    for child in root.iterdir():
        if child.name.startswith("v-") and child.name not in keep and child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        elif child.name.startswith(f".{CURRENT}.") and child.name.endswith(".tmp"):
            child.unlink(missing_ok=True)
