package gradroute.model;

/** A checkpoint does not fit the model: a parameter is missing, extra, or of another shape. */
public final class CheckpointMismatchException extends IllegalArgumentException {
  public CheckpointMismatchException(String message) {
    super(message);
  }
}
