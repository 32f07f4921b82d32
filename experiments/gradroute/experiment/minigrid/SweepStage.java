package gradroute.experiment.minigrid;

import gradroute.experiment.minigrid.OversightSweep.RunResult;
import gradroute.plot.Plots;
import gradroute.report.Json;
import gradroute.report.RunDirectory;
import gradroute.rl.agent.PolicyView;
import gradroute.rl.agent.RoutedPolicy;
import gradroute.rl.env.GridRenderer;
import gradroute.rl.env.GridworldConfig;
import gradroute.rl.reinforce.AgentConfig;
import gradroute.rl.reinforce.Evaluation;
import gradroute.rl.reinforce.PolicyMaps;
import gradroute.rl.reinforce.ReinforceTrainer;
import gradroute.runtime.Seeds;
import gradroute.train.Checkpoint;
import gradroute.train.History;
import gradroute.train.TrainingLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the oversight sweep, a stage: trains a method at one oversight level and seed
 * (checkpointing into {@code runs/<id>/}, or reading a finished run back on resume), evaluates its
 * policies on fresh environments and writes the run's result, history and diagnostics.
 */
final class SweepStage {
  private static final Logger log = LoggerFactory.getLogger(OversightSweep.class); // the sweep's log, as before the split

  private final MinigridConfig settings;
  private final Device device;
  private final RunDirectory run;
  private final boolean resume;

  SweepStage(MinigridConfig settings, Device device, RunDirectory run, boolean resume) {
    this.settings = settings;
    this.device = device;
    this.run = run;
    this.resume = resume;
  }

  /** Trains (or, resuming, reads back) run {@code index} of {@code total} and evaluates its policies. */
  RunResult train(Method method, double p, int seed, int index, int total) throws IOException {
    String id = OversightSweep.runId(method, p, seed);
    Path dir = run.path("runs/" + id);
    Path resultFile = dir.resolve("result.json");
    AgentConfig config = settings.agent(method, p, seed);
    if (resume && Files.exists(resultFile)) {
      RunResult done = Json.read(resultFile, RunResult.class);
      if (done.config().equals(config)) {
        log.info("[{}/{}] {}: finished earlier, read back", index, total, id);
        return done;
      }
      log.info("[{}/{}] {}: finished earlier with another configuration, training again", index, total, id);
    }
    long start = System.nanoTime();
    ReinforceTrainer trainer = new ReinforceTrainer(config, device);
    int logEvery = config.evalEvery() > 0 ? config.evalEvery() : (int) Math.max(1, config.updates() / 50);
    Checkpoint checkpoint = new Checkpoint(dir, "checkpoint");
    if (!resume && checkpoint.exists()) {
      log.info("{}: ignoring the checkpoint of an earlier run (no --resume)", id);
    }
    TrainingLoop loop = new TrainingLoop(id, config.updates(), logEvery, checkpoint, config.segmentUpdates());
    History history = loop.run(trainer, resume);
    double trainSeconds = (System.nanoTime() - start) / 1e9;
    List<Evaluation.Result> evals = new ArrayList<>();
    for (PolicyView v : method.evaluatedViews()) {
      evals.add(trainer.evaluate(v, settings.finalEvalEnvs(), settings.finalEvalSteps(), Seeds.mix(seed, 4, 0)));
    }
    if (method.routedNetwork()) {
      writeExpertDiagnostics(id, trainer, history, dir);
    }
    if (method == Method.ROUTING) {
      GridRenderer.renderStripPng(
          Evaluation.episode(trainer.policy(), PolicyView.DIAMOND, GridworldConfig.of(1, p, Seeds.mix(seed, 5, 0)), 20, device),
          dir.resolve("steered_episode.png"), 24);
    }
    double[][] curve = history.series("eval_return");
    double[][] ghostCurve = history.series("eval_ghost_rate_unseen");
    RunResult result = new RunResult(id, method.id(), p, seed, config.updates(), (System.nanoTime() - start) / 1e9,
        trainer.secondsPerUpdate(), trainer.envSecondsPerUpdate() / trainer.secondsPerUpdate(), config, evals,
        curve[0], curve[1], ghostCurve[1]);
    Json.write(resultFile, result);
    history.writeCsv(dir.resolve("history.csv"), "update");
    Evaluation.Result head = result.view(method.headlineView());
    log.info(String.format(Locale.ROOT,
        "[%d/%d] %s: %d updates in %.0f s (%.3f s/update); %s policy: ghost rate (ghost unseen) %.3f, diamond rate %.3f, return %.3f",
        index, total, id, config.updates(), trainSeconds, trainer.secondsPerUpdate(), head.view(),
        head.ghostRateGhostUnseen(), head.diamondRateGhostUnseen(), head.meanReturn()));
    return result;
  }

  /** The gate's decision and both experts' policies per cell (PNG), and each expert's rates during training (plot). */
  private void writeExpertDiagnostics(String id, ReinforceTrainer trainer, History history, Path dir) throws IOException {
    List<PolicyMaps> maps = new ArrayList<>();
    for (int[] placement : PolicyMaps.standardPlacements(GridworldConfig.DEFAULT_SIZE)) {
      maps.add(PolicyMaps.of((RoutedPolicy) trainer.policy(), GridworldConfig.DEFAULT_SIZE, placement[0], placement[1], device));
    }
    PolicyMaps.writePng(maps, id + ": gate (blue = diamond expert) and policies per cell", dir.resolve("policy_maps.png"));
    Map<String, double[][]> curves = new LinkedHashMap<>();
    for (String expert : List.of("diamond", "ghost")) {
      for (String terminal : List.of("diamond", "ghost")) {
        double[][] c = history.series("eval_" + expert + "_expert_" + terminal + "_rate");
        if (c[0].length > 0) curves.put(expert + " expert: " + terminal + " rate", c);
      }
    }
    if (!curves.isEmpty()) {
      Plots.lineChart(id + ": each expert on its own during training", "update", "share of episodes", curves,
          dir.resolve("expert_rates.png"));
    }
  }
}
