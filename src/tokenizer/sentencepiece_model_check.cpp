#include "tokenizer/sentencepiece_model_check.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "tokenizer/precompiled_charsmap.h"

namespace massact {

namespace {

// ModelProto's field numbers (sentencepiece_model.proto) that are checked here.
constexpr uint32_t kPieces = 1;               // repeated SentencePiece
constexpr uint32_t kNormalizerSpec = 3;       // NormalizerSpec
constexpr uint32_t kDenormalizerSpec = 5;     // NormalizerSpec
constexpr uint32_t kPieceText = 1;            // SentencePiece.piece
constexpr uint32_t kPrecompiledCharsmap = 2;  // NormalizerSpec.precompiled_charsmap

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

struct Field {
  uint32_t number = 0;
  uint32_t wire_type = 0;
  std::string_view bytes;  // length-delimited fields only
};

// Reads the fields of one protobuf message in order; `where` names it in errors.
class FieldReader {
 public:
  FieldReader(std::string_view message, const std::string& path, std::string where)
      : rest_(message), path_(path), where_(std::move(where)) {}

  bool next(Field& field) {
    if (rest_.empty()) return false;
    const uint64_t tag = varint();
    field.number = uint32_t(tag >> 3);
    field.wire_type = uint32_t(tag & 7);
    field.bytes = {};
    switch (field.wire_type) {
      case kVarint:
        varint();
        break;
      case kFixed64:
        take(8);
        break;
      case kFixed32:
        take(4);
        break;
      case kLengthDelimited:
        field.bytes = take(varint());
        break;
      default:
        fail(str_cat("unsupported protobuf wire type ", field.wire_type));
    }
    return true;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw_input_error(path_, ": field '", where_, "': ", what);
  }

 private:
  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (rest_.empty()) fail("truncated protobuf varint");
      const auto byte = static_cast<unsigned char>(rest_[0]);
      rest_.remove_prefix(1);
      value |= uint64_t(byte & 0x7F) << shift;
      if (byte < 0x80) return value;
    }
    fail("protobuf varint longer than 10 bytes");
  }

  std::string_view take(uint64_t n) {
    if (n > rest_.size()) fail(str_cat("protobuf field of ", n, " bytes runs past its message"));
    std::string_view out = rest_.substr(0, size_t(n));
    rest_.remove_prefix(size_t(n));
    return out;
  }

  std::string_view rest_;
  const std::string& path_;
  std::string where_;
};

void check_normalizer_spec(std::string_view message, const std::string& path,
                           const std::string& name) {
  FieldReader spec(message, path, name);
  for (Field f; spec.next(f);)
    if (f.number == kPrecompiledCharsmap && f.wire_type == kLengthDelimited)
      check_precompiled_charsmap(f.bytes,
                                 str_cat(path, ": field '", name, "': precompiled_charsmap: "));
}

// The trie of pieces is built from NUL-terminated copies: an empty piece, or one holding a NUL,
// breaks it.
void check_piece(std::string_view message, const std::string& path, size_t index) {
  FieldReader piece(message, path, str_cat("pieces[", index, "].piece"));
  bool has_text = false;
  for (Field f; piece.next(f);) {
    if (f.number != kPieceText || f.wire_type != kLengthDelimited) continue;
    has_text = true;
    if (f.bytes.empty()) piece.fail("expected a non-empty string");
    if (const size_t nul = f.bytes.find('\0'); nul != std::string_view::npos)
      piece.fail(str_cat("expected a string without NUL bytes, got one at byte ", nul, " of ",
                         f.bytes.size()));
  }
  if (!has_text) piece.fail("missing");
}

}  // namespace

void check_sentencepiece_model(std::string_view proto, const std::string& path) {
  FieldReader model(proto, path, "ModelProto");
  size_t pieces = 0;
  for (Field f; model.next(f);) {
    if (f.wire_type != kLengthDelimited) continue;
    if (f.number == kPieces) check_piece(f.bytes, path, pieces++);
    if (f.number == kNormalizerSpec) check_normalizer_spec(f.bytes, path, "normalizer_spec");
    if (f.number == kDenormalizerSpec) check_normalizer_spec(f.bytes, path, "denormalizer_spec");
  }
}

}  // namespace massact
