"""Nothing lost, no one in: one writer at a time, with real ``python -m kg`` processes.

A writer is held half-way through writing its new version by a hook (it waits for a
file to appear), so that a second process runs while the first holds the lock and
fills a version folder; the tests then release it. Damaged stores, stores of another
Oxigraph version and a full disk (a small tmpfs in a private mount namespace) end in
one line and exit code 2.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from kg.store.versions import current_version
from tests.conftest import FIXTURES, MINI, ROOT, new_story
from tests.test_bad_input import KILL_DURING_STORE_WRITE  # kg killed half-way through a write

ONTOLOGY = MINI / "ontology"
SEEDS = MINI / "seeds"
PARTICIPANTS = MINI / "queries" / "participants.rq"
ADDED = "https://w3id.org/kg/graph/added-"
CURRENT = "CURRENT"
LOCK_FILE = "kg-write.lock"  # pid and command of the writer holding the lock
MARKER = "kg-version"  # in each version folder kg makes
MAX_COMMAND_CHARS = 200  # longer commands are cut in messages

# Runs kg with write_store held half-way through its quads until $KG_TEST_SIGNALS/go
# exists; $KG_TEST_SIGNALS/ready says it got there (and holds the version folder).
HOLD = """
import os, pathlib, sys, time
import kg.store.versions
real = kg.store.versions.write_store
signals = pathlib.Path(os.environ["KG_TEST_SIGNALS"])
def held(root, quads):
    def half_then_wait(items):
        items = list(items)
        for number, quad in enumerate(items):
            if number == len(items) // 2:
                folders = [p.name for p in pathlib.Path(root).glob("v-*")]
                (signals / "ready").write_text(" ".join(folders))
                while not (signals / "go").exists():
                    time.sleep(0.02)
            yield quad
    real(root, half_then_wait(quads))
