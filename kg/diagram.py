"""kg diagram: pictures of the graph, laid out by Graphviz ``dot``.

A picture shows the result of a CONSTRUCT (or DESCRIBE) query, or the
neighbourhood of one entity in the asserted facts. Nodes are labelled by
``rdfs:label``, coloured by class, with a legend; literal values are listed
under a node's label. The DOT text is deterministic (nodes, edges and colours in
sorted order), so the same graph always gives the same picture.

>>> import pyoxigraph as ox
>>> E = "http://e/"
>>> triples = [
...     ox.Triple(ox.NamedNode(E + "a"), ox.NamedNode(RDFS + "label"), ox.Literal("Alice")),
...     ox.Triple(ox.NamedNode(E + "a"), ox.NamedNode(RDF + "type"), ox.NamedNode(E + "Person")),
...     ox.Triple(ox.NamedNode(E + "a"), ox.NamedNode(E + "knows"), ox.NamedNode(E + "b")),
... ]
>>> print(to_dot(triples, title="Example"), end="")  # doctest: +ELLIPSIS
digraph kg {
  graph [label="Example", labelloc=t, fontsize=14, ...];
  ...
  n0 [label="Alice", fillcolor="#8dd3c7", tooltip="http://e/a"];
  n1 [label="<http://e/b>", fillcolor="#eeeeee", tooltip="http://e/b"];
  n0 -> n1 [label="<http://e/knows>", tooltip="http://e/knows"];
  legend [shape=plain, style=solid, ...<td align="left">&lt;http://e/Person&gt;</td>...];
}
"""

from __future__ import annotations

import html
import shutil
import subprocess
import textwrap
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError, QueryError, ResourceLimitError, UsageError
from kg.rdf.namespaces import GRAPH_INFERRED, GRAPH_META, GRAPH_ONTOLOGY, KG, RDF, RDFS, expand
from kg.sparql.output import shorten
from kg.store.versions import source_quads
from kg.web.views import preferred_label

DIAGRAMS_DIR = Path(__file__).resolve().parent / "web" / "diagrams"
FORMATS = ("svg", "png", "dot")
# ColorBrewer Set3: pale enough for black text, distinct enough for a legend.
PALETTE = (
    "#8dd3c7",
    "#ffffb3",
    "#bebada",
    "#fb8072",
    "#80b1d3",
    "#fdb462",
    "#b3de69",
    "#fccde5",
    "#bc80bd",
    "#ccebc5",
    "#ffed6f",
    "#d9d9d9",
)
UNTYPED_COLOUR = "#eeeeee"
LABEL_WIDTH = 28  # characters per line of a node label
VALUE_CHARS = 40  # a literal value longer than this is cut

_TYPE = RDF + "type"
_LABEL = RDFS + "label"
_STATED_IN = KG + "statedIn"
_IMPLIED_BY = KG + "impliedBy"
_SKIPPED_IN_NEIGHBOURHOOD = {
    KG + "statedIn",
    KG + "impliedBy",
    KG + "fullText",
    KG + "sha256",
}


def diagram_names() -> list[str]:
    """The bundled diagrams (``kg/web/diagrams/*.rq``), by name."""
    return sorted(p.stem for p in DIAGRAMS_DIR.glob("*.rq"))


def format_for(path: Path | str | None, explicit: str | None = None) -> str:
    """The picture format: ``explicit``, else the extension of ``path``.

    >>> format_for("docs/signing.svg")
    'svg'
    """
    if explicit:
        if explicit not in FORMATS:
            raise UsageError(f"unknown diagram format {explicit!r} (use {', '.join(FORMATS)})")
        return explicit
    suffix = Path(str(path or "")).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise UsageError(
            f"{path or 'stdout'}: cannot tell the picture format from the file name;"
            " end it in .svg, .png or .dot, or pass --format"
        )
    return suffix


def _dot_string(text: str) -> str:
    """A DOT quoted string (backslashes doubled so Graphviz escapes such as \\N stay text)."""
    cleaned = "".join(" " if ord(c) < 32 else c for c in text)
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_lines(lines: list[str]) -> str:
    """Several lines as one DOT label (each escaped, joined by DOT's centred line break)."""
    return '"' + "\\n".join(_dot_string(line)[1:-1] for line in lines) + '"'


