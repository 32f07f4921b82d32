// Support for gradroute's benchmarks, compiled into the same JNI module as the routing ops.
#pragma once

#include <malloc.h>

namespace gradroute {

// Hands every free page of the C heap back to the OS (malloc_trim also releases free chunks in the
// middle of the heap). Measured right after it, the growth of peak resident memory (VmHWM) is the
// memory an operation really touches, not what the allocator happened to have cached.
inline bool release_free_heap() { return malloc_trim(0) == 1; }

}  // namespace gradroute