kg.store.versions.write_store = held
from kg.cli import main
sys.argv[0] = "kg"
main(sys.argv[1:])
"""


def kg(*args, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m kg ARGS`` in a new process."""
    return subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def kg_started(*args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kg", *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(path: Path, process: subprocess.Popen, seconds: float = 120) -> None:
    """Until ``path`` exists; fails if ``process`` ends first (a generous bound, not a
    timing assertion)."""
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None:
            pytest.fail(f"the held writer ended first: {process.stderr.read()}")
        if time.monotonic() > deadline:
            pytest.fail("the held writer never got half-way")
        time.sleep(0.02)


@contextmanager
def held_writer(tmp_path: Path, *args):
    """A kg process held half-way through its store write; released on leaving."""
    signals = tmp_path / "signals"
    signals.mkdir(exist_ok=True)
    for name in ("ready", "go"):
        (signals / name).unlink(missing_ok=True)
    command = [sys.executable, "-c", HOLD, *map(str, args)]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "KG_TEST_SIGNALS": str(signals)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(signals / "ready", process)
        command = shlex.join(["kg", *map(str, args)])
        if len(command) > MAX_COMMAND_CHARS:  # long commands are cut in the message
            command = command[: MAX_COMMAND_CHARS - 1] + "…"
        process.command = command
        process.folders = (signals / "ready").read_text().split()
        yield process
        (signals / "go").write_text("")
        process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture()
def store(mini_store, tmp_path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(mini_store, copy)
    return copy


def turtle(tmp_path: Path, name: str, person: str) -> Path:
    """A conforming file of its own: one person, two triples."""
    path = tmp_path / f"{name}.ttl"
    path.write_text(
        "@prefix kg: <https://w3id.org/kg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<https://w3id.org/kg/id/{person}> a kg:Person ; rdfs:label "{person}" .\n'
    )
    return path


def graphs(store: Path) -> dict[str, int]:
    done = kg("stats", "--store", store, "--format", "json")
    assert done.returncode == 0, done.stderr
    import json

    return json.loads(done.stdout)["triples_per_graph"]


def added(store: Path) -> list[str]:
    return sorted(g[len(ADDED) :].rsplit("-", 1)[0] for g in graphs(store) if g.startswith(ADDED))


def versions(store: Path) -> list[str]:
    return sorted(p.name for p in store.glob("v-*"))


# --- one writer at a time ----------------------------------------------------------


def test_a_second_writer_stops_with_one_line_naming_the_first(store, tmp_path):
    first_file, second_file = turtle(tmp_path, "first", "ann"), turtle(tmp_path, "second", "bob")
    rows = kg("query", PARTICIPANTS, "--store", store).stdout
    args = ("add", first_file, "--store", store, "--ontology", ONTOLOGY)
    with held_writer(tmp_path, *args) as first:
        second = kg("add", second_file, "--store", store, "--ontology", ONTOLOGY, "--timeout", "1")
        other = f"another kg process (pid {first.pid}: {first.command})"
        assert second.stderr.splitlines() == [
            f"kg: {store}: waiting for {other} to finish writing this store",
            f"kg: error: {store}: {other} is writing this store; gave up waiting after 1 s"
            " (raise it with --timeout)",
        ]
        assert second.returncode == 2
        # Readers keep working during the write, and see the previous version.
        reader = kg("query", PARTICIPANTS, "--store", store)
        assert (reader.returncode, reader.stdout) == (0, rows)
        assert kg("export", "--store", store).returncode == 0
    assert first.returncode == 0, first.stderr.read()
    assert added(store) == ["first"]


@pytest.mark.parametrize(
    "first, second",
    [("add", "add"), ("build", "add"), ("add", "build")],
    ids=["add+add", "build+add", "add+build"],
)
def test_a_waiting_writer_goes_on_when_the_first_is_done_and_nothing_is_lost(
    store, tmp_path, first, second
):
    files = {"add": turtle(tmp_path, "first", "ann"), "build": None}
    if first == second:
        files = {"first": turtle(tmp_path, "first", "ann"), "second": turtle(tmp_path, "b", "bob")}

    def command(verb: str, file: Path | None) -> list:
        if verb == "build":
            return ["build", "--store", store, "--seeds", SEEDS, "--ontology", ONTOLOGY]
        return ["add", file, "--store", store, "--ontology", ONTOLOGY]

    first_file = files.get("first", files.get("add"))
    second_file = files.get("second", files.get("add"))
    with held_writer(tmp_path, *command(first, first_file)) as held:
        waiting = kg_started(*command(second, second_file))
        # It waits: its first line says for whom (today's code would just run).
        assert waiting.stderr.readline().startswith(f"kg: {store}: waiting for another kg")
        assert held.folders  # the held writer's version folder exists, being filled
    out, err = waiting.communicate(timeout=120)
    assert held.returncode == 0, held.stderr.read()
    assert waiting.returncode == 0, err
    expected = sorted({f.stem for f in (first_file, second_file) if f is not None})
    assert added(store) == expected
    assert graphs(store)["https://w3id.org/kg/graph/seed-001_mini"] == 55
    assert versions(store) == [current_version(store).name]


def test_two_writers_started_together_both_land(store, tmp_path):
    """No hooks: two plain processes at once, as a person would start them."""
    files = [turtle(tmp_path, name, name) for name in ("one", "two", "three")]
    processes = [
        kg_started("add", file, "--store", store, "--ontology", ONTOLOGY) for file in files[:2]
    ]
    processes.append(
        kg_started("build", "--store", store, "--seeds", SEEDS, "--ontology", ONTOLOGY)
    )
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    assert added(store) == ["one", "two"]
    assert versions(store) == [current_version(store).name]


def test_a_killed_writer_leaves_the_store_unlocked(store, tmp_path):
    lost = turtle(tmp_path, "lost", "lou")
    killed = subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILL_DURING_STORE_WRITE,
            "add",
            lost,
            "--store",
            store,
            "--ontology",
            ONTOLOGY,
        ],
        cwd=ROOT,
    )
    killed.wait(timeout=120)
    assert killed.returncode == -signal.SIGKILL
    holder = (store / LOCK_FILE).read_text().splitlines()
    assert int(holder[0]) == killed.pid  # it held the lock when it died
    assert len(versions(store)) == 2  # and left a half-written version
    done = kg("add", turtle(tmp_path, "next", "ned"), "--store", store, "--ontology", ONTOLOGY,
              "--timeout", "1")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "waiting" not in done.stderr
    assert added(store) == ["next"]
    assert versions(store) == [current_version(store).name]  # the dead one is gone


