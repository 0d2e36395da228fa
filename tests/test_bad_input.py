"""The bad-input matrix: every untrusted input that cannot be used gives one line on stderr
naming the file (with line and column where the parser knows them), exit code 2, no
traceback, and nothing written: no -o file, no new store version, no request sent.

Cases run in-process through ``run_kg``; time limits, killed builds and permission
errors run ``kg`` in a real process (``python -m kg``).
"""

from __future__ import annotations

import ctypes
import gzip
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kg.store.versions import current_version
from tests.conftest import MINI, ROOT, run_kg

ONTOLOGY = MINI / "ontology"
VALID = MINI / "valid.ttl"
PARTICIPANTS = MINI / "queries" / "participants.rq"
PREFIXES = (
    "@prefix kg: <https://w3id.org/kg/ontology#> .\n"
    "@prefix kgr: <https://w3id.org/kg/id/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)
RDF_XML_OPEN = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
)


def billion_laughs(levels: int = 9) -> bytes:
    """The classic: 10**levels copies of "ha" from a few hundred bytes."""
    entities = '<!ENTITY l0 "ha">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, levels + 1)
    )
    return (
        '<?xml version="1.0"?>\n'
        f"<!DOCTYPE rdf:RDF [{entities}]>\n"
        f'{RDF_XML_OPEN}<rdf:Description rdf:about="http://e/a"><e:p>&l{levels};</e:p>'
        "</rdf:Description></rdf:RDF>\n"
    ).encode()


def deep_rdfxml(depth: int) -> bytes:
    return (
        f'{RDF_XML_OPEN}<rdf:Description rdf:about="http://e/a">'
        + "<e:p><rdf:Description>" * depth
        + "</rdf:Description></e:p>" * depth
        + "</rdf:Description></rdf:RDF>\n"
    ).encode()


def deep_jsonld(depth: int) -> bytes:
    return ('{"@id": "http://e/a", "http://e/p": ' * depth + '"x"' + "}" * depth).encode()


