"""kg push against a real Oxigraph server, and against servers that fail, on 127.0.0.1."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import RemoteError
from kg.push import chunks, count_graphs, push, query_url_for
from kg.rdf.namespaces import (
    GRAPH_INFERRED,
    GRAPH_MERGED,
    GRAPH_META,
    GRAPH_ONTOLOGY,
    KG_GRAPH,
)
from kg.remote.client import send_query
from kg.store.versions import open_store
from tests.conftest import run_kg
from tests.sparql_server_support import (
    Reply,
    ScriptedServer,
    make_oxigraph_fixture,
    refusing_port,
    silent_listener,
)

pytestmark = pytest.mark.integration
oxigraph = make_oxigraph_fixture()

SECRET = "s3cret-Pa55word"
TOKEN = "tok-9f8e7d6c5b4a"
MERGED = "https://example.org/graph/all"


def local_counts(store: Path, inferred: bool = True) -> dict[str, int]:
    """Triples per graph a push of ``store`` sends: each named graph, and kgg:merged, the
    store's default graph (the merge of all graphs but the inferences)."""
    counts = Counter(
        GRAPH_MERGED if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        for q in open_store(store)
    )
    if not inferred:
        counts.pop(GRAPH_INFERRED, None)
    return dict(sorted(counts.items()))


def server_counts(server) -> dict[str, int]:
    result = send_query(
        server.query,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    )
    return {g.value: int(n.value) for g, n in result.rows}


def summary_lines(counts: dict[str, int], endpoint: str, requests: int) -> str:
    lines = [f"<{g}>: {n} triples" for g, n in counts.items()]
    total, graphs = sum(counts.values()), len(counts)
    lines.append(
        f"pushed {total} triples in {graphs} graph{'s' if graphs != 1 else ''} to {endpoint}"
        f" ({requests} request{'s' if requests != 1 else ''}); the server holds {total}"
    )
    return "\n".join(lines) + "\n"


def test_push_the_seed_each_graph_to_its_own(seed_store, oxigraph):
    result = run_kg("push", "--store", seed_store, "--endpoint", oxigraph.store)
    expected = local_counts(seed_store)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == summary_lines(expected, oxigraph.store, len(expected))
    assert server_counts(oxigraph) == expected
    assert {GRAPH_ONTOLOGY, GRAPH_INFERRED, GRAPH_META} <= set(expected)
    assert any(g.startswith(KG_GRAPH + "seed-") for g in expected)


def test_push_twice_with_replace_does_not_double(mini_store, oxigraph):
    for _ in range(2):
        result = run_kg("push", "--store", mini_store, "--endpoint", oxigraph.store, "--replace")
        assert result.exit_code == 0, result.stderr
    assert server_counts(oxigraph) == local_counts(mini_store)


def test_append_adds(mini_store, oxigraph, tmp_path):
    first = run_kg("push", "--store", mini_store, "--endpoint", oxigraph.store, "--graph", MERGED)
    assert first.exit_code == 0, first.stderr
    pushed = server_counts(oxigraph)[MERGED]
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        '<https://example.org/a> <https://example.org/p> "one", "two" .\n'
        '<https://example.org/a> <https://example.org/q> [ <https://example.org/p> "x" ] .\n',
        encoding="utf-8",
    )
    for round_ in (1, 2):
        result = run_kg("push", extra, "--endpoint", oxigraph.store, "--graph", MERGED, "--append")
        assert result.exit_code == 0, result.stderr
        # the ground triples are already there the second time; the blank node is new each time
        assert server_counts(oxigraph)[MERGED] == pushed + 4 + 2 * (round_ - 1)
    replaced = run_kg("push", extra, "--endpoint", oxigraph.store, "--graph", MERGED, "--replace")
    assert replaced.exit_code == 0, replaced.stderr
    assert server_counts(oxigraph) == {MERGED: 4}


def test_graph_merges_everything_into_one(mini_store, oxigraph):
    result = run_kg("push", "--store", mini_store, "--endpoint", oxigraph.store, "--graph", MERGED)
    assert result.exit_code == 0, result.stderr
    distinct = len({q.triple for q in open_store(mini_store)})
    assert server_counts(oxigraph) == {MERGED: distinct}
    assert result.stderr == summary_lines({MERGED: distinct}, oxigraph.store, 1)


