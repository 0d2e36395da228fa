"""kg queries: the catalogue read from the .rq headers."""

from __future__ import annotations

import pytest

from kg.errors import InputError
from kg.sparql.bundled import list_queries, parse_header
from tests.conftest import ROOT, run_kg


def test_header_fields():
    spec = parse_header(
        "# title: T\n# question: Q?\n# competency: 4\n# columns: a b\n"
        "# param: fact iri - A fact\n# param: n integer optional - A number\nSELECT * {}"
    )
    assert (spec.title, spec.question, spec.competency, spec.columns) == (
        "T",
        "Q?",
        "4",
        ["a", "b"],
    )
    assert [(p.name, p.kind, p.required) for p in spec.params] == [
        ("fact", "iri", True),
        ("n", "integer", False),
    ]


def test_bad_param_header_names_the_line(tmp_path):
    with pytest.raises(InputError) as caught:
        parse_header("# title: T\n# param: x colour - no\nSELECT * {}", path=tmp_path / "q.rq")
    assert str(caught.value) == (
        f"{tmp_path / 'q.rq'}:2: bad param header 'x colour - no': write 'name kind [optional]"
        " - description' with kind one of iri, string, integer, date, term"
    )


def test_every_bundled_query_has_a_complete_header():
    specs = list_queries()
    assert len(specs) == 13
    assert sorted(int(s.competency) for s in specs) == list(range(1, 14))
    for spec in specs:
        assert spec.title and spec.question.endswith("?") and spec.columns, spec.name


def test_cli_lists_them():
    result = run_kg("queries")
    assert result.exit_code == 0
    names = [line.split(":")[0] for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert names == sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
