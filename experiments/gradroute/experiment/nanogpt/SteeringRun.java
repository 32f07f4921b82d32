package gradroute.experiment.nanogpt;

import static gradroute.report.Numbers.f4;

import gradroute.model.GptHooks;
import gradroute.distributed.ProcessGroup;
import gradroute.distributed.WorldConfig;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.LmTrainer;
import gradroute.model.LrSchedule;
import gradroute.model.TokenRouting;
import gradroute.report.AtomicFiles;
import gradroute.report.Json;
import gradroute.routing.MaskTable;
import gradroute.routing.TokenRule;
import gradroute.runtime.SideBySide;
import gradroute.train.Checkpoint;
import gradroute.train.History;
import gradroute.train.TrainingLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Trains and evaluates the routed and control models of every seed, on this rank. */
final class SteeringRun {
  private static final Logger log = LoggerFactory.getLogger(SteeringRun.class);

  /** What one trained model measured, plus its training speed. */
  record ModelRun(SteeringEvaluation.Result eval, double trainSeconds, double stepsPerSecond, int world, List<History.Row> history) {}

  private final NanoGptConfig s;
  private final NanoGptData data;
  private final Path root;
  private final Device device;
  private final boolean resume;
  private final ProcessGroup group;
  private final WorldConfig world;
  /** "Related" in the readout criterion: topic neighbours ∪ distributional neighbours, fixed by the config. */
  private final Set<Integer> related = new LinkedHashSet<>();
  private final List<Integer> similar;

  SteeringRun(NanoGptConfig s, NanoGptData data, Path root, Device device, boolean resume, ProcessGroup group, WorldConfig world) {
    this.s = s;
    this.data = data;
    this.root = root;
    this.device = device;
    this.resume = resume;
    this.group = group;
    this.world = world;
    this.similar = world.isMain() ? data.similar(s.similarWindow(), s.similarCount()) : List.of();
    related.addAll(data.meta.related());
    related.addAll(similar);
  }

  /** The routed token's distributional neighbours (rank 0 only). */
  List<Integer> similar() {
    return similar;
  }

  GptConfig config() {
    return s.shape().modern(data.tokenizer.vocabSize());
  }

  /**
   * Every (seed, model) result; only rank 0's list is complete (the others evaluate nothing). Data
   * parallel, the models train one after another; in one process {@code workers} of them train
   * side by side ({@link SideBySide}).
   */
  List<ModelRun> runAll(int workers) throws IOException {
    List<ModelRun> out = new ArrayList<>();
    if (group != null) {
      for (long seed : s.seeds()) {
        for (String m : s.models()) {
          ModelRun r = runOne(m, seed);
          if (r != null) out.add(r);
        }
      }
      return out;
    }
    List<java.util.concurrent.CompletableFuture<ModelRun>> runs = new ArrayList<>();
    try (SideBySide jobs = new SideBySide(workers, device.is_cpu())) {
      for (long seed : s.seeds()) for (String m : s.models()) runs.add(jobs.submit(() -> runOne(m, seed)));
      jobs.awaitAll();
    }
    for (var f : runs) {
      ModelRun r = SideBySide.result(f);
      if (r != null) out.add(r);
    }
    return out;
  }

  private ModelRun runOne(String kind, long seed) throws IOException {
    String name = kind + "-s" + seed;
    Path resultFile = root.resolve("models").resolve(name + ".json");
    if (resume && Files.isRegularFile(resultFile)) {
      log.info("{}: already done, skipped", name);
      return world.isMain() ? Json.read(resultFile, ModelRun.class) : null;
    }
    boolean routed = kind.equals("routed");
    GptConfig config = config();
    int target = data.routedId();
    try (Gpt model = Gpt.create(config, device, 1000 + seed)) {
      if (group != null) group.broadcastParameters(new ArrayList<>(model.parameters().values()));
      TokenRouting routing = null;
      if (routed) {
        // row 0 = e_0 for the routed token; every other position gets the no-mask row, or with
        // exclusiveDim0 a row that is 0 on dim 0 and 1 elsewhere
        MaskTable.Builder rows = MaskTable.builder(config.dModel()).dims(0);
        if (s.exclusiveDim0()) rows.dims(new int[] {0}, 0, 1);
        MaskTable table = rows.build();
        List<String> points = routedPoints();
        int others = s.exclusiveDim0() ? 1 : table.noMaskIndex();
        routing = TokenRouting.byRule(model, points, table, new TokenRule(Map.of((long) target, 0), others));
      }
      LrSchedule schedule = s.optimizer().schedule(s.steps());
      int rank = world.rank(), size = world.worldSize();
      LmTrainer trainer = new LmTrainer(model, LmTrainer.Settings.nanoGpt(s.optimizer(), s.microBatchSize()), schedule,
          step -> LmTrainer.Batch.windows(data.trainWindows(seed, step, s.batch(), rank, size, s.nCtx() + 1)), routing, group);
      Checkpoint checkpoint = new Checkpoint(root.resolve("checkpoints"), name);
      TrainingLoop loop = TrainingLoop.onRank(world.isMain(), name, s.steps(), s.logEvery(), checkpoint, s.checkpointEvery());
      long t0 = System.nanoTime();
      History history = loop.run(trainer, resume);
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (routing != null) routing.close();
      ModelRun run = null;
      if (world.isMain()) {
        SteeringEvaluation.Result eval = evaluate(model, kind, seed);
        long trained = history.rows().isEmpty() ? 0 : s.steps();
        run = new ModelRun(eval, seconds, trained / seconds, size, history.rows());
        writeHistory(name, history);
        model.save(root.resolve("models").resolve(name + ".pt"));
        Json.write(resultFile, run);
        log.info("{}: val loss {}, target rank {} / {}, related in top 10: {}, AUROC {}, P(target) x{} at alpha {}", name,
            f4(eval.valLoss()), eval.targetRank(), config.vocab(), eval.relatedInTop10(), f4(eval.auroc()),
            String.format("%.1f", eval.pRatio()), s.alphas().get(s.alphas().size() - 1));
      }
      if (group != null) group.barrier();
      return run;
    }
  }

