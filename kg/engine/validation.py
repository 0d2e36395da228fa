"""Validate the built graph, or a user's data files, against SHACL shapes.

pySHACL validates data held in an in-memory Oxigraph store (its Oxigraph
backend): about 0.4 GB per million triples where an rdflib graph takes 1.3 GB,
with SHACL-SPARQL constraints run by Oxigraph. Data whose literals that store
would rewrite (``xsd:int`` kept as ``xsd:integer``) and ``kg build``'s small
seed graph are validated in an rdflib graph instead. The ontology's class and
property axioms are copied in first, as pySHACL's ``ont_graph`` option does, so
``rdfs:subClassOf`` counts for ``sh:targetClass`` and ``sh:class``; no RDFS or
OWL inference runs (domain/range inference would retype wrong data and hide
violations). User shapes are checked against SHACL-for-SHACL first, and their
SPARQL is checked for operations that fetch remote data.

>>> SEVERITIES["warning"] < SEVERITIES["violation"]
True
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.errors import InputError, UsageError
from kg.rdf.namespaces import SH
from kg.sparql.output import shorten
from kg.store.memory import XSD_STRING

SEVERITIES = {"info": 0, "warning": 1, "violation": 2}
REPORT_FORMATS = ("text", "json", "turtle")


@dataclass(frozen=True, order=True)
class ValidationResult:
    """One SHACL validation result, with terms written as short, readable strings."""

    severity: str
    focus_node: str
    path: str
    value: str
    message: str
    source_shape: str
    constraint: str

    def line(self) -> str:
        """One line for a person at a terminal."""
        value = f" (value: {self.value})" if self.value else ""
        path = f" {self.path}" if self.path else ""
        return f"{self.severity}: {self.focus_node}{path}: {self.message}{value}"


def severity_rank(severity: str) -> int:
    """How severe a result's severity is, for ``--fail-on``. A custom severity (any IRI,
    as SHACL allows) counts as a violation: it is a result, and kg cannot know it is less.

    >>> severity_rank("Info"), severity_rank("ex:Blocker")
    (0, 2)
    """
    return SEVERITIES.get(severity.lower(), SEVERITIES["violation"])


@dataclass
class ValidationReport:
    """The outcome of a validation: results, and the standard SHACL report graph.

    ``conforms`` has SHACL's meaning (no result at all, whatever its severity, as
    ``sh:conforms`` in the report graph); ``passed`` says whether no result is at or
    above ``fail_on``, which decides the exit code and whether data is added.
    """

    results: list[ValidationResult]
    report_graph: object = field(repr=False, default=None)
    fail_on: str = "violation"
    # Problems no shape reports (ill-typed literals), one line each, for stderr.
    warnings: list[str] = field(default_factory=list)
    # What was validated, for the person at the terminal (stderr), e.g. the files
    # together with the built graph.
    context: str = ""

    @property
    def conforms(self) -> bool:
        """SHACL's ``sh:conforms``: true only when there is no result at all."""
        return not self.results

    @property
    def passed(self) -> bool:
        """True when no result is at or above ``fail_on``."""
        threshold = SEVERITIES[self.fail_on]
        return not any(severity_rank(r.severity) >= threshold for r in self.results)

    def counts(self) -> dict[str, int]:
        """Results per severity: Violation, Warning, Info, then any custom severity."""
        counts = {s: 0 for s in ("Violation", "Warning", "Info")}
        for result in self.results:
            counts[result.severity] = counts.get(result.severity, 0) + 1
        return counts

    def verdict(self) -> str:
        """``conforms`` (no result), ``passes at --fail-on LEVEL`` (results, all below the
        level) or ``does not conform``."""
        if self.conforms:
            return "conforms"
        if self.passed:
            return f"passes at --fail-on {self.fail_on}"
        return "does not conform"

    def to_text(self) -> str:
        lines = [r.line() for r in self.results]
        summary = ", ".join(
            f"{n} {s.lower() if s in ('Violation', 'Warning', 'Info') else s}"
            f"{'s' if n != 1 and s in ('Violation', 'Warning', 'Info') else ''}"
            for s, n in self.counts().items()
        )
        lines.append(f"{self.verdict()}: {summary}")
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        document = {
            "conforms": self.conforms,
            "passed": self.passed,
            "failOn": self.fail_on,
            "results": [asdict(r) for r in self.results],
        }
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"

    def to_turtle(self) -> str:
        from kg.rdf.io import from_rdflib_triples, serialize

        return serialize(from_rdflib_triples(self.report_graph, None), "turtle").decode("utf-8")

    def render(self, format_name: str) -> str:
        renderers = {"text": self.to_text, "json": self.to_json, "turtle": self.to_turtle}
        return renderers[format_name]()


