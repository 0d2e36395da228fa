"""What untrusted data and queries may not do. One place for every refusal.

Data files and queries come from other people. kg never reaches the network
or reads local files on their behalf: XML entity declarations, remote or
``file:`` JSON-LD contexts, SPARQL ``SERVICE``, ``FROM``/``FROM NAMED``,
``LOAD`` and ``USING`` are refused before anything runs. SPARQL ``\\u``
escapes are decoded first, so ``SERVIC\\u0045`` is seen as ``SERVICE``.

>>> check_query("SELECT * WHERE { ?s ?p ?o }", "q.rq")
>>> check_query("SELECT * WHERE { SERVIC\\\\u0045 <http://x/> { ?s ?p ?o } }", "q.rq")
Traceback (most recent call last):
...
kg.errors.UnsafeOperationError: q.rq: SERVICE is refused: it would send a request to another server
"""

from __future__ import annotations

import re

from kg.errors import InputError, QueryError, UnsafeOperationError

_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# Strings, IRIs and comments, so keywords inside them are not mistaken for operations.
_SPARQL_NOISE = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r"|<[^<>\"{}|^`\\\s]*>|#[^\n]*"
)
_REFUSED = {
    "SERVICE": "SERVICE is refused: it would send a request to another server",
    "FROM": "FROM / FROM NAMED are refused: they could load remote data;"
    " use GRAPH <iri> { ... } to pick a named graph",
    "LOAD": "LOAD is refused: it would fetch remote data",
    "USING": "USING is refused: it could load remote data",
}
_UPDATE_KEYWORDS = (
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
)
_KEYWORD = re.compile(r"(?<![\w:?$])([A-Za-z]+)(?![\w:])")
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def decode_sparql_escapes(text: str) -> str:
    """Apply SPARQL's ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes, as a SPARQL parser does first."""

    def replace(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        try:
            return chr(code)
        except (ValueError, OverflowError):
            return match.group(0)

    return _UNICODE_ESCAPE.sub(replace, text)


def query_keywords(text: str) -> list[str]:
    """The upper-cased bare words of a SPARQL text, outside strings, IRIs and comments."""
    code = _SPARQL_NOISE.sub(" ", decode_sparql_escapes(text))
    return [m.group(1).upper() for m in _KEYWORD.finditer(code)]


def check_query(text: str, where: str, allow_service: bool = False) -> None:
    """Refuse SPARQL that would fetch, load or update. ``where`` names the query in errors."""
    words = query_keywords(text)
    for keyword, message in _REFUSED.items():
        if keyword == "SERVICE" and allow_service:
            continue
        if keyword in words:
            raise UnsafeOperationError(f"{where}: {message}")
    first_form = next((w for w in words if w in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}), None)
    first_update = next((w for w in words if w in _UPDATE_KEYWORDS), None)
    if first_update and (first_form is None or words.index(first_update) < words.index(first_form)):
        raise QueryError(
            f"{where}: SPARQL Update ({first_update}) is refused: kg query only reads;"
            " use kg add to bring in data"
        )


_XML_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
# One token of XML markup at a "<": comment, CDATA, processing instruction, declaration,
# end tag, or start tag (group 1 is "/" when it closes itself). Text cannot hold a raw "<",
# so every "<" starts markup; anything else (the last alternative) is malformed XML, where
# the parser stops too, so the scan stops there.
_XML_MARKUP = re.compile(
    rb"<(?:!--.*?-->|!\[CDATA\[.*?\]\]>|\?.*?\?>|![^>]*>|/[^>]*>"
    rb"|[^\s/>!?][^\s/>]*(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*(/?)>|)",
    re.DOTALL,
)
# JSON tokens that change the depth, and whole strings (which may hold brackets).
_JSON_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|"', re.DOTALL)
# Above this size the JSON-LD context check is left to Oxigraph, which has no document
# loader and refuses every context by reference; the friendly check builds Python objects.
_JSONLD_CHECK_BYTES = 16 * 1024 * 1024


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def xml_depth_exceeded(data: bytes, limit: int) -> int | None:
    """The offset of the first element nested deeper than ``limit``, or None. Linear.

    >>> xml_depth_exceeded(b"<a><b><c/></b></a>", 2), xml_depth_exceeded(b"<a><b><c>", 2)
    (None, 6)
    """
    depth = 0
    for match in _XML_MARKUP.finditer(data):
        token = match.group(0)
        if token == b"<":  # malformed: the parser stops here as well
            return None
        if token[1:2] == b"/":
            depth -= 1
        elif token[1:2] not in (b"!", b"?") and match.group(1) != b"/":
            depth += 1
            if depth > limit:
                return match.start()
    return None


