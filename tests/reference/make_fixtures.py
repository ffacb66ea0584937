#!/usr/bin/env python3
"""Build the tiny random reference models under tests/fixtures/ and record their outputs.

Each fixture is a Hugging Face model directory (config.json, safetensors weights, tokenizer.model,
tokenizer_config.json) plus reference.safetensors / reference.json holding what transformers
computes for one fixed prompt. The C++ tests load the same directory with massact and compare, so
the test suite itself never needs Python. See README.md in this folder for the key layout.

Run from anywhere:  /tmp/refenv/bin/python tests/reference/make_fixtures.py
"""

import argparse
import hashlib
import inspect
import io
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import safetensors
import sentencepiece as spm
import torch
import transformers
from safetensors.torch import load_file, save_file
from transformers import (
    AutoModelForCausalLM,
    BloomConfig,
    CohereConfig,
    FalconConfig,
    GemmaConfig,
    Gemma2Config,
    GenerationConfig,
    GPT2Config,
    GPTNeoXConfig,
    LlamaConfig,
    LlamaTokenizer,
    MistralConfig,
    MixtralConfig,
    MptConfig,
    OPTConfig,
    PhiConfig,
    Phi3Config,
    Qwen2Config,
    StableLmConfig,
    Starcoder2Config,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_INPUT = REPO_ROOT / ".." / "shared" / "data" / "text" / "tinyshakespeare.txt"
DEFAULT_OUT = REPO_ROOT / "tests" / "fixtures"

PROMPT = "Once upon a time, there was a little girl. She liked to play.\nThe end."
SP_VOCAB_SIZE = 256
GREEDY_NEW_TOKENS = 8
MISTRAL_WINDOW = 8

# Weight scale: with hidden 64 a N(0, 0.1) matrix maps an O(1) vector to entries of std ~0.8, so
# the residual stream stays O(1) over a few layers and attention scores (std ~0.6) keep softmax
# unsaturated.
WEIGHT_STD = 0.1
BIAS_STD = 0.1
NORM_STD = 0.1

# Shapes shared by all fixtures; each fixture overrides what it exercises.
BASE_SHAPE = dict(
    vocab_size=SP_VOCAB_SIZE,
    hidden_size=64,
    intermediate_size=128,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    max_position_embeddings=128,
    rms_norm_eps=1e-5,
    bos_token_id=1,
    eos_token_id=2,
    attn_implementation="eager",  # output_attentions needs eager; also the plainest reference math
)

# The other families' fixtures are smaller still (hidden 32, 4 heads of 8, MLP 64): twelve of them
# stay under 4 MB. Each family spells these fields its own way, so each gives its whole shape.
SMALL = dict(vocab_size=SP_VOCAB_SIZE, bos_token_id=1, eos_token_id=2, attn_implementation="eager")
SMALL_LLAMA_LIKE = dict(
    SMALL,
    hidden_size=32,
    intermediate_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    max_position_embeddings=64,
    rms_norm_eps=1e-5,
)
SMALL_LAYERNORM = dict(
    SMALL,
    hidden_size=32,
    num_hidden_layers=2,
    num_attention_heads=4,
    max_position_embeddings=64,
)
GEMMA2_WINDOW = 8

# name -> how to build it. "dtype" is the dtype the weights are SAVED in; references are always f32.
# "base" replaces BASE_SHAPE for families that do not share LLaMA's field names.
FIXTURES = {
    "llama_f32": dict(
        config_class=LlamaConfig,
        config=dict(num_hidden_layers=3, rope_theta=10000.0, tie_word_embeddings=False),
        dtype=torch.float32,
    ),
    "llama3_bf16": dict(
        config_class=LlamaConfig,
        config=dict(
            rope_theta=500000.0,
            # head_dim 16 -> 8 frequencies with wavelengths 2*pi*500000^(k/8) = 6.3, 32, 167, ...
            # original_max_position_embeddings 64 puts k=0 in the "high" band (unchanged, < 64/4),
            # k=1 in the "medium" band (smoothed) and k>=2 in the "low" band (divided by factor),
            # so all three branches of the llama3 rule are exercised.
            rope_scaling={
                "rope_type": "llama3",
                "factor": 8.0,
                "low_freq_factor": 1.0,
                "high_freq_factor": 4.0,
                "original_max_position_embeddings": 64,
            },
            tie_word_embeddings=True,
        ),
        dtype=torch.bfloat16,
    ),
    "llama_linear_sharded": dict(
        config_class=LlamaConfig,
        config=dict(
            num_key_value_heads=4,  # plain multi-head attention
            # Old-style "type" key, as in older checkpoints (transformers adds "rope_type" on save).
            rope_scaling={"type": "linear", "factor": 2.0},
            tie_word_embeddings=False,
        ),
        dtype=torch.float32,
        max_shard_size="200KB",  # ~460 KB of weights -> several shards plus the index
    ),
    "mistral_f32": dict(
        config_class=MistralConfig,
        config=dict(sliding_window=MISTRAL_WINDOW, tie_word_embeddings=False),
        dtype=torch.float32,
    ),
    "qwen2_f32": dict(
        config_class=Qwen2Config,
        config=dict(use_sliding_window=False, tie_word_embeddings=False),
        dtype=torch.float32,
        # Real Qwen2 configs carry "sliding_window": <n> next to "use_sliding_window": false and
        # transformers ignores the window. Write a window shorter than the prompt into config.json
        # so a loader that wrongly applies it fails the test. (Qwen2Config itself stores null.)
        config_json_patch={"sliding_window": MISTRAL_WINDOW, "max_window_layers": 1},
    ),
    "qwen2_bf16": dict(
        config_class=Qwen2Config,
        config=dict(use_sliding_window=False, tie_word_embeddings=True),
        dtype=torch.bfloat16,
    ),
    # GPT-2: learned positions, LayerNorm with bias, Conv1D (in, out) weights, gelu_new, tied.
    "gpt2_f32": dict(
        config_class=GPT2Config,
        base=SMALL,
        config=dict(n_embd=32, n_layer=2, n_head=4, n_inner=64, n_positions=64,
                    activation_function="gelu_new", layer_norm_epsilon=1e-5),
        dtype=torch.float32,
    ),
    # Pythia: fused interleaved query_key_value, partial rotary, parallel residual with two norms.
    "pythia_parallel_f32": dict(
        config_class=GPTNeoXConfig,
        base=SMALL_LAYERNORM,
        config=dict(intermediate_size=64, rotary_pct=0.25, use_parallel_residual=True,
                    layer_norm_eps=1e-5, tie_word_embeddings=False),
        dtype=torch.float32,
    ),
    "pythia_sequential_f32": dict(
        config_class=GPTNeoXConfig,
        base=SMALL_LAYERNORM,
        config=dict(intermediate_size=64, rotary_pct=0.5, use_parallel_residual=False,
                    layer_norm_eps=1e-5, tie_word_embeddings=False),
        dtype=torch.float32,
    ),
    # Phi-2: attention and MLP in parallel from one LayerNorm, partial rotary, lm_head bias.
    "phi_f32": dict(
        config_class=PhiConfig,
        base=SMALL_LAYERNORM,
        config=dict(intermediate_size=64, partial_rotary_factor=0.5, hidden_act="gelu_new",
                    layer_norm_eps=1e-5, tie_word_embeddings=False),
        dtype=torch.float32,
    ),
    "phi_bf16": dict(
        config_class=PhiConfig,
        base=SMALL_LAYERNORM,
        config=dict(intermediate_size=64, partial_rotary_factor=0.5, hidden_act="gelu_new",
                    layer_norm_eps=1e-5, tie_word_embeddings=False),
        dtype=torch.bfloat16,
    ),
    # OPT: learned positions at offset 2, ReLU, biases, pre-LayerNorm, tied.
    "opt_f32": dict(
        config_class=OPTConfig,
        base=SMALL_LAYERNORM,
        config=dict(ffn_dim=64, word_embed_proj_dim=32, do_layer_norm_before=True,
                    activation_function="relu", pad_token_id=0),
        dtype=torch.float32,
    ),
    # OPT-350m's shape: embeddings of width 16 projected in and out, LayerNorm after the residual
    # add, no final norm.
    "opt_project_postln_f32": dict(
        config_class=OPTConfig,
        base=SMALL_LAYERNORM,
        config=dict(ffn_dim=64, word_embed_proj_dim=16, do_layer_norm_before=False,
                    activation_function="relu", pad_token_id=0),
        dtype=torch.float32,
    ),
    # Gemma: GeGLU, RMSNorm scaled by (1 + w), embedding times sqrt(hidden), tied.
    "gemma_f32": dict(
        config_class=GemmaConfig,
        base=SMALL_LLAMA_LIKE,
        config=dict(head_dim=8, hidden_activation="gelu_pytorch_tanh", pad_token_id=0),
        dtype=torch.float32,
    ),
    # Gemma-2: soft-capping small enough to bend scores and logits, a window of 8 < T on even
    # layers, scores scaled by query_pre_attn_scalar^-0.5 (16, not head_dim 8), sandwich norms.
    "gemma2_f32": dict(
        config_class=Gemma2Config,
        base=SMALL_LLAMA_LIKE,
        config=dict(head_dim=8, hidden_activation="gelu_pytorch_tanh", pad_token_id=0,
                    query_pre_attn_scalar=16, sliding_window=GEMMA2_WINDOW,
                    attn_logit_softcapping=1.0, final_logit_softcapping=2.0),
        dtype=torch.float32,
    ),
    # Falcon-7B's shape: multi-query attention (one KV head) in a fused tensor, parallel
    # attention and MLP from one LayerNorm, rotary, no biases, tied.
    "falcon_f32": dict(
        config_class=FalconConfig,
        base=SMALL_LAYERNORM,
        config=dict(ffn_hidden_size=64, multi_query=True, parallel_attn=True,
                    new_decoder_architecture=False, alibi=False, bias=False),
        dtype=torch.float32,
    ),
    # Falcon-40B's shape: new_decoder_architecture, 2 KV heads in grouped fused rows, two norms.
    "falcon_newarch_f32": dict(
        config_class=FalconConfig,
        base=SMALL_LAYERNORM,
        config=dict(ffn_hidden_size=64, num_kv_heads=2, new_decoder_architecture=True,
                    parallel_attn=True, alibi=False, bias=False),
        dtype=torch.float32,
    ),
    # MPT: ALiBi, no biases, LayerNorm without bias, q/k/v clamped to +-0.5 (most entries of a
    # random model's q/k/v exceed it, so the clamp is active), tied.
    "mpt_f32": dict(
        config_class=MptConfig,
        base=SMALL,
        config=dict(d_model=32, n_heads=4, n_layers=2, expansion_ratio=4, max_seq_len=64,
                    no_bias=True, layer_norm_epsilon=1e-5,
                    attn_config={"alibi": True, "alibi_bias_max": 8, "clip_qkv": 0.5}),
        dtype=torch.float32,
    ),
    # Mixtral: a sparse MoE of 4 gated experts, top-2 routing, grouped KV heads.
    "mixtral_f32": dict(
        config_class=MixtralConfig,
        base=SMALL_LLAMA_LIKE,
        config=dict(num_local_experts=4, num_experts_per_tok=2, sliding_window=None,
                    tie_word_embeddings=False),
        dtype=torch.float32,
    ),
    # Falcon-RW's shape: ALiBi (added before the scale), multi-head attention with per-head
    # interleaved fused qkv, a sequential block, biases, MLP 4 x hidden. Hidden 64 (head_dim 16).
    # Last in this table, so that the seeds (by position) of the fixtures above do not change.
    "falcon_alibi_f32": dict(
        config_class=FalconConfig,
        base=dict(SMALL_LAYERNORM, hidden_size=64),
        config=dict(multi_query=False, parallel_attn=False,
                    new_decoder_architecture=False, alibi=True, bias=True),
        dtype=torch.float32,
    ),
    # The fixtures below carry their own seed, so that their place in this table (which other
    # branches may extend too) leaves every fixture's bytes as they are. Seeds may repeat between
    # fixtures: each is made from its own generator.
    # Command-R+'s shape (cohere): attention and MLP in parallel from one LayerNorm without bias,
    # interleaved RoPE, logit_scale 0.25, each q/k head LayerNormed with its own weights, GQA 4/2,
    # tied. Its own seed (not its position), so fixtures added beside it keep theirs.
    "cohere_f32": dict(
        config_class=CohereConfig,
        base={k: v for k, v in SMALL_LLAMA_LIKE.items() if k != "rms_norm_eps"},
        config=dict(layer_norm_eps=1e-5, logit_scale=0.25, use_qk_norm=True, rope_theta=10000.0,
                    pad_token_id=0),
        dtype=torch.float32,
        seed=2001,
    ),
    # BLOOM: ALiBi with 6 heads (not a power of two: the slopes interleave two geometric series,
    # as BLOOM-176B's 112 heads), a LayerNorm on the word embeddings, per-head interleaved fused
    # query_key_value, biases, tanh GELU, MLP 4 x hidden, tied. Hidden 48 (head_dim 8).
    "bloom_f32": dict(
        config_class=BloomConfig,
        base=SMALL,
        config=dict(hidden_size=48, n_layer=2, n_head=6, layer_norm_epsilon=1e-5),
        dtype=torch.float32,
        seed=2002,
    ),
    # Phi-3: fused qkv_proj and gate_up_proj, LongRoPE. original_max_position_embeddings 32 < T:
    # the long factors apply, and cos/sin are scaled by sqrt(1 + ln(64/32) / ln 32). The window
    # (56) covers every sequence here: transformers 4.44.2 applies it only with flash attention.
    "phi3_f32": dict(
        config_class=Phi3Config,
        base=SMALL_LLAMA_LIKE,
        config=dict(original_max_position_embeddings=32, sliding_window=56, pad_token_id=0,
                    rope_scaling={"type": "longrope", "short_factor": [1.0, 1.25, 1.5, 2.0],
                                  "long_factor": [1.0, 2.0, 4.0, 8.0]},
                    tie_word_embeddings=False),
        dtype=torch.float32,
        seed=2001,
    ),
    # StarCoder2: pre-LayerNorm with biases, biased q/k/v/o and plain gelu_pytorch_tanh MLP
    # (c_fc, c_proj), GQA 4/2, tied. No sliding window: the GGUF converter drops it (llama.cpp
    # applies none), so a window here would make the two files different models.
    "starcoder2_f32": dict(
        config_class=Starcoder2Config,
        base={k: v for k, v in SMALL_LLAMA_LIKE.items() if k != "rms_norm_eps"},
        config=dict(hidden_act="gelu_pytorch_tanh", norm_epsilon=1e-5, use_bias=True,
                    rope_theta=100000.0, sliding_window=None, tie_word_embeddings=True),
        dtype=torch.float32,
        seed=2002,
    ),
    # StableLM 2 1.6B's shape: sequential pre-LayerNorm blocks with biases, q/k/v biases (not o),
    # rotary on a quarter of each head (2 of 8 dimensions), gated SiLU MLP, GQA 4/2, untied.
    "stablelm_f32": dict(
        config_class=StableLmConfig,
        base=SMALL_LAYERNORM,
        config=dict(intermediate_size=64, num_key_value_heads=2, layer_norm_eps=1e-5,
                    use_qkv_bias=True, partial_rotary_factor=0.25, use_parallel_residual=False,
                    qk_layernorm=False, tie_word_embeddings=False),
        dtype=torch.float32,
        seed=2003,
    ),
    # StableLM 2 12B's block without its q/k LayerNorms: attention and MLP in parallel from the
    # one input norm, no q/k/v biases, rotary on half of each head, tied.
    "stablelm_parallel_f32": dict(
        config_class=StableLmConfig,
        base=SMALL_LAYERNORM,
        config=dict(intermediate_size=64, num_key_value_heads=4, layer_norm_eps=1e-5,
                    use_qkv_bias=False, partial_rotary_factor=0.5, use_parallel_residual=True,
                    qk_layernorm=False, tie_word_embeddings=True),
        dtype=torch.float32,
        seed=2004,
    ),
    # StableLM 2 12B's block: parallel residual and qk_layernorm, a bias-free LayerNorm of each
    # query and key head with that head's own weights (4 query, 2 KV heads), before RoPE.
    "stablelm_qknorm_f32": dict(
        config_class=StableLmConfig,
        base=SMALL_LAYERNORM,
        config=dict(intermediate_size=64, num_key_value_heads=2, layer_norm_eps=1e-5,
                    use_qkv_bias=False, partial_rotary_factor=0.25, use_parallel_residual=True,
                    qk_layernorm=True, tie_word_embeddings=False),
        dtype=torch.float32,
        seed=2005,
    ),
}


# ----------------------------------------------------------------------------------------------
# Tokenizer


def train_tokenizer(input_path: Path) -> bytes:
    """Train a small LLaMA-style SentencePiece BPE model and return the serialized proto.

    Trained from an iterator into memory so the proto does not record the input path (the bytes
    are then the same wherever the script runs). One thread and no shuffling keep it deterministic.
    """
    text = input_path.read_text(encoding="utf-8")
    sentences = [line for line in text.split("\n") if line.strip()]
    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences),
        model_writer=proto,
        model_type="bpe",
        vocab_size=SP_VOCAB_SIZE,
        character_coverage=1.0,
        byte_fallback=False,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        # LLaMA's normalizer settings: keep text as is, prefix a space, digits split.
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        add_dummy_prefix=True,
        split_digits=True,
        # The trainer reads one sentence per line, so it never sees "\n"; without byte fallback the
        # prompt's newline would become <unk>. A user-defined piece keeps it a real token.
        user_defined_symbols=["\n"],
        num_threads=1,
        input_sentence_size=0,
        shuffle_input_sentence=False,
        minloglevel=2,
    )
    return proto.getvalue()


