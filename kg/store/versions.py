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

The graphs of a version. Each source keeps its own named graph (provenance: which
source states what). The store's *default graph* holds the RDF merge of every named
graph but the inferences: each triple once, however many sources state it. The
inferences (``kgg:inferred``) are kept disjoint from it. So a query whose default
graph is the store's default graph plus ``kgg:inferred`` sees every triple exactly
once (SPARQL's set semantics), where Oxigraph's union default graph would give a
triple once per graph holding it and make ``COUNT`` and joins repeat it; and
``--asserted`` is the default graph alone. ``GRAPH ?g`` still sees the sources.

>>> import tempfile, pyoxigraph as ox
>>> root = Path(tempfile.mkdtemp())
>>> a, p = ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p")
>>> stated = [ox.Quad(a, p, ox.Literal("x"), ox.NamedNode(f"http://e/g{n}")) for n in (1, 2)]
>>> write_store(root, stated)
>>> store = open_store(root)
>>> len(store), len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph())))
(3, 1)
"""

from __future__ import annotations

import contextlib
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
from kg.rdf.namespaces import GRAPH_INFERRED
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


def open_store(root: Path, *, merged: bool = True) -> ox.Store:
    """Open the built store read-only. Raises :class:`StoreError` when there is none,
    or when it cannot be opened (damaged files, another Oxigraph version's format).

    ``merged``: the caller reads the merged default graph (queries do), so a store
    written by an earlier kg, whose default graph is empty, is refused with a message
    saying to build again. Readers of the named graphs only pass False.
    """
    root = Path(root)
    for attempt in range(3):  # a writer may remove the version between CURRENT and opening
        version = current_version(root)
        if version is None:
            raise StoreError(f"no built graph in {root}/: run kg build first (or pass --store)")
        try:
            store = ox.Store.read_only(str(version))
        except (OSError, RuntimeError) as err:
            if attempt == 2 or current_version(root) == version:
                raise _open_error(root, version, err) from None
            continue
        if merged and not has_merged_default_graph(store):
            raise StoreError(
                f"{root}: the store was written by an earlier version of kg, without the merged"
                " default graph that queries read; run kg build again"
            )
        return store
    raise AssertionError("unreachable")


def has_merged_default_graph(store: ox.Store) -> bool:
    """Whether ``store`` has the merged default graph (an empty store needs none)."""
    default = ox.DefaultGraph()
    if next(iter(store.quads_for_pattern(None, None, None, default)), None) is not None:
        return True
    return all(g.value == GRAPH_INFERRED for g in store.named_graphs())


def source_quads(store: ox.Store, subject=None, predicate=None, obj=None) -> Iterator[ox.Quad]:
    """The quads matching the pattern in the named graphs, each with the graph that
    states it; never the default graph's merged copy.

    >>> import pyoxigraph as ox
    >>> store = ox.Store()
    >>> a, p = ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p")
    >>> store.extend([ox.Quad(a, p, a, ox.NamedNode("http://e/g")), ox.Quad(a, p, a)])
    >>> [q.graph_name.value for q in source_quads(store, a)]
    ['http://e/g']
    """
    for quad in store.quads_for_pattern(subject, predicate, obj, None):
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            yield quad


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
    """Replace the store's content with ``quads``, atomically, adding the merged default
    graph (see the module's documentation) in the same write.

    Holds the store's write lock while it writes (callers that read the store
    first take it around their read-modify-write; see :mod:`kg.store.lock`).
    """
    source = _Chunks(quads)

    def fill(version: Path) -> None:
        version.mkdir()
        # The marker comes first, so that a write killed at any point leaves a
        # folder the next writer knows it may remove.
        (version / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        store = ox.Store(str(version))
        for chunk in source.chunks():
            store.bulk_extend(chunk)
            store.bulk_extend(_merged_copies(chunk))  # the store keeps each quad once
        _drop_inferences_also_asserted(store)
        store.flush()
        store.optimize()

    _write_version(root, fill, source)


def patch_store(root: Path, remove: Iterable[ox.Quad], add: Iterable[ox.Quad]) -> None:
    """Write a new version that is the current one without the quads of ``remove`` and
    with those of ``add`` (named graphs; the merged default graph follows), atomically.

    The cost follows the change, not the store (see :func:`staged_version`). Raises
    :class:`StoreError` when nothing was built.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> a, p = ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p")
    >>> g1, g2 = ox.NamedNode("http://e/g1"), ox.NamedNode("http://e/g2")
    >>> x, y = ox.Quad(a, p, ox.Literal("x"), g1), ox.Quad(a, p, ox.Literal("y"), g2)
    >>> write_store(root, [x])
    >>> patch_store(root, remove=[x], add=[y])
    >>> merged = open_store(root).quads_for_pattern(None, None, None, ox.DefaultGraph())
    >>> [str(q.object) for q in merged]
    ['"y"']
    """
    source = _Chunks(add)
    with staged_version(root) as stage:
        try:
            _apply(stage.store, remove, source.chunks())
        except (OSError, RuntimeError) as err:
            if source.failed:  # the caller's error, not the disk's
                raise
            raise _write_error(Path(root), err) from None
        stage.commit()


def apply_change(store: ox.Store, remove: Iterable[ox.Quad], add: Iterable[ox.Quad]) -> None:
    """Remove the quads of ``remove`` from ``store`` and add those of ``add``, keeping
    the default graph the merge of the source graphs: a triple leaves it when no source
    graph states it any more; an inference that a source now states leaves
    ``kgg:inferred``, and a new inference that a source states is not kept."""
    _apply(store, remove, _Chunks(add).chunks())


def _apply(store: ox.Store, remove: Iterable[ox.Quad], chunks: Iterable[list[ox.Quad]]) -> None:
    inferred, default = ox.NamedNode(GRAPH_INFERRED), ox.DefaultGraph()
    maybe_unstated = []
    for quad in remove:
        store.remove(quad)
        if quad.graph_name != inferred:
            maybe_unstated.append(quad)
    for chunk in chunks:
        store.extend(chunk)
        copies = _merged_copies(chunk)
        store.extend(copies)
        for copy in copies:  # now stated: not an inference any more
            store.remove(ox.Quad(copy.subject, copy.predicate, copy.object, inferred))
        for quad in chunk:  # an inference equal in value to a stated triple
            triple = (quad.subject, quad.predicate, quad.object)
            if quad.graph_name == inferred and ox.Quad(*triple, default) in store:
                store.remove(quad)
    for quad in maybe_unstated:
        triple = (quad.subject, quad.predicate, quad.object)
        stated = any(
            isinstance(q.graph_name, ox.NamedNode) and q.graph_name != inferred
            for q in store.quads_for_pattern(*triple, None)
        )
        if not stated:
            store.remove(ox.Quad(*triple, default))


class Stage:
    """A new version being written (:func:`staged_version`): ``store`` is open for
    writing; :meth:`commit` makes it the one in use."""

    def __init__(self, root: Path, folder: Path, store: ox.Store) -> None:
        self.root, self.folder, self.store = root, folder, store
        self.committed = False

    def commit(self) -> None:
        """Flush and close the store, then switch ``CURRENT`` to this version."""
        try:
            self.store.flush()
            self.store = None  # closes RocksDB before the version goes live
            pointer = self.root / f".{CURRENT}.{self.folder.name}.tmp"
            pointer.write_text(self.folder.name + "\n", encoding="utf-8")
            os.replace(pointer, self.root / CURRENT)
        except (OSError, RuntimeError) as err:
            raise _write_error(self.root, err) from None
        self.committed = True


@contextlib.contextmanager
def staged_version(root: Path) -> Iterator[Stage]:
    """A new version that starts as a copy of the current one, for a change to be written
    into (and read back: validated, reasoned over) before it goes live; removed unless
    committed. Holds the write lock throughout.

    The copy is a RocksDB checkpoint: hard links to the current version's immutable
    files, a few milliseconds at any size, so the cost of a write follows the change,
    not the store. Raises :class:`StoreError` when nothing was built.
    """
    root = Path(root)
    if current_version(root) is None:
        raise StoreError(f"no built graph in {root}/: run kg build first (or pass --store)")
    with write_lock(root):
        current = current_version(root)
        if current is None:
            raise StoreError(f"no built graph in {root}/: run kg build first (or pass --store)")
        folder = root / f"v-{uuid.uuid4().hex[:12]}"
        try:
            ox.Store.read_only(str(current)).backup(str(folder))
            (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            stage = Stage(root, folder, ox.Store(str(folder)))
        except (OSError, RuntimeError) as err:
            shutil.rmtree(folder, ignore_errors=True)
            raise _write_error(root, err) from None
        try:
            yield stage  # the caller's errors pass as they are, but for a full disk
        except (OSError, RuntimeError) as err:
            _discard(stage, folder)
            if _out_of_space(err):
                raise _write_error(root, err) from None
            raise
        except BaseException:
            _discard(stage, folder)
            raise
        if not stage.committed:
            _discard(stage, folder)
            return
        _remove_stale_versions(root, keep=folder.name)


def _discard(stage: Stage | None, folder: Path) -> None:
    if stage is not None:
        stage.store = None
    shutil.rmtree(folder, ignore_errors=True)


def _write_version(root: Path, fill, source: _Chunks) -> None:
    """Make a new version with ``fill(folder)`` under the write lock, then switch
    ``CURRENT`` to it; on any failure remove it and leave the store as it was."""
    root = Path(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"{root}: cannot create the store folder: {err.strerror}") from None
    with write_lock(root):
        version = root / f"v-{uuid.uuid4().hex[:12]}"
        try:
            fill(version)  # the Oxigraph store must be closed when it returns
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


def _merged_copies(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The default-graph copies of ``quads`` that belong to the merge: all but inferences."""
    default = ox.DefaultGraph()
    return [
        ox.Quad(q.subject, q.predicate, q.object, default)
        for q in quads
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value != GRAPH_INFERRED
    ]


def _drop_inferences_also_asserted(store: ox.Store) -> None:
    """Keep ``kgg:inferred`` disjoint from the merge, so that a query over both sees each
    triple once. The reasoner adds only new triples, but the store keeps values, not
    lexical forms, so an inference can become equal to an asserted triple here
    (``"5"^^xsd:int`` and ``"5"^^xsd:integer``); it is asserted, so it goes."""
    store.update(
        f"DELETE {{ GRAPH <{GRAPH_INFERRED}> {{ ?s ?p ?o }} }}"
        f" WHERE {{ GRAPH <{GRAPH_INFERRED}> {{ ?s ?p ?o }} ?s ?p ?o }}"
    )


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


def _out_of_space(err: BaseException) -> bool:
    """Whether ``err`` (Python's or RocksDB's) says the disk or the quota is full."""
    text = str(err)
    return getattr(err, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or any(
        words in text for words in ("No space left", "quota")
    )


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
