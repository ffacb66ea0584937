// The pre-tokenizers of byte-level BPE vocabularies in GGUF files ("gpt2" tokenizer.ggml.model),
// by the tokenizer.ggml.pre name that llama.cpp's converter writes: the regexes that cut the text
// into words and the BOS/merge rules that go with each name. Data only; gguf_tokenizer builds the
// pipeline from it.
#pragma once

#include <string>
#include <vector>

namespace massact {

struct GgufPreType {
  // The names that select this entry (several models share one pre-tokenizer).
  std::vector<const char*> names;
  // Applied in order, each to every piece the previous ones left, isolating its matches (a
  // Sequence of Split pre-tokenizers with behavior Isolated). Empty matches cut too.
  std::vector<const char*> regexes;
  // Applied after the bytes are mapped to GPT-2's byte-level characters, in the same way. Falcon's
  // tokenizer.json splits digit runs there, so the byte-level characters ² ³ ¹ ¼ ½ ¾ (of the
  // UTF-8 bytes B2 B3 B9 BC-BE) split off as digits too.
  std::vector<const char*> byte_level_regexes = {};
  // A word that is itself a token is taken whole instead of merged (LLaMA-3's BPE).
  bool ignore_merges = false;
  // Default of tokenizer.ggml.add_bos_token when the file does not say.
  bool add_bos = false;
  // Default of tokenizer.ggml.add_sep_token: the separator token ends every sequence (RoBERTa).
  bool add_sep = false;
  // The vocabulary's BOS is not used as one (ChatGLM: its prompts start with other tokens).
  bool no_bos = false;
};

// The entry for `name`, or nullptr when no entry knows it.
const GgufPreType* find_gguf_pre_type(const std::string& name);

// Every known name, sorted, comma-separated (for error messages and the README).
std::string known_gguf_pre_type_names();

}  // namespace massact
