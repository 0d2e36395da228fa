"""kg add: new data joins the graph only if it conforms; each file its own named graph."""

from __future__ import annotations

import shutil

import pytest

from kg.add import add
from kg.errors import NotConformingError
from kg.query import query
from kg.store.versions import current_version
from tests.conftest import MINI, run_kg

ONTOLOGY = MINI / "ontology"


@pytest.fixture()
def store(mini_store, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(mini_store, copy)
    return copy


def test_conforming_data_is_added_as_its_own_graph(store):
    result = add([MINI / "valid.ttl"], store=store, ontology=ONTOLOGY)
    assert result.graphs == {"https://w3id.org/kg/graph/added-valid-" + _digest(): 9}
    rows = query(str(MINI / "queries" / "met-by.rq"), store=store).values()
    assert ("https://w3id.org/kg/id/asha-rao", "https://w3id.org/kg/id/cara-lim") in rows


def _digest() -> str:
    import hashlib

    return hashlib.sha256((MINI / "valid.ttl").read_bytes()).hexdigest()[:8]


def test_several_files_each_go_to_their_own_graph(store, tmp_path):
    """Each file's triples in its own graph (they all went to the last file's graph)."""
    import pyoxigraph as ox

    from kg.store.versions import open_store

    copy = tmp_path / "copy-of-valid.ttl"
    shutil.copy(MINI / "valid.ttl", copy)
    copy.write_text(copy.read_text(encoding="utf-8") + "\n# a copy\n", encoding="utf-8")
    result = add([MINI / "valid.ttl", copy], store=store, ontology=ONTOLOGY)
    assert sorted(result.graphs.values()) == [9, 9]
    oxstore = open_store(store)
    for name in result.graphs:
        assert len(list(oxstore.quads_for_pattern(None, None, None, ox.NamedNode(name)))) == 9


def test_adding_the_same_file_twice_replaces_it(store):
    add([MINI / "valid.ttl"], store=store, ontology=ONTOLOGY)
    add([MINI / "valid.ttl"], store=store, ontology=ONTOLOGY)
    stats = run_kg("stats", "--store", store, "--format", "json").stdout
    assert stats.count("added-valid-") == 1


def test_non_conforming_data_changes_nothing(store):
    before = current_version(store)
    with pytest.raises(NotConformingError):
        add([MINI / "invalid.ttl"], store=store, ontology=ONTOLOGY)
    assert current_version(store) == before


def test_cli_prints_the_report_and_exits_1(store):
    result = run_kg("add", MINI / "invalid.ttl", "--store", store, "--ontology", ONTOLOGY)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "does not conform: 3 violations, 0 warnings, 0 infos"
    assert result.stderr == "kg: the data does not conform to the shapes; nothing was added\n"


def test_cli_reports_what_it_added(store):
    result = run_kg("add", MINI / "valid.ttl", "--store", store, "--ontology", ONTOLOGY)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"added 9 triples as <https://w3id.org/kg/graph/added-valid-{_digest()}>",
        "8 triples inferred",
    ]


def test_meta_graph_records_where_and_when(store):
    add([MINI / "valid.ttl"], store=store, ontology=ONTOLOGY)
    exported = run_kg("export", "--store", store, "--format", "nquads").stdout
    meta = [
        line
        for line in exported.splitlines()
        if line.endswith("<https://w3id.org/kg/graph/meta> .") and "added-valid" in line
    ]
    predicates = sorted(line.split(" ")[1] for line in meta)
    assert predicates == [
        "<http://purl.org/dc/terms/source>",
        "<http://www.w3.org/ns/prov#generatedAtTime>",
        "<https://w3id.org/kg/ontology#sha256>",
    ]


INT_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<urn:shape> a sh:NodeShape ; sh:targetSubjectsOf <http://e/n> ;
  sh:property [ sh:path <http://e/n> ; sh:datatype xsd:int ] .
"""


def test_literals_the_store_rewrites_are_validated_as_written(store, tmp_path):
    """Oxigraph keeps "7"^^xsd:int as xsd:integer; sh:datatype xsd:int must still hold."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(INT_SHAPES)
    data = tmp_path / "counts.ttl"
    data.write_text('<http://e/a> <http://e/n> "7"^^<http://www.w3.org/2001/XMLSchema#int> .\n')
    result = add([data], store=store, ontology=ONTOLOGY, shapes=shapes)
    assert list(result.graphs.values()) == [1]
    wrong = tmp_path / "wrong.ttl"
    wrong.write_text('<http://e/b> <http://e/n> "7" .\n')
    with pytest.raises(NotConformingError):
        add([wrong], store=store, ontology=ONTOLOGY, shapes=shapes)


def _person(tmp_path, name: str):
    path = tmp_path / f"{name}.ttl"
    path.write_text(
        "@prefix kg: <https://w3id.org/kg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<https://w3id.org/kg/id/{name}> a kg:Person ; rdfs:label "{name}" .\n'
    )
    return path


def _graph_contents(store) -> dict[str, list[str]]:
    """Each added graph's triples, and its kgg:meta records, as N-Quads lines."""
    lines = run_kg("export", "--store", store, "--format", "nquads").stdout.splitlines()
    contents: dict[str, list[str]] = {}
    for line in lines:
        graph = line.rsplit(" ", 2)[-2]
        subject = line.split(" ")[0]
        for name in (graph, subject):
            if "/graph/added-" in name:
                contents.setdefault(name, []).append(line)
    return {name: sorted(found) for name, found in contents.items()}


def test_several_files_each_land_in_their_own_graph(store, tmp_path):
    """Today every file's triples went into the last file's graph."""
    files = [_person(tmp_path, name) for name in ("ann", "bob", "cy")]
    result = add(files, store=store, ontology=ONTOLOGY)
    assert list(result.graphs.values()) == [2, 2, 2]
    before = _graph_contents(store)
    assert len(before) == 3
    for file in files:
        (name,) = [g for g in before if f"added-{file.stem}-" in g]
        triples = [line for line in before[name] if line.endswith(f"{name} .")]
        assert len(triples) == 2
        assert all(f"/id/{file.stem}>" in line for line in triples)
    add([files[1]], store=store, ontology=ONTOLOGY)  # again: the others stay as they were
    after = _graph_contents(store)
    for name in before:
        if "added-bob-" not in name:
            assert after[name] == before[name]
    (bob,) = [g for g in after if "added-bob-" in g]
    assert [line for line in after[bob] if line.endswith(f"{bob} .")] == [
        line for line in before[bob] if line.endswith(f"{bob} .")
    ]
