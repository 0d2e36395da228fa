"""kg diagram: Graphviz pictures checked by structure (the SVG's nodes, labels, colours), not pixels."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from kg.diagram import PALETTE, render, to_dot
from tests.conftest import MINI, ROOT, run_kg

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
KGR = "https://w3id.org/kg/id/"


def svg_nodes(path) -> dict[str, list[str]]:
    """Each node's texts, by the node's DOT id (its SVG <title>)."""
    root = ET.parse(path).getroot()
    nodes = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "node":
            title = group.find(f"{SVG}title").text
            nodes[title] = [t.text for t in group.iter(f"{SVG}text")]
    return nodes


def svg_edges(path) -> list[tuple[str, list[str]]]:
    root = ET.parse(path).getroot()
    return [
        (g.find(f"{SVG}title").text, [t.text for t in g.iter(f"{SVG}text")])
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "edge"
    ]


def svg_fills(path) -> dict[str, str]:
    """Each node's fill colour (its shape's fill), by the node's DOT id."""
    root = ET.parse(path).getroot()
    fills = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "node":
            shape = next(
                e
                for e in group.iter()
                if e.tag in (f"{SVG}path", f"{SVG}polygon") and e.get("fill")
            )
            fills[group.find(f"{SVG}title").text] = shape.get("fill")
    return fills


def labels(path) -> set[str]:
    return {t for texts in svg_nodes(path).values() for t in texts if t and t.strip()}


