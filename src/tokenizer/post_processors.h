// Post-processors: the special tokens around an encoded sequence (BOS/EOS, [CLS]/[SEP]), as
// Hugging Face adds them with add_special_tokens=True, for one sequence or a pair.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "io/json_file.h"
#include "tokenizer/tokenizer.h"

namespace massact {

// The ids that go before and after the sequence; every supported post-processor reduces to this.
// A pair of sequences A, B becomes pair.before A pair.middle B pair.after.
struct PostProcessor {
  TokenIds before;
  TokenIds after;
  struct Pair {
    TokenIds before, middle, after;
  };
  std::optional<Pair> pair;  // absent: the tokenizer does not say how to join two sequences

  void apply(TokenIds& ids) const {
    ids.insert(ids.begin(), before.begin(), before.end());
    ids.insert(ids.end(), after.begin(), after.end());
  }
};

// TemplateProcessing (its "single" and "pair" templates), BertProcessing, RobertaProcessing,
// ByteLevel (adds nothing) and Sequence of these. InputError names the field for anything else.
PostProcessor post_processor_from_json(const JsonFields& fields);

}  // namespace massact