# name, file name, content, extra arguments, the message after "kg: error: "
# ({path} is the file's path). Each case runs through kg validate and kg add.
DATA_CASES = [
    ("empty file", "empty.ttl", b"", [], "{path}: the file is empty: no RDF to read"),
    ("only whitespace", "blank.nt", b"\n  \n", [], "{path}: the file is empty: no RDF to read"),
    (
        "binary garbage",
        "garbage.ttl",
        bytes(range(256)) * 4,
        [],
        "{path}: this is binary data, not turtle",
    ),
    (
        "gzip-compressed",
        "data.ttl",
        gzip.compress(b"<http://e/a> <http://e/p> <http://e/b> .\n", mtime=0),
        [],
        "{path}: is gzip-compressed: decompress it first",
    ),
    (
        "not UTF-8",
        "latin1.nt",
        b'<http://e/a> <http://e/p> "x" .\n<http://e/a> <http://e/p> "caf\xe9" .\n',
        [],
        "{path}:2: not UTF-8 (byte 62)",
    ),
    (
        "wrong --input-format",
        "data.ttl",
        (PREFIXES + "kgr:a a kg:Person .\n").encode(),
        ["--input-format", "ntriples"],
        "{path}:1:1: syntax error: The subject of a triple must be an IRI or a blank node",
    ),
    (
        "undefined prefix",
        "undefined.ttl",
        (PREFIXES + "kgr:a a ex:Person .\n").encode(),
        [],
        "{path}:5:9: syntax error: The prefix ex: has not been declared",
    ),
    (
        "invalid IRI",
        "iri.ttl",
        (PREFIXES + "kgr:a rdfs:seeAlso <http://e/a b> .\n").encode(),
        [],
        "{path}:5:20: syntax error: Invalid IRI code point ' '",
    ),
    (
        "literal subject in Turtle",
        "literal.ttl",
        (PREFIXES + '"Asha Rao" a kg:Person .\n').encode(),
        [],
        '{path}:5:1: syntax error: "Asha Rao" is not a valid subject or graph name',
    ),
    (
        "literal subject in N-Triples",
        "literal.nt",
        b'<http://e/a> <http://e/p> "x" .\n"x" <http://e/p> <http://e/a> .\n',
        [],
        "{path}:2:1: syntax error: The subject of a triple must be an IRI or a blank node",
    ),
    (
        "N-Triples syntax error names its line",
        "broken.nt",
        b'<http://e/a> <http://e/p> "x" .\n<http://e/a> <http://e/p> "y" .\n<http://e/a> <http://e/p> .\n',
        [],
        "{path}:3:27: syntax error: The object of a triple must be an IRI, a blank node or a literal",
    ),
    (
        "Turtle cut short",
        "cut.ttl",
        (PREFIXES + 'kgr:a rdfs:label "Asha').encode(),
        [],
        "{path}:5:18: syntax error: Unexpected end of file",
    ),
    (
        "TriG syntax error",
        "broken.trig",
        b"<http://e/g> { <http://e/a> <http://e/p> <http://e/b> .\n",
        [],
        "{path}:2:1: syntax error: Unexpected end",
    ),
    (
        "N-Quads syntax error",
        "broken.nq",
        b"<http://e/a> <http://e/p> <http://e/b> <http://e/g> <http://e/h> .\n",
        [],
        "{path}:1:53: syntax error: Quads must be followed by a dot",
    ),
    (
        "JSON-LD that is not JSON",
        "broken.jsonld",
        b'{"@id": "http://e/a",\n "http://e/p": }\n',
        [],
        "{path}:2:16: not JSON: Expecting value",
    ),
    (
        "RDF/XML syntax error",
        "broken.rdf",
        f'{RDF_XML_OPEN}<rdf:Description rdf:about="http://e/a"></rdf:RDF>\n'.encode(),
        [],
        "{path}: syntax error: ill-formed document: expected `</rdf:Description>`,"
        " but `</rdf:RDF>` was found",
    ),
    (
        "N3 that is not RDF",
        "rule.n3",
        b"@prefix : <http://e/> . { ?x a :C } => { ?x a :D } .\n",
        [],
        "{path}: syntax error: variables are not allowed in regular RDF subjects",
    ),
    (
        "billion laughs",
        "laughs.rdf",
        billion_laughs(),
        [],
        "{path}:2: XML DOCTYPE declarations are refused"
        " (entity expansion can exhaust memory or read local files)",
    ),
    (
        "external XML entity",
        "external.rdf",
        b'<?xml version="1.0"?>\n\n<!ENTITY secret SYSTEM "file:///etc/passwd">\n'
        + f"{RDF_XML_OPEN}</rdf:RDF>\n".encode(),
        [],
        "{path}:3: XML ENTITY declarations are refused"
        " (entity expansion can exhaust memory or read local files)",
    ),
    (
        "RDF/XML nested 300 deep",
        "deep.rdf",
        deep_rdfxml(300),
        [],
        "{path}:1: nested more than 256 levels deep: kg refuses deeper rdfxml"
        " (its parser slows down quadratically and can crash)",
    ),
    (
        "JSON-LD nested 20,000 deep (Oxigraph's parser would crash the process)",
        "deep.jsonld",
        deep_jsonld(20_000),
        [],
        "{path}:1: nested more than 256 levels deep: kg refuses deeper jsonld"
        " (its parser slows down quadratically and can crash)",
    ),
    (
        "a literal over the parser's 16 MiB token buffer",
        "huge.nt",
        b'<http://e/a> <http://e/p> "' + b"x" * (17 * 1024 * 1024) + b'" .\n',
        [],
        "{path}: a single term is too long for the parser"
        " (Reached the buffer maximal size of 16777216)",
    ),
    (
        "RDF 1.2 triple term",
        "star.ttl",
        b"<http://e/a> <http://e/p> <<( <http://e/a> <http://e/b> <http://e/c> )>> .\n",
        [],
        "{path}: RDF 1.2 triple terms (<<( ... )>>, << ... >>, {{| ... |}}) are not supported:"
        " kg reads RDF 1.1",
    ),
    (
        "unknown extension",
        "data.xyz",
        b"<http://e/a> <http://e/p> <http://e/b> .\n",
        [],
        "{path}: cannot tell the RDF format from the extension '.xyz'; use --input-format",
    ),
    (
        "TriX by extension",
        "data.trix",
        b"<TriX/>\n",
        [],
        "{path}: kg does not read TriX; convert it to TriG or N-Quads",
    ),
    (
        "TriX by flag",
        "data.xml",
        b"<TriX/>\n",
        ["--input-format", "trix"],
        "--input-format: kg does not read TriX; convert it to TriG or N-Quads",
    ),
]


