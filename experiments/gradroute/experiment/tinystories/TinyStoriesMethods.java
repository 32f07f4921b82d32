package gradroute.experiment.tinystories;

import static gradroute.report.Numbers.f4;
import static gradroute.experiment.tinystories.TinyStoriesRun.key;

import gradroute.experiment.tinystories.TinyStoriesRun.Losses;
import gradroute.experiment.tinystories.TinyStoriesRun.MethodResult;
import gradroute.masks.ClampedMask;
import gradroute.masks.MaskTraining;
import gradroute.masks.PostHocUnlearning;
import gradroute.masks.UnlearningObjective;
import gradroute.model.AdamWConfig;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.LmTrainer;
import gradroute.model.TokenBatch;
import gradroute.model.era.EraPipeline;
import gradroute.model.era.EraRouting;
import gradroute.model.era.ExpansionSpec;
import gradroute.model.unlearn.Rmu;
import gradroute.report.RunDirectory;
import gradroute.routing.SoftTokenRule;
import gradroute.train.Checkpoint;
import gradroute.train.History;
import gradroute.train.TrainingLoop;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import org.bytedeco.pytorch.Device;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The methods of one seed and oversight level, each trained (or applied to the seed's base model),
 * then measured ({@link TinyStoriesEvaluation}): base and data filtering, ERA and its control,
 * RMU, and the post-hoc masks and localised fine-tuning.
 */
final class TinyStoriesMethods {
  private static final Logger log = LoggerFactory.getLogger(TinyStoriesMethods.class);

  private final TinyStoriesConfig s;
  private final TinyStoriesData data;
  private final RunDirectory run;
  private final Device device;
  private final boolean resume;
  private final TinyStoriesEvaluation evaluation;
  private final EraInputs inputs;
  // filled by each seed's base stage, read by its filtering and RMU stages (other threads)
  private final Map<Long, Gpt> baseModels;
  private final Map<Long, Losses> baseLosses;

  TinyStoriesMethods(TinyStoriesConfig s, TinyStoriesData data, RunDirectory run, Device device, boolean resume,
      TinyStoriesEvaluation evaluation, Map<Long, Gpt> baseModels, Map<Long, Losses> baseLosses) {
    this.s = s;
    this.data = data;
    this.run = run;
    this.device = device;
    this.resume = resume;
    this.evaluation = evaluation;
    this.inputs = new EraInputs(s, data, run);
    this.baseModels = baseModels;
    this.baseLosses = baseLosses;
  }

  /** The model before expansion. */
  GptConfig originalConfig() {
    return s.model(data.tokenizer.vocabSize());
  }

  private TokenBatch batchOf(List<Integer> storyIds) {
    List<long[]> seqs = new ArrayList<>(storyIds.size());
    for (int i : storyIds) seqs.add(data.train.get(i));
    return new TokenBatch(seqs, s.nCtx() + 1, data.bos);
  }

  /** Base (all stories) or data filtering (labelled forget stories dropped); both train ERA's steps on the full LR schedule. */
  MethodResult trainPlain(long seed, String method, Double p, int[] order, int[] labels) throws IOException {
    List<Integer> kept = new ArrayList<>();
    for (int i : order) if (labels[i] != ForgetLabels.FORGET) kept.add(i);
    int steps = s.steps(); // filtering trains as many steps as ERA, on the full schedule (the stream has a reserve for it)
    if (kept.size() < steps * s.batch()) {
      throw new IllegalStateException(key(seed, method, p) + ": " + kept.size() + " stories are left after filtering; "
          + steps + " steps × " + s.batch() + " need " + steps * s.batch());
    }
    String key = key(seed, method, p);
    Gpt model = Gpt.create(originalConfig(), device, seed);
    LmTrainer trainer = new LmTrainer(model, EraPipeline.trainerSettings(s.optimizer().adamW()), s.optimizer().schedule(s.steps()),
        step -> new LmTrainer.Batch(batchOf(kept.subList((int) step * s.batch(), (int) (step + 1) * s.batch())), null), null, null);
    long t0 = System.nanoTime();
    History h = new TrainingLoop(key, steps, s.logEvery(), new Checkpoint(run.path("checkpoints"), key), s.checkpointEvery())
        .run(trainer, resume);
    double trainSeconds = (System.nanoTime() - t0) / 1e9;
    writeHistory(key, h);
    model.save(run.path("models/" + key + ".pt"));
    Losses trained = evaluation.losses(model);
    Map<String, String> gens = new LinkedHashMap<>();
    evaluation.generate(model, "trained", gens);
    TinyStoriesEvaluation.Attack a = evaluation.attack(key, model, seed);
    if (method.equals("base")) {
      baseLosses.put(seed, trained);
      baseModels.put(seed, model);
    } else {
      model.close();
    }
    double before = method.equals("base") ? trained.forget() : baseForget(seed);
    return new MethodResult(seed, method, p, steps, trainSeconds, trained, null, null, trained, before, null, null, a.steps(),
        a.forget(), a.min(), a.seconds(), gens, 0, null, null);
  }

  /** ERA (routing on) or its control (same expansion and L1, nothing routed), through the library's {@link EraPipeline}. */
  MethodResult trainEra(long seed, double p, int[] order, int[] labels, boolean routing) throws IOException {
    String method = routing ? "era" : "control";
    Double pKey = routing ? p : null;
    String key = key(seed, method, pKey);
    GptConfig original = originalConfig();
    // the expanded model is freshly initialised throughout (as in the paper, init runs again after expansion)
    EraPipeline.Spec spec = new EraPipeline.Spec(ExpansionSpec.mlp(s.expandLayers(), s.expandNeurons(), 1.0, seed + 1_000_003L),
        new EraRouting.Spec(s.expandLayers(), s.alphaOriginal(), 1.0, s.offTargetExpanded(), s.l1(), s.l1AddedOnly()), routing,
        s.optimizer().adamW(), s.optimizer().schedule(s.steps()));
    SoftTokenRule weights = routing ? inputs.tokenWeights(seed, p, labels) : null;
    LmTrainer.BatchSource batches = step -> {
      List<Integer> ids = new ArrayList<>(s.batch());
      boolean[] routed = new boolean[s.batch()];
      for (int i = 0; i < s.batch(); i++) {
        int story = order[(int) step * s.batch() + i];
        ids.add(story);
        routed[i] = labels[story] == ForgetLabels.FORGET;
      }
      return new LmTrainer.Batch(batchOf(ids), routed);
    };
    Map<EraPipeline.Stage, Losses> stageLosses = new LinkedHashMap<>();
    Map<String, String> gens = new LinkedHashMap<>();
    EraPipeline.Stages stages = new EraPipeline.Stages() {
      private History history;

      @Override
      public History train(LmTrainer trainer) throws IOException {
        history = new TrainingLoop(key, s.steps(), s.logEvery(), new Checkpoint(run.path("checkpoints"), key), s.checkpointEvery())
            .run(trainer, resume);
        return history;
      }

      @Override
      public void after(EraPipeline.Stage stage, Gpt model) throws IOException {
        switch (stage) {
          case TRAINED -> {
            writeHistory(key, history);
            model.save(run.path("models/" + key + ".pt"));
            stageLosses.put(stage, evaluation.losses(model));
            evaluation.generate(model, "before ablation", gens);
          }
          case ABLATED -> {
            stageLosses.put(stage, evaluation.losses(model));
            evaluation.generate(model, "after ablation", gens);
          }
          case COHERENT -> {
            stageLosses.put(stage, evaluation.losses(model));
            evaluation.generate(model, "after coherence", gens);
            model.save(run.path("models/" + key + "-final.pt"));
          }
        }
      }
    };
    EraPipeline.Result era = EraPipeline.run(key, Gpt.create(original, device, seed), spec, batches, weights, inputs.coherence(), stages);
    try (Gpt ablated = era.model()) {
      TinyStoriesEvaluation.Attack a = routing ? evaluation.attack(key, ablated, seed) : TinyStoriesEvaluation.Attack.NONE;
      Losses trained = stageLosses.get(EraPipeline.Stage.TRAINED);
      Losses coherent = stageLosses.get(EraPipeline.Stage.COHERENT);
      return new MethodResult(seed, method, pKey, s.steps(), era.trainSeconds(), trained,
          stageLosses.get(EraPipeline.Stage.ABLATED), coherent, coherent, trained.forget(), era.coherence().bestStep(),
          era.coherence().selectionLosses(), a.steps(), a.forget(), a.min(), a.seconds(), gens, 0, null, null);
    }
  }

  /** RMU from the base model of the seed; labelled forget stories as the forget set, the rest as retain. */
  MethodResult rmu(long seed, double p, int[] order, int[] labels) throws IOException {
    Gpt base = baseModels.get(seed);
    if (base == null) throw new IllegalStateException("RMU needs the base model of seed " + seed);
    String key = key(seed, "rmu", p);
    List<Integer> forget = new ArrayList<>(), retain = new ArrayList<>();
    for (int i : order) (labels[i] == ForgetLabels.FORGET ? forget : retain).add(i);
    if (forget.isEmpty()) throw new IllegalArgumentException("RMU at p = " + p + ": no labelled forget stories");
    int layer = Arrays.stream(s.expandLayers()).max().getAsInt() + 1;
    layer = Math.min(layer, s.nLayers());
    int[] trainLayers = new int[layer];
    for (int l = 0; l < layer; l++) trainLayers[l] = l;
    Gpt model = base.copy();
    int b = s.rmuBatch();
    TokenBatch probe = batchOf(retain.subList(0, Math.min(b, retain.size())));
    double norm = Rmu.residualNorm(base, probe, layer);
    double coeff = s.rmuCoeff() > 0 ? s.rmuCoeff() : s.rmuCoeffScale() * norm;
    Rmu.Spec spec = new Rmu.Spec(layer, trainLayers, coeff, s.rmuAlpha(), s.rmuSteps(), AdamWConfig.of(s.rmuLr(), 0.9, 0.999, 0.01));
    log.info("{}: {} (mean residual norm entering block {}: {})", key, spec, layer, f4(norm));
    long t0 = System.nanoTime();
    History h = Rmu.run(key, model, step -> batchOf(cycle(forget, (int) step, b)), step -> batchOf(cycle(retain, (int) step, b)),
        spec, seed);
    double trainSeconds = (System.nanoTime() - t0) / 1e9;
    h.writeCsv(run.path("training/" + key + ".csv"), "step", "loss", "forget_loss", "retain_loss");
    model.save(run.path("models/" + key + ".pt"));
    Losses fin = evaluation.losses(model);
    Map<String, String> gens = new LinkedHashMap<>();
    evaluation.generate(model, "after RMU", gens);
    TinyStoriesEvaluation.Attack a = evaluation.attack(key, model, seed);
    model.close();
    return new MethodResult(seed, "rmu", p, s.rmuSteps(), trainSeconds, baseLosses.get(seed), null, null, fin, baseForget(seed), null,
        null, a.steps(), a.forget(), a.min(), a.seconds(), gens, 0, null, null);
  }

  /**
   * A post-hoc method from the base model of the seed, on ERA's expand layers, with the labelled
   * forget stories as forget set and the rest as retain: learned neuron masks (then ablated) or
   * localised fine-tuning of the expandNeurons neurons per layer with the largest attribution.
   */
  MethodResult postHoc(long seed, String method, double p, int[] order, int[] labels) throws IOException {
    Gpt base = baseModels.get(seed);
    if (base == null) throw new IllegalStateException(method + " needs the base model of seed " + seed);
    String key = key(seed, method, p);
    List<Integer> forget = new ArrayList<>(), retain = new ArrayList<>();
    for (int i : order) (labels[i] == ForgetLabels.FORGET ? forget : retain).add(i);
    if (forget.isEmpty()) throw new IllegalArgumentException(method + " at p = " + p + ": no labelled forget stories");
    int b = s.posthocBatch();
    LongFunction<TokenBatch> forgetBatches = step -> batchOf(cycle(forget, (int) step, b));
    LongFunction<TokenBatch> retainBatches = step -> batchOf(cycle(retain, (int) step, b));
    UnlearningObjective.ForgetLoss kind = UnlearningObjective.ForgetLoss.fromId(s.posthocForgetLoss());
    Gpt model = base.copy();
    long t0 = System.nanoTime();
    PostHocUnlearning.Outcome o;
    int steps;
    if (method.equals("masks")) {
      steps = s.maskSteps();
      UnlearningObjective objective = new UnlearningObjective(kind, s.posthocForgetWeight(), 1, s.maskSparsity(), 0);
      o = PostHocUnlearning.maskNeurons(key, model, s.expandLayers(), ClampedMask.Penalty.L1, new MaskTraining.Spec(objective, s.maskLr(), 0, 0.5),
          steps, forgetBatches, retainBatches);
    } else {
      steps = s.localFtSteps();
      UnlearningObjective objective = new UnlearningObjective(kind, s.posthocForgetWeight(), 1, 0, 0);
      o = PostHocUnlearning.localisedFineTune(key, model, s.expandLayers(), s.expandNeurons(), forgetBatches.apply(0), objective, s.localFtLr(),
          steps, forgetBatches, retainBatches);
    }
    double trainSeconds = (System.nanoTime() - t0) / 1e9;
    log.info("{}: {} neurons ({} parameters) {}: {}", key, o.neuronCount(), o.parameterCount(), method.equals("masks") ? "ablated" : "trained",
        o.neurons());
    o.history().writeCsv(run.path("training/" + key + ".csv"), "step", "loss", "forget_loss", "retain_loss");
    model.save(run.path("models/" + key + ".pt"));
    Losses fin = evaluation.losses(model);
    Map<String, String> gens = new LinkedHashMap<>();
    evaluation.generate(model, "after " + method, gens);
    TinyStoriesEvaluation.Attack a = evaluation.attack(key, model, seed);
    model.close();
    return new MethodResult(seed, method, p, steps, trainSeconds, baseLosses.get(seed), null, null, fin, baseForget(seed), null,
        null, a.steps(), a.forget(), a.min(), a.seconds(), gens, 0, o.neuronCount(), o.parameterCount());
  }

  private static List<Integer> cycle(List<Integer> pool, int step, int b) {
    List<Integer> out = new ArrayList<>(b);
    for (int i = 0; i < b; i++) out.add(pool.get((int) (((long) step * b + i) % pool.size())));
    return out;
  }

  private double baseForget(long seed) {
    Losses b = baseLosses.get(seed);
    return b == null ? Double.NaN : b.forget();
  }

  private void writeHistory(String key, History h) throws IOException {
    h.writeCsv(run.path("training/" + key + ".csv"), "step", "loss", "ce", "l1", "lr");
  }
}
