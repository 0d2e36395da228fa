"""Inputs and settings outside every limit, in real processes: one line, exit code 2, never
"internal error". Time limits given as nan, inf, negative or garbage; absurd sizes; JSON-LD
whose contexts make the parser slow; an export with a million-node blank-node chain; kg serve
without its extra; control characters in a table; a lone surrogate in JSON-LD.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pyoxigraph as ox
import pytest

import kg
from kg.errors import UsageError
from kg.store.versions import write_store
from tests.conftest import MINI, ROOT
from tests.sparql_server_support import Reply, ScriptedServer

ONTOLOGY = MINI / "ontology"
VALID = MINI / "valid.ttl"
PARTICIPANTS = MINI / "queries" / "participants.rq"
HANG = 120  # a test running longer than this: kg did not keep its limit


def kg_process(*args, env: dict[str, str] | None = None, script: str | None = None):
    """``python -m kg`` (or ``python -c script``, which calls kg.cli.main) in a new process."""
    command = [sys.executable, "-c", script] if script else [sys.executable, "-m", "kg"]
    return subprocess.run(
        [*command, *map(str, args)],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=HANG,
    )


def assert_fails(done, message: str) -> None:
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"kg: error: {message}\n")


# --- time and size limits given as nonsense ---------------------------------------------------

BAD_SECONDS = ["nan", "inf", "-inf", "-1", "0", "garbage", "1e400", "2000000"]


@pytest.mark.parametrize("raw", BAD_SECONDS)
def test_a_bad_kg_timeout_is_one_line(raw, mini_store):
    done = kg_process("query", PARTICIPANTS, "--store", mini_store, env={"KG_TIMEOUT": raw})
    assert_fails(
        done,
        "--timeout (or KG_TIMEOUT) must be a number of seconds from 0.001 to 1000000,"
        f" not {raw!r} (see kg query --help)",
    )


@pytest.mark.parametrize("command", ["validate", "reason", "export", "push"])
def test_a_bad_timeout_option_is_one_line_in_every_command(command):
    args = {
        "validate": [VALID, "--ontology", ONTOLOGY],
        "reason": [VALID, "--ontology", ONTOLOGY],
        "export": [],
        "push": [VALID, "--endpoint", "http://127.0.0.1:9/store"],
    }[command]
    done = kg_process(command, *args, "--timeout", "nan")
    assert_fails(
        done,
        "--timeout (or KG_TIMEOUT) must be a number of seconds from 0.001 to 1000000,"
        f" not 'nan' (see kg {command} --help)",
    )


@pytest.mark.parametrize("raw", ["lots", "0", "-1", "99999999999999999999", "2048T", "1.5G"])
def test_a_bad_answer_size_limit_is_one_line(raw):
    done = kg_process(
        "query", "signing", "--endpoint", "http://127.0.0.1:9/q", env={"KG_MAX_ANSWER_BYTES": raw}
    )
    assert_fails(
        done,
        "--max-answer-bytes (or KG_MAX_ANSWER_BYTES) must be a number of bytes from 1 to 1T"
        f" (e.g. 1073741824 or 1G), not {raw!r} (see kg query --help)",
    )


def test_an_absurd_input_size_limit_is_one_line():
    done = kg_process(
        "validate", VALID, "--ontology", ONTOLOGY,
        env={"KG_MAX_INPUT_BYTES": "99999999999999999999"},
    )  # fmt: skip
    assert_fails(
        done,
        "KG_MAX_INPUT_BYTES must be a number of bytes from 1 to 1T (e.g. 1073741824 or 1G),"
        " not '99999999999999999999'",
    )


@pytest.mark.parametrize("seconds", [float("nan"), float("inf"), -1.0, 0.0])
def test_the_api_refuses_a_bad_timeout(seconds, mini_store):
    with pytest.raises(UsageError) as err:
        kg.query(str(PARTICIPANTS), store=mini_store, timeout=seconds)
    assert str(err.value).startswith("the timeout must be a number of seconds from 0.001")


# --- JSON-LD whose contexts make parsing slow ---------------------------------------------------


def nested_contexts(levels: int) -> str:
    """A term whose scoped context defines it again, ``levels`` deep: Oxigraph's work
    grows with the cube of the depth (80 levels took over 100 s)."""
    context: dict = {"p": {"@id": "http://e/p"}}
    for _ in range(levels):
        context = {"p": {"@id": "http://e/p", "@context": context}}
    document: dict = {"@context": context, "@id": "http://e/a"}
    node = document
    for number in range(levels):
        node["p"] = {"@id": f"http://e/n{number}"}
        node = node["p"]
    return json.dumps(document)


def test_deeply_nested_contexts_are_refused(tmp_path):
    path = tmp_path / "nested.jsonld"
    path.write_text(nested_contexts(80))
    done = kg_process("validate", path, "--ontology", ONTOLOGY)
    assert_fails(
        done,
        f"{path}: JSON-LD contexts nested more than 8 levels deep (a scoped context inside a"
        " term definition inside a context ...): kg refuses them (processing them grows with"
        " the cube of the depth)",
    )


def test_contexts_nested_a_few_levels_are_read(tmp_path):
    path = tmp_path / "nested.jsonld"
    path.write_text(nested_contexts(6))
    done = kg_process("reason", path, "--ontology", ONTOLOGY, "--format", "ntriples")
    assert done.returncode == 0, done.stderr


def test_slow_context_processing_stops_at_the_time_limit(tmp_path):
    """A wide context and a scoped context applied at every node: each application copies
    the 10,000 terms (4,000 nodes: over a minute). --timeout stops it."""
    context = {f"t{n}": f"http://e/t{n}" for n in range(10_000)}
    context["p"] = {"@id": "http://e/p", "@context": {"x": "http://e/x"}}
    nodes = [{"@id": f"http://e/n{n}", "x": "v"} for n in range(4_000)]
    path = tmp_path / "wide.jsonld"
    path.write_text(json.dumps({"@context": context, "@id": "http://e/a", "p": nodes}))
    for command in (
        ["validate", path, "--ontology", ONTOLOGY],
        ["push", path, "--endpoint", "http://127.0.0.1:9/store"],
    ):
        done = kg_process(*command, "--timeout", "2")
        assert_fails(
            done, f"parsing {path} took longer than 2 s and was stopped (raise it with --timeout)"
        )


def test_a_lone_surrogate_is_named_with_its_place(tmp_path):
    path = tmp_path / "surrogate.jsonld"
    path.write_text('{"@id": "http://e/a",\n "http://e/p": "ok \\ud83d\\ude00, not \\ud800 x"}')
    done = kg_process("validate", path, "--ontology", ONTOLOGY)
    assert_fails(
        done,
        f"{path}:2:38: the JSON string escape \\ud800 is half of a UTF-16 surrogate pair without"
        " its other half: not a Unicode character",
    )


# --- kg export: a time limit, and a chain of blank nodes ----------------------------------------


def test_export_stops_at_its_time_limit_and_writes_nothing(tmp_path):
    """300,000 nested blank nodes: the canonical labelling takes far longer than 1 s."""
    p = ox.NamedNode("http://e/p")
    graph = ox.NamedNode("https://w3id.org/kg/graph/added-chain")
    chain = [ox.Quad(ox.NamedNode("http://e/a"), p, ox.BlankNode("b0"), graph)]
    chain += [
        ox.Quad(ox.BlankNode(f"b{n}"), p, ox.BlankNode(f"b{n + 1}"), graph) for n in range(300_000)
    ]
    store = tmp_path / "store"
    write_store(store, chain)
    out = tmp_path / "chain.ttl"
    done = kg_process("export", "--store", store, "-o", out, "--timeout", "1")
    assert_fails(done, "the export took longer than 1 s and was stopped (raise it with --timeout)")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["store"]  # no temporary file left either


# --- kg serve without its extra ------------------------------------------------------------------

WITHOUT = """
import sys
class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == MISSING:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
MISSING = sys.argv.pop(1)
sys.meta_path.insert(0, NotInstalled())
from kg.cli import main
main(sys.argv[1:])
"""


@pytest.mark.parametrize("missing", ["uvicorn", "starlette"])
def test_serve_without_the_serve_extra_says_how_to_install_it(missing, mini_store):
    done = kg_process(missing, "serve", "--store", mini_store, "--port", "0", script=WITHOUT)
    assert_fails(
        done,
        f"kg serve needs the 'serve' extra (starlette, uvicorn), and {missing} is not installed:"
        " pip install 'kg[serve]'",
    )


# --- what reaches the terminal --------------------------------------------------------------------


def test_a_table_shows_control_characters_as_escapes():
    value = "a\x00b\x1b[2Jc\td\u202ee\x7ff\nnext"
    body = json.dumps(
        {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": value}}]}}
    ).encode()  # fmt: skip
    reply = Reply(200, body, {"Content-Type": "application/sparql-results+json"})
    with ScriptedServer([reply]) as server:
        done = kg_process("query", "signing", "--endpoint", f"{server.base}/query")
    assert (done.returncode, done.stderr) == (0, "")
    row = "a\\x00b\\x1b[2Jc\\td\\u202ee\\x7ff next"
    assert done.stdout == f"x\n{'-' * len(row)}\n{row}\n(1 row)\n"
    assert all(c >= " " or c == "\n" for c in done.stdout)


def test_a_lone_surrogate_in_a_remote_answer_is_named():
    body = b'{"head": {"vars": ["x"]},\n "results": {"bindings": [{"x": {"type": "literal",\n "value": "a\\ud800b"}}]}}'
    reply = Reply(200, body, {"Content-Type": "application/sparql-results+json"})
    with ScriptedServer([reply]) as server:
        done = kg_process("query", "signing", "--endpoint", f"{server.base}/query")
    assert_fails(
        done,
        f"{server.base}/query: the answer is not valid SPARQL results JSON: line 3 column 13:"
        " the string escape \\ud800 is half of a UTF-16 surrogate pair without its other half:"
        " not a Unicode character",
    )
