"""kg/memstore.py: the throwaway in-memory stores that validation and reasoning read."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import InputError
from kg.rdf.namespaces import GRAPH_INFERRED, GRAPH_META
from kg.store.memory import asserted_from_store, extend_in_chunks, load_files, memory_store
from kg.store.versions import open_store

E = "http://e/"


def quad(s: str, o, graph=None) -> ox.Quad:
    obj = o if isinstance(o, ox.Literal) else ox.NamedNode(E + o)
    return ox.Quad(ox.NamedNode(E + s), ox.NamedNode(E + "p"), obj, graph or ox.DefaultGraph())


def test_named_graphs_merge_into_the_default_graph():
    store = memory_store([quad("a", "b"), quad("a", "b", ox.NamedNode(E + "g")), quad("c", "d")])
    assert len(store) == 2
    assert list(store.named_graphs()) == []


def test_chunks_add_everything():
    store = ox.Store()
    extend_in_chunks(store, (quad(f"s{n}", "o") for n in range(25)), size=4)
    assert len(store) == 25


def test_the_asserted_graph_leaves_out_inferences_and_metadata(seed_store):
    built = open_store(seed_store)
    inferred, meta = (
        set(built.quads_for_pattern(None, None, None, ox.NamedNode(g)))
        for g in (GRAPH_INFERRED, GRAPH_META)
    )
    asserted = asserted_from_store(seed_store)
    triples = {(q.subject, q.predicate, q.object) for q in asserted}
    assert len(asserted) == 3981  # as kg build reports (README: statement-level evidence)
    assert not {(q.subject, q.predicate, q.object) for q in meta} & triples
    assert {(q.subject, q.predicate, q.object) for q in inferred} - triples


def test_files_load_together_and_ill_typed_literals_are_noted(tmp_path):
    good = tmp_path / "good.ttl"
    good.write_text(
        '<http://e/a> <http://e/n> 1 ; <http://e/d> "2024-01-02"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
    )
    bad = tmp_path / "bad.nt"
    bad.write_text(
        '<http://e/b> <http://e/n> "one"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        '<http://e/b> <http://e/l> "x"@en .\n'
    )
    store, suspects, rewritten = load_files([good, bad])
    assert len(store) == 4
    assert rewritten == []
    assert [(name, [q.object.value for q in quads]) for name, quads in suspects] == [
        (str(good), []),
        (str(bad), ["one"]),
    ]


def test_a_bad_file_raises_with_its_name(tmp_path):
    broken = tmp_path / "broken.nt"
    broken.write_text('<http://e/a> <http://e/p> "x .\n')
    with pytest.raises(InputError, match=r"broken\.nt:1:\d+: syntax error"):
        load_files([broken])


def test_literals_the_store_rewrites_are_found(tmp_path):
    data = tmp_path / "data.ttl"
    data.write_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<http://e/a> <http://e/n> 5, "7"^^xsd:int, "1.0"^^xsd:decimal, "x"@EN .\n'
    )
    _, _, rewritten = load_files([data])
    assert sorted(str(literal) for literal in rewritten) == [
        '"1.0"^^<http://www.w3.org/2001/XMLSchema#decimal>',
        '"7"^^<http://www.w3.org/2001/XMLSchema#int>',
    ]
