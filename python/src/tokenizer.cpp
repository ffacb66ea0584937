// massact.Tokenizer: the model's own tokenizer (tokenizer.json, tokenizer.model or the GGUF
// vocabulary), as the CLI encodes: with the BOS/EOS that the model's tokenizer config adds.
#include "tokenizer/tokenizer.h"

#include <pybind11/stl.h>

#include "bindings.h"

namespace py = pybind11;

namespace massact::python {

void bind_tokenizer(py::module_& m) {
  py::class_<Tokenizer, std::shared_ptr<Tokenizer>>(m, "Tokenizer")
      .def("encode", &Tokenizer::encode, py::arg("text"), py::arg("with_special") = true,
           py::call_guard<py::gil_scoped_release>(),
           "Token ids of `text`, with BOS/EOS as the model's tokenizer config says (as --prompt)")
      .def("decode", &Tokenizer::decode, py::arg("ids"), py::call_guard<py::gil_scoped_release>())
      .def("token_text", &Tokenizer::token_text, py::arg("id"),
           "The text a token stands for, as the CLI's tables show it")
      .def_property_readonly("vocab_size", &Tokenizer::vocab_size)
      .def_property_readonly("bos_id", &Tokenizer::bos_id)
      .def_property_readonly("eos_id", &Tokenizer::eos_id)
      .def("__repr__",
           [](const Tokenizer& t) { return "<massact.Tokenizer " + t.describe() + ">"; });
}

}  // namespace massact::python
