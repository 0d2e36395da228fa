"""The README's example outputs, produced by running the commands they show.

``python -m tests.readme_examples`` rewrites every block that follows a
``<!-- run: kg ... -->`` marker; ``tests/test_readme.py`` fails when one is stale.
"""

from __future__ import annotations

import os
import re
import shlex
import tempfile
from pathlib import Path

from click.testing import CliRunner

from kg.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MARKER = re.compile(r"<!-- run: (?P<command>.+?) -->\n(?:```console\n.*?```\n)?", re.S)
ELAPSED = re.compile(r"\b\d+\.\d+ s\b")


def run_example(command: str, store: Path) -> str:
    """The console block for ``command``, run on ``store`` from the repository root."""
    kg_part, _, pipe = command.partition(" | ")
    args = shlex.split(kg_part)[1:]
    # `build-corpus` names a second store (the corpus built with the seed), kept beside
    # ``store`` in the same temporary folder.
    corpus = store.parent / "build-corpus"
    args = [str(corpus) if a == "build-corpus" else a for a in args]
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(cli, args, env={"KG_STORE": str(store)})
    finally:
        os.chdir(cwd)
    output = (result.stdout + result.stderr).replace(str(corpus), "build-corpus")
    lines = output.replace(str(store), "build").splitlines()
    if pipe:
        match = re.fullmatch(r"head -(\d+)", pipe.strip())
        if not match:
            raise ValueError(f"README example pipes only into head -N: {command}")
        lines = lines[: int(match.group(1))]
    body = "\n".join(lines)
    return f"```console\n$ {command}\n{body}\n```\n"


def render(text: str, store: Path) -> str:
    """The README text with every example block regenerated."""

    def replace(match: re.Match) -> str:
        return f"<!-- run: {match['command']} -->\n{run_example(match['command'], store)}"

    return MARKER.sub(replace, text)


def normalise(text: str) -> str:
    """Elapsed times differ from run to run: compare without them."""
    return ELAPSED.sub("N s", text)


def main() -> None:
    from kg.build import build

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "build"
        build(store=store)
        README.write_text(render(README.read_text(encoding="utf-8"), store), encoding="utf-8")
    print(f"refreshed the examples in {README}")


if __name__ == "__main__":
    main()
