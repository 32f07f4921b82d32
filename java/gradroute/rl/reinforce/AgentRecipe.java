package gradroute.rl.reinforce;

import gradroute.rl.agent.PolicyView;
import gradroute.rl.env.Reward;

/**
 * What the REINFORCE algorithm needs to know about an agent: which network it trains, on which
 * reward, whether gradients are routed by episode label, whether the steps of episodes that ended
 * unseen are dropped, and which policy the in-training evaluation watches. Experiments name their
 * agents and give each a recipe.
 *
 * @param name a label for logs and result files
 * @param routedNetwork two experts and a gate ({@code RoutedPolicy}) rather than one expert
 * @param reward the reward the agent is trained on
 * @param routesGradients stop-gradients by episode label ({@code RouteGates}); needs the routed network
 * @param filtersUnseen drop the steps of episodes that ended on a terminal nobody oversaw
 * @param evaluatedView the policy the in-training evaluation acts with
 * @param gated the routed network's experts are mixed by a learned gate (false: half and half, the
 *     {@code no_gate} ablation); true for a single-expert network
 */
public record AgentRecipe(String name, boolean routedNetwork, Reward reward, boolean routesGradients, boolean filtersUnseen,
    PolicyView evaluatedView, boolean gated) {
  /** A recipe whose routed network has a gate. */
  public AgentRecipe(String name, boolean routedNetwork, Reward reward, boolean routesGradients, boolean filtersUnseen,
      PolicyView evaluatedView) {
    this(name, routedNetwork, reward, routesGradients, filtersUnseen, evaluatedView, true);
  }

  public AgentRecipe {
    if (!gated && !routedNetwork) throw new IllegalArgumentException("agent recipe '" + name + "': only a routed network can drop its gate");
    if (name == null || name.isBlank()) throw new IllegalArgumentException("agent recipe needs a name");
    if (reward == null) throw new IllegalArgumentException("agent recipe '" + name + "' has no reward");
    if (evaluatedView == null) throw new IllegalArgumentException("agent recipe '" + name + "' has no evaluated view");
    if (routesGradients && !routedNetwork) {
      throw new IllegalArgumentException("agent recipe '" + name + "' routes gradients but has a single-expert network");
    }
    if (!routedNetwork && evaluatedView != PolicyView.TRAINING) {
      throw new IllegalArgumentException("agent recipe '" + name + "': a single-expert network has no "
          + evaluatedView.label() + " policy");
    }
  }
}
