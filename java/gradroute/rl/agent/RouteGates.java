package gradroute.rl.agent;

import gradroute.hooks.MaskRule;
import gradroute.routing.MaskTable;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * Per-row gradient routes of a {@link RoutedPolicy} forward pass, as a mask rule at its hook points:
 * each row's route ({@link #PLAIN}, {@link #DIAMOND_ONLY}, {@link #GHOST_ONLY}) picks 0/1 gates on
 * the gradient reaching the diamond expert's output, the ghost expert's output and the gate's mixing
 * logit (forward values are unchanged). One batched forward pass thereby trains every row along its
 * own route:
 *
 * <pre>{@code
 * try (MaskApplier routes = MaskApplier.apply(policy, RouteGates.POINTS, RouteGates.RULE, device)) {
 *   routes.set(RouteGates.index(routeOfRow, device), null);
 *   policy.forward(observations) ... backward();
 * }
 * }</pre>
 */
public final class RouteGates {
  /** Both experts and the gate learn: the plain combination. */
  public static final int PLAIN = 0;
  /** Overseen episode that reached the diamond: only the diamond expert learns. */
  public static final int DIAMOND_ONLY = 1;
  /** Overseen episode that reached the ghost: only the ghost expert learns. */
  public static final int GHOST_ONLY = 2;

  /** The routed points of a {@link RoutedPolicy}. */
  public static final List<String> POINTS =
      List.of(RoutedPolicy.HOOK_DIAMOND, RoutedPolicy.HOOK_GHOST, RoutedPolicy.HOOK_MIX_LOGIT);

  /** Gates by route (rows PLAIN, DIAMOND_ONLY, GHOST_ONLY, then no mask), per routed point. */
  public static final MaskRule RULE = (point, rowShape) -> {
    if (rowShape.length != 1) {
      throw new IllegalArgumentException("'" + point + "' rows are " + Arrays.toString(rowShape) + ", expected one dim");
    }
    int width = Math.toIntExact(rowShape[0]);
    boolean diamond = point.equals(RoutedPolicy.HOOK_DIAMOND);
    boolean ghost = point.equals(RoutedPolicy.HOOK_GHOST);
    if (!diamond && !ghost && !point.equals(RoutedPolicy.HOOK_MIX_LOGIT)) {
      throw new IllegalArgumentException("no route gates for hook point '" + point + "'; routed points are " + POINTS);
    }
    return MaskTable.builder(width)
        .values(filled(width, 1f))
        .values(filled(width, diamond ? 1f : 0f))
        .values(filled(width, ghost ? 1f : 0f))
        .build();
  };

  private RouteGates() {}

  /** The route indices {@code [rows]} (int64) of {@code routes}, each checked to be 0, 1 or 2. */
  public static Tensor index(int[] routes, Device device) {
    long[] index = new long[routes.length];
    for (int i = 0; i < routes.length; i++) {
      if (routes[i] != PLAIN && routes[i] != DIAMOND_ONLY && routes[i] != GHOST_ONLY) {
        throw new IllegalArgumentException("route " + routes[i] + " of row " + i + " is not 0, 1 or 2");
      }
      index[i] = routes[i];
    }
    Tensor t = Tensor.create(index, index.length);
    return device == null || device.is_cpu() ? t : t.to(device, t.scalar_type());
  }

  private static float[] filled(int width, float value) {
    float[] r = new float[width];
    Arrays.fill(r, value);
    return r;
  }
}
