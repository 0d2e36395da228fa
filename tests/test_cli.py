"""The CLI as a whole: help with examples, --debug, python -m kg, one vocabulary of options."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kg.cli import cli
from tests.conftest import ROOT, run_kg


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(command):
    result = run_kg(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout, command
    assert f"kg {command}" in result.stdout


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_options_mean_the_same_everywhere(command):
    params = {p.name: p for p in cli.commands[command].params}
    if "output" in params:
        assert params["output"].opts == ["-o", "--output"]
    if "input_format" in params:
        assert params["input_format"].opts == ["--input-format"]
    if "format_name" in params:
        assert params["format_name"].opts == ["--format"]


def test_debug_shows_the_traceback(tmp_path):
    quiet = run_kg("query", "nope", "--store", tmp_path)
    assert "Traceback" not in quiet.stderr
    with pytest.raises(Exception) as caught:
        run_kg("--debug", "query", "nope", "--store", tmp_path)
    assert type(caught.value).__name__ == "QueryError"


def test_python_dash_m_kg_and_exit_code_2_from_a_real_process(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "kg", "query", "signing", "--store", str(tmp_path / "none")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"kg: error: no built graph in {tmp_path / 'none'}/: run kg build first (or pass --store)\n"
    )


def test_usage_errors_are_one_line_and_exit_2():
    result = run_kg("export", "--format", "pdf")
    assert result.exit_code == 2
    assert result.stderr == (
        "kg: error: Invalid value for '--format': 'pdf' is not one of 'turtle', 'ntriples', "
        "'nquads', 'trig', 'jsonld'. (see kg export --help)\n"
    )
    result = run_kg("frobnicate")
    assert (result.exit_code, result.stderr) == (
        2,
        "kg: error: No such command 'frobnicate'. (see kg --help)\n",
    )


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_an_api_function_of_the_same_name(command):
    import kg

    name = "list_queries" if command == "queries" else command
    assert name in kg.__all__
    assert callable(getattr(kg, name))


def test_validate_alone_without_files_says_what_it_needs(tmp_path):
    """--alone is about files; without any it used to validate the store silently."""
    result = run_kg("validate", "--alone", "--store", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (
        "kg: error: --alone validates files by themselves: name the files to validate\n"
    )
