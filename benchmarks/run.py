"""Run the benchmark suite: kg's path and the raw library path, side by side, same run.

Every timed run is its own process (started fresh, so interpreter start and
imports count, as they do for a user), timed by wall clock; its peak memory is
the maximum resident set size ``os.wait4`` reports for that one child. For each
job and size the suite records the median over ``--repeats`` runs of each path,
their ratio (kg / raw: below 1 means kg is faster) and whether both found the
same answer. Results are printed as a table and written as JSON under
``benchmarks/results/``.

Jobs (kg command vs. raw path, see :mod:`benchmarks.raw`):

- ``seed-query``: ``kg query signing`` on the built seed vs. rdflib parsing
  the seed's export (with inferences) and running the same query; and, if
  Jena is installed (see :mod:`benchmarks.jena`), vs. Jena's ``arq`` on that
  export, as a third path (``jena_*`` in the JSON, a second table).
- ``add``: ``kg add DATA`` on a copy of the built seed vs. rdflib parse +
  pySHACL + owlrl + writing N-Quads.
- ``validate``: ``kg validate DATA`` vs. plain ``pyshacl.validate`` (data with
  seeded violations; same = same (focus node, shape, constraint) results).
- ``reason``: ``kg reason DATA`` vs. plain owlrl (same = kg's triples are
  exactly owlrl's additions minus the trivial ones).
- ``export``: ``kg export`` of a store holding DATA vs. rdflib parse + Turtle.
- ``query``: ``kg query signing`` on a store holding DATA vs. rdflib parse of
  its export + the same query.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks import jena
from benchmarks.generate import SIZES, generate, parse_size

ROOT = Path(__file__).resolve().parent.parent
JOBS = ("seed-query", "add", "add-delta", "validate", "reason", "export", "query")
DELTA_TRIPLES = 1000  # the article add-delta adds


@dataclass
class Run:
    seconds: float
    max_rss_mb: float
    returncode: int


@dataclass
class Row:
    job: str
    size: str
    triples: int
    kg_seconds: float | None = None
    raw_seconds: float | None = None
    ratio: float | None = None
    kg_mb: float | None = None
    raw_mb: float | None = None
    same: bool | None = None
    note: str = ""
    kg_runs: list[float] = field(default_factory=list)
    raw_runs: list[float] = field(default_factory=list)
    # Jena, a third path: arq for seed-query, shacl for validate; jena_ratio is kg / jena.
    jena_seconds: float | None = None
    jena_ratio: float | None = None
    jena_mb: float | None = None
    jena_same: bool | None = None
    jena_runs: list[float] = field(default_factory=list)
    # validate only: rdflib's bare parse of the same file; parse_ratio is kg / parse.
    parse_seconds: float | None = None
    parse_ratio: float | None = None
    parse_mb: float | None = None
    parse_runs: list[float] = field(default_factory=list)


# A small launcher between the runner and each timed process: a forked child
# starts with its parent's peak RSS on Linux, so the child must be forked from
# something small (python -S, ~8 MB), not from the runner (which imports kg).
# argv[1] is where the child's stdout goes (arq can only print its answer).
_LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    out = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(out, 1)
    os.dup2(devnull, 2)
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
print(seconds, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def measure(argv: list[str], timeout: float, cwd: Path, stdout: str = os.devnull) -> Run:
    """Run ``argv`` as a child; its wall time and its own peak RSS (os.wait4)."""
    launcher = [sys.executable, "-S", "-c", _LAUNCHER, stdout, *argv]
    try:
        done = subprocess.run(
            launcher, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=True
        )
    except subprocess.TimeoutExpired:
        return Run(timeout, 0.0, -9)
    seconds, max_rss_kb, returncode = done.stdout.split()
    return Run(float(seconds), int(max_rss_kb) / 1024, int(returncode))


def machine() -> dict:
    """Where the figures come from."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    from importlib.metadata import version

    libs = {n: version(n) for n in ("rdflib", "pyshacl", "owlrl", "pyoxigraph", "kg")}
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "libraries": libs,
    }


