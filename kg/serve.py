"""kg serve: a read-only SPARQL 1.1 Protocol endpoint and web pages over the built graph.

Routes (all read-only):

- ``GET|POST /sparql``: the SPARQL 1.1 Protocol query operation
  (https://www.w3.org/TR/sparql11-protocol/#query-operation). Results as
  SPARQL JSON, XML, CSV or TSV (SELECT/ASK) or Turtle, N-Triples, JSON-LD
  (CONSTRUCT/DESCRIBE), chosen by the ``Accept`` header or a ``format``
  parameter. Updates, ``SERVICE``, ``LOAD`` and ``FROM`` are refused
  (:func:`kg.safety.check_query`).
- ``GET /``: the bundled queries with their questions and parameter fields.
- ``GET /queries/{name}``: a bundled query's answer as a table;
  ``/queries/{name}/results?format=csv``: the same as a download.
- ``GET|POST /editor``: a SPARQL editor; errors are shown in the page.
- ``GET /entity?iri=...``: label, types, statements in and out, evidence.
- ``GET /source?iri=...``: a document's text, every cited passage highlighted.

Everything the graph holds is untrusted text: it is escaped on the way out,
and a Content-Security-Policy forbids inline scripts.

>>> import pyoxigraph as ox
>>> print(to_xml(["s"], [(ox.NamedNode("http://e/a"),)]), end="")
<?xml version="1.0"?>
<sparql xmlns="http://www.w3.org/2005/sparql-results#">
  <head><variable name="s"/></head>
  <results>
    <result><binding name="s"><uri>http://e/a</uri></binding></result>
  </results>
</sparql>
"""

from __future__ import annotations

import contextlib
import html
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

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
from kg.limits import run_with_timeout
from kg.namespaces import GRAPH_INFERRED, GRAPH_ONTOLOGY, KG, PREFIXES, RDF, RDFS, expand
from kg.output import boolean_text, render_rows, shorten
from kg.queries import QuerySpec, list_queries, parse_header, queries_dir
from kg.query import QueryResult, bind_params, run_on_store
from kg.store import current_version, open_store

WEB_DIR = Path(__file__).resolve().parent / "web"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
MAX_BODY_BYTES = 1024 * 1024  # a query larger than 1 MiB is refused with 413
MAX_HTML_ROWS = 2000  # rows shown in a page; downloads carry them all
MAX_LITERAL_CHARS = 400  # longer literals are cut in the entity page
CONTEXT_CHARS = 160  # at most this much text each side of a quoted passage

# Result formats: name -> media types (the first is the one sent).
SELECT_FORMATS: dict[str, tuple[str, ...]] = {
    "json": ("application/sparql-results+json", "application/json"),
    "xml": ("application/sparql-results+xml", "application/xml", "text/xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
}
GRAPH_FORMATS: dict[str, tuple[str, ...]] = {
    "turtle": ("text/turtle",),
    "ntriples": ("application/n-triples",),
    "jsonld": ("application/ld+json",),
}
_DOWNLOAD_EXT = {"json": "srj", "xml": "srx", "csv": "csv", "tsv": "tsv"}

_RDF_TYPE = ox.NamedNode(RDF + "type")
_RDFS_LABEL = ox.NamedNode(RDFS + "label")
_SKOS_PREFLABEL = ox.NamedNode(PREFIXES["skos"] + "prefLabel")
_STATED_IN = ox.NamedNode(KG + "statedIn")
_IMPLIED_BY = ox.NamedNode(KG + "impliedBy")
_IN_DOCUMENT = ox.NamedNode(KG + "inDocument")
_EXACT = ox.NamedNode(KG + "exact")
_START = ox.NamedNode(KG + "start")
_END = ox.NamedNode(KG + "end")
_FULL_TEXT = ox.NamedNode(KG + "fullText")
_EVIDENCE_PREDICATES = {_STATED_IN.value: "stated", _IMPLIED_BY.value: "implied"}


# --------------------------------------------------------------------------- results


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{xml_escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{xml_escape(term.value)}</bnode>"
    attrs = ""
    if term.language:
        attrs = f" xml:lang={quoteattr(term.language)}"
    elif term.datatype.value != PREFIXES["xsd"] + "string":
        attrs = f" datatype={quoteattr(term.datatype.value)}"
    return f"<literal{attrs}>{xml_escape(term.value)}</literal>"


def to_xml(variables: list[str], rows: list[tuple]) -> str:
    """SPARQL Query Results XML Format (https://www.w3.org/TR/rdf-sparql-XMLres/)."""
    head = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
    lines = [
        '<?xml version="1.0"?>',
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
        f"  <head>{head}</head>",
        "  <results>",
    ]
    for row in rows:
        bindings = "".join(
            f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
            for v, t in zip(variables, row, strict=True)
            if t is not None
        )
        lines.append(f"    <result>{bindings}</result>")
    lines += ["  </results>", "</sparql>"]
    return "\n".join(lines) + "\n"


def boolean_xml(value: bool) -> str:
    """An ASK answer in the SPARQL Query Results XML Format."""
    return (
        '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
        f"  <head/>\n  <boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n"
    )


def render_result(result: QueryResult, format_name: str) -> bytes:
    """A query answer in one of :data:`SELECT_FORMATS` or :data:`GRAPH_FORMATS`."""
    if result.kind == "select":
        if format_name == "xml":
            return to_xml(result.variables, result.rows).encode("utf-8")
        return render_rows(result.variables, result.rows, format_name).encode("utf-8")
    if result.kind == "ask":
        if format_name == "xml":
            return boolean_xml(bool(result.boolean)).encode("utf-8")
        return boolean_text(bool(result.boolean), format_name).encode("utf-8")
    from kg.rdfio import serialize

    return serialize(
        (ox.Quad(t.subject, t.predicate, t.object) for t in result.triples), format_name
    )


def _accept_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))
    return ranges


