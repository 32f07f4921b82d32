package gradroute.rl.agent;

/**
 * Which policy a network acts with. A routed network has all three; a single-expert network only
 * {@link #TRAINING}.
 */
public enum PolicyView {
  /** The policy that was trained and collected the experience: σ(gate)·diamond + (1−σ)·ghost. */
  TRAINING,
  /** Steered: input → diamond expert → shared head; gate and ghost expert removed. */
  DIAMOND,
  /** input → ghost expert → shared head; gate and diamond expert removed. */
  GHOST;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
