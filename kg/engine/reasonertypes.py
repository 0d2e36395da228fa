"""Shapes that make every type the reasoner would give a node an asserted one.

The reasoner types a node from the properties it has (``rdfs:domain``,
``rdfs:range``, through sub-properties, inverses and symmetric properties), but
SHACL targets only read asserted types: a node with ``kg:office`` and
``kg:officeHolder`` and no ``a kg:TermInOffice`` would be checked by no shape,
added, and then typed a term in office by ``kg reason`` and answered by queries
as if it had been validated. Validation therefore requires, for each property
of the ontology, that its subjects (objects) be asserted instances of the class
the reasoner would give them (or of a subclass): then the shapes of that class
check them. Adding the inferred types to the validated data instead would hide
``sh:class`` violations (a person named as an office would become an office).

The classes come from the reasoner itself (:func:`kg.engine.fastreason.fast_closure`
over the ontology and one made-up triple per property), so the shapes follow the
rules it applies. Property chains (``owl:propertyChainAxiom``) derive triples between
nodes two steps apart; the types those would give are not covered here (the
bundled ontology's chains give none).

>>> from rdflib import Graph, URIRef, RDFS
>>> ont = Graph()
>>> _ = ont.add((URIRef("http://e/p"), RDFS.domain, URIRef("http://e/C")))
>>> [(p.split("/")[-1], side, c.split("/")[-1]) for p, side, c in typing_rules(ont)]
[('p', 'subject', 'C')]
"""

from __future__ import annotations

from kg.rdf.namespaces import KG_SHAPES, OWL, RDF, RDFS, SH, XSD

# Types that say nothing a shape could check, and datatypes (ranges of literals).
_SKIP = (XSD, RDFS + "Literal", RDFS + "Resource", OWL + "Thing", RDF + "PlainLiteral")


def typing_rules(ontology) -> list[tuple[str, str, str]]:
    """``(property, "subject"|"object", class)``: the most specific classes the reasoner
    gives the subjects (objects) of each property of ``ontology`` (an rdflib graph)."""
    from rdflib import URIRef

    from kg.engine.fastreason import fast_closure

    rdf_type = URIRef(RDF + "type")
    properties = {
        s
        for s, p, o in ontology
        if isinstance(s, URIRef)
        and (
            (p == rdf_type and str(o) in (OWL + "ObjectProperty", OWL + "DatatypeProperty"))
            or str(p)
            in (RDFS + "domain", RDFS + "range", RDFS + "subPropertyOf", OWL + "inverseOf")
        )
    }
    ordered = sorted(properties)
    made_up = [(URIRef(f"urn:kg:s{i}"), p, URIRef(f"urn:kg:o{i}")) for i, p in enumerate(ordered)]
    closure = fast_closure([*ontology, *made_up])
    if closure is None:  # an ontology the fast reasoner does not handle: no rules derived
        return []
    types: dict[str, set] = {}
    for s, p, o in closure.kept:
        if p == rdf_type and str(s).startswith("urn:kg:") and not str(o).startswith(_SKIP):
            types.setdefault(str(s), set()).add(str(o))
    supers = _superclasses(ontology)
    # Datatypes of the ontology (kg:DateValue) type literals, which carry no rdf:type,
    # and the values of datatype properties are literals: neither needs a class.
    datatypes = {str(s) for s in ontology.subjects(rdf_type, URIRef(RDFS + "Datatype"))}
    literal_valued = {str(s) for s in ontology.subjects(rdf_type, URIRef(OWL + "DatatypeProperty"))}
    rules = []
    for i, prop in enumerate(ordered):
        for side, node in (("subject", f"urn:kg:s{i}"), ("object", f"urn:kg:o{i}")):
            if side == "object" and str(prop) in literal_valued:
                continue
            classes = types.get(node, set()) - datatypes
            for cls in sorted(classes - _implied(classes, supers)):
                rules.append((str(prop), side, cls))
    return rules


def shape_target_classes(shapes_graph) -> set[str]:
    """The classes whose instances some shape of ``shapes_graph`` targets."""
    from rdflib import URIRef

    targets = {str(c) for c in shapes_graph.objects(None, URIRef(SH + "targetClass"))}
    classes = {URIRef(RDFS + "Class"), URIRef(OWL + "Class")}
    for shape in shapes_graph.subjects(URIRef(RDF + "type"), URIRef(SH + "NodeShape")):
        if any((shape, URIRef(RDF + "type"), c) in shapes_graph for c in classes):
            targets.add(str(shape))  # an implicit class target
    return targets


def typing_shapes(ontology, shapes_graph) -> list[tuple]:
    """SHACL node shapes (rdflib triples) that require, of the subjects (objects) of each
    property the reasoner types by, an asserted class under which shapes check them.

    Per property and side, one shape ``kgsh:Typed-<side>-<property>``: ``sh:class T``
    for the most specific classes T the reasoner would give that some shape of
    ``shapes_graph`` targets (asserting T or a subclass brings those shapes in), or,
    when no shape targets any of them, an asserted ``rdf:type`` at least.
    """
    from rdflib import BNode, Literal, URIRef

    from kg.sparql.output import shorten

    def sh(name: str) -> URIRef:
        return URIRef(SH + name)

    targeted = shape_target_classes(shapes_graph)
    supers = _superclasses(ontology)
    by_side: dict[tuple[str, str], set[str]] = {}
    for prop, side, cls in typing_rules(ontology):
        classes = {cls} | supers.get(cls, set())
        by_side.setdefault((prop, side), set()).update(classes)
    triples = []
    rdf_type = URIRef(RDF + "type")
    for (prop, side), classes in sorted(by_side.items()):
        wanted = classes & targeted
        wanted -= {d for c in wanted for d in supers.get(c, ())}  # the most specific
        shape = URIRef(f"{KG_SHAPES}Typed-{side}-{shorten(prop).replace(':', '-')}")
        target = sh("targetSubjectsOf" if side == "subject" else "targetObjectsOf")
        role = "has" if side == "subject" else "is the value of"
        triples += [(shape, rdf_type, sh("NodeShape")), (shape, target, URIRef(prop))]
        if wanted:
            names = " and a ".join(shorten(c) for c in sorted(wanted))
            message = (
                f"A node that {role} {shorten(prop)} is a {names} to the reasoner: "
                "state that class (or a subclass), so that its shapes check it."
            )
            triples += [(shape, sh("class"), URIRef(c)) for c in sorted(wanted)]
        else:
            names = " and a ".join(shorten(c) for c in sorted(classes - _implied(classes, supers)))
            message = (
                f"A node that {role} {shorten(prop)} is a {names} to the reasoner: "
                "state its class, so that shapes check it."
            )
            needs_type = BNode()
            triples += [
                (shape, sh("property"), needs_type),
                (needs_type, sh("path"), rdf_type),
                (needs_type, sh("minCount"), Literal(1)),
                (needs_type, sh("message"), Literal(message)),
            ]
        triples.append((shape, sh("message"), Literal(message)))
    return triples


def _implied(classes: set, supers: dict) -> set:
    return {d for c in classes for d in supers.get(c, ())}


def _superclasses(ontology) -> dict[str, set[str]]:
    """Class -> all its superclasses (transitively), from ``rdfs:subClassOf``."""
    direct: dict[str, set[str]] = {}
    for s, p, o in ontology:
        if str(p) == RDFS + "subClassOf" and s != o:
            direct.setdefault(str(s), set()).add(str(o))
    result = {}
    for start in direct:
        seen, stack = set(), list(direct[start])
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(direct.get(node, ()))
        result[start] = seen
    return result
