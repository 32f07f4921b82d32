package gradroute.rl.agent;

import gradroute.rl.env.Gridworld;
import java.util.List;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * The baselines' network: the routed network reduced to one expert (100→256→256, ReLU) and the
 * head. Hook point: {@link #HOOK_FEATURES}, the expert's features {@code [B, 256]}.
 */
public final class SingleExpertPolicy extends PolicyNetwork {
  public static final String HOOK_FEATURES = "expert.hook_features";

  private final LinearImpl expert1;
  private final LinearImpl expert2;
  private final LinearImpl head;

  public SingleExpertPolicy(int channels, int size, int actions) {
    super(List.of(HOOK_FEATURES));
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
    return head.forward(hooks().fire(HOOK_FEATURES, expert2.forward(expert1.forward(flat(observations)).relu()).relu()));
  }

  @Override
  public Forward forward(Tensor observations) {
    return new Forward(logits(observations, PolicyView.TRAINING), null);
  }

  @Override
  public boolean supports(PolicyView view) {
    return view == PolicyView.TRAINING;
  }
}
