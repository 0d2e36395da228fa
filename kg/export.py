"""Export the built graph for other stores, byte-identical for the same input.

Dataset formats (TriG, N-Quads, JSON-LD) keep the named graphs; Turtle and
N-Triples merge them. ``provenance=False`` leaves out the evidence: text
spans, the links to them, documents' full texts and the store metadata.

>>> data = export(format="turtle", store="build")  # doctest: +SKIP
>>> data.startswith(b"@prefix")  # doctest: +SKIP
True
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import UsageError
from kg.store.selection import select_quads


def export(
    output: Path | str | None = None,
    *,
    format: str | None = None,
    store: Path | str | None = None,
    inferred: bool = False,
    provenance: bool = True,
    timeout: float | None = None,
) -> bytes:
    """Serialize the built graph. Writes ``output`` atomically when given; returns the bytes.

    The work stops after ``timeout`` seconds (default ``KG_TIMEOUT`` or 300): labelling
    millions of blank nodes takes minutes, and nothing is written then.
    """
    from kg.rdf.io import WRITE_FORMATS, format_for, serialize, write_atomic
    from kg.rdf.limits import run_with_timeout
    from kg.rdf.resources import default_store
    from kg.store.versions import open_store

    info = format_for(output, format, option="--format")
    if info.name not in WRITE_FORMATS:
        raise UsageError(f"kg export writes {', '.join(WRITE_FORMATS)}, not {info.name}")
    oxstore = open_store(Path(store) if store else default_store(), merged=False)
    data = run_with_timeout(
        lambda: serialize(
            select_quads(oxstore, inferred=inferred, provenance=provenance), info.name
        ),
        timeout,
        "the export",
    )
    if output is not None and str(output) != "-":
        write_atomic(output, data)
    return data
