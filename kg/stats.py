"""Counts that describe the built graph: triples per graph, instances per class,
facts per source, and how many statements have their own evidence.

>>> s = stats(store="build")  # doctest: +SKIP
>>> sorted(s.triples_per_graph)[0]  # doctest: +SKIP
'https://w3id.org/kg/graph/inferred'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg.rdf.namespaces import GRAPH_INFERRED, GRAPH_META, GRAPH_ONTOLOGY, KG, KG_ID, RDF, RDFS
from kg.store.selection import EVIDENCE_PREDICATES

_INSTANCES = f"""
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH ?g {{ ?s a ?class }}
  FILTER(?g != <{GRAPH_ONTOLOGY}> && ?g != <{GRAPH_META}>)
}} GROUP BY ?class ORDER BY DESC(?n) ?class
"""

_FACTS_PER_SOURCE = """
PREFIX kg: <https://w3id.org/kg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?source (COUNT(DISTINCT ?node) AS ?n) WHERE {
  ?node kg:statedIn|kg:impliedBy ?span .
  ?span kg:inDocument ?source .
  FILTER NOT EXISTS { ?node rdf:type rdf:Statement }  # a statement's evidence is not a fact
} GROUP BY ?source ORDER BY ?source
"""

# What a statement about a domain entity is: a triple of an asserted graph (not the
# ontology, the inferences or the metadata) whose subject is a kg node (kgr:), not a
# text span or a claim, and whose property is not what names or types the node (the
# node's own quotes support those), an analyst's comment, or evidence bookkeeping.
# It has its own evidence when a claim of the same graph (an rdf:Statement) names it
# and cites a passage.
NOT_STATEMENTS = (RDF + "type", RDFS + "label", RDFS + "comment", *sorted(EVIDENCE_PREDICATES))
_STATEMENTS = f"""
PREFIX kg: <{KG}>
PREFIX rdf: <{RDF}>
SELECT ?g ?s ?p ?o ?has WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER (?g NOT IN (<{GRAPH_ONTOLOGY}>, <{GRAPH_INFERRED}>, <{GRAPH_META}>))
  FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{KG_ID}"))
  FILTER (?p NOT IN ({", ".join(f"<{p}>" for p in NOT_STATEMENTS)}))
  FILTER NOT EXISTS {{
    GRAPH ?g {{ ?s rdf:type ?kind }} FILTER (?kind IN (kg:TextSpan, rdf:Statement))
  }}
  BIND (EXISTS {{
    GRAPH ?g {{ ?claim rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                       kg:statedIn|kg:impliedBy ?span }}
  }} AS ?has)
}}
"""


@dataclass
class Stats:
    """Counts of the built graph."""

    triples_per_graph: dict[str, int] = field(default_factory=dict)
    instances_per_class: dict[str, int] = field(default_factory=dict)
    facts_per_source: dict[str, int] = field(default_factory=dict)
    statements: int = 0  # asserted statements about domain entities (per graph)
    statements_with_evidence: int = 0  # of them, those with passages of their own

    def statement_evidence_line(self) -> str:
        """How many statements have their own evidence, out of how many.

        >>> Stats(statements=8, statements_with_evidence=6).statement_evidence_line()
        '6 of 8 (75.0%)'
        """
        share = 100.0 * self.statements_with_evidence / self.statements if self.statements else 0
        return f"{self.statements_with_evidence} of {self.statements} ({share:.1f}%)"


def statements_without_evidence(oxstore) -> list[tuple[str, str, str, str]]:
    """(graph, subject, property, value) of every asserted statement about a domain
    entity that cites no passage of its own, sorted (for review and for tests)."""
    rows = [r for r in oxstore.query(_STATEMENTS) if r["has"].value != "true"]
    return sorted((r["g"].value, r["s"].value, r["p"].value, str(r["o"])) for r in rows)


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
    for row in oxstore.query(_STATEMENTS):
        result.statements += 1
        result.statements_with_evidence += row["has"].value == "true"
    return result
