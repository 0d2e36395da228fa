"""Statement-level evidence: a property value carries its own passages, recorded as a
claim (standard RDF reification) of its source, checked by the loader and the shapes."""

from __future__ import annotations

import random
import re
import tomllib
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef

from kg.errors import FactsError
from kg.facts.loader import load_seeds, statement_iri
from tests.conftest import ROOT, run_kg

KG = "https://w3id.org/kg/ontology#"
ID = "https://w3id.org/kg/id/"
TEXT = (
    "Brussels, 3 February (Wire): India and the European Union signed a pact on"
    " maritime security. It is the EU's third such pact in Asia.\n"
)
SOURCE = (
    '[source]\nid = "wire"\ntype = "NewsArticle"\nlabel = "Wire, 3 February 2026"\n'
    'quote = "Brussels, 3 February (Wire)"\n'
)
PACT = (
    '[[node]]\nid = "pact"\ntype = "SecurityDefencePartnership"\nlabel = "the pact"\n'
    'quote = "signed a pact"\n'
)
STATES = (
    '[[node]]\nid = "india"\ntype = "State"\nlabel = "India"\nquote = "India"\n\n'
    '[[node]]\nid = "european-union"\ntype = "Bloc"\nlabel = "European Union"\n'
    'quote = "the European Union"\n'
)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    from kg.engine.validation import load_ontology

    return load_ontology(None)


def seed(tmp_path: Path, pact_values: str, text: str = TEXT) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir(exist_ok=True)
    (folder / "001_wire.txt").write_text(text, encoding="utf-8")
    (folder / "001_wire.toml").write_text(
        f"{SOURCE}\n{STATES}\n{PACT}{pact_values}\n", encoding="utf-8"
    )
    return folder


def graph_of(folder: Path, ontology: Graph) -> Graph:
    graph = Graph()
    for loaded in load_seeds(folder, ontology):
        for triple in loaded.triples:
            graph.add(triple)
    return graph


def test_a_value_with_its_own_quote_is_a_claim_with_a_span(tmp_path, ontology):
    folder = seed(
        tmp_path,
        '"kg:party" = [\n'
        '  { value = "india", quote = "India and the European Union signed" },\n'
        '  { value = "european-union", quote = ["the European Union", "the EU’s"] },\n'
        "]\n"
        '"kg:asianPartnerOrdinal" = { value = 3, quote = "third such pact in Asia",'
        " implied = true }\n",
        TEXT.replace("EU's", "EU’s"),
    )
    graph = graph_of(folder, ontology)
    pact, party = URIRef(ID + "pact"), URIRef(KG + "party")
    india = URIRef(ID + "india")
    assert (pact, party, india) in graph
    claim = statement_iri("wire", (pact, party, india))
    assert (claim, RDF.type, RDF.Statement) in graph
    assert (claim, RDF.subject, pact) in graph
    assert (claim, RDF.predicate, party) in graph
    assert (claim, RDF.object, india) in graph
    (span,) = graph.objects(claim, URIRef(KG + "statedIn"))
    start, end = (int(graph.value(span, URIRef(KG + k))) for k in ("start", "end"))
    assert (
        TEXT[start:end]
        == "India and the European Union signed"
        == str(graph.value(span, URIRef(KG + "exact")))
    )
    eu_claim = statement_iri("wire", (pact, party, URIRef(ID + "european-union")))
    assert len(set(graph.objects(eu_claim, URIRef(KG + "statedIn")))) == 2
    # implied = true on the value: the claim is implied by its passage
    ordinal = (pact, URIRef(KG + "asianPartnerOrdinal"), Literal(3))
    ordinal_claim = statement_iri("wire", ordinal)
    assert ordinal in graph
    assert list(graph.objects(ordinal_claim, URIRef(KG + "impliedBy")))
    assert not list(graph.objects(ordinal_claim, URIRef(KG + "statedIn")))


