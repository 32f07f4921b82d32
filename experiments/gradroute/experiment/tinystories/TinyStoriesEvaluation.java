package gradroute.experiment.tinystories;

import gradroute.experiment.tinystories.TinyStoriesRun.Losses;
import gradroute.model.Gpt;
import gradroute.model.LmEval;
import gradroute.text.TokenFrequencyWeights;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The validation losses of a TinyStories model: forget (the forget test stories of F_val), retain
 * (R_val), the forest-topic-token loss (forget stories' loss on target tokens whose weight w(v)
 * from <i>true</i> labels over the training stream is below 0.5) and the fact-value loss (forget
 * stories' loss on the first token of each forest fact's value, {@link ForestFactExposure}).
 */
final class TinyStoriesEvaluation {
  private static final Logger log = LoggerFactory.getLogger(TinyStoriesEvaluation.class);

  private final TinyStoriesConfig s;
  private final TinyStoriesData data;
  private LmEval forgetEval;
  private LmEval retainEval;
  private boolean[] topicTokens;
  private List<int[]> factTargets;

  TinyStoriesEvaluation(TinyStoriesConfig settings, TinyStoriesData data) {
    this.s = settings;
    this.data = data;
  }

  private synchronized void ready() {
    if (forgetEval == null) {
      forgetEval = new LmEval(data.forgetTest(s), s.evalBatch, s.nCtx + 1, data.bos);
      retainEval = new LmEval(data.valRetain, s.evalBatch, s.nCtx + 1, data.bos);
      factTargets = new ForestFactExposure(data.tokenizer).valueTargets(data.forgetTest(s));
    }
  }

  /** Tokens whose weight from true labels over the training stream is below 0.5 (the forget topic's own words). */
  synchronized boolean[] topicTokens() {
    if (topicTokens == null) {
      List<int[]> forget = new ArrayList<>(), retain = new ArrayList<>();
      for (int i = 0; i < data.streamSize; i++) {
        long[] seq = data.train.get(i);
        int[] body = new int[seq.length - 1];
        for (int k = 1; k < seq.length; k++) body[k - 1] = (int) seq[k];
        (data.trainForget[i] ? forget : retain).add(body);
      }
      TokenFrequencyWeights w = TokenFrequencyWeights.fromTokens(data.tokenizer.vocabSize(), forget, retain);
      topicTokens = new boolean[data.tokenizer.vocabSize()];
      int n = 0;
      for (int v = 0; v < topicTokens.length; v++) if (topicTokens[v] = w.weight(v) < 0.5f) n++;
      log.info("{} forest-topic tokens (w < 0.5 by true labels)", n);
    }
    return topicTokens;
  }

  /** Thread-safe: stages running side by side share one evaluation. */
  Losses losses(Gpt model) {
    ready();
    return new Losses(forgetEval.loss(model), retainEval.loss(model), forgetEval.lossOnTargets(model, topicTokens()),
        forgetEval.lossAtTargets(model, factTargets));
  }
}
