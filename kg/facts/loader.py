"""Facts files + source texts → triples, each node tied to the passages that support it.

A seed is a text ``NAME.txt`` and a facts file ``NAME.toml`` beside it (see
``docs/facts-format.md``). The ontology decides whether a property's value is a
node or a literal, and of which datatype. Every problem in every file is
collected and raised together as one :class:`~kg.errors.FactsError`.

>>> from pathlib import Path
>>> find_quote("a b a", "b", None)
(2, 3)
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import OWL

from kg.errors import FactsError
from kg.rdf.namespaces import KG, KG_ID, PREFIXES, expand, graph_iri

SKOS_ALT_LABEL = PREFIXES["skos"] + "altLabel"

RESERVED_KEYS = {"id", "type", "label", "quote", "implied"}
# Keys of a value written with its own evidence: { value = ..., quote = ..., implied = ... }
VALUE_KEYS = {"value", "quote", "implied"}
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_LEXICAL_CHECKS = {
    str(XSD.date): re.compile(r"^-?\d{4,}-\d{2}-\d{2}$"),
    str(XSD.gYearMonth): re.compile(r"^-?\d{4,}-(0[1-9]|1[0-2])$"),
    str(XSD.gYear): re.compile(r"^-?\d{4,}$"),
    str(XSD.gMonthDay): re.compile(r"^--(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"),
    str(XSD.integer): re.compile(r"^[+-]?\d+$"),
    str(XSD.nonNegativeInteger): re.compile(r"^\+?\d+$"),
    str(XSD.positiveInteger): re.compile(r"^\+?0*[1-9]\d*$"),
    str(XSD.boolean): re.compile(r"^(true|false|1|0)$"),
    str(XSD.decimal): re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$"),
}

# A date at the precision the text gives it: the loader picks the datatype from the
# lexical form ("2024-11-04" xsd:date, "2024-11" xsd:gYearMonth, "2024" xsd:gYear,
# "--11-04" xsd:gMonthDay for "November 4" written without a year).
DATE_VALUE = str(KG + "DateValue")
_DATE_FORMS = (
    (re.compile(r"^-?\d{4,}-\d{2}-\d{2}$"), str(XSD.date)),
    (re.compile(r"^-?\d{4,}-\d{2}$"), str(XSD.gYearMonth)),
    (re.compile(r"^-?\d{4,}$"), str(XSD.gYear)),
    (re.compile(r"^--\d{2}-\d{2}$"), str(XSD.gMonthDay)),
)
# Classes whose label is a name the text gives (people, organisations, offices,
# places, concepts): for a stated node it must occur in one of its passages.
NAMED_CLASSES = (
    "http://xmlns.com/foaf/0.1/Person",
    "http://www.w3.org/ns/org#Organization",
    "http://www.w3.org/ns/org#FormalOrganization",
    "http://www.w3.org/ns/org#Post",
    "https://schema.org/Place",
    "http://www.w3.org/2004/02/skos/core#Concept",
)
_DASHES = re.compile("[\u2010-\u2015\u2212-]")

Triple = tuple[URIRef, URIRef, URIRef | Literal]
Quote = tuple[str, int | None]


def statement_iri(source_id: str, triple: Triple) -> URIRef:
    """The IRI of the claim (an ``rdf:Statement``) that one source makes ``triple``:
    ``kgr:statement.{source id}.{digest}``, the digest taken over the triple's terms,
    so the same statement in the same source is always the same node.

    >>> s = URIRef(KG_ID + "x")
    >>> str(statement_iri("doc", (s, RDFS.label, Literal("X"))))[:37]
    'https://w3id.org/kg/id/statement.doc.'
    """
    digest = hashlib.sha256("\n".join(term.n3() for term in triple).encode("utf-8")).hexdigest()[
        :16
    ]
    return URIRef(f"{KG_ID}statement.{source_id}.{digest}")


@dataclass
class Seed:
    """One loaded seed: its text, its source document node and its triples."""

    name: str
    facts_path: Path
    text_path: Path
    source_iri: URIRef
    graph_iri: URIRef
    triples: list[Triple] = field(default_factory=list)
    node_ids: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Vocabulary:
    """What the ontology says about classes and properties, for typing values."""

    classes: set[str]
    object_properties: set[str]
    datatype_ranges: dict[str, str]
    annotation_properties: set[str]
    named_classes: set[str] = field(default_factory=set)

    @classmethod
    def from_ontology(cls, ontology: Graph) -> _Vocabulary:
        classes = {str(c) for c in ontology.subjects(RDF.type, OWL.Class)}
        named = {str(c) for c in NAMED_CLASSES}
        grown = True
        while grown:  # every subclass of a named class is named
            more = {
                str(c) for c, sup in ontology.subject_objects(RDFS.subClassOf) if str(sup) in named
            }
            grown = not more <= named
            named |= more
        classes |= {str(c) for c in ontology.subjects(RDF.type, RDFS.Class)}
        objects = {str(p) for p in ontology.subjects(RDF.type, OWL.ObjectProperty)}
        ranges: dict[str, str] = {}
        for prop in ontology.subjects(RDF.type, OWL.DatatypeProperty):
            rng = ontology.value(prop, RDFS.range)
            ranges[str(prop)] = str(rng) if rng is not None else str(XSD.string)
        annotations = {str(p) for p in ontology.subjects(RDF.type, OWL.AnnotationProperty)}
        annotations |= {str(RDFS.label), str(RDFS.comment)}
        return cls(classes, objects, ranges, annotations, named)


def find_quote(text: str, quote: str, occurrence: int | None) -> tuple[int, int] | str:
    """Offsets (code points, 0-based, end exclusive) of ``quote`` in ``text``, or a problem.

    >>> find_quote("EU and EU", "EU", None)
    'occurs 2 times; add occurrence = N to say which'
    >>> find_quote("EU and EU", "EU", 2)
    (7, 9)
    """
    if not quote:
        return "is empty"
    starts = []
    position = text.find(quote)
    while position != -1:
        starts.append(position)
        position = text.find(quote, position + 1)
    if not starts:
        return "not found in the text"
    if occurrence is None:
        if len(starts) > 1:
            return f"occurs {len(starts)} times; add occurrence = N to say which"
        return starts[0], starts[0] + len(quote)
    if not 1 <= occurrence <= len(starts):
        return f"occurrence {occurrence} asked, but it occurs {len(starts)} time(s)"
    start = starts[occurrence - 1]
    return start, start + len(quote)


def _short(text: str, limit: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _SeedReader:
    """Reads one facts file; collects problems instead of stopping at the first."""

    def __init__(self, facts_path: Path, vocabulary: _Vocabulary, display: str):
        self.facts_path = facts_path
        self.vocabulary = vocabulary
        self.display = display
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def problem(self, node_id: str | None, message: str) -> None:
        where = f"node '{node_id}'" if node_id else "file"
        self.problems.append(f"{self.display}: {where}: {message}")

    def warning(self, node_id: str, message: str) -> None:
        self.warnings.append(f"{self.display}: node '{node_id}': {message}")


def _read_text(path: Path, display: str, problems: list[str]) -> str | None:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        problems.append(f"{display}: the text file {path.name} is missing beside it")
    except UnicodeDecodeError as err:
        problems.append(f"{display}: {path.name} is not UTF-8 (byte {err.start})")
    except OSError as err:
        problems.append(f"{display}: cannot read {path.name}: {err.strerror}")
    return None


def _read_toml(path: Path, display: str, problems: list[str]) -> dict | None:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as err:
        problems.append(_toml_problem(path, display, err))
    except UnicodeDecodeError as err:  # tomllib decodes the whole file first
        problems.append(f"{display}: not UTF-8 (byte {err.start})")
    except OSError as err:
        problems.append(f"{display}: cannot read: {err.strerror}")
    return None


_TOML_AT = re.compile(r"^(?P<message>.*) \(at line (?P<line>\d+), column \d+\)$")


def _toml_problem(path: Path, display: str, err: tomllib.TOMLDecodeError) -> str:
    """tomllib's message; a duplicate key is named as such, with its line up front."""
    match = _TOML_AT.match(str(err))
    if match and match["message"].startswith(("Cannot overwrite a value", "Cannot declare")):
        line = int(match["line"])
        try:
            text = path.read_text(encoding="utf-8").splitlines()[line - 1]
        except (OSError, UnicodeDecodeError, IndexError):
            text = ""
        key = text.split("=", 1)[0].strip() if "=" in text else text.strip()
        what = f" {key}" if key else ""
        return f"{display}:{line}: duplicate key{what}: a table may give each key once"
    return f"{display}: not valid TOML: {err}"