def _quality(ranges: list[tuple[str, float]], media: str) -> float:
    """The q of the most specific range matching ``media`` (RFC 9110, section 12.5.1)."""
    best: tuple[int, float] | None = None
    for pattern, q in ranges:
        if pattern == media:
            rank = 3
        elif pattern.endswith("/*") and media.startswith(pattern[:-1]):
            rank = 2
        elif pattern == "*/*":
            rank = 1
        else:
            continue
        if best is None or rank > best[0]:
            best = (rank, q)
    return best[1] if best else 0.0


def negotiate(kind: str, accept: str | None, format_param: str | None) -> str:
    """The result format for a ``kind`` of answer: ``format`` first, then ``Accept``.

    >>> negotiate("select", "text/csv;q=0.5, application/sparql-results+xml", None)
    'xml'
    >>> negotiate("select", "text/html,*/*;q=0.8", None)
    'json'
    >>> negotiate("graph", None, "ntriples")
    'ntriples'
    """
    formats = GRAPH_FORMATS if kind == "graph" else SELECT_FORMATS
    if format_param:
        wanted = format_param.strip().lower()
        for name, media_types in formats.items():
            if wanted == name or wanted in media_types:
                return name
        raise _HttpError(
            400,
            f"format {format_param!r} is not available for this query"
            f" (use one of: {', '.join(formats)})",
        )
    if not accept or not accept.strip():
        return next(iter(formats))
    ranges = _accept_ranges(accept)
    best_name, best_q = None, 0.0
    for name, media_types in formats.items():
        q = max(_quality(ranges, m) for m in media_types)
        if q > best_q:
            best_name, best_q = name, q
    if best_name is None:
        offered = ", ".join(m[0] for m in formats.values())
        raise _HttpError(406, f"none of the accepted media types can be sent (offered: {offered})")
    return best_name


# --------------------------------------------------------------------------- store


