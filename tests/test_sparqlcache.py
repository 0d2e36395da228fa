"""kg/sparqlcache.py: each SPARQL text is translated once, and rdflib is restored after.

That results stay pySHACL's exactly is tests/test_validation_engine.py's job."""

from __future__ import annotations

import threading

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.sparql import processor

from kg.engine.sparqlcache import cached_sparql_parsing


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
