#include "tokenizer/gguf_tokenizer.h"

#include "core/error.h"
#include "tokenizer/bpe_model.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/gguf_pre_types.h"
#include "tokenizer/pipeline_tokenizer.h"
#include "tokenizer/spm_model.h"
#include "tokenizer/wordpiece_model.h"

namespace massact {

namespace {

const char* const kSpace = "\xE2\x96\x81";  // "▁", SentencePiece's space

// llama.cpp's token types (tokenizer.ggml.token_type).
enum TokenType : int64_t {
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6
};

// What every vocabulary type shares: the tokens, their types, the special ids.
struct GgufVocab {
  const GgufFile& file;
  std::vector<std::string> tokens;
  std::vector<int64_t> types;

  explicit GgufVocab(const GgufFile& f) : file(f) {
    tokens = f.string_array("tokenizer.ggml.tokens");
    if (tokens.empty() || tokens.size() > size_t(INT32_MAX))
      f.fail("tokenizer.ggml.tokens", "a non-empty array of strings, fewer than 2^31");
    types = f.has("tokenizer.ggml.token_type") ? f.integer_array("tokenizer.ggml.token_type")
                                               : std::vector<int64_t>(tokens.size(), kNormal);
    if (types.size() != tokens.size())
      throw_input_error(f.path(), ": key 'tokenizer.ggml.token_type': expected ", tokens.size(),
                        " entries (one per token), got ", types.size());
  }

  std::optional<int32_t> id(const std::string& key) const {
    if (!file.has(key)) return std::nullopt;
    uint64_t id = file.unsigned_integer(key);
    if (id >= tokens.size())
      throw_input_error(file.path(), ": key '", key, "': expected a token id below ", tokens.size(),
                        ", got ", id);
    return int32_t(id);
  }

  // Control, unknown and user-defined tokens are matched whole in the text, before the model.
  AddedTokens added_tokens() const {
    std::vector<AddedToken> added;
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (types[i] != kControl && types[i] != kUnknown && types[i] != kUserDefined) continue;
      AddedToken t;
      t.content = tokens[i];
      t.id = int32_t(i);
      t.special = types[i] != kUserDefined;
      if (!t.content.empty()) added.push_back(std::move(t));
    }
    return AddedTokens(std::move(added));
  }

  PostProcessor post_processor(std::optional<int32_t> bos, std::optional<int32_t> eos,
                               bool add_bos_default) const {
    PostProcessor p;
    // Read even when unused, so that a mistyped flag is reported.
    const bool add_bos = file.boolean("tokenizer.ggml.add_bos_token", add_bos_default);
    const bool add_eos = file.boolean("tokenizer.ggml.add_eos_token", false);
    if (bos && add_bos) p.before.push_back(*bos);
    if (eos && add_eos) p.after.push_back(*eos);
    return p;
  }
};

void build_llama(const GgufVocab& v, TokenizerParts& parts) {
  std::vector<double> scores = v.file.number_array("tokenizer.ggml.scores");
  if (scores.size() != v.tokens.size())
    throw_input_error(v.file.path(), ": key 'tokenizer.ggml.scores': expected ", v.tokens.size(),
                      " entries (one per token), got ", scores.size());
  std::vector<bool> mergeable(v.tokens.size());
  for (size_t i = 0; i < v.tokens.size(); ++i)
    mergeable[i] = v.types[i] == kNormal || v.types[i] == kUserDefined || v.types[i] == kUnused;
  const bool space_prefix = v.file.boolean("tokenizer.ggml.add_space_prefix", true);
  std::vector<NormalizerPtr> steps;
  if (space_prefix) steps.push_back(std::make_unique<PrependNormalizer>(kSpace));
  steps.push_back(std::make_unique<ReplaceNormalizer>(" ", kSpace));
  parts.normalizer = std::make_unique<SequenceNormalizer>(std::move(steps));
  parts.model =
      std::make_unique<SpmModel>(Vocab(v.tokens), std::vector<float>(scores.begin(), scores.end()),
                                 std::move(mergeable), v.id("tokenizer.ggml.unknown_token_id"));
  std::vector<DecoderPtr> decoders;
  decoders.push_back(make_byte_fallback_decoder());
  decoders.push_back(make_metaspace_decoder(kSpace, space_prefix));
  parts.decoder = make_sequence_decoder(std::move(decoders));
  parts.post_processor = v.post_processor(parts.bos_id, parts.eos_id, true);
}

// tokenizer.ggml.pre names the pre-tokenizer of a byte-level BPE vocabulary; llama.cpp reads a
// missing key as "default".
const GgufPreType& pre_type(const GgufFile& f) {
  const std::string pre = f.string("tokenizer.ggml.pre", "default");
  if (const GgufPreType* type = find_gguf_pre_type(pre)) return *type;
  throw_input_error(f.path(), ": key 'tokenizer.ggml.pre': unknown pre-tokenizer type \"",
                    quote_prefix(pre), "\" (expected one of ", known_gguf_pre_type_names(),
                    "; --tokenizer can borrow a tokenizer.json for this model)");
}

void build_gpt2(const GgufVocab& v, TokenizerParts& parts) {
  std::vector<std::pair<std::string, std::string>> merges;
  for (const std::string& m : v.file.string_array("tokenizer.ggml.merges")) {
    size_t space = m.find(' ', 1);
    if (space == std::string::npos)
      throw_input_error(v.file.path(),
                        ": key 'tokenizer.ggml.merges': expected \"left right\", got \"",
                        quote_prefix(m), "\"");
    merges.emplace_back(m.substr(0, space), m.substr(space + 1));
  }
  const GgufPreType& pre = pre_type(v.file);
  std::vector<PreTokenizerPtr> steps;
  for (const char* pattern : pre.regexes)
    steps.push_back(std::make_unique<SplitPreTokenizer>(
        Regex(pattern, v.file.path() + ": key 'tokenizer.ggml.pre'"), SplitBehavior::Isolated,
        false));
  steps.push_back(std::make_unique<ByteLevelPreTokenizer>(false, false));
  for (const char* pattern : pre.byte_level_regexes)
    steps.push_back(std::make_unique<SplitPreTokenizer>(
        Regex(pattern, v.file.path() + ": key 'tokenizer.ggml.pre'"), SplitBehavior::Isolated,
        false));
  parts.pre_tokenizer = std::make_unique<SequencePreTokenizer>(std::move(steps));
  BpeOptions options;
  options.ignore_merges = pre.ignore_merges;
  parts.model = std::make_unique<BpeModel>(Vocab(v.tokens), merges, options,
                                           v.file.path() + ": key 'tokenizer.ggml.merges'");
  parts.decoder = make_byte_level_decoder();
  if (pre.no_bos) parts.bos_id.reset();
  parts.post_processor = v.post_processor(parts.bos_id, parts.eos_id, pre.add_bos);
  auto sep = v.id("tokenizer.ggml.seperator_token_id");  // llama.cpp's spelling
  const bool add_sep = v.file.boolean("tokenizer.ggml.add_sep_token", pre.add_sep);
  if (sep && add_sep) parts.post_processor.after.push_back(*sep);
}

// llama.cpp stores BERT vocabularies with "▁" marking word starts instead of "##" marking
// continuations; the WordPiece model wants the latter back.
std::vector<std::string> wordpiece_tokens(const GgufVocab& v) {
  std::vector<std::string> tokens = v.tokens;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (v.types[i] != kNormal) continue;
    if (tokens[i].rfind(kSpace, 0) == 0)
      tokens[i].erase(0, 3);
    else
      tokens[i].insert(0, "##");
  }
  return tokens;
}

