"""Parse each SPARQL text once while pySHACL validates.

pySHACL runs a SHACL-SPARQL constraint once per focus node, passing the same
query text each time (``$this`` goes in ``initBindings``), and rdflib parses
and translates the text again on every call: about 30 ms each with its
pyparsing grammar, three quarters of the time of validating 10,000 triples
with kg's shapes. Within :func:`cached_sparql_parsing`, rdflib's SPARQL
processor keeps the translated query per (text, base, prefixes) and evaluates
that, as rdflib's own prepared queries (``prepareQuery``) do; evaluation does
not change a translated query, so the results are the same.

>>> from rdflib import Graph, URIRef, Literal
>>> g = Graph()
>>> _ = g.add((URIRef("http://e/a"), URIRef("http://e/p"), Literal(1)))
>>> with cached_sparql_parsing() as cache:
...     rows = [len(g.query("SELECT ?s WHERE { ?s ?p ?o }")) for _ in range(3)]
>>> rows, len(cache)
([1, 1, 1], 1)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_state: dict = {"depth": 0, "original": None, "cache": {}}


@contextmanager
def cached_sparql_parsing(max_entries: int = 1024) -> Iterator[dict]:
    """Within the block, rdflib translates each distinct query text once. Yields the cache.

    Nested or concurrent blocks share one cache; the first to enter patches
    rdflib, the last to leave restores it and empties the cache.
    """
    from rdflib.plugins.sparql import processor

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        cache = _state["cache"]
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((initNs or {}).items())))
            translated = cache.get(key)
            if translated is None:
                translated = processor.translateQuery(
                    processor.parseQuery(strOrQuery), base, initNs
                )
                if len(cache) < max_entries:
                    cache[key] = translated
            strOrQuery = translated
        return _state["original"](self, strOrQuery, initBindings, initNs, base, DEBUG)

    with _lock:
        _state["depth"] += 1
        if _state["depth"] == 1:
            _state["original"] = processor.SPARQLProcessor.query
            processor.SPARQLProcessor.query = query
    try:
        yield _state["cache"]
    finally:
        with _lock:
            _state["depth"] -= 1
            if _state["depth"] == 0:
                processor.SPARQLProcessor.query = _state["original"]
                _state["cache"] = {}