def _closest(name: str, known: Iterable[str]) -> str:
    """' (did you mean X?)' for the declared term whose local name is closest, or ''."""
    local: dict[str, str] = {}
    for iri in sorted(known):
        for prefix, namespace in PREFIXES.items():
            if iri.startswith(namespace) and prefix not in ("kgr", "kgg", "kgsh"):
                local.setdefault(iri[len(namespace) :].lower(), f"{prefix}:{iri[len(namespace) :]}")
    wanted = name.split(":", 1)[-1].lower()
    close = difflib.get_close_matches(wanted, list(local), n=1, cutoff=0.75)
    return f" (did you mean {local[close[0]]!r}?)" if close else ""


def _quotes_of(entry: dict) -> list[Quote] | str:
    raw = entry.get("quote")
    if raw is None:
        return "has no quote: every node needs the passage that supports it"
    items = raw if isinstance(raw, list) else [raw]
    quotes: list[Quote] = []
    for item in items:
        if isinstance(item, str):
            quotes.append((item, None))
        elif isinstance(item, dict) and isinstance(item.get("exact"), str):
            occurrence = item.get("occurrence")
            if occurrence is not None and not isinstance(occurrence, int):
                return "occurrence must be a whole number"
            quotes.append((item["exact"], occurrence))
        else:
            return "quote must be a string, a list, or { exact = ..., occurrence = N }"
    if not quotes:
        return "has an empty quote list"
    return quotes