class StoreHandle:
    """The built store, opened read-only, and opened again after a new ``kg build``.

    ``kg build`` writes a new version and removes the old one, so a long-running
    server looks at ``CURRENT`` on each request rather than holding one version.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._version: Path | None = None
        self._store: ox.Store | None = None
        self.get()

    def get(self) -> ox.Store:
        """The store of the version in use."""
        version = current_version(self.root)
        with self._lock:
            if self._store is None or version != self._version:
                self._store = open_store(self.root)
                self._version = version
            return self._store


# --------------------------------------------------------------------------- graph views


def label_of(store: ox.Store, node) -> str:
    """A node's ``rdfs:label`` (else ``skos:prefLabel``), else its shortened IRI.

    Several labels: one without language or in English first, then the first in order.
    """
    if isinstance(node, ox.Literal):
        return node.value
    if isinstance(node, ox.BlankNode):
        return f"_:{node.value}"
    for predicate in (_RDFS_LABEL, _SKOS_PREFLABEL):
        labels = {
            q.object
            for q in store.quads_for_pattern(node, predicate, None, None)
            if isinstance(q.object, ox.Literal)
        }
        if labels:
            best = min(labels, key=lambda t: (t.language not in (None, "", "en"), t.value))
            return best.value
    return shorten(node.value)


@dataclass
class Evidence:
    """One passage a node rests on: a text span of a document."""

    span: str
    support: str  # "stated" or "implied"
    document: str | None
    document_label: str
    exact: str
    start: int | None
    end: int | None
    text: str | None  # the document's full text when it is in the graph and the offsets fit

    @property
    def anchor(self) -> str:
        return f"span-{self.start}-{self.end}"


@dataclass
class Statement:
    """A triple about the entity, with the graphs it is in."""

    subject: object
    predicate: ox.NamedNode
    object: object
    graphs: list[str]

    @property
    def inferred_only(self) -> bool:
        return self.graphs == [GRAPH_INFERRED]


@dataclass
class EntityView:
    """What the entity page shows."""

    iri: str
    label: str
    labels: list[str]
    types: list[ox.NamedNode]
    outgoing: list[Statement]
    incoming: list[Statement]
    evidence: list[Evidence]
    incoming_evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    has_text: bool = False


def _literal_int(store: ox.Store, node, predicate) -> int | None:
    for quad in store.quads_for_pattern(node, predicate, None, None):
        try:
            return int(quad.object.value)
        except (ValueError, AttributeError):
            return None
    return None


def _first_literal(store: ox.Store, node, predicate) -> str | None:
    for quad in store.quads_for_pattern(node, predicate, None, None):
        if isinstance(quad.object, ox.Literal):
            return quad.object.value
    return None


def evidence_of(
    store: ox.Store, node, texts: dict[str, str | None] | None = None
) -> list[Evidence]:
    """The passages ``node`` is stated in or implied by, in document and text order."""
    texts = {} if texts is None else texts
    found: dict[tuple[str, str], Evidence] = {}
    for predicate, support in ((_STATED_IN, "stated"), (_IMPLIED_BY, "implied")):
        for quad in store.quads_for_pattern(node, predicate, None, None):
            span = quad.object
            if not isinstance(span, ox.NamedNode) or (span.value, support) in found:
                continue
            document = next(
                (q.object for q in store.quads_for_pattern(span, _IN_DOCUMENT, None, None)), None
            )
            exact = _first_literal(store, span, _EXACT) or ""
            start, end = _literal_int(store, span, _START), _literal_int(store, span, _END)
            text = None
            if isinstance(document, ox.NamedNode):
                if document.value not in texts:
                    texts[document.value] = _first_literal(store, document, _FULL_TEXT)
                full = texts[document.value]
                # Offsets that do not point at the quote are not trusted for context.
                if (
                    full is not None
                    and start is not None
                    and end is not None
                    and 0 <= start <= end <= len(full)
                    and full[start:end] == exact
                ):
                    text = full
            found[(span.value, support)] = Evidence(
                span=span.value,
                support=support,
                document=document.value if isinstance(document, ox.NamedNode) else None,
                document_label=label_of(store, document) if document is not None else "",
                exact=exact,
                start=start,
                end=end,
                text=text,
            )
    return sorted(
        found.values(),
        key=lambda e: (e.document_label, e.document or "", e.start or 0, e.end or 0, e.support),
    )


def _statements(quads: Iterable[ox.Quad]) -> list[Statement]:
    grouped: dict[tuple, Statement] = {}
    for quad in quads:
        graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        key = (str(quad.subject), str(quad.predicate), str(quad.object))
        if key not in grouped:
            grouped[key] = Statement(quad.subject, quad.predicate, quad.object, [])
        if graph not in grouped[key].graphs:
            grouped[key].graphs.append(graph)
    for statement in grouped.values():
        statement.graphs.sort()
    return list(grouped.values())


def entity_view(store: ox.Store, iri: str) -> EntityView:
    """Everything the graph says about ``iri``, and where the text says it.

    Raises :class:`QueryError` when the graph has no statement about ``iri``.
    """
    node = ox.NamedNode(iri)
    outgoing = _statements(store.quads_for_pattern(node, None, None, None))
    incoming = _statements(store.quads_for_pattern(None, None, node, None))
    if not outgoing and not incoming:
        raise QueryError(f"the graph says nothing about <{iri}>")
    labels = sorted(
        {s.object.value for s in outgoing if s.predicate == _RDFS_LABEL and s.object.value}
    )
    types = sorted(
        {
            s.object
            for s in outgoing
            if s.predicate == _RDF_TYPE and isinstance(s.object, ox.NamedNode)
        },
        key=lambda t: t.value,
    )
    texts: dict[str, str | None] = {}
    evidence = evidence_of(store, node, texts)
    spans = {e.span for e in evidence}
    # Links to its own passages (and their inferred super-properties) are the Evidence section.
    shown_out = [
        s
        for s in outgoing
        if s.predicate not in (_RDF_TYPE, _RDFS_LABEL)
        and s.predicate.value not in _EVIDENCE_PREDICATES
        and not (isinstance(s.object, ox.NamedNode) and s.object.value in spans)
    ]
    predicate_labels = {
        s.predicate.value: label_of(store, s.predicate) for s in outgoing + incoming
    }
    shown_out.sort(
        key=lambda s: (predicate_labels[s.predicate.value], s.predicate.value, str(s.object))
    )
    incoming.sort(
        key=lambda s: (
            predicate_labels[s.predicate.value],
            label_of(store, s.subject),
            str(s.subject),
        )
    )
    incoming_evidence = {
        str(s.subject): evidence_of(store, s.subject, texts)
        for s in incoming
        if isinstance(s.subject, ox.NamedNode)
    }
    return EntityView(
        iri=iri,
        label=label_of(store, node),
        labels=labels,
        types=types,
        outgoing=shown_out,
        incoming=incoming,
        evidence=evidence,
        incoming_evidence=incoming_evidence,
        has_text=any(s.predicate == _FULL_TEXT for s in outgoing),
    )


@dataclass
class Citation:
    """A passage of a document and the nodes it supports."""

    span: str
    exact: str
    start: int
    end: int
    supports: list[tuple[str, str, str]]  # (node IRI, label, "stated" or "implied")
    fits: bool  # whether the offsets point at the quote in the text

    @property
    def anchor(self) -> str:
        return f"span-{self.start}-{self.end}"


@dataclass
class SourceView:
    """What the source page shows."""

    iri: str
    label: str
    types: list[ox.NamedNode]
    text: str
    citations: list[Citation]


def source_view(store: ox.Store, iri: str) -> SourceView:
    """A document's full text and every passage of it the graph cites."""
    node = ox.NamedNode(iri)
    text = _first_literal(store, node, _FULL_TEXT)
    if text is None:
        raise QueryError(f"<{iri}> is not a document whose text is in the graph")
    citations = []
    seen: set[str] = set()
    for quad in store.quads_for_pattern(None, _IN_DOCUMENT, node, None):
        span = quad.subject
        if not isinstance(span, ox.NamedNode) or span.value in seen:
            continue
        seen.add(span.value)
        start, end = _literal_int(store, span, _START), _literal_int(store, span, _END)
        if start is None or end is None:
            continue
        exact = _first_literal(store, span, _EXACT) or ""
        supports = set()
        for predicate, support in ((_STATED_IN, "stated"), (_IMPLIED_BY, "implied")):
            for cite in store.quads_for_pattern(None, predicate, span, None):
                if isinstance(cite.subject, ox.NamedNode):
                    supports.add((cite.subject.value, label_of(store, cite.subject), support))
        fits = 0 <= start < end <= len(text) and text[start:end] == exact
        citations.append(
            Citation(
                span.value,
                exact,
                start,
                end,
                sorted(supports, key=lambda s: (s[1], s[0], s[2])),
                fits,
            )
        )
    citations.sort(key=lambda c: (c.start, c.end, c.span))
    types = sorted(
        {
            q.object
            for q in store.quads_for_pattern(node, _RDF_TYPE, None, None)
            if isinstance(q.object, ox.NamedNode)
        },
        key=lambda t: t.value,
    )
    return SourceView(iri, label_of(store, node), types, text, citations)


