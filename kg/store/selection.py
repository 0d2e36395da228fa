"""Which quads of the store an export or a push takes: asserted, inferred, provenance
(text spans, statement-level evidence, links to them, documents' texts, metadata)."""

from __future__ import annotations

from collections.abc import Iterator

from kg.rdf.namespaces import GRAPH_INFERRED, GRAPH_META, KG, RDF

EVIDENCE_PREDICATES = {
    KG + "statedIn",
    KG + "impliedBy",
    KG + "evidence",
    KG + "fullText",
    KG + "sha256",
    KG + "fileName",
}


def select_quads(store, *, inferred: bool = False, provenance: bool = True) -> Iterator:
    """The quads of an open store that an export with these options contains, streamed
    (a million quads held as Python objects would cost gigabytes): its named graphs,
    never the default graph, which only repeats them merged."""
    import pyoxigraph as ox

    skip = set()
    if not inferred:
        skip.add(GRAPH_INFERRED)
    if not provenance:
        skip.add(GRAPH_META)
    spans = set()
    if not provenance:
        # text spans, and the claims (rdf:Statement) that tie a statement to its spans
        rdf_type = ox.NamedNode(RDF + "type")
        for kind in (KG + "TextSpan", RDF + "Statement"):
            found = store.quads_for_pattern(None, rdf_type, ox.NamedNode(kind))
            spans |= {q.subject for q in found}
    for quad in store:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            continue  # the merge of the named graphs (kg.store.versions): a copy
        if quad.graph_name.value in skip:
            continue
        if not provenance and (
            quad.subject in spans
            or quad.object in spans
            or quad.predicate.value in EVIDENCE_PREDICATES
        ):
            continue
        yield quad
