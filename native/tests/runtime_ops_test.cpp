// Flush-to-zero must reach the threads that run libtorch's kernels, not only the caller.
#include "runtime_ops.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <atomic>

namespace {

TEST(RuntimeOps, FlushDenormalReachesEveryIntraOpThread) {
  const int threads = at::get_num_threads();
  at::set_num_threads(2);
  ASSERT_TRUE(gradroute::set_flush_denormal(true));
  std::atomic<int> flushing{0}, seen{0};
  at::parallel_for(0, 2, 1, [&](int64_t, int64_t) {
    seen += 1;
    if (gradroute::flush_denormal_enabled()) flushing += 1;
  });
  gradroute::set_flush_denormal(false);
  at::set_num_threads(threads);
  EXPECT_EQ(seen.load(), 2) << "the region should run on two threads";
  EXPECT_EQ(flushing.load(), seen.load());
}

}  // namespace