def documents(store: ox.Store) -> list[tuple[str, str]]:
    """(IRI, label) of every document whose text is in the graph, by label."""
    found = {q.subject.value for q in store.quads_for_pattern(None, _FULL_TEXT, None, None)}
    return sorted(
        ((iri, label_of(store, ox.NamedNode(iri))) for iri in found), key=lambda d: (d[1], d[0])
    )


def excerpt_bounds(text: str, start: int, end: int, limit: int = CONTEXT_CHARS) -> tuple[int, int]:
    """The sentence (or line) around ``text[start:end]``, at most ``limit`` characters each side.

    >>> text = "One. Two sentences here. Three."
    >>> a, b = excerpt_bounds(text, 9, 18)
    >>> text[a:b]
    'Two sentences here.'
    """
    left = max(start - limit, 0)
    for i in range(start - 1, left - 1, -1):
        if text[i] == "\n" or (text[i] in ".!?" and i + 1 < start and text[i + 1] == " "):
            left = i + 1
            break
    right = min(end + limit, len(text))
    for i in range(end, right):
        if text[i] == "\n":
            right = i
            break
        if text[i] in ".!?" and (i + 1 == len(text) or text[i + 1] in " \n"):
            right = i + 1
            break
    while left < start and text[left] in " \t":
        left += 1
    return left, right


# --------------------------------------------------------------------------- HTML


def h(value: object) -> str:
    """Escape text for HTML, quotes included: everything from the graph is untrusted."""
    return html.escape(str(value), quote=True)


def entity_url(iri: str) -> str:
    return "/entity?" + urlencode({"iri": iri})


def source_url(iri: str, anchor: str | None = None) -> str:
    return "/source?" + urlencode({"iri": iri}) + (f"#{anchor}" if anchor else "")


def _term_html(store: ox.Store, term, labelled: bool = True) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        short = shorten(term.value)
        label = label_of(store, term) if labelled else short
        title = f' title="{h(term.value)}"'
        if label != short:
            return f'<a href="{h(entity_url(term.value))}"{title}>{h(label)}</a>'
        return f'<a href="{h(entity_url(term.value))}"{title}><code>{h(short)}</code></a>'
    if isinstance(term, ox.BlankNode):
        return f"<code>_:{h(term.value)}</code>"
    value = term.value
    cut = ""
    if len(value) > MAX_LITERAL_CHARS:
        cut = f' <span class="muted">… ({len(value)} characters)</span>'
        value = value[:MAX_LITERAL_CHARS]
    suffix = ""
    if term.language:
        suffix = f' <span class="muted">@{h(term.language)}</span>'
    elif term.datatype.value != PREFIXES["xsd"] + "string":
        suffix = f' <span class="muted">{h(shorten(term.datatype.value))}</span>'
    return f'<span class="literal">{h(value)}</span>{cut}{suffix}'


