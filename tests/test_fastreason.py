"""kg/fastreason.py: exactly owlrl's meaningful inferences, on the seed and generated data."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from benchmarks.generate import generate
from kg.engine.fastreason import fast_closure
from kg.engine.meaningful import meaningful
from kg.engine.reasoning import closure, rdflib_datatypes_kept
from kg.engine.validation import load_ontology
from kg.rdf.io import to_rdflib_graph
from kg.store.memory import asserted_from_store

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"
E = "http://example.org/"


def owlrl_meaningful(graph) -> set:
    """What plain owlrl adds, minus the trivial triples (the reference)."""
    import owlrl

    copy = Graph()
    for triple in graph:
        copy.add(triple)
    before = set(copy)
    with rdflib_datatypes_kept():
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(copy)
    return {t for t in copy if t not in before and meaningful(t)}


def both(graph) -> tuple[set, set]:
    fast = fast_closure(list(graph))
    assert fast is not None
    return fast[0], owlrl_meaningful(graph)


def merged(*graphs) -> Graph:
    out = Graph()
    for graph in graphs:
        for triple in graph:
            out.add(triple)
    return out


def test_same_as_owlrl_on_the_seed(seed_store):
    graph = merged(to_rdflib_graph(asserted_from_store(seed_store)), load_ontology())
    fast, slow = both(graph)
    assert len(fast) > 1000
    assert fast == slow


def test_same_as_owlrl_on_the_mini_fixture():
    data = Graph()
    data.parse(MINI / "valid.ttl")
    fast, slow = both(merged(data, load_ontology(MINI / "ontology")))
    assert fast and fast == slow


@pytest.mark.slow
@pytest.mark.parametrize("size,seed", [(1000, 0), (5000, 4)])
def test_same_as_owlrl_on_generated_data(size, seed):
    data = Graph()
    data.parse(data=generate(size, seed=seed, violations=0).ntriples, format="nt")
    fast, slow = both(merged(data, load_ontology()))
    chains = {t for t in fast if t[1] == URIRef("https://w3id.org/kg/ontology#holdsOffice")}
    assert len(fast) > size and chains
    assert fast == slow


def test_each_rule_against_owlrl():
    p, q, r, inv, t, s, chain = (URIRef(E + n) for n in ("p", "q", "r", "inv", "t", "s", "ch"))
    a, b, c, d = (URIRef(E + n) for n in "abcd")
    C, D, F = (URIRef(E + n) for n in ("C", "D", "F"))
    graph = Graph()
    for triple in [
        (C, RDFS.subClassOf, D),
        (D, OWL.equivalentClass, F),
        (p, RDFS.subPropertyOf, q),
        (q, RDFS.domain, C),
        (q, RDFS.range, D),
        (p, OWL.inverseOf, inv),
        (t, RDF.type, OWL.TransitiveProperty),
        (s, RDF.type, OWL.SymmetricProperty),
        (a, p, b),
        (b, t, c),
        (c, t, d),
        (a, s, d),
        (a, q, Literal("x")),
    ]:
        graph.add(triple)
    head, tail = URIRef(E + "l1"), URIRef(E + "l2")
    graph.add((chain, OWL.propertyChainAxiom, head))
    graph.add((head, RDF.first, p))
    graph.add((head, RDF.rest, tail))
    graph.add((tail, RDF.first, t))
    graph.add((tail, RDF.rest, RDF.nil))
    fast, slow = both(graph)
    assert (a, chain, c) in fast and (a, chain, d) in fast and (b, t, d) in fast
    assert (b, inv, a) in fast and (d, s, a) in fast and (a, RDF.type, F) in fast
    assert fast == slow


@pytest.mark.parametrize(
    "extra",
    [
        (URIRef(E + "a"), OWL.sameAs, URIRef(E + "b")),
        (URIRef(E + "p"), RDF.type, OWL.FunctionalProperty),
        (URIRef(E + "C"), OWL.someValuesFrom, URIRef(E + "D")),
    ],
)
def test_other_constructs_fall_back_to_owlrl(extra):
    graph = [(URIRef(E + "a"), URIRef(E + "p"), URIRef(E + "c")), extra]
    assert fast_closure(graph) is None
    result = closure(graph)  # owlrl does it
    assert all(meaningful(t) for t in result.triples)


def test_closure_counts_the_trivial_triples_it_leaves_out():
    data = Graph()
    data.parse(MINI / "valid.ttl")
    result = closure(data, load_ontology(MINI / "ontology"))
    terms = {term for triple in merged(data, load_ontology(MINI / "ontology")) for term in triple}
    assert result.trivial_dropped >= len(terms)  # eq-ref: x owl:sameAs x for every term
    assert result.input_triples == len(merged(data, load_ontology(MINI / "ontology")))


def test_the_owlrl_fallback_leaves_date_checks_as_they_were():
    """owlrl leaves its own xsd:gMonthDay check in rdflib's global table, which rejects
    "--11-04": a later validation in the same process found the corpus's dates ill-typed."""
    from kg.rdf.io import _ill_typed_uncached

    gmonthday = "http://www.w3.org/2001/XMLSchema#gMonthDay"
    graph = Graph()
    graph.add((URIRef(E + "a"), URIRef(E + "on"), Literal("--11-04", datatype=URIRef(gmonthday))))
    closure(graph, keep_all=True)  # the owlrl path
    assert not Literal("--11-04", datatype=URIRef(gmonthday)).ill_typed
    assert _ill_typed_uncached("--11-04", gmonthday) is False
