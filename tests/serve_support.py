"""`kg serve` as a real process on a free port of 127.0.0.1, and a headless Chromium, for tests."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@contextmanager
def kg_server(store: Path, *args: str) -> Iterator[str]:
    """Run ``kg serve --port 0`` on ``store``; yield its base URL (``http://127.0.0.1:N``).

    The server announces its address on stderr once its socket listens, so no
    polling is needed: connections made after that line wait in the backlog.
    """
    with kg_server_process(store, *args) as (url, _process):
        yield url


@contextmanager
def kg_server_process(store: Path, *args: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """Like :func:`kg_server`, and the process too; ``--host ::1`` gives ``http://[::1]:N``."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", "0", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = process.stderr.readline()
    match = re.search(r"serving (http://(?:127\.0\.0\.1|\[::1\]):\d+)/", first)
    if not match:
        process.kill()
        rest = process.stderr.read()
        process.wait()
        raise AssertionError(f"kg serve did not start: {first}{rest}")
    # Keep reading stderr so the server never blocks on a full pipe.
    logged: list[str] = []
    reader = threading.Thread(target=lambda: logged.extend(process.stderr), daemon=True)
    reader.start()
    try:
        yield match.group(1), process
    finally:
        process.terminate()
        process.wait(timeout=60)
        reader.join(timeout=10)


@contextmanager
def chromium(profile: Path) -> Iterator[object]:
    """A headless Chromium driven by Selenium: the system browser and driver, a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1280,1000")
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def children(pid: int) -> list[int]:
    """The process ids whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        # The command name is in parentheses and may hold spaces: fields follow the last ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def serve_workers(server_pid: int) -> list[int]:
    """The worker processes of a ``kg serve``: the children of its forkserver process."""
    workers = []
    for child in children(server_pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"multiprocessing.forkserver" in cmdline:
            workers.extend(children(child))
    return workers
