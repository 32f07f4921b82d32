// Tests of the split linear layer against libtorch's own: at::linear for the [out, in] layout,
// at::matmul + add for [in, out], forward and every gradient. Split products must equal the
// reference up to float rounding; unsplit ones (one thread, small products) bit for bit.
#include "linear_ops.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using gradroute::linear;
using gradroute::linear_splits;
using gradroute::split_mm;

struct Result {
  at::Tensor y, gx, gw, gb;
};

struct Case {
  std::vector<int64_t> x_shape;
  int64_t in, out;
  bool weight_out_in, bias;
};

// Runs f(x, w, b) forward and backward with the same seeded inputs and upstream gradient.
template <typename F>
Result run(const Case& c, F f) {
  torch::manual_seed(11);
  at::Tensor x = torch::randn(c.x_shape).requires_grad_(true);
  at::Tensor w = (c.weight_out_in ? torch::randn({c.out, c.in}) : torch::randn({c.in, c.out})).mul_(0.05).requires_grad_(true);
  at::Tensor b = c.bias ? torch::randn({c.out}).requires_grad_(true) : at::Tensor();
  at::Tensor y = f(x, w, b);
  y.backward(torch::randn(y.sizes()));
  return {y.detach(), x.grad(), w.grad(), c.bias ? b.grad() : at::Tensor()};
}

Result reference(const Case& c) {
  return run(c, [&](const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
    if (c.weight_out_in) return at::linear(x, w, c.bias ? std::optional<at::Tensor>(b) : std::nullopt);
    at::Tensor y = at::matmul(x, w);
    return c.bias ? y.add(b) : y;
  });
}

Result split(const Case& c) {
  return run(c, [&](const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) { return linear(x, w, b, c.weight_out_in); });
}

void expect_close(const at::Tensor& a, const at::Tensor& b, const std::string& what) {
  ASSERT_TRUE(a.defined() && b.defined()) << what;
  ASSERT_EQ(a.sizes(), b.sizes()) << what;
  EXPECT_TRUE(torch::allclose(a, b, 1e-4, 1e-4)) << what << ": max difference " << (a - b).abs().max().item<double>();
}

void expect_equal(const at::Tensor& a, const at::Tensor& b, const std::string& what) {
  ASSERT_TRUE(a.defined() && b.defined()) << what;
  EXPECT_TRUE(at::equal(a, b)) << what << ": max difference " << (a - b).abs().max().item<double>();
}

// Large enough to split on two threads: rows * in * out >= 2^24.
const std::vector<Case> kSplitCases = {
    {{256, 784}, 784, 512, true, true},    // the MNIST encoder's first layer
    {{256, 512}, 512, 784, true, false},
    {{4, 512, 64}, 64, 256, false, true},  // a GPT MLP's W_in, [batch, context, d]
    {{4, 512, 256}, 256, 64, false, false},
};

// gradroute runs OpenBLAS single-threaded (TorchRuntime); the test process sets it the same way.
void set_blas_threads(int n) {
  void* lib = dlopen("libopenblas.so.0", RTLD_LAZY | RTLD_NOLOAD);
  ASSERT_NE(lib, nullptr) << "libopenblas.so.0 is not loaded";
  auto set = reinterpret_cast<void (*)(int)>(dlsym(lib, "openblas_set_num_threads"));
  ASSERT_NE(set, nullptr);
  set(n);
}

class LinearOps : public ::testing::Test {
 protected:
  void SetUp() override {
    threads_ = at::get_num_threads();
    set_blas_threads(1);
  }
  void TearDown() override { at::set_num_threads(threads_); }
  int threads_ = 1;
};

TEST_F(LinearOps, SplitProductsEqualLibtorchsLinearUpToRounding) {
  at::set_num_threads(2);
  for (const Case& c : kSplitCases) {
    const int64_t rows = c.x_shape.size() == 2 ? c.x_shape[0] : c.x_shape[0] * c.x_shape[1];
    ASSERT_TRUE(linear_splits(rows, c.in, c.out)) << "case " << c.in << "x" << c.out << " should split";
    Result r = reference(c), s = split(c);
    const std::string name = std::to_string(c.in) + "x" + std::to_string(c.out) + (c.weight_out_in ? " [out,in]" : " [in,out]");
    expect_close(s.y, r.y, name + " output");
    expect_close(s.gx, r.gx, name + " grad x");
    expect_close(s.gw, r.gw, name + " grad weight");
    if (c.bias) expect_close(s.gb, r.gb, name + " grad bias");
  }
}

