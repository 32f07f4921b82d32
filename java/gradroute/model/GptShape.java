package gradroute.model;

/**
 * The shape knobs of a nanoGPT-style model ({@link GptConfig#modern}) as experiment configs hold
 * them; the vocabulary comes from the tokenizer.
 *
 * @param nLayers blocks
 * @param dModel residual stream width (a multiple of {@code nHeads})
 * @param nHeads query heads (a multiple of {@code nKvHeads})
 * @param nKvHeads key/value heads
 * @param nCtx longest input
 */
public record GptShape(int nLayers, int dModel, int nHeads, int nKvHeads, int nCtx) {
  /** Throws IllegalArgumentException naming the keys when the heads do not divide the widths. */
  public void check() {
    if (dModel % nHeads != 0) throw new IllegalArgumentException("dModel (" + dModel + ") must be a multiple of nHeads (" + nHeads + ")");
    if (nHeads % nKvHeads != 0) {
      throw new IllegalArgumentException("nHeads (" + nHeads + ") must be a multiple of nKvHeads (" + nKvHeads + ")");
    }
  }

  /** The model of this shape over {@code vocab} tokens. */
  public GptConfig modern(int vocab) {
    return GptConfig.modern(nLayers, dModel, nHeads, nKvHeads, vocab, nCtx);
  }
}
