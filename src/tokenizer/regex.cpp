#include "tokenizer/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/error.h"

namespace massact {

struct Regex::Impl {
  pcre2_code* code = nullptr;
  ~Impl() { pcre2_code_free(code); }
};

Regex::Regex(const std::string& pattern, const std::string& where) : impl_(new Impl) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                              PCRE2_UTF | PCRE2_UCP, &error, &offset, nullptr);
  if (!impl_->code) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof(message));
    throw_input_error(where, ": expected a valid regex, got \"", quote_prefix(pattern), "\" (",
                      reinterpret_cast<const char*>(message), " at offset ", offset, ")");
  }
  pcre2_jit_compile(impl_->code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter on failure
}

Regex::~Regex() = default;
Regex::Regex(Regex&&) noexcept = default;

std::vector<Span> Regex::find_all(std::string_view text) const {
  // One match block per thread, reused: allocating it per call would dominate short pieces.
  thread_local std::unique_ptr<pcre2_match_data, void (*)(pcre2_match_data*)> data(
      pcre2_match_data_create(1, nullptr), pcre2_match_data_free);
  std::vector<Span> matches;
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t start = 0;
  while (start <= text.size()) {
    // The text was validated once for the whole input, so PCRE2 need not check it per call.
    int rc = pcre2_match(impl_->code, subject, text.size(), start, PCRE2_NO_UTF_CHECK, data.get(),
                         nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) throw std::runtime_error("PCRE2 match failed with code " + std::to_string(rc));
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data.get());
    size_t begin = ovector[0], end = ovector[1];
    // An empty match is kept: it cuts the text there, as in HF (SuperBPE's "(?=(\d{3})+(?!\d))").
    matches.push_back({begin, end, true});
    if (end > begin) {
      start = end;
    } else {  // then search on from the next whole code point
      start = end + 1;
      while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
        ++start;
    }
  }
  return matches;
}

std::vector<Span> cover(std::string_view text, const std::vector<Span>& matches) {
  if (text.empty()) return {Span{0, 0, false}};
  std::vector<Span> spans;
  size_t prev = 0;
  for (const Span& m : matches) {
    if (m.begin > prev) spans.push_back({prev, m.begin, false});
    spans.push_back(m);
    prev = m.end;
  }
  if (prev < text.size()) spans.push_back({prev, text.size(), false});
  return spans;
}

}  // namespace massact
