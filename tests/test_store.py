"""The embedded store: versions replaced atomically, clear errors when missing or damaged."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import StoreError
from kg.store.lock import LOCK_FILE
from kg.store.versions import CURRENT, current_version, open_store, write_store

QUAD = ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x"))


def test_write_then_read(tmp_path):
    write_store(tmp_path, [QUAD])
    assert list(open_store(tmp_path)) == [QUAD]


def test_a_new_write_replaces_the_old_version(tmp_path):
    write_store(tmp_path, [QUAD])
    first = current_version(tmp_path)
    write_store(tmp_path, [])
    assert current_version(tmp_path) != first
    assert not first.exists()
    assert list(open_store(tmp_path)) == []


def test_a_failed_write_keeps_the_previous_version(tmp_path):
    write_store(tmp_path, [QUAD])
    before = current_version(tmp_path)

    def broken():
        yield QUAD
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_store(tmp_path, broken())
    assert current_version(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([CURRENT, LOCK_FILE, before.name])


def test_missing_and_damaged_stores(tmp_path):
    with pytest.raises(StoreError) as caught:
        open_store(tmp_path / "none")
    assert str(caught.value) == (
        f"no built graph in {tmp_path / 'none'}/: run kg build first (or pass --store)"
    )
    (tmp_path / CURRENT).write_text("v-gone\n")
    with pytest.raises(StoreError) as caught:
        open_store(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path}: the store is damaged (CURRENT names a missing version); restore it from"
        " a backup, or run kg build --fresh, which rebuilds it from the seeds only (add the"
        " files brought in with kg add again)"
    )
