"""The W3C SHACL core test suite (data-shapes test manifests), fetched at test time.

The suite ships in pySHACL's source distribution (``test/resources/sht_tests``);
it is downloaded once with pip from the package registry into a temporary folder
and never copied into the repository.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

PYSHACL_VERSION = "0.40.1"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"


def suite_dir() -> Path | None:
    """The ``core`` folder of the suite, downloading it on first use; None when it
    cannot be had (no network)."""
    cache = Path(os.environ.get("KG_SHT_CACHE", Path(tempfile.gettempdir()) / "kg-sht-tests"))
    core = cache / f"pyshacl-{PYSHACL_VERSION}" / "test" / "resources" / "sht_tests" / "core"
    if core.is_dir():
        return core
    cache.mkdir(parents=True, exist_ok=True)
    archive = cache / f"pyshacl-{PYSHACL_VERSION}.tar.gz"
    if not archive.exists():
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-binary",
                ":all:",
                "--no-deps",
                f"pyshacl=={PYSHACL_VERSION}",
                "-d",
                str(cache),
            ],
            capture_output=True,
        )
        if done.returncode != 0 or not archive.exists():
            return None
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if "/test/resources/sht_tests/" in m.name]
        tar.extractall(cache, members=members, filter="data")
    return core if core.is_dir() else None


@dataclass(frozen=True)
class ShtTest:
    """One sht:Validate entry: its name, files, and the manifest holding the expected report."""

    name: str
    data: Path
    shapes: Path
    manifest: Path
    node: str


def collect(core: Path) -> list[ShtTest]:
    """Every sht:Validate test under ``core``, in manifest order."""
    from rdflib import RDF, Graph, URIRef

    tests: list[ShtTest] = []

    def walk(manifest: Path) -> None:
        graph = Graph()
        graph.parse(manifest, format="turtle", publicID=manifest.as_uri())
        for top in graph.subjects(RDF.type, URIRef(MF + "Manifest")):
            for include in graph.objects(top, URIRef(MF + "include")):
                walk(Path(str(include).removeprefix("file://")))
            for entries in graph.objects(top, URIRef(MF + "entries")):
                for entry in graph.items(entries):
                    if URIRef(SHT + "Validate") not in set(graph.objects(entry, RDF.type)):
                        continue
                    action = graph.value(entry, URIRef(MF + "action"))
                    data = str(graph.value(action, URIRef(SHT + "dataGraph")))
                    shapes = str(graph.value(action, URIRef(SHT + "shapesGraph")))
                    name = str(entry).removeprefix(core.as_uri() + "/")
                    tests.append(
                        ShtTest(
                            name,
                            Path(data.removeprefix("file://")),
                            Path(shapes.removeprefix("file://")),
                            manifest,
                            str(entry),
                        )
                    )

    walk(core / "manifest.ttl")
    return tests


def passes(test: ShtTest, report_turtle: str) -> bool:
    """Whether ``report_turtle`` (a SHACL validation report) is the one the test expects."""
    import logging

    from pyshacl.validator_conformance import check_sht_result
    from rdflib import Graph, URIRef

    manifest = Graph()
    manifest.parse(test.manifest, format="turtle", publicID=test.manifest.as_uri())
    expected = manifest.value(URIRef(test.node), URIRef(MF + "result"))
    report = Graph()
    report.parse(data=report_turtle, format="turtle")
    for prefix, namespace in manifest.namespaces():  # the comparison compares prefixed names
        report.bind(prefix, namespace, override=True, replace=True)
    log = logging.getLogger("kg-sht")
    log.disabled = True
    return bool(check_sht_result(report, manifest, expected, log=log))
