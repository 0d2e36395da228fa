"""Real SPARQL servers on 127.0.0.1 for tests: Oxigraph, and tiny servers that misbehave.

- :func:`oxigraph_server` runs ``oxigraph serve --location DIR --bind 127.0.0.1:PORT``
  (the PyPI package ``oxigraph``) on a free port and waits until it answers.
- :class:`ScriptedServer` is an ``http.server`` on a free port answering from a
  script (500 then pass through to Oxigraph, 401, 404, a redirect, ...) and
  recording every request it gets, headers included.
- :func:`silent_listener` accepts connections in the kernel's backlog and never
  answers; :func:`refusing_port` is a port where nothing listens.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest


def find_oxigraph() -> str | None:
    """The ``oxigraph`` executable: beside this Python first (the venv), then on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    return shutil.which("oxigraph")


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Oxigraph:
    """A running ``oxigraph serve``: its base URL and the three endpoints."""

    base: str
    process: subprocess.Popen

    @property
    def query(self) -> str:
        return f"{self.base}/query"

    @property
    def update(self) -> str:
        return f"{self.base}/update"

    @property
    def store(self) -> str:
        return f"{self.base}/store"


def _answers(base: str) -> bool:
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2)
    try:
        conn.request("GET", "/query?query=ASK%7B%7D", headers={"Accept": "application/json"})
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


@contextmanager
def oxigraph_server(location: Path, *, union_default_graph: bool = True) -> Iterator[Oxigraph]:
    """Run Oxigraph's SPARQL server on ``location``; stop it afterwards.

    ``union_default_graph``: the default graph is the union of the named graphs,
    as kg's local queries see it.
    """
    executable = find_oxigraph()
    if executable is None:
        pytest.skip("the oxigraph server is not installed (pip install -e '.[test]')")
    for _ in range(5):  # another process may take the free port before oxigraph binds it
        port = free_port()
        args = [executable, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
        if union_default_graph:
            args.append("--union-default-graph")
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            if _answers(base):
                break
            time.sleep(0.05)
        if process.poll() is None and _answers(base):
            break
        process.kill()
        error = process.communicate()[1].decode(errors="replace")
    else:
        raise AssertionError(f"oxigraph serve did not start: {error}")
    try:
        yield Oxigraph(base=base, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


@dataclass
class Received:
    """A request a :class:`ScriptedServer` got."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    """A canned answer."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


# A script step: a Reply, or "proxy" to pass the request through to the upstream server.
Step = Reply | str


class ScriptedServer:
    """An HTTP server on a free port of 127.0.0.1 answering from ``script``.

    Each request takes the next step of the script; the last step repeats.
    Every request is recorded in :attr:`received`.
    """

    def __init__(self, script: list[Step], upstream: str | None = None):
        self.script = list(script)
        self.upstream = upstream
        self.received: list[Received] = []
        self._lock = threading.Lock()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # keep the test output clean
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with owner._lock:
                    owner.received.append(
                        Received(self.command, self.path, dict(self.headers.items()), body)
                    )
                    step = owner.script[0] if len(owner.script) == 1 else owner.script.pop(0)
                if step == "proxy":
                    step = owner._forward(self.command, self.path, dict(self.headers), body)
                self.send_response(step.status)
                for name, value in step.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(step.body)))
                self.end_headers()
                self.wfile.write(step.body)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def _forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        parts = urllib.parse.urlsplit(self.upstream)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            sent = {k: v for k, v in headers.items() if k.lower() in ("content-type", "accept")}
            conn.request(method, path, body=body, headers=sent)
            answer = conn.getresponse()
            data = answer.read()
            kept = {
                k: v for k, v in answer.getheaders() if k.lower() in ("content-type", "location")
            }
            return Reply(answer.status, data, kept)
        finally:
            conn.close()

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=10)


@contextmanager
def silent_listener() -> Iterator[str]:
    """A base URL whose port accepts connections (kernel backlog) and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


@contextmanager
def refusing_port() -> Iterator[int]:
    """A port bound but not listening: connecting to it is refused, and nobody can take it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def make_oxigraph_fixture(name: str = "oxigraph") -> Callable:
    """A function-scoped pytest fixture yielding a fresh :class:`Oxigraph` (empty store)."""

    @pytest.fixture(name=name)
    def fixture(tmp_path) -> Iterator[Oxigraph]:
        with oxigraph_server(tmp_path / "oxigraph") as server:
            yield server

    return fixture


class HostileServer:
    """A raw TCP server on a free port of 127.0.0.1 that reads each request (headers
    and a ``Content-Length`` body), then hands the socket to ``answer(sock)`` to
    misbehave as it likes: trickle, never end, send too much. ``requests`` counts
    the requests read. Connections are served in daemon threads; closing the server
    stops every answer at its next write.
    """

    def __init__(self, answer: Callable[[socket.socket], None]):
        self.answer = answer
        self.requests = 0
        self.closed = threading.Event()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.base = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            while len(body) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                body += chunk
            self.requests += 1
            with contextlib.suppress(OSError):  # the client went away, as it should
                self.answer(conn)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.closed.set()
        self._sock.close()
        self._thread.join(timeout=10)


def trickle(data: bytes, every: float, closed: threading.Event) -> Callable[[socket.socket], None]:
    """An answer that sends ``data`` one byte every ``every`` seconds, then one more
    byte forever (never a complete answer), until ``closed`` is set."""

    def answer(sock: socket.socket) -> None:
        for number in range(10**9):
            if closed.is_set():
                return
            sock.sendall(data[number : number + 1] or b"x")
            time.sleep(every)

    return answer


def endless(head: bytes, filler: bytes, most: int = 64 * 1024 * 1024) -> Callable:
    """An answer that sends ``head`` then ``filler`` over and over, without a length,
    up to ``most`` bytes (so a client without a cap fails the test, not the machine)."""

    def answer(sock: socket.socket) -> None:
        sock.sendall(head)
        block = filler * max(1, 65536 // len(filler))
        sent = 0
        while sent < most:
            sock.sendall(block)
            sent += len(block)

    return answer
