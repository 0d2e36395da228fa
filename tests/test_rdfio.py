"""kg.rdf.io: bounded, staged parsing; deep and long inputs; atomic writing; stable labels."""

from __future__ import annotations

import contextlib
import os
import stat
import threading

import pyoxigraph as ox
import pytest

from kg.errors import InputError, UsageError
from kg.rdf.io import (
    WRITE_FORMATS,
    canonical_quads,
    format_for,
    max_input_bytes,
    parse_bytes,
    parse_file,
    predicate_order,
    read_input,
    serialize,
    serialize_sorted_ntriples,
    write_atomic,
)
from tests.conftest import MINI, run_kg

ONTOLOGY = MINI / "ontology"


def nested_blank_nodes(depth: int) -> bytes:
    return (
        "<http://e/a> <http://e/p> "
        + "[ <http://e/p> " * depth
        + "<http://e/z>"
        + " ]" * depth
        + " .\n"
    ).encode()


def nested_lists(depth: int) -> bytes:
    return (
        "<http://e/a> <http://e/p> " + "( " * depth + "<http://e/z>" + " )" * depth + " .\n"
    ).encode()


def same_graph(a, b) -> bool:
    return canonical_quads(a) == canonical_quads(b)


# --- long and deep inputs -------------------------------------------------------------


def test_a_10_mb_literal_parses():
    """rdflib needed 395 s for this line (quadratic); Oxigraph's lexer is linear."""
    size = 10 * 1024 * 1024
    quads = parse_bytes(b'<http://e/a> <http://e/p> "' + b"x" * size + b'" .\n', "ntriples")
    assert len(quads[0].object.value) == size


@pytest.mark.parametrize("make", [nested_blank_nodes, nested_lists], ids=["[ ]", "( )"])
def test_1000_levels_of_turtle_nesting_parse_and_write_in_every_format(make):
    quads = parse_bytes(make(1000), "turtle")
    for format_name in WRITE_FORMATS:
        data = serialize(quads, format_name)
        assert b"[ <http://e/p> [" not in data  # Oxigraph's writers do not nest
        assert same_graph(parse_bytes(data, format_name), quads)


def test_100000_nested_blank_nodes_parse():
    assert len(parse_bytes(nested_blank_nodes(100_000), "turtle")) == 100_001


@pytest.mark.parametrize("make", [nested_blank_nodes, nested_lists], ids=["[ ]", "( )"])
def test_deep_turtle_through_the_commands(tmp_path, mini_store, make):
    import shutil

    store = tmp_path / "store"
    shutil.copytree(mini_store, store)
    path = tmp_path / "deep.ttl"
    path.write_bytes(make(1000))
    assert run_kg("validate", path, "--ontology", ONTOLOGY).exit_code == 0
    result = run_kg("add", path, "--store", store, "--ontology", ONTOLOGY)
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "graph.nt"
    assert run_kg("export", "--store", store, "-o", out).exit_code == 0
    exported = parse_bytes(out.read_bytes(), "ntriples")
    assert len(exported) >= len(parse_bytes(make(1000), "turtle"))


# --- blank-node labels ----------------------------------------------------------------


def relabel(quads, prefix):
    def term(t):
        return ox.BlankNode(prefix + t.value) if isinstance(t, ox.BlankNode) else t

    return [
        ox.Quad(term(q.subject), q.predicate, term(q.object), term(q.graph_name)) for q in quads
    ]


@pytest.mark.parametrize(
    "data",
    [
        nested_blank_nodes(1000),  # RDFC-1.0 in Oxigraph: about 100 s
        nested_lists(1000),
        b"<http://e/a> <http://e/p> (" + b" 1" * 1000 + b") .\n",  # a list of equal values
        "".join(
            f"_:n{i} <http://e/p> _:n{j} .\n" for i in range(10) for j in range(10) if i != j
        ).encode(),  # ten blank nodes all linked: RDFC-1.0 takes minutes
    ],
    ids=["chain", "nested-lists", "equal-values", "clique"],
)
def test_look_alike_blank_nodes_get_stable_labels_quickly(data):
    quads = parse_bytes(data, "turtle")
    first = serialize(quads, "ntriples")
    assert serialize(reversed(relabel(quads, "other")), "ntriples") == first
    assert b"_:b0 " in first


def test_ordinary_blank_nodes_keep_their_rdfc_labels():
    quads = parse_bytes(b"@prefix e: <http://e/> . e:a e:p [ e:q 1 ], [ e:q 2 ] .", "turtle")
    assert serialize(quads, "ntriples") == (
        b"<http://e/a> <http://e/p> _:c14n0 .\n"
        b"<http://e/a> <http://e/p> _:c14n1 .\n"
        b'_:c14n0 <http://e/q> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        b'_:c14n1 <http://e/q> "2"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    )


# --- what is read ---------------------------------------------------------------------


# Literals whose escapes a hand-made writer could get wrong, in two graphs.
AWKWARD = (
    '<http://e/a> <http://e/p> "a\\"b\\\\c\\nd\\re\\tf\\u0001\\u007F\\uFFFE \\U0001F600 é"@en-us <http://e/g> .\n'
    '<http://e/a> <http://e/p> "x"^^<http://www.w3.org/2001/XMLSchema#string> .\n'
    "<http://e/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/C> <http://e/g> .\n"
    '<http://e/a> <http://e/p> "5"^^<http://www.w3.org/2001/XMLSchema#int> .\n'
    "<http://e/é%20x> <http://e/p> <http://e/b?c=\\u00e9> .\n"
).encode()


def _order(quad: ox.Quad) -> tuple:
    graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)
    return graph, str(quad.subject), predicate_order(quad.predicate.value), str(quad.object)


