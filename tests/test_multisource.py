"""Many sources, one truthful graph: a triple stated by several sources is one triple.

The corpus: the bundled seed and a second article (tests/fixtures/multisource/seeds/) that
restates many of its entities, types and relations with evidence of its own; then, with
``kg add``, the seed's own facts again under another file name, and small files restating
some of its triples (restated.ttl, restated.trig). Every answer must be the one of the
merged graph (SPARQL's RDF merge): the same as rdflib's and Jena's on the merged export,
locally, through ``kg serve`` and on an Oxigraph server after ``kg push`` (with and without
``--union-default-graph``), and the same before and after the repeated sources are added.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.add import add
from kg.build import build
from kg.errors import StoreError
from kg.export import export
from kg.push import push
from kg.query import query as local_query
from kg.rdf.namespaces import GRAPH_INFERRED, GRAPH_MERGED, KG_GRAPH
from kg.remote import client as remote
from kg.remote.client import with_prefixes
from kg.sparql.bundled import list_queries
from kg.store.versions import open_store, write_store
from tests.conftest import FIXTURES, ROOT, run_kg
from tests.sparql_server_support import oxigraph_server

MULTI = FIXTURES / "multisource"
SEED_GRAPH = KG_GRAPH + "seed-000_74f78cd287be197f"
SECOND_GRAPH = KG_GRAPH + "seed-001_test-wire-2026-01-28"
BUNDLED = [spec.name for spec in list_queries()]

# COUNT and SUM over triples several sources state: each must count them once.
# "triples" leaves out what kgg:meta says about the graphs (adding a file adds that).
COUNTS = {
    "all-triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o"
    ' FILTER(isBlank(?s) || !STRSTARTS(STR(?s), "https://w3id.org/kg/graph/")) }',
    "officials": "SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:Official }",
    "labels-of-officials": "SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:Official ; rdfs:label ?l }",
    "per-class": "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class",
    "parties": "SELECT ?p (COUNT(?party) AS ?n) WHERE { ?p kg:party ?party } GROUP BY ?p",
    "ordinals": "SELECT (SUM(?k) AS ?total) WHERE { ?s kg:asianPartnerOrdinal ?k }",
    "evidence": "SELECT ?s (COUNT(?span) AS ?n) WHERE { ?s kg:statedIn ?span } GROUP BY ?s",
}


def seeds_folder(root: Path) -> Path:
    """The bundled seed and the second article, in one seeds folder."""
    folder = root / "seeds"
    folder.mkdir()
    for path in [*(ROOT / "seeds").iterdir(), *(MULTI / "seeds").iterdir()]:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def two_sources(tmp_path_factory) -> Path:
    """The bundled seed and the second article: many triples stated twice."""
    root = tmp_path_factory.mktemp("two-sources")
    store = root / "store"
    build(store=store, seeds=seeds_folder(root))
    return store


@pytest.fixture(scope="module")
def repeated(two_sources, tmp_path_factory) -> Path:
    """``two_sources``, then the seed's facts again under another file name and two files
    restating some of its triples, each added as a source of its own."""
    root = tmp_path_factory.mktemp("repeated")
    store = root / "store"
    shutil.copytree(two_sources, store)
    again = root / "ani-report-again.nt"
    seed = open_store(store).quads_for_pattern(None, None, None, ox.NamedNode(SEED_GRAPH))
    again.write_bytes(ox.serialize([q.triple for q in seed], format=ox.RdfFormat.N_TRIPLES))
    added = add([again, MULTI / "restated.ttl", MULTI / "restated.trig"], store=store)
    assert len(added.graphs) == 3
    return store


def key(term) -> tuple | None:
    """An engine-neutral form of an RDF term (pyoxigraph or rdflib)."""
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, (ox.NamedNode, URIRef)):
        return ("iri", str(term.value if isinstance(term, ox.NamedNode) else term))
    if isinstance(term, (ox.BlankNode, BNode)):
        return ("blank",)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.language or term.datatype.value)
    assert isinstance(term, Literal), term
    datatype = str(term.datatype or "http://www.w3.org/2001/XMLSchema#string")
    return ("literal", str(term), term.language or datatype)


def rows_of(result) -> list[tuple]:
    return [tuple(key(t) for t in row) for row in result.rows]


def query_file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.rq"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def all_queries(tmp_path: Path) -> list[str]:
    """The bundled queries by name, and the COUNT queries as files."""
    return BUNDLED + [str(query_file(tmp_path, n, t)) for n, t in COUNTS.items()]


def test_the_corpus_states_triples_several_times(repeated):
    """What the tests rely on: the same types, labels and relations in several graphs."""
    store = open_store(repeated)
    kallas = ox.NamedNode("https://w3id.org/kg/id/kaja-kallas")
    official = ox.NamedNode("https://w3id.org/kg/ontology#Official")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    graphs = {q.graph_name for q in store.quads_for_pattern(kallas, rdf_type, official, None)}
    assert len(graphs) == 6  # two seeds, three added files, and the merged default graph
    prefixes = {"kg": "https://w3id.org/kg/ontology#"}
    union = store.query(COUNTS["officials"], prefixes=prefixes, use_default_graph_as_union=True)
    distinct = {q.subject for q in store.quads_for_pattern(None, rdf_type, official, None)}
    assert int(next(iter(union))[0].value) > len(distinct)  # Oxigraph's union over-counts


@pytest.mark.parametrize("name", BUNDLED + [n for n in COUNTS if n != "all-triples"])
def test_no_answer_changes_when_sources_repeat_facts(name, two_sources, repeated, tmp_path):
    """The seed's facts added again under another name, and restatements of its triples,
    change no row, no count, no order."""
    target = name if name in BUNDLED else str(query_file(tmp_path, name, COUNTS[name]))
    before = local_query(target, store=two_sources)
    after = local_query(target, store=repeated)
    assert rows_of(after) == rows_of(before)
    assert before.rows
    assert len(set(rows_of(after))) == len(rows_of(after)) or name == "evidence"


def test_asserted_counts_are_the_merge_too(two_sources, repeated, tmp_path):
    count = query_file(tmp_path, "triples", COUNTS["triples"])
    before = local_query(str(count), store=two_sources, asserted=True)
    after = local_query(str(count), store=repeated, asserted=True)
    assert rows_of(after) == rows_of(before)
    everything = query_file(tmp_path, "all", COUNTS["all-triples"])
    answer = local_query(str(everything), store=repeated, asserted=True)
    asserted = {q.triple for q in ox.parse(export(format="ntriples", store=repeated),
                                           format=ox.RdfFormat.N_TRIPLES)}  # fmt: skip
    assert int(answer.rows[0][0].value) == len(asserted)
    with_inferred = local_query(str(everything), store=repeated)
    inferred = {q.triple for q in ox.parse(export(format="ntriples", store=repeated,
                                                  inferred=True),
                                           format=ox.RdfFormat.N_TRIPLES)}  # fmt: skip
    assert int(with_inferred.rows[0][0].value) == len(inferred) > len(asserted)


# --- the merged graph, as rdflib and Jena see it -----------------------------------------


@pytest.fixture(scope="module")
def merged_export(repeated, tmp_path_factory) -> Path:
    """The merged graph with the inferences: N-Triples merge the named graphs."""
    path = tmp_path_factory.mktemp("export") / "merged.nt"
    export(path, format="ntriples", store=repeated, inferred=True)
    return path


@pytest.fixture(scope="module")
def rdflib_graph(merged_export):
    from rdflib import Graph

    from kg.rdf.safety import harden_rdflib

    harden_rdflib()
    graph = Graph()
    graph.parse(merged_export, format="nt")
    return graph


@pytest.mark.parametrize("name", BUNDLED + list(COUNTS))
def test_rows_are_rdflib_rows_on_the_merged_graph(name, repeated, rdflib_graph, tmp_path):
    from kg.sparql.bundled import resolve_query

    text = COUNTS.get(name) or resolve_query(name).text
    ours = local_query(str(query_file(tmp_path, "q", text)), store=repeated)
    theirs = rdflib_graph.query(with_prefixes(text))
    assert [str(v) for v in theirs.vars] == ours.variables
    assert Counter(rows_of(ours)) == Counter(tuple(key(t) for t in row) for row in theirs)


@pytest.fixture(scope="module")
def arq(tmp_path_factory) -> list[str]:
    """Jena's arq (Debian's libapache-jena-java and a Java runtime), or skip."""
    from benchmarks.jena import NotFound, find

    try:
        return find(tmp_path_factory.mktemp("jena")).argv
    except NotFound as err:
        pytest.skip(f"Jena arq is not installed ({err})")


@pytest.mark.parametrize("name", BUNDLED + list(COUNTS))
def test_rows_are_jena_rows_on_the_merged_graph(name, repeated, merged_export, arq, tmp_path):
    from kg.sparql.bundled import resolve_query

    text = COUNTS.get(name) or resolve_query(name).text
    ours = local_query(str(query_file(tmp_path, "q", text)), store=repeated)
    done = subprocess.run(
        [*arq, "--data", str(merged_export), "--query",
         str(query_file(tmp_path, "jena", with_prefixes(text))), "--results", "json"],
        capture_output=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    answer = ox.parse_query_results(done.stdout, format=ox.QueryResultsFormat.JSON)
    variables = [v.value for v in answer.variables]
    assert variables == ours.variables
    theirs = [tuple(key(s[v]) for v in variables) for s in answer]
    assert Counter(rows_of(ours)) == Counter(theirs)


# --- through kg serve ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def repeated_url(repeated):
    from tests.serve_support import kg_server

    with kg_server(repeated) as url:
        yield url


def test_serve_gives_the_local_rows(repeated, repeated_url, tmp_path):
    import httpx

    for target in all_queries(tmp_path):
        local = local_query(target, store=repeated)
        text = Path(target).read_text("utf-8") if target.endswith(".rq") else None
        if text is None:
            from kg.sparql.bundled import resolve_query

            text = resolve_query(target).text
        answer = httpx.post(
            f"{repeated_url}/sparql",
            data={"query": text},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        parsed = ox.parse_query_results(answer.content, format=ox.QueryResultsFormat.JSON)
        variables = [v.value for v in parsed.variables]
        assert [tuple(key(s[v]) for v in variables) for s in parsed] == rows_of(local), target
        # kg query --endpoint names the merged graph; kg serve knows its name
        there = remote.query(target, endpoint=f"{repeated_url}/sparql")
        assert rows_of(there) == rows_of(local), target


def test_serve_bundled_pages_count_once(two_sources, repeated, repeated_url):
    import httpx

    from tests.serve_support import kg_server

    with kg_server(two_sources) as before_url:
        for name in ("eu-partnerships", "offices", "signing"):
            address = f"/queries/{name}/results?format=csv"
            before = httpx.get(before_url + address, timeout=60)
            after = httpx.get(repeated_url + address, timeout=60)
            assert (after.status_code, after.text) == (200, before.text)


def test_entity_page_names_every_source_graph(repeated):
    """The merge does not cost provenance: each statement lists the graphs stating it."""
    from kg.web.views import entity_view

    view = entity_view(open_store(repeated), "https://w3id.org/kg/id/eu-india-sdp")
    party = next(s for s in view.outgoing if s.predicate.value.endswith("#party"))
    assert SEED_GRAPH in party.graphs and SECOND_GRAPH in party.graphs
    assert len(party.graphs) == 5 and "" not in party.graphs


def test_graph_patterns_still_see_each_source(repeated, tmp_path):
    query = query_file(
        tmp_path,
        "who-states",
        "SELECT ?g WHERE { GRAPH ?g { kgr:kaja-kallas a kg:Official } } ORDER BY ?g",
    )
    graphs = [row[0] for row in local_query(str(query), store=repeated).values()]
    assert len(graphs) == 5 and SEED_GRAPH in graphs and SECOND_GRAPH in graphs
    assert GRAPH_MERGED not in graphs


# --- after kg push, on an Oxigraph server -------------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize("union", [False, True], ids=["plain", "union-default-graph"])
def test_pushed_answers_are_the_local_ones(union, repeated, tmp_path):
    with oxigraph_server(tmp_path / "oxigraph", union_default_graph=union) as server:
        pushed = push(server.store, store=repeated)
        assert pushed.sent[GRAPH_MERGED] == len(
            list(open_store(repeated).quads_for_pattern(None, None, None, ox.DefaultGraph()))
        )
        for target in all_queries(tmp_path):
            local = local_query(target, store=repeated)
            there = remote.query(target, endpoint=server.query)
            assert rows_of(there) == rows_of(local), target
        # --asserted names the merge alone
        count = str(query_file(tmp_path, "count", COUNTS["triples"]))
        asserted = remote.query(count, endpoint=server.query, asserted=True)
        assert rows_of(asserted) == rows_of(local_query(count, store=repeated, asserted=True))
        # GRAPH reaches every pushed source graph, not the merge
        who = query_file(
            tmp_path, "who", "SELECT ?g WHERE { GRAPH ?g { kgr:kaja-kallas a kg:Official } }"
        )
        here = sorted(local_query(str(who), store=repeated).values())
        assert sorted(remote.query(str(who), endpoint=server.query).values()) == here


@pytest.mark.integration
def test_query_says_when_nothing_was_pushed(tmp_path):
    with oxigraph_server(tmp_path / "oxigraph") as server:
        result = run_kg("query", "signing", "--endpoint", server.query)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"kg: error: {server.query} has no graph <{GRAPH_MERGED}>, the merged graph kg queries"
        " read: push with kg push, or name the graphs to query with --default-graph\n"
    )


# --- the other readers --------------------------------------------------------------------


def test_stats_do_not_double(two_sources, repeated):
    before = run_kg("stats", "--store", two_sources, "--format", "json")
    after = run_kg("stats", "--store", repeated, "--format", "json")
    assert before.exit_code == after.exit_code == 0, after.stderr
    before_stats, after_stats = json.loads(before.stdout), json.loads(after.stdout)
    for part in ("instances_per_class", "facts_per_source"):
        assert after_stats[part] == before_stats[part]
    assert "" not in after_stats["triples_per_graph"]  # the merged default graph is a copy
    assert len(after_stats["triples_per_graph"]) == len(before_stats["triples_per_graph"]) + 3


@pytest.mark.parametrize(
    "args", [("signing",), ("--entity", "kgr:kaja-kallas", "--depth", "2")], ids=["query", "entity"]
)
def test_diagrams_do_not_change(args, two_sources, repeated, tmp_path):
    drawn = []
    for store in (two_sources, repeated):
        out = tmp_path / f"{store.parent.name}.dot"
        result = run_kg("diagram", *args, "--format", "dot", "--store", store, "-o", out)
        assert result.exit_code == 0, result.stderr
        drawn.append(out.read_text(encoding="utf-8"))
    assert drawn[0] == drawn[1]
    assert "Kaja Kallas" in drawn[1]


def test_exports_hold_the_named_graphs_only(repeated):
    quads = list(ox.parse(export(format="nquads", store=repeated, inferred=True),
                          format=ox.RdfFormat.N_QUADS))  # fmt: skip
    assert all(isinstance(q.graph_name, ox.NamedNode) for q in quads)
    assert GRAPH_MERGED not in {q.graph_name.value for q in quads}
    named = [q for q in open_store(repeated) if isinstance(q.graph_name, ox.NamedNode)]
    assert len(quads) == len(named)


def test_build_counts_distinct_triples(tmp_path):
    result = run_kg("build", "--store", tmp_path / "store", "--seeds", seeds_folder(tmp_path))
    assert result.exit_code == 0, result.stderr
    store = open_store(tmp_path / "store")
    meta = ox.NamedNode(KG_GRAPH + "meta")
    default = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    asserted = len(default - {q.triple for q in store.quads_for_pattern(None, None, None, meta)})
    assert f": {asserted} triples asserted," in result.stderr


# --- the store ----------------------------------------------------------------------------


def test_inferences_stay_disjoint_from_the_merge(tmp_path):
    """An inference equal to an asserted triple once stored (values, not lexical forms)
    leaves kgg:inferred, so the merged graph and the inferences never share a triple."""
    e = "http://e/"
    a, p = ox.NamedNode(e + "a"), ox.NamedNode(e + "p")
    five = ox.Literal("5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    five_int = ox.Literal("5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#int"))
    inferred = ox.NamedNode(GRAPH_INFERRED)
    write_store(
        tmp_path,
        [
            ox.Quad(a, p, five, ox.NamedNode(e + "g1")),
            ox.Quad(a, p, five, ox.NamedNode(e + "g2")),
            ox.Quad(a, p, five_int, inferred),
            ox.Quad(a, p, a, inferred),
        ],
    )
    store = open_store(tmp_path)
    assert [q.object for q in store.quads_for_pattern(None, None, None, inferred)] == [a]
    assert len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))) == 1
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert local_query(str(query_file(tmp_path, "n", count)), store=tmp_path).values() == [("2",)]


def earlier_store(root: Path, built: Path) -> Path:
    """A store as an earlier kg wrote it: ``built``'s named graphs, no merged default graph."""
    old = root / "store"
    version = old / "v-earlier"
    version.mkdir(parents=True)
    legacy = ox.Store(str(version))
    legacy.extend(q for q in open_store(built) if isinstance(q.graph_name, ox.NamedNode))
    legacy.flush()
    del legacy
    (old / "CURRENT").write_text("v-earlier\n", encoding="utf-8")
    return old


