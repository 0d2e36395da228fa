"""``kg serve``: the built graph as web pages and a read-only SPARQL endpoint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kg.errors import UsageError
from kg.web.app import LOOPBACK_HOST_NAMES, LOOPBACK_HOSTS, create_app, listen
from kg.web.workers import DEFAULT_WORKERS

__all__ = ["serve"]
# The packages of the ``serve`` extra (pyproject.toml), which a plain install lacks.
SERVE_EXTRA = ("starlette", "uvicorn")


def _require_serve_extra() -> None:
    """Refuse, in one line saying how to install it, when the ``serve`` extra is missing."""
    for name in SERVE_EXTRA:
        try:
            __import__(name)
        except ModuleNotFoundError as err:
            if (err.name or name).split(".")[0] not in SERVE_EXTRA:
                raise  # something else is broken: a bug to show, not an install hint
            raise UsageError(
                f"kg serve needs the 'serve' extra ({', '.join(SERVE_EXTRA)}), and {name} is"
                " not installed: pip install 'kg[serve]'"
            ) from None


def serve(
    store: Path | str,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    queries: Path | None = None,
    timeout: float | None = None,
    workers: int = DEFAULT_WORKERS,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Serve the built graph read-only until interrupted.

    Bound to 127.0.0.1 (or ::1), only this machine can connect, and requests
    must name this machine in ``Host`` (no DNS rebinding). Bound elsewhere,
    anyone who can reach the port can read the whole graph, source texts
    included. Requests from other sites' pages are refused everywhere. At most
    ``workers`` queries or pages are computed at once, each in its own process,
    killed after ``timeout`` seconds. The workers are started by
    :mod:`multiprocessing`, which imports the main script again in each: from a
    script, call ``serve`` under ``if __name__ == "__main__":``.

    >>> serve("build", port=8000)  # doctest: +SKIP
    """
    _require_serve_extra()
    import uvicorn

    host = host.strip("[]")  # --host [::1] as in a URL
    allowed = list(LOOPBACK_HOST_NAMES) if host in LOOPBACK_HOSTS else None
    sock = listen(host, port)
    try:
        app = create_app(
            store, queries=queries, timeout=timeout, allowed_hosts=allowed, workers=workers
        )
    except BaseException:
        sock.close()
        raise
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    if announce:
        announce(
            f"serving http://{shown}:{bound}/ read-only (SPARQL endpoint /sparql); Ctrl+C stops"
        )
    try:
        server.run(sockets=[sock])
    finally:
        app.state.workers.close()
        sock.close()
