"""The HTML pages of ``kg serve``: front page, query page, editor, entity and source pages.

Everything the graph holds is untrusted text: every value is escaped with
:func:`h` on the way out, and the pages carry no inline script or style (the
server's Content-Security-Policy forbids them).

>>> h('<a href="x">')
'&lt;a href=&quot;x&quot;&gt;'
"""

from __future__ import annotations

import heapq
import html
from itertools import islice
from urllib.parse import urlencode

import pyoxigraph as ox

from kg.rdf.namespaces import GRAPH_INFERRED, GRAPH_ONTOLOGY, PREFIXES
from kg.sparql.bundled import QuerySpec
from kg.sparql.output import shorten
from kg.sparql.run import QueryResult
from kg.web.negotiation import DOWNLOAD_EXT
from kg.web.views import (
    EVIDENCE_PREDICATES,
    Citation,
    EntityView,
    Evidence,
    SourceView,
    excerpt_bounds,
    label_of,
)

MAX_HTML_ROWS = 2000  # rows shown in a page; downloads carry them all
MAX_LITERAL_CHARS = 400  # longer literals are cut in the entity page
MAX_REFS = 10  # passages named in one cell of a table; the Evidence section lists them all
MAX_SPAN_NAMES = 10  # passages named in data-spans of one highlighted stretch of text
_INFERRED_ONLY_HTML = '<span class="muted">derived by reasoning; no passage of its own</span>'


def h(value: object) -> str:
    """Escape text for HTML, quotes included: everything from the graph is untrusted."""
    return html.escape(str(value), quote=True)


def entity_url(iri: str) -> str:
    """The address of ``iri``'s entity page.

    >>> entity_url("https://w3id.org/kg/id/x")
    '/entity?iri=https%3A%2F%2Fw3id.org%2Fkg%2Fid%2Fx'
    """
    return "/entity?" + urlencode({"iri": iri})


def source_url(iri: str, anchor: str | None = None) -> str:
    """The address of a document's source page, at the passage ``anchor`` if given.

    >>> source_url("http://e/doc", "span-1-2")
    '/source?iri=http%3A%2F%2Fe%2Fdoc#span-1-2'
    """
    return "/source?" + urlencode({"iri": iri}) + (f"#{anchor}" if anchor else "")


def _term_html(store: ox.Store, term, labelled: bool = True) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        short = shorten(term.value)
        label = label_of(store, term) if labelled else short
        title = f' title="{h(term.value)}"'
        if label != short:
            return f'<a href="{h(entity_url(term.value))}"{title}>{h(label)}</a>'
        return f'<a href="{h(entity_url(term.value))}"{title}><code>{h(short)}</code></a>'
    if isinstance(term, ox.BlankNode):
        return f"<code>_:{h(term.value)}</code>"
    value = term.value
    cut = ""
    if len(value) > MAX_LITERAL_CHARS:
        cut = f' <span class="muted">… ({len(value)} characters)</span>'
        value = value[:MAX_LITERAL_CHARS]
    suffix = ""
    if term.language:
        suffix = f' <span class="muted">@{h(term.language)}</span>'
    elif term.datatype.value != PREFIXES["xsd"] + "string":
        suffix = f' <span class="muted">{h(shorten(term.datatype.value))}</span>'
    return f'<span class="literal">{h(value)}</span>{cut}{suffix}'


