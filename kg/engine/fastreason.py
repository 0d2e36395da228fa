"""A fast OWL 2 RL closure for the axioms kg's ontology uses, with owlrl's meaningful results.

owlrl applies every OWL 2 RL rule to every triple until nothing changes: about
67 s for 100,000 triples, most of it spent deriving triples kg then drops
(``x owl:sameAs x``, ``x rdf:type owl:Thing``, datatype axioms). This module
applies only the rules of the OWL 2 RL profile (W3C OWL 2 Profiles, section
4.3, https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules)
that the constructs in the graph can fire, in strata, with hash indexes:

1. schema: ``scm-sco``, ``scm-spo``, ``scm-eqc1/2``, ``scm-eqp1/2``,
   ``scm-dom1/2``, ``scm-rng1/2``;
2. property assertions, to a fixpoint: ``prp-spo1``, ``prp-eqp1/2``,
   ``prp-inv1/2``, ``prp-symp``, ``prp-trp``, ``prp-spo2`` (chains of two);
3. types: ``prp-dom``, ``prp-rng``, ``cax-sco``, ``cax-eqc1/2``.

A graph that uses anything else of the OWL vocabulary (``owl:sameAs``,
functional properties, restrictions, ...) is not handled: :func:`fast_closure`
returns None and the caller falls back to owlrl. ``tests/test_fastreason.py``
checks, on the seed and on generated data, that the result is exactly the set
of owlrl's additions that :func:`kg.engine.meaningful.meaningful` keeps.

>>> from rdflib import URIRef as U, RDF, RDFS
>>> a, b, c, x = (U("http://e/" + n) for n in "abcx")
>>> graph = [(a, RDFS.subClassOf, b), (b, RDFS.subClassOf, c), (x, RDF.type, a)]
>>> kept, trivial, inputs = fast_closure(graph)
>>> sorted(" ".join(t.split("/")[-1].split("#")[-1] for t in triple) for triple in kept)
['a subClassOf c', 'x type b', 'x type c']
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from operator import itemgetter
from typing import NamedTuple

from kg.engine.termids import TermIds
from kg.rdf.namespaces import OWL, RDF, RDFS

# OWL terms whose rules are implemented here, or that fire no rule with a meaningful result.
_SUPPORTED_OWL = {
    OWL + name
    for name in (
        "Class",
        "ObjectProperty",
        "DatatypeProperty",
        "AnnotationProperty",
        "Ontology",
        "NamedIndividual",
        "TransitiveProperty",
        "SymmetricProperty",
        "inverseOf",
        "propertyChainAxiom",
        "equivalentClass",
        "equivalentProperty",
        "versionInfo",
        "imports",
        "Thing",
        "priorVersion",
        "deprecated",
    )
}


def _closure_of(edges: dict) -> dict:
    """Transitive closure of ``{node: {successors}}`` (without reflexive pairs added)."""
    result = {}
    for start in edges:
        seen, stack = set(), list(edges[start])
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(edges.get(node, ()))
        result[start] = seen
    return result


def _supported(graph: dict, ids: TermIds) -> bool:
    """Whether every OWL term used as a property, or as a class in ``rdf:type``, is one
    this engine implements (``graph``: predicate id -> {(subject id, object id)})."""
    unsupported = {n for n in ids.starting_with((OWL,)) if ids.text(n) not in _SUPPORTED_OWL}
    if unsupported & graph.keys():
        return False
    typed = graph.get(ids.iri(RDF + "type"), ())
    return not (unsupported and unsupported & set(map(itemgetter(1), typed)))


class FastClosure(NamedTuple):
    """What :func:`fast_closure` found."""

    kept: set  # the meaningful triples OWL 2 RL adds
    trivial: int  # how many trivial ones were left out
    inputs: int  # distinct input triples


def fast_closure(triples: Iterable[tuple]) -> FastClosure | None:
    """The triples OWL 2 RL adds to ``triples`` (rdflib terms), and how many trivial ones
    were left out; None when the graph uses OWL constructs this engine does not
    implement (see :func:`closure_of_ids`, which this runs on the triples' term ids).
    """
    ids = TermIds.for_rdflib()
    found = closure_of_ids(ids.grouped(triples), ids)
    if found is None:
        return None
    term = ids.term
    kept = {(term(s), term(p), term(o)) for s, p, o in found.kept}
    return FastClosure(kept, found.trivial, found.inputs)


def closure_of_ids(graph: dict[int, set], ids: TermIds) -> FastClosure | None:
    """The triples OWL 2 RL adds to ``graph``, ``{predicate: {(subject, object)}}`` of
    the term ids of ``ids``, as triples of ids; and how many trivial ones were left out.

    The trivial ones counted are those of ``eq-ref`` (``x owl:sameAs x`` for every
    term), ``scm-cls``, ``scm-op``/``scm-dp`` (a class or property related to itself,
    to ``owl:Thing``), which are never derived, plus derived triples that
    :func:`kg.engine.meaningful.meaningful` rejects. None when the graph uses OWL constructs
    this engine does not implement.

    Grouped by predicate, most of the work is set operations over whole properties and
    classes (run in C), not Python steps per triple. Memory: besides the input, only the
    schema, the triples a rule can fire on and what is derived are held; indexes only
    for the properties that rules join on.

    >>> import pyoxigraph as ox
    >>> ids = TermIds.for_oxigraph()
    >>> graph = ids.grouped([(ox.NamedNode("http://e/x"), ox.NamedNode(RDF + "type"),
    ...                       ox.NamedNode("http://e/A")),
    ...                      (ox.NamedNode("http://e/A"), ox.NamedNode(RDFS + "subClassOf"),
    ...                       ox.NamedNode("http://e/B"))])
    >>> [tuple(ids.text(n) for n in t) for t in closure_of_ids(graph, ids).kept]
    [('http://e/x', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type', 'http://e/B')]
    """
    from kg.engine.meaningful import meaningful_pair_ids, trivial_type_ids

    iri = ids.iri
    rdf_type = iri(RDF + "type")
    sco, spo = iri(RDFS + "subClassOf"), iri(RDFS + "subPropertyOf")
    domain, range_ = iri(RDFS + "domain"), iri(RDFS + "range")
    eqc, eqp = iri(OWL + "equivalentClass"), iri(OWL + "equivalentProperty")
    inverse, chain_axiom = iri(OWL + "inverseOf"), iri(OWL + "propertyChainAxiom")
    transitive, symmetric = iri(OWL + "TransitiveProperty"), iri(OWL + "SymmetricProperty")
    first, rest, nil = iri(RDF + "first"), iri(RDF + "rest"), iri(RDF + "nil")
    owl_class = iri(OWL + "Class")
    property_classes = (iri(OWL + "ObjectProperty"), iri(OWL + "DatatypeProperty"))
    meaningful_pairs = meaningful_pair_ids(ids)
    trivial_types, ordinary = trivial_type_ids(ids)

    if not _supported(graph, ids):
        return None
    none: frozenset = frozenset()

    def pairs(p: int):
        return graph.get(p, none)

    asserted: dict = defaultdict(set)  # class -> its instances typed in the input
    for s, o in pairs(rdf_type):
        asserted[o].add(s)
    declared = asserted  # owl:Class, owl:TransitiveProperty, ... -> the terms typed so

    # 1. Schema.
    sub_c, sub_p = defaultdict(set), defaultdict(set)
    for s, o in pairs(sco):
        sub_c[s].add(o)
    for s, o in pairs(eqc):
        sub_c[s].add(o)
        sub_c[o].add(s)
    for s, o in pairs(spo):
        sub_p[s].add(o)
    for s, o in pairs(eqp):
        sub_p[s].add(o)
        sub_p[o].add(s)
    super_c, super_p = _closure_of(sub_c), _closure_of(sub_p)
    new = set()
    for c, supers in super_c.items():
        for d in supers:
            new.add((c, sco, d))
            if c in super_c.get(d, ()):
                new.add((c, eqc, d))
    for p, supers in super_p.items():
        for q in supers:
            new.add((p, spo, q))
            if p in super_p.get(q, ()):
                new.add((p, eqp, q))

    def with_supers(classes: Iterable) -> set:
        out = set()
        for c in classes:
            out.add(c)
            out |= super_c.get(c, set())
        return out

    declared_dom, declared_rng = defaultdict(set), defaultdict(set)
    for p, c in pairs(domain):
        declared_dom[p].add(c)
    for p, c in pairs(range_):
        declared_rng[p].add(c)
    doms, rngs = defaultdict(set), defaultdict(set)
    for p in set(declared_dom) | set(declared_rng) | set(super_p):
        for q in {p} | super_p.get(p, set()):  # scm-dom2 / scm-rng2
            doms[p] |= with_supers(declared_dom.get(q, ()))  # scm-dom1
            rngs[p] |= with_supers(declared_rng.get(q, ()))  # scm-rng1
    for p, classes in doms.items():
        new.update((p, domain, c) for c in classes)
    for p, classes in rngs.items():
        new.update((p, range_, c) for c in classes)

    inverses = defaultdict(set)
    for p, q in pairs(inverse):
        inverses[p].add((q, False))
        inverses[q].add((p, False))
    trans, symm = declared[transitive], declared[symmetric]
    lists = dict(pairs(first))
    rests = dict(pairs(rest))
    chains_by_first, chains_by_second = defaultdict(list), defaultdict(list)
    for prop, head in pairs(chain_axiom):
        items, node = [], head
        while node != nil and node in lists and len(items) < 10:
            items.append(lists[node])
            node = rests.get(node, nil)
        if len(items) != 2:
            return None  # chains of other lengths: owlrl
        chains_by_first[items[0]].append((items[1], prop))
        chains_by_second[items[1]].append((items[0], prop))

    # 2. Property assertions, to a fixpoint, semi-naively and a property at a time: each
    # round applies the rules to the pairs new since the last; a property's new pairs
    # join its superproperties' as whole sets (set operations run in C).
    rules = set(super_p) | set(inverses) | trans | symm
    rules |= set(chains_by_first) | set(chains_by_second)
    joined_out = trans | {second for pairs in chains_by_first.values() for second, _ in pairs}
    joined_in = trans | {first_p for pairs in chains_by_second.values() for first_p, _ in pairs}
    out_index: dict = defaultdict(lambda: defaultdict(set))  # p -> s -> {o}, input and derived
    in_index: dict = defaultdict(lambda: defaultdict(set))  # p -> o -> {s}
    derived: dict = defaultdict(set)  # p -> the pairs derived, none of the input's own

    def index(p: int, new_pairs) -> None:
        if p in joined_out:
            by_subject = out_index[p]
            for s, o in new_pairs:
                by_subject[s].add(o)
        if p in joined_in:
            by_object = in_index[p]
            for s, o in new_pairs:
                by_object[o].add(s)

    delta = {p: pairs(p) for p in rules - {rdf_type} if pairs(p)}  # the input's, first
    for p, new_pairs in delta.items():
        index(p, new_pairs)
    produced: dict = defaultdict(set)  # p -> pairs the last round derived, maybe known
    for s, p, o in new:  # the schema's own conclusions (subclass, domain, ...)
        produced[p].add((s, o))
    while delta or produced:
        for p, new_pairs in delta.items():
            for q in super_p.get(p, ()):
                produced[q] |= new_pairs
            inverse_of = [q for q, _ in inverses.get(p, ())]
            if p in symm:
                inverse_of.append(p)
            firsts, seconds = chains_by_first.get(p, ()), chains_by_second.get(p, ())
            if not (inverse_of or p in trans or firsts or seconds):
                continue
            for s, o in new_pairs:
                if o < 0:  # a literal
                    continue
                for q in inverse_of:
                    produced[q].add((o, s))
                if p in trans:
                    produced[p].update((s, z) for z in out_index[p].get(o, ()))
                    produced[p].update((x, o) for x in in_index[p].get(s, ()))
                for second, prop in firsts:
                    produced[prop].update((s, z) for z in out_index[second].get(o, ()))
                for first_p, prop in seconds:
                    produced[prop].update((x, o) for x in in_index[first_p].get(s, ()))
        delta = {}
        for q, got in produced.items():
            fresh = got - pairs(q) - derived[q]
            if fresh:
                derived[q] |= fresh
                if q in rules:
                    delta[q] = fresh
                    index(q, fresh)
        produced = defaultdict(set)
    out_index.clear()  # its memory is needed for the types
    in_index.clear()
    derived = {p: found for p, found in derived.items() if found}

    # 3. Types: what each class gains from domains and ranges, and from subclasses.
    typed: dict = defaultdict(set)  # class -> instances, asserted or by domain/range
    for c, xs in asserted.items():
        typed[c] |= xs
    for p in doms.keys() | rngs.keys():
        given = (
            derived.get(p, ()) if p == rdf_type else itertools.chain(pairs(p), derived.get(p, ()))
        )
        given = list(given) if doms.get(p) and rngs.get(p) else given
        if doms.get(p):
            subjects = set(map(itemgetter(0), given))
            for c in doms[p]:
                typed[c] |= subjects
        if rngs.get(p):
            objects = set(map(itemgetter(1), given))
            for c in rngs[p]:
                typed[c] |= objects
    instances: dict = defaultdict(set)
    for c, xs in typed.items():
        for d in itertools.chain((c,), super_c.get(c, ())):
            instances[d] |= xs
    del typed
    kept: set = set()
    dropped = 0
    for p, found in derived.items():
        good = meaningful_pairs(p, found)
        dropped += len(found) - len(good)
        kept.update((s, p, o) for s, o in good)
    already = defaultdict(set)  # class -> instances typed so by stage 2
    for s, o in derived.get(rdf_type, ()):
        already[o].add(s)
    del derived
    for d, xs in instances.items():
        gained = xs - asserted.get(d, none) - already.get(d, none)
        if d in trivial_types:
            dropped += len(gained)
            continue
        meaningful_ones = ordinary(gained)
        dropped += len(gained) - len(meaningful_ones)
        kept.update(zip(meaningful_ones, itertools.repeat(rdf_type), itertools.repeat(d)))
    del instances
    terms = set(graph)
    for given in graph.values():
        terms.update(map(itemgetter(0), given))
        terms.update(map(itemgetter(1), given))
    classes = declared[owl_class]
    properties = declared[property_classes[0]] | declared[property_classes[1]]
    trivial = len(terms) + 4 * len(classes) + 2 * len(properties) + dropped
    return FastClosure(kept, trivial, sum(map(len, graph.values())))