@pytest.fixture
def store(mini_store, tmp_path) -> Path:
    """A private copy of the mini store, so a test may try to change it."""
    copy = tmp_path / "store"
    shutil.copytree(mini_store, copy)
    return copy


def store_state(store: Path) -> tuple:
    return current_version(store), sorted(p.name for p in store.iterdir())


def assert_one_line_error(result, message: str) -> None:
    assert result.stderr == f"kg: error: {message}\n"
    assert result.exit_code == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("name", "file_name", "content", "extra", "message"),
    DATA_CASES,
    ids=[case[0] for case in DATA_CASES],
)
def test_bad_data_file_is_refused_by_validate_and_add(
    tmp_path, store, name, file_name, content, extra, message
):
    path = tmp_path / file_name
    path.write_bytes(content)
    expected = message.format(path=path)
    report = tmp_path / "report.txt"
    result = run_kg("validate", path, "--ontology", ONTOLOGY, "-o", report, *extra)
    assert_one_line_error(result, expected)
    assert not report.exists()
    before = store_state(store)
    result = run_kg("add", path, "--store", store, "--ontology", ONTOLOGY, *extra)
    assert_one_line_error(result, expected)
    assert store_state(store) == before


def test_missing_file(tmp_path, store):
    missing = tmp_path / "nothing.ttl"
    before = store_state(store)
    for args in (["validate", missing], ["add", missing, "--store", store], ["reason", missing]):
        result = run_kg(*args, "--ontology", ONTOLOGY)
        assert_one_line_error(result, f"{missing}: no such file")
    assert store_state(store) == before


def test_a_folder_given_as_a_file(tmp_path):
    folder = tmp_path / "data.ttl"
    folder.mkdir()
    result = run_kg("validate", folder, "--ontology", ONTOLOGY)
    assert_one_line_error(result, f"{folder}: is a folder, not an RDF file")


def test_a_file_inside_a_file(tmp_path):
    path = tmp_path / "valid.ttl" / "more.ttl"
    shutil.copy(VALID, tmp_path / "valid.ttl")
    result = run_kg("validate", path, "--ontology", ONTOLOGY)
    assert_one_line_error(result, f"{path}: no such file (a part of the path is not a folder)")


def test_size_limit_can_be_raised(tmp_path):
    big = tmp_path / "big.ttl"  # larger than the mini ontology (1,706 bytes) and shapes
    big.write_text(VALID.read_text() + "# padding\n" * 300)
    size = big.stat().st_size
    limit = {"KG_MAX_INPUT_BYTES": "2000"}
    result = run_kg("validate", big, "--ontology", ONTOLOGY, env=limit)
    assert_one_line_error(
        result,
        f"{big}: is {size} bytes, over the 2000-byte input limit (raise KG_MAX_INPUT_BYTES)",
    )
    result = run_kg("validate", big, "--ontology", ONTOLOGY, env={"KG_MAX_INPUT_BYTES": "1M"})
    assert result.exit_code == 0


@pytest.mark.parametrize("raw", ["lots", "0", "-5", "1e3", "99999999999999999999", "2048T"])
def test_a_bad_size_limit_is_a_usage_error(raw):
    result = run_kg("validate", VALID, "--ontology", ONTOLOGY, env={"KG_MAX_INPUT_BYTES": raw})
    assert_one_line_error(
        result,
        "KG_MAX_INPUT_BYTES must be a number of bytes from 1 to 1T (e.g. 1073741824 or 1G),"
        f" not {raw!r}",
    )


def test_a_large_size_limit_reserves_no_memory():
    """1T is accepted, and reading a small file under it does not try to allocate 1 TiB."""
    result = run_kg("validate", VALID, "--ontology", ONTOLOGY, env={"KG_MAX_INPUT_BYTES": "1T"})
    assert result.exit_code == 0, result.stderr


def test_a_bad_file_among_good_ones_adds_nothing(tmp_path, store):
    bad = tmp_path / "bad.ttl"
    bad.write_text(PREFIXES + "kgr:x a kg:Person ; rdfs:label 'X' ;\n")
    before = store_state(store)
    result = run_kg("add", VALID, bad, "--store", store, "--ontology", ONTOLOGY)
    assert_one_line_error(result, f"{bad}:6:1: syntax error: Unexpected end")
    assert store_state(store) == before


