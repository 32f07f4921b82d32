// libtorch's own (Kineto) profiler of CPU ops, driven from Java through gradroute.profile.Profiler.
#pragma once

#include <string>

namespace gradroute {

// Starts recording every libtorch op (forward and autograd backward) run on the calling thread.
// Throws std::runtime_error when a profile is already running.
void profiler_start(bool record_shapes);

// Stops recording. Writes the Chrome trace (chrome://tracing, Perfetto) to trace_path unless it is
// empty, and returns one line per CPU op event, tab-separated:
//   name  thread_id  start_ns  end_ns  input_shapes
// with input_shapes written as [[d0, d1], [], ...] (empty when shapes were not recorded).
std::string profiler_stop(const std::string& trace_path);

// Whether a profile started by profiler_start is running.
bool profiler_running();

}  // namespace gradroute
