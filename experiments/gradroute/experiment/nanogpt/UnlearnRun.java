package gradroute.experiment.nanogpt;

import gradroute.distributed.ProcessGroup;
import gradroute.distributed.WorldConfig;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.LmTrainer;
import gradroute.model.unlearn.NeuronRouting;
import gradroute.report.Json;
import gradroute.runtime.SideBySide;
import gradroute.train.Checkpoint;
import gradroute.train.History;
import gradroute.train.TrainingLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToDoubleFunction;
import org.bytedeco.pytorch.Device;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The unlearning runs of every seed: pretrain the routed, control and data-filtered models (data
 * parallel over the process group, checkpointed), then on rank 0 take each method through its
 * stages and evaluate after each: before, ablated (or unlearned), coherence-tuned, and the
 * retraining attack's curve.
 *
 * <ul>
 *   <li>{@code routed}: forget tokens routed into neurons 0..k−1 of blocks 0..L/2−1; those neurons
 *       are ablated, the coherence fine-tune blocks gradient into them;
 *   <li>{@code control}: the unrouted model with k random neurons of the same blocks ablated;
 *   <li>{@code rmu}: RMU applied to the control model;
 *   <li>{@code filter}: pretrained without the forget documents (its reference losses are the
 *       control's: what an ordinary model would know).
 * </ul>
 */
final class UnlearnRun {
  private static final Logger log = LoggerFactory.getLogger(UnlearnRun.class);

  /**
   * Forget loss; forget loss at positions whose target is routed; at positions whose target is not
   * routed, and that split into topical targets (token score s(v) at least {@code topicalScore})
   * and generic ones; retain loss.
   */
  record Losses(double forget, double forgetRouted, double forgetExcluded, double forgetTopical, double forgetGeneric, double retain) {}

  /**
   * One method on one seed.
   *
   * @param reference the losses the deltas are taken against (the model before unlearning; for
   *     filter, the control model)
   * @param attackSteps attack steps at which {@code attack} was measured (0 = before the attack)
   * @param attackMin the minimum of each loss over the attack curve
   */
  record MethodResult(String method, long seed, Losses reference, Losses before, Losses ablated, Losses coherent, int[] attackSteps,
      List<Losses> attack, Losses attackMin, String removed, double seconds) {
    double delta(Losses stage, Quantity q) {
      return q.of(stage) - q.of(reference);
    }
  }

  /** The losses of {@link Losses}, each with its results.csv column and its plot label. */
  enum Quantity {
    FORGET("forget", "forget", Losses::forget),
    ROUTED("forget_routed", "forget, routed tokens", Losses::forgetRouted),
    EXCLUDED("forget_excl", "forget, routed tokens excluded", Losses::forgetExcluded),
    TOPICAL("forget_topical", "forget, topical unrouted", Losses::forgetTopical),
    GENERIC("forget_generic", "forget, generic unrouted", Losses::forgetGeneric),
    RETAIN("retain", "retain", Losses::retain);

    final String column, label;
    private final ToDoubleFunction<Losses> loss;

    Quantity(String column, String label, ToDoubleFunction<Losses> loss) {
      this.column = column;
      this.label = label;
      this.loss = loss;
    }

    double of(Losses l) {
      return loss.applyAsDouble(l);
    }
  }

  private final UnlearnConfig s;
  private final UnlearnData data;
  private final Path root;
  private final Device device;
  private final boolean resume;
  private final ProcessGroup group;
  private final WorldConfig world;
  private final UnlearnEvaluation evaluation;
  private final UnlearnMethods methods;

  UnlearnRun(UnlearnConfig s, UnlearnData data, Path root, Device device, boolean resume, ProcessGroup group, WorldConfig world)
      throws IOException {
    this.s = s;
    this.data = data;
    this.root = root;
    this.device = device;
    this.resume = resume;
    this.group = group;
    this.world = world;
    this.evaluation = new UnlearnEvaluation(s, data);
    this.methods = new UnlearnMethods(s, data, evaluation, config(), device, this::modelFile);
  }

  /** The topical/generic split of the unrouted targets ({@link UnlearnEvaluation#absorption}). */
  UnlearnReport.Absorption absorption() {
    return evaluation.absorption();
  }

  GptConfig config() {
    return s.shape().modern(data.tokenizer.vocabSize());
  }

  /**
   * Every (seed, method) result; only rank 0's list is filled. Data parallel (a process group), the
   * models train one after another on every rank and rank 0 evaluates; in one process {@code
   * workers} jobs run side by side ({@link SideBySide}): each model's pretraining, and each method's
   * evaluation as soon as the models it reads are trained.
   */
  List<MethodResult> runAll(int workers) throws IOException {
    if (group != null) return runInTurn();
    try (SideBySide jobs = new SideBySide(workers, device.is_cpu())) {
      Map<String, CompletableFuture<Void>> trained = new HashMap<>();
      for (long seed : s.seeds()) {
        for (String m : PRETRAINED) {
          if (s.models().contains(m)) trained.put(m + "-s" + seed, jobs.submit(() -> pretrain(m, seed)));
        }
      }
      List<CompletableFuture<MethodResult>> results = new ArrayList<>();
      for (long seed : s.seeds()) {
        for (String m : UnlearnConfig.MODELS) {
          if (!s.models().contains(m)) continue;
          List<CompletableFuture<Void>> after = new ArrayList<>();
          for (String source : modelsRead(m)) {
            CompletableFuture<Void> f = trained.get(source + "-s" + seed);
            if (f != null) after.add(f);
          }
          results.add(jobs.submit(() -> evaluateOrReadBack(m, seed), after));
        }
      }
      jobs.awaitAll();
      return results.stream().map(SideBySide::result).toList();
    }
  }

  private static final List<String> PRETRAINED = List.of("routed", "control", "filter");

  /** The pretrained models a method's evaluation loads. */
  private static List<String> modelsRead(String method) {
    return switch (method) {
      case "routed" -> List.of("routed");
      case "filter" -> List.of("filter", "control");
      default -> List.of("control");
    };
  }

  private List<MethodResult> runInTurn() throws IOException {
    List<MethodResult> out = new ArrayList<>();
    for (long seed : s.seeds()) {
      for (String m : PRETRAINED) if (s.models().contains(m)) pretrain(m, seed);
      if (!world.isMain()) continue;
      for (String m : UnlearnConfig.MODELS) if (s.models().contains(m)) out.add(evaluateOrReadBack(m, seed));
    }
    return out;
  }

  private MethodResult evaluateOrReadBack(String method, long seed) throws IOException {
    Path result = root.resolve("results").resolve(method + "-s" + seed + ".json");
    if (resume && Files.isRegularFile(result)) {
      log.info("{}-s{}: already evaluated, skipped", method, seed);
      return Json.read(result, MethodResult.class);
    }
    MethodResult r = methods.evaluate(method, seed);
    Json.write(result, r);
    return r;
  }

  private Path modelFile(String kind, long seed) {
    return root.resolve("models").resolve(kind + "-s" + seed + ".pt");
  }

  /** Pretrains one model (all ranks), unless a finished one is on disk and this run resumes. */
  private Void pretrain(String kind, long seed) throws IOException {
    String name = kind + "-s" + seed;
    if (resume && Files.isRegularFile(modelFile(kind, seed))) {
      log.info("{}: already trained, skipped", name);
      return null;
    }
    GptConfig config = config();
    try (Gpt model = Gpt.create(config, device, 1000 + seed)) {
      if (group != null) group.broadcastParameters(new ArrayList<>(model.parameters().values()));
      NeuronRouting routing = kind.equals("routed") ? new NeuronRouting(model,
          new NeuronRouting.Spec(s.routedLayers(), UnlearnMethods.routedNeurons(s), 1.0, s.wOff(), s.l1()), routedTargetIds()) : null;
      var file = kind.equals("filter") ? data.filtered : data.train;
      int rank = world.rank(), size = world.worldSize();
      LmTrainer trainer = new LmTrainer(model, LmTrainer.Settings.nanoGpt(s.optimizer(), s.microBatchSize()),
          s.optimizer().schedule(s.steps()),
          step -> LmTrainer.Batch.windows(NanoGptData.randomWindows(file, seed, step, s.batch(), rank, size, s.nCtx() + 1)), routing, group);
      Checkpoint checkpoint = new Checkpoint(root.resolve("checkpoints"), name);
      TrainingLoop loop = TrainingLoop.onRank(world.isMain(), name, s.steps(), s.logEvery(), checkpoint, s.checkpointEvery());
      long t0 = System.nanoTime();
      History history = loop.run(trainer, resume);
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (routing != null) routing.close();
      if (world.isMain()) {
        writeHistory(name, history);
        model.save(modelFile(kind, seed));
        log.info("{}: trained {} steps in {} s", name, s.steps(), String.format("%.0f", seconds));
      }
      if (group != null) group.barrier();
    }
    return null;
  }

  /** The routed tokens: positions predicting one of them are routed. */
  private int[] routedTargetIds() {
    return data.meta.routedIds().stream().mapToInt(Integer::intValue).toArray();
  }

  private void writeHistory(String name, History h) throws IOException {
    h.writeCsv(root.resolve("training").resolve(name + ".csv"), "step", "loss", "penalty", "lr", "grad_norm");
  }
}
