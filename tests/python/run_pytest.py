"""Runs one file of the Python module's tests (tests/python) under pytest, for ctest.

Exits 77, which ctest reports as skipped, saying what is missing, only when the module was not
built (no pybind11-dev or python3-dev when CMake configured) or numpy or pytest is not installed;
scripts/setup.sh installs all of them. Usage: run_pytest.py TEST_FILE (the environment, set by
tests/CMakeLists.txt, says where the module, the CLI and the fixtures are).
"""
import importlib.util
import os
import sys

missing = os.environ.get("MASSACT_PYTHON_MISSING")
if missing:
    print(f"SKIPPED: the massact Python module was not built: {missing} "
          "(scripts/setup.sh installs pybind11-dev and python3-dev)")
    sys.exit(77)
for module, package in (("numpy", "python3-numpy"), ("pytest", "python3-pytest")):
    if importlib.util.find_spec(module) is None:
        print(f"SKIPPED: {sys.executable} has no {module} (Debian: {package}; scripts/setup.sh "
              "installs it)")
        sys.exit(77)

import pytest  # noqa: E402


class Outcomes:
    """Counts the tests' outcomes, so that a file whose tests all skipped reads as skipped."""

    def __init__(self):
        self.counts = {}

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or report.outcome != "passed":
            self.counts[report.outcome] = self.counts.get(report.outcome, 0) + 1


outcomes = Outcomes()
code = pytest.main(["-q", "-rs", "-p", "no:cacheprovider", sys.argv[1]], plugins=[outcomes])
sys.exit(77 if code == 0 and set(outcomes.counts) == {"skipped"} else code)
