"""kg reason: OWL 2 RL inferences, the trivial ones left out unless --all."""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from kg.engine.meaningful import meaningful
from kg.engine.reasoning import closure
from kg.reason import reason
from tests.conftest import MINI, run_kg

ONTOLOGY = MINI / "ontology"
E = "http://e/"


def test_trivial_triples_are_not_meaningful():
    a, c = URIRef(E + "a"), URIRef(E + "C")
    assert not meaningful((a, OWL.sameAs, a))
    assert not meaningful((a, RDF.type, OWL.Thing))
    assert not meaningful((a, RDF.type, RDFS.Resource))
    assert not meaningful((Literal("x"), RDF.type, RDFS.Literal))
    assert not meaningful((OWL.Thing, RDFS.subClassOf, OWL.Thing))
    assert not meaningful((c, RDFS.subClassOf, c))
    assert meaningful((a, RDF.type, c))
    assert meaningful((a, OWL.sameAs, URIRef(E + "b")))


def test_closure_of_files_with_the_ontology():
    result = reason([MINI / "valid.ttl"], ontology=ONTOLOGY)
    kgr, kg = "https://w3id.org/kg/id/", "https://w3id.org/kg/ontology#"
    assert (
        URIRef(kgr + "asha-rao"),
        URIRef(kg + "metBy"),
        URIRef(kgr + "cara-lim"),
    ) in result.triples
    assert all(meaningful(t) for t in result.triples)
    assert result.trivial_dropped > 100


def test_all_keeps_the_trivial_ones():
    trimmed = reason([MINI / "valid.ttl"], ontology=ONTOLOGY)
    everything = reason([MINI / "valid.ttl"], ontology=ONTOLOGY, keep_all=True)
    assert set(trimmed.triples) < set(everything.triples)


def test_the_built_graph_inferences_come_from_the_store(mini_store):
    result = run_kg("reason", "--store", mini_store, "--format", "ntriples")
    assert result.exit_code == 0
    assert (
        "<https://w3id.org/kg/id/ben-ott> <https://w3id.org/kg/ontology#metBy> "
        "<https://w3id.org/kg/id/asha-rao> ."
    ) in result.stdout.splitlines()
    assert result.stderr == f"{len(result.stdout.splitlines())} triples inferred\n"


def test_all_output_never_holds_literal_subjects():
    result = run_kg("reason", MINI / "valid.ttl", "--ontology", ONTOLOGY, "--all")
    assert result.exit_code == 0
    import pyoxigraph as ox

    quads = list(ox.parse(result.stdout_bytes, format=ox.RdfFormat.TURTLE))
    assert quads and not any(isinstance(q.subject, ox.Literal) for q in quads)


def test_inverse_and_subclass_inference():
    data = Graph().parse(
        data="""
        @prefix kg: <https://w3id.org/kg/ontology#> . @prefix e: <http://e/> .
        e:a a kg:Person ; kg:met e:b .""",
        format="turtle",
    )
    ontology = Graph().parse(ONTOLOGY / "kg.ttl")
    added = set(closure(data, ontology).triples)
    kg = "https://w3id.org/kg/ontology#"
    assert (URIRef(E + "b"), URIRef(kg + "metBy"), URIRef(E + "a")) in added
    assert (URIRef(E + "a"), RDF.type, URIRef(kg + "Agent")) in added
    assert (URIRef(E + "b"), RDF.type, URIRef(kg + "Person")) in added  # rdfs:range


# Data whose inferences hold awkward literals (escapes, languages, datatypes), IRIs
# that sort differently as text and as bytes, rdf:type and rdfs:label to sort first.
AWKWARD_DATA = """
@prefix kg: <https://w3id.org/kg/ontology#> . @prefix e: <http://e/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
e:a a kg:Person ; kg:met e:b , <http://e/\u00e9> , <http://e/Z> .
e:b kg:met e:a .
<http://e/\u00e9> kg:met <http://e/\U0001f600> .
"""


def _reasoned(tmp_path, text: str):
    path = tmp_path / "data.ttl"
    path.write_text(text, encoding="utf-8")
    return reason([path], ontology=ONTOLOGY)


def test_inferences_are_written_as_their_quads_would_be_in_every_format(tmp_path):
    from kg.rdf.io import WRITE_FORMATS, serialize

    result = _reasoned(tmp_path, AWKWARD_DATA)
    assert len(result) == len(result.triples) > 5
    for format_name in WRITE_FORMATS:
        assert result.serialize(format_name) == serialize(result.quads(), format_name)


def test_inferences_about_blank_nodes_get_canonical_labels(tmp_path):
    from kg.rdf.io import serialize

    text = AWKWARD_DATA + "_:x kg:met _:y . _:y kg:met e:a .\n"
    first = _reasoned(tmp_path, text).serialize("ntriples")
    assert b"_:" in first
    assert first == serialize(_reasoned(tmp_path, text).quads(), "ntriples")
    assert first == _reasoned(tmp_path, text).serialize("ntriples")  # the same bytes again


def test_the_same_blank_node_label_in_two_files_is_two_nodes(tmp_path):
    (tmp_path / "one.ttl").write_text(
        "@prefix kg: <https://w3id.org/kg/ontology#> . _:b kg:met <http://e/a> .\n"
    )
    (tmp_path / "two.ttl").write_text(
        "@prefix kg: <https://w3id.org/kg/ontology#> . _:b kg:met <http://e/c> .\n"
    )
    result = reason([tmp_path / "one.ttl", tmp_path / "two.ttl"], ontology=ONTOLOGY)
    met_by = [(str(s), str(o)) for s, p, o in result.triples if str(p).endswith("#metBy")]
    assert sorted(subject for subject, _ in met_by) == ["http://e/a", "http://e/c"]
    assert len({blank for _, blank in met_by}) == 2
