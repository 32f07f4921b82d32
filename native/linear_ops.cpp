#include "linear_ops.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <torch/csrc/autograd/custom_function.h>

#include <strings.h>

#include <cstdlib>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

namespace gradroute {
// Named, not anonymous: the JNI build compiles every .cpp of the core as one translation unit.
namespace linear_internal {

using torch::autograd::AutogradContext;
using torch::autograd::Function;
using torch::autograd::variable_list;

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument("linear: " + what); }

std::string shape_of(const at::Tensor& t) {
  std::ostringstream s;
  s << t.sizes();
  return s.str();
}

bool worth_splitting(int64_t m, int64_t k, int64_t n) {
  const int threads = at::get_num_threads();
  return threads > 1 && !at::in_parallel_region() && m >= 2 * threads && m * k * n >= split_multiply_adds() &&
         blas_threads() <= 1;
}

// out = [bias +] a @ b, the rows of a in one block per intra-op thread. The tensors are detached
// first: the pool threads have their own grad mode, and an out= product must not see autograd.
at::Tensor split_product(const at::Tensor& a_in, const at::Tensor& b_in, const at::Tensor& bias_in) {
  const at::Tensor a = a_in.detach(), b = b_in.detach();
  const at::Tensor bias = bias_in.defined() ? bias_in.detach() : bias_in;
  const int64_t m = a.size(0);
  const int64_t blocks = at::get_num_threads();
  at::Tensor out = at::empty({m, b.size(1)}, a.options());
  at::parallel_for(0, blocks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int64_t r0 = m * i / blocks, r1 = m * (i + 1) / blocks;
      at::Tensor o = out.narrow(0, r0, r1 - r0);
      const at::Tensor rows = a.narrow(0, r0, r1 - r0);
      if (bias.defined()) {
        at::addmm_out(o, bias, rows, b);
      } else {
        at::mm_out(o, rows, b);
      }
    }
  });
  return out;
}

struct SplitLinearFunction : public Function<SplitLinearFunction> {
  // bias is optional, not an undefined tensor: autograd asks every tensor input for its device
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight,
                            const std::optional<at::Tensor>& bias_arg, bool weight_out_in) {
    const at::Tensor bias = bias_arg.has_value() ? *bias_arg : at::Tensor();
    ctx->save_for_backward({x, weight});
    ctx->saved_data["weight_out_in"] = weight_out_in;
    ctx->saved_data["has_bias"] = bias.defined();
    const at::Tensor w = weight_out_in ? weight.t() : weight;  // [in, out]
    std::vector<int64_t> sizes = x.sizes().vec();
    sizes.back() = w.size(1);
    return split_product(x.reshape({-1, x.size(-1)}), w, bias).view(sizes);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor& x = saved[0];
    const at::Tensor& weight = saved[1];
    const bool weight_out_in = ctx->saved_data["weight_out_in"].toBool();
    const at::Tensor& grad = grads[0];
    if (!grad.defined()) return {at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
    const at::Tensor g = grad.reshape({-1, grad.size(-1)});     // [rows, out]
    const at::Tensor x2 = x.reshape({-1, x.size(-1)});          // [rows, in]
    at::Tensor gx, gw, gb;
    if (ctx->needs_input_grad(0)) gx = split_mm(g, weight_out_in ? weight : weight.t()).view(x.sizes());
    if (ctx->needs_input_grad(1)) gw = weight_out_in ? split_mm(g.t(), x2) : split_mm(x2.t(), g);
    if (ctx->saved_data["has_bias"].toBool() && ctx->needs_input_grad(2)) gb = g.sum(0);
    return {gx, gw, gb, at::Tensor()};
  }
};