def test_asserted_leaves_out_the_inferences(mini_store, oxigraph):
    result = run_kg("push", "--store", mini_store, "--endpoint", oxigraph.store, "--asserted")
    assert result.exit_code == 0, result.stderr
    assert server_counts(oxigraph) == local_counts(mini_store, inferred=False)


@pytest.mark.parametrize("protocol", ["gsp", "update"])
def test_chunks_keep_blank_nodes_together(protocol, oxigraph, tmp_path):
    data = tmp_path / "lists.ttl"
    data.write_text(
        "@prefix e: <https://example.org/> .\n"
        'e:a e:list (1 2 3 4) ; e:note [ e:text "n" ; e:by [ e:name "ann" ] ] .\n'
        'e:b e:p "b1", "b2", "b3" .\n',
        encoding="utf-8",
    )
    endpoint = oxigraph.store if protocol == "gsp" else oxigraph.update
    for _ in range(2):  # the second push replaces the first
        result = run_kg(
            "push", data, "--endpoint", endpoint, "--protocol", protocol, "--chunk-size", "2"
        )
        assert result.exit_code == 0, result.stderr
    graph = result.stderr.split(">", 1)[0].lstrip("<")
    assert graph.startswith(KG_GRAPH + "added-lists-")
    assert server_counts(oxigraph) == {graph: 16, GRAPH_MERGED: 16}
    answer = send_query(
        oxigraph.query,
        "PREFIX e: <https://example.org/> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>"
        " SELECT ?name (COUNT(?item) AS ?n) WHERE { e:a e:note/e:by/e:name ?name ;"
        " e:list/rdf:rest*/rdf:first ?item } GROUP BY ?name",
        default_graphs=[GRAPH_MERGED],  # the union default graph would repeat each triple
    )
    assert answer.values() == [("ann", "4")]


def test_update_protocol_replaces(mini_store, oxigraph):
    for _ in range(2):
        result = run_kg(
            "push", "--store", mini_store, "--endpoint", oxigraph.update, "--protocol", "update"
        )
        assert result.exit_code == 0, result.stderr
    assert server_counts(oxigraph) == local_counts(mini_store)


def test_push_api(mini_store, oxigraph):
    lines: list[str] = []
    result = push(oxigraph.store, store=mini_store, chunk_size=20, progress=lines.append)
    assert result.sent == local_counts(mini_store)
    assert result.counted == result.sent
    seed = next(g for g in result.sent if "seed-" in g)
    assert [line for line in lines if seed in line] == [
        f"<{seed}>: 20/55 triples sent",
        f"<{seed}>: 40/55 triples sent",
        f"<{seed}>: 55/55 triples sent",
    ]
    assert count_graphs(oxigraph.query, [seed, MERGED]) == {seed: 55, MERGED: 0}


def test_chunks_pack_up_to_size():
    p = ox.NamedNode("https://example.org/p")
    triples = [
        ox.Triple(ox.NamedNode(f"https://example.org/{i}"), p, ox.Literal("x")) for i in range(5)
    ]
    assert [len(c) for c in chunks(triples, 2)] == [2, 2, 1]


@pytest.mark.parametrize(
    ("endpoint", "query"),
    [
        ("http://h:7878/store", "http://h:7878/query"),
        ("http://h:7878/update", "http://h:7878/query"),
        ("http://h:3030/ds/data", "http://h:3030/ds/query"),
        ("http://h:3030/ds", "http://h:3030/ds"),
        ("http://h:7200/repositories/kg/rdf-graphs/service", "http://h:7200/repositories/kg"),
        ("http://h:8890/sparql-graph-crud-auth", "http://h:8890/sparql-auth"),
        ("http://h:8890/sparql", "http://h:8890/sparql"),
    ],
)
def test_query_url_for_known_stores(endpoint, query):
    assert query_url_for(endpoint) == query


# --- failures: exit code 2, one line, no secrets -------------------------------------------


