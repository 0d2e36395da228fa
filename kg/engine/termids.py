"""Terms as small ints, for the reasoner: each distinct term of a graph becomes one int.

A million triples name a few hundred thousand terms. The reasoner's sets and indexes
of int triples take a fraction of the memory of term objects and hash without calling
into Oxigraph or rdflib, and a graph parsed by Oxigraph never has to become rdflib
terms at all. Literals get negative ids, every other term a positive one, so "is the
object a literal" is ``o < 0``.

>>> import pyoxigraph as ox
>>> ids = TermIds.for_oxigraph()
>>> a, x = ids.id(ox.NamedNode("http://e/a")), ids.id(ox.Literal("x"))
>>> a > 0 > x, ids.id(ox.NamedNode("http://e/a")) == a
(True, True)
>>> ids.rdflib(x), ids.oxigraph(a)
(rdflib.term.Literal('x'), <NamedNode value=http://e/a>)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator


class TermIds:
    """The ids of the terms of one kind (Oxigraph's or rdflib's), both ways."""

    def __init__(
        self,
        named: Callable[[str], object],
        is_literal: Callable[[object], bool],
        text: Callable[[object], str],
        kind: str,
    ) -> None:
        self._ids: dict = {}
        self._terms: list = [None]  # id n > 0 -> term
        self._literals: list = [None]  # id -n < 0 -> literal
        self._named, self._is_literal, self._text, self.kind = named, is_literal, text, kind
        self._converted: dict[int, object] = {}  # id -> the term of the other kind

    @classmethod
    def for_oxigraph(cls) -> TermIds:
        """Ids of Oxigraph terms (``pyoxigraph.NamedNode``, ``BlankNode``, ``Literal``)."""
        import pyoxigraph as ox

        return cls(ox.NamedNode, lambda t: type(t) is ox.Literal, lambda t: t.value, "oxigraph")

    @classmethod
    def for_rdflib(cls) -> TermIds:
        """Ids of rdflib terms (``URIRef``, ``BNode``, ``Literal``)."""
        from rdflib import Literal, URIRef

        return cls(URIRef, lambda t: isinstance(t, Literal), str, "rdflib")

    def id(self, term) -> int:
        """The id of ``term``, given one if it has none yet."""
        found = self._ids.get(term)
        if found is None:
            if self._is_literal(term):
                self._literals.append(term)
                found = 1 - len(self._literals)
            else:
                self._terms.append(term)
                found = len(self._terms) - 1
            self._ids[term] = found
        return found

    def iri(self, value: str) -> int:
        """The id of the IRI ``value``."""
        return self.id(self._named(value))

    def triples(self, triples: Iterable[tuple]) -> Iterator[tuple[int, int, int]]:
        """``triples`` of terms as triples of ids."""
        ids, new = self._ids, self.id
        for s, p, o in triples:
            yield (ids.get(s) or new(s), ids.get(p) or new(p), ids.get(o) or new(o))

    def grouped(self, triples: Iterable[tuple], into: dict | None = None) -> dict[int, set]:
        """``triples`` of terms as ids grouped by predicate, ``{p: {(s, o)}}``, added to
        ``into`` if given: each triple once, and a graph the reasoner reads a property
        at a time.

        >>> from rdflib import URIRef as U
        >>> ids = TermIds.for_rdflib()
        >>> triples = [(U("http://e/a"), U("http://e/p"), U("http://e/b"))] * 2
        >>> graph = ids.grouped(triples)
        >>> [(ids.text(p), len(pairs)) for p, pairs in graph.items()]
        [('http://e/p', 1)]
        """
        graph: dict[int, set] = {} if into is None else into
        ids, new = self._ids, self.id
        for s, p, o in triples:
            key = ids.get(p) or new(p)
            found = graph.get(key)
            if found is None:
                found = graph[key] = set()
            found.add((ids.get(s) or new(s), ids.get(o) or new(o)))
        return graph

    def grouped_quads(self, quads: Iterable, into: dict) -> None:
        """:meth:`grouped` for the triples of Oxigraph ``quads`` (their graphs merged),
        added to ``into``: the loop that reads a million parsed quads, kept tight.

        >>> import pyoxigraph as ox
        >>> ids, graph = TermIds.for_oxigraph(), {}
        >>> q = ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x"))
        >>> ids.grouped_quads([q, q], graph)
        >>> [len(pairs) for pairs in graph.values()]
        [1]
        """
        ids, new = self._ids, self.id
        for quad in quads:
            s, p, o = quad.subject, quad.predicate, quad.object
            key = ids.get(p) or new(p)
            found = into.get(key)
            if found is None:
                found = into[key] = set()
            found.add((ids.get(s) or new(s), ids.get(o) or new(o)))

    def ids(self) -> Iterator[int]:
        """Every id given so far.

        >>> from rdflib import URIRef, Literal
        >>> ids = TermIds.for_rdflib()
        >>> _ = ids.id(URIRef("http://e/a")), ids.id(Literal("x"))
        >>> list(ids.ids())
        [1, -1]
        """
        yield from range(1, len(self._terms))
        yield from range(-1, -len(self._literals), -1)

    def __len__(self) -> int:
        """How many terms have an id."""
        return len(self._ids)

    def term(self, term_id: int):
        """The term of ``term_id``, of this table's kind."""
        return self._terms[term_id] if term_id > 0 else self._literals[-term_id]

    def text(self, term_id: int) -> str:
        """The IRI, blank node label or lexical form of ``term_id``."""
        return self._text(self.term(term_id))

    def starting_with(self, prefixes: tuple[str, ...]) -> set[int]:
        """The ids of the IRIs and blank nodes whose text starts with one of ``prefixes``."""
        text = self._text
        return {n for n, term in enumerate(self._terms) if n and text(term).startswith(prefixes)}

    def rdflib(self, term_id: int):
        """The term of ``term_id`` as an rdflib term (one object per id)."""
        return self._as("rdflib", term_id)

    def oxigraph(self, term_id: int):
        """The term of ``term_id`` as an Oxigraph term (one object per id)."""
        return self._as("oxigraph", term_id)

    def _as(self, kind: str, term_id: int):
        if self.kind == kind:
            return self.term(term_id)
        found = self._converted.get(term_id)
        if found is None:
            from kg.rdf.io import from_rdflib_term, to_rdflib_term

            convert = to_rdflib_term if kind == "rdflib" else from_rdflib_term
            found = self._converted[term_id] = convert(self.term(term_id))
        return found