class Suite:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(args.work).resolve()
        self.python = sys.executable
        self.kg = [self.python, "-m", "kg"]
        self.raw = [self.python, "-m", "benchmarks.raw"]
        self.ontology = str(ROOT / "ontology" / "kg.ttl")
        self.shapes = str(ROOT / "ontology" / "shapes.ttl")
        self.query_file = str(ROOT / "queries" / "signing.rq")
        self.jena: jena.Jena | None = None  # found by the seed-query job
        self.rows: list[Row] = []

    def log(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    def timed(self, argv: list[str], before=None, stdout: str = os.devnull) -> list[Run]:
        runs = []
        for _ in range(self.args.repeats):
            if before:
                before()
            runs.append(measure(argv, self.args.timeout, ROOT, stdout))
        return runs

    def path(
        self, argv: list[str], ok=(0,), before=None, stdout: str = os.devnull
    ) -> tuple[list[float], float | None, float | None, str]:
        """Time one path: (each run's seconds, median, peak MB, why it failed or "")."""
        runs = self.timed(argv, before, stdout)
        seconds = [round(r.seconds, 4) for r in runs]
        bad = [r.returncode for r in runs if r.returncode not in ok]
        if bad:
            return seconds, None, None, f"exit {bad[0]}" + (" (timeout)" if bad[0] == -9 else "")
        median = statistics.median(r.seconds for r in runs)
        return seconds, median, max(r.max_rss_mb for r in runs), ""

    def compare(self, row: Row, kg_cmd, raw_cmd, kg_ok=(0,), before=None, raw_before=None):
        row.kg_runs, row.kg_seconds, row.kg_mb, failed = self.path(kg_cmd, kg_ok, before)
        if failed:
            row.note = f"kg {failed}"
        if raw_cmd is None:
            row.note = row.note or f"raw path skipped above --raw-max {self.args.raw_max}"
        else:
            raw = self.path(raw_cmd, before=raw_before)
            row.raw_runs, row.raw_seconds, row.raw_mb, failed = raw
            if failed:
                row.note = f"raw {failed}"
        if row.kg_seconds and row.raw_seconds:
            row.ratio = row.kg_seconds / row.raw_seconds
        self.rows.append(row)

    # -- setup (not timed) --
    def seed_store(self) -> Path:
        store = self.work / "seed-store"
        if not (store / "CURRENT").exists():
            self.log("building the seed store")
            subprocess.run([*self.kg, "build", "--store", str(store)], check=True, cwd=ROOT)
        export = self.work / "seed-with-inferred.ttl"
        if not export.exists():
            subprocess.run(
                [*self.kg, "export", "--store", str(store), "--with-inferred", "-o", str(export)],
                check=True,
                cwd=ROOT,
            )
        asserted = self.work / "seed-asserted.nt"
        if not asserted.exists():
            subprocess.run(
                [*self.kg, "export", "--store", str(store), "-o", str(asserted)],
                check=True,
                cwd=ROOT,
            )
        return store

    def data(self, size: str) -> tuple[Path, Path, int, int]:
        """(valid data, data with seeded violations, triples of each)."""
        n = parse_size(size)
        valid, broken = self.work / f"data-{size}.nt", self.work / f"data-{size}-violations.nt"
        if not valid.exists():
            self.log(f"generating {size}")
            generate(n, seed=self.args.seed, violations=0).write(valid)
            generate(n, seed=self.args.seed, violations=0.01).write(broken)

        def count(p: Path) -> int:
            with p.open("rb") as f:
                return sum(1 for _ in f)

        return valid, broken, count(valid), count(broken)

    def data_store(self, size: str, valid: Path) -> tuple[Path, Path, Path]:
        """A store holding the ontology and the data; its export with inferences."""
        from kg.store.versions import write_store

        store = self.work / f"store-{size}"
        merged = self.work / f"store-{size}.nt"
        export = self.work / f"store-{size}-export.ttl"
        if not (store / "CURRENT").exists():
            import pyoxigraph as ox

            from kg.rdf.namespaces import GRAPH_ONTOLOGY, graph_iri

            ontology = [
                ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(GRAPH_ONTOLOGY))
                for q in ox.parse(path=self.ontology)
            ]
            graph = ox.NamedNode(graph_iri("added", f"data-{size}"))
            data = [
                ox.Quad(q.subject, q.predicate, q.object, graph) for q in ox.parse(path=str(valid))
            ]
            write_store(store, ontology + data)
            ox.serialize(
                [ox.Triple(q.subject, q.predicate, q.object) for q in ontology + data],
                output=str(merged),
                format=ox.RdfFormat.N_TRIPLES,
            )
            subprocess.run(
                [*self.kg, "export", "--store", str(store), "--with-inferred", "-o", str(export)],
                check=True,
                cwd=ROOT,
            )
        return store, merged, export

    def reasoned_store(self, size: str, valid: Path) -> Path:
        """A store as kg build and kg add leave it: the ontology, the data in its own graph
        and the inferences (kgg:inferred), for add-delta."""
        store = self.work / f"store-{size}-reasoned"
        if not (store / "CURRENT").exists():
            import pyoxigraph as ox

            from kg.engine.reasoning import closure
            from kg.engine.validation import load_ontology
            from kg.rdf.io import from_rdflib_triples
            from kg.rdf.namespaces import GRAPH_INFERRED, GRAPH_ONTOLOGY, graph_iri
            from kg.store.memory import memory_store
            from kg.store.versions import write_store

            self.log(f"building a reasoned store of {size}")
            ontology = [
                ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(GRAPH_ONTOLOGY))
                for q in ox.parse(path=self.ontology)
            ]
            graph = ox.NamedNode(graph_iri("added", f"data-{size}"))
            data = [
                ox.Quad(q.subject, q.predicate, q.object, graph) for q in ox.parse(path=str(valid))
            ]
            inferred = closure(memory_store(data), load_ontology(), sort=False).triples
            write_store(store, [*ontology, *data, *from_rdflib_triples(inferred, GRAPH_INFERRED)])
        return store

    def out(self, name: str) -> str:
        return str(self.work / "out" / name)

    # -- jobs --
    def run(self) -> list[Row]:
        self.work.mkdir(parents=True, exist_ok=True)
        (self.work / "out").mkdir(exist_ok=True)
        jobs = self.args.jobs
        if "seed-query" in jobs:
            self.job_seed_query()
        for size in self.args.sizes:
            valid, broken, n_valid, n_broken = self.data(size)
            raw_ok = parse_size(size) <= parse_size(self.args.raw_max)
            for job in jobs:
                if job == "seed-query":
                    continue
                run = getattr(self, "job_" + job.replace("-", "_"))
                run(size, valid, broken, n_valid, n_broken, raw_ok)
                self.log(f"  {format_row(self.rows[-1])}")
        return self.rows

    def find_jena(self) -> jena.Jena | None:
        if self.args.no_jena:
            self.log("Jena arq: skipped (--no-jena)")
            return None
        try:
            found = jena.find(self.work)
        except (jena.NotFound, OSError, subprocess.SubprocessError) as error:
            self.log(f"Jena arq: unavailable ({error}); no arq path. On Debian: {jena.INSTALL}")
            return None
        self.log(f"Jena arq: {found.describe()}")
        return found

    def job_seed_query(self) -> None:
        store = self.seed_store()
        export = str(self.work / "seed-with-inferred.ttl")
        row = Row("seed-query", "seed", _count_lines(self.work / "seed-asserted.nt"))
        kg_out, raw_out = self.out("seed-query-kg.json"), self.out("seed-query-raw.json")
        kg_cmd = [*self.kg, "query", "signing", "--store", str(store), "--format", "json"]
        raw_cmd = [*self.raw, "query", export, self.query_file]
        self.compare(row, [*kg_cmd, "-o", kg_out], [*raw_cmd, raw_out])
        row.same = _rows(kg_out) == json.loads(Path(raw_out).read_text())["rows"]
        self.jena = self.find_jena()
        if self.jena:
            # The same file rdflib parses; SPARQL JSON results, as kg writes them.
            jena_out = self.out("seed-query-jena.json")
            jena_cmd = [*self.jena.argv, "--data", export, "--query", self.query_file]
            jena_cmd += ["--results", "json"]
            row.jena_runs, row.jena_seconds, row.jena_mb, failed = self.path(
                jena_cmd, stdout=jena_out
            )
            if failed:
                row.note = row.note or f"jena {failed}"
            if row.kg_seconds and row.jena_seconds:
                row.jena_ratio = row.kg_seconds / row.jena_seconds
                row.jena_same = _rows(kg_out) == _rows(jena_out)
        self.log(f"  {format_row(row)}")
        if self.jena:
            self.log(f"  {format_row(row, 'jena')} (vs Jena arq)")

    def job_add(self, size, valid, broken, n_valid, n_broken, raw_ok) -> None:
        seed = self.seed_store()
        target = self.work / "add-store"

        def fresh() -> None:
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(seed, target)

        raw = None
        if raw_ok:
            raw = [
                *self.raw,
                "add",
                str(self.work / "seed-asserted.nt"),
                str(valid),
                self.shapes,
                self.ontology,
                self.out(f"add-{size}-raw.nq"),
            ]
        kg_cmd = [*self.kg, "add", str(valid), "--store", str(target), "--timeout", "100000"]
        self.compare(Row("add", size, n_valid), kg_cmd, raw, before=fresh)

    def delta(self) -> tuple[Path, int]:
        """A clean article of about :data:`DELTA_TRIPLES` triples whose nodes no base holds
        (generated with another seed, its IRIs renamed), for add-delta."""
        path = self.work / "delta.nt"
        if not path.exists():
            text = generate(DELTA_TRIPLES, seed=self.args.seed + 7, violations=0).ntriples
            kgr = "https://w3id.org/kg/id/"
            path.write_text(text.replace(f"<{kgr}", f"<{kgr}delta-"), encoding="utf-8")
        return path, _count_lines(path)

    def job_add_delta(self, size, valid, broken, n_valid, n_broken, raw_ok) -> None:
        """kg add of one article onto a store of SIZE; the second path is the same add
        onto the bare seed store (the target: at most twice that at 100k)."""
        store = self.reasoned_store(size, valid)
        seed = self.seed_store()
        delta, n_delta = self.delta()
        target = self.work / "add-delta-store"

        def onto(base: Path):
            def fresh() -> None:
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(base, target)

            return fresh

        cmd = [*self.kg, "add", str(delta), "--store", str(target), "--timeout", "100000"]
        row = Row("add-delta", size, n_delta)  # "raw": the same add onto the seed
        self.compare(row, cmd, cmd, before=onto(store), raw_before=onto(seed))

    def job_validate(self, size, valid, broken, n_valid, n_broken, raw_ok) -> None:
        kg_out, raw_out = (
            self.out(f"validate-{size}-kg.json"),
            self.out(f"validate-{size}-raw.json"),
        )
        kg_cmd = [*self.kg, "validate", str(broken), "--format", "json", "-o", kg_out]
        kg_cmd += ["--timeout", "100000"]
        raw = [*self.raw, "validate", str(broken), self.shapes, self.ontology, raw_out]
        row = Row("validate", size, n_broken)
        pyshacl_max = parse_size(self.args.pyshacl_max or self.args.raw_max)
        pyshacl_ok = raw_ok and parse_size(size) <= pyshacl_max
        self.compare(row, kg_cmd, raw if pyshacl_ok else None, kg_ok=(0, 1))
        if raw_ok and not pyshacl_ok:
            row.note = f"pySHACL skipped above --pyshacl-max {self.args.pyshacl_max}"
        if row.kg_seconds and row.raw_seconds:
            row.same = _validation_keys(kg_out) == _raw_validation_keys(raw_out)
        if raw_ok:  # the floor: rdflib parsing the same file, and nothing else
            row.parse_runs, row.parse_seconds, row.parse_mb, failed = self.path(
                [*self.raw, "parse", str(broken)]
            )
            if row.kg_seconds and row.parse_seconds:
                row.parse_ratio = row.kg_seconds / row.parse_seconds
            self.log(
                f"  validate {size}: rdflib's bare parse {_fmt(row.parse_seconds)} s,"
                f" {_fmt(row.parse_mb, 0)} MB; kg / parse {_fmt(row.parse_ratio, 2)}"
                + (f" ({failed})" if failed else "")
            )
        if self.jena is None and not self.args.no_jena:
            self.jena = self.find_jena()
        if self.jena:  # Jena's shacl on the data with the ontology (for rdfs:subClassOf)
            merged = self.work / f"validate-{size}-with-ontology.nt"
            if not merged.exists():
                _merge([self.ontology, str(broken)], merged)
            jena_cmd = [*self.jena.argv[:-1], "shacl.shacl", "validate", "--shapes"]
            jena_cmd += [self.shapes, "--data", str(merged)]
            jena_out = self.out(f"validate-{size}-jena.ttl")
            row.jena_runs, row.jena_seconds, row.jena_mb, failed = self.path(
                jena_cmd, stdout=jena_out
            )
            if failed:
                row.note = row.note or f"jena {failed}"
            if row.kg_seconds and row.jena_seconds:
                row.jena_ratio = row.kg_seconds / row.jena_seconds
            self.log(f"  {format_row(row, 'jena')} (vs Jena shacl)")

    def job_reason(self, size, valid, broken, n_valid, n_broken, raw_ok) -> None:
        kg_out, raw_out = self.out(f"reason-{size}-kg.nt"), self.out(f"reason-{size}-raw.nt")
        kg_cmd = [*self.kg, "reason", str(valid), "--format", "ntriples", "-o", kg_out]
        kg_cmd += ["--timeout", "100000"]
        raw = [*self.raw, "reason", str(valid), self.ontology, raw_out]
        row = Row("reason", size, n_valid)
        self.compare(row, kg_cmd, raw if raw_ok else None)
        if row.kg_seconds and row.raw_seconds:
            row.same = _same_inferences(kg_out, raw_out)

    def job_export(self, size, valid, broken, n_valid, n_broken, raw_ok) -> None:
        store, merged, _ = self.data_store(size, valid)
        kg_cmd = [*self.kg, "export", "--store", str(store), "-o", self.out(f"export-{size}.ttl")]
        raw = [*self.raw, "export", str(merged), self.out(f"export-{size}-raw.ttl")]
        self.compare(Row("export", size, _count_lines(merged)), kg_cmd, raw if raw_ok else None)

    def job_query(self, size, valid, broken, n_valid, n_broken, raw_ok) -> None:
        store, merged, export = self.data_store(size, valid)
        kg_out, raw_out = self.out(f"query-{size}-kg.json"), self.out(f"query-{size}-raw.json")
        kg_cmd = [*self.kg, "query", "signing", "--store", str(store), "--format", "json"]
        kg_cmd += ["-o", kg_out, "--timeout", "100000"]
        raw = [*self.raw, "query", str(export), self.query_file, raw_out]
        row = Row("query", size, _count_lines(merged))
        self.compare(row, kg_cmd, raw if raw_ok else None)
        if row.kg_seconds and row.raw_seconds:
            row.same = _rows(kg_out) == json.loads(Path(raw_out).read_text())["rows"]


