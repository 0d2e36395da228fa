"""Export the built graph for other stores, byte-identical for the same input.

Dataset formats (TriG, N-Quads, JSON-LD) keep the named graphs; Turtle and
N-Triples merge them. ``provenance=False`` leaves out the evidence: text
spans, the links to them, documents' full texts and the store metadata.

>>> data = export(format="turtle", store="build")  # doctest: +SKIP
>>> data.startswith(b"@prefix")  # doctest: +SKIP
True
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.errors import UsageError
from kg.namespaces import GRAPH_INFERRED, GRAPH_META, KG, RDF

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
    (a million quads held as Python objects would cost gigabytes)."""
    import pyoxigraph as ox

    skip = set()
    if not inferred:
        skip.add(GRAPH_INFERRED)
    if not provenance:
        skip.add(GRAPH_META)
    spans = set()
    if not provenance:
        text_span = ox.NamedNode(KG + "TextSpan")
        rdf_type = ox.NamedNode(RDF + "type")
        spans = {q.subject for q in store.quads_for_pattern(None, rdf_type, text_span)}
    for quad in store:
        if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value in skip:
            continue
        if not provenance and (
            quad.subject in spans
            or quad.object in spans
            or quad.predicate.value in EVIDENCE_PREDICATES
        ):
            continue
        yield quad


def export(
    output: Path | str | None = None,
    *,
    format: str | None = None,
    store: Path | str | None = None,
    inferred: bool = False,
    provenance: bool = True,
) -> bytes:
    """Serialize the built graph. Writes ``output`` atomically when given; returns the bytes."""
    from kg.rdfio import WRITE_FORMATS, format_for, serialize, write_atomic
    from kg.resources import default_store
    from kg.store import open_store

    info = format_for(output, format, option="--format")
    if info.name not in WRITE_FORMATS:
        raise UsageError(f"kg export writes {', '.join(WRITE_FORMATS)}, not {info.name}")
    oxstore = open_store(Path(store) if store else default_store())
    data = serialize(select_quads(oxstore, inferred=inferred, provenance=provenance), info.name)
    if output is not None and str(output) != "-":
        write_atomic(output, data)
    return data