def write_tokenizer(fixture_dir: Path, sp_model: bytes) -> None:
    (fixture_dir / "tokenizer.model").write_bytes(sp_model)
    # Like LLaMA's tokenizer_config.json; "legacy" is left out so transformers uses its default
    # (legacy=True).
    config = {
        "add_bos_token": True,
        "add_eos_token": False,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "pad_token": None,
        "clean_up_tokenization_spaces": False,
        "model_max_length": 2048,
        "sp_model_kwargs": {},
        "tokenizer_class": "LlamaTokenizer",
    }
    write_json(fixture_dir / "tokenizer_config.json", config)


def encode_prompt(fixture_dir: Path, sp_model: bytes) -> tuple:
    """Return (transformers LlamaTokenizer ids, raw sentencepiece ids with BOS prepended)."""
    tokenizer = LlamaTokenizer.from_pretrained(str(fixture_dir))  # slow tokenizer, legacy default
    hf_ids = tokenizer(PROMPT)["input_ids"]
    sp = spm.SentencePieceProcessor(model_proto=sp_model)
    sp_ids = [sp.bos_id()] + sp.encode(PROMPT)
    return hf_ids, sp_ids


# ----------------------------------------------------------------------------------------------
# Model construction


def layer_norm_accepts_bias() -> None:
    """torch >= 2.1's nn.LayerNorm(..., bias=False), which StableLM's per-head q/k norms ask for,
    on Debian's torch 1.13: the same module with its bias parameter removed (F.layer_norm then
    adds none), as torch 2.1 builds it. Callers that pass no bias get torch 1.13's module."""
    if "bias" in inspect.signature(torch.nn.LayerNorm.__init__).parameters:
        return

    class LayerNorm(torch.nn.LayerNorm):
        def __init__(self, *args, bias: bool = True, **kwargs):
            super().__init__(*args, **kwargs)
            if not bias:
                del self.bias
                self.register_parameter("bias", None)

    torch.nn.LayerNorm = LayerNorm


