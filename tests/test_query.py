"""kg query: bundled or user queries, parameters bound as terms, W3C result formats."""

from __future__ import annotations

import json

import pytest

from kg.errors import QueryError, UnsafeOperationError
from kg.query import query
from tests.conftest import MINI, run_kg

PARTICIPANTS = str(MINI / "queries" / "participants.rq")
MET_BY = str(MINI / "queries" / "met-by.rq")


def test_select_rows(mini_store):
    result = query(PARTICIPANTS, store=mini_store)
    assert result.variables == ["meeting", "person", "personLabel"]
    assert result.values() == [
        ("https://w3id.org/kg/id/rao-ott-meeting", "https://w3id.org/kg/id/asha-rao", "Asha Rao"),
        ("https://w3id.org/kg/id/rao-ott-meeting", "https://w3id.org/kg/id/ben-ott", "Ben Ott"),
    ]


def test_table_output(mini_store):
    result = run_kg("query", PARTICIPANTS, "--store", mini_store)
    assert result.exit_code == 0
    assert result.stdout == (
        "meeting              person        personLabel\n"
        "-------------------  ------------  -----------\n"
        "kgr:rao-ott-meeting  kgr:asha-rao  Asha Rao\n"
        "kgr:rao-ott-meeting  kgr:ben-ott   Ben Ott\n"
        "(2 rows)\n"
    )


def test_csv_tsv_json_follow_the_w3c_formats(mini_store):
    csv = run_kg("query", MET_BY, "--store", mini_store, "--format", "csv").stdout_bytes
    assert csv == (
        b"person,metBy\r\nhttps://w3id.org/kg/id/ben-ott,https://w3id.org/kg/id/asha-rao\r\n"
    )
    tsv = run_kg("query", MET_BY, "--store", mini_store, "--format", "tsv").stdout
    assert tsv == (
        "?person\t?metBy\n<https://w3id.org/kg/id/ben-ott>\t<https://w3id.org/kg/id/asha-rao>\n"
    )
    document = json.loads(run_kg("query", MET_BY, "--store", mini_store, "--format", "json").stdout)
    assert document == {
        "head": {"vars": ["person", "metBy"]},
        "results": {
            "bindings": [
                {
                    "person": {"type": "uri", "value": "https://w3id.org/kg/id/ben-ott"},
                    "metBy": {"type": "uri", "value": "https://w3id.org/kg/id/asha-rao"},
                }
            ]
        },
    }


def test_inverse_is_answered_only_with_inferences(mini_store):
    assert query(MET_BY, store=mini_store).values() == [
        ("https://w3id.org/kg/id/ben-ott", "https://w3id.org/kg/id/asha-rao")
    ]
    assert query(MET_BY, store=mini_store, asserted=True).values() == []


def test_parameters_are_bound_as_terms(mini_store):
    rows = query(PARTICIPANTS, {"meeting": "kgr:rao-ott-meeting"}, store=mini_store).values()
    assert len(rows) == 2
    assert query(PARTICIPANTS, {"meeting": "kgr:no-such-meeting"}, store=mini_store).rows == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-p", "meting=kgr:x"],
            "participants: unknown parameter 'meting' (this query takes: meeting)",
        ),
        (
            ["-p", "meeting=not an iri"],
            "--param meeting: 'not an iri' is not an IRI (write https://... or kgr:name)",
        ),
        (["-p", "meeting"], "--param 'meeting': write --param name=value"),
        (
            ["-p", "meeting=zz:x"],
            "--param meeting: 'zz:x' is not an IRI (unknown prefix; known: dcterms, foaf, kg, kgg, kgr, kgsh, nif, oa, org, owl, prov, rdf, rdfs, schema, sh, skos, time, wd, xsd)",
        ),
    ],
)
def test_bad_parameters_are_one_line_errors(mini_store, args, message):
    result = run_kg("query", PARTICIPANTS, "--store", mini_store, *args)
    assert result.exit_code == 2
    assert result.stderr == f"kg: error: {message}\n"
    assert result.stdout == ""


def test_unknown_query_name(mini_store):
    result = run_kg("query", "no-such-query", "--store", mini_store)
    assert result.exit_code == 2
    assert result.stderr.startswith("kg: error: unknown query 'no-such-query': known queries are ")


def test_update_is_refused(mini_store, tmp_path):
    update = tmp_path / "drop.rq"
    update.write_text("DROP ALL")
    with pytest.raises(QueryError) as caught:
        query(str(update), store=mini_store)
    assert str(caught.value) == (
        f"{update}: SPARQL Update (DROP) is refused: kg query only reads; use kg add to bring in data"
    )


def test_service_is_refused_even_when_escaped(mini_store, tmp_path):
    sneaky = tmp_path / "sneaky.rq"
    sneaky.write_text("SELECT * WHERE { SERVIC\\u0045 <http://127.0.0.1:9/> { ?s ?p ?o } }")
    with pytest.raises(UnsafeOperationError) as caught:
        query(str(sneaky), store=mini_store)
    assert str(caught.value) == (
        f"{sneaky}: SERVICE is refused: it would send a request to another server"
    )


def test_syntax_error_is_one_line(mini_store, tmp_path):
    broken = tmp_path / "broken.rq"
    broken.write_text("SELECT ?s WHERE { ?s ?p }")
    result = run_kg("query", broken, "--store", mini_store)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"kg: error: {broken}: SPARQL syntax error: ")
    assert result.stderr.count("\n") == 1


def test_construct_prints_turtle(mini_store, tmp_path):
    construct = tmp_path / "c.rq"
    construct.write_text(
        "PREFIX kg: <https://w3id.org/kg/ontology#>\n"
        "CONSTRUCT { ?a kg:met ?b } WHERE { ?a kg:met ?b }"
    )
    result = run_kg("query", construct, "--store", mini_store)
    assert result.stdout == (
        "@prefix kg: <https://w3id.org/kg/ontology#> .\n"
        "@prefix kgr: <https://w3id.org/kg/id/> .\n\n"
        "kgr:asha-rao kg:met kgr:ben-ott .\n"
    )


def test_ask(mini_store, tmp_path):
    ask = tmp_path / "a.rq"
    ask.write_text("ASK { ?s ?p ?o }")
    assert run_kg("query", ask, "--store", mini_store).stdout == "true\n"
    assert run_kg("query", ask, "--store", mini_store, "--format", "json").stdout == (
        '{"head": {}, "boolean": true}\n'
    )


def test_missing_store_is_a_clear_error(tmp_path):
    result = run_kg("query", PARTICIPANTS, "--store", tmp_path / "nothing")
    assert result.exit_code == 2
    assert result.stderr == (
        f"kg: error: no built graph in {tmp_path / 'nothing'}/: run kg build first (or pass --store)\n"
    )
