"""kg export: every format, named graphs kept in datasets, byte-identical output."""

from __future__ import annotations

import os
import subprocess
import sys

import pyoxigraph as ox
import pytest

from kg.export import export
from tests.conftest import ROOT, run_kg

GRAPHS = {
    "https://w3id.org/kg/graph/ontology",
    "https://w3id.org/kg/graph/seed-001_mini",
    "https://w3id.org/kg/graph/meta",
}


@pytest.mark.parametrize("format_name", ["turtle", "ntriples", "nquads", "trig", "jsonld"])
def test_every_format_round_trips(mini_store, format_name):
    from kg.rdf.io import FORMATS

    data = export(format=format_name, store=mini_store)
    quads = list(ox.parse(data, format=FORMATS[format_name].oxigraph))
    store = ox.Store.read_only(str(next(mini_store.glob("v-*"))))
    expected = {  # the named graphs: the default graph is their merge, never exported
        q
        for q in store
        if isinstance(q.graph_name, ox.NamedNode)
        and q.graph_name.value != "https://w3id.org/kg/graph/inferred"
    }
    if FORMATS[format_name].dataset:
        assert {q.graph_name.value for q in quads} == GRAPHS
        assert set(quads) == expected
    else:
        assert {q.triple for q in quads} == {q.triple for q in expected}


def test_with_inferred_adds_the_inferred_graph(mini_store):
    data = export(format="nquads", store=mini_store, inferred=True)
    assert b"<https://w3id.org/kg/graph/inferred>" in data
    assert b"<https://w3id.org/kg/graph/inferred>" not in export(format="nquads", store=mini_store)


def test_no_provenance_leaves_out_the_evidence(mini_store):
    data = export(format="ntriples", store=mini_store, provenance=False).decode()
    assert "/id/span." not in data
    assert "> <https://w3id.org/kg/ontology#statedIn> <" not in data
    assert '> <https://w3id.org/kg/ontology#fullText> "' not in data
    assert "<https://w3id.org/kg/id/asha-rao> <https://w3id.org/kg/ontology#met> " in data


def test_format_is_guessed_from_the_output_extension(mini_store, tmp_path):
    target = tmp_path / "graph.nq"
    result = run_kg("export", "--store", mini_store, "-o", target)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"wrote {target} ({target.stat().st_size} bytes)\n"
    assert target.read_bytes() == export(format="nquads", store=mini_store)


def test_turtle_on_stdout_with_readable_prefixes(mini_store):
    result = run_kg("export", "--store", mini_store)
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix kg: <https://w3id.org/kg/ontology#> .",
        "@prefix kgg: <https://w3id.org/kg/graph/> .",
        "@prefix kgr: <https://w3id.org/kg/id/> .",
    ]
    assert "kgr:asha-rao a kg:Person ;" in lines


def test_unknown_extension_is_a_usage_error(mini_store, tmp_path):
    result = run_kg("export", "--store", mini_store, "-o", tmp_path / "graph.xyz")
    assert result.exit_code == 2
    assert result.stderr == (
        f"kg: error: {tmp_path / 'graph.xyz'}: cannot tell the RDF format from the extension "
        "'.xyz'; use --format\n"
    )
    assert not (tmp_path / "graph.xyz").exists()


def test_blank_nodes_get_stable_labels(tmp_path):
    from kg.rdf.io import parse_bytes, serialize

    data = b"@prefix e: <http://e/> . e:a e:p [ e:q [ e:r 1 ] ] ; e:s ( 1 2 ) ."
    first = serialize(parse_bytes(data, "turtle"), "ntriples")
    again = serialize(reversed(parse_bytes(data, "turtle")), "ntriples")
    assert first == again
    assert b"_:c14n0" in first


@pytest.mark.slow
def test_export_is_byte_identical_across_processes_and_hash_seeds(mini_store):
    outputs = set()
    for seed in ("0", "1", "12345"):
        for format_name in ("turtle", "trig", "jsonld"):
            env = {**os.environ, "PYTHONHASHSEED": seed}
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "kg",
                    "export",
                    "--store",
                    str(mini_store),
                    "--format",
                    format_name,
                    "--with-inferred",
                ],
                env=env,
                cwd=ROOT,
                capture_output=True,
                check=True,
            )
            outputs.add((format_name, done.stdout))
    assert len(outputs) == 3
