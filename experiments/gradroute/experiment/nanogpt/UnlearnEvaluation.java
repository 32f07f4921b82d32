package gradroute.experiment.nanogpt;

import gradroute.experiment.nanogpt.UnlearnRun.Losses;
import gradroute.model.Gpt;
import gradroute.model.LmEval;
import java.io.IOException;
import java.util.Arrays;

/** The held-out losses every stage of every method is measured by, and the absorption breakdown of the unrouted targets. */
final class UnlearnEvaluation {
  private final UnlearnConfig s;
  private final UnlearnData data;
  private final boolean[] routedTargets;
  private final double[] scores;
  private EvalSets evalSets;

  UnlearnEvaluation(UnlearnConfig s, UnlearnData data) throws IOException {
    this.s = s;
    this.data = data;
    this.routedTargets = data.routedMask();
    this.scores = data.scoreById();
  }

  /** The losses of {@code model} on the held-out forget and retain windows. */
  Losses losses(Gpt model) {
    EvalSets e = evalSets();
    double[] forget = e.forget().lossesOnTargets(model, e.all(), routedTargets, e.unrouted(), e.topical(), e.generic());
    return new Losses(forget[0], forget[1], forget[2], forget[3], forget[4], e.retain().lossOnTargets(model, e.all()));
  }

  /**
   * The held-out forget and retain windows, and the target selections: every token, the unrouted
   * ones (the routed ones are {@link #routedTargets}), and those split by the token score into topical and generic.
   */
  private record EvalSets(LmEval forget, LmEval retain, boolean[] all, boolean[] unrouted, boolean[] topical, boolean[] generic) {}

  private synchronized EvalSets evalSets() {
    if (evalSets == null) {
      int len = s.nCtx() + 1;
      boolean[] all = new boolean[data.tokenizer.vocabSize()];
      Arrays.fill(all, true);
      boolean[] unrouted = new boolean[all.length], topical = new boolean[all.length], generic = new boolean[all.length];
      for (int v = 0; v < all.length; v++) {
        unrouted[v] = !routedTargets[v];
        topical[v] = unrouted[v] && scores[v] >= s.topicalScore();
        generic[v] = unrouted[v] && !topical[v];
      }
      evalSets = new EvalSets(new LmEval(UnlearnData.windows(data.forgetEval, len, s.evalWindows()), 16, len, 0),
          new LmEval(UnlearnData.windows(data.retainEval, len, s.evalWindows()), 16, len, 0), all, unrouted, topical, generic);
    }
    return evalSets;
  }

  /** The topical/generic split of the unrouted targets: the threshold, the topical token count, both shares of the held-out forget tokens. */
  UnlearnReport.Absorption absorption() {
    EvalSets e = evalSets();
    int topicalTokens = 0;
    for (boolean t : e.topical()) if (t) topicalTokens++;
    return new UnlearnReport.Absorption(s.topicalScore(), topicalTokens, data.forgetEvalShare(e.topical()), data.forgetEvalShare(e.generic()));
  }
}