def _term_text(graph, term) -> str:
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return ""
    if isinstance(term, URIRef):
        return shorten(str(term))
    if isinstance(term, Literal):
        if term.datatype is not None and str(term.datatype) != XSD_STRING:
            return f'"{term}"^^{shorten(str(term.datatype))}'
        if term.language:
            return f'"{term}"@{term.language}'
        return f'"{term}"'
    if isinstance(term, BNode):
        return _path_text(graph, term)
    return str(term)


def _path_text(graph, node) -> str:
    """A SHACL property path written as SPARQL, blank-node paths included."""
    from rdflib import RDF, BNode, URIRef
    from rdflib.collection import Collection

    shacl = {
        name: URIRef(SH + name)
        for name in (
            "inversePath",
            "alternativePath",
            "zeroOrMorePath",
            "oneOrMorePath",
            "zeroOrOnePath",
        )
    }
    if isinstance(node, URIRef):
        return shorten(str(node))
    if not isinstance(node, BNode):
        return str(node)
    if (node, RDF.first, None) in graph:
        return "/".join(_path_text(graph, n) for n in Collection(graph, node))
    inverse = graph.value(node, shacl["inversePath"])
    if inverse is not None:
        return "^" + _path_text(graph, inverse)
    alternatives = graph.value(node, shacl["alternativePath"])
    if alternatives is not None:
        return "(" + "|".join(_path_text(graph, n) for n in Collection(graph, alternatives)) + ")"
    for name, mark in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
        inner = graph.value(node, shacl[name])
        if inner is not None:
            return _path_text(graph, inner) + mark
    return "[]"


def results_from_report(report_graph, shapes_graph=None) -> list[ValidationResult]:
    """The results of a SHACL report graph as :class:`ValidationResult`, sorted."""
    from rdflib import RDF, URIRef

    sh = {
        name: URIRef(SH + name)
        for name in (
            "ValidationResult",
            "resultSeverity",
            "focusNode",
            "resultPath",
            "value",
            "resultMessage",
            "sourceShape",
            "sourceConstraintComponent",
        )
    }
    results = []
    # Only the report's own results: those nested under sh:detail (sh:node's reasons)
    # explain a result and are not results of the validation themselves.
    reports = list(report_graph.subjects(RDF.type, URIRef(SH + "ValidationReport")))
    if reports:
        nodes = {n for r in reports for n in report_graph.objects(r, URIRef(SH + "result"))}
    else:  # a bare list of results
        nodes = set(report_graph.subjects(RDF.type, sh["ValidationResult"]))
    for node in nodes:
        severity = str(report_graph.value(node, sh["resultSeverity"]) or SH + "Violation")
        path_node = report_graph.value(node, sh["resultPath"])
        messages = sorted(str(m) for m in report_graph.objects(node, sh["resultMessage"]))
        shape = report_graph.value(node, sh["sourceShape"])
        results.append(
            ValidationResult(
                severity=severity.removeprefix(SH)
                if severity.startswith(SH)
                else shorten(severity),
                focus_node=_term_text(report_graph, report_graph.value(node, sh["focusNode"])),
                path=_path_text(report_graph, path_node) if path_node is not None else "",
                value=_term_text(report_graph, report_graph.value(node, sh["value"])),
                message=messages[0] if messages else "",
                source_shape=shorten(str(shape)) if isinstance(shape, URIRef) else "",
                constraint=shorten(
                    str(report_graph.value(node, sh["sourceConstraintComponent"]) or "")
                ),
            )
        )
    rank = {"Violation": 0, "Warning": 1, "Info": 2}
    results.sort(key=lambda r: (rank.get(r.severity, 3), r.focus_node, r.path, r.message, r.value))
    return results


