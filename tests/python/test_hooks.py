"""run_with_hooks: Python functions as the engine's editors."""
import numpy as np
import pytest

from conftest import SAMPLE_TEXT, cli_json, fixture, read_safetensors

U = 2.0**-24  # float32's unit roundoff


def gamma(k):
    return k * U / (1 - k * U)


def nll_disagreement(normalized, lm_head):
    """How far the engine's streamed next-token NLL (Model::next_token_nll: the lm_head product in
    vocabulary panels, a running log-sum-exp) may lie from the NLL of the whole logits, per token,
    for a model without final projection, bias or soft-cap: the two lm_head products of k = d_model
    terms may differ by 2 gamma(k + 1) sum |w h| per logit (tests/float_bounds.h), which moves an
    NLL by at most twice that; the float64 log-sum-exps add 2 V 2^-53. As nll_disagreement in
    tests/analysis/perplexity_test.cpp."""
    w = lm_head.astype(np.float64)  # (V, d)
    h = normalized.astype(np.float64)  # (T, d)
    abs_sums = np.abs(h) @ np.abs(w).T  # (T, V)
    k = w.shape[1]
    return 2.0 * (2.0 * gamma(k + 1) * abs_sums.max()) + 2.0 * w.shape[0] * 2.0**-53


def mean_nll(logits, ids):
    """Mean -log p(ids[t + 1] | ids[..t]) from (T, V) float32 logits, in float64."""
    z = logits[:-1].astype(np.float64)
    top = z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(z - top).sum(axis=1)) + top[:, 0]
    return float(np.mean(lse - z[np.arange(len(ids) - 1), ids[1:]]))


def test_zeroing_one_activation_moves_the_nll_as_intervene_does(massact, llama, tmp_path):
    # The first evaluation window of `intervene`: BOS, then seq_len - 1 tokens of the text
    # tokenized without special tokens.
    seq_len, layer = 24, 1
    text = open(SAMPLE_TEXT, encoding="utf-8").read()
    window = np.array([llama.tokenizer.bos_id] +
                      llama.tokenizer.encode(text, with_special=False)[:seq_len - 1])
    hook = f"blocks.{layer}.hook_resid_post"
    _, cache = llama.run_with_cache(window, names=[hook])
    x = np.abs(cache[hook][0])  # (T, d_model)
    # A criterion that flags exactly the largest activation: a ratio to the median (the lower
    # middle of all |activations|) halfway between the largest and the second largest.
    ordered = np.sort(x.ravel())
    median, second, largest = ordered[(ordered.size - 1) // 2], ordered[-2], ordered[-1]
    assert largest > second, "the fixture's largest activation is tied: pick another layer"
    ratio = float((largest + second) / 2 / median)
    token, dim = np.unravel_index(np.argmax(x), x.shape)

    result = cli_json("intervene", fixture("llama_f32"), "--eval-text", SAMPLE_TEXT,
                      "--seq-len", seq_len, "--max-windows", 1, "--layer", layer,
                      "--mode", "original,zero", "--min-magnitude", 0, "--min-ratio", ratio,
                      "--include-outlier-features", "--calib-seq-len", seq_len)
    rows = {r["mode"]: r for r in result["result"]["rows"]}
    assert rows["zero"]["edited"] == 1 and rows["zero"]["scored_tokens"] == seq_len - 1

    def zero(activation, name):
        assert name == hook and activation.shape == (1, seq_len, llama.spec["d_model"])
        activation[0, token, dim] = 0.0
        return activation

    edited = llama.run_with_hooks(window, fwd_hooks=[(hook, zero)])[0]
    original = llama.run_with_hooks(window)[0]
    # The bound of each pass, from its own final normalized stream.
    lm_head = read_safetensors(fixture("llama_f32/model.safetensors"))["lm_head.weight"]
    bounds = {}
    for mode, hooks in (("original", []), ("zero", [(hook, zero)])):
        _, normalized = llama.run_with_cache(window, names=["ln_final.hook_normalized"],
                                             fwd_hooks=hooks)
        bounds[mode] = nll_disagreement(normalized["ln_final.hook_normalized"][0], lm_head)
    assert abs(mean_nll(edited, window) - rows["zero"]["mean_nll"]) <= bounds["zero"]
    assert abs(mean_nll(original, window) - rows["original"]["mean_nll"]) <= bounds["original"]
    # The edit moves the NLL by more than the two bounds together, so a Python pass that missed it
    # could not pass the check above.
    assert abs(rows["zero"]["mean_nll"] - rows["original"]["mean_nll"]) > (bounds["zero"] +
                                                                           bounds["original"])


def test_an_editor_may_edit_in_place_or_return_and_observers_see_the_edit(llama):
    ids = [1, 20, 30, 40]
    seen = []

    def in_place(a, name):
        a[:] = 0.0

    def returns(a, name):
        return np.ones_like(a) * 2.0

    def observe(a, name):
        seen.append((name, a.copy()))

    _, want = llama.run_with_cache(ids, names=["blocks.0.hook_mlp_out"])
    for editor, value in ((in_place, 0.0), (returns, 2.0)):
        seen.clear()
        llama.run_with_hooks(ids, fwd_hooks=[("blocks.0.hook_attn_out", editor),
                                             ("blocks.0.hook_*_out", observe)])
        # Hooks run in the order given, so the observer of hook_attn_out sees the edit.
        assert [n for n, _ in seen] == ["blocks.0.hook_attn_out", "blocks.0.hook_mlp_out"]
        assert np.all(seen[0][1] == value)
        assert not np.array_equal(seen[1][1], want["blocks.0.hook_mlp_out"])


def test_an_array_kept_from_a_hook_stays_valid(llama):
    kept = []
    llama.run_with_hooks([1, 2, 3], fwd_hooks=[("blocks.*.hook_resid_post", lambda a, n:
                                                kept.append(a))])
    _, cache = llama.run_with_cache([1, 2, 3], names=["blocks.*.hook_resid_post"])
    assert [np.array_equal(k, v) for k, v in zip(kept, cache.values())] == [True] * len(cache)


def test_a_hook_that_returns_the_wrong_shape_is_a_value_error(massact, llama):
    with pytest.raises(massact.InputError, match=r"hook on 'blocks.0.hook_resid_post' returned: "
                       r"expected an array of shape \(1, 3, 64\), got \(3, 64\)"):
        llama.run_with_hooks([1, 2, 3], fwd_hooks=[("blocks.0.hook_resid_post", lambda a, n:
                                                    a[0])])


def test_an_exception_in_a_hook_reaches_the_caller_as_it_is(llama):
    class Stop(Exception):
        pass

    def stop(a, name):
        raise Stop(name)

    with pytest.raises(Stop, match="blocks.1.hook_resid_pre"):
        llama.run_with_hooks([1, 2, 3], fwd_hooks=[("blocks.1.hook_resid_pre", stop)])


def test_a_glob_that_names_no_hook_point_is_refused(massact, llama):
    with pytest.raises(massact.InputError, match="no hook point matches 'blocks.*.hook_resid'"):
        llama.run_with_hooks([1, 2], fwd_hooks=[("blocks.*.hook_resid", lambda a, n: None)])
    with pytest.raises(massact.InputError, match="no hook point matches 'nothing'"):
        llama.run_with_cache([1, 2], names=["nothing"])
