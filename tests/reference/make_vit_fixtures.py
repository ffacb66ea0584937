#!/usr/bin/env python3
"""Tiny random vision transformers from transformers, with what transformers computes on one image.

Writes tests/fixtures/<name>/ for each model below: config.json, model.safetensors,
preprocessor_config.json, and reference.safetensors / reference.json:
  pixel_values    (3, H, W)  the fixture's processor applied to tests/fixtures/images/rgb.png
  embed           (T, d)     the stream entering block 0 (CLIP: after its pre-LayerNorm)
  resid_post.<i>  (T, d)     block i's output
  last_hidden     (T, d)     the model's last_hidden_state (ViT, DINOv2: after the final norm;
                             CLIP: the last block's output, its post-LayerNorm acts on the pool)
  pooled          (d)        pooler_output (ViT: dense + tanh on the class token; CLIP:
                             post-LayerNorm of the class token; DINOv2: the normed class token)
  pattern.<i>     (heads, T, T) attention probabilities
  positions       (1 + patches, d) DINOv2 only: the position embeddings added to [class, patches],
                             resized to the image's patch grid
  logits          (labels)   classification models only (ViT: on the normed class token;
                             DINOv2 with registers: on [class token, mean of tokens 1:])
The token axis is [class token, registers..., patches in row-major order], as transformers has it.

Models are 2 blocks, hidden 32, 4 heads, patch 4; every parameter random (weights and biases
N(0, 0.1), norm weights 1 + N(0, 0.1), LayerScale N(0, 0.1)). dinov2_interp_f32 is trained at
32 x 32 pixels and given 24 x 24, so its position embeddings are interpolated (bicubic).

Needs transformers 4.48.3 for Dinov2WithRegisters (torch 1.13 from Debian runs it):
    /usr/bin/python3 -m venv --system-site-packages /tmp/vitenv
    /tmp/vitenv/bin/pip install transformers==4.48.3 safetensors==0.8.0 numpy==1.24.2
    /tmp/vitenv/bin/python tests/reference/make_vit_fixtures.py
Rerunning reproduces the files byte for byte.
"""

import argparse
import json
import pathlib

import numpy as np
import PIL
import torch
import transformers
from PIL import Image
from safetensors.torch import save_file
from transformers import (BitImageProcessor, CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel,
                          Dinov2Config, Dinov2Model, Dinov2WithRegistersConfig,
                          Dinov2WithRegistersForImageClassification, Dinov2WithRegistersModel,
                          ViTConfig, ViTForImageClassification, ViTImageProcessor, ViTMAEConfig,
                          ViTMAEModel, ViTModel)

WEIGHT_STD, BIAS_STD, NORM_STD = 0.1, 0.1, 0.1
SHAPE = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, patch_size=4, num_channels=3)
VIT = dict(SHAPE, intermediate_size=64, image_size=16, hidden_act="gelu")
DINO = dict(SHAPE, mlp_ratio=2, image_size=16, layerscale_value=1.0)
LABELS = {0: "cat", 1: "dog", 2: "fish"}
IMAGENET = dict(image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225])


def crop_processor(cls, edge, crop, **extra):
    return cls(size={"shortest_edge": edge}, crop_size={"height": crop, "width": crop}, **extra)


FIXTURES = {
    "vit_f32": (lambda: ViTModel(ViTConfig(**VIT), add_pooling_layer=True),
                lambda: ViTImageProcessor(size={"height": 16, "width": 16})),
    "vit_cls_f32": (lambda: ViTForImageClassification(ViTConfig(**VIT, id2label=LABELS)),
                    lambda: ViTImageProcessor(size={"height": 16, "width": 16})),
    "clip_vision_f32": (lambda: CLIPVisionModel(CLIPVisionConfig(**VIT | {"hidden_act": "quick_gelu"})),
                        lambda: crop_processor(CLIPImageProcessor, 16, 16)),
    "dinov2_f32": (lambda: Dinov2Model(Dinov2Config(**DINO)),
                   lambda: crop_processor(BitImageProcessor, 16, 16, **IMAGENET)),
    "dinov2_interp_f32": (lambda: Dinov2Model(Dinov2Config(**DINO | {"image_size": 32})),
                          lambda: crop_processor(BitImageProcessor, 24, 24, **IMAGENET)),
    "dinov2_swiglu_f32": (lambda: Dinov2Model(Dinov2Config(**DINO, use_swiglu_ffn=True)),
                          lambda: crop_processor(BitImageProcessor, 16, 16, **IMAGENET)),
    "dinov2_registers_f32": (
        lambda: Dinov2WithRegistersModel(Dinov2WithRegistersConfig(**DINO | {"image_size": 32},
                                                                   num_register_tokens=4)),
        lambda: crop_processor(BitImageProcessor, 24, 24, **IMAGENET)),
    "dinov2_registers_cls_f32": (
        lambda: Dinov2WithRegistersForImageClassification(Dinov2WithRegistersConfig(
            **DINO | {"image_size": 32}, num_register_tokens=4, id2label=LABELS)),
        lambda: crop_processor(BitImageProcessor, 24, 24, **IMAGENET)),
    # An MAE encoder as studied: every patch kept (mask_ratio 0, and record_reference's noise
    # keeps their order).
    "vit_mae_f32": (lambda: ViTMAEModel(ViTMAEConfig(**VIT, mask_ratio=0.0)),
                    lambda: ViTImageProcessor(size={"height": 16, "width": 16})),
}
# The models that hold their backbone under a name (the classification models).
BACKBONES = ("vision_model", "vit", "dinov2_with_registers")


