package gradroute.model;

import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.TensorVector;

/** Settings of libtorch's AdamW; {@link #create} builds the optimiser. */
public record AdamWConfig(double lr, double beta1, double beta2, double weightDecay, double eps) {
  public AdamWConfig {
    if (!(lr >= 0)) throw new IllegalArgumentException("lr must be >= 0, got " + lr);
    if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
    }
    if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
  }

  public static AdamWConfig of(double lr, double beta1, double beta2, double weightDecay) {
    return new AdamWConfig(lr, beta1, beta2, weightDecay, 1e-8);
  }

  public AdamWConfig withLr(double newLr) {
    return new AdamWConfig(newLr, beta1, beta2, weightDecay, eps);
  }

  /**
   * The optimiser over {@code params}. Create it outside any {@code PointerScope} (or retain it):
   * it must live as long as training does.
   */
  public AdamW create(TensorVector params) {
    AdamWOptions o = new AdamWOptions(lr);
    setBetas(o, beta1, beta2);
    o.weight_decay().put(weightDecay);
    o.eps().put(eps);
    return new AdamW(params, o);
  }

  /** Sets the learning rate of every parameter group. */
  public static void setLr(AdamW optimizer, double lr) {
    var groups = optimizer.param_groups();
    for (long i = 0; i < groups.size(); i++) groups.get(i).options().set_lr(lr);
  }

  /** The betas as the options hold them, {beta1, beta2}. */
  static double[] betas(AdamWOptions o) {
    var p = o.betas();
    return BETA1_FIRST ? new double[] {p.get(0), p.get(1)} : new double[] {p.get(1), p.get(0)};
  }

  private static void setBetas(AdamWOptions o, double b1, double b2) {
    var p = o.betas();
    if (BETA1_FIRST) {
      p.put(0, b1).put(1, b2);
    } else {
      p.put(1, b1).put(0, b2);
    }
  }

  /**
   * Where std::tuple&lt;double, double&gt; keeps its first element: the preset exposes it as a raw
   * pair of doubles, and libstdc++ lays tuples out last-element-first. Detected from the defaults
   * (0.9, 0.999).
   */
  private static final boolean BETA1_FIRST;

  static {
    AdamWOptions probe = new AdamWOptions();
    double first = probe.betas().get(0);
    double second = probe.betas().get(1);
    if (first == 0.9 && second == 0.999) BETA1_FIRST = true;
    else if (first == 0.999 && second == 0.9) BETA1_FIRST = false;
    else throw new IllegalStateException("unexpected AdamW default betas in memory: " + first + ", " + second);
    probe.deallocate();
  }
}
