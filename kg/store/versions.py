"""The embedded store: an Oxigraph (RocksDB) dataset, replaced atomically.

Layout of a store folder (``./build`` by default)::

    build/CURRENT        the name of the version in use
    build/v-<id>/        an Oxigraph store, never changed once CURRENT names it

Every write (``kg build``, ``kg add``) creates a new version beside the old one
and then renames ``CURRENT`` into place, so a reader always sees a whole store
and an interrupted write leaves the previous one in use.

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

import itertools
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError
from kg.rdf.namespaces import GRAPH_INFERRED

CURRENT = "CURRENT"
_CHUNK = 200_000  # quads per bulk load: one load of two million peaks at 1.4 GB, chunks at 0.4


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


def open_store(root: Path, *, merged: bool = True) -> ox.Store:
    """Open the built store read-only. Raises :class:`StoreError` when there is none.

    ``merged``: the caller reads the merged default graph (queries do), so a store
    written by an earlier kg, whose default graph is empty, is refused with a message
    saying to build again. Readers of the named graphs only pass False.
    """
    root = Path(root)
    version = current_version(root)
    if version is None:
        raise StoreError(f"no built graph in {root}/: run kg build first (or pass --store)")
    try:
        store = ox.Store.read_only(str(version))
    except OSError as err:
        raise StoreError(f"{root}: cannot open the store: {err}") from None
    if merged and not has_merged_default_graph(store):
        raise StoreError(
            f"{root}: the store was written by an earlier version of kg, without the merged"
            " default graph that queries read; run kg build again"
        )
    return store


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


def write_store(root: Path, quads: Iterable[ox.Quad]) -> None:
    """Replace the store's content with ``quads``, atomically, adding the merged default
    graph (see the module's documentation) in the same write."""
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
        while chunk := list(itertools.islice(quads, _CHUNK)):
            store.bulk_extend(chunk)
            store.bulk_extend(_merged_copies(chunk))  # the store keeps each quad once
        _drop_inferences_also_asserted(store)
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


def _remove_stale_versions(root: Path, keep: set[str]) -> None:
    for child in root.iterdir():
        if child.name.startswith("v-") and child.name not in keep and child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        elif child.name.startswith(f".{CURRENT}.") and child.name.endswith(".tmp"):
            child.unlink(missing_ok=True)