  /** The outputs of the routed blocks. */
  private List<String> routedPoints() {
    List<String> points = new ArrayList<>();
    for (int l = s.firstRoutedBlock(); l < s.nLayers(); l++) points.add(GptHooks.residPost(l));
    return points;
  }

  private SteeringEvaluation.Result evaluate(Gpt model, String kind, long seed) throws IOException {
    int target = data.routedId();
    SteeringEvaluation.Readout r = SteeringEvaluation.readout(model, target);
    int block = s.steeringBlock();
    List<long[]> val = data.valWindows(s.nCtx() + 1, s.valWindows());
    double valLoss = SteeringEvaluation.valLoss(model, val, 16);
    double auroc = SteeringEvaluation.auroc(model, val, 16, block, r.sign(), target);
    SteeringEvaluation.GradientShare share = SteeringEvaluation.gradientShare(model, val, 16, routedPoints(), target);
    List<long[]> prompts = SteeringEvaluation.prompts(data.valWindows(s.promptLength(), Integer.MAX_VALUE), s.prompts(), s.promptLength(),
        target, data.meta.related());
    double[] p = SteeringEvaluation.pTarget(model, prompts, block, r.sign(), target, s.alphas());
    int relatedByAbs = relatedAmongTop10(r.byAbs(), target);
    int relatedAligned = relatedAmongTop10(SteeringEvaluation.topBySign(r.cos(), r.sign(), 11), target);
    int[] pos = SteeringEvaluation.topBySign(r.cos(), 1, 20), neg = SteeringEvaluation.topBySign(r.cos(), -1, 20);
    int[] side = SteeringEvaluation.topBySign(r.cos(), r.sign(), 20);
    double[] sideCos = new double[side.length];
    List<String> sideTokens = new ArrayList<>();
    for (int i = 0; i < side.length; i++) {
      sideCos[i] = r.cos()[side[i]];
      sideTokens.add(data.tokenizer.tokenText(side[i]));
    }
    String samples = SteeringEvaluation.samples(model, data.tokenizer, prompts, s.samples(), s.sampleTokens(), block, s.sampleAlpha(), r.sign(), seed);
    AtomicFiles.writeString(root.resolve("samples").resolve(kind + "-s" + seed + ".txt"), samples);
    return new SteeringEvaluation.Result(kind, seed, valLoss, r.targetRank(), (double) r.targetRank() / r.cos().length, relatedAligned, relatedByAbs,
        r.cos()[target], r.sign(), auroc, p, p[p.length - 1] / p[0], texts(pos), texts(neg), sideCos, sideTokens, share);
  }

  /** Related tokens among the first 10 of {@code ranked} other than the target. */
  private int relatedAmongTop10(int[] ranked, int target) {
    int related = 0, seen = 0;
    for (int v : ranked) {
      if (v == target) continue;
      if (seen++ == 10) break;
      if (this.related.contains(v)) related++;
    }
    return related;
  }

  private List<String> texts(int[] ids) {
    List<String> out = new ArrayList<>();
    for (int id : ids) out.add(data.tokenizer.tokenText(id));
    return out;
  }

  private void writeHistory(String name, History h) throws IOException {
    h.writeCsv(root.resolve("training").resolve(name + ".csv"), "step", "loss", "lr", "grad_norm");
  }
}
