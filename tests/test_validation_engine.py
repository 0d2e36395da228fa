"""kg validates with pySHACL over an in-memory Oxigraph store, or over an rdflib graph
with each SPARQL text parsed once (kg/sparqlcache.py); the results of both are exactly
plain pySHACL's over an rdflib graph (what users of pySHACL get): severity, focus node,
path, value, message, shape and constraint."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from benchmarks.generate import generate
from kg.engine.validation import (
    load_ontology,
    load_shapes,
    results_from_report,
    validate_graph,
    with_typing_shapes,
)
from kg.rdf.io import from_rdflib_triples, parse_file, to_rdflib_graph
from kg.store.memory import asserted_from_store, memory_store
from kg.validate import validate
from tests.conftest import MINI

SHAPES_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "shapes"


def rdflib_pyshacl(data: Graph, shapes=None, ontology=None) -> list:
    """The reference: plain pySHACL over an rdflib graph, as kg's options ask."""
    import pyshacl

    ontology = ontology if ontology is not None else load_ontology()
    shapes = shapes if shapes is not None else load_shapes(None)[0]
    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=with_typing_shapes(shapes, ontology),  # kg's shapes, given to both
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=False,
    )
    return results_from_report(report)


def oxigraph_pyshacl(data: Graph, shapes=None, ontology=None) -> list:
    """kg's engine, given the same triples."""
    store = memory_store(from_rdflib_triples(data, None))
    shapes = shapes if shapes is not None else load_shapes(None)[0]
    ontology = ontology if ontology is not None else load_ontology()
    return validate_graph(store, shapes, ontology).results


@pytest.mark.parametrize("name", sorted(p.stem for p in SHAPES_FIXTURES.glob("*.ttl")))
def test_same_results_on_each_shapes_fixture(name):
    path = SHAPES_FIXTURES / f"{name}.ttl"
    expected = rdflib_pyshacl(to_rdflib_graph(parse_file(path)))
    assert validate([path]).results == expected
    assert expected or name == "valid"


INT_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<urn:shape> a sh:NodeShape ; sh:targetSubjectsOf <http://e/n> ;
  sh:property [ sh:path <http://e/n> ; sh:datatype xsd:int ; sh:in ( "7"^^xsd:int ) ] .
"""


def test_literals_oxigraph_would_rewrite_are_validated_as_written(tmp_path):
    """Oxigraph's store keeps "7"^^xsd:int as "7"^^xsd:integer, which would break
    sh:datatype and sh:in; such files are validated in an rdflib graph instead."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(INT_SHAPES)
    data = tmp_path / "data.ttl"
    data.write_text('<http://e/a> <http://e/n> "7"^^<http://www.w3.org/2001/XMLSchema#int> .\n')
    assert validate([data], shapes=shapes).results == []
    store = memory_store(parse_file(data))
    shapes_graph = to_rdflib_graph(parse_file(shapes))
    wrong = validate_graph(store, shapes_graph).results  # why: the store's own answer
    assert sorted(r.constraint for r in wrong) == [
        "sh:DatatypeConstraintComponent",
        "sh:InConstraintComponent",
    ]


def test_same_results_on_the_mini_fixture_with_its_own_shapes_and_ontology():
    shapes = to_rdflib_graph(parse_file(MINI / "ontology" / "shapes.ttl"))
    ontology = to_rdflib_graph(parse_file(MINI / "ontology" / "kg.ttl"))
    data = to_rdflib_graph(parse_file(MINI / "invalid.ttl"))
    expected = rdflib_pyshacl(data, shapes, ontology)
    assert len(expected) == 4
    assert oxigraph_pyshacl(data, shapes, ontology) == expected


def cached_rdflib_pyshacl(data: Graph) -> list:
    """kg's rdflib path (``kg build``, rewritten literals): each SPARQL text parsed once."""
    return validate_graph(data, load_shapes(None)[0], load_ontology()).results


def test_same_results_on_the_seed(seed_store):
    data = to_rdflib_graph(asserted_from_store(seed_store))
    expected = rdflib_pyshacl(data)
    assert [r.severity for r in expected] == ["Info"] * 3
    assert oxigraph_pyshacl(data) == expected
    assert cached_rdflib_pyshacl(data) == expected


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 3])
def test_same_results_on_generated_data_with_violations(seed):
    data = Graph()
    data.parse(data=generate(1000, seed=seed, violations=0.3).ntriples, format="nt")
    expected = rdflib_pyshacl(data)
    got = oxigraph_pyshacl(data)
    assert got == expected
    assert cached_rdflib_pyshacl(data) == expected
    assert any(r.constraint == "sh:SPARQLConstraintComponent" for r in got)
    assert any(r.value.endswith('"') for r in got)  # plain literals written alike