def _literal(value: object, datatype: str) -> Literal | str:
    """A literal of ``datatype`` from a TOML value, or a problem.

    >>> _literal("--11-04", DATE_VALUE).datatype.endswith("gMonthDay")
    True
    """
    if isinstance(value, bool):
        lexical = "true" if value else "false"
    elif isinstance(value, date):
        lexical = value.isoformat()
    elif isinstance(value, (int, float, str)):
        lexical = str(value)
    else:
        return f"cannot be a literal: {value!r}"
    if datatype == DATE_VALUE:
        form = next((dt for pattern, dt in _DATE_FORMS if pattern.match(lexical)), None)
        if form is None:
            return (
                f"{lexical!r} is not a date as the text gives it: write 2024-11-04, 2024-11,"
                " 2024 or --11-04 (month and day without a year)"
            )
        datatype = form
    check = _LEXICAL_CHECKS.get(datatype)
    if check is not None and not check.match(lexical):
        return f"{lexical!r} is not a valid {datatype.replace(str(XSD), 'xsd:')}"
    if datatype == str(XSD.date):
        try:
            date.fromisoformat(lexical)
        except ValueError:
            return f"{lexical!r} is not a valid xsd:date"
    if datatype == str(XSD.string):
        return Literal(lexical)
    return Literal(lexical, datatype=URIRef(datatype))