@pytest.mark.parametrize("format_name", ["ntriples", "nquads"])
def test_line_formats_are_written_as_oxigraph_writes_them(format_name):
    quads = parse_bytes(AWKWARD, "nquads")
    if format_name == "ntriples":
        triples = {ox.Quad(q.subject, q.predicate, q.object) for q in quads}
        expected = ox.serialize(
            [q.triple for q in sorted(triples, key=_order)], format=ox.RdfFormat.N_TRIPLES
        )
    else:
        expected = ox.serialize(sorted(quads, key=_order), format=ox.RdfFormat.N_QUADS)
    assert len(expected.splitlines()) == 5
    assert serialize(quads, format_name) == expected


def test_triples_known_as_lines_serialize_as_their_quads():
    quads = [q for q in parse_bytes(AWKWARD, "nquads") if isinstance(q.graph_name, ox.DefaultGraph)]
    lines = [f"{q.subject} {q.predicate} {q.object} .\n" for q in sorted(quads, key=_order)]
    iris = {"http://e/a", "http://e/p", "http://www.w3.org/2001/XMLSchema#int"}
    chunks = [line.encode() for line in lines]
    for format_name in WRITE_FORMATS:
        assert serialize_sorted_ntriples(chunks, iris, format_name) == serialize(quads, format_name)


def test_formats():
    assert format_for("x.jsonld", None).name == "jsonld"
    with pytest.raises(UsageError) as caught:
        format_for(None, "trix")
    assert str(caught.value) == "kg does not read TriX; convert it to TriG or N-Quads"
    with pytest.raises(UsageError) as caught:
        format_for(None, "rdfa")
    assert str(caught.value) == (
        "unknown RDF format 'rdfa' (known: jsonld, n3, nquads, ntriples, rdfxml, trig, turtle;"
        " TriX is not read)"
    )


@pytest.mark.parametrize(
    ("raw", "value"), [("1000", 1000), ("64K", 65536), ("2 MiB", 2097152), ("1g", 1 << 30)]
)
def test_the_size_limit_is_read_from_the_environment(monkeypatch, raw, value):
    monkeypatch.setenv("KG_MAX_INPUT_BYTES", raw)
    assert max_input_bytes() == value


def test_a_pipe_is_read_and_bounded(tmp_path, monkeypatch):
    fifo = tmp_path / "pipe.nt"
    os.mkfifo(fifo)
    line = b"<http://e/a> <http://e/p> <http://e/b> .\n"

    def writer(data: bytes) -> None:
        with contextlib.suppress(BrokenPipeError), open(fifo, "wb") as pipe:
            pipe.write(data)

    thread = threading.Thread(target=writer, args=(line,))
    thread.start()
    assert len(parse_file(fifo)) == 1
    thread.join()
    monkeypatch.setenv("KG_MAX_INPUT_BYTES", "100")
    thread = threading.Thread(target=writer, args=(line * 10,))
    thread.start()
    with pytest.raises(InputError) as caught:
        read_input(fifo)
    thread.join()
    assert str(caught.value) == (
        f"{fifo}: is more than 100 bytes, over the 100-byte input limit (raise KG_MAX_INPUT_BYTES)"
    )


def test_devices_are_refused():
    with pytest.raises(InputError) as caught:
        read_input("/dev/zero")
    assert str(caught.value) == "/dev/zero: is a device, not an RDF file"


def test_a_utf8_byte_order_mark_is_accepted():
    assert len(parse_bytes(b"\xef\xbb\xbf<http://e/a> <http://e/p> <http://e/b> .", "turtle")) == 1


def test_a_character_cut_at_the_end_is_not_utf8():
    with pytest.raises(InputError) as caught:
        parse_bytes(b'<http://e/a> <http://e/p> "caf\xc3', "ntriples", "cut.nt")
    assert str(caught.value) == "cut.nt:1: not UTF-8 (byte 30: the file ends inside a character)"


def test_base_direction_is_refused():
    with pytest.raises(InputError) as caught:
        parse_bytes(b'<http://e/a> <http://e/p> "x"@ar--rtl .', "ntriples", "dir.nt")
    assert str(caught.value) == (
        'dir.nt: the literal "x"@ar--rtl has a base direction (RDF 1.2),'
        " which kg does not support: drop the --ltr/--rtl"
    )


def test_a_failed_parse_returns_nothing():
    with pytest.raises(InputError):
        parse_bytes(b"<http://e/a> <http://e/p> <http://e/b> .\n<http://e/a> oops .\n", "turtle")


# --- what is written ------------------------------------------------------------------


def test_write_atomic_follows_a_symlink(tmp_path):
    real = tmp_path / "real.ttl"
    real.write_bytes(b"old")
    link = tmp_path / "link.ttl"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


def test_write_atomic_writes_to_a_device_instead_of_replacing_it():
    write_atomic("/dev/null", b"data")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_write_atomic_gives_the_usual_permissions(tmp_path):
    new = tmp_path / "new.ttl"
    umask = os.umask(0o022)
    try:
        write_atomic(new, b"x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    kept = tmp_path / "kept.ttl"
    kept.write_bytes(b"")
    kept.chmod(0o600)
    write_atomic(kept, b"x")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_write_atomic_refuses_a_folder(tmp_path):
    with pytest.raises(InputError) as caught:
        write_atomic(tmp_path, b"x")
    assert str(caught.value) == f"{tmp_path}: is a folder: name a file to write"
