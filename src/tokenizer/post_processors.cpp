#include "tokenizer/post_processors.h"

#include "core/error.h"
#include "tokenizer/json_components.h"

namespace massact {

namespace {

// {"single": [{"SpecialToken": {"id": "<s>"}}, {"Sequence": {"id": "A"}}], "special_tokens":
// {"<s>": {"ids": [1]}}}: the special tokens' ids on either side of the sequence.
PostProcessor template_from_json(const JsonFields& f) {
  PostProcessor p;
  JsonFields specials = f.object("special_tokens");
  bool seen_sequence = false;
  for (const JsonFields& item : object_array(f, "single")) {
    if (item.has("Sequence")) {
      seen_sequence = true;
      continue;
    }
    const std::string name = item.object("SpecialToken").string("id");
    JsonFields special = specials.object(name);
    const json& ids = special.raw("ids");
    if (!ids.is_array()) special.fail("ids", "an array of token ids");
    for (const json& id : ids) {
      if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX)
        special.fail("ids", "an array of token ids");
      (seen_sequence ? p.after : p.before).push_back(id.get<int32_t>());
    }
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
  if (type == "BertProcessing" || type == "RobertaProcessing")
    return PostProcessor{{token_pair_id(f, "cls")}, {token_pair_id(f, "sep")}};
  if (type == "ByteLevel") return PostProcessor{};
  if (type == "Sequence") {
    PostProcessor all;
    for (const JsonFields& step : object_array(f, "processors")) {
      PostProcessor p = post_processor_from_json(step);
      all.before.insert(all.before.begin(), p.before.begin(), p.before.end());
      all.after.insert(all.after.end(), p.after.begin(), p.after.end());
    }
    return all;
  }
  f.fail("type",
         "one of TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence");
}

}  // namespace massact
