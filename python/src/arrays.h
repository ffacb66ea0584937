// Tensors <-> numpy arrays.
#pragma once

#include <pybind11/numpy.h>

#include "core/tensor.h"

namespace massact::python {

// A float32 or int32 tensor as a numpy array over the same bytes (no copy), which keeps the
// tensor's storage alive. Needs the GIL.
pybind11::array to_numpy(const Tensor& t);

// A float32 numpy array of `t`'s shape with `t`'s values.
pybind11::array_t<float> copy_to_numpy(const Tensor& t, const Shape& shape);

// Copies `values` (anything numpy converts to float32, of `t`'s numel) into `t`; InputError naming
// `what` when its shape is not `shape`.
void copy_from_numpy(const pybind11::handle& values, Tensor& t, const Shape& shape,
                     const std::string& what);

}  // namespace massact::python
