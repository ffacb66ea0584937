// C++ errors as Python exceptions, with the message the CLI prints:
//   InputError (bad input or usage; the CLI's exit 2) -> massact.InputError, a ValueError;
//   a filesystem error on a path the user gave       -> massact.InputError, named by the path;
//   anything else (a bug in massact; the CLI's exit 1) -> massact.InternalError, a RuntimeError.
// Python's own errors raised in a hook (KeyboardInterrupt included) pass through unchanged.
#include <filesystem>
#include <new>

#include "bindings.h"
#include "core/error.h"

namespace py = pybind11;

namespace massact::python {

void bind_errors(py::module_& m) {
  static py::exception<InputError> input_error(m, "InputError", PyExc_ValueError);
  static py::exception<std::exception> internal_error(m, "InternalError", PyExc_RuntimeError);
  input_error.doc() = "Bad input or usage: the message names the file, field or option";
  internal_error.doc() = "An internal error in massact (a bug, please report it)";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      input_error(e.what());
    } catch (const std::filesystem::filesystem_error& e) {
      input_error((e.path1().string() + ": " + e.code().message()).c_str());
    } catch (const py::builtin_exception&) {
      throw;  // pybind11's own (a wrong argument type): its TypeError or ValueError
    } catch (const py::error_already_set&) {
      throw;
    } catch (const std::bad_alloc&) {
      throw;  // MemoryError
    } catch (const std::exception& e) {
      internal_error(
          (std::string("internal error (a bug, please report it): ") + e.what()).c_str());
    }
  });
}

}  // namespace massact::python