def test_the_version_being_written_is_never_removed(store, tmp_path):
    """Today a second writer's cleanup deletes the folder the first is filling."""
    args = ("add", turtle(tmp_path, "first", "ann"), "--store", store, "--ontology", ONTOLOGY)
    with held_writer(tmp_path, *args) as first:
        filling = set(first.folders) - {current_version(store).name}
        assert len(filling) == 1
        build = kg("build", "--store", store, "--seeds", SEEDS, "--ontology", ONTOLOGY,
                   "--timeout", "0.5")  # fmt: skip
        assert build.returncode == 2
        assert filling <= set(versions(store))
    assert first.returncode == 0
    assert current_version(store).name in filling
    assert added(store) == ["first"]


# --- what kg removes ------------------------------------------------------------------


def test_build_removes_only_the_versions_kg_made(tmp_path):
    store = tmp_path / "store"
    mine = store / "v-mine"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("not kg's")
    (store / "v-list.txt").write_text("a file")
    args = ("build", "--store", store, "--seeds", SEEDS, "--ontology", ONTOLOGY)
    assert kg(*args).returncode == 0
    assert kg(*args).returncode == 0
    assert (mine / "notes.txt").read_text() == "not kg's"
    assert (store / "v-list.txt").read_text() == "a file"
    kg_made = [p.name for p in store.glob("v-*") if (p / MARKER).is_file()]
    assert kg_made == [current_version(store).name]


# --- kg build keeps what kg add brought in -----------------------------------------------


def test_build_keeps_and_revalidates_added_graphs(store, tmp_path):
    ann = turtle(tmp_path, "ann", "ann")
    assert (
        kg("add", ann, MINI / "valid.ttl", "--store", store, "--ontology", ONTOLOGY).returncode == 0
    )
    before = graphs(store)
    meta_before = _meta_lines(store)
    done = kg("build", "--store", store, "--seeds", SEEDS, "--ontology", ONTOLOGY)
    assert done.returncode == 0, done.stderr
    assert done.stderr.rstrip().endswith("; kept 2 graphs added with kg add (11 triples)")
    assert graphs(store) == before
    assert _meta_lines(store) == meta_before
    rows = kg("query", MINI / "queries" / "met-by.rq", "--store", store).stdout
    assert "kgr:cara-lim" in rows  # the added data is queried, with its inferences

    fresh = kg("build", "--store", store, "--seeds", SEEDS, "--ontology", ONTOLOGY, "--fresh")
    assert fresh.returncode == 0
    assert added(store) == []


NO_LIM_MEETING = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix kg: <https://w3id.org/kg/ontology#> .
<urn:shape> a sh:NodeShape ; sh:targetNode <https://w3id.org/kg/id/lim-rao-meeting> ;
  sh:property [ sh:path kg:participant ; sh:maxCount 1 ; sh:message "Too many." ] .