def _merge(files: list[str], out: Path) -> None:
    """The triples of ``files`` in one N-Triples file."""
    import pyoxigraph as ox

    triples = (ox.Triple(q.subject, q.predicate, q.object) for f in files for q in ox.parse(path=f))
    ox.serialize(triples, output=str(out), format=ox.RdfFormat.N_TRIPLES)


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip() and not line.startswith(b"@prefix"))


def _rows(path: str) -> int:
    return len(json.loads(Path(path).read_text())["results"]["bindings"])


def _validation_keys(kg_json: str) -> list[tuple]:
    results = json.loads(Path(kg_json).read_text())["results"]
    return sorted(
        (r["severity"], r["focus_node"], r["source_shape"], r["constraint"]) for r in results
    )


def _raw_validation_keys(raw_json: str) -> list[tuple]:
    from kg.sparql.output import shorten

    def short(iri: str) -> str:
        return shorten(iri) if iri else ""

    rows = json.loads(Path(raw_json).read_text())["results"]
    return sorted(
        (sev.rsplit("#", 1)[-1], short(focus), short(shape), short(comp))
        for sev, focus, shape, comp in rows
    )


def _same_inferences(kg_nt: str, raw_nt: str) -> bool:
    from rdflib import Graph

    from kg.engine.meaningful import meaningful

    kg_graph, raw_graph = Graph(), Graph()
    kg_graph.parse(kg_nt, format="nt")
    raw_graph.parse(raw_nt, format="nt")
    return set(kg_graph) == {t for t in raw_graph if meaningful(t)}


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


