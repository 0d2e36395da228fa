r"""Rendering query answers: a table for people; W3C CSV, TSV, JSON and XML for machines.

Works on Oxigraph terms (``.value``, ``NamedNode``/``BlankNode``/``Literal``).

>>> import pyoxigraph as ox
>>> rows = [(ox.NamedNode("http://e/a"), ox.Literal("x"))]
>>> to_csv(["s", "o"], rows)
's,o\r\nhttp://e/a,x\r\n'
"""

from __future__ import annotations

import csv
import io
import json
import re

import pyoxigraph as ox

from kg.rdf.namespaces import PREFIXES

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml")


def shorten(iri: str) -> str:
    """``https://w3id.org/kg/id/x`` → ``kgr:x`` for reading at a terminal."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


# Characters that act on a terminal instead of showing: C0 and C1 controls (NUL, ESC and
# its colour and cursor sequences, backspace, carriage return), DEL, line and paragraph
# separators, and the bidirectional controls that reorder what is shown around them.
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED_ESCAPES = {"\t": "\\t", "\r": "\\r"}


def visible(text: str) -> str:
    """``text`` for one table cell: line breaks as spaces, other characters that would act
    on the terminal written as escapes (``\\x00``, ``\\x1b``, ``\\t``, ``\\u202e``).

    >>> visible("a\\nb\\x00c\\x1b[31md\\u202ee")
    'a b\\\\x00c\\\\x1b[31md\\\\u202ee'
    """
    text = text.replace("\r\n", " ").replace("\n", " ")

    def escape(match: re.Match) -> str:
        char = match.group(0)
        code = ord(char)
        return _NAMED_ESCAPES.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")

    return _UNSHOWABLE.sub(escape, text)


def to_table(variables: list[str], rows: list[tuple]) -> str:
    """Aligned columns, IRIs shortened with the known prefixes, and a row count. Control
    characters in values are shown as escapes (:func:`visible`), never sent to the terminal."""
    cells = [[visible(_cell(t)) for t in row] for row in rows]
    widths = [len(v) for v in variables]
    for row in cells:
        for i, text in enumerate(row):
            widths[i] = min(max(widths[i], len(text)), 80)

    def fit(text: str, width: int) -> str:
        return text if len(text) <= width else text[: width - 1] + "…"

    lines = ["  ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append(
            "  ".join(fit(t, w).ljust(w) for t, w in zip(row, widths, strict=True)).rstrip()
        )
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def to_csv(variables: list[str], rows: list[tuple]) -> str:
    """SPARQL 1.1 Query Results CSV: plain values, CRLF line ends as the spec says."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow(
            [
                "" if t is None else t.value if not isinstance(t, ox.BlankNode) else f"_:{t.value}"
                for t in row
            ]
        )
    return buffer.getvalue()


def _ntriples_term(term) -> str:
    if term is None:
        return ""
    return str(term)


def to_tsv(variables: list[str], rows: list[tuple]) -> str:
    """SPARQL 1.1 Query Results TSV: terms in N-Triples/Turtle syntax."""
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in rows:
        lines.append("\t".join(_ntriples_term(t) for t in row))
    return "\n".join(lines) + "\n"


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    result = {"type": "literal", "value": term.value}
    if term.language:
        result["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        result["datatype"] = term.datatype.value
    return result


def to_json(variables: list[str], rows: list[tuple]) -> str:
    """SPARQL 1.1 Query Results JSON."""
    bindings = [
        {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
        for row in rows
    ]
    document = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def xml_escape(text: str) -> str:
    """``&``, ``<`` and ``>`` escaped (xml.sax.saxutils would import urllib and http: 23 ms).

    >>> xml_escape("a<b & c>")
    'a&lt;b &amp; c&gt;'
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """An XML attribute value in double quotes.

    >>> quoteattr('say "hi"')
    '"say &quot;hi&quot;"'
    """
    escaped = xml_escape(text).replace('"', "&quot;")
    return '"' + escaped.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;") + '"'


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{xml_escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{xml_escape(term.value)}</bnode>"
    attrs = ""
    if term.language:
        attrs = f" xml:lang={quoteattr(term.language)}"
    elif term.datatype.value != XSD_STRING:
        attrs = f" datatype={quoteattr(term.datatype.value)}"
    return f"<literal{attrs}>{xml_escape(term.value)}</literal>"


def to_xml(variables: list[str], rows: list[tuple]) -> str:
    """SPARQL Query Results XML Format (https://www.w3.org/TR/rdf-sparql-XMLres/).

    >>> print(to_xml(["s"], [(ox.NamedNode("http://e/a"),)]), end="")
    <?xml version="1.0"?>
    <sparql xmlns="http://www.w3.org/2005/sparql-results#">
      <head><variable name="s"/></head>
      <results>
        <result><binding name="s"><uri>http://e/a</uri></binding></result>
      </results>
    </sparql>
    """
    head = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
    lines = [
        '<?xml version="1.0"?>',
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
        f"  <head>{head}</head>",
        "  <results>",
    ]
    for row in rows:
        bindings = "".join(
            f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
            for v, t in zip(variables, row, strict=True)
            if t is not None
        )
        lines.append(f"    <result>{bindings}</result>")
    lines += ["  </results>", "</sparql>"]
    return "\n".join(lines) + "\n"


def boolean_xml(value: bool) -> str:
    """An ASK answer in the SPARQL Query Results XML Format.

    >>> print(boolean_xml(True), end="")
    <?xml version="1.0"?>
    <sparql xmlns="http://www.w3.org/2005/sparql-results#">
      <head/>
      <boolean>true</boolean>
    </sparql>
    """
    return (
        '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
        f"  <head/>\n  <boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n"
    )


def boolean_text(value: bool, format_name: str) -> str:
    """An ASK answer in the chosen format (table, CSV and TSV: ``true`` or ``false``).

    >>> boolean_text(False, "json")
    '{"head": {}, "boolean": false}\\n'
    """
    if format_name == "json":
        return json.dumps({"head": {}, "boolean": value}) + "\n"
    if format_name == "xml":
        return boolean_xml(value)
    return ("true" if value else "false") + "\n"


def render_rows(variables: list[str], rows: list[tuple], format_name: str) -> str:
    """SELECT rows in one of :data:`RESULT_FORMATS`."""
    renderers = {"table": to_table, "csv": to_csv, "tsv": to_tsv, "json": to_json, "xml": to_xml}
    return renderers[format_name](variables, rows)
