// config.json -> ModelSpec, one family per file. The registry maps a config's model_type to its
// family; a type it does not know is an InputError that lists the supported ones.
#pragma once

#include <string>
#include <vector>

#include "io/gguf.h"
#include "io/json_file.h"
#include "io/tensor_source.h"
#include "model/model_spec.h"

namespace massact {

ModelSpec spec_from_config(const json& config, const std::string& config_path);
std::vector<std::string> supported_model_types();

// Fields that several families read alike (llama.cpp): rope_theta and rope_scaling; a token id or
// a list of them (the first is taken).
RopeSpec read_rope(const JsonFields& config);
std::optional<int32_t> optional_token_id(const JsonFields& config, const std::string& key);
// An activation by its Hugging Face name (hidden_act, activation_function, ...).
Activation read_activation(const JsonFields& config, const std::string& key,
                           const std::string& fallback);
// LLaMA's sizes, RoPE, names and token ids without its SiLU check: the base of Gemma and Mixtral.
ModelSpec llama_shape(const JsonFields& config);
// The sizes and head counts read consistently: head_dim = d_model / n_heads, KV heads divide heads.
void check_heads(const JsonFields& config, const ModelSpec& spec);

// Gemma-2 without its window pattern: the base of Gemma-3.
ModelSpec gemma2_shape(const JsonFields& config);

// The families (arch/*.cpp).
ModelSpec llama_spec(const JsonFields& config);
ModelSpec mistral_spec(const JsonFields& config);
ModelSpec qwen2_spec(const JsonFields& config);
ModelSpec gpt2_spec(const JsonFields& config);
ModelSpec gpt_neox_spec(const JsonFields& config);
ModelSpec phi_spec(const JsonFields& config);
ModelSpec opt_spec(const JsonFields& config);
ModelSpec gemma_spec(const JsonFields& config);
ModelSpec gemma2_spec(const JsonFields& config);
ModelSpec gemma3_spec(const JsonFields& config);
ModelSpec falcon_spec(const JsonFields& config);
ModelSpec mpt_spec(const JsonFields& config);
ModelSpec mixtral_spec(const JsonFields& config);

}  // namespace massact

namespace massact {

// GGUF metadata (general.architecture and its "<arch>.*" keys) -> ModelSpec with the file's
// tensor names (token_embd.weight, blk.{i}.attn_q.weight, ...); `tensors` answers what the keys
// leave out (vocabulary size, tied output). InputError naming the file and key, or listing the
// supported architectures. arch/gguf.cpp.
ModelSpec spec_from_gguf(const GgufFile& gguf, const TensorSource& tensors);
std::vector<std::string> supported_gguf_architectures();

}  // namespace massact
