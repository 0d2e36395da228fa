"""IRIs and prefixes used across kg. A leaf module: imports nothing of kg.

>>> KG_ID + "kaja-kallas"
'https://w3id.org/kg/id/kaja-kallas'
>>> graph_iri("seed", "000_74f78cd287be197f")
'https://w3id.org/kg/graph/seed-000_74f78cd287be197f'
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

KG = "https://w3id.org/kg/ontology#"
KG_ONTOLOGY = "https://w3id.org/kg/ontology"
KG_ID = "https://w3id.org/kg/id/"
KG_GRAPH = "https://w3id.org/kg/graph/"
KG_SHAPES = "https://w3id.org/kg/shapes#"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"

# Prefixes for readable exports and for prefixed names in facts files.
PREFIXES: dict[str, str] = {
    "kg": KG,
    "kgr": KG_ID,
    "kgg": KG_GRAPH,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "oa": "http://www.w3.org/ns/oa#",
    "nif": "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    "time": "http://www.w3.org/2006/time#",
    "sh": SH,
    "kgsh": KG_SHAPES,
    "wd": "http://www.wikidata.org/entity/",
}

GRAPH_ONTOLOGY = KG_GRAPH + "ontology"
GRAPH_INFERRED = KG_GRAPH + "inferred"
GRAPH_META = KG_GRAPH + "meta"
# The merge of every graph but the inferences, each triple once: the built store's
# default graph; on other stores, the graph kg push sends it to and kg query reads.
GRAPH_MERGED = KG_GRAPH + "merged"


def graph_iri(kind: str, name: str) -> str:
    """The IRI of a named graph of the store: ``seed``, ``added``."""
    return f"{KG_GRAPH}{kind}-{name}"


def expand(name: str, default_prefix: str = "kg") -> str:
    """Expand a prefixed name (``org:postIn``) or a bare name (``Official`` → ``kg:Official``).

    >>> expand("org:postIn")
    'http://www.w3.org/ns/org#postIn'
    >>> expand("Official")
    'https://w3id.org/kg/ontology#Official'
    """
    if name.startswith(("http://", "https://", "urn:")):
        return name
    prefix, sep, local = name.partition(":")
    if not sep:
        return PREFIXES[default_prefix] + name
    if prefix not in PREFIXES:
        raise KeyError(prefix)
    return PREFIXES[prefix] + local


def added_graph_name(path: str | Path, data: bytes) -> str:
    """The named graph a file is added as: its name and a short checksum of its bytes."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(path).stem).strip("-") or "data"
    return graph_iri("added", f"{stem}-{hashlib.sha256(data).hexdigest()[:8]}")
