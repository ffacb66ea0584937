#include "fuzz/parser_entries.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "io/gguf.h"
#include "io/gguf_source.h"
#include "io/tensor_source.h"
#include "model/arch/arch.h"
#include "tokenizer/gguf_tokenizer.h"
#include "tokenizer/hf_tokenizer.h"
#include "tokenizer/sentencepiece_tokenizer.h"

namespace massact::fuzz {

namespace fs = std::filesystem;

namespace {

// Text that reaches the added tokens, byte fallback, normalizers and pre-tokenizers.
const char* const kSample =
    "Hello world! <s>It's 2024: caf\xC3\xA9, \xEF\xBC\xA1 \xE2\x96\x81x\n\t  end</s>";

// Encodes and decodes the sample and names a few tokens, as `tokenize` would.
void exercise(const Tokenizer& tokenizer) {
  const TokenIds ids = tokenizer.encode(kSample, true);
  tokenizer.decode(ids);
  const int32_t shown = std::min(tokenizer.vocab_size(), 300);
  for (int32_t id = 0; id < shown; ++id) tokenizer.token_text(id);
  tokenizer.describe();
}

void safetensors(const std::string& path) {
  const auto source = SafetensorsSource::single(path);
  for (const std::string& name : source->names()) {
    const Tensor t = source->get(name);
    volatile unsigned char sink = 0;  // touches the first and last byte of each tensor's data
    if (t.nbytes() > 0)
      sink = *static_cast<const unsigned char*>(t.raw()) +
             static_cast<const unsigned char*>(t.raw())[t.nbytes() - 1];
    (void)sink;
  }
}

void config(const std::string& path) {
  spec_from_config(read_json_file(path), path);
}

// The index sits beside the three shards of the llama_linear_sharded fixture.
void sharded_index(const std::string& path) {
  const fs::path fixture = fs::path(MASSACT_FIXTURES_DIR) / "llama_linear_sharded";
  for (const auto& entry : fs::directory_iterator(fixture))
    if (entry.path().extension() == ".safetensors" &&
        !fs::exists(fs::path(path).parent_path() / entry.path().filename()))
      fs::copy_file(entry.path(), fs::path(path).parent_path() / entry.path().filename());
  SafetensorsSource::sharded(path);
}

void gguf_metadata(const std::string& path) {
  const auto gguf = std::make_shared<const GgufFile>(GgufFile::open(path));
  const GgufSource source(gguf);
  spec_from_gguf(*gguf, source);
}

void gguf_vocab(const std::string& path) {
  exercise(*load_gguf_tokenizer(GgufFile::open(path)));
}

void tokenizer_json(const std::string& path) {
  exercise(*load_hf_tokenizer(path));
}

void tokenizer_model(const std::string& path) {
  exercise(SentencePieceTokenizer(path, SpecialTokenRules{}));
}

}  // namespace

const std::vector<ParserEntry>& parser_entries() {
  static const std::vector<ParserEntry> entries = {
      {"safetensors", "model.safetensors", safetensors},
      {"config", "config.json", config},
      {"sharded_index", "model.safetensors.index.json", sharded_index},
      {"gguf_metadata", "model.gguf", gguf_metadata},
      {"gguf_vocab", "vocab.gguf", gguf_vocab},
      {"tokenizer_json", "tokenizer.json", tokenizer_json},
      {"tokenizer_model", "tokenizer.model", tokenizer_model},
  };
  return entries;
}

const ParserEntry* find_parser_entry(std::string_view name) {
  for (const ParserEntry& e : parser_entries())
    if (name == e.name) return &e;
  return nullptr;
}

void run_parser_entry(const ParserEntry& entry, std::string_view bytes, const std::string& dir) {
  const fs::path folder = fs::path(dir) / entry.name;
  fs::create_directories(folder);
  const std::string path = (folder / entry.file_name).string();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
  }
  entry.run(path);
}

}  // namespace massact::fuzz