def test_entity_neighbourhood_depth_two(mini_store, tmp_path):
    out = tmp_path / "meeting.svg"
    result = run_kg(
        "diagram",
        "--entity",
        "kgr:rao-ott-meeting",
        "--depth",
        "2",
        "--store",
        mini_store,
        "-o",
        out,
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"wrote {out} ({out.stat().st_size} bytes)\n"
    nodes = svg_nodes(out)
    assert nodes == {
        "n0": ["Asha Rao"],
        "n1": ["Ben Ott"],
        "n2": ["Freedonia"],
        "n3": ["Meeting of Asha", "Rao and Ben Ott", "meeting date: 2026-05-03", "ordinal: 1"],
        "legend": ["Legend", " ", "meeting", " ", "person", " ", "state"],
    }
    assert sorted(svg_edges(out)) == [
        ("n0->n1", ["met"]),
        ("n1->n2", ["represents"]),
        ("n3->n0", ["participant"]),
        ("n3->n1", ["participant"]),
    ]
    # Classes as colours, in the order of their IRIs: Meeting, Person, State.
    fills = svg_fills(out)
    assert (fills["n3"], fills["n0"], fills["n1"], fills["n2"]) == (
        PALETTE[0],
        PALETTE[1],
        PALETTE[1],
        PALETTE[2],
    )
    root = ET.parse(out).getroot()
    tooltips = {a.get(f"{XLINK}title") for a in root.iter(f"{SVG}a")}
    assert f"{KGR}rao-ott-meeting" in tooltips


def test_depth_one_stops_at_the_participants(mini_store, tmp_path):
    out = tmp_path / "meeting.svg"
    run_kg("diagram", "--entity", f"{KGR}rao-ott-meeting", "--store", mini_store, "-o", out)
    assert labels(out) == {
        "Asha Rao",
        "Ben Ott",
        "Meeting of Asha",
        "Rao and Ben Ott",
        "meeting date: 2026-05-03",
        "ordinal: 1",
        "Legend",
        "meeting",
        "person",
    }


def test_dot_output_is_deterministic(mini_store, tmp_path):
    first, second = tmp_path / "a.dot", tmp_path / "b.dot"
    for out in (first, second):
        result = run_kg("diagram", "--entity", "kgr:ben-ott", "--store", mini_store, "-o", out)
        assert result.exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    assert first.read_text(encoding="utf-8") == (
        "digraph kg {\n"
        '  graph [label="Around Ben Ott", labelloc=t, fontsize=14, fontname="Helvetica",'
        " rankdir=LR, nodesep=0.25, ranksep=0.5, pad=0.2];\n"
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10,'
        ' color="#5d6b7a", penwidth=0.8];\n'
        '  edge [fontname="Helvetica", fontsize=9, color="#5d6b7a", fontcolor="#333333",'
        " arrowsize=0.7];\n"
        f'  n0 [label="Asha Rao", fillcolor="#ffffb3", tooltip="{KGR}asha-rao"];\n'
        f'  n1 [label="Ben Ott", fillcolor="#ffffb3", tooltip="{KGR}ben-ott"];\n'
        f'  n2 [label="Freedonia", fillcolor="#bebada", tooltip="{KGR}freedonia"];\n'
        '  n3 [label="Meeting of Asha\\nRao and Ben Ott",'
        f' fillcolor="#8dd3c7", tooltip="{KGR}rao-ott-meeting"];\n'
        '  n0 -> n1 [label="met", tooltip="https://w3id.org/kg/ontology#met"];\n'
        '  n1 -> n2 [label="represents", tooltip="https://w3id.org/kg/ontology#represents"];\n'
        '  n3 -> n1 [label="participant", tooltip="https://w3id.org/kg/ontology#participant"];\n'
        '  legend [shape=plain, style=solid, fontsize=9, label=<<table border="0"'
        ' cellborder="0" cellspacing="2" cellpadding="2"><tr><td colspan="2" align="left">'
        "<b>Legend</b></td></tr>"
        '<tr><td width="18" bgcolor="#8dd3c7" border="1"> </td><td align="left">meeting</td></tr>'
        '<tr><td width="18" bgcolor="#ffffb3" border="1"> </td><td align="left">person</td></tr>'
        '<tr><td width="18" bgcolor="#bebada" border="1"> </td><td align="left">state</td></tr>'
        "</table>>];\n"
        "}\n"
    )


def test_png_is_a_png(mini_store, tmp_path):
    out = tmp_path / "ben.png"
    assert (
        run_kg("diagram", "--entity", "kgr:ben-ott", "--store", mini_store, "-o", out).exit_code
        == 0
    )
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_construct_query_file(mini_store, tmp_path):
    rq = tmp_path / "who-met.rq"
    rq.write_text(
        "# title: Who met whom\n"
        "PREFIX kg: <https://w3id.org/kg/ontology#>\n"
        "CONSTRUCT { ?a kg:met ?b } WHERE { ?a kg:met ?b }\n",
        encoding="utf-8",
    )
    out = tmp_path / "met.svg"
    result = run_kg("diagram", rq, "--store", mini_store, "-o", out)
    assert result.exit_code == 0, result.stderr
    # Labels and classes come from the store although the CONSTRUCT copies neither.
    assert svg_nodes(out) == {
        "n0": ["Asha Rao"],
        "n1": ["Ben Ott"],
        "legend": ["Legend", " ", "person"],
    }
    assert svg_edges(out) == [("n0->n1", ["met"])]
    root = ET.parse(out).getroot()
    assert [t.text for t in root.find(f"{SVG}g").findall(f"{SVG}text")] == ["Who met whom"]


def test_untrusted_labels_are_escaped_for_dot():
    label = 'He said "hi" \\N <b>'
    triples = [
        ox.Triple(
            ox.NamedNode("http://e/a"),
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal(label),
        ),
        ox.Triple(
            ox.NamedNode("http://e/a"),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("http://e/OddClass"),
        ),
    ]
    root = ET.fromstring(render(to_dot(triples, title='a "title"'), "svg", timeout=60))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ['a "title"', label, "Legend", " ", "<http://e/OddClass>"]


def test_errors_are_one_line(mini_store, tmp_path):
    select = MINI / "queries" / "met-by.rq"
    cases = [
        (
            [select, "-o", tmp_path / "x.svg"],
            f"kg: error: {select}: kg diagram draws the result of a CONSTRUCT or DESCRIBE query,"
            " not of a SELECT query\n",
        ),
        (
            ["nope", "-o", tmp_path / "x.svg"],
            "kg: error: unknown diagram 'nope': bundled diagrams are signing"
            " (or give a FILE.rq holding a CONSTRUCT query)\n",
        ),
        (
            ["--entity", "kgr:ben-ott", "-o", tmp_path / "x.jpg"],
            f"kg: error: {tmp_path / 'x.jpg'}: cannot tell the picture format from the file name;"
            " end it in .svg, .png or .dot, or pass --format\n",
        ),
        (
            ["signing", "--entity", "kgr:ben-ott", "-o", tmp_path / "x.svg"],
            "kg: error: give a diagram NAME, a query FILE.rq or --entity IRI (exactly one)\n",
        ),
        (
            ["--entity", "kgr:nobody", "-o", tmp_path / "x.svg"],
            f"kg: error: the graph holds no asserted facts about <{KGR}nobody>\n",
        ),
        (
            ["--entity", "not an iri", "-o", tmp_path / "x.svg"],
            "kg: error: --entity 'not an iri' is not an IRI (write https://... or kgr:name)\n",
        ),
    ]
    for args, message in cases:
        result = run_kg("diagram", *args, "--store", mini_store)
        assert (result.exit_code, result.stderr) == (2, message)
        assert not (tmp_path / "x.svg").exists()


def test_missing_graphviz_is_a_clear_error(mini_store, tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    out = tmp_path / "x.svg"
    result = run_kg(
        "diagram",
        "--entity",
        "kgr:ben-ott",
        "--store",
        mini_store,
        "-o",
        out,
        env={"PATH": str(empty)},
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "kg: error: Graphviz's dot command was not found on PATH: install Graphviz"
        " (Debian: apt-get install graphviz), or write a .dot file and lay it out elsewhere\n"
    )
    assert not out.exists()
    # A .dot file needs no Graphviz.
    dot = tmp_path / "x.dot"
    result = run_kg(
        "diagram",
        "--entity",
        "kgr:ben-ott",
        "--store",
        mini_store,
        "-o",
        dot,
        env={"PATH": str(empty)},
    )
    assert result.exit_code == 0
    assert dot.read_text(encoding="utf-8").startswith("digraph kg {\n")


SIGNING_LABELS = {
    "Kaja Kallas",
    "Rajnath Singh",
    "@DrSJaishankar",
    "India",
    "European Union",
    "Kaja Kallas on X,",
    "27 January 2026",
}


def test_signing_diagram_of_the_seed(seed_store, tmp_path):
    out = tmp_path / "signing.svg"
    result = run_kg("diagram", "signing", "--store", seed_store, "-o", out)
    assert result.exit_code == 0, result.stderr
    found = labels(out)
    assert found >= SIGNING_LABELS
    assert {
        "official",
        "office",
        "signature",
        "signing",
        "state",
        "bloc",
        "news article",
        "post on X",
        "implied by the text, not stated",
    } <= found
    # The picture in the README is this diagram: same nodes, same labels.
    committed = ROOT / "docs" / "signing.svg"
    assert svg_nodes(committed) == svg_nodes(out)
    assert sorted(svg_edges(committed)) == sorted(svg_edges(out))


@pytest.mark.parametrize("depth", ["1", "2"])
def test_seed_entity_diagram(seed_store, tmp_path, depth):
    out = tmp_path / "kallas.svg"
    result = run_kg(
        "diagram",
        "--entity",
        "kgr:kaja-kallas",
        "--depth",
        depth,
        "--store",
        seed_store,
        "-o",
        out,
    )
    assert result.exit_code == 0, result.stderr
    assert "Kaja Kallas" in labels(out)
