"""kg never reaches the network or the local disk on behalf of the data, shapes or queries
it reads. Proven with a real HTTP server on 127.0.0.1 that records every request (and a
named pipe that records whether it was opened): after each refusal, nothing was received.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from kg.errors import InputError, QueryError, UnsafeOperationError
from kg.rdf.safety import check_query, check_rdf_bytes, json_depth_exceeded, xml_depth_exceeded
from tests.conftest import MINI, ROOT, run_kg
from tests.network_support import PipeWatch, RecordingServer

ONTOLOGY = MINI / "ontology"
VALID = MINI / "valid.ttl"
NOT_FETCHED = " is a reference to fetch; kg does not fetch contexts: put the context inline"


@pytest.fixture
def server():
    with RecordingServer() as recording:
        yield recording


def test_the_recording_server_records(server):
    """The control: a request that is made is seen, so an empty record means none was made."""
    import urllib.request

    with urllib.request.urlopen(server.url("/probe")) as response:
        assert response.status == 200
    assert server.requests == [("GET", "/probe", b"")]


# --- JSON-LD contexts -------------------------------------------------------------------


def jsonld_cases(url: str) -> dict[str, dict]:
    node = {"@id": "https://w3id.org/kg/id/a", "name": "A"}
    return {
        "remote context": {"@context": url, **node},
        "context in an array": {"@context": [{"x": "http://e/x"}, url], **node},
        "@import": {"@context": {"@import": url}, **node},
        "scoped context of a term": {
            "@context": {"name": {"@id": "http://schema.org/name", "@context": url}},
            **node,
        },
        "context deep inside the graph": {
            "@context": {"p": "http://e/p"},
            "@graph": [{"@id": "http://e/a", "p": {"@context": url, "@id": "http://e/b"}}],
        },
    }


@pytest.mark.parametrize(
    "case",
    [
        "remote context",
        "context in an array",
        "@import",
        "scoped context of a term",
        "context deep inside the graph",
    ],
)
def test_remote_jsonld_contexts_are_refused_and_not_fetched(tmp_path, server, case):
    url = server.url("/context.jsonld")
    path = tmp_path / "data.jsonld"
    path.write_text(json.dumps(jsonld_cases(url)[case]))
    result = run_kg("validate", path, "--ontology", ONTOLOGY)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"kg: error: {path}: the JSON-LD context {url!r}{NOT_FETCHED}\n"
    assert server.requests == []


def test_duplicate_and_escaped_context_keys_are_seen(tmp_path, server):
    url = server.url("/c")
    path = tmp_path / "sneaky.jsonld"
    # the first of two @context keys, spelt with a JSON escape: json.loads keeps only the last
    path.write_text(f'{{"\\u0040context": "{url}", "@context": {{}}, "@id": "http://e/a"}}')
    result = run_kg("validate", path, "--ontology", ONTOLOGY)
    assert result.stderr == f"kg: error: {path}: the JSON-LD context {url!r}{NOT_FETCHED}\n"
    assert server.requests == []


def test_a_file_context_is_not_read(tmp_path):
    with PipeWatch(tmp_path / "context.jsonld") as pipe:
        ref = pipe.path.as_uri()
        path = tmp_path / "data.jsonld"
        path.write_text(json.dumps({"@context": ref, "@id": "http://e/a", "name": "A"}))
        result = run_kg("validate", path, "--ontology", ONTOLOGY)
        assert result.stderr == f"kg: error: {path}: the JSON-LD context {ref!r}{NOT_FETCHED}\n"
        assert not pipe.opened.is_set()


def test_a_relative_context_is_not_read(tmp_path):
    with PipeWatch(tmp_path / "context.jsonld") as pipe:
        path = tmp_path / "data.jsonld"
        path.write_text(json.dumps({"@context": "context.jsonld", "@id": "http://e/a"}))
        result = run_kg("validate", path, "--ontology", ONTOLOGY)
        assert result.exit_code == 2
        assert not pipe.opened.is_set()


def test_oxigraph_refuses_contexts_too_when_the_friendly_check_is_skipped(
    tmp_path, server, monkeypatch
):
    """Above 16 MiB the JSON check is left to Oxigraph, which has no document loader."""
    import kg.rdf.safety
    from kg.rdf.io import parse_bytes

    monkeypatch.setattr(kg.rdf.safety, "_JSONLD_CHECK_BYTES", 0)
    data = json.dumps({"@context": server.url("/c"), "@id": "http://e/a"}).encode()
    with pytest.raises(UnsafeOperationError) as caught:
        parse_bytes(data, "jsonld", "big.jsonld")
    assert str(caught.value) == (
        "big.jsonld: a JSON-LD context given by reference is refused:"
        " kg does not fetch contexts: put the context inline"
    )
    assert server.requests == []


def test_inline_contexts_are_fine(tmp_path):
    path = tmp_path / "ok.jsonld"
    path.write_text(
        json.dumps(
            {"@context": {"name": "http://schema.org/name"}, "@id": "http://e/a", "name": "A"}
        )
    )
    result = run_kg("validate", path, "--ontology", ONTOLOGY)
    assert result.exit_code == 0


# --- SPARQL in queries ------------------------------------------------------------------

QUERIES = {
    "SERVICE": (
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SERVICE is refused: it would send a request to another server",
    ),
    "SERVIC\\u0045": (
        "SELECT * WHERE {{ SERVIC\\u0045 <{url}> {{ ?s ?p ?o }} }}",
        "SERVICE is refused: it would send a request to another server",
    ),
    "service in lower case": (
        "select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
        "SERVICE is refused: it would send a request to another server",
    ),
    "FROM": (
        "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        "FROM / FROM NAMED are refused: they could load remote data;"
        " use GRAPH <iri> {{ ... }} to pick a named graph",
    ),
    "FROM NAMED": (
        "SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "FROM / FROM NAMED are refused: they could load remote data;"
        " use GRAPH <iri> {{ ... }} to pick a named graph",
    ),
    "LOAD": ("LOAD <{url}>", "LOAD is refused: it would fetch remote data"),
    "USING": (
        "DELETE {{ ?s ?p ?o }} USING <{url}> WHERE {{ ?s ?p ?o }}",
        "USING is refused: it could load remote data",
    ),
}


@pytest.mark.parametrize("case", list(QUERIES))
def test_sparql_that_would_fetch_is_refused_and_nothing_is_sent(tmp_path, server, mini_store, case):
    text, message = QUERIES[case]
    query = tmp_path / "q.rq"
    query.write_text(text.format(url=server.url("/sparql")))
    result = run_kg("query", query, "--store", mini_store)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"kg: error: {query}: {message.format()}\n"
    assert server.requests == []


@pytest.mark.parametrize(
    "text",
    [
        'SELECT ?from WHERE { ?s <http://e/service> ?from . FILTER(?from != "LOAD") }',
        "PREFIX service: <http://e/>\nSELECT * WHERE { ?s service:using ?o } # FROM a comment",
        "SELECT * WHERE { ?s ?p '''SERVICE <http://x/> {}''' }",
    ],
)
def test_keywords_inside_names_strings_and_comments_are_not_operations(text):
    check_query(text, "q.rq")


def test_update_is_refused_even_after_a_prefix():
    with pytest.raises(QueryError) as caught:
        check_query("PREFIX e: <http://e/>\nCLEAR GRAPH e:g", "q.rq")
    assert str(caught.value) == (
        "q.rq: SPARQL Update (CLEAR) is refused: kg query only reads; use kg add to bring in data"
    )


def test_eight_digit_escapes_are_decoded_too():
    with pytest.raises(UnsafeOperationError):
        check_query("SELECT * { \\U00000053ERVICE <http://x/> { ?s ?p ?o } }", "q.rq")


# --- SPARQL in shapes -------------------------------------------------------------------


def service_shapes(url: str, keyword: str = "SERVICE") -> str:
    return textwrap.dedent(
        f"""\
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix kg: <https://w3id.org/kg/ontology#> .
        <urn:s> a sh:NodeShape ; sh:targetClass kg:Person ;
          sh:sparql [ sh:select \"\"\"
            SELECT $this WHERE {{ {keyword} <{url}> {{ $this ?p ?o }} }}
          \"\"\" ] .
        """
    )


@pytest.mark.parametrize("keyword", ["SERVICE", "SERVIC\\\\u0045"])
def test_shapes_whose_sparql_would_fetch_are_refused(tmp_path, server, keyword):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(service_shapes(server.url("/sparql"), keyword))
    report = tmp_path / "report.txt"
    result = run_kg("validate", VALID, "--ontology", ONTOLOGY, "--shapes", shapes, "-o", report)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"kg: error: {shapes} (sh:select): SERVICE is refused:"
        " it would send a request to another server\n"
    )
    assert not report.exists()
    assert server.requests == []


PYSHACL_SCRIPT = """
import sys, pyshacl, rdflib
url, harden = sys.argv[1], sys.argv[2] == "harden"
if harden:
    from kg.rdf.safety import harden_rdflib
    harden_rdflib()
shapes = rdflib.Graph().parse(format="turtle", data='''
@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:s> a sh:NodeShape ; sh:targetNode <http://e/a> ;
  sh:sparql [ sh:select "SELECT $this WHERE { SERVIC\\\\\\\\u0045 <%s> { $this ?p ?o } }" ] .
''' % url)
data = rdflib.Graph().parse(format="turtle", data="<http://e/a> <http://e/p> 1 .")
try:
    pyshacl.validate(data, shacl_graph=shapes, advanced=True)
except Exception as err:
    print(type(err).__name__, str(err).splitlines()[0][:120])
"""


def run_pyshacl(url: str, mode: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PYSHACL_SCRIPT, url, mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout


def test_pyshacl_alone_sends_the_escaped_service_request(server):
    """Why kg checks shapes itself: pySHACL refuses SERVICE but not SERVIC\\u0045."""
    run_pyshacl(server.url("/sparql"), "plain")
    assert [method for method, _, _ in server.requests] == ["POST"]


def test_harden_rdflib_stops_service_even_without_the_check(server):
    """The second lock: rdflib's SERVICE evaluation itself is replaced by a refusal."""
    output = run_pyshacl(server.url("/sparql"), "harden")
    assert "SERVICE / LOAD is refused" in output
    assert server.requests == []


def test_oxigraph_sends_service_requests_from_shapes(server):
    """Why shapes need a second lock: kg has pySHACL run their SPARQL on Oxigraph,
    which sends SERVICE requests and has no switch to stop them."""
    import pyoxigraph as ox

    with pytest.raises((OSError, RuntimeError)):  # the recorder's answer is not SPARQL results
        ox.Store().query(f"ASK {{ SERVICE <{server.url('/sparql')}> {{ ?s ?p ?o }} }}")
    assert [method for method, _, _ in server.requests] == ["POST"]


def test_the_syntax_tree_check_stops_service_even_without_the_keyword_check(
    tmp_path, server, monkeypatch
):
    """The second lock: rdflib's SPARQL grammar parses each shape query, and SERVICE
    anywhere in the tree is refused, though the keyword check is switched off."""
    from kg.validate import validate

    monkeypatch.setattr("kg.rdf.safety.check_query", lambda *args, **kwargs: None)
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(service_shapes(server.url("/sparql")))
    with pytest.raises(UnsafeOperationError, match=r"\(sh:select\): SERVICE is refused"):
        validate([VALID], shapes=shapes, ontology=ONTOLOGY)
    assert server.requests == []


# --- XML and JSON structure -------------------------------------------------------------


def test_xml_markup_in_text_and_attributes_does_not_fool_the_depth_count():
    # "/>" in text and ">" in attribute values must not close elements
    data = (
        b'<r a="x > y"><!-- <a><b> --><![CDATA[<c><d>]]><?pi <e>?>'
        + b"<n>/&gt;" * 3
        + b"</n>" * 3
        + b"</r>"
    )
    assert xml_depth_exceeded(data, 4) is None
    assert xml_depth_exceeded(data, 3) == data.index(b"<n>/&gt;<n>/&gt;<n>") + 16


def test_json_brackets_inside_strings_do_not_count():
    data = b'{"a": "[[[[[[", "b": "\\"[[[[", "c": [[1]]}'
    assert json_depth_exceeded(data, 3) is None
    assert json_depth_exceeded(data, 2) == data.index(b"[[1") + 1


def test_a_doctype_in_a_comment_is_refused_too():
    """Conservative on purpose: no XML parser has to decide what a comment hides."""
    with pytest.raises(UnsafeOperationError):
        check_rdf_bytes(b"<!-- <!DOCTYPE x> -->\n<r/>", "rdfxml", "x.rdf")


def test_rdfxml_that_is_not_utf8_is_refused_before_the_parser():
    from kg.rdf.io import parse_bytes

    data = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<r>caf\xe9</r>'.encode("latin-1")
    with pytest.raises(InputError) as caught:
        parse_bytes(data, "rdfxml", "latin.rdf")
    assert str(caught.value) == "latin.rdf:2: not UTF-8 (byte 50)"


def test_entities_would_expand_without_the_check():
    """Why the DOCTYPE refusal stays: Oxigraph's RDF/XML parser expands internal entities
    without a bound (here 615 bytes become a 20,000,000-character literal)."""
    import pyoxigraph as ox

    from tests.test_bad_input import billion_laughs

    data = billion_laughs(levels=7)
    assert len(data) < 700
    quads = list(ox.parse(data, format=ox.RdfFormat.RDF_XML))
    assert len(quads[0].object.value) == 2 * 10**7
