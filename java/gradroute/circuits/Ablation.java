package gradroute.circuits;

/** What a patched (ablated) source contributes instead of its output (AutoCircuit's {@code AblationType}). */
public enum Ablation {
  /** Nothing: the source's output is replaced by zeros. */
  ZERO,
  /** The source's output on the corrupt batch, example by example. */
  RESAMPLE,
  /** The source's output at each position, averaged over the clean and corrupt batches together. */
  TOKENWISE_MEAN
}
