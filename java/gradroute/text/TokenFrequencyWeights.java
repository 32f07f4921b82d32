package gradroute.text;

/**
 * The soft per-token routing weight of the TinyStories ERA runs:
 * {@code w(v) = 1 − σ(r − 1/r − 4)} with {@code r = p_F(v)/p_R(v)}, where p_F and p_R are smoothed
 * token frequencies in forget and retain text (pseudo-counts 1 and 20). A token seen only in forget
 * text gets w ≈ 0 (fully routed), one seen only in retain text w ≈ 1, one equally frequent 0.982.
 * The gate on the original dimensions of a labelled forget story is then {@code 1.75·w − 0.75}.
 */
public final class TokenFrequencyWeights {
    public static final double FORGET_PSEUDO_COUNT = 1;
    public static final double RETAIN_PSEUDO_COUNT = 20;
    public static final double BIAS = -4;

    private final float[] weights;
    private final double[] ratios;

    private TokenFrequencyWeights(long[] forgetCounts, long[] retainCounts) {
        if (forgetCounts.length != retainCounts.length) {
            throw new IllegalArgumentException("count arrays differ in length: " + forgetCounts.length + " vs " + retainCounts.length);
        }
        int n = forgetCounts.length;
        double forgetTotal = total(forgetCounts, FORGET_PSEUDO_COUNT);
        double retainTotal = total(retainCounts, RETAIN_PSEUDO_COUNT);
        weights = new float[n];
        ratios = new double[n];
        for (int v = 0; v < n; v++) {
            double pF = (forgetCounts[v] + FORGET_PSEUDO_COUNT) / forgetTotal;
            double pR = (retainCounts[v] + RETAIN_PSEUDO_COUNT) / retainTotal;
            double r = pF / pR;
            ratios[v] = r;
            weights[v] = (float) weightForRatio(r);
        }
    }

    /** Weights from per-token counts (index = token id) in forget and in retain text. */
    public static TokenFrequencyWeights fromCounts(long[] forgetCounts, long[] retainCounts) {
        return new TokenFrequencyWeights(forgetCounts, retainCounts);
    }

    /** Counts BPE tokens of the texts (no BOS, no truncation) and derives the weights. */
    public static TokenFrequencyWeights fromTexts(BpeTokenizer tokenizer, Iterable<String> forgetTexts, Iterable<String> retainTexts) {
        return fromCounts(countTokens(tokenizer, forgetTexts), countTokens(tokenizer, retainTexts));
    }

    /** Derives the weights from already tokenised sequences. */
    public static TokenFrequencyWeights fromTokens(int vocabSize, Iterable<int[]> forgetTokens, Iterable<int[]> retainTokens) {
        return fromCounts(count(vocabSize, forgetTokens), count(vocabSize, retainTokens));
    }

    public static long[] countTokens(BpeTokenizer tokenizer, Iterable<String> texts) {
        long[] counts = new long[tokenizer.vocabSize()];
        for (String text : texts) for (int id : tokenizer.encode(text)) counts[id]++;
        return counts;
    }

    private static long[] count(int vocabSize, Iterable<int[]> sequences) {
        long[] counts = new long[vocabSize];
        for (int[] seq : sequences) {
            for (int id : seq) {
                if (id < 0 || id >= vocabSize) throw new IllegalArgumentException("token id " + id + " outside [0, " + vocabSize + ")");
                counts[id]++;
            }
        }
        return counts;
    }

    /** {@code 1 − σ(r − 1/r + BIAS)}. */
    public static double weightForRatio(double r) {
        double z = r - 1 / r + BIAS;
        // 1 − σ(z) = σ(−z), written so that large |z| neither overflows nor loses precision
        return z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z));
    }

    private static double total(long[] counts, double pseudo) {
        double sum = 0;
        for (long c : counts) sum += c + pseudo;
        return sum;
    }

    /** Per-token weights, indexed by token id (a copy). */
    public float[] weights() {
        return weights.clone();
    }

    public float weight(int tokenId) {
        return weights[tokenId];
    }

    /** The smoothed frequency ratio p_F/p_R of a token. */
    public double ratio(int tokenId) {
        return ratios[tokenId];
    }

    /** The gate on original dimensions for a labelled forget target token: {@code w + (1−w)·alpha}. */
    public float originalDimsGate(int tokenId, float alphaOriginal) {
        float w = weights[tokenId];
        return w + (1 - w) * alphaOriginal;
    }
}
