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


def _dataset(root) -> set:
    return set(open_store(root))


def test_a_patch_gives_the_store_a_full_rewrite_gives(tmp_path):
    """kg add writes only the change (patch_store); the result must be the version a full
    rewrite of the same named graphs gives, the merged default graph and the disjoint
    inferences included."""
    from kg.rdf.namespaces import GRAPH_INFERRED
    from kg.store.versions import patch_store

    e = "http://example.org/"
    a, b, c = (ox.NamedNode(e + n) for n in "abc")
    p, q = ox.NamedNode(e + "p"), ox.NamedNode(e + "q")
    g1, g2, g3 = (ox.NamedNode(e + f"g{n}") for n in (1, 2, 3))
    inferred = ox.NamedNode(GRAPH_INFERRED)
    base = [
        ox.Quad(a, p, b, g1),
        ox.Quad(a, p, b, g2),  # stated twice
        ox.Quad(b, p, c, g2),
        ox.Quad(a, q, ox.Literal("only in g2"), g2),
        ox.Quad(a, p, c, inferred),
        ox.Quad(c, q, a, inferred),
    ]
    patched, rewritten = tmp_path / "patched", tmp_path / "rewritten"
    write_store(patched, base)
    remove = [ox.Quad(a, p, b, g2), ox.Quad(a, q, ox.Literal("only in g2"), g2)]
    add = [
        ox.Quad(c, q, a, g3),  # was inferred, now stated
        ox.Quad(b, p, c, g3),  # already stated by g2
        ox.Quad(c, p, a, g3),
        ox.Quad(b, q, c, inferred),
        ox.Quad(b, p, c, inferred),  # an inference a source states: not kept
    ]
    patch_store(patched, remove, add)
    named = [x for x in base if x not in remove] + add
    write_store(rewritten, named)
    assert _dataset(patched) == _dataset(rewritten)
    default = {
        (x.subject, x.predicate, x.object)
        for x in _dataset(patched)
        if x.graph_name == ox.DefaultGraph()
    }
    assert default == {(a, p, b), (b, p, c), (c, q, a), (c, p, a)}
    assert len(list(_versions(patched))) == 1  # the old version is gone


def _versions(root):
    return [d for d in root.iterdir() if d.name.startswith("v-")]


def test_a_failed_patch_keeps_the_previous_version(tmp_path):
    from kg.store.versions import patch_store

    e = "http://example.org/"
    quad = ox.Quad(
        ox.NamedNode(e + "a"), ox.NamedNode(e + "p"), ox.Literal("x"), ox.NamedNode(e + "g")
    )
    write_store(tmp_path, [quad])
    before = current_version(tmp_path)

    def failing():
        yield quad
        raise ValueError("the caller's data failed")

    with pytest.raises(ValueError, match="the caller's data failed"):
        patch_store(tmp_path, [], failing())
    assert current_version(tmp_path) == before
    assert [d.name for d in tmp_path.iterdir() if d.name.startswith("v-")] == [before.name]
    with pytest.raises(StoreError, match="no built graph"):
        patch_store(tmp_path / "none", [], [])
    assert not (tmp_path / "none").exists()