# --- ill-typed literals ---------------------------------------------------------------


def test_an_ill_typed_literal_no_shape_covers_is_a_warning(tmp_path, store):
    path = tmp_path / "ordinal.ttl"
    path.write_text(
        VALID.read_text() + "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'kgr:lim-rao-meeting kg:ordinal "first"^^xsd:integer .\n'
    )
    warning = (
        f'kg: warning: {path}: "first"^^xsd:integer is not a valid xsd:integer'
        " (kgr:lim-rao-meeting kg:ordinal)\n"
    )
    result = run_kg("validate", path, "--ontology", ONTOLOGY)
    assert (result.exit_code, result.stderr) == (0, warning)
    assert result.stdout == "conforms: 0 violations, 0 warnings, 0 infos\n"
    result = run_kg("add", path, "--store", store, "--ontology", ONTOLOGY)
    assert result.exit_code == 0
    assert result.stderr.startswith(warning)


def test_an_ill_typed_literal_a_shape_covers_is_a_shacl_result(tmp_path):
    path = tmp_path / "date.ttl"
    path.write_text(
        VALID.read_text() + "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'kgr:lim-rao-meeting kg:meetingDate "2024-13-45"^^xsd:date .\n'
    )
    result = run_kg("validate", path, "--ontology", ONTOLOGY)
    assert result.exit_code == 1
    assert result.stderr == ""
    assert result.stdout == (
        "Violation: kgr:lim-rao-meeting kg:meetingDate: A meeting date is one xsd:date."
        ' (value: "2024-13-45"^^xsd:date)\n'
        "does not conform: 1 violation, 0 warnings, 0 infos\n"
    )


# --- malformed shapes -----------------------------------------------------------------

SHAPES_HEAD = (
    "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
    "@prefix kg: <https://w3id.org/kg/ontology#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)
SHAPE_CASES = [
    (
        "sh:datatype given as a string",
        "<urn:s> a sh:NodeShape ; sh:targetClass kg:Person ;"
        ' sh:property [ sh:path kg:x ; sh:datatype "date" ] .\n',
        "{path}: malformed shapes: sh:datatype Value is not of Node Kind sh:IRI",
    ),
    (
        "sh:in that is not a list",
        "<urn:s> a sh:NodeShape ; sh:targetClass kg:Person ;"
        ' sh:property [ sh:path kg:x ; sh:in "a" ] .\n',
        "{path}: malformed shapes: sh:in Value does not conform to Shape shsh:ListShape."
        " See details for more information.",
    ),
    (
        "sh:pattern that is not a regular expression",
        "<urn:s> a sh:NodeShape ; sh:targetClass kg:Person ;"
        ' sh:property [ sh:path kg:x ; sh:pattern "(unclosed" ] .\n',
        "{path}: malformed shapes: bad sh:pattern '(unclosed':"
        " missing ), unterminated subpattern at position 0",
    ),
    (
        "a SHACL-SPARQL query with a syntax error",
        "<urn:s> a sh:NodeShape ; sh:targetClass kg:Person ;"
        ' sh:sparql [ sh:select "SELECT $this WHERE { $this ?p" ] .\n',
        "{path} (sh:select): malformed shapes: SPARQL syntax error: Expected SelectQuery,"
        " found '$'  (at char 21), (line:1, col:22)",
    ),
    (
        "shapes with a syntax error",
        "<urn:s> a sh:NodeShape ; sh:targetClass kg:Person\n",
        "{path}:5:1: syntax error: Unexpected end",
    ),
]


@pytest.mark.parametrize(
    ("name", "body", "message"), SHAPE_CASES, ids=[case[0] for case in SHAPE_CASES]
)
def test_malformed_shapes(tmp_path, name, body, message):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPES_HEAD + body)
    report = tmp_path / "report.txt"
    result = run_kg("validate", VALID, "--ontology", ONTOLOGY, "--shapes", shapes, "-o", report)
    assert_one_line_error(result, message.format(path=shapes))
    assert not report.exists()


