"""Proof that nothing is fetched: a real HTTP server on 127.0.0.1 that records every request,
and a named pipe that records whether anything opened it for reading.

>>> with RecordingServer() as server:
...     server.url("/ctx").startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

import http.server
import os
import threading
from pathlib import Path

CONTEXT = b'{"@context": {"name": "http://schema.org/name"}}'


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers every request with a small JSON-LD context, after writing it down."""

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append((self.command, self.path, body))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(CONTEXT)))
        self.end_headers()
        self.wfile.write(CONTEXT)

    do_GET = do_POST = do_HEAD = _record

    def log_message(self, format: str, *args) -> None:  # keep test output clean
        pass


class RecordingServer:
    """An HTTP server on a free port of 127.0.0.1; ``requests`` lists (method, path, body)."""

    def __init__(self) -> None:
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.requests = []  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def requests(self) -> list[tuple[str, str, bytes]]:
        return list(self._server.requests)  # type: ignore[attr-defined]

    def url(self, path: str = "/") -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def __enter__(self) -> RecordingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


class PipeWatch:
    """A named pipe at ``path``; ``opened`` tells whether anything opened it to read.

    A writer thread blocks opening the pipe until a reader arrives, then hands it a
    JSON-LD context, so a reader never hangs. On exit the writer is released.
    """

    def __init__(self, path: Path, content: bytes = CONTEXT) -> None:
        self.path = Path(path)
        self.content = content
        self.opened = threading.Event()
        self._closing = False
        os.mkfifo(self.path)
        self._thread = threading.Thread(target=self._write, daemon=True)

    def _write(self) -> None:
        with open(self.path, "wb") as pipe:  # blocks until someone opens it to read
            if not self._closing:
                self.opened.set()
                pipe.write(self.content)

    def __enter__(self) -> PipeWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._closing = True
        if self._thread.is_alive():  # release the writer: open and close the read end
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
            self._thread.join(5)
            os.close(fd)
        self._thread.join(5)