def _cell_html(term) -> str:
    """A result cell: IRIs link to their entity page (shortened), literals as text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return (
            f'<a href="{h(entity_url(term.value))}" title="{h(term.value)}">'
            f"{h(shorten(term.value))}</a>"
        )
    if isinstance(term, ox.BlankNode):
        return f"_:{h(term.value)}"
    return h(term.value)


def page(title: str, body: str) -> str:
    """A whole HTML page around ``body`` (already escaped)."""
    from kg import __version__

    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{h(title)} · kg</title>\n"
        '<link rel="stylesheet" href="/static/style.css">\n'
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">\n'
        '<script src="/static/app.js" defer></script>\n'
        "</head>\n<body>\n"
        '<header class="top"><a class="brand" href="/">kg</a>'
        '<nav><a href="/#queries">Questions</a><a href="/editor">SPARQL editor</a>'
        '<a href="/#sources">Sources</a></nav>'
        '<span class="badge">read-only</span></header>\n'
        f"<main>\n{body}\n</main>\n"
        f"<footer>kg {h(__version__)} · SPARQL 1.1 endpoint at <code>/sparql</code></footer>\n"
        "</body>\n</html>\n"
    )


def results_table_html(result: QueryResult) -> str:
    """A query answer as an HTML table: IRIs as links to their entity pages."""
    if result.kind == "ask":
        return f'<p class="boolean" id="answer">{"true" if result.boolean else "false"}</p>'
    if result.kind == "select":
        variables, rows = result.variables, result.rows
    else:
        variables = ["subject", "predicate", "object"]
        rows = [(t.subject, t.predicate, t.object) for t in result.triples]
    count = len(rows)
    note = ""
    if count > MAX_HTML_ROWS:
        note = (
            f'<p class="muted">The first {MAX_HTML_ROWS} rows are shown; downloads carry all.</p>'
        )
        rows = rows[:MAX_HTML_ROWS]
    head = "".join(f"<th>{h(v)}</th>" for v in variables)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{_cell_html(t)}</td>" for t in row) + "</tr>" for row in rows
    )
    return (
        f'<p class="count" id="count">{count} row{"" if count == 1 else "s"}</p>{note}\n'
        f'<div class="scroll"><table id="results">\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table></div>"
    )


def _error_html(message: str) -> str:
    return f'<p class="error" id="error" role="alert">{h(message)}</p>'


def _param_fields_html(spec: QuerySpec, values: dict[str, str]) -> str:
    fields = []
    for param in spec.params:
        required = " required" if param.required else ""
        placeholder = {"iri": "kgr:… or https://…", "date": "YYYY-MM-DD"}.get(
            param.kind, param.kind
        )
        fields.append(
            f'<label class="param">{h(param.name)} <span class="muted">({h(param.kind)}'
            f"{'' if param.required else ', optional'})</span>"
            f'<input type="text" name="{h(param.name)}" value="{h(values.get(param.name, ""))}"'
            f' placeholder="{h(placeholder)}"{required}>'
            f'<span class="hint">{h(param.description)}</span></label>'
        )
    return "".join(fields)


def index_html(specs: list[QuerySpec], docs: list[tuple[str, str]], triples: int) -> str:
    """The front page: every bundled query as a one-click form, and the sources."""
    items = []
    for spec in specs:
        items.append(
            f'<article class="query" id="q-{h(spec.name)}">\n'
            f"<h3>{h(spec.title or spec.name)} <code>{h(spec.name)}</code></h3>\n"
            f'<p class="question">{h(spec.question)}</p>\n'
            f'<form method="get" action="/queries/{h(spec.name)}">'
            f"{_param_fields_html(spec, {})}"
            f'<button type="submit" class="run" data-query="{h(spec.name)}">Run</button> '
            f'<a href="/editor?{h(urlencode({"from": spec.name}))}">open in the editor</a>'
            "</form>\n</article>"
        )
    sources = "\n".join(
        f'<li><a href="{h(source_url(iri))}">{h(label)}</a></li>' for iri, label in docs
    )
    return page(
        "Ask the graph",
        f"<h1>Ask the graph</h1>\n<p>{triples} triples, read-only. Pick a question and run it,"
        ' or write your own in the <a href="/editor">SPARQL editor</a>. Every IRI leads to a'
        " page with the passages of the sources it rests on.</p>\n"
        f'<section id="queries"><h2>Questions</h2>\n{"".join(items)}\n</section>\n'
        f'<section id="sources"><h2>Sources</h2>\n<ul>{sources or "<li>none</li>"}</ul></section>',
    )


def query_page_html(
    spec: QuerySpec, values: dict[str, str], result: QueryResult | None, error: str | None
) -> str:
    """A bundled query's page: its form, then its answer or its error."""
    downloads = ""
    if result is not None:
        links = []
        for name in ("csv", "json", "tsv", "xml"):
            url = f"/queries/{spec.name}/results?" + urlencode({**values, "format": name})
            filename = f"{spec.name}.{_DOWNLOAD_EXT[name]}"
            links.append(
                f'<a class="download" href="{h(url)}" download="{h(filename)}">{name.upper()}</a>'
            )
        downloads = f'<p class="downloads">Download: {" ".join(links)}</p>'
    body = (
        f"<h1>{h(spec.title or spec.name)}</h1>\n"
        f'<p class="question">{h(spec.question)}</p>\n'
        f'<form method="get" action="/queries/{h(spec.name)}">{_param_fields_html(spec, values)}'
        f'<button type="submit" class="run">Run</button> '
        f'<a href="/editor?{h(urlencode({"from": spec.name}))}">open in the editor</a></form>\n'
        + (_error_html(error) if error else "")
        + downloads
        + (results_table_html(result) if result is not None else "")
    )
    return page(spec.title or spec.name, body)


def editor_html(text: str, result: QueryResult | None, error: str | None) -> str:
    """The SPARQL editor, with the answer or the error under it."""
    downloads = ""
    if result is not None:
        names = ("turtle", "ntriples") if result.kind == "graph" else ("csv", "json", "tsv", "xml")
        links = " ".join(
            f'<a class="download" href="{h("/sparql?" + urlencode({"query": text, "format": n}))}">'
            f"{n.upper()}</a>"
            for n in names
        )
        downloads = f'<p class="downloads">Download: {links}</p>'
    body = (
        "<h1>SPARQL editor</h1>\n"
        "<p>Read-only: SELECT, ASK, CONSTRUCT and DESCRIBE over the union of all graphs,"
        " inferences included. Prefixes such as <code>kg:</code>, <code>kgr:</code>,"
        " <code>rdfs:</code> are predeclared. Ctrl+Enter runs.</p>\n"
        '<form method="post" action="/editor" id="editor-form">'
        f'<textarea name="query" id="editor" rows="14" spellcheck="false">{h(text)}</textarea>'
        '<button type="submit" class="run" id="run-editor">Run</button></form>\n'
        + (_error_html(error) if error else "")
        + downloads
        + (results_table_html(result) if result is not None else "")
    )
    return page("SPARQL editor", body)


def _mark_excerpt_html(evidence: Evidence) -> str:
    """The sentence around a quoted passage, the passage highlighted."""
    link = ""
    if evidence.document:
        link = (
            f' <a class="source" href="{h(source_url(evidence.document, evidence.anchor))}">'
            f"{h(evidence.document_label)}</a>"
        )
    if evidence.text is None:
        quote = f'<mark class="quote">{h(evidence.exact)}</mark>'
        where = ' <span class="muted">(the source text is not in the graph)</span>'
        return (
            f'<blockquote class="evidence {h(evidence.support)}">{quote}{where}'
            f'<span class="support">{h(evidence.support)}</span>{link}</blockquote>'
        )
    text, start, end = evidence.text, evidence.start, evidence.end
    assert start is not None and end is not None
    left, right = excerpt_bounds(text, start, end)
    before = ("…" if left > 0 and text[left - 1] != "\n" else "") + text[left:start]
    after = text[end:right] + ("…" if right < len(text) and text[right] != "\n" else "")
    return (
        f'<blockquote class="evidence {h(evidence.support)}">'
        f'<span class="context">{h(before)}<mark class="quote">{h(text[start:end])}</mark>'
        f'{h(after)}</span> <span class="support">{h(evidence.support)}</span>{link}</blockquote>'
    )


