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


@dataclass
class _File:
    """A file to add: its bytes are kept, not its quads (a million quad objects cost
    GBs); ``quads()`` parses it again each time it is read."""

    path: Path
    graph: str
    digest: str
    quads: Callable[[], Iterator]


def _add_locked(
    files: list[Path],
    store_root: Path,
    input_format: str | None,
    shapes: Path | str | None,
    ontology: Path | str | None,
    timeout: float | None,
) -> AddResult:
    """:func:`add`, under the store's write lock: what it reads is what it replaces."""
    from kg.engine.validation import load_ontology, load_shapes
    from kg.rdf.io import format_for, iter_quads, read_input
    from kg.store.versions import has_merged_default_graph, open_store

    ontology_dir = Path(ontology) if ontology else None
    existing = open_store(store_root, merged=False)  # an earlier layout is rewritten
    staged = []
    for path in files:
        data = read_input(path)
        fmt = format_for(path, input_format).name
        quads = functools.partial(iter_quads, data, fmt, str(path), path.resolve().as_uri())
        staged.append(_File(path, added_graph_name(path, data), _sha256(data), quads))
    shapes_graph, shapes_name, user_shapes = load_shapes(shapes, ontology_dir)
    ontology_graph = load_ontology(ontology_dir)
    # With the bundled shapes and ontology, which the graph already passed, only the
    # nodes the new data can affect are validated (kg.engine.shacl.focus), and only the
    # new inferences derived: in place, in a new version of the store.
    if (
        not user_shapes
        and ontology_dir is None
        and has_merged_default_graph(existing)
        and _has_inferences(existing)
    ):
        existing = None
        done = _add_in_place(staged, store_root, shapes_graph, shapes_name, ontology_graph, timeout)
        if done is not None:
            return done
        existing = open_store(store_root, merged=False)
    return _add_rewriting(
        staged, store_root, existing, shapes_graph, shapes_name, user_shapes, ontology_graph,
        incremental=not user_shapes and ontology_dir is None, timeout=timeout,
    )  # fmt: skip


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _has_inferences(store) -> bool:
    import pyoxigraph as ox

    graph = ox.NamedNode(GRAPH_INFERRED)
    return any(True for _ in store.quads_for_pattern(None, None, None, graph))


def _add_in_place(
    staged: list[_File], store_root: Path, shapes_graph, shapes_name: str, ontology_graph, timeout
) -> AddResult | None:
    """Add ``staged`` at the cost of the change: a new version starts as a checkpoint of
    the current one (:func:`kg.store.versions.staged_version`), the files go into it,
    the focus nodes they can affect are validated and the new inferences derived there,
    and it goes live. None (nothing changed) when the change needs the whole graph:
    literals Oxigraph rewrites, a change to the schema, a shape the compiler leaves to
    pySHACL, or constructs the fast reasoner does not handle."""
    import pyoxigraph as ox

    from kg.engine.reasoning import incremental_closure
    from kg.engine.validation import NeedsFullValidation, inoculate, validate_graph
    from kg.rdf.io import from_rdflib_term
    from kg.rdf.limits import run_with_timeout
    from kg.store.memory import RewriteCheck, load_quads
    from kg.store.versions import apply_change, staged_version

    def delta():
        return itertools.chain.from_iterable(f.quads() for f in staged)

    with staged_version(store_root) as stage:
        store = stage.store
        # The new triples join the default graph (the merge) first: that is what
        # validation and reasoning read. Their source graphs are written at the end.
        rewritten = RewriteCheck()
        suspects = [(str(f.path), load_quads(store, f.quads(), rewritten)) for f in staged]
        if rewritten.found:  # validated where literals stay as written (see RewriteCheck)
            return None
        axioms = inoculate(store, ontology_graph)  # pySHACL's view; removed again below

        def check_and_reason():
            report = validate_graph(
                store,
                shapes_graph,
                ontology_graph,
                shapes_name=shapes_name,
                inplace=True,
                delta=delta,
                only_affected=True,
                inoculated=True,
            )
            if not report.passed:
                raise NotConformingError(
                    "the data does not conform to the shapes; nothing was added", report
                )
            return report, incremental_closure(store, store, delta(), ontology_graph)

        try:
            report, change = run_with_timeout(check_and_reason, timeout, "validation")
        except NeedsFullValidation:
            return None
        if change is None:
            return None
        inferred, dropped = change
        for quad in axioms:
            store.remove(quad)
        inferred_graph = ox.NamedNode(GRAPH_INFERRED)
        stale = _replaced_quads(store, [f.graph for f in staged])
        stale += [ox.Quad(*map(from_rdflib_term, t), inferred_graph) for t in dropped]
        apply_change(store, stale, _new_quads(staged, inferred))
        result = _result(store, staged, suspects, report)
        stage.commit()
    return result