def test_an_implied_node_s_values_are_implied_unless_they_say_otherwise(tmp_path, ontology):
    folder = seed(
        tmp_path,
        'implied = true\n"kg:party" = [\n'
        '  { value = "india", quote = "India" },\n'
        '  { value = "european-union", quote = "the European Union", implied = false },\n'
        "]\n",
    )
    graph = graph_of(folder, ontology)
    pact, party = URIRef(ID + "pact"), URIRef(KG + "party")
    india = statement_iri("wire", (pact, party, URIRef(ID + "india")))
    eu = statement_iri("wire", (pact, party, URIRef(ID + "european-union")))
    assert list(graph.objects(india, URIRef(KG + "impliedBy")))
    assert list(graph.objects(eu, URIRef(KG + "statedIn")))
    assert not list(graph.objects(eu, URIRef(KG + "impliedBy")))


def test_plain_values_make_no_claims_and_old_files_load_unchanged(tmp_path, ontology):
    folder = seed(tmp_path, '"kg:party" = ["india", "european-union"]\n')
    graph = graph_of(folder, ontology)
    assert (URIRef(ID + "pact"), URIRef(KG + "party"), URIRef(ID + "india")) in graph
    assert not list(graph.subjects(RDF.type, RDF.Statement))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            '"kg:party" = { value = "india", quote = "Pakistan" }',
            "node 'pact': kg:party: quote 'Pakistan' not found in the text",
        ),
        (
            '"kg:party" = { value = "india", quote = "pact" }',
            "node 'pact': kg:party: quote 'pact' occurs 2 times; add occurrence = N to say which",
        ),
        (
            '"kg:party" = { value = "india", quote = { exact = "pact", occurrence = 3 } }',
            "node 'pact': kg:party: quote 'pact' occurrence 3 asked, but it occurs 2 time(s)",
        ),
        (
            '"kg:party" = { value = "india" }',
            "node 'pact': kg:party: has no quote: a value with evidence needs the passage"
            " that supports it",
        ),
        (
            '"kg:party" = { value = "india", quote = "India", source = "x" }',
            "node 'pact': kg:party: a value with its own evidence is { value = ..., quote ="
            " ..., implied = ... } (unknown key 'source')",
        ),
        (
            '"kg:party" = { quote = "India" }',
            "node 'pact': kg:party: a value with its own evidence is { value = ..., quote ="
            " ..., implied = ... } (no value)",
        ),
        (
            '"kg:party" = { value = "india", quote = "India", implied = "yes" }',
            "node 'pact': kg:party: implied must be true or false",
        ),
        (
            '"kg:party" = { value = "pakistan", quote = "India" }',
            "node 'pact': kg:party: unknown node kgr:pakistan: no facts file declares it",
        ),
    ],
)
def test_bad_value_evidence_is_one_line_naming_file_node_and_property(
    tmp_path, ontology, values, message
):
    folder = seed(tmp_path, values + "\n")
    with pytest.raises(FactsError) as raised:
        load_seeds(folder, ontology)
    assert str(folder / "001_wire.toml") + ": " + message in raised.value.problems


BAD_CLAIMS = """\
@prefix kg: <https://w3id.org/kg/ontology#> .
@prefix kgr: <https://w3id.org/kg/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

kgr:doc-a a kg:NewsArticle ; rdfs:label "A" ; kg:fullText "India and the EU signed." ;
    kg:statedIn kgr:span.doc-a.0-5 .
kgr:doc-b a kg:NewsArticle ; rdfs:label "B" ; kg:fullText "Japan too." ;
    kg:statedIn kgr:span.doc-b.0-5 .
kgr:span.doc-a.0-5 a kg:TextSpan ; kg:inDocument kgr:doc-a ; kg:exact "India" ;
    kg:start 0 ; kg:end 5 .
kgr:span.doc-b.0-5 a kg:TextSpan ; kg:inDocument kgr:doc-b ; kg:exact "Japan" ;
    kg:start 0 ; kg:end 5 .
kgr:india a kg:State ; rdfs:label "India" ; kg:statedIn kgr:span.doc-a.0-5 ;
    kg:inRegion kgr:asia .
kgr:asia a <https://schema.org/Place> ; rdfs:label "Asia" ; kg:impliedBy kgr:span.doc-a.0-5 .

# cites a passage of B, a source that does not state India
kgr:statement.doc-a.1 a rdf:Statement ; rdf:subject kgr:india ; rdf:predicate kg:inRegion ;
    rdf:object kgr:asia ; kg:statedIn kgr:span.doc-b.0-5 .
# evidence for a statement the graph does not hold
kgr:statement.doc-a.2 a rdf:Statement ; rdf:subject kgr:india ; rdf:predicate kg:inRegion ;
    rdf:object kgr:doc-b ; kg:statedIn kgr:span.doc-a.0-5 .
# no passage at all
kgr:statement.doc-a.3 a rdf:Statement ; rdf:subject kgr:india ; rdf:predicate kg:inRegion ;
    rdf:object kgr:asia .
"""


