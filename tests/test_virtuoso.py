"""kg push and kg query --endpoint against a real Virtuoso (Debian's virtuoso-opensource).

One server for the module (it takes seconds to start), emptied before each test.
What Virtuoso does differently from Oxigraph, and what these tests pin:

- its default graph is the union of all graphs, its own system graphs included
  (about 2,500 triples: quad-map schema, LDP vocabulary, URIQA);
- a triple in two graphs matches twice there (bag semantics), with or without
  ``default-graph-uri`` naming the graphs; so ``kg push`` also sends the merge,
  each triple once, as ``kgg:merged``, and ``kg query --endpoint`` names it and
  ``kgg:inferred`` as the default graph: a triple counts once, as locally;
- booleans come back as ``"1"``/``"0"``: stored ``xsd:boolean`` values keep
  their datatype, computed ones (``?n > 1``, ``EXISTS``, ``true``) become
  ``xsd:integer``;
- ``/sparql-auth`` and ``/sparql-graph-crud-auth`` speak HTTP Digest (MD5) only.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from kg.rdf.namespaces import GRAPH_INFERRED, GRAPH_MERGED, GRAPH_META, GRAPH_ONTOLOGY, KG_GRAPH
from kg.sparql.bundled import list_queries
from kg.store.versions import open_store
from tests.conftest import run_kg
from tests.test_push import local_counts, summary_lines
from tests.virtuoso_support import Virtuoso, make_virtuoso_fixture

pytestmark = pytest.mark.integration
virtuoso_server = make_virtuoso_fixture("virtuoso_server")

XSD = "http://www.w3.org/2001/XMLSchema#"
MERGED = "https://example.org/graph/all"
WRONG = "not-the-Pa55word"


@pytest.fixture
def virtuoso(virtuoso_server: Virtuoso) -> Virtuoso:
    """The module's Virtuoso, holding nothing but its own system graphs."""
    virtuoso_server.clear()
    return virtuoso_server


def server_counts(server: Virtuoso) -> dict[str, int]:
    """Triples per graph on the server, Virtuoso's own graphs left out."""
    rows = server.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    counts = {r["g"]: int(r["n"]) for r in rows if r["g"] not in server.system_graphs}
    return dict(sorted(counts.items()))


def push(server: Virtuoso, store: Path, *extra: str, endpoint: str | None = None):
    if "update" in extra:  # Virtuoso takes about 1000 triples per SPARQL Update at most
        extra = (*extra, "--chunk-size", "1000")
    result = run_kg("push", "--store", store, "--endpoint", endpoint or server.gsp, *extra)
    assert result.exit_code == 0, result.stderr
    return result


def query_rows(*args: str, env: dict[str, str] | None = None) -> tuple[list[str], list]:
    """``kg query ... --format json``: its variables and rows (dicts of RDF terms as JSON)."""
    result = run_kg("query", *args, "--format", "json", env=env)
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    return answer["head"]["vars"], answer["results"]["bindings"]


def frozen(rows: list[dict]) -> Counter:
    return Counter(tuple(sorted((k, tuple(sorted(v.items()))) for k, v in r.items())) for r in rows)


def as_virtuoso_answers(local: list[dict]) -> list[dict]:
    """Local rows with booleans written as Virtuoso writes them ("1"/"0").

    Which columns come back as ``xsd:integer`` rather than ``xsd:boolean`` is
    decided by the caller (computed booleans); stored ones keep the datatype.
    """
    out = []
    for row in local:
        new = {}
        for name, term in row.items():
            if term.get("datatype") == XSD + "boolean":
                term = {**term, "value": {"true": "1", "false": "0"}[term["value"]]}
            new[name] = term
        out.append(new)
    return out


# columns bound by a boolean expression in the bundled queries: Virtuoso gives xsd:integer
COMPUTED_BOOLEANS = {"offices": {"holdsSeveral"}}


def test_push_the_seed_over_the_graph_store_protocol(seed_store, virtuoso):
    result = push(virtuoso, seed_store)
    expected = local_counts(seed_store)
    assert result.stderr == summary_lines(expected, virtuoso.gsp, len(expected))
    assert server_counts(virtuoso) == expected
    assert {GRAPH_ONTOLOGY, GRAPH_INFERRED, GRAPH_META} <= set(expected)
    assert any(g.startswith(KG_GRAPH + "seed-") for g in expected)