"""


def test_build_refuses_when_added_graphs_no_longer_conform(store, tmp_path):
    assert kg("add", MINI / "valid.ttl", "--store", store, "--ontology", ONTOLOGY).returncode == 0
    before = current_version(store)
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(NO_LIM_MEETING)
    args = ("build", "--store", store, "--seeds", SEEDS, "--ontology", ONTOLOGY, "--shapes", shapes)
    done = kg(*args)
    assert done.returncode == 1
    assert done.stderr == (
        "kg: the seeds and the 1 graph added with kg add do not conform to the shapes"
        " (1 violation); the previous build is unchanged (kg build --fresh leaves out the"
        " added graphs)\n"
    )
    assert current_version(store) == before
    assert kg(*args, "--fresh").returncode == 0
    assert added(store) == []


def _meta_lines(store: Path) -> list[str]:
    nquads = kg("export", "--store", store, "--format", "nquads").stdout
    return sorted(line for line in nquads.splitlines() if ADDED in line.split(" ")[0])


def test_help_and_readme_say_what_build_does_with_added_graphs():
    text = kg("build", "--help").stdout
    assert "Graphs added with kg add are kept" in text
    assert "--fresh" in text
    readme = (ROOT / "README.md").read_text()
    assert "`kg build --fresh`" in readme


# --- a damaged store: one line, exit 2, advice that loses nothing silently ---------------

REBUILD = (
    "restore it from a backup, or run kg build --fresh, which rebuilds it from the seeds only"
    " (add the files brought in with kg add again)"
)


def _truncate_a_table(version: Path) -> None:
    table = sorted(version.glob("*.sst"))[0]
    table.write_bytes(table.read_bytes()[:10])


def _garble_the_manifest(version: Path) -> None:
    manifest = next(version.glob("MANIFEST-*"))
    manifest.write_bytes(manifest.read_bytes()[:20])


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda s, v: (s / CURRENT).write_bytes(b"\xff\xfe v-\x80\n"), "CURRENT does not hold"),
        (lambda s, v: (s / CURRENT).write_bytes(b"v-" + b"a" * 300_000), "CURRENT does not hold"),
        (lambda s, v: (s / CURRENT).write_text("../../etc\n"), "CURRENT does not hold"),
        (lambda s, v: (s / CURRENT).write_text("v-gone\n"), "CURRENT names a missing version"),
        (lambda s, v: _truncate_a_table(v), "Sst file size mismatch"),
        (lambda s, v: _garble_the_manifest(v), "Corruption"),
    ],
    ids=["not-utf8", "huge", "outside", "missing", "truncated-table", "garbled-manifest"],
)
def test_a_damaged_store_is_one_line_and_exit_2(store, damage, message):
    damage(store, current_version(store))
    for args in (
        ["query", PARTICIPANTS],
        ["export"],
        ["add", MINI / "valid.ttl", "--ontology", ONTOLOGY],
        ["build", "--seeds", SEEDS, "--ontology", ONTOLOGY],  # it cannot keep what it cannot read
    ):
        done = kg(*args, "--store", store)
        assert done.returncode == 2, done.stderr
        assert len(done.stderr) < 1000 and done.stderr.count("\n") == 1, done.stderr
        assert done.stderr.startswith(f"kg: error: {store}: the store is damaged ("), done.stderr
        assert message in done.stderr
        assert done.stderr.endswith(f"); {REBUILD}\n")
    fresh = kg("build", "--store", store, "--seeds", SEEDS, "--ontology", ONTOLOGY, "--fresh")
    assert fresh.returncode == 0, fresh.stderr
    assert kg("query", PARTICIPANTS, "--store", store).returncode == 0


def test_a_store_of_another_oxigraph_version(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    with tarfile.open(FIXTURES / "store" / "oxigraph-0.4.11.tar.gz") as archive:
        archive.extractall(store, filter="data")
    (store / CURRENT).write_text("v-oxigraph04\n")
    for args in (["query", PARTICIPANTS], ["add", MINI / "valid.ttl", "--ontology", ONTOLOGY]):
        done = kg(*args, "--store", store)
        assert done.returncode == 2
        assert done.stderr == (
            f"kg: error: {store}: the store was written by another version of Oxigraph (It is"
            " not possible to upgrade read-only Oxigraph instances to newer Oxigraph versions,"
            " please open in read-write regular mode to upgrade.); open it with the kg that"
            " wrote it and kg export --format trig it, or run kg build --fresh and add your"
            " files again\n"
        )
    assert (store / "v-oxigraph04").is_dir()  # not ours to remove, even with --fresh
    assert kg("build", "--store", store, "--seeds", SEEDS, "--ontology", ONTOLOGY,
              "--fresh").returncode == 0  # fmt: skip
    assert (store / "v-oxigraph04").is_dir()


# --- a full disk ----------------------------------------------------------------------


def _can_mount_tmpfs() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-m", "--map-root-user", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
    )
    return probe.returncode == 0


FULL_DISK = """
set -e
mount -t tmpfs -o size=2m tmpfs "$DISK"
cd "$DISK"
"$PY" -m kg build --store s --seeds "$SEEDS" --ontology "$ONTOLOGY" 2>/dev/null
before=$(cat s/CURRENT)
# Leave 100 KiB: room to start a new version, not to finish it (one takes about 280 KiB).
free=$(df -k --output=avail . | tail -1)
dd if=/dev/zero of=filler bs=1k count=$((free - 100)) 2>/dev/null
set +e
"$PY" -m kg $VERB --store s --ontology "$ONTOLOGY" 2>err; echo "exit $?"
cat err
test "$(cat s/CURRENT)" = "$before" && echo "same version"
ls s
rm filler
"$PY" -m kg query "$QUERY" --store s >/dev/null && echo "still usable"
"""


@pytest.mark.skipif(not _can_mount_tmpfs(), reason="cannot mount a tmpfs in a mount namespace")
@pytest.mark.parametrize("verb", ["add", "build"])
def test_a_full_disk_is_one_line_and_changes_nothing(tmp_path, verb):
    disk = tmp_path / "disk"
    disk.mkdir()
    args = f"add {MINI / 'valid.ttl'}" if verb == "add" else f"build --seeds {SEEDS}"
    done = subprocess.run(
        ["unshare", "-m", "--map-root-user", "sh", "-c", FULL_DISK],
        env={
            **os.environ,
            "DISK": str(disk),
            "PY": sys.executable,
            "SEEDS": str(SEEDS),
            "ONTOLOGY": str(ONTOLOGY),
            "QUERY": str(PARTICIPANTS),
            "VERB": args,
            "PYTHONPATH": str(ROOT),  # the kg of this tree, though the shell is on the tmpfs
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = done.stdout.splitlines()
    assert lines[:2] == [
        "exit 2",
        "kg: error: s: no space left on the device; nothing was changed (free some space and"
        " run the command again)",
    ], done.stdout + done.stderr
    assert lines[2:] == ["same version", "CURRENT", LOCK_FILE, lines[5], "still usable"]
    assert lines[5].startswith("v-")


def test_a_stale_holder_record_is_not_named(store, tmp_path):
    """The lock file may still name an earlier, finished writer: it is not blamed."""
    args = ("add", turtle(tmp_path, "first", "ann"), "--store", store, "--ontology", ONTOLOGY)
    with held_writer(tmp_path, *args):
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        (store / LOCK_FILE).write_text(f"{dead.pid}\nkg add old.ttl\n")
        second = kg("add", turtle(tmp_path, "b", "bob"), "--store", store, "--timeout", "0.5")
        assert second.stderr.splitlines()[-1] == (
            f"kg: error: {store}: another kg process is writing this store; gave up waiting"
            " after 0.5 s (raise it with --timeout)"
        )


def _without_root_powers():
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        libc.prctl(24, capability, 0, 0, 0)  # PR_CAPBSET_DROP: gone after exec


def test_a_store_folder_kg_may_not_write(store, tmp_path):
    rows = kg("query", PARTICIPANTS, "--store", store).stdout
    store.chmod(0o555)
    try:
        for args in (
            ["add", MINI / "valid.ttl", "--ontology", ONTOLOGY],
            ["build", "--seeds", SEEDS, "--ontology", ONTOLOGY],
        ):
            done = subprocess.run(
                [sys.executable, "-m", "kg", *map(str, args), "--store", str(store)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                preexec_fn=_without_root_powers if os.geteuid() == 0 else None,
            )
            assert done.returncode == 2
            assert done.stderr == (
                f"kg: error: {store}: cannot write the store (Permission denied); nothing was"
                " changed\n"
            )
        assert kg("query", PARTICIPANTS, "--store", store).stdout == rows
    finally:
        store.chmod(0o755)


# --- kg add in place (bundled shapes and ontology: a checkpoint of the store) -----------

KILL_DURING_CHANGE = """
import os, signal, sys
import kg.store.versions
real = kg.store.versions.apply_change
def killed_half_way(store, remove, add):
    def half_then_die(items):
        items = list(items)
        for number, quad in enumerate(items):
            if number == len(items) // 2:
                os.kill(os.getpid(), signal.SIGKILL)
            yield quad
    real(store, remove, half_then_die(add))
