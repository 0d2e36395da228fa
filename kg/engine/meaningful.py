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


def meaningful_pair_ids(ids) -> Callable[[int, set], list]:
    """:func:`meaningful` for a property's pairs at once: given a predicate's id and a set
    of ``(subject, object)`` ids (of ``ids``, a :class:`kg.engine.termids.TermIds`), the
    pairs whose triple it keeps; what the predicate alone decides is decided once.

    >>> from rdflib import URIRef, OWL
    >>> from kg.engine.termids import TermIds
    >>> ids = TermIds.for_rdflib()
    >>> a, b = ids.id(URIRef("http://e/a")), ids.id(URIRef("http://e/b"))
    >>> check = meaningful_pair_ids(ids)
    >>> [(ids.text(s), ids.text(o)) for s, o in check(ids.id(OWL.sameAs), {(a, a), (a, b)})]
    [('http://e/a', 'http://e/b')]
    """
    reflexive = {ids.iri(p) for p in _REFLEXIVE_PREDICATES}
    rdf_type = ids.iri(RDF + "type")
    trivial_types = {ids.iri(t) for t in _TRIVIAL_TYPES}
    trivial_objects: dict[int, set[int]] = {}
    for p, o in _TRIVIAL_OBJECTS:
        trivial_objects.setdefault(ids.iri(p), set()).add(ids.iri(o))
    vocabulary: set[int] = set()
    seen = [0]  # how many terms the table had when ``vocabulary`` was made

    def check(predicate: int, pairs: set) -> list:
        if len(ids) != seen[0]:
            vocabulary.clear()
            vocabulary.update(ids.starting_with(_VOCABULARY_NAMESPACES))
            seen[0] = len(ids)
        # not a literal, nor RDF's own vocabulary, as subject
        found = [pair for pair in pairs if pair[0] > 0 and pair[0] not in vocabulary]
        if predicate in reflexive:
            found = [(s, o) for s, o in found if s != o]
        unwanted = trivial_objects.get(predicate, set())
        if predicate == rdf_type:
            unwanted = unwanted | trivial_types
        if unwanted:
            found = [(s, o) for s, o in found if o not in unwanted]
        return found

    return check
