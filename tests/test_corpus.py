"""The test corpus (tests/fixtures/corpus) built with the seed: every bundled query
answered exactly, with set semantics.

Expected rows were read off the fixture articles and the seed, not copied from a
run. They are checked against rdflib over the merged graph (each triple once,
however many sources state it). Oxigraph's union default graph repeats a row once
per named graph holding a triple (Oxigraph issue 1919; fixed at the store level in
another branch): until that lands, the Oxigraph rows agree as a set but may repeat,
which ``test_oxigraph_rows_do_not_repeat`` records as an expected failure.
"""

from __future__ import annotations

import pytest

from kg.query import query
from kg.sparql.bundled import list_queries, resolve_query
from tests.conftest import FIXTURES, ROOT
from tests.test_knowledge import EXAMPLE_PARAMS, rdflib_rows

CORPUS = FIXTURES / "corpus"
INDIA = "EU–India Security and Defence Partnership"
JAPAN = "EU–Japan Security and Defence Partnership"
KOREA = "EU–South Korea Security and Defence Partnership"
MOLDOVA = "EU–Moldova Security and Defence Partnership"
NORWAY = "EU–Norway Security and Defence Partnership"
ALBANIA = "EU–Albania Security and Defence Partnership"
NORTH_MACEDONIA = "EU–North Macedonia Security and Defence Partnership"
UK = "EU–UK Security and Defence Partnership"
HR = "EU High Representative for Foreign Affairs and Security Policy"
PROGRAMME = "EU Security and Defence Partnerships"
ANI = "India, EU sign security and defence partnership (ANI, 27 January 2026)"
KALLAS_POST = "Kaja Kallas on X, 27 January 2026"
ROUNDUP = "The EU's security and defence partnerships so far (Fixture Wire, 2 February 2026)"
TOKYO = "EU and Japan launch security and defence partnership (Fixture Wire, 1 November 2024)"
SEOUL = (
    "EU and the Republic of Korea sign security and defence partnership"
    " (Fixture Wire, 4 November 2024)"
)
MOLDOVA_SOURCE = "EU and Moldova sign security and defence partnership (Fixture Wire, 21 May 2024)"
BRUSSELS_NOV = (
    "EU signs security and defence partnerships with Albania and North Macedonia"
    " (Fixture Wire, 19 November 2024)"
)
LONDON = "First EU–UK summit in London (Fixture Wire, 19 May 2025)"


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory):
    from kg.build import build

    store = tmp_path_factory.mktemp("corpus") / "store"
    return build(store=store, seeds=[ROOT / "seeds", CORPUS])


@pytest.fixture(scope="module")
def corpus_store(corpus_build):
    return corpus_build.store


def answer(store, name: str, params: dict[str, str], *columns: str) -> list[tuple]:
    """Distinct rows of the chosen columns from rdflib over the merged graph, in order."""
    spec = resolve_query(name)
    variables = query(name, params, store=store).variables
    index = [variables.index(c) for c in columns]
    rows = []
    for row in rdflib_rows(store, spec, params):
        picked = tuple("" if row[i] is None else row[i] for i in index)
        if picked not in rows:
            rows.append(picked)
    return rows


def test_the_corpus_builds_with_the_seed(corpus_build):
    assert corpus_build.sources == 8
    warnings = "\n".join(corpus_build.warnings)
    # another label for a shared node: one rdfs:label, the other kept as skos:altLabel
    assert (
        "102_korea.toml: node 'south-korea': label 'Republic of Korea' differs from 'South Korea'"
        " given by " in warnings
    )
    assert "000_74f78cd287be197f.toml; kept as skos:altLabel" in warnings
    assert "occurs in none of its quotes" not in warnings


