"""A throwaway OpenLink Virtuoso server on 127.0.0.1 for the integration tests.

Debian's ``virtuoso-opensource`` package (``make system-deps`` installs it) gives
the server ``virtuoso-t`` and its SQL shell ``isql-vt``. The system service is
not used: :func:`virtuoso_server` writes a ``virtuoso.ini`` into a temporary
folder (database, transaction log and HTTP root all there), picks two free
ports (``[Parameters] ServerPort`` for SQL, ``[HTTPServer] ServerPort`` for
HTTP, both bound to 127.0.0.1), runs ``virtuoso-t +foreground``, waits until
``/sparql`` answers, and stops the process at the end (SIGTERM: Virtuoso
checkpoints and exits; SIGKILL after 30 s).

Then, through ``isql-vt`` as ``dba``:

- the ``dba`` password (``dba`` in a new database) is replaced by a random one;
- ``GRANT SPARQL_UPDATE TO "SPARQL"``: the anonymous ``SPARQL`` user behind the
  unauthenticated ``/sparql`` and ``/sparql-graph-crud`` may update (a new
  database lets it read only: SPARQL Update fails with HTTP 500 "SR186:
  SECURITY: No permission to execute procedure DB.DBA.SPARQL_INSERT_DICT_CONTENT",
  the Graph Store Protocol with 403 "Permission denied for delete from
  DB.DBA.RDF_QUAD");
- ``DB.DBA.USER_CREATE`` makes a user with a random password and ``GRANT
  SPARQL_UPDATE`` gives it the right to update: that user logs in, with HTTP
  Digest authentication, at ``/sparql-auth`` and ``/sparql-graph-crud-auth``.

A new database already holds three system graphs (Virtuoso's own quad-map
schema, ``virtrdf:``, LDP's vocabulary and a URIQA graph, about 2,500 triples),
which its default graph (the union of all graphs) includes.
:meth:`Virtuoso.clear` drops every graph except those.
"""

from __future__ import annotations

import http.client
import json
import re
import secrets
import shutil
import subprocess
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.sparql_server_support import free_port

INSTALL_HINT = (
    "Virtuoso is not installed (Debian: apt-get install virtuoso-opensource, or make system-deps)"
)
USER = "kgloader"

_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
MaxClientConnections = 8
DirsAllowed = {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}/vsp
ServerThreads = 8
MaxClientConnections = 8
EnabledGzipContent = 0

[SPARQL]
; Debian's defaults, written out: answers are cut at 10 000 rows
ResultSetMaxRows = 10000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
"""


def find_virtuoso() -> tuple[str, str] | None:
    """The server and SQL shell executables, or None when Virtuoso is not installed."""
    server, shell = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return (server, shell) if server and shell else None


def server_version(executable: str) -> str:
    """``virtuoso-t``'s version, e.g. ``7.2.5.3229``."""
    text = subprocess.run(
        [executable, "-?"], capture_output=True, text=True, timeout=30, check=False
    )
    match = re.search(r"Version (\S+?)(?:-\w+)? ", text.stdout + text.stderr)
    return match.group(1) if match else "unknown"


