"""Compile SHACL shapes (core and SHACL-SPARQL constraints) into SPARQL SELECT queries.

Each query finds, over the whole data graph, every violation of one constraint: it
binds ``?this`` (the focus node), ``?value`` (the value node, when the component
reports one), ``?path`` (for ``sh:closed``) and, for SPARQL constraints, the
variables their message names. Focus nodes come from the shape's targets
(``sh:targetClass`` through ``rdfs:subClassOf*`` as pySHACL reads the ontology's
axioms mixed into the data, implicit class targets, ``sh:targetNode``,
``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, ``sh:SPARQLTarget``).

A shape with targets is compiled whole or not at all: any component, path or
parameter the compiler does not handle (see :data:`COMPILED`), and any result
message pySHACL would generate itself (a shape without ``sh:message``), leaves the
shape to pySHACL, with the reason in :attr:`Plan.fallback`.

>>> from rdflib import Graph
>>> g = Graph().parse(data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
... <urn:S> a sh:NodeShape ; sh:targetClass <urn:C> ; sh:message "m" ;
...   sh:property [ sh:path <urn:p> ; sh:minCount 1 ; sh:message "m" ] .''', format="turtle")
>>> plan = compile_shapes(g)
>>> [c.component for c in plan.checks], plan.fallback
(['MinCountConstraintComponent'], {})
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.rdf.namespaces import RDF, RDFS, SH, XSD

# Components compiled to SPARQL (local names in the sh: namespace, without the suffix).
COMPILED = [
    "class",
    "datatype",
    "nodeKind",
    "minCount",
    "maxCount",
    "minLength",
    "maxLength",
    "pattern",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
    "lessThan",
    "lessThanOrEquals",
    "hasValue",
    "in",
    "or",
    "closed",
    "qualifiedValueShape",
    "sparql",
]

# Parameters that belong to a compiled component, or that say nothing to check.
_PARAMETERS = {
    "flags",
    "ignoredProperties",
    "qualifiedMinCount",
    "qualifiedMaxCount",
    "qualifiedValueShapesDisjoint",
    "path",
    "property",
    "message",
    "severity",
    "name",
    "description",
    "order",
    "group",
    "defaultValue",
    "deactivated",
    "targetClass",
    "targetNode",
    "targetSubjectsOf",
    "targetObjectsOf",
    "target",
    "prefixes",
    "declare",
    "select",
    "labelTemplate",
}

# Datatypes whose lexical forms Oxigraph can check by casting (an ill-typed literal fails).
_CASTABLE = {
    XSD + n
    for n in [
        "string",
        "boolean",
        "integer",
        "decimal",
        "float",
        "double",
        "date",
        "dateTime",
        "time",
        "duration",
        "dayTimeDuration",
        "yearMonthDuration",
    ]
}

# Datatypes whose literals, in the store, are valid whenever the datatype matches: rdflib
# (so pySHACL) does not check their lexical forms, or Oxigraph's store never keeps them
# (integer types are stored as xsd:integer, and data that has them is validated by pySHACL
# in an rdflib graph: kg.store.memory.RewriteCheck).
_EQUALITY_ONLY = {
    XSD + n
    for n in [
        "gYear",
        "gYearMonth",
        "gMonth",
        "gMonthDay",
        "gDay",
        "anyURI",
        "token",
        "normalizedString",
        "language",
        "Name",
        "NCName",
        "NMTOKEN",
        "dateTimeStamp",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    ]
}

_NODE_KINDS = {
    "IRI": "isIRI(?value)",
    "Literal": "isLiteral(?value)",
    "BlankNode": "isBlank(?value)",
    "BlankNodeOrIRI": "(isBlank(?value) || isIRI(?value))",
    "BlankNodeOrLiteral": "(isBlank(?value) || isLiteral(?value))",
    "IRIOrLiteral": "(isIRI(?value) || isLiteral(?value))",
}


_INSTANCE_OF = f"<{RDF}type>/<{RDFS}subClassOf>*"


class Unsupported(Exception):
    """A shape feature the compiler leaves to pySHACL."""


@dataclass
class Check:
    """One compiled constraint: its query and what the results it finds say."""

    shape: object  # the source shape (rdflib term of the shapes graph)
    component: str  # local name, e.g. "ClassConstraintComponent"
    severity: object  # rdflib URIRef
    messages: list  # rdflib Literals (templates for SPARQL constraints)
    path: object  # the shape's sh:path node, or None
    query: str
    source_constraint: object = None  # the sh:sparql node of a SPARQL constraint
    value_is_focus: bool = False  # node shapes: the value node is the focus node
    has_value: bool = True  # whether the component reports a value node
    ill_typed: bool = False  # rows are candidates: only ill-typed literals are results
    flag: str | None = None  # checks sharing a query: the variable true where this one fails


# Focus nodes are computed once per shape and kept in a named graph of the (throwaway)
# store that the checks join on: a shape's targets, a SPARQL target above all, cost as
# much as some of its checks, and every check of the shape needs them.
FOCUS_GRAPH = "urn:kg:focus"
FOCUS = "urn:kg:focus-of"
CANDIDATES_GRAPH = "urn:kg:candidates"
CANDIDATE = "urn:kg:candidate"
INSTANCES_GRAPH = "urn:kg:instances"
RESTRICT = "{restrict}"  # where run_checks puts the restriction to candidate focus nodes
INSTANCE_OF = "urn:kg:instance-of"


def _focus_pattern(key: str) -> str:
    return f"GRAPH <{FOCUS_GRAPH}> {{ <{key}> <{FOCUS}> ?this }}"  # objects: literals too


@dataclass
class Plan:
    """The compiled checks, and the shapes left to pySHACL with the reason.

    ``focus`` holds, per compiled shape, the update that writes its focus nodes into
    :data:`FOCUS_GRAPH`; ``{restrict}`` in it is where a restriction to candidate focus
    nodes goes (incremental validation).
    """

    checks: list[Check] = field(default_factory=list)
    fallback: dict = field(default_factory=dict)  # shape -> reason
    shapes_graph: object = None
    focus: list[tuple[str, str]] = field(default_factory=list)  # (key, update template)
    classes: set = field(default_factory=set)  # classes whose instances the checks read


def _n3(term) -> str:
    from rdflib import BNode, Literal

    if isinstance(term, BNode):
        raise Unsupported("a blank node as a parameter value")
    if isinstance(term, Literal):
        return term.n3()
    return f"<{term}>"


class _Compiler:
    def __init__(self, graph, few_focus: bool = False, require_messages: bool = True) -> None:
        from rdflib import URIRef

        self.g = graph
        self.sh = lambda name: URIRef(SH + name)
        self.rdf_type = URIRef(RDF + "type")
        self.classes: set[str] = set()
        # Few focus nodes (incremental validation): per-row lookups beat the whole-store
        # passes (MINUS, the instances of every class) that suit a full validation.
        self.few_focus = few_focus
        self.simple_target: str | None = None
        self.require_messages = require_messages
        self.absent = "FILTER NOT EXISTS" if few_focus else "MINUS"

    def instance(self, cls) -> str:
        """A pattern true when ``?value`` is an instance of ``cls`` (through
        ``rdfs:subClassOf*``), read from :data:`INSTANCES_GRAPH`, which
        :func:`kg.engine.shacl.report.run_checks` fills once per class."""
        if self.few_focus:
            return f"?value {_INSTANCE_OF} {_n3(cls)}"
        self.classes.add(str(_n3(cls))[1:-1])
        return f"GRAPH <{INSTANCES_GRAPH}> {{ ?value <{INSTANCE_OF}> {_n3(cls)} }}"

    # --- reading the shapes graph ---------------------------------------------------

    def values(self, node, name: str) -> list:
        return list(self.g.objects(node, self.sh(name)))

    def one(self, node, name: str):
        found = self.values(node, name)
        if len(found) > 1:
            raise Unsupported(f"more than one sh:{name}")
        return found[0] if found else None

    def items(self, node) -> list:
        from rdflib.collection import Collection

        return list(Collection(self.g, node))

    def is_true(self, node, name: str) -> bool:
        value = self.one(node, name)
        return value is not None and str(value) == "true"

    def path(self, node) -> str:
        """A SHACL property path as a SPARQL property path."""
        from rdflib import RDF as R
        from rdflib import BNode, URIRef

        if isinstance(node, URIRef):
            return f"<{node}>"
        if not isinstance(node, BNode):
            raise Unsupported("a literal path")
        if (node, R.first, None) in self.g:
            parts = self.items(node)
            if len(parts) < 2:
                raise Unsupported("a sequence path of fewer than two steps")
            return "(" + "/".join(self.path(p) for p in parts) + ")"
        forms = [
            (name, value)
            for name in (
                "inversePath",
                "alternativePath",
                "zeroOrMorePath",
                "oneOrMorePath",
                "zeroOrOnePath",
            )
            for value in self.values(node, name)
        ]
        if len(forms) != 1:
            raise Unsupported("an ill-formed path")
        name, inner = forms[0]
        if name == "inversePath":
            return f"^{self.path(inner)}"
        if name == "alternativePath":
            parts = self.items(inner)
            return "(" + "|".join(self.path(p) for p in parts) + ")"
        mark = {"zeroOrMorePath": "*", "oneOrMorePath": "+", "zeroOrOnePath": "?"}[name]
        return f"({self.path(inner)}){mark}"

    def prefixes(self, node) -> str:
        """PREFIX declarations of a SPARQL-based shape part (``sh:prefixes``)."""
        lines = []
        for owner in self.values(node, "prefixes"):
            for declaration in self.values(owner, "declare"):
                prefix = self.one(declaration, "prefix")
                namespace = self.one(declaration, "namespace")
                if prefix is not None and namespace is not None:
                    lines.append(f"PREFIX {prefix}: <{namespace}>")
        return "\n".join(sorted(set(lines)))

    # --- focus nodes ----------------------------------------------------------------

    def focus(self, shape) -> tuple[str, str] | None:
        """A group pattern binding ``?this`` to the shape's focus nodes, and the PREFIX
        lines it needs; None when the shape has no target."""
        from rdflib import URIRef

        parts, prefixes = [], []
        for cls in self.values(shape, "targetClass"):
            parts.append(f"?this <{RDF}type>/<{RDFS}subClassOf>* {_n3(cls)} .")
        if (
            any((shape, self.rdf_type, URIRef(RDFS + c)) in self.g for c in ("Class",))
            or (shape, self.rdf_type, URIRef("http://www.w3.org/2002/07/owl#Class")) in self.g
        ):
            parts.append(f"?this <{RDF}type>/<{RDFS}subClassOf>* {_n3(shape)} .")
        nodes = self.values(shape, "targetNode")
        self.kept_as_written(nodes)
        if nodes:
            parts.append("VALUES ?this { " + " ".join(_n3(n) for n in nodes) + " }")
        for prop in self.values(shape, "targetSubjectsOf"):
            parts.append(f"?this {_n3(prop)} ?kg_any .")
        for prop in self.values(shape, "targetObjectsOf"):
            parts.append(f"?kg_any {_n3(prop)} ?this .")
        for target in self.values(shape, "target"):
            if (target, self.rdf_type, self.sh("SPARQLTarget")) not in self.g:
                raise Unsupported("a target that is not an sh:SPARQLTarget")
            select = self.one(target, "select")
            if select is None:
                raise Unsupported("an sh:SPARQLTarget without sh:select")
            text = str(select).replace("$this", "?this")
            if re.search(r"\$\w", text):
                raise Unsupported("pre-bound variables in a SPARQL target")
            parts.append(_unwrapped_select(text) if self.few_focus else _with_minus(text))
            prefixes.append(self.prefixes(target))
        if not parts:
            return None
        self.simple_target = parts[0] if len(parts) == 1 and not prefixes else None
        union = " UNION ".join("{ " + p + " }" for p in parts)
        if self.few_focus:
            # No sub-SELECT: Oxigraph evaluates one whole (every instance of the class in
            # the store) before joining it with the few candidates (0.55 s per shape at 1M).
            # Joined in place, each candidate is looked up; the focus graph is a set anyway.
            return f"{{ {union} }}", "\n".join(prefixes)
        return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}", "\n".join(prefixes)

    # --- constraints ----------------------------------------------------------------

    def value_condition(self, shape) -> str:
        """A FILTER expression true when ``?value`` conforms to ``shape``, for shapes
        made of value-only constraints (the members of ``sh:or``, qualified shapes)."""
        if self.values(shape, "path") or self.values(shape, "property"):
            raise Unsupported("a nested shape with a path or property shapes")
        conditions = []
        for p, o in self.g.predicate_objects(shape):
            name = str(p).removeprefix(SH) if str(p).startswith(SH) else None
            if name is None or name in ("message", "name", "description", "severity"):
                continue
            if name == "class":
                conditions.append(f"EXISTS {{ {self.instance(o)} }}")
            elif name == "datatype":
                conditions.append(self.datatype_ok(o))
            elif name == "nodeKind":
                conditions.append(self.node_kind_ok(o))
            elif name == "in":
                conditions.append(self.in_ok(o))
            elif name == "hasValue":
                conditions.append(f"sameTerm(?value, {_n3(o)})")
            elif name in ("minLength", "maxLength", "pattern"):
                conditions.append(self.string_ok(shape, name, o))
            else:
                raise Unsupported(f"sh:{name} inside sh:or or a qualified shape")
        if not conditions:
            return "true"
        return "(" + " && ".join(conditions) + ")"

    def datatype_ok(self, datatype, nested: bool = True) -> str:
        """Whether ``?value`` is a literal of ``datatype`` with a valid lexical form. Where
        Oxigraph cannot cast to the datatype, the lexical form is checked by rdflib on
        the literals of that datatype (:attr:`Check.ill_typed`), not when ``nested``."""
        condition = f"(isLiteral(?value) && datatype(?value) = {_n3(datatype)}"
        if str(datatype) in _CASTABLE and str(datatype) != XSD + "string":
            condition += f" && COALESCE(isLiteral({_n3(datatype)}(?value)), false)"
        elif (
            nested
            and str(datatype) not in _CASTABLE
            and str(datatype) not in _EQUALITY_ONLY
            and str(datatype) != RDF + "langString"
        ):
            raise Unsupported(f"sh:datatype {datatype} inside sh:or or a qualified shape")
        return condition + ")"

    def node_kind_ok(self, kind) -> str:
        name = str(kind).removeprefix(SH)
        if name not in _NODE_KINDS:
            raise Unsupported(f"sh:nodeKind {kind}")
        return _NODE_KINDS[name]

    def kept_as_written(self, terms) -> None:
        """Refuse literals Oxigraph's store would give back in another form (``"4.0"``
        as ``"4"``): a focus node or an ``sh:in`` member compared as a term would differ."""
        from rdflib import Literal

        from kg.rdf.io import from_rdflib_term
        from kg.store.memory import RewriteCheck

        literals = [t for t in terms if isinstance(t, Literal) and t.datatype is not None]
        if not literals:
            return
        check = RewriteCheck()
        for literal in literals:
            check.add(from_rdflib_term(literal))
        check.flush()
        if check.found:
            raise Unsupported(f"the literal {check.found[0]} (the store rewrites it)")

    def in_ok(self, head) -> str:
        members = self.items(head)
        self.kept_as_written(members)
        if not members:
            return "false"
        return "(" + " || ".join(f"sameTerm(?value, {_n3(m)})" for m in members) + ")"

    def string_ok(self, shape, name: str, value) -> str:
        if name == "minLength":
            return f"(!isBlank(?value) && STRLEN(STR(?value)) >= {int(value)})"
        if name == "maxLength":
            return f"(!isBlank(?value) && STRLEN(STR(?value)) <= {int(value)})"
        flags = self.one(shape, "flags")
        pattern = str(value)
        try:
            re.compile(pattern)
        except re.error:
            raise Unsupported("a pattern Python cannot read") from None
        if re.search(r"\\[pPdDwWsSbB]|\(\?|\\[0-9]", pattern):
            raise Unsupported("a pattern whose meaning may differ between regex engines")
        args = f"STR(?value), {_literal(pattern)}"
        if flags is not None:
            args += f", {_literal(str(flags))}"
        return f"(!isBlank(?value) && REGEX({args}))"

    def compile_shape(
        self, shape, focus: str, prefixes: str, out: list[Check], from_node_shape: bool = False
    ) -> None:
        """Append the checks of ``shape`` (and of its property shapes) to ``out``."""
        from rdflib import URIRef

        if self.is_true(shape, "deactivated"):
            return
        path_node = self.one(shape, "path")
        path = self.path(path_node) if path_node is not None else None
        severity = self.one(shape, "severity") or URIRef(SH + "Violation")
        messages = self.values(shape, "message")
        handled = set()

        values = "BIND (?this AS ?value)" if path is None else f"?this {path} ?value ."

        def add(
            component: str,
            where: str,
            has_value: bool = True,
            select: str = "",
            group: str = "",
            **extra,
        ) -> None:
            if not messages and self.require_messages:
                raise Unsupported(f"no sh:message (pySHACL writes its own for {component})")
            variables = select or ("?this ?value" if has_value else "?this")
            query = f"{prefixes}\nSELECT DISTINCT {variables} WHERE {{ {focus} {where} }} {group}"
            out.append(
                Check(
                    shape,
                    component,
                    severity,
                    messages,
                    path_node,
                    query.strip(),
                    value_is_focus=path is None,
                    has_value=has_value,
                    **extra,
                )
            )

        batched: list[tuple[str, str]] = []  # (component, condition a conforming value meets)

        def batch(component: str, condition: str) -> None:
            """Value checks of one shape share one query; a flag per check says which failed."""
            if not messages and self.require_messages:
                raise Unsupported(f"no sh:message (pySHACL writes its own for {component})")
            batched.append((component, condition))

        for p, o in sorted(self.g.predicate_objects(shape)):
            if not str(p).startswith(SH):
                continue
            name = str(p).removeprefix(SH)
            if name in _PARAMETERS:
                continue
            handled.add(name)
            if name == "class":  # with the value checks: one join with the focus nodes less
                batch("ClassConstraintComponent", f"EXISTS {{ {self.instance(o)} }}")
            elif name == "datatype":
                batch("DatatypeConstraintComponent", self.datatype_ok(o, nested=False))
                if str(o) not in _CASTABLE and str(o) != RDF + "langString":
                    add(
                        "DatatypeConstraintComponent",
                        f"{values} FILTER (isLiteral(?value) && datatype(?value) = {_n3(o)})",
                        ill_typed=True,
                    )
            elif name == "nodeKind":
                batch("NodeKindConstraintComponent", self.node_kind_ok(o))
            elif name in ("minLength", "maxLength", "pattern"):
                component = name[0].upper() + name[1:] + "ConstraintComponent"
                batch(component, self.string_ok(shape, name, o))
            elif name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
                operator = {
                    "minInclusive": ">=",
                    "maxInclusive": "<=",
                    "minExclusive": ">",
                    "maxExclusive": "<",
                }[name]
                component = name[0].upper() + name[1:] + "ConstraintComponent"
                batch(component, f"COALESCE(?value {operator} {_n3(o)}, false)")
            elif name in ("minCount", "maxCount"):
                if path is None:
                    raise Unsupported(f"sh:{name} on a node shape")
                count = int(o)
                component = name[0].upper() + name[1:] + "ConstraintComponent"
                if name == "minCount" and count == 1:
                    # Oxigraph evaluates NOT EXISTS per node, slowly when the pattern has a
                    # free variable (60 us a node, even for one quad; a path: seconds at
                    # 100k); MINUS reads the property's triples once (see self.absent).
                    add(component, f"{self.absent} {{ ?this {path} ?kg_v }}", has_value=False)
                elif name == "maxCount" and count == 1:
                    # two different values: a third faster than counting them per node
                    pair = f"?this {path} ?kg_v . ?this {path} ?kg_w ."
                    add(component, f"{pair} FILTER (!sameTerm(?kg_v, ?kg_w))", has_value=False)
                elif name == "minCount":
                    add(
                        component,
                        f"OPTIONAL {{ ?this {path} ?kg_v }}",
                        has_value=False,
                        group=f"GROUP BY ?this HAVING (COUNT(DISTINCT ?kg_v) < {count})",
                    )
                else:
                    add(
                        component,
                        f"?this {path} ?kg_v .",
                        has_value=False,
                        group=f"GROUP BY ?this HAVING (COUNT(DISTINCT ?kg_v) > {count})",
                    )
            elif name in ("lessThan", "lessThanOrEquals"):
                if path is None:
                    raise Unsupported(f"sh:{name} on a node shape")
                operator = "<" if name == "lessThan" else "<="
                component = name[0].upper() + name[1:] + "ConstraintComponent"
                add(
                    component,
                    f"{values} ?this {_n3(o)} ?kg_other . "
                    f"FILTER (!COALESCE(?value {operator} ?kg_other, false))",
                    select="?this ?value ?kg_other",  # a result per pair, as pySHACL gives
                )
            elif name == "hasValue":
                if path is None:
                    raise Unsupported("sh:hasValue on a node shape")
                self.kept_as_written([o])
                add(
                    "HasValueConstraintComponent",
                    f"{self.absent} {{ ?this {path} {_n3(o)} }}",
                    has_value=False,
                )
            elif name == "in":
                batch("InConstraintComponent", self.in_ok(o))
            elif name == "or":
                alternatives = [self.value_condition(m) for m in self.items(o)]
                batch("OrConstraintComponent", f"({' || '.join(alternatives) or 'false'})")
            elif name == "closed":
                if str(o) != "true":
                    continue
                if path is not None:
                    raise Unsupported("sh:closed on a property shape")
                allowed = {
                    str(q)
                    for ps in self.values(shape, "property")
                    for q in self.values(ps, "path")
                    if isinstance(q, URIRef)
                }
                for ignored in self.values(shape, "ignoredProperties"):
                    allowed |= {str(i) for i in self.items(ignored)}
                listed = ", ".join(f"<{a}>" for a in sorted(allowed))
                where = "?this ?path ?value ."
                if listed:
                    where += f" FILTER (?path NOT IN ({listed}))"
                add("ClosedConstraintComponent", where, select="?this ?path ?value")
            elif name == "qualifiedValueShape":
                if path is None:
                    raise Unsupported("a qualified shape on a node shape")
                if self.is_true(shape, "qualifiedValueShapesDisjoint"):
                    raise Unsupported("sh:qualifiedValueShapesDisjoint")
                condition = self.value_condition(o)
                low = self.one(shape, "qualifiedMinCount")
                high = self.one(shape, "qualifiedMaxCount")
                where = f"OPTIONAL {{ ?this {path} ?value . FILTER ({condition}) }}"
                if low is not None:
                    add(
                        "QualifiedMinCountConstraintComponent",
                        where,
                        has_value=False,
                        group=f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {int(low)})",
                    )
                if high is not None:
                    add(
                        "QualifiedMaxCountConstraintComponent",
                        where,
                        has_value=False,
                        group=f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {int(high)})",
                    )
            elif name == "sparql":
                self.compile_sparql(shape, o, path, path_node, severity, focus, prefixes, out)
            else:
                raise Unsupported(f"sh:{name}")
        if batched:
            fails = [f"COALESCE(!{condition}, false)" for _, condition in batched]
            flags = " ".join(f"({fail} AS ?kg_f{i})" for i, fail in enumerate(fails))
            query = (
                f"{prefixes}\nSELECT DISTINCT ?this ?value {flags} WHERE {{ {focus} {values}"
                f" FILTER ({' || '.join(fails)}) }}"
            )
            for i, (component, _) in enumerate(batched):
                out.append(
                    Check(
                        shape,
                        component,
                        severity,
                        messages,
                        path_node,
                        query.strip(),
                        value_is_focus=path is None,
                        flag=f"kg_f{i}",
                    )
                )
        if path is not None and self.values(shape, "property"):
            # its property shapes' focus nodes are this shape's value nodes
            raise Unsupported("sh:property inside a property shape")
        for property_shape in self.values(shape, "property"):
            self.compile_shape(property_shape, focus, prefixes, out, from_node_shape=True)

    def compile_sparql(
        self, shape, constraint, path, path_node, severity, focus, prefixes, out
    ) -> None:
        if self.is_true(constraint, "deactivated"):
            return
        select = self.one(constraint, "select")
        if select is None:
            raise Unsupported("a SPARQL constraint without sh:select")
        text = str(select)
        if path is not None:
            text = text.replace("$PATH", path)
        text = text.replace("$this", "?this")
        if re.search(r"\$\w", text):
            raise Unsupported("pre-bound variables other than $this and $PATH")
        head = re.match(r"\s*SELECT\s+(DISTINCT\s+)?(.*?)\s+WHERE\s*\{", text, re.S | re.I)
        if head is None or not text.rstrip().endswith("}"):
            raise Unsupported("a SPARQL constraint that is not SELECT ... WHERE { ... }")
        variables = re.findall(r"\?\w+", head.group(2))
        if "*" in head.group(2) or "(" in head.group(2) or "?this" not in variables:
            raise Unsupported("a SPARQL constraint projecting expressions or not ?this")
        body = text[head.end() : text.rstrip().rindex("}")]
        if re.search(
            r"\b(GROUP|ORDER|LIMIT|OFFSET|HAVING|VALUES)\b", text[text.rstrip().rindex("}") :], re.I
        ):
            raise Unsupported("solution modifiers in a SPARQL constraint")
        shape_messages = self.values(shape, "message")
        constraint_messages = [
            m for m in self.values(constraint, "message") if m not in shape_messages
        ]
        messages = shape_messages + constraint_messages
        if not messages and self.require_messages:
            raise Unsupported("no sh:message on a SPARQL constraint")
        own = "\n".join(p for p in (prefixes, self.prefixes(constraint)) if p)
        if not self.few_focus:  # evaluated for every focus node at once
            body = _minus_for_not_exists(body, [v[1:] for v in variables])
        group = f"{{ {body} }}"
        if self.few_focus and _liftable(body):
            # Joined with a few focus nodes, a nested group is evaluated whole first (0.25 s
            # at 1M for a check of 220 nodes); its triple patterns and filters in the focus
            # pattern's group are evaluated per focus node (2 ms), $this pre-bound as SHACL
            # means it. Anything but patterns and filters stays nested.
            group = body
        query = f"{own}\nSELECT DISTINCT {' '.join(variables)} WHERE {{ {focus} {group} }}"
        out.append(
            Check(
                shape,
                "SPARQLConstraintComponent",
                severity,
                messages,
                path_node,
                query.strip(),
                source_constraint=constraint,
                value_is_focus=path is None,
                has_value=True,
            )
        )


def _literal(text: str) -> str:
    from rdflib import Literal

    return Literal(text).n3()


_PLAIN_SELECT = re.compile(r"\s*SELECT\s+(?:DISTINCT\s+)?\?this\s+WHERE\s*\{(.*)\}\s*", re.S | re.I)
# What can hold a brace or a keyword without being syntax: IRIs, strings, comments.
_NOT_SYNTAX = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
    re.S,
)


def _unwrapped_select(text: str) -> str:
    """A SPARQL target's ``SELECT [DISTINCT] ?this WHERE { P }`` as the group ``P``, when
    that is all it is: joined with a few candidate nodes, a sub-SELECT is evaluated
    whole first (every node of the store: 9 s at a million triples), the group once per
    candidate. Anything else (modifiers, other projections, sub-queries) stays as written.

    >>> _unwrapped_select("SELECT DISTINCT ?this WHERE { ?this a ?c . }")
    ' ?this a ?c . '
    >>> _unwrapped_select('SELECT ?this WHERE { ?this ?p "} LIMIT" }')
    ' ?this ?p "} LIMIT" '
    >>> _unwrapped_select("SELECT ?this WHERE { ?this a ?c } LIMIT 5")
    'SELECT ?this WHERE { ?this a ?c } LIMIT 5'
    >>> _unwrapped_select("SELECT ?this WHERE { ?this ?p 1 } VALUES ?x { 1 }")
    'SELECT ?this WHERE { ?this ?p 1 } VALUES ?x { 1 }'
    """
    match = _PLAIN_SELECT.fullmatch(text)
    if match is None:
        return text
    code = _NOT_SYNTAX.sub(" ", match[1])
    if re.search(r"\b(SELECT|LIMIT|OFFSET|GROUP|ORDER|HAVING|VALUES)\b|[\"']", code, re.I):
        return text
    depth = 0
    for char in code:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:  # "{ A } ... { B }": not one group
            return text
    return match[1] if depth == 0 else text


def _with_minus(select: str) -> str:
    """A SPARQL target's ``SELECT [DISTINCT] ?this WHERE { P }`` with ``P`` as
    :func:`_minus_for_not_exists` writes it (any other query as it was).

    >>> _with_minus("SELECT ?this WHERE { ?s ?p ?this FILTER NOT EXISTS { ?this a ?c } }")
    'SELECT ?this WHERE { ?s ?p ?this MINUS { ?this a ?c } }'
    """
    match = _PLAIN_SELECT.fullmatch(select)
    if match is None:
        return select
    return select[: match.start(1)] + _minus_for_not_exists(match[1]) + select[match.end(1) :]


def _minus_for_not_exists(group: str, outside: Iterable[str] = ("this",)) -> str:
    """A group of triple patterns and filters with each top-level ``FILTER NOT EXISTS
    { P }`` that means the same as ``MINUS { P }`` written so; anything else as it was.

    Oxigraph evaluates ``NOT EXISTS`` once per solution, at times slowly (18 s for the
    600k objects of a million triples, against 1 s as ``MINUS``, which evaluates ``P``
    once and removes the matching solutions). The two mean the same when ``P`` is only
    triple patterns sharing a variable with the group's triple patterns, and each of its
    variables used outside it (in the group, or in ``outside``: the projection, the
    focus node) is bound by those patterns: then ``P`` matches with a solution's values
    exactly when a solution of ``P`` is compatible with it. ``MINUS`` evaluates ``P``
    whole even when the group has no solution (1.4 s and 0.2 GB for ``?s ?p ?o``), so
    only a single triple pattern with a fixed predicate (or path) is rewritten: one
    index range at most.

    >>> _minus_for_not_exists("?s ?p ?this . FILTER NOT EXISTS { ?this a ?c }")
    '?s ?p ?this . MINUS { ?this a ?c }'
    >>> _minus_for_not_exists("?s ?p ?o . FILTER NOT EXISTS { ?this a ?c }")  # ?this unbound
    '?s ?p ?o . FILTER NOT EXISTS { ?this a ?c }'
    >>> _minus_for_not_exists("?s ?p ?o . FILTER NOT EXISTS { ?x a ?c }")  # nothing shared
    '?s ?p ?o . FILTER NOT EXISTS { ?x a ?c }'
    >>> _minus_for_not_exists("?this ?p ?o . FILTER NOT EXISTS { ?o <q> ?x . ?x <r> 1 }")
    '?this ?p ?o . FILTER NOT EXISTS { ?o <q> ?x . ?x <r> 1 }'
    >>> _minus_for_not_exists("?s ?p ?this . FILTER NOT EXISTS { ?this ?q ?x }")
    '?s ?p ?this . FILTER NOT EXISTS { ?this ?q ?x }'
    >>> _minus_for_not_exists("?s ?p ?this . FILTER NOT EXISTS { ?this <q>* ?x }")
    '?s ?p ?this . FILTER NOT EXISTS { ?this <q>* ?x }'
    >>> _minus_for_not_exists("?s ?p ?this . FILTER NOT EXISTS { ?this <q>/^<r> ?x }")
    '?s ?p ?this . MINUS { ?this <q>/^<r> ?x }'
    """

    def opaque(match: re.Match) -> str:  # same offsets as ``group``; IRIs stay tokens
        return " " * len(match[0]) if match[0].startswith("#") else "x" * len(match[0])

    code = _NOT_SYNTAX.sub(opaque, group)
    words = r"\b(OPTIONAL|MINUS|UNION|SELECT|VALUES|BIND|SERVICE|GRAPH|LATERAL)\b"
    if re.search(words, code, re.I) or re.search(r"[\"']", code):
        return group
    filters, candidates = [], []  # (start, end) of each top-level FILTER
    position = 0
    while match := re.compile(r"[{}]|\bFILTER\b", re.I).search(code, position):
        if match[0] in "{}":
            return group  # a nested group outside any filter
        start = match.start()
        head = re.compile(r"FILTER\s*(NOT\s+)?(EXISTS\s*)?", re.I).match(code, start)
        end = _closing(code, head.end())
        if end is None:
            return group
        filters.append((start, end))
        if head[1] and head[2] and code[head.end()] == "{":
            candidates.append((start, head.end(), end))
        position = end
    patterns = code
    for start, end in filters:
        patterns = patterns[:start] + " " * (end - start) + patterns[end:]
    bound = set(re.findall(r"[?$](\w+)", patterns))
    out = group
    for start, brace, end in reversed(candidates):
        inner = code[brace + 1 : end - 1]
        terms = inner.split()
        if terms and terms[-1] == ".":
            terms.pop()
        if len(terms) != 3 or terms[1][0] in "?$" or re.search(r"[{}.;,]", " ".join(terms)):
            continue  # not one triple pattern with a fixed predicate
        if re.search(r"[*+?!]", terms[1]):
            continue  # a path that, unbound, can reach every node (p*, !p)
        own = set(re.findall(r"[?$](\w+)", inner))
        rest = code[:start] + code[end:]
        used_outside = set(re.findall(r"[?$](\w+)", rest)) | set(outside)
        if own & bound and (own & used_outside) <= bound:
            out = out[:start] + "MINUS " + out[brace:]
    return out


def _closing(code: str, start: int) -> int | None:
    """The offset after the bracketed expression (``(...)``, ``{...}``, or a function
    call ``name(...)``) that starts at ``start`` in ``code``; None if it does not close."""
    match = re.compile(r"\s*[A-Za-z_][\w:]*\s*(?=\()|\s*").match(code, start)
    position = match.end()
    if position >= len(code) or code[position] not in "({":
        return None
    depth = 0
    for offset in range(position, len(code)):
        depth += {"(": 1, "{": 1, ")": -1, "}": -1}.get(code[offset], 0)
        if depth == 0:
            return offset + 1
    return None


def _liftable(body: str) -> bool:
    """Whether a SPARQL constraint's body is only triple patterns and filters (whatever
    the filters hold), so that it may join the focus pattern's group.

    >>> _liftable("?this <p> ?v . FILTER NOT EXISTS { ?this <q> ?w }")
    True
    >>> _liftable("?this <p> ?v . OPTIONAL { ?v <q> ?w }")
    False
    """
    code = _NOT_SYNTAX.sub(" ", body)
    words = r"\b(OPTIONAL|MINUS|UNION|SELECT|VALUES|BIND|SERVICE|GRAPH|LATERAL)\b"
    return re.search(words, code, re.I) is None and not re.search(r"[\"']", code)


def compile_shapes(shapes_graph, few_focus: bool = False, require_messages: bool = True) -> Plan:
    """Compile every shape with a target; shapes that cannot be go to ``Plan.fallback``.

    ``require_messages=False`` compiles shapes without ``sh:message`` too (their results
    have no message; for the conformance tests, which compare everything else)."""
    from rdflib import URIRef

    compiler = _Compiler(shapes_graph, few_focus, require_messages)
    plan = Plan(shapes_graph=shapes_graph)
    targeted = set()
    for name in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target"):
        targeted |= set(shapes_graph.subjects(URIRef(SH + name), None))
    for kind in ("NodeShape", "PropertyShape"):
        for shape in shapes_graph.subjects(URIRef(RDF + "type"), URIRef(SH + kind)):
            for cls in (URIRef(RDFS + "Class"), URIRef("http://www.w3.org/2002/07/owl#Class")):
                if (shape, URIRef(RDF + "type"), cls) in shapes_graph:
                    targeted.add(shape)
    for shape in sorted(targeted, key=str):
        checks: list[Check] = []
        try:
            if compiler.is_true(shape, "deactivated"):
                continue
            focus = compiler.focus(shape)
            if focus is None:
                continue
            pattern, prefixes = focus
            key = f"urn:kg:shape:{len(plan.focus)}"
            compiler.compile_shape(shape, _focus_pattern(key), "", checks)
            simple = compiler.simple_target
            if simple is not None and len({c.query for c in checks}) <= 2:
                # One target pattern and a query or two (the typing shapes): the pattern
                # in the queries costs less than writing the focus nodes down first.
                checks = []
                compiler.compile_shape(shape, f"{RESTRICT} {simple}", "", checks)
                plan.checks.extend(checks)
                continue
        except Unsupported as why:
            plan.fallback[shape] = str(why)
            continue
        plan.checks.extend(checks)
        update = (
            f"{prefixes}\nINSERT {{ GRAPH <{FOCUS_GRAPH}> {{ <{key}> <{FOCUS}> ?this }} }}"
            f" WHERE {{ {{restrict}} {pattern} }}"
        )
        plan.focus.append((key, update.strip()))
    plan.classes = set(compiler.classes)
    return plan


def without_targets(shapes_graph, plan: Plan):
    """A copy of ``shapes_graph`` in which only the shapes left to pySHACL have targets."""
    from rdflib import Graph, URIRef

    targets = {
        URIRef(SH + n)
        for n in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target")
    }
    classes = {URIRef(RDFS + "Class"), URIRef("http://www.w3.org/2002/07/owl#Class")}
    rdf_type = URIRef(RDF + "type")
    compiled = {check.shape for check in plan.checks} | _compiled_roots(shapes_graph, plan)
    copy = Graph()
    for prefix, namespace in shapes_graph.namespaces():
        copy.bind(prefix, namespace)
    for s, p, o in shapes_graph:
        if (
            s in compiled
            and s not in plan.fallback
            and (p in targets or (p == rdf_type and o in classes))
        ):
            continue
        copy.add((s, p, o))
    return copy


def _compiled_roots(shapes_graph, plan: Plan) -> set:
    """Every shape with a target that is not left to pySHACL (compiled, or with no check)."""
    from rdflib import URIRef

    roots = set()
    for name in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target"):
        roots |= set(shapes_graph.subjects(URIRef(SH + name), None))
    for cls in (URIRef(RDFS + "Class"), URIRef("http://www.w3.org/2002/07/owl#Class")):
        for shape in shapes_graph.subjects(URIRef(RDF + "type"), cls):
            roots.add(shape)
    return roots - set(plan.fallback)