def _check_shapes(shapes_graph, where: str, use_record: bool = True) -> None:
    """Refuse shapes whose SPARQL would fetch, and regexes that do not compile.
    A text :mod:`kg.engine.shacl.known` records as safe is not parsed again."""
    from rdflib import URIRef

    from kg.engine.shacl.known import note_tree_checked, tree_checked
    from kg.rdf.safety import check_query, check_query_tree

    for name in ("select", "ask", "construct", "update"):
        for text in shapes_graph.objects(None, URIRef(SH + name)):
            check_query(str(text), f"{where} (sh:{name})")
            if use_record and tree_checked(str(text)):
                continue
            check_query_tree(str(text), f"{where} (sh:{name})")  # Oxigraph would send SERVICE
            note_tree_checked(str(text))
    for pattern in shapes_graph.objects(None, URIRef(SH + "pattern")):
        try:
            re.compile(str(pattern))
        except re.error as err:
            message = f"malformed shapes: bad sh:pattern {str(pattern)!r}: {err}"
            raise InputError(where, message) from None


def _meta_shacl_problem(message: str) -> str:
    """The first result of pySHACL's meta-SHACL report, as one line."""
    fields = {}
    for line in message.splitlines():
        key, sep, value = line.strip().partition(": ")
        if sep and key in ("Result Path", "Message", "Value Node", "Focus Node"):
            fields.setdefault(key, value)
    path = fields.get("Result Path", "?")
    return f"malformed shapes: {path} {fields.get('Message', 'is not valid SHACL')}".strip()


def _meta_check(shapes_graph, shapes_name: str):
    """Check user shapes against SHACL-for-SHACL; return the shapes to validate with.

    A property path node that is an RDF list and also carries another path form
    (``sh:inversePath``...) fails SHACL-for-SHACL, yet the W3C tests
    (``path/path-strange-002``) expect it read as the list, as pySHACL reads it; such
    shapes are accepted, with the list kept. Raises :class:`InputError` otherwise.
    """
    from pyshacl.entrypoints import meta_validate
    from rdflib import RDF, Graph, URIRef

    def check(graph):
        conforms, _, text = meta_validate(
            graph, inference="none", advanced=True, allow_warnings=False
        )
        return conforms, text

    conforms, text = check(shapes_graph)
    if conforms:
        return shapes_graph
    others = [
        URIRef(SH + n)
        for n in (
            "inversePath",
            "alternativePath",
            "zeroOrMorePath",
            "oneOrMorePath",
            "zeroOrOnePath",
        )
    ]
    strange = [
        node
        for node in set(shapes_graph.objects(None, URIRef(SH + "path")))
        if (node, RDF.first, None) in shapes_graph
        and any((node, other, None) in shapes_graph for other in others)
    ]
    if strange:
        cleaned = Graph()
        for triple in shapes_graph:
            if not (triple[0] in strange and triple[1] in others):
                cleaned.add(triple)
        for prefix, namespace in shapes_graph.namespaces():
            cleaned.bind(prefix, namespace)
        if check(cleaned)[0]:
            return cleaned
    raise InputError(shapes_name, _meta_shacl_problem(text))


def inoculate(store, ontology_graph) -> list:
    """Copy the ontology's class and property axioms into ``store``'s default graph, as
    pySHACL does with ``ont_graph`` (whose Oxigraph code path fails on them). Returns
    the quads that were not there before (for a caller that must take them out again).
    """
    from pyshacl.graph_abstraction import DataGraph
    from pyshacl.rdfutil.inoculate import inoculate as pyshacl_inoculate
    from rdflib import Graph

    from kg.rdf.io import from_rdflib_triples

    axioms = Graph()
    pyshacl_inoculate(DataGraph.from_rdflib(axioms), ontology_graph)
    new = [q for q in from_rdflib_triples(axioms, None) if q not in store]
    store.extend(new)
    return new


class NeedsFullValidation(Exception):
    """Raised by :func:`validate_graph` with ``only_affected`` when the change could
    affect any node (a schema change, an unbounded path, a shape left to pySHACL)."""


