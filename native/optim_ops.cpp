#include "optim_ops.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace gradroute {
namespace {

[[noreturn]] void fail(const char* op, size_t group, size_t index, const std::string& what) {
  std::ostringstream s;
  s << op << ": parameter " << index << " of group " << group << " " << what;
  throw std::invalid_argument(s.str());
}

// A moment or gradient the fused kernel can read with the parameter's own data layout.
void check_like(const char* op, size_t group, size_t index, const char* name, const at::Tensor& t,
                const at::Tensor& p) {
  if (t.scalar_type() != p.scalar_type() || t.device() != p.device()) {
    fail(op, group, index,
         std::string("has a ") + name + " of " + c10::toString(t.scalar_type()) + " on " + t.device().str() +
             " but is " + c10::toString(p.scalar_type()) + " on " + p.device().str());
  }
  if (t.sizes() != p.sizes()) {
    std::ostringstream s;
    s << "of shape " << p.sizes() << " has a " << name << " of shape " << t.sizes();
    fail(op, group, index, s.str());
  }
  if (!t.is_contiguous()) fail(op, group, index, std::string("has a non-contiguous ") + name);
}

// The lists one fused kernel call takes: every parameter of a group that has a gradient.
struct Batch {
  std::vector<at::Tensor> params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps;
};

// Options and State are AdamOptions/AdamParamState or AdamWOptions/AdamWParamState, which have
// the same fields. Kernel is at::_fused_adam_ or at::_fused_adamw_.
template <typename Options, typename State, typename Kernel>
void fused_step(const char* op, torch::optim::Optimizer& optimizer, Kernel kernel) {
  at::NoGradGuard no_grad;
  auto& states = optimizer.state();
  auto& groups = optimizer.param_groups();
  for (size_t g = 0; g < groups.size(); ++g) {
    auto& options = static_cast<Options&>(groups[g].options());
    Batch b;
    auto& params = groups[g].params();
    for (size_t i = 0; i < params.size(); ++i) {
      const at::Tensor& p = params[i];
      if (!p.grad().defined()) continue;
      at::Tensor grad = p.grad();
      if (grad.is_sparse()) fail(op, g, i, "has a sparse gradient (Adam does not support sparse gradients)");
      if (!p.is_contiguous()) fail(op, g, i, "is not contiguous");
      // the kernel reads the gradient in the parameter's layout
      if (!grad.is_contiguous()) grad = grad.contiguous();
      check_like(op, g, i, "gradient", grad, p);
      void* key = p.unsafeGetTensorImpl();
      auto found = states.find(key);
      if (found == states.end()) {
        // as Optimizer::step() creates it
        auto created = std::make_unique<State>();
        created->step(0);
        created->exp_avg(at::zeros_like(p, at::MemoryFormat::Preserve));
        created->exp_avg_sq(at::zeros_like(p, at::MemoryFormat::Preserve));
        if (options.amsgrad()) created->max_exp_avg_sq(at::zeros_like(p, at::MemoryFormat::Preserve));
        found = states.emplace(key, std::move(created)).first;
      }
      auto& state = static_cast<State&>(*found->second);
      check_like(op, g, i, "exp_avg", state.exp_avg(), p);
      check_like(op, g, i, "exp_avg_sq", state.exp_avg_sq(), p);
      if (options.amsgrad()) {
        // a state loaded from a run without AMSGrad has none yet; step() starts it at zero too
        if (!state.max_exp_avg_sq().defined()) state.max_exp_avg_sq(at::zeros_like(p, at::MemoryFormat::Preserve));
        check_like(op, g, i, "max_exp_avg_sq", state.max_exp_avg_sq(), p);
        b.max_exp_avg_sqs.push_back(state.max_exp_avg_sq());
      }
      state.step(state.step() + 1);
      b.params.push_back(p);
      b.grads.push_back(grad);
      b.exp_avgs.push_back(state.exp_avg());
      b.exp_avg_sqs.push_back(state.exp_avg_sq());
      // the kernels take the step count (already incremented) as a float tensor on the parameter's device
      b.steps.push_back(at::full({}, static_cast<double>(state.step()), p.options().dtype(at::kFloat)));
    }
    if (b.params.empty()) continue;
    kernel(b.params, b.grads, b.exp_avgs, b.exp_avg_sqs, b.max_exp_avg_sqs, b.steps, options.lr(),
           std::get<0>(options.betas()), std::get<1>(options.betas()), options.weight_decay(), options.eps(),
           options.amsgrad(), /*maximize=*/false, /*grad_scale=*/std::nullopt, /*found_inf=*/std::nullopt);
  }
}

}  // namespace

void fused_adam_step(torch::optim::Adam& optimizer) {
  fused_step<torch::optim::AdamOptions, torch::optim::AdamParamState>(
      "fused_adam_step", optimizer,
      [](auto&&... args) { at::_fused_adam_(std::forward<decltype(args)>(args)...); });
}

void fused_adamw_step(torch::optim::AdamW& optimizer) {
  fused_step<torch::optim::AdamWOptions, torch::optim::AdamWParamState>(
      "fused_adamw_step", optimizer,
      [](auto&&... args) { at::_fused_adamw_(std::forward<decltype(args)>(args)...); });
}

}  // namespace gradroute