@pytest.mark.parametrize("protocol", ["gsp", "update"])
def test_replace_twice_does_not_double(protocol, seed_store, virtuoso):
    endpoint = virtuoso.gsp if protocol == "gsp" else virtuoso.sparql
    for _ in range(2):
        result = push(virtuoso, seed_store, "--protocol", protocol, endpoint=endpoint)
    expected = local_counts(seed_store)
    requests = len(expected) if protocol == "gsp" else sum(-(-n // 1000) for n in expected.values())
    assert result.stderr == summary_lines(expected, endpoint, requests)
    assert server_counts(virtuoso) == expected


def test_a_big_update_says_to_send_smaller_chunks(seed_store, virtuoso):
    """Virtuoso 7.2 compiles INSERT DATA to SQL and refuses more than about 1000-1500 triples:
    SP031 (SQL text too long) or, bigger still, as the seed now is, SP030 (parser memory)."""
    result = run_kg(
        "push", "--store", seed_store, "--endpoint", virtuoso.sparql, "--protocol", "update",
        "--graph", MERGED,
    )  # fmt: skip
    sent = len({q.triple for q in open_store(seed_store)})
    assert (result.exit_code, result.stdout) == (2, "")
    assert re.match(
        re.escape(f"kg: error: {virtuoso.sparql}: HTTP 400 Bad Request: Virtuoso 37000 Error ")
        + "(SP031: SPARQL: Internal error: The length of generated SQL text has exceeded 10000"
        " lines of code|SP030: SPARQL compiler, line [0-9]+: memory exhausted at )",
        result.stderr,
    ), result.stderr
    assert result.stderr.endswith(
        f" (this update sent {sent} triples: some stores take no more than about 1000 in one,"
        " Virtuoso among them; try --chunk-size 1000) [0 of 1 graphs were pushed before this"
        " one: the server holds part of the push; run kg push --replace again]\n"
    )
    assert result.stderr.count("\n") == 1
    assert server_counts(virtuoso) == {}
    push(virtuoso, seed_store, "--protocol", "update", "--graph", MERGED, endpoint=virtuoso.sparql)
    assert server_counts(virtuoso) == {MERGED: sent}


def test_append_adds(mini_store, virtuoso, tmp_path):
    push(virtuoso, mini_store, "--graph", MERGED)
    pushed = server_counts(virtuoso)[MERGED]
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        '<https://example.org/a> <https://example.org/p> "one", "two" .\n'
        '<https://example.org/a> <https://example.org/q> [ <https://example.org/p> "x" ] .\n',
        encoding="utf-8",
    )
    for round_ in (1, 2):
        result = run_kg("push", extra, "--endpoint", virtuoso.gsp, "--graph", MERGED, "--append")
        assert result.exit_code == 0, result.stderr
        # the ground triples are already there the second time; the blank node is new each time
        assert server_counts(virtuoso)[MERGED] == pushed + 4 + 2 * (round_ - 1)
    replaced = run_kg("push", extra, "--endpoint", virtuoso.gsp, "--graph", MERGED, "--replace")
    assert replaced.exit_code == 0, replaced.stderr
    assert server_counts(virtuoso) == {MERGED: 4}


@pytest.mark.parametrize("protocol", ["gsp", "update"])
def test_chunks_with_blank_nodes(protocol, virtuoso, tmp_path):
    """Blank nodes in SPARQL Update: Virtuoso refuses them in INSERT DATA (SP031)."""
    data = tmp_path / "lists.ttl"
    data.write_text(
        "@prefix e: <https://example.org/> .\n"
        'e:a e:list (1 2 3 4) ; e:note [ e:text "n" ; e:by [ e:name "ann" ] ] .\n'
        'e:b e:p "b1", "b2", "b3" .\n',
        encoding="utf-8",
    )
    endpoint = virtuoso.gsp if protocol == "gsp" else virtuoso.sparql
    for _ in range(2):  # the second push replaces the first
        result = run_kg(
            "push", data, "--endpoint", endpoint, "--protocol", protocol, "--chunk-size", "2"
        )
        assert result.exit_code == 0, result.stderr
    graph = result.stderr.split(">", 1)[0].lstrip("<")
    assert server_counts(virtuoso) == {graph: 16, GRAPH_MERGED: 16}  # the file's graph, merged
    for name in (graph, GRAPH_MERGED):  # in each graph, one list and one nested node
        rows = virtuoso.select(
            "PREFIX e: <https://example.org/>"
            " PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>"
            f" SELECT ?name (COUNT(?item) AS ?n) WHERE {{ GRAPH <{name}> {{"
            " e:a e:note/e:by/e:name ?name ; e:list/rdf:rest*/rdf:first ?item } } GROUP BY ?name"
        )
        assert rows == [{"name": "ann", "n": "4"}], name


@pytest.mark.parametrize("protocol", ["gsp", "update"])
def test_every_bundled_query_answers_as_locally(protocol, seed_store, virtuoso):
    endpoint = virtuoso.gsp if protocol == "gsp" else virtuoso.sparql
    push(virtuoso, seed_store, "--protocol", protocol, endpoint=endpoint)
    env = {"KG_STORE": str(seed_store)}
    specs = list_queries()
    assert len(specs) >= 10
    for spec in specs:
        local_vars, local = query_rows(spec.name, env=env)
        remote_vars, remote = query_rows(spec.name, "--endpoint", virtuoso.sparql, env=env)
        assert remote_vars == local_vars, spec.name
        assert local, f"{spec.name}: no rows locally"
        expected = as_virtuoso_answers(local)
        for row in expected:
            for name in COMPUTED_BOOLEANS.get(spec.name, ()):
                row[name] = {**row[name], "datatype": XSD + "integer"}
        assert frozen(remote) == frozen(expected), spec.name
    # with a parameter
    args = ("evidence", "--param", "fact=kgr:signing-according-to-ani")
    assert frozen(query_rows(*args, env=env)[1]) == frozen(
        query_rows(*args, "--endpoint", virtuoso.sparql, env=env)[1]
    )


def test_booleans_come_back_as_numbers(seed_store, virtuoso):
    """Pinned, so that a Virtuoso that stops doing this is noticed (and the README fixed)."""
    push(virtuoso, seed_store)
    _, rows = query_rows("offices", "--endpoint", virtuoso.sparql)
    assert {(r["holdsSeveral"]["datatype"], r["holdsSeveral"]["value"]) for r in rows} == {
        (XSD + "integer", "1"),
        (XSD + "integer", "0"),
    }
    _, rows = query_rows("remarks", "--endpoint", virtuoso.sparql)
    assert {(r["reportedSpeech"]["datatype"], r["reportedSpeech"]["value"]) for r in rows} == {
        (XSD + "boolean", "1"),
        (XSD + "boolean", "0"),
    }


def test_ask(seed_store, virtuoso, tmp_path):
    """Virtuoso answers ASK with a one-row table (__ASK_RETVAL); kg reads it as a boolean."""
    push(virtuoso, seed_store)
    for name, text, answer in [
        ("yes", "ASK { ?s a kg:Summit }", "true"),
        ("no", "ASK { ?s a kg:NoSuchClass }", "false"),
    ]:
        path = tmp_path / f"{name}.rq"
        path.write_text(text + "\n", encoding="utf-8")
        result = run_kg("query", path, "--endpoint", virtuoso.sparql)
        assert (result.exit_code, result.stdout) == (0, answer + "\n"), result.stderr


def test_default_graph(seed_store, virtuoso, tmp_path):
    push(virtuoso, seed_store)
    counts = local_counts(seed_store)
    seed_graph = next(g for g in counts if g.startswith(KG_GRAPH + "seed-"))
    env = {"KG_STORE": str(seed_store)}
    _, local = query_rows("summit-topics", env=env)
    named = query_rows(
        "summit-topics", "--endpoint", virtuoso.sparql, "--default-graph", seed_graph
    )[1]
    assert frozen(named) == frozen(local)
    ontology_only = query_rows(
        "summit-topics", "--endpoint", virtuoso.sparql, "--default-graph", GRAPH_ONTOLOGY
    )[1]
    assert ontology_only == []
    # kg's default graph is kgg:merged and kgg:inferred: every triple once, Virtuoso's own
    # graphs left out, as locally; without default-graph-uri Virtuoso's union holds them
    count = tmp_path / "count.rq"
    count.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n", encoding="utf-8")
    local_count = query_rows(count, env=env)[1]
    through_kg = query_rows(count, "--endpoint", virtuoso.sparql)[1]
    assert through_kg == local_count
    assert int(through_kg[0]["n"]["value"]) == counts[GRAPH_MERGED] + counts[GRAPH_INFERRED]
    graphs = [arg for g in counts for arg in ("--default-graph", g)]
    every_graph = query_rows(count, "--endpoint", virtuoso.sparql, *graphs)[1]
    assert int(every_graph[0]["n"]["value"]) == sum(counts.values())  # bag: merged repeats
    union = int(virtuoso.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"])
    system = sum(
        int(r["n"])
        for r in virtuoso.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        if r["g"] in virtuoso.system_graphs
    )
    assert union == sum(counts.values()) + system
    assert system > 1000


def test_a_triple_in_two_graphs_counts_once_on_both_sides(seed_store, virtuoso, tmp_path):
    """A triple stated in two graphs: one row locally and through ``kg query --endpoint``
    (the merged graph), although Virtuoso's own union repeats it (bag semantics)."""
    store = tmp_path / "store"
    shutil.copytree(seed_store, store)
    again = tmp_path / "again.nt"
    again.write_text(
        "<https://w3id.org/kg/id/topic-mobility-skills>"
        ' <http://www.w3.org/2000/01/rdf-schema#label> "mobility and skills" .\n',
        encoding="utf-8",
    )
    added = run_kg("add", again, "--store", store)
    assert added.exit_code == 0, added.stderr
    push(virtuoso, store)
    env = {"KG_STORE": str(store)}
    _, local = query_rows("summit-topics", env=env)
    _, remote = query_rows("summit-topics", "--endpoint", virtuoso.sparql, env=env)
    mobility = [r for r in local if r["topic"]["value"].endswith("topic-mobility-skills")]
    assert len(mobility) == 1  # once, though the seed's graph and the added one both hold it
    assert frozen(remote) == frozen(local)
    assert frozen(local) == frozen(
        query_rows("summit-topics", env={"KG_STORE": str(seed_store)})[1]
    )
    # the server does hold it twice, and a dataset of the sources' graphs repeats it
    label = (
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g {"
        " <https://w3id.org/kg/id/topic-mobility-skills> <http://www.w3.org/2000/01/rdf-schema#label>"
        f" ?l }} FILTER (?g != <{GRAPH_MERGED}>) }}"
    )
    assert virtuoso.select(label) == [{"n": "2"}]
    sources = [g for g in local_counts(store) if g not in (GRAPH_MERGED, GRAPH_INFERRED)]
    graphs = [arg for g in sources for arg in ("--default-graph", g)]
    named = query_rows("summit-topics", "--endpoint", virtuoso.sparql, *graphs, env=env)[1]
    assert len([r for r in named if r["topic"]["value"].endswith("topic-mobility-skills")]) == 2
    # one graph for everything: kg push --graph sends each triple once
    virtuoso.clear()
    push(virtuoso, store, "--graph", MERGED)
    merged = query_rows(
        "summit-topics", "--endpoint", virtuoso.sparql, "--default-graph", MERGED, env=env
    )[1]
    assert frozen(merged) == frozen(local)


# --- HTTP Digest: /sparql-auth and /sparql-graph-crud-auth --------------------------------


def with_user(server: Virtuoso, password: str | None = None) -> dict[str, str]:
    return {"KG_ENDPOINT_USER": server.user, "KG_ENDPOINT_PASSWORD": password or server.password}


@pytest.mark.parametrize("protocol", ["gsp", "update"])
def test_digest_push_and_query(protocol, seed_store, virtuoso):
    endpoint = virtuoso.gsp_auth if protocol == "gsp" else virtuoso.sparql_auth
    env = with_user(virtuoso)
    for _ in range(2):
        result = run_kg(
            "push", "--store", seed_store, "--endpoint", endpoint, "--protocol", protocol,
            "--chunk-size", "1000", env=env,
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        assert virtuoso.password not in result.stdout + result.stderr
    expected = local_counts(seed_store)
    requests = sum(-(-n // 1000) for n in expected.values())  # chunks of 1000 triples
    assert result.stderr == summary_lines(expected, endpoint, requests)
    assert server_counts(virtuoso) == expected
    _, remote = query_rows(
        "summit-topics",
        "--endpoint",
        virtuoso.sparql_auth,
        env={**env, "KG_STORE": str(seed_store)},
    )
    _, local = query_rows("summit-topics", env={"KG_STORE": str(seed_store)})
    assert frozen(remote) == frozen(local)


def test_digest_wrong_password(seed_store, virtuoso):
    result = run_kg(
        "push", "--store", seed_store, "--endpoint", virtuoso.gsp_auth,
        env=with_user(virtuoso, WRONG),
    )  # fmt: skip
    first = f"{virtuoso.gsp_auth}?graph=https%3A%2F%2Fw3id.org%2Fkg%2Fgraph%2Finferred"
    assert (result.exit_code, result.stdout) == (2, "")
    graphs = len(local_counts(seed_store))  # the first, kgg:inferred, is refused
    assert result.stderr == (
        f"kg: error: {first}: HTTP 401 Unauthorized: the server refused the credentials"
        f" [0 of {graphs} graphs were pushed before this one: the server holds part of the push; run kg"
        " push --replace again]\n"
    )
    assert WRONG not in result.stderr
    assert server_counts(virtuoso) == {}
    query = run_kg(
        "query", "signing", "--endpoint", virtuoso.sparql_auth, env=with_user(virtuoso, WRONG)
    )
    assert (query.exit_code, query.stdout, query.stderr) == (
        2,
        "",
        f"kg: error: {virtuoso.sparql_auth}: HTTP 401 Unauthorized: the server refused the"
        " credentials\n",
    )


def test_digest_endpoint_without_credentials(virtuoso):
    result = run_kg("query", "signing", "--endpoint", virtuoso.sparql_auth)
    assert (result.exit_code, result.stderr) == (
        2,
        f"kg: error: {virtuoso.sparql_auth}: HTTP 401 Unauthorized: the server wants credentials"
        " (give --user and --password, or --token)\n",
    )


def test_anonymous_update_needs_the_grant(virtuoso, mini_store):
    """The unauthenticated endpoints are Virtuoso's SPARQL user, who may only read by default."""
    virtuoso.isql('REVOKE SPARQL_UPDATE FROM "SPARQL";')
    try:
        result = run_kg(
            "push", "--store", mini_store, "--endpoint", virtuoso.gsp, "--graph", MERGED
        )
    finally:
        virtuoso.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
    assert (result.exit_code, result.stderr) == (
        2,
        f"kg: error: {virtuoso.gsp}?graph=https%3A%2F%2Fexample.org%2Fgraph%2Fall: HTTP 403"
        " Forbidden: the server does not allow this operation without credentials (give --user"
        " and --password, or --token) [0 of 1 graphs were pushed before this one: the server"
        " holds part of the push; run kg push --replace again]\n",
    )


def test_documented_virtuoso_commands(seed_store, virtuoso):
    """The README's Virtuoso commands, with the test server's address, user and password."""
    import shlex

    from tests.conftest import ROOT

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Virtuoso", 1)[1].split("\n### ", 1)[0]
    sql = section.split("```sql\n", 1)[1].split("```", 1)[0]
    assert sql.splitlines() == [
        "DB.DBA.USER_CREATE ('loader', 'its-password');",
        'GRANT SPARQL_UPDATE TO "loader";',
    ]  # what virtuoso_server does for its user
    lines = section.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert lines[0] == "export KG_ENDPOINT_USER=loader KG_ENDPOINT_PASSWORD='its-password'"
    env = {**with_user(virtuoso), "KG_STORE": str(seed_store)}
    address = virtuoso.base.removeprefix("http://")
    for line in lines[1:]:
        args = shlex.split(line.replace("127.0.0.1:8890", address))
        assert args[0] == "kg"
        result = run_kg(*args[1:], env=env)
        assert result.exit_code == 0, f"{line}: {result.stderr}"
        if args[1] == "query":
            assert result.stdout and "(0 rows)" not in result.stdout, line
    assert server_counts(virtuoso) == local_counts(seed_store)
