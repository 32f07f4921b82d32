package gradroute.model;

/**
 * The optimiser knobs experiment configs share: AdamW with a warmup-then-cosine learning rate and
 * an optional gradient clip.
 *
 * @param lr peak learning rate
 * @param minLr learning rate at the end of the cosine (at most {@code lr})
 * @param warmup steps of linear warmup
 * @param clip max global gradient norm, 0 for none
 */
public record OptimizerConfig(double lr, double minLr, long warmup, double beta1, double beta2, double weightDecay, double clip) {
  /** nanoGPT's betas (0.9, 0.95). */
  public static OptimizerConfig nanoGpt(double lr, double minLr, long warmup, double weightDecay, double clip) {
    return new OptimizerConfig(lr, minLr, warmup, 0.9, 0.95, weightDecay, clip);
  }

  /** AdamW at the peak rate (the schedule sets the rate of each step). */
  public AdamWConfig adamW() {
    return AdamWConfig.of(lr, beta1, beta2, weightDecay);
  }

  /** The schedule of a run of {@code steps} steps. */
  public LrSchedule schedule(long steps) {
    return new LrSchedule(lr, minLr, warmup, steps);
  }

  /** Throws IllegalArgumentException when {@code minLr} exceeds the peak, named {@code lrKey} in the message. */
  public void check(String lrKey) {
    if (minLr > lr) throw new IllegalArgumentException("minLr (" + minLr + ") must not exceed " + lrKey + " (" + lr + ")");
  }
}
