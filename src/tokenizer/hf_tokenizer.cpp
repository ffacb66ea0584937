#include "tokenizer/hf_tokenizer.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "tokenizer/bpe_model.h"
#include "tokenizer/json_components.h"
#include "tokenizer/pipeline_tokenizer.h"
#include "tokenizer/unigram_model.h"
#include "tokenizer/wordlevel_model.h"
#include "tokenizer/wordpiece_model.h"

namespace massact {

namespace {

ModelPtr model_from_json(const JsonFields& f) {
  const std::string type = f.string("type");
  if (type == "BPE") return bpe_model_from_json(f);
  if (type == "WordPiece") return wordpiece_model_from_json(f);
  if (type == "Unigram") return unigram_model_from_json(f);
  if (type == "WordLevel") return wordlevel_model_from_json(f);
  f.fail("type", "one of BPE, WordPiece, Unigram, WordLevel");
}

// Every id of a tokenizer is the model's or an added token's, so ids lie below their total count.
AddedTokens added_tokens_from_json(const JsonFields& root, int32_t model_vocab) {
  std::vector<AddedToken> tokens;
  if (!root.has("added_tokens")) return AddedTokens(tokens);
  const std::vector<JsonFields> entries = object_array(root, "added_tokens");
  const int64_t id_end = int64_t(model_vocab) + int64_t(entries.size());
  for (const JsonFields& f : entries) {
    AddedToken t;
    const int64_t id = f.integer("id");
    if (id < 0 || id >= id_end || id > INT32_MAX)
      f.fail("id", str_cat("a token id in 0..", id_end - 1, " (model and added tokens)"));
    t.id = int32_t(id);
    t.content = f.string("content");
    if (t.content.empty()) f.fail("content", "a non-empty string");
    t.special = f.boolean("special", false);
    t.single_word = f.boolean("single_word", false);
    t.lstrip = f.boolean("lstrip", false);
    t.rstrip = f.boolean("rstrip", false);
    t.normalized = f.boolean("normalized", !t.special);
    tokens.push_back(std::move(t));
  }
  return AddedTokens(std::move(tokens));
}

// tokenizer_config.json names BOS/EOS as a string or as {"content": ...}.
std::optional<int32_t> config_token(const json& config, const std::string& key,
                                    const TokenizerParts& parts) {
  if (!config.is_object() || !config.contains(key)) return std::nullopt;
  const json& v = config[key];
  std::string text = v.is_string() ? v.get<std::string>()
                     : v.is_object() && v.contains("content") && v["content"].is_string()
                         ? v["content"].get<std::string>()
                         : "";
  for (const AddedToken& t : parts.added.tokens())
    if (t.content == text) return t.id;
  return parts.model->vocab().find(text);
}

// BOS/EOS: from tokenizer_config.json when there is one, else what the post-processor adds.
void set_bos_eos(TokenizerParts& parts, const std::string& tokenizer_json_path) {
  auto config_path =
      std::filesystem::path(tokenizer_json_path).parent_path() / "tokenizer_config.json";
  if (std::filesystem::exists(config_path)) {
    json config = read_json_file(config_path.string());
    parts.bos_id = config_token(config, "bos_token", parts);
    parts.eos_id = config_token(config, "eos_token", parts);
    return;
  }
  if (!parts.post_processor.before.empty()) parts.bos_id = parts.post_processor.before.front();
  if (!parts.post_processor.after.empty()) parts.eos_id = parts.post_processor.after.back();
}

// The ids the post-processor adds must be tokens of this tokenizer.
void check_post_processor_ids(const TokenizerParts& parts, const JsonFields& root) {
  int64_t vocab = parts.model->vocab().size();
  for (const AddedToken& t : parts.added.tokens()) vocab = std::max(vocab, int64_t(t.id) + 1);
  const PostProcessor& p = parts.post_processor;
  std::vector<const TokenIds*> lists = {&p.before, &p.after};
  if (p.pair) lists.insert(lists.end(), {&p.pair->before, &p.pair->middle, &p.pair->after});
  for (const TokenIds* ids : lists)
    for (int32_t id : *ids)
      if (id < 0 || id >= vocab)
        root.fail("post_processor", str_cat("token ids in 0..", vocab - 1, ", got id ", id));
}

}  // namespace

std::unique_ptr<Tokenizer> load_hf_tokenizer(const std::string& path) {
  json doc = read_json_file(path);
  JsonFields root(doc, path);
  TokenizerParts parts;
  parts.model = model_from_json(root.object("model"));
  parts.added = added_tokens_from_json(root, parts.model->vocab().size());
  if (root.has("normalizer")) parts.normalizer = normalizer_from_json(root.object("normalizer"));
  if (root.has("pre_tokenizer"))
    parts.pre_tokenizer = pre_tokenizer_from_json(root.object("pre_tokenizer"));
  if (root.has("post_processor"))
    parts.post_processor = post_processor_from_json(root.object("post_processor"));
  if (root.has("decoder")) parts.decoder = decoder_from_json(root.object("decoder"));
  set_bos_eos(parts, path);
  check_post_processor_ids(parts, root);
  parts.description = "tokenizer.json (" + path + ", " + parts.model->name() + ", " +
                      std::to_string(parts.model->vocab().size()) + " tokens)";
  return std::make_unique<PipelineTokenizer>(std::move(parts));
}

}  // namespace massact
