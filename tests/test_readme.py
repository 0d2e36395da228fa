"""The README stays true: its examples are real output and its queries table is fresh."""

from __future__ import annotations

import shutil

from kg.cli import cli
from kg.sparql.bundled import README_END, README_START, markdown_table
from tests.readme_examples import README, normalise, render


def test_the_queries_table_is_generated_from_the_headers():
    text = README.read_text(encoding="utf-8")
    table = text.split(README_START, 1)[1].split(README_END, 1)[0]
    assert table.strip() == markdown_table().strip(), "run: python -m kg.sparql.bundled README.md"


def test_every_example_output_is_what_the_command_prints(seed_store, tmp_path):
    store = tmp_path / "build"
    shutil.copytree(seed_store, store)
    text = README.read_text(encoding="utf-8")
    assert normalise(render(text, store)) == normalise(text), "run: python -m tests.readme_examples"


def test_every_command_has_a_section():
    text = README.read_text(encoding="utf-8")
    missing = [name for name in cli.commands if f"### kg {name}" not in text]
    assert missing == []


def test_the_readme_opens_with_the_two_commands():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert lines[2] == "```sh" and lines[5] == "```"
    assert lines[3].startswith("make demo ") and lines[4].startswith("make test ")


def test_the_python_api_example_runs(tmp_path, monkeypatch, capsys):
    text = README.read_text(encoding="utf-8").split("## Python API", 1)[1]
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    shutil.copy(README.parent / "tests" / "fixtures" / "readme" / "new-facts.ttl", tmp_path)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md (Python API)", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("('https://w3id.org/kg/id/signing-according-to-")
    assert printed[-1].startswith("False False [")  # neither passes nor conforms
    assert "Every node needs evidence" in printed[-1]
