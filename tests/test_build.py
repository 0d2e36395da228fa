"""kg build: facts + ontology → validated, reasoned, stored; failures keep the old build."""

from __future__ import annotations

import shutil

import pytest

from kg.build import build
from kg.errors import FactsError, NotConformingError
from kg.store.versions import current_version
from tests.conftest import MINI, run_kg


def test_build_reports_what_it_did(tmp_path):
    result = build(store=tmp_path / "s", seeds=MINI / "seeds", ontology=MINI / "ontology")
    assert (result.facts, result.sources) == (5, 1)
    assert result.graphs == {
        "https://w3id.org/kg/graph/ontology": 51,
        "https://w3id.org/kg/graph/seed-001_mini": 55,
        "https://w3id.org/kg/graph/inferred": 6,
        "https://w3id.org/kg/graph/meta": 3,
    }
    assert (result.asserted_triples, result.inferred_triples) == (106, 6)


def test_cli_build_prints_a_summary_to_stderr(tmp_path):
    result = run_kg(
        "build",
        "--store",
        tmp_path / "s",
        "--seeds",
        MINI / "seeds",
        "--ontology",
        MINI / "ontology",
    )
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"built {tmp_path / 's'}/: 106 triples asserted, 6 inferred, 5 facts from 1 source in "
    )


def test_store_location_comes_from_the_environment(tmp_path):
    result = run_kg(
        "build",
        "--seeds",
        MINI / "seeds",
        "--ontology",
        MINI / "ontology",
        env={"KG_STORE": str(tmp_path / "env-store")},
    )
    assert result.exit_code == 0
    assert current_version(tmp_path / "env-store") is not None


def test_a_failed_build_keeps_the_previous_one(tmp_path):
    store = tmp_path / "s"
    build(store=store, seeds=MINI / "seeds", ontology=MINI / "ontology")
    before = current_version(store)
    seeds = tmp_path / "seeds"
    shutil.copytree(MINI / "seeds", seeds)
    facts = seeds / "001_mini.toml"
    facts.write_text(
        facts.read_text().replace(
            '"kg:participant" = ["asha-rao", "ben-ott"]', '"kg:participant" = ["asha-rao"]'
        )
    )
    with pytest.raises(NotConformingError) as caught:
        build(store=store, seeds=seeds, ontology=MINI / "ontology")
    assert [r.line() for r in caught.value.report.results] == [
        "Violation: kgr:rao-ott-meeting kg:participant: "
        "A meeting needs at least two participants who are agents."
    ]
    assert current_version(store) == before


def test_cli_build_refuses_seeds_that_violate_the_shapes(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(MINI / "seeds", seeds)
    facts = seeds / "001_mini.toml"
    facts.write_text(
        facts.read_text().replace(
            '"kg:participant" = ["asha-rao", "ben-ott"]', '"kg:participant" = ["asha-rao"]'
        )
    )
    result = run_kg(
        "build", "--store", tmp_path / "s", "--seeds", seeds, "--ontology", MINI / "ontology"
    )
    assert result.exit_code == 1
    assert result.stdout == (
        "Violation: kgr:rao-ott-meeting kg:participant: A meeting needs at least two "
        "participants who are agents.\ndoes not conform: 1 violation, 0 warnings, 0 infos\n"
    )
    assert result.stderr == (
        "kg: the seeds do not conform to the shapes (1 violation); "
        "the previous build is unchanged\n"
    )
    assert not (tmp_path / "s").exists() or current_version(tmp_path / "s") is None


def test_cli_build_reports_every_facts_problem_and_exits_2(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(MINI / "seeds", seeds)
    facts = seeds / "001_mini.toml"
    facts.write_text(
        facts.read_text()
        .replace("Minister Asha Rao", "Minister A. Rao")
        .replace('"2026-05-03"', '"2026-02-30"')
    )
    result = run_kg(
        "build", "--store", tmp_path / "s", "--seeds", seeds, "--ontology", MINI / "ontology"
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"kg: error: {facts}: node 'asha-rao': quote 'Minister A. Rao' not found in the text\n"
        f"kg: error: {facts}: node 'rao-ott-meeting': kg:meetingDate: '2026-02-30' "
        "is not a valid xsd:date\n"
    )


def test_facts_errors_are_raised_by_the_api(tmp_path):
    (tmp_path / "seeds").mkdir()
    with pytest.raises(FactsError) as caught:
        build(store=tmp_path / "s", seeds=tmp_path / "seeds", ontology=MINI / "ontology")
    assert str(caught.value) == f"{tmp_path / 'seeds'}: no facts files (*.toml) found"
