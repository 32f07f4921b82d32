// Process-wide libtorch settings the preset does not bind: flush-to-zero and the build
// configuration. Compiled into the same JNI module as the routing ops.
#pragma once

#include <string>

namespace gradroute {

// Turns flush-to-zero and denormals-are-zero on (or off) for the calling thread and for every
// thread of libtorch's intra-op pool. MXCSR is per thread; threads started later inherit it
// from the thread that starts them. Returns false when the CPU has no such mode.
bool set_flush_denormal(bool on);

// The same for the calling thread only (cheap: two MXCSR accesses).
bool set_flush_denormal_on_this_thread(bool on);

// Whether the calling thread flushes denormals now (reads its MXCSR FTZ and DAZ bits).
bool flush_denormal_enabled();

// libtorch's build description, as torch.__config__.show() prints it (BLAS, MKL-DNN, OpenMP...).
std::string torch_build_config();

// Whether this libtorch was built with oneDNN (MKL-DNN) for CPU ops.
bool torch_has_mkldnn();

}  // namespace gradroute
