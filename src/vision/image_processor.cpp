#include "vision/image_processor.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "io/json_file.h"

namespace massact {
namespace {

struct ProcessorDefaults {
  const char* name;
  bool int_size_is_square;  // how a bare integer "size" reads (transformers' default_to_square)
  ImageProcessorConfig config;
};

ImageProcessorConfig vit_defaults() {
  ImageProcessorConfig c;
  c.resize_height = c.resize_width = 224;
  return c;
}

// CLIP's and Bit's (DINOv2's) shared defaults: shorter side to 224, bicubic, a 224 crop, and
// OpenAI's CLIP mean and std.
ImageProcessorConfig clip_defaults() {
  ImageProcessorConfig c;
  c.shortest_edge = 224;
  c.resample = Resample::Bicubic;
  c.do_center_crop = true;
  c.crop_height = c.crop_width = 224;
  c.image_mean = {0.48145466, 0.4578275, 0.40821073};
  c.image_std = {0.26862954, 0.26130258, 0.27577711};
  return c;
}

const ProcessorDefaults& processor_defaults(const JsonFields& fields) {
  static const ProcessorDefaults kProcessors[] = {
      {"ViTImageProcessor", true, vit_defaults()},
      {"CLIPImageProcessor", false, clip_defaults()},
      {"BitImageProcessor", false, clip_defaults()},
  };
  std::string key =
      fields.has("image_processor_type") ? "image_processor_type" : "feature_extractor_type";
  std::string type = fields.string(key);
  // Older files name the feature extractor that the processor replaced.
  const std::string old_suffix = "FeatureExtractor";
  if (type.size() > old_suffix.size() && type.ends_with(old_suffix)) {
    type = type.substr(0, type.size() - old_suffix.size()) + "ImageProcessor";
  }
  for (const auto& p : kProcessors) {
    if (type == p.name) return p;
  }
  fields.fail(key, "ViTImageProcessor, CLIPImageProcessor or BitImageProcessor");
}

int64_t side(const JsonFields& fields, const std::string& key) {
  int64_t value = fields.positive_integer(key);
  if (value > kMaxImageSide) fields.fail(key, str_cat("at most ", kMaxImageSide));
  return value;
}

void read_size(const JsonFields& fields, bool int_is_square, ImageProcessorConfig& c) {
  if (!fields.has("size")) return;
  if (fields.raw("size").is_number_integer()) {
    int64_t n = side(fields, "size");
    c.resize_height = c.resize_width = int_is_square ? n : 0;
    c.shortest_edge = int_is_square ? 0 : n;
    return;
  }
  JsonFields size = fields.object("size");
  if (size.has("height") || size.has("width")) {
    c.resize_height = side(size, "height");
    c.resize_width = side(size, "width");
    c.shortest_edge = 0;
  } else if (size.has("shortest_edge") && !size.has("longest_edge")) {
    c.shortest_edge = side(size, "shortest_edge");
    c.resize_height = c.resize_width = 0;
  } else {
    fields.fail("size", "an integer, {\"height\", \"width\"} or {\"shortest_edge\"}");
  }
}

void read_crop(const JsonFields& fields, ImageProcessorConfig& c) {
  if (!fields.has("crop_size")) return;
  if (fields.raw("crop_size").is_number_integer()) {
    c.crop_height = c.crop_width = side(fields, "crop_size");
    return;
  }
  JsonFields crop = fields.object("crop_size");
  c.crop_height = side(crop, "height");
  c.crop_width = side(crop, "width");
}

std::array<double, 3> per_channel(const JsonFields& fields, const std::string& key,
                                  std::array<double, 3> fallback, bool nonzero) {
  if (!fields.has(key)) return fallback;
  const json& value = fields.raw(key);
  std::array<double, 3> out;
  if (value.is_number()) {
    out.fill(value.get<double>());
  } else if (value.is_array() && value.size() == 3 &&
             std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_number(); })) {
    for (int i = 0; i < 3; ++i) out[i] = value[i].get<double>();
  } else {
    fields.fail(key, "a number or a list of 3 numbers (one per RGB channel)");
  }
  for (double v : out) {
    if (!std::isfinite(v) || (nonzero && v == 0)) {
      fields.fail(key, nonzero ? "finite non-zero numbers" : "finite numbers");
    }
  }
  return out;
}

