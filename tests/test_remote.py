"""kg query --endpoint: bundled and user queries on a real Oxigraph server give the local rows."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import QueryError
from kg.push import push
from kg.query import query as local_query
from kg.remote import client as remote
from kg.remote.client import inject_values, with_prefixes
from kg.sparql.bundled import list_queries
from tests.conftest import MINI, run_kg
from tests.sparql_server_support import (
    Reply,
    ScriptedServer,
    oxigraph_server,
    refusing_port,
    silent_listener,
)

pytestmark = pytest.mark.integration
SECRET = "s3cret-Pa55word"


def normalised(result):
    """Rows with blank-node labels blanked (each side labels them its own way)."""
    return [tuple("_:" if isinstance(t, ox.BlankNode) else t for t in row) for row in result.rows]


@pytest.fixture(scope="module")
def seed_server(seed_store, tmp_path_factory):
    """An Oxigraph server holding the pushed seed, the union of its graphs as default graph."""
    with oxigraph_server(tmp_path_factory.mktemp("seed-server")) as server:
        push(server.store, store=seed_store)
        yield server


@pytest.fixture(scope="module")
def mini_server(mini_store, tmp_path_factory):
    with oxigraph_server(tmp_path_factory.mktemp("mini-server")) as server:
        push(server.store, store=mini_store)
        yield server


@pytest.fixture(scope="module")
def plain_server(mini_store, tmp_path_factory):
    """The mini graph on a server whose default graph is its own (not the union)."""
    with oxigraph_server(tmp_path_factory.mktemp("plain"), union_default_graph=False) as server:
        push(server.store, store=mini_store)
        yield server


@pytest.mark.parametrize("spec", list_queries(), ids=lambda s: s.name)
def test_every_bundled_query_gives_the_local_rows(spec, seed_store, seed_server):
    local = local_query(spec.name, store=seed_store)
    answer = remote.query(spec.name, endpoint=seed_server.query)
    assert local.kind == answer.kind == "select"
    assert answer.variables == local.variables
    assert normalised(answer) == normalised(local)
    assert local.rows, f"{spec.name} answers nothing on the seed"


def test_a_parameter_is_bound_remotely_as_locally(seed_store, seed_server):
    facts = {row[0] for row in local_query("evidence", store=seed_store).rows}
    fact = sorted(facts, key=lambda t: t.value)[0].value
    local = local_query("evidence", {"fact": fact}, store=seed_store)
    answer = remote.query("evidence", {"fact": fact}, endpoint=seed_server.query)
    assert normalised(answer) == normalised(local)
    assert {row[0].value for row in answer.rows} == {fact}


@pytest.mark.parametrize("format_name", ["table", "csv", "tsv", "json"])
def test_cli_output_is_the_same(format_name, mini_store, mini_server):
    query = MINI / "queries" / "participants.rq"
    here = run_kg("query", query, "--store", mini_store, "--format", format_name)
    there = run_kg("query", query, "--endpoint", mini_server.query, "--format", format_name)
    assert (there.exit_code, there.stderr) == (0, "")
    assert there.stdout == here.stdout
    assert "Asha Rao" in there.stdout


def test_cli_parameters(mini_store, mini_server):
    query = MINI / "queries" / "participants.rq"
    args = ("query", query, "-p", "meeting=kgr:rao-ott-meeting", "--format", "csv")
    there = run_kg(*args, "--endpoint", mini_server.query)
    assert there.stdout_bytes == run_kg(*args, "--store", mini_store).stdout_bytes
    assert there.stdout_bytes == (
        b"meeting,person,personLabel\r\n"
        b"https://w3id.org/kg/id/rao-ott-meeting,https://w3id.org/kg/id/asha-rao,Asha Rao\r\n"
        b"https://w3id.org/kg/id/rao-ott-meeting,https://w3id.org/kg/id/ben-ott,Ben Ott\r\n"
    )


def test_inferences_are_there(mini_store, mini_server):
    query = MINI / "queries" / "met-by.rq"
    there = run_kg("query", query, "--endpoint", mini_server.query)
    assert there.stdout == run_kg("query", query, "--store", mini_store).stdout
    assert "(0 rows)" not in there.stdout


def test_string_parameters_cannot_break_out(mini_server, tmp_path):
    query = tmp_path / "by-label.rq"
    query.write_text(
        "# param: label string - A label\n"
        "SELECT ?person ?label WHERE { ?person rdfs:label ?label }\n",
        encoding="utf-8",
    )
    hostile = 'Asha Rao" } } ; SELECT * { ?s ?p ?o } #'
    assert remote.query(str(query), {"label": hostile}, endpoint=mini_server.query).rows == []
    found = remote.query(str(query), {"label": "Asha Rao"}, endpoint=mini_server.query)
    assert found.values() == [("https://w3id.org/kg/id/asha-rao", "Asha Rao")]


def test_ask_and_construct(mini_store, mini_server, tmp_path):
    ask = tmp_path / "ask.rq"
    ask.write_text("# param: who iri - Someone\nASK { ?who a kg:Person }\n", encoding="utf-8")
    yes = run_kg("query", ask, "-p", "who=kgr:asha-rao", "--endpoint", mini_server.query)
    no = run_kg("query", ask, "-p", "who=kgr:nobody", "--endpoint", mini_server.query)
    assert (yes.stdout, no.stdout) == ("true\n", "false\n")
    construct = tmp_path / "names.rq"
    construct.write_text(
        "# param: who iri - Someone\n"
        "CONSTRUCT { ?who rdfs:label ?name } WHERE { ?who rdfs:label ?name }\n",
        encoding="utf-8",
    )
    args = ("query", construct, "-p", "who=kgr:asha-rao")
    there = run_kg(*args, "--endpoint", mini_server.query)
    assert there.exit_code == 0, there.stderr
    assert there.stdout == run_kg(*args, "--store", mini_store).stdout
    assert there.stdout.endswith('kgr:asha-rao rdfs:label "Asha Rao" .\n')


def test_a_server_without_union_default_graph_gives_the_local_rows(mini_store, plain_server):
    """kg query names the merged graph kg push sent, so the server's setting does not matter."""
    query = MINI / "queries" / "participants.rq"
    local = run_kg("query", query, "--store", mini_store).stdout
    assert run_kg("query", query, "--endpoint", plain_server.query).stdout == local
    assert "(0 rows)" not in local