def _add_rewriting(
    staged: list[_File],
    store_root: Path,
    existing,
    shapes_graph,
    shapes_name: str,
    user_shapes: bool,
    ontology_graph,
    incremental: bool,
    timeout: float | None,
) -> AddResult:
    """Add ``staged`` by validating the whole graph (or the affected nodes) in memory
    and writing a new version with everything: for user shapes or ontologies, data
    whose literals Oxigraph rewrites, and stores of an earlier kg."""
    import pyoxigraph as ox

    from kg.engine.reasoning import closure, incremental_closure
    from kg.engine.validation import validate_graph
    from kg.rdf.io import from_rdflib_term, to_rdflib_graph
    from kg.rdf.limits import run_with_timeout
    from kg.store.memory import RewriteCheck, asserted_from_store, load_quads
    from kg.store.versions import has_merged_default_graph, open_store, patch_store, write_store

    # What validation sees: the graph as built (without inferences) and the new files,
    # in one in-memory store.
    combined = asserted_from_store(store_root)
    rewritten = RewriteCheck()
    suspects = [(str(f.path), load_quads(combined, f.quads(), rewritten)) for f in staged]

    def delta():
        return itertools.chain.from_iterable(f.quads() for f in staged)

    if rewritten.found:  # validated where literals stay as written (see RewriteCheck)
        combined.clear()
        combined = to_rdflib_graph(itertools.chain(asserted_from_store(store_root), delta()))
    incremental = incremental and isinstance(combined, ox.Store)
    inferred_graph = ox.NamedNode(GRAPH_INFERRED)
    has_inferences = _has_inferences(existing)

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

    replaced = {f.graph for f in staged} | {GRAPH_INFERRED}
    dropped: set = set()
    if isinstance(inferred, tuple):  # incremental: (new inferences, old ones now asserted)
        inferred, dropped_triples = inferred
        replaced.discard(GRAPH_INFERRED)
        dropped = {
            ox.Quad(*(from_rdflib_term(t) for t in triple), inferred_graph)
            for triple in dropped_triples
        }
    meta_graph = ox.NamedNode(GRAPH_META)
    new_quads = _new_quads(staged, inferred)
    if GRAPH_INFERRED not in replaced and has_merged_default_graph(existing):
        # The new version is the old one plus the change (kg.store.versions).
        stale = _replaced_quads(existing, sorted(replaced))
        patch_store(store_root, itertools.chain(stale, dropped), new_quads)
    else:
        # Streamed from the old version into the new: a million quad objects cost GBs.
        # The named graphs only: write_store merges them again into the default graph.
        kept = (
            q
            for q in existing
            if isinstance(q.graph_name, ox.NamedNode)
            and q.graph_name.value not in replaced
            and not (q.graph_name == meta_graph and q.subject.value in replaced)
            and not (dropped and q in dropped)
        )
        write_store(store_root, itertools.chain(kept, new_quads))
    return _result(open_store(store_root, merged=False), staged, suspects, report)


def _replaced_quads(store, graphs: list[str]) -> list:
    """What adding a file again replaces: its graph, and the store's record of it."""
    import pyoxigraph as ox

    meta = ox.NamedNode(GRAPH_META)
    return [
        q
        for name in graphs
        for q in itertools.chain(
            store.quads_for_pattern(None, None, None, ox.NamedNode(name)),
            store.quads_for_pattern(ox.NamedNode(name), None, None, meta),
        )
    ]


def _new_quads(staged: list[_File], inferred: Iterable) -> Iterator:
    """The quads an add writes: each file in its graph, their records, the inferences."""
    from kg.rdf.io import from_rdflib_triples

    return itertools.chain(
        *(_in_graph(f.quads(), f.graph) for f in staged),
        from_rdflib_triples(_meta(staged), GRAPH_META),
        from_rdflib_triples(inferred, GRAPH_INFERRED),
    )


def _meta(staged: list[_File]) -> list[tuple]:
    """The store's record of each added file: its name, checksum and when it came."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    now = Literal(datetime.now(UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    meta = []
    for f in staged:
        meta += [
            (URIRef(f.graph), URIRef(DCTERMS + "source"), Literal(f.path.name)),
            (URIRef(f.graph), URIRef(KG + "sha256"), Literal(f.digest)),
            (URIRef(f.graph), URIRef(PROV + "generatedAtTime"), now),
        ]
    return meta


def _result(store, staged: list[_File], suspects: list, report) -> AddResult:
    """What the new version holds: each added graph's size and the inferences."""
    from kg.engine.validation import ill_typed_warnings

    def count(graph: str) -> int:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return int(next(iter(store.query(query)))[0].value)

    result = AddResult()
    result.warnings = ill_typed_warnings(suspects, report.results)
    result.graphs = {f.graph: count(f.graph) for f in staged}
    result.inferred_triples = count(GRAPH_INFERRED)
    return result


def _in_graph(quads: Iterable, name: str) -> Iterator:
    """``quads`` moved into the named graph ``name``. A function, not a generator
    expression in the loop: that would read the loop's last graph name when consumed."""
    import pyoxigraph as ox

    graph = ox.NamedNode(name)
    for q in quads:
        yield ox.Quad(q.subject, q.predicate, q.object, graph)
