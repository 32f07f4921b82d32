// Tests of the fused Adam/AdamW steps against libtorch's own torch::optim step, in C++ with no JVM
// in between: the same parameters, gradients and options must end at the same parameters and
// optimiser state, up to float rounding, step after step.
#include "optim_ops.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>
#include <stdexcept>
#include <vector>

namespace {

using gradroute::fused_adam_step;
using gradroute::fused_adamw_step;

// Parameters of several shapes (a matrix, a vector, a scalar, one with an odd element count so
// the kernel's vector tail is exercised).
std::vector<at::Tensor> make_params() {
  torch::manual_seed(3);
  std::vector<at::Tensor> out;
  for (auto shape : std::vector<std::vector<int64_t>>{{37, 19}, {64}, {}, {5, 3, 7}}) {
    out.push_back(torch::randn(shape).requires_grad_(true));
  }
  return out;
}

std::vector<at::Tensor> clone(const std::vector<at::Tensor>& ps) {
  std::vector<at::Tensor> out;
  for (const auto& p : ps) out.push_back(p.detach().clone().requires_grad_(true));
  return out;
}

// A gradient that depends on the parameter (so the two runs only agree if their parameters do).
void set_gradients(std::vector<at::Tensor>& ps, int step) {
  for (size_t i = 0; i < ps.size(); ++i) {
    torch::NoGradGuard g;
    at::Tensor noise = torch::sin(torch::arange(ps[i].numel()).reshape(ps[i].sizes()).to(ps[i].options().dtype(at::kFloat)) * (step + 1) +
                                  static_cast<double>(i));
    ps[i].mutable_grad() = ps[i].detach() * 0.5 + noise;
  }
}

void expect_close(const at::Tensor& a, const at::Tensor& b, const std::string& what) {
  ASSERT_TRUE(a.defined() && b.defined()) << what;
  EXPECT_TRUE(torch::allclose(a, b, 1e-5, 1e-6)) << what << ": max difference " << (a - b).abs().max().item<double>();
}

template <typename Optimizer, typename State>
void expect_same_state(Optimizer& reference, Optimizer& fused, const std::vector<at::Tensor>& pr,
                       const std::vector<at::Tensor>& pf, bool amsgrad) {
  for (size_t i = 0; i < pr.size(); ++i) {
    std::string name = "parameter " + std::to_string(i);
    expect_close(pf[i], pr[i], name);
    auto& sr = static_cast<State&>(*reference.state().at(pr[i].unsafeGetTensorImpl()));
    auto& sf = static_cast<State&>(*fused.state().at(pf[i].unsafeGetTensorImpl()));
    EXPECT_EQ(sf.step(), sr.step()) << name;
    expect_close(sf.exp_avg(), sr.exp_avg(), name + " exp_avg");
    expect_close(sf.exp_avg_sq(), sr.exp_avg_sq(), name + " exp_avg_sq");
    if (amsgrad) expect_close(sf.max_exp_avg_sq(), sr.max_exp_avg_sq(), name + " max_exp_avg_sq");
  }
}

template <typename Optimizer, typename Options, typename State, typename Step>
void compare(Options options, Step fused_step, int steps) {
  auto pr = make_params();
  auto pf = clone(pr);
  Optimizer reference(pr, options);
  Optimizer fused(pf, options);
  for (int s = 0; s < steps; ++s) {
    set_gradients(pr, s);
    set_gradients(pf, s);
    reference.step();
    fused_step(fused);
  }
  expect_same_state<Optimizer, State>(reference, fused, pr, pf, options.amsgrad());
}

TEST(FusedAdam, MatchesTorchOptimAdam) {
  compare<torch::optim::Adam, torch::optim::AdamOptions, torch::optim::AdamParamState>(
      torch::optim::AdamOptions(1e-2), fused_adam_step, 25);
}

TEST(FusedAdam, MatchesTorchOptimAdamWithWeightDecayBetasAndEps) {
  compare<torch::optim::Adam, torch::optim::AdamOptions, torch::optim::AdamParamState>(
      torch::optim::AdamOptions(3e-3).betas({0.8, 0.99}).eps(1e-6).weight_decay(5e-2), fused_adam_step, 25);
}

TEST(FusedAdam, MatchesTorchOptimAdamWithAmsgrad) {
  compare<torch::optim::Adam, torch::optim::AdamOptions, torch::optim::AdamParamState>(
      torch::optim::AdamOptions(1e-2).weight_decay(1e-2).amsgrad(true), fused_adam_step, 25);
}

TEST(FusedAdam, MatchesTorchOptimAdamW) {
  compare<torch::optim::AdamW, torch::optim::AdamWOptions, torch::optim::AdamWParamState>(
      torch::optim::AdamWOptions(1e-2).betas({0.9, 0.95}).weight_decay(0.1), fused_adamw_step, 25);
}

TEST(FusedAdam, MatchesTorchOptimAdamWWithAmsgradAndNoDecay) {
  compare<torch::optim::AdamW, torch::optim::AdamWOptions, torch::optim::AdamWParamState>(
      torch::optim::AdamWOptions(1e-2).weight_decay(0).amsgrad(true), fused_adamw_step, 25);
}

TEST(FusedAdam, ChangesTheParameters) {
  auto ps = make_params();
  auto before = clone(ps);
  torch::optim::Adam optimizer(ps, torch::optim::AdamOptions(1e-2));
  set_gradients(ps, 0);
  fused_adam_step(optimizer);
  for (size_t i = 0; i < ps.size(); ++i) EXPECT_FALSE(torch::equal(ps[i], before[i])) << "parameter " << i;
}

TEST(FusedAdam, GroupsKeepTheirOwnOptionsAndParametersWithoutGradientsStay) {
  auto pr = make_params();
  auto pf = clone(pr);
  auto make = [](std::vector<at::Tensor>& ps) {
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(std::vector<at::Tensor>{ps[0], ps[1]},
                        std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(1e-2).weight_decay(0.1)));
    groups.emplace_back(std::vector<at::Tensor>{ps[2], ps[3]},
                        std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(3e-2).weight_decay(0)));
    return torch::optim::AdamW(std::move(groups));
  };
  auto reference = make(pr);
  auto fused = make(pf);
  at::Tensor untouched = pf[3].detach().clone();
  for (int s = 0; s < 10; ++s) {
    set_gradients(pr, s);
    set_gradients(pf, s);
    // the last parameter never has a gradient
    pr[3].mutable_grad() = at::Tensor();
    pf[3].mutable_grad() = at::Tensor();
    reference.step();
    fused_adamw_step(fused);
  }
  EXPECT_TRUE(torch::equal(pf[3], untouched));
  EXPECT_EQ(fused.state().count(pf[3].unsafeGetTensorImpl()), 0u);
  std::vector<at::Tensor> stepped(pr.begin(), pr.begin() + 3), stepped_f(pf.begin(), pf.begin() + 3);
  expect_same_state<torch::optim::AdamW, torch::optim::AdamWParamState>(reference, fused, stepped, stepped_f, false);
}