def test_default_graphs_name_what_to_query(mini_store, plain_server):
    query = MINI / "queries" / "participants.rq"
    only_ontology = ("--default-graph", "https://w3id.org/kg/graph/ontology")
    empty = run_kg("query", query, "--endpoint", plain_server.query, *only_ontology)
    assert empty.stdout.endswith("(0 rows)\n")
    graphs = [
        arg
        for g in ("ontology", "seed-001_mini", "inferred")
        for arg in ("--default-graph", f"https://w3id.org/kg/graph/{g}")
    ]
    named = run_kg("query", query, "--endpoint", plain_server.query, *graphs)
    assert named.stdout == run_kg("query", query, "--store", mini_store).stdout


def test_refusals_are_the_local_ones(mini_server, tmp_path):
    query = tmp_path / "service.rq"
    query.write_text("SELECT * { SERVICE <http://evil.example/> { ?s ?p ?o } }\n", "utf-8")
    result = run_kg("query", query, "--endpoint", mini_server.query)
    assert (result.exit_code, result.stderr) == (
        2,
        f"kg: error: {query}: SERVICE is refused: it would send a request to another server\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--asserted", "--default-graph", "https://e/g"),
            "--asserted names the graph kg push sends without the inferences; with"
            " --default-graph, name the graphs yourself",
        ),
        (("--default-graph", "nope"), "--default-graph 'nope': not an absolute IRI"),
        (("-p", "nope=1"), "signing: unknown parameter 'nope' (this query takes: agreement)"),
    ],
)
def test_usage_errors(args, message, mini_server):
    result = run_kg("query", "signing", "--endpoint", mini_server.query, *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"kg: error: {message}\n")


def test_default_graph_needs_an_endpoint():
    result = run_kg("query", "signing", "--default-graph", "https://e/g")
    assert result.stderr == "kg: error: --default-graph needs --endpoint\n"


def test_values_injection():
    x = ox.Variable("x")
    term = ox.Literal('a"b')
    assert inject_values("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", {x: term}) == (
        'CONSTRUCT { ?x ?p ?o } WHERE { VALUES (?x) { ("a\\"b") } ?x ?p ?o }'
    )
    assert inject_values("SELECT (EXISTS { ?a ?b ?c } AS ?e) { ?x ?p ?o }", {x: term}) == (
        'SELECT (EXISTS { ?a ?b ?c } AS ?e) { VALUES (?x) { ("a\\"b") } ?x ?p ?o }'
    )
    assert inject_values('ASK # {\n{ ?x ?p "{" }', {x: term}) == (
        'ASK # {\n{ VALUES (?x) { ("a\\"b") } ?x ?p "{" }'
    )
    with pytest.raises(QueryError) as err:
        inject_values("SELECT * { ?x ?p ?o }", {x: ox.Literal("\\u0022")})
    assert str(err.value) == (
        "parameter value '\\\\u0022' holds a \\u escape, which a SPARQL server decodes before"
        " parsing; kg does not send it"
    )


