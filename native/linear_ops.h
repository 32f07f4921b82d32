// Matrix products that use all of libtorch's intra-op threads with a single-threaded BLAS.
//
// gradroute runs OpenBLAS with one thread: its own pool spins and collapses when other processes
// want the cores, and it changes results. libtorch's OpenMP pool (passive wait) does not spin, so
// these ops split one product into row blocks, one block per intra-op thread, each a
// single-threaded BLAS call on a slice, all written into one output. With one intra-op thread
// (the jobs of SideBySide), or a product too small to gain from it, they are libtorch's own ops,
// so results stay bit for bit what they were. When a product is split, its rounding depends on
// the thread count (as libtorch's parallel reductions do): the run's provenance records it.
#pragma once

#include <ATen/ATen.h>

namespace gradroute {

// A product of at least split_multiply_adds() multiply-adds is split; smaller ones lose more to
// waking the pool than the second thread gains. Waking a sleeping pool thread costs ~50 us, so the
// bound depends on whether idle pool threads spin first (measured on two cores, C++):
//   threads sleep at once (OMP_WAIT_POLICY=passive, GOMP_SPINCOUNT unset or < 1000): 2^24
//     (1.2-1.3x at 2^24, 0.8-1.1x at 2^23, 0.65-0.9x at 2^22);
//   threads spin first (GOMP_SPINCOUNT >= 1000, the launcher's 5000, or libgomp's own default):
//     2^22 (1.4-1.9x at 2^22 and 2^23).
constexpr int64_t kSplitMultiplyAddsSleeping = int64_t{1} << 24;
constexpr int64_t kSplitMultiplyAddsSpinning = int64_t{1} << 22;
int64_t split_multiply_adds();

// a @ b for a [m, k], b [k, n] (any strides), without autograd. Split into row blocks of a when
// there is more than one intra-op thread, no parallel region is already running, OpenBLAS runs one
// thread, the tensors are on the CPU, m >= 2 * threads and m * k * n >= split_multiply_adds();
// otherwise at::mm.
at::Tensor split_mm(const at::Tensor& a, const at::Tensor& b);

// A linear layer over the last dimension of x, differentiable in x, weight and bias, with every
// product of its forward and backward through split_mm:
//   weight_out_in:  x @ weight^T + bias, weight [out, in]  (torch::nn::Linear's layout)
//   otherwise:      x @ weight + bias,   weight [in, out]  (the Gpt's W_in, W_out, W_Q, ...)
// bias may be undefined. When no product would be split, it is at::linear (weight_out_in) or
// at::matmul followed by add (otherwise): the same ops, graph and rounding as before.
at::Tensor linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool weight_out_in);

// OpenBLAS's thread count, or -1 when the BLAS is not OpenBLAS. Products split only while it is
// 1: a multi-threaded OpenBLAS called inside an OpenMP region can hang.
int blas_threads();

// Whether linear() would split the products of an input with `rows` rows (all dims but the last)
// through a weight of in x out: what the tests and the bench use to know which path ran.
bool linear_splits(int64_t rows, int64_t in, int64_t out);

}  // namespace gradroute
