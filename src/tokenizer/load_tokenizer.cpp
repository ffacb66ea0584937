#include <filesystem>

#include "core/error.h"
#include "io/gguf.h"
#include "tokenizer/gguf_tokenizer.h"
#include "tokenizer/hf_tokenizer.h"
#include "tokenizer/sentencepiece_tokenizer.h"
#include "tokenizer/tokenizer.h"

namespace massact {

namespace fs = std::filesystem;

namespace {

std::unique_ptr<Tokenizer> load_sentencepiece(const fs::path& model_path) {
  return std::make_unique<SentencePieceTokenizer>(
      model_path.string(),
      read_special_token_rules((model_path.parent_path() / "tokenizer_config.json").string()));
}

bool has_extension(const fs::path& path, const char* extension) {
  return path.extension() == extension;
}

}  // namespace

TokenIds Tokenizer::encode_pair(const std::string& first, const std::string& second,
                                bool with_special) const {
  if (with_special)
    throw_input_error(describe(),
                      ": no pair template (only tokenizer.json and GGUF tokenizers "
                      "say how to join two texts)");
  TokenIds ids = encode(first, false), more = encode(second, false);
  ids.insert(ids.end(), more.begin(), more.end());
  return ids;
}

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& model_dir) {
  fs::path dir(model_dir);
  if (fs::exists(dir / "tokenizer.json"))
    return load_hf_tokenizer((dir / "tokenizer.json").string());
  if (fs::exists(dir / "tokenizer.model")) return load_sentencepiece(dir / "tokenizer.model");
  throw_input_error(model_dir,
                    ": no tokenizer.json or tokenizer.model (pass --token-ids to give token ids "
                    "directly)");
}

std::unique_ptr<Tokenizer> load_tokenizer_from_path(const std::string& path) {
  fs::path p(path);
  if (fs::is_directory(p)) return load_tokenizer(path);
  if (!fs::exists(p)) throw_input_error(path, ": no such file or folder");
  if (has_extension(p, ".json")) return load_hf_tokenizer(path);
  if (has_extension(p, ".model")) return load_sentencepiece(p);
  if (has_extension(p, ".gguf")) return load_gguf_tokenizer(GgufFile::open(path));
  throw_input_error(
      path, ": expected a model folder, a tokenizer.json, a tokenizer.model or a .gguf file");
}

}  // namespace massact
