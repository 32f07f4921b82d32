package gradroute.train;

import java.io.PrintStream;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a terminal, one progress line redrawn in place (at most every half second); otherwise (CI,
 * pipes) a log line every tenth of the run. Written here rather than with a progress-bar library,
 * so the core library carries no terminal dependencies.
 */
public final class ProgressListener implements TrainingListener {
  private static final Logger log = LoggerFactory.getLogger(ProgressListener.class);
  private static final long REDRAW_NANOS = 500_000_000L;
  private static final int WIDTH = 30;
  private PrintStream terminal;
  private long nextLog;
  private long lastDraw;
  private long started;

  @Override
  public void onStart(TrainingRun run) {
    if (run.startStep() > 0) log.info("{}: resumed at step {} of {}", run.name(), run.startStep(), run.steps());
    terminal = System.console() != null ? System.err : null;
    nextLog = run.startStep();
    started = System.nanoTime();
    lastDraw = 0;
  }

  @Override
  public void onStep(TrainingRun run, long step, Map<String, Double> metrics) {
    String text = metrics.entrySet().stream().limit(4)
        .map(e -> e.getKey() + "=" + String.format("%.4g", e.getValue())).collect(Collectors.joining(" "));
    boolean last = step + 1 == run.steps();
    if (terminal != null) {
      long now = System.nanoTime();
      if (last || now - lastDraw >= REDRAW_NANOS) {
        lastDraw = now;
        terminal.print("\r" + line(run, step + 1, now, text) + (last ? "\n" : ""));
        terminal.flush();
      }
    } else if (step >= nextLog || last) {
      log.info("{} step {}/{} {}", run.name(), step + 1, run.steps(), text);
      nextLog = step + Math.max(1, run.steps() / 10);
    }
  }

  private String line(TrainingRun run, long done, long now, String text) {
    int filled = run.steps() == 0 ? WIDTH : (int) (WIDTH * done / run.steps());
    long seconds = (now - started) / 1_000_000_000L;
    return String.format("%s %3d%% [%s%s] %d/%d (%d:%02d) %s", run.name(), run.steps() == 0 ? 100 : 100 * done / run.steps(),
        "=".repeat(filled), " ".repeat(WIDTH - filled), done, run.steps(), seconds / 60, seconds % 60, text);
  }

  @Override
  public void onClose() {
    terminal = null;
  }
}
