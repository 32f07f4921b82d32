#include "route_ops.h"

#include <ATen/Parallel.h>
#include <ATen/OpMathType.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/version.h>

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace gradroute {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::Function;
using torch::autograd::variable_list;

std::string shape_of(const at::Tensor& t) {
  std::ostringstream s;
  s << t.sizes();
  return s.str();
}

[[noreturn]] void fail(const char* op, const std::string& what) {
  throw std::invalid_argument(std::string(op) + ": " + what);
}

void require_defined(const char* op, const char* name, const at::Tensor& t) {
  if (!t.defined()) fail(op, std::string(name) + " is undefined");
}

void require_floating(const char* op, const char* name, const at::Tensor& t) {
  if (!at::isFloatingType(t.scalar_type())) {
    fail(op, std::string(name) + " must be a floating point tensor, got " +
                 c10::toString(t.scalar_type()) + " " + shape_of(t));
  }
}

void require_same_device(const char* op, const char* name, const at::Tensor& t, const at::Tensor& x) {
  if (t.device() != x.device()) {
    fail(op, std::string(name) + " is on " + t.device().str() + " but x is on " + x.device().str());
  }
}

// gate must broadcast to x without changing x's shape.
void require_broadcastable(const char* op, const char* name, const at::Tensor& g, const at::Tensor& x) {
  bool ok = g.dim() <= x.dim();
  for (int64_t i = 1; ok && i <= g.dim(); ++i) {
    int64_t gs = g.size(-i), xs = x.size(-i);
    ok = gs == 1 || gs == xs;
  }
  if (!ok) {
    fail(op, std::string(name) + " of shape " + shape_of(g) + " does not broadcast to x of shape " +
                 shape_of(x));
  }
}

// A NaN in a gate or table would make every gradient through it NaN.
void require_no_nan(const char* op, const char* name, const at::Tensor& g) {
  if (g.numel() > 0 && at::isnan(g).any().item<bool>()) {
    fail(op, std::string(name) + " of shape " + shape_of(g) + " holds NaN; gate values must be numbers");
  }
}

void check_gate(const char* op, const char* name, const at::Tensor& x, const at::Tensor& g) {
  require_defined(op, name, g);
  require_floating(op, name, g);
  require_same_device(op, name, g, x);
  require_broadcastable(op, name, g, x);
  require_no_nan(op, name, g);
}

void check_x(const char* op, const at::Tensor& x) {
  require_defined(op, "x", x);
  require_floating(op, "x", x);
}

// grad * gate in x's dtype; mixed precision computes in the wider type and rounds once.
at::Tensor multiply_into(const at::Tensor& grad, const at::Tensor& gate, at::ScalarType dtype) {
  if (grad.scalar_type() == dtype && gate.scalar_type() == dtype) return grad * gate;
  at::Tensor out = at::empty(grad.sizes(), grad.options().dtype(dtype));
  at::mul_out(out, grad, gate);
  return out;
}

struct RouteFunction : public Function<RouteFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& gate) {
    ctx->saved_data["gate"] = gate;
    return x;  // autograd hands back a view of x: same storage, no copy
  }

  // The output is a view of x, so its gradient already has x's dtype.
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const at::Tensor& grad = grads[0];
    if (!grad.defined()) return {at::Tensor(), at::Tensor()};
    return {multiply_into(grad, ctx->saved_data["gate"].toTensor(), grad.scalar_type()), at::Tensor()};
  }
};

// ---- route_indexed ---------------------------------------------------------------------------

// Table, index and weight travel as one non-tensor argument so autograd does not treat them as
// differentiable inputs (and an undefined weight needs no special case).
struct IndexedGate {
  at::Tensor table;   // [rows, D], contiguous, in the op-math dtype of x (pre-multiplied by scale)
  at::Tensor index;   // [P], int64, contiguous
  at::Tensor weight;  // [P] in the op-math dtype, or undefined
};

