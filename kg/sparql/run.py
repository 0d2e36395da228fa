"""Run a bundled or user SPARQL query against the built graph.

Parameters are bound as RDF terms (SEP-0007 substitution), never pasted into
the query text. Updates and operations that fetch remote data are refused.

>>> from kg.sparql.bundled import parse_header
>>> spec = parse_header("# param: n integer - A number\\nSELECT ?n {}")
>>> bind_params(spec, {"n": "3"})
{<Variable value=n>: <Literal value=3 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import QueryError
from kg.rdf.namespaces import GRAPH_INFERRED, PREFIXES, expand
from kg.rdf.safety import check_query
from kg.sparql.bundled import QuerySpec

XSD = "http://www.w3.org/2001/XMLSchema#"
_IRI_FORBIDDEN = re.compile(r'[\s<>"{}|\\^`]')


@dataclass
class QueryResult:
    """The answer to a query: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE)."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list = field(default_factory=list)

    def values(self) -> list[tuple[str | None, ...]]:
        """Rows as plain strings (IRIs and lexical forms), None for unbound."""
        return [tuple(None if t is None else t.value for t in row) for row in self.rows]


# A "term" parameter is an IRI or a literal, told apart by its form: the value of a
# statement as kg writes it (a date at the precision given, a whole number, a boolean).
_TERM_FORMS = (
    (re.compile(r"-?\d{4,}-\d{2}-\d{2}"), "date"),
    (re.compile(r"-?\d{4,}-\d{2}"), "gYearMonth"),
    (re.compile(r"--\d{2}-\d{2}"), "gMonthDay"),
    (re.compile(r"[+-]?\d+"), "integer"),
    (re.compile(r"true|false"), "boolean"),
)
_PREFIXED = re.compile(r"^([A-Za-z][\w-]*):\S*$")


def _term(spec: QuerySpec, name: str, raw: str):
    """An IRI (``<...>``, ``https://...``, ``kgr:name``), else a typed or plain literal.

    >>> from kg.sparql.bundled import parse_header
    >>> spec = parse_header("SELECT ?v {}")
    >>> [_term(spec, "v", v).value for v in ("kgr:india", "3", "annual")]
    ['https://w3id.org/kg/id/india', '3', 'annual']
    """
    prefixed = _PREFIXED.match(raw)
    if raw.startswith(("<", "http://", "https://", "urn:")) or (
        prefixed and prefixed.group(1) in PREFIXES
    ):
        return _param_term(spec, name, "iri", raw)
    typed = re.fullmatch(r'"(.*)"\^\^(\S+)', raw, re.S)
    if typed:  # "2024"^^xsd:gYear: a literal with its datatype written out
        return ox.Literal(typed.group(1), datatype=_param_term(spec, name, "iri", typed.group(2)))
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return ox.Literal(raw[1:-1])
    for pattern, datatype in _TERM_FORMS:
        if pattern.fullmatch(raw):
            return ox.Literal(raw, datatype=ox.NamedNode(XSD + datatype))
    return ox.Literal(raw)


def _param_term(spec: QuerySpec, name: str, kind: str, raw: str):
    where = f"--param {name}"
    if kind == "term":
        return _term(spec, name, raw)
    if kind == "iri":
        value = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
        if ":" in value and not value.startswith(("http://", "https://", "urn:")):
            try:
                value = expand(value)
            except KeyError:
                raise QueryError(
                    f"{where}: {raw!r} is not an IRI (unknown prefix; known: "
                    f"{', '.join(sorted(PREFIXES))})"
                ) from None
        if ":" not in value or _IRI_FORBIDDEN.search(value):
            raise QueryError(f"{where}: {raw!r} is not an IRI (write https://... or kgr:name)")
        return ox.NamedNode(value)
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", raw):
            raise QueryError(f"{where}: {raw!r} is not an integer")
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + "integer"))
    if kind == "date":
        if not re.fullmatch(r"-?\d{4,}-\d{2}-\d{2}", raw):
            raise QueryError(f"{where}: {raw!r} is not a date (write YYYY-MM-DD)")
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + "date"))
    return ox.Literal(raw)


def bind_params(spec: QuerySpec, params: dict[str, str]) -> dict:
    """Check ``params`` against the query's header and turn them into RDF terms."""
    declared = {p.name: p for p in spec.params}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        names = ", ".join(declared) or "none"
        raise QueryError(
            f"{spec.name}: unknown parameter {unknown[0]!r} (this query takes: {names})"
        )
    bindings = {}
    for param in spec.params:
        if param.name not in params:
            if param.required:
                raise QueryError(
                    f"{spec.name}: missing --param {param.name}=... ({param.kind}:"
                    f" {param.description or 'required'})"
                )
            continue
        bindings[ox.Variable(param.name)] = _param_term(
            spec, param.name, param.kind, params[param.name]
        )
    return bindings


def parse_params(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["name=value", ...]`` as a dict.

    >>> parse_params(["fact=kgr:x"])
    {'fact': 'kgr:x'}
    """
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise QueryError(f"--param {pair!r}: write --param name=value")
        params[name.strip()] = value
    return params


def _describe_syntax_error(where: str, err: SyntaxError) -> QueryError:
    return QueryError(f"{where}: SPARQL syntax error: {err.msg or err}")


def merged_graph(asserted: bool = False) -> list:
    """The default graph kg's queries read in a built store: the store's default graph
    (the merge of the asserted graphs, each triple once) and, unless ``asserted``, the
    inferences, which are kept disjoint from it (see :mod:`kg.store.versions`).

    Not Oxigraph's union default graph: it gives a triple once per graph that holds it,
    so a fact stated by five sources would be counted and joined five times.
    """
    default = [ox.DefaultGraph()]
    return default if asserted else [*default, ox.NamedNode(GRAPH_INFERRED)]


def run_on_store(
    store: ox.Store,
    spec: QuerySpec,
    bindings: dict,
    asserted: bool = False,
    *,
    dataset: tuple[list, list] | None = None,
) -> QueryResult:
    """Evaluate ``spec`` on a built store, over the merged graph (:func:`merged_graph`);
    ``GRAPH`` sees each source's named graph. ``dataset``: (default graph, named graphs)
    to use instead, as a SPARQL protocol request names them."""
    where = str(spec.path) if spec.path else spec.name
    check_query(spec.text, where)
    options: dict = {
        "substitutions": bindings,
        "prefixes": dict(PREFIXES),
        "default_graph": merged_graph(asserted),
    }
    if dataset is not None:
        options["default_graph"], options["named_graphs"] = dataset
    try:
        answer = store.query(spec.text, **options)
    except SyntaxError as err:
        raise _describe_syntax_error(where, err) from None
    except (OSError, ValueError) as err:
        raise QueryError(f"{where}: {err}") from None
    return collect(answer)


def collect(answer) -> QueryResult:
    """Materialize an Oxigraph query answer."""
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(kind="ask", boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows = [tuple(solution[v] for v in variables) for solution in answer]
        return QueryResult(kind="select", variables=variables, rows=rows)
    return QueryResult(kind="graph", triples=list(answer))