void build_bert(const GgufVocab& v, TokenizerParts& parts) {
  auto unk = v.id("tokenizer.ggml.unknown_token_id");
  if (!unk)
    throw_input_error(v.file.path(),
                      ": key 'tokenizer.ggml.unknown_token_id': missing (WordPiece "
                      "needs an unknown token)");
  parts.normalizer = std::make_unique<BertNormalizer>(true, true, true, true);
  parts.pre_tokenizer = make_bert_pre_tokenizer();
  parts.model = std::make_unique<WordPieceModel>(Vocab(wordpiece_tokens(v)), *unk, "##", 100);
  parts.decoder = make_wordpiece_decoder("##");
  // BERT's sequence is [CLS] ... [SEP].
  auto cls = v.id("tokenizer.ggml.cls_token_id");
  auto sep = v.id("tokenizer.ggml.seperator_token_id");  // llama.cpp's spelling
  parts.bos_id = parts.bos_id ? parts.bos_id : cls;
  parts.eos_id = parts.eos_id ? parts.eos_id : sep;
  if (cls && v.file.boolean("tokenizer.ggml.add_bos_token", true))
    parts.post_processor.before.push_back(*cls);
  if (sep && v.file.boolean("tokenizer.ggml.add_sep_token", true))
    parts.post_processor.after.push_back(*sep);
  // [CLS] A [SEP] B [SEP], as BERT's tokenizer.json says.
  PostProcessor& p = parts.post_processor;
  p.pair = PostProcessor::Pair{p.before, p.after, p.after};
}

}  // namespace

std::unique_ptr<Tokenizer> load_gguf_tokenizer(const GgufFile& gguf) {
  GgufVocab v(gguf);
  TokenizerParts parts;
  parts.added = v.added_tokens();
  parts.bos_id = v.id("tokenizer.ggml.bos_token_id");
  parts.eos_id = v.id("tokenizer.ggml.eos_token_id");
  const std::string model = gguf.string("tokenizer.ggml.model");
  if (model == "llama")
    build_llama(v, parts);
  else if (model == "gpt2")
    build_gpt2(v, parts);
  else if (model == "bert")
    build_bert(v, parts);
  else
    throw_input_error(gguf.path(),
                      ": key 'tokenizer.ggml.model': expected one of llama, gpt2, bert, got \"",
                      quote_prefix(model), "\"");
  parts.description =
      "gguf (" + gguf.path() + ", " + model + ", " + std::to_string(v.tokens.size()) + " tokens)";
  return std::make_unique<PipelineTokenizer>(std::move(parts));
}

}  // namespace massact
