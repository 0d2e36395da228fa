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
from typing import NamedTuple

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


def _supported(graph: set) -> bool:
    """Whether every OWL term used as a property, or as a class in ``rdf:type``, is one
    this engine implements (each property checked once)."""
    from rdflib import URIRef

    rdf_type = URIRef(RDF + "type")  # an rdflib term equals terms only, not plain strings
    seen: set = set()
    for _, p, o in graph:
        if p not in seen:
            seen.add(p)
            if p.startswith(OWL) and str(p) not in _SUPPORTED_OWL:
                return False
        if p == rdf_type and o.startswith(OWL) and str(o) not in _SUPPORTED_OWL:
            return False
    return True


class FastClosure(NamedTuple):
    """What :func:`fast_closure` found."""

    kept: set  # the meaningful triples OWL 2 RL adds
    trivial: int  # how many trivial ones were left out
    inputs: int  # distinct input triples


def fast_closure(triples: Iterable[tuple]) -> FastClosure | None:
    """The triples OWL 2 RL adds to ``triples`` (rdflib terms), and how many trivial ones
    were left out.

    The trivial ones counted are those of ``eq-ref`` (``x owl:sameAs x`` for every
    term), ``scm-cls``, ``scm-op``/``scm-dp`` (a class or property related to itself,
    to ``owl:Thing``), which are never derived, plus derived triples that
    :func:`kg.engine.meaningful.meaningful` rejects. None when the graph uses OWL constructs
    this engine does not implement.

    Memory: besides the input set, only the schema, the triples a rule can fire on
    and what is derived are held; indexes only for the properties that rules join on.
    """
    from rdflib import Literal, URIRef

    from kg.engine.meaningful import meaningful

    rdf_type = URIRef(RDF + "type")
    sco, spo = URIRef(RDFS + "subClassOf"), URIRef(RDFS + "subPropertyOf")
    domain, range_ = URIRef(RDFS + "domain"), URIRef(RDFS + "range")
    eqc, eqp = URIRef(OWL + "equivalentClass"), URIRef(OWL + "equivalentProperty")
    inverse, chain_axiom = URIRef(OWL + "inverseOf"), URIRef(OWL + "propertyChainAxiom")
    transitive, symmetric = URIRef(OWL + "TransitiveProperty"), URIRef(OWL + "SymmetricProperty")
    first, rest, nil = URIRef(RDF + "first"), URIRef(RDF + "rest"), URIRef(RDF + "nil")
    owl_class = URIRef(OWL + "Class")
    property_classes = (URIRef(OWL + "ObjectProperty"), URIRef(OWL + "DatatypeProperty"))
    schema = {sco, spo, domain, range_, eqc, eqp, inverse, chain_axiom, first, rest}
    declarations = {transitive, symmetric, owl_class, *property_classes}

    graph = set(triples)
    if not _supported(graph):
        return None
    by_p: dict = defaultdict(list)  # the schema's triples only
    declared: dict = defaultdict(set)  # owl:Class, transitive, ... -> the terms typed so
    for s, p, o in graph:
        if p in schema:
            by_p[p].append((s, o))
        elif p == rdf_type and o in declarations:
            declared[o].add(s)

    # 1. Schema.
    sub_c, sub_p = defaultdict(set), defaultdict(set)
    for s, o in by_p[sco]:
        sub_c[s].add(o)
    for s, o in by_p[eqc]:
        sub_c[s].add(o)
        sub_c[o].add(s)
    for s, o in by_p[spo]:
        sub_p[s].add(o)
    for s, o in by_p[eqp]:
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
    for p, c in by_p[domain]:
        declared_dom[p].add(c)
    for p, c in by_p[range_]:
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
    for p, q in by_p[inverse]:
        inverses[p].add((q, False))
        inverses[q].add((p, False))
    trans, symm = declared[transitive], declared[symmetric]
    lists = {s: o for s, o in by_p[first]}
    rests = {s: o for s, o in by_p[rest]}
    chains_by_first, chains_by_second = defaultdict(list), defaultdict(list)
    for prop, head in by_p[chain_axiom]:
        items, node = [], head
        while node != nil and node in lists and len(items) < 10:
            items.append(lists[node])
            node = rests.get(node, nil)
        if len(items) != 2:
            return None  # chains of other lengths: owlrl
        chains_by_first[items[0]].append((items[1], prop))
        chains_by_second[items[1]].append((items[0], prop))

    # 2. Property assertions, to a fixpoint. Only triples whose property fires a rule
    # are queued from the input; the others derive nothing here.
    rules = set(super_p) | set(inverses) | trans | symm
    rules |= set(chains_by_first) | set(chains_by_second)
    joined_out = trans | {second for pairs in chains_by_first.values() for second, _ in pairs}
    joined_in = trans | {first_p for pairs in chains_by_second.values() for first_p, _ in pairs}
    out_index: dict = defaultdict(lambda: defaultdict(set))  # p -> s -> {o}
    in_index: dict = defaultdict(lambda: defaultdict(set))  # p -> o -> {s}
    facts = set()  # processed or derived
    queue = [t for t in graph if t[1] in rules and t[1] != rdf_type]
    queue.extend(t for t in new if t[1] not in (sco, eqc, domain, range_))
    while queue:
        triple = queue.pop()
        if triple in facts:
            continue
        facts.add(triple)
        s, p, o = triple
        if p in joined_out:
            out_index[p][s].add(o)
        if p in joined_in:
            in_index[p][o].add(s)
        if p not in rules:
            continue
        for q in super_p.get(p, ()):
            queue.append((s, q, o))
        if isinstance(o, Literal):
            continue
        for q, _ in inverses.get(p, ()):
            queue.append((o, q, s))
        if p in symm:
            queue.append((o, p, s))
        if p in trans:
            queue.extend((s, p, z) for z in list(out_index[p].get(o, ())))
            queue.extend((x, p, o) for x in list(in_index[p].get(s, ())))
        for second, prop in chains_by_first.get(p, ()):
            queue.extend((s, prop, z) for z in list(out_index[second].get(o, ())))
        for first_p, prop in chains_by_second.get(p, ()):
            queue.extend((x, prop, o) for x in list(in_index[first_p].get(s, ())))
    del out_index, in_index

    # 3. Types.
    types = set()
    derived = (t for t in facts if t not in graph)  # the input's own are met first
    for s, p, o in itertools.chain(graph, derived):
        if p == rdf_type and (s, p, o) in graph:
            types.add((s, o))
            continue
        for c in doms.get(p, ()):
            types.add((s, c))
        for c in rngs.get(p, ()):
            types.add((o, c))
    added = set()
    for triple in itertools.chain(facts, new):
        if triple not in graph:
            added.add(triple)
    del facts
    for x, c in types:
        for d in itertools.chain((c,), super_c.get(c, ())):
            if (x, rdf_type, d) not in graph:
                added.add((x, rdf_type, d))
    del types
    kept = {t for t in added if meaningful(t)}
    terms = {term for triple in graph for term in triple}
    classes = declared[owl_class]
    properties = declared[property_classes[0]] | declared[property_classes[1]]
    trivial = len(terms) + 4 * len(classes) + 2 * len(properties) + len(added) - len(kept)
    return FastClosure(kept, trivial, len(graph))
