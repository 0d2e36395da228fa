"""OWL 2 RL reasoning: the fast closure, owlrl as fallback, only the meaningful new
triples kept (see :mod:`kg.engine.meaningful`)."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Iterator

from kg.engine.meaningful import meaningful


class ReasonResult:
    """What reasoning added: the new triples, and how many were dropped as trivial.

    The fast reasoner's triples stay term ids until asked for: :attr:`triples` gives
    them as rdflib terms (sorted unless made with ``sort=False``), :meth:`quads` as
    Oxigraph quads without any rdflib term being made (what writing them needs).

    >>> from rdflib import URIRef
    >>> result = ReasonResult([(URIRef("http://e/a"), URIRef("http://e/p"), URIRef("http://e/b"))])
    >>> len(result), next(result.quads()).predicate.value
    (1, 'http://e/p')
    """

    def __init__(
        self, triples: Iterable = (), input_triples: int = 0, trivial_dropped: int = 0
    ) -> None:
        self._triples: list | None = list(triples)
        self._ids = None
        self._kept: set = set()
        self._sort = True
        self.input_triples, self.trivial_dropped = input_triples, trivial_dropped

    @classmethod
    def of_ids(
        cls, ids, kept: set, input_triples: int, trivial_dropped: int, sort: bool = True
    ) -> ReasonResult:
        """A result holding ``kept``, triples of the term ids of ``ids`` (a
        :class:`kg.engine.termids.TermIds`)."""
        result = cls((), input_triples, trivial_dropped)
        result._triples, result._ids, result._kept, result._sort = None, ids, kept, sort
        return result

    @property
    def triples(self) -> list:
        """The added triples as rdflib terms."""
        if self._triples is None:
            term = self._ids.rdflib
            self._triples = [(term(s), term(p), term(o)) for s, p, o in self._kept]
            if self._sort:
                self._triples.sort(key=triple_sort_key)
        return self._triples

    @triples.setter
    def triples(self, triples: Iterable) -> None:
        self._triples, self._ids, self._kept = list(triples), None, set()

    def quads(self, graph_name: str | None = None) -> Iterator:
        """The added triples as Oxigraph quads in ``graph_name`` (the default graph when
        None), in no particular order (:func:`kg.rdf.io.serialize` sorts)."""
        import pyoxigraph as ox

        from kg.rdf.io import from_rdflib_triples

        if self._triples is not None:
            yield from from_rdflib_triples(self._triples, graph_name)
            return
        graph = ox.NamedNode(graph_name) if graph_name else ox.DefaultGraph()
        term = self._ids.oxigraph
        for s, p, o in self._kept:
            yield ox.Quad(term(s), term(p), term(o), graph)

    def serialize(self, format_name: str) -> bytes:
        """The added triples written as :func:`kg.rdf.io.serialize` writes them.

        From term ids, each term's text is made once, and each triple becomes one int
        from the ranks of its terms' texts, so sorting the ints orders the triples as
        serialize's string keys would, without a string or quad object per triple.
        """
        from operator import itemgetter

        import pyoxigraph as ox

        from kg.rdf.io import predicate_order, serialize, serialize_sorted_ntriples

        kept, ids = self._kept, self._ids
        if self._triples is not None:
            return serialize(self.quads(), format_name)
        blank = {n for n in ids.ids() if isinstance(ids.oxigraph(n), ox.BlankNode)}
        if blank and any(s in blank or o in blank for s, _, o in kept):
            return serialize(self.quads(), format_name)  # labels canonicalized from quads
        # The texts and ranks of every term the reasoner knows (a few hundred thousand at a
        # million triples): cheaper than finding which the million triples use.
        texts = {n: str(ids.oxigraph(n)) for n in ids.ids()}
        node_texts = sorted(texts, key=texts.__getitem__)
        predicates = set(map(itemgetter(1), kept))
        predicate_texts = sorted(predicates, key=lambda p: predicate_order(texts[p][1:-1]))
        rank = {n: i for i, n in enumerate(node_texts)}
        predicate_rank = {p: i for i, p in enumerate(predicate_texts)}
        width, size = len(predicates), len(node_texts)
        with gc_paused():
            keys = [(rank[s] * width + predicate_rank[p]) * size + rank[o] for s, p, o in kept]
        keys.sort()
        iris: set[str] = set()
        if format_name not in ("ntriples", "nquads"):  # the prefixes of the namespaces used
            for term_id in (
                set(map(itemgetter(0), kept)) | set(map(itemgetter(2), kept)) | predicates
            ):
                term = ids.oxigraph(term_id)
                iris.add(term.value if isinstance(term, ox.NamedNode) else term.datatype.value)
        node_texts = [texts[n] for n in node_texts]
        predicate_texts = [texts[p] for p in predicate_texts]

        def chunks() -> Iterator[bytes]:  # encoded a few thousand lines at a time
            for start in range(0, len(keys), 4096):
                lines = []
                for key in keys[start : start + 4096]:
                    rest, o = divmod(key, size)
                    s, p = divmod(rest, width)
                    lines.append(f"{node_texts[s]} {predicate_texts[p]} {node_texts[o]} .\n")
                yield "".join(lines).encode("utf-8")

        return serialize_sorted_ntriples(chunks(), iris, format_name)

    def __len__(self) -> int:
        return len(self._triples) if self._triples is not None else len(self._kept)


def interned(data, ontology: Iterable = ()):
    """``data`` (an in-memory Oxigraph store's default graph, an :class:`InternedGraph`,
    or rdflib triples) and the rdflib triples of ``ontology`` as term ids: ``(ids,
    graph)``, the graph grouped by predicate (see :meth:`TermIds.grouped`), Oxigraph's
    ids for Oxigraph data, rdflib's otherwise. ``data`` is left as it was."""
    import pyoxigraph as ox

    from kg.engine.termids import TermIds
    from kg.rdf.io import from_rdflib_term

    if isinstance(data, ox.Store):
        ids = TermIds.for_oxigraph()
        quads = data.quads_for_pattern(None, None, None, ox.DefaultGraph())
        graph = ids.grouped((q.subject, q.predicate, q.object) for q in quads)
    elif isinstance(data, InternedGraph):
        ids = data.ids
        extra = ids.grouped(tuple(from_rdflib_term(t) for t in triple) for triple in ontology)
        graph = dict(data.graph)
        for p, pairs in extra.items():  # the sets the ontology adds to are copied first
            graph[p] = graph[p] | pairs if p in graph else pairs
        return ids, graph
    else:
        ids = TermIds.for_rdflib()
        return ids, ids.grouped(itertools.chain(data, ontology))
    ids.grouped((tuple(from_rdflib_term(t) for t in triple) for triple in ontology), graph)
    return ids, graph


