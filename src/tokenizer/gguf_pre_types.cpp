#include "tokenizer/gguf_pre_types.h"

#include <algorithm>

#include "tokenizer/byte_level.h"

namespace massact {

namespace {

// The regexes below are those of each model family's tokenizer.json (what llama.cpp's converter
// hashes to pick the tokenizer.ggml.pre name), in PCRE2 syntax.

// LLaMA-3: case-insensitive contractions, a letter run with one leading non-letter, digits in
// threes, punctuation runs with their line breaks.
const char* const kLlama3 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// Qwen2: LLaMA-3's with single digits.
const char* const kQwen2 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// Tekken (Mistral Nemo): words split at lower-to-upper case changes, single digits.
const char* const kTekken =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// GPT-4o (o200k, also LLaMA-4): Tekken's case split with contractions kept on the word.
const char* const kGpt4o =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// Bailing MoE: Qwen2's with possessive quantifiers and one line break per piece.
const char* const kBailing =
    R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+)";
// Seed-Coder: Qwen2's, but punctuation runs stop before line breaks.
const char* const kSeedCoder =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+)";
// BLOOM: everything up to whitespace or sentence punctuation (the parentheses and '|' are
// literally in the class, as in the original).
const char* const kBloom = R"( ?[^(\s|.,!?…。，、।۔،)]+)";
const char* const kSingleDigits = R"(\p{N})";
const char* const kDigitRuns = R"(\p{N}+)";
const char* const kThreeAsciiDigits = R"([0-9][0-9][0-9])";
// CJK ideographs, hiragana/katakana ranges that DeepSeek keeps as runs.
const char* const kCjkRuns = R"([\x{4E00}-\x{9FA5}\x{800}-\x{4E00}\x{AC00}-\x{D7FF}]+)";
// DeepSeek-V3 (also Hunyuan dense): ASCII punctuation glued to a following Latin word, letters
// with their marks, punctuation and symbol runs.
const char* const kDeepseek3Main =
    R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// DeepSeek-LLM's letters: the cased letters of the Latin, Greek, Cyrillic, Armenian, Georgian,
// Cherokee, Glagolitic, Coptic, Deseret, Osage, Old Hungarian, Warang Citi and Adlam blocks.
const char* const kDeepseekLlmLetters =
    R"(\s?[A-Za-z\x{B5}\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{1BA}\x{1BC}-\x{1BF}\x{1C4}-\x{293}\x{295}-\x{2AF}\x{370}-\x{373}\x{376}\x{377}\x{37B}-\x{37D}\x{37F}\x{386}\x{388}-\x{38A}\x{38C}\x{38E}-\x{3A1}\x{3A3}-\x{3F5}\x{3F7}-\x{481}\x{48A}-\x{52F}\x{531}-\x{556}\x{10A0}-\x{10C5}\x{13A0}-\x{13F5}\x{13F8}-\x{13FD}\x{1C90}-\x{1CBA}\x{1CBD}-\x{1CBF}\x{1D00}-\x{1D2B}\x{1D6B}-\x{1D77}\x{1D79}-\x{1D9A}\x{1E00}-\x{1F15}\x{1F18}-\x{1F1D}\x{1F20}-\x{1F45}\x{1F48}-\x{1F4D}\x{1F50}-\x{1F57}\x{1F59}\x{1F5B}\x{1F5D}\x{1F5F}-\x{1F7D}\x{1F80}-\x{1FB4}\x{1FB6}-\x{1FBC}\x{1FBE}\x{1FC2}-\x{1FC4}\x{1FC6}-\x{1FCC}\x{1FD0}-\x{1FD3}\x{1FD6}-\x{1FDB}\x{1FE0}-\x{1FEC}\x{1FF2}-\x{1FF4}\x{1FF6}-\x{1FFC}\x{2102}\x{2107}\x{210A}-\x{2113}\x{2115}\x{2119}-\x{211D}\x{2124}\x{2126}\x{2128}\x{212A}-\x{212D}\x{212F}-\x{2134}\x{2139}\x{213C}-\x{213F}\x{2145}-\x{2149}\x{214E}\x{2183}\x{2184}\x{2C00}-\x{2C7B}\x{2C7E}-\x{2CE4}\x{2CEB}-\x{2CEE}\x{2CF2}\x{2CF3}\x{A640}-\x{A66D}\x{A680}-\x{A69B}\x{A722}-\x{A76F}\x{A771}-\x{A787}\x{A78B}-\x{A78E}\x{AB70}-\x{ABBF}\x{FB00}-\x{FB06}\x{FB13}-\x{FB17}\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A}\x{10400}-\x{1044F}\x{104B0}-\x{104D3}\x{104D8}-\x{104FB}\x{10C80}-\x{10CB2}\x{10CC0}-\x{10CF2}\x{118A0}-\x{118DF}\x{1E900}-\x{1E943}]+)";
