"""The benchmark suite: its data generator, and a smoke run at 1k (no timed assertions)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from benchmarks.generate import KG, generate, parse_size

ROOT = Path(__file__).resolve().parent.parent


def test_generator_is_deterministic():
    first = generate(1000, seed=7)
    again = generate(1000, seed=7)
    assert first.ntriples == again.ntriples
    assert first.expected == again.expected
    assert generate(1000, seed=8).ntriples != first.ntriples


def test_generator_reaches_the_size_in_whole_stories():
    data = generate(10_000, seed=0, violations=0)
    assert data.triples == len(data.ntriples.splitlines())
    assert 10_000 <= data.triples < 10_000 + 250  # one story is about 200 triples
    assert data.expected == []
    quads = list(ox.parse(data.ntriples.encode(), format=ox.RdfFormat.N_TRIPLES))
    assert len(set(quads)) == data.triples  # no duplicates


def test_parse_size():
    assert [parse_size(s) for s in ("1k", "10k", "100k", "1M", "2500", "2.5k")] == [
        1000,
        10_000,
        100_000,
        1_000_000,
        2500,
        2500,
    ]


def test_span_offsets_are_the_text_at_those_offsets():
    data = generate(3000, seed=2, violations=0)
    store = ox.Store()
    store.bulk_extend(ox.parse(data.ntriples.encode(), format=ox.RdfFormat.N_TRIPLES))
    rows = list(
        store.query(
            f"""SELECT ?exact ?start ?end ?text WHERE {{
                ?span a <{KG}TextSpan> ; <{KG}exact> ?exact ; <{KG}start> ?start ;
                      <{KG}end> ?end ; <{KG}inDocument>/<{KG}fullText> ?text }}"""
        )
    )
    assert len(rows) > 100
    non_ascii = 0
    for exact, start, end, text in rows:
        assert text.value[int(start.value) : int(end.value)] == exact.value
        non_ascii += not exact.value.isascii()
    assert non_ascii > 0  # offsets are code points, not bytes: checked on names like Müller


def _violations(path: Path) -> tuple[int, list[tuple[str, str, str]], set[str]]:
    done = subprocess.run(
        [sys.executable, "-m", "kg", "validate", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    report = json.loads(done.stdout)
    found = sorted(
        (r["focus_node"], r["path"], r["constraint"])
        for r in report["results"]
        if r["severity"] == "Violation"
    )
    severities = {r["severity"] for r in report["results"]}
    return done.returncode, found, severities


def test_valid_data_conforms(tmp_path):
    path = generate(1000, seed=0, violations=0).write(tmp_path / "valid.nt")
    code, found, severities = _violations(path)
    assert (code, found) == (0, [])
    assert severities == {"Info"}  # only "no Wikidata link" for states, blocs, officials


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 3, 11])
def test_seeded_violations_are_exactly_what_kg_validate_finds(tmp_path, seed):
    data = generate(1000, seed=seed, violations=0.3)
    path = data.write(tmp_path / "data.nt")
    code, found, _ = _violations(path)
    expected = sorted((e.focus_node, e.path, e.constraint) for e in data.expected)
    assert code == 1
    assert found == expected


def test_seeded_violations_cover_every_kind():
    kinds = set()
    for seed in range(6):
        kinds |= {e.kind for e in generate(1000, seed=seed, violations=0.3).expected}
    assert kinds == {
        "signature without signatory",
        "quote does not match the text",
        "adoption date not a date",
        "signed after its source",
        "office with a handle",
        "Wikidata link not an entity IRI",
        "term in office with a stray property",
        "node without label",
        "remark made in two documents",
        "remark made in a state",
    }


def test_default_fraction_is_about_one_percent():
    data = generate(100_000, seed=0)
    nodes = data.ntriples.count("/1999/02/22-rdf-syntax-ns#type>")
    assert 0.002 < len(data.expected) / nodes < 0.02


@pytest.mark.slow
def test_suite_smoke_run_at_1k(tmp_path):
    """``python -m benchmarks --sizes 1k`` runs every job, and both paths agree."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--sizes", "1k", "--repeats", "1"]
        + ["--work", str(tmp_path / "work"), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads((tmp_path / "out" / "latest.json").read_text())
    rows = {(r["job"], r["size"]): r for r in document["rows"]}
    assert sorted(rows) == [
        ("add", "1k"),
        ("add-delta", "1k"),
        ("export", "1k"),
        ("query", "1k"),
        ("reason", "1k"),
        ("seed-query", "seed"),
        ("validate", "1k"),
    ]
    for row in rows.values():
        assert row["note"] == ""
        assert row["kg_seconds"] > 0 and row["raw_seconds"] > 0
        assert row["kg_mb"] > 0 and row["raw_mb"] > 0
    checked = [("seed-query", "seed"), ("validate", "1k"), ("reason", "1k"), ("query", "1k")]
    assert [rows[key]["same"] for key in checked] == [True] * 4
    assert document["machine"]["cores"] >= 1
    assert done.stdout.splitlines()[0].split() == [
        "job",
        "size",
        "triples",
        "kg",
        "s",
        "raw",
        "s",
        "ratio",
        "kg",
        "MB",
        "raw",
        "MB",
        "same",
    ]
