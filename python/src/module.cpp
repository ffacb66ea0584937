// _massact: the compiled half of `import massact` (python/massact/__init__.py is the other).
#include <pybind11/pybind11.h>

#include "bindings.h"
#include "core/error.h"
#include "kernels/gemm.h"
#include "kernels/linear.h"
#include "kernels/threads.h"
#include "report/result_json.h"

namespace py = pybind11;

PYBIND11_MODULE(_massact, m) {
  m.doc() = "massact's engine: models, tokenizers, hooked forward passes and the studies";
  m.attr("__version__") = massact::kMassactVersion;
  massact::python::bind_errors(m);
  massact::python::bind_tokenizer(m);
  massact::python::bind_model(m);
  massact::python::bind_commands(m);
  // The CLI's global options --threads, --gemm and --compute.
  m.def(
      "set_threads",
      [](int threads) {
        if (threads < 0 || threads > massact::hardware_threads())
          massact::throw_input_error("set_threads: expected 0..", massact::hardware_threads(),
                                     " (the online CPUs; 0: all), got ", threads);
        massact::set_num_threads(threads);
      },
      py::arg("threads"), "Threads for BLAS and massact's own loops (0: all cores), as --threads");
  m.def(
      "set_gemm",
      [](const std::string& name) {
        if (name == massact::gemm_backend_name(massact::GemmBackend::OpenBlas))
          massact::set_gemm_backend(massact::GemmBackend::OpenBlas);
        else if (name == massact::gemm_backend_name(massact::GemmBackend::OneDnn))
          massact::set_gemm_backend(massact::GemmBackend::OneDnn);
        else
          throw massact::InputError("set_gemm: expected 'onednn' or 'openblas', got '" + name +
                                    "'");
      },
      py::arg("backend"), "Matrix-product backend, as --gemm: 'onednn' or 'openblas'");
  m.def(
      "set_compute",
      [](const std::string& name) {
        if (name == massact::compute_name(massact::Compute::F32))
          massact::set_compute(massact::Compute::F32);
        else if (name == massact::compute_name(massact::Compute::Bf16))
          massact::set_compute(massact::Compute::Bf16);
        else
          throw massact::InputError("set_compute: expected 'f32' or 'bf16', got '" + name + "'");
      },
      py::arg("precision"),
      "Precision of the linear layers' products, as --compute: 'f32' or 'bf16'");
}
