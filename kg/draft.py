"""Draft a facts file for a new article: the nodes the graph already knows, the dates
the text gives, and what is left to decide, in a file that builds as it is.

Offline and deterministic: the only knowledge used is the built graph's own
labels (``rdfs:label``, ``skos:altLabel``, ``skos:prefLabel``, ``kg:xHandle``)
and types, and the rules in :mod:`kg.facts.dates`.

>>> result = draft("new-article.txt", store="build")  # doctest: +SKIP
>>> print(result.toml)  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import hashlib
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kg.errors import InputError, UsageError
from kg.rdf.namespaces import GRAPH_INFERRED, GRAPH_META, GRAPH_ONTOLOGY, KG, KG_ID, PREFIXES

_NAME_KINDS = {
    "http://www.w3.org/2000/01/rdf-schema#label": "rdfs:label",
    PREFIXES["skos"] + "altLabel": "skos:altLabel",
    PREFIXES["skos"] + "prefLabel": "skos:prefLabel",
    KG + "xHandle": "kg:xHandle",
}
_ASSERTED = f"FILTER(?g NOT IN (<{GRAPH_ONTOLOGY}>, <{GRAPH_INFERRED}>, <{GRAPH_META}>))"
_NAMES = f"""
SELECT ?node ?p ?name WHERE {{
  GRAPH ?g {{ ?node ?p ?name }}
  VALUES ?p {{ {" ".join(f"<{p}>" for p in _NAME_KINDS)} }}
  {_ASSERTED}
  FILTER(isLiteral(?name) && STRSTARTS(STR(?node), "{KG_ID}"))
}}"""
_TYPES = f"""
SELECT ?node ?type WHERE {{
  GRAPH ?g {{ ?node a ?type }}
  {_ASSERTED}
  FILTER(STRSTARTS(STR(?node), "{KG_ID}"))
}}"""
_CLASSES = f"""
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class ?source ?person WHERE {{
  GRAPH <{GRAPH_ONTOLOGY}> {{
    {{ ?class a owl:Class }} UNION {{ ?class a rdfs:Class }}
    OPTIONAL {{ ?class rdfs:subClassOf* ?source . FILTER(?source = <{KG}SourceDocument>) }}
    OPTIONAL {{ ?class rdfs:subClassOf* ?person . FILTER(?person = <{PREFIXES["foaf"]}Person>) }}
  }}
}}"""
_SOURCES = f"""
SELECT ?source ?sha WHERE {{ GRAPH ?g {{ ?source <{KG}sha256> ?sha }} {_ASSERTED} }}"""


@dataclass
class Draft:
    """A drafted facts file (``toml``) and what went into it."""

    article: Path
    toml: str
    source: object  # kg.facts.writer.SourceDraft
    nodes: list = field(default_factory=list)  # kg.facts.writer.NodeDraft
    dates: list = field(default_factory=list)  # kg.facts.dates.DateMention
    candidates: list = field(default_factory=list)  # kg.facts.writer.CandidateDraft
    sentences: list = field(default_factory=list)  # kg.facts.writer.SentenceNote
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the terminal."""
        covered = sum(1 for s in self.sentences if s.known or s.dates or s.new)
        return (
            f"drafted {self.article.name}: {len(self.nodes)} nodes already in the graph, "
            f"{len(self.dates)} dates, {len(self.candidates)} candidates to confirm; "
            f"something found in {covered} of {len(self.sentences)} sentences"
        )


@dataclass
class _Graph:
    """What the draft needs from the built graph."""

    names: list  # kg.facts.mentions.Name
    types: dict[str, list[str]]  # id -> declared classes, prefixed
    labels: dict[str, str]  # id -> rdfs:label
    source_classes: set[str]  # prefixed names of kg:SourceDocument and its subclasses
    sources_by_sha: dict[str, str]