def test_a_store_of_an_earlier_kg_is_refused_then_rewritten_by_add(tmp_path, seed_store):
    """Named graphs only, no merged default graph: queries would answer nothing."""
    old = earlier_store(tmp_path, seed_store)
    refused = run_kg("query", "signing", "--store", old)
    assert (refused.exit_code, refused.stdout) == (2, "")
    assert refused.stderr == (
        f"kg: error: {old}: the store was written by an earlier version of kg, without the"
        " merged default graph that queries read; run kg build again\n"
    )
    with pytest.raises(StoreError):
        open_store(old)
    assert run_kg("export", "--store", old).exit_code == 0  # named graphs only: still fine
    added = run_kg("add", MULTI / "restated.ttl", "--store", old)
    assert added.exit_code == 0, added.stderr
    assert (
        run_kg("query", "signing", "--store", old).stdout
        == run_kg("query", "signing", "--store", seed_store).stdout
    )


def test_a_store_of_an_earlier_kg_is_rebuilt_by_build(tmp_path, seed_store):
    """kg build, which the refusal says to run, reads the earlier store's added graphs."""
    old = earlier_store(tmp_path, seed_store)
    assert run_kg("query", "signing", "--store", old).exit_code == 2
    built = run_kg("build", "--store", old)
    assert built.exit_code == 0, built.stderr
    assert (
        run_kg("query", "signing", "--store", old).stdout
        == run_kg("query", "signing", "--store", seed_store).stdout
    )