def _wrap(text: str) -> list[str]:
    """Lines of at most :data:`LABEL_WIDTH` characters, as even in length as they can be.

    >>> _wrap("Meeting of Asha Rao and Ben Ott")
    ['Meeting of Asha', 'Rao and Ben Ott']
    """

    def wrap(width: int) -> list[str]:
        return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)

    lines = wrap(LABEL_WIDTH)
    if len(lines) < 2:
        return lines or [""]
    for width in range(-(-len(text) // len(lines)), LABEL_WIDTH):
        balanced = wrap(width)
        if len(balanced) <= len(lines):
            return balanced
    return lines


def _node_key(term) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def _short(term) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return shorten(term.value)


def to_dot(
    triples: Iterable,
    *,
    title: str = "",
    store: ox.Store | None = None,
) -> str:
    """The DOT text of a picture of ``triples``.

    Labels and types missing from ``triples`` are looked up in ``store`` (its
    asserted graphs) when one is given, so a CONSTRUCT need not copy them.
    """
    items = sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    labels: dict[str, list] = {}
    types: dict[str, set[str]] = {}
    values: dict[str, list[tuple[str, str]]] = {}
    nodes: dict[str, object] = {}
    edges: list[tuple[str, str, str]] = []
    for t in items:
        s_key, predicate = _node_key(t.subject), t.predicate.value
        nodes[s_key] = t.subject
        if predicate == _LABEL:
            labels.setdefault(s_key, []).append(t.object)
        elif predicate == _TYPE and isinstance(t.object, ox.NamedNode):
            types.setdefault(s_key, set()).add(t.object.value)
        elif isinstance(t.object, ox.Literal):
            values.setdefault(s_key, []).append((predicate, t.object.value))
        else:
            nodes[_node_key(t.object)] = t.object
            edges.append((s_key, predicate, _node_key(t.object)))

    def store_label(term) -> str | None:
        if store is None or not isinstance(term, ox.NamedNode):
            return None
        # The default graph: the merge of the asserted graphs (kg.store.versions).
        return preferred_label(
            q.object
            for q in store.quads_for_pattern(term, ox.NamedNode(_LABEL), None, ox.DefaultGraph())
        )

    def store_types(term) -> set[str]:
        if store is None or not isinstance(term, ox.NamedNode):
            return set()
        return {
            q.object.value
            for q in source_quads(store, term, ox.NamedNode(_TYPE), None)
            if isinstance(q.object, ox.NamedNode)
            and q.graph_name.value not in (GRAPH_INFERRED, GRAPH_ONTOLOGY)
        }

    def implied(term) -> bool:
        """Only ``kg:impliedBy`` evidence: the text implies the node without stating it."""
        if store is None or not isinstance(term, ox.NamedNode):
            return False
        has = {q.predicate.value for q in store.quads_for_pattern(term, None, None, None)}
        return _IMPLIED_BY in has and _STATED_IN not in has

    def label(term) -> str:
        return preferred_label(labels.get(_node_key(term), [])) or store_label(term) or _short(term)

    names: dict[str, str] = {}

    def name_of(iri: str) -> str:
        if iri not in names:
            names[iri] = store_label(ox.NamedNode(iri)) or shorten(iri)
        return names[iri]

    def main_type(key: str) -> str | None:
        found = types.get(key) or store_types(nodes[key])
        if not found:
            return None
        # The kg: class is the specific one (kg:Official rather than foaf:Person).
        return min(found, key=lambda iri: (not iri.startswith(KG), iri))

    order = sorted(nodes)
    ids = {key: f"n{i}" for i, key in enumerate(order)}
    classes = sorted({c for c in (main_type(k) for k in order) if c})
    colours = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(classes)}

    lines = ["digraph kg {"]
    lines.append(
        f'  graph [label={_dot_string(title)}, labelloc=t, fontsize=14, fontname="Helvetica",'
        " rankdir=LR, nodesep=0.25, ranksep=0.5, pad=0.2];"
    )
    lines.append(
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10,'
        ' color="#5d6b7a", penwidth=0.8];'
    )
    lines.append(
        '  edge [fontname="Helvetica", fontsize=9, color="#5d6b7a", fontcolor="#333333",'
        " arrowsize=0.7];"
    )
    for key in order:
        term = nodes[key]
        text = _wrap(label(term))
        for predicate, value in sorted(values.get(key, [])):
            cut = value if len(value) <= VALUE_CHARS else value[: VALUE_CHARS - 1] + "…"
            text.append(f"{name_of(predicate)}: {cut}")
        kind = main_type(key)
        colour = colours[kind] if kind else UNTYPED_COLOUR
        dashed = ', style="rounded,filled,dashed"' if implied(term) else ""
        lines.append(
            f'  {ids[key]} [label={_dot_lines(text)}, fillcolor="{colour}"{dashed},'
            f" tooltip={_dot_string(key)}];"
        )
    for s_key, predicate, o_key in sorted(set(edges)):
        lines.append(
            f"  {ids[s_key]} -> {ids[o_key]} [label={_dot_lines(_wrap(name_of(predicate)))},"
            f" tooltip={_dot_string(predicate)}];"
        )
    legend = [(name_of(c), colours[c], "") for c in classes]
    if any(main_type(k) is None for k in order):
        legend.append(("(no type)", UNTYPED_COLOUR, ""))
    if any(implied(nodes[k]) for k in order):
        legend.append(("implied by the text, not stated", "#ffffff", ' style="dashed"'))
    if legend:
        # One table node: compact, and laid out apart from the graph.
        rows = "".join(
            f'<tr><td width="18" bgcolor="{colour}" border="1"{style}> </td>'
            f'<td align="left">{html.escape(text)}</td></tr>'
            for text, colour, style in legend
        )
        lines.append(
            '  legend [shape=plain, style=solid, fontsize=9, label=<<table border="0"'
            ' cellborder="0" cellspacing="2" cellpadding="2"><tr><td colspan="2" align="left">'
            "<b>Legend</b>"
            f"</td></tr>{rows}</table>>];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def neighbourhood(store: ox.Store, iri: str, depth: int = 1) -> list:
    """The asserted facts within ``depth`` steps of ``iri``, in and out (evidence left out)."""
    if depth not in (1, 2):
        raise UsageError(f"--depth must be 1 or 2, not {depth}")
    skipped_graphs = {GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_META}

    def asserted(quads) -> list:
        return [
            q.triple
            for q in quads
            if q.graph_name.value not in skipped_graphs
            and q.predicate.value not in _SKIPPED_IN_NEIGHBOURHOOD
        ]

    start = ox.NamedNode(iri)
    found: set = set()
    seen = {_node_key(start)}
    frontier = [start]
    for _ in range(depth):
        reached = []
        for node in frontier:
            out = asserted(source_quads(store, node, None, None))
            into = asserted(source_quads(store, None, None, node))
            found.update(out)
            found.update(into)
            for t in out + into:
                for term in (t.subject, t.object):
                    if isinstance(term, ox.NamedNode) and _node_key(term) not in seen:
                        # Classes are colours, not neighbours.
                        if t.predicate.value == _TYPE and term == t.object:
                            continue
                        seen.add(_node_key(term))
                        reached.append(term)
        frontier = sorted(reached, key=lambda t: t.value)
    if not found:
        raise QueryError(f"the graph holds no asserted facts about <{iri}>")
    return sorted(found, key=str)


def render(dot_text: str, format: str, timeout: float | None = None) -> bytes:
    """Lay out ``dot_text`` with Graphviz into ``format`` (``svg``, ``png``; ``dot`` as is)."""
    if format == "dot":
        return dot_text.encode("utf-8")
    dot = shutil.which("dot")
    if dot is None:
        raise KgError(
            "Graphviz's dot command was not found on PATH: install Graphviz"
            " (Debian: apt-get install graphviz), or write a .dot file and lay it out elsewhere"
        )
    try:
        done = subprocess.run(
            [dot, f"-T{format}"],
            input=dot_text.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ResourceLimitError(
            f"Graphviz took longer than {timeout:g} s and was stopped (raise it with --timeout)"
        ) from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise KgError(f"Graphviz dot failed: {detail[0] if detail else f'exit {done.returncode}'}")
    return done.stdout


def diagram(
    name: str | None = None,
    *,
    entity: str | None = None,
    depth: int = 1,
    format: str = "svg",
    store: Path | str | None = None,
    timeout: float | None = None,
) -> bytes:
    """A picture of a bundled diagram, of a CONSTRUCT query file, or of an entity's neighbourhood.

    >>> svg = diagram("signing", store="build")  # doctest: +SKIP
    >>> svg = diagram(entity="kgr:kaja-kallas", depth=2, format="dot")  # doctest: +SKIP
    """
    from kg.rdf.limits import run_with_timeout
    from kg.rdf.resources import default_store
    from kg.sparql.bundled import load_query_file, resolve_query
    from kg.sparql.run import bind_params, run_on_store
    from kg.store.versions import open_store

    if format not in FORMATS:
        raise UsageError(f"unknown diagram format {format!r} (use {', '.join(FORMATS)})")
    if (name is None) == (entity is None):
        raise UsageError("give a diagram NAME, a query FILE.rq or --entity IRI (exactly one)")
    oxstore = open_store(Path(store) if store else default_store())
    if entity is not None:
        iri = entity[1:-1] if entity.startswith("<") and entity.endswith(">") else entity
        try:
            iri = expand(iri)
            ox.NamedNode(iri)
        except (KeyError, ValueError):
            raise UsageError(
                f"--entity {entity!r} is not an IRI (write https://... or kgr:name)"
            ) from None
        triples = run_with_timeout(
            lambda: neighbourhood(oxstore, iri, depth), timeout, "the diagram"
        )
        label = preferred_label(
            q.object
            for q in oxstore.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(_LABEL), None, None)
        )
        title = f"Around {label or shorten(iri)}"
    else:
        bundled = DIAGRAMS_DIR / f"{name}.rq"
        if bundled.is_file():
            spec = load_query_file(bundled)
        elif name.endswith(".rq") or Path(name).is_file():
            spec = resolve_query(name)
        else:
            raise QueryError(
                f"unknown diagram {name!r}: bundled diagrams are {', '.join(diagram_names())}"
                " (or give a FILE.rq holding a CONSTRUCT query)"
            )
        bindings = bind_params(spec, {})
        result = run_with_timeout(
            lambda: run_on_store(oxstore, spec, bindings), timeout, "the query"
        )
        where = str(spec.path) if spec.path else spec.name
        if result.kind != "graph":
            raise QueryError(
                f"{where}: kg diagram draws the result of a CONSTRUCT or DESCRIBE query,"
                f" not of {'an ASK' if result.kind == 'ask' else 'a SELECT'} query"
            )
        if not result.triples:
            raise QueryError(f"{where}: the query returned no triples; there is nothing to draw")
        triples = result.triples
        title = spec.title
    return render(to_dot(triples, title=title, store=oxstore), format, timeout)
