#include "runtime_ops.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
#endif

namespace gradroute {

bool set_flush_denormal(bool on) {
  bool supported = at::globalContext().setFlushDenormal(on);
  if (!supported) return false;
  // One index per pool thread: with a grain of 1 libtorch's OpenMP backend gives each thread of
  // the pool exactly one chunk, so each sets its own MXCSR.
  int64_t threads = at::get_num_threads();
  at::parallel_for(0, threads, 1, [on](int64_t, int64_t) { at::globalContext().setFlushDenormal(on); });
  return true;
}

bool set_flush_denormal_on_this_thread(bool on) { return at::globalContext().setFlushDenormal(on); }

bool flush_denormal_enabled() {
#if defined(__x86_64__) || defined(_M_X64)
  constexpr unsigned int ftz = 0x8000, daz = 0x0040;
  return (_mm_getcsr() & (ftz | daz)) == (ftz | daz);
#else
  return false;
#endif
}

std::string torch_build_config() { return at::show_config(); }

bool torch_has_mkldnn() { return at::hasMKLDNN(); }

}  // namespace gradroute
