package gradroute.train;

/** A step produced a non-finite loss; the last checkpoint (if any) is still intact. */
public final class TrainingDivergedException extends RuntimeException {
  public TrainingDivergedException(String message) {
    super(message);
  }
}
