#include <filesystem>

#include "core/error.h"
#include "tokenizer/sentencepiece_tokenizer.h"
#include "tokenizer/tokenizer.h"

namespace massact {

namespace fs = std::filesystem;

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& model_dir) {
  fs::path dir(model_dir);
  if (fs::exists(dir / "tokenizer.model"))
    return std::make_unique<SentencePieceTokenizer>(
        (dir / "tokenizer.model").string(),
        read_special_token_rules((dir / "tokenizer_config.json").string()));
  throw_input_error(model_dir,
                    ": no tokenizer.model (pass --token-ids to give token ids directly)");
}

}  // namespace massact
