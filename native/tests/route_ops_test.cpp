// Tests of the native routing ops against the paper's formula, in C++ with no JVM in between:
// a routed activation is  g*x + (1-g)*stop_grad(x), so its value is x and its gradient grad*g.
#include "route_ops.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <stdexcept>
#include <vector>

namespace {

using gradroute::route;
using gradroute::route_ablate;
using gradroute::route_indexed;

at::Tensor formula(const at::Tensor& x, const at::Tensor& gate) { return gate * x + (1 - gate) * x.detach(); }

// The gradient that reaches x when `upstream` flows back through f(x).
template <typename F>
at::Tensor gradient_through(F f, const at::Tensor& x_value, const at::Tensor& upstream) {
  at::Tensor x = x_value.detach().clone().requires_grad_(true);
  at::Tensor y = f(x);
  y.backward(upstream);
  return x.grad();
}

std::vector<at::Device> devices() {
  std::vector<at::Device> out{at::kCPU};
  if (torch::cuda::is_available()) out.emplace_back(at::kCUDA, 0);
  return out;
}

// A macro, not a function: GTEST_SKIP returns from the test body it is written in.
#define SKIP_WITHOUT_CUDA() \
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device on this machine: CUDA cases skipped"

class RouteOps : public ::testing::Test {
 protected:
  void SetUp() override { torch::manual_seed(7); }
};

TEST_F(RouteOps, RouteForwardIsXWithoutACopy) {
  at::Tensor x = torch::randn({4, 6}).requires_grad_(true);
  at::Tensor y = route(x, torch::rand({6}));
  EXPECT_TRUE(torch::equal(y, x));
  EXPECT_EQ(y.data_ptr(), x.data_ptr());
}

TEST_F(RouteOps, RouteGradientEqualsFormulaForEveryBroadcastPattern) {
  for (at::ScalarType dtype : {at::kFloat, at::kDouble}) {
    at::Tensor x = torch::randn({3, 5, 8}, dtype);
    at::Tensor upstream = torch::randn({3, 5, 8}, dtype);
    for (std::vector<int64_t> shape : std::vector<std::vector<int64_t>>{{8}, {1, 8}, {5, 1}, {3, 1, 1}, {3, 5, 8}, {}}) {
      at::Tensor gate = torch::rand(shape, dtype);
      at::Tensor native = gradient_through([&](const at::Tensor& v) { return route(v, gate); }, x, upstream);
      at::Tensor reference = gradient_through([&](const at::Tensor& v) { return formula(v, gate); }, x, upstream);
      EXPECT_TRUE(torch::equal(native, reference)) << "dtype " << dtype << ", gate shape " << gate.sizes();
    }
  }
}

TEST_F(RouteOps, RouteBfloat16GradientWithinOneRounding) {
  at::Tensor x = torch::randn({16, 32}).to(at::kBFloat16);
  at::Tensor upstream = torch::randn({16, 32}).to(at::kBFloat16);
  at::Tensor gate = torch::rand({32}).to(at::kBFloat16);
  at::Tensor native = gradient_through([&](const at::Tensor& v) { return route(v, gate); }, x, upstream);
  at::Tensor exact = upstream.to(at::kFloat) * gate.to(at::kFloat);
  EXPECT_EQ(native.scalar_type(), at::kBFloat16);
  EXPECT_TRUE(torch::allclose(native.to(at::kFloat), exact, /*rtol=*/1.0 / 128, /*atol=*/0));
}

TEST_F(RouteOps, RouteRejectsBadGates) {
  at::Tensor x = torch::randn({4, 6});
  EXPECT_THROW(route(x, torch::rand({5})), std::invalid_argument);             // does not broadcast
  EXPECT_THROW(route(x, torch::ones({6}, at::kLong)), std::invalid_argument);  // not floating point
  EXPECT_THROW(route(x, at::Tensor()), std::invalid_argument);                 // undefined
  EXPECT_THROW(route(torch::ones({4}, at::kLong), torch::rand({4})), std::invalid_argument);
  EXPECT_THROW(route(x, torch::rand({2, 4, 6})), std::invalid_argument);       // would grow x
  at::Tensor nan_gate = torch::ones({6});
  nan_gate[2] = std::nan("");
  EXPECT_THROW(route(x, nan_gate), std::invalid_argument);                    // NaN: every gradient would be NaN
  EXPECT_THROW(route_ablate(x, torch::ones({6}), nan_gate), std::invalid_argument);
  at::Tensor nan_table = torch::ones({2, 6});
  nan_table[0][1] = std::nan("");
  EXPECT_THROW(route_indexed(x, nan_table, torch::zeros({4}, at::kLong), at::Tensor(), 1.0), std::invalid_argument);
}

// table[index] row by row, or mixed towards the last row with soft weights, times scale.
at::Tensor indexed_gate(const at::Tensor& table, const at::Tensor& index, const at::Tensor& weight, double scale,
                        at::IntArrayRef x_shape) {
  at::Tensor rows = table.index_select(0, index.reshape({-1}));
  if (weight.defined()) {
    at::Tensor a = weight.reshape({-1, 1});
    rows = (1 - a) * rows + a * table[table.size(0) - 1];
  }
  return (rows * scale).reshape(x_shape);
}

TEST_F(RouteOps, RouteIndexedMatchesTheFormulaWithHardAndSoftRows) {
  for (at::Device device : devices()) {
    at::TensorOptions opts = at::TensorOptions().device(device);
    at::Tensor table = torch::tensor({1.f, 1.f, 0.f, 0.f, 0.f, 0.f, 1.f, 1.f, 1.f, 1.f, 1.f, 1.f}, opts).reshape({3, 4});
    at::Tensor index = torch::randint(0, 3, {2, 5}, opts.dtype(at::kLong));
    at::Tensor weight = torch::rand({2, 5}, opts);
    at::Tensor x = torch::randn({2, 5, 4}, opts);
    at::Tensor upstream = torch::randn({2, 5, 4}, opts);
    for (bool soft : {false, true}) {
      at::Tensor w = soft ? weight : at::Tensor();
      at::Tensor gate = indexed_gate(table, index, w, 0.5, x.sizes());
      at::Tensor native =
          gradient_through([&](const at::Tensor& v) { return route_indexed(v, table, index, w, 0.5); }, x, upstream);
      at::Tensor reference = gradient_through([&](const at::Tensor& v) { return formula(v, gate); }, x, upstream);
      EXPECT_TRUE(torch::allclose(native, reference, 1e-6, 1e-7)) << device << (soft ? " soft" : " hard");
      at::Tensor forward = route_indexed(x, table, index, w, 0.5);
      EXPECT_TRUE(torch::equal(forward, x));
    }
  }
}

TEST_F(RouteOps, RouteIndexedHardRowsAreExactInFloatAndDouble) {
  for (at::ScalarType dtype : {at::kFloat, at::kDouble}) {
    at::Tensor table = torch::rand({4, 3, 2}, dtype);  // rows of shape [3, 2]
    at::Tensor index = torch::randint(0, 4, {6}, at::kLong);
    at::Tensor x = torch::randn({6, 3, 2}, dtype);
    at::Tensor upstream = torch::randn({6, 3, 2}, dtype);
    at::Tensor native =
        gradient_through([&](const at::Tensor& v) { return route_indexed(v, table, index, at::Tensor(), 1.0); }, x, upstream);
    EXPECT_TRUE(torch::equal(native, upstream * indexed_gate(table, index, at::Tensor(), 1.0, x.sizes())));
  }
}

TEST_F(RouteOps, RouteIndexedRejectsBadArguments) {
  at::Tensor table = torch::ones({2, 4});
  at::Tensor x = torch::randn({3, 4});
  at::Tensor index = torch::zeros({3}, at::kLong);
  EXPECT_THROW(route_indexed(x, table, torch::full({3}, 2, at::kLong), at::Tensor(), 1.0), std::invalid_argument);
  EXPECT_THROW(route_indexed(x, table, torch::full({3}, -1, at::kLong), at::Tensor(), 1.0), std::invalid_argument);
  EXPECT_THROW(route_indexed(x, table, torch::zeros({3}), at::Tensor(), 1.0), std::invalid_argument);   // float index
  EXPECT_THROW(route_indexed(x, table, torch::zeros({4}, at::kLong), at::Tensor(), 1.0), std::invalid_argument);
  EXPECT_THROW(route_indexed(x, torch::ones({2, 5}), index, at::Tensor(), 1.0), std::invalid_argument);  // row width
  EXPECT_THROW(route_indexed(x, torch::ones({0, 4}), index, at::Tensor(), 1.0), std::invalid_argument);  // no rows
  EXPECT_THROW(route_indexed(x, table, index, torch::full({3}, 1.5), 1.0), std::invalid_argument);       // weight > 1
  EXPECT_THROW(route_indexed(x, table, index, torch::rand({2}), 1.0), std::invalid_argument);            // weight shape
}

TEST_F(RouteOps, RouteAblateZeroesForwardAndMasksBackward) {
  at::Tensor x = torch::randn({4, 6});
  at::Tensor gate = torch::rand({6});
  at::Tensor keep = (torch::rand({6}) > 0.5).to(at::kFloat);
  at::Tensor upstream = torch::randn({4, 6});
  EXPECT_TRUE(torch::equal(route_ablate(x, gate, keep), x * keep));
  at::Tensor native = gradient_through([&](const at::Tensor& v) { return route_ablate(v, gate, keep); }, x, upstream);
  at::Tensor reference = gradient_through([&](const at::Tensor& v) { return keep * formula(v, gate); }, x, upstream);
  EXPECT_TRUE(torch::equal(native, reference));
  EXPECT_THROW(route_ablate(x, gate, torch::rand({5})), std::invalid_argument);
}

TEST_F(RouteOps, OpsWorkUnderNoGradAndOnTensorsWithoutGrad) {
  at::Tensor x = torch::randn({2, 3});
  EXPECT_TRUE(torch::equal(route(x, torch::rand({3})), x));
  torch::NoGradGuard no_grad;
  at::Tensor y = route(torch::randn({2, 3}).requires_grad_(true), torch::rand({3}));
  EXPECT_FALSE(y.requires_grad());
}

TEST_F(RouteOps, CompiledVersionIsTheHeadersVersion) {
  EXPECT_STREQ(gradroute::compiled_torch_version(), TORCH_VERSION);
}

TEST_F(RouteOps, CudaRouteMatchesCpu) {
  SKIP_WITHOUT_CUDA();
  at::Tensor x = torch::randn({8, 16});
  at::Tensor gate = torch::rand({16});
  at::Tensor upstream = torch::randn({8, 16});
  at::Tensor cpu = gradient_through([&](const at::Tensor& v) { return route(v, gate); }, x, upstream);
  at::Tensor cuda_gate = gate.cuda();
  at::Tensor cuda =
      gradient_through([&](const at::Tensor& v) { return route(v, cuda_gate); }, x.cuda(), upstream.cuda());
  EXPECT_TRUE(cuda.is_cuda());
  EXPECT_TRUE(torch::allclose(cuda.cpu(), cpu));
  EXPECT_THROW(route(x.cuda(), gate), std::invalid_argument);  // gate on another device
}

}  // namespace