class InternedGraph:
    """The triples of RDF files as term ids grouped by predicate, merged (each triple
    once), ready to reason over: what ``kg reason FILES`` reads, without an in-memory
    store or rdflib terms in between.

    >>> import pyoxigraph as ox
    >>> graph = InternedGraph()
    >>> q = ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x"))
    >>> graph.add_quads([q, q])
    >>> len(graph)
    1
    """

    def __init__(self) -> None:
        from kg.engine.termids import TermIds

        self.ids = TermIds.for_oxigraph()
        self.graph: dict[int, set] = {}

    def add_quads(self, quads: Iterable) -> None:
        """Add the triples of ``quads`` (their graphs merged)."""
        self.ids.grouped_quads(quads, self.graph)

    def __len__(self) -> int:
        return sum(map(len, self.graph.values()))

    def rdflib_triples(self) -> Iterator[tuple]:
        """The triples as rdflib terms (one object per term)."""
        term = self.ids.rdflib
        for p, pairs in self.graph.items():
            predicate = term(p)
            for s, o in pairs:
                yield term(s), predicate, term(o)


def triples_of(data) -> Iterable[tuple]:
    """rdflib triples of ``data``: an in-memory Oxigraph store (its default graph, each
    distinct term one object), an :class:`InternedGraph`, or anything yielding rdflib
    triples."""
    import pyoxigraph as ox

    from kg.rdf.io import interned_rdflib_triples

    if isinstance(data, ox.Store):
        return interned_rdflib_triples(data.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    if isinstance(data, InternedGraph):
        return data.rdflib_triples()
    return data


def closure(data, ontology=None, keep_all: bool = False, sort: bool = True) -> ReasonResult:
    """The OWL 2 RL closure of ``data`` (+ ``ontology``): only the triples it adds.

    ``data`` is an rdflib graph, an in-memory Oxigraph store or an :class:`InternedGraph`
    (see :func:`triples_of`). The triples come sorted unless ``sort`` is false (a store
    does not need it).
    """
    import owlrl
    from rdflib import Graph

    from kg.rdf.safety import harden_rdflib

    harden_rdflib()
    ontology_triples = ontology if ontology is not None else ()
    if not keep_all:  # the same meaningful triples as owlrl, ~70x faster (kg/fastreason.py)
        from kg.engine.fastreason import closure_of_ids

        with gc_paused():
            ids, graph = interned(data, ontology_triples)
            fast = closure_of_ids(graph, ids)
            del graph
        if fast is not None:
            return ReasonResult.of_ids(ids, fast.kept, fast.inputs, fast.trivial, sort)
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
def gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while millions of small tuples are made.

    The reasoner's tuples and sets hold ints only, so they form no cycles; but the
    collector, triggered by allocations, walks every one of them again and again
    (about a fifth of ``kg reason``'s time at a million triples).

    >>> import gc
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