def test_a_shared_node_keeps_one_label(corpus_store, tmp_path):
    rq = tmp_path / "labels.rq"
    rq.write_text(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT DISTINCT ?label ?alt WHERE { <https://w3id.org/kg/id/south-korea> rdfs:label"
        " ?label ; skos:altLabel ?alt }"
    )
    assert set(query(str(rq), store=corpus_store).values()) == {
        ("South Korea", "Republic of Korea")
    }


def test_signings_of_any_partnership_with_dates_places_and_accounts(corpus_store):
    rows = answer(
        corpus_store,
        "signing",
        {},
        "agreementLabel",
        "sourceLabel",
        "signatoryLabel",
        "officeLabel",
        "onBehalfOfLabel",
        "date",
        "placeLabel",
        "dateAsGiven",
        "dateEvidence",
    )
    d = "2026-01-27"
    assert rows == [
        (
            ALBANIA,
            BRUSSELS_NOV,
            "Josep Borrell",
            HR,
            "European Union",
            "2024-11-19",
            "Brussels",
            "2024-11-19",
            "stated",
        ),  # noqa: E501
        (INDIA, ANI, "Kaja Kallas", "", "European Union", d, "", d, "stated"),
        (INDIA, ANI, "Rajnath Singh", "", "India", d, "", d, "stated"),
        (INDIA, KALLAS_POST, "@DrSJaishankar", "", "India", d, "", d, "stated"),
        (INDIA, KALLAS_POST, "Kaja Kallas", HR, "European Union", d, "", d, "stated"),
        (INDIA, ROUNDUP, "Kaja Kallas", "", "", d, "New Delhi", d, "stated"),
        (INDIA, ROUNDUP, "Rajnath Singh", "", "", d, "New Delhi", d, "stated"),
        # two accounts of the EU–Japan launch: the roundup names Nakatani Gen as well
        (JAPAN, ROUNDUP, "Iwaya Takeshi", "", "", "2024-11-01", "Tokyo", "2024-11-01", "stated"),
        (JAPAN, ROUNDUP, "Josep Borrell", "", "", "2024-11-01", "Tokyo", "2024-11-01", "stated"),
        (JAPAN, ROUNDUP, "Nakatani Gen", "", "", "2024-11-01", "Tokyo", "2024-11-01", "stated"),
        (JAPAN, TOKYO, "Iwaya Takeshi", "", "Japan", "2024-11-01", "Tokyo", "2024-11-01", "stated"),
        (
            JAPAN,
            TOKYO,
            "Josep Borrell",
            HR,
            "European Union",
            "2024-11-01",
            "Tokyo",
            "2024-11-01",
            "stated",
        ),  # noqa: E501
        (
            MOLDOVA,
            MOLDOVA_SOURCE,
            "Josep Borrell",
            HR,
            "European Union",
            "2024-05-21",
            "Brussels",
            "2024-05-21",
            "stated",
        ),  # noqa: E501
        (
            MOLDOVA,
            MOLDOVA_SOURCE,
            "Mihai Popșoi",
            "",
            "Moldova",
            "2024-05-21",
            "Brussels",
            "2024-05-21",
            "stated",
        ),  # noqa: E501
        (MOLDOVA, ROUNDUP, "", "", "", "2024-05-21", "", "2024-05-21", "stated"),
        (
            NORTH_MACEDONIA,
            BRUSSELS_NOV,
            "Josep Borrell",
            HR,
            "European Union",
            "2024-11-19",
            "Brussels",
            "2024-11-19",
            "stated",
        ),  # noqa: E501
        (NORWAY, ROUNDUP, "", "", "", "2024-05-28", "", "2024-05-28", "stated"),
        # "on November 4" as written; the year from the dateline, an implied resolution
        (
            KOREA,
            SEOUL,
            "Cho Tae-yul",
            "",
            "South Korea",
            "2024-11-04",
            "Seoul",
            "--11-04",
            "implied",
        ),  # noqa: E501
        (
            KOREA,
            SEOUL,
            "Josep Borrell",
            HR,
            "European Union",
            "2024-11-04",
            "Seoul",
            "--11-04",
            "implied",
        ),  # noqa: E501
        (KOREA, ROUNDUP, "", "", "", "2024-11-04", "Seoul", "2024-11-04", "stated"),
        (
            UK,
            LONDON,
            "Kaja Kallas",
            HR,
            "European Union",
            "2025-05-19",
            "London",
            "2025-05-19",
            "stated",
        ),  # noqa: E501
    ]
    # the seed's question, now a parameter: the EU–India signings only
    india = answer(corpus_store, "signing", {"agreement": "kgr:eu-india-sdp"}, "agreementLabel")
    assert india == [(INDIA,)]


def test_a_blocs_partnerships_with_first_dates_and_order(corpus_store):
    rows = answer(
        corpus_store,
        "eu-partnerships",
        {"bloc": "kgr:european-union"},
        "partnershipLabel",
        "partnerLabel",
        "regionLabel",
        "asianPartnerOrdinal",
        "concludedBeforeLabel",
        "firstSigned",
    )
    assert rows == [
        (ALBANIA, "Albania", "", "", "", "2024-11-19"),
        (INDIA, "India", "Asia", "3", "", "2026-01-27"),
        (JAPAN, "Japan", "Asia", "1", INDIA, "2024-11-01"),
        (JAPAN, "Japan", "Asia", "1", KOREA, "2024-11-01"),
        (MOLDOVA, "Moldova", "", "", INDIA, "2024-05-21"),
        (MOLDOVA, "Moldova", "", "", JAPAN, "2024-05-21"),
        (MOLDOVA, "Moldova", "", "", NORWAY, "2024-05-21"),
        (MOLDOVA, "Moldova", "", "", KOREA, "2024-05-21"),
        (NORTH_MACEDONIA, "North Macedonia", "", "", "", "2024-11-19"),
        (NORWAY, "Norway", "", "", INDIA, "2024-05-28"),
        (NORWAY, "Norway", "", "", JAPAN, "2024-05-28"),
        (NORWAY, "Norway", "", "", KOREA, "2024-05-28"),
        (KOREA, "South Korea", "Asia", "", INDIA, "2024-11-04"),
        (UK, "UK", "", "", "", "2025-05-19"),
    ]


def test_areas_per_partnership_covered_apart_from_deepened(corpus_store):
    rows = answer(corpus_store, "cooperation-areas", {}, "frameworkLabel", "scope", "areaLabel")
    general = [
        (PROGRAMME, "covers in general", a)
        for a in (
            "capability development",
            "conflict prevention",
            "crisis management",
            "defence initiatives",
            "peacebuilding",
        )
    ]
    assert rows == [
        *general,
        (ALBANIA, "covers", "countering hybrid threats"),
        (ALBANIA, "covers", "crisis management"),
        (INDIA, "deepens", "counterterrorism"),
        (INDIA, "deepens", "cyber issues"),
        (INDIA, "deepens", "maritime security"),
        (INDIA, "explores", "Indian participation in European defence initiatives"),
        (JAPAN, "covers", "cyber security"),
        (JAPAN, "covers", "maritime security"),
        (MOLDOVA, "covers", "countering hybrid threats"),
        (MOLDOVA, "covers", "crisis management"),
        (MOLDOVA, "covers", "cyber security"),
        (NORTH_MACEDONIA, "covers", "countering hybrid threats"),
        (NORTH_MACEDONIA, "covers", "crisis management"),
        (KOREA, "covers", "counterterrorism"),
        (KOREA, "covers", "cyber security"),
        (KOREA, "covers", "maritime security"),
    ]
    japan = answer(
        corpus_store, "cooperation-areas", {"framework": "kgr:eu-japan-sdp"}, "areaLabel"
    )
    assert japan == [("cyber security",), ("maritime security",)]


def test_concepts_of_two_sources_are_related(corpus_store, tmp_path):
    rq = tmp_path / "related.rq"
    rq.write_text(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT DISTINCT ?a ?p ?b WHERE { VALUES ?p { skos:exactMatch skos:broader }\n"
        "  ?x ?p ?y . ?x rdfs:label ?a . ?y rdfs:label ?b .\n"
        '  FILTER (STRSTARTS(STR(?y), "https://w3id.org/kg/id/")) } ORDER BY ?a ?p'
    )
    assert query(str(rq), store=corpus_store).values() == [
        (
            "countering cyber attacks",
            "http://www.w3.org/2004/02/skos/core#broader",
            "cyber security",
        ),  # noqa: E501
        ("cyber security", "http://www.w3.org/2004/02/skos/core#exactMatch", "cyber issues"),
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (
            "2024-06-01",
            [
                (HR, "Josep Borrell", "term dates"),
                ("Prime Minister of Estonia", "Kaja Kallas", "term dates"),
            ],  # noqa: E501
        ),
        (
            "2024-12-01",
            [
                (HR, "Kaja Kallas", "term dates"),
                ("European Commission Vice President", "Kaja Kallas", "term dates"),
                ("President of the European Commission", "von der Leyen", "term dates"),
                ("President of the European Council", "Costa", "term dates"),
            ],
        ),
        (
            "2024-11-04",
            [(HR, "Josep Borrell", "term dates"), ("Foreign Minister", "Cho Tae-yul", "as of")],
        ),
    ],
)
def test_who_held_an_office_on_a_day(corpus_store, day, expected):
    rows = answer(
        corpus_store, "office-holders", {"date": day}, "officeLabel", "holderLabel", "basis"
    )
    assert rows == expected


def test_the_high_representative_on_a_day(corpus_store):
    rows = answer(
        corpus_store,
        "office-holders",
        {"date": "2025-05-19", "office": "kgr:office-high-representative"},
        "holderLabel",
        "basis",
    )
    # the term's dates and the London report as of that day agree: one holder
    assert rows == [("Kaja Kallas", "term dates")]


def test_signing_authority_tells_successive_holders_apart(corpus_store):
    rows = answer(
        corpus_store, "signing-authority", {}, "officeHolderLabel", "termStart", "termEnd"
    )
    assert rows == [("Josep Borrell", "2019-12", "2024-11-30"), ("Kaja Kallas", "2024-12-01", "")]


def test_summits_participants_outcomes_topics(corpus_store):
    assert answer(
        corpus_store, "summit-participants", {}, "summitLabel", "participantLabel", "officeLabel"
    ) == [
        ("16th India–EU Summit", "Costa", "President of the European Council"),
        ("16th India–EU Summit", "Modi", "Prime Minister of India"),
        ("16th India–EU Summit", "von der Leyen", "President of the European Commission"),
        ("First EU–UK summit", "Costa", "President of the European Council"),
        ("First EU–UK summit", "Keir Starmer", ""),
        ("First EU–UK summit", "von der Leyen", "President of the European Commission"),
    ]
    outcomes = answer(
        corpus_store, "summit-outcomes", {}, "summitLabel", "kindLabel", "concernsLabel"
    )
    assert ("First EU–UK summit", "partnership concluded", UK) in outcomes and len(outcomes) == 5
    topics = answer(corpus_store, "summit-topics", {}, "summitLabel", "topicLabel")
    assert topics[-2:] == [("First EU–UK summit", "energy"), ("First EU–UK summit", "trade")]
    assert len(topics) == 11


def test_every_partnership_belongs_to_the_strategic_compass(corpus_store):
    rows = answer(corpus_store, "policy-framework", {}, "partnershipLabel", "frameworkLabel")
    assert [r[0] for r in rows] == [
        ALBANIA,
        INDIA,
        JAPAN,
        MOLDOVA,
        NORTH_MACEDONIA,
        NORWAY,
        KOREA,
        UK,
    ]
    assert {r[1] for r in rows} == {"Strategic Compass"}


@pytest.mark.parametrize("spec", list_queries(), ids=lambda s: s.name)
def test_oxigraph_and_rdflib_agree_row_for_row(corpus_store, spec):
    """Every row as often as rdflib over the merged graph gives it: a triple stated by
    several sources of the corpus counts once."""
    params = EXAMPLE_PARAMS.get(spec.name, {})
    ours = query(spec.name, params, store=corpus_store).values()
    assert sorted(ours, key=repr) == sorted(rdflib_rows(corpus_store, spec, params), key=repr)


@pytest.mark.parametrize("name", ["signing", "office-holders", "eu-partnerships"])
def test_oxigraph_rows_do_not_repeat(corpus_store, name):
    spec = resolve_query(name)
    params = EXAMPLE_PARAMS.get(name, {})
    assert query(name, params, store=corpus_store).values() == rdflib_rows(
        corpus_store, spec, params
    )
