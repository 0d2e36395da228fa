"""kg query --endpoint and kg push against hostile servers on 127.0.0.1, in real processes.

A server that trickles its answer a byte at a time, one that never stops sending, one
that echoes the credentials back in every encoding, and a push whose graph name is a
blank node: each ends in one line on stderr and exit code 2, within the deadline,
without the secrets, and without a request the user did not mean.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import urllib.parse

import pytest

from tests.conftest import MINI, ROOT
from tests.sparql_server_support import (
    HostileServer,
    Reply,
    ScriptedServer,
    endless,
    trickle,
)

pytestmark = pytest.mark.integration

DATA = MINI / "valid.ttl"
GRAPH = "https://example.org/graph/all"
GRAPH_QS = urllib.parse.urlencode({"graph": GRAPH})
JSON_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nConnection: close\r\n\r\n"
)
ROW = b'{"x": {"type": "literal", "value": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}},'
# Longer than this, a test is hanging: kg did not keep its deadline.
HANG = 90


def kg(*args, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python -m kg`` in a new process; credentials only ever from ``env``."""
    return subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=HANG,
    )


def assert_fails(done: subprocess.CompletedProcess, message: str) -> None:
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"kg: error: {message}\n")


def results_json(rows: int) -> bytes:
    return b'{"head": {"vars": ["x"]}, "results": {"bindings": [' + ROW * rows + b"{}]}}"


# --- one deadline for the whole request -----------------------------------------------------


@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_trickling_server_cannot_hold_a_remote_query(part):
    with HostileServer(lambda sock: None) as server:
        prefix = b"" if part == "headers" else JSON_HEAD
        server.answer = lambda sock: (sock.sendall(prefix), trickle(b"", 0.5, server.closed)(sock))
        done = kg("query", "signing", "--endpoint", f"{server.base}/query", "--timeout", "2")
    assert_fails(done, f"{server.base}/query: no answer within 2 s (raise it with --timeout)")


def test_a_trickling_server_cannot_hold_a_push():
    with HostileServer(lambda sock: None) as server:
        server.answer = trickle(b"HTTP/1.1 204 No Content\r\n", 0.5, server.closed)
        done = kg("push", DATA, "--endpoint", f"{server.base}/store", "--graph", GRAPH,
                  "--timeout", "2")  # fmt: skip
    assert_fails(
        done,
        f"{server.base}/store?{GRAPH_QS}: no answer within 2 s (raise it with --timeout)"
        " [0 of 1 graphs were pushed before this one: the server holds part of the push;"
        " run kg push --replace again]",
    )


def test_retries_stop_at_the_deadline():
    """Retry-After: 30 three times is 90 s; with --timeout 2 kg gives up after one try."""
    busy = Reply(503, b"come back later", {"Retry-After": "30"})
    with ScriptedServer([busy]) as server:
        done = kg("query", "signing", "--endpoint", f"{server.base}/query", "--timeout", "2")
    assert len(server.received) == 1
    assert_fails(done, f"{server.base}/query: HTTP 503 Service Unavailable: come back later")


# --- a cap on the size of an answer ------------------------------------------------------------


def test_an_answer_over_the_cap_is_refused_by_its_length():
    big = results_json(40_000)  # about 2.6 MB
    reply = Reply(200, big, {"Content-Type": "application/sparql-results+json"})
    with ScriptedServer([reply]) as server:
        done = kg("query", "signing", "--endpoint", f"{server.base}/query",
                  "--max-answer-bytes", "1M")  # fmt: skip
        by_env = kg("query", "signing", "--endpoint", f"{server.base}/query",
                    env={"KG_MAX_ANSWER_BYTES": "1048576"})  # fmt: skip
    message = (
        f"{server.base}/query: the answer is {len(big)} bytes, more than the 1048576-byte limit"
        " (raise it with --max-answer-bytes or KG_MAX_ANSWER_BYTES)"
    )
    assert_fails(done, message)
    assert_fails(by_env, message)


def test_an_endless_answer_is_cut_at_the_cap():
    head = JSON_HEAD + b'{"head": {"vars": ["x"]}, "results": {"bindings": ['
    with HostileServer(endless(head, ROW)) as server:
        done = kg("query", "signing", "--endpoint", f"{server.base}/query",
                  env={"KG_MAX_ANSWER_BYTES": "2M"})  # fmt: skip
    assert_fails(
        done,
        f"{server.base}/query: the answer is over 2097152 bytes, more than the 2097152-byte"
        " limit (raise it with --max-answer-bytes or KG_MAX_ANSWER_BYTES)",
    )


def test_an_answer_under_the_cap_is_read():
    body = results_json(3)
    reply = Reply(200, body, {"Content-Type": "application/sparql-results+json"})
    with ScriptedServer([reply]) as server:
        done = kg("query", "signing", "--endpoint", f"{server.base}/query",
                  "--format", "csv", "--max-answer-bytes", str(len(body)))  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[0] == "x"


def test_the_cap_applies_to_push_too():
    count = Reply(200, results_json(40_000), {"Content-Type": "application/sparql-results+json"})
    with ScriptedServer([Reply(204), count]) as server:
        done = kg("push", DATA, "--endpoint", f"{server.base}/store", "--graph", GRAPH,
                  "--max-answer-bytes", "1M")  # fmt: skip
    assert_fails(
        done,
        f"{server.base}/query: the answer is {len(count.body)} bytes, more than the"
        " 1048576-byte limit (raise it with --max-answer-bytes or KG_MAX_ANSWER_BYTES)",
    )


