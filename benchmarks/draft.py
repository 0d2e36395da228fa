"""``python -m benchmarks.draft [FOLDER]``: how much of a facts file ``kg draft`` writes.

FOLDER holds article + facts pairs (``NAME.txt`` + ``NAME.toml``; the bundled
``seeds/`` by default); each facts file is the reference for its article.
``--base FOLDER`` (repeatable) names pairs that are always in the graph and are
not measured: the bundled ``seeds/`` by default when FOLDER is another folder,
since a corpus article's facts file may name what the seed defines
(``python -m benchmarks.draft tests/fixtures/corpus`` drafts each corpus article
against the seed plus the corpus articles before it).

For each article the graph is built from the pairs before it in name order
(``--store-from earlier``, the default with two pairs or more: each article is
new to a graph that holds what came before, as when the folder grew), from all
the *other* pairs (``others``: only when every facts file builds without the
one left out), or from all of them (``all``, the only choice with one pair:
then the measure says how well the draft finds what the graph knows by name).
The article is drafted against that graph, and the draft is compared with the
reference:

- **known entities found**: of the entities the reference names, as nodes of
  its own or as values (``party = "india"``), that the graph already holds and
  that the article names (label, alternative label, X handle, a person's
  surname: in the node's reference quotes, or anywhere in the text for an
  entity named only as a value), the share the draft lists with the same id;
  and of the passages of the reference's nodes that name them, the share the
  draft quotes;
- **dates**: of the date values the reference records (``xsd:date``,
  ``gYearMonth``, ``gYear``, ``gMonthDay``), the share the draft resolves to
  the same value, and the share it resolves at one of the node's passages;
- **quotes not verbatim**: quotes of the draft (active or commented) that are
  not the text at their offsets, or that the loader would place elsewhere;
- **entries to write**: the reference's entries (an id, a type, a label, each
  quote, each property value: about one line each) that the draft does not
  already hold, against the reference's total;
- **builds**: ``kg build --seeds`` on the graph's pairs plus the article and its
  draft, unchanged.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATE_TYPES = {"date", "gYearMonth", "gYear", "gMonthDay"}


@dataclass
class ArticleMeasure:
    """The figures for one article."""

    name: str
    store_from: str
    known: int = 0
    known_found: int = 0
    passages: int = 0
    passages_quoted: int = 0
    dates: int = 0
    dates_resolved: int = 0
    dates_at_passage: int = 0
    quotes: int = 0
    quotes_not_verbatim: int = 0
    entries: int = 0
    entries_provided: int = 0
    draft_lines: int = 0
    builds: bool = False
    build_error: str = ""
    missed: list[str] = field(default_factory=list)
    dates_missed: list[str] = field(default_factory=list)


def _pairs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.txt") if p.with_suffix(".toml").is_file())


def _copy_pairs(pairs: list[Path], target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for text in pairs:
        shutil.copyfile(text, target / text.name)
        shutil.copyfile(text.with_suffix(".toml"), target / text.with_suffix(".toml").name)


def _span(text: str, quote: object) -> tuple[int, int] | None:
    from kg.facts.loader import find_quote

    exact, occurrence = (
        (quote, None) if isinstance(quote, str) else (quote["exact"], quote.get("occurrence"))
    )
    found = find_quote(text, exact, occurrence)
    return None if isinstance(found, str) else found


def _listed(value: object) -> list:
    return value if isinstance(value, list) else [value]


def _entries(table: dict, text: str, is_source: bool) -> set[tuple]:
    """One entry per id, type, label, quote (as its span) and property value."""
    entries = set()
    for key, value in table.items():
        if key == "id" and is_source:
            entries.add(("source-id", value))
            continue
        for item in _listed(value):
            if key == "quote":
                entries.add(("quote", _span(text, item)))
            else:
                name = (
                    key if ":" in key or key in ("id", "type", "label", "implied") else f"kg:{key}"
                )
                entries.add((name, json.dumps(item, sort_keys=True, default=str)))
    return entries


def _value_ids(reference: dict) -> set[str]:
    """The ids the reference's property values name (``"india"``, ``{ value = "india" }``)."""
    skip = {"id", "type", "label", "quote", "implied", "occurrence", "rdfs:comment"}
    found = set()
    for table in [reference.get("source", {}), *reference.get("node", [])]:
        for key, value in table.items():
            if key in skip:
                continue
            for item in _listed(value):
                item = item.get("value") if isinstance(item, dict) else item
                if isinstance(item, str) and re.fullmatch(r"[a-z0-9][a-z0-9-]*", item):
                    found.add(item.removeprefix("kgr:"))
    return found


