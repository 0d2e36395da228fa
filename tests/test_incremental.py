"""kg add validates only the focus nodes new data can affect (kg/engine/shacl/focus.py):
for random deltas, clean and with violations, including changes to nodes the base
already holds, the incremental results are those of a full validation of the combined
graph, result for result: the full results of the affected nodes are exactly the
incremental ones, and every other node's results are the base's."""

from __future__ import annotations

import random
import shutil

import pyoxigraph as ox
import pytest

from benchmarks.generate import generate
from kg.engine.shacl.compile import compile_shapes
from kg.engine.shacl.focus import affected_nodes, reach
from kg.engine.validation import (
    _term_text,
    load_ontology,
    load_shapes,
    validate_graph,
    with_typing_shapes,
)
from kg.rdf.io import from_rdflib_term, to_rdflib_term
from kg.store.memory import memory_store
from tests.conftest import new_story

XSD = "http://www.w3.org/2001/XMLSchema#"
DCTERMS_ISSUED = "http://purl.org/dc/terms/issued"
KG = "https://w3id.org/kg/ontology#"


def parse(text: str) -> list:
    return list(ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES))


def mutations(base: list, rng: random.Random) -> list:
    """Changes to nodes the base holds: a second issue date on an article, a signing
    dated after its source, a stray property on a term, an untyped node naming a person."""
    by_predicate: dict[str, list] = {}
    for quad in base:
        by_predicate.setdefault(quad.predicate.value, []).append(quad)
    out = []
    for quad in rng.sample(by_predicate[DCTERMS_ISSUED], 2):
        date = rng.choice(["1999-01-01", "2099-12-31"])
        out.append(
            ox.Quad(
                quad.subject, quad.predicate, ox.Literal(date, datatype=ox.NamedNode(XSD + "date"))
            )
        )
    for quad in rng.sample(by_predicate[KG + "signingDate"], 1):
        out.append(
            ox.Quad(
                quad.subject,
                quad.predicate,
                ox.Literal("2099-12-31", datatype=ox.NamedNode(XSD + "date")),
            )
        )
    term = rng.choice(by_predicate[KG + "officeHolder"])
    out.append(ox.Quad(term.subject, ox.NamedNode(KG + "party"), term.object))
    out.append(
        ox.Quad(
            ox.NamedNode("https://w3id.org/kg/id/untyped"),
            ox.NamedNode(KG + "officeHolder"),
            term.object,
        )
    )
    return out


def deltas(seed: int, base: list) -> dict[str, list]:
    rng = random.Random(seed)
    return {
        "clean story": parse(generate(300, seed=seed + 100, violations=0).ntriples),
        "story with violations": parse(generate(300, seed=seed + 200, violations=0.3).ntriples),
        "changes to existing nodes": mutations(base, rng),
    }


SHAPES = None


def validate(quads, delta=None):
    global SHAPES
    if SHAPES is None:
        SHAPES = load_shapes(None)[0], load_ontology()
    shapes, ontology = SHAPES
    store = memory_store(quads)
    return validate_graph(store, shapes, ontology, delta=delta).results


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    "kind", ["clean story", "story with violations", "changes to existing nodes"]
)
def test_incremental_validation_equals_full_validation(seed, kind):
    base = parse(generate(1500, seed=seed, violations=0).ntriples)
    delta = deltas(seed, base)[kind]
    combined = base + delta
    full = validate(combined)
    incremental = validate(combined, delta=lambda: iter(delta))
    store = memory_store(combined)
    shapes, ontology = SHAPES
    plan = compile_shapes(with_typing_shapes(shapes, ontology))
    affected = {
        _term_text(None, to_rdflib_term(n)) for n in affected_nodes(store, delta, reach(plan) - 1)
    }
    assert sorted(r for r in full if r.focus_node in affected) == sorted(incremental)
    unaffected = sorted(r for r in validate(base) if r.focus_node not in affected)
    assert sorted(r for r in full if r.focus_node not in affected) == unaffected
    if kind != "clean story":
        assert any(r.severity == "Violation" for r in incremental)
    if kind == "changes to existing nodes":  # a few triples reach a small part of the graph
        assert len(affected) < len({q.subject for q in combined}) / 4


def test_kg_add_reports_a_second_issue_date_on_an_existing_article(seed_store, tmp_path):
    from tests.conftest import run_kg

    store = tmp_path / "store"
    shutil.copytree(seed_store, store)
    data = tmp_path / "second-date.ttl"
    data.write_text(
        "<https://w3id.org/kg/id/ani-2026-01-27-eu-india-security-defence-partnership> "
        f'<{DCTERMS_ISSUED}> "2025-01-01"^^<{XSD}date> .\n'
    )
    result = run_kg("add", data, "--store", store)
    assert result.exit_code == 1
    assert any(
        "ani-2026-01-27" in line and "dcterms:issued" in line and line.startswith("Violation")
        for line in result.stdout.splitlines()
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    "kind", ["clean story", "story with violations", "changes to existing nodes"]
)
def test_incremental_reasoning_equals_full_reasoning(seed, kind):
    from kg.engine.reasoning import closure, incremental_closure

    ontology = load_ontology()
    base = parse(generate(1500, seed=seed, violations=0).ntriples)
    delta = deltas(seed, base)[kind]
    before = closure(memory_store(base), ontology).triples
    full = set(closure(memory_store(base + delta), ontology).triples)
    change = incremental_closure(memory_store(base + delta), built(before), delta, ontology)
    assert change is not None
    added, dropped = change
    assert (set(before) - dropped) | added == full
    assert added and not added & set(before)
    assert len(added) < len(full) / 2 or kind != "changes to existing nodes"


