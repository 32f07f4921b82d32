package gradroute.experiment.minigrid;

import gradroute.rl.agent.PolicyView;
import gradroute.rl.env.Reward;
import gradroute.rl.reinforce.AgentRecipe;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The agents compared in the oversight experiment: what network each trains, on which reward, with
 * which loss, and which policy stands for it at evaluation.
 */
public enum Method {
  /** Routed network, routing reward, stop-gradients per route; evaluated steered (diamond policy). */
  ROUTING("routing", "routed", true, Reward.ROUTING, PolicyView.DIAMOND),
  /** The same network, reward and loss (gate loss included) without stop-gradients. */
  NO_ROUTING_CONTROL("no_routing_control", "control", true, Reward.ROUTING, PolicyView.DIAMOND),
  /**
   * The official ablation {@code no_gate}: routing as {@link #ROUTING} but the experts mixed half and
   * half, no gate. (The official bulk_runs_ablations.py builds it with use_gate=True,
   * use_gradient_routing=False, the same as the control; we build what its name says.)
   */
  NO_GATE("no_gate", "nogate", true, Reward.ROUTING, PolicyView.DIAMOND),
  /** Single expert on the outcome-based reward: learns to seek ghosts nobody oversees. */
  NAIVE_OUTCOMES("naive_outcomes", "naive", false, Reward.NAIVE, PolicyView.TRAINING),
  /** Single expert on the true reward, trained only on overseen episodes and those that reached nothing. */
  FILTERING("filtering", "filter", false, Reward.TRUE, PolicyView.TRAINING),
  /** Single expert on the true reward with every label, for oversight × the updates of the others. */
  ORACLE("oracle", "oracle", false, Reward.TRUE, PolicyView.TRAINING);

  private final String id;
  private final String shortName;
  private final boolean routedNetwork;
  private final Reward reward;
  private final PolicyView headline;

  Method(String id, String shortName, boolean routedNetwork, Reward reward, PolicyView headline) {
    this.id = id;
    this.shortName = shortName;
    this.routedNetwork = routedNetwork;
    this.reward = reward;
    this.headline = headline;
  }

  /** The method's name in results and summaries, e.g. {@code naive_outcomes}. */
  public String id() {
    return id;
  }

  /** The command-line name, e.g. {@code naive}. */
  public String shortName() {
    return shortName;
  }

  /** Two experts and a gate ({@link gradroute.rl.agent.RoutedPolicy}) rather than one expert. */
  public boolean routedNetwork() {
    return routedNetwork;
  }

  /** The reward the agent is trained on. */
  public Reward reward() {
    return reward;
  }

  /** Stop-gradients by episode label (only {@link #ROUTING}). */
  public boolean routesGradients() {
    return this == ROUTING || this == NO_GATE;
  }

  /** Drops the steps of episodes that ended on a terminal nobody oversaw ({@link #FILTERING}). */
  public boolean filtersUnseen() {
    return this == FILTERING;
  }

  /** The policy the method is judged by. */
  public PolicyView headlineView() {
    return headline;
  }

  /** What the training algorithm needs to know about this method. */
  public AgentRecipe recipe() {
    return new AgentRecipe(id, routedNetwork, reward, routesGradients(), filtersUnseen(), headline, this != NO_GATE);
  }

  /** The views worth evaluating: all three for a routed network, the training policy otherwise. */
  public List<PolicyView> evaluatedViews() {
    return routedNetwork ? List.of(PolicyView.DIAMOND, PolicyView.TRAINING, PolicyView.GHOST) : List.of(PolicyView.TRAINING);
  }

  /** Updates this method trains for when the others train {@code updates}: the oracle gets oversight × as many. */
  public long updatesFor(long updates, double oversight) {
    if (this != ORACLE) {
      return updates;
    }
    return Math.max(1, Math.round(oversight * updates));
  }

  /** By result name, command-line name or {@code routed}/{@code routing}, case-insensitive. */
  public static Method parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (Method m : values()) {
      if (m.id.equals(n) || m.shortName.equals(n)) {
        return m;
      }
    }
    if (n.equals("routing")) {
      return ROUTING;
    }
    throw new IllegalArgumentException("unknown method '" + name + "' (expected routed, naive, filter, oracle, control, nogate or all)");
  }

  /** A comma list of names; {@code all} stands for every method. Order kept, duplicates dropped. */
  public static List<Method> parseList(List<String> names) {
    LinkedHashSet<Method> out = new LinkedHashSet<>();
    for (String raw : names) {
      for (String part : raw.split(",")) {
        if (part.isBlank()) {
          continue;
        }
        if (part.trim().equalsIgnoreCase("all")) {
          out.addAll(List.of(values()));
        } else {
          out.add(parse(part));
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no method given (expected routed, naive, filter, oracle, control, nogate or all)");
    }
    return new ArrayList<>(out);
  }
}