def _cell_html(term) -> str:
    """A result cell: IRIs link to their entity page (shortened), literals as text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return (
            f'<a href="{h(entity_url(term.value))}" title="{h(term.value)}">'
            f"{h(shorten(term.value))}</a>"
        )
    if isinstance(term, ox.BlankNode):
        return f"_:{h(term.value)}"
    return h(term.value)


def page(title: str, body: str) -> str:
    """A whole HTML page around ``body`` (already escaped)."""
    from kg import __version__

    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{h(title)} · kg</title>\n"
        '<link rel="stylesheet" href="/static/style.css">\n'
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">\n'
        '<script src="/static/app.js" defer></script>\n'
        "</head>\n<body>\n"
        '<header class="top"><a class="brand" href="/">kg</a>'
        '<nav><a href="/#queries">Questions</a><a href="/editor">SPARQL editor</a>'
        '<a href="/#sources">Sources</a></nav>'
        '<span class="badge">read-only</span></header>\n'
        f"<main>\n{body}\n</main>\n"
        f"<footer>kg {h(__version__)} · SPARQL 1.1 endpoint at <code>/sparql</code></footer>\n"
        "</body>\n</html>\n"
    )


def results_table_html(result: QueryResult) -> str:
    """A query answer as an HTML table: IRIs as links to their entity pages."""
    if result.kind == "ask":
        return f'<p class="boolean" id="answer">{"true" if result.boolean else "false"}</p>'
    if result.kind == "select":
        variables, rows = result.variables, result.rows
    else:
        variables = ["subject", "predicate", "object"]
        rows = [(t.subject, t.predicate, t.object) for t in result.triples]
    count = len(rows)
    note = ""
    if count > MAX_HTML_ROWS:
        note = (
            f'<p class="muted">The first {MAX_HTML_ROWS} rows are shown; downloads carry all.</p>'
        )
        rows = rows[:MAX_HTML_ROWS]
    head = "".join(f"<th>{h(v)}</th>" for v in variables)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{_cell_html(t)}</td>" for t in row) + "</tr>" for row in rows
    )
    return (
        f'<p class="count" id="count">{count} row{"" if count == 1 else "s"}</p>{note}\n'
        f'<div class="scroll"><table id="results">\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table></div>"
    )


def error_html(message: str) -> str:
    """A one-line error message in a page."""
    return f'<p class="error" id="error" role="alert">{h(message)}</p>'


def _param_fields_html(spec: QuerySpec, values: dict[str, str]) -> str:
    fields = []
    for param in spec.params:
        required = " required" if param.required else ""
        placeholder = {"iri": "kgr:… or https://…", "date": "YYYY-MM-DD"}.get(
            param.kind, param.kind
        )
        fields.append(
            f'<label class="param">{h(param.name)} <span class="muted">({h(param.kind)}'
            f"{'' if param.required else ', optional'})</span>"
            f'<input type="text" name="{h(param.name)}" value="{h(values.get(param.name, ""))}"'
            f' placeholder="{h(placeholder)}"{required}>'
            f'<span class="hint">{h(param.description)}</span></label>'
        )
    return "".join(fields)


def index_html(specs: list[QuerySpec], docs: list[tuple[str, str]], triples: int) -> str:
    """The front page: every bundled query as a one-click form, and the sources."""
    items = []
    for spec in specs:
        items.append(
            f'<article class="query" id="q-{h(spec.name)}">\n'
            f"<h3>{h(spec.title or spec.name)} <code>{h(spec.name)}</code></h3>\n"
            f'<p class="question">{h(spec.question)}</p>\n'
            f'<form method="get" action="/queries/{h(spec.name)}">'
            f"{_param_fields_html(spec, {})}"
            f'<button type="submit" class="run" data-query="{h(spec.name)}">Run</button> '
            f'<a href="/editor?{h(urlencode({"from": spec.name}))}">open in the editor</a>'
            "</form>\n</article>"
        )
    sources = "\n".join(
        f'<li><a href="{h(source_url(iri))}">{h(label)}</a></li>' for iri, label in docs
    )
    return page(
        "Ask the graph",
        f"<h1>Ask the graph</h1>\n<p>{triples} triples, read-only. Pick a question and run it,"
        ' or write your own in the <a href="/editor">SPARQL editor</a>. Every IRI leads to a'
        " page with the passages of the sources it rests on.</p>\n"
        f'<section id="queries"><h2>Questions</h2>\n{"".join(items)}\n</section>\n'
        f'<section id="sources"><h2>Sources</h2>\n<ul>{sources or "<li>none</li>"}</ul></section>',
    )


def _answer_html(result: QueryResult | None, error: str | None, links: list[str]) -> str:
    """The error if there is one, then the answer's download links and its table."""
    parts = [error_html(error)] if error else []
    if result is not None:
        parts.append(f'<p class="downloads">Download: {" ".join(links)}</p>')
        parts.append(results_table_html(result))
    return "".join(parts)