class _Loader:
    def __init__(self, ontology: Graph, seeds_dirs: list[Path]):
        self.vocabulary = _Vocabulary.from_ontology(ontology)
        self.seeds_dirs = seeds_dirs
        self.problems: list[str] = []
        self.declared: dict[str, str] = {}  # node id -> file that first declared it
        self.labelled: dict[str, tuple[str, str]] = {}  # node id -> (label, file that gave it)

    def display(self, path: Path) -> str:
        return str(path)

    def load(self) -> list[Seed]:
        facts_files: list[Path] = []
        for seeds_dir in self.seeds_dirs:
            try:  # glob() would hide a missing or unreadable folder as "no facts files"
                os.listdir(seeds_dir)
            except OSError as err:
                reason = "no such folder" if isinstance(err, FileNotFoundError) else err.strerror
                raise FactsError([f"{seeds_dir}: {reason}"]) from None
            found = sorted(seeds_dir.glob("*.toml"))
            if not found:
                raise FactsError([f"{seeds_dir}: no facts files (*.toml) found"])
            facts_files.extend(found)
        # One order whatever the order of the folders: by file name. A name is a
        # named graph of the store, so it must be unique across the folders.
        facts_files.sort(key=lambda path: (path.name, str(path)))
        names: dict[str, Path] = {}
        for path in facts_files:
            if path.stem in names:
                self.problems.append(
                    f"{self.display(path)}: file: the name {path.stem!r} is also used by"
                    f" {self.display(names[path.stem])}; seed names must be unique"
                )
            names.setdefault(path.stem, path)
        parsed = []
        for facts_path in facts_files:
            display = self.display(facts_path)
            data = _read_toml(facts_path, display, self.problems)
            text_path = facts_path.with_suffix(".txt")
            text = _read_text(text_path, display, self.problems)
            if data is None or text is None:
                continue
            entries = self._entries(data, display)
            parsed.append((facts_path, text_path, text, entries, display))
        seeds = [self._seed(*item) for item in parsed]
        if self.problems:
            raise FactsError(self.problems)
        return seeds

    def _entries(self, data: dict, display: str) -> list[dict]:
        source = data.get("source")
        nodes = data.get("node", [])
        unknown = sorted(set(data) - {"source", "node"})
        if unknown:
            self.problems.append(f"{display}: file: unknown table(s) {', '.join(unknown)}")
        if not isinstance(source, dict):
            self.problems.append(f"{display}: file: needs one [source] table")
            return []
        if not isinstance(nodes, list):
            self.problems.append(f"{display}: file: [[node]] must be an array of tables")
            nodes = []
        entries = [source, *nodes]
        seen: set[str] = set()
        for entry in entries:
            node_id = entry.get("id")
            if not isinstance(node_id, str) or not ID_PATTERN.match(node_id):
                self.problems.append(
                    f"{display}: node {node_id!r}: id must be lower-case letters, digits, '.', '-'"
                    " or '_'"
                )
                continue
            if node_id in seen:
                self.problems.append(f"{display}: node '{node_id}': duplicate id in this file")
            seen.add(node_id)
            self.declared.setdefault(node_id, display)
        return entries

    def _seed(
        self, facts_path: Path, text_path: Path, text: str, entries: list[dict], display: str
    ) -> Seed:
        reader = _SeedReader(facts_path, self.vocabulary, display)
        source_id = entries[0].get("id") if entries else facts_path.stem
        source_iri = URIRef(KG_ID + str(source_id))
        seed = Seed(
            name=facts_path.stem,
            facts_path=facts_path,
            text_path=text_path,
            source_iri=source_iri,
            graph_iri=URIRef(graph_iri("seed", facts_path.stem)),
        )
        if entries:
            seed.triples.append((source_iri, URIRef(KG + "fullText"), Literal(text)))
            digest = hashlib.sha256(text_path.read_bytes()).hexdigest()
            seed.triples.append((source_iri, URIRef(KG + "sha256"), Literal(digest)))
            seed.triples.append((source_iri, URIRef(KG + "fileName"), Literal(text_path.name)))
        for entry in entries:
            node_id = entry.get("id")
            if isinstance(node_id, str) and ID_PATTERN.match(node_id):
                seed.node_ids.append(node_id)
                seed.triples.extend(self._node(entry, node_id, text, str(source_id), reader))
        self.problems.extend(reader.problems)
        seed.warnings.extend(reader.warnings)
        return seed

    def _node(
        self, entry: dict, node_id: str, text: str, source_id: str, reader: _SeedReader
    ) -> Iterable[Triple]:
        subject = URIRef(KG_ID + node_id)
        types = entry.get("type")
        if types is None:
            reader.problem(node_id, "has no type")
            types = []
        type_iris: set[str] = set()
        for type_name in types if isinstance(types, list) else [types]:
            iri = self._term(type_name, reader, node_id, "class")
            if iri is None:
                continue
            if iri not in self.vocabulary.classes:
                hint = _closest(type_name, self.vocabulary.classes)
                reader.problem(
                    node_id, f"unknown class {type_name!r}: the ontology does not declare it{hint}"
                )
                continue
            type_iris.add(iri)
            yield subject, RDF.type, URIRef(iri)
        label = entry.get("label")
        label_triples: list[Triple] = []
        if isinstance(label, str) and label.strip():
            label_triples = list(self._label(subject, node_id, label, reader))
            yield from label_triples
        else:
            reader.problem(node_id, "needs a label (a non-empty string)")
            label = None
        implied = entry.get("implied", False)
        if not isinstance(implied, bool):
            reader.problem(node_id, "implied must be true or false")
            implied = False
        quotes = _quotes_of(entry)
        if isinstance(quotes, str):
            reader.problem(node_id, quotes)
            quotes = []
        link = URIRef(KG + ("impliedBy" if implied else "statedIn"))
        if label and not implied and type_iris & self.vocabulary.named_classes:
            wanted = _comparable(label)
            if not any(wanted in _comparable(quote) for quote, _ in quotes):
                reader.warning(
                    node_id,
                    f"label {label!r} occurs in none of its quotes: give the name as the text"
                    " writes it, or mark the node implied = true",
                )
        yield from _spans(subject, link, quotes, text, source_id, reader, node_id, "quote")
        evidence = _Evidence(text, source_id, implied)
        for triple in label_triples:
            # A second label kept as skos:altLabel is a statement of this source: its
            # evidence is the node's own passages that give the name, if any do.
            giving = [q for q in quotes if label and _comparable(label) in _comparable(q[0])]
            if triple[1] == URIRef(SKOS_ALT_LABEL) and giving:
                yield from _claim(triple, giving, implied, evidence, reader, node_id, "label")
        for key in sorted(set(entry) - RESERVED_KEYS):
            yield from self._property(subject, key, entry[key], reader, node_id, evidence)

    def _label(
        self, subject: URIRef, node_id: str, label: str, reader: _SeedReader
    ) -> Iterable[Triple]:
        """rdfs:label for the first label an id is given; a different label from a
        later file becomes skos:altLabel, with a warning naming both files."""
        first = self.labelled.get(node_id)
        if first is None:
            self.labelled[node_id] = (label, reader.display)
            yield subject, RDFS.label, Literal(label)
            return
        if first[0] == label:
            yield subject, RDFS.label, Literal(label)
            return
        reader.warning(
            node_id,
            f"label {label!r} differs from {first[0]!r} given by {first[1]}; kept as"
            " skos:altLabel (one node, one rdfs:label)",
        )
        yield subject, URIRef(SKOS_ALT_LABEL), Literal(label)

    def _term(self, name: object, reader: _SeedReader, node_id: str, what: str) -> str | None:
        if not isinstance(name, str) or not name:
            reader.problem(node_id, f"{what} name must be a non-empty string")
            return None
        try:
            return expand(name)
        except KeyError as err:
            known = ", ".join(sorted(PREFIXES))
            reader.problem(node_id, f"unknown prefix {err.args[0]!r} in {name!r} (known: {known})")
            return None

    def _property(
        self,
        subject: URIRef,
        key: str,
        value: object,
        reader: _SeedReader,
        node_id: str,
        evidence: _Evidence,
    ) -> Iterable[Triple]:
        predicate = self._term(key, reader, node_id, "property")
        if predicate is None:
            return
        vocabulary = self.vocabulary
        values = value if isinstance(value, list) else [value]
        for raw in values:
            item, quotes, implied = _value_evidence(raw, evidence.implied)
            if isinstance(quotes, str):
                reader.problem(node_id, f"{key}: {quotes}")
                continue
            obj: URIRef | Literal | None = None
            if predicate in vocabulary.object_properties:
                obj = self._reference(item, reader, node_id, key)
            elif predicate in vocabulary.datatype_ranges:
                literal = _literal(item, vocabulary.datatype_ranges[predicate])
                if isinstance(literal, Literal):  # a Literal is a str too: test it first
                    obj = literal
                else:
                    reader.problem(node_id, f"{key}: {literal}")
            elif predicate in vocabulary.annotation_properties:
                if isinstance(item, str):
                    obj = Literal(item)
                else:
                    reader.problem(node_id, f"{key}: must be a string")
            else:
                declared = [
                    *vocabulary.object_properties,
                    *vocabulary.datatype_ranges,
                    *vocabulary.annotation_properties,
                ]
                hint = _closest(key, declared)
                reader.problem(
                    node_id, f"unknown property {key!r}: the ontology does not declare it{hint}"
                )
                return
            if obj is None:
                continue
            triple = (subject, URIRef(predicate), obj)
            yield triple
            if quotes:
                yield from _claim(triple, quotes, implied, evidence, reader, node_id, key)

    def _reference(
        self, item: object, reader: _SeedReader, node_id: str, key: str
    ) -> URIRef | None:
        if not isinstance(item, str) or not item:
            reader.problem(node_id, f"{key}: must be a node id or a prefixed IRI")
            return None
        if ":" in item:
            iri = self._term(item, reader, node_id, key)
            if iri and iri.startswith(KG_ID) and iri[len(KG_ID) :] not in self.declared:
                reader.problem(
                    node_id,
                    f"{key}: unknown node kgr:{iri[len(KG_ID) :]}: no facts file declares it",
                )
                return None
            return URIRef(iri) if iri else None
        if item not in self.declared:
            reader.problem(node_id, f"{key}: unknown node kgr:{item}: no facts file declares it")
            return None
        return URIRef(KG_ID + item)


