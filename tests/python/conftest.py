"""What the Python module's tests share: where the CLI, the fixtures and the sample text are
(environment set by tests/CMakeLists.txt), the CLI run as a subprocess, and a safetensors reader
for `massact forward --out` dumps."""
import json
import os
import struct
import subprocess

import numpy as np
import pytest

CLI = os.environ["MASSACT_CLI"]
FIXTURES = os.environ["MASSACT_FIXTURES"]
REPO = os.environ["MASSACT_REPO"]
SAMPLE_TEXT = os.path.join(REPO, "data", "sample_text.txt")


def fixture(name):
    return os.path.join(FIXTURES, name)


def run_cli(*args, check=True):
    """The CLI's CompletedProcess (text); with check, the exit code must be 0."""
    done = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"massact {' '.join(map(str, args))}: exit {done.returncode}\n"
                             f"{done.stderr}")
    return done


def cli_json(*args):
    return json.loads(run_cli(*args, "--json").stdout)


_DTYPES = {"F32": np.float32, "I32": np.int32}


def read_safetensors(path):
    """name -> array of a safetensors file (the F32 and I32 tensors that `forward` writes)."""
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len])
    body = data[8 + header_len:]
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        out[name] = np.frombuffer(body[begin:end], dtype=_DTYPES[entry["dtype"]]).reshape(
            entry["shape"])
    return out


@pytest.fixture(scope="session")
def massact():
    import massact as module
    return module


@pytest.fixture(scope="session")
def llama(massact):
    return massact.load(fixture("llama_f32"))
