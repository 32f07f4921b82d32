package gradroute.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Arrays;

/**
 * The shape of a {@link Gpt}: a GPT-style decoder in TransformerLens layout, either the classic
 * GPT-2 shape (LayerNorm, learned positions, untied unembedding) or the modern one of the
 * nanoGPT experiments (RMSNorm, rotary positions, optional grouped-query attention, tied
 * embeddings); the fields below choose, one block implementation serves both.
 *
 * <p>{@code dMlp} is per layer so that Expand can grow chosen layers only (a clean port of the
 * TinyStories ERA expands layers 0–4 and leaves the rest alone). {@code attnScale} selects the
 * usual {@code 1/sqrt(d_head)} score scaling; the TinyStories-28M configuration has none.
 * {@code initStd} is the standard deviation of every {@code W_*} matrix at initialisation
 * (TransformerLens' "gpt2" init); biases and LayerNorm offsets start at 0, norm gains at 1.
 *
 * @param nLayers number of blocks
 * @param dModel residual stream width
 * @param nHeads attention (query) heads per block
 * @param dHead width of each head
 * @param dMlp MLP hidden width of each block (length {@code nLayers})
 * @param vocab vocabulary size
 * @param nCtx longest input (the position embedding's length, or the rotary tables')
 * @param attnScale whether attention scores are divided by {@code sqrt(dHead)}
 * @param lnEps LayerNorm / RMSNorm epsilon
 * @param initStd standard deviation of the weight matrices at initialisation
 * @param norm {@link Norm#LAYER} (gain and bias) or {@link Norm#RMS} (gain only)
 * @param rotaryDim 0 for a learned position embedding; otherwise no position embedding and rotary
 *     embeddings on the first {@code rotaryDim} dims of every query and key head, interleaved pairs
 * @param nKvHeads key/value heads (grouped-query attention); equal to {@code nHeads} for plain
 *     multi-head attention
 * @param tiedEmbeddings whether the unembedding is {@code embed.W_E}ᵀ (then it has no bias)
 * @param scaledResidualInit whether the matrices writing into the residual stream ({@code
 *     attn.W_O}, {@code mlp.W_out}) start at {@code initStd / sqrt(2 nLayers)} (GPT-2's init)
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
    double initStd,
    Norm norm,
    int rotaryDim,
    int nKvHeads,
    boolean tiedEmbeddings,
    boolean scaledResidualInit) {

  /** The normalisation before attention, before the MLP and before the unembedding. */
  public enum Norm {
    LAYER,
    RMS
  }

  /** Base of the rotary frequencies {@code theta_j = BASE^(-2j / rotaryDim)}. */
  public static final double ROTARY_BASE = 10000.0;

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
    // configurations saved before these fields existed read back as the classic GPT-2 shape
    if (norm == null) norm = Norm.LAYER;
    if (nKvHeads == 0) nKvHeads = nHeads;
    require(nKvHeads >= 1 && nHeads % nKvHeads == 0,
        "nKvHeads must divide nHeads (" + nHeads + "), got " + nKvHeads);
    require(rotaryDim >= 0 && rotaryDim <= dHead && rotaryDim % 2 == 0,
        "rotaryDim must be an even number in 0.." + dHead + " (dHead), got " + rotaryDim);
    dMlp = dMlp.clone();
  }

  /** The classic GPT-2 shape: LayerNorm, learned positions, plain attention, untied unembedding. */
  public GptConfig(int nLayers, int dModel, int nHeads, int dHead, int[] dMlp, int vocab, int nCtx, boolean attnScale,
      double lnEps, double initStd) {
    this(nLayers, dModel, nHeads, dHead, dMlp, vocab, nCtx, attnScale, lnEps, initStd, Norm.LAYER, 0, nHeads, false,
        false);
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

  /**
   * The nanoGPT-factrep shape: pre-norm RMSNorm (eps 1e-6), rotary embeddings on half of each
   * head, {@code nKvHeads} key/value heads, MLP width 4·dModel, scaled attention, tied embeddings,
   * N(0, 0.02) init with {@code W_O}/{@code W_out} at 0.02/sqrt(2L).
   */
  public static GptConfig modern(int nLayers, int dModel, int nHeads, int nKvHeads, int vocab, int nCtx) {
    require(nHeads >= 1 && dModel % nHeads == 0, "dModel " + dModel + " must be a multiple of nHeads " + nHeads);
    int dHead = dModel / nHeads;
    int[] widths = new int[nLayers];
    Arrays.fill(widths, 4 * dModel);
    return new GptConfig(nLayers, dModel, nHeads, dHead, widths, vocab, nCtx, true, 1e-6, 0.02, Norm.RMS,
        2 * (dHead / 4), nKvHeads, true, true);
  }

  /** The shape of the 2-core CPU demo (4 × 64, 4 heads × 16, d_mlp 256, no attention scaling). */
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

  /** Whether positions come from a learned embedding ({@code pos_embed.W_pos}) rather than rotary. */
  @JsonIgnore
  public boolean learnedPositions() {
    return rotaryDim == 0;
  }

  /**
   * Whether the MLP uses exact GELU (nanoGPT, the RMSNorm shape) rather than the tanh
   * approximation (GPT-2 and TransformerLens' TinyStories models, the LayerNorm shape).
   */
  @JsonIgnore
  public boolean exactGelu() {
    return norm == Norm.RMS;
  }

  public GptConfig withDMlp(int[] widths) {
    return new GptConfig(nLayers, dModel, nHeads, dHead, widths, vocab, nCtx, attnScale, lnEps, initStd, norm,
        rotaryDim, nKvHeads, tiedEmbeddings, scaledResidualInit);
  }

  /** Number of parameters, embeddings included. */
  @JsonIgnore
  public long parameterCount() {
    long normParams = norm == Norm.LAYER ? 2L * dModel : dModel;
    long n = (long) vocab * dModel + normParams;
    if (learnedPositions()) n += (long) nCtx * dModel;
    if (!tiedEmbeddings) n += (long) dModel * vocab + vocab;
    for (int l = 0; l < nLayers; l++) {
      long qo = 2L * nHeads * dModel * dHead + (long) nHeads * dHead + dModel;
      long kv = 2L * nKvHeads * dModel * dHead + 2L * nKvHeads * dHead;
      long mlp = 2L * dModel * dMlp[l] + dMlp[l] + dModel;
      n += qo + kv + mlp + 2 * normParams;
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GptConfig c
        && nLayers == c.nLayers && dModel == c.dModel && nHeads == c.nHeads && dHead == c.dHead
        && Arrays.equals(dMlp, c.dMlp) && vocab == c.vocab && nCtx == c.nCtx && attnScale == c.attnScale
        && Double.compare(lnEps, c.lnEps) == 0 && Double.compare(initStd, c.initStd) == 0
        && norm == c.norm && rotaryDim == c.rotaryDim && nKvHeads == c.nKvHeads
        && tiedEmbeddings == c.tiedEmbeddings && scaledResidualInit == c.scaledResidualInit;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(nLayers, dModel, nHeads, dHead, Arrays.hashCode(dMlp), vocab, nCtx, attnScale, lnEps, initStd,
        norm, rotaryDim, nKvHeads, tiedEmbeddings, scaledResidualInit);
  }

  @Override
  public String toString() {
    return "GptConfig[layers=" + nLayers + ", dModel=" + dModel + ", heads=" + nHeads + "x" + dHead
        + ", dMlp=" + Arrays.toString(dMlp) + ", vocab=" + vocab + ", nCtx=" + nCtx
        + ", attnScale=" + attnScale + ", lnEps=" + lnEps + ", initStd=" + initStd
        + (norm == Norm.LAYER && learnedPositions() && nKvHeads == nHeads && !tiedEmbeddings && !scaledResidualInit ? ""
            : ", norm=" + norm + ", rotaryDim=" + rotaryDim + ", kvHeads=" + nKvHeads + ", tied=" + tiedEmbeddings
                + ", scaledResidualInit=" + scaledResidualInit)
        + "]";
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }
}
