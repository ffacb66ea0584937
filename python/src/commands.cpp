// The studies from Python: a command of the CLI run in-process on a loaded model
// (cli::run_embedded), so that its dict is the JSON that `massact COMMAND ... --json` prints, made
// by the same code. python/massact/__init__.py turns keyword arguments into the command's options.
#include <pybind11/stl.h>

#include "bindings.h"
#include "cli/common.h"
#include "core/error.h"
#include "interrupt.h"
#include "report/result_json.h"

namespace py = pybind11;

namespace massact::python {

namespace {

// args: the command and its options after MODEL, e.g. {"scan", "--prompt", "Hi"}.
py::object run_command(const cli::LoadedModel& m, std::vector<std::string> args) {
  if (args.empty()) throw InputError("run_command: expected a command, got nothing");
  args.insert(args.begin() + 1, m.model.path());
  cli::EmbeddedRun run;
  run.model = &m;
  // Ctrl-C is looked at once per sequence of a study (its progress).
  run.progress = [](int64_t, int64_t) { raise_if_interrupted(); };
  std::string text;
  {
    py::gil_scoped_release release;
    text = json_text(cli::run_embedded(args, run), -1);
  }
  // Through the JSON text, exactly as --json prints it (invalid UTF-8 already replaced).
  return py::module_::import("json").attr("loads")(text);
}

}  // namespace

void bind_commands(py::module_& m) {
  m.def("run_command", &run_command, py::arg("model"), py::arg("args"),
        "The JSON result of `massact ARGS[0] MODEL ARGS[1:] --json`, as a dict");
}

}  // namespace massact::python
