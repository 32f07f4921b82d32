package gradroute.model;

/**
 * Linear warmup from 0 to {@code peak} over {@code warmup} steps, then cosine decay to {@code
 * floor} at step {@code total} (and {@code floor} after).
 */
public record LrSchedule(double peak, double floor, long warmup, long total) {
  public LrSchedule {
    if (!(peak >= 0 && floor >= 0)) throw new IllegalArgumentException("learning rates must be >= 0");
    if (warmup < 0 || total < 1) throw new IllegalArgumentException("warmup must be >= 0 and total >= 1");
  }

  public static LrSchedule constant(double lr) {
    return new LrSchedule(lr, lr, 0, 1);
  }

  public double at(long step) {
    if (step < warmup) return peak * (step + 1) / warmup;
    if (step >= total) return floor;
    long span = Math.max(1, total - warmup);
    double progress = (double) (step - warmup) / span;
    return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress));
  }
}