def test_malformed_shapes_give_one_line_in_a_real_process(tmp_path):
    """pySHACL logs its whole meta-SHACL report to the stderr it saw at import; in-process
    runs cannot see that, a real process does."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPES_HEAD + SHAPE_CASES[0][1])
    done = kg_process("validate", VALID, "--ontology", ONTOLOGY, "--shapes", shapes)
    assert_process_error(done, SHAPE_CASES[0][2].format(path=shapes))


# --- queries ----------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text))
    return path


REQUIRED_PARAM = """\
    # title: Meetings after a date
    # param: after date - Only meetings after this day
    # param: limit integer optional - At most this many
    PREFIX kg: <https://w3id.org/kg/ontology#>
    SELECT ?m WHERE { ?m kg:meetingDate ?d FILTER(?d > ?after) }
    """

QUERY_CASES = [
    (
        "SPARQL syntax error",
        "broken.rq",
        "SELECT ?s WHERE { ?s ?p }\n",
        [],
        "{path}: SPARQL syntax error: error at 2:1: expected OPTIONAL",
    ),
    (
        "query file not UTF-8",
        "latin1.rq",
        b"# title: caf\xe9\nSELECT * WHERE { ?s ?p ?o }\n",
        [],
        "{path}: not UTF-8 (byte 12)",
    ),
    (
        "bad param header",
        "header.rq",
        "# param: when datetime - A time\nSELECT * WHERE { ?s ?p ?o }\n",
        [],
        "{path}:1: bad param header 'when datetime - A time': write"
        " 'name kind [optional] - description' with kind one of iri, string, integer, date, term",
    ),
    (
        "missing required --param",
        "after.rq",
        REQUIRED_PARAM,
        [],
        "after: missing --param after=... (date: Only meetings after this day)",
    ),
    (
        "mistyped --param date",
        "after.rq",
        REQUIRED_PARAM,
        ["-p", "after=3 May"],
        "--param after: '3 May' is not a date (write YYYY-MM-DD)",
    ),
    (
        "mistyped --param integer",
        "after.rq",
        REQUIRED_PARAM,
        ["-p", "after=2026-01-01", "-p", "limit=ten"],
        "--param limit: 'ten' is not an integer",
    ),
    (
        "unknown --param",
        "after.rq",
        REQUIRED_PARAM,
        ["-p", "after=2026-01-01", "-p", "befor=2027-01-01"],
        "after: unknown parameter 'befor' (this query takes: after, limit)",
    ),
    (
        "--param without a value",
        "after.rq",
        REQUIRED_PARAM,
        ["-p", "after"],
        "--param 'after': write --param name=value",
    ),
    (
        "SPARQL Update DROP",
        "drop.rq",
        "DROP ALL\n",
        [],
        "{path}: SPARQL Update (DROP) is refused: kg query only reads; use kg add to bring in data",
    ),
    (
        "SPARQL Update INSERT DATA",
        "insert.rq",
        "PREFIX e: <http://e/>\nINSERT DATA { e:a e:p e:b }\n",
        [],
        "{path}: SPARQL Update (INSERT) is refused: kg query only reads;"
        " use kg add to bring in data",
    ),
]


@pytest.mark.parametrize(
    ("name", "file_name", "text", "extra", "message"),
    QUERY_CASES,
    ids=[case[0] for case in QUERY_CASES],
)
def test_bad_query(tmp_path, mini_store, name, file_name, text, extra, message):
    path = write(tmp_path, file_name, text)
    out = tmp_path / "rows.csv"
    result = run_kg("query", path, "--store", mini_store, "-o", out, *extra)
    assert_one_line_error(result, message.format(path=path))
    assert not out.exists()


def test_unknown_query_name(mini_store):
    from kg.sparql.bundled import list_queries

    known = ", ".join(q.name for q in list_queries())
    result = run_kg("query", "no-such-query", "--store", mini_store)
    assert_one_line_error(result, f"unknown query 'no-such-query': known queries are {known}")


def test_missing_query_file(tmp_path, mini_store):
    missing = tmp_path / "missing.rq"
    result = run_kg("query", missing, "--store", mini_store)
    assert_one_line_error(result, f"{missing}: no such file")


# --- stores and output files ----------------------------------------------------------


def test_no_store(tmp_path):
    for args in (["query", PARTICIPANTS], ["export"], ["stats"], ["reason"]):
        result = run_kg(*args, "--store", tmp_path / "none")
        assert_one_line_error(
            result,
            f"no built graph in {tmp_path / 'none'}/: run kg build first (or pass --store)",
        )


def test_a_damaged_store(store):
    (store / "CURRENT").write_text("v-gone\n")
    result = run_kg("query", PARTICIPANTS, "--store", store)
    assert_one_line_error(
        result,
        f"{store}: the store is damaged (CURRENT names a missing version); restore it from a"
        " backup, or run kg build --fresh, which rebuilds it from the seeds only (add the files"
        " brought in with kg add again)",
    )


@pytest.mark.parametrize("where", ["missing-folder", "inside-a-file"])
def test_export_to_a_folder_that_does_not_exist(mini_store, tmp_path, where):
    if where == "missing-folder":
        out = tmp_path / "no" / "such" / "graph.ttl"
    else:
        (tmp_path / "file").write_text("x")
        out = tmp_path / "file" / "graph.ttl"
    result = run_kg("export", "--store", mini_store, "-o", out)
    assert_one_line_error(result, f"{out}: the folder to write into does not exist")
    assert not out.exists()


# --- in real processes ----------------------------------------------------------------


def kg_process(*args, env=None, drop_root_powers=False, timeout=120):
    """Run ``python -m kg`` in a new process. ``drop_root_powers`` takes away the
    capabilities that let root read and write files whatever their permissions."""

    def drop():
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            libc.prctl(24, capability, 0, 0, 0)  # PR_CAPBSET_DROP: gone after exec

    return subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=drop if drop_root_powers and os.geteuid() == 0 else None,
    )


def assert_process_error(done, message: str) -> None:
    assert done.stderr == f"kg: error: {message}\n"
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr


def test_an_unreadable_file(tmp_path):
    path = tmp_path / "secret.ttl"
    shutil.copy(VALID, path)
    path.chmod(0)
    done = kg_process("validate", path, "--ontology", ONTOLOGY, drop_root_powers=True)
    assert_process_error(done, f"{path}: permission denied")


def test_an_unreadable_folder_of_seeds(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(MINI / "seeds", seeds)
    seeds.chmod(0)
    done = kg_process(
        "build",
        "--store",
        tmp_path / "s",
        "--seeds",
        seeds,
        "--ontology",
        ONTOLOGY,
        drop_root_powers=True,
    )
    seeds.chmod(0o755)
    assert_process_error(done, f"{seeds}: Permission denied")
    assert not (tmp_path / "s").exists()


def test_a_missing_folder_of_seeds(tmp_path):
    seeds = tmp_path / "seeds"
    result = run_kg("build", "--store", tmp_path / "s", "--seeds", seeds, "--ontology", ONTOLOGY)
    assert_one_line_error(result, f"{seeds}: not a directory of seeds")
    assert not (tmp_path / "s").exists()


def test_export_into_a_folder_that_is_not_writable(mini_store, tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    out = folder / "graph.ttl"
    done = kg_process("export", "--store", mini_store, "-o", out, drop_root_powers=True)
    folder.chmod(0o755)
    assert_process_error(done, f"{out}: permission denied: cannot write here")
    assert list(folder.iterdir()) == []


def test_reasoning_time_limit(tmp_path):
    chain = tmp_path / "chain.ttl"
    chain.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        + "".join(f"<http://e/n{i}> owl:sameAs <http://e/n{i + 1}> .\n" for i in range(100))
    )
    out = tmp_path / "inferred.ttl"
    done = kg_process("reason", chain, "--ontology", ONTOLOGY, "--timeout", "0.5", "-o", out)
    assert_process_error(
        done, "reasoning took longer than 0.5 s and was stopped (raise it with --timeout)"
    )
    assert not out.exists()


def test_query_time_limit(tmp_path, mini_store):
    cross = write(
        tmp_path,
        "cross.rq",
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }\n",
    )
    done = kg_process("query", cross, "--store", mini_store, "--timeout", "0.5")
    assert_process_error(
        done, "the query took longer than 0.5 s and was stopped (raise it with --timeout)"
    )
    done = kg_process("query", cross, "--store", mini_store, env={"KG_TIMEOUT": "0.5"})
    assert_process_error(
        done, "the query took longer than 0.5 s and was stopped (raise it with --timeout)"
    )


def test_validation_time_limit(tmp_path):
    shapes = tmp_path / "slow-shapes.ttl"
    shapes.write_text(
        SHAPES_HEAD + '<urn:s> a sh:NodeShape ; sh:targetNode kg:x ; sh:sparql [ sh:select """\n'
        "SELECT $this WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }\n"
        '""" ] .\n'
    )
    done = kg_process(
        "validate", VALID, "--ontology", ONTOLOGY, "--shapes", shapes, "--timeout", "0.5"
    )
    assert_process_error(
        done, "validation took longer than 0.5 s and was stopped (raise it with --timeout)"
    )