// ASCII and full-width punctuation, curly quotes, ideographic space and full stop.
const char* const kDeepseekLlmPunct =
    R"(\s?[!-/:-~\x{FF01}-\x{FF0F}\x{FF1A}-\x{FF5E}\x{2018}-\x{201F}\x{3000}-\x{3002}]+)";

const std::vector<GgufPreType>& table() {
  // clang-format off
  static const std::vector<GgufPreType> entries = {
    // What llama.cpp falls back to: punctuation runs, GPT-2's regex, digit runs, ASCII triples.
    {{"default"}, {R"([\p{P}\$\+<=>\^~\|]+)", kGpt2Pattern, kDigitRuns, kThreeAsciiDigits}},
    {{"gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
      "mellum", "mpt", "olmo", "jais", "trillion", "granite-docling", "exaone4"},
     {kGpt2Pattern}},
    {{"roberta-bpe", "jina-v1-en", "jina-v2-code"}, {kGpt2Pattern}, {}, false, false, true},
    {{"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2"},
     {kLlama3}, {}, true, true},
    {{"dbrx", "smaug-bpe"}, {kLlama3}},
    {{"chatglm-bpe", "glm4"}, {kLlama3}, {}, false, false, false, true},
    {{"qwen2", "deepseek-r1-qwen", "kormo", "megrez", "stablelm2", "hunyuan", "grok-2"},
     {kQwen2}},
    {{"deepseek-llm"},
     {R"([\r\n])", kDeepseekLlmLetters, kDeepseekLlmPunct, R"(\s+$)", kCjkRuns, kDigitRuns}},
    {{"deepseek-coder"},
     {R"([\r\n])", R"(\s?\p{L}+)", R"(\s?\p{P}+)", kCjkRuns, kSingleDigits}},
    {{"deepseek-v3", "hunyuan-dense"},
     {R"(\p{N}{1,3})", R"([\x{4E00}-\x{9FA5}\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+)",
      kDeepseek3Main}},
    {{"falcon"}, {R"([\p{P}\$\+<=>\^~\|`]+)", kGpt2Pattern}, {kDigitRuns, kThreeAsciiDigits}},
    {{"starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b"},
     {kSingleDigits, kGpt2Pattern}},
    {{"bloom", "poro-chat", "gpt3-finnish"}, {kBloom}},
    {{"viking"}, {kBloom, kSingleDigits}},
    {{"tekken"}, {kTekken}, {}, true, true},
    {{"chameleon"},
     {R"(<sentinel:[0-9]+>)", R"((IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z)", R"(([\t\n]|    |  ))",
      kSingleDigits, R"([\p{P}!-/:-@\[-`{-~])", kGpt2Pattern},
     {}, false, true},
    {{"gpt-4o", "llama4", "minimax-m2"}, {kGpt4o}},
    // SuperBPE: digit runs, then cut into threes from the right (an empty-match lookahead).
    {{"superbpe"}, {kDigitRuns, R"((?=(\d{3})+(?!\d)))"}},
    {{"bailingmoe", "bailingmoe2", "llada-moe"}, {kBailing}},
    {{"seed-coder"}, {kSeedCoder}},
  };
  // clang-format on
  return entries;
}

}  // namespace

const GgufPreType* find_gguf_pre_type(const std::string& name) {
  for (const GgufPreType& entry : table())
    for (const char* n : entry.names)
      if (name == n) return &entry;
  return nullptr;
}

std::string known_gguf_pre_type_names() {
  std::vector<std::string> names;
  for (const GgufPreType& entry : table())
    names.insert(names.end(), entry.names.begin(), entry.names.end());
  std::sort(names.begin(), names.end());
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace massact