def test_prefixes_go_on_the_first_line():
    text = "# comment\nPREFIX kg: <https://e/> SELECT * { ?s rdfs:label ?o ; kg:x ?y }"
    assert with_prefixes(text) == ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " + text)


# --- failures: exit code 2, one line, no secrets -------------------------------------------


def run_query(endpoint: str, *extra: str):
    result = run_kg(
        "query", "signing", "--endpoint", endpoint, "--user", "ann", "--password", SECRET, *extra
    )
    assert SECRET not in result.stdout + result.stderr
    return result


def assert_fails(result, message: str) -> None:
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"kg: error: {message}\n")


def test_nothing_listening():
    with refusing_port() as port:
        result = run_query(f"http://127.0.0.1:{port}/query")
    assert_fails(
        result,
        f"http://127.0.0.1:{port}/query: connection refused (nothing listens on 127.0.0.1:{port})",
    )


def test_500_then_200_is_retried(mini_server):
    query = MINI / "queries" / "participants.rq"
    with ScriptedServer([Reply(500, b"oops"), "proxy"], upstream=mini_server.base) as server:
        result = run_kg("query", query, "--endpoint", f"{server.base}/query")
    assert result.exit_code == 0, result.stderr
    assert len(server.received) == 2
    assert "Asha Rao" in result.stdout


def test_500_every_time():
    with ScriptedServer([Reply(500, b"the store is down")]) as server:
        result = run_query(f"{server.base}/query")
    assert len(server.received) == 4
    assert_fails(
        result,
        f"{server.base}/query: HTTP 500 Internal Server Error after 4 attempts: the store is down",
    )


def test_401():
    with ScriptedServer([Reply(401, b"who are you")]) as server:
        result = run_query(f"{server.base}/query")
    assert_fails(
        result, f"{server.base}/query: HTTP 401 Unauthorized: the server refused the credentials"
    )


def test_404():
    with ScriptedServer([Reply(404, b"")]) as server:
        result = run_query(f"{server.base}/sparql")
    assert_fails(
        result,
        f"{server.base}/sparql: HTTP 404 Not Found: no such endpoint on the server (check the URL)",
    )


def test_400_carries_the_server_message():
    with ScriptedServer([Reply(400, b"error at 3:7: unexpected '}'")]) as server:
        result = run_query(f"{server.base}/query")
    assert_fails(
        result, f"{server.base}/query: HTTP 400 Bad Request: error at 3:7: unexpected '}}'"
    )


def test_redirect_to_another_port():
    with ScriptedServer([Reply(200, b"{}")]) as other:
        moved = Reply(302, headers={"Location": f"{other.base}/q"})
        with ScriptedServer([moved]) as server:
            result = run_query(f"{server.base}/query")
    assert other.received == []
    assert_fails(
        result,
        f"{server.base}/query: the server redirects to another origin ({other.base}/q); kg does"
        " not follow it, so credentials stay with the server you named (use that URL if you"
        " trust it)",
    )


def test_never_answers():
    with silent_listener() as base:
        result = run_query(f"{base}/query", "--timeout", "0.5")
    assert_fails(result, f"{base}/query: no answer within 0.5 s (raise it with --timeout)")


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (
            Reply(200, b"<html></html>", {"Content-Type": "text/html"}),
            "the answer is not SPARQL query results (Content-Type: text/html)",
        ),
        (
            Reply(
                200,
                b'{"head": {"vars": ["x"]}, "results": 3}',
                {"Content-Type": "application/sparql-results+json"},
            ),
            "the answer is not valid SPARQL results JSON: SPARQL JSON results result must be an"
            " object",
        ),
        (
            Reply(
                200,
                b'{"head": {}, "boolean": true}',
                {"Content-Type": "application/sparql-results+json"},
            ),
            "a SELECT query got an ASK answer",
        ),
    ],
)
def test_answers_outside_the_protocol(reply, message):
    with ScriptedServer([reply]) as server:
        result = run_query(f"{server.base}/query")
    assert_fails(result, f"{server.base}/query: {message}")