TEST(FusedAdam, ResumesFromTheStateTorchOptimSavedAndMixesWithStep) {
  auto pr = make_params();
  auto pf = clone(pr);
  torch::optim::Adam reference(pr, torch::optim::AdamOptions(1e-2).weight_decay(1e-3));
  torch::optim::Adam first(pf, torch::optim::AdamOptions(1e-2).weight_decay(1e-3));
  for (int s = 0; s < 5; ++s) {
    set_gradients(pr, s);
    set_gradients(pf, s);
    reference.step();
    first.step();
  }
  std::stringstream saved;
  torch::serialize::OutputArchive out;
  first.save(out);
  out.save_to(saved);
  torch::optim::Adam resumed(pf, torch::optim::AdamOptions(1e-2).weight_decay(1e-3));
  torch::serialize::InputArchive in;
  in.load_from(saved);
  resumed.load(in);
  for (int s = 5; s < 12; ++s) {
    set_gradients(pr, s);
    set_gradients(pf, s);
    reference.step();
    fused_adam_step(resumed);
  }
  expect_same_state<torch::optim::Adam, torch::optim::AdamParamState>(reference, resumed, pr, pf, false);
}

TEST(FusedAdam, FollowsLearningRateChanges) {
  auto pr = make_params();
  auto pf = clone(pr);
  torch::optim::AdamW reference(pr, torch::optim::AdamWOptions(1e-2));
  torch::optim::AdamW fused(pf, torch::optim::AdamWOptions(1e-2));
  for (int s = 0; s < 10; ++s) {
    for (auto* o : {&reference, &fused}) o->param_groups()[0].options().set_lr(1e-2 / (s + 1));
    set_gradients(pr, s);
    set_gradients(pf, s);
    reference.step();
    fused_adamw_step(fused);
  }
  expect_same_state<torch::optim::AdamW, torch::optim::AdamWParamState>(reference, fused, pr, pf, false);
}

