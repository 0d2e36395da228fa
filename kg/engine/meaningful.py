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

from collections.abc import Callable

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


def meaningful_ids(ids) -> Callable[[tuple[int, int, int]], bool]:
    """:func:`meaningful` for triples of the term ids of ``ids`` (a
    :class:`kg.engine.termids.TermIds`), with the vocabulary's ids looked up once.

    >>> from rdflib import URIRef, OWL
    >>> from kg.engine.termids import TermIds
    >>> ids = TermIds.for_rdflib()
    >>> a = URIRef("http://e/a")
    >>> check = meaningful_ids(ids)
    >>> check(tuple(ids.triples([(a, OWL.sameAs, a)]))[0])
    False
    """
    reflexive = {ids.iri(p) for p in _REFLEXIVE_PREDICATES}
    rdf_type = ids.iri(RDF + "type")
    trivial_types = {ids.iri(t) for t in _TRIVIAL_TYPES}
    trivial_objects = {(ids.iri(p), ids.iri(o)) for p, o in _TRIVIAL_OBJECTS}
    vocabulary = ids.starting_with(_VOCABULARY_NAMESPACES)  # after the lookups above

    def check(triple: tuple[int, int, int]) -> bool:
        subject, predicate, obj = triple
        if subject < 0 or subject in vocabulary:  # a literal, or RDF's own vocabulary
            return False
        if predicate in reflexive and subject == obj:
            return False
        if predicate == rdf_type and obj in trivial_types:
            return False
        return (predicate, obj) not in trivial_objects

    return check


def trivial_type_ids(ids) -> tuple[set[int], Callable[[set[int]], set[int]]]:
    """For ``rdf:type`` triples of the term ids of ``ids``: the ids of the classes whose
    instances :func:`meaningful` drops (``owl:Thing``, ``rdfs:Resource``), and a function
    keeping, of a set of subjects, those it keeps (no literal, nothing of RDF's own
    vocabulary): what the reasoner applies to a whole class's new instances at once.

    >>> from rdflib import URIRef, Literal, OWL
    >>> from kg.engine.termids import TermIds
    >>> ids = TermIds.for_rdflib()
    >>> subjects = {ids.id(URIRef("http://e/a")), ids.id(Literal("x")), ids.id(OWL.Class)}
    >>> trivial, ordinary = trivial_type_ids(ids)
    >>> [ids.text(n) for n in ordinary(subjects)], ids.id(OWL.Thing) in trivial
    (['http://e/a'], True)
    """
    trivial = {ids.iri(t) for t in _TRIVIAL_TYPES}
    vocabulary: set[int] = set()
    seen = [0]  # how many terms the table had when ``vocabulary`` was made

    def ordinary(subjects: set[int]) -> set[int]:
        if len(ids) != seen[0]:
            vocabulary.clear()
            vocabulary.update(ids.starting_with(_VOCABULARY_NAMESPACES))
            seen[0] = len(ids)
        return set(filter((0).__lt__, subjects - vocabulary))

    return trivial, ordinary