def _date_ranges(ontology_dir: Path | None) -> set[str]:
    from kg.engine.validation import load_ontology
    from kg.facts.loader import _Vocabulary
    from kg.rdf.namespaces import PREFIXES

    vocabulary = _Vocabulary.from_ontology(load_ontology(ontology_dir))
    xsd = PREFIXES["xsd"]
    keys = set()
    for iri, rng in vocabulary.datatype_ranges.items():
        if rng.startswith(xsd) and rng[len(xsd) :] in DATE_TYPES:
            for prefix, namespace in PREFIXES.items():
                if iri.startswith(namespace):
                    keys.add(f"{prefix}:{iri[len(namespace) :]}")
    return keys


def _same_date(reference: str, drafted: str) -> bool:
    if reference.startswith("--"):  # gMonthDay: --01-27
        return drafted[4:] == reference[1:]
    return drafted == reference


def measure_article(
    article: Path,
    pairs: list[Path],
    store_from: str,
    work: Path,
    date_keys: set[str],
    base: list[Path] = (),
) -> ArticleMeasure:
    """Draft ``article`` against a graph built from ``base`` plus ``pairs`` (chosen by
    ``store_from``) and compare with its reference."""
    import kg
    from kg.draft import _read_graph
    from kg.errors import KgError
    from kg.facts.loader import find_quote
    from kg.facts.mentions import fold

    result = ArticleMeasure(article.stem, store_from)
    text = article.read_text(encoding="utf-8")
    with article.with_suffix(".toml").open("rb") as handle:
        reference = tomllib.load(handle)
    if store_from == "all":
        graph_pairs = pairs
    elif store_from == "others":
        graph_pairs = [p for p in pairs if p != article]
    else:
        graph_pairs = pairs[: pairs.index(article)]
    graph_pairs = [*base, *graph_pairs]
    seeds = work / "seeds"
    store = work / "store"
    _copy_pairs(graph_pairs, seeds)
    try:
        if graph_pairs:
            kg.build(store=store, seeds=seeds)
        else:  # nothing known yet: a graph with only the ontology and a placeholder
            empty = work / "empty"
            empty.mkdir()
            (empty / "none.txt").write_text("-", encoding="utf-8")
            kg.build(store=store, seeds=_ontology_only(empty))
    except KgError as err:
        result.build_error = (
            f"the graph to draft against does not build: {str(err).splitlines()[0]}"
        )
        return result
    drafted = kg.draft(article, store=store)
    graph = _read_graph(store)
    names: dict[str, list[str]] = {}
    for name in graph.names:
        names.setdefault(name.node, []).append(fold(name.text))

    # known entities and their passages
    nodes = {n.id: n for n in drafted.nodes}
    for table in reference.get("node", []):
        node_id = table.get("id")
        if node_id not in graph.types:
            continue
        spans = [s for s in (_span(text, q) for q in _listed(table.get("quote", []))) if s]
        named = []
        for start, end in spans:
            passage = fold(text[start:end])
            if any(
                re.search(rf"(?<!\w){re.escape(n)}(?!\w)", passage) for n in names.get(node_id, [])
            ):
                named.append((start, end))
        if not named:
            continue
        result.known += 1
        result.passages += len(named)
        if node_id in nodes:
            result.known_found += 1
            quoted = [(q.start, q.end) for q in nodes[node_id].quotes]
            result.passages_quoted += sum(
                1 for s, e in named if any(qs < e and s < qe for qs, qe in quoted)
            )
        else:
            result.missed.append(node_id)

    # known entities the reference names only as values, named in the article
    folded_text = fold(text)
    tabled = {t.get("id") for t in reference.get("node", [])}
    for node_id in sorted(_value_ids(reference) - tabled):
        if node_id not in graph.types:
            continue
        if not any(
            re.search(rf"(?<!\w){re.escape(n)}(?!\w)", folded_text) for n in names.get(node_id, [])
        ):
            continue
        result.known += 1
        if node_id in nodes:
            result.known_found += 1
        else:
            result.missed.append(node_id)

    # dates
    tables = [(reference.get("source", {}), True)] + [(t, False) for t in reference.get("node", [])]
    for table, is_source in tables:
        spans = [s for s in (_span(text, q) for q in _listed(table.get("quote", []))) if s]
        for key, value in table.items():
            full = key if ":" in key else f"kg:{key}"
            if full not in date_keys:
                continue
            for item in _listed(value):
                # a value with its own evidence: { value = ..., quote = ... }
                item = str(item.get("value", "")) if isinstance(item, dict) else str(item)
                result.dates += 1
                values = [d for d in drafted.dates if _same_date(item, d.value)]
                if is_source and full == "dcterms:issued" and drafted.source.issued == item:
                    result.dates_resolved += 1
                    result.dates_at_passage += 1
                    continue
                if values:
                    result.dates_resolved += 1
                    if any(d.start < e and s < d.end for d in values for s, e in spans):
                        result.dates_at_passage += 1
                else:
                    result.dates_missed.append(f"{table.get('id')} {full} {item}")

    # quotes: every one the draft writes, active or commented
    quotes = [drafted.source.quote]
    quotes += [q for n in drafted.nodes for q in n.quotes]
    quotes += [c.quote for c in drafted.candidates]
    from kg.facts.writer import Quote

    quotes += [Quote(d.quote, None, d.start, d.end) for d in drafted.dates]
    for quote in quotes:
        result.quotes += 1
        placed = find_quote(text, quote.exact, quote.occurrence)
        at_offsets = text[quote.start : quote.end] == quote.exact
        if not at_offsets or (placed != (quote.start, quote.end) and quote.occurrence is not None):
            result.quotes_not_verbatim += 1

    # entries to write
    draft_data = tomllib.loads(drafted.toml)
    drafted_tables = {t["id"]: t for t in draft_data.get("node", [])}
    provided = _entries(draft_data["source"], text, True)
    wanted = _entries(reference.get("source", {}), text, True)
    result.entries += len(wanted)
    result.entries_provided += len(wanted & provided)
    for table in reference.get("node", []):
        wanted = _entries(table, text, False)
        have = (
            _entries(drafted_tables[table["id"]], text, False)
            if table.get("id") in drafted_tables
            else set()
        )
        result.entries += len(wanted)
        result.entries_provided += len(wanted & have)
    result.draft_lines = sum(
        1 for line in drafted.toml.splitlines() if line.strip() and not line.startswith("#")
    )

    # does the draft build, unchanged, beside the graph's pairs?
    target = work / "with-draft"
    _copy_pairs(graph_pairs, target)
    name = f"draft-{article.stem}" if store_from == "all" else article.stem
    shutil.copyfile(article, target / f"{name}.txt")
    (target / f"{name}.toml").write_text(drafted.toml, encoding="utf-8")
    try:
        kg.build(store=work / "store-with-draft", seeds=target)
        result.builds = True
    except KgError as err:
        result.build_error = str(err).splitlines()[0]
    return result


