"""kg/sparqlcache.py: validating with SPARQL parsed once gives pySHACL's results exactly."""

from __future__ import annotations

import threading

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.sparql import processor

from benchmarks.generate import generate
from kg.memstore import asserted_from_store
from kg.rdfio import to_rdflib_graph
from kg.sparqlcache import cached_sparql_parsing
from kg.validate import (
    load_ontology,
    load_shapes,
    results_from_report,
    validate_graph,
)


def plain_pyshacl(data):
    """The reference: pySHACL as kg called it before the cache, rdflib parsing every time."""
    import pyshacl

    shapes, _, _ = load_shapes(None)
    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=load_ontology(),
        inference="none",
        advanced=True,
        allow_warnings=False,
    )
    return results_from_report(report)


def with_cache(data):
    shapes, _, _ = load_shapes(None)
    return validate_graph(data, shapes, load_ontology()).results


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 3])
def test_same_results_on_generated_data_with_violations(seed):
    data = Graph()
    data.parse(data=generate(1000, seed=seed, violations=0.3).ntriples, format="nt")
    expected = plain_pyshacl(data)
    got = with_cache(data)
    assert got == expected
    assert any(r.constraint == "sh:SPARQLConstraintComponent" for r in got)


@pytest.mark.slow
def test_same_results_on_the_seed(seed_store):
    data = to_rdflib_graph(asserted_from_store(seed_store))
    assert with_cache(data) == plain_pyshacl(data)


def test_each_text_is_translated_once_and_rdflib_is_restored():
    original = processor.SPARQLProcessor.query
    graph = Graph()
    graph.add((URIRef("http://e/a"), URIRef("http://e/p"), Literal(1)))
    text = "SELECT ?o WHERE { ?s <http://e/p> ?o }"
    with cached_sparql_parsing() as cache:
        answers = [
            [row.o for row in graph.query(text, initBindings={"s": URIRef(f"http://e/{n}")})]
            for n in "ab"
        ]
        assert len(cache) == 1
    assert answers == [[Literal(1)], []]  # the bindings still apply per call
    assert processor.SPARQLProcessor.query is original


def test_nested_and_concurrent_blocks_restore_rdflib_once():
    original = processor.SPARQLProcessor.query
    inside = threading.Event()
    release = threading.Event()

    def other():
        with cached_sparql_parsing():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    with cached_sparql_parsing():
        thread.start()
        inside.wait(10)
    assert processor.SPARQLProcessor.query is not original  # the other block is still in
    release.set()
    thread.join()
    assert processor.SPARQLProcessor.query is original