def query_page_html(
    spec: QuerySpec, values: dict[str, str], result: QueryResult | None, error: str | None
) -> str:
    """A bundled query's page: its form, then its answer or its error."""
    links = []
    for name in ("csv", "json", "tsv", "xml") if result is not None else ():
        url = f"/queries/{spec.name}/results?" + urlencode({**values, "format": name})
        filename = f"{spec.name}.{DOWNLOAD_EXT[name]}"
        links.append(
            f'<a class="download" href="{h(url)}" download="{h(filename)}">{name.upper()}</a>'
        )
    body = (
        f"<h1>{h(spec.title or spec.name)}</h1>\n"
        f'<p class="question">{h(spec.question)}</p>\n'
        f'<form method="get" action="/queries/{h(spec.name)}">{_param_fields_html(spec, values)}'
        f'<button type="submit" class="run">Run</button> '
        f'<a href="/editor?{h(urlencode({"from": spec.name}))}">open in the editor</a></form>\n'
        + _answer_html(result, error, links)
    )
    return page(spec.title or spec.name, body)


def editor_html(text: str, result: QueryResult | None, error: str | None) -> str:
    """The SPARQL editor, with the answer or the error under it."""
    names: tuple[str, ...] = ()
    if result is not None:
        names = ("turtle", "ntriples") if result.kind == "graph" else ("csv", "json", "tsv", "xml")
    links = [
        f'<a class="download" href="{h("/sparql?" + urlencode({"query": text, "format": n}))}">'
        f"{n.upper()}</a>"
        for n in names
    ]
    body = (
        "<h1>SPARQL editor</h1>\n"
        "<p>Read-only: SELECT, ASK, CONSTRUCT and DESCRIBE over the merged graph (each"
        " triple once, however many sources state it), inferences included;"
        " <code>GRAPH ?g</code> reaches each source's graph. Prefixes such as"
        " <code>kg:</code>, <code>kgr:</code>,"
        " <code>rdfs:</code> are predeclared. Ctrl+Enter runs.</p>\n"
        '<form method="post" action="/editor" id="editor-form">'
        f'<textarea name="query" id="editor" rows="14" spellcheck="false">{h(text)}</textarea>'
        '<button type="submit" class="run" id="run-editor">Run</button></form>\n'
        + _answer_html(result, error, links)
    )
    return page("SPARQL editor", body)


def _mark_excerpt_html(evidence: Evidence) -> str:
    """The sentence around a quoted passage, the passage highlighted."""
    link = ""
    if evidence.document:
        link = (
            f' <a class="source" href="{h(source_url(evidence.document, evidence.anchor))}">'
            f"{h(evidence.document_label)}</a>"
        )
    if evidence.text is None:
        quote = f'<mark class="quote">{h(evidence.exact)}</mark>'
        where = ' <span class="muted">(the source text is not in the graph)</span>'
        return (
            f'<blockquote class="evidence {h(evidence.support)}">{quote}{where}'
            f'<span class="support">{h(evidence.support)}</span>{link}</blockquote>'
        )
    text, start, end = evidence.text, evidence.start, evidence.end
    assert start is not None and end is not None
    left, right = excerpt_bounds(text, start, end)
    before = ("…" if left > 0 and text[left - 1] != "\n" else "") + text[left:start]
    after = text[end:right] + ("…" if right < len(text) and text[right] != "\n" else "")
    return (
        f'<blockquote class="evidence {h(evidence.support)}">'
        f'<span class="context">{h(before)}<mark class="quote">{h(text[start:end])}</mark>'
        f'{h(after)}</span> <span class="support">{h(evidence.support)}</span>{link}</blockquote>'
    )


def _more_refs(count: int, href: str) -> str:
    """A link to the rest when a cell names only the first :data:`MAX_REFS` of ``count``."""
    if count <= MAX_REFS:
        return ""
    return f' <a class="ref more" href="{h(href)}">and {count - MAX_REFS} more</a>'


def _graph_html(graphs: list[str]) -> str:
    names = []
    for graph in graphs:
        if graph == GRAPH_INFERRED:
            names.append(
                '<span class="tag inferred" title="derived by OWL 2 RL reasoning">inferred</span>'
            )
        elif graph == GRAPH_ONTOLOGY:
            names.append('<span class="tag">ontology</span>')
        else:
            names.append(f'<span class="tag">{h(shorten(graph) if graph else "default")}</span>')
    return " ".join(names)


