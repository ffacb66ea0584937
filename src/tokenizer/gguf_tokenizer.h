// The tokenizer stored in a GGUF file's tokenizer.ggml.* keys, built from the same components as a
// tokenizer.json: "llama" (SentencePiece BPE with byte fallback), "gpt2" (byte-level BPE with the
// pre-tokenizer and BOS rules that tokenizer.ggml.pre names, gguf_pre_types.h), "bert" (WordPiece).
#pragma once

#include <memory>
#include <string>

#include "io/gguf.h"
#include "tokenizer/tokenizer.h"

namespace massact {

// InputError naming the file and the key for missing, mistyped or inconsistent vocabularies.
std::unique_ptr<Tokenizer> load_gguf_tokenizer(const GgufFile& gguf);

}  // namespace massact
