"""kg stats: triples per graph, instances per class, facts per source."""

from __future__ import annotations

from kg.stats import stats
from tests.conftest import run_kg


def test_counts(mini_store):
    result = stats(store=mini_store)
    assert result.triples_per_graph == {
        "https://w3id.org/kg/graph/inferred": 6,
        "https://w3id.org/kg/graph/meta": 3,
        "https://w3id.org/kg/graph/ontology": 51,
        "https://w3id.org/kg/graph/seed-001_mini": 55,
    }
    assert result.instances_per_class == {
        "https://w3id.org/kg/ontology#TextSpan": 6,
        "https://w3id.org/kg/ontology#Agent": 3,
        "https://w3id.org/kg/ontology#Person": 2,
        "https://w3id.org/kg/ontology#Document": 1,
        "https://w3id.org/kg/ontology#Meeting": 1,
        "https://w3id.org/kg/ontology#State": 1,
    }
    assert result.facts_per_source == {"https://w3id.org/kg/id/wire-2026-05-03": 5}


def test_table(mini_store):
    result = run_kg("stats", "--store", mini_store)
    assert result.exit_code == 0
    assert result.stdout == (
        "triples per graph:\n"
        "  kgg:inferred             6\n"
        "  kgg:meta                 3\n"
        "  kgg:ontology            51\n"
        "  kgg:seed-001_mini       55\n"
        "instances per class:\n"
        "  kg:TextSpan        6\n"
        "  kg:Agent           3\n"
        "  kg:Person          2\n"
        "  kg:Document        1\n"
        "  kg:Meeting         1\n"
        "  kg:State           1\n"
        "facts per source:\n"
        "  kgr:wire-2026-05-03        5\n"
        # the mini fixture's facts file gives no value its own passage
        "statements about domain entities with their own evidence:\n"
        "  0 of 6 (0.0%)\n"
    )
