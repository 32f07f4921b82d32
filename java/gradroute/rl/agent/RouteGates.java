package gradroute.rl.agent;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * Per-row gradient gates of a routed forward pass, each {@code [rows, 1]} with 0/1 entries: the
 * gradient reaching the diamond expert's output, the ghost expert's output and the gate logit is
 * multiplied by them (forward values are unchanged; see {@link gradroute.routing.Router#route}). One
 * batched forward pass thereby trains every row along its own route.
 */
public record RouteGates(Tensor diamond, Tensor ghost, Tensor gate) {
  /** Both experts and the gate learn: the plain combination. */
  public static final int PLAIN = 0;
  /** Overseen episode that reached the diamond: only the diamond expert learns. */
  public static final int DIAMOND_ONLY = 1;
  /** Overseen episode that reached the ghost: only the ghost expert learns. */
  public static final int GHOST_ONLY = 2;

  /** Gates for rows routed by {@code routes} ({@link #PLAIN}, {@link #DIAMOND_ONLY}, {@link #GHOST_ONLY}). */
  public static RouteGates of(int[] routes, Device device) {
    int n = routes.length;
    float[] diamond = new float[n];
    float[] ghost = new float[n];
    float[] gate = new float[n];
    for (int i = 0; i < n; i++) {
      switch (routes[i]) {
        case PLAIN:
          diamond[i] = 1f;
          ghost[i] = 1f;
          gate[i] = 1f;
          break;
        case DIAMOND_ONLY:
          diamond[i] = 1f;
          break;
        case GHOST_ONLY:
          ghost[i] = 1f;
          break;
        default:
          throw new IllegalArgumentException("route " + routes[i] + " of row " + i + " is not 0, 1 or 2");
      }
    }
    return new RouteGates(column(diamond, device), column(ghost, device), column(gate, device));
  }

  private static Tensor column(float[] values, Device device) {
    Tensor t = Tensor.create(values, values.length, 1);
    return device == null || device.is_cpu() ? t : t.to(device, t.scalar_type());
  }
}
