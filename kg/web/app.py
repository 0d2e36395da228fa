"""kg serve: a read-only SPARQL 1.1 Protocol endpoint and web pages over the built graph.

Routes (all read-only):

- ``GET|POST /sparql``: the SPARQL 1.1 Protocol query operation
  (https://www.w3.org/TR/sparql11-protocol/#query-operation), over the merged
  graph (each triple once, inferences included) unless ``default-graph-uri`` /
  ``named-graph-uri`` name graphs (:func:`protocol_dataset`). Results as
  SPARQL JSON, XML, CSV or TSV (SELECT/ASK) or Turtle, N-Triples, JSON-LD
  (CONSTRUCT/DESCRIBE), chosen by the ``Accept`` header or a ``format``
  parameter (:mod:`kg.web.negotiation`). Updates, ``SERVICE``, ``LOAD`` and
  ``FROM`` are refused (:func:`kg.rdf.safety.check_query`).
- ``GET /``: the bundled queries with their questions and parameter fields.
- ``GET /queries/{name}``: a bundled query's answer as a table;
  ``/queries/{name}/results?format=csv``: the same as a download.
- ``GET|POST /editor``: a SPARQL editor; errors are shown in the page.
- ``GET /entity?iri=...``: label, types, statements in and out, evidence.
- ``GET /source?iri=...``: a document's text, every cited passage highlighted.

This module is the application only: routes, errors to status codes, the
request guard and security headers. What the pages show is
:mod:`kg.web.views`, their HTML :mod:`kg.web.pages`; both, and every query, are
computed in worker processes (:mod:`kg.web.workers`) that are killed at the
time limit. Everything the graph holds is untrusted text: it is escaped on the
way out, and a Content-Security-Policy forbids inline scripts. Requests for
another host name (DNS rebinding) and from other sites' pages are refused.

>>> _status_of(UnsafeOperationError("SERVICE is refused"))
403
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph as ox

from kg.errors import (
    InputError,
    KgError,
    QueryError,
    ResourceLimitError,
    StoreError,
    UnsafeOperationError,
    UsageError,
)
from kg.rdf.limits import default_timeout
from kg.rdf.namespaces import GRAPH_INFERRED, GRAPH_MERGED, expand
from kg.sparql.bundled import QuerySpec, list_queries, parse_header, queries_dir
from kg.sparql.run import QueryResult, bind_params, merged_graph, run_on_store
from kg.store.versions import open_store
from kg.web.negotiation import DOWNLOAD_EXT, HttpError, media_type, negotiate, render_result
from kg.web.pages import (
    editor_html,
    entity_html,
    error_html,
    index_html,
    page,
    query_page_html,
    source_html,
)
from kg.web.views import documents, entity_view, source_view
from kg.web.workers import DEFAULT_WORKERS, BusyError, WorkerPool

WEB_DIR = Path(__file__).resolve().parent
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# The Host header names of this machine: IPv6 addresses are bracketed there (RFC 3986).
LOOPBACK_HOST_NAMES = ("127.0.0.1", "localhost", "[::1]")
MAX_BODY_BYTES = 1024 * 1024  # a query larger than 1 MiB is refused with 413


# --------------------------------------------------------------------------- work


# What the worker processes compute (kg.web.workers): module-level, so that they
# are sent by reference, and returning what pickles (HTML as text).


def front_page_data(store: ox.Store) -> tuple[list[tuple[str, str]], int]:
    """The documents whose text is in the graph, and the number of triples (each once)."""
    return documents(store), distinct_triples(store)


def run_in_dataset(
    store: ox.Store, spec: QuerySpec, bindings: dict, dataset: tuple | None
) -> QueryResult:
    """``spec`` over kg's merged graph, or over the ``dataset`` a protocol request names."""
    return run_on_store(store, spec, bindings, dataset=dataset)


def entity_page(store: ox.Store, iri: str) -> str:
    """The HTML of ``iri``'s entity page."""
    return entity_html(store, entity_view(store, iri))


def source_page(store: ox.Store, iri: str) -> str:
    """The HTML of the source page of the document ``iri``."""
    return source_html(store, source_view(store, iri))


# --------------------------------------------------------------------------- dataset