@dataclass
class _Evidence:
    """What a node's values need to record their own evidence: the source's text and
    id, and whether the node is implied (a value's evidence is, unless it says not)."""

    text: str
    source_id: str
    implied: bool


def _value_evidence(raw: object, node_implied: bool) -> tuple[object, list[Quote] | str, bool]:
    """A value as written, with the quotes and implied flag of its own evidence (none
    for a plain value), or a problem in place of the quotes.

    >>> _value_evidence({"value": "india", "quote": "India"}, False)
    ('india', [('India', None)], False)
    >>> _value_evidence("india", True)
    ('india', [], True)
    """
    if not isinstance(raw, dict) or "exact" in raw:
        return raw, [], node_implied
    unknown = sorted(set(raw) - VALUE_KEYS)
    if unknown or "value" not in raw:
        return (
            raw,
            "a value with its own evidence is { value = ..., quote = ..., implied = ... }"
            + (f" (unknown key {unknown[0]!r})" if unknown else " (no value)"),
            node_implied,
        )
    implied = raw.get("implied", node_implied)
    if not isinstance(implied, bool):
        return raw["value"], "implied must be true or false", node_implied
    quotes = _quotes_of(raw)
    if isinstance(quotes, str):
        quotes = quotes.replace("every node needs", "a value with evidence needs")
    return raw["value"], quotes, implied