def _prefixed(iri: str) -> str | None:
    if iri.startswith(KG):
        return iri[len(KG) :]
    for prefix, namespace in PREFIXES.items():
        if prefix not in ("kgr", "kgg", "kgsh") and iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return None


def _read_graph(store_root: Path) -> _Graph:
    from kg.facts.loader import ID_PATTERN
    from kg.facts.mentions import Name, fold
    from kg.store.versions import open_store

    store = open_store(store_root)
    declared: set[str] = set()
    source_classes: set[str] = set()
    person_classes: set[str] = set()
    for row in store.query(_CLASSES):
        name = _prefixed(row["class"].value)
        if name is not None:
            declared.add(name)
            if row["source"] is not None:
                source_classes.add(name)
            if row["person"] is not None:
                person_classes.add(name)
    types: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_TYPES):
        name = _prefixed(row["type"].value)
        if name in declared:
            types[row["node"].value[len(KG_ID) :]].add(name)
    labels: dict[str, list[str]] = defaultdict(list)
    raw_names: list[tuple[str, str, str]] = []
    for row in store.query(_NAMES):
        node = row["node"].value[len(KG_ID) :]
        kind = _NAME_KINDS[row["p"].value]
        raw_names.append((row["name"].value, node, kind))
        if kind == "rdfs:label" and row["name"].value.strip():
            labels[node].append(row["name"].value)
    usable = {n for n in types if ID_PATTERN.match(n) and labels.get(n)}
    names = []
    for text, node, kind in sorted(set(raw_names)):
        if node not in usable:
            continue
        if kind == "kg:xHandle" and types[node] & source_classes:
            continue  # a post carries its author's handle; the handle names the account
        names.append(Name(text, node, kind))
    # A person is also named by the rest of their name: "Kallas", "von der Leyen".
    taken = {fold(n.text) for n in names}
    for node in sorted(usable):
        if not types[node] & person_classes:
            continue
        for label in labels[node]:
            words = label.split()
            rest = " ".join(words[1:])
            if (
                len(words) >= 2
                and rest[:1].isalpha()
                and len(rest) >= 3
                and fold(rest) not in taken
            ):
                names.append(Name(rest, node, "surname, from rdfs:label"))
    sources = {row["sha"].value: row["source"].value[len(KG_ID) :] for row in store.query(_SOURCES)}
    return _Graph(
        names=names,
        types={n: sorted(types[n]) for n in usable},
        labels={n: min(labels[n]) for n in usable},
        source_classes=source_classes,
        sources_by_sha=sources,
    )


def _read_article(path: Path) -> tuple[str, bytes]:
    from kg.rdf.io import read_input

    data = read_input(path, "an article (a text file)")
    try:
        return data.decode("utf-8"), data
    except UnicodeDecodeError as err:
        raise InputError(str(path), f"is not UTF-8 text (byte {err.start})") from None


def _parse_issued(value: str | date | None, where: str) -> date | None:
    from kg.facts.dates import find_dates

    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        written = [d for d in find_dates(value, None) if d.datatype == "xsd:date"]
        if written:
            return date.fromisoformat(written[0].value)
    raise UsageError(f"{where}: {value!r} is not a date (write it as YYYY-MM-DD)")


