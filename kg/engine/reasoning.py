"""OWL 2 RL reasoning: the fast closure, owlrl as fallback, only the meaningful new
triples kept (see :mod:`kg.engine.meaningful`)."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from kg.engine.meaningful import meaningful


@dataclass
class ReasonResult:
    """What reasoning added: the new triples, and how many were dropped as trivial."""

    triples: list = field(default_factory=list)
    input_triples: int = 0
    trivial_dropped: int = 0


def triples_of(data) -> Iterable[tuple]:
    """rdflib triples of ``data``: an in-memory Oxigraph store (its default graph, each
    distinct term one object), or anything yielding rdflib triples."""
    import pyoxigraph as ox

    from kg.rdf.io import interned_rdflib_triples

    if isinstance(data, ox.Store):
        return interned_rdflib_triples(data.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    return data


def closure(data, ontology=None, keep_all: bool = False, sort: bool = True) -> ReasonResult:
    """The OWL 2 RL closure of ``data`` (+ ``ontology``): only the triples it adds.

    ``data`` is an rdflib graph or an in-memory Oxigraph store (see :func:`triples_of`).
    The triples come sorted unless ``sort`` is false (a store does not need it).
    """
    import owlrl
    from rdflib import Graph

    from kg.rdf.safety import harden_rdflib

    harden_rdflib()
    ontology_triples = ontology if ontology is not None else ()
    if not keep_all:  # the same meaningful triples as owlrl, ~70x faster (kg/fastreason.py)
        from kg.engine.fastreason import fast_closure

        fast = fast_closure(itertools.chain(triples_of(data), ontology_triples))
        if fast is not None:
            kept = sorted(fast.kept, key=triple_sort_key) if sort else list(fast.kept)
            return ReasonResult(kept, fast.inputs, fast.trivial)
    graph = Graph()
    for triple in itertools.chain(triples_of(data), ontology_triples):
        graph.add(triple)
    before = set(graph)
    with rdflib_datatypes_kept():
        owlrl.DeductiveClosure(
            owlrl.OWLRL_Semantics,
            rdfs_closure=False,
            axiomatic_triples=keep_all,
            datatype_axioms=keep_all,
        ).expand(graph)
    added = [t for t in graph if t not in before]
    kept = added if keep_all else [t for t in added if meaningful(t)]
    if sort:
        kept.sort(key=triple_sort_key)
    return ReasonResult(kept, len(before), len(added) - len(kept))


@contextlib.contextmanager
def rdflib_datatypes_kept() -> Iterator[None]:
    """Run owlrl without it changing how rdflib reads typed literals afterwards.

    owlrl swaps its own lexical checks into rdflib's global table while it runs and,
    when it puts rdflib's back, keeps the ones rdflib has no entry for (xsd:gMonthDay,
    xsd:gDay, ...). owlrl's reject "--11-04"^^xsd:gMonthDay, so every later validation
    in the same process (a Python API user, ``kg serve``) found the date ill-typed.

    >>> from rdflib.term import _toPythonMapping
    >>> before = dict(_toPythonMapping)
    >>> with rdflib_datatypes_kept():
    ...     _toPythonMapping["http://example.org/dt"] = int
    >>> dict(_toPythonMapping) == before
    True
    """
    from rdflib.term import _toPythonMapping

    saved = dict(_toPythonMapping)
    try:
        yield
    finally:
        _toPythonMapping.clear()
        _toPythonMapping.update(saved)


def triple_sort_key(triple: tuple) -> str:
    return "\x00".join(triple)


def incremental_closure(
    combined, inferred_before: Iterable, delta: Iterable, ontology
) -> list | None:
    """The meaningful inferences of ``combined`` (an in-memory Oxigraph store: the old
    asserted graph plus ``delta``, in its default graph), derived from the delta
    semi-naively: the old inferences (``inferred_before``, rdflib triples) plus what the
    rules derive from premises of which at least one is new.

    Every rule of :mod:`kg.engine.fastreason` joins at most two premises on a shared
    node, or runs along one transitive property, whose old closure is among the old
    inferences: so the rules are applied to the delta with the old triples, asserted
    and inferred, that touch its nodes (and, for each transitive property, every triple
    connected to them along it). Triples that are asserted are not inferences. None
    when the fast reasoner cannot be used (the caller then computes the whole closure).
    """
    import pyoxigraph as ox

    from kg.engine.fastreason import fast_closure
    from kg.rdf.io import from_rdflib_term, to_rdflib_term
    from kg.rdf.namespaces import OWL, RDF

    ontology_triples = list(ontology) if ontology is not None else []
    transitive = {
        str(s)
        for s, p, o in ontology_triples
        if str(p) == RDF + "type" and str(o) == OWL + "TransitiveProperty"
    }
    default = ox.DefaultGraph()
    before = list(inferred_before)
    inferred_by_node: dict = {}
    for triple in before:
        inferred_by_node.setdefault(triple[0], []).append(triple)
        inferred_by_node.setdefault(triple[2], []).append(triple)

    def rdflib_triple(q) -> tuple:
        return to_rdflib_term(q.subject), to_rdflib_term(q.predicate), to_rdflib_term(q.object)

    delta = list(delta)
    premises = {rdflib_triple(q) for q in delta}
    seeds = {q.subject for q in delta} | {
        q.object for q in delta if not isinstance(q.object, ox.Literal)
    }
    for node in seeds:
        for q in _touching(combined, node, default):
            premises.add(rdflib_triple(q))
        premises.update(inferred_by_node.get(to_rdflib_term(node), ()))
    for prop in transitive:  # the whole component along the property, both ways
        predicate = ox.NamedNode(prop)
        stack, seen = list(seeds), set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            for q in combined.quads_for_pattern(node, predicate, None, default):
                premises.add(rdflib_triple(q))
                stack.append(q.object)
            for q in combined.quads_for_pattern(None, predicate, node, default):
                premises.add(rdflib_triple(q))
                stack.append(q.subject)
        for triple in before:
            if str(triple[1]) == prop and (
                from_rdflib_term(triple[0]) in seen or from_rdflib_term(triple[2]) in seen
            ):
                premises.add(triple)
    fast = fast_closure(itertools.chain(premises, ontology_triples))
    if fast is None:
        return None
    result = set(before) | fast.kept
    return [t for t in result if not _asserted(combined, t)]


def _touching(store, node, graph) -> Iterable:
    """The quads of ``graph`` in ``store`` with ``node`` as subject or object."""
    yield from store.quads_for_pattern(node, None, None, graph)
    yield from store.quads_for_pattern(None, None, node, graph)


def _asserted(store, triple: tuple) -> bool:
    import pyoxigraph as ox

    from kg.rdf.io import from_rdflib_term

    s, p, o = (from_rdflib_term(t) for t in triple)
    if isinstance(s, ox.Literal):
        return False
    return any(True for _ in store.quads_for_pattern(s, p, o, ox.DefaultGraph()))