layer_norm_accepts_bias()


def build_model(spec: dict, seed: int) -> torch.nn.Module:
    config = spec["config_class"](**{**spec.get("base", BASE_SHAPE), **spec["config"]})
    torch.manual_seed(seed)  # construction draws HF's own init; we overwrite all of it below anyway
    model = AutoModelForCausalLM.from_config(config, torch_dtype=torch.float32)
    randomize_parameters(model, seed)
    return model.eval()


@torch.no_grad()
def randomize_parameters(model: torch.nn.Module, seed: int) -> None:
    """Overwrite every parameter: HF's init leaves biases at 0 and norm weights at 1, which would
    hide a loader that forgets to read them. named_parameters() visits tied weights once, in a
    fixed order."""
    gen = torch.Generator().manual_seed(seed)
    for name, param in model.named_parameters():
        noise = torch.randn(param.shape, generator=gen, dtype=torch.float32)
        if name.endswith(".bias"):
            param.copy_(BIAS_STD * noise)
        elif "norm" in name or "ln_" in name:  # GPT-2 and Falcon call theirs ln_1, ln_f, ln_attn
            param.copy_(1.0 + NORM_STD * noise)
        else:
            param.copy_(WEIGHT_STD * noise)


def save_model(model: torch.nn.Module, spec: dict, fixture_dir: Path) -> None:
    model = model.to(spec["dtype"])  # save_pretrained records this dtype as config.torch_dtype
    model.save_pretrained(
        str(fixture_dir),
        safe_serialization=True,
        max_shard_size=spec.get("max_shard_size", "5GB"),
    )
    patch = spec.get("config_json_patch")
    if patch:
        config_path = fixture_dir / "config.json"
        write_json(config_path, {**json.loads(config_path.read_text()), **patch})


