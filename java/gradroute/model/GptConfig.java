package gradroute.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Arrays;

/**
 * The shape of a {@link Gpt}: a GPT-style decoder in TransformerLens layout.
 *
 * <p>{@code dMlp} is per layer so that Expand can grow chosen layers only (a clean port of the
 * TinyStories ERA expands layers 0–4 and leaves the rest alone). {@code attnScale} selects the
 * usual {@code 1/sqrt(d_head)} score scaling; the TinyStories-28M configuration has none.
 * {@code initStd} is the standard deviation of every {@code W_*} matrix at initialisation
 * (TransformerLens' "gpt2" init); biases and LayerNorm offsets start at 0, LayerNorm gains at 1.
 *
 * @param nLayers number of blocks
 * @param dModel residual stream width
 * @param nHeads attention heads per block
 * @param dHead width of each head
 * @param dMlp MLP hidden width of each block (length {@code nLayers})
 * @param vocab vocabulary size
 * @param nCtx longest input the position embedding covers
 * @param attnScale whether attention scores are divided by {@code sqrt(dHead)}
 * @param lnEps LayerNorm epsilon
 * @param initStd standard deviation of the weight matrices at initialisation
 */
public record GptConfig(
    int nLayers,
    int dModel,
    int nHeads,
    int dHead,
    int[] dMlp,
    int vocab,
    int nCtx,
    boolean attnScale,
    double lnEps,
    double initStd) {

  public GptConfig {
    require(nLayers >= 1, "nLayers must be >= 1, got " + nLayers);
    require(dModel >= 1, "dModel must be >= 1, got " + dModel);
    require(nHeads >= 1, "nHeads must be >= 1, got " + nHeads);
    require(dHead >= 1, "dHead must be >= 1, got " + dHead);
    require(vocab >= 1, "vocab must be >= 1, got " + vocab);
    require(nCtx >= 1, "nCtx must be >= 1, got " + nCtx);
    require(dMlp != null && dMlp.length == nLayers,
        "dMlp needs one width per layer (" + nLayers + "), got " + Arrays.toString(dMlp));
    for (int d : dMlp) require(d >= 1, "every dMlp must be >= 1, got " + Arrays.toString(dMlp));
    require(lnEps > 0, "lnEps must be > 0, got " + lnEps);
    require(initStd >= 0 && Double.isFinite(initStd), "initStd must be finite and >= 0, got " + initStd);
    dMlp = dMlp.clone();
  }

  /**
   * A config with the same MLP width in every layer, TransformerLens' default init std
   * {@code 0.8/sqrt(dModel)} and LayerNorm eps 1e-5.
   */
  public static GptConfig of(int nLayers, int dModel, int nHeads, int dHead, int dMlp, int vocab, int nCtx,
      boolean attnScale) {
    int[] widths = new int[nLayers];
    Arrays.fill(widths, dMlp);
    return new GptConfig(nLayers, dModel, nHeads, dHead, widths, vocab, nCtx, attnScale, 1e-5,
        0.8 / Math.sqrt(dModel));
  }

  /** The TinyStories-28M shape (8 × 512, 16 heads × 32, d_mlp 2048, no attention scaling). */
  public static GptConfig tinyStories28M(int vocab, int nCtx) {
    return of(8, 512, 16, 32, 2048, vocab, nCtx, false);
  }

  /** The spec's 2-core CPU demo shape (4 × 64, 4 heads × 16, d_mlp 256, no attention scaling). */
  public static GptConfig cpuDemo(int vocab, int nCtx) {
    return of(4, 64, 4, 16, 256, vocab, nCtx, false);
  }

  @Override
  public int[] dMlp() {
    return dMlp.clone();
  }

  public int dMlp(int layer) {
    return dMlp[layer];
  }

  public GptConfig withDMlp(int[] widths) {
    return new GptConfig(nLayers, dModel, nHeads, dHead, widths, vocab, nCtx, attnScale, lnEps, initStd);
  }

  public GptConfig withHeads(int heads, int headWidth) {
    return new GptConfig(nLayers, dModel, heads, headWidth, dMlp, vocab, nCtx, attnScale, lnEps, initStd);
  }

  public GptConfig withDModel(int width) {
    return new GptConfig(nLayers, width, nHeads, dHead, dMlp, vocab, nCtx, attnScale, lnEps, initStd);
  }

  public GptConfig withInitStd(double std) {
    return new GptConfig(nLayers, dModel, nHeads, dHead, dMlp, vocab, nCtx, attnScale, lnEps, std);
  }

  /** Number of parameters, embeddings included. */
  @JsonIgnore
  public long parameterCount() {
    long n = (long) vocab * dModel + (long) nCtx * dModel + 2L * dModel + (long) dModel * vocab + vocab;
    for (int l = 0; l < nLayers; l++) {
      long attn = 3L * nHeads * dModel * dHead + 3L * nHeads * dHead + (long) nHeads * dHead * dModel + dModel;
      long mlp = 2L * dModel * dMlp[l] + dMlp[l] + dModel;
      n += attn + mlp + 4L * dModel;
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GptConfig c
        && nLayers == c.nLayers && dModel == c.dModel && nHeads == c.nHeads && dHead == c.dHead
        && Arrays.equals(dMlp, c.dMlp) && vocab == c.vocab && nCtx == c.nCtx && attnScale == c.attnScale
        && Double.compare(lnEps, c.lnEps) == 0 && Double.compare(initStd, c.initStd) == 0;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(nLayers, dModel, nHeads, dHead, Arrays.hashCode(dMlp), vocab, nCtx, attnScale, lnEps, initStd);
  }

  @Override
  public String toString() {
    return "GptConfig[layers=" + nLayers + ", dModel=" + dModel + ", heads=" + nHeads + "x" + dHead
        + ", dMlp=" + Arrays.toString(dMlp) + ", vocab=" + vocab + ", nCtx=" + nCtx
        + ", attnScale=" + attnScale + ", lnEps=" + lnEps + ", initStd=" + initStd + "]";
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }
}
