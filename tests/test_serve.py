"""kg serve: the SPARQL 1.1 Protocol over real HTTP on 127.0.0.1, and the pages' HTML."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import zipfile
from urllib.parse import quote

import httpx
import pytest

from kg.build import build
from kg.sparql.bundled import list_queries
from tests.conftest import MINI, ROOT, run_kg
from tests.serve_support import kg_server

MET_BY = (MINI / "queries" / "met-by.rq").read_text(encoding="utf-8")
PARTICIPANTS = (MINI / "queries" / "participants.rq").read_text(encoding="utf-8")
BUNDLED = [spec.name for spec in list_queries()]
KGR = "https://w3id.org/kg/id/"
SERVICE_REFUSED = "query: SERVICE is refused: it would send a request to another server\n"
READ_ONLY = "this endpoint is read-only: SPARQL Update is refused (use kg add to add data)\n"


def get(url: str, **kwargs) -> httpx.Response:
    return httpx.get(url, timeout=60, **kwargs)


def post(url: str, **kwargs) -> httpx.Response:
    return httpx.post(url, timeout=60, **kwargs)


# ---------------------------------------------------------------- same rows as kg query


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_query_gives_the_rows_of_kg_query(seed_url, seed_store, name):
    spec = next(s for s in list_queries() if s.name == name)
    expected_json = run_kg("query", name, "--store", seed_store, "--format", "json")
    expected_csv = run_kg("query", name, "--store", seed_store, "--format", "csv")
    assert expected_json.exit_code == 0, expected_json.stderr

    answer = get(f"{seed_url}/sparql", params={"query": spec.text})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/sparql-results+json"
    assert answer.text == expected_json.stdout
    assert json.loads(answer.text)["results"]["bindings"], f"{name} answers nothing on the seed"

    download = get(f"{seed_url}/queries/{name}/results", params={"format": "csv"})
    assert download.status_code == 200
    assert download.content == expected_csv.stdout_bytes
    assert download.headers["content-disposition"] == f'attachment; filename="{name}.csv"'


def test_a_parameter_is_bound_like_kg_query_binds_it(seed_url, seed_store):
    expected = run_kg(
        "query",
        "evidence",
        "--param",
        "fact=kgr:kaja-kallas",
        "--store",
        seed_store,
        "--format",
        "tsv",
    )
    answer = get(
        f"{seed_url}/queries/evidence/results", params={"fact": "kgr:kaja-kallas", "format": "tsv"}
    )
    assert answer.status_code == 200
    assert answer.text == expected.stdout
    assert answer.text.count("\n") > 2


@pytest.mark.parametrize("path", ["met-by.rq", "participants.rq"])
def test_mini_queries_give_the_rows_of_kg_query(mini_url, mini_store, path):
    expected = run_kg("query", MINI / "queries" / path, "--store", mini_store, "--format", "json")
    text = (MINI / "queries" / path).read_text(encoding="utf-8")
    answer = get(f"{mini_url}/sparql", params={"query": text})
    assert answer.status_code == 200
    assert answer.text == expected.stdout


# ---------------------------------------------------------------- GET and POST


def test_get_and_both_posts_give_the_same_answer(mini_url):
    via_get = get(f"{mini_url}/sparql", params={"query": MET_BY})
    via_form = post(f"{mini_url}/sparql", data={"query": MET_BY})
    via_body = post(
        f"{mini_url}/sparql",
        content=MET_BY.encode("utf-8"),
        headers={"content-type": "application/sparql-query"},
    )
    assert via_get.status_code == via_form.status_code == via_body.status_code == 200
    assert via_get.text == via_form.text == via_body.text
    assert json.loads(via_get.text) == {
        "head": {"vars": ["person", "metBy"]},
        "results": {
            "bindings": [
                {
                    "person": {"type": "uri", "value": KGR + "ben-ott"},
                    "metBy": {"type": "uri", "value": KGR + "asha-rao"},
                }
            ]
        },
    }


# ---------------------------------------------------------------- content negotiation


@pytest.mark.parametrize(
    ("accept", "content_type", "body"),
    [
        (
            "text/csv",
            "text/csv; charset=utf-8",
            f"person,metBy\r\n{KGR}ben-ott,{KGR}asha-rao\r\n",
        ),
        (
            "text/tab-separated-values",
            "text/tab-separated-values; charset=utf-8",
            f"?person\t?metBy\n<{KGR}ben-ott>\t<{KGR}asha-rao>\n",
        ),
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml",
            '<?xml version="1.0"?>\n'
            '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
            '  <head><variable name="person"/><variable name="metBy"/></head>\n'
            "  <results>\n"
            f'    <result><binding name="person"><uri>{KGR}ben-ott</uri></binding>'
            f'<binding name="metBy"><uri>{KGR}asha-rao</uri></binding></result>\n'
            "  </results>\n"
            "</sparql>\n",
        ),
        (
            "text/csv;q=0.5, application/sparql-results+xml;q=0.9",
            "application/sparql-results+xml",
            None,
        ),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "application/sparql-results+json", None),
        ("application/json", "application/sparql-results+json", None),
    ],
)
def test_results_by_accept_header(mini_url, accept, content_type, body):
    answer = get(f"{mini_url}/sparql", params={"query": MET_BY}, headers={"accept": accept})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == content_type
    assert answer.headers["vary"] == "Accept"
    if body is not None:
        assert answer.text == body


def test_format_parameter_wins_over_accept(mini_url):
    answer = get(
        f"{mini_url}/sparql",
        params={"query": MET_BY, "format": "csv"},
        headers={"accept": "application/sparql-results+json"},
    )
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.text.startswith("person,metBy\r\n")


def test_nothing_acceptable_is_406(mini_url):
    answer = get(f"{mini_url}/sparql", params={"query": MET_BY}, headers={"accept": "image/png"})
    assert answer.status_code == 406
    assert answer.text == (
        "none of the accepted media types can be sent (offered: application/sparql-results+json,"
        " application/sparql-results+xml, text/csv, text/tab-separated-values)\n"
    )
    bad = get(f"{mini_url}/sparql", params={"query": MET_BY, "format": "yaml"})
    assert bad.status_code == 400
    assert (
        bad.text
        == "format 'yaml' is not available for this query (use one of: json, xml, csv, tsv)\n"
    )


def test_ask_in_json_and_xml(mini_url):
    ask = "ASK { kgr:asha-rao kg:met kgr:ben-ott }"
    as_json = get(f"{mini_url}/sparql", params={"query": ask})
    assert as_json.json() == {"head": {}, "boolean": True}
    as_xml = get(f"{mini_url}/sparql", params={"query": ask, "format": "xml"})
    assert as_xml.text == (
        '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
        "  <head/>\n  <boolean>true</boolean>\n</sparql>\n"
    )


def test_construct_as_turtle_and_ntriples(mini_url):
    construct = "CONSTRUCT { ?a kg:met ?b } WHERE { ?a kg:met ?b }"
    turtle = get(f"{mini_url}/sparql", params={"query": construct})
    assert turtle.headers["content-type"] == "text/turtle; charset=utf-8"
    assert turtle.text == (
        "@prefix kg: <https://w3id.org/kg/ontology#> .\n"
        "@prefix kgr: <https://w3id.org/kg/id/> .\n\n"
        "kgr:asha-rao kg:met kgr:ben-ott .\n"
    )
    nt = get(
        f"{mini_url}/sparql",
        params={"query": construct},
        headers={"accept": "application/n-triples"},
    )
    assert nt.headers["content-type"] == "application/n-triples"
    assert nt.text == f"<{KGR}asha-rao> <https://w3id.org/kg/ontology#met> <{KGR}ben-ott> .\n"


# ---------------------------------------------------------------- refusals


def test_updates_are_refused_with_403(mini_url, mini_store):
    update = "INSERT DATA { kgr:x kg:met kgr:y }"
    as_update = post(
        f"{mini_url}/sparql",
        content=update.encode(),
        headers={"content-type": "application/sparql-update"},
    )
    assert (as_update.status_code, as_update.text) == (403, READ_ONLY)
    as_form = post(f"{mini_url}/sparql", data={"update": update})
    assert (as_form.status_code, as_form.text) == (403, READ_ONLY)
    as_query = get(f"{mini_url}/sparql", params={"query": update})
    assert as_query.status_code == 400
    assert as_query.text == (
        "query: SPARQL Update (INSERT) is refused: kg query only reads; use kg add to bring in data\n"
    )
    count = get(f"{mini_url}/sparql", params={"query": "ASK { kgr:x kg:met kgr:y }"})
    assert count.json()["boolean"] is False


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", SERVICE_REFUSED),
        ("SELECT * WHERE { SERVIC\\u0045 <http://127.0.0.1:9/> { ?s ?p ?o } }", SERVICE_REFUSED),
        ("LOAD <http://127.0.0.1:9/x.ttl>", "query: LOAD is refused: it would fetch remote data\n"),
        (
            "SELECT * FROM <http://127.0.0.1:9/x.ttl> WHERE { ?s ?p ?o }",
            "query: FROM / FROM NAMED are refused: they could load remote data;"
            " use GRAPH <iri> { ... } to pick a named graph\n",
        ),
    ],
)
def test_service_load_and_from_are_refused_with_403(mini_url, query, message):
    for answer in (
        get(f"{mini_url}/sparql", params={"query": query}),
        post(f"{mini_url}/sparql", data={"query": query}),
    ):
        assert (answer.status_code, answer.text) == (403, message)


def test_bad_requests_are_400_with_the_reason(mini_url):
    syntax = get(f"{mini_url}/sparql", params={"query": "SELECT ?s WHERE { ?s"})
    assert syntax.status_code == 400
    assert syntax.text.startswith("query: SPARQL syntax error: ")
    missing = get(f"{mini_url}/sparql")
    assert (missing.status_code, missing.text) == (400, "missing the query parameter\n")
    twice = get(f"{mini_url}/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert (twice.status_code, twice.text) == (400, "give the query parameter once\n")
    graphs = [("default-graph-uri", "http://e/g1"), ("default-graph-uri", "http://e/g2")]
    dataset = get(f"{mini_url}/sparql", params=[("query", "ASK {}"), *graphs])
    assert (dataset.status_code, dataset.text) == (
        400,
        "default-graph-uri: name one graph, or <https://w3id.org/kg/graph/merged> and"
        " <https://w3id.org/kg/graph/inferred>: the default graph would repeat each triple the"
        " graphs share, not merge them\n",
    )
    bad = get(f"{mini_url}/sparql", params={"query": "ASK {}", "named-graph-uri": "no iri"})
    assert (bad.status_code, bad.text) == (400, "named-graph-uri: 'no iri' is not an IRI\n")
    media = post(f"{mini_url}/sparql", content=b"ASK {}", headers={"content-type": "text/plain"})
    assert (media.status_code, media.text) == (
        415,
        "send the query as application/sparql-query or application/x-www-form-urlencoded\n",
    )
    large = post(
        f"{mini_url}/sparql",
        content=b"ASK {}" + b" " * (1024 * 1024),
        headers={"content-type": "application/sparql-query"},
    )
    assert (large.status_code, large.text) == (
        413,
        "the request body is larger than 1048576 bytes\n",
    )


def test_a_query_over_its_time_limit_is_503(mini_store):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with kg_server(mini_store, "--timeout", "0.05") as url:
        answer = get(f"{url}/sparql", params={"query": slow})
    assert (answer.status_code, answer.text) == (
        503,
        "the query took longer than 0.05 s and was stopped (raise it with --timeout)\n",
    )


def test_a_foreign_host_header_is_refused(mini_url):
    # DNS rebinding: a page of evil.example whose name now points to 127.0.0.1.
    answer = get(f"{mini_url}/sparql", params={"query": "ASK {}"}, headers={"host": "evil.example"})
    assert (answer.status_code, answer.text) == (400, "Invalid host header")
    port = mini_url.rsplit(":", 1)[1]
    local = get(f"{mini_url}/", headers={"host": f"localhost:{port}"})
    assert local.status_code == 200


CROSS_SITE = "cross-site request refused ({}); open the page at its own address\n"


def _four_ways(url: str, headers: dict[str, str]) -> list[httpx.Response]:
    """The same query by GET, form POST, direct POST, and the editor's form."""
    return [
        get(f"{url}/sparql", params={"query": "ASK {}"}, headers=headers),
        post(f"{url}/sparql", data={"query": "ASK {}"}, headers=headers),
        post(
            f"{url}/sparql",
            content=b"ASK {}",
            headers={**headers, "content-type": "application/sparql-query"},
        ),
        post(f"{url}/editor", data={"query": "ASK {}"}, headers=headers),
    ]


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},  # sandboxed frames, file: pages
        {"origin": "http://127.0.0.1:1"},  # another port of this machine
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
        {"origin": "https://evil.example", "sec-fetch-site": "cross-site"},
    ],
)
def test_requests_from_other_sites_are_refused(mini_url, headers):
    # A page elsewhere must not make a visitor's browser query the server.
    reason = (
        f"Sec-Fetch-Site: {headers['sec-fetch-site']}"
        if "sec-fetch-site" in headers
        else f"Origin: {headers['origin']}"
    )
    for answer in [*_four_ways(mini_url, headers), get(f"{mini_url}/", headers=headers)]:
        assert (answer.status_code, answer.text) == (403, CROSS_SITE.format(reason))