// The transformers rule for a shortest-edge resize: the shorter side becomes `edge`, the longer
// one edge * long / short, truncated.
std::pair<int64_t, int64_t> shortest_edge_size(int64_t height, int64_t width, int64_t edge) {
  int64_t short_side = std::min(height, width), long_side = std::max(height, width);
  auto scaled = int64_t(double(edge * long_side) / double(short_side));
  if (scaled > kMaxImageSide) {
    throw_input_error("image of ", width, " x ", height, ": resizing its shorter side to ", edge,
                      " makes the longer one ", scaled, " pixels, above the limit of ",
                      kMaxImageSide);
  }
  return width <= height ? std::pair{scaled, edge} : std::pair{edge, scaled};
}

// transformers' center_crop: the crop window is centred by floor division, and an image smaller
// than the crop is first padded with zeros, centred with the larger half of the padding after it.
RgbImage center_crop(const RgbImage& image, int64_t height, int64_t width) {
  RgbImage out{height, width, std::vector<uint8_t>(height * width * 3, 0)};
  int64_t pad_top = std::max<int64_t>((height - image.height + 1) / 2, 0);
  int64_t pad_left = std::max<int64_t>((width - image.width + 1) / 2, 0);
  int64_t padded_height = std::max(height, image.height);
  int64_t padded_width = std::max(width, image.width);
  int64_t top = (padded_height - height) / 2, left = (padded_width - width) / 2;
  for (int64_t y = 0; y < height; ++y) {
    int64_t source_y = y + top - pad_top;
    if (source_y < 0 || source_y >= image.height) continue;
    for (int64_t x = 0; x < width; ++x) {
      int64_t source_x = x + left - pad_left;
      if (source_x < 0 || source_x >= image.width) continue;
      std::copy_n(image.pixel(source_y, source_x), 3, &out.pixels[(y * width + x) * 3]);
    }
  }
  return out;
}

}  // namespace

ImageProcessorConfig read_image_processor_config(const std::string& path) {
  json document = read_json_file(path);
  JsonFields fields(document, path);
  const ProcessorDefaults& defaults = processor_defaults(fields);
  ImageProcessorConfig c = defaults.config;
  c.do_resize = fields.boolean("do_resize", c.do_resize);
  read_size(fields, defaults.int_size_is_square, c);
  if (fields.has("resample")) c.resample = resample_from_pillow(fields.integer("resample"), path);
  c.do_center_crop = fields.boolean("do_center_crop", c.do_center_crop);
  read_crop(fields, c);
  c.do_rescale = fields.boolean("do_rescale", c.do_rescale);
  c.rescale_factor = fields.number("rescale_factor", c.rescale_factor);
  if (!std::isfinite(c.rescale_factor)) fields.fail("rescale_factor", "a finite number");
  c.do_normalize = fields.boolean("do_normalize", c.do_normalize);
  c.image_mean = per_channel(fields, "image_mean", c.image_mean, false);
  c.image_std = per_channel(fields, "image_std", c.image_std, true);
  return c;
}

Tensor preprocess_image(const RgbImage& image, const ImageProcessorConfig& config) {
  RgbImage current = image;
  if (config.do_resize) {
    auto [height, width] = config.shortest_edge > 0
                               ? shortest_edge_size(image.height, image.width, config.shortest_edge)
                               : std::pair{config.resize_height, config.resize_width};
    current = resize(current, height, width, config.resample);
  }
  if (config.do_center_crop) current = center_crop(current, config.crop_height, config.crop_width);

  const int64_t plane = current.height * current.width;
  Tensor pixels = Tensor::zeros(DType::F32, {3, current.height, current.width});
  float* out = pixels.f32();  // (3, H, W)
  for (int c = 0; c < 3; ++c) {
    // transformers rescales in float64 and stores float32, then normalizes in float32.
    const float mean = float(config.image_mean[c]), std = float(config.image_std[c]);
    const double factor = config.do_rescale ? config.rescale_factor : 1.0;
    for (int64_t i = 0; i < plane; ++i) {
      float v = float(double(current.pixels[i * 3 + c]) * factor);
      out[c * plane + i] = config.do_normalize ? (v - mean) / std : v;
    }
  }
  return pixels;
}

Tensor read_pixels(const std::string& path, const ImageProcessorConfig& config) {
  return preprocess_image(read_image(path), config);
}

}  // namespace massact