template <typename scalar_t>
void indexed_multiply_cpu(const at::Tensor& grad, const IndexedGate& g, at::Tensor& out) {
  using opmath_t = at::opmath_type<scalar_t>;
  const int64_t rows = g.table.size(0);
  const int64_t positions = g.index.numel();
  const int64_t width = positions == 0 ? 0 : grad.numel() / positions;
  const scalar_t* __restrict__ in = grad.const_data_ptr<scalar_t>();
  scalar_t* __restrict__ res = out.mutable_data_ptr<scalar_t>();
  const opmath_t* table = g.table.const_data_ptr<opmath_t>();
  const int64_t* index = g.index.const_data_ptr<int64_t>();
  const opmath_t* weight = g.weight.defined() ? g.weight.const_data_ptr<opmath_t>() : nullptr;
  const opmath_t* last_row = table + (rows - 1) * width;
  const int64_t grain = std::max<int64_t>(1, at::internal::GRAIN_SIZE / std::max<int64_t>(1, width));

  at::parallel_for(0, positions, grain, [&](int64_t begin, int64_t end) {
    std::vector<opmath_t> mixed(weight ? width : 0);
    for (int64_t p = begin; p < end; ++p) {
      const opmath_t* row = table + index[p] * width;
      if (weight) {
        const opmath_t a = weight[p];
        const opmath_t b = opmath_t(1) - a;
        for (int64_t i = 0; i < width; ++i) mixed[i] = b * row[i] + a * last_row[i];
        row = mixed.data();
      }
      const scalar_t* __restrict__ gp = in + p * width;
      scalar_t* __restrict__ op = res + p * width;
      for (int64_t i = 0; i < width; ++i) {
        op[i] = static_cast<scalar_t>(static_cast<opmath_t>(gp[i]) * row[i]);
      }
    }
  });
}

// Any device: the same arithmetic through composed ops (materialises the gate).
at::Tensor indexed_multiply_composed(const at::Tensor& grad, const IndexedGate& g) {
  at::Tensor rows = g.table.index_select(0, g.index);
  if (g.weight.defined()) {
    at::Tensor a = g.weight.unsqueeze(1);
    rows = (1 - a) * rows + a * g.table[g.table.size(0) - 1];
  }
  at::Tensor gate = rows.view(grad.sizes());
  return multiply_into(grad, gate, grad.scalar_type());
}

struct RouteIndexedFunction : public Function<RouteIndexedFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const IndexedGate& gate) {
    ctx->saved_data["table"] = gate.table;
    ctx->saved_data["index"] = gate.index;
    ctx->saved_data["weight"] = gate.weight;
    return x;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const at::Tensor& grad_in = grads[0];
    if (!grad_in.defined()) return {at::Tensor(), at::Tensor()};
    IndexedGate g{ctx->saved_data["table"].toTensor(), ctx->saved_data["index"].toTensor(),
                  ctx->saved_data["weight"].isTensor() ? ctx->saved_data["weight"].toTensor() : at::Tensor()};
    if (!grad_in.is_cpu()) return {indexed_multiply_composed(grad_in, g), at::Tensor()};
    at::Tensor grad = grad_in.contiguous();
    at::Tensor out = at::empty_like(grad, at::MemoryFormat::Contiguous);
    AT_DISPATCH_FLOATING_TYPES_AND2(at::kBFloat16, at::kHalf, grad.scalar_type(), "route_indexed_backward",
                                    [&] { indexed_multiply_cpu<scalar_t>(grad, g, out); });
    return {out, at::Tensor()};  // one entry per forward argument
  }
};

at::ScalarType opmath_of(at::ScalarType t) {
  return t == at::kDouble ? at::kDouble : at::kFloat;
}

}  // namespace

at::Tensor route(const at::Tensor& x, const at::Tensor& gate) {
  static const char* op = "route";
  check_x(op, x);
  check_gate(op, "gate", x, gate);
  return RouteFunction::apply(x, gate.detach());
}

