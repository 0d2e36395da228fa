"""kg vocab: what an author may write in a facts file, from the ontology and its shapes."""

from __future__ import annotations

import json
import tomllib

from rdflib import OWL, RDF, Graph

from tests.conftest import ROOT, run_kg

SIGNING_DATE = """\
kg:signingDate  (datatype property) signing date
  The date of the signing according to the account, at the precision the text gives it (a weekday or "today" is resolved against the dated source; a month and day without a year stays an xsd:gMonthDay, completed by a kg:DateResolution).
  domain: kg:Signing   range: kg:DateValue
  shape kgsh:Signing-dated on kg:Signing: kg:signingDate: at least 1 (Warning)
  shape kgsh:Signing-notAfterSource on kg:Signing: kg:signingDate: a SPARQL check (Violation)
  shape kgsh:Signing-signingDate on kg:Signing: kg:signingDate: at most 1 (Violation)
  example: "kg:signingDate" = "text"
"""


def test_one_property_in_full():
    for spelling in ("signingDate", "kg:signingDate", "https://w3id.org/kg/ontology#signingDate"):
        result = run_kg("vocab", spelling)
        assert result.exit_code == 0
        assert result.stdout == SIGNING_DATE


def test_a_class_names_its_shapes_and_whether_it_is_closed():
    result = run_kg("vocab", "Signing")
    lines = result.stdout.splitlines()
    assert lines[0] == "kg:Signing  (class) signing"
    assert "  closed: a node of this class may have only the properties below" in lines
    assert (
        "  shape kgsh:Signing-agreement on kg:Signing: kg:agreement: at least 1, at most 1,"
        " of class kg:SecurityFramework (Violation)"
    ) in lines
    assert lines[-1] == '  example: type = "Signing"'


def test_an_unknown_term_names_the_closest():
    result = run_kg("vocab", "signDate")
    assert result.exit_code == 2
    assert result.stderr == (
        "kg: error: unknown term 'signDate': the ontology declares no such class or property"
        " (did you mean kg:signingDate or kg:signature or kg:signatory?)\n"
    )


def test_json_lists_every_class_and_property_of_the_ontology_with_an_example():
    result = run_kg("vocab", "--format", "json")
    terms = {t["name"]: t for t in json.loads(result.stdout)}
    ontology = Graph().parse(ROOT / "ontology" / "kg.ttl")
    declared = {
        ontology.namespace_manager.normalizeUri(c) for c in ontology.subjects(RDF.type, OWL.Class)
    }
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        declared |= {
            ontology.namespace_manager.normalizeUri(p) for p in ontology.subjects(RDF.type, kind)
        }
    assert declared <= set(terms)
    for term in terms.values():
        assert term["label"] and term["definition"], term["name"]
        if term["kind"] != "class":  # every example is a line of TOML
            example = term["example"].split("  #")[0]
            assert tomllib.loads(example), term["example"]
    assert terms["kg:party"]["domain"] == ["kg:SecurityFramework"]
    assert terms["kg:statedIn"]["note"].startswith("written by kg")


def test_the_facts_format_points_to_kg_vocab():
    text = (ROOT / "docs" / "facts-format.md").read_text(encoding="utf-8")
    assert "kg vocab" in text