def protocol_dataset(params: dict[str, list[str]]) -> tuple[list, list] | None:
    """The dataset a SPARQL protocol request names (``default-graph-uri``,
    ``named-graph-uri``), as (default graph, named graphs) of the store; None: kg's own.

    ``kgg:merged`` names the store's default graph (the merge), as on a store kg pushed
    to. Several default graphs are refused unless they are ``kgg:merged`` and
    ``kgg:inferred``, which are disjoint: Oxigraph would give a triple once per graph,
    not their merge. A request that names a dataset has only the named graphs it lists.

    >>> protocol_dataset({"default-graph-uri": [GRAPH_MERGED]})
    ([<DefaultGraph>], [])
    >>> protocol_dataset({})
    """
    defaults = params.get("default-graph-uri", [])
    named = params.get("named-graph-uri", [])
    if not defaults and not named:
        return None
    if len(defaults) > 1 and set(defaults) != {GRAPH_MERGED, GRAPH_INFERRED}:
        raise HttpError(
            400,
            f"default-graph-uri: name one graph, or <{GRAPH_MERGED}> and <{GRAPH_INFERRED}>:"
            " the default graph would repeat each triple the graphs share, not merge them",
        )

    def term(key: str, iri: str):
        if iri == GRAPH_MERGED:
            return ox.DefaultGraph()
        try:
            return ox.NamedNode(iri)
        except ValueError:
            raise HttpError(400, f"{key}: {iri!r} is not an IRI") from None

    default_graph = [term("default-graph-uri", g) for g in defaults]
    named_graphs = [term("named-graph-uri", g) for g in named if g != GRAPH_MERGED]
    return default_graph, named_graphs


def distinct_triples(store: ox.Store) -> int:
    """How many triples the graph holds, each once (asserted and inferred)."""
    answer = store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", default_graph=merged_graph())
    return int(next(iter(answer))[0].value)


# --------------------------------------------------------------------------- app


def _status_of(err: KgError) -> int:
    if isinstance(err, UnsafeOperationError):
        return 403
    if isinstance(err, (ResourceLimitError, StoreError)):
        return 503
    if isinstance(err, (QueryError, UsageError, InputError)):
        return 400
    return 500


def _error_headers(err: KgError | None) -> dict[str, str] | None:
    """``Retry-After`` when every worker was busy."""
    if isinstance(err, BusyError):
        return {"retry-after": str(err.retry_after)}
    return None


READ_ONLY_MESSAGE = "this endpoint is read-only: SPARQL Update is refused (use kg add to add data)"
_SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
        b" form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    # same-origin, not no-referrer: with no-referrer, browsers send "Origin: null" on
    # the page's own form POSTs, which the request guard could not tell from another site.
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


class _SecurityHeaders:
    """Adds a strict Content-Security-Policy and friends to every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + _SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


def host_name(host: str) -> str | None:
    """The name part of a ``Host`` header, lower case; None when it is malformed.

    >>> host_name("[::1]:8000"), host_name("LocalHost"), host_name("127.0.0.1:80")
    ('[::1]', 'localhost', '127.0.0.1')
    >>> host_name("[::1]x") is None, host_name("a:b") is None
    (True, True)
    """
    host = host.strip().lower()
    if host.startswith("["):
        name, sep, rest = host.partition("]")
        name += sep
        if not sep or (rest and not (rest.startswith(":") and rest[1:].isdigit())):
            return None
        return name
    name, sep, port = host.partition(":")
    if not name or (sep and not port.isdigit()):
        return None
    return name


def _authority(value: str, scheme: str) -> str:
    """``host[:port]`` in lower case, without the scheme's default port."""
    value = value.strip().lower()
    default = {"http": ":80", "https": ":443"}.get(scheme, "")
    return value[: -len(default)] if default and value.endswith(default) else value


_OWN_ADDRESS = "; open the page at its own address"


def cross_site_refusal(headers: dict[str, str]) -> str | None:
    """Why a browser request from another site is refused, or None when it is not one.

    Browsers send ``Sec-Fetch-Site`` and, on POSTs and scripted requests,
    ``Origin``; a page elsewhere must not make a visitor's browser query the
    server. Clients that send neither (curl, kg query --endpoint, libraries)
    are not browsers acting for a page, and pass.

    >>> cross_site_refusal({"host": "127.0.0.1:8000", "origin": "http://127.0.0.1:8000"})
    >>> print(cross_site_refusal({"host": "127.0.0.1:8000", "origin": "https://evil.example"}))
    cross-site request refused (Origin: https://evil.example); open the page at its own address
    """
    site = headers.get("sec-fetch-site")
    if site is not None and site.strip().lower() not in ("same-origin", "none"):
        return f"cross-site request refused (Sec-Fetch-Site: {site}){_OWN_ADDRESS}"
    origin = headers.get("origin")
    if origin is None:
        return None
    if origin.strip() == "null" and site is not None:
        return None  # the browser hid the origin, and said above that it is this one
    scheme, sep, rest = origin.strip().partition("://")
    scheme = scheme.lower()
    host = headers.get("host", "")
    if (
        not sep
        or scheme not in ("http", "https")
        or "/" in rest
        or not host
        or _authority(rest, scheme) != _authority(host, scheme)
    ):
        return f"cross-site request refused (Origin: {origin}){_OWN_ADDRESS}"
    return None