def _unique(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 2
    while candidate in taken:
        candidate, n = f"{wanted}-{n}", n + 1
    taken.add(candidate)
    return candidate


def draft(
    article: Path | str,
    *,
    store: Path | str | None = None,
    issued: str | date | None = None,
) -> Draft:
    """Draft a facts file for ``article`` against the built graph in ``store``.

    ``issued`` (``YYYY-MM-DD``) overrides the date of issue read from the text;
    relative dates ("on Tuesday") are resolved against it. Raises
    :class:`~kg.errors.InputError` for an unreadable article and
    :class:`~kg.errors.StoreError` when nothing was built.
    """
    from kg.facts.dateline import read_dateline, read_header, slug
    from kg.facts.dates import find_dates, issue_date
    from kg.facts.mentions import candidates as find_candidates
    from kg.facts.mentions import find_mentions, fold, occurrence
    from kg.facts.sentences import split_sentences
    from kg.facts.writer import (
        CandidateDraft,
        NodeDraft,
        Quote,
        SentenceNote,
        SourceDraft,
        render,
    )
    from kg.rdf.resources import default_store

    article = Path(article)
    text, data = _read_article(article)
    graph = _read_graph(Path(store) if store else default_store())
    warnings: list[str] = []
    known_source = graph.sources_by_sha.get(hashlib.sha256(data).hexdigest())
    if known_source:
        warnings.append(f"{article}: this text is already in the graph as kgr:{known_source}")

    def quote_at(start: int, end: int) -> Quote:
        exact = text[start:end]
        return Quote(exact, occurrence(text, exact, start), start, end)

    # --- the source: header, dateline, date of issue
    header = read_header(text)
    dateline = read_dateline(text, header.body_start)
    anchor = _parse_issued(issued, "--issued")
    issued_note = "given with --issued"
    if anchor is None and (header.fields.get("date") or header.fields.get("published")):
        field_name = "date" if "date" in header.fields else "published"
        anchor = _parse_issued(header.fields[field_name], f"{article}: header {field_name}")
        issued_note = f"the file's header ({field_name})"
    if anchor is None and dateline is not None:
        if dateline.year and dateline.month and dateline.day:
            with contextlib.suppress(ValueError):  # "February 30, 2026": not a date
                anchor = date(dateline.year, dateline.month, dateline.day)
                issued_note = "the dateline"
        if anchor is None:
            anchor, issued_note = issue_date(text, dateline.month, dateline.day)
            if anchor is None:
                warnings.append(f"{article}: no date of issue found ({issued_note}); use --issued")

    dates = find_dates(text, anchor)
    generic: list[tuple[int, int]] = []
    mentions = find_mentions(text, graph.names, generic)

    # --- nodes the graph knows, in the order the text first names them
    by_node: dict[str, list] = defaultdict(list)
    for mention in mentions:
        for node in mention.nodes:
            by_node[node].append(mention)
    nodes = []
    for node, found in sorted(by_node.items(), key=lambda item: (item[1][0].start, item[0])):
        named = []
        for mention in found:
            for name in mention.names:
                if name.node == node:
                    entry = f"{name.text!r} ({name.kind})"
                    if entry not in named:
                        named.append(entry)
        others = sorted({n for m in found for n in m.nodes if n != node})
        nodes.append(
            NodeDraft(
                id=node,
                types=graph.types[node],
                label=graph.labels[node],
                quotes=[quote_at(m.start, m.end) for m in found],
                named_as=named,
                ambiguous=others,
            )
        )
    in_draft = {n.id for n in nodes}

    def known_as(words: str | None, wanted_class: str | None = None) -> str | None:
        if not words:
            return None
        ids = sorted(
            {
                n.node
                for n in graph.names
                if fold(n.text) == fold(words)
                and n.node in in_draft
                and (wanted_class is None or wanted_class in graph.types[n.node])
            }
        )
        return ids[0] if ids else None

    agency = header.fields.get("agency") or header.fields.get("publisher")
    agency = agency or (dateline.agency if dateline else None)
    source_type = header.fields.get("type", "NewsArticle")
    if source_type not in graph.source_classes:
        source_type = "NewsArticle"
    taken_ids = set(graph.types) | in_draft
    source_id = _unique(
        "-".join(
            part
            for part in (
                slug(agency or "article"),
                anchor.isoformat() if anchor else "",
                slug(article.stem),
            )
            if part
        ),
        taken_ids,
    )
    sentences = split_sentences(text)
    body_start = dateline.end if dateline else header.body_start
    body_sentences = [s for s in sentences if s.end > body_start]
    title = header.fields.get("title") or header.fields.get("headline")
    if not title and body_sentences:
        first = text[max(body_start, body_sentences[0].start) : body_sentences[0].end]
        first = first.lstrip(":-–— \t").rstrip(".")
        title = first if len(first) <= 80 else first[:80].rsplit(" ", 1)[0] + "…"
    when = f"{anchor.day} {anchor.strftime('%B')} {anchor.year}" if anchor else None
    credit = ", ".join(p for p in (agency, when) if p)
    label = f"{title or article.stem} ({credit})" if credit else (title or article.stem)
    if dateline is not None:
        source_quote = quote_at(dateline.start, dateline.end)
    elif title and header.fields and title in text:
        start = text.index(title)
        source_quote = quote_at(start, start + len(title))
    elif body_sentences:
        source_quote = quote_at(body_sentences[0].start, body_sentences[0].end)
    else:
        raise InputError(str(article), "has no text to draft from")
    place = known_as(dateline.place if dateline else None, "schema:Place")
    publisher = known_as(agency)
    notes = []
    if dateline is not None and dateline.place and place is None:
        place_id = slug(dateline.place)
        notes.append(
            f'"schema:locationCreated" = "{place_id}"  # {dateline.place}: not in the graph'
        )
    if agency and publisher is None:
        notes.append(f'"dcterms:publisher" = "{slug(agency)}"  # {agency}: not in the graph')
    if anchor is None:
        notes.append('"dcterms:issued" = "YYYY-MM-DD"  # no date of issue found')
    source = SourceDraft(
        id=source_id,
        type=source_type,
        label=label,
        quote=source_quote,
        dateline=dateline.text if dateline else None,
        issued=anchor.isoformat() if anchor else None,
        issued_note=issued_note,
        place=place,
        publisher=publisher,
        notes=notes,
    )

    # --- what the graph does not know yet
    taken = [(m.start, m.end) for m in mentions] + [(d.start, d.end) for d in dates] + generic
    found_candidates = find_candidates(text, taken)
    cands = []
    for cand in found_candidates:
        wanted = "x-account-" + slug(cand.quote[1:]) if cand.handle else slug(cand.quote)
        cands.append(
            CandidateDraft(
                id=_unique(wanted or "node", taken_ids),
                label=cand.quote,
                quote=quote_at(cand.start, cand.end),
                count=cand.count,
                handle=cand.handle,
            )
        )

    # --- the text, sentence by sentence
    notes_per_sentence = []
    mention_starts = [m.start for m in mentions]  # mentions and dates are in text order
    date_starts = [d.start for d in dates]
    new_spans = sorted(
        (s, e, c.id) for c, raw in zip(cands, found_candidates, strict=True) for s, e in raw.spans
    )
    new_starts = [s for s, _e, _id in new_spans]
    for sentence in sentences:
        lo, hi = sentence.start, sentence.end
        known = list(
            dict.fromkeys(
                n
                for m in mentions[bisect_left(mention_starts, lo) : bisect_left(mention_starts, hi)]
                if m.end <= hi
                for n in m.nodes
            )
        )
        in_dates = list(
            dict.fromkeys(
                d.value
                for d in dates[bisect_left(date_starts, lo) : bisect_left(date_starts, hi)]
                if d.end <= hi
            )
        )
        new = list(
            dict.fromkeys(
                cid
                for s, e, cid in new_spans[
                    bisect_left(new_starts, lo) : bisect_left(new_starts, hi)
                ]
                if e <= hi
            )
        )
        notes_per_sentence.append(SentenceNote(sentence, known, in_dates, new))

    date_quotes = {d.start: quote_at(d.start, d.end) for d in dates}
    toml = render(article.name, source, nodes, dates, date_quotes, cands, notes_per_sentence)
    return Draft(
        article=article,
        toml=toml,
        source=source,
        nodes=nodes,
        dates=dates,
        candidates=cands,
        sentences=notes_per_sentence,
        warnings=warnings,
    )
