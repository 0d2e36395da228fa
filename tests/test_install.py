"""A non-editable install works from any directory: data ships inside the wheel."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_pip_install_then_build_and_query_from_elsewhere(tmp_path):
    import site
    import sysconfig

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # The dependencies come from this environment (a .pth file), so the test needs no
    # network; kg itself is built and installed as a real, non-editable wheel.
    venv_site = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_path('purelib'))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    parents = [sysconfig.get_path("purelib"), *site.getsitepackages()]
    (tmp_path / "venv-site").mkdir()
    with open(f"{venv_site}/zz-deps.pth", "w") as handle:
        handle.write("\n".join(dict.fromkeys(parents)) + "\n")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", str(ROOT)]
    subprocess.run(pip, check=True, cwd=tmp_path, capture_output=True)
    kg = str(venv / "bin" / "kg")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "KG_STORE"}  # the default ./build
    build = subprocess.run([kg, "build"], cwd=elsewhere, capture_output=True, text=True, env=env)
    assert build.returncode == 0, build.stderr
    assert (elsewhere / "build" / "CURRENT").is_file()
    query = subprocess.run(
        [kg, "query", "summit-topics", "--format", "csv"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=env,
    )
    assert query.returncode == 0, query.stderr
    assert len(query.stdout.splitlines()) == 10  # header + the nine topics
    location = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import kg.rdf.resources as r; print(r.data_dir('seeds'))",
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert location.startswith(str(venv)), location
