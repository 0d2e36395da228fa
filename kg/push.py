"""Push the built graph (or RDF files) to another store over the W3C protocols.

Each named graph of the store (ontology, seed-*, added-*, inferred, meta) goes
to the graph of the same IRI on the server, and their merge without the inferences,
each triple once, to ``kgg:merged``: the graph ``kg query --endpoint`` reads (with
``kgg:inferred``), as the built store's default graph is locally, so that answers
there are the local ones whatever the store's union default graph does. Or
everything to one graph with ``graph=``:

- ``protocol="gsp"``: the `SPARQL 1.1 Graph Store HTTP Protocol
  <https://www.w3.org/TR/sparql11-http-rdf-update/>`_, ``PUT`` (replace) or
  ``POST`` (append) of an N-Triples body to ``ENDPOINT?graph=IRI``;
- ``protocol="update"``: `SPARQL 1.1 Update
  <https://www.w3.org/TR/sparql11-update/>`_ for stores without the Graph
  Store Protocol: ``INSERT DATA`` (after ``DROP SILENT GRAPH`` to replace);
  triples with blank nodes go in ``INSERT { ... } WHERE {}`` operations of
  the same request instead (500 triples each, a blank node's triples in one),
  which means the same and which Virtuoso accepts.

A graph bigger than ``chunk_size`` triples goes in several requests (the first
replaces, the next ones append); triples sharing a blank node always travel in
the same request, so the server sees one node, not several.

What is pushed, by default, is everything in the store: asserted triples,
inferences and provenance (``kg export --with-inferred`` content, graphs
kept). ``inferred=False`` leaves out the inferences (the server may reason on
its own), ``provenance=False`` the evidence, as ``kg export`` does.

After the push the triples in each graph are counted on the server with a
SELECT query; a count that differs from what was sent raises
:class:`~kg.errors.RemoteError`, so a half-done push is never reported as
success. ``mode="replace"`` makes a re-push idempotent; graphs of an earlier
push that the store no longer has are left alone (DROP them on the server).

>>> query_url_for("http://localhost:7878/store")
'http://localhost:7878/query'
>>> query_url_for("http://localhost:7200/repositories/kg/statements")
'http://localhost:7200/repositories/kg'
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import RemoteError, UsageError
from kg.rdf.limits import with_time_limit
from kg.rdf.namespaces import GRAPH_INFERRED, GRAPH_MERGED, KG_GRAPH
from kg.remote.http import (
    DEFAULT_TIMEOUT,
    Credentials,
    display_url,
    mask_secrets,
    request,
    split_url,
    with_query,
)

DEFAULT_CHUNK_SIZE = 100_000
# Triples with blank nodes per INSERT ... WHERE {} operation (see _update_body).
TEMPLATE_TRIPLES = 500
# A SPARQL Update bigger than this that fails says --chunk-size may help: Virtuoso 7.2
# compiles INSERT DATA to SQL and refuses more than about 1000-1500 triples in one.
UPDATE_HINT_TRIPLES = 1000
# Default-graph triples of the store (kg build writes none) go to this graph.
GRAPH_DEFAULT = KG_GRAPH + "default"
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
_ESCAPE = re.compile(r"\\[uU]")
# Endpoint path endings of well-known stores -> the path of their query endpoint.
_QUERY_PATHS = (
    (re.compile(r"/(store|update|data|sparql-update)$"), "/query"),  # Oxigraph, Fuseki
    (re.compile(r"/(statements|rdf-graphs/service)$"), ""),  # GraphDB, RDF4J
    (re.compile(r"/sparql-graph-crud(-auth)?$"), r"/sparql\1"),  # Virtuoso
)


@dataclass
class PushResult:
    """What was pushed: triples sent per graph, and what the server holds after."""

    endpoint: str
    protocol: str
    mode: str
    sent: dict[str, int] = field(default_factory=dict)
    counted: dict[str, int] = field(default_factory=dict)
    requests: int = 0

    @property
    def total(self) -> int:
        """Triples sent, all graphs together."""
        return sum(self.sent.values())

    def summary(self) -> str:
        """One line for the terminal.

        >>> PushResult("http://h/store", "gsp", "replace", {"g": 3}, {"g": 3}, 1).summary()
        'pushed 3 triples in 1 graph to http://h/store (1 request); the server holds 3'
        """
        graphs = len(self.sent)
        return (
            f"pushed {self.total} triples in {graphs} graph{'s' if graphs != 1 else ''}"
            f" to {display_url(self.endpoint)} ({self.requests} request"
            f"{'s' if self.requests != 1 else ''}); the server holds {sum(self.counted.values())}"
        )


def query_url_for(endpoint: str) -> str:
    """The query endpoint beside a Graph Store or Update endpoint of a well-known store.

    Oxigraph ``/store`` or ``/update`` and Fuseki ``/DS/data`` or ``/DS/update``
    give ``/query``; GraphDB ``/repositories/R/statements`` gives
    ``/repositories/R``; Virtuoso ``/sparql-graph-crud`` gives ``/sparql``.
    Anything else is taken to answer queries itself (Fuseki ``/DS``, Virtuoso
    ``/sparql``); pass ``query_endpoint`` when it does not.
    """
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    for pattern, replacement in _QUERY_PATHS:
        if pattern.search(path):
            return urllib.parse.urlunsplit(parts._replace(path=pattern.sub(replacement, path)))
    return endpoint


def _graph_of(quad: ox.Quad, fallback: str, where: str) -> str:
    """The IRI of the graph ``quad`` goes to. A graph named by a blank node is refused:
    a store names graphs by IRI, and the blank node's label sent as a graph name is a
    relative IRI the server resolves as it likes, leaving a stray graph behind."""
    name = quad.graph_name
    if isinstance(name, ox.DefaultGraph):
        return fallback
    if not isinstance(name, ox.NamedNode):
        label = re.sub(r"^f[0-9a-f]{10}x", "", name.value)  # kg.rdf.io's per-file prefix
        raise UsageError(
            f"{where}: the graph _:{label} is named by a blank node, and a SPARQL store names"
            " graphs by IRI: give it an IRI, or push everything into one graph with --graph IRI;"
            " nothing was sent"
        )
    return name.value


def collect_graphs(
    *,
    store: Path | str | None = None,
    files: Iterable[str | Path] = (),
    graph: str | None = None,
    inferred: bool = True,
    provenance: bool = True,
    input_format: str | None = None,
) -> dict[str, list[ox.Triple]]:
    """The triples to push, by target graph IRI, duplicates removed.

    From ``files`` when given (a file's default-graph triples go to the graph
    ``kg add`` would give it), else from the built store.
    """
    groups: dict[str, dict[ox.Triple, None]] = {}
    files = [Path(f) for f in files]
    if files:
        from kg.rdf.io import parse_file
        from kg.rdf.namespaces import added_graph_name

        for path in files:
            quads = parse_file(path, input_format)
            fallback = added_graph_name(path, path.read_bytes())
            for quad in quads:
                target = graph or _graph_of(quad, fallback, str(path))
                groups.setdefault(target, {})[quad.triple] = None
    else:
        from kg.rdf.resources import default_store
        from kg.store.selection import select_quads
        from kg.store.versions import open_store

        oxstore = open_store(Path(store) if store else default_store(), merged=False)
        for quad in select_quads(oxstore, inferred=inferred, provenance=provenance):
            target = graph or _graph_of(quad, GRAPH_DEFAULT, "the store")
            groups.setdefault(target, {})[quad.triple] = None
    if graph is None:
        groups[GRAPH_MERGED] = merged_triples(groups)
    return {name: list(groups[name]) for name in sorted(groups) if groups[name]}


def merged_triples(groups: dict[str, dict]) -> dict:
    """The merge of every graph in ``groups`` but the inferences: each triple once.

    Stores answer a query over several graphs, or their union default graph, with a
    triple once per graph holding it (Oxigraph, Virtuoso), so ``kg query --endpoint``
    names this one graph and ``kgg:inferred``, disjoint from it, instead.

    >>> t = ox.Triple(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x"))
    >>> len(merged_triples({"http://e/g1": {t: None}, "http://e/g2": {t: None}}))
    1
    """
    merged: dict = {}
    for name, triples in groups.items():
        if name not in (GRAPH_INFERRED, GRAPH_MERGED):
            merged.update(triples)
    return merged


def chunks(triples: list[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """``triples`` in lists of about ``size``; triples linked by blank nodes stay together.

    >>> b, p = ox.BlankNode("b"), ox.NamedNode("http://e/p")
    >>> ts = [ox.Triple(ox.NamedNode("http://e/a"), p, b), ox.Triple(b, p, ox.Literal("x"))]
    >>> [len(c) for c in chunks(ts, 1)]
    [2]
    """
    parent: dict = {}

    def find(node):
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for triple in triples:
        blanks = [t for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]
        for other in blanks[1:]:
            parent[find(other)] = find(blanks[0])
    components: dict = {}
    for index, triple in enumerate(triples):
        blank = next(
            (t for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)), None
        )
        components.setdefault(find(blank) if blank is not None else index, []).append(triple)
    batch: list[ox.Triple] = []
    for component in components.values():
        if batch and len(batch) + len(component) > size:
            yield batch
            batch = []
        batch.extend(component)
    if batch:
        yield batch


def _ntriples(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _update_body(graph: str, triples: list[ox.Triple], replace_first: bool) -> bytes:
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            values = [term.value] + ([term.datatype.value] if isinstance(term, ox.Literal) else [])
            if any(_ESCAPE.search(v) for v in values):
                raise UsageError(
                    f"<{graph}>: a value holds a \\u escape sequence, which SPARQL Update would"
                    " decode before parsing; push it with --protocol gsp"
                )
    operations = [f"DROP SILENT GRAPH <{graph}>"] if replace_first else []
    ground = [t for t in triples if not _has_blank(t)]
    if ground:
        data = _ntriples(ground).decode("utf-8")
        operations.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{data}}} }}")
    # Blank nodes may go in INSERT DATA, but Virtuoso refuses them there ("SP031: Blank node
    # ... is not allowed in a constant clause"). A template with an empty WHERE (one
    # solution) inserts the same triples with new blank nodes, as INSERT DATA does; Virtuoso
    # compiles templates to SQL and gives up beyond about 1000 triples, so at most
    # TEMPLATE_TRIPLES per operation, blank nodes shared only within one.
    for group in chunks([t for t in triples if _has_blank(t)], TEMPLATE_TRIPLES):
        data = _ntriples(group).decode("utf-8")
        operations.append(f"INSERT {{ GRAPH <{graph}> {{\n{data}}} }} WHERE {{}}")
    return (" ;\n".join(operations) + "\n").encode()


def _has_blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def count_graphs(
    query_endpoint: str,
    graphs: Iterable[str],
    *,
    credentials: Credentials | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int | None = None,
) -> dict[str, int]:
    """Triples in each of ``graphs`` on the server, with one SELECT COUNT query."""
    from kg.remote.client import send_query

    graphs = list(graphs)
    values = " ".join(f"<{g}>" for g in graphs)
    text = (
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        " GROUP BY ?g"
    )
    result = send_query(
        query_endpoint, text, credentials=credentials, timeout=timeout, max_bytes=max_bytes
    )
    counts = dict.fromkeys(graphs, 0)
    where = display_url(query_endpoint)
    for row in result.rows:
        graph, number = row[0], row[1] if len(row) > 1 else None
        if not isinstance(graph, ox.NamedNode) or not isinstance(number, ox.Literal):
            raise RemoteError(f"{where}: the answer to the count query is not a graph and a count")
        try:
            counts[graph.value] = int(number.value)
        except ValueError:
            raise RemoteError(
                f"{where}: the answer to the count query is not a count: {number.value!r}"
            ) from None
    return counts


@with_time_limit
def push(
    endpoint: str,
    *,
    store: Path | str | None = None,
    files: Iterable[str | Path] = (),
    graph: str | None = None,
    mode: str = "replace",
    protocol: str = "gsp",
    user: str | None = None,
    password: str | None = None,
    token: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    query_endpoint: str | None = None,
    inferred: bool = True,
    provenance: bool = True,
    input_format: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[str], None] | None = None,
    max_answer_bytes: int | None = None,
) -> PushResult:
    """Send the built graph (or ``files``) to a store, then check the server's counts.

    ``endpoint`` is the Graph Store Protocol endpoint (``protocol="gsp"``) or
    the Update endpoint (``protocol="update"``); counting uses
    ``query_endpoint``, by default :func:`query_url_for` ``(endpoint)``.
    ``progress`` receives a line per request. ``timeout`` is the deadline of
    each request (retries included), ``max_answer_bytes`` the largest answer
    read. No error message holds the credentials, in any encoding.

    >>> push("http://127.0.0.1:7878/store", store="build")  # doctest: +SKIP
    PushResult(endpoint='http://127.0.0.1:7878/store', protocol='gsp', mode='replace', ...)
    """
    if mode not in ("replace", "append"):
        raise UsageError(f"mode must be replace or append, not {mode!r}")
    if protocol not in ("gsp", "update"):
        raise UsageError(f"protocol must be gsp or update, not {protocol!r}")
    if chunk_size < 1:
        raise UsageError("the chunk size must be at least 1 triple")
    split_url(endpoint)
    counting = query_endpoint or query_url_for(endpoint)
    split_url(counting)
    if graph is not None and not _IRI.fullmatch(graph):
        raise UsageError(f"--graph {graph!r}: not an absolute IRI")
    credentials = Credentials.from_options(user, password, token)
    try:
        return _push(
            endpoint, counting, credentials, store, files, graph, mode, protocol, timeout,
            inferred, provenance, input_format, chunk_size, progress, max_answer_bytes,
        )  # fmt: skip
    except RemoteError as err:  # e.g. a count the server answered with the password in it
        raise RemoteError(mask_secrets(str(err), credentials)) from None


def _push(
    endpoint: str,
    counting: str,
    credentials: Credentials | None,
    store: Path | str | None,
    files: Iterable[str | Path],
    graph: str | None,
    mode: str,
    protocol: str,
    timeout: float,
    inferred: bool,
    provenance: bool,
    input_format: str | None,
    chunk_size: int,
    progress: Callable[[str], None] | None,
    max_bytes: int | None,
) -> PushResult:
    groups = collect_graphs(
        store=store,
        files=files,
        graph=graph,
        inferred=inferred,
        provenance=provenance,
        input_format=input_format,
    )
    if not groups:
        raise UsageError("nothing to push: no triples")
    result = PushResult(endpoint=endpoint, protocol=protocol, mode=mode)
    before = (
        count_graphs(
            counting, groups, credentials=credentials, timeout=timeout, max_bytes=max_bytes
        )
        if mode == "append"
        else {}
    )
    for number, (name, triples) in enumerate(groups.items()):
        try:
            _push_graph(
                endpoint, name, triples, mode, protocol, credentials, timeout, chunk_size,
                result, progress, max_bytes,
            )  # fmt: skip
        except RemoteError as err:
            raise RemoteError(
                f"{err} [{number} of {len(groups)} graphs were pushed before this one: the"
                " server holds part of the push; run kg push --replace again]"
            ) from None
    result.counted = count_graphs(
        counting, groups, credentials=credentials, timeout=timeout, max_bytes=max_bytes
    )
    where = display_url(counting)
    for name, sent in result.sent.items():
        held = result.counted[name]
        if mode == "replace" and held != sent:
            raise RemoteError(
                f"{where}: graph <{name}> holds {held} triples after the push, {sent} were"
                " sent: the push is incomplete or the server changed the data"
            )
        low, high = max(before.get(name, 0), sent), before.get(name, 0) + sent
        if mode == "append" and not low <= held <= high:
            raise RemoteError(
                f"{where}: graph <{name}> holds {held} triples after appending {sent} to"
                f" {before.get(name, 0)}; expected {low} to {high}"
            )
    return result


def _push_graph(
    endpoint: str,
    name: str,
    triples: list[ox.Triple],
    mode: str,
    protocol: str,
    credentials: Credentials | None,
    timeout: float,
    chunk_size: int,
    result: PushResult,
    progress: Callable[[str], None] | None,
    max_bytes: int | None = None,
) -> None:
    sent = 0
    for index, batch in enumerate(chunks(triples, chunk_size)):
        first_replaces = index == 0 and mode == "replace"
        if protocol == "gsp":
            request(
                "PUT" if first_replaces else "POST",
                with_query(endpoint, graph=name),
                body=_ntriples(batch),
                headers={"Content-Type": "application/n-triples"},
                credentials=credentials,
                timeout=timeout,
                max_bytes=max_bytes,
            )
        else:
            try:
                request(
                    "POST",
                    endpoint,
                    body=_update_body(name, batch, first_replaces),
                    headers={"Content-Type": "application/sparql-update; charset=utf-8"},
                    credentials=credentials,
                    timeout=timeout,
                    max_bytes=max_bytes,
                )
            except RemoteError as err:
                if err.status not in (400, 413, 500) or len(batch) <= UPDATE_HINT_TRIPLES:
                    raise
                raise RemoteError(
                    f"{err} (this update sent {len(batch)} triples: some stores take no more"
                    f" than about {UPDATE_HINT_TRIPLES} in one, Virtuoso among them; try"
                    f" --chunk-size {UPDATE_HINT_TRIPLES})"
                ) from None
        sent += len(batch)
        result.requests += 1
        if progress is not None:
            progress(f"<{name}>: {sent}/{len(triples)} triples sent")
    result.sent[name] = len(triples)
