"""Which inferred triples say something a user would want to read.

owlrl adds, per 1,000 input triples, about 1,100 triples that say nothing new:
``x owl:sameAs x``, ``x rdf:type owl:Thing``, axioms about datatypes and about
the RDF/OWL vocabulary itself, and triples with a literal subject that no
standard syntax can write. :func:`meaningful` drops them.

>>> from rdflib import URIRef, Literal, OWL, RDF
>>> a = URIRef("http://e/a")
>>> meaningful((a, OWL.sameAs, a)), meaningful((a, RDF.type, URIRef("http://e/C")))
(False, True)
"""

from __future__ import annotations

from kg.rdf.namespaces import OWL, RDF, RDFS, XSD

_VOCABULARY_NAMESPACES = (RDF, RDFS, OWL, XSD)


_TRIVIAL_TYPES = {OWL + "Thing", RDFS + "Resource"}


_REFLEXIVE_PREDICATES = {
    OWL + "sameAs",
    OWL + "equivalentClass",
    OWL + "equivalentProperty",
    RDFS + "subClassOf",
    RDFS + "subPropertyOf",
}


_TRIVIAL_OBJECTS = {
    (RDFS + "domain", OWL + "Thing"),
    (RDFS + "range", OWL + "Thing"),
    (RDFS + "domain", RDFS + "Resource"),
    (RDFS + "range", RDFS + "Resource"),
    (RDFS + "subClassOf", OWL + "Thing"),
    (RDFS + "subClassOf", RDFS + "Resource"),
    (OWL + "equivalentClass", OWL + "Thing"),
}


def meaningful(triple: tuple) -> bool:
    """Whether an inferred triple says something a user would want to read."""
    from rdflib import Literal

    subject, predicate, obj = triple
    if isinstance(subject, Literal):
        return False
    if str(subject).startswith(_VOCABULARY_NAMESPACES):
        return False
    predicate, obj_text = str(predicate), str(obj)
    if predicate in _REFLEXIVE_PREDICATES and subject == obj:
        return False
    if predicate == RDF + "type" and obj_text in _TRIVIAL_TYPES:
        return False
    return (predicate, obj_text) not in _TRIVIAL_OBJECTS
