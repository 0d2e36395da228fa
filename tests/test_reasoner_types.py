"""Nothing the reasoner would type escapes validation: a node with the ontology's
properties but no asserted class is refused by ``kg add`` (it would otherwise be typed
by ``rdfs:domain``/``rdfs:range`` and answered by queries as if validated)."""

from __future__ import annotations

import shutil

import pytest

from kg.add import add
from kg.engine.reasonertypes import typing_rules
from kg.engine.validation import load_ontology
from kg.errors import NotConformingError
from tests.conftest import run_kg

PREFIXES = """@prefix kg: <https://w3id.org/kg/ontology#> .
@prefix kgr: <https://w3id.org/kg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# One untyped node per class: what it says, the class the reasoner would give it,
# and the property that would.
CASES = {
    "term-in-office": (
        'kgr:x rdfs:label "Kallas as Prime Minister of India" ;'
        " kg:office kgr:office-prime-minister-india ; kg:officeHolder kgr:kaja-kallas .",
        "kgsh:Typed-subject-kg-office",
        "A node that has kg:office is a kg:TermInOffice to the reasoner: "
        "state that class (or a subclass), so that its shapes check it.",
    ),
    "signing": (
        'kgr:x rdfs:label "A signing" ; kg:signingDate "2026-01-27"^^xsd:date .',
        "kgsh:Typed-subject-kg-signingDate",
        "A node that has kg:signingDate is a kg:Signing to the reasoner: "
        "state that class (or a subclass), so that its shapes check it.",
    ),
    "remark": (
        'kgr:x rdfs:label "A remark" ; kg:speaker kgr:kaja-kallas .',
        "kgsh:Typed-subject-kg-speaker",
        "A node that has kg:speaker is a kg:Remark to the reasoner: "
        "state that class (or a subclass), so that its shapes check it.",
    ),
    "participation": (
        'kgr:x rdfs:label "A participation" ; kg:participant kgr:kaja-kallas .',
        "kgsh:Typed-subject-kg-participant",
        "A node that has kg:participant is a kg:Participation to the reasoner: "
        "state that class (or a subclass), so that its shapes check it.",
    ),
    "office (as a value)": (
        "kgr:term-modi-prime-minister kg:office kgr:x .",
        "kgsh:Typed-object-kg-office",
        "A node that is the value of kg:office is a kg:Office to the reasoner: "
        "state that class (or a subclass), so that its shapes check it.",
    ),
}


@pytest.fixture()
def store(seed_store, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(seed_store, copy)
    return copy


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_untyped_node_is_refused_with_the_class_to_state(store, tmp_path, case):
    text, shape, message = CASES[case]
    data = tmp_path / "untyped.ttl"
    data.write_text(PREFIXES + text, encoding="utf-8")
    with pytest.raises(NotConformingError) as refused:
        add([data], store=store)
    typed = [r for r in refused.value.report.results if r.source_shape == shape]
    assert [(r.severity, r.focus_node, r.message) for r in typed] == [
        ("Violation", "kgr:x", message)
    ]


def test_the_untyped_term_never_reaches_the_offices_query(store, tmp_path):
    data = tmp_path / "untyped.ttl"
    data.write_text(PREFIXES + CASES["term-in-office"][0], encoding="utf-8")
    before = run_kg("query", "offices", "--store", store, "--format", "csv").stdout
    result = run_kg("add", data, "--store", store)
    assert result.exit_code == 1
    assert (
        "Violation: kgr:x: A node that has kg:office is a kg:TermInOffice to the reasoner: "
        "state that class (or a subclass), so that its shapes check it. (value: kgr:x)"
    ) in result.stdout.splitlines()
    assert result.stderr == "kg: the data does not conform to the shapes; nothing was added\n"
    after = run_kg("query", "offices", "--store", store, "--format", "csv").stdout
    assert after == before
    assert "kaja-kallas" not in [
        line.split(",")[0].rsplit("/", 1)[-1]
        for line in after.splitlines()
        if "prime-minister-india" in line
    ]


def test_with_its_class_stated_the_node_is_checked_by_that_class_s_shapes(store, tmp_path):
    """Asserting the class the rule asks for brings in the class's own shapes."""
    data = tmp_path / "typed.ttl"
    data.write_text(
        PREFIXES + "kgr:x a kg:TermInOffice ; " + CASES["term-in-office"][0][6:], encoding="utf-8"
    )
    with pytest.raises(NotConformingError) as refused:
        add([data], store=store)
    shapes = {r.source_shape for r in refused.value.report.results if r.focus_node == "kgr:x"}
    assert not any(s.startswith("kgsh:Typed-") for s in shapes)
    assert "kgsh:EveryNode-evidence" in shapes  # now a term in office: it needs evidence


def test_the_rules_follow_the_reasoner_through_inverses_and_sub_properties():
    rules = {
        (p.rsplit("#", 1)[-1], side, c.rsplit("#", 1)[-1])
        for p, side, c in typing_rules(load_ontology())
    }
    assert ("office", "subject", "TermInOffice") in rules
    assert ("hasTerm", "object", "TermInOffice") in rules  # owl:inverseOf kg:officeHolder
    assert ("statedIn", "object", "TextSpan") in rules  # a sub-property of kg:evidence
