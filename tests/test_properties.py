"""Properties that must hold for any input (hypothesis):

- any graph kg can hold survives every export format: ``serialize`` then ``parse_bytes``
  gives an isomorphic graph (the triple formats merge the named graphs);
- any bytes, in any format, and any mutation of a seed's facts file, give a
  :class:`~kg.errors.KgError` or a result, never another exception.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kg.errors import KgError
from kg.rdf.io import FORMATS, WRITE_FORMATS, canonical_quads, parse_bytes, serialize
from tests.conftest import MINI, ROOT

NAMESPACES = [
    "https://w3id.org/kg/id/",  # kgr: prefixed in the writers' output
    "https://w3id.org/kg/ontology#",
    "http://www.w3.org/2001/XMLSchema#",
    "http://example.org/",
    "urn:x-kg:",
]
DATATYPES = [
    "http://www.w3.org/2001/XMLSchema#integer",
    "http://www.w3.org/2001/XMLSchema#date",
    "http://www.w3.org/2001/XMLSchema#boolean",
    "http://www.w3.org/2001/XMLSchema#decimal",
    "http://example.org/custom",
]

# Any character an IRI may hold unescaped (RFC 3987 iunreserved plus sub-delims, ":", "@",
# "/", "%" followed by hex), including non-ASCII letters.
iri_text = st.text(
    alphabet=st.characters(
        categories=("Ll", "Lu", "Nd", "Lo"),
        include_characters="-._~!$&'()*+,;=:@/",
        exclude_characters="\u2028\u2029",
    ),
    max_size=12,
)
# Local names that are easy to get wrong: "kgr://x" reads as an absolute IRI in JSON-LD.
tricky_locals = st.sampled_from(["", "//x", ":", "@type", "_:b", "%20", "x/", "é"])
named_nodes = st.builds(
    lambda ns, local: ox.NamedNode(ns + local),
    st.sampled_from(NAMESPACES),
    iri_text | tricky_locals,
)
blank_nodes = st.sampled_from([ox.BlankNode(f"b{i}") for i in range(6)])
# Literal text: anything Unicode allows in RDF (no surrogates), control characters included.
literal_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
literals = st.one_of(
    st.builds(ox.Literal, literal_text),
    st.builds(
        lambda text, lang: ox.Literal(text, language=lang),
        literal_text,
        st.sampled_from(["en", "fr", "hi", "en-gb", "zh-hant-tw"]),
    ),
    st.builds(
        lambda text, dt: ox.Literal(text, datatype=ox.NamedNode(dt)),
        literal_text,
        st.sampled_from(DATATYPES),
    ),
)
graph_names = st.one_of(
    st.just(ox.DefaultGraph()),
    st.sampled_from([ox.NamedNode("https://w3id.org/kg/graph/g1"), ox.NamedNode("urn:x-kg:g2")]),
)
quads = st.builds(
    ox.Quad,
    st.one_of(named_nodes, blank_nodes),
    named_nodes,
    st.one_of(named_nodes, blank_nodes, literals),
    graph_names,
)
datasets = st.lists(quads, max_size=25)


def isomorphic(a, b, as_triples: bool) -> bool:
    return canonical_quads(a, as_triples=as_triples) == canonical_quads(b, as_triples=as_triples)


@pytest.mark.parametrize("format_name", WRITE_FORMATS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph=datasets)
def test_every_export_format_round_trips(format_name, graph):
    data = serialize(graph, format_name)
    back = parse_bytes(data, format_name, f"export.{format_name}") if data.strip() else []
    assert isomorphic(back, graph, as_triples=not FORMATS[format_name].dataset)


@settings(max_examples=100, deadline=None)
@given(graph=datasets)
def test_serialization_does_not_depend_on_order_or_labels(graph):
    def relabel(q):
        def term(t):
            return ox.BlankNode("z" + t.value) if isinstance(t, ox.BlankNode) else t

        return ox.Quad(term(q.subject), q.predicate, term(q.object), term(q.graph_name))

    for format_name in WRITE_FORMATS:
        assert serialize(graph, format_name) == serialize(
            [relabel(q) for q in reversed(graph)], format_name
        )


SEEDS = [
    b"<http://e/a> <http://e/p> <http://e/b> .\n",
    b'@prefix e: <http://e/> .\ne:a e:p [ e:q ( 1 "x"@en ) ] .\n',
    b'{"@context": {"p": "http://e/p"}, "@id": "http://e/a", "p": [{"@value": "x"}]}',
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
    b'<rdf:Description rdf:about="http://e/a"><e:p>x</e:p></rdf:Description></rdf:RDF>',
    b"<http://e/g> { <http://e/a> <http://e/p> <http://e/b> . }\n",
]


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for position, delete, insert in edits:
        position %= len(data) + 1
        data = data[:position] + insert + data[position + delete :]
    return data


edits = st.lists(
    st.tuples(
        st.integers(0, 10_000),
        st.integers(0, 4),
        st.sampled_from(
            [
                b"",
                b"<",
                b">",
                b"{",
                b"[",
                b"(",
                b'"',
                b"\\",
                b"\x00",
                b"\xff",
                b"@",
                b"<!DOCTYPE x>",
                b"_:",
                b"^^",
                b"\n",
                b".",
                b"\\u0000",
            ]
        )
        | st.binary(max_size=4),
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(
    data=st.one_of(st.binary(max_size=300), st.builds(mutate, st.sampled_from(SEEDS), edits)),
    format_name=st.sampled_from(sorted(FORMATS)),
)
def test_any_bytes_give_quads_or_a_kg_error(data, format_name):
    with contextlib.suppress(KgError):
        parse_bytes(data, format_name, "fuzz")


SEED_FOLDERS = {"mini": (MINI / "seeds", MINI / "ontology"), "bundled": (ROOT / "seeds", None)}


@functools.cache
def ontology_graph(name: str):
    from kg.engine.validation import load_ontology

    return load_ontology(SEED_FOLDERS[name][1])


toml_edits = st.lists(
    st.tuples(
        st.integers(0, 10_000),
        st.integers(0, 6),
        st.sampled_from(
            [
                b"",
                b'"',
                b"=",
                b"[",
                b"]]",
                b"\n",
                b"[[node]]\n",
                b'id = "asha-rao"\n',
                b"2026-13-45",
                b"occurrence = 9",
                b'"kg:met" = "nobody"\n',
                b"\xff",
                b'quote = ""',
                b"type = 42\n",
                b"kg:",
            ]
        ),
    ),
    min_size=1,
    max_size=4,
)


@pytest.mark.parametrize("seed", sorted(SEED_FOLDERS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=toml_edits)
def test_mutated_facts_files_give_seeds_or_a_kg_error(seed, changes):
    from kg.facts.loader import load_seeds

    source = SEED_FOLDERS[seed][0]
    facts = next(source.glob("*.toml"))
    mutated = mutate(facts.read_bytes(), changes)
    assume(mutated != facts.read_bytes())
    folder = Path(tempfile.mkdtemp())
    try:
        shutil.copy(facts.with_suffix(".txt"), folder / facts.with_suffix(".txt").name)
        (folder / facts.name).write_bytes(mutated)
        try:
            load_seeds(folder, ontology_graph(seed))
        except KgError as err:
            assert str(err).strip()
    finally:
        shutil.rmtree(folder)