def entity_html(store: ox.Store, view: EntityView) -> str:
    """The entity page."""
    types = ", ".join(_term_html(store, t) for t in view.types) or '<span class="muted">none</span>'
    other_labels = [label for label in view.labels if label != view.label]
    evidence = "\n".join(
        f'<li id="ev-{i}">{_mark_excerpt_html(e)}</li>' for i, e in enumerate(view.evidence, 1)
    )
    evidence_refs = " ".join(
        f'<a href="#ev-{i}" class="ref">{h(e.exact[:60] + ("…" if len(e.exact) > 60 else ""))}</a>'
        for i, e in enumerate(view.evidence[:MAX_REFS], 1)
    ) + _more_refs(len(view.evidence), "#evidence")
    out_rows = []
    for s in view.outgoing:
        if s.inferred_only:
            why = _INFERRED_ONLY_HTML
        elif s.evidence:  # the statement's own passages, each highlighted in its sentence
            why = "".join(_mark_excerpt_html(e) for e in s.evidence)
        elif GRAPH_ONTOLOGY in s.graphs or not view.evidence:
            why = '<span class="muted">no passage</span>'
        else:
            why = evidence_refs
        out_rows.append(
            f'<tr><td title="{h(s.predicate.value)}">{h(label_of(store, s.predicate))}</td>'
            f"<td>{_term_html(store, s.object)}</td><td>{_graph_html(s.graphs)}</td>"
            f'<td class="ev">{why}</td></tr>'
        )
    in_rows = []
    for s in view.incoming:
        ev = view.incoming_evidence.get(str(s.subject), [])
        if s.inferred_only:
            why = _INFERRED_ONLY_HTML
        elif s.predicate.value in EVIDENCE_PREDICATES:
            why = '<span class="muted">cites this passage</span>'
        elif s.evidence:
            why = "".join(_mark_excerpt_html(e) for e in s.evidence)
        else:
            why = (
                "".join(_mark_excerpt_html(e) for e in ev[:MAX_REFS])
                + _more_refs(len(ev), entity_url(s.subject.value) + "#evidence")
                or '<span class="muted">no passage</span>'
            )
        in_rows.append(
            f"<tr><td>{_term_html(store, s.subject)}</td>"
            f'<td title="{h(s.predicate.value)}">{h(label_of(store, s.predicate))}</td>'
            f"<td>{_graph_html(s.graphs)}</td>"
            f'<td class="ev">{why}</td></tr>'
        )
    text_link = ""
    if view.has_text:
        text_link = (
            f'<p><a href="{h(source_url(view.iri))}" id="read-source">'
            "Read the text with its cited passages</a></p>"
        )
    body = (
        f'<h1 id="label">{h(view.label)}</h1>\n'
        f'<p class="iri"><code>{h(view.iri)}</code></p>\n'
        + (f"<p>Also labelled: {h('; '.join(other_labels))}</p>\n" if other_labels else "")
        + f'<p id="types">Types: {types}</p>\n{text_link}'
        + '<section id="evidence"><h2>Evidence</h2>\n'
        + _more_note("more-evidence", len(view.evidence), view.evidence_total, "passages")
        + (
            f'<ol class="evidence-list">{evidence}</ol>'
            if evidence
            else '<p class="muted">No passage of a source is recorded for this node.</p>'
        )
        + "</section>\n"
        + '<section id="out"><h2>Statements</h2>\n'
        + _more_note("more-out", len(view.outgoing), view.outgoing_total, "statements")
        + (
            '<div class="scroll"><table id="statements-out"><thead><tr><th>property</th>'
            "<th>value</th><th>graph</th><th>evidence</th></tr></thead><tbody>\n"
            + "\n".join(out_rows)
            + "\n</tbody></table></div>"
            if out_rows
            else '<p class="muted">none</p>'
        )
        + "</section>\n"
        + '<section id="in"><h2>Statements about it</h2>\n'
        + _more_note("more-in", len(view.incoming), view.incoming_total, "statements")
        + (
            '<div class="scroll"><table id="statements-in"><thead><tr><th>subject</th>'
            "<th>property</th><th>graph</th><th>evidence</th></tr></thead><tbody>\n"
            + "\n".join(in_rows)
            + "\n</tbody></table></div>"
            if in_rows
            else '<p class="muted">none</p>'
        )
        + "</section>"
    )
    return page(view.label, body)