// The tied unembedding: the [in, out] weight is a transposed view of the embedding [vocab, d].
TEST_F(LinearOps, ATransposedViewWeightGetsItsGradientThroughTheView) {
  at::set_num_threads(2);
  ASSERT_TRUE(linear_splits(4 * 512, 64, 1000));
  auto run_with = [](bool split) {
    torch::manual_seed(13);
    at::Tensor embed = torch::randn({1000, 64}).mul_(0.05).requires_grad_(true);
    at::Tensor x = torch::randn({4, 512, 64}).requires_grad_(true);
    at::Tensor y = split ? linear(x, embed.t(), at::Tensor(), false) : at::matmul(x, embed.t());
    y.backward(torch::randn(y.sizes()));
    return std::vector<at::Tensor>{y.detach(), x.grad(), embed.grad()};
  };
  std::vector<at::Tensor> r = run_with(false), s = run_with(true);
  expect_close(s[0], r[0], "logits");
  expect_close(s[1], r[1], "grad x");
  expect_close(s[2], r[2], "grad of the embedding");
}

TEST_F(LinearOps, OneThreadIsLibtorchsOwnLinearBitForBit) {
  at::set_num_threads(1);
  for (const Case& c : kSplitCases) {
    Result r = reference(c), s = split(c);
    expect_equal(s.y, r.y, "output");
    expect_equal(s.gx, r.gx, "grad x");
    expect_equal(s.gw, r.gw, "grad weight");
    if (c.bias) expect_equal(s.gb, r.gb, "grad bias");
  }
}

TEST_F(LinearOps, SmallProductsAreNotSplit) {
  at::set_num_threads(2);
  EXPECT_FALSE(linear_splits(256, 128, 32));
  EXPECT_TRUE(linear_splits(256, 784, 512));
  Case small{{256, 128}, 128, 32, true, true};
  Result r = reference(small), s = split(small);
  expect_equal(s.y, r.y, "output");
  expect_equal(s.gw, r.gw, "grad weight");
}

TEST_F(LinearOps, SpinningPoolThreadsSplitSmallerProducts) {
  const char* spin = std::getenv("GOMP_SPINCOUNT");
  if (spin == nullptr || std::string(spin) != "5000") GTEST_SKIP() << "needs GOMP_SPINCOUNT=5000, as cppbuild.sh sets";
  at::set_num_threads(2);
  EXPECT_EQ(gradroute::split_multiply_adds(), gradroute::kSplitMultiplyAddsSpinning);
  EXPECT_TRUE(linear_splits(2048, 64, 64));   // a TinyStories attention projection, 2^23
  EXPECT_FALSE(linear_splits(256, 128, 32));  // 2^20
}

TEST_F(LinearOps, NoSplitInsideAParallelRegion) {
  at::set_num_threads(2);
  bool inside = true;
  at::parallel_for(0, 2, 1, [&](int64_t, int64_t) {
    if (at::in_parallel_region()) inside = inside && !linear_splits(256, 784, 512);
  });
  EXPECT_TRUE(inside);
}

TEST_F(LinearOps, NoSplitWhileOpenBlasRunsSeveralThreads) {
  at::set_num_threads(2);
  ASSERT_EQ(gradroute::blas_threads(), 1);
  EXPECT_TRUE(linear_splits(256, 784, 512));
  set_blas_threads(2);
  EXPECT_EQ(gradroute::blas_threads(), 2);
  EXPECT_FALSE(linear_splits(256, 784, 512));
  set_blas_threads(1);
}

TEST_F(LinearOps, SplitMmEqualsMmUpToRoundingForTransposedViews) {
  at::set_num_threads(2);
  torch::manual_seed(3);
  at::Tensor a = torch::randn({784, 256}).t();  // [256, 784], column-major view
  at::Tensor b = torch::randn({784, 512});
  at::Tensor out = split_mm(a, b);
  expect_close(out, at::mm(a, b), "split_mm");
  EXPECT_TRUE(out.is_contiguous());
}

TEST_F(LinearOps, NoGraphThroughSplitMm) {
  at::set_num_threads(2);
  at::Tensor a = torch::randn({256, 784}).requires_grad_(true);
  EXPECT_FALSE(split_mm(a, torch::randn({784, 512})).requires_grad());
}

TEST_F(LinearOps, BadShapesAndTypesNameWhatIsWrong) {
  auto message = [](auto f) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  at::Tensor x = torch::randn({8, 5});
  EXPECT_NE(message([&] { linear(x, torch::randn({3, 4}), at::Tensor(), true); }).find("x's last dimension is 5"), std::string::npos);
  EXPECT_NE(message([&] { linear(x, torch::randn({5}), at::Tensor(), true); }).find("weight must be 2-D"), std::string::npos);
  EXPECT_NE(message([&] { linear(x, torch::randn({3, 5}), torch::randn({4}), true); }).find("bias must be 1-D of size 3"), std::string::npos);
  EXPECT_NE(message([&] { linear(x, torch::randn({3, 5}, torch::kDouble), at::Tensor(), true); }).find("weight is Double"),
            std::string::npos);
  EXPECT_NE(message([&] { split_mm(x, torch::randn({4, 2})); }).find("split_mm"), std::string::npos);
}

}  // namespace
