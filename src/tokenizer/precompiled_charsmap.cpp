#include "tokenizer/precompiled_charsmap.h"

#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "core/error.h"
#include "tokenizer/unicode.h"

namespace massact {

namespace {

// libsentencepiece's normalizer keeps at most this many matches of one prefix in a fixed array
// (normalizer.cc's kMaxTrieResultsSize), and reads as many as the trie reports.
constexpr int kMaxMatchesPerPrefix = 32;

// One unit of a darts-clone double array, decoded as the library decodes it.
struct DartsUnit {
  uint32_t bits;
  bool has_leaf() const { return (bits >> 8) & 1; }
  uint32_t value() const { return bits & ((1U << 31) - 1); }
  uint32_t label() const { return bits & ((1U << 31) | 0xFF); }
  uint32_t offset() const { return (bits >> 10) << ((bits & (1U << 9)) >> 6); }
};

// The trie size in bytes (the blob's first 4 bytes, little-endian).
uint32_t trie_bytes_of(std::string_view blob) {
  uint32_t bytes = 0;
  if (blob.size() >= 4) std::memcpy(&bytes, blob.data(), 4);  // little-endian hosts
  return bytes;
}

}  // namespace

// The blob: a 4-byte little-endian trie size, the trie (darts-clone units), then NUL-terminated
// replacement strings that the trie's values index. Every unit the normalizer can reach, for any
// input, must lie inside the trie and every value must start a terminated string. darts-clone
// shares common suffixes, so the trie is a DAG: it must have no cycle (which would make the
// matches of one input unbounded), and no path may hold more than kMaxMatchesPerPrefix values.
// One depth-first walk checks all of it, each unit entered once.
void check_precompiled_charsmap(std::string_view blob, const std::string& where) {
  if (blob.empty()) return;  // no charsmap: the identity normalizer
  const uint32_t trie_bytes = trie_bytes_of(blob);
  if (blob.size() < 4 || trie_bytes == 0 || trie_bytes % 4 != 0 || trie_bytes > blob.size() - 4)
    throw_input_error(where, "trie size ", trie_bytes, " does not fit a blob of ", blob.size(),
                      " bytes (expected a positive multiple of 4)");
  const size_t n = trie_bytes / 4;
  std::vector<DartsUnit> units(n);
  std::memcpy(units.data(), blob.data() + 4, trie_bytes);
  const std::string_view strings = blob.substr(4 + trie_bytes);
  auto fail = [&](const std::string& what) { throw_input_error(where, what); };

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

PrecompiledCharsmap::PrecompiledCharsmap(std::string_view blob, const std::string& where) {
  check_precompiled_charsmap(blob, where);
  if (blob.empty()) return;
  const uint32_t trie_bytes = trie_bytes_of(blob);
  units_.resize(trie_bytes / 4);
  std::memcpy(units_.data(), blob.data() + 4, trie_bytes);
  strings_ = std::string(blob.substr(4 + trie_bytes));
  if (size_t bad = find_invalid_utf8(strings_); bad != std::string::npos)
    throw_input_error(where, "replacement strings: invalid UTF-8 at byte ", bad);
}

std::optional<std::string_view> PrecompiledCharsmap::transform(std::string_view chunk) const {
  if (units_.empty()) return std::nullopt;
  // The walk of darts-clone's common-prefix search, stopping at the first (shortest) key; the
  // check guarantees every unit reached is inside the trie and every value starts a string.
  uint32_t node = DartsUnit{units_[0]}.offset();
  for (char ch : chunk) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte == 0) break;  // keys never hold NUL
    node ^= byte;
    const DartsUnit unit{units_[node]};
    if (unit.label() != byte) break;
    node ^= unit.offset();
    if (unit.has_leaf()) {
      const std::string_view strings(strings_);
      const size_t at = DartsUnit{units_[node]}.value();
      return strings.substr(at, strings.find('\0', at) - at);
    }
  }
  return std::nullopt;
}

std::string PrecompiledCharsmap::normalize(std::string_view text) const {
  if (units_.empty() || text.empty()) return std::string(text);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UText, decltype(&utext_close)> utext(
      utext_openUTF8(nullptr, text.data(), int64_t(text.size()), &status), utext_close);
  std::unique_ptr<UBreakIterator, decltype(&ubrk_close)> graphemes(
      ubrk_open(UBRK_CHARACTER, "", nullptr, 0, &status), ubrk_close);
  ubrk_setUText(graphemes.get(), utext.get(), &status);
  if (U_FAILURE(status))
    throw std::runtime_error(std::string("ICU grapheme iterator: ") + u_errorName(status));
  std::string out;
  out.reserve(text.size());
  // Offsets are UTF-8 byte offsets: the UText is over the UTF-8 text itself.
  for (int32_t begin = ubrk_first(graphemes.get()), end = ubrk_next(graphemes.get());
       end != UBRK_DONE; begin = end, end = ubrk_next(graphemes.get())) {
    const std::string_view grapheme = text.substr(size_t(begin), size_t(end - begin));
    if (grapheme.size() < 6) {
      if (auto whole = transform(grapheme)) {
        out += *whole;
        continue;
      }
    }
    for (size_t pos = 0; pos < grapheme.size();) {
      const size_t start = pos;
      next_code_point(grapheme, pos);
      const std::string_view code_point = grapheme.substr(start, pos - start);
      auto replaced = transform(code_point);
      out += replaced ? *replaced : code_point;
    }
  }
  return out;
}

}  // namespace massact