TEST(FusedAdam, ReadsANonContiguousGradientInThePositionsOfItsParameter) {
  auto pr = make_params();
  auto pf = clone(pr);
  torch::optim::Adam reference(pr, torch::optim::AdamOptions(1e-2));
  torch::optim::Adam fused(pf, torch::optim::AdamOptions(1e-2));
  set_gradients(pr, 0);
  set_gradients(pf, 0);
  // the same values, stored transposed
  pf[0].mutable_grad() = pf[0].grad().t().contiguous().t();
  ASSERT_FALSE(pf[0].grad().is_contiguous());
  reference.step();
  fused_adam_step(fused);
  expect_same_state<torch::optim::Adam, torch::optim::AdamParamState>(reference, fused, pr, pf, false);
}

TEST(FusedAdam, RejectsBadParameters) {
  at::Tensor p = torch::randn({4, 6}).t().requires_grad_(true);
  p.mutable_grad() = torch::ones({6, 4});
  torch::optim::Adam non_contiguous(std::vector<at::Tensor>{p}, torch::optim::AdamOptions(1e-2));
  try {
    fused_adam_step(non_contiguous);
    FAIL() << "a non-contiguous parameter was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("parameter 0 of group 0 is not contiguous"), std::string::npos) << e.what();
  }
  at::Tensor q = torch::randn({3}).requires_grad_(true);
  q.mutable_grad() = torch::ones({3}, at::kDouble);
  torch::optim::AdamW other_dtype(std::vector<at::Tensor>{q}, torch::optim::AdamWOptions(1e-2));
  try {
    fused_adamw_step(other_dtype);
    FAIL() << "a double gradient of a float parameter was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("has a gradient of Double"), std::string::npos) << e.what();
  }
}

TEST(FusedAdam, CudaMatchesCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device on this machine: CUDA cases skipped";
  auto pc = make_params();
  std::vector<at::Tensor> pg;
  for (const auto& p : pc) pg.push_back(p.detach().to(at::kCUDA).requires_grad_(true));
  torch::optim::AdamW cpu(pc, torch::optim::AdamWOptions(1e-2).weight_decay(0.1));
  torch::optim::AdamW cuda(pg, torch::optim::AdamWOptions(1e-2).weight_decay(0.1));
  for (int s = 0; s < 10; ++s) {
    set_gradients(pc, s);
    set_gradients(pg, s);
    fused_adamw_step(cpu);
    fused_adamw_step(cuda);
  }
  for (size_t i = 0; i < pc.size(); ++i) expect_close(pg[i].cpu(), pc[i], "parameter " + std::to_string(i));
}

}  // namespace