def json_depth_exceeded(data: bytes, limit: int) -> int | None:
    """The offset of the first array or object nested deeper than ``limit``, or None. Linear.

    >>> json_depth_exceeded(b'{"a": [1, "]]]"]}', 2), json_depth_exceeded(b"[[[]]]", 2)
    (None, 2)
    """
    depth = 0
    for match in _JSON_TOKENS.finditer(data):
        token = match.group(0)
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return match.start()
        elif token in (b"]", b"}"):
            depth -= 1
        elif token == b'"':  # a string that never ends: the parser stops here as well
            return None
    return None


_JSON_ESCAPE = re.compile(rb"\\(?:u([0-9A-Fa-f]{4})|.)", re.DOTALL)


def json_lone_surrogate(data: bytes) -> tuple[int, str] | None:
    """The offset and text of the first ``\\uD800``-``\\uDFFF`` escape in a JSON string
    that is not half of a surrogate pair, or None. JSON allows writing one; it is not a
    character, and Oxigraph's parser stops there with "Unexpected end of file". Linear.

    >>> json_lone_surrogate(b'["\\\\ud83d\\\\ude00", "\\\\\\\\ud800"]') is None
    True
    >>> json_lone_surrogate(b'["ok", "x\\\\udc00"]')
    (9, '\\\\udc00')
    """
    for token in _JSON_TOKENS.finditer(data):
        string = token.group(0)
        if len(string) < 2 or b"\\u" not in string:
            continue
        pending: re.Match | None = None  # a high surrogate waiting for its low half
        for escape in _JSON_ESCAPE.finditer(string):
            code = int(escape.group(1), 16) if escape.group(1) else None
            is_low = code is not None and 0xDC00 <= code <= 0xDFFF
            if pending is not None:
                if is_low and escape.start() == pending.end():
                    pending = None
                    continue
                return token.start() + pending.start(), pending.group(0).decode()
            if code is not None and 0xD800 <= code <= 0xDBFF:
                pending = escape
            elif is_low:
                return token.start() + escape.start(), escape.group(0).decode()
        if pending is not None:
            return token.start() + pending.start(), pending.group(0).decode()
    return None


def check_rdf_bytes(data: bytes, format_name: str, path: str) -> None:
    """Refuse data that would make a parser expand entities, fetch contexts or recurse deeply.

    Oxigraph's RDF/XML parser expands internal entities without a bound (670 bytes
    became a 200 MB literal), and its JSON-LD parser overflows the stack (the process
    dies) on a few thousand nested objects; both slow down quadratically with depth.

    >>> check_rdf_bytes(b'<!DOCTYPE r [<!ENTITY a "b">]><r/>', "rdfxml", "x.rdf")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.UnsafeOperationError: x.rdf:1: XML DOCTYPE declarations are refused (entity ...
    """
    from kg.rdf.limits import MAX_NESTING

    if format_name == "rdfxml":
        match = _XML_DECLARATIONS.search(data)
        if match:
            raise UnsafeOperationError(
                f"{path}:{_line_of(data, match.start())}: XML {match.group(1).decode().upper()}"
                " declarations are refused (entity expansion can exhaust memory or read local"
                " files)"
            )
        deep = xml_depth_exceeded(data, MAX_NESTING)
    elif format_name == "jsonld":
        deep = json_depth_exceeded(data, MAX_NESTING)
    else:
        return  # Oxigraph's Turtle-family parsers keep their own stack: depth costs nothing
    if deep is not None:
        raise InputError(
            path,
            f"nested more than {MAX_NESTING} levels deep: kg refuses deeper {format_name}"
            " (its parser slows down quadratically and can crash)",
            line=_line_of(data, deep),
        )
    if format_name == "jsonld":
        lone = json_lone_surrogate(data)
        if lone is not None:
            offset, text = lone
            line = _line_of(data, offset)
            raise InputError(
                path,
                f"the JSON string escape {text} is half of a UTF-16 surrogate pair without its"
                " other half: not a Unicode character",
                line=line,
                column=offset - (data.rfind(b"\n", 0, offset) + 1) + 1,
            )
    if format_name == "jsonld" and len(data) <= _JSONLD_CHECK_BYTES:
        _check_jsonld_contexts(data, path)


class _JsonObject(list):
    """A JSON object as its list of (key, value) pairs, duplicate keys kept."""