def _quick_emptiness_test() -> None:
    """pySHACL asks ``datagraph or shapes_graph`` for every result it makes, and its
    Oxigraph graph answers ``bool()`` by counting the whole store: 7 ms a result at
    10,000 triples, quadratic over a run. Asking for one quad gives the same answer."""
    from pyshacl import graph_abstraction

    graph_class = graph_abstraction.OxigraphDataGraph
    if "__bool__" not in graph_class.__dict__:
        graph_class.__bool__ = lambda self: next(iter(self.impl), None) is not None


def _plain_strings() -> None:
    """pySHACL's Oxigraph backend gives ``"A"^^xsd:string`` back as rdflib's
    ``Literal("A", datatype=xsd:string)``, which rdflib does not equal to the shapes'
    ``Literal("A")``: ``sh:in`` and ``sh:hasValue`` would report false violations.
    In RDF 1.1 both are one term, so the conversion gives the plain form."""
    from pyshacl import graph_abstraction as ga
    from rdflib import Literal, URIRef

    if getattr(ga, "_kg_plain_strings", False):
        return
    xsd_string = URIRef(XSD_STRING)
    to_rdf, convert_quad = ga.to_rdf, ga.convert_quad_to_rdflib

    def plain(term):
        if type(term) is Literal and term.datatype == xsd_string:
            return Literal(str(term))
        return term

    def to_rdf_plain(term):
        return plain(to_rdf(term))

    def convert_quad_plain(quad):
        s, p, o, g = convert_quad(quad)
        return s, p, plain(o), g

    ga.to_rdf, ga.convert_quad_to_rdflib = to_rdf_plain, convert_quad_plain
    ga._kg_plain_strings = True


def validate_graph(
    data,
    shapes_graph,
    ontology_graph=None,
    *,
    fail_on: str = "violation",
    meta_shacl: bool = False,
    shapes_name: str = "shapes",
    inplace: bool = False,
    engine: str = "sparql",
    delta=None,
    only_affected: bool = False,
    inoculated: bool = False,
) -> ValidationReport:
    """Validate ``data`` against ``shapes_graph``. Raises :class:`InputError` for malformed shapes.

    ``data`` is an in-memory ``pyoxigraph.Store`` (from :mod:`kg.store.memory`; its
    default graph is the data, and the ontology's axioms are added to it), or an
    rdflib graph, validated as plain pySHACL does (with ``inplace``, the ontology
    is mixed into it rather than into a copy). Both give the same results, but
    for literals Oxigraph's store rewrites (:class:`kg.store.memory.RewriteCheck`).
    A store is validated by the shapes compiled to SPARQL (``engine="sparql"``, see
    :mod:`kg.engine.shacl`) or, with ``engine="pyshacl"``, by pySHACL alone.

    ``delta`` (a function giving the quads just added to a store that conformed
    before) validates only the focus nodes those quads can affect
    (:mod:`kg.engine.shacl.focus`): the results are those of a full validation that
    concern them; results of other nodes are left out, as they cannot have changed.
    With ``only_affected``, a change that could affect any node raises
    :class:`NeedsFullValidation` instead of validating everything. ``inoculated``: the
    caller has put the ontology's axioms into the store already (:func:`inoculate`).
    """
    import pyoxigraph as ox

    from kg.rdf.safety import harden_rdflib

    harden_rdflib()
    if fail_on not in SEVERITIES:
        raise UsageError(f"--fail-on must be one of {', '.join(SEVERITIES)}, not {fail_on!r}")
    _check_shapes(shapes_graph, shapes_name)
    if meta_shacl:
        shapes_graph = _meta_check(shapes_graph, shapes_name)
    if ontology_graph is not None:
        shapes_graph = with_typing_shapes(shapes_graph, ontology_graph)
    if isinstance(data, ox.Store):
        if ontology_graph is not None and not inoculated:
            inoculate(data, ontology_graph)
        if engine == "sparql":
            return _validate_compiled(
                data, shapes_graph, shapes_name, fail_on, delta, only_affected
            )
        _quick_emptiness_test()
        _plain_strings()
        options = {"inplace": True}
    else:
        logging.getLogger("kg.validation").debug(
            "pySHACL validates every shape, in an rdflib graph (literals kept as written)"
        )
        options = {"ont_graph": ontology_graph, "inplace": inplace}
    report_graph = _run_pyshacl(data, shapes_graph, False, shapes_name, options)
    return ValidationReport(results_from_report(report_graph), report_graph, fail_on)


