// Post-processors: the special tokens around an encoded sequence (BOS/EOS, [CLS]/[SEP]), as
// Hugging Face adds them with add_special_tokens=True. Single sequences only.
#pragma once

#include <memory>
#include <vector>

#include "io/json_file.h"
#include "tokenizer/tokenizer.h"

namespace massact {

// The ids that go before and after the sequence; every supported post-processor reduces to this.
struct PostProcessor {
  TokenIds before;
  TokenIds after;

  void apply(TokenIds& ids) const {
    ids.insert(ids.begin(), before.begin(), before.end());
    ids.insert(ids.end(), after.begin(), after.end());
  }
};

// TemplateProcessing (its "single" template), BertProcessing, RobertaProcessing, ByteLevel (adds
// nothing) and Sequence of these. InputError names the field for anything else.
PostProcessor post_processor_from_json(const JsonFields& fields);

}  // namespace massact