# --- credentials never reach stderr, in any form ---------------------------------------------

PASSWORD = "pa55  <b>w0rd</b> & more"
BASIC = base64.b64encode(f"ann:{PASSWORD}".encode()).decode()


@pytest.mark.parametrize(
    ("echo", "shown"),
    [
        (f"bad login {PASSWORD}!", "bad login ***!"),
        (f"bad login ann:{PASSWORD}", "bad login ***"),
        (f"<p>bad login {PASSWORD}</p>", "bad login ***"),
        (f"bad login {urllib.parse.quote(PASSWORD)}", "bad login ***"),
        (f"bad login {urllib.parse.quote_plus(PASSWORD)}", "bad login ***"),
        (f"bad login {urllib.parse.quote(PASSWORD).lower()}", "bad login ***"),
        ("bad login " + PASSWORD.replace("&", "&amp;").replace("<", "&lt;"), "bad login ***"),
        ("bad login " + "".join(f"&#{ord(c)};" for c in PASSWORD), "bad login ***"),
        (f"bad header Basic {BASIC}", "bad header ***"),
        (f"bad header {BASIC.rstrip('=')}", "bad header ***"),
        ('{"error": "' + PASSWORD.replace("<", "\\u003c") + '"}', '{"error": "***"}'),
    ],
    ids=[
        "raw", "user:password", "html", "percent", "form", "lower-percent", "entities",
        "numeric-entities", "basic", "basic-unpadded", "json-escape",
    ],
)  # fmt: skip
def test_every_form_of_the_password_is_masked(echo, shown):
    with ScriptedServer([Reply(400, echo.encode())]) as server:
        done = kg("query", "signing", "--endpoint", f"{server.base}/query", "--user", "ann",
                  env={"KG_ENDPOINT_PASSWORD": PASSWORD})  # fmt: skip
    for piece in ("pa55", "w0rd", "more", BASIC[:12]):
        assert piece not in done.stderr
    assert_fails(done, f"{server.base}/query: HTTP 400 Bad Request: {shown}")


def test_a_token_cut_short_in_the_message_is_still_masked():
    token = "tok-" + "9f8e7d6c5b4a" * 30  # 364 characters
    echo = f"{'x' * 250} the token {token} is unknown"
    with ScriptedServer([Reply(400, echo.encode())]) as server:
        done = kg("query", "signing", "--endpoint", f"{server.base}/query",
                  env={"KG_ENDPOINT_TOKEN": token})  # fmt: skip
    assert "9f8e7d" not in done.stderr
    assert_fails(
        done, f"{server.base}/query: HTTP 400 Bad Request: {'x' * 250} the token *** is unknown"
    )


def test_a_password_in_a_count_answer_is_masked():
    count = (
        b'{"head": {"vars": ["g", "n"]}, "results": {"bindings": [{"g": {"type": "uri",'
        b' "value": "' + GRAPH.encode() + b'"}, "n": {"type": "literal", "value": "'
        + urllib.parse.quote(PASSWORD).encode() + b'"}}]}}'
    )  # fmt: skip
    reply = Reply(200, count, {"Content-Type": "application/sparql-results+json"})
    with ScriptedServer([Reply(204), reply]) as server:
        done = kg("push", DATA, "--endpoint", f"{server.base}/store", "--graph", GRAPH,
                  "--user", "ann", env={"KG_ENDPOINT_PASSWORD": PASSWORD})  # fmt: skip
    assert_fails(done, f"{server.base}/query: the answer to the count query is not a count: '***'")


def test_a_token_that_is_not_ascii_is_refused_before_sending():
    with ScriptedServer([Reply(200, b"")]) as server:
        done = kg("query", "signing", "--endpoint", f"{server.base}/query",
                  env={"KG_ENDPOINT_TOKEN": "tøken"})  # fmt: skip
    assert server.received == []
    assert_fails(done, "--token must be printable ASCII without spaces")


# --- a graph named by a blank node is not pushed ----------------------------------------------


def test_a_blank_node_graph_is_refused_before_anything_is_sent(tmp_path):
    trig = tmp_path / "data.trig"
    trig.write_text(
        '<http://e/a> <http://e/p> <http://e/b> .\n_:g { <http://e/a> <http://e/p> "x" . }\n'
    )
    with ScriptedServer([Reply(204)]) as server:
        done = kg("push", trig, "--endpoint", f"{server.base}/store")
        merged = kg("push", trig, "--endpoint", f"{server.base}/store", "--graph", GRAPH)
    assert_fails(
        done,
        f"{trig}: the graph _:g is named by a blank node, and a SPARQL store names graphs by"
        " IRI: give it an IRI, or push everything into one graph with --graph IRI; nothing was"
        " sent",
    )
    # with --graph everything goes to one IRI: the PUT, then the count query
    assert [r.method for r in server.received] == ["PUT", "POST"]
    assert server.received[0].path == f"/store?{GRAPH_QS}"
    assert merged.returncode == 2  # the scripted server's count answer is empty
