// massact.load(path) and the model's one hooked forward pass, from which massact.Model (in
// python/massact/__init__.py) makes run_with_cache and run_with_hooks:
//   forward(tokens (B, T) int32, cache globs, hooks [(glob, fn)]) -> (logits (B, T, vocab), cache)
// Each sequence of the batch runs on its own through Model::forward with the GIL released; cached
// hook points and logits come back with a leading batch axis, as in TransformerLens.
#include <pybind11/stl.h>

#include <map>

#include "arrays.h"
#include "bindings.h"
#include "cli/common.h"
#include "core/error.h"
#include "interrupt.h"
#include "model/hooks.h"

namespace py = pybind11;

namespace massact::python {

namespace {

using cli::LoadedModel;

// (B, T) int32 token ids, one TokenIds per row; InputError unless 2-D and non-empty.
std::vector<TokenIds> token_rows(const py::array_t<int32_t, py::array::c_style>& tokens) {
  if (tokens.ndim() != 2 || tokens.shape(0) == 0 || tokens.shape(1) == 0)
    throw_input_error("tokens: expected a non-empty (batch, tokens) array of token ids, got shape ",
                      shape_str(Shape(tokens.shape(), tokens.shape() + tokens.ndim())));
  std::vector<TokenIds> rows;
  for (py::ssize_t b = 0; b < tokens.shape(0); ++b)
    rows.emplace_back(tokens.data(b, 0), tokens.data(b, 0) + tokens.shape(1));
  return rows;
}

// The (B, ...) tensors of the cached hook points, filled one sequence at a time as they go by (the
// pass reuses its buffers, so each is copied once, into its row of the batch).
class BatchCache {
 public:
  explicit BatchCache(int64_t batch) : batch_(batch) {}

  void store(const std::string& name, int64_t b, const Tensor& t) {
    auto [it, added] = tensors_.try_emplace(name);
    if (added) {
      Shape shape{batch_};
      shape.insert(shape.end(), t.shape().begin(), t.shape().end());
      it->second = Tensor::zeros(DType::F32, shape);
      order_.push_back(name);
    }
    std::copy(t.f32(), t.f32() + t.numel(), it->second.f32() + b * t.numel());
  }
  // name -> array, in forward order; the arrays are the tensors themselves (no copy).
  py::dict to_dict() const {
    py::dict out;
    for (const auto& name : order_) out[py::str(name)] = to_numpy(tensors_.at(name));
    return out;
  }

 private:
  int64_t batch_;
  std::map<std::string, Tensor> tensors_;
  std::vector<std::string> order_;
};

// A Python hook as an editor: it gets a copy of the point with a batch axis of 1 (an array that
// may outlive the call), and what it returns, or the copy as it left it, goes back into the pass.
// `fn` outlives the pass and is only touched with the GIL held.
HookEditor python_editor(const py::function* fn) {
  return [fn](const HookEvent& e, Tensor& t) {
    py::gil_scoped_acquire gil;
    Shape shape{1};
    shape.insert(shape.end(), t.shape().begin(), t.shape().end());
    py::array_t<float> view = copy_to_numpy(t, shape);
    py::object out = (*fn)(view, e.name);
    copy_from_numpy(out.is_none() ? py::handle(view) : py::handle(out), t, shape,
                    "hook on '" + e.name + "' returned");
  };
}

py::tuple forward(const LoadedModel& m, const py::array_t<int32_t, py::array::c_style>& tokens,
                  const std::vector<std::string>& cache_globs,
                  const std::vector<std::pair<std::string, py::function>>& editors) {
  const std::vector<TokenIds> rows = token_rows(tokens);
  m.check_length(int64_t(rows[0].size()), "tokens");
  const auto batch = int64_t(rows.size());
  int64_t b = 0;  // the sequence running
  BatchCache cache(batch);
  Hooks hooks;
  for (const auto& [glob, fn] : editors) hooks.edit(glob, python_editor(&fn));
  for (const auto& glob : cache_globs)
    hooks.observe(glob, [&](const HookEvent& e, const Tensor& t) { cache.store(e.name, b, t); });
  // Ctrl-C is looked at once per layer.
  hooks.observe("blocks.*.hook_resid_post",
                [](const HookEvent&, const Tensor&) { raise_if_interrupted(); });
  Tensor logits;  // (B, T, vocab)
  {
    py::gil_scoped_release release;
    for (b = 0; b < batch; ++b) {
      Tensor row = m.model.forward(rows[size_t(b)], hooks, LogitRows::All);  // (T, vocab)
      if (batch == 1) {
        logits = row.reshaped({1, row.dim(0), row.dim(1)});  // no copy
        break;
      }
      if (logits.empty()) logits = Tensor::zeros(DType::F32, {batch, row.dim(0), row.dim(1)});
      std::copy(row.f32(), row.f32() + row.numel(), logits.f32() + b * row.numel());
    }
  }
  return py::make_tuple(to_numpy(logits), cache.to_dict());
}

}  // namespace

void bind_model(py::module_& m) {
  py::class_<LoadedModel, std::shared_ptr<LoadedModel>>(m, "NativeModel")
      .def_property_readonly("path", [](const LoadedModel& l) { return l.model.path(); })
      .def_property_readonly(
          "tokenizer",
          [](const LoadedModel& l) { return std::const_pointer_cast<Tokenizer>(l.tokenizer); })
      .def_property_readonly("hook_names",
                             [](const LoadedModel& l) { return all_hook_names(l.model.spec()); })
      .def_readwrite("allow_long_context", &LoadedModel::allow_long_context)
      .def("forward", &forward, py::arg("tokens"), py::arg("cache"), py::arg("hooks"));
  m.def(
      "load",
      [](const std::string& path) {
        return std::make_shared<LoadedModel>(cli::load_model(path, false));
      },
      py::arg("path"), py::call_guard<py::gil_scoped_release>(),
      "A Hugging Face model folder or a .gguf file, with its tokenizer when it has one");
}

}  // namespace massact::python
