// Fused optimiser steps for libtorch's own torch::optim::Adam and AdamW: the whole step of every
// parameter group in one native call, each parameter updated by ATen's fused Adam kernel
// (at::_fused_adam_ / at::_fused_adamw_: one vectorised, multi-threaded pass over parameter,
// gradient and moments) instead of the ten or so elementwise ops, temporaries and dispatches of
// Optimizer::step(). Compiled into the same JNI module as the routing ops.
#pragma once

#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>

namespace gradroute {

// One step of `optimizer`, the update torch::optim::Adam::step() makes (the L2 weight decay added
// to the gradient, bias-corrected moments, AMSGrad when the group asks for it), equal to it up to
// float rounding (the kernel orders a few multiplications differently). The optimiser's own
// state is read and written (step, exp_avg, exp_avg_sq, max_exp_avg_sq, created on a parameter's
// first step as step() creates it), so save/load, parameter groups and learning-rate changes work
// exactly as with step(), and the two can be mixed. Parameters without a gradient are skipped.
// Throws std::invalid_argument for a sparse gradient, a non-contiguous parameter or moment, or a
// gradient, moment or parameter of another dtype or device than its parameter.
void fused_adam_step(torch::optim::Adam& optimizer);

// The same for torch::optim::AdamW (decoupled weight decay: the parameter is first scaled by
// 1 - lr * weight_decay).
void fused_adamw_step(torch::optim::AdamW& optimizer);

}  // namespace gradroute