def run_push(endpoint: str, store: Path, *extra: str):
    """kg push with a password from the environment and a user on the command line."""
    result = run_kg(
        "push",
        "--store",
        store,
        "--endpoint",
        endpoint,
        "--user",
        "ann",
        *extra,
        env={"KG_ENDPOINT_PASSWORD": SECRET},
    )
    assert SECRET not in result.stdout + result.stderr
    return result


def assert_fails(result, message: str) -> None:
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"kg: error: {message}\n")


def test_nothing_listening(mini_store):
    with refusing_port() as port:
        result = run_push(f"http://127.0.0.1:{port}/store", mini_store)
    first = f"http://127.0.0.1:{port}/store?graph=https%3A%2F%2Fw3id.org%2Fkg%2Fgraph%2Finferred"
    assert_fails(
        result,
        f"{first}: connection refused (nothing listens on 127.0.0.1:{port}) [0 of 5 graphs were"
        " pushed before this one: the server holds part of the push; run kg push --replace again]",
    )


def test_500_then_200_is_retried(mini_store, oxigraph):
    with ScriptedServer([Reply(500, b"try again"), "proxy"], upstream=oxigraph.base) as server:
        result = run_push(f"{server.base}/store", mini_store, "--graph", MERGED)
    assert result.exit_code == 0, result.stderr
    assert [r.method for r in server.received] == ["PUT", "PUT", "POST"]
    assert server_counts(oxigraph) == {MERGED: len({q.triple for q in open_store(mini_store)})}


def test_401(mini_store):
    with ScriptedServer([Reply(401, b"no", {"WWW-Authenticate": 'Basic realm="x"'})]) as server:
        result = run_push(f"{server.base}/store", mini_store, "--graph", MERGED)
    assert "Authorization" not in server.received[0].headers  # sent once the server asks
    assert server.received[1].headers["Authorization"].startswith("Basic ")
    assert_fails(
        result,
        f"{server.base}/store?graph=https%3A%2F%2Fexample.org%2Fgraph%2Fall: HTTP 401"
        " Unauthorized: the server refused the credentials [0 of 1 graphs were pushed before"
        " this one: the server holds part of the push; run kg push --replace again]",
    )