def load_f32(fixture_dir: Path) -> torch.nn.Module:
    """Load a fixture from disk and compute in float32, as massact does (bf16 widened exactly)."""
    model = AutoModelForCausalLM.from_pretrained(
        str(fixture_dir), torch_dtype=torch.float32, attn_implementation="eager"
    )
    return model.float().eval()


# ----------------------------------------------------------------------------------------------
# Reference outputs


# model_type -> (decoder layers, final norm): module paths inside the *ForCausalLM model.
MODULES = {
    "llama": ("model.layers", "model.norm"),
    "mistral": ("model.layers", "model.norm"),
    "qwen2": ("model.layers", "model.norm"),
    "gemma": ("model.layers", "model.norm"),
    "gemma2": ("model.layers", "model.norm"),
    "mixtral": ("model.layers", "model.norm"),
    "phi": ("model.layers", "model.final_layernorm"),
    "gpt2": ("transformer.h", "transformer.ln_f"),
    "opt": ("model.decoder.layers", "model.decoder.final_layer_norm"),
    "gpt_neox": ("gpt_neox.layers", "gpt_neox.final_layer_norm"),
    "falcon": ("transformer.h", "transformer.ln_f"),
    "mpt": ("transformer.blocks", "transformer.norm_f"),
    "cohere": ("model.layers", "model.norm"),
    "bloom": ("transformer.h", "transformer.ln_f"),
    "mistral3": ("language_model.model.layers", "language_model.model.norm"),  # its own script
    "phi3": ("model.layers", "model.norm"),
    "starcoder2": ("model.layers", "model.norm"),
    "stablelm": ("model.layers", "model.norm"),
}


