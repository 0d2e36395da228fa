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


# --- N-Triples loaded by Oxigraph itself, against the quad-by-quad path -------------

XSD = "http://www.w3.org/2001/XMLSchema#"
AWKWARD_NT = (
    f'<{E}a> <{E}p> "2024-13-45"^^<{XSD}date> .\n'  # ill-typed
    f'<{E}a> <{E}q> "x \\" y \\\\ z\\u00e9"^^<{E}dt> .\n'
    f'<{E}b> <{E}p> "2024-01-02"^^<{XSD}date> .\n'
    f'# a comment holding what looks like a literal: "abc\\q"^^<{XSD}integer>\n'
    f'<{E}c> <{E}p> "abc"^^<{XSD}integer> .\r\n'  # ill-typed, CRLF
    f'<{E}d> <{E}p> "2024-13-45"^^<{XSD}date> .\n'  # the first again, on another node
    f'<{E}d> <{E}r> "plain \\"2024-13-45\\"^^ text" .\n'
)


def by_quads(path):
    from kg.rdf.io import iter_file
    from kg.store.memory import RewriteCheck, load_quads

    store, rewritten = ox.Store(), RewriteCheck()
    found = load_quads(store, iter_file(path), rewritten, bulk=True)
    return set(store), found, rewritten.found


def by_file(path, empty: bool):
    """Loaded as load_file does: into a store holding other triples, or an empty one
    (where Oxigraph starts loading before the file is checked)."""
    from kg.store.memory import RewriteCheck, load_file

    store, rewritten = ox.Store(), RewriteCheck()
    other = quad("other", "node")
    if not empty:
        store.add(other)
    found = load_file(store, path, None, rewritten, empty=empty)
    triples = set(store)
    if not empty:
        triples.remove(other)
    return triples, found, rewritten.found


@pytest.mark.parametrize(
    "text",
    [
        AWKWARD_NT,
        AWKWARD_NT + f'<{E}e> <{E}p> "5"^^<{XSD}int> .\n',  # Oxigraph writes it as xsd:integer
        AWKWARD_NT + f"_:b <{E}p> <{E}a> .\n",  # blank nodes: the quad-by-quad path
        AWKWARD_NT + f'<{E}e> <{E}p> "a--ltr text" .\n',  # "--ltr" in a literal, no direction
    ],
)
@pytest.mark.parametrize("empty", [True, False])
def test_n_triples_load_as_the_quad_by_quad_path_does(tmp_path, text, empty):
    path = tmp_path / "data.nt"
    path.write_bytes(text.encode())
    expected = by_quads(path)
    assert by_file(path, empty) == expected
    assert [str(q.subject) for q in expected[1]] == [f"<{E}a>", f"<{E}c>", f"<{E}d>"]


def test_generated_n_triples_load_as_the_quad_by_quad_path_does(tmp_path):
    from benchmarks.generate import generate

    path = tmp_path / "data.nt"
    path.write_text(generate(3000, seed=2, violations=0.2).ntriples)
    assert by_file(path, True) == by_file(path, False) == by_quads(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f'<{E}a> <{E}p> "x .\n', "data.nt:1:"),
        (f'<{E}a> <{E}p> "x" .\n<{E}a> <{E}p> << <{E}a> <{E}p> <{E}b> >> .\n', "data.nt:2:"),
        (f'<{E}a> <{E}p> "x"@en--ltr .\n', "base direction"),
        (f'<{E}a> <{E}p> "caf\xe9" .\n'.encode("latin-1"), "not UTF-8"),
    ],
)
@pytest.mark.parametrize("empty", [True, False])
def test_n_triples_errors_are_those_of_the_quad_by_quad_path(tmp_path, text, message, empty):
    path = tmp_path / "data.nt"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(InputError) as expected:
        by_quads(path)
    with pytest.raises(InputError) as caught:
        by_file(path, empty)
    assert str(caught.value) == str(expected.value)
    assert message in str(caught.value)


@pytest.mark.parametrize("empty", [True, False])
def test_a_pipe_that_needs_the_quad_by_quad_path_is_read_once(empty):
    """`kg validate --input-format ntriples <(zcat data.nt.gz)`: blank nodes send the file
    to the quad-by-quad path, which gets the bytes read already (a pipe gives them once)."""
    import os

    from kg.store.memory import load_file

    read_end, write_end = os.pipe()  # as <(...) gives: /dev/fd/N, at its end once read
    os.write(write_end, f"<{E}a> <{E}p> _:b .\n".encode())
    os.close(write_end)
    store = ox.Store()
    try:
        found = load_file(store, f"/dev/fd/{read_end}", "ntriples", None, empty=empty)
    finally:
        os.close(read_end)
    assert found == []
    assert [type(q.object) for q in store] == [ox.BlankNode]
