package gradroute.report;

import java.io.IOException;

/** A consumer that may throw {@link IOException}, e.g. a writer that fills an output stream. */
@FunctionalInterface
public interface IoConsumer<T> {
  void accept(T value) throws IOException;
}