def _validate_compiled(
    store, shapes_graph, shapes_name: str, fail_on: str, delta=None, only_affected: bool = False
) -> ValidationReport:
    """Shapes compiled to SPARQL, each constraint one query over the whole store
    (:mod:`kg.engine.shacl`); pySHACL validates the shapes the compiler leaves."""
    from kg.engine.shacl.compile import compile_shapes, without_targets
    from kg.engine.shacl.focus import affected_nodes, changes_schema, reach
    from kg.engine.shacl.report import run_checks

    plan = compile_shapes(shapes_graph, few_focus=delta is not None)
    log = logging.getLogger("kg.validation")
    log.debug("%d constraints compiled to SPARQL", len(plan.checks))
    for shape, reason in sorted(plan.fallback.items(), key=lambda item: str(item[0])):
        log.debug("pySHACL validates %s: %s", shorten(str(shape)), reason)
    candidates = None
    if delta is not None and not plan.fallback and not changes_schema(delta()):
        candidates = affected_nodes(store, delta(), reach(plan) - 1)
        if candidates is not None:
            log.debug("validating the %d nodes the new data can affect", len(candidates))
    if only_affected and (candidates is None or plan.fallback):
        raise NeedsFullValidation()
    report_graph = None
    if plan.fallback:
        _quick_emptiness_test()
        _plain_strings()
        rest = without_targets(shapes_graph, plan)
        report_graph = _run_pyshacl(store, rest, False, shapes_name, {"inplace": True})
    try:
        report_graph = run_checks(store, plan, report_graph, candidates)
    except (SyntaxError, ValueError) as err:  # a shape's SPARQL that Oxigraph rejects
        raise InputError(shapes_name, f"malformed shapes: {str(err).splitlines()[0]}") from None
    return ValidationReport(results_from_report(report_graph), report_graph, fail_on)


def with_typing_shapes(shapes_graph, ontology_graph):
    """A copy of ``shapes_graph`` with the shapes that require the types the reasoner
    would give (:mod:`kg.engine.reasonertypes`)."""
    from rdflib import Graph

    from kg.engine.reasonertypes import typing_shapes

    combined = Graph()
    for prefix, namespace in shapes_graph.namespaces():
        combined.bind(prefix, namespace)
    for triple in shapes_graph:
        combined.add(triple)
    for triple in typing_shapes(ontology_graph, shapes_graph):
        combined.add(triple)
    return combined


def _run_pyshacl(data, shapes_graph, meta_shacl: bool, shapes_name: str, options: dict):
    """pySHACL's report graph, its errors turned into :class:`InputError`."""
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError, ShapeLoadError

    from kg.engine.sparqlcache import cached_sparql_parsing

    # pySHACL hangs a stderr handler on this logger at every call and logs, among
    # other things, the whole meta-SHACL report; kg reports problems itself, in one line.
    logging.getLogger("pyshacl-validate").disabled = True
    try:
        with cached_sparql_parsing():  # rdflib parses each SHACL-SPARQL query once, not per node
            _, report_graph, _ = pyshacl.validate(
                data,
                shacl_graph=shapes_graph,
                inference="none",
                advanced=True,
                meta_shacl=meta_shacl,
                allow_warnings=False,
                **options,
            )
    except ReportableRuntimeError as err:
        if "MetaSHACL" in str(err.message if hasattr(err, "message") else err):
            raise InputError(shapes_name, _meta_shacl_problem(str(err))) from None
        raise InputError(shapes_name, f"malformed shapes: {str(err).splitlines()[0]}") from None
    except ShapeLoadError as err:
        raise InputError(shapes_name, f"malformed shapes: {str(err).splitlines()[0]}") from None
    except re.error as err:
        raise InputError(shapes_name, f"malformed shapes: bad sh:pattern: {err}") from None
    return report_graph