def submodule(model: torch.nn.Module, path: str):
    """The module at a dotted path, or None where the model has none (OPT-350m's final norm)."""
    for part in path.split("."):
        model = getattr(model, part, None)
    return model


@torch.no_grad()
def record_reference(model: torch.nn.Module, input_ids: list) -> dict:
    """One forward pass with hooks; returns the tensors of reference.safetensors."""
    captured = {}

    def keep(key, pick):
        def hook(_module, _inputs, output):
            captured[key] = pick(output)[0].detach().clone()

        return hook

    layers_path, norm_path = MODULES[model.config.model_type]
    layers = submodule(model, layers_path)
    n = len(layers)

    # "embed" is the stream entering layer 0 (token embedding, scaled, projected in, plus learned
    # positions, as the family does), so a pre-hook on that layer reads it.
    def embed_hook(_module, inputs):
        captured["embed"] = inputs[0][0].detach().clone()

    handles = [layers[0].register_forward_pre_hook(embed_hook)]
    for i, layer in enumerate(layers):
        # The layer's raw output; output_hidden_states gives the final-normed stream for the last.
        handles.append(layer.register_forward_hook(keep(f"resid_post.{i}", lambda o: o[0])))
    final_norm = submodule(model, norm_path)
    if final_norm is not None:
        handles.append(final_norm.register_forward_hook(keep("ln_final", lambda o: o)))

    ids = torch.tensor([input_ids], dtype=torch.int64)
    out = model(input_ids=ids, output_attentions=True, use_cache=False)
    for h in handles:
        h.remove()

    tensors = {"input_ids": ids[0].clone()}
    tensors.update(captured)
    if final_norm is None:  # no final norm: ln_final is the last layer's output, unchanged
        tensors["ln_final"] = captured[f"resid_post.{n - 1}"].clone()
    for i, pattern in enumerate(out.attentions):
        tensors[f"pattern.{i}"] = pattern[0].clone()
    tensors["logits"] = out.logits[0].clone()
    # Not a hook point, but the quickest way to debug RoPE scaling (llama3, linear) on the C++ side.
    rotary = next((m for m in model.modules() if hasattr(m, "inv_freq")), None)
    if rotary is not None:
        tensors["rope_inv_freq"] = rotary.inv_freq.clone()
    return {k: (v if k == "input_ids" else v.float()).contiguous() for k, v in tensors.items()}


