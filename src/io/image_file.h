// Image files (PNG, JPEG) decoded to 8-bit RGB, the way Pillow's Image.open(path).convert("RGB")
// sees them, since that is what the Hugging Face image processors start from: grey is repeated
// into three channels, a palette is looked up, alpha is dropped (not composited), 16-bit samples
// keep their high byte, and gamma chunks are ignored.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace massact {

struct RgbImage {
  int64_t height = 0;
  int64_t width = 0;
  std::vector<uint8_t> pixels;  // (height, width, 3), row-major

  const uint8_t* pixel(int64_t y, int64_t x) const { return &pixels[(y * width + x) * 3]; }
};

// The largest image massact decodes, per side and in pixels: a header may claim anything, so it is
// checked before a single row is allocated. 2^26 pixels is 192 MiB of RGB, far above what a vision
// transformer's preprocessing resizes down to.
constexpr int64_t kMaxImageSide = 1 << 15;
constexpr int64_t kMaxImagePixels = int64_t(1) << 26;

// Decodes a PNG or JPEG file (told apart by its signature, not its name). InputError names the
// path and what is wrong: not an image, truncated or corrupt data, a size of zero or above the
// limits, or a channel layout that has no RGB reading (CMYK JPEG).
RgbImage read_image(const std::string& path);

}  // namespace massact
