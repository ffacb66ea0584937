// Ctrl-C during a forward pass or a study. The engine runs with the GIL released, so Python's
// signal handler only sets a flag; the engine's callbacks (a hook point per layer, a study's
// progress per sequence) call this to look at it.
#pragma once

namespace massact::python {

// Takes the GIL and runs Python's pending signal handlers; throws pybind11::error_already_set
// (KeyboardInterrupt after Ctrl-C) when one raises, which unwinds the engine back to Python.
void raise_if_interrupted();

}  // namespace massact::python