def _graph_html(graphs: list[str]) -> str:
    names = []
    for graph in graphs:
        if graph == GRAPH_INFERRED:
            names.append(
                '<span class="tag inferred" title="derived by OWL 2 RL reasoning">inferred</span>'
            )
        elif graph == GRAPH_ONTOLOGY:
            names.append('<span class="tag">ontology</span>')
        else:
            names.append(f'<span class="tag">{h(shorten(graph) if graph else "default")}</span>')
    return " ".join(names)


def entity_html(store: ox.Store, view: EntityView) -> str:
    """The entity page."""
    types = ", ".join(_term_html(store, t) for t in view.types) or '<span class="muted">none</span>'
    other_labels = [label for label in view.labels if label != view.label]
    evidence = "\n".join(
        f'<li id="ev-{i}">{_mark_excerpt_html(e)}</li>' for i, e in enumerate(view.evidence, 1)
    )
    evidence_refs = " ".join(
        f'<a href="#ev-{i}" class="ref">{h(e.exact[:60] + ("…" if len(e.exact) > 60 else ""))}</a>'
        for i, e in enumerate(view.evidence, 1)
    )
    out_rows = []
    for s in view.outgoing:
        if s.inferred_only:
            why = '<span class="muted">derived by reasoning; no passage of its own</span>'
        elif GRAPH_ONTOLOGY in s.graphs or not view.evidence:
            why = '<span class="muted">no passage</span>'
        else:
            why = evidence_refs
        out_rows.append(
            f'<tr><td title="{h(s.predicate.value)}">{h(label_of(store, s.predicate))}</td>'
            f"<td>{_term_html(store, s.object)}</td><td>{_graph_html(s.graphs)}</td>"
            f'<td class="ev">{why}</td></tr>'
        )
    in_rows = []
    for s in view.incoming:
        ev = view.incoming_evidence.get(str(s.subject), [])
        if s.inferred_only:
            why = '<span class="muted">derived by reasoning; no passage of its own</span>'
        elif s.predicate.value in _EVIDENCE_PREDICATES:
            why = '<span class="muted">cites this passage</span>'
        else:
            why = (
                "".join(_mark_excerpt_html(e) for e in ev)
                or '<span class="muted">no passage</span>'
            )
        in_rows.append(
            f"<tr><td>{_term_html(store, s.subject)}</td>"
            f'<td title="{h(s.predicate.value)}">{h(label_of(store, s.predicate))}</td>'
            f"<td>{_graph_html(s.graphs)}</td>"
            f'<td class="ev">{why}</td></tr>'
        )
    text_link = ""
    if view.has_text:
        text_link = (
            f'<p><a href="{h(source_url(view.iri))}" id="read-source">'
            "Read the text with its cited passages</a></p>"
        )
    body = (
        f'<h1 id="label">{h(view.label)}</h1>\n'
        f'<p class="iri"><code>{h(view.iri)}</code></p>\n'
        + (f"<p>Also labelled: {h('; '.join(other_labels))}</p>\n" if other_labels else "")
        + f'<p id="types">Types: {types}</p>\n{text_link}'
        + '<section id="evidence"><h2>Evidence</h2>\n'
        + (
            f'<ol class="evidence-list">{evidence}</ol>'
            if evidence
            else '<p class="muted">No passage of a source is recorded for this node.</p>'
        )
        + "</section>\n"
        + '<section id="out"><h2>Statements</h2>\n'
        + (
            '<div class="scroll"><table id="statements-out"><thead><tr><th>property</th>'
            "<th>value</th><th>graph</th><th>evidence</th></tr></thead><tbody>\n"
            + "\n".join(out_rows)
            + "\n</tbody></table></div>"
            if out_rows
            else '<p class="muted">none</p>'
        )
        + "</section>\n"
        + '<section id="in"><h2>Statements about it</h2>\n'
        + (
            '<div class="scroll"><table id="statements-in"><thead><tr><th>subject</th>'
            "<th>property</th><th>graph</th><th>evidence</th></tr></thead><tbody>\n"
            + "\n".join(in_rows)
            + "\n</tbody></table></div>"
            if in_rows
            else '<p class="muted">none</p>'
        )
        + "</section>"
    )
    return page(view.label, body)


def highlighted_text_html(text: str, citations: list[Citation]) -> str:
    """``text`` with every cited passage marked; a passage inside others links to itself.

    >>> c = Citation("s", "b", 1, 2, [], True)
    >>> print(highlighted_text_html("abc", [c]).replace("><", ">\\n<"))
    a<span class="anchor" id="span-1-2">
    </span>
    <mark class="cite depth-1" data-spans="span-1-2">
    <a href="#cite-span-1-2">b</a>
    </mark>c
    """
    usable = [c for c in citations if c.fits]
    cuts = sorted({0, len(text), *(c.start for c in usable), *(c.end for c in usable)})
    starts: dict[int, list[Citation]] = {}
    for c in usable:
        starts.setdefault(c.start, []).append(c)
    parts = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        for c in starts.get(a, []):
            parts.append(f'<span class="anchor" id="{h(c.anchor)}"></span>')
        covering = [c for c in usable if c.start <= a and b <= c.end]
        segment = h(text[a:b])
        if not covering:
            parts.append(segment)
            continue
        inner = min(covering, key=lambda c: (c.end - c.start, c.start))
        names = " ".join(c.anchor for c in covering)
        depth = min(len(covering), 3)
        parts.append(
            f'<mark class="cite depth-{depth}" data-spans="{h(names)}">'
            f'<a href="#cite-{h(inner.anchor)}">{segment}</a></mark>'
        )
    return "".join(parts)