def test_shapes_refuse_statement_evidence_that_does_not_hold(tmp_path):
    import subprocess
    import sys

    data = tmp_path / "claims.ttl"
    data.write_text(BAD_CLAIMS, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "kg", "validate", "--alone", str(data)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("Violation")]
    assert (
        "Violation: kgr:statement.doc-a.1: the statement about kgr:india cites a passage of"
        " kgr:doc-b, a source that does not state or imply kgr:india: cite a passage of the"
        " node's own source (value: kgr:statement.doc-a.1)"
    ) in lines
    assert (
        "Violation: kgr:statement.doc-a.2: evidence for a statement the graph does not hold:"
        " kgr:india kg:inRegion kgr:doc-b (value: kgr:statement.doc-a.2)"
    ) in lines
    assert (
        "Violation: kgr:statement.doc-a.3 (kg:statedIn|kg:impliedBy): A statement's evidence"
        " needs a text span (kg:TextSpan) that states (kg:statedIn) or implies (kg:impliedBy)"
        " it."
    ) in lines
    assert len(lines) == 3


# ---------------------------------------------------------------------------
# The seed and the corpus: every statement has its own passage
# ---------------------------------------------------------------------------

CORPUS = ROOT / "tests" / "fixtures" / "corpus"
_DASHES = re.compile("[\u2010-\u2015\u2212-]")


def _words(text: str) -> set[str]:
    """The words of a text that can state something, case folded: four letters or more,
    or an acronym ("EU", "MEA")."""
    tokens = re.findall(r"\w+", _DASHES.sub(" ", text))
    # compared by their first five letters: "discussion" states "Discussions"
    return {t.casefold()[:5] for t in tokens if len(t) >= 4 or (len(t) >= 2 and t.isupper())}


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory) -> Path:
    from kg.build import build

    store = tmp_path_factory.mktemp("evidence-corpus") / "store"
    build(store=store, seeds=[ROOT / "seeds", CORPUS])
    return store


def test_every_statement_of_the_seed_has_its_own_evidence(seed_store):
    from kg.stats import statements_without_evidence, stats
    from kg.store.versions import open_store

    assert statements_without_evidence(open_store(seed_store)) == []
    counted = stats(store=seed_store)
    assert counted.statements == counted.statements_with_evidence > 300
    result = run_kg("stats", "--store", seed_store)
    assert result.stdout.endswith(
        "statements about domain entities with their own evidence:\n"
        f"  {counted.statements} of {counted.statements} (100.0%)\n"
    )


def test_every_statement_of_the_corpus_has_its_own_evidence(corpus_store):
    from kg.stats import statements_without_evidence, stats
    from kg.store.versions import open_store

    assert statements_without_evidence(open_store(corpus_store)) == []
    counted = stats(store=corpus_store)
    assert counted.statements == counted.statements_with_evidence > 500


