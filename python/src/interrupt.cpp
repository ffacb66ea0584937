#include "interrupt.h"

#include <pybind11/pybind11.h>

namespace massact::python {

void raise_if_interrupted() {
  pybind11::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) throw pybind11::error_already_set();
}

}  // namespace massact::python
