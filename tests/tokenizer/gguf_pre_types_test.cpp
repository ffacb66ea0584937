// The tokenizer.ggml.pre types of src/tokenizer/gguf_pre_types.cpp against the Hugging Face
// `tokenizers` library (tests/fixtures/tokenizers/gguf_pre_types/expected.json, from
// tests/reference/make_pre_type_fixtures.py, which gives each type the pre-tokenizer of its
// family's tokenizer.json): a GGUF vocabulary with the fixture's tokens and merges and the type's
// name must give the library's ids for every text. Also llama.cpp's BOS/separator rules per type
// and the error for a type that no entry knows.
#include "tokenizer/gguf_pre_types.h"

#include <gtest/gtest.h>

#include <fstream>
#include <optional>

#include "core/error.h"
#include "gguf_bytes.h"
#include "io/gguf.h"
#include "io/json_file.h"
#include "test_paths.h"
#include "tokenizer/gguf_tokenizer.h"

namespace massact {
namespace {

using testing::GgufBytes;

// GGUF value types.
constexpr uint32_t kUint32 = 4, kBool = 7, kString = 8, kArray = 9;

// A byte-level BPE vocabulary ("gpt2") as a GGUF file without tensors.
struct VocabGguf {
  std::vector<std::string> tokens, merges;
  std::optional<std::string> pre;
  std::optional<uint32_t> bos, sep;
  std::optional<bool> add_bos;

  std::string write(const std::string& name) const {
    GgufBytes kv;
    uint64_t count = 0;
    auto key = [&](const std::string& k) -> GgufBytes& {
      ++count;
      return kv.str(k);
    };
    auto strings = [&](const std::string& k, const std::vector<std::string>& values) {
      key(k).put(kArray).put(kString).put<uint64_t>(values.size());
      for (const std::string& v : values) kv.str(v);
    };
    key("tokenizer.ggml.model").put(kString).str("gpt2");
    strings("tokenizer.ggml.tokens", tokens);
    strings("tokenizer.ggml.merges", merges);
    if (pre) key("tokenizer.ggml.pre").put(kString).str(*pre);
    if (bos) key("tokenizer.ggml.bos_token_id").put(kUint32).put(*bos);
    if (sep) key("tokenizer.ggml.seperator_token_id").put(kUint32).put(*sep);
    if (add_bos) key("tokenizer.ggml.add_bos_token").put(kBool).put<uint8_t>(*add_bos);
    GgufBytes file;
    file.header(3, 0, count);
    const std::string path = testing::temp_dir() + "/" + name + ".gguf";
    std::ofstream(path, std::ios::binary) << file.data << kv.data;
    return path;
  }