KILL_DURING_STORE_WRITE = """
import os, signal, sys
import kg.store.versions
real = kg.store.versions.write_store
def killed_half_way(root, quads):
    def half_then_die(items):
        items = list(items)
        for number, quad in enumerate(items):
            if number == len(items) // 2:
                os.kill(os.getpid(), signal.SIGKILL)
            yield quad
    real(root, half_then_die(quads))
kg.store.versions.write_store = killed_half_way
from kg.cli import main
main(sys.argv[1:])
"""

KILL_BEFORE_SWITCH = """
import os, signal, sys
import kg.store.versions
def die(*args):
    os.kill(os.getpid(), signal.SIGKILL)
kg.store.versions.os.replace = die
from kg.cli import main
main(sys.argv[1:])
"""


@pytest.mark.parametrize(
    "hook", [KILL_DURING_STORE_WRITE, KILL_BEFORE_SWITCH], ids=["mid-write", "before-switch"]
)
def test_a_killed_build_leaves_the_previous_one_usable(tmp_path, hook):
    store = tmp_path / "store"
    args = ["build", "--store", store, "--seeds", MINI / "seeds", "--ontology", ONTOLOGY]
    assert run_kg(*args).exit_code == 0
    before = current_version(store)
    rows = run_kg("query", PARTICIPANTS, "--store", store).stdout
    killed = subprocess.run(
        [sys.executable, "-c", hook, *map(str, args)], cwd=ROOT, capture_output=True, text=True
    )
    assert killed.returncode == -signal.SIGKILL
    assert current_version(store) == before
    assert len(list(store.glob("v-*"))) == 2  # the half-written version, never switched to
    assert run_kg("query", PARTICIPANTS, "--store", store).stdout == rows
    assert run_kg(*args).exit_code == 0  # the next build replaces it and tidies up
    assert current_version(store) != before
    left = sorted(p.name for p in store.iterdir())
    assert left == sorted(["CURRENT", "kg-write.lock", current_version(store).name])


