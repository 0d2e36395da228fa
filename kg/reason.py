"""``kg reason``: the meaningful OWL 2 RL inferences of the built graph or of files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kg.engine.reasoning import ReasonResult, closure
from kg.rdf.limits import with_time_limit
from kg.rdf.namespaces import GRAPH_INFERRED

__all__ = ["ReasonResult", "reason"]


@with_time_limit
def reason(
    files: Iterable[str | Path] = (),
    *,
    store: Path | str | None = None,
    ontology: Path | str | None = None,
    input_format: str | None = None,
    keep_all: bool = False,
    timeout: float | None = None,
) -> ReasonResult:
    """Reason over data files with the ontology, or return the built graph's inferences.

    >>> result = reason(["tests/fixtures/valid.ttl"])  # doctest: +SKIP
    >>> len(result.triples) > 0  # doctest: +SKIP
    True
    """
    from kg.engine.reasoning import InternedGraph, gc_paused
    from kg.engine.termids import TermIds
    from kg.engine.validation import load_ontology
    from kg.rdf.io import iter_file
    from kg.rdf.limits import run_with_timeout
    from kg.rdf.resources import default_store
    from kg.store.memory import asserted_from_store
    from kg.store.versions import open_store

    files = list(files)
    store_root = Path(store) if store else default_store()
    if not files and not keep_all:
        import pyoxigraph as ox

        oxstore = open_store(store_root, merged=False)
        quads = oxstore.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_INFERRED))
        ids = TermIds.for_oxigraph()
        kept = set(ids.triples((q.subject, q.predicate, q.object) for q in quads))
        return ReasonResult.of_ids(ids, kept, 0, 0)
    ontology_graph = load_ontology(Path(ontology) if ontology else None)
    if files:  # parsed straight into term ids: no store, no rdflib terms
        data = InternedGraph()
        with gc_paused():
            for file in files:
                data.add_quads(iter_file(file, input_format))
    else:
        data = asserted_from_store(store_root)
    return run_with_timeout(
        lambda: closure(data, ontology_graph, keep_all=keep_all), timeout, "reasoning"
    )
