#include "tokenizer/sentencepiece_model_check.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/error.h"

namespace massact {

namespace {

// ModelProto's field numbers (sentencepiece_model.proto) that are checked here.
constexpr uint32_t kPieces = 1;               // repeated SentencePiece
constexpr uint32_t kNormalizerSpec = 3;       // NormalizerSpec
constexpr uint32_t kDenormalizerSpec = 5;     // NormalizerSpec
constexpr uint32_t kPieceText = 1;            // SentencePiece.piece
constexpr uint32_t kPrecompiledCharsmap = 2;  // NormalizerSpec.precompiled_charsmap

// The normalizer keeps at most this many matches of one prefix in a fixed array (normalizer.cc's
// kMaxTrieResultsSize), and reads as many as the trie reports.
constexpr int kMaxMatchesPerPrefix = 32;

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

// One unit of a darts-clone double array, decoded as the library decodes it.
struct DartsUnit {
  uint32_t bits;
  bool has_leaf() const { return (bits >> 8) & 1; }
  uint32_t value() const { return bits & ((1U << 31) - 1); }
  uint32_t label() const { return bits & ((1U << 31) | 0xFF); }
  uint32_t offset() const { return (bits >> 10) << ((bits & (1U << 9)) >> 6); }
};

// The precompiled_charsmap blob: a 4-byte little-endian trie size, the trie (darts-clone units),
// then NUL-terminated replacement strings that the trie's values index. Every unit the
// normalizer can reach, for any input, must lie inside the trie and every value must start a
// terminated string. darts-clone shares common suffixes, so the trie is a DAG: it must have no
// cycle (which would make the matches of one input unbounded), and no path may hold more than
// kMaxMatchesPerPrefix values. One depth-first walk checks all of it, each unit entered once.
void check_charsmap(std::string_view blob, FieldReader& spec) {
  if (blob.empty()) return;  // no charsmap: the identity normalizer
  uint32_t trie_bytes = 0;
  if (blob.size() >= 4) std::memcpy(&trie_bytes, blob.data(), 4);  // little-endian hosts
  if (blob.size() < 4 || trie_bytes == 0 || trie_bytes % 4 != 0 || trie_bytes > blob.size() - 4)
    spec.fail(str_cat("precompiled_charsmap: trie size ", trie_bytes, " does not fit a blob of ",
                      blob.size(), " bytes (expected a positive multiple of 4)"));
  const size_t n = trie_bytes / 4;
  std::vector<DartsUnit> units(n);
  std::memcpy(units.data(), blob.data() + 4, trie_bytes);
  const std::string_view strings = blob.substr(4 + trie_bytes);
  auto fail = [&](const std::string& what) { spec.fail("precompiled_charsmap: " + what); };

  enum State : uint8_t { kNew, kOnPath, kDone };
  std::vector<uint8_t> state(n, kNew);
  std::vector<uint8_t> matches_below(n, 0);  // the most values on a path from the unit down
  // A unit on the walk: `base` is its children's position before the input byte is XORed in.
  struct Frame {
    uint32_t unit, base, next_byte;
  };
  auto enter = [&](uint32_t unit) {
    const uint32_t base = unit ^ units[unit].offset();
    if ((base | 0xFF) >= n)
      fail(str_cat("trie unit ", unit, " has children past its ", n, " units"));
    if (unit != 0 && units[unit].has_leaf()) {
      const uint32_t at = units[base].value();
      if (at >= strings.size() || strings.find('\0', at) == std::string_view::npos)
        fail(str_cat("trie value ", at, " does not start a terminated string in its ",
                     strings.size(), " bytes of strings"));
    }
    state[unit] = kOnPath;
    return Frame{unit, base, 0};
  };
  // Records the edge parent -> child once the child's paths are known.
  auto add_edge = [&](uint32_t parent, uint32_t child) {
    const int below = matches_below[child] + (units[child].has_leaf() ? 1 : 0);
    if (below > kMaxMatchesPerPrefix)
      fail(str_cat("more than ", kMaxMatchesPerPrefix, " rules match prefixes of one input"));
    matches_below[parent] = uint8_t(std::max<int>(matches_below[parent], below));
  };
  std::vector<Frame> path{enter(0)};
  while (!path.empty()) {
    Frame& top = path.back();
    if (top.next_byte == 256) {
      const uint32_t done = top.unit;
      state[done] = kDone;
      path.pop_back();
      if (!path.empty()) add_edge(path.back().unit, done);
      continue;
    }
    const uint32_t byte = top.next_byte++;
    const uint32_t child = top.base ^ byte;
    if (units[child].label() != byte) continue;  // no edge for this byte
    if (state[child] == kOnPath) fail("trie has a cycle");
    if (state[child] == kDone)
      add_edge(top.unit, child);
    else
      path.push_back(enter(child));  // invalidates `top`
  }
}

void check_normalizer_spec(std::string_view message, const std::string& path,
                           const std::string& name) {
  FieldReader spec(message, path, name);
  for (Field f; spec.next(f);)
    if (f.number == kPrecompiledCharsmap && f.wire_type == kLengthDelimited)
      check_charsmap(f.bytes, spec);
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