def _check_jsonld_contexts(data: bytes, path: str) -> None:
    """Refuse any ``@context`` or ``@import`` given by reference rather than inline.

    Every key is seen, duplicates included, and JSON escapes (``"\\u0040context"``)
    are decoded first, as the JSON-LD parser would.
    """
    import json

    try:
        document = json.loads(data, object_pairs_hook=_JsonObject)
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 (byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise InputError(path, f"not JSON: {err.msg}", line=err.lineno, column=err.colno) from None
    except RecursionError:  # not reached after the depth check; kept as a guard
        raise InputError(path, "JSON nested too deeply") from None
    from kg.rdf.limits import MAX_CONTEXT_NESTING

    stack = [(document, 0)]  # (JSON value, how many contexts it sits inside)
    while stack:
        item, contexts = stack.pop()
        if isinstance(item, _JsonObject):
            for key, value in item:
                inside = contexts
                if key in ("@context", "@import"):
                    refs = value if isinstance(value, list) else [value]
                    for ref in refs:
                        if isinstance(ref, str):
                            raise UnsafeOperationError(
                                f"{path}: the JSON-LD context {ref!r} is a reference to fetch;"
                                " kg does not fetch contexts: put the context inline"
                            )
                    inside = contexts + (key == "@context")
                    if inside > MAX_CONTEXT_NESTING:
                        raise InputError(
                            path,
                            f"JSON-LD contexts nested more than {MAX_CONTEXT_NESTING} levels"
                            " deep (a scoped context inside a term definition inside a"
                            " context ...): kg refuses them (processing them grows with the"
                            " cube of the depth)",
                        )
                stack.append((value, inside))
        elif isinstance(item, list):
            stack.extend((value, contexts) for value in item)


def is_select_like(text: str) -> bool:
    """Whether ``text`` looks like a query form (not an update)."""
    return bool(_FORM.search(text))


def _refuse_remote(*args, **kwargs):
    raise UnsafeOperationError(
        "SPARQL SERVICE / LOAD is refused: it would send a request to another server"
    )


def harden_rdflib() -> None:
    """Make rdflib's SPARQL engine (used by pySHACL) never fetch anything, and keep its
    ill-typed-literal tracebacks out of the user's terminal.

    :func:`check_query` refuses such queries first; this is the second lock: graphs are
    not loaded for ``FROM``, and ``SERVICE`` and ``LOAD`` raise instead of calling urlopen.
    """
    import rdflib.plugins.sparql as rdflib_sparql
    import rdflib.plugins.sparql.evaluate as rdflib_evaluate
    import rdflib.plugins.sparql.update as rdflib_update

    rdflib_sparql.SPARQL_LOAD_GRAPHS = False
    rdflib_sparql.SPARQL_DEFAULT_GRAPH_UNION = True
    rdflib_evaluate.evalServiceQuery = _refuse_remote
    rdflib_update.evalLoad = _refuse_remote
    quiet_rdflib()


_REMOTE_PATTERNS = {
    "ServiceGraphPattern": _REFUSED["SERVICE"],
    "DatasetClause": _REFUSED["FROM"],
    "Load": _REFUSED["LOAD"],
    "UsingClause": _REFUSED["USING"],
}


def check_query_tree(text: str, where: str) -> None:
    """Refuse SPARQL whose syntax tree, as rdflib's SPARQL grammar parses it, holds
    ``SERVICE``, ``FROM``, ``LOAD`` or ``USING``.

    The second lock behind :func:`check_query` for the SPARQL in shapes, which
    pySHACL has Oxigraph run: Oxigraph sends ``SERVICE`` requests and has no switch
    to stop them. A text the grammar cannot parse is refused as malformed shapes.

    >>> check_query_tree("SELECT $this WHERE { $this $PATH ?v }", "shapes.ttl")
    >>> check_query_tree("ASK { SERVICE <http://x/> { ?s ?p ?o } }", "s.ttl")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.UnsafeOperationError: s.ttl: SERVICE is refused: it would send a request to ...
    """
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    parse = parseQuery if is_select_like(text) else parseUpdate
    try:
        tree = parse(text)
    except Exception as err:  # pyparsing's errors
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(where, f"malformed shapes: SPARQL syntax error: {first}") from None
    stack = [tree]
    while stack:
        node = stack.pop()
        name = getattr(node, "name", None)
        if isinstance(name, str) and name in _REMOTE_PATTERNS:
            raise UnsafeOperationError(f"{where}: {_REMOTE_PATTERNS[name]}")
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            stack.extend(node)


def quiet_rdflib() -> None:
    """Keep rdflib's reactions to ill-typed literals (a logged traceback, a UserWarning
    such as "Parsing weird boolean") off the terminal: kg reports them itself, once."""
    import logging
    import warnings

    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=UserWarning, module=r"rdflib\.")