def _ontology_only(folder: Path) -> Path:
    """A seeds folder whose one facts file declares only its source (for an empty graph)."""
    (folder / "none.toml").write_text(
        '[source]\nid = "none"\ntype = "NewsArticle"\nlabel = "none"\nquote = "-"\n',
        encoding="utf-8",
    )
    return folder


def measure(
    folder: Path, store_from: str | None = None, base: list[Path] | None = None
) -> list[ArticleMeasure]:
    """The figures for every article of ``folder``, drafted against graphs that also
    hold the pairs of the ``base`` folders (by default ``seeds/`` unless ``folder`` is it)."""
    pairs = _pairs(folder)
    if not pairs:
        raise ValueError(f"{folder}: no article + facts pairs (NAME.txt + NAME.toml)")
    if base is None:
        seeds = ROOT / "seeds"
        base = [] if folder.resolve() == seeds.resolve() else [seeds]
    base_pairs = [
        p for b in base for p in _pairs(b) if p.resolve() not in {q.resolve() for q in pairs}
    ]
    names = [p.name for p in [*base_pairs, *pairs]]
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        raise ValueError(f"{folder}: the same file name in the base and the folder: {clash[0]}")
    mode = store_from or ("earlier" if len(pairs) >= 2 else "all")
    date_keys = _date_ranges(None)
    results = []
    with tempfile.TemporaryDirectory(prefix="kg-draft-bench-") as tmp:
        for index, article in enumerate(pairs):
            work = Path(tmp) / str(index)
            work.mkdir()
            results.append(measure_article(article, pairs, mode, work, date_keys, base_pairs))
    return results


