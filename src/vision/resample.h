// Image resizing that gives Pillow's Image.resize pixels exactly, because the Hugging Face image
// processors resize through Pillow and a vision transformer's activations should start from the
// same input. Pillow resamples separably (rows first, then columns, rounding to 8 bits in
// between) with filters widened by the downscale factor (antialiasing) and 22-bit fixed-point
// weights; this file follows that arithmetic.
#pragma once

#include <string>

#include "io/image_file.h"
#include "vision/resample_weights.h"

namespace massact {

// Pillow's enum value (as preprocessor_config.json's "resample" spells it) to a filter; `where`
// names the file for the error when the value is one massact does not implement.
Resample resample_from_pillow(int value, const std::string& where);

RgbImage resize(const RgbImage& image, int64_t height, int64_t width, Resample filter);

}  // namespace massact
