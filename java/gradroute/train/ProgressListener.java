package gradroute.train;

import java.util.Map;
import java.util.stream.Collectors;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A progress bar on a terminal; otherwise (CI, pipes) a log line every tenth of the run. */
public final class ProgressListener implements TrainingListener {
  private static final Logger log = LoggerFactory.getLogger(ProgressListener.class);
  private ProgressBar bar;
  private long nextLog;

  @Override
  public void onStart(TrainingRun run) {
    if (run.startStep() > 0) log.info("{}: resumed at step {} of {}", run.name(), run.startStep(), run.steps());
    bar = System.console() != null
        ? new ProgressBarBuilder().setTaskName(run.name()).setInitialMax(run.steps()).setStyle(ProgressBarStyle.ASCII)
            .startsFrom(run.startStep(), java.time.Duration.ZERO).build()
        : null;
    nextLog = run.startStep();
  }

  @Override
  public void onStep(TrainingRun run, long step, Map<String, Double> metrics) {
    String text = metrics.entrySet().stream().limit(4)
        .map(e -> e.getKey() + "=" + String.format("%.4g", e.getValue())).collect(Collectors.joining(" "));
    if (bar != null) {
      bar.stepTo(step + 1);
      bar.setExtraMessage(text);
    } else if (step >= nextLog || step + 1 == run.steps()) {
      log.info("{} step {}/{} {}", run.name(), step + 1, run.steps(), text);
      nextLog = step + Math.max(1, run.steps() / 10);
    }
  }

  @Override
  public void onClose() {
    if (bar != null) bar.close();
    bar = null;
  }
}
