"""The wheel: `pip wheel .` builds it with the PEP 517 backend of pyproject.toml (scikit-build-core,
from PyPI; the C++ dependencies are the Debian packages), and it installs and runs in a fresh venv,
away from the build tree. Skips when PyPI is out of reach. Long: it builds the library again (with
ccache when it is on PATH, as the project's builds use it)."""
import glob
import os
import shutil
import subprocess
import sys
import urllib.request

import pytest

from conftest import REPO, fixture


def pypi_reachable():
    try:
        urllib.request.urlopen("https://pypi.org/simple/scikit-build-core/", timeout=10)
        return True
    except OSError:
        return False


def test_the_wheel_builds_installs_and_runs(tmp_path):
    if not pypi_reachable():
        pytest.skip("PyPI is out of reach: the build backend (scikit-build-core) comes from it")
    venv = tmp_path / "venv"
    # numpy from Debian (python3-numpy) through the system site packages.
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", venv], check=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # not the build tree's module
    env["CMAKE_BUILD_PARALLEL_LEVEL"] = "2"
    if shutil.which("ccache"):
        env["CMAKE_ARGS"] = "-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
    subprocess.run([venv / "bin" / "pip", "wheel", "--no-deps", "-w", tmp_path / "dist", REPO],
                   check=True, env=env)
    (wheel,) = glob.glob(str(tmp_path / "dist" / "massact-*.whl"))
    subprocess.run([venv / "bin" / "pip", "install", "--no-deps", "--no-index", wheel],
                   check=True, env=env)
    code = ("import massact; m = massact.load(%r); logits, cache = m.run_with_cache('Hi', "
            "names='blocks.0.*'); print(massact.__file__, logits.shape, len(cache))"
            % fixture("llama_f32"))
    done = subprocess.run([venv / "bin" / "python", "-c", code], cwd=tmp_path, env=env,
                          capture_output=True, text=True, check=True)
    assert done.stdout.startswith(str(venv)), done.stdout  # the installed package, not the tree
    assert done.stdout.split(" ", 1)[1].startswith("(1, ") and ", 256) " in done.stdout
