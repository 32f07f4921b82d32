package gradroute.train;

/** What listeners see of a {@link TrainingLoop} run in progress. */
public final class TrainingRun {
  private final String name;
  private final long steps;
  private final Trainable trainable;
  private final History history;
  private final boolean resume;
  private long startStep;
  private long stepsDone;
  private String stopReason;

  TrainingRun(String name, long steps, Trainable trainable, History history, boolean resume) {
    this.name = name;
    this.steps = steps;
    this.trainable = trainable;
    this.history = history;
    this.resume = resume;
  }

  public String name() {
    return name;
  }

  /** Steps of the whole run (a resumed run included). */
  public long steps() {
    return steps;
  }

  public Trainable trainable() {
    return trainable;
  }

  public History history() {
    return history;
  }

  /** Whether the caller asked to continue from a checkpoint. */
  public boolean resume() {
    return resume;
  }

  /** The first step this process runs (0 unless resumed). */
  public long startStep() {
    return startStep;
  }

  /** Steps run by this process so far. */
  public long stepsDone() {
    return stepsDone;
  }

  /** Continue at {@code step}: a checkpoint listener restored the state before it. Only in onStart. */
  public void resumeAt(long step) {
    if (step < 0 || step > steps) throw new IllegalArgumentException(name + ": cannot resume at step " + step + " of " + steps);
    startStep = step;
  }

  /** Stops the loop after the current step's listeners (early stopping). */
  public void stop(String reason) {
    if (stopReason == null) stopReason = reason;
  }

  public boolean stopRequested() {
    return stopReason != null;
  }

  public String stopReason() {
    return stopReason;
  }

  void stepDone() {
    stepsDone++;
  }
}
