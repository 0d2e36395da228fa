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


def incremental_closure(combined, old, delta: Iterable, ontology) -> tuple[set, set] | None:
    """The inferences that ``delta`` adds to those of the old graph, derived semi-naively.

    ``combined`` is an in-memory Oxigraph store holding the old asserted graph plus
    ``delta`` in its default graph; ``old`` is a store whose ``kgg:inferred`` graph holds
    the old inferences (the built store). Returns ``(added, dropped)``, rdflib triples:
    the new inferences, and old ones that ``delta`` now asserts. The inferences of the
    combined graph are the old ones without ``dropped``, plus ``added``; only the old
    inferences that touch the delta's nodes are read, so memory and time follow the
    change, not the store. None when the fast reasoner cannot be used.

    Every rule of :mod:`kg.engine.fastreason` joins at most two premises on a shared
    node, or runs along one transitive property, whose old closure is among the old
    inferences: so the rules are applied to the delta with the old triples, asserted
    and inferred, that touch its nodes (and, for each transitive property, every triple
    connected to them along it).
    """
    import pyoxigraph as ox

    from kg.engine.fastreason import fast_closure
    from kg.rdf.io import from_rdflib_term, to_rdflib_term
    from kg.rdf.namespaces import GRAPH_INFERRED, OWL, RDF

    ontology_triples = list(ontology) if ontology is not None else []
    transitive = {
        str(s)
        for s, p, o in ontology_triples
        if str(p) == RDF + "type" and str(o) == OWL + "TransitiveProperty"
    }
    default, inferred = ox.DefaultGraph(), ox.NamedNode(GRAPH_INFERRED)

    def rdflib_triple(q) -> tuple:
        return to_rdflib_term(q.subject), to_rdflib_term(q.predicate), to_rdflib_term(q.object)

    delta = list(delta)
    premises = {rdflib_triple(q) for q in delta}
    rdf_type = ox.NamedNode(RDF + "type")
    nodes = {q.subject for q in delta} | {
        q.object for q in delta if not isinstance(q.object, ox.Literal) and q.predicate != rdf_type
    }
    # A class the delta only types nodes with: no OWL 2 RL rule joins two instances on
    # their class, so its other instances (a million at a million triples) are not
    # premises; what the class takes part in otherwise (its axioms) is.
    classes = {
        q.object for q in delta if q.predicate == rdf_type and isinstance(q.object, ox.NamedNode)
    } - nodes
    nodes |= {q.object for q in delta if q.predicate == rdf_type} - classes
    seeds = nodes | classes
    for node in nodes:
        for store, graph in ((combined, default), (old, inferred)):
            for q in _touching(store, node, graph):
                premises.add(rdflib_triple(q))
    for cls in classes:
        for store, graph in ((combined, default), (old, inferred)):
            for q in _touching_class(store, cls, graph):
                premises.add(rdflib_triple(q))
    for prop in transitive:  # the whole component along the property, both ways
        predicate = ox.NamedNode(prop)
        stack, seen = list(seeds), set()
        while stack:
            node = stack.pop()
            if node in seen or isinstance(node, ox.Literal):
                continue
            seen.add(node)
            for store, graph in ((combined, default), (old, inferred)):
                for q in store.quads_for_pattern(node, predicate, None, graph):
                    premises.add(rdflib_triple(q))
                    stack.append(q.object)
                for q in store.quads_for_pattern(None, predicate, node, graph):
                    premises.add(rdflib_triple(q))
                    stack.append(q.subject)
    fast = fast_closure(itertools.chain(premises, ontology_triples))
    if fast is None:
        return None

    terms: dict = {}  # each rdflib term converted once: the kept triples share them

    def stored(triple: tuple, store, graph) -> bool:
        s, p, o = (terms.get(t) or terms.setdefault(t, from_rdflib_term(t)) for t in triple)
        return not isinstance(s, ox.Literal) and ox.Quad(s, p, o, graph) in store

    added = {
        t for t in fast.kept if not stored(t, combined, default) and not stored(t, old, inferred)
    }
    dropped = {t for t in (rdflib_triple(q) for q in delta) if stored(t, old, inferred)}
    return added, dropped


def _touching_class(store, cls, graph) -> Iterable:
    """The quads of ``graph`` in ``store`` about the class ``cls`` (a named node): with it
    as subject, or as object of any property but ``rdf:type``."""
    import pyoxigraph as ox

    from kg.rdf.namespaces import RDF

    yield from store.quads_for_pattern(cls, None, None, graph)
    pattern = f"?s ?p <{cls.value}> FILTER (?p != <{RDF}type>)"
    if isinstance(graph, ox.NamedNode):
        pattern = f"GRAPH <{graph.value}> {{ {pattern} }}"
    for row in store.query(f"SELECT ?s ?p WHERE {{ {pattern} }}"):
        yield ox.Quad(row["s"], row["p"], cls, graph)


def _touching(store, node, graph) -> Iterable:
    """The quads of ``graph`` in ``store`` with ``node`` as subject or object."""
    import pyoxigraph as ox

    if not isinstance(node, ox.Literal):
        yield from store.quads_for_pattern(node, None, None, graph)
    yield from store.quads_for_pattern(None, None, node, graph)