def test_same_origin_and_non_browser_requests_pass(mini_url):
    port = mini_url.rsplit(":", 1)[1]
    for headers in [
        {},  # curl, kg query --endpoint: no Origin, no Sec-Fetch-Site
        {"origin": mini_url, "sec-fetch-site": "same-origin"},  # the page's own forms
        {"host": f"LocalHost:{port}", "origin": f"http://localhost:{port}"},
        {"sec-fetch-site": "none"},  # typed in the address bar, or a bookmark
        # A browser that hides the origin (Origin: null) but says it is this one.
        {"origin": "null", "sec-fetch-site": "same-origin"},
        {"host": f"localhost:{port}", "origin": f"http://localhost:{port}"},
    ]:
        answers = _four_ways(mini_url, headers)
        assert [a.status_code for a in answers] == [200, 200, 200, 200], headers
        assert answers[0].json() == {"head": {}, "boolean": True}


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="this machine has no IPv6 loopback")
def test_serve_on_the_ipv6_loopback(mini_store):
    with kg_server(mini_store, "--host", "::1") as url:
        port = url.rsplit(":", 1)[1]
        assert url == f"http://[::1]:{port}"
        plain = get(f"{url}/sparql", params={"query": "ASK {}"})  # Host: [::1]:PORT
        bare = get(f"{url}/", headers={"host": "[::1]"})
        form = post(f"{url}/sparql", data={"query": "ASK {}"}, headers={"origin": url})
        # DNS rebinding protection still holds on ::1.
        foreign = [
            get(f"{url}/sparql", params={"query": "ASK {}"}, headers={"host": host})
            for host in ("evil.example", f"evil.example:{port}", f"[::2]:{port}", "[::1")
        ]
        cross = post(
            f"{url}/sparql", data={"query": "ASK {}"}, headers={"origin": "https://evil.example"}
        )
    assert (plain.status_code, plain.json()) == (200, {"head": {}, "boolean": True})
    assert bare.status_code == 200
    assert form.status_code == 200
    assert [(a.status_code, a.text) for a in foreign] == [(400, "Invalid host header")] * 4
    assert (cross.status_code, cross.text) == (
        403,
        CROSS_SITE.format("Origin: https://evil.example"),
    )


