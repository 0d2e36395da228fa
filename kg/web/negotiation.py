"""Content negotiation for query answers: which format to send, and the bytes of it.

The client picks a format with a ``format`` parameter (a name or a media type)
or an ``Accept`` header (https://www.rfc-editor.org/rfc/rfc9110#section-12.5.1);
SELECT and ASK answers go out as SPARQL JSON, XML, CSV or TSV, CONSTRUCT and
DESCRIBE answers as Turtle, N-Triples or JSON-LD.

>>> negotiate("graph", "application/n-triples, text/turtle;q=0.9", None)
'ntriples'
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.sparql.output import boolean_text, render_rows
from kg.sparql.run import QueryResult

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
# The file name extension of a download in each format.
DOWNLOAD_EXT = {
    "json": "srj",
    "xml": "srx",
    "csv": "csv",
    "tsv": "tsv",
    "turtle": "ttl",
    "ntriples": "nt",
    "jsonld": "jsonld",
}


class HttpError(Exception):
    """A request the server answers with ``status`` and a one-line ``message``."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message
        super().__init__(message)


def render_result(result: QueryResult, format_name: str) -> bytes:
    """A query answer in one of :data:`SELECT_FORMATS` or :data:`GRAPH_FORMATS`.

    >>> render_result(QueryResult("ask", boolean=True), "csv")
    b'true\\n'
    """
    if result.kind == "select":
        return render_rows(result.variables, result.rows, format_name).encode("utf-8")
    if result.kind == "ask":
        return boolean_text(bool(result.boolean), format_name).encode("utf-8")
    from kg.rdf.io import serialize

    return serialize(
        (ox.Quad(t.subject, t.predicate, t.object) for t in result.triples), format_name
    )


def media_type(kind: str, format_name: str) -> str:
    """The ``Content-Type`` sent for a ``kind`` of answer in ``format_name``.

    >>> media_type("select", "csv")
    'text/csv; charset=utf-8'
    >>> media_type("graph", "jsonld")
    'application/ld+json'
    """
    media = (GRAPH_FORMATS if kind == "graph" else SELECT_FORMATS)[format_name][0]
    return media + "; charset=utf-8" if media.startswith("text/") else media


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
        raise HttpError(
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
        raise HttpError(406, f"none of the accepted media types can be sent (offered: {offered})")
    return best_name
