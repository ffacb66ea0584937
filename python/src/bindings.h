// The parts of the module (_massact), one file each; module.cpp puts them together. The module is a
// thin shell over the library and the CLI's commands: it converts, it does not compute.
#pragma once

#include <pybind11/pybind11.h>

namespace massact::python {

void bind_errors(pybind11::module_& m);     // errors.cpp: InputError, InternalError
void bind_tokenizer(pybind11::module_& m);  // tokenizer.cpp: Tokenizer
void bind_model(pybind11::module_& m);      // model.cpp: Model, load, forward
void bind_commands(pybind11::module_& m);   // commands.cpp: run_command (the studies' JSON)

}  // namespace massact::python
