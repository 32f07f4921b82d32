package gradroute.distributed;

/** A collective or the process group failed: a peer died, timed out or could not be reached. */
public final class CollectiveException extends RuntimeException {
  public CollectiveException(String message) {
    super(message);
  }

  public CollectiveException(String message, Throwable cause) {
    super(message, cause);
  }
}
