// What a Hugging Face image processor (preprocessor_config.json) does to an image before a vision
// transformer sees it: resize, center crop, rescale, normalize, in that order and in the same
// float32 arithmetic, so that pixel values match transformers' ViTImageProcessor,
// CLIPImageProcessor and BitImageProcessor (DINOv2).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "core/tensor.h"
#include "io/image_file.h"
#include "vision/resample.h"

namespace massact {

struct ImageProcessorConfig {
  bool do_resize = true;
  // Resize either to exactly (resize_height, resize_width), or so that the shorter side becomes
  // shortest_edge with the aspect ratio kept (then resize_height and resize_width are 0).
  int64_t resize_height = 0;
  int64_t resize_width = 0;
  int64_t shortest_edge = 0;
  Resample resample = Resample::Bilinear;
  bool do_center_crop = false;
  int64_t crop_height = 0;
  int64_t crop_width = 0;
  bool do_rescale = true;
  double rescale_factor = 1.0 / 255.0;
  bool do_normalize = true;
  std::array<double, 3> image_mean = {0.5, 0.5, 0.5};
  std::array<double, 3> image_std = {0.5, 0.5, 0.5};
};

// Reads preprocessor_config.json. Fields it omits take the defaults of the processor class it
// names (image_processor_type); a processor massact does not know, a size form it does not
// implement or a bad value is an InputError naming the file and the field.
ImageProcessorConfig read_image_processor_config(const std::string& path);

// The image as the model's pixel values: (3, height, width) float32.
Tensor preprocess_image(const RgbImage& image, const ImageProcessorConfig& config);
// The image file `path` read (io/image_file.h) and preprocessed.
Tensor read_pixels(const std::string& path, const ImageProcessorConfig& config);

}  // namespace massact
