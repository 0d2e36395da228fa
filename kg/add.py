"""Bring new data into the built graph, only if it conforms.

Each file is parsed and validated against the shapes together with what the
graph already holds (in a throwaway in-memory store). If everything conforms,
each file becomes its own named graph (``kgg:added/NAME-HASH``, with its file name, checksum and the
time it was added in ``kgg:meta``), the inferences are recomputed, and the new
store version replaces the old one atomically. Otherwise nothing changes.

>>> added_graph_name("data/new facts.ttl", b"x")
'https://w3id.org/kg/graph/added-new-facts-2d711642'
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kg.errors import NotConformingError, UsageError
from kg.rdf.limits import with_time_limit
from kg.rdf.namespaces import GRAPH_INFERRED, GRAPH_META, KG, PREFIXES, added_graph_name

DCTERMS = PREFIXES["dcterms"]
PROV = PREFIXES["prov"]


@dataclass
class AddResult:
    """What was added: the graphs and their triple counts, and the new inference count."""

    graphs: dict[str, int] = field(default_factory=dict)
    inferred_triples: int = 0
    warnings: list[str] = field(default_factory=list)  # ill-typed literals no shape covers


@with_time_limit
def add(
    files: Iterable[str | Path],
    *,
    store: Path | str | None = None,
    input_format: str | None = None,
    shapes: Path | str | None = None,
    ontology: Path | str | None = None,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> AddResult:
    """Validate ``files`` with the built graph and add them if everything conforms.

    Raises :class:`~kg.errors.NotConformingError` (store unchanged) when they do not.
    Holds the store's write lock from reading the graph to switching to the new
    version; waits up to ``timeout`` seconds for another writer (``on_wait`` is told
    whom it waits for), then raises :class:`~kg.errors.StoreError`. ``timeout`` also
    bounds validation and reasoning.
    """
    from kg.rdf.resources import default_store
    from kg.store.lock import write_lock
    from kg.store.versions import open_store

    files = [Path(f) for f in files]
    if not files:
        raise UsageError("kg add needs at least one file")
    store_root = Path(store) if store else default_store()
    # A missing or damaged store is reported before any waiting; one of an earlier kg
    # (no merged default graph) is not refused: the add rewrites it.
    open_store(store_root, merged=False)
    with write_lock(store_root, timeout, on_wait):
        return _add_locked(files, store_root, input_format, shapes, ontology, timeout)


def _add_locked(
    files: list[Path],
    store_root: Path,
    input_format: str | None,
    shapes: Path | str | None,
    ontology: Path | str | None,
    timeout: float | None,
) -> AddResult:
    """:func:`add`, under the store's write lock: what it reads is what it replaces."""
    import pyoxigraph as ox
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    from kg.engine.reasoning import closure, incremental_closure
    from kg.engine.validation import ill_typed_warnings, load_ontology, load_shapes, validate_graph
    from kg.rdf.io import (
        format_for,
        from_rdflib_term,
        from_rdflib_triples,
        iter_quads,
        read_input,
        to_rdflib_graph,
    )
    from kg.rdf.limits import run_with_timeout
    from kg.store.memory import RewriteCheck, asserted_from_store, load_quads
    from kg.store.versions import open_store, write_store

    ontology_dir = Path(ontology) if ontology else None
    existing = open_store(store_root, merged=False)  # an earlier layout is rewritten

    # What validation sees: the graph as built (without inferences) and the new files,
    # in one in-memory store. Each file's bytes are kept, not its quads (a million quad
    # objects cost GBs), and parsed again into its own graph when the store is written.
    combined = asserted_from_store(store_root)
    rewritten = RewriteCheck()
    staged, suspects = [], []
    for path in files:
        data = read_input(path)
        fmt = format_for(path, input_format).name
        quads = functools.partial(iter_quads, data, fmt, str(path), path.resolve().as_uri())
        staged.append((path, added_graph_name(path, data), hashlib.sha256(data).hexdigest(), quads))
        suspects.append((str(path), load_quads(combined, quads(), rewritten)))
    if rewritten.found:  # validated where literals stay as written (see RewriteCheck)
        combined.clear()
        new_quads = itertools.chain.from_iterable(quads() for _, _, _, quads in staged)
        combined = to_rdflib_graph(itertools.chain(asserted_from_store(store_root), new_quads))
    shapes_graph, shapes_name, user_shapes = load_shapes(shapes, ontology_dir)
    ontology_graph = load_ontology(ontology_dir)

    # With the bundled shapes and ontology, which the graph already passed, only the
    # nodes the new data can affect are validated (kg.engine.shacl.focus).
    incremental = not user_shapes and ontology_dir is None and isinstance(combined, ox.Store)

    def delta():
        return itertools.chain.from_iterable(quads() for _, _, _, quads in staged)

    inferred_graph = ox.NamedNode(GRAPH_INFERRED)
    has_inferences = any(True for _ in existing.quads_for_pattern(None, None, None, inferred_graph))

    def check_and_reason():
        report = validate_graph(
            combined,
            shapes_graph,
            ontology_graph,
            meta_shacl=user_shapes,
            shapes_name=shapes_name,
            inplace=True,
            delta=delta if incremental else None,
        )
        if not report.passed:
            raise NotConformingError(
                "the data does not conform to the shapes; nothing was added", report
            )
        if incremental and has_inferences:  # the old inferences stay; only the new are derived
            change = incremental_closure(combined, existing, delta(), ontology_graph)
            if change is not None:
                return report, change
        return report, closure(combined, ontology_graph, sort=False).triples

    report, inferred = run_with_timeout(check_and_reason, timeout, "validation")
    combined = None  # its memory is needed for writing the new version

    replaced = {name for _, name, _, _ in staged} | {GRAPH_INFERRED}
    dropped: set = set()
    if isinstance(inferred, tuple):  # incremental: (new inferences, old ones now asserted)
        inferred, dropped_triples = inferred
        replaced.discard(GRAPH_INFERRED)
        dropped = {
            ox.Quad(*(from_rdflib_term(t) for t in triple), inferred_graph)
            for triple in dropped_triples
        }
        count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH_INFERRED}> {{ ?s ?p ?o }} }}"
        old_count = int(next(iter(existing.query(count)))[0].value)
        inferred_count = old_count - len(dropped) + len(inferred)
    else:
        inferred_count = len(inferred)
    meta_graph = ox.NamedNode(GRAPH_META)
    # Streamed from the old version into the new: a million quad objects cost GBs. The
    # named graphs only: write_store merges them again into the default graph.
    kept = (
        q
        for q in existing
        if isinstance(q.graph_name, ox.NamedNode)
        and q.graph_name.value not in replaced
        and not (q.graph_name == meta_graph and q.subject.value in replaced)
        and not (dropped and q in dropped)
    )
    result = AddResult()
    result.warnings = ill_typed_warnings(suspects, report.results)
    now = Literal(datetime.now(UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    meta = []
    added = []
    for path, name, digest, quads in staged:
        added.append(_in_graph(quads(), name))
        meta += [
            (URIRef(name), URIRef(DCTERMS + "source"), Literal(path.name)),
            (URIRef(name), URIRef(KG + "sha256"), Literal(digest)),
            (URIRef(name), URIRef(PROV + "generatedAtTime"), now),
        ]
    result.inferred_triples = inferred_count
    write_store(
        store_root,
        itertools.chain(
            kept,
            *added,
            from_rdflib_triples(meta, GRAPH_META),
            from_rdflib_triples(inferred, GRAPH_INFERRED),
        ),
    )
    written = open_store(store_root, merged=False)
    for _, name, _, _ in staged:
        count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
        result.graphs[name] = int(next(iter(written.query(count)))[0].value)
    return result


def _in_graph(quads: Iterable, name: str) -> Iterator:
    """``quads`` moved into the named graph ``name``. A function, not a generator
    expression in the loop: that would read the loop's last graph name when consumed."""
    import pyoxigraph as ox

    graph = ox.NamedNode(name)
    for q in quads:
        yield ox.Quad(q.subject, q.predicate, q.object, graph)
