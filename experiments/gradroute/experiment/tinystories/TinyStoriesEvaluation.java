package gradroute.experiment.tinystories;

import gradroute.experiment.tinystories.TinyStoriesRun.Losses;
import gradroute.model.Generation;
import gradroute.model.Gpt;
import gradroute.model.AdamWConfig;
import gradroute.model.TokenBatch;
import gradroute.model.unlearn.RetrainingAttack;
import gradroute.model.LmEval;
import gradroute.text.TokenFrequencyWeights;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The validation losses of a TinyStories model: forget (the forget test stories of F_val), retain
 * (R_val), the forest-topic-token loss (forget stories' loss on target tokens whose weight w(v)
 * from <i>true</i> labels over the training stream is below 0.5) and the fact-value loss (forget
 * stories' loss on the first token of each forest fact's value, {@link ForestFactExposure}); the
 * retraining attack on a model, and its sample generations.
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
      forgetEval = new LmEval(data.forgetTest(s), s.evalBatch(), s.nCtx() + 1, data.bos);
      retainEval = new LmEval(data.valRetain, s.evalBatch(), s.nCtx() + 1, data.bos);
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

  /** One repetition's split of F_val: the attack stories and the forget test set of the retraining attack. */
  record AttackSplit(List<long[]> attack, List<long[]> test) {}

  AttackSplit attackSplit(long seed, int rep) {
    List<long[]> pool = new ArrayList<>(data.valForget);
    Collections.shuffle(pool, new Random(seed * 7919 + rep));
    return new AttackSplit(pool.subList(0, s.attackStories()), pool.subList(s.attackStories(), pool.size()));
  }

  record Attack(int[] steps, double[] forget, double min, double seconds) {
    static final Attack NONE = new Attack(null, null, Double.NaN, 0);
  }

  /** Retraining attacks averaged over repetitions, each with its own split of F_val. */
  Attack attack(String key, Gpt model, long seed) {
    long t0 = System.nanoTime();
    RetrainingAttack.Spec spec = new RetrainingAttack.Spec(s.attackSteps(), s.attackEvalEvery(),
        AdamWConfig.of(s.attackLr(), s.beta1(), s.beta2(), 0.01), 0);
    double[] sum = null;
    int[] steps = null;
    for (int rep = 0; rep < s.attackRepetitions(); rep++) {
      AttackSplit split = attackSplit(seed, rep);
      TokenBatch attack = new TokenBatch(split.attack(), s.nCtx() + 1, data.bos);
      LmEval test = new LmEval(split.test(), s.evalBatch(), s.nCtx() + 1, data.bos);
      RetrainingAttack.Curve c = RetrainingAttack.run(key + " attack " + rep, model, attack, test::loss, spec);
      if (sum == null) {
        sum = new double[c.forgetLoss().length];
        steps = c.steps();
      }
      for (int i = 0; i < sum.length; i++) sum[i] += c.forgetLoss()[i];
    }
    double min = Double.POSITIVE_INFINITY;
    for (int i = 0; i < sum.length; i++) {
      sum[i] /= s.attackRepetitions();
      min = Math.min(min, sum[i]);
    }
    return new Attack(steps, sum, min, (System.nanoTime() - t0) / 1e9);
  }

  void generate(Gpt model, String label, Map<String, String> out) {
    long[] prompt = data.prompt(s.prompt(), s.nCtx());
    long[] greedy = Generation.generate(model, prompt, s.generateTokens(), Generation.Sampling.GREEDY, 0, data.bos);
    long[] sampled = Generation.generate(model, prompt, s.generateTokens(), Generation.Sampling.of(0.8, 20), 1, data.bos);
    out.put(label + " (greedy)", s.prompt() + decode(greedy));
    out.put(label + " (T=0.8, top-20)", s.prompt() + decode(sampled));
  }

  private String decode(long[] tokens) {
    int n = tokens.length;
    if (n > 0 && tokens[n - 1] == data.bos) n--;
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) ids[i] = (int) tokens[i];
    return data.tokenizer.decode(ids);
  }
}