# --- facts files ----------------------------------------------------------------------


def test_every_problem_of_a_facts_file_is_reported_and_the_build_refused(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(MINI / "seeds", seeds)
    facts = seeds / "001_mini.toml"
    facts.write_text(
        facts.read_text()
        .replace('quote = "Minister Asha Rao"', 'quote = "Prime Minister Asha Rao"')
        .replace('"kg:represents" = "freedonia"', '"kg:represents" = "ruritania"')
        .replace('"2026-05-03"', '"2026-13-45"')
        + '\n[[node]]\nid = "ben-ott"\ntype = "Person"\nlabel = "Ben Ott"\nquote = "Ben Ott"\n'
    )
    result = run_kg("build", "--store", tmp_path / "s", "--seeds", seeds, "--ontology", ONTOLOGY)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"kg: error: {facts}: node 'ben-ott': duplicate id in this file",
        f"kg: error: {facts}: node 'asha-rao': quote 'Prime Minister Asha Rao' not found in the text",
        f"kg: error: {facts}: node 'ben-ott': kg:represents: unknown node kgr:ruritania: no facts file declares it",
        f"kg: error: {facts}: node 'rao-ott-meeting': kg:meetingDate: '2026-13-45'"
        " is not a valid xsd:date",
    ]
    assert not (tmp_path / "s").exists()


def test_a_facts_file_that_is_not_utf8(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(MINI / "seeds", seeds)
    facts = seeds / "001_mini.toml"
    facts.write_bytes(facts.read_bytes().replace(b"Asha Rao", b"Asha R\xe4o", 1))
    result = run_kg("build", "--store", tmp_path / "s", "--seeds", seeds, "--ontology", ONTOLOGY)
    offset = facts.read_bytes().index(b"\xe4")
    assert_one_line_error(result, f"{facts}: not UTF-8 (byte {offset})")
    assert not (tmp_path / "s").exists()
