"""Shared fixtures: built stores of the mini fixture and of the real seed, and a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
MINI = FIXTURES / "mini"


def run_kg(*args: str, env: dict[str, str] | None = None, input: str | None = None):
    """Run the CLI in-process; the result has exit_code, stdout and stderr apart."""
    runner = CliRunner()
    return runner.invoke(cli, [str(a) for a in args], env=env, input=input, catch_exceptions=False)


@pytest.fixture(scope="session", autouse=True)
def no_default_store(tmp_path_factory):
    """Tests never read a ./build left by `make demo`: kg validate FILES would validate
    them together with it. KG_STORE points at a folder that holds no store."""
    import os

    if os.environ.get("KG_STORE"):
        yield
        return
    os.environ["KG_STORE"] = str(tmp_path_factory.mktemp("nostore") / "build")
    try:
        yield
    finally:
        os.environ.pop("KG_STORE", None)


@pytest.fixture(scope="session")
def mini_store(tmp_path_factory) -> Path:
    """A store built from the mini fixture (its own tiny ontology, shapes and seed)."""
    from kg.build import build

    store = tmp_path_factory.mktemp("mini") / "store"
    build(store=store, seeds=MINI / "seeds", ontology=MINI / "ontology")
    return store


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory) -> Path:
    """A store built from the bundled ontology, shapes and seed."""
    from kg.build import build

    store = tmp_path_factory.mktemp("seed") / "store"
    build(store=store)
    return store


@pytest.fixture(scope="module")
def mini_url(mini_store):
    """A kg serve process over the mini fixture, with its own queries on the page."""
    from tests.serve_support import kg_server

    with kg_server(mini_store, "--queries", str(MINI / "queries")) as url:
        yield url


@pytest.fixture(scope="module")
def seed_url(seed_store):
    """A kg serve process over the built seed."""
    from tests.serve_support import kg_server

    with kg_server(seed_store) as url:
        yield url


def new_story(size: int, seed: int, prefix: str = "new") -> str:
    """N-Triples of a clean generated story whose nodes the seed does not hold (their ids
    start with ``prefix-``): data ``kg add`` accepts onto the seed store.

    >>> "kg/id/new-" in new_story(20, seed=1)
    True
    """
    from benchmarks.generate import generate

    kgr = "https://w3id.org/kg/id/"
    return generate(size, seed=seed, violations=0).ntriples.replace(f"<{kgr}", f"<{kgr}{prefix}-")