def test_an_rdflib_graph_is_copied_not_changed():
    data = to_rdflib_graph(parse_file(SHAPES_FIXTURES / "valid.ttl"))
    before = len(data)
    validate_graph(data, load_shapes(None)[0], load_ontology())
    assert len(data) == before


class QueryRecorder:
    """Stands in for a pyoxigraph store (not subclassable) and counts its queries."""

    def __init__(self, store) -> None:
        self.store, self.queries = store, 0

    def __iter__(self):
        return iter(self.store)

    def query(self, *args, **kwargs):
        self.queries += 1
        return self.store.query(*args, **kwargs)


def test_emptiness_is_asked_of_one_quad_not_a_count():
    """pySHACL asks ``bool(data graph)`` per result; its own answer COUNTs the store."""
    from pyshacl.graph_abstraction import DataGraph

    store = memory_store()
    validate_graph(store, load_shapes(None)[0], load_ontology(), engine="pyshacl")  # installs it
    for backing, truth in ((store, True), (memory_store(), False)):  # the axioms went in
        graph = DataGraph.from_oxigraph_store(backing)
        graph.impl = recorder = QueryRecorder(backing)
        assert bool(graph) is truth
        assert recorder.queries == 0


# --- the compiled engine (kg/engine/shacl) against pySHACL, on the same store ---------


def both_engines(make_store, shapes=None, ontology=None):
    """Results of the shapes compiled to SPARQL and of pySHACL, each on a fresh store."""
    shapes = shapes if shapes is not None else load_shapes(None)[0]
    ontology = ontology if ontology is not None else load_ontology()
    compiled = validate_graph(make_store(), shapes, ontology, engine="sparql").results
    reference = validate_graph(make_store(), shapes, ontology, engine="pyshacl").results
    return compiled, reference


def test_every_bundled_shape_compiles():
    from kg.engine.shacl.compile import compile_shapes

    plan = compile_shapes(with_typing_shapes(load_shapes(None)[0], load_ontology()))
    assert plan.fallback == {}
    components = {check.component for check in plan.checks}
    assert {
        "SPARQLConstraintComponent",
        "ClosedConstraintComponent",
        "OrConstraintComponent",
        "QualifiedMinCountConstraintComponent",
        "LessThanConstraintComponent",
    } <= components


@pytest.mark.parametrize("name", sorted(p.stem for p in SHAPES_FIXTURES.glob("*.ttl")))
def test_compiled_shapes_give_pyshacls_results_on_each_fixture(name):
    quads = parse_file(SHAPES_FIXTURES / f"{name}.ttl")
    compiled, reference = both_engines(lambda: memory_store(quads))
    assert compiled == reference
    assert reference or name == "valid"


@pytest.mark.parametrize("seed, violations", [(0, 0.3), (3, 0.3), (5, 0.0)])
def test_compiled_shapes_give_pyshacls_results_on_generated_data(seed, violations):
    import pyoxigraph as ox

    text = generate(2000, seed=seed, violations=violations).ntriples.encode()
    compiled, reference = both_engines(
        lambda: memory_store(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))
    )
    assert compiled == reference
    assert len({r.constraint for r in reference}) >= (6 if violations else 1)