_COUNTS = (
    "known", "known_found", "passages", "passages_quoted", "dates", "dates_resolved",
    "dates_at_passage", "quotes", "quotes_not_verbatim", "entries", "entries_provided",
)  # fmt: skip


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "0/0 (-)"


def report(results: list[ArticleMeasure]) -> str:
    """The figures as a table, one row per article and a total."""
    header = (
        "article", "graph from", "known entities found", "their passages quoted",
        "dates resolved", "at the passage", "quotes not verbatim", "entries still to write",
        "builds",
    )  # fmt: skip

    def row(r: ArticleMeasure) -> tuple:
        return (
            r.name,
            r.store_from,
            _share(r.known_found, r.known),
            _share(r.passages_quoted, r.passages),
            _share(r.dates_resolved, r.dates),
            _share(r.dates_at_passage, r.dates),
            f"{r.quotes_not_verbatim} of {r.quotes}",
            f"{r.entries - r.entries_provided} of {r.entries}",
            "yes" if r.builds else f"no: {r.build_error}",
        )

    total = ArticleMeasure("total", results[0].store_from if results else "-")
    for r in results:
        for name in _COUNTS:
            setattr(total, name, getattr(total, name) + getattr(r, name))
    total.builds = all(r.builds for r in results)
    total.build_error = "see above"
    rows = [header, *(row(r) for r in results)]
    if len(results) > 1:
        rows.append(row(total))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for r in results:
        if r.missed:
            lines.append(f"{r.name}: known entities not found: {', '.join(r.missed)}")
        if r.dates_missed:
            lines.append(f"{r.name}: dates not resolved: {'; '.join(r.dates_missed)}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line: print the table (or JSON)."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.draft", description=__doc__.split("\n")[0]
    )
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "seeds")
    parser.add_argument("--store-from", choices=["earlier", "others", "all"], default=None)
    parser.add_argument(
        "--base",
        action="append",
        type=Path,
        default=None,
        help="A folder of pairs always in the graph, not measured (default: seeds/ "
        "unless FOLDER is seeds/; --base none for no base). Repeatable.",
    )
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args(argv)
    base = args.base
    if base is not None:
        base = [b for b in base if str(b) != "none"]
        for b in base:
            if not b.is_dir():
                print(f"benchmarks.draft: --base {b}: not a folder", file=sys.stderr)
                return 2
    try:
        results = measure(args.folder, args.store_from, base)
    except ValueError as err:
        print(f"benchmarks.draft: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        sys.stdout.write(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
