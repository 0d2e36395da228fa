"""The raw-library paths the benchmarks compare kg with: what a user would write by hand.

Each is run as its own process (``python -m benchmarks.raw JOB ...``), imports
only rdflib, pySHACL or owlrl (never kg), and writes what it found to a file so
the runner can check it against kg's answer.

- ``query DATA QUERY OUT``: ``Graph().parse(DATA)`` and ``graph.query(text)``.
- ``validate DATA SHAPES ONTOLOGY OUT``: plain ``pyshacl.validate`` with the
  same settings kg uses (ontology as ``ont_graph``, no inference, advanced).
- ``reason DATA ONTOLOGY OUT``: plain ``owlrl.DeductiveClosure(OWLRL_Semantics)``;
  writes every triple it added.
- ``export DATA OUT``: parse and serialize as Turtle.
- ``add EXISTING DATA SHAPES ONTOLOGY OUT``: what ``kg add`` does by hand: parse,
  validate, reason, write the N-Quads.
- ``parse DATA``: ``Graph().parse(DATA)`` and nothing else, the floor that
  ``kg validate`` of the same file is held to.
"""

from __future__ import annotations

import json
import sys

# Copied from kg/rdf/namespaces.py on purpose: these paths must not import kg.
SH = "http://www.w3.org/ns/shacl#"
PREFIXES = {
    "kg": "https://w3id.org/kg/ontology#",
    "kgr": "https://w3id.org/kg/id/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
}


def _parse(*paths: str):
    from rdflib import Graph

    graph = Graph()
    for path in paths:
        graph.parse(path)
    return graph


def query(data: str, query_file: str, out: str) -> int:
    graph = _parse(data)
    with open(query_file, encoding="utf-8") as f:
        rows = list(graph.query(f.read(), initNs=PREFIXES))
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"rows": len(rows)}, f)
    return 0


def _validate(graph, shapes: str, ontology: str) -> list[list[str]]:
    import pyshacl
    from rdflib import RDF, URIRef

    _, report, _ = pyshacl.validate(
        graph,
        shacl_graph=_parse(shapes),
        ont_graph=_parse(ontology),
        inference="none",
        advanced=True,
    )
    results = []
    for node in report.subjects(RDF.type, URIRef(SH + "ValidationResult")):
        results.append(
            [
                str(report.value(node, URIRef(SH + name)) or "")
                for name in (
                    "resultSeverity",
                    "focusNode",
                    "sourceShape",
                    "sourceConstraintComponent",
                )
            ]
        )
    return sorted(results)


def validate(data: str, shapes: str, ontology: str, out: str) -> int:
    results = _validate(_parse(data), shapes, ontology)
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"results": results}, f)
    return 0


def _closure(graph):
    import owlrl

    before = set(graph)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return [t for t in graph if t not in before]


def reason(data: str, ontology: str, out: str) -> int:
    from rdflib import Graph, Literal

    added = Graph()
    for triple in _closure(_parse(data, ontology)):
        if not isinstance(triple[0], Literal):  # N-Triples cannot write a literal subject
            added.add(triple)
    added.serialize(out, format="nt", encoding="utf-8")
    return 0


def export(data: str, out: str) -> int:
    _parse(data).serialize(out, format="turtle", encoding="utf-8")
    return 0


def add(existing: str, data: str, shapes: str, ontology: str, out: str) -> int:
    from rdflib import Dataset, URIRef

    graph = _parse(existing, data)
    results = _validate(graph, shapes, ontology)
    if any(r[0] == SH + "Violation" for r in results):
        return 1
    inferred = _closure(_parse(existing, data, ontology))
    dataset = Dataset()
    target = dataset.graph(URIRef("https://w3id.org/kg/graph/added"))
    for triple in _parse(data):
        target.add(triple)
    target = dataset.graph(URIRef("https://w3id.org/kg/graph/inferred"))
    for triple in inferred:
        target.add(triple)
    dataset.serialize(out, format="nquads", encoding="utf-8")
    return 0


def parse(data: str) -> int:
    print(len(_parse(data)))
    return 0


JOBS = {
    "query": query,
    "validate": validate,
    "reason": reason,
    "export": export,
    "add": add,
    "parse": parse,
}

if __name__ == "__main__":
    sys.exit(JOBS[sys.argv[1]](*sys.argv[2:]))