kg.store.versions.apply_change = killed_half_way
import kg.add  # noqa: E402  (it imports apply_change when it runs)
from kg.cli import main
main(sys.argv[1:])
"""


def story(tmp_path: Path, name: str, seed: int, size: int = 60) -> Path:
    """A conforming file of new nodes, as kg's generator writes them."""
    path = tmp_path / f"{name}.nt"
    path.write_text(new_story(size, seed, prefix=name), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "hook",
    [KILL_DURING_CHANGE, KILL_DURING_CHANGE.replace("apply_change", "Stage.commit")],
    ids=["mid-change", "at-commit"],
)
def test_a_killed_add_in_place_changes_nothing(seed_store, tmp_path, hook):
    store = tmp_path / "store"
    shutil.copytree(seed_store, store)
    before = current_version(store).name
    if "Stage.commit" in hook:  # killed as it switches: after the flush, before CURRENT
        hook = hook.replace(
            "def killed_half_way(store, remove, add):", "def killed_half_way(self):"
        ).replace("    real(store, remove, half_then_die(add))", "    os.kill(os.getpid(), 9)")
    killed = subprocess.Popen(
        [sys.executable, "-c", hook, "add", story(tmp_path, "lost", 1), "--store", store],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    killed.wait(timeout=120)
    assert killed.returncode == -signal.SIGKILL
    assert current_version(store).name == before
    assert len(versions(store)) == 2  # the one it was filling
    done = kg("add", story(tmp_path, "next", 2), "--store", store, "--timeout", "5")
    assert done.returncode == 0, done.stderr
    assert added(store) == ["next"]
    assert versions(store) == [current_version(store).name]


@pytest.mark.skipif(not _can_mount_tmpfs(), reason="cannot mount a tmpfs in a mount namespace")
@pytest.mark.parametrize("room_kib", [64, 256, 1024])
def test_a_full_disk_during_an_add_in_place_is_one_line_and_changes_nothing(
    seed_store, tmp_path, room_kib
):
    disk = tmp_path / "disk"
    disk.mkdir()
    script = f"""
set -e
mount -t tmpfs -o size=8m tmpfs "$DISK"
cp -r {shlex.quote(str(seed_store))} "$DISK/s"
cd "$DISK"
before=$(cat s/CURRENT)
free=$(df -k --output=avail . | tail -1)
dd if=/dev/zero of=filler bs=1k count=$((free - {room_kib})) 2>/dev/null
set +e
"$PY" -m kg add "$DATA" --store s 2>err; echo "exit $?"
cat err
test "$(cat s/CURRENT)" = "$before" && echo "same version"
ls s | grep -c '^v-'
rm filler
"$PY" -m kg query signing --store s >/dev/null && echo "still usable"
"""
    done = subprocess.run(
        ["unshare", "-m", "--map-root-user", "sh", "-c", script],
        env={
            **os.environ,
            "DISK": str(disk),
            "PY": sys.executable,
            "DATA": str(story(tmp_path, "big", 3, size=3000)),
            "PYTHONPATH": str(ROOT),
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.stdout.splitlines() == [
        "exit 2",
        "kg: error: s: no space left on the device; nothing was changed (free some space and"
        " run the command again)",
        "same version",
        "1",
        "still usable",
    ], done.stdout + done.stderr
