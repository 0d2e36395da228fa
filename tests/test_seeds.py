"""The facts loader: quotes become spans with exact offsets; every problem is reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg.errors import FactsError
from kg.facts.loader import find_quote, load_seeds
from tests.conftest import MINI, ROOT

KG = "https://w3id.org/kg/ontology#"
ID = "https://w3id.org/kg/id/"


@pytest.fixture()
def mini_ontology() -> Graph:
    return Graph().parse(MINI / "ontology" / "kg.ttl")


@pytest.fixture()
def seeds_copy(tmp_path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(MINI / "seeds", target)
    return target


def test_quote_offsets_are_code_points_end_exclusive():
    text = "“Déjà vu” – EU"
    assert find_quote(text, "EU", None) == (12, 14)
    assert text[12:14] == "EU"


def test_ambiguous_quote_needs_an_occurrence():
    assert find_quote("a a", "a", None) == "occurs 2 times; add occurrence = N to say which"
    assert find_quote("a a", "a", 3) == "occurrence 3 asked, but it occurs 2 time(s)"
    assert find_quote("a a", "b", None) == "not found in the text"


def test_spans_hold_the_exact_text_at_their_offsets(seeds_copy, mini_ontology):
    (seed,) = load_seeds(seeds_copy, mini_ontology)
    text = seed.text_path.read_text(encoding="utf-8")
    graph = Graph()
    for triple in seed.triples:
        graph.add(triple)
    spans = list(graph.subjects(URIRef(KG + "exact"), None))
    assert len(spans) == 6
    for span in spans:
        start = int(graph.value(span, URIRef(KG + "start")))
        end = int(graph.value(span, URIRef(KG + "end")))
        assert text[start:end] == str(graph.value(span, URIRef(KG + "exact")))
    # the second "Rao" (occurrence = 2) is the one that opens the second sentence
    assert (
        URIRef(ID + "rao-ott-meeting"),
        URIRef(KG + "statedIn"),
        URIRef(ID + "span.wire-2026-05-03.82-85"),
    ) in graph


def test_values_are_typed_by_the_ontology(seeds_copy, mini_ontology):
    (seed,) = load_seeds(seeds_copy, mini_ontology)
    meeting = URIRef(ID + "rao-ott-meeting")
    values = {(p, o) for s, p, o in seed.triples if s == meeting}
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert (
        URIRef(KG + "meetingDate"),
        Literal("2026-05-03", datatype=URIRef(xsd + "date")),
    ) in values
    assert (URIRef(KG + "participant"), URIRef(ID + "ben-ott")) in values


def test_all_problems_of_a_file_are_reported_together(seeds_copy, mini_ontology):
    facts = seeds_copy / "001_mini.toml"
    facts.write_text(
        facts.read_text(encoding="utf-8")
        .replace('quote = "Chancellor Ben Ott"', 'quote = "Chancellor Ben Otto"')
        .replace('"kg:meetingDate" = "2026-05-03"', '"kg:meetingDate" = "2026-13-45"')
        .replace('"kg:represents" = "freedonia"', '"kg:represents" = "atlantis"')
        .replace('id = "freedonia"', 'id = "asha-rao"'),
        encoding="utf-8",
    )
    with pytest.raises(FactsError) as caught:
        load_seeds(seeds_copy, mini_ontology)
    where = str(facts)
    assert caught.value.problems == [
        f"{where}: node 'asha-rao': duplicate id in this file",
        f"{where}: node 'ben-ott': quote 'Chancellor Ben Otto' not found in the text",
        f"{where}: node 'ben-ott': kg:represents: unknown node kgr:atlantis: no facts file declares it",
        f"{where}: node 'rao-ott-meeting': kg:meetingDate: '2026-13-45' is not a valid xsd:date",
    ]


def test_unknown_class_property_and_missing_quote(seeds_copy, mini_ontology):
    facts = seeds_copy / "001_mini.toml"
    facts.write_text(
        facts.read_text(encoding="utf-8")
        .replace('type = "State"', 'type = "Country"')
        .replace('"kg:met" = "ben-ott"', '"kg:greeted" = "ben-ott"')
        .replace('quote = "Freedonia"\n', ""),
        encoding="utf-8",
    )
    with pytest.raises(FactsError) as caught:
        load_seeds(seeds_copy, mini_ontology)
    where = str(facts)
    assert caught.value.problems == [
        f"{where}: node 'asha-rao': unknown property 'kg:greeted': the ontology does not declare it",
        f"{where}: node 'freedonia': unknown class 'Country': the ontology does not declare it",
        f"{where}: node 'freedonia': has no quote: every node needs the passage that supports it",
    ]


def test_a_missing_text_and_bad_toml_are_reported(tmp_path, mini_ontology):
    (tmp_path / "a.toml").write_text('[source]\nid = "a"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text("[source\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("text", encoding="utf-8")
    with pytest.raises(FactsError) as caught:
        load_seeds(tmp_path, mini_ontology)
    assert (
        caught.value.problems[0]
        == f"{tmp_path / 'a.toml'}: the text file a.txt is missing beside it"
    )
    assert caught.value.problems[1].startswith(f"{tmp_path / 'b.toml'}: not valid TOML: ")


def test_the_bundled_seed_text_is_the_shared_article_byte_for_byte():
    import hashlib

    data = (ROOT / "seeds" / "000_74f78cd287be197f.txt").read_bytes()
    assert len(data) == 4938
    digest = "acb8253405d2874acb33b58e5220b089ea01007fa5a7d11bc6817683b0806ac0"
    assert hashlib.sha256(data).hexdigest() == digest


def test_the_documented_example_loads_beside_the_bundled_seed(tmp_path):
    """docs/facts-format.md's example: its quotes, classes, properties and references hold."""
    text = (ROOT / "docs" / "facts-format.md").read_text(encoding="utf-8")
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    (seeds / "zz_example.toml").write_text(example, encoding="utf-8")
    shutil.copy(seeds / "000_74f78cd287be197f.txt", seeds / "zz_example.txt")
    ontology = Graph().parse(ROOT / "ontology" / "kg.ttl")
    loaded = load_seeds(seeds, ontology)
    assert [seed.name for seed in loaded] == ["000_74f78cd287be197f", "zz_example"]
    assert loaded[1].node_ids == [
        "ani-2026-01-27-eu-india-security-defence-partnership",
        "kaja-kallas",
        "ursula-von-der-leyen",
        "kallas-signing-account",
    ]
