package gradroute.experiment.tinystories;

import gradroute.model.LmEval;
import gradroute.model.TokenBatch;
import gradroute.model.era.EraPipeline;
import gradroute.report.CsvTable;
import gradroute.report.RunDirectory;
import gradroute.routing.SoftTokenRule;
import gradroute.text.TokenFrequencyWeights;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What ERA trains with besides the story stream: the soft per-token routing weights, and the
 * coherence fine-tune's retain stories.
 */
final class EraInputs {
  private static final Logger log = LoggerFactory.getLogger(EraInputs.class);

  private final TinyStoriesConfig s;
  private final TinyStoriesData data;
  private final RunDirectory run;

  EraInputs(TinyStoriesConfig s, TinyStoriesData data, RunDirectory run) {
    this.s = s;
    this.data = data;
    this.run = run;
  }

  /** Words whose token weights the first seed's token_weights_p*.csv shows. */
  static final String[] PROBE_WORDS = {"tree", "trees", "forest", "owl", "squirrel", "acorns", "moss", "leaves", "shadows",
      "bird", "hill", "quiet", "picnic", "sunny", "water", "park", "mom", "dog", "the"};


  /**
   * Token weights from forget vs retain training stories, as {@link TinyStoriesConfig#tokenWeightsFrom}
   * says: by the partial labels (strict), or by the keyword rule (the reference code's rule).
   */
  SoftTokenRule tokenWeights(long seed, double p, int[] labels) throws IOException {
    boolean[] counted = tokenWeightForget(s.tokenWeightsFrom(), labels, data.trainForget);
    List<int[]> forget = new ArrayList<>(), retain = new ArrayList<>();
    for (int i = 0; i < data.streamSize; i++) {
      long[] seq = data.train.get(i);
      int[] body = new int[seq.length - 1];
      for (int k = 1; k < seq.length; k++) body[k - 1] = (int) seq[k];
      if (counted[i]) {
        if (forget.size() < s.frequencyStories()) forget.add(body);
      } else if (retain.size() < s.frequencyStories()) {
        retain.add(body);
      }
    }
    TokenFrequencyWeights w = TokenFrequencyWeights.fromTokens(data.tokenizer.vocabSize(), forget, retain);
    if (seed == s.seeds().get(0)) {
      CsvTable t = CsvTable.withColumns("word", "token", "ratio", "weight", "original_dims_gate");
      for (String word : PROBE_WORDS) {
        try {
          int id = TinyStoriesData.singleToken(data.tokenizer, word);
          t.addRow(word, id, w.ratio(id), (double) w.weight(id), (double) w.originalDimsGate(id, (float) s.alphaOriginal()));
        } catch (IllegalArgumentException e) {
          log.debug("token weight table: {}", e.getMessage());
        }
      }
      t.write(run.path("token_weights_p" + p + ".csv"));
    }
    return new SoftTokenRule(w.weights());
  }

  /** The stories the token weights count as forget: by the partial labels, or by the keyword rule (every true forget story). */
  static boolean[] tokenWeightForget(String from, int[] labels, boolean[] keywordForget) {
    if (labels.length != keywordForget.length) {
      throw new IllegalArgumentException(labels.length + " labels for " + keywordForget.length + " stories");
    }
    TinyStoriesConfig.requireTokenWeightRule(from);
    if (from.equals("keywords")) return keywordForget.clone();
    boolean[] out = new boolean[labels.length];
    for (int i = 0; i < out.length; i++) out[i] = labels[i] == ForgetLabels.FORGET;
    return out;
  }

  /**
   * The coherence fine-tune's data: a fixed batch of true retain stories (by the keyword rule, not
   * the partial labels) and held-out true retain stories to select the step by.
   */
  EraPipeline.CoherenceSpec coherence() {
    List<long[]> tune = new ArrayList<>(), select = new ArrayList<>();
    for (int i = data.streamSize; i < data.train.size(); i++) {
      if (data.trainForget[i]) continue; // true retain stories, as the paper's coherence step uses, whatever the oversight
      if (tune.size() < s.coherenceStories()) tune.add(data.train.get(i));
      else if (select.size() < s.coherenceSelectionStories()) select.add(data.train.get(i));
    }
    if (tune.isEmpty() || select.isEmpty()) throw new IllegalStateException("no retain stories left for the coherence fine-tune");
    LmEval selection = new LmEval(select, s.evalBatch(), s.nCtx() + 1, data.bos);
    TokenBatch batch = new TokenBatch(tune, s.nCtx() + 1, data.bos);
    return new EraPipeline.CoherenceSpec(batch, selection::loss, s.coherenceSteps(),
        s.optimizer().adamW().withLr(s.coherenceLr()));
  }
}
