"""Views of the graph for people: what an entity page and a source page show, without HTML.

An entity's view holds its labels, types, the statements in and out with the
graphs they are in, and the passages of the sources it rests on; a source's view
holds a document's text and every passage of it the graph cites.

>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("http://e/a"), RDFS_LABEL, ox.Literal("Alice")))
>>> label_of(store, ox.NamedNode("http://e/a"))
'Alice'
>>> label_of(store, ox.NamedNode("https://w3id.org/kg/id/b"))
'kgr:b'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import QueryError
from kg.rdf.namespaces import GRAPH_INFERRED, KG, PREFIXES, RDF, RDFS
from kg.sparql.output import shorten
from kg.store.versions import source_quads

CONTEXT_CHARS = 160  # at most this much text each side of a quoted passage
# A page shows at most this many statements each way, passages of evidence, or cited
# passages of a source (in text order): past that a page is too long to read, and
# its cost grows with the data. The page says how many there are in all.
MAX_SHOWN = 2000

RDF_TYPE = ox.NamedNode(RDF + "type")
RDFS_LABEL = ox.NamedNode(RDFS + "label")
_SKOS_PREFLABEL = ox.NamedNode(PREFIXES["skos"] + "prefLabel")
_STATED_IN = ox.NamedNode(KG + "statedIn")
_IMPLIED_BY = ox.NamedNode(KG + "impliedBy")
_IN_DOCUMENT = ox.NamedNode(KG + "inDocument")
_EXACT = ox.NamedNode(KG + "exact")
_START = ox.NamedNode(KG + "start")
_END = ox.NamedNode(KG + "end")
_FULL_TEXT = ox.NamedNode(KG + "fullText")
_SUPPORTS = ((_STATED_IN, "stated"), (_IMPLIED_BY, "implied"))
# Statement-level evidence: a claim (rdf:Statement) names the statement it supports.
_RDF_STATEMENT = ox.NamedNode(RDF + "Statement")
_RDF_SUBJECT = ox.NamedNode(RDF + "subject")
_RDF_PREDICATE = ox.NamedNode(RDF + "predicate")
_RDF_OBJECT = ox.NamedNode(RDF + "object")
# The predicates linking a node to the passages it rests on, and the support each gives.
EVIDENCE_PREDICATES = {predicate.value: support for predicate, support in _SUPPORTS}


def preferred_label(literals: Iterable) -> str | None:
    """The label to show among ``literals``: one without language or in English first.

    Then the first in order; None when there is no literal.

    >>> preferred_label([ox.Literal("Inde", language="fr"), ox.Literal("India", language="en")])
    'India'
    """
    labels = {t for t in literals if isinstance(t, ox.Literal)}
    if not labels:
        return None
    return min(labels, key=lambda t: (t.language not in (None, "", "en"), t.value)).value


def span_anchor(start: int | None, end: int | None) -> str:
    """The HTML id of a passage ``start``–``end`` of a text: ``span-{start}-{end}``."""
    return f"span-{start}-{end}"


def label_of(store: ox.Store, node) -> str:
    """A node's ``rdfs:label`` (else ``skos:prefLabel``), else its shortened IRI.

    Several labels: one without language or in English first, then the first in order.
    """
    if isinstance(node, ox.Literal):
        return node.value
    if isinstance(node, ox.BlankNode):
        return f"_:{node.value}"
    for predicate in (RDFS_LABEL, _SKOS_PREFLABEL):
        label = preferred_label(
            q.object for q in store.quads_for_pattern(node, predicate, None, None)
        )
        if label is not None:
            return label
    return shorten(node.value)


@dataclass
class Evidence:
    """One passage a node rests on: a text span of a document."""

    span: str
    support: str  # "stated" or "implied"
    document: str | None
    document_label: str
    exact: str
    start: int | None
    end: int | None
    text: str | None  # the document's full text when it is in the graph and the offsets fit

    @property
    def anchor(self) -> str:
        return span_anchor(self.start, self.end)


@dataclass
class Statement:
    """A triple about the entity, with the graphs it is in."""

    subject: object
    predicate: ox.NamedNode
    object: object
    graphs: list[str]
    # the statement's own passages (of the claims that name it), when it has any
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def inferred_only(self) -> bool:
        return self.graphs == [GRAPH_INFERRED]


@dataclass
class EntityView:
    """What the entity page shows."""

    iri: str
    label: str
    labels: list[str]
    types: list[ox.NamedNode]
    outgoing: list[Statement]
    incoming: list[Statement]
    evidence: list[Evidence]
    incoming_evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    has_text: bool = False
    # How many there are in all, when more than MAX_SHOWN were left out.
    outgoing_total: int = 0
    incoming_total: int = 0
    evidence_total: int = 0


def _literal_int(store: ox.Store, node, predicate) -> int | None:
    for quad in store.quads_for_pattern(node, predicate, None, None):
        try:
            return int(quad.object.value)
        except (ValueError, AttributeError):
            return None
    return None


def _first_literal(store: ox.Store, node, predicate) -> str | None:
    for quad in store.quads_for_pattern(node, predicate, None, None):
        if isinstance(quad.object, ox.Literal):
            return quad.object.value
    return None


def evidence_of(
    store: ox.Store, node, texts: dict[str, str | None] | None = None
) -> list[Evidence]:
    """The passages ``node`` is stated in or implied by, in document and text order."""
    texts = {} if texts is None else texts
    found: dict[tuple[str, str], Evidence] = {}
    for predicate, support in _SUPPORTS:
        for quad in store.quads_for_pattern(node, predicate, None, None):
            span = quad.object
            if not isinstance(span, ox.NamedNode) or (span.value, support) in found:
                continue
            document = next(
                (q.object for q in store.quads_for_pattern(span, _IN_DOCUMENT, None, None)), None
            )
            exact = _first_literal(store, span, _EXACT) or ""
            start, end = _literal_int(store, span, _START), _literal_int(store, span, _END)
            text = None
            if isinstance(document, ox.NamedNode):
                if document.value not in texts:
                    texts[document.value] = _first_literal(store, document, _FULL_TEXT)
                full = texts[document.value]
                # Offsets that do not point at the quote are not trusted for context.
                if (
                    full is not None
                    and start is not None
                    and end is not None
                    and 0 <= start <= end <= len(full)
                    and full[start:end] == exact
                ):
                    text = full
            found[(span.value, support)] = Evidence(
                span=span.value,
                support=support,
                document=document.value if isinstance(document, ox.NamedNode) else None,
                document_label=label_of(store, document) if document is not None else "",
                exact=exact,
                start=start,
                end=end,
                text=text,
            )
    return sorted(
        found.values(),
        key=lambda e: (e.document_label, e.document or "", e.start or 0, e.end or 0, e.support),
    )


def _statements(quads: Iterable[ox.Quad]) -> list[Statement]:
    grouped: dict[tuple, Statement] = {}
    for quad in quads:
        graph = quad.graph_name.value
        key = (str(quad.subject), str(quad.predicate), str(quad.object))
        if key not in grouped:
            grouped[key] = Statement(quad.subject, quad.predicate, quad.object, [])
        if graph not in grouped[key].graphs:
            grouped[key].graphs.append(graph)
    for statement in grouped.values():
        statement.graphs.sort()
    return list(grouped.values())


def _claims(store: ox.Store, node, role: ox.NamedNode) -> dict[tuple[str, str, str], list]:
    """The claims whose subject (or object) is ``node``, by the statement they name."""
    claims: dict[tuple[str, str, str], list] = {}
    for quad in store.quads_for_pattern(None, role, node, None):
        claim = quad.subject
        if not any(True for _ in store.quads_for_pattern(claim, RDF_TYPE, _RDF_STATEMENT, None)):
            continue
        parts = [
            next((q.object for q in store.quads_for_pattern(claim, p, None, None)), None)
            for p in (_RDF_SUBJECT, _RDF_PREDICATE, _RDF_OBJECT)
        ]
        if all(part is not None for part in parts):
            key = tuple(str(part) for part in parts)
            claims.setdefault(key, []).append(claim)
    return claims


def _statement_evidence(
    store: ox.Store, statements: list[Statement], claims: dict, texts: dict
) -> None:
    """Attach to each statement the passages of the claims that name it."""
    for statement in statements:
        key = (str(statement.subject), str(statement.predicate), str(statement.object))
        found = [e for claim in claims.get(key, []) for e in evidence_of(store, claim, texts)]
        statement.evidence = sorted(
            {(e.span, e.support): e for e in found}.values(),
            key=lambda e: (e.document_label, e.document or "", e.start or 0, e.end or 0),
        )


def entity_view(store: ox.Store, iri: str) -> EntityView:
    """Everything the graph says about ``iri``, and where the text says it.

    Raises :class:`QueryError` when the graph has no statement about ``iri``.
    """
    node = ox.NamedNode(iri)
    # Each statement with the graphs of the sources stating it (not the merged copy).
    outgoing = _statements(source_quads(store, node, None, None))
    incoming = _statements(source_quads(store, None, None, node))
    if not outgoing and not incoming:
        raise QueryError(f"the graph says nothing about <{iri}>")
    labels = sorted(
        {s.object.value for s in outgoing if s.predicate == RDFS_LABEL and s.object.value}
    )
    types = sorted(
        {
            s.object
            for s in outgoing
            if s.predicate == RDF_TYPE and isinstance(s.object, ox.NamedNode)
        },
        key=lambda t: t.value,
    )
    texts: dict[str, str | None] = {}
    evidence = evidence_of(store, node, texts)
    spans = {e.span for e in evidence}
    # Links to its own passages (and their inferred super-properties) are the Evidence section.
    shown_out = [
        s
        for s in outgoing
        if s.predicate not in (RDF_TYPE, RDFS_LABEL)
        and s.predicate.value not in EVIDENCE_PREDICATES
        and not (isinstance(s.object, ox.NamedNode) and s.object.value in spans)
    ]
    predicate_labels = {
        s.predicate.value: label_of(store, s.predicate) for s in outgoing + incoming
    }
    shown_out.sort(
        key=lambda s: (predicate_labels[s.predicate.value], s.predicate.value, str(s.object))
    )
    incoming.sort(
        key=lambda s: (
            predicate_labels[s.predicate.value],
            label_of(store, s.subject),
            str(s.subject),
        )
    )
    # Claims about this node are its statements' evidence, not statements of their own.
    about = _claims(store, node, _RDF_SUBJECT)
    mentioning = _claims(store, node, _RDF_OBJECT)
    claim_nodes = {str(c) for cs in (*about.values(), *mentioning.values()) for c in cs}
    incoming = [s for s in incoming if str(s.subject) not in claim_nodes]
    totals = (len(shown_out), len(incoming), len(evidence))
    shown_out, incoming, evidence = (
        shown_out[:MAX_SHOWN],
        incoming[:MAX_SHOWN],
        evidence[:MAX_SHOWN],
    )
    _statement_evidence(store, shown_out, about, texts)
    _statement_evidence(store, incoming, mentioning, texts)
    incoming_evidence = {
        str(s.subject): evidence_of(store, s.subject, texts)
        for s in incoming
        if isinstance(s.subject, ox.NamedNode)
    }
    return EntityView(
        iri=iri,
        label=label_of(store, node),
        labels=labels,
        types=types,
        outgoing=shown_out,
        incoming=incoming,
        evidence=evidence,
        incoming_evidence=incoming_evidence,
        has_text=any(s.predicate == _FULL_TEXT for s in outgoing),
        outgoing_total=totals[0],
        incoming_total=totals[1],
        evidence_total=totals[2],
    )


@dataclass
class Citation:
    """A passage of a document and the nodes it supports."""

    span: str
    exact: str
    start: int
    end: int
    supports: list[tuple[str, str, str]]  # (node IRI, label, "stated" or "implied")
    fits: bool  # whether the offsets point at the quote in the text

    @property
    def anchor(self) -> str:
        return span_anchor(self.start, self.end)


@dataclass
class SourceView:
    """What the source page shows."""

    iri: str
    label: str
    types: list[ox.NamedNode]
    text: str
    citations: list[Citation]
    cited: int = 0  # passages cited in all; more than len(citations) when some were left out


def source_view(store: ox.Store, iri: str, limit: int = MAX_SHOWN) -> SourceView:
    """A document's full text and the first ``limit`` passages of it the graph cites.

    Passages are taken in text order; only those kept are looked up further
    (quote, the nodes they support), so the cost of a source with very many
    passages stays bounded.
    """
    node = ox.NamedNode(iri)
    text = _first_literal(store, node, _FULL_TEXT)
    if text is None:
        raise QueryError(f"<{iri}> is not a document whose text is in the graph")
    spans: dict[str, tuple[int, int]] = {}
    for quad in store.quads_for_pattern(None, _IN_DOCUMENT, node, None):
        span = quad.subject
        if not isinstance(span, ox.NamedNode) or span.value in spans:
            continue
        start, end = _literal_int(store, span, _START), _literal_int(store, span, _END)
        if start is not None and end is not None:
            spans[span.value] = (start, end)
    ordered = sorted((start, end, span) for span, (start, end) in spans.items())
    citations = []
    labels: dict[str, str] = {}
    for start, end, span_iri in ordered[:limit]:
        span = ox.NamedNode(span_iri)
        exact = _first_literal(store, span, _EXACT) or ""
        supports = set()
        for predicate, support in _SUPPORTS:
            for cite in store.quads_for_pattern(None, predicate, span, None):
                if isinstance(cite.subject, ox.NamedNode):
                    who = cite.subject.value
                    if who not in labels:
                        labels[who] = label_of(store, cite.subject)
                    supports.add((who, labels[who], support))
        fits = 0 <= start < end <= len(text) and text[start:end] == exact
        citations.append(
            Citation(
                span_iri,
                exact,
                start,
                end,
                sorted(supports, key=lambda s: (s[1], s[0], s[2])),
                fits,
            )
        )
    types = sorted(
        {
            q.object
            for q in store.quads_for_pattern(node, RDF_TYPE, None, None)
            if isinstance(q.object, ox.NamedNode)
        },
        key=lambda t: t.value,
    )
    return SourceView(iri, label_of(store, node), types, text, citations, len(ordered))


def documents(store: ox.Store) -> list[tuple[str, str]]:
    """(IRI, label) of every document whose text is in the graph, by label."""
    found = {q.subject.value for q in store.quads_for_pattern(None, _FULL_TEXT, None, None)}
    return sorted(
        ((iri, label_of(store, ox.NamedNode(iri))) for iri in found), key=lambda d: (d[1], d[0])
    )


def excerpt_bounds(text: str, start: int, end: int, limit: int = CONTEXT_CHARS) -> tuple[int, int]:
    """The sentence (or line) around ``text[start:end]``, at most ``limit`` characters each side.

    >>> text = "One. Two sentences here. Three."
    >>> a, b = excerpt_bounds(text, 9, 18)
    >>> text[a:b]
    'Two sentences here.'
    """
    left = max(start - limit, 0)
    for i in range(start - 1, left - 1, -1):
        if text[i] == "\n" or (text[i] in ".!?" and i + 1 < start and text[i + 1] == " "):
            left = i + 1
            break
    right = min(end + limit, len(text))
    for i in range(end, right):
        if text[i] == "\n":
            right = i
            break
        if text[i] in ".!?" and (i + 1 == len(text) or text[i + 1] in " \n"):
            right = i + 1
            break
    while left < start and text[left] in " \t":
        left += 1
    return left, right
