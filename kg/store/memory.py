"""Throwaway in-memory Oxigraph stores: the data that validation and reasoning read.

A million triples take about 0.4 GB in Oxigraph's in-memory store, against
1.3 GB in an rdflib graph and about 0.5 GB more as a list of quad objects, so
data is streamed in, in chunks, and never held as Python objects. The triples
are the store's default graph; named graphs are merged.

>>> import pyoxigraph as ox
>>> q = ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x"))
>>> len(memory_store([q, q]))
1
"""

from __future__ import annotations

import codecs
import contextlib
import itertools
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from kg.rdf.limits import in_background
from kg.rdf.namespaces import GRAPH_INFERRED, GRAPH_META

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def memory_store(quads: Iterable = ()):
    """A new in-memory Oxigraph store holding the triples of ``quads`` in its default graph.

    >>> import pyoxigraph as ox
    >>> q = ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x"))
    >>> len(memory_store([q, q]))
    1
    """
    import pyoxigraph as ox

    store = ox.Store()
    default = ox.DefaultGraph()
    extend_in_chunks(
        store, (ox.Quad(q.subject, q.predicate, q.object, default) for q in quads), bulk=True
    )
    return store


def extend_in_chunks(store, quads: Iterable, size: int = 50_000, bulk: bool = False) -> None:
    """Add ``quads`` to ``store`` some at a time: one ``extend`` of a million quads
    holds them all at once (about 0.1 GB more at the peak). ``bulk``: with Oxigraph's
    bulk loader, without a transaction per chunk (a fifth faster), for a throwaway
    in-memory store only, where a half-made store is dropped anyway."""
    quads = iter(quads)
    add = store.bulk_extend if bulk else store.extend
    while chunk := list(itertools.islice(quads, size)):
        add(chunk)


def asserted_from_store(store_root: Path):
    """The built graph without inferences or store metadata, in a new in-memory store."""
    from kg.store.versions import open_store

    store = open_store(store_root, merged=False)
    skip = {GRAPH_INFERRED, GRAPH_META}
    graphs = [g for g in store.named_graphs() if g.value not in skip]
    # From the named graphs (the default graph is their merge, store metadata included);
    # the in-memory store keeps each triple once. Streamed: a million quad objects cost GBs.
    quads = itertools.chain(*(store.quads_for_pattern(None, None, None, g) for g in graphs))
    return memory_store(quads)


def load_files(
    files: Iterable[str | Path],
    input_format: str | None = None,
    sources: dict[str, bytes] | None = None,
):
    """Parse RDF files into a new in-memory store.

    Returns the store, per file the quads whose literal is ill-typed (for
    :func:`kg.engine.validation.ill_typed_warnings`; the rest are not kept as Python
    objects), and the first literals the store holds in another form (see
    :class:`RewriteCheck`). ``sources``: the bytes of files read already (pipes, see
    :func:`kg.rdf.io.read_pipes`), by name.
    """
    store = memory_store()
    rewritten = RewriteCheck()
    suspects = [
        (
            str(file),
            load_file(store, file, input_format, rewritten, n == 0, (sources or {}).get(str(file))),
        )
        for n, file in enumerate(files)
    ]
    return store, suspects, rewritten.found


def load_file(
    store,
    file: str | Path,
    input_format: str | None = None,
    rewritten: RewriteCheck | None = None,
    empty: bool = False,
    data: bytes | None = None,
) -> list:
    """Add the triples of the RDF file ``file`` to the in-memory ``store``'s default graph,
    as :func:`load_quads` does (and returning what it returns), by Oxigraph's own loader
    where the file allows it (:func:`_load_plain_ntriples`). ``empty``: ``store`` holds
    nothing yet, so the loader may start before the file is known to suit it. ``data``:
    the file's bytes, read already (a pipe).

    >>> import pyoxigraph as ox
    >>> store = ox.Store()
    >>> load_file(store, "tests/fixtures/mini/valid.ttl"), len(store)
    ([], 9)
    """
    from kg.rdf.io import format_for, iter_file, iter_quads

    found, data = _load_plain_ntriples(store, file, input_format, rewritten, empty, data)
    if found is None:
        if data is None:
            quads = iter_file(file, input_format)
        else:  # read already: a pipe can be read only once
            name = format_for(Path(file), input_format).name
            quads = iter_quads(data, name, str(file), Path(file).resolve().as_uri())
        found = load_quads(store, quads, rewritten, bulk=True)
    return found


