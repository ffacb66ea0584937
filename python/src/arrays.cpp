#include "arrays.h"

#include <algorithm>

#include "core/error.h"

namespace py = pybind11;

namespace massact::python {

py::array to_numpy(const Tensor& t) {
  if (t.dtype() != DType::F32 && t.dtype() != DType::I32)
    throw std::logic_error("to_numpy: only float32 and int32 tensors reach Python");
  // The capsule owns a copy of the tensor, which shares (and so keeps alive) its bytes.
  auto* owner = new Tensor(t);
  py::capsule keepalive(owner, [](void* p) { delete static_cast<Tensor*>(p); });
  const py::dtype dtype =
      t.dtype() == DType::F32 ? py::dtype::of<float>() : py::dtype::of<int32_t>();
  return py::array(dtype, std::vector<py::ssize_t>(t.shape().begin(), t.shape().end()),
                   owner->raw(), keepalive);
}

py::array_t<float> copy_to_numpy(const Tensor& t, const Shape& shape) {
  py::array_t<float> out(std::vector<py::ssize_t>(shape.begin(), shape.end()));
  std::copy(t.f32(), t.f32() + t.numel(), out.mutable_data());
  return out;
}

void copy_from_numpy(const py::handle& values, Tensor& t, const Shape& shape,
                     const std::string& what) {
  auto array = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(values);
  if (!array) {
    PyErr_Clear();  // ensure() left numpy's error set; ours replaces it
    throw_input_error(what, ": expected an array of numbers, got ",
                      py::str(values.get_type()).cast<std::string>());
  }
  const Shape got(array.shape(), array.shape() + array.ndim());
  if (got != shape)
    throw_input_error(what, ": expected an array of shape ", shape_str(shape), ", got ",
                      shape_str(got));
  std::copy(array.data(), array.data() + t.numel(), t.f32());
}

}  // namespace massact::python
