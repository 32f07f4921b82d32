package gradroute.train;

import java.util.function.Supplier;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * The native-memory rule of every step, made hard to get wrong. Each tensor libtorch hands to Java
 * (activations, gradients, temporaries of a routed forward and backward) holds native memory that
 * the Java GC does not see; without a {@link PointerScope} a training step leaks about 16 MiB
 * (measured by {@code ./gradroute bench memory}). These helpers run a step inside its own scope
 * and free everything it allocated when it returns:
 *
 * <pre>{@code
 * for (int i = 0; i < steps; i++) {
 *   double loss = Steps.scoped(() -> {
 *     Tensor l = model.forward(x).sub(y).pow(new Scalar(2)).mean();
 *     l.backward();
 *     FusedAdam.step(optimizer);       // Adam or AdamW; optimizer.step() for any other
 *     optimizer.zero_grad();
 *     return l.item_double();          // return Java values, never a tensor made in the step
 *   });
 * }
 * }</pre>
 *
 * Create what lives across steps (model, optimiser, data tensors) outside any step.
 * {@link TrainingLoop} runs every {@link Trainable#step} this way.
 */
public final class Steps {
  private Steps() {}

  /**
   * Runs {@code step} in its own scope and returns its (Java) result.
   *
   * @throws IllegalStateException when the step returns a native object: it was freed as the step
   *     ended, so using it would read freed memory
   */
  public static <T> T scoped(Supplier<T> step) {
    T result;
    try (PointerScope scope = new PointerScope()) {
      result = step.get();
    }
    if (result instanceof Pointer) {
      throw new IllegalStateException("a step returned a " + result.getClass().getSimpleName()
          + ", which was freed when the step ended; return Java values (e.g. tensor.item_double()) instead");
    }
    return result;
  }

  /** Runs {@code step} in its own scope. */
  public static void run(Runnable step) {
    try (PointerScope scope = new PointerScope()) {
      step.run();
    }
  }
}
