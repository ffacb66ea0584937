// Hugging Face tokenizer.json files (the `tokenizers` library's format), with the BOS/EOS tokens of
// the tokenizer_config.json beside them.
#pragma once

#include <memory>
#include <string>

#include "tokenizer/tokenizer.h"

namespace massact {

// InputError naming the file and the field for malformed files and unsupported components.
std::unique_ptr<Tokenizer> load_hf_tokenizer(const std::string& tokenizer_json_path);

}  // namespace massact
