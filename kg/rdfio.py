"""Reading RDF files safely and writing them deterministically.

Parsing uses Oxigraph's parsers: linear time, no XML entity expansion, no
remote JSON-LD contexts, and syntax errors that carry a line and column. A file
is parsed whole into memory before anything is added anywhere (staged), so a
file that fails half-way changes nothing.

Writing sorts the quads and gives blank nodes canonical labels (RDFC-1.0), so
the same graph always gives the same bytes.

>>> quads = parse_bytes(b'<http://e/a> <http://e/p> "x" .', "ntriples")
>>> serialize(quads, "ntriples").decode()
'<http://e/a> <http://e/p> "x" .\\n'
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, UsageError
from kg.namespaces import PREFIXES, RDF, RDFS

MAX_INPUT_ENV = "KG_MAX_INPUT_BYTES"
DEFAULT_MAX_INPUT_BYTES = 512 * 1024 * 1024
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True)
class RdfFormatInfo:
    """A serialization format kg reads and writes."""

    name: str
    oxigraph: ox.RdfFormat
    extensions: tuple[str, ...]
    media_type: str
    dataset: bool


FORMATS: dict[str, RdfFormatInfo] = {
    info.name: info
    for info in (
        RdfFormatInfo("turtle", ox.RdfFormat.TURTLE, (".ttl",), "text/turtle", False),
        RdfFormatInfo("ntriples", ox.RdfFormat.N_TRIPLES, (".nt",), "application/n-triples", False),
        RdfFormatInfo("nquads", ox.RdfFormat.N_QUADS, (".nq",), "application/n-quads", True),
        RdfFormatInfo("trig", ox.RdfFormat.TRIG, (".trig",), "application/trig", True),
        RdfFormatInfo(
            "jsonld", ox.RdfFormat.JSON_LD, (".jsonld", ".json"), "application/ld+json", True
        ),
        RdfFormatInfo(
            "rdfxml", ox.RdfFormat.RDF_XML, (".rdf", ".owl", ".xml"), "application/rdf+xml", False
        ),
        RdfFormatInfo("n3", ox.RdfFormat.N3, (".n3",), "text/n3", False),
    )
}
WRITE_FORMATS = ("turtle", "ntriples", "nquads", "trig", "jsonld")


def format_for(path: str | os.PathLike | None, explicit: str | None) -> RdfFormatInfo:
    """The format named ``explicit``, or the one ``path``'s extension implies.

    >>> format_for("graph.nq", None).name
    'nquads'
    >>> format_for(None, None).name
    'turtle'
    """
    if explicit:
        if explicit not in FORMATS:
            raise UsageError(
                f"unknown RDF format {explicit!r} (known: {', '.join(sorted(FORMATS))})"
            )
        return FORMATS[explicit]
    if path is None or str(path) == "-":
        return FORMATS["turtle"]
    suffix = Path(path).suffix.lower()
    for info in FORMATS.values():
        if suffix in info.extensions:
            return info
    raise UsageError(
        f"{path}: cannot tell the RDF format from the extension {suffix or '(none)'!r};"
        " use --input-format"
    )


def max_input_bytes() -> int:
    """The largest input file kg reads: ``$KG_MAX_INPUT_BYTES`` or 512 MiB."""
    raw = os.environ.get(MAX_INPUT_ENV)
    if not raw:
        return DEFAULT_MAX_INPUT_BYTES
    try:
        return int(raw)
    except ValueError:
        raise UsageError(f"{MAX_INPUT_ENV} must be a whole number of bytes, not {raw!r}") from None


def _syntax_error(path: str, err: SyntaxError) -> InputError:
    message = err.msg or str(err)
    # Oxigraph prefixes its messages with the position it also gives as fields.
    for lead in ("Parser error at ", "Parser error between "):
        if message.startswith(lead) and ": " in message:
            message = message.split(": ", 1)[1]
    return InputError(path, f"syntax error: {message}", line=err.lineno, column=err.offset)


def parse_bytes(
    data: bytes, format_name: str, path: str = "<input>", base_iri: str | None = None
) -> list[ox.Quad]:
    """Parse ``data`` whole into a list of quads, or raise :class:`InputError`."""
    info = format_for(None, format_name)
    if not data.strip():
        raise InputError(path, "the file is empty: no RDF to read")
    if b"\x00" in data[:8192]:
        raise InputError(path, f"this is binary data, not {info.name}")
    if info.name != "rdfxml":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as err:
            line = data[: err.start].count(b"\n") + 1
            raise InputError(path, f"not UTF-8 (byte {err.start})", line=line) from None
    from kg.safety import check_rdf_bytes

    check_rdf_bytes(data, info.name, path)
    try:
        quads = list(ox.parse(data, format=info.oxigraph, base_iri=base_iri))
    except SyntaxError as err:
        raise _syntax_error(path, err) from None
    except ValueError as err:
        raise InputError(path, f"cannot parse as {info.name}: {err}") from None
    return _scope_blank_nodes(quads, data)


def _scope_blank_nodes(quads: list[ox.Quad], data: bytes) -> list[ox.Quad]:
    """Give blank nodes labels unique to this file's content, so ``_:b0`` of two files
    stay two nodes, while the same file always gives the same labels."""
    import hashlib

    if not any(
        isinstance(q.subject, ox.BlankNode)
        or isinstance(q.object, ox.BlankNode)
        or isinstance(q.graph_name, ox.BlankNode)
        for q in quads
    ):
        return quads
    scope = "f" + hashlib.sha256(data).hexdigest()[:10] + "x"

    def rename(term):
        return ox.BlankNode(scope + term.value) if isinstance(term, ox.BlankNode) else term

    return [
        ox.Quad(rename(q.subject), q.predicate, rename(q.object), rename(q.graph_name))
        for q in quads
    ]


def parse_file(
    path: str | os.PathLike, format_name: str | None = None, base_iri: str | None = None
) -> list[ox.Quad]:
    """Read an RDF file whole (bounded by :func:`max_input_bytes`) into quads.

    Relative IRIs resolve against the file's own ``file:`` IRI unless ``base_iri`` is given.
    """
    path = Path(path)
    info = format_for(path, format_name)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError(str(path), "is a directory, not an RDF file")
        limit = max_input_bytes()
        if size > limit:
            raise InputError(
                str(path), f"is {size} bytes, over the {limit}-byte limit (raise {MAX_INPUT_ENV})"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except PermissionError:
        raise InputError(str(path), "permission denied") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a directory, not an RDF file") from None
    except OSError as err:
        raise InputError(str(path), f"cannot read: {err.strerror}") from None
    return parse_bytes(data, info.name, str(path), base_iri or path.resolve().as_uri())


# --- rdflib <-> Oxigraph terms -------------------------------------------------


def to_rdflib_term(term):
    """An Oxigraph term as an rdflib term."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unsupported term {term!r}")


def from_rdflib_term(term):
    """An rdflib term as an Oxigraph term."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def to_rdflib_graph(quads: Iterable[ox.Quad], graph=None):
    """Merge the triples of ``quads`` into an rdflib ``Graph`` (a new one by default)."""
    from rdflib import Graph

    graph = Graph() if graph is None else graph
    add = graph.add
    for quad in quads:
        add(
            (
                to_rdflib_term(quad.subject),
                to_rdflib_term(quad.predicate),
                to_rdflib_term(quad.object),
            )
        )
    return graph


def from_rdflib_triples(triples: Iterable, graph_name: str | None) -> Iterator[ox.Quad]:
    """rdflib triples as Oxigraph quads in ``graph_name`` (the default graph when None)."""
    graph = ox.NamedNode(graph_name) if graph_name else ox.DefaultGraph()
    for s, p, o in triples:
        yield ox.Quad(from_rdflib_term(s), from_rdflib_term(p), from_rdflib_term(o), graph)


# --- deterministic writing -----------------------------------------------------

_PREDICATE_RANK = {RDF + "type": "0", RDFS + "label": "1"}


def _term_key(term) -> str:
    if isinstance(term, ox.DefaultGraph):
        return ""
    return str(term)


def _quad_key(quad: ox.Quad) -> tuple[str, str, str, str]:
    predicate = quad.predicate.value
    return (
        _term_key(quad.graph_name),
        _term_key(quad.subject),
        _PREDICATE_RANK.get(predicate, "2") + predicate,
        _term_key(quad.object),
    )


def canonical_quads(quads: Iterable[ox.Quad], as_triples: bool = False) -> list[ox.Quad]:
    """Quads with canonical blank-node labels (RDFC-1.0), duplicates removed, sorted.

    With ``as_triples`` the graphs are merged into the default graph.
    """
    items = list(quads)
    if as_triples:
        items = [ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in items]
    has_blank = any(
        isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in items
    )
    if has_blank:
        dataset = ox.Dataset(items)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        items = list(dataset)
    else:
        items = list(dict.fromkeys(items))
    items.sort(key=_quad_key)
    return items


def used_prefixes(quads: list[ox.Quad]) -> dict[str, str]:
    """The subset of :data:`~kg.namespaces.PREFIXES` that ``quads`` use, in a stable order."""
    seen: set[str] = set()
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode):
                seen.add(term.value)
            elif isinstance(term, ox.Literal):
                seen.add(term.datatype.value)
    result = {}
    for prefix, namespace in PREFIXES.items():
        if any(iri.startswith(namespace) for iri in seen):
            result[prefix] = namespace
    return result


def serialize(quads: Iterable[ox.Quad], format_name: str) -> bytes:
    """Serialize deterministically: the same quads always give the same bytes.

    Triple formats (Turtle, N-Triples) merge the named graphs; dataset formats
    (N-Quads, TriG, JSON-LD) keep them.
    """
    info = format_for(None, format_name)
    if format_name not in WRITE_FORMATS:
        raise UsageError(f"kg does not write {format_name} (writes: {', '.join(WRITE_FORMATS)})")
    items = canonical_quads(quads, as_triples=not info.dataset)
    if format_name == "jsonld":
        return _jsonld(items)
    prefixes = used_prefixes(items)
    data = items if info.dataset else [q.triple for q in items]
    text = ox.serialize(data, format=info.oxigraph, prefixes=prefixes) or b""
    text = _with_sorted_prefixes(text, prefixes)
    return text if not text or text.endswith(b"\n") else text + b"\n"


def _with_sorted_prefixes(text: bytes, prefixes: dict[str, str]) -> bytes:
    """Replace the writer's @prefix block with one sorted by prefix, for readers' eyes."""
    lines = text.split(b"\n")
    body = 0
    while body < len(lines) and lines[body].startswith(b"@prefix "):
        body += 1
    if not body:
        return text
    header = [f"@prefix {p}: <{prefixes[p]}> .".encode() for p in sorted(prefixes)]
    return b"\n".join([*header, b"", *lines[body:]])


def _jsonld(items: list[ox.Quad]) -> bytes:
    """JSON-LD with a @context of the prefixes used, graphs and nodes in sorted order."""
    prefixes = used_prefixes(items)

    def compact(iri: str) -> str:
        for prefix, namespace in prefixes.items():
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace) :]}"
        return iri

    def node_id(term) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else compact(term.value)

    def value(term):
        if isinstance(term, (ox.NamedNode, ox.BlankNode)):
            return {"@id": node_id(term)}
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD_STRING:
            return {"@value": term.value}
        return {"@value": term.value, "@type": compact(term.datatype.value)}

    graphs: dict[str, dict[str, dict]] = {}
    for quad in items:
        graph_key = "" if isinstance(quad.graph_name, ox.DefaultGraph) else node_id(quad.graph_name)
        nodes = graphs.setdefault(graph_key, {})
        node = nodes.setdefault(node_id(quad.subject), {"@id": node_id(quad.subject)})
        if quad.predicate.value == RDF + "type" and not isinstance(quad.object, ox.Literal):
            node.setdefault("@type", []).append(node_id(quad.object))
        else:
            node.setdefault(compact(quad.predicate.value), []).append(value(quad.object))
    document: list[dict] = list(graphs.get("", {}).values())
    for graph_key, nodes in graphs.items():
        if graph_key:
            document.append({"@id": graph_key, "@graph": list(nodes.values())})
    payload = {"@context": prefixes, "@graph": document}
    return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (temporary file, then rename)."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except FileNotFoundError:
        raise InputError(str(path), "the folder to write into does not exist") from None
    except PermissionError:
        raise InputError(str(path), "permission denied") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
