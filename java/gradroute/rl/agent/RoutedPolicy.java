package gradroute.rl.agent;

import gradroute.rl.env.Gridworld;
import java.util.List;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * The routed policy network: a diamond expert and a ghost expert (each 100→256→256, ReLU after
 * every layer), a gate (1×1 conv 4→4, then 100→256→256→1 with ReLU between, giving a logit), the
 * combination {@code σ(g)·diamond + (1−σ(g))·ghost} and a shared linear head 256→4.
 *
 * <p>Without a gate (the official code's {@code use_gate=False}, the {@code no_gate} ablation) the
 * combination is the experts' plain mean, σ = ½ everywhere: the gate has no parameters and no logit.
 *
 * <p>Hook points: {@link #HOOK_DIAMOND} and {@link #HOOK_GHOST}, the experts' features {@code [B,
 * 256]} (in every view that uses them), and {@link #HOOK_MIX_LOGIT}, the gate logit {@code [B, 1]}
 * as the combination reads it. {@link RouteGates} routes them by episode label.
 */
public final class RoutedPolicy extends PolicyNetwork {
  public static final int HIDDEN = 256;
  public static final String HOOK_DIAMOND = "diamond.hook_features";
  public static final String HOOK_GHOST = "ghost.hook_features";
  public static final String HOOK_MIX_LOGIT = "gate.hook_mix_logit";

  private final LinearImpl diamond1;
  private final LinearImpl diamond2;
  private final LinearImpl ghost1;
  private final LinearImpl ghost2;
  private final boolean gated;
  private final PointwiseConv gateConv;
  private final LinearImpl gate1;
  private final LinearImpl gate2;
  private final LinearImpl gate3;
  private final LinearImpl head;

  /** For a {@code channels × size × size} observation and {@code actions} actions, with a gate. */
  public RoutedPolicy(int channels, int size, int actions) {
    this(channels, size, actions, true);
  }

  /** With {@code gated} false the experts are mixed half and half (no gate network). */
  public RoutedPolicy(int channels, int size, int actions, boolean gated) {
    super(List.of(HOOK_DIAMOND, HOOK_GHOST, HOOK_MIX_LOGIT));
    long in = (long) channels * size * size;
    diamond1 = register_module("diamond1", Layers.linear(in, HIDDEN));
    diamond2 = register_module("diamond2", Layers.linear(HIDDEN, HIDDEN));
    ghost1 = register_module("ghost1", Layers.linear(in, HIDDEN));
    ghost2 = register_module("ghost2", Layers.linear(HIDDEN, HIDDEN));
    this.gated = gated;
    gateConv = gated ? register_module("gate_conv", new PointwiseConv(channels, channels)) : null;
    gate1 = gated ? register_module("gate1", Layers.linear(in, HIDDEN)) : null;
    gate2 = gated ? register_module("gate2", Layers.linear(HIDDEN, HIDDEN)) : null;
    gate3 = gated ? register_module("gate3", Layers.linear(HIDDEN, 1)) : null;
    head = register_module("head", Layers.linear(HIDDEN, actions));
  }

  /** The grid experiment's network: 4 channels, 5×5, 4 actions. */
  public static RoutedPolicy forGrid(int size, boolean gated) {
    return new RoutedPolicy(Gridworld.CHANNELS, size, Gridworld.ACTIONS, gated);
  }

  /** The grid experiment's gated network. */
  public static RoutedPolicy forGrid(int size) {
    return forGrid(size, true);
  }

  /** Whether a gate network mixes the experts (otherwise σ = ½). */
  public boolean gated() {
    return gated;
  }

  public Tensor diamondFeatures(Tensor observations) {
    return hooks().fire(HOOK_DIAMOND, diamond2.forward(diamond1.forward(flat(observations)).relu()).relu());
  }

  public Tensor ghostFeatures(Tensor observations) {
    return hooks().fire(HOOK_GHOST, ghost2.forward(ghost1.forward(flat(observations)).relu()).relu());
  }

  /** The gate logit {@code [B, 1]}: high means the diamond expert; zeros (σ = ½) without a gate. */
  public Tensor gateLogit(Tensor observations) {
    if (!gated) return org.bytedeco.pytorch.global.torch.zeros(observations.size(0), 1);
    Tensor mixed = gateConv.forwardFlat(observations);
    return gate3.forward(gate2.forward(gate1.forward(mixed).relu()).relu());
  }

  public Tensor head(Tensor features) {
    return head.forward(features);
  }

  @Override
  public Tensor logits(Tensor observations, PolicyView view) {
    switch (view) {
      case DIAMOND:
        return head(diamondFeatures(observations));
      case GHOST:
        return head(ghostFeatures(observations));
      default:
        return forward(observations).logits();
    }
  }

  @Override
  public Forward forward(Tensor observations) {
    Tensor d = diamondFeatures(observations);
    Tensor g = ghostFeatures(observations);
    if (!gated) {
      return new Forward(head(d.add(g).mul(new org.bytedeco.pytorch.Scalar(0.5))), null);
    }
    Tensor gateLogit = gateLogit(observations);
    Tensor mixLogit = hooks().fire(HOOK_MIX_LOGIT, gateLogit);
    // σ·d + (1−σ)·g, written as g + σ·(d − g): one op fewer, the same gradients
    Tensor combined = g.add(mixLogit.sigmoid().mul(d.sub(g)));
    return new Forward(head(combined), gateLogit);
  }

  @Override
  public boolean supports(PolicyView view) {
    return true;
  }
}
