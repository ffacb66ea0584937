#include "io/image_file.h"

#include <jpeglib.h>
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>

#include "core/error.h"
#include "core/mapped_file.h"

namespace massact {
namespace {

// Both libraries report errors by calling back into us; we longjmp out of them with the message
// kept here. The frames between setjmp and longjmp own nothing that needs a destructor: all
// allocations live in the caller's `Decoding`.
struct Decoding {
  const uint8_t* data = nullptr;
  size_t size = 0;
  size_t offset = 0;
  char error[256] = {};
  char warning[256] = {};  // the last one, which often says what an error's cause was
  RgbImage image;
  std::vector<uint8_t*> rows;
};

// An empty string when the size is acceptable, otherwise why not.
std::string size_problem(int64_t height, int64_t width) {
  if (height <= 0 || width <= 0) return str_cat("its size is ", width, " x ", height, " pixels");
  if (height > kMaxImageSide || width > kMaxImageSide || height * width > kMaxImagePixels) {
    return str_cat("its size ", width, " x ", height, " is above massact's limit of ",
                   kMaxImageSide, " pixels a side and ", kMaxImagePixels, " pixels in all");
  }
  return "";
}

bool allocate(Decoding& d, int64_t height, int64_t width) {
  std::string problem = size_problem(height, width);
  if (!problem.empty()) {
    std::snprintf(d.error, sizeof d.error, "%s", problem.c_str());
    return false;
  }
  d.image.height = height;
  d.image.width = width;
  d.image.pixels.assign(size_t(height * width * 3), 0);
  d.rows.resize(size_t(height));
  for (int64_t y = 0; y < height; ++y) d.rows[y] = &d.image.pixels[size_t(y * width * 3)];
  return true;
}

// ---- PNG ----

void png_read_memory(png_structp png, png_bytep out, size_t n) {
  auto* d = static_cast<Decoding*>(png_get_io_ptr(png));
  if (n > d->size - d->offset) png_error(png, "the file ends inside the image (truncated)");
  std::memcpy(out, d->data + d->offset, n);
  d->offset += n;
}

void png_fail(png_structp png, png_const_charp message) {
  auto* d = static_cast<Decoding*>(png_get_error_ptr(png));
  std::snprintf(d->error, sizeof d->error, "%s", message);
  png_longjmp(png, 1);
}

// Warnings alone do not stop the reading (a bad text or colour-profile chunk; Pillow reads on
// too), but the last one is kept: libpng says why a header is invalid only as a warning.
void png_warn(png_structp png, png_const_charp message) {
  auto* d = static_cast<Decoding*>(png_get_error_ptr(png));
  std::snprintf(d->warning, sizeof d->warning, "%s", message);
}

// Asks libpng for Pillow's RGB reading of whatever the file holds.
bool set_png_transforms(Decoding& d, png_structp png, png_infop info) {
  int color = png_get_color_type(png, info);
  int depth = png_get_bit_depth(png, info);
  if (depth == 16 && !(color & PNG_COLOR_MASK_COLOR)) {
    // Pillow reads 16-bit grey as 32-bit integers and clips them to 255 on the way to RGB (so
    // most of the image turns white); massact does not guess at that.
    std::snprintf(d.error, sizeof d.error,
                  "16-bit greyscale has no agreed 8-bit RGB reading; convert it to 8-bit first");
    return false;
  }
  if (depth == 16) png_set_strip_16(png);  // the high byte, as Pillow's "RGB;16B" reading
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (!(color & PNG_COLOR_MASK_COLOR)) {
    png_set_expand_gray_1_2_4_to_8(png);
    png_set_gray_to_rgb(png);
  }
  png_set_strip_alpha(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  if (png_get_rowbytes(png, info) != png_get_image_width(png, info) * 3) {
    std::snprintf(d.error, sizeof d.error, "its colour type %d at %d bits has no RGB reading",
                  color, depth);
    return false;
  }
  return true;
}

bool decode_png(Decoding& d) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &d, png_fail, png_warn);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (info == nullptr) throw std::bad_alloc();
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, &d, png_read_memory);
  // The size check is ours (size_problem), so that its message is the same for PNG and JPEG.
  png_set_user_limits(png, PNG_USER_WIDTH_MAX, PNG_USER_HEIGHT_MAX);
  png_read_info(png, info);
  bool ok = set_png_transforms(d, png, info) &&
            allocate(d, png_get_image_height(png, info), png_get_image_width(png, info));
  if (ok) png_read_image(png, d.rows.data());
  png_destroy_read_struct(&png, &info, nullptr);
  return ok;
}

// ---- JPEG ----

struct JpegErrors {
  jpeg_error_mgr manager;
  jmp_buf jump;
  Decoding* decoding;
};

void jpeg_fail(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
  char message[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, message);
  std::snprintf(errors->decoding->error, sizeof errors->decoding->error, "%s", message);
  std::longjmp(errors->jump, 1);
}

// libjpeg only warns about corrupt or truncated data and fills the rest with grey; Pillow refuses
// such a file ("image file is truncated"), and so do we. Trace messages (level >= 0) are ignored.
void jpeg_message(j_common_ptr cinfo, int level) {
  if (level < 0) jpeg_fail(cinfo);
}

bool decode_jpeg(Decoding& d) {
  jpeg_decompress_struct cinfo;
  JpegErrors errors;
  cinfo.err = jpeg_std_error(&errors.manager);
  errors.manager.error_exit = jpeg_fail;
  errors.manager.emit_message = jpeg_message;
  errors.decoding = &d;
  if (setjmp(errors.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, d.data, d.size);
  jpeg_read_header(&cinfo, TRUE);
  bool ok = true;
  if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK ||
      (cinfo.num_components != 1 && cinfo.num_components != 3)) {
    std::snprintf(d.error, sizeof d.error,
                  "it has %d colour channels; expected 1 (grey) or 3 (colour)",
                  cinfo.num_components);
    ok = false;
  }
  ok = ok && allocate(d, cinfo.image_height, cinfo.image_width);
  if (ok) {
    cinfo.out_color_space = JCS_RGB;  // libjpeg's defaults otherwise: Pillow uses the same
    jpeg_start_decompress(&cinfo);
    while (cinfo.output_scanline < cinfo.output_height) {
      jpeg_read_scanlines(&cinfo, &d.rows[cinfo.output_scanline], 1);
    }
    jpeg_finish_decompress(&cinfo);
  }
  jpeg_destroy_decompress(&cinfo);
  return ok;
}

bool starts_with(const Decoding& d, const void* signature, size_t n) {
  return d.size >= n && std::memcmp(d.data, signature, n) == 0;
}

}  // namespace

RgbImage read_image(const std::string& path) {
  auto file = MappedFile::open(path);
  Decoding d;
  d.data = reinterpret_cast<const uint8_t*>(file->data());
  d.size = file->size();
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  static const uint8_t kJpeg[3] = {0xFF, 0xD8, 0xFF};
  bool ok;
  if (starts_with(d, kPng, sizeof kPng)) {
    ok = decode_png(d);
  } else if (starts_with(d, kJpeg, sizeof kJpeg)) {
    ok = decode_jpeg(d);
  } else {
    throw_input_error(path, ": not an image massact reads (expected a PNG or JPEG file)");
  }
  if (!ok) {
    std::string cause = d.warning[0] ? str_cat(" (", d.warning, ")") : "";
    throw_input_error(path, ": cannot read the image: ", d.error, cause);
  }
  return std::move(d.image);
}

}  // namespace massact