def test_token_is_never_printed(mini_store):
    with ScriptedServer([Reply(403, f"token {TOKEN} lacks rights".encode())]) as server:
        result = run_kg(
            "push", "--store", mini_store, "--endpoint", f"{server.base}/store",
            "--graph", MERGED, "--token", TOKEN,
        )  # fmt: skip
    assert server.received[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in result.stdout + result.stderr
    assert_fails(
        result,
        f"{server.base}/store?graph=https%3A%2F%2Fexample.org%2Fgraph%2Fall: HTTP 403 Forbidden:"
        " the credentials do not allow this operation [0 of 1 graphs were pushed before this"
        " one: the server holds part of the push; run kg push --replace again]",
    )


def test_404(mini_store):
    with ScriptedServer([Reply(404, b"Not Found")]) as server:
        result = run_push(f"{server.base}/nowhere", mini_store, "--graph", MERGED)
    assert_fails(
        result,
        f"{server.base}/nowhere?graph=https%3A%2F%2Fexample.org%2Fgraph%2Fall: HTTP 404 Not Found:"
        " no such endpoint on the server (check the URL) [0 of 1 graphs were pushed before this"
        " one: the server holds part of the push; run kg push --replace again]",
    )


def test_redirect_to_another_port_keeps_the_credentials(mini_store):
    with ScriptedServer([Reply(204)]) as other:
        moved = f"{other.base}/store?graph=x"
        ask = Reply(401, headers={"WWW-Authenticate": 'Basic realm="x"'})
        with ScriptedServer([ask, Reply(302, headers={"Location": moved})]) as server:
            result = run_push(f"{server.base}/store", mini_store, "--graph", MERGED)
    assert other.received == []
    assert "Authorization" in server.received[1].headers
    assert_fails(
        result,
        f"{server.base}/store?graph=https%3A%2F%2Fexample.org%2Fgraph%2Fall: the server redirects"
        f" to another origin ({moved}); kg does not follow it, so credentials stay with the"
        " server you named (use that URL if you trust it) [0 of 1 graphs were pushed before this"
        " one: the server holds part of the push; run kg push --replace again]",
    )


def test_never_answers(mini_store):
    with silent_listener() as base:
        result = run_push(f"{base}/store", mini_store, "--graph", MERGED, "--timeout", "0.5")
    assert_fails(
        result,
        f"{base}/store?graph=https%3A%2F%2Fexample.org%2Fgraph%2Fall: no answer within 0.5 s"
        " (raise it with --timeout) [0 of 1 graphs were pushed before this one: the server holds"
        " part of the push; run kg push --replace again]",
    )


def test_a_failure_half_way_is_not_success(mini_store, oxigraph):
    script = ["proxy", Reply(400, b"Parser error at line 1: no")]
    with ScriptedServer(script, upstream=oxigraph.base) as server:
        result = run_push(f"{server.base}/store", mini_store)
    second = sorted(local_counts(mini_store))[1].replace(":", "%3A").replace("/", "%2F")
    assert_fails(
        result,
        f"{server.base}/store?graph={second}: HTTP 400 Bad Request: Parser error at line 1: no"
        " [1 of 5 graphs were pushed before this one: the server holds part of the push; run kg"
        " push --replace again]",
    )


def test_a_server_that_drops_data_fails_the_count(mini_store, oxigraph):
    with ScriptedServer([Reply(204), "proxy"], upstream=oxigraph.base) as server:
        result = run_push(f"{server.base}/store", mini_store, "--graph", MERGED)
    sent = len({q.triple for q in open_store(mini_store)})
    assert_fails(
        result,
        f"{server.base}/query: graph <{MERGED}> holds 0 triples after the push, {sent} were sent:"
        " the push is incomplete or the server changed the data",
    )


def test_an_answer_outside_the_protocol(mini_store):
    page = Reply(200, b"<html>hello</html>", {"Content-Type": "text/html"})
    with ScriptedServer([Reply(204), page]) as server:
        result = run_push(f"{server.base}/store", mini_store, "--graph", MERGED)
    assert_fails(
        result,
        f"{server.base}/query: the answer is not SPARQL query results (Content-Type: text/html)",
    )


def test_push_refuses_a_bad_graph_iri(mini_store, oxigraph):
    result = run_push(oxigraph.store, mini_store, "--graph", "not an iri")
    assert_fails(result, "--graph 'not an iri': not an absolute IRI")


def test_remote_error_is_a_kg_error():
    assert issubclass(RemoteError, Exception) and RemoteError.exit_code == 2


@pytest.mark.parametrize("union", [False, True], ids=["plain", "union-default-graph"])
def test_documented_oxigraph_commands(seed_store, union, tmp_path):
    """The README's Oxigraph commands, on a server at a free port instead of 7878, started
    as documented and with --union-default-graph: the answers are the local ones."""
    import shlex

    from tests.conftest import ROOT
    from tests.sparql_server_support import oxigraph_server

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Using other graph stores", 1)[1]
    block = section.split("### Oxigraph", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    lines = block.splitlines()
    assert lines[0] == "oxigraph serve --location oxigraph-data --bind 127.0.0.1:7878 &"
    assert lines[1] == "kg build"  # the seed_store fixture is that build
    with oxigraph_server(tmp_path / "oxigraph", union_default_graph=union) as oxigraph:
        address = oxigraph.base.removeprefix("http://")
        for line in lines[2:]:
            args = shlex.split(line.replace("127.0.0.1:7878", address))
            assert args[0] == "kg"
            result = run_kg(*args[1:], env={"KG_STORE": str(seed_store)})
            assert result.exit_code == 0, f"{line}: {result.stderr}"
            if args[1] == "query":
                assert result.stdout and "(0 rows)" not in result.stdout, line
                assert '"bindings": []' not in result.stdout, line
                local = [a for a in args[1:] if not a.startswith(("--endpoint", "http"))]
                here = run_kg(*local, env={"KG_STORE": str(seed_store)})
                assert result.stdout == here.stdout, line
        # the last push leaves out the inferences: their graph, from the first pushes, stays
        assert server_counts(oxigraph) == local_counts(seed_store)