  std::unique_ptr<Tokenizer> load(const std::string& name) const {
    return load_gguf_tokenizer(GgufFile::open(write(name)));
  }
};

const json& fixture() {
  static const json doc =
      read_json_file(testing::fixture_dir("tokenizers/gguf_pre_types") + "/expected.json");
  return doc;
}

VocabGguf fixture_vocab(const std::string& pre) {
  VocabGguf v;
  v.tokens = fixture().at("tokens").get<std::vector<std::string>>();
  v.merges = fixture().at("merges").get<std::vector<std::string>>();
  v.pre = pre;
  return v;
}

TEST(GgufPreTypes, EveryTypeGivesTheLibrarysIds) {
  const auto texts = fixture().at("texts").get<std::vector<std::string>>();
  ASSERT_GE(texts.size(), 30u);
  ASSERT_GE(fixture().at("types").size(), 20u);
  for (const json& type : fixture().at("types")) {
    const std::string pre = type.at("pre").get<std::string>();
    SCOPED_TRACE("tokenizer.ggml.pre " + pre);
    auto tokenizer = fixture_vocab(pre).load(pre);
    const auto expected = type.at("ids").get<std::vector<TokenIds>>();
    ASSERT_EQ(expected.size(), texts.size());
    for (size_t i = 0; i < texts.size(); ++i)
      EXPECT_EQ(tokenizer->encode(texts[i], false), expected[i]) << "text \"" << texts[i] << "\"";
  }
}

// The names llama.cpp's vocabulary loader accepts for byte-level BPE vocabularies (its
// llama-vocab.cpp as of late 2025), except kimi-k2 and afmoe, whose splitting is custom code there.
TEST(GgufPreTypes, KnowsEveryNameOfLlamaCpp) {
  for (const char* name : {"default",
                           "llama3",
                           "llama-v3",
                           "llama-bpe",
                           "falcon3",
                           "falcon-h1",
                           "pixtral",
                           "midm-2.0",
                           "lfm2",
                           "deepseek-llm",
                           "deepseek-coder",
                           "deepseek-v3",
                           "falcon",
                           "mpt",
                           "starcoder",
                           "gpt-2",
                           "phi-2",
                           "jina-es",
                           "jina-de",
                           "gigachat",
                           "jina-v2-es",
                           "jina-v2-de",
                           "a.x-4.0",
                           "mellum",
                           "jina-v1-en",
                           "jina-v2-code",
                           "roberta-bpe",
                           "refact",
                           "command-r",
                           "qwen2",
                           "deepseek-r1-qwen",
                           "kormo",
                           "stablelm2",
                           "olmo",
                           "dbrx",
                           "smaug-bpe",
                           "poro-chat",
                           "glm4",
                           "chatglm-bpe",
                           "viking",
                           "jais",
                           "tekken",
                           "smollm",
                           "codeshell",
                           "bloom",
                           "gpt3-finnish",
                           "exaone",
                           "exaone4",
                           "chameleon",
                           "minerva-7b",
                           "megrez",
                           "gpt-4o",
                           "llama4",
                           "superbpe",
                           "trillion",
                           "granite-docling",
                           "bailingmoe",
                           "bailingmoe2",
                           "llada-moe",
                           "seed-coder",
                           "hunyuan",
                           "hunyuan-dense",
                           "grok-2",
                           "minimax-m2"})
    EXPECT_NE(find_gguf_pre_type(name), nullptr) << name;
}

TEST(GgufPreTypes, UnknownTypeNamesTheKeyAndTheValue) {
  VocabGguf v = fixture_vocab("kimi-k2");
  const std::string path = v.write("unknown");
  try {
    load_gguf_tokenizer(GgufFile::open(path));
    FAIL() << "no error for an unknown pre-tokenizer type";
  } catch (const InputError& e) {
    EXPECT_CONTAINS(e.what(), path);
    EXPECT_CONTAINS(e.what(), "key 'tokenizer.ggml.pre': unknown pre-tokenizer type \"kimi-k2\"");
    EXPECT_CONTAINS(e.what(), "llama-bpe");  // the known names are listed
  }
}

// llama.cpp's defaults: LLaMA-3 vocabularies start with BOS, GPT-2's do not; the file's
// add_bos_token wins; ChatGLM has no BOS; RoBERTa ends with its separator.
TEST(GgufPreTypes, BosAndSeparatorFollowLlamaCppsRules) {
  const TokenIds text = {fixture_vocab("gpt-2").load("plain")->encode("Hello", false)};
  ASSERT_FALSE(text.empty());
  auto with_special = [&](VocabGguf v, const std::string& name) {
    return v.load(name)->encode("Hello", true);
  };
  VocabGguf v = fixture_vocab("llama-bpe");
  v.bos = 0;
  v.sep = 2;
  TokenIds bos_text = text;
  bos_text.insert(bos_text.begin(), 0);
  EXPECT_EQ(with_special(v, "llama3"), bos_text);
  v.add_bos = false;
  EXPECT_EQ(with_special(v, "llama3_no_bos"), text);
  v.add_bos.reset();
  v.pre = "gpt-2";
  EXPECT_EQ(with_special(v, "gpt2"), text);
  v.add_bos = true;
  EXPECT_EQ(with_special(v, "gpt2_bos"), bos_text);
  v.pre = "chatglm-bpe";
  EXPECT_EQ(with_special(v, "chatglm"), text);
  v.pre = "roberta-bpe";
  TokenIds roberta = bos_text;
  roberta.push_back(2);
  EXPECT_EQ(with_special(v, "roberta"), roberta);
}

// A missing tokenizer.ggml.pre is llama.cpp's "default": punctuation runs and digit runs split
// off before GPT-2's regex.
TEST(GgufPreTypes, MissingKeyIsTheDefaultType) {
  VocabGguf v = fixture_vocab("default");
  v.pre.reset();
  const auto texts = fixture().at("texts").get<std::vector<std::string>>();
  auto missing = v.load("missing");
  auto named = fixture_vocab("default").load("default");
  for (const std::string& t : texts) EXPECT_EQ(missing->encode(t, false), named->encode(t, false));
}

}  // namespace
}  // namespace massact