def load_shapes(shapes: Path | str | None, ontology_dir: Path | None = None):
    """The bundled shapes, or the user's (parsed safely). Returns (graph, name, is_user)."""
    from kg.rdf.io import parse_file, to_rdflib_graph
    from kg.rdf.resources import shapes_file

    if shapes is None:
        path = shapes_file(ontology_dir)
        return to_rdflib_graph(_as_written(parse_file(path))), str(path), False
    return to_rdflib_graph(_as_written(parse_file(shapes))), str(shapes), True


def _as_written(quads: list) -> list:
    """Shapes' quads, with boolean parameters kept as written.

    rdflib reads ``"1"^^xsd:boolean`` as ``"true"``; SHACL activates ``sh:uniqueLang``
    (and ``sh:closed``, ``sh:deactivated``, ``sh:qualifiedValueShapesDisjoint``) only
    for the literal ``true``, so any other boolean is passed on as ``false``.
    """
    import pyoxigraph as ox

    boolean = XSD_STRING.replace("string", "boolean")
    switches = {
        SH + name
        for name in ("uniqueLang", "closed", "deactivated", "qualifiedValueShapesDisjoint")
    }
    out = []
    for quad in quads:
        obj = quad.object
        if (
            quad.predicate.value in switches
            and isinstance(obj, ox.Literal)
            and obj.datatype.value == boolean
            and obj.value not in ("true", "false")
        ):
            obj = ox.Literal("false", datatype=obj.datatype)
            quad = ox.Quad(quad.subject, quad.predicate, obj, quad.graph_name)
        out.append(quad)
    return out


def load_ontology(ontology_dir: Path | None = None):
    """The ontology as an rdflib graph."""
    from kg.rdf.io import parse_file, to_rdflib_graph
    from kg.rdf.resources import ontology_file

    return to_rdflib_graph(parse_file(ontology_file(ontology_dir)))


def ill_typed_warnings(
    sources: list[tuple[str, list]], results: list[ValidationResult]
) -> list[str]:
    """One line per ill-typed literal (``"2024-13-45"^^xsd:date``) that no result names.

    Where a shape covers the value, the SHACL result reports it; elsewhere it would
    pass silently, so it becomes a warning. ``sources`` pairs file names with quads.

    >>> import pyoxigraph as ox
    >>> bad = ox.Literal("abc", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    >>> q = ox.Quad(ox.NamedNode("https://w3id.org/kg/id/a"), ox.NamedNode("http://e/n"), bad)
    >>> ill_typed_warnings([("x.ttl", [q])], [])
    ['x.ttl: "abc"^^xsd:integer is not a valid xsd:integer (kgr:a <http://e/n>)']
    """
    import pyoxigraph as ox

    from kg.rdf.io import to_rdflib_term
    from kg.rdf.safety import quiet_rdflib

    quiet_rdflib()
    covered = {r.value for r in results}
    lines = []
    for name, quads in sources:
        for quad in quads:
            if not isinstance(quad.object, ox.Literal) or quad.object.language:
                continue
            literal = to_rdflib_term(quad.object)
            if not getattr(literal, "ill_typed", False):
                continue
            value = _term_text(None, literal)
            if value in covered:
                continue
            subject, predicate = (
                f"_:{t.value}"
                if isinstance(t, ox.BlankNode)
                else shorten(t.value)
                if shorten(t.value) != t.value
                else f"<{t.value}>"
                for t in (quad.subject, quad.predicate)
            )
            datatype = shorten(quad.object.datatype.value)
            lines.append(f"{name}: {value} is not a valid {datatype} ({subject} {predicate})")
    return lines


def rdflib_graph_of(
    files: Iterable[str | Path],
    input_format: str | None,
    data=None,
    sources: dict[str, bytes] | None = None,
):
    """The files parsed into one rdflib graph (where literals stay as written), added to
    ``data`` if given; ``sources``: the bytes of files read already (pipes), by name.

    >>> len(rdflib_graph_of(["tests/fixtures/mini/valid.ttl"], None))
    9
    """
    from kg.rdf.io import format_for, parse_bytes, parse_file, to_rdflib_graph

    for file in files:
        known = (sources or {}).get(str(file))
        if known is None:
            quads = parse_file(file, input_format)
        else:
            name = format_for(Path(file), input_format).name
            quads = parse_bytes(known, name, str(file), Path(file).resolve().as_uri())
        data = to_rdflib_graph(quads, data)
    return data
