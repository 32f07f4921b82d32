package gradroute.rl.agent;

import gradroute.rl.env.Gridworld;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;

/** The baselines' network: the routed network reduced to one expert (100→256→256, ReLU) and the head. */
public final class SingleExpertPolicy extends PolicyNetwork {
  private final LinearImpl expert1;
  private final LinearImpl expert2;
  private final LinearImpl head;

  public SingleExpertPolicy(int channels, int size, int actions) {
    long in = (long) channels * size * size;
    expert1 = register_module("expert1", Layers.linear(in, RoutedPolicy.HIDDEN));
    expert2 = register_module("expert2", Layers.linear(RoutedPolicy.HIDDEN, RoutedPolicy.HIDDEN));
    head = register_module("head", Layers.linear(RoutedPolicy.HIDDEN, actions));
  }

  public static SingleExpertPolicy forGrid(int size) {
    return new SingleExpertPolicy(Gridworld.CHANNELS, size, Gridworld.ACTIONS);
  }

  @Override
  public Tensor logits(Tensor observations, PolicyView view) {
    if (view != PolicyView.TRAINING) {
      throw new IllegalArgumentException("a single-expert policy has no " + view.label() + " policy");
    }
    return head.forward(expert2.forward(expert1.forward(flat(observations)).relu()).relu());
  }

  @Override
  public Forward forwardTraining(Tensor observations, RouteGates gates) {
    if (gates != null) {
      throw new IllegalArgumentException("a single-expert policy has nothing to route");
    }
    return new Forward(logits(observations, PolicyView.TRAINING), null);
  }

  @Override
  public boolean supports(PolicyView view) {
    return view == PolicyView.TRAINING;
  }
}