def source_html(store: ox.Store, view: SourceView) -> str:
    """The source page: the text, cited passages marked, and what each supports."""
    items = []
    for c in view.citations:
        supports = (
            ", ".join(
                f'<a href="{h(entity_url(iri))}">{h(label)}</a>'
                f' <span class="support">{h(kind)}</span>'
                for iri, label, kind in c.supports
            )
            or '<span class="muted">nothing</span>'
        )
        warning = (
            "" if c.fits else ' <span class="error">(the offsets do not match the text)</span>'
        )
        items.append(
            f'<li id="cite-{h(c.anchor)}"><a href="#{h(c.anchor)}"><q>{h(c.exact)}</q></a>'
            f' <span class="muted">{c.start}–{c.end}</span>{warning}<br>supports: {supports}</li>'
        )
    types = ", ".join(_term_html(store, t) for t in view.types)
    body = (
        f'<h1 id="label">{h(view.label)}</h1>\n'
        f'<p class="iri"><a href="{h(entity_url(view.iri))}"><code>{h(view.iri)}</code></a>'
        f" · {types} · {len(view.citations)} cited passages</p>\n"
        f'<div class="fulltext" id="fulltext">'
        f"{highlighted_text_html(view.text, view.citations)}</div>\n"
        f'<section id="citations"><h2>Cited passages</h2>\n<ol>{"".join(items)}</ol></section>'
    )
    return page(view.label, body)


# --------------------------------------------------------------------------- app


class _HttpError(Exception):
    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message
        super().__init__(message)


def _status_of(err: KgError) -> int:
    if isinstance(err, UnsafeOperationError):
        return 403
    if isinstance(err, (ResourceLimitError, StoreError)):
        return 503
    if isinstance(err, (QueryError, UsageError, InputError)):
        return 400
    return 500


READ_ONLY_MESSAGE = "this endpoint is read-only: SPARQL Update is refused (use kg add to add data)"
_SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
        b" form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
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