@torch.no_grad()
def greedy(model: torch.nn.Module, prompt_ids: list) -> dict:
    """Greedy continuation via generate() (KV cache), cross-checked by full-recompute argmax."""
    ids = torch.tensor([prompt_ids], dtype=torch.int64)
    # eos_token_id=None: always produce exactly GREEDY_NEW_TOKENS, never stop early on </s>.
    gen_config = GenerationConfig(
        max_new_tokens=GREEDY_NEW_TOKENS, do_sample=False, eos_token_id=None, pad_token_id=None
    )
    if model.config.model_type == "gemma2":
        # transformers 4.44.2's Gemma-2 HybridCache decodes sliding-window layers differently from
        # a full forward pass once the sequence outgrows the window (eager attention); without the
        # cache generate() agrees with the forward pass, which is what massact reproduces.
        gen_config.use_cache = False
    out = model.generate(ids, attention_mask=torch.ones_like(ids), generation_config=gen_config)
    new_ids = out[0, len(prompt_ids) :].tolist()

    # Recompute without cache; also note how close each step's top-2 logits were, so a test can
    # tell a genuine mismatch from a near-tie.
    seq, margins = list(prompt_ids), []
    for _ in range(GREEDY_NEW_TOKENS):
        logits = model(input_ids=torch.tensor([seq]), use_cache=False).logits[0, -1]
        top2 = torch.topk(logits, 2).values
        margins.append(float(top2[0] - top2[1]))
        seq.append(int(torch.argmax(logits)))
    recomputed = seq[len(prompt_ids) :]
    if recomputed != new_ids:
        raise RuntimeError(f"generate() {new_ids} != full-recompute argmax {recomputed}")
    return {"prompt_ids": list(prompt_ids), "new_ids": new_ids, "min_top2_margin": min(margins)}


