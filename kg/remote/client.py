"""Run bundled or user queries on a remote SPARQL 1.1 Protocol endpoint.

The answer is the same :class:`~kg.query.QueryResult` a local query gives, so
the same renderers print it. The query is checked by the same rules as a local
one (no SERVICE, FROM, LOAD or updates) and sent by POST, form-encoded
(`SPARQL 1.1 Protocol §2.1.2 <https://www.w3.org/TR/sparql11-protocol/#query-via-post-urlencoded>`_).

Parameters are bound as RDF terms, never pasted as text. Locally Oxigraph
substitutes them (SEP-0007); a remote endpoint has no such API, so each bound
term is written in SPARQL syntax by Oxigraph's own term serializer and one
``VALUES`` row for the parameter variables is put right after the opening brace
of the outermost ``WHERE`` group. We chose ``VALUES`` over rewriting ``?var``
tokens in the text because a rewrite breaks wherever a variable may not be
replaced by a constant (``SELECT ?var``, ``AS ?var``, ``GROUP BY ?var``), while a
``VALUES`` block at the start of the group joins with everything in it, keeps
the variable projected with its value (as SEP-0007 does), and is plain SPARQL
1.1 every store understands. The term cannot break out of the block: IRIs and
literals are escaped by the serializer, blank nodes are refused, and values
holding ``\\u`` escape sequences (which SPARQL decodes before parsing) are refused.

Bundled queries use kg's prefixes without declaring them (the local engine is
given them); the missing ``PREFIX`` declarations are put on the query's first
line, so line numbers in the server's error messages stay right.

The default graph. kg's queries read the merged graph: every triple once, however
many sources state it (SPARQL's RDF merge). A store's union default graph is not
that on Oxigraph or Virtuoso, which give a triple once per graph holding it, so
``COUNT`` and joins would repeat it. ``kg push`` therefore sends the merge of the
asserted graphs as the graph ``kgg:merged`` (:data:`~kg.rdf.namespaces.GRAPH_MERGED`),
disjoint from ``kgg:inferred``, and a query names those two (``kgg:merged`` alone
with ``asserted``) as its default graph with ``default-graph-uri``, which every
SPARQL 1.1 store honours, whatever its union setting. A dataset named in the request
has only the named graphs it lists, so a query that uses ``GRAPH`` also lists every
named graph of the endpoint but ``kgg:merged`` (``named-graph-uri``), found with one
more request. ``default_graphs`` replaces all this with the graphs it names.

>>> import pyoxigraph as ox
>>> inject_values("SELECT ?x WHERE { ?x ?p ?o }", {ox.Variable("x"): ox.NamedNode("http://e/a")})
'SELECT ?x WHERE { VALUES (?x) { (<http://e/a>) } ?x ?p ?o }'
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable

import pyoxigraph as ox

from kg.errors import QueryError, RemoteError, UsageError
from kg.rdf.namespaces import GRAPH_INFERRED, GRAPH_MERGED, PREFIXES
from kg.rdf.safety import check_query, query_keywords
from kg.remote.http import DEFAULT_TIMEOUT, Credentials, display_url, mask_secrets, request
from kg.sparql.bundled import QuerySpec, resolve_query
from kg.sparql.run import QueryResult, bind_params, collect

RESULTS_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.8,"
    " text/tab-separated-values;q=0.5"
)
GRAPH_ACCEPT = (
    "application/n-triples, text/turtle;q=0.9, application/n-quads;q=0.8, application/rdf+xml;q=0.5"
)
_RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_KINDS = {"select": "a SELECT", "ask": "an ASK"}
_FORMAT_NAMES = {
    ox.QueryResultsFormat.JSON: "JSON",
    ox.QueryResultsFormat.XML: "XML",
    ox.QueryResultsFormat.TSV: "TSV",
}
_GRAPH_FORMATS = {
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/rdf+xml": "rdfxml",
    "application/ld+json": "jsonld",
}
# Strings, IRIs and comments: masked so braces and keywords inside them are not seen.
_NOISE = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r"|<[^<>\"{}|^`\\\s]*>|#[^\n]*"
)
_WORD = re.compile(r"(?<![\w:?$])([A-Za-z]+)(?![\w:])")
_PREFIX_DECL = re.compile(r"(?i)(?<![\w:?$])PREFIX\s+([A-Za-z][\w.-]*)?\s*:")
_ESCAPE = re.compile(r"\\[uU]")
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def mask(text: str) -> str:
    """``text`` with strings, IRIs and comments blanked out, positions kept.

    >>> mask('SELECT * { ?s ?p "a { b" } # }')
    'SELECT * { ?s ?p         }    '
    """
    return _NOISE.sub(lambda m: " " * len(m.group(0)), text)


def query_form(text: str) -> str:
    """``select``, ``ask``, ``construct`` or ``describe``.

    >>> query_form("PREFIX select: <http://e/> CONSTRUCT WHERE { ?s select:p ?o }")
    'construct'
    """
    for match in _WORD.finditer(mask(text)):
        if match.group(1).upper() in _FORMS:
            return match.group(1).lower()
    raise QueryError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")


def _where_brace(code: str) -> int | None:
    """Position of the opening brace of the outermost WHERE group in masked text.

    SELECT, ASK and DESCRIBE: the first brace outside parentheses after the form
    keyword (an optional WHERE comes before it). CONSTRUCT: its template comes
    first, so the brace after the top-level WHERE keyword.
    """
    form = next(m for m in _WORD.finditer(code) if m.group(1).upper() in _FORMS)
    construct = form.group(1).upper() == "CONSTRUCT"
    depth = 0
    for token in re.finditer(r"[{}()]|(?<![\w:?$])WHERE(?![\w:])", code[form.end() :], re.I):
        mark = token.group(0)
        if mark in "({":
            if mark == "{" and depth == 0 and not construct:
                return form.end() + token.start()
            depth += 1
        elif mark in ")}":
            depth -= 1
        elif depth == 0 and construct:
            brace = code.find("{", form.end() + token.end())
            return brace if brace >= 0 else None
    return None


def term_text(term) -> str:
    """A bound term in SPARQL syntax (IRIs and literals only).

    >>> term_text(ox.Literal('say "hi"'))
    '"say \\\\"hi\\\\""'
    """
    if isinstance(term, ox.BlankNode) or not isinstance(term, ox.NamedNode | ox.Literal):
        raise QueryError(f"cannot send {term!r} as a parameter: only IRIs and literals")
    values = [term.value] + ([term.datatype.value] if isinstance(term, ox.Literal) else [])
    if any(_ESCAPE.search(v) for v in values):
        raise QueryError(
            f"parameter value {term.value!r} holds a \\u escape, which a SPARQL server decodes"
            " before parsing; kg does not send it"
        )
    return str(term)


def inject_values(text: str, bindings: dict) -> str:
    """``text`` with one ``VALUES`` row binding ``bindings`` at the start of its WHERE group."""
    if not bindings:
        return text
    names = " ".join(f"?{variable.value}" for variable in bindings)
    terms = " ".join(term_text(term) for term in bindings.values())
    brace = _where_brace(mask(text))
    if brace is None:
        raise QueryError("cannot bind parameters: the query has no WHERE group")
    return f"{text[: brace + 1]} VALUES ({names}) {{ ({terms}) }}{text[brace + 1 :]}"


def with_prefixes(text: str) -> str:
    """``text`` with kg's prefixes it uses but does not declare, on its first line.

    >>> with_prefixes("SELECT * { ?s a kg:Summit }")[:54]
    'PREFIX kg: <https://w3id.org/kg/ontology#> SELECT * { '
    """
    code = mask(text)
    declared = {m.group(1) or "" for m in _PREFIX_DECL.finditer(code)}
    used = {
        name
        for name in PREFIXES
        if name not in declared and re.search(rf"(?<![\w.\-:?$]){re.escape(name)}:", code)
    }
    head = "".join(f"PREFIX {name}: <{PREFIXES[name]}> " for name in PREFIXES if name in used)
    return head + text


def _refuse_lone_surrogate(body: bytes, where: str) -> None:
    """Name a lone ``\\ud800`` escape where Oxigraph would say "Unexpected end of file"."""
    from kg.rdf.safety import json_lone_surrogate

    lone = json_lone_surrogate(body)
    if lone is not None:
        offset, text = lone
        line = body.count(b"\n", 0, offset) + 1
        column = offset - (body.rfind(b"\n", 0, offset) + 1) + 1
        raise RemoteError(
            f"{where}: the answer is not valid SPARQL results JSON: line {line} column"
            f" {column}: the string escape {text} is half of a UTF-16 surrogate pair without"
            " its other half: not a Unicode character"
        )


def _parse_answer(response, form: str) -> QueryResult:
    where = display_url(response.url)
    media = response.media_type
    if form in ("select", "ask"):
        fmt = _RESULT_FORMATS.get(media)
        if fmt is None:
            raise RemoteError(
                f"{where}: the answer is not SPARQL query results (Content-Type: {media or 'none'})"
            )
        if fmt == ox.QueryResultsFormat.JSON:
            _refuse_lone_surrogate(response.body, where)
        try:
            answer = ox.parse_query_results(response.body, format=fmt)
            result = collect(answer)
        except (SyntaxError, ValueError, OSError) as err:
            message = getattr(err, "msg", None) or str(err)
            raise RemoteError(
                f"{where}: the answer is not valid SPARQL results {_FORMAT_NAMES[fmt]}: {message}"
            ) from None
        if form == "ask" and result.kind == "select" and result.variables == ["__ASK_RETVAL"]:
            # Virtuoso 7.2 answers ASK with a one-row table of 1 or 0 in a column of this name
            values = {row[0].value if row[0] is not None else None for row in result.rows}
            if values <= {"1", "0", "true", "false"} and len(result.rows) <= 1:
                return QueryResult(kind="ask", boolean=values in ({"1"}, {"true"}))
        if result.kind != form:
            raise RemoteError(f"{where}: {_KINDS[form]} query got {_KINDS[result.kind]} answer")
        return result
    fmt_name = _GRAPH_FORMATS.get(media)
    if fmt_name is None:
        raise RemoteError(f"{where}: the answer is not RDF (Content-Type: {media or 'none'})")
    if not response.body.strip():
        return QueryResult(kind="graph", triples=[])
    from kg.errors import InputError
    from kg.rdf.io import parse_bytes

    try:
        quads = parse_bytes(response.body, fmt_name, path=where)
    except InputError as err:
        raise RemoteError(f"the answer is not valid RDF: {err}") from None
    return QueryResult(kind="graph", triples=[q.triple for q in quads])


def send_query(
    endpoint: str,
    text: str,
    *,
    default_graphs: Iterable[str] = (),
    named_graphs: Iterable[str] = (),
    credentials: Credentials | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int | None = None,
) -> QueryResult:
    """POST a SPARQL query text as it is to ``endpoint`` and parse the answer.

    ``timeout`` bounds the whole exchange, ``max_bytes`` the answer (see
    :func:`kg.remote.http.request`). Errors about the answer never show the
    credentials, even where the server wrote them into it.

    >>> send_query("http://127.0.0.1:7878/query", "ASK {}").boolean  # doctest: +SKIP
    False
    """
    form = query_form(text)
    fields = [("query", text)]
    fields += [("default-graph-uri", g) for g in default_graphs]
    fields += [("named-graph-uri", g) for g in named_graphs]
    response = request(
        "POST",
        endpoint,
        body=urllib.parse.urlencode(fields).encode("utf-8"),
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Accept": RESULTS_ACCEPT if form in ("select", "ask") else GRAPH_ACCEPT,
        },
        credentials=credentials,
        timeout=timeout,
        max_bytes=max_bytes,
    )
    try:
        return _parse_answer(response, form)
    except RemoteError as err:  # a parser's message can quote what the server sent
        raise RemoteError(mask_secrets(str(err), credentials)) from None


def run_remote(
    endpoint: str,
    spec: QuerySpec,
    bindings: dict,
    *,
    default_graphs: Iterable[str] = (),
    named_graphs: Iterable[str] = (),
    credentials: Credentials | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int | None = None,
) -> QueryResult:
    """Run ``spec`` with ``bindings`` (from :func:`kg.sparql.run.bind_params`) on ``endpoint``."""
    where = str(spec.path) if spec.path else spec.name
    check_query(spec.text, where)
    try:
        text = with_prefixes(inject_values(spec.text, bindings))
    except QueryError as err:
        raise QueryError(f"{where}: {err}") from None
    return send_query(
        endpoint,
        text,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        credentials=credentials,
        timeout=timeout,
        max_bytes=max_bytes,
    )


def merged_dataset(asserted: bool = False) -> list[str]:
    """The graphs a query names as its default graph on a store kg pushed to: the merge,
    and the inferences (disjoint from it) unless ``asserted``.

    >>> [g.rsplit("/", 1)[1] for g in merged_dataset()]
    ['merged', 'inferred']
    """
    return [GRAPH_MERGED] if asserted else [GRAPH_MERGED, GRAPH_INFERRED]


def named_graphs_of(
    endpoint: str, *, credentials: Credentials | None = None, timeout: float = DEFAULT_TIMEOUT
) -> list[str]:
    """The named graphs of ``endpoint`` but ``kgg:merged`` (a copy of the others)."""
    result = send_query(
        endpoint,
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }",
        credentials=credentials,
        timeout=timeout,
    )
    found = {row[0].value for row in result.rows if row and isinstance(row[0], ox.NamedNode)}
    return sorted(found - {GRAPH_MERGED})


def _empty(result: QueryResult) -> bool:
    return not (result.rows or result.triples or result.boolean)


def _check_merged_graph_is_there(
    endpoint: str, credentials: Credentials | None, timeout: float
) -> None:
    there = send_query(
        endpoint,
        f"ASK {{ GRAPH <{GRAPH_MERGED}> {{ ?s ?p ?o }} }}",
        credentials=credentials,
        timeout=timeout,
    )
    if not there.boolean:
        raise RemoteError(
            f"{display_url(endpoint)} has no graph <{GRAPH_MERGED}>, the merged graph kg"
            " queries read: push with kg push, or name the graphs to query with --default-graph"
        )


def query(
    name_or_file: str,
    params: dict[str, str] | None = None,
    *,
    endpoint: str,
    default_graphs: Iterable[str] = (),
    asserted: bool = False,
    user: str | None = None,
    password: str | None = None,
    token: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_answer_bytes: int | None = None,
) -> QueryResult:
    """Run a bundled query (by name) or a ``.rq`` file on a remote SPARQL endpoint.

    Over the merged graph ``kg push`` sent (see the module's documentation; ``asserted``:
    without the inferences), unless ``default_graphs`` names the graphs to query.

    ``timeout`` is the deadline of the whole request, retries included;
    ``max_answer_bytes`` the largest answer read (default ``KG_MAX_ANSWER_BYTES``
    or 512 MiB).

    >>> result = query("signing", endpoint="http://127.0.0.1:7878/query")  # doctest: +SKIP
    >>> result.variables  # doctest: +SKIP
    ['account', 'signatory', 'office', 'date']
    """
    from kg.remote.http import split_url

    split_url(endpoint)
    graphs = list(default_graphs)
    for graph in graphs:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+", graph):
            raise UsageError(f"--default-graph {graph!r}: not an absolute IRI")
    if graphs and asserted:
        raise UsageError(
            "--asserted names the graph kg push sends without the inferences; with"
            " --default-graph, name the graphs yourself"
        )
    spec = resolve_query(name_or_file)
    bindings = bind_params(spec, params or {})
    credentials = Credentials.from_options(user, password, token)
    named: list[str] = []
    if not graphs and "GRAPH" in query_keywords(spec.text):
        named = named_graphs_of(endpoint, credentials=credentials, timeout=timeout)
    result = run_remote(
        endpoint,
        spec,
        bindings,
        default_graphs=graphs or merged_dataset(asserted),
        named_graphs=named,
        credentials=credentials,
        timeout=timeout,
        max_bytes=max_answer_bytes,
    )
    if not graphs and _empty(result):  # was nothing pushed, or is the answer just empty?
        _check_merged_graph_is_there(endpoint, credentials, timeout)
    return result
