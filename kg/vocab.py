"""The vocabulary of facts files: the classes and properties an author may use, what
each means, where it applies, which shapes constrain it, and an example line.

Read from the ontology (``kg.ttl``) and its shapes (``shapes.ttl``); the example
values come from the bundled seeds where a seed uses the term.

>>> v = vocab("signingDate")  # doctest: +SKIP
>>> v.terms[0].example  # doctest: +SKIP
'"kg:signingDate" = "2026-01-27"'
"""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.errors import UsageError
from kg.rdf.namespaces import PREFIXES

RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
OWL = PREFIXES["owl"]
SH = PREFIXES["sh"]
SKOS = PREFIXES["skos"]
XSD = PREFIXES["xsd"]
_KINDS = {
    OWL + "ObjectProperty": "object property",
    OWL + "DatatypeProperty": "datatype property",
    OWL + "AnnotationProperty": "annotation property",
}
# Written by the facts loader from quotes and files: an author never writes them.
_BY_THE_LOADER = {
    "kg:statedIn", "kg:impliedBy", "kg:exact", "kg:start", "kg:end", "kg:inDocument",
    "kg:fullText", "kg:sha256", "kg:fileName", "kg:TextSpan",
}  # fmt: skip
_EXAMPLE_VALUES = {
    "xsd:date": '"2026-01-27"',
    "xsd:gYearMonth": '"2022-03"',
    "xsd:gYear": '"2022"',
    "xsd:gMonthDay": '"--01-27"',
    "xsd:integer": "3",
    "xsd:nonNegativeInteger": "3",
    "xsd:positiveInteger": "3",
    "xsd:decimal": "1.5",
    "xsd:boolean": "true",
}


@dataclass
class Constraint:
    """What one property shape requires."""

    shape: str
    target: str  # the class whose instances it checks
    path: str
    rule: str  # "at least 1, at most 1, a kg:Office"
    severity: str
    message: str


@dataclass
class Term:
    """A class or a property of the ontology, as an author needs to know it."""

    name: str  # prefixed: kg:Signing, schema:Place
    kind: str  # class, object property, datatype property, annotation property
    label: str
    definition: str
    superclasses: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    closed: bool = False  # a closed shape: no other properties allowed
    constraints: list[Constraint] = field(default_factory=list)
    example: str = ""
    note: str = ""


@dataclass
class Vocabulary:
    """The terms asked for, ready to print."""

    terms: list[Term]

    def render(self, format_name: str = "text") -> str:
        """Text for a person, or JSON for an editor."""
        if format_name == "json":
            return json.dumps([asdict(t) for t in self.terms], ensure_ascii=False, indent=2) + "\n"
        return "\n".join(_text(t) for t in self.terms)


def _text(term: Term) -> str:
    lines = [f"{term.name}  ({term.kind}) {term.label}".rstrip()]
    if term.definition:
        lines.append(f"  {term.definition}")
    if term.note:
        lines.append(f"  note: {term.note}")
    if term.superclasses:
        lines.append(f"  subclass of: {', '.join(term.superclasses)}")
    if term.domain or term.range:
        domain = " or ".join(term.domain) or "any"
        lines.append(f"  domain: {domain}   range: {' or '.join(term.range) or 'any'}")
    if term.closed:
        lines.append("  closed: a node of this class may have only the properties below")
    for c in term.constraints:
        lines.append(f"  shape {c.shape} on {c.target}: {c.path}: {c.rule} ({c.severity})")
    if term.example:
        lines.append(f"  example: {term.example}")
    return "\n".join(lines) + "\n"