_DIRECTION = re.compile(rb"--(?:ltr|rtl)", re.I)


def _plain(data: bytes) -> bool:
    """Whether N-Triples ``data`` surely holds nothing only the quad-by-quad path handles:
    blank nodes (their labels are scoped to the file), RDF 1.2 triple terms and base
    directions (refused there with a clear message). Substring searches: a regular
    expression over the whole file takes half as long again."""
    if b"_:" in data or b"<<" in data:
        return False
    return b"--" not in data or _DIRECTION.search(data) is None


# A typed literal of N-Triples; one per line at most, as a line holds one triple.
_TYPED_LITERAL = re.compile(rb'"(?:[^"\\\n\r]|\\.)*"\^\^<[^>\n]*>')


def _load_plain_ntriples(
    store,
    file: str | Path,
    input_format: str | None,
    rewritten: RewriteCheck | None,
    empty: bool = False,
    raw: bytes | None = None,
) -> tuple[list | None, bytes | None]:
    """Load an N-Triples file with Oxigraph's own loader, no Python step per triple (a
    million triples: about 3.5 s against 7 s), and check its typed literals from their
    distinct texts. Returns what :func:`load_quads` returns, or None, with nothing
    loaded, when the file needs the quad-by-quad path (another format, blank nodes, RDF
    1.2 syntax); and the file's bytes if they were read.

    The same checks are made as there: the file's bytes; each typed literal, once per
    distinct text, for ill-typed and rewritten forms; the quads with ill-typed literals
    come from parsing just their lines, in the file's order. They run while Oxigraph
    loads (it does not hold the GIL); into an ``empty`` store, the load starts before
    the file is checked at all, and is undone if it does not suit.
    """
    import pyoxigraph as ox

    from kg.rdf.io import format_for, is_ill_typed, parse_errors, read_checked, read_input
    from kg.rdf.safety import quiet_rdflib

    info = format_for(Path(file), input_format)
    if info.name != "ntriples":
        return None, raw

    def load(data: bytes) -> Callable[[], None]:
        return in_background(
            lambda: store.load(
                data,
                format=ox.RdfFormat.N_TRIPLES,
                base_iri=Path(file).resolve().as_uri(),
                to_graph=ox.DefaultGraph(),
            )
        )

    loading = None
    if empty:
        raw = read_input(file) if raw is None else raw
        loading = load(raw.removeprefix(codecs.BOM_UTF8))
    try:
        data, info = read_checked(file, input_format, raw)
        suits = _plain(data)
    except BaseException:
        if loading is not None:
            _undo(loading, store)
        raise
    if not suits:
        if loading is not None:
            _undo(loading, store)
        return None, data
    if loading is None:
        loading = load(data)
    # While Oxigraph loads, the typed literals are checked.
    texts = sorted(set(_TYPED_LITERAL.findall(data)))
    quiet_rdflib()  # converting an ill-typed literal would log a traceback
    ill_typed = {}
    for text, literal in _literals(texts):
        if is_ill_typed(literal):
            ill_typed[text] = literal
        if rewritten is not None:
            rewritten.add(literal)
    if rewritten is not None:
        rewritten.flush()
    with parse_errors(str(file), info):
        loading()
    return _quads_of_lines(data, ill_typed), data


def _undo(loading: Callable[[], None], store) -> None:
    """Wait for a load that turned out not to be wanted, and empty the store it filled."""
    with contextlib.suppress(Exception):  # the other path says what is wrong, and where
        loading()
    store.clear()


def _literals(texts: list[bytes]) -> list[tuple[bytes, object]]:
    """The N-Triples literal ``texts`` with their Oxigraph literals, parsed all at once;
    a text that does not parse (found in a comment) is left out."""
    import pyoxigraph as ox

    def parse(chunk: list[bytes]) -> list:
        document = b"".join(b"<urn:kg:l> <urn:kg:v> " + text + b" .\n" for text in chunk)
        return [q.object for q in ox.parse(document, format=ox.RdfFormat.N_TRIPLES)]

    try:
        return list(zip(texts, parse(texts), strict=True))
    except (SyntaxError, ValueError):
        found = []
        for text in texts:
            with contextlib.suppress(SyntaxError, ValueError):
                found.append((text, parse([text])[0]))
        return found