def built(inferred: list):
    """A store holding ``inferred`` in kgg:inferred, as kg build and kg add leave it."""
    from kg.rdf.io import from_rdflib_triples
    from kg.rdf.namespaces import GRAPH_INFERRED

    store = ox.Store()
    store.extend(from_rdflib_triples(inferred, GRAPH_INFERRED))
    return store


def test_incremental_reasoning_follows_transitive_properties():
    """A new kg:concludedBefore link joins two chains the base already holds."""
    from kg.engine.reasoning import closure, incremental_closure

    ontology = load_ontology()
    kgr = "https://w3id.org/kg/id/"
    before_ = ox.NamedNode(KG + "concludedBefore")
    chain = [ox.NamedNode(kgr + f"f{i}") for i in range(6)]
    base = [ox.Quad(a, before_, b) for a, b in zip(chain[:2], chain[1:3], strict=True)]
    base += [ox.Quad(a, before_, b) for a, b in zip(chain[3:5], chain[4:6], strict=True)]
    delta = [ox.Quad(chain[2], before_, chain[3])]
    old = closure(memory_store(base), ontology).triples
    full = set(closure(memory_store(base + delta), ontology).triples)
    added, dropped = incremental_closure(memory_store(base + delta), built(old), delta, ontology)
    assert (set(old) - dropped) | added == full
    assert (to_rdflib_term(chain[0]), to_rdflib_term(before_), to_rdflib_term(chain[5])) in full


def test_kg_add_stores_the_inferences_a_full_closure_gives(seed_store, tmp_path):
    from kg.add import add
    from kg.engine.reasoning import closure
    from kg.rdf.namespaces import GRAPH_INFERRED
    from kg.store.memory import asserted_from_store
    from kg.store.versions import open_store

    store = tmp_path / "store"
    shutil.copytree(seed_store, store)
    data = tmp_path / "story.nt"
    data.write_text(new_story(400, seed=9))
    add([data], store=store)
    stored = {
        tuple(to_rdflib_term(t) for t in (q.subject, q.predicate, q.object))
        for q in open_store(store).quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_INFERRED))
    }
    assert stored == set(closure(asserted_from_store(store), load_ontology()).triples)


def test_an_inference_the_delta_asserts_is_dropped_from_the_inferences():
    from kg.engine.reasoning import closure, incremental_closure

    ontology = load_ontology()
    base = parse(generate(1500, seed=4, violations=0).ntriples)
    before = closure(memory_store(base), ontology).triples
    inferred_type = next(t for t in before if str(t[1]).endswith("#type"))
    delta = [ox.Quad(*(from_rdflib_term(t) for t in inferred_type))]
    full = set(closure(memory_store(base + delta), ontology).triples)
    added, dropped = incremental_closure(memory_store(base + delta), built(before), delta, ontology)
    assert dropped == {inferred_type} and inferred_type not in full
    assert (set(before) - dropped) | added == full


@pytest.mark.parametrize("seed", [3, 11])
def test_kg_add_in_place_writes_the_store_a_full_add_writes(seed_store, tmp_path, seed):
    """kg add with the bundled shapes validates and reasons in a checkpoint of the store
    and writes only the change; with user shapes (the same file) it validates the whole
    graph in memory, reasons from scratch and rewrites every quad. Both must leave the
    same quads, the merged default graph and the inferences included; the new data
    repeats triples the seed states and asserts some of its inferences."""
    from kg.add import add
    from kg.rdf.namespaces import GRAPH_INFERRED, GRAPH_META
    from kg.rdf.resources import shapes_file
    from kg.store.versions import open_store

    rng = random.Random(seed)
    stated = [q for q in open_store(seed_store) if q.graph_name == ox.DefaultGraph()]
    inferred = list(
        open_store(seed_store).quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_INFERRED))
    )
    text = new_story(300, seed=seed)
    # inferred types only: an inferred super-property would break the closed shapes
    types = [q for q in inferred if q.predicate.value.endswith("#type")]
    again = rng.sample(stated, 20) + rng.sample(types, 20)
    text += "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in again)
    data = tmp_path / "story.nt"
    data.write_text(text, encoding="utf-8")
    in_place, rewritten = tmp_path / "in-place", tmp_path / "rewritten"
    shutil.copytree(seed_store, in_place)
    shutil.copytree(seed_store, rewritten)
    first = add([data], store=in_place)
    second = add([data], store=rewritten, shapes=shapes_file())
    assert first.graphs == second.graphs and first.inferred_triples == second.inferred_triples

    def quads(root):  # the time each file came differs
        when = ox.NamedNode("http://www.w3.org/ns/prov#generatedAtTime")
        return {q for q in open_store(root) if q.predicate != when}

    assert quads(in_place) == quads(rewritten)
    meta = ox.NamedNode(GRAPH_META)
    assert len(list(open_store(in_place).quads_for_pattern(None, None, None, meta))) == len(
        list(open_store(rewritten).quads_for_pattern(None, None, None, meta))
    )