def _spans(
    subject: URIRef,
    link: URIRef,
    quotes: list[Quote],
    text: str,
    source_id: str,
    reader: _SeedReader,
    node_id: str,
    what: str,
) -> Iterable[Triple]:
    """Each quote located in the text, as a text span linked from ``subject``."""
    for quote, occurrence in quotes:
        found = find_quote(text, quote, occurrence)
        if isinstance(found, str):
            reader.problem(node_id, f"{what} {_short(quote)!r} {found}")
            continue
        start, end = found
        span = URIRef(f"{KG_ID}span.{source_id}.{start}-{end}")
        yield subject, link, span
        yield span, RDF.type, URIRef(KG + "TextSpan")
        yield span, URIRef(KG + "inDocument"), URIRef(KG_ID + source_id)
        yield span, URIRef(KG + "exact"), Literal(quote)
        yield span, URIRef(KG + "start"), Literal(start, datatype=XSD.integer)
        yield span, URIRef(KG + "end"), Literal(end, datatype=XSD.integer)


def _claim(
    triple: Triple,
    quotes: list[Quote],
    implied: bool,
    evidence: _Evidence,
    reader: _SeedReader,
    node_id: str,
    key: str,
) -> Iterable[Triple]:
    """The statement's own evidence: a claim node (standard RDF reification, an
    ``rdf:Statement`` of this source) linked to the spans of its quotes."""
    claim = statement_iri(evidence.source_id, triple)
    spans = list(
        _spans(
            claim,
            URIRef(KG + ("impliedBy" if implied else "statedIn")),
            quotes,
            evidence.text,
            evidence.source_id,
            reader,
            node_id,
            f"{key}: quote",
        )
    )
    if not spans:
        return
    yield claim, RDF.type, RDF.Statement
    yield claim, RDF.subject, triple[0]
    yield claim, RDF.predicate, triple[1]
    yield claim, RDF.object, triple[2]
    yield from spans


def _comparable(text: str) -> str:
    """Text compared for the label check: case folded, every dash a hyphen-minus."""
    return " ".join(_DASHES.sub("-", text).casefold().split())


def load_seeds(seeds_dir: Path | list[Path], ontology: Graph) -> list[Seed]:
    """Load every ``*.toml`` facts file under ``seeds_dir`` (a folder, or several)
    with its ``.txt`` text; files of all folders are read in the order of their names.

    Raises :class:`~kg.errors.FactsError` listing every problem of every file.

    >>> from kg.rdf.resources import data_dir, ontology_file
    >>> onto = Graph().parse(ontology_file())
    >>> seeds = load_seeds(data_dir("seeds"), onto)  # doctest: +SKIP
    >>> seeds[0].name  # doctest: +SKIP
    '000_74f78cd287be197f'
    """
    dirs = [Path(d) for d in seeds_dir] if isinstance(seeds_dir, list | tuple) else [seeds_dir]
    for directory in dirs:
        if not directory.is_dir():
            raise FactsError([f"{directory}: not a directory of seeds"])
    return _Loader(ontology, dirs).load()