def check_causal(patterns: list, windows: list) -> None:
    """Assert every pattern is causal and, with a window W, that query i sees exactly keys
    i-W < j <= i (transformers 4.44's Mistral mask: key j is masked if j > i or j <= i-W)."""
    for layer, (pattern, window) in enumerate(zip(patterns, windows)):
        t = pattern.shape[-1]
        i = torch.arange(t).unsqueeze(1)
        j = torch.arange(t).unsqueeze(0)
        allowed = j <= i
        if window is not None:
            allowed &= j > i - window
        allowed = allowed.expand_as(pattern)
        if not torch.all(pattern[~allowed] == 0):
            raise RuntimeError(f"layer {layer}: nonzero probability on a masked key")
        if not torch.all(pattern[allowed] > 0):
            raise RuntimeError(f"layer {layer}: zero probability on an allowed key")
        if not torch.allclose(pattern.sum(-1), torch.ones(pattern.shape[:-1]), atol=1e-5):
            raise RuntimeError(f"layer {layer}: rows do not sum to 1")


MISTRAL_WINDOW_RULE = (
    "0-based positions: query i attends key j iff i - sliding_window < j <= i, i.e. the last "
    "sliding_window keys including itself; keys with j <= i - sliding_window get probability "
    "exactly 0 "
    "(transformers 4.44.2 MistralModel._update_causal_mask, eager)"
)


GEMMA2_WINDOW_RULE = (
    "layers 0, 2, ... (even) use the sliding window with the Mistral rule (query i attends key j "
    "iff i - sliding_window < j <= i); odd layers attend every earlier key "
    "(transformers 4.44.2 Gemma2DecoderLayer.is_sliding, eager)"
)


def attention_windows(model_type: str, n_layers: int) -> list:
    """Each layer's sliding window (None: full causal attention)."""
    if model_type == "mistral":
        return [MISTRAL_WINDOW] * n_layers
    if model_type == "gemma2":
        return [GEMMA2_WINDOW if i % 2 == 0 else None for i in range(n_layers)]
    return [None] * n_layers


# ----------------------------------------------------------------------------------------------
# Driver


