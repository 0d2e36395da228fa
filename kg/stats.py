"""Counts that describe the built graph: triples per graph, instances per class,
facts per source.

>>> s = stats(store="build")  # doctest: +SKIP
>>> sorted(s.triples_per_graph)[0]  # doctest: +SKIP
'https://w3id.org/kg/graph/inferred'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg.rdf.namespaces import GRAPH_META, GRAPH_ONTOLOGY

_INSTANCES = f"""
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH ?g {{ ?s a ?class }}
  FILTER(?g != <{GRAPH_ONTOLOGY}> && ?g != <{GRAPH_META}>)
}} GROUP BY ?class ORDER BY DESC(?n) ?class
"""

_FACTS_PER_SOURCE = """
PREFIX kg: <https://w3id.org/kg/ontology#>
SELECT ?source (COUNT(DISTINCT ?node) AS ?n) WHERE {
  ?node kg:statedIn|kg:impliedBy ?span .
  ?span kg:inDocument ?source .
} GROUP BY ?source ORDER BY ?source
"""


@dataclass
class Stats:
    """Counts of the built graph."""

    triples_per_graph: dict[str, int] = field(default_factory=dict)
    instances_per_class: dict[str, int] = field(default_factory=dict)
    facts_per_source: dict[str, int] = field(default_factory=dict)


def stats(*, store: Path | str | None = None) -> Stats:
    """Count what the built graph holds."""
    from kg.rdf.resources import default_store
    from kg.sparql.run import merged_graph
    from kg.store.versions import open_store

    oxstore = open_store(Path(store) if store else default_store())
    result = Stats()
    # The named graphs only: the default graph is their merge, a copy (kg.store.versions).
    for graph in sorted(oxstore.named_graphs(), key=lambda g: g.value):
        result.triples_per_graph[graph.value] = sum(
            1 for _ in oxstore.quads_for_pattern(None, None, None, graph)
        )
    for row in oxstore.query(_INSTANCES):
        result.instances_per_class[row["class"].value] = int(row["n"].value)
    for row in oxstore.query(_FACTS_PER_SOURCE, default_graph=merged_graph()):
        result.facts_per_source[row["source"].value] = int(row["n"].value)
    return result