@dataclass
class Virtuoso:
    """A running Virtuoso: its endpoints, a SQL shell, and the test user's credentials."""

    base: str
    sql_port: int
    directory: Path
    process: subprocess.Popen
    isql_executable: str
    version: str
    dba_password: str = "dba"
    user: str = USER
    password: str = field(default_factory=lambda: "pw-" + secrets.token_hex(8))
    system_graphs: frozenset[str] = frozenset()

    @property
    def sparql(self) -> str:
        """Query and update, anonymous."""
        return f"{self.base}/sparql"

    @property
    def gsp(self) -> str:
        """Graph Store Protocol, anonymous."""
        return f"{self.base}/sparql-graph-crud"

    @property
    def sparql_auth(self) -> str:
        """Query and update, HTTP Digest."""
        return f"{self.base}/sparql-auth"

    @property
    def gsp_auth(self) -> str:
        """Graph Store Protocol, HTTP Digest."""
        return f"{self.base}/sparql-graph-crud-auth"

    def isql(self, script: str) -> str:
        """Run SQL statements (each ending with ``;``) as dba; raise on any error."""
        done = subprocess.run(
            [self.isql_executable, f"127.0.0.1:{self.sql_port}", "dba", self.dba_password],
            input=script + "\nEXIT;\n",
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        output = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in output:
            raise AssertionError(f"isql-vt failed ({done.returncode}): {output.strip()}")
        return done.stdout

    def select(self, query: str) -> list[dict[str, str]]:
        """Rows of a SELECT on the anonymous ``/sparql`` (values only), not through kg."""
        parts = urllib.parse.urlsplit(self.base)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        try:
            conn.request(
                "POST",
                "/sparql",
                body=urllib.parse.urlencode({"query": query}),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/sparql-results+json",
                },
            )
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        if response.status != 200:
            raise AssertionError(f"{query}: HTTP {response.status}: {body[:500]!r}")
        rows = json.loads(body)["results"]["bindings"]
        return [{k: v["value"] for k, v in row.items()} for row in rows]

    def graphs(self) -> set[str]:
        """Every graph holding triples, Virtuoso's own included."""
        return {r["g"] for r in self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}

    def clear(self) -> None:
        """Drop every graph but Virtuoso's own, so the next test starts empty."""
        extra = sorted(self.graphs() - self.system_graphs)
        if extra:
            self.isql("\n".join(f"SPARQL CLEAR GRAPH <{g}>;" for g in extra))


def _answers(base: str) -> bool:
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        query = urllib.parse.quote("SELECT (1 AS ?x) {}")
        conn.request("GET", f"/sparql?query={query}", headers={"Accept": "text/csv"})
        response = conn.getresponse()
        response.read()
        return response.status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def virtuoso_server(directory: Path) -> Iterator[Virtuoso]:
    """Run a new Virtuoso database in ``directory``, set up as the module docstring says."""
    found = find_virtuoso()
    if found is None:
        pytest.skip(INSTALL_HINT)
    executable, isql = found
    version = server_version(executable)
    error = ""
    for attempt in range(5):  # another process may take a free port before Virtuoso binds it
        folder = directory / f"db{attempt}"
        (folder / "vsp").mkdir(parents=True)
        sql_port, http_port = free_port(), free_port()
        ini = folder / "virtuoso.ini"
        ini.write_text(
            _INI.format(dir=folder, sql_port=sql_port, http_port=http_port), encoding="utf-8"
        )
        log = (folder / "stdout.log").open("wb")
        process = subprocess.Popen(
            [executable, "+configfile", str(ini), "+foreground"],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        base = f"http://127.0.0.1:{http_port}"
        deadline = time.monotonic() + 180
        while process.poll() is None and time.monotonic() < deadline:
            if _answers(base):
                break
            time.sleep(0.2)
        if process.poll() is None and _answers(base):
            break
        _stop(process)
        error = (folder / "virtuoso.log").read_text(errors="replace")[-2000:]
    else:
        raise AssertionError(f"virtuoso-t did not start: {error}")
    server = Virtuoso(base, sql_port, folder, process, isql, version)
    try:
        dba_password = "dba-" + secrets.token_hex(8)
        server.isql(f"USER_CHANGE_PASSWORD ('dba', 'dba', '{dba_password}');")
        server.dba_password = dba_password
        server.isql(
            'GRANT SPARQL_UPDATE TO "SPARQL";\n'
            f"DB.DBA.USER_CREATE ('{server.user}', '{server.password}');\n"
            f'GRANT SPARQL_UPDATE TO "{server.user}";'
        )
        server.system_graphs = frozenset(server.graphs())
        yield server
    finally:
        _stop(process)


def make_virtuoso_fixture(name: str = "virtuoso") -> Callable:
    """A session-scoped pytest fixture yielding one :class:`Virtuoso` for all tests.

    Tests that need an empty store call ``virtuoso.clear()`` first (or use a
    function-scoped fixture that does).
    """

    @pytest.fixture(name=name, scope="session")
    def fixture(tmp_path_factory) -> Iterator[Virtuoso]:
        with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
            yield server

    return fixture