_SAME = {True: "yes", False: "NO", None: "—"}


def format_row(row: Row, other: str = "raw") -> str:
    """One line of the table against ``other``: "raw" (rdflib & co.) or "jena" (arq)."""
    if other == "jena":
        seconds, ratio, mb, same = row.jena_seconds, row.jena_ratio, row.jena_mb, row.jena_same
    else:
        seconds, ratio, mb, same = row.raw_seconds, row.ratio, row.raw_mb, row.same
    return (
        f"{row.job:<10} {row.size:>5} {row.triples:>8} {_fmt(row.kg_seconds):>9} "
        f"{_fmt(seconds):>9} {_fmt(ratio, 2):>6} {_fmt(row.kg_mb, 0):>7} "
        f"{_fmt(mb, 0):>7} {_SAME[same]:>4}  {row.note}"
    )


def header(other: str = "raw") -> str:
    name = {"raw": "raw", "jena": "jena"}[other]
    return (
        f"{'job':<10} {'size':>5} {'triples':>8} {'kg s':>9} {name + ' s':>9} {'ratio':>6} "
        f"{'kg MB':>7} {name + ' MB':>7} {'same':>4}"
    )


HEADER = header()


def markdown(rows: list[Row]) -> str:
    lines = [
        "| job | size | triples | kg s | raw s | kg/raw | kg peak MB | raw peak MB | same | note |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        same = {True: "yes", False: "NO", None: "—"}[r.same]
        lines.append(
            f"| {r.job} | {r.size} | {r.triples} | {_fmt(r.kg_seconds)} | {_fmt(r.raw_seconds)} "
            f"| {_fmt(r.ratio, 2)} | {_fmt(r.kg_mb, 0)} | {_fmt(r.raw_mb, 0)} | {same} | {r.note} |"
        )
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time kg against the raw libraries (rdflib, pySHACL, owlrl), side by side.",
    )
    parser.add_argument(
        "--sizes", default="1k,10k", help=f"comma-separated: {', '.join(SIZES)} or numbers"
    )
    parser.add_argument(
        "--jobs", default=",".join(JOBS), help=f"comma-separated: {', '.join(JOBS)}"
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per path; the median counts")
    parser.add_argument(
        "--raw-max", default="100k", help="largest size the raw libraries are run at (slow)"
    )
    parser.add_argument(
        "--pyshacl-max",
        default=None,
        help="largest size plain pySHACL validates in the validate job (default: --raw-max;"
        " about 3 minutes a run at 100k)",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data generator")
    parser.add_argument(
        "--no-jena",
        action="store_true",
        help="leave Jena (arq for seed-query, shacl for validate) out even if installed",
    )
    parser.add_argument(
        "--work", default=str(ROOT / "benchmarks" / "results" / "work"), help="scratch folder"
    )
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"), help="JSON folder")
    args = parser.parse_args(argv)
    args.sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    args.jobs = [j.strip() for j in args.jobs.split(",") if j.strip()]
    for job in args.jobs:
        if job not in JOBS:
            parser.error(f"unknown job {job!r} (known: {', '.join(JOBS)})")
    for size in args.sizes:
        try:
            parse_size(size)
        except ValueError:
            parser.error(f"bad size {size!r}")
    return args


def python_loop_seconds() -> float:
    """Seconds a plain Python loop of 10 million additions takes here and now: the same
    command's time follows it on a shared machine (1.7 to 3.0 s for 20 million on one
    afternoon), so runs are compared by it, or by ratios taken in one run.

    >>> python_loop_seconds() > 0
    True
    """
    started = time.perf_counter()
    total = 0
    for n in range(10_000_000):
        total += n
    return round(time.perf_counter() - started, 3)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    suite = Suite(args)
    print(HEADER, file=sys.stderr)
    loop_before = python_loop_seconds()
    started = time.time()
    rows = suite.run()
    document = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "seconds": round(time.time() - started, 1),
        "machine": {
            **machine(),
            "jena": suite.jena.describe() if suite.jena else None,
            # how fast the shared machine was, before and after: see python_loop_seconds
            "python_loop_seconds": [loop_before, python_loop_seconds()],
        },
        "options": {k: v for k, v in vars(args).items() if k not in ("work", "out")},
        "rows": [asdict(r) for r in rows],
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(started))
    text = json.dumps(document, indent=2) + "\n"
    (out / f"bench-{stamp}.json").write_text(text, encoding="utf-8")
    (out / "latest.json").write_text(text, encoding="utf-8")
    print(HEADER)
    for row in rows:
        print(format_row(row))
    against_jena = [r for r in rows if r.jena_runs]
    if against_jena:
        print(f"\n{header('jena')}")
        for row in against_jena:
            print(format_row(row, "jena"))
    print(f"\nwritten: {out / f'bench-{stamp}.json'}", file=sys.stderr)
    return 0 if all(r.same is not False and r.jena_same is not False for r in rows) else 1