def test_pages_forbid_inline_scripts_and_framing(mini_url):
    answer = get(f"{mini_url}/")
    assert answer.headers["content-security-policy"] == (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
        " form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    # Not no-referrer: with it, Chromium sends "Origin: null" on the page's own forms.
    assert answer.headers["referrer-policy"] == "same-origin"


# ---------------------------------------------------------------- pages (HTML)


def marks(html_text: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", m)
        for m in re.findall(r'<mark class="quote">(.*?)</mark>', html_text)
    ]


def test_front_page_lists_the_queries_and_sources(mini_url):
    page = get(f"{mini_url}/").text
    assert '<form method="get" action="/queries/met-by">' in page
    assert "Who was met, and by whom? (needs the inverse of kg:met, from reasoning)" in page
    assert '<input type="text" name="meeting" value="" placeholder="kgr:… or https://…">' in page
    assert (
        f'<a href="/source?iri={quote(KGR, safe="")}wire-2026-05-03">Wire report, 3 May 2026</a>'
        in page
    )
    for asset in ("/static/style.css", "/static/app.js"):
        assert asset in page
        assert get(f"{mini_url}{asset}").status_code == 200


def test_query_page_with_a_bad_parameter_shows_the_error(mini_url):
    answer = get(f"{mini_url}/queries/participants", params={"meeting": "not an iri"})
    assert answer.status_code == 400
    assert (
        '<p class="error" id="error" role="alert">--param meeting: &#x27;not an iri&#x27; is not'
        " an IRI (write https://... or kgr:name)</p>"
    ) in answer.text


def test_editor_shows_errors_in_the_page(mini_url):
    answer = post(f"{mini_url}/editor", data={"query": "SELECT * { SERVICE <http://x/> {} }"})
    assert answer.status_code == 403
    assert (
        '<p class="error" id="error" role="alert">query: SERVICE is refused: it would send a'
        " request to another server</p>"
    ) in answer.text
    assert "SELECT * { SERVICE &lt;http://x/&gt; {} }</textarea>" in answer.text


def test_entity_page_shows_evidence_in_context(mini_url):
    page = get(f"{mini_url}/entity", params={"iri": "kgr:rao-ott-meeting"}).text
    assert '<h1 id="label">Meeting of Asha Rao and Ben Ott</h1>' in page
    assert marks(page) == ["met Chancellor Ben Ott of Freedonia today", "Rao"]
    assert (
        '<span class="context">Delhi, 3 May (Wire): Minister Asha Rao <mark class="quote">'
        "met Chancellor Ben Ott of Freedonia today</mark>.</span>"
    ) in page
    ben = get(f"{mini_url}/entity", params={"iri": KGR + "ben-ott"}).text
    # Statements about Ben Ott carry their subjects' passages: Asha Rao met him.
    assert "Minister Asha Rao</mark>" in ben
    assert 'title="derived by OWL 2 RL reasoning">inferred</span>' in ben


def test_unknown_entity_is_404_and_a_bad_iri_400(mini_url):
    unknown = get(f"{mini_url}/entity", params={"iri": "kgr:nobody"})
    assert unknown.status_code == 404
    assert f"the graph says nothing about &lt;{KGR}nobody&gt;" in unknown.text
    bad = get(f"{mini_url}/entity", params={"iri": "a b"})
    assert bad.status_code == 400
    assert "&#x27;a b&#x27; is not an IRI" in bad.text


def test_source_page_marks_every_cited_passage(mini_url):
    page = get(f"{mini_url}/source", params={"iri": "kgr:wire-2026-05-03"}).text
    cited = re.findall(r'<li id="cite-(span-\d+-\d+)"><a href="#span-\d+-\d+"><q>(.*?)</q>', page)
    assert cited == [
        ("span-0-19", "Delhi, 3 May (Wire)"),
        ("span-21-38", "Minister Asha Rao"),
        ("span-39-80", "met Chancellor Ben Ott of Freedonia today"),
        ("span-43-61", "Chancellor Ben Ott"),
        ("span-65-74", "Freedonia"),
        ("span-82-85", "Rao"),
    ]
    # "Chancellor Ben Ott" lies inside "met Chancellor ... today": marked twice as deep.
    assert (
        '<mark class="cite depth-2" data-spans="span-39-80 span-43-61">'
        '<a href="#cite-span-43-61">Chancellor Ben Ott</a></mark>'
    ) in page


# ---------------------------------------------------------------- untrusted text, new builds


def _seed_with(tmp_path, label: str, extra_text: str):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    toml = (MINI / "seeds" / "001_mini.toml").read_text(encoding="utf-8")
    (seeds / "001_mini.toml").write_text(
        toml.replace('label = "Asha Rao"', f"label = {json.dumps(label)}"), encoding="utf-8"
    )
    text = (MINI / "seeds" / "001_mini.txt").read_text(encoding="utf-8")
    (seeds / "001_mini.txt").write_text(text + extra_text, encoding="utf-8")
    return seeds


def test_text_from_the_graph_is_escaped_and_a_new_build_is_picked_up(tmp_path):
    store = tmp_path / "store"
    build(store=store, seeds=MINI / "seeds", ontology=MINI / "ontology")
    hostile = '<script>alert("label")</script>'
    seeds = _seed_with(tmp_path, hostile, '<img src=x onerror="alert(1)">\n')
    with kg_server(store) as url:
        before = get(f"{url}/entity", params={"iri": "kgr:asha-rao"}).text
        assert '<h1 id="label">Asha Rao</h1>' in before
        # kg build writes a new version beside the old one; the server follows CURRENT.
        build(store=store, seeds=seeds, ontology=MINI / "ontology")
        after = get(f"{url}/entity", params={"iri": "kgr:asha-rao"}).text
        source = get(f"{url}/source", params={"iri": "kgr:wire-2026-05-03"}).text
        editor = get(f"{url}/editor", params={"query": "SELECT ?l { kgr:asha-rao rdfs:label ?l }"})
    assert '<h1 id="label">&lt;script&gt;alert(&quot;label&quot;)&lt;/script&gt;</h1>' in after
    assert "<script>alert" not in after
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in source
    assert "<img" not in source
    assert "<td>&lt;script&gt;alert(&quot;label&quot;)&lt;/script&gt;</td>" in editor.text


# ---------------------------------------------------------------- the command


def test_serve_without_a_built_graph_says_so(tmp_path):
    result = run_kg("serve", "--store", tmp_path / "none", "--port", "0")
    assert result.exit_code == 2
    assert result.stderr == (
        f"kg: error: no built graph in {tmp_path / 'none'}/: run kg build first (or pass --store)\n"
    )


def test_accepted_connections_have_nagle_off():
    # With Nagle's algorithm on, each request after the first on a kept-alive
    # connection (as browsers keep them) waited about 40 ms for a delayed ACK.
    from kg.web.app import listen

    with listen("127.0.0.1", 0) as server, socket.socket() as client:
        client.connect(server.getsockname())
        accepted, _ = server.accept()
        with accepted:
            assert accepted.proto == socket.IPPROTO_TCP  # asyncio sets TCP_NODELAY on these
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_serve_on_a_busy_port_says_so(mini_store):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run_kg("serve", "--store", mini_store, "--port", str(port))
    assert result.exit_code == 2
    assert result.stderr == (
        f"kg: error: cannot listen on 127.0.0.1:{port}: Address already in use"
        " (pick another --port)\n"
    )


@pytest.mark.slow
def test_the_wheel_carries_the_page_assets_and_diagrams(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    (wheel,) = tmp_path.glob("kg-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert sorted(
        n for n in names if n.startswith("kg/web/") or n in ("kg/serve.py", "kg/diagram.py")
    ) == [
        "kg/diagram.py",
        "kg/serve.py",
        "kg/web/__init__.py",
        "kg/web/app.py",
        "kg/web/diagrams/signing.rq",
        "kg/web/negotiation.py",
        "kg/web/pages.py",
        "kg/web/static/app.js",
        "kg/web/static/favicon.svg",
        "kg/web/static/style.css",
        "kg/web/views.py",
        "kg/web/workers.py",
    ]
