"""Run compiled SHACL checks over an Oxigraph store and write the standard report.

The report graph is the one pySHACL writes (``sh:ValidationReport`` with one
``sh:ValidationResult`` per violation: focus node, path, value, messages, severity,
source shape, constraint component, source constraint), so the results read from it
(:func:`kg.engine.validation.results_from_report`) are, field by field, pySHACL's.
"""

from __future__ import annotations

import re

from kg.engine.shacl.compile import (
    CANDIDATE,
    CANDIDATES_GRAPH,
    FOCUS,
    FOCUS_GRAPH,
    INSTANCE_OF,
    INSTANCES_GRAPH,
    RESTRICT,
    Check,
    Plan,
)
from kg.rdf.limits import side_by_side
from kg.rdf.namespaces import RDF, RDFS, SH

_INSTANCE = f"<{RDF}type>/<{RDFS}subClassOf>*"


def run_checks(store, plan: Plan, report_graph=None, candidates=None):
    """Evaluate ``plan``'s checks over ``store`` (its default graph), adding their results
    to ``report_graph`` (a new report when None). Returns the report graph.

    With ``candidates`` (Oxigraph terms), only those nodes are focus nodes: the results
    are those of a full validation that concern them.
    """
    import pyoxigraph as ox
    from rdflib import RDF as R
    from rdflib import BNode, Graph, Literal, URIRef

    if report_graph is None:
        report_graph = Graph()
        report = BNode()
        report_graph.add((report, R.type, URIRef(SH + "ValidationReport")))
    else:
        report = next(report_graph.subjects(R.type, URIRef(SH + "ValidationReport")))
    restrict = ""
    if candidates is not None:  # only these nodes can be focus nodes (incremental add)
        # a join, first in the pattern: the targets are then checked per candidate
        restrict = f"GRAPH <{CANDIDATES_GRAPH}> {{ <{CANDIDATE}> <{FOCUS}> ?this }}"
        if _has_graph(store, CANDIDATES_GRAPH):
            store.remove_graph(ox.NamedNode(CANDIDATES_GRAPH))
        candidate = ox.NamedNode(CANDIDATE)
        store.extend(
            ox.Quad(candidate, ox.NamedNode(FOCUS), node, ox.NamedNode(CANDIDATES_GRAPH))
            for node in candidates
        )
    try:
        updates = [
            f"INSERT {{ GRAPH <{INSTANCES_GRAPH}> {{ ?value <{INSTANCE_OF}> <{cls}> }} }} "
            f"WHERE {{ ?value {_INSTANCE} <{cls}> }}"
            for cls in sorted(plan.classes)
        ] + [update.replace("{restrict}", restrict) for _, update in plan.focus]
        by_query: dict[str, list[Check]] = {}
        for check in plan.checks:  # batched checks share one query
            by_query.setdefault(check.query, []).append(check)

        def answer(query: str) -> list:
            text = query.replace(RESTRICT, restrict)
            return list(store.query(text, use_default_graph_as_union=False))

        def step(item: tuple[bool, str]) -> list | None:
            is_update, text = item
            return store.update(text) if is_update else answer(text)

        # Independent steps run side by side (Oxigraph releases the GIL while it works):
        # the updates, with the queries that read none of the graphs they write; then
        # the other queries.
        early = [q for q in by_query if FOCUS_GRAPH not in q and INSTANCES_GRAPH not in q]
        late = [q for q in by_query if FOCUS_GRAPH in q or INSTANCES_GRAPH in q]
        first = side_by_side(step, [(True, u) for u in updates] + [(False, q) for q in early])
        rows_of = dict(zip(early, first[len(updates) :], strict=True))
        rows_of.update(zip(late, side_by_side(answer, late), strict=True))
        for query, checks in by_query.items():
            rows = rows_of[query]
            for row in rows:  # in the order of the checks, as one after the other gave
                for check in checks:
                    if check.flag is not None and not _true(row[check.flag]):
                        continue
                    if check.ill_typed and not _ill_typed(row["value"]):
                        continue
                    _add_result(report_graph, report, plan.shapes_graph, check, row, store)
    finally:
        for name in (FOCUS_GRAPH, CANDIDATES_GRAPH, INSTANCES_GRAPH):
            if _has_graph(store, name):
                store.remove_graph(ox.NamedNode(name))
    conforms = not any(report_graph.objects(report, URIRef(SH + "result")))
    report_graph.set((report, URIRef(SH + "conforms"), Literal(conforms)))
    return report_graph