def test_compiled_shapes_give_pyshacls_results_on_the_seed(seed_store):
    compiled, reference = both_engines(lambda: asserted_from_store(seed_store))
    assert compiled == reference and len(reference) == 3


def test_a_shape_the_compiler_leaves_is_validated_by_pyshacl_and_named_in_debug(tmp_path):
    """sh:node is not compiled: that shape goes to pySHACL, the rest is compiled, and
    --debug says which and why."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://e/> .\n"
        'ex:A a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:message "needs q" ;'
        ' sh:property [ sh:path ex:q ; sh:minCount 1 ; sh:message "needs q" ] .\n'
        "ex:B a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:node ex:C .\n"
        "ex:C a sh:NodeShape ; sh:property [ sh:path ex:r ; sh:minCount 1 ] .\n"
    )
    data = tmp_path / "data.ttl"
    data.write_text("<http://e/x> <http://e/p> 1 .\n")
    done = subprocess.run(
        [sys.executable, "-m", "kg", "--debug", "validate", str(data), "--shapes", str(shapes)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "kg: debug: pySHACL validates <http://e/B>: sh:node\n" in done.stderr
    assert done.stdout.splitlines() == [
        "Violation: <http://e/x>: Value does not conform to Shape <http://e/C>. "
        "See details for more information. (value: <http://e/x>)",
        "Violation: <http://e/x> <http://e/q>: needs q",
        "does not conform: 2 violations, 0 warnings, 0 infos",
    ]


NOT_EXISTS_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://e/> .
ex:untyped a sh:NodeShape ;
    sh:target [ a sh:SPARQLTarget ; sh:select \"\"\"
        SELECT DISTINCT ?this WHERE {
            ?s ?p ?this . FILTER (isIRI(?this))
            FILTER NOT EXISTS { ?this <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ?class }
        }\"\"\" ] ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "no name" ] .
ex:lonely a sh:NodeShape ; sh:targetSubjectsOf ex:knows ;
    sh:sparql [ sh:message "knows nobody who knows it back" ; sh:select \"\"\"
        SELECT $this ?value WHERE {
            $this <http://e/knows> ?value .
            FILTER NOT EXISTS { ?value <http://e/knows> $this }
        }\"\"\" ] ;
    sh:sparql [ sh:message "knows someone untyped" ; sh:select \"\"\"
        SELECT $this ?value WHERE {
            $this <http://e/knows> ?value .
            FILTER NOT EXISTS { ?value a ?anything }
        }\"\"\" ] .
"""


@pytest.mark.parametrize(
    "data",
    [
        "ex:a a ex:C ; ex:knows ex:b , ex:c . ex:b ex:knows ex:a . ex:c a ex:C ; ex:name 'c' .",
        "ex:a a ex:C ; ex:name 'a' .",  # nothing the NOT EXISTS patterns could remove
        "ex:a ex:knows ex:a .",  # knows itself: matched by its own triple
    ],
)
def test_not_exists_written_as_minus_gives_pyshacls_results(data):
    import pyoxigraph as ox

    from kg.engine.shacl.compile import compile_shapes

    shapes = Graph().parse(data=NOT_EXISTS_SHAPES, format="turtle")
    text = f"@prefix ex: <http://e/> . {data}".encode()
    ontology = Graph()
    plan = compile_shapes(shapes)
    assert sum("MINUS {" in u for _, u in plan.focus) == 1  # the target's
    sparql = [c.query for c in plan.checks if c.component == "SPARQLConstraintComponent"]
    assert sum("MINUS {" in query for query in sparql) == 2
    compiled, reference = both_engines(
        lambda: memory_store(ox.parse(text, format=ox.RdfFormat.TURTLE)), shapes, ontology
    )
    assert compiled == reference