def _quads_of_lines(data: bytes, literals: dict) -> list:
    """The quads of the N-Triples ``data`` whose object is one of ``literals`` (their
    texts -> the literals), in the file's order, from parsing only the lines holding them."""
    import pyoxigraph as ox

    starts = set()
    for text in literals:
        offset = data.find(text)
        while offset >= 0:
            starts.add(data.rfind(b"\n", 0, offset) + 1)
            offset = data.find(text, offset + len(text))
    found = []
    wanted = set(literals.values())
    for start in sorted(starts):
        end = data.find(b"\n", start)
        line = data[start : len(data) if end < 0 else end]
        found.extend(q for q in ox.parse(line, format=ox.RdfFormat.N_TRIPLES) if q.object in wanted)
    return found


def load_quads(
    store, quads: Iterable, rewritten: RewriteCheck | None = None, bulk: bool = False
) -> list:
    """Add the triples of ``quads`` to ``store``'s default graph; return the quads whose
    literal is ill-typed (for :func:`kg.engine.validation.ill_typed_warnings`). Literals are
    passed to ``rewritten`` when given."""
    found: list = []
    extend_in_chunks(store, _noting_literals(quads, found, rewritten), bulk=bulk)
    if rewritten is not None:
        rewritten.flush()
    return found


class RewriteCheck:
    """Finds typed literals that Oxigraph's store gives back in another form.

    The store keeps values, not lexical forms: ``"5"^^xsd:int`` comes back as
    ``"5"^^xsd:integer``, ``"1.0"^^xsd:decimal`` as ``"1"``, ``+00:00`` as ``Z``.
    SHACL compares datatype IRIs and terms, so such data must be validated where
    its literals stay as written (an rdflib graph). Checked by storing the
    literals, a batch at a time; ``found`` keeps the first few.

    >>> import pyoxigraph as ox
    >>> xsd = "http://www.w3.org/2001/XMLSchema#"
    >>> check = RewriteCheck()
    >>> for value, datatype in [("5", "integer"), ("5", "int"), ("2024-01-02", "date")]:
    ...     check.add(ox.Literal(value, datatype=ox.NamedNode(xsd + datatype)))
    >>> check.flush()
    >>> [str(literal) for literal in check.found]
    ['"5"^^<http://www.w3.org/2001/XMLSchema#int>']
    """

    batch = 20_000
    keep = 3

    def __init__(self) -> None:
        self._pending: list = []
        self.found: list = []

    def add(self, literal) -> None:
        if len(self.found) >= self.keep:
            return
        self._pending.append(literal)
        if len(self._pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        import pyoxigraph as ox

        pending, self._pending = self._pending, []
        if not pending or len(self.found) >= self.keep:
            return
        scratch = ox.Store()
        predicate = ox.NamedNode("urn:kg:value")
        scratch.extend(
            ox.Quad(ox.NamedNode(f"urn:kg:{n}"), predicate, literal)
            for n, literal in enumerate(pending)
        )
        for quad in scratch:
            original = pending[int(quad.subject.value[7:])]
            if quad.object != original and len(self.found) < self.keep:
                self.found.append(original)


def _noting_literals(quads: Iterable, found: list, rewritten: RewriteCheck | None):
    """Pass ``quads`` on (in the default graph), appending those whose literal is ill-typed
    to ``found`` and giving typed literals to ``rewritten``."""
    import pyoxigraph as ox

    from kg.rdf.io import is_ill_typed
    from kg.rdf.safety import quiet_rdflib

    quiet_rdflib()  # converting an ill-typed literal would log a traceback
    default, default_type, literal = ox.DefaultGraph(), ox.DefaultGraph, ox.Literal
    plain = {XSD_STRING, RDF_LANG_STRING}
    # Literal -> whether it is ill-typed, None for plain ones: a literal met again (a
    # date, an offset, a name) is checked once. Bounded, as is_ill_typed's cache.
    verdicts: dict = {}
    for quad in quads:
        obj = quad.object
        if type(obj) is literal:
            verdict = verdicts.get(obj, False)
            if verdict is False and obj not in verdicts:
                verdict = None
                if obj.datatype.value not in plain:
                    verdict = is_ill_typed(obj)
                    if rewritten is not None:
                        rewritten.add(obj)
                if len(verdicts) >= 200_000:
                    verdicts.clear()
                verdicts[obj] = verdict
            if verdict:
                found.append(quad)
        if type(quad.graph_name) is default_type:  # N-Triples, Turtle: as parsed
            yield quad
        else:
            yield ox.Quad(quad.subject, quad.predicate, obj, default)
