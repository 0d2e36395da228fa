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


def check_rdf_bytes(data: bytes, format_name: str, path: str) -> None:
    """Refuse data that would make a parser expand entities or fetch contexts."""
    if format_name == "rdfxml":
        match = _XML_DECLARATIONS.search(data)
        if match:
            line = data[: match.start()].count(b"\n") + 1
            raise UnsafeOperationError(
                f"{path}:{line}: XML {match.group(1).decode().upper()} declarations are refused"
                " (entity expansion can exhaust memory or read local files)"
            )
    if format_name == "jsonld":
        _check_jsonld_contexts(data, path)


def _check_jsonld_contexts(data: bytes, path: str) -> None:
    """Refuse any ``@context`` or ``@import`` given by reference rather than inline."""
    import json

    try:
        document = json.loads(data)
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 (byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise InputError(path, f"not JSON: {err.msg}", line=err.lineno, column=err.colno) from None
    except RecursionError:
        raise InputError(path, "JSON nested too deeply") from None
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, value in item.items():
                if key in ("@context", "@import"):
                    refs = (
                        [value]
                        if isinstance(value, str)
                        else value
                        if isinstance(value, list)
                        else []
                    )
                    for ref in refs:
                        if isinstance(ref, str):
                            raise UnsafeOperationError(
                                f"{path}: the JSON-LD context {ref!r} is a reference to fetch;"
                                " kg does not fetch contexts: put the context inline"
                            )
                stack.append(value)


def is_select_like(text: str) -> bool:
    """Whether ``text`` looks like a query form (not an update)."""
    return bool(_FORM.search(text))


def harden_rdflib() -> None:
    """Make rdflib's SPARQL engine (used by pySHACL) never load graphs from the web,
    and keep its ill-typed-literal tracebacks out of the user's terminal."""
    import logging

    import rdflib.plugins.sparql as rdflib_sparql

    rdflib_sparql.SPARQL_LOAD_GRAPHS = False
    rdflib_sparql.SPARQL_DEFAULT_GRAPH_UNION = True
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    logging.getLogger("rdflib").setLevel(logging.ERROR)