def backbone(model):
    return next((getattr(model, n) for n in BACKBONES if hasattr(model, n)), model)


@torch.no_grad()
def randomize_parameters(model, seed):
    """Overwrite every parameter, so that a loader that forgets one (a bias left at zero, a norm
    at one, a LayerScale at its init) is caught."""
    gen = torch.Generator().manual_seed(seed)
    for name, param in model.named_parameters():
        noise = torch.randn(param.shape, generator=gen, dtype=torch.float32)
        if "norm" in name and not name.endswith(".bias"):
            param.copy_(1.0 + NORM_STD * noise)
        else:
            param.copy_((BIAS_STD if name.endswith(".bias") else WEIGHT_STD) * noise)


def encoder_blocks(model):
    inner = backbone(model)
    return inner.encoder.layers if hasattr(inner.encoder, "layers") else inner.encoder.layer


@torch.no_grad()
def record_reference(model, pixel_values):
    captured = {}
    blocks = encoder_blocks(model)

    def embed_hook(_module, inputs):
        captured["embed"] = inputs[0][0].clone()

    def block_hook(i):
        def hook(_module, _inputs, output):
            captured[f"resid_post.{i}"] = output[0][0].clone()
        return hook

    handles = [blocks[0].register_forward_pre_hook(embed_hook)]
    handles += [block.register_forward_hook(block_hook(i)) for i, block in enumerate(blocks)]
    extra = {}
    if model.config.model_type == "vit_mae":
        # MAE shuffles the patches by argsort(noise) before masking; ascending noise keeps them
        # in row-major order, as every other encoder has them.
        patches = (pixel_values.shape[1] // model.config.patch_size) ** 2
        extra["noise"] = torch.arange(patches, dtype=torch.float32)[None]
    out = model(pixel_values=pixel_values[None], output_attentions=True, output_hidden_states=True,
                **extra)
    for h in handles:
        h.remove()

    tensors = {"pixel_values": pixel_values, **captured}
    embeddings = getattr(model, "embeddings", None)
    if hasattr(embeddings, "interpolate_pos_encoding") and hasattr(embeddings, "cls_token"):
        height, width = pixel_values.shape[1:]
        patches = (height // model.config.patch_size) * (width // model.config.patch_size)
        placeholder = torch.zeros(1, 1 + patches, model.config.hidden_size)
        tensors["positions"] = embeddings.interpolate_pos_encoding(placeholder, height, width)[0]
    for i, pattern in enumerate(out.attentions):
        tensors[f"pattern.{i}"] = pattern[0]
    if hasattr(out, "logits"):
        # The classifier reads the normed class token; hidden_states[-1] is before that norm.
        tensors["logits"] = out.logits[0]
        tensors["last_hidden"] = backbone(model).layernorm(out.hidden_states[-1])[0]
    else:
        tensors["last_hidden"] = out.last_hidden_state[0]
        # ViTMAEModel has no pooler: its pooled output is taken as the normed class token, as for
        # ViTModel without one.
        pooled = getattr(out, "pooler_output", None)
        tensors["pooled"] = out.last_hidden_state[0, 0] if pooled is None else pooled[0]
    return {k: v.float().clone().contiguous() for k, v in tensors.items()}


def make_fixture(name, build_model, build_processor, seed, image_path, out_dir):
    fixture = out_dir / name
    fixture.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    model = build_model()
    model.config._attn_implementation = "eager"  # output_attentions needs the plain path
    randomize_parameters(model, seed)
    model.eval().save_pretrained(str(fixture), safe_serialization=True)
    processor = build_processor()
    processor.save_pretrained(str(fixture))

    reloaded = type(model).from_pretrained(str(fixture), attn_implementation="eager").eval()
    rgb = Image.open(image_path).convert("RGB")
    pixel_values = torch.from_numpy(processor(images=rgb, return_tensors="np")["pixel_values"][0])
    tensors = record_reference(reloaded, pixel_values)
    save_file(tensors, str(fixture / "reference.safetensors"), metadata={"format": "pt"})
    info = {
        "image": "tests/fixtures/images/" + image_path.name,
        "model_class": type(model).__name__,
        "model_type": model.config.model_type,
        "num_tokens": int(tensors["embed"].shape[0]),
        "seed": seed,
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "pillow": PIL.__version__, "numpy": np.__version__},
    }
    (fixture / "reference.json").write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
    print(f"{name}: {info['model_class']}, {info['num_tokens']} tokens")


def main():
    root = pathlib.Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=root / "tests/fixtures", type=pathlib.Path)
    args = parser.parse_args()
    torch.set_num_threads(1)  # one summation order: reruns are byte-identical
    image = root / "tests/fixtures/images/rgb.png"
    for seed, (name, (build_model, build_processor)) in enumerate(FIXTURES.items(), start=2000):
        make_fixture(name, build_model, build_processor, seed, image, args.out)


if __name__ == "__main__":
    main()