def _facts_values(folders: list[Path]) -> list[dict]:
    """Every value written with its own evidence in the facts files, with the names the
    files give its node (label and alternative labels) when it is a reference."""
    names: dict[str, set[str]] = {}
    values = []
    for path in sorted((p for f in folders for p in f.glob("*.toml")), key=lambda p: p.name):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for entry in [data["source"], *data.get("node", [])]:
            names.setdefault(entry["id"], set()).add(entry["label"])
            for key, raw in entry.items():
                for item in raw if isinstance(raw, list) else [raw]:
                    if not isinstance(item, dict) or "value" not in item:
                        continue
                    if key == "skos:altLabel":
                        names[entry["id"]].add(item["value"])
                    quotes = item["quote"] if isinstance(item["quote"], list) else [item["quote"]]
                    values.append(
                        {
                            "text": path.with_suffix(".txt").read_text(encoding="utf-8"),
                            "node": entry["id"],
                            "key": key,
                            "value": item["value"],
                            "quotes": {q if isinstance(q, str) else q["exact"] for q in quotes},
                            "stated": not item.get("implied", entry.get("implied", False)),
                            "source": data["source"]["id"],
                        }
                    )
    _IDS.update(names)
    for value in values:
        raw = value["value"]
        given = names.get(raw, {str(raw)}) if isinstance(raw, str) else {str(raw).lower()}
        value["words"] = set().union(*(_words(n) for n in given)) & _words(value["text"])
    return values


