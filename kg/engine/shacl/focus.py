"""Which focus nodes a change to the data can affect, for validating only those.

A constraint of a shape looks at the triples within some distance of its focus
node: one step for ``sh:path kg:office``, two for ``kg:inDocument/kg:fullText``,
the farthest variable from ``$this`` in a SPARQL constraint's patterns, one more
than its path for ``sh:class`` (the value's types). :func:`reach` computes the
largest such distance over the compiled checks; a triple added within it of a
node can change that node's results, so the candidates are every node within
``reach - 1`` steps (either direction, not through ``rdf:type``) of the subjects
and objects of the added triples (:func:`affected_nodes`). Targets depend only on
a node's own triples (and on the ontology and shapes, which a delta that changes
them makes a full validation: :func:`changes_schema`).

>>> from rdflib import Graph
>>> from kg.engine.shacl.compile import compile_shapes
>>> g = Graph().parse(data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
... <urn:S> a sh:NodeShape ; sh:targetClass <urn:C> ;
...   sh:property [ sh:path (<urn:p> <urn:q>) ; sh:minCount 1 ; sh:message "m" ] .''',
...   format="turtle")
>>> reach(compile_shapes(g))
2.0
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable

from kg.engine.shacl.compile import Plan
from kg.rdf.namespaces import OWL, RDF, RDFS

# Predicates of a delta that change what targets and sh:class read: validate it all.
_SCHEMA = {RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range"}


def changes_schema(quads: Iterable) -> bool:
    """Whether ``quads`` (Oxigraph) change class or property axioms, or declare classes."""
    import pyoxigraph as ox

    for quad in quads:
        predicate = quad.predicate.value
        if predicate in _SCHEMA or predicate.startswith(OWL):
            return True
        obj = quad.object
        if (
            predicate == RDF + "type"
            and isinstance(obj, ox.NamedNode)
            and (obj.value.startswith(OWL) or obj.value == RDFS + "Class")
        ):
            return True
    return False


def reach(plan: Plan, use_record: bool = True) -> float:
    """The largest number of steps from a focus node to a triple a compiled check reads
    (``math.inf`` for ``*`` and ``+`` paths). A SPARQL constraint's reach recorded by
    :mod:`kg.engine.shacl.known` is not computed again."""
    from kg.engine.shacl.compile import _Compiler

    compiler = _Compiler(plan.shapes_graph)
    farthest = 1.0
    for check in plan.checks:
        steps = 0.0
        if check.path is not None:
            steps = _path_length(compiler, check.path)
        if check.component == "SPARQLConstraintComponent":
            select = compiler.one(check.source_constraint, "select")
            steps = max(
                steps, _recorded_sparql_reach(str(select), steps, compiler, check, use_record)
            )
        elif check.component in (
            "ClassConstraintComponent",
            "OrConstraintComponent",
            "QualifiedMinCountConstraintComponent",
            "QualifiedMaxCountConstraintComponent",
        ):
            steps += 1  # the value's types
        farthest = max(farthest, steps or 1.0)
    return farthest


def _path_length(compiler, node) -> float:
    from rdflib import RDF as R
    from rdflib import BNode, URIRef

    from kg.rdf.namespaces import SH

    if isinstance(node, URIRef):
        return 1.0
    if not isinstance(node, BNode):
        return 1.0
    g = compiler.g
    if (node, R.first, None) in g:
        return sum(_path_length(compiler, n) for n in compiler.items(node))
    for name in ("zeroOrMorePath", "oneOrMorePath"):
        if (node, URIRef(SH + name), None) in g:
            return math.inf
    for inner in g.objects(node, URIRef(SH + "alternativePath")):
        return max((_path_length(compiler, n) for n in compiler.items(inner)), default=1.0)
    for name in ("inversePath", "zeroOrOnePath"):
        for inner in g.objects(node, URIRef(SH + name)):
            return _path_length(compiler, inner)
    return 1.0


def _recorded_sparql_reach(
    select: str, path_steps: float, compiler, check, use_record: bool
) -> float:
    from kg.engine.shacl.known import note_reach, recorded_reach

    parts = (path_steps, compiler.prefixes(check.source_constraint), select)
    found = recorded_reach(*parts) if use_record else None
    if found is None:
        found = _sparql_reach(select, path_steps, compiler, check)
        note_reach(found, *parts)
    return found


def _sparql_reach(select: str, path_steps: float, compiler, check) -> float:
    """The farthest term from ``$this`` in a SPARQL constraint's triple patterns (rdf:type
    patterns count one step, to the type)."""
    from rdflib import Variable
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
    from rdflib.plugins.sparql import prepareQuery

    text = select.replace("$PATH", "<urn:kg:path>")
    declared = compiler.prefixes(check.source_constraint)
    try:
        algebra = prepareQuery(f"{declared}\n{text}").algebra
    except Exception:  # a text rdflib cannot read: no bound, validate everything
        return math.inf

    def length(p) -> float:
        if isinstance(p, SequencePath):
            return sum(length(a) for a in p.args)
        if isinstance(p, AlternativePath):
            return max(length(a) for a in p.args)
        if isinstance(p, InvPath):
            return length(p.arg)
        if isinstance(p, MulPath):
            return math.inf if p.mod in ("*", "+") else length(p.path)
        if str(p) == "urn:kg:path":
            return path_steps or 1.0
        return 1.0

    edges: dict = {}

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "triples" and isinstance(value, list):
                    for triple in value:
                        s, p, o = triple
                        w = length(p)
                        edges.setdefault(s, []).append((o, w))
                        edges.setdefault(o, []).append((s, w))
                else:
                    walk(value)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)

    walk(algebra)
    start = Variable("this")
    distance = {start: 0.0}
    queue = [(0.0, 0, start)]
    counter = 0
    while queue:
        d, _, term = heapq.heappop(queue)
        if d > distance.get(term, math.inf):
            continue
        for other, w in edges.get(term, ()):
            if d + w < distance.get(other, math.inf):
                distance[other] = d + w
                counter += 1
                heapq.heappush(queue, (d + w, counter, other))
    return max(distance.values(), default=1.0)


def affected_nodes(store, quads: Iterable, steps: float) -> set | None:
    """The nodes of ``store`` (its default graph, holding the old data and ``quads``)
    within ``steps`` of the subjects and objects of ``quads``, following triples in
    either direction but not ``rdf:type``. None when ``steps`` is unbounded."""
    import pyoxigraph as ox

    if math.isinf(steps):
        return None
    default = ox.DefaultGraph()
    rdf_type = ox.NamedNode(RDF + "type")
    found: set = set()
    frontier: set = set()
    for quad in quads:
        found.add(quad.subject)
        frontier.add(quad.subject)
        if not isinstance(quad.object, ox.Literal) and quad.predicate != rdf_type:
            found.add(quad.object)
            frontier.add(quad.object)
    for _ in range(int(steps)):
        reached = set()
        for node in frontier:
            if isinstance(node, ox.Literal):
                continue
            for q in store.quads_for_pattern(node, None, None, default):
                if q.predicate != rdf_type and not isinstance(q.object, ox.Literal):
                    reached.add(q.object)
            for q in store.quads_for_pattern(None, None, node, default):
                if q.predicate != rdf_type:
                    reached.add(q.subject)
        frontier = reached - found
        found |= reached
        if not frontier:
            break
    return found
