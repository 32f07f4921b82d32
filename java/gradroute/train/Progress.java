package gradroute.train;

import java.util.Map;
import java.util.stream.Collectors;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A progress bar on a terminal; otherwise (CI, pipes) a log line every tenth of the run. */
final class Progress implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Progress.class);
  private final String task;
  private final long total;
  private final ProgressBar bar;
  private long nextLog;

  Progress(String task, long start, long total) {
    this.task = task;
    this.total = total;
    this.bar = System.console() != null
        ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII).startsFrom(start, java.time.Duration.ZERO).build()
        : null;
    this.nextLog = start;
  }

  void update(long step, Map<String, Double> metrics) {
    String text = metrics.entrySet().stream().limit(4)
        .map(e -> e.getKey() + "=" + String.format("%.4g", e.getValue())).collect(Collectors.joining(" "));
    if (bar != null) {
      bar.stepTo(step + 1);
      bar.setExtraMessage(text);
    } else if (step >= nextLog || step + 1 == total) {
      log.info("{} step {}/{} {}", task, step + 1, total, text);
      nextLog = step + Math.max(1, total / 10);
    }
  }

  @Override
  public void close() {
    if (bar != null) bar.close();
  }
}
