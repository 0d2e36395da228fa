"""Messages an author meets while writing a facts file name the fix."""

from __future__ import annotations

import shutil

from tests.conftest import MINI, run_kg


def _seeds(tmp_path, old: str, new: str):
    seeds = tmp_path / "seeds"
    shutil.copytree(MINI / "seeds", seeds)
    facts = seeds / "001_mini.toml"
    text = facts.read_text(encoding="utf-8")
    assert old in text
    facts.write_text(text.replace(old, new, 1), encoding="utf-8")
    return seeds, facts


def test_a_duplicate_key_says_so_with_the_file_and_line(tmp_path):
    seeds, facts = _seeds(tmp_path, 'label = "Asha Rao"\n', 'label = "Asha Rao"\nlabel = "Rao"\n')
    line = facts.read_text(encoding="utf-8").splitlines().index('label = "Rao"') + 1
    result = run_kg(
        "build", "--seeds", seeds, "--ontology", MINI / "ontology", "--store", tmp_path / "s"
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"kg: error: {facts}:{line}: duplicate key label: a table may give each key once\n"
    )


def test_an_unknown_property_suggests_the_closest_declared_one(tmp_path):
    seeds, facts = _seeds(tmp_path, '"kg:meetingDate"', '"kg:meetDate"')
    result = run_kg(
        "build", "--seeds", seeds, "--ontology", MINI / "ontology", "--store", tmp_path / "s"
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"kg: error: {facts}: node 'rao-ott-meeting': unknown property 'kg:meetDate':"
        " the ontology does not declare it (did you mean 'kg:meetingDate'?)\n"
    )


def test_an_unknown_class_suggests_the_closest_declared_one(tmp_path):
    seeds, facts = _seeds(tmp_path, 'type = "Meeting"', 'type = "Meting"')
    result = run_kg(
        "build", "--seeds", seeds, "--ontology", MINI / "ontology", "--store", tmp_path / "s"
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"kg: error: {facts}: node 'rao-ott-meeting': unknown class 'Meting':"
        " the ontology does not declare it (did you mean 'kg:Meeting'?)\n"
    )
