"""Latency of ``kg serve``: sequential requests of a bundled query through ``/sparql``.

Starts a real ``kg serve --port 0`` on a built store, sends one warm-up request,
then ``--requests`` sequential requests of the bundled query, and prints the
median, mean and 95th percentile in milliseconds. Used to measure what running
every query in a worker process adds per request::

    python -m benchmarks.serve_latency --store build --query signing --requests 100
    python -m benchmarks.serve_latency --store build --query 'ASK {}'
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from kg.sparql.bundled import list_queries


def measure(store: Path, query: str, requests: int) -> list[float]:
    """Seconds per request of ``requests`` sequential requests of ``query``.

    ``query`` is a bundled query's name, or SPARQL text (``ASK {}`` measures the
    cost of a request alone).
    """
    text = next((s.text for s in list_queries() if s.name == query), query)
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stderr.readline()
        match = re.search(r"serving (http://\S+?)/ ", first)
        if not match:
            raise SystemExit(f"kg serve did not start: {first}")
        url = match.group(1) + "/sparql"
        times = []
        with httpx.Client(timeout=120) as client:
            client.get(url, params={"query": text}).raise_for_status()  # warm-up
            for _ in range(requests):
                began = time.perf_counter()
                client.get(url, params={"query": text}).raise_for_status()
                times.append(time.perf_counter() - began)
        return times
    finally:
        process.terminate()
        process.wait(timeout=60)


def main(argv: list[str] | None = None) -> None:
    """Print the latency figures of one run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("build"))
    parser.add_argument("--query", default="signing", help="a bundled query, or SPARQL text")
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args(argv)
    times = sorted(measure(args.store, args.query, args.requests))
    ms = [t * 1000 for t in times]
    p95 = ms[max(0, round(0.95 * len(ms)) - 1)]
    print(
        f"{args.query}: {len(ms)} requests, median {statistics.median(ms):.2f} ms,"
        f" mean {statistics.fmean(ms):.2f} ms, p95 {p95:.2f} ms"
    )


if __name__ == "__main__":
    main()