def create_app(
    store: Path | str,
    *,
    queries: Path | None = None,
    timeout: float | None = None,
    allowed_hosts: list[str] | None = None,
):
    """The Starlette application serving the built graph in ``store``, read-only.

    ``queries`` is the folder of ``.rq`` files listed on the front page (the
    bundled queries by default). ``allowed_hosts`` guards against DNS rebinding:
    requests whose ``Host`` is not listed are refused (all hosts when None).

    >>> app = create_app("build")  # doctest: +SKIP
    """
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    handle = StoreHandle(Path(store))
    folder = Path(queries) if queries else queries_dir()

    def specs() -> dict[str, QuerySpec]:
        return {s.name: s for s in list_queries(folder)}

    def run(spec: QuerySpec, bindings: dict) -> QueryResult:
        oxstore = handle.get()
        return run_with_timeout(lambda: run_on_store(oxstore, spec, bindings), timeout, "the query")

    def html_page(text: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(text, status_code=status)

    def html_error(status: int, message: str) -> HTMLResponse:
        return html_page(page("Error", f"<h1>Error</h1>\n{_error_html(message)}"), status)

    async def read_body(request: Request) -> bytes:
        size, chunks = 0, []
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise _HttpError(413, f"the request body is larger than {MAX_BODY_BYTES} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def decode(data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise _HttpError(400, f"the request is not UTF-8 (byte {err.start})") from None

    async def protocol_params(request: Request) -> dict[str, list[str]]:
        params: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            params.setdefault(key, []).append(value)
        if request.method == "POST":
            media = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if media == "application/sparql-update":
                raise _HttpError(403, READ_ONLY_MESSAGE)
            if media == "application/x-www-form-urlencoded":
                body = decode(await read_body(request))
                for key, values in parse_qs(body, keep_blank_values=True).items():
                    params.setdefault(key, []).extend(values)
            elif media == "application/sparql-query":
                params.setdefault("query", []).append(decode(await read_body(request)))
            else:
                raise _HttpError(
                    415,
                    "send the query as application/sparql-query or"
                    " application/x-www-form-urlencoded",
                )
        if "update" in params:
            raise _HttpError(403, READ_ONLY_MESSAGE)
        for key in ("default-graph-uri", "named-graph-uri"):
            if key in params:
                raise _HttpError(
                    400,
                    f"{key} is not supported: the default graph is the union of all graphs;"
                    " use GRAPH <iri> { ... } to pick one",
                )
        for key in ("query", "format"):
            if len(params.get(key, [])) > 1:
                raise _HttpError(400, f"give the {key} parameter once")
        if not params.get("query") or not params["query"][0].strip():
            raise _HttpError(400, "missing the query parameter")
        return params

    def answer(result: QueryResult, request: Request, format_param: str | None) -> Response:
        name = negotiate(result.kind, request.headers.get("accept"), format_param)
        formats = GRAPH_FORMATS if result.kind == "graph" else SELECT_FORMATS
        media = formats[name][0]
        if media.startswith("text/"):
            media += "; charset=utf-8"
        return Response(render_result(result, name), media_type=media, headers={"vary": "Accept"})

    async def sparql(request: Request) -> Response:
        try:
            params = await protocol_params(request)
            spec = parse_header(params["query"][0], name="query")
            result = await run_in_threadpool(run, spec, {})
            return answer(result, request, (params.get("format") or [None])[0])
        except _HttpError as err:
            return PlainTextResponse(err.message + "\n", status_code=err.status)
        except KgError as err:
            return PlainTextResponse(str(err) + "\n", status_code=_status_of(err))

    def query_params(request: Request) -> dict[str, str]:
        return {k: v for k, v in request.query_params.items() if k != "format" and v != ""}

    def index(request: Request) -> Response:
        oxstore = handle.get()
        return html_page(index_html(list(specs().values()), documents(oxstore), len(oxstore)))

    def bundled(request: Request) -> Response:
        spec = specs().get(request.path_params["name"])
        if spec is None:
            return html_error(404, f"unknown query {request.path_params['name']!r}")
        values = query_params(request)
        try:
            result = run(spec, bind_params(spec, values))
        except KgError as err:
            return html_page(query_page_html(spec, values, None, str(err)), _status_of(err))
        return html_page(query_page_html(spec, values, result, None))

    def bundled_results(request: Request) -> Response:
        spec = specs().get(request.path_params["name"])
        if spec is None:
            return PlainTextResponse(f"unknown query {request.path_params['name']!r}\n", 404)
        try:
            result = run(spec, bind_params(spec, query_params(request)))
            response = answer(result, request, request.query_params.get("format"))
        except _HttpError as err:
            return PlainTextResponse(err.message + "\n", status_code=err.status)
        except KgError as err:
            return PlainTextResponse(str(err) + "\n", status_code=_status_of(err))
        if "format" in request.query_params:
            name = negotiate(result.kind, None, request.query_params["format"])
            ext = _DOWNLOAD_EXT.get(name, {"turtle": "ttl", "ntriples": "nt"}.get(name, "jsonld"))
            response.headers["content-disposition"] = f'attachment; filename="{spec.name}.{ext}"'
        return response

    async def editor(request: Request) -> Response:
        text, error, result = "", None, None
        try:
            if request.method == "POST":
                media = request.headers.get("content-type", "").split(";")[0].strip().lower()
                if media != "application/x-www-form-urlencoded":
                    raise _HttpError(
                        415, "send the editor's form (application/x-www-form-urlencoded)"
                    )
                form = parse_qs(decode(await read_body(request)), keep_blank_values=True)
                text = (form.get("query") or [""])[0]
            elif "from" in request.query_params:
                spec = specs().get(request.query_params["from"])
                if spec is None:
                    raise _HttpError(404, f"unknown query {request.query_params['from']!r}")
                text = spec.text
            else:
                text = request.query_params.get("query", "")
            if request.method == "POST" or "query" in request.query_params:
                if not text.strip():
                    raise _HttpError(400, "the query is empty")
                result = await run_in_threadpool(run, parse_header(text, name="query"), {})
        except _HttpError as err:
            return html_page(editor_html(text, None, err.message), err.status)
        except KgError as err:
            return html_page(editor_html(text, None, str(err)), _status_of(err))
        if not text:
            text = (
                "SELECT ?s ?label WHERE {\n  ?s rdfs:label ?label .\n}\nORDER BY ?label\nLIMIT 50\n"
            )
        return html_page(editor_html(text, result, error))

    def iri_param(request: Request) -> str:
        raw = request.query_params.get("iri", "").strip()
        if not raw:
            raise _HttpError(400, "missing the iri parameter")
        iri = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
        with contextlib.suppress(KeyError):  # another scheme (mailto:, tag:): as it is
            iri = expand(iri)
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise _HttpError(400, f"{raw!r} is not an IRI") from None
        return iri

    def entity(request: Request) -> Response:
        try:
            iri = iri_param(request)
            oxstore = handle.get()
            return html_page(entity_html(oxstore, entity_view(oxstore, iri)))
        except _HttpError as err:
            return html_error(err.status, err.message)
        except QueryError as err:
            return html_error(404, str(err))
        except KgError as err:
            return html_error(_status_of(err), str(err))

    def source(request: Request) -> Response:
        try:
            iri = iri_param(request)
            oxstore = handle.get()
            return html_page(source_html(oxstore, source_view(oxstore, iri)))
        except _HttpError as err:
            return html_error(err.status, err.message)
        except QueryError as err:
            return html_error(404, str(err))
        except KgError as err:
            return html_error(_status_of(err), str(err))

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
    middleware = [Middleware(_SecurityHeaders)]
    if allowed_hosts:
        middleware.insert(0, Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))
    return Starlette(routes=routes, middleware=middleware)


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
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


def serve(
    store: Path | str,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    queries: Path | None = None,
    timeout: float | None = None,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Serve the built graph read-only until interrupted.

    Bound to 127.0.0.1, only this machine can connect, and requests must name
    this machine in ``Host`` (no DNS rebinding). Bound elsewhere, anyone who
    can reach the port can read the whole graph, source texts included.

    >>> serve("build", port=8000)  # doctest: +SKIP
    """
    import uvicorn

    allowed = list(LOOPBACK_HOSTS) if host in LOOPBACK_HOSTS else None
    app = create_app(store, queries=queries, timeout=timeout, allowed_hosts=allowed)
    sock = listen(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    if announce:
        announce(
            f"serving http://{shown}:{bound}/ read-only (SPARQL endpoint /sparql); Ctrl+C stops"
        )
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
