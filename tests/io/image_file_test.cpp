// PNG and JPEG decoding: every colour layout gives Pillow's RGB reading byte for byte
// (tests/fixtures/images, made by tests/reference/make_image_fixtures.py), and every bad file is an
// InputError that names it and says what is wrong, before any allocation of the size it claims.
#include "io/image_file.h"

#include <gtest/gtest.h>

#include <cstring>

#include "core/error.h"
#include "io/safetensors.h"
#include "test_paths.h"

namespace massact {
namespace {

using testing::fixture_dir;

const char* kImages[] = {"rgb.png",   "grey.png",  "rgba.png",        "palette.png",
                         "rgb16.png", "photo.jpg", "progressive.jpg", "grey.jpg"};

TEST(ImageFile, EveryLayoutDecodesAsPillowsRgbReading) {
  auto reference = SafetensorsFile::open(fixture_dir("images") + "/reference.safetensors");
  for (const char* name : kImages) {
    SCOPED_TRACE(name);
    RgbImage image = read_image(fixture_dir("images") + "/" + name);
    Tensor expected = reference.get(std::string("decoded.") + name);  // (H, W, 3) uint8
    ASSERT_EQ(expected.dtype(), DType::U8);
    ASSERT_EQ(expected.shape(), (Shape{image.height, image.width, 3}));
    EXPECT_EQ(std::memcmp(expected.raw(), image.pixels.data(), image.pixels.size()), 0);
  }
}

std::string read_error(const std::string& path) {
  try {
    read_image(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ImageFile, BadFilesAreRefusedWithTheirReason) {
  const std::string bad = fixture_dir("images") + "/bad/";
  struct Case {
    const char* file;
    const char* reason;
  } cases[] = {
      {"truncated.png", "truncated"},
      {"truncated.jpg", "Premature end of JPEG file"},
      {"zero_width.png", "Invalid IHDR data (Image width is zero in IHDR)"},
      {"huge.png", "size 100000 x 100000 is above massact's limit"},
      {"huge.jpg", "size 65000 x 65000 is above massact's limit"},
      {"cmyk.jpg", "it has 4 colour channels; expected 1 (grey) or 3 (colour)"},
      {"grey16.png", "16-bit greyscale"},
      {"not_an_image.png", "expected a PNG or JPEG file"},
  };
  for (const Case& c : cases) {
    std::string message = read_error(bad + c.file);
    EXPECT_CONTAINS(message, bad + c.file);
    EXPECT_CONTAINS(message, c.reason);
  }
  EXPECT_CONTAINS(read_error(bad + "absent.png"), "cannot open");
  EXPECT_CONTAINS(read_error(bad), "not a regular file");
}

}  // namespace
}  // namespace massact
