package gradroute.train;

/** A step produced a NaN or infinite loss term; the last checkpoint (if any) is still intact. */
public final class TrainingDivergedException extends RuntimeException {
  private final String run;
  private final long step;

  public TrainingDivergedException(String run, long step, String message) {
    super(message);
    this.run = run;
    this.step = step;
  }

  public String run() {
    return run;
  }

  public long step() {
    return step;
  }
}
