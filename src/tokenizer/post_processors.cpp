#include "tokenizer/post_processors.h"

#include "core/error.h"
#include "tokenizer/json_components.h"

namespace massact {

namespace {

// The ids of special token `name` in the template's "special_tokens".
TokenIds special_ids(const JsonFields& specials, const std::string& name) {
  JsonFields special = specials.object(name);
  const json& ids = special.raw("ids");
  if (!ids.is_array()) special.fail("ids", "an array of token ids");
  TokenIds out;
  for (const json& id : ids) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX)
      special.fail("ids", "an array of token ids");
    out.push_back(id.get<int32_t>());
  }
  return out;
}

// A template (`key` "single" or "pair") cut at its sequences: the special ids before the first,
// between them, after the last. [{"SpecialToken": {"id": "<s>"}}, {"Sequence": {"id": "A"}}]
// with {"<s>": {"ids": [1]}} gives {[1], []}. The sequences must be A, then B for a pair.
std::vector<TokenIds> template_runs(const JsonFields& f, const std::string& key,
                                    const std::vector<std::string>& sequences) {
  JsonFields specials = f.object("special_tokens");
  std::vector<TokenIds> runs(1);
  const std::vector<JsonFields> items = object_array(f, key);
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].has("Sequence")) {
      const std::string id = items[i].object("Sequence").string("id");
      if (runs.size() > sequences.size() || id != sequences[runs.size() - 1])
        f.fail(key, "a template with the sequences " +
                        std::string(sequences.size() == 1 ? "A once" : "A then B, once each"));
      runs.emplace_back();
      continue;
    }
    const TokenIds ids = special_ids(specials, items[i].object("SpecialToken").string("id"));
    runs.back().insert(runs.back().end(), ids.begin(), ids.end());
  }
  if (runs.size() != sequences.size() + 1)
    f.fail(key, "a template with the sequences " +
                    std::string(sequences.size() == 1 ? "A once" : "A then B, once each"));
  return runs;
}

PostProcessor template_from_json(const JsonFields& f) {
  const std::vector<TokenIds> single = template_runs(f, "single", {"A"});
  PostProcessor p{single[0], single[1], std::nullopt};
  if (f.has("pair")) {
    const std::vector<TokenIds> pair = template_runs(f, "pair", {"A", "B"});
    p.pair = PostProcessor::Pair{pair[0], pair[1], pair[2]};
  }
  return p;
}

// "cls": ["[CLS]", 101] -> 101
int32_t token_pair_id(const JsonFields& f, const std::string& key) {
  const json& pair = f.raw(key);
  if (!pair.is_array() || pair.size() != 2 || !pair[1].is_number_integer() ||
      pair[1].get<int64_t>() < 0 || pair[1].get<int64_t>() > INT32_MAX)
    f.fail(key, "[token, id]");
  return pair[1].get<int32_t>();
}

}  // namespace

PostProcessor post_processor_from_json(const JsonFields& f) {
  const std::string type = f.string("type");
  if (type == "TemplateProcessing") return template_from_json(f);
  if (type == "BertProcessing" || type == "RobertaProcessing") {
    const int32_t cls = token_pair_id(f, "cls"), sep = token_pair_id(f, "sep");
    // BERT: [CLS] A [SEP] B [SEP]; RoBERTa: <s> A </s> </s> B </s>.
    TokenIds middle = type == "BertProcessing" ? TokenIds{sep} : TokenIds{sep, sep};
    return PostProcessor{{cls}, {sep}, PostProcessor::Pair{{cls}, middle, {sep}}};
  }
  if (type == "ByteLevel") return PostProcessor{{}, {}, PostProcessor::Pair{}};
  if (type == "Sequence") {
    // Each step wraps what the previous ones made.
    PostProcessor all{{}, {}, PostProcessor::Pair{}};
    for (const JsonFields& step : object_array(f, "processors")) {
      PostProcessor p = post_processor_from_json(step);
      all.before.insert(all.before.begin(), p.before.begin(), p.before.end());
      all.after.insert(all.after.end(), p.after.begin(), p.after.end());
      if (!all.pair || !p.pair) {
        all.pair.reset();
        continue;
      }
      all.pair->before.insert(all.pair->before.begin(), p.pair->before.begin(),
                              p.pair->before.end());
      all.pair->middle.insert(all.pair->middle.end(), p.pair->middle.begin(), p.pair->middle.end());
      all.pair->after.insert(all.pair->after.end(), p.pair->after.begin(), p.pair->after.end());
    }
    return all;
  }
  f.fail("type",
         "one of TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence");
}

}  // namespace massact
