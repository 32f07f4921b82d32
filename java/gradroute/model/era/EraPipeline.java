package gradroute.model.era;

import gradroute.model.AdamWConfig;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.LmTrainer;
import gradroute.model.LrSchedule;
import gradroute.model.TokenBatch;
import gradroute.routing.SoftTokenRule;
import gradroute.train.History;
import java.io.IOException;
import java.util.function.ToDoubleFunction;

/**
 * Expand, Route, Ablate (the gradient routing paper's unlearning method) with the coherence fine-tune, as one pipeline: expand
 * the MLPs of a model, train it with the ERA masks on the added units, cut the added units off, then
 * fine-tune the ablated model briefly on retain data and keep the best step.
 *
 * <p>What is the caller's: the data ({@link LmTrainer.BatchSource} says which stories of each batch
 * are routed, {@link SoftTokenRule} weighs their tokens), the training loop ({@link
 * Stages#train}, with its checkpoints and resume), and what to do with the model after each
 * stage ({@link Stages#after}: evaluate, sample, save).
 *
 * <pre>{@code
 * EraPipeline.Result r = EraPipeline.run("era-s0", Gpt.create(config, device, seed), spec, batches, weights, coherence, stages);
 * ... r.model() is the ablated, tuned model; close it when done
 * }</pre>
 */
public final class EraPipeline {
  /** The stage a model has just passed. */
  public enum Stage {
    /** The expanded model after route-training (routing hooks detached). */
    TRAINED,
    /** The original-shaped model with the added units cut off. */
    ABLATED,
    /** The ablated model after the coherence fine-tune, at its best step. */
    COHERENT
  }

  /**
   * @param expansion which MLPs grow and by how much (and the seed of the added units)
   * @param routing the ERA masks and the L1 penalty
   * @param route false for the ERA control: the same expansion and L1, nothing routed
   * @param optimizer the route-training optimiser
   * @param schedule its learning-rate schedule
   */
  public record Spec(ExpansionSpec expansion, EraRouting.Spec routing, boolean route, AdamWConfig optimizer,
      LrSchedule schedule) {}

  /**
   * The coherence fine-tune ({@link Coherence#tune}): steps on one fixed retain batch, keeping the
   * step with the lowest selection loss.
   */
  public record CoherenceSpec(TokenBatch batch, ToDoubleFunction<Gpt> selectionLoss, int steps, AdamWConfig optimizer) {}

  /** The caller's side of the pipeline. */
  public interface Stages {
    /** Runs {@code trainer} to the end (the caller's loop, checkpoints and resume) and returns its history. */
    History train(LmTrainer trainer) throws IOException;

    /** Called with the model after each stage; the pipeline owns the model (do not close it). */
    void after(Stage stage, Gpt model) throws IOException;
  }

  /**
   * @param model the ablated model after the coherence fine-tune (the caller closes it)
   * @param history the route-training history
   * @param trainSeconds wall time of {@link Stages#train}
   */
  public record Result(Gpt model, History history, Coherence.Result coherence, double trainSeconds) {}

  private EraPipeline() {}

  /** Route-training's step: the whole batch at once, decay on every parameter, the penalty logged as {@code l1} beside {@code ce}. */
  public static LmTrainer.Settings trainerSettings(AdamWConfig optimizer) {
    return LmTrainer.Settings.of(optimizer).logging("l1", true);
  }

  /**
   * Runs the pipeline from {@code original}, which it closes once expanded (its config still marks
   * the original units); pass a copy to keep it.
   *
   * @param name names the run in errors (a diverged coherence fine-tune)
   * @param tokenWeights the soft per-token routing weights of routed stories (null for the control)
   */
  public static Result run(String name, Gpt original, Spec spec, LmTrainer.BatchSource batches, SoftTokenRule tokenWeights,
      CoherenceSpec coherence, Stages stages) throws IOException {
    GptConfig originalConfig = original.config();
    Gpt ablated;
    History history;
    double trainSeconds;
    Gpt grown;
    try (original) {
      grown = Expansion.expand(original, spec.expansion());
    }
    try (Gpt expanded = grown) {
      try (EraRouting era = new EraRouting(expanded, originalConfig, spec.routing(), spec.route(), tokenWeights)) {
        LmTrainer trainer = new LmTrainer(expanded, trainerSettings(spec.optimizer()), spec.schedule(), batches, era, null);
        long t0 = System.nanoTime();
        history = stages.train(trainer);
        trainSeconds = (System.nanoTime() - t0) / 1e9;
      }
      stages.after(Stage.TRAINED, expanded);
      ablated = Expansion.ablate(expanded, originalConfig);
    }
    try {
      stages.after(Stage.ABLATED, ablated);
      Coherence.Result tuned = Coherence.tune(name + " coherence", ablated, coherence.batch(), coherence.selectionLoss(), coherence.steps(),
          coherence.optimizer());
      stages.after(Stage.COHERENT, ablated);
      return new Result(ablated, history, tuned, trainSeconds);
    } catch (IOException | RuntimeException e) {
      ablated.close();
      throw e;
    }
  }
}
