// gradroute's native routing core: custom libtorch autograd functions.
//
// A routed activation is  gate*x + (1 - gate)*stop_grad(x):  its forward value is x and the
// gradient reaching x is grad*gate. The ops below compute exactly that without building the
// formula's graph: forward hands back x itself (a view, no copy) and backward does one multiply.
#pragma once

#include <ATen/ATen.h>

namespace gradroute {

// Forward: x, sharing its storage. Backward: grad * gate.
// gate: floating point, broadcastable to x, on x's device; it is never differentiated.
at::Tensor route(const at::Tensor& x, const at::Tensor& gate);

// The per-position form. x is [p0, ..., pk, d...], index is [p0, ..., pk] (integer), table is
// [rows, d...]. The gate at position p is  scale * table[index[p]],  or, when weight (same shape
// as index, values in [0, 1]) is defined,
//     scale * ((1 - weight[p]) * table[index[p]] + weight[p] * table[rows - 1])
// i.e. a soft mask interpolating towards the table's last row (the "no masking" row).
// The [positions, d] gate is never materialised: backward multiplies row by row.
at::Tensor route_indexed(const at::Tensor& x, const at::Tensor& table, const at::Tensor& index,
                         const at::Tensor& weight, double scale);

// Routing and zero-ablation in one op: forward x * keep, backward grad * keep * gate.
// gate and keep are floating point and broadcastable to x.
at::Tensor route_ablate(const at::Tensor& x, const at::Tensor& gate, const at::Tensor& keep);

// The libtorch version these ops were compiled against, e.g. "2.10.0".
const char* compiled_torch_version();

}  // namespace gradroute
