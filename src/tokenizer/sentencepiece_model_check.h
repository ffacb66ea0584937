// Checks a serialized SentencePiece model (tokenizer.model) before libsentencepiece sees it. The
// library trusts parts of the model it loads: a piece holding a NUL byte makes its trie builder
// throw ("zero-length key"), and the normalizer walks the precompiled_charsmap's double-array
// trie and indexes its strings without bounds checks, so a malformed blob crashes the process.
// This reads the protobuf wire format just far enough to check those parts.
#pragma once

#include <string>
#include <string_view>

namespace massact {

// InputError naming `path` and the field at fault (e.g. "normalizer_spec.precompiled_charsmap").
void check_sentencepiece_model(std::string_view proto, const std::string& path);

}  // namespace massact
