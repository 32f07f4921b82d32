package gradroute.hooks;

/** A registered hook; {@link #close()} (or {@link #remove()}) unregisters it. Idempotent. */
public interface HookHandle extends AutoCloseable {
  /** The hook point the hook is attached to. */
  String name();

  void remove();

  @Override
  default void close() {
    remove();
  }
}