def _param(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and ":" not in value and re.fullmatch(r"[a-z0-9][a-z0-9._-]*", value):
        return f"kgr:{value}" if value in _IDS else value
    return str(value)


_IDS: set[str] = set()


@pytest.mark.parametrize("seed_number", [1, 2, 3])
def test_query_evidence_returns_each_sampled_statement_s_own_passages(corpus_store, seed_number):
    """A sample of statements chosen at random from the facts files: the passages that
    `kg query evidence` returns for (node, property, value) are the quotes the facts
    file gives that value, at their offsets; for a stated value, they hold words of the
    value (its text, or a name of the node it refers to)."""
    from kg.query import query

    values = _facts_values([ROOT / "seeds", CORPUS])
    sample = random.Random(seed_number).sample(values, 25)
    for value in sample:
        params = {
            "fact": f"kgr:{value['node']}",
            "property": value["key"],
            "value": _param(value["value"]),
        }
        result = query("evidence", params, store=corpus_store)
        rows = [dict(zip(result.variables, row, strict=True)) for row in result.values()]
        # several sources may make the same statement: this file's passages are among them
        mine = {
            r["quote"] for r in rows if value["text"][int(r["start"]) : int(r["end"])] == r["quote"]
        }
        assert value["quotes"] <= mine, params
        assert {r["support"] for r in rows if r["quote"] in value["quotes"]} <= {
            "stated",
            "implied",
        }
        # the document itself is not named in its own passages (a post reported in it)
        if value["stated"] and value["words"] and value["value"] != value["source"]:
            said = set().union(*(_words(q) for q in value["quotes"]))
            assert value["words"] & said, (params, value["words"], value["quotes"])


# ---------------------------------------------------------------------------
# kg serve: each statement with its own passage; kg export without it
# ---------------------------------------------------------------------------


def _row_marks(page: str, *cells: str) -> list[str]:
    """The passages marked in the statements table's row that holds ``cells``."""
    rows = [r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if all(c in r for c in cells)]
    assert len(rows) == 1, cells
    return [
        re.sub(r"<[^>]+>", "", m) for m in re.findall(r'<mark class="quote">(.*?)</mark>', rows[0])
    ]


def test_the_entity_page_shows_each_statement_s_own_passage(seed_url):
    import httpx

    page = httpx.get(f"{seed_url}/entity", params={"iri": "kgr:eu-india-sdp"}, timeout=60).text
    assert _row_marks(page, ">party<", ">India<") == [
        "As India and EU signed the security and defence partnership"
    ]
    assert _row_marks(page, ">Asian partner ordinal<") == [
        "India becomes the third Asian country to have such a deal with the EU"
    ]
    # the claims are the statements' evidence, not statements about the node
    assert "statement." not in page.split('id="in"')[1]


def test_no_provenance_export_leaves_out_statement_evidence(seed_store):
    from kg.export import export

    data = export(format="ntriples", store=seed_store, provenance=False).decode()
    assert "/id/statement." not in data
    assert "22-rdf-syntax-ns#Statement" not in data
    assert "<https://w3id.org/kg/id/eu-india-sdp> <https://w3id.org/kg/ontology#party> " in data
    full = export(format="ntriples", store=seed_store).decode()
    assert "<http://www.w3.org/1999/02/22-rdf-syntax-ns#subject>" in full


@pytest.fixture(scope="module")
def riot(tmp_path_factory) -> list[str] | None:
    """Jena's riot (Debian's libapache-jena-java and a Java runtime), or None."""
    from benchmarks.jena import NotFound, find

    try:
        return find(tmp_path_factory.mktemp("jena"), command="riotcmd.riot").argv
    except NotFound:
        return None


@pytest.mark.parametrize("format_name", ["turtle", "ntriples", "nquads", "trig", "jsonld"])
def test_exports_with_statement_evidence_load_everywhere_byte_stable(seed_store, format_name, riot):
    """RDF 1.1 only (no triple terms): rdflib and Oxigraph read every format, and Jena's
    riot and rapper do where installed; two exports of one build are the same bytes."""
    import shutil
    import subprocess

    import pyoxigraph as ox
    from rdflib import Dataset

    from kg.export import export

    data = export(format=format_name, store=seed_store)
    assert data == export(format=format_name, store=seed_store)
    assert b"<<" not in data and b"rdf:reifies" not in data
    dataset = Dataset()
    dataset.parse(
        data=data, format={"ntriples": "nt", "jsonld": "json-ld"}.get(format_name, format_name)
    )
    statements = {q[0] for q in dataset.quads((None, RDF.type, RDF.Statement, None))}
    assert len(statements) > 300
    mime = {
        "turtle": ox.RdfFormat.TURTLE,
        "ntriples": ox.RdfFormat.N_TRIPLES,
        "nquads": ox.RdfFormat.N_QUADS,
        "trig": ox.RdfFormat.TRIG,
        "jsonld": ox.RdfFormat.JSON_LD,
    }[format_name]
    quads = list(ox.parse(data, format=mime))
    assert len({(q.subject, q.predicate, q.object, q.graph_name) for q in quads}) == len(
        list(dataset.quads((None, None, None, None)))
    )
    suffix = {"turtle": "ttl", "ntriples": "nt", "nquads": "nq", "trig": "trig", "jsonld": "jsonld"}
    path = seed_store.parent / f"export.{suffix[format_name]}"
    path.write_bytes(data)
    readers = []
    if riot is not None:  # --count parses the whole file and says how many triples/quads
        # Debian's Jena reads JSON-LD 1.1 with Titanium, which finds no jakarta.json
        # provider there ("LOADING_DOCUMENT_FAILED" on any file): read it as JSON-LD 1.0.
        syntax = ["--syntax=JSON-LD-10"] if format_name == "jsonld" else []
        readers.append(("riot", [*riot, *syntax, "--strict", "--count", str(path)]))
    rapper = shutil.which("rapper")
    if rapper is not None and format_name != "jsonld":  # rapper reads no JSON-LD
        readers.append(("rapper", [rapper, "-c", "-i", format_name, str(path)]))
    for tool, argv in readers:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, (tool, done.stderr[-500:])
        # riot: "export.nq : Quads = 3,984"; rapper: "Parsing returned 3984 triples"
        counted = re.search(r"(?:Triples|Quads) = ([\d,]+)|returned (\d+) triples", done.stderr)
        assert counted, (tool, done.stdout[-300:], done.stderr[-300:])
        assert int((counted.group(1) or counted.group(2)).replace(",", "")) == len(quads), tool
        assert "WARN" not in done.stdout + done.stderr, (tool, done.stderr[-500:])
