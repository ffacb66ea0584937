#!/usr/bin/env python3
"""Image fixtures: small images, Pillow's RGB reading of them, and transformers' pixel values.

Writes tests/fixtures/images/:
  *.png, *.jpg          small images of every colour layout the decoder handles (RGB, grey, RGBA,
                        palette with transparency, 16-bit RGB; baseline and progressive JPEG, grey
                        JPEG), drawn from a fixed seed
  bad/*                 files the decoder must refuse: truncated PNG and JPEG, a PNG of zero width,
                        PNG and JPEG headers of 100,000 x 100,000 and 65,000 x 65,000 pixels, a
                        CMYK JPEG, 16-bit grey, a text file
  <processor>.json      preprocessor_config.json variants (ViT, CLIP, Bit/DINOv2; up- and
                        downscaling, a crop larger than the resized image)
  reference.safetensors decoded.<image>: Image.open(f).convert("RGB") as uint8 (H, W, 3);
                        pixels.<processor>.<image>: the processor's pixel_values[0], float32
                        (3, H, W), from that RGB image

Run with the reference venv (tests/reference/README.md), whose Pillow is Debian's python3-pil:
    /tmp/refenv/bin/python tests/reference/make_image_fixtures.py
"""

import argparse
import json
import pathlib
import struct
import zlib

import numpy as np
import PIL
import transformers
from PIL import Image
from safetensors.numpy import save_file
from transformers import BitImageProcessor, CLIPImageProcessor, ViTImageProcessor


def smooth_noise(rng, height, width):
    """An RGB picture with edges and texture: a gradient, a disc and noise (uint8, H x W x 3)."""
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255 / width, y * 255 / height, (x + y) * 127 / (width + height)], -1)
    disc = ((y - height / 2) ** 2 + (x - width / 3) ** 2) < (min(height, width) / 3) ** 2
    base[disc] = 255 - base[disc]
    return np.clip(base + rng.normal(0, 25, base.shape), 0, 255).astype(np.uint8)


def write_images(out, rng):
    rgb = Image.fromarray(smooth_noise(rng, 29, 37))
    rgb.save(out / "rgb.png")
    Image.fromarray(smooth_noise(rng, 31, 23)[..., 1]).save(out / "grey.png")
    rgba = np.concatenate([smooth_noise(rng, 20, 26), rng.integers(0, 256, (20, 26, 1), np.uint8)], -1)
    Image.fromarray(rgba, "RGBA").save(out / "rgba.png")
    palette = rgb.quantize(16)
    palette.info["transparency"] = 3
    palette.save(out / "palette.png", transparency=3)
    rgb16 = smooth_noise(rng, 12, 15).astype(np.uint16) * 257 + rng.integers(0, 257, (12, 15, 3))
    write_png16(out / "rgb16.png", rgb16.astype(np.uint16))
    photo = Image.fromarray(smooth_noise(rng, 30, 40))
    photo.save(out / "photo.jpg", quality=90)
    photo.save(out / "progressive.jpg", quality=75, progressive=True)
    Image.fromarray(smooth_noise(rng, 17, 21)[..., 0]).save(out / "grey.jpg", quality=85)
    return ["rgb.png", "grey.png", "rgba.png", "palette.png", "rgb16.png", "photo.jpg",
            "progressive.jpg", "grey.jpg"]


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(width, height, depth, colour, raw_rows):
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    chunks = png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw_rows, 9))
    return b"\x89PNG\r\n\x1a\n" + chunks + png_chunk(b"IEND", b"")


def write_png16(path, pixels):
    """16-bit RGB, which Pillow cannot write: rows of big-endian samples with filter byte 0."""
    height, width, _ = pixels.shape
    rows = b"".join(b"\x00" + pixels[y].astype(">u2").tobytes() for y in range(height))
    path.write_bytes(png_bytes(width, height, 16, 2, rows))


def write_bad_files(out, good):
    bad = out / "bad"
    bad.mkdir(exist_ok=True)
    png = (good / "rgb.png").read_bytes()
    (bad / "truncated.png").write_bytes(png[: len(png) // 2])
    jpeg = (good / "photo.jpg").read_bytes()
    (bad / "truncated.jpg").write_bytes(jpeg[: len(jpeg) // 2])
    (bad / "zero_width.png").write_bytes(png_bytes(0, 10, 8, 2, b""))
    # A header and one row of data: a decoder that allocates what the header claims fails first.
    (bad / "huge.png").write_bytes(png_bytes(100000, 100000, 8, 2, bytes(300001)))
    (bad / "huge.jpg").write_bytes(with_jpeg_size(jpeg, 65000, 65000))
    Image.fromarray(smooth_noise(np.random.default_rng(1), 8, 8)).convert("CMYK").save(bad / "cmyk.jpg")
    grey16 = (np.arange(48, dtype=np.uint16).reshape(6, 8) * 1000)
    rows = b"".join(b"\x00" + grey16[y].astype(">u2").tobytes() for y in range(6))
    (bad / "grey16.png").write_bytes(png_bytes(8, 6, 16, 0, rows))
    (bad / "not_an_image.png").write_text("this is text, not a PNG\n")


def with_jpeg_size(jpeg, width, height):
    """The JPEG with its frame header (SOF0 or SOF2) claiming another size."""
    data = bytearray(jpeg)
    i = 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC2):
            data[i + 5 : i + 9] = struct.pack(">HH", height, width)
            return bytes(data)
        i += 2 + length
    raise ValueError("no frame header")


PROCESSORS = {
    # ViT: a fixed square size, bilinear, mean and std 0.5.
    "vit_down": (ViTImageProcessor, {"size": {"height": 16, "width": 12}, "resample": 2}),
    "vit_up": (ViTImageProcessor, {"size": 32, "resample": 3}),
    # CLIP: shorter side, bicubic, crop, OpenAI's mean and std (its defaults).
    "clip": (CLIPImageProcessor, {"size": {"shortest_edge": 20}, "crop_size": {"height": 16, "width": 18}}),
    "clip_crop_larger": (CLIPImageProcessor, {"size": 10, "crop_size": 16}),
    # DINOv2 (Bit): shorter side 24, crop 20, ImageNet mean and std as its checkpoints have them.
    "bit": (BitImageProcessor, {"size": {"shortest_edge": 24}, "crop_size": {"height": 20, "width": 20},
                                "image_mean": [0.485, 0.456, 0.406], "image_std": [0.229, 0.224, 0.225]}),
}


def main():
    root = pathlib.Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=root / "tests/fixtures/images", type=pathlib.Path)
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    images = write_images(out, np.random.default_rng(0))
    write_bad_files(out, out)

    tensors = {}
    for name in images:
        tensors[f"decoded.{name}"] = np.asarray(Image.open(out / name).convert("RGB"))
    for key, (cls, kwargs) in PROCESSORS.items():
        processor = cls(**kwargs)
        config = processor.to_dict()
        config["image_processor_type"] = cls.__name__
        (out / f"{key}.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
        for name in images:
            rgb = Image.open(out / name).convert("RGB")
            pixels = processor(images=rgb, return_tensors="np")["pixel_values"][0]
            tensors[f"pixels.{key}.{name}"] = np.ascontiguousarray(pixels.astype(np.float32))
    save_file(tensors, str(out / "reference.safetensors"),
              metadata={"pillow": PIL.__version__, "transformers": transformers.__version__})
    (out / "reference.safetensors").chmod(0o644)
    print(f"wrote {len(tensors)} tensors with Pillow {PIL.__version__}, transformers {transformers.__version__}")


if __name__ == "__main__":
    main()