def _short(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and prefix != "kgr":
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def _key(name: str) -> str:
    """How a facts file writes a property: ``"kg:party"``."""
    return f'"{name}"'


def _type_value(name: str) -> str:
    return name[3:] if name.startswith("kg:") else name


class _Reader:
    def __init__(self, ontology, shapes, seeds: list[dict]):
        from rdflib import URIRef

        self.o, self.s, self.U = ontology, shapes, URIRef
        self.seed_values = self._seed_values(seeds)

    @staticmethod
    def _seed_values(seeds: list[dict]) -> dict[str, object]:
        found: dict[str, object] = {}
        for data in seeds:
            tables = [data.get("source") or {}, *(data.get("node") or [])]
            for table in tables:
                if not isinstance(table, dict):
                    continue
                for key, value in table.items():
                    name = key if ":" in key else f"kg:{key}"
                    if isinstance(value, list) and value:
                        value = value[0]
                    found.setdefault(name, value)
        return found

    def text(self, subject, predicate: str) -> str:
        values = sorted(str(v) for v in self.o.objects(subject, self.U(predicate)))
        return values[0] if values else ""

    def classes_of(self, node) -> list[str]:
        """An IRI, or the members of an owl:unionOf."""
        from rdflib import BNode
        from rdflib.collection import Collection

        if isinstance(node, BNode):
            union = self.o.value(node, self.U(OWL + "unionOf"))
            if union is not None:
                return [_short(str(m)) for m in Collection(self.o, union)]
            return []
        return [_short(str(node))]

    def path_text(self, path) -> tuple[str, set[str]]:
        """A shape's path written as SPARQL would, and every property in it."""
        from rdflib import BNode
        from rdflib.collection import Collection

        if not isinstance(path, BNode):
            return _short(str(path)), {str(path)}
        inverse = self.s.value(path, self.U(SH + "inversePath"))
        if inverse is not None:
            text, props = self.path_text(inverse)
            return f"^{text}", props
        alternatives = self.s.value(path, self.U(SH + "alternativePath"))
        members = Collection(self.s, alternatives if alternatives is not None else path)
        parts = [self.path_text(m) for m in members]
        joiner = "|" if alternatives is not None else "/"
        props = set().union(*(p for _, p in parts)) if parts else set()
        return "(" + joiner.join(t for t, _ in parts) + ")", props

    def constraints(self) -> list[tuple[Constraint, set[str], str]]:
        """Every property shape: what it asks, the properties its path uses, its target."""
        found = []
        for node_shape, target in self.s.subject_objects(self.U(SH + "targetClass")):
            for prop_shape in self.s.objects(node_shape, self.U(SH + "property")):
                path = self.s.value(prop_shape, self.U(SH + "path"))
                if path is None:
                    continue
                path_text, props = self.path_text(path)
                rule = []
                for key, words in (("minCount", "at least"), ("maxCount", "at most")):
                    value = self.s.value(prop_shape, self.U(SH + key))
                    if value is not None:
                        rule.append(f"{words} {value}")
                for key, words in (
                    ("class", "of class"),
                    ("datatype", "of datatype"),
                    ("pattern", "matching"),
                ):
                    value = self.s.value(prop_shape, self.U(SH + key))
                    if value is not None:
                        shown = str(value) if key == "pattern" else _short(str(value))
                        rule.append(f"{words} {shown}")
                if self.s.value(prop_shape, self.U(SH + "sparql")) is not None:
                    rule.append("a SPARQL check")
                severity = self.s.value(prop_shape, self.U(SH + "severity"))
                message = self.s.value(prop_shape, self.U(SH + "message"))
                description = self.s.value(prop_shape, self.U(SH + "description"))
                constraint = Constraint(
                    shape=_short(str(prop_shape)),
                    target=_short(str(target)),
                    path=path_text,
                    rule=", ".join(rule) or str(description or ""),
                    severity=_short(str(severity)).replace("sh:", "") if severity else "Violation",
                    message=str(message or description or ""),
                )
                found.append((constraint, props, str(target)))
        return sorted(found, key=lambda item: (item[0].target, item[0].shape))

    def closed_classes(self) -> set[str]:
        from rdflib import Literal

        return {
            str(target)
            for shape, target in self.s.subject_objects(self.U(SH + "targetClass"))
            if self.s.value(shape, self.U(SH + "closed")) == Literal(True)
        }

    def ancestors(self, cls: str) -> set[str]:
        seen, todo = {cls}, [cls]
        while todo:
            for parent in self.o.objects(self.U(todo.pop()), self.U(RDFS + "subClassOf")):
                if str(parent) not in seen:
                    seen.add(str(parent))
                    todo.append(str(parent))
        return seen

    def example(self, name: str, kind: str, ranges: list[str]) -> str:
        if kind == "class":
            return f"type = {json.dumps(_type_value(name), ensure_ascii=False)}"
        value = self.seed_values.get(name)
        if isinstance(value, dict):
            value = None
        if isinstance(value, str) and len(value) > 60:
            value = value[:59] + "…"
        if value is not None:
            shown = (
                json.dumps(value, ensure_ascii=False)
                if not isinstance(value, bool)
                else str(value).lower()
            )
            return f"{_key(name)} = {shown}"
        if kind == "object property":
            target = ranges[0] if ranges else "node"
            return f'{_key(name)} = "node-id"  # the id of a {target} node'
        rng = ranges[0] if ranges else "xsd:string"
        return f"{_key(name)} = {_EXAMPLE_VALUES.get(rng, json.dumps('text'))}"


def _load_seeds() -> list[dict]:
    import tomllib

    from kg.rdf.resources import data_dir

    seeds = []
    for path in sorted(data_dir("seeds").glob("*.toml")):
        try:
            with path.open("rb") as handle:
                seeds.append(tomllib.load(handle))
        except (OSError, tomllib.TOMLDecodeError):
            continue  # examples are a help, not a requirement
    return seeds


def all_terms(ontology: Path | str | None = None) -> list[Term]:
    """Every class and property of the ontology, classes first, each sorted by name."""
    from kg.engine.validation import load_ontology, load_shapes

    ontology_dir = Path(ontology) if ontology else None
    onto = load_ontology(ontology_dir)
    shapes, _name, _user = load_shapes(None, ontology_dir)
    reader = _Reader(onto, shapes, _load_seeds())
    U = reader.U
    constraints = reader.constraints()
    closed = reader.closed_classes()
    terms: list[Term] = []
    classes = set(onto.subjects(U(RDF + "type"), U(OWL + "Class")))
    classes |= set(onto.subjects(U(RDF + "type"), U(RDFS + "Class")))
    for cls in classes:
        if not isinstance(cls, U) or _short(str(cls)).startswith("<"):
            continue
        name = _short(str(cls))
        lineage = reader.ancestors(str(cls))
        term = Term(
            name=name,
            kind="class",
            label=reader.text(cls, RDFS + "label"),
            definition=reader.text(cls, SKOS + "definition") or reader.text(cls, RDFS + "comment"),
            superclasses=sorted(_short(str(p)) for p in onto.objects(cls, U(RDFS + "subClassOf"))),
            closed=str(cls) in closed,
            constraints=[c for c, _props, target in constraints if target in lineage],
            example=reader.example(name, "class", []),
        )
        terms.append(term)
    properties = []
    for kind_iri, kind in _KINDS.items():
        for prop in onto.subjects(U(RDF + "type"), U(kind_iri)):
            if isinstance(prop, U) and not _short(str(prop)).startswith("<"):
                properties.append((prop, kind))
    for prop, kind in properties:
        name = _short(str(prop))
        domain = [d for n in onto.objects(prop, U(RDFS + "domain")) for d in reader.classes_of(n)]
        ranges = [r for n in onto.objects(prop, U(RDFS + "range")) for r in reader.classes_of(n)]
        terms.append(
            Term(
                name=name,
                kind=kind,
                label=reader.text(prop, RDFS + "label"),
                definition=reader.text(prop, SKOS + "definition")
                or reader.text(prop, RDFS + "comment"),
                domain=sorted(domain),
                range=sorted(ranges),
                constraints=[c for c, props, _t in constraints if str(prop) in props],
                example=reader.example(name, kind, sorted(ranges)),
            )
        )
    for term in terms:
        if term.name in _BY_THE_LOADER:
            term.note = "written by kg from each quote and file; a facts file does not write it"
    order = {"class": 0, "object property": 1, "datatype property": 1, "annotation property": 1}
    return sorted(terms, key=lambda t: (order[t.kind], t.name.lower()))


def vocab(term: str | None = None, *, ontology: Path | str | None = None) -> Vocabulary:
    """All classes and properties a facts file may use, or the one named ``term``.

    ``term`` may be prefixed (``kg:party``, ``schema:Place``), bare for ``kg:``
    (``Signing``), or a full IRI. Raises :class:`~kg.errors.UsageError` naming
    the closest terms when it is unknown.
    """
    terms = all_terms(ontology)
    if term is None:
        return Vocabulary(terms)
    wanted = term.strip()
    if wanted.startswith(("http://", "https://")):
        wanted = _short(wanted)
    elif ":" not in wanted:
        wanted = f"kg:{wanted}"
    exact = [t for t in terms if t.name == wanted]
    if not exact:
        exact = [t for t in terms if t.name.lower() == wanted.lower()]
    if exact:
        return Vocabulary(exact)
    names = [t.name for t in terms]
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.6)
    if not close:  # compare local names too: "signDate" ~ "kg:signingDate"
        by_local = {n.split(":", 1)[1].lower(): n for n in names}
        local = wanted.split(":", 1)[1].lower()
        close = [
            by_local[n] for n in difflib.get_close_matches(local, list(by_local), n=3, cutoff=0.6)
        ]
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    raise UsageError(
        f"unknown term {term!r}: the ontology declares no such class or property{hint}"
    )
