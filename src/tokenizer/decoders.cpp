#include "tokenizer/decoders.h"

#include "tokenizer/byte_level.h"
#include "tokenizer/json_components.h"
#include "tokenizer/pre_tokenizers.h"

namespace massact {

namespace {

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size())
    text.replace(at, from.size(), to);
}

class ByteLevelDecoder : public Decoder {
 public:
  void decode(std::vector<std::string>& tokens, bool) const override {
    for (std::string& t : tokens)
      if (auto bytes = byte_level_to_bytes(t)) t = *bytes;
  }
};

class MetaspaceDecoder : public Decoder {
 public:
  MetaspaceDecoder(std::string replacement, bool strip_first)
      : replacement_(std::move(replacement)), strip_first_(strip_first) {}
  void decode(std::vector<std::string>& tokens, bool whole_text) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      replace_all(tokens[i], replacement_, " ");
      if (i == 0 && whole_text && strip_first_ && tokens[i].rfind(' ', 0) == 0)
        tokens[i].erase(0, 1);
    }
  }

 private:
  std::string replacement_;
  bool strip_first_;
};

// "<0x41>" -> the byte 0x41.
class ByteFallbackDecoder : public Decoder {
 public:
  void decode(std::vector<std::string>& tokens, bool) const override {
    for (std::string& t : tokens) {
      if (t.size() == 6 && t.rfind("<0x", 0) == 0 && t[5] == '>') {
        char* end = nullptr;
        long byte = std::strtol(t.c_str() + 3, &end, 16);
        if (end == t.c_str() + 5) t = std::string(1, char(byte));
      }
    }
  }
};

class WordPieceDecoder : public Decoder {
 public:
  explicit WordPieceDecoder(std::string prefix) : prefix_(std::move(prefix)) {}
  void decode(std::vector<std::string>& tokens, bool whole_text) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i == 0 && whole_text) continue;
      if (tokens[i].rfind(prefix_, 0) == 0)
        tokens[i].erase(0, prefix_.size());
      else
        tokens[i].insert(0, " ");
    }
  }

 private:
  std::string prefix_;
};

class ReplaceDecoder : public Decoder {
 public:
  ReplaceDecoder(std::string from, std::string to) : from_(std::move(from)), to_(std::move(to)) {}
  void decode(std::vector<std::string>& tokens, bool) const override {
    for (std::string& t : tokens) replace_all(t, from_, to_);
  }

 private:
  std::string from_, to_;
};

// Strips up to `start` leading and `stop` trailing copies of `content` from each token; only
// meaningful for the whole text (it follows Fuse in LLaMA's decoder).
class StripDecoder : public Decoder {
 public:
  StripDecoder(std::string content, size_t start, size_t stop)
      : content_(std::move(content)), start_(start), stop_(stop) {}
  void decode(std::vector<std::string>& tokens, bool whole_text) const override {
    if (!whole_text || content_.empty()) return;
    for (std::string& t : tokens) {
      for (size_t i = 0; i < start_ && t.rfind(content_, 0) == 0; ++i) t.erase(0, content_.size());
      for (size_t i = 0; i < stop_ && t.size() >= content_.size() &&
                         t.compare(t.size() - content_.size(), content_.size(), content_) == 0;
           ++i)
        t.erase(t.size() - content_.size());
    }
  }

 private:
  std::string content_;
  size_t start_, stop_;
};

class FuseDecoder : public Decoder {
 public:
  void decode(std::vector<std::string>& tokens, bool) const override {
    std::string all;
    for (const std::string& t : tokens) all += t;
    tokens.assign(1, all);
  }
};

class SequenceDecoder : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<DecoderPtr> steps) : steps_(std::move(steps)) {}
  void decode(std::vector<std::string>& tokens, bool whole_text) const override {
    for (const auto& step : steps_) step->decode(tokens, whole_text);
  }

 private:
  std::vector<DecoderPtr> steps_;
};

DecoderPtr replace_from_json(const JsonFields& f) {
  PatternField pattern = pattern_from_json(f, "pattern");
  if (pattern.is_regex)
    f.fail("pattern", "{\"String\": ...} (regex replacement is not supported in decoders)");
  return std::make_unique<ReplaceDecoder>(pattern.text, f.string("content"));
}

}  // namespace

DecoderPtr make_byte_level_decoder() {
  return std::make_unique<ByteLevelDecoder>();
}
DecoderPtr make_metaspace_decoder(std::string replacement, bool strip_first) {
  return std::make_unique<MetaspaceDecoder>(std::move(replacement), strip_first);
}
DecoderPtr make_byte_fallback_decoder() {
  return std::make_unique<ByteFallbackDecoder>();
}
DecoderPtr make_wordpiece_decoder(std::string prefix) {
  return std::make_unique<WordPieceDecoder>(std::move(prefix));
}
DecoderPtr make_sequence_decoder(std::vector<DecoderPtr> steps) {
  return std::make_unique<SequenceDecoder>(std::move(steps));
}

DecoderPtr decoder_from_json(const JsonFields& f) {
  const std::string type = f.string("type");
  if (type == "ByteLevel") return make_byte_level_decoder();
  if (type == "Metaspace")
    return make_metaspace_decoder(f.string("replacement", "\xE2\x96\x81"),
                                  prepend_scheme_from_json(f) != PrependScheme::Never);
  if (type == "ByteFallback") return make_byte_fallback_decoder();
  if (type == "WordPiece") return make_wordpiece_decoder(f.string("prefix", "##"));
  if (type == "Replace") return replace_from_json(f);
  if (type == "Strip")
    return std::make_unique<StripDecoder>(f.string("content", " "), size_t(f.integer("start", 0)),
                                          size_t(f.integer("stop", 0)));
  if (type == "Fuse") return std::make_unique<FuseDecoder>();
  if (type == "Sequence") {
    std::vector<DecoderPtr> steps;
    for (const JsonFields& step : object_array(f, "decoders"))
      steps.push_back(decoder_from_json(step));
    return make_sequence_decoder(std::move(steps));
  }
  f.fail("type",
         "one of ByteLevel, Metaspace, ByteFallback, WordPiece, Replace, Strip, Fuse, Sequence");
}

}  // namespace massact
