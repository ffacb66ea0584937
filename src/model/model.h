// A loaded model: its spec, its weights (memory-mapped) and the one forward pass that serves every
// architecture, instrumented with hook points (hooks.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "io/tensor_source.h"
#include "kernels/kv_cache.h"
#include "model/hooks.h"
#include "model/model_spec.h"
#include "model/weights.h"
#include "tokenizer/tokenizer.h"

namespace massact {

enum class LogitRows { All, Last, None };

// What a vision transformer gives for one image besides its hook points.
struct ImageOutputs {
  Tensor pooled;  // (d_model,): transformers' pooler_output (VisionSpec::pool)
  Tensor logits;  // (labels,) when the checkpoint has a classifier, else empty
};

class Model {
 public:
  // A Hugging Face model folder or a .gguf file. InputError for anything wrong with it.
  static Model load(const std::string& path);
  Model(std::string path, ModelSpec spec, std::shared_ptr<const TensorSource> source);

  const ModelSpec& spec() const { return spec_; }
  const std::string& path() const { return path_; }
  int64_t parameter_count() const;   // every tensor in the checkpoint
  std::string weight_dtype() const;  // "BF16", or e.g. "BF16+F32" when mixed
  const ModelWeights& weights() const { return weights_; }
  const std::shared_ptr<const TensorSource>& source() const { return source_; }

  // Runs token ids through the model. Returns logits (T, vocab), (1, vocab) or an empty tensor.
  // InputError when an id is outside the vocabulary.
  Tensor forward(const TokenIds& ids, const Hooks& hooks, LogitRows rows = LogitRows::All) const;
  Tensor forward(const TokenIds& ids, LogitRows rows = LogitRows::All) const;
  // Runs ids after the tokens in `cache` (their positions continue from cache.length()),
  // attending to the cached keys and values, and appends theirs; no hooks. cache: KvCache(
  // spec().n_layers, spec().n_kv_heads, spec().head_dim), used with this model only.
  Tensor forward(const TokenIds& ids, KvCache& cache, LogitRows rows) const;
  // -log p(ids[t + 1] | ids[0..t]) for t < T - 1: what forward()'s logits give, without ever
  // holding them all; the vocabulary goes through in panels of vocab_panel entries (0: sized to
  // the weight scratch).
  // InputError for an encoder (non-causal) model, as is the KV-cache forward above
  // (check_causal).
  std::vector<double> next_token_nll(const TokenIds& ids, const Hooks& hooks,
                                     int64_t vocab_panel = 0) const;

  // Runs a vision transformer on pixels (C, H, W), preprocessed (vision/image_processor.h); the
  // token axis of every hook is [class, registers..., patches in row-major order]. InputError
  // for a model without ModelSpec::vision, the wrong channel count, or a size the family cannot
  // fit its positions to.
  ImageOutputs forward_image(const Tensor& pixels, const Hooks& hooks) const;
  // The number of tokens forward_image() runs for these pixels (the same InputErrors).
  int64_t image_tokens(const Tensor& pixels) const;

  // InputError naming the model and `what` ("generate") when some layer is not causal: an
  // encoder, such as a vision transformer, has no next-token distribution.
  void check_causal(const std::string& what) const;

 private:
  // InputError for ids the model cannot run after `past` tokens.
  void check_input(const TokenIds& ids, int64_t past = 0) const;
  PatchGrid check_image(const Tensor& pixels) const;  // the image's patch grid

  std::string path_;
  ModelSpec spec_;
  std::shared_ptr<const TensorSource> source_;
  ModelWeights weights_;
};

}  // namespace massact
