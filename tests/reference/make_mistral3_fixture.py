#!/usr/bin/env python3
"""tests/fixtures/mistral3_f32: a tiny random Mistral3ForConditionalGeneration (Mistral-Small-3.1's
class: a Pixtral vision encoder and projector in front of a Mistral text model) and what
transformers computes for the fixtures' prompt, text only (no image).

transformers 4.44.2 (the reference venv) has no Mistral 3; 4.51.3 has, and runs it on Debian's
torch 1.13 once three torch 2 names it imports but never calls for this model are stubbed (as in
check_transcribed_references.py). The model is built from its config, every parameter drawn as in
make_fixtures.py, saved by save_pretrained (text weights under language_model.model.* and
language_model.lm_head, as 4.50-4.51 write them), reloaded by hand from model.safetensors
(from_pretrained calls a torch 2 API) and run in float32 with eager attention. The reference's
keys are make_fixtures.py's; the greedy ids come from full recomputation (generate() imports
torch.distributed.fsdp, which this torch cannot). Deterministic: rerunning rewrites the same
bytes.

    /usr/bin/python3 -m venv --system-site-packages /tmp/m3env     # Debian python3-torch 1.13
    /tmp/m3env/bin/pip install transformers==4.51.3 tokenizers==0.21.1 huggingface-hub==0.30.2 \\
        safetensors sentencepiece==0.2.3
    /tmp/m3env/bin/python tests/reference/make_mistral3_fixture.py   # from the repository root

Then make_gguf_fixtures.py --only mistral3_f32 converts it (the converter writes GGUF
architecture "mistral3" with LLaMA's tensors and pairwise q/k rows).
"""

import argparse
import json
import shutil
import sys
import types
from pathlib import Path

import torch

# Stubs for the torch 2 names transformers 4.51.3 imports; none is used by this model.
_dtensor = types.ModuleType("torch.distributed.tensor")
for _name in ["DTensor", "Placement", "Replicate", "Shard", "distribute_tensor", "DeviceMesh",
              "distribute_module"]:
    setattr(_dtensor, _name, type(_name, (), {}))
sys.modules["torch.distributed.tensor"] = _dtensor
_compiler = types.ModuleType("torch.compiler")
_compiler.is_compiling = lambda: False
_compiler.disable = lambda *a, **k: a[0] if a and callable(a[0]) else (lambda f: f)
torch.compiler = _compiler
sys.modules["torch.compiler"] = _compiler
for _name in ["float8_e4m3fn", "float8_e5m2", "uint16", "uint32", "uint64"]:
    hasattr(torch, _name) or setattr(torch, _name, object())

import safetensors  # noqa: E402
import sentencepiece as spm  # noqa: E402
import transformers  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402
from transformers import (  # noqa: E402
    Mistral3Config,
    Mistral3ForConditionalGeneration,
    MistralConfig,
    PixtralVisionConfig,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_fixtures as mf  # noqa: E402  (tokenizer, prompt, weight scales, reference recording)

NAME = "mistral3_f32"
SEED = 2003
# The text model as make_fixtures.py's small LLaMA-like fixtures, with head_dim 16 (4 x 16 = 64
# != hidden 32, as Mistral-Small-3.1's 32 x 128 != 5120) and its rope_theta 1e9.
TEXT = dict(
    vocab_size=mf.SP_VOCAB_SIZE, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
    num_attention_heads=4, num_key_value_heads=2, head_dim=16, max_position_embeddings=128,
    rms_norm_eps=1e-5, rope_theta=1e9, sliding_window=None, tie_word_embeddings=False,
    bos_token_id=1, eos_token_id=2,
)
VISION = dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
              head_dim=8, image_size=32, patch_size=8)


def eager(config: Mistral3Config) -> Mistral3Config:
    for c in (config, config.text_config, config.vision_config):
        c._attn_implementation = "eager"  # output_attentions needs eager
    return config


def build() -> Mistral3ForConditionalGeneration:
    config = Mistral3Config(text_config=MistralConfig(**TEXT).to_dict(),
                            vision_config=PixtralVisionConfig(**VISION).to_dict(),
                            spatial_merge_size=2, bos_token_id=1, eos_token_id=2)
    torch.manual_seed(SEED)
    model = Mistral3ForConditionalGeneration(eager(config))
    mf.randomize_parameters(model, SEED)
    return model.eval()


def reload(fixture: Path) -> Mistral3ForConditionalGeneration:
    config = eager(Mistral3Config.from_pretrained(str(fixture)))
    model = Mistral3ForConditionalGeneration(config)
    model.load_state_dict(load_file(str(fixture / "model.safetensors")), strict=True)
    return model.float().eval()


@torch.no_grad()
def greedy(model: Mistral3ForConditionalGeneration, prompt_ids: list) -> dict:
    """Argmax of the last logits, GREEDY_NEW_TOKENS times, each step recomputed from scratch."""
    seq, margins = list(prompt_ids), []
    for _ in range(mf.GREEDY_NEW_TOKENS):
        logits = model(input_ids=torch.tensor([seq]), use_cache=False).logits[0, -1]
        top2 = torch.topk(logits, 2).values
        margins.append(float(top2[0] - top2[1]))
        seq.append(int(torch.argmax(logits)))
    return {"prompt_ids": list(prompt_ids), "new_ids": seq[len(prompt_ids):],
            "min_top2_margin": min(margins)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input", type=Path, default=mf.DEFAULT_INPUT)
    parser.add_argument("--out", type=Path, default=mf.DEFAULT_OUT)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    transformers.logging.set_verbosity_error()

    fixture = args.out / NAME
    if fixture.exists():
        shutil.rmtree(fixture)
    fixture.mkdir(parents=True)
    build().save_pretrained(str(fixture), safe_serialization=True)
    sp_model = mf.train_tokenizer(args.input)
    mf.write_tokenizer(fixture, sp_model)
    hf_ids, sp_ids = mf.encode_prompt(fixture, sp_model)

    model = reload(fixture)
    tensors = mf.record_reference(model, hf_ids)
    # The first module with an inv_freq is the vision encoder's; keep the text model's.
    tensors["rope_inv_freq"] = model.language_model.model.rotary_emb.inv_freq.float().clone()
    n_layers = TEXT["num_hidden_layers"]
    mf.check_causal([tensors[f"pattern.{i}"] for i in range(n_layers)], [None] * n_layers)
    save_file(tensors, str(fixture / "reference.safetensors"), metadata={"format": "pt"})
    ids_greedy = greedy(model, hf_ids)
    mf.write_json(fixture / "reference.json", {
        "prompt": mf.PROMPT, "input_ids": hf_ids, "sentencepiece_ids": sp_ids,
        "ids_agree": hf_ids == sp_ids, "num_tokens": len(hf_ids), "model_type": "mistral3",
        "weights_dtype": "float32", "compute_dtype": "float32", "seed": SEED,
        "reference": "Mistral3ForConditionalGeneration of transformers 4.51.3, text only",
        "greedy": ids_greedy,
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "sentencepiece": spm.__version__, "safetensors": safetensors.__version__},
    })
    print(f"{NAME}: T={len(hf_ids)} greedy={ids_greedy['new_ids']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
