"""kg validate: files or the built graph against the shapes; exit codes 0/1/2."""

from __future__ import annotations

import json

import pytest

from kg.validate import validate
from tests.conftest import MINI, run_kg

ONTOLOGY = MINI / "ontology"
INVALID = MINI / "invalid.ttl"
VALID = MINI / "valid.ttl"

INVALID_LINES = [
    'Violation: kgr:lonely-meeting kg:meetingDate: A meeting date is one xsd:date. (value: "3 May")',
    "Violation: kgr:lonely-meeting kg:participant: "
    "A meeting needs at least two participants who are agents.",
    "Violation: kgr:lonely-meeting kg:participant: "
    "A meeting needs at least two participants who are agents. (value: kgr:asha-rao)",
    "Violation: kgr:nobody rdfs:label: An agent needs a label.",
]


def test_results_are_typed_and_sorted():
    report = validate([INVALID], ontology=ONTOLOGY)
    assert not report.conforms
    assert [r.line() for r in report.results] == INVALID_LINES
    first = report.results[0]
    assert (first.severity, first.focus_node, first.path, first.constraint) == (
        "Violation",
        "kgr:lonely-meeting",
        "kg:meetingDate",
        "sh:DatatypeConstraintComponent",
    )


def test_cli_text_report_and_exit_1():
    result = run_kg("validate", INVALID, "--ontology", ONTOLOGY)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        *INVALID_LINES,
        "does not conform: 4 violations, 0 warnings, 0 infos",
    ]


def test_conforming_file_exits_0():
    result = run_kg("validate", VALID, "--ontology", ONTOLOGY)
    assert (result.exit_code, result.stdout) == (0, "conforms: 0 violations, 0 warnings, 0 infos\n")


def test_subclass_instances_are_targeted_through_the_ontology():
    # kg:Person ⊑ kg:Agent only in the ontology: the AgentShape still reaches kgr:nobody
    report = validate([INVALID], ontology=ONTOLOGY)
    assert any(r.focus_node == "kgr:nobody" for r in report.results)


def test_json_report():
    result = run_kg("validate", INVALID, "--ontology", ONTOLOGY, "--format", "json")
    document = json.loads(result.stdout)
    assert document["conforms"] is False
    assert document["results"][-1] == {
        "severity": "Violation",
        "focus_node": "kgr:nobody",
        "path": "rdfs:label",
        "value": "",
        "message": "An agent needs a label.",
        "source_shape": "",
        "constraint": "sh:MinCountConstraintComponent",
    }


def test_turtle_report_is_the_standard_shacl_report():
    import pyoxigraph as ox

    result = run_kg("validate", INVALID, "--ontology", ONTOLOGY, "--format", "turtle")
    quads = list(ox.parse(result.stdout_bytes, format=ox.RdfFormat.TURTLE))
    sh = "http://www.w3.org/ns/shacl#"
    reports = [q for q in quads if q.object == ox.NamedNode(sh + "ValidationReport")]
    results = [q for q in quads if q.object == ox.NamedNode(sh + "ValidationResult")]
    assert (len(reports), len(results)) == (1, 4)


def test_fail_on_warning_and_user_shapes(tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix kg: <https://w3id.org/kg/ontology#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetClass kg:Person ;\n"
        "  sh:property [ sh:path kg:met ; sh:minCount 1 ; sh:severity sh:Warning ;\n"
        '    sh:message "Who did they meet?" ] .\n'
    )
    base = ["validate", VALID, "--ontology", ONTOLOGY, "--shapes", shapes]
    assert run_kg(*base).exit_code == 0
    result = run_kg(*base, "--fail-on", "warning")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "Warning: kgr:asha-rao kg:met: Who did they meet?"


def test_malformed_shapes_are_caught_by_meta_shacl(tmp_path):
    shapes = tmp_path / "bad-shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix kg: <https://w3id.org/kg/ontology#> .\n"
        '<urn:s> a sh:NodeShape ; sh:targetClass kg:Person ; sh:property [ sh:path kg:x ; sh:datatype "date" ] .\n'
    )
    result = run_kg("validate", VALID, "--ontology", ONTOLOGY, "--shapes", shapes)
    assert result.exit_code == 2
    assert result.stderr == (
        f"kg: error: {shapes}: malformed shapes: sh:datatype Value is not of Node Kind sh:IRI\n"
    )


def test_validate_the_built_graph(mini_store):
    result = run_kg("validate", "--store", mini_store, "--ontology", ONTOLOGY)
    assert (result.exit_code, result.stdout) == (0, "conforms: 0 violations, 0 warnings, 0 infos\n")


@pytest.mark.parametrize(
    "text, reason",
    [
        ('<http://e/a> <http://e/p> "5"^^<http://www.w3.org/2001/XMLSchema#int> .\n', "rewritten"),
        ("<http://e/a> <http://e/p> _:b .\n", "blank node"),
    ],
)
def test_a_pipe_read_twice_gives_its_bytes_once(text, reason):
    """`kg validate --alone --input-format ntriples <(zcat x.nt.gz)`: a file that must be
    parsed again (literals Oxigraph rewrites, blank nodes) is read from the pipe once."""
    import os

    read_end, write_end = os.pipe()  # as <(...) gives: /dev/fd/N, at its end once read
    os.write(write_end, text.encode())
    os.close(write_end)
    try:
        result = run_kg("validate", "--alone", "--input-format", "ntriples", f"/dev/fd/{read_end}")
    finally:
        os.close(read_end)
    assert (result.exit_code, result.stderr) == (0, ""), reason
    assert result.stdout == "conforms: 0 violations, 0 warnings, 0 infos\n"
