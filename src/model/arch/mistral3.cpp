// Mistral 3 (Mistral-Small-3.1, Mistral3ForConditionalGeneration): a vision encoder and projector
// in front of a Mistral text model. massact runs the text model: text_config read as Mistral's,
// its weights under language_model. (as transformers 4.50-4.51 save them; a checkpoint whose text
// weights carry Mistral's own names is read too). The vision weights are left unread.
#include "model/arch/arch.h"

namespace massact {

namespace {

void prefix_all(TensorNames& n, const std::string& prefix) {
  for (std::string* name : {&n.embed, &n.final_norm, &n.lm_head, &n.attn_norm, &n.q, &n.k, &n.v,
                            &n.o, &n.mlp_norm, &n.gate, &n.up, &n.down})
    *name = prefix + *name;
  n.optional_prefix = prefix;
}

}  // namespace

ModelSpec mistral3_spec(const JsonFields& config) {
  const JsonFields text = config.object("text_config");
  // Ministral-3's text model (model_type ministral3: YaRN, attention temperature) is another
  // layout.
  if (text.string("model_type") != "mistral")
    text.fail("model_type", "\"mistral\" (the text model of Mistral-Small-3.1)");
  ModelSpec spec = mistral_spec(text);
  spec.family = "mistral3";
  // transformers leaves Mistral's default token ids out of text_config; the top level states them.
  if (!spec.bos_token_id) spec.bos_token_id = optional_token_id(config, "bos_token_id");
  if (!spec.eos_token_id) spec.eos_token_id = optional_token_id(config, "eos_token_id");
  prefix_all(spec.names, "language_model.");
  return spec;
}

}  // namespace massact
