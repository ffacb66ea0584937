"""Errors as Python exceptions carrying the CLI's message."""
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import CLI, FIXTURES, fixture, run_cli


def cli_error(*args):
    """The CLI's message for bad input: exit 2, "massact: error: MESSAGE"."""
    done = run_cli(*args, check=False)
    assert done.returncode == 2, done.stderr
    prefix = "massact: error: "
    assert done.stderr.startswith(prefix), done.stderr
    return done.stderr[len(prefix):].rstrip("\n")


@pytest.mark.parametrize("path", ["/no/such/model", os.path.join(FIXTURES, "quant", "F32.bin"),
                                  os.path.join(FIXTURES, "tokenizers")])
def test_a_bad_path_raises_with_the_file_named_and_the_cli_message(massact, path):
    with pytest.raises(massact.InputError) as error:
        massact.load(path)
    assert isinstance(error.value, ValueError)
    assert path in str(error.value)
    assert str(error.value) == cli_error("inspect", path)


def test_a_token_outside_the_vocabulary_is_the_cli_message(massact, llama):
    with pytest.raises(massact.InputError) as error:
        llama.run_with_cache([1, 2, 999], names=[])
    assert str(error.value) == cli_error("forward", fixture("llama_f32"), "--token-ids", "1,2,999",
                                         "--out", "/tmp/unused.safetensors")


def test_input_longer_than_the_context_is_refused(massact, llama):
    with pytest.raises(massact.InputError, match="129 tokens, more than the model's context of "
                       "128 positions"):
        llama.run_with_cache(np.ones(129, dtype=np.int32), names=[])


@pytest.mark.parametrize("bad", [[[1, 2], [3]], np.zeros((2, 2, 2), dtype=np.int32), [0.5, 1.5],
                                 [[]]])
def test_malformed_token_input_is_a_value_error(massact, llama, bad):
    with pytest.raises(ValueError):
        llama.run_with_cache(bad, names=[])


def test_the_module_imports_in_a_fresh_process_from_the_setup_path(tmp_path):
    # What the README tells a user to do after scripts/setup.sh: PYTHONPATH=build/python (the
    # environment of this test), from any folder.
    done = subprocess.run([sys.executable, "-c",
                           "import massact; print(massact.__version__, massact.load.__doc__)"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(run_cli("--version").stdout.strip().split()[-1])


@pytest.mark.parametrize("variable,value,message", [
    ("MASSACT_ISA", "avx1024",
     "environment variable MASSACT_ISA: expected scalar, avx2 or avx512, got 'avx1024'"),
    ("MASSACT_BF16_GEMM", "fast",
     "environment variable MASSACT_BF16_GEMM: expected widened-sgemm"),
    ("MASSACT_PREFILL_GEMM", "fast",
     "environment variable MASSACT_PREFILL_GEMM: expected widened or packed, got 'fast'"),
])
def test_a_bad_kernel_choice_in_the_environment_is_refused_up_front(variable, value, message):
    """Refused before any work, even by a command whose model never runs those kernels."""
    done = subprocess.run([CLI, "inspect", fixture("llama_f32")], capture_output=True, text=True,
                          env={**os.environ, variable: value})
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("massact: error: " + message), done.stderr