class _RequestGuard:
    """Refuses requests for another host name (DNS rebinding) and from other sites (CSRF)."""

    def __init__(self, app, allowed_hosts: list[str] | None = None):
        self.app = app
        self.allowed = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.responses import PlainTextResponse

        headers: dict[str, str] = {}
        for key, value in scope["headers"]:
            headers.setdefault(key.decode("latin-1").lower(), value.decode("latin-1"))
        if self.allowed is not None and host_name(headers.get("host", "")) not in self.allowed:
            response = PlainTextResponse("Invalid host header", status_code=400)
        elif (refusal := cross_site_refusal(headers)) is not None:
            response = PlainTextResponse(refusal + "\n", status_code=403)
        else:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)


def create_app(
    store: Path | str,
    *,
    queries: Path | None = None,
    timeout: float | None = None,
    allowed_hosts: list[str] | None = None,
    workers: int = DEFAULT_WORKERS,
):
    """The Starlette application serving the built graph in ``store``, read-only.

    ``queries`` is the folder of ``.rq`` files listed on the front page (the
    bundled queries by default). ``allowed_hosts`` guards against DNS rebinding:
    requests whose ``Host`` names another host are refused (all hosts when
    None). Queries and pages are computed by ``workers`` processes
    (:mod:`kg.web.workers`), each stopped after ``timeout`` seconds;
    ``app.state.workers.close()`` ends them.

    >>> app = create_app("build")  # doctest: +SKIP
    """
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.middleware import Middleware
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    open_store(Path(store))  # no built graph: say so now, in one line
    pool = WorkerPool(
        Path(store), size=workers, timeout=default_timeout() if timeout is None else timeout
    )
    folder = Path(queries) if queries else queries_dir()

    def specs() -> dict[str, QuerySpec]:
        return {s.name: s for s in list_queries(folder)}

    def run(spec: QuerySpec, bindings: dict, dataset: tuple | None = None) -> QueryResult:
        return pool.call(run_in_dataset, spec, bindings, dataset, what="the query")

    def html_page(text: str, status: int = 200, err: KgError | None = None) -> HTMLResponse:
        return HTMLResponse(text, status_code=status, headers=_error_headers(err))

    def html_error(status: int, message: str, err: KgError | None = None) -> HTMLResponse:
        return html_page(page("Error", f"<h1>Error</h1>\n{error_html(message)}"), status, err)

    async def read_body(request: Request) -> bytes:
        size, chunks = 0, []
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise HttpError(413, f"the request body is larger than {MAX_BODY_BYTES} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def decode(data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise HttpError(400, f"the request is not UTF-8 (byte {err.start})") from None

    async def protocol_params(request: Request) -> dict[str, list[str]]:
        params: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            params.setdefault(key, []).append(value)
        if request.method == "POST":
            media = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if media == "application/sparql-update":
                raise HttpError(403, READ_ONLY_MESSAGE)
            if media == "application/x-www-form-urlencoded":
                body = decode(await read_body(request))
                for key, values in parse_qs(body, keep_blank_values=True).items():
                    params.setdefault(key, []).extend(values)
            elif media == "application/sparql-query":
                params.setdefault("query", []).append(decode(await read_body(request)))
            else:
                raise HttpError(
                    415,
                    "send the query as application/sparql-query or"
                    " application/x-www-form-urlencoded",
                )
        if "update" in params:
            raise HttpError(403, READ_ONLY_MESSAGE)
        for key in ("query", "format"):
            if len(params.get(key, [])) > 1:
                raise HttpError(400, f"give the {key} parameter once")
        if not params.get("query") or not params["query"][0].strip():
            raise HttpError(400, "missing the query parameter")
        return params

    def answer(result: QueryResult, request: Request, format_param: str | None) -> Response:
        name = negotiate(result.kind, request.headers.get("accept"), format_param)
        return Response(
            render_result(result, name),
            media_type=media_type(result.kind, name),
            headers={"vary": "Accept"},
        )

    def plain_error(err: HttpError | KgError) -> Response:
        if isinstance(err, HttpError):
            return PlainTextResponse(err.message + "\n", status_code=err.status)
        return PlainTextResponse(
            str(err) + "\n", status_code=_status_of(err), headers=_error_headers(err)
        )

    async def sparql(request: Request) -> Response:
        try:
            params = await protocol_params(request)
            spec = parse_header(params["query"][0], name="query")
            dataset = protocol_dataset(params)
            result = await run_in_threadpool(run, spec, {}, dataset)
            return answer(result, request, (params.get("format") or [None])[0])
        except (HttpError, KgError) as err:
            return plain_error(err)

    def query_params(request: Request) -> dict[str, str]:
        return {k: v for k, v in request.query_params.items() if k != "format" and v != ""}

    def index(request: Request) -> Response:
        try:
            docs, triples = pool.call(front_page_data, what="the page")
        except KgError as err:
            return html_error(_status_of(err), str(err), err)
        return html_page(index_html(list(specs().values()), docs, triples))

    def bundled(request: Request) -> Response:
        spec = specs().get(request.path_params["name"])
        if spec is None:
            return html_error(404, f"unknown query {request.path_params['name']!r}")
        values = query_params(request)
        try:
            result = run(spec, bind_params(spec, values))
        except KgError as err:
            return html_page(query_page_html(spec, values, None, str(err)), _status_of(err), err)
        return html_page(query_page_html(spec, values, result, None))

    def bundled_results(request: Request) -> Response:
        spec = specs().get(request.path_params["name"])
        if spec is None:
            return PlainTextResponse(f"unknown query {request.path_params['name']!r}\n", 404)
        try:
            result = run(spec, bind_params(spec, query_params(request)))
            response = answer(result, request, request.query_params.get("format"))
        except (HttpError, KgError) as err:
            return plain_error(err)
        if "format" in request.query_params:
            name = negotiate(result.kind, None, request.query_params["format"])
            filename = f"{spec.name}.{DOWNLOAD_EXT[name]}"
            response.headers["content-disposition"] = f'attachment; filename="{filename}"'
        return response

    async def editor(request: Request) -> Response:
        text, error, result = "", None, None
        try:
            if request.method == "POST":
                media = request.headers.get("content-type", "").split(";")[0].strip().lower()
                if media != "application/x-www-form-urlencoded":
                    raise HttpError(
                        415, "send the editor's form (application/x-www-form-urlencoded)"
                    )
                form = parse_qs(decode(await read_body(request)), keep_blank_values=True)
                text = (form.get("query") or [""])[0]
            elif "from" in request.query_params:
                spec = specs().get(request.query_params["from"])
                if spec is None:
                    raise HttpError(404, f"unknown query {request.query_params['from']!r}")
                text = spec.text
            else:
                text = request.query_params.get("query", "")
            if request.method == "POST" or "query" in request.query_params:
                if not text.strip():
                    raise HttpError(400, "the query is empty")
                result = await run_in_threadpool(run, parse_header(text, name="query"), {})
        except HttpError as err:
            return html_page(editor_html(text, None, err.message), err.status)
        except KgError as err:
            return html_page(editor_html(text, None, str(err)), _status_of(err), err)
        if not text:
            text = (
                "SELECT ?s ?label WHERE {\n  ?s rdfs:label ?label .\n}\nORDER BY ?label\nLIMIT 50\n"
            )
        return html_page(editor_html(text, result, error))

    def iri_param(request: Request) -> str:
        raw = request.query_params.get("iri", "").strip()
        if not raw:
            raise HttpError(400, "missing the iri parameter")
        iri = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
        with contextlib.suppress(KeyError):  # another scheme (mailto:, tag:): as it is
            iri = expand(iri)
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise HttpError(400, f"{raw!r} is not an IRI") from None
        return iri

    def iri_page(request: Request, make: Callable[[ox.Store, str], str]) -> Response:
        """The page ``make`` computes, in a worker, for the ``iri`` parameter (404: unknown)."""
        try:
            return html_page(pool.call(make, iri_param(request), what="the page"))
        except HttpError as err:
            return html_error(err.status, err.message)
        except QueryError as err:
            return html_error(404, str(err))
        except KgError as err:
            return html_error(_status_of(err), str(err), err)

    def entity(request: Request) -> Response:
        return iri_page(request, entity_page)

    def source(request: Request) -> Response:
        return iri_page(request, source_page)

    def queries_json(request: Request) -> Response:
        from starlette.responses import JSONResponse

        return JSONResponse(
            [
                {
                    "name": s.name,
                    "title": s.title,
                    "question": s.question,
                    "params": [
                        {"name": p.name, "kind": p.kind, "required": p.required} for p in s.params
                    ],
                }
                for s in specs().values()
            ]
        )

    routes = [
        Route("/", index),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/queries", queries_json),
        Route("/queries/{name}", bundled),
        Route("/queries/{name}/results", bundled_results),
        Route("/editor", editor, methods=["GET", "POST"]),
        Route("/entity", entity),
        Route("/source", source),
        Route("/favicon.ico", lambda request: RedirectResponse("/static/favicon.svg", 301)),
        Mount("/static", app=StaticFiles(directory=WEB_DIR / "static"), name="static"),
    ]
    middleware = [
        Middleware(_SecurityHeaders),
        Middleware(_RequestGuard, allowed_hosts=allowed_hosts),
    ]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.workers = pool
    return app


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP spelled out: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on
    # connections whose socket says so. With Nagle on, every request after the first on
    # a kept-alive connection waited about 40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise UsageError(
            f"cannot listen on {host}:{port}: {err.strerror} (pick another --port)"
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock
