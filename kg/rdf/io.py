"""Reading RDF files safely and writing them deterministically.

Parsing uses Oxigraph's parsers: linear time, syntax errors that carry a line
and column, no remote JSON-LD contexts. Before a byte reaches a parser, the
input is bounded (:func:`max_input_bytes`), checked to be UTF-8 text, and
checked by :func:`kg.rdf.safety.check_rdf_bytes` (XML entity declarations,
JSON-LD context references, nesting depth). A file is parsed whole into memory
before anything is added anywhere (staged), so a file that fails half-way
changes nothing.

Writing sorts the quads and gives blank nodes canonical labels (RDFC-1.0), so
the same graph always gives the same bytes.

>>> quads = parse_bytes(b'<http://e/a> <http://e/p> "x" .', "ntriples")
>>> serialize(quads, "ntriples").decode()
'<http://e/a> <http://e/p> "x" .\\n'
"""

from __future__ import annotations

import codecs
import contextlib
import io
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, UnsafeOperationError, UsageError
from kg.rdf.limits import DEFAULT_MAX_INPUT_BYTES, MAX_INPUT_ENV, size_from_env
from kg.rdf.namespaces import PREFIXES, RDF, RDFS

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
# Formats people ask for that kg deliberately does not read, and why.
NOT_READ = {
    "trix": "kg does not read TriX; convert it to TriG or N-Quads",
    "hdt": "kg does not read HDT; convert it to N-Triples",
}
_NOT_READ_EXTENSIONS = {".trix": "trix", ".hdt": "hdt"}


def format_for(
    path: str | os.PathLike | None, explicit: str | None, option: str = "--input-format"
) -> RdfFormatInfo:
    """The format named ``explicit``, or the one ``path``'s extension implies.

    ``option`` is the flag an error message tells the user to set instead.

    >>> format_for("graph.nq", None).name
    'nquads'
    >>> format_for(None, None).name
    'turtle'
    >>> format_for("graph.trix", None)
    Traceback (most recent call last):
    ...
    kg.errors.UsageError: graph.trix: kg does not read TriX; convert it to TriG or N-Quads
    """
    if explicit:
        if explicit in NOT_READ:
            raise UsageError(NOT_READ[explicit])
        if explicit not in FORMATS:
            raise UsageError(
                f"unknown RDF format {explicit!r} (known: {', '.join(sorted(FORMATS))};"
                " TriX is not read)"
            )
        return FORMATS[explicit]
    if path is None or str(path) == "-":
        return FORMATS["turtle"]
    suffix = Path(path).suffix.lower()
    for info in FORMATS.values():
        if suffix in info.extensions:
            return info
    if suffix in _NOT_READ_EXTENSIONS:
        raise UsageError(f"{path}: {NOT_READ[_NOT_READ_EXTENSIONS[suffix]]}")
    raise UsageError(
        f"{path}: cannot tell the RDF format from the extension {suffix or '(none)'!r};"
        f" use {option}"
    )


def max_input_bytes() -> int:
    """The largest input kg reads: ``$KG_MAX_INPUT_BYTES`` (bytes, or with K/M/G/T) or 512 MiB.

    >>> os.environ[MAX_INPUT_ENV] = "2M"; max_input_bytes()
    2097152
    >>> del os.environ[MAX_INPUT_ENV]; max_input_bytes()
    536870912
    """
    return size_from_env(MAX_INPUT_ENV, DEFAULT_MAX_INPUT_BYTES)


def _too_big(where: str, size: int | str, limit: int) -> InputError:
    return InputError(
        where, f"is {size} bytes, over the {limit}-byte input limit (raise {MAX_INPUT_ENV})"
    )


def read_input(path: str | os.PathLike, what: str = "an RDF file") -> bytes:
    """The bytes of an input file, bounded by :func:`max_input_bytes`; one-line errors.

    Regular files and pipes (``<(cmd)``) are read; folders and devices are refused.

    >>> read_input("/nonexistent/x.ttl")
    Traceback (most recent call last):
    ...
    kg.errors.InputError: /nonexistent/x.ttl: no such file
    """
    where = str(path)
    limit = max_input_bytes()
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(where, f"is a folder, not {what}")
        if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
            raise InputError(where, f"is a device, not {what}")
        if stat.S_ISSOCK(info.st_mode):
            raise InputError(where, f"is a socket, not {what}")
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise _too_big(where, info.st_size, limit)
        with open(path, "rb") as handle:
            data = _read_bounded(handle, limit + 1)  # even when the file grows or is a pipe
    except FileNotFoundError:
        raise InputError(where, "no such file") from None
    except NotADirectoryError:
        raise InputError(where, "no such file (a part of the path is not a folder)") from None
    except PermissionError:
        raise InputError(where, "permission denied") from None
    except IsADirectoryError:
        raise InputError(where, f"is a folder, not {what}") from None
    except OSError as err:
        raise InputError(where, f"cannot read: {err.strerror or err}") from None
    if len(data) > limit:
        raise _too_big(where, f"more than {limit}", limit)
    return data


def _read_bounded(handle, most: int) -> bytes:
    """At most ``most`` bytes, read in pieces: ``read(most)`` would allocate ``most`` bytes
    up front, and a large limit (``KG_MAX_INPUT_BYTES=1T``) is not memory to reserve."""
    data = bytearray()
    while len(data) < most:
        chunk = handle.read(min(1 << 24, most - len(data)))
        if not chunk:
            break
        data += chunk
    return bytes(data)


def _syntax_error(path: str, err: SyntaxError) -> InputError:
    message = err.msg or str(err)
    # Oxigraph prefixes its messages with the position it also gives as fields.
    for lead in ("Parser error at ", "Parser error between "):
        if message.startswith(lead) and ": " in message:
            message = message.split(": ", 1)[1]
    if "LoadDocumentCallback" in message:  # a JSON-LD context by reference that slipped by
        raise UnsafeOperationError(
            f"{path}: a JSON-LD context given by reference is refused:"
            " kg does not fetch contexts: put the context inline"
        )
    return InputError(path, f"syntax error: {message}", line=err.lineno, column=err.offset)


def _check_utf8(data: bytes, path: str) -> None:
    """Refuse bytes that are not UTF-8, naming the line; checked in chunks to bound memory."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    chunk = 1 << 20
    for start in range(0, len(data), chunk):
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(data[start : start + chunk])
        except UnicodeDecodeError as err:
            offset = start - pending + err.start
            line = data.count(b"\n", 0, offset) + 1
            raise InputError(path, f"not UTF-8 (byte {offset})", line=line) from None
    pending = len(decoder.getstate()[0])
    if pending:
        offset = len(data) - pending
        line = data.count(b"\n", 0, offset) + 1
        raise InputError(
            path, f"not UTF-8 (byte {offset}: the file ends inside a character)", line=line
        )


def _check_text(data: bytes, info: RdfFormatInfo, path: str) -> None:
    """Refuse inputs that are empty, too big, binary or not UTF-8, before any parser sees them."""
    limit = max_input_bytes()
    if len(data) > limit:
        raise _too_big(path, len(data), limit)
    if not data.strip():
        raise InputError(path, "the file is empty: no RDF to read")
    if data[:2] == b"\x1f\x8b":
        raise InputError(path, "is gzip-compressed: decompress it first")
    if data[:4] == b"PK\x03\x04":
        raise InputError(path, "is a zip archive: extract it first")
    if b"\x00" in data[:8192]:
        raise InputError(path, f"this is binary data, not {info.name}")
    # Oxigraph reads UTF-8 only (RDF/XML included), so every format is checked the same way.
    _check_utf8(data, path)


_HAS_DIRECTION = hasattr(ox.Literal("x"), "direction")  # RDF 1.2 base directions


def _check_terms(quad: ox.Quad, path: str) -> None:
    """Refuse RDF 1.2 terms that kg's validator (rdflib/pySHACL) cannot represent."""
    obj = quad.object
    if isinstance(obj, ox.Triple) or isinstance(quad.subject, ox.Triple):
        raise InputError(
            path,
            "RDF 1.2 triple terms (<<( ... )>>, << ... >>, {| ... |}) are not supported:"
            " kg reads RDF 1.1",
        )
    if isinstance(obj, ox.Literal) and getattr(obj, "direction", None):
        raise InputError(
            path,
            f'the literal "{obj.value[:40]}"@{obj.language}--{obj.direction} has a base'
            " direction (RDF 1.2), which kg does not support: drop the --ltr/--rtl",
        )


def iter_quads(
    data: bytes, format_name: str, path: str = "<input>", base_iri: str | None = None
) -> Iterator[ox.Quad]:
    """Parse ``data`` quad by quad, with the checks of :func:`parse_bytes`.

    For loading into a throwaway store: a million quad objects held at once cost
    about half a gigabyte. An error can come after quads have been yielded.

    >>> [q.object.value for q in iter_quads(b'<http://e/a> <http://e/p> "x" .', "ntriples")]
    ['x']
    """
    info = format_for(None, format_name)
    _check_text(data, info, path)
    if data.startswith(codecs.BOM_UTF8):  # as Windows editors write; Oxigraph would choke on it
        data = data[len(codecs.BOM_UTF8) :]
    from kg.rdf.safety import check_rdf_bytes

    check_rdf_bytes(data, info.name, path)
    scope = _BlankNodeScope(data)
    with parse_errors(path, info):
        parsed = ox.parse(data, format=info.oxigraph, base_iri=base_iri)
        if info.name == "jsonld":
            # Context processing can take minutes on a few kilobytes (each application
            # of a scoped context copies the active one), so it runs under the time limit.
            from kg.rdf.limits import iterate_with_timeout, work_timeout

            parsed = iterate_with_timeout(parsed, work_timeout(), f"parsing {path}")
        literal, blank, triple = ox.Literal, ox.BlankNode, ox.Triple
        for quad in parsed:
            # The checks by type identity: isinstance costs a third of the loop at 1M quads.
            obj = quad.object
            subject_type, object_type = type(quad.subject), type(obj)
            if object_type is literal:
                if _HAS_DIRECTION and obj.direction:
                    _check_terms(quad, path)
            elif object_type is triple or subject_type is triple:
                _check_terms(quad, path)
            if subject_type is blank or object_type is blank or type(quad.graph_name) is blank:
                quad = scope.apply(quad)
            yield quad


@contextlib.contextmanager
def parse_errors(path: str, info: RdfFormatInfo) -> Iterator[None]:
    """Turn what Oxigraph raises while reading ``path`` into one-line :class:`InputError`s.

    >>> with parse_errors("x.nt", format_for(None, "ntriples")):
    ...     ox.Store().load(b'<http://e/a> <http://e/p> "x .', format=ox.RdfFormat.N_TRIPLES)
    Traceback (most recent call last):
    ...
    kg.errors.InputError: x.nt:1:27: syntax error: Unexpected end of file
    """
    try:
        yield
    except SyntaxError as err:
        raise _syntax_error(path, err) from None
    except MemoryError as err:
        # Oxigraph's lexers buffer one token at most 16 MiB long; a longer literal or IRI stops it.
        raise InputError(path, f"a single term is too long for the parser ({err})") from None
    except (ValueError, OSError) as err:
        raise InputError(path, f"cannot parse as {info.name}: {err}") from None


def read_pipes(files: Iterable[str | os.PathLike]) -> dict[str, bytes]:
    """The bytes of each of ``files`` that is a pipe (``<(zcat data.nt.gz)``), read now:
    a pipe gives its bytes once, and a command that may read a file twice (to validate
    it where literals stay as written) must keep them. Regular files are left to be read.

    >>> read_pipes(["tests/fixtures/mini/valid.ttl"])
    {}
    """
    found = {}
    for file in files:
        try:
            is_regular = stat.S_ISREG(os.stat(file).st_mode)
        except OSError:
            continue  # the reader says what is wrong with it
        if not is_regular:
            found[str(file)] = read_input(file)
    return found


def read_checked(
    path: str | os.PathLike, format_name: str | None = None, data: bytes | None = None
) -> tuple[bytes, RdfFormatInfo]:
    """The bytes of an RDF file and its format, checked as every parse checks them first
    (size, empty, compressed, binary, UTF-8, unsafe declarations), without a BOM;
    ``data``: the file's bytes, read already with :func:`read_input`.

    >>> read_checked("/nonexistent/x.nt")
    Traceback (most recent call last):
    ...
    kg.errors.InputError: /nonexistent/x.nt: no such file
    """
    from kg.rdf.safety import check_rdf_bytes

    data = read_input(path) if data is None else data
    info = format_for(Path(path), format_name)
    _check_text(data, info, str(path))
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    check_rdf_bytes(data, info.name, str(path))
    return data, info


def parse_bytes(
    data: bytes, format_name: str, path: str = "<input>", base_iri: str | None = None
) -> list[ox.Quad]:
    """Parse ``data`` whole into a list of quads, or raise a :class:`~kg.errors.KgError`.

    Nothing is returned until the whole input has parsed, so a failure leaves
    every graph and store as it was.

    >>> parse_bytes(b'<http://e/a> <http://e/p> "x .', "ntriples", "x.nt")
    Traceback (most recent call last):
    ...
    kg.errors.InputError: x.nt:1:27: syntax error: Unexpected end of file
    """
    return list(iter_quads(data, format_name, path, base_iri))


class _BlankNodeScope:
    """Blank node labels unique to one file's content, so ``_:b0`` of two files stay
    two nodes, while the same file always gives the same labels."""

    def __init__(self, data: bytes) -> None:
        self._data: bytes | None = data
        self._prefix = ""

    def _rename(self, term):
        if not isinstance(term, ox.BlankNode):
            return term
        if self._data is not None:  # hashed on first use: most files have no blank nodes
            import hashlib

            self._prefix = "f" + hashlib.sha256(self._data).hexdigest()[:10] + "x"
            self._data = None
        return ox.BlankNode(self._prefix + term.value)

    def apply(self, quad: ox.Quad) -> ox.Quad:
        if not (
            isinstance(quad.subject, ox.BlankNode)
            or isinstance(quad.object, ox.BlankNode)
            or isinstance(quad.graph_name, ox.BlankNode)
        ):
            return quad
        rename = self._rename
        return ox.Quad(
            rename(quad.subject), quad.predicate, rename(quad.object), rename(quad.graph_name)
        )


def parse_file(
    path: str | os.PathLike, format_name: str | None = None, base_iri: str | None = None
) -> list[ox.Quad]:
    """Read an RDF file whole (bounded by :func:`max_input_bytes`) into quads.

    Relative IRIs resolve against the file's own ``file:`` IRI unless ``base_iri`` is given.

    >>> parse_file("/nonexistent/x.ttl")
    Traceback (most recent call last):
    ...
    kg.errors.InputError: /nonexistent/x.ttl: no such file
    """
    return list(iter_file(path, format_name, base_iri))


def iter_file(
    path: str | os.PathLike, format_name: str | None = None, base_iri: str | None = None
) -> Iterator[ox.Quad]:
    """The quads of an RDF file one by one, for loading into a throwaway store
    (see :func:`iter_quads`); otherwise as :func:`parse_file`.

    >>> next(iter_file("/nonexistent/x.ttl"))
    Traceback (most recent call last):
    ...
    kg.errors.InputError: /nonexistent/x.ttl: no such file
    """
    path = Path(path)
    data = read_input(path)  # a missing file or a folder is reported before a format problem
    info = format_for(path, format_name)
    yield from iter_quads(data, info.name, str(path), base_iri or path.resolve().as_uri())


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


def is_ill_typed(literal: ox.Literal) -> bool:
    """Whether rdflib (so pySHACL) finds the typed ``literal``'s lexical form invalid,
    as ``Literal(...).ill_typed`` says, without building the rdflib literal (whose
    normalisation costs most of the 80 µs it takes).

    >>> xsd = "http://www.w3.org/2001/XMLSchema#"
    >>> is_ill_typed(ox.Literal("abc", datatype=ox.NamedNode(xsd + "integer")))
    True
    >>> is_ill_typed(ox.Literal("2024-01-02", datatype=ox.NamedNode(xsd + "date")))
    False
    """
    key = (literal.value, literal.datatype.value)
    found = _ILL_TYPED.get(key)
    if found is None:
        found = _ILL_TYPED[key] = _ill_typed_uncached(*key)
        if len(_ILL_TYPED) > 100_000:
            _ILL_TYPED.clear()
    return found


_ILL_TYPED: dict[tuple[str, str], bool] = {}


def _ill_typed_uncached(lexical: str, datatype: str) -> bool:
    from rdflib import Literal, URIRef

    try:
        from rdflib.term import (
            _castLexicalToPython,
            _check_well_formed_types,
            _toPythonMapping,
            _well_formed_by_value,
        )
    except ImportError:  # another rdflib: ask a literal
        return bool(Literal(lexical, datatype=URIRef(datatype)).ill_typed)
    uri = URIRef(datatype)
    if uri not in _toPythonMapping:
        return False
    value = _castLexicalToPython(lexical, uri)
    checker = _check_well_formed_types.get(uri, _well_formed_by_value)
    return not checker(lexical, value)


def interned_rdflib_triples(quads: Iterable[ox.Quad]) -> Iterator[tuple]:
    """The triples of ``quads`` as rdflib terms, each distinct term one object: a
    million triples name a few hundred thousand terms, and one object per mention
    would cost hundreds of megabytes more.

    >>> q = ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.NamedNode("http://e/a"))
    >>> (s, p, o), = interned_rdflib_triples([q])
    >>> s is o
    True
    """
    from kg.rdf.safety import quiet_rdflib

    quiet_rdflib()  # converting an ill-typed literal would log a traceback
    seen: dict = {}

    def term(value):
        converted = seen.get(value)
        if converted is None:
            converted = seen[value] = to_rdflib_term(value)
        return converted

    for quad in quads:
        yield term(quad.subject), term(quad.predicate), term(quad.object)


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

    from kg.rdf.safety import quiet_rdflib

    quiet_rdflib()  # converting an ill-typed literal would log a traceback
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
        items = list(dict.fromkeys(items))
        signatures = _first_degree_signatures(items)
        neighbours: dict = {}  # filled once, when a step below needs it
        if _rdfc_is_cheap(items, signatures, neighbours):
            dataset = ox.Dataset(items)
            dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
            items = list(dataset)
        else:
            items = _traversal_labels(items, signatures, neighbours)
    else:
        items = list(dict.fromkeys(items))
    items.sort(key=_quad_key)
    return items


# RDFC-1.0 is fast when blank nodes are told apart by their own quads, but Oxigraph's
# implementation has no work limit: a chain of 400 look-alike blank nodes (a list of equal
# values, 400 nested [ ]) takes 7 s and grows with the cube of the length; 10 blank nodes
# all linked to each other take minutes. Such graphs get labels from a traversal instead.
_RDFC_MAX_AMBIGUOUS = 16  # look-alike blank nodes in one connected group
_RDFC_MAX_TWINS = 3  # look-alike blank-node neighbours of one blank node


def _bnodes_of(quad: ox.Quad) -> list[ox.BlankNode]:
    return [t for t in (quad.subject, quad.object, quad.graph_name) if isinstance(t, ox.BlankNode)]


def _first_degree_signatures(items: list[ox.Quad]) -> dict[ox.BlankNode, str]:
    """RDFC's first-degree view of each blank node: its quads, itself as _:a, others as _:z."""
    import hashlib

    lines: dict[ox.BlankNode, list[str]] = {}
    for quad in items:
        for node in _bnodes_of(quad):
            terms = [quad.subject, quad.predicate, quad.object, quad.graph_name]
            text = " ".join(
                ("_:a" if t == node else "_:z") if isinstance(t, ox.BlankNode) else str(t)
                for t in terms
            )
            lines.setdefault(node, []).append(text)
    return {
        node: hashlib.sha256("\n".join(sorted(texts)).encode()).hexdigest()
        for node, texts in lines.items()
    }


def _bnode_neighbours(items: list[ox.Quad]) -> dict[ox.BlankNode, list[tuple[str, ox.BlankNode]]]:
    neighbours: dict[ox.BlankNode, list[tuple[str, ox.BlankNode]]] = {}
    for quad in items:
        nodes = _bnodes_of(quad)
        roles = {"s": quad.subject, "o": quad.object, "g": quad.graph_name}
        for role, node in roles.items():
            if not isinstance(node, ox.BlankNode):
                continue
            for other_role, other in roles.items():
                if other_role != role and isinstance(other, ox.BlankNode) and other != node:
                    key = f"{role}{other_role} {quad.predicate.value}"
                    neighbours.setdefault(node, []).append((key, other))
        for node in nodes:
            neighbours.setdefault(node, [])
    return neighbours


def _rdfc_is_cheap(
    items: list[ox.Quad], signatures: dict[ox.BlankNode, str], neighbours: dict
) -> bool:
    """Whether RDFC-1.0 will finish quickly: few look-alike blank nodes, in small groups.
    ``neighbours`` is filled with :func:`_bnode_neighbours` when needed, for reuse."""
    from collections import Counter

    counts = Counter(signatures.values())
    ambiguous = {node for node, sig in signatures.items() if counts[sig] > 1}
    if not ambiguous:
        return True
    if not neighbours:
        neighbours.update(_bnode_neighbours(items))
    for node in ambiguous:
        twins = Counter(signatures[other] for _, other in neighbours[node] if other in ambiguous)
        if twins and max(twins.values()) > _RDFC_MAX_TWINS:
            return False
    seen: set[ox.BlankNode] = set()
    for start in ambiguous:
        if start in seen:
            continue
        group, stack = 0, [start]
        seen.add(start)
        while stack:
            node = stack.pop()
            group += node in ambiguous
            if group > _RDFC_MAX_AMBIGUOUS:
                return False
            for _, other in neighbours[node]:
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
    return True


def _traversal_labels(
    items: list[ox.Quad],
    signatures: dict[ox.BlankNode, str],
    neighbours: dict[ox.BlankNode, list],
) -> list[ox.Quad]:
    """Label blank nodes ``b0``, ``b1``... in breadth-first order from the most distinctive,
    following edges in a fixed order: independent of the input labels except between
    look-alike nodes of highly symmetric structures. Linear in the number of quads."""
    from collections import Counter, deque

    counts = Counter(signatures.values())
    if not neighbours:
        neighbours.update(_bnode_neighbours(items))
    starts = sorted(signatures, key=lambda n: (counts[signatures[n]], signatures[n], n.value))
    order: dict[ox.BlankNode, ox.BlankNode] = {}
    for start in starts:
        if start in order:
            continue
        order[start] = ox.BlankNode(f"b{len(order)}")
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for _, other in sorted(
                neighbours[node], key=lambda e: (e[0], signatures[e[1]], e[1].value)
            ):
                if other not in order:
                    order[other] = ox.BlankNode(f"b{len(order)}")
                    queue.append(other)

    def label(term):
        return order[term] if isinstance(term, ox.BlankNode) else term

    return list(
        dict.fromkeys(
            ox.Quad(label(q.subject), q.predicate, label(q.object), label(q.graph_name))
            for q in items
        )
    )


def used_prefixes(quads: list[ox.Quad]) -> dict[str, str]:
    """The subset of :data:`~kg.rdf.namespaces.PREFIXES` that ``quads`` use, in a stable order."""
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
    keys, iris, blank_quads = _sort_keys(quads, as_triples=not info.dataset)
    if blank_quads:
        # Blank-node labels depend only on the quads that mention blank nodes (RDFC-1.0
        # hashes nothing else), so only those few are held as objects and canonicalized.
        canonical = canonical_quads(blank_quads, as_triples=not info.dataset)
        keys = sorted(set(keys) | {_key_of(q, not info.dataset) for q in canonical})
    if format_name != "jsonld":
        return _serialize_sorted(keys, iris, info)
    items = _quads_from_keys(keys)
    if format_name == "jsonld":
        return _jsonld(items)
    prefixes = used_prefixes(items)
    data = items if info.dataset else [q.triple for q in items]
    text = ox.serialize(data, format=info.oxigraph, prefixes=prefixes) or b""
    text = _with_sorted_prefixes(text, prefixes)
    return text if not text or text.endswith(b"\n") else text + b"\n"


_KEY_SEPARATOR = "\x00"  # sorts before every character, so keys sort as _quad_key tuples do


def _key_of(quad: ox.Quad, as_triples: bool) -> str:
    """One string that sorts like :func:`_quad_key` and holds the quad in N-Quads terms."""
    sep = _KEY_SEPARATOR
    graph = "" if as_triples else _term_key(quad.graph_name)
    predicate = predicate_order(quad.predicate.value)
    return f"{graph}{sep}{quad.subject}{sep}{predicate}{sep}{quad.object}"


def predicate_order(predicate: str) -> str:
    """What orders the predicate IRI ``predicate`` among a subject's triples in
    :func:`serialize`'s output: ``rdf:type`` first, then ``rdfs:label``, then the rest.

    >>> sorted(["http://e/a", RDFS + "label", RDF + "type"], key=predicate_order)[0] == RDF + "type"
    True
    """
    return _PREDICATE_RANK.get(predicate, "2") + predicate


def serialize_sorted_ntriples(chunks: Iterable[bytes], iris: set[str], format_name: str) -> bytes:
    """:func:`serialize` for triples given as an N-Triples document, in pieces, already
    in its order and without blank nodes; ``iris`` are the IRIs it uses (for prefixes).
    What writes many triples without making a term object for each, or holding their
    lines as strings.

    >>> serialize_sorted_ntriples([b'<http://e/a> <http://e/p> "x" .\\n'], {"http://e/p"}, "turtle")
    b'<http://e/a> <http://e/p> "x" .\\n'
    """
    info = format_for(None, format_name)
    if format_name not in WRITE_FORMATS:
        raise UsageError(f"kg does not write {format_name} (writes: {', '.join(WRITE_FORMATS)})")
    if format_name in ("ntriples", "nquads"):
        return b"".join(chunks)
    stream = io.BufferedReader(_ChunkReader(iter(chunks)), buffer_size=1 << 16)
    quads = ox.parse(stream, format=ox.RdfFormat.N_TRIPLES)
    if format_name == "jsonld":
        return _jsonld(list(quads))
    return _write_through_oxigraph(quads, iris, info)


def _sort_keys(
    quads: Iterable[ox.Quad], as_triples: bool
) -> tuple[list[str], set[str], list[ox.Quad]]:
    """The sorted keys of the distinct quads without blank nodes, the IRIs seen, and the
    quads with blank nodes. Strings cost a fraction of the memory of quad objects."""
    keys: set[str] = set()
    iris: set[str] = set()
    blank_quads: list[ox.Quad] = []
    for quad in quads:
        iris.add(quad.predicate.value)
        blank = False
        terms = (
            (quad.subject, quad.object)
            if as_triples
            else (quad.subject, quad.object, quad.graph_name)
        )
        for term in terms:
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
            elif isinstance(term, ox.BlankNode):
                blank = True
        if blank:
            blank_quads.append(quad)
        else:
            keys.add(_key_of(quad, as_triples))
    ordered = list(keys)
    keys.clear()  # the strings stay, in the list; the set's table goes
    ordered.sort()
    return ordered, iris, blank_quads


def _nquads_lines(keys: Iterable[str]) -> Iterator[bytes]:
    """N-Quads for sorted keys, some thousand lines per chunk."""
    lines = []
    for key in keys:
        graph, subject, predicate, obj = key.split(_KEY_SEPARATOR, 3)
        graph_part = f" {graph}" if graph else ""
        lines.append(f"{subject} <{predicate[1:]}> {obj}{graph_part} .\n")
        if len(lines) == 4096:
            yield "".join(lines).encode("utf-8")
            lines = []
    if lines:
        yield "".join(lines).encode("utf-8")


class _ChunkReader(io.RawIOBase):
    """A binary stream over chunks made on demand: Oxigraph reads the sorted N-Quads
    from it, so a million-line document is never held whole (it would be 3 copies)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _nquads_from_keys(keys: Iterable[str]) -> io.BufferedReader:
    return io.BufferedReader(_ChunkReader(_nquads_lines(keys)), buffer_size=1 << 16)


def _quads_from_keys(keys: list[str]) -> list[ox.Quad]:
    return list(ox.parse(_nquads_from_keys(keys), format=ox.RdfFormat.N_QUADS))


def _serialize_sorted(keys: list[str], iris: set[str], info: RdfFormatInfo) -> bytes:
    """Write sorted keys of a graph without blank nodes, streaming them through Oxigraph.

    N-Triples and N-Quads are the keys' own lines: Oxigraph would write the same bytes
    (``tests/test_determinism.py`` compares them), so they skip its parse and write.
    """
    if info.name in ("ntriples", "nquads"):
        return b"".join(_nquads_lines(keys))
    return _write_through_oxigraph(
        ox.parse(_nquads_from_keys(keys), format=ox.RdfFormat.N_QUADS), iris, info
    )


def _write_through_oxigraph(quads: Iterable[ox.Quad], iris: set[str], info: RdfFormatInfo) -> bytes:
    """Write sorted ``quads`` with Oxigraph's writer for ``info``, with the prefixes of
    the namespaces ``iris`` use, sorted."""
    prefixes = {
        prefix: namespace
        for prefix, namespace in PREFIXES.items()
        if any(iri.startswith(namespace) for iri in iris)
    }
    data = quads if info.dataset else (quad.triple for quad in quads)
    text = ox.serialize(data, format=info.oxigraph, prefixes=prefixes) or b""
    text = _with_sorted_prefixes(text, prefixes)
    return text if not text or text.endswith(b"\n") else text + b"\n"


def _with_sorted_prefixes(text: bytes, prefixes: dict[str, str]) -> bytes:
    r"""Replace the writer's @prefix block with one sorted by prefix, for readers' eyes.

    >>> _with_sorted_prefixes(b"@prefix b: <http://b/> .\n@prefix a: <http://a/> .\nx\n",
    ...                       {"a": "http://a/", "b": "http://b/"})
    b'@prefix a: <http://a/> .\n@prefix b: <http://b/> .\n\nx\n'
    """
    end = 0
    while text.startswith(b"@prefix ", end):
        newline = text.find(b"\n", end)
        end = len(text) if newline < 0 else newline + 1
    if not end:
        return text
    header = b"".join(f"@prefix {p}: <{prefixes[p]}> .\n".encode() for p in sorted(prefixes))
    return header + b"\n" + text[end:]


def _jsonld(items: list[ox.Quad]) -> bytes:
    """JSON-LD with a @context of the prefixes used, graphs and nodes in sorted order."""
    prefixes = used_prefixes(items)

    def compact(iri: str) -> str:
        for prefix, namespace in prefixes.items():
            local = iri[len(namespace) :]
            # "kgr://x" would be read back as an absolute IRI, not as a compact one
            if iri.startswith(namespace) and local and not local.startswith("//"):
                return f"{prefix}:{local}"
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


def _write_error(path: Path, err: OSError) -> InputError:
    if isinstance(err, FileNotFoundError | NotADirectoryError):
        return InputError(str(path), "the folder to write into does not exist")
    if isinstance(err, PermissionError):
        return InputError(str(path), "permission denied: cannot write here")
    if isinstance(err, IsADirectoryError):
        return InputError(str(path), "is a folder: name a file to write")
    return InputError(str(path), f"cannot write: {err.strerror or err}")


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (temporary file, then rename).

    A symbolic link is followed (the file it points to is replaced); a device or
    pipe such as ``/dev/stdout`` is written to directly, since it cannot be renamed
    over. The file gets the permissions a new file would (or the old file's).

    >>> write_atomic("/nonexistent/folder/out.ttl", b"")
    Traceback (most recent call last):
    ...
    kg.errors.InputError: /nonexistent/folder/out.ttl: the folder to write into does not exist
    """
    path = Path(path)
    target = Path(os.path.realpath(path))
    try:
        existing = os.stat(target)
    except OSError:
        existing = None
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise InputError(str(path), "is a folder: name a file to write")
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        try:
            with open(target, "wb") as handle:
                handle.write(data)
        except OSError as err:
            raise _write_error(path, err) from None
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as err:
        raise _write_error(path, err) from None
    try:
        if existing is not None:
            mode = stat.S_IMODE(existing.st_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise _write_error(path, err) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
