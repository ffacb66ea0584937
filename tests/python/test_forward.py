"""run_with_cache: the same numbers as `massact forward --out`, bit for bit, with a batch axis."""
import json

import numpy as np
import pytest

from conftest import fixture, read_safetensors, run_cli

PROMPT = "Summer is warm. Winter is cold."


@pytest.mark.parametrize("model", ["llama_f32", "gguf/llama.q8_0.gguf"])
def test_cache_equals_the_cli_dump_bit_for_bit(massact, model, tmp_path):
    # Every hook point the model fires: attention scores and patterns, q/k/v, MLP and stream.
    dump = tmp_path / "dump.safetensors"
    run_cli("forward", fixture(model), "--prompt", PROMPT, "--hooks", "*", "--out", dump)
    want = read_safetensors(dump)

    m = massact.load(fixture(model))
    logits, cache = m.run_with_cache(PROMPT, names=["*"])
    assert set(cache) == set(want) - {"logits", "input_ids"}
    assert list(cache) == [n for n in m.hook_names if n in cache]  # forward order
    np.testing.assert_array_equal(m.to_tokens(PROMPT)[0], want["input_ids"])
    for name, got in [("logits", logits), *cache.items()]:
        assert got.dtype == np.float32
        assert got.shape == (1, *want[name].shape), name
        # Equal bits, not just equal values (a NaN or a -0.0 would pass array_equal otherwise).
        assert np.array_equal(got[0].view(np.uint32), want[name].view(np.uint32)), name


def test_a_batch_is_its_sequences_stacked(llama):
    ids = np.array([[1, 5, 9, 200, 3, 7], [1, 42, 42, 17, 100, 2]], dtype=np.int64)
    logits, cache = llama.run_with_cache(ids, names="blocks.*.hook_resid_post")
    assert logits.shape == (2, 6, llama.spec["vocab_size"])
    assert sorted(cache) == [f"blocks.{i}.hook_resid_post" for i in range(llama.spec["layers"])]
    for b in range(2):
        one_logits, one = llama.run_with_cache(ids[b], names="blocks.*.hook_resid_post")
        assert np.array_equal(one_logits[0], logits[b])
        for name, value in one.items():
            assert value.shape == (1, 6, llama.spec["d_model"])
            assert np.array_equal(value[0], cache[name][b])


def test_texts_tokens_and_the_tokenizer_agree(llama):
    ids = llama.tokenizer.encode(PROMPT)
    assert ids[0] == llama.tokenizer.bos_id  # as --prompt encodes: with BOS
    assert llama.tokenizer.decode(ids) == PROMPT
    from_text, _ = llama.run_with_cache(PROMPT, names=[])
    from_ids, _ = llama.run_with_cache(ids, names=[])
    assert np.array_equal(from_text, from_ids)


def test_the_cache_holds_only_what_names_ask(llama):
    _, cache = llama.run_with_cache(PROMPT, names=["blocks.1.attn.hook_pattern"])
    assert list(cache) == ["blocks.1.attn.hook_pattern"]
    T = len(llama.tokenizer.encode(PROMPT))
    pattern = cache["blocks.1.attn.hook_pattern"]
    assert pattern.shape == (1, llama.spec["heads"], T, T)
    # Each query's probabilities: float32 sums of at most T terms in [0, 1].
    np.testing.assert_allclose(pattern.sum(-1, dtype=np.float64), 1.0, rtol=0, atol=4 * T * 2**-24)


def test_spec_is_inspects_architecture(llama):
    want = run_cli("inspect", fixture("llama_f32"), "--json").stdout
    assert llama.spec == json.loads(want)["architecture"]
    assert llama.spec["family"] == "llama"


def test_set_compute_is_the_cli_option(massact, llama):
    """bf16 compute changes the logits (tests/kernels/gemm_bf16_test.cpp bounds by how much), f32
    comes back bit for bit, and a bad precision is refused."""
    exact, _ = llama.run_with_cache(PROMPT, names=[])
    try:
        massact.set_compute("bf16")
        rounded, _ = llama.run_with_cache(PROMPT, names=[])
    finally:
        massact.set_compute("f32")
    again, _ = llama.run_with_cache(PROMPT, names=[])
    assert np.array_equal(again, exact)
    assert not np.array_equal(rounded, exact)
    with pytest.raises(massact.InputError, match="set_compute: expected 'f32' or 'bf16'"):
        massact.set_compute("f16")