at::Tensor route_indexed(const at::Tensor& x, const at::Tensor& table, const at::Tensor& index,
                         const at::Tensor& weight, double scale) {
  static const char* op = "routeIndexed";
  check_x(op, x);
  require_defined(op, "table", table);
  require_defined(op, "index", index);
  require_floating(op, "table", table);
  require_same_device(op, "table", table, x);
  require_same_device(op, "index", index, x);
  if (!at::isIntegralType(index.scalar_type(), /*includeBool=*/false)) {
    fail(op, "index must be an integer tensor, got " + std::string(c10::toString(index.scalar_type())));
  }
  const int64_t k = index.dim();
  const bool shapes_fit = table.dim() >= 1 && x.dim() == k + table.dim() - 1 &&
                          x.sizes().slice(0, k) == index.sizes() && x.sizes().slice(k) == table.sizes().slice(1);
  if (!shapes_fit) {
    fail(op, "x of shape " + shape_of(x) + " must be index's shape " + shape_of(index) +
                 " followed by a table row's shape (table is " + shape_of(table) + ")");
  }
  const int64_t rows = table.size(0);
  if (rows == 0) fail(op, "table " + shape_of(table) + " has no rows");
  require_no_nan(op, "table", table);
  if (index.numel() > 0) {
    int64_t lo = index.min().item<int64_t>(), hi = index.max().item<int64_t>();
    if (lo < 0 || hi >= rows) {
      fail(op, "index values must lie in [0, " + std::to_string(rows - 1) + "] for a table of shape " +
                   shape_of(table) + ", found " + std::to_string(lo < 0 ? lo : hi));
    }
  }
  if (!std::isfinite(scale) || scale < 0) fail(op, "scale must be finite and >= 0, got " + std::to_string(scale));
  const at::ScalarType math = opmath_of(x.scalar_type());
  IndexedGate gate;
  gate.table = table.detach().to(math).reshape({rows, -1});
  if (scale != 1.0) gate.table = gate.table * scale;
  gate.table = gate.table.contiguous();
  gate.index = index.detach().to(at::kLong).reshape({-1}).contiguous();
  if (weight.defined()) {
    require_floating(op, "weight", weight);
    require_same_device(op, "weight", weight, x);
    if (weight.sizes() != index.sizes()) {
      fail(op, "weight of shape " + shape_of(weight) + " must have index's shape " + shape_of(index));
    }
    if (weight.numel() > 0) {
      const double lo = weight.min().item<double>(), hi = weight.max().item<double>();  // NaN propagates
      if (std::isnan(lo) || std::isnan(hi)) fail(op, "weight holds NaN; weight values must lie in [0, 1]");
      if (lo < 0 || hi > 1) fail(op, "weight values must lie in [0, 1], found " + std::to_string(lo < 0 ? lo : hi));
    }
    gate.weight = weight.detach().to(math).reshape({-1}).contiguous();
  }
  return RouteIndexedFunction::apply(x, gate);
}

struct RouteAblateFunction : public Function<RouteAblateFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& gate,
                            const at::Tensor& keep) {
    ctx->saved_data["gate"] = gate;
    ctx->saved_data["keep"] = keep;
    return multiply_into(x, keep, x.scalar_type());
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const at::Tensor& grad = grads[0];
    if (!grad.defined()) return {at::Tensor(), at::Tensor(), at::Tensor()};
    // (grad * keep) * gate: the order in which autograd differentiates keep * routed(x)
    at::Tensor kept = multiply_into(grad, ctx->saved_data["keep"].toTensor(), grad.scalar_type());
    return {multiply_into(kept, ctx->saved_data["gate"].toTensor(), grad.scalar_type()), at::Tensor(), at::Tensor()};
  }
};

at::Tensor route_ablate(const at::Tensor& x, const at::Tensor& gate, const at::Tensor& keep) {
  static const char* op = "routeAblate";
  check_x(op, x);
  check_gate(op, "gate", x, gate);
  check_gate(op, "keep", x, keep);
  return RouteAblateFunction::apply(x, gate.detach(), keep.detach());
}

const char* compiled_torch_version() { return TORCH_VERSION; }

}  // namespace gradroute
