"""Writing a draft facts file: TOML that the facts loader reads as it is, with what is
still to decide in comments.

Only string values, offsets and ids are written; every string goes through
:func:`toml_string`, and comments are cleaned of the control characters TOML
forbids in them.

>>> toml_string('say "hi"\\n')
'"say \\\\"hi\\\\"\\\\n"'
>>> quote_value([Quote("EU", 2, 7, 9)])
'{ exact = "EU", occurrence = 2 }'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.facts.dates import DateMention
from kg.facts.sentences import Sentence

RULE = "# " + "=" * 75
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


@dataclass(frozen=True)
class Quote:
    """A passage to quote: its exact text, which occurrence it is (None: the only one), offsets."""

    exact: str
    occurrence: int | None
    start: int
    end: int


@dataclass
class SourceDraft:
    """The ``[source]`` table: guessed values, each with why, and what is left as a comment."""

    id: str
    type: str
    label: str
    quote: Quote
    dateline: str | None = None
    issued: str | None = None
    issued_note: str = ""
    place: str | None = None  # id of a known place
    publisher: str | None = None  # id of a known agency
    notes: list[str] = field(default_factory=list)  # commented lines for what is unknown


@dataclass
class NodeDraft:
    """A node the graph already holds, as the article names it."""

    id: str
    types: list[str]
    label: str
    quotes: list[Quote]
    named_as: list[str]  # 'EU' (skos:altLabel), ...
    ambiguous: list[str] = field(default_factory=list)  # other ids the same passages name


@dataclass
class CandidateDraft:
    """A name or handle the graph does not know, to confirm."""

    id: str
    label: str
    quote: Quote
    count: int
    handle: bool


@dataclass
class SentenceNote:
    """A sentence and what the draft found in it."""

    sentence: Sentence
    known: list[str]
    dates: list[str]
    new: list[str]


def toml_string(value: str) -> str:
    """A TOML basic string."""
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def comment(text: str) -> str:
    """``text`` made safe for a TOML comment (one line, no control characters)."""
    return _CONTROL.sub(" ", text)


def quote_value(quotes: list[Quote]) -> str:
    """The value of a one-quote ``quote`` key."""
    (quote,) = quotes
    if quote.occurrence is None:
        return toml_string(quote.exact)
    return f"{{ exact = {toml_string(quote.exact)}, occurrence = {quote.occurrence} }}"


def _quote_lines(quotes: list[Quote], prefix: str = "") -> list[str]:
    if len(quotes) == 1:
        q = quotes[0]
        return [f"{prefix}quote = {quote_value(quotes)}  # {q.start}-{q.end}"]
    lines = [f"{prefix}quote = ["]
    for q in quotes:
        lines.append(f"{prefix}  {quote_value([q])},  # {q.start}-{q.end}")
    lines.append(f"{prefix}]")
    return lines


def _type_value(types: list[str]) -> str:
    if len(types) == 1:
        return toml_string(types[0])
    return "[" + ", ".join(toml_string(t) for t in types) + "]"


def render(
    text_name: str,
    source: SourceDraft,
    nodes: list[NodeDraft],
    dates: list[DateMention],
    date_quotes: dict[int, Quote],
    candidates: list[CandidateDraft],
    sentences: list[SentenceNote],
) -> str:
    """The draft facts file for the article ``text_name``."""
    lines = [
        f"# Draft facts for {comment(text_name)}, written by kg draft from the labels of the",
        "# built graph. It builds as it is. Next: check the guesses in [source], add the facts",
        "# the article states (dates to use are listed below), confirm the candidate nodes,",
        "# and cover the sentences at the end. Format: docs/facts-format.md; the classes and",
        "# properties you may use: kg vocab.",
        "",
        "[source]",
        f"id = {toml_string(source.id)}  # a guess: agency, date of issue, file name",
        f"type = {toml_string(source.type)}",
        f"label = {toml_string(source.label)}  # a guess: write the headline",
        *_quote_lines([source.quote]),
    ]
    if source.dateline is not None:
        lines.append(f'"schema:dateline" = {toml_string(source.dateline)}')
    if source.place is not None:
        lines.append(f'"schema:locationCreated" = {toml_string(source.place)}')
    if source.publisher is not None:
        lines.append(f'"dcterms:publisher" = {toml_string(source.publisher)}')
    if source.issued is not None:
        lines.append(
            f'"dcterms:issued" = {toml_string(source.issued)}  # {comment(source.issued_note)}'
        )
    lines.extend(f"# {comment(note)}" for note in source.notes)

    lines += [
        "",
        RULE,
        f"# In the graph already ({len(nodes)}): the same id merges with what the graph says.",
        "# Each quote is a passage that names the node; keep those that support a fact.",
        RULE,
    ]
    for node in nodes:
        lines.append("")
        lines.append(f"# named {comment(', '.join(node.named_as))}")
        if node.ambiguous:
            lines.append(
                f"# the same words also name {', '.join(node.ambiguous)}: keep the one meant"
            )
        lines += [
            "[[node]]",
            f"id = {toml_string(node.id)}",
            f"type = {_type_value(node.types)}",
            f"label = {toml_string(node.label)}",
            *_quote_lines(node.quotes),
        ]

    lines += [
        "",
        RULE,
        f"# Dates in the text ({len(dates)})"
        + (f", resolved against the date of issue {source.issued}." if source.issued else "."),
        "# Put a value on the property it dates (kg vocab) with its passage among the node's",
        "# quotes; an implied value needed resolving: say how in rdfs:comment.",
        RULE,
    ]
    for found in dates:
        flag = "implied" if found.implied else "stated"
        quote = quote_value([date_quotes[found.start]])
        lines.append(f"# {toml_string(found.value)}  {flag}  quote = {comment(quote)}")
        lines.append(f"#     {found.start}-{found.end}, {found.datatype}: {comment(found.note)}")

    lines += [
        "",
        RULE,
        f"# Not in the graph ({len(candidates)}): names and X handles to confirm. Uncomment those",
        "# that are entities; give each a type (kg vocab), a good id and label.",
        RULE,
    ]
    for cand in candidates:
        times = f", {cand.count} times in the text" if cand.count > 1 else ""
        quote = cand.quote
        lines += [
            "",
            "# [[node]]",
            f"# id = {comment(toml_string(cand.id))}",
            "# type = " + ('"XAccount"' if cand.handle else '"?"'),
            f"# label = {comment(toml_string(cand.label))}",
            f"# quote = {comment(quote_value([quote]))}  # {quote.start}-{quote.end}{times}",
        ]
        if cand.handle:
            lines.append(f'# "kg:xHandle" = {comment(toml_string(cand.label))}')
            lines.append('# "kg:accountOf" = "?"  # the id of whoever holds the account')

    lines += [
        "",
        RULE,
        "# The text, sentence by sentence: [start-end] the sentence, then what this draft",
        "# found in it. A sentence with nothing found is not yet covered.",
        RULE,
    ]
    for note in sentences:
        s = note.sentence
        lines.append(f"# [{s.start}-{s.end}] {comment(s.text)}")
        parts = []
        if note.known:
            parts.append("known: " + ", ".join(note.known))
        if note.dates:
            parts.append("dates: " + ", ".join(note.dates))
        if note.new:
            parts.append("new: " + ", ".join(comment(n) for n in note.new))
        lines.append("#     " + ("; ".join(parts) if parts else "(nothing found)"))
    return "\n".join(lines) + "\n"
