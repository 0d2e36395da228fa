"""Apache Jena's ``arq``: the third path of the seed-query job, when Jena is installed.

Found where Debian installs it: ``libapache-jena-java`` puts Jena's jars in
``/usr/share/java`` but ships no ``arq`` script (and does not pull in a Java
runtime), so the command is ``java -cp JARS arq.sparql``, built here. Nothing is
downloaded; without Java or the jars the job runs without Jena and says so.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

LIB = Path("/usr/share/java")
INSTALL = "apt-get install -y libapache-jena-java default-jre-headless"
# The jars Jena 4.5's command line needs besides its own, as Debian names them.
DEPENDENCIES = (
    "commons-cli",
    "commons-codec",
    "commons-compress",
    "commons-csv",
    "commons-io",
    "commons-lang3",
    "dexx.collection",
    "gson",
    "guava",
    "httpclient",
    "httpclient-cache",  # JSON-LD 1.0 reading (jsonld-java)
    "httpcore",
    "jackson-core",
    "jackson-databind",
    "jackson-annotations",
    "jsonld-java",
    "jakarta.json-api",
    "protobuf",
    "slf4j-api",
    "slf4j-nop",
    "thrift",
    "titanium-json-ld",
)
# Debian installs each jar twice, as jena-core.jar and jena-core-4.5.0.jar (same bytes):
# the unversioned names are the ones that survive an upgrade.
_VERSIONED = re.compile(r"-\d+(\.\d+)*\.jar$")
_SHADED = "org/apache/jena/ext/xerces/"


class NotFound(Exception):
    """Why there is no Jena to run; the message says what is missing."""


@dataclass
class Jena:
    argv: list[str]  # java -cp ... arq.sparql: append --data, --query, --results (or riot's)
    version: str
    java: str

    def describe(self) -> str:
        return f"Jena {self.version} (Debian jars), {self.java}"


def _xerces_resources(core: Path, into: Path) -> Path | None:
    """A folder with the message files Debian's jena-core.jar leaves behind, or None.

    Debian relocates Jena's shaded Xerces classes to ``xerces.*`` but not their
    ``.properties`` files (still under ``org/apache/jena/ext/xerces/``), and Xerces
    fails when it cannot load them ("internal error" in XSSimpleTypeDecl.applyFacets1).
    Copying them to ``xerces/...`` on the classpath is enough.
    """
    with zipfile.ZipFile(core) as jar:
        names = set(jar.namelist())
        if not any(n.startswith("xerces/") and n.endswith(".class") for n in names):
            return None  # not relocated: the files are where the classes look
        moved = [
            n
            for n in names
            if n.startswith(_SHADED)
            and not n.endswith(("/", ".class"))
            and "xerces/" + n[len(_SHADED) :] not in names
        ]
        if not moved:
            return None
        for name in moved:
            target = into / "xerces" / name[len(_SHADED) :]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(jar.read(name))
    return into


def find(work: Path, lib: Path = LIB, command: str = "arq.sparql") -> Jena:
    """Jena's ``arq.sparql`` (or another of its commands: ``riotcmd.riot`` parses and
    validates RDF files) as a command, checked to start; raises NotFound otherwise.

    ``work`` receives the Xerces message files (see :func:`_xerces_resources`).
    """
    java = shutil.which("java")
    if java is None:
        raise NotFound("no java on PATH")
    jars = sorted(p for p in lib.glob("jena-*.jar") if not _VERSIONED.search(p.name))
    names = {p.name for p in jars}
    missing = [n for n in ("jena-arq.jar", "jena-cmds.jar", "jena-core.jar") if n not in names]
    missing += [f"{d}.jar" for d in DEPENDENCIES if not (lib / f"{d}.jar").exists()]
    if missing:
        raise NotFound(f"not in {lib}: {', '.join(missing)}")
    classpath = [str(p) for p in jars] + [str(lib / f"{d}.jar") for d in DEPENDENCIES]
    fix = _xerces_resources(lib / "jena-core.jar", work / "jena-xerces-resources")
    if fix:
        classpath.append(str(fix))
    argv = [java, "-cp", ":".join(classpath), command]
    # --version starts Jena (and Xerces), so it also checks the classpath works.
    done = subprocess.run([*argv, "--version"], capture_output=True, text=True, timeout=120)
    version = re.search(r"VERSION:\s*(\S+)", done.stdout)
    if done.returncode != 0 or not version:
        lines = done.stderr.strip().splitlines() or ["no output"]
        cause = next((line for line in lines if line.startswith("Caused by")), lines[0])
        raise NotFound(f"Jena did not start ({cause})")
    runtime = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    first = (runtime.stderr.strip().splitlines() or ["java"])[0]
    return Jena(argv, version.group(1), first)
