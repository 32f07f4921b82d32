package gradroute.train;

/**
 * Saved parameters do not fit the model they are loaded into: a parameter or buffer is missing,
 * extra, or of another shape. The message names it (and both shapes).
 */
public final class CheckpointMismatchException extends IllegalArgumentException {
  public CheckpointMismatchException(String message) {
    super(message);
  }
}