def _add_result(graph, report, shapes_graph, check: Check, row, store=None) -> None:
    from rdflib import RDF as R
    from rdflib import BNode, Literal, URIRef

    from kg.rdf.io import to_rdflib_term

    def sh(name: str) -> URIRef:
        return URIRef(SH + name)

    bindings = {}
    for variable in _variables(check.query):
        term = row[variable]
        if term is not None:
            bindings[variable] = to_rdflib_term(term)
    focus = bindings.get("this")
    node = BNode()
    graph.add((report, sh("result"), node))
    graph.add((node, R.type, sh("ValidationResult")))
    graph.add((node, sh("focusNode"), focus))
    graph.add((node, sh("resultSeverity"), check.severity))
    graph.add((node, sh("sourceShape"), check.shape))
    graph.add((node, sh("sourceConstraintComponent"), sh(check.component)))
    if check.source_constraint is not None:
        graph.add((node, sh("sourceConstraint"), check.source_constraint))
        _copy(shapes_graph, check.source_constraint, graph)
    value = bindings.get("value")
    if value is None and check.value_is_focus and check.has_value:
        value = focus
    if value is not None and check.has_value:
        graph.add((node, sh("value"), value))
    path = bindings.get("path") if check.component == "ClosedConstraintComponent" else None
    if path is None:
        path = check.path
    if path is not None:
        graph.add((node, sh("resultPath"), path))
        _copy(shapes_graph, path, graph)
    if isinstance(check.shape, BNode):
        _copy(shapes_graph, check.shape, graph)
    for term in (focus, value):  # blank nodes of the data come with their triples, as in pySHACL
        if isinstance(term, BNode) and store is not None:
            _copy_from_store(store, term, graph)
    for message in check.messages:
        if check.component == "SPARQLConstraintComponent":
            message = Literal(_substitute(str(message), bindings))
        graph.add((node, sh("resultMessage"), message))


def _true(term) -> bool:
    return term is not None and term.value == "true"


def _has_graph(store, name: str) -> bool:
    import pyoxigraph as ox

    return any(True for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(name)))


def _ill_typed(term) -> bool:
    """Whether rdflib (so pySHACL) finds the literal's lexical form invalid for its type."""
    import pyoxigraph as ox

    from kg.rdf.io import is_ill_typed

    return isinstance(term, ox.Literal) and is_ill_typed(term)


_VARIABLES: dict[str, list[str]] = {}


def _variables(query: str) -> list[str]:
    """The projected variables of a compiled query (its first SELECT)."""
    names = _VARIABLES.get(query)
    if names is None:
        head = re.search(r"SELECT DISTINCT (.*?) WHERE", query, re.S).group(1)
        head = re.sub(r"\(.*? AS (\?\w+)\)", r"\1", head)  # (expression AS ?flag)
        names = _VARIABLES[query] = [v[1:] for v in re.findall(r"\?\w+", head)]
    return names


def _substitute(message: str, bindings: dict) -> str:
    """``{?var}`` and ``{$var}`` in a SPARQL constraint's message, as pySHACL fills them."""
    for name, term in bindings.items():
        message = re.sub(f"{{[?$]{name}}}", str(term).replace("\\", "\\\\"), message)
    return message


def _copy_from_store(store, node, target) -> None:
    """Copy the triples under a blank node of the data (default graph) into ``target``."""
    import pyoxigraph as ox
    from rdflib import BNode

    from kg.rdf.io import to_rdflib_term

    stack, seen = [node], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        subject = ox.BlankNode(str(current))
        for q in store.quads_for_pattern(subject, None, None, ox.DefaultGraph()):
            obj = to_rdflib_term(q.object)
            target.add((current, to_rdflib_term(q.predicate), obj))
            if isinstance(obj, BNode):
                stack.append(obj)


def _copy(source, node, target) -> None:
    """Copy the blank-node structure under ``node`` (a path, a constraint) into ``target``."""
    from rdflib import BNode

    if not isinstance(node, BNode):
        return
    stack, seen = [node], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for p, o in source.predicate_objects(current):
            target.add((current, p, o))
            if isinstance(o, BNode):
                stack.append(o)
