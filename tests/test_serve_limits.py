"""kg serve under load: stopped work really stops, how much runs at once, big sources, --timeout.

Real ``kg serve`` processes on 127.0.0.1; no timed assertions: what is checked is
what the server answers and which processes exist.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kg.rdf.namespaces import KG, RDF, RDFS
from kg.store.versions import write_store
from tests.conftest import ROOT
from tests.serve_support import alive, kg_server, kg_server_process, serve_workers

# Runs for as long as it is allowed to on the mini graph (over 10^8 rows to count).
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
KGR = "https://w3id.org/kg/id/"
SPANS = 20_000


def get(url: str, **kwargs) -> httpx.Response:
    return httpx.get(url, timeout=120, **kwargs)


# ---------------------------------------------------------------- stopped work stops


def test_a_stopped_query_ends_its_worker_process_and_the_next_one_runs(mini_store):
    with kg_server_process(mini_store, "--workers", "1", "--timeout", "2") as (url, server):
        assert get(f"{url}/sparql", params={"query": "ASK {}"}).status_code == 200
        (worker,) = serve_workers(server.pid)
        stopped = get(f"{url}/sparql", params={"query": SLOW})
        assert (stopped.status_code, stopped.text) == (
            503,
            "the query took longer than 2 s and was stopped (raise it with --timeout)\n",
        )
        # The process that was computing it is gone, its CPU and memory with it.
        assert not alive(worker)
        after = get(f"{url}/sparql", params={"query": "ASK { kgr:asha-rao kg:met kgr:ben-ott }"})
        assert after.json() == {"head": {}, "boolean": True}
        (replacement,) = serve_workers(server.pid)
        assert replacement != worker


def _cpu_ticks(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _wait_until(condition, what: str) -> None:
    # Not a timed assertion: the deadline only stops a test that would hang.
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_a_server_killed_mid_query_takes_its_workers_with_it(mini_store):
    with kg_server_process(mini_store, "--workers", "1", "--timeout", "300") as (url, server):
        assert get(f"{url}/sparql", params={"query": "ASK {}"}).status_code == 200
        (worker,) = serve_workers(server.pid)
        idle = _cpu_ticks(worker)

        def send() -> None:
            with contextlib.suppress(httpx.HTTPError):  # the server goes without answering
                httpx.get(f"{url}/sparql", params={"query": SLOW}, timeout=300)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        _wait_until(lambda: _cpu_ticks(worker) > idle + 10, "the worker never got the query")
        server.kill()
        server.wait()
        _wait_until(lambda: not alive(worker), "the worker outlived the server")


def test_requests_beyond_the_workers_get_503_with_retry_after(mini_store):
    # One worker: of two slow queries sent together, one runs (and is stopped at its
    # time limit), the other finds the worker busy for longer than it may wait.
    answers: list[httpx.Response] = []
    with kg_server(mini_store, "--workers", "1", "--timeout", "8") as url:
        get(f"{url}/sparql", params={"query": "ASK {}"})
        senders = [
            threading.Thread(
                target=lambda: answers.append(get(f"{url}/sparql", params={"query": SLOW}))
            )
            for _ in range(2)
        ]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        after = get(f"{url}/sparql", params={"query": "ASK {}"})
    busy = [a for a in answers if "retry-after" in a.headers]
    stopped = [a for a in answers if "retry-after" not in a.headers]
    assert len(busy) == len(stopped) == 1
    assert busy[0].status_code == 503
    seconds = int(busy[0].headers["retry-after"])
    assert 1 <= seconds <= 8
    assert busy[0].text == (
        "the server is busy: it computes at most 1 queries or pages at once;"
        f" try again in {seconds} s\n"
    )
    assert stopped[0].status_code == 503
    assert stopped[0].text.startswith("the query took longer than 8 s and was stopped")
    assert after.json() == {"head": {}, "boolean": True}


# ---------------------------------------------------------------- a source with very many passages


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    """A store holding one document with 20,001 cited passages."""
    store = tmp_path_factory.mktemp("big") / "store"
    write_big_source(store)
    return store


def write_big_source(store: Path) -> None:
    """Write a store holding one document of 20,000 words, each a cited passage, and one
    more passage spanning the whole text; every passage supports a fact of its own."""
    doc = ox.NamedNode(KGR + "big-doc")
    words = [f"w{i:05d}" for i in range(SPANS)]
    text = " ".join(words)
    graph = ox.NamedNode("https://w3id.org/kg/graph/seed-big")
    quads = [
        ox.Quad(doc, ox.NamedNode(RDF + "type"), ox.NamedNode(KG + "SourceDocument"), graph),
        ox.Quad(doc, ox.NamedNode(RDFS + "label"), ox.Literal("A long report"), graph),
        ox.Quad(doc, ox.NamedNode(KG + "fullText"), ox.Literal(text), graph),
    ]
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    spans = [(i * 7, i * 7 + 6, word) for i, word in enumerate(words)] + [(0, len(text), text)]
    for i, (start, end, exact) in enumerate(spans):
        span = ox.NamedNode(f"{KGR}big-span-{i}")
        fact = ox.NamedNode(f"{KGR}big-fact-{i}")
        quads += [
            ox.Quad(span, ox.NamedNode(KG + "inDocument"), doc, graph),
            ox.Quad(
                span, ox.NamedNode(KG + "start"), ox.Literal(str(start), datatype=integer), graph
            ),
            ox.Quad(span, ox.NamedNode(KG + "end"), ox.Literal(str(end), datatype=integer), graph),
            ox.Quad(span, ox.NamedNode(KG + "exact"), ox.Literal(exact), graph),
            ox.Quad(fact, ox.NamedNode(KG + "statedIn"), span, graph),
            ox.Quad(fact, ox.NamedNode(RDFS + "label"), ox.Literal(f"fact {i}"), graph),
        ]
    write_store(store, quads)


def test_a_source_with_20000_passages_answers_with_the_first_2000(big_store):
    # Highlighting used to compare every stretch of text with every passage: this
    # page took over 100 s of CPU. Now it must answer within the server's time limit.
    with kg_server(big_store, "--timeout", "60") as url:
        source = get(f"{url}/source", params={"iri": "kgr:big-doc"})
        entity = get(f"{url}/entity", params={"iri": "kgr:big-doc"})
    assert source.status_code == 200, source.text
    page = source.text
    assert (
        '<p class="muted note" id="more-citations">20001 cited passages, in text order:'
        " the first 2000 are shown.</p>"
    ) in page
    assert page.count('<li id="cite-') == 2000
    assert page.count('<span class="anchor" id="span-') == 2000
    # The first word lies inside the passage spanning the whole text: marked twice as deep.
    assert (
        '<mark class="cite depth-2" data-spans="span-0-6 span-0-139999">'
        '<a href="#cite-span-0-6">w00000</a></mark>'
    ) in page
    # In text order the 2000 are the whole text and the first 1999 words; the rest of the
    # text is still there, marked as inside the whole-text passage only.
    assert (
        '<mark class="cite depth-1" data-spans="span-0-139999">'
        '<a href="#cite-span-0-139999"> w01999 w02000 w02001 '
    ) in page
    assert " w19998 w19999</a></mark></div>" in page
    assert entity.status_code == 200, entity.text
    assert (
        '<p class="muted note" id="more-in">20001 statements: the first 2000 are shown.</p>'
    ) in entity.text


def test_pages_have_the_time_limit_of_queries(big_store):
    with kg_server(big_store, "--timeout", "0.001") as url:
        source = get(f"{url}/source", params={"iri": "kgr:big-doc"})
        entity = get(f"{url}/entity", params={"iri": "kgr:big-doc"})
    for answer in (source, entity):
        assert answer.status_code == 503
        assert (
            "the page took longer than 0.001 s and was stopped (raise it with --timeout)"
            in answer.text
        )


# ---------------------------------------------------------------- --timeout is checked first


def _kg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    # A real process with a deadline: a server that starts would otherwise never return.
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "0", "soon"])
def test_serve_refuses_a_timeout_that_is_not_a_number_of_seconds(mini_store, value):
    result = _kg("serve", "--store", str(mini_store), "--port", "0", "--timeout", value)
    assert result.returncode == 2
    assert result.stderr == (
        "kg: error: --timeout (or KG_TIMEOUT) must be a number of seconds from 0.001 to 1000000,"
        f" not {value!r} (see kg serve --help)\n"
    )


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["query", "signing"]])
def test_kg_timeout_from_the_environment_is_checked_too(seed_store, command):
    result = _kg(*command, "--store", str(seed_store), env={"KG_TIMEOUT": "nan"})
    assert result.returncode == 2
    assert result.stderr == (
        "kg: error: --timeout (or KG_TIMEOUT) must be a number of seconds from 0.001 to 1000000,"
        f" not 'nan' (see kg {command[0]} --help)\n"
    )
