"""Build the knowledge graph: ontology + seeds → validated, reasoned, stored.

Steps: read the ontology; load every facts file under the seeds folder;
validate the asserted facts against the shapes (before reasoning, so bad
data cannot make the reasoner merge distinct things); compute the OWL 2 RL
inferences into their own graph; write everything into a new version of the
embedded store and switch to it atomically.

Graphs of the store:

- ``kgg:ontology``: the ontology
- ``kgg:seed/NAME``: the facts and evidence of seed ``NAME``
- ``kgg:inferred``: what OWL 2 RL reasoning adds (meaningful triples only)
- ``kgg:meta``: where each graph came from
- ``kgg:added-NAME-HASH``: files brought in with ``kg add``, kept by a rebuild

A rebuild keeps what ``kg add`` brought in: those graphs (and their ``kgg:meta``
records) are validated again together with the rebuilt seeds, take part in the
new inferences, and are written into the new version unchanged. If they no
longer conform, the build fails and the previous one stays. ``fresh=True``
(``kg build --fresh``) drops them: the store then holds the seeds only. The
store's write lock is held from reading the old version to switching to the
new one, so a ``kg add`` running meanwhile waits rather than being lost.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import NotConformingError, StoreError
from kg.rdf.namespaces import (
    GRAPH_INFERRED,
    GRAPH_META,
    GRAPH_ONTOLOGY,
    KG,
    PREFIXES,
    graph_iri,
)

DCTERMS = PREFIXES["dcterms"]


@dataclass
class BuildResult:
    """What a build did."""

    store: Path
    asserted_triples: int
    inferred_triples: int
    facts: int
    sources: int
    seconds: float
    graphs: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # from the facts files, for stderr
    kept: dict[str, int] = field(default_factory=dict)  # graphs added with kg add, kept

    def summary(self) -> str:
        text = (
            f"built {self.store}/: {self.asserted_triples} triples asserted, "
            f"{self.inferred_triples} inferred, {self.facts} facts from {self.sources} "
            f"source{'s' if self.sources != 1 else ''} in {self.seconds:.2f} s"
        )
        if self.kept:
            n = len(self.kept)
            text += (
                f"; kept {n} graph{'s' if n != 1 else ''} added with kg add"
                f" ({sum(self.kept.values())} triples)"
            )
        return text


def _meta_triples(seeds) -> list[tuple]:
    from rdflib import Literal, URIRef

    triples = []
    for seed in seeds:
        graph = URIRef(str(seed.graph_iri))
        triples.append((graph, URIRef(DCTERMS + "source"), seed.source_iri))
        triples.append((graph, URIRef(KG + "factsFile"), Literal(seed.facts_path.name)))
        triples.append((graph, URIRef(KG + "textFile"), Literal(seed.text_path.name)))
    return triples


def build(
    *,
    store: Path | str | None = None,
    seeds: Path | str | list[Path | str] | tuple[Path | str, ...] | None = None,
    ontology: Path | str | None = None,
    shapes: Path | str | None = None,
    fresh: bool = False,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the graph from the ontology and the seeds into the store.

    ``seeds`` is a folder of seeds or a list of folders (read together, in the
    order of their file names); the bundled seeds by default.

    Graphs added with ``kg add`` are kept and validated again with the seeds,
    unless ``fresh``. Raises :class:`~kg.errors.FactsError` for bad facts files
    and :class:`~kg.errors.NotConformingError` (with the report) when the facts
    violate the shapes; in both cases the previous build stays in place. Waits up
    to ``timeout`` seconds for another writer of the store (``on_wait`` is told
    whom it waits for), then raises :class:`~kg.errors.StoreError`.

    >>> result = build(store="/tmp/kg-doctest-build")  # doctest: +SKIP
    >>> result.sources  # doctest: +SKIP
    1
    """
    from rdflib import Graph

    from kg.engine.reasoning import closure
    from kg.engine.validation import load_ontology, load_shapes, validate_graph
    from kg.facts.loader import load_seeds
    from kg.rdf.io import from_rdflib_triples
    from kg.rdf.resources import data_dir, default_store
    from kg.store.lock import write_lock
    from kg.store.versions import write_store

    started = time.perf_counter()
    store_root = Path(store) if store else default_store()
    ontology_dir = Path(ontology) if ontology else None
    if isinstance(seeds, list | tuple):
        seeds_dir = [Path(s) for s in seeds] or data_dir("seeds")
    else:
        seeds_dir = Path(seeds) if seeds else data_dir("seeds")

    ontology_graph = load_ontology(ontology_dir)
    loaded = load_seeds(seeds_dir, ontology_graph)
    facts = Graph()
    for seed in loaded:
        for triple in seed.triples:
            facts.add(triple)

    shapes_graph, shapes_name, user_shapes = load_shapes(shapes, ontology_dir)

    try:
        store_root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"{store_root}: cannot create the store folder: {err.strerror}") from None
    with write_lock(store_root, timeout, on_wait):
        old, kept = (None, {}) if fresh else _added_graphs(store_root)
        data = facts if not kept else _with_added(facts, old, kept)
        report = validate_graph(
            data,
            shapes_graph,
            ontology_graph,
            meta_shacl=user_shapes,
            shapes_name=shapes_name,
            inplace=True,
        )
        if not report.passed:
            violations = sum(1 for r in report.results if r.severity == "Violation")
            what = "the seeds"
            if kept:
                plural = "s" if len(kept) != 1 else ""
                what += f" and the {len(kept)} graph{plural} added with kg add"
            raise NotConformingError(
                f"{what} do not conform to the shapes ({violations} violation"
                f"{'s' if violations != 1 else ''}); the previous build is unchanged"
                + (" (kg build --fresh leaves out the added graphs)" if kept else ""),
                report,
            )

        inferred = closure(data, ontology_graph, sort=False)  # written without rdflib terms
        data = None  # its memory is needed for writing the new version

        quads = list(from_rdflib_triples(ontology_graph, GRAPH_ONTOLOGY))
        graphs = {GRAPH_ONTOLOGY: len(ontology_graph)}
        for seed in loaded:
            seed_quads = list(dict.fromkeys(from_rdflib_triples(seed.triples, str(seed.graph_iri))))
            graphs[str(seed.graph_iri)] = len(seed_quads)
            quads.extend(seed_quads)
        graphs.update(kept)
        quads.extend(inferred.quads(GRAPH_INFERRED))
        graphs[GRAPH_INFERRED] = len(inferred)
        meta = _meta_triples(loaded)
        quads.extend(from_rdflib_triples(meta, GRAPH_META))
        graphs[GRAPH_META] = len(meta) + (_count_meta(old, kept) if kept else 0)
        write_store(store_root, itertools.chain(quads, _kept_quads(old, kept) if kept else ()))

    # Distinct: a triple two sources state is one triple of the graph.
    skipped = {GRAPH_INFERRED, GRAPH_META}
    asserted = len({q.triple for q in quads if q.graph_name.value not in skipped})
    return BuildResult(
        store=store_root,
        asserted_triples=asserted,
        inferred_triples=len(inferred),
        facts=sum(len(seed.node_ids) for seed in loaded),
        sources=len(loaded),
        seconds=time.perf_counter() - started,
        graphs=graphs,
        warnings=[warning for seed in loaded for warning in seed.warnings],
        kept=kept,
    )


