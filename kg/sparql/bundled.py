"""The bundled queries, described by the header each ``.rq`` file opens with.

A header is a block of ``# key: value`` comment lines::

    # title: Who signed the EU–India Security and Defence Partnership
    # question: Who signed it, on behalf of whom, in which office, and when?
    # competency: 2
    # param: fact iri - The IRI of a fact or entity to trace
    # columns: account signatory office date

>>> text = "# title: T\\n# question: Q?\\n# param: x iri optional - An IRI\\nSELECT ?x {}"
>>> spec = parse_header(text)
>>> spec.title, spec.params[0].name, spec.params[0].kind, spec.params[0].required
('T', 'x', 'iri', False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError, QueryError
from kg.rdf.resources import data_dir

PARAM_KINDS = ("iri", "string", "integer", "date", "term")
_HEADER_LINE = re.compile(r"^#\s*([a-z]+)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s+([a-z]+)(\s+optional)?\s*(?:-\s*(.*))?$")


@dataclass(frozen=True)
class Param:
    """A query parameter: bound as an RDF term to the variable of the same name."""

    name: str
    kind: str
    required: bool
    description: str


@dataclass
class QuerySpec:
    """A query and what its header says about it."""

    name: str
    text: str
    title: str = ""
    question: str = ""
    competency: str = ""
    columns: list[str] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)
    path: Path | None = None


def parse_header(text: str, name: str = "<query>", path: Path | None = None) -> QuerySpec:
    """Read the ``# key: value`` header of a query text."""
    spec = QuerySpec(name=name, text=text, path=path)
    where = str(path) if path else name
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER_LINE.match(stripped)
        if not match:
            continue
        key, value = match.groups()
        if key == "title":
            spec.title = value
        elif key == "question":
            spec.question = value
        elif key == "competency":
            spec.competency = value
        elif key == "columns":
            spec.columns = value.split()
        elif key == "param":
            if value.lower() == "none":
                continue
            param = _PARAM.match(value)
            if not param or param.group(2) not in PARAM_KINDS:
                raise InputError(
                    where,
                    f"bad param header {value!r}: write 'name kind [optional] - description'"
                    f" with kind one of {', '.join(PARAM_KINDS)}",
                    line=number,
                )
            spec.params.append(
                Param(param.group(1), param.group(2), not param.group(3), param.group(4) or "")
            )
    return spec


def queries_dir() -> Path:
    """The folder of bundled queries."""
    return data_dir("queries")


def list_queries(directory: Path | None = None) -> list[QuerySpec]:
    """Every bundled query, sorted by name.

    >>> [q.name for q in list_queries()][:1]  # doctest: +SKIP
    ['cooperation-areas']
    """
    directory = directory or queries_dir()
    return [load_query_file(p) for p in sorted(directory.glob("*.rq"), key=lambda p: p.stem)]


def load_query_file(path: Path) -> QuerySpec:
    """A query from a file, its header parsed."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except UnicodeDecodeError as err:
        raise InputError(str(path), f"not UTF-8 (byte {err.start})") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a directory, not a query file") from None
    except OSError as err:
        raise InputError(str(path), f"cannot read: {err.strerror}") from None
    return parse_header(text, name=path.stem, path=path)


def resolve_query(name_or_file: str) -> QuerySpec:
    """A bundled query by name, or a ``.rq`` file by path."""
    path = Path(name_or_file)
    if name_or_file.endswith(".rq") or path.is_file():
        return load_query_file(path)
    candidate = queries_dir() / f"{name_or_file}.rq"
    if candidate.is_file():
        return load_query_file(candidate)
    known = ", ".join(q.name for q in list_queries())
    raise QueryError(f"unknown query {name_or_file!r}: known queries are {known}")


def markdown_table(specs: list[QuerySpec] | None = None) -> str:
    """The README's table of bundled queries, generated from their headers.

    >>> markdown_table([parse_header("# title: T\\n# question: Q?\\nSELECT * {}", name="t")])
    '| query | question | parameters |\\n| --- | --- | --- |\\n| `t` | Q? | |\\n'
    """
    specs = list_queries() if specs is None else specs
    lines = ["| query | question | parameters |", "| --- | --- | --- |"]
    for spec in specs:
        params = ", ".join(
            f"`{p.name}` ({p.kind}{'' if p.required else ', optional'})" for p in spec.params
        )
        question = spec.question.replace("|", "\\|")
        lines.append(f"| `{spec.name}` | {question} | {params} |".replace(" |  |", " | |"))
    return "\n".join(lines) + "\n"


README_START = "<!-- queries:start -->"
README_END = "<!-- queries:end -->"


def refresh_readme(readme: Path) -> bool:
    """Rewrite the queries table between the README's markers; True if it changed."""
    text = readme.read_text(encoding="utf-8")
    head, _, rest = text.partition(README_START)
    _, _, tail = rest.partition(README_END)
    new = f"{head}{README_START}\n{markdown_table()}{README_END}{tail}"
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":  # python -m kg.queries README.md: regenerate the table
    import sys

    changed = refresh_readme(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md"))
    print("README.md updated" if changed else "README.md already up to date")