def make_fixture(name: str, spec: dict, seed: int, sp_model: bytes, out_dir: Path) -> dict:
    fixture_dir = out_dir / name
    if fixture_dir.exists():
        shutil.rmtree(fixture_dir)
    fixture_dir.mkdir(parents=True)

    save_model(build_model(spec, seed), spec, fixture_dir)
    write_tokenizer(fixture_dir, sp_model)
    hf_ids, sp_ids = encode_prompt(fixture_dir, sp_model)

    model = load_f32(fixture_dir)  # reference comes from the saved (possibly bf16) weights
    tensors = record_reference(model, hf_ids)
    n_layers = len(submodule(model, MODULES[model.config.model_type][0]))
    patterns = [tensors[f"pattern.{i}"] for i in range(n_layers)]
    windows = attention_windows(model.config.model_type, n_layers)
    check_causal(patterns, windows)
    save_file(tensors, str(fixture_dir / "reference.safetensors"), metadata={"format": "pt"})

    info = {
        "prompt": PROMPT,
        "input_ids": hf_ids,
        "sentencepiece_ids": sp_ids,
        "ids_agree": hf_ids == sp_ids,
        "num_tokens": len(hf_ids),
        "model_type": model.config.model_type,
        "weights_dtype": str(spec["dtype"]).replace("torch.", ""),
        "compute_dtype": "float32",
        "seed": seed,
        "greedy": greedy(model, hf_ids),
        "versions": {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "sentencepiece": spm.__version__,
            "safetensors": safetensors.__version__,
            "numpy": np.__version__,
        },
    }
    if model.config.model_type == "mistral":
        info["sliding_window"] = MISTRAL_WINDOW
        info["mistral_window_rule"] = MISTRAL_WINDOW_RULE
    if model.config.model_type == "gemma2":
        info["sliding_window"] = GEMMA2_WINDOW
        info["gemma2_window_rule"] = GEMMA2_WINDOW_RULE
    write_json(fixture_dir / "reference.json", info)
    return info


def self_check(out_dir: Path, names: list) -> bool:
    """Reload each fixture from disk and compare its logits with the stored reference."""
    ok = True
    for name in names:
        fixture_dir = out_dir / name
        ref = load_file(str(fixture_dir / "reference.safetensors"))
        info = json.loads((fixture_dir / "reference.json").read_text())
        with torch.no_grad():
            model = load_f32(fixture_dir)
            logits = model(input_ids=ref["input_ids"][None], use_cache=False).logits[0]
        diff = float((logits - ref["logits"]).abs().max())
        ids_match = ref["input_ids"].tolist() == info["input_ids"]
        ok &= diff == 0.0 and ids_match
        t = len(info["input_ids"])
        print(f"  {name:22s} T={t:3d}  max|logits diff|={diff:.3g}  ids={ids_match}")
    return ok


def write_json(path: Path, obj) -> None:
    path.write_text(to_json(obj) + "\n", encoding="utf-8")


def to_json(obj, indent: str = "") -> str:
    """json.dumps(indent=2), except that lists of scalars (token ids) stay on one line."""
    inner = indent + "  "
    if isinstance(obj, dict) and obj:
        items = [f"{inner}{json.dumps(k)}: {to_json(v, inner)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(obj, list) and any(isinstance(v, (dict, list)) for v in obj):
        return "[\n" + ",\n".join(inner + to_json(v, inner) for v in obj) + f"\n{indent}]"
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def sha256_tree(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT, help="tokenizer training text")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="fixtures folder")
    parser.add_argument("--only", nargs="+", choices=list(FIXTURES), default=list(FIXTURES),
                        help="the fixtures to (re)make; default all")
    args = parser.parse_args()

    # Single-threaded, deterministic kernels: the same bytes wherever the same torch build runs.
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()

    sp_model = train_tokenizer(args.input)
    args.out.mkdir(parents=True, exist_ok=True)
    for seed, (name, spec) in enumerate(FIXTURES.items(), start=1000):
        if name not in args.only:
            continue
        info = make_fixture(name, spec, spec.get("seed", seed), sp_model, args.out)
        agree = "ids agree" if info["ids_agree"] else "IDS DIFFER from raw sentencepiece"
        print(f"{name}: T={info['num_tokens']} greedy={info['greedy']['new_ids']} ({agree})")

    print("self-check (reloaded from disk):")
    ok = self_check(args.out, args.only)
    print(f"sha256 of {args.out.name}/: {sha256_tree(args.out)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
