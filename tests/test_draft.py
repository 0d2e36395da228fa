"""kg draft: a facts file to start from, that builds as it is; the dates it resolves; the
measure of how much it writes. ``python -m tests.test_draft`` rewrites the pinned draft."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest

import kg
from kg.facts.dates import find_dates, issue_date
from kg.facts.mentions import Name, find_mentions
from tests.conftest import FIXTURES, ROOT, run_kg

DRAFTS = FIXTURES / "draft"
KOREA = DRAFTS / "eu-korea.txt"
CORPUS = FIXTURES / "corpus"
EXPECTED = DRAFTS / "eu-korea.expected.toml"
SEED = ROOT / "seeds" / "000_74f78cd287be197f.txt"


def kg_process(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True, cwd=ROOT
    )


def test_the_draft_of_a_small_article_is_pinned(seed_store):
    result = kg_process("draft", KOREA, "--store", seed_store)
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED.read_text(encoding="utf-8"), "python -m tests.test_draft"
    assert result.stderr == (
        "drafted eu-korea.txt: 6 nodes already in the graph, 5 dates, 4 candidates to confirm;"
        " something found in 5 of 5 sentences\n"
    )


@pytest.mark.parametrize(
    "article", [KOREA, DRAFTS / "eu-japan.txt", DRAFTS / "eu-moldova-norway.txt", SEED]
)
def test_a_draft_builds_unchanged_beside_the_seeds_the_graph_came_from(
    seed_store, tmp_path, article
):
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    name = f"new-{article.stem}"  # the seed's own text too, under another name
    shutil.copyfile(article, seeds / f"{name}.txt")
    drafted = kg_process(
        "draft", seeds / f"{name}.txt", "-o", seeds / f"{name}.toml", "--store", seed_store
    )
    assert drafted.returncode == 0, drafted.stderr
    built = kg_process("build", "--seeds", seeds, "--store", tmp_path / "store")
    assert built.returncode == 0, built.stdout + built.stderr
    assert "facts from 2 sources" in built.stderr


def test_known_nodes_keep_their_ids_types_and_labels_and_merge(seed_store):
    result = kg.draft(KOREA, store=seed_store)
    ids = [n.id for n in result.nodes]
    assert ids == [
        "ani", "european-union", "south-korea", "office-high-representative", "japan",
        "eu-south-korea-sdp",
    ]  # fmt: skip
    data = tomllib.loads(result.toml)
    korea = next(t for t in data["node"] if t["id"] == "eu-south-korea-sdp")
    assert korea["type"] == "SecurityDefencePartnership"
    assert korea["label"] == "EU–South Korea Security and Defence Partnership"
    # "a Security and Defence Partnership" is some partnership, not the EU–India one
    assert "eu-india-sdp" not in ids
    assert data["source"]["dcterms:publisher"] == "ani"
    assert data["source"]["dcterms:issued"] == "2024-11-04"


def test_every_quote_of_every_draft_is_verbatim_at_its_offsets(seed_store):
    for article in [*sorted(DRAFTS.glob("*.txt")), SEED]:
        result = kg.draft(article, store=seed_store)
        text = article.read_text(encoding="utf-8")
        quotes = [result.source.quote, *(q for n in result.nodes for q in n.quotes)]
        quotes += [c.quote for c in result.candidates]
        for quote in quotes:
            assert text[quote.start : quote.end] == quote.exact
        for found in result.dates:
            assert text[found.start : found.end] == found.quote


@pytest.mark.parametrize(
    ("article", "expected"),
    [
        (
            "eu-korea.txt",
            [
                ("November 4", "2024-11-04", True),  # the dateline; the year from the text
                ("on Monday", "2024-11-04", True),
                ("1 November 2024", "2024-11-01", False),
                ("Three days later", "2024-11-04", True),
                ("November 4", "2024-11-04", True),
            ],
        ),
        (
            "eu-japan.txt",
            [
                ("1 November 2024", "2024-11-01", False),
                ("on Friday", "2024-11-01", True),
                ("March 2022", "2022-03", False),
            ],
        ),
        (
            "eu-moldova-norway.txt",
            [
                ("2024-06-11", "2024-06-11", False),  # the file's own header
                ("Last month", "2024-05", True),
                ("21 May", "2024-05-21", True),
                ("a week later", "2024-05-28", True),
                ("on Tuesday 28 May", "2024-05-28", True),
                ("March 2022", "2022-03", False),
            ],
        ),
    ],
)
def test_dates_are_resolved_against_the_date_of_issue(seed_store, article, expected):
    result = kg.draft(DRAFTS / article, store=seed_store)
    assert [(d.quote, d.value, d.implied) for d in result.dates] == expected


def test_the_seed_dates_the_reference_records():
    text = SEED.read_text(encoding="utf-8")
    anchor, how = issue_date(text, 1, 27)
    assert anchor == date(2026, 1, 27)
    assert how == 'the dateline, with the year of "January 27, 2026" in the text'
    values = {(d.quote, d.value) for d in find_dates(text, anchor)}
    assert ("On Monday", "2026-01-26") in values
    assert ("on Tuesday", "2026-01-27") in values
    assert ("March 2022", "2022-03") in values


@pytest.mark.parametrize(
    ("text", "anchor", "expected"),
    [
        ("They met last Tuesday.", date(2026, 1, 27), "2026-01-20"),  # strictly before
        ("They will meet on Thursday.", date(2026, 1, 27), "2026-01-29"),  # the future
        ("They met on Thursday.", date(2026, 1, 27), "2026-01-22"),
        ("Talks on December 20 went well.", date(2026, 1, 5), "2025-12-20"),  # closest year
        ("Signed yesterday.", date(2026, 3, 1), "2026-02-28"),
        ("Adopted last month.", date(2026, 1, 5), "2025-12"),
        ("It began two years ago.", date(2026, 1, 5), "2024"),
    ],
)
def test_relative_dates(text, anchor, expected):
    (found,) = find_dates(text, anchor)
    assert found.value == expected and found.implied


def test_a_weekday_that_does_not_match_its_date_is_flagged():
    (found,) = find_dates("on Wednesday, 28 May 2024", None)
    assert found.value == "2024-05-28"
    assert found.note.endswith("but it is a Tuesday, not a Wednesday: check")


def test_names_match_across_case_and_dash_variants_and_the_longest_wins():
    names = [
        Name("EU–India Security and Defence Partnership", "sdp", "rdfs:label"),
        Name("EU", "eu", "skos:altLabel"),
        Name("European Commission", "ec", "rdfs:label"),
        Name("European Commission Vice President", "vp", "skos:altLabel"),
        Name("@DrSJaishankar", "account", "kg:xHandle"),
    ]
    text = "the eu-india security and defence partnership; European Commission Vice President; @drsjaishankar; feud"
    found = [(m.quote, m.nodes) for m in find_mentions(text, names)]
    assert found == [
        ("eu-india security and defence partnership", ("sdp",)),
        ("European Commission Vice President", ("vp",)),
        ("European Commission", ("ec",)),  # another node's name inside the longer one
        ("@drsjaishankar", ("account",)),
    ]  # "eu" in lower case is no acronym, and "feud" holds no word "EU"


def test_new_names_and_handles_are_commented_candidates(seed_store):
    result = kg.draft(SEED, store=seed_store)
    data = tomllib.loads(result.toml)
    assert all(t["id"] != "modi" for t in data["node"])  # candidates are comments only
    assert '# id = "josep-borrell"' in kg.draft(KOREA, store=seed_store).toml
    korea = kg.draft(KOREA, store=seed_store)
    assert [c.label for c in korea.candidates] == [
        "Seoul", "Josep Borrell", "Tokyo", "Foreign Minister Cho Tae-yul",
    ]  # fmt: skip
    assert korea.candidates[1].count == 2  # "Borrell" alone is the same person


def test_every_sentence_is_listed_with_its_offsets(seed_store):
    result = kg.draft(SEED, store=seed_store)
    text = SEED.read_text(encoding="utf-8")
    lines = [line for line in result.toml.splitlines() if re.match(r"# \[\d+-\d+\] ", line)]
    assert len(lines) == len(result.sentences) == 33
    for note in result.sentences:
        s = note.sentence
        assert text[s.start : s.end] == s.text
        assert f"# [{s.start}-{s.end}] {s.text}" in lines


def test_an_article_already_in_the_graph_is_said(seed_store):
    result = kg_process("draft", SEED, "--store", seed_store)
    assert result.returncode == 0
    assert result.stderr.splitlines()[0] == (
        f"kg: warning: {SEED}: this text is already in the graph as"
        " kgr:ani-2026-01-27-eu-india-security-defence-partnership"
    )


def test_draft_errors_are_one_line_with_exit_code_2(seed_store, tmp_path):
    missing = run_kg("draft", tmp_path / "nope.txt", "--store", seed_store)
    assert missing.exit_code == 2
    assert missing.stderr == f"kg: error: {tmp_path / 'nope.txt'}: no such file\n"
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"caf\xe9")
    bad = run_kg("draft", binary, "--store", seed_store)
    assert (bad.exit_code, bad.stderr) == (2, f"kg: error: {binary}: is not UTF-8 text (byte 3)\n")
    no_store = run_kg("draft", KOREA, "--store", tmp_path / "none")
    assert no_store.exit_code == 2
    assert no_store.stderr.startswith("kg: error: no built graph in")
    issued = run_kg("draft", KOREA, "--store", seed_store, "--issued", "someday")
    assert (issued.exit_code, issued.stderr) == (
        2,
        "kg: error: --issued: 'someday' is not a date (write it as YYYY-MM-DD)\n",
    )


def test_draft_does_not_overwrite_a_facts_file(seed_store, tmp_path):
    facts = tmp_path / "eu-korea.toml"
    facts.write_text("# my edits\n", encoding="utf-8")
    refused = run_kg("draft", KOREA, "-o", facts, "--store", seed_store)
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"kg: error: {facts} exists; kg draft does not overwrite it (use --force)\n"
    )
    assert facts.read_text(encoding="utf-8") == "# my edits\n"
    forced = run_kg("draft", KOREA, "-o", facts, "--store", seed_store, "--force")
    assert forced.exit_code == 0
    assert facts.read_text(encoding="utf-8") == EXPECTED.read_text(encoding="utf-8")


def test_issued_overrides_the_date_of_issue(seed_store):
    result = kg.draft(KOREA, store=seed_store, issued="2024-11-05")
    assert result.source.issued == "2024-11-05"
    assert ("on Monday", "2024-11-04") in [(d.quote, d.value) for d in result.dates]


def test_the_measure_on_the_seed_meets_its_targets():
    from benchmarks.draft import measure

    (figures,) = measure(ROOT / "seeds")
    assert figures.store_from == "all"  # one pair: the graph is built from it
    assert figures.known >= 40
    assert figures.known_found / figures.known >= 0.95
    assert figures.dates > 0 and figures.dates_resolved == figures.dates
    assert figures.quotes_not_verbatim == 0
    assert figures.entries_provided > 0
    assert figures.builds, figures.build_error


def test_the_measure_takes_any_folder_of_pairs_drafting_each_against_those_before(tmp_path):
    from benchmarks.draft import main, measure

    for source in (ROOT / "seeds").iterdir():
        shutil.copyfile(source, tmp_path / source.name)
    shutil.copyfile(KOREA, tmp_path / "eu-korea.txt")  # its pinned draft as its reference
    shutil.copyfile(EXPECTED, tmp_path / "eu-korea.toml")
    seed, korea = measure(tmp_path, base=[])
    assert (seed.store_from, seed.known) == ("earlier", 0)  # the first meets an empty graph
    assert (korea.known, korea.known_found, korea.entries - korea.entries_provided) == (6, 6, 0)
    assert seed.builds and korea.builds
    assert main([str(tmp_path / "none")]) == 2


def test_the_measure_on_the_corpus_meets_its_targets():
    """Each corpus article drafted against the seed and the corpus articles before it."""
    from benchmarks.draft import measure

    results = measure(CORPUS)
    assert [r.name for r in results] == sorted(p.stem for p in CORPUS.glob("*.txt"))
    for r in results:
        assert r.builds, f"{r.name}: {r.build_error}"
        assert r.quotes_not_verbatim == 0, r.name
        assert r.dates_resolved == r.dates, f"{r.name}: {r.dates_missed}"
    known = sum(r.known for r in results)
    found = sum(r.known_found for r in results)
    assert known >= 30 and found / known >= 0.95, [r.missed for r in results]


def main() -> None:
    """Rewrite the pinned draft from a fresh build of the bundled seeds."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        kg.build(store=Path(tmp) / "store")
        EXPECTED.write_text(kg.draft(KOREA, store=Path(tmp) / "store").toml, encoding="utf-8")
    print(f"wrote {EXPECTED.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