def highlighted_text_html(text: str, citations: list[Citation]) -> str:
    """``text`` with every cited passage marked; a passage inside others links to itself.

    One pass over the sorted boundaries of the passages, keeping the passages
    that cover the current stretch, and the innermost of them on a heap: the
    work grows with the number of passages times its logarithm, not its square.

    >>> c = Citation("s", "b", 1, 2, [], True)
    >>> print(highlighted_text_html("abc", [c]).replace("><", ">\\n<"))
    a<span class="anchor" id="span-1-2">
    </span>
    <mark class="cite depth-1" data-spans="span-1-2">
    <a href="#cite-span-1-2">b</a>
    </mark>c
    """
    usable = [c for c in citations if c.fits]
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for i, c in enumerate(usable):
        starts.setdefault(c.start, []).append(i)
        ends.setdefault(c.end, []).append(i)
    cuts = sorted({0, len(text), *starts, *ends})
    covering: dict[int, None] = {}  # indexes into usable, in the order of usable
    innermost: list[tuple[int, int, int]] = []  # (length, start, index), stale entries too
    parts = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        for i in ends.get(a, ()):
            covering.pop(i, None)
        for i in starts.get(a, ()):
            c = usable[i]
            parts.append(f'<span class="anchor" id="{h(c.anchor)}"></span>')
            if c.end > c.start:
                covering[i] = None
                heapq.heappush(innermost, (c.end - c.start, c.start, i))
        segment = h(text[a:b])
        if not covering:
            parts.append(segment)
            continue
        while innermost[0][2] not in covering:  # passages that ended before a
            heapq.heappop(innermost)
        inner = usable[innermost[0][2]]
        names = " ".join(usable[i].anchor for i in islice(covering, MAX_SPAN_NAMES))
        depth = min(len(covering), 3)
        parts.append(
            f'<mark class="cite depth-{depth}" data-spans="{h(names)}">'
            f'<a href="#cite-{h(inner.anchor)}">{segment}</a></mark>'
        )
    return "".join(parts)


def _more_note(ident: str, shown: int, total: int, what: str) -> str:
    """A note that only the first ``shown`` of ``total`` ``what`` are in the page, or nothing.

    >>> _more_note("more-x", 2, 5, "statements")
    '<p class="muted note" id="more-x">5 statements: the first 2 are shown.</p>'
    """
    if total <= shown:
        return ""
    return f'<p class="muted note" id="{ident}">{total} {h(what)}: the first {shown} are shown.</p>'


def source_html(store: ox.Store, view: SourceView) -> str:
    """The source page: the text, cited passages marked, and what each supports."""
    items = []
    for c in view.citations:
        supports = (
            ", ".join(
                f'<a href="{h(entity_url(iri))}">{h(label)}</a>'
                f' <span class="support">{h(kind)}</span>'
                for iri, label, kind in c.supports
            )
            or '<span class="muted">nothing</span>'
        )
        warning = (
            "" if c.fits else ' <span class="error">(the offsets do not match the text)</span>'
        )
        items.append(
            f'<li id="cite-{h(c.anchor)}"><a href="#{h(c.anchor)}"><q>{h(c.exact)}</q></a>'
            f' <span class="muted">{c.start}–{c.end}</span>{warning}<br>supports: {supports}</li>'
        )
    types = ", ".join(_term_html(store, t) for t in view.types)
    body = (
        f'<h1 id="label">{h(view.label)}</h1>\n'
        f'<p class="iri"><a href="{h(entity_url(view.iri))}"><code>{h(view.iri)}</code></a>'
        f" · {types} · {max(view.cited, len(view.citations))} cited passages</p>\n"
        + _more_note(
            "more-citations", len(view.citations), view.cited, "cited passages, in text order"
        )
        + f'<div class="fulltext" id="fulltext">'
        f"{highlighted_text_html(view.text, view.citations)}</div>\n"
        f'<section id="citations"><h2>Cited passages</h2>\n<ol>{"".join(items)}</ol></section>'
    )
    return page(view.label, body)