def _added_graphs(store_root: Path):
    """The open previous version and, per graph it holds that a build does not make
    (those of ``kg add``), its triple count. ``(None, {})`` when nothing was built."""
    import pyoxigraph as ox

    from kg.store.versions import current_version, open_store

    if current_version(store_root) is None:
        return None, {}
    old = open_store(store_root, merged=False)  # named graphs only: an earlier layout too
    own = {GRAPH_ONTOLOGY, GRAPH_INFERRED, GRAPH_META}
    seed_prefix = graph_iri("seed", "")
    kept = {}
    for graph in old.named_graphs():
        if isinstance(graph, ox.NamedNode) and (
            graph.value in own or graph.value.startswith(seed_prefix)
        ):
            continue
        name = graph.value if isinstance(graph, ox.NamedNode) else str(graph)
        kept[name] = sum(1 for _ in old.quads_for_pattern(None, None, None, graph))
    return old, dict(sorted(kept.items()))


def _graph_node(name: str):
    import pyoxigraph as ox

    return ox.BlankNode(name[2:]) if name.startswith("_:") else ox.NamedNode(name)


def _kept_quads(old, kept: dict[str, int]) -> Iterator:
    """The kept graphs and their kgg:meta records, streamed from the previous version."""
    import pyoxigraph as ox

    meta = ox.NamedNode(GRAPH_META)
    for name in kept:
        graph = _graph_node(name)
        yield from old.quads_for_pattern(None, None, None, graph)
        yield from old.quads_for_pattern(graph, None, None, meta)


def _count_meta(old, kept: dict[str, int]) -> int:
    import pyoxigraph as ox

    meta = ox.NamedNode(GRAPH_META)
    return sum(
        sum(1 for _ in old.quads_for_pattern(_graph_node(name), None, None, meta)) for name in kept
    )


def _with_added(facts, old, kept: dict[str, int]):
    """The seeds' facts and the kept graphs, as the data to validate: an in-memory
    Oxigraph store (fast; see :mod:`kg.store.memory`), or the rdflib graph ``facts``
    with the kept triples merged in when the seeds hold literals such a store would
    rewrite."""
    from kg.rdf.io import from_rdflib_triples, to_rdflib_graph
    from kg.store.memory import RewriteCheck, load_quads, memory_store

    def added():
        return itertools.chain.from_iterable(
            old.quads_for_pattern(None, None, None, _graph_node(name)) for name in kept
        )

    combined = memory_store()
    rewritten = RewriteCheck()
    load_quads(combined, from_rdflib_triples(facts, None), rewritten)
    if rewritten.found:
        return to_rdflib_graph(added(), facts)
    load_quads(combined, added())
    return combined