void check_linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool weight_out_in) {
  if (!x.defined()) fail("x is undefined");
  if (!weight.defined()) fail("weight is undefined");
  if (x.dim() < 1) fail("x must have at least one dimension, got a scalar");
  if (weight.dim() != 2) fail("weight must be 2-D, got " + shape_of(weight));
  const int64_t in = weight.size(weight_out_in ? 1 : 0), out = weight.size(weight_out_in ? 0 : 1);
  if (x.size(-1) != in) {
    fail("x's last dimension is " + std::to_string(x.size(-1)) + " but weight " + shape_of(weight) + " takes " +
         std::to_string(in) + (weight_out_in ? " ([out, in] layout)" : " ([in, out] layout)"));
  }
  if (weight.scalar_type() != x.scalar_type()) {
    fail("weight is " + std::string(c10::toString(weight.scalar_type())) + " but x is " + c10::toString(x.scalar_type()));
  }
  if (weight.device() != x.device()) fail("weight is on " + weight.device().str() + " but x is on " + x.device().str());
  if (bias.defined()) {
    if (bias.dim() != 1 || bias.size(0) != out) {
      fail("bias must be 1-D of size " + std::to_string(out) + ", got " + shape_of(bias));
    }
    if (bias.scalar_type() != x.scalar_type()) {
      fail("bias is " + std::string(c10::toString(bias.scalar_type())) + " but x is " + c10::toString(x.scalar_type()));
    }
    if (bias.device() != x.device()) fail("bias is on " + bias.device().str() + " but x is on " + x.device().str());
  }
}

}  // namespace linear_internal

int64_t split_multiply_adds() {
  // libgomp read these when it loaded; they do not change afterwards
  static const int64_t bound = [] {
    const char* spin = std::getenv("GOMP_SPINCOUNT");
    const char* policy = std::getenv("OMP_WAIT_POLICY");
    bool spins;
    if (spin != nullptr && *spin != '\0') {
      char* end = nullptr;
      const long long rounds = std::strtoll(spin, &end, 10);
      spins = end == spin ? std::string(spin).find("inf") != std::string::npos : rounds >= 1000;
    } else {
      spins = policy == nullptr || strcasecmp(policy, "passive") != 0;
    }
    return spins ? kSplitMultiplyAddsSpinning : kSplitMultiplyAddsSleeping;
  }();
  return bound;
}

int blas_threads() {
  // libtorch_cpu links libopenblas.so.0, so it is in the process whenever these ops are; the
  // lookup goes through its handle because the JVM loads libraries without RTLD_GLOBAL.
  using GetThreads = int (*)();
  static const GetThreads get = [] {
    void* lib = dlopen("libopenblas.so.0", RTLD_LAZY | RTLD_NOLOAD);
    return lib == nullptr ? nullptr : reinterpret_cast<GetThreads>(dlsym(lib, "openblas_get_num_threads"));
  }();
  return get == nullptr ? -1 : get();
}

at::Tensor split_mm(const at::Tensor& a, const at::Tensor& b) {
  if (a.dim() != 2 || b.dim() != 2 || a.size(1) != b.size(0)) {
    throw std::invalid_argument("split_mm: a " + linear_internal::shape_of(a) + " and b " + linear_internal::shape_of(b) + " are not [m, k] and [k, n]");
  }
  if (!a.is_cpu() || !b.is_cpu() || !linear_internal::worth_splitting(a.size(0), a.size(1), b.size(1))) {
    return at::mm(a.detach(), b.detach());
  }
  return linear_internal::split_product(a, b, at::Tensor());
}

bool linear_splits(int64_t rows, int64_t in, int64_t out) { return linear_internal::worth_splitting(rows, in, out); }

at::Tensor linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool weight_out_in) {
  linear_internal::check_linear(x, weight, bias, weight_out_in);
  const int64_t in = x.size(-1), out = weight.size(weight_out_in ? 0 : 1);
  const int64_t rows = in == 0 ? 0 : x.numel() / in;
  if (!x.is_cpu() || !linear_splits(rows, in, out)) {
    if (weight_out_in) return at::linear(x, weight, bias.defined() ? std::optional<at::Tensor>(bias) : std::nullopt);
    at::Tensor y = at::matmul(x, weight);
    return bias.defined() ? y.add(bias) : y;
  }
  return linear_internal::SplitLinearFunction::apply(x, weight, bias.defined() ? std::optional<at::Tensor>(bias) : std::nullopt,
                                    weight_out_in);
}

}  // namespace gradroute
