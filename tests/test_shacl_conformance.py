"""SHACL conformance: the W3C SHACL core tests through ``kg validate``, and the defects
they found, each as a user would meet it (``kg validate`` with their own shapes)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kg.validate import validate
from tests.conftest import run_kg
from tests.shacl_w3c import collect, passes, suite_dir

CORE = suite_dir()
TESTS = collect(CORE) if CORE is not None else []
needs_suite = pytest.mark.skipif(CORE is None, reason="the W3C SHACL tests could not be downloaded")


@needs_suite
@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_w3c_shacl_core(test):
    report = validate([test.data], shapes=test.shapes)
    assert passes(test, report.to_turtle())


@needs_suite
def test_the_suite_is_whole_and_includes_separate_data_and_shapes_files():
    assert len(TESTS) >= 90
    assert sum(t.data != t.shapes for t in TESTS) >= 5


@needs_suite
@pytest.mark.parametrize("name", ["node/qualified-001", "property/datatype-ill-formed"])
def test_w3c_through_the_command_with_separate_files(name):
    (test,) = [t for t in TESTS if t.name == name]
    assert test.data != test.shapes
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "validate",
            str(test.data),
            "--shapes",
            str(test.shapes),
            "--format",
            "turtle",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode in (0, 1), done.stderr
    assert passes(test, done.stdout)


SH = "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://e/> .\n"
SH += "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(SH + text, encoding="utf-8")
    return path


def test_in_and_has_value_with_plain_strings_are_no_violations(tmp_path):
    """The Oxigraph path gave the data's "A" back as "A"^^xsd:string, unequal to the
    shapes' "A": false violations of sh:in and sh:hasValue."""
    shapes = write(
        tmp_path,
        "shapes.ttl",
        "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:colour ; sh:property [ sh:path ex:colour ;"
        ' sh:in ( "A" "B" ) ; sh:hasValue "A" ] .',
    )
    good = write(tmp_path, "good.ttl", 'ex:x ex:colour "A" .')
    result = run_kg("validate", good, "--shapes", shapes)
    assert (result.exit_code, result.stdout) == (0, "conforms: 0 violations, 0 warnings, 0 infos\n")
    bad = write(tmp_path, "bad.ttl", 'ex:x ex:colour "C" .')
    result = run_kg("validate", bad, "--shapes", shapes, "--format", "json")
    constraints = sorted(r["constraint"] for r in json.loads(result.stdout)["results"])
    assert constraints == ["sh:HasValueConstraintComponent", "sh:InConstraintComponent"]


def test_a_custom_severity_is_a_result_that_fails(tmp_path):
    shapes = write(
        tmp_path,
        "shapes.ttl",
        "ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:severity ex:Blocker ; sh:class ex:C .",
    )
    data = write(tmp_path, "data.ttl", "ex:x ex:p 1 .")
    result = run_kg("validate", data, "--shapes", shapes)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "<http://e/Blocker>: <http://e/x>: Value does not have class <http://e/C> "
        "(value: <http://e/x>)",
        "does not conform: 0 violations, 0 warnings, 0 infos, 1 <http://e/Blocker>",
    ]
    result = run_kg("validate", data, "--shapes", shapes, "--format", "json", "--fail-on", "info")
    document = json.loads(result.stdout)
    assert (document["conforms"], document["passed"]) == (False, False)
    assert [r["severity"] for r in document["results"]] == ["<http://e/Blocker>"]


def test_details_under_sh_node_are_not_counted_as_results(tmp_path):
    shapes = write(
        tmp_path,
        "shapes.ttl",
        "ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:property [ sh:path ex:p ; sh:node ex:T ] .\n"
        "ex:T a sh:NodeShape ; sh:property [ sh:path ex:q ; sh:minCount 1 ] , "
        "[ sh:path ex:r ; sh:minCount 1 ] .",
    )
    data = write(tmp_path, "data.ttl", "ex:x ex:p ex:y .")
    result = run_kg("validate", data, "--shapes", shapes)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "does not conform: 1 violation, 0 warnings, 0 infos"
    result = run_kg("validate", data, "--shapes", shapes, "--format", "json")
    results = json.loads(result.stdout)["results"]
    assert [r["constraint"] for r in results] == ["sh:NodeConstraintComponent"]


@pytest.mark.parametrize("written, results", [('"1"', 0), ('"true"', 1), ("true", 1)])
def test_unique_lang_is_on_only_for_the_literal_true(tmp_path, written, results):
    shapes = write(
        tmp_path,
        "shapes.ttl",
        f"ex:S a sh:PropertyShape ; sh:targetNode ex:i ; sh:path ex:m ; "
        f"sh:uniqueLang {written if written == 'true' else written + '^^xsd:boolean'} .",
    )
    data = write(tmp_path, "data.ttl", 'ex:i ex:m "HI"@en, "Hi"@en .')
    assert len(validate([data], shapes=shapes).results) == results


def test_json_conforms_is_shacls_and_passed_is_the_fail_on_verdict(tmp_path):
    shapes = write(
        tmp_path,
        "shapes.ttl",
        "ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:severity sh:Warning ; sh:class ex:C .",
    )
    data = write(tmp_path, "data.ttl", "ex:x ex:p 1 .")
    result = run_kg("validate", data, "--shapes", shapes, "--format", "json")
    document = json.loads(result.stdout)
    assert result.exit_code == 0
    assert (document["conforms"], document["passed"], document["failOn"]) == (
        False,
        True,
        "violation",
    )
    turtle = run_kg("validate", data, "--shapes", shapes, "--format", "turtle").stdout
    assert "sh:conforms false" in turtle
    text = run_kg("validate", data, "--shapes", shapes).stdout
    assert (
        text.splitlines()[-1] == "passes at --fail-on violation: 0 violations, 1 warning, 0 infos"
    )
    result = run_kg(
        "validate", data, "--shapes", shapes, "--format", "json", "--fail-on", "warning"
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["passed"] is False


# Oxigraph's store keeps "300"^^xsd:byte as xsd:integer: kg validate checks such data in an
# rdflib graph (kg.store.memory.RewriteCheck, and test_w3c_shacl_core passes it), which
# this test, calling the compiler on a store directly, leaves out.
REWRITTEN_DATA = {"property/datatype-ill-formed"}


@needs_suite
@pytest.mark.parametrize(
    "test",
    [
        pytest.param(t, marks=pytest.mark.xfail(reason="literals the store rewrites", strict=True))
        if t.name in REWRITTEN_DATA
        else t
        for t in TESTS
    ],
    ids=[t.name for t in TESTS],
)
def test_w3c_shacl_core_with_the_compiler(test):
    """The same tests with every shape the compiler handles compiled, messages or not
    (``kg validate`` leaves shapes without sh:message to pySHACL, whose messages it does
    not imitate; the comparison ignores messages); pySHACL runs only the rest."""
    from kg.engine.shacl.compile import compile_shapes, without_targets
    from kg.engine.shacl.report import run_checks
    from kg.engine.validation import (
        ValidationReport,
        _run_pyshacl,
        load_shapes,
        results_from_report,
    )
    from kg.rdf.io import parse_file
    from kg.store.memory import memory_store

    shapes = load_shapes(test.shapes)[0]
    store = memory_store(parse_file(test.data))
    plan = compile_shapes(shapes, require_messages=False)
    report = None
    if plan.fallback:
        report = _run_pyshacl(store, without_targets(shapes, plan), False, "s", {"inplace": True})
    report = run_checks(store, plan, report)
    turtle = ValidationReport(results_from_report(report), report).to_turtle()
    assert passes(test, turtle)
